/* SPDX-License-Identifier: Apache-2.0 */
/* process (config.json's and exec's process.json): user, caps, rlimits, scheduler... */
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "utils.h"

/*
 * `exec_doc`: exec's process.json, where runc takes a missing user, uid or
 * gid as 0 (its Go struct's zero values); config.json keeps the spec's
 * REQUIRED user, uid and gid.
 */
static int parse_user(struct jctx *c, yajl_val o, struct husk_user *u, bool exec_doc)
{
	int need = exec_doc ? J_OPT : J_REQ;
	int r;

	if (j_u32_in(c, o, "uid", need, 0, HUSK_ID_MAX, &u->uid) < 0 ||
	    j_u32_in(c, o, "gid", need, 0, HUSK_ID_MAX, &u->gid) < 0)
		return -1;
	r = j_u32(c, o, "umask", J_OPT, &u->umask);
	if (r < 0)
		return -1;
	u->has_umask = r > 0;
	if (j_u32v(c, o, "additionalGids", J_OPT, HUSK_ID_MAX, &u->additional_gids,
		   &u->n_additional_gids) < 0 ||
	    j_str(c, o, "username", J_OPT, &u->username) < 0)
		return -1;
	return 0;
}

static bool has_name(char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int parse_caps(struct jctx *c, yajl_val o, struct husk_caps *caps)
{
	/*
	 * Any string is taken: a name husk or the kernel does not know is
	 * skipped with a warning when the plan resolves the sets (config.md:
	 * such values are logged as a warning; runc 1.1 does so, "" included).
	 * A value that is not a string is refused, as runc's JSON decoding does.
	 */
	if (j_strv(c, o, "bounding", J_OPT, &caps->bounding) < 0 ||
	    j_strv(c, o, "effective", J_OPT, &caps->effective) < 0 ||
	    j_strv(c, o, "inheritable", J_OPT, &caps->inheritable) < 0 ||
	    j_strv(c, o, "permitted", J_OPT, &caps->permitted) < 0 ||
	    j_strv(c, o, "ambient", J_OPT, &caps->ambient) < 0)
		return -1;
	/*
	 * capset(2) refuses an effective capability that is not permitted
	 * (EPERM): say which one here rather than "set capabilities: operation
	 * not permitted" from the container's init.  runc fails there too.
	 * Names that are skipped anyway do not count.
	 */
	for (size_t i = 0; caps->effective && caps->effective[i]; i++) {
		if (husk_cap_from_name(caps->effective[i]) < 0 ||
		    has_name(caps->permitted, caps->effective[i]))
			continue;
		jp_key(c, "effective");
		jp_idx(c, i);
		return jerr(c, "`%s` is not in capabilities.permitted%s", caps->effective[i],
			    caps->permitted ? "" : " (permitted is empty)");
	}
	return 0;
}

static int parse_rlimit(struct jctx *c, yajl_val o, void *out)
{
	struct husk_rlimit *rl = out;
	int64_t type;

	if (j_enum(c, o, "type", J_REQ, &husk_rlimit_table, "rlimit", &rl->type_name, &type) < 0 ||
	    j_u64(c, o, "soft", J_REQ, &rl->soft) < 0 || j_u64(c, o, "hard", J_REQ, &rl->hard) < 0)
		return -1;
	rl->type = (int)type;
	return 0;
}

static int parse_scheduler(struct jctx *c, yajl_val o, struct husk_scheduler *s)
{
	int64_t policy;
	int r;

	if (j_enum(c, o, "policy", J_REQ, &husk_sched_policy_table, "scheduler policy", &s->policy,
		   &policy) < 0)
		return -1;
	s->policy_value = (int)policy;
	if ((r = j_i32(c, o, "nice", J_OPT, &s->nice)) < 0)
		return -1;
	s->has_nice = r > 0;
	if ((r = j_i32(c, o, "priority", J_OPT, &s->priority)) < 0)
		return -1;
	s->has_priority = r > 0;
	if (j_enum_list(c, o, "flags", J_OPT, &husk_sched_flag_table, "scheduler flag", &s->flags,
			&s->flags_value) < 0 ||
	    j_u64(c, o, "runtime", J_OPT, &s->runtime) < 0 ||
	    j_u64(c, o, "deadline", J_OPT, &s->deadline) < 0 ||
	    j_u64(c, o, "period", J_OPT, &s->period) < 0)
		return -1;
	if (s->has_nice && (s->nice < -20 || s->nice > 19))
		return jerr_at(c, "nice", "`%d` is out of range [-20, 19]", s->nice);
	return 0;
}

static int parse_io_priority(struct jctx *c, yajl_val o, struct husk_io_priority *io)
{
	int64_t cls;

	if (j_enum(c, o, "class", J_REQ, &husk_ioprio_class_table, "ioPriority class",
		   &io->class_name, &cls) < 0 ||
	    j_int(c, o, "priority", J_REQ, &io->priority) < 0)
		return -1;
	io->class_value = (int)cls;
	if (io->priority < 0 || io->priority > 7)
		return jerr_at(c, "priority", "`%d` is out of range [0, 7]", io->priority);
	return 0;
}

/* A cpu list as sched_setaffinity takes it: "0-3,7" */
static bool cpu_list_ok(const char *s)
{
	for (;;) {
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			while (*s >= '0' && *s <= '9')
				s++;
		}
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

static int parse_cpu_affinity(struct jctx *c, yajl_val o, struct husk_process *p)
{
	if (j_str(c, o, "initial", J_OPT, &p->exec_cpu_affinity_initial) < 0 ||
	    j_str(c, o, "final", J_OPT, &p->exec_cpu_affinity_final) < 0)
		return -1;
	if (p->exec_cpu_affinity_initial && !cpu_list_ok(p->exec_cpu_affinity_initial))
		return jerr_at(c, "initial", "invalid cpu list `%s`", p->exec_cpu_affinity_initial);
	if (p->exec_cpu_affinity_final && !cpu_list_ok(p->exec_cpu_affinity_final))
		return jerr_at(c, "final", "invalid cpu list `%s`", p->exec_cpu_affinity_final);
	return 0;
}

static int parse_console_size(struct jctx *c, yajl_val o, struct husk_process *p)
{
	uint32_t h, w;

	p->has_console_size = true;
	/* struct winsize holds unsigned shorts: more would be cut silently */
	if (j_u32_in(c, o, "height", J_REQ, 0, UINT16_MAX, &h) < 0 ||
	    j_u32_in(c, o, "width", J_REQ, 0, UINT16_MAX, &w) < 0)
		return -1;
	p->console_height = h;
	p->console_width = w;
	return 0;
}

int parse_process(struct jctx *c, yajl_val o, struct husk_process *p, bool exec_doc)
{
	int r;

	if (j_bool(c, o, "terminal", J_OPT, &p->terminal) < 0)
		return -1;
	J_SUB("consoleSize", J_OPT, parse_console_size(c, sub_, p));
	J_SUB("user", exec_doc ? J_OPT : J_REQ, parse_user(c, sub_, &p->user, exec_doc));
	if (j_strv(c, o, "args", J_OPT, &p->args) < 0 ||
	    j_str(c, o, "commandLine", J_OPT, &p->command_line) < 0 ||
	    j_strv(c, o, "env", J_OPT, &p->env) < 0 || j_abs_path(c, o, "cwd", J_REQ, &p->cwd) < 0)
		return -1;
	J_SUB("capabilities", J_OPT, parse_caps(c, sub_, &p->capabilities));
	p->has_capabilities = jget(o, "capabilities") != NULL;
	if (j_each(c, o, "rlimits", J_OPT, sizeof *p->rlimits, &p->rlimits, &p->n_rlimits,
		   parse_rlimit) < 0)
		return -1;
	/* config.md: duplicated rlimit types MUST be an error */
	for (size_t i = 1; i < p->n_rlimits; i++)
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[i].type == p->rlimits[j].type) {
				size_t mark = jp_key(c, "rlimits");
				jp_idx(c, i);
				jerr_at(c, "type", "duplicate rlimit `%s`",
					p->rlimits[i].type_name);
				jp_pop(c, mark);
				return -1;
			}
	if (j_bool(c, o, "noNewPrivileges", J_OPT, &p->no_new_privileges) < 0 ||
	    j_str(c, o, "apparmorProfile", J_OPT, &p->apparmor_profile) < 0)
		return -1;
	r = j_int(c, o, "oomScoreAdj", J_OPT, &p->oom_score_adj);
	if (r < 0)
		return -1;
	p->has_oom_score_adj = r > 0;
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return jerr_at(c, "oomScoreAdj", "`%d` is out of range [-1000, 1000]",
			       p->oom_score_adj);
	if (j_str(c, o, "selinuxLabel", J_OPT, &p->selinux_label) < 0)
		return -1;
	J_SUB("scheduler", J_OPT, parse_scheduler(c, sub_, &p->scheduler));
	p->has_scheduler = jget(o, "scheduler") != NULL;
	J_SUB("ioPriority", J_OPT, parse_io_priority(c, sub_, &p->io_priority));
	p->has_io_priority = jget(o, "ioPriority") != NULL;
	J_SUB("execCPUAffinity", J_OPT, parse_cpu_affinity(c, sub_, p));
	return 0;
}

void husk_process_clear(struct husk_process *p)
{
	if (p == NULL)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	free(p->command_line);
	strv_free(p->env);
	free(p->cwd);
	strv_free(p->capabilities.bounding);
	strv_free(p->capabilities.effective);
	strv_free(p->capabilities.inheritable);
	strv_free(p->capabilities.permitted);
	strv_free(p->capabilities.ambient);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type_name);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->scheduler.policy);
	strv_free(p->scheduler.flags);
	free(p->io_priority.class_name);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	memset(p, 0, sizeof *p);
}
