/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount options of config.md ("Linux mount options" table) as one table,
 * shared by the parser (validation), features.c (mountOptions) and mounts.c
 * (applying them).  Kept sorted by name: husk_mount_opt_find() bisects it.
 * Options not in the table are filesystem data ("mode=755", "size=64k").
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "spec/spec.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* clang-format off */
#define FLAG(n, f) {.name = n, .kind = HUSK_MOUNT_OPT_FLAG, .flags = (f)}
#define CLEAR(n, f) {.name = n, .kind = HUSK_MOUNT_OPT_FLAG, .flags = (f), .clear = true}
#define PROPAGATION(n, f) {.name = n, .kind = HUSK_MOUNT_OPT_PROPAGATION, .flags = (f)}
#define REC_SET(n, a) {.name = n, .kind = HUSK_MOUNT_OPT_RECURSIVE, .attr_set = (a)}
#define REC_CLR(n, a) {.name = n, .kind = HUSK_MOUNT_OPT_RECURSIVE, .attr_clr = (a), .clear = true}
#define REC_ATIME(n, a)                                                                            \
	{.name = n, .kind = HUSK_MOUNT_OPT_RECURSIVE, .attr_set = (a), .attr_clr = MOUNT_ATTR__ATIME}

const struct husk_mount_opt husk_mount_opts[] = {
	CLEAR("async", MS_SYNCHRONOUS),
	CLEAR("atime", MS_NOATIME),
	FLAG("bind", MS_BIND),
	FLAG("defaults", 0),
	CLEAR("dev", MS_NODEV),
	CLEAR("diratime", MS_NODIRATIME),
	FLAG("dirsync", MS_DIRSYNC),
	CLEAR("exec", MS_NOEXEC),
	{.name = "idmap", .kind = HUSK_MOUNT_OPT_IDMAP, .attr_set = MOUNT_ATTR_IDMAP},
	FLAG("iversion", MS_I_VERSION),
	FLAG("lazytime", MS_LAZYTIME),
	CLEAR("loud", MS_SILENT),
	FLAG("mand", MS_MANDLOCK),
	FLAG("noatime", MS_NOATIME),
	FLAG("nodev", MS_NODEV),
	FLAG("nodiratime", MS_NODIRATIME),
	FLAG("noexec", MS_NOEXEC),
	CLEAR("noiversion", MS_I_VERSION),
	CLEAR("nolazytime", MS_LAZYTIME),
	CLEAR("nomand", MS_MANDLOCK),
	CLEAR("norelatime", MS_RELATIME),
	CLEAR("nostrictatime", MS_STRICTATIME),
	FLAG("nosuid", MS_NOSUID),
	FLAG("nosymfollow", MS_NOSYMFOLLOW),
	PROPAGATION("private", MS_PRIVATE),
	/* "atime" recursively: neither noatime nor strictatime, the kernel's default */
	REC_ATIME("ratime", MOUNT_ATTR_RELATIME),
	FLAG("rbind", MS_BIND | MS_REC),
	REC_CLR("rdev", MOUNT_ATTR_NODEV),
	REC_CLR("rdiratime", MOUNT_ATTR_NODIRATIME),
	FLAG("relatime", MS_RELATIME),
	FLAG("remount", MS_REMOUNT),
	REC_CLR("rexec", MOUNT_ATTR_NOEXEC),
	{.name = "ridmap", .kind = HUSK_MOUNT_OPT_IDMAP, .attr_set = MOUNT_ATTR_IDMAP,
	 .recursive = true},
	REC_ATIME("rnoatime", MOUNT_ATTR_NOATIME),
	REC_SET("rnodev", MOUNT_ATTR_NODEV),
	REC_SET("rnodiratime", MOUNT_ATTR_NODIRATIME),
	REC_SET("rnoexec", MOUNT_ATTR_NOEXEC),
	/* the only atime mode that is not relatime: strictatime */
	REC_ATIME("rnorelatime", MOUNT_ATTR_STRICTATIME),
	REC_ATIME("rnostrictatime", MOUNT_ATTR_RELATIME),
	REC_SET("rnosuid", MOUNT_ATTR_NOSUID),
	REC_SET("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
	FLAG("ro", MS_RDONLY),
	PROPAGATION("rprivate", MS_PRIVATE | MS_REC),
	REC_ATIME("rrelatime", MOUNT_ATTR_RELATIME),
	REC_SET("rro", MOUNT_ATTR_RDONLY),
	REC_CLR("rrw", MOUNT_ATTR_RDONLY),
	PROPAGATION("rshared", MS_SHARED | MS_REC),
	PROPAGATION("rslave", MS_SLAVE | MS_REC),
	REC_ATIME("rstrictatime", MOUNT_ATTR_STRICTATIME),
	REC_CLR("rsuid", MOUNT_ATTR_NOSUID),
	REC_CLR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
	PROPAGATION("runbindable", MS_UNBINDABLE | MS_REC),
	CLEAR("rw", MS_RDONLY),
	PROPAGATION("shared", MS_SHARED),
	FLAG("silent", MS_SILENT),
	PROPAGATION("slave", MS_SLAVE),
	FLAG("strictatime", MS_STRICTATIME),
	CLEAR("suid", MS_NOSUID),
	CLEAR("symfollow", MS_NOSYMFOLLOW),
	FLAG("sync", MS_SYNCHRONOUS),
	{.name = "tmpcopyup", .kind = HUSK_MOUNT_OPT_TMPCOPYUP},
	PROPAGATION("unbindable", MS_UNBINDABLE),
};

/* clang-format on */

const size_t husk_n_mount_opts = sizeof(husk_mount_opts) / sizeof(husk_mount_opts[0]);

static int cmp_opt(const void *key, const void *elem)
{
	return strcmp(key, ((const struct husk_mount_opt *)elem)->name);
}

const struct husk_mount_opt *husk_mount_opt_find(const char *name)
{
	return bsearch(name, husk_mount_opts, husk_n_mount_opts, sizeof(husk_mount_opts[0]),
		       cmp_opt);
}
