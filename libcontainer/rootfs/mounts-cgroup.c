/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A mount of type "cgroup".  cgroup v2 only: one cgroup2 mount (with a cgroup
 * namespace) or a bind of the container's cgroup directory (without, like
 * runc).  v1 or hybrid: a tmpfs on the destination holding one directory per
 * hierarchy of /proc/self/cgroup (named ones such as name=systemd too), each
 * a `cgroup` mount (cgroupns) or a bind of the container's directory, the
 * symlinks of combined hierarchies (cpu -> cpu,cpuacct), and the host's
 * cgroup2 "unified" hierarchy at <dest>/unified when it has one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/mountinfo.h"
#include "rootfs/mounts.h"

#define CG_DEFAULT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define CG_FLAG_MASK                                                                               \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

struct cg_mount {
	struct rootfs_ctx *c;
	const struct husk_mount *m;
	size_t idx;
	unsigned long flags; /* per hierarchy mount: defaults | the spec's ro/atime */
	struct husk_mountinfo mi;
	char *cgroup; /* /proc/self/cgroup */
};

static void cg_mount_clear(struct cg_mount *g)
{
	husk_mountinfo_clear(&g->mi);
	free(g->cgroup);
}

/* Every controller of `controllers` is among the mount's super options. */
static bool has_controllers(const char *super, const char *controllers)
{
	char one[256];

	for (const char *p = controllers; *p;) {
		const char *e = strchrnul(p, ',');
		size_t n = (size_t)(e - p);

		if (n >= sizeof(one))
			return false;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!husk_opt_has(super, one))
			return false;
		p = *e ? e + 1 : e;
	}
	return true;
}

/* The host mount of a hierarchy and the container's directory in it. */
static const struct husk_mountinfo_entry *find_hierarchy(const struct cg_mount *g, bool v2,
							 const char *controllers, const char *path)
{
	for (size_t i = 0; i < g->mi.n; i++) {
		const struct husk_mountinfo_entry *e = &g->mi.v[i];

		if (strcmp(e->fstype, v2 ? "cgroup2" : "cgroup") != 0)
			continue;
		if (!v2 && !has_controllers(e->super_options, controllers))
			continue;
		/* in a cgroupns the roots read "/.." and only the hierarchy matters */
		if (g->c->o->cgroupns || husk_path_has_prefix(path, e->root))
			return e;
	}
	return NULL;
}

/* mount_point + (path below root): the directory to bind without a cgroupns */
static char *bind_source(const struct husk_mountinfo_entry *e, const char *path)
{
	char *s;
	const char *rel = path;

	if (strcmp(e->root, "/") != 0 && husk_path_has_prefix(path, e->root))
		rel = path + strlen(e->root);
	if (asprintf(&s, "%s%s", e->mount_point, rel) < 0)
		abort();
	return s;
}

/* Mount one hierarchy on dirfd/name (created). */
static int mount_hierarchy(struct cg_mount *g, int dirfd, const char *name,
			   const struct husk_mountinfo_entry *e, const char *controllers,
			   const char *path, struct husk_error *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *src = NULL;
	struct fd_path fp;
	bool v2 = controllers == NULL;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu]): mkdir `%s`",
					g->m->destination, g->idx, name);
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu]): open `%s`",
					g->m->destination, g->idx, name);
	if (g->c->o->cgroupns) {
		/* runc names the source "systemd" for name=systemd, "cgroup" else */
		const char *source = v2						? "cgroup2"
				     : strcmp(controllers, "name=systemd") == 0 ? "systemd"
										: "cgroup";
		if (mount(source, fd_path(&fp, fd), v2 ? "cgroup2" : "cgroup", g->flags,
			  controllers) == 0)
			return 0;
		/* runc: a mount refused (rootless, EBUSY) falls back to a bind */
		if (errno != EPERM && errno != EBUSY)
			return husk_error_errno(err, "mount `cgroup` `%s` on `%s/%s` (mounts[%zu])",
						v2 ? "cgroup2" : controllers, g->m->destination,
						name, g->idx);
	}
	src = bind_source(e, path);
	if (mount(src, fd_path(&fp, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_errno(err, "bind cgroup `%s` on `%s/%s` (mounts[%zu])", src,
					g->m->destination, name, g->idx);
	close(fd);
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || husk_remount(fd_path(&fp, fd), g->flags, false) < 0)
		return husk_error_errno(err, "remount cgroup `%s/%s` (mounts[%zu])",
					g->m->destination, name, g->idx);
	return 0;
}

/* cgroup v2 only: the destination itself is the hierarchy. */
static int mount_v2(struct cg_mount *g, const char *path, struct husk_error *err)
{
	const struct husk_mountinfo_entry *e = find_hierarchy(g, true, NULL, path);
	cleanup_close int parent = -1;
	char dest[PATH_MAX];
	char *slash;

	if (e == NULL)
		return husk_error_set(err, ENOENT,
				      "cgroup mount on `%s` (mounts[%zu]): no cgroup2 mount on the "
				      "host",
				      g->m->destination, g->idx);
	if (husk_clean_path(g->m->destination, dest, sizeof(dest)) < 0)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu])",
					g->m->destination, g->idx);
	slash = strrchr(dest, '/');
	if (slash[1] == '\0')
		return husk_error_set(err, EINVAL, "cgroup mount on `/` (mounts[%zu])", g->idx);
	*slash = '\0';
	parent = husk_resolve(g->c->rootfd, *dest ? dest : "/", HUSK_RESOLVE_MKDIR, NULL,
			      &g->c->resolve);
	if (parent < 0)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu]): open destination",
					g->m->destination, g->idx);
	return mount_hierarchy(g, parent, slash + 1, e, NULL, path, err);
}

