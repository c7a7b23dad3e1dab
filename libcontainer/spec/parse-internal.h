/* SPDX-License-Identifier: Apache-2.0 */
/* Between the parser's files (spec/ only). */
#ifndef HUSK_SPEC_PARSE_INTERNAL_H
#define HUSK_SPEC_PARSE_INTERNAL_H

#include "spec/json.h"
#include "spec/spec.h"

/*
 * Each parses object `o` (already type-checked) at the current path.
 * parse_process: `exec_doc` for exec's process.json (runc's defaults).
 */
int parse_process(struct jctx *c, yajl_val o, struct husk_process *p, bool exec_doc);
int parse_linux(struct jctx *c, yajl_val o, struct husk_linux *l);
int parse_resources(struct jctx *c, yajl_val o, struct husk_resources *r);
int parse_seccomp(struct jctx *c, yajl_val o, struct husk_seccomp *s);
int parse_id_mapping(struct jctx *c, yajl_val o, void *out);

void linux_clear(struct husk_linux *l);
void seccomp_clear(struct husk_seccomp *s);

/* A string field checked against a table; *value gets the table's value. */
int j_enum(struct jctx *c, yajl_val o, const char *key, int flags, const struct husk_table *t,
	   const char *what, char **name, int64_t *value);
/* A list of names checked against a table; *mask ORs the values when not NULL. */
int j_enum_list(struct jctx *c, yajl_val o, const char *key, int flags, const struct husk_table *t,
		const char *what, char ***names, uint64_t *mask);
/* An absolute path field. */
int j_abs_path(struct jctx *c, yajl_val o, const char *key, int flags, char **out);

/*
 * Parse the object field `key` of `o` with `call`, which sees it as `sub_`,
 * the path at key during the call.  Returns -1 from the enclosing function on
 * error.
 */
#define J_SUB(key, flags, call)                                                                    \
	do {                                                                                       \
		yajl_val sub_;                                                                     \
		int r_ = j_obj(c, o, key, flags, &sub_);                                           \
		if (r_ < 0)                                                                        \
			return -1;                                                                 \
		if (r_ > 0) {                                                                      \
			size_t mark_ = jp_key(c, key);                                             \
			if ((call) < 0)                                                            \
				return -1;                                                         \
			jp_pop(c, mark_);                                                          \
		}                                                                                  \
	} while (0)

#endif
