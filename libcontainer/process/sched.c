/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.scheduler, process.ioPriority, linux.personality,
 * process.execCPUAffinity and process.oomScoreAdj.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <linux/ioprio.h>

#include "process/process.h"
#include "procfs.h"
#include "utils.h"

/* struct sched_attr (linux/sched/types.h clashes with glibc's sched.h). */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

/* Highest cpu number accepted in a cpu list (the kernel's NR_CPUS limit). */
#define MAX_CPU 8191

static int apply_scheduler(const struct husk_scheduler *s, struct husk_error *err)
{
	struct sched_attr attr = {
	    .size = sizeof(attr),
	    .sched_policy = (uint32_t)s->policy_value,
	    .sched_flags = s->flags_value,
	    .sched_nice = s->has_nice ? s->nice : 0,
	    .sched_priority = s->has_priority ? (uint32_t)s->priority : 0,
	    .sched_runtime = s->runtime,
	    .sched_deadline = s->deadline,
	    .sched_period = s->period,
	};

	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return husk_error_errno(err, "sched_setattr policy `%s`",
					s->policy ? s->policy : "unknown");
	return 0;
}

static int apply_io_priority(const struct husk_io_priority *io, struct husk_error *err)
{
	int prio = (io->class_value << IOPRIO_CLASS_SHIFT) | (io->priority & IOPRIO_PRIO_MASK);

	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return husk_error_errno(err, "ioprio_set class `%s` priority %d",
					io->class_name ? io->class_name : "unknown", io->priority);
	return 0;
}

int husk_sched_apply(const struct husk_process *p, struct husk_error *err)
{
	if (p->has_scheduler && apply_scheduler(&p->scheduler, err) < 0)
		return -1;
	if (p->has_io_priority && apply_io_priority(&p->io_priority, err) < 0)
		return -1;
	return 0;
}

int husk_personality_apply(const struct husk_linux *l, struct husk_error *err)
{
	unsigned long persona;

	if (!l->has_personality)
		return 0;
	if (!l->personality_domain || strcmp(l->personality_domain, "LINUX") == 0)
		persona = PER_LINUX;
	else if (strcmp(l->personality_domain, "LINUX32") == 0)
		persona = PER_LINUX32;
	else
		return husk_error_set(err, EINVAL, "unknown personality domain `%s`",
				      l->personality_domain);
	/*
	 * linux.personality.flags: the spec defines no values yet; runc
	 * ignores them (with a warning), so do we.
	 */
	if (personality(persona) < 0)
		return husk_error_errno(err, "personality `%s`",
					l->personality_domain ? l->personality_domain : "LINUX");
	return 0;
}

/* Parse one cpu number at *s (digits only); advances *s. */
static int parse_cpu(const char **s, unsigned long *out)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*out = strtoul(*s, &end, 10);
	if (errno || *out > MAX_CPU)
		return -1;
	*s = end;
	return 0;
}

/*
 * Parse a cpu list ("0-3,7", the cpuset format) into a new cpu set; *size
 * is its size in bytes.  NULL with errno EINVAL on bad syntax.
 */
static cpu_set_t *parse_cpu_list(const char *list, size_t *size)
{
	unsigned long lo, hi, max = 0, c;
	const char *s;
	cpu_set_t *set;

	/* First pass: syntax and the highest cpu, to size the set. */
	for (s = list;;) {
		if (parse_cpu(&s, &lo) < 0)
			goto bad;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_cpu(&s, &hi) < 0 || hi < lo)
				goto bad;
		}
		if (hi > max)
			max = hi;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			goto bad;
	}

	set = CPU_ALLOC(max + 1);
	if (!set)
		return NULL;
	*size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(*size, set);
	for (s = list;;) {
		parse_cpu(&s, &lo);
		hi = lo;
		if (*s == '-') {
			s++;
			parse_cpu(&s, &hi);
		}
		for (c = lo; c <= hi; c++)
			CPU_SET_S(c, *size, set);
		if (*s++ == '\0')
			break;
	}
	return set;
bad:
	errno = EINVAL;
	return NULL;
}

int husk_cpu_list_parse(const char *cpus, cpu_set_t **set, size_t *size, struct husk_error *err)
{
	*size = 0;
	*set = parse_cpu_list(cpus, size);
	if (*set)
		return 0;
	if (errno == EINVAL)
		return husk_error_set(err, EINVAL, "invalid cpu list `%s`", cpus);
	return husk_error_errno(err, "cpu list `%s`", cpus);
}

int husk_cpu_set_apply(const cpu_set_t *set, size_t size, struct husk_error *err)
{
	if (sched_setaffinity(0, size, set) < 0)
		return husk_error_errno(err, "sched_setaffinity");
	return 0;
}

int husk_cpu_affinity_apply(const char *cpus, struct husk_error *err)
{
	size_t size = 0;
	cpu_set_t *set;
	int r;

	if (husk_cpu_list_parse(cpus, &set, &size, err) < 0)
		return -1;
	r = sched_setaffinity(0, size, set);
	if (r < 0)
		husk_error_errno(err, "sched_setaffinity to cpus `%s`", cpus);
	CPU_FREE(set);
	return r < 0 ? -1 : 0;
}

/* through husk's procfs handle, not the container's /proc (procfs.c) */
int husk_oom_score_adj_apply(int adj, struct husk_error *err)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", adj);
	cleanup_close int procfd = husk_procfs_open(err);
	cleanup_close int fd = -1;

	if (procfd < 0)
		return husk_error_wrap(err, "set oom_score_adj to %d", adj);
	fd = husk_procfs_open_at(procfd, "self/oom_score_adj", O_WRONLY);
	if (fd < 0)
		return husk_error_errno(err, "open `/proc/self/oom_score_adj`");
	if (write(fd, buf, (size_t)n) != n)
		return husk_error_errno(err, "set oom_score_adj to %d", adj);
	return 0;
}
