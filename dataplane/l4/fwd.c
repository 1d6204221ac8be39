/* SPDX-License-Identifier: BSD-3-Clause */
/* L4 forwarding on a worker: full-NAT and DSR for TCP and UDP services. */
#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "core/siphash.h"
#include "core/worker.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "l4/nat.h"
#include "l4/proxy.h"
#include "net/build.h"
#include "net/cksum.h"
#include "net/icmp.h"
#include "net/neigh.h"
#include "net/pkt.h"
#include "sched/sched.h"

#define TIMER_BUDGET   256 /* flow timers handled per loop iteration */
#define REDIRECT_BURST 32  /* at most a burst weir_l4_burst() takes */

/*
 * The parts of a TCP or UDP header the forwarding path reads and rewrites. Both start
 * with the source and destination ports; the checksum's offset differs. Fields are
 * read and written through memcpy: DPDK's header structs are packed.
 */
struct l4_hdr {
	uint8_t *hdr;     /* the TCP or UDP header */
	uint8_t csum_off; /* 0: no checksum to maintain (UDP checksum 0) */
	uint8_t flags;    /* TCP flags, 0 for UDP */
	uint16_t sport;   /* network order, as received */
	uint16_t dport;
	uint32_t len; /* L4 header + payload */
};

static __thread struct weir_worker *cur_worker; /* for timer callbacks */

static inline uint64_t now_tick(const struct weir_l4w *l4, uint64_t tsc)
{
	return tsc / l4->tsc_per_tick;
}

/* ---- lookups ---- */

/* The flow under @key for packet @m: the prefetched hint when it still holds the key. */
static inline struct weir_flow *flow_find(struct weir_l4w *l4, const struct rte_mbuf *m,
					  const struct weir_flow_key *key)
{
	struct weir_flow *f = l4->hint_m == m ? l4->hint_f : NULL;

	if (f != NULL && f->fwd.proto != 0 &&
	    (weir_flow_key_eq(&f->fwd, key) || weir_flow_key_eq(&f->rev, key)))
		return f;
	return weir_flow_lookup(l4->ft, key);
}

/* ---- flow life ---- */

/*
 * Stop counting @f as an active connection of its server and service: when it closes
 * (it then lingers only to absorb late segments) or expires, whichever comes first.
 */
static void flow_uncount(struct weir_worker *w, struct weir_flow *f)
{
	struct weir_server *s = w->dp->lb->srv[f->srv];

	if (!(f->flags & WEIR_FLOW_F_COUNTED))
		return;
	f->flags &= (uint8_t)~WEIR_FLOW_F_COUNTED;
	weir_l4_unchoose(s);
	weir_l4_svc_close(w, f->svc);
}

/*
 * When this loop's frames arrived, as best known, and not before @not_before: after the
 * previous loop started (its poll did not find them yet), before this one did. Busy
 * polling makes that span a microsecond or so; after an adaptive-poll sleep it holds
 * the sleep (up to half a millisecond), and its middle is the estimate: taking its end
 * would add half a sleep, on average, to every connect time least-time compares.
 */
static uint64_t rx_time(const struct weir_worker *w, uint64_t not_before)
{
	uint64_t from = w->prev_now > not_before ? w->prev_now : not_before;

	return from < w->now ? from + (w->now - from) / 2 : from;
}

uint64_t weir_l4_connect_us(const struct weir_worker *w, uint64_t syn_tsc)
{
	return (rx_time(w, syn_tsc) - syn_tsc) * 1000000 / w->dp->tsc_hz;
}

