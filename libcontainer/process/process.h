/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process/: the attributes of the container's process (user, rlimits,
 * scheduler, sysctl, HOME), its namespaces, console and hooks.  Each block
 * names the file that implements it.  All of these return 0 on success and
 * -1 with *err filled on failure, unless said otherwise.
 */
#ifndef HUSK_PROCESS_PROCESS_H
#define HUSK_PROCESS_PROCESS_H

#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "spec/spec.h"

/* ---- home.c, user.c, rlimits.c, sched.c, sysctl.c: the process's attributes ---- */

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
/* setgroups/setresgid/setresuid/umask (caps kept via KEEPCAPS). */
int husk_user_apply(const struct husk_user *u, struct husk_error *err);

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
 * Where a hook runs (runc's choices per kind: hooks.c): its working
 * directory (NULL: the caller's) and the environment of a hook without
 * `env` (NULL: husk's own, or none with empty_env).
 */
struct husk_hook_where {
	const char *cwd;
	char *const *env;
	bool empty_env;
};

/*
 * Run each hook of the list in order: path, args, env, `state_json` on
 * stdin, killed after `timeout` seconds, in the caller's cwd; a hook
 * without `env` gets husk's environment.  A hook that fails (non-zero exit,
 * signal, timeout) is an error naming the hook kind, index and path.
 */
int husk_hooks_run(const struct husk_hook_list *hooks, enum husk_hook_kind kind,
		   const char *state_json, struct husk_error *err);
/* The same in `w`'s cwd and environment (NULL: as husk_hooks_run). */
int husk_hooks_run_at(const struct husk_hook_list *hooks, enum husk_hook_kind kind,
		      const char *state_json, const struct husk_hook_where *w,
		      struct husk_error *err);
struct husk_ctx;
/*
 * poststop: run every hook of the list, also after one fails; each failure
 * is a warning (husk_warn), as the runtime-spec wants ("the runtime MUST log
 * a warning, but the remaining hooks and lifecycle continue").  Returns how
 * many failed.
 */
int husk_hooks_run_warn(const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
			enum husk_hook_kind kind, const char *state_json);
int husk_hooks_run_warn_at(const struct husk_ctx *ctx, const struct husk_hook_list *hooks,
			   enum husk_hook_kind kind, const char *state_json,
			   const struct husk_hook_where *w);

/* ---- ns.c: namespaces joined by path, id maps, the time namespace ---- */

int husk_ns_open_joins(const struct husk_spec *spec, int fds[HUSK_NS_N], struct husk_error *err);
void husk_ns_close_joins(int fds[HUSK_NS_N]);
/*
 * userns.c: write the init's uid and gid maps.  helpers[0], helpers[1]:
 * newuidmap, newgidmap (the plan's map_helper) when that map goes through
 * it, else NULL: written to /proc/PID/{u,g}id_map, and a non-root caller
 * denies setgroups first (the kernel wants it for an unprivileged gid_map).
 */
int husk_ns_write_maps(pid_t pid, const struct husk_linux *l, char *const helpers[2],
		       struct husk_error *err);
/* Join (setns) the namespaces in fds, user last; closes them. */
int husk_ns_join(int fds[HUSK_NS_N], struct husk_error *err);
/* Make a new time namespace for our children and write linux.timeOffsets. */
int husk_ns_time_setup(const struct husk_linux *l, struct husk_error *err);

int husk_setns_path(const char *path, int type, struct husk_error *err);

#endif
