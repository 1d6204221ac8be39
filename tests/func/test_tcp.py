# SPDX-License-Identifier: BSD-3-Clause
"""TCP-proxy services: Weir's own TCP stack against the Linux kernel's, both ways."""

import os
import re
import subprocess
import time

import pytest

from helpers import PYTHON, scapy, wait_for
from test_l4 import SERVERS, TOOLS, Holder, assert_leasttime_avoids_s1, backend, client, stat_rows
from weirlab.config import base_config

# The sanitized build is several times slower: it moves less data, through the same code.
SANITIZED = os.environ.get("WEIR_BUILD", "build").rstrip("/").endswith("asan")
GB = (128 << 20) if SANITIZED else (1 << 30)
BIG = (64 << 20) if SANITIZED else (256 << 20)


def proxy_config(lab, workdir, port=80, extra_global="", iface_extra="", balance="roundrobin",
                 svc_extra="", workers=2, backends=None):
    """Weir with a TCP-proxy service on VIP:port over the three lab servers."""
    bes = backends or [backend("web", balance, port=port)]
    conf = base_config(
        lab, workdir, workers=workers,
        extra_global="flows = 65536; mbufs = 65535; memory_mb = 512;\n" + extra_global,
        extra=f"backends = (\n{','.join(bes)}\n);\n"
              f'services = ( {{ name = "proxy"; vip = "{lab.vip}"; port = {port}; '
              f'mode = "tcp"; backend = "web"; {svc_extra} }} );\n')
    if iface_extra:
        # The fault injector (or other interface keys) on Weir's client-side port.
        conf = conf.replace('iface=dpc"; ', 'iface=dpc"; ' + iface_extra + " ", 1)
    return conf.replace("memory_mb = 256;", "")


def tcp_counters(dp):
    return {k: int(v) for k, v in (l.split(": ") for l in dp.cmd("show tcp").splitlines()
                                   if ": " in l)}


def sessions(dp):
    return [l.split() for l in dp.cmd("show sess").splitlines() if l and not l.startswith("#")]


class ServerProcs:
    """weirlab.servers in every server namespace, stopped at the end."""

    def __init__(self, lab, mode, port, **kw):
        args = [f"--{k}={v}" for k, v in kw.items()]
        self.lab, self.port = lab, port
        self.procs = [lab.popen(s.ns, ["env", f"PYTHONPATH={TOOLS}", PYTHON, "-m",
                                       "weirlab.servers", mode, "--port", str(port),
                                       "--name", s.name, *args]) for s in lab.servers]
        for s in lab.servers:
            wait_for(lambda: lab.run(s.ns, ["ss", "-Hltn", f"sport = :{port}"]).stdout.strip(),
                     10, f"{mode} on {s.name}")

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


@pytest.fixture
def stream_servers(lab):
    s = ServerProcs(lab, "tcp-stream", 7000)
    yield s
    s.stop()


@pytest.fixture
def hash_servers(lab):
    s = ServerProcs(lab, "tcp-hash", 9000)
    yield s
    s.stop()


@pytest.fixture
def loss(lab):
    """5% random loss both ways at the client, with nft."""
    def on():
        rules = f"""
table inet weirloss {{
  chain in {{ type filter hook input priority 0; ip saddr {lab.vip} numgen random mod 100 < 5 counter drop; }}
  chain out {{ type filter hook output priority 0; ip daddr {lab.vip} numgen random mod 100 < 5 counter drop; }}
}}
"""
        lab.run("cl", ["nft", "-f", "-"], input=rules)
    yield on
    lab.run("cl", ["nft", "delete", "table", "inet", "weirloss"], check=False)


def test_proxy_answers_through_every_server(lab, nginx, dataplane, workdir):
    dp = dataplane(proxy_config(lab, workdir))
    res = client(lab, "seq", "--vip", lab.vip, "--count", "30")
    assert res["errors"] == 0 and set(res["counts"]) == set(SERVERS)
    # A full proxy: the servers see Weir's server-side address, not the client.
    with open(os.path.join(lab.nginx_dir(0), "access.log")) as f:
        last = f.read().splitlines()[-1]
    assert last.startswith(lab.weir_server_ip + " "), last
    c = tcp_counters(dp)
    assert c["passive_opens"] >= 30 and c["active_opens"] >= 30
    stat = stat_rows(dp)
    assert int(stat[("proxy", "FRONTEND")]["stot"]) >= 30
    # Bytes each way, as the client and the servers sent them.
    assert int(stat[("proxy", "FRONTEND")]["bin"]) >= 30 * len("GET / HTTP/1.0\r\n\r\n")
    assert int(stat[("proxy", "FRONTEND")]["bout"]) >= 30 * 25
    assert sum(int(stat[("web", s)]["bout"]) for s in SERVERS) == \
        int(stat[("proxy", "FRONTEND")]["bout"])


