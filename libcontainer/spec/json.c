/* SPDX-License-Identifier: Apache-2.0 */
/* Typed access to a yajl tree, with JSON paths in errors (see json.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"
#include "spec/spec.h"
#include "json-text.h"
#include "utils.h"

void jctx_init(struct jctx *c, const char *file, struct husk_error *err)
{
	c->file = file;
	c->err = err;
	c->len = 0;
	c->path[0] = '\0';
}

static int verr(struct jctx *c, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int verr(struct jctx *c, const char *key, const char *fmt, va_list ap)
{
	char msg[512];
	size_t mark = c->len;

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (key)
		jp_key(c, key);
	/* user values (keys, strings) may hold newlines: husk_error_set escapes them */
	if (c->len == 0)
		husk_error_set(c->err, EINVAL, "%s: %s", c->file, msg);
	else
		husk_error_set(c->err, EINVAL, "%s: %s: %s", c->file, c->path, msg);
	jp_pop(c, mark);
	return -1;
}

int jerr(struct jctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int jerr_at(struct jctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, key, fmt, ap);
	va_end(ap);
	return -1;
}

static void jp_append(struct jctx *c, const char *s)
{
	size_t n = strlen(s);

	if (c->len + n >= sizeof c->path) {
		/* too long to show whole: end it with "..." */
		n = sizeof c->path - 1 - c->len;
		memcpy(c->path + c->len, s, n);
		c->len += n;
		c->path[c->len] = '\0';
		if (c->len >= 3)
			memcpy(c->path + c->len - 3, "...", 3);
		return;
	}
	memcpy(c->path + c->len, s, n + 1);
	c->len += n;
}

static bool plain_key(const char *k)
{
	if (*k == '\0')
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return false;
	return true;
}

size_t jp_key(struct jctx *c, const char *key)
{
	size_t mark = c->len;

	if (plain_key(key)) {
		if (c->len > 0)
			jp_append(c, ".");
		jp_append(c, key);
	} else {
		/* keys like "net.ipv4.ip_forward" or "io.k8s/x": name them as a string */
		jp_append(c, "[\"");
		jp_append(c, key);
		jp_append(c, "\"]");
	}
	return mark;
}

size_t jp_idx(struct jctx *c, size_t i)
{
	char buf[32];
	size_t mark = c->len;

	snprintf(buf, sizeof buf, "[%zu]", i);
	jp_append(c, buf);
	return mark;
}

yajl_val jget(yajl_val o, const char *key)
{
	if (!YAJL_IS_OBJECT(o))
		return NULL;
	for (size_t i = o->u.object.len; i-- > 0;) {
		const char *k = o->u.object.keys[i];
		if (k && strcmp(k, key) == 0) {
			yajl_val v = o->u.object.values[i];
			return YAJL_IS_NULL(v) ? NULL : v;
		}
	}
	return NULL;
}

const char *jtype(yajl_val v)
{
	if (v == NULL || YAJL_IS_NULL(v))
		return "null";
	if (YAJL_IS_STRING(v))
		return "a string";
	if (YAJL_IS_NUMBER(v))
		return "a number";
	if (YAJL_IS_OBJECT(v))
		return "an object";
	if (YAJL_IS_ARRAY(v))
		return "an array";
	return "a boolean";
}

int jv_obj(struct jctx *c, yajl_val v)
{
	if (!YAJL_IS_OBJECT(v))
		return jerr(c, "expected an object, got %s", jtype(v));
	return 0;
}

int jv_str(struct jctx *c, yajl_val v, char **out)
{
	if (!YAJL_IS_STRING(v))
		return jerr(c, "expected a string, got %s", jtype(v));
	free(*out);
	*out = steal_pointer(&v->u.string);
	return 0;
}

