/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HUSK_TEST_SPEC_H
#define HUSK_TEST_SPEC_H

#include <stddef.h>

struct bad_case {
	const char *json;
	const char *msg;
};

/* Parsing (and husk_spec_validate) must fail with exactly `msg`. */
extern const struct bad_case bad[];
extern const size_t n_bad;
/*
 * Parses; husk_spec_check_supported() must refuse it with exactly `msg` while
 * `path` is not supported (husk_spec_field_supported), accept it once it is.
 * path NULL: always refused.
 */
struct supp_case {
	const char *json;
	const char *path;
	const char *msg;
};
extern const struct supp_case unsupported[];
extern const size_t n_unsupported;
/* A config using nearly every field, with values at the edges of their types. */
extern const char full[];

/* building blocks */
#define HEAD "{'ociVersion': '1.3.0', 'root': {'path': 'rootfs'}"
#define PROC(x) ", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0}, 'args': ['sh']" x "}"
#define LINUX(x) ", 'linux': {'namespaces': [{'type': 'mount'}]" x "}"
#define CFG(x) HEAD x "}"

#endif
