/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state store: <root>/<id>/state.json.  The directory's existence is the
 * container's existence (mkdir is the per-id create lock); state.json is
 * replaced atomically; mutating commands hold flock(LOCK_EX) on the dir.
 */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/husk.h"
#include "spec/spec.h"

/*
 * A container's status.  The store keeps creating, created or running; the
 * rest is derived (see husk_state_status).  The names exist only where the
 * status meets JSON or the user: husk_status_name and husk_status_parse, one
 * table in state.c.
 */
enum husk_status {
	HUSK_STATUS_CREATING,
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};
/* "creating", "created", "running", "paused", "stopped" */
const char *husk_status_name(enum husk_status s);
/* The status named `name`; -1 if none is. */
int husk_status_parse(const char *name, enum husk_status *out);

struct husk_state {
	char *id, *bundle, *rootfs, *created, *owner;
	enum husk_status status; /* stored: creating, created or running */
	pid_t pid;
	unsigned long long start_time; /* of the init, to survive pid reuse */
	/*
	 * While "creating": the husk process making it (and its start time).
	 * Once it is gone, a container still "creating" was abandoned half-made.
	 */
	pid_t creator_pid;
	unsigned long long creator_start_time;
	char *cgroup_path; /* resolved cgroup path, NULL if none */
	int start_fd;	   /* fd number, in the init, of the start pipe's write end */
	bool has_poststart, has_poststop; /* read the frozen config at start/delete only then */
	struct husk_kv *annotations;
	size_t n_annotations;
};

void husk_state_clear(struct husk_state *s);

/* spec/state-json.c (the JSON library stays in spec/) */
int husk_state_parse(const char *json, size_t len, struct husk_state *out, struct husk_error *err);
/*
 * The state as JSON with `status` (derived) and pid (0 if stopped).  `full`
 * adds husk's private fields (for state.json); `pretty` indents.
 */
char *husk_state_to_json(const struct husk_state *s, enum husk_status status, pid_t pid, bool full,
			 bool pretty);

/* The state root: --root, else HUSK_DEFAULT_ROOT (the one place the default is applied). */
static inline const char *husk_state_root(const struct husk_ctx *ctx)
{
	return ctx->root ? ctx->root : HUSK_DEFAULT_ROOT;
}

/* state.c */
struct husk_store {
	int root_fd; /* the state root */
	int dir_fd;  /* <root>/<id> */
	char *dir;   /* its path */
	char *id;
};
void husk_store_close(struct husk_store *st);
static inline void husk_store_closep(struct husk_store *st)
{
	husk_store_close(st);
}
#define cleanup_store __attribute__((cleanup(husk_store_closep)))

/*
 * Create <root>/<id> (0700) and lock it (flock LOCK_EX) until
 * husk_store_unlock or close; fails with "already exists" if it is there.
 */
int husk_store_create(const char *root, const char *id, struct husk_store *st,
		      struct husk_error *err);
void husk_store_unlock(struct husk_store *st);
/* Open an existing container ("container `x` does not exist" otherwise); lock = flock EX. */
int husk_store_open(const char *root, const char *id, bool lock, struct husk_store *st,
		    struct husk_error *err);
int husk_store_write(struct husk_store *st, const struct husk_state *s, struct husk_error *err);
/* Read state.json; a dir without it (a create in flight) gives status creating. */
int husk_store_read(struct husk_store *st, struct husk_state *s, struct husk_error *err);
/*
 * The config frozen at create: <root>/<id>/config.json, the exact bytes
 * create parsed (0600, written atomically before the first state.json).
 * start, exec and delete read it instead of the bundle, which may be gone.
 */
int husk_store_write_config(struct husk_store *st, const char *json, size_t len,
			    struct husk_error *err);
int husk_store_read_config(struct husk_store *st, struct husk_spec **out, struct husk_error *err);
/* Remove the state dir and everything in it. */
int husk_store_remove(struct husk_store *st, struct husk_error *err);

/*
 * The live status, without asking the freezer (husk_container_open does):
 * creating while its creator lives (a stored creating whose creator is gone
 * was abandoned: stopped); stopped when the init is gone or its start time
 * differs; else the stored one.
 */
enum husk_status husk_state_status(const struct husk_state *s);

#endif
