/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for test-rootfs: scenarios run in forked children (own mount
 * namespace, everything on a tmpfs no one else sees) and report TAP results
 * to the parent over a pipe; the parent numbers them.
 */
#ifndef HUSK_TEST_ROOTFS_HELPERS_H
#define HUSK_TEST_ROOTFS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "rootfs/mountinfo.h"

/* ---- in the child ---- */

/* Report one result ("ok - what" / "not ok - what # why"). */
void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report ok when the call succeeded (r >= 0), else with strerror(errno). */
void report_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* unshare(CLONE_NEWNS | extra), "/" rprivate, and a tmpfs on `base` (the scratch dir). */
int enter_scratch(const char *base, int extra_flags);
/* A busybox rootfs at `dir` (its own tmpfs, mounted nosuid). */
int make_rootfs(const char *dir);
/* Create a file with `content` (and missing parents). */
int put_file(const char *path, const char *content);

/* Write a string to an existing file (/proc/self/uid_map ...). */
int write_str(const char *path, const char *s);

/* The topmost mount at `mount_point` in /proc/self/mountinfo (mi filled), or NULL. */
const struct husk_mountinfo_entry *find_mount(struct husk_mountinfo *mi, const char *mount_point);
/* Per-mount option list holds `opt` for the mount at `mount_point`. */
bool mount_has_opt(const char *mount_point, const char *opt);
/* fstype of the topmost mount at `mount_point`, or "" if none; copied into buf. */
const char *mount_fstype(const char *mount_point, char *buf, size_t size);
/* The mount's optional fields (propagation), copied into buf ("" if none). */
const char *mount_optional(const char *mount_point, char *buf, size_t size);

/* Make openat2 fail with ENOSYS in this process (seccomp filter). */
int block_openat2(void);

/* ---- in the parent ---- */

/*
 * Run `fn(arg)` in a child that has `base` as scratch (see enter_scratch);
 * prints the child's results as TAP lines; a child that dies or exits non-zero
 * is one failed test more.
 */
void run_scenario(const char *name, const char *base, int unshare_flags,
		  void (*fn)(const char *base, void *arg), void *arg);
/* rootfs-cases.c: path resolution, error messages, cgroup mounts */
void run_resolve_tests(const char *base);
void run_error_tests(const char *base);
void run_cgroup_tests(const char *base);
void run_default_tests(const char *base);
/* no-symlink opens, the procfs handle, fd-to-fd binds (issue 9) */
void run_sec_path_tests(const char *base);

/*
 * Whether the scratch filesystem (a tmpfs on `base`) can be idmapped
 * (open_tree + mount_setattr(MOUNT_ATTR_IDMAP); tmpfs needs Linux >= 6.3):
 * 1 yes, 0 no (EINVAL), -1 the probe itself failed.
 */
int scratch_idmap_support(const char *base);

/* Print the plan; returns the exit status (0 all passed). */
int tap_done(void);

#endif
