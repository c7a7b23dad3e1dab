/* SPDX-License-Identifier: Apache-2.0 */
/* procfs.c: writes under /proc through a procfs handle husk got itself. */
#ifndef HUSK_PROCFS_H
#define HUSK_PROCFS_H

#include "husk/error.h"

/*
 * A directory fd on the root of a procfs: a private instance (fsopen +
 * fsmount) or, where the kernel refuses that (ENOSYS, EPERM), the mounted
 * /proc checked to be a procfs root.  -1 with *err filled.
 */
int husk_procfs_open(struct husk_error *err);
/*
 * Open `rel` (relative to the procfs root, e.g. "sys/net/ipv4/ip_forward" or
 * "thread-self/attr/exec") below `procfd`: no symlinks but the leading
 * self/thread-self, no mount crossed, and the result on procfs.  -1 with
 * errno (EXDEV: not on procfs or across a mount; ELOOP: a symlink).
 */
int husk_procfs_open_at(int procfd, const char *rel, int flags);

#endif
