#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# process attributes: args, env, cwd, user, rlimits, capabilities,
# noNewPrivileges, oomScoreAdj, hostname, domainname, sysctl, personality,
# scheduler, ioPriority, execCPUAffinity; exec
. "$(dirname "$0")/lib.sh"

test_args() {
	runp echo "two words" echo "" echo 'quote"s $HOME'
	assert_out_line "two words"
	assert_out_line ""
	assert_out_line 'quote"s $HOME'
}

test_args_path_lookup() {
	# args[0] without a slash is looked up in the container's PATH
	set_args sh -c 'echo from-sh; exit 5'
	rtc run --bundle "$B" "$ID"
	assert_rc 5
	assert_out_line from-sh
}

test_env() {
	cfg 'env("FOO=bar", "EMPTY=", "WITH_EQ=a=b")'
	runp env getenv HOME
	assert_out_line "env: FOO=bar"
	assert_out_line "env: EMPTY="
	assert_out_line "env: WITH_EQ=a=b"
	assert_out_line "env: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	# runc sets HOME from the container's /etc/passwd when missing
	assert_out_line "getenv: HOME=/root"
	# nothing of the runtime's environment leaks in
	grep -q "^env: HUSK_TEST_MARK=$MARK\$" "$OUT" || die "marker missing"
	n=$(grep -c '^env: ' "$OUT")
	assert_eq "$n" 7 "number of env variables"
}

test_cwd() {
	mkdir -p "$B/rootfs/work/dir"
	cfg 'p["cwd"] = "/work/dir"'
	runp cwd
	assert_out_line "cwd: /work/dir"
}

test_cwd_created() {
	cfg 'p["cwd"] = "/new/cwd"' 'c["root"]["readonly"] = False'
	runp cwd
	assert_out_line "cwd: /new/cwd"
}

test_user() {
	cfg 'p["user"] = {"uid": 1000, "gid": 1001, "umask": 23, "additionalGids": [10, 20, 1001]}'
	runp ids
	assert_out_line "uid: 1000 1000 1000"
	assert_out_line "gid: 1001 1001 1001"
	assert_out_line "groups: 10,20,1001"
	assert_out_line "umask: 0027"
}

test_user_default_groups() {
	cfg 'p["user"] = {"uid": 65534, "gid": 65534}'
	runp ids
	assert_out_line "uid: 65534 65534 65534"
	assert_out_line "groups:"
	assert_out_line "umask: 0022"
}

test_rlimits() {
	cfg 'p["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 512, "hard": 1024}]'
	runp rlimit NOFILE rlimit CORE rlimit NPROC
	assert_out_line "rlimit: NOFILE 100 200"
	assert_out_line "rlimit: CORE 0 0"
	assert_out_line "rlimit: NPROC 512 1024"
}

test_rlimit_raise_fails() {
	# above the caller's hard limit needs CAP_SYS_RESOURCE
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "no hard NOFILE limit"
	if grep -q '^CapEff:.*' /proc/self/status && capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "the caller has CAP_SYS_RESOURCE"
	fi
	cfg "p['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': $((hard + 1)), 'hard': $((hard + 1))}]"
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "raising NOFILE above the hard limit"
	grep -qi "operation not permitted\|rlimit" "$ERR" || die "message: $(cat "$ERR")"
}

CAP_CHOWN=0x1 CAP_KILL=0x20 CAP_SETUID=0x80 CAP_NET_BIND=0x400 CAP_AUDIT_WRITE=0x20000000
hex() { printf '%016x' $(($@)); }

test_caps_default() {
	runp caps
	assert_out_line "CapBnd: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	assert_out_line "CapPrm: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	assert_out_line "CapEff: $(hex $CAP_KILL + $CAP_NET_BIND + $CAP_AUDIT_WRITE)"
	# ambient needs inheritable, which the default config leaves empty
	assert_out_line "CapInh: $(hex 0)"
	assert_out_line "CapAmb: $(hex 0)"
}

test_caps_five_sets() {
	# non-root: after execve permitted = effective = ambient (no file caps)
	cfg 'p["user"] = {"uid": 1000, "gid": 1000}' \
		'p["capabilities"] = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_BIND_SERVICE"], "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
	runp caps
	assert_out_line "CapBnd: $(hex $CAP_CHOWN + $CAP_KILL + $CAP_SETUID + $CAP_NET_BIND)"
	assert_out_line "CapInh: $(hex $CAP_KILL + $CAP_NET_BIND)"
	assert_out_line "CapAmb: $(hex $CAP_NET_BIND)"
	assert_out_line "CapPrm: $(hex $CAP_NET_BIND)"
	assert_out_line "CapEff: $(hex $CAP_NET_BIND)"
}

