/* SPDX-License-Identifier: Apache-2.0 */
/* linux: namespaces, id mappings, devices, sysctl, paths, personality... */
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

static int parse_namespaces(struct jctx *c, yajl_val a, struct husk_linux *l)
{
	for (size_t i = 0; i < a->u.array.len; i++) {
		yajl_val o = a->u.array.values[i];
		size_t mark = jp_idx(c, i);
		const char *type = NULL;
		int t;

		if (jv_obj(c, o) < 0 || j_str_peek(c, o, "type", J_REQ, &type) < 0)
			return -1;
		t = husk_ns_from_name(type);
		if (t < 0)
			return jerr_at(c, "type", "unknown namespace `%s`", type);
		/* config-linux.md: duplicated namespaces MUST be an error */
		if (l->namespaces[t].present)
			return jerr_at(c, "type", "duplicate namespace `%s`", type);
		l->namespaces[t].present = true;
		if (j_str(c, o, "path", J_OPT, &l->namespaces[t].path) < 0)
			return -1;
		if (l->namespaces[t].path && l->namespaces[t].path[0] == '\0') {
			/* an empty path means "create one", as runc reads it */
			free(l->namespaces[t].path);
			l->namespaces[t].path = NULL;
		} else if (l->namespaces[t].path && l->namespaces[t].path[0] != '/') {
			/* config-linux.md: an absolute path in the runtime's mount namespace */
			return jerr_at(c, "path", "`%s` is not an absolute path",
				       l->namespaces[t].path);
		}
		jp_pop(c, mark);
	}
	return 0;
}

static int parse_time_offset(struct jctx *c, yajl_val o, struct husk_time_offset *t)
{
	t->present = true;
	if (j_i64(c, o, "secs", J_OPT, &t->secs) < 0 ||
	    j_u32(c, o, "nanosecs", J_OPT, &t->nanosecs) < 0)
		return -1;
	if (t->nanosecs >= 1000000000u)
		return jerr_at(c, "nanosecs", "`%u` is out of range [0, 999999999]", t->nanosecs);
	return 0;
}

static int parse_time_offsets(struct jctx *c, yajl_val o, struct husk_linux *l)
{
	for (size_t i = 0; i < o->u.object.len; i++) {
		const char *k = o->u.object.keys[i];
		if (k && strcmp(k, "monotonic") != 0 && strcmp(k, "boottime") != 0)
			return jerr_at(c, k, "unknown clock `%s` (monotonic or boottime)", k);
	}
	J_SUB("monotonic", J_OPT, parse_time_offset(c, sub_, &l->time_offsets[0]));
	J_SUB("boottime", J_OPT, parse_time_offset(c, sub_, &l->time_offsets[1]));
	return 0;
}

static int parse_device(struct jctx *c, yajl_val o, void *out)
{
	struct husk_device *d = out;
	int flags, r;

	if (j_str(c, o, "type", J_REQ, &d->type) < 0)
		return -1;
	if (strlen(d->type) != 1 || !strchr("cbup", d->type[0]))
		return jerr_at(c, "type", "unknown device type `%s` (c, b, u or p)", d->type);
	if (j_abs_path(c, o, "path", J_REQ, &d->path) < 0)
		return -1;
	/* config-linux.md: major and minor are REQUIRED unless type is p */
	flags = d->type[0] == 'p' ? J_OPT : J_REQ;
	/*
	 * mknod(2) takes the kernel's old 32-bit dev_t: 12 bits of major and 20
	 * of minor (new_decode_dev); glibc's makedev() puts larger numbers in
	 * bits the syscall drops, so 4096:0 would silently become 0:0.
	 */
	if (j_i64_in(c, o, "major", flags, 0, 4095, &d->major) < 0 ||
	    j_i64_in(c, o, "minor", flags, 0, 1048575, &d->minor) < 0)
		return -1;
	if ((r = j_u32(c, o, "fileMode", J_OPT, &d->file_mode)) < 0)
		return -1;
	d->has_file_mode = r > 0;
	if ((r = j_u32_in(c, o, "uid", J_OPT, 0, HUSK_ID_MAX, &d->uid)) < 0)
		return -1;
	d->has_uid = r > 0;
	if ((r = j_u32_in(c, o, "gid", J_OPT, 0, HUSK_ID_MAX, &d->gid)) < 0)
		return -1;
	d->has_gid = r > 0;
	return 0;
}

static int parse_net_device(struct jctx *c, char *key, yajl_val o, void *out)
{
	struct husk_net_device *d = out;

	d->host_name = key;
	if (jv_obj(c, o) < 0 || j_str(c, o, "name", J_OPT, &d->name) < 0)
		return -1;
	return 0;
}

static int parse_personality(struct jctx *c, yajl_val o, struct husk_linux *l)
{
	l->has_personality = true;
	if (j_enum(c, o, "domain", J_REQ, &husk_personality_table, "personality domain",
		   &l->personality_domain, NULL) < 0 ||
	    j_strv(c, o, "flags", J_OPT, &l->personality_flags) < 0)
		return -1;
	return 0;
}

