/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup manager's two axes: every husk_cgroup_* entry point goes to
 * the handle's driver (struct husk_cgroup_manager); the cgroupfs driver
 * works on this host's layout through its backend (struct cg_ops), kill,
 * freeze and stats included; the "none" driver makes nothing and refuses
 * what needs a cgroup.  On the host's real cgroups, under `husk-test`.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-tap.h"

/* ---- a recording driver: proves the entry points dispatch ---- */

static unsigned driver_calls;
static const struct husk_cgroup_manager *real_mgr;

#define REC(field) (driver_calls |= 1u << (field))
enum { D_ENTER, D_UPDATE, D_KILL, D_PIDS, D_FREEZE, D_FROZEN, D_STATS, D_OOM, D_DESTROY, D_N };

static int rec_enter(struct husk_cgroup *cg, pid_t pid, unsigned flags, struct husk_error *err)
{
	REC(D_ENTER);
	return real_mgr->enter(cg, pid, flags, err);
}

static int rec_update(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_error *err)
{
	REC(D_UPDATE);
	return real_mgr->update(cg, res, err);
}

static int rec_kill(struct husk_cgroup *cg, int sig, struct husk_error *err)
{
	REC(D_KILL);
	return real_mgr->kill(cg, sig, err);
}

static int rec_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	REC(D_PIDS);
	return real_mgr->pids(cg, pids, n, err);
}

static int rec_freeze(struct husk_cgroup *cg, bool f, struct husk_error *err)
{
	REC(D_FREEZE);
	return real_mgr->freeze(cg, f, err);
}

static int rec_is_frozen(struct husk_cgroup *cg)
{
	REC(D_FROZEN);
	return real_mgr->is_frozen(cg);
}

static int rec_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full,
		     struct husk_error *err)
{
	REC(D_STATS);
	return real_mgr->stats(cg, st, full, err);
}

static int rec_oom(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	REC(D_OOM);
	return real_mgr->oom_open(cg, o, err);
}

static int rec_destroy(struct husk_cgroup *cg, struct husk_error *err)
{
	REC(D_DESTROY);
	return real_mgr->destroy(cg, err);
}

static void test_dispatch(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct husk_cgroup_manager rec;
	struct child c = {0};
	struct husk_cgroup_stats st;
	struct husk_cgroup_oom o = {.fd = -1, .ctl_fd = -1};
	struct husk_resources res = {0};
	struct husk_error e = {0};
	cleanup_free pid_t *pids = NULL;
	size_t n;

	if (cg == NULL) {
		ok(false, "create for dispatch");
		return;
	}
	ok(strcmp(husk_cgroup_driver_name(cg), "cgroupfs") == 0, "husk_cgroup_create: cgroupfs");
	real_mgr = cg->mgr;
	rec = *cg->mgr;
	rec.enter = rec_enter;
	rec.update = rec_update;
	rec.kill = rec_kill;
	rec.pids = rec_pids;
	rec.freeze = rec_freeze;
	rec.is_frozen = rec_is_frozen;
	rec.stats = rec_stats;
	rec.oom_open = rec_oom;
	rec.destroy = rec_destroy;
	cg->mgr = &rec;
	ok(spawn(cg, fn_pause, &c) && wait_byte(&c), "a child in the cgroup");
	husk_cgroup_update(cg, &res, &e);
	husk_cgroup_kill(cg, 0, &e);
	husk_cgroup_pids(cg, &pids, &n, &e);
	husk_cgroup_freeze(cg, false, &e);
	husk_cgroup_is_frozen(cg);
	husk_cgroup_stats(cg, &st, &e);
	husk_cgroup_stats_clear(&st);
	husk_cgroup_stats_full(cg, &st, &e);
	husk_cgroup_stats_clear(&st);
	if (husk_cgroup_oom_open(cg, &o, &e) == 0)
		husk_cgroup_oom_close(&o);
	husk_error_clear(&e);
	destroy(cg); /* through `rec` too */
	ok(driver_calls == (1u << D_N) - 1,
	   "enter, update, kill, pids, freeze, is_frozen, stats, oom, destroy go to the driver "
	   "(0x%x)",
	   driver_calls);
	child_done(&c);
}

