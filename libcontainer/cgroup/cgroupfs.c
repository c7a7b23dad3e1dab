/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroupfs driver: husk makes the container's directories itself, one
 * per mounted hierarchy, and works on them through the layout's backend
 * (cg->ops: v1.c, v2.c, hybrid.c).  Processes, kill and destroy are in
 * procs.c, statistics in stats*.c and oom.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

static void dir_clear(struct cg_dir *d)
{
	free(d->controllers);
	free(d->mnt);
	free(d->rel);
	free(d->path);
}

static void fs_clear(struct husk_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		dir_clear(&cg->dirs[i]);
	free(cg->dirs);
	cg->dirs = NULL;
	cg->n_dirs = 0;
	cg->v2 = NULL;
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg->v2_fd = -1;
}

static int add_dir(struct husk_cgroup *cg, const struct cg_probe_entry *e, const char *rel,
		   struct husk_error *err)
{
	struct cg_dir *d;

	d = realloc(cg->dirs, (cg->n_dirs + 1) * sizeof *d);
	if (d == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	cg->dirs = d;
	d = &cg->dirs[cg->n_dirs];
	memset(d, 0, sizeof *d);
	d->controllers = xstrdup(e->controllers);
	d->mnt = xstrdup(e->mnt);
	d->rel = xstrdup(rel);
	d->v2 = e->controllers[0] == '\0';
	if (asprintf(&d->path, "%s%s", d->mnt, strcmp(rel, "/") == 0 ? "" : rel) < 0) {
		dir_clear(d);
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	cg->n_dirs++;
	return 0;
}

/* The v2 dir goes last so that v1 hierarchies come first everywhere; pick the backend. */
static void finish_dirs(struct husk_cgroup *cg)
{
	for (size_t i = 0; i + 1 < cg->n_dirs; i++) {
		if (cg->dirs[i].v2) {
			struct cg_dir t = cg->dirs[i];
			memmove(&cg->dirs[i], &cg->dirs[i + 1], (cg->n_dirs - i - 1) * sizeof t);
			cg->dirs[cg->n_dirs - 1] = t;
			break;
		}
	}
	cg->v2 = NULL;
	if (cg->n_dirs > 0 && cg->dirs[cg->n_dirs - 1].v2)
		cg->v2 = &cg->dirs[cg->n_dirs - 1];
	cg->ops = cg->layout == CG_LAYOUT_V2	   ? &cg_v2_ops
		  : cg->layout == CG_LAYOUT_HYBRID ? &cg_hybrid_ops
						   : &cg_v1_ops;
}

/*
 * What the state stores: the path when every hierarchy resolved to the same
 * one (always, for absolute paths); else "controllers:path" per hierarchy
 * joined by ';' (a relative path on a host where the caller sits in
 * different cgroups per hierarchy), which fs_load reads back.
 */
static int make_stored(struct husk_cgroup *cg, struct husk_error *err)
{
	bool same = true;
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < cg->n_dirs; i++) {
		same &= strcmp(cg->dirs[i].rel, cg->dirs[0].rel) == 0;
		len += strlen(cg->dirs[i].controllers) + strlen(cg->dirs[i].rel) + 2;
	}
	if (cg->n_dirs == 0)
		return husk_error_set(err, ENOENT, "no cgroup hierarchy is mounted");
	if (same) {
		cg->stored = xstrdup(cg->dirs[0].rel);
		return 0;
	}
	s = xmalloc0(len);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (i)
			strcat(s, ";");
		strcat(s, cg->dirs[i].controllers);
		strcat(s, ":");
		strcat(s, cg->dirs[i].rel);
	}
	cg->stored = s;
	return 0;
}

static int open_v2_fd(struct husk_cgroup *cg, struct husk_error *err)
{
	if (cg->v2 == NULL)
		return 0;
	cg->v2_fd = open(cg->v2->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->v2_fd < 0 && err)
		return husk_error_errno(err, "open `%s`", cg->v2->path);
	return 0;
}

