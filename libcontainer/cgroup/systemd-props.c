/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd driver's pure part (no D-Bus): the unit for a cgroupsPath, and
 * the unit properties for linux.resources and the annotations, as runc 1.1
 * makes them (libcontainer/cgroups/systemd/{common,v1,v2}.go,
 * specconv.initSystemdProps).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "systemd.h"

void cg_sd_props_clear(struct cg_sd_props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].s);
		free(p->v[i].bytes);
		strv_free(p->v[i].strv);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static struct cg_sd_prop *add(struct cg_sd_props *p, const char *name, char type)
{
	struct cg_sd_prop *n = realloc(p->v, (p->n + 1) * sizeof *n);

	if (n == NULL)
		abort();
	p->v = n;
	n = &p->v[p->n++];
	memset(n, 0, sizeof *n);
	n->name = xstrdup(name);
	n->type = type;
	return n;
}

void cg_sd_add_u64(struct cg_sd_props *p, const char *name, char type, uint64_t v)
{
	add(p, name, type)->u = v;
}

void cg_sd_add_str(struct cg_sd_props *p, const char *name, const char *v)
{
	add(p, name, CG_SD_STR)->s = xstrdup(v);
}

void cg_sd_add_u32v(struct cg_sd_props *p, const char *name, const uint32_t *v, size_t n)
{
	struct cg_sd_prop *e = add(p, name, CG_SD_U32V);

	e->bytes = xmalloc0(n * sizeof *v + 1);
	memcpy(e->bytes, v, n * sizeof *v);
	e->n_bytes = n * sizeof *v;
}

char *cg_sd_prop_text(const struct cg_sd_prop *p)
{
	char *out = NULL;
	int r;

	switch (p->type) {
	case CG_SD_STR:
		r = asprintf(&out, "%s=s '%s'", p->name, p->s);
		break;
	case CG_SD_DOUBLE:
		r = asprintf(&out, "%s=d %g", p->name, p->d);
		break;
	case CG_SD_I16:
	case CG_SD_I32:
	case CG_SD_I64:
		r = asprintf(&out, "%s=%c %" PRId64, p->name, p->type, (int64_t)p->u);
		break;
	case CG_SD_BYTES:
	case CG_SD_U32V:
	case CG_SD_STRV: {
		size_t len = 64;
		char *s;
		for (size_t i = 0; p->strv && p->strv[i]; i++)
			len += strlen(p->strv[i]) + 4;
		len += p->n_bytes * 12;
		s = xmalloc0(len);
		sprintf(s, "%s=%s [", p->name,
			p->type == CG_SD_BYTES	? "ay"
			: p->type == CG_SD_U32V ? "au"
						: "as");
		for (size_t i = 0; p->type == CG_SD_STRV && p->strv[i]; i++)
			sprintf(s + strlen(s), "%s'%s'", i ? " " : "", p->strv[i]);
		for (size_t i = 0; p->type == CG_SD_BYTES && i < p->n_bytes; i++)
			sprintf(s + strlen(s), "%s%u", i ? " " : "", p->bytes[i]);
		for (size_t i = 0; p->type == CG_SD_U32V && i < p->n_bytes / 4; i++) {
			uint32_t v;
			memcpy(&v, p->bytes + 4 * i, 4);
			sprintf(s + strlen(s), "%s%u", i ? " " : "", v);
		}
		strcat(s, "]");
		return s;
	}
	default:
		r = asprintf(&out, "%s=%c %" PRIu64, p->name, p->type, p->u);
	}
	return r < 0 ? NULL : out;
}

void cg_sd_unit_clear(struct cg_sd_unit *u)
{
	free(u->slice);
	free(u->name);
	free(u->path);
	memset(u, 0, sizeof *u);
}

/*
 * "a-b.slice" -> "/a.slice/a-b.slice": systemd's slice nesting, as runc's
 * ExpandSlice spells it ("-.slice" is the root; no "/", no empty part).
 */
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
		*out = xstrdup("");
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

static bool ends_with(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);
	return a >= b && strcmp(s + a - b, sfx) == 0;
}

int cg_sd_parse_path(const char *cgroups_path, const char *id, struct cg_sd_unit *u,
		     struct husk_error *err)
{
	cleanup_free char *s = NULL, *dflt = NULL, *slice_path = NULL;
	char *c1, *c2;

