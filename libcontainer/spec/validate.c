/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks across fields (husk_spec_validate) and the fields husk parses but
 * does not apply yet (husk_spec_check_supported).  Where the spec is silent
 * the rules are runc's (libcontainer/configs/validate), as noted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "utils.h"

static bool has_ns(const struct husk_linux *l, enum husk_ns_type t)
{
	return l->namespaces[t].present;
}

static bool new_ns(const struct husk_linux *l, enum husk_ns_type t)
{
	return l->namespaces[t].present && l->namespaces[t].path == NULL;
}

static int check_userns(const struct husk_linux *l, const char *file, struct husk_error *err)
{
	bool maps = l->n_uid_mappings > 0 || l->n_gid_mappings > 0;

	if (!has_ns(l, HUSK_NS_USER)) {
		if (maps)
			return husk_error_set(
			    err, EINVAL, "%s: linux.%s: mappings without a user namespace", file,
			    l->n_uid_mappings ? "uidMappings" : "gidMappings");
		return 0;
	}
	if (!new_ns(l, HUSK_NS_USER)) {
		/* config-linux.md: a joined namespace is set up already; runc refuses both */
		if (maps)
			return husk_error_set(
			    err, EINVAL,
			    "%s: linux.%s: mappings together with a user namespace path", file,
			    l->n_uid_mappings ? "uidMappings" : "gidMappings");
		return 0;
	}
	/* runc: a new user namespace needs mappings to apply */
	if (l->n_uid_mappings == 0)
		return husk_error_set(
		    err, EINVAL, "%s: linux.uidMappings: required with a new user namespace", file);
	if (l->n_gid_mappings == 0)
		return husk_error_set(
		    err, EINVAL, "%s: linux.gidMappings: required with a new user namespace", file);
	return 0;
}

static int check_timens(const struct husk_linux *l, const char *file, struct husk_error *err)
{
	bool offsets = l->time_offsets[0].present || l->time_offsets[1].present;

	if (!offsets)
		return 0;
	if (!has_ns(l, HUSK_NS_TIME))
		return husk_error_set(
		    err, EINVAL, "%s: linux.timeOffsets: offsets without a time namespace", file);
	/* runc: offsets can only be written before the first process enters */
	if (!new_ns(l, HUSK_NS_TIME))
		return husk_error_set(
		    err, EINVAL,
		    "%s: linux.timeOffsets: offsets together with a time namespace path", file);
	return 0;
}

