/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about the datagrams of L4 flows (RFC 792, RFC 1122 3.2.2, RFC 5508 4.2).
 *
 * A router or host that cannot deliver a datagram Weir forwarded answers its source with
 * a destination unreachable (among them "fragmentation needed", which path MTU discovery
 * lives on) or a time exceeded message quoting the datagram's IP header and at least the
 * first 8 bytes after it. That source is an address of Weir's, and the sender the error
 * is for is on the flow's other side, so Weir maps the error as it maps the flow's
 * packets and forwards it there:
 *
 * - to a VIP, quoting VIP -> client: about a datagram Weir sent a client. Forwarded to
 *   the flow's server: for full-NAT, quoting local address -> server and from the local
 *   address, as the server sent it; for DSR, unchanged but for the MAC and the TTL (the
 *   server holds the VIP).
 * - to a local address, quoting local address -> server: about a full-NAT datagram Weir
 *   sent a server. Forwarded to the client, quoting client -> VIP and from the VIP.
 *
 * The quoted TCP sequence numbers move back by what full-NAT moved them, so that the
 * receiver's stack finds them in its window (Linux ignores errors whose quoted sequence
 * number it has not sent). The quoted header's checksums are kept right (the IP one
 * recomputed, the transport one adjusted where it is quoted) and the message's own
 * recomputed, and the error's TTL goes one down, as a forwarded datagram's (one with
 * none left is dropped, unanswered). An error whose quoted datagram belongs to no flow,
 * or to a TCP-proxy session (Weir's own TCP stack takes its MSS from the configuration),
 * is dropped.
 *
 * The flow may be another worker's (the NIC spreads ICMP by addresses alone, not by the
 * quoted ports): it is looked up in every worker's table and read as the flow dumps read
 * it, never written; the error goes out from the worker that received it.
 */
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/worker.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "l4/nat.h"
#include "net/cksum.h"

#define ICMP_HLEN    8 /* type, code, checksum, and the word before the quote */
#define QUOTE_L4_MIN 8 /* what an error quotes of the transport header at least */

/* The datagram an error quotes: its IP header, and what of its transport header came. */
struct quote {
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t l4len;
	uint8_t *csum; /* the transport checksum: NULL if not quoted, or a UDP one of 0 (none) */
};

/* Replace the 32-bit field at @p (network order) by @to, adjusting @q's checksum. */
static void set32(const struct quote *q, uint8_t *p, uint32_t to)
{
	if (q->csum != NULL) {
		uint16_t c = weir_rd16(q->csum);

		weir_csum_replace4(&c, weir_rd32(p), to);
		weir_wr16(q->csum, c);
	}
	weir_wr32(p, to);
}

static void set16(const struct quote *q, uint8_t *p, uint16_t to)
{
	if (q->csum != NULL) {
		uint16_t c = weir_rd16(q->csum);

		weir_csum_replace2(&c, weir_rd16(p), to);
		weir_wr16(q->csum, c);
	}
	weir_wr16(p, to);
}

/* Point the quoted datagram at the key @to: addresses and ports, checksums with them. */
static void requote(const struct quote *q, const struct weir_flow_key *to)
{
	set32(q, (uint8_t *)&q->ip->src_addr, to->src);
	set32(q, (uint8_t *)&q->ip->dst_addr, to->dst);
	set16(q, q->l4, to->sport);
	set16(q, q->l4 + 2, to->dport);
	q->ip->hdr_checksum = 0;
	q->ip->hdr_checksum = (uint16_t)~weir_cksum(q->ip, (uint32_t)(q->l4 - (uint8_t *)q->ip));
}

/* Add @delta to the quoted TCP sequence number at offset @off, if quoted. */
static void reseq(const struct quote *q, uint32_t off, uint32_t delta)
{
	if (delta != 0 && q->l4len >= off + 4)
		set32(q, q->l4 + off,
		      rte_cpu_to_be_32(rte_be_to_cpu_32(weir_rd32(q->l4 + off)) + delta));
}

/* The flow under @key in any worker's table, this one's first, copied into @out. */
static bool find_flow(struct weir_worker *w, const struct weir_flow_key *key, struct weir_flow *out)
{
	uint32_t hash = weir_flow_hash(key);
	uint16_t i;

	if (weir_flow_peek(w->l4->ft, key, hash, out))
		return true;
	for (i = 0; i < w->dp->nb_workers; i++)
		if (i != w->id && weir_flow_peek(w->dp->workers[i].l4->ft, key, hash, out))
			return true;
	return false;
}