/* A time in microseconds as the averages hold it. */
static inline uint32_t us32(uint64_t us)
{
	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

void weir_l4_connect_sample(struct weir_worker *w, uint32_t gid, uint64_t us)
{
	weir_sched_ewma_update(&w->l4->ewma[gid], us32(us));
	weir_sched_ewma_update(&w->l4->srv[gid].ctime_us, us32(us));
}

void weir_l4_connect_failed(struct weir_worker *w, uint32_t gid, uint64_t timeout_us)
{
	w->l4->srv[gid].econ++;
	weir_sched_ewma_update(&w->l4->ewma[gid], us32(timeout_us));
}

/* One least-time sample for @f's server: a connect that took @us microseconds. */
static void ewma_sample(struct weir_worker *w, struct weir_flow *f, uint64_t us)
{
	weir_l4_connect_sample(w, f->srv, us);
	f->flags |= WEIR_FLOW_F_SAMPLED;
}

/* A connect that failed (refused, or timed out), as weir_l4_connect_failed() counts it. */
static void ewma_sample_failed(struct weir_worker *w, struct weir_flow *f)
{
	weir_l4_connect_failed(
		w, f->srv,
		weir_tsc_to_ms(w->dp, w->dp->lb->svc[f->svc].timeout[WEIR_FS_SYN_SENT]) * 1000);
	f->flags |= WEIR_FLOW_F_SAMPLED;
}

/* Release what @f holds (server connection count, local port) and free it. */
static void flow_expire(struct weir_worker *w, struct weir_flow *f)
{
	struct weir_l4w *l4 = w->l4;

	flow_uncount(w, f);
	/*
	 * A connect that never completed, for least-time. Not a DSR flow's: the server's
	 * SYN-ACK never passes Weir, so its only ends in SYN_SENT are SYNs the client did
	 * not follow up (scans, abandoned connects), which say nothing of the server.
	 */
	if (f->state == WEIR_FS_SYN_SENT && !(f->flags & (WEIR_FLOW_F_SAMPLED | WEIR_FLOW_F_DSR)))
		ewma_sample_failed(w, f);
	if (!(f->flags & WEIR_FLOW_F_DSR))
		weir_lport_put(&l4->lports[f->laddr_idx], rte_be_to_cpu_16(f->lport));
	weir_timer_cancel(&l4->tw, &f->timer);
	weir_flow_destroy(l4->ft, f);
}

/*
 * The flow timer: fires no earlier than the timeout of the state the flow had when it
 * was armed. Packets only refresh f->last, so most firings just re-arm for the rest.
 */
static void flow_timer_fn(struct weir_timer *t, uint64_t now)
{
	struct weir_flow *f = container_of(t, struct weir_flow, timer);
	struct weir_worker *w = cur_worker;
	const struct weir_service *svc = &w->dp->lb->svc[f->svc];
	uint64_t deadline = f->last + svc->timeout[f->state];
	uint64_t dl_tick = now_tick(w->l4, deadline) + 1;

	if (dl_tick > now) {
		weir_timer_arm(&w->l4->tw, t, dl_tick);
		return;
	}
	flow_expire(w, f);
}

/* Arm @f's timer for the timeout of its (new) state, counted from now. */
static inline void flow_rearm(struct weir_worker *w, struct weir_flow *f,
			      const struct weir_service *svc)
{
	if (weir_flow_over(f))
		flow_uncount(w, f);
	weir_timer_arm(&w->l4->tw, &f->timer, now_tick(w->l4, w->now + svc->timeout[f->state]) + 1);
}

/* Track TCP state from one packet's flags (@from_client tells the direction). */
static void tcp_track(struct weir_flow *f, uint8_t flags, bool from_client, uint64_t now)
{
	if (flags & RTE_TCP_RST_FLAG) {
		f->state = WEIR_FS_CLOSE;
		return;
	}
	if (flags & RTE_TCP_FIN_FLAG) {
		/* A FIN that crossed a RST does not reopen the flow (CLOSE stays CLOSE). */
		if (f->state == WEIR_FS_CLOSE)
			return;
		f->flags |= from_client ? WEIR_FLOW_F_FIN_CLI : WEIR_FLOW_F_FIN_SRV;
		f->state = (f->flags & WEIR_FLOW_F_FIN_CLI) && (f->flags & WEIR_FLOW_F_FIN_SRV)
				   ? WEIR_FS_TIME_WAIT
				   : WEIR_FS_FIN_WAIT;
		return;
	}
	switch (f->state) {
	case WEIR_FS_NONE:
		if (from_client && (flags & RTE_TCP_SYN_FLAG)) {
			f->state = WEIR_FS_SYN_SENT;
			f->syn_tsc = now;
		}
		break;
	case WEIR_FS_SYN_SENT:
		if (!from_client && (flags & RTE_TCP_SYN_FLAG) && (flags & RTE_TCP_ACK_FLAG))
			f->state = WEIR_FS_SYN_RECV;
		/* In DSR mode the SYN-ACK never passes Weir: the client's ACK completes. */
		else if (from_client && (f->flags & WEIR_FLOW_F_DSR) &&
			 !(flags & RTE_TCP_SYN_FLAG) && (flags & RTE_TCP_ACK_FLAG))
			f->state = WEIR_FS_ESTABLISHED;
		break;
	case WEIR_FS_SYN_RECV:
		if (from_client && (flags & RTE_TCP_ACK_FLAG) && !(flags & RTE_TCP_SYN_FLAG))
			f->state = WEIR_FS_ESTABLISHED;
		break;
	default:
		break;
	}
}

/* ---- headers ---- */

/*
 * Validate the TCP or UDP header after @ihl bytes of IPv4 and fill @h. Returns 0, or
 * the drop reason.
 */
static int parse_l4(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t ihl, struct l4_hdr *h)
{
	const uint32_t l4off = sizeof(struct rte_ether_hdr) + ihl;
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - ihl;
	bool csum_good = (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD;

	h->len = len;
	if (ip->next_proto_id == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp;
		uint32_t doff;

		if (len < sizeof(*tcp) || rte_pktmbuf_data_len(m) < l4off + sizeof(*tcp))
			return WEIR_DROP_TCP_SHORT;
		tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l4off);
		doff = (uint32_t)(tcp->data_off >> 4) * 4;
		/* The whole header, options included, in the first segment: NAT rewrites it. */
		if (doff < sizeof(*tcp) || doff > len || rte_pktmbuf_data_len(m) < l4off + doff)
			return WEIR_DROP_TCP_SHORT;
		if (!csum_good && !weir_l4_cksum_ok(m, ip, l4off, len))
			return WEIR_DROP_TCP_CSUM;
		h->flags = tcp->tcp_flags;
		/* Shapes no TCP sends: SYN with FIN or RST, FIN without ACK, nothing set. */
		if (((h->flags & RTE_TCP_SYN_FLAG) &&
		     (h->flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))) ||
		    ((h->flags & RTE_TCP_FIN_FLAG) && !(h->flags & RTE_TCP_ACK_FLAG)) ||
		    !(h->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)))
			return WEIR_DROP_TCP_FLAGS;
		h->hdr = (uint8_t *)tcp;
		h->csum_off = offsetof(struct rte_tcp_hdr, cksum);
		h->sport = weir_rd16(h->hdr);
		h->dport = weir_rd16(h->hdr + 2);
		return 0;
	} else {
		struct rte_udp_hdr *udp;

		if (len < sizeof(*udp) || rte_pktmbuf_data_len(m) < l4off + sizeof(*udp))
			return WEIR_DROP_UDP_SHORT;
		udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, l4off);
		if (rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) ||
		    rte_be_to_cpu_16(udp->dgram_len) > len)
			return WEIR_DROP_UDP_SHORT;
		/* Over the datagram only: bytes past its length are not its (RFC 768). */
		if (udp->dgram_cksum != 0 && !csum_good &&
		    !weir_l4_cksum_ok(m, ip, l4off, rte_be_to_cpu_16(udp->dgram_len)))
			return WEIR_DROP_UDP_CSUM;
		h->flags = 0;
		h->hdr = (uint8_t *)udp;
		h->csum_off = udp->dgram_cksum != 0 ? offsetof(struct rte_udp_hdr, dgram_cksum) : 0;
		h->sport = weir_rd16(h->hdr);
		h->dport = weir_rd16(h->hdr + 2);
		return 0;
	}
}

