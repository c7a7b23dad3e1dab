/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security/'s own: the ENOSYS stub put in front of a libseccomp filter
 * (seccomp-enosys.c), used by seccomp.c only.
 */
#ifndef HUSK_SECURITY_SECCOMP_ENOSYS_H
#define HUSK_SECURITY_SECCOMP_ENOSYS_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>

#include "husk/error.h"
#include "spec/spec.h"

/*
 * The filter to load for linux.seccomp `s` compiled into `ctx` (default
 * action `def_action`): libseccomp's program with the ENOSYS stub in front
 * (*prog, *len instructions; free(*prog)), or *prog NULL where the profile
 * needs none.  0, or -1 with *err filled.
 */
int husk_seccomp_enosys_patch(scmp_filter_ctx ctx, const struct husk_seccomp *s,
			      uint32_t def_action, struct sock_filter **prog, unsigned short *len,
			      struct husk_error *err);

#endif
