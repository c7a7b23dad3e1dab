/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resolving mount destinations inside the rootfs: symlinks and ".." are
 * resolved as if the rootfs were "/", so a destination never lands on the
 * host.  openat2(RESOLVE_IN_ROOT) does it in one call; where the kernel lacks
 * it (ENOSYS) a component walk does the same with O_NOFOLLOW opens, reading
 * each symlink itself and keeping ".." lexical (never above the root).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs/mounts.h"

#define MAX_SYMLINKS 40 /* the kernel's limit */

const char *fd_path(struct fd_path *b, int fd)
{
	snprintf(b->s, sizeof(b->s), "/proc/self/fd/%d", fd);
	return b->s;
}

static int sys_openat2(int dirfd, const char *path, int oflags, unsigned long long resolve)
{
	struct open_how how = {
	    .flags = (unsigned long long)(oflags | O_CLOEXEC),
	    .resolve = resolve,
	};
	int fd, tries = 0;

	/* RESOLVE_IN_ROOT may say EAGAIN when a rename raced with the lookup */
	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 32);
	return fd;
}

static int in_root(int rootfd, const char *path, int oflags)
{
	while (*path == '/')
		path++;
	return sys_openat2(rootfd, *path ? path : ".", O_PATH | oflags,
			   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* File or directory for the last component (MKDIR | MKFILE: like `like`). */
static bool want_file(unsigned flags, const char *like)
{
	struct stat st;

	if (!(flags & HUSK_RESOLVE_MKFILE))
		return false;
	if (!(flags & HUSK_RESOLVE_MKDIR))
		return true;
	/* a source we cannot stat: a directory; the mount itself will say why */
	return like != NULL && stat(like, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Create dirfd/name (it was missing) and open it; -1/EEXIST if something appeared. */
static int create_last(int dirfd, const char *name, bool file)
{
	if (file)
		/* runc creates mount targets with 0755, files too */
		return openat(dirfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0755);
	if (mkdirat(dirfd, name, 0755) < 0)
		return -1;
	return openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

struct fd_stack {
	int *v; /* v[0] is the root (not owned) */
	size_t n, cap;
};

static void fd_stack_pop_to(struct fd_stack *s, size_t n)
{
	while (s->n > n)
		close(s->v[--s->n]);
}

static void fd_stack_free(struct fd_stack *s)
{
	fd_stack_pop_to(s, 1);
	free(s->v);
}

static void fd_stack_push(struct fd_stack *s, int fd)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (s->v == NULL)
			abort();
	}
	s->v[s->n++] = fd;
}

/* Replace what is left to walk by `target` + "/" + `rest`. */
static int splice_link(char **todo, const char *target, size_t tlen, const char *rest)
{
	size_t rlen = strlen(rest);
	char *n = malloc(tlen + 1 + rlen + 1);

	if (n == NULL)
		return -1;
	memcpy(n, target, tlen);
	n[tlen] = '/';
	memcpy(n + tlen + 1, rest, rlen + 1);
	free(*todo);
	*todo = n;
	return 0;
}

/* Open one component below `cur`; creates it when asked; -1 with errno. */
static int open_component(int cur, const char *name, bool last, unsigned flags, const char *like)
{
	bool create = flags & (HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE);
	int fd;

	for (int tries = 0; tries < 4; tries++) {
		fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
		if (fd >= 0 || errno != ENOENT || !create)
			return fd;
		if (last)
			fd = create_last(cur, name, want_file(flags, like));
		else if (mkdirat(cur, name, 0755) == 0 || errno == EEXIST)
			continue;
		else
			return -1;
		if (fd >= 0 || errno != EEXIST)
			return fd;
		/* raced with someone creating it: open what is there now */
	}
	errno = ELOOP;
	return -1;
}

/* open_step's answer for a symlink (its target is in `target`) */
#define STEP_LINK (-2)

/*
 * One component of the walk: its fd, or STEP_LINK with the link's target read
 * into target[PATH_MAX] (*tlen bytes), or -1 with errno.
 */
static int open_step(int dirfd, const char *name, bool last, unsigned flags, const char *like,
		     char *target, ssize_t *tlen)
{
	struct stat sb;
	int fd = open_component(dirfd, name, last, flags, like);

	if (fd < 0 && errno == ENOTDIR && !last) {
		/* O_DIRECTORY | O_NOFOLLOW on a symlink: read it by name */
		*tlen = readlinkat(dirfd, name, target, PATH_MAX);
		if (*tlen < 0) {
			errno = ENOTDIR;
			return -1;
		}
		return STEP_LINK;
	}
	if (fd < 0 || !last)
		return fd;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	if (!S_ISLNK(sb.st_mode))
		return fd;
	*tlen = readlinkat(fd, "", target, PATH_MAX);
	close(fd);
	return *tlen < 0 ? -1 : STEP_LINK;
}

int husk_resolve_walk(int rootfd, const char *path, unsigned flags, const char *like)
{
	struct fd_stack st = {0};
	cleanup_free char *todo = xstrdup(path);
	char name[NAME_MAX + 1], target[PATH_MAX];
	const char *p = todo;
	int links = 0, fd, ret = -1;

	fd_stack_push(&st, rootfd);
	for (;;) {
		const char *end;
		size_t len;
		bool last, is_link = false;
		ssize_t tlen = 0;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto out;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = end;
		last = p[strspn(p, "/")] == '\0';
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			/* lexical, and never above the root: what RESOLVE_IN_ROOT does */
			fd_stack_pop_to(&st, st.n > 1 ? st.n - 1 : 1);
			continue;
		}
		fd = open_step(st.v[st.n - 1], name, last, flags, like, target, &tlen);
		if (fd == -1)
			goto out;
		is_link = fd == STEP_LINK;
		if (!is_link) {
			fd_stack_push(&st, fd);
			continue;
		}
		if (++links > MAX_SYMLINKS || (size_t)tlen >= sizeof(target)) {
			errno = links > MAX_SYMLINKS ? ELOOP : ENAMETOOLONG;
			goto out;
		}
		if (tlen == 0) {
			errno = ENOENT;
			goto out;
		}
		if (target[0] == '/')
			fd_stack_pop_to(&st, 1);
		if (splice_link(&todo, target, (size_t)tlen, p) < 0)
			goto out;
		p = todo;
	}
	if (st.n == 1)
		ret = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		ret = st.v[--st.n];
out : {
	int saved = errno;
	fd_stack_free(&st);
	errno = saved;
}
	return ret;
}

int husk_resolve(int rootfd, const char *path, unsigned flags, const char *like, unsigned *probe)
{
	cleanup_free char *dir = NULL;
	cleanup_close int parent = -1;
	const char *base;
	char *slash;
	size_t len;
	int fd;

	if ((flags | (probe ? *probe : 0)) & HUSK_RESOLVE_NO_OPENAT2)
		return husk_resolve_walk(rootfd, path, flags, like);
	fd = in_root(rootfd, path, 0);
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS) {
		if (probe)
			*probe |= HUSK_RESOLVE_NO_OPENAT2;
		return husk_resolve_walk(rootfd, path, flags, like);
	}
	if (errno != ENOENT || !(flags & (HUSK_RESOLVE_MKDIR | HUSK_RESOLVE_MKFILE)))
		return -1;

	/* Common case: only the last component is missing; else walk and create. */
	dir = xstrdup(path);
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return husk_resolve_walk(rootfd, path, flags, like);
	if (slash)
		*slash = '\0';
	parent = in_root(rootfd, slash ? dir : ".", O_DIRECTORY);
	if (parent < 0)
		return errno == ENOENT ? husk_resolve_walk(rootfd, path, flags, like) : -1;
	fd = create_last(parent, base, want_file(flags, like));
	/* EEXIST: a dangling symlink (or a racing creator): the walk knows what to do */
	if (fd < 0 && errno == EEXIST)
		return husk_resolve_walk(rootfd, path, flags, like);
	return fd;
}