/*
 * Address the frame of flow @f (direction @dir) to @nexthop on port @out and queue it.
 * The MAC is the flow's cached one while the neighbour table has not changed since it
 * was looked up; otherwise it is looked up again. Without an answer, ask the main lcore
 * to resolve it, and send to @fallback if given (the MAC the flow's first frame came
 * from), else drop the frame.
 */
static void l4_send(struct weir_worker *w, struct rte_mbuf *m, struct weir_flow *f, int dir,
		    uint16_t out, uint32_t nexthop, const struct rte_ether_addr *fallback)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t gen = __atomic_load_n(&w->dp->neigh->gen, __ATOMIC_ACQUIRE);
	uint8_t valid = dir == WEIR_DIR_IN ? WEIR_FLOW_F_MAC_IN : WEIR_FLOW_F_MAC_OUT;

	if (unlikely(f->nh_gen != gen)) {
		f->flags &= (uint8_t) ~(WEIR_FLOW_F_MAC_IN | WEIR_FLOW_F_MAC_OUT);
		f->nh_gen = gen;
	}
	if (likely(f->flags & valid)) {
		eth->dst_addr = f->nh_mac[dir];
	} else if (weir_neigh_lookup(w->dp->neigh, out, nexthop, &eth->dst_addr) == 0) {
		f->nh_mac[dir] = eth->dst_addr;
		f->flags |= valid;
	} else {
		weir_neigh_request(w, out, nexthop);
		if (fallback == NULL) {
			weir_drop(w, m, WEIR_DROP_NEIGH_MISS);
			return;
		}
		eth->dst_addr = *fallback;
	}
	eth->src_addr = w->dp->ports[out].mac;
	weir_tx(w, out, m);
}

void weir_l4_send_flow(struct weir_worker *w, struct rte_mbuf *m, struct weir_flow *f, int dir)
{
	if (dir == WEIR_DIR_IN) {
		const struct weir_server *s = w->dp->lb->srv[f->srv];

		l4_send(w, m, f, dir, s->out_port,
			(f->flags & WEIR_FLOW_F_DSR) ? s->addr : s->nexthop, NULL);
	} else {
		l4_send(w, m, f, dir, f->cport, f->c_nexthop,
			(f->flags & WEIR_FLOW_F_CMAC) ? &f->cmac : NULL);
	}
}

/* ---- new flows ---- */

/* A token of the worker's budget of answers (WEIR_L4_ANSWER_BURST), or false. */
static bool answer_token(struct weir_worker *w)
{
	if (weir_tokens_take(&w->l4->answers, now_tick(w->l4, w->now), WEIR_L4_ANSWER_BURST))
		return true;
	w->st.events[WEIR_EV_ANSWERS_LIMITED]++;
	return false;
}