static int mount_v1(struct cg_mount *g, struct husk_error *err)
{
	cleanup_close int dst = -1;
	struct fd_path fp;
	char *line, *save = NULL;

	dst =
	    husk_resolve(g->c->rootfd, g->m->destination, HUSK_RESOLVE_MKDIR, NULL, &g->c->resolve);
	if (dst < 0)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu]): open destination",
					g->m->destination, g->idx);
	if (mount("tmpfs", fd_path(&fp, dst), "tmpfs", CG_DEFAULT_FLAGS, "mode=755") < 0)
		return husk_error_errno(err, "mount `tmpfs` on `%s` (mounts[%zu])",
					g->m->destination, g->idx);
	close(dst);
	dst = husk_resolve(g->c->rootfd, g->m->destination, 0, NULL, &g->c->resolve);
	if (dst < 0)
		return husk_error_errno(err, "cgroup mount on `%s` (mounts[%zu]): re-open",
					g->m->destination, g->idx);

	for (line = strtok_r(g->cgroup, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *controllers = strchr(line, ':'), *path, *name;
		const struct husk_mountinfo_entry *e;
		bool v2;

		if (controllers == NULL || (path = strchr(++controllers, ':')) == NULL)
			continue;
		*path++ = '\0';
		v2 = *controllers == '\0';
		e = find_hierarchy(g, v2, controllers, path);
		if (e == NULL)
			continue; /* a hierarchy that is not mounted on the host */
		if (v2) {
			if (mount_hierarchy(g, dst, "unified", e, NULL, path, err) < 0)
				return -1;
			continue;
		}
		name = strrchr(e->mount_point, '/');
		name = name ? name + 1 : e->mount_point;
		if (*name == '\0' || strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
			continue;
		if (mount_hierarchy(g, dst, name, e, controllers, path, err) < 0)
			return -1;
		/* combined hierarchies: cpu -> cpu,cpuacct (runc) */
		if (strchr(name, ',') == NULL)
			continue;
		for (char *p = name; *p;) {
			char *end = strchrnul(p, ','), one[NAME_MAX + 1];
			size_t n = (size_t)(end - p);

			if (n > 0 && n <= NAME_MAX) {
				memcpy(one, p, n);
				one[n] = '\0';
				if (symlinkat(name, dst, one) < 0 && errno != EEXIST)
					return husk_error_errno(err, "symlink `%s/%s`",
								g->m->destination, one);
			}
			p = *end ? end + 1 : end;
		}
	}
	if ((g->flags & MS_RDONLY) &&
	    husk_remount(fd_path(&fp, dst), MS_RDONLY | CG_DEFAULT_FLAGS, false) < 0)
		return husk_error_errno(err, "remount `%s` read-only (mounts[%zu])",
					g->m->destination, g->idx);
	return 0;
}

int husk_mount_cgroup(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
		      struct husk_error *err)
{
	__attribute__((cleanup(cg_mount_clear))) struct cg_mount g = {
	    .c = c,
	    .m = &c->spec->mounts[idx],
	    .idx = idx,
	    .flags = CG_DEFAULT_FLAGS | (mo->flags & CG_FLAG_MASK),
	};
	size_t len;
	bool v1 = false;
	char *v2line;

	if (husk_mountinfo_read("/proc/self/mountinfo", &g.mi) < 0)
		return husk_error_errno(err, "read `/proc/self/mountinfo`");
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &g.cgroup, &len, err) < 0)
		return -1;
	for (size_t i = 0; i < g.mi.n && !v1; i++)
		v1 = strcmp(g.mi.v[i].fstype, "cgroup") == 0;
	if (v1)
		return mount_v1(&g, err);
	/* v2 only: the "0::<path>" line (the only one, unless v1 hierarchies exist unmounted) */
	v2line = strncmp(g.cgroup, "0::", 3) == 0 ? g.cgroup : strstr(g.cgroup, "\n0::");
	if (v2line == NULL)
		return husk_error_set(err, EINVAL, "`/proc/self/cgroup`: no cgroup v2 entry");
	v2line += *v2line == '\n' ? 4 : 3;
	v2line[strcspn(v2line, "\n")] = '\0';
	return mount_v2(&g, v2line, err);
}
