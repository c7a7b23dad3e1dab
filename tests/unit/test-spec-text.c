/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parser takes as JSON text (strict UTF-8, no comments) and the
 * shape of every error message: one line, values escaped and capped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/husk.h"
#include "internal.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define M(e) ((e).msg ? (e).msg : "(no error)")
#define PRE "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r"
#define POST "\"}}"

/* The config with `bytes` inside root.path: NULL when accepted, else the error. */
static char *parse_with(const char *bytes)
{
	char json[256];
	struct husk_error e = {0};
	struct husk_spec *s = NULL;

	snprintf(json, sizeof json, PRE "%s" POST, bytes);
	if (husk_spec_parse(json, strlen(json), "config.json", &s, &e) == 0) {
		husk_spec_free(s);
		return NULL;
	}
	return e.msg;
}

static void test_utf8(void)
{
	/* the bad byte is always the first one, at column strlen(PRE) + 1 */
	static const struct {
		const char *bytes, *what;
	} bad[] = {
	    {"\x80", "a bare continuation byte"},
	    {"\xbf", "a bare continuation byte (0xBF)"},
	    {"\xc0\x80", "0xC0 (overlong NUL)"},
	    {"\xc1\xbf", "0xC1 (overlong 2-byte form)"},
	    {"\xe0\x80\xaf", "an overlong 3-byte form"},
	    {"\xf0\x82\x82\xac", "an overlong 4-byte form"},
	    {"\xed\xa0\x80", "a UTF-16 high surrogate (U+D800)"},
	    {"\xed\xbf\xbf", "a UTF-16 low surrogate (U+DFFF)"},
	    {"\xf4\x90\x80\x80", "a code point above U+10FFFF"},
	    {"\xf5\x80\x80\x80", "lead byte 0xF5"},
	    {"\xff", "byte 0xFF"},
	    {"\xe2\x82", "a sequence cut short"},
	    {"\xc3x", "a lead byte without its continuation"},
	};
	static const char *const good[] = {
	    "\xc2\x80",	    "\xc3\xa9",	    "\xe0\xa0\x80",	"\xed\x9f\xbf",
	    "\xee\x80\x80", "\xef\xbf\xbd", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
	};
	char want[128];

	snprintf(want, sizeof want,
		 "config.json: root.path: invalid JSON: invalid UTF-8 at line 1, column %zu",
		 strlen(PRE) + 1);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *msg = parse_with(bad[i].bytes);
		ok(msg && strcmp(msg, want) == 0, "refuses %s (%s)", bad[i].what,
		   msg ? msg : "accepted");
		free(msg);
	}
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char *msg = parse_with(good[i]);
		ok(msg == NULL, "accepts UTF-8 sequence %zu (%s)", i, msg ? msg : "accepted");
		free(msg);
	}
}

/* errors found before parsing name the field the bad byte is in */
static void test_paths(void)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
	    {"{\"process\": {\"args\": [\"a\", \"b\xff\"]}}",
	     "config.json: process.args[1]: invalid JSON: invalid UTF-8 at line 1, column 30"},
	    {"{\"annotations\": {\"ok\": \"1\", \"k\xc0\x80\": \"v\"}}",
	     "config.json: annotations.k: invalid JSON: invalid UTF-8 at line 1, column 31"},
	    {"{\"mounts\": [{\"destination\": \"/a\"},\n {\"options\": [\"ro\", {\"x\": [1]}, "
	     "\"\xed\xa0\x80\"]}]}",
	     "config.json: mounts[1].options[2]: invalid JSON: invalid UTF-8 at line 2, column 34"},
	};
	struct husk_error e = {0};
	struct husk_spec *s = NULL;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int r =
		    husk_spec_parse(cases[i].json, strlen(cases[i].json), "config.json", &s, &e);
		ok(r < 0 && e.msg && strcmp(e.msg, cases[i].msg) == 0,
		   "the JSON path of a bad byte: %s", M(e));
		husk_error_clear(&e);
	}
}

