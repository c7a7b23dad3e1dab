/* SPDX-License-Identifier: Apache-2.0 */
/* Strict UTF-8 (RFC 3629): shared by the JSON parser and error messages. */
#ifndef HUSK_UTF8_H
#define HUSK_UTF8_H

#include <stddef.h>

/*
 * Length (1..4) of the well-formed UTF-8 character at s[0..n), or 0 when the
 * bytes there are not one: a bare continuation byte, 0xC0/0xC1 or 0xF5..0xFF,
 * an overlong form, a UTF-16 surrogate (U+D800..U+DFFF), a code point above
 * U+10FFFF, or a sequence cut short.
 */
size_t utf8_char_len(const unsigned char *s, size_t n);

#endif
