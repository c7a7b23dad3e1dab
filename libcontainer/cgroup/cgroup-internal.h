/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside cgroup/: the manager's state and the helpers its files share.
 *
 * A container's cgroup is a list of directories, one per hierarchy:
 * every mounted v1 hierarchy (v1 and hybrid) and the cgroup2 one (v2, and
 * the "unified" mount of a hybrid host).  `ops` holds what differs between
 * the layouts (creation, resources, freezer).
 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

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
	enum cg_layout layout;
	const struct cg_ops *ops;
	struct cg_dir *dirs; /* the v1 hierarchies, then the cgroup2 one if any */
	size_t n_dirs;
	struct cg_dir *v2; /* into dirs, or NULL */
	int v2_fd;	   /* O_DIRECTORY fd of v2->path, or -1 */
	char *stored;	   /* what husk_cgroup_path returns */
};

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
};

HIDDEN extern const struct cg_ops cg_v1_ops, cg_v2_ops, cg_hybrid_ops;

#define CG_ROOT "/sys/fs/cgroup"

/* ---- cgroup.c: what the host has ---- */

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
void cg_probe_clear(struct cg_probe *p);

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

/* ---- v1.c / v2.c ---- */
int cg_v1_create_dirs(struct husk_cgroup *cg, struct husk_error *err);
int cg_v1_freeze(struct cg_dir *d, bool freeze, struct husk_error *err);
int cg_v1_is_frozen(struct cg_dir *d);
/* mkdir the cgroup2 dir and enable the controllers named in `want` (NULL: all available) */
int cg_v2_create_dir(struct cg_dir *d, char **want, struct husk_error *err);
int cg_v2_freeze(struct cg_dir *d, bool freeze, struct husk_error *err);
int cg_v2_is_frozen(struct cg_dir *d);
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
