/* SPDX-License-Identifier: Apache-2.0 */
/* test-rootfs, part two: path resolution (openat2 and the walk), errors, cgroup mounts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/husk.h"

#include "rootfs-helpers.h"
#include "rootfs/mounts.h"
#include "security/security.h"

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})
#define MNT(d, t, s, o)                                                                            \
	{                                                                                          \
		.destination = (char *)(d), .type = (char *)(t), .source = (char *)(s),            \
		.options = (o)                                                                     \
	}

static bool is_ro(const char *path)
{
	struct statvfs sv;
	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool fs_is(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

/* ---- resolution ---- */

static bool same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static mode_t type_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

static void scenario_resolve(const char *base, void *arg)
{
	char root[256], host[256], p[768], t[768];
	cleanup_close int rootfd = -1;
	struct {
		const char *path, *want;
		int err;
	} cases[] = {
	    {"a/b/c", "a/b/c", 0},	   {"/abs/c", "a/b/c", 0}, {"rel/b/c", "a/b/c", 0},
	    {"a/up/a/b", "a/b", 0},	   {"../../a", "a", 0},	   {"abs/../b", "a/b", 0},
	    {"a/b/c/../../../..", ".", 0}, {"", ".", 0},	   {"//", ".", 0},
	    {"linkfile", "file", 0},	   {"loop1", NULL, ELOOP}, {"loop1/x", NULL, ELOOP},
	    {"file/x", NULL, ENOTDIR},	   {"host", NULL, ENOENT}, {"hostrel/marker", NULL, ENOENT},
	};

	snprintf(root, sizeof(root), "%s/r", base);
	snprintf(host, sizeof(host), "%s/hostside", base);
	snprintf(p, sizeof(p), "%s/marker", host);
	put_file(p, "host");
	snprintf(p, sizeof(p), "%s/a/b/c/keep", root);
	put_file(p, "");
	snprintf(p, sizeof(p), "%s/file", root);
	put_file(p, "f");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	symlinkat("/a/b", rootfd, "abs");
	symlinkat("../../../a", rootfd, "rel");
	symlinkat("../..", rootfd, "a/up");
	symlinkat("file", rootfd, "linkfile");
	symlinkat("loop2", rootfd, "loop1");
	symlinkat("/loop1", rootfd, "loop2");
	symlinkat(host, rootfd, "host");
	snprintf(t, sizeof(t), "../../../../..%s", host);
	symlinkat(t, rootfd, "hostrel");
	symlinkat("/made/here", rootfd, "dangling");
	symlinkat("/made/there", rootfd, "dangling2");

	for (int walk = 0; walk < 2; walk++) {
		const char *how = walk ? "walk" : "openat2";

		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			cleanup_close int fd =
			    walk ? husk_resolve_walk(rootfd, cases[i].path, 0, NULL)
				 : husk_resolve(rootfd, cases[i].path, 0, NULL, NULL);
			int e = errno;

			snprintf(p, sizeof(p), "%s/%s", root, cases[i].want ? cases[i].want : "");
			if (cases[i].want)
				report(fd >= 0 && same_file(fd, p), "%s: `%s` is rootfs/%s", how,
				       cases[i].path, cases[i].want);
			else
				report(fd < 0 && e == cases[i].err, "%s: `%s` fails with %s (%s)",
				       how, cases[i].path, strerror(cases[i].err),
				       fd < 0 ? strerror(e) : "succeeded");
		}
	}

	/* creation follows symlinks inside the rootfs, never onto the host */
	close(husk_resolve_walk(rootfd, "dangling/sub", HUSK_RESOLVE_MKDIR, NULL));
	snprintf(p, sizeof(p), "%s/made/here/sub", root);
	report(type_of(p) == S_IFDIR, "walk: mkdir through a dangling symlink lands inside");
	close(husk_resolve(rootfd, "dangling2/sub", HUSK_RESOLVE_MKDIR, NULL, NULL));
	snprintf(p, sizeof(p), "%s/made/there/sub", root);
	report(type_of(p) == S_IFDIR, "openat2: mkdir through a dangling symlink lands inside");
	close(husk_resolve_walk(rootfd, "host/x", HUSK_RESOLVE_MKDIR, NULL));
	close(husk_resolve(rootfd, "host/y", HUSK_RESOLVE_MKDIR, NULL, NULL));
	snprintf(p, sizeof(p), "%s%s/x", root, host);
	snprintf(t, sizeof(t), "%s%s/y", root, host);
	report(type_of(p) == S_IFDIR && type_of(t) == S_IFDIR,
	       "mkdir through a symlink to a host path creates it inside the rootfs");
	snprintf(p, sizeof(p), "%s/x", host);
	snprintf(t, sizeof(t), "%s/y", host);
	report(type_of(p) == 0 && type_of(t) == 0, "... and nothing on the host");
	close(husk_resolve_walk(rootfd, "nd/nf", HUSK_RESOLVE_MKFILE, NULL));
	snprintf(p, sizeof(p), "%s/nd/nf", root);
	report(type_of(p) == S_IFREG, "walk: MKFILE makes parents and a file");
	snprintf(t, sizeof(t), "%s/marker", host);
	close(husk_resolve(rootfd, "likefile", HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE, t, NULL));
	close(
	    husk_resolve(rootfd, "likedir", HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE, host, NULL));
	close(husk_resolve_walk(rootfd, "wlikefile", HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE, t));
	snprintf(p, sizeof(p), "%s/likefile", root);
	report(type_of(p) == S_IFREG, "a missing bind destination is a file for a file source");
	snprintf(p, sizeof(p), "%s/likedir", root);
	report(type_of(p) == S_IFDIR, "... and a directory for a directory source");
	snprintf(p, sizeof(p), "%s/wlikefile", root);
	report(type_of(p) == S_IFREG, "... with the walk too");
	{
		unsigned probe = 0;
		int blocked = block_openat2();
		cleanup_close int fd = husk_resolve(rootfd, "/abs/c", 0, NULL, &probe);

		report(blocked == 0, "seccomp filter against openat2");
		snprintf(p, sizeof(p), "%s/a/b/c", root);
		report(fd >= 0 && same_file(fd, p) && (probe & HUSK_RESOLVE_NO_OPENAT2),
		       "ENOSYS from openat2: falls back to the walk and remembers it");
	}
}

