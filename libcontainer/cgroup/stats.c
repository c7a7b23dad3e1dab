/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Usage counters of a container's cgroup (for `events --stats`): each
 * controller is read where it lives, its v1 hierarchy or the cgroup2
 * directory.  A missing file reads as 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup-internal.h"

static uint64_t read_u64(const char *dir, const char *file)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	uint64_t n = 0;

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	if (strcmp(v, "max") == 0)
		return UINT64_MAX;
	if (parse_u64(v, &n) < 0)
		return 0;
	return n;
}

/* The value of `key` in a "key value" per line file (cpu.stat, memory.events). */
static uint64_t read_key(const char *dir, const char *file, const char *key)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	size_t len = strlen(key);

	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	for (char *l = v; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, len) == 0 && l[len] == ' ') {
			char *end = strchr(l + len + 1, '\n');
			cleanup_free char *num =
			    end ? strndup(l + len + 1, (size_t)(end - l - len - 1))
				: xstrdup(l + len + 1);
			uint64_t n = 0;
			if (num && parse_u64(num, &n) == 0)
				return n;
			return 0;
		}
	}
	return 0;
}

/* The cgroup2 directory when it has `file` (the controller is enabled there). */
static const char *v2_with(struct husk_cgroup *cg, const char *file)
{
	return cg->v2 && cg_has_file(cg->v2->path, file) ? cg->v2->path : NULL;
}

static void cpu_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *acct = cg_v1_dir(cg, "cpuacct"), *cpu = cg_v1_dir(cg, "cpu");
	const char *v2 = v2_with(cg, "cpu.stat");

	if (acct) {
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
		st->cpu_usage = read_u64(acct->path, "cpuacct.usage");
		st->cpu_user = read_key(acct->path, "cpuacct.stat", "user") * tick;
		st->cpu_system = read_key(acct->path, "cpuacct.stat", "system") * tick;
	} else if (v2) {
		st->cpu_usage = read_key(v2, "cpu.stat", "usage_usec") * 1000;
		st->cpu_user = read_key(v2, "cpu.stat", "user_usec") * 1000;
		st->cpu_system = read_key(v2, "cpu.stat", "system_usec") * 1000;
	}
	if (cpu) {
		st->cpu_periods = read_key(cpu->path, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = read_key(cpu->path, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = read_key(cpu->path, "cpu.stat", "throttled_time");
	} else if (v2) {
		st->cpu_periods = read_key(v2, "cpu.stat", "nr_periods");
		st->cpu_throttled_periods = read_key(v2, "cpu.stat", "nr_throttled");
		st->cpu_throttled_time = read_key(v2, "cpu.stat", "throttled_usec") * 1000;
	}
}

static void memory_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");
	const char *v2 = v2_with(cg, "memory.current");

	if (m) {
		uint64_t memsw;
		st->mem_usage = read_u64(m->path, "memory.usage_in_bytes");
		st->mem_max_usage = read_u64(m->path, "memory.max_usage_in_bytes");
		st->mem_limit = read_u64(m->path, "memory.limit_in_bytes");
		st->mem_failcnt = read_u64(m->path, "memory.failcnt");
		st->oom_kills = read_key(m->path, "memory.oom_control", "oom_kill");
		/* v1 counts memory+swap together */
		memsw = read_u64(m->path, "memory.memsw.usage_in_bytes");
		st->swap_usage = memsw > st->mem_usage ? memsw - st->mem_usage : 0;
		st->swap_limit = read_u64(m->path, "memory.memsw.limit_in_bytes");
		st->mem_cache = read_key(m->path, "memory.stat", "cache");
		st->memsw_usage = memsw;
		st->memsw_max_usage = read_u64(m->path, "memory.memsw.max_usage_in_bytes");
		st->memsw_limit = st->swap_limit;
		st->memsw_failcnt = read_u64(m->path, "memory.memsw.failcnt");
		st->kmem_usage = read_u64(m->path, "memory.kmem.usage_in_bytes");
		st->kmem_max_usage = read_u64(m->path, "memory.kmem.max_usage_in_bytes");
		st->kmem_limit = read_u64(m->path, "memory.kmem.limit_in_bytes");
		st->kmem_failcnt = read_u64(m->path, "memory.kmem.failcnt");
		st->kmem_tcp_usage = read_u64(m->path, "memory.kmem.tcp.usage_in_bytes");
		st->kmem_tcp_max_usage = read_u64(m->path, "memory.kmem.tcp.max_usage_in_bytes");
		st->kmem_tcp_limit = read_u64(m->path, "memory.kmem.tcp.limit_in_bytes");
		st->kmem_tcp_failcnt = read_u64(m->path, "memory.kmem.tcp.failcnt");
	} else if (v2) {
		st->mem_usage = read_u64(v2, "memory.current");
		st->mem_max_usage = read_u64(v2, "memory.peak");
		st->mem_limit = read_u64(v2, "memory.max");
		st->mem_failcnt = read_key(v2, "memory.events", "max");
		st->oom_kills = read_key(v2, "memory.events", "oom_kill");
		st->swap_usage = read_u64(v2, "memory.swap.current");
		st->swap_limit = read_u64(v2, "memory.swap.max");
		st->mem_cache = read_key(v2, "memory.stat", "file");
		/* runc reports memory+swap on v2 too, as v1 does */
		st->memsw_usage = st->swap_usage + st->mem_usage;
		st->memsw_max_usage = read_u64(v2, "memory.swap.peak");
		st->memsw_limit = st->swap_limit == UINT64_MAX || st->mem_limit == UINT64_MAX
				      ? UINT64_MAX
				      : st->swap_limit + st->mem_limit;
		st->memsw_failcnt = read_key(v2, "memory.swap.events", "max");
	}
}

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error *err)
{
	struct cg_dir *pids = cg_v1_dir(cg, "pids");
	const char *v2 = v2_with(cg, "pids.current");
	int frozen;

	memset(st, 0, sizeof *st);
	if (access(cg->n_dirs ? cg->dirs[0].path : "/", F_OK) < 0)
		return husk_error_errno(err, "cgroup `%s`", cg->stored);
	cpu_stats(cg, st);
	memory_stats(cg, st);
	if (pids || v2) {
		const char *dir = pids ? pids->path : v2;
		st->pids_current = read_u64(dir, "pids.current");
		st->pids_limit = read_u64(dir, "pids.max");
	}
	frozen = husk_cgroup_is_frozen(cg);
	st->frozen = frozen == 1;
	return 0;
}

