/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources on cgroup v1 (and on the v1 part of a hybrid host).
 * Zero means "unset" for cpu shares and blkio weight (Docker sends 0).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cgroup-internal.h"

static struct cg_dir *need(struct husk_cgroup *cg, const char *ctrl, const char *field,
			   struct husk_error *err)
{
	struct cg_dir *d = cg_v1_dir(cg, ctrl);
	if (d == NULL)
		husk_error_set(err, ENOTSUP,
			       "linux.resources.%s: cgroup controller `%s` is not mounted", field,
			       ctrl);
	return d;
}

static int set_i64(struct cg_dir *d, const char *file, int64_t v, struct husk_error *err)
{
	return cg_writef(d->path, file, err, "%" PRId64, v);
}

static int set_u64(struct cg_dir *d, const char *file, uint64_t v, struct husk_error *err)
{
	return cg_writef(d->path, file, err, "%" PRIu64, v);
}

#define KMEM_TCP "memory.kmem.tcp.limit_in_bytes"

/*
 * kernelTCP: written where the kernel has the file, as crun does (runc 1.1
 * ignores it with a warning); husk_cgroup_ignored tells the caller when it
 * has none.  kernel (memory.kmem.limit_in_bytes): gone from recent kernels,
 * ignored like runc does.
 */
static int kernel_tcp_apply(struct husk_cgroup *cg, const struct husk_memory *m,
			    struct husk_error *err)
{
	struct cg_dir *d;

	if (!m->has_kernel_tcp || (d = cg_v1_dir(cg, "memory")) == NULL ||
	    !cg_has_file(d->path, KMEM_TCP))
		return 0;
	if (set_i64(d, KMEM_TCP, m->kernel_tcp, err) < 0)
		return cg_field_err(err, "memory.kernelTCP");
	return 0;
}

const char *husk_cgroup_ignored(const struct husk_cgroup *cg, const struct husk_resources *res)
{
	struct cg_dir *d;

	if (res == NULL || !res->memory.has_kernel_tcp || cg->mgr != &cg_cgroupfs_manager)
		return NULL;
	if (cg->layout == CG_LAYOUT_V2)
		return "memory.kernelTCP ignored: cgroup v2 has no kernel TCP memory limit";
	d = cg_v1_dir((struct husk_cgroup *)cg, "memory");
	if (d == NULL)
		return "memory.kernelTCP ignored: the cgroup v1 memory controller is not mounted";
	if (!cg_has_file(d->path, KMEM_TCP))
		return "memory.kernelTCP ignored: the kernel has no " KMEM_TCP;
	return NULL;
}

static int memory_apply(struct husk_cgroup *cg, const struct husk_memory *m, struct husk_error *err)
{
	struct cg_dir *d;
	const char *memsw = "memory.memsw.limit_in_bytes";
	/* runc: 0 leaves limit, swap and reservation alone (Docker sends 0) */
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	int64_t reservation = m->has_reservation ? m->reservation : 0;

	if (kernel_tcp_apply(cg, m, err) < 0)
		return -1;
	if (!(limit || swap || reservation || m->has_swappiness ||
	      (m->has_disable_oom_killer && m->disable_oom_killer) ||
	      (m->has_use_hierarchy && m->use_hierarchy)))
		return 0;
	if ((d = need(cg, "memory", "memory", err)) == NULL)
		return -1;
	/* no swap accounting, no memsw file: "unlimited" is all there is */
	if (!cg_has_file(d->path, memsw) && swap == -1)
		swap = 0;
	/* an unlimited memory limit takes swap along (runc) */
	if (limit == -1 && swap == 0 && cg_has_file(d->path, memsw))
		swap = -1;
	if (limit && swap) {
		/*
		 * memsw >= limit at every step (runc): raise memsw first when
		 * growing, else lower the limit first.
		 */
		cleanup_free char *cur = NULL;
		uint64_t curv = 0;
		bool swap_first;
		if (cg_read(d->path, "memory.limit_in_bytes", &cur, err) < 0)
			return -1;
		swap_first = swap == -1 || parse_u64(cur, &curv) < 0 || curv < (uint64_t)swap;
		if (swap_first && set_i64(d, memsw, swap, err) < 0)
			return cg_field_err(err, "memory.swap");
		if (set_i64(d, "memory.limit_in_bytes", limit, err) < 0)
			return cg_field_err(err, "memory.limit");
		if (!swap_first && set_i64(d, memsw, swap, err) < 0)
			return cg_field_err(err, "memory.swap");
	} else {
		if (limit && set_i64(d, "memory.limit_in_bytes", limit, err) < 0)
			return cg_field_err(err, "memory.limit");
		if (swap && set_i64(d, memsw, swap, err) < 0)
			return cg_field_err(err, "memory.swap");
	}
	if (reservation && set_i64(d, "memory.soft_limit_in_bytes", reservation, err) < 0)
		return cg_field_err(err, "memory.reservation");
	if (m->has_swappiness) {
		if (m->swappiness > 100)
			return husk_error_set(err, EINVAL,
					      "linux.resources.memory.swappiness: `%" PRIu64
					      "` is out of range [0, 100]",
					      m->swappiness);
		if (set_u64(d, "memory.swappiness", m->swappiness, err) < 0)
			return cg_field_err(err, "memory.swappiness");
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer &&
	    cg_write(d->path, "memory.oom_control", "1", err) < 0)
		return cg_field_err(err, "memory.disableOOMKiller");
	if (m->has_use_hierarchy && m->use_hierarchy &&
	    cg_write(d->path, "memory.use_hierarchy", "1", err) < 0)
		return cg_field_err(err, "memory.useHierarchy");
	return 0;
}

