/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENOSYS stub (runc's patchbpf, libcontainer/seccomp/patchbpf in runc
 * 1.1): a profile whose default action refuses (an errno other than ENOSYS,
 * kill, trap) would give a syscall it has never heard of (newer than the
 * profile or than libseccomp) that errno; libc then takes it for a real
 * failure instead of falling back (clone3 -> clone, faccessat2 ->
 * faccessat).  So, as runc does, a few BPF instructions go in front of
 * libseccomp's filter: per architecture of linux.seccomp.architectures, a
 * syscall number above the highest one the profile names (any rule, any
 * action) returns ENOSYS; everything else goes on to the filter.
 *
 * As runc 1.1: no stub when the default action lets calls through
 * (SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_TRACE) or is ENOSYS itself; only
 * the listed architectures (none listed: no stub); on x86_64 the x32 ABI
 * (bit 30 of the number) has its own highest number, and a mode the profile
 * does not list goes to the filter (its bad-architecture action); on s390
 * and s390x syscall 0 (the multiplexer for large numbers) gets ENOSYS.
 */
#include "config.h"

#if HAVE_SECCOMP

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "security/seccomp-enosys.h"
#include "spec/spec.h"
#include "utils.h"

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_ARCHES 32
/* the stub's own size bound: every jump in it fits a conditional's 8 bits */
#define STUB_MAX 255

/* One audit architecture: its highest named syscall, per x86_64 mode. */
struct arch_max {
	uint32_t audit;
	bool has[2]; /* [0]: the plain (or x86_64) numbers, [1]: x32's */
	uint32_t max[2];
};

/*
 * Jump targets, resolved once the stub's length is known: the next
 * instruction, the ENOSYS return right after the stub, the filter after
 * that, or (>= 0) an instruction of the stub.
 */
enum { TO_NEXT = -1, TO_ENOSYS = -2, TO_FILTER = -3 };

struct stub {
	struct sock_filter insn[STUB_MAX];
	int jt_to[STUB_MAX], jf_to[STUB_MAX]; /* a conditional's targets */
	bool ja_filter[STUB_MAX];	      /* ja to the filter */
	size_t n;
	bool overflow;
};

static bool needs_stub(uint32_t def_action)
{
	if (def_action == SCMP_ACT_ALLOW || def_action == SCMP_ACT_LOG ||
	    def_action == SCMP_ACT_ERRNO(ENOSYS))
		return false;
	/* runc: a tracer should handle syscalls it does not know by itself */
	return (def_action & 0xffff0000u) != SCMP_ACT_TRACE(0);
}

static uint32_t highest_named(uint32_t arch, const struct husk_seccomp *s)
{
	uint32_t max = 0;

	for (size_t i = 0; i < s->n_syscalls; i++)
		for (char **n = s->syscalls[i].names; n && *n; n++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, *n);

			/* unknown names and libseccomp's pseudo-syscalls are negative */
			if (nr >= 0 && (uint32_t)nr > max)
				max = (uint32_t)nr;
		}
	return max;
}

/* The profile's architectures as audit architectures with their highest numbers. */
static size_t collect_arches(const struct husk_seccomp *s, struct arch_max *a)
{
	size_t n = 0;

	for (char **name = s->architectures; name && *name; name++) {
		const struct husk_name_value *nv = husk_table_find(&husk_seccomp_arch_table, *name);
		uint32_t arch, audit, max;
		int mode;
		size_t k;

		if (nv == NULL)
			continue; /* refused by the compile already */
		arch = (uint32_t)nv->value;
		/* SCMP_ARCH_X32 is libseccomp's own value: x32 runs as AUDIT_ARCH_X86_64 */
		mode = arch == SCMP_ARCH_X32;
		audit = mode ? AUDIT_ARCH_X86_64 : arch;
		max = highest_named(arch, s);
		if (max == 0)
			continue; /* runc: no syscall of the profile known there, no stub */
		for (k = 0; k < n && a[k].audit != audit; k++)
			;
		if (k == n) {
			if (n == MAX_ARCHES)
				break;
			a[n++] = (struct arch_max){.audit = audit};
		}
		a[k].has[mode] = true;
		a[k].max[mode] = max;
	}
	return n;
}

static size_t emit(struct stub *st, uint16_t code, uint32_t k, int jt, int jf)
{
	if (st->n == STUB_MAX) {
		st->overflow = true;
		return st->n - 1;
	}
	st->insn[st->n] = (struct sock_filter){.code = code, .k = k};
	st->jt_to[st->n] = jt;
	st->jf_to[st->n] = jf;
	st->ja_filter[st->n] = false;
	return st->n++;
}

static void emit_ja_filter(struct stub *st)
{
	size_t i = emit(st, BPF_JMP | BPF_JA, 0, TO_NEXT, TO_NEXT);

	st->ja_filter[i] = true;
}

/* nr > max: ENOSYS; else the filter */
static void emit_check(struct stub *st, bool has, uint32_t max)
{
	if (has)
		emit(st, BPF_JMP | BPF_JGT | BPF_K, max, TO_ENOSYS, TO_NEXT);
	emit_ja_filter(st);
}