/* runc's rule for sysctls: each must belong to a namespace the container has. */
static bool is_ipc_sysctl(const char *k)
{
	static const char *const ipc[] = {
	    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (strcmp(k, ipc[i]) == 0)
			return true;
	return strncmp(k, "fs.mqueue.", 10) == 0;
}

/*
 * kernel.hostname and kernel.domainname set what the hostname and domainname
 * fields set: a different value is a conflict (which should win?), an equal
 * one is harmless.  runc 1.1 refuses kernel.hostname whatever its value
 * (`sysctl "kernel.hostname" is not allowed as it conflicts with the OCI
 * "hostname" field`) and lets kernel.domainname override domainname; Docker
 * sets its domainname through this sysctl.
 */
static int check_uts_sysctl(const struct husk_spec *spec, const char *key, size_t i,
			    const char *file, struct husk_error *err)
{
	const struct husk_kv *kv = &spec->linux_.sysctl[i];
	const char *field = NULL, *value = NULL;

	if (strcmp(key, "kernel.hostname") == 0) {
		field = "hostname";
		value = spec->hostname;
	} else if (strcmp(key, "kernel.domainname") == 0) {
		field = "domainname";
		value = spec->domainname;
	}
	/* an empty field sets nothing (runc) */
	if (field == NULL || value == NULL || value[0] == '\0' ||
	    strcmp(value, kv->value ? kv->value : "") == 0)
		return 0;
	return husk_error_set(err, EINVAL,
			      "%s: linux.sysctl[\"%s\"]: `%s` conflicts with %s `%s` (set one, or "
			      "both to the same value)",
			      file, kv->key, kv->value ? kv->value : "", field, value);
}

static int check_sysctl(const struct husk_spec *spec, const char *file, struct husk_error *err)
{
	const struct husk_linux *l = &spec->linux_;

	for (size_t i = 0; i < l->n_sysctl; i++) {
		cleanup_free char *k = xstrdup(l->sysctl[i].key);
		const char *need = NULL;
		bool ok;

		/* "net/ipv4/ip_forward" is the same key as "net.ipv4.ip_forward" */
		for (char *p = k; *p; p++)
			if (*p == '/')
				*p = '.';
		if (is_ipc_sysctl(k)) {
			ok = has_ns(l, HUSK_NS_IPC);
			need = "an IPC";
		} else if (strncmp(k, "net.", 4) == 0) {
			ok = has_ns(l, HUSK_NS_NETWORK);
			need = "a network";
		} else if (strcmp(k, "kernel.hostname") == 0 ||
			   strcmp(k, "kernel.domainname") == 0) {
			ok = has_ns(l, HUSK_NS_UTS);
			need = "a UTS";
		} else {
			return husk_error_set(err, EINVAL,
					      "%s: linux.sysctl[\"%s\"]: `%s` is not in a separate "
					      "kernel namespace",
					      file, l->sysctl[i].key, l->sysctl[i].key);
		}
		if (!ok)
			return husk_error_set(err, EINVAL,
					      "%s: linux.sysctl[\"%s\"]: needs %s namespace", file,
					      l->sysctl[i].key, need);
		if (check_uts_sysctl(spec, k, i, file, err) < 0)
			return -1;
	}
	return 0;
}

int husk_spec_validate(const struct husk_spec *spec, const char *file, struct husk_error *err)
{
	const struct husk_linux *l = &spec->linux_;

	if (file == NULL)
		file = "config.json";
	/* sethostname(2), setdomainname(2): at most 64 bytes (the kernel's __NEW_UTS_LEN) */
	if (spec->hostname && strlen(spec->hostname) > 64)
		return husk_error_set(err, EINVAL, "%s: hostname: `%s` is longer than 64 bytes",
				      file, spec->hostname);
	if (spec->domainname && strlen(spec->domainname) > 64)
		return husk_error_set(err, EINVAL, "%s: domainname: `%s` is longer than 64 bytes",
				      file, spec->domainname);
	/* runc: hostname and domainname need a UTS namespace, else they'd change the host's */
	if (spec->hostname && spec->hostname[0] && !has_ns(l, HUSK_NS_UTS))
		return husk_error_set(err, EINVAL, "%s: hostname: needs a UTS namespace", file);
	if (spec->domainname && spec->domainname[0] && !has_ns(l, HUSK_NS_UTS))
		return husk_error_set(err, EINVAL, "%s: domainname: needs a UTS namespace", file);
	if (check_userns(l, file, err) < 0 || check_timens(l, file, err) < 0 ||
	    check_sysctl(spec, file, err) < 0)
		return -1;
	/* runc: masking needs a private mount namespace */
	if (!has_ns(l, HUSK_NS_MOUNT) && (l->masked_paths && l->masked_paths[0]))
		return husk_error_set(err, EINVAL, "%s: linux.maskedPaths: needs a mount namespace",
				      file);
	if (!has_ns(l, HUSK_NS_MOUNT) && (l->readonly_paths && l->readonly_paths[0]))
		return husk_error_set(err, EINVAL,
				      "%s: linux.readonlyPaths: needs a mount namespace", file);
	return 0;
}

/* Parsed, not applied yet.  JSON paths without indexes. */
static const char *const unsupported[] = {
    "linux.intelRdt",
    "linux.memoryPolicy",
    "linux.netDevices",
};

bool husk_spec_field_supported(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (strcmp(path, unsupported[i]) == 0)
			return false;
	return true;
}

/* Refuse `path` when it is set and still in unsupported[]. */
static int not_yet(bool is_set, const char *file, const char *path, struct husk_error *err)
{
	if (!is_set || husk_spec_field_supported(path))
		return 0;
	return husk_error_set(err, ENOTSUP, "%s: %s: not supported yet", file, path);
}

static bool set(const char *s)
{
	return s && s[0];
}

int husk_args_check(char *const *args, const char *file, const char *prefix, struct husk_error *err)
{
	/* config.md: at least one entry is REQUIRED (POSIX) */
	if (args == NULL || args[0] == NULL)
		return husk_error_set(err, EINVAL, "%s: %sargs: must not be empty", file, prefix);
	return 0;
}

/*
 * `prefix` is "process." in config.json and "" in exec's process.json;
 * unsupported[] names the config.json paths.
 */
static int process_check(const struct husk_process *p, const char *file, const char *prefix,
			 struct husk_error *err)
{
	static const struct {
		const char *field;
		size_t offset;
	} labels[] = {
	    {"apparmorProfile", offsetof(struct husk_process, apparmor_profile)},
	    {"selinuxLabel", offsetof(struct husk_process, selinux_label)},
	};

	if (husk_args_check(p->args, file, prefix, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++) {
		char path[64];
		const char *v = *(char *const *)((const char *)p + labels[i].offset);

		snprintf(path, sizeof path, "process.%s", labels[i].field);
		if (set(v) && !husk_spec_field_supported(path))
			return husk_error_set(err, ENOTSUP, "%s: %s%s: not supported yet", file,
					      prefix, labels[i].field);
	}
	return 0;
}

int husk_process_check_supported(const struct husk_process *p, const char *file,
				 struct husk_error *err)
{
	return process_check(p, file ? file : "process.json", "", err);
}

/*
 * Removing a path from unsupported[] is all it takes to accept the field
 * (and to report it in `husk features`).
 */
int husk_spec_check_supported(const struct husk_spec *spec, const char *file,
			      struct husk_error *err)
{
	const struct husk_linux *l = &spec->linux_;

	if (file == NULL)
		file = "config.json";
	if (spec->has_process && process_check(&spec->process, file, "process.", err) < 0)
		return -1;
	if (not_yet(l->has_seccomp, file, "linux.seccomp", err) < 0 ||
	    not_yet(set(l->mount_label), file, "linux.mountLabel", err) < 0 ||
	    not_yet(l->has_intel_rdt, file, "linux.intelRdt", err) < 0 ||
	    not_yet(l->has_memory_policy, file, "linux.memoryPolicy", err) < 0 ||
	    not_yet(l->n_net_devices > 0, file, "linux.netDevices", err) < 0)
		return -1;
	return 0;
}
