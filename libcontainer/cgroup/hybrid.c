/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hybrid backend of the cgroupfs driver: the v1 hierarchies, plus the
 * cgroup2 "unified" directory for placement, freezing, killing and the
 * controllers no v1 hierarchy carries.
 */
#include <errno.h>
#include <string.h>

#include "cgroup-internal.h"

static int hybrid_create(struct husk_cgroup *cg, const struct husk_resources *res,
			 struct husk_error *err)
{
	cleanup_strv char **need = cg_v2_needed_controllers(res);
	cleanup_strv char **want = xmalloc0((strv_len(need) + 1) * sizeof(char *));
	size_t n = 0;

	if (cg_v1_create_dirs(cg, err) < 0)
		return -1;
	if (cg->v2 == NULL)
		return 0;
	/* only what no v1 hierarchy carries (hugetlb on some hosts) goes to cgroup2 */
	for (char **c = need; *c; c++)
		if (cg_v1_dir(cg, strcmp(*c, "io") == 0 ? "blkio" : *c) == NULL)
			want[n++] = xstrdup(*c);
	return cg_v2_create_dir(cg->v2, want, err);
}

/*
 * The v1 freezer where it is mounted (runc's fs manager on hybrid hosts does
 * the same), else cgroup2's cgroup.freeze.  Not both: a task that joins a
 * paused container (exec --ignore-paused) is caught by the v1 freezer's
 * refrigerator and never reaches cgroup2's freezer trap, so cgroup2 would
 * never report "frozen 1" and the second freeze would time out.
 */
static int hybrid_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	struct cg_dir *d = cg_v1_dir(cg, "freezer");

	if (d)
		return cg_v1_freeze(d, freeze, err);
	if (cg->v2)
		return cg_v2_freeze(cg->v2, freeze, err);
	return husk_error_set(err, ENOTSUP, "cgroup `%s`: no freezer", cg->stored);
}

static int hybrid_is_frozen(struct husk_cgroup *cg)
{
	struct cg_dir *d = cg_v1_dir(cg, "freezer");
	if (d)
		return cg_v1_is_frozen(d);
	return cg->v2 ? cg_v2_is_frozen(cg->v2) : 0;
}

/* cgroup.kill of the unified dir; v1 hierarchies may hold processes that are not in it */
static int hybrid_kill_all(struct husk_cgroup *cg, bool *more, struct husk_error *err)
{
	*more = true;
	return cg->v2 ? cg_v2_kill(cg->v2, err) : 0;
}

/* Each controller where it is: its v1 hierarchy, else the unified dir. */
static void hybrid_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	cg_v2_stats(cg, st, full, cg_v1_stats(cg, st, full));
}

static int hybrid_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o,
			   struct husk_error *err)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");
	return m ? cg_v1_oom_open(m, o, err) : cg_v2_oom_open(cg, o, err);
}

static int hybrid_memory_usage(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err)
{
	int r = cg_v1_memory_usage(cg, usage, err);
	return r != 0 ? r : cg_v2_memory_usage(cg, usage, err);
}

const struct cg_ops cg_hybrid_ops = {
    .name = "hybrid",
    .create = hybrid_create,
    .apply = cg_v1_apply,
    .freeze = hybrid_freeze,
    .is_frozen = hybrid_is_frozen,
    .kill_all = hybrid_kill_all,
    .stats = hybrid_stats,
    .oom_open = hybrid_oom_open,
    .memory_usage = hybrid_memory_usage,
};
