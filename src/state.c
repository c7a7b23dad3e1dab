/* SPDX-License-Identifier: Apache-2.0 */
/* husk state: print the state of a container as JSON. */
#include <string.h>

#include "cli.h"

static int cmd_state(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		     struct husk_error *err)
{
	const struct cli_opt opts[] = {
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_free char *json = NULL;
	size_t len;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 1, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (husk_state_json(&cli->ctx, argv[0], &json, err) < 0)
		return -1;
	len = json != NULL ? strlen(json) : 0;
	fputs(json != NULL ? json : "", stdout);
	if (len == 0 || json[len - 1] != '\n')
		putchar('\n');
	return 0;
}

const struct cli_command cli_cmd_state = {
    .name = "state",
    .args = "<container-id>",
    .summary = "print the state of a container as JSON",
    .description = "Print the state of the container <container-id> as JSON: the runtime-spec's\n"
		   "state (ociVersion, id, status, pid, bundle, annotations) plus runc's rootfs,\n"
		   "created and owner.  status is one of creating, created, running, paused or\n"
		   "stopped; pid is 0 once the container has stopped.",
    .run = cmd_state,
};
