/* SPDX-License-Identifier: BSD-3-Clause */
/* Segment output: headers and checksums, zero-copy payload, what to send and when. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "net/cksum.h"
#include "tcp/tcp_impl.h"

#define TCP_TTL 64

/* Our timestamp clock for @c: the stack's milliseconds plus the connection's offset. */
uint32_t tcp_ts_now(const struct weir_tcp_conn *c)
{
	return (uint32_t)c->s->now_ms + c->ts_off;
}

/*
 * A fresh mbuf holding IPv4 + TCP headers (with @optlen bytes of options) and no payload
 * yet: DF, TTL 64, the stack's next IP id; checksums are left to tcp_cksum(). Addresses
 * and ports in network order, the rest in host order. NULL (counted) when the pool is
 * empty.
 */
struct rte_mbuf *tcp_build(struct weir_tcp_stack *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			   uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
			   const uint8_t *opts, unsigned int optlen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	unsigned int hlen = sizeof(*ip) + sizeof(*th) + optlen;

	if (m == NULL) {
		s->stats.no_mbufs++;
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)hlen);
	if (ip == NULL || rte_pktmbuf_headroom(m) < TCP_HDR_ROOM) {
		rte_pktmbuf_free(m);
		s->stats.no_mbufs++;
		return NULL;
	}
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->packet_id = rte_cpu_to_be_16(s->ip_id++);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = TCP_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = saddr;
	ip->dst_addr = daddr;
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32((flags & RTE_TCP_ACK_FLAG) ? ack : 0);
	th->data_off = (uint8_t)(((sizeof(*th) + optlen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(wnd);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (optlen)
		memcpy(th + 1, opts, optlen);
	m->l2_len = 0;
	m->l3_len = sizeof(*ip);
	m->l4_len = (uint16_t)(sizeof(*th) + optlen);
	return m;
}

/*
 * The one place checksums are made, in software over the whole chain: the IPv4 total
 * length from pkt_len, the IPv4 header checksum and the TCP checksum with its
 * pseudo-header. Accepts a frame from tcp_build() with its payload attached.
 */
void tcp_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint32_t l4len = m->pkt_len - sizeof(*ip);
	uint64_t sum;

	ip->total_length = rte_cpu_to_be_16((uint16_t)m->pkt_len);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = 0;
	if (m->nb_segs == 1)
		sum = weir_cksum64(th, l4len);
	else
		sum = weir_cksum_mbuf(m, sizeof(*ip), l4len);
	sum = weir_csum_add64(sum, rte_ipv4_phdr_cksum(ip, 0));
	th->cksum = (uint16_t)~weir_csum_fold64(sum);
}

/*
 * Put the bytes [seq, seq + len) of the send queue behind the header mbuf @m: copied
 * when small, else as indirect mbufs on the owner's buffers, at most TCP_FRAME_SEGS
 * mbufs per frame. Returns the bytes attached (fewer when the frame is full), or -1
 * when the pool is empty.
 */
static int attach_payload(struct weir_tcp_conn *c, struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	struct rte_mbuf *src, *last = m;
	uint32_t off, done = 0;

	src = tcp_sndq_find(c, seq, &off);
	if (len <= TCP_COPY_MAX && len <= rte_pktmbuf_tailroom(m)) {
		char *dst = rte_pktmbuf_append(m, (uint16_t)len);

		while (done < len && src != NULL) {
			uint32_t piece = src->data_len - off;

			if (piece > len - done)
				piece = len - done;
			memcpy(dst + done, rte_pktmbuf_mtod_offset(src, char *, off), piece);
			done += piece;
			off = 0;
			src = src->next;
		}
		return (int)done;
	}
	while (done < len && src != NULL && m->nb_segs < TCP_FRAME_SEGS) {
		uint32_t piece = src->data_len - off;
		struct rte_mbuf *mi;

		if (piece > len - done)
			piece = len - done;
		mi = rte_pktmbuf_alloc(c->s->pool);
		if (mi == NULL)
			return -1;
		rte_pktmbuf_attach(mi, src);
		mi->data_off = (uint16_t)(mi->data_off + off);
		mi->data_len = (uint16_t)piece;
		mi->pkt_len = piece;
		last->next = mi;
		last = mi;
		m->nb_segs++;
		m->pkt_len += piece;
		done += piece;
		off = 0;
		src = src->next;
	}
	return (int)done;
}

/*
 * The window field for the next segment of @c, and its advertised right edge recorded
 * in rcv_adv. Never shrinks the edge (RFC 9293 §3.8.6); grows it only by at least
 * min(half the buffer, one segment) (receiver SWS avoidance); a SYN's window is not
 * scaled (RFC 7323 §2.2).
 */
uint16_t tcp_select_window(struct weir_tcp_conn *c, bool syn)
{
	uint32_t space = tcp_space(c), ws = (c->flags & TF_WS) ? c->rcv_wscale : 0;
	uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t sws = c->s->p.rcvbuf / 2 < c->rcv_mss ? c->s->p.rcvbuf / 2 : c->rcv_mss;
	uint32_t wnd, field;

	if (syn) {
		wnd = space < 65535 ? space : 65535;
		c->rcv_adv = c->rcv_nxt + wnd;
		return (uint16_t)wnd;
	}
	if (space <= cur || space - cur < sws)
		wnd = cur;
	else
		wnd = space;
	field = wnd >> ws;
	if ((field << ws) < cur)
		field = (cur + (1u << ws) - 1) >> ws;
	if (field > 65535)
		field = 65535;
	if (SEQ_GT(c->rcv_nxt + (field << ws), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + (field << ws);
	return (uint16_t)field;
}

/* Bookkeeping after any segment carrying our ACK left: no ACK is owed any more. */
static void ack_sent(struct weir_tcp_conn *c)
{
	c->flags &= ~(TF_ACK_NOW | TF_DELACK);
	c->rcv_unacked = 0;
	c->rcv_wup = c->rcv_nxt;
	if (weir_timer_pending(&c->delack_timer))
		weir_timer_cancel(c->s->tw, &c->delack_timer);
}

/*
 * Build and transmit one segment of a synchronised @c: [seq, seq + len) of the send
 * queue (len may be 0) with @flags (ACK is added) and our options (a D-SACK owed goes
 * in this one only); a FIN in @flags is dropped when the payload had to be cut short.
 * Stamps the payload and FIN on the scoreboard (tcp_sq_sent()), counts retransmissions
 * and what PRR sent, starts RTT timing on new data (without timestamps), and arms the
 * RTO unless a timer already stands for it. Returns the sequence space sent (payload,
 * plus 1 for a FIN), or -ENOMEM.
 *
 * With SACK the segment's edges are cut in the send queue first, and when the pool
 * cannot pay for a cut the segment is not sent (as Linux, whose tcp_fragment() fails
 * the same way): stamping the whole buffer instead would mark bytes never sent as sent,
 * which a timeout then finds lost and "retransmits" beyond snd_max.
 */
static int send_seg(struct weir_tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
	struct weir_tcp_stack *s = c->s;
	uint8_t opts[TCP_MAX_OPTLEN];
	unsigned int optlen = tcp_opts_est(c, opts, true);
	uint32_t max = c->eff_mss > optlen ? c->eff_mss - optlen : 1;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	bool rexmit;
	int got = 0;

	if (len > max) {
		len = max;
		flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
	}
	if (len > 0 && (!tcp_sq_split(c, seq) || !tcp_sq_split(c, seq + len)))
		return -ENOMEM;
	flags |= RTE_TCP_ACK_FLAG;
	m = tcp_build(s, c->laddr, c->raddr, c->lport, c->rport, seq, c->rcv_nxt, flags, 0, opts,
		      optlen);
	if (m == NULL)
		return -ENOMEM;
	if (len > 0) {
		got = attach_payload(c, m, seq, len);
		if (got < 0) {
			rte_pktmbuf_free(m);
			s->stats.no_mbufs++;
			return -ENOMEM;
		}
		if ((uint32_t)got < len) {
			/* The frame is full; it ends where a queue mbuf does, an edge too. */
			len = (uint32_t)got;
			if (flags & RTE_TCP_FIN_FLAG) {
				ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
				th = (struct rte_tcp_hdr *)(ip + 1);
				th->tcp_flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
				flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
			}
		}
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->rx_win = rte_cpu_to_be_16(tcp_select_window(c, false));
	tcp_cksum(m);
	rexmit = (len > 0 || (flags & RTE_TCP_FIN_FLAG)) && SEQ_LT(seq, c->snd_max);
	tcp_sq_sent(c, seq, len, (flags & RTE_TCP_FIN_FLAG) != 0, rexmit);
	if (rexmit) {
		s->stats.retrans_segs++;
		c->retrans++;
		c->retrans_bytes += len;
		if (c->flags & TF_RECOVERY)
			c->undo_rexmits++;
		c->flags &= ~TF_RTT_TIMING; /* Karn: no sample across a retransmission */
	} else if (len > 0) {
		c->flags |= TF_TLP_RESCHED;
		if (!(c->flags & (TF_TS | TF_RTT_TIMING))) {
			c->flags |= TF_RTT_TIMING;
			c->rtt_seq = seq + len;
			c->rtt_start_us = s->now_us;
		}
	}
	if (c->flags & TF_RECOVERY)
		c->prr_out += len;
	c->flags &= ~TF_DSACK;
	ack_sent(c);
	s->stats.out_segs++;
	len += (flags & RTE_TCP_FIN_FLAG) ? 1 : 0;
	if (len > 0 && (!weir_timer_pending(&c->rtx_timer) || c->rtx_mode == TCP_RTX_PERSIST ||
			c->rtx_mode == TCP_RTX_NONE))
		tcp_rtx_arm(c, TCP_RTX_RTO, tcp_rto_eff(c));
	s->ops->xmit(c, m);
	return (int)len;
}

/*
 * A segment without payload from @c: an ACK (probes, challenges, duplicates) with our
 * options, or an RST (with ACK when @flags has it) without options and a zero window.
 * Returns 0 or -ENOMEM.
 */
int tcp_send_ctl(struct weir_tcp_conn *c, uint32_t seq, uint8_t flags)
{
	struct weir_tcp_stack *s = c->s;
	struct rte_mbuf *m;

	if (!(flags & RTE_TCP_RST_FLAG))
		return send_seg(c, seq, 0, flags) < 0 ? -ENOMEM : 0;
	m = tcp_build(s, c->laddr, c->raddr, c->lport, c->rport, seq, c->rcv_nxt, flags, 0, NULL,
		      0);
	if (m == NULL)
		return -ENOMEM;
	tcp_cksum(m);
	s->stats.out_segs++;
	s->ops->xmit(c, m);
	return 0;
}

/*
 * Send (or send again) the SYN of @c in SYN_SENT, or its SYN-ACK in SYN_RCVD, with the
 * options of the handshake: all we support in a SYN, those the peer offered in a
 * SYN-ACK. Returns 0 or -ENOMEM (the timer tries again).
 */
int tcp_send_syn(struct weir_tcp_conn *c)
{
	struct weir_tcp_stack *s = c->s;
	uint32_t f = s->p.features;
	uint8_t opts[TCP_MAX_OPTLEN], flags = RTE_TCP_SYN_FLAG;
	unsigned int optlen;
	struct rte_mbuf *m;
	uint16_t wnd;
	int ws;

	if (c->state == WEIR_TCP_SYN_SENT) {
		ws = (f & WEIR_TCP_NO_WSCALE) ? -1 : s->rcv_wscale;
		optlen = tcp_opts_syn(opts, s->p.mss, ws, !(f & WEIR_TCP_NO_SACK),
				      !(f & WEIR_TCP_NO_TIMESTAMPS), tcp_ts_now(c), 0);
		wnd = (uint16_t)(s->p.rcvbuf < 65535 ? s->p.rcvbuf : 65535);
	} else {
		flags |= RTE_TCP_ACK_FLAG;
		ws = (c->flags & TF_WS) ? c->rcv_wscale : -1;
		optlen = tcp_opts_syn(opts, s->p.mss, ws, (c->flags & TF_SACK) != 0,
				      (c->flags & TF_TS) != 0, tcp_ts_now(c), c->ts_recent);
		wnd = tcp_select_window(c, true);
	}
	m = tcp_build(s, c->laddr, c->raddr, c->lport, c->rport, c->iss, c->rcv_nxt, flags, wnd,
		      opts, optlen);
	if (m == NULL)
		return -ENOMEM;
	tcp_cksum(m);
	if (SEQ_GT(c->snd_max, c->iss)) {
		s->stats.retrans_segs++;
		c->retrans++;
	} else {
		c->rtt_start_us = s->now_us;
	}
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->iss + 1;
	if (flags & RTE_TCP_ACK_FLAG)
		ack_sent(c);
	s->stats.out_segs++;
	s->ops->xmit(c, m);
	return 0;
}

/* Retransmit [seq, seq + len) of @c (a FIN too when it ends the queue and was sent). */
int tcp_retransmit(struct weir_tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t q_end = c->sndq_seq + c->sndq.bytes;
	uint8_t flags = 0;

	if (SEQ_GT(seq + len, q_end))
		len = SEQ_GT(q_end, seq) ? q_end - seq : 0;
	if (seq + len == q_end && tcp_fin_sent(c))
		flags |= RTE_TCP_FIN_FLAG;
	if (len == 0 && !flags)
		return 0;
	return send_seg(c, seq, len, flags);
}

/*
 * RST answering segment @g that has no connection (RFC 9293 §3.10.7.1): SEQ = SEG.ACK
 * when it had an ACK, else SEQ = 0 and ACK = SEG.SEQ + SEG.LEN. Goes out by ops->reply.
 * Returns 0, -EINVAL for an RST (never answered), or -ENOBUFS (no mbuf).
 */
int tcp_send_rst_for(struct weir_tcp_stack *s, const struct tcp_seg *g, struct rte_mbuf *orig)
{
	struct rte_mbuf *m;
	uint32_t ack = g->seq + g->len + ((g->flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
		       ((g->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

	if (g->flags & RTE_TCP_RST_FLAG)
		return -EINVAL;
	if (g->flags & RTE_TCP_ACK_FLAG)
		m = tcp_build(s, g->daddr, g->saddr, g->dport, g->sport, g->ack, 0,
			      RTE_TCP_RST_FLAG, 0, NULL, 0);
	else
		m = tcp_build(s, g->daddr, g->saddr, g->dport, g->sport, 0, ack,
			      RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, NULL, 0);
	if (m == NULL)
		return -ENOBUFS;
	tcp_cksum(m);
	s->stats.rst_out++;
	s->stats.out_segs++;
	s->ops->reply(s->owner, m, orig);
	return 0;
}

/*
 * An RFC 5961 challenge ACK, at most one per TCP_OOW_ACK_MS per connection (sharing the
 * limit of the ACKs to unacceptable segments), as Linux does since 6.0. A budget the
 * whole stack shares is a side channel (CVE-2016-5696): an attacker counting the
 * challenges its own connection gets learns whether a RST it spoofed on another
 * connection fell in that one's window.
 */
void tcp_challenge_ack(struct weir_tcp_conn *c)
{
	uint64_t now = c->s->now_ms;

	if (c->oow_ack_ms != 0 && now - c->oow_ack_ms < TCP_OOW_ACK_MS)
		return;
	c->oow_ack_ms = now ? now : 1;
	c->s->stats.challenge_acks++;
	c->flags |= TF_ACK_NOW;
	tcp_output_soon(c);
}

/* Output now, or when the stack unwinds if a stack frame holds @c. */
void tcp_output_soon(struct weir_tcp_conn *c)
{
	if (c->busy)
		c->flags |= TF_OUTPUT;
	else
		tcp_output(c);
}

/*
 * Arm or stop the retransmission timer of a synchronised @c after output. While
 * anything is unacknowledged: the RTO (restarted when an ACK took new data, else left
 * running), for which a RACK reordering timer may stand, or a tail loss probe when one
 * is allowed (rescheduled after new data was sent or acknowledged), due no later than
 * the RTO. The persist timer while data (or our FIN) waits for the peer's window with
 * nothing in flight; none otherwise.
 */
void tcp_timers_update(struct weir_tcp_conn *c)
{
	bool pending = weir_timer_pending(&c->rtx_timer);
	uint32_t fl = c->flags;

	c->flags &= ~(TF_RTO_RESTART | TF_TLP_RESCHED);
	if (c->state == WEIR_TCP_SYN_SENT || c->state == WEIR_TCP_SYN_RCVD)
		return;
	if (c->snd_max != c->snd_una) {
		uint64_t at;

		if (!pending || c->rtx_mode == TCP_RTX_PERSIST || c->rtx_mode == TCP_RTX_NONE ||
		    c->rto_at_ms == 0 || (fl & TF_RTO_RESTART))
			c->rto_at_ms = c->s->now_ms + tcp_rto_eff(c);
		if (pending && c->rtx_mode == TCP_RTX_REO)
			return;
		if (tcp_tlp_eligible(c)) {
			if (pending && c->rtx_mode == TCP_RTX_TLP &&
			    !(fl & (TF_RTO_RESTART | TF_TLP_RESCHED)))
				return;
			at = tcp_tlp_deadline(c);
			tcp_rtx_arm_at(c, TCP_RTX_TLP, at < c->rto_at_ms ? at : c->rto_at_ms);
			return;
		}
		if (!pending || c->rtx_mode != TCP_RTX_RTO ||
		    weir_timer_expire(&c->rtx_timer) != c->rto_at_ms)
			tcp_rtx_arm_at(c, TCP_RTX_RTO, c->rto_at_ms);
	} else if (tcp_can_send(c) &&
		   (tcp_unsent(c) > 0 || ((c->flags & TF_FIN_QUEUED) && !tcp_fin_sent(c)))) {
		if (!pending || c->rtx_mode != TCP_RTX_PERSIST)
			tcp_rtx_arm(c, TCP_RTX_PERSIST, tcp_rto_eff(c));
	} else if (pending) {
		weir_timer_cancel(c->s->tw, &c->rtx_timer);
		c->rtx_mode = TCP_RTX_NONE;
		c->rto_at_ms = 0;
	}
}

/* Bytes in flight as far as the congestion window is concerned. */
static uint32_t flight(const struct weir_tcp_conn *c)
{
	if (c->flags & TF_SACK)
		return tcp_sack_pipe(c);
	if (c->flags & TF_RECOVERY)
		return c->snd_max - c->snd_una;
	return c->snd_nxt - c->snd_una;
}

/*
 * Send what @c may send now: with SACK the lost segments first (RFC 6675 NextSeg, with
 * RACK's marks), then new data (or, after a timeout without SACK, data again from
 * snd_nxt) within the congestion window (a segment goes only when it fits: pipe + its
 * length <= cwnd, unless nothing is in flight) and the peer's window; our FIN after the
 * data; and an ACK if one is owed and nothing else carried it. No Nagle, but no sub-MSS
 * segment unless it empties the queue or fills half the peer's largest window (sender
 * SWS avoidance, RFC 9293 §3.8.6.2.1). Then the timers follow.
 */
void tcp_output(struct weir_tcp_conn *c)
{
	uint32_t smss, q_end, wnd_end, pipe;
	int n;

	c->flags &= ~TF_OUTPUT;
	if (c->flags & TF_DEAD)
		return;
	if (c->state == WEIR_TCP_SYN_SENT || c->state == WEIR_TCP_SYN_RCVD) {
		if ((c->flags & TF_ACK_NOW) && c->state == WEIR_TCP_SYN_RCVD)
			tcp_send_syn(c);
		c->flags &= ~TF_ACK_NOW;
		return;
	}
	if (!tcp_can_send(c))
		goto ack;
	/* A full segment now: the MSS less the options (SACK blocks too) it will carry. */
	smss = c->eff_mss - tcp_opts_len(c, true);
	q_end = c->sndq_seq + c->sndq.bytes;
	wnd_end = c->snd_una + c->snd_wnd;
	pipe = flight(c);
	for (;;) {
		uint32_t seq, len, avail, win;
		uint8_t flags = 0;

		if ((c->flags & TF_SACK) && tcp_sack_next_lost(c, &seq, &len)) {
			if (len > smss)
				len = smss;
			if (pipe > 0 && pipe + len > c->cwnd)
				break;
			n = tcp_retransmit(c, seq, len);
			if (n <= 0)
				break;
			pipe += (uint32_t)n;
			continue;
		}
		seq = c->snd_nxt;
		avail = SEQ_LT(seq, q_end) ? q_end - seq : 0;
		if (avail == 0)
			break;
		win = SEQ_LT(seq, wnd_end) ? wnd_end - seq : 0;
		len = avail < smss ? avail : smss;
		if (len > win)
			len = win;
		if (!SEQ_LT(seq, c->snd_max) && len < smss && len < avail &&
		    !(c->max_snd_wnd > 0 && len >= c->max_snd_wnd / 2))
			break;
		if (len == 0 || (pipe > 0 && pipe + len > c->cwnd))
			break;
		if (seq + len == q_end && (c->flags & TF_FIN_QUEUED))
			flags |= RTE_TCP_FIN_FLAG;
		n = send_seg(c, seq, len, flags);
		if (n <= 0)
			break;
		c->snd_nxt = seq + (uint32_t)n;
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		pipe += (uint32_t)n;
	}
	/* Our FIN alone, once every byte before it went out. */
	if ((c->flags & TF_FIN_QUEUED) && c->snd_nxt == q_end &&
	    (c->state == WEIR_TCP_FIN_WAIT_1 || c->state == WEIR_TCP_CLOSING ||
	     c->state == WEIR_TCP_LAST_ACK)) {
		if (send_seg(c, q_end, 0, RTE_TCP_FIN_FLAG) > 0) {
			c->snd_nxt = q_end + 1;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
		}
	}
ack:
	/*
	 * A pure ACK carries snd_max, not snd_nxt: after a timeout snd_nxt went back, and
	 * a peer that already has those bytes would drop the segment as old, ACK and all.
	 */
	if ((c->flags & TF_ACK_NOW) && c->state != WEIR_TCP_CLOSED) {
		if (send_seg(c, c->snd_max, 0, 0) < 0)
			tcp_delack_arm(c); /* no mbuf: the ACK is tried again */
	}
	tcp_timers_update(c);
}
