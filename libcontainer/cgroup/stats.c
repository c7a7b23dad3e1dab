/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Usage counters of a container's cgroup (for `events --stats`): each
 * controller is read where it lives, its v1 hierarchy or the cgroup2
 * directory.  A missing file reads as 0.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

static uint64_t read_u64(const char *dir, const char *file)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	uint64_t n = 0;

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	if (strcmp(v, "max") == 0)
		return UINT64_MAX;
	if (parse_u64(v, &n) < 0)
		return 0;
	return n;
}

/* The value of `key` in a "key value" per line file (cpu.stat, memory.events). */
static uint64_t read_key(const char *dir, const char *file, const char *key)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	size_t len = strlen(key);

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	for (char *l = v; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, len) == 0 && l[len] == ' ') {
			char *end = strchr(l + len + 1, '\n');
			cleanup_free char *num =
			    end ? strndup(l + len + 1, (size_t)(end - l - len - 1))
				: xstrdup(l + len + 1);
			uint64_t n = 0;
			if (num && parse_u64(num, &n) == 0)
				return n;
			return 0;
		}
	}
	return 0;
}

/* The cgroup2 directory when it has `file` (the controller is enabled there). */
static const char *v2_with(struct husk_cgroup *cg, const char *file)
{
	return cg->v2 && cg_has_file(cg->v2->path, file) ? cg->v2->path : NULL;
}

static void cpu_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *acct = cg_v1_dir(cg, "cpuacct"), *cpu = cg_v1_dir(cg, "cpu");
	const char *v2 = v2_with(cg, "cpu.stat");

	if (acct) {
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
		st->cpu_usage = read_u64(acct->path, "cpuacct.usage");
		st->cpu_user = read_key(acct->path, "cpuacct.stat", "user") * tick;
		st->cpu_system = read_key(acct->path, "cpuacct.stat", "system") * tick;
	} else if (v2) {
		st->cpu_usage = read_key(v2, "cpu.stat", "usage_usec") * 1000;
		st->cpu_user = read_key(v2, "cpu.stat", "user_usec") * 1000;
		st->cpu_system = read_key(v2, "cpu.stat", "system_usec") * 1000;
	}
	if (cpu) {
		st->cpu_periods = read_key(cpu->path, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = read_key(cpu->path, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = read_key(cpu->path, "cpu.stat", "throttled_time");
	} else if (v2) {
		st->cpu_periods = read_key(v2, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = read_key(v2, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = read_key(v2, "cpu.stat", "throttled_usec") * 1000;
	}
}

static void memory_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");
	const char *v2 = v2_with(cg, "memory.current");

	if (m) {
		uint64_t memsw;
		st->mem_usage = read_u64(m->path, "memory.usage_in_bytes");
		st->mem_max_usage = read_u64(m->path, "memory.max_usage_in_bytes");
		st->mem_limit = read_u64(m->path, "memory.limit_in_bytes");
		st->mem_failcnt = read_u64(m->path, "memory.failcnt");
		st->oom_kills = read_key(m->path, "memory.oom_control", "oom_kill");
		/* v1 counts memory+swap together */
		memsw = read_u64(m->path, "memory.memsw.usage_in_bytes");
		st->swap_usage = memsw > st->mem_usage ? memsw - st->mem_usage : 0;
		st->swap_limit = read_u64(m->path, "memory.memsw.limit_in_bytes");
	} else if (v2) {
		st->mem_usage = read_u64(v2, "memory.current");
		st->mem_max_usage = read_u64(v2, "memory.peak");
		st->mem_limit = read_u64(v2, "memory.max");
		st->mem_failcnt = read_key(v2, "memory.events", "max");
		st->oom_kills = read_key(v2, "memory.events", "oom_kill");
		st->swap_usage = read_u64(v2, "memory.swap.current");
		st->swap_limit = read_u64(v2, "memory.swap.max");
	}
}

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error *err)
{
	struct cg_dir *pids = cg_v1_dir(cg, "pids");
	const char *v2 = v2_with(cg, "pids.current");
	int frozen;

	memset(st, 0, sizeof *st);
	if (access(cg->n_dirs ? cg->dirs[0].path : "/", F_OK) < 0)
		return husk_error_errno(err, "cgroup `%s`", cg->stored);
	cpu_stats(cg, st);
	memory_stats(cg, st);
	if (pids || v2) {
		const char *dir = pids ? pids->path : v2;
		st->pids_current = read_u64(dir, "pids.current");
		st->pids_limit = read_u64(dir, "pids.max");
	}
	frozen = husk_cgroup_is_frozen(cg);
	st->frozen = frozen == 1;
	return 0;
}
