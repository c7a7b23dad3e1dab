/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup manager's entry points (cgroup.h): each one goes to the
 * handle's driver (struct husk_cgroup_manager), whatever the driver and
 * the layout.
 */
#include <errno.h>
#include <string.h>

#include "cgroup-internal.h"

static const struct husk_cgroup_manager *driver_of(enum husk_cgroup_driver d)
{
	switch (d) {
	case HUSK_CGROUP_CGROUPFS:
		return &cg_cgroupfs_manager;
	case HUSK_CGROUP_NONE:
		return &cg_none_manager;
	case HUSK_CGROUP_SYSTEMD:
		return &cg_systemd_manager;
	}
	return NULL;
}

static struct husk_cgroup *cg_alloc(const struct husk_cgroup_manager *m)
{
	struct husk_cgroup *cg = xmalloc0(sizeof *cg);
	cg->mgr = m;
	cg->v2_fd = -1;
	return cg;
}

void husk_cgroup_free(struct husk_cgroup *cg)
{
	if (cg == NULL)
		return;
	cg->mgr->clear(cg);
	free(cg->stored);
	free(cg);
}

int husk_cgroup_prepare(enum husk_cgroup_driver driver, const char *cgroups_path, const char *id,
			struct husk_cgroup **out, struct husk_error *err)
{
	const struct husk_cgroup_manager *m = driver_of(driver);
	struct husk_cgroup *cg;

	if (m == NULL)
		return husk_error_set(err, EINVAL, "cgroup: unknown driver %d", (int)driver);
	cg = cg_alloc(m);
	if (m->prepare(cg, cgroups_path, id, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

int husk_cgroup_make(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	return cg->mgr->make(cg, res, err);
}

int husk_cgroup_create(const char *cgroups_path, const char *id, const struct husk_resources *res,
		       struct husk_cgroup **out, struct husk_error *err)
{
	struct husk_cgroup *cg = NULL;

	if (husk_cgroup_prepare(HUSK_CGROUP_CGROUPFS, cgroups_path, id, &cg, err) < 0)
		return -1;
	if (husk_cgroup_make(cg, res, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

/*
 * A stored path is cgroupfs's, or the systemd driver's "systemd:unit:path";
 * the none driver stores none (the state has no cgroup).
 */
int husk_cgroup_load(const char *path, struct husk_cgroup **out, struct husk_error *err)
{
	struct husk_cgroup *cg;

	if (path == NULL || *path == '\0')
		return husk_error_set(err, EINVAL, "cgroup: empty path");
	cg = cg_alloc(strncmp(path, "systemd:", 8) == 0 ? &cg_systemd_manager
							: &cg_cgroupfs_manager);
	if (cg->mgr->load(cg, path, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

const char *husk_cgroup_path(const struct husk_cgroup *cg)
{
	return cg->stored;
}

const char *husk_cgroup_driver_name(const struct husk_cgroup *cg)
{
	return cg->mgr->name;
}

int husk_cgroup_clone_fd(const struct husk_cgroup *cg)
{
	return cg->mgr->clone_fd(cg);
}

int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err)
{
	return cg->mgr->enter(cg, pid, flags, err);
}

int husk_cgroup_update(struct husk_cgroup *cg, const struct husk_resources *res,
		       struct husk_error *err)
{
	return cg->mgr->update(cg, res, err);
}

int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	return cg->mgr->kill(cg, sig, err);
}

int husk_cgroup_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	*pids = NULL;
	*n = 0;
	return cg->mgr->pids(cg, pids, n, err);
}

int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error *err)
{
	return cg->mgr->destroy(cg, err);
}

int husk_cgroup_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	return cg->mgr->freeze(cg, freeze, err);
}

int husk_cgroup_is_frozen(struct husk_cgroup *cg)
{
	return cg->mgr->is_frozen(cg);
}

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error *err)
{
	memset(st, 0, sizeof *st);
	return cg->mgr->stats(cg, st, false, err);
}

int husk_cgroup_stats_full(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
			   struct husk_error *err)
{
	memset(st, 0, sizeof *st);
	return cg->mgr->stats(cg, st, true, err);
}

int husk_cgroup_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	memset(o, 0, sizeof *o);
	o->fd = o->ctl_fd = -1;
	return cg->mgr->oom_open(cg, o, err);
}
