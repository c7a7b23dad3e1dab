/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one process pipeline of create (the container's init) and exec (a
 * new process in a running container):
 *
 *   parent (spawn.c)                        child (child.c)
 *   husk_spawn_open: console socket,        init: namespaces + rootfs, then
 *     sync socketpair                       exec: setns + chroot, then
 *   husk_spawn_clone: enter the pid/time    husk_child_setup: cwd, env with HOME,
 *     ns, execCPUAffinity.initial, clone3     rlimits, scheduler, fds, privilege
 *     into the cgroup, back to ours           drop, program lookup
 *   husk_spawn_pass_notify / wait_exec:     husk_child_exec: execCPUAffinity.final,
 *     seccomp notify fd to listenerPath,      LISTEN_PID, signal mask, seccomp,
 *     the child's errors                      execve
 *
 * Functions return 0 on success and -1 with *err filled on failure, unless
 * said otherwise.
 */
#ifndef HUSK_PROCESS_PIPELINE_H
#define HUSK_PROCESS_PIPELINE_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "spec/spec.h"

struct husk_cap_masks;
struct husk_seccomp_filter;

/* ---- spawn.c: the parent side ---- */

struct husk_spawn {
	/* set by the caller before husk_spawn_open */
	const char *console_socket; /* connected, and the child gets the connection */
	bool pty;		    /* a terminal without console socket: we get the master */
	/* set by the caller before husk_spawn_clone; spawn closes the fds */
	int pidns_fd, timens_fd;	      /* joined for the child only, or -1 */
	const char *pidns_path, *timens_path; /* their names in errors */
	const struct husk_linux *new_timens;  /* make a time namespace with its offsets */
	const cpu_set_t *cpus_initial;	      /* execCPUAffinity.initial, or NULL */
	size_t cpus_initial_size;
	const char *cpus_initial_what; /* its name in errors */
	const char *child_name;	       /* in errors: "container init", "exec process" */
	/* spawn's */
	int sync_fd;	     /* ours */
	int child_sync_fd;   /* the child's end: closed here once the child has it */
	int console_fd;	     /* the child's console connection (or pty socket end), or -1 */
	int pty_sock;	     /* ours: the pty master comes over it */
	int pty_master;	     /* husk_spawn_recv_pty */
	sigset_t child_mask; /* the caller's mask, restored by the child before execve */
	pid_t pid;
	bool into_cgroup; /* clone3 placed it in the cgroup (the v2 part) */
};

/* Every fd -1. */
void husk_spawn_init(struct husk_spawn *s);
/* Close what is still open (not the child). */
void husk_spawn_clear(struct husk_spawn *s);
/*
 * The console socket (or the pty socketpair) and the sync socketpair; the
 * child will restore `child_mask` (NULL: the mask we have now).
 */
int husk_spawn_open(struct husk_spawn *s, const sigset_t *child_mask, struct husk_error *err);
/*
 * Enter the pid and time namespaces for our children, take
 * execCPUAffinity.initial, clone (clone3 into `cgroup_fd` where it can, with
 * `flags`), and return to our own namespaces and affinity.  The child runs
 * child(arg) and never returns.  s->pid is the child.
 */
int husk_spawn_clone(struct husk_spawn *s, uint64_t flags, int cgroup_fd, void (*child)(void *arg),
		     void *arg, struct husk_error *err);
/*
 * The child sent SYNC_SECCOMP with the number of its seccomp notify fd in
 * `fdnum`: take it (pidfd_getfd), send it with `state` (the container's
 * state JSON) to linux.seccomp.listenerPath, and tell the child.
 */
int husk_spawn_pass_notify(struct husk_spawn *s, const char *fdnum, const char *state,
			   const struct husk_seccomp *sc, struct husk_error *err);
/*
 * Until the child has exec'd (its end of the sync socket closes): pass its
 * seccomp notify fd on (as above).  0 once it exec'd; -2 when it reported
 * an error (it exits by itself); -1 otherwise.
 */
int husk_spawn_wait_exec(struct husk_spawn *s, const char *state, const struct husk_seccomp *sc,
			 struct husk_error *err);
/* Receive the pty master (s->pty) into s->pty_master; 0 when there is none to get. */
int husk_spawn_recv_pty(struct husk_spawn *s, struct husk_error *err);
struct husk_plan;
struct husk_rootfs_prep;
/*
 * A user namespace: once the init has its mount namespace, open the bind
 * sources there (husk_rootfs_open_sources) and send them to the init, which
 * takes them into *prep with husk_spawn_recv_mount_sources (before SYNC_GO).
 */
int husk_spawn_send_mount_sources(struct husk_spawn *s, const struct husk_plan *plan,
				  struct husk_error *err);
