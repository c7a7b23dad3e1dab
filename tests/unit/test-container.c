/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container.c and the store: the status table and rules, state.json round
 * trips, the frozen config, and opening a container.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "state/container.h"
#include "state/state.h"

static int n_tests, n_failed;
static char dir[] = "/tmp/husk-test-container.XXXXXX";

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

static void result(const char *name, int rc)
{
	n_tests++;
	if (rc != 0)
		n_failed++;
	printf("%s %d - %s\n", rc == 0 ? "ok" : "not ok", n_tests, name);
	fflush(stdout);
}

static int test_names(void)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	enum husk_status s;

	for (int i = 0; i < 5; i++) {
		CHECK(strcmp(husk_status_name((enum husk_status)i), names[i]) == 0);
		CHECK(husk_status_parse(names[i], &s) == 0 && (int)s == i);
	}
	CHECK(husk_status_parse("Running", &s) < 0);
	CHECK(husk_status_parse("", &s) < 0);
	CHECK(husk_status_parse(NULL, &s) < 0);
	CHECK(strcmp(husk_status_name((enum husk_status)42), "unknown") == 0);
	return 0;
}

/* One row per status: start kill delete exec pause resume update */
static int test_rules(void)
{
	static const bool want[5][7] = {
	    [HUSK_STATUS_CREATING] = {0, 0, 0, 0, 0, 0, 1},
	    [HUSK_STATUS_CREATED] = {1, 1, 1, 1, 1, 0, 1},
	    [HUSK_STATUS_RUNNING] = {0, 1, 0, 1, 1, 0, 1},
	    [HUSK_STATUS_PAUSED] = {0, 1, 0, 0, 0, 1, 1},
	    [HUSK_STATUS_STOPPED] = {0, 0, 1, 0, 0, 0, 0},
	};

	for (int i = 0; i < 5; i++) {
		enum husk_status s = (enum husk_status)i;
		bool got[7] = {husk_status_can_start(s),  husk_status_can_kill(s),
			       husk_status_can_delete(s), husk_status_can_exec(s),
			       husk_status_can_pause(s),  husk_status_can_resume(s),
			       husk_status_can_update(s)};

		for (int k = 0; k < 7; k++) {
			if (got[k] != want[i][k])
				diag("status %s, rule %d: %d", husk_status_name(s), k, got[k]);
			CHECK(got[k] == want[i][k]);
		}
	}
	return 0;
}

static int test_state_json(void)
{
	struct husk_state s = {.id = "c1",
			       .bundle = "/b",
			       .status = HUSK_STATUS_RUNNING,
			       .pid = 42,
			       .start_time = 7,
			       .start_fd = 5,
			       .has_poststop = true};
	struct husk_state back = {0};
	struct husk_error e = {0};
	char *json = husk_state_to_json(&s, s.status, s.pid, true, false);
	static const char bad[] = "{\"id\":\"c1\",\"bundle\":\"/b\",\"status\":\"bogus\"}";

	CHECK(strstr(json, "\"status\":\"running\"") != NULL);
	CHECK(husk_state_parse(json, strlen(json), &back, &e) == 0);
	free(json);
	CHECK(back.status == HUSK_STATUS_RUNNING && back.pid == 42 && back.start_time == 7);
	CHECK(back.has_poststop && !back.has_poststart && back.start_fd == 5);
	husk_state_clear(&back);
	CHECK(husk_state_parse(bad, strlen(bad), &back, &e) < 0);
	CHECK(strcmp(e.msg, "state.json: invalid status `bogus`") == 0);
	husk_error_clear(&e);
	return 0;
}

/* A container whose init is gone (pid 0): stopped; its frozen config; no cgroup. */
static int test_open(void)
{
	struct husk_ctx ctx = {.root = dir};
	struct husk_store st;
	struct husk_state s = {.id = "c2",
			       .bundle = "/nonexistent",
			       .created = "now",
			       .status = HUSK_STATUS_CREATED,
			       .has_poststop = true};
	struct husk_error e = {0};
	char *config = husk_spec_template(false, true);
	const struct husk_spec *spec;
	struct stat sb;
	char path[300];

	CHECK(husk_store_create(dir, "c2", &st, &e) == 0);
	CHECK(husk_store_write_config(&st, config, strlen(config), &e) == 0);
	CHECK(husk_store_write(&st, &s, &e) == 0);
	husk_store_close(&st);
	free(config);
	snprintf(path, sizeof(path), "%s/c2/config.json", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600);
	{
		cleanup_container struct husk_container *c = NULL;

		CHECK(husk_container_open(&ctx, "c2", HUSK_OPEN_LOCK, &c, &e) == 0);
		CHECK(c->status == HUSK_STATUS_STOPPED && c->s.status == HUSK_STATUS_CREATED);
		spec = husk_container_spec(c, &e);
		CHECK(spec != NULL && spec->process.args != NULL);
		CHECK(strcmp(spec->process.args[0], "sh") == 0);
		CHECK(husk_container_spec(c, &e) == spec);
		CHECK(husk_container_cgroup(c, &e) == NULL);
		CHECK(strcmp(e.msg, "container `c2` has no cgroup") == 0);
		husk_error_clear(&e);
		CHECK(husk_store_remove(&c->st, &e) == 0);
	}
	{
		cleanup_container struct husk_container *c = NULL;

		CHECK(husk_container_open(&ctx, "c2", 0, &c, &e) < 0 && c == NULL);
		CHECK(e.status == ENOENT && strcmp(e.msg, "container `c2` does not exist") == 0);
		husk_error_clear(&e);
	}
	return 0;
}

/* A state dir without its frozen config: start/exec/delete say what is missing. */
static int test_missing_config(void)
{
	struct husk_ctx ctx = {.root = dir};
	struct husk_store st;
	struct husk_state s = {.id = "c3", .bundle = "/b", .status = HUSK_STATUS_CREATED};
	struct husk_error e = {0};
	cleanup_container struct husk_container *c = NULL;

	CHECK(husk_store_create(dir, "c3", &st, &e) == 0);
	CHECK(husk_store_write(&st, &s, &e) == 0);
	husk_store_close(&st);
	CHECK(husk_container_open(&ctx, "c3", 0, &c, &e) == 0);
	CHECK(husk_container_spec(c, &e) == NULL);
	CHECK(strncmp(e.msg, "container `c3`: read its frozen config: open `config.json`", 58) ==
	      0);
	husk_error_clear(&e);
	CHECK(husk_store_remove(&c->st, &e) == 0);
	return 0;
}

int main(void)
{
	printf("TAP version 13\n");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	result("status names: one table, both ways", test_names());
	result("status rules", test_rules());
	result("state.json keeps the status; an unknown one is an error", test_state_json());
	result("open: derived status, frozen config, no cgroup, gone", test_open());
	result("open: no frozen config", test_missing_config());
	rmdir(dir);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
