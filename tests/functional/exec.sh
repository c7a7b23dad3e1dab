#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# husk exec: every flag, exit statuses, errors, concurrency, namespaces,
# cgroup and seccomp of the exec'd process; CVE-2019-5736 (no write access to
# the runtime's binary through /proc/<pid>/exe) and CVE-2024-21626 (no leaked
# fds, no cwd outside the root)
. "$(dirname "$0")/lib.sh"

fd_list() { sed -n 's/^fd: \([0-9]*\) .*/\1/p' "$OUT" | tr '\n' ' ' | sed 's/ $//'; }
CAP_CHOWN=0x1 CAP_KILL=0x20 CAP_NET_BIND=0x400 CAP_AUDIT_WRITE=0x20000000
hex() { printf '%016x' $(($@)); }

# up: run the container detached with a long-running init, sets PID
up() {
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	PID=$(pid_of "$ID")
}
# down: delete it
down() { rt delete --force "$ID"; }

test_exec_cwd() {
	mkdir -p "$B/rootfs/work/dir"
	up
	rtc exec --cwd /work/dir "$ID" /payload cwd
	assert_rc 0 "exec --cwd"
	assert_out_line "cwd: /work/dir"
	# without --cwd: the config's cwd
	rtc exec "$ID" /payload cwd
	assert_out_line "cwd: /"
	rtc exec --cwd /no/such/dir "$ID" /payload cwd
	assert_rc_not0 "exec --cwd to a missing directory"
	assert_err_has "/no/such/dir"
	down
}

test_exec_env() {
	cfg 'env("KEEP=1", "OVER=old")'
	up
	rtc exec --env OVER=new --env NEW=x=y "$ID" /payload env
	assert_rc 0 "exec --env"
	assert_out_line "env: KEEP=1"
	assert_out_line "env: OVER=new"
	assert_out_line "env: NEW=x=y"
	assert_out_lacks "env: OVER=old"
	assert_out_line "env: HUSK_TEST_MARK=$MARK"
	rtc exec -e OVER=short "$ID" /payload getenv OVER
	assert_out_line "getenv: OVER=short"
	down
}

# HOME from the container's /etc/passwd when the env has none, as for the
# init (runc: /root for root, the entry's home, "/" without an entry)
test_exec_home() {
	up
	rtc exec "$ID" /payload getenv HOME
	assert_rc 0 "exec getenv HOME"
	assert_out_line "getenv: HOME=/root"
	rtc exec -u 65534 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/nonexistent"
	rtc exec -u 4242 "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/"
	rtc exec -e HOME=/mine "$ID" /payload getenv HOME
	assert_out_line "getenv: HOME=/mine"
	down
}

test_exec_user() {
	up
	rtc exec -u 1000:1001 -g 10 -g 20 "$ID" /payload ids
	assert_rc 0 "exec -u -g"
	assert_out_line "uid: 1000 1000 1000"
	assert_out_line "gid: 1001 1001 1001"
	assert_out_line "groups: 10,20"
	# uid alone: gid 0 (runc)
	rtc exec --user 7 "$ID" /payload ids
	assert_out_line "uid: 7 7 7"
	assert_out_line "gid: 0 0 0"
	rtc exec -u nobody:x "$ID" /payload ids
	assert_rc_not0 "exec -u with a name"
	is_husk && assert_err_has "nobody:x"
	down
}

test_exec_cap() {
	up
	rtc exec --cap CAP_CHOWN "$ID" /payload caps
	assert_rc 0 "exec --cap"
	all=$(hex $CAP_CHOWN + $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)
	assert_out_line "CapBnd: $all"
	assert_out_line "CapEff: $all"
	assert_out_line "CapPrm: $all"
	rtc exec "$ID" /payload caps
	assert_out_line "CapEff: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	# skipped with a warning, as runc 1.1 does (compat-exec.sh has more)
	rtc exec -c CAP_NO_SUCH "$ID" /payload caps
	assert_rc 0 "exec --cap with an unknown capability"
	assert_out_line "CapEff: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	assert_err_has CAP_NO_SUCH
	down
}

