/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 (unified): one directory, controllers enabled along the path in
 * cgroup.subtree_control, the freezer in cgroup.freeze/cgroup.events.
 */
#include <errno.h>
#include <string.h>

#include "cgroup-internal.h"

static void strv_add(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (nv == NULL)
		abort();
	nv[(*n)++] = xstrdup(s);
	nv[*n] = NULL;
	*v = nv;
}

char **cg_v2_needed_controllers(const struct husk_resources *res)
{
	char **v = xmalloc0(sizeof(char *));
	size_t n = 0;

	if (res == NULL)
		return v;
	if (res->has_memory) {
		const struct husk_memory *m = &res->memory;
		if (m->has_limit || m->has_reservation || m->has_swap || m->has_swappiness ||
		    m->has_disable_oom_killer)
			strv_add(&v, &n, "memory");
	}
	if (res->has_cpu) {
		const struct husk_cpu *c = &res->cpu;
		if ((c->has_shares && c->shares) || c->has_quota || c->has_period || c->has_burst ||
		    c->has_idle || c->has_realtime_runtime || c->has_realtime_period)
			strv_add(&v, &n, "cpu");
		if ((c->cpus && *c->cpus) || (c->mems && *c->mems))
			strv_add(&v, &n, "cpuset");
	}
	if (res->has_pids && res->has_pids_limit)
		strv_add(&v, &n, "pids");
	if (res->has_blkio) {
		const struct husk_blkio *b = &res->blkio;
		if ((b->has_weight && b->weight) || b->n_weight_device || b->throttle_read_bps.n ||
		    b->throttle_write_bps.n || b->throttle_read_iops.n || b->throttle_write_iops.n)
			strv_add(&v, &n, "io");
	}
	if (res->n_hugepage_limits)
		strv_add(&v, &n, "hugetlb");
	if (res->n_rdma)
		strv_add(&v, &n, "rdma");
	for (size_t i = 0; i < res->n_unified; i++) {
		cleanup_free char *k = xstrdup(res->unified[i].key);
		char *dot = strchr(k, '.');
		if (dot == NULL)
			continue;
		*dot = '\0';
		if (strcmp(k, "cgroup") != 0)
			strv_add(&v, &n, k);
	}
	return v;
}

static bool word_in(const char *list, const char *w)
{
	size_t len = strlen(w);
	for (const char *p = list; (p = strstr(p, w)) != NULL; p += len) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == '\n'))
			return true;
	}
	return false;
}

/*
 * Enable the controllers of `want` that `dir` has in its subtree.  A
 * non-root cgroup with processes of its own is left alone: the kernel
 * would take only the threaded controllers there and turn it into a thread
 * root, breaking whoever owns it (a relative path under the caller's own
 * cgroup); the limits that need them then fail naming the controller.
 */
