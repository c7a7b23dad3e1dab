/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plan builder (libcontainer/plan/): mount options to flags and data,
 * capability names to masks, namespaces to clone/unshare flags, the checks
 * that moved out of the init, and the cgroup files per layout.  Pure: no
 * mount, no cgroup, no process (husk_plan_build's cgroup path is decided
 * only; nothing is made).
 */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/capability.h>

#include "internal.h"
#include "plan/plan.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *what, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *what, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - ", cond ? "" : "not ", n_tests);
	va_start(ap, what);
	vprintf(what, ap);
	va_end(ap);
	printf("\n");
}

static void test_mount_opts(void)
{
	char *o1[] = {"nosuid", "noexec", "nodev", "mode=755", "ro", "rw", "size=64k", NULL};
	char *o2[] = {"rbind", "rslave", "private", "rro", "rnoatime", "idmap", "tmpcopyup", NULL};
	char *o3[] = {"bind", "ridmap", "rrw", NULL};
	struct husk_plan_mount m = {0};
	struct husk_error e = {0};

	ok(husk_plan_mount_opts(o1, &m, &e) == 0 && m.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV) &&
	       m.data && strcmp(m.data, "mode=755,size=64k") == 0 && m.n_prop == 0,
	   "flags set and cleared in order (ro then rw), unknown options are data `%s`",
	   m.data ? m.data : "");
	husk_plan_mount_clear(&m);
	ok(husk_plan_mount_opts(o2, &m, &e) == 0 && m.flags == (MS_BIND | MS_REC) &&
	       m.n_prop == 2 && m.prop[0] == (MS_SLAVE | MS_REC) && m.prop[1] == MS_PRIVATE &&
	       m.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME) &&
	       m.attr_clr == MOUNT_ATTR__ATIME && m.idmap && !m.idmap_recursive && m.tmpcopyup &&
	       m.data == NULL,
	   "rbind, propagation in order, recursive attributes, idmap, tmpcopyup");
	husk_plan_mount_clear(&m);
	ok(husk_plan_mount_opts(o3, &m, &e) == 0 && m.idmap && m.idmap_recursive &&
	       m.attr_clr == MOUNT_ATTR_RDONLY && m.attr_set == 0,
	   "ridmap is recursive; rrw clears rdonly");
	husk_plan_mount_clear(&m);
}

/*
 * Names husk does not know and ones the kernel lacks (cap 40 on a kernel
 * whose last is 39) are skipped, each with a warning naming its place.
 */
static void test_caps_skipped(void)
{
	char *bnd[] = {"CAP_KILL", "CAP_UNKNOWN", "CAP_CHECKPOINT_RESTORE", "", NULL};
	char *inh[] = {"cap_kill", NULL};
	char *flag[] = {"CAP_NOPE", "CAP_CHOWN", NULL};
	struct husk_caps caps = {.bounding = bnd, .inheritable = inh};
	struct husk_cap_masks m;
	char **w = NULL;

	husk_plan_caps(&caps, 39, &m);
	ok(m.bounding == (1ULL << CAP_KILL) && m.inheritable == 0,
	   "unknown names and caps past the kernel's last are skipped");
	husk_plan_caps(&caps, 40, &m);
	ok(m.bounding == ((1ULL << CAP_KILL) | (1ULL << 40)),
	   "cap 40 kept where the kernel has it");
	husk_plan_caps_warnings(&caps, 39, "config.json: process.capabilities", &w);
	ok(w && strv_len(w) == 4 &&
	       strcmp(w[0], "config.json: process.capabilities.bounding[1]: unknown capability "
			    "`CAP_UNKNOWN`, ignored") == 0 &&
	       strcmp(w[1], "config.json: process.capabilities.bounding[2]: capability "
			    "`CAP_CHECKPOINT_RESTORE` is not supported by the running kernel (its "
			    "last is 39), ignored") == 0 &&
	       strcmp(w[2], "config.json: process.capabilities.bounding[3]: unknown capability "
			    "``, ignored") == 0 &&
	       strcmp(w[3], "config.json: process.capabilities.inheritable[0]: unknown "
			    "capability `cap_kill`, ignored") == 0,
	   "a warning per skipped name, with its JSON path (%s)", w && w[0] ? w[0] : "none");
	husk_plan_names_warnings(flag, 40, "--cap", &w);
	ok(strv_len(w) == 5 && strcmp(w[4], "--cap: unknown capability `CAP_NOPE`, ignored") == 0,
	   "--cap names warn without a path");
	strv_free(w);
	w = NULL;
	husk_plan_caps_warnings(NULL, 39, "x", &w);
	husk_plan_caps_warnings(&(struct husk_caps){.ambient = inh + 1}, 39, "x", &w);
	ok(w == NULL, "nothing skipped: no warning");
}