test_exec_no_new_privs() {
	cfg 'p["noNewPrivileges"] = False'
	up
	rtc exec "$ID" /payload nnp
	assert_out_line "nnp: 0"
	rtc exec --no-new-privs "$ID" /payload nnp
	assert_rc 0 "exec --no-new-privs"
	assert_out_line "nnp: 1"
	down
}

test_exec_process_file() {
	mkdir -p "$B/rootfs/pdir"
	up
	"$PY" - "$TT/process.json" <<'PY'
import json, sys
json.dump({"terminal": False, "user": {"uid": 5, "gid": 6, "additionalGids": [9]},
           "args": ["/payload", "ids", "cwd", "env", "caps", "nnp", "rlimit", "NOFILE"],
           "env": ["ONLY=this"], "cwd": "/pdir",
           "capabilities": {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                            "effective": ["CAP_KILL"]},
           "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 77, "hard": 88}],
           "noNewPrivileges": True}, open(sys.argv[1], "w"))
PY
	rtc exec --process "$TT/process.json" "$ID"
	assert_rc 0 "exec --process"
	assert_out_line "uid: 5 5 5"
	assert_out_line "gid: 6 6 6"
	assert_out_line "groups: 9"
	assert_out_line "cwd: /pdir"
	assert_out_line "env: ONLY=this"
	assert_out_lacks "HUSK_TEST_MARK"
	assert_out_line "CapBnd: $(hex $CAP_KILL)"
	assert_out_line "nnp: 1"
	# (runc 1.1 ignores rlimits in --process)
	is_husk && assert_out_line "rlimit: NOFILE 77 88"
	echo '{"args": []}' >"$TT/bad.json"
	rtc exec --process "$TT/bad.json" "$ID"
	assert_rc_not0 "exec --process with empty args"
	rtc exec --process "$TT/nosuch.json" "$ID"
	assert_rc_not0 "exec --process with a missing file"
	assert_err_has nosuch.json
	down
}

test_exec_preserve_fds() {
	up
	RC=0
	rt exec --preserve-fds 2 "$ID" /payload fds fdwrite 3 three fdwrite 4 four \
		>"$OUT" 2>"$ERR" 3>"$TT/f3" 4>"$TT/f4" 5>"$TT/f5" 6<"$TT" </dev/null || RC=$?
	assert_rc 0 "exec --preserve-fds 2"
	assert_eq "$(fd_list)" "0 1 2 3 4" "fds in the exec'd process"
	assert_eq "$(cat "$TT/f3")" three "fd 3"
	assert_eq "$(cat "$TT/f4")" four "fd 4"
	# fds the caller did not open would be the runtime's own (its state dir)
	if is_husk; then
		RC=0
		rt exec --preserve-fds 3 "$ID" /payload fds >"$OUT" 2>"$ERR" 3>"$TT/f3" </dev/null || RC=$?
		assert_rc_not0 "exec --preserve-fds past the open fds"
		assert_err_has "fd 4 is not open"
		assert_out_lacks "fd:"
	fi
	down
}

test_exec_detach_pid_file() {
	up
	rtc exec -d --pid-file "$TT/exec.pid" "$ID" /payload sleep 600
	assert_rc 0 "exec -d --pid-file"
	epid=$(cat "$TT/exec.pid")
	alive "$epid" || die "exec pid $epid not alive"
	assert_eq "$(readlink "/proc/$epid/ns/pid")" "$(readlink "/proc/$PID/ns/pid")" "pid ns of the exec"
	# it is the payload (not the runtime), and has a pid inside the namespace
	assert_eq "$(tr '\0' ' ' <"/proc/$epid/cmdline")" "/payload sleep 600 " "cmdline"
	inner=$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$epid/status")
	[ -n "$inner" ] && [ "$inner" != "$epid" ] || die "NSpid: $(grep NSpid "/proc/$epid/status")"
	rtc exec "$ID" /payload ls /proc
	assert_out_line "ls: $inner"
	# the runtime did not wait for it
	down
	assert_gone "$epid" "detached exec"
}