/* Digits only after an optional '-': JSON's integers (no fraction, no exponent). */
static bool integer_text(const char *s, bool *neg)
{
	*neg = *s == '-';
	if (*neg)
		s++;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "an int64", "a uint32" */
static const char *art(const char *what)
{
	return what[0] == 'i' ? "an" : "a";
}

static int number_text(struct jctx *c, yajl_val v, const char *what, const char **raw, bool *neg)
{
	const char *article = art(what);

	if (!YAJL_IS_NUMBER(v))
		return jerr(c, "expected %s %s, got %s", article, what, jtype(v));
	*raw = v->u.number.r;
	if (!integer_text(*raw, neg))
		return jerr(c, "expected %s %s, got `%s`", article, what, *raw);
	return 0;
}

int jv_u64(struct jctx *c, yajl_val v, uint64_t *out)
{
	return jv_uint(c, v, UINT64_MAX, "uint64", out);
}

int jv_uint(struct jctx *c, yajl_val v, uint64_t max, const char *what, uint64_t *out)
{
	const char *raw;
	bool neg;
	uint64_t x = 0;

	if (number_text(c, v, what, &raw, &neg) < 0)
		return -1;
	if (neg)
		return jerr(c, "expected %s %s, got `%s`", art(what), what, raw);
	for (const char *p = raw; *p; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return jerr(c, "expected %s %s, got `%s`", art(what), what, raw);
		x = x * 10 + d;
	}
	if (x > max)
		return jerr(c, "expected %s %s, got `%s`", art(what), what, raw);
	*out = x;
	return 0;
}

int jv_i64(struct jctx *c, yajl_val v, int64_t *out)
{
	return jv_int(c, v, INT64_MIN, INT64_MAX, "int64", out);
}

int jv_int(struct jctx *c, yajl_val v, int64_t min, int64_t max, const char *what, int64_t *out)
{
	const char *raw;
	bool neg;
	uint64_t x = 0, limit;
	int64_t r;

	if (number_text(c, v, what, &raw, &neg) < 0)
		return -1;
	/* magnitude limit: |INT64_MIN| for negatives */
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (const char *p = raw + neg; *p; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (limit - d) / 10)
			return jerr(c, "expected %s %s, got `%s`", art(what), what, raw);
		x = x * 10 + d;
	}
	if (neg)
		r = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	else
		r = (int64_t)x;
	if (r < min || r > max)
		return jerr(c, "expected %s %s, got `%s`", art(what), what, raw);
	*out = r;
	return 0;
}

/* Look a field up, push its path; 0 absent (or error when required), 1 found. */
static int field(struct jctx *c, yajl_val o, const char *key, int flags, yajl_val *v, size_t *mark)
{
	*v = jget(o, key);
	if (*v == NULL) {
		if (flags & J_REQ)
			return jerr_at(c, key, "missing required field");
		return 0;
	}
	*mark = jp_key(c, key);
	return 1;
}

#define FIELD(conv)                                                                                \
	yajl_val v;                                                                                \
	size_t mark = 0;                                                                           \
	int r = field(c, o, key, flags, &v, &mark);                                                \
	if (r <= 0)                                                                                \
		return r;                                                                          \
	r = (conv);                                                                                \
	jp_pop(c, mark);                                                                           \
	return r < 0 ? -1 : 1

int j_obj(struct jctx *c, yajl_val o, const char *key, int flags, yajl_val *out)
{
	FIELD((*out = v, jv_obj(c, v)));
}

static int jv_arr(struct jctx *c, yajl_val v)
{
	if (!YAJL_IS_ARRAY(v))
		return jerr(c, "expected an array, got %s", jtype(v));
	return 0;
}

int j_arr(struct jctx *c, yajl_val o, const char *key, int flags, yajl_val *out)
{
	FIELD((*out = v, jv_arr(c, v)));
}

int j_str(struct jctx *c, yajl_val o, const char *key, int flags, char **out)
{
	FIELD(jv_str(c, v, out));
}

static int jv_str_peek(struct jctx *c, yajl_val v, const char **out)
{
	if (!YAJL_IS_STRING(v))
		return jerr(c, "expected a string, got %s", jtype(v));
	*out = v->u.string;
	return 0;
}

int j_str_peek(struct jctx *c, yajl_val o, const char *key, int flags, const char **out)
{
	FIELD(jv_str_peek(c, v, out));
}

static int jv_bool(struct jctx *c, yajl_val v, bool *out)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return jerr(c, "expected a boolean, got %s", jtype(v));
	*out = YAJL_IS_TRUE(v);
	return 0;
}

int j_bool(struct jctx *c, yajl_val o, const char *key, int flags, bool *out)
{
	FIELD(jv_bool(c, v, out));
}

int j_u64(struct jctx *c, yajl_val o, const char *key, int flags, uint64_t *out)
{
	FIELD(jv_u64(c, v, out));
}

int j_i64(struct jctx *c, yajl_val o, const char *key, int flags, int64_t *out)
{
	FIELD(jv_i64(c, v, out));
}

