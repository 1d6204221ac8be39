# SPDX-License-Identifier: BSD-3-Clause
"""The lab network alone, without Weir: if this fails, so will every other test here,
and the fault is in the test network, not in the dataplane."""


def test_lab_is_wired(lab):
    # Servers reach each other over the bridge.
    for a, b in zip(lab.servers, lab.servers[1:] + lab.servers[:1]):
        lab.run(a.ns, ["ping", "-c1", "-W2", b.ip])
    # The client reaches every server over its return path (cl1), not through Weir.
    for s in lab.servers:
        assert f"dev {lab.client_return_if}" in lab.run(lab.ns_client, ["ip", "route", "get", s.ip]).stdout
        lab.run(lab.ns_client, ["ping", "-c1", "-W2", s.ip])
