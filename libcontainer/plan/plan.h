/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct husk_plan: a container's config resolved before the first side
 * effect (design.md's plan stage).  husk_plan_build() does every check that
 * needs no host state beyond reading it: an invalid config fails there, when
 * nothing exists yet.  The init and exec children only apply what is here:
 * they parse no option string and turn no name into a number.
 *
 *   spec (config.json as C) --husk_plan_build--> plan --create/init--> syscalls
 *                                                  \--husk_plan_print--> `husk plan`
 */
#ifndef HUSK_PLAN_H
#define HUSK_PLAN_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "husk/error.h"
#include "spec/spec.h"

struct husk_seccomp_filter;
struct husk_cgroup;

/* Capability sets as masks (bit N = capability N), names already resolved. */
struct husk_cap_masks {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

/*
 * The one place capability names become masks (init and exec use it):
 * absent lists are empty sets.  A name the table does not know, or one past
 * `last` (the running kernel's highest capability, husk_caps_kernel_last()),
 * is skipped, as runc does; husk_plan_caps_warnings says which.
 */
void husk_plan_caps(const struct husk_caps *caps, int last, struct husk_cap_masks *out);
/*
 * A warning for each name husk_plan_caps skips, appended to the strv *out:
 * "<where>.bounding[3]: unknown capability `CAP_FOO`, ignored" (`where`:
 * "config.json: process.capabilities"); husk_plan_names_warnings for a
 * plain list (exec's --cap: "<where>: unknown capability ...").
 */
void husk_plan_caps_warnings(const struct husk_caps *caps, int last, const char *where,
			     char ***out);
void husk_plan_names_warnings(char *const *names, int last, const char *where, char ***out);

/* One entry of spec->mounts with its options parsed (config.md's table). */
struct husk_plan_mount {
	unsigned long flags;   /* MS_* for mount(2) */
	unsigned long prop[8]; /* propagation changes, in order */
	size_t n_prop;
	uint64_t attr_set, attr_clr; /* recursive attributes (mount_setattr) */
	bool idmap, idmap_recursive, tmpcopyup;
	bool bind;     /* MS_BIND, or type "bind" */
	bool cgroup;   /* a cgroup mount (not a bind): mounts-cgroup.c */
	bool idmapped; /* idmap/ridmap or mappings: an idmapped bind mount */
	char *source;  /* bind: absolute (bundle-relative resolved); else source, type or "none" */
	char *data;    /* filesystem options joined by ",", mount label added; or NULL */
};

/*
 * Parse mount options into `out` (flags, propagation, recursive attributes,
 * data); what the table does not know is filesystem data.  `out` is cleared
 * first; free with husk_plan_mount_clear().
 */
int husk_plan_mount_opts(char *const *options, struct husk_plan_mount *out, struct husk_error *err);
void husk_plan_mount_clear(struct husk_plan_mount *m);

/* Namespaces: what to make, what to join (spec->linux_.namespaces[t].path), in which order. */
struct husk_plan_ns {
	uint64_t clone_flags; /* made at clone */
	int unshare_flags;    /* made by the init after its joins (some ns joined by path) */
	bool joins;	      /* some namespace is joined by path */
	bool new_userns;      /* a new user namespace: the parent writes the maps */
	bool cgroupns_late;   /* a new cgroup namespace, made once the parent placed the init */
	bool mount_ns;	      /* a mount namespace (new or joined): else no mount at all */
};

struct husk_plan {
	const struct husk_spec *spec; /* borrowed */
	const char *bundle, *rootfs;  /* borrowed, absolute */
	const char *id;
	struct husk_plan_ns ns;
	struct husk_plan_mount *mounts; /* spec->n_mounts of them */
	size_t n_mounts;
	const char *mount_label; /* linux.mountLabel where SELinux is on, else NULL */
	/* rootfsPropagation as MS_* (0: absent); "/" is rslave during setup unless set */
	unsigned long root_propagation;
	bool dev_readonly; /* a /dev mount (not a bind) asks for ro: remount it after setup */
	struct husk_cap_masks caps;
	cpu_set_t *cpus_initial, *cpus_final; /* execCPUAffinity, NULL when absent */
	size_t cpus_initial_size, cpus_final_size;
	struct husk_seccomp_filter *seccomp; /* compiled, NULL without linux.seccomp */
	struct husk_cgroup *cg;		     /* decided (husk_cgroup_prepare): nothing made */
	char **warnings; /* what the config asks and husk skips (husk_plan_warn shows them) */
	bool rootless;	 /* husk_rootless(ctx): the cgroup is plan-rootless.c's */
	/* newuidmap, newgidmap: the maps (uid, gid) they write (rootless multi-range), or NULL */
	char *map_helper[2];
};

/*
 * Resolve and check `spec` (already parsed and check_supported'd) for
 * create: mounts, namespaces, caps, cpu sets, seccomp, device rules, the
 * cgroup path.  Errors carry "config.json: <path>: ...".  Makes nothing.
 */
struct husk_ctx;
/* `ctx` (may be NULL: not rootless) says whether husk runs rootless. */
int husk_plan_build(const struct husk_spec *spec, const char *id, const char *bundle,
		    const char *rootfs, const struct husk_ctx *ctx, struct husk_plan **out,
		    struct husk_error *err);
void husk_plan_free(struct husk_plan *p);
/*
 * --systemd-cgroup: the plan's cgroup made by systemd instead (linux.cgroupsPath
 * as `slice:prefix:name`, the `org.systemd.property.*` annotations); an
 * invalid path or annotation fails here, naming it.  Makes nothing.
 */
int husk_plan_use_systemd(struct husk_plan *p, struct husk_error *err);
/* Pass the plan's warnings to the caller's warn hook (create, husk plan). */
void husk_plan_warn(const struct husk_plan *p, const struct husk_ctx *ctx);
static inline void husk_plan_freep(struct husk_plan **p)
{
	husk_plan_free(*p);
}
#define cleanup_plan __attribute__((cleanup(husk_plan_freep)))

/*
 * plan-rootless.c: a non-root euid's user namespace and id maps (which of
 * them need newuidmap/newgidmap: p->map_helper); the cgroup of a rootless
 * plan (a delegated v2 subtree, else the none driver, and then a limit is
 * an error naming it).
 */
int husk_plan_rootless_userns(struct husk_plan *p, struct husk_error *err);
int husk_plan_rootless_cgroup(struct husk_plan *p, struct husk_error *err);

/* plan-mounts.c: every spec mount parsed and checked into p->mounts (p->spec, p->bundle set). */
int husk_plan_mounts(struct husk_plan *p, struct husk_error *err);

/* ---- plan-cgroup.c: the files the cgroup manager would write ---- */

enum husk_plan_layout {
	HUSK_PLAN_LAYOUT_V1,
	HUSK_PLAN_LAYOUT_V2,
	HUSK_PLAN_LAYOUT_HYBRID,
};

struct husk_plan_cgfile {
	char *file;  /* "memory.max", "memory/memory.limit_in_bytes" (v1: controller dir first) */
	char *value; /* what is written */
};

/*
 * linux.resources as (file, value) pairs on `layout`, in the order the
 * manager writes them, with runc's v1 -> v2 conversions.  Device rules: v1
 * devices.deny/devices.allow lines; v2 one "(bpf device program)" entry.
 */
int husk_plan_cgroup_files(const struct husk_resources *res, enum husk_plan_layout layout,
			   struct husk_plan_cgfile **out, size_t *n, struct husk_error *err);
void husk_plan_cgfiles_free(struct husk_plan_cgfile *v, size_t n);
/* The host's layout (statfs of /sys/fs/cgroup and /sys/fs/cgroup/unified). */
enum husk_plan_layout husk_plan_layout_detect(void);
const char *husk_plan_layout_name(enum husk_plan_layout l);

/* ---- plan-json.c, plan-text.c: `husk plan` ---- */

char *husk_plan_to_json(const struct husk_plan *p, enum husk_plan_layout layout,
			struct husk_error *err);
char *husk_plan_to_text(const struct husk_plan *p, enum husk_plan_layout layout,
			struct husk_error *err);

/* Names for the printers: "nosuid|nodev", "rslave", "CAP_KILL CAP_CHOWN". */
char *husk_plan_mount_flags_str(unsigned long flags);
const char *husk_plan_prop_name(unsigned long prop);
char *husk_plan_caps_str(uint64_t mask);
char *husk_plan_cpus_str(const cpu_set_t *set, size_t size);

#endif
