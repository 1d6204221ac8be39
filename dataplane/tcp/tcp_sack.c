/* SPDX-License-Identifier: BSD-3-Clause */
/* The sender's scoreboard: per-segment state in the send queue (RFC 2018, RFC 6675, RFC 8985). */
#include "tcp/tcp_impl.h"

/*
 * The send queue holds [sndq_seq, sndq_seq + sndq.bytes); each mbuf carries its state
 * (sq_flags(), sq_xmit()). With SACK the queue is cut at the edges of what was sent
 * and of what the peer SACKed, so a flag always describes a whole mbuf; without SACK
 * only the transmit times are used. The connection keeps the totals of SQ_SACKED and
 * SQ_LOST bytes, which make pipe O(1); every change of those flags goes through this
 * file or tcp_rack.c and moves the totals with it. Our FIN, one sequence number after
 * the queue, has a place of its own: its send time (fin_xmit_us) and TF_FIN_LOST, so
 * that RACK finds it lost as it does data (as Linux, whose FIN is in an skb).
 */

/* The segment of the send queue holding @seq (in the queue), and the offset in it. */
struct rte_mbuf *tcp_sndq_find(struct weir_tcp_conn *c, uint32_t seq, uint32_t *off)
{
	struct rte_mbuf *m;
	uint32_t at;

	if (c->cur_m != NULL && SEQ_GE(seq, c->cur_seq)) {
		m = c->cur_m;
		at = c->cur_seq;
	} else {
		m = c->sndq.head;
		at = c->sndq_seq;
	}
	while (m != NULL && SEQ_GE(seq, at + m->data_len)) {
		at += m->data_len;
		m = m->next;
	}
	c->cur_m = m;
	c->cur_seq = at;
	*off = seq - at;
	return m;
}

/*
 * Make @seq start an mbuf of the send queue (with SACK): the mbuf holding it is cut
 * in two, the second part an indirect mbuf on the same buffer with the same state.
 * Nothing happens when @seq is outside the queue or already an edge. False (counted)
 * when the pool is empty: the state then stays per mbuf, a little coarser, which SACK
 * blocks can live with but a transmission cannot (send_seg()).
 */
bool tcp_sq_split(struct weir_tcp_conn *c, uint32_t seq)
{
	struct rte_mbuf *m, *mi;
	uint32_t off;

	if (!(c->flags & TF_SACK) || !SEQ_GT(seq, c->sndq_seq) ||
	    !SEQ_LT(seq, c->sndq_seq + c->sndq.bytes))
		return true;
	m = tcp_sndq_find(c, seq, &off);
	if (m == NULL || off == 0)
		return true;
	mi = rte_pktmbuf_alloc(c->s->pool);
	if (mi == NULL) {
		tcp_st(c)->no_mbufs++;
		return false;
	}
	rte_pktmbuf_attach(mi, m); /* the hash field, our state, comes along */
	mi->data_off = (uint16_t)(m->data_off + off);
	mi->data_len = (uint16_t)(m->data_len - off);
	mi->pkt_len = mi->data_len;
	m->data_len = (uint16_t)off;
	mi->next = m->next;
	m->next = mi;
	if (c->sndq.tail == m)
		c->sndq.tail = mi;
	c->sndq.nsegs++;
	return true;
}

/* Clear @fl (SQ_SACKED or SQ_LOST) from mbuf @m, @n of whose bytes are counted. */
static void sq_clear(struct weir_tcp_conn *c, struct rte_mbuf *m, uint32_t fl, uint32_t n)
{
	uint32_t *f = sq_flags(m);

	if (!(*f & fl))
		return;
	*f &= ~fl;
	if (fl == SQ_SACKED)
		c->sacked -= n;
	else
		c->lost_bytes -= n;
}

/*
 * [seq, seq + len) of the queue, and our FIN after it when @fin, was just transmitted
 * (@rexmit: again): stamp it, and a retransmission is no longer lost (a FIN sent is
 * not either). With SACK, its edges are mbuf edges already (send_seg() cut them): no
 * byte outside it is stamped. The clock moves once per loop while a burst goes out:
 * each segment's stamp is at least one microsecond after the previous one's, so that
 * stamps order transmissions (RACK compares them) and run ahead of the clock by at most
 * the burst.
 */
