#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Podman 4.3 (conmon) with $RUNTIME as its OCI runtime: private store, config
# and runtime root under a temp dir (clients.md section 2).  Prints TAP.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
need podman conmon

P=$B/podman
RTROOT=$P/rtroot
mkdir -p "$P/bin" "$P/tmp" "$P/networks" "$RTROOT"
make_wrapper "$P/bin/$RT_NAME" "$RTROOT"
# the same runtime without the private root, for one scenario
make_wrapper "$P/bin/$RT_NAME-default" ""
cat >"$P/containers.conf" <<EOF
[containers]
netns = "none"
# this host lacks CAP_SYS_RESOURCE: podman's default RLIMIT_NOFILE/NPROC of 1048576 fail
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
runtime = "$RT_NAME"
runtime_supports_json = ["$RT_NAME", "$RT_NAME-default"]
[engine.runtimes]
$RT_NAME = ["$P/bin/$RT_NAME"]
$RT_NAME-default = ["$P/bin/$RT_NAME-default"]
[network]
network_config_dir = "$P/networks"
EOF
cat >"$P/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$P/root"
runroot = "$P/runroot"
EOF
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf

on_exit "podman_cleanup"
podman_cleanup() {
	timeout 60 podman rm -af -t 0
	timeout 60 podman system reset -f
	# whatever podman could not delete: the runtime's own view
	local id
	for id in "$RTROOT"/*; do
		[ ! -e "$id" ] || "$RUNTIME" --root "$RTROOT" delete --force "${id##*/}"
	done
}

# "${PR[@]}" ARGS...: podman run with our cgroup parent
PR=(podman run --cgroup-parent "$CGP")
cid() { podman inspect -f '{{.Id}}' "$1"; }
status_is() { [ "$(podman inspect -f '{{.State.Status}}' "$1")" = "$2" ]; }

build_rootfs_tar || bail "cannot build the busybox rootfs"
podman import -q --change 'CMD ["/bin/sh"]' "$B/img/busybox-rootfs.tar" "$IMG" >/dev/null ||
	bail "podman import failed"

t_run_rm() {
	x "${PR[@]}" --rm "$IMG" sh -c 'echo hello; echo oops >&2; exit 3'
	expect_rc 3
	expect_out_is hello
	expect_err oops
	x podman ps -aq
	expect_out_is ""
	[ -z "$(ls "$RTROOT")" ] || die "state left in the runtime root: $(ls "$RTROOT")"
}

t_run_d() {
	x "${PR[@]}" -d --name d1 --memory 64m "$IMG" sleep 1000
	expect_ok
	status_is d1 running || die "d1 is not running"
	local id
	id=$(cid d1)
	[ -d "$RTROOT/$id" ] || die "no state for $id in the runtime root"
	x cat "$(cgfile memory "$CGP/libpod-$id" memory.limit_in_bytes)"
	expect_out_is 67108864
	x cat "$(cgfile pids "$CGP/libpod-$id" tasks)"
	[ -s "$OUT" ] || die "no task in the pids cgroup"
}

t_exec() {
	x podman exec d1 sh -c 'echo out; echo err >&2; exit 5'
	expect_rc 5
	expect_out_is out
	expect_err err
}

t_exec_tty() {
	xt podman exec -t d1 sh -c 'tty; echo ok'
	expect_ok
	expect_out /dev/pts/
	expect_out ok
}

t_exec_user() {
	x podman exec -u nobody d1 id
	expect_ok
	expect_out "uid=65534(nobody) gid=65534(nogroup)"
	x podman exec -u 1000:1001 d1 sh -c 'id -u; id -g'
	expect_ok
	expect_out_is "$(printf '1000\n1001')"
}

t_exec_workdir_env() {
	x podman exec -w /tmp -e FOO=bar d1 sh -c 'pwd; echo $FOO'
	expect_ok
	expect_out_is "$(printf '/tmp\nbar')"
}

t_exec_bad_command() {
	x podman exec d1 /nonexistent
	show
	expect_rc 127
	expect_err "no such file or directory|executable file not found"
}

t_top() {
	x podman top d1
	expect_ok
	expect_out "sleep 1000"
}

