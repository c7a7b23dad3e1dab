/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources as the (file, value) pairs the cgroup manager writes, per
 * layout, for `husk plan`.  A pure function of the spec and the layout: the
 * host is not read (husk_plan_layout_detect aside), so that the three
 * layouts can be printed on any host.  The v2 conversions are the manager's
 * own (cg_shares_to_weight, cg_blkio_to_io_weight: runc's).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgroup/cgroup-internal.h"
#include "plan/plan.h"

struct files {
	struct husk_plan_cgfile *v;
	size_t n, cap;
	bool v2; /* the controller's files are cgroup2 ones */
};

static void add(struct files *f, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(struct files *f, const char *file, const char *fmt, ...)
{
	va_list ap;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = realloc(f->v, f->cap * sizeof *f->v);
		if (f->v == NULL)
			abort();
	}
	f->v[f->n].file = xstrdup(file);
	va_start(ap, fmt);
	if (vasprintf(&f->v[f->n].value, fmt, ap) < 0)
		abort();
	va_end(ap);
	f->n++;
}

static void memory_v1(struct files *f, const struct husk_memory *m)
{
	if (m->has_limit && m->limit)
		add(f, "memory/memory.limit_in_bytes", "%" PRId64, m->limit);
	if (m->has_reservation && m->reservation)
		add(f, "memory/memory.soft_limit_in_bytes", "%" PRId64, m->reservation);
	if (m->has_swap && m->swap)
		add(f, "memory/memory.memsw.limit_in_bytes", "%" PRId64, m->swap);
	if (m->has_swappiness)
		add(f, "memory/memory.swappiness", "%" PRIu64, m->swappiness);
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		add(f, "memory/memory.oom_control", "1");
	/* where the kernel has the file (see cgroup/resources-v1.c) */
	if (m->has_kernel_tcp)
		add(f, "memory/memory.kmem.tcp.limit_in_bytes", "%" PRId64, m->kernel_tcp);
}

static void max_or(struct files *f, const char *file, int64_t v)
{
	if (v < 0)
		add(f, file, "max");
	else
		add(f, file, "%" PRId64, v);
}

/* runc's ConvertMemorySwapToCgroupV2Value (validated by spec/validate.c) */
static void memory_v2(struct files *f, const struct husk_memory *m)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;

	if (!(limit || swap || (m->has_reservation && m->reservation)))
		return;
	if (m->has_reservation && m->reservation)
		max_or(f, "memory.low", m->reservation);
	if (limit == -1 && swap == 0)
		add(f, "memory.swap.max", "max");
	else if (swap == -1)
		add(f, "memory.swap.max", "max");
	else if (swap > 0 && limit > 0)
		add(f, "memory.swap.max", "%" PRId64, swap - limit);
	if (limit)
		max_or(f, "memory.max", limit);
}

static void cpu_files(struct files *f, const struct husk_cpu *c)
{
	const char *cpu = f->v2 ? "" : "cpu/", *cpuset = f->v2 ? "" : "cpuset/";
	char file[64];

	if (c->has_shares && c->shares) {
		snprintf(file, sizeof file, "%s%s", cpu, f->v2 ? "cpu.weight" : "cpu.shares");
		add(f, file, "%" PRIu64, f->v2 ? cg_shares_to_weight(c->shares) : c->shares);
	}
	if (f->v2 && (c->has_quota || c->has_period)) {
		uint64_t period = c->has_period && c->period ? c->period : 100000;
		if (c->has_quota && c->quota > 0)
			add(f, "cpu.max", "%" PRId64 " %" PRIu64, c->quota, period);
		else
			add(f, "cpu.max", "max %" PRIu64, period);
	} else if (!f->v2) {
		if (c->has_period && c->period)
			add(f, "cpu/cpu.cfs_period_us", "%" PRIu64, c->period);
		if (c->has_quota && c->quota)
			add(f, "cpu/cpu.cfs_quota_us", "%" PRId64, c->quota);
	}
	if (c->has_idle) {
		snprintf(file, sizeof file, "%scpu.idle", cpu);
		add(f, file, "%" PRId64, c->idle);
	}
	if (c->cpus && *c->cpus) {
		snprintf(file, sizeof file, "%scpuset.cpus", cpuset);
		add(f, file, "%s", c->cpus);
	}
	if (c->mems && *c->mems) {
		snprintf(file, sizeof file, "%scpuset.mems", cpuset);
		add(f, file, "%s", c->mems);
	}
}

