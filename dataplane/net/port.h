/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces: binding configured interfaces to DPDK ports, queues, link state, stats. */
#ifndef WEIR_PORT_H
#define WEIR_PORT_H

#include "core/dp.h"

/*
 * Fill dp->ports from the config: names, addresses, masks, gateways. Touches no
 * device, so it also serves tests that run on synthetic packets.
 */
void weir_ports_setup(struct weir_dp *dp);

/*
 * Bind each interface to its DPDK port (probed by EAL from the arguments that
 * weir_eal_args_build() derived), give every worker one RX and one TX queue on it,
 * start it. Returns 0 or -errno after logging which interface failed and why.
 */
int weir_ports_start(struct weir_dp *dp);

/* Stop and close every started port. */
void weir_ports_stop(struct weir_dp *dp);

/* The DPDK device name of a config device string: the vdev name or the PCI address. */
void weir_port_dev_name(const char *device, char *name, size_t len);

#endif
