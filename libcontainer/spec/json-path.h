/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_SPEC_JSON_PATH_H
#define HUSK_SPEC_JSON_PATH_H

#include <stddef.h>

/*
 * The JSON path ("process.args[0]", "linux.devices[2].path") of the value or
 * key that byte `off` of the text `s` lies in, in buf; "" at the top level.
 * For errors found before the text is parsed (invalid UTF-8, comments), so
 * that they name the field as every other config error does.  Reads the text
 * up to `off` only, which must be well-formed that far.
 */
void json_path_at(const char *s, size_t len, size_t off, char *buf, size_t n);

#endif
