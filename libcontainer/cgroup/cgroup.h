/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroup, as the rest of libcontainer sees it: one handle,
 * struct husk_cgroup, behind which a manager works on two axes.
 *
 *  - the driver: who makes the cgroup.  "cgroupfs" (husk writes
 *    /sys/fs/cgroup itself, cgroupfs.c), "none" (no cgroup at all: rootless
 *    without delegation, none.c), "systemd" (a transient scope unit over
 *    D-Bus, systemd.c) behind the same struct husk_cgroup_manager.
 *  - the layout: v1, v2 or hybrid (v1 controllers + the cgroup2 "unified"
 *    mount).  Only the cgroupfs driver sees it, through a per-layout backend
 *    (v1.c, v2.c, hybrid.c); nothing outside cgroup/ branches on it.
 *
 * Creation is three steps so that a driver that needs the init's pid to
 * make its cgroup (systemd creates a scope unit *for a pid*) fits:
 * prepare (decide the path, make nothing: the state records it first),
 * make (before the init exists: cgroupfs creates the directories, writes
 * the limits and opens the clone3 fd) and enter with HUSK_CGROUP_ENTER_INIT
 * (after the clone: cgroupfs writes cgroup.procs; a pid-driven driver
 * creates its unit around the pid there and applies the limits then).
 *
 * All of these return 0 on success and -1 with *err filled on failure,
 * unless said otherwise.
 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "spec/spec.h"

/* The handle: one container's cgroup and the manager (driver) that owns it. */
struct husk_cgroup;

enum husk_cgroup_driver {
	HUSK_CGROUP_CGROUPFS, /* husk makes the directories itself */
	HUSK_CGROUP_NONE,     /* no cgroup: every limit, kill --all, ps, pause is refused */
	HUSK_CGROUP_SYSTEMD,  /* a transient scope unit made by systemd over D-Bus (systemd.c) */
};

/*
 * Decide the container's cgroup and make nothing (husk_cgroup_path works
 * after it).  cgroupfs: `cgroups_path` absolute, relative to the caller's
 * cgroup, or NULL (then "/husk/<id>").  none: both are ignored.
 */
int husk_cgroup_prepare(enum husk_cgroup_driver driver, const char *cgroups_path, const char *id,
			struct husk_cgroup **out, struct husk_error *err);
/*
 * Before the init exists: make the cgroup and apply `res` (may be NULL)
 * and the device rules.  An existing cgroup is reused unless it holds
 * processes or is frozen.  On failure it undoes what it made.  A driver
 * that makes its cgroup for a pid borrows `res` until the enter with
 * HUSK_CGROUP_ENTER_INIT.
 */
int husk_cgroup_make(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err);
/* prepare + make with the cgroupfs driver. */
int husk_cgroup_create(const char *cgroups_path, const char *id, const struct husk_resources *res,
		       struct husk_cgroup **out, struct husk_error *err);
/*
 * A directory fd usable with clone3(CLONE_INTO_CGROUP) (the cgroup2 one:
 * pure v2, or the hybrid "unified" dir), or -1.  Owned by `cg`.
 */
int husk_cgroup_clone_fd(const struct husk_cgroup *cg);

enum husk_cgroup_enter_flags {
	/* clone3(CLONE_INTO_CGROUP) with husk_cgroup_clone_fd placed it already */
	HUSK_CGROUP_ENTER_CLONED = 1 << 0,
	/* the container's init: a driver that makes its cgroup for a pid does it now */
	HUSK_CGROUP_ENTER_INIT = 1 << 1,
};
/* Move pid into the cgroup (every hierarchy the clone did not place it in). */
int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err);
/*
 * exec --cgroup (runc 1.1): a handle on existing sub-cgroups of `cg` for one
 * process, from `args` ("[CTRL[,CTRL...]:]PATH", sub.c says how); only
 * husk_cgroup_enter and husk_cgroup_clone_fd are meant for it.  A path that
 * leaves `cg`, a controller no hierarchy has, or a missing directory is
 * refused ("--cgroup: ...").
 */
