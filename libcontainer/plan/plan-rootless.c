/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootless (issue 12): what a container needs when husk runs as a non-root
 * user, checked before anything exists.
 *
 *  - a non-root euid needs a new user namespace with uid and gid mappings
 *    (runc's rootless_euid validator); a mapping of the caller's own id
 *    (size 1) husk writes itself, the others go through newuidmap and
 *    newgidmap (shadow's, Debian's `uidmap`), which only grant the ranges
 *    /etc/subuid and /etc/subgid give the user: checked here, so that the
 *    error names the mapping.
 *  - the cgroup (husk_rootless): a delegated v2 subtree, else none, and
 *    then a limit is an error naming it, never a silent drop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "plan/plan.h"
#include "utils.h"

static const char *const map_names[2] = {"uidMappings", "gidMappings"};
static const char *const sub_files[2] = {"/etc/subuid", "/etc/subgid"};
static const char *const helpers[2] = {"newuidmap", "newgidmap"};

/* PATH lookup, as rootlesskit and Podman find the helper (exec.LookPath) */
static char *find_helper(const char *name)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/bin:/usr/sbin:/bin:/sbin");
	char *save = NULL, *buf;

	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/' || asprintf(&buf, "%s/%s", d, name) < 0)
			continue;
		if (access(buf, X_OK) == 0)
			return buf;
		free(buf);
	}
	return NULL;
}

/* [host, host+size) within one of the user's lines of /etc/subuid (or subgid) */
static bool granted(const char *file, const char *user, uid_t uid, uint64_t host, uint64_t size)
{
	cleanup_file FILE *f = fopen(file, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	char num[16];

	if (f == NULL)
		return false;
	snprintf(num, sizeof num, "%u", (unsigned)uid);
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':');
		unsigned long long start, count;

		if (c1 == NULL || sscanf(c1 + 1, "%llu:%llu", &start, &count) != 2)
			continue;
		*c1 = '\0';
		if (strcmp(line, num) != 0 && (user == NULL || strcmp(line, user) != 0))
			continue;
		if (host >= start && host + size <= start + count)
			return true;
	}
	return false;
}

/* The maps of kind k (0 uid, 1 gid): written directly, or through the helper. */
static int check_maps(struct husk_plan *p, int k, struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	const struct husk_id_mapping *m = k ? l->gid_mappings : l->uid_mappings;
	size_t n = k ? l->n_gid_mappings : l->n_uid_mappings;
	unsigned own = k ? (unsigned)getegid() : (unsigned)geteuid();
	cleanup_free char *user = husk_passwd_name(geteuid());

	if (n == 0)
		return husk_error_set(err, EINVAL,
				      "config.json: linux.%s: a rootless container (uid %u) needs "
				      "at least one mapping",
				      map_names[k], (unsigned)geteuid());
	/* the caller's own id alone: husk writes it (setgroups denied first for gids) */
	if (n == 1 && m[0].host_id == own && m[0].size == 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t host = m[i].host_id, size = m[i].size;
		if ((host == own && size == 1) ||
		    granted(sub_files[k], user, geteuid(), host, size))
			continue;
		return husk_error_set(
		    err, EPERM,
		    "config.json: linux.%s[%zu]: host ids %llu-%llu are neither the "
		    "caller's %s %u nor granted to `%s` in %s",
		    map_names[k], i, (unsigned long long)host,
		    (unsigned long long)(host + size - 1), k ? "gid" : "uid", own,
		    user ? user : "?", sub_files[k]);
	}
	p->map_helper[k] = find_helper(helpers[k]);
	if (p->map_helper[k] == NULL)
		return husk_error_set(err, ENOENT,
				      "config.json: linux.%s: more than the caller's own id needs "
				      "`%s` (Debian's uidmap package): not found in PATH",
				      map_names[k], helpers[k]);
	return 0;
}

static bool mapped(const struct husk_id_mapping *m, size_t n, unsigned long id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
			return true;
	return false;
}

/*
 * runc's rootless_euid validator: a uid=/gid= mount option (devpts's gid=5
 * of the default config) must name an id mapped in the container, else the
 * kernel refuses the mount with EINVAL; `husk spec --rootless` has none.
 */
static int check_mount_ids(const struct husk_plan *p, struct husk_error *err)
{
	const struct husk_spec *s = p->spec;
	const struct husk_linux *l = &s->linux_;

	for (size_t i = 0; i < s->n_mounts; i++) {
		for (char **o = s->mounts[i].options; o && *o; o++) {
			bool gid = strncmp(*o, "gid=", 4) == 0;
			char *end;
			unsigned long id;

			if (!gid && strncmp(*o, "uid=", 4) != 0)
				continue;
			id = strtoul(*o + 4, &end, 10);
			if (*end != '\0' || end == *o + 4 ||
			    mapped(gid ? l->gid_mappings : l->uid_mappings,
				   gid ? l->n_gid_mappings : l->n_uid_mappings, id))
				continue;
			return husk_error_set(
			    err, EINVAL,
			    "config.json: mounts[%zu].options: `%s`: %s %lu is not "
			    "mapped in the rootless container (linux.%s)",
			    i, *o, gid ? "gid" : "uid", id, map_names[gid]);
		}
	}
	return 0;
}

