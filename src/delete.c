/* SPDX-License-Identifier: Apache-2.0 */
/* husk delete: remove a stopped or created container (or, with --force, any). */
#include "cli.h"

static int cmd_delete(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		      struct husk_error *err)
{
	bool force = false;
	const struct cli_opt opts[] = {
	    {"force", 'f', CLI_OPT_BOOL, &force, NULL,
	     "kill the container if it is running; succeed if it does not exist"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	return husk_delete(&cli->ctx, argv[0], force, err) < 0 ? -1 : 0;
}

const struct cli_command cli_cmd_delete = {
    .name = "delete",
    .args = "<container-id>",
    .summary = "delete a container and the resources it holds",
    .description =
	"Delete the container <container-id>: remove its cgroup and state and run its\n"
	"poststop hooks.  A running or paused container is refused unless --force is\n"
	"given, which kills it first.  A created container (not started yet) is deleted\n"
	"without --force, its waiting process killed: unlike the runtime-spec (which\n"
	"refuses any container that is not stopped) but like runc and crun, because\n"
	"containerd's shim and Podman delete a created container after a failed start.",
    .run = cmd_delete,
};
