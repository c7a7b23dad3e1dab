/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name tables of the spec's enums: the parser validates against them and
 * features.c reports them, so the two can never disagree.
 */
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/spec.h"
#include "utils.h"

static const struct {
	const char *name;
	int flag;
} ns_table[HUSK_NS_N] = {
    [HUSK_NS_PID] = {"pid", CLONE_NEWPID},
    [HUSK_NS_NETWORK] = {"network", CLONE_NEWNET},
    [HUSK_NS_MOUNT] = {"mount", CLONE_NEWNS},
    [HUSK_NS_IPC] = {"ipc", CLONE_NEWIPC},
    [HUSK_NS_UTS] = {"uts", CLONE_NEWUTS},
    [HUSK_NS_USER] = {"user", CLONE_NEWUSER},
    [HUSK_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP},
    [HUSK_NS_TIME] = {"time", 0x00000080 /* CLONE_NEWTIME */},
};

const char *husk_ns_name(enum husk_ns_type t)
{
	return (unsigned)t < HUSK_NS_N ? ns_table[t].name : NULL;
}

int husk_ns_clone_flag(enum husk_ns_type t)
{
	return (unsigned)t < HUSK_NS_N ? ns_table[t].flag : 0;
}

int husk_ns_from_name(const char *name)
{
	for (int i = 0; i < HUSK_NS_N; i++)
		if (strcmp(name, ns_table[i].name) == 0)
			return i;
	return -1;
}

static const char *const hook_names[HUSK_HOOK_N] = {
    [HUSK_HOOK_PRESTART] = "prestart",
    [HUSK_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HUSK_HOOK_CREATE_CONTAINER] = "createContainer",
    [HUSK_HOOK_START_CONTAINER] = "startContainer",
    [HUSK_HOOK_POSTSTART] = "poststart",
    [HUSK_HOOK_POSTSTOP] = "poststop",
};

const char *husk_hook_name(enum husk_hook_kind k)
{
	return (unsigned)k < HUSK_HOOK_N ? hook_names[k] : NULL;
}

