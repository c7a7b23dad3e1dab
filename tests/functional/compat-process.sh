#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# compat-process: issue 11's drop-in items 4-7, run against husk and runc
# (RUNTIME=/usr/sbin/runc): the hooks' cwd and environment, seccomp's ENOSYS
# for syscalls the profile does not know and the filter before the
# startContainer hooks, a missing cwd under a read-only root, and
# linux.sysctl's kernel.hostname/kernel.domainname against the fields.
. "$(dirname "$0")/lib.sh"

# ---- hooks: cwd and environment (item 4) ----

# rec_hook KIND DIR: a hook of KIND (no `env`) writing its cwd, environment
# and a few status lines to DIR/KIND
rec_hook() {
	cfg "hook('$1', '/bin/sh', 'sh', '-c', '{ pwd; env; grep -E \"^(Uid|Seccomp|NoNewPrivs):\" /proc/self/status; } > $2/$1')"
}
# hk KIND: what the hook of KIND recorded
hk() { cat "$TT/hk/$1"; }
hk_has() { grep -qxF -- "$2" "$TT/hk/$1" || die "$1 hook: no line \`$2' in: $(hk "$1")"; }
hk_lacks() { ! grep -q -- "$2" "$TT/hk/$1" || die "$1 hook: \`$2' in: $(hk "$1")"; }

# Every kind without `env`, through create, start and delete, each called
# from a directory of its own.  runc 1.1 runs prestart and createRuntime in
# the bundle (its create chdirs there) with its own environment;
# createContainer in the rootfs (before pivot_root) and startContainer in
# the process's cwd, both with the process's environment (its init's);
# poststop (delete) in the caller's cwd with its own environment.
test_hooks_cwd_env_create_start_delete() {
	mkdir -p "$TT/hk" "$TT/at-create" "$TT/at-start" "$TT/at-delete"
	cfg "mount('/hk', 'bind', '$TT/hk', ['rbind', 'rw'])" 'p["cwd"] = "/etc"' "env('PROCENV=yes')"
	for k in prestart createRuntime createContainer poststop; do
		rec_hook "$k" "$TT/hk"
	done
	rec_hook startContainer /hk
	set_args /payload sleep 60
	(cd "$TT/at-create" && RTENV=create rt create --bundle "$B" "$ID")
	(cd "$TT/at-start" && RTENV=start rt start "$ID")
	wait_file "$TT/hk/startContainer"
	(cd "$TT/at-delete" && RTENV=delete rt delete --force "$ID")
	for k in prestart createRuntime; do
		hk_has "$k" "$B"
		hk_has "$k" RTENV=create
		hk_lacks "$k" PROCENV=
	done
	hk_has createContainer "$B/rootfs"
	hk_has createContainer PROCENV=yes
	hk_lacks createContainer RTENV=
	hk_has startContainer /etc
	hk_has startContainer PROCENV=yes
	hk_has startContainer HOME=/root
	hk_has startContainer "HUSK_TEST_MARK=$MARK"
	hk_lacks startContainer RTENV=
	hk_has poststop "$TT/at-delete"
	hk_has poststop RTENV=delete
	hk_lacks poststop PROCENV=
}

# `run` does it all in one process: poststart and poststop run in the bundle
# too (runc's run chdirs there), with the runtime's environment
test_hooks_cwd_env_run() {
	mkdir -p "$TT/hk" "$TT/elsewhere"
	for k in prestart poststart poststop; do
		rec_hook "$k" "$TT/hk"
	done
	set_args /payload echo ran
	(cd "$TT/elsewhere" && RTENV=run rt run --bundle "$B" "$ID") >"$OUT"
	assert_out_line ran
	for k in prestart poststart poststop; do
		hk_has "$k" "$B"
		hk_has "$k" RTENV=run
	done
}

# a createContainer hook that works relative to its cwd, the rootfs (what
# hooks that add files to the image rely on), under a read-only root
test_create_container_hook_relative_path() {
	cfg 'hook("createContainer", "/bin/sh", "sh", "-c", "echo made-by-hook > ./hook-made")'
	runp cat /hook-made
	assert_out_line made-by-hook
	[ -f "$B/rootfs/hook-made" ] || die "no hook-made in the rootfs"
}

