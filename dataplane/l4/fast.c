/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's burst input, and its fast path for the packets of established L4 flows.
 *
 * Most packets a balancer sees belong to flows it already forwards, and the full input
 * path (net/pkt.c, net/ipv4.c, l4/fwd.c) spends most of its work on questions whose
 * answer such a packet already has. weir_l4_burst() takes a received burst in three
 * passes: the first reads each frame's headers and hashes its 5-tuple, prefetching the
 * flow-table bucket; the second looks the flows up, prefetching them; the third handles
 * the frames in order. A frame whose flow forwards it without a change of state (a
 * full-NAT or DSR flow, UDP, or TCP and the segment an ACK without SYN, FIN or RST that
 * completes no handshake), that
 * passes every check the full path makes (Ethernet destination, IPv4 header, length,
 * fragment bits, source, TCP or UDP header, both checksums) and whose next hop's MAC
 * the flow holds, is rewritten and queued there in a few dozen instructions.
 *
 * Every other frame goes to weir_pkt_input() with the flow found as a hint, as does a
 * frame that fails any check: the fast path decides nothing on its own, it only skips
 * the full path for frames that path would forward exactly as it does. Its packets are
 * counted in the event l4_fast_path.
 */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "core/worker.h"
#include "l4/l4.h"
#include "l4/nat.h"
#include "net/cksum.h"
#include "net/ipv4.h"
#include "net/neigh.h"
#include "net/pkt.h"

#define IPV4_HLEN       20 /* the fast path takes IPv4 headers without options */
#define TCP_HLEN        20
#define UDP_HLEN        8
#define TCP_CSUM_OFF    16
#define UDP_CSUM_OFF    6
#define FAST_MIN_FRAME  (RTE_ETHER_HDR_LEN + IPV4_HLEN + UDP_HLEN)
#define TCP_STATE_FLAGS (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)

_Static_assert(2 * WEIR_RX_BURST <= 64, "a burst's candidates fit a 64-bit mask");

/*
 * The fast path's checksums sum 32-bit words on 64 bits: nothing to carry around until
 * the fold (it would take 2^32 words to overflow), so a header is a handful of adds.
 * Segments longer than SMALL_L4 go to weir_l4_cksum_ok()'s 64-bit loop instead.
 */
#define SMALL_L4 128

static inline uint64_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* True when the 20-byte IPv4 header at @ip sums to all ones (its checksum verifies). */
static inline bool ipv4_hdr_cksum_ok(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *q = (const uint8_t *)ip;

	return weir_csum_fold64(ld32(q) + ld32(q + 4) + ld32(q + 8) + ld32(q + 12) +
				ld32(q + 16)) == 0xffff;
}

/* True when the TCP or UDP checksum of the @len bytes at @l4 (after @ip) verifies. */
static inline bool l4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			       const uint8_t *l4, uint32_t len)
{
	uint64_t s = (uint64_t)ip->src_addr + ip->dst_addr +
		     rte_cpu_to_be_16((uint16_t)ip->next_proto_id) +
		     rte_cpu_to_be_16((uint16_t)len);
	uint16_t h = 0;
	uint32_t i = 0;

	if (len > SMALL_L4)
		return weir_l4_cksum_ok(m, ip, RTE_ETHER_HDR_LEN + IPV4_HLEN, len);
	for (; i + 16 <= len; i += 16)
		s += ld32(l4 + i) + ld32(l4 + i + 4) + ld32(l4 + i + 8) + ld32(l4 + i + 12);
	if (len & 8) {
		s += ld32(l4 + i) + ld32(l4 + i + 4);
		i += 8;
	}
	if (len & 4) {
		s += ld32(l4 + i);
		i += 4;
	}
	if (len & 2) {
		s += weir_rd16(l4 + i);
		i += 2;
	}
	if (len & 1) {
		/* A trailing byte counts as the high byte of a word padded with zero. */
		memcpy(&h, l4 + i, 1);
		s += h;
	}
	return weir_csum_fold64(s) == 0xffff;
}

