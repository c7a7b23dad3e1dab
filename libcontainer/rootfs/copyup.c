/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpcopyup (runc's extension, in config.md's option table): the new tmpfs
 * starts with a copy of what the destination held.  Copies directories,
 * regular files, symlinks and special files with their modes, owners and
 * times; fd-relative all the way, nothing followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/mounts.h"

static int copy_data(int in, int out, off_t size)
{
	for (off_t off = 0; off < size;) {
		ssize_t n = sendfile(out, in, &off, (size_t)(size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0; /* the file shrank: keep what we have */
	}
	return 0;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st, int depth);

int husk_copy_tree(int src, int dst, int depth)
{
	cleanup_dir DIR *d = NULL;
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (fd < 0)
		return -1;
	if (depth > 128) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(src, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		if (copy_entry(src, dst, de->d_name, &st, depth) < 0)
			return -1;
	}
	return errno ? -1 : 0;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st, int depth)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR: {
		cleanup_close int s = -1;
		cleanup_close int d = -1;
		if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
			return -1;
		s = openat(src, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0 || husk_copy_tree(s, d, depth + 1) < 0)
			return -1;
		break;
	}
	case S_IFREG: {
		cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out = -1;
		if (in < 0)
			return -1;
		out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0 || copy_data(in, out, st->st_size) < 0)
			return -1;
		break;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return -1;
		break;
	}
	default:
		if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0)
			return -1;
		break;
	}
	if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EPERM && errno != EINVAL)
		return -1;
	if (!S_ISLNK(st->st_mode) && fchmodat(dst, name, st->st_mode & 07777, 0) < 0)
		return -1;
	return utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW);
}
