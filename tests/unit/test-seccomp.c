/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp.c: every case compiles a filter from a struct husk_seccomp, loads
 * it into a forked child and checks what the kernel does to the child's
 * syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-helpers.h"
#include "utils.h"

/* ---- actions ---- */

static int errno_child(void *arg)
{
	const char *dir = arg;
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("mkdir", "mkdirat"), .action = "SCMP_ACT_ERRNO"},
	    {.names = NAMES("rmdir"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EROFS},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	char sub[64];
	struct stat st;
	int nfd = 123, before;
	struct husk_error e = {0};
	cleanup_seccomp_filter struct husk_seccomp_filter *f = NULL;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	/* compiling loads nothing: it may run in the parent (the test may run
	 * under a filter already: tests/unit/nosys) */
	before = status_field("Seccomp_filters");
	CHECK(husk_seccomp_compile(&s, "config.json", &f, &e) == 0);
	CHECK(!husk_seccomp_filter_has_notify(f));
	CHECK(status_field("Seccomp_filters") == before);
	CHECK(husk_seccomp_load(f, &nfd, &e) == 0);
	CHECK(nfd == -1);
	CHECK(status_field("Seccomp") == 2 && status_field("Seccomp_filters") == before + 1);
	CHECK(status_field("NoNewPrivs") == 0); /* left to process.noNewPrivileges */

	CHECK(sys_result(mkdir(sub, 0700)) == -EPERM);
	CHECK(sys_result(syscall(SYS_mkdirat, AT_FDCWD, sub, 0700)) == -EPERM);
	CHECK(stat(sub, &st) < 0 && errno == ENOENT);
	CHECK(sys_result(rmdir(dir)) == -EROFS);
	CHECK(stat(dir, &st) == 0);
	CHECK(getppid() > 0); /* the rest is allowed */
	return 0;
}

static int test_errno(void)
{
	char dir[] = "/tmp/husk-seccomp-XXXXXX";
	int st;

	CHECK(mkdtemp(dir) != NULL);
	st = fork_wait(errno_child, dir);
	rmdir(dir);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int default_errno_child(void *arg)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("write", "exit_group", "exit", "rt_sigreturn", "rmdir"),
	     .action = "SCMP_ACT_ALLOW"},
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_ERRNO"},
	};
	struct husk_seccomp s = {.default_action = "SCMP_ACT_ERRNO",
				 .has_default_errno_ret = true,
				 .default_errno_ret = ENOSYS,
				 .syscalls = calls,
				 .n_syscalls = ARRAY_SIZE(calls)};

	if (load(&s, NULL) < 0)
		return 10;
	if (sys_result(syscall(SYS_getpid)) != -ENOSYS)
		return 11;
	if (sys_result(syscall(SYS_getppid)) != -EPERM) /* the rule's default errno */
		return 12;
	if (sys_result(syscall(SYS_rmdir, "/husk-no-such-dir")) != -ENOENT) /* allowed */
		return 13;
	return 0;
}

