/* SPDX-License-Identifier: BSD-3-Clause */
/* The full-NAT rewrite of a packet, shared by the full input path and the fast path. */
#ifndef WEIR_NAT_H
#define WEIR_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
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

static inline uint32_t weir_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void weir_wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* One's complement sums of a 32-bit field's halves, as is and inverted (RFC 1624). */
static inline uint32_t weir_sum32(uint32_t a)
{
	return (a >> 16) + (a & 0xffff);
}

static inline uint32_t weir_nsum32(uint32_t a)
{
	return (uint16_t) ~(a >> 16) + (uint16_t) ~(a & 0xffff);
}

/*
 * The checksum adjustments of a full-NAT flow, once for its life: every packet of a
 * direction changes the same addresses and ports from the same values to the same
 * values, and loses one of its TTL, so two additions replace the per-field updates.
 */
static inline void weir_nat_deltas(struct weir_flow *f)
{
	uint32_t ip;

	/* client:cport -> vip:vport  becomes  laddr:lport -> server:sport */
	ip = weir_nsum32(f->fwd.src) + weir_nsum32(f->fwd.dst) + weir_sum32(f->rev.dst) +
	     weir_sum32(f->rev.src);
	f->ip_delta[WEIR_DIR_IN] = weir_csum_fold(ip + WEIR_CSUM_TTL_DEC);
	f->l4_delta[WEIR_DIR_IN] =
		weir_csum_fold(ip + (uint16_t)~f->fwd.sport + (uint16_t)~f->fwd.dport +
			       f->rev.dport + f->rev.sport);
	/* server:sport -> laddr:lport  becomes  vip:vport -> client:cport */
	ip = weir_nsum32(f->rev.src) + weir_nsum32(f->rev.dst) + weir_sum32(f->fwd.dst) +
	     weir_sum32(f->fwd.src);
	f->ip_delta[WEIR_DIR_OUT] = weir_csum_fold(ip + WEIR_CSUM_TTL_DEC);
	f->l4_delta[WEIR_DIR_OUT] =
		weir_csum_fold(ip + (uint16_t)~f->rev.sport + (uint16_t)~f->rev.dport +
			       f->fwd.dport + f->fwd.sport);
}

/*
 * -1 in one's complement (0xfffe), as a raw word: what a 32-bit field that wrapped when
 * a constant was added to it gives back (2^32 is 1 modulo 0xffff).
 */
#define WEIR_CSUM_MINUS1 RTE_BE16(0xfffe)

/*
 * What adding @d to a 32-bit field in network order adds to a checksum, a raw folded
 * word, the wrap aside (WEIR_CSUM_MINUS1): the field's value modulo 0xffff grows by @d's.
 */
static inline uint16_t weir_csum_of_add32(uint32_t d)
{
	return rte_cpu_to_be_16(weir_csum_fold((d >> 16) + (d & 0xffff)));
}

/*
 * Add @delta to the 32-bit field at @p (network order). The checksum's part of that is
 * in the flow's l4_delta (weir_nat_seq_deltas()), but for the wrap: returns
 * WEIR_CSUM_MINUS1 when the addition wrapped, else 0, to add to the checksum.
 */
static inline uint16_t weir_seq_add(uint8_t *p, uint32_t delta)
{
	uint32_t v;
	bool wrap = __builtin_add_overflow(rte_be_to_cpu_32(weir_rd32(p)), delta, &v);

	weir_wr32(p, rte_cpu_to_be_32(v));
	return (uint16_t)(-(uint16_t)wrap & WEIR_CSUM_MINUS1);
}

/*
 * Fold the constant part of a full-NAT TCP flow's sequence shifts into its checksum
 * adjustments: toward the server every segment's sequence number gains f->seq_delta,
 * coming back every acknowledgment loses it. After weir_nat_deltas(), once seq_delta is
 * set.
 */
static inline void weir_nat_seq_deltas(struct weir_flow *f)
{
	f->l4_delta[WEIR_DIR_IN] = weir_csum_fold((uint32_t)f->l4_delta[WEIR_DIR_IN] +
						  weir_csum_of_add32(f->seq_delta));
	f->l4_delta[WEIR_DIR_OUT] = weir_csum_fold((uint32_t)f->l4_delta[WEIR_DIR_OUT] +
						   weir_csum_of_add32(-f->seq_delta));
}

/*
 * Add @delta to the field at offset @off of the TCP header @th and return what that adds
 * to the one's complement sum: ~old + new (RFC 1624), 33 bits for the caller to fold.
 * Options may put the field at an odd offset: its bytes then sit in the other byte lanes
 * of the header's 16-bit words, and what it adds is swapped (RFC 1071).
 */
static inline uint64_t weir_opt_shift(uint8_t *th, uint32_t off, uint32_t delta)
{
	uint32_t old = weir_rd32(th + off);
	uint32_t new = rte_cpu_to_be_32(rte_be_to_cpu_32(old) + delta);
	uint64_t c = (uint64_t)(uint32_t)~old + new;
	uint16_t h;

	weir_wr32(th + off, new);
	if (!(off & 1))
		return c;
	h = weir_csum_fold64(c);
	return (uint16_t)(h << 8 | h >> 8);
}

#define WEIR_TCPOPT_EOL  0
#define WEIR_TCPOPT_NOP  1
#define WEIR_TCPOPT_SACK 5
#define WEIR_TCPOPT_TS   8
#define WEIR_TCPOLEN_TS  10
/* NOP, NOP, timestamps: how every TCP stack aligns the option on its segments. */
#define WEIR_TCPOPT_TS_ALIGNED  RTE_BE32(0x0101080a)
#define WEIR_TCP_TS_ALIGNED_OFF 22 /* where that puts the option */

