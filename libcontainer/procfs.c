/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes under /proc made from inside the container (sysctl, oom_score_adj,
 * LSM exec attrs) go through a procfs handle husk got itself, never through
 * the container's /proc by name: after pivot_root that /proc is whatever the
 * image and the spec made of it (missing, a symlink, a bind mount of a host
 * directory: CVE-2025-52881).  Like runc 1.2+ (its procfs handle):
 *
 *  - a private procfs instance: fsopen("proc") + fsmount(), a detached mount
 *    with no submounts, so nothing can be mounted over its files;
 *  - where that is refused (ENOSYS: before Linux 5.2; EPERM: a user
 *    namespace without a fully visible /proc; EACCES: an LSM) the mounted
 *    /proc, checked to be the root of a procfs (fstatfs, root inode).
 *
 * Below the handle the walk follows no symlinks and crosses no mount
 * (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV, or an O_NOFOLLOW walk with
 * a same-filesystem check); "self" and "thread-self", the only links needed,
 * are read by hand.  The opened file is checked to be on procfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procfs.h"
#include "utils.h"

#define PROC_ROOT_INO 1

static int private_procfs(void)
{
	cleanup_close int fsfd = fsopen("proc", FSOPEN_CLOEXEC);

	if (fsfd < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fsfd, FSMOUNT_CLOEXEC,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

static bool is_proc_fd(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

int husk_procfs_open(struct husk_error *err)
{
	cleanup_close int fd = private_procfs();
	struct stat st;

	if (fd >= 0)
		return steal_fd(&fd);
	/* ENOSYS: before 5.2; EPERM, EACCES: a user namespace, an LSM or a seccomp profile */
	if (errno != ENOSYS && errno != EPERM && errno != EACCES)
		return husk_error_errno(err, "mount a private procfs");
	fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open `/proc`");
	if (!is_proc_fd(fd) || fstat(fd, &st) < 0 || st.st_ino != PROC_ROOT_INO)
		return husk_error_set(err, EXDEV, "`/proc` is not the root of a procfs");
	return steal_fd(&fd);
}

/* The O_NOFOLLOW walk (no openat2): each component on the handle's filesystem. */
static int walk(int procfd, const char *rel, int flags)
{
	cleanup_close int cur = -1;
	struct stat root, st;
	char name[NAME_MAX + 1];
	const char *p = rel;

	if (fstat(procfd, &root) < 0)
		return -1;
	cur = fcntl(procfd, F_DUPFD_CLOEXEC, 3);
	while (cur >= 0) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		int next;

		if (len == 0 || len > NAME_MAX) {
			errno = len ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			errno = EINVAL;
			return -1;
		}
		if (*end == '\0')
			next = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		else
			next = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -1;
		if (fstat(next, &st) < 0 || st.st_dev != root.st_dev) {
			close(next);
			errno = EXDEV;
			return -1;
		}
		close(cur);
		cur = next;
		if (*end == '\0')
			return steal_fd(&cur);
		p = end + 1;
	}
	return -1;
}

static int open_beneath(int procfd, const char *rel, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, procfd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		return walk(procfd, rel, flags);
	return fd;
}

int husk_procfs_open_at(int procfd, const char *rel, int flags)
{
	char link[64], path[PATH_MAX];
	const char *rest = rel;
	ssize_t n;
	int fd;

	/* self/ and thread-self/: the links read by hand, then no link at all */
	if (strncmp(rel, "self/", 5) == 0 || strncmp(rel, "thread-self/", 12) == 0) {
		size_t l = rel[0] == 's' ? 4 : 11;

		memcpy(link, rel, l);
		link[l] = '\0';
		rest = rel + l + 1;
		n = readlinkat(procfd, link, path, sizeof(path) - 1);
		if (n < 0)
			return -1;
		if ((size_t)n + 1 + strlen(rest) + 1 > sizeof(path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		path[n] = '/';
		strcpy(path + n + 1, rest);
		rest = path;
	}
	fd = open_beneath(procfd, rest, flags);
	if (fd >= 0 && !is_proc_fd(fd)) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}