static int test_default_errno(void)
{
	int st = fork_wait(default_errno_child, NULL);

	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static volatile sig_atomic_t got_sigsys;

static void count_sigsys(int sig)
{
	got_sigsys = 1;
}

static void *getppid_thread(void *arg)
{
	syscall(SYS_getppid);
	return NULL;
}

/* arg: the action for getppid; "+thread": call it from a second thread */
static int kill_child(void *arg)
{
	char action[64];
	bool in_thread;
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getppid"), .action = action},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	pthread_t t;

	snprintf(action, sizeof(action), "%s", (const char *)arg);
	in_thread = strstr(action, "+thread") != NULL;
	action[strcspn(action, "+")] = '\0';
	/* a handler: TRAP would run it, the KILLs do not care */
	signal(SIGSYS, count_sigsys);
	if (load(&s, NULL) < 0)
		return 10;
	if (!in_thread) {
		syscall(SYS_getppid);
		return got_sigsys ? 12 : 11;
	}
	if (pthread_create(&t, NULL, getppid_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 13;
	return got_sigsys ? 12 : 11; /* 11: only the thread died */
}

static int test_kill(void)
{
	const struct {
		const char *action;
		int exit_code; /* 0: killed by SIGSYS */
	} cases[] = {
	    {"SCMP_ACT_KILL", 0},
	    {"SCMP_ACT_KILL_PROCESS", 0},
	    {"SCMP_ACT_KILL_THREAD", 0},
	    /* with another thread alive: only the thread unless KILL_PROCESS */
	    {"SCMP_ACT_KILL+thread", 11},
	    {"SCMP_ACT_KILL_THREAD+thread", 11},
	    {"SCMP_ACT_KILL_PROCESS+thread", 0},
	    {"SCMP_ACT_TRAP", 12},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int st = fork_wait(kill_child, (void *)cases[i].action);
		bool ok = cases[i].exit_code == 0
			      ? WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS
			      : WIFEXITED(st) && WEXITSTATUS(st) == cases[i].exit_code;

		if (!ok)
			diag("%s: child status %#x", cases[i].action, st);
		CHECK(ok);
	}
	return 0;
}

static volatile sig_atomic_t trapped_nr = -1, trapped_code = -1;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	trapped_nr = si->si_syscall;
	trapped_code = si->si_code;
}

static int test_trap_log_trace(void)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_TRAP"},
	    {.names = NAMES("getpgrp"), .action = "SCMP_ACT_LOG"},
	    /* no tracer: the kernel fails a traced syscall with ENOSYS */
	    {.names = NAMES("getsid"),
	     .action = "SCMP_ACT_TRACE",
	     .has_errno_ret = true,
	     .errno_ret = 42},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	pid_t pgrp = getpgrp();

	CHECK(sigaction(SIGSYS, &sa, NULL) == 0);
	CHECK(load(&s, NULL) == 0);
	syscall(SYS_getppid);
	CHECK(trapped_nr == SYS_getppid && trapped_code == 1 /* SYS_SECCOMP */);
	CHECK(syscall(SYS_getpgrp) == pgrp);
	CHECK(sys_result(syscall(SYS_getsid, 0)) == -ENOSYS);
	return 0;
}

/* ---- rules: names, args ---- */

static int test_unknown_names_and_redundant(void)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("husk_no_such_syscall", "getppid", "another_unknown"),
	     .action = "SCMP_ACT_ERRNO"},
	    /* the default action: skipped (libseccomp would refuse it) */
	    {.names = NAMES("getpid"), .action = "SCMP_ACT_ALLOW"},
	    {.names = NAMES("husk_unknown_only"), .action = "SCMP_ACT_KILL"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};

	CHECK(load(&s, NULL) == 0);
	CHECK(sys_result(syscall(SYS_getppid)) == -EPERM);
	CHECK(syscall(SYS_getpid) == getpid());
	return 0;
}

