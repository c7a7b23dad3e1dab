/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process attributes (caps.c, user.c, rlimits.c, sched.c, sysctl.c), each case
 * applied in a forked child and checked from the kernel's view of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "internal.h"
#include "plan/plan.h"

/* The spec's name lists through the plan (the one place names become masks), then applied. */
static int caps_prepare(const struct husk_caps *c, struct husk_error *e)
{
	struct husk_cap_masks m;

	husk_plan_caps(c, husk_caps_kernel_last(), &m);
	return husk_caps_prepare(c ? &m : NULL, e);
}

static int caps_apply(const struct husk_caps *c, struct husk_error *e)
{
	struct husk_cap_masks m;

	husk_plan_caps(c, husk_caps_kernel_last(), &m);
	return husk_caps_apply(c ? &m : NULL, e);
}

static int n_tests, n_failed;
static int diag_fd = 2; /* where a child reports why it failed */

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(diag_fd, "# ");
	vdprintf(diag_fd, fmt, ap);
	dprintf(diag_fd, "\n");
	va_end(ap);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

#define CHECK_OK(call)                                                                             \
	do {                                                                                       \
		if ((call) < 0) {                                                                  \
			diag("%s:%d: %s failed: %s", __FILE__, __LINE__, #call,                    \
			     e.msg ? e.msg : "?");                                                 \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

/* Run `fn` in a forked child (so that nothing it changes reaches us). */
static void run(const char *name, int (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn() == 0 ? 0 : 1);
	n_tests++;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		n_failed++;
		printf("not ok %d - %s\n", n_tests, name);
	} else {
		printf("ok %d - %s\n", n_tests, name);
	}
	fflush(stdout);
}

/* Expect `rc` < 0 with exactly `msg`. */
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

/* The value of `key:` in /proc/self/status, into buf. */
static int status_field(const char *key, char *buf, size_t size)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, size, "%s", v);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static uint64_t status_caps(const char *key)
{
	char buf[64];

	if (status_field(key, buf, sizeof(buf)) < 0)
		return UINT64_MAX;
	return strtoull(buf, NULL, 16);
}

#define BIT(c) (UINT64_C(1) << (c))

/* ---- caps ---- */

static int test_cap_table(void)
{
	int c;

	CHECK(husk_cap_last() == 40);
	CHECK(husk_cap_from_name("CAP_CHOWN") == 0);
	CHECK(husk_cap_from_name("CAP_SYS_ADMIN") == 21);
	CHECK(husk_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40);
	CHECK(husk_cap_from_name("CAP_BOGUS") == -1);
	CHECK(husk_cap_from_name("chown") == -1);
	CHECK(husk_cap_from_name(NULL) == -1);
	CHECK(husk_cap_name(-1) == NULL);
	CHECK(husk_cap_name(41) == NULL);
	CHECK(strcmp(husk_cap_name(31), "CAP_SETFCAP") == 0);
	for (c = 0; c <= husk_cap_last(); c++)
		CHECK(husk_cap_from_name(husk_cap_name(c)) == c);
	return 0;
}

/* Make 0, 1, 2 a fresh pipe (never chown the caller's terminal), diag to a dup of stderr. */
static int private_stdio(void)
{
	int p[2];

	diag_fd = dup(2);
	CHECK(diag_fd > 2);
	CHECK(pipe(p) == 0);
	CHECK(dup2(p[0], 0) == 0 && dup2(p[1], 1) == 1 && dup2(p[1], 2) == 2);
	return 0;
}

