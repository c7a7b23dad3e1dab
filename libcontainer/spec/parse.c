/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json -> struct husk_spec: the top level (root, mounts, hooks,
 * annotations) and the entry points.  process, linux, resources and seccomp
 * are in their own files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

static int parse_mount(struct jctx *c, yajl_val o, void *out)
{
	struct husk_mount *m = out;

	if (j_str(c, o, "destination", J_REQ, &m->destination) < 0 ||
	    j_str(c, o, "source", J_OPT, &m->source) < 0 ||
	    j_str(c, o, "type", J_OPT, &m->type) < 0 ||
	    j_strv(c, o, "options", J_OPT, &m->options) < 0 ||
	    j_each(c, o, "uidMappings", J_OPT, sizeof *m->uid_mappings, &m->uid_mappings,
		   &m->n_uid_mappings, parse_id_mapping) < 0 ||
	    j_each(c, o, "gidMappings", J_OPT, sizeof *m->gid_mappings, &m->gid_mappings,
		   &m->n_gid_mappings, parse_id_mapping) < 0)
		return -1;
	if (m->destination[0] == '\0')
		return jerr_at(c, "destination", "must not be empty");
	return 0;
}

static int parse_hook(struct jctx *c, yajl_val o, void *out)
{
	struct husk_hook *h = out;
	int r;

	if (j_abs_path(c, o, "path", J_REQ, &h->path) < 0 ||
	    j_strv(c, o, "args", J_OPT, &h->args) < 0 || j_strv(c, o, "env", J_OPT, &h->env) < 0)
		return -1;
	r = j_int(c, o, "timeout", J_OPT, &h->timeout);
	if (r < 0)
		return -1;
	h->has_timeout = r > 0;
	if (h->has_timeout && h->timeout <= 0)
		return jerr_at(c, "timeout", "must be greater than zero, got `%d`", h->timeout);
	return 0;
}

static int parse_hooks(struct jctx *c, yajl_val o, struct husk_spec *s)
{
	for (int k = 0; k < HUSK_HOOK_N; k++)
		if (j_each(c, o, husk_hook_name(k), J_OPT, sizeof *s->hooks[k].hooks,
			   &s->hooks[k].hooks, &s->hooks[k].n, parse_hook) < 0)
			return -1;
	return 0;
}

/* SemVer with major version 1: the runtime-spec keeps 1.x compatible. */
static int check_version(struct jctx *c, const char *v)
{
	const char *p = v;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == v || *p != '.')
		return jerr_at(c, "ociVersion", "`%s` is not a version", v);
	if (p - v != 1 || v[0] != '1')
		return jerr_at(c, "ociVersion", "unsupported version `%s` (husk supports 1.x)", v);
	return 0;
}

static int parse_root(struct jctx *c, yajl_val o, struct husk_spec *s)
{
	if (j_str(c, o, "path", J_REQ, &s->root_path) < 0 ||
	    j_bool(c, o, "readonly", J_OPT, &s->root_readonly) < 0)
		return -1;
	if (s->root_path[0] == '\0')
		return jerr_at(c, "path", "must not be empty");
	return 0;
}

static int parse_top(struct jctx *c, yajl_val o, struct husk_spec *s)
{
	if (jv_obj(c, o) < 0)
		return -1;
	if (j_str(c, o, "ociVersion", J_REQ, &s->oci_version) < 0 ||
	    check_version(c, s->oci_version) < 0)
		return -1;
	J_SUB("root", J_REQ, parse_root(c, sub_, s));
	if (j_each(c, o, "mounts", J_OPT, sizeof *s->mounts, &s->mounts, &s->n_mounts,
		   parse_mount) < 0)
		return -1;
	s->has_process = jget(o, "process") != NULL;
	J_SUB("process", J_OPT, parse_process(c, sub_, &s->process, false));
	if (j_str(c, o, "hostname", J_OPT, &s->hostname) < 0 ||
	    j_str(c, o, "domainname", J_OPT, &s->domainname) < 0)
		return -1;
	J_SUB("hooks", J_OPT, parse_hooks(c, sub_, s));
	if (j_kv(c, o, "annotations", J_OPT, &s->annotations, &s->n_annotations) < 0)
		return -1;
	s->has_linux = jget(o, "linux") != NULL;
	J_SUB("linux", J_OPT, parse_linux(c, sub_, &s->linux_));
	return 0;
}

int husk_spec_parse(const char *json, size_t len, const char *file, struct husk_spec **out,
		    struct husk_error *err)
{
	cleanup_spec struct husk_spec *s = NULL;
	struct jctx c;
	yajl_val tree;
	int r;

	if (file == NULL)
		file = "config.json";
	tree = jparse(json, len, file, err);
	if (tree == NULL)
		return -1;
	s = xmalloc0(sizeof *s);
	jctx_init(&c, file, err);
	r = parse_top(&c, tree, s);
	yajl_tree_free(tree);
	if (r < 0)
		return -1;
	if (husk_spec_validate(s, file, err) < 0)
		return -1;
	*out = steal_pointer(&s);
	return 0;
}

/* One JSON object document parsed by `fn` into `out`; the JSON tree is freed. */
static int parse_object_doc(const char *json, size_t len, const char *file,
			    int (*fn)(struct jctx *c, yajl_val o, void *out), void *out,
			    struct husk_error *err)
{
	struct jctx c;
	yajl_val tree = jparse(json, len, file, err);
	int r;

	if (tree == NULL)
		return -1;
	jctx_init(&c, file, err);
	r = jv_obj(&c, tree) < 0 ? -1 : fn(&c, tree, out);
	yajl_tree_free(tree);
	return r;
}

static int process_fn(struct jctx *c, yajl_val o, void *out)
{
	return parse_process(c, o, out, true);
}

static int resources_fn(struct jctx *c, yajl_val o, void *out)
{
	return parse_resources(c, o, out);
}

int husk_process_parse(const char *json, size_t len, const char *file, struct husk_process *out,
		       struct husk_error *err)
{
	memset(out, 0, sizeof *out);
	if (parse_object_doc(json, len, file ? file : "process.json", process_fn, out, err) < 0) {
		husk_process_clear(out);
		return -1;
	}
	return 0;
}

int husk_resources_parse(const char *json, size_t len, const char *file, struct husk_resources *out,
			 struct husk_error *err)
{
	memset(out, 0, sizeof *out);
	if (parse_object_doc(json, len, file ? file : "resources.json", resources_fn, out, err) <
	    0) {
		husk_resources_clear(out);
		return -1;
	}
	return 0;
}

static void mount_clear(struct husk_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	strv_free(m->options);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

static void hook_clear(struct husk_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

void husk_spec_free(struct husk_spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++)
		mount_clear(&s->mounts[i]);
	free(s->mounts);
	husk_process_clear(&s->process);
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < HUSK_HOOK_N; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++)
			hook_clear(&s->hooks[k].hooks[i]);
		free(s->hooks[k].hooks);
	}
	husk_kv_free(s->annotations, s->n_annotations);
	linux_clear(&s->linux_);
	free(s);
}
