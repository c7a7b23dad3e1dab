/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny seccomp agent for tests: listens on a unix socket (the config's
 * linux.seccomp.listenerPath), takes the container process state and the
 * notify fd of each connection, appends the state JSON as one line to
 * STATE_FILE, and answers notified syscalls:
 *   mkdir, mkdirat    succeed (return 0) without doing anything
 *   everything else   runs as if not notified (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 *
 *   seccomp-agent SOCKET STATE_FILE
 *
 * It runs until killed (SIGTERM); it prints "ready" on stdout once it listens.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
	fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One connection: the JSON (until EOF) and the fd of the first message. */
static int take(int lsock, const char *state_file)
{
	char buf[65536];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control.b,
			    .msg_controllen = sizeof(control.b)};
	struct cmsghdr *cmsg;
	size_t len;
	ssize_t n;
	int conn, fd = -1, out;

	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return -1;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	len = (size_t)n;
	cmsg = CMSG_FIRSTHDR(&mh);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	while (len < sizeof(buf) - 1 && (n = read(conn, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(conn);
	buf[len] = '\n';
	out = open(state_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0 || write(out, buf, len + 1) != (ssize_t)(len + 1))
		die(state_file);
	close(out);
	return fd;
}

/* Answer one notification on fd; -1 when the fd is done. */
static int answer(int fd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		/* ENOENT: the task died or was interrupted before we got it */
		return errno == ENOENT || errno == EINTR ? 0 : -1;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (
#ifdef SYS_mkdir
	    req.data.nr == SYS_mkdir ||
#endif
	    req.data.nr == SYS_mkdirat)
		resp.val = 0;
	else
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the task is gone meanwhile */
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct pollfd pfds[MAX_FDS + 1];
	size_t n = 0;
	int lsock;

	if (argc != 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE_FILE\n");
		return 2;
	}
	memcpy(addr.sun_path, argv[1], strlen(argv[1]));
	unlink(argv[1]);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lsock, 16) < 0)
		die(argv[1]);
	printf("ready\n");
	fflush(stdout);

	pfds[0] = (struct pollfd){.fd = lsock, .events = POLLIN};
	for (;;) {
		if (poll(pfds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (size_t i = n; i >= 1; i--) {
			if (pfds[i].revents & POLLIN && answer(pfds[i].fd) == 0)
				continue;
			if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
				/* every task of the filter is gone */
				close(pfds[i].fd);
				pfds[i] = pfds[n--];
			}
		}
		if (pfds[0].revents & POLLIN) {
			int fd = take(lsock, argv[2]);

			if (fd >= 0 && n < MAX_FDS)
				pfds[++n] = (struct pollfd){.fd = fd, .events = POLLIN};
			else if (fd >= 0)
				close(fd);
		}
	}
}
