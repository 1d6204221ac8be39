/* SPDX-License-Identifier: BSD-3-Clause */
/* RACK-TLP loss detection (RFC 8985), fast recovery with PRR (RFC 6937), for SACK connections. */
#include "tcp/tcp_impl.h"

/*
 * RACK: a segment is lost when one sent after it was delivered and more than RTT plus
 * a reordering window has passed since it was sent. Transmit times come from the send
 * queue (tcp_sack.c stamps them, microseconds); this also finds lost retransmissions.
 * TLP: with data outstanding and no ACK for about two round trips, send the last
 * segment again so that the peer's ACK (with SACK or D-SACK) starts recovery, or tells
 * all is well, instead of the RTO. Without SACK, neither runs: NewReno (tcp_input.c) does.
 */

/* RACK_sent_after(): was (@t1, @e1) sent after (@t2, @e2)? Ties go to the higher end. */
static bool sent_after(uint32_t t1, uint32_t e1, uint32_t t2, uint32_t e2)
{
	return (int32_t)(t1 - t2) > 0 || (t1 == t2 && SEQ_GT(e1, e2));
}

/* Fast recovery, or recovery from a timeout (snd_una below the recovery point). */
bool tcp_in_recovery(const struct weir_tcp_conn *c)
{
	return (c->flags & TF_RECOVERY) || SEQ_LT(c->snd_una, c->recover);
}

/* Our TSval when @xmit (a send time, us) was now, rounded down (never later than it was). */
static uint32_t tsval_at(const struct weir_tcp_conn *c, uint32_t xmit)
{
	int32_t ago = (int32_t)((uint32_t)c->s->now_us - xmit);

	return tcp_ts_now(c) - (ago > 0 ? ((uint32_t)ago + 999) / 1000 : 0);
}

/*
 * A segment ending at @end, last sent at @xmit with flags @fl, was delivered for the
 * first time (@cum: cumulatively, else selectively; @o: the ACK's options; @prior_fack:
 * the highest end delivered before this ACK). RFC 8985 §6.2 steps 1-3: the minimum
 * RTT (a sample older than TCP_MIN_RTT_WIN_MS gives way), the most recently sent
 * segment delivered and its RTT (a retransmission only when the ACK is surely for it),
 * and reordering: a segment never retransmitted delivered below what an earlier ACK
 * had reached, or a retransmission whose cumulative ACK echoes the original's
 * timestamp.
 */
void tcp_rack_delivered(struct weir_tcp_conn *c, uint32_t end, uint32_t xmit, uint32_t fl,
			const struct tcp_opts *o, uint32_t prior_fack, bool cum)
{
	int32_t ago = (int32_t)((uint32_t)c->s->now_us - xmit);
	uint32_t rtt = ago > 0 ? (uint32_t)ago : 0; /* a stamp may run ahead in a burst */

	if (!(fl & SQ_SENT))
		return;
	if (c->flags & TF_RACK_VALID) {
		if (!(fl & SQ_RETRANS) && SEQ_LT(end, prior_fack))
			c->flags |= TF_REORD_SEEN;
		if (SEQ_GT(end, c->rack_fack))
			c->rack_fack = end;
	} else {
		c->rack_fack = end;
	}
	if (fl & SQ_RETRANS) {
		if (cum && (c->flags & TF_TS) && o->has_ts && o->tsecr != 0 &&
		    (int32_t)(o->tsecr - tsval_at(c, xmit)) < 0) {
			/*
			 * The cumulative ACK echoes an earlier transmission: that one
			 * filled the hole after all, the retransmission was spurious.
			 * Reordering (as a D-SACK would tell), and no sample. (A SACK
			 * echoes the left edge's timestamp, which tells nothing here.)
			 */
			c->flags |= TF_REORD_SEEN;
			return;
		}
		if (rtt < c->rack_min_rtt_us)
			return;
	} else if (c->rack_min_rtt_us == 0 || rtt < c->rack_min_rtt_us ||
		   (uint32_t)c->s->now_ms - c->rack_min_ms > TCP_MIN_RTT_WIN_MS) {
		c->rack_min_rtt_us = rtt ? rtt : 1;
		c->rack_min_ms = (uint32_t)c->s->now_ms;
	}
	if (!(c->flags & TF_RACK_VALID) || sent_after(xmit, end, c->rack_xmit_us, c->rack_end)) {
		c->rack_xmit_us = xmit;
		c->rack_end = end;
		c->rack_rtt_us = rtt;
		c->flags |= TF_RACK_VALID;
	}
}

/*
 * RFC 8985 §6.2 step 4, the window's adaptation, for each ACK @g of a SACK connection
 * (@was_recovering: in recovery before it). A D-SACK says a retransmission was needless,
 * most likely for reordering the window did not cover: the window grows by min_RTT / 4,
 * at most once a round trip, and stays so for 16 recoveries without another D-SACK.
 */