/* ---- the lists (husk_cgroup_stats_full) ---- */

/* "123 456 789" to a malloc'd array */
static void read_u64_list(const char *dir, const char *file, uint64_t **out, size_t *n)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	*out = NULL;
	*n = 0;
	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *t = strtok_r(v, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		uint64_t x, *p;
		if (parse_u64(t, &x) < 0)
			continue;
		p = realloc(*out, (*n + 1) * sizeof **out);
		if (p == NULL)
			return;
		*out = p;
		(*out)[(*n)++] = x;
	}
}

/* "0-3,5" to a malloc'd list of numbers (runc's cpuset stats) */
static void read_range_list(const char *dir, const char *file, uint16_t **out, size_t *n)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	*out = NULL;
	*n = 0;
	if (dir == NULL || cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *t = strtok_r(v, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save)) {
		unsigned lo, hi;
		int k = sscanf(t, "%u-%u", &lo, &hi);
		if (k < 1)
			continue;
		if (k == 1)
			hi = lo;
		for (unsigned x = lo; x <= hi && x <= UINT16_MAX; x++) {
			uint16_t *p = realloc(*out, (*n + 1) * sizeof **out);
			if (p == NULL)
				return;
			*out = p;
			(*out)[(*n)++] = (uint16_t)x;
		}
	}
}

static void percpu_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *acct = cg_v1_dir(cg, "cpuacct");

	if (acct == NULL)
		return;
	read_u64_list(acct->path, "cpuacct.usage_percpu", &st->percpu, &st->n_percpu);
	read_u64_list(acct->path, "cpuacct.usage_percpu_sys", &st->percpu_kernel,
		      &st->n_percpu_kernel);
	read_u64_list(acct->path, "cpuacct.usage_percpu_user", &st->percpu_user,
		      &st->n_percpu_user);
}

