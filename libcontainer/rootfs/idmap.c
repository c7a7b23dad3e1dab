/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Idmapped bind mounts (idmap / ridmap, mounts[].uidMappings/gidMappings):
 * a throwaway user namespace carries the mapping, the source tree is cloned
 * with open_tree(), idmapped with mount_setattr(MOUNT_ATTR_IDMAP) and moved
 * onto the destination.  Like runc, mappings without the option still make
 * an idmapped mount, and the option without mappings takes the container's.
 * In a user namespace the runtime makes the tree (the init can't idmap a
 * host filesystem), cloned from the container's own mount namespace so that
 * it keeps the flags the user namespace locked there (runc 1.2 clones its
 * mount sources in the container's namespace for the same reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/mounts.h"

static char *map_text(const struct husk_id_mapping *v, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u %u %u\n", v[i].container_id, v[i].host_id, v[i].size);
	if (fclose(f) != 0)
		abort();
	return s;
}

static int write_map(pid_t pid, const char *file, const struct husk_id_mapping *v, size_t n,
		     struct husk_error *err)
{
	cleanup_free char *text = map_text(v, n);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_file_at(AT_FDCWD, path, text, strlen(text), err);
}

/* A user namespace with these mappings, as an fd (its only process is gone). */
static int userns_fd(const struct husk_id_mapping *u, size_t nu, const struct husk_id_mapping *g,
		     size_t ng, struct husk_error *err)
{
	int ready[2], done[2], status, fd = -1;
	char c = 0, path[64];
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return husk_error_errno(err, "pipe");
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		c = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
		if (write(ready[1], &c, 1) != 1 || !c)
			_exit(1);
		/* hold the namespace until the parent has its fd */
		(void)!read(done[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid < 0) {
		husk_error_errno(err, "fork");
	} else if (read(ready[0], &c, 1) != 1 || !c) {
		husk_error_set(err, EPERM, "create a user namespace for the mapping");
	} else if (write_map(pid, "uid_map", u, nu, err) == 0 &&
		   write_map(pid, "gid_map", g, ng, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			husk_error_errno(err, "open `%s`", path);
	}
	close(ready[0]);
	close(done[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return fd;
}

/* Idmap the detached tree `tree` (closed on error) with mounts[idx]'s mappings or the container's.
 */
static int idmap_tree(const struct husk_spec *spec, size_t idx, const struct husk_plan_mount *mo,
		      const char *src, int tree, struct husk_error *err)
{
	const struct husk_mount *m = &spec->mounts[idx];
	const struct husk_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
	size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
	cleanup_close int own = tree;
	cleanup_close int ns = -1;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	if (nu == 0 && ng == 0 && spec->has_linux) {
		u = spec->linux_.uid_mappings, nu = spec->linux_.n_uid_mappings;
		g = spec->linux_.gid_mappings, ng = spec->linux_.n_gid_mappings;
	}
	/* the plan refused a mount without both (husk_plan_mounts) */
	if (nu == 0 || ng == 0)
		return husk_error_set(err, EINVAL,
				      "mount `%s` on `%s` (mounts[%zu]): an idmapped mount needs "
				      "uidMappings and gidMappings",
				      src, m->destination, idx);
	ns = userns_fd(u, nu, g, ng, err);
	if (ns < 0)
		return husk_error_wrap(err, "mount `%s` on `%s` (mounts[%zu])", src, m->destination,
				       idx);
	attr.userns_fd = (uint64_t)ns;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (mo->idmap_recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0) {
		/* EINVAL here: the source's filesystem cannot be idmapped (tmpfs before 6.3) */
		if (errno == EINVAL)
			return husk_error_set(
			    err, EINVAL,
			    "mount `%s` on `%s` (mounts[%zu]): filesystem of `%s` "
			    "does not support idmapped mounts (Linux >= 6.3 for tmpfs)",
			    src, m->destination, idx, src);
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): idmap", src,
					m->destination, idx);
	}
	return steal_fd(&own);
}

int husk_idmapped_tree(const struct husk_spec *spec, size_t idx, const struct husk_plan_mount *mo,
		       const char *src, struct husk_error *err)
{
	int tree = open_tree(AT_FDCWD, src,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				 ((mo->flags & MS_REC) ? AT_RECURSIVE : 0));

	if (tree < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): open_tree", src,
					spec->mounts[idx].destination, idx);
	return idmap_tree(spec, idx, mo, src, tree, err);
}

/* What the cloning child reports: the tree's fd (in the fd table it shares), or the failed step. */
struct clone_report {
	int fd;
	int errnum;
	int step; /* 1: setns, 2: open_tree */
};

/*
 * A short-lived child sharing our fd table (CLONE_FILES) but not our
 * fs_struct (setns(CLONE_NEWNS) refuses a shared one) enters `mntns` and
 * clones the mount `src` is on: open_tree refuses a mount outside the
 * caller's mount namespace.  The clone keeps the MNT_LOCK_* flags of the
 * mount there.  -1 with errno and *step set on failure.
 */
static int clone_in_mntns(int mntns, int src, unsigned rec, int *step)
{
	struct clone_report rep = {.fd = -1, .errnum = EPROTO, .step = 1};
	cleanup_close int rd = -1, wr = -1;
	int p[2], status;
	pid_t pid;

	*step = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	rd = p[0], wr = p[1];
	/* like fork(), with the fd table shared (the argument order of spawn.c's husk_clone) */
	pid = (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_FILES | SIGCHLD), 0, 0, 0, 0);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* nothing of the runtime's closed here: the fd table is shared */
		if (setns(mntns, CLONE_NEWNS) == 0) {
			rep.step = 2;
			rep.fd = open_tree(
			    src, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
		}
		rep.errnum = rep.fd < 0 ? errno : 0;
		if (write(wr, &rep, sizeof rep) == (ssize_t)sizeof rep)
			_exit(0);
		if (rep.fd >= 0) /* unreported: not left in the runtime's table */
			close(rep.fd);
		_exit(1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(steal_fd(&wr));
	if (read(rd, &rep, sizeof rep) != (ssize_t)sizeof rep)
		rep = (struct clone_report){.fd = -1, .errnum = EPROTO, .step = 1};
	*step = rep.step;
	errno = rep.errnum;
	return rep.fd;
}

int husk_idmapped_tree_in(const struct husk_spec *spec, size_t idx,
			  const struct husk_plan_mount *mo, int mntns, int src,
			  struct husk_error *err)
{
	const struct husk_mount *m = &spec->mounts[idx];
	static const char *const what[] = {"clone a helper for the container's mount namespace",
					   "enter the container's mount namespace",
					   "open_tree in the container's mount namespace"};
	int step = 0;
	int tree = clone_in_mntns(mntns, src, (mo->flags & MS_REC) ? AT_RECURSIVE : 0, &step);

	/* no fallback to a clone of the host's mount: it would carry no locked flags */
	if (tree < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): %s", mo->source,
					m->destination, idx, what[step]);
	return idmap_tree(spec, idx, mo, mo->source, tree, err);
}

int husk_mount_idmapped(struct rootfs_ctx *c, size_t idx, const struct husk_plan_mount *mo,
			const char *src, int dst, struct husk_error *err)
{
	const struct husk_mount *m = &c->spec->mounts[idx];
	const struct husk_rootfs_prep *prep = c->o->prep;
	cleanup_close int own = -1;
	int tree;

	if (prep && idx < prep->n && prep->src_fds[idx] >= 0) {
		tree = prep->src_fds[idx];
	} else if (c->o->userns) {
		/* the source's superblock belongs to the host: only the runtime can */
		return husk_error_set(
		    err, ENOTSUP,
		    "mount `%s` on `%s` (mounts[%zu]): an idmapped mount in a user "
		    "namespace must be prepared by the runtime",
		    src, m->destination, idx);
	} else {
		tree = own = husk_idmapped_tree(c->spec, idx, mo, src, err);
		if (tree < 0)
			return -1;
	}
	if (move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_error_errno(err, "mount `%s` on `%s` (mounts[%zu]): move_mount", src,
					m->destination, idx);
	return 0;
}
