/* SPDX-License-Identifier: Apache-2.0 */
/*
 * husk events: the container's cgroup usage as runc's event lines, once
 * (--stats) or every interval, plus OOM events as they happen, until the
 * container stops.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/container.h"
#include "state/events.h"
#include "utils.h"

static void stats_clearp(struct husk_cgroup_stats *st)
{
	husk_cgroup_stats_clear(st);
}
#define cleanup_stats __attribute__((cleanup(stats_clearp)))

static void oom_closep(struct husk_cgroup_oom *o)
{
	husk_cgroup_oom_close(o);
}
#define cleanup_oom __attribute__((cleanup(oom_closep)))

static int open_watched(const struct husk_ctx *ctx, const char *id, struct husk_container **c,
			struct husk_error *err)
{
	if (husk_container_open(ctx, id, 0, c, err) < 0)
		return -1;
	/* runc: "container with id x is not running" */
	if ((*c)->status == HUSK_STATUS_STOPPED)
		return husk_error_set(err, EINVAL, "container `%s` is not running", id);
	return husk_container_cgroup(*c, err) ? 0 : -1;
}

static int stats_line(struct husk_container *c, const char *id, char **json, struct husk_error *err)
{
	cleanup_stats struct husk_cgroup_stats st = {0};

	if (husk_cgroup_stats_full(c->cg, &st, err) < 0)
		return husk_error_wrap(err, "stats of container `%s`", id);
	*json = husk_events_stats_json(id, &st);
	return 0;
}

int husk_events_stats(const struct husk_ctx *ctx, const char *id, char **json,
		      struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;

	*json = NULL;
	if (open_watched(ctx, id, &c, err) < 0)
		return -1;
	return stats_line(c, id, json, err);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int send_ooms(struct husk_cgroup_oom *oom, const char *id, husk_event_fn fn, void *data,
		     struct husk_error *err)
{
	uint64_t n = husk_cgroup_oom_drain(oom);

	for (; n > 0; n--) {
		cleanup_free char *line = husk_events_simple_json("oom", id);
		if (fn(line, data, err) < 0)
			return -1;
	}
	return 0;
}

static bool stopped(struct husk_container *c)
{
	return husk_container_refresh(c) == HUSK_STATUS_STOPPED;
}

int husk_events_watch(const struct husk_ctx *ctx, const char *id, unsigned long long interval_ns,
		      husk_event_fn fn, void *data, struct husk_error *err)
{
	cleanup_container struct husk_container *c = NULL;
	cleanup_oom struct husk_cgroup_oom oom = {.fd = -1, .ctl_fd = -1};
	cleanup_close int pidfd = -1;
	unsigned long long next;

	if (interval_ns == 0)
		return husk_error_set(err, EINVAL, "events: the interval must be greater than 0");
	if (open_watched(ctx, id, &c, err) < 0)
		return -1;
	/*
	 * The init's exit ends the watch.  Without a pidfd (ENOSYS; EINVAL: no
	 * pid yet, a create in flight) the state is polled instead.
	 */
	pidfd = c->s.pid > 0 ? sys_pidfd_open(c->s.pid, 0) : -1;
	if (pidfd < 0 && c->s.pid > 0 && errno != ENOSYS && errno != EINVAL && errno != ESRCH)
		return husk_error_errno(err, "pidfd_open %d", (int)c->s.pid);
	/* the pid may have been reused before the pidfd was taken */
	if (stopped(c))
		return 0;
	{
		struct husk_error e = {0};
		/*
		 * No memory controller (ENOENT), or no right to register on it
		 * (EACCES, EPERM: rootless): stats without OOM events, as runc,
		 * which only warns then.
		 */
		if (husk_cgroup_oom_open(c->cg, &oom, &e) < 0) {
			if (e.status != ENOENT && e.status != EACCES && e.status != EPERM) {
				husk_error_set(err, e.status, "%s", e.msg);
				husk_error_clear(&e);
				return -1;
			}
			husk_cgroup_oom_close(&oom);
			husk_error_clear(&e);
		}
	}
	next = now_ns() + interval_ns;
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = oom.fd, .events = POLLIN}};
		unsigned long long now = now_ns();
		long long ms = now >= next ? 0 : (long long)((next - now + 999999) / 1000000);
		int r;

		/* without a pidfd, look at the init at least every 100 ms */
		if (pidfd < 0 && ms > 100)
			ms = 100;
		if (ms > 60000)
			ms = 60000;
		r = poll(p, 2, (int)ms);
		if (r < 0 && errno != EINTR)
			return husk_error_errno(err, "events: poll");
		if (r > 0 && (p[1].revents & POLLIN)) {
			if (send_ooms(&oom, id, fn, data, err) < 0)
				return -1;
		}
		if ((r > 0 && (p[0].revents & POLLIN)) || (pidfd < 0 && stopped(c))) {
			/* an OOM kill of the init: its event is in by now */
			return send_ooms(&oom, id, fn, data, err);
		}
		if (now_ns() >= next) {
			cleanup_free char *line = NULL;

			if (stats_line(c, id, &line, err) < 0) {
				if (stopped(c)) {
					husk_error_clear(err);
					return 0;
				}
				return -1;
			}
			if (fn(line, data, err) < 0)
				return -1;
			next += interval_ns;
			if (next < now_ns())
				next = now_ns() + interval_ns;
		}
	}
}
