/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP: answering for Weir's addresses and building requests. */
#ifndef WEIR_ARP_H
#define WEIR_ARP_H

#include <rte_ether.h>

#include "core/dp.h"

/*
 * Worker side, for a frame whose EtherType is ARP: validates it, tells the main lcore
 * about its sender (learning), answers requests for addresses Weir owns on @p by
 * turning the frame into the reply. Takes ownership of @m.
 */
void weir_arp_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m);

/*
 * Build an ARP request from @p for @target. @dst is the MAC to send it to (a unicast
 * probe of a known neighbour) or NULL for broadcast. A gratuitous announcement is a
 * request whose target is the sender's own address. Returns the mbuf (m->port = the
 * port index) or NULL when the pool is empty.
 */
struct rte_mbuf *weir_arp_build_request(struct rte_mempool *pool, const struct weir_port *p,
					uint32_t sender, uint32_t target,
					const struct rte_ether_addr *dst);

#endif
