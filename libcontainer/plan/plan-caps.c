/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capability names to masks: the one place it happens (the init and exec
 * apply masks), and masks back to names for `husk plan`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "utils.h"

/*
 * A name the table does not know is skipped: runc ignores unknown or
 * unavailable capabilities with a warning (the parser refuses unknown ones
 * already); what the running kernel lacks is masked off where applied.
 */
static uint64_t mask_of(char *const *names)
{
	uint64_t mask = 0;

	for (; names && *names; names++) {
		int c = husk_cap_from_name(*names);
		if (c >= 0)
			mask |= UINT64_C(1) << c;
	}
	return mask;
}

void husk_plan_caps(const struct husk_caps *caps, struct husk_cap_masks *out)
{
	/* no process.capabilities: every set empty, as with runc 1.1 */
	*out = (struct husk_cap_masks){0};
	if (caps == NULL)
		return;
	out->bounding = mask_of(caps->bounding);
	out->effective = mask_of(caps->effective);
	out->inheritable = mask_of(caps->inheritable);
	out->permitted = mask_of(caps->permitted);
	out->ambient = mask_of(caps->ambient);
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
