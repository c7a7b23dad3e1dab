# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Harness for the client integration tests (podman.sh, containerd.sh,
# docker.sh): real clients with $RUNTIME as their OCI runtime, offline, every
# store, socket and state dir under one temp dir $B.  Output is TAP.
#
# A script defines scenario functions and calls `t NAME FUNC [TODO reason]`
# for each, then `finish`.  A scenario runs in a subshell with `set -e`; its
# commands go through `x` (timeout, captured stdout/stderr/rc) and the
# `expect_*` assertions.  A failing scenario prints its log and the last
# runtime calls as TAP diagnostics.  Scenarios of one script share the
# client's store, so later ones may use containers that earlier ones made.
#
# Environment: RUNTIME (default $BUILD_DIR/src/husk), BUILD_DIR (default
# build), V=1 (print every scenario's log), KEEP=1 (keep $B).

set -u

CL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$CL_DIR/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_ROOT/build}
RUNTIME=${RUNTIME:-$BUILD_DIR/src/husk}
case $RUNTIME in /*) ;; *) RUNTIME=$(command -v "$RUNTIME" || echo "$PWD/$RUNTIME") ;; esac
RT_NAME=$(basename "$RUNTIME")
export RT_NAME
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

B=$(mktemp -d /tmp/husk-clients.XXXXXX)
chmod 755 "$B"
# every cgroup the clients make lives under this parent (relative to each hierarchy's root)
CGP=/husk-test/clients-$$
IMG=localhost/busybox:latest
_n=0
_fail=0
_cleanups=()

# ---- TAP ----

t() { # t NAME FUNC [TODO reason]
	local name=$1 fn=$2 todo=${3:-} rc log=$B/log.$(( _n + 1 ))
	_n=$((_n + 1))
	# ONLY=regex: run the matching scenarios only (later ones may need earlier ones)
	if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then
		echo "ok $_n - $name # SKIP not selected"
		return
	fi
	(
		set -e
		"$fn"
	) >"$log" 2>&1 </dev/null
	rc=$?
	local dir=""
	[ -z "$todo" ] || dir=" # $todo"
	if [ $rc = 0 ]; then
		echo "ok $_n - $name$dir"
		[ "${V:-0}" = 0 ] || sed 's/^/# /' "$log"
	else
		echo "not ok $_n - $name$dir"
		[ -n "$todo" ] || _fail=$((_fail + 1))
		sed 's/^/# /' "$log"
		if [ -s "$B/runtime.log" ]; then
			echo "# last runtime calls:"
			tail -n 8 "$B/runtime.log" | sed 's/^/#   /'
		fi
	fi
}

bail() {
	echo "Bail out! $*"
	exit 1
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

finish() {
	echo "1..$_n"
	[ "$_fail" = 0 ]
}

# ---- commands and assertions (inside a scenario) ----

OUT=$B/out
ERR=$B/err
RC=0

# x [-t SECONDS] CMD...: run with a timeout, stdin /dev/null; sets RC, $OUT, $ERR
x() {
	local tmo=60
	if [ "$1" = -t ]; then
		tmo=$2
		shift 2
	fi
	echo "+ $*"
	set +e
	timeout -k 5 "$tmo" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	set -e
	[ "$RC" != 124 ] || echo "(timed out after ${tmo}s)"
	return 0
}

# xin FILE CMD...: like x, with stdin from FILE
xin() {
	local in=$1
	shift
	echo "+ $* <$in"
	set +e
	timeout -k 5 60 "$@" >"$OUT" 2>"$ERR" <"$in"
	RC=$?
	set -e
	return 0
}

# xt [-i FILE] CMD...: like x, under a pseudo-terminal (script(1)) whose input
# is FILE (default none); output in $OUT, CRs removed
xt() {
	local cmd in=/dev/null
	if [ "$1" = -i ]; then
		in=$2
		shift 2
	fi
	cmd=$(printf '%q ' "$@")
	echo "+ (tty) $*"
	set +e
	timeout -k 5 60 script -qfec "$cmd" /dev/null >"$OUT.raw" 2>"$ERR" <"$in"
	RC=$?
	set -e
	tr -d '\r' <"$OUT.raw" >"$OUT"
	[ "$RC" != 124 ] || echo "(timed out)"
	return 0
}

show() {
	echo "--- rc=$RC stdout:"
	head -c 4000 "$OUT"
	echo "--- stderr:"
	head -c 4000 "$ERR"
	echo "---"
}
die() {
	show
	echo "FAIL: $*"
	exit 1
}
expect_rc() { [ "$RC" = "$1" ] || die "exit code $RC, expected $1"; }
expect_ok() { expect_rc 0; }
expect_out() { grep -qF -- "$1" "$OUT" || die "stdout lacks \`$1\`"; }
expect_out_is() {
	[ "$(cat "$OUT")" = "$1" ] || die "stdout is not \`$1\`"
}
expect_err() { grep -qiE -- "$1" "$ERR" || die "stderr does not match \`$1\`"; }
expect_no_out() { ! grep -qF -- "$1" "$OUT" || die "stdout has \`$1\`"; }

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

# cgroup file of a v1 controller at the path the client asked for
cgfile() { # cgfile CONTROLLER RELPATH FILE
	echo "/sys/fs/cgroup/$1$2/$3"
}

# ---- setup ----

need() { # need CMD...: skip the whole script when a client is missing
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c is not installed (run tests/clients/setup.sh)"
	done
}

preflight() {
	[ "$(id -u)" = 0 ] || skip_all "must run as root"
	[ -x "$RUNTIME" ] || skip_all "runtime $RUNTIME is not built"
	command -v busybox >/dev/null || skip_all "busybox-static is not installed"
}

# make_wrapper FILE ROOT: a runtime wrapper that logs its argv to $B/runtime.log
# and execs $RUNTIME, adding `--root ROOT` when the caller passes no --root
# (podman calls the runtime without one: this keeps its state private).
# It runs with no PATH for some calls: absolute paths only.
make_wrapper() {
	cat >"$1" <<EOF
#!/bin/sh
echo "\$(/bin/date +%T.%N | /usr/bin/cut -c1-12) \$*" >>'$B/runtime.log'
case " \$* " in
*" --root "* | *" --root="*) ;;
*) [ -z '$2' ] || set -- --root '$2' "\$@" ;;
esac
exec '$RUNTIME' "\$@"
EOF
	chmod 755 "$1"
}

# build_images: $B/img/{busybox-rootfs.tar,busybox-oci.tar,busybox-docker.tar}
# (clients.md section 1; only what the caller asks for)
build_rootfs_tar() {
	local r=$B/img/rootfs d
	mkdir -p "$r"
	for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root run var; do
		mkdir -p "$r/$d"
	done
	cp "$(command -v busybox)" "$r/bin/busybox"
	chroot "$r" /bin/busybox --install -s
	chmod 1777 "$r/tmp"
	chmod 700 "$r/root"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	tar -C "$r" --numeric-owner -cf "$B/img/busybox-rootfs.tar" .
}

build_archive() { # build_archive oci|docker
	local l=$B/img/oci-layout
	if [ ! -d "$l" ]; then
		umoci init --layout "$l" &&
			umoci new --image "$l:latest" &&
			umoci raw add-layer --image "$l:latest" "$B/img/busybox-rootfs.tar" &&
			umoci config --image "$l:latest" --config.cmd /bin/sh \
				--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin &&
			umoci gc --layout "$l" || return 1
	fi
	skopeo copy -q "oci:$l:latest" "$1-archive:$B/img/busybox-$1.tar:$IMG"
}

# on_exit CMD: run CMD (a string) at exit, latest first
on_exit() { _cleanups=("$1" "${_cleanups[@]}"); }

_cleanup() {
	local c
	for c in "${_cleanups[@]}"; do
		eval "$c" >>"$B/cleanup.log" 2>&1 || true
	done
	remove_cgroups
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $B"
	elif ! grep -q " $B/" /proc/self/mountinfo; then
		rm -rf --one-file-system "$B"
	else
		echo "# mounts remain under $B; not removed:"
		grep " $B/" /proc/self/mountinfo | awk '{print "#   " $5}'
	fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# remove our cgroups (empty ones only; deepest first)
remove_cgroups() {
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		[ -d "$h${CGP#/}" ] || continue
		find "$h${CGP#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[ ! -d "$h${CGP#/}" ] || echo "# cgroup left: $h${CGP#/}"
		rmdir "${h}husk-test" 2>/dev/null || true
	done
}

# start_containerd DIR: a private containerd; sets CONTAINERD_ADDRESS
start_containerd() {
	local d=$1
	mkdir -p "$d/opt/bin"
	cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = "$d/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
EOF
	setsid containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 </dev/null &
	echo $! >"$d/containerd.pid"
	on_exit "kill_shims $d"
	on_exit "stop_pid $d/containerd.pid"
	export CONTAINERD_ADDRESS=$d/containerd.sock
	for _ in $(seq 100); do
		ctr version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	tail -n 20 "$d/containerd.log" | sed 's/^/# /'
	return 1
}

# kill_shims DIR: SIGKILL the shims of the containerd in DIR that outlived it
# (only ours: their command line names our private socket)
kill_shims() {
	local f p
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		tr '\0' ' ' <"$f" 2>/dev/null | grep -qF -- "-address $1/containerd.sock " || continue
		echo "# killing leftover shim $p: $(tr '\0' ' ' <"$f")"
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}

# stop_pid PIDFILE: TERM a daemon we started, KILL after 10 s
stop_pid() {
	local p
	p=$(cat "$1" 2>/dev/null) || return 0
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p"
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$p"
}