static int test_redundant_errno(void)
{
	/* ERRNO(EPERM) == the default ERRNO(EPERM): skipped; ERRNO(EROFS) is a rule */
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_ERRNO"},
	    {.names = NAMES("getpgrp"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EROFS},
	    {.names = NAMES("write", "exit_group", "getpid"), .action = "SCMP_ACT_ALLOW"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ERRNO", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};

	CHECK(load(&s, NULL) == 0);
	CHECK(sys_result(syscall(SYS_getppid)) == -EPERM);
	CHECK(sys_result(syscall(SYS_getpgrp)) == -EROFS);
	CHECK(sys_result(syscall(SYS_getuid)) == -EPERM);
	CHECK(syscall(SYS_getpid) > 0);
	return 0;
}

struct op_case {
	enum husk_seccomp_op op;
	uint64_t value, value_two;
	bool blocked[3]; /* for prctl options 3, 7, 13 */
};

static int op_child(void *arg)
{
	const struct op_case *c = arg;
	const int options[3] = {PR_GET_DUMPABLE, PR_GET_KEEPCAPS, PR_GET_TIMING}; /* 3, 7, 13 */
	struct husk_seccomp_arg a = {
	    .index = 0, .value = c->value, .value_two = c->value_two, .op = c->op};
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("prctl"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = &a,
	     .n_args = 1},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};

	if (load(&s, NULL) < 0)
		return 10;
	for (int i = 0; i < 3; i++) {
		long rc = sys_result(prctl(options[i], 0, 0, 0, 0));

		if ((rc == -EXDEV) != c->blocked[i]) {
			diag("op %d value %" PRIu64 ": prctl(%d) = %ld", c->op, c->value,
			     options[i], rc);
			return 20 + i;
		}
	}
	return 0;
}

static int test_ops(void)
{
	const struct op_case cases[] = {
	    {HUSK_SCMP_CMP_NE, 7, 0, {true, false, true}},
	    {HUSK_SCMP_CMP_LT, 7, 0, {true, false, false}},
	    {HUSK_SCMP_CMP_LE, 7, 0, {true, true, false}},
	    {HUSK_SCMP_CMP_EQ, 7, 0, {false, true, false}},
	    {HUSK_SCMP_CMP_GE, 7, 0, {false, true, true}},
	    {HUSK_SCMP_CMP_GT, 7, 0, {false, false, true}},
	    /* (arg & value) == valueTwo */
	    {HUSK_SCMP_CMP_MASKED_EQ, 0x8, 0x8, {false, false, true}},
	    {HUSK_SCMP_CMP_MASKED_EQ, 0x4, 0x4, {false, true, true}},
	    {HUSK_SCMP_CMP_MASKED_EQ, 0xf, 0x3, {true, false, false}},
	    /* 64-bit values */
	    {HUSK_SCMP_CMP_GT, 0xffffffffffULL, 0, {false, false, false}},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int st = fork_wait(op_child, (void *)&cases[i]);

		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			diag("case %zu: child status %#x", i, st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	return 0;
}

static int test_args_and_or(void)
{
	/* several args: one rule, all must match (AND) */
	struct husk_seccomp_arg and_args[] = {
	    {.index = 0, .value = AF_INET, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 1, .value = SOCK_DGRAM, .op = HUSK_SCMP_CMP_EQ},
	};
	/* several conditions on one arg: one rule each (OR), runc's rule */
	struct husk_seccomp_arg or_args[] = {
	    {.index = 0, .value = PR_GET_DUMPABLE, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 0, .value = PR_GET_TIMING, .op = HUSK_SCMP_CMP_EQ},
	};
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("socket"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EACCES,
	     .args = and_args,
	     .n_args = ARRAY_SIZE(and_args)},
	    {.names = NAMES("prctl"),
	     .action = "SCMP_ACT_ERRNO",
	     .args = or_args,
	     .n_args = ARRAY_SIZE(or_args)},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	int fd;

	CHECK(load(&s, NULL) == 0);
	CHECK(sys_result(socket(AF_INET, SOCK_DGRAM, 0)) == -EACCES);
	CHECK((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	close(fd);
	CHECK((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	close(fd);
	CHECK(sys_result(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) == -EPERM);
	CHECK(sys_result(prctl(PR_GET_TIMING, 0, 0, 0, 0)) == -EPERM);
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) >= 0);
	return 0;
}

/* ---- architectures and flags ---- */

#ifdef __x86_64__
/* getpid through the i386 entry (syscall 20 there) */
static long int80_getpid(void)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static int int80_child(void *arg)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getpid"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EDOM},
	};
	struct husk_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
				 .architectures = arg,
				 .syscalls = calls,
				 .n_syscalls = ARRAY_SIZE(calls)};

	if (s.architectures && load(&s, NULL) < 0)
		return 10;
	if (s.architectures == NULL)
		return (int)int80_getpid() == getpid() ? 0 : 11;
	/* the rule by name applies to the i386 number too */
	return (int)int80_getpid() == -EDOM ? 0 : 12;
}
#endif

#ifdef __x86_64__
/* getpid through the x32 ABI: the syscall number with bit 30 set (39 on x86_64) */
static int x32_child(void *arg)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getpid"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = EDOM},
	};
	struct husk_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
				 .architectures = arg,
				 .syscalls = calls,
				 .n_syscalls = ARRAY_SIZE(calls)};

	if (load(&s, NULL) < 0)
		return 10;
	/* the filter answers before the kernel asks whether it has x32 at all */
	return sys_result(syscall(0x40000000 | 39)) == -EDOM ? 0 : 11;
}
#endif