/* Queue answer @r (NULL: it could not be built) back out of @p, counted in event @ev. */
static void send_answer(struct weir_worker *w, const struct weir_port *p, struct rte_mbuf *r,
			enum weir_event ev)
{
	if (r != NULL) {
		w->st.events[ev]++;
		weir_tx(w, p->index, r);
	}
}

/*
 * Answer the sender of datagram @ip (frame @m, received on @p) with ICMP @type/@code
 * (@mtu for "fragmentation needed"), quoting it, from the address it was sent to;
 * counted in event @ev. The caller took the budget's token.
 */
static void answer_icmp(struct weir_worker *w, struct weir_port *p, const struct rte_mbuf *m,
			const struct rte_ipv4_hdr *ip, uint8_t type, uint8_t code, uint16_t mtu,
			enum weir_event ev)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	send_answer(w, p,
		    weir_build_icmp_error(w->pool, p, &eth->src_addr, ip->dst_addr, ip, type, code,
					  mtu),
		    ev);
}

/*
 * Answer a datagram for a VIP that Weir refuses (on_all_down = "reset") or that nothing
 * takes (unmatched = "reject"), as a host answers one for a closed port: TCP gets RST
 * (RFC 9293 3.10.7.1: none for an RST; SEQ = SEG.ACK when it acknowledges, else RST|ACK
 * acknowledging all it occupies, the flag checks having let only a SYN through without
 * an ACK), UDP "port unreachable" (RFC 1122 4.1.3.1). Out of the worker's answer budget.
 */
static void refuse(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, const struct l4_hdr *h)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_tcp_hdr *tcp = (const struct rte_tcp_hdr *)h->hdr;
	uint32_t seq_len;
	struct rte_mbuf *r;

	if (ip->next_proto_id == IPPROTO_TCP && (h->flags & RTE_TCP_RST_FLAG))
		return;
	if (!answer_token(w))
		return;
	if (ip->next_proto_id != IPPROTO_TCP) {
		answer_icmp(w, p, m, ip, WEIR_ICMP_DEST_UNREACH, WEIR_ICMP_PORT_UNREACH, 0,
			    WEIR_EV_REFUSALS_SENT);
		return;
	}
	seq_len = h->len - (uint32_t)(tcp->data_off >> 4) * 4 +
		  ((h->flags & RTE_TCP_SYN_FLAG) ? 1 : 0);
	if (h->flags & RTE_TCP_ACK_FLAG)
		r = weir_build_tcp(w->pool, p, &eth->src_addr, ip->dst_addr, ip->src_addr, h->dport,
				   h->sport, rte_be_to_cpu_32(tcp->recv_ack), 0, RTE_TCP_RST_FLAG,
				   0);
	else
		r = weir_build_tcp(w->pool, p, &eth->src_addr, ip->dst_addr, ip->src_addr, h->dport,
				   h->sport, 0, rte_be_to_cpu_32(tcp->sent_seq) + seq_len,
				   RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0);
	send_answer(w, p, r, WEIR_EV_REFUSALS_SENT);
}

/*
 * Drop a datagram for a VIP, or a local address's port, that no service nor flow takes,
 * answered as unmatched says.
 */
static void unmatched(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		      struct rte_ipv4_hdr *ip, const struct l4_hdr *h, enum weir_drop why)
{
	if (w->dp->conf->global.unmatched == WEIR_UNMATCHED_REJECT)
		refuse(w, p, m, ip, h);
	weir_drop(w, m, why);
}

/*
 * When datagram @ip (frame @m, received on @p) is larger than port @out's MTU: drop it,
 * having answered its sender with "fragmentation needed" and that MTU when it forbids
 * fragmenting (RFC 1191; Weir fragments nothing, and without DF the sender's stack
 * does not discover the path's MTU either), and return true. The answer quotes the
 * datagram as the sender sent it, from the address it was sent to.
 */
static bool too_big(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		    const struct rte_ipv4_hdr *ip, uint16_t out)
{
	uint16_t mtu = w->dp->ports[out].mtu;

	if (likely(rte_be_to_cpu_16(ip->total_length) <= mtu))
		return false;
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) && answer_token(w))
		answer_icmp(w, p, m, ip, WEIR_ICMP_DEST_UNREACH, WEIR_ICMP_FRAG_NEEDED, mtu,
			    WEIR_EV_ICMP_FRAG_NEEDED_OUT);
	weir_drop(w, m, WEIR_DROP_MTU_EXCEEDED);
	return true;
}

/*
 * When datagram @ip (frame @m, received on @p), which Weir would forward, has no hop
 * left (a TTL of 1 or 0): drop it, having answered its sender with "time exceeded in
 * transit" from the address it sent to, quoting what it sent, and return true. Weir is
 * a hop of the datagrams it forwards, full-NAT and DSR alike (RFC 1812 5.3.1, and as
 * Linux's IPVS does in every mode): a routing loop ends, and traceroute shows the
 * balancer. It is checked before a flow is made: such a SYN makes none.
 */
