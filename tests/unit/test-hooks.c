/* SPDX-License-Identifier: Apache-2.0 */
/* hooks.c: real hooks (/bin/sh scripts) with state on stdin, output, exit codes, timeouts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "husk/husk.h"
#include "internal.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

static int n_tests, n_failed;
static char dir[] = "/tmp/husk-test-hooks.XXXXXX";
static const char state[] = "{\"ociVersion\":\"1.3.0\",\"id\":\"hooked\",\"status\":\"creating\","
			    "\"pid\":42,\"bundle\":\"/tmp/b\"}";

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

static void result(const char *name, int rc)
{
	n_tests++;
	if (rc != 0)
		n_failed++;
	printf("%s %d - %s\n", rc == 0 ? "ok" : "not ok", n_tests, name);
	fflush(stdout);
}

static int expect_error(int rc, struct husk_error *e, const char *msg)
{
	if (rc >= 0) {
		diag("expected error `%s`, got success", msg);
		return -1;
	}
	if (!e->msg || strcmp(e->msg, msg) != 0) {
		diag("expected error `%s`, got `%s`", msg, e->msg ? e->msg : "(null)");
		husk_error_clear(e);
		return -1;
	}
	husk_error_clear(e);
	return 0;
}

/* Whole file into buf (NUL-terminated); its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *path_in_dir(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* State on stdin; args and env exactly as given (from /proc/<hook>/{cmdline,environ}). */
static int test_success(void)
{
	char *out = path_in_dir("state");
	char *args[] = {"hook-argv0",
			"-c",
			"cat > \"$1\"; cat /proc/$$/cmdline > \"$1.args\"; "
			"cat /proc/$$/environ > \"$1.env\"",
			"name",
			out,
			NULL};
	char *env[] = {"A=1", "B=two words", "PATH=/usr/bin:/bin", NULL};
	struct husk_hook h = {
	    .path = "/bin/sh", .args = args, .env = env, .has_timeout = true, .timeout = 10};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	static const char want_args[] = "hook-argv0\0-c\0"
					"cat > \"$1\"; cat /proc/$$/cmdline > \"$1.args\"; "
					"cat /proc/$$/environ > \"$1.env\"\0name";
	static const char want_env[] = "A=1\0B=two words\0PATH=/usr/bin:/bin";
	char buf[1024], path[300];
	ssize_t n;

	CHECK(husk_hooks_run(&l, HUSK_HOOK_PRESTART, state, &e) == 0);
	CHECK(slurp(out, buf, sizeof(buf)) == (ssize_t)strlen(state));
	CHECK(strcmp(buf, state) == 0);
	snprintf(path, sizeof(path), "%s.args", out);
	n = slurp(path, buf, sizeof(buf));
	/* cmdline: each arg NUL-terminated; the last one is `out` */
	CHECK(n == (ssize_t)(sizeof(want_args) + strlen(out) + 1));
	CHECK(memcmp(buf, want_args, sizeof(want_args)) == 0);
	CHECK(strcmp(buf + sizeof(want_args), out) == 0);
	snprintf(path, sizeof(path), "%s.env", out);
	n = slurp(path, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(want_env));
	CHECK(memcmp(buf, want_env, sizeof(want_env)) == 0);
	return 0;
}

/* No args: argv is just the path; no env: an empty environment. */
static int test_no_args_no_env(void)
{
	char *script = path_in_dir("noargs.sh");
	char *out = path_in_dir("noargs.out");
	char text[512], buf[256];
	struct husk_hook h = {.path = script};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	FILE *f;

	f = fopen(script, "we");
	CHECK(f);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\n"
		 "{ echo \"argc=$#\"; echo \"v=$HUSK_HOOK_TEST cwd=$(pwd)\"; } > %s\n",
		 out);
	fputs(text, f);
	fclose(f);
	CHECK(chmod(script, 0755) == 0);
	/* without env: the runtime's own environment (runc), in the caller's cwd */
	CHECK(setenv("HUSK_HOOK_TEST", "inherited", 1) == 0);
	CHECK(chdir("/") == 0);
	if (husk_hooks_run(&l, HUSK_HOOK_CREATE_RUNTIME, state, &e) < 0) {
		diag("%s", e.msg);
		husk_error_clear(&e);
		return -1;
	}
	CHECK(slurp(out, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "argc=0\nv=inherited cwd=/\n") == 0);
	return 0;
}

