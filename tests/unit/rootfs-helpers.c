/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs-helpers.h"

static int result_fd = -1; /* child: where results go */
static int n_tests, n_failed;

static void vreport(bool ok, const char *why, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s - ", ok ? "ok" : "not ok");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (!ok && why && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " # %s", why);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write_all(result_fd, line, (size_t)n) < 0)
		_exit(3);
}

void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, NULL, fmt, ap);
	va_end(ap);
}

void report_errno(int r, const char *fmt, ...)
{
	const char *why = r < 0 ? strerror(errno) : NULL;
	va_list ap;

	va_start(ap, fmt);
	vreport(r >= 0, why, fmt, ap);
	va_end(ap);
}

int enter_scratch(const char *base, int extra_flags)
{
	if (unshare(CLONE_NEWNS | extra_flags) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	return mount("tmpfs", base, "tmpfs", 0, "mode=755");
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	struct stat st;

	if (in < 0 || fstat(in, &st) < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		return -1;
	for (off_t off = 0; off < st.st_size;)
		if (sendfile(out, in, &off, (size_t)(st.st_size - off)) <= 0)
			return -1;
	return 0;
}

int make_rootfs(const char *dir)
{
	static const char *const dirs[] = {"bin", "proc", "sys", "dev", "etc", "tmp"};
	char p[4096];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID, "mode=755") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		if (mkdir(p, 0755) < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/bin/busybox", dir);
	if (copy_file("/bin/busybox", p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/bin/sh", dir);
	return symlink("busybox", p);
}

int put_file(const char *path, const char *content)
{
	cleanup_close int fd = -1;
	char dir[4096];
	char *slash;
	struct husk_error err = {0};

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0755, &err) < 0) {
			free(err.msg);
			return -1;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	return write_all(fd, content, strlen(content));
}

int write_str(const char *path, const char *s)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd < 0 ? -1 : write_all(fd, s, strlen(s));
}

const struct husk_mountinfo_entry *find_mount(struct husk_mountinfo *mi, const char *mount_point)
{
	const struct husk_mountinfo_entry *found = NULL;

	if (husk_mountinfo_read("/proc/self/mountinfo", mi) < 0)
		return NULL;
	for (size_t i = 0; i < mi->n; i++)
		if (strcmp(mi->v[i].mount_point, mount_point) == 0)
			found = &mi->v[i];
	return found;
}

bool mount_has_opt(const char *mount_point, const char *opt)
{
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e = find_mount(&mi, mount_point);
	bool r = e && husk_opt_has(e->options, opt);

	husk_mountinfo_clear(&mi);
	return r;
}

const char *mount_fstype(const char *mount_point, char *buf, size_t size)
{
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e = find_mount(&mi, mount_point);

	snprintf(buf, size, "%s", e ? e->fstype : "");
	husk_mountinfo_clear(&mi);
	return buf;
}

const char *mount_optional(const char *mount_point, char *buf, size_t size)
{
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e = find_mount(&mi, mount_point);

	snprintf(buf, size, "%s", e ? e->optional : "");
	husk_mountinfo_clear(&mi);
	return buf;
}

int block_openat2(void)
{
#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif
#ifdef TEST_AUDIT_ARCH
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(f), .filter = f};

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
	errno = ENOTSUP;
	return -1;
#endif
}

void run_scenario(const char *name, const char *base, int unshare_flags,
		  void (*fn)(const char *base, void *arg), void *arg)
{
	int pfd[2], status;
	pid_t pid;
	FILE *in;
	char line[1200];

	fflush(stdout);
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		printf("not ok %d - %s: fork # %s\n", ++n_tests, name, strerror(errno));
		n_failed++;
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		result_fd = pfd[1];
		if (enter_scratch(base, unshare_flags) < 0) {
			report_errno(-1, "%s: enter a mount namespace", name);
			_exit(1);
		}
		fn(base, arg);
		_exit(0);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		bool ok = strncmp(line, "ok", 2) == 0;
		const char *rest = strchr(line, '-');

		n_tests++;
		if (!ok)
			n_failed++;
		printf("%s %d - %s: %s", ok ? "ok" : "not ok", n_tests, name,
		       rest ? rest + 2 : line);
	}
	if (in)
		fclose(in);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("not ok %d - %s: child %s %d\n", ++n_tests, name,
		       WIFEXITED(status) ? "exited" : "killed by signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		n_failed++;
	}
	fflush(stdout);
}

/* In the probe's grandchild: a user namespace 0 -> 1000 held until `hold` closes. */
static int probe_userns(pid_t *pid_out)
{
	int ready[2], hold[2];
	char c = 0, p[64];
	pid_t pid;
	int fd = -1;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		c = unshare(CLONE_NEWUSER) == 0;
		if (write(ready[1], &c, 1) != 1 || !c)
			_exit(1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c) {
		snprintf(p, sizeof(p), "/proc/%d/uid_map", (int)pid);
		if (write_str(p, "0 1000 1") == 0) {
			snprintf(p, sizeof(p), "/proc/%d/gid_map", (int)pid);
			if (write_str(p, "0 1000 1") == 0) {
				snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
				fd = open(p, O_RDONLY | O_CLOEXEC);
			}
		}
	}
	close(hold[1]);
	close(ready[0]);
	*pid_out = pid;
	return fd;
}

int scratch_idmap_support(const char *base)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};
		pid_t ns_pid = -1;
		int ns, tree, r;

		if (enter_scratch(base, 0) < 0)
			_exit(2);
		ns = probe_userns(&ns_pid);
		if (ns_pid > 0)
			waitpid(ns_pid, &status, 0);
		if (ns < 0)
			_exit(2);
		tree = open_tree(AT_FDCWD, base, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree < 0)
			_exit(2);
		attr.userns_fd = (uint64_t)ns;
		r = mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr));
		/* EINVAL: the filesystem lacks FS_ALLOW_IDMAP (tmpfs before 6.3) */
		_exit(r == 0 ? 0 : errno == EINVAL ? 1 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 2)
		return -1;
	return WEXITSTATUS(status) == 0;
}

int tap_done(void)
{
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
