/* SPDX-License-Identifier: Apache-2.0 */
/* The v1 devices cgroup: the rules of devices.c written to devices.allow/deny. */
#include <errno.h>
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

static int write_rule(struct cg_dir *d, const struct cg_dev_rule *r, struct husk_error *err)
{
	char maj[24], min[24], acc[4] = "", rule[96];
	const char *file = r->allow ? "devices.allow" : "devices.deny";

	/* "a" alone resets the whole list (the cgroup has no children yet) */
	if (r->type == 'a' && r->major < 0 && r->minor < 0)
		return cg_write(d->path, file, "a", err);
	num(maj, sizeof maj, r->major);
	num(min, sizeof min, r->minor);
	if (r->access & CG_DEV_R)
		strcat(acc, "r");
	if (r->access & CG_DEV_W)
		strcat(acc, "w");
	if (r->access & CG_DEV_M)
		strcat(acc, "m");
	snprintf(rule, sizeof rule, "%c %s:%s %s", r->type, maj, min, acc);
	return cg_write(d->path, file, rule, err);
}

int cg_v1_devices_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	cleanup_free struct cg_dev_rule *rules = NULL;
	size_t n = 0;

	if (cg_device_rules(res, &rules, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (write_rule(d, &rules[i], err) < 0)
			return -1;
	return 0;
}
