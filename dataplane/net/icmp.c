/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo replies for the addresses Weir owns (RFC 792, RFC 1122 3.2.2.6); errors
 * about L4 flows go to l4/icmp_err.c. */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "core/worker.h"
#include "l4/l4.h"
#include "net/cksum.h"
#include "net/icmp.h"

#define REPLY_TTL 64

void weir_icmp_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m, uint32_t ihl)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp;
	struct rte_ether_addr mac;
	uint32_t len = rte_pktmbuf_pkt_len(m) - l2 - ihl, addr;
	uint16_t sum;

	if (unlikely(len < sizeof(*icmp) || rte_pktmbuf_data_len(m) < l2 + ihl + sizeof(*icmp))) {
		weir_drop(w, m, WEIR_DROP_ICMP_SHORT);
		return;
	}
	sum = weir_cksum_mbuf(m, l2 + ihl, len);
	if (sum != 0xffff) {
		weir_drop(w, m, WEIR_DROP_ICMP_CSUM);
		return;
	}
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (weir_icmp_is_error(icmp->icmp_type)) {
		weir_l4_icmp_error(w, m, ihl);
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		weir_drop(w, m, WEIR_DROP_ICMP_TYPE);
		return;
	}
	w->st.events[WEIR_EV_ICMP_ECHO_IN]++;

	/* The reply goes back where the request came from: swap both layers' addresses. */
	mac = eth->src_addr;
	eth->src_addr = p->mac;
	eth->dst_addr = mac;
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = REPLY_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	/* RFC 1624 incremental update: only the type word changes (8/0 -> 0/0). */
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	{
		uint32_t c = (uint16_t)~rte_be_to_cpu_16(icmp->icmp_cksum);

		c += (uint16_t) ~(RTE_IP_ICMP_ECHO_REQUEST << 8);
		c = (c & 0xffff) + (c >> 16);
		c = (c & 0xffff) + (c >> 16);
		icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~c);
	}
	w->st.events[WEIR_EV_ICMP_ECHO_OUT]++;
	weir_tx(w, p->index, m);
}
