/* SPDX-License-Identifier: Apache-2.0 */
/*
 * create and run: parse + plan, make the state dir and the cgroup, clone the
 * init with its namespaces, drive it over the sync socket until it is ready
 * and blocked waiting for `start`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include "state/container.h"
#include "internal.h"
#include "security/security.h"
#include "state/lifecycle.h"
#include "state/notify.h"
#include "rootfs/mounts.h"
#include "plan/plan.h"
#include "state/state.h"
#include "process/sync.h"
#include "utils.h"

struct creation {
	struct husk_spec *spec;
	char *config; /* the bytes of config.json that spec was parsed from */
	size_t config_len;
	char *bundle, *rootfs;
	struct husk_store store;
	bool have_store;
	struct husk_cgroup *cg;
	pid_t pid;
	struct husk_spawn sp; /* the sync socket, the console, the init's pid */
	int start_wfd;	      /* write end of the init's start pipe */
	struct husk_state state;
	char **env;
	struct husk_plan *plan; /* built before anything exists */
	char *listen_fds_env;	/* the LISTEN_FDS=N entry we add to env */
};

static void creation_init(struct creation *c)
{
	memset(c, 0, sizeof *c);
	husk_spawn_init(&c->sp);
	c->start_wfd = -1;
}

static void creation_free(struct creation *c)
{
	husk_spawn_clear(&c->sp);
	if (c->start_wfd >= 0)
		close(c->start_wfd);
	husk_cgroup_free(c->cg);
	husk_plan_free(c->plan);
	free(c->listen_fds_env);
	if (c->have_store)
		husk_store_close(&c->store);
	husk_state_clear(&c->state);
	husk_spec_free(c->spec);
	free(c->config);
	free(c->bundle);
	free(c->rootfs);
	if (c->env) {
		/* entries borrowed from the spec are not ours: only the tail we added */
		free(c->env);
	}
	creation_init(c);
}

/* Undo a failed create: nothing may survive it. */
static void creation_abort(const struct husk_ctx *ctx, struct creation *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
	if (c->cg)
		husk_cgroup_destroy(c->cg, NULL);
	/*
	 * runtime-spec: a failing prestart/createRuntime/createContainer hook
	 * stops the container and continues the lifecycle at delete, which runs
	 * the poststop hooks; runc's destroy runs them for any failed create.
	 */
	if (c->state.pid > 0 && c->spec && c->spec->hooks[HUSK_HOOK_POSTSTOP].n) {
		cleanup_free char *json =
		    husk_state_to_json(&c->state, HUSK_STATUS_STOPPED, 0, false, false);
		struct husk_hook_where w = {.cwd = c->bundle}; /* runc's create runs there */

		husk_hooks_run_warn_at(ctx, &c->spec->hooks[HUSK_HOOK_POSTSTOP], HUSK_HOOK_POSTSTOP,
				       json, &w);
	}
	if (c->have_store)
		husk_store_remove(&c->store, NULL);
}

/* The bundle's config.json, kept as read: create freezes it into the state dir. */
static int load_config(struct creation *c, struct husk_error *err)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/config.json", c->bundle) < 0)
		abort();
	if (read_file_at(AT_FDCWD, path, &c->config, &c->config_len, err) < 0)
		return -1;
	return husk_spec_parse(c->config, c->config_len, "config.json", &c->spec, err);
}

/*
 * What create needs beyond a valid spec (runc's rules where the spec is
 * silent).  config.md: process is OPTIONAL at create and REQUIRED when
 * start is called, so only `run` (create + start) needs it here.
 */
