/* SPDX-License-Identifier: Apache-2.0 */
/*
 * husk exec: a new process in a running container.  The parent enters the
 * container's pid (and time) namespace for its children only, clones the
 * child into the container's cgroup, and the child joins the other
 * namespaces, the container's root, and takes the process's attributes
 * before execve.  The child's sync socket closes on a successful execve; an
 * error crosses it as a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/container.h"
#include "internal.h"
#include "plan/plan.h"
#include "process/pipeline.h"
#include "process/process.h"
#include "process/sync.h"
#include "security/security.h"
#include "state/lifecycle.h"
#include "state/state.h"
#include "utils.h"

static char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r;

	if (v == NULL)
		return NULL;
	r = xmalloc0((n + 1) * sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

/* Append `add` (NULL-terminated) to a malloc'd strv, skipping names already there. */
static char **strv_merge(char **v, char *const *add)
{
	size_t n = strv_len(v), m = strv_len(add), k = n;
	char **r = xmalloc0((n + m + 1) * sizeof *r);

	for (size_t i = 0; i < n; i++)
		r[i] = v[i];
	for (size_t i = 0; i < m; i++) {
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(r[j], add[i]) == 0;
		if (!dup)
			r[k++] = xstrdup(add[i]);
	}
	free(v);
	return r;
}

/* --env KEY=VALUE overrides the container's KEY. */
static char **env_merge(char **v, char *const *add)
{
	for (size_t i = 0; add && add[i]; i++) {
		const char *eq = strchr(add[i], '=');
		size_t klen = eq ? (size_t)(eq - add[i]) : strlen(add[i]);
		bool done = false;
		for (size_t j = 0; v && v[j]; j++) {
			if (strncmp(v[j], add[i], klen) == 0 && v[j][klen] == '=') {
				free(v[j]);
				v[j] = xstrdup(add[i]);
				done = true;
				break;
			}
		}
		if (!done) {
			char *one[] = {add[i], NULL};
			v = strv_merge(v, one);
		}
	}
	return v;
}

/*
 * A uid or gid of --user or --additional-gids: 0..HUSK_ID_MAX, as in
 * config.json.  -1: not a number, -2: out of range.
 */
static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0)
		return -1;
	if (v > HUSK_ID_MAX)
		return -2;
	*out = (uint32_t)v;
	return 0;
}

static int id_error(const char *flag, const char *whole, const char *id, int r,
		    struct husk_error *err)
{
	if (r == -2)
		return husk_error_set(err, EINVAL, "%s: `%s` is out of range [0, %u]", flag, id,
				      HUSK_ID_MAX);
	return husk_error_set(err, EINVAL, "%s: invalid %s `%s`", flag, whole ? "uid[:gid]" : "gid",
			      whole ? whole : id);
}

/* The container's capabilities, with runc's --cap added (unknown ones: exec_caps warns). */
static void process_caps(const struct husk_process *c, const struct husk_exec_opts *o,
			 struct husk_process *p)
{
	p->has_capabilities = c->has_capabilities || o->caps;
	p->capabilities.bounding = strv_dup(c->capabilities.bounding);
	p->capabilities.effective = strv_dup(c->capabilities.effective);
	p->capabilities.permitted = strv_dup(c->capabilities.permitted);
	p->capabilities.inheritable = strv_dup(c->capabilities.inheritable);
	p->capabilities.ambient = strv_dup(c->capabilities.ambient);
	if (o->caps) {
		/* runc adds --cap to the bounding, effective and permitted sets */
		p->capabilities.bounding = strv_merge(p->capabilities.bounding, o->caps);
		p->capabilities.effective = strv_merge(p->capabilities.effective, o->caps);
		p->capabilities.permitted = strv_merge(p->capabilities.permitted, o->caps);
	}
}

/*
 * process.scheduler and ioPriority: an exec'd process has them as the init
 * does (runc's exec starts from a copy of the spec's process).
 */
