/* SPDX-License-Identifier: Apache-2.0 */
/* The v1 devices cgroup: the rules of devices.c written to devices.allow/deny. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"

static void num(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* The rule's text as devices.allow/deny take it: "c 1:3 rwm", "a" */
static void rule_text(const struct cg_dev_rule *r, char *rule, size_t len)
{
	char maj[24], min[24], acc[4] = "";

	/* "a" alone resets the whole list (the cgroup has no children yet) */
	if (r->type == 'a' && r->major < 0 && r->minor < 0) {
		snprintf(rule, len, "a");
		return;
	}
	num(maj, sizeof maj, r->major);
	num(min, sizeof min, r->minor);
	if (r->access & CG_DEV_R)
		strcat(acc, "r");
	if (r->access & CG_DEV_W)
		strcat(acc, "w");
	if (r->access & CG_DEV_M)
		strcat(acc, "m");
	snprintf(rule, len, "%c %s:%s %s", r->type, maj, min, acc);
}

static int open_rules(const char *dir, const char *file, struct husk_error *err)
{
	cleanup_free char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	return fd;
}

/*
 * One open of devices.allow and of devices.deny, one write(2) per rule: the
 * kernel takes one rule per write, not per open (a dozen rules by default).
 */
int cg_v1_devices_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	cleanup_free struct cg_dev_rule *rules = NULL;
	cleanup_close int allow = -1;
	cleanup_close int deny = -1;
	size_t n = 0;

	if (cg_device_rules(res, &rules, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *file = rules[i].allow ? "devices.allow" : "devices.deny";
		int *fd = rules[i].allow ? &allow : &deny;
		char rule[96];

		rule_text(&rules[i], rule, sizeof rule);
		if (*fd < 0 && (*fd = open_rules(d->path, file, err)) < 0)
			return -1;
		if (write_all(*fd, rule, strlen(rule)) < 0)
			return husk_error_errno(err, "write `%s` to `%s/%s`", rule, d->path, file);
	}
	return 0;
}
