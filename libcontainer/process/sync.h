/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parent <-> init protocol over one SOCK_SEQPACKET socketpair.  Each
 * message is a struct husk_sync header followed by an optional payload (a
 * message text for errors, a state JSON for hooks).
 */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"

enum husk_sync_type {
	SYNC_NS_READY = 1, /* init -> parent: namespaces made; write maps, place in cgroups */
	SYNC_GO,	   /* parent -> init: go on; payload: state JSON for hooks (optional) */
	SYNC_HOOKS,	   /* init -> parent: mounts done, run prestart/createRuntime now */
	SYNC_HOOKS_DONE,   /* parent -> init */
	SYNC_READY,	   /* init -> parent: all set up, blocking until start */
	SYNC_ERROR,	   /* either way: errno + message */
	SYNC_SECCOMP,	   /* init -> parent: payload: the fd number of the seccomp notify fd */
	SYNC_SECCOMP_DONE, /* parent -> init: the listener has the fd */
	/*
	 * create, once the state says "created": parent -> init "you are on
	 * your own" (stop dying with the creator), and init -> parent, done.
	 */
	SYNC_HANDOVER,
	/*
	 * parent -> init, in a user namespace: a bind source the parent opened
	 * in the init's mount namespace (payload: the mounts[] index; the fd
	 * attached), then SYNC_MOUNT_SOURCES_DONE
	 */
	SYNC_MOUNT_SOURCE,
	SYNC_MOUNT_SOURCES_DONE,
};

struct husk_sync {
	uint32_t type;
	int32_t status; /* errno for SYNC_ERROR */
};

int husk_sync_send(int fd, enum husk_sync_type type, const char *payload, struct husk_error *err);
/*
 * The same with write(2): for the init once its seccomp filter is loaded, since
 * a profile may notify sendmsg but never write (runc refuses that).
 */
int husk_sync_write(int fd, enum husk_sync_type type, const char *payload, struct husk_error *err);
/* Send an error (the init's way of reporting failure); never fails loudly. */
void husk_sync_send_error(int fd, const struct husk_error *e);
/*
 * Receive one message, which must be `want`; SYNC_ERROR becomes *err with the
 * peer's message.  EOF (the peer died) is an error too.  *payload (optional)
 * gets a malloc'd payload or NULL.
 */
int husk_sync_recv(int fd, enum husk_sync_type want, char **payload, struct husk_error *err);
/* husk_sync_send with `passed` attached (SCM_RIGHTS). */
int husk_sync_send_fd(int fd, enum husk_sync_type type, const char *payload, int passed,
		      struct husk_error *err);
/*
 * Receive one message of type `want` or `alt` (*type says which), with the
 * fd it carries in *passed (close-on-exec; -1 if none) and its payload.
 */
int husk_sync_recv_fd(int fd, enum husk_sync_type want, enum husk_sync_type alt, uint32_t *type,
		      char **payload, int *passed, struct husk_error *err);

#endif
