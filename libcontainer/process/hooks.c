/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: each runs with exactly its own args, the container state on
 * stdin, its stdout and stderr captured for the error message, and a
 * timeout.  posix_spawn (vfork-like, reports exec failures) starts it; a
 * poll loop over stdin, output and a pidfd drives it.
 *
 * The spec is silent on a hook's working directory and on the environment
 * of a hook without `env`; husk does what runc 1.1 does (seen by running
 * it), the caller says which (struct husk_hook_where):
 *   prestart, createRuntime   the bundle (runc create/run chdir there), husk's env
 *   createContainer           the rootfs, in the container's mount namespace
 *                             before pivot_root (runc's prepareRootfs chdirs
 *                             there); the process's env (runc's init has it)
 *   startContainer            the process's cwd inside the container, the
 *                             process's env with HOME (runc's init, just before exec)
 *   poststart, poststop       the bundle with `run`; the caller's cwd with
 *                             start and delete; husk's env
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "process/process.h"
#include "utils.h"

extern char **environ;

/* Output kept for the error message; the rest is read and dropped. */
#define HOOK_OUTPUT_MAX 4096
/* Poll interval where there is no pidfd to wait on (kernels before 5.3). */
#define HOOK_POLL_MS 10

struct hook_run {
	const char *state;
	size_t state_len, state_off;
	pid_t pid;
	int pidfd, in_fd, out_fd;
	size_t out_len;
	char out[HOOK_OUTPUT_MAX + 1];
};

/* Move an fd that is 0, 1 or 2 (stdio closed in the runtime) out of the way. */
static int fd_above_stdio(int *fd)
{
	int moved;

	if (*fd > 2)
		return 0;
	moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (moved < 0)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hook_spawn(const struct husk_hook *h, const struct husk_hook_where *w,
		      struct hook_run *r, struct husk_error *err)
{
	char *default_argv[] = {h->path, NULL};
	char *empty_env[] = {NULL};
	char *const *argv = h->args && h->args[0] ? h->args : default_argv;
	/* without `env`: the environment the caller chose, else husk's own (runc) */
	char *const *envp = h->env		? h->env
			    : w && w->env	? w->env
			    : w && w->empty_env ? empty_env
			    : environ		? environ
						: empty_env;
	cleanup_close int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	in_r = p[0];
	in_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	out_r = p[0];
	out_w = p[1];
	if (fd_above_stdio(&in_r) < 0 || fd_above_stdio(&in_w) < 0 || fd_above_stdio(&out_r) < 0 ||
	    fd_above_stdio(&out_w) < 0)
		return husk_error_errno(err, "fcntl F_DUPFD_CLOEXEC");
	/* Our end of stdin must not block on a hook that does not read it. */
	if (fcntl(in_w, F_SETFL, O_NONBLOCK) < 0)
		return husk_error_errno(err, "fcntl O_NONBLOCK");

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_r, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, out_w, 2);
	/* No runtime fd leaks into a hook (they are O_CLOEXEC anyway). */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* a cwd that is not there fails the spawn with its errno (ENOENT) */
	if (w && w->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, w->cwd);
	/* An empty signal mask, and SIGPIPE back to default (the runtime blocks it). */
	sigemptyset(&mask);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &def);
	rc = posix_spawn(&r->pid, h->path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return husk_error_set(err, rc, "exec: %s", strerror(rc));

	r->pidfd = sys_pidfd_open(r->pid, 0); /* -1 (ENOSYS): poll and WNOHANG instead */
	r->in_fd = steal_fd(&in_w);
	r->out_fd = steal_fd(&out_r);
	return 0;
}

/* Write what the pipe takes of the state; close stdin when done or when the hook is gone. */
static void hook_feed(struct hook_run *r)
{
	while (r->state_off < r->state_len) {
		ssize_t n = write(r->in_fd, r->state + r->state_off, r->state_len - r->state_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break; /* EPIPE: the hook closed its stdin; that is its business */
		}
		r->state_off += (size_t)n;
	}
	close(r->in_fd);
	r->in_fd = -1;
}

