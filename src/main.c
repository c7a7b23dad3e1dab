/* SPDX-License-Identifier: Apache-2.0 */
/*
 * husk: the command line, runc's shape.
 *
 *   husk [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGUMENTS]
 *
 * This is on the start path of every container (conmon and containerd's shim
 * exec it for create, start, kill and delete), so main does nothing before
 * dispatch that the command does not need: no locale, no config files, no
 * probing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_create,
    &cli_cmd_start,
    &cli_cmd_run,
    &cli_cmd_exec,
    &cli_cmd_state,
    &cli_cmd_kill,
    &cli_cmd_delete,
    &cli_cmd_pause,
    &cli_cmd_resume,
    &cli_cmd_ps,
    &cli_cmd_update,
    &cli_cmd_list,
    &cli_cmd_spec,
    &cli_cmd_features,
    &cli_cmd_events,
    &cli_cmd_plan,
    NULL,
};

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

struct globals {
	const char *root;
	const char *log;
	const char *log_format;
	bool debug;
	bool systemd_cgroup;
	const char *rootless;
	bool version;
	bool help;
};

#define GLOBAL_OPTS(g)                                                                               \
	{                                                                                            \
		{"root",                                                                             \
		 0,                                                                                  \
		 CLI_OPT_STRING,                                                                     \
		 &(g)->root,                                                                         \
		 "DIR", /* "(default: X)" as runc has it: scripts and tests read it */               \
		 "directory for container state (default: " HUSK_DEFAULT_ROOT                        \
		 "); rootless: $XDG_RUNTIME_DIR/husk"},                                              \
		    {"log",	     0,                                                              \
		     CLI_OPT_STRING, &(g)->log,                                                      \
		     "FILE",	     "append error and debug records to FILE (created at startup)"}, \
		    {"log-format",   0,                                                              \
		     CLI_OPT_STRING, &(g)->log_format,                                               \
		     "FORMAT",	     "format of the --log records: text (default) or json"},         \
		    {"debug", 0, CLI_OPT_BOOL, &(g)->debug, NULL, "write debug records to the log"}, \
		    {"systemd-cgroup",                                                               \
		     0,                                                                              \
		     CLI_OPT_BOOL,                                                                   \
		     &(g)->systemd_cgroup,                                                           \
		     NULL,                                                                           \
		     "make the cgroup a systemd scope (cgroupsPath slice:prefix:name)"},             \
		    {"rootless",                                                                     \
		     0,                                                                              \
		     CLI_OPT_STRING,                                                                 \
		     &(g)->rootless,                                                                 \
		     "MODE",                                                                         \
		     "rootless cgroups: auto (default), true or false (see husk(8))"},               \
		    {"version",	    'v',  CLI_OPT_BOOL,                                              \
		     &(g)->version, NULL, "print the version and build features and exit"},          \
		    {"help", 'h', CLI_OPT_BOOL, &(g)->help, NULL, "show this help and exit"},        \
		    {NULL, 0, 0, NULL, NULL, NULL},                                                  \
	}

static void print_help(FILE *f)
{
	struct globals g;
	const struct cli_opt opts[] = GLOBAL_OPTS(&g);
	size_t i;

	fprintf(f, "Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGUMENTS]\n\n", CLI_NAME);
	fprintf(f,
		"husk is an OCI container runtime (runtime-spec %s) with runc's command line.\n\n",
		husk_spec_version());
	fprintf(f, "Commands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-12s%s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-12s%s\n", "help", "show the help of husk or of a command");
	fprintf(f, "\nGlobal options:\n");
	cli_print_opts(f, opts);
	fprintf(f, "\nRun `%s COMMAND --help` for the options of a command.\n", CLI_NAME);
}

