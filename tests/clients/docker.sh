#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Docker 20.10 (Debian's docker.io) with $RUNTIME registered as its default
# runtime: a private dockerd (no bridge, no iptables) on a private containerd,
# everything under a temp dir (clients.md section 4).  Prints TAP.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
DOCKER=/usr/bin/docker # Debian's 20.10 client (/usr/local/bin/docker may be another)
[ -x $DOCKER ] || skip_all "$DOCKER is not installed (run tests/clients/setup.sh)"
need dockerd containerd containerd-shim-runc-v2 skopeo umoci

D=$B/docker
# "runc" is a name dockerd keeps for itself
RTN=rt-under-test
mkdir -p "$D/bin"
make_wrapper "$D/bin/$RTN" ""
cat >"$D/daemon.json" <<EOF
{
	"data-root": "$D/data",
	"exec-root": "$D/exec",
	"pidfile": "$D/dockerd.pid",
	"deprecated-key-path": "$D/key.json",
	"hosts": ["unix://$D/docker.sock"],
	"containerd": "$B/containerd/containerd.sock",
	"storage-driver": "overlay2",
	"exec-opts": ["native.cgroupdriver=cgroupfs"],
	"cgroup-parent": "$CGP",
	"iptables": false, "ip-masq": false, "ip-forward": false, "bridge": "none",
	"runtimes": { "$RTN": { "path": "$D/bin/$RTN" } },
	"default-runtime": "$RTN"$( [ -x /usr/bin/tini-static ] && printf ',\n\t"init-path": "/usr/bin/tini-static"')
}
EOF
export DOCKER_HOST=unix://$D/docker.sock DOCKER_CONFIG=$D/client

build_rootfs_tar || bail "cannot build the busybox rootfs"
build_archive docker || bail "cannot build the docker archive (umoci, skopeo)"
start_containerd "$B/containerd" || bail "containerd did not start"
setsid dockerd --config-file "$D/daemon.json" >"$D/dockerd.log" 2>&1 </dev/null &
echo $! >"$D/dockerd.launch.pid"
on_exit "docker_cleanup"
docker_cleanup() {
	local c
	for c in $(timeout 30 $DOCKER ps -aq); do
		timeout 30 $DOCKER unpause "$c"
		timeout 60 $DOCKER rm -f "$c"
	done
	timeout 30 $DOCKER rmi -f "$IMG"
	stop_pid "$D/dockerd.launch.pid"
	for c in "$D/exec/runtime-runc/moby"/*; do
		[ ! -e "$c" ] || "$RUNTIME" --root "$D/exec/runtime-runc/moby" delete --force "${c##*/}"
	done
	grep -o " $B/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
}
wait_for 30 $DOCKER version || {
	tail -n 20 "$D/dockerd.log" | sed 's/^/# /'
	bail "dockerd did not start"
}
$DOCKER load -q -i "$B/img/busybox-docker.tar" >/dev/null || bail "docker load failed"

DR=("$DOCKER" run --network none)
cid() { $DOCKER inspect -f '{{.Id}}' "$1"; }
status_is() { [ "$($DOCKER inspect -f '{{.State.Status}}' "$1")" = "$2" ]; }
# dockerd 20.10 passes this root whatever the runtime's name
RTROOT=$D/exec/runtime-runc/moby

t_run_rm() {
	x "${DR[@]}" --rm "$IMG" sh -c 'echo hello; echo oops >&2; exit 3'
	expect_rc 3
	expect_out_is hello
	expect_err oops
	x $DOCKER ps -aq
	expect_out_is ""
}

t_run_d() {
	x "${DR[@]}" -d --name d1 --memory 64m "$IMG" sleep 1000
	expect_ok
	status_is d1 running || die "d1 is not running"
	local id
	id=$(cid d1)
	[ -d "$RTROOT/$id" ] || die "no state for $id in the runtime root"
	x cat "$(cgfile memory "$CGP/$id" memory.limit_in_bytes)"
	expect_out_is 67108864
}

