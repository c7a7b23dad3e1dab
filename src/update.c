/* SPDX-License-Identifier: Apache-2.0 */
/* husk update: change the cgroup resources of a running container. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

struct update_flags {
	const char *resources;
	const char *memory, *memory_reservation, *memory_swap, *kernel_memory_tcp;
	const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_runtime, *cpu_rt_period;
	const char *cpu_idle, *cpu_burst;
	const char *cpuset_cpus, *cpuset_mems;
	const char *pids_limit, *blkio_weight;
};

/* A decimal integer, or (sizes) one with a k/m/g/t/p suffix (powers of 1024, like runc). */
static bool parse_int(const char *s, bool size, bool allow_neg, int64_t *out)
{
	char *end = NULL;
	long long v;
	int shift = 0;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || (v < 0 && !allow_neg))
		return false;
	if (size && *end != '\0' && v >= 0) {
		const char *u = strchr("kmgtp", *end | 0x20);

		if (u == NULL || *u == '\0')
			return false;
		shift = 10 * (int)(u - "kmgtp" + 1);
		end++;
		if ((*end | 0x20) == 'i')
			end++;
		if ((*end | 0x20) == 'b')
			end++;
		if (v > (INT64_MAX >> shift))
			return false;
	}
	if (*end != '\0')
		return false;
	*out = (int64_t)v * ((int64_t)1 << shift);
	return true;
}

/* The options that set a number: the field each sets, how its value reads. */
static const struct num_opt {
	const char *name;
	enum husk_update_field field;
	size_t off; /* in struct update_flags */
	bool size, allow_neg;
} num_opts[] = {
#define N(name, field, member, size, neg)                                                          \
	{                                                                                          \
		name, HUSK_UPDATE_##field, offsetof(struct update_flags, member), size, neg        \
	}
    N("memory", MEMORY_LIMIT, memory, true, true),
    N("memory-reservation", MEMORY_RESERVATION, memory_reservation, true, true),
    N("memory-swap", MEMORY_SWAP, memory_swap, true, true),
    N("kernel-memory-tcp", MEMORY_KERNEL_TCP, kernel_memory_tcp, true, true),
    N("cpu-share", CPU_SHARES, cpu_shares, false, false),
    N("cpu-quota", CPU_QUOTA, cpu_quota, false, true),
    N("cpu-period", CPU_PERIOD, cpu_period, false, false),
    N("cpu-rt-runtime", CPU_RT_RUNTIME, cpu_rt_runtime, false, true),
    N("cpu-rt-period", CPU_RT_PERIOD, cpu_rt_period, false, false),
    N("cpu-idle", CPU_IDLE, cpu_idle, false, false),
    N("cpu-burst", CPU_BURST, cpu_burst, false, false),
    N("pids-limit", PIDS_LIMIT, pids_limit, false, true),
    N("blkio-weight", BLKIO_WEIGHT, blkio_weight, false, false),
#undef N
};

/* The resources the options give (none given: an empty set). */
static int flags_resources(const struct update_flags *u, struct husk_update_resources *res,
			   bool *any, struct husk_error *err)
{
	*any = false;
	for (size_t i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++) {
		const struct num_opt *o = &num_opts[i];
		const char *val = *(const char *const *)((const char *)u + o->off);
		int64_t v = 0;

		if (val == NULL)
			continue;
		if (!parse_int(val, o->size, o->allow_neg, &v))
			return husk_error_set(err, EINVAL,
					      "update: invalid value `%s` for option `--%s`", val,
					      o->name);
		if (husk_update_resources_set(res, o->field, v, NULL, err) < 0)
			return -1;
		*any = true;
	}
	if (u->cpuset_cpus &&
	    husk_update_resources_set(res, HUSK_UPDATE_CPUSET_CPUS, 0, u->cpuset_cpus, err) < 0)
		return -1;
	if (u->cpuset_mems &&
	    husk_update_resources_set(res, HUSK_UPDATE_CPUSET_MEMS, 0, u->cpuset_mems, err) < 0)
		return -1;
	*any = *any || u->cpuset_cpus || u->cpuset_mems;
	return 0;
}

