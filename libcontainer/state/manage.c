/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, ps and update: commands that act on a container's cgroup. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup/cgroup.h"
#include "state/container.h"
#include "utils.h"

/* The container and its cgroup (which these commands need). */
static int open_target(const struct husk_ctx *ctx, const char *id, unsigned flags,
		       struct husk_container **c, struct husk_cgroup **cg, struct husk_error *err)
{
	if (husk_container_open(ctx, id, flags, c, err) < 0)
		return -1;
	*cg = husk_container_cgroup(*c, err);
	return *cg ? 0 : -1;
}

int husk_pause(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return c && c->s.cgroup_path == NULL
			   ? husk_error_wrap(err, "pause needs the cgroup freezer (rootless "
						  "without cgroup delegation)")
			   : -1;
	if (!husk_status_can_pause(c->status))
		return husk_error_set(err, EINVAL, "container not running");
	return husk_cgroup_freeze(cg, true, err);
}

int husk_resume(const struct husk_ctx *ctx, const char *id, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return -1;
	if (!husk_status_can_resume(c->status))
		return husk_error_set(err, EINVAL, "container not paused");
	return husk_cgroup_freeze(cg, false, err);
}

/* The pid namespace of a process (st_dev, st_ino of /proc/PID/ns/pid), false when gone. */
static bool pidns_of(const char *pid, struct stat *st)
{
	cleanup_free char *path = NULL;

	if (asprintf(&path, "/proc/%s/ns/pid", pid) < 0)
		return false;
	return stat(path, st) == 0;
}

/*
 * No cgroup (rootless without delegation): the processes of the init's own
 * pid namespace, which exec'd processes join too.  Without a pid namespace
 * of its own there is no way to tell, so only the init (runc has no answer
 * at all there: its ps reads the cgroup).
 */
static int ps_no_cgroup(const struct husk_container *c, pid_t **pids, size_t *n,
			struct husk_error *err)
{
	cleanup_dir DIR *d = NULL;
	struct stat own, init, st;
	struct dirent *e;
	char buf[16];

	snprintf(buf, sizeof buf, "%d", (int)c->s.pid);
	if (!pidns_of(buf, &init))
		return 0;
	*pids = xmalloc0(sizeof **pids);
	(*pids)[(*n)++] = c->s.pid;
	if (!pidns_of("self", &own) || (own.st_ino == init.st_ino && own.st_dev == init.st_dev))
		return 0;
	d = opendir("/proc");
	if (d == NULL)
		return husk_error_errno(err, "open `/proc`");
	while ((e = readdir(d)) != NULL) {
		pid_t p = (pid_t)strtol(e->d_name, NULL, 10);
		if (p <= 0 || p == c->s.pid || !pidns_of(e->d_name, &st) ||
		    st.st_ino != init.st_ino || st.st_dev != init.st_dev)
			continue;
		*pids = realloc(*pids, (*n + 1) * sizeof **pids);
		if (*pids == NULL)
			abort();
		(*pids)[(*n)++] = p;
	}
	return 0;
}

int husk_ps(const struct husk_ctx *ctx, const char *id, pid_t **pids, size_t *n,
	    struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	*pids = NULL;
	*n = 0;
	if (husk_container_open(ctx, id, 0, &c, err) < 0)
		return -1;
	/* runc: a stopped container has no processes (prints `null`) */
	if (c->status == HUSK_STATUS_STOPPED)
		return 0;
	if (c->s.cgroup_path == NULL)
		return ps_no_cgroup(c, pids, n, err);
	cg = husk_container_cgroup(c, err);
	return cg ? husk_cgroup_pids(cg, pids, n, err) : -1;
}

int husk_update(const struct husk_ctx *ctx, const char *id, const struct husk_update_resources *res,
		struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	struct husk_cgroup *cg;

	if (open_target(ctx, id, HUSK_OPEN_LOCK, &c, &cg, err) < 0)
		return -1;
	if (!husk_status_can_update(c->status))
		return husk_error_set(err, EINVAL, "container not running");
	/* the options' fields were set one by one: check them together, as the parser does */
	if (husk_resources_check(&res->r, res->source, err) < 0)
		return -1;
	if (husk_cgroup_ignored(cg, &res->r) != NULL)
		husk_warn(ctx, "%s: %s", res->source, husk_cgroup_ignored(cg, &res->r));
	return husk_cgroup_update(cg, &res->r, err);
}