t_exec() {
	x $DOCKER exec d1 sh -c 'echo out; echo err >&2; exit 5'
	expect_rc 5
	expect_out_is out
	expect_err err
	x $DOCKER exec -u nobody -w /tmp -e FOO=bar d1 sh -c 'id -u; pwd; echo $FOO'
	expect_ok
	expect_out_is "$(printf '65534\n/tmp\nbar')"
}

t_exec_tty() {
	xt $DOCKER exec -t d1 sh -c 'tty; exit 6'
	expect_rc 6
	expect_out /dev/pts/
}

t_exec_bad_command() {
	x $DOCKER exec d1 /nonexistent
	expect_rc 126
	# docker prints this error on stdout
	expect_out "OCI runtime exec failed: "
	grep -qE "no such file or directory|executable file not found" "$OUT" || die "no reason"
}

t_top() {
	x $DOCKER top d1
	expect_ok
	expect_out "sleep 1000"
}

t_stats() {
	x $DOCKER stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' d1
	expect_ok
	expect_out "/ 64MiB "
}

t_pause() {
	local id
	id=$(cid d1)
	x $DOCKER pause d1
	expect_ok
	status_is d1 paused || die "d1 is not paused"
	x cat "$(cgfile freezer "$CGP/$id" freezer.state)"
	expect_out_is FROZEN
	x $DOCKER unpause d1
	expect_ok
	status_is d1 running || die "d1 is not running"
	x $DOCKER exec d1 true
	expect_ok
}

t_update() {
	local id
	id=$(cid d1)
	x $DOCKER update --memory 48m --memory-swap 96m --cpus .5 --cpu-shares 300 --pids-limit 100 d1
	expect_ok
	x cat "$(cgfile memory "$CGP/$id" memory.limit_in_bytes)" \
		"$(cgfile memory "$CGP/$id" memory.memsw.limit_in_bytes)" \
		"$(cgfile cpu "$CGP/$id" cpu.cfs_quota_us)" \
		"$(cgfile cpu "$CGP/$id" cpu.shares)" \
		"$(cgfile pids "$CGP/$id" pids.max)"
	expect_out_is "$(printf '50331648\n100663296\n50000\n300\n100')"
}

t_kill_signal() {
	x "${DR[@]}" -d --name k1 "$IMG" sh -c 'trap "exit 7" USR1; while :; do sleep 0.2; done'
	expect_ok
	x $DOCKER kill -s USR1 k1
	expect_ok
	x $DOCKER wait k1
	expect_out_is 7
	x $DOCKER rm k1
	expect_ok
}

t_stop() {
	x $DOCKER stop -t 1 d1
	expect_ok
	status_is d1 exited || die "d1 is not exited"
	x $DOCKER inspect -f '{{.State.ExitCode}}' d1
	expect_out_is 137
}

t_restart() {
	x $DOCKER start d1
	expect_ok
	status_is d1 running || die "d1 is not running after start"
	x $DOCKER restart -t 1 d1
	expect_ok
	status_is d1 running || die "d1 is not running after restart"
	x $DOCKER exec d1 echo alive
	expect_ok
	expect_out_is alive
}

t_run_tty() {
	xt "${DR[@]}" --rm -t "$IMG" sh -c 'tty; exit 4'
	expect_rc 4
	expect_out /dev/pts/0
}

# dockerd puts a prestart hook (libnetwork-setkey) on every container: it tells
# dockerd the container's network namespace, which dockerd then binds at the
# sandbox key.  That bind is the same namespace only if the runtime ran the hook
# with the right state (pid) on stdin.
t_prestart_hook() {
	local id pid key
	id=$(cid d1)
	x cat "$B/containerd/state/io.containerd.runtime.v2.task/moby/$id/config.json"
	expect_ok
	expect_out libnetwork-setkey
	pid=$($DOCKER inspect -f '{{.State.Pid}}' d1)
	key=$($DOCKER inspect -f '{{.NetworkSettings.SandboxKey}}' d1)
	[ -n "$key" ] && [ -e "$key" ] || die "no sandbox key \`$key\`"
	[ "$(stat -L -c %i "$key")" = "$(stat -L -c %i "/proc/$pid/ns/net")" ] ||
		die "the sandbox key is not the container's network namespace"
}

