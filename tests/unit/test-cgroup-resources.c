/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager tests on the host's real cgroups (v1, hybrid or v2):
 * device rules, resources read back, update, limits that bite, stats.
 * Every cgroup lives under a `husk-test` parent; the parents this test made
 * are removed at the end (when empty).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-tap.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* ---- device rules (v1) ---- */

static bool list_has(const char *list, const char *rule)
{
	size_t len = strlen(rule);
	for (const char *p = list; (p = strstr(p, rule)) != NULL; p += len)
		if ((p == list || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

static int open_result;

static void fn_open_devices(int report)
{
	int r[2];
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	r[0] = fd >= 0 ? 0 : errno;
	fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	r[1] = fd >= 0 ? 0 : errno;
	if (write(report, r, sizeof r) != sizeof r)
		_exit(1);
	_exit(0);
}

static void test_devices(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	struct husk_device_rule rules[2] = {
	    {.allow = false, .access = (char *)"rwm"},
	    {.allow = true,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 10,
	     .has_minor = true,
	     .minor = 229,
	     .access = (char *)"rwm"},
	};
	struct husk_resources res = {.devices = rules, .n_devices = 2};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	struct child c = {0};
	cleanup_free char *path = xasprintf("/husk-test/unit-%d-dev", (int)getpid());
	const char *defaults[] = {"c *:* m",   "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
				  "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
				  "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};

	(void)open_result;
	if (pr == NULL || cg_v1_dir(pr, "devices") == NULL) {
		ok(true, "# SKIP no v1 devices hierarchy");
		return;
	}
	/* no rules at all: runc's defaults on top of deny-all */
	cg = make(NULL, NULL);
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		bool all = true;
		for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
			if (!list_has(list, defaults[i])) {
				printf("# missing `%s`\n", defaults[i]);
				all = false;
			}
		}
		ok(all, "default device rules in devices.list");
		ok(!list_has(list, "a *:* rwm"), "not allow-all");
		ok(spawn(cg, fn_open_devices, &c), "a child opens devices");
		if (c.pid > 0) {
			int r[2] = {-1, -1};
			bool got = read(c.report, r, sizeof r) == sizeof r;
			ok(got && r[0] == 0, "/dev/null opens: %s", strerror(r[0]));
			ok(r[1] == EPERM, "/dev/kmsg is refused: %s", strerror(r[1]));
			waitpid(c.pid, NULL, 0);
			c.pid = -1;
		}
		child_done(&c);
		destroy(cg);
	}
	/* podman: deny-all, plus a rule */
	note_parents(pr);
	cg = NULL;
	ok(husk_cgroup_create(path, "x", &res, &cg, &e) == 0, "create with rules");
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		ok(list_has(list, "c 10:229 rwm"), "resources.devices rule applied");
		ok(list_has(list, "c 1:3 rwm") && !list_has(list, "a *:* rwm"),
		   "defaults still there");
		destroy(cg);
	} else {
		diag("create", &e);
	}
	/* allow-all */
	rules[0].allow = true;
	res.n_devices = 1;
	cg = make(&res, NULL);
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		ok(list_has(list, "a *:* rwm"), "allow-all rule gives `a *:* rwm`");
		destroy(cg);
	}
	rules[0].type = (char *)"x";
	ok(husk_cgroup_create(path, "x", &res, &cg, &e) < 0 && strstr(e.msg, "`x`"),
	   "bad device type refused");
	if (e.msg)
		printf("# %s\n", e.msg);
	husk_error_clear(&e);
	{
		cleanup_cgroup struct husk_cgroup *gone = probe(path);
		ok(gone && all_dirs(gone, false), "nothing left after refused rules");
	}
}

/* ---- the cgroup2 eBPF device filter (also testable on a hybrid host) ---- */

struct open_case {
	const char *path;
	int flags;
	int want; /* 0 or an errno */
};
static const struct open_case *open_cases;
static size_t n_open_cases;

