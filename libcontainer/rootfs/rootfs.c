/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem, in the init before exec: propagation of "/",
 * the rootfs bound onto itself, spec->mounts, /dev, then pivot_root (or
 * MS_MOVE + chroot); after that masked and read-only paths and the read-only
 * root.  The order is runc's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs/mountinfo.h"
#include "rootfs/mounts.h"
#include "security/security.h"

/*
 * pivot_root refuses a new root whose parent mount is shared, and a shared
 * parent would carry the rootfs bind to the host.  runc makes it private
 * (rootfsParentMountPrivate); we make it a slave: that is enough for both,
 * and the rootfs bind then keeps a master, so rootfsPropagation "slave"
 * really gives a slave root (runc's private parent loses it).  Only needed
 * when "/" was not made rslave or rprivate.
 */
static int parent_mount_private(const char *rootfs, struct husk_error *err)
{
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e;
	cleanup_free char *real = realpath(rootfs, NULL);
	int r = 0;

	if (real == NULL)
		return husk_error_errno(err, "rootfs `%s`", rootfs);
	if (husk_mountinfo_read("/proc/self/mountinfo", &mi) < 0)
		return husk_error_errno(err, "read `/proc/self/mountinfo`");
	e = husk_mountinfo_find_parent(&mi, real);
	if (e && strstr(e->optional, "shared:") &&
	    mount(NULL, e->mount_point, NULL, MS_SLAVE, NULL) < 0)
		r = husk_error_errno(err, "make `%s` a slave", e->mount_point);
	husk_mountinfo_clear(&mi);
	return r;
}

/*
 * No mount namespace (config-linux.md: the runtime's): nothing is mounted,
 * the init chroots into the rootfs like runc's chroot() without NEWNS; the
 * plan refused everything that would need a mount (plan.c).
 */
static int chroot_only(const char *rootfs, struct husk_error *err)
{
	if (chdir(rootfs) < 0)
		return husk_error_errno(err, "chdir to the rootfs `%s`", rootfs);
	if (chroot(".") < 0)
		return husk_error_errno(err, "chroot");
	if (chdir("/") < 0)
		return husk_error_errno(err, "chdir `/`");
	return 0;
}