static int cpu_apply(struct husk_cgroup *cg, const struct husk_cpu *c, struct husk_error *err)
{
	struct cg_dir *d;
	/* runc: 0 leaves shares, quota, period and the rt values alone */
	uint64_t shares = c->has_shares ? c->shares : 0, period = c->has_period ? c->period : 0;
	int64_t quota = c->has_quota ? c->quota : 0;
	uint64_t rt_period = c->has_realtime_period ? c->realtime_period : 0;
	int64_t rt_runtime = c->has_realtime_runtime ? c->realtime_runtime : 0;

	if (shares || quota || period || c->has_burst || rt_period || rt_runtime || c->has_idle) {
		if ((d = need(cg, "cpu", "cpu", err)) == NULL)
			return -1;
		if (shares && set_u64(d, "cpu.shares", shares, err) < 0)
			return cg_field_err(err, "cpu.shares");
		if (period) {
			struct husk_error e = {0};
			/* a shorter period may be refused until the quota is lowered (runc) */
			if (set_u64(d, "cpu.cfs_period_us", period, &e) < 0) {
				if (e.status != EINVAL || !quota) {
					husk_error_set(err, e.status, "%s", e.msg);
					husk_error_clear(&e);
					return cg_field_err(err, "cpu.period");
				}
				husk_error_clear(&e);
				if (set_i64(d, "cpu.cfs_quota_us", quota, err) < 0)
					return cg_field_err(err, "cpu.quota");
				if (set_u64(d, "cpu.cfs_period_us", period, err) < 0)
					return cg_field_err(err, "cpu.period");
			}
		}
		if (quota && set_i64(d, "cpu.cfs_quota_us", quota, err) < 0)
			return cg_field_err(err, "cpu.quota");
		if (c->has_burst && set_u64(d, "cpu.cfs_burst_us", c->burst, err) < 0)
			return cg_field_err(err, "cpu.burst");
		if (rt_period && set_u64(d, "cpu.rt_period_us", rt_period, err) < 0)
			return cg_field_err(err, "cpu.realtimePeriod");
		if (rt_runtime && set_i64(d, "cpu.rt_runtime_us", rt_runtime, err) < 0)
			return cg_field_err(err, "cpu.realtimeRuntime");
		if (c->has_idle && set_i64(d, "cpu.idle", c->idle, err) < 0)
			return cg_field_err(err, "cpu.idle");
	}
	if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
		if ((d = need(cg, "cpuset", "cpu.cpus", err)) == NULL)
			return -1;
		if (c->cpus && *c->cpus && cg_write(d->path, "cpuset.cpus", c->cpus, err) < 0)
			return cg_field_err(err, "cpu.cpus");
		if (c->mems && *c->mems && cg_write(d->path, "cpuset.mems", c->mems, err) < 0)
			return cg_field_err(err, "cpu.mems");
	}
	return 0;
}

static int pids_apply(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_error *err)
{
	struct cg_dir *d;

	/* runc: 0 leaves it alone, negative is "max" */
	if (!res->has_pids || !res->has_pids_limit || res->pids_limit == 0)
		return 0;
	if ((d = need(cg, "pids", "pids", err)) == NULL)
		return -1;
	if (res->pids_limit < 0 ? cg_write(d->path, "pids.max", "max", err) < 0
				: set_i64(d, "pids.max", res->pids_limit, err) < 0)
		return cg_field_err(err, "pids.limit");
	return 0;
}

static int throttle(struct cg_dir *d, const char *file, const char *field,
		    const struct husk_throttle_list *l, struct husk_error *err)
{
	for (size_t i = 0; i < l->n; i++)
		if (cg_writef(d->path, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, l->v[i].major,
			      l->v[i].minor, l->v[i].rate) < 0)
			return cg_field_err(err, "blockIO.%s[%zu]", field, i);
	return 0;
}

