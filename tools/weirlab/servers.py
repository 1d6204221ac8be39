# SPDX-License-Identifier: BSD-3-Clause
"""Small servers for tests, run inside a lab server namespace.

  servers.py udp-echo  --name sN --port P   answers each datagram with "sN:<payload>"
  servers.py tcp-hash  --port P             reads a connection to EOF, answers with the
                                            hex sha256 of what it read, then closes
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["udp-echo", "tcp-hash"])
    p.add_argument("--name", default="s?")
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    {"udp-echo": udp_echo, "tcp-hash": tcp_hash}[a.mode](a)


if __name__ == "__main__":
    main()
