/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside cgroup/: the systemd driver's parts.
 *
 *  - systemd-props.c (pure, unit-tested): `slice:prefix:name` to a unit,
 *    linux.resources and `org.systemd.property.*` annotations to D-Bus unit
 *    properties, the way runc 1.1 maps them;
 *  - systemd-bus.c: the D-Bus calls (StartTransientUnit, SetUnitProperties,
 *    StopUnit, waiting for the job), through libsystemd's sd-bus, dlopen'ed
 *    the first time a systemd container needs it (husk is a static binary and
 *    Debian ships no libsystemd.a; the cgroupfs path never loads it);
 *  - systemd.c: the driver (struct husk_cgroup_manager), which keeps the
 *    unit's cgroup as cgroupfs directories and writes the files there.
 */
#ifndef HUSK_CGROUP_SYSTEMD_H
#define HUSK_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "spec/spec.h"

/* D-Bus types of a property value (the variant's signature, 'B' = "ay", 'S' = "as") */
enum cg_sd_type {
	CG_SD_BOOL = 'b',
	CG_SD_BYTE = 'y',
	CG_SD_I16 = 'n',
	CG_SD_U16 = 'q',
	CG_SD_I32 = 'i',
	CG_SD_U32 = 'u',
	CG_SD_I64 = 'x',
	CG_SD_U64 = 't',
	CG_SD_DOUBLE = 'd',
	CG_SD_STR = 's',
	CG_SD_BYTES = 'B', /* ay */
	CG_SD_STRV = 'S',  /* as */
	CG_SD_U32V = 'U',  /* au (PIDs) */
};

struct cg_sd_prop {
	char *name;
	char type;  /* enum cg_sd_type */
	uint64_t u; /* bool and the integers (signed ones as two's complement) */
	double d;
	char *s;
	uint8_t *bytes; /* BYTES; U32V: n_bytes / 4 uint32_t */
	size_t n_bytes;
	char **strv;
};

struct cg_sd_props {
	struct cg_sd_prop *v;
	size_t n;
};

void cg_sd_props_clear(struct cg_sd_props *p);
void cg_sd_add_u64(struct cg_sd_props *p, const char *name, char type, uint64_t v);
void cg_sd_add_str(struct cg_sd_props *p, const char *name, const char *v);
void cg_sd_add_u32v(struct cg_sd_props *p, const char *name, const uint32_t *v, size_t n);
/* "MemoryMax=t 1048576", "Slice=s 'system.slice'" (tests, husk plan); malloc'd */
char *cg_sd_prop_text(const struct cg_sd_prop *p);

struct cg_sd_unit {
	char *slice; /* "system.slice" */
	char *name;  /* "husk-abc.scope" */
	char *path;  /* the unit's cgroup: "/system.slice/husk-abc.scope" */
};
void cg_sd_unit_clear(struct cg_sd_unit *u);
/*
 * cgroupsPath `slice:prefix:name` (NULL or "": ":husk:<id>", as runc uses
 * ":runc:<id>") to the unit systemd makes for the container.
 */
int cg_sd_parse_path(const char *cgroups_path, const char *id, struct cg_sd_unit *u,
		     struct husk_error *err);
/* linux.resources to the properties systemd has for them (v2 names, or v1's). */
int cg_sd_resource_props(const struct husk_resources *res, bool v2, struct cg_sd_props *p,
			 struct husk_error *err);
/* `org.systemd.property.NAME` annotations (runc's), values in GVariant text. */
int cg_sd_annotation_props(const struct husk_kv *ann, size_t n, struct cg_sd_props *p,
			   struct husk_error *err);

/* ---- systemd-bus.c ---- */

struct cg_sd_bus;
/* Connect to the system bus (dlopen libsystemd.so.0 first). */
int cg_sd_bus_open(struct cg_sd_bus **out, struct husk_error *err);
void cg_sd_bus_close(struct cg_sd_bus *b);
/* StartTransientUnit(name, "fail", props) and wait for its job. */
int cg_sd_start_unit(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		     struct husk_error *err);
/* SetUnitProperties(name, runtime, props) */
int cg_sd_set_props(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		    struct husk_error *err);
/* StopUnit(name, "replace"), wait for its job, ResetFailedUnit; a unit not loaded is gone. */
int cg_sd_stop_unit(struct cg_sd_bus *b, const char *unit, struct husk_error *err);

#endif
