# SPDX-License-Identifier: BSD-3-Clause
"""The Weir test network: network namespaces, veth pairs and one bridge.

    {p}-cl (client)           {p}-dp (weir-dataplane)    {p}-sw (switch)      {p}-s1..s3
    cl0 10.0.0.2/24 --------- dpc  (DPDK af_packet,
      default via 10.0.0.1          Weir 10.0.0.1)
                              dps  (DPDK af_packet, ---- sw-dp --+
                                    Weir 10.1.0.1)               |
    cl1 10.1.0.2/24 ------------------------------------ sw-cl --+ br0
      (return path)                                      sw-sN --+------- eth0 10.1.0.1N/24
                                                                    10.0.0.0/24 via 10.1.0.2

Weir sits between cl0 and the server subnet. Full-NAT replies come back through Weir;
direct-server-return replies go from a server straight to the client over cl1, which is
why the client namespace has rp_filter off. The kernel owns no address in {p}-dp: the
dataplane owns dpc and dps through DPDK af_packet.

Every namespace has IPv6 off (no stray router solicitations or DAD) and every veth has
checksum and segmentation offloads off: a veth leaves checksums to offload, and DPDK
af_packet sees the raw frame, so the sender must compute them.
"""

import collections
import os
import re
import signal
import subprocess
import tempfile
import time

Server = collections.namedtuple("Server", "name ip ns")

# Prefix of the labs of pytest runs, wt<pid>n<counter>, and of the benchmark's,
# wb<pid>n0; see cleanup_stale().
STALE_NS_RE = re.compile(r"^(w[tb](\d+)n\d+)-(?:cl|dp|sw|s\d+)$")


class CommandError(subprocess.CalledProcessError):
    """A command failed; unlike CalledProcessError, says what it printed."""

    def __str__(self):
        out = (self.stderr or "").strip() or (self.stdout or "").strip()
        tail = "\n".join(out.splitlines()[-20:])
        return f"{' '.join(map(str, self.cmd))}: exit {self.returncode}" + (f"\n{tail}" if tail else "")


def sh(argv, check=True, timeout=30, **kw):
    """Run argv in the current namespace, capturing text output; raise CommandError
    (with its stderr) when check and it exits non-zero."""
    if "input" not in kw:
        kw.setdefault("stdin", subprocess.DEVNULL)
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise CommandError(r.returncode, r.args, r.stdout, r.stderr)
    return r


