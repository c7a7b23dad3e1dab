/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 has no devices controller: the rules become an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup, as
 * runc and crun do.  The program checks the rules from the last to the
 * first (the last match wins) and falls back to the default that the last
 * "a" rule set.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *nv = realloc(p->v, ncap * sizeof *nv);
		if (nv == NULL)
			abort();
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	p->n++;
}

/* r2 = device type, r3 = access, r4 = major, r5 = minor (from struct bpf_cgroup_dev_ctx) */
static void prologue(struct prog *p)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
}

static void ret(struct prog *p, bool allow)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/*
 * One rule: a run of "jump past this block unless it matches", then the
 * verdict.  An allow rule covers a request whose access it holds entirely;
 * a deny rule one that asks for any access it names.
 */
static void rule_block(struct prog *p, const struct cg_dev_rule *r)
{
	bool access = r->access != CG_DEV_RWM;
	size_t start = p->n, size = 2;

	size += (r->type != 'a') + (r->major >= 0) + (r->minor >= 0) + (access ? 3 : 0);
	/* a failed check jumps to the first instruction after the block */
#define SKIP ((int16_t)(size - (p->n - start) - 1))
	if (r->type != 'a')
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, SKIP,
		     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if (r->major >= 0)
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, SKIP, (int32_t)r->major);
	if (r->minor >= 0)
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, SKIP, (int32_t)r->minor);
	if (access) {
		emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		if (r->allow) {
			emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
			     (int32_t)(~r->access & CG_DEV_RWM));
			emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, SKIP, 0);
		} else {
			emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)r->access);
			emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, SKIP, 0);
		}
	}
#undef SKIP
	ret(p, r->allow);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int cg_v2_devices_apply(struct cg_dir *d, const struct husk_resources *res, struct husk_error *err)
{
	cleanup_free struct cg_dev_rule *rules = NULL;
	struct prog p = {0};
	cleanup_close int prog_fd = -1, dir_fd = -1;
	size_t n = 0, first = 0;
	bool deflt = false;
	union bpf_attr attr;
	char log[4096] = "";

	if (cg_device_rules(res, &rules, &n, err) < 0)
		return -1;
	/* an "a" rule wipes everything before it and sets the default */
	for (size_t i = 0; i < n; i++) {
		if (rules[i].type == 'a' && rules[i].major < 0 && rules[i].minor < 0) {
			first = i + 1;
			deflt = rules[i].allow;
		}
	}
	prologue(&p);
	for (size_t i = n; i > first; i--) {
		const struct cg_dev_rule *r = &rules[i - 1];
		/* under allow-all an allow rule changes nothing (and likewise deny) */
		if (r->allow == deflt)
			continue;
		rule_block(&p, r);
	}
	ret(&p, deflt);

	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p.v;
	attr.insn_cnt = (uint32_t)p.n;
	attr.license = (uint64_t)(uintptr_t) "Apache";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof log;
	attr.log_level = 1;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (prog_fd < 0 && errno == ENOSPC) {
		/* the verifier log did not fit: load again without it */
		attr.log_buf = 0;
		attr.log_size = 0;
		attr.log_level = 0;
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	free(p.v);
	if (prog_fd < 0)
		return husk_error_errno(err, "load the device filter (%zu rules) for `%s`%s%s", n,
					d->path, log[0] ? ": " : "", log);
	dir_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_errno(err, "open `%s`", d->path);
	memset(&attr, 0, sizeof attr);
	attr.target_fd = (uint32_t)dir_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* ALLOW_MULTI like runc: a nested cgroup (systemd, docker-in-docker) can add its own */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return husk_error_errno(err, "attach the device filter to `%s`", d->path);
	/* the attachment holds the program: our fd can go */
	return 0;
}
