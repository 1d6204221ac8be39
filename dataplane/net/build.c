/* SPDX-License-Identifier: BSD-3-Clause */
/* Building the few packets Weir originates: TCP control segments and ICMP errors. */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "net/build.h"
#include "net/cksum.h"
#include "net/icmp.h"

#define BUILD_TTL 64

/* Ethernet + IPv4 headers for @l4len bytes of protocol @proto; returns the IPv4 header. */
static struct rte_ipv4_hdr *put_l3(struct rte_mbuf *m, const struct weir_port *p,
				   const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
				   uint8_t proto, uint16_t l4len)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip) + l4len);
	if (eth == NULL)
		return NULL;
	eth->dst_addr = *dst_mac;
	eth->src_addr = p->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = BUILD_TTL;
	ip->next_proto_id = proto;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	m->port = p->index;
	return ip;
}

struct rte_mbuf *weir_build_tcp(struct rte_mempool *pool, const struct weir_port *p,
				const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
				uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
				uint8_t flags, uint16_t mss)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t optlen = (flags & RTE_TCP_SYN_FLAG) ? 4 : 0;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	if (m == NULL)
		return NULL;
	ip = put_l3(m, p, dst_mac, src, dst, IPPROTO_TCP, (uint16_t)(sizeof(*tcp) + optlen));
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = sport;
	tcp->dst_port = dport;
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (uint8_t)(((sizeof(*tcp) + optlen) / 4) << 4);
	tcp->tcp_flags = flags;
	tcp->rx_win = (flags & RTE_TCP_RST_FLAG) ? 0 : RTE_BE16(65535);
	if (optlen) {
		uint8_t *o = (uint8_t *)(tcp + 1);

		o[0] = 2; /* MSS */
		o[1] = 4;
		o[2] = (uint8_t)(mss >> 8);
		o[3] = (uint8_t)mss;
	}
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return m;
}

struct rte_mbuf *weir_build_icmp_error(struct rte_mempool *pool, const struct weir_port *p,
				       const struct rte_ether_addr *dst_mac, uint32_t src,
				       const struct rte_ipv4_hdr *orig, uint8_t type, uint8_t code,
				       uint16_t mtu)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t quote = (uint16_t)(rte_ipv4_hdr_len(orig) + 8), len;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;

	if (m == NULL)
		return NULL;
	if (quote > rte_be_to_cpu_16(orig->total_length))
		quote = rte_be_to_cpu_16(orig->total_length);
	len = (uint16_t)(sizeof(*icmp) + quote);
	ip = put_l3(m, p, dst_mac, src, orig->src_addr, IPPROTO_ICMP, len);
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* the next-hop MTU (RFC 1191), or 0 */
	memcpy(icmp + 1, orig, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, len);
	return m;
}
