/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON writer and the one string escaper (see json.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"
#include "utf8.h"
#include "utils.h"

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		size_t cap = (w->len + n + 1) * 2;
		char *b = realloc(w->buf, cap < 256 ? 256 : cap);

		if (b == NULL)
			abort(); /* out of memory, as xmalloc */
		w->buf = b;
		w->cap = cap < 256 ? 256 : cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct jw *w, const char *s)
{
	put(w, s, strlen(s));
}

void jw_init(struct jw *w, const char *indent)
{
	memset(w, 0, sizeof *w);
	w->indent = indent;
	w->first = true;
}

char *jw_finish(struct jw *w)
{
	char *out;

	if (w->indent)
		put(w, "\n", 1);
	out = w->buf ? w->buf : xstrdup("");
	jw_init(w, w->indent);
	return out;
}

static void newline(struct jw *w)
{
	if (w->indent == NULL)
		return;
	put(w, "\n", 1);
	for (unsigned i = 0; i < w->depth; i++)
		puts_(w, w->indent);
}

/* Before a value or a key: the separator and, indented, the line break. */
static void before(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first)
		put(w, ",", 1);
	w->first = false;
	newline(w);
}

static void open_(struct jw *w, const char *c)
{
	before(w);
	puts_(w, c);
	w->depth++;
	w->first = true;
}

static void close_(struct jw *w, const char *c)
{
	w->depth--;
	if (!w->first)
		newline(w);
	puts_(w, c);
	/* the container just closed is an element of its parent */
	w->first = false;
}

void jw_obj_begin(struct jw *w)
{
	open_(w, "{");
}

void jw_obj_end(struct jw *w)
{
	close_(w, "}");
}

void jw_arr_begin(struct jw *w)
{
	open_(w, "[");
}

void jw_arr_end(struct jw *w)
{
	close_(w, "]");
}

void jw_key(struct jw *w, const char *key)
{
	before(w);
	jw_quote(w, key, strlen(key));
	puts_(w, w->indent ? ": " : ":");
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	jw_str_n(w, s ? s : "", s ? strlen(s) : 0);
}

void jw_str_n(struct jw *w, const char *s, size_t n)
{
	before(w);
	jw_quote(w, s, n);
}

void jw_u64(struct jw *w, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof num, "%" PRIu64, v);
	jw_raw(w, num);
}

void jw_i64(struct jw *w, int64_t v)
{
	char num[24];

	snprintf(num, sizeof num, "%" PRId64, v);
	jw_raw(w, num);
}

void jw_bool(struct jw *w, bool v)
{
	jw_raw(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	before(w);
	puts_(w, json);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_ku64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

void jw_ki64(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_i64(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

/* The escape of an ASCII control character, `"` or `\`; NULL for the others. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	default:
		return NULL;
	}
}

void jw_quote(struct jw *w, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[8];
	size_t i = 0;

	put(w, "\"", 1);
	while (i < n) {
		size_t k = utf8_char_len(u + i, n - i);
		const char *e = short_escape(u[i]);

		if (e) {
			puts_(w, e);
		} else if (k == 1 && (u[i] < 0x20 || u[i] == 0x7f)) {
			snprintf(esc, sizeof esc, "\\u%04x", u[i]);
			puts_(w, esc);
		} else if (k == 0) {
			/* error.c's rule for bytes that are not UTF-8: `\xNN` */
			snprintf(esc, sizeof esc, "\\\\x%02x", u[i]);
			puts_(w, esc);
			k = 1;
		} else if (k == 3 && u[i] == 0xe2 && u[i + 1] == 0x80 &&
			   (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
			puts_(w, u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
		} else {
			put(w, s + i, k);
		}
		i += k ? k : 1;
	}
	put(w, "\"", 1);
}

char *json_quote(const char *s, size_t n)
{
	struct jw w;

	jw_init(&w, NULL);
	jw_quote(&w, s, n);
	return jw_finish(&w);
}
