/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp agent handshake (config-linux.md "The Container Process
 * State"): connect to linux.seccomp.listenerPath, send the container process
 * state as JSON with the notify fd attached (SCM_RIGHTS), close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "security/security.h"
#include "spec/json.h"
#include "utils.h"

char *husk_seccomp_process_state(const char *state_json, const char *metadata, pid_t pid)
{
	struct jw w;

	jw_init(&w, NULL);
	jw_obj_begin(&w);
	jw_kstr(&w, "ociVersion", HUSK_OCI_VERSION);
	jw_key(&w, "fds");
	jw_arr_begin(&w);
	jw_str(&w, "seccompFd");
	jw_arr_end(&w);
	jw_ki64(&w, "pid", pid);
	if (metadata)
		jw_kstr(&w, "metadata", metadata);
	/* the container's state, already JSON (husk_state_to_json) */
	jw_key(&w, "state");
	jw_raw(&w, state_json && *state_json ? state_json : "{}");
	jw_obj_end(&w);
	return jw_finish(&w);
}

int husk_seccomp_notify_send(const char *listener_path, int notify_fd, const char *state_json,
			     const char *metadata, pid_t pid, struct husk_error *err)
{
	cleanup_free char *msg = husk_seccomp_process_state(state_json, metadata, pid);
	cleanup_close int sock = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(msg), done = 0;

	if (listener_path == NULL || listener_path[0] == '\0')
		return husk_error_set(err, EINVAL, "seccomp listener: no listenerPath");
	if (strlen(listener_path) >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG,
				      "seccomp listener `%s`: path too long (at most %zu bytes)",
				      listener_path, sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, listener_path, strlen(listener_path));

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return husk_error_errno(err, "seccomp listener `%s`: socket", listener_path);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_error_errno(err, "seccomp listener `%s`: connect", listener_path);

	/* the fd goes with the first sendmsg only (config-linux.md) */
	while (done < len) {
		struct iovec iov = {.iov_base = msg + done, .iov_len = len - done};
		ssize_t n = send_with_fd(sock, &iov, 1, done == 0 ? notify_fd : -1);

		if (n < 0)
			return husk_error_errno(err, "seccomp listener `%s`: send", listener_path);
		done += (size_t)n;
	}
	/* one state per connection; closing it tells the agent we are done */
	if (close(steal_fd(&sock)) < 0 && errno != EINTR)
		return husk_error_errno(err, "seccomp listener `%s`: close", listener_path);
	return 0;
}
