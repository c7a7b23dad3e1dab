/* SPDX-License-Identifier: Apache-2.0 */
/*
 * husk_plan_build: the spec resolved and checked before create does
 * anything (no state dir, no cgroup, no init yet).  See plan.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "husk/husk.h"
#include "plan/plan.h"
#include "process/process.h"
#include "rootfs/rootfs.h"
#include "security/security.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

void husk_plan_free(struct husk_plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_mounts; i++)
		husk_plan_mount_clear(&p->mounts[i]);
	free(p->mounts);
	if (p->cpus_initial)
		CPU_FREE(p->cpus_initial);
	if (p->cpus_final)
		CPU_FREE(p->cpus_final);
	husk_seccomp_filter_free(p->seccomp);
	husk_cgroup_free(p->cg);
	strv_free(p->warnings);
	free(p->map_helper[0]);
	free(p->map_helper[1]);
	free(p);
}

void husk_plan_warn(const struct husk_plan *p, const struct husk_ctx *ctx)
{
	for (size_t i = 0; p && p->warnings && p->warnings[i]; i++)
		husk_warn(ctx, "%s", p->warnings[i]);
}

/*
 * New namespaces are clone flags; joined ones (path) are entered first by
 * the init, which then makes the new ones itself (unshare), so that they
 * are owned by the right user namespace.  Only the pid namespace is still
 * made at clone then; time and cgroup never are (the parent makes the time
 * namespace for its children, the init the cgroup one once placed).
 */
static void plan_namespaces(struct husk_plan *p)
{
	const struct husk_namespace *ns = p->spec->linux_.namespaces;
	uint64_t flags = 0;

	for (int t = 0; t < HUSK_NS_N; t++) {
		if (ns[t].present && ns[t].path)
			p->ns.joins = true;
		if (ns[t].present && ns[t].path == NULL && t != HUSK_NS_TIME && t != HUSK_NS_CGROUP)
			flags |= (uint64_t)husk_ns_clone_flag(t);
	}
	if (p->ns.joins) {
		p->ns.unshare_flags = (int)(flags & ~(uint64_t)CLONE_NEWPID);
		flags &= CLONE_NEWPID;
	}
	p->ns.clone_flags = flags;
	p->ns.new_userns = ns[HUSK_NS_USER].present && ns[HUSK_NS_USER].path == NULL;
	p->ns.cgroupns_late = ns[HUSK_NS_CGROUP].present && ns[HUSK_NS_CGROUP].path == NULL;
	p->ns.mount_ns = ns[HUSK_NS_MOUNT].present;
}

/*
 * config-linux.md: a namespace not listed is the runtime's.  Without a
 * mount namespace runc still makes "/" rslave, binds the rootfs and does
 * every mount in the runtime's (the host's) mount namespace, then chroots
 * (runc PR #1702); its validator refuses only maskedPaths/readonlyPaths
 * ("unable to restrict sys entries without a private MNT namespace").  husk
 * changes no mount of the host: it chroots into the rootfs as runc does,
 * refuses what runc refuses (spec/validate.c), and also what would need a mount there
 * (mounts, /dev and its devices, a read-only or re-propagated root, a
 * console bound on /dev/console), which runc would do on the host.
 */
static int check_no_mount_ns(const struct husk_spec *s, struct husk_error *err)
{
	static const char pre[] = "config.json: linux.namespaces: no `mount` namespace";
	const struct husk_linux *l = &s->linux_;

	if (s->n_mounts)
		return husk_error_set(
		    err, EINVAL, "%s: `mounts` would be mounted in the runtime's mount namespace",
		    pre);
	if (l->n_devices)
		return husk_error_set(err, EINVAL, "%s: linux.devices needs a mount namespace",
				      pre);
	if (s->root_readonly || l->rootfs_propagation)
		return husk_error_set(err, EINVAL,
				      "%s: root.readonly and linux.rootfsPropagation need a mount "
				      "namespace",
				      pre);
	if (s->has_process && s->process.terminal)
		return husk_error_set(err, EINVAL,
				      "%s: process.terminal needs a mount namespace (/dev/console)",
				      pre);
	return 0;
}