static void resources_freep(struct husk_update_resources **r)
{
	husk_update_resources_free(*r);
}

static int cmd_update(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		      struct husk_error *err)
{
	struct update_flags u = {0};
	const struct cli_opt opts[] = {
	    {"resources", 'r', CLI_OPT_STRING, &u.resources, "FILE",
	     "read a runtime-spec linux.resources JSON object from FILE (- for stdin)"},
	    {"memory", 0, CLI_OPT_STRING, &u.memory, "BYTES",
	     "memory limit (suffixes k, m, g; -1: none)"},
	    {"memory-reservation", 0, CLI_OPT_STRING, &u.memory_reservation, "BYTES",
	     "memory soft limit"},
	    {"memory-swap", 0, CLI_OPT_STRING, &u.memory_swap, "BYTES",
	     "memory plus swap limit (-1: none)"},
	    {"kernel-memory-tcp", 0, CLI_OPT_STRING, &u.kernel_memory_tcp, "BYTES",
	     "kernel TCP buffer limit (cgroup v1 memory.kmem.tcp.limit_in_bytes; "
	     "ignored with a warning where the host has none)"},
	    {"cpu-share", 0, CLI_OPT_STRING, &u.cpu_shares, "N", "CPU shares (relative weight)"},
	    {"cpu-shares", 0, CLI_OPT_STRING, &u.cpu_shares, "N", "the same as --cpu-share"},
	    {"cpu-idle", 0, CLI_OPT_STRING, &u.cpu_idle, "0|1",
	     "1: the cgroup runs at SCHED_IDLE priority (cpu.idle)"},
	    {"cpu-burst", 0, CLI_OPT_STRING, &u.cpu_burst, "USEC",
	     "CPU time that may be borrowed above --cpu-quota, in microseconds"},
	    {"cpu-quota", 0, CLI_OPT_STRING, &u.cpu_quota, "USEC",
	     "CPU time allowed in each --cpu-period (-1: no limit)"},
	    {"cpu-period", 0, CLI_OPT_STRING, &u.cpu_period, "USEC",
	     "CPU period for --cpu-quota, in microseconds"},
	    {"cpu-rt-runtime", 0, CLI_OPT_STRING, &u.cpu_rt_runtime, "USEC",
	     "real-time CPU time allowed in each --cpu-rt-period"},
	    {"cpu-rt-period", 0, CLI_OPT_STRING, &u.cpu_rt_period, "USEC",
	     "real-time CPU period, in microseconds"},
	    {"cpuset-cpus", 0, CLI_OPT_STRING, &u.cpuset_cpus, "LIST", "CPUs to run on (0-3,5)"},
	    {"cpuset-mems", 0, CLI_OPT_STRING, &u.cpuset_mems, "LIST", "memory nodes to use"},
	    {"pids-limit", 0, CLI_OPT_STRING, &u.pids_limit, "N",
	     "maximum number of processes (-1: none)"},
	    {"blkio-weight", 0, CLI_OPT_STRING, &u.blkio_weight, "N",
	     "block IO weight (10 to 1000)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	__attribute__((cleanup(resources_freep))) struct husk_update_resources *res = NULL;
	int nargs;
	bool any;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	res = husk_update_resources_read(NULL, err);
	if (res == NULL || flags_resources(&u, res, &any, err) < 0)
		return -1;
	if (u.resources != NULL) {
		if (any)
			return husk_error_set(
			    err, EINVAL,
			    "update: give either --resources or resource options, "
			    "not both");
		husk_update_resources_free(res);
		res = husk_update_resources_read(u.resources, err);
		if (res == NULL)
			return husk_error_wrap(err, "update");
	}
	cli_debug(cli, "update `%s`", argv[0]);
	return husk_update(&cli->ctx, argv[0], res, err) < 0 ? -1 : 0;
}

const struct cli_command cli_cmd_update = {
    .name = "update",
    .args = "<container-id>",
    .summary = "change the resource limits of a running container",
    .description = "Change the cgroup resource limits of the container <container-id>, from a\n"
		   "runtime-spec linux.resources JSON object (--resources) or from the options.\n"
		   "Fields that are not given are left as they are; zero means unset.",
    .run = cmd_update,
};
