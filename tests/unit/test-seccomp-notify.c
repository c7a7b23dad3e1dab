/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-notify.c and SCMP_ACT_NOTIFY: a forked "container" loads a NOTIFY
 * filter and hands the listener fd to an agent (this process) over the
 * listener socket; the agent checks the container process state and answers
 * the container's syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-helpers.h"
#include "utils.h"

/* ---- NOTIFY and the listener ---- */

static int test_process_state_json(void)
{
	cleanup_free char *a =
	    husk_seccomp_process_state("{\"id\":\"c1\"}", "k=\"v\"\\\n\t\x01/é", 42);
	cleanup_free char *b = husk_seccomp_process_state("{}", NULL, 7);

	CHECK(strcmp(a, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":42,"
			"\"metadata\":\"k=\\\"v\\\"\\\\\\n\\t\\u0001/é\",\"state\":{\"id\":"
			"\"c1\"}}") == 0);
	CHECK(strcmp(b, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":7,"
			"\"state\":{}}") == 0);
	return 0;
}

static int test_notify_send_errors(void)
{
	struct husk_error e = {0};
	char longpath[200];

	CHECK(husk_seccomp_notify_send("/nonexistent/husk.sock", 0, "{}", NULL, 1, &e) < 0);
	CHECK(strcmp(e.msg, "seccomp listener `/nonexistent/husk.sock`: connect: No such file or "
			    "directory") == 0);
	husk_error_clear(&e);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(husk_seccomp_notify_send(longpath, 0, "{}", NULL, 1, &e) < 0);
	CHECK(e.status == ENAMETOOLONG);
	husk_error_clear(&e);
	return 0;
}

static const char *notify_state = "{\"ociVersion\":\"1.3.0\",\"id\":\"notify\",\"status\":"
				  "\"creating\",\"pid\":1,\"bundle\":\"/b\"}";

/* The "container": load a NOTIFY filter, hand the fd to the agent, then mkdir. */
static int notify_child(void *arg)
{
	const char *dir = arg;
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("mkdir", "mkdirat"), .action = "SCMP_ACT_NOTIFY"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	char sock[128], a[128], b[128];
	struct husk_error e = {0};
	struct stat st;
	int nfd = -1;

	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	if (load(&s, &nfd) < 0 || nfd < 0)
		return 10;
	if ((fcntl(nfd, F_GETFD) & FD_CLOEXEC) == 0)
		return 11;
	if (husk_seccomp_notify_send(sock, nfd, notify_state, "meta \"x\"", getpid(), &e) < 0) {
		diag("%s", e.msg);
		return 12;
	}
	close(nfd);
	/* the agent answers 0 without doing it */
	if (mkdir(a, 0700) != 0)
		return 13;
	if (stat(a, &st) == 0 || errno != ENOENT)
		return 14;
	/* then fails the next with EROFS */
	if (sys_result(syscall(SYS_mkdirat, AT_FDCWD, b, 0700)) != -EROFS)
		return 15;
	return 0;
}

/* Read a NUL-terminated string from the child's memory. */
static int peek_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, size - 1, (off_t)addr);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int agent(int lsock, pid_t child, const char *dir)
{
	char json[4096] = "", expect[4096], want[128], got[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = json, .iov_len = sizeof(json) - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control.buf,
			    .msg_controllen = sizeof(control.buf)};
	struct pollfd pfd = {.fd = lsock, .events = POLLIN};
	struct cmsghdr *cmsg;
	cleanup_close int conn = -1, nfd = -1;
	size_t len;
	ssize_t n;

	CHECK(poll(&pfd, 1, 10000) == 1);
	CHECK((conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC)) >= 0);
	CHECK((n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC)) > 0);
	len = (size_t)n;
	cmsg = CMSG_FIRSTHDR(&mh);
	CHECK(cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS);
	memcpy(&nfd, CMSG_DATA(cmsg), sizeof(int));
	/* the rest (if any) until the runtime closes the connection */
	while ((n = read(conn, json + len, sizeof(json) - 1 - len)) > 0)
		len += (size_t)n;
	CHECK(n == 0);
	json[len] = '\0';
	snprintf(expect, sizeof(expect),
		 "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":"
		 "\"meta \\\"x\\\"\",\"state\":%s}",
		 (int)child, notify_state);
	if (strcmp(json, expect) != 0)
		diag("got `%s`", json);
	CHECK(strcmp(json, expect) == 0);

	for (int i = 0; i < 2; i++) {
		struct seccomp_notif *req = NULL;
		struct seccomp_notif_resp *resp = NULL;
		uint64_t path_arg;
		int rc;

		pfd = (struct pollfd){.fd = nfd, .events = POLLIN};
		CHECK(poll(&pfd, 1, 10000) == 1);
		CHECK(seccomp_notify_alloc(&req, &resp) == 0);
		rc = seccomp_notify_receive(nfd, req);
		/* libc's mkdir may be either syscall */
		if (rc == 0 && req->pid == (uint32_t)child &&
		    (req->data.nr == SYS_mkdirat || (i == 0 && req->data.nr != SYS_mkdirat))) {
			path_arg =
			    req->data.nr == SYS_mkdirat ? req->data.args[1] : req->data.args[0];
			snprintf(want, sizeof(want), "%s/%s", dir, i == 0 ? "a" : "b");
			if (peek_string(child, path_arg, got, sizeof(got)) < 0 ||
			    strcmp(got, want) != 0 || seccomp_notify_id_valid(nfd, req->id) != 0)
				rc = -1;
			resp->id = req->id;
			resp->val = 0;
			resp->error = i == 0 ? 0 : -EROFS;
			resp->flags = 0;
			if (rc == 0)
				rc = seccomp_notify_respond(nfd, resp);
		} else {
			diag("notification %d: rc %d pid %u nr %d", i, rc, req->pid, req->data.nr);
			rc = -1;
		}
		seccomp_notify_free(req, resp);
		CHECK(rc == 0);
	}
	return 0;
}