static int u_bounded(struct jctx *c, yajl_val v, uint64_t max, const char *what, void *out,
		     size_t size)
{
	uint64_t x;

	if (jv_uint(c, v, max, what, &x) < 0)
		return -1;
	if (size == 2)
		*(uint16_t *)out = (uint16_t)x;
	else if (size == 4)
		*(uint32_t *)out = (uint32_t)x;
	else
		*(uint64_t *)out = x;
	return 0;
}

int jv_u32_in(struct jctx *c, yajl_val v, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t x;

	if (jv_uint(c, v, UINT32_MAX, "uint32", &x) < 0)
		return -1;
	if (x < min || x > max)
		return jerr(c, "`%s` is out of range [%" PRIu32 ", %" PRIu32 "]", v->u.number.r,
			    min, max);
	*out = (uint32_t)x;
	return 0;
}

int j_u32_in(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t min, uint32_t max,
	     uint32_t *out)
{
	FIELD(jv_u32_in(c, v, min, max, out));
}

static int jv_i64_in(struct jctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
	int64_t x;

	if (jv_i64(c, v, &x) < 0)
		return -1;
	if (x < min || x > max)
		return jerr(c, "`%s` is out of range [%" PRId64 ", %" PRId64 "]", v->u.number.r,
			    min, max);
	*out = x;
	return 0;
}

int j_i64_in(struct jctx *c, yajl_val o, const char *key, int flags, int64_t min, int64_t max,
	     int64_t *out)
{
	FIELD(jv_i64_in(c, v, min, max, out));
}

int j_u32(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t *out)
{
	FIELD(u_bounded(c, v, UINT32_MAX, "uint32", out, sizeof *out));
}

int j_u16(struct jctx *c, yajl_val o, const char *key, int flags, uint16_t *out)
{
	FIELD(u_bounded(c, v, UINT16_MAX, "uint16", out, sizeof *out));
}

int j_uint(struct jctx *c, yajl_val o, const char *key, int flags, unsigned int *out)
{
	FIELD(u_bounded(c, v, UINT32_MAX, "uint32", out, sizeof *out));
}

static int i_bounded(struct jctx *c, yajl_val v, int64_t min, int64_t max, const char *what,
		     int32_t *out)
{
	int64_t x;

	if (jv_int(c, v, min, max, what, &x) < 0)
		return -1;
	*out = (int32_t)x;
	return 0;
}

int j_i32(struct jctx *c, yajl_val o, const char *key, int flags, int32_t *out)
{
	FIELD(i_bounded(c, v, INT32_MIN, INT32_MAX, "int32", out));
}

int j_int(struct jctx *c, yajl_val o, const char *key, int flags, int *out)
{
	_Static_assert(sizeof(int) == sizeof(int32_t), "int is 32 bits");
	FIELD(i_bounded(c, v, INT32_MIN, INT32_MAX, "int32", (int32_t *)out));
}

static int jv_strv(struct jctx *c, yajl_val v, char ***out)
{
	size_t n;
	char **list;

	if (jv_arr(c, v) < 0)
		return -1;
	n = v->u.array.len;
	for (size_t i = 0; i < n; i++) {
		if (!YAJL_IS_STRING(v->u.array.values[i])) {
			size_t mark = jp_idx(c, i);
			jerr(c, "expected a string, got %s", jtype(v->u.array.values[i]));
			jp_pop(c, mark);
			return -1;
		}
	}
	list = xmalloc0((n + 1) * sizeof *list);
	for (size_t i = 0; i < n; i++)
		list[i] = steal_pointer(&v->u.array.values[i]->u.string);
	strv_free(*out);
	*out = list;
	return 0;
}

int j_strv(struct jctx *c, yajl_val o, const char *key, int flags, char ***out)
{
	FIELD(jv_strv(c, v, out));
}

static int jv_u32v(struct jctx *c, yajl_val v, uint32_t max, uint32_t **out, size_t *n)
{
	cleanup_free uint32_t *list = NULL;

	if (jv_arr(c, v) < 0)
		return -1;
	list = xmalloc0((v->u.array.len + 1) * sizeof *list);
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mark = jp_idx(c, i);
		if (jv_u32_in(c, v->u.array.values[i], 0, max, &list[i]) < 0)
			return -1;
		jp_pop(c, mark);
	}
	free(*out);
	*out = steal_pointer(&list);
	*n = v->u.array.len;
	return 0;
}

int j_u32v(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t max, uint32_t **out,
	   size_t *n)
{
	FIELD(jv_u32v(c, v, max, out, n));
}

