/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-helpers.h"

static int n_tests, n_failed;

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(2, "# ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
}

/* Run `fn` in a forked child (a filter loaded there stays there). */
void run(const char *name, int (*fn)(void))
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

/* Fork; the child runs fn(arg) and exits with its result; returns the wait status. */
int fork_wait(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* a child killed by SIGSYS would dump core into the cwd otherwise */
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_DUMPABLE, 0);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* Compile and load `s` into this process. */
int load(const struct husk_seccomp *s, int *notify_fd)
{
	struct husk_error e = {0};
	cleanup_seccomp_filter struct husk_seccomp_filter *f = NULL;

	if (husk_seccomp_compile(s, "config.json", &f, &e) < 0 ||
	    husk_seccomp_load(f, notify_fd, &e) < 0) {
		diag("seccomp: %s", e.msg);
		husk_error_clear(&e);
		return -1;
	}
	return 0;
}

/* Expect compile to fail with exactly `msg`. */
int expect_compile_error(const struct husk_seccomp *s, const char *msg)
{
	struct husk_error e = {0};
	struct husk_seccomp_filter *f = NULL;
	int rc = husk_seccomp_compile(s, "config.json", &f, &e);

	husk_seccomp_filter_free(f);
	if (rc >= 0) {
		diag("expected error `%s`, got success", msg);
		return -1;
	}
	if (e.msg == NULL || strcmp(e.msg, msg) != 0) {
		diag("expected error `%s`, got `%s`", msg, e.msg ? e.msg : "(null)");
		husk_error_clear(&e);
		return -1;
	}
	husk_error_clear(&e);
	return 0;
}

int status_field(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	int v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = atoi(line + klen + 1);
	fclose(f);
	return v;
}

long sys_result(long rc)
{
	return rc < 0 ? -errno : rc;
}

int done_testing(void)
{
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
