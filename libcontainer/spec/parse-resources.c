/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources (also `update -r`'s resources JSON). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

/* Optional field into a value + has_ flag. */
#define OPT(fn, key, field, has)                                                                   \
	do {                                                                                       \
		int r_ = fn(c, o, key, J_OPT, field);                                              \
		if (r_ < 0)                                                                        \
			return -1;                                                                 \
		*(has) = r_ > 0;                                                                   \
	} while (0)

static int parse_device_rule(struct jctx *c, yajl_val o, void *out)
{
	struct husk_device_rule *d = out;

	if (j_bool(c, o, "allow", J_REQ, &d->allow) < 0 || j_str(c, o, "type", J_OPT, &d->type) < 0)
		return -1;
	if (d->type && (strlen(d->type) != 1 || !strchr("abc", d->type[0])))
		return jerr_at(c, "type", "unknown device type `%s` (a, b or c)", d->type);
	OPT(j_i64, "major", &d->major, &d->has_major);
	OPT(j_i64, "minor", &d->minor, &d->has_minor);
	if (j_str(c, o, "access", J_OPT, &d->access) < 0)
		return -1;
	if (d->access) {
		/* runc: only r, w and m, each at most once */
		for (const char *p = d->access; *p; p++)
			if (!strchr("rwm", *p) || strchr(p + 1, *p))
				return jerr_at(c, "access", "invalid access `%s` (a subset of rwm)",
					       d->access);
	}
	return 0;
}

static int check_memory(struct jctx *c, const struct husk_memory *m)
{
	/*
	 * Checked here, not per host, so a config fails the same way on v1 and
	 * v2: v1's kernel refuses memsw below the limit, and runc's v2
	 * conversion (swap.max = swap - limit) refuses it and a swap limit
	 * without a memory limit.  0 and -1 (unset, unlimited) are fine.
	 */
	if (m->has_swap && m->swap > 0) {
		int64_t limit = m->has_limit ? m->limit : 0;
		if (limit == 0 || limit == -1)
			return jerr_at(c, "swap",
				       "`%" PRId64 "` needs a memory limit (memory.limit)",
				       m->swap);
		if (limit > 0 && m->swap < limit)
			return jerr_at(c, "swap",
				       "`%" PRId64 "` is below the memory limit `%" PRId64
				       "` (swap is memory + swap)",
				       m->swap, limit);
	}
	/* runc: swappiness above 100 is an error */
	if (m->has_swappiness && m->swappiness > 100)
		return jerr_at(c, "swappiness", "`%llu` is out of range [0, 100]",
			       (unsigned long long)m->swappiness);
	return 0;
}

static int parse_memory(struct jctx *c, yajl_val o, struct husk_memory *m)
{
	OPT(j_i64, "limit", &m->limit, &m->has_limit);
	OPT(j_i64, "reservation", &m->reservation, &m->has_reservation);
	OPT(j_i64, "swap", &m->swap, &m->has_swap);
	OPT(j_i64, "kernel", &m->kernel, &m->has_kernel);
	OPT(j_i64, "kernelTCP", &m->kernel_tcp, &m->has_kernel_tcp);
	OPT(j_u64, "swappiness", &m->swappiness, &m->has_swappiness);
	OPT(j_bool, "disableOOMKiller", &m->disable_oom_killer, &m->has_disable_oom_killer);
	OPT(j_bool, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy);
	OPT(j_bool, "checkBeforeUpdate", &m->check_before_update, &m->has_check_before_update);
	return check_memory(c, m);
}

static int check_cpu(struct jctx *c, const struct husk_cpu *cpu)
{
	/*
	 * The kernel's cpu.shares range (v1 clamps outside it, and runc then
	 * fails reading back another value; runc's v2 conversion to cpu.weight
	 * goes outside 1..10000): refused in the plan on every layout.  0 is
	 * "unset" (Docker sends it).
	 */
	if (cpu->has_shares && cpu->shares != 0 && (cpu->shares < 2 || cpu->shares > 262144))
		return jerr_at(c, "shares", "`%" PRIu64 "` is out of range [2, 262144]",
			       cpu->shares);
	return 0;
}

static int parse_cpu(struct jctx *c, yajl_val o, struct husk_cpu *cpu)
{
	OPT(j_u64, "shares", &cpu->shares, &cpu->has_shares);
	OPT(j_i64, "quota", &cpu->quota, &cpu->has_quota);
	OPT(j_u64, "burst", &cpu->burst, &cpu->has_burst);
	OPT(j_u64, "period", &cpu->period, &cpu->has_period);
	OPT(j_i64, "realtimeRuntime", &cpu->realtime_runtime, &cpu->has_realtime_runtime);
	OPT(j_u64, "realtimePeriod", &cpu->realtime_period, &cpu->has_realtime_period);
	OPT(j_i64, "idle", &cpu->idle, &cpu->has_idle);
	if (check_cpu(c, cpu) < 0)
		return -1;
	if (j_str(c, o, "cpus", J_OPT, &cpu->cpus) < 0 ||
	    j_str(c, o, "mems", J_OPT, &cpu->mems) < 0)
		return -1;
	return 0;
}

static int parse_pids(struct jctx *c, yajl_val o, struct husk_resources *r)
{
	r->has_pids = true;
	OPT(j_i64, "limit", &r->pids_limit, &r->has_pids_limit);
	return 0;
}

static int parse_weight_device(struct jctx *c, yajl_val o, void *out)
{
	struct husk_weight_device *w = out;

	if (j_i64(c, o, "major", J_REQ, &w->major) < 0 ||
	    j_i64(c, o, "minor", J_REQ, &w->minor) < 0)
		return -1;
	OPT(j_u16, "weight", &w->weight, &w->has_weight);
	OPT(j_u16, "leafWeight", &w->leaf_weight, &w->has_leaf_weight);
	return 0;
}

static int parse_throttle_device(struct jctx *c, yajl_val o, void *out)
{
	struct husk_throttle_device *t = out;

	if (j_i64(c, o, "major", J_REQ, &t->major) < 0 ||
	    j_i64(c, o, "minor", J_REQ, &t->minor) < 0 || j_u64(c, o, "rate", J_REQ, &t->rate) < 0)
		return -1;
	return 0;
}

static int throttle_list(struct jctx *c, yajl_val o, const char *key, struct husk_throttle_list *l)
{
	return j_each(c, o, key, J_OPT, sizeof *l->v, &l->v, &l->n, parse_throttle_device);
}

static int parse_blkio(struct jctx *c, yajl_val o, struct husk_blkio *b)
{
	OPT(j_u16, "weight", &b->weight, &b->has_weight);
	OPT(j_u16, "leafWeight", &b->leaf_weight, &b->has_leaf_weight);
	if (j_each(c, o, "weightDevice", J_OPT, sizeof *b->weight_device, &b->weight_device,
		   &b->n_weight_device, parse_weight_device) < 0 ||
	    throttle_list(c, o, "throttleReadBpsDevice", &b->throttle_read_bps) < 0 ||
	    throttle_list(c, o, "throttleWriteBpsDevice", &b->throttle_write_bps) < 0 ||
	    throttle_list(c, o, "throttleReadIOPSDevice", &b->throttle_read_iops) < 0 ||
	    throttle_list(c, o, "throttleWriteIOPSDevice", &b->throttle_write_iops) < 0)
		return -1;
	return 0;
}

static int parse_hugepage_limit(struct jctx *c, yajl_val o, void *out)
{
	struct husk_hugepage_limit *h = out;

	if (j_str(c, o, "pageSize", J_REQ, &h->page_size) < 0 ||
	    j_u64(c, o, "limit", J_REQ, &h->limit) < 0)
		return -1;
	return 0;
}

static int parse_net_priority(struct jctx *c, yajl_val o, void *out)
{
	struct husk_net_priority *p = out;

	if (j_str(c, o, "name", J_REQ, &p->name) < 0 ||
	    j_u32(c, o, "priority", J_REQ, &p->priority) < 0)
		return -1;
	return 0;
}

static int parse_network(struct jctx *c, yajl_val o, struct husk_resources *r)
{
	r->has_network = true;
	OPT(j_u32, "classID", &r->class_id, &r->has_class_id);
	return j_each(c, o, "priorities", J_OPT, sizeof *r->net_priorities, &r->net_priorities,
		      &r->n_net_priorities, parse_net_priority);
}

static int parse_rdma(struct jctx *c, char *key, yajl_val o, void *out)
{
	struct husk_rdma *d = out;

	d->device = key;
	if (jv_obj(c, o) < 0)
		return -1;
	OPT(j_u32, "hcaHandles", &d->hca_handles, &d->has_hca_handles);
	OPT(j_u32, "hcaObjects", &d->hca_objects, &d->has_hca_objects);
	return 0;
}

int parse_resources(struct jctx *c, yajl_val o, struct husk_resources *r)
{
	if (j_each(c, o, "devices", J_OPT, sizeof *r->devices, &r->devices, &r->n_devices,
		   parse_device_rule) < 0)
		return -1;
	J_SUB("memory", J_OPT, parse_memory(c, sub_, &r->memory));
	r->has_memory = jget(o, "memory") != NULL;
	J_SUB("cpu", J_OPT, parse_cpu(c, sub_, &r->cpu));
	r->has_cpu = jget(o, "cpu") != NULL;
	J_SUB("pids", J_OPT, parse_pids(c, sub_, r));
	J_SUB("blockIO", J_OPT, parse_blkio(c, sub_, &r->blkio));
	r->has_blkio = jget(o, "blockIO") != NULL;
	if (j_each(c, o, "hugepageLimits", J_OPT, sizeof *r->hugepage_limits, &r->hugepage_limits,
		   &r->n_hugepage_limits, parse_hugepage_limit) < 0)
		return -1;
	J_SUB("network", J_OPT, parse_network(c, sub_, r));
	if (j_map(c, o, "rdma", J_OPT, sizeof *r->rdma, &r->rdma, &r->n_rdma, parse_rdma) < 0 ||
	    j_kv(c, o, "unified", J_OPT, &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}

void husk_resources_clear(struct husk_resources *r)
{
	struct husk_throttle_list *tl[] = {
	    &r->blkio.throttle_read_bps, &r->blkio.throttle_write_bps, &r->blkio.throttle_read_iops,
	    &r->blkio.throttle_write_iops};

	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_device);
	for (size_t i = 0; i < ARRAY_SIZE(tl); i++)
		free(tl[i]->v);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	husk_kv_free(r->unified, r->n_unified);
	memset(r, 0, sizeof *r);
}

int husk_resources_check(const struct husk_resources *r, const char *file, struct husk_error *err)
{
	struct jctx c;
	size_t mark;

	jctx_init(&c, file, err);
	if (r->has_memory) {
		mark = jp_key(&c, "memory");
		if (check_memory(&c, &r->memory) < 0)
			return -1;
		jp_pop(&c, mark);
	}
	if (r->has_cpu) {
		mark = jp_key(&c, "cpu");
		if (check_cpu(&c, &r->cpu) < 0)
			return -1;
		jp_pop(&c, mark);
	}
	return 0;
}