static int test_arches(void)
{
	char *native_twice[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
				"SCMP_ARCH_X86_64", NULL};
#ifdef __x86_64__
	int st;

	/* x32 is not in a filter that does not name it: the badarch action kills */
	st = fork_wait(x32_child, NULL);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		diag("child status %#x", st);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = fork_wait(x32_child, native_twice);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* a compat syscall on a filter without the arch: the default badarch action kills */
	st = fork_wait(int80_child, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		diag("no i386 syscall entry here (status %#x): compat part skipped", st);
	} else {
		st = fork_wait(int80_child, (char *[]){"SCMP_ARCH_AARCH64", NULL});
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
		st = fork_wait(int80_child, native_twice);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			diag("child status %#x", st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
#endif
	{
		struct husk_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
					 .architectures = native_twice};
		struct husk_seccomp_filter *f = NULL;
		struct husk_error e = {0};

		CHECK(husk_seccomp_compile(&s, "config.json", &f, &e) == 0);
		husk_seccomp_filter_free(f);
	}
	return 0;
}

static int test_flags(void)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_ERRNO"},
	};
	struct husk_seccomp s = {.default_action = "SCMP_ACT_ALLOW",
				 .flags =
				     NAMES("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					   "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
				 .syscalls = calls,
				 .n_syscalls = ARRAY_SIZE(calls)};
	struct husk_seccomp wk = {.default_action = "SCMP_ACT_ALLOW",
				  .flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")};
	struct husk_seccomp_filter *f = NULL;
	struct husk_error e = {0};

#if SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR < 6
	char msg[256];

	snprintf(msg, sizeof(msg),
		 "config.json: linux.seccomp.flags[0]: flag "
		 "`SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` not supported by libseccomp %u.%u.%u",
		 seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
	CHECK(expect_compile_error(&wk, msg) == 0);
#else
	CHECK(husk_seccomp_compile(&wk, "config.json", &f, &e) == 0);
	husk_seccomp_filter_free(f);
	f = NULL;
#endif
	CHECK(husk_seccomp_compile(&s, "config.json", &f, &e) == 0);
	CHECK(husk_seccomp_load(f, NULL, &e) == 0);
	husk_seccomp_filter_free(f);
	CHECK(sys_result(syscall(SYS_getppid)) == -EPERM);
	return 0;
}

static int test_supported(void)
{
	const bool v26 = SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6);

	CHECK(husk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_TSYNC"));
	CHECK(husk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_LOG"));	      /* Linux 4.14 */
	CHECK(husk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_SPEC_ALLOW")); /* Linux 4.17 */
	CHECK(husk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == v26);
	CHECK(!husk_seccomp_flag_supported("SECCOMP_FILTER_FLAG_BOGUS"));
	CHECK(husk_seccomp_arch_supported("SCMP_ARCH_X86_64"));
	CHECK(husk_seccomp_arch_supported("SCMP_ARCH_AARCH64"));
	CHECK(husk_seccomp_arch_supported("SCMP_ARCH_RISCV64"));
	CHECK(husk_seccomp_arch_supported("SCMP_ARCH_LOONGARCH64") == v26);
	CHECK(!husk_seccomp_arch_supported("SCMP_ARCH_BOGUS"));
	return 0;
}

/* without CAP_SYS_ADMIN the filter needs no_new_privs, which it does not set itself */
static int nnp_child(void *arg)
{
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_ERRNO"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	cleanup_seccomp_filter struct husk_seccomp_filter *f = NULL;
	struct husk_error e = {0};

	CHECK(husk_seccomp_compile(&s, "config.json", &f, &e) == 0);
	CHECK(setresuid(65534, 65534, 65534) == 0); /* no KEEPCAPS: every cap goes */
	CHECK(husk_seccomp_load(f, NULL, &e) < 0);
	if (strcmp(e.msg, "seccomp: load filter: Permission denied (without noNewPrivileges it "
			  "needs CAP_SYS_ADMIN)") != 0) {
		diag("got `%s`", e.msg);
		return 1;
	}
	husk_error_clear(&e);
	CHECK(status_field("NoNewPrivs") == 0);
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(husk_seccomp_load(f, NULL, &e) == 0);
	CHECK(sys_result(syscall(SYS_getppid)) == -EPERM);
	return 0;
}

static int test_nnp(void)
{
	int st = fork_wait(nnp_child, NULL);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* ---- config errors ---- */

static int test_errors(void)
{
	struct husk_seccomp_arg bad_index = {.index = 6, .value = 1, .op = HUSK_SCMP_CMP_EQ};
	struct husk_seccomp_arg bad_op = {.index = 0, .value = 1, .op = (enum husk_seccomp_op)99};
	struct husk_seccomp_syscall calls[4] = {
	    {.names = NAMES("getppid"), .action = "SCMP_ACT_ERRNO"},
	    {.names = NAMES("getpid"), .action = "SCMP_ACT_LOG"},
	    {.names = NAMES("getuid"), .action = "SCMP_ACT_TRAP"},
	    {.names = NAMES("getgid"), .action = "SCMP_ACT_FOO"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = 4};
	struct husk_error e = {0};
	struct husk_seccomp_filter *f = NULL;

	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[3].action: unknown "
				       "action `SCMP_ACT_FOO`") == 0);
	calls[3].action = "SCMP_ACT_KILL";
	CHECK(husk_seccomp_compile(&s, "config.json", &f, &e) == 0);
	husk_seccomp_filter_free(f);

	s.default_action = "SCMP_ACT_NOPE";
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.defaultAction: unknown action "
				       "`SCMP_ACT_NOPE`") == 0);
	s.default_action = "SCMP_ACT_NOTIFY";
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY "
				       "cannot be the default action") == 0);
	s.default_action = "SCMP_ACT_ALLOW";
	s.has_default_errno_ret = true;
	s.default_errno_ret = 1;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.defaultErrnoRet: only valid "
				       "with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
				       "`SCMP_ACT_ALLOW`") == 0);
	s.has_default_errno_ret = false;

	calls[1].has_errno_ret = true;
	calls[1].errno_ret = 5;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[1].errnoRet: only "
				       "valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
				       "`SCMP_ACT_LOG`") == 0);
	calls[1].has_errno_ret = false;
	calls[0].has_errno_ret = true;
	calls[0].errno_ret = 70000;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[0].errnoRet: `70000` "
				       "out of range (0-65535)") == 0);
	calls[0].has_errno_ret = false;

	calls[2].args = &bad_index;
	calls[2].n_args = 1;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[2].args[0].index: `6` "
				       "out of range (0-5)") == 0);
	calls[2].args = &bad_op;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[2].args[0].op: unknown "
				       "operator `99`") == 0);
	calls[2].n_args = 0;

	calls[1].names = NAMES("getpid", "");
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[1].names[1]: empty "
				       "syscall name") == 0);
	calls[1].names = NULL;
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[1].names: must not be "
				       "empty") == 0);
	calls[1].names = NAMES("read", "write");
	calls[1].action = "SCMP_ACT_NOTIFY";
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.syscalls[1].names[1]: "
				       "SCMP_ACT_NOTIFY cannot be used for `write`") == 0);
	calls[1].names = NAMES("getpid");
	calls[1].action = "SCMP_ACT_LOG";

	s.architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_FOO");
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.architectures[1]: unknown "
				       "architecture `SCMP_ARCH_FOO`") == 0);
	s.architectures = NULL;
	s.flags = NAMES("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS");
	CHECK(expect_compile_error(&s, "config.json: linux.seccomp.flags[1]: unknown flag "
				       "`SECCOMP_FILTER_FLAG_BOGUS`") == 0);
	s.flags = NULL;

	/* the file name is the caller's */
	calls[0].action = "bogus";
	CHECK(husk_seccomp_compile(&s, "/b/config.json", &f, &e) < 0);
	CHECK(strcmp(e.msg, "/b/config.json: linux.seccomp.syscalls[0].action: unknown action "
			    "`bogus`") == 0);
	husk_error_clear(&e);
	return 0;
}