void tcp_rack_reo_update(struct weir_tcp_conn *c, const struct tcp_seg *g, bool was_recovering)
{
	if ((c->flags & TF_DSACK_ROUND) && SEQ_GE(c->snd_una, c->dsack_round))
		c->flags &= ~TF_DSACK_ROUND;
	if (tcp_seg_dsack(g) && !(c->flags & TF_DSACK_ROUND)) {
		if (c->reo_wnd_extra < UINT8_MAX)
			c->reo_wnd_extra++;
		c->dsack_round = c->snd_max;
		c->flags |= TF_DSACK_ROUND;
		c->reo_wnd_persist = TCP_REO_PERSIST;
	} else if (was_recovering && !tcp_in_recovery(c) && c->reo_wnd_persist > 0 &&
		   --c->reo_wnd_persist == 0) {
		c->reo_wnd_extra = 0;
	}
}

/*
 * RFC 8985 §6.2 step 4: no window before reordering was seen, in recovery or once
 * DupThresh segments are SACKed; else min_RTT / 4 times the multiplier D-SACKs set, at
 * most SRTT.
 */
static uint32_t reo_wnd(const struct weir_tcp_conn *c)
{
	uint64_t w;

	if (!(c->flags & TF_REORD_SEEN) &&
	    (tcp_in_recovery(c) || c->sacked > (TCP_DUPTHRESH - 1) * tcp_smss(c)))
		return 0;
	w = (uint64_t)(c->rack_min_rtt_us / 4) * (1u + c->reo_wnd_extra);
	if (c->srtt_us != 0 && w > c->srtt_us)
		w = c->srtt_us;
	return (uint32_t)w;
}

/*
 * RFC 8985 §6.2 step 5: mark lost every segment sent before the most recently
 * delivered one whose RTT plus reordering window has passed; for those still inside
 * it, arm the reordering timer for the latest of them. Our FIN too, once sent and not
 * acknowledged: it is the last thing sent, so only a retransmission sent after it can
 * show it lost (in recovery, or after a timeout), and without this it would wait for
 * the RTO (recovery lasts until it is acknowledged: no loss probe meanwhile).
 */
void tcp_rack_detect(struct weir_tcp_conn *c)
{
	uint32_t now = (uint32_t)c->s->now_us, reo, at, end, prev_end = 0, prev_xmit = 0;
	uint32_t lost_before = c->lost_bytes, first = 0, q_end = c->sndq_seq + c->sndq.bytes;
	struct rte_mbuf *m;
	int32_t wait = 0;
	bool any = false;

	if ((c->flags & (TF_SACK | TF_RACK_VALID)) != (TF_SACK | TF_RACK_VALID))
		return;
	reo = reo_wnd(c);
	for (m = c->sndq.head, at = c->sndq_seq; m != NULL && SEQ_LT(at, c->snd_max);
	     at = end, m = m->next) {
		uint32_t *fl = sq_flags(m), xmit = *sq_xmit(m);
		int32_t left;

		end = at + m->data_len;
		if ((*fl & (SQ_SACKED | SQ_LOST)) || !(*fl & SQ_SENT))
			continue;
		if (!sent_after(c->rack_xmit_us, c->rack_end, xmit, end))
			continue;
		left = (int32_t)(xmit + c->rack_rtt_us + reo - now);
		if (left > 0) {
			if (left > wait)
				wait = left;
			continue;
		}
		*fl |= SQ_LOST;
		c->lost_bytes += m->data_len;
		if (!any)
			first = at;
		any = true;
		/* Count segments, not mbufs: pieces of one segment share their time. */
		if (at != prev_end || xmit != prev_xmit)
			tcp_st(c)->rack_losses++;
		prev_end = end;
		prev_xmit = xmit;
	}
	if (any && (lost_before == 0 || SEQ_LT(first, c->lost_low)))
		c->lost_low = first;
	if (tcp_fin_sent(c) && !(c->flags & TF_FIN_LOST) && !c->fin_sacked &&
	    SEQ_LE(c->snd_una, q_end) &&
	    sent_after(c->rack_xmit_us, c->rack_end, c->fin_xmit_us, q_end + 1)) {
		int32_t left = (int32_t)(c->fin_xmit_us + c->rack_rtt_us + reo - now);

		if (left > 0) {
			if (left > wait)
				wait = left;
		} else {
			c->flags |= TF_FIN_LOST;
			/* Alone, or with data not marked with it: a segment more. */
			if (!any || prev_end != q_end || prev_xmit != c->fin_xmit_us)
				tcp_st(c)->rack_losses++;
		}
	}
	if (wait > 0) {
		uint64_t tick = (c->s->now_us + (uint32_t)wait + 999) / 1000;

		if (tick <= c->s->now_ms)
			tick = c->s->now_ms + 1;
		if (!weir_timer_pending(&c->rtx_timer) || c->rtx_mode != TCP_RTX_REO ||
		    weir_timer_expire(&c->rtx_timer) > tick)
			tcp_rtx_arm_at(c, TCP_RTX_REO, tick);
	} else if (c->rtx_mode == TCP_RTX_REO && weir_timer_pending(&c->rtx_timer)) {
		weir_timer_cancel(c->s->tw, &c->rtx_timer);
		c->rtx_mode = TCP_RTX_NONE; /* output arms the RTO again */
	}
}