static void test_caps(void)
{
	char *bnd[] = {"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", NULL};
	char *amb[] = {"CAP_NET_RAW", NULL};
	struct husk_caps caps = {.bounding = bnd, .effective = bnd, .ambient = amb};
	struct husk_cap_masks m;
	char *s;

	husk_plan_caps(&caps, 40, &m);
	ok(m.bounding == ((1ULL << CAP_CHOWN) | (1ULL << CAP_KILL) | (1ULL << CAP_SYS_ADMIN)) &&
	       m.effective == m.bounding && m.permitted == 0 && m.inheritable == 0 &&
	       m.ambient == (1ULL << CAP_NET_RAW),
	   "cap names to masks, absent lists empty");
	husk_plan_caps(NULL, 40, &m);
	ok(m.bounding == 0 && m.effective == 0 && m.ambient == 0, "no capabilities: all empty");
	test_caps_skipped();
	s = husk_plan_caps_str((1ULL << CAP_CHOWN) | (1ULL << CAP_BPF));
	ok(strcmp(s, "CAP_CHOWN CAP_BPF") == 0, "masks back to names: `%s`", s);
	free(s);
}

static struct husk_spec *spec_of(const char *json)
{
	struct husk_spec *s = NULL;
	struct husk_error e = {0};

	if (husk_spec_parse(json, strlen(json), "config.json", &s, &e) < 0) {
		printf("# parse: %s\n", e.msg);
		husk_error_clear(&e);
	}
	return s;
}

#define CFG(mounts, ns)                                                                            \
	"{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"                            \
	"\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"],"    \
	"\"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, \"execCPUAffinity\": "                  \
	"{\"initial\": \"0\", \"final\": \"0-1\"}},"                                               \
	"\"mounts\": [" mounts "], \"linux\": {\"cgroupsPath\": \"/husk-plan-test/x\","            \
	"\"namespaces\": [" ns "]}}"

static int build(const char *json, struct husk_spec **s, struct husk_plan **p, struct husk_error *e)
{
	*p = NULL;
	*s = spec_of(json);
	if (*s == NULL)
		return -1;
	return husk_plan_build(*s, "x", "/bundle", "/bundle/rootfs", NULL, p, e);
}

static void test_build(void)
{
	struct husk_spec *s;
	struct husk_plan *p;
	struct husk_error e = {0};
	char *cpus = NULL;
	int r = build(CFG("{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
			  "\"options\": [\"ro\", \"nosuid\"]},"
			  "{\"destination\": \"/d\", \"type\": \"none\", \"source\": \"data\","
			  "\"options\": [\"rbind\"]}",
			  "{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"},"
			  "{\"type\": \"network\", \"path\": \"/proc/self/ns/net\"}"),
		      &s, &p, &e);

	ok(r == 0, "a valid config plans # %s", e.msg ? e.msg : "");
	if (r == 0) {
		ok(p->ns.joins && p->ns.clone_flags == CLONE_NEWPID &&
		       p->ns.unshare_flags == CLONE_NEWNS && p->ns.cgroupns_late &&
		       !p->ns.new_userns && p->ns.mount_ns,
		   "joined network: pid at clone, mount by unshare, cgroup late");
		ok(p->n_mounts == 2 && p->mounts[0].flags == MS_NOSUID && p->dev_readonly &&
		       !p->mounts[0].bind,
		   "a read-only /dev is filled read-write and remounted at the end");
		ok(p->mounts[1].bind && strcmp(p->mounts[1].source, "/bundle/data") == 0,
		   "a relative bind source starts at the bundle: `%s`", p->mounts[1].source);
		ok(p->caps.bounding == (1ULL << CAP_KILL) && p->caps.effective == 0,
		   "process capabilities as masks");
		if (p->cpus_final)
			cpus = husk_plan_cpus_str(p->cpus_final, p->cpus_final_size);
		ok(p->cpus_initial && cpus && strcmp(cpus, "0-1") == 0,
		   "execCPUAffinity parsed into cpu sets: `%s`", cpus ? cpus : "");
		free(cpus);
	}
	husk_plan_free(p);
	husk_spec_free(s);
	husk_error_clear(&e);
}

