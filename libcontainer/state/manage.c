/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, ps and update: commands that act on a container's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "state/container.h"
#include "utils.h"

/* The container and its cgroup (which these commands need). */
static int open_target(const struct husk_ctx *ctx, const char *id, unsigned flags,
		       struct husk_container **c, struct husk_cgroup **cg, struct husk_error *err)
{
	if (husk_container_open(ctx, id, flags, c, err) < 0)
		return -1;
	*cg = husk_container_cgroup(*c, err);
	return *cg ? 0 : -1;
}

int husk_pause(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return -1;
	if (!husk_status_can_pause(c->status))
		return husk_error_set(err, EINVAL, "container not running");
	return husk_cgroup_freeze(cg, true, err);
}

int husk_resume(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return -1;
	if (!husk_status_can_resume(c->status))
		return husk_error_set(err, EINVAL, "container not paused");
	return husk_cgroup_freeze(cg, false, err);
}

int husk_ps(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n,
	    struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	*pids = NULL;
	*n = 0;
	if (open_target(ctx, id, 0, &c, &cg, err) < 0)
		return -1;
	/* runc: a stopped container has no processes (prints `null`) */
	if (c->status == HUSK_STATUS_STOPPED)
		return 0;
	return husk_cgroup_pids(cg, pids, n, err);
}

int husk_update(const struct husk_ctx *ctx, const char *id, const struct husk_update_resources *res,
		struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return -1;
	if (!husk_status_can_update(c->status))
		return husk_error_set(err, EINVAL, "container not running");
	/* the options' fields were set one by one: check them together, as the parser does */
	if (husk_resources_check(&res->r, res->source, err) < 0)
		return -1;
	if (husk_cgroup_ignored(cg, &res->r) != NULL)
		husk_warn(ctx, "%s: %s", res->source, husk_cgroup_ignored(cg, &res->r));
	return husk_cgroup_update(cg, &res->r, err);
}
