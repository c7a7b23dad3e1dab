/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp -> a libseccomp filter.  Compiled early (names resolved, every
 * config error found before anything runs), loaded as the last step before
 * execve.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if HAVE_SECCOMP
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security/seccomp-enosys.h"
#endif

#include "security/security.h"
#include "utils.h"

#if HAVE_SECCOMP

struct husk_seccomp_filter {
	scmp_filter_ctx ctx;
	bool notify; /* has SCMP_ACT_NOTIFY rules */
	/* with the ENOSYS stub (seccomp-enosys.c): loaded as is, not by libseccomp */
	struct sock_filter *prog;
	unsigned short prog_len;
};

#define MAX_SYSCALL_ARGS 6

/* Above this many rules ask libseccomp for its binary tree (runc's threshold). */
#define OPTIMIZE_THRESHOLD 32

/*
 * An action name (+ errnoRet) -> libseccomp action.  `path` is the JSON path
 * of the object holding the action; `act_key`/`errno_key` name its fields.
 */
static int parse_action(const char *file, const char *path, const char *act_key,
			const char *errno_key, const char *name, bool has_errno, uint32_t errno_ret,
			uint32_t *out, struct husk_error *err)
{
	const struct husk_name_value *nv =
	    name ? husk_table_find(&husk_seccomp_action_table, name) : NULL;
	bool takes_errno;
	uint32_t data = has_errno ? errno_ret : EPERM; /* the spec's (and runc's) default */

	if (nv == NULL)
		return husk_error_set(err, EINVAL, "%s: %s%s: unknown action `%s`", file, path,
				      act_key, name ? name : "");
	takes_errno = strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_TRACE") == 0;
	/* config-linux.md: an errno with an action that takes none is an error */
	if (has_errno && !takes_errno)
		return husk_error_set(
		    err, EINVAL,
		    "%s: %s%s: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
		    "`%s`",
		    file, path, errno_key, name);
	if (has_errno && errno_ret > 0xffff)
		return husk_error_set(err, ERANGE, "%s: %s%s: `%u` out of range (0-65535)", file,
				      path, errno_key, errno_ret);

	if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO(data);
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE(data);
	else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		*out = SCMP_ACT_NOTIFY;
	else /* in the table but not handled here: keep them in step */
		return husk_error_set(err, EINVAL, "%s: %s%s: unsupported action `%s`", file, path,
				      act_key, name);
	return 0;
}

static int parse_op(enum husk_seccomp_op op, enum scmp_compare *out)
{
	switch (op) {
	case HUSK_SCMP_CMP_NE:
		*out = SCMP_CMP_NE;
		return 0;
	case HUSK_SCMP_CMP_LT:
		*out = SCMP_CMP_LT;
		return 0;
	case HUSK_SCMP_CMP_LE:
		*out = SCMP_CMP_LE;
		return 0;
	case HUSK_SCMP_CMP_EQ:
		*out = SCMP_CMP_EQ;
		return 0;
	case HUSK_SCMP_CMP_GE:
		*out = SCMP_CMP_GE;
		return 0;
	case HUSK_SCMP_CMP_GT:
		*out = SCMP_CMP_GT;
		return 0;
	case HUSK_SCMP_CMP_MASKED_EQ:
		*out = SCMP_CMP_MASKED_EQ;
		return 0;
	}
	return -1;
}

static int add_arches(scmp_filter_ctx ctx, char **arches, const char *file, struct husk_error *err)
{
	for (size_t i = 0; arches && arches[i]; i++) {
		/* the table's values are the AUDIT_ARCH_* numbers, which is what SCMP_ARCH_* are */
		const struct husk_name_value *nv =
		    husk_table_find(&husk_seccomp_arch_table, arches[i]);
		int rc;

		if (nv == NULL)
			return husk_error_set(err, EINVAL,
					      "%s: linux.seccomp.architectures[%zu]: unknown "
					      "architecture `%s`",
					      file, i, arches[i]);
		rc = seccomp_arch_add(ctx, (uint32_t)nv->value);
		if (rc == -EEXIST)
			continue;
		if (rc < 0) {
			if (rc == -EINVAL)
				return husk_error_set(
				    err, EINVAL,
				    "%s: linux.seccomp.architectures[%zu]: "
				    "architecture `%s` not supported by libseccomp "
				    "%u.%u.%u",
				    file, i, arches[i], seccomp_version()->major,
				    seccomp_version()->minor, seccomp_version()->micro);
			errno = -rc;
			return husk_error_errno(err, "seccomp: add architecture `%s`", arches[i]);
		}
	}
	return 0;
}

