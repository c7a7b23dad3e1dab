/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup paths: cleaning, and systemd's "slice:prefix:name" to a cgroupfs path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"

/* "a-b.slice" -> "/a.slice/a-b.slice" (systemd's slice nesting, as runc expands it) */
static int expand_slice(const char *slice, char **out, struct husk_error *err)
{
	size_t len = strlen(slice), sfx = strlen(".slice");
	cleanup_free char *name = NULL, *path = NULL;
	char *save = NULL;

	if (len <= sfx || strcmp(slice + len - sfx, ".slice") != 0 || strchr(slice, '/'))
		return husk_error_set(err, EINVAL, "invalid slice name `%s`", slice);
	name = strndup(slice, len - sfx);
	if (name == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	if (strcmp(name, "-") == 0) {
		*out = xstrdup("/");
		return 0;
	}
	if (name[0] == '-' || name[strlen(name) - 1] == '-' || strstr(name, "--"))
		return husk_error_set(err, EINVAL, "invalid slice name `%s`", slice);
	path = xmalloc0(1);
	for (char *t = strtok_r(name, "-", &save); t; t = strtok_r(NULL, "-", &save)) {
		/* each level repeats the names above it: a.slice/a-b.slice */
		size_t plen = strlen(path), prefix = t - name;
		char *np = realloc(path, plen + 1 + prefix + strlen(t) + sfx + 1);
		if (np == NULL)
			return husk_error_set(err, ENOMEM, "out of memory");
		path = np;
		sprintf(path + plen, "/%.*s%s.slice", (int)prefix, slice, t);
	}
	*out = steal_pointer(&path);
	return 0;
}

int husk_cgroup_systemd_path(const char *cgroups_path, char **out, struct husk_error *err)
{
	cleanup_free char *s = NULL, *slice_path = NULL;
	char *c1, *c2;
	const char *slice, *prefix, *name;

	if (cgroups_path == NULL || (c1 = strchr(cgroups_path, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || strchr(c2 + 1, ':') != NULL)
		return husk_error_set(err, EINVAL,
				      "cgroup path `%s`: expected `slice:prefix:name` with the "
				      "systemd cgroup driver",
				      cgroups_path ? cgroups_path : "");
	s = xstrdup(cgroups_path);
	c1 = s + (c1 - cgroups_path);
	c2 = s + (c2 - cgroups_path);
	*c1 = *c2 = '\0';
	slice = *s ? s : "system.slice"; /* runc's default for root */
	prefix = c1 + 1;
	name = c2 + 1;
	if (*name == '\0' || strchr(name, '/') || strchr(prefix, '/'))
		return husk_error_set(err, EINVAL, "cgroup path `%s`: invalid unit name",
				      cgroups_path);
	if (expand_slice(slice, &slice_path, err) < 0)
		return husk_error_wrap(err, "cgroup path `%s`", cgroups_path);
	/* a name that is a slice is the unit itself; else a scope "prefix-name.scope" */
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0) {
		if (asprintf(out, "%s/%s", strcmp(slice_path, "/") ? slice_path : "", name) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
	} else if (asprintf(out, "%s/%s%s%s.scope", strcmp(slice_path, "/") ? slice_path : "",
			    prefix, *prefix ? "-" : "", name) < 0) {
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Clean "a//b/./c/" into "/a/b/c"; `..` is refused. */
int cg_clean_path(const char *base, const char *path, char **out, struct husk_error *err)
{
	cleanup_free char *joined = NULL, *buf = NULL;
	char *save = NULL;
	size_t n = 0;

	if (asprintf(&joined, "%s/%s", base ? base : "", path) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	buf = xmalloc0(strlen(joined) + 2);
	for (char *t = strtok_r(joined, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0)
			return husk_error_set(err, EINVAL, "cgroup path `%s`: `..` is not allowed",
					      path);
		buf[n++] = '/';
		strcpy(buf + n, t);
		n += strlen(t);
	}
	if (n == 0)
		buf[n++] = '/';
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}