static int test_caps_user(void)
{
	char *bounding[] = {"CAP_CHOWN",   "CAP_KILL",	"CAP_NET_BIND_SERVICE",
			    "CAP_NET_RAW", "CAP_BOGUS", NULL};
	char *permitted[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
	char *effective[] = {"CAP_CHOWN", "CAP_KILL", NULL};
	char *inheritable[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
	/* CAP_CHOWN is not inheritable: skipped like runc (which only warns) */
	char *ambient[] = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN", "UNKNOWN", NULL};
	struct husk_caps caps = {.bounding = bounding,
				 .effective = effective,
				 .permitted = permitted,
				 .inheritable = inheritable,
				 .ambient = ambient};
	uint32_t gids[] = {1001, 2002};
	struct husk_user u = {.uid = 1000,
			      .gid = 1000,
			      .has_umask = true,
			      .umask = 027,
			      .additional_gids = gids,
			      .n_additional_gids = 2};
	struct husk_error e = {0};
	struct stat st;
	char buf[256];

	CHECK(private_stdio() == 0);
	CHECK_OK(caps_prepare(&caps, &e));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
	CHECK(status_caps("CapBnd") ==
	      (BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW)));
	CHECK_OK(husk_user_apply(&u, &e));
	CHECK_OK(caps_apply(&caps, &e));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);

	CHECK(status_caps("CapPrm") ==
	      (BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE)));
	CHECK(status_caps("CapEff") == (BIT(CAP_CHOWN) | BIT(CAP_KILL)));
	CHECK(status_caps("CapInh") == (BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE)));
	CHECK(status_caps("CapAmb") == BIT(CAP_NET_BIND_SERVICE));
	CHECK(status_caps("CapBnd") ==
	      (BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW)));

	CHECK(status_field("Uid", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "1000\t1000\t1000\t1000") == 0);
	CHECK(status_field("Gid", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "1000\t1000\t1000\t1000") == 0);
	CHECK(status_field("Groups", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "1001 2002 ") == 0 || strcmp(buf, "1001 2002") == 0);
	CHECK(umask(0) == 027);
	/* stdio was handed to the new user */
	CHECK(fstat(1, &st) == 0 && st.st_uid == 1000);
	return 0;
}

static int test_caps_empty(void)
{
	char *none[] = {NULL};
	struct husk_caps caps = {.bounding = none,
				 .effective = none,
				 .permitted = none,
				 .inheritable = none,
				 .ambient = none};
	struct husk_user u = {.uid = 0, .gid = 0};
	struct husk_error e = {0};
	char buf[64];

	CHECK_OK(caps_prepare(&caps, &e));
	CHECK_OK(husk_user_apply(&u, &e));
	CHECK_OK(caps_apply(&caps, &e));
	CHECK(status_caps("CapBnd") == 0);
	CHECK(status_caps("CapPrm") == 0);
	CHECK(status_caps("CapEff") == 0);
	CHECK(status_caps("CapInh") == 0);
	CHECK(status_caps("CapAmb") == 0);
	CHECK(status_field("Groups", buf, sizeof(buf)) == 0);
	CHECK(buf[0] == '\0');
	/* no umask given: runc's 0022 */
	CHECK(umask(0) == 022);
	return 0;
}

/* process.capabilities absent (NULL): like runc 1.1, no capabilities at all. */
static int test_caps_absent(void)
{
	struct husk_user u = {.uid = 0, .gid = 0};
	struct husk_error e = {0};

	CHECK(status_caps("CapBnd") != 0 && status_caps("CapEff") != 0);
	CHECK_OK(caps_prepare(NULL, &e));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
	CHECK_OK(husk_user_apply(&u, &e));
	CHECK_OK(caps_apply(NULL, &e));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
	CHECK(status_caps("CapBnd") == 0);
	CHECK(status_caps("CapPrm") == 0);
	CHECK(status_caps("CapEff") == 0);
	CHECK(status_caps("CapInh") == 0);
	CHECK(status_caps("CapAmb") == 0);
	return 0;
}

/* Without CAP_SETPCAP the bounding set cannot shrink: an error, not a silent no-op. */
static int test_caps_bounding_eperm(void)
{
	char *bounding[] = {"CAP_CHOWN", NULL};
	char *eff[] = {"CAP_CHOWN", "CAP_SYS_ADMIN", NULL};
	struct husk_caps caps = {.bounding = bounding};
	struct husk_caps drop_setpcap = {.effective = eff, .permitted = eff};
	struct husk_error e = {0};

	CHECK_OK(caps_apply(&drop_setpcap, &e));
	/* CAP_DAC_OVERRIDE (1) is the first cap still in the bounding set */
	return expect_error(
	    caps_prepare(&caps, &e), &e,
	    "drop `CAP_DAC_OVERRIDE` from the bounding set: Operation not permitted");
}

/* ---- user ---- */

static int test_user_errors(void)
{
	struct husk_user u = {.uid = 1000, .gid = 1000};
	struct husk_user back = {.uid = 0, .gid = 0};
	struct husk_error e = {0};

	CHECK(private_stdio() == 0);
	CHECK_OK(husk_user_apply(&u, &e));
	/* without KEEPCAPS the switch dropped every cap: no way back */
	CHECK(status_caps("CapEff") == 0 && status_caps("CapPrm") == 0);
	return expect_error(husk_user_apply(&back, &e), &e, "setgroups: Operation not permitted");
}

/* ---- rlimits ---- */

