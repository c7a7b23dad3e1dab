/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/error.h"

static int set_msg(struct husk_error *err, int status, char *msg)
{
	if (err == NULL || err->msg != NULL) {
		free(msg);
		return -1;
	}
	err->status = status;
	err->msg = msg;
	return -1;
}

int husk_error_set(struct husk_error *err, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		msg = strdup("out of memory");
	return set_msg(err, status, msg);
}

int husk_error_errno(struct husk_error *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *head = NULL, *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head == NULL || asprintf(&msg, "%s: %s", head, strerror(saved)) < 0)
		msg = strdup("out of memory");
	free(head);
	set_msg(err, saved, msg);
	errno = saved;
	return -1;
}

int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
{
	va_list ap;
	char *head = NULL, *msg = NULL;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head == NULL)
		return -1;
	if (asprintf(&msg, "%s: %s", head, err->msg ? err->msg : "unknown error") < 0) {
		free(head);
		return -1;
	}
	free(head);
	free(err->msg);
	err->msg = msg;
	return -1;
}

void husk_error_clear(struct husk_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->status = 0;
}
