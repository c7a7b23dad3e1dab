/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v1: one directory per mounted hierarchy (name=systemd included),
 * the v1 freezer, and the v1 backend of the cgroupfs driver.
 */
#include <errno.h>
#include <string.h>

#include "cgroup-internal.h"

/*
 * A new cpuset cgroup starts with empty cpuset.cpus/mems and takes no task
 * until they are set: copy them down from the parent at every level, as
 * runc does.
 */
static int cpuset_fill(const struct cg_dir *d, struct husk_error *err)
{
	cleanup_free char *p = xstrdup(d->path);
	size_t start = strlen(d->mnt);

	for (char *s = p + start + 1;; s++) {
		bool end = *s == '\0';
		if (*s != '/' && !end)
			continue;
		*s = '\0';
		for (int i = 0; i < 2; i++) {
			const char *file = i == 0 ? "cpuset.cpus" : "cpuset.mems";
			cleanup_free char *cur = NULL, *parent = NULL, *pdir = xstrdup(p);
			char *slash = strrchr(pdir, '/');

			if (cg_read(p, file, &cur, err) < 0)
				return -1;
			if (cur[0] != '\0')
				continue;
			*slash = '\0';
			if (cg_read(pdir, file, &parent, err) < 0)
				return -1;
			if (cg_write(p, file, parent, err) < 0)
				return -1;
		}
		if (end)
			break;
		*s = '/';
	}
	return 0;
}

int cg_v1_create_dirs(struct husk_cgroup *cg, struct husk_error *err)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		struct cg_dir *d = &cg->dirs[i];
		if (d->v2)
			continue;
		if (cg_mkdir(d, err) < 0)
			return -1;
		if (cg_v1_dir(cg, "cpuset") == d && cpuset_fill(d, err) < 0)
			return -1;
	}
	return 0;
}

static int freezer_state(struct cg_dir *d, char **state, struct husk_error *err)
{
	return cg_read(d->path, "freezer.state", state, err);
}

int cg_v1_freeze(struct cg_dir *d, bool freeze, struct husk_error *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";

	/*
	 * FREEZING may linger while a task is stuck (e.g. in a vfork); like
	 * runc, retry and thaw for a moment now and then to unstick it.
	 */
	for (int i = 0; i < 1000; i++) {
		cleanup_free char *state = NULL;

		if (freeze && i % 50 == 49) {
			if (cg_write(d->path, "freezer.state", "THAWED", err) < 0)
				return -1;
			cg_sleep_ms(10);
		}
		if (cg_write(d->path, "freezer.state", want, err) < 0)
			return -1;
		if (freezer_state(d, &state, err) < 0)
			return -1;
		if (strcmp(state, want) == 0)
			return 0;
		cg_sleep_ms(1);
	}
	if (freeze) {
		struct husk_error e = {0};
		cg_write(d->path, "freezer.state", "THAWED", &e);
		husk_error_clear(&e);
	}
	return husk_error_set(err, EBUSY, "%s `%s`: still not %s", freeze ? "freeze" : "thaw",
			      d->path, want);
}

int cg_v1_is_frozen(struct cg_dir *d)
{
	cleanup_free char *state = NULL;
	struct husk_error e = {0};

	if (freezer_state(d, &state, &e) < 0) {
		husk_error_clear(&e);
		return -1;
	}
	/*
	 * FREEZING counts: a task that joined a frozen cgroup turns it back to
	 * FREEZING, and it is still meant to be paused (resume and delete thaw it).
	 */
	return strcmp(state, "FROZEN") == 0 || strcmp(state, "FREEZING") == 0;
}

int cg_v1_memory_usage(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err)
{
	struct cg_dir *d = cg_v1_dir(cg, "memory");
	cleanup_free char *cur = NULL;

	if (d == NULL || !cg_has_file(d->path, "memory.usage_in_bytes"))
		return 0;
	if (cg_read(d->path, "memory.usage_in_bytes", &cur, err) < 0)
		return -1;
	return parse_u64(cur, usage) == 0 ? 1 : 0;
}

/* ---- the v1 backend ---- */

static int v1_create(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	return cg_v1_create_dirs(cg, err);
}

static int v1_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	struct cg_dir *d = cg_v1_dir(cg, "freezer");
	if (d == NULL)
		return husk_error_set(err, ENOTSUP, "cgroup `%s`: no freezer hierarchy is mounted",
				      cg->stored);
	return cg_v1_freeze(d, freeze, err);
}

static int v1_is_frozen(struct husk_cgroup *cg)
{
	struct cg_dir *d = cg_v1_dir(cg, "freezer");
	return d ? cg_v1_is_frozen(d) : 0;
}

/* v1 has no cgroup.kill: always pid by pid */
static int v1_kill_all(struct husk_cgroup *cg, bool *more, struct husk_error *err)
{
	*more = true;
	return 0;
}

static void v1_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	cg_v1_stats(cg, st, full);
}

static int v1_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");

	if (m == NULL)
		return husk_error_set(err, ENOENT, "cgroup `%s`: no memory controller", cg->stored);
	return cg_v1_oom_open(m, o, err);
}

const struct cg_ops cg_v1_ops = {
    .name = "v1",
    .create = v1_create,
    .apply = cg_v1_apply,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .kill_all = v1_kill_all,
    .stats = v1_stats,
    .oom_open = v1_oom_open,
    .memory_usage = cg_v1_memory_usage,
};