void weir_l4_icmp_error(struct weir_worker *w, struct rte_mbuf *m, uint32_t ihl)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	struct rte_ipv4_hdr *q = (struct rte_ipv4_hdr *)((uint8_t *)icmp + ICMP_HLEN);
	uint32_t len = rte_pktmbuf_pkt_len(m) - l2 - ihl;   /* the ICMP message */
	uint32_t head = rte_pktmbuf_data_len(m) - l2 - ihl; /* of it, in the first segment */
	const struct weir_addr_entry *dst = weir_addr_lookup(w->dp->addrs, ip->dst_addr);
	const struct weir_lb *lb = w->dp->lb;
	struct weir_flow_key key;
	struct weir_flow f;
	struct quote qt;
	uint32_t qihl, coff;
	uint16_t sport, dport;
	int dir;

	/* The quote: a whole IPv4 header, TCP or UDP, the first 8 bytes of its header, and
	 * sent from the address the error came to. */
	if (head < ICMP_HLEN + sizeof(*q) || (q->version_ihl >> 4) != 4) {
		weir_drop(w, m, WEIR_DROP_ICMP_QUOTE);
		return;
	}
	qihl = (uint32_t)(q->version_ihl & 0xf) * 4;
	if (qihl < sizeof(*q) || head < ICMP_HLEN + qihl + QUOTE_L4_MIN ||
	    (q->next_proto_id != IPPROTO_TCP && q->next_proto_id != IPPROTO_UDP) ||
	    (q->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0 || dst == NULL ||
	    q->src_addr != ip->dst_addr) {
		weir_drop(w, m, WEIR_DROP_ICMP_QUOTE);
		return;
	}
	qt.ip = q;
	qt.l4 = (uint8_t *)q + qihl;
	qt.l4len = head - ICMP_HLEN - qihl;
	coff = q->next_proto_id == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
					       : offsetof(struct rte_udp_hdr, dgram_cksum);
	qt.csum = qt.l4len >= coff + 2 ? qt.l4 + coff : NULL;
	if (qt.csum != NULL && q->next_proto_id == IPPROTO_UDP && weir_rd16(qt.csum) == 0)
		qt.csum = NULL;
	sport = weir_rd16(qt.l4);
	dport = weir_rd16(qt.l4 + 2);
	/* The flow's key as its own packets hold it: the quoted datagram went the other way. */
	weir_flow_key_set(&key, q->dst_addr, q->src_addr, dport, sport, q->next_proto_id);
	/* To a VIP: a client's key, the error goes to the server. To another address (a
	 * local address, or the interface's own, which serves as one): a server's reply
	 * key, the error goes to the client. */
	dir = dst->kind == WEIR_ADDR_VIP ? WEIR_DIR_IN : WEIR_DIR_OUT;
	if (!find_flow(w, &key, &f) || f.sess != NULL || f.srv >= lb->nb_srv ||
	    !weir_flow_key_eq(dir == WEIR_DIR_IN ? &f.fwd : &f.rev, &key) ||
	    (!(f.flags & WEIR_FLOW_F_DSR) && f.rev.proto == 0)) {
		weir_drop(w, m, WEIR_DROP_ICMP_NO_FLOW);
		return;
	}
	/* A hop like any forwarded datagram's, whose end is not answered: no ICMP error
	 * about an ICMP error (RFC 1812 4.3.2.7). */
	if (ip->time_to_live <= 1) {
		weir_drop(w, m, WEIR_DROP_TTL_EXCEEDED);
		return;
	}
	w->st.events[WEIR_EV_ICMP_ERR_FWD]++;
	if (dir == WEIR_DIR_IN && (f.flags & WEIR_FLOW_F_DSR)) {
		weir_ipv4_ttl_dec(ip);
		weir_l4_send_flow(w, m, &f, WEIR_DIR_IN);
		return;
	}
	if (dir == WEIR_DIR_IN) {
		/* Quoted: VIP:vport -> client:cport, as Weir sent the server's datagram (whose
		 * acknowledgment full-NAT moved back by seq_delta); it becomes the reply key,
		 * server:port -> local:lport, as the server sent it. */
		requote(&qt, &f.rev);
		if (q->next_proto_id == IPPROTO_TCP)
			reseq(&qt, offsetof(struct rte_tcp_hdr, recv_ack), f.seq_delta);
		ip->src_addr = f.rev.dst;
		ip->dst_addr = f.rev.src;
	} else {
		/* Quoted: local:lport -> server:port, as Weir sent the client's datagram (whose
		 * sequence number full-NAT moved on by seq_delta); it becomes the client key. */
		requote(&qt, &f.fwd);
		if (q->next_proto_id == IPPROTO_TCP)
			reseq(&qt, offsetof(struct rte_tcp_hdr, sent_seq), -f.seq_delta);
		ip->src_addr = f.fwd.dst;
		ip->dst_addr = f.fwd.src;
	}
	ip->time_to_live--;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~weir_cksum(ip, ihl);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~weir_cksum_mbuf(m, l2 + ihl, len);
	weir_l4_send_flow(w, m, &f, dir);
}
