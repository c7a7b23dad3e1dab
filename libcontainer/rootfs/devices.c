/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev inside the rootfs: runc's default devices, linux.devices, the /dev
 * symlinks and /dev/ptmx -> pts/ptmx.  Device nodes are made with mknod.  In
 * a user namespace mknod is impossible: linux.devices are made by the
 * runtime in a detached tmpfs of its own (husk_dev_prepare) and bound into
 * place from there, so that a device the host lacks works too; the default
 * devices (and everything where fsmount is missing, or mknod says EPERM) are
 * the host's nodes bound onto an empty file, like runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
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
static int bind_device(int dirfd, const char *name, const struct devnode *d, int nodefd)
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
	if (nodefd >= 0) {
		struct fd_path np;

		return husk_bind_fd(nodefd, fd_path(&np, nodefd), fd, fd_path(&fp, fd));
	}
	return mount(d->path, fd_path(&fp, fd), NULL, MS_BIND, NULL);
}

/* nodefd: the node the runtime made (-1: none; in a user namespace the host's is bound) */
static int create_device(struct rootfs_ctx *c, int devfd, const struct devnode *d, int nodefd,
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
	if ((c->o->userns || nodefd >= 0) && d->type != S_IFIFO) {
		if (bind_device(dirfd, base, d, nodefd) < 0)
			return husk_error_errno(err, "bind device `%s`", d->path);
		return 0;
	}
	if (mknodat(dirfd, base, d->type | d->mode, d->dev) < 0) {
		if (errno == EEXIST)
			return 0; /* runc keeps what is there */
		if (errno != EPERM || d->type == S_IFIFO)
			return husk_error_errno(err, "mknod `%s`", d->path);
		if (bind_device(dirfd, base, d, -1) < 0)
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

/*
 * The runtime's tmpfs of nodes (prep->dev_mnt), attached on a scratch
 * directory of the container's /dev so that its nodes can be bound (a bind
 * from a detached mount of another namespace is refused); *made: the scratch
 * mount's root, or -1 when there is none.
 */
#define MADE_DIR ".husk-devices"
static int attach_made(struct rootfs_ctx *c, int devfd, int *made, struct husk_error *err)
{
	const struct husk_rootfs_prep *prep = c->o->prep;
	cleanup_close int below = -1;

	if (!prep || prep->dev_mnt < 0)
		return 0;
	if (mkdirat(devfd, MADE_DIR, 0700) < 0)
		return husk_error_errno(err, "create `/dev/%s`", MADE_DIR);
	below = openat(devfd, MADE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (below < 0 || move_mount(prep->dev_mnt, "", below, "",
				    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_error_errno(err, "attach the runtime's device nodes on `/dev/%s`",
					MADE_DIR);
	*made = openat(devfd, MADE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*made < 0)
		return husk_error_errno(err, "open `/dev/%s`", MADE_DIR);
	return 0;
}

/* The node made for linux.devices[i] (O_PATH), -1 with errno; -1 with errno 0: none made. */
static int made_node(const struct rootfs_ctx *c, int made, size_t i)
{
	const struct husk_rootfs_prep *prep = c->o->prep;
	char name[32];

	errno = 0;
	if (made < 0 || i >= prep->n_dev || !prep->dev_made[i])
		return -1;
	snprintf(name, sizeof(name), "%zu", i);
	return openat(made, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static void detach_made(int devfd, int made)
{
	struct fd_path fp;

	umount2(fd_path(&fp, made), MNT_DETACH);
	unlinkat(devfd, MADE_DIR, AT_REMOVEDIR);
}

int husk_dev_setup(struct rootfs_ctx *c, struct husk_error *err)
{
	static const struct husk_linux none;
	const struct husk_linux *l = c->spec->has_linux ? &c->spec->linux_ : &none;
	cleanup_close int devfd = -1;
	cleanup_close int made = -1;
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
			r = create_device(c, devfd, &d, -1, err);
	}
	if (r == 0)
		r = attach_made(c, devfd, &made, err);
	for (size_t i = 0; r == 0 && i < l->n_devices; i++) {
		struct devnode d;
		cleanup_close int node = -1;

		r = spec_device(&l->devices[i], &d, err);
		if (r == 0 && (node = made_node(c, made, i)) < 0 && errno != 0)
			r = husk_error_errno(err, "open the node made for `%s`", d.path);
		if (r == 0)
			r = create_device(c, devfd, &d, node, err);
		if (r < 0)
			husk_error_wrap(err, "linux.devices[%zu]", i);
	}
	umask(old_umask);
	if (made >= 0)
		detach_made(devfd, made);
	if (r < 0)
		return -1;
	return dev_links(devfd, err);
}

/* The host id that container id `id` is under the mapping; false when it is not mapped. */
static bool map_to_host(const struct husk_id_mapping *m, size_t n, uint32_t id, uint32_t *host)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size) {
			*host = m[i].host_id + (id - m[i].container_id);
			return true;
		}
	return false;
}

/* linux.devices[i] as file "<i>" of the tmpfs `mnt`, owned by its mapped uid/gid. */
static int prepare_one(const struct husk_linux *l, size_t i, int mnt, struct husk_error *err)
{
	struct devnode d;
	uint32_t uid, gid;
	char name[32];

	if (spec_device(&l->devices[i], &d, err) < 0) {
		/* reported by the init, where a bad entry fails today */
		husk_error_clear(err);
		return 0;
	}
	if (d.type == S_IFIFO)
		return 0;
	if (!map_to_host(l->uid_mappings, l->n_uid_mappings, d.uid, &uid))
		return husk_error_set(
		    err, EINVAL,
		    "config.json: linux.devices[%zu].uid: `%u` is not mapped in the "
		    "user namespace",
		    i, (unsigned)d.uid);
	if (!map_to_host(l->gid_mappings, l->n_gid_mappings, d.gid, &gid))
		return husk_error_set(
		    err, EINVAL,
		    "config.json: linux.devices[%zu].gid: `%u` is not mapped in the "
		    "user namespace",
		    i, (unsigned)d.gid);
	snprintf(name, sizeof(name), "%zu", i);
	if (mknodat(mnt, name, d.type | d.mode, d.dev) < 0)
		return husk_error_errno(err, "linux.devices[%zu]: mknod `%s`", i, d.path);
	if (fchownat(mnt, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_errno(err, "linux.devices[%zu]: chown `%s` to %u:%u", i, d.path,
					(unsigned)uid, (unsigned)gid);
	return 1;
}

/* A detached tmpfs (no nodev: the host's superblock, so its nodes can be opened), or -1. */
static int device_tmpfs(struct husk_error *err)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);

	if (fs < 0 && errno == ENOSYS)
		return -2; /* Linux < 5.2: the init binds the host's nodes */
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return husk_error_errno(err, "make a tmpfs for linux.devices");
	{
		int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);

		if (mnt < 0)
			return husk_error_errno(err, "make a tmpfs for linux.devices: fsmount");
		return mnt;
	}
}

int husk_dev_prepare(const struct husk_spec *spec, struct husk_rootfs_prep *prep,
		     struct husk_error *err)
{
	const struct husk_linux *l = &spec->linux_;
	cleanup_close int mnt = -1;
	mode_t old_umask;
	int r = 0;

	prep->n_dev = l->n_devices;
	prep->dev_made = xmalloc0(sizeof(bool) * (prep->n_dev ? prep->n_dev : 1));
	/* a joined user namespace (no mappings here): the host's nodes, as before */
	if (l->n_devices == 0 || !husk_dev_needs_setup(spec) || l->n_uid_mappings == 0 ||
	    l->n_gid_mappings == 0)
		return 0;
	mnt = device_tmpfs(err);
	if (mnt == -2)
		return 0;
	if (mnt < 0)
		return -1;
	/* modes exactly as given, as husk_dev_setup */
	old_umask = umask(0);
	for (size_t i = 0; r >= 0 && i < l->n_devices; i++) {
		r = prepare_one(l, i, mnt, err);
		if (r > 0)
			prep->dev_made[i] = true;
	}
	umask(old_umask);
	if (r < 0)
		return -1;
	prep->dev_mnt = steal_fd(&mnt);
	return 0;
}