/* ---- a recording backend: the cgroupfs driver works through cg_ops ---- */

static unsigned backend_calls;
static const struct cg_ops *real_ops;

enum { B_FREEZE, B_FROZEN, B_KILL_ALL, B_STATS, B_OOM, B_USAGE, B_APPLY, B_N };

static int b_freeze(struct husk_cgroup *cg, bool f, struct husk_error *err)
{
	backend_calls |= 1u << B_FREEZE;
	return real_ops->freeze(cg, f, err);
}

static int b_is_frozen(struct husk_cgroup *cg)
{
	backend_calls |= 1u << B_FROZEN;
	return real_ops->is_frozen(cg);
}

static int b_kill_all(struct husk_cgroup *cg, bool *more, struct husk_error *err)
{
	backend_calls |= 1u << B_KILL_ALL;
	return real_ops->kill_all(cg, more, err);
}

static void b_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, bool full)
{
	backend_calls |= 1u << B_STATS;
	real_ops->stats(cg, st, full);
}

static int b_oom(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	backend_calls |= 1u << B_OOM;
	return real_ops->oom_open(cg, o, err);
}

static int b_usage(struct husk_cgroup *cg, uint64_t *u, struct husk_error *err)
{
	backend_calls |= 1u << B_USAGE;
	return real_ops->memory_usage(cg, u, err);
}

static int b_apply(struct husk_cgroup *cg, const struct husk_resources *res, bool update,
		   struct husk_error *err)
{
	backend_calls |= 1u << B_APPLY;
	return real_ops->apply(cg, res, update, err);
}

static void test_backend(void)
{
	struct husk_cgroup *cg = make(NULL, NULL);
	struct husk_resources res = {.has_memory = true};
	struct husk_cgroup_stats st;
	struct husk_cgroup_oom o = {.fd = -1, .ctl_fd = -1};
	struct husk_error e = {0};
	struct cg_ops rec;
	const struct cg_ops *want = cg ? (cg->layout == CG_LAYOUT_V2	   ? &cg_v2_ops
					  : cg->layout == CG_LAYOUT_HYBRID ? &cg_hybrid_ops
									   : &cg_v1_ops)
				       : NULL;
	struct child c = {0};

	if (cg == NULL) {
		ok(false, "create for the backend");
		return;
	}
	ok(cg->ops == want, "the cgroupfs driver picked the `%s` backend for this host",
	   cg->ops->name);
	real_ops = cg->ops;
	rec = *cg->ops;
	rec.freeze = b_freeze;
	rec.is_frozen = b_is_frozen;
	rec.kill_all = b_kill_all;
	rec.stats = b_stats;
	rec.oom_open = b_oom;
	rec.memory_usage = b_usage;
	rec.apply = b_apply;
	cg->ops = &rec;
	ok(spawn(cg, fn_pause, &c) && wait_byte(&c), "a child in the cgroup");
	ok(husk_cgroup_freeze(cg, true, &e) == 0 && husk_cgroup_is_frozen(cg) == 1,
	   "freeze through the backend");
	ok(husk_cgroup_freeze(cg, false, &e) == 0, "thaw");
	{
		bool got = husk_cgroup_stats(cg, &st, &e) == 0;
		ok(got && st.pids_current == 1, "stats through the backend: 1 pid (%llu)",
		   (unsigned long long)st.pids_current);
	}
	husk_cgroup_stats_clear(&st);
	if (husk_cgroup_oom_open(cg, &o, &e) == 0)
		husk_cgroup_oom_close(&o);
	husk_error_clear(&e);
	res.memory.has_check_before_update = res.memory.check_before_update = true;
	res.memory.has_limit = true;
	res.memory.limit = 512LL << 20;
	ok(husk_cgroup_update(cg, &res, &e) == 0, "update with checkBeforeUpdate");
	if (e.msg)
		diag("update", &e);
	ok(husk_cgroup_kill(cg, SIGKILL, &e) == 0, "kill SIGKILL");
	waitpid(c.pid, NULL, 0);
	c.pid = -1;
	child_done(&c);
	ok(backend_calls == (1u << B_N) - 1,
	   "freeze, is_frozen, kill_all, stats, oom_open, memory_usage, apply went to the "
	   "backend (0x%x)",
	   backend_calls);
	cg->ops = real_ops;
	destroy(cg);
}

