// SPDX-License-Identifier: Apache-2.0
/*
 * checker: the conformance suite's probe, built with `gcc -static` and run as
 * the container's process.  It reports what the process sees, one
 * `key=value` line each on stdout; run.py compares that with config.json.
 *
 *   checker CMD...    CMD is one of:
 *     info            status fields, ids, caps, rlimits, namespaces, cwd, env,
 *                     hostname, personality, io/cpu scheduling, fds, ttys
 *     mountinfo       every line of /proc/self/mountinfo as mnt=LINE
 *     stat:PATH       lstat: TYPE MAJOR MINOR MODE UID GID [-> TARGET]
 *     read:PATH       bytes read (files) or entries (directories), or the errno
 *     write:PATH      open(O_WRONLY|O_CREAT) + write, `ok` or the errno
 *     cat:PATH        first line of the file, or the errno
 *     sys:NAME        calls getpriority, getsid, getpgid0 (getpgid(0)) or
 *                     getpgid1 (getpgid(1)); `RET ERRNO`
 *     touch:PATH      creates PATH with the text `ran`
 *     waitsig:PATH    waits for SIGUSR1/SIGTERM/SIGINT, writes its number to PATH
 *     sleep:SECONDS   sleeps
 *     exit:N          exits with status N
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static void print_escaped(const char *key, const char *val)
{
	printf("%s=", key);
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		if (*p == '\n')
			printf("\\n");
		else if (*p < 32 || *p > 126)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static void status_fields(void)
{
	static const char *keys[] = {"Uid",    "Gid",	     "Groups",	"Umask",
				     "CapInh", "CapPrm",     "CapEff",	"CapBnd",
				     "CapAmb", "NoNewPrivs", "Seccomp", NULL};
	char line[4096];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		printf("status=err %s\n", ename(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *v;

		if (!colon)
			continue;
		*colon = '\0';
		for (int i = 0; keys[i]; i++) {
			if (strcmp(line, keys[i]) != 0)
				continue;
			v = colon + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			for (char *t = v; *t; t++)
				if (*t == '\t')
					*t = ' ';
			printf("status.%s=%s\n", keys[i], v);
		}
	}
	fclose(f);
}

static void cat_file(const char *key, const char *path, int all_lines)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		printf("%s=err %s\n", key, ename(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		printf("%s=err %s\n", key, ename(errno));
		return;
	}
	buf[n] = '\0';
	if (!all_lines)
		buf[strcspn(buf, "\n")] = '\0';
	else if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	print_escaped(key, buf);
}

static void info(void)
{
	static const struct {
		const char *name;
		int res;
	} rl[] = {
	    {"AS", RLIMIT_AS},
	    {"CORE", RLIMIT_CORE},
	    {"CPU", RLIMIT_CPU},
	    {"DATA", RLIMIT_DATA},
	    {"FSIZE", RLIMIT_FSIZE},
	    {"LOCKS", RLIMIT_LOCKS},
	    {"MEMLOCK", RLIMIT_MEMLOCK},
	    {"MSGQUEUE", RLIMIT_MSGQUEUE},
	    {"NICE", RLIMIT_NICE},
	    {"NOFILE", RLIMIT_NOFILE},
	    {"NPROC", RLIMIT_NPROC},
	    {"RSS", RLIMIT_RSS},
	    {"RTPRIO", RLIMIT_RTPRIO},
	    {"RTTIME", RLIMIT_RTTIME},
	    {"SIGPENDING", RLIMIT_SIGPENDING},
	    {"STACK", RLIMIT_STACK},
	};
	static const char *ns[] = {"cgroup", "ipc",  "mnt", "net", "pid",
				   "time",   "user", "uts", NULL};
	char buf[4096], key[64];
	struct utsname u;
	struct winsize ws;
	cpu_set_t set;
	DIR *d;
	struct dirent *de;

	status_fields();
	printf("pid=%d\nppid=%d\n", getpid(), getppid());
	printf("ids=%u %u %u %u\n", getuid(), geteuid(), getgid(), getegid());
	if (getcwd(buf, sizeof(buf)))
		printf("cwd=%s\n", buf);
	else
		printf("cwd=err %s\n", ename(errno));
	for (char **e = environ; *e; e++)
		print_escaped("env", *e);
	if (uname(&u) == 0) {
		printf("hostname=%s\n", u.nodename);
		printf("domainname=%s\n", u.domainname);
	}
	for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++) {
		struct rlimit r;

		if (getrlimit(rl[i].res, &r) == 0)
			printf("rlimit.%s=%llu %llu\n", rl[i].name, (unsigned long long)r.rlim_cur,
			       (unsigned long long)r.rlim_max);
	}
	for (int i = 0; ns[i]; i++) {
		struct stat st;

		snprintf(buf, sizeof(buf), "/proc/self/ns/%s", ns[i]);
		if (stat(buf, &st) == 0)
			printf("ns.%s=%llu\n", ns[i], (unsigned long long)st.st_ino);
		else
			printf("ns.%s=err %s\n", ns[i], ename(errno));
	}
	cat_file("uid_map", "/proc/self/uid_map", 1);
	cat_file("gid_map", "/proc/self/gid_map", 1);
	cat_file("oom_score_adj", "/proc/self/oom_score_adj", 0);
	cat_file("cgroup", "/proc/self/cgroup", 1);
	printf("personality=%d\n", personality(0xffffffff));
	errno = 0;
	{
		long r = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);

		if (r < 0)
			printf("ioprio=err %s\n", ename(errno));
		else
			printf("ioprio=%ld %ld\n", r >> 13, r & 0xff);
	}
	printf("sched_policy=%d\n", sched_getscheduler(0) & ~SCHED_RESET_ON_FORK);
	errno = 0;
	{
		int nice = getpriority(PRIO_PROCESS, 0);

		if (errno)
			printf("nice=err %s\n", ename(errno));
		else
			printf("nice=%d\n", nice);
	}
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		buf[0] = '\0';
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%d",
					 buf[0] ? "," : "", c);
		printf("affinity=%s\n", buf);
	}
	d = opendir("/proc/self/fd");
	if (d) {
		int self = dirfd(d);

		buf[0] = '\0';
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || atoi(de->d_name) == self)
				continue;
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "," : "", de->d_name);
		}
		closedir(d);
		printf("fds=%s\n", buf);
	}
	for (int fd = 0; fd < 3; fd++) {
		snprintf(key, sizeof(key), "isatty.%d", fd);
		printf("%s=%d\n", key, isatty(fd));
	}
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		printf("winsize=%u %u\n", ws.ws_row, ws.ws_col);
}

static char ftype(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return 'f';
	case S_IFDIR:
		return 'd';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	case S_IFLNK:
		return 'l';
	case S_IFSOCK:
		return 's';
	}
	return '?';
}

static void do_stat(const char *arg, const char *path)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (lstat(path, &st) < 0) {
		printf("%s=err %s\n", arg, ename(errno));
		return;
	}
	printf("%s=%c %u %u %04o %u %u", arg, ftype(st.st_mode), major(st.st_rdev),
	       minor(st.st_rdev), (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid);
	if (S_ISLNK(st.st_mode) && (n = readlink(path, target, sizeof(target) - 1)) >= 0) {
		target[n] = '\0';
		printf(" -> %s", target);
	}
	putchar('\n');
}

static void do_read(const char *arg, const char *path)
{
	struct stat st;
	char buf[65536];
	long total = 0;
	ssize_t n;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d) {
			printf("%s=err %s\n", arg, ename(errno));
			return;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				total++;
		closedir(d);
		printf("%s=entries %ld\n", arg, total);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		printf("%s=err %s\n", arg, ename(errno));
		return;
	}
	while (total < (1 << 20) && (n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0 && total == 0)
		printf("%s=err %s\n", arg, ename(errno));
	else
		printf("%s=bytes %ld\n", arg, total);
	close(fd);
}

static void do_write(const char *arg, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);

	if (fd < 0) {
		printf("%s=err %s\n", arg, ename(errno));
		return;
	}
	if (write(fd, "1\n", 2) < 0)
		printf("%s=err %s\n", arg, ename(errno));
	else
		printf("%s=ok\n", arg);
	close(fd);
}

static void do_sys(const char *arg, const char *name)
{
	long r = -2;

	errno = 0;
	if (strcmp(name, "getpriority") == 0)
		r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	else if (strcmp(name, "getpgid0") == 0)
		r = syscall(SYS_getpgid, 0);
	else if (strcmp(name, "getpgid1") == 0)
		r = syscall(SYS_getpgid, 1);
	else if (strcmp(name, "getsid") == 0)
		r = syscall(SYS_getsid, 0);
	printf("%s=%ld %s\n", arg, r, r < 0 ? ename(errno) : "0");
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		printf("%s=err %s\n", path, ename(errno));
		return;
	}
	if (write(fd, text, strlen(text)) < 0)
		printf("%s=err %s\n", path, ename(errno));
	close(fd);
}

static void waitsig(const char *path)
{
	sigset_t set;
	int sig = 0;
	char buf[32];

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (sigwait(&set, &sig) != 0)
		exit(3);
	snprintf(buf, sizeof(buf), "%d\n", sig);
	put_file(path, buf);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		char *colon = strchr(a, ':');
		const char *v = colon ? colon + 1 : "";

		if (strcmp(a, "info") == 0)
			info();
		else if (strcmp(a, "mountinfo") == 0) {
			char line[8192];
			FILE *f = fopen("/proc/self/mountinfo", "re");

			while (f && fgets(line, sizeof(line), f)) {
				line[strcspn(line, "\n")] = '\0';
				printf("mnt=%s\n", line);
			}
			if (f)
				fclose(f);
		} else if (strncmp(a, "stat:", 5) == 0)
			do_stat(a, v);
		else if (strncmp(a, "read:", 5) == 0)
			do_read(a, v);
		else if (strncmp(a, "write:", 6) == 0)
			do_write(a, v);
		else if (strncmp(a, "cat:", 4) == 0)
			cat_file(a, v, 0);
		else if (strncmp(a, "sys:", 4) == 0)
			do_sys(a, v);
		else if (strncmp(a, "touch:", 6) == 0)
			put_file(v, "ran\n");
		else if (strncmp(a, "waitsig:", 8) == 0)
			waitsig(v);
		else if (strncmp(a, "sleep:", 6) == 0)
			sleep((unsigned)atoi(v));
		else if (strncmp(a, "exit:", 5) == 0)
			return atoi(v);
		else {
			fprintf(stderr, "checker: unknown command `%s`\n", a);
			return 2;
		}
	}
	printf("done=1\n");
	return 0;
}