/* ---- a Docker-default-like profile ---- */

/* moby's default profile (allow list, 2024), with names libseccomp 2.5 does not know */
static const char docker_allow[] =
    "accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown "
    "chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
    "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
    "copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old "
    "epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit "
    "exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir "
    "fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr "
    "flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 "
    "fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv "
    "futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid "
    "geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp "
    "getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 "
    "getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid "
    "gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init inotify_init1 "
    "inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents "
    "io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule "
    "landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat "
    "listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise "
    "map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod "
    "mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open "
    "mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap "
    "msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep "
    "newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 "
    "pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 "
    "prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read "
    "readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg "
    "remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq "
    "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend "
    "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr "
    "sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler "
    "sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr "
    "sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop "
    "semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid "
    "setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid "
    "setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid "
    "setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address "
    "setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd "
    "signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 "
    "statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create "
    "timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime "
    "timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
    "timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat "
    "utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev "
    "arch_prctl modify_ldt";

static int docker_child(void *arg)
{
	struct husk_seccomp_arg pers[] = {
	    {.index = 0, .value = 0x0, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 0, .value = 0x8, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 0, .value = 0x20000, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 0, .value = 0x20008, .op = HUSK_SCMP_CMP_EQ},
	    {.index = 0, .value = 0xffffffff, .op = HUSK_SCMP_CMP_EQ},
	};
	struct husk_seccomp_arg sock = {
	    .index = 0, .value = 40 /* AF_VSOCK */, .op = HUSK_SCMP_CMP_NE};
	/* no namespace flags: (flags & 0x7E020000) == 0 */
	struct husk_seccomp_arg clone_flags = {
	    .index = 0, .value = 0x7E020000, .value_two = 0, .op = HUSK_SCMP_CMP_MASKED_EQ};
	struct husk_seccomp_syscall calls[] = {
	    {.names = NULL /* docker_allow */, .action = "SCMP_ACT_ALLOW"},
	    {.names = NAMES("personality"),
	     .action = "SCMP_ACT_ALLOW",
	     .args = pers,
	     .n_args = ARRAY_SIZE(pers)},
	    {.names = NAMES("socket"), .action = "SCMP_ACT_ALLOW", .args = &sock, .n_args = 1},
	    {.names = NAMES("clone"),
	     .action = "SCMP_ACT_ALLOW",
	     .args = &clone_flags,
	     .n_args = 1},
	    {.names = NAMES("clone3"),
	     .action = "SCMP_ACT_ERRNO",
	     .has_errno_ret = true,
	     .errno_ret = ENOSYS},
	};
	struct husk_seccomp s = {.default_action = "SCMP_ACT_ERRNO",
				 .architectures =
				     NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
				 .syscalls = calls,
				 .n_syscalls = ARRAY_SIZE(calls)};
	int fd, st;
	pid_t pid;
	char *copy = xstrdup(docker_allow), *save = NULL, *allow[512];
	size_t n = 0;

	for (char *w = strtok_r(copy, " ", &save); w && n < ARRAY_SIZE(allow) - 1;
	     w = strtok_r(NULL, " ", &save))
		allow[n++] = w;
	allow[n] = NULL;
	calls[0].names = allow;
	if (load(&s, NULL) < 0)
		return 10;
	/* ordinary life goes on */
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0 || write(fd, "x", 1) != 1)
		return 11;
	close(fd);
	if (personality(0xffffffff) < 0)
		return 12;
	if (sys_result(personality(ADDR_NO_RANDOMIZE)) != -EPERM)
		return 13;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 14;
	close(fd);
	if (sys_result(socket(40, SOCK_STREAM, 0)) != -EPERM)
		return 15;
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 16;
	/* what the profile leaves out */
	if (sys_result(unshare(CLONE_NEWUTS)) != -EPERM)
		return 17;
	pid = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0); /* the filter let it through */
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (pid >= 0 || errno != EPERM)
		return 18;
	if (sys_result(syscall(SYS_clone3, NULL, 0)) != -ENOSYS)
		return 19;
	/* a target that does not exist: ENOENT if the filter let it through */
	if (sys_result(syscall(SYS_mount, "none", "/husk-no-such-dir", "tmpfs", 0, NULL)) != -EPERM)
		return 20;
	return 0;
}