static void process_sched(const struct husk_process *c, struct husk_process *p)
{
	p->has_scheduler = c->has_scheduler;
	p->scheduler = c->scheduler;
	p->scheduler.policy = xstrdup(c->scheduler.policy);
	p->scheduler.flags = strv_dup(c->scheduler.flags);
	p->has_io_priority = c->has_io_priority;
	p->io_priority = c->io_priority;
	p->io_priority.class_name = xstrdup(c->io_priority.class_name);
}

/* runc exec: the container's process, with the flags applied over it. */
static int build_process(const struct husk_spec *spec, const struct husk_exec_opts *o,
			 struct husk_process *p, struct husk_error *err)
{
	const struct husk_process *c = &spec->process;
	int r;

	memset(p, 0, sizeof *p);
	if (o->process_file) {
		cleanup_free char *json = NULL;
		size_t len;
		if (read_file_at(AT_FDCWD, o->process_file, &json, &len, err) < 0)
			return -1;
		/* parsed, then refused if it asks for what husk does not apply (or empty args) */
		if (husk_process_parse(json, len, o->process_file, p, err) < 0)
			return -1;
		return husk_process_check_supported(p, o->process_file, err);
	}
	if (o->args == NULL || o->args[0] == NULL)
		return husk_error_set(err, EINVAL, "exec: no command given");
	p->args = strv_dup(o->args);
	p->env = env_merge(strv_dup(c->env), o->env);
	p->cwd = xstrdup(o->cwd ? o->cwd : c->cwd);
	p->terminal = o->tty;
	p->user = c->user;
	p->user.additional_gids = NULL;
	p->user.n_additional_gids = 0;
	p->user.username = NULL;
	if (o->user) {
		cleanup_free char *u = xstrdup(o->user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon++ = '\0';
		if ((r = parse_id(u, &p->user.uid)) < 0)
			return id_error("--user", o->user, u, r, err);
		if (colon && (r = parse_id(colon, &p->user.gid)) < 0)
			return id_error("--user", o->user, colon, r, err);
		if (!colon)
			p->user.gid = 0;
	}
	{
		size_t n =
		    o->additional_gids ? strv_len(o->additional_gids) : c->user.n_additional_gids;
		p->user.additional_gids = xmalloc0((n + 1) * sizeof(uint32_t));
		p->user.n_additional_gids = n;
		for (size_t i = 0; i < n; i++) {
			if (!o->additional_gids)
				p->user.additional_gids[i] = c->user.additional_gids[i];
			else if ((r = parse_id(o->additional_gids[i],
					       &p->user.additional_gids[i])) < 0)
				return id_error("--additional-gids", NULL, o->additional_gids[i], r,
						err);
		}
	}
	process_caps(c, o, p);
	p->no_new_privileges = c->no_new_privileges || o->no_new_privs;
	process_sched(c, p);
	p->exec_cpu_affinity_initial = xstrdup(c->exec_cpu_affinity_initial);
	p->exec_cpu_affinity_final = xstrdup(c->exec_cpu_affinity_final);
	p->apparmor_profile = xstrdup(o->apparmor ? o->apparmor : c->apparmor_profile);
	p->selinux_label = xstrdup(o->process_label ? o->process_label : c->selinux_label);
	if (c->n_rlimits) {
		p->rlimits = xmalloc0(c->n_rlimits * sizeof *p->rlimits);
		for (size_t i = 0; i < c->n_rlimits; i++) {
			p->rlimits[i] = c->rlimits[i];
			p->rlimits[i].type_name = xstrdup(c->rlimits[i].type_name);
		}
		p->n_rlimits = c->n_rlimits;
	}
	return 0;
}

/* An exec child: where it goes (the init's namespaces and root), then the shared child side. */
struct exec_child {
	struct husk_child ch;
	int pidfd;		    /* the init; -1 without pidfd */
	int ns_fds[HUSK_NS_N];	    /* fallback per-namespace fds */
	int setns_flags;	    /* namespaces to join from the pidfd */
	int root_fd;		    /* /proc/<init>/root */
	struct husk_cap_masks caps; /* the process's capabilities resolved (husk_plan_caps) */
};

/* Join the init's namespaces and its root (the pid and time ones: spawn.c). */
static int exec_enter(struct exec_child *x, struct husk_error *err)
{
	if (husk_sync_recv(x->ch.sync_fd, SYNC_GO, NULL, err) < 0)
		return -1;
	if (x->pidfd >= 0 && setns(x->pidfd, x->setns_flags) < 0) {
		if (errno != EINVAL)
			return husk_error_errno(err, "join the container's namespaces");
		/* kernels before 5.8 take no pidfd in setns: per-namespace fds */
		x->pidfd = -1;
	}
	if (x->pidfd < 0 && husk_ns_join(x->ns_fds, err) < 0)
		return -1;
	if (fchdir(x->root_fd) < 0 || chroot(".") < 0)
		return husk_error_errno(err, "enter the container's root");
	close(x->root_fd);
	x->root_fd = -1;
	return 0;
}

/*
 * No fd of the caller reaches the container but 0-2 and the preserved ones:
 * close the rest now (not just at execve), keeping only our own.
 */
static int close_inherited(struct exec_child *x, struct husk_error *err)
{
	int keep[HUSK_NS_N + 4];
	size_t n = 0;

	keep[n++] = x->ch.sync_fd;
	keep[n++] = x->pidfd;
	keep[n++] = x->root_fd;
	keep[n++] = x->ch.console_fd;
	for (int t = 0; t < HUSK_NS_N; t++)
		keep[n++] = x->ns_fds[t];
	return husk_child_close_fds(x->ch.preserve_fds, keep, n, false, err);
}

__attribute__((noreturn)) static void exec_child_main(void *arg)
{
	struct exec_child *x = arg;
	struct husk_error err = {0};
	int code = 1;

	/* nothing in the container may reach our binary through /proc/<pid>/exe */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (close_inherited(x, &err) == 0 && exec_enter(x, &err) == 0 &&
	    husk_child_setup(&x->ch, &err) == 0)
		code = husk_child_exec(&x->ch, &err); /* returns only on failure */
	else if (x->ch.lookup_failed)
		/* the shell's codes: 127 not found, 126 found but not runnable */
		code = err.status == ENOENT ? 127 : 126;
	husk_error_wrap(&err, "exec failed");
	husk_sync_send_error(x->ch.sync_fd, &err);
	_exit(code);
}

/* Everything an exec needs, owned in one place. */
struct exec_run {
	struct husk_process proc;
	struct exec_child x;
	struct husk_spawn sp;
	struct husk_seccomp_filter *filter; /* the container's profile */
	cpu_set_t *cpus_initial, *cpus_final;
	struct husk_cgroup *cg;
	struct husk_cgroup *sub_cg; /* --cgroup: where the process goes instead of cg */
	char pidns_path[64], timens_path[64];
};

static void exec_run_init(struct exec_run *e)
{
	memset(e, 0, sizeof *e);
	husk_spawn_init(&e->sp);
	e->x.pidfd = e->x.root_fd = -1;
	for (int t = 0; t < HUSK_NS_N; t++)
		e->x.ns_fds[t] = -1;
}

static void exec_run_clear(struct exec_run *e)
{
	for (int t = 0; t < HUSK_NS_N; t++)
		if (e->x.ns_fds[t] >= 0)
			close(e->x.ns_fds[t]);
	if (e->x.pidfd >= 0)
		close(e->x.pidfd);
	if (e->x.root_fd >= 0)
		close(e->x.root_fd);
	husk_spawn_clear(&e->sp);
	husk_seccomp_filter_free(e->filter);
	if (e->cpus_initial)
		CPU_FREE(e->cpus_initial);
	if (e->cpus_final)
		CPU_FREE(e->cpus_final);
	husk_cgroup_free(e->cg);
	husk_cgroup_free(e->sub_cg);
	husk_process_clear(&e->proc);
}

/*
 * The capability masks, as create's plan makes them: the names husk or the
 * kernel does not know are skipped, each with a warning (runc warns on
 * every exec too), from process.json, or from config.json and --cap.
 */
static void exec_caps(const struct husk_ctx *ctx, const struct husk_spec *spec,
		      const struct husk_exec_opts *o, struct exec_run *e)
{
	const struct husk_process *c = &spec->process;
	cleanup_strv char **warnings = NULL;
	cleanup_free char *where = NULL;
	int last = husk_caps_kernel_last();

	if (o->process_file) {
		if (asprintf(&where, "%s: capabilities", o->process_file) < 0)
			abort();
		husk_plan_caps_warnings(&e->proc.capabilities, last, where, &warnings);
	} else {
		husk_plan_caps_warnings(c->has_capabilities ? &c->capabilities : NULL, last,
					"config.json: process.capabilities", &warnings);
		husk_plan_names_warnings(o->caps, last, "--cap", &warnings);
	}
	for (size_t i = 0; warnings && warnings[i]; i++)
		husk_warn(ctx, "%s", warnings[i]);
	husk_plan_caps(&e->proc.capabilities, last, &e->x.caps);
}

/* The process to run, resolved as create's plan resolves the init's. */
static int exec_process(const struct husk_ctx *ctx, const struct husk_spec *spec,
			const struct husk_exec_opts *o, struct exec_run *e, struct husk_error *err)
{
	struct husk_process *p = &e->proc;
	struct husk_child *ch = &e->x.ch;

	if (build_process(spec, o, p, err) < 0)
		return -1;
	if (husk_args_check(p->args, o->process_file ? o->process_file : "exec", "", err) < 0)
		return -1;
	if (p->cwd == NULL)
		p->cwd = xstrdup("/");
	if (spec->linux_.has_seccomp &&
	    husk_seccomp_compile(&spec->linux_.seccomp, "config.json", &e->filter, err) < 0)
		return -1;
	if (p->exec_cpu_affinity_initial &&
	    husk_cpu_list_parse(p->exec_cpu_affinity_initial, &e->cpus_initial,
				&e->sp.cpus_initial_size, err) < 0)
		return husk_error_wrap(err, "execCPUAffinity.initial");
	if (p->exec_cpu_affinity_final &&
	    husk_cpu_list_parse(p->exec_cpu_affinity_final, &e->cpus_final, &ch->cpus_final_size,
				err) < 0)
		return husk_error_wrap(err, "execCPUAffinity.final");
	exec_caps(ctx, spec, o, e);
	ch->p = p;
	ch->env = p->env;
	ch->listen_pid_slot = -1;
	ch->cwd_origin = "";
	ch->caps = &e->x.caps;
	ch->seccomp = e->filter;
	ch->cpus_final = e->cpus_final;
	e->sp.cpus_initial = e->cpus_initial;
	e->sp.cpus_initial_what = "execCPUAffinity.initial";
	return 0;
}

static int open_ns(pid_t pid, int t, int *fd, char path[64], struct husk_error *err)
{
	snprintf(path, 64, "/proc/%d/ns/%s", (int)pid, husk_ns_name(t));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return husk_error_errno(err, "join namespace `%s`", path);
	return 0;
}

/*
 * Rootless: the container's namespaces belong to its user namespace, where
 * a non-root caller holds no capability until it joins it.  Join it here,
 * in the parent, so that spawn.c can enter the pid namespace; the child
 * joins the others from inside it (runc's nsexec joins the user namespace
 * first, in its stage-1 child, for the same reason).
 */
static int exec_join_userns(pid_t pid, struct exec_child *x, struct husk_error *err)
{
	cleanup_close int fd = -1;
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0)
		return husk_error_errno(err, "join the container's user namespace `%s`", path);
	/* the container's root may not ptrace us now that we are in its namespace */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	x->setns_flags &= ~CLONE_NEWUSER;
	if (x->ns_fds[HUSK_NS_USER] >= 0)
		close(x->ns_fds[HUSK_NS_USER]);
	x->ns_fds[HUSK_NS_USER] = -1;
	return 0;
}