# a hook's own `env` is all it gets
test_hook_env_given() {
	mkdir -p "$TT/hk"
	cfg "hook('prestart', '/bin/sh', 'sh', '-c', 'env > $TT/hk/prestart', env=['ONLY=this'])"
	RTENV=outer runp exit 0
	hk_has prestart ONLY=this
	hk_lacks prestart RTENV=
}

# ---- seccomp (item 5) ----

# errno_profile FILE DENY...: defaultAction SCMP_ACT_ERRNO (EPERM), every
# syscall of this architecture's headers allowed but DENY...
errno_profile() {
	"$PY" - "$@" <<'PY'
import json, re, sys
path, deny = sys.argv[1], set(sys.argv[2:])
names = set()
for h in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h",
          "/usr/include/aarch64-linux-gnu/asm/unistd.h", "/usr/include/asm-generic/unistd.h"):
    try:
        names |= set(re.findall(r"#define __NR_(\w+)\s+\d+", open(h).read()))
    except OSError:
        pass
with open(path) as f:
    c = json.load(f)
c["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [{"names": sorted(names - deny), "action": "SCMP_ACT_ALLOW"}],
}
with open(path, "w") as f:
    json.dump(c, f)
PY
}

# runc's ENOSYS stub: a syscall above the highest one the profile names gets
# ENOSYS (so that libc falls back), a known but unlisted one the default
# errno
test_seccomp_enosys_unknown_syscall() {
	[ "$(uname -m)" = x86_64 ] || skip "the syscall numbers below are x86_64's"
	errno_profile "$B/config.json" getppid
	# 1000: above every syscall; 110: getppid, denied
	runp_rc syscall 1000 syscall 110 syscall 39 seccomp
	assert_out_line "syscall: error: 1000: Function not implemented"
	assert_out_line "syscall: error: 110: Operation not permitted"
	assert_out_line "syscall: 39 ok"
	assert_out_line "Seccomp: 2"
	# the same for an exec'd process
	set_args /payload sleep 60
	rt run -d --bundle "$B" "$ID" </dev/null
	rtc exec "$ID" /payload syscall 1000 syscall 110
	assert_out_line "syscall: error: 1000: Function not implemented"
	assert_out_line "syscall: error: 110: Operation not permitted"
	rt delete --force "$ID"
	# x32 numbers (bit 30) have their own highest number when x32 is listed
	runp_rc syscall 0x400003e8
	assert_out_line "syscall: error: 0x400003e8: Function not implemented"
	# a killing default: ENOSYS for the unknown one, SIGSYS for the known one
	cfg 'l["seccomp"]["defaultAction"] = "SCMP_ACT_KILL_PROCESS"'
	runp_rc syscall 1000 syscall 110 echo not-reached
	assert_rc $((128 + 31)) "killed by SIGSYS"
	assert_out_line "syscall: error: 1000: Function not implemented"
	assert_out_lacks not-reached
}

# no architectures listed: runc 1.1 adds no stub (its stub covers the listed
# ones only); husk does the same
test_seccomp_no_stub_without_architectures() {
	[ "$(uname -m)" = x86_64 ] || skip "the syscall numbers below are x86_64's"
	errno_profile "$B/config.json" getppid
	cfg 'del l["seccomp"]["architectures"]'
	runp_rc syscall 1000 syscall 110
	assert_out_line "syscall: error: 1000: Operation not permitted"
	assert_out_line "syscall: error: 110: Operation not permitted"
}

# the stub with SCMP_ACT_NOTIFY rules: the listener fd still reaches the
# agent (husk loads the patched program itself, with NEW_LISTENER)
test_seccomp_enosys_with_notify() {
	[ "$(uname -m)" = x86_64 ] || skip "the syscall numbers below are x86_64's"
	is_husk || skip "runc 1.1: the first notified syscall hangs with tests/unit/seccomp-agent (also under an SCMP_ACT_ALLOW default; seccomp.sh's notify test skips runc too)"
	agent=$BUILD_DIR/tests/unit/seccomp-agent
	[ -x "$agent" ] || skip "no seccomp agent at $agent"
	"$agent" "$TT/agent.sock" "$TT/states" >"$TT/agent.out" 2>"$TT/agent.err" &
	apid=$!
	for _ in $(seq 100); do
		grep -q ready "$TT/agent.out" 2>/dev/null && break
		sleep 0.05
	done
	errno_profile "$B/config.json" getppid mkdir mkdirat
	cfg "l['seccomp']['listenerPath'] = '$TT/agent.sock'" \
		"l['seccomp']['syscalls'].append({'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'})" \
		'mount("/tmp", "tmpfs", "tmpfs")'
	runp_rc syscall 1000 syscall 110 mkdir /tmp/n
	kill "$apid" 2>/dev/null || true
	wait "$apid" 2>/dev/null || true
	assert_out_line "syscall: error: 1000: Function not implemented"
	assert_out_line "syscall: error: 110: Operation not permitted"
	# the agent answers success without doing it
	assert_out_line "mkdir: /tmp/n ok"
	[ -s "$TT/states" ] || die "the agent received no state"
}

