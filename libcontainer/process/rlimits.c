/* SPDX-License-Identifier: Apache-2.0 */
/* process.rlimits */
#include <errno.h>
#include <sys/resource.h>

#include "process/process.h"

int husk_rlimits_apply(const struct husk_rlimit *v, size_t n, struct husk_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct rlimit rl = {.rlim_cur = (rlim_t)v[i].soft, .rlim_max = (rlim_t)v[i].hard};

		if (setrlimit((__rlimit_resource_t)v[i].type, &rl) < 0)
			return husk_error_errno(err, "setrlimit `%s`",
						v[i].type_name ? v[i].type_name : "unknown");
	}
	return 0;
}
