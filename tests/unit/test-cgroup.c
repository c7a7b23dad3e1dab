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
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
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
			printf("# `%s` %s\n", cg->dirs[i].path,
			       present ? "missing" : "left behind");
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
	int go;	    /* write a byte to start it */
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

/* ---- /proc/self/cgroup + mountinfo as seen inside a container, and elsewhere ---- */

static const struct cg_probe_entry *find_entry(const struct cg_probe *p, const char *ctrls)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].controllers, ctrls) == 0)
			return &p->v[i];
	return NULL;
}

static bool entry_is(const struct cg_probe *p, const char *ctrls, const char *mnt, const char *own)
{
	const struct cg_probe_entry *e = find_entry(p, ctrls);
	if (e == NULL) {
		printf("# no entry for `%s`\n", ctrls);
		return false;
	}
	if (strcmp(e->mnt, mnt) != 0 || strcmp(e->own, own) != 0) {
		printf("# `%s`: mnt `%s` own `%s`, want `%s` `%s`\n", ctrls, e->mnt, e->own, mnt,
		       own);
		return false;
	}
	return true;
}

static void test_probe_parse(void)
{
	static const char self_v1[] = "12:cpu,cpuacct:/docker/abc\n"
				      "11:memory:/docker/abc\n"
				      "4:pids:/docker/abcdef\n"
				      "10:net_cls,net_prio:/docker/abc\n"
				      "1:name=systemd:/docker/abc\n"
				      "0::/docker/abc\n";
	static const char mi_v1[] =
	    "90 80 0:27 / /sys/fs/cgroup ro - tmpfs tmpfs rw,mode=755\n"
	    "99 90 0:31 / /mnt/other\\040dir rw - cgroup cgroup rw,memory\n"
	    "100 90 0:30 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup "
	    "rw,cpu,cpuacct\n"
	    "101 90 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "102 90 0:35 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	    "103 90 0:32 /docker/abc /sys/fs/cgroup/systemd rw - cgroup cgroup "
	    "rw,xattr,name=systemd\n";
	static const char self_v2[] = "0::/user.slice/session-1.scope\n";
	static const char mi_v2[] =
	    "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
	    "30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	static const char mi_hybrid[] =
	    "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	    "31 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	static const char self_hybrid[] = "4:memory:/a\n0::/b\n";
	struct cg_probe p = {.layout = CG_LAYOUT_V1};
	struct husk_error e = {0};

	ok(cg_probe_parse(&p, self_v1, mi_v1, &e) == 0, "parse a v1 container's view");
	ok(p.n == 4,
	   "4 mounted hierarchies (net_cls,net_prio is not mounted; no cgroup2 on v1): %zu", p.n);
	ok(entry_is(&p, "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "/"),
	   "a co-mounted hierarchy, own cgroup = the mount's root");
	ok(entry_is(&p, "memory", "/sys/fs/cgroup/memory", "/"),
	   "the mount under /sys/fs/cgroup wins over an earlier one elsewhere");
	ok(entry_is(&p, "pids", "/sys/fs/cgroup/pids", "/docker/abcdef"),
	   "a root that is only a string prefix is not stripped");
	ok(entry_is(&p, "name=systemd", "/sys/fs/cgroup/systemd", "/"), "name=systemd");
	cg_probe_clear(&p);
	husk_error_clear(&e);

	p.layout = CG_LAYOUT_V2;
	ok(cg_probe_parse(&p, self_v2, mi_v2, &e) == 0 && p.n == 1 &&
	       entry_is(&p, "", "/sys/fs/cgroup", "/user.slice/session-1.scope"),
	   "pure v2");
	cg_probe_clear(&p);
	husk_error_clear(&e);

	p.layout = CG_LAYOUT_HYBRID;
	ok(cg_probe_parse(&p, self_hybrid, mi_hybrid, &e) == 0 && p.n == 2 &&
	       entry_is(&p, "memory", "/sys/fs/cgroup/memory", "/a") &&
	       entry_is(&p, "", "/sys/fs/cgroup/unified", "/b"),
	   "hybrid");
	cg_probe_clear(&p);
	husk_error_clear(&e);

	p.layout = CG_LAYOUT_V2;
	ok(cg_probe_parse(&p, "4:memory:/a\n", mi_hybrid, &e) < 0 && e.msg,
	   "v2 without a cgroup2 line is an error");
	cg_probe_clear(&p);
	husk_error_clear(&e);
}

static void systemd_case(const char *in, const char *want)
{
	char *out = NULL;
	struct husk_error e = {0};
	int r = husk_cgroup_systemd_path(in, &out, &e);

	if (want)
		ok(r == 0 && strcmp(out, want) == 0, "systemd path `%s` -> `%s`", in,
		   out ? out : e.msg);
	else
		ok(r < 0 && e.msg, "systemd path `%s` refused: %s", in, e.msg ? e.msg : "");
	free(out);
	husk_error_clear(&e);
}

static void test_systemd_path(void)
{
	systemd_case("system.slice:docker:abc", "/system.slice/docker-abc.scope");
	systemd_case("machine.slice:libpod:123", "/machine.slice/libpod-123.scope");
	systemd_case(":cri-containerd:x", "/system.slice/cri-containerd-x.scope");
	systemd_case("kubepods-burstable-pod1.slice:cri-containerd:c1",
		     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
		     "cri-containerd-c1.scope");
	systemd_case("-.slice:p:n", "/p-n.scope");
	systemd_case("system.slice:p:my.slice", "/system.slice/my.slice");
	systemd_case("/husk-test/x", NULL);
	systemd_case("a:b:c:d", NULL);
	systemd_case("notaslice:p:n", NULL);
	systemd_case("a--b.slice:p:n", NULL);
	systemd_case("system.slice:p:", NULL);
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
	{
		bool failed = husk_cgroup_create("/husk-test/../x", "x", NULL, &cg, &e) < 0;
		ok(failed && strstr(e.msg, "`..`") != NULL, "`..` is refused: %s",
		   e.msg ? e.msg : "");
	}
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
	{
		struct husk_cgroup *two = NULL;
		struct husk_error e = {0};
		bool failed = husk_cgroup_create(husk_cgroup_path(cg), "x", NULL, &two, &e) < 0;
		ok(failed && strstr(e.msg, "is not empty: 1 process(es)"),
		   "a second create in a busy cgroup is refused: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
		husk_cgroup_free(two);
		ok(all_dirs(cg, true) && pid_in(cg, c.pid), "and leaves the first one alone");
	}
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
		ok(mkdir(sub, 0755) == 0 &&
		       cg_writef(sub, "cgroup.procs", &e, "%d", (int)grandchild) == 0,
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
	cleanup_free char *own_dir = NULL, *own_ctl_before = NULL;
	bool good = true;
	struct child c = {0};

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, &e) < 0) {
		diag("read", &e);
		return;
	}
	{
		/* our own cgroup2 cgroup: its subtree_control must not change */
		cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
		cleanup_free char *own = NULL, *dir = NULL;
		char *l = strstr(self, "0::");
		if (pr && pr->v2 && l) {
			own = strndup(l + 3, strcspn(l + 3, "\n"));
			dir = xasprintf("%s%s", pr->v2->mnt, strcmp(own, "/") == 0 ? "" : own);
			own_ctl_before = readf(dir, "cgroup.subtree_control");
			own_dir = steal_pointer(&dir);
		}
	}
	ok(husk_cgroup_create(rel, "x", NULL, &cg, &e) == 0, "create relative `%s`", rel);
	if (cg == NULL) {
		diag("create", &e);
		return;
	}
	if (own_dir) {
		cleanup_free char *after = readf(own_dir, "cgroup.subtree_control");
		ok(strcmp(after, own_ctl_before) == 0,
		   "our own cgroup's subtree_control is untouched (`%s`)", after);
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

/* ---- inside a cgroup namespace (Docker in Docker): pure v2 seen from there ---- */

static void fn_in_cgroupns(int report)
{
	struct husk_resources res = {.has_pids = true, .has_pids_limit = true, .pids_limit = 10};
	struct husk_cgroup *cg = NULL;
	struct husk_error e = {0};
	char *before = NULL, *after = NULL;
	int r[4] = {0, 0, 0, 0};

	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    (umount2("/sys/fs/cgroup", MNT_DETACH) < 0 && errno != EINVAL) ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
		r[0] = -errno;
		goto out;
	}
	before = readf("/sys/fs/cgroup", "cgroup.subtree_control");
	/* the namespace's root holds us: no controller may be enabled there */
	r[0] = husk_cgroup_create("/sub-limited", "x", &res, &cg, &e) < 0 && e.msg &&
	       strstr(e.msg, "`pids`") != NULL;
	husk_error_clear(&e);
	after = readf("/sys/fs/cgroup", "cgroup.subtree_control");
	r[1] = strcmp(before, after) == 0;
	r[2] = husk_cgroup_create("/sub", "x", NULL, &cg, &e) == 0;
	if (r[2]) {
		r[3] = cg->layout == CG_LAYOUT_V2 && husk_cgroup_destroy(cg, &e) == 0 &&
		       !exists("/sys/fs/cgroup/sub");
		husk_cgroup_free(cg);
	}
out:
	if (write(report, r, sizeof r) != sizeof r)
		_exit(1);
	_exit(0);
}

static void test_cgroupns(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct child c = {0};
	int r[4] = {0, 0, 0, 0};

	if (cg == NULL || cg->v2 == NULL) {
		ok(true, "# SKIP needs cgroup2");
		destroy(cg);
		return;
	}
	ok(spawn(cg, fn_in_cgroupns, &c) && read(c.report, r, sizeof r) == sizeof r,
	   "a child in its own cgroup and mount namespaces");
	if (r[0] < 0) {
		printf("# mount cgroup2: %s\n", strerror(-r[0]));
		ok(false, "cgroup namespace set up");
	} else {
		ok(r[0] == 1, "a limit that needs a controller there fails, naming it");
		ok(r[1] == 1, "the namespace root's subtree_control is untouched");
		ok(r[2] == 1 && r[3] == 1, "create and destroy without limits work there");
	}
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	child_done(&c);
	destroy(cg);
}

/* ---- device rules (v1) ---- */

static bool list_has(const char *list, const char *rule)
{
	size_t len = strlen(rule);
	for (const char *p = list; (p = strstr(p, rule)) != NULL; p += len)
		if ((p == list || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

static int open_result;

static void fn_open_devices(int report)
{
	int r[2];
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	r[0] = fd >= 0 ? 0 : errno;
	fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	r[1] = fd >= 0 ? 0 : errno;
	if (write(report, r, sizeof r) != sizeof r)
		_exit(1);
	_exit(0);
}

static void test_devices(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	struct husk_device_rule rules[2] = {
	    {.allow = false, .access = (char *)"rwm"},
	    {.allow = true,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 10,
	     .has_minor = true,
	     .minor = 229,
	     .access = (char *)"rwm"},
	};
	struct husk_resources res = {.devices = rules, .n_devices = 2};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	struct child c = {0};
	cleanup_free char *path = xasprintf("/husk-test/unit-%d-dev", (int)getpid());
	const char *defaults[] = {"c *:* m",   "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
				  "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
				  "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};

	(void)open_result;
	if (pr == NULL || cg_v1_dir(pr, "devices") == NULL) {
		ok(true, "# SKIP no v1 devices hierarchy");
		return;
	}
	/* no rules at all: runc's defaults on top of deny-all */
	cg = make(NULL, NULL);
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		bool all = true;
		for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
			if (!list_has(list, defaults[i])) {
				printf("# missing `%s`\n", defaults[i]);
				all = false;
			}
		}
		ok(all, "default device rules in devices.list");
		ok(!list_has(list, "a *:* rwm"), "not allow-all");
		ok(spawn(cg, fn_open_devices, &c), "a child opens devices");
		if (c.pid > 0) {
			int r[2] = {-1, -1};
			bool got = read(c.report, r, sizeof r) == sizeof r;
			ok(got && r[0] == 0, "/dev/null opens: %s", strerror(r[0]));
			ok(r[1] == EPERM, "/dev/kmsg is refused: %s", strerror(r[1]));
			waitpid(c.pid, NULL, 0);
			c.pid = -1;
		}
		child_done(&c);
		destroy(cg);
	}
	/* podman: deny-all, plus a rule */
	note_parents(pr);
	cg = NULL;
	ok(husk_cgroup_create(path, "x", &res, &cg, &e) == 0, "create with rules");
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		ok(list_has(list, "c 10:229 rwm"), "resources.devices rule applied");
		ok(list_has(list, "c 1:3 rwm") && !list_has(list, "a *:* rwm"),
		   "defaults still there");
		destroy(cg);
	} else {
		diag("create", &e);
	}
	/* allow-all */
	rules[0].allow = true;
	res.n_devices = 1;
	cg = make(&res, NULL);
	if (cg) {
		cleanup_free char *list = readf(cg_v1_dir(cg, "devices")->path, "devices.list");
		ok(list_has(list, "a *:* rwm"), "allow-all rule gives `a *:* rwm`");
		destroy(cg);
	}
	rules[0].type = (char *)"x";
	ok(husk_cgroup_create(path, "x", &res, &cg, &e) < 0 && strstr(e.msg, "`x`"),
	   "bad device type refused");
	if (e.msg)
		printf("# %s\n", e.msg);
	husk_error_clear(&e);
	{
		cleanup_cgroup struct husk_cgroup *gone = probe(path);
		ok(gone && all_dirs(gone, false), "nothing left after refused rules");
	}
}

/* ---- the cgroup2 eBPF device filter (also testable on a hybrid host) ---- */

struct open_case {
	const char *path;
	int flags;
	int want; /* 0 or an errno */
};
static const struct open_case *open_cases;
static size_t n_open_cases;

static void fn_open_cases(int report)
{
	for (size_t i = 0; i < n_open_cases; i++) {
		int fd = open(open_cases[i].path, open_cases[i].flags | O_CLOEXEC | O_NONBLOCK);
		int r = fd >= 0 ? 0 : errno;
		if (write(report, &r, sizeof r) != sizeof r)
			_exit(1);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

static void bpf_case(const char *name, const struct husk_device_rule *rules, size_t n,
		     const struct open_case *cases, size_t n_cases)
{
	/* v1 (hybrid): allow every device there, so only the eBPF filter decides */
	struct husk_device_rule all = {.allow = true};
	struct husk_resources v1res = {.devices = &all, .n_devices = 1};
	struct husk_resources res = {.devices = (struct husk_device_rule *)rules, .n_devices = n};
	struct husk_cgroup *cg = make(&v1res, NULL);
	struct husk_error e = {0};
	struct child c = {0};

	if (cg == NULL || cg->v2 == NULL) {
		ok(false, "%s: create", name);
		destroy(cg);
		return;
	}
	/* pure v2: create() attached the allow-all filter; this one narrows it */
	ok(cg_v2_devices_apply(cg->v2, n ? &res : NULL, &e) == 0, "%s: load and attach the filter",
	   name);
	if (e.msg)
		diag("bpf", &e);
	open_cases = cases;
	n_open_cases = n_cases;
	if (spawn(cg, fn_open_cases, &c)) {
		for (size_t i = 0; i < n_cases; i++) {
			int r = -1;
			bool got = read(c.report, &r, sizeof r) == sizeof r;
			ok(got && r == cases[i].want, "%s: open %s %s: %s", name, cases[i].path,
			   (cases[i].flags & O_ACCMODE) == O_RDONLY   ? "r"
			   : (cases[i].flags & O_ACCMODE) == O_WRONLY ? "w"
								      : "rw",
			   strerror(r));
		}
		waitpid(c.pid, NULL, 0);
		c.pid = -1;
	}
	child_done(&c);
	destroy(cg);
}

static void test_devices_bpf(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	static const struct open_case defaults[] = {
	    {"/dev/null", O_RDWR, 0},
	    {"/dev/zero", O_RDONLY, 0},
	    {"/dev/full", O_WRONLY, 0},
	    {"/dev/kmsg", O_RDONLY, EPERM},
	};
	static const struct husk_device_rule kmsg_ro[] = {
	    {.allow = false, .access = (char *)"rwm"},
	    {.allow = true,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 11,
	     .access = (char *)"r"},
	};
	static const struct open_case kmsg_ro_cases[] = {
	    {"/dev/kmsg", O_RDONLY, 0},
	    {"/dev/kmsg", O_WRONLY, EPERM},
	    {"/dev/null", O_RDWR, 0},
	};
	static const struct husk_device_rule zero_nowrite[] = {
	    {.allow = true, .access = (char *)"rwm"},
	    {.allow = false,
	     .type = (char *)"c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 5,
	     .access = (char *)"w"},
	};
	static const struct open_case zero_nowrite_cases[] = {
	    {"/dev/zero", O_RDONLY, 0},
	    {"/dev/zero", O_WRONLY, EPERM},
	    {"/dev/kmsg", O_RDONLY, 0},
	};

	if (pr == NULL || pr->v2 == NULL || !exists("/dev/kmsg")) {
		ok(true, "# SKIP no cgroup2 directory or no /dev/kmsg");
		return;
	}
	bpf_case("bpf defaults", NULL, 0, defaults, ARRAY_SIZE(defaults));
	bpf_case("bpf deny-all + kmsg r", kmsg_ro, ARRAY_SIZE(kmsg_ro), kmsg_ro_cases,
		 ARRAY_SIZE(kmsg_ro_cases));
	bpf_case("bpf allow-all - zero w", zero_nowrite, ARRAY_SIZE(zero_nowrite),
		 zero_nowrite_cases, ARRAY_SIZE(zero_nowrite_cases));
}

/* ---- resources (v1 files here; cgroup2 ones where the host is v2) ---- */

static const char *block_dev(void)
{
	static const char *candidates[] = {"/sys/block/vda/dev", "/sys/block/sda/dev",
					   "/sys/block/nvme0n1/dev", "/sys/block/loop0/dev"};
	static char buf[32];
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		char *v = NULL;
		struct husk_error e = {0};
		if (read_file_at(AT_FDCWD, candidates[i], &v, NULL, &e) == 0) {
			snprintf(buf, sizeof buf, "%s", v);
			buf[strcspn(buf, "\n")] = '\0';
			free(v);
			return buf;
		}
		husk_error_clear(&e);
	}
	return NULL;
}

static void test_resources_v1(void)
{
	struct husk_resources res = {0};
	struct husk_throttle_device thr = {0};
	struct husk_kv uni[1] = {{(char *)"cgroup.max.descendants", (char *)"5"}};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	const char *bdev = block_dev();
	struct cg_dir *d;
	bool memsw;

	res.has_memory = true;
	res.memory.has_limit = res.memory.has_reservation = res.memory.has_swap = true;
	res.memory.limit = 64 << 20;
	res.memory.reservation = 32 << 20;
	res.memory.swap = 128 << 20;
	res.memory.has_swappiness = true;
	res.memory.swappiness = 10;
	res.memory.has_disable_oom_killer = res.memory.disable_oom_killer = true;
	res.memory.has_kernel = true;
	res.memory.kernel = 1 << 20; /* ignored */
	res.has_cpu = true;
	res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = res.cpu.has_burst = true;
	res.cpu.shares = 512;
	res.cpu.quota = 20000;
	res.cpu.period = 100000;
	res.cpu.burst = 1000;
	res.cpu.has_idle = true;
	res.cpu.idle = 0;
	res.cpu.has_realtime_period = true;
	res.cpu.realtime_period = 1000000;
	res.cpu.cpus = (char *)"0";
	res.cpu.mems = (char *)"0";
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = 42;
	res.has_blkio = true;
	res.blkio.has_weight = true;
	res.blkio.weight = 0; /* Docker's "unset" */
	if (bdev) {
		sscanf(bdev, "%" SCNd64 ":%" SCNd64, &thr.major, &thr.minor);
		thr.rate = 1048576;
		res.blkio.throttle_read_bps.v = &thr;
		res.blkio.throttle_read_bps.n = 1;
		res.blkio.throttle_write_iops.v = &thr;
		res.blkio.throttle_write_iops.n = 1;
	}
	res.unified = uni;
	res.n_unified = 1;

	{
		cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
		if (pr == NULL || pr->layout == CG_LAYOUT_V2) {
			ok(true, "# SKIP v1 resources need a v1 or hybrid host");
			return;
		}
	}
	cg = make(&res, NULL);
	ok(cg != NULL, "create with resources");
	if (cg == NULL)
		return;
	if ((d = cg_v1_dir(cg, "memory")) != NULL) {
		cleanup_free char *oom = readf(d->path, "memory.oom_control");
		memsw = cg_has_file(d->path, "memory.memsw.limit_in_bytes");
		ok(file_is(d->path, "memory.limit_in_bytes", "67108864"), "memory limit");
		ok(file_is(d->path, "memory.soft_limit_in_bytes", "33554432"),
		   "memory reservation");
		ok(!memsw || file_is(d->path, "memory.memsw.limit_in_bytes", "134217728"),
		   "memory+swap");
		ok(file_is(d->path, "memory.swappiness", "10"), "swappiness");
		ok(strstr(oom, "oom_kill_disable 1") != NULL, "disableOOMKiller");
	}
	if ((d = cg_v1_dir(cg, "cpu")) != NULL) {
		ok(file_is(d->path, "cpu.shares", "512"), "cpu shares");
		ok(file_is(d->path, "cpu.cfs_quota_us", "20000"), "cpu quota");
		ok(file_is(d->path, "cpu.cfs_period_us", "100000"), "cpu period");
		ok(!cg_has_file(d->path, "cpu.cfs_burst_us") ||
		       file_is(d->path, "cpu.cfs_burst_us", "1000"),
		   "cpu burst");
		ok(!cg_has_file(d->path, "cpu.idle") || file_is(d->path, "cpu.idle", "0"),
		   "cpu idle");
		ok(!cg_has_file(d->path, "cpu.rt_period_us") ||
		       file_is(d->path, "cpu.rt_period_us", "1000000"),
		   "cpu rt period");
	}
	if ((d = cg_v1_dir(cg, "cpuset")) != NULL) {
		ok(file_is(d->path, "cpuset.cpus", "0"), "cpuset cpus");
		ok(file_is(d->path, "cpuset.mems", "0"), "cpuset mems");
	}
	if ((d = cg_v1_dir(cg, "pids")) != NULL)
		ok(file_is(d->path, "pids.max", "42"), "pids limit");
	if ((d = cg_v1_dir(cg, "blkio")) != NULL && bdev) {
		cleanup_free char *want = xasprintf("%s 1048576", bdev);
		ok(file_is(d->path, "blkio.throttle.read_bps_device", want), "blkio read bps");
		ok(file_is(d->path, "blkio.throttle.write_iops_device", want), "blkio write iops");
	}
	if (cg->v2)
		ok(file_is(cg->v2->path, "cgroup.max.descendants", "5"),
		   "unified key on the cgroup2 directory");

	/* update: grow, then shrink (memsw must stay >= limit at every step) */
	memset(&res, 0, sizeof res);
	res.has_memory = true;
	res.memory.has_limit = res.memory.has_swap = true;
	res.memory.limit = 256 << 20;
	res.memory.swap = 512 << 20;
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = -1;
	res.has_cpu = true;
	res.cpu.has_period = res.cpu.has_quota = true;
	res.cpu.period = 10000;
	res.cpu.quota = 5000;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update: grow");
	if (e.msg)
		diag("update", &e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "268435456"), "updated memory limit");
	if ((d = cg_v1_dir(cg, "pids")) != NULL)
		ok(file_is(d->path, "pids.max", "max"), "updated pids limit: max");
	if ((d = cg_v1_dir(cg, "cpu")) != NULL)
		ok(file_is(d->path, "cpu.cfs_period_us", "10000") &&
		       file_is(d->path, "cpu.cfs_quota_us", "5000"),
		   "shorter cpu period with its quota");
	res.memory.limit = 16 << 20;
	res.memory.swap = 32 << 20;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update: shrink");
	if (e.msg)
		diag("update", &e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "16777216"), "shrunk memory limit");
	/* Docker's zeros leave things alone */
	memset(&res, 0, sizeof res);
	res.has_memory = res.memory.has_limit = res.memory.has_swap = true;
	res.has_cpu = res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = true;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update with zeros");
	husk_error_clear(&e);
	if ((d = cg_v1_dir(cg, "memory")) != NULL)
		ok(file_is(d->path, "memory.limit_in_bytes", "16777216"), "zero limit: unchanged");
	if ((d = cg_v1_dir(cg, "cpu")) != NULL)
		ok(file_is(d->path, "cpu.cfs_quota_us", "5000") &&
		       file_is(d->path, "cpu.shares", "512"),
		   "zero quota and shares: unchanged");
	memset(&res, 0, sizeof res);
	res.has_blkio = res.blkio.has_weight = true;
	res.blkio.weight = 300;
	if ((d = cg_v1_dir(cg, "blkio")) != NULL &&
	    (cg_has_file(d->path, "blkio.weight") || cg_has_file(d->path, "blkio.bfq.weight"))) {
		const char *f =
		    cg_has_file(d->path, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
		cleanup_free char *w = NULL;
		ok(husk_cgroup_update(cg, &res, &e) == 0, "update blkio weight");
		if (e.msg)
			diag("update", &e);
		w = readf(d->path, f);
		ok(strstr(w, "300") != NULL, "%s: %s", f, w);
	}
	memset(&res, 0, sizeof res);
	res.has_network = res.has_class_id = true;
	res.class_id = 0x100001;
	if (cg_v1_dir(cg, "net_cls") == NULL) {
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && strstr(e.msg, "`net_cls`"), "net_cls without its hierarchy: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	/* hybrid: a controller missing from v1 goes to cgroup2 (which lacks pids here) */
	if (cg->v2 && (d = cg_v1_dir(cg, "pids")) != NULL) {
		char *saved = d->controllers;
		bool failed;
		memset(&res, 0, sizeof res);
		res.has_pids = res.has_pids_limit = true;
		res.pids_limit = 7;
		d->controllers = (char *)"hidden";
		failed = husk_cgroup_update(cg, &res, &e) < 0;
		d->controllers = saved;
		if (failed && cg_has_file(cg->v2->path, "pids.max"))
			ok(false, "pids went to cgroup2 but failed: %s", e.msg);
		else if (cg_has_file(cg->v2->path, "pids.max"))
			ok(file_is(cg->v2->path, "pids.max", "7"), "pids.max set on cgroup2");
		else
			ok(failed && strstr(e.msg, cg->v2->path) && strstr(e.msg, "`pids`"),
			   "no v1 pids: the limit goes to cgroup2: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	memset(&res, 0, sizeof res);
	uni[0].key = (char *)"memory.high";
	res.unified = uni;
	res.n_unified = 1;
	if (cg->layout != CG_LAYOUT_V2) {
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && strstr(e.msg, "`memory.high`"),
		   "unified memory.high on v1 refused: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	destroy(cg);
}

static void test_resources_v2(void)
{
	cleanup_cgroup struct husk_cgroup *pr = probe("/husk-test/x");
	struct husk_resources res = {0};
	struct husk_throttle_device thr = {0};
	struct husk_hugepage_limit huge = {(char *)"2MB", 4 << 20};
	struct husk_kv uni[1] = {{(char *)"memory.high", (char *)"104857600"}};
	struct husk_cgroup *cg;
	struct husk_error e = {0};
	const char *bdev = block_dev();
	cleanup_free char *avail = NULL;
	char *p;

	if (pr == NULL || pr->layout != CG_LAYOUT_V2) {
		ok(true, "# SKIP cgroup2 resources need a pure v2 host");
		return;
	}
	avail = readf(pr->v2->mnt, "cgroup.controllers");
	printf("# root controllers: %s\n", avail);
	ok(cg_shares_to_weight(2) == 1 && cg_shares_to_weight(262144) == 10000 &&
	       cg_shares_to_weight(1024) == 39,
	   "cpu shares to weight (runc's formula)");
	res.has_memory = true;
	res.memory.has_limit = res.memory.has_reservation = res.memory.has_swap = true;
	res.memory.limit = 64 << 20;
	res.memory.reservation = 32 << 20;
	res.memory.swap = 128 << 20;
	res.has_cpu = true;
	res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = res.cpu.has_burst = true;
	res.cpu.shares = 1024;
	res.cpu.quota = 20000;
	res.cpu.period = 100000;
	res.cpu.burst = 1000;
	res.cpu.has_idle = true;
	res.cpu.idle = 0;
	res.cpu.cpus = (char *)"0";
	res.cpu.mems = (char *)"0";
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = 42;
	res.has_blkio = true;
	res.blkio.has_weight = true;
	res.blkio.weight = 500;
	if (bdev) {
		sscanf(bdev, "%" SCNd64 ":%" SCNd64, &thr.major, &thr.minor);
		thr.rate = 1048576;
		res.blkio.throttle_read_bps.v = &thr;
		res.blkio.throttle_read_bps.n = 1;
	}
	if (strstr(avail, "hugetlb") && exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
		res.hugepage_limits = &huge;
		res.n_hugepage_limits = 1;
	}
	res.unified = uni;
	res.n_unified = 1;
	cg = make(&res, NULL);
	ok(cg != NULL, "create with resources on cgroup2");
	if (cg == NULL)
		return;
	p = cg->v2->path;
	ok(file_is(p, "memory.max", "67108864"), "memory.max");
	ok(file_is(p, "memory.low", "33554432"), "memory.low");
	ok(!cg_has_file(p, "memory.swap.max") || file_is(p, "memory.swap.max", "67108864"),
	   "memory.swap.max = swap - limit");
	ok(file_is(p, "memory.high", "104857600"), "unified memory.high");
	ok(file_is(p, "cpu.weight", "39"), "cpu.weight from shares 1024");
	ok(file_is(p, "cpu.max", "20000 100000"), "cpu.max");
	ok(!cg_has_file(p, "cpu.max.burst") || file_is(p, "cpu.max.burst", "1000"),
	   "cpu.max.burst");
	ok(file_is(p, "cpu.idle", "0"), "cpu.idle");
	ok(file_is(p, "cpuset.cpus", "0") && file_is(p, "cpuset.mems", "0"), "cpuset");
	ok(file_is(p, "pids.max", "42"), "pids.max");
	{
		bool bfq = cg_has_file(p, "io.bfq.weight");
		cleanup_free char *w = readf(p, bfq ? "io.bfq.weight" : "io.weight");
		printf("# %s: %s\n", bfq ? "io.bfq.weight" : "io.weight", w);
		ok(strstr(w, bfq ? "500" : "default 4950") != NULL, "io weight");
	}
	if (bdev) {
		cleanup_free char *m = readf(p, "io.max");
		cleanup_free char *want = xasprintf("%s rbps=1048576", bdev);
		ok(strstr(m, want) != NULL, "io.max: %s", m);
	}
	if (res.n_hugepage_limits)
		ok(file_is(p, "hugetlb.2MB.max", "4194304"), "hugetlb.2MB.max");

	memset(&res, 0, sizeof res);
	res.has_memory = true;
	res.memory.has_limit = true;
	res.memory.limit = -1;
	res.has_pids = res.has_pids_limit = true;
	res.pids_limit = -1;
	res.has_cpu = true;
	res.cpu.has_quota = true;
	res.cpu.quota = -1;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update to unlimited");
	if (e.msg)
		diag("update", &e);
	ok(file_is(p, "memory.max", "max"), "memory.max max");
	ok(!cg_has_file(p, "memory.swap.max") || file_is(p, "memory.swap.max", "max"),
	   "memory.swap.max max along");
	ok(file_is(p, "pids.max", "max"), "pids.max max");
	{
		cleanup_free char *m = readf(p, "cpu.max");
		ok(strncmp(m, "max ", 4) == 0, "cpu.max max");
	}
	memset(&res, 0, sizeof res);
	res.has_cpu = res.cpu.has_quota = res.cpu.has_period = true;
	res.cpu.quota = 30000;
	res.cpu.period = 100000;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update cpu quota");
	husk_error_clear(&e);
	res.cpu.has_quota = false;
	res.cpu.period = 50000;
	ok(husk_cgroup_update(cg, &res, &e) == 0 && file_is(p, "cpu.max", "30000 50000"),
	   "a period alone keeps the quota");
	husk_error_clear(&e);
	memset(&res, 0, sizeof res);
	res.has_cpu = true;
	res.cpu.has_realtime_runtime = true;
	res.cpu.realtime_runtime = 1000;
	{
		bool failed = husk_cgroup_update(cg, &res, &e) < 0;
		ok(failed && e.msg && strstr(e.msg, "realtime"), "realtime refused on v2: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	destroy(cg);
}

/* ---- limits that bite ---- */

static void fn_fork_bomb(int report)
{
	int n = 0, r[2];
	for (; n < 100; n++) {
		pid_t p = fork();
		if (p < 0)
			break;
		if (p == 0) {
			for (;;)
				pause();
		}
	}
	r[0] = n;
	r[1] = errno;
	if (write(report, r, sizeof r) != sizeof r)
		_exit(1);
	for (;;)
		pause();
}

static void test_pids_limit(void)
{
	struct husk_resources res = {.has_pids = true, .has_pids_limit = true, .pids_limit = 5};
	struct husk_cgroup *cg = make(&res, NULL);
	struct child c = {0};
	int r[2] = {-1, -1};

	if (cg == NULL) {
		ok(false, "create with pids limit");
		return;
	}
	ok(spawn(cg, fn_fork_bomb, &c) && read(c.report, r, sizeof r) == sizeof r,
	   "a child forks until it cannot");
	ok(r[0] == 4 && r[1] == EAGAIN, "pids.max 5: 4 forks, then EAGAIN (%d, %s)", r[0],
	   strerror(r[1]));
	destroy(cg);
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	reap_all();
	child_done(&c);
}

static void fn_hog(int report)
{
	for (size_t i = 0; i < 1024; i++) {
		char *p =
		    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		memset(p, 1, 1 << 20);
	}
	_exit(2);
}

static void test_memory_oom(void)
{
	struct husk_resources res = {0};
	struct husk_cgroup *cg;
	struct child c = {0};
	int status = 0;

	res.has_memory = true;
	res.memory.has_limit = res.memory.has_swap = true;
	res.memory.limit = 32 << 20;
	res.memory.swap = 32 << 20;
	cg = make(&res, NULL);
	if (cg == NULL) {
		ok(false, "create with a memory limit");
		return;
	}
	{
		/* checkBeforeUpdate: a limit below the usage (our child's) is refused */
		struct child busy = {0};
		struct husk_resources up = {.has_memory = true};
		struct husk_error e = {0};
		bool failed;
		up.memory.has_limit = up.memory.has_check_before_update = true;
		up.memory.check_before_update = true;
		up.memory.limit = 4096;
		ok(spawn(cg, fn_pause, &busy) && wait_byte(&busy), "a child to use some memory");
		failed = husk_cgroup_update(cg, &up, &e) < 0;
		ok(failed && strstr(e.msg, "below the current usage"), "checkBeforeUpdate: %s",
		   e.msg ? e.msg : "");
		husk_error_clear(&e);
		child_done(&busy);
	}
	ok(spawn(cg, fn_hog, &c), "a child eats 1 GiB under a 32 MiB limit");
	waitpid(c.pid, &status, 0);
	c.pid = -1;
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "the OOM killer took it (status %#x)", status);
	{
		struct husk_cgroup_stats st;
		struct husk_error e = {0};
		ok(husk_cgroup_stats(cg, &st, &e) == 0, "stats");
		printf("# mem usage %" PRIu64 " max %" PRIu64 " limit %" PRIu64 " failcnt %" PRIu64
		       " oom %" PRIu64 " cpu %" PRIu64 " pids %" PRIu64 "/%" PRIu64 "\n",
		       st.mem_usage, st.mem_max_usage, st.mem_limit, st.mem_failcnt, st.oom_kills,
		       st.cpu_usage, st.pids_current, st.pids_limit);
		ok(st.oom_kills >= 1 && st.mem_limit == 32 << 20 && st.mem_max_usage > 16 << 20,
		   "stats: the limit, the peak and the OOM kill");
		ok(st.cpu_usage > 0 && st.pids_current == 0, "stats: cpu time used, no pids left");
		husk_error_clear(&e);
	}
	if (cg_v1_dir(cg, "memory")) {
		cleanup_free char *oom = readf(cg_v1_dir(cg, "memory")->path, "memory.oom_control");
		ok(strstr(oom, "oom_kill 0") == NULL, "memory.oom_control counts the kill");
	} else if (cg->v2) {
		cleanup_free char *ev = readf(cg->v2->path, "memory.events");
		ok(strstr(ev, "oom_kill 0") == NULL, "memory.events counts the kill");
	}
	child_done(&c);
	destroy(cg);
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
	test_probe_parse();
	test_systemd_path();
	test_create_destroy();
	test_default_path();
	test_failure_cleanup();
	test_enter();
	test_clone_into();
	test_kill_pids();
	test_freeze();
	test_relative();
	test_cgroupns();
	test_devices();
	test_devices_bpf();
	test_resources_v1();
	test_resources_v2();
	test_pids_limit();
	test_memory_oom();
	remove_parents();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
