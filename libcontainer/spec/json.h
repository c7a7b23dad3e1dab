/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed access to a yajl tree for the parser (spec/ only).  A jctx carries
 * the file name and the JSON path of the value being read, so every error
 * reads "config.json: linux.namespaces[2].type: <why>".
 *
 * Strings are taken out of the tree, not copied: the tree is freed right
 * after parsing and its string slots are left NULL (yajl_tree_free frees
 * NULL happily).
 *
 * Field functions look `key` up in object `o` (the last occurrence wins, as
 * in Go's encoding/json; null counts as absent) and return 1 when set, 0 when
 * absent (the output is untouched), -1 on error.  With J_REQ an absent field
 * is an error.
 */
#ifndef HUSK_SPEC_JSON_H
#define HUSK_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "husk/error.h"

#define JPATH_MAX 512

struct jctx {
	const char *file;
	struct husk_error *err;
	size_t len;
	char path[JPATH_MAX];
};

enum { J_OPT = 0, J_REQ = 1 };

void jctx_init(struct jctx *c, const char *file, struct husk_error *err);

/* "<file>: <path>: <msg>"; returns -1. */
int jerr(struct jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<file>: <path>.<key>: <msg>"; returns -1. */
int jerr_at(struct jctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Path building: push returns a mark for jp_pop. */
size_t jp_key(struct jctx *c, const char *key);
size_t jp_idx(struct jctx *c, size_t i);
static inline void jp_pop(struct jctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

/* The value of `key` in object `o` (NULL if absent or null). */
yajl_val jget(yajl_val o, const char *key);
const char *jtype(yajl_val v); /* "a string", "a number", ... */

/* Value conversions, errors at the current path. */
int jv_obj(struct jctx *c, yajl_val v);
int jv_str(struct jctx *c, yajl_val v, char **out); /* takes the string */
int jv_u64(struct jctx *c, yajl_val v, uint64_t *out);
int jv_i64(struct jctx *c, yajl_val v, int64_t *out);
/* unsigned in [0, max] named `what` ("uint32") */
int jv_uint(struct jctx *c, yajl_val v, uint64_t max, const char *what, uint64_t *out);
/* signed in [min, max] named `what` ("int32") */
int jv_int(struct jctx *c, yajl_val v, int64_t min, int64_t max, const char *what, int64_t *out);

/* Field conversions. */
int j_obj(struct jctx *c, yajl_val o, const char *key, int flags, yajl_val *out);
int j_arr(struct jctx *c, yajl_val o, const char *key, int flags, yajl_val *out);
int j_str(struct jctx *c, yajl_val o, const char *key, int flags, char **out);
/* A string field that is only looked at, not taken (enum names). */
int j_str_peek(struct jctx *c, yajl_val o, const char *key, int flags, const char **out);
int j_bool(struct jctx *c, yajl_val o, const char *key, int flags, bool *out);
int j_u64(struct jctx *c, yajl_val o, const char *key, int flags, uint64_t *out);
int j_i64(struct jctx *c, yajl_val o, const char *key, int flags, int64_t *out);
int j_u32(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t *out);
int j_u16(struct jctx *c, yajl_val o, const char *key, int flags, uint16_t *out);
int j_i32(struct jctx *c, yajl_val o, const char *key, int flags, int32_t *out);
int j_int(struct jctx *c, yajl_val o, const char *key, int flags, int *out);
int j_uint(struct jctx *c, yajl_val o, const char *key, int flags, unsigned int *out);
/* Array of strings -> NULL-terminated list (strings taken). */
int j_strv(struct jctx *c, yajl_val o, const char *key, int flags, char ***out);
/* Array of uint32, each at most `max`. */
int j_u32v(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t max, uint32_t **out,
	   size_t *n);
/* Integers in [min, max]: "`<raw text>` is out of range [min, max]" past them. */
int jv_u32_in(struct jctx *c, yajl_val v, uint32_t min, uint32_t max, uint32_t *out);
int j_u32_in(struct jctx *c, yajl_val o, const char *key, int flags, uint32_t min, uint32_t max,
	     uint32_t *out);
int j_i64_in(struct jctx *c, yajl_val o, const char *key, int flags, int64_t min, int64_t max,
	     int64_t *out);

/*
 * Array of objects: allocates *n elements of `size` bytes (zeroed, *n set
 * before the first element is parsed, so a partial result frees cleanly)
 * and calls fn on each, with the path at key[i].
 */
typedef int (*j_elem_fn)(struct jctx *c, yajl_val elem, void *out);
int j_each(struct jctx *c, yajl_val o, const char *key, int flags, size_t size, void *out,
	   size_t *n, j_elem_fn fn);
/* Object as a map: like j_each with the member's key (taken) passed along. */
typedef int (*j_member_fn)(struct jctx *c, char *key, yajl_val val, void *out);
int j_map(struct jctx *c, yajl_val o, const char *key, int flags, size_t size, void *out, size_t *n,
	  j_member_fn fn);
/* Object of strings -> husk_kv array (keys and values taken). */
struct husk_kv;
int j_kv(struct jctx *c, yajl_val o, const char *key, int flags, struct husk_kv **out, size_t *n);

/*
 * Parse text into a tree: NUL-terminated at len, no NUL inside, no `\u0000`
 * escape (C strings could not hold it), nesting at most 64 deep.
 * Errors: "<file>: invalid JSON: <first line of yajl's message>".
 */
yajl_val jparse(const char *json, size_t len, const char *file, struct husk_error *err);

/* ---- writing (json-write.c): every JSON text husk produces ---- */

/*
 * A JSON text under construction.  Calls follow the document's shape:
 * jw_key before each member's value, values anywhere a value may stand.
 * `indent` NULL gives one compact line; else members and elements go one per
 * line, indented by `indent` per level (Go's json.MarshalIndent layout), with
 * a final newline.  Out of memory aborts, as xmalloc does.
 */
struct jw {
	char *buf;
	size_t len, cap;
	const char *indent;
	unsigned depth;
	bool first;	/* nothing written yet inside the innermost object/array */
	bool after_key; /* a key was written: its value comes next */
};

void jw_init(struct jw *w, const char *indent);
/* The text (malloc'd); the writer is left empty. */
char *jw_finish(struct jw *w);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
/* A string value; NULL writes "" (an unset field of a Go struct). */
void jw_str(struct jw *w, const char *s);
void jw_str_n(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A value that is already JSON text (a number read back, a document), as it is. */
void jw_raw(struct jw *w, const char *json);

/* key + value in one call */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ku64(struct jw *w, const char *key, uint64_t v);
void jw_ki64(struct jw *w, const char *key, int64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

/*
 * The one JSON string escaper: s[0..n) as a JSON string literal, quotes
 * included, appended to w (json_quote: malloc'd).  `"` and `\` are escaped;
 * control characters (U+0000..U+001F, DEL) as \n \r \t \b \f or \u00XX;
 * U+2028 and U+2029 as \u2028 and \u2029 (as Go does: JavaScript reads them as
 * line ends); a byte that does not start well-formed UTF-8 as the four
 * characters `\xNN`, the same text error.c's messages show for it.
 */
void jw_quote(struct jw *w, const char *s, size_t n);
char *json_quote(const char *s, size_t n);

#endif
