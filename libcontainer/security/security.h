/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security/: capabilities (caps.c), seccomp (seccomp.c, seccomp-notify.c) and
 * LSM labels (lsm.c); selfexe.c's entry point is public (husk/husk.h).
 * Functions return 0 on success and -1 with *err filled on failure, unless
 * said otherwise.
 */
#ifndef HUSK_SECURITY_SECURITY_H
#define HUSK_SECURITY_SECURITY_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "spec/spec.h"

/* ---- caps.c ---- */

struct husk_cap_masks; /* plan/plan.h: names resolved by husk_plan_caps() */
/*
 * Drop the bounding set to caps->bounding and set PR_SET_KEEPCAPS (before setuid).
 * caps = NULL (or all masks 0): every set ends up empty, as with runc 1.1.
 */
int husk_caps_prepare(const struct husk_cap_masks *caps, struct husk_error *err);
/* After the uid switch: permitted, effective, inheritable, then ambient. */
int husk_caps_apply(const struct husk_cap_masks *caps, struct husk_error *err);
/*
 * The highest capability both the running kernel and husk's table know
 * (/proc/sys/kernel/cap_last_cap, probed without /proc): a read-only probe,
 * for the plan.
 */
int husk_caps_kernel_last(void);

/* ---- seccomp.c ---- */

struct husk_seccomp_filter;

/*
 * Build a filter from linux.seccomp (every field but listenerPath and
 * listenerMetadata, which are for husk_seccomp_notify_send).  Nothing is
 * loaded.  `file` names the config in errors:
 *   "config.json: linux.seccomp.syscalls[3].action: unknown action `SCMP_ACT_FOO`".
 * Unknown syscall names are skipped (runc does the same: the kernel or
 * libseccomp may simply not know them); a rule whose action equals the default
 * action is skipped.  The filter does not set no_new_privs itself (like runc:
 * process.noNewPrivileges decides that), so it must be loaded while the
 * process holds CAP_SYS_ADMIN or after PR_SET_NO_NEW_PRIVS.
 * Without libseccomp (HAVE_SECCOMP 0) this fails with "seccomp: not supported
 * (built without libseccomp)".
 */
int husk_seccomp_compile(const struct husk_seccomp *s, const char *file,
			 struct husk_seccomp_filter **out, struct husk_error *err);

/* Whether the filter has a SCMP_ACT_NOTIFY rule (load then gives a listener fd). */
bool husk_seccomp_filter_has_notify(const struct husk_seccomp_filter *f);

/*
 * Load the filter into the calling process.  *notify_fd (may be NULL when the
 * filter has no NOTIFY rule) receives the listener fd (O_CLOEXEC, the caller's
 * to close) when the filter has NOTIFY rules, else -1.  Do this as the last
 * step before execve: from here on every syscall of the process is filtered.
 * Needs CAP_SYS_ADMIN or no_new_privs already set (EACCES otherwise, with a
 * message saying so).
 */
int husk_seccomp_load(struct husk_seccomp_filter *f, int *notify_fd, struct husk_error *err);

void husk_seccomp_filter_free(struct husk_seccomp_filter *f);

/*
 * For `features`: whether a linux.seccomp.flags name can be set with this
 * libseccomp and kernel (SECCOMP_FILTER_FLAG_TSYNC always: it needs nothing),
 * and whether an SCMP_ARCH_* name is known to this libseccomp.
 */
bool husk_seccomp_flag_supported(const char *flag);
bool husk_seccomp_arch_supported(const char *arch);
static inline void husk_seccomp_filter_freep(struct husk_seccomp_filter **f)
{
	husk_seccomp_filter_free(*f);
}
#define cleanup_seccomp_filter __attribute__((cleanup(husk_seccomp_filter_freep)))

/* ---- seccomp-notify.c ---- */

/*
 * The "container process state" of config-linux.md as JSON:
 *   {"ociVersion":"1.3.0","fds":["seccompFd"],"pid":<pid>,"metadata":"<metadata>","state":<state_json>}
 * `state_json` (the container's state, runtime.md) is inserted as is;
 * `metadata` (NULL = absent) is escaped.  Returns a malloc'd string.
 */
char *husk_seccomp_process_state(const char *state_json, const char *metadata, pid_t pid);

/*
 * Connect to the unix socket `listener_path` (SOCK_STREAM), send the container
 * process state (above) in one sendmsg with `notify_fd` attached (SCM_RIGHTS),
 * and close the connection.  `notify_fd` stays open.
 */
int husk_seccomp_notify_send(const char *listener_path, int notify_fd, const char *state_json,
			     const char *metadata, pid_t pid, struct husk_error *err);

/* ---- lsm.c ---- */

enum husk_lsm {
	HUSK_LSM_APPARMOR,
	HUSK_LSM_SELINUX,
};

/*
 * Have the next execve run under the AppArmor profile `profile` (NULL or ""
 * = nothing to do).  When AppArmor is not enabled on the host and a profile
 * is given: "apparmor profile `x` specified but AppArmor is not enabled on
 * this system" (runc's rule).
 */
int husk_lsm_apparmor_exec(const char *profile, struct husk_error *err);

/*
 * Have the next execve run with the SELinux label `label` (NULL or "" =
 * nothing to do).  Ignored when SELinux is disabled on the host, as runc does.
 */
int husk_lsm_selinux_exec(const char *label, struct husk_error *err);

/* Whether the LSM is enabled on this host. */
bool husk_lsm_enabled(enum husk_lsm which);

/*
 * Mount data with the SELinux mount label (runc's FormatMountLabel): `data`
 * with `context="<label>"` appended (comma-joined) when `mount_label` is set
 * and not empty, else a copy of `data`.  Returns a malloc'd string, or NULL
 * when both are NULL.  The caller decides whether SELinux is enabled.
 */
char *husk_lsm_format_mount_data(const char *data, const char *mount_label);

/*
 * The procfs file an LSM's exec label is written to (relative to
 * /proc/thread-self): "attr/apparmor/exec" (with "attr/exec" as the fallback
 * of older kernels) or "attr/exec".
 */
const char *husk_lsm_attr_path(enum husk_lsm which);
/* What is written there for `label`: "exec <profile>" or the SELinux label (malloc'd). */
char *husk_lsm_exec_attr(enum husk_lsm which, const char *label);

#endif
