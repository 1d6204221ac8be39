# SPDX-License-Identifier: BSD-3-Clause
"""Small helpers shared by the functional tests."""

import os
import re
import subprocess
import textwrap
import time

PYTHON = "/usr/bin/python3"


def scapy(lab, ns, code, timeout=60):
    """Run scapy @code (a Python snippet, `from scapy.all import *` done) inside
    namespace @ns and return its stdout. Fails the test on a non-zero exit."""
    prog = "from scapy.all import *\nconf.verb = 0\n" + textwrap.dedent(code)
    r = lab.run(ns, [PYTHON, "-c", prog], check=False, timeout=timeout)
    assert r.returncode == 0, f"scapy snippet failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def mac_of(lab, ns, ifname):
    """The MAC address of @ifname in @ns, upper case like Weir prints it."""
    out = lab.run(ns, ["cat", f"/sys/class/net/{ifname}/address"]).stdout
    return out.strip().upper()


def ping(lab, ns, addr, count=3, extra=()):
    """Ping @addr from @ns; returns (received, output)."""
    r = lab.run(ns, ["ping", "-c", str(count), "-i", "0.2", "-W", "2", *extra, addr],
                check=False, timeout=30)
    m = re.search(r"(\d+) received", r.stdout)
    return (int(m.group(1)) if m else 0), r.stdout


def counters(info, prefix):
    """The integer counters of a `show info` dict whose names start with @prefix."""
    return {k[len(prefix):]: int(v) for k, v in info.items() if k.startswith(prefix)}


def wait_for(pred, timeout, what, interval=0.05):
    """Poll @pred until it returns a true value (returned) or @timeout seconds pass
    (then fail with @what). For conditions that become true asynchronously, with a
    bound, never as a delay in place of a condition."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def check_config(build_dir, text, tmp_path, name="weir.conf"):
    """Run `weir-dataplane --check -c FILE` on @text; returns (exit code, stdout, stderr)."""
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([os.path.join(build_dir, "dataplane", "weir-dataplane"), "--check",
                        "-c", path], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr, path