/* What a walk of a TCP header's options found and did. */
struct weir_tcp_opts {
	uint64_t sum; /* what the SACK edges it moved add to the one's complement sum */
	uint32_t ts;  /* offset of the timestamp option in the header, 0 if none */
};

/*
 * Walk the options of the TCP header @th (@hlen bytes, options included, all in the
 * frame): find the timestamp option and, if @sack_delta is not 0, add it to the edges
 * of a SACK option. A malformed list ends the walk: what was found stands.
 */
static inline struct weir_tcp_opts weir_tcp_opts_walk(uint8_t *th, uint32_t hlen,
						      uint32_t sack_delta)
{
	struct weir_tcp_opts o = { 0, 0 };
	uint32_t i = sizeof(struct rte_tcp_hdr);

	while (i < hlen) {
		uint32_t kind = th[i], len, e;

		if (kind == WEIR_TCPOPT_EOL)
			break;
		if (kind == WEIR_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			break;
		len = th[i + 1];
		if (len < 2 || len > hlen - i)
			break;
		if (kind == WEIR_TCPOPT_TS && len == WEIR_TCPOLEN_TS) {
			o.ts = i;
		} else if (kind == WEIR_TCPOPT_SACK && sack_delta != 0 && (len - 2) % 4 == 0) {
			for (e = i + 2; e < i + len; e += 4)
				o.sum += weir_opt_shift(th, e, sack_delta);
		}
		i += len;
	}
	return o;
}

/*
 * The options' part of the full-NAT shifts of a TCP segment (@th, @hlen bytes of header,
 * more than 20) going in direction @dir; returns what they add to the one's complement
 * sum. Toward the server the client's TSval moves by f->ts_delta; coming back, the SACK
 * edges (blocks of the client's data) move by -f->seq_delta and the TSecr by
 * -f->ts_delta (as the acknowledgment, with or without ACK). The server's own timestamps
 * and the client's SACK blocks (of the server's data) pass unchanged.
 */
static inline uint64_t weir_nat_tcp_opts(uint8_t *th, uint32_t hlen, const struct weir_flow *f,
					 int dir)
{
	struct weir_tcp_opts o = { 0, 0 };
	bool aligned = hlen >= 32 && weir_rd32(th + 20) == WEIR_TCPOPT_TS_ALIGNED;

	if (dir == WEIR_DIR_IN) {
		if (f->ts_delta == 0)
			return 0;
		if (aligned)
			o.ts = WEIR_TCP_TS_ALIGNED_OFF;
		else
			o = weir_tcp_opts_walk(th, hlen, 0);
		if (o.ts != 0)
			o.sum += weir_opt_shift(th, o.ts + 2, f->ts_delta); /* TSval */
		return o.sum;
	}
	if (aligned && hlen == 32)
		o.ts = WEIR_TCP_TS_ALIGNED_OFF; /* the timestamps alone: no SACK to look for */
	else
		o = weir_tcp_opts_walk(th, hlen, -f->seq_delta);
	if (o.ts != 0 && f->ts_delta != 0)
		o.sum += weir_opt_shift(th, o.ts + 6, -f->ts_delta); /* TSecr */
	return o.sum;
}

/*
 * Rewrite a packet of full-NAT flow @f going in direction @dir to the flow's other
 * tuple: addresses, the ports of the TCP or UDP header at @l4, the TTL one down (the
 * caller made sure it is above 1), and both checksums by the flow's precomputed
 * adjustments. A TCP segment's sequence space moves too: its sequence number by
 * f->seq_delta toward the server, its acknowledgment back by as much coming
 * back (whether or not ACK is set: without it, the field means nothing), and the
 * options' numbers (weir_nat_tcp_opts()). @csum_off is the L4 checksum's offset in that
 * header, 0 for a UDP datagram without checksum (which stays without one). A TCP
 * header's options are all in the frame (frame_clean(), parse_l4()).
 */
static inline void weir_nat_rewrite(struct rte_ipv4_hdr *ip, uint8_t *l4, uint32_t csum_off,
				    const struct weir_flow *f, int dir)
{
	const struct weir_flow_key *to = dir == WEIR_DIR_IN ? &f->rev : &f->fwd;

	ip->time_to_live--;
	ip->hdr_checksum = weir_csum_adjust(ip->hdr_checksum, f->ip_delta[dir]);
	if (csum_off == offsetof(struct rte_tcp_hdr, cksum)) {
		uint16_t sum = weir_csum_adjust(weir_rd16(l4 + csum_off), f->l4_delta[dir]);

		if (dir == WEIR_DIR_IN)
			sum = weir_csum_adjust(sum, weir_seq_add(l4 + 4, f->seq_delta));
		else
			sum = weir_csum_adjust(sum, weir_seq_add(l4 + 8, -f->seq_delta));
		if (unlikely(l4[12] > 0x5f)) /* options */
			sum = weir_csum_adjust(sum,
					       weir_csum_fold64(weir_nat_tcp_opts(
						       l4, (uint32_t)(l4[12] >> 4) * 4, f, dir)));
		weir_wr16(l4 + csum_off, sum);
	} else if (csum_off != 0) {
		uint16_t sum = weir_csum_adjust(weir_rd16(l4 + csum_off), f->l4_delta[dir]);

		/* A UDP checksum that comes out 0 is sent as all ones (RFC 768). */
		if (sum == 0)
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
