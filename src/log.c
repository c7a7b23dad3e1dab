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
#include <stdint.h>
#include <string.h>
#include <time.h>
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

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, k;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/* JSON string escaping; invalid UTF-8 bytes become U+FFFD, as Go's encoder does. */
void cli_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");

	fputc('"', f);
	while (*s != '\0') {
		size_t n = utf8_len(s);

		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fputc(*s, f);
		}
		s++;
	}
	fputc('"', f);
}

static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Build one log record and write it with one write(2). */
static void write_record(int fd, enum cli_log_format format, const char *level, const char *msg)
{
	char now[64];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return;
	rfc3339_now(now, sizeof(now));
	if (format == CLI_LOG_JSON) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":", level);
		cli_json_string(f, msg);
		fprintf(f, ",\"time\":\"%s\"}\n", now);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=", now, level);
		cli_json_string(f, msg);
		fputc('\n', f);
	}
	if (fclose(f) == 0 && buf != NULL) {
		const char *p = buf;

		while (len > 0) {
			ssize_t w = write(fd, p, len);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			len -= (size_t)w;
		}
	}
	free(buf);
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
