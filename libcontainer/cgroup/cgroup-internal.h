/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside cgroup/: the manager's two axes and the helpers their files share.
 *
 * struct husk_cgroup_manager is a driver (cgroupfs.c, none.c, systemd.c): every operation of
 * cgroup.h goes through it (manager.c dispatches).  The cgroupfs driver keeps the container's
 * cgroup as a list of directories, one per hierarchy: every mounted v1 hierarchy (v1 and hybrid)
 * and the cgroup2 one (v2, and the "unified" mount of a hybrid host); what differs between the
 * layouts is its backend, struct cg_ops (v1.c, v2.c, hybrid.c).  The systemd driver makes the unit
 * and then reuses the same directories and backend for the files (runc's systemd manager does the
 * same with its fs managers).
 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "utils.h"

/* ---- the driver axis ---- */

struct husk_cgroup_manager {
	const char *name;
	/* fill `cg` for a new container; makes nothing */
	int (*prepare)(struct husk_cgroup *cg, const char *cgroups_path, const char *id,
		       struct husk_error *err);
	/* fill `cg` from a stored path */
	int (*load)(struct husk_cgroup *cg, const char *stored, struct husk_error *err);
	int (*make)(struct husk_cgroup *cg, const struct husk_resources *res,
		    struct husk_error *err);
	int (*enter)(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err);
	int (*clone_fd)(const struct husk_cgroup *cg);
	int (*update)(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_error *err);
	int (*kill)(struct husk_cgroup *cg, int sig, struct husk_error *err);
	int (*pids)(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err);
	int (*freeze)(struct husk_cgroup *cg, bool freeze, struct husk_error *err);
	int (*is_frozen)(struct husk_cgroup *cg);
	/* `st` is zeroed; `full`: the lists too */
	int (*stats)(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full,
		     struct husk_error *err);
	int (*oom_open)(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err);
	int (*destroy)(struct husk_cgroup *cg, struct husk_error *err);
	/* free what prepare/load allocated (not `cg` itself) */
	void (*clear)(struct husk_cgroup *cg);
};

HIDDEN extern const struct husk_cgroup_manager cg_cgroupfs_manager, cg_none_manager,
    cg_systemd_manager;

/* ---- the layout axis (cgroupfs) ---- */

enum cg_layout {
	CG_LAYOUT_V1,
	CG_LAYOUT_HYBRID,
	CG_LAYOUT_V2,
};

struct cg_dir {
	char *controllers; /* as in /proc/self/cgroup ("cpu,cpuacct"); "" for cgroup2 */
	char *mnt;	   /* mount point of the hierarchy */
	char *rel;	   /* the container's cgroup inside the hierarchy: "/husk/id" */
	char *path;	   /* mnt + rel */
	size_t created;	   /* strlen of the topmost directory we made (0: made none) */
	bool v2;
};

struct cg_ops;

struct husk_cgroup {
	const struct husk_cgroup_manager *mgr; /* the driver */
	char *stored;			       /* what husk_cgroup_path returns */
	/* the cgroupfs driver's state (the none driver leaves it empty) */
	enum cg_layout layout;
	const struct cg_ops *ops; /* the layout backend */
	struct cg_dir *dirs;	  /* the v1 hierarchies, then the cgroup2 one if any */
	size_t n_dirs;
	struct cg_dir *v2; /* into dirs, or NULL */
	int v2_fd;	   /* O_DIRECTORY fd of v2->path, or -1 */
	void *drv;	   /* the systemd driver's own state (systemd.c), else NULL */
};

/* Which controllers' statistics a backend filled (stats-v1.c tells stats-v2.c). */
enum {
	CG_STAT_CPUACCT = 1 << 0, /* usage, user, system (+ per-cpu) */
	CG_STAT_CPU = 1 << 1,	  /* periods, throttling */
	CG_STAT_MEMORY = 1 << 2,  /* memory, swap, memory.stat */
	CG_STAT_PIDS = 1 << 3,
	CG_STAT_CPUSET = 1 << 4,
	CG_STAT_BLKIO = 1 << 5,
	CG_STAT_HUGETLB = 1 << 6,
};

