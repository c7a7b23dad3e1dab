/* SPDX-License-Identifier: Apache-2.0 */
/*
 * All of libcontainer's internal interfaces in one include, for the files
 * that use several subsystems (create.c, exec.c, init.c) and for tests.
 * New code includes the folder headers it needs instead; README.md
 * ("libcontainer's folders") says which folder may use which.
 */
#ifndef HUSK_INTERNAL_H
#define HUSK_INTERNAL_H

#include "cgroup/cgroup.h"
#include "process/process.h"
#include "rootfs/rootfs.h"
#include "security/security.h"
#include "spec/spec.h"
#include "state/events.h"
#include "utils.h"

#endif