static int jv_each(struct jctx *c, yajl_val v, size_t size, void *out, size_t *n, j_elem_fn fn)
{
	char *elems;

	if (jv_arr(c, v) < 0)
		return -1;
	if (*(void **)out != NULL)
		return jerr(c, "listed twice"); /* cannot happen: one lookup per field */
	elems = xmalloc0((v->u.array.len ? v->u.array.len : 1) * size);
	*(void **)out = elems;
	*n = v->u.array.len;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		size_t mark = jp_idx(c, i);
		if (jv_obj(c, e) < 0 || fn(c, e, elems + i * size) < 0)
			return -1;
		jp_pop(c, mark);
	}
	return 0;
}

int j_each(struct jctx *c, yajl_val o, const char *key, int flags, size_t size, void *out,
	   size_t *n, j_elem_fn fn)
{
	FIELD(jv_each(c, v, size, out, n, fn));
}

static int cmp_key_index(const void *a, const void *b, void *keys_)
{
	const char *const *keys = keys_;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(keys[x], keys[y]);

	return r ? r : (x < y ? -1 : x > y);
}

/*
 * skip[i]: member i of object v is overridden by a later one with the same
 * key (the later one wins, as in Go).  Sorted, so O(n log n) for maps with
 * many keys (annotations).  Called before any key is taken.
 */
static bool *overridden(yajl_val v)
{
	size_t n = v->u.object.len;
	bool *skip = xmalloc0((n ? n : 1) * sizeof *skip);
	cleanup_free size_t *idx = xmalloc0((n ? n : 1) * sizeof *idx);

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, cmp_key_index, (void *)v->u.object.keys);
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(v->u.object.keys[idx[i]], v->u.object.keys[idx[i + 1]]) == 0)
			skip[idx[i]] = true;
	return skip;
}

static int jv_map(struct jctx *c, yajl_val v, size_t size, void *out, size_t *n, j_member_fn fn)
{
	cleanup_free bool *skip = NULL;
	char *elems;

	if (jv_obj(c, v) < 0)
		return -1;
	if (*(void **)out != NULL)
		return jerr(c, "listed twice");
	skip = overridden(v);
	elems = xmalloc0((v->u.object.len ? v->u.object.len : 1) * size);
	*(void **)out = elems;
	*n = 0;
	for (size_t i = 0; i < v->u.object.len; i++) {
		char *k = (char *)v->u.object.keys[i];
		size_t mark;

		if (skip[i])
			continue;
		mark = jp_key(c, k);
		v->u.object.keys[i] = NULL;
		/* counted before the call: a half-parsed member is freed with the rest */
		if (fn(c, k, v->u.object.values[i], elems + (*n)++ * size) < 0)
			return -1;
		jp_pop(c, mark);
	}
	return 0;
}

int j_map(struct jctx *c, yajl_val o, const char *key, int flags, size_t size, void *out, size_t *n,
	  j_member_fn fn)
{
	FIELD(jv_map(c, v, size, out, n, fn));
}

static int kv_member(struct jctx *c, char *key, yajl_val val, void *out)
{
	struct husk_kv *kv = out;

	kv->key = key;
	return jv_str(c, val, &kv->value);
}

int j_kv(struct jctx *c, yajl_val o, const char *key, int flags, struct husk_kv **out, size_t *n)
{
	return j_map(c, o, key, flags, sizeof **out, out, n, kv_member);
}

void husk_kv_free(struct husk_kv *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

yajl_val jparse(const char *json, size_t len, const char *file, struct husk_error *err)
{
	char msg[1024] = "", path[512];
	yajl_val tree;
	char *nl, *m = msg;
	size_t n, at = 0;

	if (!json_prescan(json, len, msg, sizeof msg, &at)) {
		/* the field the bad byte is in; not for nesting (no field to name) */
		path[0] = '\0';
		if (strstr(msg, "nested") == NULL)
			json_path_at(json, len, at, path, sizeof path);
		if (path[0] == '\0')
			return husk_error_set(err, EINVAL, "%s: invalid JSON: %s", file, msg), NULL;
		return husk_error_set(err, EINVAL, "%s: %s: invalid JSON: %s", file, path, msg),
		       NULL;
	}
	tree = yajl_tree_parse(json, msg, sizeof msg);
	if (tree)
		return tree;
	/* yajl's message is several lines (the text, an arrow): keep the first */
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	if (strncmp(m, "parse error: ", 13) == 0)
		m += 13;
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '.' || m[n - 1] == ' '))
		m[--n] = '\0';
	husk_error_set(err, EINVAL, "%s: invalid JSON: %s", file, *m ? m : "unknown error");
	return NULL;
}
