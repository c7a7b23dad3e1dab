/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the cgroup tests (test-cgroup.c, test-cgroup-resources.c): TAP
 * output, cgroups under a `husk-test` parent, and children placed in them.
 */
#ifndef HUSK_CGROUP_TAP_H
#define HUSK_CGROUP_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup/cgroup-internal.h"

/* TAP */
void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag(const char *what, struct husk_error *e);
/* root and /sys/fs/cgroup, or print the skip plan and return false */
bool cgt_begin(void);
/* remove the husk-test parents we made, print the plan; the exit status */
int cgt_end(void);

char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool exists(const char *p);
/* dir/file without its newline ("" on error) */
char *readf(const char *dir, const char *file);
bool file_is(const char *dir, const char *file, const char *want);

/* Resolve an absolute path like create would, creating nothing. */
struct husk_cgroup *probe(const char *path);
/* Remember the husk-test parents of cg that do not exist yet. */
void note_parents(const struct husk_cgroup *cg);
/* Create "/husk-test/unit-<pid>-<n>" with res; *pathp gets the path if given. */
struct husk_cgroup *make(const struct husk_resources *res, char **pathp);
bool all_dirs(const struct husk_cgroup *cg, bool present);
/* destroy, check that every directory is gone, free */
void destroy(struct husk_cgroup *cg);
void reap_all(void);

struct child {
	pid_t pid;
	int go;	    /* write a byte to start it */
	int report; /* what it writes back */
};

typedef void (*child_fn)(int report);

/* Fork a child that waits until it is in cg (entered by us), then runs fn. */
bool spawn(struct husk_cgroup *cg, child_fn fn, struct child *c);
/* kill and reap it (if c->pid > 0), close the pipes */
void child_done(struct child *c);
/* report a byte, then pause */
void fn_pause(int report);
bool wait_byte(struct child *c);
size_t count_pids(struct husk_cgroup *cg);
/* Is pid in every hierarchy of cg, per /proc/<pid>/cgroup? */
bool pid_in(const struct husk_cgroup *cg, pid_t pid);

#endif