static bool ttl_expired(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
			const struct rte_ipv4_hdr *ip)
{
	if (likely(ip->time_to_live > 1))
		return false;
	if (answer_token(w))
		answer_icmp(w, p, m, ip, WEIR_ICMP_TIME_EXCEEDED, WEIR_ICMP_EXC_TTL, 0,
			    WEIR_EV_ICMP_TIME_EXCEEDED_OUT);
	weir_drop(w, m, WEIR_DROP_TTL_EXCEEDED);
	return true;
}

/* Raise *@m to @v if below: a maximum several workers keep. */
static inline void atomic_max(uint32_t *m, uint32_t v)
{
	uint32_t cur = __atomic_load_n(m, __ATOMIC_RELAXED);

	while (v > cur &&
	       !__atomic_compare_exchange_n(m, &cur, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Choose a server for a new flow of @svc, honouring maxconn. NULL (and why) if none. */
struct weir_server *weir_l4_choose(struct weir_worker *w, const struct weir_service *svc,
				   uint32_t hash, uint32_t client, int *why)
{
	struct weir_backend *be = svc->be;
	const struct weir_sched_view *v = __atomic_load_n(&be->view, __ATOMIC_ACQUIRE);
	/* The worker's EWMAs are by gid; the schedulers index by position in the backend. */
	struct weir_sched_load load = { .conns = be->conns,
					.ewma_us = w->l4->ewma + be->srv[0].gid };
	int idx;
	uint32_t k;

	idx = weir_sched_pick(v, &w->l4->sched[be->index], &load, hash, client);
	if (idx < 0) {
		*why = WEIR_DROP_NO_SERVER;
		return NULL;
	}
	for (k = 0; k < v->nb; k++) {
		struct weir_server *s = &be->srv[v->srv[((uint32_t)idx + k) % v->nb].id];
		uint32_t *c = &be->conns[s->id], n = __atomic_load_n(c, __ATOMIC_RELAXED);

		/* Counted here, so that two workers cannot both take a server's last slot. */
		do {
			if (s->maxconn != 0 && n >= s->maxconn)
				break;
		} while (!__atomic_compare_exchange_n(c, &n, n + 1, true, __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED));
		if (s->maxconn == 0 || n < s->maxconn) {
			atomic_max(&be->smax[s->id], n + 1);
			atomic_max(&be->smax[be->nb_srv],
				   __atomic_add_fetch(&be->conns[be->nb_srv], 1, __ATOMIC_RELAXED));
			return s;
		}
	}
	*why = WEIR_DROP_SERVER_FULL;
	return NULL;
}

void weir_l4_svc_open(struct weir_worker *w, uint32_t svc)
{
	uint32_t *c = &w->dp->lb->svc_conns[2 * svc];

	w->l4->svc[svc].flows++;
	w->l4->svc[svc].last_flow = w->now;
	atomic_max(&c[1], __atomic_add_fetch(&c[0], 1, __ATOMIC_RELAXED));
}

void weir_l4_svc_close(struct weir_worker *w, uint32_t svc)
{
	__atomic_fetch_sub(&w->dp->lb->svc_conns[2 * svc], 1, __ATOMIC_RELAXED);
}

void weir_l4_unchoose(struct weir_server *s)
{
	__atomic_fetch_sub(&s->be->conns[s->id], 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&s->be->conns[s->be->nb_srv], 1, __ATOMIC_RELAXED);
}

/*
 * The sequence space a full-NAT TCP flow @f shows its server, from the client's SYN
 * (TCP header @th of @hlen bytes). The server sees every client behind the same local
 * address and port, one after another, and still holds the last of them in TIME-WAIT:
 * it takes a new SYN for that 4-tuple only if its sequence number or timestamp is newer
 * than the last connection's (RFC 6191), and answers it with the old connection's ACK
 * otherwise, which costs the client a reset and a SYN retransmitted a second later. The
 * client's own numbers are random per client, so Weir gives the server its own: an
 * RFC 6528 ISN of the server-side 4-tuple (a hash under a key from the boot ID plus a
 * clock in 64 ns steps from boot, so it grows from one connection of a 4-tuple to the
 * next, across restarts too), and timestamps starting at the wall clock in ms. The flow
 * keeps the differences.
 */
static void nat_seq_init(struct weir_worker *w, struct weir_flow *f, uint8_t *th, uint32_t hlen)
{
	const struct weir_lb *lb = w->dp->lb;
	uint64_t words[2] = { (uint64_t)f->rev.dst << 32 | f->rev.src,
			      (uint64_t)f->rev.dport << 16 | f->rev.sport };
	uint64_t ticks = (uint64_t)((unsigned __int128)w->now * 15625000u / w->dp->tsc_hz);
	uint32_t isn = (uint32_t)weir_siphash(lb->isn_key, words, 2) + (uint32_t)ticks;
	uint32_t ts;

	f->seq_delta = isn - rte_be_to_cpu_32(weir_rd32(th + 4));
	weir_nat_seq_deltas(f);
	f->ts_delta = 0;
	ts = weir_tcp_opts_walk(th, hlen, 0).ts;
	if (ts != 0) {
		uint64_t now_ms = lb->wall_ms0 + weir_tsc_to_ms(w->dp, w->now - lb->tsc0);

		f->ts_delta = (uint32_t)now_ms - rte_be_to_cpu_32(weir_rd32(th + ts + 2));
	}
}

/*
 * Create the flow for a new connection to @svc: pick the server, a local address and
 * port (full-NAT), insert both keys. NULL when refused; @m has then been consumed.
 */
static struct weir_flow *new_flow(struct weir_worker *w, struct weir_port *p,
				  const struct weir_service *svc, const struct weir_flow_key *key,
				  struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
				  const struct l4_hdr *h)
{
	struct weir_l4w *l4 = w->l4;
	struct weir_lb *lb = w->dp->lb;
	struct weir_flow_key rev;
	struct weir_server *s;
	struct weir_flow *f;
	uint32_t hash = weir_flow_hash(key), laddr = 0;
	uint16_t sport, li = 0;
	int why, lport = -1, out;
	bool dsr = svc->mode == WEIR_MODE_DSR;

	s = weir_l4_choose(w, svc, hash, key->src, &why);
	if (s == NULL) {
		l4->svc[svc->index].refused++;
		if (svc->be->all_down == WEIR_ALL_DOWN_RESET)
			refuse(w, p, m, ip, h);
		weir_drop(w, m, (enum weir_drop)why);
		return NULL;
	}
	sport = s->port != 0 ? s->port : key->dport;
	if (!dsr) {
		uint16_t k;

		/* Spread over the local addresses; fall through to the next when one is full. */
		for (k = 0; k < svc->nb_laddr && lport < 0; k++) {
			li = svc->laddr[(hash + k) % svc->nb_laddr];
			lport = weir_lport_get(&l4->lports[li]);
		}
		if (lport < 0) {
			weir_l4_unchoose(s);
			weir_drop(w, m, WEIR_DROP_LPORT_EXHAUSTED);
			return NULL;
		}
		laddr = lb->laddr[li].addr;
		weir_flow_key_set(&rev, s->addr, laddr, sport, rte_cpu_to_be_16((uint16_t)lport),
				  key->proto);
	}
	f = weir_flow_create(l4->ft, key, dsr ? NULL : &rev);
	if (f == NULL) {
		if (!dsr)
			weir_lport_put(&l4->lports[li], (uint16_t)lport);
		weir_l4_unchoose(s);
		weir_drop(w, m, WEIR_DROP_FLOW_FULL);
		return NULL;
	}
	f->svc = (uint16_t)svc->index;
	f->srv = (uint16_t)s->gid;
	f->cmac = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	/* Replies go by the route to the client, normally back where its frames came. */
	out = weir_route(w->dp, key->src, &f->c_nexthop);
	if (out < 0 || out == p->index) {
		out = p->index;
		if (f->c_nexthop == 0)
			f->c_nexthop = key->src;
		f->flags |= WEIR_FLOW_F_CMAC;
	}
	f->cport = (uint8_t)out;
	f->sport_idx = (uint8_t)s->out_port;
	f->created = w->now;
	f->last = w->now;
	f->state = key->proto == IPPROTO_UDP ? WEIR_FS_UDP : WEIR_FS_NONE;
	if (dsr) {
		f->flags |= WEIR_FLOW_F_DSR;
	} else {
		f->laddr = laddr;
		f->lport = rev.dport;
		f->laddr_idx = li;
		/* Strays to this port are full-NAT forwarding's now, not the TCP proxy's. */
		weir_lport_mark(&l4->lports[li], (uint16_t)lport, false);
		weir_nat_deltas(f);
		if (key->proto == IPPROTO_TCP)
			nat_seq_init(w, f, h->hdr, (uint32_t)(h->hdr[12] >> 4) * 4);
	}
	f->flags |= WEIR_FLOW_F_COUNTED; /* weir_l4_choose() counted it */
	l4->srv[s->gid].flows++;
	l4->srv[s->gid].last_flow = w->now;
	weir_l4_svc_open(w, svc->index);
	weir_timer_init(&f->timer, flow_timer_fn);
	weir_timer_arm(&l4->tw, &f->timer, now_tick(l4, w->now + svc->timeout[f->state]) + 1);
	weir_flow_publish(f);
	return f;
}

/* ---- the two directions ---- */

/* Client to VIP. */
static void vip_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		      struct rte_ipv4_hdr *ip, struct l4_hdr *h, const struct weir_addr_entry *dst)
{
	struct weir_l4w *l4 = w->l4;
	struct weir_lb *lb = w->dp->lb;
	const struct weir_service *svc;
	struct weir_server *s;
	struct weir_flow_key key;
	struct weir_flow *f;
	uint32_t bytes = rte_pktmbuf_pkt_len(m);
	bool syn = (h->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG;

	weir_flow_key_set(&key, ip->src_addr, ip->dst_addr, h->sport, h->dport, ip->next_proto_id);
	f = flow_find(l4, m, &key);
	/* A flow under its client key was made for this VIP, protocol and port's service. */
	if (likely(f != NULL)) {
		svc = &lb->svc[f->svc];
	} else {
		svc = weir_lb_service(lb, dst->vip, ip->next_proto_id, rte_be_to_cpu_16(h->dport));
		if (svc == NULL) {
			unmatched(w, p, m, ip, h, WEIR_DROP_NO_SERVICE);
			return;
		}
	}
	if (svc->mode == WEIR_MODE_TCP) {
		weir_proxy_input(w, m, ip, rte_ipv4_hdr_len(ip), svc, f);
		return;
	}
	if (ttl_expired(w, p, m, ip))
		return;
	/* A new SYN on a closed flow: the client reuses its port, start afresh. */
	if (f != NULL && syn && weir_flow_over(f)) {
		flow_expire(w, f);
		f = NULL;
	}
	if (f == NULL) {
		if (ip->next_proto_id == IPPROTO_TCP && !syn) {
			unmatched(w, p, m, ip, h, WEIR_DROP_NO_FLOW);
			return;
		}
		f = new_flow(w, p, svc, &key, m, ip, h);
		if (f == NULL)
			return;
	}
	s = lb->srv[f->srv];
	if (too_big(w, p, m, ip, s->out_port))
		return;
	if (ip->next_proto_id == IPPROTO_TCP) {
		uint8_t before = f->state;

		tcp_track(f, h->flags, true, w->now);
		if (f->state != before)
			flow_rearm(w, f, svc);
	}
	f->last = w->now;
	f->pkts[WEIR_DIR_IN]++;
	f->bytes[WEIR_DIR_IN] += bytes;
	l4->srv[f->srv].pkts[WEIR_DIR_IN]++;
	l4->srv[f->srv].bytes[WEIR_DIR_IN] += bytes;
	l4->svc[f->svc].pkts[WEIR_DIR_IN]++;
	l4->svc[f->svc].bytes[WEIR_DIR_IN] += bytes;

	/* DSR: the MAC changes and the TTL, the server holds the VIP and answers the client. */
	if (!(f->flags & WEIR_FLOW_F_DSR))
		weir_nat_rewrite(ip, h->hdr, h->csum_off, f, WEIR_DIR_IN);
	else
		weir_ipv4_ttl_dec(ip);
	weir_l4_send_flow(w, m, f, WEIR_DIR_IN);
}

/* Server to local address: a reply of a full-NAT flow. */
static void local_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
			struct rte_ipv4_hdr *ip, struct l4_hdr *h)
{
	struct weir_l4w *l4 = w->l4;
	struct weir_flow_key key;
	struct weir_flow *f;
	uint32_t bytes = rte_pktmbuf_pkt_len(m);

	weir_flow_key_set(&key, ip->src_addr, ip->dst_addr, h->sport, h->dport, ip->next_proto_id);
	f = flow_find(l4, m, &key);
	if (f == NULL) {
		/*
		 * Maybe for one of the proxy's connections that is gone: its stack answers.
		 * Else a late segment of a flow that expired, or a stray: a closed port.
		 */
		if (ip->next_proto_id == IPPROTO_TCP && l4->proxy != NULL)
			weir_proxy_input(w, m, ip, rte_ipv4_hdr_len(ip), NULL, NULL);
		else
			unmatched(w, p, m, ip, h, WEIR_DROP_NO_FLOW);
		return;
	}
	if (f->sess != NULL) {
		/* A server's segment of a TCP-proxy session. */
		weir_proxy_input(w, m, ip, rte_ipv4_hdr_len(ip), NULL, f);
		return;
	}
	if (ttl_expired(w, p, m, ip) || too_big(w, p, m, ip, f->cport))
		return;
	if (ip->next_proto_id == IPPROTO_TCP) {
		uint8_t before = f->state;

		tcp_track(f, h->flags, false, w->now);
		/*
		 * The connect time (SYN out to SYN-ACK back) feeds least-time balancing; a
		 * connect the server refuses (RST) counts as a failed one.
		 */
		if (before == WEIR_FS_SYN_SENT && !(f->flags & WEIR_FLOW_F_SAMPLED)) {
			if (f->state == WEIR_FS_SYN_RECV)
				ewma_sample(w, f, weir_l4_connect_us(w, f->syn_tsc));
			else if (f->state == WEIR_FS_CLOSE)
				ewma_sample_failed(w, f);
		}
		if (f->state != before)
			flow_rearm(w, f, &w->dp->lb->svc[f->svc]);
	}
	f->last = w->now;
	f->pkts[WEIR_DIR_OUT]++;
	f->bytes[WEIR_DIR_OUT] += bytes;
	l4->srv[f->srv].pkts[WEIR_DIR_OUT]++;
	l4->srv[f->srv].bytes[WEIR_DIR_OUT] += bytes;
	l4->svc[f->svc].pkts[WEIR_DIR_OUT]++;
	l4->svc[f->svc].bytes[WEIR_DIR_OUT] += bytes;

	weir_nat_rewrite(ip, h->hdr, h->csum_off, f, WEIR_DIR_OUT);
	weir_l4_send_flow(w, m, f, WEIR_DIR_OUT);
}

/* Give @m to worker @owner, through its redirect ring. */
static void hand_over(struct weir_worker *w, uint16_t owner, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(w->dp->workers[owner].l4->redirect, m) != 0) {
		weir_drop(w, m, WEIR_DROP_REDIRECT_FULL);
		return;
	}
	w->st.events[WEIR_EV_REDIRECTED]++;
}

uint16_t weir_l4_steer_owner(const struct rte_ipv4_hdr *ip, uint16_t sport, uint16_t dport,
			     uint16_t nb_workers)
{
	struct weir_flow_key key;

	weir_flow_key_set(&key, ip->src_addr, ip->dst_addr, sport, dport, ip->next_proto_id);
	return (uint16_t)(((uint64_t)weir_flow_hash(&key) * nb_workers) >> 32);
}

void weir_l4_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, uint32_t ihl, const struct weir_addr_entry *dst)
{
	struct weir_dp *dp = w->dp;
	struct l4_hdr h;
	uint16_t owner;
	int why = parse_l4(m, ip, ihl, &h);

	if (why != 0) {
		weir_drop(w, m, (enum weir_drop)why);
		return;
	}
	if (dst->kind == WEIR_ADDR_VIP) {
		/* Where the port's spreading is not to be trusted, the client's 5-tuple says. */
		owner = p->steer ? weir_l4_steer_owner(ip, h.sport, h.dport, dp->nb_workers)
				 : w->id;
		if (owner == w->id)
			vip_input(w, p, m, ip, &h, dst);
		else
			hand_over(w, owner, m);
		return;
	}
	/* To a local address: the destination port says who owns the flow. */
	owner = weir_lport_owner(dp->lb, dp->nb_workers, rte_be_to_cpu_16(h.dport));
	if (owner == w->id) {
		local_input(w, p, m, ip, &h);
		return;
	}
	if (owner == dp->nb_workers) {
		/*
		 * Answers to health probes go to the main lcore, which sent them, while it
		 * waits for them. Nothing else of Weir's connects nor listens on these ports,
		 * nor below local_ports: a closed port, as a host's (ssh or HTTP to an
		 * interface address, a SYN-ACK after its probe timed out).
		 */
		if (ip->next_proto_id != IPPROTO_TCP ||
		    !weir_lport_probing(dp->lb, dp->nb_workers, rte_be_to_cpu_16(h.dport))) {
			unmatched(w, p, m, ip, &h, WEIR_DROP_NO_SERVICE);
			return;
		}
		if (rte_ring_mp_enqueue(dp->to_main, m) != 0)
			weir_drop(w, m, WEIR_DROP_TO_MAIN_FULL);
		else
			w->st.events[WEIR_EV_TO_MAIN]++;
		return;
	}
	hand_over(w, owner, m);
}

