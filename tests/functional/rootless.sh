#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# rootless (issue 12): the runtime run by an unprivileged user, against husk
# and runc (RUNTIME=/usr/sbin/runc, 1.1.5: it runs rootless too; its error
# texts differ, so exit statuses and effects are checked, husk's messages
# under is_husk).
#
# A throwaway user ($RL_USER, made here if missing and removed at the end;
# useradd adds no /etc/subuid lines: -K SUB_UID_COUNT=0) runs the runtime
# through setpriv with XDG_RUNTIME_DIR a directory of its own, so that the
# state root is the runtime's default ($XDG_RUNTIME_DIR/husk, runc's
# $XDG_RUNTIME_DIR/runc).  The bundle is `spec --rootless` plus a copy of the
# base rootfs owned by the user.  The harness's leftover checks see root's
# --root, marked processes and cgroups; the user's state root is checked by
# each test (rl_assert_clean).  /etc/subuid and /etc/subgid are restored byte
# for byte at the end.
. "$(dirname "$0")/lib.sh"

for c in useradd userdel setpriv; do
	if ! command -v "$c" >/dev/null; then
		echo "1..0 # SKIP no $c"
		exit 0
	fi
done
RL_USER=husk-rootless
RL_OTHER=husk-rootless2
RL_MADE=
cp -p /etc/subuid "$T/subuid.orig" 2>/dev/null || : >"$T/subuid.orig"
cp -p /etc/subgid "$T/subgid.orig" 2>/dev/null || : >"$T/subgid.orig"
for u in "$RL_USER" "$RL_OTHER"; do
	if ! id "$u" >/dev/null 2>&1; then
		useradd -M -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u" ||
			{
				echo "Bail out! useradd $u"
				exit 1
			}
		RL_MADE="$RL_MADE $u"
	fi
done
RL_UID=$(id -u "$RL_USER")
RL_GID=$(id -g "$RL_USER")
# a subordinate range no other suite maps (namespaces.sh uses 100000)
SUB_BASE=400000

_rl_cleanup() {
	local u
	for u in $RL_MADE; do
		userdel "$u" >/dev/null 2>&1 || true
	done
	# exactly as they were (userdel may have edited them)
	cat "$T/subuid.orig" >/etc/subuid
	cat "$T/subgid.orig" >/etc/subgid
}
trap '_rl_cleanup; _final_cleanup' EXIT