t_stats() {
	local id
	id=$(cid d1)
	x podman stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' d1
	expect_ok
	# the 64m limit as podman reads it from the container's cgroup: 67.11MB
	expect_out "67.11MB"
	expect_out " 1"
}

t_pause() {
	local id
	id=$(cid d1)
	x podman pause d1
	expect_ok
	status_is d1 paused || die "d1 is not paused"
	x cat "$(cgfile freezer "$CGP/libpod-$id" freezer.state)"
	expect_out_is FROZEN
	x podman unpause d1
	expect_ok
	status_is d1 running || die "d1 is not running"
	x podman exec d1 true
	expect_ok
}

t_update() {
	local id
	id=$(cid d1)
	x podman update --memory 48m --cpus .5 --cpu-shares 300 d1
	expect_ok
	x cat "$(cgfile memory "$CGP/libpod-$id" memory.limit_in_bytes)" \
		"$(cgfile cpu "$CGP/libpod-$id" cpu.cfs_quota_us)" \
		"$(cgfile cpu "$CGP/libpod-$id" cpu.shares)"
	expect_out_is "$(printf '50331648\n50000\n300')"
}

t_kill_signal() {
	x "${PR[@]}" -d --name k1 "$IMG" sh -c 'trap "exit 7" USR1; while :; do sleep 0.2; done'
	expect_ok
	x podman kill -s USR1 k1
	expect_ok
	x podman wait k1
	expect_out_is 7
	x podman rm k1
	expect_ok
}

t_stop() {
	x podman stop -t 1 d1
	expect_ok
	status_is d1 exited || die "d1 is not exited"
	# sleep as pid 1 ignores SIGTERM: killed after the timeout
	x podman inspect -f '{{.State.ExitCode}}' d1
	expect_out_is 137
}

t_restart() {
	x podman start d1
	expect_ok
	status_is d1 running || die "d1 is not running after start"
	x podman restart -t 1 d1
	expect_ok
	status_is d1 running || die "d1 is not running after restart"
	x podman exec d1 echo alive
	expect_ok
	expect_out_is alive
}

t_run_tty() {
	xt podman run --rm -t --cgroup-parent "$CGP" "$IMG" sh -c 'tty; exit 4'
	expect_rc 4
	expect_out /dev/pts/0
}

t_rm_f() {
	local id
	id=$(cid d1)
	x podman rm -f -t 1 d1
	expect_ok
	x podman ps -aq
	expect_out_is ""
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile memory "$CGP/libpod-$id" "")" ] || die "cgroup left: memory$CGP/libpod-$id"
}

t_bad_command() {
	x "${PR[@]}" --rm "$IMG" /nonexistent
	show
	expect_rc 127
	expect_err "no such file or directory|executable file not found"
	x podman ps -aq
	expect_out_is ""
}

t_bad_workdir() {
	# podman itself refuses a workdir that is a file in the image; /dev/null is
	# not in the image (podman makes it a directory there), only in the
	# container: chdir fails in the runtime
	x "${PR[@]}" --rm -w /dev/null "$IMG" true
	show
	expect_rc 126
	expect_err "not a directory"
	x podman ps -aq
	expect_out_is ""
	# podman parses its --log file as exactly one JSON object, its .msg the error
	x "${PR[@]}" -d --name w1 -w /dev/null "$IMG" true
	expect_rc 126
	local log
	log=$P/runroot/overlay-containers/$(cid w1)/userdata/oci-log
	/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["msg"])' "$log" >"$B/msg" 2>&1 ||
		true
	x podman rm w1
	expect_ok
	grep -qi "not a directory" "$B/msg" || die "$log: $(cat "$B/msg")"
}

t_stdin() {
	printf 'line1\nline2\n' >"$B/in"
	xin "$B/in" "${PR[@]}" --rm -i "$IMG" sh -c 'wc -l'
	expect_ok
	expect_out_is 2
	xin "$B/in" podman exec -i d1 cat
	expect_ok
	expect_out_is "$(printf 'line1\nline2')"
}

