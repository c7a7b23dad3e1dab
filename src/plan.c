/* SPDX-License-Identifier: Apache-2.0 */
/* husk plan: print what create would do, doing nothing. */
#include <errno.h>
#include <string.h>

#include "cli.h"

static int cmd_plan(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		    struct husk_error *err)
{
	const char *bundle = NULL, *format = NULL;
	const struct cli_opt opts[] = {
	    {"bundle", 'b', CLI_OPT_STRING, &bundle, "DIR",
	     "path to the bundle (default: the current directory)"},
	    {"format", 'f', CLI_OPT_STRING, &format, "FORMAT", "text (default) or json"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	struct husk_plan_opts po = {0};
	cli_cleanup_free char *out = NULL;
	size_t len;
	int nargs, r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return husk_error_set(err, EINVAL, "--format: want text or json, not `%s`", format);
	po.bundle = bundle;
	po.json = format && strcmp(format, "json") == 0;
	/* for tests: print the cgroup files of another layout than the host's */
	po.layout = getenv("HUSK_CGROUP_LAYOUT");
	if (husk_plan_show(&cli->ctx, argv[0], &po, &out, err) < 0)
		return -1;
	len = strlen(out);
	fputs(out, stdout);
	if (len == 0 || out[len - 1] != '\n')
		putchar('\n');
	return 0;
}

const struct cli_command cli_cmd_plan = {
    .name = "plan",
    .args = "<container-id>",
    .summary = "print what create would do for a bundle, doing nothing",
    .description =
	"Check the bundle's config.json as create does and print the plan create would\n"
	"carry out: the namespaces to create and join, each mount in order (source,\n"
	"destination, flags, data), the cgroup path and every file it would write with\n"
	"the value, the capability sets, a seccomp summary, the hooks in order, the\n"
	"rlimits, the user and the process.  Exits 1 with create's error for an invalid\n"
	"config.  Makes nothing: no state directory, no cgroup, no process.  The\n"
	"cgroup files follow the host's layout; HUSK_CGROUP_LAYOUT=v1|v2|hybrid picks\n"
	"another (for tests).",
    .run = cmd_plan,
};
