/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-enosys.c: the ENOSYS stub in front of a refusing default action,
 * checked in forked children on x86_64 (the numbers are its own): above the
 * highest syscall a profile names ENOSYS, below it the default action, per
 * architecture and x86_64 mode.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-helpers.h"
#include "utils.h"

#ifdef __x86_64__
/* A syscall through the i386 entry */
static long int80(long nr)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* What a child needs to report, and kcmp (312 on x86_64, 349 on i386) as the highest name */
static struct husk_seccomp_syscall allow[] = {
    {.names = NAMES("exit", "exit_group", "write", "writev", "fstat", "newfstatat", "brk", "mmap",
		    "munmap", "rt_sigreturn", "rt_sigprocmask", "getpid"),
     .action = "SCMP_ACT_ALLOW"},
    {.names = NAMES("kcmp"), .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EDOM},
};

struct profile {
	const char *action;
	char **arches;
	bool has_errno;
	unsigned errno_ret;
};

static int load_profile(const struct profile *p)
{
	struct husk_seccomp s = {.default_action = (char *)p->action,
				 .has_default_errno_ret = p->has_errno,
				 .default_errno_ret = p->errno_ret,
				 .architectures = p->arches,
				 .syscalls = allow,
				 .n_syscalls = ARRAY_SIZE(allow)};

	return load(&s, NULL);
}

static char *x86_all[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
static char *x86_64_only[] = {"SCMP_ARCH_X86_64", NULL};

static int errno_child(void *arg)
{
	struct profile p = {.action = "SCMP_ACT_ERRNO", .arches = arg};

	if (load_profile(&p) < 0)
		return 10;
	CHECK(sys_result(syscall(313)) == -ENOSYS); /* above kcmp: unknown */
	CHECK(sys_result(syscall(1000)) == -ENOSYS);
	CHECK(sys_result(syscall(SYS_kcmp, 0, 0, 0, 0, 0)) == -EDOM); /* its rule */
	CHECK(sys_result(syscall(SYS_getppid)) == -EPERM);	      /* 110: the default */
	CHECK(sys_result(syscall(0)) == -EPERM);		      /* read */
	CHECK(getpid() > 0);
	return 0;
}

static int test_errno_default(void)
{
	int st = fork_wait(errno_child, x86_all);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* x32 numbers are compared with x32's highest (kcmp | bit 30) */
static int x32_child(void *arg)
{
	struct profile p = {.action = "SCMP_ACT_ERRNO", .arches = x86_all};

	if (load_profile(&p) < 0)
		return 10;
	CHECK(sys_result(syscall(0x40000000 | 1000)) == -ENOSYS);
	CHECK(sys_result(syscall(0x40000000 | 110)) == -EPERM);
	return 0;
}

/* x86_64 listed alone: an x32 number goes to the filter, whose badarch action kills */
static int x32_unlisted_child(void *arg)
{
	struct profile p = {.action = "SCMP_ACT_ERRNO", .arches = x86_64_only};

	if (load_profile(&p) < 0)
		return 10;
	CHECK(sys_result(syscall(1000)) == -ENOSYS);
	syscall(0x40000000 | 1000);
	return 11;
}

/* the i386 entry: its own highest number (kcmp is 349 there) */
static int i386_child(void *arg)
{
	struct profile p = {.action = "SCMP_ACT_ERRNO", .arches = x86_all};

	if (load_profile(&p) < 0)
		return 10;
	CHECK(int80(350) == -ENOSYS);
	CHECK(int80(1000) == -ENOSYS);
	CHECK(int80(64) == -EPERM); /* getppid */
	return 0;
}

/* whether this kernel has the i386 entry at all (getpid is 20 there) */
static int int80_probe_child(void *arg)
{
	return int80(20) == getpid() ? 0 : 1;
}

static int test_modes(void)
{
	int st = fork_wait(x32_child, NULL);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = fork_wait(x32_unlisted_child, NULL);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		diag("child status %#x", st);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = fork_wait(int80_probe_child, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		diag("no i386 syscall entry here (status %#x): i386 part skipped", st);
		return 0;
	}
	st = fork_wait(i386_child, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* the stub or not: syscall(313) is ENOSYS with it, the default action without */
static int stub_child(void *arg)
{
	const struct profile *p = arg;

	if (load_profile(p) < 0)
		return 10;
	return (int)-sys_result(syscall(313));
}

static int test_when(void)
{
	const struct {
		struct profile p;
		int code; /* exit code (errno of syscall 313), or 0: killed by SIGSYS */
	} cases[] = {
	    {{"SCMP_ACT_ERRNO", x86_all, true, EACCES}, ENOSYS},
	    {{"SCMP_ACT_ERRNO", x86_all, true, ENOSYS}, ENOSYS},
	    {{"SCMP_ACT_KILL_PROCESS", x86_all}, ENOSYS},
	    {{"SCMP_ACT_KILL", x86_all}, ENOSYS},
	    {{"SCMP_ACT_TRAP", x86_all}, ENOSYS},
	    /* no architectures listed: no stub (runc 1.1) */
	    {{"SCMP_ACT_ERRNO", NULL, true, EACCES}, EACCES},
	    {{"SCMP_ACT_KILL_PROCESS", NULL}, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int st = fork_wait(stub_child, (void *)&cases[i].p);
		bool ok = cases[i].code ? WIFEXITED(st) && WEXITSTATUS(st) == cases[i].code
					: WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;

		if (!ok)
			diag("case %zu (%s): child status %#x", i, cases[i].p.action, st);
		CHECK(ok);
	}
	return 0;
}
#endif

int main(void)
{
	printf("TAP version 13\n");
	if (geteuid() != 0) {
		/* loading a filter without no_new_privs needs CAP_SYS_ADMIN */
		printf("1..0 # SKIP needs root\n");
		return 77;
	}
#ifdef __x86_64__
	run("ERRNO default: ENOSYS above the highest named syscall, the default below",
	    test_errno_default);
	run("x32 and i386 numbers have their own highest", test_modes);
	run("which default actions get the stub", test_when);
	return done_testing();
#else
	printf("1..0 # SKIP the syscall numbers are x86_64's\n");
	return 77;
#endif
}
