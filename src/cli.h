/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The husk command line: shared declarations of src/.  The CLI parses flags,
 * calls the public API (husk/husk.h) and formats output, logs and exit codes;
 * it holds no container logic.
 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "husk/error.h"
#include "husk/husk.h"

#define CLI_NAME "husk"

static inline void cli_freep(void *p)
{
	free(*(void **)p);
}
#define cli_cleanup_free __attribute__((cleanup(cli_freep)))

static inline void cli_free_paths(char *(*paths)[3])
{
	free((*paths)[0]);
	free((*paths)[1]);
	free((*paths)[2]);
}
#define cli_cleanup_paths __attribute__((cleanup(cli_free_paths)))

enum cli_log_format {
	CLI_LOG_TEXT,
	CLI_LOG_JSON,
};

/* Global state of one invocation: the parsed global options and the log. */
struct cli {
	struct husk_ctx ctx;
	const char *log_path; /* --log, NULL: none */
	enum cli_log_format log_format;
	int log_fd;	/* -1 when no --log */
	char *root_buf; /* owns ctx.root when --root was relative */
};

/* ---- options (options.c) ---- */

enum cli_opt_type {
	CLI_OPT_BOOL,	/* bool *; also takes =true/=false like Go's flag package */
	CLI_OPT_STRING, /* const char **; `--opt value` or `--opt=value` */
	CLI_OPT_UINT,	/* int *, 0..INT_MAX */
	CLI_OPT_STRV,	/* char ***: repeatable, appends to a malloc'd NULL-terminated array */
};

struct cli_opt {
	const char *name; /* long name, without dashes; NULL ends a table */
	char short_name;  /* 0: none */
	enum cli_opt_type type;
	void *value;
	const char *metavar; /* shown in help for options with a value */
	const char *help;    /* one line */
};

struct cli_command;
typedef int (*cli_command_fn)(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
			      struct husk_error *err);

struct cli_command {
	const char *name;
	const char *args;	 /* positional arguments in the usage line, e.g. "<container-id>" */
	const char *summary;	 /* one line for `husk --help` */
	const char *description; /* paragraph for `husk COMMAND --help` */
	cli_command_fn run;	 /* returns the exit status (>= 0), or -1 with *err */
	bool options_first;	 /* options end at the first argument (exec: the command's own
				    options follow the container id) */
	bool protect_exe;	 /* its children run in the container: re-exec first from a
				    binary the container can't write (CVE-2019-5736) */
};

/* cli_parse() result when --help was given and printed: exit 0. */
#define CLI_HELP 1

/*
 * Parse the options of `cmd` in argv[1..argc-1] (argv[0] is the command name).
 * Options and positional arguments may be interleaved (runc reorders them
 * too); "--" ends the options.  Accepts -name, --name, -name=value and
 * --name=value (Go's flag package, which runc uses, accepts them all).  The
 * positional arguments are moved to argv[0..*nargs-1].  Returns 0, CLI_HELP,
 * or -1 with *err.
 */
int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
	      int min_args, int max_args, int *nargs, struct husk_error *err);

/*
 * Parse one option argv[*i] against `opts`.  `who` prefixes error messages.
 * Sets *help on -h/--help.  Returns 0 (and advances *i past the option and its
 * value) or -1 with *err.
 */
int cli_parse_opt(const char *who, const struct cli_opt *opts, int argc, char **argv, int *i,
		  bool *help, struct husk_error *err);

void cli_print_opts(FILE *f, const struct cli_opt *opts);
void cli_print_command_help(FILE *f, const struct cli_command *cmd, const struct cli_opt *opts);

/*
 * Make a relative path absolute against the cwd (malloc'd into *out).  NULL or
 * "" give NULL: an option given as `--opt=` is treated as not given, like runc.
 */
int cli_abspath(const char *path, char **out, struct husk_error *err);

/* ---- logging and errors (log.c) ---- */

/* Open (creating it, for append) the --log file. */
int cli_log_open(struct cli *cli, struct husk_error *err);
/* Report a fatal error: one record in the log file and the message on stderr. */
void cli_report_error(struct cli *cli, const struct husk_error *err);
/*
 * The library's warnings (ctx.warn, data: the struct cli): "husk: warning:
 * <msg>" on stderr, and a "warning" record in the log file.
 */
void cli_warn(void *data, const char *msg);
/* With --debug: a debug record in the log file (or on stderr without --log). */
void cli_debug(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- commands (one file each) ---- */

extern const struct cli_command cli_cmd_create;
extern const struct cli_command cli_cmd_start;
extern const struct cli_command cli_cmd_run;
extern const struct cli_command cli_cmd_state;
extern const struct cli_command cli_cmd_kill;
extern const struct cli_command cli_cmd_delete;
extern const struct cli_command cli_cmd_list;
extern const struct cli_command cli_cmd_spec;
extern const struct cli_command cli_cmd_features;
extern const struct cli_command cli_cmd_exec;
extern const struct cli_command cli_cmd_pause;
extern const struct cli_command cli_cmd_resume;
extern const struct cli_command cli_cmd_ps;
extern const struct cli_command cli_cmd_update;
extern const struct cli_command cli_cmd_events;
extern const struct cli_command cli_cmd_plan;

/* The options create and run share (o: struct husk_create_opts *). */
#define CLI_CREATE_OPTIONS(o)                                                                       \
	{"bundle",     'b',   CLI_OPT_STRING,                                                       \
	 &(o)->bundle, "DIR", "path to the bundle directory (default: the current directory)"},     \
	    {"console-socket",                                                                      \
	     0,                                                                                     \
	     CLI_OPT_STRING,                                                                        \
	     &(o)->console_socket,                                                                  \
	     "PATH",                                                                                \
	     "unix socket that receives the pty master when process.terminal is true"},             \
	    {"pid-file",     0,	     CLI_OPT_STRING,                                                \
	     &(o)->pid_file, "FILE", "write the container's init pid to FILE"},                     \
	    {"preserve-fds",                                                                        \
	     0,                                                                                     \
	     CLI_OPT_UINT,                                                                          \
	     &(o)->preserve_fds,                                                                    \
	     "N",                                                                                   \
	     "pass N more file descriptors to the container, after stdio and LISTEN_FDS"},          \
	    {"no-pivot",     0,	   CLI_OPT_BOOL,                                                    \
	     &(o)->no_pivot, NULL, "use chroot instead of pivot_root (for a rootfs on a ramdisk)"}, \
	{                                                                                           \
		"no-new-keyring", 0, CLI_OPT_BOOL, &(o)->no_new_keyring, NULL,                      \
		    "do not create a new session keyring for the container"                         \
	}

/*
 * create.c: checks shared by create and run (--systemd-cgroup), and makes the
 * paths in *opts absolute (the strings are owned by *paths[3], to free).
 */
int cli_create_opts_finish(struct cli *cli, struct husk_create_opts *opts, char *paths[3],
			   struct husk_error *err);

#endif