static void raw_memory_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");
	const char *dir = m ? m->path : v2_with(cg, "memory.stat");
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	if (dir == NULL || cg_read(dir, "memory.stat", &v, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		struct husk_kv *p;
		uint64_t x;

		if (sp == NULL || parse_u64(sp + 1, &x) < 0)
			continue;
		p = realloc(st->mem_raw, (st->n_mem_raw + 1) * sizeof *p);
		if (p == NULL)
			return;
		st->mem_raw = p;
		p[st->n_mem_raw].key = strndup(l, (size_t)(sp - l));
		p[st->n_mem_raw].value = xstrdup(sp + 1);
		if (p[st->n_mem_raw].key == NULL)
			abort();
		st->n_mem_raw++;
	}
}

static void cpuset_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *d = cg_v1_dir(cg, "cpuset");
	struct husk_cgroup_cpuset *c = &st->cpuset;
	const char *v2;

	if (d != NULL) {
		cleanup_free char *lvl = NULL;
		struct husk_error e = {0};
		int64_t x;

		read_range_list(d->path, "cpuset.cpus", &c->cpus, &c->n_cpus);
		read_range_list(d->path, "cpuset.mems", &c->mems, &c->n_mems);
		c->cpu_exclusive = read_u64(d->path, "cpuset.cpu_exclusive");
		c->mem_hardwall = read_u64(d->path, "cpuset.mem_hardwall");
		c->mem_exclusive = read_u64(d->path, "cpuset.mem_exclusive");
		c->memory_migrate = read_u64(d->path, "cpuset.memory_migrate");
		c->memory_spread_page = read_u64(d->path, "cpuset.memory_spread_page");
		c->memory_spread_slab = read_u64(d->path, "cpuset.memory_spread_slab");
		c->memory_pressure = read_u64(d->path, "cpuset.memory_pressure");
		c->sched_load_balance = read_u64(d->path, "cpuset.sched_load_balance");
		if (cg_read(d->path, "cpuset.sched_relax_domain_level", &lvl, &e) == 0 &&
		    parse_i64(lvl, &x) == 0)
			c->sched_relax_domain_level = x;
		husk_error_clear(&e);
	} else if ((v2 = v2_with(cg, "cpuset.cpus.effective")) != NULL) {
		read_range_list(v2, "cpuset.cpus.effective", &c->cpus, &c->n_cpus);
		read_range_list(v2, "cpuset.mems.effective", &c->mems, &c->n_mems);
	}
}

static void blkio_add(struct husk_cgroup_stats *st, int kind, uint64_t major, uint64_t minor,
		      const char *op, uint64_t value)
{
	struct husk_cgroup_blkio_entry *p;

	p = realloc(st->blkio[kind], (st->n_blkio[kind] + 1) * sizeof *p);
	if (p == NULL)
		return;
	st->blkio[kind] = p;
	p += st->n_blkio[kind]++;
	p->major = major;
	p->minor = minor;
	p->value = value;
	snprintf(p->op, sizeof p->op, "%s", op);
}

