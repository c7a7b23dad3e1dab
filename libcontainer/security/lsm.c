/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LSM labels of the container process: AppArmor profile and SELinux label
 * for the next execve, and the SELinux mount label in mount data.  The exec
 * attrs are written by husk itself, through its own procfs handle (procfs.c),
 * with or without libapparmor/libselinux: their calls open
 * /proc/thread-self/attr/... by name, and in the container (init after
 * pivot_root, exec after entering the mount namespace) that /proc may be
 * missing or hostile.  runc writes them itself through its procfs handle too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if HAVE_APPARMOR
#include <sys/apparmor.h>
#endif
#if HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "procfs.h"
#include "security/security.h"
#include "utils.h"

const char *husk_lsm_attr_path(enum husk_lsm which)
{
	/* AppArmor has its own attr dir since Linux 5.8 (LSM stacking); attr/exec before */
	return which == HUSK_LSM_APPARMOR ? "attr/apparmor/exec" : "attr/exec";
}

char *husk_lsm_exec_attr(enum husk_lsm which, const char *label)
{
	char *s;

	if (which == HUSK_LSM_SELINUX)
		return xstrdup(label);
	if (asprintf(&s, "exec %s", label) < 0)
		abort();
	return s;
}

char *husk_lsm_format_mount_data(const char *data, const char *mount_label)
{
	char *s;

	if (mount_label == NULL || mount_label[0] == '\0')
		return xstrdup(data);
	/* runc's format: the label double-quoted, as one option */
	if (asprintf(&s, "%s%scontext=\"%s\"", data ? data : "", data && *data ? "," : "",
		     mount_label) < 0)
		abort();
	return s;
}

/*
 * Write an exec attr of the calling thread (the one that execs) under
 * thread-self/ of husk's procfs handle; -1 with errno set on failure.
 */
static int write_attr(const char *rel, const char *value)
{
	char path[64];
	struct husk_error e = {0};
	cleanup_close int procfd = husk_procfs_open(&e);
	cleanup_close int fd = -1;
	int saved = errno;

	husk_error_clear(&e);
	if (procfd < 0) {
		errno = saved;
		return -1;
	}
	snprintf(path, sizeof(path), "thread-self/%s", rel);
	fd = husk_procfs_open_at(procfd, path, O_WRONLY);
	if (fd < 0)
		return -1;
	return write_all(fd, value, strlen(value)) < 0 ? -1 : 0;
}

#if !HAVE_APPARMOR || !HAVE_SELINUX
static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
#endif

bool husk_lsm_enabled(enum husk_lsm which)
{
	if (which == HUSK_LSM_APPARMOR) {
#if HAVE_APPARMOR
		return aa_is_enabled() == 1;
#else
		/* runc's check */
		char buf[2] = "";
		cleanup_close int fd =
		    open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

		if (!file_exists("/sys/kernel/security/apparmor") || fd < 0)
			return false;
		return read(fd, buf, 1) == 1 && buf[0] == 'Y';
#endif
	}
#if HAVE_SELINUX
	return is_selinux_enabled() > 0;
#else
	return file_exists("/sys/fs/selinux/enforce");
#endif
}

int husk_lsm_apparmor_exec(const char *profile, struct husk_error *err)
{
	cleanup_free char *value = NULL;
	int rc;

	if (profile == NULL || profile[0] == '\0')
		return 0;
	if (!husk_lsm_enabled(HUSK_LSM_APPARMOR))
		return husk_error_set(err, ENOTSUP,
				      "apparmor profile `%s` specified but AppArmor is not enabled "
				      "on this system",
				      profile);
	value = husk_lsm_exec_attr(HUSK_LSM_APPARMOR, profile);
	rc = write_attr(husk_lsm_attr_path(HUSK_LSM_APPARMOR), value);
	/* kernels before 5.8 have no attr/apparmor */
	if (rc < 0 && errno == ENOENT)
		rc = write_attr("attr/exec", value);
	if (rc < 0)
		return husk_error_errno(err, "apparmor: change profile on exec to `%s`", profile);
	return 0;
}

int husk_lsm_selinux_exec(const char *label, struct husk_error *err)
{
	if (label == NULL || label[0] == '\0')
		return 0;
	/* runc: labels are ignored when SELinux is disabled */
	if (!husk_lsm_enabled(HUSK_LSM_SELINUX))
		return 0;
	if (write_attr(husk_lsm_attr_path(HUSK_LSM_SELINUX), label) < 0)
		return husk_error_errno(err, "selinux: set exec label `%s`", label);
	return 0;
}
