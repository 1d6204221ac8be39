# SPDX-License-Identifier: BSD-3-Clause
"""TCP-proxy benchmark: Weir's mode tcp against HAProxy's on the same lab, in one run.

Both proxies get one core of packet work (CPU 1: Weir's single worker, HAProxy's single
thread), the same servers (nginx in three namespaces), the same clients (wrk and curl in
the client namespace). Weir drives its two veth ports through DPDK's af_packet; HAProxy
uses the same two veths with kernel addresses. Measured: new connections per second
(wrk, one request per connection) and throughput (four parallel downloads).

The kernels on the proxy's and the client's side get the settings HAProxy's
documentation asks for at high connection rates (tcp_tw_reuse, the widest local port
range): without them, HAProxy's connections to the servers soon reuse 4-tuples the
servers still hold in TIME_WAIT, and its rate falls by 10x within seconds.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from weirlab.config import base_config  # noqa: E402
from weirlab.dataplane import Dataplane  # noqa: E402
from weirlab.lab import Lab  # noqa: E402

SERVERS = ["10.1.0.11", "10.1.0.12", "10.1.0.13"]


def weir_conf(lab, work):
    srv = ",\n    ".join(f'{{ name = "s{i + 1}"; address = "{a}"; port = 80; }}'
                         for i, a in enumerate(SERVERS))
    conf = base_config(
        lab, work, workers=1, poll="busy",
        extra_global="flows = 262144; mbufs = 131071; cpus = { main = 0; workers = [1]; };\n"
                     "tcp = { max_connections = 131072; };",
        extra=f'backends = ( {{ name = "web"; servers = (\n    {srv} ); }} );\n'
              f'services = ( {{ name = "proxy"; vip = "{lab.vip}"; port = 80; mode = "tcp"; '
              f'backend = "web"; }} );\n')
    return conf.replace("memory_mb = 256;", "memory_mb = 1024;")


HAPROXY_CFG = """
global
    nbthread 1
    maxconn 9000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend fe
    bind {vip}:80
    default_backend be
backend be
    balance roundrobin
{servers}
"""


def wrk_cps(lab, vip, secs, runs):
    """Connections per second: the median of `runs` wrk runs of `secs` seconds (the
    client side shares its CPU with the servers and the kernel, so single runs vary)."""
    rates, errors = [], []
    for _ in range(runs):
        r = lab.run("cl", ["wrk", "-t2", "-c64", f"-d{secs}s", "-H", "Connection: close",
                           f"http://{vip}/"], timeout=secs + 60)
        m = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
        e = re.search(r"Socket errors: (.*)", r.stdout)
        rates.append(float(m.group(1)))
        if e:
            errors.append(e.group(1))
    return statistics.median(rates), "; ".join(errors)


def throughput(lab, vip, size, streams=4):
    """MB/s of `streams` parallel downloads of `size` bytes each."""
    start = time.monotonic()
    procs = [lab.popen("cl", ["curl", "-sS", "-o", "/dev/null", "--max-time", "600",
                              f"http://{vip}/bytes/{size}"]) for _ in range(streams)]
    for p in procs:
        if p.wait(timeout=700) != 0:
            raise RuntimeError("a download failed")
    return streams * size / (time.monotonic() - start) / 1e6


KERNEL_TUNING = ["net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65023"]


def run(build, secs, size, runs=1):
    """Returns {"weir": (cps, mbs), "haproxy": (cps, mbs)}."""
    # wb<pid>n0: cleanup_stale() removes it if this process dies without its finally.
    lab = Lab(f"wb{os.getpid()}n0")
    work = tempfile.mkdtemp(prefix="weir-tcpbench-")
    results = {}
    try:
        lab.up()
        lab.run("cl", ["sysctl", "-q", "-w", *KERNEL_TUNING])
        for i in range(3):
            lab.start_nginx(i, work)
        lab.nginx_bytes(None, size)
        # Weir.
        dp = Dataplane(lab, weir_conf(lab, work), build, work)
        dp.wait_ready()
        lab.run("cl", ["curl", "-sS", "-o", "/dev/null", f"http://{lab.vip}/"])  # warm up
        cps, err = wrk_cps(lab, lab.vip, secs, runs)
        mbs = throughput(lab, lab.vip, size)
        results["weir"] = (cps, mbs, err)
        if dp.stop() != 0:
            raise RuntimeError("weir-dataplane did not stop cleanly")
        # HAProxy on the same veths, with kernel addresses, its thread on CPU 1.
        lab.run("dp", ["sysctl", "-q", "-w", *KERNEL_TUNING])
        lab.run("dp", ["ip", "addr", "add", f"{lab.weir_client_ip}/24", "dev", lab.dp_client_if])
        lab.run("dp", ["ip", "addr", "add", f"{lab.vip}/24", "dev", lab.dp_client_if])
        lab.run("dp", ["ip", "addr", "add", f"{lab.weir_server_ip}/24", "dev", lab.dp_server_if])
        cfg = os.path.join(work, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(HAPROXY_CFG.format(vip=lab.vip, servers="\n".join(
                f"    server s{i + 1} {a}:80" for i, a in enumerate(SERVERS))))
        hap = lab.popen("dp", ["taskset", "-c", "1", "haproxy", "-db", "-f", cfg],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if lab.run("dp", ["ss", "-Hltn", "sport = :80"]).stdout.strip():
                    break
                time.sleep(0.05)
            lab.run("cl", ["ip", "neigh", "flush", "dev", lab.client_if])
            lab.run("cl", ["curl", "-sS", "-o", "/dev/null", f"http://{lab.vip}/"])
            cps, err = wrk_cps(lab, lab.vip, secs, runs)
            mbs = throughput(lab, lab.vip, size)
            results["haproxy"] = (cps, mbs, err)
        finally:
            hap.terminate()
            hap.wait(timeout=10)
    finally:
        lab.down()
        shutil.rmtree(work, ignore_errors=True)
    return results