/* v1 "8:0 Read 1234" (or "8:0 1234"); "Total N" lines skipped.  0 when no entry. */
static size_t blkio_v1_file(const char *dir, const char *file, struct husk_cgroup_stats *st,
			    int kind)
{
	cleanup_free char *v = NULL;
	struct husk_error e = {0};
	char *save = NULL;

	if (cg_read(dir, file, &v, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi, val;
		char op[16];

		if (sscanf(l, "%llu:%llu %15s %llu", &ma, &mi, op, &val) == 4)
			blkio_add(st, kind, ma, mi, op, val);
		else if (sscanf(l, "%llu:%llu %llu", &ma, &mi, &val) == 3)
			blkio_add(st, kind, ma, mi, "", val);
	}
	return st->n_blkio[kind];
}

static void blkio_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	/* runc: CFQ's files, else BFQ's, else the throttling counters */
	static const char *const files[8][3] = {
	    [HUSK_BLKIO_SERVICE_BYTES] = {"blkio.io_service_bytes_recursive",
					  "blkio.bfq.io_service_bytes_recursive",
					  "blkio.throttle.io_service_bytes_recursive"},
	    [HUSK_BLKIO_SERVICED] = {"blkio.io_serviced_recursive",
				     "blkio.bfq.io_serviced_recursive",
				     "blkio.throttle.io_serviced_recursive"},
	    [HUSK_BLKIO_QUEUED] = {"blkio.io_queued_recursive", "blkio.bfq.io_queued_recursive"},
	    [HUSK_BLKIO_SERVICE_TIME] = {"blkio.io_service_time_recursive",
					 "blkio.bfq.io_service_time_recursive"},
	    [HUSK_BLKIO_WAIT_TIME] = {"blkio.io_wait_time_recursive",
				      "blkio.bfq.io_wait_time_recursive"},
	    [HUSK_BLKIO_MERGED] = {"blkio.io_merged_recursive", "blkio.bfq.io_merged_recursive"},
	    [HUSK_BLKIO_TIME] = {"blkio.time_recursive", "blkio.bfq.time_recursive"},
	    [HUSK_BLKIO_SECTORS] = {"blkio.sectors_recursive", "blkio.bfq.sectors_recursive"},
	};
	struct cg_dir *d = cg_v1_dir(cg, "blkio");
	const char *v2;

	if (d != NULL) {
		for (int k = 0; k < 8; k++)
			for (int i = 0; i < 3 && files[k][i]; i++)
				if (blkio_v1_file(d->path, files[k][i], st, k) > 0)
					break;
	} else if ((v2 = v2_with(cg, "io.stat")) != NULL) {
		/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
		cleanup_free char *v = NULL;
		struct husk_error e = {0};
		char *save = NULL;

		if (cg_read(v2, "io.stat", &v, &e) < 0) {
			husk_error_clear(&e);
			return;
		}
		for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			unsigned long long ma, mi, val;
			char *f, *fsave = NULL;

			if (sscanf(l, "%llu:%llu", &ma, &mi) != 2)
				continue;
			strtok_r(l, " ", &fsave);
			while ((f = strtok_r(NULL, " ", &fsave)) != NULL) {
				char key[16];
				if (sscanf(f, "%15[a-z]=%llu", key, &val) != 2)
					continue;
				if (strcmp(key, "rbytes") == 0)
					blkio_add(st, HUSK_BLKIO_SERVICE_BYTES, ma, mi, "Read",
						  val);
				else if (strcmp(key, "wbytes") == 0)
					blkio_add(st, HUSK_BLKIO_SERVICE_BYTES, ma, mi, "Write",
						  val);
				else if (strcmp(key, "rios") == 0)
					blkio_add(st, HUSK_BLKIO_SERVICED, ma, mi, "Read", val);
				else if (strcmp(key, "wios") == 0)
					blkio_add(st, HUSK_BLKIO_SERVICED, ma, mi, "Write", val);
			}
		}
	}
}

/* "hugepages-2048kB" to runc's "2MB" */
static bool hugepage_name(const char *dirent, char *out, size_t len)
{
	unsigned long long kb;

	if (sscanf(dirent, "hugepages-%llukB", &kb) != 1)
		return false;
	if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
		snprintf(out, len, "%lluGB", kb / (1024 * 1024));
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(out, len, "%lluMB", kb / 1024);
	else
		snprintf(out, len, "%lluKB", kb);
	return true;
}