/* One architecture: the accumulator holds seccomp_data.arch */
static void emit_arch(struct stub *st, const struct arch_max *a)
{
	size_t skip = emit(st, BPF_JMP | BPF_JEQ | BPF_K, a->audit, TO_NEXT, TO_NEXT), mode;

	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), TO_NEXT, TO_NEXT);
	if (a->audit == AUDIT_ARCH_S390 || a->audit == AUDIT_ARCH_S390X)
		emit(st, BPF_JMP | BPF_JEQ | BPF_K, 0, TO_ENOSYS, TO_NEXT);
	if (a->audit == AUDIT_ARCH_X86_64) {
		mode = emit(st, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, TO_NEXT, TO_NEXT);
		emit_check(st, a->has[0], a->max[0]);
		st->jt_to[mode] = (int)st->n;
		emit_check(st, a->has[1], a->max[1]);
	} else {
		emit_check(st, a->has[0], a->max[0]);
	}
	/* another architecture: on to the next check, the accumulator untouched */
	st->jf_to[skip] = (int)st->n;
}

/* A target as the offset from instruction i (forward only, under STUB_MAX). */
static uint8_t offset(const struct stub *st, size_t i, int to)
{
	size_t target = to == TO_ENOSYS	  ? st->n
			: to == TO_FILTER ? st->n + 1
			: to == TO_NEXT	  ? i + 1
					  : (size_t)to;

	return (uint8_t)(target - i - 1);
}

/* Resolve the targets, then the ENOSYS return: the filter follows it. */
static void resolve(struct stub *st)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->ja_filter[i]) {
			st->insn[i].k = offset(st, i, TO_FILTER);
			continue;
		}
		st->insn[i].jt = offset(st, i, st->jt_to[i]);
		st->insn[i].jf = offset(st, i, st->jf_to[i]);
	}
	emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, TO_NEXT, TO_NEXT);
}

/* libseccomp's program, as it would load it */
static struct sock_filter *export_bpf(scmp_filter_ctx ctx, size_t *n, struct husk_error *err)
{
	cleanup_close int fd = memfd_create("husk-seccomp-bpf", MFD_CLOEXEC);
	cleanup_free struct sock_filter *prog = NULL;
	struct stat sb;
	int rc;

	if (fd < 0)
		return husk_error_errno(err, "seccomp: memfd_create"), NULL;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		errno = -rc;
		return husk_error_errno(err, "seccomp: export the filter"), NULL;
	}
	if (fstat(fd, &sb) < 0)
		return husk_error_errno(err, "seccomp: stat the exported filter"), NULL;
	if (sb.st_size <= 0 || sb.st_size % (off_t)sizeof(*prog) != 0)
		return husk_error_set(err, EINVAL, "seccomp: exported filter of %lld bytes",
				      (long long)sb.st_size),
		       NULL;
	prog = xmalloc0((size_t)sb.st_size);
	if (pread(fd, prog, (size_t)sb.st_size, 0) != sb.st_size)
		return husk_error_errno(err, "seccomp: read the exported filter"), NULL;
	*n = (size_t)sb.st_size / sizeof(*prog);
	return steal_pointer(&prog);
}

int husk_seccomp_enosys_patch(scmp_filter_ctx ctx, const struct husk_seccomp *s,
			      uint32_t def_action, struct sock_filter **prog, unsigned short *len,
			      struct husk_error *err)
{
	struct arch_max arches[MAX_ARCHES];
	cleanup_free struct stub *st = NULL;
	cleanup_free struct sock_filter *filter = NULL;
	size_t n_arches, n_filter = 0;

	*prog = NULL;
	*len = 0;
	if (!needs_stub(def_action))
		return 0;
	n_arches = collect_arches(s, arches);
	if (n_arches == 0)
		return 0;
	st = xmalloc0(sizeof(*st));
	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), TO_NEXT, TO_NEXT);
	for (size_t i = 0; i < n_arches; i++)
		emit_arch(st, &arches[i]);
	emit_ja_filter(st); /* an architecture the profile does not list */
	resolve(st);
	if (st->overflow)
		return husk_error_set(err, E2BIG, "seccomp: ENOSYS stub too long");
	filter = export_bpf(ctx, &n_filter, err);
	if (filter == NULL)
		return -1;
	if (st->n + n_filter > BPF_MAXINSNS)
		return husk_error_set(
		    err, E2BIG,
		    "seccomp: the filter has %zu instructions with its ENOSYS stub, "
		    "more than the kernel takes (%d)",
		    st->n + n_filter, BPF_MAXINSNS);
	*prog = xmalloc0((st->n + n_filter) * sizeof(**prog));
	memcpy(*prog, st->insn, st->n * sizeof(**prog));
	memcpy(*prog + st->n, filter, n_filter * sizeof(**prog));
	*len = (unsigned short)(st->n + n_filter);
	return 0;
}

#endif /* HAVE_SECCOMP */
