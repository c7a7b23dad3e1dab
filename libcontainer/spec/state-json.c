/* SPDX-License-Identifier: Apache-2.0 */
/* state.json and `list --format json`: the only JSON the store reads and writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"
#include "state/state.h"
#include "utils.h"

void husk_state_clear(struct husk_state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->cgroup_path);
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	memset(s, 0, sizeof *s);
}

static char *get_str(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);
	return YAJL_IS_STRING(v) ? xstrdup(v->u.string) : NULL;
}

static long long get_int(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

/* Numbers past INT64_MAX (start times are uint64): from the text. */
static unsigned long long get_u64(yajl_val o, const char *key)
{
	yajl_val v = jget(o, key);
	return v && YAJL_IS_NUMBER(v) ? strtoull(YAJL_GET_NUMBER(v), NULL, 10) : 0;
}

static bool get_bool(yajl_val o, const char *key)
{
	return YAJL_IS_TRUE(jget(o, key));
}

static void get_private(yajl_val priv, struct husk_state *out)
{
	if (!YAJL_IS_OBJECT(priv))
		return;
	out->start_time = get_u64(priv, "startTime");
	out->cgroup_path = get_str(priv, "cgroupPath");
	out->creator_pid = (pid_t)get_int(priv, "creatorPid");
	out->creator_start_time = get_u64(priv, "creatorStartTime");
	out->start_fd = (int)get_int(priv, "startFd");
	out->has_poststart = get_bool(priv, "poststart");
	out->has_poststop = get_bool(priv, "poststop");
}

static void get_annotations(yajl_val ann, struct husk_state *out)
{
	size_t n;

	if (!YAJL_IS_OBJECT(ann) || ann->u.object.len == 0)
		return;
	n = ann->u.object.len;
	out->annotations = xmalloc0(n * sizeof *out->annotations);
	for (size_t i = 0; i < n; i++) {
		yajl_val v = ann->u.object.values[i];
		if (!YAJL_IS_STRING(v))
			continue;
		out->annotations[out->n_annotations].key = xstrdup(ann->u.object.keys[i]);
		out->annotations[out->n_annotations].value = xstrdup(YAJL_GET_STRING(v));
		out->n_annotations++;
	}
}

int husk_state_parse(const char *json, size_t len, struct husk_state *out, struct husk_error *err)
{
	cleanup_free char *copy = strndup(json, len), *status = NULL;
	yajl_val root;

	if (copy == NULL)
		abort();
	root = jparse(copy, strlen(copy), "state.json", err);
	if (root == NULL)
		return -1;
	if (!YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return husk_error_set(err, EINVAL, "state.json: invalid JSON: not an object");
	}
	memset(out, 0, sizeof *out);
	out->id = get_str(root, "id");
	out->bundle = get_str(root, "bundle");
	out->rootfs = get_str(root, "rootfs");
	out->created = get_str(root, "created");
	out->owner = get_str(root, "owner");
	status = get_str(root, "status");
	if (husk_status_parse(status, &out->status) < 0) {
		yajl_tree_free(root);
		husk_state_clear(out);
		return husk_error_set(err, EINVAL, "state.json: invalid status `%s`",
				      status ? status : "");
	}
	out->pid = (pid_t)get_int(root, "pid");
	out->start_fd = -1;
	get_private(jget(root, "husk"), out);
	get_annotations(jget(root, "annotations"), out);
	yajl_tree_free(root);
	if (out->id == NULL || out->bundle == NULL) {
		husk_state_clear(out);
		return husk_error_set(err, EINVAL, "state.json: missing `id` or `bundle`");
	}
	return 0;
}

static void write_private(struct jw *w, const struct husk_state *s)
{
	jw_key(w, "husk");
	jw_obj_begin(w);
	jw_ku64(w, "startTime", s->start_time);
	if (s->cgroup_path)
		jw_kstr(w, "cgroupPath", s->cgroup_path);
	if (s->creator_pid > 0) {
		jw_ki64(w, "creatorPid", s->creator_pid);
		jw_ku64(w, "creatorStartTime", s->creator_start_time);
	}
	jw_ki64(w, "startFd", s->start_fd);
	jw_kbool(w, "poststart", s->has_poststart);
	jw_kbool(w, "poststop", s->has_poststop);
	jw_obj_end(w);
}

static void write_annotations(struct jw *w, const struct husk_kv *kv, size_t n)
{
	if (n == 0)
		return;
	jw_key(w, "annotations");
	jw_obj_begin(w);
	for (size_t i = 0; i < n; i++)
		jw_kstr(w, kv[i].key, kv[i].value);
	jw_obj_end(w);
}

char *husk_state_to_json(const struct husk_state *s, enum husk_status status, pid_t pid, bool full,
			 bool pretty)
{
	struct jw w;

	jw_init(&w, pretty ? "  " : NULL);
	jw_obj_begin(&w);
	jw_kstr(&w, "ociVersion", HUSK_OCI_VERSION);
	jw_kstr(&w, "id", s->id);
	jw_ki64(&w, "pid", pid);
	jw_kstr(&w, "status", husk_status_name(status));
	jw_kstr(&w, "bundle", s->bundle);
	jw_kstr(&w, "rootfs", s->rootfs);
	jw_kstr(&w, "created", s->created);
	jw_kstr(&w, "owner", s->owner);
	write_annotations(&w, s->annotations, s->n_annotations);
	if (full)
		write_private(&w, s);
	jw_obj_end(&w);
	return jw_finish(&w);
}

/* runc's `list --format json` entries (its containerState) */
char *husk_list_json(const struct husk_container_info *v, size_t n)
{
	struct jw w;

	jw_init(&w, NULL);
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(&w);
		jw_kstr(&w, "ociVersion", HUSK_OCI_VERSION);
		jw_kstr(&w, "id", v[i].id);
		jw_ki64(&w, "pid", v[i].pid);
		jw_kstr(&w, "status", v[i].status);
		jw_kstr(&w, "bundle", v[i].bundle);
		jw_kstr(&w, "rootfs", v[i].rootfs);
		jw_kstr(&w, "created", v[i].created);
		jw_kstr(&w, "owner", v[i].owner);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	return jw_finish(&w);
}
