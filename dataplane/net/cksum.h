/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksums: incremental updates (RFC 1624) and L4 verification. */
#ifndef WEIR_CKSUM_H
#define WEIR_CKSUM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

/*
 * All values are the raw 16/32-bit words as stored in the packet: the one's complement
 * sum is the same in either byte order, so no swapping is needed.
 */

static inline uint16_t weir_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* HC' = ~(~HC + ~m + m') for a 16-bit field that changed from @from to @to. */
static inline void weir_csum_replace2(uint16_t *csum, uint16_t from, uint16_t to)
{
	uint32_t s = (uint16_t) ~*csum;

	s += (uint16_t)~from;
	s += to;
	*csum = (uint16_t)~weir_csum_fold(s);
}

/* The same for a 32-bit field (an address). */
static inline void weir_csum_replace4(uint16_t *csum, uint32_t from, uint32_t to)
{
	uint32_t s = (uint16_t) ~*csum;

	s += (uint16_t) ~(from >> 16);
	s += (uint16_t) ~(from & 0xffff);
	s += to >> 16;
	s += to & 0xffff;
	*csum = (uint16_t)~weir_csum_fold(s);
}

/*
 * True when the TCP or UDP checksum of the @l4len bytes at @l4off verifies against the
 * pseudo-header of @ip. Handles chained mbufs. (A UDP checksum of 0 means "none"; the
 * caller decides about it before calling.)
 */
static inline bool weir_l4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
				    uint32_t l4off, uint32_t l4len)
{
	struct {
		uint32_t src, dst;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph = { ip->src_addr, ip->dst_addr, 0, ip->next_proto_id,
					 rte_cpu_to_be_16((uint16_t)l4len) };
	uint16_t raw;
	uint32_t sum;

	if (rte_raw_cksum_mbuf(m, l4off, l4len, &raw) != 0)
		return false;
	sum = (uint32_t)raw + rte_raw_cksum(&ph, sizeof(ph));
	return weir_csum_fold(sum) == 0xffff;
}

#endif