static int parse_intel_rdt(struct jctx *c, yajl_val o, struct husk_intel_rdt *r)
{
	if (j_str(c, o, "closID", J_OPT, &r->clos_id) < 0 ||
	    j_str(c, o, "l3CacheSchema", J_OPT, &r->l3_cache_schema) < 0 ||
	    j_str(c, o, "memBwSchema", J_OPT, &r->mem_bw_schema) < 0 ||
	    j_strv(c, o, "schemata", J_OPT, &r->schemata) < 0 ||
	    j_bool(c, o, "enableMonitoring", J_OPT, &r->enable_monitoring) < 0)
		return -1;
	return 0;
}

static int parse_memory_policy(struct jctx *c, yajl_val o, struct husk_memory_policy *m)
{
	if (j_enum(c, o, "mode", J_REQ, &husk_mpol_mode_table, "memory policy mode", &m->mode,
		   NULL) < 0 ||
	    j_str(c, o, "nodes", J_OPT, &m->nodes) < 0 ||
	    j_enum_list(c, o, "flags", J_OPT, &husk_mpol_flag_table, "memory policy flag",
			&m->flags, NULL) < 0)
		return -1;
	return 0;
}

/* config-linux.md: maskedPaths and readonlyPaths MUST be absolute */
static int abs_paths(struct jctx *c, yajl_val o, const char *key, char ***out)
{
	int r = j_strv(c, o, key, J_OPT, out);

	if (r <= 0)
		return r;
	for (size_t i = 0; (*out)[i]; i++) {
		if ((*out)[i][0] != '/') {
			jp_key(c, key);
			jp_idx(c, i);
			return jerr(c, "`%s` is not an absolute path", (*out)[i]);
		}
	}
	return 1;
}

int parse_linux(struct jctx *c, yajl_val o, struct husk_linux *l)
{
	yajl_val v;
	int r;

	r = j_arr(c, o, "namespaces", J_OPT, &v);
	if (r < 0)
		return -1;
	if (r > 0) {
		size_t mark = jp_key(c, "namespaces");
		if (parse_namespaces(c, v, l) < 0)
			return -1;
		jp_pop(c, mark);
	}
	if (j_each(c, o, "uidMappings", J_OPT, sizeof *l->uid_mappings, &l->uid_mappings,
		   &l->n_uid_mappings, parse_id_mapping) < 0 ||
	    j_each(c, o, "gidMappings", J_OPT, sizeof *l->gid_mappings, &l->gid_mappings,
		   &l->n_gid_mappings, parse_id_mapping) < 0)
		return -1;
	J_SUB("timeOffsets", J_OPT, parse_time_offsets(c, sub_, l));
	if (j_each(c, o, "devices", J_OPT, sizeof *l->devices, &l->devices, &l->n_devices,
		   parse_device) < 0 ||
	    j_map(c, o, "netDevices", J_OPT, sizeof *l->net_devices, &l->net_devices,
		  &l->n_net_devices, parse_net_device) < 0 ||
	    j_str(c, o, "cgroupsPath", J_OPT, &l->cgroups_path) < 0)
		return -1;
	J_SUB("resources", J_OPT, parse_resources(c, sub_, &l->resources));
	l->has_resources = jget(o, "resources") != NULL;
	if (j_enum(c, o, "rootfsPropagation", J_OPT, &husk_propagation_table, "rootfs propagation",
		   &l->rootfs_propagation, NULL) < 0)
		return -1;
	J_SUB("seccomp", J_OPT, parse_seccomp(c, sub_, &l->seccomp));
	l->has_seccomp = jget(o, "seccomp") != NULL;
	if (j_kv(c, o, "sysctl", J_OPT, &l->sysctl, &l->n_sysctl) < 0 ||
	    abs_paths(c, o, "maskedPaths", &l->masked_paths) < 0 ||
	    abs_paths(c, o, "readonlyPaths", &l->readonly_paths) < 0 ||
	    j_str(c, o, "mountLabel", J_OPT, &l->mount_label) < 0)
		return -1;
	J_SUB("personality", J_OPT, parse_personality(c, sub_, l));
	J_SUB("intelRdt", J_OPT, parse_intel_rdt(c, sub_, &l->intel_rdt));
	l->has_intel_rdt = jget(o, "intelRdt") != NULL;
	J_SUB("memoryPolicy", J_OPT, parse_memory_policy(c, sub_, &l->memory_policy));
	l->has_memory_policy = jget(o, "memoryPolicy") != NULL;
	return 0;
}

void linux_clear(struct husk_linux *l)
{
	for (int i = 0; i < HUSK_NS_N; i++)
		free(l->namespaces[i].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++) {
		free(l->devices[i].type);
		free(l->devices[i].path);
	}
	free(l->devices);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	husk_resources_clear(&l->resources);
	free(l->rootfs_propagation);
	seccomp_clear(&l->seccomp);
	husk_kv_free(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->personality_domain);
	strv_free(l->personality_flags);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	strv_free(l->intel_rdt.schemata);
	free(l->memory_policy.mode);
	free(l->memory_policy.nodes);
	strv_free(l->memory_policy.flags);
	memset(l, 0, sizeof *l);
}
