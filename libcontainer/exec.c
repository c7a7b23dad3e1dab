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
#include "security/security.h"
#include "state/lifecycle.h"
#include "state/state.h"
#include "process/sync.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

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
	p->has_capabilities = c->has_capabilities || o->caps;
	p->capabilities.bounding = strv_dup(c->capabilities.bounding);
	p->capabilities.effective = strv_dup(c->capabilities.effective);
	p->capabilities.permitted = strv_dup(c->capabilities.permitted);
	p->capabilities.inheritable = strv_dup(c->capabilities.inheritable);
	p->capabilities.ambient = strv_dup(c->capabilities.ambient);
	if (o->caps) {
		for (size_t i = 0; o->caps[i]; i++)
			if (husk_cap_from_name(o->caps[i]) < 0)
				return husk_error_set(err, EINVAL, "--cap: unknown capability `%s`",
						      o->caps[i]);
		/* runc adds --cap to the bounding, effective and permitted sets */
		p->capabilities.bounding = strv_merge(p->capabilities.bounding, o->caps);
		p->capabilities.effective = strv_merge(p->capabilities.effective, o->caps);
		p->capabilities.permitted = strv_merge(p->capabilities.permitted, o->caps);
	}
	p->no_new_privileges = c->no_new_privileges || o->no_new_privs;
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

struct exec_child {
	const struct husk_spec *spec;
	const struct husk_process *p;
	const char *id;
	int sync_fd;
	int pidfd;	       /* the init; -1 without pidfd */
	int ns_fds[HUSK_NS_N]; /* fallback per-namespace fds */
	int setns_flags;       /* namespaces to join from the pidfd */
	int root_fd;	       /* /proc/<init>/root */
	int console_fd;
	int preserve_fds;
	struct husk_seccomp_filter *seccomp; /* the container's profile */
	char **env;			     /* p->env with HOME (husk_env_with_home) */
	struct husk_cap_masks caps;	     /* p->capabilities resolved (husk_plan_caps) */
};

static int exec_child_setup(struct exec_child *x, char **prog, bool *lookup_failed,
			    struct husk_error *err)
{
	const struct husk_process *p = x->p;

	if (husk_sync_recv(x->sync_fd, SYNC_GO, NULL, err) < 0)
		return -1;
	if (x->pidfd >= 0 && setns(x->pidfd, x->setns_flags) < 0) {
		if (errno != EINVAL)
			return husk_error_errno(err, "join the container's namespaces");
		/* kernels before 5.8 take no pidfd in setns: per-namespace fds */
		x->pidfd = -1;
	}
	if (x->pidfd < 0 && husk_ns_join(x->ns_fds, err) < 0)
		return -1;
	if (p->exec_cpu_affinity_final &&
	    husk_cpu_affinity_apply(p->exec_cpu_affinity_final, err) < 0)
		return husk_error_wrap(err, "execCPUAffinity.final");
	if (fchdir(x->root_fd) < 0 || chroot(".") < 0)
		return husk_error_errno(err, "enter the container's root");
	close(x->root_fd);
	if (chdir(p->cwd) < 0)
		return husk_error_errno(err, "chdir to cwd (`%s`)", p->cwd);
	/* CVE-2024-21626: the cwd must be inside the container's root */
	if (husk_verify_cwd(p->cwd, err) < 0)
		return -1;
	/* HOME from the container's /etc/passwd when unset, as for the init (runc) */
	x->env = husk_env_with_home(p->env, p->user.uid);
	if (p->terminal && x->console_fd >= 0 &&
	    husk_terminal_setup_exec(x->console_fd, p, err) < 0)
		return -1;
	if (husk_rlimits_apply(p->rlimits, p->n_rlimits, err) < 0)
		return -1;
	if (husk_sched_apply(p, err) < 0)
		return -1;
	/* whatever was opened since close_inherited: not past execve */
	husk_cloexec_from(3 + x->preserve_fds);
	if (husk_drop_privileges(p, &x->caps, &x->seccomp, x->sync_fd, err) < 0)
		return -1;
	*prog = husk_find_executable(p->args[0], x->env, err);
	if (*prog == NULL) {
		*lookup_failed = true;
		return -1;
	}
	/* last, so that it filters only the user's program */
	return x->seccomp ? husk_seccomp_load_sync(&x->seccomp, x->sync_fd, err) : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Close, not just mark close-on-exec, every fd but stdio, the preserved ones
 * and the child's own: until execve a leaked fd could be reached through
 * /proc/self/fd (CVE-2024-21626).  None of ours may sit among the preserved
 * ones (they lose close-on-exec): husk_exec checked that the caller passed
 * them all, and we verify it.
 */
static int close_inherited(const struct exec_child *x, struct husk_error *err)
{
	int keep[HUSK_NS_N + 4], n = 0;
	unsigned int from = 3 + (unsigned int)x->preserve_fds;

	keep[n++] = x->sync_fd;
	keep[n++] = x->pidfd;
	keep[n++] = x->root_fd;
	keep[n++] = x->console_fd;
	for (int t = 0; t < HUSK_NS_N; t++)
		keep[n++] = x->ns_fds[t];
	qsort(keep, (size_t)n, sizeof *keep, cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] >= 3 && keep[i] < 3 + x->preserve_fds)
			return husk_error_set(
			    err, EBADF, "fd %d of the runtime is among the preserved fds", keep[i]);
	}
	for (int i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from &&
		    syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0) < 0)
			break;
		from = (unsigned int)keep[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0U, 0) < 0) {
		/* kernels before 5.9: close-on-exec at least, and the cwd check */
		for (int fd = 3 + x->preserve_fds; fd < 1024; fd++) {
			bool k = false;
			for (int i = 0; i < n; i++)
				k = k || keep[i] == fd;
			if (!k)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
	}
	return 0;
}

