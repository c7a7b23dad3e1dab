/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interfaces between libcontainer's subsystems (not public).  Each block
 * names the file that implements it.  All of these return 0 on success and
 * -1 with *err filled on failure, unless said otherwise.
 */
#ifndef HUSK_INTERNAL_H
#define HUSK_INTERNAL_H

#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "cgroup/cgroup.h" /* state.c and spec/events-json.c still reach it from here */
#include "spec/spec.h"
#include "utils.h"

/* ---- rootfs.c, mounts.c, mountopts.c, devices.c: the container's filesystem ---- */

struct husk_rootfs_prep;

struct husk_rootfs_opts {
	const char *rootfs; /* absolute path of the rootfs on the host */
	bool no_pivot;	    /* chroot instead of pivot_root */
	bool userns;	    /* in a new user namespace: bind devices instead of mknod */
	bool cgroupns;	    /* in a new cgroup namespace */
	const char *bundle; /* relative bind sources start here (NULL: the cwd) */
	/* called after the mounts and /dev, before pivot_root (createContainer hooks) */
	int (*before_pivot)(void *data, struct husk_error *err);
	void *before_pivot_data;
	/* what husk_rootfs_prepare() made in the runtime, or NULL */
	const struct husk_rootfs_prep *prep;
	/* the plan (mounts parsed); NULL: built here from the spec (unit tests) */
	const struct husk_plan *plan;
};

struct husk_plan;
/* o->plan, or (without one) the mounts part of a plan built from spec into *own. */
const struct husk_plan *husk_rootfs_plan(const struct husk_spec *spec,
					 const struct husk_rootfs_opts *o, struct husk_plan **own,
					 struct husk_error *err);

/*
 * What the init can't do once inside its user namespace, made by the runtime
 * before the clone (the init inherits the fds): idmapped mounts, as detached
 * trees, idmap_fds[i] for spec->mounts[i] (-1 where none).
 */
struct husk_rootfs_prep {
	int *idmap_fds;
	size_t n;
};
/* Call in the runtime before cloning the init when the container has a user namespace. */
int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			struct husk_rootfs_prep *prep, struct husk_error *err);
/* Close the fds (both in the runtime after the clone, and in the init after setup). */
void husk_rootfs_prep_clear(struct husk_rootfs_prep *prep);

/*
 * In the child, inside its new mount namespace, before pivot: make "/"
 * rslave (or per rootfsPropagation), bind the rootfs, do spec->mounts in
 * order (resolved inside the rootfs), /dev (tmpfs, default devices, symlinks,
 * pts, shm, mqueue unless the spec mounts them), linux.devices, then
 * pivot_root (or chroot) and chdir("/").
 */
int husk_rootfs_setup(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
		      struct husk_error *err);
/* After pivot (and after the console is bound): masked and read-only paths, readonly root. */
int husk_rootfs_finalize(const struct husk_spec *spec, const struct husk_rootfs_opts *o,
			 struct husk_error *err);

/* ---- process.c, caps.c, rlimits.c, sched.c, sysctl.c: the process's attributes ---- */

/*
 * home.c: env with HOME=<uid's home in the container's /etc/passwd, or "/">
 * appended when it has no HOME (runc, for the init and exec); env itself when
 * it has one.  Call inside the container's root.
 */
char **husk_env_with_home(char **env, uid_t uid);
int husk_sysctl_apply(const struct husk_kv *v, size_t n, struct husk_error *err);
int husk_rlimits_apply(const struct husk_rlimit *v, size_t n, struct husk_error *err);
int husk_oom_score_adj_apply(int adj, struct husk_error *err);
/*
 * scheduler and ioPriority.  Not execCPUAffinity: its `initial` belongs before
 * the move into the container's cgroup and `final` after it, so the caller
 * applies them with husk_cpu_affinity_apply at those points.
 */
int husk_sched_apply(const struct husk_process *p, struct husk_error *err);
int husk_personality_apply(const struct husk_linux *l, struct husk_error *err);
/* cpu list "0-3,7" -> sched_setaffinity(0, ...) */
int husk_cpu_affinity_apply(const char *cpus, struct husk_error *err);
/* The two halves: parse into a CPU_ALLOC'd set (CPU_FREE it), and apply one. */
int husk_cpu_list_parse(const char *cpus, cpu_set_t **set, size_t *size, struct husk_error *err);
int husk_cpu_set_apply(const cpu_set_t *set, size_t size, struct husk_error *err);
struct husk_cap_masks; /* plan/plan.h: names resolved by husk_plan_caps() */
/*
 * Drop the bounding set to caps->bounding and set PR_SET_KEEPCAPS (before setuid).
 * caps = NULL (or all masks 0): every set ends up empty, as with runc 1.1.
 */
int husk_caps_prepare(const struct husk_cap_masks *caps, struct husk_error *err);
/* setgroups/setresgid/setresuid/umask (caps kept via KEEPCAPS). */
int husk_user_apply(const struct husk_user *u, struct husk_error *err);
/* After the uid switch: permitted, effective, inheritable, then ambient. */
int husk_caps_apply(const struct husk_cap_masks *caps, struct husk_error *err);

/* ---- terminal.c ---- */

/* Connect to a console socket (SOCK_STREAM unix path); returns the fd. */
int husk_console_socket_connect(const char *path, struct husk_error *err);
/*
 * In the child after pivot: open /dev/ptmx (the container's devpts), size it
 * from p->console_*, bind the slave on /dev/console, send the master over
 * `socket_fd` with SCM_RIGHTS (payload "/dev/ptmx"), then setsid, TIOCSCTTY
 * and dup the slave to 0, 1, 2.
 */
int husk_terminal_setup(int socket_fd, const struct husk_process *p, struct husk_error *err);
/* The same for exec (runc's setns process): no /dev/console bind. */
int husk_terminal_setup_exec(int socket_fd, const struct husk_process *p, struct husk_error *err);

/* ---- hooks.c ---- */

/*
 * Run each hook of the list in order: path, args, env, `state_json` on
 * stdin, killed after `timeout` seconds.  A hook that fails (non-zero exit,
 * signal, timeout) is an error naming the hook kind, index and path.
 */
int husk_hooks_run(const struct husk_hook_list *hooks, enum husk_hook_kind kind,
		   const char *state_json, struct husk_error *err);
struct husk_ctx;
/*
 * poststop: run every hook of the list, also after one fails; each failure
 * is a warning (husk_warn), as the runtime-spec wants ("the runtime MUST log
 * a warning, but the remaining hooks and lifecycle continue").  Returns how
 * many failed.
 */
int husk_hooks_run_warn(const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
			enum husk_hook_kind kind, const char *state_json);
/* container.c: a warning for the caller to show (ctx->warn), if it wants them. */
void husk_warn(const struct husk_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- cgroup/: the container's cgroup: see cgroup/cgroup.h ---- */

/*
 * spec/events-json.c: runc's event lines (types/events.go), one line each,
 * malloc'd: {"type":"stats","id":..,"data":{..}} and {"type":"oom","id":..}.
 */
char *husk_events_stats_json(const char *id, const struct husk_cgroup_stats *st);
char *husk_events_simple_json(const char *type, const char *id);

#endif