test_caps_root_no_ambient() {
	# root: permitted = effective = bounding | inheritable after execve
	cfg 'p["capabilities"] = {"bounding": ["CAP_CHOWN", "CAP_KILL"], "permitted": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"]}'
	runp caps
	assert_out_line "CapBnd: $(hex $CAP_CHOWN + $CAP_KILL)"
	assert_out_line "CapInh: $(hex 0)"
	assert_out_line "CapAmb: $(hex 0)"
}

test_caps_none() {
	cfg 'p.pop("capabilities")'
	runp caps
	assert_out_line "CapBnd: $(hex 0)"
	assert_out_line "CapEff: $(hex 0)"
	assert_out_line "CapPrm: $(hex 0)"
}

test_no_new_privs() {
	runp nnp
	assert_out_line "nnp: 1"
	cfg 'p["noNewPrivileges"] = False'
	runp nnp
	assert_out_line "nnp: 0"
}

test_oom_score_adj() {
	cfg 'p["oomScoreAdj"] = 345'
	runp oom
	assert_out_line "oom: 345"
}

test_hostname_domainname() {
	cfg 'c["hostname"] = "box1"' 'c["domainname"] = "example.org"'
	runp hostname
	assert_out_line "hostname: box1"
	# domainname is runtime-spec 1.1 (runc 1.1 ignores it)
	is_husk && assert_out_line "domainname: example.org"
	[ "$(hostname)" != box1 ] || die "changed the host's hostname"
}

test_sysctl() {
	h_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	h_msg=$(cat /proc/sys/kernel/msgmax)
	want_fwd=$((1 - h_fwd))
	cfg "l['sysctl'] = {'net.ipv4.ip_forward': '$want_fwd', 'kernel.msgmax': '4242', 'kernel.domainname': 'sysctl.example'}"
	runp sysctl net.ipv4.ip_forward sysctl kernel.msgmax hostname
	assert_out_line "sysctl: net.ipv4.ip_forward $want_fwd"
	assert_out_line "sysctl: kernel.msgmax 4242"
	assert_out_line "domainname: sysctl.example"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$h_fwd" "host ip_forward"
	assert_eq "$(cat /proc/sys/kernel/msgmax)" "$h_msg" "host msgmax"
}

test_sysctl_host_ns_refused() {
	# a net sysctl without a network namespace would change the host
	cfg 'rmns("network")' 'l["sysctl"] = {"net.ipv4.ip_forward": "1"}' \
		'c["mounts"] = [m for m in c["mounts"] if m["destination"] not in ("/sys", "/sys/fs/cgroup")]'
	h=$(cat /proc/sys/net/ipv4/ip_forward)
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "net sysctl in the host's netns"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$h" "host ip_forward"
}

test_personality() {
	is_husk || skip "$RT_NAME does not support linux.personality"
	cfg 'l["personality"] = {"domain": "LINUX32"}'
	runp personality
	assert_out_has "LINUX32"
	cfg 'l["personality"] = {"domain": "LINUX"}'
	runp personality
	assert_out_line "personality: 0x0 LINUX"
}

test_scheduler() {
	is_husk || skip "$RT_NAME does not support process.scheduler"
	cfg 'p["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}'
	runp sched
	assert_out_has "sched: SCHED_BATCH nice=7 "
	# (not SCHED_FIFO/RR: a v1 cpu cgroup without cpu.rt_runtime_us refuses them)
	cfg 'p["scheduler"] = {"policy": "SCHED_IDLE", "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
	runp sched
	assert_out_has "sched: SCHED_IDLE "
	assert_out_line "sched-reset-on-fork: 1"
}

test_io_priority() {
	is_husk || skip "$RT_NAME does not support process.ioPriority"
	cfg 'p["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	runp ioprio
	assert_out_line "ioprio: IOPRIO_CLASS_BE 6"
	cfg 'p["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	runp ioprio
	assert_out_line "ioprio: IOPRIO_CLASS_IDLE 0"
}

test_default_sched_ioprio() {
	runp sched ioprio affinity
	assert_out_has "sched: SCHED_OTHER nice=0 "
	assert_out_line "ioprio: IOPRIO_CLASS_NONE 0"
}

test_seccomp() {
	cfg 'l["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}, {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	runp_rc seccomp cwd pid
	assert_out_line "Seccomp: 2"
	assert_out_line "cwd: error: Operation not permitted"
	# getppid "cannot fail": glibc hands back the raw -ENOSYS
	assert_out_line "pid: 1 ppid: -38"
}

