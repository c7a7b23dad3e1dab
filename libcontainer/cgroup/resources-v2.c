/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources on cgroup v2, converted from the v1 terms of the spec the
 * way runc does (cpu shares -> cpu.weight, memory+swap -> swap.max, blkio
 * weight -> io.weight).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cgroup-internal.h"

uint64_t cg_shares_to_weight(uint64_t shares)
{
	/* runc: [2, 262144] -> [1, 10000], linearly */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	/* runc: [10, 1000] -> [1, 10000] */
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + (w - 10) * 9999 / 990;
}

/* The leaf must have the controller: name it rather than a missing file. */
static int require(struct cg_dir *d, const char *ctrl, const char *field, struct husk_error *err)
{
	cleanup_free char *avail = NULL;
	size_t len = strlen(ctrl);

	if (cg_read(d->path, "cgroup.controllers", &avail, err) < 0)
		return -1;
	for (char *p = avail; (p = strstr(p, ctrl)) != NULL; p += len)
		if ((p == avail || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return 0;
	return husk_error_set(err, ENOTSUP,
			      "linux.resources.%s: cgroup controller `%s` is not available in `%s`",
			      field, ctrl, d->path);
}

static int set_max(struct cg_dir *d, const char *file, int64_t v, struct husk_error *err)
{
	if (v < 0)
		return cg_write(d->path, file, "max", err);
	return cg_writef(d->path, file, err, "%" PRId64, v);
}

static int memory_apply(struct cg_dir *d, const struct husk_memory *m, struct husk_error *err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	int64_t swap_v2;

	/* swappiness, disableOOMKiller, kernel, kernelTCP: no v2 files (runc ignores them too) */
	/* runc: 0 leaves limit, swap and reservation alone (Docker sends 0) */
	if (!(limit || swap || (m->has_reservation && m->reservation)))
		return 0;
	if (require(d, "memory", "memory", err) < 0)
		return -1;
	/* runc's ConvertMemorySwapToCgroupV2Value */
	if (limit == -1 && swap == 0)
		swap_v2 = -1;
	else if (swap == -1 || swap == 0)
		swap_v2 = swap;
	else if (limit <= 0)
		return husk_error_set(
		    err, EINVAL,
		    "linux.resources.memory.swap: cannot be set without a memory limit");
	else if (swap < limit)
		return husk_error_set(err, EINVAL,
				      "linux.resources.memory.swap: `%" PRId64
				      "` is below the memory limit `%" PRId64 "`",
				      swap, limit);
	else
		swap_v2 = swap - limit;
	/* swap == limit: no swap at all, "0" (runc) */
	if (swap_v2 != 0 || swap > 0) {
		if (cg_has_file(d->path, "memory.swap.max")) {
			if (set_max(d, "memory.swap.max", swap_v2, err) < 0)
				return cg_field_err(err, "memory.swap");
		} else if (swap_v2 > 0) {
			return husk_error_set(err, ENOTSUP,
					      "linux.resources.memory.swap: `%s/memory.swap.max` "
					      "does not exist (no swap accounting)",
					      d->path);
		}
	}
	if (m->has_limit && limit != 0 && set_max(d, "memory.max", limit, err) < 0)
		return cg_field_err(err, "memory.limit");
	if (m->has_reservation && m->reservation &&
	    set_max(d, "memory.low", m->reservation, err) < 0)
		return cg_field_err(err, "memory.reservation");
	return 0;
}

static int cpu_apply(struct cg_dir *d, const struct husk_cpu *c, struct husk_error *err)
{
	if (c->has_realtime_runtime || c->has_realtime_period) {
		if ((c->has_realtime_runtime && c->realtime_runtime) ||
		    (c->has_realtime_period && c->realtime_period))
			return husk_error_set(err, ENOTSUP,
					      "linux.resources.cpu: realtime runtime and period "
					      "need cgroup v1");
	}
	if ((c->has_shares && c->shares) || c->has_quota || c->has_period || c->has_burst ||
	    c->has_idle) {
		if (require(d, "cpu", "cpu", err) < 0)
			return -1;
		if (c->has_shares && c->shares &&
		    cg_writef(d->path, "cpu.weight", err, "%" PRIu64,
			      cg_shares_to_weight(c->shares)) < 0)
			return cg_field_err(err, "cpu.shares");
		if ((c->has_quota && c->quota != 0) || (c->has_period && c->period != 0)) {
			char q[32] = "max", line[64];
			if (c->has_quota && c->quota > 0) {
				snprintf(q, sizeof q, "%" PRId64, c->quota);
			} else if (!c->has_quota || c->quota == 0) {
				/* a period alone keeps the current quota (husk update --cpu-period)
				 */
				cleanup_free char *cur = NULL;
				if (cg_read(d->path, "cpu.max", &cur, err) < 0)
					return -1;
				snprintf(q, sizeof q, "%.*s", (int)strcspn(cur, " "), cur);
			}
			if (c->has_period && c->period)
				snprintf(line, sizeof line, "%s %" PRIu64, q, c->period);
			else
				snprintf(line, sizeof line, "%s", q);
			if (cg_write(d->path, "cpu.max", line, err) < 0)
				return cg_field_err(err, "cpu.%s",
						    c->has_quota && c->quota ? "quota" : "period");
		}
		if (c->has_burst &&
		    cg_writef(d->path, "cpu.max.burst", err, "%" PRIu64, c->burst) < 0)
			return cg_field_err(err, "cpu.burst");
		if (c->has_idle && cg_writef(d->path, "cpu.idle", err, "%" PRId64, c->idle) < 0)
			return cg_field_err(err, "cpu.idle");
	}
	if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
		if (require(d, "cpuset", "cpu.cpus", err) < 0)
			return -1;
		if (c->cpus && *c->cpus && cg_write(d->path, "cpuset.cpus", c->cpus, err) < 0)
			return cg_field_err(err, "cpu.cpus");
		if (c->mems && *c->mems && cg_write(d->path, "cpuset.mems", c->mems, err) < 0)
			return cg_field_err(err, "cpu.mems");
	}
	return 0;
}

static int io_max(struct cg_dir *d, const char *key, const char *field,
		  const struct husk_throttle_list *l, struct husk_error *err)
{
	for (size_t i = 0; i < l->n; i++)
		if (cg_writef(d->path, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
			      l->v[i].major, l->v[i].minor, key, l->v[i].rate) < 0)
			return cg_field_err(err, "blockIO.%s[%zu]", field, i);
	return 0;
}

static int io_apply(struct cg_dir *d, const struct husk_blkio *b, struct husk_error *err)
{
	bool bfq;

	if (!((b->has_weight && b->weight) || b->n_weight_device || b->throttle_read_bps.n ||
	      b->throttle_write_bps.n || b->throttle_read_iops.n || b->throttle_write_iops.n))
		return 0;
	if (require(d, "io", "blockIO", err) < 0)
		return -1;
	/* io.bfq.weight takes the v1 range as is; io.weight needs converting (runc) */
	bfq = cg_has_file(d->path, "io.bfq.weight");
	if (b->has_weight && b->weight) {
		if ((bfq ? cg_writef(d->path, "io.bfq.weight", err, "%u", b->weight)
			 : cg_writef(d->path, "io.weight", err, "default %" PRIu64,
				     cg_blkio_to_io_weight(b->weight))) < 0)
			return cg_field_err(err, "blockIO.weight");
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct husk_weight_device *w = &b->weight_device[i];
		if (!w->has_weight)
			continue; /* leafWeight has no v2 counterpart */
		if ((bfq ? cg_writef(d->path, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u",
				     w->major, w->minor, w->weight)
			 : cg_writef(d->path, "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
				     w->major, w->minor, cg_blkio_to_io_weight(w->weight))) < 0)
			return cg_field_err(err, "blockIO.weightDevice[%zu].weight", i);
	}
	if (io_max(d, "rbps", "throttleReadBpsDevice", &b->throttle_read_bps, err) < 0 ||
	    io_max(d, "wbps", "throttleWriteBpsDevice", &b->throttle_write_bps, err) < 0 ||
	    io_max(d, "riops", "throttleReadIOPSDevice", &b->throttle_read_iops, err) < 0 ||
	    io_max(d, "wiops", "throttleWriteIOPSDevice", &b->throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static int hugetlb_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	if (res->n_hugepage_limits == 0)
		return 0;
	if (require(d, "hugetlb", "hugepageLimits", err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct husk_hugepage_limit *h = &res->hugepage_limits[i];
		cleanup_free char *file = NULL, *rsvd = NULL;
		if (asprintf(&file, "hugetlb.%s.max", h->page_size) < 0 ||
		    asprintf(&rsvd, "hugetlb.%s.rsvd.max", h->page_size) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (cg_writef(d->path, file, err, "%" PRIu64, h->limit) < 0 ||
		    (cg_has_file(d->path, rsvd) &&
		     cg_writef(d->path, rsvd, err, "%" PRIu64, h->limit) < 0))
			return cg_field_err(err, "hugepageLimits[%zu]", i);
	}
	return 0;
}

static int rdma_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	if (res->n_rdma == 0)
		return 0;
	if (require(d, "rdma", "rdma", err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_rdma; i++) {
		const struct husk_rdma *r = &res->rdma[i];
		char h[32] = "", o[32] = "";
		if (!r->has_hca_handles && !r->has_hca_objects)
			continue;
		if (r->has_hca_handles)
			snprintf(h, sizeof h, " hca_handle=%u", r->hca_handles);
		if (r->has_hca_objects)
			snprintf(o, sizeof o, " hca_object=%u", r->hca_objects);
		if (cg_writef(d->path, "rdma.max", err, "%s%s%s", r->device, h, o) < 0)
			return cg_field_err(err, "rdma[\"%s\"]", r->device);
	}
	return 0;
}

static int unified_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *k = res->unified[i].key;
		if (strchr(k, '/') || k[0] == '.' || k[0] == '\0')
			return husk_error_set(err, EINVAL,
					      "linux.resources.unified: invalid key `%s`", k);
		if (!cg_has_file(d->path, k)) {
			/* name the controller when it is not enabled here (runc) */
			cleanup_free char *ctrl = xstrdup(k);
			char *dot = strchr(ctrl, '.');
			if (dot)
				*dot = '\0';
			if (dot && strcmp(ctrl, "cgroup") != 0 &&
			    require(d, ctrl, "unified", err) < 0)
				return -1;
			return husk_error_set(err, ENOENT,
					      "linux.resources.unified: `%s/%s` does not exist",
					      d->path, k);
		}
		if (cg_write(d->path, k, res->unified[i].value, err) < 0)
			return cg_field_err(err, "unified[\"%s\"]", k);
	}
	return 0;
}

int cg_v2_apply(struct cg_dir *d, const struct husk_resources *res, bool update,
		struct husk_error *err)
{
	if (res == NULL)
		return 0;
	if (res->has_memory && memory_apply(d, &res->memory, err) < 0)
		return -1;
	if (res->has_cpu && cpu_apply(d, &res->cpu, err) < 0)
		return -1;
	if (res->has_pids && res->has_pids_limit && res->pids_limit != 0) {
		if (require(d, "pids", "pids", err) < 0)
			return -1;
		if (set_max(d, "pids.max", res->pids_limit, err) < 0)
			return cg_field_err(err, "pids.limit");
	}
	if (res->has_blkio && io_apply(d, &res->blkio, err) < 0)
		return -1;
	if (hugetlb_apply(d, res, err) < 0)
		return -1;
	if (rdma_apply(d, res, err) < 0)
		return -1;
	return unified_apply(d, res, err);
}
