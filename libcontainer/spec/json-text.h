/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SPEC_JSON_TEXT_H
#define HUSK_SPEC_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One pass over the text before yajl: false, with the reason (and its line
 * and column) in why and the offending byte's offset in *at, for what must
 * be refused (NUL, "\\u0000", comments, invalid UTF-8, deep nesting).
 */
bool json_prescan(const char *s, size_t len, char *why, size_t why_len, size_t *at);

/*
 * The JSON path ("process.args[0]", "linux.devices[2].path") of the value or
 * key that byte `off` of the text `s` lies in, in buf; "" at the top level.
 * For errors found before the text is parsed (invalid UTF-8, comments), so
 * that they name the field as every other config error does.  Reads the text
 * up to `off` only, which must be well-formed that far.
 */
void json_path_at(const char *s, size_t len, size_t off, char *buf, size_t n);

#endif
