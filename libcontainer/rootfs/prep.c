/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the runtime makes for an init that enters a new user namespace
 * (struct husk_rootfs_prep): once the init is in it, it is root only over
 * what the mapping gives it, so it could not traverse a directory only host
 * root can, make an idmapped mount of a host filesystem, or mknod.  Done in
 * the runtime before the clone (the init inherits the fds), but for the bind
 * sources and idmapped trees, made once the init has its mount namespace and
 * passed over the sync socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "rootfs/mounts.h"

static int *fd_array(size_t n)
{
	int *v = xmalloc0(sizeof(int) * (n ? n : 1));

	for (size_t i = 0; i < n; i++)
		v[i] = -1;
	return v;
}

int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			struct husk_rootfs_prep *prep, struct husk_error *err)
{
	struct husk_plan *own = NULL;
	const struct husk_plan *plan = husk_rootfs_plan(spec, o, &own, err);
	int r = 0;

	if (plan == NULL)
		return -1;
	prep->n = spec->n_mounts;
	prep->src_fds = fd_array(prep->n);
	prep->dev_mnt = -1;
	if (plan->ns.mount_ns)
		r = husk_dev_prepare(spec, prep, err);
	husk_plan_free(own);
	if (r < 0)
		husk_rootfs_prep_clear(prep);
	return r;
}

/*
 * The bind sources: opened by the runtime with its credentials, but in
 * the init's mount namespace (runc 1.1's "mount fds"; runc 1.2 clones them
 * there), so that the bind is of the init's copy of the source's mount and
 * keeps the flags the user namespace locked on it (a clone of the host's
 * mount would let the container's root remount a read-only host mount
 * read-write).  The path is resolved in the init's root as the init would.
 * An idmapped bind's tree is cloned there too (husk_idmapped_tree_in), for
 * the same reason; it is refused, never cloned from the host's mount, where
 * that fails.
 */
int husk_rootfs_open_sources(const struct husk_spec *spec, const struct husk_plan *plan,
			     int initroot, int initmnt, husk_rootfs_source_fn send, void *data,
			     struct husk_error *err)
{
	unsigned probe = 0;

	for (size_t i = 0; plan->ns.mount_ns && i < spec->n_mounts; i++) {
		const struct husk_plan_mount *mo = &plan->mounts[i];
		cleanup_close int fd = -1;

		if (!mo->bind || (mo->flags & MS_REMOUNT))
			continue;
		fd = husk_resolve(initroot, mo->source, 0, NULL, &probe);
		if (fd >= 0 && mo->idmapped) {
			int tree = husk_idmapped_tree_in(spec, i, mo, initmnt, fd, err);

			close(steal_fd(&fd));
			if (tree < 0)
				return -1;
			fd = tree;
		}
		/*
		 * A magic link on the way (/proc/<pid>/ns/...: ELOOP, or ENOENT from the walk
		 * without openat2), or nothing there: the init binds by name as before, and
		 * reports a missing source itself
		 */
		if (fd < 0 && !mo->idmapped && (errno == ELOOP || errno == ENOENT))
			continue;
		/* the init's message for the same failure (mounts.c:do_mount) */
		if (fd < 0)
			return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu])", mo->source,
						spec->mounts[i].destination, i);
		if (send(data, i, fd, err) < 0)
			return -1;
	}
	return 0;
}

int husk_rootfs_prep_set_source(struct husk_rootfs_prep *prep, size_t idx, int fd,
				struct husk_error *err)
{
	if (idx >= prep->n || prep->src_fds[idx] >= 0) {
		close(fd);
		return husk_error_set(err, EPROTO, "sync: unexpected source for mounts[%zu]", idx);
	}
	prep->src_fds[idx] = fd;
	return 0;
}

size_t husk_rootfs_prep_fds(const struct husk_rootfs_prep *prep, int *out)
{
	size_t k = 0;

	for (size_t i = 0; i < prep->n; i++) {
		if (prep->src_fds && prep->src_fds[i] >= 0 && ++k && out)
			out[k - 1] = prep->src_fds[i];
	}
	if (prep->dev_mnt >= 0 && ++k && out)
		out[k - 1] = prep->dev_mnt;
	return k;
}

static void close_all(int *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (v[i] >= 0)
			close(v[i]);
	free(v);
}

void husk_rootfs_prep_clear(struct husk_rootfs_prep *prep)
{
	close_all(prep->src_fds, prep->n);
	if (prep->dev_mnt >= 0)
		close(prep->dev_mnt);
	free(prep->dev_made);
	*prep = (struct husk_rootfs_prep){.dev_mnt = -1};
}
