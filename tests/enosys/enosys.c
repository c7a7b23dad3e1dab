/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enosys [-s SYSCALL]... [--] COMMAND [ARG...]
 *
 * Runs COMMAND under a seccomp filter that makes the named system calls (by
 * default openat2 and clone3) fail with ENOSYS, as on a kernel that lacks
 * them, and allows everything else.  The filter is inherited by every child,
 * husk and its containers included, so the test command runs the suites once
 * more through it (style.md 14): the fallbacks (the O_NOFOLLOW component walk
 * for openat2, clone(2) for clone3) are held to the same tests.
 *
 * As root (CAP_SYS_ADMIN) no_new_privs is left off, so set-user-id programs
 * behave as without the filter.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: enosys [-s SYSCALL]... [--] COMMAND [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *names[64];
	size_t n = 0, i;
	scmp_filter_ctx ctx;
	int a = 1, r;

	while (a < argc && argv[a][0] == '-') {
		if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		}
		if (strcmp(argv[a], "-s") != 0 || a + 1 >= argc || n == 64)
			return usage();
		names[n++] = argv[a + 1];
		a += 2;
	}
	if (a >= argc)
		return usage();
	if (n == 0) {
		names[n++] = "openat2";
		names[n++] = "clone3";
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fprintf(stderr, "enosys: seccomp_init failed\n");
		return 1;
	}
	if (geteuid() == 0)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* other architectures' calls (x32, int 0x80) pass: the tests of husk's
	 * own filters make them, and expect husk's filter to answer */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	for (i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "enosys: unknown system call `%s`\n", names[i]);
			return 1;
		}
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0) {
			fprintf(stderr, "enosys: rule for `%s`: %s\n", names[i], strerror(-r));
			return 1;
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "enosys: load the filter: %s\n", strerror(-r));
		return 1;
	}
	execvp(argv[a], argv + a);
	fprintf(stderr, "enosys: exec `%s`: %s\n", argv[a], strerror(errno));
	return 127;
}
