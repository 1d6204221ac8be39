# SPDX-License-Identifier: BSD-3-Clause
"""The Weir demo (run by scripts/demo): the lab network, nginx on three servers, and
weir-dataplane with configs/demo.conf balancing HTTP over them, until Ctrl-C."""

import os
import shutil
import signal
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from weirlab import Dataplane, DataplaneError, Lab  # noqa: E402

CONF = os.path.join(ROOT, "configs", "demo.conf")
SOCKET = "/run/weir/demo.sock"  # as configs/demo.conf says
BUILD = os.path.join(ROOT, os.environ.get("WEIR_BUILD", "build"))  # as in tests/func


class Stop(Exception):
    pass


def on_signal(signum, frame):
    raise Stop()


def usage(lab):
    cl = lab.ns_client
    return f"""
Weir is running: VIP {lab.vip} port 80 (full-NAT) and 8080 (TCP proxy) -> nginx on
{", ".join(s.ip for s in lab.servers)}.

Try, in another terminal (as root):
  ip netns exec {cl} ping -c3 {lab.weir_client_ip}      # Weir's own address
  ip netns exec {cl} ping -c3 {lab.vip}     # the VIP
  ip netns exec {cl} curl -s http://{lab.vip}/   # repeat: s1, s2, s3 take turns
  ip netns exec {cl} curl -s http://{lab.vip}:8080/   # the same through Weir's TCP proxy
  ip netns exec {cl} curl http://{lab.vip}:81/   # no service there: refused at once
  echo "show info"  | socat - UNIX-CONNECT:{SOCKET}
  echo "show ports" | socat - UNIX-CONNECT:{SOCKET}
  echo "show neigh" | socat - UNIX-CONNECT:{SOCKET}
  echo "show stat"  | socat - UNIX-CONNECT:{SOCKET}   # HAProxy's CSV
  echo "show flows" | socat - UNIX-CONNECT:{SOCKET}
  echo "show sess; show tcp" | socat - UNIX-CONNECT:{SOCKET}   # TCP-proxy sessions
  echo "set server web/s2 state drain" | socat - UNIX-CONNECT:{SOCKET}

Press Ctrl-C to stop Weir and remove the demo network."""


def main():
    if os.geteuid() != 0:
        sys.exit("demo: needs root (it builds network namespaces)")
    sys.stdout.reconfigure(line_buffering=True)  # keep it in order with stderr
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    lab = Lab("weir")
    work = tempfile.mkdtemp(prefix="weir-demo-")
    dp = None
    rc = 1
    try:
        lab.down()  # whatever a demo killed hard left behind
        lab.up()
        for i, s in enumerate(lab.servers):
            lab.start_nginx(i, work, page=f"weir demo: served by {s.name} ({s.ip})\n")
        os.makedirs(os.path.dirname(SOCKET), exist_ok=True)
        dp = Dataplane(lab, None, BUILD, work, conf_file=CONF, socket=SOCKET)
        print(f"demo: started weir-dataplane -c {os.path.relpath(CONF, ROOT)} (log: {dp.log_path}); waiting for it")
        dp.wait_ready(timeout=30)
        print(usage(lab), flush=True)
        rc = dp.wait(timeout=None)
        print(f"demo: weir-dataplane exited by itself with code {rc}\n{dp.log_tail()}")
        rc = rc or 1
    except Stop:
        rc = 0
    except (DataplaneError, RuntimeError, OSError) as e:
        print(f"demo: {e}", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if dp is not None and dp.running():
            print("\ndemo: stopping weir-dataplane")
            try:
                code = dp.stop(timeout=20)
                print(f"demo: weir-dataplane exited with code {code}")
                rc = rc or (1 if code else 0)
            except DataplaneError as e:
                print(f"demo: {e}", file=sys.stderr)
                rc = 1
        lab.down()
        print("demo: network removed")
        if rc == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"demo: logs kept in {work}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