static int check_for_create(const struct husk_spec *s, const struct husk_create_opts *o, bool run,
			    struct husk_error *err)
{
	if (!s->has_process) {
		if (run)
			return husk_error_set(
			    err, EINVAL, "config.json: process: required to start the container");
		if (o->console_socket != NULL)
			return husk_error_set(
			    err, EINVAL, "--console-socket given but config.json has no process");
		return 0;
	}
	if (husk_args_check(s->process.args, "config.json", "process.", err) < 0)
		return -1;
	/*
	 * `run` relays a pty itself when no console socket is given (runc does
	 * too); `run --detach` leaves nobody to relay it: refused, as runc does
	 * ("cannot allocate tty if runc will detach without setting console socket")
	 */
	if (s->process.terminal && o->console_socket == NULL && run && o->detach)
		return husk_error_set(err, EINVAL,
				      "config.json: process.terminal: true with --detach requires "
				      "--console-socket");
	if (s->process.terminal && o->console_socket == NULL && !run)
		return husk_error_set(
		    err, EINVAL, "config.json: process.terminal: true requires --console-socket");
	if (!s->process.terminal && o->console_socket != NULL)
		return husk_error_set(
		    err, EINVAL,
		    "--console-socket given but config.json: process.terminal is false");
	return 0;
}

static int resolve_paths(const struct husk_create_opts *o, struct creation *c,
			 struct husk_error *err)
{
	char buf[PATH_MAX], clean[PATH_MAX];
	cleanup_free char *root = NULL;

	if (realpath(o->bundle && *o->bundle ? o->bundle : ".", buf) == NULL)
		return husk_error_errno(err, "bundle `%s`", o->bundle ? o->bundle : ".");
	c->bundle = xstrdup(buf);
	if (load_config(c, err) < 0)
		return -1;
	if (husk_spec_check_supported(c->spec, "config.json", err) < 0)
		return -1;
	if (c->spec->root_path[0] == '/')
		root = xstrdup(c->spec->root_path);
	else if (asprintf(&root, "%s/%s", c->bundle, c->spec->root_path) < 0)
		abort();
	if (realpath(root, buf) == NULL)
		return husk_error_errno(err, "config.json: root.path: rootfs `%s`", root);
	/*
	 * runc ("invalid rootfs: not an absolute path, or a symlink"): no
	 * symlink on the way (the bundle itself aside), and never the host's
	 * "/": mount points would be made there.
	 */
	if (strcmp(buf, "/") == 0)
		return husk_error_set(err, EINVAL,
				      "config.json: root.path: rootfs `%s` is the host's `/`",
				      c->spec->root_path);
	if (husk_clean_path(root, clean, sizeof(clean)) < 0 || strcmp(clean, buf) != 0)
		return husk_error_set(err, EINVAL,
				      "config.json: root.path: rootfs `%s` is a symlink or goes "
				      "through one",
				      c->spec->root_path);
	c->rootfs = xstrdup(buf);
	return 0;
}

/* LISTEN_FDS meant for us (LISTEN_PID is our pid): how many, else 0. */
static int listen_fds(void)
{
	const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
	int64_t nfds = 0, pid = 0;

	if (lfds && lpid && parse_i64(lfds, &nfds) == 0 && parse_i64(lpid, &pid) == 0 &&
	    pid == getpid() && nfds > 0 && nfds < 1024)
		return (int)nfds;
	return 0;
}

/*
 * --preserve-fds N and LISTEN_FDS pass fds 3.. on as they are.  runc puts
 * the LISTEN_FDS ones first, then the preserved ones; either way each must be
 * one the caller gave us.  A closed one would be taken by one of ours (the
 * state root, the state dir, the cgroup dir) and reach the container, where
 * process.cwd = /proc/self/fd/N starts the process on the host.
 */
int husk_check_passed_fds(int from, int n, const char *what, struct husk_error *err)
{
	if (n < 0 || n > INT_MAX - from)
		return husk_error_set(err, EINVAL, "%s: too many fds", what);
	for (int fd = from; fd < from + n; fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags < 0)
			return husk_error_set(err, EBADF, "%s: fd %d is not open", what, fd);
		/* a close-on-exec fd did not come through our execve: it is ours */
		if (flags & FD_CLOEXEC)
			return husk_error_set(
			    err, EBADF, "%s: fd %d is the runtime's own, not one passed to it",
			    what, fd);
	}
	return 0;
}

