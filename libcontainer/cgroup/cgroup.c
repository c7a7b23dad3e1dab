/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup manager: layout detection (v1, hybrid, v2), path resolution,
 * create/load and placement.  What differs per layout lives behind struct
 * cg_ops (v1.c, v2.c); processes, kill, freeze and destroy are in procs.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup-internal.h"

/* ---- probing the host: /proc/self/cgroup and /proc/self/mountinfo ---- */

void cg_probe_clear(struct cg_probe *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].controllers);
		free(p->v[i].own);
		free(p->v[i].mnt);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Does the comma list `opts` hold every controller of the comma list `ctrls`? */
static bool opts_have_all(const char *opts, const char *ctrls)
{
	cleanup_free char *c = xstrdup(ctrls);
	char *save = NULL;

	for (char *t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(t);
		const char *o = opts;
		bool found = false;
		while (o && *o) {
			const char *comma = strchr(o, ',');
			size_t n = comma ? (size_t)(comma - o) : strlen(o);
			if (n == len && strncmp(o, t, n) == 0) {
				found = true;
				break;
			}
			o = comma ? comma + 1 : NULL;
		}
		if (!found)
			return false;
	}
	return true;
}

/* mountinfo escapes spaces and friends as \ooo */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/*
 * Find the mount of a hierarchy: a "cgroup" mount whose super options hold
 * every controller of `ctrls`, or the "cgroup2" mount (`v2`).  On a hybrid
 * host the cgroup2 mount wanted is `want_mnt`.  *root gets the mount's root
 * inside the hierarchy (not "/" inside a container).
 */
static void find_mount(const char *mountinfo, const char *ctrls, bool v2, const char *want_mnt,
		       char **mnt, char **root)
{
	cleanup_free char *data = xstrdup(mountinfo);
	char *save = NULL;

	*mnt = NULL;
	*root = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[12] = {NULL};
		size_t nf = 0;
		char *sep, *fs, *super, *s2 = NULL;
		bool under;

		sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &s2); t && nf < ARRAY_SIZE(f);
		     t = strtok_r(NULL, " ", &s2))
			f[nf++] = t;
		if (nf < 5)
			continue;
		fs = strtok_r(sep + 3, " ", &s2);
		if (fs == NULL || strtok_r(NULL, " ", &s2) == NULL)
			continue;
		super = strtok_r(NULL, " ", &s2);
		if (super == NULL)
			continue;
		if (v2 ? strcmp(fs, "cgroup2") != 0 : strcmp(fs, "cgroup") != 0)
			continue;
		unescape_octal(f[4]);
		unescape_octal(f[3]);
		if (v2 && want_mnt && strcmp(f[4], want_mnt) != 0)
			continue;
		if (!v2 && !opts_have_all(super, ctrls))
			continue;
		/* mounted more than once: the first under CG_ROOT, else the first */
		under = strncmp(f[4], CG_ROOT, strlen(CG_ROOT)) == 0 &&
			(f[4][strlen(CG_ROOT)] == '/' || f[4][strlen(CG_ROOT)] == '\0');
		if (*mnt != NULL && !under)
			continue;
		free(*mnt);
		free(*root);
		*mnt = xstrdup(f[4]);
		*root = xstrdup(f[3]);
		if (under)
			return;
	}
}