static void enable_controllers(const char *dir, char **want)
{
	cleanup_free char *avail = NULL, *on = NULL, *line = NULL, *procs = NULL;
	struct husk_error e = {0};
	size_t len = 1;
	/*
	 * The real root has no cgroup.type; a cgroup namespace's root (Docker
	 * in Docker) has one, and processes: it is not ours to convert.
	 */
	bool root = !cg_has_file(dir, "cgroup.type");

	if (!root && (cg_read(dir, "cgroup.procs", &procs, &e) < 0 || procs[0] != '\0')) {
		husk_error_clear(&e);
		return;
	}
	if (cg_read(dir, "cgroup.controllers", &avail, &e) < 0 ||
	    cg_read(dir, "cgroup.subtree_control", &on, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char **c = want; *c; c++)
		len += strlen(*c) + 2;
	line = xmalloc0(len);
	for (char **c = want; *c; c++) {
		if (!word_in(avail, *c) || word_in(on, *c))
			continue;
		if (*line)
			strcat(line, " ");
		strcat(line, "+");
		strcat(line, *c);
	}
	if (*line == '\0')
		return;
	if (cg_write(dir, "cgroup.subtree_control", line, &e) == 0)
		return;
	husk_error_clear(&e);
	/*
	 * One at a time, ignoring failures (runc): e.g. "cpu" is refused
	 * while a realtime task runs; the limits that need a missing
	 * controller fail later naming it.
	 */
	for (char **c = want; *c; c++) {
		cleanup_free char *one = NULL;
		if (!word_in(avail, *c) || word_in(on, *c))
			continue;
		if (asprintf(&one, "+%s", *c) < 0)
			return;
		cg_write(dir, "cgroup.subtree_control", one, &e);
		husk_error_clear(&e);
	}
}

int cg_v2_create_dir(struct cg_dir *d, char **want, struct husk_error *err)
{
	cleanup_strv char **all = NULL;
	cleanup_free char *p = NULL;
	size_t start = strlen(d->mnt);

	if (cg_mkdir(d, err) < 0)
		return -1;
	if (want == NULL) {
		/* runc: every controller the root offers, at every level */
		cleanup_free char *avail = NULL;
		char *save = NULL;
		size_t n = 0;
		if (cg_read(d->mnt, "cgroup.controllers", &avail, err) < 0)
			return -1;
		all = xmalloc0(sizeof(char *));
		for (char *t = strtok_r(avail, " ", &save); t; t = strtok_r(NULL, " ", &save))
			strv_add(&all, &n, t);
		want = all;
	}
	if (want[0] == NULL)
		return 0;
	/* every level above the leaf, from the root down */
	p = xstrdup(d->path);
	enable_controllers(d->mnt, want);
	for (char *s = p + start + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		enable_controllers(p, want);
		*s = '/';
	}
	return 0;
}

/* 1 if cgroup.events says "frozen 1", 0 if "frozen 0", -1 on error */
static int events_frozen(struct cg_dir *d, struct husk_error *err)
{
	cleanup_free char *ev = NULL;
	char *f;

	if (cg_read(d->path, "cgroup.events", &ev, err) < 0)
		return -1;
	f = strstr(ev, "frozen ");
	if (f == NULL)
		return husk_error_set(err, ENOTSUP, "`%s/cgroup.events`: no `frozen` key", d->path);
	return f[7] == '1';
}

int cg_v2_freeze(struct cg_dir *d, bool freeze, struct husk_error *err)
{
	if (cg_write(d->path, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	/* the kernel sets "frozen 1" once every task has stopped */
	for (int i = 0; i < 500; i++) {
		int f = events_frozen(d, err);
		if (f < 0)
			return -1;
		if (f == freeze)
			return 0;
		cg_sleep_ms(2 + i / 50);
	}
	if (freeze) {
		struct husk_error e = {0};
		cg_write(d->path, "cgroup.freeze", "0", &e);
		husk_error_clear(&e);
	}
	return husk_error_set(err, EBUSY, "%s `%s`: timed out", freeze ? "freeze" : "thaw",
			      d->path);
}

int cg_v2_is_frozen(struct cg_dir *d)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};

	if (cg_read(d->path, "cgroup.freeze", &v, &e) < 0) {
		husk_error_clear(&e);
		return -1;
	}
	return strcmp(v, "1") == 0;
}

int cg_v2_kill(struct cg_dir *d, struct husk_error *err)
{
	struct husk_error e = {0};

	if (!cg_has_file(d->path, "cgroup.kill"))
		return 0;
	if (cg_write(d->path, "cgroup.kill", "1", &e) == 0)
		return 1;
	if (e.status == ENOENT || e.status == ENODEV) {
		husk_error_clear(&e);
		return 1; /* gone: nothing to kill */
	}
	husk_error_set(err, e.status, "%s", e.msg);
	husk_error_clear(&e);
	return -1;
}

int cg_v2_memory_usage(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err)
{
	cleanup_free char *cur = NULL;

	if (cg->v2 == NULL || !cg_has_file(cg->v2->path, "memory.current"))
		return 0;
	if (cg_read(cg->v2->path, "memory.current", &cur, err) < 0)
		return -1;
	return parse_u64(cur, usage) == 0 ? 1 : 0;
}

/* ---- the v2 backend ---- */

static int v2_create(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	return cg_v2_create_dir(cg->v2, NULL, err);
}

static int v2_apply(struct husk_cgroup *cg, const struct husk_resources *res, bool update,
		    struct husk_error *err)
{
	if (cg_v2_apply(cg->v2, res, update, err) < 0)
		return -1;
	/* device rules are set once, at creation, even without linux.resources */
	if (!update && cg_v2_devices_apply(cg->v2, res, err) < 0)
		return -1;
	return 0;
}

static int v2_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	return cg_v2_freeze(cg->v2, freeze, err);
}

static int v2_is_frozen(struct husk_cgroup *cg)
{
	return cg_v2_is_frozen(cg->v2);
}

static int v2_kill_all(struct husk_cgroup *cg, bool *more, struct husk_error *err)
{
	*more = false;
	return cg_v2_kill(cg->v2, err);
}

static void v2_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	cg_v2_stats(cg, st, full, 0);
}

const struct cg_ops cg_v2_ops = {
    .name = "v2",
    .create = v2_create,
    .apply = v2_apply,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .kill_all = v2_kill_all,
    .stats = v2_stats,
    .oom_open = cg_v2_oom_open,
    .memory_usage = cg_v2_memory_usage,
};
