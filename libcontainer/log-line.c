/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log records for the CLI's --log (husk.h: husk_log_line), in logrus's two
 * forms as runc writes them; the message goes through the one JSON escaper
 * in both (logrus quotes text values too).
 */
#include <stdbool.h>
#include <time.h>

#include "husk/husk.h"
#include "spec/json.h"
#include "utils.h"

char *husk_log_line(bool json, const char *level, const char *msg)
{
	struct timespec ts;
	char now[64];
	struct jw w;
	char *line;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* logrus's default time format is RFC 3339 in seconds */
	rfc3339(&ts, false, now, sizeof now);
	jw_init(&w, NULL);
	if (json) {
		jw_obj_begin(&w);
		jw_kstr(&w, "level", level);
		jw_kstr(&w, "msg", msg);
		jw_kstr(&w, "time", now);
		jw_obj_end(&w);
	} else {
		jw_raw(&w, "time=");
		jw_str(&w, now);
		jw_raw(&w, " level=");
		jw_raw(&w, level);
		jw_raw(&w, " msg=");
		jw_str(&w, msg);
	}
	jw_raw(&w, "\n");
	line = jw_finish(&w);
	return line;
}
