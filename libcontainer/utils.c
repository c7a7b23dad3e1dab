/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void *xmalloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p;
	if (s == NULL)
		return NULL;
	p = strdup(s);
	if (p == NULL)
		abort();
	return p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

int husk_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t r = write(fd, p, len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int read_all(int fd, const char *name, char **out, size_t *len, struct husk_error *err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb = realloc(buf, ncap);
			if (nb == NULL)
				return husk_error_set(err, ENOMEM, "read `%s`: out of memory",
						      name);
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_errno(err, "read `%s`", name);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_pointer(&buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	return read_all(fd, path, out, len, err);
}

void rfc3339(const struct timespec *ts, bool nanos, char *buf, size_t n)
{
	struct tm tm;
	size_t l;

	gmtime_r(&ts->tv_sec, &tm);
	l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nanos)
		snprintf(buf + l, n - l, ".%09ldZ", ts->tv_nsec);
	else
		snprintf(buf + l, n - l, "Z");
}

void husk_now_rfc3339(char *buf, size_t n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	rfc3339(&ts, true, buf, n);
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	if (write_all(fd, data, len) < 0)
		return husk_error_errno(err, "write `%s` to `%s`", data, path);
	return 0;
}

int write_file_atomic(int dirfd, const char *path, const char *data, size_t len,
		      struct husk_error *err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;

	if (asprintf(&tmp, ".%s.tmp", path) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return husk_error_errno(err, "create `%s`", tmp);
	if (write_all(fd, data, len) < 0) {
		unlinkat(dirfd, tmp, 0);
		return husk_error_errno(err, "write `%s`", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		unlinkat(dirfd, tmp, 0);
		return husk_error_errno(err, "rename `%s`", tmp);
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct husk_error *err)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return husk_error_errno(err, "mkdir `%s`", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return husk_error_errno(err, "mkdir `%s`", p);
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;
	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long st = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	/* after ") " comes field 3 (state); start time is field 22 */
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0; /* a zombie counts as gone */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		st = strtoull(p, NULL, 10);
	return st;
}

int sys_pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int husk_clean_path(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in) {
		const char *end;
		size_t len;

		while (*in == '/')
			in++;
		end = strchrnul(in, '/');
		len = (size_t)(end - in);
		if (len == 0 || (len == 1 && in[0] == '.')) {
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
		} else if (n + 1 + len < size) {
			out[n++] = '/';
			memcpy(out + n, in, len);
			n += len;
		} else {
			out[0] = '\0';
			errno = ENAMETOOLONG;
			return -1;
		}
		in = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

ssize_t send_with_fd(int sock, const struct iovec *iov, size_t n, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = n};
	ssize_t r;

	if (fd >= 0) {
		struct cmsghdr *c;

		m.msg_control = u.buf;
		m.msg_controllen = sizeof u.buf;
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		r = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

/* The name of `uid` in the host's /etc/passwd (read directly, as runc's user.LookupUid does). */
char *husk_passwd_name(uid_t uid)
{
	cleanup_file FILE *f = fopen("/etc/passwd", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (f != NULL && getline(&line, &cap, f) > 0) {
		char *name = line, *p = strchr(line, ':'), *end;
		unsigned long v;

		if (p == NULL || (p = strchr(p + 1, ':')) == NULL)
			continue;
		*strchr(name, ':') = '\0';
		errno = 0;
		v = strtoul(p + 1, &end, 10);
		if (errno == 0 && end != p + 1 && *end == ':' && v == uid)
			return xstrdup(name);
	}
	return NULL;
}
