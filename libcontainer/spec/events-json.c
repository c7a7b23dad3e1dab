/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk events` lines: runc's types/events.go shape, so that tools reading
 * runc's output (containerd's runc shim, docker stats via runc) read ours.
 * Fields runc tags `omitempty` are left out when zero, as Go does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "internal.h"

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void u64(yajl_gen g, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%" PRIu64, v);
	yajl_gen_number(g, num, (size_t)n);
}

static void key_u64(yajl_gen g, const char *k, uint64_t v)
{
	str(g, k);
	u64(g, v);
}

/* a field Go's encoding/json omits when zero */
static void key_u64_oe(yajl_gen g, const char *k, uint64_t v)
{
	if (v != 0)
		key_u64(g, k, v);
}

static void key_list_oe(yajl_gen g, const char *k, const uint64_t *v, size_t n)
{
	if (n == 0)
		return;
	str(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		u64(g, v[i]);
	yajl_gen_array_close(g);
}

static void key_u16_list_oe(yajl_gen g, const char *k, const uint16_t *v, size_t n)
{
	if (n == 0)
		return;
	str(g, k);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		u64(g, v[i]);
	yajl_gen_array_close(g);
}

static char *finish(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_get_buf(g, &buf, &len);
	out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	if (out == NULL)
		abort();
	return out;
}

static void cpu(yajl_gen g, const struct husk_cgroup_stats *st)
{
	str(g, "cpu");
	yajl_gen_map_open(g);
	str(g, "usage");
	yajl_gen_map_open(g);
	key_u64_oe(g, "total", st->cpu_usage);
	key_list_oe(g, "percpu", st->percpu, st->n_percpu);
	key_list_oe(g, "percpu_kernel", st->percpu_kernel, st->n_percpu_kernel);
	key_list_oe(g, "percpu_user", st->percpu_user, st->n_percpu_user);
	key_u64(g, "kernel", st->cpu_system);
	key_u64(g, "user", st->cpu_user);
	yajl_gen_map_close(g);
	str(g, "throttling");
	yajl_gen_map_open(g);
	key_u64_oe(g, "periods", st->cpu_periods);
	key_u64_oe(g, "throttledPeriods", st->cpu_throttled_periods);
	key_u64_oe(g, "throttledTime", st->cpu_throttled_time);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void cpuset(yajl_gen g, const struct husk_cgroup_cpuset *c)
{
	str(g, "cpuset");
	yajl_gen_map_open(g);
	key_u16_list_oe(g, "cpus", c->cpus, c->n_cpus);
	key_u64(g, "cpu_exclusive", c->cpu_exclusive);
	key_u16_list_oe(g, "mems", c->mems, c->n_mems);
	key_u64(g, "mem_hardwall", c->mem_hardwall);
	key_u64(g, "mem_exclusive", c->mem_exclusive);
	key_u64(g, "memory_migrate", c->memory_migrate);
	key_u64(g, "memory_spread_page", c->memory_spread_page);
	key_u64(g, "memory_spread_slab", c->memory_spread_slab);
	key_u64(g, "memory_pressure", c->memory_pressure);
	key_u64(g, "sched_load_balance", c->sched_load_balance);
	str(g, "sched_relax_domain_level");
	yajl_gen_integer(g, c->sched_relax_domain_level);
	yajl_gen_map_close(g);
}

static void mem_entry(yajl_gen g, const char *k, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt)
{
	str(g, k);
	yajl_gen_map_open(g);
	key_u64(g, "limit", limit);
	key_u64_oe(g, "usage", usage);
	key_u64_oe(g, "max", max);
	key_u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void memory(yajl_gen g, const struct husk_cgroup_stats *st)
{
	str(g, "memory");
	yajl_gen_map_open(g);
	key_u64_oe(g, "cache", st->mem_cache);
	mem_entry(g, "usage", st->mem_limit, st->mem_usage, st->mem_max_usage, st->mem_failcnt);
	mem_entry(g, "swap", st->memsw_limit, st->memsw_usage, st->memsw_max_usage,
		  st->memsw_failcnt);
	mem_entry(g, "kernel", st->kmem_limit, st->kmem_usage, st->kmem_max_usage,
		  st->kmem_failcnt);
	mem_entry(g, "kernelTCP", st->kmem_tcp_limit, st->kmem_tcp_usage, st->kmem_tcp_max_usage,
		  st->kmem_tcp_failcnt);
	if (st->n_mem_raw) {
		str(g, "raw");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < st->n_mem_raw; i++) {
			str(g, st->mem_raw[i].key);
			/* validated as a decimal number by the reader */
			yajl_gen_number(g, st->mem_raw[i].value, strlen(st->mem_raw[i].value));
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void blkio(yajl_gen g, const struct husk_cgroup_stats *st)
{
	/* runc's JSON names, by enum husk_cgroup_blkio_kind ("ioQueueRecursive" is runc's) */
	static const char *const names[8] = {
	    "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
	    "ioServiceTimeRecursive",  "ioWaitTimeRecursive", "ioMergedRecursive",
	    "ioTimeRecursive",	       "sectorsRecursive",
	};

	str(g, "blkio");
	yajl_gen_map_open(g);
	for (size_t k = 0; k < 8; k++) {
		if (st->n_blkio[k] == 0)
			continue;
		str(g, names[k]);
		yajl_gen_array_open(g);
		for (size_t i = 0; i < st->n_blkio[k]; i++) {
			const struct husk_cgroup_blkio_entry *e = &st->blkio[k][i];
			yajl_gen_map_open(g);
			key_u64_oe(g, "major", e->major);
			key_u64_oe(g, "minor", e->minor);
			if (e->op[0] != '\0') {
				str(g, "op");
				str(g, e->op);
			}
			key_u64_oe(g, "value", e->value);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void hugetlb(yajl_gen g, const struct husk_cgroup_stats *st)
{
	str(g, "hugetlb");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < st->n_hugetlb; i++) {
		str(g, st->hugetlb[i].page_size);
		yajl_gen_map_open(g);
		key_u64_oe(g, "usage", st->hugetlb[i].usage);
		key_u64_oe(g, "max", st->hugetlb[i].max);
		key_u64(g, "failcnt", st->hugetlb[i].failcnt);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

char *husk_events_stats_json(const char *id, const struct husk_cgroup_stats *st)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	yajl_gen_map_open(g);
	str(g, "type");
	str(g, "stats");
	str(g, "id");
	str(g, id);
	str(g, "data");
	yajl_gen_map_open(g);
	cpu(g, st);
	cpuset(g, &st->cpuset);
	memory(g, st);
	str(g, "pids");
	yajl_gen_map_open(g);
	key_u64_oe(g, "current", st->pids_current);
	key_u64_oe(g, "limit", st->pids_limit);
	yajl_gen_map_close(g);
	blkio(g, st);
	hugetlb(g, st);
	str(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	/* runc leaves it nil: null */
	str(g, "network_interfaces");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return finish(g);
}

char *husk_events_simple_json(const char *type, const char *id)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	yajl_gen_map_open(g);
	str(g, "type");
	str(g, type);
	str(g, "id");
	str(g, id);
	yajl_gen_map_close(g);
	return finish(g);
}
