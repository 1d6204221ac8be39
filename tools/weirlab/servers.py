# SPDX-License-Identifier: BSD-3-Clause
"""Small servers for tests, run inside a lab server namespace.

  servers.py udp-echo  --name sN --port P   answers each datagram with "sN:<payload>"
  servers.py tcp-hash  --port P             reads a connection to EOF, answers with the
                                            hex sha256 of what it read, then closes
  servers.py tcp-first --port P --out FILE  sends "hello\n" and half-closes first, then
                                            reads to EOF and appends the sha256 of what
                                            it read to FILE
  servers.py tcp-stream --port P            reads a decimal byte count and a newline, then
                                            sends that many bytes of a seeded stream
                                            (weirlab.client's stream) and closes
"""

import argparse
import hashlib
import socket
import threading


def udp_echo(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", a.port))
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(a.name.encode() + b":" + data, peer)


def tcp_hash(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", a.port))
    srv.listen(64)

    def one(c):
        h = hashlib.sha256()
        with c:
            while True:
                b = c.recv(1 << 20)
                if not b:
                    break
                h.update(b)
            # The client half-closed; the answer travels the other way.
            c.sendall(h.hexdigest().encode() + b"\n")

    while True:
        c, _ = srv.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def stream_bytes(n, chunk=1 << 20):
    """The test stream: n bytes of a fixed pseudo-random sequence (the same on both
    ends, so a client checks what it got without storing it)."""
    import random
    rng = random.Random(0x5EED)
    while n > 0:
        k = min(n, chunk)
        yield rng.randbytes(k)
        n -= k


def tcp_first(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", a.port))
    srv.listen(64)
    while True:
        c, _ = srv.accept()
        with c:
            c.sendall(b"hello\n")
            c.shutdown(socket.SHUT_WR)
            h = hashlib.sha256()
            while True:
                b = c.recv(1 << 20)
                if not b:
                    break
                h.update(b)
        with open(a.out, "a") as f:
            f.write(h.hexdigest() + "\n")


def tcp_stream(a):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", a.port))
    srv.listen(64)

    def one(c):
        with c:
            f = c.makefile("rb")
            n = int(f.readline())
            for chunk in stream_bytes(n):
                c.sendall(chunk)

    while True:
        c, _ = srv.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["udp-echo", "tcp-hash", "tcp-first", "tcp-stream"])
    p.add_argument("--name", default="s?")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", default="")
    a = p.parse_args()
    {"udp-echo": udp_echo, "tcp-hash": tcp_hash, "tcp-first": tcp_first,
     "tcp-stream": tcp_stream}[a.mode](a)


if __name__ == "__main__":
    main()