/* The init's namespaces, root and cgroup, opened for the child. */
static int exec_target(struct husk_container *c, const struct husk_spec *spec,
		       char *const *sub_cgroups, struct exec_run *e, struct husk_error *err)
{
	const struct husk_namespace *ns = spec->linux_.namespaces;
	struct exec_child *x = &e->x;
	pid_t pid = c->s.pid;
	char path[64];

	x->pidfd = husk_open_init(&c->s);
	if (x->pidfd == -1)
		return husk_error_set(err, ESRCH, "cannot exec in a stopped container");
	if (x->pidfd < 0)
		x->pidfd = -1;
	for (int t = 0; t < HUSK_NS_N; t++) {
		if (!ns[t].present || t == HUSK_NS_PID || t == HUSK_NS_TIME)
			continue;
		x->setns_flags |= husk_ns_clone_flag(t);
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid,
			 t == HUSK_NS_NETWORK ? "net"
			 : t == HUSK_NS_MOUNT ? "mnt"
					      : husk_ns_name(t));
		if (x->pidfd < 0 && (x->ns_fds[t] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return husk_error_errno(err, "open `%s`", path);
	}
	snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
	x->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x->root_fd < 0)
		return husk_error_errno(err, "open the container's root");
	/* pid and time namespaces take effect for our children: spawn.c enters them */
	if (ns[HUSK_NS_PID].present &&
	    open_ns(pid, HUSK_NS_PID, &e->sp.pidns_fd, e->pidns_path, err) < 0)
		return -1;
	if (ns[HUSK_NS_TIME].present &&
	    open_ns(pid, HUSK_NS_TIME, &e->sp.timens_fd, e->timens_path, err) < 0)
		return -1;
	e->sp.pidns_path = e->pidns_path;
	e->sp.timens_path = e->timens_path;
	if (ns[HUSK_NS_USER].present && geteuid() != 0 && exec_join_userns(pid, x, err) < 0)
		return -1;
	if (c->s.cgroup_path && husk_cgroup_load(c->s.cgroup_path, &e->cg, err) < 0)
		return -1;
	if (sub_cgroups && *sub_cgroups)
		return husk_cgroup_sub(e->cg, sub_cgroups, &e->sub_cg, err);
	return 0;
}

