/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container handle: every verb (start, kill, delete, pause, resume, ps,
 * state, events, update, exec, list) opens a container here and asks its
 * status, an enum, what it may do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cgroup/cgroup.h"
#include "state/container.h"
#include "utils.h"

static enum husk_status derive(struct husk_container *c, bool freezer)
{
	enum husk_status st = husk_state_status(&c->s);

	/* paused: a created or running container whose cgroup is frozen */
	if (!freezer || c->s.cgroup_path == NULL ||
	    (st != HUSK_STATUS_CREATED && st != HUSK_STATUS_RUNNING))
		return st;
	if (c->cg == NULL && husk_cgroup_load(c->s.cgroup_path, &c->cg, NULL) < 0)
		return st;
	return husk_cgroup_is_frozen(c->cg) == 1 ? HUSK_STATUS_PAUSED : st;
}

int husk_container_open(const struct husk_ctx *ctx, const char *id, unsigned flags,
			struct husk_container **out, struct husk_error *err)
{
	struct husk_container *c = xmalloc0(sizeof *c);

	*out = NULL;
	c->ctx = ctx;
	c->st.root_fd = c->st.dir_fd = -1;
	if (husk_store_open(ctx->root ? ctx->root : HUSK_DEFAULT_ROOT, id,
			    (flags & HUSK_OPEN_LOCK) != 0, &c->st, err) < 0 ||
	    husk_store_read(&c->st, &c->s, err) < 0) {
		husk_container_close(c);
		return -1;
	}
	c->status = derive(c, (flags & HUSK_OPEN_NOFREEZE) == 0);
	*out = c;
	return 0;
}

void husk_container_close(struct husk_container *c)
{
	if (c == NULL)
		return;
	husk_spec_free(c->spec);
	husk_cgroup_free(c->cg);
	husk_state_clear(&c->s);
	husk_store_close(&c->st);
	free(c);
}

enum husk_status husk_container_refresh(struct husk_container *c)
{
	c->status = derive(c, true);
	return c->status;
}

const struct husk_spec *husk_container_spec(struct husk_container *c, struct husk_error *err)
{
	if (c->spec == NULL && husk_store_read_config(&c->st, &c->spec, err) < 0)
		return NULL;
	return c->spec;
}

struct husk_cgroup *husk_container_cgroup(struct husk_container *c, struct husk_error *err)
{
	if (c->cg != NULL)
		return c->cg;
	if (c->s.cgroup_path == NULL) {
		husk_error_set(err, ENOENT, "container `%s` has no cgroup", c->st.id);
		return NULL;
	}
	if (husk_cgroup_load(c->s.cgroup_path, &c->cg, err) < 0)
		return NULL;
	return c->cg;
}

bool husk_status_can_start(enum husk_status s)
{
	return s == HUSK_STATUS_CREATED;
}

/* runc signals a paused container too (a SIGKILL thaws it: see husk_kill) */
bool husk_status_can_kill(enum husk_status s)
{
	return s == HUSK_STATUS_CREATED || s == HUSK_STATUS_RUNNING || s == HUSK_STATUS_PAUSED;
}

/*
 * runtime-spec (runtime.md, delete): deleting a container that is not
 * stopped MUST fail.  A deliberate difference: a created one is deleted
 * (its waiting init killed), as runc and crun do, because containerd's shim
 * and Podman delete a created container without --force after a failed
 * start.  Running and paused ones are refused (spec and runc); --force
 * deletes any.
 */
bool husk_status_can_delete(enum husk_status s)
{
	return s == HUSK_STATUS_STOPPED || s == HUSK_STATUS_CREATED;
}

bool husk_status_can_exec(enum husk_status s)
{
	return s == HUSK_STATUS_CREATED || s == HUSK_STATUS_RUNNING;
}

/* runc freezes a created container too */
bool husk_status_can_pause(enum husk_status s)
{
	return s == HUSK_STATUS_CREATED || s == HUSK_STATUS_RUNNING;
}

bool husk_status_can_resume(enum husk_status s)
{
	return s == HUSK_STATUS_PAUSED;
}

bool husk_status_can_update(enum husk_status s)
{
	return s != HUSK_STATUS_STOPPED;
}