# the container's processes see fds 0-2 only (no conmon or runtime fd): the
# shell's child sleep shows what the shell got
t_fds() {
	x "${PR[@]}" --rm "$IMG" sh -c 'sleep 10 & p=$!; echo $(ls /proc/$p/fd); kill $p'
	expect_ok
	expect_out_is "0 1 2"
	x podman exec d1 sh -c 'sleep 10 & p=$!; echo $(ls /proc/$p/fd); kill $p'
	expect_ok
	expect_out_is "0 1 2"
}

t_preserve_fds() {
	echo preserved >"$B/fd3"
	x bash -c 'exec 3<"$1"; shift; "$@"' - "$B/fd3" "${PR[@]}" --rm --preserve-fds 1 "$IMG" sh -c 'cat <&3'
	expect_ok
	expect_out_is preserved
}

t_exec_detach() {
	x podman exec -d d1 sh -c 'echo $$ >/tmp/detached; exec sleep 1000'
	expect_ok
	x podman exec d1 sh -c 'kill -0 $(cat /tmp/detached) && echo running'
	expect_ok
	expect_out_is running
}

t_privileged() {
	x "${PR[@]}" --rm --privileged "$IMG" sh -c 'test -c /dev/null && test -c /dev/tty && grep ^CapEff /proc/self/status'
	expect_ok
	expect_out "000001ff"
}

t_limits() {
	x "${PR[@]}" --rm --ulimit nofile=100:100 --ulimit nproc=500:500 --pids-limit 50 --hostname box "$IMG" sh -c 'ulimit -n; ulimit -u; hostname; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || true'
	expect_ok
	expect_out_is "$(printf '100\n500\nbox\n50')"
}

t_pid_host_stop() {
	# no own pid namespace: podman stops it with `kill --all`
	x "${PR[@]}" -d --name h1 --pid host "$IMG" sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	status_is h1 running || die "h1 is not running"
	x podman stop -t 1 h1
	expect_ok
	status_is h1 exited || die "h1 is not exited"
	grep -q "kill --all $(cid h1)" "$B/runtime.log" || die "no kill --all call"
	x podman rm h1
	expect_ok
}

# podman passes no --root: with the runtime's own default root (husk:
# /run/husk, runc: /run/runc) conmon's and podman's calls must agree on it
t_default_root() {
	local root id
	root=$("$RUNTIME" --help 2>&1 | sed -n 's/.*--root.*(default: "\{0,1\}\([^")]*\)"\{0,1\}).*/\1/p' | head -n1)
	[ -n "$root" ] || die "no default root in \`$RT_NAME --help\`"
	x "${PR[@]}" -d --runtime "$RT_NAME-default" --name r1 "$IMG" sleep 1000
	expect_ok
	id=$(cid r1)
	[ -d "$root/$id" ] || die "no state in $root/$id"
	x podman exec r1 echo alive
	expect_ok
	expect_out_is alive
	x podman rm -f -t 0 r1
	expect_ok
	[ ! -e "$root/$id" ] || die "state left: $root/$id"
}

t_uidmap() {
	x "${PR[@]}" --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" sh -c 'cat /proc/self/uid_map; id -u; touch /tmp/x && echo writable'
	expect_ok
	[ "$(head -n1 "$OUT" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ] || die "uid_map"
	expect_out writable
}

t_join_namespaces() {
	x "${PR[@]}" --rm --pid container:d1 --ipc container:d1 --uts container:d1 "$IMG" sh -c 'ps -o args | grep -c "^sleep 1000"; hostname'
	expect_ok
	expect_out_is "$(printf '1\n%s' "$(podman inspect -f '{{.Config.Hostname}}' d1)")"
}

t_oom() {
	x "${PR[@]}" --name oom1 --memory 8m --memory-swap 8m "$IMG" sh -c 'x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
	local rc=$RC
	# (conmon does not report OOMKilled here, with runc either)
	x podman rm oom1
	expect_ok
	RC=$rc
	expect_rc 137
}

t_security_opts() {
	x "${PR[@]}" --rm --cap-drop all --cap-add net_raw --security-opt no-new-privileges --read-only --tmpfs /scratch \
		-v clientsvol:/vol "$IMG" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; touch /vol/x /scratch/y && echo ok'
	expect_ok
	expect_out_is "$(printf 'CapEff:\t0000000000002000\nNoNewPrivs:\t1\nok')"
	x podman volume rm clientsvol
	expect_ok
}

t_rm_paused() {
	local id
	x "${PR[@]}" -d --name p1 "$IMG" sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	id=$(cid p1)
	x podman pause p1
	expect_ok
	x podman rm -f -t 0 p1
	show
	expect_ok
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile freezer "$CGP/libpod-$id" "")" ] || die "cgroup left: freezer$CGP/libpod-$id"
}

