/* SPDX-License-Identifier: Apache-2.0 */
/* start, state, list, kill, delete. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "process/process.h"
#include "process/sync.h"
#include "state/container.h"
#include "state/lifecycle.h"
#include "state/notify.h"
#include "state/state.h"
#include "utils.h"

static const char *root_of(const struct husk_ctx *ctx)
{
	return husk_state_root(ctx);
}

/* A pidfd for the init, verified against the stored start time (pid reuse). */
int husk_open_init(const struct husk_state *s)
{
	int fd;

	if (s->pid <= 0)
		return -1;
	fd = sys_pidfd_open(s->pid, 0);
	if (fd < 0 && errno != ENOSYS)
		return -1;
	if (proc_start_time(s->pid) != s->start_time) {
		if (fd >= 0)
			close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd >= 0 ? fd : -2; /* -2: alive, but no pidfd on this kernel */
}

static int signal_init(const struct husk_state *s, int sig)
{
	int fd = husk_open_init(s);
	int r;

	if (fd == -1)
		return -1;
	if (fd == -2)
		return kill(s->pid, sig);
	r = sys_pidfd_send_signal(fd, sig);
	close(fd);
	return r;
}

/* The config frozen at create, unless the caller has it (run): *own holds what we read. */
static const struct husk_spec *frozen_spec(struct husk_store *st, const struct husk_spec *spec,
					   struct husk_spec **own, struct husk_error *err)
{
	if (spec != NULL)
		return spec;
	if (husk_store_read_config(st, own, err) < 0)
		return NULL;
	return *own;
}

int husk_start_created(const struct husk_ctx *ctx, struct husk_store *st, struct husk_state *s,
		       const struct husk_spec *spec, int wfd, struct husk_error *err)
{
	cleanup_close int own = -1;
	cleanup_spec struct husk_spec *own_spec = NULL;
	cleanup_free char *json = NULL;
	/* run (it passes its spec) runs poststart in the bundle, as runc's run; start here */
	struct husk_hook_where w = {.cwd = spec ? s->bundle : NULL};

	/* config.md: process is REQUIRED at start; create kept no start socket without one */
	if (wfd < 0 && s->start_fd < 0)
		return husk_error_set(err, EINVAL,
				      "cannot start container `%s`: config.json: process: required "
				      "at start",
				      s->id);
	if (wfd < 0) {
		cleanup_close int pidfd = husk_open_init(s);
		if (pidfd >= 0)
			own = (int)syscall(SYS_pidfd_getfd, pidfd, s->start_fd, 0);
		/* pidfd_getfd needs Linux 5.6 (husk's floor for create + start) */
		if (own < 0)
			return husk_error_errno(
			    err, "cannot start container `%s`: get its start socket", s->id);
		wfd = own;
	}
	s->status = HUSK_STATUS_RUNNING;
	if (husk_store_write(st, s, err) < 0)
		return -1;
	if (write_all(wfd, "0", 1) < 0)
		return husk_error_errno(err, "start container `%s`", s->id);
	/*
	 * EOF: the init exec'd the user's program (its end is close-on-exec), so
	 * poststart hooks run after the process started (runtime-spec); or a
	 * message: what failed after start (startContainer hooks, ...).
	 */
	if (husk_sync_recv(wfd, SYNC_READY, NULL, err) < 0) {
		if (err->status != EPIPE)
			return -1;
		husk_error_clear(err);
	}
	if (!s->has_poststart)
		return 0;
	/* the hooks of the config frozen at create, not of the bundle's config.json now */
	spec = frozen_spec(st, spec, &own_spec, err);
	json = husk_state_to_json(s, HUSK_STATUS_RUNNING, s->pid, false, false);
	if (spec == NULL || husk_hooks_run_at(&spec->hooks[HUSK_HOOK_POSTSTART],
					      HUSK_HOOK_POSTSTART, json, &w, err) < 0) {
		/* spec v1.3.0: a failing poststart hook is an error; stop the container */
		signal_init(s, SIGKILL);
		return -1;
	}
	return 0;
}

/*
 * start with NOTIFY_SOCKET: bind the container's socket and connect to the
 * caller's first (a bad one fails start before the container runs), then
 * wait for READY=1 (runc's start waits too), with MAINPID the init's.
 */
static int start_notify(const struct husk_ctx *ctx, struct husk_container *c,
			struct husk_error *err)
{
	cleanup_notify struct husk_notify n;
	cleanup_close int pidfd = -1;
	int r;

	husk_notify_init(&n, ctx, c->s.id);
	r = husk_notify_open(&n, c->st.dir_fd, err);
	if (r < 0 || husk_start_created(ctx, &c->st, &c->s, NULL, -1, err) < 0)
		return -1;
	/* started: kill, delete and state may act on it while we wait */
	husk_store_unlock(&c->st);
	pidfd = r == 1 ? husk_open_init(&c->s) : -1;
	if (pidfd < 0)
		return 0;
	return husk_notify_wait(&n, pidfd, c->s.pid, err);
}

int husk_start(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;

	/* a paused created init would wait for resume: paused reads as created */
	if (husk_container_open(ctx, id, HUSK_OPEN_LOCK | HUSK_OPEN_NOFREEZE, &c, err) < 0)
		return -1;
	if (c->status == HUSK_STATUS_STOPPED)
		return husk_error_set(err, EINVAL, "cannot start a container that has stopped");
	if (!husk_status_can_start(c->status))
		return husk_error_set(err, EINVAL, "cannot start an already %s container",
				      husk_status_name(c->status));
	if (ctx->notify_socket == NULL)
		return husk_start_created(ctx, &c->st, &c->s, NULL, -1, err);
	return start_notify(ctx, c, err);
}

int husk_state_json(const struct husk_ctx *ctx, const char *id, char **json, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;

	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	*json = husk_state_to_json(&c->s, c->status,
				   c->status == HUSK_STATUS_STOPPED ? 0 : c->s.pid, false, true);
	return 0;
}

void husk_container_info_free(struct husk_container_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].status);
		free(v[i].bundle);
		free(v[i].created);
		free(v[i].owner);
		free(v[i].rootfs);
	}
	free(v);
}

