/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's device rules, in the order they apply (the last match
 * wins), shared by the v1 devices cgroup and the v2 eBPF filter.  runc's
 * way: deny everything, then linux.resources.devices in order, then the
 * devices every container gets (podman sends only a deny-all rule and
 * relies on these).  linux.devices adds no rule: runc only makes the nodes,
 * access needs a resources.devices rule.
 */
#include <errno.h>
#include <string.h>

#include "cgroup-internal.h"

/* runc's AllowedDevices (libcontainer/specconv), plus /dev/console */
static const struct cg_dev_rule default_rules[] = {
    {true, 'c', -1, -1, CG_DEV_M},    /* mknod of any char device */
    {true, 'b', -1, -1, CG_DEV_M},    /* mknod of any block device */
    {true, 'c', 1, 3, CG_DEV_RWM},    /* /dev/null */
    {true, 'c', 1, 8, CG_DEV_RWM},    /* /dev/random */
    {true, 'c', 1, 7, CG_DEV_RWM},    /* /dev/full */
    {true, 'c', 5, 0, CG_DEV_RWM},    /* /dev/tty */
    {true, 'c', 1, 5, CG_DEV_RWM},    /* /dev/zero */
    {true, 'c', 1, 9, CG_DEV_RWM},    /* /dev/urandom */
    {true, 'c', 5, 1, CG_DEV_RWM},    /* /dev/console */
    {true, 'c', 136, -1, CG_DEV_RWM}, /* /dev/pts/ */
    {true, 'c', 5, 2, CG_DEV_RWM},    /* /dev/ptmx */
    {true, 'c', 10, 200, CG_DEV_RWM}, /* /dev/net/tun */
};

static int parse_access(const char *a, unsigned *out)
{
	unsigned v = 0;
	if (*a == '\0')
		return -1;
	for (; *a; a++) {
		if (*a == 'r')
			v |= CG_DEV_R;
		else if (*a == 'w')
			v |= CG_DEV_W;
		else if (*a == 'm')
			v |= CG_DEV_M;
		else
			return -1;
	}
	*out = v;
	return 0;
}

int cg_device_rules(const struct husk_resources *res, struct cg_dev_rule **out, size_t *n,
		    struct husk_error *err)
{
	size_t cap = 1 + (res ? res->n_devices : 0) + ARRAY_SIZE(default_rules);
	cleanup_free struct cg_dev_rule *v = xmalloc0(cap * sizeof *v);
	size_t k = 0;

	v[k++] = (struct cg_dev_rule){false, 'a', -1, -1, CG_DEV_RWM};
	for (size_t i = 0; res && i < res->n_devices; i++) {
		const struct husk_device_rule *r = &res->devices[i];
		const char *t = r->type ? r->type : "a";
		struct cg_dev_rule *d = &v[k];

		if (strlen(t) != 1 || strchr("acb", t[0]) == NULL)
			return husk_error_set(
			    err, EINVAL, "linux.resources.devices[%zu]: invalid type `%s`", i, t);
		if (parse_access(r->access ? r->access : "rwm", &d->access) < 0)
			return husk_error_set(err, EINVAL,
					      "linux.resources.devices[%zu]: invalid access `%s`",
					      i, r->access);
		d->allow = r->allow;
		d->type = t[0];
		/* a negative number is a wildcard, like an absent one (runc) */
		d->major = r->has_major && r->major >= 0 ? r->major : -1;
		d->minor = r->has_minor && r->minor >= 0 ? r->minor : -1;
		k++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
		v[k++] = default_rules[i];
	*out = steal_pointer(&v);
	*n = k;
	return 0;
}