# recv [INPUT]: console-socket receiver on $TT/tty.sock, output in $TT/tty.out
recv() {
	"$PY" "$FT_DIR/recvtty.py" "$TT/tty.sock" "$TT/tty.out" "$@" &
	RECV=$!
	for i in $(seq 100); do
		[ -S "$TT/tty.sock" ] && return 0
		sleep 0.05
	done
	die "receiver did not start"
}
wait_recv() {
	local rc=0
	wait "$RECV" || rc=$?
	[ $rc = 0 ] || die "receiver failed ($rc): $(cat "$TT/tty.out.info" 2>/dev/null)"
	tr -d '\r' <"$TT/tty.out" >"$OUT"
}

test_exec_tty() {
	up
	# runc takes --console-socket only with --detach; husk waits if not detached
	is_husk || skip "$RT_NAME: --console-socket needs --detach"
	recv 'echo "x$((6 * 7))"; /payload isatty; exit 4
'
	RC=0
	rt exec -t --console-socket "$TT/tty.sock" "$ID" sh >"$TT/exec.out" 2>"$ERR" </dev/null || RC=$?
	assert_rc 4 "exec -t (the shell's exit status)"
	wait_recv
	grep -q "^fds 1 msg [^ ]* dev c5:2$" "$TT/tty.out.info" || die "received: $(cat "$TT/tty.out.info")"
	assert_out_line "x42"
	assert_out_line "isatty: 0 1 /dev/pts/0"
	assert_out_line "isatty: 2 1 /dev/pts/0"
	# detached
	rm -f "$TT/tty.sock"
	recv '/payload isatty; exit
'
	rtc exec -d -t --console-socket "$TT/tty.sock" "$ID" sh
	assert_rc 0 "exec -d -t"
	wait_recv
	assert_out_line "isatty: 1 1 /dev/pts/0"
	rtc exec -d -t "$ID" sh
	assert_rc_not0 "exec -d -t without --console-socket"
	down
}

test_exec_tty_proxied() {
	# -t without a console socket: the runtime holds the master and copies
	is_husk || skip "$RT_NAME needs a terminal on its stdin for -t"
	up
	RC=0
	rt exec -t "$ID" /payload isatty echo tty-proxied exit 5 >"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 5 "exec -t"
	tr -d '\r' <"$OUT" >"$OUT.n" && mv "$OUT.n" "$OUT"
	assert_out_line "isatty: 0 1 /dev/pts/0"
	assert_out_line "isatty: 1 1 /dev/pts/0"
	assert_out_line tty-proxied
	down
}

test_exec_exit_status() {
	up
	rtc exec "$ID" /payload exit 3
	assert_rc 3 "exit 3"
	rtc exec "$ID" /payload kill-self KILL
	assert_rc 137 "killed by SIGKILL"
	rtc exec "$ID" /payload kill-self TERM
	assert_rc 143 "killed by SIGTERM"
	rtc exec "$ID" sh -c 'exit 0'
	assert_rc 0 "exit 0"
	down
}

test_exec_signals() {
	# nothing blocked (the runtime blocks every signal while it sets up);
	# ignored signals are inherited, as with runc
	up
	rtc exec "$ID" /payload status Sig
	assert_rc 0 exec
	assert_out_line "SigBlk: 0000000000000000"
	# and `sh -c 'x & wait'` works (needs SIGCHLD)
	rtc exec "$ID" sh -c '(sleep 0.1; echo bg) & wait; echo done'
	assert_rc 0
	assert_out_line bg
	assert_out_line done
	down
}

test_exec_missing_binary() {
	is_husk || skip "$RT_NAME exits 255 (podman maps the message itself)"
	up
	rtc exec "$ID" no-such-binary arg
	assert_rc 127 "exec of a missing binary"
	assert_err_has 'exec failed'
	assert_err_has 'executable file not found in $PATH'
	assert_err_has 'no-such-binary'
	rtc exec "$ID" /no/such/binary
	assert_rc 127 "exec of a missing path"
	assert_err_has 'exec failed'
	assert_err_has '/no/such/binary'
	# not executable
	rtc exec "$ID" /etc/passwd
	assert_rc 126 "exec of a non-executable file"
	assert_err_has 'permission denied'
	down
}

