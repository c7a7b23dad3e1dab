/* SPDX-License-Identifier: Apache-2.0 */
#include "utf8.h"

static int cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned char c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	/* 0x80..0xBF: a continuation without a lead; 0xC0, 0xC1: overlong 2-byte forms */
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return n >= 2 && cont(s[1]) ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || !cont(s[1]) || !cont(s[2]))
			return 0;
		if (c == 0xe0 && s[1] < 0xa0) /* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0) /* U+D800..U+DFFF: surrogates */
			return 0;
		return 3;
	}
	/* 0xF5..0xFF would start code points above U+10FFFF (or are not UTF-8 at all) */
	if (c > 0xf4)
		return 0;
	if (n < 4 || !cont(s[1]) || !cont(s[2]) || !cont(s[3]))
		return 0;
	if (c == 0xf0 && s[1] < 0x90) /* overlong */
		return 0;
	if (c == 0xf4 && s[1] >= 0x90) /* above U+10FFFF */
		return 0;
	return 4;
}