/* Read one chunk of output (the fd is readable); close it on EOF. */
static void hook_read(struct hook_run *r)
{
	char drop[4096];
	char *buf = r->out_len < HOOK_OUTPUT_MAX ? r->out + r->out_len : drop;
	size_t size = r->out_len < HOOK_OUTPUT_MAX ? HOOK_OUTPUT_MAX - r->out_len : sizeof(drop);
	ssize_t n;

	do
		n = read(r->out_fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		close(r->out_fd);
		r->out_fd = -1;
		return;
	}
	if (buf != drop)
		r->out_len += (size_t)n;
}

/* 1 when the hook has exited (and is reaped into *status), 0 if not yet, -1 on error. */
static int hook_reap(struct hook_run *r, int *status, bool block)
{
	pid_t w;

	do
		w = waitpid(r->pid, status, block ? 0 : WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -1;
	if (w == 0)
		return 0;
	r->pid = -1;
	return 1;
}

static void hook_kill(struct hook_run *r)
{
	int status;

	if (r->pid <= 0)
		return;
	if (r->pidfd < 0 || sys_pidfd_send_signal(r->pidfd, SIGKILL) < 0)
		kill(r->pid, SIGKILL);
	hook_reap(r, &status, true);
	r->pid = -1; /* even if the reap failed: never signal that pid again */
}

static void hook_close(struct hook_run *r)
{
	hook_kill(r);
	if (r->pidfd >= 0)
		close(r->pidfd);
	if (r->in_fd >= 0)
		close(r->in_fd);
	if (r->out_fd >= 0)
		close(r->out_fd);
	r->pidfd = r->in_fd = r->out_fd = -1;
}

/* Output that is there now (the hook has exited; a child of it may hold the pipe open). */
static void hook_drain(struct hook_run *r)
{
	struct pollfd pfd;

	while (r->out_fd >= 0) {
		pfd = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
		if (poll(&pfd, 1, 0) <= 0)
			return;
		hook_read(r);
	}
}

/*
 * Run the hook to its end.  Returns 0 with *status set, 1 on timeout (the
 * hook killed and reaped), -1 on error.
 */
static int hook_wait(const struct husk_hook *h, struct hook_run *r, int *status,
		     struct husk_error *err)
{
	int64_t deadline =
	    h->has_timeout && h->timeout > 0 ? now_ms() + (int64_t)h->timeout * 1000 : -1;

	hook_feed(r);
	for (;;) {
		struct pollfd pfd[3];
		nfds_t n = 0;
		int timeout = r->pidfd >= 0 ? -1 : HOOK_POLL_MS, rc, i;
		bool exited = false;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				hook_kill(r);
				return 1;
			}
			if (timeout < 0 || left < timeout)
				timeout = (int)(left > 1 << 30 ? 1 << 30 : left);
		}
		if (r->pidfd >= 0)
			pfd[n++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
		if (r->out_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
		if (r->in_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT};

		rc = poll(pfd, n, timeout);
		if (rc < 0 && errno != EINTR)
			return husk_error_errno(err, "poll");
		for (i = 0; rc > 0 && i < (int)n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == r->pidfd)
				exited = true;
			else if (pfd[i].fd == r->out_fd)
				hook_read(r);
			else if (pfd[i].fd == r->in_fd)
				hook_feed(r);
		}
		if (r->pidfd >= 0 && !exited)
			continue;
		rc = hook_reap(r, status, exited);
		if (rc < 0)
			return husk_error_errno(err, "waitpid");
		if (rc > 0) {
			hook_drain(r);
			return 0;
		}
	}
}

/* ": <output>" with trailing whitespace trimmed, or "" */
static const char *hook_output(struct hook_run *r, const char **sep)
{
	while (r->out_len > 0 && (r->out[r->out_len - 1] == '\n' || r->out[r->out_len - 1] == ' ' ||
				  r->out[r->out_len - 1] == '\r' || r->out[r->out_len - 1] == '\t'))
		r->out_len--;
	r->out[r->out_len] = '\0';
	*sep = r->out_len ? ": " : "";
	return r->out;
}