test_exec_stopped() {
	set_args /payload exit 0
	rt run -d --bundle "$B" "$ID" </dev/null
	wait_status "$ID" stopped
	rtc exec "$ID" /payload echo hi
	assert_rc_not0 "exec into a stopped container"
	assert_err_has "cannot exec in a stopped container"
	assert_out_lacks hi
	rt delete "$ID"
	rtc exec nosuch-"$ID" /payload echo hi
	assert_rc_not0 "exec into a missing container"
	is_husk && assert_err_has "nosuch-$ID"
	true
}

test_exec_paused() {
	up
	rt pause "$ID"
	rtc exec "$ID" /payload echo hi
	assert_rc_not0 "exec into a paused container"
	assert_err_has "paused"
	assert_out_lacks hi
	# --ignore-paused: the process runs once the container resumes
	RC=0
	rt exec --ignore-paused "$ID" /payload echo resumed >"$OUT" 2>"$ERR" </dev/null &
	ep=$!
	sleep 0.5
	st=$(status_of "$ID")
	[ -s "$OUT" ] && die "the exec ran in a paused container: $(cat "$OUT")"
	if [ "$st" != paused ] || ! rt resume "$ID"; then
		# thaw our own cgroup so that the cleanup can kill what is in it
		echo THAWED >"/sys/fs/cgroup/freezer/husk-test/$CGNAME/freezer.state" || true
		wait $ep || true
		die "status $st after exec --ignore-paused, or resume failed (freezer.state FREEZING?)"
	fi
	wait $ep || RC=$?
	assert_rc 0 "exec --ignore-paused"
	assert_out_line resumed
	down
}

test_exec_concurrent() {
	up
	RC=0
	rt exec "$ID" /payload sleep 1 echo first >"$TT/a.out" 2>"$TT/a.err" </dev/null &
	a=$!
	rt exec "$ID" /payload echo second >"$TT/b.out" 2>"$TT/b.err" </dev/null || RC=$?
	[ $RC = 0 ] || die "second exec: $RC $(cat "$TT/b.err")"
	wait $a || die "first exec: $? $(cat "$TT/a.err")"
	assert_eq "$(cat "$TT/a.out")" first "first exec output"
	assert_eq "$(cat "$TT/b.out")" second "second exec output"
	# many at once
	for i in 1 2 3 4 5 6; do
		rt exec "$ID" /payload echo "n$i" >"$TT/n$i.out" 2>&1 </dev/null &
	done
	wait
	for i in 1 2 3 4 5 6; do
		assert_eq "$(cat "$TT/n$i.out")" "n$i" "parallel exec $i"
	done
	down
}

test_exec_namespaces_cgroup() {
	cfg 'ns("cgroup")'
	nss="cgroup ipc mnt net pid uts user"
	if is_husk; then
		cfg 'ns("time")'
		nss="$nss time"
	fi
	up
	rtc exec "$ID" /payload ns cgroup echo --- cat /proc/1/cgroup
	assert_rc 0 exec
	for n in $nss; do
		want=$(stat -L -c %i "/proc/$PID/ns/$n")
		assert_out_line "ns: $n $want"
	done
	sed -n '/^---$/q;/^[0-9]*:/p' "$OUT" >"$TT/exec.cg"
	sed -n '/^---$/,$p' "$OUT" | sed -n '/^[0-9]*:/p' >"$TT/init.cg"
	[ -s "$TT/init.cg" ] || die "no cgroup lines: $(cat "$OUT")"
	diff "$TT/init.cg" "$TT/exec.cg" || die "exec not in the init's cgroups"
	# and seen from the host: the same cgroup paths as the init
	rt exec -d --pid-file "$TT/p" "$ID" /payload sleep 600
	assert_eq "$(cat "/proc/$(cat "$TT/p")/cgroup")" "$(cat "/proc/$PID/cgroup")" "host view of the cgroups"
	down
}