static void scenario_pure(const char *base, void *arg)
{
	struct {
		const char *in, *want;
	} clean[] = {
	    {"", "/"},
	    {"/", "/"},
	    {"a/b", "/a/b"},
	    {"//a//b/", "/a/b"},
	    {"/a/./b/..", "/a"},
	    {"../../x", "/x"},
	    {"/a/../../b/./c", "/b/c"},
	};
	char out[64], *d;

	for (size_t i = 0; i < ARRAY_SIZE(clean); i++)
		report(husk_clean_path(clean[i].in, out, sizeof(out)) == 0 &&
			   strcmp(out, clean[i].want) == 0,
		       "clean `%s` = `%s` (%s)", clean[i].in, clean[i].want, out);
	report(husk_clean_path("/0123456789/0123456789/0123456789/0123456789/0123456789/0123456789",
			       out, sizeof(out)) < 0 &&
		   errno == ENAMETOOLONG,
	       "clean: too long is an error, not a shorter path");
	d = husk_lsm_format_mount_data("mode=755", "system_u:object_r:x_t:s0:c1,c2");
	report(d && strcmp(d, "mode=755,context=\"system_u:object_r:x_t:s0:c1,c2\"") == 0,
	       "mount label appended to data (%s)", d);
	free(d);
	d = husk_lsm_format_mount_data(NULL, "l");
	report(d && strcmp(d, "context=\"l\"") == 0, "mount label alone");
	free(d);
	report(husk_lsm_format_mount_data(NULL, NULL) == NULL, "no label, no data");
}

void run_resolve_tests(const char *base)
{
	run_scenario("paths", base, 0, scenario_pure, NULL);
	run_scenario("resolve", base, 0, scenario_resolve, NULL);
}

/* ---- errors name the mount ---- */

struct err_case {
	const char *name;
	struct husk_mount mounts[3];
	size_t n;
	const char *propagation;
	const char *want; /* substring of the error; NULL: must succeed */
};