static int blkio_apply(struct husk_cgroup *cg, const struct husk_blkio *b, struct husk_error *err)
{
	struct cg_dir *d;
	bool bfq;
	const char *weight_file, *wdev_file;

	if (!((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) ||
	      b->n_weight_device || b->throttle_read_bps.n || b->throttle_write_bps.n ||
	      b->throttle_read_iops.n || b->throttle_write_iops.n))
		return 0;
	if ((d = need(cg, "blkio", "blockIO", err)) == NULL)
		return -1;
	/* CFQ is gone; with BFQ the files are blkio.bfq.* (runc picks the same) */
	bfq = !cg_has_file(d->path, "blkio.weight") && cg_has_file(d->path, "blkio.bfq.weight");
	weight_file = bfq ? "blkio.bfq.weight" : "blkio.weight";
	wdev_file = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	if (b->has_weight && b->weight && set_u64(d, weight_file, b->weight, err) < 0)
		return cg_field_err(err, "blockIO.weight");
	if (b->has_leaf_weight && b->leaf_weight &&
	    set_u64(d, "blkio.leaf_weight", b->leaf_weight, err) < 0)
		return cg_field_err(err, "blockIO.leafWeight");
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct husk_weight_device *w = &b->weight_device[i];
		if (w->has_weight &&
		    cg_writef(d->path, wdev_file, err, "%" PRId64 ":%" PRId64 " %u", w->major,
			      w->minor, w->weight) < 0)
			return cg_field_err(err, "blockIO.weightDevice[%zu].weight", i);
		if (w->has_leaf_weight &&
		    cg_writef(d->path, "blkio.leaf_weight_device", err,
			      "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->leaf_weight) < 0)
			return cg_field_err(err, "blockIO.weightDevice[%zu].leafWeight", i);
	}
	if (throttle(d, "blkio.throttle.read_bps_device", "throttleReadBpsDevice",
		     &b->throttle_read_bps, err) < 0 ||
	    throttle(d, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice",
		     &b->throttle_write_bps, err) < 0 ||
	    throttle(d, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice",
		     &b->throttle_read_iops, err) < 0 ||
	    throttle(d, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice",
		     &b->throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static int hugetlb_apply(struct husk_cgroup *cg, const struct husk_resources *res,
			 struct husk_error *err)
{
	struct cg_dir *d;

	if (res->n_hugepage_limits == 0)
		return 0;
	if ((d = need(cg, "hugetlb", "hugepageLimits", err)) == NULL)
		return -1;
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct husk_hugepage_limit *h = &res->hugepage_limits[i];
		cleanup_free char *file = NULL, *rsvd = NULL;
		if (asprintf(&file, "hugetlb.%s.limit_in_bytes", h->page_size) < 0 ||
		    asprintf(&rsvd, "hugetlb.%s.rsvd.limit_in_bytes", h->page_size) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (set_u64(d, file, h->limit, err) < 0 ||
		    (cg_has_file(d->path, rsvd) && set_u64(d, rsvd, h->limit, err) < 0))
			return cg_field_err(err, "hugepageLimits[%zu]", i);
	}
	return 0;
}

static int network_apply(struct husk_cgroup *cg, const struct husk_resources *res,
			 struct husk_error *err)
{
	struct cg_dir *d;

	if (res->has_network && res->has_class_id) {
		if ((d = need(cg, "net_cls", "network.classID", err)) == NULL)
			return -1;
		if (set_u64(d, "net_cls.classid", res->class_id, err) < 0)
			return cg_field_err(err, "network.classID");
	}
	if (res->n_net_priorities) {
		if ((d = need(cg, "net_prio", "network.priorities", err)) == NULL)
			return -1;
		for (size_t i = 0; i < res->n_net_priorities; i++)
			if (cg_writef(d->path, "net_prio.ifpriomap", err, "%s %u",
				      res->net_priorities[i].name,
				      res->net_priorities[i].priority) < 0)
				return cg_field_err(err, "network.priorities[%zu]", i);
	}
	return 0;
}

static int rdma_line(const struct husk_rdma *r, char **out)
{
	char h[32] = "", o[32] = "";
	if (r->has_hca_handles)
		snprintf(h, sizeof h, " hca_handle=%u", r->hca_handles);
	if (r->has_hca_objects)
		snprintf(o, sizeof o, " hca_object=%u", r->hca_objects);
	return asprintf(out, "%s%s%s", r->device, h, o);
}

static int rdma_apply(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_error *err)
{
	struct cg_dir *d;

	if (res->n_rdma == 0)
		return 0;
	if ((d = need(cg, "rdma", "rdma", err)) == NULL)
		return -1;
	for (size_t i = 0; i < res->n_rdma; i++) {
		cleanup_free char *line = NULL;
		if (!res->rdma[i].has_hca_handles && !res->rdma[i].has_hca_objects)
			continue;
		if (rdma_line(&res->rdma[i], &line) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (cg_write(d->path, "rdma.max", line, err) < 0)
			return cg_field_err(err, "rdma[\"%s\"]", res->rdma[i].device);
	}
	return 0;
}

/* linux.resources.unified: cgroup2 files; on hybrid, those of the unified dir */
static int unified_apply(struct husk_cgroup *cg, const struct husk_resources *res,
			 struct husk_error *err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *k = res->unified[i].key;
		if (cg->v2 == NULL || strchr(k, '/') || !cg_has_file(cg->v2->path, k))
			return husk_error_set(err, ENOTSUP,
					      "linux.resources.unified: `%s` needs cgroup v2", k);
		if (cg_write(cg->v2->path, k, res->unified[i].value, err) < 0)
			return cg_field_err(err, "unified[\"%s\"]", k);
	}
	return 0;
}

/*
 * Hybrid hosts may keep a controller on cgroup2 only (hugetlb here; any of
 * them elsewhere): the limits of a controller that no v1 hierarchy carries
 * move to the cgroup2 directory, as the design's "v2 wherever a controller
 * lives there" says.  `v1` keeps the rest.
 */
static bool split_for_v2(struct husk_cgroup *cg, const struct husk_resources *res,
			 struct husk_resources *v1, struct husk_resources *v2)
{
	bool moved = false;

	*v1 = *res;
	memset(v2, 0, sizeof *v2);
	if (cg->v2 == NULL)
		return false;
	if (res->has_memory && !cg_v1_dir(cg, "memory")) {
		v2->has_memory = true;
		v2->memory = res->memory;
		v1->has_memory = false;
		moved = true;
	}
	if (res->has_cpu && !cg_v1_dir(cg, "cpu")) {
		v2->has_cpu = true;
		v2->cpu = res->cpu;
		v2->cpu.cpus = v2->cpu.mems = NULL;
		v1->cpu = (struct husk_cpu){.cpus = res->cpu.cpus, .mems = res->cpu.mems};
		moved = true;
	}
	if (res->has_cpu && !cg_v1_dir(cg, "cpuset") && (res->cpu.cpus || res->cpu.mems)) {
		v2->has_cpu = true;
		v2->cpu.cpus = res->cpu.cpus;
		v2->cpu.mems = res->cpu.mems;
		v1->cpu.cpus = v1->cpu.mems = NULL;
		moved = true;
	}
	if (res->has_pids && !cg_v1_dir(cg, "pids")) {
		v2->has_pids = true;
		v2->has_pids_limit = res->has_pids_limit;
		v2->pids_limit = res->pids_limit;
		v1->has_pids = false;
		moved = true;
	}
	if (res->has_blkio && !cg_v1_dir(cg, "blkio")) {
		v2->has_blkio = true;
		v2->blkio = res->blkio;
		v1->has_blkio = false;
		moved = true;
	}
	if (res->n_hugepage_limits && !cg_v1_dir(cg, "hugetlb")) {
		v2->hugepage_limits = res->hugepage_limits;
		v2->n_hugepage_limits = res->n_hugepage_limits;
		v1->n_hugepage_limits = 0;
		moved = true;
	}
	if (res->n_rdma && !cg_v1_dir(cg, "rdma")) {
		v2->rdma = res->rdma;
		v2->n_rdma = res->n_rdma;
		v1->n_rdma = 0;
		moved = true;
	}
	return moved;
}

int cg_v1_apply(struct husk_cgroup *cg, const struct husk_resources *all, bool update,
		struct husk_error *err)
{
	struct cg_dir *dev = cg_v1_dir(cg, "devices");
	struct husk_resources v1, v2;
	const struct husk_resources *res = &v1;

	/* device rules are set once, at creation, even without linux.resources */
	if (!update) {
		if (dev && cg_v1_devices_apply(dev, all, err) < 0)
			return -1;
		/* no v1 devices hierarchy on a hybrid host: the cgroup2 eBPF filter */
		if (!dev && cg->v2 && cg_v2_devices_apply(cg->v2, all, err) < 0)
			return -1;
	}
	if (all == NULL)
		return 0;
	if (split_for_v2(cg, all, &v1, &v2) && cg_v2_apply(cg->v2, &v2, update, err) < 0)
		return -1;
	if (res->has_memory && memory_apply(cg, &res->memory, err) < 0)
		return -1;
	if (res->has_cpu && cpu_apply(cg, &res->cpu, err) < 0)
		return -1;
	if (pids_apply(cg, res, err) < 0)
		return -1;
	if (res->has_blkio && blkio_apply(cg, &res->blkio, err) < 0)
		return -1;
	if (hugetlb_apply(cg, res, err) < 0)
		return -1;
	if (network_apply(cg, res, err) < 0)
		return -1;
	if (rdma_apply(cg, res, err) < 0)
		return -1;
	return unified_apply(cg, res, err);
}