test_exec_user_namespace() {
	cfg 'ns("user")' \
		'l["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'l["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/sys/fs/cgroup"]'
	up
	rtc exec "$ID" /payload ids ns cat /proc/self/uid_map caps
	assert_rc 0 "exec into a user namespace"
	assert_out_line "uid: 0 0 0"
	assert_out_line "ns: user $(stat -L -c %i "/proc/$PID/ns/user")"
	grep -Eq '^ +0 +100000 +65536$' "$OUT" || die "uid_map: $(cat "$OUT")"
	assert_out_line "CapEff: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	rtc exec -u 1000:1000 "$ID" /payload ids
	assert_rc 0 "exec -u into a user namespace"
	assert_out_line "uid: 1000 1000 1000"
	# seen from the host, the mapped ids
	rt exec -d --pid-file "$TT/p" -u 1000:1000 "$ID" /payload sleep 600
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$(cat "$TT/p")/status")" 101000 "host uid of the exec"
	down
}

test_exec_rlimits_from_config() {
	cfg 'p["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	up
	rtc exec "$ID" /payload rlimit NOFILE rlimit CORE
	assert_out_line "rlimit: NOFILE 100 200"
	assert_out_line "rlimit: CORE 0 0"
	down
}

test_exec_relative_paths() {
	# --pid-file, --process and --console-socket relative to the caller's cwd
	up
	"$PY" -c 'import json; json.dump({"args": ["/payload", "sleep", "600"], "cwd": "/", "user": {"uid": 0, "gid": 0}}, open("rel.json", "w"))'
	rtc exec -d --pid-file rel.pid --process rel.json "$ID"
	assert_rc 0 "exec with relative paths"
	alive "$(cat "$TT/rel.pid")" || die "no live process from rel.pid"
	down
}

test_exec_seccomp() {
	cfg 'l["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' \
		'mount("/tmp", "tmpfs", "tmpfs")'
	up
	rtc exec "$ID" /payload seccomp
	assert_out_line "Seccomp: 2"
	rtc exec "$ID" mkdir /tmp/x
	assert_rc_not0 "mkdir under the container's seccomp profile"
	assert_err_has "Operation not permitted"
	rtc exec "$ID" /payload stat /tmp/x
	assert_out_has "No such file"
	# the same without noNewPrivileges (loaded before the privilege drop)
	rtc exec --user 1000:1000 "$ID" /payload seccomp nnp
	assert_out_line "Seccomp: 2"
	down
}

test_exec_only_stdio() {
	up
	RC=0
	rt exec "$ID" /payload fds cwd >"$OUT" 2>"$ERR" 5>"$TT/five" 6<"$TT" 7< <(sleep 1) </dev/null || RC=$?
	assert_rc 0
	assert_eq "$(fd_list)" "0 1 2" "fds in the exec'd process"
	assert_out_line "cwd: /"
	down
}

test_exec_cwd_escape() {
	# CVE-2024-21626: a cwd through a leaked fd would be outside the root
	up
	for fd in 5 6 7 8 9 10 11 12; do
		RC=0
		rt exec --cwd "/proc/self/fd/$fd" "$ID" /payload cwd ls . \
			>"$OUT" 2>"$ERR" 5<"$TT" 6<"$TT" </dev/null || RC=$?
		if [ $RC = 0 ]; then
			show
			die "exec with cwd /proc/self/fd/$fd succeeded"
		fi
		assert_out_lacks "ls: b"
		assert_out_lacks "cwd:"
	done
	# preserved fds the same
	RC=0
	rt exec --preserve-fds 1 --cwd /proc/self/fd/3 "$ID" /payload cwd ls . \
		>"$OUT" 2>"$ERR" 3<"$TT" </dev/null || RC=$?
	assert_rc_not0 "exec with cwd through a preserved host directory fd"
	assert_out_lacks "ls: b"
	# --process the same
	"$PY" - "$TT/p.json" <<'PY'
import json, sys
json.dump({"args": ["/payload", "cwd", "ls", "."], "cwd": "/proc/self/fd/5",
           "user": {"uid": 0, "gid": 0}}, open(sys.argv[1], "w"))
PY
	RC=0
	rt exec --process "$TT/p.json" "$ID" >"$OUT" 2>"$ERR" 5<"$TT" </dev/null || RC=$?
	assert_rc_not0 "exec --process with cwd through a leaked fd"
	assert_out_lacks "ls: b"
	down
}

