/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo, parsed in place (proc(5)). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "rootfs/mountinfo.h"

/* Undo the kernel's octal escapes ("\040" for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static char *next_field(char **p)
{
	char *f = *p, *e;

	if (f == NULL)
		return NULL;
	e = strchr(f, ' ');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = NULL;
	}
	return f;
}

static int parse_line(char *line, struct husk_mountinfo_entry *e)
{
	char *p = line, *f[6], *sep;

	for (int i = 0; i < 6; i++)
		if ((f[i] = next_field(&p)) == NULL)
			return -1;
	e->id = atoi(f[0]);
	e->parent = atoi(f[1]);
	e->root = f[3];
	e->mount_point = f[4];
	e->options = f[5];
	/* optional fields up to " - " */
	sep = p ? strstr(p, "- ") : NULL;
	if (sep == NULL || (sep != p && sep[-1] != ' '))
		return -1;
	e->optional = p;
	if (sep != p)
		sep[-1] = '\0';
	else
		e->optional = "";
	p = sep + 2;
	if ((e->fstype = next_field(&p)) == NULL || (e->source = next_field(&p)) == NULL)
		return -1;
	e->super_options = p ? p : "";
	unescape(e->root);
	unescape(e->mount_point);
	unescape(e->source);
	return 0;
}

int husk_mountinfo_read(const char *path, struct husk_mountinfo *mi)
{
	struct husk_error err = {0};
	size_t len, cap = 0;
	char *line;

	*mi = (struct husk_mountinfo){0};
	if (read_file_at(AT_FDCWD, path, &mi->buf, &len, &err) < 0) {
		free(err.msg);
		errno = err.status ? err.status : EIO;
		return -1;
	}
	for (line = mi->buf; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (mi->n == cap) {
			cap = cap ? cap * 2 : 64;
			mi->v = realloc(mi->v, cap * sizeof(*mi->v));
			if (mi->v == NULL)
				abort();
		}
		if (parse_line(line, &mi->v[mi->n]) == 0)
			mi->n++;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

void husk_mountinfo_clear(struct husk_mountinfo *mi)
{
	free(mi->v);
	free(mi->buf);
	*mi = (struct husk_mountinfo){0};
}

bool husk_path_has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const struct husk_mountinfo_entry *husk_mountinfo_find_parent(const struct husk_mountinfo *mi,
							      const char *path)
{
	const struct husk_mountinfo_entry *best = NULL;

	/* the longest mount point above `path`; the last one wins (it is on top) */
	for (size_t i = 0; i < mi->n; i++)
		if (husk_path_has_prefix(path, mi->v[i].mount_point) &&
		    (best == NULL || strlen(mi->v[i].mount_point) >= strlen(best->mount_point)))
			best = &mi->v[i];
	return best;
}

bool husk_opt_has(const char *list, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = list; p && *p;) {
		const char *e = strchrnul(p, ',');
		if ((size_t)(e - p) == n && strncmp(p, opt, n) == 0)
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}
