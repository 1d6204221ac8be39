/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's burst input, and its fast path for the packets of established L4 flows.
 *
 * Most packets a balancer sees belong to flows it already forwards, and the full input
 * path (net/pkt.c, net/ipv4.c, l4/fwd.c) spends most of its work on questions whose
 * answer such a packet already has. weir_l4_burst() takes a received burst in three
 * passes: the first picks the plain IPv4 TCP/UDP frames and hashes their 5-tuples,
 * prefetching the flow-table buckets; the second takes each bucket's guess at the flow,
 * prefetching it, and checks what the frame alone can tell while it comes; the third
 * handles the frames in order. A frame whose flow forwards it without a change of state
 * (a full-NAT or DSR flow, UDP, or TCP and the segment an ACK that completes no
 * handshake, or the client's SYN again while the flow is open), that passes every check
 * the full path makes (Ethernet destination and source, IPv4 header, length, fragment
 * bits, source, a hop left in its TTL, TCP or UDP header, both checksums) and whose next
 * hop's MAC the flow holds, is rewritten and queued there in a few dozen instructions.
 *
 * Every other frame goes to weir_pkt_input() with the flow found as a hint, as does a
 * frame that fails any check: the fast path decides nothing on its own, it only skips
 * the full path for frames that path would forward exactly as it does. Its packets are
 * counted in the event l4_fast_path.
 */
#include <stddef.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "core/worker.h"
#include "l4/l4.h"
#include "l4/nat.h"
#include "net/cksum.h"
#include "net/ipv4.h"
#include "net/neigh.h"
#include "net/pkt.h"

#define IPV4_HLEN      20 /* the fast path takes IPv4 headers without options */
#define TCP_HLEN       20
#define UDP_HLEN       8
#define TCP_CSUM_OFF   offsetof(struct rte_tcp_hdr, cksum)
#define UDP_CSUM_OFF   offsetof(struct rte_udp_hdr, dgram_cksum)
#define FAST_MIN_FRAME (RTE_ETHER_HDR_LEN + IPV4_HLEN + UDP_HLEN)
/* Bit f is set for each TCP flags f (of FIN, SYN, RST, ACK) the fast path takes. */
#define FAST_TCP_MASK  (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)
#define FAST_TCP_FLAGS (1u << RTE_TCP_ACK_FLAG | 1u << RTE_TCP_SYN_FLAG)
/* Bit p is set for each IP protocol p the fast path takes (all below 32). */
#define FAST_PROTOS (1u << IPPROTO_TCP | 1u << IPPROTO_UDP)

/*
 * What frame_clean() compares a frame with, from the receiving port, once a burst: the
 * port's MAC in the first six bytes of a word (as a frame's first eight bytes load),
 * and its subnet's broadcast address.
 */
struct rx_port {
	uint64_t mac;
	uint32_t bcast;
};

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * True when frame @m (@d its bytes), a plain IPv4 TCP or UDP frame of at least
 * FAST_MIN_FRAME bytes, passes every check of the full input path that needs nothing
 * but the frame: weir_pkt_input()'s (addressed to port @rp), weir_ipv4_input()'s and
 * parse_l4()'s, checksums included, and l4/fwd.c's of the TTL; and, for TCP, is an ACK
 * or a SYN, without FIN or RST.
 */
static inline bool frame_clean(const struct rx_port *rp, const struct rte_mbuf *m, const uint8_t *d)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);
	const uint8_t *l4h = d + RTE_ETHER_HDR_LEN + IPV4_HLEN;
	uint32_t tot = weir_be16(ip->total_length), len = tot - IPV4_HLEN;
	uint64_t ck = m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	bool tcp = ip->next_proto_id == IPPROTO_TCP, ip_sw = true, l4_sw = true;

	/*
	 * The destination MAC, the first six bytes of the frame (of at least 42), and the
	 * source's group bit, the low bit of byte 6: in the same load.
	 */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	if ((((rd64(d) ^ rp->mac) << 16) | (rd64(d) & 1ull << 48)) != 0)
#else
	if ((((rd64(d) ^ rp->mac) >> 16) | (rd64(d) & 1ull << 8)) != 0)
