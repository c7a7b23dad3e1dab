/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One entry of spec->mounts, as the plan parsed it (plan/plan-mounts.c):
 * destination resolved inside the rootfs, mount(2) onto /proc/self/fd/N, then
 * (on the re-opened destination, now the new mount) the read-only remount of
 * bind mounts, propagation changes and recursive attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

#define MS_ATIME_MASK (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
/* What a bind mount takes only through a second, MS_REMOUNT call */
#define MS_BIND_REMOUNT_MASK                                                                       \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK |             \
	 MS_DIRSYNC | MS_NOSYMFOLLOW | MS_ATIME_MASK)

int husk_mount_flags(const char *path, unsigned long *flags)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},
	    {ST_NOSUID, MS_NOSUID},
	    {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},
	    {ST_SYNCHRONOUS, MS_SYNCHRONOUS},
	    {ST_MANDLOCK, MS_MANDLOCK},
	    {ST_NOATIME, MS_NOATIME},
	    {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	    {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -1;
	*flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if ((unsigned long)sf.f_flags & map[i].st)
			*flags |= map[i].ms;
	return 0;
}

int husk_remount(const char *path, unsigned long flags, bool keep)
{
	unsigned long cur;

	flags |= MS_BIND | MS_REMOUNT;
	if (!keep && mount(NULL, path, NULL, flags, NULL) == 0)
		return 0;
	/*
	 * Flags locked by a user namespace (nosuid, nodev, noexec, ro, atime)
	 * must be repeated in a remount, else EPERM: keep what the mount has,
	 * like runc; an atime mode asked for wins over the current one.
	 */
	if (!keep && errno != EPERM)
		return -1;
	if (husk_mount_flags(path, &cur) < 0)
		return -1;
	if (flags & MS_ATIME_MASK)
		cur &= ~MS_ATIME_MASK;
	return mount(NULL, path, NULL, flags | cur, NULL);
}

int husk_mount_setattr(int fd, uint64_t set, uint64_t clr, uint64_t propagation, int userns_fd)
{
	struct mount_attr a = {
	    .attr_set = set,
	    .attr_clr = clr,
	    .propagation = propagation,
	    .userns_fd = userns_fd < 0 ? 0 : (uint64_t)userns_fd,
	};

	return mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a));
}

int husk_open_nofollow(const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .resolve = RESOLVE_NO_SYMLINKS,
	};
	cleanup_close int cur = -1;
	char name[NAME_MAX + 1];
	const char *p = path;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* no openat2: one O_NOFOLLOW open per component */
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (cur >= 0) {
		const char *end;
		size_t len;
		int next;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 0 || len > NAME_MAX || (len <= 2 && strncmp(p, "..", len) == 0)) {
			errno = len > NAME_MAX ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = end + strspn(end, "/");
		if (*p == '\0')
			return openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		next = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOTDIR)
			errno = ELOOP; /* a symlink, or a file in the middle */
		close(cur);
		cur = next;
	}
	return -1;
}

