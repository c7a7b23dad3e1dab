/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process/sync.h"
#include "utils.h"

#define SYNC_MAX (64 * 1024)

static int send_msg(int fd, uint32_t type, int32_t status, const char *payload)
{
	struct husk_sync h = {.type = type, .status = status};
	struct iovec iov[2] = {
	    {.iov_base = &h, .iov_len = sizeof h},
	    {.iov_base = (void *)payload, .iov_len = payload ? strlen(payload) : 0},
	};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = payload ? 2 : 1};
	ssize_t r;

	do
		r = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int husk_sync_send(int fd, enum husk_sync_type type, const char *payload, struct husk_error *err)
{
	if (send_msg(fd, type, 0, payload) < 0)
		return husk_error_errno(err, "sync: send");
	return 0;
}

int husk_sync_write(int fd, enum husk_sync_type type, const char *payload, struct husk_error *err)
{
	char buf[SYNC_MAX];
	struct husk_sync h = {.type = type};
	size_t n = payload ? strlen(payload) : 0;
	ssize_t r;

	if (n > sizeof buf - sizeof h)
		return husk_error_set(err, E2BIG, "sync: message too big");
	memcpy(buf, &h, sizeof h);
	if (n)
		memcpy(buf + sizeof h, payload, n);
	do
		r = write(fd, buf, sizeof h + n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_errno(err, "sync: write");
	return 0;
}

void husk_sync_send_error(int fd, const struct husk_error *e)
{
	send_msg(fd, SYNC_ERROR, e->status, e->msg ? e->msg : "unknown error");
}

int husk_sync_recv(int fd, enum husk_sync_type want, char **payload, struct husk_error *err)
{
	char buf[SYNC_MAX + 1];
	struct husk_sync h;
	ssize_t r;

	if (payload)
		*payload = NULL;
	do
		r = recv(fd, buf, SYNC_MAX, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_errno(err, "sync: receive");
	if (r == 0)
		return husk_error_set(err, EPIPE, "container init exited unexpectedly");
	if ((size_t)r < sizeof h)
		return husk_error_set(err, EPROTO, "sync: short message");
	memcpy(&h, buf, sizeof h);
	buf[r] = '\0';
	if (h.type == SYNC_ERROR)
		return husk_error_set(err, h.status, "%s", buf + sizeof h);
	if (h.type != (uint32_t)want)
		return husk_error_set(err, EPROTO, "sync: expected message %d, got %u", want,
				      h.type);
	if (payload && (size_t)r > sizeof h)
		*payload = xstrdup(buf + sizeof h);
	return 0;
}

int husk_sync_send_fd(int fd, enum husk_sync_type type, const char *payload, int passed,
		      struct husk_error *err)
{
	struct husk_sync h = {.type = type};
	struct iovec iov[2] = {
	    {.iov_base = &h, .iov_len = sizeof h},
	    {.iov_base = (void *)payload, .iov_len = payload ? strlen(payload) : 0},
	};

	if (send_with_fd(fd, iov, payload ? 2 : 1, passed) < 0)
		return husk_error_errno(err, "sync: send");
	return 0;
}

/* The fd a received message carries, or -1. */
static int passed_fd(struct msghdr *m)
{
	int fd = -1;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int husk_sync_recv_fd(int fd, enum husk_sync_type want, enum husk_sync_type alt, uint32_t *type,
		      char **payload, int *passed, struct husk_error *err)
{
	char buf[SYNC_MAX + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = SYNC_MAX};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct husk_sync h;
	ssize_t r;

	*payload = NULL;
	*passed = -1;
	do
		r = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_errno(err, "sync: receive");
	*passed = passed_fd(&m);
	if (r == 0 || (size_t)r < sizeof h || (m.msg_flags & MSG_CTRUNC)) {
		if (*passed >= 0)
			close(*passed);
		*passed = -1;
		if (r == 0)
			return husk_error_set(err, EPIPE, "container init's creator went away");
		return husk_error_set(err, EPROTO, "sync: short or truncated message");
	}
	memcpy(&h, buf, sizeof h);
	buf[r] = '\0';
	*type = h.type;
	if (h.type == SYNC_ERROR || (h.type != (uint32_t)want && h.type != (uint32_t)alt)) {
		if (*passed >= 0)
			close(*passed);
		*passed = -1;
		if (h.type == SYNC_ERROR)
			return husk_error_set(err, h.status, "%s", buf + sizeof h);
		return husk_error_set(err, EPROTO, "sync: expected message %d, got %u", want,
				      h.type);
	}
	if ((size_t)r > sizeof h)
		*payload = xstrdup(buf + sizeof h);
	return 0;
}
