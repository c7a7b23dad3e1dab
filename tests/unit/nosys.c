/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nosys SYSCALL[,SYSCALL]... COMMAND [ARG]...: run COMMAND with the named
 * system calls failing with ENOSYS (a seccomp filter, inherited by
 * everything it starts), as on a kernel without them.  The functional tests
 * use it to drive husk's fallbacks.  Exit 77 (skip) where it can't.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

static const struct {
	const char *name;
	long nr;
} table[] = {
    {"open_tree", __NR_open_tree},	 {"mount_setattr", __NR_mount_setattr},
    {"memfd_create", __NR_memfd_create}, {"execveat", __NR_execveat},
    {"openat2", __NR_openat2},		 {"clone3", __NR_clone3},
};

#define MAX_NR 16

int main(int argc, char **argv)
{
#ifdef ARCH
	struct sock_filter f[4 + 2 * MAX_NR];
	struct sock_fprog prog = {.filter = f};
	size_t n = 0, k = 0;
	char *list, *name, *save = NULL;
	long nrs[MAX_NR];

	if (argc < 3) {
		fprintf(stderr, "usage: nosys SYSCALL[,SYSCALL]... COMMAND [ARG]...\n");
		return 2;
	}
	list = strdup(argv[1]);
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			if (strcmp(table[i].name, name) == 0)
				break;
		if (i == sizeof(table) / sizeof(table[0]) || k == MAX_NR) {
			fprintf(stderr, "nosys: unknown system call `%s`\n", name);
			return 2;
		}
		nrs[k++] = table[i].nr;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < k; i++) {
		f[n++] =
		    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)nrs[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	/* root (CAP_SYS_ADMIN) needs no no_new_privs: don't change what COMMAND sees */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 &&
	    (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	     prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
		perror("nosys: seccomp");
		return 77;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nosys: exec `%s`: %s\n", argv[2], strerror(errno));
	return 127;
#else
	fprintf(stderr, "nosys: unsupported architecture\n");
	return 77;
#endif
}
