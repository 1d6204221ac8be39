/* SPDX-License-Identifier: BSD-3-Clause */
/* The full-NAT rewrite of a packet, shared by the full input path and the fast path. */
#ifndef WEIR_NAT_H
#define WEIR_NAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "l4/flow.h"
#include "net/cksum.h"

/* 16-bit fields of TCP and UDP headers, read and written in network order. */
static inline uint16_t weir_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void weir_wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * A 16-bit field in network order, in host order. DPDK's rte_be_to_cpu_16() swaps by
 * inline assembly on x86, which the compiler cannot fold into a load or a compare.
 */
static inline uint16_t weir_be16(uint16_t v)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

/*
 * Rewrite a packet of full-NAT flow @f going in direction @dir to the flow's other
 * tuple: addresses, the ports of the TCP or UDP header at @l4, and both checksums by the
 * flow's precomputed adjustments. @csum_off is the L4 checksum's offset in that header,
 * 0 for a UDP datagram without checksum (which stays without one).
 */
static inline void weir_nat_rewrite(struct rte_ipv4_hdr *ip, uint8_t *l4, uint32_t csum_off,
				    const struct weir_flow *f, int dir)
{
	const struct weir_flow_key *to = dir == WEIR_DIR_IN ? &f->rev : &f->fwd;

	ip->hdr_checksum = weir_csum_adjust(ip->hdr_checksum, f->ip_delta[dir]);
	if (csum_off != 0) {
		uint16_t sum = weir_csum_adjust(weir_rd16(l4 + csum_off), f->l4_delta[dir]);

		/* A UDP checksum that comes out 0 is sent as all ones (RFC 768). The offset
		 * tells UDP (6) from TCP (16). */
		if (sum == 0 && csum_off == offsetof(struct rte_udp_hdr, dgram_cksum))
			sum = 0xffff;
		weir_wr16(l4 + csum_off, sum);
	}
	/* The other direction's key, turned around: its destination becomes the source. */
	ip->src_addr = to->dst;
	ip->dst_addr = to->src;
	weir_wr16(l4, to->dport);
	weir_wr16(l4 + 2, to->sport);
}

#endif
