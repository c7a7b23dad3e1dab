/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd cgroup driver's pure part (cgroup/systemd-props.c), no D-Bus:
 * cgroupsPath `slice:prefix:name` to the unit and its cgroup, linux.resources
 * and `org.systemd.property.*` annotations to unit properties, as runc 1.1
 * makes them.  Runs as any user.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "cgroup/systemd.h"

static int n_tests, n_failed;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - ", cond ? "" : "not ", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* in -> "slice unit path", or NULL: refused */
static void path_case(const char *in, const char *id, const char *want)
{
	struct cg_sd_unit u;
	struct husk_error e = {0};
	char got[512] = "";
	int r = cg_sd_parse_path(in, id, &u, &e);

	if (r == 0)
		snprintf(got, sizeof got, "%s %s %s", u.slice, u.name, u.path);
	if (want)
		ok(r == 0 && strcmp(got, want) == 0, "cgroupsPath `%s` -> `%s` (got `%s`)",
		   in ? in : "(none)", want, r == 0 ? got : e.msg);
	else
		ok(r < 0 && e.msg, "cgroupsPath `%s` refused: %s", in,
		   e.msg ? e.msg : "(accepted)");
	if (r == 0)
		cg_sd_unit_clear(&u);
	husk_error_clear(&e);
}

static void test_paths(void)
{
	path_case(NULL, "abc", "system.slice husk-abc.scope /system.slice/husk-abc.scope");
	path_case("", "abc", "system.slice husk-abc.scope /system.slice/husk-abc.scope");
	path_case("system.slice:docker:abc", "x",
		  "system.slice docker-abc.scope /system.slice/docker-abc.scope");
	path_case(":cri-containerd:x", "x",
		  "system.slice cri-containerd-x.scope /system.slice/cri-containerd-x.scope");
	path_case("machine.slice:libpod:123", "x",
		  "machine.slice libpod-123.scope /machine.slice/libpod-123.scope");
	path_case("-.slice:p:n", "x", "-.slice p-n.scope /p-n.scope");
	path_case("kubepods-burstable-pod1.slice:cri-containerd:c1", "x",
		  "kubepods-burstable-pod1.slice cri-containerd-c1.scope "
		  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
		  "cri-containerd-c1.scope");
	/* runc's getUnitName: prefix + "-" + name even with an empty prefix */
	path_case("system.slice::n", "x", "system.slice -n.scope /system.slice/-n.scope");
	path_case("a:b:c:d", "x", NULL);
	path_case("/husk-test/x", "x", NULL);
	path_case("notaslice:p:n", "x", NULL);
	path_case("a--b.slice:p:n", "x", NULL);
	path_case("-a.slice:p:n", "x", NULL);
	path_case("a-.slice:p:n", "x", NULL);
	path_case("a/b.slice:p:n", "x", NULL);
	path_case("system.slice:p:", "x", NULL);
	path_case("system.slice:p:a/b", "x", NULL);
	path_case("system.slice:p:my.slice", "x", NULL);
}

/* every property as text, joined by ", " */
static char *props_text(const struct cg_sd_props *p)
{
	size_t len = 1;
	char *out;
	char **t = calloc(p->n + 1, sizeof *t);

	for (size_t i = 0; i < p->n; i++) {
		t[i] = cg_sd_prop_text(&p->v[i]);
		len += strlen(t[i]) + 2;
	}
	out = calloc(1, len);
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			strcat(out, ", ");
		strcat(out, t[i]);
		free(t[i]);
	}
	free(t);
	return out;
}

static void res_case(const char *what, const struct husk_resources *r, bool v2, const char *want)
{
	struct cg_sd_props p = {0};
	struct husk_error e = {0};
	int rc = cg_sd_resource_props(r, v2, &p, &e);
	char *got = rc == 0 ? props_text(&p) : NULL;

	if (want)
		ok(rc == 0 && strcmp(got, want) == 0, "%s: `%s` (got `%s`)", what, want,
		   got ? got : e.msg);
	else
		ok(rc < 0 && e.msg, "%s: refused: %s", what, e.msg ? e.msg : "(accepted)");
	free(got);
	cg_sd_props_clear(&p);
	husk_error_clear(&e);
}

