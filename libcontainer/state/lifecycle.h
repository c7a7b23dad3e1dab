/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_LIFECYCLE_H
#define HUSK_LIFECYCLE_H

#include "husk/husk.h"
#include "spec/spec.h"
#include "state/state.h"

struct husk_cgroup;

/*
 * Start a created container (the caller checked that it is): `wfd` is the
 * start pipe's write end when the caller holds it (run), else -1 (fetched
 * from the init).  `spec` may be NULL: then the poststart hooks, if any, are
 * read from the config frozen in the state dir.
 */
int husk_start_created(const struct husk_ctx *ctx, struct husk_store *st, struct husk_state *s,
		       const struct husk_spec *spec, int wfd, struct husk_error *err);
/*
 * Kill what is left, remove the cgroup, run poststop hooks (from `spec`, or
 * NULL: the frozen config; a failing one is a warning to ctx), remove the
 * state.
 */
int husk_destroy(const struct husk_ctx *ctx, struct husk_store *st, struct husk_state *s,
		 const struct husk_spec *spec, struct husk_cgroup *cg, struct husk_error *err);

/* A pidfd for the init checked against its start time; -1 if gone, -2 alive but no pidfd. */
int husk_open_init(const struct husk_state *s);

/* run-wait.c */
int husk_recv_fd(int sock, struct husk_error *err);
struct husk_notify;
/*
 * Wait for the init, forwarding signals; with master >= 0 relay stdio to that
 * pty; with `ntf` (NULL: none) relay READY=1 with MAINPID=ours (runc's run).
 */
int husk_run_wait(pid_t pid, int master, struct husk_notify *ntf, int *status,
		  struct husk_error *err);

#endif
