#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# containerd 1.6 + ctr + the io.containerd.runc.v2 shim with $RUNTIME as the
# shim's `runc` (a wrapper linked as runc in containerd's opt/bin, which the
# shim puts first in PATH: clients.md section 3).  A private containerd
# (root, state, sockets under a temp dir).  Prints TAP.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
need containerd ctr containerd-shim-runc-v2 skopeo umoci

C=$B/containerd
RTROOT=$C/rtroot
NS=husktest
mkdir -p "$C/opt/bin" "$C/fifo" "$RTROOT"
make_wrapper "$C/opt/bin/runc" ""

build_rootfs_tar || bail "cannot build the busybox rootfs"
build_archive oci || bail "cannot build the OCI archive (umoci, skopeo)"
start_containerd "$C" || bail "containerd did not start"
on_exit ctr_cleanup
ctr_cleanup() {
	local c
	for c in $(ctr -n $NS containers ls -q); do
		timeout 30 ctr -n $NS tasks resume "$c"
		timeout 30 ctr -n $NS tasks kill -a -s SIGKILL "$c"
		timeout 30 ctr -n $NS tasks rm -f "$c"
		timeout 30 ctr -n $NS containers rm "$c"
	done
	timeout 30 ctr -n $NS images rm "$IMG"
	for c in "$RTROOT/$NS"/*; do
		[ ! -e "$c" ] || "$RUNTIME" --root "$RTROOT/$NS" delete --force "${c##*/}"
	done
	# the shim unmounts the rootfs at task delete; anything left is ours
	grep -o " $C/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
}

ctr -n $NS images import -q "$B/img/busybox-oci.tar" >/dev/null 2>&1 ||
	ctr -n $NS images import "$B/img/busybox-oci.tar" >/dev/null || bail "ctr images import failed"