#endif
		return false;
	if (m->nb_segs != 1 || tot > (uint32_t)rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
	    !weir_ipv4_src_ok(ip->src_addr) || ip->src_addr == rp->bcast || ip->time_to_live <= 1)
		return false;
	/*
	 * The NIC's verdicts, where it gave any (both unknown is 0): a bad IPv4 header is
	 * final, as in weir_ipv4_input(); a good one is not checked again; anything else
	 * is checked in software (as parse_l4() checks a TCP/UDP checksum not found good).
	 */
	if (unlikely(ck != 0)) {
		if ((ck & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
			return false;
		ip_sw = (ck & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		l4_sw = (ck & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (ip_sw && !weir_ipv4_cksum_ok20(ip))
		return false;
	if (tcp) {
		/* The header's length past its minimum, and the room for it (< 0: none). */
		int32_t extra = (int32_t)((l4h[12] & 0xf0u) >> 2) - TCP_HLEN;

		if (extra < 0 || extra > (int32_t)tot - (IPV4_HLEN + TCP_HLEN) ||
		    !((FAST_TCP_FLAGS >> (l4h[13] & FAST_TCP_MASK)) & 1))
			return false;
	} else {
		uint32_t ulen = weir_be16(weir_rd16(l4h + 4));

		if (tot < IPV4_HLEN + UDP_HLEN || ulen < UDP_HLEN || ulen > len)
			return false;
		if (weir_rd16(l4h + UDP_CSUM_OFF) == 0)
			return true;
		len = ulen; /* the checksum covers the datagram, not what follows it */
	}
	/* One segment, holding the whole datagram (checked above). */
	return !l4_sw || weir_l4_sum_ok(weir_cksum64(l4h, len), ip, len);
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
 * The fast path for clean frame @m (frame_clean()) of flow @f, which holds the frame's
 * key in direction @dir (WEIR_DIR_IN: the client's): rewrites it for its next hop and
 * returns the port to send it on. Returns -1, having changed nothing, when the frame
 * must take the full path all the same: the flow is a proxy's, its next hop not
 * cached, the frame too big for the outgoing port's MTU (@port_mtu), or it is one of
 * the clean TCP frames that change the flow (l4/fwd.c's vip_input() and tcp_track()):
 * the client's ACK that completes a handshake (SYN_RECV, or SYN_SENT for a DSR flow,
 * whose SYN-ACK Weir does not see), a SYN to a closing flow (it starts a new one), the
 * server's SYN-ACK.
 */
static inline int fast_forward(struct weir_worker *w, struct rte_mbuf *m, struct weir_flow *f,
			       int dir, uint32_t nh_gen, const uint64_t *port_mac,
			       const uint16_t *port_mtu)
{
	struct weir_l4w *l4 = w->l4;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);
	uint8_t *l4h = d + RTE_ETHER_HDR_LEN + IPV4_HLEN;
	uint32_t tot = weir_be16(ip->total_length), csum_off;
	uint16_t out;

	if (f->sess != NULL || f->nh_gen != nh_gen || !(f->flags & (WEIR_FLOW_F_MAC_IN << dir)))
		return -1;
	/* The flow's key holds the protocol: UDP flows are in WEIR_FS_UDP, and only they. */
	if (f->state != WEIR_FS_UDP) {
		if (unlikely(l4h[13] & RTE_TCP_SYN_FLAG)) {
			/* The client's SYN again, a retransmission: forwarded as is until the
			 * flow closes (a SYN then starts a new one). */
			if (dir != WEIR_DIR_IN || f->state == WEIR_FS_NONE || weir_flow_over(f))
				return -1;
		} else if (unlikely(dir == WEIR_DIR_IN && (f->state == WEIR_FS_SYN_RECV ||
							   (f->state == WEIR_FS_SYN_SENT &&
							    (f->flags & WEIR_FLOW_F_DSR))))) {
			return -1;
		}
		csum_off = TCP_CSUM_OFF;
	} else {
		csum_off = weir_rd16(l4h + UDP_CSUM_OFF) != 0 ? UDP_CSUM_OFF : 0;
	}

	out = dir == WEIR_DIR_IN ? f->sport_idx : f->cport;
	if (unlikely(tot > port_mtu[out]))
		return -1; /* too big for the port: the full path answers or drops it */

	/* Forward: the frame's padding off, the counters, the rewrite, the next hop. */
	if (rte_pktmbuf_data_len(m) > tot + RTE_ETHER_HDR_LEN)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - tot - RTE_ETHER_HDR_LEN));
	f->last = w->now;
	f->pkts[dir]++;
	f->bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	l4->srv[f->srv].pkts[dir]++;
	l4->srv[f->srv].bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	l4->svc[f->svc].pkts[dir]++;
	l4->svc[f->svc].bytes[dir] += tot + RTE_ETHER_HDR_LEN;
	if (!(f->flags & WEIR_FLOW_F_DSR))
		weir_nat_rewrite(ip, l4h, csum_off, f, dir);
	else
		weir_ipv4_ttl_dec(ip);
	eth->dst_addr = f->nh_mac[dir];
	memcpy(&eth->src_addr, &port_mac[out], RTE_ETHER_ADDR_LEN);
	return out;
}

/*
 * What the passes of weir_l4_burst() hand on about one frame: its key and hash (valid
 * when FRAME_CAND), the flow its bucket suggests, and flags.
 */
#define FRAME_CAND    0x1 /* a plain IPv4 TCP/UDP frame: key and hash are set */
#define FRAME_CLEAN   0x2 /* frame_clean() */
#define FRAME_RECHECK 0x4 /* no suggestion, but keys overflowed: look up in full */

struct frame_state {
	struct weir_flow_key key;
	struct weir_flow *flow;
	uint32_t hash;
	uint32_t flags;
};

uint64_t weir_l4_burst(struct weir_worker *w, struct weir_port *p, struct rte_mbuf **pkts,
		       uint16_t n)
{
	struct weir_l4w *l4 = w->l4;
	struct weir_flow_table *t = l4->ft;
	struct frame_state fs[2 * WEIR_RX_BURST];
	struct rx_port rp = { .mac = 0, .bcast = p->bcast };
	uint64_t port_mac[WEIR_MAX_PORTS]; /* the ports' MACs, for the sources of frames sent */
	uint16_t port_mtu[WEIR_MAX_PORTS];
	uint64_t fast = 0, bytes = 0;
	struct rte_mbuf *run[2 * WEIR_RX_BURST]; /* fast frames for port run_port, in order */
	uint16_t nb_run = 0;
	int run_port = -1;
	uint32_t nh_gen;
	uint16_t i;

	memcpy(&rp.mac, &p->mac, RTE_ETHER_ADDR_LEN);

	/* 1: plain IPv4 TCP/UDP frames: their 5-tuple hashed, their bucket fetched. */
	for (i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);

		bytes += rte_pktmbuf_pkt_len(pkts[i]);
		fs[i].flow = NULL;
		fs[i].flags = 0;
		if (rte_pktmbuf_data_len(pkts[i]) < FAST_MIN_FRAME ||
		    weir_rd16(d + 12) != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
		    ip->next_proto_id >= 32 || !((FAST_PROTOS >> ip->next_proto_id) & 1))
			continue;
		weir_flow_key_of_ipv4(&fs[i].key, (const uint8_t *)ip);
		fs[i].hash = weir_flow_hash(&fs[i].key);
		rte_prefetch0(&t->b[fs[i].hash & t->mask]);
		fs[i].flags = FRAME_CAND;
	}
	/*
	 * 2: the bucket's first slot with the key's signature names the flow, most likely
	 * (signatures are 16 bits); its two hot lines are fetched. Pass 3 checks the key,
	 * then in cache, and looks up in full when the guess was wrong or keys overflowed
	 * from the bucket. Meanwhile the frame is checked (frame_clean()).
	 */
	for (i = 0; i < n; i++) {
		const struct weir_flow_bucket *b;
		unsigned int match;

		if (!(fs[i].flags & FRAME_CAND))
			continue;
		b = &t->b[fs[i].hash & t->mask];
		match = weir_flow_sig_match(b, weir_flow_sig(fs[i].hash));
		if (match != 0) {
			struct weir_flow *f =
				&t->flows[b->idx[__builtin_ctz(match)] & ~WEIR_FLOW_REV];

			rte_prefetch0(f);
			rte_prefetch0((const uint8_t *)f + RTE_CACHE_LINE_SIZE);
			fs[i].flow = f;
		} else if (b->overflow != 0) {
			fs[i].flags |= FRAME_RECHECK;
		}
		if (frame_clean(&rp, pkts[i], rte_pktmbuf_mtod(pkts[i], const uint8_t *)))
			fs[i].flags |= FRAME_CLEAN;
	}
	/* 3: in order, each by the fast path if it can, else by the full one. */
	nh_gen = __atomic_load_n(&w->dp->neigh->gen, __ATOMIC_ACQUIRE);
	for (i = 0; i < w->dp->nb_ports; i++) {
		memcpy(&port_mac[i], &w->dp->ports[i].mac, RTE_ETHER_ADDR_LEN);
		port_mtu[i] = w->dp->ports[i].mtu;
	}
	for (i = 0; i < n; i++) {
		struct weir_flow *f = fs[i].flow;
		int dir = f != NULL ? flow_dir(f, &fs[i].key) : -1, out;

		/* A wrong guess, a flow ended by a frame before this one, an overflow. */
		if (dir < 0 && (f != NULL || (fs[i].flags & FRAME_RECHECK))) {
			f = weir_flow_lookup_hash(t, &fs[i].key, fs[i].hash);
			dir = f != NULL ? flow_dir(f, &fs[i].key) : -1;
		}
		if (dir >= 0 && (fs[i].flags & FRAME_CLEAN) &&
		    (out = fast_forward(w, pkts[i], f, dir, nh_gen, port_mac, port_mtu)) >= 0) {
			/* Queued in runs of one port, handed to its TX buffer a run at once. */
			if (out != run_port && nb_run > 0) {
				weir_tx_bulk(w, (uint16_t)run_port, run, nb_run);
				nb_run = 0;
			}
			run_port = out;
			run[nb_run++] = pkts[i];
			fast++;
			continue;
		}
		/* What the full path sends goes after what the fast path sent before it. */
		if (nb_run > 0) {
			weir_tx_bulk(w, (uint16_t)run_port, run, nb_run);
			nb_run = 0;
		}
		l4->hint_m = pkts[i];
		l4->hint_f = dir >= 0 ? f : NULL;
		weir_pkt_input(w, p, pkts[i]);
	}
	if (nb_run > 0)
		weir_tx_bulk(w, (uint16_t)run_port, run, nb_run);
	l4->hint_m = NULL;
	w->st.events[WEIR_EV_L4_FAST_PATH] += fast;
	return bytes;
}
