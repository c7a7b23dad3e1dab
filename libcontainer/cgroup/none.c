/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "none" driver: no cgroup at all, for where none can be made (rootless
 * without a delegated cgroup: runc then skips the cgroup it cannot create;
 * crun calls this driver "disabled").  Placement and removal succeed doing
 * nothing; what needs a cgroup (limits, kill --all, ps, pause, stats) is
 * refused with ENOTSUP rather than half done.  It stores no path, so the
 * state of such a container has no cgroup, which every verb handles.
 */
#include <errno.h>

#include "cgroup-internal.h"

static int no_cgroup(struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "the container has no cgroup (cgroup driver `none`)");
}

static int none_prepare(struct husk_cgroup *cg, const char *cgroups_path, const char *id,
			struct husk_error *err)
{
	return 0;
}

static int none_load(struct husk_cgroup *cg, const char *stored, struct husk_error *err)
{
	return no_cgroup(err);
}

/* A limit, or a class id or priority: something only a cgroup enforces (devices aside). */
static bool has_limits(const struct husk_resources *r)
{
	cleanup_strv char **need = cg_v2_needed_controllers(r);

	return need[0] != NULL || (r && (r->has_network || r->n_net_priorities));
}

/*
 * Device rules are skipped, as runc does without a cgroup (its rootless
 * containers get their devices bind-mounted); a limit would silently not
 * hold, so it is an error.
 */
static int none_make(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	if (has_limits(res))
		return husk_error_set(err, ENOTSUP,
				      "config.json: linux.resources: no cgroup to apply limits to "
				      "(cgroup driver `none`)");
	return 0;
}

static int none_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err)
{
	return 0;
}

static int none_clone_fd(const struct husk_cgroup *cg)
{
	return -1;
}

static int none_update(struct husk_cgroup *cg, const struct husk_resources *res,
		       struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_kill(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_is_frozen(struct husk_cgroup *cg)
{
	return 0;
}

static int none_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full,
		      struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	return no_cgroup(err);
}

static int none_destroy(struct husk_cgroup *cg, struct husk_error *err)
{
	return 0;
}

static void none_clear(struct husk_cgroup *cg)
{
}

const struct husk_cgroup_manager cg_none_manager = {
    .name = "none",
    .prepare = none_prepare,
    .load = none_load,
    .make = none_make,
    .enter = none_enter,
    .clone_fd = none_clone_fd,
    .update = none_update,
    .kill = none_kill,
    .pids = none_pids,
    .freeze = none_freeze,
    .is_frozen = none_is_frozen,
    .stats = none_stats,
    .oom_open = none_oom_open,
    .destroy = none_destroy,
    .clear = none_clear,
};