static int test_notify(void)
{
	char dir[] = "/tmp/husk-seccomp-XXXXXX", sock[128];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int lsock = -1;
	pid_t child;
	int rc, st;

	CHECK(seccomp_api_get() >= 5);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	CHECK(strlen(sock) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, sock, strlen(sock));
	CHECK((lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	CHECK(bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(lsock, 1) == 0);

	fflush(stdout);
	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		_exit(notify_child(dir));
	rc = agent(lsock, child, dir);
	if (rc < 0)
		kill(child, SIGKILL); /* it may wait on us forever */
	CHECK(waitpid(child, &st, 0) == child);
	unlink(sock);
	rmdir(dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* ---- the test agent binary (seccomp-agent.c) ---- */

static const char *agent_path;

static int agent_binary_child(void *arg)
{
	const char *dir = arg;
	struct husk_seccomp_syscall calls[] = {
	    {.names = NAMES("mkdir", "mkdirat", "getppid"), .action = "SCMP_ACT_NOTIFY"},
	};
	struct husk_seccomp s = {
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = calls, .n_syscalls = ARRAY_SIZE(calls)};
	char sock[128], a[128];
	struct husk_error e = {0};
	pid_t ppid = getppid();
	struct stat st;
	int nfd = -1;

	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(a, sizeof(a), "%s/a", dir);
	if (load(&s, &nfd) < 0 || nfd < 0)
		return 10;
	if (husk_seccomp_notify_send(sock, nfd, notify_state, NULL, getpid(), &e) < 0) {
		diag("%s", e.msg);
		return 11;
	}
	close(nfd);
	if (mkdir(a, 0700) != 0 || (stat(a, &st) == 0 || errno != ENOENT))
		return 12; /* the agent says done, without doing it */
	if (getppid() != ppid)
		return 13; /* the agent lets the kernel run it */
	return 0;
}

static int test_agent_binary(void)
{
	char dir[] = "/tmp/husk-seccomp-XXXXXX", sock[128], state[128], ready[16] = "";
	const char *prefix = "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":";
	cleanup_free char *json = NULL;
	struct husk_error e = {0};
	struct pollfd pfd;
	int p[2], st, rc;
	pid_t agent_pid;
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(state, sizeof(state), "%s/states", dir);
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	fflush(stdout);
	agent_pid = fork();
	CHECK(agent_pid >= 0);
	if (agent_pid == 0) {
		dup2(p[1], 1);
		execl(agent_path, agent_path, sock, state, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	rc = poll(&pfd, 1, 10000) == 1 && read(p[0], ready, sizeof(ready) - 1) > 0 &&
		     strcmp(ready, "ready\n") == 0
		 ? 0
		 : -1;
	close(p[0]);
	st = rc == 0 ? fork_wait(agent_binary_child, dir) : -1;
	kill(agent_pid, SIGTERM);
	waitpid(agent_pid, NULL, 0);
	if (rc == 0 && read_file_at(AT_FDCWD, state, &json, &len, &e) < 0)
		rc = -1;
	unlink(sock);
	unlink(state);
	snprintf(sock, sizeof(sock), "%s/a", dir);
	rmdir(sock); /* only there if the agent let mkdir through */
	rmdir(dir);
	CHECK(rc == 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diag("child status %#x", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* one line: the container process state */
	CHECK(strncmp(json, prefix, strlen(prefix)) == 0);
	CHECK(strstr(json, notify_state) != NULL);
	CHECK(strchr(json, '\n') == json + len - 1);
	return 0;
}

int main(int argc, char **argv)
{
	printf("TAP version 13\n");
	run("container process state JSON", test_process_state_json);
	if (geteuid() != 0) {
		/* loading a filter without no_new_privs needs CAP_SYS_ADMIN */
		printf("# SKIP the rest: needs root\n");
		return done_testing();
	}
	run("listener errors", test_notify_send_errors);
	run("NOTIFY: agent gets the fd and answers", test_notify);
	agent_path = argc > 1 ? argv[1] : NULL;
	if (agent_path)
		run("NOTIFY with the seccomp-agent test binary", test_agent_binary);
	else
		printf("# seccomp-agent not given (argv[1]): its case skipped\n");
	return done_testing();
}
