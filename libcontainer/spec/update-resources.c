/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resources of the public update API (husk.h): a linux.resources read
 * by the one JSON parser, or built field by field from `husk update`'s
 * options, with the parser's range and cross-field checks either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "husk/husk.h"
#include "spec/json.h"
#include "spec/spec.h"
#include "utils.h"

struct husk_update_resources *husk_update_resources_read(const char *path, struct husk_error *err)
{
	struct husk_update_resources *u = xmalloc0(sizeof *u);
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r;

	if (path == NULL) {
		u->source = xstrdup("update options");
		return u;
	}
	if (strcmp(path, "-") == 0) {
		u->source = xstrdup("stdin");
		r = read_all(STDIN_FILENO, "stdin", &text, &len, err);
	} else {
		u->source = xstrdup(path);
		r = read_file_at(AT_FDCWD, path, &text, &len, err);
	}
	if (r < 0 || husk_resources_parse(text, len, u->source, &u->r, err) < 0) {
		husk_update_resources_free(u);
		return NULL;
	}
	return u;
}

void husk_update_resources_free(struct husk_update_resources *u)
{
	if (u == NULL)
		return;
	husk_resources_clear(&u->r);
	free(u->source);
	free(u);
}

enum kind { K_I64, K_U64, K_U16, K_STR };

/* The object a field is in: its has_ flag in struct husk_resources. */
enum group { G_MEMORY, G_CPU, G_PIDS, G_BLKIO };

static const struct field {
	const char *obj, *key;
	enum group group;
	enum kind kind;
	size_t off, has_off; /* in struct husk_resources; has_off 0: none */
} fields[] = {
    [HUSK_UPDATE_MEMORY_LIMIT] = {"memory", "limit", G_MEMORY, K_I64,
				  offsetof(struct husk_resources, memory.limit),
				  offsetof(struct husk_resources, memory.has_limit)},
    [HUSK_UPDATE_MEMORY_RESERVATION] = {"memory", "reservation", G_MEMORY, K_I64,
					offsetof(struct husk_resources, memory.reservation),
					offsetof(struct husk_resources, memory.has_reservation)},
    [HUSK_UPDATE_MEMORY_SWAP] = {"memory", "swap", G_MEMORY, K_I64,
				 offsetof(struct husk_resources, memory.swap),
				 offsetof(struct husk_resources, memory.has_swap)},
    [HUSK_UPDATE_CPU_SHARES] = {"cpu", "shares", G_CPU, K_U64,
				offsetof(struct husk_resources, cpu.shares),
				offsetof(struct husk_resources, cpu.has_shares)},
    [HUSK_UPDATE_CPU_QUOTA] = {"cpu", "quota", G_CPU, K_I64,
			       offsetof(struct husk_resources, cpu.quota),
			       offsetof(struct husk_resources, cpu.has_quota)},
    [HUSK_UPDATE_CPU_PERIOD] = {"cpu", "period", G_CPU, K_U64,
				offsetof(struct husk_resources, cpu.period),
				offsetof(struct husk_resources, cpu.has_period)},
    [HUSK_UPDATE_CPU_RT_RUNTIME] = {"cpu", "realtimeRuntime", G_CPU, K_I64,
				    offsetof(struct husk_resources, cpu.realtime_runtime),
				    offsetof(struct husk_resources, cpu.has_realtime_runtime)},
    [HUSK_UPDATE_CPU_RT_PERIOD] = {"cpu", "realtimePeriod", G_CPU, K_U64,
				   offsetof(struct husk_resources, cpu.realtime_period),
				   offsetof(struct husk_resources, cpu.has_realtime_period)},
    [HUSK_UPDATE_CPU_IDLE] = {"cpu", "idle", G_CPU, K_I64,
			      offsetof(struct husk_resources, cpu.idle),
			      offsetof(struct husk_resources, cpu.has_idle)},
    [HUSK_UPDATE_CPU_BURST] = {"cpu", "burst", G_CPU, K_U64,
			       offsetof(struct husk_resources, cpu.burst),
			       offsetof(struct husk_resources, cpu.has_burst)},
    [HUSK_UPDATE_CPUSET_CPUS] = {"cpu", "cpus", G_CPU, K_STR,
				 offsetof(struct husk_resources, cpu.cpus), 0},
    [HUSK_UPDATE_CPUSET_MEMS] = {"cpu", "mems", G_CPU, K_STR,
				 offsetof(struct husk_resources, cpu.mems), 0},
    [HUSK_UPDATE_PIDS_LIMIT] = {"pids", "limit", G_PIDS, K_I64,
				offsetof(struct husk_resources, pids_limit),
				offsetof(struct husk_resources, has_pids_limit)},
    [HUSK_UPDATE_BLKIO_WEIGHT] = {"blockIO", "weight", G_BLKIO, K_U16,
				  offsetof(struct husk_resources, blkio.weight),
				  offsetof(struct husk_resources, blkio.has_weight)},
    [HUSK_UPDATE_MEMORY_KERNEL_TCP] = {"memory", "kernelTCP", G_MEMORY, K_I64,
				       offsetof(struct husk_resources, memory.kernel_tcp),
				       offsetof(struct husk_resources, memory.has_kernel_tcp)},
};

static void mark_group(struct husk_resources *r, enum group g)
{
	switch (g) {
	case G_MEMORY:
		r->has_memory = true;
		break;
	case G_CPU:
		r->has_cpu = true;
		break;
	case G_PIDS:
		r->has_pids = true;
		break;
	case G_BLKIO:
		r->has_blkio = true;
		break;
	}
}

/* The value into its field, with the message the parser gives for the same JSON number. */
static int store(struct jctx *c, const struct field *f, char *p, long long num, const char *str)
{
	switch (f->kind) {
	case K_I64:
		*(int64_t *)p = num;
		return 0;
	case K_U64:
		if (num < 0)
			return jerr(c, "expected a uint64, got `%lld`", num);
		*(uint64_t *)p = (uint64_t)num;
		return 0;
	case K_U16:
		if (num < 0 || num > UINT16_MAX)
			return jerr(c, "expected a uint16, got `%lld`", num);
		*(uint16_t *)p = (uint16_t)num;
		return 0;
	case K_STR:
		free(*(char **)p);
		*(char **)p = xstrdup(str ? str : "");
		return 0;
	}
	return jerr(c, "unknown field");
}

int husk_update_resources_set(struct husk_update_resources *u, enum husk_update_field field,
			      long long num, const char *str, struct husk_error *err)
{
	const struct field *f;
	struct jctx c;

	if ((unsigned)field >= ARRAY_SIZE(fields) || fields[field].obj == NULL)
		return husk_error_set(err, EINVAL, "%s: unknown field %d", u->source, (int)field);
	f = &fields[field];
	jctx_init(&c, u->source, err);
	jp_key(&c, f->obj);
	jp_key(&c, f->key);
	if (store(&c, f, (char *)&u->r + f->off, num, str) < 0)
		return -1;
	if (f->has_off)
		*(bool *)((char *)&u->r + f->has_off) = true;
	mark_group(&u->r, f->group);
	return 0;
}
