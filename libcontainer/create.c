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
#include "rootfs/mounts.h"
#include "plan/plan.h"
#include "state/state.h"
#include "process/sync.h"
#include "utils.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct creation {
	struct husk_spec *spec;
	char *config; /* the bytes of config.json that spec was parsed from */
	size_t config_len;
	char *bundle, *rootfs;
	struct husk_store store;
	bool have_store;
	struct husk_cgroup *cg;
	pid_t pid;
	int sync_fd;   /* our end */
	int start_wfd; /* write end of the init's start pipe */
	struct husk_state state;
	char **env;
	struct husk_plan *plan; /* built before anything exists */
	char *listen_fds_env;	/* the LISTEN_FDS=N entry we add to env */
	int pty_sock;		/* run -t without --console-socket: our end */
	int pty_master;		/* the pty master received on it */
};

static void creation_free(struct creation *c)
{
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	if (c->start_wfd >= 0)
		close(c->start_wfd);
	if (c->pty_sock >= 0)
		close(c->pty_sock);
	if (c->pty_master >= 0)
		close(c->pty_master);
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
	memset(c, 0, sizeof *c);
	c->sync_fd = c->start_wfd = c->pty_sock = c->pty_master = -1;
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
		husk_hooks_run_warn(ctx, &c->spec->hooks[HUSK_HOOK_POSTSTOP], HUSK_HOOK_POSTSTOP,
				    json);
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
	/* `run` relays a pty itself when no console socket is given (runc does too) */
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
static int build_env(struct creation *c, struct husk_launch *l, int *extra_fds)
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
	return 0;
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

pid_t husk_clone(uint64_t flags, int cgroup_fd, bool *into_cgroup)
{
	struct clone_args args = {
	    .flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
	    .exit_signal = SIGCHLD,
	    .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
	};
	long pid;

	*into_cgroup = cgroup_fd >= 0;
	pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
		return (pid_t)pid;
	/* kernels before 5.7 (no CLONE_INTO_CGROUP) or without clone3 */
	*into_cgroup = false;
	return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
}

/* Open our own namespace of `type` so that it can be restored for our later children. */
static int save_ns(const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/ns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int state_json_for_hooks(struct creation *c, enum husk_status status, char **out)
{
	*out = husk_state_to_json(&c->state, status, c->pid, false, false);
	return 0;
}

static bool needs_idmap(const struct husk_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].n_uid_mappings || s->mounts[i].n_gid_mappings)
			return true;
	return false;
}

static void prep_clearp(struct husk_rootfs_prep *p)
{
	if (p->idmap_fds)
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
	const struct husk_seccomp *sc = &c->spec->linux_.seccomp;
	cleanup_free char *num = NULL, *own_state = NULL;
	cleanup_close int pidfd = -1, fd = -1;
	int64_t n;

	if (husk_sync_recv(c->sync_fd, SYNC_SECCOMP, &num, err) < 0)
		return -1;
	if (num == NULL || parse_i64(num, &n) < 0)
		return husk_error_set(err, EPROTO, "sync: bad seccomp fd");
	pidfd = sys_pidfd_open(c->pid, 0);
	if (pidfd >= 0)
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)n, 0);
	if (fd < 0)
		return husk_error_errno(err, "get the seccomp notify fd of the init (pidfd_getfd)");
	if (state == NULL)
		state = own_state =
		    husk_state_to_json(&c->state, HUSK_STATUS_CREATING, c->pid, false, false);
	if (husk_seccomp_notify_send(sc->listener_path, fd, state, sc->listener_metadata, c->pid,
				     err) < 0)
		return -1;
	return husk_sync_send(c->sync_fd, SYNC_SECCOMP_DONE, NULL, err);
}