/*
 * A flag name -> the libseccomp attribute that sets it: 1 (in *attr), 0 (nothing
 * to set), -1 unknown name, -2 known but not in this libseccomp.
 */
static int flag_attr(const char *flag, enum scmp_filter_attr *attr)
{
	if (husk_table_find(&husk_seccomp_flag_table, flag) == NULL)
		return -1;
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
		return 0; /* runc: one thread loads it and execs; there are no others */
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_LOG") == 0) {
		*attr = SCMP_FLTATR_CTL_LOG;
		return 1;
	}
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0) {
		*attr = SCMP_FLTATR_CTL_SSB;
		return 1;
	}
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
		*attr = SCMP_FLTATR_CTL_WAITKILL;
		return 1;
	}
#endif
	return -2;
}

static int set_flags(scmp_filter_ctx ctx, char **flags, const char *file, struct husk_error *err)
{
	for (size_t i = 0; flags && flags[i]; i++) {
		const struct scmp_version *v = seccomp_version();
		enum scmp_filter_attr attr;
		int rc = flag_attr(flags[i], &attr);

		if (rc == -1)
			return husk_error_set(err, EINVAL,
					      "%s: linux.seccomp.flags[%zu]: unknown flag `%s`",
					      file, i, flags[i]);
		if (rc == -2)
			return husk_error_set(
			    err, ENOTSUP,
			    "%s: linux.seccomp.flags[%zu]: flag `%s` not supported by "
			    "libseccomp %u.%u.%u",
			    file, i, flags[i], v->major, v->minor, v->micro);
		if (rc == 0)
			continue;
		/* libseccomp asks the kernel here: EOPNOTSUPP where it lacks the flag */
		rc = seccomp_attr_set(ctx, attr, 1);
		if (rc < 0) {
			errno = -rc;
			return husk_error_errno(err, "%s: linux.seccomp.flags[%zu]: set flag `%s`",
						file, i, flags[i]);
		}
	}
	return 0;
}

bool husk_seccomp_flag_supported(const char *flag)
{
	enum scmp_filter_attr attr;
	scmp_filter_ctx ctx;
	int rc = flag_attr(flag, &attr);
	bool ok;

	if (rc <= 0)
		return rc == 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return false;
	ok = seccomp_attr_set(ctx, attr, 1) == 0;
	seccomp_release(ctx);
	return ok;
}

bool husk_seccomp_arch_supported(const char *arch)
{
	const struct husk_name_value *nv = husk_table_find(&husk_seccomp_arch_table, arch);
	scmp_filter_ctx ctx;
	int rc;

	if (nv == NULL)
		return false;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return false;
	rc = seccomp_arch_add(ctx, (uint32_t)nv->value);
	seccomp_release(ctx);
	return rc == 0 || rc == -EEXIST;
}

/*
 * One syscall name of syscalls[i]: like runc, all args in one rule (they must
 * all match), except when one arg index has several conditions: then one rule
 * per condition (libseccomp cannot AND two conditions on the same arg).
 */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const char *name,
		    const struct scmp_arg_cmp *conds, size_t n, bool split, const char *file,
		    size_t i, struct husk_error *err)
{
	int rc = 0;

	if (!split) {
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)n, n ? conds : NULL);
	} else {
		for (size_t k = 0; k < n && rc == 0; k++)
			rc = seccomp_rule_add_array(ctx, action, nr, 1, &conds[k]);
	}
	if (rc < 0) {
		errno = -rc;
		return husk_error_errno(err, "%s: linux.seccomp.syscalls[%zu]: add rule for `%s`",
					file, i, name);
	}
	return 0;
}