static void hugetlb_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st)
{
	struct cg_dir *d = cg_v1_dir(cg, "hugetlb");
	cleanup_dir DIR *dir = NULL;
	struct dirent *de;

	dir = opendir("/sys/kernel/mm/hugepages");
	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		struct husk_cgroup_hugetlb h = {0}, *p;
		char f[80];
		const char *v2;

		if (!hugepage_name(de->d_name, h.page_size, sizeof h.page_size))
			continue;
		if (d != NULL) {
			snprintf(f, sizeof f, "hugetlb.%s.usage_in_bytes", h.page_size);
			h.usage = read_u64(d->path, f);
			snprintf(f, sizeof f, "hugetlb.%s.max_usage_in_bytes", h.page_size);
			h.max = read_u64(d->path, f);
			snprintf(f, sizeof f, "hugetlb.%s.failcnt", h.page_size);
			h.failcnt = read_u64(d->path, f);
		} else {
			snprintf(f, sizeof f, "hugetlb.%s.current", h.page_size);
			if ((v2 = v2_with(cg, f)) == NULL)
				continue;
			h.usage = read_u64(v2, f);
			snprintf(f, sizeof f, "hugetlb.%s.events", h.page_size);
			h.failcnt = read_key(v2, f, "max");
		}
		p = realloc(st->hugetlb, (st->n_hugetlb + 1) * sizeof *p);
		if (p == NULL)
			return;
		st->hugetlb = p;
		p[st->n_hugetlb++] = h;
	}
}

int husk_cgroup_stats_full(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
			   struct husk_error *err)
{
	if (husk_cgroup_stats(cg, st, err) < 0)
		return -1;
	percpu_stats(cg, st);
	raw_memory_stats(cg, st);
	cpuset_stats(cg, st);
	blkio_stats(cg, st);
	hugetlb_stats(cg, st);
	return 0;
}

void husk_cgroup_stats_clear(struct husk_cgroup_stats *st)
{
	free(st->percpu);
	free(st->percpu_kernel);
	free(st->percpu_user);
	for (size_t i = 0; i < st->n_mem_raw; i++) {
		free(st->mem_raw[i].key);
		free(st->mem_raw[i].value);
	}
	free(st->mem_raw);
	free(st->cpuset.cpus);
	free(st->cpuset.mems);
	for (size_t k = 0; k < ARRAY_SIZE(st->blkio); k++)
		free(st->blkio[k]);
	free(st->hugetlb);
	memset(st, 0, sizeof *st);
}

/* ---- OOM notification ---- */

int husk_cgroup_oom_open(struct husk_cgroup *cg, struct husk_cgroup_oom *o, struct husk_error *err)
{
	struct cg_dir *m = cg_v1_dir(cg, "memory");
	const char *v2 = v2_with(cg, "memory.events");

	memset(o, 0, sizeof *o);
	o->fd = o->ctl_fd = -1;
	if (m != NULL) {
		cleanup_free char *path = NULL;

		o->v1 = true;
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
	if (v2 == NULL)
		return husk_error_set(err, ENOENT, "cgroup `%s`: no memory controller", cg->stored);
	o->dir = xstrdup(v2);
	o->kills = read_key(v2, "memory.events", "oom_kill");
	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return husk_error_errno(err, "inotify_init1");
	{
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s/memory.events", v2) < 0)
			return husk_error_set(err, ENOMEM, "out of memory");
		if (inotify_add_watch(o->fd, path, IN_MODIFY) < 0)
			return husk_error_errno(err, "inotify_add_watch `%s`", path);
	}
	return 0;
}

uint64_t husk_cgroup_oom_drain(struct husk_cgroup_oom *o)
{
	if (o->fd < 0)
		return 0;
	if (o->v1) {
		uint64_t n = 0;
		if (read(o->fd, &n, sizeof n) != (ssize_t)sizeof n)
			return 0;
		/*
		 * The eventfd also fires when the cgroup is removed (runc checks
		 * the same way): then it is no OOM, and nothing more comes.
		 */
		if (!cg_has_file(o->dir, "cgroup.event_control")) {
			husk_cgroup_oom_close(o);
			return 0;
		}
		/* one event per wake-up, as runc sends */
		return n > 0 ? 1 : 0;
	} else {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		uint64_t now;

		while (read(o->fd, buf, sizeof buf) > 0)
			;
		now = read_key(o->dir, "memory.events", "oom_kill");
		if (now <= o->kills)
			return 0;
		now -= o->kills;
		o->kills += now;
		return now;
	}
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