/* What differs between the layouts: each op works on the cgroupfs directories. */
struct cg_ops {
	const char *name;
	/* make the directories (and their controllers) for `res` */
	int (*create)(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_error *err);
	/* write the limits; `update`: a live cgroup (husk update), devices left alone */
	int (*apply)(struct husk_cgroup *cg, const struct husk_resources *res, bool update,
		     struct husk_error *err);
	int (*freeze)(struct husk_cgroup *cg, bool freeze, struct husk_error *err);
	int (*is_frozen)(struct husk_cgroup *cg);
	/*
	 * SIGKILL everything at once where the layout can (cgroup2 cgroup.kill):
	 * 1 done, 0 not possible here (the caller signals pid by pid), -1 error.
	 * *more: processes may remain outside (hybrid: in v1 hierarchies only).
	 */
	int (*kill_all)(struct husk_cgroup *cg, bool *more, struct husk_error *err);
	/* fill the counters (and the lists when `full`) */
	void (*stats)(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full);
	int (*oom_open)(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err);
	/* memory in use, for memory.checkBeforeUpdate: 1 found, 0 no memory controller */
	int (*memory_usage)(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err);
};

HIDDEN extern const struct cg_ops cg_v1_ops, cg_v2_ops, cg_hybrid_ops;

#define CG_ROOT "/sys/fs/cgroup"

/* ---- probe.c: what the host has ---- */

struct cg_probe_entry {
	char *controllers; /* as in /proc/self/cgroup; "" for cgroup2 */
	char *own;	   /* the caller's cgroup there, relative to the mount */
	char *mnt;	   /* mount point */
};

struct cg_probe {
	enum cg_layout layout; /* set by the caller (statfs of CG_ROOT) */
	struct cg_probe_entry *v;
	size_t n;
};

/* The mounted hierarchies listed in /proc/self/cgroup (`self_cgroup`), per mountinfo. */
int cg_probe_parse(struct cg_probe *p, const char *self_cgroup, const char *mountinfo,
		   struct husk_error *err);
/* The layout (statfs of CG_ROOT) and cg_probe_parse of this process's files. */
int cg_probe_host(struct cg_probe *p, struct husk_error *err);
void cg_probe_clear(struct cg_probe *p);

/* ---- paths.c ---- */

/* Clean `base`/`path` into "/a/b/c"; `..` is refused. */
int cg_clean_path(const char *base, const char *path, char **out, struct husk_error *err);

/* ---- procs.c: processes of the cgroupfs directories ---- */

int cg_fs_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err);
int cg_fs_kill(struct husk_cgroup *cg, int sig, struct husk_error *err);
int cg_fs_destroy(struct husk_cgroup *cg, struct husk_error *err);

/* ---- stats.c, stats-v1.c, stats-v2.c, oom.c ---- */

/* A counter file; missing or unreadable is 0, "max" UINT64_MAX. */
uint64_t cg_read_u64(const char *dir, const char *file);
/* The value of `key` in a "key value" per line file (cpu.stat, memory.events). */
uint64_t cg_read_key(const char *dir, const char *file, const char *key);
/* "123 456 789" to a malloc'd array */
void cg_read_u64_list(const char *dir, const char *file, uint64_t **out, size_t *n);
/* "0-3,5" to a malloc'd list of numbers */
void cg_read_range_list(const char *dir, const char *file, uint16_t **out, size_t *n);
/* memory.stat ("key value" lines) into st->mem_raw */
void cg_read_mem_raw(const char *dir, struct husk_cgroup_stats *st);
void cg_blkio_add(struct husk_cgroup_stats *st, int kind, uint64_t major, uint64_t minor,
		  const char *op, uint64_t value);
/* "hugepages-2048kB" to runc's "2MB"; false for other names */
bool cg_hugepage_name(const char *dirent, char *out, size_t len);
/* Append one hugetlb entry. */
void cg_hugetlb_add(struct husk_cgroup_stats *st, const struct husk_cgroup_hugetlb *h);
/* Fill what the v1 hierarchies have; the CG_STAT_* bits of what was found. */
unsigned cg_v1_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full);
/* Fill from the cgroup2 directory what `skip` does not name. */
void cg_v2_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full, unsigned skip);
int cg_v1_oom_open(struct cg_dir *memory, struct husk_cgroup_oom *o, struct husk_error *err);
int cg_v2_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err);