# as USER CMD...: CMD as USER (its groups), a clean environment, the test's marker
as() {
	local u=$1
	shift
	setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/ USER="$u" \
		XDG_RUNTIME_DIR="$XDG" HUSK_TEST_MARK="$MARK" "$@"
}
# ru ARGS...: the runtime as $RL_USER, its default state root
ru() { as "$RL_USER" timeout -k 5 "${RT_TIMEOUT:-60}" "$RUNTIME" "$@"; }
ruc() {
	RC=0
	ru "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
# the state root the runtime picks: $XDG_RUNTIME_DIR/<runtime name>
rl_root() { echo "$XDG/$RT_NAME"; }

# rl_bundle: $XDG (the user's runtime dir) and $RB, a `spec --rootless`
# bundle of the user's with the base rootfs, terminal off, the test's marker
rl_bundle() {
	XDG=$TT/xdg
	RB=$TT/rb
	mkdir -m 0700 "$XDG"
	mkdir "$RB"
	cp -a "$T/base/rootfs" "$RB/rootfs"
	chown -R "$RL_USER:" "$XDG" "$RB"
	ruc spec --rootless --bundle "$RB"
	assert_rc 0 "spec --rootless as $RL_USER"
	B=$RB
	cfg 'p["terminal"] = False' "env('HUSK_TEST_MARK=$MARK')"
}
# rl_run ARGS...: run the payload in $RB as the user (any status, in $RC)
rl_run() {
	set_args /payload "$@"
	ruc run --bundle "$RB" "$ID"
}
rl_pid() { ru state "$1" | cfgpy get 'j["pid"]'; }
rl_status() { ru state "$1" 2>/dev/null | cfgpy get 'j["status"]' 2>/dev/null || echo none; }
rl_wait_status() {
	local s
	for _ in $(seq 100); do
		s=$(rl_status "$1")
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	die "container $1: status $s, expected $2"
}
# rl_assert_clean: the user's state root holds no container
rl_assert_clean() {
	local d
	for d in "$(rl_root)"/*; do
		[ -e "$d" ] && die "left behind: state dir $d"
	done
	true
}
# rl_stop ID: kill and delete as the user, then nothing may be left
rl_stop() {
	ru kill "$1" KILL >/dev/null 2>&1 || true
	rl_wait_status "$1" stopped
	ruc delete "$1"
	assert_rc 0 "delete $1"
	rl_assert_clean
}

test_run() {
	rl_bundle
	rl_run ids
	assert_rc 0 "run as $RL_USER"
	assert_out_line "uid: 0 0 0"
	assert_out_line "gid: 0 0 0"
	set_args /bin/sh -c 'exit 7'
	ruc run --bundle "$RB" "$ID"
	assert_rc 7 "the container's exit status"
	rl_assert_clean
}

# uid 0 inside is the user outside; the state root is $XDG_RUNTIME_DIR/<rt>
test_ids_from_host() {
	rl_bundle
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d"
	pid=$(rl_pid "$ID")
	[ "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")" = "$RL_UID $RL_UID $RL_UID $RL_UID" ] ||
		die "Uid of the init from the host: $(grep ^Uid: "/proc/$pid/status")"
	[ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = "$RL_GID" ] ||
		die "Gid of the init from the host: $(grep ^Gid: "/proc/$pid/status")"
	grep -Eq "^ +0 +$RL_UID +1$" "/proc/$pid/uid_map" || die "uid_map: $(cat "/proc/$pid/uid_map")"
	[ -d "$(rl_root)/$ID" ] || die "no state dir under $(rl_root)"
	# runc: 0700 with the sticky bit (XDG's rule against pruning); the state
	# dirs readable by the owner only (husk 0700, runc 0711)
	[ "$(stat -c %a "$(rl_root)")" = 1700 ] || die "state root mode $(stat -c %a "$(rl_root)")"
	mode=$(stat -c %a "$(rl_root)/$ID")
	[ $((0$mode & 066)) = 0 ] || die "state dir mode $mode"
	[ "$(stat -c %u "$(rl_root)/$ID")" = "$RL_UID" ] || die "state dir not the user's"
	rl_stop "$ID"
}

test_detach_exec_kill_delete() {
	rl_bundle
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d"
	ruc exec "$ID" /payload ids
	assert_rc 0 "exec"
	assert_out_line "uid: 0 0 0"
	ruc exec "$ID" /bin/sh -c 'exit 3'
	assert_rc 3 "exec's exit status"
	ruc list -q
	assert_out_line "$ID"
	ruc delete "$ID"
	assert_rc_not0 "delete of a running container"
	pid=$(rl_pid "$ID")
	# the payload as pid 1 has no handler for TERM: the kernel ignores it
	ruc kill "$ID" KILL
	assert_rc 0 "kill"
	rl_wait_status "$ID" stopped
	assert_gone "$pid" init
	ruc delete "$ID"
	assert_rc 0 "delete"
	ruc list -q
	assert_rc 0 list
	[ ! -s "$OUT" ] || die "list after delete: $(cat "$OUT")"
	rl_assert_clean
}

# no cgroup: husk lists the init's pid namespace; runc 1.1 reads the cgroup it could not make
test_ps() {
	is_husk || skip "runc 1.1.5 fails without a cgroup: unable to get all container pids"
	rl_bundle
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d"
	ruc exec -d "$ID" /payload sleep 61
	assert_rc 0 "exec -d"
	pid=$(rl_pid "$ID")
	ruc ps --format json "$ID"
	assert_rc 0 ps
	n=$(cfgpy get 'len(j)' <"$OUT")
	[ "$n" = 2 ] || die "ps: $(cat "$OUT"), expected the init and the exec'd process"
	grep -q "\b$pid\b" "$OUT" || die "ps: $(cat "$OUT") lacks the init $pid"
	rl_stop "$ID"
}

test_pause_without_cgroup() {
	rl_bundle
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d"
	ruc pause "$ID"
	assert_rc_not0 "pause without a cgroup"
	if is_husk; then
		assert_err_has "pause needs the cgroup freezer (rootless without cgroup delegation)"
	fi
	[ "$(rl_status "$ID")" = running ] || die "status after a refused pause: $(rl_status "$ID")"
	rl_stop "$ID"
}

# a limit without a cgroup: an error naming the field, nothing made (runc fails too)
test_resources_refused() {
	rl_bundle
	cfg "l['resources'] = {'memory': {'limit': 67108864}}"
	rl_run ids
	assert_rc 1 "a memory limit without a cgroup"
	if is_husk; then
		assert_err_has "config.json: linux.resources.memory.limit: needs a cgroup; rootless without cgroup delegation"
	fi
	rl_assert_clean
	cfg "l['resources'] = {'pids': {'limit': 10}}"
	rl_run ids
	assert_rc 1 "a pids limit without a cgroup"
	if is_husk; then
		assert_err_has "config.json: linux.resources.pids.limit: needs a cgroup"
	fi
	rl_assert_clean
	# devices rules alone are no limit: skipped without a cgroup (runc: the same)
	cfg "l['resources'] = {'devices': [{'allow': False, 'access': 'rwm'}]}"
	rl_run ids
	assert_rc 0 "device rules without a cgroup"
	rl_assert_clean
}

test_cgroups_path_refused() {
	rl_bundle
	cfg "l['cgroupsPath'] = '/husk-test/$CGNAME'"
	rl_run ids
	assert_rc 1 "linux.cgroupsPath without delegation"
	if is_husk; then
		assert_err_has "config.json: linux.cgroupsPath: \`/husk-test/$CGNAME\`: needs a cgroup"
	fi
	rl_assert_clean
}

test_userns_required() {
	rl_bundle
	cfg 'rmns("user")' 'l.pop("uidMappings", None)' 'l.pop("gidMappings", None)'
	rl_run ids
	assert_rc 1 "no user namespace"
	if is_husk; then
		assert_err_has "config.json: linux.namespaces: a rootless container (uid $RL_UID) needs a user namespace"
	fi
	rl_assert_clean
}

# the default (rootful) spec's devpts gid=5 names a gid the user can't map (runc refuses too)
test_unmapped_mount_gid() {
	rl_bundle
	cfg 'for m in c["mounts"]:
    if m["destination"] == "/dev/pts": m["options"].append("gid=5")'
	rl_run ids
	assert_rc 1 "gid=5 unmapped"
	if is_husk; then
		assert_err_has "config.json: mounts[2].options: \`gid=5\`: gid 5 is not mapped in the rootless container (linux.gidMappings)"
	fi
	rl_assert_clean
}

# a fresh sysfs needs the network namespace's owner: husk binds the host's /sys (as crun)
test_sysfs_fallback() {
	is_husk || skip "runc 1.1.5 fails: mount sysfs: operation not permitted (no fallback)"
	rl_bundle
	cfg 'for m in c["mounts"]:
    if m["destination"] == "/sys": m.update(type="sysfs", source="sysfs", options=["nosuid", "noexec", "nodev", "ro"])'
	set_args /bin/sh -c 'ls /sys/kernel >/dev/null && touch /sys/x 2>/dev/null; echo "touch=$?"'
	ruc run --bundle "$RB" "$ID"
	assert_rc 0 "sysfs in a user namespace without a network namespace"
	assert_out_line "touch=1"
	rl_assert_clean
}

# another user sees no container of ours and can't signal or delete it
test_other_user() {
	rl_bundle
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d"
	pid=$(rl_pid "$ID")
	RC=0
	as "$RL_OTHER" "$RUNTIME" --root "$(rl_root)" list -q >"$OUT" 2>"$ERR" || RC=$?
	assert_out_lacks "$ID"
	RC=0
	as "$RL_OTHER" "$RUNTIME" --root "$(rl_root)" state "$ID" >"$OUT" 2>"$ERR" || RC=$?
	assert_rc_not0 "state by another user"
	RC=0
	as "$RL_OTHER" "$RUNTIME" --root "$(rl_root)" kill "$ID" KILL >"$OUT" 2>"$ERR" || RC=$?
	assert_rc_not0 "kill by another user"
	RC=0
	as "$RL_OTHER" "$RUNTIME" --root "$(rl_root)" delete --force "$ID" >"$OUT" 2>"$ERR" || RC=$?
	assert_rc_not0 "delete by another user"
	alive "$pid" || die "the container died"
	[ "$(rl_status "$ID")" = running ] || die "status: $(rl_status "$ID")"
	rl_stop "$ID"
}

# --rootless false as a user: the cgroup is made as for root, and that fails (runc: the same)
test_rootless_false() {
	rl_bundle
	set_args /payload ids
	ruc --rootless false run --bundle "$RB" "$ID"
	assert_rc_not0 "--rootless false as $RL_USER"
	rl_assert_clean
	# runc reads the flag when it makes a cgroup (create, run); husk refuses it at once
	ruc --rootless bogus run --bundle "$RB" "$ID"
	assert_rc_not0 "--rootless bogus"
	if is_husk; then
		assert_err_has "\`--rootless\`: invalid value \`bogus\` (true, false or auto)"
	fi
	ruc --rootless true run --bundle "$RB" "$ID"
	assert_rc 0 "--rootless true"
	assert_out_line "uid: 0 0 0"
	rl_assert_clean
}

# more than the user's own id: newuidmap/newgidmap with the ranges of /etc/subuid, /etc/subgid
test_multi_range_newuidmap() {
	command -v newuidmap >/dev/null || skip "no newuidmap (Debian's uidmap package)"
	rl_bundle
	echo "$RL_USER:$SUB_BASE:65536" >>/etc/subuid
	echo "$RL_USER:$SUB_BASE:65536" >>/etc/subgid
	cfg "l['uidMappings'] = [{'containerID': 0, 'hostID': $RL_UID, 'size': 1}, {'containerID': 1, 'hostID': $SUB_BASE, 'size': 65536}]" \
		"l['gidMappings'] = [{'containerID': 0, 'hostID': $RL_GID, 'size': 1}, {'containerID': 1, 'hostID': $SUB_BASE, 'size': 65536}]"
	rl_run cat /proc/self/uid_map cat /proc/self/gid_map
	assert_rc 0 "multi-range maps"
	[ "$(grep -cE "^ +1 +$SUB_BASE +65536$" "$OUT")" = 2 ] || die "maps: $(cat "$OUT")"
	# uid 1000 inside is $SUB_BASE + 999 outside
	cfg 'p["user"] = {"uid": 1000, "gid": 1000}'
	set_args /payload sleep 60
	ruc run -d --bundle "$RB" "$ID"
	assert_rc 0 "run -d as uid 1000"
	pid=$(rl_pid "$ID")
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = $((SUB_BASE + 999)) ] ||
		die "Uid from the host: $(grep ^Uid: "/proc/$pid/status")"
	[ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = $((SUB_BASE + 999)) ] ||
		die "Gid from the host: $(grep ^Gid: "/proc/$pid/status")"
	rl_stop "$ID"
	# a range /etc/subuid does not grant: refused, nothing left
	cfg 'p["user"] = {"uid": 0, "gid": 0}' "l['uidMappings'][1]['hostID'] = $((SUB_BASE + 100000))"
	rl_run ids
	assert_rc 1 "a range not in /etc/subuid"
	if is_husk; then
		assert_err_has "config.json: linux.uidMappings[1]: host ids $((SUB_BASE + 100000))-$((SUB_BASE + 165535)) are neither the caller's uid $RL_UID nor granted to \`$RL_USER\` in /etc/subuid"
	fi
	rl_assert_clean
	cat "$T/subuid.orig" >/etc/subuid
	cat "$T/subgid.orig" >/etc/subgid
}

# husk plan fails and decides as create: no cgroup, the maps' errors
test_plan() {
	is_husk || skip "husk's plan"
	rl_bundle
	ruc plan --bundle "$RB" "$ID"
	assert_rc 0 plan
	assert_out_line "cgroup: none (driver \`none\`)"
	cfg "l['resources'] = {'memory': {'limit': 67108864}}"
	ruc plan --bundle "$RB" "$ID"
	assert_rc 1 "plan with a limit"
	assert_err_has "config.json: linux.resources.memory.limit: needs a cgroup"
	rl_assert_clean
}

test_features() {
	is_husk || skip "husk's annotation"
	rtc features
	assert_rc 0 features
	[ "$(cfgpy get 'j["annotations"]["org.opencontainers.husk.rootless"]' <"$OUT")" = true ] ||
		die "features: no rootless annotation"
}

t "run as an unprivileged user: uid 0 inside, exit status" test_run
t "uid 0 inside is the user outside; state under \$XDG_RUNTIME_DIR" test_ids_from_host
t "run -d, exec, kill, delete as the user" test_detach_exec_kill_delete
t "ps without a cgroup" test_ps
t "pause without a cgroup is refused" test_pause_without_cgroup
t "resource limits without a cgroup: an error naming the field" test_resources_refused
t "cgroupsPath without delegation is refused" test_cgroups_path_refused
t "a user namespace is required" test_userns_required
t "an unmapped gid= mount option is refused" test_unmapped_mount_gid
t "sysfs without a network namespace: the host's bound" test_sysfs_fallback
t "another user can't see or touch the container" test_other_user
t "--rootless false|true|bogus" test_rootless_false
t "multi-range maps through newuidmap and /etc/subuid" test_multi_range_newuidmap
t "plan as the user" test_plan
t "features: rootless" test_features
finish
