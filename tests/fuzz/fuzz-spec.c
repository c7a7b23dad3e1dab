/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the config.json parser: husk_spec_parse (which
 * validates), husk_spec_check_supported, husk_spec_free; the same bytes as a
 * process.json and a resources JSON.  Beyond crashes and leaks it checks the
 * error contract: a failure always has a one-line message naming the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, struct husk_error *e, const char *file)
{
	size_t n = strlen(file);

	if (r == 0) {
		if (e->msg != NULL)
			abort(); /* success with an error set */
		return;
	}
	if (e->msg == NULL || strncmp(e->msg, file, n) != 0 || strncmp(e->msg + n, ": ", 2) != 0)
		abort();
	for (const char *m = e->msg; *m; m++)
		if ((unsigned char)*m < 0x20)
			abort(); /* one line, no control characters */
	husk_error_clear(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parser takes NUL-terminated text (as read_file_at gives it) */
	char *text = malloc(size + 1);
	struct husk_error e = {0};
	struct husk_spec *spec = NULL;
	struct husk_process p;
	struct husk_resources res;
	int r;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	r = husk_spec_parse(text, size, "config.json", &spec, &e);
	check_error(r, &e, "config.json");
	if (r == 0) {
		r = husk_spec_check_supported(spec, "config.json", &e);
		check_error(r, &e, "config.json");
		husk_spec_free(spec);
	}

	r = husk_process_parse(text, size, "process.json", &p, &e);
	check_error(r, &e, "process.json");
	if (r == 0) {
		r = husk_process_check_supported(&p, "process.json", &e);
		check_error(r, &e, "process.json");
		husk_process_clear(&p);
	}

	r = husk_resources_parse(text, size, "resources.json", &res, &e);
	check_error(r, &e, "resources.json");
	if (r == 0)
		husk_resources_clear(&res);

	free(text);
	return 0;
}
