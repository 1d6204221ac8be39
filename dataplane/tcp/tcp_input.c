/* SPDX-License-Identifier: BSD-3-Clause */
/* Segment arrival (RFC 9293 §3.10.7, RFC 5961, RFC 7323): listeners, handshakes, ACKs, data. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "net/cksum.h"
#include "tcp/tcp_impl.h"

#define RTT_MAX_MS 600000 /* a timestamp echo further back than this is not a sample */

/*
 * Validate the TCP segment in frame @m (IPv4 header at m->l2_len, already checked by
 * the caller) and fill @g: header sanity, the checksum (unless the NIC vouched for it)
 * and options. Headers may span mbufs. Returns 0, or -1 for a bad segment.
 */
int tcp_parse(struct weir_tcp_stack *s, struct rte_mbuf *m, struct tcp_seg *g)
{
	struct rte_ipv4_hdr iph;
	const struct rte_ipv4_hdr *ip;
	uint8_t buf[60];
	const struct rte_tcp_hdr *th;
	uint32_t l2 = m->l2_len, ihl, tot, doff;

	(void)s;
	ip = rte_pktmbuf_read(m, l2, sizeof(iph), &iph);
	if (ip == NULL || ip->next_proto_id != IPPROTO_TCP)
		return -1;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(iph) || tot < ihl + sizeof(*th) || l2 + tot > m->pkt_len)
		return -1;
	th = rte_pktmbuf_read(m, l2 + ihl, sizeof(*th), buf);
	if (th == NULL)
		return -1;
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (doff < sizeof(*th) || ihl + doff > tot)
		return -1;
	if (doff > sizeof(*th)) {
		th = rte_pktmbuf_read(m, l2 + ihl, doff, buf);
		if (th == NULL)
			return -1;
	}
	/* Flat or chained, with the pseudo-header (the addresses from @ip, a copy if need be). */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	    !weir_l4_cksum_ok(m, ip, l2 + ihl, tot - ihl))
		return -1;
	g->seq = rte_be_to_cpu_32(th->sent_seq);
	g->ack = rte_be_to_cpu_32(th->recv_ack);
	g->flags = th->tcp_flags;
	g->wnd = rte_be_to_cpu_16(th->rx_win);
	g->len = tot - ihl - doff;
	g->hdrlen = l2 + ihl + doff;
	g->saddr = ip->src_addr;
	g->daddr = ip->dst_addr;
	g->sport = th->src_port;
	g->dport = th->dst_port;
	tcp_opts_parse((const uint8_t *)th + sizeof(*th), doff - sizeof(*th),
		       (g->flags & RTE_TCP_SYN_FLAG) != 0, &g->o);
	return 0;
}

/* The payload of @m, bytes [skip, skip + len) of it, as a byte queue (takes @m). */
static void take_payload(struct rte_mbuf *m, const struct tcp_seg *g, uint32_t skip, uint32_t len,
			 struct tcp_mq *q)
{
	memset(q, 0, sizeof(*q));
	tcp_mq_append(q, m);
	tcp_mq_trim_front(q, g->hdrlen + skip);
	tcp_mq_trim_back(q, len);
}

/* Options of a SYN (or a cookie's ACK) that both sides want: WS, SACK, TS (RFC 7323). */
static void negotiate(struct weir_tcp_conn *c, const struct tcp_opts *o)
{
	uint32_t f = c->s->p.features;

	c->peer_mss = o->has_mss && o->mss ? o->mss : 536;
	if (o->has_ws && !(f & WEIR_TCP_NO_WSCALE)) {
		c->flags |= TF_WS;
		c->snd_wscale = o->ws;
		c->rcv_wscale = c->s->rcv_wscale;
	}
	if (o->has_sack_ok && !(f & WEIR_TCP_NO_SACK))
		c->flags |= TF_SACK;
	if (o->has_ts && !(f & WEIR_TCP_NO_TIMESTAMPS)) {
		c->flags |= TF_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_ms = c->s->now_ms;
	}
	tcp_conn_init_mss(c);
}

/* An RTT sample from a timestamp echo (RFC 7323 §4.1), if it makes sense. */
static bool ts_sample(struct weir_tcp_conn *c, const struct tcp_opts *o)
{
	uint32_t rtt;

	if (!(c->flags & TF_TS) || !o->has_ts || o->tsecr == 0)
		return false;
	rtt = tcp_ts_now(c) - o->tsecr;
	if (rtt > RTT_MAX_MS)
		return false;
	tcp_rtt_sample(c, rtt * 1000);
	return true;
}

/* ---- D-SACK (RFC 2883) ---- */

/*
 * [start, end) arrived again: the next segment we send reports it as its first SACK
 * block, once, so that the sender can tell a retransmission or a loss probe was
 * needless (and undo what it cost). Only with SACK. It replaces a D-SACK not sent yet,
 * as on Linux (tcp_dsack_set()).
 */
static void dsack_set(struct weir_tcp_conn *c, uint32_t start, uint32_t end)
{
	if (!(c->flags & TF_SACK) || !SEQ_LT(start, end))
		return;
	c->dsack.start = start;
	c->dsack.end = end;
	c->flags |= TF_DSACK;
}

/*
 * Another duplicate range of the same segment (the first, when no D-SACK is owed): one
 * block reports one contiguous range, so it joins the first only when it touches it
 * (Linux's tcp_dsack_extend()).
 */
static void dsack_extend(struct weir_tcp_conn *c, uint32_t start, uint32_t end)
{
	if (!(c->flags & TF_DSACK)) {
		dsack_set(c, start, end);
		return;
	}
	if (SEQ_GT(start, c->dsack.end) || SEQ_LT(end, c->dsack.start))
		return;
	c->dsack.start = SEQ_MIN(start, c->dsack.start);
	c->dsack.end = SEQ_MAX(end, c->dsack.end);
}

