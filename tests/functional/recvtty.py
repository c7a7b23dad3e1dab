#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Console-socket receiver for the terminal tests.

  recvtty.py SOCKET OUTPUT [INPUT]

Listens on the unix SOCKET, accepts one connection, receives one SCM_RIGHTS
message, writes "fds N msg M dev MAJOR:MINOR" to OUTPUT.info, writes INPUT
(if given) to the pty master, then copies everything read from the master to
OUTPUT until the container side closes (EIO).
"""
import os
import socket
import stat
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    text = sys.argv[3] if len(sys.argv) > 3 else None
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path + ".tmp")
    srv.listen(1)
    os.rename(path + ".tmp", path)  # the socket appears only when listening
    srv.settimeout(60)
    conn, _ = srv.accept()
    conn.settimeout(60)
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 8)
    st = os.fstat(fds[0]) if fds else None
    with open(out + ".info", "w") as f:
        f.write("fds %d msg %s dev %s\n" % (
            len(fds), msg.decode(errors="replace") or "-",
            "%s%d:%d" % ("c" if stat.S_ISCHR(st.st_mode) else "?",
                         os.major(st.st_rdev), os.minor(st.st_rdev)) if st else "-"))
    conn.close()
    if not fds:
        return 1
    m = fds[0]
    for extra in fds[1:]:
        os.close(extra)
    if text is not None:
        os.write(m, text.encode())
    with open(out, "wb") as f:
        while True:
            try:
                b = os.read(m, 4096)
            except OSError:  # EIO: every slave fd closed
                break
            if not b:
                break
            f.write(b)
            f.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