int husk_bind_fd(int srcfd, const char *src_name, int dstfd, const char *dst_name)
{
	cleanup_close int tree =
	    open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct stat want, got;

	if (tree >= 0)
		return move_mount(tree, "", dstfd, "",
				  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (errno != ENOSYS)
		return -1;
	/* before Linux 5.2: by name, then check that what got mounted is srcfd's file */
	if (fstat(srcfd, &want) < 0 || mount(src_name, dst_name, NULL, MS_BIND, NULL) < 0)
		return -1;
	if (stat(dst_name, &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino)
		return 0;
	umount2(dst_name, MNT_DETACH);
	errno = EXDEV;
	return -1;
}

int husk_clean_path(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in) {
		const char *end;
		size_t len;

		while (*in == '/')
			in++;
		end = strchrnul(in, '/');
		len = (size_t)(end - in);
		if (len == 0 || (len == 1 && in[0] == '.')) {
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
		} else if (n + 1 + len < size) {
			out[n++] = '/';
			memcpy(out + n, in, len);
			n += len;
		} else {
			out[0] = '\0';
			errno = ENAMETOOLONG;
			return -1;
		}
		in = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/*
 * Like runc: nothing may be mounted inside procfs except bind mounts over the
 * few files lxcfs emulates, and a bind mount on /proc itself must come from a
 * procfs.  Checked on the resolved destination (fstatfs), so a symlink can't
 * sneak around it.
 */
static int check_proc_dest(int dstfd, const char *dest, const char *source, bool bind)
{
	static const char *const allowed[] = {
	    "/proc/cpuinfo", "/proc/diskstats",
	    "/proc/meminfo", "/proc/stat",
	    "/proc/swaps",   "/proc/uptime",
	    "/proc/loadavg", "/proc/slabinfo",
	    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	char clean[PATH_MAX];
	struct statfs sf;

	if (fstatfs(dstfd, &sf) < 0 || husk_clean_path(dest, clean, sizeof(clean)) < 0)
		return -1;
	if (strcmp(clean, "/proc") == 0) {
		if (!bind)
			return 0;
		if (statfs(source, &sf) < 0)
			return -1;
		if (sf.f_type == PROC_SUPER_MAGIC)
			return 0;
		errno = EINVAL;
		return -1;
	}
	if (sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	for (size_t i = 0; bind && i < ARRAY_SIZE(allowed); i++)
		if (strcmp(clean, allowed[i]) == 0)
			return 0;
	errno = EPERM;
	return -1;
}

bool husk_mount_is_dev(const struct husk_mount *m, bool *bind)
{
	char clean[PATH_MAX];

	if (m->destination == NULL || husk_clean_path(m->destination, clean, sizeof(clean)) < 0 ||
	    strcmp(clean, "/dev") != 0)
		return false;
	*bind = m->type && strcmp(m->type, "bind") == 0;
	for (char **o = m->options; o && *o && !*bind; o++)
		*bind = strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
	return true;
}

/*
 * Rootless fallbacks (like crun): sysfs and mqueue can't be mounted in a user
 * namespace that does not own the network or IPC namespace; bind the host's
 * instead.  Returns 1 if a fallback applies (flags then go through a remount).
 */
static const char *fallback_source(const char *type)
{
	if (type && strcmp(type, "sysfs") == 0)
		return "/sys";
	if (type && strcmp(type, "mqueue") == 0)
		return "/dev/mqueue";
	return NULL;
}

/*
 * runc ("must be mounted on ordinary directory", CVE-2019-19921 class): the
 * destination of a proc or sysfs mount, if it exists, must be a directory
 * itself, not a symlink to one (the kernel would mount procfs wherever the
 * image's link points).  Components before the last are resolved in the
 * rootfs as for every mount.
 */
static int check_ordinary_dir(struct rootfs_ctx *c, const char *dest)
{
	char clean[PATH_MAX];
	cleanup_close int parent = -1;
	char *slash;
	struct stat st;

	if (husk_clean_path(dest, clean, sizeof(clean)) < 0)
		return -1;
	if (strcmp(clean, "/") == 0)
		return 0;
	slash = strrchr(clean, '/');
	*slash = '\0';
	parent = husk_resolve(c->rootfd, slash == clean ? "/" : clean, 0, NULL, &c->resolve);
	if (parent < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstatat(parent, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode))
		return 0;
	errno = ENOTDIR;
	return 1;
}

/* proc and sysfs on an ordinary directory; then the destination, resolved (and made) in the rootfs
 */
static int open_dest(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
		     struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const char *type = m->type, *src = mo->source;
	int dst;

	if (!mo->bind && type && (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0)) {
		int r = check_ordinary_dir(c, m->destination);

		if (r > 0)
			return husk_error_set(
			    err, ENOTDIR,
			    "mount `%s` on `%s` (mounts[%zu]): filesystem `%s` must "
			    "be mounted on ordinary directory",
			    src, m->destination, idx, type);
		if (r < 0)
			return husk_error_errno(
			    err, "mount `%s` on `%s` (mounts[%zu]): check destination", src,
			    m->destination, idx);
	}
	dst = husk_resolve(c->rootfd, m->destination,
			   HUSK_RESOLVE_MKDIR | (mo->bind ? HUSK_RESOLVE_MKFILE : 0),
			   mo->bind ? src : NULL, &c->resolve);
	if (dst < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): open destination",
					src, m->destination, idx);
	if (c->proc_check && check_proc_dest(dst, m->destination, src, mo->bind) < 0) {
		husk_error_errno(err,
				 "mount `%s` on `%s` (mounts[%zu]): not allowed on or inside /proc",
				 src, m->destination, idx);
		close(dst);
		return -1;
	}
	if (mo->bind || (type && strcmp(type, "proc") == 0))
		c->proc_check = true;
	return dst;
}

/* The mount(2) call itself; *extra: flags a bind (or fallback) needs through a remount. */
static int do_mount(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo, int dst,
		    unsigned long *extra, struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const char *type = m->type, *src = mo->source, *fb;
	struct fd_path fp;

	*extra = 0;
	if (mo->flags & MS_REMOUNT) {
		/* change an existing mount: one call with everything */
		if (mount(src, fd_path(&fp, dst), type, mo->flags, mo->data) < 0)
			return husk_error_errno(err, "remount `%s` (mounts[%zu])", m->destination,
						idx);
		return 0;
	}
	*extra = mo->flags & MS_BIND_REMOUNT_MASK;
	if (mo->bind && mo->idmapped)
		return husk_mount_idmapped(c, idx, mo, src, dst, err);
	/* the kernel ignores every flag but MS_REC on a new bind mount */
	if (mo->bind) {
		if (mount(src, fd_path(&fp, dst), NULL, MS_BIND | (mo->flags & MS_REC), NULL) < 0)
			return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu])", src,
						m->destination, idx);
		return 0;
	}
	if (mount(src, fd_path(&fp, dst), type, mo->flags, mo->data) == 0) {
		*extra = 0;
		return 0;
	}
	{
		int saved = errno;

		fb = saved == EPERM ? fallback_source(type) : NULL;
		if (fb == NULL || mount(fb, fp.s, NULL, MS_BIND | MS_REC, NULL) < 0) {
			errno = saved;
			return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu])", src,
						m->destination, idx);
		}
	}
	return 0;
}