static int probe_layout(enum cg_layout *layout, struct husk_error *err)
{
	struct statfs st;

	if (statfs(CG_ROOT, &st) < 0)
		return husk_error_errno(err, "statfs `%s`", CG_ROOT);
	if (st.f_type == CGROUP2_SUPER_MAGIC) {
		*layout = CG_LAYOUT_V2;
		return 0;
	}
	if (st.f_type != TMPFS_MAGIC)
		return husk_error_set(err, EINVAL, "`%s` is neither cgroup2 nor tmpfs", CG_ROOT);
	if (statfs(CG_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		*layout = CG_LAYOUT_HYBRID;
	else
		*layout = CG_LAYOUT_V1;
	return 0;
}

int cg_probe_parse(struct cg_probe *p, const char *self_cgroup, const char *mountinfo,
		   struct husk_error *err)
{
	cleanup_free char *data = xstrdup(self_cgroup);
	char *save = NULL;

	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2;
		cleanup_free char *mnt = NULL, *root = NULL;
		bool v2;
		const char *own;
		size_t rlen;
		struct cg_probe_entry *e;

		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		*c1 = '\0';
		*c2 = '\0';
		v2 = strcmp(line, "0") == 0 && c1[1] == '\0';
		if (v2 && p->layout == CG_LAYOUT_V1)
			continue;
		if (!v2 && p->layout == CG_LAYOUT_V2)
			continue;
		if (!v2 && c1[1] == '\0')
			continue; /* a v1 hierarchy without controllers or name */
		find_mount(mountinfo, c1 + 1, v2,
			   !v2			       ? NULL
			   : p->layout == CG_LAYOUT_V2 ? CG_ROOT
						       : CG_ROOT "/unified",
			   &mnt, &root);
		if (mnt == NULL)
			continue; /* not mounted: nothing to do there */
		own = c2 + 1;
		/* inside a container the mount's root is the caller's cgroup prefix */
		rlen = strlen(root);
		if (strcmp(root, "/") != 0 && strncmp(own, root, rlen) == 0 &&
		    (own[rlen] == '/' || own[rlen] == '\0'))
			own += rlen;
		e = realloc(p->v, (p->n + 1) * sizeof *p->v);
		if (e == NULL)
			return husk_error_set(err, ENOMEM, "out of memory");
		p->v = e;
		e = &p->v[p->n++];
		e->controllers = xstrdup(v2 ? "" : c1 + 1);
		e->own = xstrdup(*own ? own : "/");
		e->mnt = steal_pointer(&mnt);
	}
	if (p->layout != CG_LAYOUT_V1) {
		bool found = false;
		for (size_t i = 0; i < p->n; i++)
			found |= p->v[i].controllers[0] == '\0';
		if (!found)
			return husk_error_set(err, ENOENT,
					      "no cgroup2 entry in `/proc/self/cgroup`");
	}
	return 0;
}

static int probe_host(struct cg_probe *p, struct husk_error *err)
{
	cleanup_free char *self = NULL, *mountinfo = NULL;

	if (probe_layout(&p->layout, err) < 0)
		return -1;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
		return -1;
	return cg_probe_parse(p, self, mountinfo, err);
}

/* ---- paths ---- */

/* "a-b.slice" -> "/a.slice/a-b.slice" (systemd's slice nesting, as runc expands it) */
static int expand_slice(const char *slice, char **out, struct husk_error *err)
{
	size_t len = strlen(slice), sfx = strlen(".slice");
	cleanup_free char *name = NULL, *path = NULL;
	char *save = NULL;

	if (len <= sfx || strcmp(slice + len - sfx, ".slice") != 0 || strchr(slice, '/'))
		return husk_error_set(err, EINVAL, "invalid slice name `%s`", slice);
	name = strndup(slice, len - sfx);
	if (name == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	if (strcmp(name, "-") == 0) {
		*out = xstrdup("/");
		return 0;
	}
	if (name[0] == '-' || name[strlen(name) - 1] == '-' || strstr(name, "--"))
		return husk_error_set(err, EINVAL, "invalid slice name `%s`", slice);
	path = xmalloc0(1);
	for (char *t = strtok_r(name, "-", &save); t; t = strtok_r(NULL, "-", &save)) {
		/* each level repeats the names above it: a.slice/a-b.slice */
		size_t plen = strlen(path), prefix = t - name;
		char *np = realloc(path, plen + 1 + prefix + strlen(t) + sfx + 1);
		if (np == NULL)
			return husk_error_set(err, ENOMEM, "out of memory");
		path = np;
		sprintf(path + plen, "/%.*s%s.slice", (int)prefix, slice, t);
	}
	*out = steal_pointer(&path);
	return 0;
}

int husk_cgroup_systemd_path(const char *cgroups_path, char **out, struct husk_error *err)
{
	cleanup_free char *s = NULL, *slice_path = NULL;
	char *c1, *c2;
	const char *slice, *prefix, *name;

	if (cgroups_path == NULL || (c1 = strchr(cgroups_path, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || strchr(c2 + 1, ':') != NULL)
		return husk_error_set(err, EINVAL,
				      "cgroup path `%s`: expected `slice:prefix:name` with the "
				      "systemd cgroup driver",
				      cgroups_path ? cgroups_path : "");
	s = xstrdup(cgroups_path);
	c1 = s + (c1 - cgroups_path);
	c2 = s + (c2 - cgroups_path);
	*c1 = *c2 = '\0';
	slice = *s ? s : "system.slice"; /* runc's default for root */
	prefix = c1 + 1;
	name = c2 + 1;
	if (*name == '\0' || strchr(name, '/') || strchr(prefix, '/'))
		return husk_error_set(err, EINVAL, "cgroup path `%s`: invalid unit name",
				      cgroups_path);
	if (expand_slice(slice, &slice_path, err) < 0)
		return husk_error_wrap(err, "cgroup path `%s`", cgroups_path);
	/* a name that is a slice is the unit itself; else a scope "prefix-name.scope" */
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0) {
		if (asprintf(out, "%s/%s", strcmp(slice_path, "/") ? slice_path : "", name) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
	} else if (asprintf(out, "%s/%s%s%s.scope", strcmp(slice_path, "/") ? slice_path : "",
			    prefix, *prefix ? "-" : "", name) < 0) {
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Clean "a//b/./c/" into "/a/b/c"; `..` is refused. */
static int clean_path(const char *base, const char *path, char **out, struct husk_error *err)
{
	cleanup_free char *joined = NULL, *buf = NULL;
	char *save = NULL;
	size_t n = 0;

	if (asprintf(&joined, "%s/%s", base ? base : "", path) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	buf = xmalloc0(strlen(joined) + 2);
	for (char *t = strtok_r(joined, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0)
			return husk_error_set(err, EINVAL, "cgroup path `%s`: `..` is not allowed",
					      path);
		buf[n++] = '/';
		strcpy(buf + n, t);
		n += strlen(t);
	}
	if (n == 0)
		buf[n++] = '/';
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

static void dir_clear(struct cg_dir *d)
{
	free(d->controllers);
	free(d->mnt);
	free(d->rel);
	free(d->path);
}

void husk_cgroup_free(struct husk_cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n_dirs; i++)
		dir_clear(&cg->dirs[i]);
	free(cg->dirs);
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	free(cg->stored);
	free(cg);
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

/* The v2 dir goes last so that v1 hierarchies come first everywhere. */
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
 * different cgroups per hierarchy), which husk_cgroup_load reads back.
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

static struct husk_cgroup *cg_new(enum cg_layout layout)
{
	struct husk_cgroup *cg = xmalloc0(sizeof *cg);
	cg->layout = layout;
	cg->v2_fd = -1;
	return cg;
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

	if (husk_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	if (n > 0)
		return husk_error_set(err, EBUSY, "cgroup `%s` is not empty: %zu process(es) found",
				      cg->stored, n);
	if (husk_cgroup_is_frozen(cg) == 1)
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

int husk_cgroup_prepare(const char *cgroups_path, const char *id, struct husk_cgroup **out,
			struct husk_error *err)
{
	struct cg_probe p = {0};
	struct husk_cgroup *cg = NULL;
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
	if (probe_host(&p, err) < 0)
		goto out;
	cg = cg_new(p.layout);
	for (size_t i = 0; i < p.n; i++) {
		cleanup_free char *rel = NULL, *base = NULL;
		/*
		 * On cgroup2 our own cgroup holds processes (us), so no controller
		 * can be enabled below it: a relative path goes under its parent,
		 * as runc does (fs2/defaultpath.go).
		 */
		if (path[0] != '/') {
			char *slash;
			base = xstrdup(p.v[i].own);
			slash = strrchr(base, '/');
			if (p.v[i].controllers[0] == '\0' && slash && slash != base)
				*slash = '\0';
			else if (p.v[i].controllers[0] == '\0' && slash)
				slash[1] = '\0';
		}
		if (clean_path(base, path, &rel, err) < 0)
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
	if (make_stored(cg, err) < 0)
		goto out;
	*out = steal_pointer(&cg);
	r = 0;
out:
	husk_cgroup_free(cg);
	cg_probe_clear(&p);
	return r;
}

int husk_cgroup_make(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
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

int husk_cgroup_create(const char *cgroups_path, const char *id, const struct husk_resources *res,
		       struct husk_cgroup **out, struct husk_error *err)
{
	struct husk_cgroup *cg = NULL;

	if (husk_cgroup_prepare(cgroups_path, id, &cg, err) < 0)
		return -1;
	if (husk_cgroup_make(cg, res, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
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

int husk_cgroup_load(const char *path, struct husk_cgroup **out, struct husk_error *err)
{
	struct cg_probe p = {0};
	struct husk_cgroup *cg = NULL;
	int r = -1;

	if (path == NULL || *path == '\0')
		return husk_error_set(err, EINVAL, "cgroup: empty path");
	if (probe_host(&p, err) < 0)
		goto out;
	cg = cg_new(p.layout);
	for (size_t i = 0; i < p.n; i++) {
		cleanup_free char *rel = NULL, *found = NULL;
		if (path[0] == '/') {
			if (clean_path(NULL, path, &rel, err) < 0)
				goto out;
		} else {
			found = stored_lookup(path, p.v[i].controllers);
			if (found == NULL)
				continue;
			if (clean_path(NULL, found, &rel, err) < 0)
				goto out;
		}
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
	*out = steal_pointer(&cg);
	r = 0;
out:
	husk_cgroup_free(cg);
	cg_probe_clear(&p);
	return r;
}

const char *husk_cgroup_path(const struct husk_cgroup *cg)
{
	return cg->stored;
}

int husk_cgroup_clone_fd(const struct husk_cgroup *cg)
{
	return cg->v2_fd;
}

/* memory.checkBeforeUpdate: refuse a limit below what is in use (runc, v1.2 spec) */
static int check_memory(struct husk_cgroup *cg, const struct husk_memory *m, struct husk_error *err)
{
	struct cg_dir *d = cg_v1_dir(cg, "memory");
	const char *dir = d ? d->path : cg->v2 ? cg->v2->path : NULL;
	const char *file = d ? "memory.usage_in_bytes" : "memory.current";
	cleanup_free char *cur = NULL;
	uint64_t usage = 0;

	if (!m->has_check_before_update || !m->check_before_update || !m->has_limit ||
	    m->limit <= 0 || dir == NULL || !cg_has_file(dir, file))
		return 0;
	if (cg_read(dir, file, &cur, err) < 0)
		return -1;
	if (parse_u64(cur, &usage) == 0 && usage > (uint64_t)m->limit)
		return husk_error_set(err, EBUSY,
				      "linux.resources.memory.limit: `%lld` is below the current "
				      "usage `%llu`",
				      (long long)m->limit, (unsigned long long)usage);
	return 0;
}

int husk_cgroup_update(struct husk_cgroup *cg, const struct husk_resources *res,
		       struct husk_error *err)
{
	if (res == NULL)
		return 0;
	if (res->has_memory && check_memory(cg, &res->memory, err) < 0)
		return -1;
	return cg->ops->apply(cg, res, true, err);
}

int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, bool skip_v2, struct husk_error *err)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].v2 && skip_v2)
			continue;
		if (cg_writef(cg->dirs[i].path, "cgroup.procs", err, "%d", (int)pid) < 0)
			return -1;
	}
	return 0;
}