static int check_create_fds(const struct husk_create_opts *o, struct husk_error *err)
{
	int extra = listen_fds();
	char what[64];

	snprintf(what, sizeof what, "LISTEN_FDS=%d", extra);
	if (husk_check_passed_fds(3, extra, what, err) < 0)
		return -1;
	snprintf(what, sizeof what, "--preserve-fds %d", o->preserve_fds);
	return husk_check_passed_fds(3 + extra, o->preserve_fds, what, err);
}

/* LISTEN_FDS from systemd socket activation are passed on like runc does. */
static void build_env(struct creation *c, struct husk_child *l, int *extra_fds)
{
	size_t n = strv_len(c->spec->process.env);

	l->listen_pid_slot = -1;
	*extra_fds = listen_fds();
	c->env = xmalloc0((n + 3) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c->env[i] = c->spec->process.env[i];
	if (*extra_fds) {
		if (asprintf(&c->listen_fds_env, "LISTEN_FDS=%d", *extra_fds) < 0)
			abort();
		c->env[n] = c->listen_fds_env;
		c->env[n + 1] = (char *)"LISTEN_PID=";
		l->listen_pid_slot = (int)n + 1;
	}
	l->env = c->env;
}

int husk_write_pid_file(const char *path, pid_t pid, struct husk_error *err)
{
	char buf[32];
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	int len = snprintf(buf, sizeof buf, "%d", (int)pid);

	if (asprintf(&tmp, "%s.husk-tmp", path) < 0)
		abort();
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return husk_error_errno(err, "write pid file `%s`", path);
	if (write_all(fd, buf, (size_t)len) < 0 || rename(tmp, path) < 0) {
		husk_error_errno(err, "write pid file `%s`", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int state_json_for_hooks(struct creation *c, enum husk_status status, char **out)
{
	*out = husk_state_to_json(&c->state, status, c->pid, false, false);
	return 0;
}

static void prep_clearp(struct husk_rootfs_prep *p)
{
	if (p->src_fds)
		husk_rootfs_prep_clear(p);
}
#define cleanup_prep __attribute__((cleanup(prep_clearp)))

static bool any_hooks(const struct husk_spec *s, enum husk_hook_kind a, enum husk_hook_kind b)
{
	return s->hooks[a].n || s->hooks[b].n;
}

/* The init's seccomp notify fd goes to linux.seccomp.listenerPath (runtime-spec). */
static int pass_notify_fd(struct creation *c, const char *state, struct husk_error *err)
{
	cleanup_free char *num = NULL, *own_state = NULL;

	if (husk_sync_recv(c->sp.sync_fd, SYNC_SECCOMP, &num, err) < 0)
		return -1;
	if (state == NULL)
		state = own_state =
		    husk_state_to_json(&c->state, HUSK_STATUS_CREATING, c->pid, false, false);
	return husk_spawn_pass_notify(&c->sp, num, state, &c->spec->linux_.seccomp, err);
}

/*
 * What the init does: the plan, the namespaces it joins itself, and the
 * child side it shares with exec (process/child.c).
 */
static int init_launch(struct creation *c, const struct husk_create_opts *o, struct husk_launch *l,
		       struct husk_rootfs_prep *prep, struct husk_error *err)
{
	const struct husk_plan *plan = c->plan;
	int extra_fds;

	*l = (struct husk_launch){
	    .spec = c->spec,
	    .plan = plan,
	    .id = c->state.id,
	    .rootfs = c->rootfs,
	    .bundle = c->bundle,
	    .no_pivot = o->no_pivot,
	    .no_new_keyring = o->no_new_keyring,
	    .console_fd = -1,
	    .cgroupns_late = plan->ns.cgroupns_late,
	    .new_userns = plan->ns.new_userns,
	    .unshare_flags = plan->ns.unshare_flags,
	    .lock_fd = c->store.dir_fd,
	};
	l->ch = (struct husk_child){
	    .p = &c->spec->process,
	    .console_fd = -1, /* the init's terminal is set up with the rootfs (init.c) */
	    .cwd_origin = " set in config.json",
	    .oom_score_adj = true,
	    .personality = &c->spec->linux_,
	    .caps = &plan->caps,
	    .seccomp = plan->seccomp,
	    .notify_early = true,
	    .cpus_final = plan->cpus_final,
	    .cpus_final_size = plan->cpus_final_size,
	};
	for (int t = 0; t < HUSK_NS_N; t++)
		l->join_fds[t] = -1;
	build_env(c, &l->ch, &extra_fds);
	l->ch.preserve_fds = o->preserve_fds + extra_fds;
	/*
	 * In a user namespace the init can't reach what only host root can: bind sources
	 * are opened, idmapped mounts and linux.devices made here (rootfs/prep.c)
	 */
	if (c->spec->linux_.namespaces[HUSK_NS_USER].present && plan->ns.mount_ns) {
		struct husk_rootfs_opts ro = {
		    .rootfs = c->rootfs, .bundle = c->bundle, .userns = true, .plan = plan};
		if (husk_rootfs_prepare(c->spec, &ro, prep, err) < 0)
			return -1;
		l->prep = prep;
	}
	return husk_ns_open_joins(c->spec, l->join_fds, err);
}

static void init_main(void *l)
{
	husk_init_main(l);
}

static int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* The parent side shared with exec (process/spawn.c), and the start socket. */
static int spawn_init(const struct husk_create_opts *o, const sigset_t *mask, struct creation *c,
		      struct husk_launch *l, struct husk_error *err)
{
	const struct husk_namespace *ns = c->spec->linux_.namespaces;
	struct husk_spawn *sp = &c->sp;
	int pp[2], r;

	sp->console_socket = o->console_socket;
	sp->pty = c->spec->process.terminal;
	sp->child_name = "container init";
	/* the init gets the caller's mask back (run blocks everything to forward signals) */
	if (husk_spawn_open(sp, mask, err) < 0)
		return -1;
	/*
	 * The start socket: `start` fetches pp[1] from the init (pidfd_getfd),
	 * writes one byte, then reads: EOF once the init has exec'd (pp[0] is
	 * close-on-exec), or the init's error.
	 */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pp) < 0)
		return husk_error_errno(err, "socketpair");
	c->start_wfd = pp[1];
	l->start_fd = pp[0];
	/* run holds the write end itself: the init's copy would hide run's death */
	l->handover = mask == NULL;
	l->start_wfd = l->handover ? pp[1] : -1;
	/* create: the init keeps the write end too, so that `start` can fetch it */
	c->state.start_fd = c->spec->has_process ? pp[1] : -1;
	l->console_fd = sp->console_fd;
	l->ch.sync_fd = sp->child_sync_fd;
	l->ch.mask = sp->child_mask;
	/* pid and time namespaces apply to children: the parent enters (or makes) them */
	sp->pidns_fd = take_fd(&l->join_fds[HUSK_NS_PID]);
	sp->pidns_path = ns[HUSK_NS_PID].path;
	sp->timens_fd = take_fd(&l->join_fds[HUSK_NS_TIME]);
	sp->timens_path = ns[HUSK_NS_TIME].path;
	sp->new_timens = ns[HUSK_NS_TIME].present ? &c->spec->linux_ : NULL;
	sp->cpus_initial = c->plan->cpus_initial;
	sp->cpus_initial_size = c->plan->cpus_initial_size;
	sp->cpus_initial_what = "process.execCPUAffinity.initial";
	r = husk_spawn_clone(sp, c->plan->ns.clone_flags, husk_cgroup_clone_fd(c->cg), init_main, l,
			     err);
	close(pp[0]);
	c->pid = sp->pid;
	return r;
}

/* The init's hooks in the runtime namespace: prestart and createRuntime, when it asks. */
static int runtime_hooks(struct creation *c, char **hook_state, struct husk_error *err)
{
	const struct husk_spec *s = c->spec;
	/* in the bundle, as runc's create (it chdirs there): hooks.c */
	struct husk_hook_where w = {.cwd = c->bundle};

	if (!any_hooks(s, HUSK_HOOK_PRESTART, HUSK_HOOK_CREATE_RUNTIME))
		return 0;
	if (husk_sync_recv(c->sp.sync_fd, SYNC_HOOKS, NULL, err) < 0)
		return -1;
	if (*hook_state == NULL)
		state_json_for_hooks(c, HUSK_STATUS_CREATING, hook_state);
	if (husk_hooks_run_at(&s->hooks[HUSK_HOOK_PRESTART], HUSK_HOOK_PRESTART, *hook_state, &w,
			      err) < 0 ||
	    husk_hooks_run_at(&s->hooks[HUSK_HOOK_CREATE_RUNTIME], HUSK_HOOK_CREATE_RUNTIME,
			      *hook_state, &w, err) < 0)
		return -1;
	return husk_sync_send(c->sp.sync_fd, SYNC_HOOKS_DONE, NULL, err);
}

/* The cloned init, driven over the sync socket until it is ready. */
static int drive_init(struct creation *c, const struct husk_launch *l, struct husk_error *err)
{
	const struct husk_plan *plan = c->plan;
	cleanup_free char *hook_state = NULL;

	/* recorded at once: `delete --force` kills it if we die before "created" */
	c->state.pid = c->pid;
	c->state.start_time = proc_start_time(c->pid);
	if (husk_store_write(&c->store, &c->state, err) < 0)
		return -1;

	if (husk_sync_recv(c->sp.sync_fd, SYNC_NS_READY, NULL, err) < 0)
		return -1;
	if (l->new_userns &&
	    husk_ns_write_maps(c->pid, &c->spec->linux_, plan->map_helper, err) < 0)
		return -1;
	if (husk_cgroup_enter(c->cg, c->pid,
			      HUSK_CGROUP_ENTER_INIT |
				  (c->sp.into_cgroup ? HUSK_CGROUP_ENTER_CLONED : 0),
			      err) < 0)
		return -1;
	if (any_hooks(c->spec, HUSK_HOOK_CREATE_CONTAINER, HUSK_HOOK_START_CONTAINER))
		state_json_for_hooks(c, HUSK_STATUS_CREATING, &hook_state);
	if (l->prep && husk_spawn_send_mount_sources(&c->sp, plan, err) < 0)
		return -1;
	if (husk_sync_send(c->sp.sync_fd, SYNC_GO, hook_state, err) < 0)
		return -1;
	if (runtime_hooks(c, &hook_state, err) < 0)
		return -1;
	if (plan->seccomp && husk_seccomp_filter_has_notify(plan->seccomp) &&
	    pass_notify_fd(c, hook_state, err) < 0)
		return -1;
	if (husk_sync_recv(c->sp.sync_fd, SYNC_READY, NULL, err) < 0)
		return -1;
	return husk_spawn_recv_pty(&c->sp, err);
}

static int start_init(const struct husk_create_opts *o, const sigset_t *mask, struct creation *c,
		      struct husk_error *err)
{
	struct husk_launch l;
	cleanup_prep struct husk_rootfs_prep prep = {0};
	int r = init_launch(c, o, &l, &prep, err);

	if (r == 0)
		r = spawn_init(o, mask, c, &l, err);
	husk_ns_close_joins(l.join_fds);
	if (r == 0)
		r = drive_init(c, &l, err);
	return r;
}

/*
 * The init dies with us until it is told that the container is created (it
 * is then the state's to track): tell it, and wait until it no longer does.
 */
static int hand_over(struct creation *c, struct husk_error *err)
{
	if (husk_sync_send(c->sp.sync_fd, SYNC_HANDOVER, NULL, err) < 0 ||
	    husk_sync_recv(c->sp.sync_fd, SYNC_HANDOVER, NULL, err) < 0)
		return -1;
	return 0;
}

/* A limit this host has no file for (kernelTCP): a warning, as runc gives. */
static void warn_ignored(const struct husk_ctx *ctx, const struct husk_cgroup *cg,
			 const struct husk_spec *s)
{
	const char *why =
	    s->linux_.has_resources ? husk_cgroup_ignored(cg, &s->linux_.resources) : NULL;

	if (why != NULL)
		husk_warn(ctx, "config.json: linux.resources.%s", why);
}

/* The state record of a container being created: "creating", by us. */
static void creating_state(struct creation *c, const char *id)
{
	const struct husk_spec *s = c->spec;
	char now[64];

	husk_now_rfc3339(now, sizeof now);
	c->state.id = xstrdup(id);
	c->state.bundle = xstrdup(c->bundle);
	c->state.rootfs = xstrdup(c->rootfs);
	c->state.created = xstrdup(now);
	c->state.owner = xstrdup("");
	c->state.status = HUSK_STATUS_CREATING;
	c->state.creator_pid = getpid();
	c->state.creator_start_time = proc_start_time(c->state.creator_pid);
	c->state.has_poststart = s->hooks[HUSK_HOOK_POSTSTART].n > 0;
	c->state.has_poststop = s->hooks[HUSK_HOOK_POSTSTOP].n > 0;
	if (s->n_annotations) {
		c->state.annotations = xmalloc0(s->n_annotations * sizeof(struct husk_kv));
		for (size_t i = 0; i < s->n_annotations; i++) {
			c->state.annotations[i].key = xstrdup(s->annotations[i].key);
			c->state.annotations[i].value = xstrdup(s->annotations[i].value);
		}
		c->state.n_annotations = s->n_annotations;
	}
}

static int do_create(const struct husk_ctx *ctx, const char *id, const struct husk_create_opts *o,
		     const sigset_t *mask, struct creation *c, struct husk_error *err)
{
	const struct husk_spec *s;
	cleanup_cgroup struct husk_cgroup *cg = NULL;

	creation_init(c);
	if (husk_id_validate(id, err) < 0)
		return -1;
	/* before we open anything that could take the number of a closed one */
	if (check_create_fds(o, err) < 0)
		return -1;
	if (resolve_paths(o, c, err) < 0)
		return -1;
	s = c->spec;
	if (check_for_create(s, o, mask != NULL, err) < 0 ||
	    husk_notify_setup_spec(ctx, c->spec, id, err) < 0)
		return -1;
	/* every check of the config happens here, before anything exists */
	if (husk_plan_build(s, id, c->bundle, c->rootfs, ctx, &c->plan, err) < 0 ||
	    (ctx->systemd_cgroup && husk_plan_use_systemd(c->plan, err) < 0))
		return -1;
	husk_plan_warn(c->plan, ctx);

	if (husk_store_create(husk_state_root(ctx), id, &c->store, err) < 0)
		return -1;
	c->have_store = true;
	creating_state(c, id);

	/*
	 * The state records what exists before it is made (the cgroup here, the
	 * init as soon as it is cloned), so that `delete --force` can undo a
	 * create killed half-way (SIGKILL runs no creation_abort).
	 */
	if (husk_store_write_config(&c->store, c->config, c->config_len, err) < 0 ||
	    husk_notify_make_dir(ctx, c->store.dir_fd, err) < 0)
		goto fail;
	cg = steal_pointer(&c->plan->cg);
	/* NULL: no cgroup (driver none) */
	c->state.cgroup_path = husk_cgroup_path(cg) ? xstrdup(husk_cgroup_path(cg)) : NULL;
	if (husk_store_write(&c->store, &c->state, err) < 0 ||
	    husk_cgroup_make(cg, s->linux_.has_resources ? &s->linux_.resources : NULL, err) < 0)
		goto fail;
	c->cg = steal_pointer(&cg);
	warn_ignored(ctx, c->cg, s);

	if (start_init(o, mask, c, err) < 0)
		goto fail;
	/* the creator's part is over once the state says created (or running, for run) */
	c->state.creator_pid = 0;
	c->state.creator_start_time = 0;
	c->state.status = HUSK_STATUS_CREATED;
	/* run (mask set) writes the state once, as running, when it starts the init */
	if (mask == NULL && husk_store_write(&c->store, &c->state, err) < 0)
		goto fail;
	if (o->pid_file && husk_write_pid_file(o->pid_file, c->pid, err) < 0)
		goto fail;
	if (mask == NULL && hand_over(c, err) < 0)
		goto fail;
	return 0;
fail:
	creation_abort(ctx, c);
	return -1;
}

int husk_create(const struct husk_ctx *ctx, const char *id, const struct husk_create_opts *opts,
		struct husk_error *err)
{
	struct creation c;
	int r = do_create(ctx, id, opts, NULL, &c, err);
	creation_free(&c);
	return r;
}

int husk_run(const struct husk_ctx *ctx, const char *id, const struct husk_create_opts *opts,
	     int *exit_status, struct husk_error *err)
{
	struct creation c;
	sigset_t all, old;
	cleanup_notify struct husk_notify n = {.host_fd = -1, .listen_fd = -1};
	int r = 0;

	/* block every signal: the init gets its own mask back; we forward them */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (do_create(ctx, id, opts, &old, &c, err) < 0) {
		creation_free(&c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	husk_notify_init(&n, ctx, id);
	if (ctx->notify_socket != NULL)
		r = husk_notify_open(&n, c.store.dir_fd, err);
	if (r >= 0)
		r = husk_start_created(ctx, &c.store, &c.state, c.spec, c.start_wfd, err);
	/* started (or failed): others may act on it while we wait */
	husk_store_unlock(&c.store);
	if (r == 0 && opts->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* runc's run -d waits for READY=1 too, with MAINPID the init's */
		if (n.listen_fd >= 0 && husk_notify_wait(&n, -1, c.pid, err) < 0)
			husk_warn(ctx, "%s", err->msg);
		husk_error_clear(err);
		creation_free(&c);
		*exit_status = 0;
		return 0;
	}
	if (r == 0) {
		r = husk_run_wait(c.pid, c.sp.pty_master, &n, exit_status, err);
	} else {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!opts->keep || r < 0) {
		struct husk_error e2 = {0};
		husk_destroy(ctx, &c.store, &c.state, c.spec, c.cg, &e2);
		husk_error_clear(&e2);
	}
	creation_free(&c);
	return r;
}

int husk_create_check(const struct husk_ctx *ctx, const char *id, const char *bundle,
		      struct husk_create_checked *out, struct husk_error *err)
{
	struct husk_create_opts co = {.bundle = bundle};
	struct creation c;
	int r = -1;

	creation_init(&c);
	if (husk_id_validate(id, err) < 0)
		return -1;
	if (resolve_paths(&co, &c, err) == 0) {
		/* --console-socket pairs with process.terminal: how create is called, not the
		 * config */
		co.console_socket = c.spec->process.terminal ? "" : NULL;
		r = check_for_create(c.spec, &co, false, err);
	}
	if (r == 0) {
		out->spec = steal_pointer(&c.spec);
		out->bundle = steal_pointer(&c.bundle);
		out->rootfs = steal_pointer(&c.rootfs);
	}
	creation_free(&c);
	return r;
}
