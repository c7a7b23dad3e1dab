/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers for cgroup files and directories, shared by cgroup/. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"

/* ---- small file helpers ---- */

int cg_write(const char *dir, const char *file, const char *value, struct husk_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "write `%s` to `%s`", value, path);
	if (write_all(fd, value, strlen(value)) < 0)
		return husk_error_errno(err, "write `%s` to `%s`", value, path);
	return 0;
}

int cg_field_err(struct husk_error *err, const char *fmt, ...)
{
	cleanup_free char *field = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&field, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return husk_error_wrap(err, "linux.resources.%s", field);
}

int cg_writef(const char *dir, const char *file, struct husk_error *err, const char *fmt, ...)
{
	cleanup_free char *v = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	return cg_write(dir, file, v, err);
}

int cg_read(const char *dir, const char *file, char **out, struct husk_error *err)
{
	cleanup_free char *path = NULL;
	size_t len = 0;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	if (read_file_at(AT_FDCWD, path, out, &len, err) < 0)
		return -1;
	while (len > 0 && (*out)[len - 1] == '\n')
		(*out)[--len] = '\0';
	return 0;
}

bool cg_has_file(const char *dir, const char *file)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return false;
	return access(path, F_OK) == 0;
}

void cg_sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cg_mkdir(struct cg_dir *d, struct husk_error *err)
{
	cleanup_free char *p = NULL;
	size_t start = strlen(d->mnt);

	/* the parents usually exist: one mkdir then, the walk only on ENOENT */
	if (mkdir(d->path, 0755) == 0) {
		d->created = strlen(d->path);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return husk_error_errno(err, "mkdir `%s`", d->path);
	p = xstrdup(d->path);
	for (char *s = p + start + 1;; s++) {
		bool end = *s == '\0';
		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (d->created == 0)
				d->created = strlen(p);
		} else if (errno != EEXIST) {
			int saved = errno;
			cg_undo_mkdir(d);
			errno = saved;
			return husk_error_errno(err, "mkdir `%s`", p);
		}
		if (end)
			break;
		*s = '/';
	}
	return 0;
}

void cg_undo_mkdir(struct cg_dir *d)
{
	cleanup_free char *p = NULL;

	if (d->created == 0)
		return;
	p = xstrdup(d->path);
	while (strlen(p) >= d->created) {
		char *slash;
		if (rmdir(p) < 0 && errno != ENOENT)
			break;
		slash = strrchr(p, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	d->created = 0;
}

struct cg_dir *cg_v1_dir(struct husk_cgroup *cg, const char *controller)
{
	size_t len = strlen(controller);

	for (size_t i = 0; i < cg->n_dirs; i++) {
		const char *c = cg->dirs[i].controllers;
		if (cg->dirs[i].v2)
			continue;
		while (c && *c) {
			const char *comma = strchr(c, ',');
			size_t n = comma ? (size_t)(comma - c) : strlen(c);
			if (n == len && strncmp(c, controller, n) == 0)
				return &cg->dirs[i];
			c = comma ? comma + 1 : NULL;
		}
	}
	return NULL;
}
