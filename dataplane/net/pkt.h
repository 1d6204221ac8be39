/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet input: the first classification of every received frame. */
#ifndef WEIR_PKT_H
#define WEIR_PKT_H

#include "core/dp.h"

/*
 * Classify a frame received on @p by worker @w and hand it to its protocol: ARP, IPv4
 * (ICMP to Weir's addresses, later L4 services). Every frame ends answered, forwarded
 * or counted under exactly one drop reason. Takes ownership of @m.
 */
void weir_pkt_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m);

#endif