	memset(u, 0, sizeof *u);
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		/* runc: ":runc:<id>" */
		if (asprintf(&dflt, ":husk:%s", id ? id : "") < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		cgroups_path = dflt;
	}
	s = xstrdup(cgroups_path);
	if ((c1 = strchr(s, ':')) == NULL || (c2 = strchr(c1 + 1, ':')) == NULL ||
	    strchr(c2 + 1, ':') != NULL)
		return husk_error_set(err, EINVAL,
				      "`%s`: expected `slice:prefix:name` with the systemd cgroup "
				      "driver",
				      cgroups_path);
	*c1 = *c2 = '\0';
	if (c2[1] == '\0' || strchr(c2 + 1, '/') || strchr(c1 + 1, '/'))
		return husk_error_set(err, EINVAL, "`%s`: invalid unit name", cgroups_path);
	/*
	 * runc makes a slice unit when the name ends in ".slice" (with
	 * Wants=<slice>), and then asks systemd to put the init's pid in it,
	 * which systemd refuses: a slice holds no process.  Refused here.
	 */
	if (ends_with(c2 + 1, ".slice"))
		return husk_error_set(err, EINVAL,
				      "`%s`: the container's unit must be a scope, not a slice",
				      cgroups_path);
	/* an empty slice is runc's default, system.slice (root) */
	u->slice = xstrdup(*s ? s : "system.slice");
	if (expand_slice(u->slice, &slice_path, err) < 0) {
		cg_sd_unit_clear(u);
		return husk_error_wrap(err, "`%s`", cgroups_path);
	}
	/* runc's getUnitName: prefix + "-" + name + ".scope", even with an empty prefix */
	if (asprintf(&u->name, "%s-%s.scope", c1 + 1, c2 + 1) < 0 ||
	    asprintf(&u->path, "%s/%s", slice_path, u->name) < 0) {
		cg_sd_unit_clear(u);
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* "0-3,8" to systemd's CPU/NUMA set: a little-endian bit mask, byte 0 = 0..7 (runc's RangeToBits)
 */
static int list_to_bits(const char *list, const char *field, struct cg_sd_props *p,
			const char *name, struct husk_error *err)
{
	cleanup_free uint8_t *bits = NULL;
	size_t n = 0;
	const char *s = list;

	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s || a > 8191)
			goto bad;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a || b > 8191)
				goto bad;
		}
		if (*end != ',' && *end != '\0')
			goto bad;
		if (b / 8 + 1 > n) {
			uint8_t *nb = realloc(bits, b / 8 + 1);
			if (nb == NULL)
				abort();
			memset(nb + n, 0, b / 8 + 1 - n);
			bits = nb;
			n = b / 8 + 1;
		}
		for (unsigned long i = a; i <= b; i++)
			bits[i / 8] |= 1u << (i % 8);
		s = *end ? end + 1 : end;
	}
	if (n > 0) {
		struct cg_sd_prop *e = add(p, name, CG_SD_BYTES);
		e->bytes = steal_pointer(&bits);
		e->n_bytes = n;
	}
	return 0;
bad:
	return husk_error_set(err, EINVAL, "linux.resources.%s: invalid list `%s`", field, list);
}

/* runc's addCpuQuota: the period as is, the quota per second rounded up to 10 ms */
static void cpu_quota(struct cg_sd_props *p, const struct husk_cpu *c)
{
	int64_t quota = c->has_quota ? c->quota : 0;
	uint64_t period = c->has_period ? c->period : 0;

	if (period != 0)
		cg_sd_add_u64(p, "CPUQuotaPeriodUSec", CG_SD_U64, period);
	if (quota != 0 || period != 0) {
		uint64_t per_sec = UINT64_MAX; /* -1 or no quota: infinity */
		if (quota > 0) {
			per_sec = (uint64_t)quota * 1000000 / (period ? period : 100000);
			if (per_sec % 10000 != 0)
				per_sec = (per_sec / 10000 + 1) * 10000;
		}
		cg_sd_add_u64(p, "CPUQuotaPerSecUSec", CG_SD_U64, per_sec);
	}
}

/* 0: leave alone; -1: infinity (runc passes uint64(-1) to systemd) */
static void limit(struct cg_sd_props *p, const char *name, int64_t v)
{
	if (v != 0)
		cg_sd_add_u64(p, name, CG_SD_U64, v < 0 ? UINT64_MAX : (uint64_t)v);
}

static int memory_props(const struct husk_memory *m, bool v2, struct cg_sd_props *p,
			struct husk_error *err)
{
	int64_t lim = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;

	if (!v2) {
		limit(p, "MemoryLimit", lim);
		return 0;
	}
	limit(p, "MemoryMax", lim);
	if (m->has_reservation)
		limit(p, "MemoryLow", m->reservation);
	/* runc's ConvertMemorySwapToCgroupV2Value: swap.max = memory+swap - memory */
	if (swap == -1)
		cg_sd_add_u64(p, "MemorySwapMax", CG_SD_U64, UINT64_MAX);
	else if (swap > 0 && lim > 0 && swap < lim)
		return husk_error_set(err, EINVAL,
				      "linux.resources.memory.swap: `%" PRId64
				      "` is below the memory limit `%" PRId64 "`",
				      swap, lim);
	else if (swap > 0 && lim > 0)
		cg_sd_add_u64(p, "MemorySwapMax", CG_SD_U64, (uint64_t)(swap - lim));
	return 0;
}

