/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the cgroup tests: see cgroup-tap.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-tap.h"

static int n_tests, n_failed;

void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		n_failed++;
}

void diag(const char *what, struct husk_error *e)
{
	printf("# %s: %s\n", what, e->msg ? e->msg : "(no message)");
	fflush(stdout);
	husk_error_clear(e);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

char *readf(const char *dir, const char *file)
{
	char *v = NULL;
	struct husk_error e = {0};
	if (cg_read(dir, file, &v, &e) < 0) {
		diag("read", &e);
		return xstrdup("");
	}
	return v;
}

bool file_is(const char *dir, const char *file, const char *want)
{
	cleanup_free char *v = readf(dir, file);
	if (strcmp(v, want) != 0) {
		printf("# %s/%s: `%s`, want `%s`\n", dir, file, v, want);
		return false;
	}
	return true;
}

/* ---- the husk-test parents ---- */

struct parents {
	char *paths[32];
	size_t n;
};
static struct parents made_parents;

/* Remember which husk-test parents do not exist yet (to remove them at the end). */
void note_parents(const struct husk_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const char *rel = cg->dirs[i].rel;
		const char *h = strstr(rel, "/husk-test/");
		char *p;
		bool dup = false;
		if (h == NULL)
			continue;
		p = xasprintf("%s%.*s", cg->dirs[i].mnt, (int)(h - rel + strlen("/husk-test")),
			      rel);
		for (size_t j = 0; j < made_parents.n; j++)
			dup |= strcmp(made_parents.paths[j], p) == 0;
		if (dup || exists(p) || made_parents.n == ARRAY_SIZE(made_parents.paths)) {
			free(p);
			continue;
		}
		made_parents.paths[made_parents.n++] = p;
	}
}

static void remove_parents(void)
{
	for (size_t i = 0; i < made_parents.n; i++) {
		if (rmdir(made_parents.paths[i]) < 0 && errno != ENOENT)
			printf("# left `%s`: %s\n", made_parents.paths[i], strerror(errno));
		free(made_parents.paths[i]);
	}
}

/*
 * Probe where a path would go without creating it: load() resolves an
 * absolute path the same way create() does.
 */
struct husk_cgroup *probe(const char *path)
{
	struct husk_cgroup *cg = NULL;
	struct husk_error e = {0};
	if (husk_cgroup_load(path, &cg, &e) < 0) {
		diag("load", &e);
		return NULL;
	}
	return cg;
}

static int seq;

struct husk_cgroup *make(const struct husk_resources *res, char **pathp)
{
	struct husk_cgroup *cg = NULL;
	struct husk_error e = {0};
	char *path = xasprintf("/husk-test/unit-%d-%d", (int)getpid(), ++seq);
	struct husk_cgroup *pr = probe(path);

	if (pr) {
		note_parents(pr);
		husk_cgroup_free(pr);
	}
	if (husk_cgroup_create(path, "x", res, &cg, &e) < 0) {
		diag("create", &e);
		free(path);
		return NULL;
	}
	if (pathp)
		*pathp = path;
	else
		free(path);
	return cg;
}

bool all_dirs(const struct husk_cgroup *cg, bool present)
{
	bool r = true;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (exists(cg->dirs[i].path) != present) {
			printf("# `%s` %s\n", cg->dirs[i].path,
			       present ? "missing" : "left behind");
			r = false;
		}
	}
	return r;
}

void destroy(struct husk_cgroup *cg)
{
	struct husk_error e = {0};
	if (cg == NULL)
		return;
	ok(husk_cgroup_destroy(cg, &e) == 0, "destroy `%s`", husk_cgroup_path(cg));
	if (e.msg)
		diag("destroy", &e);
	ok(all_dirs(cg, false), "destroy left no directory");
	husk_cgroup_free(cg);
}

void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- children ---- */

/* Fork a child that waits until it is in the cgroup, then runs fn. */
bool spawn(struct husk_cgroup *cg, child_fn fn, struct child *c)
{
	int go[2], rep[2];
	struct husk_error e = {0};

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0)
		abort();
	c->pid = fork();
	if (c->pid < 0)
		abort();
	if (c->pid == 0) {
		char b;
		close(go[1]);
		close(rep[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(1);
		fn(rep[1]);
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	c->go = go[1];
	c->report = rep[0];
	if (cg && husk_cgroup_enter(cg, c->pid, 0, &e) < 0) {
		diag("enter", &e);
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		return false;
	}
	return write(c->go, "g", 1) == 1;
}

void child_done(struct child *c)
{
	close(c->go);
	close(c->report);
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
}

void fn_pause(int report)
{
	if (write(report, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

bool wait_byte(struct child *c)
{
	char b;
	return read(c->report, &b, 1) == 1;
}

size_t count_pids(struct husk_cgroup *cg)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	struct husk_error e = {0};
	if (husk_cgroup_pids(cg, &pids, &n, &e) < 0) {
		diag("pids", &e);
		return (size_t)-1;
	}
	return n;
}

/* Is `pid` in every hierarchy of cg, as /proc/<pid>/cgroup says? */
bool pid_in(const struct husk_cgroup *cg, pid_t pid)
{
	cleanup_free char *data = NULL, *file = xasprintf("/proc/%d/cgroup", (int)pid);
	struct husk_error e = {0};
	bool r = true;

	if (read_file_at(AT_FDCWD, file, &data, NULL, &e) < 0) {
		diag("read", &e);
		return false;
	}
	for (size_t i = 0; i < cg->n_dirs; i++) {
		cleanup_free char *want = xasprintf("%s:%s:%s\n", cg->dirs[i].v2 ? "0" : "",
						    cg->dirs[i].controllers, cg->dirs[i].rel);
		char *p = cg->dirs[i].v2 ? strstr(data, want) : NULL;
		if (!cg->dirs[i].v2) {
			/* "N:controllers:path": match from the first ':' */
			for (char *l = data; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
				char *c = strchr(l, ':');
				if (c && strncmp(c, want, strlen(want)) == 0)
					p = c;
			}
		}
		if (p == NULL) {
			printf("# pid %d not in `%s`\n", (int)pid, want);
			r = false;
		}
	}
	return r;
}

bool cgt_begin(void)
{
	struct stat st;

	if (geteuid() != 0 || stat("/sys/fs/cgroup", &st) < 0) {
		printf("1..0 # SKIP needs root and /sys/fs/cgroup\n");
		return false;
	}
	/* orphaned grandchildren come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return true;
}

int cgt_end(void)
{
	remove_parents();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