static int spawn_init(const struct husk_ctx *ctx, const struct husk_create_opts *o,
		      const sigset_t *mask, struct creation *c, struct husk_error *err)
{
	const struct husk_linux *lx = &c->spec->linux_;
	const struct husk_plan *plan = c->plan;
	struct husk_launch l = {
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
	    .seccomp = plan->seccomp,
	    .handover = mask == NULL,
	    .lock_fd = c->store.dir_fd,
	};
	cleanup_close int pid_saved = -1, time_saved = -1, console = -1;
	int sv[2], pp[2], extra_fds;
	bool into_cgroup;
	cleanup_free char *hook_state = NULL;
	cleanup_prep struct husk_rootfs_prep prep = {0};

	/* idmapped mounts can't be made from inside the new user namespace */
	if (lx->namespaces[HUSK_NS_USER].present && needs_idmap(c->spec)) {
		struct husk_rootfs_opts ro = {
		    .rootfs = c->rootfs, .bundle = c->bundle, .userns = true, .plan = plan};
		if (husk_rootfs_prepare(c->spec, &ro, &prep, err) < 0)
			return -1;
		l.prep = &prep;
	}
	if (husk_ns_open_joins(c->spec, l.join_fds, err) < 0)
		return -1;
	/* pid and time namespaces apply to children: the parent enters/makes them */
	if (l.join_fds[HUSK_NS_PID] >= 0) {
		pid_saved = save_ns("pid");
		if (setns(l.join_fds[HUSK_NS_PID], CLONE_NEWPID) < 0) {
			husk_error_errno(err, "join pid namespace `%s`",
					 lx->namespaces[HUSK_NS_PID].path);
			husk_ns_close_joins(l.join_fds);
			return -1;
		}
		close(l.join_fds[HUSK_NS_PID]);
		l.join_fds[HUSK_NS_PID] = -1;
	}
	if (lx->namespaces[HUSK_NS_TIME].present) {
		time_saved = save_ns("time");
		if (l.join_fds[HUSK_NS_TIME] >= 0) {
			if (setns(l.join_fds[HUSK_NS_TIME], CLONE_NEWTIME) < 0) {
				husk_error_errno(err, "join time namespace `%s`",
						 lx->namespaces[HUSK_NS_TIME].path);
				husk_ns_close_joins(l.join_fds);
				return -1;
			}
			close(l.join_fds[HUSK_NS_TIME]);
			l.join_fds[HUSK_NS_TIME] = -1;
		} else if (husk_ns_time_setup(lx, err) < 0) {
			husk_ns_close_joins(l.join_fds);
			return -1;
		}
	}
	if (o->console_socket) {
		console = husk_console_socket_connect(o->console_socket, err);
		if (console < 0) {
			husk_ns_close_joins(l.join_fds);
			return -1;
		}
		l.console_fd = console;
	} else if (c->spec->process.terminal) {
		int ps[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ps) < 0) {
			husk_ns_close_joins(l.join_fds);
			return husk_error_errno(err, "socketpair");
		}
		c->pty_sock = ps[0];
		console = ps[1];
		l.console_fd = console;
	}
	build_env(c, &l, &extra_fds);
	l.preserve_fds = o->preserve_fds + extra_fds;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		husk_ns_close_joins(l.join_fds);
		return husk_error_errno(err, "socketpair");
	}
	/*
	 * The start socket: `start` fetches pp[1] from the init (pidfd_getfd),
	 * writes one byte, then reads: EOF once the init has exec'd (pp[0] is
	 * close-on-exec), or the init's error.
	 */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pp) < 0) {
		close(sv[0]);
		close(sv[1]);
		husk_ns_close_joins(l.join_fds);
		return husk_error_errno(err, "socketpair");
	}
	c->sync_fd = sv[0];
	c->start_wfd = pp[1];
	l.sync_fd = sv[1];
	l.start_fd = pp[0];
	/* run holds the write end itself: the init's copy would hide run's death */
	l.start_wfd = l.handover ? pp[1] : -1;
	/* create: the init keeps the write end too, so that `start` can fetch it */
	c->state.start_fd = c->spec->has_process ? pp[1] : -1;
	/* the init gets the caller's mask back (run blocks everything to forward signals) */
	if (mask)
		l.sigmask = *mask;
	else
		sigprocmask(SIG_SETMASK, NULL, &l.sigmask);
	/* execCPUAffinity.initial: the init's before it joins the cgroup; it inherits ours */
	if (plan->cpus_initial &&
	    husk_cpu_set_apply(plan->cpus_initial, plan->cpus_initial_size, err) < 0)
		return husk_error_wrap(err, "process.execCPUAffinity.initial");

	c->pid = husk_clone(plan->ns.clone_flags, husk_cgroup_clone_fd(c->cg), &into_cgroup);
	if (c->pid == 0)
		husk_init_main(&l);
	close(sv[1]);
	close(pp[0]);
	husk_ns_close_joins(l.join_fds);
	if (c->pid < 0) {
		c->pid = 0;
		return husk_error_errno(err, "clone container init");
	}
	if (pid_saved >= 0)
		setns(pid_saved, CLONE_NEWPID);
	if (time_saved >= 0)
		setns(time_saved, CLONE_NEWTIME);
	/* recorded at once: `delete --force` kills it if we die before "created" */
	c->state.pid = c->pid;
	c->state.start_time = proc_start_time(c->pid);
	if (husk_store_write(&c->store, &c->state, err) < 0)
		return -1;

	if (husk_sync_recv(c->sync_fd, SYNC_NS_READY, NULL, err) < 0)
		return -1;
	if ((l.new_userns) && husk_ns_write_maps(c->pid, lx, err) < 0)
		return -1;
	if (husk_cgroup_enter(c->cg, c->pid,
			      HUSK_CGROUP_ENTER_INIT | (into_cgroup ? HUSK_CGROUP_ENTER_CLONED : 0),
			      err) < 0)
		return -1;
	if (any_hooks(c->spec, HUSK_HOOK_CREATE_CONTAINER, HUSK_HOOK_START_CONTAINER))
		state_json_for_hooks(c, HUSK_STATUS_CREATING, &hook_state);
	if (husk_sync_send(c->sync_fd, SYNC_GO, hook_state, err) < 0)
		return -1;
	if (any_hooks(c->spec, HUSK_HOOK_PRESTART, HUSK_HOOK_CREATE_RUNTIME)) {
		if (husk_sync_recv(c->sync_fd, SYNC_HOOKS, NULL, err) < 0)
			return -1;
		if (hook_state == NULL)
			state_json_for_hooks(c, HUSK_STATUS_CREATING, &hook_state);
		if (husk_hooks_run(&c->spec->hooks[HUSK_HOOK_PRESTART], HUSK_HOOK_PRESTART,
				   hook_state, err) < 0 ||
		    husk_hooks_run(&c->spec->hooks[HUSK_HOOK_CREATE_RUNTIME],
				   HUSK_HOOK_CREATE_RUNTIME, hook_state, err) < 0)
			return -1;
		if (husk_sync_send(c->sync_fd, SYNC_HOOKS_DONE, NULL, err) < 0)
			return -1;
	}
	if (plan->seccomp && husk_seccomp_filter_has_notify(plan->seccomp) &&
	    pass_notify_fd(c, hook_state, err) < 0)
		return -1;
	if (husk_sync_recv(c->sync_fd, SYNC_READY, NULL, err) < 0)
		return -1;
	if (c->pty_sock >= 0 && (c->pty_master = husk_recv_fd(c->pty_sock, err)) < 0)
		return -1;
	return 0;
}

