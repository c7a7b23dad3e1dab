/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager tests on the host's real cgroups (v1, hybrid or v2).
 * Every cgroup lives under a `husk-test` parent; the parents this test made
 * are removed at the end (when empty).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup-internal.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static int n_tests, n_failed;

static void __attribute__((format(printf, 2, 3))) ok(bool cond, const char *fmt, ...)
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

static void diag(const char *what, struct husk_error *e)
{
	printf("# %s: %s\n", what, e->msg ? e->msg : "(no message)");
	fflush(stdout);
	husk_error_clear(e);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static char *readf(const char *dir, const char *file)
{
	char *v = NULL;
	struct husk_error e = {0};
	if (cg_read(dir, file, &v, &e) < 0) {
		diag("read", &e);
		return xstrdup("");
	}
	return v;
}

static bool file_is(const char *dir, const char *file, const char *want)
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
static void note_parents(const struct husk_cgroup *cg)
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
static struct husk_cgroup *probe(const char *path)
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

static struct husk_cgroup *make(const struct husk_resources *res, char **pathp)
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

static bool all_dirs(const struct husk_cgroup *cg, bool present)
{
	bool r = true;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (exists(cg->dirs[i].path) != present) {
			printf("# `%s` %s\n", cg->dirs[i].path, present ? "missing" : "left behind");
			r = false;
		}
	}
	return r;
}

static void destroy(struct husk_cgroup *cg)
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

static void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- children ---- */

struct child {
	pid_t pid;
	int go;     /* write a byte to start it */
	int report; /* what it writes back */
};

typedef void (*child_fn)(int report);

/* Fork a child that waits until it is in the cgroup, then runs fn. */
static bool spawn(struct husk_cgroup *cg, child_fn fn, struct child *c)
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
	if (cg && husk_cgroup_enter(cg, c->pid, false, &e) < 0) {
		diag("enter", &e);
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		return false;
	}
	return write(c->go, "g", 1) == 1;
}

static void child_done(struct child *c)
{
	close(c->go);
	close(c->report);
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
}

