/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev inside the rootfs: runc's default devices, linux.devices, the /dev
 * symlinks and /dev/ptmx -> pts/ptmx.  Device nodes are made with mknod; in a
 * user namespace (or where mknod says EPERM) the host's device is bound onto
 * an empty file instead, like runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs/mounts.h"

struct devnode {
	const char *path;
	mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
	mode_t mode;
	dev_t dev;
	uid_t uid;
	gid_t gid;
};

/* runc's default devices (specconv.AllowedDevices with a path) */
static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

bool husk_dev_needs_setup(const struct husk_spec *spec)
{
	bool bind;

	/* runc: unless /dev is bound from somewhere, it is ours to fill */
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (husk_mount_is_dev(&spec->mounts[i], &bind) && bind)
			return false;
	return true;
}

/*
 * The parent directory of a (clean, absolute) device path, created if
 * missing; /dev itself is `devfd` (then *owned is false, nothing to close).
 */
static int open_parent(struct rootfs_ctx *c, int devfd, const char *path, const char **base,
		       bool *owned)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	*base = slash + 1;
	*owned = !(n == 4 && strncmp(path, "/dev", 4) == 0);
	if (!*owned)
		return devfd;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return husk_resolve(c->rootfd, n ? dir : "/", HUSK_RESOLVE_MKDIR, NULL, &c->resolve);
}

/*
 * The host's device bound onto an empty file; what the image has there is
 * opened as a path only (a FIFO would block an open for reading), never
 * through a symlink, and must be a file or a device.
 */
static int bind_device(int dirfd, const char *name, const struct devnode *d)
{
	cleanup_close int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	struct fd_path fp;
	struct stat st;

	if (fd < 0 && errno != EEXIST)
		return -1;
	close(steal_fd(&fd));
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = S_ISLNK(st.st_mode) ? ELOOP : EEXIST;
		return -1;
	}
	return mount(d->path, fd_path(&fp, fd), NULL, MS_BIND, NULL);
}

static int create_device(struct rootfs_ctx *c, int devfd, const struct devnode *d,
			 struct husk_error *err)
{
	char path[PATH_MAX];
	cleanup_close int owned_fd = -1;
	const char *base;
	bool owned;
	int dirfd;

	if (husk_clean_path(d->path, path, sizeof(path)) < 0 || strcmp(path, "/") == 0)
		return husk_error_set(err, EINVAL, "device path `%s` is not a file", d->path);
	dirfd = open_parent(c, devfd, path, &base, &owned);
	if (owned)
		owned_fd = dirfd;
	if (dirfd < 0)
		return husk_error_errno(err, "create device `%s`: open parent directory", d->path);
	/* FIFOs need no privilege: made even in a user namespace */
	if (c->o->userns && d->type != S_IFIFO) {
		if (bind_device(dirfd, base, d) < 0)
			return husk_error_errno(err, "bind device `%s`", d->path);
		return 0;
	}
	if (mknodat(dirfd, base, d->type | d->mode, d->dev) < 0) {
		if (errno == EEXIST)
			return 0; /* runc keeps what is there */
		if (errno != EPERM || d->type == S_IFIFO)
			return husk_error_errno(err, "mknod `%s`", d->path);
		if (bind_device(dirfd, base, d) < 0)
			return husk_error_errno(err, "bind device `%s`", d->path);
		return 0;
	}
	if ((d->uid || d->gid) && fchownat(dirfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_errno(err, "chown `%s` to %u:%u", d->path, (unsigned)d->uid,
					(unsigned)d->gid);
	return 0;
}

static bool listed(const struct husk_linux *l, const char *path)
{
	char clean[PATH_MAX];

	for (size_t i = 0; i < l->n_devices; i++)
		if (l->devices[i].path &&
		    husk_clean_path(l->devices[i].path, clean, sizeof(clean)) == 0 &&
		    strcmp(clean, path) == 0)
			return true;
	return false;
}

static int spec_device(const struct husk_device *sd, struct devnode *d, struct husk_error *err)
{
	const char *t = sd->type ? sd->type : "";

	*d = (struct devnode){
	    .path = sd->path,
	    /* runc: 0666 and root-owned unless given; type bits come from `type` */
	    .mode = sd->has_file_mode ? (sd->file_mode & 07777) : 0666,
	    .uid = sd->has_uid ? sd->uid : 0,
	    .gid = sd->has_gid ? sd->gid : 0,
	    .dev = makedev((unsigned)sd->major, (unsigned)sd->minor),
	};
	if (strcmp(t, "c") == 0 || strcmp(t, "u") == 0)
		d->type = S_IFCHR;
	else if (strcmp(t, "b") == 0)
		d->type = S_IFBLK;
	else if (strcmp(t, "p") == 0)
		d->type = S_IFIFO, d->dev = 0;
	else
		return husk_error_set(err, EINVAL, "unknown device type `%s`", t);
	if (sd->path == NULL)
		return husk_error_set(err, EINVAL, "device without a path");
	return 0;
}

static int dev_links(int devfd, struct husk_error *err)
{
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"/proc/kcore", "core"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		/* runc: /dev/core only where the kernel has /proc/kcore */
		if (strcmp(links[i][1], "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return husk_error_errno(err, "symlink `/dev/%s`", links[i][1]);
	}
	/* runc: /dev/ptmx always points into the container's devpts */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return husk_error_errno(err, "remove `/dev/ptmx`");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return husk_error_errno(err, "symlink `/dev/ptmx`");
	return 0;
}

int husk_dev_setup(struct rootfs_ctx *c, struct husk_error *err)
{
	static const struct husk_linux none;
	const struct husk_linux *l = c->spec->has_linux ? &c->spec->linux_ : &none;
	cleanup_close int devfd = -1;
	struct statfs sf;
	mode_t old_umask;
	int r = 0;

	devfd = husk_resolve(c->rootfd, "/dev", HUSK_RESOLVE_MKDIR, NULL, &c->resolve);
	if (devfd < 0)
		return husk_error_errno(err, "open `/dev` in the rootfs");
	/* an image /dev linked into the container's procfs or sysfs gets no nodes */
	if (fstatfs(devfd, &sf) < 0)
		return husk_error_errno(err, "statfs `/dev` in the rootfs");
	if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)
		return husk_error_set(err, EPERM, "`/dev` in the rootfs is on procfs or sysfs");

	/* modes exactly as given (runc chmods after mknod instead) */
	old_umask = umask(0);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(default_devices); i++) {
		struct devnode d = {
		    .path = default_devices[i].path,
		    .type = S_IFCHR,
		    .mode = 0666,
		    .dev = makedev(default_devices[i].major, default_devices[i].minor),
		};
		if (!listed(l, d.path))
			r = create_device(c, devfd, &d, err);
	}
	for (size_t i = 0; r == 0 && i < l->n_devices; i++) {
		struct devnode d;
		r = spec_device(&l->devices[i], &d, err);
		if (r == 0)
			r = create_device(c, devfd, &d, err);
		if (r < 0)
			husk_error_wrap(err, "linux.devices[%zu]", i);
	}
	umask(old_umask);
	if (r < 0)
		return -1;
	return dev_links(devfd, err);
}