__attribute__((noreturn)) static void exec_child_main(struct exec_child *x, sigset_t *mask)
{
	struct husk_error err = {0};
	bool lookup_failed = false;
	char *prog = NULL;
	int e;

	/* nothing in the container may reach our binary through /proc/<pid>/exe */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (close_inherited(x, &err) < 0) {
		husk_error_wrap(&err, "exec failed");
		husk_sync_send_error(x->sync_fd, &err);
		_exit(1);
	}
	for (int fd = 3; fd < 3 + x->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	if (exec_child_setup(x, &prog, &lookup_failed, &err) < 0) {
		husk_error_wrap(&err, "exec failed");
		husk_sync_send_error(x->sync_fd, &err);
		/* the shell's codes: 127 not found, 126 found but not runnable */
		_exit(!lookup_failed ? 1 : err.status == ENOENT ? 127 : 126);
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	execve(prog, x->p->args, x->env);
	e = errno;
	husk_error_errno(&err, "exec failed: exec %s", x->p->args[0]);
	husk_sync_send_error(x->sync_fd, &err);
	_exit(e == ENOENT ? 127 : 126);
}

/* The exec child's seccomp notify fd goes to linux.seccomp.listenerPath. */
static int pass_notify_fd(int sync_fd, pid_t pid, const char *fdnum, const struct husk_state *s,
			  const struct husk_seccomp *sc, struct husk_error *err)
{
	cleanup_close int pidfd = sys_pidfd_open(pid, 0), fd = -1;
	cleanup_free char *state = NULL;
	int64_t n;

	if (parse_i64(fdnum, &n) < 0)
		return husk_error_set(err, EPROTO, "sync: bad seccomp fd");
	if (pidfd >= 0)
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)n, 0);
	if (fd < 0)
		return husk_error_errno(err, "get the seccomp notify fd (pidfd_getfd)");
	state = husk_state_to_json(s, HUSK_STATUS_RUNNING, s->pid, false, false);
	if (husk_seccomp_notify_send(sc->listener_path, fd, state, sc->listener_metadata, pid,
				     err) < 0)
		return -1;
	return husk_sync_send(sync_fd, SYNC_SECCOMP_DONE, NULL, err);
}