/*
 * The init dies with us until it is told that the container is created (it
 * is then the state's to track): tell it, and wait until it no longer does.
 */
static int hand_over(struct creation *c, struct husk_error *err)
{
	if (husk_sync_send(c->sync_fd, SYNC_HANDOVER, NULL, err) < 0 ||
	    husk_sync_recv(c->sync_fd, SYNC_HANDOVER, NULL, err) < 0)
		return -1;
	return 0;
}

static int do_create(const struct husk_ctx *ctx, const char *id, const struct husk_create_opts *o,
		     const sigset_t *mask, struct creation *c, struct husk_error *err)
{
	char now[64];
	const struct husk_spec *s;
	cleanup_cgroup struct husk_cgroup *cg = NULL;

	memset(c, 0, sizeof *c);
	c->sync_fd = c->start_wfd = c->pty_sock = c->pty_master = -1;
	if (husk_id_validate(id, err) < 0)
		return -1;
	/* before we open anything that could take the number of a closed one */
	if (check_create_fds(o, err) < 0)
		return -1;
	if (ctx->systemd_cgroup)
		return husk_error_set(err, ENOTSUP, "systemd cgroup driver is not supported yet");
	if (resolve_paths(o, c, err) < 0)
		return -1;
	s = c->spec;
	if (check_for_create(s, o, mask != NULL, err) < 0)
		return -1;
	/* every check of the config happens here, before anything exists */
	if (husk_plan_build(s, id, c->bundle, c->rootfs, &c->plan, err) < 0)
		return -1;

	if (husk_store_create(husk_state_root(ctx), id, &c->store, err) < 0)
		return -1;
	c->have_store = true;
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

	/*
	 * The state records what exists before it is made (the cgroup here, the
	 * init as soon as it is cloned), so that `delete --force` can undo a
	 * create killed half-way (SIGKILL runs no creation_abort).
	 */
	if (husk_store_write_config(&c->store, c->config, c->config_len, err) < 0)
		goto fail;
	cg = steal_pointer(&c->plan->cg);
	/* NULL: no cgroup (driver none) */
	c->state.cgroup_path = husk_cgroup_path(cg) ? xstrdup(husk_cgroup_path(cg)) : NULL;
	if (husk_store_write(&c->store, &c->state, err) < 0 ||
	    husk_cgroup_make(cg, s->linux_.has_resources ? &s->linux_.resources : NULL, err) < 0)
		goto fail;
	c->cg = steal_pointer(&cg);

	if (spawn_init(ctx, o, mask, c, err) < 0)
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
	int r;

	/* block every signal: the init gets its own mask back; we forward them */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (do_create(ctx, id, opts, &old, &c, err) < 0) {
		creation_free(&c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	r = husk_start_created(ctx, &c.store, &c.state, c.spec, c.start_wfd, err);
	/* started (or failed): others may act on it while we wait */
	husk_store_unlock(&c.store);
	if (r == 0 && opts->detach) {
		creation_free(&c);
		sigprocmask(SIG_SETMASK, &old, NULL);
		*exit_status = 0;
		return 0;
	}
	if (r == 0) {
		r = husk_run_wait(c.pid, c.pty_master, exit_status, err);
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
	struct creation c = {.sync_fd = -1, .start_wfd = -1, .pty_sock = -1, .pty_master = -1};
	int r = -1;

	if (husk_id_validate(id, err) < 0)
		return -1;
	if (ctx->systemd_cgroup)
		return husk_error_set(err, ENOTSUP, "systemd cgroup driver is not supported yet");
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