/* On the new mount: tmpcopyup, the remount of a bind's flags, propagation, recursive attributes. */
static int after_mount(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
		       int below, unsigned long extra, struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const char *src = mo->source;
	cleanup_close int top = -1;
	struct fd_path fp;

	/* the fd still names the directory below the new mount: re-open it */
	top = husk_resolve(c->rootfd, m->destination, 0, NULL, &c->resolve);
	if (top < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): re-open", src,
					m->destination, idx);
	fd_path(&fp, top);
	if (below >= 0 && husk_copy_tree(below, top, 0) < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): tmpcopyup", src,
					m->destination, idx);
	if (extra && husk_remount(fp.s, extra, false) < 0)
		return husk_error_errno(err, "remount `%s` (mounts[%zu])", m->destination, idx);
	for (size_t i = 0; i < mo->n_prop; i++)
		if (mount(NULL, fp.s, NULL, mo->prop[i], NULL) < 0)
			return husk_error_errno(err, "set propagation of `%s` (mounts[%zu])",
						m->destination, idx);
	if ((mo->attr_set || mo->attr_clr) &&
	    husk_mount_setattr(top, mo->attr_set, mo->attr_clr, 0, -1) < 0) {
		if (errno == ENOSYS)
			return husk_error_errno(err,
						"mount `%s` on `%s` (mounts[%zu]): recursive mount "
						"options need mount_setattr (linux 5.12)",
						src, m->destination, idx);
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): mount_setattr", src,
					m->destination, idx);
	}
	return 0;
}

int husk_mount_one(struct rootfs_ctx *c, size_t idx, struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const struct husk_plan_mount *mo = &c->plan->mounts[idx];
	cleanup_close int dst = -1;
	cleanup_close int below = -1;
	unsigned long extra;

	if (mo->cgroup)
		return husk_mount_cgroup(c, idx, mo, err);
	dst = open_dest(c, idx, mo, err);
	if (dst < 0)
		return -1;
	if (mo->tmpcopyup) {
		below = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (below < 0)
			return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): tmpcopyup",
						mo->source, m->destination, idx);
	}
	if (do_mount(c, idx, mo, dst, &extra, err) < 0)
		return -1;
	if (extra == 0 && mo->n_prop == 0 && mo->attr_set == 0 && mo->attr_clr == 0 && below < 0)
		return 0;
	return after_mount(c, idx, mo, below, extra, err);
}