# exe_readonly PID WHAT: /proc/PID/exe is the runtime's binary (same file, not a
# copy) on a read-only mount (husk re-execs so: libcontainer/security/selfexe.c)
exe_readonly() {
	assert_eq "$(stat -L -c %d:%i "/proc/$1/exe")" "$(stat -L -c %d:%i "$RUNTIME")" "$2"
	"$PY" -c 'import os, sys; sys.exit(not os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY)' \
		"/proc/$1/exe" || die "$2: not on a read-only mount"
}

# exe_probe PID: from inside, try /proc/PID/exe for reading and writing
exe_check() {
	rtc exec "$ID" /payload stat "/proc/$1/exe" open "/proc/$1/exe" append "/proc/$1/exe"
	# (runc 1.1's sealed memfd copy may be read, never written)
	is_husk && assert_out_lacks "open: /proc/$1/exe ok"
	assert_out_lacks "append: /proc/$1/exe ok"
	assert_out_has "append: error: /proc/$1/exe"
	cat "$OUT"
}

test_exec_exe_created_init() {
	# CVE-2019-5736: the init waiting for start runs the runtime's binary
	set_args /payload echo started
	rt create --bundle "$B" "$ID" </dev/null >"$TT/init.out"
	pid=$(pid_of "$ID")
	# husk: its binary, from a read-only mount (runc 1.1: a sealed memfd copy)
	is_husk && exe_readonly "$pid" "the created init's exe"
	exe_check 1
	sz=$(stat -c %s "$RUNTIME")
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_eq "$(stat -c %s "$RUNTIME")" "$sz" "the runtime's size"
}

# CVE-2019-5736 during exec setup: a seccomp listener that stalls holds the
# exec'd process between its setup (caps dropped, in every namespace) and its
# execve; another process inside tries /proc/<pid>/exe
test_exec_exe_during_setup() {
	is_husk || skip "the stall relies on husk's listenerPath order"
	agent=$TT/agent.py
	cat >"$agent" <<'PY'
import os, socket, sys, time
path, gate = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path + ".tmp"); s.listen(0); os.rename(path + ".tmp", path)
c, _ = s.accept()          # the init's state and notify fd
socket.recv_fds(c, 65536, 4); c.close()
# fill the backlog: the next connect (the exec's) blocks until the gate opens
blocker = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); blocker.connect(path)
open(path + ".stalled", "w").close()
while not os.path.exists(gate):
    time.sleep(0.05)
s.settimeout(10)
try:
    while True:
        c, _ = s.accept(); c.close()
except OSError:
    pass
