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
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr mh = {0};
	struct cmsghdr *cmsg;
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
	memset(&control, 0, sizeof(control));
	iov = (struct iovec){.iov_base = msg, .iov_len = len};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &notify_fd, sizeof(int));

	while (done < len) {
		ssize_t n;

		iov.iov_base = msg + done;
		iov.iov_len = len - done;
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_error_errno(err, "seccomp listener `%s`: send", listener_path);
		done += (size_t)n;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	/* one state per connection; closing it tells the agent we are done */
	if (close(steal_fd(&sock)) < 0 && errno != EINTR)
		return husk_error_errno(err, "seccomp listener `%s`: close", listener_path);
	return 0;
}