/*
 * runc's list: the owner is the state dir owner's name, or "#UID" when the
 * uid has none; the state's own owner field stays "" (runc's too).
 */
static char *dir_owner(int dfd, const char *name)
{
	struct stat st;
	char *out;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return xstrdup("");
	out = husk_passwd_name(st.st_uid);
	if (out == NULL && asprintf(&out, "#%u", (unsigned)st.st_uid) < 0)
		abort();
	return out;
}

int husk_list(const struct husk_ctx *ctx, struct husk_container_info **out, size_t *n,
	      struct husk_error *err)
{
	cleanup_dir DIR *d = opendir(root_of(ctx));
	struct dirent *de;
	struct husk_container_info *v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return husk_error_errno(err, "open state root `%s`", root_of(ctx));
	}
	while ((de = readdir(d)) != NULL) {
		cleanup_container struct husk_container *c = NULL;
		struct husk_container_info *nv;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (husk_container_open(ctx, de->d_name, 0, &c, NULL) < 0)
			continue;
		nv = realloc(v, (cnt + 1) * sizeof *v);
		if (nv == NULL)
			abort();
		v = nv;
		v[cnt].id = xstrdup(c->s.id);
		v[cnt].pid = c->status == HUSK_STATUS_STOPPED ? 0 : c->s.pid;
		v[cnt].status = xstrdup(husk_status_name(c->status));
		v[cnt].bundle = xstrdup(c->s.bundle);
		v[cnt].created = xstrdup(c->s.created ? c->s.created : "");
		v[cnt].owner = dir_owner(dirfd(d), de->d_name);
		v[cnt].rootfs = xstrdup(c->s.rootfs ? c->s.rootfs : "");
		cnt++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int husk_kill(const struct husk_ctx *ctx, const char *id, int sig, bool all, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg = NULL;
	int r = 0;

	if (husk_container_open(ctx, id, HUSK_OPEN_NOFREEZE, &c, err) < 0)
		return -1;
	if (!husk_status_can_kill(c->status))
		return husk_error_set(err, ESRCH, "container not running");
	if ((all || sig == SIGKILL) && c->s.cgroup_path &&
	    (cg = husk_container_cgroup(c, err)) == NULL)
		return -1;
	if (all && cg) {
		r = husk_cgroup_kill(cg, sig, err);
	} else if (signal_init(&c->s, sig) < 0) {
		r = errno == ESRCH ? husk_error_set(err, ESRCH, "container not running")
				   : husk_error_errno(err, "kill container `%s`", id);
	}
	/*
	 * A SIGKILL stays pending in a frozen cgroup: thaw a paused container
	 * so that it dies, as runc does (podman kill, ctr tasks rm -f).
	 */
	if (r == 0 && sig == SIGKILL && cg && husk_cgroup_is_frozen(cg) == 1)
		r = husk_cgroup_freeze(cg, false, err);
	return r;
}

/* Wait (bounded) until the init is gone. */
static void wait_gone(const struct husk_state *s)
{
	int fd = husk_open_init(s);

	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 10000);
		close(fd);
		return;
	}
	for (int i = 0; fd == -2 && i < 1000 && proc_start_time(s->pid) == s->start_time; i++)
		usleep(10000);
}

