/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes of a cgroupfs driver's directories: listing (sub-cgroups
 * included), signalling (the backend's kill_all, or freeze + signal +
 * thaw), and destroying the cgroup once it is empty.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"

/* ---- processes ---- */

struct pidvec {
	pid_t *v;
	size_t n, cap;
};

static int pidvec_add(struct pidvec *pv, pid_t pid)
{
	for (size_t i = 0; i < pv->n; i++)
		if (pv->v[i] == pid)
			return 0;
	if (pv->n == pv->cap) {
		size_t ncap = pv->cap ? pv->cap * 2 : 16;
		pid_t *nv = realloc(pv->v, ncap * sizeof *nv);
		if (nv == NULL)
			return -1;
		pv->v = nv;
		pv->cap = ncap;
	}
	pv->v[pv->n++] = pid;
	return 0;
}

/* cgroup.procs of `dir` and every cgroup below it; a missing dir is empty */
static int collect_pids(const char *dir, struct pidvec *pv, struct husk_error *err)
{
	cleanup_free char *procs = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	char *save = NULL;
	struct husk_error e = {0};

	if (cg_read(dir, "cgroup.procs", &procs, &e) < 0) {
		int st = e.status;
		husk_error_clear(&e);
		if (st == ENOENT || st == ENODEV)
			return 0;
		return husk_error_set(err, st, "read `%s/cgroup.procs`: %s", dir, strerror(st));
	}
	for (char *t = strtok_r(procs, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		int64_t v;
		if (parse_i64(t, &v) == 0 && v > 0 && pidvec_add(pv, (pid_t)v) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
	}
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : husk_error_errno(err, "open `%s`", dir);
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (collect_pids(sub, pv, err) < 0)
			return -1;
	}
	return 0;
}

int cg_fs_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	struct pidvec pv = {0};

	/* union over the hierarchies: a process may sit in only some of them */
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (collect_pids(cg->dirs[i].path, &pv, err) < 0) {
			free(pv.v);
			return -1;
		}
	}
	*pids = pv.v;
	*n = pv.n;
	return 0;
}

static bool pid_seen(const struct pidvec *pv, pid_t pid)
{
	for (size_t i = 0; i < pv->n; i++)
		if (pv->v[i] == pid)
			return true;
	return false;
}

/* Signal every pid until no new one shows up. */
static int signal_all(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	struct pidvec done = {0};
	int r = 0;

	for (int round = 0; round < 100; round++) {
		cleanup_free pid_t *pids = NULL;
		size_t n = 0;
		bool fresh = false;

		if (cg_fs_pids(cg, &pids, &n, err) < 0) {
			r = -1;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			if (pid_seen(&done, pids[i]))
				continue;
			fresh = true;
			if (kill(pids[i], sig) < 0 && errno != ESRCH) {
				r = husk_error_errno(err, "kill `%d` with signal %d", (int)pids[i],
						     sig);
				break;
			}
			if (pidvec_add(&done, pids[i]) < 0) {
				r = husk_error_set(err, ENOMEM, "out of memory");
				break;
			}
		}
		if (r < 0 || !fresh)
			break;
	}
	free(done.v);
	return r;
}

int cg_fs_kill(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	bool froze = false;
	int r;

	if (sig == SIGKILL) {
		bool more = false;
		r = cg->ops->kill_all(cg, &more, err);
		if (r < 0)
			return -1;
		if (r == 1)
			return more ? signal_all(cg, sig, err) : 0;
	}
	/* freeze first so that nothing forks past us (runc does the same) */
	if (cg->ops->is_frozen(cg) != 1) {
		struct husk_error e = {0};
		if (cg->ops->freeze(cg, true, &e) == 0)
			froze = true;
		husk_error_clear(&e);
	}
	r = signal_all(cg, sig, err);
	if (froze) {
		struct husk_error e = {0};
		if (cg->ops->freeze(cg, false, r < 0 ? &e : err) < 0 && r == 0)
			r = -1;
		husk_error_clear(&e);
	}
	return r;
}

/* rmdir `path` and every cgroup below it, children first. */
static int rmdir_tree(const char *path, struct husk_error *err)
{
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return errno == ENOENT ? 0 : husk_error_errno(err, "open `%s`", path);
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (rmdir_tree(sub, err) < 0)
			return -1;
	}
	if (rmdir(path) < 0 && errno != ENOENT)
		return husk_error_errno(err, "remove cgroup `%s`", path);
	return 0;
}

/*
 * The default parent (`/husk`, see fs_prepare) goes with its last
 * container, so that husk leaves no cgroup behind; busy or absent is fine.
 */
static void remove_default_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	cleanup_free char *parent = NULL;

	if (n < 5 || strncmp(path + n - 5, "/husk", 5) != 0)
		return;
	parent = strndup(path, n);
	if (parent)
		rmdir(parent);
}

int cg_fs_destroy(struct husk_cgroup *cg, struct husk_error *err)
{
	int tries;

	/* a frozen cgroup would keep its killed processes around */
	if (cg->ops->is_frozen(cg) == 1 && cg->ops->freeze(cg, false, err) < 0)
		return -1;
	for (tries = 0; tries < 500; tries++) {
		cleanup_free pid_t *pids = NULL;
		size_t n = 0;

		if (cg_fs_pids(cg, &pids, &n, err) < 0)
			return -1;
		if (n == 0)
			break;
		if (tries % 50 == 0 && cg_fs_kill(cg, SIGKILL, err) < 0)
			return -1;
		cg_sleep_ms(10);
	}
	if (tries == 500)
		return husk_error_set(err, EBUSY, "cgroup `%s`: processes left after 5s",
				      cg->stored);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		/* an emptied cgroup can stay busy for a moment (v1 memory) */
		for (tries = 0;; tries++) {
			struct husk_error e = {0};
			if (rmdir_tree(cg->dirs[i].path, &e) == 0)
				break;
			if (e.status != EBUSY || tries == 100) {
				husk_error_set(err, e.status, "%s", e.msg);
				husk_error_clear(&e);
				return -1;
			}
			husk_error_clear(&e);
			cg_sleep_ms(10);
		}
		remove_default_parent(cg->dirs[i].path);
	}
	return 0;
}
