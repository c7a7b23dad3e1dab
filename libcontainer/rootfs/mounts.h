/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the container's filesystem setup, shared by rootfs.c,
 * mounts.c, mounts-cgroup.c, devices.c, resolve.c and terminal.c (not used
 * elsewhere).
 */
#ifndef HUSK_MOUNTS_H
#define HUSK_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "rootfs/rootfs.h"
#include "utils.h"

/* flags older libc headers lack; every atime mode */
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

#define MS_ATIME_MASK (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

/* One rootfs setup: what was probed about the kernel lives here, not in globals. */
struct rootfs_ctx {
	const struct husk_spec *spec;
	const struct husk_rootfs_opts *o;
	int rootfd;		      /* O_PATH fd of the rootfs (after it was bound onto itself) */
	unsigned resolve;	      /* HUSK_RESOLVE_NO_OPENAT2 once openat2 said ENOSYS */
	bool proc_check;	      /* a mount may have brought procfs into the rootfs */
	const struct husk_plan *plan; /* mounts parsed, label decided */
};

/* ---- resolve.c: paths inside the rootfs ---- */

enum {
	HUSK_RESOLVE_MKDIR = 1 << 0,	  /* create what is missing as directories (0755) */
	HUSK_RESOLVE_MKFILE = 1 << 1,	  /* ... but the last component as an empty file */
	HUSK_RESOLVE_NO_OPENAT2 = 1 << 2, /* use the component walk (openat2 missing) */
};

/*
 * Open `path` (absolute or relative: both start at the rootfs) inside the
 * tree of `rootfd` as if rootfd were "/": symlinks (absolute or relative) and
 * ".." never leave it.  With HUSK_RESOLVE_MKDIR/MKFILE missing components
 * are created; with HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE the kind of the
 * last one follows `like` (a host path: a file when it is not a directory).
 * Returns an O_PATH fd (or, for a created file, a read-only fd), or -1 with
 * errno set.  Uses openat2(RESOLVE_IN_ROOT); on ENOSYS it sets
 * HUSK_RESOLVE_NO_OPENAT2 in *probe (if not NULL) and walks.
 */
int husk_resolve(int rootfd, const char *path, unsigned flags, const char *like, unsigned *probe);
/* The walk alone (the fallback), exposed for tests. */
int husk_resolve_walk(int rootfd, const char *path, unsigned flags, const char *like);

/* "/proc/self/fd/N" for an fd, for mount(2) on a resolved path. */
struct fd_path {
	char s[32];
};
const char *fd_path(struct fd_path *b, int fd);

/* ---- mounts.c: one spec mount; flags ---- */

/*
 * Open the absolute `path` from "/" following no symlink in any component
 * (openat2 RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk where it is missing);
 * -1 with errno (ELOOP: a symlink on the way).  For paths inside the
 * container's /dev after pivot_root, which the image may have made links.
 */
int husk_open_nofollow(const char *path, int flags);
/*
 * Bind-mount the file `srcfd` names onto the file `dstfd` names, fd to fd
 * (open_tree + move_mount).  Before Linux 5.2 (ENOSYS) by the names
 * `src_name` and `dst_name`, checking afterwards that the mount at dst_name
 * is srcfd's file (else unmounted, EXDEV).  -1 with errno.
 */
int husk_bind_fd(int srcfd, const char *src_name, int dstfd, const char *dst_name);

/* Do spec->mounts[idx] (planned as c->plan->mounts[idx]) inside the rootfs. */
int husk_mount_one(struct rootfs_ctx *c, size_t idx, struct husk_error *err);

/*
 * Remount the mount at `path` (a path or "/proc/self/fd/N") with `flags`
 * (MS_BIND | MS_REMOUNT added).  When the kernel says EPERM (flags locked by
 * a user namespace), retry keeping the mount's current flags from statfs
 * (like runc).  With `keep` they are kept from the start.  -1 with errno.
 */
int husk_remount(const char *path, unsigned long flags, bool keep);
/* The MS_* flags of the mount holding `path` (statfs flags mapped back). */
int husk_mount_flags(const char *path, unsigned long *flags);
/* mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE); -1 with errno. */
int husk_mount_setattr(int fd, uint64_t set, uint64_t clr, uint64_t propagation, int userns_fd);

/* Whether spec->mounts[idx] is a bind mount of /dev (then /dev is not ours to fill). */
bool husk_mount_is_dev(const struct husk_mount *m, bool *bind);

/* ---- idmap.c ---- */

/* A detached clone of `src`, idmapped with spec->mounts[idx]'s mappings (or the container's). */
int husk_idmapped_tree(const struct husk_spec *spec, size_t idx, const struct husk_plan_mount *mo,
		       const char *src, struct husk_error *err);
/*
 * The same, in the runtime for an init in a user namespace: the clone is of
 * the mount `src` (an fd, resolved in the init's root) is on in the mount
 * namespace `mntns` (the init's), made there by a short-lived child.
 */
int husk_idmapped_tree_in(const struct husk_spec *spec, size_t idx,
			  const struct husk_plan_mount *mo, int mntns, int src,
			  struct husk_error *err);

/* Bind `src` onto the resolved `dst` as an idmapped mount (spec->mounts[idx]). */
int husk_mount_idmapped(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
			const char *src, int dst, struct husk_error *err);

/* ---- copyup.c ---- */

/* Copy the content of directory `src` into `dst` (tmpcopyup); -1 with errno. */
int husk_copy_tree(int src, int dst, int depth);

/* ---- mounts-cgroup.c ---- */

/* A mount of type "cgroup" (spec->mounts[idx]); `mo` holds its parsed options. */
int husk_mount_cgroup(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
		      struct husk_error *err);

/* ---- devices.c ---- */

/* Whether /dev gets default devices (runc: unless /dev is a bind mount). */
bool husk_dev_needs_setup(const struct husk_spec *spec);
/* Default devices, linux.devices, /dev symlinks and /dev/ptmx, inside the rootfs. */
int husk_dev_setup(struct rootfs_ctx *c, struct husk_error *err);
/*
 * In the runtime, for a user namespace: linux.devices made as nodes in a
 * detached tmpfs of the host's (prep->dev_mnt, file "<i>" for devices[i]),
 * owned by the entry's uid/gid mapped to the host.  Nothing made (dev_mnt
 * -1) without fsopen (Linux < 5.2) or mappings: the init binds the host's.
 */
int husk_dev_prepare(const struct husk_spec *spec, struct husk_rootfs_prep *prep,
		     struct husk_error *err);

#endif