def test_proxy_leasttime_avoids_a_slow_server(lab, nginx, dataplane, workdir):
    """The proxy's own connects are timed: SYN sent to SYN-ACK received, a retransmitted
    SYN included, a refused or timed-out connect counted as the connect timeout."""
    dp = dataplane(proxy_config(lab, workdir, balance="leasttime"))
    assert_leasttime_avoids_s1(dp, lab)


def test_proxy_leasttime_counts_a_refused_connect(lab, nginx, dataplane, workdir):
    """A server that refuses (RST to the SYN) has no connect time to measure: its refusal
    counts as one as slow as the connect timeout, so each worker tries it once and then
    keeps to the others. (Counted as nothing, it would stay the unmeasured server that
    least-time tries first, and every connection would meet its refusal first.)"""
    dp = dataplane(proxy_config(lab, workdir, balance="leasttime"))
    lab.run("s1", ["nft", "-f", "-"], input="""
table inet weirrefuse {
  chain in { type filter hook input priority 0;
    tcp dport 80 tcp flags & (syn | ack) == syn counter reject with tcp reset
  }
}
""")
    try:
        res = client(lab, "seq", "--vip", lab.vip, "--count", "30")
    finally:
        lab.run("s1", ["nft", "delete", "table", "inet", "weirrefuse"], check=False)
    # Every client got its answer, from the other two (the proxy retries elsewhere).
    assert res["errors"] == 0 and set(res["counts"]) == {"s2", "s3"}, res
    stat = stat_rows(dp)
    # Unmeasured, s1 is tried first; then at most one refused connect per worker, and
    # s1 ranks behind the others.
    assert 1 <= int(stat[("web", "s1")]["stot"]) <= 2, stat[("web", "s1")]
    # No connect to s1 succeeded: no connect time (HAProxy's ctime counts successes),
    # its refusals are connection errors.
    assert stat[("web", "s1")]["ctime"] == "", stat[("web", "s1")]
    assert all(stat[("web", s)]["ctime"].isdigit() for s in ("s2", "s3")), stat
    assert tcp_counters(dp)["connect_retries"] == int(stat[("web", "s1")]["stot"])
    # As HAProxy counts them: each refusal a connection error, retried, on another server.
    row = stat[("web", "s1")]
    assert int(row["econ"]) == int(row["wretr"]) == int(row["wredis"]) == int(row["stot"]), row
    assert int(stat[("web", "BACKEND")]["econ"]) == int(row["econ"])
    assert int(stat[("web", "s2")]["econ"]) == int(stat[("web", "s3")]["econ"]) == 0


