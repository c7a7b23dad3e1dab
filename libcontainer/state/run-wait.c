/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk run` in the foreground: wait for the init, forwarding the signals we
 * receive to it (like runc), and, for `run` of a terminal container without
 * --console-socket, relay our stdio to the container's pty.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "state/lifecycle.h"
#include "state/notify.h"
#include "utils.h"

int husk_recv_fd(int sock, struct husk_error *err)
{
	char data[64];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) < 0)
		return husk_error_errno(err, "receive the container's pty");
	c = CMSG_FIRSTHDR(&m);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return husk_error_set(err, EPROTO, "receive the container's pty: no fd");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* Copy what is readable from `from` to `to`; false on EOF/error. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	return write_all(to, buf, (size_t)n) == 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

int husk_run_wait(pid_t pid, int master, struct husk_notify *ntf, int *status,
		  struct husk_error *err)
{
	sigset_t all;
	cleanup_close int sfd = -1;
	struct termios saved, raw;
	bool raw_mode = false, in_open = master >= 0, out_open = master >= 0;
	int st, r = 0;

	sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return husk_error_errno(err, "signalfd");
	if (master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(0, TCSANOW, &raw) == 0;
		copy_winsize(0, master);
	}
	for (;;) {
		struct pollfd p[4] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = in_open ? 0 : -1, .events = POLLIN},
		    {.fd = out_open ? master : -1, .events = POLLIN},
		    {.fd = ntf ? ntf->listen_fd : -1, .events = POLLIN},
		};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = husk_error_errno(err, "poll");
			break;
		}
		/* runc's run: MAINPID is ours, the process systemd should watch */
		if (p[3].revents & POLLIN)
			husk_notify_handle(ntf, getpid());
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			out_open = pump(master, 1);
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			in_open = pump(0, master);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			pid_t w;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo == SIGWINCH && master >= 0) {
				copy_winsize(0, master);
				continue;
			}
			if (si.ssi_signo != SIGCHLD) {
				kill(pid, (int)si.ssi_signo);
				continue;
			}
			while ((w = waitpid(-1, &st, WNOHANG)) > 0 && w != pid)
				;
			if (w == pid) {
				/* drain what the container wrote last, without blocking */
				if (out_open) {
					char buf[8192];
					ssize_t n;
					fcntl(master, F_SETFL, O_NONBLOCK);
					while ((n = read(master, buf, sizeof buf)) > 0)
						write_all(1, buf, (size_t)n);
				}
				*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
				break;
			}
		}
	}
	if (raw_mode)
		tcsetattr(0, TCSANOW, &saved);
	return r;
}