t_kill_paused() {
	local id
	x "${PR[@]}" -d --name p2 "$IMG" sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	id=$(cid p2)
	x podman pause p2
	expect_ok
	# `kill ID 9`: runc thaws the cgroup after SIGKILL to a paused init, so it dies
	x -t 30 podman kill p2
	local rc=$RC
	cp "$ERR" "$B/kill.err"
	x podman inspect -f '{{.State.Status}}' p2
	local st
	st=$(cat "$OUT")
	x -t 30 podman rm -f -t 0 p2
	expect_ok
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	RC=$rc
	cat "$B/kill.err"
	expect_ok
	[ "$st" = exited ] || die "p2 is $st after kill"
}

t_more_resources() {
	local id
	x "${PR[@]}" -d --name b1 --blkio-weight 300 --memory 64m --memory-reservation 32m --memory-swappiness 10 \
		--cpuset-cpus 0 --cpuset-mems 0 --cpu-period 50000 --cpu-quota 25000 "$IMG" sleep 1000
	expect_ok
	id=$(cid b1)
	x podman update --blkio-weight 200 b1
	local urc=$RC
	# a blkio weight needs BFQ (or CFQ before 5.0); without it the kernel has no
	# weight file and the update fails, with runc as with husk (both write the
	# file): then the failure is what is expected
	local wf has_weight=0
	for wf in "$(cgfile blkio "$CGP/libpod-$id" blkio.weight)" \
		"$(cgfile blkio "$CGP/libpod-$id" blkio.bfq.weight)"; do
		[ -e "$wf" ] && has_weight=1
	done
	if [ $has_weight = 0 ]; then
		echo "# no blkio weight file on this host (no BFQ): the update must fail"
		[ "$urc" != 0 ] || die "podman update --blkio-weight succeeded on a host without a weight file"
		urc=0
	fi
	x cat "$(cgfile memory "$CGP/libpod-$id" memory.soft_limit_in_bytes)" \
		"$(cgfile memory "$CGP/libpod-$id" memory.swappiness)" \
		"$(cgfile cpuset "$CGP/libpod-$id" cpuset.cpus)" \
		"$(cgfile cpu "$CGP/libpod-$id" cpu.cfs_period_us)" \
		"$(cgfile cpu "$CGP/libpod-$id" cpu.cfs_quota_us)"
	local out
	out=$(cat "$OUT")
	x podman rm -f -t 0 b1
	expect_ok
	RC=$urc
	expect_ok
	[ "$out" = "$(printf '33554432\n10\n0\n50000\n25000')" ] || die "cgroup values: $out"
}

# typed input reaches the shell through conmon and the pty master the runtime sent
t_interactive_tty() {
	printf 'echo typed-$((6*7))\nexit 5\n' >"$B/typed"
	xt -i "$B/typed" podman exec -it d1 sh
	expect_rc 5
	expect_out typed-42
	xt -i "$B/typed" "${PR[@]}" --rm -it "$IMG" sh
	expect_rc 5
	expect_out typed-42
}

t_more_options() {
	x "${PR[@]}" --rm --cgroupns private --security-opt seccomp=unconfined \
		--tmpfs /scratch:exec,mode=1777 --sysctl kernel.msgmax=4096 --ipc private --uts private "$IMG" \
		sh -c 'grep -c ":/$" /proc/self/cgroup >/dev/null && echo cgroupns; grep ^Seccomp: /proc/self/status; stat -c %a /scratch; cat /proc/sys/kernel/msgmax'
	expect_ok
	expect_out_is "$(printf 'cgroupns\nSeccomp:\t0\n1777\n4096')"
}

t_info() {
	x podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}'
	expect_ok
	expect_out "$RT_NAME $RT_NAME version "
}

