/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The init's user-namespace maps, written by the parent once the init
 * exists: by husk itself (root, or a rootless caller mapping only its own
 * id), or through newuidmap/newgidmap (setuid helpers from shadow that
 * grant what /etc/subuid and /etc/subgid give the user: plan-rootless.c
 * checked the ranges).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/process.h"
#include "utils.h"

static int write_map(pid_t pid, const char *file, const struct husk_id_mapping *m, size_t n,
		     struct husk_error *err)
{
	char path[64];
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = n * 36 + 1;

	if (n == 0)
		return 0;
	buf = xmalloc0(cap);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (write_file_at(AT_FDCWD, path, buf, len, NULL) < 0)
		return husk_error_errno(err, "write %s", file);
	return 0;
}

/* "newuidmap PID ID HOSTID COUNT...": argv, malloc'd strings */
static char **helper_argv(const char *helper, pid_t pid, const struct husk_id_mapping *m, size_t n)
{
	char **av = xmalloc0((3 * n + 3) * sizeof *av);
	size_t k = 0;

	av[k++] = xstrdup(helper);
	if (asprintf(&av[k++], "%d", (int)pid) < 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (asprintf(&av[k++], "%u", m[i].container_id) < 0 ||
		    asprintf(&av[k++], "%u", m[i].host_id) < 0 ||
		    asprintf(&av[k++], "%u", m[i].size) < 0)
			abort();
	return av;
}

/* Run the helper; its stderr (one line, as shadow writes) goes into the error. */
static int run_helper(const char *helper, pid_t pid, const struct husk_id_mapping *m, size_t n,
		      struct husk_error *err)
{
	cleanup_strv char **av = helper_argv(helper, pid, m, n);
	char msg[512];
	ssize_t len = 0, r;
	int p[2], status;
	pid_t child;

	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe for `%s`", helper);
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return husk_error_errno(err, "fork `%s`", helper);
	}
	if (child == 0) {
		if (dup2(p[1], STDERR_FILENO) >= 0)
			execv(helper, av);
		dprintf(p[1], "exec: %s", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (len < (ssize_t)sizeof msg - 1 &&
	       ((r = read(p[0], msg + len, sizeof msg - 1 - (size_t)len)) > 0 ||
		(r < 0 && errno == EINTR)))
		len += r > 0 ? r : 0;
	close(p[0]);
	msg[len] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return husk_error_errno(err, "wait for `%s`", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return husk_error_set(err, EPERM, "`%s` failed (%s %d): %s", helper,
			      WIFEXITED(status) ? "exit status" : "signal",
			      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), msg);
}

int husk_ns_write_maps(pid_t pid, const struct husk_linux *l, char *const helpers[2],
		       struct husk_error *err)
{
	char path[64];

	if (helpers[0] != NULL) {
		if (run_helper(helpers[0], pid, l->uid_mappings, l->n_uid_mappings, err) < 0)
			return -1;
	} else if (write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0) {
		return -1;
	}
	if (helpers[1] != NULL)
		return run_helper(helpers[1], pid, l->gid_mappings, l->n_gid_mappings, err);
	/* an unprivileged gid_map needs setgroups denied (user_namespaces(7)); runc does the same
	 */
	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
	if (geteuid() != 0 && l->n_gid_mappings &&
	    write_file_at(AT_FDCWD, path, "deny", 4, NULL) < 0)
		return husk_error_errno(err, "write setgroups");
	return write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}
