/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The child side shared by the init and exec: once inside the container's
 * root, the process's attributes in one order, then execve.  The init comes
 * here after its namespaces and rootfs, exec after setns and chroot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan/plan.h"
#include "process/pipeline.h"
#include "process/process.h"
#include "security/security.h"
#include "process/sync.h"
#include "utils.h"

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
	/* write(2), not sendmsg: a profile may notify sendmsg (husk_sync_write) */
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

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Close, not just mark close-on-exec: until execve a leaked fd could be
 * reached through /proc/self/fd (CVE-2024-21626).  None of ours may sit
 * among the preserved ones (they lose close-on-exec): the parent checked
 * that the caller passed them all (husk_check_passed_fds), and we verify it.
 */
int husk_child_close_fds(int preserve, int *keep, size_t n, bool cloexec_rest,
			 struct husk_error *err)
{
	int from = 3 + preserve;

	qsort(keep, n, sizeof keep[0], cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] >= 3 && keep[i] < 3 + preserve)
			return husk_error_set(
			    err, EBADF, "fd %d of the runtime is among the preserved fds", keep[i]);
		if (keep[i] < from)
			continue;
		if (keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0) < 0)
			for (int fd = from; fd < keep[i]; fd++)
				close(fd);
		from = keep[i] + 1;
	}
	/* idmapped mount fds (rare) are many: the init marks them close-on-exec instead */
	if (cloexec_rest)
		syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC);
	else if (syscall(SYS_close_range, from, ~0U, 0) < 0)
		for (int fd = from; fd < 1024; fd++) /* kernels before 5.9 */
			close(fd);
	for (int fd = 3; fd < 3 + preserve; fd++)
		fcntl(fd, F_SETFD, 0);
	return 0;
}

/*
 * Until the creator hands the container over (create: the state says
 * "created"; run: the start byte), the init dies with it: a create killed
 * half-way (SIGKILL) must not leave an init blocked forever.  Every wait on
 * the creator also fails on EOF; PR_SET_PDEATHSIG(SIGKILL) ends the init at
 * once wherever it is.  A credential change clears it (commit_creds), so it
 * is armed again after each; it is dropped before a seccomp filter is loaded
 * ahead of the handover, so that no filter has to allow prctl.  exec's
 * child never sets pdeath.
 */
void husk_child_watch(struct husk_child *ch)
{
	struct pollfd p = {.fd = ch->sync_fd, .events = POLLIN};

	if (!ch->pdeath)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/*
	 * getppid() is 0 in a new pid namespace: the creator's end of the sync
	 * socket (its only holder) tells whether it died before we armed it.
	 */
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
		_exit(1);
}

void husk_child_unwatch(struct husk_child *ch)
{
	if (ch->pdeath)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	ch->pdeath = false;
}

/*
 * cwd (the init's was made when missing, as runc does, by the rootfs setup:
 * before the root went read-only), checked inside the root; HOME
 */
static int child_cwd_env(struct husk_child *ch, struct husk_error *err)
{
	const struct husk_process *p = ch->p;

	if (chdir(p->cwd) < 0)
		return husk_error_errno(err, "chdir to cwd (`%s`)%s", p->cwd, ch->cwd_origin);
	/* CVE-2024-21626: the cwd must be inside the container's root */
	if (husk_verify_cwd(p->cwd, err) < 0)
		return -1;
	/* HOME from the container's /etc/passwd when unset (runc, for the init and exec) */
	ch->env = husk_env_with_home(ch->env, p->user.uid);
	return 0;
}

int husk_child_setup(struct husk_child *ch, struct husk_error *err)
{
	const struct husk_process *p = ch->p;

	if (child_cwd_env(ch, err) < 0)
		return -1;
	if (p->terminal && ch->console_fd >= 0 &&
	    husk_terminal_setup_exec(ch->console_fd, p, err) < 0)
		return -1;
	if (ch->oom_score_adj && p->has_oom_score_adj &&
	    husk_oom_score_adj_apply(p->oom_score_adj, err) < 0)
		return -1;
	if (husk_rlimits_apply(p->rlimits, p->n_rlimits, err) < 0)
		return -1;
	if (husk_sched_apply(p, err) < 0)
		return -1;
	if (ch->personality && ch->personality->has_personality &&
	    husk_personality_apply(ch->personality, err) < 0)
		return -1;

	/* whatever was opened since the fds were closed: not past execve */
	husk_cloexec_from(3 + ch->preserve_fds);
	/* without no_new_privs the filter is loaded in there, before the handover */
	if (ch->seccomp && !p->no_new_privileges)
		husk_child_unwatch(ch);
	if (husk_drop_privileges(p, ch->caps, &ch->seccomp, ch->sync_fd, err) < 0)
		return -1;
	husk_child_watch(ch); /* the user and capabilities changed */

	ch->prog = husk_find_executable(p->args[0], ch->env, err);
	if (ch->prog == NULL) {
		ch->lookup_failed = true;
		return -1;
	}
	/* the init's notify fd must reach the listener while the creator is still here */
	if (ch->notify_early && ch->seccomp && husk_seccomp_filter_has_notify(ch->seccomp)) {
		husk_child_unwatch(ch);
		if (husk_seccomp_load_sync(&ch->seccomp, ch->sync_fd, err) < 0)
			return -1;
	}
	return 0;
}

int husk_child_exec_prepare(struct husk_child *ch, struct husk_error *err)
{
	if (ch->exec_prepared)
		return 0;
	if (ch->cpus_final && husk_cpu_set_apply(ch->cpus_final, ch->cpus_final_size, err) < 0)
		return husk_error_wrap(err, "process.execCPUAffinity.final");
	if (ch->listen_pid_slot >= 0 &&
	    asprintf(&ch->env[ch->listen_pid_slot], "LISTEN_PID=%d", (int)getpid()) < 0)
		abort();
	sigprocmask(SIG_SETMASK, &ch->mask, NULL);
	/* last (but for the init's startContainer hooks), so that it filters only the user's
	 * program */
	if (ch->seccomp && husk_seccomp_load_sync(&ch->seccomp, ch->sync_fd, err) < 0)
		return -1;
	ch->exec_prepared = true;
	return 0;
}

int husk_child_exec(struct husk_child *ch, struct husk_error *err)
{
	int e;

	if (husk_child_exec_prepare(ch, err) < 0)
		return 1;
	execve(ch->prog, ch->p->args, ch->env);
	e = errno;
	husk_error_errno(err, "exec `%s`", ch->prog);
	return e == ENOENT ? 127 : 126;
}
