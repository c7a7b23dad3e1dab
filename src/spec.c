/* SPDX-License-Identifier: Apache-2.0 */
/* husk spec: write a default config.json into a bundle. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_spec(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		    struct husk_error *err)
{
	const char *bundle = NULL;
	bool rootless = false;
	const struct cli_opt opts[] = {
	    {"bundle", 'b', CLI_OPT_STRING, &bundle, "DIR",
	     "write config.json into DIR (default: the current directory)"},
	    {"rootless", 0, CLI_OPT_BOOL, &rootless, NULL,
	     "make a spec for a rootless container (user namespace, no cgroup limits)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_free char *path = NULL;
	cli_cleanup_free char *text = NULL;
	int nargs;
	int fd;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 0, 0, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (bundle == NULL || bundle[0] == '\0')
		path = strdup("config.json");
	else if (asprintf(&path, "%s/config.json", bundle) < 0)
		path = NULL;
	if (path == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	text = husk_spec_template(rootless);
	if (text == NULL)
		return husk_error_set(err, ENOMEM, "spec: cannot make the default config.json");
	/* Like runc, never overwrite an existing config.json. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0 && errno == EEXIST)
		return husk_error_set(err, EEXIST, "spec: `%s` already exists, remove it first",
				      path);
	if (fd < 0)
		return husk_error_errno(err, "spec: create `%s`", path);
	if (husk_write_all(fd, text, strlen(text)) < 0 ||
	    (text[0] != '\0' && text[strlen(text) - 1] != '\n' &&
	     husk_write_all(fd, "\n", 1) < 0)) {
		husk_error_errno(err, "spec: write `%s`", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) < 0) {
		husk_error_errno(err, "spec: write `%s`", path);
		unlink(path);
		return -1;
	}
	cli_debug(cli, "wrote `%s`", path);
	return 0;
}

const struct cli_command cli_cmd_spec = {
    .name = "spec",
    .args = "",
    .summary = "write a default config.json into a bundle",
    .description = "Write a default config.json into the bundle directory: a starting point to\n"
		   "edit, with runc's defaults.  An existing config.json is never overwritten.",
    .run = cmd_spec,
};