t_rm_f() {
	local id
	id=$(cid d1)
	x $DOCKER rm -f d1
	expect_ok
	x $DOCKER ps -aq
	expect_out_is ""
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile memory "$CGP/$id" "")" ] || die "cgroup left: memory$CGP/$id"
}

t_bad_command() {
	x "${DR[@]}" --rm "$IMG" /nonexistent
	expect_rc 127
	expect_err "no such file or directory|executable file not found"
}

t_stdin() {
	printf 'line1\nline2\n' >"$B/in"
	xin "$B/in" "${DR[@]}" --rm -i "$IMG" sh -c 'wc -l'
	expect_ok
	expect_out_is 2
	xin "$B/in" $DOCKER exec -i d1 cat
	expect_ok
	expect_out_is "$(printf 'line1\nline2')"
}

# the container's processes see fds 0-2 only (the shell's child sleep shows
# what the shell got)
t_fds() {
	x "${DR[@]}" --rm "$IMG" sh -c 'sleep 10 & p=$!; echo $(ls /proc/$p/fd); kill $p'
	expect_ok
	expect_out_is "0 1 2"
	x $DOCKER exec d1 sh -c 'sleep 10 & p=$!; echo $(ls /proc/$p/fd); kill $p'
	expect_ok
	expect_out_is "0 1 2"
}

t_options() {
	mkdir -p "$D/vol"
	echo data >"$D/vol/f"
	x "${DR[@]}" --rm --read-only --tmpfs /scratch -v "$D/vol:/vol:ro" --pids-limit 50 \
		--ulimit nofile=100:100 --cap-drop ALL --cpuset-cpus 0 "$IMG" \
		sh -c 'cat /vol/f; touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs; ulimit -n; grep ^CapEff /proc/self/status'
	expect_ok
	expect_out_is "$(printf 'data\nro\ntmpfs\n100\nCapEff:\t0000000000000000')"
}

# dockerd asks for every capability it knows, CAP_SYS_RESOURCE too, which this
# host's bounding set lacks (clients.md): runc fails with EPERM; so must the
# runtime, with the same exit code and the reason
t_privileged() {
	x "${DR[@]}" --rm --privileged "$IMG" sh -c 'test -c /dev/null && test -c /dev/tty && grep ^CapEff /proc/self/status'
	show
	if grep -q '^CapBnd:.*' /proc/self/status && [ $(( 0x$(awk '/^CapBnd/ { print $2 }' /proc/self/status) >> 24 & 1 )) = 0 ]; then
		expect_rc 125
		expect_err "OCI runtime create failed: .*operation not permitted"
	else
		expect_ok
		expect_out "000001ff"
	fi
}

t_exec_detach() {
	x $DOCKER exec -d d1 sh -c 'echo $$ >/tmp/detached; exec sleep 1000'
	expect_ok
	wait_for 5 $DOCKER exec d1 test -s /tmp/detached
	x $DOCKER exec d1 sh -c 'kill -0 $(cat /tmp/detached) && echo running'
	expect_ok
	expect_out_is running
}

t_join_namespaces() {
	local pid
	pid=$($DOCKER inspect -f '{{.State.Pid}}' d1)
	x $DOCKER run --rm --pid container:d1 --network container:d1 "$IMG" sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/net'
	expect_ok
	expect_out_is "$(readlink "/proc/$pid/ns/pid"; readlink "/proc/$pid/ns/net")"
}

t_init() {
	[ -x /usr/bin/tini-static ] || { echo "no tini-static: skipped"; return 0; }
	x "${DR[@]}" --rm --init "$IMG" sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 3'
	expect_rc 3
	expect_out "/sbin/docker-init -- sh"
}

t_oom() {
	# the shim watches the cgroup for OOM only once `start` returned: an OOM
	# in the first milliseconds can beat it (with runc as with husk), so the
	# program waits a second before it fills its memory
	x "${DR[@]}" --name oom1 --memory 8m --memory-swap 8m "$IMG" sh -c 'sleep 1; x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
	local rc=$RC
	x $DOCKER inspect -f '{{.State.OOMKilled}}' oom1
	local oom
	oom=$(cat "$OUT")
	x $DOCKER rm oom1
	expect_ok
	RC=$rc
	expect_rc 137
	[ "$oom" = true ] || die "OOMKilled is $oom"
}

