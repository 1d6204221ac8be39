/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection timers on the worker's wheel: RTO (RFC 6298), persist, delayed ACK, keepalive,
 * TIME_WAIT. */
#include <errno.h>

#include "tcp/tcp_impl.h"

#define RTO_G_US 1000 /* clock granularity G of RFC 6298: our timers tick in ms */

/* The RTO of @c with its back-off applied, capped at rto_max (RFC 6298 §5.5). */
uint32_t tcp_rto_eff(const struct weir_tcp_conn *c)
{
	uint64_t r = (uint64_t)c->rto_ms << (c->backoff < 32 ? c->backoff : 32);

	return r > c->s->p.rto_max_ms ? c->s->p.rto_max_ms : (uint32_t)r;
}

/*
 * Take an RTT sample of @rtt_us (RFC 6298 §2): SRTT and RTTVAR, then RTO = SRTT +
 * max(G, 4 RTTVAR) within [rto_min, rto_max]; a valid sample ends the back-off.
 */
void tcp_rtt_sample(struct weir_tcp_conn *c, uint32_t rtt_us)
{
	const struct weir_tcp_params *p = &c->s->p;
	uint64_t rto;

	if (c->srtt_us == 0) {
		c->srtt_us = rtt_us ? rtt_us : 1;
		c->rttvar_us = rtt_us / 2;
	} else {
		uint32_t d = c->srtt_us > rtt_us ? c->srtt_us - rtt_us : rtt_us - c->srtt_us;

		c->rttvar_us = (3 * c->rttvar_us + d) / 4;
		c->srtt_us = (7 * c->srtt_us + rtt_us) / 8;
		if (c->srtt_us == 0)
			c->srtt_us = 1;
	}
	rto = c->srtt_us + (4ull * c->rttvar_us > RTO_G_US ? 4ull * c->rttvar_us : RTO_G_US);
	rto = (rto + 999) / 1000;
	if (rto < p->rto_min_ms)
		rto = p->rto_min_ms;
	if (rto > p->rto_max_ms)
		rto = p->rto_max_ms;
	c->rto_ms = (uint32_t)rto;
	c->backoff = 0;
}

/* Arm the retransmission timer of @c for @mode, @ms from now (an RTO is remembered). */
void tcp_rtx_arm(struct weir_tcp_conn *c, enum tcp_rtx_mode mode, uint32_t ms)
{
	tcp_rtx_arm_at(c, mode, c->s->now_ms + ms);
}

/*
 * Arm the retransmission timer of @c for @mode at @tick. A probe or reordering timer
 * stands in for the RTO, whose expiry rto_at_ms keeps.
 */
void tcp_rtx_arm_at(struct weir_tcp_conn *c, enum tcp_rtx_mode mode, uint64_t tick)
{
	c->rtx_mode = (uint8_t)mode;
	if (mode == TCP_RTX_RTO)
		c->rto_at_ms = tick;
	else if (mode == TCP_RTX_PERSIST)
		c->rto_at_ms = 0;
	weir_timer_arm(c->s->tw, &c->rtx_timer, tick);
}

/* Arm the keepalive / FIN_WAIT_2 / TIME_WAIT timer of @c, @ms from now. */
void tcp_keep_arm(struct weir_tcp_conn *c, uint32_t ms)
{
	weir_timer_arm(c->s->tw, &c->keep_timer, c->s->now_ms + ms);
}

/* An ACK is owed: send it within delack_ms unless something else carries it first. */
void tcp_delack_arm(struct weir_tcp_conn *c)
{
	c->flags |= TF_DELACK;
	if (!weir_timer_pending(&c->delack_timer))
		weir_timer_arm(c->s->tw, &c->delack_timer, c->s->now_ms + c->s->p.delack_ms);
}

/* TIME_WAIT for time_wait_ms (2 MSL); nothing is left to retransmit. */
void tcp_enter_time_wait(struct weir_tcp_conn *c)
{
	tcp_set_state(c, WEIR_TCP_TIME_WAIT);
	if (weir_timer_pending(&c->rtx_timer))
		weir_timer_cancel(c->s->tw, &c->rtx_timer);
	c->rtx_mode = TCP_RTX_NONE;
	tcp_keep_arm(c, c->s->p.time_wait_ms);
}

/*
 * The RTO fired with data or FIN outstanding (RFC 6298 §5.4-5.7, RFC 5681 §3.1): give up
 * after data_retries, else ssthresh (on the first timeout of this data only), cwnd = 1
 * segment, back-off doubled, out of recovery, and send again from snd_una: with SACK,
 * everything not SACKed is marked lost and output retransmits it in order (RACK then
 * finds retransmissions lost again); without, go-back-N from snd_una. A second timeout
 * in a row forgets the SACKs in case the peer reneged. With timestamps, the state
 * before is kept for undoing a spurious timeout (RFC 3522, tcp_input.c).
 */