static void test_comments(void)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
	    {"/* c */ {\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}}",
	     "config.json: invalid JSON: comments are not allowed at line 1, column 1"},
	    {"{\"ociVersion\": \"1.0.0\",\n // c\n \"root\": {\"path\": \"r\"}}",
	     "config.json: invalid JSON: comments are not allowed at line 2, column 2"},
	    {"{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}} /**/",
	     "config.json: invalid JSON: comments are not allowed at line 1, column 48"},
	    {"{\"process\": {\"args\": [\"a\", /* x */ \"b\"]}}",
	     "config.json: process.args[1]: invalid JSON: comments are not allowed at line 1, "
	     "column 28"},
	};
	struct husk_error e = {0};
	struct husk_spec *s = NULL;
	const char *slash = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/a//b/* x */\"}}";

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int r =
		    husk_spec_parse(cases[i].json, strlen(cases[i].json), "config.json", &s, &e);
		ok(r < 0 && e.msg && strcmp(e.msg, cases[i].msg) == 0, "refuses a comment: %s",
		   M(e));
		husk_error_clear(&e);
	}
	ok(husk_spec_parse(slash, strlen(slash), "config.json", &s, &e) == 0,
	   "slashes and comment-like text inside strings are fine (%s)", M(e));
	husk_spec_free(s);
	husk_error_clear(&e);
}

static void test_error_shape(void)
{
	struct husk_error e = {0};
	char *big = malloc(50 * 1024 * 1024 + 1);
	size_t n;

	husk_error_set(&e, EINVAL, "invalid container id `%s`", "a\nb\tc\x01\x7f\xff");
	ok(e.msg && strcmp(e.msg, "invalid container id `a\\nb\\tc\\x01\\x7f\\xff`") == 0,
	   "control characters and non-UTF-8 bytes are escaped (%s)", M(e));
	husk_error_wrap(&e, "create `%s`", "x\ny");
	ok(e.msg && strcmp(e.msg,
			   "create `x\\ny`: invalid container id `a\\nb\\tc\\x01\\x7f\\xff`") == 0,
	   "wrap escapes too (%s)", M(e));
	husk_error_clear(&e);

	memset(big, 'x', 50 * 1024 * 1024);
	big[50 * 1024 * 1024] = '\0';
	husk_error_set(&e, EINVAL, "config.json: linux.cgroupsPath: `%s` is bad", big);
	n = e.msg ? strlen(e.msg) : 0;
	ok(e.msg && n < 400 && strstr(e.msg, "x\xe2\x80\xa6` is bad") != NULL,
	   "a 50 MB value is cut to a few hundred bytes (%zu bytes)", n);
	husk_error_wrap(&e, "create");
	ok(e.msg && strlen(e.msg) == n + strlen("create: "), "cutting is idempotent (%zu bytes)",
	   e.msg ? strlen(e.msg) : 0);
	husk_error_clear(&e);

	/* cut on a character boundary: 2-byte characters throughout */
	for (size_t i = 0; i + 1 < 2000; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[2000] = '\0';
	husk_error_set(&e, EINVAL, "`%s`", big);
	ok(e.msg && strlen(e.msg) <= 258 &&
	       strcmp(e.msg + strlen(e.msg) - 4, "\xe2\x80\xa6`") == 0 &&
	       (unsigned char)e.msg[strlen(e.msg) - 5] == 0xa9,
	   "the cut keeps whole characters (%s)", M(e));
	husk_error_clear(&e);

	/* double quotes too (runc's exec message), the rest of the message kept */
	husk_error_set(&e, ENOENT, "exec: \"%s\": executable file not found in $PATH", big);
	ok(e.msg && strlen(e.msg) < 320 &&
	       strstr(e.msg, "\xe2\x80\xa6\": executable file not found in $PATH") != NULL,
	   "a double-quoted value is cut, the message's end kept (%s)", M(e));
	husk_error_clear(&e);

	/* unquoted: the whole message is capped */
	husk_error_set(&e, EINVAL, "%s", big);
	ok(e.msg && strlen(e.msg) <= 4096, "a huge message is capped (%zu bytes)",
	   e.msg ? strlen(e.msg) : 0);
	husk_error_clear(&e);
	free(big);
}

int main(void)
{
	test_utf8();
	test_comments();
	test_paths();
	test_error_shape();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
