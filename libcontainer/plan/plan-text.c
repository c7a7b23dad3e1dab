/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk plan --format text`: the plan as sections of "key: value" lines,
 * and the names both printers share (mount flags, propagation, cpu sets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cgroup/cgroup.h"
#include "plan/plan.h"
#include "utils.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static const struct {
	unsigned long flag;
	const char *name;
} flag_names[] = {
    {MS_RDONLY, "ro"},
    {MS_NOSUID, "nosuid"},
    {MS_NODEV, "nodev"},
    {MS_NOEXEC, "noexec"},
    {MS_SYNCHRONOUS, "sync"},
    {MS_REMOUNT, "remount"},
    {MS_MANDLOCK, "mand"},
    {MS_DIRSYNC, "dirsync"},
    {MS_NOSYMFOLLOW, "nosymfollow"},
    {MS_NOATIME, "noatime"},
    {MS_NODIRATIME, "nodiratime"},
    {MS_BIND, "bind"},
    {MS_REC, "rec"},
    {MS_SILENT, "silent"},
    {MS_RELATIME, "relatime"},
    {MS_I_VERSION, "iversion"},
    {MS_STRICTATIME, "strictatime"},
    {MS_LAZYTIME, "lazytime"},
};

char *husk_plan_mount_flags_str(unsigned long flags)
{
	char buf[512] = "";
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flags & flag_names[i].flag)
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", k ? "|" : "",
					      flag_names[i].name);
	return xstrdup(buf);
}

const char *husk_plan_prop_name(unsigned long prop)
{
	bool rec = prop & MS_REC;

	if (prop & MS_SHARED)
		return rec ? "rshared" : "shared";
	if (prop & MS_SLAVE)
		return rec ? "rslave" : "slave";
	if (prop & MS_PRIVATE)
		return rec ? "rprivate" : "private";
	if (prop & MS_UNBINDABLE)
		return rec ? "runbindable" : "unbindable";
	return "";
}

char *husk_plan_cpus_str(const cpu_set_t *set, size_t size)
{
	char buf[1024] = "";
	size_t k = 0;
	int n = (int)(size * 8);

	for (int c = 0; c < n && k < sizeof buf - 24; c++) {
		int e = c;
		if (!CPU_ISSET_S((size_t)c, size, set))
			continue;
		while (e + 1 < n && CPU_ISSET_S((size_t)e + 1, size, set))
			e++;
		k += (size_t)snprintf(buf + k, sizeof buf - k, e > c ? "%s%d-%d" : "%s%d",
				      k ? "," : "", c, e);
		c = e;
	}
	return xstrdup(buf);
}

static void section_ns(FILE *f, const struct husk_plan *p)
{
	const struct husk_namespace *ns = p->spec->linux_.namespaces;

	fprintf(f, "namespaces:\n");
	for (int t = 0; t < HUSK_NS_N; t++) {
		if (!ns[t].present)
			fprintf(f, "  %s: inherit\n", husk_ns_name(t));
		else if (ns[t].path)
			fprintf(f, "  %s: join %s\n", husk_ns_name(t), ns[t].path);
		else
			fprintf(f, "  %s: new\n", husk_ns_name(t));
	}
}

static void section_mounts(FILE *f, const struct husk_plan *p)
{
	fprintf(f, "mounts:\n");
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct husk_plan_mount *m = &p->mounts[i];
		cleanup_free char *flags = husk_plan_mount_flags_str(m->flags);

		fprintf(f, "  %s on %s type %s flags %s data %s", m->source,
			p->spec->mounts[i].destination,
			m->bind ? "bind"
				: (p->spec->mounts[i].type ? p->spec->mounts[i].type : "none"),
			*flags ? flags : "-", m->data ? m->data : "-");
		for (size_t k = 0; k < m->n_prop; k++)
			fprintf(f, " %s", husk_plan_prop_name(m->prop[k]));
		if (m->idmapped)
			fprintf(f, " idmap");
		if (m->tmpcopyup)
			fprintf(f, " tmpcopyup");
		fprintf(f, "\n");
	}
}

static int section_cgroup(FILE *f, const struct husk_plan *p, enum husk_plan_layout layout,
			  struct husk_error *err)
{
	const struct husk_linux *l = &p->spec->linux_;
	struct husk_plan_cgfile *v;
	size_t n;

	if (husk_plan_cgroup_files(l->has_resources ? &l->resources : NULL, layout, &v, &n, err) <
	    0)
		return -1;
	/* the none driver (rootless without delegation): no path, nothing written */
	if (husk_cgroup_path(p->cg) == NULL)
		fprintf(f, "cgroup: none (driver `%s`)\n", husk_cgroup_driver_name(p->cg));
	else
		fprintf(f, "cgroup: %s (%s)\n", husk_cgroup_path(p->cg),
			husk_plan_layout_name(layout));
	for (size_t i = 0; husk_cgroup_path(p->cg) != NULL && i < n; i++)
		fprintf(f, "  %s = %s\n", v[i].file, v[i].value);
	husk_plan_cgfiles_free(v, n);
	return 0;
}

static void section_caps(FILE *f, const struct husk_plan *p)
{
	const struct {
		const char *name;
		uint64_t mask;
	} sets[] = {
	    {"bounding", p->caps.bounding},	  {"effective", p->caps.effective},
	    {"inheritable", p->caps.inheritable}, {"permitted", p->caps.permitted},
	    {"ambient", p->caps.ambient},
	};

	fprintf(f, "capabilities:\n");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		cleanup_free char *s = husk_plan_caps_str(sets[i].mask);
		fprintf(f, "  %s: %s\n", sets[i].name, *s ? s : "-");
	}
}

static void section_process(FILE *f, const struct husk_plan *p)
{
	const struct husk_process *pr = &p->spec->process;
	const struct husk_seccomp *sc = &p->spec->linux_.seccomp;

	if (p->spec->linux_.has_seccomp)
		fprintf(f, "seccomp: default %s, %zu rules, flags %zu\n", sc->default_action,
			sc->n_syscalls, strv_len(sc->flags));
	else
		fprintf(f, "seccomp: none\n");
	for (int k = 0; k < HUSK_HOOK_N; k++)
		for (size_t i = 0; i < p->spec->hooks[k].n; i++)
			fprintf(f, "hook %s[%zu]: %s\n", husk_hook_name(k), i,
				p->spec->hooks[k].hooks[i].path);
	if (!p->spec->has_process) {
		fprintf(f, "process: none (required at start)\n");
		return;
	}
	for (size_t i = 0; i < pr->n_rlimits; i++)
		fprintf(f, "rlimit %s: soft %llu hard %llu\n", pr->rlimits[i].type_name,
			(unsigned long long)pr->rlimits[i].soft,
			(unsigned long long)pr->rlimits[i].hard);
	fprintf(f, "user: uid %u gid %u\n", pr->user.uid, pr->user.gid);
	fprintf(f, "process: cwd %s terminal %s args", pr->cwd, pr->terminal ? "yes" : "no");
	for (char **a = pr->args; a && *a; a++)
		fprintf(f, " %s", *a);
	fprintf(f, "\n");
}

char *husk_plan_to_text(const struct husk_plan *p, enum husk_plan_layout layout,
			struct husk_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	fprintf(f, "id: %s\nbundle: %s\nrootfs: %s\n", p->id, p->bundle, p->rootfs);
	section_ns(f, p);
	section_mounts(f, p);
	if (section_cgroup(f, p, layout, err) < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	section_caps(f, p);
	section_process(f, p);
	fclose(f);
	return buf;
}