/* 0 when the child exec'd (EOF), -1 with its error otherwise. */
static int wait_exec(int fd, pid_t pid, const struct husk_state *s, const struct husk_spec *spec,
		     struct husk_error *err)
{
	char buf[65536];
	struct husk_sync h;
	ssize_t r;

	for (;;) {
		do
			r = recv(fd, buf, sizeof buf - 1, 0);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return 0;
		if (r < (ssize_t)sizeof h)
			return husk_error_errno(err, "exec: sync");
		memcpy(&h, buf, sizeof h);
		buf[r] = '\0';
		if (h.type != SYNC_SECCOMP) {
			husk_error_set(err, h.status, "%s", buf + sizeof h);
			return h.type == SYNC_ERROR ? -2 : -1;
		}
		if (pass_notify_fd(fd, pid, buf + sizeof h, s, &spec->linux_.seccomp, err) < 0)
			return -1;
	}
}

int husk_exec(const struct husk_ctx *ctx, const char *id, const struct husk_exec_opts *o,
	      int *exit_status, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	const struct husk_spec *spec;
	cleanup_cgroup struct husk_cgroup *cg = NULL;
	cleanup_close int pidfd = -1, root_fd = -1, pid_saved = -1, time_saved = -1, console = -1,
			  pty_sock = -1, master = -1, sync_fd = -1;
	struct husk_process proc;
	struct exec_child x = {.console_fd = -1};
	cleanup_seccomp_filter struct husk_seccomp_filter *filter = NULL;
	sigset_t all, old;
	bool into_cgroup = false, frozen;
	int sv[2], r = -1;
	pid_t pid;
	char path[64];

	*exit_status = 0;
	memset(&proc, 0, sizeof proc);
	for (int t = 0; t < HUSK_NS_N; t++)
		x.ns_fds[t] = -1;
	/*
	 * --preserve-fds N passes fds 3..N+2 as they are: one the caller did
	 * not pass would be (or become, below) one of ours: the state dir, a
	 * host directory, the --log file
	 */
	{
		char what[64];
		snprintf(what, sizeof what, "--preserve-fds %d", o->preserve_fds);
		if (husk_check_passed_fds(3, o->preserve_fds, what, err) < 0)
			return -1;
	}
	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	if (!husk_status_can_exec(c->status) && c->status != HUSK_STATUS_PAUSED) {
		husk_error_set(err, EINVAL, "cannot exec in a stopped container");
		goto out;
	}
	if (c->status == HUSK_STATUS_PAUSED && !o->ignore_paused) {
		husk_error_set(
		    err, EINVAL,
		    "cannot exec in a paused container (use --ignore-paused to override)");
		goto out;
	}
	if (o->tty && o->detach && !o->console_socket) {
		husk_error_set(err, EINVAL,
			       "cannot allocate a tty with --detach without --console-socket");
		goto out;
	}
	/* the config frozen at create: the bundle may be gone */
	if ((spec = husk_container_spec(c, err)) == NULL || build_process(spec, o, &proc, err) < 0)
		goto out;
	if (husk_args_check(proc.args, o->process_file ? o->process_file : "exec", "", err) < 0)
		goto out;
	if (proc.cwd == NULL)
		proc.cwd = xstrdup("/");
	if (spec->linux_.has_seccomp &&
	    husk_seccomp_compile(&spec->linux_.seccomp, "config.json", &filter, err) < 0)
		goto out;
	x.seccomp = filter;
	husk_plan_caps(&proc.capabilities, &x.caps);

	pidfd = husk_open_init(&c->s);
	if (pidfd == -1) {
		husk_error_set(err, ESRCH, "cannot exec in a stopped container");
		goto out;
	}
	x.pidfd = pidfd >= 0 ? pidfd : -1;
	for (int t = 0; t < HUSK_NS_N; t++) {
		if (!spec->linux_.namespaces[t].present || t == HUSK_NS_PID || t == HUSK_NS_TIME)
			continue;
		x.setns_flags |= husk_ns_clone_flag(t);
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)c->s.pid,
			 t == HUSK_NS_NETWORK ? "net"
			 : t == HUSK_NS_MOUNT ? "mnt"
					      : husk_ns_name(t));
		if (x.pidfd < 0 && (x.ns_fds[t] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			husk_error_errno(err, "open `%s`", path);
			goto out;
		}
	}
	snprintf(path, sizeof path, "/proc/%d/root", (int)c->s.pid);
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		husk_error_errno(err, "open the container's root");
		goto out;
	}
	/* pid and time namespaces take effect for our children: enter them here */
	if (spec->linux_.namespaces[HUSK_NS_PID].present) {
		snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)c->s.pid);
		pid_saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (husk_setns_path(path, CLONE_NEWPID, err) < 0)
			goto out;
	}
	if (spec->linux_.namespaces[HUSK_NS_TIME].present) {
		snprintf(path, sizeof path, "/proc/%d/ns/time", (int)c->s.pid);
		time_saved = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (husk_setns_path(path, CLONE_NEWTIME, err) < 0)
			goto out;
	}
	if (c->s.cgroup_path && husk_cgroup_load(c->s.cgroup_path, &cg, err) < 0)
		goto out;

	if (proc.terminal) {
		if (o->console_socket) {
			console = husk_console_socket_connect(o->console_socket, err);
			if (console < 0)
				goto out;
		} else {
			int ps[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ps) < 0) {
				husk_error_errno(err, "socketpair");
				goto out;
			}
			pty_sock = ps[0];
			console = ps[1];
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		husk_error_errno(err, "socketpair");
		goto out;
	}
	sync_fd = sv[0];
	x.spec = spec;
	x.p = &proc;
	x.id = id;
	x.sync_fd = sv[1];
	x.root_fd = root_fd;
	x.console_fd = console;
	x.preserve_fds = o->preserve_fds;

	/* execCPUAffinity.initial: the child's before it joins the cgroup; it inherits ours */
	if (proc.exec_cpu_affinity_initial &&
	    husk_cpu_affinity_apply(proc.exec_cpu_affinity_initial, err) < 0) {
		husk_error_wrap(err, "execCPUAffinity.initial");
		goto out;
	}
	/*
	 * --ignore-paused: a v1 freezer reads FREEZING once a new task joins a
	 * frozen cgroup; freeze again so that the container stays paused (and
	 * resume finds it so); the process runs once it is resumed
	 */
	frozen = cg && husk_cgroup_is_frozen(cg) == 1;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = husk_clone(0, cg ? husk_cgroup_clone_fd(cg) : -1, &into_cgroup);
	if (pid == 0)
		exec_child_main(&x, &old);
	close(sv[1]);
	if (pid_saved >= 0)
		setns(pid_saved, CLONE_NEWPID);
	if (time_saved >= 0)
		setns(time_saved, CLONE_NEWTIME);
	if (pid < 0) {
		husk_error_errno(err, "clone exec process");
		goto out_mask;
	}
	if ((cg &&
	     husk_cgroup_enter(cg, pid, into_cgroup ? HUSK_CGROUP_ENTER_CLONED : 0, err) < 0) ||
	    (frozen && husk_cgroup_freeze(cg, true, err) < 0) ||
	    husk_sync_send(sync_fd, SYNC_GO, NULL, err) < 0 ||
	    (r = wait_exec(sync_fd, pid, &c->s, spec, err)) < 0) {
		int ws = 0;
		/* a child that reported its error exits with 127, 126 or 1 */
		if (r != -2)
			kill(pid, SIGKILL);
		r = -1;
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(ws))
			*exit_status = WEXITSTATUS(ws);
		goto out_mask;
	}
	r = -1;
	if (pty_sock >= 0 && (master = husk_recv_fd(pty_sock, err)) < 0)
		goto out_mask;
	if (o->pid_file && husk_write_pid_file(o->pid_file, pid, err) < 0)
		goto out_mask;
	if (o->detach) {
		r = 0;
		goto out_mask;
	}
	r = husk_run_wait(pid, master, exit_status, err);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	for (int t = 0; t < HUSK_NS_N; t++)
		if (x.ns_fds[t] >= 0)
			close(x.ns_fds[t]);
	husk_process_clear(&proc);
	return r;
}