static void scenario_error(const char *base, void *arg)
{
	const struct err_case *ec = arg;
	char root[256], p[512];
	struct husk_error err = {0};
	struct husk_spec spec = {
	    .mounts = (struct husk_mount *)ec->mounts,
	    .n_mounts = ec->n,
	    .has_linux = true,
	    .linux_ = {.rootfs_propagation = (char *)ec->propagation},
	};
	struct husk_rootfs_opts o = {.rootfs = root};
	int r;

	snprintf(root, sizeof(root), "%s/root", base);
	if (make_rootfs(root) < 0) {
		report_errno(-1, "make rootfs");
		return;
	}
	snprintf(p, sizeof(p), "%s/sneaky", root);
	symlink("/proc/sys", p);
	snprintf(p, sizeof(p), "%s/uptime", base);
	put_file(p, "42.0 42.0\n");
	r = husk_rootfs_setup(&spec, &o, &err);
	if (ec->want)
		report(r < 0 && err.msg && strstr(err.msg, ec->want), "error `%s` (got `%s`)",
		       ec->want, err.msg ? err.msg : "success");
	else
		report(r == 0, "succeeds # %s", err.msg ? err.msg : "");
	free(err.msg);
	if (r == 0 && ec->want == NULL) {
		char buf[64] = {0};
		cleanup_close int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
		report(fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 &&
			   strcmp(buf, "42.0 42.0\n") == 0,
		       "bind over /proc/uptime (lxcfs style) is allowed");
	}
}

void run_error_tests(const char *base)
{
	char uptime[300];
	struct err_case cases[] = {
	    {"inside proc",
	     {MNT("/proc", "proc", "proc", NULL), MNT("/proc/sys", "tmpfs", "tmpfs", NULL)},
	     2,
	     NULL,
	     "mount `tmpfs` on `/proc/sys` (mounts[1]): not allowed on or inside /proc"},
	    {"symlink into proc",
	     {MNT("/proc", "proc", "proc", NULL), MNT("/sneaky", "tmpfs", "tmpfs", NULL)},
	     2,
	     NULL,
	     "mount `tmpfs` on `/sneaky` (mounts[1])"},
	    {"unknown fs type",
	     {MNT("/x", "nosuchfs", "src", NULL)},
	     1,
	     NULL,
	     "mount `src` on `/x` (mounts[0]): No such device"},
	    {"missing bind source",
	     {MNT("/y", "bind", "/nonexistent-husk", OPTS("bind"))},
	     1,
	     NULL,
	     "mount `/nonexistent-husk` on `/y` (mounts[0]): No such file or directory"},
	    {"bad propagation",
	     {MNT("/proc", "proc", "proc", NULL)},
	     1,
	     "sideways",
	     "linux.rootfsPropagation: unknown value `sideways`"},
	    {"idmap on a tmpfs",
	     {MNT("/t", "tmpfs", "tmpfs", OPTS("idmap"))},
	     1,
	     NULL,
	     "config.json: mounts[0]: mount `tmpfs` on `/t`: idmapped mounts must be bind mounts"},
	    {"lxcfs",
	     {MNT("/proc", "proc", "proc", NULL),
	      MNT("/proc/uptime", "bind", uptime, OPTS("bind"))},
	     2,
	     NULL,
	     NULL},
	};

	snprintf(uptime, sizeof(uptime), "%s/uptime", base);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_scenario(cases[i].name, base, 0, scenario_error, &cases[i]);
}

/* ---- cgroup mounts ---- */

static void check_hierarchy(const char *dir, const char *controllers, const char *path,
			    bool cgroupns)
{
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e = find_mount(&mi, dir);
	bool v2 = *controllers == '\0';

	report(e && strcmp(e->fstype, v2 ? "cgroup2" : "cgroup") == 0 &&
		   husk_opt_has(e->options, "ro") && husk_opt_has(e->options, "nosuid"),
	       "%s: %s ro,nosuid (%s %s)", dir, v2 ? "cgroup2" : controllers,
	       e ? e->fstype : "missing", e ? e->options : "");
	if (e && !v2) {
		bool all = true;
		for (char *c = strdupa(controllers), *s = NULL, *one = strtok_r(c, ",", &s); one;
		     one = strtok_r(NULL, ",", &s))
			all = all && husk_opt_has(e->super_options, one);
		report(all, "%s has %s (%s)", dir, controllers, e->super_options);
	}
	/* in a cgroupns the container sees its own cgroup as the root */
	if (e)
		report(strcmp(e->root, cgroupns ? "/" : path) == 0, "%s shows `%s` (root %s)", dir,
		       cgroupns ? "/" : path, e->root);
	husk_mountinfo_clear(&mi);
}

