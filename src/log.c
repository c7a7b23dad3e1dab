/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging and error reporting of the husk CLI.
 *
 * --log FILE is opened (created) at startup for append, as runc does:
 * containerd's shim reads it after any failed call and fails differently when
 * it is missing.  A fatal error writes exactly one record to it (podman parses
 * the whole file as one JSON object, containerd takes the last "error"
 * record):
 *   json: {"level":"error","msg":"...","time":"<RFC3339>"}
 *   text: time="<RFC3339>" level=error msg="..."
 * The error is always printed on stderr too: as "husk: <msg>", except with
 * --log FILE --log-format json, where it is the bare message, as runc prints it
 * (podman and containerd add their own prefix to what they show).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_log_open(struct cli *cli, struct husk_error *err)
{
	if (cli->log_path == NULL || cli->log_path[0] == '\0')
		return 0;
	cli->log_fd =
	    open(cli->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (cli->log_fd < 0)
		return husk_error_errno(err, "open log file `%s`", cli->log_path);
	return 0;
}

/* One log record (husk_log_line), written with one write(2). */
static void write_record(int fd, enum cli_log_format format, const char *level, const char *msg)
{
	cli_cleanup_free char *line = husk_log_line(format == CLI_LOG_JSON, level, msg);

	if (line != NULL)
		(void)husk_write_all(fd, line, strlen(line));
}

void cli_report_error(struct cli *cli, const struct husk_error *err)
{
	const char *msg = err != NULL && err->msg != NULL ? err->msg : "unknown error";

	if (cli->log_fd >= 0)
		write_record(cli->log_fd, cli->log_format, "error", msg);
	fflush(stdout);
	if (cli->log_fd >= 0 && cli->log_format == CLI_LOG_JSON)
		fprintf(stderr, "%s\n", msg);
	else
		fprintf(stderr, "%s: %s\n", CLI_NAME, msg);
	fflush(stderr);
}

void cli_warn(void *data, const char *msg)
{
	struct cli *cli = data;

	if (cli->log_fd >= 0)
		write_record(cli->log_fd, cli->log_format, "warning", msg);
	fflush(stdout);
	fprintf(stderr, "%s: warning: %s\n", CLI_NAME, msg);
	fflush(stderr);
}

void cli_debug(struct cli *cli, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	if (!cli->ctx.debug)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	write_record(cli->log_fd >= 0 ? cli->log_fd : STDERR_FILENO, cli->log_format, "debug", msg);
	free(msg);
}