static int test_rlimits(void)
{
	struct husk_rlimit v[] = {
	    {.type_name = "RLIMIT_NOFILE", .type = RLIMIT_NOFILE, .soft = 512, .hard = 768},
	    {.type_name = "RLIMIT_CORE", .type = RLIMIT_CORE, .soft = 0, .hard = 4096},
	};
	struct husk_rlimit up = {
	    .type_name = "RLIMIT_NOFILE", .type = RLIMIT_NOFILE, .soft = 512, .hard = 769};
	struct husk_rlimit bad = {
	    .type_name = "RLIMIT_CORE", .type = RLIMIT_CORE, .soft = 10, .hard = 5};
	struct husk_error e = {0};
	struct rlimit rl;

	CHECK_OK(husk_rlimits_apply(v, 2, &e));
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 512 && rl.rlim_max == 768);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == 4096);
	CHECK(husk_rlimits_apply(NULL, 0, &e) == 0);
	/* soft above hard */
	CHECK(expect_error(husk_rlimits_apply(&bad, 1, &e), &e,
			   "setrlimit `RLIMIT_CORE`: Invalid argument") == 0);
	/* raising the hard limit needs CAP_SYS_RESOURCE, which we drop first */
	CHECK(prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) == 0 || errno == EINVAL);
	{
		char *all_but[] = {"CAP_CHOWN", NULL};
		struct husk_caps c = {.effective = all_but, .permitted = all_but};

		CHECK_OK(caps_apply(&c, &e));
	}
	return expect_error(husk_rlimits_apply(&up, 1, &e), &e,
			    "setrlimit `RLIMIT_NOFILE`: Operation not permitted");
}

/* ---- sched ---- */

struct sched_attr_v0 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static int test_scheduler(void)
{
	struct husk_process p = {
	    .has_scheduler = true,
	    .scheduler = {.policy = "SCHED_BATCH",
			  .policy_value = SCHED_BATCH,
			  .nice = 7,
			  .has_nice = true},
	    .has_io_priority = true,
	    .io_priority = {.class_name = "IOPRIO_CLASS_BE", .class_value = 2, .priority = 6},
	};
	struct husk_process bad = {
	    .has_scheduler = true,
	    .scheduler = {.policy = "SCHED_BOGUS", .policy_value = 99},
	};
	struct husk_process badio = {
	    .has_io_priority = true,
	    .io_priority = {.class_name = "IOPRIO_CLASS_BOGUS", .class_value = 7, .priority = 0},
	};
	struct sched_attr_v0 attr = {0};
	struct husk_error e = {0};

	CHECK_OK(husk_sched_apply(&p, &e));
	CHECK(syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) == 0);
	CHECK(attr.policy == SCHED_BATCH);
	CHECK(attr.nice == 7);
	CHECK(attr.flags == 0);
	CHECK(syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0) == ((2 << 13) | 6));

	/* SCHED_FLAG_RESET_ON_FORK */
	p.scheduler = (struct husk_scheduler){
	    .policy = "SCHED_IDLE", .policy_value = SCHED_IDLE, .flags_value = 1};
	p.io_priority =
	    (struct husk_io_priority){.class_name = "IOPRIO_CLASS_IDLE", .class_value = 3};
	CHECK_OK(husk_sched_apply(&p, &e));
	CHECK(syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) == 0);
	CHECK(attr.policy == SCHED_IDLE);
	CHECK(attr.flags == 1);
	CHECK(syscall(SYS_ioprio_get, 1, 0) == (3 << 13));

	CHECK(expect_error(husk_sched_apply(&bad, &e), &e,
			   "sched_setattr policy `SCHED_BOGUS`: Invalid argument") == 0);
	return expect_error(husk_sched_apply(&badio, &e), &e,
			    "ioprio_set class `IOPRIO_CLASS_BOGUS` priority 0: Invalid argument");
}

static int test_personality(void)
{
	struct husk_linux l = {.has_personality = true, .personality_domain = "LINUX32"};
	struct husk_linux none = {0};
	struct husk_error e = {0};

	CHECK_OK(husk_personality_apply(&none, &e));
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX);
	CHECK_OK(husk_personality_apply(&l, &e));
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX32);
	l.personality_domain = "LINUX";
	CHECK_OK(husk_personality_apply(&l, &e));
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX);
	l.personality_domain = "WINDOWS";
	return expect_error(husk_personality_apply(&l, &e), &e,
			    "unknown personality domain `WINDOWS`");
}

