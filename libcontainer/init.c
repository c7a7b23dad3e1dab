/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init: a forked child of the runtime (no re-exec).  It
 * finishes its namespaces, builds the rootfs, takes the process's
 * attributes, reports "ready" and blocks until `start`, then execs the
 * user's program.  Any failure crosses the sync socket as a husk_error and
 * the parent reports it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/container.h"
#include "internal.h"
#include "plan/plan.h"
#include "security/security.h"
#include "process/sync.h"
#include "utils.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);
	for (char **e = env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* strerror as Go prints it: "no such file or directory" (runc's messages) */
static const char *go_strerror(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* The program to exec, looked up like Go's exec.LookPath (runc's messages). */
char *husk_find_executable(const char *name, char **env, struct husk_error *err)
{
	const char *path;
	struct stat st;

	if (strchr(name, '/')) {
		char eb[128];
		if (stat(name, &st) < 0)
			return husk_error_set(err, errno, "exec: \"%s\": stat %s: %s", name, name,
					      go_strerror(errno, eb, sizeof eb)),
			       NULL;
		if (S_ISDIR(st.st_mode) || access(name, X_OK) < 0)
			return husk_error_set(err, EACCES, "exec: \"%s\": permission denied", name),
			       NULL;
		return xstrdup(name);
	}
	path = env_get(env, "PATH");
	if (path == NULL)
		path = DEFAULT_PATH;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		cleanup_free char *cand = NULL;
		if (asprintf(&cand, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", name) < 0)
			abort();
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return steal_pointer(&cand);
		if (*end == '\0')
			break;
		p = end;
	}
	husk_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
	return NULL;
}

static bool maps_root(const struct husk_id_mapping *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return true;
	return false;
}

static int run_hooks_here(const struct husk_spec *spec, enum husk_hook_kind k, const char *state,
			  struct husk_error *err)
{
	if (spec->hooks[k].n == 0)
		return 0;
	return husk_hooks_run(&spec->hooks[k], k, state ? state : "{}", err);
}

/*
 * Load the seccomp filter (*f, then NULL: loaded once); with SCMP_ACT_NOTIFY
 * rules, hand the listener fd to the parent over `sync_fd`, which passes it on
 * to listenerPath, before going on.  The init and exec share it.
 */
int husk_seccomp_load_sync(struct husk_seccomp_filter **fp, int sync_fd, struct husk_error *err)
{
	struct husk_seccomp_filter *f = *fp;
	char num[16];
	int nfd = -1;

	*fp = NULL;
	if (husk_seccomp_load(f, &nfd, err) < 0)
		return -1;
	if (nfd < 0)
		return 0;
	snprintf(num, sizeof num, "%d", nfd);
	if (husk_sync_write(sync_fd, SYNC_SECCOMP, num, err) < 0 ||
	    husk_sync_recv(sync_fd, SYNC_SECCOMP_DONE, NULL, err) < 0)
		return -1;
	close(nfd);
	return 0;
}

int husk_drop_privileges(const struct husk_process *p, const struct husk_cap_masks *caps,
			 struct husk_seccomp_filter **seccomp, int sync_fd, struct husk_error *err)
{
	/* LSM labels take effect at execve; set them while still privileged (runc's order) */
	if (husk_lsm_selinux_exec(p->selinux_label, err) < 0 ||
	    husk_lsm_apparmor_exec(p->apparmor_profile, err) < 0)
		return -1;
	/*
	 * Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
	 * before the privileges go, as runc does.  Otherwise the caller loads
	 * it just before execve, so that it filters only the user's program.
	 */
	if (*seccomp && !p->no_new_privileges && husk_seccomp_load_sync(seccomp, sync_fd, err) < 0)
		return -1;
	if (husk_caps_prepare(caps, err) < 0)
		return -1;
	if (husk_user_apply(&p->user, err) < 0)
		return -1;
	if (husk_caps_apply(caps, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_errno(err, "set no_new_privs");
	return 0;
}

/*
 * CVE-2024-21626: a cwd reached through an fd (/proc/self/fd/N) can lie
 * outside the container's root.  getcwd(2) then prefixes "(unreachable)",
 * which glibc turns into ENOENT.  runc's check and message (verifyCwd).
 */
int husk_verify_cwd(const char *cwd, struct husk_error *err)
{
	cleanup_free char *wd = getcwd(NULL, 0);

	if (wd == NULL && errno != ENOENT)
		return husk_error_errno(err, "cwd `%s`: getcwd", cwd);
	if (wd == NULL || wd[0] != '/')
		return husk_error_set(
		    err, EPERM,
		    "cwd `%s`: current working directory is outside of container "
		    "mount namespace root -- possible container breakout detected",
		    cwd);
	return 0;
}

void husk_cloexec_from(int from)
{
	if (syscall(SYS_close_range, (unsigned int)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* kernels before 5.11 */
	for (int fd = from; fd < 4096; fd++) {
		int f = fcntl(fd, F_GETFD);
		if (f >= 0 && !(f & FD_CLOEXEC))
			fcntl(fd, F_SETFD, f | FD_CLOEXEC);
	}
}

/*
 * Until the creator hands the container over (create: the state says
 * "created"; run: the start byte), the init dies with it: a create killed
 * half-way (SIGKILL) must not leave an init blocked forever.  Every wait on
 * the creator also fails on EOF; PR_SET_PDEATHSIG(SIGKILL) ends the init at
 * once wherever it is.  A credential change clears it (commit_creds), so it
 * is armed again after each; it is dropped before a seccomp filter is loaded
 * ahead of the handover, so that no filter has to allow prctl.
 */
static void creator_watch(struct husk_launch *l)
{
	struct pollfd p = {.fd = l->sync_fd, .events = POLLIN};

	if (!l->pdeath)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/*
	 * getppid() is 0 in a new pid namespace: the creator's end of the sync
	 * socket (its only holder) tells whether it died before we armed it.
	 */
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
		_exit(1);
}

static void creator_unwatch(struct husk_launch *l)
{
	if (l->pdeath)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	l->pdeath = false;
}

struct hook_ctx {
	struct husk_launch *l;
	const char *state;
};

/*
 * After the mounts, before pivot_root: prestart and createRuntime run in the
 * parent (the runtime namespace), then createContainer here, in the
 * container's namespaces (runtime-spec, "createContainer Hooks").
 */
static int before_pivot(void *arg, struct husk_error *err)
{
	struct hook_ctx *h = arg;
	const struct husk_spec *spec = h->l->spec;

	if (spec->hooks[HUSK_HOOK_PRESTART].n || spec->hooks[HUSK_HOOK_CREATE_RUNTIME].n) {
		if (husk_sync_send(h->l->sync_fd, SYNC_HOOKS, NULL, err) < 0 ||
		    husk_sync_recv(h->l->sync_fd, SYNC_HOOKS_DONE, NULL, err) < 0)
			return -1;
	}
	return run_hooks_here(spec, HUSK_HOOK_CREATE_CONTAINER, h->state, err);
}

/* The process's attributes, after the rootfs: everything but the exec. */
static int init_process(struct husk_launch *l, char **prog, struct husk_error *err)
{
	const struct husk_spec *spec = l->spec;
	const struct husk_process *p = &spec->process;

	/* runc creates a missing cwd (0755) */
	if (chdir(p->cwd) < 0 &&
	    (errno != ENOENT || mkdir_p(p->cwd, 0755, NULL) < 0 || chdir(p->cwd) < 0))
		return husk_error_errno(err, "chdir to cwd (`%s`) set in config.json", p->cwd);
	if (husk_verify_cwd(p->cwd, err) < 0)
		return -1;
	l->env = husk_env_with_home(l->env, l->spec->process.user.uid);

	if (p->has_oom_score_adj && husk_oom_score_adj_apply(p->oom_score_adj, err) < 0)
		return -1;
	if (husk_rlimits_apply(p->rlimits, p->n_rlimits, err) < 0)
		return -1;
	if (husk_sched_apply(p, err) < 0)
		return -1;
	if (spec->linux_.has_personality && husk_personality_apply(&spec->linux_, err) < 0)
		return -1;

	/* whatever was opened since close_inherited_fds: not past execve */
	husk_cloexec_from(3 + l->preserve_fds);
	/* without no_new_privs the filter is loaded in there, before the handover */
	if (l->seccomp && !p->no_new_privileges)
		creator_unwatch(l);
	if (husk_drop_privileges(p, &l->plan->caps, &l->seccomp, l->sync_fd, err) < 0)
		return -1;
	creator_watch(l); /* the user and capabilities changed */

	*prog = husk_find_executable(p->args[0], l->env, err);
	if (*prog == NULL)
		return -1;
	/* the notify fd must reach the listener while the parent is still here */
	if (l->seccomp && husk_seccomp_filter_has_notify(l->seccomp)) {
		creator_unwatch(l);
		if (husk_seccomp_load_sync(&l->seccomp, l->sync_fd, err) < 0)
			return -1;
	}
	return 0;
}

/* Everything up to "ready".  *prog gets the resolved program (none without a process). */
static int init_setup(struct husk_launch *l, char **prog, char **hook_state, struct husk_error *err)
{
	const struct husk_spec *spec = l->spec;
	struct husk_rootfs_opts ro = {
	    .rootfs = l->rootfs,
	    .bundle = l->bundle,
	    .prep = l->prep,
	    .no_pivot = l->no_pivot,
	    .userns = spec->linux_.namespaces[HUSK_NS_USER].present,
	    .cgroupns = spec->linux_.namespaces[HUSK_NS_CGROUP].present,
	    .plan = l->plan,
	};
	struct hook_ctx hc;

	/* namespaces the clone could not make: joins first, then new ones */
	if (husk_ns_join(l->join_fds, err) < 0)
		return -1;
	if (l->unshare_flags && unshare(l->unshare_flags) < 0)
		return husk_error_errno(err, "unshare namespaces");
	creator_watch(l); /* a user namespace joined or made: new credentials */
	if (husk_sync_send(l->sync_fd, SYNC_NS_READY, NULL, err) < 0)
		return -1;
	/* the parent writes the id maps and places us in the cgroup */
	if (husk_sync_recv(l->sync_fd, SYNC_GO, hook_state, err) < 0)
		return -1;

	if (l->new_userns) {
		if (maps_root(spec->linux_.gid_mappings, spec->linux_.n_gid_mappings) &&
		    setresgid(0, 0, 0) < 0)
			return husk_error_errno(err, "setresgid(0) in the user namespace");
		if (maps_root(spec->linux_.uid_mappings, spec->linux_.n_uid_mappings) &&
		    setresuid(0, 0, 0) < 0)
			return husk_error_errno(err, "setresuid(0) in the user namespace");
		creator_watch(l);
	}
	if (l->cgroupns_late && unshare(CLONE_NEWCGROUP) < 0)
		return husk_error_errno(err, "create cgroup namespace");
	if (!l->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, l->id) < 0 &&
	    errno != ENOSYS)
		return husk_error_errno(err, "join session keyring");

	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return husk_error_errno(err, "sethostname `%s`", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return husk_error_errno(err, "setdomainname `%s`", spec->domainname);

	ro.before_pivot = before_pivot;
	ro.before_pivot_data = &hc;
	hc.l = l;
	hc.state = *hook_state;
	if (husk_rootfs_setup(spec, &ro, err) < 0)
		return -1;
	if (husk_sysctl_apply(spec->linux_.sysctl, spec->linux_.n_sysctl, err) < 0)
		return -1;
	if (spec->process.terminal && l->console_fd >= 0) {
		if (husk_terminal_setup(l->console_fd, &spec->process, err) < 0)
			return -1;
		close(l->console_fd);
		l->console_fd = -1;
	}
	if (husk_rootfs_finalize(spec, &ro, err) < 0)
		return -1;
	/* config.md: no process at create is fine; start then fails (init_wait_start) */
	if (!spec->has_process)
		return 0;
	return init_process(l, prog, err);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * No fd of the caller reaches the container but 0-2 and the preserved ones:
 * close the rest now (not just at execve), keeping only our own.  None of
 * ours may sit among the preserved ones (they lose close-on-exec): the
 * parent checked that the caller passed them all, and we verify it.
 */
static int close_inherited_fds(struct husk_launch *l, struct husk_error *err)
{
	int keep[8 + HUSK_NS_N], n = 0, from = 3 + l->preserve_fds;

	keep[n++] = l->sync_fd;
	keep[n++] = l->start_fd;
	keep[n++] = l->start_wfd;
	keep[n++] = l->console_fd;
	for (int t = 0; t < HUSK_NS_N; t++)
		keep[n++] = l->join_fds[t];
	qsort(keep, (size_t)n, sizeof keep[0], cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] >= 3 && keep[i] < 3 + l->preserve_fds)
			return husk_error_set(
			    err, EBADF, "fd %d of the runtime is among the preserved fds", keep[i]);
		if (keep[i] < from)
			continue;
		if (keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0) < 0)
			for (int fd = from; fd < keep[i]; fd++)
				close(fd);
		from = keep[i] + 1;
	}
	if (l->prep == NULL && syscall(SYS_close_range, from, ~0U, 0) < 0)
		for (int fd = from; fd < 1024; fd++)
			close(fd);
	/* idmapped mount fds (rare) are many: mark what is left close-on-exec instead */
	if (l->prep != NULL)
		syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC);
	for (int fd = 3; fd < 3 + l->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	return 0;
}

__attribute__((noreturn)) void husk_init_main(struct husk_launch *l)
{
	struct husk_error err = {0};
	char *prog = NULL, *hook_state = NULL;
	const struct husk_process *p = &l->spec->process;
	char c;
	ssize_t r;

	/* die with the creator until it hands over; checked once our copy of its end is gone */
	l->pdeath = true;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* the create lock (flock, shared with our copy of the fd) must go with the creator */
	if (l->lock_fd >= 3 + l->preserve_fds)
		close(l->lock_fd);
	/* nothing in the container may reach our binary through /proc/1/exe (CVE-2019-5736) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (close_inherited_fds(l, &err) < 0) {
		husk_sync_send_error(l->sync_fd, &err);
		_exit(1);
	}
	creator_watch(l);

	if (init_setup(l, &prog, &hook_state, &err) < 0) {
		husk_sync_send_error(l->sync_fd, &err);
		_exit(1);
	}
	if (husk_sync_send(l->sync_fd, SYNC_READY, NULL, &err) < 0)
		_exit(1);
	/* create: wait for the state to say "created" (EOF: the creator died) */
	if (l->handover) {
		if (husk_sync_recv(l->sync_fd, SYNC_HANDOVER, NULL, &err) < 0)
			_exit(1);
		creator_unwatch(l);
		if (husk_sync_write(l->sync_fd, SYNC_HANDOVER, NULL, &err) < 0)
			_exit(1);
	}

	/*
	 * Blocked until `husk start` writes a byte into our start socket; with
	 * run, EOF if run died before it (we hold no write end then).  Without
	 * a process (create only) nobody can start us: the state holds no start
	 * socket, `start` refuses, and we wait to be killed.
	 */
	do
		r = read(l->start_fd, &c, 1);
	while ((r < 0 && errno == EINTR) || (r == 1 && !l->spec->has_process));
	if (r != 1)
		_exit(1);
	creator_unwatch(l);

	/* after start, errors go back to `start` on the start socket */
	if (run_hooks_here(l->spec, HUSK_HOOK_START_CONTAINER, hook_state, &err) < 0) {
		husk_sync_send_error(l->start_fd, &err);
		_exit(1);
	}
	if (l->plan->cpus_final &&
	    husk_cpu_set_apply(l->plan->cpus_final, l->plan->cpus_final_size, &err) < 0) {
		husk_error_wrap(&err, "process.execCPUAffinity.final");
		husk_sync_send_error(l->start_fd, &err);
		_exit(1);
	}
	if (l->listen_pid_slot >= 0 &&
	    asprintf(&l->env[l->listen_pid_slot], "LISTEN_PID=%d", (int)getpid()) < 0)
		_exit(1);
	sigprocmask(SIG_SETMASK, &l->sigmask, NULL);
	if (l->seccomp && husk_seccomp_load(l->seccomp, NULL, &err) < 0) {
		husk_sync_send_error(l->start_fd, &err);
		_exit(1);
	}
	execve(prog, p->args, l->env);
	r = errno;
	husk_error_errno(&err, "exec `%s`", prog);
	husk_sync_send_error(l->start_fd, &err);
	_exit(r == ENOENT ? 127 : 126);
}
