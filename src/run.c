/* SPDX-License-Identifier: Apache-2.0 */
/* husk run: create + start; waits for the container and exits with its status. */
#include "cli.h"

static int cmd_run(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		   struct husk_error *err)
{
	struct husk_create_opts o = {0};
	const struct cli_opt opts[] = {
	    CLI_CREATE_OPTIONS(&o),
	    {"detach", 'd', CLI_OPT_BOOL, &o.detach, NULL,
	     "do not wait for the container: exit once it has started (a terminal then "
	     "needs --console-socket)"},
	    {"keep", 0, CLI_OPT_BOOL, &o.keep, NULL, "do not delete the container after it exits"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_paths char *paths[3] = {NULL, NULL, NULL};
	int status = 0;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (cli_create_opts_finish(cli, &o, paths, err) < 0)
		return -1;
	cli_debug(cli, "run `%s` from bundle `%s`%s", argv[0], o.bundle ? o.bundle : ".",
		  o.detach ? " detached" : "");
	if (husk_run(&cli->ctx, argv[0], &o, &status, err) < 0)
		return -1;
	if (o.detach)
		return 0;
	cli_debug(cli, "container `%s` exited with status %d", argv[0], status);
	return status & 0xff;
}

const struct cli_command cli_cmd_run = {
    .name = "run",
    .args = "<container-id>",
    .summary = "create and start a container, and wait for it",
    .description =
	"Create the container <container-id> from the bundle and start it.  Unless\n"
	"--detach is given, wait for its process to exit, delete the container (unless\n"
	"--keep) and exit with the process's exit status (128+N when killed by signal N).\n"
	"\n"
	"With NOTIFY_SOCKET set (systemd's Type=notify), the container gets its own\n"
	"socket at /run/notify/notify.sock (NOTIFY_SOCKET set so in its env) and husk\n"
	"relays its READY=1 to the caller's socket with MAINPID; --detach returns only\n"
	"once READY=1 came or the container's process exited.",
    .run = cmd_run,
    .protect_exe = true,
};
