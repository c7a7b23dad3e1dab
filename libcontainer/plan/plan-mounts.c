/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mounts of a plan: each spec mount's options split by the table of
 * spec/mountopts.c into flags, propagation, recursive attributes and data;
 * its source resolved; the mount label added; the checks that need no
 * rootfs done (idmapped mounts must be binds and have mappings).  The
 * executor (mounts.c, idmap.c, mounts-cgroup.c) only applies the result.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "plan/plan.h"
#include "rootfs/mounts.h"
#include "security/security.h"
#include "utils.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

void husk_plan_mount_clear(struct husk_plan_mount *m)
{
	free(m->data);
	free(m->source);
	m->data = m->source = NULL;
}

static void data_append(char **data, const char *opt)
{
	char *n;

	if (*data == NULL) {
		*data = xstrdup(opt);
		return;
	}
	if (asprintf(&n, "%s,%s", *data, opt) < 0)
		abort();
	free(*data);
	*data = n;
}

static int opt_apply(const struct husk_mount_opt *o, struct husk_plan_mount *out,
		     struct husk_error *err)
{
	switch (o->kind) {
	case HUSK_MOUNT_OPT_FLAG:
		if (o->clear)
			out->flags &= ~o->flags;
		else
			out->flags |= o->flags;
		break;
	case HUSK_MOUNT_OPT_PROPAGATION:
		if (out->n_prop == ARRAY_SIZE(out->prop))
			return husk_error_set(err, EINVAL, "too many propagation options");
		out->prop[out->n_prop++] = o->flags;
		break;
	case HUSK_MOUNT_OPT_RECURSIVE:
		out->attr_set = (out->attr_set & ~o->attr_clr) | o->attr_set;
		out->attr_clr = (out->attr_clr & ~o->attr_set) | o->attr_clr;
		break;
	case HUSK_MOUNT_OPT_IDMAP:
		out->idmap = true;
		out->idmap_recursive = o->recursive;
		break;
	case HUSK_MOUNT_OPT_TMPCOPYUP:
		out->tmpcopyup = true;
		break;
	}
	return 0;
}

int husk_plan_mount_opts(char *const *options, struct husk_plan_mount *out, struct husk_error *err)
{
	*out = (struct husk_plan_mount){0};
	for (size_t i = 0; options && options[i]; i++) {
		const struct husk_mount_opt *o = husk_mount_opt_find(options[i]);

		if (o == NULL)
			data_append(&out->data, options[i]);
		else if (opt_apply(o, out, err) < 0)
			return -1;
	}
	return 0;
}

/* linux.mountLabel, where SELinux is enabled (selinuxfs mounted, as libselinux checks) */
static const char *mount_label(const struct husk_spec *spec)
{
	struct statfs sf;

	if (!spec->has_linux || spec->linux_.mount_label == NULL || !*spec->linux_.mount_label)
		return NULL;
	if (statfs("/sys/fs/selinux", &sf) < 0 || sf.f_type != SELINUX_MAGIC)
		return NULL;
	return spec->linux_.mount_label;
}

/* runc labels every filesystem it mounts but binds, proc, sysfs, mqueue and cgroups */
static bool takes_label(const char *type)
{
	static const char *const no[] = {"proc", "sysfs", "mqueue", "cgroup", "cgroup2", "bind"};

	for (size_t i = 0; type && i < ARRAY_SIZE(no); i++)
		if (strcmp(type, no[i]) == 0)
			return false;
	return true;
}

/* "/dev" after lexical cleaning ("/dev/", "//dev/.") */
static bool is_dev(const char *dest)
{
	char clean[PATH_MAX];

	return husk_clean_path(dest, clean, sizeof(clean)) == 0 && strcmp(clean, "/dev") == 0;
}

static char *source_of(const struct husk_plan *p, const struct husk_mount *m, bool bind)
{
	const char *src = m->source ? m->source : (m->type ? m->type : "none");
	char *s;

	/* bind sources are absolute or relative to the bundle */
	if (!bind || src[0] == '/' || p->bundle == NULL)
		return xstrdup(src);
	if (asprintf(&s, "%s/%s", p->bundle, src) < 0)
		abort();
	return s;
}

static int check_idmap(const struct husk_plan *p, size_t i, const struct husk_plan_mount *pm,
		       struct husk_error *err)
{
	const struct husk_mount *m = &p->spec->mounts[i];
	const struct husk_linux *l = &p->spec->linux_;

	if (!pm->idmapped)
		return 0;
	if (!pm->bind)
		return husk_error_set(
		    err, EINVAL,
		    "config.json: mounts[%zu]: mount `%s` on `%s`: idmapped mounts "
		    "must be bind mounts",
		    i, pm->source, m->destination);
	if ((m->n_uid_mappings == 0 || m->n_gid_mappings == 0) &&
	    (m->n_uid_mappings || m->n_gid_mappings || l->n_uid_mappings == 0 ||
	     l->n_gid_mappings == 0))
		return husk_error_set(err, EINVAL,
				      "config.json: mounts[%zu]: mount `%s` on `%s`: an idmapped "
				      "mount needs uidMappings and gidMappings",
				      i, pm->source, m->destination);
	return 0;
}

static int plan_one(struct husk_plan *p, size_t i, struct husk_plan_mount *pm, bool *seen_dev,
		    struct husk_error *err)
{
	const struct husk_mount *m = &p->spec->mounts[i];
	const char *type = m->type;

	if (m->destination == NULL)
		return husk_error_set(err, EINVAL, "config.json: mounts[%zu]: no destination", i);
	if (husk_plan_mount_opts(m->options, pm, err) < 0)
		return husk_error_wrap(err, "config.json: mounts[%zu].options", i);
	pm->bind = (pm->flags & MS_BIND) || (type && strcmp(type, "bind") == 0);
	pm->cgroup = !pm->bind && type && strcmp(type, "cgroup") == 0;
	/* runc: mappings alone make an idmapped mount too */
	pm->idmapped = pm->idmap || m->n_uid_mappings || m->n_gid_mappings;
	pm->source = source_of(p, m, pm->bind);
	if (check_idmap(p, i, pm, err) < 0)
		return -1;
	if (is_dev(m->destination)) {
		/* runc: a read-only /dev is filled first and made read-only at the end (the first
		 * /dev mount decides) */
		if (!*seen_dev && !pm->bind)
			p->dev_readonly = (pm->flags & MS_RDONLY) != 0;
		*seen_dev = true;
		if (!pm->bind)
			pm->flags &= ~MS_RDONLY;
	}
	if (!pm->bind && !pm->cgroup && p->mount_label && takes_label(type)) {
		char *d = husk_lsm_format_mount_data(pm->data, p->mount_label);
		free(pm->data);
		pm->data = d;
	}
	return 0;
}

int husk_plan_mounts(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_spec *s = p->spec;
	const char *pname = s->has_linux ? s->linux_.rootfs_propagation : NULL;
	bool seen_dev = false;

	p->mount_label = mount_label(s);
	if (pname) {
		const struct husk_mount_opt *o = husk_mount_opt_find(pname);
		if (o == NULL || o->kind != HUSK_MOUNT_OPT_PROPAGATION)
			return husk_error_set(
			    err, EINVAL, "config.json: linux.rootfsPropagation: unknown value `%s`",
			    pname);
		p->root_propagation = o->flags;
	}
	p->mounts = xmalloc0((s->n_mounts ? s->n_mounts : 1) * sizeof *p->mounts);
	p->n_mounts = s->n_mounts;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (plan_one(p, i, &p->mounts[i], &seen_dev, err) < 0)
			return -1;
	return 0;
}