/*
 * The directory of a hierarchy for `path`: absolute as given; relative
 * under the caller's own cgroup there.  On cgroup2 our own cgroup holds
 * processes (us), so no controller can be enabled below it: a relative path
 * goes under its parent, as runc does (fs2/defaultpath.go).
 */
static int resolve_rel(const struct cg_probe_entry *e, const char *path, char **rel,
		       struct husk_error *err)
{
	cleanup_free char *base = NULL;

	if (path[0] != '/') {
		char *slash;
		base = xstrdup(e->own);
		slash = strrchr(base, '/');
		if (e->controllers[0] == '\0' && slash && slash != base)
			*slash = '\0';
		else if (e->controllers[0] == '\0' && slash)
			slash[1] = '\0';
	}
	if (cg_clean_path(base, path, rel, err) < 0)
		return -1;
	if (strcmp(*rel, "/") == 0)
		return husk_error_set(err, EINVAL, "cgroup path `%s`: resolves to the root cgroup",
				      path);
	return 0;
}

static int fs_prepare(struct husk_cgroup *cg, const char *cgroups_path, const char *id,
		      struct husk_error *err)
{
	struct cg_probe p = {0};
	cleanup_free char *deflt = NULL;
	const char *path = cgroups_path;
	int r = -1;

	if (path == NULL || *path == '\0') {
		if (id == NULL || *id == '\0' || strchr(id, '/'))
			return husk_error_set(err, EINVAL, "cgroup: invalid container id");
		if (asprintf(&deflt, "/husk/%s", id) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		path = deflt;
	}
	if (cg_probe_host(&p, err) < 0)
		goto out;
	cg->layout = p.layout;
	for (size_t i = 0; i < p.n; i++) {
		cleanup_free char *rel = NULL;
		if (resolve_rel(&p.v[i], path, &rel, err) < 0 || add_dir(cg, &p.v[i], rel, err) < 0)
			goto out;
	}
	finish_dirs(cg);
	r = make_stored(cg, err);
out:
	cg_probe_clear(&p);
	return r;
}

/* In a stored "ctrls:path;ctrls:path" string, the path for `ctrls`, or NULL. */
static char *stored_lookup(const char *stored, const char *ctrls)
{
	cleanup_free char *s = xstrdup(stored);
	char *save = NULL;

	for (char *t = strtok_r(s, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(t, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		if (strcmp(t, ctrls) == 0)
			return xstrdup(colon + 1);
	}
	return NULL;
}

static int fs_load(struct husk_cgroup *cg, const char *path, struct husk_error *err)
{
	struct cg_probe p = {0};
	int r = -1;

	if (cg_probe_host(&p, err) < 0)
		goto out;
	cg->layout = p.layout;
	for (size_t i = 0; i < p.n; i++) {
		cleanup_free char *rel = NULL, *found = NULL;
		if (path[0] != '/' && (found = stored_lookup(path, p.v[i].controllers)) == NULL)
			continue;
		if (cg_clean_path(NULL, found ? found : path, &rel, err) < 0)
			goto out;
		if (strcmp(rel, "/") == 0) {
			husk_error_set(err, EINVAL, "cgroup path `%s`: resolves to the root cgroup",
				       path);
			goto out;
		}
		if (add_dir(cg, &p.v[i], rel, err) < 0)
			goto out;
	}
	finish_dirs(cg);
	if (cg->n_dirs == 0) {
		husk_error_set(err, ENOENT, "cgroup path `%s`: no matching hierarchy", path);
		goto out;
	}
	cg->stored = xstrdup(path);
	/* the directory may be gone already (destroy is idempotent) */
	open_v2_fd(cg, NULL);
	r = 0;
out:
	cg_probe_clear(&p);
	return r;
}

static void undo_create(struct husk_cgroup *cg)
{
	/* children first is not a concern: we only made empty directories */
	for (size_t i = 0; i < cg->n_dirs; i++)
		cg_undo_mkdir(&cg->dirs[i]);
}

/*
 * An existing cgroup may be reused (a pre-made one) but not one that holds
 * processes or is frozen: runc refuses those too.
 */
static int check_unused(struct husk_cgroup *cg, struct husk_error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (cg_fs_pids(cg, &pids, &n, err) < 0)
		return -1;
	if (n > 0)
		return husk_error_set(err, EBUSY, "cgroup `%s` is not empty: %zu process(es) found",
				      cg->stored, n);
	if (cg->ops->is_frozen(cg) == 1)
		return husk_error_set(err, EBUSY, "cgroup `%s` is frozen", cg->stored);
	return 0;
}

static bool all_new(const struct husk_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (cg->dirs[i].created == 0)
			return false;
	return true;
}

static int fs_make(struct husk_cgroup *cg, const struct husk_resources *res, struct husk_error *err)
{
	if (cg->ops->create(cg, res, err) < 0)
		goto fail;
	/* a cgroup we just made is empty: only a pre-existing one needs the check */
	if (!all_new(cg) && check_unused(cg, err) < 0)
		goto fail;
	if (cg->ops->apply(cg, res, false, err) < 0) {
		/* at create, the resources are config.json's */
		if (err && err->msg && strncmp(err->msg, "linux.resources.", 16) == 0)
			husk_error_wrap(err, "config.json");
		goto fail;
	}
	if (open_v2_fd(cg, err) < 0)
		goto fail;
	return 0;
fail:
	undo_create(cg);
	return -1;
}

static int fs_clone_fd(const struct husk_cgroup *cg)
{
	return cg->v2_fd;
}

/* memory.checkBeforeUpdate: refuse a limit below what is in use (runc, v1.2 spec) */
static int check_memory(struct husk_cgroup *cg, const struct husk_memory *m, struct husk_error *err)
{
	uint64_t usage = 0;
	int r;

	if (!m->has_check_before_update || !m->check_before_update || !m->has_limit ||
	    m->limit <= 0)
		return 0;
	r = cg->ops->memory_usage(cg, &usage, err);
	if (r <= 0)
		return r;
	if (usage > (uint64_t)m->limit)
		return husk_error_set(err, EBUSY,
				      "linux.resources.memory.limit: `%lld` is below the current "
				      "usage `%llu`",
				      (long long)m->limit, (unsigned long long)usage);
	return 0;
}

static int fs_update(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	if (res == NULL)
		return 0;
	if (res->has_memory && check_memory(cg, &res->memory, err) < 0)
		return -1;
	return cg->ops->apply(cg, res, true, err);
}

/* cgroupfs makes the cgroup in make: the init is placed like any process. */
static int fs_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].v2 && (flags & HUSK_CGROUP_ENTER_CLONED))
			continue;
		if (cg_writef(cg->dirs[i].path, "cgroup.procs", err, "%d", (int)pid) < 0)
			return -1;
	}
	return 0;
}

static int fs_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	return cg->ops->freeze(cg, freeze, err);
}

static int fs_is_frozen(struct husk_cgroup *cg)
{
	return cg->ops->is_frozen(cg);
}

static int fs_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full,
		    struct husk_error *err)
{
	if (access(cg->n_dirs ? cg->dirs[0].path : "/", F_OK) < 0)
		return husk_error_errno(err, "cgroup `%s`", cg->stored);
	cg->ops->stats(cg, st, full);
	st->frozen = cg->ops->is_frozen(cg) == 1;
	return 0;
}

static int fs_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	return cg->ops->oom_open(cg, o, err);
}

const struct husk_cgroup_manager cg_cgroupfs_manager = {
    .name = "cgroupfs",
    .prepare = fs_prepare,
    .load = fs_load,
    .make = fs_make,
    .enter = fs_enter,
    .clone_fd = fs_clone_fd,
    .update = fs_update,
    .kill = cg_fs_kill,
    .pids = cg_fs_pids,
    .freeze = fs_freeze,
    .is_frozen = fs_is_frozen,
    .stats = fs_stats,
    .oom_open = fs_oom_open,
    .destroy = cg_fs_destroy,
    .clear = fs_clear,
};
