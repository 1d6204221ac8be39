/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo replies for the addresses Weir owns. */
#ifndef WEIR_ICMP_H
#define WEIR_ICMP_H

#include "core/dp.h"

/*
 * An ICMP message to one of Weir's addresses, its IPv4 header (@ihl bytes) already
 * validated and the frame trimmed to the datagram. Echo requests are answered in place
 * on @p; errors quoting a datagram of an L4 flow are forwarded (weir_l4_icmp_error());
 * everything else is counted and dropped. Takes ownership of @m.
 */
void weir_icmp_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m, uint32_t ihl);

#endif