static int hook_run(const struct husk_hook *h, const struct husk_hook_where *w, const char *state,
		    struct husk_error *err)
{
	struct hook_run r = {.state = state,
			     .state_len = strlen(state),
			     .pid = -1,
			     .pidfd = -1,
			     .in_fd = -1,
			     .out_fd = -1};
	const char *out, *sep;
	int status = 0, rc;

	if (hook_spawn(h, w, &r, err) < 0)
		return -1;
	rc = hook_wait(h, &r, &status, err);
	hook_close(&r);
	if (rc < 0)
		return -1;
	out = hook_output(&r, &sep);
	if (rc > 0)
		return husk_error_set(err, ETIMEDOUT, "timed out after %ds%s%s", h->timeout, sep,
				      out);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return husk_error_set(err, 0, "exit status %d%s%s", WEXITSTATUS(status), sep, out);
	if (WIFSIGNALED(status))
		return husk_error_set(err, 0, "killed by signal %d (%s)%s%s", WTERMSIG(status),
				      strsignal(WTERMSIG(status)), sep, out);
	return 0;
}

/*
 * Run the hooks in order.  Without `warn` the first failure stops them (the
 * error in *err); with it each failure is a warning to ctx and the rest run.
 * Returns -1 on the first failure, or else how many failed.
 */
static int run_list(bool warn, const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
		    enum husk_hook_kind kind, const char *state_json,
		    const struct husk_hook_where *w, struct husk_error *err)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int failed = 0;

	/*
	 * A hook that exits without reading its stdin must not kill us with
	 * SIGPIPE: block it here (write then fails with EPIPE), and drop a
	 * SIGPIPE we made pending unless it was blocked (and maybe pending)
	 * before.
	 */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	for (size_t i = 0; i < hooks->n && (warn || failed == 0); i++) {
		const struct husk_hook *h = &hooks->hooks[i];
		struct husk_error e = {0};

		if (hook_run(h, w, state_json ? state_json : "", warn ? &e : err) == 0)
			continue;
		failed++;
		if (!warn) {
			husk_error_wrap(err, "hook `%s[%zu]` (`%s`)", husk_hook_name(kind), i,
					h->path);
			continue;
		}
		husk_warn(ctx, "hook `%s[%zu]` (`%s`): %s", husk_hook_name(kind), i, h->path,
			  e.msg ? e.msg : "failed");
		husk_error_clear(&e);
	}
	/* a SIGPIPE we made pending goes, also when the caller blocks it (husk run) */
	if (!was_pending) {
		struct timespec zero = {0, 0};

		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	}
	if (!sigismember(&old, SIGPIPE))
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	return !warn && failed ? -1 : failed;
}

int husk_hooks_run_at(const struct husk_hook_list *hooks, enum husk_hook_kind kind,
		      const char *state_json, const struct husk_hook_where *w,
		      struct husk_error *err)
{
	if (!hooks || hooks->n == 0)
		return 0;
	return run_list(false, NULL, hooks, kind, state_json, w, err);
}

int husk_hooks_run(const struct husk_hook_list *hooks, enum husk_hook_kind kind,
		   const char *state_json, struct husk_error *err)
{
	return husk_hooks_run_at(hooks, kind, state_json, NULL, err);
}

int husk_hooks_run_warn_at(const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
			   enum husk_hook_kind kind, const char *state_json,
			   const struct husk_hook_where *w)
{
	if (!hooks || hooks->n == 0)
		return 0;
	return run_list(true, ctx, hooks, kind, state_json, w, NULL);
}

int husk_hooks_run_warn(const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
			enum husk_hook_kind kind, const char *state_json)
{
	return husk_hooks_run_warn_at(ctx, hooks, kind, state_json, NULL);
}
