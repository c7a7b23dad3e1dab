/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OOM notification (husk events): v1 an eventfd registered on
 * memory.oom_control through cgroup.event_control, v2 an inotify watch on
 * memory.events.  The backend opens one of them and sets its drain.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup-internal.h"

static uint64_t v1_drain(struct husk_cgroup_oom *o)
{
	uint64_t n = 0;

	if (read(o->fd, &n, sizeof n) != (ssize_t)sizeof n)
		return 0;
	/*
	 * The eventfd also fires when the cgroup is removed (runc checks the
	 * same way): then it is no OOM, and nothing more comes.
	 */
	if (!cg_has_file(o->dir, "cgroup.event_control")) {
		husk_cgroup_oom_close(o);
		return 0;
	}
	/* one event per wake-up, as runc sends */
	return n > 0 ? 1 : 0;
}

int cg_v1_oom_open(struct cg_dir *m, struct husk_cgroup_oom *o, struct husk_error *err)
{
	cleanup_free char *path = NULL;

	o->drain = v1_drain;
	o->dir = xstrdup(m->path);
	o->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->fd < 0)
		return husk_error_errno(err, "eventfd");
	if (asprintf(&path, "%s/memory.oom_control", m->path) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	o->ctl_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (o->ctl_fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	return cg_writef(m->path, "cgroup.event_control", err, "%d %d", o->fd, o->ctl_fd);
}

static uint64_t v2_drain(struct husk_cgroup_oom *o)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint64_t now;

	while (read(o->fd, buf, sizeof buf) > 0)
		;
	now = cg_read_key(o->dir, "memory.events", "oom_kill");
	if (now <= o->kills)
		return 0;
	now -= o->kills;
	o->kills += now;
	return now;
}

int cg_v2_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	cleanup_free char *path = NULL;

	if (cg->v2 == NULL || !cg_has_file(cg->v2->path, "memory.events"))
		return husk_error_set(err, ENOENT, "cgroup `%s`: no memory controller", cg->stored);
	o->drain = v2_drain;
	o->dir = xstrdup(cg->v2->path);
	o->kills = cg_read_key(o->dir, "memory.events", "oom_kill");
	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return husk_error_errno(err, "inotify_init1");
	if (asprintf(&path, "%s/memory.events", o->dir) < 0)
		return husk_error_set(err, ENOMEM, "out of memory");
	if (inotify_add_watch(o->fd, path, IN_MODIFY) < 0)
		return husk_error_errno(err, "inotify_add_watch `%s`", path);
	return 0;
}

uint64_t husk_cgroup_oom_drain(struct husk_cgroup_oom *o)
{
	if (o->fd < 0 || o->drain == NULL)
		return 0;
	return o->drain(o);
}

void husk_cgroup_oom_close(struct husk_cgroup_oom *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->ctl_fd >= 0)
		close(o->ctl_fd);
	free(o->dir);
	o->dir = NULL;
	o->fd = o->ctl_fd = -1;
}
