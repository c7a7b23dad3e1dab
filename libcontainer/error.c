/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/error.h"
#include "husk/husk.h"
#include "utf8.h"
#include "utils.h"

/*
 * Every message is one line of valid UTF-8 of bounded size, whatever the
 * user put in the values it quotes (an id with a newline, a 50 MB
 * cgroupsPath): control characters and bytes that are not UTF-8 are escaped
 * (\n, \xff), a value quoted in backticks (or double quotes, as in runc's
 * `exec: "<arg>": executable file not found`) keeps at most QUOTE_MAX bytes and
 * the whole message at most MSG_MAX, the cut marked with "…".  Applied to
 * each message as it is set or wrapped (idempotent).  A child's message must
 * also fit one sync message (64 KiB).
 */
#define QUOTE_MAX 256
#define MSG_MAX 4096
#define ELLIPSIS "\xe2\x80\xa6"

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->s == NULL)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *s2 = realloc(b->s, cap);
		if (s2 == NULL) {
			free(b->s);
			b->s = NULL;
			return;
		}
		b->s = s2;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* One character of msg at *p into b (escaped when needed); advances *p. */
static void put_char(struct buf *b, const char **p)
{
	const unsigned char *u = (const unsigned char *)*p;
	char esc[8];
	size_t n;

	if (*u == '\n' || *u == '\t' || *u == '\r') {
		esc[0] = '\\';
		esc[1] = *u == '\n' ? 'n' : *u == '\t' ? 't' : 'r';
		put(b, esc, 2);
		*p += 1;
		return;
	}
	n = *u < 0x20 || *u == 0x7f ? 0 : utf8_char_len(u, strnlen(*p, 4));
	if (n == 0) {
		snprintf(esc, sizeof esc, "\\x%02x", *u);
		put(b, esc, 4);
		*p += 1;
		return;
	}
	put(b, *p, n);
	*p += n;
}

static char *tidy(char *msg)
{
	struct buf b = {.s = malloc(256), .cap = 256};
	const char *p = msg;

	if (b.s == NULL)
		return msg;
	b.s[0] = '\0';
	while (*p) {
		size_t start, cut;
		bool over = false;

		char q = *p;

		if (q != '`' && q != '"') {
			put_char(&b, &p);
			continue;
		}
		/* a quoted value: copy up to QUOTE_MAX bytes of it, skip the rest */
		put(&b, p++, 1);
		start = cut = b.len;
		while (*p && *p != q) {
			if (over) {
				p++;
				continue;
			}
			put_char(&b, &p);
			if (b.s == NULL)
				break;
			if (b.len - start <= QUOTE_MAX - strlen(ELLIPSIS))
				cut = b.len;
			if (b.len - start > QUOTE_MAX)
				over = true;
		}
		if (b.s && over) {
			b.len = cut;
			put(&b, ELLIPSIS, strlen(ELLIPSIS));
		}
		if (*p == q)
			put(&b, p++, 1);
		if (b.s == NULL)
			break;
	}
	if (b.s == NULL)
		return msg;
	if (b.len > MSG_MAX) {
		size_t n = MSG_MAX - strlen(ELLIPSIS);
		while (n > 0 && ((unsigned char)b.s[n] & 0xc0) == 0x80)
			n--;
		b.len = n;
		put(&b, ELLIPSIS, strlen(ELLIPSIS));
	}
	free(msg);
	return b.s;
}

static int set_msg(struct husk_error *err, int status, char *msg)
{
	if (err == NULL || err->msg != NULL) {
		free(msg);
		return -1;
	}
	err->status = status;
	err->msg = tidy(msg);
	return -1;
}

int husk_error_set(struct husk_error *err, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		msg = strdup("out of memory");
	return set_msg(err, status, msg);
}

int husk_error_errno(struct husk_error *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *head = NULL, *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head == NULL || asprintf(&msg, "%s: %s", head, strerror(saved)) < 0)
		msg = strdup("out of memory");
	free(head);
	set_msg(err, saved, msg);
	errno = saved;
	return -1;
}

int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
{
	va_list ap;
	char *head = NULL, *msg = NULL;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head == NULL)
		return -1;
	if (asprintf(&msg, "%s: %s", head, err->msg ? err->msg : "unknown error") < 0) {
		free(head);
		return -1;
	}
	free(head);
	free(err->msg);
	err->msg = tidy(msg);
	return -1;
}

void husk_error_clear(struct husk_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->status = 0;
}

void husk_warn(const struct husk_ctx *ctx, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	if (ctx == NULL || ctx->warn == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	ctx->warn(ctx->warn_data, msg);
	free(msg);
}