void tcp_sq_sent(struct weir_tcp_conn *c, uint32_t seq, uint32_t len, bool fin, bool rexmit)
{
	uint32_t now = (uint32_t)c->s->now_us, end = seq + len, at, off;
	struct rte_mbuf *m;
	int32_t d;

	if (len == 0 && !fin)
		return;
	d = (int32_t)(now - c->last_xmit_us);
	if (d <= 0 && d > -(1 << 20)) /* not a stale stamp from long ago */
		now = c->last_xmit_us + 1;
	c->last_xmit_us = now;
	if (fin) {
		c->fin_xmit_us = now;
		c->flags &= ~TF_FIN_LOST;
	}
	if (len == 0 || SEQ_LT(seq, c->sndq_seq) || !SEQ_LT(seq, c->sndq_seq + c->sndq.bytes))
		return;
	m = tcp_sndq_find(c, seq, &off);
	for (at = seq - off; m != NULL && SEQ_LT(at, end); at += m->data_len, m = m->next) {
		if (rexmit) {
			sq_clear(c, m, SQ_LOST, m->data_len);
			*sq_flags(m) |= SQ_RETRANS;
		}
		*sq_flags(m) |= SQ_SENT;
		*sq_xmit(m) = now;
	}
}

/*
 * A cumulative ACK up to @ack, before the queue is trimmed: what it delivers that was
 * not SACKed goes to RACK, and the totals lose what leaves the queue. Returns the
 * bytes delivered that were not SACKed before (DeliveredData of RFC 6937, in part).
 */
uint32_t tcp_sq_acked(struct weir_tcp_conn *c, uint32_t ack, const struct tcp_opts *o,
		      uint32_t prior_fack)
{
	struct rte_mbuf *m = c->sndq.head;
	uint32_t at = c->sndq_seq, delivered = 0;

	for (; m != NULL && SEQ_LT(at, ack); at += m->data_len, m = m->next) {
		uint32_t n = SEQ_LT(ack, at + m->data_len) ? ack - at : m->data_len;
		uint32_t fl = *sq_flags(m);

		if (fl & SQ_SACKED) {
			c->sacked -= n;
			continue;
		}
		if (fl & SQ_LOST)
			c->lost_bytes -= n;
		delivered += n;
		if (c->flags & TF_SACK)
			tcp_rack_delivered(c, at + m->data_len, *sq_xmit(m), fl, o, prior_fack,
					   true);
	}
	return delivered;
}

/*
 * Take the SACK blocks of an incoming ACK (after snd_una was advanced). Blocks outside
 * (snd_una, snd_max] are ignored (D-SACKs among them). Each newly SACKed mbuf is no
 * longer lost, and goes to RACK. Returns the bytes newly SACKed: RFC 6675 counts such
 * an ACK as a duplicate.
 */
uint32_t tcp_sack_update(struct weir_tcp_conn *c, const struct tcp_opts *o, uint32_t prior_fack)
{
	uint32_t q_end = c->sndq_seq + c->sndq.bytes, newly = 0;
	unsigned int i;

	for (i = 0; i < o->nsack; i++) {
		uint32_t s = o->sack[i].start, e = o->sack[i].end, at, off;
		struct rte_mbuf *m;

		if (!SEQ_LT(s, e) || SEQ_LT(s, c->snd_una) || SEQ_GT(e, c->snd_max))
			continue;
		tcp_st(c)->sack_blocks_in++;
		if (SEQ_GT(e, q_end)) {
			/*
			 * Our FIN, SACKed: delivered, so RACK never deems it lost (it may
			 * have been sent more than once: no RTT sample without timestamps).
			 */
			if (tcp_fin_sent(c) && !c->fin_sacked) {
				c->fin_sacked = 1;
				c->flags &= ~TF_FIN_LOST;
				tcp_rack_delivered(c, q_end + 1, c->fin_xmit_us, SQ_RETRANS, o,
						   prior_fack, false);
			}
			e = q_end;
		}
		if (SEQ_LT(s, c->sndq_seq))
			s = c->sndq_seq; /* our SYN */
		if (!SEQ_LT(s, e))
			continue;
		tcp_sq_split(c, s);
		tcp_sq_split(c, e);
		m = tcp_sndq_find(c, s, &off);
		if (m == NULL)
			continue;
		at = s - off;
		if (off != 0) { /* the edge could not be cut: that mbuf is not all SACKed */
			at += m->data_len;
			m = m->next;
		}
		for (; m != NULL && SEQ_LE(at + m->data_len, e); at += m->data_len, m = m->next) {
			uint32_t *fl = sq_flags(m);

			if (*fl & SQ_SACKED)
				continue;
			sq_clear(c, m, SQ_LOST, m->data_len);
			*fl |= SQ_SACKED;
			c->sacked += m->data_len;
			newly += m->data_len;
			tcp_rack_delivered(c, at + m->data_len, *sq_xmit(m), *fl, o, prior_fack,
					   false);
		}
	}
	return newly;
}