static void test_resources(void)
{
	struct husk_resources r = {0};

	res_case("no resources", NULL, true, "");
	r.has_memory = true;
	r.memory.has_limit = r.memory.has_swap = r.memory.has_reservation = true;
	r.memory.limit = 67108864;
	r.memory.swap = 100663296;
	r.memory.reservation = 33554432;
	r.has_cpu = true;
	r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = true;
	r.cpu.shares = 512;
	r.cpu.quota = 50000;
	r.cpu.period = 100000;
	r.cpu.cpus = "0-2,9";
	r.cpu.mems = "0";
	r.has_pids = r.has_pids_limit = true;
	r.pids_limit = 64;
	r.has_blkio = true;
	r.blkio.has_weight = true;
	r.blkio.weight = 500;
	res_case("v2", &r, true,
		 "MemoryMax=t 67108864, MemoryLow=t 33554432, MemorySwapMax=t 33554432, "
		 "CPUWeight=t 20, CPUQuotaPeriodUSec=t 100000, CPUQuotaPerSecUSec=t 500000, "
		 "AllowedCPUs=ay [7 2], AllowedMemoryNodes=ay [1], TasksMax=t 64, IOWeight=t 4950");
	res_case("v1", &r, false,
		 "MemoryLimit=t 67108864, CPUShares=t 512, CPUQuotaPeriodUSec=t 100000, "
		 "CPUQuotaPerSecUSec=t 500000, AllowedCPUs=ay [7 2], AllowedMemoryNodes=ay [1], "
		 "TasksMax=t 64, BlockIOWeight=t 500");

	memset(&r, 0, sizeof r);
	r.has_memory = true;
	r.memory.has_limit = r.memory.has_swap = true;
	r.memory.limit = -1;
	r.memory.swap = -1;
	r.has_cpu = true;
	r.cpu.has_quota = true;
	r.cpu.quota = 12345; /* 123450 us per s, rounded up to 10 ms (runc) */
	r.has_pids = r.has_pids_limit = true;
	r.pids_limit = -1;
	res_case("-1 is infinity; a quota without period uses 100 ms, rounded up to 10 ms", &r,
		 true,
		 "MemoryMax=t 18446744073709551615, MemorySwapMax=t 18446744073709551615, "
		 "CPUQuotaPerSecUSec=t 130000, TasksMax=t 18446744073709551615");

	memset(&r, 0, sizeof r);
	r.has_memory = true;
	r.memory.has_limit = r.memory.has_swap = true;
	r.memory.limit = 0; /* Docker's 0: leave alone */
	r.has_pids = r.has_pids_limit = true;
	r.pids_limit = 0;
	res_case("0 leaves memory and pids alone", &r, true, "");

	r.memory.limit = 1 << 20;
	r.memory.swap = 1 << 19;
	res_case("swap below the memory limit", &r, true, NULL);

	memset(&r, 0, sizeof r);
	r.has_cpu = true;
	r.cpu.cpus = "0-x";
	res_case("bad cpus list", &r, true, NULL);
}

static void ann_case(const char *key, const char *value, const char *want)
{
	struct husk_kv kv[2] = {{(char *)"org.opencontainers.other", (char *)"x"},
				{(char *)key, (char *)value}};
	struct cg_sd_props p = {0};
	struct husk_error e = {0};
	int rc = cg_sd_annotation_props(kv, 2, &p, &e);
	char *got = rc == 0 ? props_text(&p) : NULL;

	if (want)
		ok(rc == 0 && strcmp(got, want) == 0, "%s=%s -> `%s` (got `%s`)", key, value, want,
		   got ? got : e.msg);
	else
		ok(rc < 0 && e.msg && strstr(e.msg, "config.json: annotations.") == e.msg,
		   "%s=%s refused: %s", key, value, e.msg ? e.msg : "(accepted)");
	free(got);
	cg_sd_props_clear(&p);
	husk_error_clear(&e);
}

static void test_annotations(void)
{
	const char *k = "org.systemd.property.TimeoutStopUSec";

	ann_case(k, "uint64 123456789", "TimeoutStopUSec=t 123456789");
	ann_case(k, "@t 5", "TimeoutStopUSec=t 5");
	/* GVariant text: an untyped number is an int32 (systemd then refuses it, as with runc) */
	ann_case(k, "5", "TimeoutStopUSec=i 5");
	/* runc: ...Sec is ...USec in microseconds */
	ann_case("org.systemd.property.TimeoutStopSec", "uint64 7", "TimeoutStopUSec=t 7000000");
	ann_case("org.systemd.property.TimeoutStopSec", "1.5", "TimeoutStopUSec=t 1500000");
	ann_case("org.systemd.property.RuntimeMaxSec", "'x'", NULL);
	ann_case("org.systemd.property.CollectMode", "'inactive-or-failed'",
		 "CollectMode=s 'inactive-or-failed'");
	ann_case("org.systemd.property.CollectMode", "\"a 'b'\"", "CollectMode=s 'a 'b''");
	ann_case("org.systemd.property.SendSIGHUP", "true", "SendSIGHUP=b 1");
	ann_case("org.systemd.property.SendSIGHUP", "boolean false", "SendSIGHUP=b 0");
	ann_case("org.systemd.property.Wants", "['a.service', 'b.service']",
		 "Wants=as ['a.service' 'b.service']");
	ann_case("org.systemd.property.CPUWeight", "uint64 -1", NULL);
	ann_case("org.systemd.property.CPUWeight", "uint32 4294967296", NULL);
	ann_case("org.systemd.property.lower", "true", NULL);
	ann_case("org.systemd.property.CPU1", "true", NULL);
	ann_case("org.systemd.property.AB", "true", NULL);
	ann_case("org.systemd.property.CollectMode", "inactive", NULL);
	ann_case("org.systemd.property.CollectMode", "'unterminated", NULL);
}

int main(void)
{
	test_paths();
	test_resources();
	test_annotations();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
