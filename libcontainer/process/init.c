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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/container.h"
#include "internal.h"
#include "plan/plan.h"
#include "process/pipeline.h"
#include "process/process.h"
#include "process/sync.h"
#include "security/security.h"
#include "utils.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static bool maps_root(const struct husk_id_mapping *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return true;
	return false;
}

/* In the init: where and with what environment, per kind, in hooks.c */
static int run_hooks_here(const struct husk_spec *spec, enum husk_hook_kind k, const char *state,
			  const struct husk_hook_where *w, struct husk_error *err)
{
	if (spec->hooks[k].n == 0)
		return 0;
	return husk_hooks_run_at(&spec->hooks[k], k, state ? state : "{}", w, err);
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
	struct husk_hook_where w = {0};

	if (spec->hooks[HUSK_HOOK_PRESTART].n || spec->hooks[HUSK_HOOK_CREATE_RUNTIME].n) {
		if (husk_sync_send(h->l->ch.sync_fd, SYNC_HOOKS, NULL, err) < 0 ||
		    husk_sync_recv(h->l->ch.sync_fd, SYNC_HOOKS_DONE, NULL, err) < 0)
			return -1;
	}
	/*
	 * runc's prepareRootfs: in the rootfs (not yet pivoted: its host path,
	 * in our mount namespace), with the process's environment (runc's
	 * init took it; HOME comes later)
	 */
	w.cwd = h->l->rootfs;
	w.env = spec->process.env;
	w.empty_env = true;
	return run_hooks_here(spec, HUSK_HOOK_CREATE_CONTAINER, h->state, &w, err);
}

/* Everything up to "ready"; l->ch.prog gets the resolved program (none without a process). */
static int init_setup(struct husk_launch *l, char **hook_state, struct husk_error *err)
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
	husk_child_watch(&l->ch); /* a user namespace joined or made: new credentials */
	if (husk_sync_send(l->ch.sync_fd, SYNC_NS_READY, NULL, err) < 0)
		return -1;
	/* a user namespace: the bind sources, opened by the parent in our mount namespace */
	if (l->prep && husk_spawn_recv_mount_sources(l->ch.sync_fd, l->prep, err) < 0)
		return -1;
	/* the parent writes the id maps and places us in the cgroup */
	if (husk_sync_recv(l->ch.sync_fd, SYNC_GO, hook_state, err) < 0)
		return -1;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	if (l->new_userns) {
		if (maps_root(spec->linux_.gid_mappings, spec->linux_.n_gid_mappings) &&
		    setresgid(0, 0, 0) < 0)
			return husk_error_errno(err, "setresgid(0) in the user namespace");
		if (maps_root(spec->linux_.uid_mappings, spec->linux_.n_uid_mappings) &&
		    setresuid(0, 0, 0) < 0)
			return husk_error_errno(err, "setresuid(0) in the user namespace");
		husk_child_watch(&l->ch);
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
	if (l->prep) /* host fds: none may reach the container */
		husk_rootfs_prep_clear(l->prep);
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
	/* config.md: no process at create is fine; start then fails (husk_init_main) */
	if (!spec->has_process)
		return 0;
	/* the process's attributes, the program looked up: everything but the exec */
	return husk_child_setup(&l->ch, err);
}

/*
 * No fd of the caller reaches the container but 0-2 and the preserved ones:
 * close the rest now (not just at execve), keeping only our own.
 */
static int close_inherited_fds(struct husk_launch *l, struct husk_error *err)
{
	size_t n = 4 + HUSK_NS_N + (l->prep ? husk_rootfs_prep_fds(l->prep, NULL) : 0);
	cleanup_free int *keep = xmalloc0(sizeof(int) * n);

	/* what the parent made for the rootfs (user namespace), closed after the rootfs setup */
	n = l->prep ? husk_rootfs_prep_fds(l->prep, keep) : 0;

	keep[n++] = l->ch.sync_fd;
	keep[n++] = l->start_fd;
	keep[n++] = l->start_wfd;
	keep[n++] = l->console_fd;
	for (int t = 0; t < HUSK_NS_N; t++)
		keep[n++] = l->join_fds[t];
	return husk_child_close_fds(l->ch.preserve_fds, keep, n, false, err);
}

__attribute__((noreturn)) void husk_init_main(struct husk_launch *l)
{
	struct husk_error err = {0};
	struct husk_hook_where hw = {0};
	char *hook_state = NULL;
	char c;
	ssize_t r;

	/* die with the creator until it hands over; checked once our copy of its end is gone */
	l->ch.pdeath = true;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* the create lock (flock, shared with our copy of the fd) must go with the creator */
	if (l->lock_fd >= 3 + l->ch.preserve_fds)
		close(l->lock_fd);
	/*
	 * nothing in the container may reach our binary through /proc/1/exe
	 * (CVE-2019-5736); a new user namespace: after the parent wrote our id
	 * maps (init_setup), which a rootless parent can't in a non-dumpable
	 * process's /proc (runc's nsexec is dumpable until then too)
	 */
	if (!l->new_userns)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (close_inherited_fds(l, &err) < 0) {
		husk_sync_send_error(l->ch.sync_fd, &err);
		_exit(1);
	}
	husk_child_watch(&l->ch);

	if (init_setup(l, &hook_state, &err) < 0) {
		husk_sync_send_error(l->ch.sync_fd, &err);
		_exit(1);
	}
	if (husk_sync_send(l->ch.sync_fd, SYNC_READY, NULL, &err) < 0)
		_exit(1);
	/* create: wait for the state to say "created" (EOF: the creator died) */
	if (l->handover) {
		if (husk_sync_recv(l->ch.sync_fd, SYNC_HANDOVER, NULL, &err) < 0)
			_exit(1);
		husk_child_unwatch(&l->ch);
		if (husk_sync_write(l->ch.sync_fd, SYNC_HANDOVER, NULL, &err) < 0)
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
	husk_child_unwatch(&l->ch);

	/*
	 * After start, errors go back to `start` on the start socket.
	 * execCPUAffinity.final, LISTEN_PID, the caller's mask and seccomp come
	 * before the startContainer hooks: runc's order (its init loads the
	 * filter before it waits for start), so that a hook sees `Seccomp: 2`.
	 * They run in the process's cwd (we are there) with its environment
	 * (HOME included), as runc's init runs them.
	 */
	hw.env = l->ch.env;
	hw.empty_env = true;
	if (husk_child_exec_prepare(&l->ch, &err) < 0 ||
	    run_hooks_here(l->spec, HUSK_HOOK_START_CONTAINER, hook_state, &hw, &err) < 0) {
		husk_sync_send_error(l->start_fd, &err);
		_exit(1);
	}
	r = husk_child_exec(&l->ch, &err);
	husk_sync_send_error(l->start_fd, &err);
	_exit((int)r);
}
