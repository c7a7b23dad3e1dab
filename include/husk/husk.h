/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libhusk: the public API of husk's libcontainer.  This is the only header
 * src/ includes.  Every function returns >= 0 on success, or -1 with *err
 * filled (see husk/error.h).
 */
#ifndef HUSK_HUSK_H
#define HUSK_HUSK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "husk/error.h"

#define HUSK_DEFAULT_ROOT "/run/husk"

/* Global options, shared by every command. */
/* --rootless: runc's rules (husk_rootless says what auto resolves to) */
enum husk_rootless_mode {
	HUSK_ROOTLESS_AUTO = 0,
	HUSK_ROOTLESS_TRUE,
	HUSK_ROOTLESS_FALSE,
};

struct husk_ctx {
	const char *root;		  /* state root, default HUSK_DEFAULT_ROOT */
	bool systemd_cgroup;		  /* --systemd-cgroup */
	enum husk_rootless_mode rootless; /* --rootless */
	bool debug;			  /* --debug */
	/*
	 * Warnings: what failed but did not stop the command (a failing
	 * poststop hook).  The library prints nothing: it calls warn (if set)
	 * with each message, without a prefix.
	 */
	void (*warn)(void *data, const char *msg);
	void *warn_data;
	/*
	 * The caller's NOTIFY_SOCKET (NULL: none): create/run give the container
	 * a socket of husk's own at /run/notify/notify.sock; start/run relay its
	 * READY=1 here, with MAINPID, and return once it came (or the init died).
	 */
	const char *notify_socket;
};

struct husk_create_opts {
	const char *bundle;	    /* default: cwd */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* NULL: none */
	int preserve_fds;	    /* extra fds 3..3+N-1 passed to the container */
	bool no_pivot;
	bool no_new_keyring;
	/* run only */
	bool detach;
	bool keep;
};

/* create: the init is left blocked until husk_start(). */
HUSK_EXPORT int husk_create(const struct husk_ctx *ctx, const char *id,
			    const struct husk_create_opts *opts, struct husk_error *err);
HUSK_EXPORT int husk_start(const struct husk_ctx *ctx, const char *id, struct husk_error *err);
/*
 * run = create + start.  Without opts->detach it waits for the init and
 * stores its exit status in *exit_status (128+N when killed by signal N), then
 * deletes the container unless opts->keep.
 */
HUSK_EXPORT int husk_run(const struct husk_ctx *ctx, const char *id,
			 const struct husk_create_opts *opts, int *exit_status,
			 struct husk_error *err);
struct husk_plan_opts {
	const char *bundle; /* default: cwd */
	bool json;	    /* JSON, else text */
	const char *layout; /* cgroup layout to print for: "v1", "v2", "hybrid"; NULL: the host's */
};
/*
 * husk plan: what create would do (namespaces, mounts, cgroup files,
 * capabilities, seccomp, hooks, rlimits, process), as text or JSON in *out
 * (malloc'd).  Fails with create's error for an invalid config.  Makes
 * nothing: no state dir, no cgroup.
 */
HUSK_EXPORT int husk_plan_show(const struct husk_ctx *ctx, const char *id,
			       const struct husk_plan_opts *opts, char **out,
			       struct husk_error *err);
/* The state as the spec's JSON (plus runc's rootfs, created, owner), pretty-printed. */
HUSK_EXPORT int husk_state_json(const struct husk_ctx *ctx, const char *id, char **json,
				struct husk_error *err);

struct husk_container_info {
	char *id;
	pid_t pid;    /* 0 when stopped */
	char *status; /* creating, created, running, paused, stopped */
	char *bundle;
	char *created; /* RFC3339Nano */
	char *owner;   /* the state dir owner's user name (runc), "#UID" when it has none */
	char *rootfs;
};
HUSK_EXPORT int husk_list(const struct husk_ctx *ctx, struct husk_container_info **out, size_t *n,
			  struct husk_error *err);
HUSK_EXPORT void husk_container_info_free(struct husk_container_info *v, size_t n);
/* runc's `list --format json`: an array of objects on one line, without a newline (malloc'd). */
HUSK_EXPORT char *husk_list_json(const struct husk_container_info *v, size_t n);