static int test_cpu_affinity(void)
{
	static const char *const bad[] = {"",	  "a",	"0,",	",0",	 "1-0",	  "0-",
					  "0--1", "-1", "0 ,1", "0-1-2", "99999", "+1"};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct husk_error e = {0};
	char msg[64];
	cpu_set_t set;
	size_t i;

	CHECK_OK(husk_cpu_affinity_apply("0", &e));
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
	CHECK(CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set));
	if (ncpu >= 2) {
		CHECK_OK(husk_cpu_affinity_apply("0-1", &e));
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK(CPU_COUNT(&set) == 2 && CPU_ISSET(0, &set) && CPU_ISSET(1, &set));
		CHECK_OK(husk_cpu_affinity_apply("1,0-0", &e));
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK(CPU_COUNT(&set) == 2);
		CHECK_OK(husk_cpu_affinity_apply("1", &e));
		CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
		CHECK(CPU_COUNT(&set) == 1 && CPU_ISSET(1, &set));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(msg, sizeof(msg), "invalid cpu list `%s`", bad[i]);
		CHECK(expect_error(husk_cpu_affinity_apply(bad[i], &e), &e, msg) == 0);
	}
	/* valid syntax, no such cpu */
	return expect_error(husk_cpu_affinity_apply("4000", &e), &e,
			    "sched_setaffinity to cpus `4000`: Invalid argument");
}

static int test_oom_score_adj(void)
{
	struct husk_error e = {0};
	char buf[32];
	int fd, n, cur, want;

	fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	cur = atoi(buf);
	/* raise only: lowering needs CAP_SYS_RESOURCE */
	want = cur + 123 > 1000 ? 1000 : cur + 123;
	CHECK_OK(husk_oom_score_adj_apply(want, &e));
	fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(atoi(buf) == want);
	return expect_error(husk_oom_score_adj_apply(5000, &e), &e,
			    "set oom_score_adj to 5000: Invalid argument");
}

/* ---- sysctl (in new net and uts namespaces only: never the host's) ---- */

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int test_sysctl(void)
{
	static const char *const bad[] = {
	    "",	    ".",    "net..ipv4", "/etc/passwd", "../../etc/x", "net/../../etc",
	    "net.", ".net", "net//x"};
	struct husk_kv v[] = {
	    {.key = "net.ipv4.ip_forward", .value = "1"},
	    {.key = "kernel/domainname", .value = "husk.test"},
	    {.key = "net.ipv4.conf.lo.forwarding", .value = "1"},
	};
	struct husk_kv missing = {.key = "net.bogus.key", .value = "1"};
	struct husk_error e = {0};
	char buf[64], msg[128];
	size_t i;

	if (unshare(CLONE_NEWNET | CLONE_NEWUTS) < 0) {
		diag("unshare: %s", strerror(errno));
		return -1; /* never go on to write the host's sysctls */
	}
	CHECK(read_text("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "0") == 0);
	CHECK_OK(husk_sysctl_apply(v, ARRAY_SIZE(v), &e));
	CHECK(read_text("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "1") == 0);
	CHECK(read_text("/proc/sys/kernel/domainname", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "husk.test") == 0);
	CHECK(read_text("/proc/sys/net/ipv4/conf/lo/forwarding", buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "1") == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct husk_kv kv = {.key = (char *)bad[i], .value = "1"};

		snprintf(msg, sizeof(msg), "sysctl `%s`: invalid key", bad[i]);
		CHECK(expect_error(husk_sysctl_apply(&kv, 1, &e), &e, msg) == 0);
	}
	return expect_error(husk_sysctl_apply(&missing, 1, &e), &e,
			    "sysctl `net.bogus.key`: open `/proc/sys/net/bogus/key`: No such file "
			    "or directory");
}

int main(void)
{
	printf("TAP version 13\n");
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 77;
	}
	run("capability name table", test_cap_table);
	run("caps, uid/gid/groups, umask, stdio owner", test_caps_user);
	run("empty capability sets, default umask", test_caps_empty);
	run("no process.capabilities: no caps", test_caps_absent);
	run("bounding set without CAP_SETPCAP fails", test_caps_bounding_eperm);
	run("user switch without KEEPCAPS, setgroups error", test_user_errors);
	run("rlimits and their errors", test_rlimits);
	run("scheduler and io priority", test_scheduler);
	run("personality", test_personality);
	run("cpu affinity and cpu list syntax", test_cpu_affinity);
	run("oom_score_adj", test_oom_score_adj);
	run("sysctl in new net and uts namespaces", test_sysctl);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
