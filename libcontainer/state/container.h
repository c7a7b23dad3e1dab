/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container handle every verb opens (container.c), and what the parent
 * hands the container's init (a forked child, no re-exec).
 */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <signal.h>
#include <stdint.h>
#include <stdbool.h>

#include "husk/husk.h"
#include "spec/spec.h"
#include "process/pipeline.h"
#include "process/process.h"
#include "state/state.h"

struct husk_cgroup;

/*
 * One container, as a verb sees it: its state, its status derived once at
 * open, and what is loaded only when asked for (the config frozen at create,
 * the cgroup).  Opened by husk_container_open, freed by cleanup_container.
 */
struct husk_container {
	const struct husk_ctx *ctx;
	struct husk_store st;
	struct husk_state s;	 /* as stored */
	enum husk_status status; /* derived at open (husk_container_refresh again) */
	struct husk_spec *spec;	 /* husk_container_spec */
	struct husk_cgroup *cg;	 /* husk_container_cgroup */
};

enum husk_open_flags {
	HUSK_OPEN_LOCK = 1 << 0,     /* flock the state dir: verbs that change the container */
	HUSK_OPEN_NOFREEZE = 1 << 1, /* don't ask the freezer: a paused one reads as stored */
};

/* "container `x` does not exist" (ENOENT) when there is none. */
int husk_container_open(const struct husk_ctx *ctx, const char *id, unsigned flags,
			struct husk_container **out, struct husk_error *err);
void husk_container_close(struct husk_container *c);
static inline void husk_container_closep(struct husk_container **c)
{
	husk_container_close(*c);
}
#define cleanup_container __attribute__((cleanup(husk_container_closep)))
/* Derive the status again (the init may have exited since). */
enum husk_status husk_container_refresh(struct husk_container *c);
/* The config frozen at create, read once (NULL with *err on failure). */
const struct husk_spec *husk_container_spec(struct husk_container *c, struct husk_error *err);
/* The container's cgroup, loaded once; "has no cgroup" (ENOENT) when it has none. */
struct husk_cgroup *husk_container_cgroup(struct husk_container *c, struct husk_error *err);

/* What a verb may do in each status (youki's ContainerStatus rules). */
bool husk_status_can_start(enum husk_status s);
bool husk_status_can_kill(enum husk_status s);
bool husk_status_can_delete(enum husk_status s);
/* A paused container only with --ignore-paused, which the caller checks. */
bool husk_status_can_exec(enum husk_status s);
bool husk_status_can_pause(enum husk_status s);
bool husk_status_can_resume(enum husk_status s);
bool husk_status_can_update(enum husk_status s);

struct husk_rootfs_prep;

struct husk_plan;

/*
 * What create hands its init (a forked child): the namespaces and rootfs
 * to make, then ch, the child side it shares with exec (process/child.c).
 */
struct husk_launch {
	const struct husk_spec *spec;
	const struct husk_plan *plan; /* resolved: the init applies it */
	const char *id;
	const char *rootfs; /* absolute */
	const char *bundle; /* absolute; relative mount sources start here */
	bool no_pivot, no_new_keyring;
	int start_fd;  /* read end of the start pipe: start writes one byte */
	int start_wfd; /* its write end, kept for `start` to fetch (pidfd_getfd) */
	/*
	 * create: after "ready" the init waits for SYNC_HANDOVER (the state says
	 * "created") before it stops dying with its creator.  run (false): the
	 * start byte is the handover, and the init does not keep start_wfd, so
	 * that the start socket reads EOF if `run` dies first.
	 */
	bool handover;
	int lock_fd;	/* the state dir fd holding create's flock: the init closes it first */
	int console_fd; /* connected console socket, or -1 */
	int join_fds[HUSK_NS_N]; /* namespaces the init joins itself (setns), -1 if none */
	int unshare_flags;	 /* namespaces the init makes itself (unshare) */
	bool cgroupns_late;	 /* unshare the cgroup ns after the parent placed us */
	bool new_userns;
	struct husk_rootfs_prep *prep; /* what the parent made for a user namespace, or NULL */
	/*
	 * The process (sync_fd: the init's end of the sync socketpair; env:
	 * process.env plus LISTEN_FDS/LISTEN_PID when passed on; mask: the
	 * caller's; seccomp: compiled by the parent, loaded by the init).
	 */
	struct husk_child ch;
};

/* init.c: runs in the child; never returns. */
__attribute__((noreturn)) void husk_init_main(struct husk_launch *l);

/* create.c */
int husk_write_pid_file(const char *path, pid_t pid, struct husk_error *err);
/*
 * create's checks up to the plan, with no side effect (husk plan): the id,
 * the bundle, config.json parsed and supported, root.path, process.  Fills
 * *out (free its members) or fails with create's error.
 */
struct husk_create_checked {
	struct husk_spec *spec;
	char *bundle, *rootfs;
};
int husk_create_check(const struct husk_ctx *ctx, const char *id, const char *bundle,
		      struct husk_create_checked *out, struct husk_error *err);
/*
 * fds from .. from+n-1 must be ones the caller passed (open, not
 * close-on-exec: every fd husk opens is); `what` names the option.
 */
int husk_check_passed_fds(int from, int n, const char *what, struct husk_error *err);

#endif
