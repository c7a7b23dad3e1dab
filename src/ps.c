/* SPDX-License-Identifier: Apache-2.0 */
/* husk ps: the processes of a container. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* Run ps(1) with `args` (argv[0] included) and collect its stdout and stderr. */
static int run_ps(char **args, char **out, struct husk_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fds[2];
	pid_t pid;
	int status;
	char chunk[4096];
	ssize_t r;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return husk_error_errno(err, "ps: pipe");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return husk_error_errno(err, "ps: fork");
	}
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0 || dup2(fds[1], STDERR_FILENO) < 0)
			_exit(127);
		execvp("ps", args);
		dprintf(STDERR_FILENO, "exec `ps`: %s", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	f = open_memstream(&buf, &len);
	while ((r = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (f != NULL)
			fwrite(chunk, 1, (size_t)r, f);
	}
	close(fds[0]);
	if (f != NULL)
		fclose(f);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			husk_error_errno(err, "ps: wait");
			free(buf);
			return -1;
		}
	}
	if (buf == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		len = strlen(buf);
		while (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		husk_error_set(err, ECHILD, "ps failed: %s", buf);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* Index of the PID column in ps's header line, or -1. */
static int pid_column(const char *header)
{
	int col = 0;

	while (*header != '\0') {
		size_t n;

		header += strspn(header, " \t");
		n = strcspn(header, " \t\n");
		if (n == 0)
			break;
		if (n == 3 && strncmp(header, "PID", 3) == 0)
			return col;
		header += n;
		col++;
	}
	return -1;
}

/* The col-th whitespace-separated field of line as a pid, or -1. */
static long field_pid(const char *line, int col)
{
	char *end;
	long v;

	for (;;) {
		line += strspn(line, " \t");
		if (*line == '\0' || col-- == 0)
			break;
		line += strcspn(line, " \t");
	}
	if (*line < '0' || *line > '9')
		return -1;
	v = strtol(line, &end, 10);
	if (*end != '\0' && *end != ' ' && *end != '\t')
		return -1;
	return v;
}

/*
 * Like runc: run `ps` with the given options (default -ef) and print its
 * header and the lines whose PID is one of the container's.
 */
static int print_table(char **ps_opts, int n_opts, const pid_t *pids, size_t n,
		       struct husk_error *err)
{
	cli_cleanup_free char **args = NULL;
	cli_cleanup_free char *out = NULL;
	char ps[] = "ps", ef[] = "-ef";
	char *line, *next;
	int col;
	int i;

	args = calloc((size_t)n_opts + 3, sizeof(*args));
	if (args == NULL)
		return husk_error_set(err, ENOMEM, "out of memory");
	args[0] = ps;
	for (i = 0; i < n_opts; i++)
		args[i + 1] = ps_opts[i];
	if (n_opts == 0)
		args[1] = ef;
	if (run_ps(args, &out, err) < 0)
		return -1;
	next = strchr(out, '\n');
	if (next != NULL)
		*next++ = '\0';
	col = pid_column(out);
	if (col < 0)
		return husk_error_set(err, EINVAL, "ps: no PID column in the output of ps");
	puts(out);
	for (line = next; line != NULL && *line != '\0'; line = next) {
		long p;
		size_t k;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		p = field_pid(line, col);
		for (k = 0; k < n; k++)
			if ((long)pids[k] == p) {
				puts(line);
				break;
			}
	}
	return 0;
}

static int cmd_ps(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		  struct husk_error *err)
{
	const char *format = "table";
	const struct cli_opt opts[] = {
	    {"format", 'f', CLI_OPT_STRING, &format, "FORMAT",
	     "output format: table (default, from ps(1)) or json (an array of pids)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	cli_cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	size_t i;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, argc, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (strcmp(format, "json") != 0 && strcmp(format, "table") != 0)
		return husk_error_set(err, EINVAL,
				      "ps: unknown format `%s` (expected table or json)", format);
	if (strcmp(format, "json") == 0 && nargs > 1)
		return husk_error_set(err, EINVAL,
				      "ps: ps options cannot be used with --format json");
	if (husk_ps(&cli->ctx, argv[0], &pids, &n, err) < 0)
		return -1;
	if (strcmp(format, "table") == 0)
		return print_table(argv + 1, nargs - 1, pids, n, err) < 0 ? -1 : 0;
	putchar('[');
	for (i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	puts("]");
	return 0;
}

const struct cli_command cli_cmd_ps = {
    .name = "ps",
    .args = "<container-id> [ps-option...]",
    .summary = "list the processes of a container",
    .description =
	"List the processes of the container <container-id> (every process in its\n"
	"cgroup).  The table comes from ps(1), run with [ps-option...] (default -ef) and\n"
	"filtered to the container's processes; options for ps follow the container id.\n"
	"--format json prints a JSON array of their host pids instead.",
    .run = cmd_ps,
    .options_first = true,
};
