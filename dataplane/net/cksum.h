/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksums: incremental updates (RFC 1624) and L4 verification. */
#ifndef WEIR_CKSUM_H
#define WEIR_CKSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/*
 * A 64-bit one's complement sum folded to 16 bits. Adding a word to itself rotated by
 * half its width leaves the end-around-carry sum of its halves in the upper half: two
 * rotate-and-add steps instead of four dependent mask-shift-add folds.
 */
static inline uint16_t weir_csum_fold64(uint64_t sum)
{
	uint32_t s;

	sum += (sum >> 32) | (sum << 32);
	s = (uint32_t)(sum >> 32);
	s += (s >> 16) | (s << 16);
	return (uint16_t)(s >> 16);
}

/* @a + @b in one's complement arithmetic on 64 bits (the carry goes around). */
static inline uint64_t weir_csum_add64(uint64_t a, uint64_t b)
{
	uint64_t s;
	bool carry = __builtin_add_overflow(a, b, &s);

	return s + carry; /* add, add-with-carry */
}

/*
 * The one's complement sum of the @len bytes at @p, @len a multiple of 32, on 64 bits.
 * 64-bit words go into a 128-bit accumulator (add and add-with-carry), whose halves are
 * then added with the end-around carry: the one's complement sum is the same in any word
 * size once folded (RFC 1071), since 2^16 - 1 divides 2^64 - 1. Payloads of the TCP
 * stack go through here, so it is a quarter of the work of 16-bit words.
 */
static inline uint64_t weir_cksum64_bulk(const uint8_t *p, size_t len)
{
	unsigned __int128 acc = 0;

	for (; len >= 32; len -= 32, p += 32) {
		uint64_t a, b, c, e;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&e, p + 24, 8);
		acc += a;
		acc += b;
		acc += c;
		acc += e;
	}
	return weir_csum_add64((uint64_t)acc, (uint64_t)(acc >> 64));
}

/*
 * The one's complement sum of @len bytes at @buf on 64 bits (to be folded, or added to).
 * Whole 32-byte blocks go to the bulk loop; the rest, fewer than 32 bytes (all of a
 * header or a small segment), is one step per bit of its length, with no loop: every
 * piece starts at an even offset, so the byte lanes of the 16-bit words stay in place.
 */
static inline uint64_t weir_cksum64(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0, a, b;
	uint32_t d;
	uint16_t h;

	if (len >= 32) {
		sum = weir_cksum64_bulk(p, len & ~(size_t)31);
		p += len & ~(size_t)31;
		len &= 31;
	}
	if (len & 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		sum = weir_csum_add64(sum, a);
		sum = weir_csum_add64(sum, b);
		p += 16;
	}
	if (len & 8) {
		memcpy(&a, p, 8);
		sum = weir_csum_add64(sum, a);
		p += 8;
	}
	if (len & 4) {
		memcpy(&d, p, 4);
		sum = weir_csum_add64(sum, d);
		p += 4;
	}
	if (len & 2) {
		memcpy(&h, p, 2);
		sum = weir_csum_add64(sum, h);
		p += 2;
	}
	if (len & 1) {
		/* A trailing byte counts as the high byte of a word padded with zero. */
		h = 0;
		memcpy(&h, p, 1);
		sum = weir_csum_add64(sum, h);
	}
	return sum;
}

/* The one's complement sum of @len bytes at @buf, folded to 16 bits (not inverted). */
static inline uint16_t weir_cksum(const void *buf, size_t len)
{
	return weir_csum_fold64(weir_cksum64(buf, len));
}

/*
 * The one's complement sum of @len bytes at offset @off of the chain @m, folded to 16
 * bits. A segment of odd length shifts the byte lanes of everything after it, so those
 * partial sums are byte-swapped (RFC 1071). DPDK 22.11's rte_raw_cksum_mbuf() gets
 * this wrong for odd-length segments, hence Weir's own.
 */
static inline uint16_t weir_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0;
	bool odd = false;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = m->data_len - off;
		uint16_t part;

		if (n > len)
			n = len;
		part = weir_cksum(rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		if (odd)
			part = (uint16_t)(part << 8 | part >> 8);
		sum += part;
		if (n & 1)
			odd = !odd;
		len -= n;
		off = 0;
		m = m->next;
	}
	return weir_csum_fold(sum);
}