test_no_seccomp() {
	# no filter of the container's own: the same filters as the test runner
	# (none, or the ENOSYS one of tests/unit/nosys when the suite runs under it)
	local mine
	mine=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/self/status)
	runp seccomp
	if [ "${mine:-0}" = 0 ]; then
		assert_out_line "Seccomp: 0"
	else
		assert_out_line "Seccomp: 2"
		assert_out_line "Seccomp_filters: $mine"
	fi
}

# exec_process JSONSTMTS...: process.json for `exec --process` from config's process
exec_process() {
	"$PY" - "$B/config.json" "$TT/process.json" "$@" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["process"]
for s in sys.argv[3:]:
    exec(s, {"p": p})
json.dump(p, open(sys.argv[2], "w"))
PY
}

test_exec() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	pid=$(pid_of "$ID")
	rtc exec "$ID" /payload pid ns cwd
	assert_rc 0 exec
	[ "$(val pid | cut -d' ' -f1)" != 1 ] || die "exec is pid 1"
	assert_out_line "cwd: /"
	want=$(stat -L -c %i "/proc/$pid/ns/net")
	grep -qx "ns: net $want" "$OUT" || die "exec not in the container's netns"
	rtc exec "$ID" /payload exit 3
	assert_rc 3 "exit status of exec"
	rt delete --force "$ID"
}

test_exec_process_json() {
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	exec_process 'p["args"] = ["/payload", "ids", "getenv", "X"]' 'p["user"] = {"uid": 7, "gid": 8}' 'p["env"].append("X=y")'
	rtc exec --process "$TT/process.json" "$ID"
	assert_rc 0 "exec --process"
	assert_out_line "uid: 7 7 7"
	assert_out_line "getenv: X=y"
	rt delete --force "$ID"
}

test_exec_cpu_affinity() {
	is_husk || skip "$RT_NAME does not support execCPUAffinity"
	[ "$(nproc)" -ge 2 ] || skip "one CPU"
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	exec_process 'p["args"] = ["/payload", "affinity"]' 'p["execCPUAffinity"] = {"initial": "0", "final": "1"}'
	rtc exec --process "$TT/process.json" "$ID"
	assert_rc 0 "exec --process"
	assert_out_line "affinity: 1"
	rt delete --force "$ID"
}

# runc exec starts from the spec's process: scheduler and ioPriority too (an
# exec child is cloned from the runtime, so it would otherwise have ours)
test_exec_sched_ioprio() {
	is_husk || skip "$RT_NAME does not support process.scheduler"
	cfg 'p["scheduler"] = {"policy": "SCHED_BATCH", "nice": 7}' \
		'p["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID"
	rtc exec "$ID" /payload sched ioprio
	assert_rc 0 exec
	assert_out_has "sched: SCHED_BATCH nice=7 "
	assert_out_line "ioprio: IOPRIO_CLASS_BE 6"
	rt delete --force "$ID"
}

test_run_sigmask() {
	# run blocks every signal to forward them; the container must not inherit that
	runp status SigBlk
	assert_out_line "SigBlk: 0000000000000000"
}

t "args" test_args
t "args[0] looked up in PATH" test_args_path_lookup
t "env" test_env
t "cwd" test_cwd
t "missing cwd is created" test_cwd_created
t "user uid gid umask additionalGids" test_user
t "user without additionalGids" test_user_default_groups
t "rlimits (lowering)" test_rlimits
t "raising an rlimit above the hard limit fails" test_rlimit_raise_fails
t "default capabilities" test_caps_default
t "five capability sets (non-root)" test_caps_five_sets
t "capabilities as root without ambient" test_caps_root_no_ambient
t "no capabilities section" test_caps_none
t "noNewPrivileges" test_no_new_privs
t "oomScoreAdj" test_oom_score_adj
t "hostname and domainname" test_hostname_domainname
t "sysctl in the container's net/ipc/uts namespaces" test_sysctl
t "net sysctl without a netns is refused" test_sysctl_host_ns_refused
t "personality" test_personality
t "scheduler" test_scheduler
t "ioPriority" test_io_priority
t "default scheduler and io priority" test_default_sched_ioprio
t "seccomp filter" test_seccomp
t "no seccomp filter without linux.seccomp" test_no_seccomp
t "exec" test_exec
t "run: no signal blocked in the container" test_run_sigmask
t "exec --process" test_exec_process_json
t "execCPUAffinity" test_exec_cpu_affinity
t "exec takes process.scheduler and ioPriority" test_exec_sched_ioprio
finish
