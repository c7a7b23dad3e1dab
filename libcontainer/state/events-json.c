/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk events` lines: runc's types/events.go shape, so that tools reading
 * runc's output (containerd's runc shim, docker stats via runc) read ours.
 * Fields runc tags `omitempty` are left out when zero, as Go does.
 */
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"
#include "state/events.h"

/* a field Go's encoding/json omits when zero */
static void key_u64_oe(struct jw *g, const char *k, uint64_t v)
{
	if (v != 0)
		jw_ku64(g, k, v);
}

static void key_list_oe(struct jw *g, const char *k, const uint64_t *v, size_t n)
{
	if (n == 0)
		return;
	jw_key(g, k);
	jw_arr_begin(g);
	for (size_t i = 0; i < n; i++)
		jw_u64(g, v[i]);
	jw_arr_end(g);
}

static void key_u16_list_oe(struct jw *g, const char *k, const uint16_t *v, size_t n)
{
	if (n == 0)
		return;
	jw_key(g, k);
	jw_arr_begin(g);
	for (size_t i = 0; i < n; i++)
		jw_u64(g, v[i]);
	jw_arr_end(g);
}

static void cpu(struct jw *g, const struct husk_cgroup_stats *st)
{
	jw_key(g, "cpu");
	jw_obj_begin(g);
	jw_key(g, "usage");
	jw_obj_begin(g);
	key_u64_oe(g, "total", st->cpu_usage);
	key_list_oe(g, "percpu", st->percpu, st->n_percpu);
	key_list_oe(g, "percpu_kernel", st->percpu_kernel, st->n_percpu_kernel);
	key_list_oe(g, "percpu_user", st->percpu_user, st->n_percpu_user);
	jw_ku64(g, "kernel", st->cpu_system);
	jw_ku64(g, "user", st->cpu_user);
	jw_obj_end(g);
	jw_key(g, "throttling");
	jw_obj_begin(g);
	key_u64_oe(g, "periods", st->cpu_periods);
	key_u64_oe(g, "throttledPeriods", st->cpu_throttled_periods);
	key_u64_oe(g, "throttledTime", st->cpu_throttled_time);
	jw_obj_end(g);
	jw_obj_end(g);
}

static void cpuset(struct jw *g, const struct husk_cgroup_cpuset *c)
{
	jw_key(g, "cpuset");
	jw_obj_begin(g);
	key_u16_list_oe(g, "cpus", c->cpus, c->n_cpus);
	jw_ku64(g, "cpu_exclusive", c->cpu_exclusive);
	key_u16_list_oe(g, "mems", c->mems, c->n_mems);
	jw_ku64(g, "mem_hardwall", c->mem_hardwall);
	jw_ku64(g, "mem_exclusive", c->mem_exclusive);
	jw_ku64(g, "memory_migrate", c->memory_migrate);
	jw_ku64(g, "memory_spread_page", c->memory_spread_page);
	jw_ku64(g, "memory_spread_slab", c->memory_spread_slab);
	jw_ku64(g, "memory_pressure", c->memory_pressure);
	jw_ku64(g, "sched_load_balance", c->sched_load_balance);
	jw_ki64(g, "sched_relax_domain_level", c->sched_relax_domain_level);
	jw_obj_end(g);
}

static void mem_entry(struct jw *g, const char *k, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt)
{
	jw_key(g, k);
	jw_obj_begin(g);
	jw_ku64(g, "limit", limit);
	key_u64_oe(g, "usage", usage);
	key_u64_oe(g, "max", max);
	jw_ku64(g, "failcnt", failcnt);
	jw_obj_end(g);
}

static void memory(struct jw *g, const struct husk_cgroup_stats *st)
{
	jw_key(g, "memory");
	jw_obj_begin(g);
	key_u64_oe(g, "cache", st->mem_cache);
	mem_entry(g, "usage", st->mem_limit, st->mem_usage, st->mem_max_usage, st->mem_failcnt);
	mem_entry(g, "swap", st->memsw_limit, st->memsw_usage, st->memsw_max_usage,
		  st->memsw_failcnt);
	mem_entry(g, "kernel", st->kmem_limit, st->kmem_usage, st->kmem_max_usage,
		  st->kmem_failcnt);
	mem_entry(g, "kernelTCP", st->kmem_tcp_limit, st->kmem_tcp_usage, st->kmem_tcp_max_usage,
		  st->kmem_tcp_failcnt);
	if (st->n_mem_raw) {
		jw_key(g, "raw");
		jw_obj_begin(g);
		for (size_t i = 0; i < st->n_mem_raw; i++) {
			jw_key(g, st->mem_raw[i].key);
			/* validated as a decimal number by the reader */
			jw_raw(g, st->mem_raw[i].value);
		}
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

static void blkio(struct jw *g, const struct husk_cgroup_stats *st)
{
	/* runc's JSON names, by enum husk_cgroup_blkio_kind ("ioQueueRecursive" is runc's) */
	static const char *const names[8] = {
	    "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
	    "ioServiceTimeRecursive",  "ioWaitTimeRecursive", "ioMergedRecursive",
	    "ioTimeRecursive",	       "sectorsRecursive",
	};

	jw_key(g, "blkio");
	jw_obj_begin(g);
	for (size_t k = 0; k < 8; k++) {
		if (st->n_blkio[k] == 0)
			continue;
		jw_key(g, names[k]);
		jw_arr_begin(g);
		for (size_t i = 0; i < st->n_blkio[k]; i++) {
			const struct husk_cgroup_blkio_entry *e = &st->blkio[k][i];
			jw_obj_begin(g);
			key_u64_oe(g, "major", e->major);
			key_u64_oe(g, "minor", e->minor);
			if (e->op[0] != '\0') {
				jw_kstr(g, "op", e->op);
			}
			key_u64_oe(g, "value", e->value);
			jw_obj_end(g);
		}
		jw_arr_end(g);
	}
	jw_obj_end(g);
}

static void hugetlb(struct jw *g, const struct husk_cgroup_stats *st)
{
	jw_key(g, "hugetlb");
	jw_obj_begin(g);
	for (size_t i = 0; i < st->n_hugetlb; i++) {
		jw_key(g, st->hugetlb[i].page_size);
		jw_obj_begin(g);
		key_u64_oe(g, "usage", st->hugetlb[i].usage);
		key_u64_oe(g, "max", st->hugetlb[i].max);
		jw_ku64(g, "failcnt", st->hugetlb[i].failcnt);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

char *husk_events_stats_json(const char *id, const struct husk_cgroup_stats *st)
{
	struct jw w, *g = &w;

	jw_init(g, NULL);
	jw_obj_begin(g);
	jw_kstr(g, "type", "stats");
	jw_kstr(g, "id", id);
	jw_key(g, "data");
	jw_obj_begin(g);
	cpu(g, st);
	cpuset(g, &st->cpuset);
	memory(g, st);
	jw_key(g, "pids");
	jw_obj_begin(g);
	key_u64_oe(g, "current", st->pids_current);
	key_u64_oe(g, "limit", st->pids_limit);
	jw_obj_end(g);
	blkio(g, st);
	hugetlb(g, st);
	jw_key(g, "intel_rdt");
	jw_obj_begin(g);
	jw_obj_end(g);
	/* runc leaves it nil: null */
	jw_key(g, "network_interfaces");
	jw_null(g);
	jw_obj_end(g);
	jw_obj_end(g);
	return jw_finish(g);
}

char *husk_events_simple_json(const char *type, const char *id)
{
	struct jw w, *g = &w;

	jw_init(g, NULL);
	jw_obj_begin(g);
	jw_kstr(g, "type", type);
	jw_kstr(g, "id", id);
	jw_obj_end(g);
	return jw_finish(g);
}
