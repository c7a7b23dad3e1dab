/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_UTILS_H
#define HUSK_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "husk/error.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* Lexically clean an absolute or relative path into "/a/b" form (".." stops at "/"). */
int husk_clean_path(const char *in, char *out, size_t size); /* -1/ENAMETOOLONG */

/* error.c: a warning for the caller to show (ctx->warn), if it wants them. */
struct husk_ctx;
void husk_warn(const struct husk_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- ownership helpers (cleanup attributes) ---- */
static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
void strv_free(char **v);
static inline void strv_freep(char ***v)
{
	strv_free(*v);
}

#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_file __attribute__((cleanup(fclosep)))
#define cleanup_dir __attribute__((cleanup(closedirp)))
#define cleanup_strv __attribute__((cleanup(strv_freep)))

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small helpers (utils.c) ---- */
void *xmalloc0(size_t n);
char *xstrdup(const char *s);
size_t strv_len(char *const *v);

/* Write `len` bytes of `data` to an open fd, retrying short writes (husk.h's husk_write_all). */
HUSK_EXPORT int husk_write_all(int fd, const void *data, size_t len);
static inline int write_all(int fd, const void *data, size_t len)
{
	return husk_write_all(fd, data, len);
}
/* Read an open fd to its end (NUL-terminated); `name` names it in errors. */
int read_all(int fd, const char *name, char **out, size_t *len, struct husk_error *err);
/* Time `ts` in RFC 3339, UTC ("2006-01-02T15:04:05Z"), with nanoseconds when `nanos`. */
struct timespec;
void rfc3339(const struct timespec *ts, bool nanos, char *buf, size_t n);
/* Now, RFC 3339 with nanoseconds (runc's "created"). */
void husk_now_rfc3339(char *buf, size_t n);
/* Read a whole file (NUL-terminated) relative to dirfd (AT_FDCWD for none). */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err);
/* Write a string to an existing file (no O_CREAT), e.g. /proc or cgroup files. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len,
		  struct husk_error *err);
/* Atomically replace dirfd/path with data (tmp file + fsync-less rename), mode 0600. */
int write_file_atomic(int dirfd, const char *path, const char *data, size_t len,
		      struct husk_error *err);
/* mkdir -p with the given mode; existing dirs are fine. */
int mkdir_p(const char *path, mode_t mode, struct husk_error *err);
/* Parse a decimal unsigned/signed integer, whole string; -1/EINVAL or ERANGE on failure. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);

/* Start time of a process (field 22 of /proc/<pid>/stat), 0 if the process is gone. */
unsigned long long proc_start_time(pid_t pid);

/* pidfd_open/pidfd_send_signal wrappers (return -1/ENOSYS where missing). */
/*
 * sendmsg(2) of iov[0..n) on a unix socket with `fd` attached (SCM_RIGHTS;
 * -1: none), MSG_NOSIGNAL, retried on EINTR: sendmsg's result and errno.
 */
ssize_t send_with_fd(int sock, const struct iovec *iov, size_t n, int fd);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_pidfd_send_signal(int pidfd, int sig);

/*
 * The name of `uid` in the host's /etc/passwd, malloc'd, or NULL (read
 * directly, as runc's user.LookupUid does: no NSS in a static husk).
 */
char *husk_passwd_name(uid_t uid);

#endif
