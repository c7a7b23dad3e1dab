/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config's text before yajl sees it: what must be refused (json_prescan)
 * and, for the error, where in the document it is (json_path_at: a small
 * scanner that follows objects, arrays, keys and indices up to an offset).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json-text.h"
#include "utf8.h"

/* deeper than this is refused (yajl_tree_free recurses) */
#define JSON_MAX_DEPTH 64
#define MAX_FRAMES 64

struct frame {
	bool object;
	bool expect_key; /* object: the next string is a key */
	size_t index;	 /* array: the current element */
	const char *key; /* object: the current key (raw text, no quotes) */
	size_t key_len;
};

struct scan {
	struct frame f[MAX_FRAMES];
	size_t depth; /* frames in use; more than MAX_FRAMES are counted only */
};

static struct frame *top(struct scan *sc)
{
	return sc->depth > 0 && sc->depth <= MAX_FRAMES ? &sc->f[sc->depth - 1] : NULL;
}

static void push(struct scan *sc, bool object)
{
	if (sc->depth < MAX_FRAMES)
		sc->f[sc->depth] = (struct frame){.object = object, .expect_key = object};
	sc->depth++;
}

/* the end of the string that starts at s[i] (the opening quote), or len */
static size_t string_end(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return len;
}

static void print_path(const struct scan *sc, char *buf, size_t n)
{
	size_t used = 0, i, depth = sc->depth < MAX_FRAMES ? sc->depth : MAX_FRAMES;
	int w;

	buf[0] = '\0';
	for (i = 0; i < depth && used < n; i++) {
		const struct frame *f = &sc->f[i];

		if (f->object && f->key == NULL)
			break;
		if (f->object)
			w = snprintf(buf + used, n - used, "%s%.*s", used ? "." : "",
				     (int)(f->key_len > 256 ? 256 : f->key_len), f->key);
		else
			w = snprintf(buf + used, n - used, "[%zu]", f->index);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

void json_path_at(const char *s, size_t len, size_t off, char *buf, size_t n)
{
	struct scan sc = {.depth = 0};
	struct frame *t;
	size_t i, end;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		t = top(&sc);
		switch (s[i]) {
		case '{':
		case '[':
			push(&sc, s[i] == '{');
			break;
		case '}':
		case ']':
			if (sc.depth > 0)
				sc.depth--;
			break;
		case ',':
			if (t && t->object) {
				t->expect_key = true;
				t->key = NULL;
			} else if (t) {
				t->index++;
			}
			break;
		case ':':
			if (t)
				t->expect_key = false;
			break;
		case '"':
			end = string_end(s, len, i);
			if (t && t->object && t->expect_key) {
				t->key = s + i + 1;
				/* a key cut at the offset: up to the offset */
				t->key_len = (end < off ? end : off) - (i + 1);
			}
			i = end;
			break;
		default:
			break;
		}
	}
	print_path(&sc, buf, n);
}

/*
 * One pass before yajl: reject what the tree cannot represent faithfully
 * (NUL bytes, "\u0000" in strings: C strings would cut them short), nesting
 * deep enough to matter for yajl_tree_free's recursion, and what yajl's tree
 * parser would let through although it is not JSON (RFC 8259):
 *  - comments: yajl_tree_parse() turns yajl_allow_comments on and offers no
 *    way to turn it off; outside strings JSON has no '/', so one is refused;
 *  - bytes that are not UTF-8: yajl checks only the shape of a sequence and
 *    takes overlong forms, surrogates, code points above U+10FFFF and the
 *    lead bytes 0xF5..0xF7.  Checked strictly here, everywhere in the text,
 *    so each of the variants gets the same message.
 * On error, `why` holds the reason with its line and column (in bytes).
 */
bool json_prescan(const char *s, size_t len, char *why, size_t why_len, size_t *at)
{
	bool in_str = false;
	unsigned depth = 0;
	size_t line = 1, line_start = 0;
	const char *bad = NULL;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\0') {
			bad = "NUL byte in the text";
			break;
		}
		if (ch == '\n') {
			line++;
			line_start = i + 1;
		}
		if (ch >= 0x80) {
			size_t n = utf8_char_len((const unsigned char *)s + i, len - i);
			if (n == 0) {
				bad = "invalid UTF-8";
				break;
			}
			i += n - 1;
			continue;
		}
		if (in_str) {
			if (ch == '\\' && i + 1 < len) {
				i++;
				if (s[i] == 'u' && i + 4 < len &&
				    memcmp(s + i + 1, "0000", 4) == 0) {
					bad = "`\\u0000` in a string";
					i--; /* at the backslash */
					break;
				}
			} else if (ch == '"') {
				in_str = false;
			}
			continue;
		}
		if (ch == '"') {
			in_str = true;
		} else if (ch == '/') {
			bad = "comments are not allowed";
			break;
		} else if (ch == '[' || ch == '{') {
			if (++depth > JSON_MAX_DEPTH) {
				bad = "nested too deep";
				break;
			}
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	if (bad == NULL)
		return true;
	snprintf(why, why_len, "%s at line %zu, column %zu", bad, line, i - line_start + 1);
	*at = i;
	return false;
}
