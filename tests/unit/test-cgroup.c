/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager tests on the host's real cgroups (v1, hybrid or v2):
 * layout and paths, create/destroy, placement, kill, freeze.
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

#include "cgroup-tap.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

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
	/* a slice holds no process: the container's unit is a scope (systemd driver) */
	systemd_case("system.slice:p:my.slice", NULL);
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
			ok(husk_cgroup_enter(cg, (pid_t)pid, HUSK_CGROUP_ENTER_CLONED, &e) == 0,
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
		/* hybrid: the v1 freezer alone (cgroup.freeze is for pure v2) */
		if (cg->v2 && !cg_v1_dir(cg, "freezer")) {
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
		/*
		 * the expected place: our own cgroup in a v1 hierarchy + rel; on
		 * cgroup2 (no controllers named) the parent of our own, which holds
		 * us and so can enable no controller below it (runc's fs2)
		 */
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
		if (d->controllers[0] == '\0' && strrchr(own, '/'))
			*strrchr(own, '/') = '\0'; /* "/a/b" -> "/a", "/a" and "/" -> "" */
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

int main(void)
{
	if (!cgt_begin())
		return 77;
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
	return cgt_end();
}
