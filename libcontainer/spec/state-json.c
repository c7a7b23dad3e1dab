/* SPDX-License-Identifier: Apache-2.0 */
/* state.json and `list --format json`: the only JSON the store reads and writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "state.h"
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

static char *get_str(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}

static long long get_int(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool get_bool(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_true);
	return v != NULL;
}

int husk_state_parse(const char *json, size_t len, struct husk_state *out, struct husk_error *err)
{
	char ebuf[256] = "";
	cleanup_free char *copy = strndup(json, len), *status = NULL;
	yajl_val root, ann;
	const char *ann_path[] = {"annotations", NULL};
	const char *priv_path[] = {"husk", NULL};
	yajl_val priv;

	root = yajl_tree_parse(copy, ebuf, sizeof ebuf);
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return husk_error_set(err, EINVAL, "state.json: invalid JSON");
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
	priv = yajl_tree_get(root, priv_path, yajl_t_object);
	if (priv) {
		const char *p[] = {"startTime", NULL};
		yajl_val st = yajl_tree_get(priv, p, yajl_t_number);
		if (st)
			out->start_time = strtoull(YAJL_GET_NUMBER(st), NULL, 10);
		out->cgroup_path = get_str(priv, "cgroupPath");
		out->creator_pid = (pid_t)get_int(priv, "creatorPid");
		st = yajl_tree_get(priv, (const char *[]){"creatorStartTime", NULL}, yajl_t_number);
		if (st)
			out->creator_start_time = strtoull(YAJL_GET_NUMBER(st), NULL, 10);
		out->start_fd = (int)get_int(priv, "startFd");
		out->has_poststart = get_bool(priv, "poststart");
		out->has_poststop = get_bool(priv, "poststop");
	}
	ann = yajl_tree_get(root, ann_path, yajl_t_object);
	if (ann && ann->u.object.len) {
		size_t n = ann->u.object.len;
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
	yajl_tree_free(root);
	if (out->id == NULL || out->bundle == NULL) {
		husk_state_clear(out);
		return husk_error_set(err, EINVAL, "state.json: missing `id` or `bundle`");
	}
	return 0;
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v ? v : "");
}

static char *gen_finish(yajl_gen g, bool pretty)
{
	const unsigned char *buf;
	size_t blen;
	char *out;

	yajl_gen_get_buf(g, &buf, &blen);
	out = xmalloc0(blen + 2);
	memcpy(out, buf, blen);
	if (pretty && (blen == 0 || out[blen - 1] != '\n'))
		out[blen] = '\n';
	yajl_gen_free(g);
	return out;
}

char *husk_state_to_json(const struct husk_state *s, enum husk_status status, pid_t pid, bool full,
			 bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	yajl_gen_map_open(g);
	gen_kv(g, "ociVersion", HUSK_OCI_VERSION);
	gen_kv(g, "id", s->id);
	gen_str(g, "pid");
	yajl_gen_integer(g, pid);
	gen_kv(g, "status", husk_status_name(status));
	gen_kv(g, "bundle", s->bundle);
	gen_kv(g, "rootfs", s->rootfs);
	gen_kv(g, "created", s->created);
	gen_kv(g, "owner", s->owner);
	if (s->n_annotations) {
		gen_str(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < s->n_annotations; i++)
			gen_kv(g, s->annotations[i].key, s->annotations[i].value);
		yajl_gen_map_close(g);
	}
	if (full) {
		char num[32];
		gen_str(g, "husk");
		yajl_gen_map_open(g);
		snprintf(num, sizeof num, "%llu", s->start_time);
		gen_str(g, "startTime");
		yajl_gen_number(g, num, strlen(num));
		if (s->cgroup_path)
			gen_kv(g, "cgroupPath", s->cgroup_path);
		if (s->creator_pid > 0) {
			gen_str(g, "creatorPid");
			yajl_gen_integer(g, s->creator_pid);
			snprintf(num, sizeof num, "%llu", s->creator_start_time);
			gen_str(g, "creatorStartTime");
			yajl_gen_number(g, num, strlen(num));
		}
		gen_str(g, "startFd");
		yajl_gen_integer(g, s->start_fd);
		gen_str(g, "poststart");
		yajl_gen_bool(g, s->has_poststart);
		gen_str(g, "poststop");
		yajl_gen_bool(g, s->has_poststop);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	return gen_finish(g, pretty);
}

char *husk_list_to_json(const struct husk_container_info *v, size_t n)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv(g, "ociVersion", HUSK_OCI_VERSION);
		gen_kv(g, "id", v[i].id);
		gen_str(g, "pid");
		yajl_gen_integer(g, v[i].pid);
		gen_kv(g, "status", v[i].status);
		gen_kv(g, "bundle", v[i].bundle);
		gen_kv(g, "created", v[i].created);
		gen_kv(g, "owner", v[i].owner);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	return gen_finish(g, true);
}