/*
 * runtime-spec: "If any poststop hook fails, the runtime MUST log a warning,
 * but the remaining hooks and lifecycle continue": every hook runs, each
 * failure is a warning, and so is a frozen config that can't be read.
 */
static void run_poststop(const struct husk_ctx *ctx, struct husk_store *st,
			 const struct husk_state *s, const struct husk_spec *spec)
{
	cleanup_spec struct husk_spec *own = NULL;
	cleanup_free char *json = NULL;
	struct husk_error e = {0};
	/* run (it passes its spec) runs them in the bundle, as runc's run; delete here */
	struct husk_hook_where w = {.cwd = spec ? s->bundle : NULL};

	spec = frozen_spec(st, spec, &own, &e);
	if (spec == NULL) {
		husk_warn(ctx, "poststop hooks not run: %s", e.msg ? e.msg : "no config");
		husk_error_clear(&e);
		return;
	}
	json = husk_state_to_json(s, HUSK_STATUS_STOPPED, s->pid, false, false);
	husk_hooks_run_warn_at(ctx, &spec->hooks[HUSK_HOOK_POSTSTOP], HUSK_HOOK_POSTSTOP, json, &w);
}

int husk_destroy(const struct husk_ctx *ctx, struct husk_store *st, struct husk_state *s,
		 const struct husk_spec *spec, struct husk_cgroup *cg, struct husk_error *err)
{
	int r = 0;

	if (cg)
		r = husk_cgroup_destroy(cg, err);
	else if (s->cgroup_path) {
		cleanup_cgroup struct husk_cgroup *own = NULL;
		if (husk_cgroup_load(s->cgroup_path, &own, NULL) == 0)
			r = husk_cgroup_destroy(own, err);
	}
	if (s->pid > 0 && signal_init(s, SIGKILL) == 0)
		wait_gone(s);
	if (s->has_poststop)
		run_poststop(ctx, st, s, spec);
	if (husk_store_remove(st, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

int husk_delete(const struct husk_ctx *ctx, const char *id, bool force, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;

	if (husk_container_open(ctx, id, HUSK_OPEN_LOCK | HUSK_OPEN_NOFREEZE, &c, err) < 0) {
		/* runc: `delete --force` of an unknown container succeeds */
		if (force && err && err->status == ENOENT) {
			husk_error_clear(err);
			return 0;
		}
		return -1;
	}
	if (!force && !husk_status_can_delete(c->status))
		return husk_error_set(err, EBUSY,
				      "cannot delete container %s that is not stopped: %s", id,
				      husk_status_name(c->status));
	/* a paused container is thawed by husk_cgroup_destroy before it is killed */
	return husk_destroy(ctx, &c->st, &c->s, NULL, NULL, err);
}
