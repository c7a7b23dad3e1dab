#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp seen from inside the container: errno, kill, argument
# filters, a profile that blocks what the runtime itself needs, Docker's
# default profile shape, seccomp without noNewPrivileges, SCMP_ACT_NOTIFY
# with a listener
. "$(dirname "$0")/lib.sh"

AGENT=${SECCOMP_AGENT:-$BUILD_DIR/tests/unit/seccomp-agent}

# scmp JSON [STMT...]: set linux.seccomp (a python expression), /tmp a tmpfs
scmp() {
	local prof=$1
	shift
	cfg "l['seccomp'] = $prof" 'mount("/tmp", "tmpfs", "tmpfs")' "$@"
}

# The runtime blocks every signal around the clone; the caller's mask comes
# back before the filter is loaded, so that a profile denying rt_sigprocmask
# cannot leave the program with every signal blocked (the init always did
# this; exec restored the mask after the filter)
test_sigmask_before_filter() {
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["rt_sigprocmask", "sigprocmask"], "action": "SCMP_ACT_ERRNO"}]}'
	runp status SigBlk
	assert_out_line "SigBlk: 0000000000000000"
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	rtc exec "$ID" /payload status SigBlk
	assert_rc 0 exec
	assert_out_line "SigBlk: 0000000000000000"
	rt delete --force "$ID"
}

test_errno() {
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		{"names": ["chmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	runp_rc seccomp mkdir /tmp/d write /tmp/f stat /tmp/d
	assert_rc 1 "payload with failing subcommands"
	assert_out_line "Seccomp: 2"
	assert_out_line "mkdir: error: /tmp/d: Operation not permitted"
	assert_out_line "write: /tmp/f ok"
	assert_out_has "stat: error: /tmp/d: No such file"
	# busybox's own message, and a custom errno (EACCES)
	set_args sh -c 'mkdir /tmp/x; echo "mkdir=$?"; touch /tmp/f; chmod 600 /tmp/f; echo "chmod=$?"'
	rtc run --bundle "$B" "$ID"
	assert_out_line "mkdir=1"
	assert_out_line "chmod=1"
	assert_err_has "Operation not permitted"
	assert_err_has "Permission denied"
}

test_errno_default() {
	# errnoRet absent: EPERM (runc)
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	runp_rc mkdir /tmp/d
	assert_out_line "mkdir: error: /tmp/d: Operation not permitted"
}

test_kill() {
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}'
	runp_rc echo before mkdir /tmp/d echo after
	assert_rc $((128 + 31)) "killed by SIGSYS"
	assert_out_line before
	assert_out_lacks after
	# SCMP_ACT_KILL_PROCESS the same
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	runp_rc echo before mkdir /tmp/d echo after
	assert_rc $((128 + 31)) "killed by SIGSYS (KILL_PROCESS)"
	assert_out_lacks after
}

test_arg_filter() {
	# socket(AF_INET, ...) fails, AF_UNIX and AF_INET6 work
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97, "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}'
	runp_rc socket unix socket inet socket inet6
	assert_out_line "socket: unix ok"
	assert_out_line "socket: inet6 ok"
	assert_out_line "socket: error: inet: Address family not supported by protocol"
	# a masked compare: openat with O_CREAT (0100) fails, plain opens work
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["openat", "open", "creat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30, "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	runp_rc cat /etc/passwd write /tmp/new
	assert_out_line "write: error: /tmp/new: Read-only file system"
	assert_out_lacks "cat: error"
}

test_runtime_setup_unaffected() {
	# the profile is for the user's process: the runtime's mounts, the mount
	# points and the cwd it creates, its chmod/chown still happen
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "fchownat", "lchown", "mount", "umount2", "pivot_root", "symlink", "symlinkat", "mknod", "mknodat", "sethostname", "setns", "unshare", "chroot", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "mount_setattr", "setgroups", "setresuid", "setresgid", "setuid", "setgid", "capset", "prctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' \
		'c["root"]["readonly"] = False' 'p["cwd"] = "/new/cwd"' 'c["hostname"] = "scmp-host"' \
		'mount("/newmnt/deep", "tmpfs", "tmpfs", ["mode=0711"])' \
		'p["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}'
	runp_rc cwd hostname ids mounts stat /newmnt/deep mkdir /tmp/d
	assert_out_line "cwd: /new/cwd"
	assert_out_line "hostname: scmp-host"
	assert_out_line "uid: 1000 1000 1000"
	assert_out_line "groups: 5"
	grep -q " /newmnt/deep [^ ]*.* - tmpfs " "$OUT" || die "no tmpfs on /newmnt/deep: $(cat "$OUT")"
	grep -q " /dev/pts [^ ]*.* - devpts " "$OUT" || die "no devpts"
	assert_out_has "stat: /newmnt/deep d 0711 "
	assert_out_line "mkdir: error: /tmp/d: Operation not permitted"
}

# docker_profile FILE: Docker's default profile's shape: ERRNO by default
# (podman: defaultErrnoRet 38 = ENOSYS), a big allow list naming syscalls
# this libseccomp may not know, argument rules on personality and clone
docker_profile() {
	"$PY" - "$1" <<'PY'
import json, re, sys
names = set()
for h in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h",
          "/usr/include/aarch64-linux-gnu/asm/unistd.h", "/usr/include/asm-generic/unistd.h"):
    try:
        names |= set(re.findall(r"#define __NR_(\w+)\s+\d+", open(h).read()))
    except OSError:
        pass
deny = {"mount", "umount2", "reboot", "kexec_load", "kexec_file_load", "init_module",
        "finit_module", "delete_module", "ptrace", "personality", "clone", "clone3",
        "pivot_root", "swapon", "swapoff", "acct", "settimeofday", "clock_settime",
        "open_tree", "move_mount", "fsopen", "fsmount", "fsconfig", "fspick", "unshare",
        "setns", "bpf", "perf_event_open", "syslog", "quotactl", "mkdirat", "mkdir"}
allow = sorted(n for n in names if n not in deny) + ["a_future_syscall_xyz", "io_pgetevents_time64"]
prof = {
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [
        {"names": allow, "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
    ],
}
with open(sys.argv[1]) as f:
    c = json.load(f)
c["linux"]["seccomp"] = prof
c["process"]["capabilities"] = {k: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
    "CAP_SYS_CHROOT"] for k in ("bounding", "effective", "permitted")}
with open(sys.argv[1], "w") as f:
    json.dump(c, f)
PY
}

