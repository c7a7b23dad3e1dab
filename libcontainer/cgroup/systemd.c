/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd driver (--systemd-cgroup): systemd makes the container's
 * cgroup, as a transient scope unit started over D-Bus for the init's pid
 * (StartTransientUnit, Delegate=yes), with the limits systemd knows as unit
 * properties; the unit's cgroup is then the container's, kept as cgroupfs
 * directories, where the cgroupfs driver's code writes every limit
 * (systemd's included, as runc's systemd managers do with their fs
 * managers), and runs kill, ps, pause, stats.  update sets the unit's
 * properties and the files; delete kills what is left, stops the unit and
 * waits for its job.
 *
 * The state stores "systemd:<unit>:<cgroup path>", so that every later verb
 * finds the driver without --systemd-cgroup (runc needs the flag on each).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cgroup-internal.h"
#include "systemd.h"

#define STORED_PREFIX "systemd:"

struct sd_state {
	struct cg_sd_unit unit;
	struct cg_sd_props annotations;
	const struct husk_resources *res; /* borrowed from make until the init's enter */
};

static struct sd_state *sd_of(struct husk_cgroup *cg)
{
	return cg->drv;
}

static char **strv_copy(char *const *v)
{
	size_t n = 0;
	char **out;

	while (v[n])
		n++;
	out = xmalloc0((n + 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static int set_stored(struct husk_cgroup *cg)
{
	struct sd_state *st = sd_of(cg);

	free(cg->stored);
	cg->stored = NULL;
	return asprintf(&cg->stored, STORED_PREFIX "%s:%s", st->unit.name, st->unit.path) < 0 ? -1
											      : 0;
}

static int sd_prepare(struct husk_cgroup *cg, const char *cgroups_path, const char *id,
		      struct husk_error *err)
{
	struct sd_state *st = xmalloc0(sizeof *st);

	cg->drv = st;
	if (!HAVE_SYSTEMD)
		return husk_error_set(err, ENOTSUP,
				      "--systemd-cgroup: husk was built without the systemd cgroup "
				      "driver (meson -Dsystemd=disabled)");
	if (cg_sd_parse_path(cgroups_path, id, &st->unit, err) < 0)
		return husk_error_wrap(err, "config.json: linux.cgroupsPath");
	if (cg_cgroupfs_manager.prepare(cg, st->unit.path, id, err) < 0)
		return -1;
	if (set_stored(cg) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int sd_load(struct husk_cgroup *cg, const char *stored, struct husk_error *err)
{
	struct sd_state *st = xmalloc0(sizeof *st);
	const char *name = stored + strlen(STORED_PREFIX), *path = strchr(name, ':');

	cg->drv = st;
	if (strncmp(stored, STORED_PREFIX, strlen(STORED_PREFIX)) != 0 || path == NULL ||
	    path[1] != '/')
		return husk_error_set(err, EINVAL, "cgroup: bad stored systemd unit `%s`", stored);
	st->unit.name = strndup(name, path - name);
	st->unit.path = xstrdup(path + 1);
	if (st->unit.name == NULL || cg_cgroupfs_manager.load(cg, st->unit.path, err) < 0)
		return -1;
	if (set_stored(cg) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	return 0;
}

int husk_cgroup_systemd_annotations(struct husk_cgroup *cg, const struct husk_kv *ann, size_t n,
				    struct husk_error *err)
{
	if (cg->mgr != &cg_systemd_manager)
		return 0;
	return cg_sd_annotation_props(ann, n, &sd_of(cg)->annotations, err);
}

/* The unit waits for the init's pid: keep `res`, and check it maps to properties. */
static int sd_make(struct husk_cgroup *cg, const struct husk_resources *res, struct husk_error *err)
{
	struct cg_sd_props p = {0};
	int r = cg_sd_resource_props(res, cg->layout == CG_LAYOUT_V2, &p, err);

	cg_sd_props_clear(&p);
	if (r < 0)
		return husk_error_wrap(err, "config.json");
	sd_of(cg)->res = res;
	return 0;
}

/* runc's unit: Description, Slice, Delegate, PIDs, accounting, no default dependencies */
static int unit_props(struct husk_cgroup *cg, pid_t pid, struct cg_sd_props *p,
		      struct husk_error *err)
{
	struct sd_state *st = sd_of(cg);
	bool v2 = cg->layout == CG_LAYOUT_V2;
	cleanup_free char *desc = NULL;
	uint32_t pids[1] = {(uint32_t)pid};

	if (asprintf(&desc, "husk container %s", st->unit.name) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	cg_sd_add_str(p, "Description", desc);
	cg_sd_add_str(p, "Slice", st->unit.slice);
	cg_sd_add_u64(p, "Delegate", CG_SD_BOOL, 1);
	cg_sd_add_u32v(p, "PIDs", pids, 1);
	cg_sd_add_u64(p, "MemoryAccounting", CG_SD_BOOL, 1);
	cg_sd_add_u64(p, "CPUAccounting", CG_SD_BOOL, 1);
	cg_sd_add_u64(p, v2 ? "IOAccounting" : "BlockIOAccounting", CG_SD_BOOL, 1);
	cg_sd_add_u64(p, "TasksAccounting", CG_SD_BOOL, 1);
	cg_sd_add_u64(p, "DefaultDependencies", CG_SD_BOOL, 0);
	if (cg_sd_resource_props(st->res, v2, p, err) < 0)
		return husk_error_wrap(err, "config.json");
	/* the annotations last: they override (runc appends c.SystemdProps last too) */
	for (size_t i = 0; i < st->annotations.n; i++) {
		const struct cg_sd_prop *a = &st->annotations.v[i];
		struct cg_sd_prop *n;
		cg_sd_add_u64(p, a->name, a->type, a->u);
		n = &p->v[p->n - 1];
		n->d = a->d;
		n->s = a->s ? xstrdup(a->s) : NULL;
		n->strv = a->strv ? strv_copy(a->strv) : NULL;
		n->n_bytes = a->n_bytes;
		if (a->bytes) {
			n->bytes = xmalloc0(a->n_bytes + 1);
			memcpy(n->bytes, a->bytes, a->n_bytes);
		}
	}
	return 0;
}

static int start_unit(struct husk_cgroup *cg, pid_t pid, struct husk_error *err)
{
	struct cg_sd_props p = {0};
	struct cg_sd_bus *b = NULL;
	int r = unit_props(cg, pid, &p, err);

	if (r == 0)
		r = cg_sd_bus_open(&b, err);
	if (r == 0)
		r = cg_sd_start_unit(b, sd_of(cg)->unit.name, &p, err);
	cg_sd_bus_close(b);
	cg_sd_props_clear(&p);
	return r;
}

static int sd_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err)
{
	const struct husk_resources *res = sd_of(cg)->res;

	/* exec: the unit exists, join its cgroup like any process */
	if (!(flags & HUSK_CGROUP_ENTER_INIT))
		return cg_cgroupfs_manager.enter(cg, pid, flags, err);
	if (start_unit(cg, pid, err) < 0)
		return -1;
	/* the hierarchies systemd does not manage (v1), the controllers above (v2) */
	if (cg->ops->create(cg, res, err) < 0 || cg_cgroupfs_manager.enter(cg, pid, 0, err) < 0)
		return -1;
	if (cg->ops->apply(cg, res, false, err) < 0) {
		if (err && err->msg && strncmp(err->msg, "linux.resources.", 16) == 0)
			husk_error_wrap(err, "config.json");
		return -1;
	}
	sd_of(cg)->res = NULL;
	return 0;
}

static int sd_update(struct husk_cgroup *cg, const struct husk_resources *res,
		     struct husk_error *err)
{
	struct cg_sd_props p = {0};
	struct cg_sd_bus *b = NULL;
	int r = cg_sd_resource_props(res, cg->layout == CG_LAYOUT_V2, &p, err);

	if (r == 0 && p.n > 0) {
		r = cg_sd_bus_open(&b, err);
		if (r == 0)
			r = cg_sd_set_props(b, sd_of(cg)->unit.name, &p, err);
		cg_sd_bus_close(b);
	}
	cg_sd_props_clear(&p);
	if (r < 0)
		return -1;
	return cg_cgroupfs_manager.update(cg, res, err);
}

/*
 * Kill what is left and remove the directories (cgroupfs), then stop the
 * unit and wait for its job: a scope whose processes are gone stops by
 * itself, one not loaded any more is gone already.  runc stops the unit
 * after signalling every process too.
 */
static int sd_destroy(struct husk_cgroup *cg, struct husk_error *err)
{
	struct cg_sd_bus *b = NULL;
	int r;

	if (cg_fs_destroy(cg, err) < 0)
		return -1;
	r = cg_sd_bus_open(&b, err);
	if (r == 0)
		r = cg_sd_stop_unit(b, sd_of(cg)->unit.name, err);
	cg_sd_bus_close(b);
	return r;
}

static int sd_kill(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	return cg_cgroupfs_manager.kill(cg, sig, err);
}

static int sd_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	return cg_cgroupfs_manager.pids(cg, pids, n, err);
}

static int sd_clone_fd(const struct husk_cgroup *cg)
{
	return cg_cgroupfs_manager.clone_fd(cg);
}

static int sd_freeze(struct husk_cgroup *cg, bool freeze, struct husk_error *err)
{
	return cg_cgroupfs_manager.freeze(cg, freeze, err);
}

static int sd_is_frozen(struct husk_cgroup *cg)
{
	return cg_cgroupfs_manager.is_frozen(cg);
}

static int sd_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full,
		    struct husk_error *err)
{
	return cg_cgroupfs_manager.stats(cg, st, full, err);
}

static int sd_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	return cg_cgroupfs_manager.oom_open(cg, o, err);
}

static void sd_clear(struct husk_cgroup *cg)
{
	struct sd_state *st = sd_of(cg);

	cg_cgroupfs_manager.clear(cg);
	if (st == NULL)
		return;
	cg_sd_unit_clear(&st->unit);
	cg_sd_props_clear(&st->annotations);
	free(st);
	cg->drv = NULL;
}

const struct husk_cgroup_manager cg_systemd_manager = {
    .name = "systemd",
    .prepare = sd_prepare,
    .load = sd_load,
    .make = sd_make,
    .enter = sd_enter,
    .clone_fd = sd_clone_fd,
    .update = sd_update,
    .kill = sd_kill,
    .pids = sd_pids,
    .freeze = sd_freeze,
    .is_frozen = sd_is_frozen,
    .stats = sd_stats,
    .oom_open = sd_oom_open,
    .destroy = sd_destroy,
    .clear = sd_clear,
};
