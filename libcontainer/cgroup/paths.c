/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup paths: cleaning, and systemd's "slice:prefix:name" to a cgroupfs path (systemd-props.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "systemd.h"

int husk_cgroup_systemd_path(const char *cgroups_path, char **out, struct husk_error *err)
{
	struct cg_sd_unit u;

	if (cg_sd_parse_path(cgroups_path && *cgroups_path ? cgroups_path : "", "", &u, err) < 0)
		return -1;
	*out = steal_pointer(&u.path);
	cg_sd_unit_clear(&u);
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