test_docker_profile() {
	docker_profile "$B/config.json"
	cfg 'mount("/tmp", "tmpfs", "tmpfs")'
	set_args sh -c 'echo start; ls / >/dev/null && echo ls-ok; x=$(echo sub); echo "$x"; (sleep 0.1; echo bg) & wait; /payload personality ids seccomp; mount -t tmpfs t /mnt; echo "mount=$?"; mkdir /tmp/x; echo "mkdir=$?"; echo end'
	# (create and start: `run` starts its process with every signal blocked,
	# which hangs the shell's `wait`; a bug of its own)
	RC=0
	rt create --bundle "$B" "$ID" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 0 "create under the docker profile"
	rt start "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	for l in start ls-ok sub bg "personality: 0x0 LINUX" "Seccomp: 2" "mount=255" "mkdir=1" end; do
		assert_out_line "$l"
	done
	# the default errno is ENOSYS
	assert_err_has "Function not implemented"
	assert_err_has "Operation not permitted"
	# the same for an exec'd shell
	set_args /payload sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null
	rtc exec "$ID" sh -c 'echo exec-shell; mount -t tmpfs t /mnt; echo "mount=$?"'
	assert_rc 0 "exec under the docker profile"
	assert_out_line exec-shell
	assert_out_line "mount=255"
	rt delete --force "$ID"
}

test_without_nnp() {
	# without noNewPrivileges the filter needs CAP_SYS_ADMIN: it is loaded
	# before the drop to an unprivileged user
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' \
		'p["noNewPrivileges"] = False' 'p["user"] = {"uid": 1000, "gid": 1000}' \
		'p["capabilities"] = {"bounding": ["CAP_KILL"]}'
	runp_rc nnp seccomp ids mkdir /tmp/d
	assert_out_line "nnp: 0"
	assert_out_line "Seccomp: 2"
	assert_out_line "uid: 1000 1000 1000"
	assert_out_line "mkdir: error: /tmp/d: Operation not permitted"
	# and as root
	cfg 'p["user"] = {"uid": 0, "gid": 0}'
	runp_rc nnp seccomp mkdir /tmp/d
	assert_out_line "nnp: 0"
	assert_out_line "mkdir: error: /tmp/d: Operation not permitted"
}

