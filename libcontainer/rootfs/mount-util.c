/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small mount helpers shared by the rootfs, /dev, cgroup and plan code: a
 * mount's flags, bind remounts, no-symlink opens, fd-to-fd binds, lexical
 * path cleaning.  A leaf: it calls into no other rootfs file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs/mounts.h"

int husk_mount_flags(const char *path, unsigned long *flags)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},
	    {ST_NOSUID, MS_NOSUID},
	    {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},
	    {ST_SYNCHRONOUS, MS_SYNCHRONOUS},
	    {ST_MANDLOCK, MS_MANDLOCK},
	    {ST_NOATIME, MS_NOATIME},
	    {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	    {ST_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -1;
	*flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if ((unsigned long)sf.f_flags & map[i].st)
			*flags |= map[i].ms;
	return 0;
}

int husk_remount(const char *path, unsigned long flags, bool keep)
{
	unsigned long cur;

	flags |= MS_BIND | MS_REMOUNT;
	if (!keep && mount(NULL, path, NULL, flags, NULL) == 0)
		return 0;
	/*
	 * Flags locked by a user namespace (nosuid, nodev, noexec, ro, atime)
	 * must be repeated in a remount, else EPERM: keep what the mount has,
	 * like runc; an atime mode asked for wins over the current one.
	 */
	if (!keep && errno != EPERM)
		return -1;
	if (husk_mount_flags(path, &cur) < 0)
		return -1;
	if (flags & MS_ATIME_MASK)
		cur &= ~MS_ATIME_MASK;
	return mount(NULL, path, NULL, flags | cur, NULL);
}

int husk_mount_setattr(int fd, uint64_t set, uint64_t clr, uint64_t propagation, int userns_fd)
{
	struct mount_attr a = {
	    .attr_set = set,
	    .attr_clr = clr,
	    .propagation = propagation,
	    .userns_fd = userns_fd < 0 ? 0 : (uint64_t)userns_fd,
	};

	return mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a));
}

int husk_open_nofollow(const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .resolve = RESOLVE_NO_SYMLINKS,
	};
	cleanup_close int cur = -1;
	char name[NAME_MAX + 1];
	const char *p = path;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* no openat2: one O_NOFOLLOW open per component */
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (cur >= 0) {
		const char *end;
		size_t len;
		int next;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 0 || len > NAME_MAX || (len <= 2 && strncmp(p, "..", len) == 0)) {
			errno = len > NAME_MAX ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = end + strspn(end, "/");
		if (*p == '\0')
			return openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		next = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOTDIR)
			errno = ELOOP; /* a symlink, or a file in the middle */
		close(cur);
		cur = next;
	}
	return -1;
}

int husk_bind_fd(int srcfd, const char *src_name, int dstfd, const char *dst_name)
{
	cleanup_close int tree =
	    open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct stat want, got;

	if (tree >= 0)
		return move_mount(tree, "", dstfd, "",
				  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (errno != ENOSYS)
		return -1;
	/* before Linux 5.2: by name, then check that what got mounted is srcfd's file */
	if (fstat(srcfd, &want) < 0 || mount(src_name, dst_name, NULL, MS_BIND, NULL) < 0)
		return -1;
	if (stat(dst_name, &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino)
		return 0;
	umount2(dst_name, MNT_DETACH);
	errno = EXDEV;
	return -1;
}

bool husk_mount_is_dev(const struct husk_mount *m, bool *bind)
{
	char clean[PATH_MAX];

	if (m->destination == NULL || husk_clean_path(m->destination, clean, sizeof(clean)) < 0 ||
	    strcmp(clean, "/dev") != 0)
		return false;
	*bind = m->type && strcmp(m->type, "bind") == 0;
	for (char **o = m->options; o && *o && !*bind; o++)
		*bind = strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
	return true;
}
