# SPDX-License-Identifier: BSD-3-Clause
"""weir.conf text for a lab (format: docs/config.md)."""

import os


def file_prefix(lab):
    """The DPDK file prefix of a lab's dataplane, unique per lab."""
    return f"weir-{lab.prefix}"


def base_config(lab, workdir, workers=1, poll="adaptive", extra_global="", extra=""):
    """A weir.conf for lab: the global group (runtime socket at workdir/weir.sock) with
    extra_global inserted in it, the two interfaces Weir has in the lab, then extra
    (backends, services, ...) appended verbatim."""
    sock = os.path.join(str(workdir), "weir.sock")
    return f"""\
global = {{
  workers = {workers};
  poll = "{poll}";
  hugepages = "auto";
  memory_mb = 256;
  file_prefix = "{file_prefix(lab)}";
  log_level = "info";
  runtime = {{ socket = "{sock}"; }};
{_indent(extra_global)}}};

interfaces = (
  {{ name = "client";  device = "net_af_packet0,iface={lab.dp_client_if}"; address = "{lab.weir_client_ip}/{lab.prefixlen}"; }},
  {{ name = "servers"; device = "net_af_packet1,iface={lab.dp_server_if}"; address = "{lab.weir_server_ip}/{lab.prefixlen}"; }}
);

{extra}
"""


def _indent(text):
    lines = [ln for ln in text.strip("\n").splitlines()]
    return "".join(f"  {ln}\n" for ln in lines)
