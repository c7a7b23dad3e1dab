/* SPDX-License-Identifier: Apache-2.0 */
/* state/events-json.c: the lines of `husk events`. */
#ifndef HUSK_STATE_EVENTS_H
#define HUSK_STATE_EVENTS_H

#include "cgroup/cgroup.h"

/*
 * state/events-json.c: runc's event lines (types/events.go), one line each,
 * malloc'd: {"type":"stats","id":..,"data":{..}} and {"type":"oom","id":..}.
 */
char *husk_events_stats_json(const char *id, const struct husk_cgroup_stats *st);
char *husk_events_simple_json(const char *type, const char *id);

#endif