/* runc's pivot_root: no temporary directory, the old root is stacked on "." */
static int pivot_root_to(int rootfd, struct husk_error *err)
{
	cleanup_close int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (oldroot < 0)
		return husk_error_errno(err, "open `/`");
	if (fchdir(rootfd) < 0)
		return husk_error_errno(err, "chdir to the rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return husk_error_errno(err, "pivot_root");
	if (fchdir(oldroot) < 0)
		return husk_error_errno(err, "chdir to the old root");
	/* make sure the unmount does not propagate to the host */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error_errno(err, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return husk_error_errno(err, "unmount the old root");
	if (chdir("/") < 0)
		return husk_error_errno(err, "chdir `/`");
	return 0;
}

/*
 * --no-pivot (runc's msMoveRoot): hide the host's full proc and sysfs mounts
 * outside the rootfs (the kernel would otherwise count them against mounting
 * proc/sysfs in a user namespace, and they should not stay reachable), move
 * the rootfs onto "/" and chroot into it.
 */
static int move_root(const char *path, int rootfd, struct husk_error *err)
{
	struct husk_mountinfo mi;
	cleanup_free char *rootfs = realpath(path, NULL);

	if (rootfs == NULL)
		return husk_error_errno(err, "rootfs `%s`", path);
	if (husk_mountinfo_read("/proc/self/mountinfo", &mi) < 0)
		return husk_error_errno(err, "read `/proc/self/mountinfo`");
	for (size_t i = mi.n; i-- > 0;) {
		const struct husk_mountinfo_entry *e = &mi.v[i];

		if (strcmp(e->root, "/") != 0 ||
		    (strcmp(e->fstype, "proc") != 0 && strcmp(e->fstype, "sysfs") != 0) ||
		    husk_path_has_prefix(e->mount_point, rootfs))
			continue;
		if (mount(NULL, e->mount_point, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT || errno == EINVAL)
				continue; /* already gone with a parent */
			husk_error_errno(err, "make `%s` rslave", e->mount_point);
			husk_mountinfo_clear(&mi);
			return -1;
		}
		if (umount2(e->mount_point, MNT_DETACH) < 0 &&
		    mount("tmpfs", e->mount_point, "tmpfs", 0, NULL) < 0) {
			husk_error_errno(err, "hide `%s`", e->mount_point);
			husk_mountinfo_clear(&mi);
			return -1;
		}
	}
	husk_mountinfo_clear(&mi);
	if (fchdir(rootfd) < 0)
		return husk_error_errno(err, "chdir to the rootfs");
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return husk_error_errno(err, "move `%s` to `/`", rootfs);
	if (chroot(".") < 0)
		return husk_error_errno(err, "chroot");
	if (chdir("/") < 0)
		return husk_error_errno(err, "chdir `/`");
	return 0;
}

/* Whether `fd` is the directory "/" is (create refuses such a root already). */
static bool is_host_root(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* "/" rslave (or per rootfsPropagation), then the rootfs bound onto itself; returns its fd */
static int bind_rootfs(const struct husk_plan *p, const char *rootfs, struct husk_error *err)
{
	unsigned long prop = p->root_propagation ? p->root_propagation : MS_SLAVE | MS_REC;
	int rootfd;

	/*
	 * An unbindable "/" could not have the rootfs bound onto itself: be a
	 * slave until the pivot, finalize makes the new root unbindable.
	 */
	if (prop & MS_UNBINDABLE)
		prop = MS_SLAVE | (prop & MS_REC);
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return husk_error_errno(err, "set propagation of `/` to `%s`",
					husk_plan_prop_name(prop));
	if (!(prop & MS_REC) || !(prop & (MS_SLAVE | MS_PRIVATE))) {
		if (parent_mount_private(rootfs, err) < 0)
			return -1;
	}
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_errno(err, "bind rootfs `%s` onto itself", rootfs);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return husk_error_errno(err, "open rootfs `%s`", rootfs);
	if (is_host_root(rootfd)) {
		close(rootfd);
		return husk_error_set(err, EINVAL, "rootfs `%s` is the host's `/`", rootfs);
	}
	return rootfd;
}

/*
 * runc's prepareRootfs: a missing process.cwd is made once inside the new
 * root (after pivot_root or chroot), before finalize remounts the root
 * read-only, so that root.readonly with a new cwd works.  Resolved from "/"
 * by rootfs/resolve.c: no symlink, ".." or magic link leaves the root.
 * Only the init's (exec never makes one, as runc); the child still checks
 * the cwd it enters (husk_verify_cwd, CVE-2024-21626).
 */
static int make_cwd(const struct husk_spec *spec, unsigned *probe, struct husk_error *err)
{
	cleanup_close int root = -1, fd = -1;
	struct stat st;

	if (!spec->has_process || spec->process.cwd == NULL || spec->process.cwd[0] == '\0')
		return 0;
	/*
	 * Only what is missing is made.  Whatever is there (a magic link such
	 * as /proc/self/fd/N included) is the child's to chdir into and check,
	 * with runc's messages.
	 */
	if (stat(spec->process.cwd, &st) == 0 || errno != ENOENT)
		return 0;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return husk_error_errno(err, "open `/`");
	fd = husk_resolve(root, spec->process.cwd, HUSK_RESOLVE_MKDIR, NULL, probe);
	if (fd < 0)
		return husk_error_errno(err, "create cwd `%s` set in config.json",
					spec->process.cwd);
	return 0;
}

static int rootfs_setup_plan(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			     const struct husk_plan *p, struct husk_error *err)
{
	cleanup_close int rootfd = -1;
	struct rootfs_ctx c = {.spec = spec, .o = o, .plan = p};

	if (!p->ns.mount_ns) {
		if (o->before_pivot && o->before_pivot(o->before_pivot_data, err) < 0)
			return -1;
		if (chroot_only(o->rootfs, err) < 0)
			return -1;
		return make_cwd(spec, &c.resolve, err);
	}
	rootfd = bind_rootfs(p, o->rootfs, err);
	if (rootfd < 0)
		return -1;
	c.rootfd = rootfd;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (husk_mount_one(&c, i, err) < 0)
			return -1;
	if (husk_dev_needs_setup(spec) && husk_dev_setup(&c, err) < 0)
		return -1;
	if (o->before_pivot && o->before_pivot(o->before_pivot_data, err) < 0)
		return -1;

	if ((o->no_pivot ? move_root(o->rootfs, rootfd, err) : pivot_root_to(rootfd, err)) < 0)
		return -1;
	return make_cwd(spec, &c.resolve, err);
}

int husk_rootfs_setup(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
		      struct husk_error *err)
{
	struct husk_plan *own = NULL;
	const struct husk_plan *p;
	int r;

	if (o->rootfs == NULL || o->rootfs[0] != '/')
		return husk_error_set(err, EINVAL, "rootfs `%s` is not an absolute path",
				      o->rootfs ? o->rootfs : "");
	p = husk_rootfs_plan(spec, o, &own, err);
	if (p == NULL)
		return -1;
	r = rootfs_setup_plan(spec, o, p, err);
	husk_plan_free(own);
	return r;
}

/*
 * The container's /dev/null, which masks files: after pivot_root /dev may be
 * the image's, and a /dev/null there may be a symlink to any file (a procfs
 * one: CVE-2025-31133), so it is opened following no symlink and must be
 * the null device itself.  Like runc 1.2.8, anything else is refused.
 */
static int open_null(struct husk_error *err)
{
	cleanup_close int fd = husk_open_nofollow("/dev/null", O_PATH);
	struct stat st;

	if (fd < 0)
		return husk_error_errno(err, "open `/dev/null` to mask with");
	if (fstat(fd, &st) < 0)
		return husk_error_errno(err, "stat `/dev/null`");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return husk_error_set(err, EPERM,
				      "`/dev/null` is not the null device (char 1:3): refusing to "
				      "mask with it");
	return steal_fd(&fd);
}

/*
 * runc's maskPath: /dev/null over files, an empty read-only tmpfs (with the
 * mount label) over directories.  The label is dropped on EINVAL: after the
 * pivot selinuxfs is usually out of sight, so SELinux can't be asked.  The
 * null device is bound from the checked fd (*nullfd, opened on first use).
 */
static int mask_path(const char *path, const char *label, int *nullfd, struct husk_error *err)
{
	cleanup_free char *data = NULL;
	cleanup_close int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_error_errno(err, "mask `%s`", path);
	if (!S_ISDIR(st.st_mode)) {
		if (*nullfd < 0 && (*nullfd = open_null(err)) < 0)
			return husk_error_wrap(err, "mask `%s`", path);
		if (husk_bind_fd(*nullfd, "/dev/null", fd, path) < 0)
			return husk_error_errno(err, "mask `%s`", path);
		return 0;
	}
	data = husk_lsm_format_mount_data(NULL, label);
	if (mount("tmpfs", path, "tmpfs", MS_RDONLY, data) == 0 ||
	    (data && errno == EINVAL && mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) == 0))
		return 0;
	return husk_error_errno(err, "mask `%s`", path);
}

/* runc's readonlyPath: bind onto itself, remount read-only keeping its other flags. */
static int readonly_path(const char *path, struct husk_error *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_error_errno(err, "make `%s` read-only: bind", path);
	}
	if (husk_remount(path, MS_RDONLY, true) < 0)
		return husk_error_errno(err, "make `%s` read-only: remount", path);
	return 0;
}

/* After pivot: /dev read-only (runc fills it first), readonly and masked paths, "/". */
static int finalize_plan(const struct husk_spec *spec, const struct husk_plan *p,
			 struct husk_error *err)
{
	cleanup_close int nullfd = -1;
	const char *label = spec->has_linux && spec->linux_.mount_label && *spec->linux_.mount_label
				? spec->linux_.mount_label
				: NULL;

	if (p->dev_readonly && husk_remount("/dev", MS_RDONLY, true) < 0)
		return husk_error_errno(err, "remount `/dev` read-only");
	if (spec->has_linux) {
		for (char **m = spec->linux_.readonly_paths; m && *m; m++)
			if (readonly_path(*m, err) < 0)
				return husk_error_wrap(err, "linux.readonlyPaths[%zu]",
						       (size_t)(m - spec->linux_.readonly_paths));
		for (char **m = spec->linux_.masked_paths; m && *m; m++)
			if (mask_path(*m, label, &nullfd, err) < 0)
				return husk_error_wrap(err, "linux.maskedPaths[%zu]",
						       (size_t)(m - spec->linux_.masked_paths));
	}
	if (spec->root_readonly && husk_remount("/", MS_RDONLY, true) < 0)
		return husk_error_errno(err, "remount `/` read-only");
	/* after pivot, so it applies to the container's "/" (runc) */
	if (p->root_propagation && mount(NULL, "/", NULL, p->root_propagation, NULL) < 0)
		return husk_error_errno(err, "set propagation of `/` to `%s`",
					spec->linux_.rootfs_propagation);
	return 0;
}

int husk_rootfs_finalize(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			 struct husk_error *err)
{
	struct husk_plan *own = NULL;
	const struct husk_plan *p = husk_rootfs_plan(spec, o, &own, err);
	int r;

	if (p == NULL)
		return -1;
	r = p->ns.mount_ns ? finalize_plan(spec, p, err) : 0;
	husk_plan_free(own);
	return r;
}