# no stub where the default action lets calls through (SCMP_ACT_ALLOW, LOG,
# TRACE: runc's isAllowAction), nor with defaultErrnoRet ENOSYS itself
test_seccomp_no_stub_when_allowing() {
	[ "$(uname -m)" = x86_64 ] || skip "the syscall numbers below are x86_64's"
	cfg 'l["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	runp_rc syscall 110 syscall 1000
	assert_out_line "syscall: error: 110: Permission denied"
	# the kernel's own ENOSYS for a number it does not know
	assert_out_line "syscall: error: 1000: Function not implemented"
	errno_profile "$B/config.json" getppid
	cfg 'l["seccomp"]["defaultErrnoRet"] = 38'
	runp_rc syscall 110 syscall 1000
	assert_out_line "syscall: error: 110: Function not implemented"
	assert_out_line "syscall: error: 1000: Function not implemented"
}

# start_hook_profile: mkdir denied (EPERM); a startContainer hook records
# its Seccomp line and whether mkdir works into /hk/start
start_hook_profile() {
	mkdir -p "$TT/hk"
	chmod 777 "$TT/hk" # the hook runs as the process's user
	cfg 'l["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' \
		"mount('/hk', 'bind', '$TT/hk', ['rbind', 'rw'])" 'mount("/tmp", "tmpfs", "tmpfs")' \
		"hook('startContainer', '/bin/sh', 'sh', '-c', '{ grep -E \"^(Seccomp|NoNewPrivs):\" /proc/self/status; mkdir /tmp/by-hook && echo mkdir=ok || echo mkdir=failed; } > /hk/start 2>&1')"
}

# runc's init loads the filter before it waits for start: a startContainer
# hook runs under it (with no_new_privs set first, as ever)
test_seccomp_before_start_container_hook() {
	start_hook_profile
	runp nnp seccomp
	assert_out_line "nnp: 1"
	assert_out_line "Seccomp: 2"
	hk_has start "Seccomp:	2"
	hk_has start "NoNewPrivs:	1"
	hk_has start mkdir=failed
}

# without noNewPrivileges the filter is loaded before the privilege drop;
# the hook runs under it all the same
test_seccomp_before_start_container_hook_no_nnp() {
	start_hook_profile
	cfg 'p["noNewPrivileges"] = False' 'p["user"] = {"uid": 1000, "gid": 1000}'
	runp nnp seccomp ids
	assert_out_line "nnp: 0"
	assert_out_line "Seccomp: 2"
	assert_out_line "uid: 1000 1000 1000"
	hk_has start "Seccomp:	2"
	hk_has start "NoNewPrivs:	0"
	hk_has start mkdir=failed
}

# ---- cwd (item 6) ----

# a cwd that does not exist is made before the root goes read-only
test_missing_cwd_readonly_root() {
	cfg 'c["root"]["readonly"] = True' 'p["cwd"] = "/doesnotexist/deeper"'
	runp_rc cwd write /doesnotexist/deeper/f
	assert_rc 1 "payload with a failing write"
	assert_out_line "cwd: /doesnotexist/deeper"
	assert_out_line "write: error: /doesnotexist/deeper/f: Read-only file system"
	[ -d "$B/rootfs/doesnotexist/deeper" ] || die "cwd not made in the rootfs"
}

# made inside the root: an absolute symlink on the way resolves in it (its
# target is the container's directory of that name), never the host's (a
# decoy directory of the same name here).  (runc 1.1 refuses a dangling
# symlink on the way, `mkdir /escape: file exists`; husk makes its target
# inside the root: both stay inside.)
test_missing_cwd_through_symlink() {
	mkdir -p "$TT/host-side" "$B/rootfs$TT/host-side"
	ln -s "$TT/host-side" "$B/rootfs/escape"
	cfg 'c["root"]["readonly"] = True' 'p["cwd"] = "/escape/made"'
	runp cwd
	assert_out_line "cwd: $TT/host-side/made"
	[ ! -e "$TT/host-side/made" ] || die "the cwd was made on the host"
	[ -d "$B/rootfs$TT/host-side/made" ] || die "the cwd is not in the rootfs"
}