static void test_refused(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
	    {CFG("{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"idmap\"]}",
		 "{\"type\": \"mount\"}"),
	     "config.json: mounts[0]: mount `tmpfs` on `/t`: idmapped mounts must be bind mounts"},
	    {CFG("{\"destination\": \"/t\", \"type\": \"bind\", \"source\": \"/x\","
		 "\"options\": [\"bind\", \"idmap\"]}",
		 "{\"type\": \"mount\"}"),
	     "an idmapped mount needs uidMappings and gidMappings"},
	    {CFG("{\"destination\": \"/t\", \"type\": \"tmpfs\"}", "{\"type\": \"pid\"}"),
	     "config.json: linux.namespaces: no `mount` namespace: `mounts` would be mounted"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct husk_spec *s;
		struct husk_plan *p;
		struct husk_error e = {0};
		int r = build(cases[i].json, &s, &p, &e);

		ok(s && r < 0 && e.msg && strstr(e.msg, cases[i].want), "refused: `%s` (got `%s`)",
		   cases[i].want, e.msg ? e.msg : "success");
		husk_plan_free(p);
		husk_spec_free(s);
		husk_error_clear(&e);
	}
}

static bool has(const struct husk_plan_cgfile *v, size_t n, const char *file, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].file, file) == 0 && strcmp(v[i].value, value) == 0)
			return true;
	return false;
}

static void test_cgroup_files(void)
{
	struct husk_resources r = {
	    .has_memory = true,
	    .memory = {.has_limit = true, .limit = 1 << 20, .has_swap = true, .swap = 2 << 20},
	    .has_cpu = true,
	    .cpu = {.has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000},
	    .has_pids_limit = true,
	    .pids_limit = -1,
	};
	struct husk_plan_cgfile *v;
	size_t n;
	struct husk_error e = {0};

	ok(husk_plan_cgroup_files(&r, HUSK_PLAN_LAYOUT_V2, &v, &n, &e) == 0 &&
	       has(v, n, "memory.max", "1048576") && has(v, n, "memory.swap.max", "1048576") &&
	       has(v, n, "cpu.weight", "39") && has(v, n, "cpu.max", "50000 100000") &&
	       has(v, n, "pids.max", "max") && has(v, n, "(bpf device program)", "deny a *:* rwm"),
	   "v2 files with runc's conversions");
	husk_plan_cgfiles_free(v, n);
	ok(husk_plan_cgroup_files(&r, HUSK_PLAN_LAYOUT_V1, &v, &n, &e) == 0 &&
	       has(v, n, "memory/memory.limit_in_bytes", "1048576") &&
	       has(v, n, "memory/memory.memsw.limit_in_bytes", "2097152") &&
	       has(v, n, "cpu/cpu.shares", "1024") && has(v, n, "cpu/cpu.cfs_quota_us", "50000") &&
	       has(v, n, "devices/devices.deny", "a *:* rwm") &&
	       has(v, n, "devices/devices.allow", "c 1:3 rwm"),
	   "v1 files");
	husk_plan_cgfiles_free(v, n);
}

int main(void)
{
	test_mount_opts();
	test_caps();
	test_build();
	test_refused();
	test_cgroup_files();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