static void scenario_cgroup(const char *base, void *arg)
{
	bool cgroupns = (uintptr_t)arg & 1, v2only = (uintptr_t)arg & 2;
	char root[256], dir[512], *cg = NULL, *save = NULL;
	struct husk_error err = {0};
	struct husk_mountinfo host;
	size_t len;
	bool v1 = false, unified = false;

	struct husk_mount mounts[] = {
	    MNT("/proc", "proc", "proc", NULL),
	    MNT("/sys/fs/cgroup", "cgroup", "cgroup",
		OPTS("nosuid", "noexec", "nodev", "relatime", "ro")),
	};
	struct husk_spec spec = {.mounts = mounts, .n_mounts = ARRAY_SIZE(mounts)};
	struct husk_rootfs_opts o = {.rootfs = root, .cgroupns = cgroupns};

	snprintf(root, sizeof(root), "%s/root", base);
	/* pretend a cgroup v2 only host: our namespace sees one cgroup2 mount */
	if (v2only && (umount2("/sys/fs/cgroup", MNT_DETACH) < 0 ||
		       mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
			     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)) {
		report_errno(-1, "make a cgroup v2 only view");
		return;
	}
	if (make_rootfs(root) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, &len, &err) < 0 ||
	    husk_mountinfo_read("/proc/self/mountinfo", &host) < 0) {
		report_errno(-1, "prepare");
		free(err.msg);
		return;
	}
	for (size_t i = 0; i < host.n; i++) {
		v1 = v1 || strcmp(host.v[i].fstype, "cgroup") == 0;
		unified = unified || strcmp(host.v[i].fstype, "cgroup2") == 0;
	}
	husk_mountinfo_clear(&host);

	if (husk_rootfs_setup(&spec, &o, &err) < 0) {
		report(false, "rootfs setup # %s", err.msg);
		free(err.msg);
		free(cg);
		return;
	}
	report(true, "rootfs setup");
	if (!v1) {
		char *path = strncmp(cg, "0::", 3) == 0 ? cg + 3 : strstr(cg, "\n0::");
		if (path && *path == '\n')
			path += 4;
		if (path)
			path[strcspn(path, "\n")] = '\0';
		check_hierarchy("/sys/fs/cgroup", "", path ? path : "?", cgroupns);
		free(cg);
		return;
	}
	report(statfs("/sys/fs/cgroup", &(struct statfs){0}) == 0 &&
		   mount_has_opt("/sys/fs/cgroup", "ro"),
	       "v1: a read-only tmpfs on /sys/fs/cgroup");
	for (char *line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *controllers = strchr(line, ':'), *path;
		const char *name;

		if (!controllers || !(path = strchr(++controllers, ':')))
			continue;
		*path++ = '\0';
		if (*controllers == '\0') {
			if (unified)
				check_hierarchy("/sys/fs/cgroup/unified", "", path, cgroupns);
			continue;
		}
		name = strncmp(controllers, "name=", 5) == 0 ? controllers + 5 : controllers;
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", name);
		check_hierarchy(dir, controllers, path, cgroupns);
		if (strchr(name, ',')) {
			char *c = strdupa(name), *s = NULL;
			for (char *one = strtok_r(c, ",", &s); one; one = strtok_r(NULL, ",", &s)) {
				char l[256];
				ssize_t n;
				snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", one);
				n = readlink(dir, l, sizeof(l) - 1);
				report(n > 0 && (l[n] = '\0', strcmp(l, name) == 0), "%s -> %s",
				       dir, name);
			}
		}
	}
	free(cg);
}

void run_cgroup_tests(const char *base)
{
	run_scenario("cgroup without cgroupns", base, 0, scenario_cgroup, NULL);
	run_scenario("cgroup with cgroupns", base, CLONE_NEWCGROUP, scenario_cgroup, (void *)1);
	run_scenario("cgroup v2 only", base, 0, scenario_cgroup, (void *)2);
	run_scenario("cgroup v2 only with cgroupns", base, CLONE_NEWCGROUP, scenario_cgroup,
		     (void *)3);
}