/* Forget every SACK (after repeated timeouts: the receiver may have reneged). */
void tcp_sack_reset(struct weir_tcp_conn *c)
{
	struct rte_mbuf *m;

	for (m = c->sndq.head; m != NULL && c->sacked > 0; m = m->next)
		sq_clear(c, m, SQ_SACKED, m->data_len);
	c->sacked = 0;
}

/* A timeout: everything sent and not SACKed is lost (RFC 6675 §5.1, as Linux). */
void tcp_sq_mark_all_lost(struct weir_tcp_conn *c)
{
	struct rte_mbuf *m = c->sndq.head;
	uint32_t at = c->sndq_seq;

	for (; m != NULL && SEQ_LT(at, c->snd_max); at += m->data_len, m = m->next) {
		uint32_t *fl = sq_flags(m);

		if ((*fl & (SQ_SACKED | SQ_LOST)) || !(*fl & SQ_SENT))
			continue;
		*fl |= SQ_LOST;
		c->lost_bytes += m->data_len;
	}
	c->lost_low = c->snd_una;
}

/* The timeout was spurious: nothing is lost after all. */
void tcp_sq_unmark_lost(struct weir_tcp_conn *c)
{
	struct rte_mbuf *m;

	for (m = c->sndq.head; m != NULL && c->lost_bytes > 0; m = m->next)
		sq_clear(c, m, SQ_LOST, m->data_len);
	c->lost_bytes = 0;
	c->flags &= ~TF_FIN_LOST;
}

/*
 * RFC 6675 NextSeg rule 1, with RACK's marks: the first lost range, in *@seq, and its
 * bytes (consecutive lost mbufs), in *@len; after the data, our FIN when it is lost
 * (*@len 0: tcp_retransmit() sends the FIN). False when none.
 */
bool tcp_sack_next_lost(struct weir_tcp_conn *c, uint32_t *seq, uint32_t *len)
{
	uint32_t at, off, n = 0, q_end = c->sndq_seq + c->sndq.bytes;
	struct rte_mbuf *m;

	if (c->lost_bytes == 0) {
		if (!(c->flags & TF_FIN_LOST) || !tcp_fin_sent(c) || SEQ_GT(c->snd_una, q_end))
			return false;
		*seq = q_end;
		*len = 0;
		return true;
	}
	if (SEQ_LT(c->lost_low, c->sndq_seq))
		c->lost_low = c->sndq_seq;
	m = tcp_sndq_find(c, c->lost_low, &off);
	for (at = c->lost_low - off; m != NULL && !(*sq_flags(m) & SQ_LOST); m = m->next)
		at += m->data_len;
	if (m == NULL && c->lost_low != c->sndq_seq) {
		/* The hint was wrong: look from the start. */
		c->lost_low = c->sndq_seq;
		return tcp_sack_next_lost(c, seq, len);
	}
	if (m == NULL)
		return false;
	c->lost_low = at;
	for (; m != NULL && (*sq_flags(m) & SQ_LOST); m = m->next)
		n += m->data_len;
	*seq = at;
	*len = n;
	return true;
}

/*
 * Bytes believed in flight (RFC 6675 pipe, as Linux counts it): the data sent and not
 * acknowledged, less what was SACKed and what is lost and not yet sent again. Our FIN
 * does not count, lost or not: it must not hold a segment back.
 */
uint32_t tcp_sack_pipe(const struct weir_tcp_conn *c)
{
	uint32_t q_end = c->sndq_seq + c->sndq.bytes, gone = c->sacked + c->lost_bytes;
	uint32_t top = SEQ_LT(c->snd_max, q_end) ? c->snd_max : q_end;
	uint32_t out = SEQ_GT(top, c->snd_una) ? top - c->snd_una : 0;

	return out > gone ? out - gone : 0;
}

/*
 * For tests and the fuzz target: do the totals match the flags of the queue? And, with
 * SACK, does no mbuf marked sent or lost reach beyond what was sent (snd_max)?
 */
bool tcp_sq_check(struct weir_tcp_conn *c)
{
	struct rte_mbuf *m;
	uint32_t sacked = 0, lost = 0, at = c->sndq_seq;

	for (m = c->sndq.head; m != NULL; at += m->data_len, m = m->next) {
		uint32_t fl = *sq_flags(m);

		if ((fl & SQ_SACKED) && (fl & SQ_LOST))
			return false;
		if ((c->flags & TF_SACK) && (fl & (SQ_SENT | SQ_LOST)) &&
		    (!(fl & SQ_SENT) || SEQ_GT(at + m->data_len, c->snd_max)))
			return false;
		if (fl & SQ_SACKED)
			sacked += m->data_len;
		if (fl & SQ_LOST)
			lost += m->data_len;
	}
	return sacked == c->sacked && lost == c->lost_bytes;
}