void weir_l4_proto_unreachable(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
			       const struct rte_ipv4_hdr *ip)
{
	if (w->dp->conf->global.unmatched == WEIR_UNMATCHED_REJECT && answer_token(w))
		answer_icmp(w, p, m, ip, WEIR_ICMP_DEST_UNREACH, WEIR_ICMP_PROTO_UNREACH, 0,
			    WEIR_EV_REFUSALS_SENT);
	weir_drop(w, m, WEIR_DROP_IPV4_PROTO);
}

unsigned int weir_l4_poll(struct weir_worker *w)
{
	struct weir_l4w *l4 = w->l4;
	struct rte_mbuf *pkts[REDIRECT_BURST];
	unsigned int n, i, end;

	/*
	 * Frames other workers received for this one's flows, in runs of one arrival port:
	 * through the burst input, so that replies the NIC spread to the wrong worker (all
	 * of them, for a flow whose reply hash lands elsewhere) take the fast path too.
	 */
	n = rte_ring_sc_dequeue_burst(l4->redirect, (void **)pkts, REDIRECT_BURST, NULL);
	for (i = 0; i < n; i = end) {
		struct weir_port *p = w->dp->port_by_id[pkts[i]->port];

		for (end = i + 1; end < n && pkts[end]->port == pkts[i]->port; end++)
			;
		if (p == NULL) {
			rte_pktmbuf_free_bulk(&pkts[i], end - i);
			continue;
		}
		weir_l4_burst(w, p, &pkts[i], (uint16_t)(end - i));
	}
	cur_worker = w;
	weir_tw_advance(&l4->tw, weir_l4_tick(l4, w->now), TIMER_BUDGET);
	rte_rcu_qsbr_quiescent(w->dp->lb->rcu, w->id);
	return n;
}
