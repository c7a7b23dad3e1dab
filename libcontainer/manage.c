/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, ps and update: commands that act on a container's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "lifecycle.h"
#include "state.h"
#include "utils.h"

struct target {
	struct husk_store st;
	struct husk_state s;
	struct husk_cgroup *cg;
	const char *status;
};

static void target_clear(struct target *t)
{
	husk_cgroup_free(t->cg);
	husk_state_clear(&t->s);
	husk_store_close(&t->st);
}
#define cleanup_target __attribute__((cleanup(target_clear)))

static int open_target(const struct husk_ctx *ctx, const char *id, bool lock, struct target *t,
		       struct husk_error *err)
{
	memset(t, 0, sizeof *t);
	t->st.root_fd = t->st.dir_fd = -1;
	if (husk_store_open(husk_state_root(ctx), id, lock, &t->st, err) < 0)
		return -1;
	if (husk_store_read(&t->st, &t->s, err) < 0)
		return -1;
	t->status = husk_state_status(&t->s);
	if (t->s.cgroup_path == NULL)
		return husk_error_set(err, ENOENT, "container `%s` has no cgroup", id);
	return husk_cgroup_load(t->s.cgroup_path, &t->cg, err);
}

int husk_pause(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_target struct target t;

	if (open_target(ctx, id, true, &t, err) < 0)
		return -1;
	if (strcmp(t.status, "running") != 0 && strcmp(t.status, "created") != 0)
		return husk_error_set(err, EINVAL, "container not running");
	return husk_cgroup_freeze(t.cg, true, err);
}

int husk_resume(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_target struct target t;

	if (open_target(ctx, id, true, &t, err) < 0)
		return -1;
	if (strcmp(t.status, "paused") != 0)
		return husk_error_set(err, EINVAL, "container not paused");
	return husk_cgroup_freeze(t.cg, false, err);
}

int husk_ps(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n,
	    struct husk_error *err)
{
	cleanup_target struct target t;

	*pids = NULL;
	*n = 0;
	if (open_target(ctx, id, false, &t, err) < 0)
		return -1;
	/* runc: a stopped container has no processes (prints `null`) */
	if (strcmp(t.status, "stopped") == 0)
		return 0;
	return husk_cgroup_pids(t.cg, pids, n, err);
}

int husk_update(const struct husk_ctx *ctx, const char *id, const struct husk_update_resources *res,
		struct husk_error *err)
{
	cleanup_target struct target t;

	if (open_target(ctx, id, true, &t, err) < 0)
		return -1;
	if (strcmp(t.status, "stopped") == 0)
		return husk_error_set(err, EINVAL, "container not running");
	/* the options' fields were set one by one: check them together, as the parser does */
	if (husk_resources_check(&res->r, res->source, err) < 0)
		return -1;
	return husk_cgroup_update(t.cg, &res->r, err);
}
