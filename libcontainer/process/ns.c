/* SPDX-License-Identifier: Apache-2.0 */
/* Namespaces: joining by path, time offsets (user-namespace maps: userns.c). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "process/process.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int husk_ns_open_joins(const struct husk_spec *spec, int fds[HUSK_NS_N], struct husk_error *err)
{
	for (int t = 0; t < HUSK_NS_N; t++)
		fds[t] = -1;
	for (int t = 0; t < HUSK_NS_N; t++) {
		const struct husk_namespace *ns = &spec->linux_.namespaces[t];
		if (!ns->present || ns->path == NULL)
			continue;
		fds[t] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			husk_error_errno(err, "open %s namespace `%s`", husk_ns_name(t), ns->path);
			husk_ns_close_joins(fds);
			return -1;
		}
	}
	return 0;
}

void husk_ns_close_joins(int fds[HUSK_NS_N])
{
	for (int t = 0; t < HUSK_NS_N; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
		fds[t] = -1;
	}
}

int husk_ns_join(int fds[HUSK_NS_N], struct husk_error *err)
{
	/*
	 * The user namespace goes last: once in it we hold no capability over
	 * namespaces owned by the host's user namespace.  (runc's nsexec joins
	 * in config order; this order works for every combination it accepts.)
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (int t = 0; t < HUSK_NS_N; t++) {
			if (fds[t] < 0 || (t == HUSK_NS_USER) != (pass == 1))
				continue;
			if (setns(fds[t], husk_ns_clone_flag(t)) < 0)
				return husk_error_errno(err, "join %s namespace", husk_ns_name(t));
			close(fds[t]);
			fds[t] = -1;
		}
	}
	return 0;
}

int husk_ns_time_setup(const struct husk_linux *l, struct husk_error *err)
{
	static const char *const clocks[2] = {"monotonic", "boottime"};
	char buf[128];
	size_t len = 0;

	if (unshare(CLONE_NEWTIME) < 0)
		return husk_error_errno(err, "create time namespace");
	for (int i = 0; i < 2; i++) {
		const struct husk_time_offset *o = &l->time_offsets[i];
		if (o->present)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %lld %u\n",
						clocks[i], (long long)o->secs, o->nanosecs);
	}
	/* one write per clock: the kernel takes one line at a time on older kernels */
	for (char *line = buf, *nl; len && (nl = strchr(line, '\n')); line = nl + 1) {
		if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line,
				  (size_t)(nl - line + 1), NULL) < 0)
			return husk_error_errno(err, "write linux.timeOffsets to timens_offsets");
	}
	return 0;
}

int husk_setns_path(const char *path, int type, struct husk_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0)
		return husk_error_errno(err, "join namespace `%s`", path);
	return 0;
}
