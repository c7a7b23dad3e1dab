/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LSM labels of the container process: AppArmor profile and SELinux label
 * for the next execve, and the SELinux mount label in mount data.  With
 * libapparmor/libselinux we use their calls; without them, we write the
 * procfs attr files ourselves (what runc does, as it links neither).
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

#include "security.h"
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

#if !HAVE_APPARMOR || !HAVE_SELINUX
/*
 * Write an exec attr under /proc/thread-self (the calling thread is the one
 * that execs); -1 with errno set on failure.
 */
static int write_attr(const char *rel, const char *value)
{
	char path[64];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "/proc/thread-self/%s", rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return write_all(fd, value, strlen(value)) < 0 ? -1 : 0;
}

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
	if (profile == NULL || profile[0] == '\0')
		return 0;
	if (!husk_lsm_enabled(HUSK_LSM_APPARMOR))
		return husk_error_set(err, ENOTSUP,
				      "apparmor profile `%s` specified but AppArmor is not enabled "
				      "on this system",
				      profile);
#if HAVE_APPARMOR
	if (aa_change_onexec(profile) < 0)
		return husk_error_errno(err, "apparmor: change profile on exec to `%s`", profile);
	return 0;
#else
	{
		cleanup_free char *value = husk_lsm_exec_attr(HUSK_LSM_APPARMOR, profile);
		int rc = write_attr(husk_lsm_attr_path(HUSK_LSM_APPARMOR), value);

		/* kernels before 5.8 have no attr/apparmor */
		if (rc < 0 && errno == ENOENT)
			rc = write_attr("attr/exec", value);
		if (rc < 0)
			return husk_error_errno(err, "apparmor: change profile on exec to `%s`",
						profile);
		return 0;
	}
#endif
}

int husk_lsm_selinux_exec(const char *label, struct husk_error *err)
{
	if (label == NULL || label[0] == '\0')
		return 0;
	/* runc: labels are ignored when SELinux is disabled */
	if (!husk_lsm_enabled(HUSK_LSM_SELINUX))
		return 0;
#if HAVE_SELINUX
	if (setexeccon(label) < 0)
		return husk_error_errno(err, "selinux: set exec label `%s`", label);
	return 0;
#else
	if (write_attr(husk_lsm_attr_path(HUSK_LSM_SELINUX), label) < 0)
		return husk_error_errno(err, "selinux: set exec label `%s`", label);
	return 0;
#endif
}

char *husk_lsm_mount_data(const char *data, const char *mount_label)
{
	if (mount_label == NULL || mount_label[0] == '\0' || !husk_lsm_enabled(HUSK_LSM_SELINUX))
		return xstrdup(data);
	return husk_lsm_format_mount_data(data, mount_label);
}
