/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec/json-write.c: the one JSON escaper and the writer every JSON text of
 * husk goes through; each output is read back by the one parser (jparse).
 * TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/husk.h"
#include "spec/json.h"
#include "spec/spec.h"
#include "state/state.h"
#include "utils.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *name, const char *got)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, name);
	if (!cond && got)
		printf("# got: %s\n", got);
}

/* json_quote(s[0..n)) is `want` (the literal, quotes included). */
static void quote_is(const char *name, const char *s, size_t n, const char *want)
{
	char *got = json_quote(s, n);

	ok(strcmp(got, want) == 0, name, got);
	free(got);
}

/* `text` parses as JSON and its only string value (an array of one) is `want`. */
static void parses_to(const char *name, const char *text, const char *want)
{
	struct husk_error e = {0};
	cleanup_free char *doc = NULL;
	yajl_val v;
	bool good;

	if (asprintf(&doc, "[%s]", text) < 0)
		abort();
	v = jparse(doc, strlen(doc), "test", &e);
	good = v && YAJL_IS_ARRAY(v) && v->u.array.len == 1 &&
	       YAJL_IS_STRING(v->u.array.values[0]) &&
	       strcmp(v->u.array.values[0]->u.string, want) == 0;
	ok(good, name, e.msg ? e.msg : doc);
	yajl_tree_free(v);
	husk_error_clear(&e);
}

static void test_escaper(void)
{
	quote_is("plain ASCII as it is", "abc /x", 6, "\"abc /x\"");
	quote_is("quote and backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	quote_is("short escapes", "\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
	quote_is("other control characters as \\u00XX", "\x01\x1f\x1b", 3,
		 "\"\\u0001\\u001f\\u001b\"");
	quote_is("DEL as \\u007f", "\x7f", 1, "\"\\u007f\"");
	quote_is("NUL inside the length as \\u0000", "a\0b", 3, "\"a\\u0000b\"");
	quote_is("UTF-8 as it is", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xb3", 9,
		 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xb3\"");
	quote_is("U+2028 and U+2029 escaped", "\xe2\x80\xa8|\xe2\x80\xa9", 7,
		 "\"\\u2028|\\u2029\"");
	/* error.c's rule: a byte that is not UTF-8 shows as \xNN */
	quote_is("invalid byte as \\xNN text",
		 "a\xff"
		 "b",
		 3, "\"a\\\\xffb\"");
	quote_is("bare continuation byte", "\x80", 1, "\"\\\\x80\"");
	quote_is("overlong form, byte by byte", "\xc0\xaf", 2, "\"\\\\xc0\\\\xaf\"");
	quote_is("surrogate", "\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\"");
	quote_is("sequence cut short", "\xe2\x82", 2, "\"\\\\xe2\\\\x82\"");
	quote_is("empty", "", 0, "\"\"");

	/* what the escaper writes, the parser reads back */
	{
		cleanup_free char *q = json_quote("x\"\\\n\x01\xe2\x80\xa8\xc3\xa9", 10);
		parses_to("escaped text parses back to the original", q,
			  "x\"\\\n\x01\xe2\x80\xa8\xc3\xa9");
	}
	{
		cleanup_free char *q = json_quote("bad\xfe", 4);
		parses_to("an invalid byte parses back as the text \\xfe", q, "bad\\xfe");
	}
	/* the same text as error.c gives the same byte in a message */
	{
		struct husk_error e = {0};
		cleanup_free char *q = NULL;

		husk_error_set(&e, 0, "open `a\xff`");
		q = json_quote("open `a\xff`", 9);
		parses_to("invalid byte reads as in error.c's message", q, e.msg);
		husk_error_clear(&e);
	}
}

static void test_writer_compact(void)
{
	struct jw w;
	cleanup_free char *s = NULL;

	jw_init(&w, NULL);
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "x");
	jw_ku64(&w, "b", UINT64_MAX);
	jw_ki64(&w, "c", INT64_MIN);
	jw_kbool(&w, "d", true);
	jw_key(&w, "e");
	jw_null(&w);
	jw_key(&w, "f");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_key(&w, "g");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_key(&w, "h");
	jw_arr_begin(&w);
	jw_str(&w, NULL);
	jw_u64(&w, 1);
	jw_obj_begin(&w);
	jw_kstr(&w, "k\"", "v");
	jw_obj_end(&w);
	jw_raw(&w, "{\"raw\":1}");
	jw_arr_end(&w);
	jw_obj_end(&w);
	s = jw_finish(&w);
	ok(strcmp(s, "{\"a\":\"x\",\"b\":18446744073709551615,\"c\":-9223372036854775808,"
		     "\"d\":true,\"e\":null,\"f\":[],\"g\":{},"
		     "\"h\":[\"\",1,{\"k\\\"\":\"v\"},{\"raw\":1}]}") == 0,
	   "compact writer: every kind of value, separators, empty containers", s);
}