/* husk_hooks_run_at: the cwd and the environment for a hook without env */
static int test_where(void)
{
	char *script = path_in_dir("where.sh");
	char *out = path_in_dir("where.out");
	char text[512], buf[256], want[256];
	char *env[] = {"FROM=caller", NULL};
	struct husk_hook h = {.path = script};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_hook_where w = {.cwd = dir, .env = env};
	struct husk_error e = {0};
	FILE *f;

	f = fopen(script, "we");
	CHECK(f);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\n"
		 "echo \"cwd=$(pwd) from=$FROM test=$HUSK_HOOK_TEST\" > %s\n",
		 out);
	fputs(text, f);
	fclose(f);
	CHECK(chmod(script, 0755) == 0);
	CHECK(husk_hooks_run_at(&l, HUSK_HOOK_CREATE_RUNTIME, state, &w, &e) == 0);
	CHECK(slurp(out, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "cwd=%s from=caller test=\n", dir);
	CHECK(strcmp(buf, want) == 0);
	/* empty_env: none at all */
	w.env = NULL;
	w.empty_env = true;
	CHECK(husk_hooks_run_at(&l, HUSK_HOOK_CREATE_RUNTIME, state, &w, &e) == 0);
	CHECK(slurp(out, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "cwd=%s from= test=\n", dir);
	CHECK(strcmp(buf, want) == 0);
	/* a cwd that is not there: the hook fails to start */
	w.cwd = "/nonexistent-husk-dir";
	CHECK(husk_hooks_run_at(&l, HUSK_HOOK_CREATE_RUNTIME, state, &w, &e) < 0);
	CHECK(e.msg && strstr(e.msg, "No such file"));
	husk_error_clear(&e);
	return 0;
}

/* The second hook fails: its output is in the error; the third never runs. */
static int test_exit_status(void)
{
	char *ok_args[] = {"sh", "-c", "exit 0", NULL};
	char *fail_args[] = {"sh", "-c", "cat >/dev/null; echo some output; echo err >&2; exit 3",
			     NULL};
	char *third = path_in_dir("third");
	char cmd[300];
	char *third_args[] = {"sh", "-c", cmd, NULL};
	struct husk_hook h[] = {
	    {.path = "/bin/sh", .args = ok_args},
	    {.path = "/bin/sh", .args = fail_args},
	    {.path = "/bin/sh", .args = third_args},
	};
	struct husk_hook_list l = {.hooks = h, .n = 3};
	struct husk_error e = {0};
	struct stat st;

	snprintf(cmd, sizeof(cmd), "touch %s", third);
	CHECK(expect_error(husk_hooks_run(&l, HUSK_HOOK_POSTSTART, state, &e), &e,
			   "hook `poststart[1]` (`/bin/sh`): exit status 3: some output\\nerr") ==
	      0);
	CHECK(stat(third, &st) < 0 && errno == ENOENT);
	return 0;
}

/* husk_hooks_run_warn: the warnings it gave, one a line */
static char warned[2048];

static void collect_warning(void *data, const char *msg)
{
	size_t n = strlen(warned);

	(void)data;
	snprintf(warned + n, sizeof(warned) - n, "%s\n", msg);
}

/* poststop: every hook runs; each failure is a warning, not an error */
static int test_warn_all(void)
{
	char *fail_args[] = {"sh", "-c", "cat >/dev/null; echo first failed; exit 3", NULL};
	char cmd2[300], cmd4[300], missing[300];
	char *second_args[] = {"sh", "-c", cmd2, NULL};
	char *fourth_args[] = {"sh", "-c", cmd4, NULL};
	struct husk_hook h[] = {
	    {.path = "/bin/sh", .args = fail_args},
	    {.path = "/bin/sh", .args = second_args},
	    {.path = missing},
	    {.path = "/bin/sh", .args = fourth_args},
	};
	struct husk_hook_list l = {.hooks = h, .n = 4};
	struct husk_ctx ctx = {.warn = collect_warning};
	char want[1024];
	struct stat st;

	snprintf(missing, sizeof(missing), "%s", path_in_dir("no-such-hook"));
	snprintf(cmd2, sizeof(cmd2), "touch %s", path_in_dir("second"));
	snprintf(cmd4, sizeof(cmd4), "touch %s", path_in_dir("fourth"));
	warned[0] = '\0';
	CHECK(husk_hooks_run_warn(&ctx, &l, HUSK_HOOK_POSTSTOP, state) == 2);
	CHECK(stat(path_in_dir("second"), &st) == 0);
	CHECK(stat(path_in_dir("fourth"), &st) == 0);
	snprintf(want, sizeof(want),
		 "hook `poststop[0]` (`/bin/sh`): exit status 3: first failed\n");
	CHECK(strncmp(warned, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "hook `poststop[2]` (`%s`): ", missing);
	CHECK(strstr(warned, want) != NULL);
	CHECK(strchr(strchr(warned, '\n') + 1, '\n')[1] == '\0');
	/* no ctx (or no warn): the same, quietly */
	CHECK(husk_hooks_run_warn(NULL, &l, HUSK_HOOK_POSTSTOP, state) == 2);
	return 0;
}

static int test_timeout(void)
{
	char *args[] = {"sh", "-c", "echo started; exec sleep 30", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args, .has_timeout = true, .timeout = 1};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	double t0 = now(), dt;

	CHECK(expect_error(husk_hooks_run(&l, HUSK_HOOK_PRESTART, state, &e), &e,
			   "hook `prestart[0]` (`/bin/sh`): timed out after 1s: started") == 0);
	dt = now() - t0;
	CHECK(dt >= 0.9 && dt < 3);
	/* killed and reaped: no child left */
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	return 0;
}

static int test_missing(void)
{
	struct husk_hook h = {.path = "/nonexistent/hook"};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};

	return expect_error(husk_hooks_run(&l, HUSK_HOOK_CREATE_CONTAINER, state, &e), &e,
			    "hook `createContainer[0]` (`/nonexistent/hook`): exec: No such file "
			    "or directory");
}

static int test_signal(void)
{
	char *args[] = {"sh", "-c", "kill -9 $$", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};

	return expect_error(husk_hooks_run(&l, HUSK_HOOK_POSTSTOP, state, &e), &e,
			    "hook `poststop[0]` (`/bin/sh`): killed by signal 9 (Killed)");
}

/*
 * A large state that the hook never reads: no SIGPIPE kills us, nothing
 * blocks, and the mask is restored with no SIGPIPE left pending.
 */
static int test_unread_stdin(void)
{
	size_t big = 1 << 20;
	char *s = malloc(big + 1);
	/* stdin closed while the hook still runs: our next write gets EPIPE */
	char *args[] = {"sh", "-c", "exec 0<&-; sleep 0.5; exit 0", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args, .has_timeout = true, .timeout = 10};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	sigset_t set;
	int rc;

	CHECK(s);
	memset(s, 'x', big);
	s[big] = '\0';
	rc = husk_hooks_run(&l, HUSK_HOOK_START_CONTAINER, s, &e);
	free(s);
	if (rc < 0)
		diag("%s", e.msg);
	CHECK(rc == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &set) == 0 && !sigismember(&set, SIGPIPE));
	CHECK(sigpending(&set) == 0 && !sigismember(&set, SIGPIPE));
	return 0;
}

