/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-notify relay (state/notify.c): with NOTIFY_SOCKET in husk's
 * environment (husk_ctx.notify_socket), create/run bind-mount
 * <state>/notify into the container at /run/notify and point the process's
 * NOTIFY_SOCKET at /run/notify/notify.sock; start/run bind that socket and
 * relay the container's READY=1 datagram, with MAINPID, to the caller's
 * socket (runc's notify_socket.go).
 */
#ifndef HUSK_NOTIFY_H
#define HUSK_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/husk.h"
#include "spec/spec.h"

#define HUSK_NOTIFY_DIR "notify" /* in the state dir */
#define HUSK_NOTIFY_SOCK "notify.sock"
#define HUSK_NOTIFY_MOUNT "/run/notify" /* where the container sees it */

struct husk_notify {
	const struct husk_ctx *ctx; /* warnings */
	const char *id;
	int host_fd;   /* connected to the caller's NOTIFY_SOCKET */
	int listen_fd; /* <state>/notify/notify.sock; -1 once READY=1 is relayed */
};

void husk_notify_init(struct husk_notify *n, const struct husk_ctx *ctx, const char *id);
void husk_notify_clear(struct husk_notify *n);
static inline void husk_notify_clearp(struct husk_notify *n)
{
	husk_notify_clear(n);
}
#define cleanup_notify __attribute__((cleanup(husk_notify_clearp)))

/* The caller's NOTIFY_SOCKET: an absolute path or an abstract "@name" that fits sun_path. */
int husk_notify_check(const char *host, struct husk_error *err);
/*
 * create/run, with ctx->notify_socket set (else they do nothing): check it;
 * append the bind mount of <root>/<id>/notify on /run/notify (runc's
 * options: nosuid, noexec, nodev, ro) to the spec's mounts, and replace
 * NOTIFY_SOCKET in process.env by the container's path.
 */
int husk_notify_setup_spec(const struct husk_ctx *ctx, struct husk_spec *s, const char *id,
			   struct husk_error *err);
/* create/run, with ctx->notify_socket set: make <state>/notify (0755), the mount's source. */
int husk_notify_make_dir(const struct husk_ctx *ctx, int state_dir_fd, struct husk_error *err);
/*
 * start/run: connect to the caller's socket and bind <state>/notify/notify.sock.
 * Returns 1 when set up, 0 when the container was created without
 * NOTIFY_SOCKET (no notify dir: a warning, nothing to relay).
 */
int husk_notify_open(struct husk_notify *n, int state_dir_fd, struct husk_error *err);
/*
 * One readable datagram on listen_fd: a READY=1 one is relayed with
 * MAINPID=mainpid (then listen_fd is closed: returns 1); any other is
 * dropped (0), as runc drops them.
 */
int husk_notify_handle(struct husk_notify *n, pid_t mainpid);
/*
 * start and run --detach: wait until the container sends READY=1 (relayed
 * with MAINPID=mainpid) or its init exits (pidfd readable, or with pidfd -1
 * one opened for mainpid, a child of ours: a warning); no timeout, as runc
 * (the caller's, e.g. systemd's TimeoutStartSec, applies).
 */
int husk_notify_wait(struct husk_notify *n, int pidfd, pid_t mainpid, struct husk_error *err);

#endif