/*
 * True when a segment with @flags leaves @f's state as it is (l4/fwd.c's tcp_track()
 * would change nothing): an ACK without SYN, FIN or RST, except the client's that
 * completes a handshake (SYN_RECV, or SYN_SENT for a DSR flow, whose SYN-ACK Weir does
 * not see).
 */
static inline bool tcp_keeps_state(const struct weir_flow *f, uint8_t flags, bool from_client)
{
	if ((flags & TCP_STATE_FLAGS) || !(flags & RTE_TCP_ACK_FLAG))
		return false;
	if (from_client && (f->state == WEIR_FS_SYN_RECV ||
			    (f->state == WEIR_FS_SYN_SENT && (f->flags & WEIR_FLOW_F_DSR))))
		return false;
	return true;
}

/* The direction in which @f holds @key (WEIR_DIR_IN: its client's), or -1. */
static inline int flow_dir(const struct weir_flow *f, const struct weir_flow_key *key)
{
	if (weir_flow_key_eq(&f->fwd, key))
		return WEIR_DIR_IN;
	if (weir_flow_key_eq(&f->rev, key))
		return WEIR_DIR_OUT;
	return -1;
}

/*
 * The fast path for frame @m of flow @f, which holds @key in direction @dir (WEIR_DIR_IN:
 * the client's key). Returns false, having changed nothing, when the frame must take the
 * full path.
 */
static inline bool fast_forward(struct weir_worker *w, const struct weir_port *p,
				struct rte_mbuf *m, struct weir_flow *f, int dir, bool tcp,
				uint32_t nh_gen)
{
	struct weir_l4w *l4 = w->l4;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);
	uint8_t *l4h = d + RTE_ETHER_HDR_LEN + IPV4_HLEN;
	uint32_t avail = rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length), len = tot - IPV4_HLEN, csum_off;
	uint64_t ipck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	bool l4_good = (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	uint16_t out;

	/* The flow: forwarded as is, its next hop known, in a state this frame keeps. */
	if (f->sess != NULL || f->nh_gen != nh_gen ||
	    !(f->flags & (dir == WEIR_DIR_IN ? WEIR_FLOW_F_MAC_IN : WEIR_FLOW_F_MAC_OUT)))
		return false;

	/* Ethernet and IPv4, as weir_pkt_input() and weir_ipv4_input() check them. */
	if (!rte_is_same_ether_addr(&eth->dst_addr, &p->mac) || m->nb_segs != 1 ||
	    tot < IPV4_HLEN + (tcp ? TCP_HLEN : UDP_HLEN) || tot > avail ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
	    !weir_ipv4_src_ok(ip->src_addr) || ip->src_addr == (p->addr | ~p->mask))
		return false;
	if (ipck != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	    (ipck == RTE_MBUF_F_RX_IP_CKSUM_BAD || !ipv4_hdr_cksum_ok(ip)))
		return false;

	/* TCP or UDP, as parse_l4() checks them. */
	if (tcp) {
		uint32_t doff = (uint32_t)(l4h[12] >> 4) * 4;
		uint8_t flags = l4h[13];

		if (doff < TCP_HLEN || doff > len || !tcp_keeps_state(f, flags, dir == WEIR_DIR_IN))
			return false;
		csum_off = TCP_CSUM_OFF;
	} else {
		uint32_t ulen = rte_be_to_cpu_16(weir_rd16(l4h + 4));

		if (ulen < UDP_HLEN || ulen > len)
			return false;
		csum_off = weir_rd16(l4h + UDP_CSUM_OFF) != 0 ? UDP_CSUM_OFF : 0;
	}
	if (csum_off != 0 && !l4_good && !l4_cksum_ok(m, ip, l4h, len))
		return false;

	/* Forward: the frame's padding off, the counters, the rewrite, the next hop. */
	if (avail > tot)
		rte_pktmbuf_trim(m, (uint16_t)(avail - tot));
	f->last = w->now;
	f->pkts[dir]++;
	f->bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	l4->srv[f->srv].pkts[dir]++;
	l4->srv[f->srv].bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	l4->svc[f->svc].pkts[dir]++;
	l4->svc[f->svc].bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	if (!(f->flags & WEIR_FLOW_F_DSR))
		weir_nat_rewrite(ip, l4h, csum_off, f, dir);
	out = dir == WEIR_DIR_IN ? f->sport_idx : f->cport;
	eth->dst_addr = f->nh_mac[dir];
	eth->src_addr = w->dp->ports[out].mac;
	weir_tx(w, out, m);
	return true;
}