static void print_version(void)
{
	const char *const *feat = husk_build_features();
	const char *v = husk_version();
	const char *c = husk_commit();
	const char *s = husk_spec_version();
	size_t i;

	printf("%s version %s\ncommit: %s\nspec: %s\n", CLI_NAME, v ? v : HUSK_VERSION,
	       c ? c : HUSK_COMMIT, s ? s : "unknown");
	/* Entries are names ("seccomp") or already marked ("+SECCOMP", "-SELINUX"). */
	for (i = 0; feat != NULL && feat[i] != NULL; i++) {
		const char *p = feat[i];

		if (i > 0)
			putchar(' ');
		if (*p != '+' && *p != '-')
			putchar('+');
		for (; *p != '\0'; p++)
			putchar(toupper((unsigned char)*p));
	}
	if (i > 0)
		putchar('\n');
}

/* `husk help [COMMAND]` */
static int help_command(struct cli *cli, int argc, char **argv, struct husk_error *err)
{
	const struct cli_command *cmd;
	char help_flag[] = "--help";
	char *av[3];

	/* `husk help help` and `husk help --help`: the help of husk itself (runc's too) */
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		print_help(stdout);
		return 0;
	}
	if (argc > 2)
		return husk_error_set(err, EINVAL, "help: unexpected argument `%s`", argv[2]);
	cmd = find_command(argv[1]);
	if (cmd == NULL)
		return husk_error_set(err, EINVAL, "help: unknown command `%s`", argv[1]);
	av[0] = argv[1];
	av[1] = help_flag;
	av[2] = NULL;
	return cmd->run(cli, cmd, 2, av, err);
}

/* Where the log goes is applied even when a later option fails, so the error lands in it. */
static int apply_log_opts(struct cli *cli, const struct globals *g, struct husk_error *err)
{
	cli->log_path = g->log;
	if (g->log_format == NULL || strcmp(g->log_format, "text") == 0)
		return 0;
	if (strcmp(g->log_format, "json") == 0) {
		cli->log_format = CLI_LOG_JSON;
		return 0;
	}
	return husk_error_set(err, EINVAL,
			      "global options: unknown log format `%s` (expected text or json)",
			      g->log_format);
}

/* runc's --rootless: true, false or auto (its parseBoolOrAuto also takes Go's bool words) */
static int parse_rootless(const char *v, enum husk_rootless_mode *out, struct husk_error *err)
{
	static const char *const yes[] = {"true", "1", "t", "T", "TRUE", "True"};
	static const char *const no[] = {"false", "0", "f", "F", "FALSE", "False"};
	size_t i;

	*out = HUSK_ROOTLESS_AUTO;
	if (v == NULL || strcmp(v, "auto") == 0)
		return 0;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = HUSK_ROOTLESS_TRUE;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = HUSK_ROOTLESS_FALSE;
			return 0;
		}
	}
	return husk_error_set(
	    err, EINVAL, "global options: `--rootless`: invalid value `%s` (true, false or auto)",
	    v);
}

/*
 * No --root: $XDG_RUNTIME_DIR/husk where runc uses $XDG_RUNTIME_DIR/runc
 * (husk_rootless_xdg_root).  Made 0700 with the sticky bit, as runc does:
 * the XDG base directory spec prunes what lacks it after six hours.
 */
static int xdg_root(struct cli *cli, struct husk_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (!husk_rootless_xdg_root())
		return 0;
	if (asprintf(&cli->root_buf, "%s/husk", xdg) < 0)
		return husk_error_errno(err, "global options: state root");
	cli->ctx.root = cli->root_buf;
	if (mkdir(cli->root_buf, 0700) < 0 && errno != EEXIST)
		return husk_error_errno(err, "create state root `%s`", cli->root_buf);
	if (chmod(cli->root_buf, 0700 | S_ISVTX) < 0)
		return husk_error_errno(err, "chmod state root `%s`", cli->root_buf);
	return 0;
}

static int parse_globals(struct cli *cli, int argc, char **argv, int *i, bool *done,
			 struct husk_error *err)
{
	struct globals g = {0};
	const struct cli_opt opts[] = GLOBAL_OPTS(&g);
	bool help = false;