# a program that fails after a good create: the file is executable, so
# create's lookup passes, and execve fails ("exec format error").  husk's
# start reports it (exit 1, podman exits 126); runc's start has returned
# already, so with runc the container exits 1.  Either way podman reports the
# error, cleans up with `delete --force`, and nothing is left.
t_start_fails() {
	local id
	printf 'not a program\n' >"$P/badexec"
	chmod 755 "$P/badexec"
	x "${PR[@]}" --name sf1 -v "$P/badexec:/badexec:ro" "$IMG" /badexec
	show
	[ "$RC" != 0 ] || die "podman run succeeded"
	expect_err "exec format error"
	id=$(cid sf1)
	[ -n "$id" ] || die "podman forgot sf1"
	# podman's cleanup (conmon's exit command) may delete after `podman run`
	# returned: wait for it, 10 s at most
	for _ in $(seq 100); do
		[ -e "$RTROOT/$id" ] || break
		sleep 0.1
	done
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile memory "$CGP/libpod-$id" "")" ] || die "cgroup left: memory$CGP/libpod-$id"
	x podman rm sf1
	expect_ok
	x podman ps -aq
	expect_out_is ""
}

# podman init runs the runtime's create only: a created container, which
# podman rm then deletes
t_init_rm() {
	local id
	x podman create --cgroup-parent "$CGP" --name ir1 "$IMG" sleep 60
	expect_ok
	x podman init ir1
	expect_ok
	id=$(cid ir1)
	[ -d "$RTROOT/$id" ] || die "no state for $id in the runtime root"
	x podman rm ir1
	show
	expect_ok
	[ ! -e "$RTROOT/$id" ] || die "state left: $RTROOT/$id"
	[ ! -d "$(cgfile memory "$CGP/libpod-$id" "")" ] || die "cgroup left: memory$CGP/libpod-$id"
	x podman ps -aq
	expect_out_is ""
}

t_nothing_left() {
	x podman ps -aq
	expect_out_is ""
	[ -z "$(ls "$RTROOT")" ] || die "state left in the runtime root: $(ls "$RTROOT")"
}

t "podman info: the runtime's --version" t_info
t "podman run --rm: stdout, stderr, exit code" t_run_rm
t "podman run -d (memory limit in the cgroup)" t_run_d
t "podman exec: stdout, stderr, exit code" t_exec
t "podman exec -t" t_exec_tty
t "podman exec -u" t_exec_user
t "podman exec -w -e" t_exec_workdir_env
t "podman exec of a missing command: 127" t_exec_bad_command
t "podman top" t_top
t "podman stats reads the container's cgroup" t_stats
t "podman pause/unpause" t_pause
t "podman update --memory --cpus --cpu-shares" t_update
t "podman run --blkio-weight --memory-reservation --memory-swappiness --cpuset-* --cpu-period/quota, update --blkio-weight" t_more_resources
t "podman kill -s USR1" t_kill_signal
t "podman run --pid/--ipc/--uts container:" t_join_namespaces
t "podman stop" t_stop
t "podman start, restart" t_restart
t "podman run -t" t_run_tty
t "podman exec -it, run -it: typed input" t_interactive_tty
t "podman run --cgroupns --security-opt --tmpfs --sysctl --ipc --uts" t_more_options
t "podman run -i, exec -i: stdin" t_stdin
t "the container sees fds 0-2 only" t_fds
t "podman run --preserve-fds" t_preserve_fds
t "podman exec -d" t_exec_detach
t "podman run --privileged" t_privileged
t "podman run --ulimit --pids-limit --hostname" t_limits
t "podman stop of a --pid host container (kill --all)" t_pid_host_stop
t "podman rm -f" t_rm_f
t "podman run --uidmap --gidmap" t_uidmap
t "podman rm -f of a paused container" t_rm_paused
t "podman kill of a paused container" t_kill_paused
t "podman run out of memory: 137" t_oom
t "podman run --cap-drop --cap-add --security-opt no-new-privileges --read-only -v" t_security_opts
t "podman run of a missing command: 127" t_bad_command
t "podman run with a bad working dir: 126" t_bad_workdir
t "the runtime's default root (no --root)" t_default_root
t "podman run whose program cannot be executed: error reported, nothing left" t_start_fails
t "podman init, then rm: the created container is deleted" t_init_rm
t "no container or state left" t_nothing_left
finish
