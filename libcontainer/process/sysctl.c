/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.sysctl: write each key under /proc/sys, in the container's
 * namespaces after pivot_root, through husk's own procfs handle (procfs.c):
 * the container's /proc may be missing or a symlink into a bind-mounted host
 * directory (CVE-2025-52881), so it is never used by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "process/process.h"
#include "procfs.h"
#include "utils.h"

/*
 * "net.ipv4.ip_forward" -> "sys/net/ipv4/ip_forward" (below the procfs root).  Like runc, dots
 * and slashes both separate components; every component must be non-empty
 * and not "." or "..", so a key cannot name anything outside /proc/sys.
 */
static int sysctl_path(const char *key, char *buf, size_t size)
{
	static const char prefix[] = "sys/";
	size_t len = strlen(key), i, comp = 0;
	char *p;

	if (len == 0 || sizeof(prefix) + len > size)
		return -1;
	memcpy(buf, prefix, sizeof(prefix) - 1);
	p = buf + sizeof(prefix) - 1;
	for (i = 0; i <= len; i++) {
		char c = key[i];

		if (c == '.' || c == '/' || c == '\0') {
			/* component is p[i - comp .. i) */
			if (comp == 0)
				return -1;
			p[i] = c == '\0' ? '\0' : '/';
			comp = 0;
			continue;
		}
		p[i] = c;
		comp++;
	}
	return 0;
}

int husk_sysctl_apply(const struct husk_kv *v, size_t n, struct husk_error *err)
{
	char path[PATH_MAX];
	cleanup_close int procfd = -1;
	size_t i, len;

	if (n == 0)
		return 0;
	procfd = husk_procfs_open(err);
	if (procfd < 0)
		return husk_error_wrap(err, "linux.sysctl");
	for (i = 0; i < n; i++) {
		cleanup_close int fd = -1;

		if (sysctl_path(v[i].key, path, sizeof(path)) < 0)
			return husk_error_set(err, EINVAL, "sysctl `%s`: invalid key", v[i].key);
		fd = husk_procfs_open_at(procfd, path, O_WRONLY);
		if (fd < 0)
			return husk_error_errno(err, "sysctl `%s`: open `/proc/%s`", v[i].key,
						path);
		len = v[i].value ? strlen(v[i].value) : 0;
		if (write_all(fd, v[i].value ? v[i].value : "", len) < 0)
			return husk_error_errno(err, "sysctl `%s`: write `%s`", v[i].key,
						v[i].value ? v[i].value : "");
	}
	return 0;
}
