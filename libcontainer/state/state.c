/* SPDX-License-Identifier: Apache-2.0 */
/* The state store under --root: one directory per container. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"
#include "utils.h"

int husk_id_validate(const char *id, struct husk_error *err)
{
	size_t n;

	if (id == NULL || *id == '\0')
		return husk_error_set(err, EINVAL, "container id cannot be empty");
	n = strlen(id);
	if (n > 1024)
		return husk_error_set(
		    err, EINVAL, "invalid container id `%.32s...`: longer than 1024 bytes", id);
	/*
	 * runc: [\w+-.]+, not "." or "..".  husk also refuses ".." anywhere and
	 * a leading dot: such a state dir is hidden from `list`, and the kernel
	 * keeps keyring names starting with a dot for itself (joining the
	 * session keyring named after the id fails with EPERM).
	 */
	if (id[0] == '.')
		return husk_error_set(err, EINVAL, "invalid container id `%s`: starts with a dot",
				      id);
	if (strstr(id, "..") != NULL)
		return husk_error_set(err, EINVAL, "invalid container id `%s`", id);
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '+' || c == '-'))
			return husk_error_set(err, EINVAL, "invalid container id `%s`", id);
	}
	return 0;
}

void husk_store_close(struct husk_store *st)
{
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	if (st->root_fd >= 0)
		close(st->root_fd);
	free(st->dir);
	free(st->id);
	st->dir_fd = st->root_fd = -1;
	st->dir = st->id = NULL;
}

static int open_root(const char *root, bool create, struct husk_store *st, struct husk_error *err)
{
	st->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->root_fd < 0 && errno == ENOENT && create) {
		if (mkdir_p(root, 0700, err) < 0)
			return -1;
		st->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (st->root_fd < 0)
		return husk_error_errno(err, "open state root `%s`", root);
	return 0;
}

int husk_store_create(const char *root, const char *id, struct husk_store *st,
		      struct husk_error *err)
{
	st->root_fd = st->dir_fd = -1;
	st->dir = st->id = NULL;
	if (open_root(root, true, st, err) < 0)
		return -1;
	if (mkdirat(st->root_fd, id, 0700) < 0) {
		if (errno == EEXIST)
			return husk_error_set(err, EEXIST, "container with id `%s` already exists",
					      id);
		return husk_error_errno(err, "create state dir `%s/%s`", root, id);
	}
	st->dir_fd = openat(st->root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	/*
	 * Held until the create is over: `delete`, `start` and the like wait
	 * for it, and find a "creating" container abandoned only once its
	 * creator is gone (the lock goes with it).
	 */
	if (st->dir_fd < 0 || flock(st->dir_fd, LOCK_EX) < 0) {
		husk_error_errno(err, "open state dir `%s/%s`", root, id);
		unlinkat(st->root_fd, id, AT_REMOVEDIR);
		return -1;
	}
	if (asprintf(&st->dir, "%s/%s", root, id) < 0)
		abort();
	st->id = xstrdup(id);
	return 0;
}

void husk_store_unlock(struct husk_store *st)
{
	if (st->dir_fd >= 0)
		flock(st->dir_fd, LOCK_UN);
}

int husk_store_open(const char *root, const char *id, bool lock, struct husk_store *st,
		    struct husk_error *err)
{
	st->root_fd = st->dir_fd = -1;
	st->dir = st->id = NULL;
	if (husk_id_validate(id, err) < 0)
		return -1;
	st->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->root_fd < 0) {
		if (errno == ENOENT)
			return husk_error_set(err, ENOENT, "container `%s` does not exist", id);
		return husk_error_errno(err, "open state root `%s`", root);
	}
	st->dir_fd = openat(st->root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dir_fd < 0) {
		if (errno == ENOENT)
			return husk_error_set(err, ENOENT, "container `%s` does not exist", id);
		return husk_error_errno(err, "open state dir `%s/%s`", root, id);
	}
	if (lock && flock(st->dir_fd, LOCK_EX) < 0)
		return husk_error_errno(err, "lock state dir `%s/%s`", root, id);
	if (asprintf(&st->dir, "%s/%s", root, id) < 0)
		abort();
	st->id = xstrdup(id);
	return 0;
}

int husk_store_write(struct husk_store *st, const struct husk_state *s, struct husk_error *err)
{
	cleanup_free char *json = husk_state_to_json(s, s->status, s->pid, true, false);
	return write_file_atomic(st->dir_fd, "state.json", json, strlen(json), err);
}

int husk_store_read(struct husk_store *st, struct husk_state *s, struct husk_error *err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	struct husk_error e = {0};

	if (read_file_at(st->dir_fd, "state.json", &buf, &len, &e) < 0) {
		if (e.status == ENOENT) {
			/* a create in flight (or one that crashed): no state yet */
			husk_error_clear(&e);
			memset(s, 0, sizeof *s);
			s->id = xstrdup(st->id);
			s->bundle = xstrdup("");
			s->status = HUSK_STATUS_CREATING;
			s->start_fd = -1;
			return 0;
		}
		*err = e;
		return -1;
	}
	return husk_state_parse(buf, len, s, err);
}

int husk_store_write_config(struct husk_store *st, const char *json, size_t len,
			    struct husk_error *err)
{
	if (write_file_atomic(st->dir_fd, "config.json", json, len, err) < 0)
		return husk_error_wrap(err, "freeze config.json into `%s`", st->dir);
	return 0;
}

int husk_store_read_config(struct husk_store *st, struct husk_spec **out, struct husk_error *err)
{
	cleanup_free char *json = NULL;
	size_t len;

	if (read_file_at(st->dir_fd, "config.json", &json, &len, err) < 0)
		return husk_error_wrap(err, "container `%s`: read its frozen config", st->id);
	return husk_spec_parse(json, len, "config.json", out, err);
}

static int remove_tree_at(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return unlinkat(parent, name, 0);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR)
			remove_tree_at(dirfd(d), de->d_name);
		else
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR);
}

int husk_store_remove(struct husk_store *st, struct husk_error *err)
{
	if (remove_tree_at(st->root_fd, st->id) < 0 && errno != ENOENT)
		return husk_error_errno(err, "remove state dir `%s`", st->dir);
	return 0;
}

/*
 * A create in flight is "creating"; one whose creator died (SIGKILL) before
 * the container was created is "stopped", as runc shows a container whose
 * init is gone: its creator can no longer finish it, and its init dies with
 * the creator (see init.c), so it can only be deleted.  No state.json yet (a
 * create between mkdir and its first write) reads as "creating".
 */
static bool creator_alive(const struct husk_state *s)
{
	char path[64], buf[512];
	cleanup_close int fd = -1;
	const char *p;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)s->creator_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
		return false;
	buf[n] = '\0';
	/* a killed creator not yet reaped is a zombie: gone all the same */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false;
	return proc_start_time(s->creator_pid) == s->creator_start_time;
}

static enum husk_status creating_status(const struct husk_state *s)
{
	if (s->creator_pid <= 0 || creator_alive(s))
		return HUSK_STATUS_CREATING;
	return HUSK_STATUS_STOPPED;
}

enum husk_status husk_state_status(const struct husk_state *s)
{
	if (s->status == HUSK_STATUS_CREATING)
		return creating_status(s);
	if (s->pid <= 0 || proc_start_time(s->pid) != s->start_time)
		return HUSK_STATUS_STOPPED;
	return s->status;
}
