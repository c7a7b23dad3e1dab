/* SPDX-License-Identifier: Apache-2.0 */
/* husk plan (the public husk_plan_show): create's checks and plan, printed, nothing made. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "state/container.h"

static int parse_layout(const char *name, enum husk_plan_layout *out, struct husk_error *err)
{
	if (name == NULL || *name == '\0')
		*out = husk_plan_layout_detect();
	else if (strcmp(name, "v1") == 0)
		*out = HUSK_PLAN_LAYOUT_V1;
	else if (strcmp(name, "v2") == 0)
		*out = HUSK_PLAN_LAYOUT_V2;
	else if (strcmp(name, "hybrid") == 0)
		*out = HUSK_PLAN_LAYOUT_HYBRID;
	else
		return husk_error_set(err, EINVAL, "cgroup layout `%s`: want v1, v2 or hybrid",
				      name);
	return 0;
}

int husk_plan_show(const struct husk_ctx *ctx, const char *id, const struct husk_plan_opts *opts,
		   char **out, struct husk_error *err)
{
	struct husk_create_checked c = {0};
	enum husk_plan_layout layout = HUSK_PLAN_LAYOUT_V2;
	struct husk_plan *plan = NULL;

	*out = NULL;
	if (parse_layout(opts->layout, &layout, err) < 0 ||
	    husk_create_check(ctx, id, opts->bundle, &c, err) < 0)
		return -1;
	if (husk_plan_build(c.spec, id, c.bundle, c.rootfs, ctx, &plan, err) == 0 &&
	    (!ctx->systemd_cgroup || husk_plan_use_systemd(plan, err) == 0)) {
		husk_plan_warn(plan, ctx);
		*out = opts->json ? husk_plan_to_json(plan, layout, err)
				  : husk_plan_to_text(plan, layout, err);
	}
	husk_plan_free(plan);
	husk_spec_free(c.spec);
	free(c.bundle);
	free(c.rootfs);
	return *out ? 0 : -1;
}
