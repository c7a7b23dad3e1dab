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

/* ---- cgroup/: the container's cgroup (one vtable for v1, v2, hybrid) ---- */

struct husk_cgroup;
/*
 * Create the container's cgroup(s): `cgroups_path` absolute, relative to the
 * caller's cgroup, or NULL (then "/husk/<id>").  Applies `res` (may be NULL)
 * and the device rules.  An existing cgroup is reused unless it holds
 * processes or is frozen.  Nothing is left behind on failure.
 */
int husk_cgroup_create(const char *cgroups_path, const char *id, const struct husk_resources *res,
		       struct husk_cgroup **out, struct husk_error *err);
/*
 * The same in two steps, so that the path can be recorded before anything
 * exists: prepare decides the directories (husk_cgroup_path works) and makes
 * nothing; make creates them, or undoes what it made and fails.
 */
int husk_cgroup_prepare(const char *cgroups_path, const char *id, struct husk_cgroup **out,
			struct husk_error *err);
int husk_cgroup_make(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err);
/*
 * A v2 directory fd usable with clone3(CLONE_INTO_CGROUP) (pure v2, or the
 * hybrid "unified" dir), or -1.  Owned by `cg`: do not close it.
 */
int husk_cgroup_clone_fd(const struct husk_cgroup *cg);
/* Change the limits of a live cgroup (husk update); device rules are left alone. */
int husk_cgroup_update(struct husk_cgroup *cg, const struct husk_resources *res,
		       struct husk_error *err);
/* Move pid into every hierarchy (those not already done by CLONE_INTO_CGROUP). */
int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, bool skip_v2, struct husk_error *err);
/*
 * The cgroup path to store in the state: the resolved absolute path, or,
 * when a relative path resolved differently per v1 hierarchy,
 * "controllers:path;..." (husk_cgroup_load reads both).
 */
const char *husk_cgroup_path(const struct husk_cgroup *cg);
/*
 * `--systemd-cgroup` paths: "slice:prefix:name" to the cgroupfs path systemd
 * would give the unit ("system.slice:docker:abc" ->
 * "/system.slice/docker-abc.scope"), so that without a systemd to ask the
 * container still lands where clients look for it.
 */
int husk_cgroup_systemd_path(const char *cgroups_path, char **out, struct husk_error *err);
/* Re-open a container's cgroup from the stored path. */
int husk_cgroup_load(const char *path, struct husk_cgroup **out, struct husk_error *err);
/* Signal every process (v2 cgroup.kill for SIGKILL where present). */
int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_error *err);
int husk_cgroup_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err);
/* Kill what is left, wait for it to go, remove every directory.  Idempotent. */
int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error *err);
int husk_cgroup_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err);
/* 1 frozen, 0 not, -1 error */
int husk_cgroup_is_frozen(struct husk_cgroup *cg);
/* Usage counters (events --stats); UINT64_MAX is "max"; what the host lacks reads 0. */
struct husk_cgroup_stats {
	uint64_t cpu_usage, cpu_user, cpu_system;			 /* ns */
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_time; /* time in ns */
	uint64_t mem_usage, mem_max_usage, mem_limit,
	    mem_failcnt; /* bytes; failcnt: v2 "max" events */
	uint64_t swap_usage,
	    swap_limit; /* swap alone (v1: memsw - usage); v1 limit is memory+swap */
	uint64_t oom_kills;
	uint64_t pids_current, pids_limit;
	bool frozen;
	uint64_t mem_cache; /* memory.stat cache (v2: file) */
	/* memory+swap as runc reports it (v1 memsw.*; v2 swap + memory) */
	uint64_t memsw_usage, memsw_max_usage, memsw_limit, memsw_failcnt;
	uint64_t kmem_usage, kmem_max_usage, kmem_limit, kmem_failcnt;		       /* v1 only */
	uint64_t kmem_tcp_usage, kmem_tcp_max_usage, kmem_tcp_limit, kmem_tcp_failcnt; /* v1 only */
	/* the lists below: filled by husk_cgroup_stats_full only */
	uint64_t *percpu, *percpu_kernel, *percpu_user; /* ns, v1 cpuacct */
	size_t n_percpu, n_percpu_kernel, n_percpu_user;
	struct husk_kv *mem_raw; /* memory.stat, values as decimal text */
	size_t n_mem_raw;
	struct husk_cgroup_cpuset {
		uint16_t *cpus, *mems;
		size_t n_cpus, n_mems;
		uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate,
		    memory_spread_page, memory_spread_slab, memory_pressure, sched_load_balance;
		int64_t sched_relax_domain_level;
	} cpuset;
	struct husk_cgroup_blkio_entry {
		uint64_t major, minor, value;
		char op[16];
	} * blkio[8]; /* indexed by enum husk_cgroup_blkio_kind */
	size_t n_blkio[8];
	struct husk_cgroup_hugetlb {
		char page_size[32]; /* "2MB" */
		uint64_t usage, max, failcnt;
	} * hugetlb;
	size_t n_hugetlb;
};
/* runc's blkio lists, in its order */
enum husk_cgroup_blkio_kind {
	HUSK_BLKIO_SERVICE_BYTES,
	HUSK_BLKIO_SERVICED,
	HUSK_BLKIO_QUEUED,
	HUSK_BLKIO_SERVICE_TIME,
	HUSK_BLKIO_WAIT_TIME,
	HUSK_BLKIO_MERGED,
	HUSK_BLKIO_TIME,
	HUSK_BLKIO_SECTORS,
};
int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error *err);
/* husk_cgroup_stats plus the lists (per-cpu, memory.stat, cpuset, blkio, hugetlb). */
int husk_cgroup_stats_full(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
			   struct husk_error *err);
void husk_cgroup_stats_clear(struct husk_cgroup_stats *st);
/*
 * OOM notification (husk events): `fd` polls readable when the memory
 * controller sees an OOM; v1 an eventfd registered on memory.oom_control
 * through cgroup.event_control, v2 an inotify watch on memory.events.
 */
struct husk_cgroup_oom {
	int fd, ctl_fd; /* ctl_fd: v1 memory.oom_control, kept open; -1 on v2 */
	bool v1;
	uint64_t kills; /* v2: the last memory.events oom_kill seen */
	char *dir;	/* the memory cgroup directory */
};
/* 0, or -1 with *err (no memory controller: ENOENT) */
int husk_cgroup_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err);
/* Consume what made the fd readable (never blocks): the number of new OOM events. */
uint64_t husk_cgroup_oom_drain(struct husk_cgroup_oom *o);
void husk_cgroup_oom_close(struct husk_cgroup_oom *o);
/*
 * spec/events-json.c: runc's event lines (types/events.go), one line each,
 * malloc'd: {"type":"stats","id":..,"data":{..}} and {"type":"oom","id":..}.
 */
char *husk_events_stats_json(const char *id, const struct husk_cgroup_stats *st);
char *husk_events_simple_json(const char *type, const char *id);
void husk_cgroup_free(struct husk_cgroup *cg);
static inline void husk_cgroup_freep(struct husk_cgroup **cg)
{
	husk_cgroup_free(*cg);
}
#define cleanup_cgroup __attribute__((cleanup(husk_cgroup_freep)))

#endif
