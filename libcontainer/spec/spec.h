/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct husk_spec: config.json (OCI runtime-spec v1.3.0, Linux fields) as
 * plain C.  Only libcontainer/spec/ touches the JSON library; everything else
 * works on these structs.
 *
 * Conventions: strings are NULL when absent; arrays are (pointer, count);
 * optional scalars carry a `has_<name>` flag; string lists are NULL-terminated
 * (char **) and NULL when absent.
 */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

/*
 * uids and gids: 0..2147483647 (runc: "uids and gids must be in range
 * 0-2147483647").  The kernel's (uid_t)-1 means "leave unchanged" to
 * setresuid and friends, and ids above INT32_MAX are refused by parts of
 * the kernel and of userspace: 4294967295 would run the process as root.
 */
#define HUSK_ID_MAX 2147483647u

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"

#define HUSK_OCI_VERSION "1.3.0"

struct husk_id_mapping {
	uint32_t container_id, host_id, size;
};

struct husk_mount {
	char *destination; /* required */
	char *source;
	char *type;
	char **options;
	struct husk_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct husk_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct husk_rlimit {
	char *type_name; /* "RLIMIT_NOFILE" */
	int type;	 /* RLIMIT_* resolved by the parser */
	uint64_t soft, hard;
};

struct husk_caps {
	/* NULL-terminated lists of names as written ("CAP_CHOWN"); NULL = absent */
	char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct husk_scheduler {
	char *policy; /* required when present: SCHED_OTHER ... */
	int policy_value;
	int32_t nice, priority;
	bool has_nice, has_priority;
	char **flags; /* SCHED_FLAG_* */
	uint64_t flags_value;
	uint64_t runtime, deadline, period;
};

struct husk_io_priority {
	char *class_name; /* IOPRIO_CLASS_RT|BE|IDLE */
	int class_value;
	int priority;
};

struct husk_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* parsed; ignored on Linux */
};

struct husk_process {
	bool terminal;
	bool has_console_size;
	unsigned int console_height, console_width;
	struct husk_user user;
	char **args;
	char *command_line; /* windows only; parsed and ignored */
	char **env;
	char *cwd; /* required */
	bool has_capabilities;
	struct husk_caps capabilities;
	struct husk_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
	bool has_scheduler;
	struct husk_scheduler scheduler;
	bool has_io_priority;
	struct husk_io_priority io_priority;
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
};

struct husk_hook {
	char *path; /* required, absolute */
	char **args;
	char **env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

struct husk_hook_list {
	struct husk_hook *hooks;
	size_t n;
};

enum husk_hook_kind {
	HUSK_HOOK_PRESTART,
	HUSK_HOOK_CREATE_RUNTIME,
	HUSK_HOOK_CREATE_CONTAINER,
	HUSK_HOOK_START_CONTAINER,
	HUSK_HOOK_POSTSTART,
	HUSK_HOOK_POSTSTOP,
	HUSK_HOOK_N
};

/* Namespaces in a fixed order; the index is the type. */
enum husk_ns_type {
	HUSK_NS_PID,
	HUSK_NS_NETWORK,
	HUSK_NS_MOUNT,
	HUSK_NS_IPC,
	HUSK_NS_UTS,
	HUSK_NS_USER,
	HUSK_NS_CGROUP,
	HUSK_NS_TIME,
	HUSK_NS_N
};

struct husk_namespace {
	bool present; /* listed in linux.namespaces */
	char *path;   /* join this one instead of making a new one */
};

struct husk_device {
	char *type; /* "c", "u", "b", "p" */
	char *path; /* required, absolute */
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

struct husk_device_rule {
	bool allow;
	char *type; /* NULL = "a" */
	bool has_major, has_minor;
	int64_t major, minor;
	char *access; /* NULL = "rwm" */
};

struct husk_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
	int64_t limit, reservation, swap, kernel, kernel_tcp;
	uint64_t swappiness;
	bool has_disable_oom_killer, disable_oom_killer;
	bool has_use_hierarchy, use_hierarchy;
	bool has_check_before_update, check_before_update;
};

struct husk_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
	    has_realtime_period, has_idle;
	uint64_t shares, period, realtime_period, burst;
	int64_t quota, realtime_runtime, idle;
	char *cpus, *mems;
};

struct husk_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct husk_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct husk_throttle_list {
	struct husk_throttle_device *v;
	size_t n;
};

struct husk_blkio {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct husk_weight_device *weight_device;
	size_t n_weight_device;
	struct husk_throttle_list throttle_read_bps, throttle_write_bps, throttle_read_iops,
	    throttle_write_iops;
};

struct husk_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct husk_net_priority {
	char *name;
	uint32_t priority;
};

struct husk_rdma {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct husk_kv {
	char *key, *value;
};

struct husk_resources {
	struct husk_device_rule *devices;
	size_t n_devices;
	bool has_memory;
	struct husk_memory memory;
	bool has_cpu;
	struct husk_cpu cpu;
	bool has_pids, has_pids_limit;
	int64_t pids_limit;
	bool has_blkio;
	struct husk_blkio blkio;
	struct husk_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_network, has_class_id;
	uint32_t class_id;
	struct husk_net_priority *net_priorities;
	size_t n_net_priorities;
	struct husk_rdma *rdma;
	size_t n_rdma;
	struct husk_kv *unified;
	size_t n_unified;
};

enum husk_seccomp_op {
	HUSK_SCMP_CMP_NE,
	HUSK_SCMP_CMP_LT,
	HUSK_SCMP_CMP_LE,
	HUSK_SCMP_CMP_EQ,
	HUSK_SCMP_CMP_GE,
	HUSK_SCMP_CMP_GT,
	HUSK_SCMP_CMP_MASKED_EQ,
};

struct husk_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	enum husk_seccomp_op op;
};

struct husk_seccomp_syscall {
	char **names; /* required, non-empty */
	char *action; /* required, e.g. "SCMP_ACT_ERRNO" */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct husk_seccomp_arg *args;
	size_t n_args;
};

struct husk_seccomp {
	char *default_action; /* required */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	char **flags;
	char *listener_path;
	char *listener_metadata;
	struct husk_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct husk_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct husk_intel_rdt {
	char *clos_id, *l3_cache_schema, *mem_bw_schema;
	char **schemata;
	bool enable_monitoring;
};

struct husk_memory_policy {
	char *mode; /* MPOL_* */
	char *nodes;
	char **flags;
};

struct husk_net_device {
	char *host_name; /* the key of linux.netDevices */
	char *name;	 /* name inside the container (defaults to host_name) */
};

struct husk_linux {
	struct husk_namespace namespaces[HUSK_NS_N];
	struct husk_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct husk_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct husk_time_offset time_offsets[2]; /* [0] monotonic, [1] boottime */
	struct husk_device *devices;
	size_t n_devices;
	struct husk_net_device *net_devices;
	size_t n_net_devices;
	char *cgroups_path;
	bool has_resources;
	struct husk_resources resources;
	char *rootfs_propagation; /* "shared", "slave", "private", "unbindable", r* variants */
	bool has_seccomp;
	struct husk_seccomp seccomp;
	struct husk_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	bool has_personality;
	char *personality_domain; /* "LINUX" | "LINUX32" */
	char **personality_flags;
	bool has_intel_rdt;
	struct husk_intel_rdt intel_rdt;
	bool has_memory_policy;
	struct husk_memory_policy memory_policy;
};

struct husk_spec {
	char *oci_version; /* required */
	char *root_path;   /* required on Linux (may be relative to the bundle) */
	bool root_readonly;
	struct husk_mount *mounts;
	size_t n_mounts;
	bool has_process;
	struct husk_process process;
	char *hostname, *domainname;
	struct husk_hook_list hooks[HUSK_HOOK_N];
	struct husk_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	struct husk_linux linux_;
};

/* ---- parser (spec/parse*.c) ---- */

/*
 * Parse config.json text.  `file` names the file in error messages
 * ("config.json: linux.namespaces[2].type: unknown namespace `foo`").
 * On success *out is a new spec (free with husk_spec_free).
 */
int husk_spec_parse(const char *json, size_t len, const char *file, struct husk_spec **out,
		    struct husk_error *err);
void husk_spec_free(struct husk_spec *spec);
static inline void husk_spec_freep(struct husk_spec **s)
{
	husk_spec_free(*s);
}
#define cleanup_spec __attribute__((cleanup(husk_spec_freep)))

/*
 * Semantic checks that need the whole spec (impossible combinations): e.g. a
 * user namespace path together with uidMappings.  Called by husk_spec_parse.
 * `for_create`: also require what create needs (process.args...).
 */
int husk_spec_validate(const struct husk_spec *spec, const char *file, struct husk_error *err);
/* process.args has at least one entry: "<file>: <prefix>args: must not be empty" otherwise. */
int husk_args_check(char *const *args, const char *file, const char *prefix,
		    struct husk_error *err);

/* Parse a process.json (exec --process) into a husk_process. */
int husk_process_parse(const char *json, size_t len, const char *file, struct husk_process *out,
		       struct husk_error *err);
void husk_process_clear(struct husk_process *p);

/* Parse a LinuxResources JSON (update -r) */
int husk_resources_parse(const char *json, size_t len, const char *file, struct husk_resources *out,
			 struct husk_error *err);
void husk_resources_clear(struct husk_resources *r);
/* The checks between fields the parser makes (memory.swap >= memory.limit, cpu.shares). */
int husk_resources_check(const struct husk_resources *r, const char *file, struct husk_error *err);

/*
 * The public update API's resources (husk/husk.h, opaque there): a
 * linux.resources read from a file or built field by field
 * (spec/update-resources.c), and the name of where it came from for errors
 * ("update options", the file's path, "stdin").
 */
struct husk_update_resources {
	struct husk_resources r;
	char *source;
};

/* ---- tables shared with features.c and the executors ---- */
/* Capabilities (caps-table.c): number of "CAP_CHOWN" ... (-1: unknown), name of a number. */
int husk_cap_from_name(const char *name);
const char *husk_cap_name(int cap);
int husk_cap_last(void);			   /* highest cap in the table */
const char *husk_ns_name(enum husk_ns_type t);	   /* "pid", "network", ... */
int husk_ns_clone_flag(enum husk_ns_type t);	   /* CLONE_NEWPID ... */
const char *husk_hook_name(enum husk_hook_kind k); /* "prestart" ... */

/* ---- mount options (spec/mountopts.c): config.md's table, sorted by name ---- */

enum husk_mount_opt_kind {
	/* mount(2) flags: set `flags` (or clear them when `clear`); bind = MS_BIND,
	 * rbind = MS_BIND|MS_REC, remount = MS_REMOUNT, defaults = 0 */
	HUSK_MOUNT_OPT_FLAG,
	/* propagation: `flags` is MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (| MS_REC) */
	HUSK_MOUNT_OPT_PROPAGATION,
	/*
	 * r* options, applied with mount_setattr(AT_RECURSIVE).  Accumulate in order:
	 *   set = (set & ~o->attr_clr) | o->attr_set;  clr = (clr & ~o->attr_set) | o->attr_clr;
	 * atime ones carry attr_clr = MOUNT_ATTR__ATIME and the new mode in attr_set
	 * (the kernel's rule for changing atime); `clear` marks the ones that only
	 * clear an attribute (rrw, rsuid, rdev, rexec, rdiratime, rsymfollow).
	 */
	HUSK_MOUNT_OPT_RECURSIVE,
	/* idmap / ridmap: MOUNT_ATTR_IDMAP in attr_set; `recursive` for ridmap */
	HUSK_MOUNT_OPT_IDMAP,
	/* tmpcopyup: copy the underlying directory's content into the new tmpfs */
	HUSK_MOUNT_OPT_TMPCOPYUP,
};

struct husk_mount_opt {
	const char *name;
	enum husk_mount_opt_kind kind;
	bool clear;		     /* FLAG: clear `flags` instead of setting them */
	bool recursive;		     /* IDMAP: ridmap */
	unsigned long flags;	     /* FLAG, PROPAGATION: MS_* */
	uint64_t attr_set, attr_clr; /* RECURSIVE, IDMAP: MOUNT_ATTR_* */
};

extern const struct husk_mount_opt husk_mount_opts[];
extern const size_t husk_n_mount_opts;
/* The table entry for an option name, NULL if it is not one (filesystem data). */
const struct husk_mount_opt *husk_mount_opt_find(const char *name);

/* ---- additions (parser helper) ---- */

/*
 * The text given to husk_spec_parse, husk_process_parse and
 * husk_resources_parse must be NUL-terminated at json[len] (read_file_at and
 * strlen give that): yajl reads up to the NUL.  A NUL byte inside
 * [0, len) is an error.  husk_resources_parse/husk_process_parse name the file
 * "resources.json"/"process.json" when `file` is NULL.
 */

/* "pid" -> HUSK_NS_PID; -1 if unknown */
int husk_ns_from_name(const char *name);

/* Name tables of the spec's enums (spec/tables.c), used by the parser and features.c. */
struct husk_name_value {
	const char *name;
	int64_t value;
};
struct husk_table {
	const struct husk_name_value *v;
	size_t n;
};
extern const struct husk_table husk_rlimit_table;	  /* RLIMIT_* -> resource number */
extern const struct husk_table husk_sched_policy_table;	  /* SCHED_* -> policy */
extern const struct husk_table husk_sched_flag_table;	  /* SCHED_FLAG_* -> bit */
extern const struct husk_table husk_ioprio_class_table;	  /* IOPRIO_CLASS_* -> class */
extern const struct husk_table husk_personality_table;	  /* LINUX, LINUX32 -> PER_* */
extern const struct husk_table husk_propagation_table;	  /* rootfsPropagation -> MS_* */
extern const struct husk_table husk_seccomp_action_table; /* -> SECCOMP_RET_* */
extern const struct husk_table husk_seccomp_arch_table;	  /* -> AUDIT_ARCH_* */
extern const struct husk_table husk_seccomp_op_table;	  /* -> enum husk_seccomp_op */
extern const struct husk_table husk_seccomp_flag_table;	  /* -> SECCOMP_FILTER_FLAG_* */
extern const struct husk_table husk_mpol_mode_table;	  /* MPOL_* -> mode */
extern const struct husk_table husk_mpol_flag_table;	  /* MPOL_F_* -> flag */
const struct husk_name_value *husk_table_find(const struct husk_table *t, const char *name);

void husk_kv_free(struct husk_kv *v, size_t n);

/*
 * Reject fields husk parses but does not apply yet, naming the JSON path:
 * "config.json: linux.intelRdt: not supported yet".  Also what create needs:
 * process.args non-empty when process is present.  The list is unsupported[]
 * in spec/validate.c: drop a path from it once husk applies the field.
 */
int husk_spec_check_supported(const struct husk_spec *spec, const char *file,
			      struct husk_error *err);
/*
 * The same for exec's process.json: non-empty args, no field husk does not
 * apply yet ("process.json: apparmorProfile: not supported yet").
 */
int husk_process_check_supported(const struct husk_process *p, const char *file,
				 struct husk_error *err);
/*
 * Whether husk applies a field, by its JSON path without indexes
 * ("linux.seccomp", "process.apparmorProfile", "mounts.uidMappings"): the
 * list husk_spec_check_supported() uses, for features.c.
 */
bool husk_spec_field_supported(const char *path);

#endif