def test_thousands_of_short_connections(lab, nginx, dataplane, workdir):
    dp = dataplane(proxy_config(lab, workdir))
    n = 3000
    res = client(lab, "seq", "--vip", lab.vip, "--count", str(n))
    assert res["errors"] == 0
    assert sum(res["counts"].values()) == n
    c = tcp_counters(dp)
    assert c["passive_opens"] >= n and c["active_opens"] >= n
    # Every session ends: none is left behind once the TIME_WAITs (2 s) are over.
    wait_for(lambda: tcp_counters(dp)["sessions_active"] == 0, 30, "every session to end")
    assert c["in_errs"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("lossy", [False, True], ids=["clean", "loss5"])
def test_bulk_both_ways_byte_exact(lab, dataplane, workdir, stream_servers, hash_servers, loss,
                                   lossy):
    """A gigabyte each way, also with 5% loss, checked with sha256 on both ends."""
    size = GB
    be = [backend("web", "roundrobin", port=0)]
    conf = base_config(
        lab, workdir, workers=2,
        extra_global="flows = 65536; mbufs = 65535;",
        extra=f"backends = (\n{be[0]}\n);\n"
              f'services = ( {{ name = "down"; vip = "{lab.vip}"; port = 7000; mode = "tcp"; '
              f'backend = "web"; }},\n'
              f'  {{ name = "up"; vip = "{lab.vip}"; port = 9000; mode = "tcp"; '
              f'backend = "web"; }} );\n').replace("memory_mb = 256;", "memory_mb = 512;")
    dp = dataplane(conf)
    if lossy:
        loss()
    down = client(lab, "stream", "--vip", lab.vip, "--port", "7000", "--bytes", str(size),
                  timeout=900)
    assert down == {"received": size, "ok": True}
    up = client(lab, "upload", "--vip", lab.vip, "--port", "9000", "--bytes", str(size),
                timeout=900)
    assert up["ok"], up
    c = tcp_counters(dp)
    if lossy:
        assert c["retrans_segs"] > 0


@pytest.mark.slow
def test_reordering_duplication_and_drops_from_the_injector(lab, dataplane, workdir,
                                                            stream_servers, hash_servers):
    """Weir's client-side port reorders 3%, duplicates 3% and drops 1% of frames each way
    (seeded); transfers both ways stay byte-exact."""
    fault = "fault = { drop = 1.0; reorder = 3.0; duplicate = 3.0; seed = 11; };"
    conf = base_config(
        lab, workdir, workers=2, extra_global="flows = 65536; mbufs = 65535;",
        extra=f"backends = (\n{backend('web', 'roundrobin', port=0)}\n);\n"
              f'services = ( {{ name = "down"; vip = "{lab.vip}"; port = 7000; mode = "tcp"; '
              f'backend = "web"; }},\n'
              f'  {{ name = "up"; vip = "{lab.vip}"; port = 9000; mode = "tcp"; '
              f'backend = "web"; }} );\n').replace("memory_mb = 256;", "memory_mb = 512;")
    conf = conf.replace('iface=dpc"; ', 'iface=dpc"; ' + fault + " ", 1)
    dp = dataplane(conf)
    down = client(lab, "stream", "--vip", lab.vip, "--port", "7000", "--bytes", str(BIG),
                  timeout=900)
    assert down == {"received": BIG, "ok": True}
    up = client(lab, "upload", "--vip", lab.vip, "--port", "9000", "--bytes", str(BIG),
                timeout=900)
    assert up["ok"], up
    info = dp.runtime.info()
    assert int(info["Fault_reordered"]) > 100 and int(info["Fault_duplicated"]) > 100
    c = tcp_counters(dp)
    assert c["ooo_segs"] > 0 and c["dup_acks"] > 0


def test_small_receive_window(lab, dataplane, workdir, stream_servers):
    dp = dataplane(proxy_config(lab, workdir, port=7000, backends=[
        backend("web", "roundrobin", port=0)]))
    res = client(lab, "stream", "--vip", lab.vip, "--port", "7000", "--bytes", str(32 << 20),
                 "--rcvbuf", "4096", timeout=300)
    assert res == {"received": 32 << 20, "ok": True}
    assert tcp_counters(dp)["in_errs"] == 0


def test_peer_that_stops_reading(lab, dataplane, workdir, stream_servers):
    """The client reads nothing for 3 s: Weir's send side fills, the window toward the
    server closes, the server stops; then everything arrives, byte-exact."""
    dp = dataplane(proxy_config(lab, workdir, port=7000, backends=[
        backend("web", "roundrobin", port=0)]))
    p = lab.popen("cl", ["env", f"PYTHONPATH={TOOLS}", PYTHON, "-m", "weirlab.client",
                         "stream", "--vip", lab.vip, "--port", "7000",
                         "--bytes", str(64 << 20), "--rcvbuf", "16384", "--pause", "3"],
                  stdout=subprocess.PIPE, text=True)
    # While the client sleeps, the session is there, established on both sides (the
    # server side a moment after the client's: its SYN-ACK may still be on the way when
    # the session first shows).
    wait_for(lambda: [r for r in sessions(dp) if r[6:8] == ["ESTABLISHED", "ESTABLISHED"]],
             10, "the session established on both sides")
    out, _ = p.communicate(timeout=300)
    assert out.strip() == '{"received": %d, "ok": true}' % (64 << 20)
    assert tcp_counters(dp)["zero_window_probes"] > 0


def test_reset_mid_transfer_resets_the_server_side(lab, dataplane, workdir, stream_servers):
    dp = dataplane(proxy_config(lab, workdir, port=7000, backends=[
        backend("web", "roundrobin", port=0)]))
    before = tcp_counters(dp)
    res = client(lab, "reset", "--vip", lab.vip, "--port", "7000", "--bytes", str(1 << 30),
                 "--after", str(4 << 20))
    assert res["read"] == 4 << 20
    wait_for(lambda: tcp_counters(dp)["sessions_active"] == 0, 10, "the session to end")
    after = tcp_counters(dp)
    assert after["ended_client_reset"] == before["ended_client_reset"] + 1
    assert after["rst_in"] > before["rst_in"] and after["rst_out"] > before["rst_out"]


def test_half_close_both_ways(lab, dataplane, workdir, hash_servers):
    # The client half-closes first (upload to tcp-hash): the answer still comes back.
    dp = dataplane(proxy_config(lab, workdir, port=9000, backends=[
        backend("web", "roundrobin", port=0)]))
    up = client(lab, "upload", "--vip", lab.vip, "--port", "9000", "--bytes", str(8 << 20))
    assert up["ok"], up
    dp.stop()
    # The server half-closes first (tcp-first): the client's data still reaches it.
    out = os.path.join(str(workdir), "first.out")
    first = ServerProcs(lab, "tcp-first", 9100, out=out)
    try:
        dataplane(proxy_config(lab, workdir, port=9100, backends=[
            backend("web", "roundrobin", port=0)]))
        res = client(lab, "first", "--vip", lab.vip, "--port", "9100", "--bytes",
                     str(4 << 20))
        assert res["greeting"] == "hello\n"
        wait_for(lambda: os.path.exists(out) and open(out).read().strip(), 10, "the server")
        assert open(out).read().split() == [res["sha256"]]
    finally:
        first.stop()


def test_client_port_reused_while_the_server_side_lingers(lab, dataplane, workdir,
                                                         hash_servers):
    """A client that closes first may reuse its port (tcp_tw_reuse) while Weir's side
    toward the server is still in TIME_WAIT: each new connection on the old 4-tuple is a
    session of its own, answered in full, never reset."""
    dp = dataplane(proxy_config(lab, workdir, port=9000, workers=1,
                                extra_global="tcp = { time_wait_ms = 60000; };",
                                backends=[backend("web", "roundrobin", port=0)]))
    lab.run("cl", ["sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1"])
    try:
        res = client(lab, "upload", "--vip", lab.vip, "--port", "9000", "--bytes", "8000",
                     "--sport", "45123", "--repeat", "4")
    finally:
        lab.run("cl", ["sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=2"])  # the default
    assert res["ok"] and res["rounds"] == 4, res
    c = tcp_counters(dp)
    # Weir closed toward the servers first (the client's half-close): those sides linger.
    assert c["State_TIME_WAIT"] >= 3
    assert c["passive_opens"] == 4 and c["rst_out"] == 0


def test_syn_flood_leaves_established_connections_alone(lab, nginx, dataplane, workdir,
                                                         stream_servers):
    """A bounded SYN flood from random sources: a transfer under way finishes byte-exact,
    and new clients still connect, through SYN cookies once the backlog is full."""
    conf = base_config(
        lab, workdir, workers=2,
        extra_global="flows = 65536; mbufs = 65535;\ntcp = { syn_backlog = 64; };",
        extra=f"backends = (\n{backend('web', 'roundrobin', port=0)}\n);\n"
              f'services = ( {{ name = "down"; vip = "{lab.vip}"; port = 7000; mode = "tcp"; '
              f'backend = "web"; }},\n'
              f'  {{ name = "http"; vip = "{lab.vip}"; port = 80; mode = "tcp"; '
              f'backend = "web"; }} );\n').replace("memory_mb = 256;", "memory_mb = 512;")
    dp = dataplane(conf)
    weir_mac = [l.split()[3] for l in dp.cmd("show ports").splitlines()
                if l.split()[1:2] == ["client"]][0]
    transfer = lab.popen("cl", ["env", f"PYTHONPATH={TOOLS}", PYTHON, "-m", "weirlab.client",
                                "stream", "--vip", lab.vip, "--port", "7000",
                                "--bytes", str(BIG)], stdout=subprocess.PIPE, text=True)
    flood = lab.popen("cl", [PYTHON, "-c", f"""
from scapy.all import *
conf.verb = 0
import random
random.seed(5)
e = Ether(dst={weir_mac!r}, src=get_if_hwaddr({lab.client_if!r}))
frames = [e / IP(src='10.0.0.%d' % random.randint(100, 250), dst={lab.vip!r}) /
          TCP(sport=random.randint(1024, 65535), dport=80, flags='S', seq=random.getrandbits(32))
          for _ in range(20000)]
s = conf.L2socket(iface={lab.client_if!r})
for f in frames:
    s.send(f)
"""])
    try:
        # New clients during the flood still complete their handshakes.
        wait_for(lambda: tcp_counters(dp)["syncookies_sent"] > 0, 60, "SYN cookies")
        res = client(lab, "seq", "--vip", lab.vip, "--count", "20")
        assert res["errors"] == 0
        assert flood.wait(timeout=300) == 0
    finally:
        if flood.poll() is None:
            flood.kill()
            flood.wait()
    out, _ = transfer.communicate(timeout=600)
    assert out.strip() == '{"received": %d, "ok": true}' % BIG
    c = tcp_counters(dp)
    assert c["syncookies_sent"] > 1000
    assert c["syncookies_ok"] >= 1  # the clients' ACKs during the flood


def test_server_down_and_connect_retry(lab, nginx, dataplane, workdir):
    """A stopped server refuses: the session retries on another one, the client never
    notices; health checks then take the server out."""
    check = 'type = "tcp"; inter_ms = 300; fall = 2; rise = 2; timeout_ms = 200;'
    dp = dataplane(proxy_config(lab, workdir, backends=[
        backend("web", "roundrobin", check=check)]))
    lab.stop_nginx("s2")
    try:
        res = client(lab, "seq", "--vip", lab.vip, "--count", "30")
        assert res["errors"] == 0 and "s2" not in res["counts"]
        c = tcp_counters(dp)
        assert c["connect_retries"] >= 1 or stat_rows(dp)[("web", "s2")]["status"] == "DOWN"
    finally:
        lab.start_nginx("s2", str(workdir))


def test_show_sess_lists_sessions(lab, nginx, dataplane, workdir):
    dp = dataplane(proxy_config(lab, workdir))
    h = Holder(lab, 6)
    try:
        rows = sessions(dp)
        assert len(rows) == 6
        for r in rows:
            assert r[2] == f"{lab.vip}:80" and r[3] == "proxy"
            assert r[5].startswith(lab.weir_server_ip + ":")
            assert r[6] == "ESTABLISHED" and r[7] == "ESTABLISHED"
            assert int(r[10]) > 0 and int(r[11]) > 0
        assert len([l for l in dp.cmd("show sess server web/s1").splitlines()
                    if not l.startswith("#") and l]) == h.opened["counts"].get("s1", 0)
        assert h.release() == {"alive": 6, "held": 6, "reset": 0}
    finally:
        h.kill()


# A server that accepts and reads until the connection ends, in each server namespace.
SINK = """
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1])))
l.listen(8)
while True:
    c, _ = l.accept()
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()
"""

# The client: connects, sends 1000 bytes, waits for a line on stdin, then resets.
RESETTER = """
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"x" * 1000)
print("sent", flush=True)
sys.stdin.readline()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
"""


def test_abort_with_data_in_flight_resets_the_server(lab, dataplane, workdir):
    """The client resets while data Weir sent the server is still in flight (nft in the
    server namespaces drops Weir's segments with payload). The proxy's RST to the server
    carries SEQ = snd_max, beyond what the server received: Linux answers it with a
    challenge ACK (RFC 5961), which finds no connection in Weir any more. Weir answers
    that with the RST a closed port sends (SEQ = its ACK), and the server's side ends
    instead of lingering."""
    port = 7200
    dp = dataplane(proxy_config(lab, workdir, port=port, backends=[
        backend("web", "roundrobin", port=0)]))
    sinks = [lab.popen(s.ns, [PYTHON, "-c", SINK, str(port)]) for s in lab.servers]
    drop = f"""
table inet weirinflight {{
  chain in {{ type filter hook input priority 0; ip saddr {lab.weir_server_ip} tcp dport {port} ip length > 120 counter drop; }}
}}
"""
    p = None
    try:
        for s in lab.servers:
            wait_for(lambda: lab.run(s.ns, ["ss", "-Hltn", f"sport = :{port}"]).stdout.strip(),
                     10, f"the sink on {s.name}")
            lab.run(s.ns, ["nft", "-f", "-"], input=drop)

        def established():
            return [s for s in lab.servers if lab.run(
                s.ns, ["ss", "-Htn", "state", "established", f"sport = :{port}"]).stdout.strip()]

        before = int(dp.runtime.info().get("Ev_tcp_no_conn_rsts", 0))
        p = lab.popen("cl", [PYTHON, "-c", RESETTER, lab.vip, str(port)],
                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "sent"
        wait_for(established, 10, "the server side established")
        # The payload reached the server's namespace and was dropped there.
        wait_for(lambda: any(re.search(r"packets [1-9]", lab.run(
            s.ns, ["nft", "list", "table", "inet", "weirinflight"]).stdout)
            for s in lab.servers), 10, "Weir's data dropped before the server")
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.wait(timeout=10) == 0
        wait_for(lambda: tcp_counters(dp)["sessions_active"] == 0, 10, "the session to end")
        wait_for(lambda: not established(), 10, "the server side to end")
        assert int(dp.runtime.info()["Ev_tcp_no_conn_rsts"]) > before
    finally:
        if p is not None and p.poll() is None:
            p.kill()
        for s in lab.servers:
            lab.run(s.ns, ["nft", "delete", "table", "inet", "weirinflight"], check=False)
        for k in sinks:
            k.kill()
            k.wait()
