/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP: answering for Weir's addresses and building requests (RFC 826, RFC 5227). */
#include <rte_arp.h>
#include <rte_byteorder.h>

#include "core/worker.h"
#include "net/addr.h"
#include "net/arp.h"

#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

/* Pass what the frame says about its sender to the main lcore, which owns the table. */
static void post_learn(struct weir_worker *w, const struct weir_port *p, uint32_t sip,
		       const struct rte_ether_addr *sha, uint8_t flags)
{
	struct weir_event_msg ev = {
		.ip = sip,
		.mac = *sha,
		.type = WEIR_EVT_ARP,
		.flags = flags,
		.port = p->index,
		.worker = w->id,
	};

	if (rte_ring_mp_enqueue_elem(w->dp->events, &ev, sizeof(ev)) != 0)
		w->st.events[WEIR_EV_EVENT_LOST]++;
}

void weir_arp_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a;
	const struct weir_addr_entry *own;
	struct rte_ether_addr sha;
	uint32_t sip, tip;
	uint16_t op;
	uint8_t flags = 0;

	if (rte_pktmbuf_data_len(m) < ARP_FRAME_LEN) {
		weir_drop(w, m, WEIR_DROP_ARP_MALFORMED);
		return;
	}
	a = (struct rte_arp_hdr *)(eth + 1);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    a->arp_plen != sizeof(uint32_t)) {
		weir_drop(w, m, WEIR_DROP_ARP_MALFORMED);
		return;
	}
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) {
		weir_drop(w, m, WEIR_DROP_ARP_OP);
		return;
	}
	sha = a->arp_data.arp_sha;
	sip = a->arp_data.arp_sip;
	tip = a->arp_data.arp_tip;
	if (rte_is_multicast_ether_addr(&sha) || rte_is_zero_ether_addr(&sha)) {
		weir_drop(w, m, WEIR_DROP_ARP_SRC_INVALID);
		return;
	}
	own = weir_addr_lookup(w->dp->addrs, tip);
	if (own != NULL && own->port != p->index)
		own = NULL;
	if (op == RTE_ARP_OP_REPLY)
		flags |= WEIR_EVF_ARP_REPLY;
	else if (own != NULL)
		flags |= WEIR_EVF_ARP_FOR_US;
	{
		const struct weir_addr_entry *claim = weir_addr_lookup(w->dp->addrs, sip);

		if (claim != NULL && !rte_is_same_ether_addr(&sha, &p->mac))
			flags |= WEIR_EVF_ARP_CLAIMED;
	}
	/* Learn only senders on the interface's subnet; sip 0 is an RFC 5227 probe. */
	if (sip != 0 && ((sip ^ p->addr) & p->mask) == 0)
		post_learn(w, p, sip, &sha, flags);

	if (op == RTE_ARP_OP_REPLY) {
		w->st.events[WEIR_EV_ARP_REPLY_IN]++;
		rte_pktmbuf_free(m);
		return;
	}
	w->st.events[WEIR_EV_ARP_REQUEST_IN]++;
	if (own == NULL) {
		weir_drop(w, m, WEIR_DROP_ARP_NOT_OURS);
		return;
	}
	/* Turn the request into the reply in place. */
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = sha;
	a->arp_data.arp_tip = sip;
	a->arp_data.arp_sha = p->mac;
	a->arp_data.arp_sip = tip;
	eth->dst_addr = sha;
	eth->src_addr = p->mac;
	/* Drop any trailer beyond the ARP payload (Ethernet padding is added by the NIC). */
	if (rte_pktmbuf_pkt_len(m) > ARP_FRAME_LEN)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ARP_FRAME_LEN);
	w->st.events[WEIR_EV_ARP_REPLY_OUT]++;
	weir_tx(w, p->index, m);
}

struct rte_mbuf *weir_arp_build_request(struct rte_mempool *pool, const struct weir_port *p,
					uint32_t sender, uint32_t target,
					const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, ARP_FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	a = (struct rte_arp_hdr *)(eth + 1);
	if (dst != NULL)
		eth->dst_addr = *dst;
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = p->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(uint32_t);
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = p->mac;
	a->arp_data.arp_sip = sender;
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = target;
	m->port = p->index;
	return m;
}