/* Signal the init (or, with `all`, every process of the container's cgroup). */
HUSK_EXPORT int husk_kill(const struct husk_ctx *ctx, const char *id, int sig, bool all,
			  struct husk_error *err);
/* Refuses a running container unless `force` (then kills it and waits). */
HUSK_EXPORT int husk_delete(const struct husk_ctx *ctx, const char *id, bool force,
			    struct husk_error *err);

/* exec: run a new process in a running container (runc's exec flags). */
struct husk_exec_opts {
	const char *process_file;  /* --process: process.json; then args/env/cwd/user/caps flags are
				      ignored */
	char **args;		   /* the command (NULL-terminated) when no process file */
	char **env;		   /* --env KEY=VALUE, added to the container's env */
	const char *cwd;	   /* --cwd */
	const char *user;	   /* --user uid[:gid] */
	char **additional_gids;	   /* --additional-gids, decimal */
	char **caps;		   /* --cap CAP_X, added to the container's sets */
	bool no_new_privs;	   /* --no-new-privs */
	const char *apparmor;	   /* --apparmor */
	const char *process_label; /* --process-label */
	bool tty;		   /* --tty */
	bool detach;		   /* --detach */
	const char *pid_file;	   /* --pid-file */
	const char *console_socket;
	int preserve_fds;
	bool ignore_paused;
	char **sub_cgroups; /* --cgroup [controller[,controller...]:]path, runc 1.1's */
};
/* Without detach, waits and stores the process's exit status (128+N if killed by N). */
HUSK_EXPORT int husk_exec(const struct husk_ctx *ctx, const char *id,
			  const struct husk_exec_opts *opts, int *exit_status,
			  struct husk_error *err);

/* pause/resume: freeze and thaw the container's cgroup. */
HUSK_EXPORT int husk_pause(const struct husk_ctx *ctx, const char *id, struct husk_error *err);
HUSK_EXPORT int husk_resume(const struct husk_ctx *ctx, const char *id, struct husk_error *err);
/* The host pids of every process of the container (malloc'd; none when stopped). */
HUSK_EXPORT int husk_ps(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n,
			struct husk_error *err);
/*
 * update: the resources to apply, opaque (the spec's linux.resources).
 * husk_update_resources_read: a LinuxResources JSON object from the file
 * `path` ("-": stdin), checked as config.json's linux.resources is; with
 * path NULL, an empty set that husk_update_resources_set fills.
 */
struct husk_update_resources;
HUSK_EXPORT struct husk_update_resources *husk_update_resources_read(const char *path,
								     struct husk_error *err);
/* The fields `husk update`'s options set (runc's), by their JSON names. */
enum husk_update_field {
	HUSK_UPDATE_MEMORY_LIMIT,	/* memory.limit */
	HUSK_UPDATE_MEMORY_RESERVATION, /* memory.reservation */
	HUSK_UPDATE_MEMORY_SWAP,	/* memory.swap */
	HUSK_UPDATE_CPU_SHARES,		/* cpu.shares */
	HUSK_UPDATE_CPU_QUOTA,		/* cpu.quota */
	HUSK_UPDATE_CPU_PERIOD,		/* cpu.period */
	HUSK_UPDATE_CPU_RT_RUNTIME,	/* cpu.realtimeRuntime */
	HUSK_UPDATE_CPU_RT_PERIOD,	/* cpu.realtimePeriod */
	HUSK_UPDATE_CPU_IDLE,		/* cpu.idle */
	HUSK_UPDATE_CPU_BURST,		/* cpu.burst */
	HUSK_UPDATE_CPUSET_CPUS,	/* cpu.cpus (a string) */
	HUSK_UPDATE_CPUSET_MEMS,	/* cpu.mems (a string) */
	HUSK_UPDATE_PIDS_LIMIT,		/* pids.limit */
	HUSK_UPDATE_BLKIO_WEIGHT,	/* blockIO.weight */
	HUSK_UPDATE_MEMORY_KERNEL_TCP,	/* memory.kernelTCP */
};
/* Set one field: `num` for numbers (range-checked as the JSON field), `str` for strings. */
HUSK_EXPORT int husk_update_resources_set(struct husk_update_resources *u,
					  enum husk_update_field field, long long num,
					  const char *str, struct husk_error *err);
