/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HOME for the process, as runc sets it for the init and for exec alike:
 * when the environment has no HOME, the user's home directory from the
 * container's /etc/passwd (read after entering the container's root), or "/"
 * when the user has no entry (runc: "/" for a uid without a passwd entry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "process/process.h"
#include "utils.h"

static bool has_home(char *const *env)
{
	for (char *const *e = env; e && *e; e++)
		if (strncmp(*e, "HOME=", 5) == 0)
			return true;
	return false;
}

/* the home field of uid's line in /etc/passwd, malloc'd, or NULL */
static char *passwd_home(uid_t uid)
{
	cleanup_file FILE *f = fopen("/etc/passwd", "re");
	char line[1024];

	while (f && fgets(line, sizeof line, f)) {
		char *fields[7], *tok = line, *nl;
		int k = 0;

		/* name:pw:uid:gid:gecos:home:shell (empty fields allowed) */
		for (; k < 7; k++) {
			fields[k] = strsep(&tok, ":");
			if (fields[k] == NULL)
				break;
		}
		if (k < 6 || fields[2][0] == '\0' || strtoul(fields[2], NULL, 10) != uid)
			continue;
		nl = strchr(fields[5], '\n');
		if (nl)
			*nl = '\0';
		return fields[5][0] ? xstrdup(fields[5]) : NULL;
	}
	return NULL;
}

char **husk_env_with_home(char **env, uid_t uid)
{
	size_t n = strv_len(env);
	char **ne, *home;

	if (has_home(env))
		return env;
	home = passwd_home(uid);
	ne = xmalloc0((n + 2) * sizeof *ne);
	if (n)
		memcpy(ne, env, n * sizeof *ne);
	/* appended at the end: indexes into env (listen_pid_slot) stay valid */
	if (asprintf(&ne[n], "HOME=%s", home ? home : "/") < 0)
		abort();
	free(home);
	return ne;
}
