/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk features` (runtime-spec features.md, features-linux.md), computed
 * from the tables the parser and the executors use: namespaces, hooks, mount
 * options, capabilities, seccomp names; a field husk parses but does not
 * apply yet (husk_spec_field_supported) is reported as not enabled.
 */
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "husk/husk.h"
#include "security/security.h"
#include "spec/json.h"

/* The names of a table, those `keep` accepts when not NULL. */
static void table_names(struct jw *g, const char *key, const struct husk_table *t,
			bool (*keep)(const char *name))
{
	jw_key(g, key);
	jw_arr_begin(g);
	for (size_t i = 0; i < t->n; i++)
		if (keep == NULL || keep(t->v[i].name))
			jw_str(g, t->v[i].name);
	jw_arr_end(g);
}

static void enabled_only(struct jw *g, const char *key, bool v)
{
	jw_key(g, key);
	jw_obj_begin(g);
	jw_kbool(g, "enabled", v);
	jw_obj_end(g);
}

static void gen_seccomp(struct jw *g)
{
	bool on = HAVE_SECCOMP && husk_spec_field_supported("linux.seccomp");

	jw_key(g, "seccomp");
	jw_obj_begin(g);
	jw_kbool(g, "enabled", on);
	if (on) {
		table_names(g, "actions", &husk_seccomp_action_table, NULL);
		table_names(g, "operators", &husk_seccomp_op_table, NULL);
		/* what this libseccomp (and kernel) can do, as runc reports */
		table_names(g, "archs", &husk_seccomp_arch_table, husk_seccomp_arch_supported);
		table_names(g, "knownFlags", &husk_seccomp_flag_table, NULL);
		table_names(g, "supportedFlags", &husk_seccomp_flag_table,
			    husk_seccomp_flag_supported);
	}
	jw_obj_end(g);
}

static void gen_linux(struct jw *g)
{
	jw_key(g, "linux");
	jw_obj_begin(g);

	jw_key(g, "namespaces");
	jw_arr_begin(g);
	for (int i = 0; i < HUSK_NS_N; i++)
		jw_str(g, husk_ns_name(i));
	jw_arr_end(g);

	jw_key(g, "capabilities");
	jw_arr_begin(g);
	for (int i = 0; i <= husk_cap_last(); i++)
		jw_str(g, husk_cap_name(i));
	jw_arr_end(g);

	/* cgroup/: v1, v2 and hybrid; the systemd driver when built (meson -Dsystemd) */
	jw_key(g, "cgroup");
	jw_obj_begin(g);
	jw_kbool(g, "v1", true);
	jw_kbool(g, "v2", true);
	jw_kbool(g, "systemd", HAVE_SYSTEMD);
	jw_kbool(g, "systemdUser", false);
	jw_kbool(g, "rdma", true);
	jw_obj_end(g);

	gen_seccomp(g);
	enabled_only(g, "apparmor",
		     HAVE_APPARMOR && husk_spec_field_supported("process.apparmorProfile"));
	enabled_only(g, "selinux",
		     HAVE_SELINUX && husk_spec_field_supported("process.selinuxLabel"));
	enabled_only(g, "intelRdt", husk_spec_field_supported("linux.intelRdt"));

	jw_key(g, "mountExtensions");
	jw_obj_begin(g);
	enabled_only(g, "idmap", husk_spec_field_supported("mounts.uidMappings"));
	jw_obj_end(g);

	enabled_only(g, "netDevices", husk_spec_field_supported("linux.netDevices"));
	if (husk_spec_field_supported("linux.memoryPolicy")) {
		jw_key(g, "memoryPolicy");
		jw_obj_begin(g);
		table_names(g, "modes", &husk_mpol_mode_table, NULL);
		table_names(g, "flags", &husk_mpol_flag_table, NULL);
		jw_obj_end(g);
	}
	jw_obj_end(g);
}

char *husk_features_json(void)
{
	struct jw w, *g = &w;

	/* runc prints it with json.MarshalIndent's layout, four spaces */
	jw_init(g, "    ");
	jw_obj_begin(g);
	jw_kstr(g, "ociVersionMin", "1.0.0");
	jw_kstr(g, "ociVersionMax", HUSK_OCI_VERSION);

	jw_key(g, "hooks");
	jw_arr_begin(g);
	for (int k = 0; k < HUSK_HOOK_N; k++)
		jw_str(g, husk_hook_name(k));
	jw_arr_end(g);

	jw_key(g, "mountOptions");
	jw_arr_begin(g);
	for (size_t i = 0; i < husk_n_mount_opts; i++)
		jw_str(g, husk_mount_opts[i].name);
	jw_arr_end(g);

	gen_linux(g);

	jw_key(g, "annotations");
	jw_obj_begin(g);
	jw_kstr(g, "org.opencontainers.husk.version", husk_version());
	jw_kstr(g, "org.opencontainers.husk.commit", husk_commit());
	/*
	 * runtime-spec 1.3's features.md has no rootless field (and forbids
	 * properties it does not define): an annotation says it.  Always built
	 * in (rootless.c, plan/plan-rootless.c); husk_rootless is the switch.
	 */
	jw_kstr(g, "org.opencontainers.husk.rootless", "true");
	jw_obj_end(g);

	jw_obj_end(g);
	return jw_finish(g);
}
