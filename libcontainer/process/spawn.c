/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parent side shared by create (the container's init) and exec: the
 * console socket, the sync socket, the pid and time namespaces entered for
 * the child only, execCPUAffinity.initial, clone3 into the cgroup, the
 * seccomp notify fd passed on to the listener, the child's errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>

#include "state/container.h"
#include "internal.h"
#include "state/lifecycle.h"
#include "plan/plan.h"
#include "process/pipeline.h"
#include "process/process.h"
#include "security/security.h"
#include "process/sync.h"
#include "utils.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void husk_spawn_init(struct husk_spawn *s)
{
	memset(s, 0, sizeof *s);
	s->pidns_fd = s->timens_fd = s->sync_fd = s->child_sync_fd = -1;
	s->console_fd = s->pty_sock = s->pty_master = -1;
}

void husk_spawn_clear(struct husk_spawn *s)
{
	close_fd(&s->pidns_fd);
	close_fd(&s->timens_fd);
	close_fd(&s->sync_fd);
	close_fd(&s->child_sync_fd);
	close_fd(&s->console_fd);
	close_fd(&s->pty_sock);
	close_fd(&s->pty_master);
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

int husk_spawn_open(struct husk_spawn *s, const sigset_t *child_mask, struct husk_error *err)
{
	int sv[2];

	if (child_mask)
		s->child_mask = *child_mask;
	else
		sigprocmask(SIG_SETMASK, NULL, &s->child_mask);
	if (s->console_socket) {
		s->console_fd = husk_console_socket_connect(s->console_socket, err);
		if (s->console_fd < 0)
			return -1;
	} else if (s->pty) {
		/* `run -t`, `exec -t` without a console socket: we relay the pty */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return husk_error_errno(err, "socketpair");
		s->pty_sock = sv[0];
		s->console_fd = sv[1];
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return husk_error_errno(err, "socketpair");
	s->sync_fd = sv[0];
	s->child_sync_fd = sv[1];
	return 0;
}

/* Our own namespaces and affinity, to come back to after the clone. */
struct saved {
	int pidns, timens;
	cpu_set_t cpus;
	bool have_cpus;
};

static void restore(struct saved *sv)
{
	if (sv->pidns >= 0)
		setns(sv->pidns, CLONE_NEWPID);
	if (sv->timens >= 0)
		setns(sv->timens, CLONE_NEWTIME);
	if (sv->have_cpus)
		sched_setaffinity(0, sizeof sv->cpus, &sv->cpus);
	close_fd(&sv->pidns);
	close_fd(&sv->timens);
}

/* pid and time namespaces apply to children: the parent enters (or makes) them */
static int enter(struct husk_spawn *s, struct saved *sv, struct husk_error *err)
{
	if (s->pidns_fd >= 0) {
		sv->pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (setns(s->pidns_fd, CLONE_NEWPID) < 0)
			return husk_error_errno(err, "join pid namespace `%s`", s->pidns_path);
	}
	if (s->timens_fd >= 0 || s->new_timens) {
		sv->timens = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (s->timens_fd >= 0 && setns(s->timens_fd, CLONE_NEWTIME) < 0)
			return husk_error_errno(err, "join time namespace `%s`", s->timens_path);
		if (s->timens_fd < 0 && husk_ns_time_setup(s->new_timens, err) < 0)
			return -1;
	}
	/* execCPUAffinity.initial: the child's before it joins the cgroup; it inherits ours */
	if (s->cpus_initial) {
		sv->have_cpus = sched_getaffinity(0, sizeof sv->cpus, &sv->cpus) == 0;
		if (husk_cpu_set_apply(s->cpus_initial, s->cpus_initial_size, err) < 0)
			return husk_error_wrap(err, "%s", s->cpus_initial_what);
	}
	return 0;
}

int husk_spawn_clone(struct husk_spawn *s, uint64_t flags, int cgroup_fd, void (*child)(void *arg),
		     void *arg, struct husk_error *err)
{
	struct saved sv = {.pidns = -1, .timens = -1};
	int r = enter(s, &sv, err);

	close_fd(&s->pidns_fd);
	close_fd(&s->timens_fd);
	if (r == 0) {
		s->pid = husk_clone(flags, cgroup_fd, &s->into_cgroup);
		if (s->pid == 0) {
			child(arg);
			_exit(1); /* not reached */
		}
		if (s->pid < 0) {
			s->pid = 0;
			r = husk_error_errno(err, "clone %s", s->child_name);
		}
	}
	restore(&sv);
	/* the child's copies are the ones that count now */
	close_fd(&s->child_sync_fd);
	close_fd(&s->console_fd);
	return r;
}

int husk_spawn_pass_notify(struct husk_spawn *s, const char *fdnum, const char *state,
			   const struct husk_seccomp *sc, struct husk_error *err)
{
	cleanup_close int pidfd = -1, fd = -1;
	int64_t n;

	if (fdnum == NULL || parse_i64(fdnum, &n) < 0)
		return husk_error_set(err, EPROTO, "sync: bad seccomp fd");
	pidfd = sys_pidfd_open(s->pid, 0);
	if (pidfd >= 0)
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)n, 0);
	if (fd < 0)
		return husk_error_errno(
		    err, "get the seccomp notify fd of process %d (pidfd_getfd)", (int)s->pid);
	if (husk_seccomp_notify_send(sc->listener_path, fd, state, sc->listener_metadata, s->pid,
				     err) < 0)
		return -1;
	return husk_sync_send(s->sync_fd, SYNC_SECCOMP_DONE, NULL, err);
}

int husk_spawn_wait_exec(struct husk_spawn *s, const char *state, const struct husk_seccomp *sc,
			 struct husk_error *err)
{
	char buf[65536];
	struct husk_sync h;
	ssize_t r;

	for (;;) {
		do
			r = recv(s->sync_fd, buf, sizeof buf - 1, 0);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return 0;
		if (r < (ssize_t)sizeof h)
			return husk_error_errno(err, "sync with process %d", (int)s->pid);
		memcpy(&h, buf, sizeof h);
		buf[r] = '\0';
		if (h.type != SYNC_SECCOMP) {
			husk_error_set(err, h.status, "%s", buf + sizeof h);
			return h.type == SYNC_ERROR ? -2 : -1;
		}
		if (husk_spawn_pass_notify(s, buf + sizeof h, state, sc, err) < 0)
			return -1;
	}
}

int husk_spawn_recv_pty(struct husk_spawn *s, struct husk_error *err)
{
	if (s->pty_sock < 0)
		return 0;
	s->pty_master = husk_recv_fd(s->pty_sock, err);
	return s->pty_master < 0 ? -1 : 0;
}

static int send_source(void *data, size_t idx, int fd, struct husk_error *err)
{
	char num[32];

	snprintf(num, sizeof(num), "%zu", idx);
	return husk_sync_send_fd(*(int *)data, SYNC_MOUNT_SOURCE, num, fd, err);
}

int husk_spawn_send_mount_sources(struct husk_spawn *s, const struct husk_plan *plan,
				  struct husk_error *err)
{
	cleanup_close int root = -1, mnt = -1;
	char path[64];

	/* the init's root, in its mount namespace (/proc/<pid>/root crosses into it) */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)s->pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return husk_error_errno(err, "open `%s`", path);
	/* and the namespace itself, where idmapped trees are cloned */
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)s->pid);
	mnt = open(path, O_RDONLY | O_CLOEXEC);
	if (mnt < 0)
		return husk_error_errno(err, "open `%s`", path);
	if (husk_rootfs_open_sources(plan->spec, plan, root, mnt, send_source, &s->sync_fd, err) <
	    0)
		return -1;
	return husk_sync_send(s->sync_fd, SYNC_MOUNT_SOURCES_DONE, NULL, err);
}

int husk_spawn_recv_mount_sources(int sync_fd, struct husk_rootfs_prep *prep,
				  struct husk_error *err)
{
	for (;;) {
		cleanup_free char *num = NULL;
		uint32_t type;
		int64_t idx;
		int fd;

		if (husk_sync_recv_fd(sync_fd, SYNC_MOUNT_SOURCE, SYNC_MOUNT_SOURCES_DONE, &type,
				      &num, &fd, err) < 0)
			return -1;
		if (type == SYNC_MOUNT_SOURCES_DONE)
			return fd < 0 ? 0 : (close(fd), 0);
		if (fd < 0 || num == NULL || parse_i64(num, &idx) < 0 || idx < 0) {
			if (fd >= 0)
				close(fd);
			return husk_error_set(err, EPROTO, "sync: bad mount source");
		}
		if (husk_rootfs_prep_set_source(prep, (size_t)idx, fd, err) < 0)
			return -1;
	}
}
