/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The v1 devices cgroup: devices.allow / devices.deny, runc's way: deny
 * everything, then linux.resources.devices in order, then linux.devices,
 * then the devices every container gets (podman sends only a deny-all rule
 * and relies on these).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"

struct default_rule {
	char type;
	int64_t major, minor; /* -1: any */
	const char *access;
};

/* runc's AllowedDevices (libcontainer/specconv), plus /dev/console */
static const struct default_rule default_rules[] = {
	{'c', -1, -1, "m"},     /* mknod of any char device */
	{'b', -1, -1, "m"},     /* mknod of any block device */
	{'c', 1, 3, "rwm"},     /* /dev/null */
	{'c', 1, 8, "rwm"},     /* /dev/random */
	{'c', 1, 7, "rwm"},     /* /dev/full */
	{'c', 5, 0, "rwm"},     /* /dev/tty */
	{'c', 1, 5, "rwm"},     /* /dev/zero */
	{'c', 1, 9, "rwm"},     /* /dev/urandom */
	{'c', 5, 1, "rwm"},     /* /dev/console */
	{'c', 136, -1, "rwm"},  /* /dev/pts/ */
	{'c', 5, 2, "rwm"},     /* /dev/ptmx */
	{'c', 10, 200, "rwm"},  /* /dev/net/tun */
};

static void num(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static int write_rule(struct cg_dir *d, bool allow, char type, int64_t major, int64_t minor,
		      const char *access, struct husk_error *err)
{
	char maj[24], min[24], rule[96];

	num(maj, sizeof maj, major);
	num(min, sizeof min, minor);
	snprintf(rule, sizeof rule, "%c %s:%s %s", type, maj, min, access);
	return cg_write(d->path, allow ? "devices.allow" : "devices.deny", rule, err);
}

static int check_access(const char *a, struct husk_error *err)
{
	if (*a == '\0' || strspn(a, "rwm") != strlen(a))
		return husk_error_set(err, EINVAL,
				      "linux.resources.devices: invalid access `%s`", a);
	return 0;
}

int cg_v1_devices_apply(struct cg_dir *d, const struct husk_resources *res,
			const struct husk_device *devs, size_t n_devs, struct husk_error *err)
{
	/* a fresh cgroup has no children, so the kernel lets us reset it */
	if (cg_write(d->path, "devices.deny", "a", err) < 0)
		return -1;
	for (size_t i = 0; res && i < res->n_devices; i++) {
		const struct husk_device_rule *r = &res->devices[i];
		const char *t = r->type ? r->type : "a";
		const char *access = r->access ? r->access : "rwm";
		char type = t[0];

		if (strlen(t) != 1 || strchr("acb", type) == NULL)
			return husk_error_set(err, EINVAL,
					      "linux.resources.devices[%zu]: invalid type `%s`", i,
					      t);
		if (check_access(access, err) < 0)
			return -1;
		if (type == 'a' && r->allow) {
			/* allow-all is the whole rule set: the kernel takes only "a" */
			if (cg_write(d->path, "devices.allow", "a", err) < 0)
				return -1;
			continue;
		}
		if (write_rule(d, r->allow, type, r->has_major ? r->major : -1,
			       r->has_minor ? r->minor : -1, access, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < n_devs; i++) {
		const struct husk_device *dev = &devs[i];
		char type = dev->type ? dev->type[0] : 'c';
		if (type == 'p')
			continue; /* a fifo is not a device */
		if (type == 'u')
			type = 'c';
		if (write_rule(d, true, type, dev->major, dev->minor, "rwm", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++) {
		const struct default_rule *r = &default_rules[i];
		if (write_rule(d, true, r->type, r->major, r->minor, r->access, err) < 0)
			return -1;
	}
	return 0;
}
