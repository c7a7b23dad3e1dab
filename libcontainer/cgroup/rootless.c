/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootless with the cgroupfs driver: is there a delegated cgroup v2 subtree
 * the caller may make the container's cgroup in (cgroup.h:
 * husk_cgroup_rootless_path)?  Only a pure v2 host counts: v1 hierarchies
 * are never delegated to a user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "husk/husk.h"

/* This process's cgroup2 path ("0::/user.slice/..."), malloc'd, or NULL. */
static char *own_v2_cgroup(void)
{
	cleanup_file FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		return NULL;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (strncmp(line, "0::/", 4) == 0)
			return xstrdup(line + 3);
	}
	return NULL;
}

/* Writable by the caller: the directory (mkdir there) and its cgroup.procs (the move). */
static bool writable(const char *dir)
{
	cleanup_free char *procs = NULL;

	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
		return false;
	if (asprintf(&procs, "%s/cgroup.procs", dir) < 0)
		return false;
	return faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
}

int husk_cgroup_rootless_path(const char *cgroups_path, const char *id, char **out,
			      struct husk_error *err)
{
	cleanup_free char *own = NULL, *base = NULL, *path = NULL, *parent = NULL;
	char *slash;

	*out = NULL;
	if (!husk_cgroup_host_unified())
		return 0;
	if (cgroups_path == NULL || cgroups_path[0] != '/') {
		/*
		 * runc's fs2 defaultDirPath: a relative path (or the id when there
		 * is none) goes under the *parent* of the caller's own cgroup,
		 * which most probably has processes in it (no controller could be
		 * enabled below it).
		 */
		own = own_v2_cgroup();
		if (own == NULL)
			return 0;
		slash = strrchr(own, '/');
		*slash = '\0';
		base = xstrdup(*own ? own : "/");
	}
	if (cg_clean_path(base, cgroups_path ? cgroups_path : id, &path, err) < 0)
		return -1;
	/* the cgroup's parent is where it is made and the common ancestor of the move */
	if (asprintf(&parent, CG_ROOT "%s", path) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (writable(parent))
		*out = steal_pointer(&path);
	return 0;
}
