/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec --cgroup (runc 1.1's flag): a handle on existing sub-cgroups of a
 * container's cgroupfs directories, for one exec'd process.  runc's rules:
 * "PATH" alone goes for every hierarchy (v1, and the cgroup2 one: the only
 * form on a pure v2 host); "CTRL[,CTRL...]:PATH" (repeatable) for the v1
 * hierarchies holding those controllers ("name=systemd" too), the others
 * stay in the container's cgroup; PATH is relative to the container's
 * cgroup, a leading "/" included (runc's path.Join), and must exist (runc
 * fails writing its cgroup.procs otherwise).  runc refuses a PATH whose
 * join leaves the container's cgroup; so does husk, by path components
 * rather than runc 1.1's string prefix (which let `../c1x` through into a
 * sibling cgroup `c1x` of container `c1`).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"

struct sub_arg {
	char *ctrl; /* one controller, or NULL for the plain PATH form */
	const char *path;
};

/* "a" -> "/a"; "/x/./y//../z" -> "/x/z"; ".." above "/" stays at "/" (then refused) */
static char *clean_join(const char *base, const char *path)
{
	size_t cap = strlen(base) + strlen(path) + 3, n = 0;
	cleanup_free char *all = xmalloc0(cap);
	char *out = xmalloc0(cap), *save = NULL;

	snprintf(all, cap, "%s/%s", base, path);
	for (char *t = strtok_r(all, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			while (n > 0 && out[--n] != '/')
				;
			out[n] = '\0';
			continue;
		}
		n += (size_t)snprintf(out + n, cap - n, "/%s", t);
	}
	if (n == 0)
		strcpy(out, "/");
	return out;
}

static bool inside(const char *rel, const char *base)
{
	size_t n = strlen(base);

	if (strcmp(base, "/") == 0)
		return true;
	return strncmp(rel, base, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* Split the --cgroup values into one entry per controller (or one plain entry). */
static int parse_args(char *const *args, struct sub_arg **out, size_t *n, struct husk_error *err)
{
	size_t nargs = strv_len(args);

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < nargs; i++) {
		const char *colon = strchr(args[i], ':');
		cleanup_free char *ctrls = NULL;
		char *save = NULL;

		if (colon && strchr(colon + 1, ':'))
			return husk_error_set(err, EINVAL, "--cgroup: invalid value `%s`", args[i]);
		/* runc 1.1 takes ":PATH" as PATH */
		if (colon == NULL || colon == args[i]) {
			if (nargs != 1)
				return husk_error_set(err, EINVAL,
						      "--cgroup: `%s` has no `controller:` prefix: "
						      "only a single --cgroup may omit it",
						      args[i]);
			*out = xmalloc0(sizeof **out);
			(*out)[0].path = colon ? colon + 1 : args[i];
			*n = 1;
			return 0;
		}
		ctrls = strndup(args[i], (size_t)(colon - args[i]));
		for (char *t = strtok_r(ctrls, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			for (size_t j = 0; j < *n; j++)
				if (strcmp((*out)[j].ctrl, t) == 0)
					return husk_error_set(err, EINVAL,
							      "--cgroup: controller `%s` given "
							      "more than once",
							      t);
			*out = realloc(*out, (*n + 1) * sizeof **out);
			if (*out == NULL)
				abort();
			(*out)[*n].ctrl = xstrdup(t);
			(*out)[(*n)++].path = colon + 1;
		}
	}
	return 0;
}

static void free_args(struct sub_arg *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].ctrl);
	free(a);
}

static bool has_controller(const char *list, const char *ctrl)
{
	size_t n = strlen(ctrl);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, ctrl, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

/*
 * The sub-path for directory `d` (NULL: it stays where it is); counts the
 * entries used in used[].
 */
static int path_for(const struct cg_dir *d, const struct sub_arg *a, size_t n, bool *used,
		    const char **out, struct husk_error *err)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (a[i].ctrl != NULL && (d->v2 || !has_controller(d->controllers, a[i].ctrl)))
			continue;
		used[i] = true;
		if (*out && strcmp(*out, a[i].path) != 0)
			return husk_error_set(
			    err, EINVAL,
			    "--cgroup: the controllers of hierarchy `%s` are given "
			    "different paths",
			    d->controllers);
		*out = a[i].path;
	}
	return 0;
}

/* dst: src's directory, moved to `sub` below it when it is not NULL. */
static int sub_dir(const struct cg_dir *src, const char *sub, struct cg_dir *dst,
		   struct husk_error *err)
{
	struct stat st;

	dst->controllers = xstrdup(src->controllers);
	dst->mnt = xstrdup(src->mnt);
	dst->v2 = src->v2;
	dst->rel = sub ? clean_join(src->rel, sub) : xstrdup(src->rel);
	if (!inside(dst->rel, src->rel))
		return husk_error_set(err, EINVAL,
				      "--cgroup: `%s` is not inside the container's cgroup `%s`",
				      sub, src->rel);
	dst->path = xmalloc0(strlen(src->mnt) + strlen(dst->rel) + 1);
	strcpy(dst->path, src->mnt);
	strcat(dst->path, strcmp(dst->rel, "/") == 0 ? "" : dst->rel);
	if (stat(dst->path, &st) < 0 || !S_ISDIR(st.st_mode))
		return husk_error_set(err, ENOENT,
				      "--cgroup: sub-cgroup `%s` does not exist (`%s`): make it "
				      "first",
				      sub, dst->path);
	return 0;
}

static int fill(struct husk_cgroup *s, const struct husk_cgroup *cg, const struct sub_arg *a,
		size_t n, struct husk_error *err)
{
	cleanup_free bool *used = xmalloc0((n + 1) * sizeof *used);

	s->dirs = xmalloc0(cg->n_dirs * sizeof *s->dirs);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const char *sub;
		s->n_dirs = i + 1;
		if (path_for(&cg->dirs[i], a, n, used, &sub, err) < 0 ||
		    sub_dir(&cg->dirs[i], sub, &s->dirs[i], err) < 0)
			return -1;
		if (cg->v2 == &cg->dirs[i])
			s->v2 = &s->dirs[i];
	}
	for (size_t i = 0; i < n; i++)
		if (!used[i])
			return husk_error_set(
			    err, EINVAL, "--cgroup: no cgroup v1 hierarchy has controller `%s`%s",
			    a[i].ctrl,
			    cg->layout == CG_LAYOUT_V2
				? " (cgroup v2: give a path without a controller)"
				: "");
	if (s->v2 && (s->v2_fd = open(s->v2->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return husk_error_errno(err, "open `%s`", s->v2->path);
	return 0;
}

int husk_cgroup_sub(const struct husk_cgroup *cg, char *const *args, struct husk_cgroup **out,
		    struct husk_error *err)
{
	struct husk_cgroup *s;
	struct sub_arg *a = NULL;
	size_t n = 0;
	int r;

	*out = NULL;
	if (cg == NULL || cg->mgr != &cg_cgroupfs_manager || cg->n_dirs == 0)
		return husk_error_set(err, ENOTSUP, "--cgroup: the container has no cgroup");
	if (parse_args(args, &a, &n, err) < 0) {
		free_args(a, n);
		return -1;
	}
	s = xmalloc0(sizeof *s);
	s->mgr = cg->mgr;
	s->layout = cg->layout;
	s->ops = cg->ops;
	s->v2_fd = -1;
	s->stored = xstrdup(cg->stored);
	r = fill(s, cg, a, n, err);
	free_args(a, n);
	if (r < 0) {
		husk_cgroup_free(s);
		return -1;
	}
	*out = s;
	return 0;
}
