#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""notify-recv.py ADDR LOG: a unix datagram socket standing in for systemd's
NOTIFY_SOCKET.  ADDR is a path, or @name for an abstract one.  Each datagram
received is appended to LOG as its lines, then `-- fds=N` (fds passed with
it, closed at once: that answers sd_notify_barrier's BARRIER=1).  `LOG.ready`
appears once the socket is bound.  Exits after 300 s (a safety net)."""
import array
import os
import socket
import sys

addr, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(300)
with open(log, "a", buffering=1) as out:
    with open(log + ".ready", "w") as ready:
        ready.write("ready\n")
    while True:
        try:
            msg, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
        except socket.timeout:
            break
        fds = array.array("i")
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
        for fd in fds:
            os.close(fd)
        text = msg.decode(errors="replace").rstrip("\n")
        out.write(text + "\n-- fds=%d\n" % len(fds))
