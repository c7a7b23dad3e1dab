/* SPDX-License-Identifier: Apache-2.0 */
/* husk create: set up a container from a bundle; its process waits for `husk start`. */
#include <errno.h>

#include "cli.h"

int cli_create_opts_finish(struct cli *cli, struct husk_create_opts *opts, char *paths[3],
			   struct husk_error *err)
{
	/*
	 * runc makes --pid-file absolute against the caller's cwd; do the same
	 * for every path so the library may change directory freely.
	 */
	if (cli_abspath(opts->bundle, &paths[0], err) < 0 ||
	    cli_abspath(opts->pid_file, &paths[1], err) < 0 ||
	    cli_abspath(opts->console_socket, &paths[2], err) < 0)
		return -1;
	opts->bundle = paths[0];
	opts->pid_file = paths[1];
	opts->console_socket = paths[2];
	return 0;
}

static int cmd_create(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		      struct husk_error *err)
{
	struct husk_create_opts o = {0};
	const struct cli_opt opts[] = {
	    CLI_CREATE_OPTIONS(&o),
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_paths char *paths[3] = {NULL, NULL, NULL};
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (cli_create_opts_finish(cli, &o, paths, err) < 0)
		return -1;
	cli_debug(cli, "create `%s` from bundle `%s`", argv[0], o.bundle ? o.bundle : ".");
	if (husk_create(&cli->ctx, argv[0], &o, err) < 0)
		return -1;
	return 0;
}

const struct cli_command cli_cmd_create = {
    .name = "create",
    .args = "<container-id>",
    .summary = "create a container",
    .description = "Create a container named <container-id> from the bundle (a directory holding\n"
		   "config.json and the root filesystem).  The container's process is set up and\n"
		   "waits; `husk start` makes it run the program in config.json's process.args.\n"
		   "\n"
		   "With NOTIFY_SOCKET set (systemd's Type=notify), the container gets a socket\n"
		   "of husk's own at /run/notify/notify.sock (NOTIFY_SOCKET set so in its env);\n"
		   "`husk start` relays its READY=1.",
    .run = cmd_create,
    .protect_exe = true,
};
