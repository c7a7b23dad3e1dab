/* SPDX-License-Identifier: Apache-2.0 */
/* husk update: change the cgroup resources of a running container. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

struct update_flags {
	const char *resources;
	const char *memory, *memory_reservation, *memory_swap;
	const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_runtime, *cpu_rt_period;
	const char *cpu_idle, *cpu_burst;
	const char *cpuset_cpus, *cpuset_mems;
	const char *pids_limit, *blkio_weight;
};

static int read_all(int fd, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t r;

	if (f == NULL)
		return -1;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			fclose(f);
			free(buf);
			errno = saved;
			return -1;
		}
		fwrite(chunk, 1, (size_t)r, f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

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

/* Append `"key":value` to the object being built, with a comma when needed. */
static int add_num(FILE *f, bool *first, const char *key, const char *name, const char *val,
		   bool size, bool allow_neg, struct husk_error *err)
{
	int64_t v = 0;

	if (val == NULL)
		return 0;
	if (!parse_int(val, size, allow_neg, &v))
		return husk_error_set(err, EINVAL, "update: invalid value `%s` for option `--%s`",
				      val, name);
	fprintf(f, "%s\"%s\":%" PRId64, *first ? "" : ",", key, v);
	*first = false;
	return 0;
}

static void add_str(FILE *f, bool *first, const char *key, const char *val)
{
	if (val == NULL)
		return;
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	cli_json_string(f, val);
	*first = false;
}

/* The LinuxResources JSON for the individual flags. */
static int flags_json(const struct update_flags *u, char **out, struct husk_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool any = false, first;
	int r = 0;

	if (f == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	fputc('{', f);
	if (u->memory || u->memory_reservation || u->memory_swap) {
		first = true;
		fputs("\"memory\":{", f);
		r |= add_num(f, &first, "limit", "memory", u->memory, true, true, err);
		r |= add_num(f, &first, "reservation", "memory-reservation", u->memory_reservation,
			     true, true, err);
		r |= add_num(f, &first, "swap", "memory-swap", u->memory_swap, true, true, err);
		fputc('}', f);
		any = true;
	}
	if (u->cpu_shares || u->cpu_quota || u->cpu_period || u->cpu_rt_runtime ||
	    u->cpu_rt_period || u->cpuset_cpus || u->cpuset_mems || u->cpu_idle || u->cpu_burst) {
		first = true;
		fprintf(f, "%s\"cpu\":{", any ? "," : "");
		r |= add_num(f, &first, "shares", "cpu-share", u->cpu_shares, false, false, err);
		r |= add_num(f, &first, "quota", "cpu-quota", u->cpu_quota, false, true, err);
		r |= add_num(f, &first, "period", "cpu-period", u->cpu_period, false, false, err);
		r |= add_num(f, &first, "realtimeRuntime", "cpu-rt-runtime", u->cpu_rt_runtime,
			     false, true, err);
		r |= add_num(f, &first, "realtimePeriod", "cpu-rt-period", u->cpu_rt_period, false,
			     false, err);
		r |= add_num(f, &first, "idle", "cpu-idle", u->cpu_idle, false, false, err);
		r |= add_num(f, &first, "burst", "cpu-burst", u->cpu_burst, false, false, err);
		add_str(f, &first, "cpus", u->cpuset_cpus);
		add_str(f, &first, "mems", u->cpuset_mems);
		fputc('}', f);
		any = true;
	}
	if (u->pids_limit) {
		first = true;
		fprintf(f, "%s\"pids\":{", any ? "," : "");
		r |= add_num(f, &first, "limit", "pids-limit", u->pids_limit, false, true, err);
		fputc('}', f);
		any = true;
	}
	if (u->blkio_weight) {
		first = true;
		fprintf(f, "%s\"blockIO\":{", any ? "," : "");
		r |= add_num(f, &first, "weight", "blkio-weight", u->blkio_weight, false, false,
			     err);
		fputc('}', f);
	}
	fputc('}', f);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	if (r != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
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
	cli_cleanup_free char *json = NULL;
	const char *source;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (flags_json(&u, &json, err) < 0)
		return -1;
	if (u.resources != NULL) {
		int fd = STDIN_FILENO;

		if (strcmp(json, "{}") != 0)
			return husk_error_set(
			    err, EINVAL,
			    "update: give either --resources or resource options, "
			    "not both");
		free(json);
		json = NULL;
		source = strcmp(u.resources, "-") == 0 ? "stdin" : u.resources;
		if (strcmp(u.resources, "-") != 0) {
			fd = open(u.resources, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return husk_error_errno(err, "update: open `%s`", u.resources);
		}
		r = read_all(fd, &json);
		if (r < 0)
			husk_error_errno(err, "update: read `%s`", source);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r < 0)
			return -1;
	} else {
		source = "update options";
	}
	cli_debug(cli, "update `%s` with %s", argv[0], json);
	return husk_update(&cli->ctx, argv[0], json, source, err) < 0 ? -1 : 0;
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
