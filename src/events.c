/* SPDX-License-Identifier: Apache-2.0 */
/* husk events: a container's resource usage and OOM events, as runc prints them. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/*
 * Go's time.ParseDuration (runc's --interval): "1s", "500ms", "1m30s",
 * "1.5h"; units ns, us (µs, μs), ms, s, m, h; a bare "0" is 0.
 */
static int parse_duration(const char *s, unsigned long long *out, struct husk_error *err)
{
	static const struct {
		const char *unit;
		unsigned long long ns;
	} units[] = {
	    {"ns", 1ULL},	    {"us", 1000ULL},	     {"\xc2\xb5s", 1000ULL},
	    {"\xce\xbcs", 1000ULL}, {"ms", 1000000ULL},	     {"s", 1000000000ULL},
	    {"m", 60000000000ULL},  {"h", 3600000000000ULL},
	};
	const char *p = s;
	long double total = 0;
	bool neg = false;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*p == '\0')
		goto bad;
	while (*p != '\0') {
		long double v = 0, frac = 0, scale = 1;
		bool digits = false;
		size_t i, len = 0, best = SIZE_MAX;

		for (; *p >= '0' && *p <= '9'; p++, digits = true)
			v = v * 10 + (*p - '0');
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
		if (!digits)
			goto bad;
		/* the longest unit that matches ("ms" before "m") */
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, n) == 0 && n > len) {
				len = n;
				best = i;
			}
		}
		if (best == SIZE_MAX)
			goto bad;
		total += (v + frac / scale) * (long double)units[best].ns;
		p += len;
	}
	if (total > (long double)INT64_MAX)
		goto bad;
	*out = neg ? 0 : (unsigned long long)total;
	if (neg && total > 0)
		return husk_error_set(err, EINVAL,
				      "events: duration interval must be greater than 0");
	return 0;
bad:
	return husk_error_set(err, EINVAL, "events: invalid duration `%s`", s);
}

static int print_line(const char *json, void *data, struct husk_error *err)
{
	(void)data;
	if (puts(json) < 0 || fflush(stdout) != 0)
		return husk_error_errno(err, "write to stdout");
	return 0;
}

static int cmd_events(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		      struct husk_error *err)
{
	const char *interval = "5s";
	bool stats = false;
	const struct cli_opt opts[] = {
	    {"interval", 0, CLI_OPT_STRING, &interval, "DURATION",
	     "time between stats lines, Go syntax (default: 5s; 1s, 500ms, 1m30s)"},
	    {"stats", 0, CLI_OPT_BOOL, &stats, NULL, "print the container's stats once and exit"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	unsigned long long ns;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (parse_duration(interval, &ns, err) < 0)
		return -1;
	if (ns == 0)
		return husk_error_set(err, EINVAL,
				      "events: duration interval must be greater than 0");
	if (stats) {
		cli_cleanup_free char *json = NULL;

		if (husk_events_stats(&cli->ctx, argv[0], &json, err) < 0)
			return -1;
		return print_line(json, NULL, err);
	}
	return husk_events_watch(&cli->ctx, argv[0], ns, print_line, NULL, err);
}

const struct cli_command cli_cmd_events = {
    .name = "events",
    .args = "<container-id>",
    .summary = "display container events and resource usage",
    .description =
	"Print the resource usage of the container <container-id> (its cgroup's\n"
	"counters) as JSON lines in runc's format: {\"type\":\"stats\",\"id\":...,\"data\":{...}}\n"
	"every --interval, and {\"type\":\"oom\",\"id\":...} whenever the container's memory\n"
	"cgroup runs out of memory, until the container stops.  With --stats, print one\n"
	"stats line and exit.",
    .run = cmd_events,
};