static int add_syscall(struct husk_seccomp_filter *f, const struct husk_seccomp_syscall *sc,
		       size_t i, uint32_t def_action, const char *file, struct husk_error *err)
{
	char path[64];
	uint32_t action;
	cleanup_free struct scmp_arg_cmp *conds = xmalloc0(sc->n_args * sizeof(*conds));
	unsigned int per_index[MAX_SYSCALL_ARGS] = {0};
	bool split = false;

	snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", i);
	if (parse_action(file, path, ".action", ".errnoRet", sc->action, sc->has_errno_ret,
			 sc->errno_ret, &action, err) < 0)
		return -1;
	if (sc->names == NULL || sc->names[0] == NULL)
		return husk_error_set(err, EINVAL, "%s: %s.names: must not be empty", file, path);

	for (size_t j = 0; j < sc->n_args; j++) {
		const struct husk_seccomp_arg *a = &sc->args[j];
		enum scmp_compare op;

		if (a->index >= MAX_SYSCALL_ARGS)
			return husk_error_set(err, EINVAL,
					      "%s: %s.args[%zu].index: `%u` out of range (0-5)",
					      file, path, j, a->index);
		if (parse_op(a->op, &op) < 0)
			return husk_error_set(err, EINVAL,
					      "%s: %s.args[%zu].op: unknown operator `%d`", file,
					      path, j, (int)a->op);
		/* MASKED_EQ: (arg & value) == valueTwo; the others compare with value */
		conds[j] = (struct scmp_arg_cmp){
		    .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two};
		if (++per_index[a->index] > 1)
			split = true;
	}

	if (action == SCMP_ACT_NOTIFY) {
		for (size_t k = 0; sc->names[k]; k++)
			/*
			 * runc's rule: the init may still write(2) to the runtime
			 * after loading the filter, which would hang on itself.
			 */
			if (strcmp(sc->names[k], "write") == 0)
				return husk_error_set(
				    err, EINVAL,
				    "%s: %s.names[%zu]: SCMP_ACT_NOTIFY cannot be "
				    "used for `write`",
				    file, path, k);
		if (seccomp_api_get() < 5)
			return husk_error_set(err, ENOTSUP,
					      "%s: %s.action: SCMP_ACT_NOTIFY needs libseccomp >= "
					      "2.5 and Linux >= 5.0 (libseccomp API level %u)",
					      file, path, seccomp_api_get());
	}

	/* libseccomp rejects a rule with the default action; it would change nothing */
	if (action == def_action)
		return 0;

	for (size_t k = 0; sc->names[k]; k++) {
		const char *name = sc->names[k];
		int nr;

		if (name[0] == '\0')
			return husk_error_set(err, EINVAL, "%s: %s.names[%zu]: empty syscall name",
					      file, path, k);
		nr = seccomp_syscall_resolve_name(name);
		/* runc: a name this libseccomp does not know is skipped, not an error */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (add_rule(f->ctx, action, nr, name, conds, sc->n_args, split, file, i, err) < 0)
			return -1;
		if (action == SCMP_ACT_NOTIFY)
			f->notify = true;
	}
	return 0;
}

int husk_seccomp_compile(const struct husk_seccomp *s, const char *file,
			 struct husk_seccomp_filter **out, struct husk_error *err)
{
	cleanup_seccomp_filter struct husk_seccomp_filter *f = NULL;
	uint32_t def_action;

	if (file == NULL)
		file = "config.json";
	if (parse_action(file, "linux.seccomp", ".defaultAction", ".defaultErrnoRet",
			 s->default_action, s->has_default_errno_ret, s->default_errno_ret,
			 &def_action, err) < 0)
		return -1;
	/* runc's rule: notifying every syscall would notify the runtime's own too */
	if (def_action == SCMP_ACT_NOTIFY)
		return husk_error_set(
		    err, EINVAL,
		    "%s: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
		    "default action",
		    file);

