/* SPDX-License-Identifier: Apache-2.0 */
/* husk list: the containers under --root, as a table or JSON. */
#include <errno.h>
#include <string.h>

#include "cli.h"

static int by_id(const void *a, const void *b)
{
	const struct husk_container_info *x = a, *y = b;

	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/*
 * runc's table: Go's tabwriter with minwidth 12 and padding 3, so a column is
 * max(12, widest cell + 3) wide; the last column is not padded.
 */
static void print_table(const struct husk_container_info *v, size_t n)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t w[5];
	char pid[24];
	size_t i, c;

	for (c = 0; c < 5; c++)
		w[c] = strlen(head[c]);
	for (i = 0; i < n; i++) {
		size_t l[5];

		l[0] = strlen(str(v[i].id));
		l[1] = (size_t)snprintf(pid, sizeof(pid), "%d", (int)v[i].pid);
		l[2] = strlen(str(v[i].status));
		l[3] = strlen(str(v[i].bundle));
		l[4] = strlen(str(v[i].created));
		for (c = 0; c < 5; c++)
			if (l[c] > w[c])
				w[c] = l[c];
	}
	for (c = 0; c < 5; c++)
		w[c] = w[c] + 3 < 12 ? 12 : w[c] + 3;

	printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], head[0], (int)w[1], head[1], (int)w[2],
	       head[2], (int)w[3], head[3], (int)w[4], head[4], head[5]);
	for (i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)v[i].pid);
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], str(v[i].id), (int)w[1], pid,
		       (int)w[2], str(v[i].status), (int)w[3], str(v[i].bundle), (int)w[4],
		       str(v[i].created), str(v[i].owner));
	}
}

static int print_json(const struct husk_container_info *v, size_t n, struct husk_error *err)
{
	cli_cleanup_free char *json = husk_list_json(v, n);

	if (json == NULL || puts(json) < 0)
		return husk_error_errno(err, "list: write to stdout");
	return 0;
}

static int cmd_list(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		    struct husk_error *err)
{
	const char *format = "table";
	bool quiet = false;
	const struct cli_opt opts[] = {
	    {"format", 'f', CLI_OPT_STRING, &format, "FORMAT",
	     "output format: table (default) or json"},
	    {"quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "print only the container ids"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	struct husk_container_info *v = NULL;
	bool json;
	size_t n = 0;
	size_t i;
	int nargs;
	int r;

	r = cli_parse(cmd, opts, argc, argv, 0, 0, &nargs, err);
	if (r != 0)
		return r == CLI_HELP ? 0 : -1;
	json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "table") != 0)
		return husk_error_set(err, EINVAL,
				      "list: unknown format `%s` (expected table or json)", format);
	if (husk_list(&cli->ctx, &v, &n, err) < 0)
		return -1;
	if (n > 1)
		qsort(v, n, sizeof(*v), by_id);
	r = 0;
	if (quiet)
		for (i = 0; i < n; i++)
			puts(str(v[i].id));
	else if (json)
		r = print_json(v, n, err);
	else
		print_table(v, n);
	husk_container_info_free(v, n);
	return r;
}

const struct cli_command cli_cmd_list = {
    .name = "list",
    .args = "",
    .summary = "list the containers under the state root",
    .description = "List the containers whose state is under --root: id, init pid, status,\n"
		   "bundle, creation time and owner (the user owning the state directory); the\n"
		   "JSON form also has ociVersion and rootfs, as runc's.",
    .run = cmd_list,
};