void weir_l4_burst(struct weir_worker *w, struct weir_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct weir_l4w *l4 = w->l4;
	struct weir_flow_table *t = l4->ft;
	struct weir_flow_key keys[2 * WEIR_RX_BURST];
	uint32_t hashes[2 * WEIR_RX_BURST];
	struct weir_flow *flows[2 * WEIR_RX_BURST];
	uint64_t cand = 0, recheck = 0, fast = 0, c;
	uint32_t nh_gen;
	uint16_t i;

	/* 1: plain IPv4 TCP/UDP frames: their 5-tuple hashed, their bucket fetched. */
	for (i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);
		const uint8_t *l4h = (const uint8_t *)(ip + 1);

		flows[i] = NULL;
		if (rte_pktmbuf_data_len(pkts[i]) < FAST_MIN_FRAME ||
		    weir_rd16(d + 12) != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
		    (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP))
			continue;
		weir_flow_key_set(&keys[i], ip->src_addr, ip->dst_addr, weir_rd16(l4h),
				  weir_rd16(l4h + 2), ip->next_proto_id);
		hashes[i] = weir_flow_hash(&keys[i]);
		rte_prefetch0(&t->b[hashes[i] & t->mask]);
		cand |= 1ull << i;
	}
	/*
	 * 2: the bucket's first slot with the key's signature names the flow, most likely
	 * (signatures are 16 bits); its lines are fetched. Pass 3 checks the key, which
	 * then reads a line in cache, and looks up in full when the guess was wrong or
	 * keys overflowed from the bucket (recheck).
	 */
	for (c = cand; c != 0; c &= c - 1) {
		const struct weir_flow_bucket *b;
		unsigned int match;

		i = (uint16_t)__builtin_ctzll(c);
		b = &t->b[hashes[i] & t->mask];
		match = weir_flow_sig_match(b, weir_flow_sig(hashes[i]));
		if (match != 0) {
			struct weir_flow *f =
				&t->flows[b->idx[__builtin_ctz(match)] & ~WEIR_FLOW_REV];

			rte_prefetch0(f);
			rte_prefetch0((const uint8_t *)f + RTE_CACHE_LINE_SIZE);
			flows[i] = f;
			recheck |= 1ull << i;
		} else if (b->overflow != 0) {
			recheck |= 1ull << i;
		}
	}
	/* 3: in order, each by the fast path if it can, else by the full one. */
	nh_gen = __atomic_load_n(&w->dp->neigh->gen, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++) {
		struct weir_flow *f = flows[i];
		int dir = f != NULL ? flow_dir(f, &keys[i]) : -1;

		/* A wrong guess, a flow ended by a frame before this one, an overflow. */
		if (dir < 0 && (recheck & (1ull << i))) {
			f = weir_flow_lookup_hash(t, &keys[i], hashes[i]);
			dir = f != NULL ? flow_dir(f, &keys[i]) : -1;
		}
		if (dir >= 0 &&
		    fast_forward(w, p, pkts[i], f, dir, keys[i].proto == IPPROTO_TCP, nh_gen)) {
			fast++;
			continue;
		}
		l4->hint_m = pkts[i];
		l4->hint_f = dir >= 0 ? f : NULL;
		weir_pkt_input(w, p, pkts[i]);
	}
	l4->hint_m = NULL;
	w->st.events[WEIR_EV_L4_FAST_PATH] += fast;
}