static void rto_fire(struct weir_tcp_conn *c)
{
	struct weir_tcp_stack *s = c->s;

	/*
	 * A closed window does not make the peer dead (it still answers): as Linux, such
	 * timeouts count only once the peer has been silent for rto_max.
	 */
	if (c->snd_wnd != 0 || s->now_ms - c->last_rcv_ms >= s->p.rto_max_ms) {
		if (c->retries >= s->p.data_retries) {
			tcp_conn_done(c, ETIMEDOUT);
			return;
		}
		c->retries++;
	}
	s->stats.rto_expiries++;
	if (c->backoff == 0) {
		/*
		 * The undo (RFC 3522) tells a spurious timeout by an echo older than the
		 * episode's first retransmission. With a loss probe out, that is the probe,
		 * whose repair this timeout cancels (TF_TLP_OUT is cleared below): no undo
		 * then, or an ACK of the probe would take back the only reduction.
		 */
		if ((c->flags & TF_TS) && !(c->flags & TF_TLP_RETRANS)) {
			c->undo_tsval = tcp_ts_now(c);
			c->undo_cwnd = c->cwnd;
			c->undo_ssthresh = c->ssthresh;
			c->flags |= TF_RTO_UNDO;
		}
		c->ssthresh = tcp_cc_table[c->cc]->ssthresh(c);
	} else {
		tcp_sack_reset(c);
	}
	c->cwnd = tcp_smss(c);
	c->cc_acc = 0;
	c->flags &= ~(TF_RECOVERY | TF_RTT_TIMING | TF_TLP_OUT | TF_TLP_RETRANS | TF_DSACK_UNDO);
	c->tlp_count = 0;
	c->dupacks = 0;
	c->recover = c->snd_max;
	if (c->backoff < 32)
		c->backoff++;
	if (c->flags & TF_SACK) {
		tcp_sq_mark_all_lost(c);
		if (c->lost_bytes == 0 && tcp_fin_sent(c)) /* only our FIN is out */
			tcp_retransmit(c, c->sndq_seq + c->sndq.bytes, 0);
		tcp_output(c);
		if (!weir_timer_pending(&c->rtx_timer))
			tcp_rtx_arm(c, TCP_RTX_RTO, tcp_rto_eff(c));
		return;
	}
	c->snd_nxt = c->snd_una;
	if (c->snd_wnd == 0) {
		/* The head goes out anyway, as a probe the peer answers with its window. */
		uint32_t len = c->snd_max - c->snd_una;
		int n;

		if (len > tcp_smss(c))
			len = tcp_smss(c);
		n = tcp_retransmit(c, c->snd_una, len);
		if (n > 0)
			c->snd_nxt = c->snd_una + (uint32_t)n;
	}
	tcp_output(c);
	/* A timer that fired is not pending: output armed it again unless nothing went out. */
	if (!weir_timer_pending(&c->rtx_timer))
		tcp_rtx_arm(c, TCP_RTX_RTO, tcp_rto_eff(c));
}

/*
 * The persist timer fired (RFC 9293 §3.8.6.1): data waits and nothing is in flight.
 * Send what the window allows even below a segment, else a probe (an ACK one below
 * snd_una, which the peer must answer with its window), and back off. Unanswered
 * probes end the connection after data_retries, as Linux does.
 */
static void persist_fire(struct weir_tcp_conn *c)
{
	struct weir_tcp_stack *s = c->s;
	uint32_t wnd_end = c->snd_una + c->snd_wnd, unsent = tcp_unsent(c), len;

	if (c->retries >= s->p.data_retries) {
		tcp_conn_done(c, ETIMEDOUT);
		return;
	}
	c->retries++;
	if (c->backoff < 32)
		c->backoff++;
	if (unsent > 0 && SEQ_LT(c->snd_nxt, wnd_end)) {
		len = wnd_end - c->snd_nxt;
		if (len > unsent)
			len = unsent;
		if (len > tcp_smss(c))
			len = tcp_smss(c);
		if (tcp_retransmit(c, c->snd_nxt, len) > 0) {
			c->snd_nxt += len;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
		}
	} else {
		s->stats.zero_window_probes++;
		tcp_send_ctl(c, c->snd_una - 1, RTE_TCP_ACK_FLAG);
	}
	if (c->snd_max == c->snd_una)
		tcp_rtx_arm(c, TCP_RTX_PERSIST, tcp_rto_eff(c));
	else
		tcp_timers_update(c);
}