/* The reordering timer fired (RFC 8985 §6.3): detect again, recover, send. */
void tcp_rack_timeout(struct weir_tcp_conn *c)
{
	c->rtx_mode = TCP_RTX_NONE;
	tcp_rack_detect(c);
	if (c->lost_bytes > 0 && !tcp_in_recovery(c))
		tcp_enter_recovery(c);
	if (c->flags & TF_RECOVERY)
		tcp_prr_ack(c, 0);
	tcp_output(c);
}

/*
 * Enter fast recovery with SACK (RFC 6675 §5, RFC 6937): RACK marked something lost.
 * ssthresh from congestion control; cwnd then follows PRR, ACK by ACK; output sends
 * the lost segments first. The state before is kept in case D-SACKs prove every
 * retransmission needless (tcp_input.c).
 */
void tcp_enter_recovery(struct weir_tcp_conn *c)
{
	tcp_st(c)->fast_retrans++;
	c->undo_cwnd = c->cwnd;
	c->undo_ssthresh = c->ssthresh;
	c->undo_lo = c->snd_una;
	c->undo_hi = c->snd_max;
	c->undo_rexmits = 0;
	c->undo_dsacks = 0;
	c->flags |= TF_DSACK_UNDO;
	c->recover = c->snd_max;
	c->ssthresh = tcp_cc_table[c->cc]->ssthresh(c);
	c->flags |= TF_RECOVERY;
	c->flags &= ~(TF_RTT_TIMING | TF_TLP_OUT | TF_TLP_RETRANS | TF_RTO_UNDO);
	c->tlp_count = 0;
	c->prr_delivered = 0;
	c->prr_out = 0;
	c->recover_fs = c->snd_max - c->snd_una ? c->snd_max - c->snd_una : 1;
}

/*
 * PRR (RFC 6937 §3, with the slow-start reduction bound): @delivered bytes were newly
 * acknowledged or SACKed. While pipe is above ssthresh, send in proportion to what
 * is delivered (ssthresh / RecoverFS); below it, grow back towards ssthresh, at most
 * one segment beyond what was delivered. cwnd becomes pipe plus that allowance; the
 * first retransmission always goes.
 */