/* ---- files.c ---- */

/* The directory of the v1 hierarchy holding `controller` ("memory"), or NULL. */
struct cg_dir *cg_v1_dir(struct husk_cgroup *cg, const char *controller);
/* Write `value` to dir/file: "write `100` to `/sys/fs/cgroup/pids/x/pids.max`: ..." */
int cg_write(const char *dir, const char *file, const char *value, struct husk_error *err);
/*
 * A resource write failed: name the field, "linux.resources.<field>: <msg>"
 * (create adds "config.json: "); returns -1.
 */
int cg_field_err(struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cg_writef(const char *dir, const char *file, struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read dir/file, trailing newline removed. */
int cg_read(const char *dir, const char *file, char **out, struct husk_error *err);
/* 1 if dir/file exists, 0 if not. */
bool cg_has_file(const char *dir, const char *file);
/* mkdir -p d->path below d->mnt, recording in d->created the first one made. */
int cg_mkdir(struct cg_dir *d, struct husk_error *err);
/* Remove what cg_mkdir made (only that). */
void cg_undo_mkdir(struct cg_dir *d);
/* Sleep `ms` milliseconds. */
void cg_sleep_ms(unsigned int ms);

/* ---- v1.c / v2.c / hybrid.c ---- */
int cg_v1_create_dirs(struct husk_cgroup *cg, struct husk_error *err);
int cg_v1_freeze(struct cg_dir *d, bool freeze, struct husk_error *err);
int cg_v1_is_frozen(struct cg_dir *d);
/* mkdir the cgroup2 dir and enable the controllers named in `want` (NULL: all available) */
int cg_v2_create_dir(struct cg_dir *d, char **want, struct husk_error *err);
int cg_v2_freeze(struct cg_dir *d, bool freeze, struct husk_error *err);
int cg_v2_is_frozen(struct cg_dir *d);
/* cgroup.kill of the cgroup2 dir: 1 done, 0 no cgroup.kill, -1 error (gone: done) */
int cg_v2_kill(struct cg_dir *d, struct husk_error *err);
/* memory.current (v2) / memory.usage_in_bytes (v1): 1 read, 0 absent */
int cg_v1_memory_usage(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err);
int cg_v2_memory_usage(struct husk_cgroup *cg, uint64_t *usage, struct husk_error *err);
/* cgroup2 controllers `res` needs ("cpu", "memory", ...), NULL-terminated (never NULL) */
char **cg_v2_needed_controllers(const struct husk_resources *res);

/* ---- resources-v1.c, resources-v2.c, devices-v1.c ---- */
int cg_v1_apply(struct husk_cgroup *cg, const struct husk_resources *res, bool update,
		struct husk_error *err);
int cg_v2_apply(struct cg_dir *d, const struct husk_resources *res, bool update,
		struct husk_error *err);
/* ---- devices.c, devices-v1.c, devices-bpf.c ---- */

enum { CG_DEV_M = 1, CG_DEV_R = 2, CG_DEV_W = 4, CG_DEV_RWM = 7 }; /* = BPF_DEVCG_ACC_* */

struct cg_dev_rule {
	bool allow;
	char type;	      /* 'a', 'b', 'c' */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* CG_DEV_* */
};

/* Every rule in the order it applies (the last match wins), deny-all first. */
int cg_device_rules(const struct husk_resources *res, struct cg_dev_rule **out, size_t *n,
		    struct husk_error *err);
/* Load the rules as a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to the cgroup2 dir. */
int cg_v2_devices_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err);
int cg_v1_devices_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err);

/* runc's conversion of cpu shares [2, 262144] to cgroup2 cpu.weight [1, 10000] */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio weight [10, 1000] to io.weight [1, 10000] (runc) */
uint64_t cg_blkio_to_io_weight(uint64_t w);

#endif
