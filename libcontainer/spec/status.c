/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container status names, one table both ways: state.json, `state`, `list`
 * (state.c and spec/state-json.c both use it; a leaf).
 */
#include <string.h>

#include "state/state.h"

/* The one table of status names (the spec's, state.md). */
static const char *const status_names[] = {
    [HUSK_STATUS_CREATING] = "creating", [HUSK_STATUS_CREATED] = "created",
    [HUSK_STATUS_RUNNING] = "running",	 [HUSK_STATUS_PAUSED] = "paused",
    [HUSK_STATUS_STOPPED] = "stopped",
};

const char *husk_status_name(enum husk_status s)
{
	if ((size_t)s >= sizeof status_names / sizeof status_names[0])
		return "unknown";
	return status_names[s];
}

int husk_status_parse(const char *name, enum husk_status *out)
{
	for (size_t i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum husk_status)i;
			return 0;
		}
	}
	return -1;
}