static void pids_files(struct files *f, const struct husk_resources *r)
{
	if (r->has_pids_limit && r->pids_limit != 0)
		max_or(f, f->v2 ? "pids.max" : "pids/pids.max", r->pids_limit);
}

static void blkio_files(struct files *f, const struct husk_blkio *b)
{
	if (b->has_weight && b->weight) {
		if (f->v2)
			add(f, "io.weight", "default %" PRIu64, cg_blkio_to_io_weight(b->weight));
		else
			add(f, "blkio/blkio.weight", "%u", b->weight);
	}
}

static void hugetlb_files(struct files *f, const struct husk_resources *r)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		char file[96];
		snprintf(file, sizeof file, "%shugetlb.%s.%s", f->v2 ? "" : "hugetlb/",
			 r->hugepage_limits[i].page_size, f->v2 ? "max" : "limit_in_bytes");
		add(f, file, "%" PRIu64, r->hugepage_limits[i].limit);
	}
}

static char *rule_text(const struct cg_dev_rule *r)
{
	char maj[24], min[24], acc[4] = "", *s;
	size_t k = 0;

	snprintf(maj, sizeof maj, r->major < 0 ? "*" : "%" PRId64, r->major);
	snprintf(min, sizeof min, r->minor < 0 ? "*" : "%" PRId64, r->minor);
	if (r->access & CG_DEV_R)
		acc[k++] = 'r';
	if (r->access & CG_DEV_W)
		acc[k++] = 'w';
	if (r->access & CG_DEV_M)
		acc[k++] = 'm';
	if (asprintf(&s, "%c %s:%s %s", r->type, maj, min, acc) < 0)
		abort();
	return s;
}

static int device_files(struct files *f, const struct husk_resources *res, struct husk_error *err)
{
	cleanup_free struct cg_dev_rule *rules = NULL;
	size_t n;

	if (cg_device_rules(res, &rules, &n, err) < 0)
		return husk_error_wrap(err, "config.json");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *t = rule_text(&rules[i]);
		if (f->v2)
			add(f, "(bpf device program)", "%s %s", rules[i].allow ? "allow" : "deny",
			    t);
		else
			add(f, rules[i].allow ? "devices/devices.allow" : "devices/devices.deny",
			    "%s", t);
	}
	return 0;
}

int husk_plan_cgroup_files(const struct husk_resources *res, enum husk_plan_layout layout,
			   struct husk_plan_cgfile **out, size_t *n, struct husk_error *err)
{
	static const struct husk_resources none;
	struct files f = {0};

	if (res == NULL)
		res = &none;
	/* hybrid: every controller on v1, the cgroup2 mount holds none (husk's manager) */
	f.v2 = layout == HUSK_PLAN_LAYOUT_V2;
	if (res->has_memory) {
		if (f.v2)
			memory_v2(&f, &res->memory);
		else
			memory_v1(&f, &res->memory);
	}
	if (res->has_cpu)
		cpu_files(&f, &res->cpu);
	pids_files(&f, res);
	if (res->has_blkio)
		blkio_files(&f, &res->blkio);
	hugetlb_files(&f, res);
	for (size_t i = 0; i < res->n_unified; i++)
		add(&f, res->unified[i].key, "%s", res->unified[i].value);
	if (device_files(&f, res, err) < 0) {
		husk_plan_cgfiles_free(f.v, f.n);
		return -1;
	}
	*out = f.v;
	*n = f.n;
	return 0;
}

void husk_plan_cgfiles_free(struct husk_plan_cgfile *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].value);
	}
	free(v);
}

enum husk_plan_layout husk_plan_layout_detect(void)
{
	struct statfs sf;

	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return HUSK_PLAN_LAYOUT_V2;
	if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return HUSK_PLAN_LAYOUT_HYBRID;
	return HUSK_PLAN_LAYOUT_V1;
}

const char *husk_plan_layout_name(enum husk_plan_layout l)
{
	return l == HUSK_PLAN_LAYOUT_V2 ? "v2" : l == HUSK_PLAN_LAYOUT_HYBRID ? "hybrid" : "v1";
}
