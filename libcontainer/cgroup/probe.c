/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host has: the layout (v1, hybrid, v2) and, from
 * /proc/self/cgroup and /proc/self/mountinfo, each mounted hierarchy with
 * the caller's own cgroup in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "cgroup-internal.h"
#include "husk/husk.h"

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

bool husk_cgroup_host_unified(void)
{
	enum cg_layout layout;

	return probe_layout(&layout, NULL) == 0 && layout == CG_LAYOUT_V2;
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

int cg_probe_host(struct cg_probe *p, struct husk_error *err)
{
	cleanup_free char *self = NULL, *mountinfo = NULL;

	if (probe_layout(&p->layout, err) < 0)
		return -1;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
		return -1;
	return cg_probe_parse(p, self, mountinfo, err);
}