/* clang-format off */
#define TABLE(name, ...)                                                                           \
	static const struct husk_name_value name##_v[] = {__VA_ARGS__};                            \
	const struct husk_table name = {name##_v, ARRAY_SIZE(name##_v)}
#define E(x) {#x, x}

TABLE(husk_rlimit_table, E(RLIMIT_AS), E(RLIMIT_CORE), E(RLIMIT_CPU), E(RLIMIT_DATA),
      E(RLIMIT_FSIZE), E(RLIMIT_LOCKS), E(RLIMIT_MEMLOCK), E(RLIMIT_MSGQUEUE), E(RLIMIT_NICE),
      E(RLIMIT_NOFILE), E(RLIMIT_NPROC), E(RLIMIT_RSS), E(RLIMIT_RTPRIO), E(RLIMIT_RTTIME),
      E(RLIMIT_SIGPENDING), E(RLIMIT_STACK));

/* linux/sched.h numbers (SCHED_ISO is reserved by the kernel, listed by the spec) */
TABLE(husk_sched_policy_table, {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},
      {"SCHED_BATCH", 3}, {"SCHED_ISO", 4}, {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6});

TABLE(husk_sched_flag_table, {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},
      {"SCHED_FLAG_DL_OVERRUN", 0x04}, {"SCHED_FLAG_KEEP_POLICY", 0x08},
      {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
      {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40});

TABLE(husk_ioprio_class_table, {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2},
      {"IOPRIO_CLASS_IDLE", 3});

/* personality(2): PER_LINUX, PER_LINUX32 */
TABLE(husk_personality_table, {"LINUX", 0x0000}, {"LINUX32", 0x0008});

/* rootfsPropagation: the spec's four plus runc's recursive forms (MS_* values) */
TABLE(husk_propagation_table, {"shared", 1 << 20}, {"slave", 1 << 19}, {"private", 1 << 18},
      {"unbindable", 1 << 17}, {"rshared", (1 << 20) | 16384}, {"rslave", (1 << 19) | 16384},
      {"rprivate", (1 << 18) | 16384}, {"runbindable", (1 << 17) | 16384});

/* values: enum husk_seccomp_op */
TABLE(husk_seccomp_op_table, {"SCMP_CMP_NE", HUSK_SCMP_CMP_NE}, {"SCMP_CMP_LT", HUSK_SCMP_CMP_LT},
      {"SCMP_CMP_LE", HUSK_SCMP_CMP_LE}, {"SCMP_CMP_EQ", HUSK_SCMP_CMP_EQ},
      {"SCMP_CMP_GE", HUSK_SCMP_CMP_GE}, {"SCMP_CMP_GT", HUSK_SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", HUSK_SCMP_CMP_MASKED_EQ});

/* values: the SECCOMP_RET_* action (without data) */
TABLE(husk_seccomp_action_table, {"SCMP_ACT_KILL", 0x00000000}, {"SCMP_ACT_KILL_PROCESS", 0x80000000},
      {"SCMP_ACT_KILL_THREAD", 0x00000000}, {"SCMP_ACT_TRAP", 0x00030000},
      {"SCMP_ACT_ERRNO", 0x00050000}, {"SCMP_ACT_TRACE", 0x7ff00000},
      {"SCMP_ACT_ALLOW", 0x7fff0000}, {"SCMP_ACT_LOG", 0x7ffc0000},
      {"SCMP_ACT_NOTIFY", 0x7fc00000});

/* values: the AUDIT_ARCH_* the name stands for */
TABLE(husk_seccomp_arch_table, {"SCMP_ARCH_X86", 0x40000003}, {"SCMP_ARCH_X86_64", 0xc000003e},
      {"SCMP_ARCH_X32", 0x4000003e}, {"SCMP_ARCH_ARM", 0x40000028},
      {"SCMP_ARCH_AARCH64", 0xc00000b7}, {"SCMP_ARCH_MIPS", 0x00000008},
      {"SCMP_ARCH_MIPS64", 0x80000008}, {"SCMP_ARCH_MIPS64N32", 0xa0000008},
      {"SCMP_ARCH_MIPSEL", 0x40000008}, {"SCMP_ARCH_MIPSEL64", 0xc0000008},
      {"SCMP_ARCH_MIPSEL64N32", 0xe0000008}, {"SCMP_ARCH_PPC", 0x00000014},
      {"SCMP_ARCH_PPC64", 0x80000015}, {"SCMP_ARCH_PPC64LE", 0xc0000015},
      {"SCMP_ARCH_S390", 0x00000016}, {"SCMP_ARCH_S390X", 0x80000016},
      {"SCMP_ARCH_PARISC", 0x0000000f}, {"SCMP_ARCH_PARISC64", 0x8000000f},
      {"SCMP_ARCH_RISCV64", 0xc00000f3}, {"SCMP_ARCH_LOONGARCH64", 0xc0000102},
      {"SCMP_ARCH_M68K", 0x00000004});

/* values: SECCOMP_FILTER_FLAG_* */
TABLE(husk_seccomp_flag_table, {"SECCOMP_FILTER_FLAG_TSYNC", 1}, {"SECCOMP_FILTER_FLAG_LOG", 2},
      {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4}, {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32});

/* set_mempolicy(2) modes and mode flags */
TABLE(husk_mpol_mode_table, {"MPOL_DEFAULT", 0}, {"MPOL_PREFERRED", 1}, {"MPOL_BIND", 2},
      {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4}, {"MPOL_PREFERRED_MANY", 5},
      {"MPOL_WEIGHTED_INTERLEAVE", 6});
TABLE(husk_mpol_flag_table, {"MPOL_F_NUMA_BALANCING", 1 << 13}, {"MPOL_F_RELATIVE_NODES", 1 << 14},
      {"MPOL_F_STATIC_NODES", 1 << 15});

/* clang-format on */

const struct husk_name_value *husk_table_find(const struct husk_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}
