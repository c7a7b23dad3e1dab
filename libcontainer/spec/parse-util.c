/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field readers shared by the parser's files (parse.c, parse-process.c,
 * parse-linux.c, parse-seccomp.c): enums, lists of enums, absolute paths, id
 * mappings.  A leaf: the parser's files call down into it, never back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

int j_enum(struct jctx *c, yajl_val o, const char *key, int flags, const struct husk_table *t,
	   const char *what, char **name, int64_t *value)
{
	const char *s = NULL;
	const struct husk_name_value *e;
	int r = j_str_peek(c, o, key, flags, &s);

	if (r <= 0)
		return r;
	e = husk_table_find(t, s);
	if (e == NULL)
		return jerr_at(c, key, "unknown %s `%s`", what, s);
	if (value)
		*value = e->value;
	if (name)
		return j_str(c, o, key, flags, name);
	return 1;
}

int j_enum_list(struct jctx *c, yajl_val o, const char *key, int flags, const struct husk_table *t,
		const char *what, char ***names, uint64_t *mask)
{
	int r = j_strv(c, o, key, flags, names);
	size_t mark;

	if (r <= 0)
		return r;
	mark = jp_key(c, key);
	for (size_t i = 0; (*names)[i]; i++) {
		const struct husk_name_value *e = husk_table_find(t, (*names)[i]);
		if (e == NULL) {
			jp_idx(c, i);
			return jerr(c, "unknown %s `%s`", what, (*names)[i]);
		}
		if (mask)
			*mask |= (uint64_t)e->value;
	}
	jp_pop(c, mark);
	return 1;
}

int j_abs_path(struct jctx *c, yajl_val o, const char *key, int flags, char **out)
{
	int r = j_str(c, o, key, flags, out);

	if (r <= 0)
		return r;
	if ((*out)[0] != '/')
		return jerr_at(c, key, "`%s` is not an absolute path", *out);
	return 1;
}

int parse_id_mapping(struct jctx *c, yajl_val o, void *out)
{
	struct husk_id_mapping *m = out;

	/* every id of the range within 0..HUSK_ID_MAX, as runc; the kernel refuses size 0 */
	if (j_u32_in(c, o, "containerID", J_REQ, 0, HUSK_ID_MAX, &m->container_id) < 0 ||
	    j_u32_in(c, o, "hostID", J_REQ, 0, HUSK_ID_MAX, &m->host_id) < 0 ||
	    j_u32_in(c, o, "size", J_REQ, 1, HUSK_ID_MAX + 1u, &m->size) < 0)
		return -1;
	if ((uint64_t)m->container_id + m->size - 1 > HUSK_ID_MAX ||
	    (uint64_t)m->host_id + m->size - 1 > HUSK_ID_MAX)
		return jerr_at(c, "size",
			       "`%" PRIu32 "` ids from %s `%" PRIu32
			       "` go past 2147483647 (uids and gids must be in range "
			       "0-2147483647)",
			       m->size, m->container_id > m->host_id ? "containerID" : "hostID",
			       m->container_id > m->host_id ? m->container_id : m->host_id);
	return 0;
}
