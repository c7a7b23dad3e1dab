/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk features` (runtime-spec features.md, features-linux.md), computed
 * from the tables the parser and the executors use: namespaces, hooks, mount
 * options, capabilities, seccomp names; a field husk parses but does not
 * apply yet (husk_spec_field_supported) is reported as not enabled.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "config.h"
#include "husk/husk.h"
#include "internal.h"
#include "security.h"

#define S(str) yajl_gen_string(g, (const unsigned char *)(str), strlen(str))

static void kv_bool(yajl_gen g, const char *key, bool v)
{
	S(key);
	yajl_gen_bool(g, v);
}

/* The names of a table, those `keep` accepts when not NULL. */
static void table_names(yajl_gen g, const char *key, const struct husk_table *t,
			bool (*keep)(const char *name))
{
	S(key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < t->n; i++)
		if (keep == NULL || keep(t->v[i].name))
			S(t->v[i].name);
	yajl_gen_array_close(g);
}

static void enabled_only(yajl_gen g, const char *key, bool v)
{
	S(key);
	yajl_gen_map_open(g);
	kv_bool(g, "enabled", v);
	yajl_gen_map_close(g);
}

static void gen_seccomp(yajl_gen g)
{
	bool on = HAVE_SECCOMP && husk_spec_field_supported("linux.seccomp");

	S("seccomp");
	yajl_gen_map_open(g);
	kv_bool(g, "enabled", on);
	if (on) {
		table_names(g, "actions", &husk_seccomp_action_table, NULL);
		table_names(g, "operators", &husk_seccomp_op_table, NULL);
		/* what this libseccomp (and kernel) can do, as runc reports */
		table_names(g, "archs", &husk_seccomp_arch_table, husk_seccomp_arch_supported);
		table_names(g, "knownFlags", &husk_seccomp_flag_table, NULL);
		table_names(g, "supportedFlags", &husk_seccomp_flag_table,
			    husk_seccomp_flag_supported);
	}
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g)
{
	S("linux");
	yajl_gen_map_open(g);

	S("namespaces");
	yajl_gen_array_open(g);
	for (int i = 0; i < HUSK_NS_N; i++)
		S(husk_ns_name(i));
	yajl_gen_array_close(g);

	S("capabilities");
	yajl_gen_array_open(g);
	for (int i = 0; i <= husk_cap_last(); i++)
		S(husk_cap_name(i));
	yajl_gen_array_close(g);

	/* cgroup/: v1, v2 and hybrid; no systemd driver (yet) */
	S("cgroup");
	yajl_gen_map_open(g);
	kv_bool(g, "v1", true);
	kv_bool(g, "v2", true);
	kv_bool(g, "systemd", false);
	kv_bool(g, "systemdUser", false);
	kv_bool(g, "rdma", true);
	yajl_gen_map_close(g);

	gen_seccomp(g);
	enabled_only(g, "apparmor",
		     HAVE_APPARMOR && husk_spec_field_supported("process.apparmorProfile"));
	enabled_only(g, "selinux",
		     HAVE_SELINUX && husk_spec_field_supported("process.selinuxLabel"));
	enabled_only(g, "intelRdt", husk_spec_field_supported("linux.intelRdt"));

	S("mountExtensions");
	yajl_gen_map_open(g);
	enabled_only(g, "idmap", husk_spec_field_supported("mounts.uidMappings"));
	yajl_gen_map_close(g);

	enabled_only(g, "netDevices", husk_spec_field_supported("linux.netDevices"));
	if (husk_spec_field_supported("linux.memoryPolicy")) {
		S("memoryPolicy");
		yajl_gen_map_open(g);
		table_names(g, "modes", &husk_mpol_mode_table, NULL);
		table_names(g, "flags", &husk_mpol_flag_table, NULL);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

char *husk_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	if (g == NULL)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	S("ociVersionMin");
	S("1.0.0");
	S("ociVersionMax");
	S(HUSK_OCI_VERSION);

	S("hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < HUSK_HOOK_N; k++)
		S(husk_hook_name(k));
	yajl_gen_array_close(g);

	S("mountOptions");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < husk_n_mount_opts; i++)
		S(husk_mount_opts[i].name);
	yajl_gen_array_close(g);

	gen_linux(g);

	S("annotations");
	yajl_gen_map_open(g);
	S("org.opencontainers.husk.version");
	S(husk_version());
	S("org.opencontainers.husk.commit");
	S(husk_commit());
	yajl_gen_map_close(g);

	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 1);
		if (out) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return out;
}
