/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-notify relay: the container's NOTIFY_SOCKET is a socket of husk's own
 * (<state>/notify/notify.sock, bind-mounted at /run/notify); husk passes its
 * READY=1 on to the caller's NOTIFY_SOCKET with MAINPID, as runc does
 * (notify_socket.go).  The container never reaches the caller's socket: it
 * is not mounted in, and NOTIFY_SOCKET in the process env is replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "state/notify.h"
#include "state/state.h"
#include "utils.h"

/* runc ≥ 1.2 waits as long for systemd to acknowledge BARRIER=1, then warns */
#define BARRIER_TIMEOUT_MS 30000

void husk_notify_init(struct husk_notify *n, const struct husk_ctx *ctx, const char *id)
{
	*n = (struct husk_notify){.ctx = ctx, .id = id, .host_fd = -1, .listen_fd = -1};
}

void husk_notify_clear(struct husk_notify *n)
{
	if (n->host_fd >= 0)
		close(n->host_fd);
	if (n->listen_fd >= 0)
		close(n->listen_fd);
	n->host_fd = n->listen_fd = -1;
}

/* sockaddr for "/path" or "@abstract"; -1 when it is neither or too long */
static int host_addr(const char *host, struct sockaddr_un *a, socklen_t *len)
{
	size_t n = strlen(host);

	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	if ((host[0] != '/' && host[0] != '@') || n < 2 || n >= sizeof a->sun_path)
		return -1;
	memcpy(a->sun_path, host, n);
	if (host[0] == '@')
		a->sun_path[0] = '\0'; /* abstract: the length, not a NUL, ends it */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (host[0] == '/'));
	return 0;
}

int husk_notify_check(const char *host, struct husk_error *err)
{
	struct sockaddr_un a;
	socklen_t len;

	/* sd_notify(3) takes only these two forms (runc would also take a relative path) */
	if (host_addr(host, &a, &len) < 0)
		return husk_error_set(err, EINVAL,
				      "NOTIFY_SOCKET `%s`: not an absolute path or an abstract "
				      "`@name` of at most %zu bytes",
				      host, sizeof a.sun_path - 1);
	return 0;
}

/* Drop every NOTIFY_SOCKET= of env, add ours (runc appends; its env's last one wins). */
static void set_env(struct husk_process *p)
{
	static const char var[] = "NOTIFY_SOCKET=";
	size_t n = strv_len(p->env), k = 0;
	char **env = xmalloc0((n + 2) * sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		if (strncmp(p->env[i], var, sizeof var - 1) == 0)
			free(p->env[i]);
		else
			env[k++] = p->env[i];
	}
	env[k] = xstrdup("NOTIFY_SOCKET=" HUSK_NOTIFY_MOUNT "/" HUSK_NOTIFY_SOCK);
	free(p->env);
	p->env = env;
}

int husk_notify_setup_spec(const struct husk_ctx *ctx, struct husk_spec *s, const char *id,
			   struct husk_error *err)
{
	static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
	struct husk_mount *m;
	struct husk_mount *mounts;

	if (ctx->notify_socket == NULL)
		return 0;
	if (husk_notify_check(ctx->notify_socket, err) < 0)
		return -1;
	/* appended, as runc does: after the config's own mounts (a tmpfs on /run) */
	mounts = realloc(s->mounts, (s->n_mounts + 1) * sizeof *mounts);
	if (mounts == NULL)
		abort();
	s->mounts = mounts;
	m = &mounts[s->n_mounts++];
	*m =
	    (struct husk_mount){.destination = xstrdup(HUSK_NOTIFY_MOUNT), .type = xstrdup("bind")};
	if (asprintf(&m->source, "%s/%s/" HUSK_NOTIFY_DIR, husk_state_root(ctx), id) < 0)
		abort();
	m->options = xmalloc0((ARRAY_SIZE(opts) + 1) * sizeof(char *));
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		m->options[i] = xstrdup(opts[i]);
	if (s->has_process)
		set_env(&s->process);
	return 0;
}

int husk_notify_make_dir(const struct husk_ctx *ctx, int state_dir_fd, struct husk_error *err)
{
	if (ctx->notify_socket == NULL)
		return 0;
	/* runc: 0755, so that any user of the container reaches the socket */
	if (mkdirat(state_dir_fd, HUSK_NOTIFY_DIR, 0755) < 0 ||
	    fchmodat(state_dir_fd, HUSK_NOTIFY_DIR, 0755, 0) < 0)
		return husk_error_errno(err, "make the notify socket's directory");
	return 0;
}