# "${CR[@]}" ARGS... IMAGE ID CMD...: ctr run with the runtime root, fifo dir and cgroup in $B
cr() { CR=(ctr -n "$NS" run --runc-root "$RTROOT" --fifo-dir "$C/fifo" --cgroup "$CGP/$1"); }
task_status() { ctr -n $NS tasks ls | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { ctr -n $NS tasks ls | awk -v id="$1" '$1 == id { print $2 }'; }
status_is() { [ "$(task_status "$1")" = "$2" ]; }

t_run_rm() {
	cr c1
	x "${CR[@]}" --rm "$IMG" c1 sh -c 'echo hello; echo oops >&2; exit 3'
	expect_rc 3
	expect_out_is hello
	expect_err oops
	x ctr -n $NS containers ls -q
	expect_out_is ""
	[ -z "$(ls "$RTROOT/$NS")" ] || die "state left in the runtime root"
}

t_run_d() {
	cr c2
	x "${CR[@]}" -d --memory-limit 67108864 "$IMG" c2 sleep 1000
	expect_ok
	wait_for 10 status_is c2 RUNNING || die "c2 is not RUNNING: $(task_status c2)"
	[ -d "$RTROOT/$NS/c2" ] || die "no state for c2 in the runtime root"
	x cat "$(cgfile memory "$CGP/c2" memory.limit_in_bytes)" "$(cgfile pids "$CGP/c2" cgroup.procs)"
	expect_out_is "$(printf '67108864\n%s' "$(task_pid c2)")"
}

t_exec() {
	x ctr -n $NS tasks exec --exec-id e1 c2 sh -c 'echo out; echo err >&2; exit 5'
	expect_rc 5
	expect_out_is out
	expect_err err
	x ctr -n $NS tasks exec --exec-id e2 --cwd /tmp c2 pwd
	expect_ok
	expect_out_is /tmp
}

t_exec_tty() {
	xt ctr -n $NS tasks exec -t --exec-id e3 c2 sh -c 'tty; exit 6'
	expect_rc 6
	expect_out /dev/pts/
}

t_ps() {
	x ctr -n $NS tasks ps c2
	expect_ok
	expect_out "$(task_pid c2)"
}

t_metrics() {
	x ctr -n $NS tasks metrics c2
	expect_ok
	[ "$(awk '$1 == "memory.limit_in_bytes" { print $2 }' "$OUT")" = 67108864 ] ||
		die "no memory limit in the metrics"
	[ "$(awk '$1 == "pids.current" { print $2 }' "$OUT")" = 1 ] || die "pids.current is not 1"
}

t_pause() {
	x ctr -n $NS tasks pause c2
	expect_ok
	status_is c2 PAUSED || die "c2 is $(task_status c2)"
	x cat "$(cgfile freezer "$CGP/c2" freezer.state)"
	expect_out_is FROZEN
	x ctr -n $NS tasks resume c2
	expect_ok
	status_is c2 RUNNING || die "c2 is $(task_status c2)"
	x ctr -n $NS tasks exec --exec-id e4 c2 true
	expect_ok
}

t_kill() {
	x ctr -n $NS tasks kill -s SIGKILL c2
	expect_ok
	wait_for 10 status_is c2 STOPPED || die "c2 is $(task_status c2)"
	# a second kill: the runtime says `container not running`, the shim maps it
	x ctr -n $NS tasks kill -s SIGKILL c2
	expect_rc 1
	expect_err "process already finished|not found"
}

t_delete() {
	x ctr -n $NS tasks delete c2
	expect_ok
	expect_err "exit code 137"
	x ctr -n $NS containers delete c2
	expect_ok
	[ ! -e "$RTROOT/$NS/c2" ] || die "state left: $RTROOT/$NS/c2"
	[ ! -d "$(cgfile memory "$CGP/c2" "")" ] || die "cgroup left: memory$CGP/c2"
}

t_rm_force() {
	cr c3
	x "${CR[@]}" -d "$IMG" c3 sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	wait_for 10 status_is c3 RUNNING || die "c3 is not RUNNING"
	x ctr -n $NS tasks rm -f c3
	expect_ok
	x ctr -n $NS containers rm c3
	expect_ok
	[ ! -e "$RTROOT/$NS/c3" ] || die "state left: $RTROOT/$NS/c3"
}

# a create that fails inside the runtime: its own message must reach ctr through the
# JSON --log file (else: "unable to retrieve OCI runtime error")
t_create_fails() {
	cr c4
	x "${CR[@]}" --rm --cwd /etc/passwd "$IMG" c4 true
	expect_rc 1
	show
	expect_err "OCI runtime create failed: .*not a directory"
	! grep -q "unable to retrieve OCI runtime error" "$ERR" || die "the runtime's error was lost"
	x ctr -n $NS containers ls -q
	expect_no_out c4
	[ ! -e "$RTROOT/$NS/c4" ] || die "state left in the runtime root"
}

t_bad_command() {
	cr c5
	x "${CR[@]}" --rm "$IMG" c5 /nonexistent
	expect_rc 1
	show
	expect_err "OCI runtime create failed: .*/nonexistent.*no such file or directory"
	x ctr -n $NS containers ls -q
	expect_no_out c5
}

# a program that fails after a good create (executable, so create's lookup
# passes; execve fails: "exec format error").  husk's start reports it and the
# shim, whose task is still "created" then, deletes it with a plain `delete`
# (no --force); runc's start has returned already, the task exits 1.  Either
# way ctr reports the error and nothing is left.
t_start_fails() {
	printf 'not a program\n' >"$C/badexec"
	chmod 755 "$C/badexec"
	cr c15
	x "${CR[@]}" --rm --mount "type=bind,src=$C/badexec,dst=/badexec,options=rbind:ro" \
		"$IMG" c15 /badexec
	show
	[ "$RC" != 0 ] || die "ctr run succeeded"
	expect_err "exec format error"
	x ctr -n $NS containers ls -q
	expect_no_out c15
	[ ! -e "$RTROOT/$NS/c15" ] || die "state left in the runtime root"
	[ ! -d "$(cgfile memory "$CGP/c15" "")" ] || die "cgroup left: memory$CGP/c15"
}

t_run_tty() {
	cr c6
	xt "${CR[@]}" --rm -t "$IMG" c6 sh -c 'tty; exit 4'
	expect_rc 4
	expect_out /dev/pts/0
}

# the shim's create leaks its listening socket as fd 3 to the runtime: the
# container's processes must see fds 0-2 only (the shell's child sleep shows
# what the shell got)
t_fds() {
	cr c8
	x "${CR[@]}" --rm "$IMG" c8 sh -c 'sleep 10 & p=$!; echo $(ls /proc/$p/fd); kill $p'
	expect_ok
	expect_out_is "0 1 2"
}

# the shim reads --log after every failed call, so it must exist; on success it is empty
t_log_json() {
	local f=$C/state/io.containerd.runtime.v2.task/$NS/c2/log.json
	[ -f "$f" ] || die "no $f"
	[ ! -s "$f" ] || die "$f is not empty: $(head -c 300 "$f")"
}

t_seccomp_privileged() {
	cr c9
	x "${CR[@]}" --rm --seccomp "$IMG" c9 grep -E '^Seccomp:' /proc/self/status
	expect_ok
	expect_out_is "$(printf 'Seccomp:\t2')"
	cr c10
	x "${CR[@]}" --rm --privileged "$IMG" c10 sh -c 'test -c /dev/null && test -c /dev/tty && grep ^CapEff /proc/self/status'
	expect_ok
	expect_out "000001ff"
}

t_kill_all() {
	cr c11
	x "${CR[@]}" -d "$IMG" c11 sh -c 'sleep 1000 & sleep 1000 & wait'
	expect_ok
	wait_for 10 status_is c11 RUNNING || die "c11 is not RUNNING"
	x ctr -n $NS tasks kill -a -s SIGKILL c11
	expect_ok
	wait_for 10 status_is c11 STOPPED || die "c11 is $(task_status c11)"
	x cat "$(cgfile pids "$CGP/c11" cgroup.procs)"
	expect_out_is ""
	x ctr -n $NS tasks delete c11
	expect_ok
	x ctr -n $NS containers delete c11
	expect_ok
}

t_paused() {
	cr c13
	x "${CR[@]}" -d "$IMG" c13 sh -c 'sleep 1000 & sleep 1000'
	expect_ok
	wait_for 10 status_is c13 RUNNING || die "c13 is not RUNNING"
	x ctr -n $NS tasks pause c13
	expect_ok
	# refused by the shim, not the runtime
	x ctr -n $NS tasks exec --exec-id e5 c13 true
	expect_rc 1
	expect_err "cannot exec in a paused state"
	# kill --all, then waits for the exit: runc thaws the cgroup after
	# signalling every process (even one that was paused), so they die
	x -t 15 ctr -n $NS tasks rm -f c13
	local rc=$RC
	if [ $rc != 0 ]; then
		ctr -n $NS tasks resume c13 || true
		ctr -n $NS tasks rm -f c13 || true
	fi
	x ctr -n $NS containers rm c13
	RC=$rc
	expect_ok
	[ ! -e "$RTROOT/$NS/c13" ] || die "state left: $RTROOT/$NS/c13"
	[ ! -d "$(cgfile freezer "$CGP/c13" "")" ] || die "cgroup left: freezer$CGP/c13"
}

t_options() {
	mkdir -p "$C/vol"
	echo data >"$C/vol/f"
	cr c14
	x "${CR[@]}" --rm --env FOO=bar --read-only --mount "type=bind,src=$C/vol,dst=/vol,options=rbind:ro" \
		"$IMG" c14 sh -c 'echo $FOO; cat /vol/f; touch /x 2>/dev/null || echo ro; touch /vol/y 2>/dev/null || echo ro'
	expect_ok
	expect_out_is "$(printf 'bar\ndata\nro\nro')"
}

t_nothing_left() {
	x ctr -n $NS containers ls -q
	expect_out_is ""
	[ -z "$(ls "$RTROOT/$NS")" ] || die "state left in the runtime root: $(ls "$RTROOT/$NS")"
	! grep -q " $C/" /proc/self/mountinfo || die "mounts left under $C"
}

t "ctr run --rm: stdout, stderr, exit code" t_run_rm
t "ctr run -d (memory limit in the cgroup)" t_run_d
t "ctr tasks exec" t_exec
t "ctr tasks exec -t" t_exec_tty
t "the --log file exists and stays empty on success" t_log_json
t "ctr tasks ps" t_ps
t "ctr tasks metrics reads the container's cgroup" t_metrics
t "ctr tasks pause/resume" t_pause
t "ctr tasks kill" t_kill
t "ctr tasks delete" t_delete
t "ctr tasks rm -f of a running task" t_rm_force
t "a failing create: the runtime's error reaches ctr" t_create_fails
t "ctr run of a missing command" t_bad_command
t "ctr run whose program cannot be executed: error reported, nothing left" t_start_fails
t "ctr run -t" t_run_tty
t "the container sees fds 0-2 only" t_fds
t "ctr run --seccomp, --privileged" t_seccomp_privileged
t "ctr tasks kill -a" t_kill_all
t "ctr run --env --read-only --mount" t_options
t "ctr tasks rm -f of a paused task (kill --all)" t_paused
t "no container, state or mount left" t_nothing_left
finish
