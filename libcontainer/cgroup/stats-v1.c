/* SPDX-License-Identifier: Apache-2.0 */
/* Usage counters from the v1 hierarchies (v1, and the v1 part of hybrid). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

static unsigned cpu_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	struct cg_dir *acct = cg_v1_dir(cg, "cpuacct"), *cpu = cg_v1_dir(cg, "cpu");
	unsigned found = 0;

	if (acct) {
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
		st->cpu_usage = cg_read_u64(acct->path, "cpuacct.usage");
		st->cpu_user = cg_read_key(acct->path, "cpuacct.stat", "user") * tick;
		st->cpu_system = cg_read_key(acct->path, "cpuacct.stat", "system") * tick;
		if (full) {
			cg_read_u64_list(acct->path, "cpuacct.usage_percpu", &st->percpu,
					 &st->n_percpu);
			cg_read_u64_list(acct->path, "cpuacct.usage_percpu_sys", &st->percpu_kernel,
					 &st->n_percpu_kernel);
			cg_read_u64_list(acct->path, "cpuacct.usage_percpu_user", &st->percpu_user,
					 &st->n_percpu_user);
		}
		found |= CG_STAT_CPUACCT;
	}
	if (cpu) {
		st->cpu_periods = cg_read_key(cpu->path, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = cg_read_key(cpu->path, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = cg_read_key(cpu->path, "cpu.stat", "throttled_time");
		found |= CG_STAT_CPU;
	}
	return found;
}

static void memory_stats(const char *m, struct husk_cgroup_stats *st, bool full)
{
	uint64_t memsw;

	st->mem_usage = cg_read_u64(m, "memory.usage_in_bytes");
	st->mem_max_usage = cg_read_u64(m, "memory.max_usage_in_bytes");
	st->mem_limit = cg_read_u64(m, "memory.limit_in_bytes");
	st->mem_failcnt = cg_read_u64(m, "memory.failcnt");
	st->oom_kills = cg_read_key(m, "memory.oom_control", "oom_kill");
	/* v1 counts memory+swap together */
	memsw = cg_read_u64(m, "memory.memsw.usage_in_bytes");
	st->swap_usage = memsw > st->mem_usage ? memsw - st->mem_usage : 0;
	st->swap_limit = cg_read_u64(m, "memory.memsw.limit_in_bytes");
	st->mem_cache = cg_read_key(m, "memory.stat", "cache");
	st->memsw_usage = memsw;
	st->memsw_max_usage = cg_read_u64(m, "memory.memsw.max_usage_in_bytes");
	st->memsw_limit = st->swap_limit;
	st->memsw_failcnt = cg_read_u64(m, "memory.memsw.failcnt");
	st->kmem_usage = cg_read_u64(m, "memory.kmem.usage_in_bytes");
	st->kmem_max_usage = cg_read_u64(m, "memory.kmem.max_usage_in_bytes");
	st->kmem_limit = cg_read_u64(m, "memory.kmem.limit_in_bytes");
	st->kmem_failcnt = cg_read_u64(m, "memory.kmem.failcnt");
	st->kmem_tcp_usage = cg_read_u64(m, "memory.kmem.tcp.usage_in_bytes");
	st->kmem_tcp_max_usage = cg_read_u64(m, "memory.kmem.tcp.max_usage_in_bytes");
	st->kmem_tcp_limit = cg_read_u64(m, "memory.kmem.tcp.limit_in_bytes");
	st->kmem_tcp_failcnt = cg_read_u64(m, "memory.kmem.tcp.failcnt");
	if (full)
		cg_read_mem_raw(m, st);
}

static void cpuset_stats(const char *d, struct husk_cgroup_stats *st)
{
	struct husk_cgroup_cpuset *c = &st->cpuset;
	cleanup_free char *lvl = NULL;
	struct husk_error e = {0};
	int64_t x;

	cg_read_range_list(d, "cpuset.cpus", &c->cpus, &c->n_cpus);
	cg_read_range_list(d, "cpuset.mems", &c->mems, &c->n_mems);
	c->cpu_exclusive = cg_read_u64(d, "cpuset.cpu_exclusive");
	c->mem_hardwall = cg_read_u64(d, "cpuset.mem_hardwall");
	c->mem_exclusive = cg_read_u64(d, "cpuset.mem_exclusive");
	c->memory_migrate = cg_read_u64(d, "cpuset.memory_migrate");
	c->memory_spread_page = cg_read_u64(d, "cpuset.memory_spread_page");
	c->memory_spread_slab = cg_read_u64(d, "cpuset.memory_spread_slab");
	c->memory_pressure = cg_read_u64(d, "cpuset.memory_pressure");
	c->sched_load_balance = cg_read_u64(d, "cpuset.sched_load_balance");
	if (cg_read(d, "cpuset.sched_relax_domain_level", &lvl, &e) == 0 && parse_i64(lvl, &x) == 0)
		c->sched_relax_domain_level = x;
	husk_error_clear(&e);
}

