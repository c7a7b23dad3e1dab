/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootless detection, runc 1.1's rules (utils_linux.go
 * shouldUseRootlessCgroupManager and main.go shouldHonorXDGRuntimeDir;
 * libcontainer/userns RunningInUserNS).  What "rootless" changes is the
 * cgroup (plan/plan-rootless.c); the user namespace is required for a
 * non-root euid whatever the flag says, as runc's rootless_euid validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/husk.h"
#include "utils.h"

/*
 * runc's RunningInUserNS: /proc/self/uid_map is not the initial
 * namespace's one line "0 0 4294967295".  An unreadable map reads as the
 * initial namespace (runc: the same).
 */
static bool in_user_ns(void)
{
	cleanup_file FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;
	char extra;

	if (f == NULL)
		return false;
	if (fscanf(f, " %lu %lu %lu", &a, &b, &c) != 3)
		return false;
	if (a == 0 && b == 0 && c == 4294967295UL && fscanf(f, " %c", &extra) != 1)
		return false;
	return true;
}

bool husk_rootless(const struct husk_ctx *ctx)
{
	const char *podman;

	if (ctx != NULL && ctx->rootless == HUSK_ROOTLESS_TRUE)
		return true;
	if (ctx != NULL && ctx->rootless == HUSK_ROOTLESS_FALSE)
		return false;
	if (geteuid() != 0)
		return true;
	/*
	 * Podman sets it in the user namespace it made for a rootless user
	 * (pkg/rootless.IsRootless), which runc's check below catches too.
	 */
	podman = getenv("_CONTAINERS_USERNS_CONFIGURED");
	if (podman != NULL && *podman != '\0')
		return true;
	/*
	 * euid 0 in a user namespace: runc asks the systemd it would use for
	 * its owner uid with --systemd-cgroup, and says rootless for
	 * cgroupfs; husk says rootless for both (a rootful systemd inside a
	 * user namespace wants --rootless false).
	 */
	return in_user_ns();
}

bool husk_rootless_xdg_root(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *user;

	if (xdg == NULL || *xdg == '\0')
		return false;
	if (geteuid() != 0)
		return true;
	/* the real root keeps the default even with XDG_RUNTIME_DIR=/run/user/0 (runc) */
	if (!in_user_ns())
		return false;
	user = getenv("USER");
	return user == NULL || strcmp(user, "root") != 0;
}