PY
	"$PY" "$agent" "$TT/l.sock" "$TT/gate" &
	ag=$!
	for i in $(seq 100); do [ -S "$TT/l.sock" ] && break; sleep 0.05; done
	cfg "l['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$TT/l.sock', 'syscalls': [{'names': ['mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
	set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; p=$(cat /tmp/go); /payload stat /proc/$p/exe open /proc/$p/exe append /proc/$p/exe status Cap > /tmp/res; touch /tmp/done; sleep 600'
	cfg 'mount("/tmp", "tmpfs", "tmpfs")'
	rt run -d --bundle "$B" "$ID" </dev/null
	PID=$(pid_of "$ID")
	for i in $(seq 100); do [ -e "$TT/l.sock.stalled" ] && break; sleep 0.05; done
	[ -e "$TT/l.sock.stalled" ] || die "agent not stalled"
	rt exec "$ID" /payload echo exec-ran >"$TT/exec.out" 2>"$TT/exec.err" </dev/null &
	ex=$!
	# the exec'd child: running the runtime's binary, in the container's pid ns
	child=
	rtexe=$(stat -L -c %d:%i "$RUNTIME")
	for i in $(seq 100); do
		for c in $(marked_pids "$MARK"); do
			[ "$(stat -L -c %d:%i "/proc/$c/exe" 2>/dev/null)" = "$rtexe" ] || continue
			[ "$(readlink "/proc/$c/ns/pid")" = "$(readlink "/proc/$PID/ns/pid")" ] || continue
			child=$c
		done
		[ -n "$child" ] && break
		sleep 0.05
	done
	[ -n "$child" ] || die "no exec child found"
	exe_readonly "$child" "the exec child's exe"
	# wait until it is blocked in the listener's connect (after its setup)
	for i in $(seq 100); do
		grep -q '^Seccomp:[[:space:]]*2' "/proc/$child/status" && break
		sleep 0.05
	done
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$child/status" || die "exec child never loaded its filter"
	inner=$(sed -n 's/^NSpid:.*[[:space:]]\([0-9]*\)$/\1/p' "/proc/$child/status")
	echo "$inner" >"/proc/$PID/root/tmp/go"
	for i in $(seq 100); do [ -e "/proc/$PID/root/tmp/done" ] && break; sleep 0.1; done
	[ -e "/proc/$PID/root/tmp/done" ] || die "the probe inside did not finish"
	cat "/proc/$PID/root/tmp/res" >"$OUT"
	touch "$TT/gate"
	wait $ex || die "exec failed: $(cat "$TT/exec.err")"
	grep -qx exec-ran "$TT/exec.out" || die "exec output: $(cat "$TT/exec.out")"
	kill $ag 2>/dev/null || true
	wait $ag 2>/dev/null || true
	assert_out_has "stat: /proc/$inner/exe"
	assert_out_lacks "open: /proc/$inner/exe ok"
	assert_out_lacks "append: /proc/$inner/exe ok"
	assert_out_has "append: error: /proc/$inner/exe"
	cat "$OUT"
	down
}

test_exec_created() {
	# runc allows exec into a created container
	set_args /payload echo init
	rt create --bundle "$B" "$ID" </dev/null >"$TT/init.out"
	rtc exec "$ID" /payload echo from-exec
	assert_rc 0 "exec into a created container"
	assert_out_line from-exec
	assert_eq "$(status_of "$ID")" created "status after exec"
	rt delete --force "$ID"
}

t "exec --cwd" test_exec_cwd
t "exec sets HOME from the container's passwd" test_exec_home
t "exec --env" test_exec_env
t "exec --user uid:gid --additional-gids" test_exec_user
t "exec --cap" test_exec_cap
t "exec --no-new-privs" test_exec_no_new_privs
t "exec --process" test_exec_process_file
t "exec --preserve-fds" test_exec_preserve_fds
t "exec --detach --pid-file" test_exec_detach_pid_file
t "exec --tty --console-socket" test_exec_tty
t "exec --tty without --console-socket" test_exec_tty_proxied
t "exec exit status" test_exec_exit_status
t "exec signal mask and dispositions" test_exec_signals
t "exec of a missing binary" test_exec_missing_binary
t "exec into a stopped container" test_exec_stopped
t "exec into a paused container, --ignore-paused" test_exec_paused
t "concurrent execs" test_exec_concurrent
t "exec in the init's namespaces and cgroup" test_exec_namespaces_cgroup
t "exec into a user namespace" test_exec_user_namespace
t "exec gets the container's rlimits" test_exec_rlimits_from_config
t "exec with relative --pid-file and --process" test_exec_relative_paths
t "exec gets the container's seccomp profile" test_exec_seccomp
t "exec into a created container" test_exec_created
t "CVE-2024-21626: only stdio, cwd in the root" test_exec_only_stdio
t "CVE-2024-21626: no cwd through a leaked fd" test_exec_cwd_escape
t "CVE-2019-5736: created init's exe not writable" test_exec_exe_created_init
t "CVE-2019-5736: exec child's exe during setup" test_exec_exe_during_setup
finish