# ---- sysctl vs hostname and domainname (item 7) ----

# kernel.hostname set to another value than hostname: refused before
# anything is made
test_sysctl_hostname_conflict() {
	cfg 'c["hostname"] = "aa"' 'l["sysctl"] = {"kernel.hostname": "bb"}'
	runp_rc hostname
	assert_rc_not0 "kernel.hostname against hostname"
	assert_err_has kernel.hostname
	assert_err_has "conflicts with"
	assert_out_lacks hostname:
	assert_clean
	is_husk || return 0
	# shellcheck disable=SC2016 # backticks of the message
	assert_err_has 'config.json: linux.sysctl["kernel.hostname"]: `bb` conflicts with hostname `aa`'
	cfg 'l["sysctl"] = {"kernel/hostname": "bb"}'
	runp_rc hostname
	assert_rc_not0 "kernel/hostname against hostname"
	assert_err_has 'linux.sysctl["kernel/hostname"]'
	assert_clean
}

test_sysctl_domainname_conflict() {
	cfg 'c["domainname"] = "dd"' 'l["sysctl"] = {"kernel.domainname": "ee"}'
	runp_rc hostname
	if ! is_husk && [ "$RC" = 0 ]; then
		skip "runc 1.1: kernel.domainname overrides domainname (it checks only kernel.hostname)"
	fi
	assert_rc_not0 "kernel.domainname against domainname"
	# shellcheck disable=SC2016 # backticks of the message
	assert_err_has 'config.json: linux.sysctl["kernel.domainname"]: `ee` conflicts with domainname `dd`'
	assert_out_lacks hostname:
	assert_clean
}

# equal values, or the sysctl alone: no conflict
test_sysctl_uts_no_conflict() {
	cfg 'c["domainname"] = "dd"' 'l["sysctl"] = {"kernel.domainname": "dd"}'
	runp hostname
	assert_out_line "domainname: dd"
	cfg 'del c["domainname"]' 'l["sysctl"] = {"kernel.domainname": "ee"}'
	runp hostname
	assert_out_line "domainname: ee"
	cfg 'c["hostname"] = "aa"' 'l["sysctl"] = {"kernel.hostname": "aa"}'
	runp_rc hostname
	if ! is_husk && [ "$RC" != 0 ]; then
		skip "runc 1.1: kernel.hostname is refused whatever its value"
	fi
	assert_rc 0 "kernel.hostname equal to hostname"
	assert_out_line "hostname: aa"
	cfg 'c["hostname"] = ""' 'l["sysctl"] = {"kernel.hostname": "bb"}'
	runp hostname
	assert_out_line "hostname: bb"
}

t "hooks: cwd and env with create, start, delete" test_hooks_cwd_env_create_start_delete
t "hooks: cwd and env with run" test_hooks_cwd_env_run
t "createContainer hook: a relative path is in the rootfs" test_create_container_hook_relative_path
t "hooks: a hook's env replaces the runtime's" test_hook_env_given
t "seccomp: ENOSYS for a syscall the profile does not know" test_seccomp_enosys_unknown_syscall
t "seccomp: no ENOSYS stub with an allowing default or ENOSYS errno" test_seccomp_no_stub_when_allowing
t "seccomp: no ENOSYS stub without architectures (runc 1.1)" test_seccomp_no_stub_without_architectures
t "seccomp: ENOSYS stub with SCMP_ACT_NOTIFY rules" test_seccomp_enosys_with_notify
t "seccomp: the filter is loaded before startContainer hooks" test_seccomp_before_start_container_hook
t "seccomp: ... also without noNewPrivileges" test_seccomp_before_start_container_hook_no_nnp
t "cwd: a missing cwd under a read-only root" test_missing_cwd_readonly_root
t "cwd: made inside the root through a symlink" test_missing_cwd_through_symlink
t "sysctl: kernel.hostname against hostname" test_sysctl_hostname_conflict
t "sysctl: kernel.domainname against domainname" test_sysctl_domainname_conflict
t "sysctl: equal values do not conflict" test_sysctl_uts_no_conflict
finish