static void fn_open_cases(int report)
{
	for (size_t i = 0; i < n_open_cases; i++) {
		int fd = open(open_cases[i].path, open_cases[i].flags | O_CLOEXEC | O_NONBLOCK);
		int r = fd >= 0 ? 0 : errno;
		if (write(report, &r, sizeof r) != sizeof r)
			_exit(1);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

static void bpf_case(const char *name, const struct husk_device_rule *rules, size_t n,
		     const struct open_case *cases, size_t n_cases)
{
	/* v1 (hybrid): allow every device there, so only the eBPF filter decides */
	struct husk_device_rule all = {.allow = true};
	struct husk_resources v1res = {.devices = &all, .n_devices = 1};
	struct husk_resources res = {.devices = (struct husk_device_rule *)rules, .n_devices = n};
	struct husk_cgroup *cg = make(&v1res, NULL);
	struct husk_error e = {0};
	struct child c = {0};

	if (cg == NULL || cg->v2 == NULL) {
		ok(false, "%s: create", name);
		destroy(cg);
		return;
	}
	/* pure v2: create() attached the allow-all filter; this one narrows it */
	ok(cg_v2_devices_apply(cg->v2, n ? &res : NULL, &e) == 0, "%s: load and attach the filter",
	   name);
	if (e.msg)
		diag("bpf", &e);
	open_cases = cases;
	n_open_cases = n_cases;
	if (spawn(cg, fn_open_cases, &c)) {
		for (size_t i = 0; i < n_cases; i++) {
			int r = -1;
			bool got = read(c.report, &r, sizeof r) == sizeof r;
			ok(got && r == cases[i].want, "%s: open %s %s: %s", name, cases[i].path,
			   (cases[i].flags & O_ACCMODE) == O_RDONLY   ? "r"
			   : (cases[i].flags & O_ACCMODE) == O_WRONLY ? "w"
								      : "rw",
			   strerror(r));
		}
		waitpid(c.pid, NULL, 0);
		c.pid = -1;
	}
	child_done(&c);
	destroy(cg);
}

static void test_devices_bpf(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	static const struct open_case defaults[] = {
	    {"/dev/null", O_RDWR, 0},
	    {"/dev/zero", O_RDONLY, 0},
	    {"/dev/full", O_WRONLY, 0},
	    {"/dev/kmsg", O_RDONLY, EPERM},
	};
	static const struct husk_device_rule kmsg_ro[] = {
	    {.allow = false, .access = (char *)"rwm"},
	    {.allow = true,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 11,
	     .access = (char *)"r"},
	};
	static const struct open_case kmsg_ro_cases[] = {
	    {"/dev/kmsg", O_RDONLY, 0},
	    {"/dev/kmsg", O_WRONLY, EPERM},
	    {"/dev/null", O_RDWR, 0},
	};
	static const struct husk_device_rule zero_nowrite[] = {
	    {.allow = true, .access = (char *)"rwm"},
	    {.allow = false,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 5,
	     .access = (char *)"w"},
	};
	static const struct open_case zero_nowrite_cases[] = {
	    {"/dev/zero", O_RDONLY, 0},
	    {"/dev/zero", O_WRONLY, EPERM},
	    {"/dev/kmsg", O_RDONLY, 0},
	};

	if (pr == NULL || pr->v2 == NULL || !exists("/dev/kmsg")) {
		ok(true, "# SKIP no cgroup2 directory or no /dev/kmsg");
		return;
	}
	bpf_case("bpf defaults", NULL, 0, defaults, ARRAY_SIZE(defaults));
	bpf_case("bpf deny-all + kmsg r", kmsg_ro, ARRAY_SIZE(kmsg_ro), kmsg_ro_cases,
		 ARRAY_SIZE(kmsg_ro_cases));
	bpf_case("bpf allow-all - zero w", zero_nowrite, ARRAY_SIZE(zero_nowrite),
		 zero_nowrite_cases, ARRAY_SIZE(zero_nowrite_cases));
}

/* ---- resources (v1 files here; cgroup2 ones where the host is v2) ---- */

static const char *block_dev(void)
{
	static const char *candidates[] = {"/sys/block/vda/dev", "/sys/block/sda/dev",
					   "/sys/block/nvme0n1/dev", "/sys/block/loop0/dev"};
	static char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		char *v = NULL;
		struct husk_error e = {0};
		if (read_file_at(AT_FDCWD, candidates[i], &v, NULL, &e) == 0) {
			snprintf(buf, sizeof buf, "%s", v);
			buf[strcspn(buf, "\n")] = '\0';
			free(v);
			return buf;
		}
		husk_error_clear(&e);
	}
	return NULL;
}

static void test_resources_v1(void)
{
	struct husk_resources res = {0};
	struct husk_throttle_device thr = {0};
	struct husk_kv uni[1] = {{(char *)"cgroup.max.descendants", (char *)"5"}};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	const char *bdev = block_dev();
	struct cg_dir *d;
	bool memsw;

	res.has_memory = true;
	res.memory.has_limit = res.memory.has_reservation = res.memory.has_swap = true;
	res.memory.limit = 64 << 20;
	res.memory.reservation = 32 << 20;
	res.memory.swap = 128 << 20;
	res.memory.has_swappiness = true;
	res.memory.swappiness = 10;
	res.memory.has_disable_oom_killer = res.memory.disable_oom_killer = true;
	res.memory.has_kernel = true;
	res.memory.kernel = 1 << 20; /* ignored */
	res.memory.has_kernel_tcp = true;
	res.memory.kernel_tcp = 8 << 20;
	res.has_cpu = true;
	res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = res.cpu.has_burst = true;
	res.cpu.shares = 512;
	res.cpu.quota = 20000;
	res.cpu.period = 100000;
	res.cpu.burst = 1000;
	res.cpu.has_idle = true;
	res.cpu.idle = 0;
	res.cpu.has_realtime_period = true;
	res.cpu.realtime_period = 1000000;
	res.cpu.cpus = (char *)"0";
	res.cpu.mems = (char *)"0";
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = 42;
	res.has_blkio = true;
	res.blkio.has_weight = true;
	res.blkio.weight = 0; /* Docker's "unset" */
	if (bdev) {
		sscanf(bdev, "%" SCNd64 ":%" SCNd64, &thr.major, &thr.minor);
		thr.rate = 1048576;
		res.blkio.throttle_read_bps.v = &thr;
		res.blkio.throttle_read_bps.n = 1;
		res.blkio.throttle_write_iops.v = &thr;
		res.blkio.throttle_write_iops.n = 1;
	}
	res.unified = uni;
	res.n_unified = 1;

	{
		cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
		if (pr == NULL || pr->layout == CG_LAYOUT_V2) {
			ok(true, "# SKIP v1 resources need a v1 or hybrid host");
			return;
		}
	}
	cg = make(&res, NULL);
	ok(cg != NULL, "create with resources");
	if (cg == NULL)
		return;
	if ((d = cg_v1_dir(cg, "memory")) != NULL) {
		cleanup_free char *oom = readf(d->path, "memory.oom_control");
		memsw = cg_has_file(d->path, "memory.memsw.limit_in_bytes");
		ok(file_is(d->path, "memory.limit_in_bytes", "67108864"), "memory limit");
		ok(file_is(d->path, "memory.soft_limit_in_bytes", "33554432"),
		   "memory reservation");
		ok(!memsw || file_is(d->path, "memory.memsw.limit_in_bytes", "134217728"),
		   "memory+swap");
		ok(file_is(d->path, "memory.swappiness", "10"), "swappiness");
		ok(strstr(oom, "oom_kill_disable 1") != NULL, "disableOOMKiller");
		if (cg_has_file(d->path, "memory.kmem.tcp.limit_in_bytes"))
			ok(file_is(d->path, "memory.kmem.tcp.limit_in_bytes", "8388608") &&
			       husk_cgroup_ignored(cg, &res) == NULL,
			   "kernelTCP written to memory.kmem.tcp.limit_in_bytes");
		else
			ok(husk_cgroup_ignored(cg, &res) != NULL,
			   "kernelTCP: no kmem.tcp file, ignored with a reason");
	}
	{
		/* what a pure cgroup v2 host answers (no kmem.tcp file there) */
		enum cg_layout layout = cg->layout;
		const char *why;

		cg->layout = CG_LAYOUT_V2;
		why = husk_cgroup_ignored(cg, &res);
		cg->layout = layout;
		ok(why != NULL && strstr(why, "memory.kernelTCP ignored: cgroup v2") == why,
		   "kernelTCP on cgroup v2: ignored with a warning (%s)", why ? why : "none");
	}
	if ((d = cg_v1_dir(cg, "cpu")) != NULL) {
		ok(file_is(d->path, "cpu.shares", "512"), "cpu shares");
		ok(file_is(d->path, "cpu.cfs_quota_us", "20000"), "cpu quota");
		ok(file_is(d->path, "cpu.cfs_period_us", "100000"), "cpu period");
		ok(!cg_has_file(d->path, "cpu.cfs_burst_us") ||
		       file_is(d->path, "cpu.cfs_burst_us", "1000"),
		   "cpu burst");
		ok(!cg_has_file(d->path, "cpu.idle") || file_is(d->path, "cpu.idle", "0"),
		   "cpu idle");
		ok(!cg_has_file(d->path, "cpu.rt_period_us") ||
		       file_is(d->path, "cpu.rt_period_us", "1000000"),
		   "cpu rt period");
	}
	if ((d = cg_v1_dir(cg, "cpuset")) != NULL) {
		ok(file_is(d->path, "cpuset.cpus", "0"), "cpuset cpus");
		ok(file_is(d->path, "cpuset.mems", "0"), "cpuset mems");
	}
	if ((d = cg_v1_dir(cg, "pids")) != NULL)
		ok(file_is(d->path, "pids.max", "42"), "pids limit");
	if ((d = cg_v1_dir(cg, "blkio")) != NULL && bdev) {
		cleanup_free char *want = xasprintf("%s 1048576", bdev);
		ok(file_is(d->path, "blkio.throttle.read_bps_device", want), "blkio read bps");
		ok(file_is(d->path, "blkio.throttle.write_iops_device", want), "blkio write iops");
	}
	if (cg->v2)
		ok(file_is(cg->v2->path, "cgroup.max.descendants", "5"),
		   "unified key on the cgroup2 directory");

	/* update: grow, then shrink (memsw must stay >= limit at every step) */
	memset(&res, 0, sizeof res);
	res.has_memory = true;
	res.memory.has_limit = res.memory.has_swap = true;
	res.memory.limit = 256 << 20;
	res.memory.swap = 512 << 20;
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = -1;
	res.has_cpu = true;
	res.cpu.has_period = res.cpu.has_quota = true;
	res.cpu.period = 10000;
	res.cpu.quota = 5000;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update: grow");
	if (e.msg)
		diag("update", &e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "268435456"), "updated memory limit");
	if ((d = cg_v1_dir(cg, "pids")) != NULL)
		ok(file_is(d->path, "pids.max", "max"), "updated pids limit: max");
	if ((d = cg_v1_dir(cg, "cpu")) != NULL)
		ok(file_is(d->path, "cpu.cfs_period_us", "10000") &&
		       file_is(d->path, "cpu.cfs_quota_us", "5000"),
		   "shorter cpu period with its quota");
	res.memory.limit = 16 << 20;
	res.memory.swap = 32 << 20;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update: shrink");
	if (e.msg)
		diag("update", &e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "16777216"), "shrunk memory limit");
	/* Docker's zeros leave things alone */
	memset(&res, 0, sizeof res);
	res.has_memory = res.memory.has_limit = res.memory.has_swap = true;
	res.has_cpu = res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = true;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update with zeros");
	husk_error_clear(&e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "16777216"), "zero limit: unchanged");
	if ((d = cg_v1_dir(cg, "cpu")) != NULL)
		ok(file_is(d->path, "cpu.cfs_quota_us", "5000") &&
		       file_is(d->path, "cpu.shares", "512"),
		   "zero quota and shares: unchanged");
	memset(&res, 0, sizeof res);
	res.has_blkio = res.blkio.has_weight = true;
	res.blkio.weight = 300;
	if ((d = cg_v1_dir(cg, "blkio")) != NULL &&
	    (cg_has_file(d->path, "blkio.weight") || cg_has_file(d->path, "blkio.bfq.weight"))) {
		const char *f =
		    cg_has_file(d->path, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
		cleanup_free char *w = NULL;
		ok(husk_cgroup_update(cg, &res, &e) == 0, "update blkio weight");
		if (e.msg)
			diag("update", &e);
		w = readf(d->path, f);
		ok(strstr(w, "300") != NULL, "%s: %s", f, w);
	}
	memset(&res, 0, sizeof res);
	res.has_network = res.has_class_id = true;
	res.class_id = 0x100001;
	if (cg_v1_dir(cg, "net_cls") == NULL) {
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && strstr(e.msg, "`net_cls`"), "net_cls without its hierarchy: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	/* hybrid: a controller missing from v1 goes to cgroup2 (which lacks pids here) */
	if (cg->v2 && (d = cg_v1_dir(cg, "pids")) != NULL) {
		char *saved = d->controllers;
		bool failed;
		memset(&res, 0, sizeof res);
		res.has_pids = res.has_pids_limit = true;
		res.pids_limit = 7;
		d->controllers = (char *)"hidden";
		failed = husk_cgroup_update(cg, &res, &e) < 0;
		d->controllers = saved;
		if (failed && cg_has_file(cg->v2->path, "pids.max"))
			ok(false, "pids went to cgroup2 but failed: %s", e.msg);
		else if (cg_has_file(cg->v2->path, "pids.max"))
			ok(file_is(cg->v2->path, "pids.max", "7"), "pids.max set on cgroup2");
		else
			ok(failed && strstr(e.msg, cg->v2->path) && strstr(e.msg, "`pids`"),
			   "no v1 pids: the limit goes to cgroup2: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	memset(&res, 0, sizeof res);
	uni[0].key = (char *)"memory.high";
	res.unified = uni;
	res.n_unified = 1;
	if (cg->layout != CG_LAYOUT_V2) {
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && strstr(e.msg, "`memory.high`"),
		   "unified memory.high on v1 refused: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	destroy(cg);
}

static void test_resources_v2(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	struct husk_resources res = {0};
	struct husk_throttle_device thr = {0};
	struct husk_hugepage_limit huge = {(char *)"2MB", 4 << 20};
	struct husk_kv uni[1] = {{(char *)"memory.high", (char *)"104857600"}};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	const char *bdev = block_dev();
	cleanup_free char *avail = NULL;
	char *p;

	if (pr == NULL || pr->layout != CG_LAYOUT_V2) {
		ok(true, "# SKIP cgroup2 resources need a pure v2 host");
		return;
	}
	avail = readf(pr->v2->mnt, "cgroup.controllers");
	printf("# root controllers: %s\n", avail);
	ok(cg_shares_to_weight(2) == 1 && cg_shares_to_weight(262144) == 10000 &&
	       cg_shares_to_weight(1024) == 39,
	   "cpu shares to weight (runc's formula)");
	res.has_memory = true;
	res.memory.has_limit = res.memory.has_reservation = res.memory.has_swap = true;
	res.memory.limit = 64 << 20;
	res.memory.reservation = 32 << 20;
	res.memory.swap = 128 << 20;
	res.has_cpu = true;
	res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = res.cpu.has_burst = true;
	res.cpu.shares = 1024;
	res.cpu.quota = 20000;
	res.cpu.period = 100000;
	res.cpu.burst = 1000;
	res.cpu.has_idle = true;
	res.cpu.idle = 0;
	res.cpu.cpus = (char *)"0";
	res.cpu.mems = (char *)"0";
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = 42;
	res.has_blkio = true;
	res.blkio.has_weight = true;
	res.blkio.weight = 500;
	if (bdev) {
		sscanf(bdev, "%" SCNd64 ":%" SCNd64, &thr.major, &thr.minor);
		thr.rate = 1048576;
		res.blkio.throttle_read_bps.v = &thr;
		res.blkio.throttle_read_bps.n = 1;
	}
	if (strstr(avail, "hugetlb") && exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
		res.hugepage_limits = &huge;
		res.n_hugepage_limits = 1;
	}
	res.unified = uni;
	res.n_unified = 1;
	cg = make(&res, NULL);
	ok(cg != NULL, "create with resources on cgroup2");
	if (cg == NULL)
		return;
	p = cg->v2->path;
	ok(file_is(p, "memory.max", "67108864"), "memory.max");
	ok(file_is(p, "memory.low", "33554432"), "memory.low");
	ok(!cg_has_file(p, "memory.swap.max") || file_is(p, "memory.swap.max", "67108864"),
	   "memory.swap.max = swap - limit");
	ok(file_is(p, "memory.high", "104857600"), "unified memory.high");
	ok(file_is(p, "cpu.weight", "39"), "cpu.weight from shares 1024");
	ok(file_is(p, "cpu.max", "20000 100000"), "cpu.max");
	ok(!cg_has_file(p, "cpu.max.burst") || file_is(p, "cpu.max.burst", "1000"),
	   "cpu.max.burst");
	ok(file_is(p, "cpu.idle", "0"), "cpu.idle");
	ok(file_is(p, "cpuset.cpus", "0") && file_is(p, "cpuset.mems", "0"), "cpuset");
	ok(file_is(p, "pids.max", "42"), "pids.max");
	{
		bool bfq = cg_has_file(p, "io.bfq.weight");
		cleanup_free char *w = readf(p, bfq ? "io.bfq.weight" : "io.weight");
		printf("# %s: %s\n", bfq ? "io.bfq.weight" : "io.weight", w);
		ok(strstr(w, bfq ? "500" : "default 4950") != NULL, "io weight");
	}
	if (bdev) {
		cleanup_free char *m = readf(p, "io.max");
		cleanup_free char *want = xasprintf("%s rbps=1048576", bdev);
		ok(strstr(m, want) != NULL, "io.max: %s", m);
	}
	if (res.n_hugepage_limits)
		ok(file_is(p, "hugetlb.2MB.max", "4194304"), "hugetlb.2MB.max");

	memset(&res, 0, sizeof res);
	res.has_memory = true;
	res.memory.has_limit = true;
	res.memory.limit = -1;
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = -1;
	res.has_cpu = true;
	res.cpu.has_quota = true;
	res.cpu.quota = -1;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update to unlimited");
	if (e.msg)
		diag("update", &e);
	ok(file_is(p, "memory.max", "max"), "memory.max max");
	ok(!cg_has_file(p, "memory.swap.max") || file_is(p, "memory.swap.max", "max"),
	   "memory.swap.max max along");
	ok(file_is(p, "pids.max", "max"), "pids.max max");
	{
		cleanup_free char *m = readf(p, "cpu.max");
		ok(strncmp(m, "max ", 4) == 0, "cpu.max max");
	}
	memset(&res, 0, sizeof res);
	res.has_cpu = res.cpu.has_quota = res.cpu.has_period = true;
	res.cpu.quota = 30000;
	res.cpu.period = 100000;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update cpu quota");
	husk_error_clear(&e);
	res.cpu.has_quota = false;
	res.cpu.period = 50000;
	ok(husk_cgroup_update(cg, &res, &e) == 0 && file_is(p, "cpu.max", "30000 50000"),
	   "a period alone keeps the quota");
	husk_error_clear(&e);
	memset(&res, 0, sizeof res);
	res.has_cpu = true;
	res.cpu.has_realtime_runtime = true;
	res.cpu.realtime_runtime = 1000;
	{
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && e.msg && strstr(e.msg, "realtime"), "realtime refused on v2: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	destroy(cg);
}

/* ---- limits that bite ---- */

static void fn_fork_bomb(int report)
{
	int n = 0, r[2];
	for (; n < 100; n++) {
		pid_t p = fork();
		if (p < 0)
			break;
		if (p == 0) {
			for (;;)
				pause();
		}
	}
	r[0] = n;
	r[1] = errno;
	if (write(report, r, sizeof r) != sizeof r)
		_exit(1);
	for (;;)
		pause();
}

static void test_pids_limit(void)
{
	struct husk_resources res = {.has_pids = true, .has_pids_limit = true, .pids_limit = 5};
	struct husk_cgroup *cg = make(&res, NULL);
	struct child c = {0};
	int r[2] = {-1, -1};

	if (cg == NULL) {
		ok(false, "create with pids limit");
		return;
	}
	ok(spawn(cg, fn_fork_bomb, &c) && read(c.report, r, sizeof r) == sizeof r,
	   "a child forks until it cannot");
	ok(r[0] == 4 && r[1] == EAGAIN, "pids.max 5: 4 forks, then EAGAIN (%d, %s)", r[0],
	   strerror(r[1]));
	destroy(cg);
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	reap_all();
	child_done(&c);
}

static void fn_hog(int report)
{
	for (size_t i = 0; i < 1024; i++) {
		char *p =
		    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		memset(p, 1, 1 << 20);
	}
	_exit(2);
}

static void test_memory_oom(void)
{
	struct husk_resources res = {0};
	struct husk_cgroup *cg;
	struct child c = {0};
	int status = 0;

	res.has_memory = true;
	res.memory.has_limit = res.memory.has_swap = true;
	res.memory.limit = 32 << 20;
	res.memory.swap = 32 << 20;
	cg = make(&res, NULL);
	if (cg == NULL) {
		ok(false, "create with a memory limit");
		return;
	}
	{
		/* checkBeforeUpdate: a limit below the usage (our child's) is refused */
		struct child busy = {0};
		struct husk_resources up = {.has_memory = true};
		struct husk_error e = {0};
		bool failed;
		up.memory.has_limit = up.memory.has_check_before_update = true;
		up.memory.check_before_update = true;
		up.memory.limit = 4096;
		ok(spawn(cg, fn_pause, &busy) && wait_byte(&busy), "a child to use some memory");
		failed = husk_cgroup_update(cg, &up, &e) < 0;
		ok(failed && strstr(e.msg, "below the current usage"), "checkBeforeUpdate: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
		child_done(&busy);
	}
	ok(spawn(cg, fn_hog, &c), "a child eats 1 GiB under a 32 MiB limit");
	waitpid(c.pid, &status, 0);
	c.pid = -1;
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "the OOM killer took it (status %#x)", status);
	{
		struct husk_cgroup_stats st;
		struct husk_error e = {0};
		ok(husk_cgroup_stats(cg, &st, &e) == 0, "stats");
		printf("# mem usage %" PRIu64 " max %" PRIu64 " limit %" PRIu64 " failcnt %" PRIu64
		       " oom %" PRIu64 " cpu %" PRIu64 " pids %" PRIu64 "/%" PRIu64 "\n",
		       st.mem_usage, st.mem_max_usage, st.mem_limit, st.mem_failcnt, st.oom_kills,
		       st.cpu_usage, st.pids_current, st.pids_limit);
		ok(st.oom_kills >= 1 && st.mem_limit == 32 << 20 && st.mem_max_usage > 16 << 20,
		   "stats: the limit, the peak and the OOM kill");
		ok(st.cpu_usage > 0 && st.pids_current == 0, "stats: cpu time used, no pids left");
		husk_error_clear(&e);
	}
	if (cg_v1_dir(cg, "memory")) {
		cleanup_free char *oom = readf(cg_v1_dir(cg, "memory")->path, "memory.oom_control");
		ok(strstr(oom, "oom_kill 0") == NULL, "memory.oom_control counts the kill");
	} else if (cg->v2) {
		cleanup_free char *ev = readf(cg->v2->path, "memory.events");
		ok(strstr(ev, "oom_kill 0") == NULL, "memory.events counts the kill");
	}
	child_done(&c);
	destroy(cg);
}

int main(void)
{
	if (!cgt_begin())
		return 77;
	test_devices();
	test_devices_bpf();
	test_resources_v1();
	test_resources_v2();
	test_pids_limit();
	test_memory_oom();
	return cgt_end();
}
