/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the seccomp unit tests (TAP). */
#ifndef HUSK_TEST_SECCOMP_HELPERS_H
#define HUSK_TEST_SECCOMP_HELPERS_H

#include <errno.h>

#include "security/security.h"

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s (errno %d)", __FILE__, __LINE__, #cond,      \
			     errno);                                                               \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

/* A NULL-terminated name list for husk_seccomp_syscall.names */
#define NAMES(...) ((char *[]){__VA_ARGS__, NULL})

/* Run `fn` in a forked child (a filter loaded there stays there) and print its TAP line. */
void run(const char *name, int (*fn)(void));
/* Print the plan; the exit code of main. */
int done_testing(void);
/* Fork; the child (no core dumps) runs fn(arg) and exits with its result; returns the wait status.
 */
int fork_wait(int (*fn)(void *), void *arg);
/* Compile and load `s` into this process (diag on failure). */
int load(const struct husk_seccomp *s, int *notify_fd);
/* Expect compile to fail with exactly `msg`. */
int expect_compile_error(const struct husk_seccomp *s, const char *msg);
/* A number field of /proc/self/status ("Seccomp"), -1 if missing. */
int status_field(const char *key);
/* -errno of a failed call, or its (non-negative) result */
long sys_result(long rc);

#endif
