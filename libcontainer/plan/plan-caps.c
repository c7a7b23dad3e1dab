/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capability names to masks: the one place it happens (the init and exec
 * apply masks), the warnings for the names skipped, and masks back to names
 * for `husk plan`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "utils.h"

/* The cap a name maps to, or -1: unknown to the table, or past the kernel's `last`. */
static int usable(const char *name, int last)
{
	int c = husk_cap_from_name(name);

	return c >= 0 && c <= last ? c : -1;
}

static uint64_t mask_of(char *const *names, int last)
{
	uint64_t mask = 0;

	for (; names && *names; names++) {
		int c = usable(*names, last);
		if (c >= 0)
			mask |= UINT64_C(1) << c;
	}
	return mask;
}

void husk_plan_caps(const struct husk_caps *caps, int last, struct husk_cap_masks *out)
{
	/* no process.capabilities: every set empty, as with runc 1.1 */
	*out = (struct husk_cap_masks){0};
	if (caps == NULL)
		return;
	out->bounding = mask_of(caps->bounding, last);
	out->effective = mask_of(caps->effective, last);
	out->inheritable = mask_of(caps->inheritable, last);
	out->permitted = mask_of(caps->permitted, last);
	out->ambient = mask_of(caps->ambient, last);
}

static void push(char ***v, char *s)
{
	size_t n = strv_len(*v);

	*v = realloc(*v, (n + 2) * sizeof **v);
	if (*v == NULL)
		abort();
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

/*
 * One warning per skipped name of a list, appended to *out: "<where>.<set>[i]:
 * ..." for a set of process.capabilities, "<where>: ..." for --cap.  The
 * spec (config.md, capabilities): names that cannot be mapped or granted are
 * logged as a warning, not an error; runc 1.1 warns "ignoring unknown or
 * unavailable capabilities" and goes on.
 */
static void warn_list(char *const *names, int last, const char *where, const char *set, char ***out)
{
	for (size_t i = 0; names && names[i]; i++) {
		char at[48] = "";
		char *w;
		int r;

		if (usable(names[i], last) >= 0)
			continue;
		if (set)
			snprintf(at, sizeof at, ".%s[%zu]", set, i);
		if (husk_cap_from_name(names[i]) < 0)
			r = asprintf(&w, "%s%s: unknown capability `%s`, ignored", where, at,
				     names[i]);
		else
			r = asprintf(&w,
				     "%s%s: capability `%s` is not supported by the running "
				     "kernel (its last is %d), ignored",
				     where, at, names[i], last);
		if (r < 0)
			abort();
		push(out, w);
	}
}

void husk_plan_caps_warnings(const struct husk_caps *caps, int last, const char *where, char ***out)
{
	if (caps == NULL)
		return;
	warn_list(caps->bounding, last, where, "bounding", out);
	warn_list(caps->effective, last, where, "effective", out);
	warn_list(caps->inheritable, last, where, "inheritable", out);
	warn_list(caps->permitted, last, where, "permitted", out);
	warn_list(caps->ambient, last, where, "ambient", out);
}

void husk_plan_names_warnings(char *const *names, int last, const char *where, char ***out)
{
	warn_list(names, last, where, NULL, out);
}

char *husk_plan_caps_str(uint64_t mask)
{
	char *s = xstrdup("");

	for (int c = 0; c < 64; c++) {
		char *n;
		if (!(mask & (UINT64_C(1) << c)))
			continue;
		if (asprintf(&n, "%s%s%s", s, *s ? " " : "",
			     husk_cap_name(c) ? husk_cap_name(c) : "?") < 0)
			abort();
		free(s);
		s = n;
	}
	return s;
}