int husk_cgroup_sub(const struct husk_cgroup *cg, char *const *args, struct husk_cgroup **out,
		    struct husk_error *err);
/*
 * A limit of `res` that make/update leave out because this host has no file
 * for it (kernelTCP on cgroup v2 or without memory.kmem.tcp.limit_in_bytes),
 * as a message for a warning ("memory.kernelTCP ignored: ..."); NULL: none.
 */
const char *husk_cgroup_ignored(const struct husk_cgroup *cg, const struct husk_resources *res);
/* Change the limits of a live cgroup (husk update); device rules are left alone. */
int husk_cgroup_update(struct husk_cgroup *cg, const struct husk_resources *res,
		       struct husk_error *err);
/*
 * The cgroup path to store in the state (husk_cgroup_load reads it back):
 * cgroupfs, the resolved absolute path, or, when a relative path resolved
 * differently per v1 hierarchy, "controllers:path;...".  NULL with the none
 * driver: the state then has no cgroup, which every verb already handles.
 */
const char *husk_cgroup_path(const struct husk_cgroup *cg);
/* The driver's name ("cgroupfs", "none"). */
const char *husk_cgroup_driver_name(const struct husk_cgroup *cg);
/*
 * `--systemd-cgroup` paths: "slice:prefix:name" to the cgroupfs path systemd
 * would give the unit ("system.slice:docker:abc" ->
 * "/system.slice/docker-abc.scope"), so that without a systemd to ask the
 * container still lands where clients look for it.
 */
int husk_cgroup_systemd_path(const char *cgroups_path, char **out, struct husk_error *err);
/*
 * Rootless with the cgroupfs driver (rootless.c): on a pure cgroup v2 host
 * whose subtree is delegated to the caller, *out is the container's cgroup
 * (absolute, malloc'd: `cgroups_path` if absolute, else under the parent of
 * the caller's own cgroup as runc does) when the directory it is made in
 * and that directory's cgroup.procs are writable; else *out is NULL (no
 * delegation: the none driver).  -1 only for a bad path.
 */
int husk_cgroup_rootless_path(const char *cgroups_path, const char *id, char **out,
			      struct husk_error *err);
/*
 * systemd driver: the config's `org.systemd.property.*` annotations, as
 * runc reads them, for the unit (other drivers: nothing to do).
 */
int husk_cgroup_systemd_annotations(struct husk_cgroup *cg, const struct husk_kv *ann, size_t n,
				    struct husk_error *err);
/* Re-open a container's cgroup from the stored path (cgroupfs, or systemd's "systemd:..."). */
int husk_cgroup_load(const char *path, struct husk_cgroup **out, struct husk_error *err);
/* Signal every process (v2 cgroup.kill for SIGKILL where present). */
int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_error *err);
/* Every process, sub-cgroups included; *pids malloc'd. */
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
	uint64_t kills; /* v2: the last memory.events oom_kill seen */
	char *dir;	/* the memory cgroup directory */
	/* set by the layout backend that opened it (husk_cgroup_oom_drain calls it) */
	uint64_t (*drain)(struct husk_cgroup_oom *o);
};
/* 0, or -1 with *err (no memory controller: ENOENT) */
int husk_cgroup_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err);
/* Consume what made the fd readable (never blocks): the number of new OOM events. */
uint64_t husk_cgroup_oom_drain(struct husk_cgroup_oom *o);
void husk_cgroup_oom_close(struct husk_cgroup_oom *o);
void husk_cgroup_free(struct husk_cgroup *cg);
static inline void husk_cgroup_freep(struct husk_cgroup **cg)
{
	husk_cgroup_free(*cg);
}
#define cleanup_cgroup __attribute__((cleanup(husk_cgroup_freep)))

#endif
