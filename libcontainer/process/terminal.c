/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.terminal: a pty in the container's devpts whose master goes to the
 * console socket (runc's --console-socket protocol) and whose slave becomes
 * the process's controlling terminal and stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "process/process.h"
#include "rootfs/mounts.h"

int husk_console_socket_connect(const char *path, struct husk_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	cleanup_close int fd = -1;

	if (len == 0 || len >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG, "console socket `%s`: %s", path,
				      strerror(len == 0 ? ENOENT : ENAMETOOLONG));
	memcpy(addr.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_errno(err, "console socket: socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_error_errno(err, "connect to console socket `%s`", path);
	return steal_fd(&fd);
}

/* Send `fd` over the unix socket with SCM_RIGHTS; the payload is its name. */
static int send_fd(int sock, int fd, const char *name, struct husk_error *err)
{
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};

	if (send_with_fd(sock, &iov, 1, fd) < 0)
		return husk_error_errno(err, "send the pty master to the console socket");
	return 0;
}

/* The slave of `master`: TIOCGPTPEER (4.13+), else by name. */
static int open_slave(int master, struct husk_error *err)
{
	char name[64];
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return husk_error_errno(err, "open the pty slave");
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return husk_error_errno(err, "ptsname");
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open `%s`", name);
	return fd;
}

/*
 * The mount target /dev/console, created empty if missing (runc: mode 0666).
 * The image may have made it (or /dev) a symlink to any file, a procfs one
 * even (CVE-2025-52565): it is opened following no symlink and must be a
 * regular file or a device, not on procfs or sysfs.
 */
static int open_console_target(struct husk_error *err)
{
	cleanup_close int dev = husk_open_nofollow("/dev", O_PATH | O_DIRECTORY);
	cleanup_close int fd = -1;
	struct statfs sf;
	struct stat st;

	if (dev < 0)
		return husk_error_errno(err, "open `/dev` for the console, following no symlink");
	/* O_EXCL: never open an existing /dev/console (it may be a real device node) */
	fd = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    0666);
	if (fd < 0 && errno != EEXIST)
		return husk_error_errno(err, "create `/dev/console`");
	close(steal_fd(&fd));
	fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open `/dev/console`");
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
		return husk_error_errno(err, "stat `/dev/console`");
	if ((!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) || sf.f_type == PROC_SUPER_MAGIC ||
	    sf.f_type == SYSFS_MAGIC)
		return husk_error_set(err, EPERM,
				      "`/dev/console` is %s: refusing to mount the console on it",
				      S_ISLNK(st.st_mode)   ? "a symlink"
				      : S_ISDIR(st.st_mode) ? "a directory"
				      : S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)
					  ? "on procfs or sysfs"
					  : "not a file or a character device");
	return steal_fd(&fd);
}

/* Bind the slave onto /dev/console, fd to fd. */
static int bind_console(int master, int slave, struct husk_error *err)
{
	char src[32];
	unsigned int n;
	cleanup_close int fd = -1;

	if (ioctl(master, TIOCGPTN, &n) < 0)
		return husk_error_errno(err, "get the pty number");
	snprintf(src, sizeof(src), "/dev/pts/%u", n);
	fd = open_console_target(err);
	if (fd < 0)
		return -1;
	if (husk_bind_fd(slave, src, fd, "/dev/console") < 0)
		return husk_error_errno(err, "mount `%s` on `/dev/console`", src);
	return 0;
}

/* /dev/ptmx (a link into the container's devpts) must open the pty multiplexer */
static int open_ptmx(struct husk_error *err)
{
	cleanup_close int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return husk_error_errno(err, "open `/dev/ptmx`");
	if (fstat(fd, &st) < 0)
		return husk_error_errno(err, "stat `/dev/ptmx`");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
		return husk_error_set(err, EPERM,
				      "`/dev/ptmx` is not the pty multiplexer (char 5:2)");
	return steal_fd(&fd);
}

static int terminal_setup(int socket_fd, const struct husk_process *p, bool console,
			  struct husk_error *err)
{
	cleanup_close int master = -1;
	cleanup_close int slave = -1;
	int fd;

	master = open_ptmx(err);
	if (master < 0)
		return -1;
	if (unlockpt(master) < 0)
		return husk_error_errno(err, "unlockpt");
	slave = open_slave(master, err);
	if (slave < 0)
		return -1;
	if (slave <= 2) {
		/* stdio was closed: keep the slave clear of the dup2 targets below */
		int moved = fcntl(slave, F_DUPFD_CLOEXEC, 3);

		if (moved < 0)
			return husk_error_errno(err, "dup the pty slave");
		close(slave);
		slave = moved;
	}
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};

		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return husk_error_errno(err, "set the console size");
	}
	if (console && bind_console(master, slave, err) < 0)
		return -1;
	if (send_fd(socket_fd, master, "/dev/ptmx", err) < 0)
		return -1;
	close(steal_fd(&master));

	if (setsid() < 0)
		return husk_error_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_error_errno(err, "make the pty the controlling terminal");
	for (fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return husk_error_errno(err, "dup the pty to fd %d", fd);
	return 0;
}

int husk_terminal_setup(int socket_fd, const struct husk_process *p, struct husk_error *err)
{
	return terminal_setup(socket_fd, p, true, err);
}

int husk_terminal_setup_exec(int socket_fd, const struct husk_process *p, struct husk_error *err)
{
	return terminal_setup(socket_fd, p, false, err);
}
