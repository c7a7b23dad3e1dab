/* SPDX-License-Identifier: Apache-2.0 */
/* husk features: what this build supports, as the runtime-spec's features JSON. */
#include <errno.h>
#include <string.h>

#include "cli.h"

static int cmd_features(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
			struct husk_error *err)
{
	const struct cli_opt opts[] = {
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_free char *json = NULL;
	size_t len;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 0, 0, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	json = husk_features_json();
	if (json == NULL)
		return husk_error_set(err, ENOMEM, "features: cannot make the features document");
	len = strlen(json);
	fputs(json, stdout);
	if (len == 0 || json[len - 1] != '\n')
		putchar('\n');
	return 0;
}

const struct cli_command cli_cmd_features = {
    .name = "features",
    .args = "",
    .summary = "print the features this build of husk supports, as JSON",
    .description = "Print the runtime-spec's features document (features.md): the spec versions,\n"
		   "hooks, mount options, namespaces, capabilities, cgroup, seccomp, AppArmor and\n"
		   "SELinux support of this build of husk, and its annotations.",
    .run = cmd_features,
};
