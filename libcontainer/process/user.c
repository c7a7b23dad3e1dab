/* SPDX-License-Identifier: Apache-2.0 */
/* The container process's user: stdio ownership, groups, gid, uid, umask. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "process/process.h"
#include "utils.h"

/*
 * Like runc: make stdio owned by the user we switch to, so that it can
 * reopen them (/proc/self/fd/N, /dev/stdout).  /dev/null is left alone, and
 * EINVAL (the uid is not mapped) or EPERM (read-only fs, a foreign owner in a
 * user namespace) are ignored, as runc does.
 */
static int fix_stdio_owner(uid_t uid, struct husk_error *err)
{
	struct stat st;
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return husk_error_errno(err, "fstat fd %d", fd);
		}
		if (st.st_uid == uid)
			continue;
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
			continue;
		if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM &&
		    errno != EROFS)
			return husk_error_errno(err, "chown fd %d to uid %u", fd, (unsigned)uid);
	}
	return 0;
}

/* 1 if setgroups(2) is denied in this user namespace, 0 if not (or unknown). */
static int setgroups_denied(void)
{
	char buf[16] = "";
	ssize_t n;
	cleanup_close int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

int husk_user_apply(const struct husk_user *u, struct husk_error *err)
{
	/* The current root owns stdio in the common case: then nothing to fix. */
	if (u->uid != 0 && fix_stdio_owner(u->uid, err) < 0)
		return -1;

	/*
	 * Always set the groups (an empty list drops the runtime's own).  In a
	 * user namespace with setgroups denied, runc silently skips this; we
	 * do the same when no additionalGids were asked for, and fail when
	 * some were (they could not be honoured).  /proc is read only on
	 * EPERM, so the common path is one syscall.
	 */
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0) {
		if (errno != EPERM || !setgroups_denied())
			return husk_error_errno(err, "setgroups");
		if (u->n_additional_gids > 0)
			return husk_error_set(err, EPERM,
					      "setgroups: additionalGids given but setgroups is "
					      "denied in this user namespace");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return husk_error_errno(err, "setresgid to gid %u", (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return husk_error_errno(err, "setresuid to uid %u", (unsigned)u->uid);
	/* No umask in the spec: runc's default 0022. */
	umask(u->has_umask ? (mode_t)(u->umask & 07777) : 022);
	return 0;
}