/* After the clone: into the cgroup, go, and follow the child to its execve (and its end). */
static int exec_follow(const struct husk_spec *spec, const struct husk_exec_opts *o,
		       struct exec_run *e, const char *state, bool frozen, int *exit_status,
		       struct husk_error *err)
{
	struct husk_cgroup *into = e->sub_cg ? e->sub_cg : e->cg;
	pid_t pid = e->sp.pid;
	int r = -1, ws = 0;

	if ((into && husk_cgroup_enter(into, pid, e->sp.into_cgroup ? HUSK_CGROUP_ENTER_CLONED : 0,
				       err) < 0) ||
	    (frozen && husk_cgroup_freeze(e->cg, true, err) < 0) ||
	    husk_sync_send(e->sp.sync_fd, SYNC_GO, NULL, err) < 0 ||
	    (r = husk_spawn_wait_exec(&e->sp, state, &spec->linux_.seccomp, err)) < 0) {
		/* a child that reported its error exits with 127, 126 or 1 */
		if (r != -2)
			kill(pid, SIGKILL);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(ws))
			*exit_status = WEXITSTATUS(ws);
		return -1;
	}
	if (husk_spawn_recv_pty(&e->sp, err) < 0 ||
	    (o->pid_file && husk_write_pid_file(o->pid_file, pid, err) < 0)) {
		/* a process its caller cannot know of goes (runc terminates it too) */
		kill(pid, SIGKILL);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	if (o->detach)
		return 0;
	return husk_run_wait(pid, e->sp.pty_master, NULL, exit_status, err);
}