	f = xmalloc0(sizeof(*f));
	f->ctx = seccomp_init(def_action);
	if (f->ctx == NULL)
		return husk_error_set(err, EINVAL,
				      "seccomp: create filter with default action `%s`: not "
				      "supported by libseccomp or the kernel",
				      s->default_action);
	/* like runc: process.noNewPrivileges decides, not the filter */
	if (seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return husk_error_set(err, EINVAL, "seccomp: clear the filter's no_new_privs");
	/* real errnos from seccomp_load instead of ECANCELED (libseccomp >= 2.5) */
	(void)seccomp_attr_set(f->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (s->n_syscalls > OPTIMIZE_THRESHOLD)
		(void)seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* best effort */

	if (add_arches(f->ctx, s->architectures, file, err) < 0)
		return -1;
	if (set_flags(f->ctx, s->flags, file, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (add_syscall(f, &s->syscalls[i], i, def_action, file, err) < 0)
			return -1;
	if (husk_seccomp_enosys_patch(f->ctx, s, def_action, &f->prog, &f->prog_len, err) < 0)
		return -1;
	*out = steal_pointer(&f);
	return 0;
}

bool husk_seccomp_filter_has_notify(const struct husk_seccomp_filter *f)
{
	return f && f->notify;
}

/* The filter's flags that libseccomp would pass to seccomp(2) */
static unsigned int load_flags(const struct husk_seccomp_filter *f)
{
	unsigned int flags = f->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	uint32_t v;

	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
	if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_WAITKILL, &v) == 0 && v)
		flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#endif
	return flags;
}

/*
 * The patched program, loaded as libseccomp would (no_new_privs is the
 * caller's business, as with SCMP_FLTATR_CTL_NNP 0): -errno, or else the
 * notify fd (SECCOMP_FILTER_FLAG_NEW_LISTENER) or 0.
 */
static int load_patched(const struct husk_seccomp_filter *f)
{
	struct sock_fprog fprog = {.len = f->prog_len, .filter = f->prog};
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, load_flags(f), &fprog);

	return rc < 0 ? -errno : (int)rc;
}

int husk_seccomp_load(struct husk_seccomp_filter *f, int *notify_fd, struct husk_error *err)
{
	int rc, fd;

	if (notify_fd)
		*notify_fd = -1;
	rc = f->prog ? load_patched(f) : seccomp_load(f->ctx);
	if (rc == -EACCES)
		return husk_error_set(err, EACCES,
				      "seccomp: load filter: %s (without noNewPrivileges it needs "
				      "CAP_SYS_ADMIN)",
				      strerror(EACCES));
	if (rc < 0) {
		errno = -rc;
		return husk_error_errno(err, "seccomp: load filter");
	}
	if (!f->notify)
		return 0;
	/* the kernel made it O_CLOEXEC (SECCOMP_FILTER_FLAG_NEW_LISTENER) */
	fd = f->prog ? rc : seccomp_notify_fd(f->ctx);
	if (fd < 0) {
		errno = fd < -1 ? -fd : EBADF;
		return husk_error_errno(err, "seccomp: get the notify fd");
	}
	if (notify_fd)
		*notify_fd = fd;
	else
		close(fd);
	return 0;
}

void husk_seccomp_filter_free(struct husk_seccomp_filter *f)
{
	if (f == NULL)
		return;
	if (f->ctx)
		seccomp_release(f->ctx);
	free(f->prog);
	free(f);
}

#else /* !HAVE_SECCOMP */

struct husk_seccomp_filter {
	int unused;
};

int husk_seccomp_compile(const struct husk_seccomp *s, const char *file,
			 struct husk_seccomp_filter **out, struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "seccomp: not supported (built without libseccomp)");
}

bool husk_seccomp_filter_has_notify(const struct husk_seccomp_filter *f)
{
	return false;
}

bool husk_seccomp_flag_supported(const char *flag)
{
	return false;
}

bool husk_seccomp_arch_supported(const char *arch)
{
	return false;
}

int husk_seccomp_load(struct husk_seccomp_filter *f, int *notify_fd, struct husk_error *err)
{
	if (notify_fd)
		*notify_fd = -1;
	return husk_error_set(err, ENOTSUP, "seccomp: not supported (built without libseccomp)");
}

void husk_seccomp_filter_free(struct husk_seccomp_filter *f)
{
	free(f);
}

#endif
