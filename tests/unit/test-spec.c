/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config.json parser (libcontainer/spec/): valid configs with their
 * parsed values, invalid ones with their exact error (JSON path included),
 * the template round trip, process.json, resources, the mount option table
 * and `husk features`.  JSON is written with ' for " to stay readable.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <yajl/yajl_tree.h>

#include "config.h"
#include "husk/husk.h"
#include "internal.h"
#include "state/lifecycle.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ' -> " (no test needs a literal ') */
static char *q(const char *s)
{
	char *r = strdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* the error message, for diagnostics */
#define M(e) ((e).msg ? (e).msg : "")

static const char *str(yajl_val v)
{
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

static struct husk_spec *parse(const char *json, struct husk_error *e)
{
	char *text = q(json);
	struct husk_spec *s = NULL;

	if (husk_spec_parse(text, strlen(text), "config.json", &s, e) < 0)
		s = NULL;
	free(text);
	return s;
}

#include "test-spec.h"

static void test_bad(void)
{
	for (size_t i = 0; i < n_bad; i++) {
		struct husk_error e = {0};
		struct husk_spec *s = parse(bad[i].json, &e);
		bool good = s == NULL && e.msg && strcmp(e.msg, bad[i].msg) == 0;

		ok(good, "rejects: %s", bad[i].msg);
		if (!good)
			printf("#   got: %s\n", s ? "(parsed)" : e.msg);
		husk_spec_free(s);
		husk_error_clear(&e);
	}
	for (size_t i = 0; i < n_unsupported; i++) {
		struct husk_error e = {0};
		struct husk_spec *s = parse(unsupported[i].json, &e);
		const char *path = unsupported[i].path;
		bool refuse = path == NULL || !husk_spec_field_supported(path);
		int r = s ? husk_spec_check_supported(s, "config.json", &e) : -2;
		bool good =
		    refuse ? r == -1 && e.msg && strcmp(e.msg, unsupported[i].msg) == 0 : r == 0;

		if (refuse)
			ok(good, "check_supported refuses: %s", unsupported[i].msg);
		else
			ok(good, "check_supported accepts %s, which husk applies", path);
		if (!good)
			printf("#   got: %s\n", r == -2 ? "parse failed"
						: e.msg ? e.msg
							: "(accepted)");
		husk_spec_free(s);
		husk_error_clear(&e);
	}
}

static void test_nesting_and_nul(void)
{
	char deep[300];
	struct husk_error e = {0};
	struct husk_spec *s = NULL;
	const char nul[] = "{\"ociVersion\": \"1.0.0\"\0, \"root\": {\"path\": \"r\"}}";
	int r;

	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	r = husk_spec_parse(deep, strlen(deep), "config.json", &s, &e);
	ok(r < 0 && e.msg &&
	       strcmp(e.msg, "config.json: invalid JSON: nested too deep at line 1, column 65") ==
		   0,
	   "deep nesting is refused before yajl (%s)", M(e));
	husk_error_clear(&e);
	r = husk_spec_parse(nul, sizeof nul - 1, "config.json", &s, &e);
	ok(r < 0 && e.msg &&
	       strcmp(e.msg, "config.json: ociVersion: invalid JSON: NUL byte in the text at line "
			     "1, column 23") == 0,
	   "a NUL byte inside the text is refused (%s)", M(e));
	husk_error_clear(&e);
}

static void test_full(void)
{
	struct husk_error e = {0};
	struct husk_spec *s = parse(full, &e);
	const struct husk_process *p;
	const struct husk_linux *l;
	const struct husk_resources *r;

	ok(s != NULL, "full config parses (%s)", M(e));
	if (s == NULL)
		return;
	p = &s->process;
	l = &s->linux_;
	r = &l->resources;
	ok(strcmp(s->oci_version, "1.3.0") == 0 && strcmp(s->root_path, "/var/rootfs") == 0 &&
	       s->root_readonly && strcmp(s->hostname, "box") == 0 &&
	       strcmp(s->domainname, "example.org") == 0,
	   "top level: version, root, hostname, domainname");
	ok(s->n_mounts == 2 && strcmp(s->mounts[0].destination, "/tmp") == 0 &&
	       strcmp(s->mounts[0].type, "tmpfs") == 0 &&
	       strcmp(s->mounts[0].options[1], "mode=755") == 0 &&
	       s->mounts[0].options[2] == NULL && s->mounts[1].type == NULL &&
	       strcmp(s->mounts[1].source, "/srv") == 0,
	   "mounts");
	ok(s->has_process && p->terminal && p->has_console_size && p->console_height == 25 &&
	       p->console_width == 80 && p->user.uid == 1000 && p->user.gid == 2147483647 &&
	       p->user.has_umask && p->user.umask == 18 && p->user.n_additional_gids == 2 &&
	       p->user.additional_gids[1] == 6,
	   "process: terminal, console size, user (gid 2147483647, the highest)");
	ok(strv_len(p->args) == 3 && strcmp(p->args[2], "echo hi") == 0 && strv_len(p->env) == 2 &&
	       strcmp(p->cwd, "/root") == 0,
	   "process: args, env, cwd");
	ok(p->has_capabilities && strv_len(p->capabilities.bounding) == 2 &&
	       p->capabilities.inheritable && p->capabilities.inheritable[0] == NULL &&
	       strcmp(p->capabilities.ambient[0], "CAP_KILL") == 0,
	   "process: capabilities (an empty set is not an absent one)");
	ok(p->n_rlimits == 2 && p->rlimits[0].type == RLIMIT_NOFILE && p->rlimits[0].soft == 1024 &&
	       p->rlimits[0].hard == UINT64_MAX && p->rlimits[1].type == RLIMIT_CORE &&
	       p->rlimits[1].soft == 9223372036854775808ULL &&
	       strcmp(p->rlimits[1].type_name, "RLIMIT_CORE") == 0,
	   "process: rlimits with uint64 values above INT64_MAX");
	ok(p->no_new_privileges && p->has_oom_score_adj && p->oom_score_adj == -1000,
	   "process: noNewPrivileges, oomScoreAdj");
	ok(p->has_scheduler && p->scheduler.policy_value == 6 && p->scheduler.has_nice &&
	       p->scheduler.nice == -20 && p->scheduler.has_priority &&
	       p->scheduler.flags_value == 0x3 && p->scheduler.runtime == 10000000 &&
	       p->scheduler.deadline == UINT64_MAX && p->scheduler.period == 30000000,
	   "process: scheduler");
	ok(p->has_io_priority && p->io_priority.class_value == 3 && p->io_priority.priority == 7 &&
	       strcmp(p->exec_cpu_affinity_final, "0-1,3") == 0,
	   "process: ioPriority, execCPUAffinity");
	ok(s->hooks[HUSK_HOOK_PRESTART].n == 1 && s->hooks[HUSK_HOOK_CREATE_RUNTIME].n == 1 &&
	       s->hooks[HUSK_HOOK_CREATE_RUNTIME].hooks[0].has_timeout &&
	       s->hooks[HUSK_HOOK_CREATE_RUNTIME].hooks[0].timeout == 5 &&
	       strcmp(s->hooks[HUSK_HOOK_CREATE_RUNTIME].hooks[0].env[0], "X=1") == 0 &&
	       s->hooks[HUSK_HOOK_POSTSTOP].n == 2 && s->hooks[HUSK_HOOK_POSTSTART].n == 0 &&
	       !s->hooks[HUSK_HOOK_PRESTART].hooks[0].has_timeout,
	   "hooks");
	ok(s->n_annotations == 2 && strcmp(s->annotations[0].key, "io.x") == 0 &&
	       strcmp(s->annotations[1].value, "") == 0,
	   "annotations");
	ok(l->namespaces[HUSK_NS_TIME].present && l->namespaces[HUSK_NS_PID].path == NULL &&
	       strcmp(l->namespaces[HUSK_NS_NETWORK].path, "/run/netns/n") == 0,
	   "linux: namespaces");
	ok(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000 &&
	       l->uid_mappings[0].size == 65536 && l->n_gid_mappings == 2 &&
	       l->gid_mappings[1].host_id == 2147483647,
	   "linux: id mappings");
	ok(l->time_offsets[0].present && l->time_offsets[0].secs == INT64_MIN &&
	       l->time_offsets[0].nanosecs == 999999999 && l->time_offsets[1].present &&
	       l->time_offsets[1].secs == INT64_MAX,
	   "linux: timeOffsets at the int64 edges");
	ok(l->n_devices == 2 && l->devices[0].major == 10 && l->devices[0].minor == 229 &&
	       l->devices[0].has_file_mode && l->devices[0].file_mode == 438 &&
	       l->devices[0].has_uid && !l->devices[1].has_uid &&
	       strcmp(l->devices[1].type, "p") == 0,
	   "linux: devices");
	ok(l->has_resources && r->n_devices == 2 && !r->devices[0].allow &&
	       r->devices[0].type == NULL && r->devices[1].has_major &&
	       strcmp(r->devices[1].access, "rw") == 0,
	   "resources: devices");
	ok(r->has_memory && r->memory.limit == 536870912 && r->memory.swap == -1 &&
	       r->memory.kernel_tcp == INT64_MAX && r->memory.has_swappiness &&
	       r->memory.swappiness == 0 && r->memory.disable_oom_killer &&
	       r->memory.has_use_hierarchy && !r->memory.use_hierarchy &&
	       r->memory.check_before_update,
	   "resources: memory");
	ok(r->has_cpu && r->cpu.shares == 262144 && r->cpu.quota == INT64_MIN && r->cpu.has_burst &&
	       r->cpu.realtime_runtime == 950000 && strcmp(r->cpu.cpus, "0-1") == 0 &&
	       r->cpu.has_idle && r->cpu.idle == 1,
	   "resources: cpu");
	ok(r->has_pids && r->has_pids_limit && r->pids_limit == -1, "resources: pids");
	ok(r->has_blkio && r->blkio.leaf_weight == 65535 && r->blkio.n_weight_device == 1 &&
	       r->blkio.weight_device[0].weight == 500 &&
	       !r->blkio.weight_device[0].has_leaf_weight && r->blkio.throttle_read_bps.n == 1 &&
	       r->blkio.throttle_read_bps.v[0].rate == UINT64_MAX &&
	       r->blkio.throttle_write_iops.v[0].minor == 16 && r->blkio.throttle_write_bps.n == 0,
	   "resources: blockIO");
	ok(r->n_hugepage_limits == 1 && r->hugepage_limits[0].limit == 9223372036854772000ULL &&
	       r->has_class_id && r->class_id == 1048577 && r->n_net_priorities == 1 &&
	       r->n_rdma == 1 && strcmp(r->rdma[0].device, "mlx5_1") == 0 &&
	       r->rdma[0].hca_objects == 10000 && r->n_unified == 2 &&
	       strcmp(r->unified[1].value, "1G") == 0,
	   "resources: hugepages, network, rdma, unified");
	ok(strcmp(l->rootfs_propagation, "rslave") == 0 && l->has_seccomp &&
	       l->seccomp.has_default_errno_ret && l->seccomp.default_errno_ret == 38 &&
	       strv_len(l->seccomp.architectures) == 2 && l->seccomp.n_syscalls == 2 &&
	       l->seccomp.syscalls[1].has_errno_ret &&
	       l->seccomp.syscalls[1].args[0].value == UINT64_MAX &&
	       l->seccomp.syscalls[1].args[0].op == HUSK_SCMP_CMP_MASKED_EQ &&
	       !l->seccomp.syscalls[0].has_errno_ret,
	   "linux: rootfsPropagation, seccomp (arg value 2^64-1)");
	ok(l->n_sysctl == 4 && strv_len(l->masked_paths) == 1 && strv_len(l->readonly_paths) == 2 &&
	       l->has_personality && strcmp(l->personality_domain, "LINUX32") == 0,
	   "linux: sysctl, masked/readonly paths, personality");
	husk_spec_free(s);
}

static void test_semantics(void)
{
	struct husk_error e = {0};
	struct husk_spec *s;
	int r;

	/* the last of duplicate keys wins, as in Go; null is absent */
	s = parse(CFG(", 'hostname': null, 'root': {'path': 'second'}"), &e);
	ok(s && strcmp(s->root_path, "second") == 0 && s->hostname == NULL,
	   "duplicate keys: the last wins; null is absent");
	husk_spec_free(s);

	/* in maps too: one entry per key, the last value */
	s = parse(CFG(", 'annotations': {'a': '1', 'b': '2', 'a': '3', 'c': '', 'a': '4'}"), &e);
	ok(s && s->n_annotations == 3 && strcmp(s->annotations[0].key, "b") == 0 &&
	       strcmp(s->annotations[1].key, "c") == 0 && strcmp(s->annotations[2].key, "a") == 0 &&
	       strcmp(s->annotations[2].value, "4") == 0,
	   "duplicate map keys: one entry, the last value");
	husk_spec_free(s);

	/*
	 * many annotations: not quadratic (the time is not checked under ASan,
	 * whose realloc makes yajl_tree itself quadratic)
	 */
	{
		enum { N = 10000 };
		size_t cap = N * 32 + 128, len;
		char *big = xmalloc0(cap);
		struct timespec t0, t1;
		double ms;

		len = (size_t)snprintf(big, cap,
				       "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": "
				       "\"r\"}, \"annotations\": {");
		for (int i = 0; i < N; i++)
			len += (size_t)snprintf(big + len, cap - len, "%s\"k%d\": \"v\"",
						i ? "," : "", i % (N / 2));
		len += (size_t)snprintf(big + len, cap - len, "}}");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = husk_spec_parse(big, len, "config.json", &s, &e);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		/* timing lives in bench/, never in a test: this checks the result only */
		(void)ms;
		ok(r == 0 && s->n_annotations == N / 2, "%d annotations (half repeated) (%s)", N,
		   M(e));
		if (r == 0)
			husk_spec_free(s);
		husk_error_clear(&e);
		free(big);
	}

	/* a minimal config: no process, no linux */
	s = parse("{'ociVersion': '1.0.2-dev', 'root': {'path': 'rootfs'}}", &e);
	ok(s && !s->has_process && !s->has_linux && s->n_mounts == 0 && !s->root_readonly,
	   "minimal config (%s)", M(e));
	husk_spec_free(s);

	/* sysctls allowed by their namespace; an empty namespace path means a new one */
	s = parse(
	    CFG(", 'hostname': 'h', 'linux': {'namespaces': [{'type': 'uts'}, {'type': 'ipc'},"
		" {'type': 'network', 'path': ''}], 'sysctl': {'net/ipv4/ip_forward': '1',"
		" 'kernel.hostname': 'h', 'kernel.sem': '1 2 3 4'}}"),
	    &e);
	ok(s && s->linux_.namespaces[HUSK_NS_NETWORK].present &&
	       s->linux_.namespaces[HUSK_NS_NETWORK].path == NULL,
	   "namespaced sysctls accepted, empty ns path = new (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);

	/* a joined user namespace needs no mappings */
	s = parse(CFG(", 'linux': {'namespaces': [{'type': 'user', 'path': '/proc/1/ns/user'},"
		      " {'type': 'mount'}]}"),
		  &e);
	r = s ? husk_spec_check_supported(s, "config.json", &e) : -1;
	ok(r == 0, "joined user namespace without mappings (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);

	/* linux.mountLabel is applied (rootfs: context= where SELinux is on) */
	s = parse(CFG(LINUX(", 'mountLabel': 'system_u:object_r:container_file_t:s0'")), &e);
	r = s ? husk_spec_check_supported(s, "config.json", &e) : -1;
	ok(r == 0 && strcmp(s->linux_.mount_label, "system_u:object_r:container_file_t:s0") == 0,
	   "linux.mountLabel parsed and accepted (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);

	/* empty LSM labels count as unset */
	s = parse(CFG(PROC(", 'apparmorProfile': '', 'selinuxLabel': ''")
			  LINUX(", 'mountLabel': '', 'resources': {'pids': {}}")),
		  &e);
	r = s ? husk_spec_check_supported(s, "config.json", &e) : -1;
	ok(r == 0 && s->linux_.resources.has_pids && !s->linux_.resources.has_pids_limit,
	   "empty labels pass check_supported; pids without limit (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);

	/* idmapped mounts are applied (rootfs' idmap.c): accepted */
	s = parse(
	    CFG(", 'mounts': [{'destination': '/b', 'source': '/s', 'options': ['rbind',"
		" 'idmap'], 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 10}],"
		" 'gidMappings': [{'containerID': 0, 'hostID': 2000, 'size': 1}]}]" LINUX("")),
	    &e);
	r = s ? husk_spec_check_supported(s, "config.json", &e) : -1;
	ok(r == 0 && s->mounts[0].n_uid_mappings == 1 && s->mounts[0].uid_mappings[0].size == 10 &&
	       s->mounts[0].gid_mappings[0].host_id == 2000,
	   "mounts[].uidMappings/gidMappings parsed and accepted (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);

	/* the file name given is the one in errors */
	{
		char *t = q("{'ociVersion': '1.0.0'}");
		s = NULL;
		r = husk_spec_parse(t, strlen(t), "/b/config.json", &s, &e);
		ok(r < 0 && strcmp(e.msg, "/b/config.json: root: missing required field") == 0,
		   "errors name the file given (%s)", M(e));
		free(t);
		husk_error_clear(&e);
	}
}

static int load(const char *path, struct husk_spec **s, struct husk_error *e)
{
	cleanup_free char *json = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &json, &len, e) < 0)
		return -1;
	return husk_spec_parse(json, len, "config.json", s, e);
}

static void test_load(void)
{
	char dir[] = "/tmp/husk-test-spec-XXXXXX";
	char path[64];
	struct husk_error e = {0};
	struct husk_spec *s = NULL;
	char *t;
	int fd, r;

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp");
		return;
	}
	/* what create does with a bundle's config.json (create.c: load_config) */
	snprintf(path, sizeof path, "%s/config.json", dir);
	r = load(path, &s, &e);
	ok(r < 0 && e.msg && strstr(e.msg, "No such file") && strstr(e.msg, path),
	   "load of a missing file fails naming it (%s)", M(e));
	husk_error_clear(&e);
	t = q(CFG(", 'process': {'cwd': 'x', 'user': {'uid': 0, 'gid': 0}}"));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok(fd >= 0 && write(fd, t, strlen(t)) == (ssize_t)strlen(t), "write %s", path);
	close(fd);
	r = load(path, &s, &e);
	ok(r < 0 && e.msg &&
	       strcmp(e.msg, "config.json: process.cwd: `x` is not an absolute path") == 0,
	   "load: errors are prefixed with config.json (%s)", M(e));
	husk_error_clear(&e);
	free(t);
	unlink(path);
	rmdir(dir);
}

static void test_template(bool rootless, bool cgroupns)
{
	struct husk_error e = {0};
	struct husk_spec *s = NULL;
	char *t = husk_spec_template(rootless, cgroupns);
	const struct husk_linux *l;
	bool found_gid5 = false;
	int r;

	r = t ? husk_spec_parse(t, strlen(t), "config.json", &s, &e) : -1;
	ok(r == 0, "template (rootless=%d) parses (%s)", rootless, M(e));
	/* runc: the cgroup namespace on a pure cgroup v2 host only */
	ok(s && s->linux_.namespaces[HUSK_NS_CGROUP].present == cgroupns,
	   "template (rootless=%d, cgroupns=%d): cgroup namespace as asked", rootless, cgroupns);
	if (s == NULL) {
		free(t);
		return;
	}
	l = &s->linux_;
	r = husk_spec_check_supported(s, "config.json", &e);
	ok(r == 0, "template (rootless=%d) passes check_supported (%s)", rootless, M(e));
	ok(strcmp(s->oci_version, "1.3.0") == 0 && strcmp(s->hostname, "husk") == 0 &&
	       s->root_readonly && strcmp(s->root_path, "rootfs") == 0 && s->process.terminal &&
	       strcmp(s->process.args[0], "sh") == 0 && strcmp(s->process.cwd, "/") == 0 &&
	       s->process.no_new_privileges && s->process.n_rlimits == 1 &&
	       s->process.rlimits[0].hard == 1024 &&
	       strv_len(s->process.capabilities.bounding) == 3 &&
	       s->process.capabilities.inheritable == NULL && s->n_mounts == 7 &&
	       strv_len(l->masked_paths) >= 10 && strv_len(l->readonly_paths) == 5,
	   "template (rootless=%d): runc's defaults", rootless);
	for (size_t i = 0; i < s->n_mounts; i++)
		for (char **o = s->mounts[i].options; o && *o; o++)
			if (strcmp(*o, "gid=5") == 0)
				found_gid5 = true;
	if (rootless)
		ok(l->namespaces[HUSK_NS_USER].present && !l->namespaces[HUSK_NS_NETWORK].present &&
		       l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == geteuid() &&
		       l->uid_mappings[0].container_id == 0 &&
		       l->gid_mappings[0].host_id == getegid() && !found_gid5 &&
		       strcmp(s->mounts[5].type, "none") == 0 &&
		       strcmp(s->mounts[5].options[0], "rbind") == 0 && !l->has_resources,
		   "rootless template: user ns with our ids, no netns, /sys rbind, no gid=5");
	else
		ok(!l->namespaces[HUSK_NS_USER].present && l->namespaces[HUSK_NS_NETWORK].present &&
		       found_gid5 && strcmp(s->mounts[5].type, "sysfs") == 0 &&
		       l->resources.n_devices == 1 && !l->resources.devices[0].allow,
		   "template: netns, sysfs, gid=5, deny-all device rule");
	husk_spec_free(s);
	husk_error_clear(&e);
	free(t);
}

static void test_process_json(void)
{
	struct husk_error e = {0};
	struct husk_process p;
	int r;
	char *t = q("{'terminal': false, 'user': {'uid': 5, 'gid': 6}, 'args': ['ls', '-l'],"
		    " 'env': ['A=b'], 'cwd': '/tmp', 'capabilities': {'bounding': ['CAP_KILL']},"
		    " 'noNewPrivileges': true, 'rlimits': [{'type': 'RLIMIT_NPROC', 'soft': 10,"
		    " 'hard': 20}], 'oomScoreAdj': 5}");

	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r == 0 && p.user.uid == 5 && p.user.gid == 6 && strcmp(p.args[1], "-l") == 0 &&
	       strcmp(p.cwd, "/tmp") == 0 && p.has_capabilities && p.no_new_privileges &&
	       p.n_rlimits == 1 && p.rlimits[0].type == RLIMIT_NPROC && p.rlimits[0].hard == 20 &&
	       p.oom_score_adj == 5,
	   "process.json parses (%s)", M(e));
	husk_process_clear(&p);
	ok(p.args == NULL && p.cwd == NULL, "husk_process_clear zeroes");
	free(t);
	t = q("{'user': {'uid': 5, 'gid': 6}, 'args': [], 'cwd': '/', 'selinuxLabel': 'x'}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r == 0 && husk_process_check_supported(&p, "process.json", &e) < 0 &&
	       strcmp(M(e), "process.json: args: must not be empty") == 0,
	   "process.json: args must not be empty (%s)", M(e));
	husk_error_clear(&e);
	strv_free(p.args);
	p.args = xmalloc0(2 * sizeof *p.args);
	p.args[0] = xstrdup("ls");
	r = husk_process_check_supported(&p, NULL, &e);
	if (husk_spec_field_supported("process.selinuxLabel"))
		ok(r == 0 && strcmp(p.selinux_label, "x") == 0,
		   "process.json: selinuxLabel accepted, husk applies it (%s)", M(e));
	else
		ok(r < 0 && strcmp(M(e), "process.json: selinuxLabel: not supported yet") == 0,
		   "process.json: selinuxLabel not supported yet (%s)", M(e));
	husk_error_clear(&e);
	free(p.selinux_label);
	p.selinux_label = NULL;
	ok(husk_process_check_supported(&p, NULL, &e) == 0, "process.json: supported (%s)", M(e));
	husk_process_clear(&p);
	free(t);
	t = q("{'user': {'uid': 5, 'gid': 6}, 'args': ['ls']}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r < 0 && strcmp(e.msg, "process.json: cwd: missing required field") == 0 &&
	       p.args == NULL,
	   "process.json error has a path from its top (%s)", M(e));
	husk_error_clear(&e);
	free(t);
	/* runc: exec's process.json without user (or uid, gid) runs as 0:0 */
	t = q("{'args': ['ls'], 'cwd': '/'}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r == 0 && p.user.uid == 0 && p.user.gid == 0, "process.json: no user is 0:0 (%s)", M(e));
	husk_process_clear(&p);
	husk_error_clear(&e);
	free(t);
	t = q("{'args': ['ls'], 'cwd': '/', 'user': {'uid': 5}}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r == 0 && p.user.uid == 5 && p.user.gid == 0, "process.json: no gid is 0 (%s)", M(e));
	husk_process_clear(&p);
	husk_error_clear(&e);
	free(t);
	t = q("{'args': ['ls'], 'cwd': '/', 'user': {'uid': 'x'}}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r < 0 && strcmp(M(e), "process.json: user.uid: expected a uint32, got a string") == 0,
	   "process.json: a bad uid is still refused (%s)", M(e));
	husk_error_clear(&e);
	free(t);
	/* unknown capability names parse (the plan skips them with a warning) */
	t = q("{'args': ['ls'], 'cwd': '/', 'capabilities': {'bounding': ['CAP_NOPE'],"
	      " 'effective': ['CAP_NOPE'], 'ambient': ['']}}");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r == 0 && strcmp(p.capabilities.bounding[0], "CAP_NOPE") == 0,
	   "process.json: unknown capability names parse (%s)", M(e));
	husk_process_clear(&p);
	husk_error_clear(&e);
	free(t);
	t = q("['ls']");
	r = husk_process_parse(t, strlen(t), "process.json", &p, &e);
	ok(r < 0 && strcmp(e.msg, "process.json: expected an object, got an array") == 0,
	   "process.json must be an object (%s)", M(e));
	husk_error_clear(&e);
	free(t);
}

static void test_resources_json(void)
{
	struct husk_error e = {0};
	struct husk_resources r;
	int rc;
	char *t = q("{'memory': {'limit': 1048576, 'swap': 2097152}, 'cpu': {'quota': 50000,"
		    " 'period': 100000, 'cpus': '0'}, 'pids': {'limit': 100},"
		    " 'blockIO': {'weight': 100}, 'unified': {'pids.max': '50'}}");

	rc = husk_resources_parse(t, strlen(t), "resources.json", &r, &e);
	ok(rc == 0 && r.has_memory && r.memory.limit == 1048576 && r.memory.has_swap &&
	       !r.memory.has_reservation && r.has_cpu && r.cpu.quota == 50000 &&
	       r.cpu.period == 100000 && r.has_pids_limit && r.pids_limit == 100 && r.has_blkio &&
	       r.blkio.weight == 100 && r.n_unified == 1 &&
	       strcmp(r.unified[0].key, "pids.max") == 0 && r.n_devices == 0,
	   "resources JSON parses (%s)", M(e));
	husk_resources_clear(&r);
	free(t);
	t = q("{'memory': {'limit': '1G'}}");
	rc = husk_resources_parse(t, strlen(t), NULL, &r, &e);
	ok(rc < 0 &&
	       strcmp(e.msg, "resources.json: memory.limit: expected an int64, got a string") == 0,
	   "resources JSON error (%s)", M(e));
	husk_error_clear(&e);
	free(t);
}

static void test_tables(void)
{
	const struct husk_name_value *x86 =
	    husk_table_find(&husk_seccomp_arch_table, "SCMP_ARCH_X86_64");
	const struct husk_name_value *arm =
	    husk_table_find(&husk_seccomp_arch_table, "SCMP_ARCH_AARCH64");
	const struct husk_name_value *ppc =
	    husk_table_find(&husk_seccomp_arch_table, "SCMP_ARCH_PPC64LE");
	const struct husk_name_value *errno_act =
	    husk_table_find(&husk_seccomp_action_table, "SCMP_ACT_ERRNO");
	const struct husk_mount_opt *o;
	bool sorted = true;

	for (size_t i = 1; i < husk_n_mount_opts; i++)
		if (strcmp(husk_mount_opts[i - 1].name, husk_mount_opts[i].name) >= 0)
			sorted = false;
	ok(sorted && husk_n_mount_opts >= 60, "mount option table sorted (%zu options)",
	   husk_n_mount_opts);
	o = husk_mount_opt_find("rro");
	ok(o && o->kind == HUSK_MOUNT_OPT_RECURSIVE && o->attr_set == MOUNT_ATTR_RDONLY,
	   "rro: recursive read-only");
	o = husk_mount_opt_find("rbind");
	ok(o && o->kind == HUSK_MOUNT_OPT_FLAG && o->flags == (MS_BIND | MS_REC) && !o->clear,
	   "rbind: MS_BIND|MS_REC");
	o = husk_mount_opt_find("rw");
	ok(o && o->clear && o->flags == MS_RDONLY, "rw clears MS_RDONLY");
	o = husk_mount_opt_find("rnoatime");
	ok(o && o->attr_set == MOUNT_ATTR_NOATIME && o->attr_clr == MOUNT_ATTR__ATIME,
	   "rnoatime: the kernel's atime rule");
	o = husk_mount_opt_find("rslave");
	ok(o && o->kind == HUSK_MOUNT_OPT_PROPAGATION && o->flags == (MS_SLAVE | MS_REC),
	   "rslave: propagation");
	ok(husk_mount_opt_find("ridmap") && husk_mount_opt_find("ridmap")->recursive &&
	       husk_mount_opt_find("tmpcopyup") &&
	       husk_mount_opt_find("tmpcopyup")->kind == HUSK_MOUNT_OPT_TMPCOPYUP &&
	       husk_mount_opt_find("mode=755") == NULL && husk_mount_opt_find("") == NULL,
	   "idmap/tmpcopyup extensions; data options are not in the table");
	ok(strcmp(husk_ns_name(HUSK_NS_NETWORK), "network") == 0 &&
	       husk_ns_clone_flag(HUSK_NS_MOUNT) == CLONE_NEWNS &&
	       husk_ns_clone_flag(HUSK_NS_TIME) == 0x80 &&
	       husk_ns_from_name("time") == HUSK_NS_TIME && husk_ns_from_name("net") == -1 &&
	       husk_ns_name(HUSK_NS_N) == NULL,
	   "namespace table");
	ok(x86 && x86->value == AUDIT_ARCH_X86_64 && arm && arm->value == AUDIT_ARCH_AARCH64 &&
	       ppc && ppc->value == AUDIT_ARCH_PPC64LE && errno_act &&
	       errno_act->value == SECCOMP_RET_ERRNO &&
	       husk_table_find(&husk_rlimit_table, "RLIMIT_RTTIME")->value == RLIMIT_RTTIME &&
	       husk_table_find(&husk_sched_policy_table, "SCHED_IDLE")->value == SCHED_IDLE &&
	       husk_table_find(&husk_sched_flag_table, "SCHED_FLAG_UTIL_CLAMP_MAX")->value == 0x40,
	   "seccomp, rlimit and scheduler tables carry the kernel's numbers");
	ok(strcmp(husk_hook_name(HUSK_HOOK_CREATE_CONTAINER), "createContainer") == 0 &&
	       strcmp(husk_hook_name(HUSK_HOOK_POSTSTOP), "poststop") == 0,
	   "hook names");
}

static bool list_has(yajl_val a, const char *s)
{
	for (size_t i = 0; YAJL_IS_ARRAY(a) && i < a->u.array.len; i++)
		if (YAJL_IS_STRING(a->u.array.values[i]) &&
		    strcmp(a->u.array.values[i]->u.string, s) == 0)
			return true;
	return false;
}

static void test_features(void)
{
	char *f = husk_features_json();
	char buf[256];
	yajl_val t = f ? yajl_tree_parse(f, buf, sizeof buf) : NULL;
	const char *p_max[] = {"ociVersionMax", NULL};
	const char *p_hooks[] = {"hooks", NULL};
	const char *p_mo[] = {"mountOptions", NULL};
	const char *p_ns[] = {"linux", "namespaces", NULL};
	const char *p_caps[] = {"linux", "capabilities", NULL};
	const char *p_sc[] = {"linux", "seccomp", "enabled", NULL};
	const char *p_v2[] = {"linux", "cgroup", "v2", NULL};
	const char *p_idmap[] = {"linux", "mountExtensions", "idmap", "enabled", NULL};
	const char *p_acts[] = {"linux", "seccomp", "actions", NULL};
	bool seccomp_on;
	yajl_val caps, mo;

	ok(t != NULL, "features is JSON");
	if (t == NULL) {
		free(f);
		return;
	}
	ok(strcmp(str(yajl_tree_get(t, p_max, yajl_t_string)), "1.3.0") == 0,
	   "features: ociVersionMax 1.3.0");
	ok(yajl_tree_get(t, p_hooks, yajl_t_array)->u.array.len == HUSK_HOOK_N &&
	       list_has(yajl_tree_get(t, p_hooks, yajl_t_array), "startContainer"),
	   "features: hooks");
	mo = yajl_tree_get(t, p_mo, yajl_t_array);
	ok(mo && mo->u.array.len == husk_n_mount_opts && list_has(mo, "rnosymfollow") &&
	       list_has(mo, "idmap"),
	   "features: mountOptions from the table");
	ok(list_has(yajl_tree_get(t, p_ns, yajl_t_array), "time") &&
	       yajl_tree_get(t, p_ns, yajl_t_array)->u.array.len == HUSK_NS_N,
	   "features: namespaces");
	caps = yajl_tree_get(t, p_caps, yajl_t_array);
	ok(caps && caps->u.array.len == (size_t)husk_cap_last() + 1 && list_has(caps, "CAP_BPF"),
	   "features: capabilities from the caps table");
	seccomp_on = HAVE_SECCOMP && husk_spec_field_supported("linux.seccomp");
	ok(YAJL_IS_TRUE(yajl_tree_get(t, p_sc, yajl_t_any)) == seccomp_on &&
	       (!seccomp_on ||
		list_has(yajl_tree_get(t, p_acts, yajl_t_array), "SCMP_ACT_NOTIFY")) &&
	       YAJL_IS_TRUE(yajl_tree_get(t, p_v2, yajl_t_any)),
	   "features: seccomp enabled=%d as built and as check_supported says; cgroup v2",
	   seccomp_on);
	ok(YAJL_IS_TRUE(yajl_tree_get(t, p_idmap, yajl_t_any)) ==
	       husk_spec_field_supported("mounts.uidMappings"),
	   "features: idmap as check_supported treats mounts[].uidMappings");
	yajl_tree_free(t);
	free(f);
}

int main(void)
{
	test_bad();
	test_nesting_and_nul();
	test_full();
	test_semantics();
	test_load();
	test_template(false, true);
	test_template(true, true);
	test_template(false, false);
	test_template(true, false);
	test_process_json();
	test_resources_json();
	test_tables();
	test_features();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
