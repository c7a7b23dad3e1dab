/* SPDX-License-Identifier: Apache-2.0 */
/* husk pause and husk resume: freeze and thaw every process of a container. */
#include "cli.h"

static int cmd_pause(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		     struct husk_error *err)
{
	const struct cli_opt opts[] = {
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (cmd == &cli_cmd_pause)
		r = husk_pause(&cli->ctx, argv[0], err);
	else
		r = husk_resume(&cli->ctx, argv[0], err);
	return r < 0 ? -1 : 0;
}

const struct cli_command cli_cmd_pause = {
    .name = "pause",
    .args = "<container-id>",
    .summary = "suspend every process of a container",
    .description = "Suspend every process of the container <container-id> with the cgroup\n"
		   "freezer.  The container becomes paused until `husk resume`.",
    .run = cmd_pause,
};

const struct cli_command cli_cmd_resume = {
    .name = "resume",
    .args = "<container-id>",
    .summary = "resume a paused container",
    .description = "Resume every process of the paused container <container-id>.",
    .run = cmd_pause,
};