/* What segment @g holds below rcv_nxt, payload and FIN, was received already. */
static void dsack_old(struct weir_tcp_conn *c, const struct tcp_seg *g)
{
	uint32_t end = g->seq + g->len + ((g->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

	if (!(g->flags & RTE_TCP_SYN_FLAG) && SEQ_LT(g->seq, c->rcv_nxt))
		dsack_set(c, g->seq, SEQ_MIN(end, c->rcv_nxt));
}

/* ---- out-of-order queue ---- */

/* Remove out-of-order range @i (its mbufs freed when @free_q). */
static void ooo_remove(struct weir_tcp_conn *c, unsigned int i, bool free_q)
{
	c->ooo_bytes -= c->ooo[i].q.bytes;
	if (free_q)
		tcp_mq_free(&c->ooo[i].q);
	memmove(&c->ooo[i], &c->ooo[i + 1], (c->nooo - i - 1) * sizeof(c->ooo[0]));
	c->nooo--;
}

/*
 * Queue [seq, seq + q->bytes) ahead of rcv_nxt: trimmed against the ranges already
 * held, covering ranges replaced, merged with its neighbours. Dropped (counted) when
 * it would need a range beyond TCP_OOO_MAX. What was held already is a duplicate: the
 * first such part is reported by a D-SACK (the ranges held are apart, so the others
 * could not join it in one block). Takes @q.
 */
static void ooo_insert(struct weir_tcp_conn *c, uint32_t seq, struct tcp_mq *q)
{
	uint32_t end = seq + q->bytes, segs;
	unsigned int i = 0, k;
	bool dup = false;

	while (i < c->nooo && q->bytes > 0) {
		struct tcp_ooo *r = &c->ooo[i];

		if (SEQ_LE(r->end, seq)) {
			i++;
			continue;
		}
		if (SEQ_GE(r->seq, end))
			break;
		if (SEQ_LE(r->seq, seq) && SEQ_GE(r->end, end)) {
			tcp_mq_free(q); /* all of it is here already */
			r->stamp = ++c->ooo_stamp;
			if (!dup)
				dsack_set(c, seq, end);
			return;
		}
		if (SEQ_LE(r->seq, seq)) {
			if (!dup)
				dsack_set(c, seq, r->end);
			dup = true;
			tcp_mq_trim_front(q, r->end - seq);
			seq = r->end;
			i++;
			continue;
		}
		if (SEQ_LE(r->end, end)) {
			if (!dup)
				dsack_set(c, r->seq, r->end);
			dup = true;
			ooo_remove(c, i, true); /* covered by the new one */
			continue;
		}
		if (!dup)
			dsack_set(c, r->seq, end);
		tcp_mq_trim_back(q, r->seq - seq);
		end = r->seq;
		break;
	}
	if (q->bytes == 0)
		return;
	/*
	 * Buffers, not only bytes, are bounded: a peer sending small segments out of order
	 * (each one a buffer, unless copied onto its neighbour) could pin the pool.
	 */
	for (k = 0, segs = q->nsegs; k < c->nooo; k++)
		segs += c->ooo[k].q.nsegs;
	if (segs > RTE_MAX(c->s->p.rcvbuf / TCP_OOO_SEG_BYTES, 64u)) {
		tcp_st(c)->ooo_drops++;
		tcp_mq_free(q);
		return;
	}
	/* i: where it goes. Merge with the previous and/or the next range if adjacent. */
	if (i > 0 && c->ooo[i - 1].end == seq) {
		struct tcp_ooo *p = &c->ooo[i - 1];

		c->ooo_bytes += q->bytes;
		tcp_mq_concat_compact(&p->q, q);
		p->end = end;
		p->stamp = ++c->ooo_stamp;
		if (i < c->nooo && c->ooo[i].seq == end) {
			p->end = c->ooo[i].end;
			tcp_mq_concat(&p->q, &c->ooo[i].q);
			memmove(&c->ooo[i], &c->ooo[i + 1], (c->nooo - i - 1) * sizeof(c->ooo[0]));
			c->nooo--;
		}
		return;
	}
	if (i < c->nooo && c->ooo[i].seq == end) {
		struct tcp_ooo *n = &c->ooo[i];

		c->ooo_bytes += q->bytes;
		tcp_mq_concat(q, &n->q);
		n->q = *q;
		n->seq = seq;
		n->stamp = ++c->ooo_stamp;
		return;
	}
	if (c->nooo == TCP_OOO_MAX) {
		tcp_st(c)->ooo_drops++;
		tcp_mq_free(q);
		return;
	}
	memmove(&c->ooo[i + 1], &c->ooo[i], (c->nooo - i) * sizeof(c->ooo[0]));
	c->ooo[i].seq = seq;
	c->ooo[i].end = end;
	c->ooo[i].stamp = ++c->ooo_stamp;
	c->ooo[i].q = *q;
	c->nooo++;
	c->ooo_bytes += q->bytes;
}

/*
 * Move the ranges that rcv_nxt reached into the receive queue. What the segment just
 * taken in order overlapped of them was a duplicate (a D-SACK, as Linux sends).
 */
static void ooo_pull(struct weir_tcp_conn *c)
{
	while (c->nooo > 0 && SEQ_LE(c->ooo[0].seq, c->rcv_nxt)) {
		struct tcp_ooo *r = &c->ooo[0];

		if (SEQ_LT(r->seq, c->rcv_nxt))
			dsack_extend(c, r->seq, SEQ_MIN(r->end, c->rcv_nxt));
		if (SEQ_GT(r->end, c->rcv_nxt)) {
			uint32_t n;

			c->ooo_bytes -= r->q.bytes;
			tcp_mq_trim_front(&r->q, c->rcv_nxt - r->seq);
			n = r->q.bytes;
			tcp_mq_concat(&c->rcvq, &r->q);
			c->rcv_nxt += n;
			c->bytes_in += n;
			c->flags |= TF_READABLE;
			r->q.bytes = 0;
			ooo_remove(c, 0, false);
		} else {
			ooo_remove(c, 0, true);
		}
	}
}

/* ---- receiving ---- */

/* The peer's FIN is next in sequence: take it (RFC 9293 §3.10.7.4, eighth). */
static void take_fin(struct weir_tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags |= TF_FIN_RCVD | TF_ACK_NOW | TF_READABLE;
	c->flags &= ~TF_OOO_FIN;
	switch (c->state) {
	case WEIR_TCP_SYN_RCVD:
	case WEIR_TCP_ESTABLISHED:
		tcp_set_state(c, WEIR_TCP_CLOSE_WAIT);
		break;
	case WEIR_TCP_FIN_WAIT_1:
		tcp_set_state(c, WEIR_TCP_CLOSING);
		break;
	case WEIR_TCP_FIN_WAIT_2:
		tcp_enter_time_wait(c);
		break;
	default:
		break;
	}
}

/*
 * The text and FIN of an acceptable segment (RFC 9293 §3.10.7.4, seventh and eighth):
 * trimmed to the window, queued in order or out of order, ACKed at once when out of
 * order, filling a hole, duplicate (with a D-SACK) or beyond the window, else delayed
 * (every second full segment, or delack_ms). After weir_tcp_close(), new data is
 * answered by RST. Takes @m.
 */
static void tcp_data(struct weir_tcp_conn *c, struct rte_mbuf *m, const struct tcp_seg *g)
{
	/* The payload follows a SYN's sequence number (a simultaneous open's SYN-ACK). */
	uint32_t seq = g->seq + ((g->flags & RTE_TCP_SYN_FLAG) ? 1 : 0), len = g->len, skip = 0;
	uint32_t fin_seq = seq + len, edge;
	bool fin = (g->flags & RTE_TCP_FIN_FLAG) != 0;
	struct tcp_mq q;

	if (c->state != WEIR_TCP_ESTABLISHED && c->state != WEIR_TCP_FIN_WAIT_1 &&
	    c->state != WEIR_TCP_FIN_WAIT_2) {
		/* After the peer's FIN: only duplicates can come. */
		if (len > 0 || fin) {
			c->flags |= TF_ACK_NOW;
			dsack_old(c, g);
		}
		if (c->state == WEIR_TCP_TIME_WAIT && fin)
			tcp_keep_arm(c, c->s->p.time_wait_ms);
		rte_pktmbuf_free(m);
		return;
	}
	if ((c->flags & TF_OWNER_CLOSED) && len > 0 && SEQ_GT(seq + len, c->rcv_nxt)) {
		rte_pktmbuf_free(m);
		if (tcp_send_ctl(c, c->snd_max, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) == 0)
			tcp_st(c)->rst_out++;
		tcp_conn_done(c, ECONNABORTED);
		return;
	}
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		skip = d < len ? d : len;
		len -= skip;
		seq += skip;
		if (SEQ_LT(fin_seq, c->rcv_nxt))
			fin = false;
		c->flags |= TF_ACK_NOW; /* duplicate data: ACK at once */
		dsack_old(c, g);
	}
	edge = SEQ_MAX(c->rcv_adv, c->rcv_nxt);
	if (len > 0 && SEQ_GT(seq + len, edge)) {
		len = SEQ_GT(edge, seq) ? edge - seq : 0;
		fin = false;
		c->flags |= TF_ACK_NOW;
	}
	if (len == 0 && !fin) {
		rte_pktmbuf_free(m);
		if (g->len > 0)
			c->flags |= TF_ACK_NOW;
		return;
	}
	if (len > 0) {
		take_payload(m, g, skip, len, &q);
		len = q.bytes;
	} else {
		memset(&q, 0, sizeof(q));
		rte_pktmbuf_free(m);
	}
	if (seq == c->rcv_nxt) {
		bool hole = c->nooo > 0;

		if (len > 0) {
			tcp_mq_concat_compact(&c->rcvq, &q);
			c->rcv_nxt += len;
			c->bytes_in += len;
			c->flags |= TF_READABLE;
			if (len > c->rcv_mss && len <= c->s->p.mss)
				c->rcv_mss = (uint16_t)len;
		}
		ooo_pull(c);
		if (hole)
			c->flags |= TF_ACK_NOW;
		if (fin && c->rcv_nxt == fin_seq)
			take_fin(c);
		else if ((c->flags & TF_OOO_FIN) && c->rcv_nxt == c->rcv_fin_seq)
			take_fin(c);
		if (!(c->flags & TF_ACK_NOW)) {
			c->rcv_unacked += len;
			if (c->rcv_unacked >= 2u * c->rcv_mss)
				c->flags |= TF_ACK_NOW;
			else
				tcp_delack_arm(c);
		}
		return;
	}
	if (len > 0) {
		tcp_st(c)->ooo_segs++;
		ooo_insert(c, seq, &q);
	}
	if (fin) {
		c->flags |= TF_OOO_FIN;
		c->rcv_fin_seq = fin_seq;
	}
	c->flags |= TF_ACK_NOW;
}

/* Our FIN was acknowledged: the closing states move on (RFC 9293 §3.10.7.4, fifth). */
static void fin_acked(struct weir_tcp_conn *c)
{
	switch (c->state) {
	case WEIR_TCP_FIN_WAIT_1:
		tcp_set_state(c, WEIR_TCP_FIN_WAIT_2);
		if (c->flags & TF_OWNER_CLOSED)
			tcp_keep_arm(c, c->s->p.fin_wait2_ms);
		break;
	case WEIR_TCP_CLOSING:
		tcp_enter_time_wait(c);
		break;
	case WEIR_TCP_LAST_ACK:
		tcp_conn_done(c, 0);
		break;
	default:
		break;
	}
}

/*
 * Without SACK: enter fast recovery on the third duplicate ACK (RFC 6582 §3.2): ssthresh,
 * cwnd inflated by the three segments that left, the first segment again.
 */
static void enter_recovery_newreno(struct weir_tcp_conn *c)
{
	uint32_t smss = tcp_smss(c);

	tcp_st(c)->fast_retrans++;
	c->recover = c->snd_max;
	c->ssthresh = tcp_cc_table[c->cc]->ssthresh(c);
	c->flags |= TF_RECOVERY;
	c->flags &= ~(TF_RTT_TIMING | TF_RTO_UNDO);
	c->cwnd = c->ssthresh + TCP_DUPTHRESH * smss;
	tcp_retransmit(c, c->snd_una, smss);
}

/*
 * The timeout that sent snd_una again was spurious when the first ACK of new data
 * echoes a timestamp older than that retransmission (RFC 3522): the data had arrived.
 * Then the state before it comes back: cwnd, ssthresh, nothing lost, no go-back-N.
 */
static void rto_undo_check(struct weir_tcp_conn *c, const struct tcp_opts *o)
{
	c->flags &= ~TF_RTO_UNDO;
	if (!o->has_ts || o->tsecr == 0 || (int32_t)(o->tsecr - c->undo_tsval) >= 0)
		return;
	tcp_st(c)->spurious_rto++;
	if (c->cwnd < c->undo_cwnd)
		c->cwnd = c->undo_cwnd;
	if (c->ssthresh < c->undo_ssthresh)
		c->ssthresh = c->undo_ssthresh;
	c->recover = c->snd_una;
	if (c->flags & TF_SACK)
		tcp_sq_unmark_lost(c);
	else
		c->snd_nxt = c->snd_max;
}

/*
 * A D-SACK towards undoing a fast recovery (RFC 3708): the first SACK block is one when
 * it lies below the ACK or within the second block (RFC 2883 §4). One of the range the
 * recovery had in flight counts for the segments it covers, but not when it is of data
 * still queued that was never retransmitted (the network duplicated it). Once every
 * retransmission of the recovery is D-SACKed, none was needed: both copies arrived,
 * the first had only been reordered or delayed. The state before comes back (as for a
 * spurious timeout), at once, or when the recovery ends (PRR rules cwnd until then).
 */
static void dsack_undo_check(struct weir_tcp_conn *c, const struct tcp_seg *g)
{
	const struct tcp_opts *o = &g->o;
	uint32_t s = o->sack[0].start, e = o->sack[0].end, smss = tcp_smss(c), off;
	struct rte_mbuf *m;

	if (tcp_seg_dsack(g) && SEQ_GE(s, c->undo_lo) && SEQ_LE(e, c->undo_hi)) {
		m = SEQ_GE(s, c->snd_una) ? tcp_sndq_find(c, s, &off) : NULL;
		if (m == NULL || (*sq_flags(m) & SQ_RETRANS))
			c->undo_dsacks += (e - s + smss - 1) / smss;
	}
	if (c->undo_rexmits == 0 || c->undo_dsacks < c->undo_rexmits || tcp_in_recovery(c))
		return;
	c->flags &= ~TF_DSACK_UNDO;
	tcp_st(c)->dsack_undos++;
	if (c->cwnd < c->undo_cwnd)
		c->cwnd = c->undo_cwnd;
	if (c->ssthresh < c->undo_ssthresh)
		c->ssthresh = c->undo_ssthresh;
}

/*
 * The ACK field of an acceptable segment in a synchronised state (RFC 9293 §3.10.7.4,
 * fifth; RFC 5681, 6582, 6675, 6937, 8985): window update, RTT, acknowledged data
 * freed, congestion control, then loss detection and recovery: with SACK, RACK marks
 * what is lost, recovery starts when anything is, and PRR paces it; without, duplicate
 * ACKs and NewReno. The timers are left to output (TF_RTO_RESTART). Closing states
 * move on. Returns the data bytes freed.
 */
static uint32_t tcp_ack(struct weir_tcp_conn *c, const struct tcp_seg *g)
{
	uint32_t wnd = (uint32_t)g->wnd << c->snd_wscale, smss = tcp_smss(c), freed = 0;
	uint32_t q_end = c->sndq_seq + c->sndq.bytes, acked, delivered = 0;
	uint32_t prior_fack = c->rack_fack, prior_flight = c->snd_max - c->snd_una;
	bool wnd_changed = false, was_zero = c->snd_wnd == 0, sack = (c->flags & TF_SACK) != 0;
	bool was_recovering = tcp_in_recovery(c);

	if (SEQ_LT(g->ack, c->snd_una))
		return 0; /* old: ignore it */
	/*
	 * A peer that answers the persist probes is alive however long its window stays
	 * shut (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17): only unanswered probes count.
	 */
	if (c->rtx_mode == TCP_RTX_PERSIST)
		c->retries = 0;
	if (SEQ_LT(c->snd_wl1, g->seq) || (c->snd_wl1 == g->seq && SEQ_LE(c->snd_wl2, g->ack))) {
		wnd_changed = wnd != c->snd_wnd;
		c->snd_wnd = wnd;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
		if (was_zero && wnd > 0 && c->rtx_mode == TCP_RTX_PERSIST) {
			/* The window opened: persist is over. */
			c->backoff = 0;
			c->retries = 0;
			weir_timer_cancel(c->s->tw, &c->rtx_timer);
			c->rtx_mode = TCP_RTX_NONE;
		}
	}
	acked = g->ack - c->snd_una;
	if (acked > 0) {
		uint32_t lo = SEQ_MAX(c->snd_una, c->sndq_seq), hi = SEQ_MIN(g->ack, q_end);

		if (!ts_sample(c, &g->o) && (c->flags & TF_RTT_TIMING) &&
		    SEQ_GE(g->ack, c->rtt_seq)) {
			uint64_t us = c->s->now_us - c->rtt_start_us;

			tcp_rtt_sample(c, us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
		}
		if (SEQ_GE(g->ack, c->rtt_seq))
			c->flags &= ~TF_RTT_TIMING;
		if (sack)
			delivered = tcp_sq_acked(c, g->ack, &g->o, prior_fack);
		if (SEQ_GT(hi, lo)) {
			freed = hi - lo;
			tcp_mq_trim_front(&c->sndq, freed);
			c->sndq_seq += freed;
			c->bytes_out += freed;
			if (c->cur_m != NULL && !SEQ_GT(c->cur_seq, c->sndq_seq))
				c->cur_m = NULL;
		}
		c->snd_una = g->ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		c->retries = 0;
		if (sack)
			delivered += tcp_sack_update(c, &g->o, prior_fack);
		if (c->flags & TF_RTO_UNDO)
			rto_undo_check(c, &g->o);
		tcp_tlp_ack(c, g, true);
		if (c->flags & TF_RECOVERY) {
			if (SEQ_GE(g->ack, c->recover)) {
				uint32_t fl = c->snd_max - c->snd_una;

				c->flags &= ~TF_RECOVERY;
				c->dupacks = 0;
				if (sack)
					c->cwnd = c->ssthresh;
				else
					c->cwnd = c->ssthresh < fl + smss ? c->ssthresh : fl + smss;
			} else if (!sack) {
				/* NewReno partial ACK (RFC 6582 §3.2 (5)). */
				tcp_retransmit(c, c->snd_una, smss);
				c->cwnd = c->cwnd > acked ? c->cwnd - acked : smss;
				if (acked >= smss)
					c->cwnd += smss;
			}
		} else {
			c->dupacks = 0;
			/*
			 * cwnd grows only while the flow uses it (RFC 9438 §5.8, RFC 7661; as
			 * Linux's is_cwnd_limited): in slow start a flight of half of it, else
			 * all of it but a segment. Otherwise an application that sends little
			 * would build a window it never tried, and send it in one burst later.
			 */
			if (freed > 0 && (c->cwnd < c->ssthresh ? 2 * prior_flight >= c->cwnd
								: prior_flight + smss >= c->cwnd))
				tcp_cc_table[c->cc]->cong_avoid(c, freed);
			else if (freed > 0 && tcp_cc_table[c->cc]->app_limited != NULL)
				tcp_cc_table[c->cc]->app_limited(c);
		}
		/*
		 * Once passed, the recovery point follows just below snd_una, within reach of
		 * the sequence space. Not at it: an ACK that only reaches the point leaves it
		 * there, for NewReno's guard below.
		 */
		if (SEQ_GT(c->snd_una, c->recover))
			c->recover = c->snd_una - 1;
		if (c->snd_una != c->snd_max) {
			c->flags |= TF_RTO_RESTART | TF_TLP_RESCHED;
		} else if (c->rtx_mode != TCP_RTX_PERSIST) {
			weir_timer_cancel(c->s->tw, &c->rtx_timer);
			c->rtx_mode = TCP_RTX_NONE;
			c->rto_at_ms = 0;
		}
	} else {
		/* ack == snd_una: a duplicate? (RFC 5681 §2, RFC 6675 §2 with SACK) */
		if (sack && g->o.nsack)
			delivered = tcp_sack_update(c, &g->o, prior_fack);
		if (c->snd_max == c->snd_una) {
			/* D-SACKs come after the last ACK too. */
			if (sack)
				tcp_rack_reo_update(c, g, was_recovering);
			if (c->flags & TF_DSACK_UNDO)
				dsack_undo_check(c, g);
			return 0;
		}
		tcp_tlp_ack(c, g, false);
		if ((g->len == 0 && !(g->flags & RTE_TCP_FIN_FLAG) && !wnd_changed) ||
		    delivered > 0) {
			tcp_st(c)->dup_acks++;
			if (c->dupacks < UINT8_MAX)
				c->dupacks++;
			if (!sack && (c->flags & TF_RECOVERY)) {
				c->cwnd += smss; /* NewReno: inflate */
			} else if (!sack && c->dupacks >= TCP_DUPTHRESH && !tcp_in_recovery(c) &&
				   SEQ_GT(g->ack, c->recover)) {
				/*
				 * Only beyond the recovery point (RFC 6582 §3.2 step 1):
				 * duplicates at the snd_max of a timeout come of go-back-N
				 * resending what the peer had, not of a new loss.
				 */
				enter_recovery_newreno(c);
			}
		}
	}
	if (acked > 0 || delivered > 0)
		c->tlp_count = 0;
	if (sack) {
		tcp_rack_reo_update(c, g, was_recovering);
		if (c->sacked > 0 || c->lost_bytes > 0 || tcp_in_recovery(c))
			tcp_rack_detect(c);
		if (c->lost_bytes > 0 && !tcp_in_recovery(c))
			tcp_enter_recovery(c);
		if (c->flags & TF_RECOVERY)
			tcp_prr_ack(c, delivered);
		if (c->flags & TF_DSACK_UNDO)
			dsack_undo_check(c, g);
	}
	if (acked > 0 && (c->flags & TF_FIN_QUEUED) && SEQ_GT(g->ack, q_end))
		fin_acked(c);
	return freed;
}

/* SYN_SENT (RFC 9293 §3.10.7.3). Takes @m. */
static void input_syn_sent(struct weir_tcp_conn *c, struct rte_mbuf *m, const struct tcp_seg *g)
{
	struct weir_tcp_stack *s = c->s;

	if (g->flags & RTE_TCP_ACK_FLAG) {
		if (SEQ_LE(g->ack, c->iss) || SEQ_GT(g->ack, c->snd_max)) {
			if (!(g->flags & RTE_TCP_RST_FLAG) &&
			    tcp_send_ctl(c, g->ack, RTE_TCP_RST_FLAG) == 0)
				s->stats.rst_out++;
			goto drop;
		}
	}
	if (g->flags & RTE_TCP_RST_FLAG) {
		if (g->flags & RTE_TCP_ACK_FLAG) {
			s->stats.rst_in++;
			tcp_conn_done(c, ECONNREFUSED);
		}
		goto drop;
	}
	if (!(g->flags & RTE_TCP_SYN_FLAG))
		goto drop;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	c->rcv_wup = c->rcv_nxt;
	negotiate(c, &g->o);
	c->snd_wnd = g->wnd;
	c->max_snd_wnd = g->wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = g->ack;
	c->rcv_adv = c->rcv_nxt + (s->p.rcvbuf < 65535 ? s->p.rcvbuf : 65535);
	if (g->flags & RTE_TCP_ACK_FLAG) {
		c->snd_una = g->ack;
		if (!ts_sample(c, &g->o) && !(c->flags & TF_SYN_RXMIT))
			tcp_rtt_sample(c, (uint32_t)(s->now_us - c->rtt_start_us));
		weir_timer_cancel(s->tw, &c->rtx_timer);
		c->rtx_mode = TCP_RTX_NONE;
		c->flags |= TF_ACK_NOW;
		tcp_established(c);
		c->flags |= TF_OUTPUT;
	} else {
		/* Simultaneous open: SYN-ACK with our ISN. */
		tcp_set_state(c, WEIR_TCP_SYN_RCVD);
		tcp_send_syn(c);
	}
drop:
	rte_pktmbuf_free(m);
}

/*
 * May a SYN reuse the 4-tuple of @c in TIME_WAIT? As Linux: a sequence number above
 * what the old connection received, or a newer timestamp.
 */
static bool tw_reusable(const struct weir_tcp_conn *c, const struct tcp_seg *g)
{
	if ((c->flags & TF_TS) && g->o.has_ts)
		return (int32_t)(g->o.tsval - c->ts_recent) > 0 || SEQ_GT(g->seq, c->rcv_nxt);
	return SEQ_GT(g->seq, c->rcv_nxt);
}

/*
 * Answer an unacceptable segment @g (out of the window, or failing PAWS) with an ACK,
 * at most one per TCP_OOW_ACK_MS per connection, as Linux does, so that two ends that
 * disagree cannot loop. But data we have already (the usual case: a retransmission of
 * a segment whose ACK was lost or late) is answered every time, with its D-SACK, as
 * Linux does too: segments with data do not loop, and each such answer tells the
 * sender of one needless retransmission.
 */
static void oow_ack(struct weir_tcp_conn *c, const struct tcp_seg *g)
{
	uint64_t now = c->s->now_ms;

	if (!(g->flags & RTE_TCP_SYN_FLAG) && (g->len > 0 || (g->flags & RTE_TCP_FIN_FLAG)) &&
	    SEQ_LT(g->seq, c->rcv_nxt)) {
		dsack_old(c, g);
		c->flags |= TF_ACK_NOW | TF_OUTPUT;
		return;
	}
	if (c->oow_ack_ms != 0 && now - c->oow_ack_ms < TCP_OOW_ACK_MS)
		return;
	c->oow_ack_ms = now ? now : 1;
	c->flags |= TF_ACK_NOW | TF_OUTPUT;
}

/* A segment for a connection past SYN_SENT (RFC 9293 §3.10.7.4). Takes @m. */
static void input_sync(struct weir_tcp_conn *c, struct rte_mbuf *m, const struct tcp_seg *g)
{
	struct weir_tcp_stack *s = c->s;
	uint32_t tlen = g->len + ((g->flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
			((g->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	uint32_t rwnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0, freed;
	bool rst = (g->flags & RTE_TCP_RST_FLAG) != 0, simopen;

	/* PAWS (RFC 7323 §5): an older timestamp is a segment from the past. */
	if ((c->flags & TF_TS) && g->o.has_ts && !rst && (int32_t)(g->o.tsval - c->ts_recent) < 0 &&
	    s->now_ms - c->ts_recent_ms < TCP_PAWS_IDLE_MS) {
		s->stats.paws_drops++;
		oow_ack(c, g);
		goto drop;
	}
	if (c->state == WEIR_TCP_TIME_WAIT &&
	    (g->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)) ==
		    RTE_TCP_SYN_FLAG &&
	    c->listener != NULL && tw_reusable(c, g)) {
		struct weir_tcp_listener *l = c->listener;
		uint32_t isn = c->snd_max + 65535 + 2;

		s->stats.time_wait_reused++;
		tcp_conn_done(c, 0);
		tcp_listen_syn(s, l, m, g, true, isn);
		return;
	}
	/*
	 * Acceptability, as Linux: not all before rcv_wup, not beyond the window. Both are
	 * answered; only a segment beyond the window counts as an error: old ones are
	 * duplicates, reordered ACKs, window probes and keepalives.
	 */
	if (SEQ_LT(g->seq + tlen, c->rcv_wup) || SEQ_GT(g->seq, c->rcv_nxt + rwnd)) {
		if (SEQ_GT(g->seq, c->rcv_nxt + rwnd))
			s->stats.in_errs++;
		if (!rst)
			oow_ack(c, g);
		goto drop;
	}
	c->last_rcv_ms = s->now_ms;
	c->ka_probes = 0;
	if (rst) {
		/* RFC 5961 §3.2: only an exact RST resets; another in the window is challenged. */
		if (g->seq == c->rcv_nxt) {
			int err = ECONNRESET;

			if (c->state == WEIR_TCP_CLOSING || c->state == WEIR_TCP_LAST_ACK ||
			    c->state == WEIR_TCP_TIME_WAIT)
				err = 0;
			s->stats.rst_in++;
			tcp_conn_done(c, err);
		} else {
			tcp_challenge_ack(c);
		}
		goto drop;
	}
	/*
	 * Simultaneous open: the peer's SYN-ACK acknowledges our SYN. Its SYN we took
	 * already; its ACK completes the handshake, as Linux takes it (otherwise each side
	 * answers the other's SYN-ACK with its own, and neither completes).
	 */
	simopen = (g->flags & RTE_TCP_SYN_FLAG) && c->state == WEIR_TCP_SYN_RCVD &&
		  g->seq == c->irs && (g->flags & RTE_TCP_ACK_FLAG) && SEQ_GT(g->ack, c->snd_una) &&
		  SEQ_LE(g->ack, c->snd_max);
	if ((g->flags & RTE_TCP_SYN_FLAG) && !simopen) {
		/* A retransmitted SYN gets the SYN-ACK again; any other is challenged (§4). */
		if (c->state == WEIR_TCP_SYN_RCVD && g->seq == c->irs &&
		    !(g->flags & RTE_TCP_ACK_FLAG))
			tcp_send_syn(c);
		else
			tcp_challenge_ack(c);
		goto drop;
	}
	if (!(g->flags & RTE_TCP_ACK_FLAG))
		goto drop;
	if (c->state == WEIR_TCP_SYN_RCVD) {
		if (SEQ_LE(g->ack, c->snd_una) || SEQ_GT(g->ack, c->snd_max)) {
			if (tcp_send_ctl(c, g->ack, RTE_TCP_RST_FLAG) == 0)
				s->stats.rst_out++;
			goto drop;
		}
		/* A SYN's window is never scaled (RFC 7323 §2.2); tcp_ack() then leaves the
		 * window to the peer's next segment. */
		c->snd_wnd = simopen ? g->wnd : (uint32_t)g->wnd << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = simopen ? g->seq + 1 : g->seq;
		c->snd_wl2 = g->ack;
		if (!ts_sample(c, &g->o) && !(c->flags & TF_SYN_RXMIT))
			tcp_rtt_sample(c, (uint32_t)(s->now_us - c->rtt_start_us));
		weir_timer_cancel(s->tw, &c->rtx_timer);
		c->rtx_mode = TCP_RTX_NONE;
		tcp_established(c);
		if (c->flags & TF_DEAD)
			goto drop;
	}
	/*
	 * RFC 5961 §5.2: an ACK of unsent data, or one too old, is dropped and challenged,
	 * within the per-connection limit (§7; Linux does the same for both). Answered each
	 * time, two ends that disagree about what was sent would trade ACKs without end.
	 */
	if (SEQ_GT(g->ack, c->snd_max) || SEQ_LT(g->ack, c->snd_una - c->max_snd_wnd)) {
		tcp_challenge_ack(c);
		goto drop;
	}
	/*
	 * TS.Recent (RFC 7323 §4.3) only from a segment that passed every check: one that
	 * is then dropped (a SYN, no ACK, an ACK out of range) would otherwise set it for
	 * a blind sender, whose TSval far ahead makes PAWS drop every genuine segment.
	 */
	if ((c->flags & TF_TS) && g->o.has_ts && SEQ_LE(g->seq, c->rcv_wup) &&
	    (int32_t)(g->o.tsval - c->ts_recent) >= 0) {
		c->ts_recent = g->o.tsval;
		c->ts_recent_ms = s->now_ms;
	}
	freed = tcp_ack(c, g);
	if (c->flags & TF_DEAD)
		goto drop;
	if (g->len > 0 || (g->flags & RTE_TCP_FIN_FLAG))
		tcp_data(c, m, g);
	else
		rte_pktmbuf_free(m);
	if (c->flags & TF_DEAD)
		return;
	if (c->flags & TF_READABLE) {
		c->flags &= ~TF_READABLE;
		s->ops->readable(c);
		if (c->flags & TF_DEAD)
			return;
	}
	if (freed > 0 && (c->flags & TF_WANT_WRITE) && c->sndq.bytes <= s->p.sndbuf / 2) {
		c->flags &= ~TF_WANT_WRITE;
		s->ops->writable(c);
		if (c->flags & TF_DEAD)
			return;
	}
	c->flags |= TF_OUTPUT;
	return;
drop:
	rte_pktmbuf_free(m);
}

/* Accepts @c live (a dead or free one drops @m). See tcp.h. */
void weir_tcp_input(struct weir_tcp_stack *s, struct weir_tcp_conn *c, struct rte_mbuf *m)
{
	struct tcp_seg g;

	if (c->flags & (TF_DEAD | TF_FREE)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (tcp_parse(s, m, &g) < 0) {
		s->stats.in_errs++;
		rte_pktmbuf_free(m);
		return;
	}
	s->stats.in_segs++;
	tcp_hold(c);
	if (c->state == WEIR_TCP_SYN_SENT)
		input_syn_sent(c, m, &g);
	else
		input_sync(c, m, &g);
	tcp_unhold(c);
}

/*
 * A SYN for listener @l (@have_isn: the ISN to use, after TIME_WAIT). Answered by a
 * cookie when cookies are always on or (auto) the SYN backlog is full; dropped when
 * the backlog is full without cookies; else a connection in SYN_RCVD the owner
 * accepts or refuses (RST). Takes @m.
 */
void tcp_listen_syn(struct weir_tcp_stack *s, struct weir_tcp_listener *l, struct rte_mbuf *m,
		    const struct tcp_seg *g, bool have_isn, uint32_t isn)
{
	bool full = s->syn_rcvd >= s->p.syn_backlog;
	struct weir_tcp_conn *c;
	uint16_t mss;

	if (s->p.syncookies == WEIR_TCP_COOKIES_ALWAYS ||
	    (s->p.syncookies == WEIR_TCP_COOKIES_AUTO && full)) {
		uint32_t f = s->p.features, tsnow, cookie;
		uint8_t opts[TCP_MAX_OPTLEN];
		unsigned int optlen;
		struct rte_mbuf *r;
		bool ts = g->o.has_ts && !(f & WEIR_TCP_NO_TIMESTAMPS);
		int ws = (ts && g->o.has_ws && !(f & WEIR_TCP_NO_WSCALE)) ? g->o.ws : -1;
		bool sack = ts && g->o.has_sack_ok && !(f & WEIR_TCP_NO_SACK);

		cookie = tcp_cookie_make(s, g, &mss);
		tsnow = (uint32_t)s->now_ms + tcp_ts_off(s, g->daddr, g->dport, g->saddr, g->sport);
		optlen = tcp_opts_syn(opts, s->p.mss, ws >= 0 ? s->rcv_wscale : -1, sack, ts,
				      tcp_cookie_tsval(tsnow, ws, sack), g->o.tsval);
		r = tcp_build(s, g->daddr, g->saddr, g->dport, g->sport, cookie, g->seq + 1,
			      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			      (uint16_t)(s->p.rcvbuf < 65535 ? s->p.rcvbuf : 65535), opts, optlen);
		if (r != NULL) {
			tcp_cksum(r);
			s->stats.syncookies_sent++;
			s->stats.out_segs++;
			s->last_cookie_ms = s->now_ms + 1;
			s->ops->reply(s->owner, r, m);
		}
		rte_pktmbuf_free(m);
		return;
	}
	if (full) {
		s->stats.listen_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	c = tcp_conn_alloc(s);
	if (c == NULL) {
		s->stats.conns_refused++;
		tcp_send_rst_for(s, g, m);
		rte_pktmbuf_free(m);
		return;
	}
	c->laddr = g->daddr;
	c->lport = g->dport;
	c->raddr = g->saddr;
	c->rport = g->sport;
	c->listener = l;
	c->flags |= TF_PASSIVE;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	c->rcv_wup = c->rcv_nxt;
	c->iss = have_isn ? isn : tcp_isn(s, c->laddr, c->lport, c->raddr, c->rport);
	c->ts_off = tcp_ts_off(s, c->laddr, c->lport, c->raddr, c->rport);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sndq_seq = c->iss + 1;
	c->recover = c->iss;
	negotiate(c, &g->o);
	c->snd_wnd = g->wnd;
	c->max_snd_wnd = g->wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = c->iss;
	tcp_set_state(c, WEIR_TCP_SYN_RCVD);
	c->flags |= TF_BACKLOG;
	s->syn_rcvd++;
	l->syn_rcvd++;
	tcp_hold(c);
	if (s->ops->passive_new(c, l->ctx) < 0) {
		s->stats.conns_refused++;
		tcp_send_rst_for(s, g, m);
		tcp_conn_done(c, 0); /* not announced: no callback */
		s->stats.attempt_fails--;
	} else if (!(c->flags & TF_DEAD)) {
		c->flags |= TF_ANNOUNCED;
		s->stats.passive_opens++;
		tcp_send_syn(c);
		tcp_rtx_arm(c, TCP_RTX_RTO, s->p.rto_init_ms);
	}
	tcp_unhold(c);
	rte_pktmbuf_free(m);
}

/*
 * The ACK of a valid cookie (@mss decoded): a connection straight in ESTABLISHED, with
 * the options the cookie carried (timestamps if the ACK has them, then window scale and
 * SACK from its TSecr); the segment itself then goes through the normal input. Takes @m.
 */
static void cookie_open(struct weir_tcp_stack *s, struct weir_tcp_listener *l, struct rte_mbuf *m,
			const struct tcp_seg *g, uint16_t mss)
{
	struct weir_tcp_conn *c = tcp_conn_alloc(s);
	uint32_t f = s->p.features;

	if (c == NULL) {
		s->stats.conns_refused++;
		tcp_send_rst_for(s, g, m);
		rte_pktmbuf_free(m);
		return;
	}
	c->laddr = g->daddr;
	c->lport = g->dport;
	c->raddr = g->saddr;
	c->rport = g->sport;
	c->listener = l;
	c->flags |= TF_PASSIVE;
	c->iss = g->ack - 1;
	c->irs = g->seq - 1;
	c->snd_una = c->snd_nxt = c->snd_max = g->ack;
	c->sndq_seq = g->ack;
	c->recover = c->iss;
	c->rcv_nxt = g->seq;
	c->rcv_wup = g->seq;
	c->rcv_adv = g->seq + (s->p.rcvbuf < 65535 ? s->p.rcvbuf : 65535);
	c->ts_off = tcp_ts_off(s, c->laddr, c->lport, c->raddr, c->rport);
	c->peer_mss = mss;
	if (g->o.has_ts && !(f & WEIR_TCP_NO_TIMESTAMPS)) {
		int ws;
		bool sack;

		tcp_cookie_ts_decode(g->o.tsecr, &ws, &sack);
		c->flags |= TF_TS;
		c->ts_recent = g->o.tsval;
		c->ts_recent_ms = s->now_ms;
		if (ws >= 0 && !(f & WEIR_TCP_NO_WSCALE)) {
			c->flags |= TF_WS;
			c->snd_wscale = (uint8_t)ws;
			c->rcv_wscale = s->rcv_wscale;
		}
		if (sack && !(f & WEIR_TCP_NO_SACK))
			c->flags |= TF_SACK;
	}
	tcp_conn_init_mss(c);
	c->snd_wnd = (uint32_t)g->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = g->ack;
	tcp_set_state(c, WEIR_TCP_ESTABLISHED);
	tcp_hold(c);
	if (s->ops->passive_new(c, l->ctx) < 0) {
		s->stats.conns_refused++;
		tcp_send_rst_for(s, g, m);
		tcp_conn_done(c, 0);
		rte_pktmbuf_free(m);
	} else if (c->flags & TF_DEAD) {
		rte_pktmbuf_free(m);
	} else {
		c->flags |= TF_ANNOUNCED;
		s->stats.passive_opens++;
		tcp_established(c);
		if (c->flags & TF_DEAD)
			rte_pktmbuf_free(m);
		else
			input_sync(c, m, g);
	}
	tcp_unhold(c);
}

/*
 * The RST that answers segment @g (frame @m) of no connection, if the budget of such
 * RSTs has a token (see weir_tcp_closed_input()): 0 when sent, -EAGAIN when held back,
 * -ENOBUFS without an mbuf.
 */
static int rst_budgeted(struct weir_tcp_stack *s, const struct tcp_seg *g, struct rte_mbuf *m)
{
	if (!weir_tokens_take(&s->rst, s->now_ms, WEIR_TCP_RST_BURST)) {
		s->stats.rst_limited++;
		return -EAGAIN;
	}
	return tcp_send_rst_for(s, g, m);
}

/* Accepts any frame for a 4-tuple without a connection. See tcp.h. */
void weir_tcp_listen_input(struct weir_tcp_stack *s, struct weir_tcp_listener *l,
			   struct rte_mbuf *m)
{
	struct tcp_seg g;
	uint16_t mss;

	if (tcp_parse(s, m, &g) < 0) {
		s->stats.in_errs++;
		rte_pktmbuf_free(m);
		return;
	}
	s->stats.in_segs++;
	if (g.flags & RTE_TCP_RST_FLAG) {
		rte_pktmbuf_free(m);
		return;
	}
	if (g.flags & RTE_TCP_ACK_FLAG) {
		if (!(g.flags & RTE_TCP_SYN_FLAG) && s->p.syncookies != WEIR_TCP_COOKIES_NEVER &&
		    (s->p.syncookies == WEIR_TCP_COOKIES_ALWAYS ||
		     (s->last_cookie_ms != 0 &&
		      s->now_ms + 1 - s->last_cookie_ms <= 2ull * TCP_MSL_COOKIE_MS))) {
			if (tcp_cookie_check(s, &g, &mss) == 0) {
				s->stats.syncookies_ok++;
				cookie_open(s, l, m, &g, mss);
				return;
			}
			s->stats.syncookies_failed++;
		}
		rst_budgeted(s, &g, m);
		rte_pktmbuf_free(m);
		return;
	}
	if (g.flags & RTE_TCP_SYN_FLAG) {
		if (g.flags & RTE_TCP_FIN_FLAG) {
			s->stats.in_errs++;
			rte_pktmbuf_free(m);
			return;
		}
		tcp_listen_syn(s, l, m, &g, false, 0);
		return;
	}
	rst_budgeted(s, &g, m);
	rte_pktmbuf_free(m);
}

/* Accepts any frame for a 4-tuple without a connection or a listener. See tcp.h. */
int weir_tcp_closed_input(struct weir_tcp_stack *s, struct rte_mbuf *m)
{
	struct tcp_seg g;

	if (tcp_parse(s, m, &g) < 0) {
		s->stats.in_errs++;
		return -EINVAL;
	}
	s->stats.in_segs++;
	if (g.flags & RTE_TCP_RST_FLAG)
		return -EINVAL;
	return rst_budgeted(s, &g, m);
}