/* The parent side shared with create (process/spawn.c). */
static int exec_spawn(struct husk_container *c, const struct husk_spec *spec,
		      const struct husk_exec_opts *o, struct exec_run *e, int *exit_status,
		      struct husk_error *err)
{
	cleanup_free char *state = NULL;
	struct husk_cgroup *into;
	sigset_t all, old;
	bool frozen;
	int r;

	e->sp.console_socket = e->proc.terminal ? o->console_socket : NULL;
	e->sp.pty = e->proc.terminal;
	e->sp.child_name = "exec process";
	if (husk_spawn_open(&e->sp, NULL, err) < 0)
		return -1;
	e->x.ch.sync_fd = e->sp.child_sync_fd;
	e->x.ch.console_fd = e->sp.console_fd;
	e->x.ch.preserve_fds = o->preserve_fds;
	e->x.ch.mask = e->sp.child_mask;
	if (e->filter && husk_seccomp_filter_has_notify(e->filter))
		state = husk_state_to_json(&c->s, HUSK_STATUS_RUNNING, c->s.pid, false, false);
	/*
	 * --ignore-paused: a v1 freezer reads FREEZING once a new task joins a
	 * frozen cgroup; freeze again so that the container stays paused (and
	 * resume finds it so); the process runs once it is resumed
	 */
	frozen = e->cg && husk_cgroup_is_frozen(e->cg) == 1;
	/* every signal blocked: we forward them; the child gets the caller's mask back */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	into = e->sub_cg ? e->sub_cg : e->cg;
	r = husk_spawn_clone(&e->sp, 0, into ? husk_cgroup_clone_fd(into) : -1, exec_child_main,
			     &e->x, err);
	if (r == 0)
		r = exec_follow(spec, o, e, state, frozen, exit_status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int exec_check(const struct husk_container *c, const struct husk_exec_opts *o,
		      struct husk_error *err)
{
	if (!husk_status_can_exec(c->status) && c->status != HUSK_STATUS_PAUSED)
		return husk_error_set(err, EINVAL, "cannot exec in a stopped container");
	if (c->status == HUSK_STATUS_PAUSED && !o->ignore_paused)
		return husk_error_set(
		    err, EINVAL,
		    "cannot exec in a paused container (use --ignore-paused to override)");
	if (o->tty && o->detach && !o->console_socket)
		return husk_error_set(
		    err, EINVAL, "cannot allocate a tty with --detach without --console-socket");
	return 0;
}

int husk_exec(const struct husk_ctx *ctx, const char *id, const struct husk_exec_opts *o,
	      int *exit_status, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	const struct husk_spec *spec;
	struct exec_run e;
	char what[64];
	int r = -1;

	*exit_status = 0;
	/*
	 * --preserve-fds N passes fds 3..N+2 as they are: one the caller did
	 * not pass would be (or become, below) one of ours: the state dir, a
	 * host directory, the --log file
	 */
	snprintf(what, sizeof what, "--preserve-fds %d", o->preserve_fds);
	if (husk_check_passed_fds(3, o->preserve_fds, what, err) < 0)
		return -1;
	if (husk_container_open(ctx, id, 0, &c, err) < 0 || exec_check(c, o, err) < 0)
		return -1;
	exec_run_init(&e);
	/* the config frozen at create: the bundle may be gone */
	if ((spec = husk_container_spec(c, err)) != NULL &&
	    exec_process(ctx, spec, o, &e, err) == 0 &&
	    exec_target(c, spec, o->sub_cgroups, &e, err) == 0)
		r = exec_spawn(c, spec, o, &e, exit_status, err);
	exec_run_clear(&e);
	return r;
}