/* The same with SIGPIPE blocked by the caller (husk run blocks every signal): none left pending. */
static int test_unread_stdin_blocked(void)
{
	size_t big = 1 << 20;
	char *s = malloc(big + 1);
	char *args[] = {"sh", "-c", "exec 0<&-; sleep 0.5; exit 0", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args, .has_timeout = true, .timeout = 10};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	sigset_t set, old;
	int rc;

	CHECK(s);
	memset(s, 'x', big);
	s[big] = '\0';
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	rc = husk_hooks_run(&l, HUSK_HOOK_START_CONTAINER, s, &e);
	free(s);
	CHECK(rc == 0);
	CHECK(sigpending(&set) == 0 && !sigismember(&set, SIGPIPE));
	CHECK(sigprocmask(SIG_BLOCK, NULL, &set) == 0 && sigismember(&set, SIGPIPE));
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

/* Only 0, 1, 2 reach a hook, even from an fd without O_CLOEXEC. */
static int test_no_fd_leak(void)
{
	char *out = path_in_dir("fds");
	char cmd[300];
	char *args[] = {"sh", "-c", cmd, NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	char buf[256];
	int leaky = open("/dev/null", O_RDONLY), rc;

	CHECK(leaky >= 0);
	/* is our fd without O_CLOEXEC open in the hook? (the shell's own fds vary) */
	snprintf(cmd, sizeof(cmd),
		 "if [ -e /proc/$$/fd/%d ]; then echo leak; else echo none; fi > %s", leaky, out);
	rc = husk_hooks_run(&l, HUSK_HOOK_PRESTART, state, &e);
	close(leaky);
	CHECK(rc == 0);
	CHECK(slurp(out, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "none\n") == 0);
	return 0;
}

/* Lots of output: the hook is not blocked, the message is capped. */
static int test_big_output(void)
{
	char *args[] = {"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' y; exit 1", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args, .has_timeout = true, .timeout = 10};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	const char *prefix = "hook `prestart[0]` (`/bin/sh`): exit status 1: yyy";

	CHECK(husk_hooks_run(&l, HUSK_HOOK_PRESTART, state, &e) < 0);
	CHECK(strncmp(e.msg, prefix, strlen(prefix)) == 0);
	CHECK(strlen(e.msg) < 4200);
	husk_error_clear(&e);
	return 0;
}

/* A hook that leaves a background child holding its stdout: we do not wait for it. */
static int test_background_child(void)
{
	char *args[] = {"sh", "-c", "sleep 2 & echo bye; exit 0", NULL};
	struct husk_hook h = {.path = "/bin/sh", .args = args};
	struct husk_hook_list l = {.hooks = &h, .n = 1};
	struct husk_error e = {0};
	double t0 = now();

	CHECK(husk_hooks_run(&l, HUSK_HOOK_POSTSTART, state, &e) == 0);
	CHECK(now() - t0 < 1.5);
	return 0;
}

static int test_empty(void)
{
	struct husk_hook_list l = {0};
	struct husk_error e = {0};

	CHECK(husk_hooks_run(&l, HUSK_HOOK_PRESTART, state, &e) == 0);
	CHECK(husk_hooks_run(NULL, HUSK_HOOK_PRESTART, state, &e) == 0);
	return 0;
}

/*
 * The same hooks on a kernel without pidfd_open (a seccomp filter answers
 * ENOSYS): the poll-and-WNOHANG fallback.
 */
static int test_without_pidfd(void)
{
#if HAVE_SECCOMP
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		if (!ctx ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) ||
		    seccomp_load(ctx) != 0)
			_exit(2);
		seccomp_release(ctx);
		if (sys_pidfd_open(getpid(), 0) >= 0 || errno != ENOSYS)
			_exit(3);
		_exit(test_success() || test_exit_status() || test_timeout() || test_signal() ||
			      test_unread_stdin() || test_big_output()
			  ? 1
			  : 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		diag("child status %#x", status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
#else
	diag("built without seccomp: fallback not tested");
	return 0;
#endif
}

int main(void)
{
	char cmd[300];

	printf("TAP version 13\n");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	result("state on stdin, exact args and env", test_success());
	result("no args, no env: the runtime's env and cwd", test_no_args_no_env());
	result("cwd and env chosen by the caller", test_where());
	result("non-zero exit with output, later hooks skipped", test_exit_status());
	result("poststop: all hooks run, failures are warnings", test_warn_all());
	result("timeout", test_timeout());
	result("missing hook path", test_missing());
	result("killed by a signal", test_signal());
	result("unread stdin: no SIGPIPE", test_unread_stdin());
	result("unread stdin, SIGPIPE blocked by the caller: none left pending",
	       test_unread_stdin_blocked());
	result("no fd leaks into hooks", test_no_fd_leak());
	result("big output is capped", test_big_output());
	result("background child holding stdout", test_background_child());
	result("empty hook list", test_empty());
	result("without pidfd_open (fallback)", test_without_pidfd());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
