/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lsm.c: the pure formatting helpers, and what the host's LSM state means for
 * the exec label calls (checked against /sys, not assumed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "security/security.h"
#include "utils.h"

static int n_tests, n_failed;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(2, "# ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

/* Run `fn` in a forked child (an exec label set there stays there). */
static void run(const char *name, int (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn() == 0 ? 0 : 1);
	n_tests++;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		n_failed++;
		printf("not ok %d - %s\n", n_tests, name);
	} else {
		printf("ok %d - %s\n", n_tests, name);
	}
	fflush(stdout);
}

static int streq_free(char *got, const char *want)
{
	int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);

	if (!ok)
		diag("got `%s`, want `%s`", got ? got : "(null)", want ? want : "(null)");
	free(got);
	return ok;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The host's view, read independently of lsm.c */
static bool host_apparmor(void)
{
	char c = 0;
	FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");

	if (f == NULL)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' && exists("/sys/kernel/security/apparmor");
}

static bool host_selinux(void)
{
	return exists("/sys/fs/selinux/enforce");
}

static int test_format_mount_data(void)
{
	const char *l = "system_u:object_r:container_file_t:s0:c1,c2";

	CHECK(streq_free(husk_lsm_format_mount_data("mode=755,size=65536k", l),
			 "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:"
			 "c1,c2\""));
	CHECK(streq_free(husk_lsm_format_mount_data(NULL, l),
			 "context=\"system_u:object_r:container_file_t:s0:c1,c2\""));
	CHECK(streq_free(husk_lsm_format_mount_data("", l),
			 "context=\"system_u:object_r:container_file_t:s0:c1,c2\""));
	CHECK(streq_free(husk_lsm_format_mount_data("mode=755", NULL), "mode=755"));
	CHECK(streq_free(husk_lsm_format_mount_data("mode=755", ""), "mode=755"));
	CHECK(streq_free(husk_lsm_format_mount_data(NULL, NULL), NULL));
	return 0;
}

static int test_attr_strings(void)
{
	CHECK(strcmp(husk_lsm_attr_path(HUSK_LSM_APPARMOR), "attr/apparmor/exec") == 0);
	CHECK(strcmp(husk_lsm_attr_path(HUSK_LSM_SELINUX), "attr/exec") == 0);
	CHECK(streq_free(husk_lsm_exec_attr(HUSK_LSM_APPARMOR, "docker-default"),
			 "exec docker-default"));
	CHECK(streq_free(husk_lsm_exec_attr(HUSK_LSM_SELINUX, "system_u:system_r:container_t:s0"),
			 "system_u:system_r:container_t:s0"));
	return 0;
}

static int test_apparmor_host(void)
{
	struct husk_error e = {0};

	CHECK(husk_lsm_enabled(HUSK_LSM_APPARMOR) == host_apparmor());
	/* no profile: nothing to do, whatever the host */
	CHECK(husk_lsm_apparmor_exec(NULL, &e) == 0);
	CHECK(husk_lsm_apparmor_exec("", &e) == 0);
	if (host_apparmor()) {
		/* unconfined exists wherever AppArmor runs */
		CHECK(husk_lsm_apparmor_exec("unconfined", &e) == 0);
		return 0;
	}
	CHECK(husk_lsm_apparmor_exec("docker-default", &e) < 0);
	CHECK(e.msg && strcmp(e.msg, "apparmor profile `docker-default` specified but AppArmor "
				     "is not enabled on this system") == 0);
	husk_error_clear(&e);
	return 0;
}

static int test_selinux_host(void)
{
	struct husk_error e = {0};
	const char *label = "system_u:system_r:container_t:s0:c1,c2";
	char buf[256] = "";
	FILE *f;

	CHECK(husk_lsm_selinux_exec(NULL, &e) == 0);
	if (host_selinux()) {
		diag("SELinux is enabled here: only the no-label case is checked");
		return 0;
	}
	/* runc: ignored when SELinux is disabled: success, and nothing written */
	CHECK(husk_lsm_selinux_exec(label, &e) == 0);
	CHECK(e.msg == NULL);
	f = fopen("/proc/thread-self/attr/exec", "re");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	CHECK(strstr(buf, "container_t") == NULL);
	return 0;
}

int main(void)
{
	printf("TAP version 13\n");
	run("mount data with a mount label", test_format_mount_data);
	run("exec attr paths and strings", test_attr_strings);
	run("apparmor profile on this host", test_apparmor_host);
	run("selinux label on this host", test_selinux_host);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
