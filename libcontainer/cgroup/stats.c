/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Usage counters of a container's cgroup (for `events --stats`): the
 * readers the layouts share.  stats-v1.c reads the v1 hierarchies,
 * stats-v2.c the cgroup2 directory; each backend picks (hybrid: each
 * controller where it lives).  A missing file reads as 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "cgroup-internal.h"

uint64_t cg_read_u64(const char *dir, const char *file)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	uint64_t n = 0;

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	if (strcmp(v, "max") == 0)
		return UINT64_MAX;
	if (parse_u64(v, &n) < 0)
		return 0;
	return n;
}

uint64_t cg_read_key(const char *dir, const char *file, const char *key)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	size_t len = strlen(key);

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	for (char *l = v; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, len) == 0 && l[len] == ' ') {
			char *end = strchr(l + len + 1, '\n');
			cleanup_free char *num =
			    end ? strndup(l + len + 1, (size_t)(end - l - len - 1))
				: xstrdup(l + len + 1);
			uint64_t n = 0;
			if (num && parse_u64(num, &n) == 0)
				return n;
			return 0;
		}
	}
	return 0;
}

void cg_read_u64_list(const char *dir, const char *file, uint64_t **out, size_t *n)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	*out = NULL;
	*n = 0;
	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *t = strtok_r(v, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		uint64_t x, *p;
		if (parse_u64(t, &x) < 0)
			continue;
		p = realloc(*out, (*n + 1) * sizeof **out);
		if (p == NULL)
			return;
		*out = p;
		(*out)[(*n)++] = x;
	}
}

/* runc's cpuset stats */
void cg_read_range_list(const char *dir, const char *file, uint16_t **out, size_t *n)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	*out = NULL;
	*n = 0;
	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *t = strtok_r(v, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save)) {
		unsigned lo, hi;
		int k = sscanf(t, "%u-%u", &lo, &hi);
		if (k < 1)
			continue;
		if (k == 1)
			hi = lo;
		for (unsigned x = lo; x <= hi && x <= UINT16_MAX; x++) {
			uint16_t *p = realloc(*out, (*n + 1) * sizeof **out);
			if (p == NULL)
				return;
			*out = p;
			(*out)[(*n)++] = (uint16_t)x;
		}
	}
}

void cg_read_mem_raw(const char *dir, struct husk_cgroup_stats *st)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	if (dir == NULL || cg_read(dir, "memory.stat", &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		struct husk_kv *p;
		uint64_t x;

		if (sp == NULL || parse_u64(sp + 1, &x) < 0)
			continue;
		p = realloc(st->mem_raw, (st->n_mem_raw + 1) * sizeof *p);
		if (p == NULL)
			return;
		st->mem_raw = p;
		p[st->n_mem_raw].key = strndup(l, (size_t)(sp - l));
		p[st->n_mem_raw].value = xstrdup(sp + 1);
		if (p[st->n_mem_raw].key == NULL)
			abort();
		st->n_mem_raw++;
	}
}

void cg_blkio_add(struct husk_cgroup_stats *st, int kind, uint64_t major, uint64_t minor,
		  const char *op, uint64_t value)
{
	struct husk_cgroup_blkio_entry *p;

	p = realloc(st->blkio[kind], (st->n_blkio[kind] + 1) * sizeof *p);
	if (p == NULL)
		return;
	st->blkio[kind] = p;
	p += st->n_blkio[kind]++;
	p->major = major;
	p->minor = minor;
	p->value = value;
	snprintf(p->op, sizeof p->op, "%s", op);
}

bool cg_hugepage_name(const char *dirent, char *out, size_t len)
{
	unsigned long long kb;

	if (sscanf(dirent, "hugepages-%llukB", &kb) != 1)
		return false;
	if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
		snprintf(out, len, "%lluGB", kb / (1024 * 1024));
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(out, len, "%lluMB", kb / 1024);
	else
		snprintf(out, len, "%lluKB", kb);
	return true;
}

void cg_hugetlb_add(struct husk_cgroup_stats *st, const struct husk_cgroup_hugetlb *h)
{
	struct husk_cgroup_hugetlb *p = realloc(st->hugetlb, (st->n_hugetlb + 1) * sizeof *p);

	if (p == NULL)
		return;
	st->hugetlb = p;
	p[st->n_hugetlb++] = *h;
}

void husk_cgroup_stats_clear(struct husk_cgroup_stats *st)
{
	free(st->percpu);
	free(st->percpu_kernel);
	free(st->percpu_user);
	for (size_t i = 0; i < st->n_mem_raw; i++) {
		free(st->mem_raw[i].key);
		free(st->mem_raw[i].value);
	}
	free(st->mem_raw);
	free(st->cpuset.cpus);
	free(st->cpuset.mems);
	for (size_t k = 0; k < ARRAY_SIZE(st->blkio); k++)
		free(st->blkio[k]);
	free(st->hugetlb);
	memset(st, 0, sizeof *st);
}
