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

#include "rootfs/mounts.h"

/* What a bind mount takes only through a second, MS_REMOUNT call */
#define MS_BIND_REMOUNT_MASK                                                                       \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK |             \
	 MS_DIRSYNC | MS_NOSYMFOLLOW | MS_ATIME_MASK)

/*
 * Like runc: nothing may be mounted inside procfs except bind mounts over the
 * few files lxcfs emulates, and a bind mount on /proc itself must come from a
 * procfs.  Checked on the resolved destination (fstatfs), so a symlink can't
 * sneak around it.
 */
static int check_proc_dest(int dstfd, const char *dest, const char *source, int srcfd, bool bind)
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
		if ((srcfd >= 0 ? fstatfs(srcfd, &sf) : statfs(source, &sf)) < 0)
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

/* The bind source the runtime opened (husk_rootfs_prepare), or -1: the init binds by name. */
static int prep_source(const struct rootfs_ctx *c, size_t idx)
{
	const struct husk_rootfs_prep *prep = c->o->prep;

	return prep && prep->src_fds && idx < prep->n ? prep->src_fds[idx] : -1;
}

/* proc and sysfs on an ordinary directory; then the destination, resolved (and made) in the rootfs
 */
static int open_dest(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
		     struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const char *type = m->type, *src = mo->source, *like = src;
	int dst, srcfd = mo->bind ? prep_source(c, idx) : -1;
	struct fd_path sp;

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
	/* a file or a directory like the source: the one opened on the host when there is one */
	if (srcfd >= 0)
		like = fd_path(&sp, srcfd);
	dst = husk_resolve(c->rootfd, m->destination,
			   HUSK_RESOLVE_MKDIR | (mo->bind ? HUSK_RESOLVE_MKFILE : 0),
			   mo->bind ? like : NULL, &c->resolve);
	if (dst < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): open destination",
					src, m->destination, idx);
	if (c->proc_check && check_proc_dest(dst, m->destination, src, srcfd, mo->bind) < 0) {
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
		struct fd_path sp;
		/* a source the runtime opened (user namespace): bound from the fd */
		const char *from =
		    prep_source(c, idx) >= 0 ? fd_path(&sp, prep_source(c, idx)) : src;

		if (mount(from, fd_path(&fp, dst), NULL, MS_BIND | (mo->flags & MS_REC), NULL) < 0)
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
