/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVE-2019-5736: the runtime binary must not be writable through a container.
 *
 * husk does not re-exec itself to start container processes: the init is a
 * forked child of `husk create`/`run`, the exec child one of `husk exec`, so
 * both run husk's own binary until they execve the user's program.  If that
 * program is a script whose interpreter is `/proc/self/exe`, the kernel
 * resolves the interpreter in the exec'ing process, which is still husk: the
 * container now runs the host's husk binary, dumpable again after the execve
 * (PR_SET_DUMPABLE(0) does not survive it), so a process of the container can
 * open /proc/<pid>/exe, keep it, and once no process runs the binary any more
 * (no ETXTBSY) reopen it for writing through /proc/self/fd/N and replace the
 * host's runtime.
 *
 * The fix is not to hide /proc/self/exe but to make what it points to
 * unwritable: the commands that start container processes (create, run,
 * exec) re-exec once, first thing, from a protected copy of their binary, and
 * everything they fork inherits it:
 *
 *  1. a detached read-only bind mount of the binary (open_tree(OPEN_TREE_CLONE)
 *     + mount_setattr(MOUNT_ATTR_RDONLY) + execveat(AT_EMPTY_PATH)), crun's
 *     way: no copy, the page cache is shared, the mount is in no namespace
 *     (nothing to clean up: it goes with the last process or fd using it) and
 *     a container can't make it writable without CAP_SYS_ADMIN over it;
 *  2. where that is impossible (no new mount API: ENOSYS; no CAP_SYS_ADMIN
 *     in our mount namespace's user namespace: EPERM; a kernel refusing the
 *     flags: EINVAL), a sealed memfd copy (runc's fallback; runc >= 1.2
 *     prefers a sealed overlayfs mount, which needs a mount too and buys
 *     nothing over (1) here): F_SEAL_SEAL|SHRINK|GROW|WRITE, so the copy can't
 *     be changed either, and the host binary is not reachable from it.
 *
 * PR_SET_MM_EXE_FILE would change the exe link without an exec, but it needs
 * CAP_SYS_RESOURCE (which this project's machine and rootless setups lack)
 * and newer kernels (replace_mm_exe_file) refuse it with EBUSY while the old
 * file is still mapped, as the running binary always is: not used.
 *
 * If neither works the command refuses to run: a container must not get a
 * way to the host's binary.  A binary already on a read-only mount (an
 * image-based host's /usr) or already our sealed memfd is protected as it
 * is: no re-exec.  That check is also what stops a loop: the candidate is
 * checked with it before the exec, so the re-exec'd process always passes.
 */
#include <errno.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "husk/husk.h"
#include "utils.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* linux 6.3: executable even with vm.memfd_noexec=1 */
#endif

#define SELF_EXE "/proc/self/exe"
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* A read-only mount (ST_RDONLY: the mount's or the superblock's flag): EROFS for any writer. */
static bool on_readonly_mount(int fd)
{
	struct statfs s;

	return fstatfs(fd, &s) == 0 && (s.f_flags & ST_RDONLY) != 0;
}

/* A memfd whose content can't change (our own copy, or one made the same way). */
static bool sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* 0: not protected; 1: protected; -1: error. */
static int exe_protected(int path_fd, struct husk_error *err)
{
	cleanup_close int fd = -1;
	struct statfs sf;

	/* one fstatfs: a read-only mount, or tmpfs (shmem), where our memfds live */
	if (fstatfs(path_fd, &sf) == 0) {
		if (sf.f_flags & ST_RDONLY)
			return 1;
		if (sf.f_type != TMPFS_MAGIC)
			return 0;
	}
	/* F_GET_SEALS needs a real open; a binary we may not read is no memfd of ours */
	fd = open(SELF_EXE, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != EACCES)
		return husk_error_errno(err, "open `%s`", SELF_EXE);
	return fd >= 0 && sealed(fd);
}

/*
 * A detached read-only bind mount of the binary, as an O_PATH fd; -1 with
 * *fallback set when the kernel or our privileges don't allow it.
 */
static int readonly_clone(int path_fd, bool *fallback, struct husk_error *err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	cleanup_close int tree = -1;

	tree = open_tree(path_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0) {
		*fallback = errno == ENOSYS || errno == EPERM || errno == EINVAL;
		return husk_error_errno(err, "open_tree");
	}
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		/* ENOSYS: linux 5.2 to 5.11 have open_tree but not mount_setattr */
		*fallback = errno == ENOSYS || errno == EPERM || errno == EINVAL;
		return husk_error_errno(err, "mount_setattr");
	}
	if (!on_readonly_mount(tree)) {
		*fallback = true;
		return husk_error_set(err, EROFS, "the read-only clone is not read-only");
	}
	return steal_fd(&tree);
}

/* A sealed memfd copy of the binary. */
static int sealed_copy(struct husk_error *err)
{
	cleanup_close int src = -1;
	cleanup_close int mfd = -1;
	struct stat st;
	off_t off = 0;

	src = open(SELF_EXE, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return husk_error_errno(err, "open `%s`", SELF_EXE);
	if (fstat(src, &st) < 0)
		return husk_error_errno(err, "stat `%s`", SELF_EXE);
	mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL) /* before linux 6.3: no MFD_EXEC, memfds are executable */
		mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return husk_error_errno(err, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_error_errno(err, "copy `%s` into a memfd", SELF_EXE);
		if (n == 0)
			return husk_error_set(err, EIO, "copy `%s` into a memfd: short read",
					      SELF_EXE);
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return husk_error_errno(err, "seal the memfd copy");
	if (!sealed(mfd))
		return husk_error_set(err, EPERM, "seal the memfd copy: seals not set");
	return steal_fd(&mfd);
}

int husk_selfexe_protect(char *const argv[], struct husk_error *err)
{
	struct husk_error ro_err = {0};
	cleanup_close int self = -1;
	cleanup_close int fd = -1;
	bool fallback = false;
	int r;

	self = open(SELF_EXE, O_PATH | O_CLOEXEC);
	if (self < 0)
		return husk_error_errno(err, "protect the runtime binary: open `%s`", SELF_EXE);
	r = exe_protected(self, err);
	if (r != 0)
		return r < 0 ? husk_error_wrap(err, "protect the runtime binary") : 0;

	fd = readonly_clone(self, &fallback, &ro_err);
	if (fd >= 0) {
		/* argv and environ as they are; fds without O_CLOEXEC and the pid survive */
		execveat(fd, "", argv, environ, AT_EMPTY_PATH);
		/* EACCES, EPERM: an LSM or noexec refuses this mount; a memfd may pass */
		fallback = errno == EACCES || errno == EPERM;
		husk_error_errno(&ro_err, "execveat");
		closep(&fd);
	}
	if (!fallback) {
		husk_error_set(err, ro_err.status,
			       "protect the runtime binary (CVE-2019-5736): re-exec from a "
			       "read-only mount: %s",
			       ro_err.msg);
		husk_error_clear(&ro_err);
		return -1;
	}

	fd = sealed_copy(err);
	if (fd >= 0) {
		execveat(fd, "", argv, environ, AT_EMPTY_PATH);
		husk_error_errno(err, "execveat");
	}
	husk_error_wrap(err,
			"protect the runtime binary (CVE-2019-5736): re-exec from a read-only "
			"mount: %s; from a sealed memfd copy",
			ro_err.msg);
	husk_error_clear(&ro_err);
	return -1;
}