/* ---- the default config.json of `husk spec` (and --rootless), parsed ---- */

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void default_container(const char *root, bool rootless)
{
	cleanup_free char *json = husk_spec_template(rootless, true);
	cleanup_spec struct husk_spec *spec = NULL;
	struct husk_error err = {0};
	struct husk_rootfs_opts o = {.rootfs = root, .cgroupns = true, .userns = rootless};
	struct husk_mountinfo mi;
	double t0, t1, t2;
	struct stat st;
	int r;

	if (husk_spec_parse(json, strlen(json), "config.json", &spec, &err) < 0) {
		report(false, "parse the template # %s", err.msg);
		free(err.msg);
		return;
	}
	t0 = now_us();
	r = husk_rootfs_setup(spec, &o, &err);
	t1 = now_us();
	if (r == 0)
		r = husk_rootfs_finalize(spec, &o, &err);
	t2 = now_us();
	report(r == 0, "setup and finalize (%.0f + %.0f us) # %s", t1 - t0, t2 - t1,
	       err.msg ? err.msg : "");
	free(err.msg);
	if (r < 0)
		return;
	report(is_ro("/") && fs_is("/proc", PROC_SUPER_MAGIC) &&
		   fs_is("/dev/pts", DEVPTS_SUPER_MAGIC),
	       "read-only root, proc, devpts");
	report(fs_is("/sys", SYSFS_MAGIC) && is_ro("/sys"), "read-only sysfs");
	report(is_ro("/sys/fs/cgroup") && find_mount(&mi, "/sys/fs/cgroup") != NULL,
	       "read-only /sys/fs/cgroup");
	husk_mountinfo_clear(&mi);
	report(is_ro("/proc/sys") && is_ro("/proc/bus") && is_ro("/proc/fs") && is_ro("/proc/irq"),
	       "readonlyPaths");
	report(stat("/proc/keys", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	       "/proc/keys masked with /dev/null");
	report(access("/dev/null", W_OK) == 0 && access("/dev/urandom", R_OK) == 0 &&
		   lstat("/dev/ptmx", &st) == 0 && S_ISLNK(st.st_mode),
	       "default devices");
	report(open("/dev/pts/ptmx", O_RDWR | O_CLOEXEC) >= 0, "a new devpts instance");
}

static void scenario_default(const char *base, void *arg)
{
	bool rootless = arg != NULL;
	char root[256];
	pid_t pid;
	int status;

	snprintf(root, sizeof(root), "%s/root", base);
	if (make_rootfs(root) < 0) {
		report_errno(-1, "make rootfs");
		return;
	}
	if (rootless &&
	    (unshare(CLONE_NEWUSER) < 0 || write_str("/proc/self/setgroups", "deny") < 0 ||
	     write_str("/proc/self/uid_map", "0 0 1") < 0 ||
	     write_str("/proc/self/gid_map", "0 0 1") < 0)) {
		report_errno(-1, "enter a user namespace");
		return;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWCGROUP) < 0) {
		report_errno(-1, "unshare");
		return;
	}
	pid = fork();
	if (pid == 0) {
		default_container(root, rootless);
		_exit(0);
	}
	report(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0,
	       "container child");
}

void run_default_tests(const char *base)
{
	run_scenario("default config", base, 0, scenario_default, NULL);
	run_scenario("default rootless config", base, 0, scenario_default, (void *)1);
}

/* ---- image-controlled paths (issue 9): no-symlink opens, procfs handle, fd binds ---- */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "procfs.h"

/* openat2, open_tree, fsopen fail with ENOSYS: the fallbacks of older kernels */
static int block_new_mount_api(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 3, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open_tree, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fsopen, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(f), .filter = f};

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
	errno = ENOTSUP;
	return -1;
#endif
}

static bool fd_reads(int fd, const char *want)
{
	char buf[64] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n >= 0 && strncmp(buf, want, strlen(want)) == 0;
}