	while (*i < argc && argv[*i][0] == '-' && argv[*i][1] != '\0') {
		if (strcmp(argv[*i], "--") == 0) {
			(*i)++;
			break;
		}
		if (cli_parse_opt("global options", opts, argc, argv, i, &help, err) < 0) {
			apply_log_opts(cli, &g, NULL);
			return -1;
		}
		if (help || g.help) {
			print_help(stdout);
			*done = true;
			return 0;
		}
		if (g.version) {
			print_version();
			*done = true;
			return 0;
		}
	}
	if (apply_log_opts(cli, &g, err) < 0)
		return -1;
	if (g.root != NULL) {
		if (g.root[0] == '\0')
			return husk_error_set(err, EINVAL,
					      "global options: `--root` must not be empty");
		/* runc makes the root absolute too */
		if (g.root[0] != '/') {
			if (cli_abspath(g.root, &cli->root_buf, err) < 0)
				return -1;
			cli->ctx.root = cli->root_buf;
		} else {
			cli->ctx.root = g.root;
		}
	}
	cli->ctx.debug = g.debug;
	cli->ctx.systemd_cgroup = g.systemd_cgroup;
	if (parse_rootless(g.rootless, &cli->ctx.rootless, err) < 0)
		return -1;
	return g.root == NULL ? xdg_root(cli, err) : 0;
}

static void debug_argv(struct cli *cli, int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	if (!cli->ctx.debug)
		return;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return;
	for (i = 0; i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	if (fclose(f) == 0)
		cli_debug(cli, "%s %s (commit %s) invoked as: %s", CLI_NAME, HUSK_VERSION,
			  HUSK_COMMIT, buf);
	free(buf);
}

static int finish(struct cli *cli, int status, struct husk_error *err)
{
	if (status >= 0 && fflush(stdout) != 0)
		status = husk_error_errno(err, "write to stdout");
	if (status < 0) {
		cli_report_error(cli, err);
		status = 1;
	}
	husk_error_clear(err);
	free(cli->root_buf);
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = {
	    .ctx = {.root = HUSK_DEFAULT_ROOT, .warn = cli_warn, .warn_data = &cli},
	    .log_format = CLI_LOG_TEXT,
	    .log_fd = -1,
	};
	struct husk_error err = {0};
	const struct cli_command *cmd;
	bool done = false;
	int i = 1;
	int r;

	cli.ctx.notify_socket = getenv("NOTIFY_SOCKET");
	if (cli.ctx.notify_socket != NULL && cli.ctx.notify_socket[0] == '\0')
		cli.ctx.notify_socket = NULL;
	r = parse_globals(&cli, argc, argv, &i, &done, &err);
	/* Open the log even when the options failed, so that the error lands in it. */
	if (cli_log_open(&cli, &err) < 0 || r < 0 || done)
		return finish(&cli, r < 0 || err.msg != NULL ? -1 : 0, &err);
	cmd = i < argc ? find_command(argv[i]) : NULL;
	/*
	 * CVE-2019-5736: the commands whose forked children become container
	 * processes re-exec once from a binary the container can't write (see
	 * libcontainer/selfexe.c); after the log is open, so a refusal lands in
	 * it, and before anything else is done twice.  The others (state, kill,
	 * start, delete...) put no process of ours into a container: no cost.
	 */
	if (cmd != NULL && cmd->protect_exe && husk_selfexe_protect(argv, &err) < 0)
		return finish(&cli, -1, &err);
	debug_argv(&cli, argc, argv);

	if (i >= argc) {
		print_help(stdout);
		return finish(&cli, 0, &err);
	}
	if (strcmp(argv[i], "help") == 0)
		return finish(&cli, help_command(&cli, argc - i, argv + i, &err), &err);
	if (cmd == NULL) {
		husk_error_set(&err, EINVAL, "unknown command `%s` (see `%s --help`)", argv[i],
			       CLI_NAME);
		return finish(&cli, -1, &err);
	}
	r = cmd->run(&cli, cmd, argc - i, argv + i, &err);
	if (r < 0 && err.msg == NULL)
		husk_error_set(&err, 0, "%s failed", cmd->name);
	return finish(&cli, r, &err);
}
