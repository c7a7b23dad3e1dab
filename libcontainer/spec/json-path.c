/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where in the document a byte offset lies, as a JSON path: a small scanner
 * that follows objects, arrays, keys and indices up to the offset, for the
 * errors that the pre-parse check finds (json.c: prescan).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json-path.h"

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
