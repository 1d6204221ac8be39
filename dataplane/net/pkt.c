/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet input: the first classification of every received frame. */
#include <rte_ether.h>

#include "net/arp.h"
#include "net/ipv4.h"
#include "net/pkt.h"

void weir_pkt_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eth))) {
		weir_drop(w, m, WEIR_DROP_ETH_SHORT);
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &p->mac))) {
		if (!rte_is_broadcast_ether_addr(&eth->dst_addr)) {
			weir_drop(w, m,
				  rte_is_multicast_ether_addr(&eth->dst_addr)
					  ? WEIR_DROP_ETH_MULTICAST
					  : WEIR_DROP_ETH_DST_OTHER);
			return;
		}
	}
	/* A source is one station (IEEE 802.3): answers to a group address would flood. */
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr))) {
		weir_drop(w, m, WEIR_DROP_ETH_SRC_GROUP);
		return;
	}
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		weir_ipv4_input(w, p, m);
		return;
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		weir_arp_input(w, p, m);
		return;
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		weir_drop(w, m, WEIR_DROP_ETH_VLAN);
		return;
	default:
		weir_drop(w, m, WEIR_DROP_ETH_PROTO);
		return;
	}
}