int husk_spawn_recv_mount_sources(int sync_fd, struct husk_rootfs_prep *prep,
				  struct husk_error *err);
/* clone3 (into the cgroup dir fd when >= 0; *into_cgroup says if it was) with fallback to clone. */
pid_t husk_clone(uint64_t flags, int cgroup_fd, bool *into_cgroup);

/* ---- child.c: the child side ---- */

struct husk_child {
	const struct husk_process *p;
	char **env;		/* p->env (+ LISTEN_FDS); HOME added by husk_child_setup */
	int listen_pid_slot;	/* index in env of LISTEN_PID (set by husk_child_exec), or -1 */
	int sync_fd;		/* to the parent: errors, the seccomp notify fd */
	int console_fd;		/* exec: the terminal is set up here; the init's: -1 */
	int preserve_fds;	/* fds 3 .. 3+preserve_fds-1 reach the program */
	const char *cwd_origin; /* " set in config.json" or "" (errors) */
	bool oom_score_adj;	/* apply p->oomScoreAdj (the init only, as runc) */
	const struct husk_linux *personality; /* linux.personality (the init only), or NULL */
	const struct husk_cap_masks *caps;
	struct husk_seccomp_filter *seccomp; /* NULL once loaded */
	/*
	 * The init: a notify filter is loaded in husk_child_setup, while the
	 * creator is there to pass the fd on.  exec's parent waits until the
	 * execve, so exec loads it last.
	 */
	bool notify_early;
	const cpu_set_t *cpus_final; /* execCPUAffinity.final, or NULL */
	size_t cpus_final_size;
	sigset_t mask;	    /* restored before execve */
	bool pdeath;	    /* the init: dies with its creator (PR_SET_PDEATHSIG) */
	char *prog;	    /* the program found by husk_child_setup */
	bool lookup_failed; /* husk_child_setup failed to find it */
	bool exec_prepared; /* husk_child_exec_prepare done */
};

/*
 * Inside the container's root, all but the exec: cwd (checked to be inside
 * the root), env with HOME, terminal (console_fd), oom_score_adj, rlimits,
 * scheduler, ioprio, personality, every fd past the preserved ones
 * close-on-exec, privilege drop, program lookup, a notify seccomp filter
 * when notify_early.
 */
int husk_child_setup(struct husk_child *ch, struct husk_error *err);
/*
 * execCPUAffinity.final, LISTEN_PID, the signal mask, seccomp (if not yet
 * loaded): all but the execve, once (the init: before its startContainer
 * hooks, which run under the filter as with runc).
 */
int husk_child_exec_prepare(struct husk_child *ch, struct husk_error *err);
/*
 * husk_child_exec_prepare unless done, then execve.  Returns only on
 * failure, with the exit status to use.
 */
int husk_child_exec(struct husk_child *ch, struct husk_error *err);
/*
 * Close every fd from 3 on but the preserved ones (3 .. 3+preserve-1) and
 * `keep` (n of them, -1 ignored; none may be among the preserved);
 * `cloexec_rest`: mark the rest close-on-exec instead of closing it.  The
 * preserved ones lose close-on-exec.
 */
int husk_child_close_fds(int preserve, int *keep, size_t n, bool cloexec_rest,
			 struct husk_error *err);
/* The init dies with its creator while ch->pdeath: (re)arm after a credential change. */
void husk_child_watch(struct husk_child *ch);
/* ... and stops doing so (the handover; before a seccomp filter is loaded). */
void husk_child_unwatch(struct husk_child *ch);

/*
 * After chdir into the container, fail unless the cwd is inside its root
 * (CVE-2024-21626: a cwd reached through /proc/self/fd/N).
 */
int husk_verify_cwd(const char *cwd, struct husk_error *err);
/* Mark every fd from `from` on close-on-exec. */
void husk_cloexec_from(int from);
/*
 * Load the filter (*fp, then NULL: loaded once); with SCMP_ACT_NOTIFY rules,
 * hand the listener fd to the parent over `sync_fd` (husk_spawn_pass_notify).
 */
int husk_seccomp_load_sync(struct husk_seccomp_filter **fp, int sync_fd, struct husk_error *err);
/*
 * LSM exec labels, seccomp when it cannot wait (no no_new_privs), bounding
 * set, user and groups, capabilities, no_new_privs, in runc's order.
 */
int husk_drop_privileges(const struct husk_process *p, const struct husk_cap_masks *caps,
			 struct husk_seccomp_filter **seccomp, int sync_fd, struct husk_error *err);
/* Go's exec.LookPath with runc's messages. */
char *husk_find_executable(const char *name, char **env, struct husk_error *err);

#endif