/* The retransmission timer: SYN / SYN-ACK retries, RTO, or persist. */
static void rtx_timer_fn(struct weir_timer *t, uint64_t now)
{
	struct weir_tcp_conn *c = weir_timer_owner(t, struct weir_tcp_conn, rtx_timer);
	struct weir_tcp_stack *s = c->s;
	uint32_t max;

	(void)now;
	tcp_hold(c);
	switch (c->state) {
	case WEIR_TCP_SYN_SENT:
	case WEIR_TCP_SYN_RCVD:
		max = c->state == WEIR_TCP_SYN_SENT ? s->p.syn_retries : s->p.synack_retries;
		if (c->retries >= max) {
			tcp_conn_done(c, ETIMEDOUT);
			break;
		}
		c->retries++;
		if (c->backoff < 32)
			c->backoff++;
		c->flags |= TF_SYN_RXMIT;
		s->stats.rto_expiries++;
		tcp_send_syn(c);
		tcp_rtx_arm(c, TCP_RTX_RTO, tcp_rto_eff(c));
		break;
	default:
		if (c->rtx_mode == TCP_RTX_PERSIST) {
			persist_fire(c);
		} else if (c->snd_max == c->snd_una || !tcp_can_send(c)) {
			c->rtx_mode = TCP_RTX_NONE;
		} else if (c->rtx_mode == TCP_RTX_REO) {
			tcp_rack_timeout(c);
		} else if (c->rtx_mode == TCP_RTX_TLP && tcp_tlp_eligible(c)) {
			/* Also when the probe was capped at the RTO: it stands in for it. */
			tcp_tlp_fire(c);
		} else if (c->rtx_mode == TCP_RTX_TLP && c->rto_at_ms > s->now_ms) {
			tcp_rtx_arm_at(c, TCP_RTX_RTO, c->rto_at_ms); /* no probe now */
		} else {
			rto_fire(c);
		}
		break;
	}
	tcp_unhold(c);
}

/* The delayed ACK is due. */
static void delack_timer_fn(struct weir_timer *t, uint64_t now)
{
	struct weir_tcp_conn *c = weir_timer_owner(t, struct weir_tcp_conn, delack_timer);

	(void)now;
	if (!(c->flags & TF_DELACK))
		return;
	c->flags |= TF_ACK_NOW;
	tcp_hold(c);
	tcp_output(c);
	tcp_unhold(c);
}

/*
 * TIME_WAIT ends; an orphaned FIN_WAIT_2 ends (with RST, as Linux); or keepalive
 * (when on): after keepalive_ms without a segment from the peer and nothing of ours in
 * flight, a probe every keepalive_intvl_ms; keepalive_probes unanswered ones end the
 * connection with RST and ETIMEDOUT.
 */
static void keep_timer_fn(struct weir_timer *t, uint64_t now)
{
	struct weir_tcp_conn *c = weir_timer_owner(t, struct weir_tcp_conn, keep_timer);
	struct weir_tcp_stack *s = c->s;
	const struct weir_tcp_params *p = &s->p;
	uint64_t idle;

	(void)now;
	tcp_hold(c);
	if (c->state == WEIR_TCP_TIME_WAIT) {
		tcp_conn_done(c, 0);
		goto out;
	}
	if (c->state == WEIR_TCP_FIN_WAIT_2 && (c->flags & TF_OWNER_CLOSED)) {
		if (tcp_send_ctl(c, c->snd_max, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) == 0)
			s->stats.rst_out++;
		tcp_conn_done(c, 0);
		goto out;
	}
	if (p->keepalive_ms == 0 ||
	    (c->state != WEIR_TCP_ESTABLISHED && c->state != WEIR_TCP_CLOSE_WAIT &&
	     c->state != WEIR_TCP_FIN_WAIT_1 && c->state != WEIR_TCP_FIN_WAIT_2))
		goto out;
	if (c->snd_max != c->snd_una || tcp_unsent(c) > 0) {
		tcp_keep_arm(c, p->keepalive_ms);
		goto out;
	}
	idle = s->now_ms - c->last_rcv_ms;
	if (idle < p->keepalive_ms) {
		tcp_keep_arm(c, (uint32_t)(p->keepalive_ms - idle));
		goto out;
	}
	if (c->ka_probes >= p->keepalive_probes) {
		if (tcp_send_ctl(c, c->snd_max, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) == 0)
			s->stats.rst_out++;
		tcp_conn_done(c, ETIMEDOUT);
		goto out;
	}
	c->ka_probes++;
	s->stats.keepalive_probes++;
	tcp_send_ctl(c, c->snd_una - 1, RTE_TCP_ACK_FLAG);
	tcp_keep_arm(c, p->keepalive_intvl_ms);
out:
	tcp_unhold(c);
}

/* Set up the three timers of a fresh @c. */
void tcp_timers_init(struct weir_tcp_conn *c)
{
	weir_timer_init(&c->rtx_timer, rtx_timer_fn);
	weir_timer_init(&c->delack_timer, delack_timer_fn);
	weir_timer_init(&c->keep_timer, keep_timer_fn);
}

/* Stop every timer of @c. */
void tcp_timers_cancel(struct weir_tcp_conn *c)
{
	struct weir_timer_wheel *tw = c->s->tw;

	weir_timer_cancel(tw, &c->rtx_timer);
	weir_timer_cancel(tw, &c->delack_timer);
	weir_timer_cancel(tw, &c->keep_timer);
	c->rtx_mode = TCP_RTX_NONE;
}