static int test_docker_profile(void)
{
	int st = fork_wait(docker_child, NULL);

	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

int main(void)
{
	printf("TAP version 13\n");
	if (geteuid() != 0) {
		/* loading a filter without no_new_privs needs CAP_SYS_ADMIN */
		printf("1..0 # SKIP needs root\n");
		return 77;
	}
	run("errno rules: default EPERM, errnoRet, compile loads nothing", test_errno);
	run("defaultAction ERRNO with defaultErrnoRet", test_default_errno);
	run("KILL, KILL_THREAD kill the thread, KILL_PROCESS the process", test_kill);
	run("TRAP delivers SIGSYS, LOG allows, TRACE without tracer", test_trap_log_trace);
	run("unknown syscall names skipped, rules with the default action skipped",
	    test_unknown_names_and_redundant);
	run("ERRNO rules against an ERRNO default", test_redundant_errno);
	run("argument operators incl. MASKED_EQ", test_ops);
	run("args: AND in one rule, OR on one index", test_args_and_or);
	run("architectures", test_arches);
	run("flags", test_flags);
	run("flags and architectures this libseccomp and kernel support", test_supported);
	run("without CAP_SYS_ADMIN: needs no_new_privs, not set by the filter", test_nnp);
	run("config errors name the JSON path", test_errors);
	run("Docker-default-like profile", test_docker_profile);
	return done_testing();
}
