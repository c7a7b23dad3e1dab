/* SPDX-License-Identifier: Apache-2.0 */
/* husk kill: send a signal to a container's init (or, with --all, every process). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const struct {
	const char *name;
	int num;
} signal_names[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"IOT", SIGIOT},	     {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
#ifdef SIGSTKFLT
    {"STKFLT", SIGSTKFLT},
#endif
    {"CHLD", SIGCHLD},	   {"CLD", SIGCHLD},  {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},	   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},	   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},
#ifdef SIGPWR
    {"PWR", SIGPWR},
#endif
    {"SYS", SIGSYS},
};

/* Decimal digits only: 0..max, else -1. */
static int parse_num(const char *s, int max)
{
	char *end = NULL;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return (int)v;
}

/*
 * A signal by number (0 is accepted, like runc), or by name, case-insensitive,
 * with or without SIG: KILL, sigkill, SIGKILL; also RTMIN, RTMIN+N, RTMAX-N.
 */
static int parse_signal(const char *s)
{
	size_t i;
	int n;

	if (*s >= '0' && *s <= '9')
		return parse_num(s, SIGRTMAX);
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(s, signal_names[i].name) == 0)
			return signal_names[i].num;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;

		s += 5;
		if (*s == '\0')
			return min ? SIGRTMIN : SIGRTMAX;
		if (*s != (min ? '+' : '-'))
			return -1;
		n = parse_num(s + 1, SIGRTMAX - SIGRTMIN);
		if (n < 0)
			return -1;
		return min ? SIGRTMIN + n : SIGRTMAX - n;
	}
	return -1;
}

static int cmd_kill(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		    struct husk_error *err)
{
	bool all = false;
	const struct cli_opt opts[] = {
	    {"all", 'a', CLI_OPT_BOOL, &all, NULL,
	     "send the signal to every process of the container, not only its init"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	int sig = SIGTERM;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 1, 2, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	if (nargs == 2) {
		sig = parse_signal(argv[1]);
		if (sig < 0)
			return husk_error_set(err, EINVAL, "kill: unknown signal `%s`", argv[1]);
	}
	cli_debug(cli, "kill `%s` with signal %d%s", argv[0], sig, all ? " (all processes)" : "");
	return husk_kill(&cli->ctx, argv[0], sig, all, err) < 0 ? -1 : 0;
}

const struct cli_command cli_cmd_kill = {
    .name = "kill",
    .args = "<container-id> [signal]",
    .summary = "send a signal to a container (default: TERM)",
    .description = "Send [signal] to the init process of the container <container-id>.  The\n"
		   "signal is a number or a name, with or without SIG, in any case (9, KILL,\n"
		   "SIGKILL, sigkill; also RTMIN+N and RTMAX-N); the default is TERM.",
    .run = cmd_kill,
};
