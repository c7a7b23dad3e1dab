/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rootfs/: the container's filesystem, the entry points the init calls
 * (rootfs.c; husk_rootfs_plan is plan/plan.c's).  The mechanisms behind
 * them are in rootfs/mounts.h.  All of these return 0 on success and -1 with
 * *err filled on failure.
 */
#ifndef HUSK_ROOTFS_ROOTFS_H
#define HUSK_ROOTFS_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "spec/spec.h"

struct husk_rootfs_prep;

struct husk_rootfs_opts {
	const char *rootfs; /* absolute path of the rootfs on the host */
	bool no_pivot;	    /* chroot instead of pivot_root */
	bool userns;	    /* in a new user namespace: bind devices instead of mknod */
	bool cgroupns;	    /* in a new cgroup namespace */
	const char *bundle; /* relative bind sources start here (NULL: the cwd) */
	/* called after the mounts and /dev, before pivot_root (createContainer hooks) */
	int (*before_pivot)(void *data, struct husk_error *err);
	void *before_pivot_data;
	/* what husk_rootfs_prepare() made in the runtime, or NULL */
	const struct husk_rootfs_prep *prep;
	/* the plan (mounts parsed); NULL: built here from the spec (unit tests) */
	const struct husk_plan *plan;
};

struct husk_plan;
/* o->plan, or (without one) the mounts part of a plan built from spec into *own. */
const struct husk_plan *husk_rootfs_plan(const struct husk_spec *spec,
					 const struct husk_rootfs_opts *o, struct husk_plan **own,
					 struct husk_error *err);

/*
 * What the init can't do once inside its user namespace, made by the runtime
 * (host root) before the clone; the init inherits the fds, keeps them out of
 * its fd sweep and closes them once the rootfs is set up.  Like runc and
 * crun, bind sources are opened on the host side, so that a source under a
 * directory the container's root can't traverse still works: by the runtime
 * once the init has its mount namespace (husk_rootfs_open_sources), passed
 * over the sync socket.
 */
struct husk_rootfs_prep {
	size_t n; /* spec->n_mounts */
	/*
	 * bind mounts: the source (O_PATH, in the init's mount ns), for an
	 * idmapped one the detached idmapped tree (cloned there), or -1
	 */
	int *src_fds;
	size_t n_dev;	/* spec->linux_.n_devices */
	bool *dev_made; /* linux.devices[i] made as file "<i>" of dev_mnt */
	int dev_mnt;	/* a detached tmpfs (fsmount) holding those nodes, or -1 */
};
/* Call in the runtime before cloning the init when the container has a user namespace. */
int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			struct husk_rootfs_prep *prep, struct husk_error *err);
/*
 * In the runtime, once the init has its mount namespace (initroot: an O_PATH
 * fd of /proc/<init>/root; initmnt: /proc/<init>/ns/mnt): open each bind
 * source in that namespace (for an idmapped bind, clone it there and idmap
 * the clone), and call send() with its mounts[] index and fd.
 */
typedef int (*husk_rootfs_source_fn)(void *data, size_t idx, int fd, struct husk_error *err);
int husk_rootfs_open_sources(const struct husk_spec *spec, const struct husk_plan *plan,
			     int initroot, int initmnt, husk_rootfs_source_fn send, void *data,
			     struct husk_error *err);
/* In the init: mounts[idx]'s source received (fd owned by prep from now on, even on error). */
int husk_rootfs_prep_set_source(struct husk_rootfs_prep *prep, size_t idx, int fd,
				struct husk_error *err);
/* Its fds, into out[] (when not NULL); returns how many there are. */
size_t husk_rootfs_prep_fds(const struct husk_rootfs_prep *prep, int *out);
/* Close the fds (both in the runtime after the clone, and in the init after setup). */
void husk_rootfs_prep_clear(struct husk_rootfs_prep *prep);

/*
 * In the child, inside its new mount namespace, before pivot: make "/"
 * rslave (or per rootfsPropagation), bind the rootfs, do spec->mounts in
 * order (resolved inside the rootfs), /dev (tmpfs, default devices, symlinks,
 * pts, shm, mqueue unless the spec mounts them), linux.devices, then
 * pivot_root (or chroot) and chdir("/").
 */
int husk_rootfs_setup(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
		      struct husk_error *err);
/* After pivot (and after the console is bound): masked and read-only paths, readonly root. */
int husk_rootfs_finalize(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			 struct husk_error *err);

#endif