/* ---- the none driver ---- */

static char *self_cgroup(pid_t pid)
{
	cleanup_free char *file = xasprintf("/proc/%d/cgroup", (int)pid);
	char *data = NULL;
	struct husk_error e = {0};

	if (read_file_at(AT_FDCWD, file, &data, NULL, &e) < 0) {
		diag("read", &e);
		return xstrdup("");
	}
	return data;
}

static void test_none(void)
{
	cleanup_free char *id = xasprintf("husk-test-none-%d", (int)getpid());
	cleanup_free char *fs_path = xasprintf("/husk/%s", id);
	cleanup_cgroup struct husk_cgroup *where = probe(fs_path);
	struct husk_cgroup *cg = NULL;
	struct husk_resources limits = {.has_pids = true, .has_pids_limit = true, .pids_limit = 5};
	struct husk_device_rule deny = {.allow = false, .access = (char *)"rwm"};
	struct husk_resources devices = {.devices = &deny, .n_devices = 1};
	struct husk_cgroup_stats st;
	struct husk_cgroup_oom o = {.fd = -1, .ctl_fd = -1};
	struct husk_error e = {0};
	cleanup_free pid_t *pids = NULL;
	cleanup_free char *mine = self_cgroup(getpid());
	size_t n = 0;
	struct child c = {0};

	ok(husk_cgroup_prepare(HUSK_CGROUP_NONE, NULL, id, &cg, &e) == 0, "none: prepare");
	if (cg == NULL)
		return;
	ok(strcmp(husk_cgroup_driver_name(cg), "none") == 0 && husk_cgroup_path(cg) == NULL,
	   "none: no path to store");
	{
		bool refused = husk_cgroup_make(cg, &limits, &e) < 0;
		ok(refused && e.status == ENOTSUP &&
		       strstr(e.msg, "config.json: linux.resources: "),
		   "none: a limit is refused: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	ok(husk_cgroup_make(cg, &devices, &e) == 0 && husk_cgroup_make(cg, NULL, &e) == 0,
	   "none: device rules alone, or no resources, are fine");
	ok(husk_cgroup_clone_fd(cg) == -1, "none: no clone3 fd");
	ok(spawn(cg, fn_pause, &c) && wait_byte(&c), "none: enter a child");
	{
		cleanup_free char *theirs = self_cgroup(c.pid);
		ok(strcmp(theirs, mine) == 0, "none: the child stays in our cgroups");
	}
	{
		bool refused = husk_cgroup_pids(cg, &pids, &n, &e) < 0;
		ok(refused && e.status == ENOTSUP && strstr(e.msg, "cgroup driver `none`"),
		   "none: pids refused: %s", e.msg ? e.msg : "");
		husk_error_clear(&e);
	}
	ok(husk_cgroup_kill(cg, SIGKILL, &e) < 0 && e.status == ENOTSUP, "none: kill refused");
	husk_error_clear(&e);
	ok(husk_cgroup_freeze(cg, true, &e) < 0 && husk_cgroup_is_frozen(cg) == 0,
	   "none: freeze refused, never frozen");
	husk_error_clear(&e);
	ok(husk_cgroup_stats(cg, &st, &e) < 0 && husk_cgroup_update(cg, &limits, &e) < 0 &&
	       husk_cgroup_oom_open(cg, &o, &e) < 0,
	   "none: stats, update, oom refused");
	husk_error_clear(&e);
	ok(husk_cgroup_destroy(cg, &e) == 0, "none: destroy does nothing, successfully");
	ok(kill(c.pid, 0) == 0, "none: and leaves the child alone");
	ok(where == NULL || all_dirs(where, false), "none: made no directory in any hierarchy");
	child_done(&c);
	husk_cgroup_free(cg);
	ok(husk_cgroup_prepare((enum husk_cgroup_driver)42, NULL, id, &cg, &e) < 0 && e.msg,
	   "an unknown driver is refused");
	husk_error_clear(&e);
}

int main(void)
{
	if (!cgt_begin())
		return 77;
	test_dispatch();
	test_backend();
	test_none();
	return cgt_end();
}
