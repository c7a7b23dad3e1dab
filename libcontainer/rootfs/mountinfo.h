/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_MOUNTINFO_H
#define HUSK_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "utils.h"

/* One line of /proc/<pid>/mountinfo; strings point into the buffer, unescaped. */
struct husk_mountinfo_entry {
	int id, parent;
	char *root, *mount_point, *options, *optional, *fstype, *source, *super_options;
};

struct husk_mountinfo {
	struct husk_mountinfo_entry *v;
	size_t n;
	char *buf;
};

/* Read and parse `path` ("/proc/self/mountinfo"); -1 with errno. */
int husk_mountinfo_read(const char *path, struct husk_mountinfo *mi);
void husk_mountinfo_clear(struct husk_mountinfo *mi);
/* The mount holding `path` (the longest mount point that prefixes it), or NULL. */
const struct husk_mountinfo_entry *husk_mountinfo_find_parent(const struct husk_mountinfo *mi,
							      const char *path);
/* `path` equals `prefix` or lies below it (path-component-wise). */
bool husk_path_has_prefix(const char *path, const char *prefix);
/* Whether the comma-separated `list` holds `opt`. */
bool husk_opt_has(const char *list, const char *opt);

#endif
