/* SPDX-License-Identifier: Apache-2.0 */
/*
 * terminal.c: a child in its own mount namespace (tmpfs /dev with a private
 * devpts instance: the host's mounts are not touched) sets up a terminal and
 * sends the master over a console socket; we drive it through the master.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int n_tests, n_failed;
static int diag_fd = 2;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(diag_fd, "# ");
	vdprintf(diag_fd, fmt, ap);
	dprintf(diag_fd, "\n");
	va_end(ap);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s (%s)", __FILE__, __LINE__, #cond,            \
			     strerror(errno));                                                     \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

static void result(const char *name, int rc)
{
	n_tests++;
	if (rc != 0)
		n_failed++;
	printf("%s %d - %s\n", rc == 0 ? "ok" : "not ok", n_tests, name);
	fflush(stdout);
}

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* Private /dev: tmpfs, a new devpts instance, /dev/ptmx -> pts/ptmx. */
static int private_dev(void)
{
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755") == 0);
	CHECK(mkdir("/dev/pts", 0755) == 0);
	CHECK(mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		    "newinstance,ptmxmode=0666,mode=0620") == 0);
	CHECK(symlink("pts/ptmx", "/dev/ptmx") == 0);
	return 0;
}

/* The container side: set up the terminal, check it, then echo one line. */
static int child(bool exec, bool console_node)
{
	struct husk_process p = {
	    .terminal = true, .has_console_size = true, .console_height = 30, .console_width = 100};
	struct husk_error e = {0};
	struct winsize ws;
	struct stat st, con;
	char line[128];
	int sock, rc;

	diag_fd = dup(2);
	if (private_dev() < 0)
		return -1;
	/* a device node already there (/dev/null's numbers): bound over, never opened */
	if (console_node)
		CHECK(mknod("/dev/console", S_IFCHR | 0600, makedev(1, 3)) == 0);
	sock = husk_console_socket_connect(sock_path, &e);
	if (sock < 0) {
		diag("connect: %s", e.msg);
		return -1;
	}
	rc = exec ? husk_terminal_setup_exec(sock, &p, &e) : husk_terminal_setup(sock, &p, &e);
	if (rc < 0) {
		diag("terminal setup: %s", e.msg);
		return -1;
	}
	close(sock);
	CHECK(isatty(0) && isatty(1) && isatty(2));
	CHECK(ioctl(0, TIOCGWINSZ, &ws) == 0);
	CHECK(ws.ws_row == 30 && ws.ws_col == 100);
	/* our controlling terminal, in our own session */
	CHECK(getsid(0) == getpid());
	CHECK(tcgetpgrp(0) == getpgrp());
	CHECK(fstat(0, &st) == 0);
	CHECK(fcntl(0, F_GETFD) == 0 && fcntl(1, F_GETFD) == 0 && fcntl(2, F_GETFD) == 0);
	if (exec) {
		CHECK(stat("/dev/console", &con) < 0 && errno == ENOENT);
	} else {
		CHECK(stat("/dev/console", &con) == 0);
		CHECK(S_ISCHR(con.st_mode) && con.st_rdev == st.st_rdev);
	}
	printf("checks:done\n");
	fflush(stdout);
	CHECK(fgets(line, sizeof(line), stdin) != NULL);
	printf("echo:%s", line);
	fflush(stdout);
	return 0;
}

/* Receive one fd with SCM_RIGHTS; the payload into name. */
static int recv_fd(int sock, char *name, size_t size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = name, .iov_len = size - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	name[n] = '\0';
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* Read from fd until `needle` shows up (5 s at most). */
static int read_until(int fd, const char *needle)
{
	char buf[4096];
	size_t len = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	while (len < sizeof(buf) - 1) {
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			break;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, needle))
			return 0;
	}
	buf[len] = '\0';
	diag("did not see `%s` in `%s`", needle, buf);
	return -1;
}

static int run_terminal(bool exec, bool console_node)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct pollfd pfd;
	char name[64];
	unsigned int ptn;
	int lsock, conn = -1, master = -1, status, rc = -1;
	pid_t pid;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	unlink(sock_path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lsock >= 0);
	CHECK(bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(lsock, 1) == 0);

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(child(exec, console_node) == 0 ? 0 : 1);

	pfd = (struct pollfd){.fd = lsock, .events = POLLIN};
	if (poll(&pfd, 1, 5000) != 1) {
		diag("the child did not connect");
		goto out;
	}
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		goto out;
	master = recv_fd(conn, name, sizeof(name));
	if (master < 0) {
		diag("no fd received: %s", strerror(errno));
		goto out;
	}
	if (strcmp(name, "/dev/ptmx") != 0) {
		diag("payload `%s`", name);
		goto out;
	}
	if (ioctl(master, TIOCGPTN, &ptn) < 0) {
		diag("not a pty master");
		goto out;
	}
	if (read_until(master, "checks:done") < 0)
		goto out;
	if (write(master, "hello\n", 6) != 6)
		goto out;
	if (read_until(master, "echo:hello") < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = -1;
	if (master >= 0)
		close(master);
	if (conn >= 0)
		close(conn);
	close(lsock);
	unlink(sock_path);
	return rc;
}

static int test_connect_errors(void)
{
	struct husk_error e = {0};
	char longpath[200];
	char want[300];

	CHECK(husk_console_socket_connect("/nonexistent/husk.sock", &e) < 0);
	CHECK(strcmp(e.msg, "connect to console socket `/nonexistent/husk.sock`: No such file "
			    "or directory") == 0);
	husk_error_clear(&e);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(husk_console_socket_connect(longpath, &e) < 0);
	snprintf(want, sizeof(want), "console socket `%s`: File name too long", longpath);
	CHECK(strcmp(e.msg, want) == 0);
	husk_error_clear(&e);
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/husk-test-terminal.XXXXXX";

	printf("TAP version 13\n");
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (mount namespace, devpts)\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/console.sock", dir);
	result("terminal: master over the socket, winsize, ctty, /dev/console, echo",
	       run_terminal(false, false));
	result("terminal: bound over an existing /dev/console node", run_terminal(false, true));
	result("terminal for exec: no /dev/console", run_terminal(true, false));
	result("console socket connect errors", test_connect_errors());
	rmdir(dir);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