def list_netns():
    """Names of all named network namespaces."""
    out = sh(["ip", "netns", "list"]).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lab:
    """One test network; see the module docstring. Namespace names are the prefix
    (short: letters and digits, at most 12) plus -cl, -dp, -sw, -s1, -s2, -s3; interface
    names are the same in every lab, since each lives in its own namespace."""

    client_ip = "10.0.0.2"
    client_return_ip = "10.1.0.2"
    weir_client_ip = "10.0.0.1"
    weir_server_ip = "10.1.0.1"
    vip = "10.0.0.10"
    client_net = "10.0.0.0/24"
    server_net = "10.1.0.0/24"
    prefixlen = 24

    client_if = "cl0"  # client ns, towards Weir
    client_return_if = "cl1"  # client ns, on the server bridge
    dp_client_if = "dpc"  # dp ns, peer of cl0
    dp_server_if = "dps"  # dp ns, on the server bridge
    server_if = "eth0"  # in each server ns
    bridge = "br0"  # in the switch ns

    def __init__(self, prefix):
        if not re.fullmatch(r"[A-Za-z0-9]{1,12}", prefix):
            raise ValueError(f"lab prefix {prefix!r}: 1..12 letters or digits")
        self.prefix = prefix
        self.ns_client = f"{prefix}-cl"
        self.ns_dp = f"{prefix}-dp"
        self.ns_switch = f"{prefix}-sw"
        self.servers = [Server(f"s{i}", f"10.1.0.1{i}", f"{prefix}-s{i}") for i in (1, 2, 3)]
        self.namespaces = [self.ns_client, self.ns_dp, self.ns_switch] + [s.ns for s in self.servers]
        self._procs = []  # everything popen() started, reaped in down()
        self._nginx = {}  # server index -> (Popen, directory)

    def __repr__(self):
        return f"Lab({self.prefix!r})"

    def __enter__(self):
        self.up()
        return self

    def __exit__(self, *exc):
        self.down()

    # --- building and removing ------------------------------------------------------

    def up(self):
        """Build the network. On any failure, removes what it built and re-raises."""
        if os.geteuid() != 0:
            raise PermissionError("the Weir lab needs root (ip netns, veth, bridge)")
        try:
            self._build()
        except BaseException:
            self.down()
            raise

    def _build(self):
        cl, dp, sw = self.ns_client, self.ns_dp, self.ns_switch
        for ns in self.namespaces:
            sh(["ip", "netns", "add", ns])
            # Before any interface exists, so new ones inherit it.
            self._sysctl(ns, {"net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.default.disable_ipv6": 1}, missing_ok=True)
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])

        sh(["ip", "-n", sw, "link", "add", self.bridge, "type", "bridge"])
        sh(["ip", "-n", sw, "link", "set", self.bridge, "up"])

        self._veth(cl, self.client_if, dp, self.dp_client_if)
        self._veth(dp, self.dp_server_if, sw, "sw-dp")
        self._veth(cl, self.client_return_if, sw, "sw-cl")
        for s in self.servers:
            self._veth(s.ns, self.server_if, sw, f"sw-{s.name}")
        for port in ["sw-dp", "sw-cl"] + [f"sw-{s.name}" for s in self.servers]:
            sh(["ip", "-n", sw, "link", "set", port, "master", self.bridge])

        p = self.prefixlen
        sh(["ip", "-n", cl, "addr", "add", f"{self.client_ip}/{p}", "dev", self.client_if])
        sh(["ip", "-n", cl, "addr", "add", f"{self.client_return_ip}/{p}", "dev", self.client_return_if])
        sh(["ip", "-n", cl, "route", "add", "default", "via", self.weir_client_ip, "dev", self.client_if])
        # Direct-server-return replies arrive on cl1 for an address of cl0.
        self._sysctl(cl, {f"net.ipv4.conf.{i}.rp_filter": 0 for i in ("all", "default", self.client_if, self.client_return_if)})
        for s in self.servers:
            sh(["ip", "-n", s.ns, "addr", "add", f"{s.ip}/{p}", "dev", self.server_if])
            sh(["ip", "-n", s.ns, "route", "add", self.client_net, "via", self.client_return_ip])
        self._wait_links_up()

    def _wait_links_up(self, timeout=10):
        """Wait until every link reports carrier: until then the kernel drops what is
        sent on it (a device without carrier keeps the noop qdisc)."""
        deadline = time.monotonic() + timeout
        for ns in self.namespaces:
            while True:
                out = sh(["ip", "-n", ns, "-br", "link"]).stdout
                down = [ln.split()[0] for ln in out.splitlines() if ln.split()[1] not in ("UP", "UNKNOWN")]
                if not down:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"lab {self.prefix}: links still down in {ns}: {down}")
                time.sleep(0.05)

    def _veth(self, ns_a, a, ns_b, b):
        """A veth pair a (in ns_a) <-> b (in ns_b), offloads off, both up."""
        sh(["ip", "-n", ns_a, "link", "add", a, "type", "veth", "peer", "name", b, "netns", ns_b])
        for ns, dev in ((ns_a, a), (ns_b, b)):
            sh(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "rx", "off", "tso", "off", "gso", "off", "gro", "off"])
            sh(["ip", "-n", ns, "link", "set", dev, "up"])

    def _sysctl(self, ns, settings, missing_ok=False):
        flags = ["-q", "-w"] + (["-e"] if missing_ok else [])
        sh(["ip", "netns", "exec", ns, "sysctl", *flags] + [f"{k}={v}" for k, v in settings.items()])

    def down(self):
        """Remove every namespace of this lab, with whatever runs in it. Idempotent, and
        works on a half-built lab or one left by a dead process."""
        for i in list(self._nginx):
            self.stop_nginx(i)
        present = [ns for ns in list_netns() if ns in self.namespaces]
        pids = set()
        for ns in present:
            out = sh(["ip", "netns", "pids", ns], check=False).stdout
            pids.update(int(p) for p in out.split() if p.isdigit())
        pids.discard(os.getpid())
        self._kill(pids)
        for ns in present:
            sh(["ip", "netns", "del", ns], check=False)
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self._procs.clear()
        left = [ns for ns in list_netns() if ns in self.namespaces]
        if left:
            raise RuntimeError(f"lab {self.prefix}: could not remove namespaces {left}")

    def _kill(self, pids, grace=3.0):
        """SIGTERM pids, SIGKILL those still alive after grace seconds."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                for proc in self._procs:
                    proc.poll()  # reap our own children, or they stay alive as zombies
                pids = {p for p in pids if pid_alive(p) and not _is_zombie(p)}
                if not pids:
                    return
                time.sleep(0.05)

    # --- running things inside ------------------------------------------------------

    def ns(self, name):
        """Full namespace name for a full one, a short one (cl, dp, sw, s1..s3), or
        None (the root namespace)."""
        if name is None or name in self.namespaces:
            return name
        full = f"{self.prefix}-{name}"
        if full in self.namespaces:
            return full
        raise ValueError(f"lab {self.prefix}: no namespace {name!r}")

    def _argv(self, ns, argv):
        ns = self.ns(ns)
        argv = [str(a) for a in argv]
        return argv if ns is None else ["ip", "netns", "exec", ns] + argv

    def run(self, ns, argv, check=True, timeout=30, **kw):
        """Run argv in namespace ns, wait (at most timeout seconds) and return the
        CompletedProcess with text stdout/stderr. check: raise CommandError on failure."""
        return sh(self._argv(ns, argv), check=check, timeout=timeout, **kw)

    def popen(self, ns, argv, **kw):
        """Start argv in namespace ns and return its Popen. `ip netns exec` execs argv,
        so the Popen's pid is argv's. It runs in a session of its own (a terminal's
        Ctrl-C reaches only us, and we stop it in order); down() kills it if still alive."""
        kw.setdefault("start_new_session", True)
        kw.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(self._argv(ns, argv), **kw)
        self._procs.append(proc)
        return proc

    # --- nginx on the servers -------------------------------------------------------

    def _server(self, i):
        if isinstance(i, str):
            return next(k for k, s in enumerate(self.servers) if s.name == i)
        return i

    def start_nginx(self, i, workdir, page=None, timeout=10):
        """Start nginx on server i (index into self.servers, 0..2, or its name "s1")
        listening on port 80, with everything it writes in a new directory under workdir.
        It serves `page` (default: "served by s1 (10.1.0.11)\\n") at / and files added
        with nginx_file() or nginx_bytes(). Returns once port 80 listens."""
        i = self._server(i)
        if i in self._nginx:
            raise RuntimeError(f"nginx already runs on {self.servers[i].name}")
        s = self.servers[i]
        d = tempfile.mkdtemp(prefix=f"nginx-{s.name}-", dir=workdir)
        os.makedirs(os.path.join(d, "www"))
        os.makedirs(os.path.join(d, "tmp"))
        with open(os.path.join(d, "www", "index.html"), "w") as f:
            f.write(page if page is not None else f"served by {s.name} ({s.ip})\n")
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(d=d))
        log = open(os.path.join(d, "stderr.log"), "wb")
        proc = self.popen(s.ns, ["nginx", "-p", d, "-c", f"{d}/nginx.conf", "-e", f"{d}/error.log"], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._nginx[i] = (proc, d)
        deadline = time.monotonic() + timeout
        while not self.run(s.ns, ["ss", "-Hltn", "sport = :80"]).stdout.strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop_nginx(i)
                err = "".join(_read(os.path.join(d, n)) for n in ("stderr.log", "error.log"))
                raise RuntimeError(f"nginx on {s.name} did not start (exit {proc.returncode}):\n{err}")
            time.sleep(0.05)
        return proc

    def stop_nginx(self, i):
        """Stop nginx on server i (index or name); nothing if it does not run."""
        entry = self._nginx.pop(self._server(i), None)
        if entry is None:
            return
        proc, d = entry
        if proc.poll() is None:
            proc.terminate()  # nginx master: fast shutdown, workers follow
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def nginx_dir(self, i):
        """The directory of server i's nginx (config, logs, www/)."""
        return self._nginx[self._server(i)][1]

    def nginx_file(self, i, path, data):
        """Serve data (bytes or str) at URL path on server i (None: every running one)."""
        targets = list(self._nginx) if i is None else [self._server(i)]
        for k in targets:
            full = os.path.join(self._nginx[k][1], "www", path.lstrip("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
        return path

    def nginx_bytes(self, i, n):
        """Serve n bytes of a repeating printable pattern at /bytes/<n> on server i
        (None: every running one); returns the URL path."""
        pattern = b"0123456789abcdefghijklmnopqrstuvwxyz\n"
        data = (pattern * (n // len(pattern) + 1))[:n]
        return self.nginx_file(i, f"/bytes/{n}", data)


NGINX_CONF = """\
# One Weir lab server; every path it writes is under {d}.
daemon off;
user root;  # the workers must read files in private (0700) temporary directories
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    default_type text/plain;
    keepalive_requests 100000;
    server {{
        listen 80 default_server;
        root {d}/www;
        location / {{ }}
    }}
}}
"""


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def cleanup_stale():
    """Remove the labs (and DPDK's runtime and hugepage files) of test runs whose
    process is gone: prefixes wt<pid>n<k> (wb: the benchmark's) whose pid is not alive.
    Returns the prefixes
    removed."""
    from .dataplane import dpdk_file_prefixes, remove_dpdk_files

    dead = set()
    for ns in list_netns():
        m = STALE_NS_RE.match(ns)
        if m and not pid_alive(int(m.group(2))):
            dead.add(m.group(1))
    for prefix in sorted(dead):
        Lab(prefix).down()
    for fp in dpdk_file_prefixes():
        m = re.fullmatch(r"weir-(w[tb](\d+)n\d+)", fp)
        if m and not pid_alive(int(m.group(2))):
            remove_dpdk_files(fp)
            dead.add(m.group(1))
    return sorted(dead)


__all__ = ["Lab", "Server", "CommandError", "cleanup_stale", "list_netns", "sh"]
