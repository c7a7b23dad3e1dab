#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# husk plan: the plan of create, printed without doing anything; and the
# runtime-spec rules the plan decides (no mount namespace, no process).
. "$(dirname "$0")/lib.sh"

GOLDEN=$FT_DIR/golden

# the default `husk spec` config in $B (id plan-golden: cgroup /husk/plan-golden);
# spec's namespaces follow the host's cgroup layout (the cgroup namespace on
# pure v2 only, like runc's): the one for a v2 host, so the goldens hold anywhere
spec_bundle() {
	rm -f "$B/config.json"
	(cd "$B" && HUSK_CGROUP_LAYOUT=v2 rt spec)
}

# plan_json LAYOUT: the JSON plan of the default config, bundle path normalised
plan_json() {
	HUSK_CGROUP_LAYOUT=$1 rt plan --format json -b "$B" plan-golden >"$TT/plan-$1.json"
	sed -i "s|$B|@BUNDLE@|g" "$TT/plan-$1.json"
}

# nothing of id $1 exists: no state dir, no cgroup (husk's default /husk/ID or husk-test/CGNAME)
assert_nothing_made() {
	[ ! -e "$ROOT/$1" ] || die "state dir $ROOT/$1 was made"
	for d in /sys/fs/cgroup/husk/"$1" /sys/fs/cgroup/*/husk/"$1"; do
		[ ! -e "$d" ] || die "cgroup $d was made"
	done
	[ -z "$(cgroup_dirs "$CGNAME")" ] || die "cgroup made: $(cgroup_dirs "$CGNAME")"
}

golden() { # LAYOUT
	is_husk || skip "husk plan is husk's own"
	spec_bundle
	plan_json "$1"
	if ! diff -u "$GOLDEN/plan-$1.json" "$TT/plan-$1.json"; then
		die "plan --format json differs from golden/plan-$1.json"
	fi
	assert_nothing_made plan-golden
}
test_plan_golden_v1() { golden v1; }
test_plan_golden_v2() { golden v2; }
test_plan_golden_hybrid() { golden hybrid; }

test_plan_text() {
	is_husk || skip "husk plan is husk's own"
	cfg 'l["resources"] = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	HUSK_CGROUP_LAYOUT=v2 rtc plan -b "$B" "$ID"
	assert_rc 0 "plan"
	assert_out_line "  mount: new"
	assert_out_line "  user: inherit"
	assert_out_line "cgroup: /husk-test/$CGNAME (v2)"
	assert_out_line "  memory.max = 67108864"
	assert_out_line "  pids.max = 50"
	assert_out_line "  bounding: CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE"
	assert_out_line "process: cwd / terminal no args /payload echo hello"
	HUSK_CGROUP_LAYOUT=v1 rtc plan -b "$B" "$ID"
	assert_out_line "  memory/memory.limit_in_bytes = 67108864"
	assert_out_line "  pids/pids.max = 50"
	assert_nothing_made "$ID"
}

# an invalid config: plan gives create's one-line error, exit 1, and nothing is made
plan_fails_like_create() {
	rtc create --bundle "$B" "$ID"
	assert_rc 1 "create"
	cp "$ERR" "$TT/create.err"
	assert_clean
	rtc plan -b "$B" "$ID"
	assert_rc 1 "plan"
	[ ! -s "$OUT" ] || die "plan printed a plan: $(cat "$OUT")"
	[ "$(wc -l <"$ERR")" = 1 ] || die "not one line: $(cat "$ERR")"
	diff -u "$TT/create.err" "$ERR" || die "plan's error differs from create's"
	assert_nothing_made "$ID"
}
test_plan_invalid_namespace() {
	is_husk || skip "husk plan is husk's own"
	cfg 'l["namespaces"][2]["type"] = "foo"'
	plan_fails_like_create
}
test_plan_invalid_idmap() {
	is_husk || skip "husk plan is husk's own"
	cfg 'mount("/t", "tmpfs", "tmpfs", ["idmap"])'
	plan_fails_like_create
	assert_err_has "config.json: mounts[7]: mount \`tmpfs\` on \`/t\`: idmapped mounts must be bind mounts"
}
# an idmapped mount without mappings: refused by the plan (it used to fail in the init)
test_plan_invalid_idmap_no_mappings() {
	is_husk || skip "husk plan is husk's own"
	mkdir "$B/src"
	cfg "mount('/t', 'bind', '$B/src', ['bind', 'idmap'])"
	plan_fails_like_create
	assert_err_has "config.json: mounts[7]: mount \`$B/src\` on \`/t\`: an idmapped mount needs uidMappings and gidMappings"
}

test_plan_makes_nothing() {
	is_husk || skip "husk plan is husk's own"
	rtc plan --format json -b "$B" "$ID"
	assert_rc 0 "plan"
	assert_nothing_made "$ID"
	rtc state "$ID"
	assert_rc_not0 "state after plan"
}

# config-linux.md: a namespace not listed is the runtime's.  husk does as
# runc (chroot into the rootfs) but mounts nothing in the host's namespace.
no_mount_ns() {
	cfg "rmns('mount')" "c['mounts'] = []" "l['maskedPaths'] = []" \
		"l['readonlyPaths'] = []" "c['root']['readonly'] = False"
}
test_no_mount_namespace_runs() {
	no_mount_ns
	local before after
	before=$(wc -l </proc/self/mountinfo)
	set_args /payload echo hello
	rtc run --bundle "$B" "$ID"
	assert_rc 0 "run without a mount namespace"
	assert_out_line hello
	after=$(wc -l </proc/self/mountinfo)
	assert_eq "$after" "$before" "host mounts"
	if is_husk; then
		rtc plan -b "$B" "$ID"
		assert_out_line "  mount: inherit"
	fi
}
test_no_mount_namespace_cwd_is_rootfs() {
	no_mount_ns
	echo inside >"$B/rootfs/marker"
	set_args /payload cat /marker
	rtc run --bundle "$B" "$ID"
	assert_rc 0 "run"
	assert_out_line inside
}
test_no_mount_namespace_masked_refused() {
	no_mount_ns
	cfg "l['maskedPaths'] = ['/proc/kcore']"
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "maskedPaths without a mount namespace"
	assert_clean
	is_husk && assert_err_has "config.json: linux.maskedPaths: needs a mount namespace"
	true
}
test_no_mount_namespace_mounts_refused() {
	is_husk || skip "husk refuses mounts in the host's namespace (runc would make them)"
	no_mount_ns
	cfg 'mount("/t", "tmpfs", "tmpfs")'
	rtc run --bundle "$B" "$ID"
	assert_rc 1 "mounts without a mount namespace"
	assert_err_has "config.json: linux.namespaces: no \`mount\` namespace: \`mounts\` would be mounted in the runtime's mount namespace"
	assert_clean
}

# config.md: process is OPTIONAL at create, REQUIRED when start is called
test_create_without_process() {
	cfg 'del c["process"]'
	rtc create --bundle "$B" "$ID"
	assert_rc 0 "create without process"
	assert_eq "$(status_of "$ID")" created "status after create"
	rtc start "$ID"
	assert_rc_not0 "start without process"
	is_husk && assert_err_has "config.json: process: required at start"
	assert_eq "$(status_of "$ID")" created "status after the failed start"
	rtc delete --force "$ID"
	assert_rc 0 "delete"
}
test_run_without_process() {
	cfg 'del c["process"]'
	rtc run --bundle "$B" "$ID"
	assert_rc_not0 "run without process"
	is_husk && assert_err_has "config.json: process: required to start the container"
	assert_clean
}

t plan-golden-v1 test_plan_golden_v1
t plan-golden-v2 test_plan_golden_v2
t plan-golden-hybrid test_plan_golden_hybrid
t plan-text test_plan_text
t plan-invalid-namespace test_plan_invalid_namespace
t plan-invalid-idmap test_plan_invalid_idmap
t plan-invalid-idmap-no-mappings test_plan_invalid_idmap_no_mappings
t plan-makes-nothing test_plan_makes_nothing
t no-mount-namespace-runs test_no_mount_namespace_runs
t no-mount-namespace-cwd-is-rootfs test_no_mount_namespace_cwd_is_rootfs
t no-mount-namespace-masked-refused test_no_mount_namespace_masked_refused
t no-mount-namespace-mounts-refused test_no_mount_namespace_mounts_refused
t create-without-process test_create_without_process
t run-without-process test_run_without_process
finish