t_rm_paused() {
	local id
	x "${DR[@]}" -d --name p1 "$IMG" sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	id=$(cid p1)
	x $DOCKER pause p1
	expect_ok
	x -t 20 $DOCKER rm -f p1
	show
	local rc=$RC
	if [ $rc != 0 ]; then
		$DOCKER unpause p1 || true
		$DOCKER rm -f p1 || true
	fi
	RC=$rc
	expect_ok
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile freezer "$CGP/$id" "")" ] || die "cgroup left: freezer$CGP/$id"
}

t_options2() {
	x "${DR[@]}" --rm --cgroupns private --sysctl net.ipv4.ping_group_range="0 100" --oom-score-adj 500 \
		--user 1000:1000 --group-add 50 --shm-size 8m --device /dev/null:/dev/mynull --ipc shareable "$IMG" \
		sh -c 'grep -c ":/$" /proc/self/cgroup >/dev/null && echo cgroupns; cat /proc/sys/net/ipv4/ping_group_range | tr -s "\t " " "; cat /proc/self/oom_score_adj; id -u; id -G; df -k /dev/shm | awk "NR==2 { print \$2 }"; test -c /dev/mynull && echo dev'
	expect_ok
	expect_out_is "$(printf 'cgroupns\n0 100\n500\n1000\n1000 50\n8192\ndev')"
}

t_restart_policy() {
	x "${DR[@]}" -d --name rp1 --restart on-failure:2 "$IMG" sh -c 'echo run >>/tmp/n 2>/dev/null; exit 3'
	expect_ok
	wait_for 20 sh -c "[ \"\$($DOCKER inspect -f '{{.RestartCount}} {{.State.Status}}' rp1)\" = '2 exited' ]" ||
		die "rp1: $($DOCKER inspect -f '{{.RestartCount}} {{.State.Status}}' rp1)"
	x $DOCKER inspect -f '{{.State.ExitCode}}' rp1
	expect_out_is 3
	x $DOCKER rm rp1
	expect_ok
}

t_nothing_left() {
	x $DOCKER ps -aq
	expect_out_is ""
	[ -z "$(ls "$RTROOT" 2>/dev/null)" ] || die "state left in the runtime root: $(ls "$RTROOT")"
}

t "docker run --rm: stdout, stderr, exit code" t_run_rm
t "docker run -d (memory limit in the cgroup)" t_run_d
t "docker exec (-u -w -e)" t_exec
t "docker exec -t" t_exec_tty
t "docker run -i, exec -i: stdin" t_stdin
t "the container sees fds 0-2 only" t_fds
t "docker exec -d" t_exec_detach
t "docker exec of a missing command: 126" t_exec_bad_command
t "docker top (runtime ps)" t_top
t "docker stats reads the container's cgroup" t_stats
t "docker pause/unpause" t_pause
t "docker update (resources on stdin)" t_update
t "docker kill -s USR1" t_kill_signal
t "docker run --pid/--network container:" t_join_namespaces
t "docker stop" t_stop
t "docker start, restart" t_restart
t "docker run --restart on-failure:2" t_restart_policy
t "docker run -t" t_run_tty
t "docker run --read-only --tmpfs -v --pids-limit --ulimit --cap-drop --cpuset-cpus" t_options
t "docker run --privileged" t_privileged
t "docker run --cgroupns --sysctl --oom-score-adj --user --group-add --shm-size --device --ipc" t_options2
t "docker prestart hook (libnetwork-setkey)" t_prestart_hook
t "docker rm -f" t_rm_f
t "docker run --init" t_init
t "docker rm -f of a paused container" t_rm_paused
t "docker run out of memory: 137, OOMKilled" t_oom
t "docker run of a missing command: 127" t_bad_command
t "no container or state left" t_nothing_left
finish