static void test_writer_indent(void)
{
	struct jw w;
	cleanup_free char *s = NULL;

	jw_init(&w, "  ");
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "x");
	jw_key(&w, "l");
	jw_arr_begin(&w);
	jw_u64(&w, 1);
	jw_u64(&w, 2);
	jw_arr_end(&w);
	jw_key(&w, "e");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	s = jw_finish(&w);
	ok(strcmp(s, "{\n  \"a\": \"x\",\n  \"l\": [\n    1,\n    2\n  ],\n  \"e\": {}\n}\n") == 0,
	   "indented writer: Go's MarshalIndent layout, final newline", s);
}

static void test_outputs_parse(void)
{
	struct husk_error e = {0};
	struct husk_kv ann[] = {{"k\n", "v\x01\xff"}};
	struct husk_state st = {.id = "c1",
				.bundle = "/b\"\\",
				.rootfs = "/r",
				.created = "t",
				.owner = "",
				.cgroup_path = "/x",
				.annotations = ann,
				.n_annotations = 1,
				.start_fd = 5,
				.start_time = 18446744073709551615ULL};
	struct husk_state back = {0};
	struct husk_container_info info[] = {{"a", 1, "running", "/b\n", "t", "root", "/b/rootfs"}};
	cleanup_free char *full = husk_state_to_json(&st, HUSK_STATUS_CREATED, 42, true, true);
	cleanup_free char *list = husk_list_json(info, 1);
	cleanup_free char *empty = husk_list_json(NULL, 0);
	cleanup_free char *feat = husk_features_json();
	cleanup_free char *line = husk_log_line(true, "error", "a \"b\"\n\xe2\x80\xa8");
	yajl_val v;

	ok(husk_state_parse(full, strlen(full), &back, &e) == 0 &&
	       strcmp(back.bundle, "/b\"\\") == 0 && back.start_time == 18446744073709551615ULL &&
	       back.start_fd == 5 && back.n_annotations == 1 &&
	       strcmp(back.annotations[0].key, "k\n") == 0 &&
	       strcmp(back.annotations[0].value, "v\x01\\xff") == 0,
	   "state.json reads back what it wrote", e.msg ? e.msg : full);
	husk_state_clear(&back);
	husk_error_clear(&e);

	v = jparse(list, strlen(list), "list", &e);
	ok(v && YAJL_IS_ARRAY(v) && v->u.array.len == 1, "list JSON parses", list);
	yajl_tree_free(v);
	ok(strcmp(empty, "[]") == 0, "empty list is []", empty);
	v = jparse(feat, strlen(feat), "features", &e);
	ok(v && YAJL_IS_OBJECT(v), "features JSON parses", e.msg);
	yajl_tree_free(v);
	v = jparse(line, strlen(line), "log", &e);
	ok(v && YAJL_IS_OBJECT(v) && line[strlen(line) - 1] == '\n' &&
	       YAJL_IS_STRING(jget(v, "msg")) &&
	       strcmp(jget(v, "msg")->u.string, "a \"b\"\n\xe2\x80\xa8") == 0 &&
	       strstr(line, "\\u2028") != NULL,
	   "log line is one JSON object and a newline", line);
	yajl_tree_free(v);
	husk_error_clear(&e);
}

int main(void)
{
	test_escaper();
	test_writer_compact();
	test_writer_indent();
	test_outputs_parse();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