int cg_sd_resource_props(const struct husk_resources *res, bool v2, struct cg_sd_props *p,
			 struct husk_error *err)
{
	if (res == NULL)
		return 0;
	if (res->has_memory && memory_props(&res->memory, v2, p, err) < 0)
		return -1;
	if (res->has_cpu) {
		const struct husk_cpu *c = &res->cpu;
		if (c->has_shares && c->shares != 0)
			cg_sd_add_u64(p, v2 ? "CPUWeight" : "CPUShares", CG_SD_U64,
				      v2 ? cg_shares_to_weight(c->shares) : c->shares);
		cpu_quota(p, c);
		/* AllowedCPUs/AllowedMemoryNodes: systemd 244 and later, as runc checks */
		if (c->cpus && *c->cpus &&
		    list_to_bits(c->cpus, "cpu.cpus", p, "AllowedCPUs", err) < 0)
			return -1;
		if (c->mems && *c->mems &&
		    list_to_bits(c->mems, "cpu.mems", p, "AllowedMemoryNodes", err) < 0)
			return -1;
	}
	/* runc: a positive limit, or -1 for infinity; 0 leaves it alone */
	if (res->has_pids_limit && (res->pids_limit > 0 || res->pids_limit == -1))
		limit(p, "TasksMax", res->pids_limit);
	if (res->has_blkio && res->blkio.has_weight && res->blkio.weight != 0)
		cg_sd_add_u64(p, v2 ? "IOWeight" : "BlockIOWeight", CG_SD_U64,
			      v2 ? cg_blkio_to_io_weight(res->blkio.weight) : res->blkio.weight);
	return 0;
}

/* ---- org.systemd.property.* annotations ---- */

static const struct {
	const char *word;
	char type;
} gv_types[] = {
    {"boolean", CG_SD_BOOL}, {"byte", CG_SD_BYTE},  {"int16", CG_SD_I16},
    {"uint16", CG_SD_U16},   {"int32", CG_SD_I32},  {"uint32", CG_SD_U32},
    {"int64", CG_SD_I64},    {"uint64", CG_SD_U64}, {"double", CG_SD_DOUBLE},
};

/* a leading "uint64 " or "@t ": the type it names, the rest in *rest; 0: none */
static char gv_type_prefix(const char *v, const char **rest)
{
	for (size_t i = 0; i < sizeof gv_types / sizeof gv_types[0]; i++) {
		size_t l = strlen(gv_types[i].word);
		if (strncmp(v, gv_types[i].word, l) == 0 && v[l] == ' ') {
			*rest = v + l + strspn(v + l, " ");
			return gv_types[i].type;
		}
	}
	if (v[0] == '@' && v[1] && strchr("bynqiuxtds", v[1]) && v[2] == ' ') {
		*rest = v + 3 + strspn(v + 3, " ");
		return v[1];
	}
	return 0;
}

/* 'text' or "text", with backslash escapes; *end after the closing quote */
static char *gv_string(const char *v, const char **end)
{
	char q = *v, *out = xmalloc0(strlen(v) + 1), *o = out;

	for (v++; *v && *v != q; v++) {
		if (*v == '\\' && v[1])
			v++;
		*o++ = *v;
	}
	if (*v != q) {
		free(out);
		return NULL;
	}
	*end = v + 1;
	return out;
}

static bool gv_number(const char *v, char type, struct cg_sd_prop *e)
{
	static const struct {
		char t;
		int64_t min;
		uint64_t max;
	} range[] = {
	    {CG_SD_BYTE, 0, UINT8_MAX}, {CG_SD_I16, INT16_MIN, INT16_MAX},
	    {CG_SD_U16, 0, UINT16_MAX}, {CG_SD_I32, INT32_MIN, INT32_MAX},
	    {CG_SD_U32, 0, UINT32_MAX}, {CG_SD_I64, INT64_MIN, INT64_MAX},
	    {CG_SD_U64, 0, UINT64_MAX},
	};
	char *end;

	errno = 0;
	if (type == CG_SD_DOUBLE) {
		e->d = strtod(v, &end);
		e->type = type;
		return end != v && *end == '\0' && errno == 0;
	}
	for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
		if (range[i].t != type)
			continue;
		if (v[0] == '-') {
			long long s = strtoll(v, &end, 0);
			if (range[i].min == 0 || s < range[i].min)
				return false;
			e->u = (uint64_t)s;
		} else {
			unsigned long long u = strtoull(v, &end, 0);
			if (u > range[i].max)
				return false;
			e->u = u;
		}
		e->type = type;
		return end != v && *end == '\0' && errno == 0;
	}
	return false;
}