static int plan_cpus(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_process *pr = &p->spec->process;

	if (pr->exec_cpu_affinity_initial &&
	    husk_cpu_list_parse(pr->exec_cpu_affinity_initial, &p->cpus_initial,
				&p->cpus_initial_size, err) < 0)
		return husk_error_wrap(err, "config.json: process.execCPUAffinity.initial");
	if (pr->exec_cpu_affinity_final &&
	    husk_cpu_list_parse(pr->exec_cpu_affinity_final, &p->cpus_final, &p->cpus_final_size,
				err) < 0)
		return husk_error_wrap(err, "config.json: process.execCPUAffinity.final");
	return 0;
}

/* Device rules are checked here, not when the cgroup is made. */
static int plan_cgroup(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	cleanup_free struct cg_dev_rule *rules = NULL;
	size_t n;

	if (cg_device_rules(l->has_resources ? &l->resources : NULL, &rules, &n, err) < 0)
		return husk_error_wrap(err, "config.json");
	/*
	 * The plan picks the cgroup driver: cgroupfs here; rootless a
	 * delegated subtree or none (plan-rootless.c); systemd
	 * (--systemd-cgroup) replaces it in husk_plan_use_systemd.
	 */
	if (p->rootless)
		return husk_plan_rootless_cgroup(p, err);
	return husk_cgroup_prepare(HUSK_CGROUP_CGROUPFS, l->cgroups_path, p->id, &p->cg, err);
}

static int plan_fill(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_spec *s = p->spec;

	plan_namespaces(p);
	if (husk_plan_rootless_userns(p, err) < 0)
		return -1;
	if (!p->ns.mount_ns && check_no_mount_ns(s, err) < 0)
		return -1;
	if (husk_plan_mounts(p, err) < 0)
		return -1;
	if (s->has_process) {
		const struct husk_caps *caps =
		    s->process.has_capabilities ? &s->process.capabilities : NULL;
		int last = husk_caps_kernel_last();
		husk_plan_caps(caps, last, &p->caps);
		husk_plan_caps_warnings(caps, last, "config.json: process.capabilities",
					&p->warnings);
		if (plan_cpus(p, err) < 0)
			return -1;
	}
	/* compiled here, so that a bad profile fails before anything exists */
	if (s->linux_.has_seccomp &&
	    husk_seccomp_compile(&s->linux_.seccomp, "config.json", &p->seccomp, err) < 0)
		return -1;
	return plan_cgroup(p, err);
}

int husk_plan_build(const struct husk_spec *spec, const char *id, const char *bundle,
		    const char *rootfs, const struct husk_ctx *ctx, struct husk_plan **out,
		    struct husk_error *err)
{
	struct husk_plan *p = xmalloc0(sizeof *p);

	p->rootless = ctx != NULL && husk_rootless(ctx);
	p->spec = spec;
	p->id = id;
	p->bundle = bundle;
	p->rootfs = rootfs;
	if (plan_fill(p, err) < 0) {
		husk_plan_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int husk_plan_use_systemd(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_spec *s = p->spec;
	struct husk_cgroup *cg = NULL;

	if (husk_cgroup_prepare(HUSK_CGROUP_SYSTEMD, s->linux_.cgroups_path, p->id, &cg, err) < 0)
		return -1;
	if (husk_cgroup_systemd_annotations(cg, s->annotations, s->n_annotations, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	husk_cgroup_free(p->cg);
	p->cg = cg;
	return 0;
}

/* The mounts part of a plan for callers without one (rootfs.c, idmap.c; the unit tests). */
const struct husk_plan *husk_rootfs_plan(const struct husk_spec *spec,
					 const struct husk_rootfs_opts *o, struct husk_plan **own,
					 struct husk_error *err)
{
	struct husk_plan *p;

	*own = NULL;
	if (o->plan)
		return o->plan;
	/* callers without a plan (the unit tests): the mounts part of one */
	p = xmalloc0(sizeof *p);
	p->spec = spec;
	p->bundle = o->bundle;
	p->rootfs = o->rootfs;
	p->ns.mount_ns = true;
	if (husk_plan_mounts(p, err) < 0) {
		husk_plan_free(p);
		return NULL;
	}
	*own = p;
	return p;
}
