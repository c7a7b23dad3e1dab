/* SPDX-License-Identifier: Apache-2.0 */
/* husk exec: run a new process in a running container. */
#include <errno.h>

#include "cli.h"

struct exec_lists {
	char **env;
	char **gids;
	char **caps;
	char **cgroups;
};

static void free_lists(struct exec_lists *l)
{
	free(l->env);
	free(l->gids);
	free(l->caps);
	free(l->cgroups);
}

/* 255: exec itself failed (runc's status for it) */
#define EXEC_FAILED 255

static int exec_run(struct cli *cli, const struct cli_command *cmd, struct husk_exec_opts *o,
		    struct exec_lists *l, int nargs, char **argv, int *status,
		    struct husk_error *err)
{
	cli_cleanup_paths char *paths[3] = {NULL, NULL, NULL};

	if (o->process_file == NULL && nargs < 2)
		return husk_error_set(err, EINVAL, "exec: missing command (usage: %s exec %s)",
				      CLI_NAME, cmd->args);
	if (cli_abspath(o->process_file, &paths[0], err) < 0 ||
	    cli_abspath(o->pid_file, &paths[1], err) < 0 ||
	    cli_abspath(o->console_socket, &paths[2], err) < 0)
		return -1;
	o->process_file = paths[0];
	o->pid_file = paths[1];
	o->console_socket = paths[2];
	o->env = l->env;
	o->additional_gids = l->gids;
	o->caps = l->caps;
	o->sub_cgroups = l->cgroups;
	argv[nargs] = NULL;
	o->args = nargs > 1 ? argv + 1 : NULL;
	cli_debug(cli, "exec in `%s`: %s%s", argv[0],
		  o->process_file != NULL ? o->process_file : argv[1],
		  o->detach ? " (detached)" : "");
	return husk_exec(&cli->ctx, argv[0], o, status, err);
}

static int cmd_exec(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		    struct husk_error *err)
{
	struct husk_exec_opts o = {0};
	__attribute__((cleanup(free_lists))) struct exec_lists l = {NULL, NULL, NULL, NULL};
	const struct cli_opt opts[] = {
	    {"process", 'p', CLI_OPT_STRING, &o.process_file, "FILE",
	     "read the process (runtime-spec process object) from FILE"},
	    {"tty", 't', CLI_OPT_BOOL, &o.tty, NULL, "give the process a pseudo-terminal"},
	    {"console-socket", 0, CLI_OPT_STRING, &o.console_socket, "PATH",
	     "unix socket that receives the pty master (with --tty)"},
	    {"detach", 'd', CLI_OPT_BOOL, &o.detach, NULL,
	     "do not wait for the process: exit once it has started"},
	    {"pid-file", 0, CLI_OPT_STRING, &o.pid_file, "FILE", "write the process's pid to FILE"},
	    {"cwd", 0, CLI_OPT_STRING, &o.cwd, "DIR", "working directory of the process"},
	    {"env", 'e', CLI_OPT_STRV, &l.env, "KEY=VALUE",
	     "set an environment variable (repeatable)"},
	    {"user", 'u', CLI_OPT_STRING, &o.user, "UID[:GID]",
	     "run as this numeric user and group"},
	    {"additional-gids", 'g', CLI_OPT_STRV, &l.gids, "GID",
	     "an additional group of the process (repeatable)"},
	    {"cap", 'c', CLI_OPT_STRV, &l.caps, "CAP",
	     "add a capability, e.g. CAP_NET_ADMIN (repeatable)"},
	    {"no-new-privs", 0, CLI_OPT_BOOL, &o.no_new_privs, NULL,
	     "set no_new_privs for the process"},
	    {"apparmor", 0, CLI_OPT_STRING, &o.apparmor, "PROFILE",
	     "AppArmor profile of the process"},
	    {"process-label", 0, CLI_OPT_STRING, &o.process_label, "LABEL",
	     "SELinux label of the process"},
	    {"preserve-fds", 0, CLI_OPT_UINT, &o.preserve_fds, "N",
	     "pass N more file descriptors to the process, after stdio"},
	    {"ignore-paused", 0, CLI_OPT_BOOL, &o.ignore_paused, NULL,
	     "run the process even if the container is paused"},
	    {"cgroup", 0, CLI_OPT_STRV, &l.cgroups, "[CTRL,...:]PATH",
	     "run in the existing sub-cgroup PATH of the container's (repeatable)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	int status = 0;
	int nargs;
	int r;

	/* a usage error (unknown option, no container id) exits 1, as runc's does */
	r = cli_parse(cmd, opts, argc, argv, 1, argc, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	r = exec_run(cli, cmd, &o, &l, nargs, argv, &status, err);
	if (r == 0)
		return o.detach ? 0 : status & 0xff;
	/*
	 * Every failure on the runtime's side exits 255, as runc's exec does,
	 * so that a caller tells it from the process's own status; but a
	 * command that is not found (127) or not runnable (126) gets the
	 * shell's codes, which podman and docker map the same way.
	 */
	cli_report_error(cli, err);
	husk_error_clear(err);
	return status == 126 || status == 127 ? status : EXEC_FAILED;
}

const struct cli_command cli_cmd_exec = {
    .name = "exec",
    .args = "<container-id> <command> [argument...]",
    .summary = "run a new process in a running container",
    .description =
	"Run <command> with its arguments, or the process described by --process, in the\n"
	"running container <container-id>.  The process gets the container's\n"
	"namespaces, cgroup, root, environment and security settings, changed by the\n"
	"options.  Options must come before <container-id>: what follows it is the\n"
	"command.  Unless --detach is given, wait for the process and exit with its\n"
	"exit status (128+N when killed by signal N).  When exec itself fails (no such\n"
	"container, stopped or paused container, bad option value, unwritable\n"
	"--pid-file, missing --cwd, refused --cgroup...) the status is 255, as with\n"
	"runc; 127 when the command is not found, 126 when it cannot be run.\n"
	"Capabilities that are unknown or that the kernel lacks (in the container's\n"
	"config, process.json or --cap) are skipped with a warning.",
    .run = cmd_exec,
    .options_first = true,
    .protect_exe = true,
};
