/* SPDX-License-Identifier: Apache-2.0 */
/* husk start: run the user's program in a created container. */
#include "cli.h"

static int cmd_start(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
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
	return husk_start(&cli->ctx, argv[0], err) < 0 ? -1 : 0;
}

const struct cli_command cli_cmd_start = {
    .name = "start",
    .args = "<container-id>",
    .summary = "start a created container",
    .description =
	"Start the container <container-id>, made by `husk create`: its process runs\n"
	"the program in config.json's process.args.\n"
	"\n"
	"With NOTIFY_SOCKET set (systemd's Type=notify) and the container created with\n"
	"it, wait until the container sends READY=1 (or its process exits) and relay it\n"
	"to the caller's socket with MAINPID set to the container's process.",
    .run = cmd_start,
};
