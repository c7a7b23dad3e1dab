/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk plan --format json`: the plan as one pretty-printed JSON object
 * (spec/'s writer and escaper, as every JSON husk writes):
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

#include "cgroup/cgroup.h"
#include "plan/plan.h"
#include "spec/json.h"
#include "utils.h"

/* a string, or null for none */
static void str(struct jw *g, const char *s)
{
	if (s == NULL)
		jw_null(g);
	else
		jw_str(g, s);
}

static void kv(struct jw *g, const char *k, const char *v)
{
	jw_key(g, k);
	str(g, v);
}

static void strv(struct jw *g, const char *k, char *const *v)
{
	jw_key(g, k);
	jw_arr_begin(g);
	for (; v && *v; v++)
		str(g, *v);
	jw_arr_end(g);
}

/* "a|b|c" as a JSON array of words */
static void words(struct jw *g, const char *k, const char *joined, char sep)
{
	cleanup_free char *s = xstrdup(joined);

	jw_key(g, k);
	jw_arr_begin(g);
	for (char *p = s, *w; (w = strsep(&p, (char[]){sep, '\0'})) != NULL;)
		if (*w)
			str(g, w);
	jw_arr_end(g);
}

static void gen_ns(struct jw *g, const struct husk_plan *p)
{
	const struct husk_namespace *ns = p->spec->linux_.namespaces;

	jw_key(g, "namespaces");
	jw_arr_begin(g);
	for (int t = 0; t < HUSK_NS_N; t++) {
		jw_obj_begin(g);
		kv(g, "type", husk_ns_name(t));
		kv(g, "action", !ns[t].present ? "inherit" : ns[t].path ? "join" : "new");
		if (ns[t].path)
			kv(g, "path", ns[t].path);
		jw_obj_end(g);
	}
	jw_arr_end(g);
}

static void gen_mount(struct jw *g, const struct husk_plan *p, size_t i)
{
	const struct husk_plan_mount *m = &p->mounts[i];
	const struct husk_mount *sm = &p->spec->mounts[i];
	cleanup_free char *flags = husk_plan_mount_flags_str(m->flags);

	jw_obj_begin(g);
	kv(g, "destination", sm->destination);
	kv(g, "source", m->source);
	kv(g, "type", m->bind ? "bind" : sm->type);
	words(g, "flags", flags, '|');
	kv(g, "data", m->data);
	jw_key(g, "propagation");
	jw_arr_begin(g);
	for (size_t k = 0; k < m->n_prop; k++)
		str(g, husk_plan_prop_name(m->prop[k]));
	jw_arr_end(g);
	jw_key(g, "idmap");
	jw_bool(g, m->idmapped);
	jw_key(g, "tmpcopyup");
	jw_bool(g, m->tmpcopyup);
	jw_obj_end(g);
}

static int gen_cgroup(struct jw *g, const struct husk_plan *p, enum husk_plan_layout layout,
		      struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	struct husk_plan_cgfile *v;
	size_t n;

	if (husk_plan_cgroup_files(l->has_resources ? &l->resources : NULL, layout, &v, &n, err) <
	    0)
		return -1;
	jw_key(g, "cgroup");
	jw_obj_begin(g);
	kv(g, "path", husk_cgroup_path(p->cg));
	kv(g, "layout", husk_plan_layout_name(layout));
	jw_key(g, "files");
	jw_arr_begin(g);
	/* the none driver: path null, no files */
	for (size_t i = 0; husk_cgroup_path(p->cg) != NULL && i < n; i++) {
		jw_obj_begin(g);
		kv(g, "file", v[i].file);
		kv(g, "value", v[i].value);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_obj_end(g);
	husk_plan_cgfiles_free(v, n);
	return 0;
}

static void gen_caps(struct jw *g, const struct husk_plan *p)
{
	const char *names[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	const uint64_t masks[] = {p->caps.bounding, p->caps.effective, p->caps.inheritable,
				  p->caps.permitted, p->caps.ambient};

	jw_key(g, "capabilities");
	jw_obj_begin(g);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_free char *s = husk_plan_caps_str(masks[i]);
		words(g, names[i], s, ' ');
	}
	jw_obj_end(g);
}

static void gen_seccomp_hooks(struct jw *g, const struct husk_plan *p)
{
	const struct husk_seccomp *sc = &p->spec->linux_.seccomp;

	jw_key(g, "seccomp");
	if (!p->spec->linux_.has_seccomp) {
		jw_null(g);
	} else {
		jw_obj_begin(g);
		kv(g, "defaultAction", sc->default_action);
		jw_key(g, "rules");
		jw_i64(g, (long long)sc->n_syscalls);
		strv(g, "flags", sc->flags);
		jw_obj_end(g);
	}
	jw_key(g, "hooks");
	jw_arr_begin(g);
	for (int k = 0; k < HUSK_HOOK_N; k++)
		for (size_t i = 0; i < p->spec->hooks[k].n; i++) {
			jw_obj_begin(g);
			kv(g, "kind", husk_hook_name(k));
			kv(g, "path", p->spec->hooks[k].hooks[i].path);
			jw_obj_end(g);
		}
	jw_arr_end(g);
}

static void gen_process(struct jw *g, const struct husk_plan *p)
{
	const struct husk_process *pr = &p->spec->process;

	jw_key(g, "rlimits");
	jw_arr_begin(g);
	for (size_t i = 0; p->spec->has_process && i < pr->n_rlimits; i++) {
		jw_obj_begin(g);
		kv(g, "type", pr->rlimits[i].type_name);
		jw_key(g, "soft");
		jw_i64(g, (long long)pr->rlimits[i].soft);
		jw_key(g, "hard");
		jw_i64(g, (long long)pr->rlimits[i].hard);
		jw_obj_end(g);
	}
	jw_arr_end(g);
	jw_key(g, "process");
	if (!p->spec->has_process) {
		jw_null(g);
		return;
	}
	jw_obj_begin(g);
	jw_key(g, "user");
	jw_obj_begin(g);
	jw_key(g, "uid");
	jw_i64(g, pr->user.uid);
	jw_key(g, "gid");
	jw_i64(g, pr->user.gid);
	jw_obj_end(g);
	strv(g, "args", pr->args);
	kv(g, "cwd", pr->cwd);
	jw_key(g, "terminal");
	jw_bool(g, pr->terminal);
	jw_key(g, "noNewPrivileges");
	jw_bool(g, pr->no_new_privileges);
	jw_obj_end(g);
}

char *husk_plan_to_json(const struct husk_plan *p, enum husk_plan_layout layout,
			struct husk_error *err)
{
	struct jw w;
	struct jw *g = &w;
	char *out;

	jw_init(g, "  ");
	jw_obj_begin(g);
	kv(g, "id", p->id);
	kv(g, "bundle", p->bundle);
	kv(g, "rootfs", p->rootfs);
	gen_ns(g, p);
	jw_key(g, "mounts");
	jw_arr_begin(g);
	for (size_t i = 0; i < p->n_mounts; i++)
		gen_mount(g, p, i);
	jw_arr_end(g);
	if (gen_cgroup(g, p, layout, err) < 0) {
		free(jw_finish(g));
		return NULL;
	}
	gen_caps(g, p);
	gen_seccomp_hooks(g, p);
	gen_process(g, p);
	jw_obj_end(g);
	out = jw_finish(g);
	return out;
}
