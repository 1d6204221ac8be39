# SPDX-License-Identifier: BSD-3-Clause
"""Client of weir-dataplane's runtime socket (HAProxy Runtime API style).

One command per connection: send the line, read the answer until the server closes,
as HAProxy does for a non-interactive command line.
"""

import csv
import io
import socket
import time


class Runtime:
    def __init__(self, path, timeout=5.0):
        self.path = str(path)
        self.timeout = timeout

    def cmd(self, line, timeout=None):
        """Send one command line and return the whole answer as text. Raises OSError
        (e.g. FileNotFoundError, ConnectionRefusedError) when nothing listens, and
        TimeoutError when the answer does not end within timeout seconds."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        chunks = []
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.path)
            s.sendall(line.rstrip("\n").encode() + b"\n")
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"runtime {self.path}: no end of answer to {line!r} within {timeout} s")
                s.settimeout(left)
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
        return b"".join(chunks).decode(errors="replace")

    def info(self):
        """`show info` as a dict of its `Key: value` lines (values as strings)."""
        out = {}
        for line in self.cmd("show info").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip():
                out[key.strip()] = value.strip()
        return out

    def stat(self):
        """`show stat` (CSV headed by "# pxname,svname,...") as a list of dicts."""
        text = self.cmd("show stat")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if not lines or not lines[0].startswith("#"):
            return []
        lines[0] = lines[0].lstrip("# ")
        return [{k: v for k, v in row.items() if k} for row in csv.DictReader(io.StringIO("\n".join(lines)))]