HUSK_EXPORT void husk_update_resources_free(struct husk_update_resources *u);
/* Apply resources to a container's cgroup (fields not set are left as they are). */
HUSK_EXPORT int husk_update(const struct husk_ctx *ctx, const char *id,
			    const struct husk_update_resources *res, struct husk_error *err);

/*
 * events: runc's event lines (types/events.go), one JSON object each,
 * without a newline.  husk_events_stats: one {"type":"stats",...} line
 * (malloc'd) for a running, created or paused container.
 */
HUSK_EXPORT int husk_events_stats(const struct husk_ctx *ctx, const char *id, char **json,
				  struct husk_error *err);
/* Called with each event line; a return < 0 (with *err filled) stops the watch. */
typedef int (*husk_event_fn)(const char *json, void *data, struct husk_error *err);
/*
 * Watch a container: a stats line every `interval_ns` (the first after one
 * interval, as runc) and an {"type":"oom",...} line for each OOM of its
 * memory cgroup, until the container stops (returns 0), `fn` fails or an
 * error occurs (-1).
 */
HUSK_EXPORT int husk_events_watch(const struct husk_ctx *ctx, const char *id,
				  unsigned long long interval_ns, husk_event_fn fn, void *data,
				  struct husk_error *err);

/*
 * `husk spec`: the default config.json text (malloc'd); `cgroupns` adds the
 * cgroup namespace (runc: on a pure cgroup v2 host only).
 */
HUSK_EXPORT char *husk_spec_template(bool rootless, bool cgroupns);
/* The host is pure cgroup v2 (/sys/fs/cgroup is cgroup2): runc's IsCgroup2UnifiedMode. */
HUSK_EXPORT bool husk_cgroup_host_unified(void);
/* `husk features`: the spec's features JSON (malloc'd), from the code's tables. */
HUSK_EXPORT char *husk_features_json(void);
/*
 * One log record, stamped now, ending with a newline (malloc'd), in logrus's
 * forms that containerd and podman read: `json`
 * {"level":"<level>","msg":"<msg>","time":"<RFC 3339>"}, else the text
 * time="<RFC 3339>" level=<level> msg="<msg>".
 */
HUSK_EXPORT char *husk_log_line(bool json, const char *level, const char *msg);
/* Write all of data[0..len) to fd, retrying short writes and EINTR; -1 with errno. */
HUSK_EXPORT int husk_write_all(int fd, const void *data, size_t len);

/*
 * Rootless cgroup handling (runc 1.1's shouldUseRootlessCgroupManager):
 * true or false as --rootless says; auto is true when the effective uid is
 * not 0, or when running in a user namespace that does not map the whole
 * uid range (or Podman's _CONTAINERS_USERNS_CONFIGURED is set).
 */
HUSK_EXPORT bool husk_rootless(const struct husk_ctx *ctx);
/*
 * runc's shouldHonorXDGRuntimeDir: the default state root is
 * $XDG_RUNTIME_DIR/husk (set, non-empty) for a non-root euid, or for euid 0
 * in a user namespace when $USER is not "root"; else HUSK_DEFAULT_ROOT.
 */
HUSK_EXPORT bool husk_rootless_xdg_root(void);

/* Version strings. */
HUSK_EXPORT const char *husk_version(void);	 /* "0.1.0" */
HUSK_EXPORT const char *husk_commit(void);	 /* git commit or "unknown" */
HUSK_EXPORT const char *husk_spec_version(void); /* "1.3.0" */
/* NULL-terminated list of compiled-in features ("seccomp", "selinux", ...). */
HUSK_EXPORT const char *const *husk_build_features(void);

/*
 * CVE-2019-5736: call first thing in the commands that start processes in a
 * container (create, run, exec), with main's argv.  Returns 0 when the
 * running binary can't be written through /proc/<pid>/exe (it is on a
 * read-only mount, or a sealed memfd); otherwise re-execs from a detached
 * read-only bind mount of itself, or else from a sealed memfd copy, with the
 * same argv, environment, fds and pid, and returns only on failure (-1):
 * the command must then not run.
 */
HUSK_EXPORT int husk_selfexe_protect(char *const argv[], struct husk_error *err);

/* Validate a container id: [A-Za-z0-9_.+-], no "..", <= 1024 bytes. */
HUSK_EXPORT int husk_id_validate(const char *id, struct husk_error *err);

#endif