/*
 * Apply a precomputed adjustment @delta (a one's complement sum folded to 16 bits) to
 * checksum @csum: a 16-bit add and its carry added back (add, add-with-carry), since the
 * two add up to at most 0x1fffe.
 */
static inline uint16_t weir_csum_adjust(uint16_t csum, uint16_t delta)
{
	uint16_t s;
	bool carry = __builtin_add_overflow((uint16_t)~csum, delta, &s);

	return (uint16_t) ~(uint16_t)(s + carry);
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
 * What taking 1 off a TTL adds to the IPv4 header's sum, as a raw word: the TTL is the
 * high byte of the word it shares with the protocol, which thus loses 0x0100, and
 * -0x0100 in one's complement is 0xfeff (RFC 1141).
 */
#define WEIR_CSUM_TTL_DEC RTE_BE16(0xfeff)

/* One hop of IPv4 datagram @ip: its TTL, above 1, down by one and its checksum with it. */
static inline void weir_ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	ip->time_to_live--;
	ip->hdr_checksum = weir_csum_adjust(ip->hdr_checksum, WEIR_CSUM_TTL_DEC);
}

/*
 * True when the one's complement sum @sum (on 64 bits, as weir_cksum64() and
 * weir_csum_add64() leave it), which is not 0, verifies: it folds to 0xffff. Folding
 * keeps a sum's remainder modulo 0xffff (2^16 is 1 modulo 0xffff, and 0xffff divides
 * 2^64 - 1, so end-around carries keep it too), and 0xffff is the only nonzero 16-bit
 * multiple of 0xffff. So the test is whether 0xffff divides @sum: a multiplication by
 * its inverse and a compare, where a fold is a chain of dependent rotates and adds.
 */
static inline bool weir_csum_verifies(uint64_t sum)
{
	return sum % 0xffff == 0;
}

/*
 * True when the checksum of IPv4 header @ip, 20 bytes long (no options), verifies. Its
 * five 32-bit words add up on 64 bits without a carry to go around; the version byte
 * makes the sum nonzero.
 */
static inline bool weir_ipv4_cksum_ok20(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint32_t a, b, c, d, e;

	memcpy(&a, p, 4);
	memcpy(&b, p + 4, 4);
	memcpy(&c, p + 8, 4);
	memcpy(&d, p + 12, 4);
	memcpy(&e, p + 16, 4);
	return weir_csum_verifies((uint64_t)a + b + c + d + e);
}

/*
 * True when @sum, the one's complement sum on 64 bits of a TCP or UDP segment of @l4len
 * bytes (weir_cksum64()), verifies against the pseudo-header of @ip.
 */
static inline bool weir_l4_sum_ok(uint64_t sum, const struct rte_ipv4_hdr *ip, uint32_t l4len)
{
	uint64_t addrs;

	/*
	 * The pseudo-header, summed without building it: the two addresses as one 64-bit
	 * word (2^32 is 1 modulo 0xffff), protocol and length as one number. In the order
	 * a little-endian host loads them, the words 0:protocol and the length are byte-
	 * swapped, and a swapped word is the word times 2^8 modulo 0xffff. The protocol
	 * makes the sum nonzero, as weir_csum_verifies() asks.
	 */
	memcpy(&addrs, &ip->src_addr, sizeof(addrs));
	sum = weir_csum_add64(sum, addrs);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	sum = weir_csum_add64(sum, ((uint64_t)ip->next_proto_id + l4len) << 8);
#else
	sum = weir_csum_add64(sum, (uint64_t)ip->next_proto_id + l4len);
#endif
	return weir_csum_verifies(sum);
}

/*
 * True when the TCP or UDP checksum of the @l4len bytes at @l4off verifies against the
 * pseudo-header of @ip. Handles chained mbufs. (A UDP checksum of 0 means "none"; the
 * caller decides about it before calling.)
 */
static inline bool weir_l4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
				    uint32_t l4off, uint32_t l4len)
{
	uint64_t sum;

	if (rte_pktmbuf_data_len(m) >= l4off + l4len)
		sum = weir_cksum64(rte_pktmbuf_mtod_offset(m, const void *, l4off), l4len);
	else if (rte_pktmbuf_pkt_len(m) >= l4off + l4len)
		sum = weir_cksum_mbuf(m, l4off, l4len);
	else
		return false;
	return weir_l4_sum_ok(sum, ip, l4len);
}

#endif