static void fn_pause(int report)
{
	if (write(report, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void fn_two_kids(int report)
{
	for (int i = 0; i < 2; i++) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
	}
	if (write(report, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static bool wait_byte(struct child *c)
{
	char b;
	return read(c->report, &b, 1) == 1;
}

static size_t count_pids(struct husk_cgroup *cg)
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
static bool pid_in(const struct husk_cgroup *cg, pid_t pid)
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

/* ---- tests ---- */

static void test_layout(void)
{
	cleanup_cgroup struct husk_cgroup *cg = probe("/husk-test/layout");
	const char *names[] = {"v1", "hybrid", "v2"};
	if (cg == NULL) {
		ok(false, "probe the layout");
		return;
	}
	printf("# layout: %s, %zu hierarchies\n", names[cg->layout], cg->n_dirs);
	ok(cg->n_dirs > 0, "layout %s: found hierarchies", names[cg->layout]);
	ok((cg->v2 != NULL) == (cg->layout != CG_LAYOUT_V1), "cgroup2 directory iff v2/hybrid");
	for (size_t i = 0; i < cg->n_dirs; i++)
		printf("#  %s -> %s\n", cg->dirs[i].controllers, cg->dirs[i].path);
}

static void test_create_destroy(void)
{
	cleanup_free char *path = NULL;
	struct husk_cgroup *cg = make(NULL, &path);
	struct husk_error e = {0};

	ok(cg != NULL, "create %s", path ? path : "");
	if (cg == NULL)
		return;
	ok(strcmp(husk_cgroup_path(cg), path) == 0, "path is `%s`", husk_cgroup_path(cg));
	ok(all_dirs(cg, true), "every hierarchy has the directory");
	ok(cg->v2 == NULL || husk_cgroup_clone_fd(cg) >= 0, "clone fd present with cgroup2");
	ok(count_pids(cg) == 0, "no pids in a new cgroup");
	ok(husk_cgroup_is_frozen(cg) == 0, "a new cgroup is not frozen");
	destroy(cg);
	/* idempotent */
	cg = probe(path);
	ok(cg && husk_cgroup_destroy(cg, &e) == 0, "destroy again is fine");
	husk_error_clear(&e);
	husk_cgroup_free(cg);
}

static void test_default_path(void)
{
	cleanup_free char *id = xasprintf("husk-test-unit-%d", (int)getpid());
	cleanup_free char *want = xasprintf("/husk/%s", id);
	struct husk_cgroup *cg = NULL, *pr = probe("/husk/x");
	struct husk_error e = {0};
	bool husk_existed[32] = {false};

	/* "/husk" is not ours: remove it afterwards only if we made it */
	for (size_t i = 0; pr && i < pr->n_dirs && i < 32; i++) {
		cleanup_free char *p = xasprintf("%s/husk", pr->dirs[i].mnt);
		husk_existed[i] = exists(p);
	}
	ok(husk_cgroup_create(NULL, id, NULL, &cg, &e) == 0, "create with no cgroupsPath");
	if (e.msg)
		diag("create", &e);
	if (cg) {
		ok(strcmp(husk_cgroup_path(cg), want) == 0, "default path `%s`",
		   husk_cgroup_path(cg));
		destroy(cg);
	}
	for (size_t i = 0; pr && i < pr->n_dirs && i < 32; i++) {
		cleanup_free char *p = xasprintf("%s/husk", pr->dirs[i].mnt);
		if (!husk_existed[i])
			rmdir(p);
	}
	husk_cgroup_free(pr);
	ok(husk_cgroup_create(NULL, "a/b", NULL, &cg, &e) < 0, "an id with `/` is refused");
	husk_error_clear(&e);
	ok(husk_cgroup_create("/husk-test/../x", "x", NULL, &cg, &e) < 0 &&
		   strstr(e.msg, "`..`") != NULL,
	   "`..` is refused: %s", e.msg ? e.msg : "");
	husk_error_clear(&e);
}

static void test_failure_cleanup(void)
{
	struct husk_resources res = {0};
	struct husk_cgroup *cg = NULL, *pr;
	struct husk_error e = {0};
	cleanup_free char *path = xasprintf("/husk-test/unit-%d-fail", (int)getpid());

	res.has_cpu = true;
	res.cpu.cpus = (char *)"4095";
	pr = probe(path);
	if (pr == NULL)
		return;
	note_parents(pr);
	ok(husk_cgroup_create(path, "x", &res, &cg, &e) < 0, "create with cpus `4095` fails");
	printf("# %s\n", e.msg ? e.msg : "");
	ok(e.msg && strstr(e.msg, "write `4095` to `") && strstr(e.msg, "/cpuset.cpus`: "),
	   "the error names the value and the file");
	husk_error_clear(&e);
	ok(all_dirs(pr, false), "nothing left behind after a failed create");
	husk_cgroup_free(pr);
}

static void test_enter(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct child c = {0};

	if (cg == NULL) {
		ok(false, "create for enter");
		return;
	}
	ok(spawn(cg, fn_pause, &c) && wait_byte(&c), "enter a forked child");
	ok(pid_in(cg, c.pid), "/proc/<pid>/cgroup shows every hierarchy");
	ok(count_pids(cg) == 1, "pids finds it");
	destroy(cg); /* kills it */
	child_done(&c);
}

static void test_clone_into(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct clone_args args = {0};
	struct husk_error e = {0};
	int go[2];
	long pid;

	if (cg == NULL) {
		ok(false, "create for clone3");
		return;
	}
	if (cg->v2 == NULL) {
		ok(husk_cgroup_clone_fd(cg) == -1, "v1: no clone fd");
		destroy(cg);
		return;
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		abort();
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)husk_cgroup_clone_fd(cg);
	pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid == 0) {
		char b;
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL)) {
		printf("# clone3(CLONE_INTO_CGROUP): %s\n", strerror(errno));
		ok(true, "# SKIP the kernel lacks clone3 CLONE_INTO_CGROUP");
	} else {
		ok(pid > 0, "clone3(CLONE_INTO_CGROUP) with the clone fd");
		if (pid > 0) {
			ok(husk_cgroup_enter(cg, (pid_t)pid, true, &e) == 0,
			   "enter the v1 hierarchies, skipping cgroup2");
			if (e.msg)
				diag("enter", &e);
			ok(pid_in(cg, (pid_t)pid), "/proc/<pid>/cgroup shows every hierarchy");
			close(go[1]);
			go[1] = -1;
			waitpid((pid_t)pid, NULL, 0);
		}
	}
	if (go[1] >= 0)
		close(go[1]);
	destroy(cg);
}

static void test_kill_pids(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct child c = {0};
	struct husk_error e = {0};
	struct cg_dir *pd;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (cg == NULL) {
		ok(false, "create for kill");
		return;
	}
	ok(spawn(cg, fn_two_kids, &c) && wait_byte(&c), "a child with two children");
	ok(count_pids(cg) == 3, "pids: 3 processes");
	/* a sub-cgroup: pids must look into it, destroy must remove it */
	pd = cg->n_dirs ? &cg->dirs[0] : NULL;
	if (pd && husk_cgroup_pids(cg, &pids, &n, &e) == 0 && n == 3) {
		cleanup_free char *sub = xasprintf("%s/sub", pd->path);
		pid_t grandchild = pids[0] == c.pid ? pids[1] : pids[0];
		ok(mkdir(sub, 0755) == 0 && cg_writef(sub, "cgroup.procs", &e, "%d",
						       (int)grandchild) == 0,
		   "move a grandchild into a sub-cgroup");
		ok(count_pids(cg) == 3, "pids still sees 3 (sub-cgroups included)");
	}
	husk_error_clear(&e);
	ok(husk_cgroup_kill(cg, SIGTERM, &e) == 0, "kill SIGTERM");
	if (e.msg)
		diag("kill", &e);
	for (int i = 0; i < 200 && count_pids(cg) != 0; i++)
		cg_sleep_ms(10);
	ok(count_pids(cg) == 0, "every process got SIGTERM");
	ok(husk_cgroup_is_frozen(cg) == 0, "kill thawed what it froze");
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	reap_all();
	child_done(&c);

	ok(spawn(cg, fn_two_kids, &c) && wait_byte(&c), "again, a child with two children");
	ok(husk_cgroup_kill(cg, SIGKILL, &e) == 0, "kill SIGKILL%s",
	   cg->v2 && cg_has_file(cg->v2->path, "cgroup.kill") ? " (cgroup.kill)" : "");
	if (e.msg)
		diag("kill", &e);
	for (int i = 0; i < 200 && count_pids(cg) != 0; i++)
		cg_sleep_ms(10);
	ok(count_pids(cg) == 0, "every process got SIGKILL");
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	reap_all();
	child_done(&c);

	/* destroy kills what is left */
	ok(spawn(cg, fn_two_kids, &c) && wait_byte(&c), "a third family for destroy");
	destroy(cg);
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	reap_all();
	child_done(&c);
}

static volatile uint64_t *counter;

static void fn_count(int report)
{
	if (write(report, "r", 1) != 1)
		_exit(1);
	for (;;)
		(*counter)++;
}

static bool is_counting(void)
{
	uint64_t a = *counter, b;
	cg_sleep_ms(100);
	b = *counter;
	return a != b;
}

typedef int (*freeze_fn)(struct husk_cgroup *cg, bool f, struct husk_error *err);

static int freeze_v1_only(struct husk_cgroup *cg, bool f, struct husk_error *err)
{
	return cg_v1_freeze(cg_v1_dir(cg, "freezer"), f, err);
}

static int freeze_v2_only(struct husk_cgroup *cg, bool f, struct husk_error *err)
{
	return cg_v2_freeze(cg->v2, f, err);
}

static void freeze_case(const char *name, freeze_fn fn)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct child c = {0};
	struct husk_error e = {0};

	if (cg == NULL) {
		ok(false, "create for freeze");
		return;
	}
	ok(spawn(cg, fn_count, &c) && wait_byte(&c), "%s: a busy child", name);
	ok(is_counting(), "%s: it runs", name);
	ok(fn(cg, true, &e) == 0, "%s: freeze", name);
	if (e.msg)
		diag("freeze", &e);
	ok(!is_counting(), "%s: frozen, it stops", name);
	if (fn == husk_cgroup_freeze) {
		ok(husk_cgroup_is_frozen(cg) == 1, "%s: is_frozen says 1", name);
		if (cg_v1_dir(cg, "freezer"))
			ok(file_is(cg_v1_dir(cg, "freezer")->path, "freezer.state", "FROZEN"),
			   "%s: freezer.state FROZEN", name);
		if (cg->v2) {
			cleanup_free char *ev = readf(cg->v2->path, "cgroup.events");
			ok(strstr(ev, "frozen 1") != NULL, "%s: cgroup.events frozen 1", name);
		}
	}
	ok(fn(cg, false, &e) == 0, "%s: thaw", name);
	if (e.msg)
		diag("thaw", &e);
	ok(is_counting(), "%s: thawed, it runs again", name);
	if (fn == husk_cgroup_freeze)
		ok(husk_cgroup_is_frozen(cg) == 0, "%s: is_frozen says 0", name);
	/* destroy of a frozen cgroup */
	ok(fn(cg, true, &e) == 0, "%s: freeze again", name);
	husk_error_clear(&e);
	destroy(cg);
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	child_done(&c);
}

static void test_freeze(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");

	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		abort();
	freeze_case("manager", husk_cgroup_freeze);
	if (pr && cg_v1_dir(pr, "freezer"))
		freeze_case("v1 freezer", freeze_v1_only);
	if (pr && pr->v2)
		freeze_case("cgroup2 freeze", freeze_v2_only);
	munmap((void *)counter, 4096);
}

static void test_relative(void)
{
	cleanup_free char *rel = xasprintf("husk-test/unit-%d-rel", (int)getpid());
	struct husk_cgroup *cg = NULL, *again = NULL;
	struct husk_error e = {0};
	cleanup_free char *self = NULL;
	char *made[32] = {NULL};
	bool good = true;
	struct child c = {0};

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, &e) < 0) {
		diag("read", &e);
		return;
	}
	ok(husk_cgroup_create(rel, "x", NULL, &cg, &e) == 0, "create relative `%s`", rel);
	if (cg == NULL) {
		diag("create", &e);
		return;
	}
	printf("# stored: %s\n", husk_cgroup_path(cg));
	for (size_t i = 0; i < cg->n_dirs && i < 32; i++) {
		/* the expected place: our own cgroup in that hierarchy + rel */
		struct cg_dir *d = &cg->dirs[i];
		cleanup_free char *key = xasprintf(":%s:", d->controllers);
		char *l = strstr(self, key), *nl;
		cleanup_free char *own = NULL, *want = NULL;
		char *parent;
		if (l == NULL)
			continue;
		l += strlen(key);
		nl = strchr(l, '\n');
		own = strndup(l, nl ? (size_t)(nl - l) : strlen(l));
		want = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, rel);
		if (strcmp(d->rel, want) != 0) {
			printf("# %s: `%s`, want `%s`\n", d->controllers, d->rel, want);
			good = false;
		}
		/* the husk-test parent: ours to remove iff create made it */
		parent = xstrdup(d->path);
		*strrchr(parent, '/') = '\0';
		if (d->created != 0 && d->created <= strlen(parent))
			made[i] = parent;
		else
			free(parent);
	}
	ok(good, "relative to the caller's cgroup in every hierarchy");
	ok(husk_cgroup_load(husk_cgroup_path(cg), &again, &e) == 0, "load the stored path");
	if (again) {
		bool same = again->n_dirs == cg->n_dirs;
		for (size_t i = 0; same && i < cg->n_dirs; i++)
			same = strcmp(again->dirs[i].path, cg->dirs[i].path) == 0;
		ok(same, "load finds the same directories");
		ok(spawn(again, fn_pause, &c) && wait_byte(&c) && pid_in(cg, c.pid),
		   "enter through the loaded cgroup");
		husk_cgroup_free(again);
	}
	husk_error_clear(&e);
	destroy(cg);
	child_done(&c);
	for (size_t i = 0; i < 32; i++) {
		if (made[i] && rmdir(made[i]) < 0)
			printf("# left `%s`: %s\n", made[i], strerror(errno));
		free(made[i]);
	}
}

int main(void)
{
	struct stat st;

	if (geteuid() != 0 || stat("/sys/fs/cgroup", &st) < 0) {
		printf("1..0 # SKIP needs root and /sys/fs/cgroup\n");
		return 77;
	}
	/* orphaned grandchildren come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	test_layout();
	test_create_destroy();
	test_default_path();
	test_failure_cleanup();
	test_enter();
	test_clone_into();
	test_kill_pids();
	test_freeze();
	test_relative();
	remove_parents();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
