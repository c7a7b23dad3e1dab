/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk plan --format json`: the plan as one pretty-printed JSON object
 * (yajl's generator, which escapes every string):
 *
 *   {"id", "bundle", "rootfs",
 *    "namespaces": [{"type", "action": "new"|"join"|"inherit", "path"?}],
 *    "mounts": [{"destination", "source", "type", "flags": [..], "data",
 *                "propagation": [..], "idmap", "tmpcopyup"}],
 *    "cgroup": {"path", "layout", "files": [{"file", "value"}]},
 *    "capabilities": {"bounding": [..], ...},
 *    "seccomp": null | {"defaultAction", "rules", "flags": [..]},
 *    "hooks": [{"kind", "path"}], "rlimits": [{"type", "soft", "hard"}],
 *    "user": {"uid", "gid", "additionalGids"}, "process": null | {"args", "cwd", "terminal"}}
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cgroup/cgroup.h"
#include "plan/plan.h"
#include "utils.h"

static void str(yajl_gen g, const char *s)
{
	if (s == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
	str(g, k);
	str(g, v);
}

static void strv(yajl_gen g, const char *k, char *const *v)
{
	str(g, k);
	yajl_gen_array_open(g);
	for (; v && *v; v++)
		str(g, *v);
	yajl_gen_array_close(g);
}

/* "a|b|c" as a JSON array of words */
static void words(yajl_gen g, const char *k, const char *joined, char sep)
{
	cleanup_free char *s = xstrdup(joined);

	str(g, k);
	yajl_gen_array_open(g);
	for (char *p = s, *w; (w = strsep(&p, (char[]){sep, '\0'})) != NULL;)
		if (*w)
			str(g, w);
	yajl_gen_array_close(g);
}

static void gen_ns(yajl_gen g, const struct husk_plan *p)
{
	const struct husk_namespace *ns = p->spec->linux_.namespaces;

	str(g, "namespaces");
	yajl_gen_array_open(g);
	for (int t = 0; t < HUSK_NS_N; t++) {
		yajl_gen_map_open(g);
		kv(g, "type", husk_ns_name(t));
		kv(g, "action", !ns[t].present ? "inherit" : ns[t].path ? "join" : "new");
		if (ns[t].path)
			kv(g, "path", ns[t].path);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_mount(yajl_gen g, const struct husk_plan *p, size_t i)
{
	const struct husk_plan_mount *m = &p->mounts[i];
	const struct husk_mount *sm = &p->spec->mounts[i];
	cleanup_free char *flags = husk_plan_mount_flags_str(m->flags);

	yajl_gen_map_open(g);
	kv(g, "destination", sm->destination);
	kv(g, "source", m->source);
	kv(g, "type", m->bind ? "bind" : sm->type);
	words(g, "flags", flags, '|');
	kv(g, "data", m->data);
	str(g, "propagation");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < m->n_prop; k++)
		str(g, husk_plan_prop_name(m->prop[k]));
	yajl_gen_array_close(g);
	str(g, "idmap");
	yajl_gen_bool(g, m->idmapped);
	str(g, "tmpcopyup");
	yajl_gen_bool(g, m->tmpcopyup);
	yajl_gen_map_close(g);
}

static int gen_cgroup(yajl_gen g, const struct husk_plan *p, enum husk_plan_layout layout,
		      struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	struct husk_plan_cgfile *v;
	size_t n;

	if (husk_plan_cgroup_files(l->has_resources ? &l->resources : NULL, layout, &v, &n, err) <
	    0)
		return -1;
	str(g, "cgroup");
	yajl_gen_map_open(g);
	kv(g, "path", husk_cgroup_path(p->cg));
	kv(g, "layout", husk_plan_layout_name(layout));
	str(g, "files");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		kv(g, "file", v[i].file);
		kv(g, "value", v[i].value);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	husk_plan_cgfiles_free(v, n);
	return 0;
}

static void gen_caps(yajl_gen g, const struct husk_plan *p)
{
	const char *names[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	const uint64_t masks[] = {p->caps.bounding, p->caps.effective, p->caps.inheritable,
				  p->caps.permitted, p->caps.ambient};

	str(g, "capabilities");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_free char *s = husk_plan_caps_str(masks[i]);
		words(g, names[i], s, ' ');
	}
	yajl_gen_map_close(g);
}

static void gen_seccomp_hooks(yajl_gen g, const struct husk_plan *p)
{
	const struct husk_seccomp *sc = &p->spec->linux_.seccomp;

	str(g, "seccomp");
	if (!p->spec->linux_.has_seccomp) {
		yajl_gen_null(g);
	} else {
		yajl_gen_map_open(g);
		kv(g, "defaultAction", sc->default_action);
		str(g, "rules");
		yajl_gen_integer(g, (long long)sc->n_syscalls);
		strv(g, "flags", sc->flags);
		yajl_gen_map_close(g);
	}
	str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < HUSK_HOOK_N; k++)
		for (size_t i = 0; i < p->spec->hooks[k].n; i++) {
			yajl_gen_map_open(g);
			kv(g, "kind", husk_hook_name(k));
			kv(g, "path", p->spec->hooks[k].hooks[i].path);
			yajl_gen_map_close(g);
		}
	yajl_gen_array_close(g);
}

static void gen_process(yajl_gen g, const struct husk_plan *p)
{
	const struct husk_process *pr = &p->spec->process;

	str(g, "rlimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; p->spec->has_process && i < pr->n_rlimits; i++) {
		yajl_gen_map_open(g);
		kv(g, "type", pr->rlimits[i].type_name);
		str(g, "soft");
		yajl_gen_integer(g, (long long)pr->rlimits[i].soft);
		str(g, "hard");
		yajl_gen_integer(g, (long long)pr->rlimits[i].hard);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	str(g, "process");
	if (!p->spec->has_process) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	str(g, "user");
	yajl_gen_map_open(g);
	str(g, "uid");
	yajl_gen_integer(g, pr->user.uid);
	str(g, "gid");
	yajl_gen_integer(g, pr->user.gid);
	yajl_gen_map_close(g);
	strv(g, "args", pr->args);
	kv(g, "cwd", pr->cwd);
	str(g, "terminal");
	yajl_gen_bool(g, pr->terminal);
	str(g, "noNewPrivileges");
	yajl_gen_bool(g, pr->no_new_privileges);
	yajl_gen_map_close(g);
}

char *husk_plan_to_json(const struct husk_plan *p, enum husk_plan_layout layout,
			struct husk_error *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	kv(g, "id", p->id);
	kv(g, "bundle", p->bundle);
	kv(g, "rootfs", p->rootfs);
	gen_ns(g, p);
	str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < p->n_mounts; i++)
		gen_mount(g, p, i);
	yajl_gen_array_close(g);
	if (gen_cgroup(g, p, layout, err) == 0) {
		gen_caps(g, p);
		gen_seccomp_hooks(g, p);
		gen_process(g, p);
		yajl_gen_map_close(g);
		yajl_gen_get_buf(g, &buf, &len);
		out = xmalloc0(len + 1);
		memcpy(out, buf, len);
	}
	yajl_gen_free(g);
	return out;
}