/* v1 "8:0 Read 1234" (or "8:0 1234"); "Total N" lines skipped.  0 when no entry. */
static size_t blkio_file(const char *dir, const char *file, struct husk_cgroup_stats *st, int kind)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	if (cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi, val;
		char op[16];

		if (sscanf(l, "%llu:%llu %15s %llu", &ma, &mi, op, &val) == 4)
			cg_blkio_add(st, kind, ma, mi, op, val);
		else if (sscanf(l, "%llu:%llu %llu", &ma, &mi, &val) == 3)
			cg_blkio_add(st, kind, ma, mi, "", val);
	}
	return st->n_blkio[kind];
}

static void blkio_stats(const char *d, struct husk_cgroup_stats *st)
{
	/* runc: CFQ's files, else BFQ's, else the throttling counters */
	static const char *const files[8][3] = {
	    [HUSK_BLKIO_SERVICE_BYTES] = {"blkio.io_service_bytes_recursive",
					  "blkio.bfq.io_service_bytes_recursive",
					  "blkio.throttle.io_service_bytes_recursive"},
	    [HUSK_BLKIO_SERVICED] = {"blkio.io_serviced_recursive",
				     "blkio.bfq.io_serviced_recursive",
				     "blkio.throttle.io_serviced_recursive"},
	    [HUSK_BLKIO_QUEUED] = {"blkio.io_queued_recursive", "blkio.bfq.io_queued_recursive"},
	    [HUSK_BLKIO_SERVICE_TIME] = {"blkio.io_service_time_recursive",
					 "blkio.bfq.io_service_time_recursive"},
	    [HUSK_BLKIO_WAIT_TIME] = {"blkio.io_wait_time_recursive",
				      "blkio.bfq.io_wait_time_recursive"},
	    [HUSK_BLKIO_MERGED] = {"blkio.io_merged_recursive", "blkio.bfq.io_merged_recursive"},
	    [HUSK_BLKIO_TIME] = {"blkio.time_recursive", "blkio.bfq.time_recursive"},
	    [HUSK_BLKIO_SECTORS] = {"blkio.sectors_recursive", "blkio.bfq.sectors_recursive"},
	};

	for (int k = 0; k < 8; k++)
		for (int i = 0; i < 3 && files[k][i]; i++)
			if (blkio_file(d, files[k][i], st, k) > 0)
				break;
}

static void hugetlb_stats(const char *d, struct husk_cgroup_stats *st)
{
	cleanup_dir DIR *dir = opendir("/sys/kernel/mm/hugepages");
	struct dirent *de;

	while (dir && (de = readdir(dir)) != NULL) {
		struct husk_cgroup_hugetlb h = {0};
		char f[80];

		if (!cg_hugepage_name(de->d_name, h.page_size, sizeof h.page_size))
			continue;
		snprintf(f, sizeof f, "hugetlb.%s.usage_in_bytes", h.page_size);
		h.usage = cg_read_u64(d, f);
		snprintf(f, sizeof f, "hugetlb.%s.max_usage_in_bytes", h.page_size);
		h.max = cg_read_u64(d, f);
		snprintf(f, sizeof f, "hugetlb.%s.failcnt", h.page_size);
		h.failcnt = cg_read_u64(d, f);
		cg_hugetlb_add(st, &h);
	}
}

/* The directory of a v1 controller, or NULL; `bit` is added to *found when there. */
static const char *where(struct husk_cgroup *cg, const char *ctrl, unsigned bit, unsigned *found)
{
	struct cg_dir *d = cg_v1_dir(cg, ctrl);

	if (d)
		*found |= bit;
	return d ? d->path : NULL;
}

unsigned cg_v1_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	unsigned found = cpu_stats(cg, st, full);
	const char *d;

	if ((d = where(cg, "memory", CG_STAT_MEMORY, &found)) != NULL)
		memory_stats(d, st, full);
	if ((d = where(cg, "pids", CG_STAT_PIDS, &found)) != NULL) {
		st->pids_current = cg_read_u64(d, "pids.current");
		st->pids_limit = cg_read_u64(d, "pids.max");
	}
	if (!full)
		return found;
	if ((d = where(cg, "cpuset", CG_STAT_CPUSET, &found)) != NULL)
		cpuset_stats(d, st);
	if ((d = where(cg, "blkio", CG_STAT_BLKIO, &found)) != NULL)
		blkio_stats(d, st);
	if ((d = where(cg, "hugetlb", CG_STAT_HUGETLB, &found)) != NULL)
		hugetlb_stats(d, st);
	return found;
}