void tcp_prr_ack(struct weir_tcp_conn *c, uint32_t delivered)
{
	uint32_t pipe = tcp_sack_pipe(c), smss = tcp_smss(c);
	int64_t sndcnt;

	c->prr_delivered += delivered;
	if (pipe > c->ssthresh) {
		sndcnt = (int64_t)(((uint64_t)c->prr_delivered * c->ssthresh + c->recover_fs - 1) /
				   c->recover_fs) -
			 c->prr_out;
	} else {
		int64_t limit = (int64_t)c->prr_delivered - c->prr_out;

		if (limit < (int64_t)delivered)
			limit = delivered;
		limit += smss;
		sndcnt = (int64_t)c->ssthresh - pipe;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (c->prr_out == 0 && sndcnt < smss)
		sndcnt = smss;
	c->cwnd = pipe + (uint32_t)sndcnt;
}

/*
 * May a loss probe be scheduled (RFC 8985 §7.2)? SACK, data outstanding, not in
 * recovery, nothing SACKed or lost, an open window, and no probe unresolved; but when
 * a probe brought no ACK at all, one more may follow (TCP_TLP_MAX, a doubled timeout):
 * as QUIC's probe timeout does (RFC 9002 §6.2), since on a lossy path the probe or its
 * answer is lost as often as the ACK that went missing, and the RTO costs 200 ms.
 */
bool tcp_tlp_eligible(const struct weir_tcp_conn *c)
{
	if (!(c->flags & TF_SACK) || c->snd_max == c->snd_una || c->sacked != 0 ||
	    c->lost_bytes != 0 || c->snd_wnd == 0 || !tcp_can_send(c) || tcp_in_recovery(c))
		return false;
	if (c->tlp_count == 0)
		return !(c->flags & TF_TLP_OUT);
	return c->tlp_count < TCP_TLP_MAX;
}

/*
 * When the probe is due (RFC 8985 §7.2), a timer tick: 2 SRTT, plus TLP.max_ack_delay
 * when a single segment is out (its ACK may be delayed), 1 s without an RTT sample,
 * doubled for a second probe; at least TCP_TLP_MIN_MS ticks ahead (sub-millisecond
 * round trips against 1 ms ticks); the caller caps it at the RTO.
 */
uint64_t tcp_tlp_deadline(const struct weir_tcp_conn *c)
{
	uint64_t us, tick;

	if (c->srtt_us == 0) {
		us = 1000000;
	} else {
		us = 2ull * c->srtt_us;
		/* Less than two full segments out: their ACK may wait for the delayed-ACK timer. */
		if (c->snd_max - c->snd_una < 2 * tcp_smss(c))
			us += TCP_TLP_ACK_DELAY_US;
	}
	us <<= c->tlp_count;
	tick = (c->s->now_us + us + 999) / 1000;
	if (tick < c->s->now_ms + TCP_TLP_MIN_MS)
		tick = c->s->now_ms + TCP_TLP_MIN_MS;
	return tick;
}

/*
 * An ACK (@advanced: it moved snd_una) may resolve the probe (RFC 8985 §7.4.2): a probe
 * of new data is done once acknowledged; a retransmitted one is done by a D-SACK for it
 * or a pure duplicate ACK (both copies arrived: no loss), or by an ACK beyond it (it
 * repaired a loss: congestion control reduces, as after a fast recovery of one segment).
 */
void tcp_tlp_ack(struct weir_tcp_conn *c, const struct tcp_seg *g, bool advanced)
{
	const struct tcp_opts *o = &g->o;

	if (!(c->flags & TF_TLP_OUT) || SEQ_LT(g->ack, c->tlp_end))
		return;
	if (!(c->flags & TF_TLP_RETRANS) ||
	    (o->nsack > 0 && o->sack[0].end == c->tlp_end && SEQ_LE(o->sack[0].end, g->ack))) {
		c->flags &= ~(TF_TLP_OUT | TF_TLP_RETRANS);
	} else if (SEQ_GT(g->ack, c->tlp_end)) {
		uint32_t th = tcp_cc_table[c->cc]->ssthresh(c);

		c->flags &= ~(TF_TLP_OUT | TF_TLP_RETRANS | TF_DSACK_UNDO);
		/* The probe's ACK may have emptied the flight NewReno halves: halve cwnd. */
		if (th < c->cwnd / 2)
			th = c->cwnd / 2;
		if (th < 2 * tcp_smss(c))
			th = 2 * tcp_smss(c);
		c->ssthresh = th;
		if (c->cwnd > th)
			c->cwnd = th;
	} else if (!advanced && o->nsack == 0 && g->len == 0) {
		c->flags &= ~(TF_TLP_OUT | TF_TLP_RETRANS);
	}
}

/*
 * The probe timer fired (RFC 8985 §7.3): the last segment sent goes again (with our FIN
 * if it ends there), whatever cwnd says; then the RTO (restarted by the first probe
 * only), and a second probe if this one brings no ACK at all. RFC 8985 prefers new data when there
 * is some; Weir sends the last segment again even then: the usual silence is a lost ACK of a burst,
 * since receivers ACK once per read, and a receiver answers a duplicate at once (with a D-SACK that
 * tells no loss happened), while new data in order waits for its delayed ACK (40 ms on
 * Linux). A lost tail segment is repaired just the same.
 */
void tcp_tlp_fire(struct weir_tcp_conn *c)
{
	uint32_t smss = tcp_smss(c), q_end = c->sndq_seq + c->sndq.bytes;
	uint32_t data_end = tcp_fin_sent(c) ? q_end : c->snd_max, len;

	c->rtx_mode = TCP_RTX_NONE;
	tcp_st(c)->tlp_probes++;
	len = data_end - c->snd_una;
	if (len > smss)
		len = smss;
	tcp_retransmit(c, data_end - len, len);
	c->flags |= TF_TLP_OUT | TF_TLP_RETRANS;
	c->tlp_end = c->snd_max;
	if (c->tlp_count++ == 0)
		tcp_rtx_arm(c, TCP_RTX_RTO, tcp_rto_eff(c));
	else
		tcp_rtx_arm_at(c, TCP_RTX_RTO, c->rto_at_ms);
	if (tcp_tlp_eligible(c)) {
		uint64_t at = tcp_tlp_deadline(c);

		tcp_rtx_arm_at(c, TCP_RTX_TLP, at < c->rto_at_ms ? at : c->rto_at_ms);
	}
}
