/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input: header validation and dispatch by destination and protocol. */
#include <rte_ip.h>

#include "net/addr.h"
#include "net/cksum.h"
#include "l4/l4.h"
#include "net/icmp.h"
#include "net/ipv4.h"

void weir_ipv4_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	struct rte_ipv4_hdr *ip;
	const struct weir_addr_entry *dst;
	uint32_t ihl, tot, avail = rte_pktmbuf_pkt_len(m) - l2;

	if (unlikely(rte_pktmbuf_data_len(m) < l2 + sizeof(*ip))) {
		weir_drop(w, m, WEIR_DROP_IPV4_SHORT);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		weir_drop(w, m, WEIR_DROP_IPV4_VERSION);
		return;
	}
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (unlikely(ihl < sizeof(*ip))) {
		weir_drop(w, m, WEIR_DROP_IPV4_IHL);
		return;
	}
	if (unlikely(rte_pktmbuf_data_len(m) < l2 + ihl)) {
		weir_drop(w, m, WEIR_DROP_IPV4_SHORT);
		return;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tot < ihl || tot > avail)) {
		weir_drop(w, m, WEIR_DROP_IPV4_LEN);
		return;
	}
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	     weir_cksum(ip, ihl) != 0xffff)) {
		weir_drop(w, m, WEIR_DROP_IPV4_CSUM);
		return;
	}
	if (unlikely(!weir_ipv4_src_ok(ip->src_addr) || ip->src_addr == p->bcast)) {
		weir_drop(w, m, WEIR_DROP_IPV4_SRC_MARTIAN);
		return;
	}
	if (unlikely(ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		weir_drop(w, m, WEIR_DROP_IPV4_FRAGMENT);
		return;
	}
	/* Frames below the Ethernet minimum carry padding after the datagram. */
	if (avail > tot)
		rte_pktmbuf_trim(m, avail - tot);

	dst = weir_addr_lookup(w->dp->addrs, ip->dst_addr);
	if (dst == NULL) {
		weir_drop(w, m, WEIR_DROP_IPV4_NOT_OURS);
		return;
	}
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		weir_icmp_input(w, p, m, ihl);
		return;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		weir_l4_input(w, p, m, ip, ihl, dst);
		return;
	default:
		weir_l4_proto_unreachable(w, p, m, ip);
		return;
	}
}