static int open_listen(int state_dir_fd, struct husk_error *err)
{
	cleanup_close int dfd = -1, fd = -1;
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	dfd = openat(state_dir_fd, HUSK_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT
			   ? 0
			   : husk_error_errno(err, "open the notify socket's directory");
	/* a stale one from a start that failed: we hold the container's lock */
	if (unlinkat(dfd, HUSK_NOTIFY_SOCK, 0) < 0 && errno != ENOENT)
		return husk_error_errno(err, "remove the old notify socket");
	/* through the dir fd: any state root length fits sun_path */
	snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/" HUSK_NOTIFY_SOCK, dfd);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return husk_error_errno(err, "bind the container's notify socket");
	/* runc: 0777, so that the container's non-root users may send */
	if (fchmodat(dfd, HUSK_NOTIFY_SOCK, 0777, 0) < 0)
		return husk_error_errno(err, "chmod the container's notify socket");
	return steal_fd(&fd);
}

int husk_notify_open(struct husk_notify *n, int state_dir_fd, struct husk_error *err)
{
	struct sockaddr_un a;
	socklen_t len;
	int fd;

	if (husk_notify_check(n->ctx->notify_socket, err) < 0)
		return -1;
	fd = open_listen(state_dir_fd, err);
	if (fd < 0)
		return -1;
	if (fd == 0) {
		husk_warn(n->ctx,
			  "NOTIFY_SOCKET is set but container `%s` was created without it: "
			  "not waiting for READY=1",
			  n->id);
		return 0;
	}
	n->listen_fd = fd;
	/* before the container starts: a caller's socket that is not there fails start */
	host_addr(n->ctx->notify_socket, &a, &len);
	n->host_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->host_fd < 0 || connect(n->host_fd, (struct sockaddr *)&a, len) < 0)
		return husk_error_errno(err, "NOTIFY_SOCKET `%s`: connect", n->ctx->notify_socket);
	return 1;
}

/*
 * Fields the container may not set through us: we are the unit's main
 * process, so systemd would take these from us.  MAINPID is ours to send;
 * the rest would pass fds or change who may notify.
 */
static bool dropped(const char *line, size_t len)
{
	static const char *const no[] = {
	    "MAINPID", "BARRIER=", "NOTIFYACCESS=", "FDSTORE", "FDNAME=", "FDPOLL="};

	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (len >= strlen(no[i]) && strncmp(line, no[i], strlen(no[i])) == 0)
			return true;
	return false;
}

/* The datagram's lines as we pass them on; whether one of them is READY=1. */
static bool filter(const char *msg, size_t len, char *out, size_t *out_len)
{
	bool ready = false;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (msg + i)) : len - i;

		if (l == 7 && memcmp(msg + i, "READY=1", 7) == 0)
			ready = true;
		if (l > 0 && !dropped(msg + i, l)) {
			memcpy(out + o, msg + i, l);
			o += l;
			out[o++] = '\n';
		}
		i += l + 1;
	}
	*out_len = o;
	return ready;
}

/*
 * sd_notify_barrier: BARRIER=1 with a pipe's write end; the receiver closes
 * it once it has handled what came before (systemd ≥ 246).  Without it we
 * could exit before systemd read READY=1 (runc ≥ 1.2 does the same).
 */
static void barrier(struct husk_notify *n)
{
	int p[2];
	struct iovec iov = {.iov_base = (char *)"BARRIER=1", .iov_len = 9};
	struct pollfd pf;
	int r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	r = (int)send_with_fd(n->host_fd, &iov, 1, p[1]);
	close(p[1]);
	pf = (struct pollfd){.fd = p[0], .events = POLLIN};
	while (r >= 0 && (r = poll(&pf, 1, BARRIER_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (r == 0)
		husk_warn(n->ctx, "NOTIFY_SOCKET `%s`: no answer to BARRIER=1 after %d s",
			  n->ctx->notify_socket, BARRIER_TIMEOUT_MS / 1000);
	close(p[0]);
}

int husk_notify_handle(struct husk_notify *n, pid_t mainpid)
{
	char msg[4096], out[4096 + 64];
	size_t len;
	ssize_t r;

	/* no control buffer: fds the container sends are closed by the kernel */
	r = recv(n->listen_fd, msg, sizeof msg, MSG_DONTWAIT | MSG_TRUNC);
	if (r < 0 || (size_t)r > sizeof msg) {
		if (r > 0) /* runc reads 4096 bytes too */
			husk_warn(n->ctx, "container `%s`: notify message of %zd bytes dropped",
				  n->id, r);
		return 0;
	}
	/* runc relays only READY; what comes before it is dropped */
	if (!filter(msg, (size_t)r, out, &len))
		return 0;
	len += (size_t)snprintf(out + len, sizeof out - len, "MAINPID=%d\n", (int)mainpid);
	if (send(n->host_fd, out, len, MSG_NOSIGNAL) < 0)
		husk_warn(n->ctx, "NOTIFY_SOCKET `%s`: relay READY=1: %s", n->ctx->notify_socket,
			  strerror(errno));
	else
		barrier(n);
	close(n->listen_fd);
	n->listen_fd = -1;
	return 1;
}

int husk_notify_wait(struct husk_notify *n, int pidfd, pid_t mainpid, struct husk_error *err)
{
	cleanup_close int own = -1;

	if (pidfd < 0) {
		pidfd = own = sys_pidfd_open(mainpid, 0);
		if (pidfd < 0)
			return husk_error_errno(err,
						"wait for the container's READY=1: pidfd_open");
	}
	while (n->listen_fd >= 0) {
		struct pollfd p[2] = {{.fd = n->listen_fd, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_errno(err, "wait for the container's READY=1");
		}
		if (p[0].revents & POLLIN) {
			husk_notify_handle(n, mainpid);
			continue;
		}
		if (p[1].revents) {
			husk_warn(n->ctx, "container `%s` exited before it sent READY=1", n->id);
			break;
		}
	}
	return 0;
}