# agent: start the seccomp agent on $TT/agent.sock, states in $TT/states
agent() {
	[ -x "$AGENT" ] || skip "no seccomp agent at $AGENT"
	"$AGENT" "$TT/agent.sock" "$TT/states" >"$TT/agent.out" 2>"$TT/agent.err" &
	AGENT_PID=$!
	for i in $(seq 100); do
		grep -q ready "$TT/agent.out" 2>/dev/null && return 0
		sleep 0.05
	done
	die "agent did not start: $(cat "$TT/agent.err")"
}
agent_stop() {
	kill "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
}

test_notify() {
	is_husk || skip "$RT_NAME: exec under SCMP_ACT_NOTIFY hangs in runc 1.1"
	agent
	scmp "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$TT/agent.sock', 'listenerMetadata': 'meta-$MARK', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}, {'names': ['rmdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}]}"
	set_args /payload mkdir /tmp/n stat /tmp/n seccomp sleep 600
	rt run -d --bundle "$B" "$ID" </dev/null >"$OUT" 2>"$ERR"
	pid=$(pid_of "$ID")
	for i in $(seq 100); do grep -q '^Seccomp' "$OUT" && break; sleep 0.05; done
	assert_out_line "mkdir: /tmp/n ok"
	assert_out_has "stat: error: /tmp/n: No such file"
	assert_out_line "Seccomp: 2"
	[ -s "$TT/states" ] || die "the agent received no state"
	"$PY" - "$TT/states" "$ID" "$pid" "meta-$MARK" "$B" <<'PY' || die "state: $(cat "$TT/states")"
import json, sys
path, cid, pid, meta, bundle = sys.argv[1:]
s = json.loads(open(path).readline())
assert s["ociVersion"], s
assert s["fds"] == ["seccompFd"], s["fds"]
assert s["pid"] == int(pid), (s["pid"], pid)
assert s["metadata"] == meta, s["metadata"]
st = s["state"]
assert st["id"] == cid and st["pid"] == int(pid), st
assert st["bundle"] == bundle, st["bundle"]
assert st["status"] in ("creating", "created", "running"), st["status"]
PY
	# an exec'd process: its own notify fd, a second state
	rtc exec "$ID" sh -c 'mkdir /tmp/e && echo "made=$?"; ls /tmp; rmdir /tmp; echo "rmdir=$?"'
	assert_rc 0 "exec under SCMP_ACT_NOTIFY"
	assert_out_line "made=0"
	! grep -qx e "$OUT" || die "mkdir under NOTIFY had an effect"
	assert_out_line "rmdir=1"
	n=$(wc -l <"$TT/states")
	assert_eq "$n" 2 "states received"
	rt delete --force "$ID"
	agent_stop
}

test_notify_no_listener() {
	scmp "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$TT/nosuch.sock', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
	runp_rc echo hi
	assert_rc_not0 "a missing listener"
	assert_out_lacks hi
	assert_err_has nosuch.sock
}

test_notify_needs_listener_path() {
	scmp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	runp_rc echo hi
	assert_rc_not0 "SCMP_ACT_NOTIFY without listenerPath"
	assert_out_lacks hi
	assert_err_has listenerPath
}

t "a profile blocking rt_sigprocmask: no signal stays blocked (init and exec)" test_sigmask_before_filter
t "SCMP_ACT_ERRNO returns the configured errno" test_errno
t "SCMP_ACT_ERRNO without errnoRet is EPERM" test_errno_default
t "SCMP_ACT_KILL kills with SIGSYS" test_kill
t "argument filters block only matching calls" test_arg_filter
t "a profile blocking mkdir/mount/chmod leaves the runtime's setup alone" test_runtime_setup_unaffected
t "Docker's default profile shape runs a shell" test_docker_profile
t "seccomp without noNewPrivileges" test_without_nnp
t "SCMP_ACT_NOTIFY with listenerPath" test_notify
t "SCMP_ACT_NOTIFY with a missing listener fails" test_notify_no_listener
t "SCMP_ACT_NOTIFY needs listenerPath" test_notify_needs_listener_path
finish
