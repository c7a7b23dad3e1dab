/* SPDX-License-Identifier: Apache-2.0 */
/* Usage counters from the cgroup2 directory (v2, and hybrid's unified dir). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"

/* The cgroup2 directory when it has `file` (the controller is enabled there). */
static const char *v2_with(struct husk_cgroup *cg, const char *file)
{
	return cg->v2 && cg_has_file(cg->v2->path, file) ? cg->v2->path : NULL;
}

static void cpu_stats(const char *v2, struct husk_cgroup_stats *st, unsigned skip)
{
	if (!(skip & CG_STAT_CPUACCT)) {
		st->cpu_usage = cg_read_key(v2, "cpu.stat", "usage_usec") * 1000;
		st->cpu_user = cg_read_key(v2, "cpu.stat", "user_usec") * 1000;
		st->cpu_system = cg_read_key(v2, "cpu.stat", "system_usec") * 1000;
	}
	if (!(skip & CG_STAT_CPU)) {
		st->cpu_periods = cg_read_key(v2, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = cg_read_key(v2, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = cg_read_key(v2, "cpu.stat", "throttled_usec") * 1000;
	}
}

static void memory_stats(const char *v2, struct husk_cgroup_stats *st, bool full)
{
	st->mem_usage = cg_read_u64(v2, "memory.current");
	st->mem_max_usage = cg_read_u64(v2, "memory.peak");
	st->mem_limit = cg_read_u64(v2, "memory.max");
	st->mem_failcnt = cg_read_key(v2, "memory.events", "max");
	st->oom_kills = cg_read_key(v2, "memory.events", "oom_kill");
	st->swap_usage = cg_read_u64(v2, "memory.swap.current");
	st->swap_limit = cg_read_u64(v2, "memory.swap.max");
	st->mem_cache = cg_read_key(v2, "memory.stat", "file");
	/* runc reports memory+swap on v2 too, as v1 does */
	st->memsw_usage = st->swap_usage + st->mem_usage;
	st->memsw_max_usage = cg_read_u64(v2, "memory.swap.peak");
	st->memsw_limit = st->swap_limit == UINT64_MAX || st->mem_limit == UINT64_MAX
			      ? UINT64_MAX
			      : st->swap_limit + st->mem_limit;
	st->memsw_failcnt = cg_read_key(v2, "memory.swap.events", "max");
	if (full)
		cg_read_mem_raw(v2, st);
}

/* One io.stat line's "key=value" fields after "8:0". */
static void io_fields(char *fields, uint64_t ma, uint64_t mi, struct husk_cgroup_stats *st)
{
	static const struct {
		const char *key;
		int kind;
		const char *op;
	} map[] = {
	    {"rbytes", HUSK_BLKIO_SERVICE_BYTES, "Read"},
	    {"wbytes", HUSK_BLKIO_SERVICE_BYTES, "Write"},
	    {"rios", HUSK_BLKIO_SERVICED, "Read"},
	    {"wios", HUSK_BLKIO_SERVICED, "Write"},
	};
	char *f, *save = NULL;

	for (f = strtok_r(fields, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		unsigned long long val;
		char key[16];
		if (sscanf(f, "%15[a-z]=%llu", key, &val) != 2)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(map); i++)
			if (strcmp(key, map[i].key) == 0)
				cg_blkio_add(st, map[i].kind, ma, mi, map[i].op, val);
	}
}

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void io_stats(const char *v2, struct husk_cgroup_stats *st)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	if (cg_read(v2, "io.stat", &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi;
		char *sp = strchr(l, ' ');

		if (sscanf(l, "%llu:%llu", &ma, &mi) != 2 || sp == NULL)
			continue;
		io_fields(sp + 1, ma, mi, st);
	}
}

static void hugetlb_stats(const char *v2, struct husk_cgroup_stats *st)
{
	cleanup_dir DIR *dir = opendir("/sys/kernel/mm/hugepages");
	struct dirent *de;

	while (dir && (de = readdir(dir)) != NULL) {
		struct husk_cgroup_hugetlb h = {0};
		char f[80];

		if (!cg_hugepage_name(de->d_name, h.page_size, sizeof h.page_size))
			continue;
		snprintf(f, sizeof f, "hugetlb.%s.current", h.page_size);
		if (!cg_has_file(v2, f))
			continue;
		h.usage = cg_read_u64(v2, f);
		snprintf(f, sizeof f, "hugetlb.%s.events", h.page_size);
		h.failcnt = cg_read_key(v2, f, "max");
		cg_hugetlb_add(st, &h);
	}
}

void cg_v2_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full, unsigned skip)
{
	const char *d;

	if (cg->v2 == NULL)
		return;
	if ((d = v2_with(cg, "cpu.stat")) != NULL)
		cpu_stats(d, st, skip);
	if (!(skip & CG_STAT_MEMORY) && (d = v2_with(cg, "memory.current")) != NULL)
		memory_stats(d, st, full);
	if (!(skip & CG_STAT_PIDS) && (d = v2_with(cg, "pids.current")) != NULL) {
		st->pids_current = cg_read_u64(d, "pids.current");
		st->pids_limit = cg_read_u64(d, "pids.max");
	}
	if (!full)
		return;
	if (!(skip & CG_STAT_CPUSET) && (d = v2_with(cg, "cpuset.cpus.effective")) != NULL) {
		cg_read_range_list(d, "cpuset.cpus.effective", &st->cpuset.cpus,
				   &st->cpuset.n_cpus);
		cg_read_range_list(d, "cpuset.mems.effective", &st->cpuset.mems,
				   &st->cpuset.n_mems);
	}
	if (!(skip & CG_STAT_BLKIO) && (d = v2_with(cg, "io.stat")) != NULL)
		io_stats(d, st);
	if (!(skip & CG_STAT_HUGETLB))
		hugetlb_stats(cg->v2->path, st);
}
