/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Option parsing for the husk CLI, in the shape runc's (Go flag package via
 * urfave/cli) accepts: -name and --name alike, values as `--name value` or
 * `--name=value`, booleans as `--name` or `--name=true|false`.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
	for (; opts->name != NULL; opts++) {
		if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
			return opts;
		if (len == 1 && opts->short_name != 0 && opts->short_name == name[0])
			return opts;
	}
	return NULL;
}

/* Go's strconv.ParseBool, which the flag package uses for -name=value. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
	size_t k;

	for (k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
		if (strcmp(s, yes[k]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[k]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_uint(const char *s, int *out)
{
	char *end = NULL;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static int strv_append(char ***v, const char *value, struct husk_error *err)
{
	size_t n = 0;
	char **r;

	while (*v != NULL && (*v)[n] != NULL)
		n++;
	r = realloc(*v, (n + 2) * sizeof(*r));
	if (r == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	r[n] = (char *)value;
	r[n + 1] = NULL;
	*v = r;
	return 0;
}

int cli_parse_opt(const char *who, const struct cli_opt *opts, int argc, char **argv, int *i,
		  bool *help, struct husk_error *err)
{
	const char *arg = argv[*i];
	const char *name = arg + 1;
	const char *eq;
	const char *value = NULL;
	const struct cli_opt *o;
	size_t len;

	if (*name == '-')
		name++;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if (eq != NULL)
		value = eq + 1;
	o = find_opt(opts, name, len);
	if (o == NULL &&
	    ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 1 && name[0] == 'h'))) {
		*help = true;
		(*i)++;
		return 0;
	}
	if (o == NULL || len == 0)
		return husk_error_set(err, EINVAL, "%s: unknown option `%.*s`", who,
				      (int)(eq != NULL ? eq - arg : (long)strlen(arg)), arg);

	switch (o->type) {
	case CLI_OPT_BOOL:
		if (value == NULL)
			*(bool *)o->value = true;
		else if (parse_bool(value, o->value) < 0)
			return husk_error_set(err, EINVAL,
					      "%s: invalid value `%s` for option `--%s`: expected "
					      "true or false",
					      who, value, o->name);
		(*i)++;
		return 0;
	case CLI_OPT_STRING:
	case CLI_OPT_UINT:
	case CLI_OPT_STRV:
		if (value == NULL) {
			if (*i + 1 >= argc)
				return husk_error_set(err, EINVAL,
						      "%s: option `--%s` requires an argument", who,
						      o->name);
			value = argv[*i + 1];
			(*i)++;
		}
		(*i)++;
		if (o->type == CLI_OPT_STRING) {
			*(const char **)o->value = value;
			return 0;
		}
		if (o->type == CLI_OPT_STRV)
			return strv_append(o->value, value, err);
		if (parse_uint(value, o->value) < 0)
			return husk_error_set(
			    err, EINVAL,
			    "%s: invalid value `%s` for option `--%s`: expected a "
			    "non-negative integer",
			    who, value, o->name);
		return 0;
	}
	return husk_error_set(err, EINVAL, "%s: bad option table", who);
}

int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
	      int min_args, int max_args, int *nargs, struct husk_error *err)
{
	bool help = false;
	bool dashdash = false;
	int n = 0;
	int i = 1;

	while (i < argc) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0' || (cmd->options_first && n > 0)) {
			argv[n++] = argv[i++];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
			i++;
			continue;
		}
		if (cli_parse_opt(cmd->name, opts, argc, argv, &i, &help, err) < 0)
			return -1;
		if (help) {
			cli_print_command_help(stdout, cmd, opts);
			return CLI_HELP;
		}
	}
	if (n < min_args) {
		if (n == 0 && strncmp(cmd->args, "<container-id>", 14) == 0)
			return husk_error_set(err, EINVAL,
					      "%s: missing container id (usage: %s %s %s)",
					      cmd->name, CLI_NAME, cmd->name, cmd->args);
		return husk_error_set(err, EINVAL, "%s: missing argument (usage: %s %s %s)",
				      cmd->name, CLI_NAME, cmd->name, cmd->args);
	}
	if (n > max_args)
		return husk_error_set(err, EINVAL, "%s: unexpected argument `%s` (usage: %s %s %s)",
				      cmd->name, argv[max_args], CLI_NAME, cmd->name, cmd->args);
	*nargs = n;
	return 0;
}

static void print_opt(FILE *f, const char *shortpart, const char *name, const char *metavar,
		      const char *help)
{
	char left[64];
	int w;

	snprintf(left, sizeof(left), "--%s%s%s", name, metavar ? " " : "", metavar ? metavar : "");
	w = (int)strlen(left) < 24 ? 24 : (int)strlen(left) + 2;
	fprintf(f, "  %-4s%-*s%s\n", shortpart, w, left, help);
}

void cli_print_opts(FILE *f, const struct cli_opt *opts)
{
	bool has_help = false;

	for (; opts->name != NULL; opts++) {
		char s[8] = "";

		if (opts->short_name != 0)
			snprintf(s, sizeof(s), "-%c,", opts->short_name);
		print_opt(f, s, opts->name, opts->type == CLI_OPT_BOOL ? NULL : opts->metavar,
			  opts->help);
		if (strcmp(opts->name, "help") == 0)
			has_help = true;
	}
	if (!has_help)
		print_opt(f, "-h,", "help", NULL, "show this help and exit");
}

void cli_print_command_help(FILE *f, const struct cli_command *cmd, const struct cli_opt *opts)
{
	fprintf(f, "Usage: %s [GLOBAL OPTIONS] %s [OPTIONS]%s%s\n\n", CLI_NAME, cmd->name,
		cmd->args[0] ? " " : "", cmd->args);
	fprintf(f, "%s\n\n", cmd->description);
	fprintf(f, "Options:\n");
	cli_print_opts(f, opts);
}

int cli_abspath(const char *path, char **out, struct husk_error *err)
{
	char *cwd;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return 0;
	if (path[0] == '/') {
		*out = strdup(path);
		if (*out == NULL)
			return husk_error_set(err, ENOMEM, "out of memory");
		return 0;
	}
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return husk_error_errno(err, "resolve `%s`: getcwd", path);
	if (asprintf(out, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path) < 0) {
		*out = NULL;
		free(cwd);
		return husk_error_set(err, ENOMEM, "out of memory");
	}
	free(cwd);
	return 0;
}