/* ['a', 'b'] */
static bool gv_strv(const char *v, struct cg_sd_prop *e)
{
	size_t n = 0;

	e->type = CG_SD_STRV;
	e->strv = xmalloc0(sizeof(char *));
	for (v = v + 1 + strspn(v + 1, " "); *v != ']'; v += strspn(v, " ")) {
		const char *end;
		char *s = (*v == '\'' || *v == '"') ? gv_string(v, &end) : NULL;
		if (s == NULL)
			return false;
		e->strv = realloc(e->strv, (n + 2) * sizeof(char *));
		e->strv[n++] = s;
		e->strv[n] = NULL;
		v = end + strspn(end, " ");
		if (*v == ',')
			v++;
		else if (*v != ']')
			return false;
	}
	return v[1 + strspn(v + 1, " ")] == '\0';
}

/*
 * The value as runc's godbus ParseVariant reads GVariant text, for the forms
 * unit properties take: true/false, a number (int32 unless typed: `uint64
 * 5`, `@t 5`; a '.' makes a double), a quoted string, a list of strings.
 */
static bool gv_parse(const char *v, struct cg_sd_prop *e)
{
	const char *rest = NULL, *end = NULL;
	char type;

	v += strspn(v, " ");
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		e->type = CG_SD_BOOL;
		e->u = v[0] == 't';
		return true;
	}
	if (v[0] == '\'' || v[0] == '"') {
		e->type = CG_SD_STR;
		e->s = gv_string(v, &end);
		return e->s && end[strspn(end, " ")] == '\0';
	}
	if (v[0] == '[' || strncmp(v, "@as [", 5) == 0)
		return gv_strv(v[0] == '@' ? v + 4 : v, e);
	type = gv_type_prefix(v, &rest);
	if (type == CG_SD_BOOL) {
		e->type = type;
		e->u = strcmp(rest, "true") == 0;
		return e->u || strcmp(rest, "false") == 0;
	}
	if (type == 0) {
		rest = v;
		type = strpbrk(v, ".eE") && strncmp(v, "0x", 2) ? CG_SD_DOUBLE : CG_SD_I32;
	}
	return gv_number(rest, type, e);
}

/* runc's checkPropertyName: at least 3 ASCII letters, the first upper case */
static bool valid_name(const char *s)
{
	if (strlen(s) < 3 || s[0] < 'A' || s[0] > 'Z')
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
			return false;
	return true;
}

/* runc: a "...Sec" name is the "...USec" property, its value seconds made microseconds */
static bool sec_to_usec(struct cg_sd_prop *e)
{
	size_t l = strlen(e->name);
	char *n;

	if (l < 4 || strcmp(e->name + l - 3, "Sec") != 0 || e->name[l - 4] == 'U' ||
	    e->name[l - 4] == 'N')
		return true;
	if (e->type == CG_SD_DOUBLE)
		e->u = (uint64_t)(e->d * 1000000);
	else if (strchr("ynqiuxt", e->type) && e->type != 0)
		e->u *= 1000000;
	else
		return false;
	e->type = CG_SD_U64;
	n = xmalloc0(l + 2);
	memcpy(n, e->name, l - 3);
	strcat(n, "USec");
	free(e->name);
	e->name = n;
	return true;
}

int cg_sd_annotation_props(const struct husk_kv *ann, size_t n, struct cg_sd_props *p,
			   struct husk_error *err)
{
	static const char pfx[] = "org.systemd.property.";

	for (size_t i = 0; i < n; i++) {
		const char *name = ann[i].key + strlen(pfx);
		struct cg_sd_prop *e;

		if (strncmp(ann[i].key, pfx, strlen(pfx)) != 0)
			continue;
		if (!valid_name(name))
			return husk_error_set(err, EINVAL,
					      "config.json: annotations.%s: `%s` is not a systemd "
					      "property name (ASCII letters, the first upper case)",
					      ann[i].key, name);
		e = add(p, name, 0);
		if (!gv_parse(ann[i].value, e) || !sec_to_usec(e))
			return husk_error_set(err, EINVAL,
					      "config.json: annotations.%s: cannot parse `%s` (a "
					      "boolean, a number with an optional type such as "
					      "`uint64 5`, a quoted string or a list of strings; a "
					      "...Sec one in seconds)",
					      ann[i].key, ann[i].value);
	}
	return 0;
}
