/* SPDX-License-Identifier: Apache-2.0 */
/* start, state, list, kill, delete. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "lifecycle.h"
#include "state.h"
#include "sync.h"
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

static int run_hooks_from_bundle(const struct husk_state *s, const struct husk_spec *spec,
				 enum husk_hook_kind k, const char *status, struct husk_error *err)
{
	cleanup_spec struct husk_spec *own = NULL;
	cleanup_free char *json = NULL;

	if (spec == NULL) {
		if (husk_load_bundle_config(s->bundle, &own, err) < 0)
			return -1;
		spec = own;
	}
	if (spec->hooks[k].n == 0)
		return 0;
	json = husk_state_to_json(s, status, s->pid, false, false);
	return husk_hooks_run(&spec->hooks[k], k, json, err);
}

int husk_start_created(const struct husk_ctx *ctx, struct husk_store *st, struct husk_state *s,
		       const struct husk_spec *spec, int wfd, struct husk_error *err)
{
	cleanup_close int own = -1;
	/* run (wfd >= 0) has just made it; a paused created init would wait for resume */
	const char *status = wfd >= 0 ? "created" : husk_state_status_nofreeze(s);

	if (strcmp(status, "stopped") == 0)
		return husk_error_set(err, EINVAL, "cannot start a container that has stopped");
	if (strcmp(status, "created") != 0)
		return husk_error_set(err, EINVAL, "cannot start an already %s container", status);
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
	free(s->status);
	s->status = xstrdup("running");
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
	if (s->has_poststart &&
	    run_hooks_from_bundle(s, spec, HUSK_HOOK_POSTSTART, "running", err) < 0) {
		/* spec v1.3.0: a failing poststart hook is an error; stop the container */
		signal_init(s, SIGKILL);
		return -1;
	}
	return 0;
}

int husk_start(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_store struct husk_store st = {.root_fd = -1, .dir_fd = -1};
	struct husk_state s = {0};
	int r;

	if (husk_store_open(root_of(ctx), id, true, &st, err) < 0)
		return -1;
	if (husk_store_read(&st, &s, err) < 0)
		return -1;
	r = husk_start_created(ctx, &st, &s, NULL, -1, err);
	husk_state_clear(&s);
	return r;
}

int husk_state_json(const struct husk_ctx *ctx, const char *id, char **json, struct husk_error *err)
{
	cleanup_store struct husk_store st = {.root_fd = -1, .dir_fd = -1};
	struct husk_state s = {0};
	const char *status;

	if (husk_store_open(root_of(ctx), id, false, &st, err) < 0)
		return -1;
	if (husk_store_read(&st, &s, err) < 0)
		return -1;
	status = husk_state_status(&s);
	*json =
	    husk_state_to_json(&s, status, strcmp(status, "stopped") == 0 ? 0 : s.pid, false, true);
	husk_state_clear(&s);
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
	}
	free(v);
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
		cleanup_store struct husk_store st = {.root_fd = -1, .dir_fd = -1};
		struct husk_state s = {0};
		struct husk_container_info *nv;
		const char *status;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (husk_store_open(root_of(ctx), de->d_name, false, &st, NULL) < 0 ||
		    husk_store_read(&st, &s, NULL) < 0)
			continue;
		nv = realloc(v, (cnt + 1) * sizeof *v);
		if (nv == NULL)
			abort();
		v = nv;
		status = husk_state_status(&s);
		v[cnt].id = xstrdup(s.id);
		v[cnt].pid = strcmp(status, "stopped") == 0 ? 0 : s.pid;
		v[cnt].status = xstrdup(status);
		v[cnt].bundle = xstrdup(s.bundle);
		v[cnt].created = xstrdup(s.created ? s.created : "");
		v[cnt].owner = xstrdup(s.owner ? s.owner : "");
		cnt++;
		husk_state_clear(&s);
	}
	*out = v;
	*n = cnt;
	return 0;
}

int husk_kill(const struct husk_ctx *ctx, const char *id, int sig, bool all, struct husk_error *err)
{
	cleanup_store struct husk_store st = {.root_fd = -1, .dir_fd = -1};
	cleanup_cgroup struct husk_cgroup *cg = NULL;
	struct husk_state s = {0};
	const char *status;
	int r = 0;

	if (husk_store_open(root_of(ctx), id, false, &st, err) < 0)
		return -1;
	if (husk_store_read(&st, &s, err) < 0)
		return -1;
	status = husk_state_status_nofreeze(&s);
	if (strcmp(status, "stopped") == 0 || strcmp(status, "creating") == 0) {
		husk_state_clear(&s);
		return husk_error_set(err, ESRCH, "container not running");
	}
	if ((all || sig == SIGKILL) && s.cgroup_path &&
	    husk_cgroup_load(s.cgroup_path, &cg, err) < 0) {
		husk_state_clear(&s);
		return -1;
	}
	if (all && cg) {
		r = husk_cgroup_kill(cg, sig, err);
	} else if (signal_init(&s, sig) < 0) {
		r = errno == ESRCH ? husk_error_set(err, ESRCH, "container not running")
				   : husk_error_errno(err, "kill container `%s`", id);
	}
	/*
	 * A SIGKILL stays pending in a frozen cgroup: thaw a paused container
	 * so that it dies, as runc does (podman kill, ctr tasks rm -f).
	 */
	if (r == 0 && sig == SIGKILL && cg && husk_cgroup_is_frozen(cg) == 1)
		r = husk_cgroup_freeze(cg, false, err);
	husk_state_clear(&s);
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

int husk_destroy(struct husk_store *st, struct husk_state *s, const struct husk_spec *spec,
		 struct husk_cgroup *cg, struct husk_error *err)
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
	if (s->has_poststop) {
		struct husk_error e = {0};
		/* spec: a failing poststop hook is a warning, and delete goes on */
		run_hooks_from_bundle(s, spec, HUSK_HOOK_POSTSTOP, "stopped", &e);
		husk_error_clear(&e);
	}
	if (husk_store_remove(st, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

int husk_delete(const struct husk_ctx *ctx, const char *id, bool force, struct husk_error *err)
{
	cleanup_store struct husk_store st = {.root_fd = -1, .dir_fd = -1};
	struct husk_state s = {0};
	const char *status;
	int r;

	if (husk_store_open(root_of(ctx), id, true, &st, err) < 0) {
		/* runc: `delete --force` of an unknown container succeeds */
		if (force && err && err->status == ENOENT) {
			husk_error_clear(err);
			return 0;
		}
		return -1;
	}
	if (husk_store_read(&st, &s, err) < 0)
		return -1;
	status = husk_state_status_nofreeze(&s);
	/*
	 * runtime-spec (runtime.md, delete): deleting a container that is not
	 * stopped MUST fail and leave it alone; runc deletes a created one
	 * anyway, but the spec is not silent here.
	 */
	if (!force && strcmp(status, "stopped") != 0) {
		husk_error_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
			       status);
		husk_state_clear(&s);
		return -1;
	}
	/* a paused container is thawed by husk_cgroup_destroy before it is killed */
	r = husk_destroy(&st, &s, NULL, NULL, err);
	husk_state_clear(&s);
	return r;
}