int husk_plan_rootless_userns(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_namespace *ns = &p->spec->linux_.namespaces[HUSK_NS_USER];

	if (geteuid() == 0)
		return 0;
	if (!ns->present)
		return husk_error_set(
		    err, EINVAL,
		    "config.json: linux.namespaces: a rootless container (uid %u) "
		    "needs a user namespace (`husk spec --rootless` makes one)",
		    (unsigned)geteuid());
	/* joined by path: its maps are written already */
	if (ns->path != NULL)
		return 0;
	if (check_maps(p, 0, err) < 0 || check_maps(p, 1, err) < 0)
		return -1;
	return check_mount_ids(p, err);
}

/*
 * The first limit set (as runc's needAnyControllers counts them: a 0 is
 * unset), by its JSON path under linux.resources; NULL: none.  Device rules
 * are not limits here: without a cgroup they are skipped, as runc does for
 * rootless (the devices are bind-mounted from the host).
 */
static const char *first_limit(const struct husk_resources *r)
{
	const struct husk_memory *m = &r->memory;
	const struct husk_cpu *c = &r->cpu;
	const struct husk_blkio *b = &r->blkio;
	const struct {
		bool set;
		const char *name;
	} t[] = {
	    {r->has_memory && m->has_limit && m->limit, "memory.limit"},
	    {r->has_memory && m->has_reservation && m->reservation, "memory.reservation"},
	    {r->has_memory && m->has_swap && m->swap, "memory.swap"},
	    {r->has_memory && m->has_kernel && m->kernel, "memory.kernel"},
	    {r->has_memory && m->has_kernel_tcp && m->kernel_tcp, "memory.kernelTCP"},
	    {r->has_memory && m->has_swappiness, "memory.swappiness"},
	    {r->has_memory && m->disable_oom_killer, "memory.disableOOMKiller"},
	    {r->has_cpu && c->has_shares && c->shares, "cpu.shares"},
	    {r->has_cpu && c->has_quota && c->quota, "cpu.quota"},
	    {r->has_cpu && c->has_period && c->period, "cpu.period"},
	    {r->has_cpu && c->has_burst && c->burst, "cpu.burst"},
	    {r->has_cpu && c->has_realtime_runtime && c->realtime_runtime, "cpu.realtimeRuntime"},
	    {r->has_cpu && c->has_realtime_period && c->realtime_period, "cpu.realtimePeriod"},
	    {r->has_cpu && c->has_idle, "cpu.idle"},
	    {r->has_cpu && c->cpus && *c->cpus, "cpu.cpus"},
	    {r->has_cpu && c->mems && *c->mems, "cpu.mems"},
	    {r->has_pids && r->has_pids_limit && r->pids_limit, "pids.limit"},
	    {r->has_blkio && b->has_weight && b->weight, "blockIO.weight"},
	    {r->has_blkio && b->has_leaf_weight && b->leaf_weight, "blockIO.leafWeight"},
	    {r->has_blkio && b->n_weight_device, "blockIO.weightDevice"},
	    {r->has_blkio && b->throttle_read_bps.n, "blockIO.throttleReadBpsDevice"},
	    {r->has_blkio && b->throttle_write_bps.n, "blockIO.throttleWriteBpsDevice"},
	    {r->has_blkio && b->throttle_read_iops.n, "blockIO.throttleReadIOPSDevice"},
	    {r->has_blkio && b->throttle_write_iops.n, "blockIO.throttleWriteIOPSDevice"},
	    {r->n_hugepage_limits > 0, "hugepageLimits"},
	    {r->has_network && r->has_class_id, "network.classID"},
	    {r->has_network && r->n_net_priorities, "network.priorities"},
	    {r->n_rdma > 0, "rdma"},
	    {r->n_unified > 0, "unified"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].set)
			return t[i].name;
	return NULL;
}

int husk_plan_rootless_cgroup(struct husk_plan *p, struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	cleanup_free char *path = NULL;
	const char *limit;

	if (husk_cgroup_rootless_path(l->cgroups_path, p->id, &path, err) < 0)
		return husk_error_wrap(err, "config.json: linux.cgroupsPath");
	if (path != NULL)
		return husk_cgroup_prepare(HUSK_CGROUP_CGROUPFS, path, p->id, &p->cg, err);
	/* runc 1.1 fails too: "unable to apply cgroup configuration: ... permission denied" */
	if (l->cgroups_path != NULL)
		return husk_error_set(
		    err, EPERM,
		    "config.json: linux.cgroupsPath: `%s`: needs a cgroup; rootless "
		    "without cgroup delegation",
		    l->cgroups_path);
	limit = l->has_resources ? first_limit(&l->resources) : NULL;
	if (limit != NULL)
		return husk_error_set(err, EPERM,
				      "config.json: linux.resources.%s: needs a cgroup; rootless "
				      "without cgroup delegation",
				      limit);
	return husk_cgroup_prepare(HUSK_CGROUP_NONE, NULL, p->id, &p->cg, err);
}
