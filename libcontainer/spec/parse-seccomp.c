/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp */
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

static int parse_arg(struct jctx *c, yajl_val o, void *out)
{
	struct husk_seccomp_arg *a = out;
	int64_t op;

	if (j_u32(c, o, "index", J_REQ, &a->index) < 0)
		return -1;
	/* a syscall has six arguments */
	if (a->index > 5)
		return jerr_at(c, "index", "`%u` is out of range [0, 5]", a->index);
	if (j_u64(c, o, "value", J_REQ, &a->value) < 0 ||
	    j_u64(c, o, "valueTwo", J_OPT, &a->value_two) < 0 ||
	    j_enum(c, o, "op", J_REQ, &husk_seccomp_op_table, "seccomp operator", NULL, &op) < 0)
		return -1;
	a->op = (enum husk_seccomp_op)op;
	return 0;
}

static int parse_syscall(struct jctx *c, yajl_val o, void *out)
{
	struct husk_seccomp_syscall *s = out;
	int r;

	if (j_strv(c, o, "names", J_REQ, &s->names) < 0)
		return -1;
	if (s->names[0] == NULL)
		return jerr_at(c, "names", "must not be empty");
	if (j_enum(c, o, "action", J_REQ, &husk_seccomp_action_table, "seccomp action", &s->action,
		   NULL) < 0)
		return -1;
	if ((r = j_u32(c, o, "errnoRet", J_OPT, &s->errno_ret)) < 0)
		return -1;
	s->has_errno_ret = r > 0;
	return j_each(c, o, "args", J_OPT, sizeof *s->args, &s->args, &s->n_args, parse_arg);
}

int parse_seccomp(struct jctx *c, yajl_val o, struct husk_seccomp *s)
{
	int r;

	if (j_enum(c, o, "defaultAction", J_REQ, &husk_seccomp_action_table, "seccomp action",
		   &s->default_action, NULL) < 0)
		return -1;
	if ((r = j_u32(c, o, "defaultErrnoRet", J_OPT, &s->default_errno_ret)) < 0)
		return -1;
	s->has_default_errno_ret = r > 0;
	if (j_enum_list(c, o, "architectures", J_OPT, &husk_seccomp_arch_table,
			"seccomp architecture", &s->architectures, NULL) < 0 ||
	    j_enum_list(c, o, "flags", J_OPT, &husk_seccomp_flag_table, "seccomp flag", &s->flags,
			NULL) < 0 ||
	    j_str(c, o, "listenerPath", J_OPT, &s->listener_path) < 0 ||
	    j_str(c, o, "listenerMetadata", J_OPT, &s->listener_metadata) < 0 ||
	    j_each(c, o, "syscalls", J_OPT, sizeof *s->syscalls, &s->syscalls, &s->n_syscalls,
		   parse_syscall) < 0)
		return -1;
	/* runc: the notify action cannot be the default one */
	if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
		return jerr_at(c, "defaultAction",
			       "`SCMP_ACT_NOTIFY` cannot be the default action");
	/* config-linux.md: listenerPath MUST be set when SCMP_ACT_NOTIFY is used */
	for (size_t i = 0; i < s->n_syscalls; i++) {
		if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0 && !s->listener_path) {
			size_t mark = jp_key(c, "syscalls");
			jp_idx(c, i);
			jerr_at(c, "action", "`SCMP_ACT_NOTIFY` needs linux.seccomp.listenerPath");
			jp_pop(c, mark);
			return -1;
		}
	}
	return 0;
}

void seccomp_clear(struct husk_seccomp *s)
{
	free(s->default_action);
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		strv_free(s->syscalls[i].names);
		free(s->syscalls[i].action);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	memset(s, 0, sizeof *s);
}
