# SPDX-License-Identifier: BSD-3-Clause
"""Traffic for tests, run inside a lab namespace; prints one JSON document.

  client.py seq  --vip A --port P --count N [--src A,B,...] [--sports FIRST-LAST]
      sequential HTTP/1.0 GETs; which server answered each ("served by sN")
  client.py hold --vip A --port P --count N
      N keep-alive connections opened one after another and held; prints where each
      went, then keeps them until stdin closes, checking each still answers
  client.py udp  --vip A --port P --count N
      one datagram from each of N source ports; the replies
  client.py stream --vip A --port P --bytes N [--rcvbuf B] [--pause S]
      asks a tcp-stream server for N bytes and checks them against the stream; with a
      small receive buffer, or not reading for S seconds first
  client.py upload --vip A --port P --bytes N [--repeat R --sport S]
      sends N bytes of the stream to a tcp-hash server, half-closes, checks its answer;
      R times, each from source port S when given (reusing the client's own TIME_WAIT)
  client.py first --vip A --port P --bytes N
      against a tcp-first server: reads its greeting to EOF (it half-closed first), then
      sends N bytes and half-closes; prints their sha256
  client.py reset --vip A --port P --bytes N --after K
      asks for N bytes, reads K of them, then resets the connection (SO_LINGER 0)
Every socket operation has a timeout, so a lost packet fails fast instead of hanging.
"""

import argparse
import errno
import hashlib
import json
import re
import socket
import struct
import sys
import time

from weirlab.servers import stream_bytes

SERVED = re.compile(rb"served by (s\d+)")
TIMEOUT = 5.0


def http_get(vip, port, src=("", 0), keepalive=False, sock=None):
    """One GET; returns (server name or None, socket if kept)."""
    s = sock
    if s is None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(TIMEOUT)
        if src != ("", 0):
            s.bind(src)
        s.connect((vip, port))
    if keepalive:
        s.sendall(b"GET / HTTP/1.1\r\nHost: weir\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
        while len(body) < length:
            body += s.recv(65536)
        m = SERVED.search(body)
        return (m.group(1).decode() if m else None), s
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    m = SERVED.search(data)
    return (m.group(1).decode() if m else None), None


def cmd_seq(a):
    counts, by_port, errors = {}, {}, 0
    srcs = a.src.split(",") if a.src else [""]
    if a.sports:
        first, last = (int(x) for x in a.sports.split("-"))
        plan = [(srcs[i % len(srcs)], p) for i, p in enumerate(range(first, last + 1))]
    else:
        plan = [(srcs[i % len(srcs)], 0) for i in range(a.count)]
    by_src = {}
    for src, sport in plan:
        try:
            srv, _ = http_get(a.vip, a.port, (src, sport))
        except OSError:
            srv = None
        if srv is None:
            errors += 1
            continue
        counts[srv] = counts.get(srv, 0) + 1
        if sport:
            by_port[str(sport)] = srv
        if src:
            by_src.setdefault(src, set()).add(srv)
    print(json.dumps({"counts": counts, "errors": errors, "by_port": by_port,
                      "by_src": {k: sorted(v) for k, v in by_src.items()}}))


def cmd_hold(a):
    held, counts, errors = [], {}, 0
    for _ in range(a.count):
        try:
            srv, s = http_get(a.vip, a.port, keepalive=True)
            held.append((srv, s))
            counts[srv] = counts.get(srv, 0) + 1
        except OSError:
            errors += 1
    print(json.dumps({"counts": counts, "errors": errors}), flush=True)
    sys.stdin.readline()  # the test says when to let go
    # Every held connection still works (drained or not, its server keeps serving it).
    alive = reset = 0
    for srv, s in held:
        try:
            again, _ = http_get(a.vip, a.port, keepalive=True, sock=s)
            alive += again == srv
        except ConnectionResetError:
            reset += 1
        except OSError:
            pass
        s.close()
    print(json.dumps({"alive": alive, "held": len(held), "reset": reset}), flush=True)


def cmd_udp(a):
    replies, errors = {}, 0
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        try:
            s.sendto(b"ping %d" % i, (a.vip, a.port))
            data, _ = s.recvfrom(65536)
            srv = data.decode().split(":", 1)[0]
            if data.decode().split(":", 1)[1] != "ping %d" % i:
                errors += 1
            replies[srv] = replies.get(srv, 0) + 1
        except (OSError, IndexError):
            errors += 1
        finally:
            s.close()
    print(json.dumps({"counts": replies, "errors": errors}))


def expected_digest(n):
    h = hashlib.sha256()
    for chunk in stream_bytes(n):
        h.update(chunk)
    return h.hexdigest()


def connect(a, rcvbuf=0, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        if a.sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", a.sport))
        try:
            s.connect((a.vip, a.port))
            return s
        except OSError as e:
            s.close()
            # A fixed source port still in this side's TIME_WAIT: tcp_tw_reuse lets the
            # kernel take it again once its last timestamp is a second old.
            if not a.sport or e.errno != errno.EADDRNOTAVAIL or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def cmd_stream(a):
    s = connect(a, a.rcvbuf)
    s.sendall(b"%d\n" % a.bytes)
    if a.pause:
        time.sleep(a.pause)  # the peer that stops reading, for a while
    h, got = hashlib.sha256(), 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        h.update(b)
        got += len(b)
    s.close()
    print(json.dumps({"received": got, "ok": got == a.bytes and
                      h.hexdigest() == expected_digest(a.bytes)}))


def cmd_upload(a):
    oks = []
    for _ in range(a.repeat):
        s = connect(a)
        for chunk in stream_bytes(a.bytes):
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
        answer = s.makefile().readline().strip()
        s.close()
        oks.append(answer == expected_digest(a.bytes))
    print(json.dumps({"ok": all(oks), "answer": answer, "rounds": len(oks)}))


def cmd_first(a):
    s = connect(a)
    greeting = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        greeting += b
    # The server half-closed; this side goes on sending.
    for chunk in stream_bytes(a.bytes):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the server's close
    s.close()
    print(json.dumps({"greeting": greeting.decode(), "sha256": expected_digest(a.bytes)}))


def cmd_reset(a):
    s = connect(a)
    s.sendall(b"%d\n" % a.bytes)
    got = 0
    while got < a.after:
        b = s.recv(min(65536, a.after - got))
        if not b:
            break
        got += len(b)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print(json.dumps({"read": got}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["seq", "hold", "udp", "stream", "upload", "first", "reset"])
    p.add_argument("--vip", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--src", default="")
    p.add_argument("--sports", default="")
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--bytes", type=int, default=0)
    p.add_argument("--rcvbuf", type=int, default=0)
    p.add_argument("--pause", type=float, default=0.0)
    p.add_argument("--after", type=int, default=0)
    a = p.parse_args()
    {"seq": cmd_seq, "hold": cmd_hold, "udp": cmd_udp, "stream": cmd_stream,
     "upload": cmd_upload, "first": cmd_first, "reset": cmd_reset}[a.mode](a)


if __name__ == "__main__":
    main()