static void scenario_sec_paths(const char *base, void *arg)
{
	const char *mode = arg ? " (no openat2, open_tree, fsopen)" : "";
	char p[512], q[512];
	struct husk_error err = {0};
	struct stat st;
	int fd, procfd, src, dst;

	if (arg)
		report_errno(block_new_mount_api(), "seccomp filter against the new mount API");
	snprintf(p, sizeof(p), "%s/real/f", base);
	put_file(p, "real");
	snprintf(p, sizeof(p), "%s/link", base);
	symlink("real", p);

	/* husk_open_nofollow */
	snprintf(p, sizeof(p), "%s/real/f", base);
	fd = husk_open_nofollow(p, O_RDONLY);
	report(fd >= 0 && fd_reads(fd, "real"), "open_nofollow opens a plain path%s", mode);
	close(fd);
	snprintf(p, sizeof(p), "%s/link/f", base);
	fd = husk_open_nofollow(p, O_RDONLY);
	report(fd < 0 && errno == ELOOP, "open_nofollow: a symlink on the way is ELOOP%s # %s",
	       mode, fd < 0 ? strerror(errno) : "opened");
	close(fd);
	snprintf(p, sizeof(p), "%s/link", base);
	fd = husk_open_nofollow(p, O_PATH);
	report(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	       "open_nofollow: a trailing symlink is the link itself with O_PATH%s", mode);
	close(fd);
	fd = husk_open_nofollow(p, O_RDONLY);
	report(fd < 0 && errno == ELOOP, "open_nofollow: a trailing symlink is ELOOP%s", mode);
	close(fd);

	/* the procfs handle */
	procfd = husk_procfs_open(&err);
	report(procfd >= 0, "procfs handle%s # %s", mode, err.msg ? err.msg : "");
	husk_error_clear(&err);
	fd = husk_procfs_open_at(procfd, "sys/kernel/ostype", O_RDONLY);
	report(fd >= 0 && fd_reads(fd, "Linux"), "procfs: sys/kernel/ostype%s", mode);
	close(fd);
	fd = husk_procfs_open_at(procfd, "self/status", O_RDONLY);
	report(fd >= 0 && fd_reads(fd, "Name:"), "procfs: self/ is read by hand%s", mode);
	close(fd);
	fd = husk_procfs_open_at(procfd, "thread-self/attr/current", O_RDONLY);
	report(fd >= 0 || errno == EINVAL || errno == ENOENT,
	       "procfs: thread-self/ is read by hand%s # %s", mode, fd < 0 ? strerror(errno) : "");
	close(fd);
	fd = husk_procfs_open_at(procfd, "net/dev", O_RDONLY);
	report(fd < 0 && (errno == ELOOP || errno == ENOTDIR), "procfs: the net link is refused%s",
	       mode);
	close(fd);
	fd = husk_procfs_open_at(procfd, "self/root/etc", O_PATH);
	report(fd < 0 && (errno == ELOOP || errno == ENOTDIR),
	       "procfs: a magic link below self/ is refused%s", mode);
	close(fd);
	close(procfd);
	/* a mount over a /proc file: the mounted /proc as the handle must see it */
	procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/real/f", base);
	report_errno(mount(p, "/proc/sys/kernel/ostype", NULL, MS_BIND, NULL),
		     "bind a file over /proc/sys/kernel/ostype");
	fd = husk_procfs_open_at(procfd, "sys/kernel/ostype", O_RDONLY);
	report(fd < 0 && errno == EXDEV, "procfs: a file mounted over is EXDEV%s # %s", mode,
	       fd < 0 ? strerror(errno) : "opened");
	close(fd);
	umount2("/proc/sys/kernel/ostype", MNT_DETACH);
	close(procfd);

	/* husk_bind_fd */
	snprintf(p, sizeof(p), "%s/src", base);
	put_file(p, "source");
	snprintf(q, sizeof(q), "%s/dst", base);
	put_file(q, "target");
	src = open(p, O_PATH | O_CLOEXEC);
	dst = open(q, O_PATH | O_CLOEXEC);
	report_errno(husk_bind_fd(src, p, dst, q), "bind_fd%s", mode);
	fd = open(q, O_RDONLY | O_CLOEXEC);
	report(fd >= 0 && fd_reads(fd, "source"), "bind_fd: the target shows the source%s", mode);
	close(fd);
	umount2(q, MNT_DETACH);
	close(src);
	close(dst);
}

void run_sec_path_tests(const char *base)
{
	run_scenario("image paths", base, 0, scenario_sec_paths, NULL);
	run_scenario("image paths, old kernel", base, 0, scenario_sec_paths, (void *)1);
}
