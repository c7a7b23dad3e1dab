/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>

#ifndef HUSK_EXPORT
#define HUSK_EXPORT __attribute__((visibility("default")))
#endif

/*
 * The one error type of husk.  A failing function returns a negative value
 * (or NULL) and fills *err.  `status` is the errno of the failing call (0 if
 * none); `msg` is lowercase, without a trailing period, and already includes
 * strerror(status) when status is set.
 */
struct husk_error {
	int status;
	char *msg;
};

/* Set *err (if err is not NULL and not already set); always returns -1. */
HUSK_EXPORT int husk_error_set(struct husk_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like husk_error_set() with status = errno and ": strerror(errno)" appended. */
HUSK_EXPORT int husk_error_errno(struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix an existing message with context: "<ctx>: <old msg>"; returns -1. */
HUSK_EXPORT int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
HUSK_EXPORT void husk_error_clear(struct husk_error *err);

#endif
