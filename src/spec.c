/* SPDX-License-Identifier: Apache-2.0 */
/* husk spec: write a default config.json into a bundle. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * The cgroup namespace only on a pure cgroup v2 host, as runc's spec does;
 * HUSK_CGROUP_LAYOUT=v1|v2|hybrid stands for the host's layout (as for `husk
 * plan`), so that tests can ask for another host's answer.
 */
static int spec_cgroupns(bool *cgroupns, struct husk_error *err)
{
	const char *layout = getenv("HUSK_CGROUP_LAYOUT");

	if (layout == NULL || layout[0] == '\0') {
		*cgroupns = husk_cgroup_host_unified();
		return 0;
	}
	if (strcmp(layout, "v1") != 0 && strcmp(layout, "v2") != 0 && strcmp(layout, "hybrid") != 0)
		return husk_error_set(err, EINVAL,
				      "spec: HUSK_CGROUP_LAYOUT: unknown layout `%s` (expected v1, "
				      "v2 or hybrid)",
				      layout);
	*cgroupns = strcmp(layout, "v2") == 0;
	return 0;
}

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
	bool cgroupns = false;
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
	if (spec_cgroupns(&cgroupns, err) < 0)
		return -1;
	text = husk_spec_template(rootless, cgroupns);
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
		   "edit, with runc's defaults.  An existing config.json is never overwritten.\n"
		   "Like runc, the cgroup namespace is in it only on a pure cgroup v2 host\n"
		   "(HUSK_CGROUP_LAYOUT=v1|v2|hybrid stands for the host's layout).",
    .run = cmd_spec,
};
