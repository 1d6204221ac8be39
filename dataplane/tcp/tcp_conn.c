/* SPDX-License-Identifier: BSD-3-Clause */
/* Connections: the stack and its pool, states and lifecycle, and the owner's calls. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "conf/conf.h"
#include "tcp/tcp_impl.h"

/* The config loader counts connections of this size (conf/memory.c). */
_Static_assert(RTE_CACHE_LINE_SIZE != 64 || sizeof(struct weir_tcp_conn) == WEIR_MEM_TCP_CONN,
	       "WEIR_MEM_TCP_CONN (conf/conf.h) must follow struct weir_tcp_conn");

static const char *const state_names[WEIR_TCP_NB_STATES] = {
	[WEIR_TCP_CLOSED] = "CLOSED",           [WEIR_TCP_LISTEN] = "LISTEN",
	[WEIR_TCP_SYN_SENT] = "SYN_SENT",       [WEIR_TCP_SYN_RCVD] = "SYN_RCVD",
	[WEIR_TCP_ESTABLISHED] = "ESTABLISHED", [WEIR_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[WEIR_TCP_FIN_WAIT_2] = "FIN_WAIT_2",   [WEIR_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[WEIR_TCP_CLOSING] = "CLOSING",         [WEIR_TCP_LAST_ACK] = "LAST_ACK",
	[WEIR_TCP_TIME_WAIT] = "TIME_WAIT",
};

/* Accepts any state value; returns a static name ("?" when out of range). */
const char *weir_tcp_state_name(enum weir_tcp_state st)
{
	if ((unsigned int)st >= WEIR_TCP_NB_STATES)
		return "?";
	return state_names[st];
}

/* A zero parameter takes its default (tcp.h lists them). */
static void params_defaults(struct weir_tcp_params *p)
{
#define DEF(f, v)                   \
	do {                        \
		if (p->f == 0)      \
			p->f = (v); \
	} while (0)
	DEF(mss, 1460);
	DEF(rcvbuf, 256 * 1024);
	DEF(sndbuf, 256 * 1024);
	DEF(rto_min_ms, 200);
	DEF(rto_max_ms, 120000);
	DEF(rto_init_ms, 1000);
	DEF(delack_ms, 40);
	DEF(time_wait_ms, 60000);
	DEF(fin_wait2_ms, 60000);
	DEF(keepalive_intvl_ms, 75000);
	DEF(keepalive_probes, 9);
	DEF(syn_retries, 6);
	DEF(synack_retries, 5);
	DEF(data_retries, 15);
#undef DEF
	if (p->mss < 64)
		p->mss = 64;
	if (p->mss > 65495)
		p->mss = 65495;
	if (p->rto_min_ms > p->rto_max_ms)
		p->rto_min_ms = p->rto_max_ms;
	if (p->rcvbuf < 2u * p->mss)
		p->rcvbuf = 2u * p->mss;
	if (p->rcvbuf > (1u << 30))
		p->rcvbuf = 1u << 30;
	/* Counters are 8 bits wide. */
	if (p->syn_retries > 250)
		p->syn_retries = 250;
	if (p->synack_retries > 250)
		p->synack_retries = 250;
	if (p->data_retries > 250)
		p->data_retries = 250;
	if (p->keepalive_probes > 250)
		p->keepalive_probes = 250;
}

/*
 * Accepts params with max_conns and syn_backlog set, ops with every callback, a timer
 * wheel in milliseconds and a pool of mbufs with RTE_PKTMBUF_HEADROOM of headroom;
 * allocates everything on @socket. Returns the stack, or NULL with errno (EINVAL,
 * ENOMEM).
 */
struct weir_tcp_stack *weir_tcp_stack_create(const struct weir_tcp_params *params,
					     const struct weir_tcp_ops *ops, void *owner,
					     struct weir_timer_wheel *tw, struct rte_mempool *pool,
					     int socket)
{
	struct weir_tcp_stack *s;
	uint32_t i;

	if (params == NULL || ops == NULL || tw == NULL || pool == NULL || params->max_conns == 0 ||
	    params->syn_backlog == 0 || ops->xmit == NULL || ops->reply == NULL ||
	    ops->closed == NULL || ops->passive_new == NULL || ops->established == NULL ||
	    ops->readable == NULL || ops->writable == NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("weir_tcp", sizeof(*s), RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->conns = rte_zmalloc_socket("weir_tcp_conns", sizeof(*s->conns) * params->max_conns,
				      RTE_CACHE_LINE_SIZE, socket);
	if (s->conns == NULL) {
		rte_free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->p = *params;
	params_defaults(&s->p);
	s->ops = ops;
	s->owner = owner;
	s->tw = tw;
	s->pool = pool;
	s->tsc_hz = rte_get_tsc_hz();
	for (i = params->max_conns; i-- > 0;) {
		s->conns[i].flags = TF_FREE;
		s->conns[i].next_free = s->free_list;
		s->free_list = &s->conns[i];
	}
	while (s->rcv_wscale < TCP_MAX_WSCALE && (s->p.rcvbuf >> s->rcv_wscale) > 65535)
		s->rcv_wscale++;
	tcp_keys_init(s);
	return s;
}

/* Accepts NULL. Frees every queued mbuf and cancels every timer; no callback runs. */
void weir_tcp_stack_free(struct weir_tcp_stack *s)
{
	uint32_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->p.max_conns; i++) {
		struct weir_tcp_conn *c = &s->conns[i];
		unsigned int j;

		if (c->flags & TF_FREE)
			continue;
		tcp_timers_cancel(c);
		tcp_mq_free(&c->rcvq);
		tcp_mq_free(&c->sndq);
		for (j = 0; j < c->nooo; j++)
			tcp_mq_free(&c->ooo[j].q);
	}
	rte_free(s->conns);
	rte_free(s);
}

/* Accepts any @tsc (cycles since boot); keeps milliseconds and microseconds from it. */
void weir_tcp_clock(struct weir_tcp_stack *s, uint64_t tsc)
{
	uint64_t sec = tsc / s->tsc_hz, rem = tsc % s->tsc_hz;

	s->now_ms = sec * 1000 + rem * 1000 / s->tsc_hz;
	s->now_us = sec * 1000000 + rem * 1000000 / s->tsc_hz;
}

/* The counters of @s, live (read them on its worker, or tolerate torn reads). */
const struct weir_tcp_stats *weir_tcp_stats(const struct weir_tcp_stack *s)
{
	return &s->stats;
}

/* Any listener; O(max_conns). See tcp.h. */
void weir_tcp_listener_forget(struct weir_tcp_stack *s, struct weir_tcp_listener *l)
{
	uint32_t i;

	for (i = 0; i < s->p.max_conns; i++)
		if (!(s->conns[i].flags & TF_FREE) && s->conns[i].listener == l)
			s->conns[i].listener = NULL;
	l->syn_rcvd = 0;
}

/* A zeroed connection from the free list, in CLOSED (not counted), or NULL. */
struct weir_tcp_conn *tcp_conn_alloc(struct weir_tcp_stack *s)
{
	struct weir_tcp_conn *c = s->free_list;

	if (c == NULL)
		return NULL;
	s->free_list = c->next_free;
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->cc = s->p.cc;
	c->rto_ms = s->p.rto_init_ms;
	c->peer_mss = 536;
	c->snd_wscale = 0;
	c->rcv_wscale = 0;
	tcp_timers_init(c);
	return c;
}

/* Move @c to @st, keeping the state gauges (CLOSED is not counted). */
void tcp_set_state(struct weir_tcp_conn *c, enum weir_tcp_state st)
{
	struct weir_tcp_stats *stt = tcp_st(c);

	if (c->state != WEIR_TCP_CLOSED)
		stt->states[c->state]--;
	if (st != WEIR_TCP_CLOSED)
		stt->states[st]++;
	c->state = (uint8_t)st;
}

/* Leave the SYN backlog if @c is counted there. */
void tcp_backlog_leave(struct weir_tcp_conn *c)
{
	if (!(c->flags & TF_BACKLOG))
		return;
	c->flags &= ~TF_BACKLOG;
	c->s->syn_rcvd--;
	if (c->listener != NULL && c->listener->syn_rcvd > 0)
		c->listener->syn_rcvd--;
}

/* Give @c back to the free list once it is dead and no stack frame uses it. */
void tcp_conn_release(struct weir_tcp_conn *c)
{
	struct weir_tcp_stack *s = c->s;

	if (c->busy != 0 || !(c->flags & TF_DEAD) || (c->flags & TF_FREE))
		return;
	c->flags = TF_FREE;
	c->next_free = s->free_list;
	s->free_list = c;
}

/* End of a stack frame that held @c: free it if it died, else run deferred output. */
void tcp_unhold(struct weir_tcp_conn *c)
{
	c->busy--;
	if (c->busy != 0)
		return;
	if (c->flags & TF_DEAD)
		tcp_conn_release(c);
	else if (c->flags & TF_OUTPUT)
		tcp_output(c);
}

/*
 * End @c with @err (0 or a positive errno): timers stop, counters move, the owner hears
 * ops->closed() if it knows @c, and the queues are freed. @c itself is freed once no
 * stack frame holds it. Does nothing the second time.
 */
void tcp_conn_done(struct weir_tcp_conn *c, int err)
{
	struct weir_tcp_stats *st = tcp_st(c);
	unsigned int i;

	if (c->flags & TF_DEAD)
		return;
	c->flags |= TF_DEAD;
	tcp_backlog_leave(c);
	tcp_timers_cancel(c);
	if (c->state == WEIR_TCP_SYN_SENT || c->state == WEIR_TCP_SYN_RCVD)
		st->attempt_fails++;
	else if ((c->state == WEIR_TCP_ESTABLISHED || c->state == WEIR_TCP_CLOSE_WAIT) && err)
		st->estab_resets++;
	if (err == ETIMEDOUT)
		st->timeouts++;
	tcp_set_state(c, WEIR_TCP_CLOSED);
	if (c->flags & TF_ANNOUNCED) {
		c->flags &= ~TF_ANNOUNCED;
		c->busy++;
		c->s->ops->closed(c, err);
		c->busy--;
	}
	tcp_mq_free(&c->rcvq);
	tcp_mq_free(&c->sndq);
	for (i = 0; i < c->nooo; i++)
		tcp_mq_free(&c->ooo[i].q);
	c->nooo = 0;
	c->ooo_bytes = 0;
	c->cur_m = NULL;
	tcp_conn_release(c);
}

/*
 * The handshake of @c completed: ESTABLISHED (or FIN_WAIT_1 when the owner shut it down
 * meanwhile), keepalive armed, and the owner told.
 */
void tcp_established(struct weir_tcp_conn *c)
{
	tcp_backlog_leave(c);
	c->retries = 0;
	c->backoff = 0;
	tcp_set_state(c, (c->flags & TF_FIN_QUEUED) ? WEIR_TCP_FIN_WAIT_1 : WEIR_TCP_ESTABLISHED);
	c->last_rcv_ms = c->s->now_ms;
	if (c->s->p.keepalive_ms)
		tcp_keep_arm(c, c->s->p.keepalive_ms);
	c->s->ops->established(c);
}

/* Set @c's full-segment size from the peer's MSS and ours (RFC 6691), and its CC. */
void tcp_conn_init_mss(struct weir_tcp_conn *c)
{
	uint16_t m = c->peer_mss < c->s->p.mss ? c->peer_mss : c->s->p.mss;

	if (m < 64)
		m = 64;
	c->eff_mss = m;
	c->rcv_mss = (uint16_t)tcp_smss(c);
	tcp_cc_init(c);
}

/* Bytes the receive buffer of @c has room for (rcvbuf less what it holds). */
uint32_t tcp_space(const struct weir_tcp_conn *c)
{
	uint32_t held = c->rcvq.bytes + c->ooo_bytes;

	return held < c->s->p.rcvbuf ? c->s->p.rcvbuf - held : 0;
}

/* ---- byte queues of mbufs ---- */

/* Append the chain @m segment by segment; empty segments are freed on the way. */
void tcp_mq_append(struct tcp_mq *q, struct rte_mbuf *m)
{
	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		m->next = NULL;
		if (m->data_len == 0) {
			rte_pktmbuf_free_seg(m);
		} else {
			if (q->tail != NULL)
				q->tail->next = m;
			else
				q->head = m;
			q->tail = m;
			q->bytes += m->data_len;
			q->nsegs++;
		}
		m = next;
	}
}

/* Free every mbuf of @q; leaves it empty. */
void tcp_mq_free(struct tcp_mq *q)
{
	struct rte_mbuf *m = q->head;

	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		m->next = NULL;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	memset(q, 0, sizeof(*q));
}

/* Drop the first @n bytes of @q (n <= q->bytes): whole segments freed, one adjusted. */
void tcp_mq_trim_front(struct tcp_mq *q, uint32_t n)
{
	while (n > 0 && q->head != NULL) {
		struct rte_mbuf *m = q->head;

		if (m->data_len <= n) {
			n -= m->data_len;
			q->bytes -= m->data_len;
			q->head = m->next;
			if (q->head == NULL)
				q->tail = NULL;
			m->next = NULL;
			q->nsegs--;
			rte_pktmbuf_free_seg(m);
		} else {
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			q->bytes -= n;
			n = 0;
		}
	}
}

/* Keep the first @keep bytes of @q, freeing the rest. */
void tcp_mq_trim_back(struct tcp_mq *q, uint32_t keep)
{
	struct rte_mbuf *m = q->head, *last = NULL;
	uint32_t sum = 0, n = 0;

	if (keep >= q->bytes)
		return;
	if (keep == 0) {
		tcp_mq_free(q);
		return;
	}
	while (m != NULL && sum + m->data_len < keep) {
		sum += m->data_len;
		n++;
		m = m->next;
	}
	/* m holds byte keep - 1: cut it there and free what follows. */
	m->data_len = (uint16_t)(keep - sum);
	last = m->next;
	m->next = NULL;
	while (last != NULL) {
		struct rte_mbuf *next = last->next;

		last->next = NULL;
		rte_pktmbuf_free_seg(last);
		last = next;
	}
	q->tail = m;
	q->bytes = keep;
	q->nsegs = n + 1;
}

/* Move everything of @b to the end of @a; @b ends empty. */
void tcp_mq_concat(struct tcp_mq *a, struct tcp_mq *b)
{
	if (b->head == NULL)
		return;
	if (a->tail != NULL)
		a->tail->next = b->head;
	else
		a->head = b->head;
	a->tail = b->tail;
	a->bytes += b->bytes;
	a->nsegs += b->nsegs;
	memset(b, 0, sizeof(*b));
}

/*
 * tcp_mq_concat(), but a small @b (at most TCP_MQ_COPY_MAX bytes) is copied into the
 * last buffer of @a when that one has the room (and is not shared), and its own
 * buffers freed: a buffer held per tiny segment would let a peer pin the packet pool
 * with one-byte segments (Linux collapses its queues for the same reason).
 */
void tcp_mq_concat_compact(struct tcp_mq *a, struct tcp_mq *b)
{
	struct rte_mbuf *t = a->tail, *m;

	if (b->head == NULL || t == NULL || b->bytes > TCP_MQ_COPY_MAX || !RTE_MBUF_DIRECT(t) ||
	    rte_mbuf_refcnt_read(t) != 1 || rte_pktmbuf_tailroom(t) < b->bytes) {
		tcp_mq_concat(a, b);
		return;
	}
	for (m = b->head; m != NULL; m = m->next) {
		memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len),
		       rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		t->data_len = (uint16_t)(t->data_len + m->data_len);
	}
	a->bytes += b->bytes;
	tcp_mq_free(b);
}

/* ---- the owner's calls ---- */

/* The owner's pointer of @c. */
void *weir_tcp_ctx(const struct weir_tcp_conn *c)
{
	return c->ctx;
}

/* Set the owner's pointer of @c (any value). */
void weir_tcp_set_ctx(struct weir_tcp_conn *c, void *ctx)
{
	c->ctx = ctx;
}

/* The 4-tuple of @c, network order, into four non-NULL pointers. */
void weir_tcp_tuple(const struct weir_tcp_conn *c, uint32_t *laddr, uint16_t *lport,
		    uint32_t *raddr, uint16_t *rport)
{
	*laddr = c->laddr;
	*lport = c->lport;
	*raddr = c->raddr;
	*rport = c->rport;
}

/* The state of @c (CLOSED inside ops->closed()). */
enum weir_tcp_state weir_tcp_state(const struct weir_tcp_conn *c)
{
	return (enum weir_tcp_state)c->state;
}

/* In-order bytes waiting in the receive queue. */
uint32_t weir_tcp_recv_avail(const struct weir_tcp_conn *c)
{
	return c->rcvq.bytes;
}

/* The peer's FIN was taken and nothing is left to read. */
bool weir_tcp_eof(const struct weir_tcp_conn *c)
{
	return (c->flags & TF_FIN_RCVD) && c->rcvq.bytes == 0;
}

/*
 * After the owner took data: send a window update when the right edge we could offer
 * moved by at least min(2 segments, half the buffer), or when the window had fallen
 * below a segment and now holds one (receiver-side SWS avoidance, RFC 9293 §3.8.6.2.2).
 */
static void window_update_check(struct weir_tcp_conn *c)
{
	uint32_t space = tcp_space(c), edge = c->rcv_nxt + space, mss = c->rcv_mss;
	uint32_t big = 2 * mss < c->s->p.rcvbuf / 2 ? 2 * mss : c->s->p.rcvbuf / 2;
	uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (c->state != WEIR_TCP_ESTABLISHED && c->state != WEIR_TCP_FIN_WAIT_1 &&
	    c->state != WEIR_TCP_FIN_WAIT_2)
		return;
	if (!SEQ_GT(edge, c->rcv_adv))
		return;
	if (edge - c->rcv_adv >= big || (cur < mss && space >= mss)) {
		c->flags |= TF_ACK_NOW;
		tcp_output_soon(c);
	}
}

/*
 * Take up to @max bytes from the receive queue: whole mbufs, the last one split by an
 * indirect clone when @max cuts it (when no mbuf is left for that clone, fewer bytes
 * come back, maybe none). Returns the chain with pkt_len and nb_segs set, or NULL.
 */
struct rte_mbuf *weir_tcp_recv(struct weir_tcp_conn *c, uint32_t max)
{
	struct tcp_mq *q = &c->rcvq;
	struct rte_mbuf *first = q->head, *m = first, *last = NULL, *part = NULL;
	uint32_t bytes = 0, n = 0;

	if (first == NULL || max == 0)
		return NULL;
	while (m != NULL && bytes + m->data_len <= max && n < TCP_RECV_SEGS) {
		bytes += m->data_len;
		n++;
		last = m;
		m = m->next;
	}
	if (m != NULL && bytes < max && n < TCP_RECV_SEGS) {
		uint16_t take = (uint16_t)(max - bytes);

		part = rte_pktmbuf_alloc(c->s->pool);
		if (part != NULL) {
			rte_pktmbuf_attach(part, m);
			part->data_len = take;
			part->pkt_len = take;
			m->data_off = (uint16_t)(m->data_off + take);
			m->data_len = (uint16_t)(m->data_len - take);
			bytes += take;
		} else {
			tcp_st(c)->no_mbufs++;
		}
	}
	if (bytes == 0)
		return NULL;
	if (last != NULL) {
		q->head = last->next;
		last->next = part;
		if (q->head == NULL)
			q->tail = NULL;
		q->nsegs -= n;
	} else {
		first = part;
	}
	if (part != NULL)
		n++;
	q->bytes -= bytes;
	first->pkt_len = bytes;
	first->nb_segs = (uint16_t)n;
	window_update_check(c);
	return first;
}

/*
 * Room in the send buffer. A short answer (anything queued) asks for ops->writable()
 * once acknowledgements have freed at least half the buffer.
 */
uint32_t weir_tcp_send_space(const struct weir_tcp_conn *c)
{
	struct weir_tcp_conn *w = (struct weir_tcp_conn *)(uintptr_t)c;
	uint32_t sndbuf = c->s->p.sndbuf;

	if ((c->flags & (TF_DEAD | TF_FIN_QUEUED | TF_OWNER_CLOSED)) ||
	    (c->state != WEIR_TCP_SYN_SENT && c->state != WEIR_TCP_SYN_RCVD &&
	     c->state != WEIR_TCP_ESTABLISHED && c->state != WEIR_TCP_CLOSE_WAIT))
		return 0;
	if (c->sndq.bytes >= sndbuf) {
		w->flags |= TF_WANT_WRITE;
		return 0;
	}
	if (c->sndq.bytes > 0)
		w->flags |= TF_WANT_WRITE;
	return sndbuf - c->sndq.bytes;
}

/* Accepts any payload chain; more than send_space() is taken too. See tcp.h. */
int weir_tcp_send(struct weir_tcp_conn *c, struct rte_mbuf *m)
{
	if ((c->flags & (TF_DEAD | TF_FIN_QUEUED | TF_OWNER_CLOSED)) ||
	    (c->state != WEIR_TCP_SYN_SENT && c->state != WEIR_TCP_SYN_RCVD &&
	     c->state != WEIR_TCP_ESTABLISHED && c->state != WEIR_TCP_CLOSE_WAIT)) {
		rte_pktmbuf_free(m);
		return -EPIPE;
	}
	for (struct rte_mbuf *x = m; x != NULL; x = x->next) {
		*sq_flags(x) = 0; /* the send queue's per-segment state (tcp_sack.c) */
		*sq_xmit(x) = 0;
	}
	tcp_mq_append(&c->sndq, m);
	if (tcp_can_send(c))
		tcp_output_soon(c);
	return 0;
}

/* Queue our FIN after the data; in the handshake it waits for ESTABLISHED. */
void weir_tcp_shutdown(struct weir_tcp_conn *c)
{
	if (c->flags & (TF_DEAD | TF_FIN_QUEUED))
		return;
	c->flags |= TF_FIN_QUEUED;
	if (c->state == WEIR_TCP_ESTABLISHED)
		tcp_set_state(c, WEIR_TCP_FIN_WAIT_1);
	else if (c->state == WEIR_TCP_CLOSE_WAIT)
		tcp_set_state(c, WEIR_TCP_LAST_ACK);
	else
		return;
	tcp_output_soon(c);
}

/* Send RST from a synchronised @c (RFC 9293 §3.10.4 ABORT: SEQ = SND.NXT). */
static void send_reset(struct weir_tcp_conn *c)
{
	if (c->state == WEIR_TCP_SYN_SENT || c->state == WEIR_TCP_CLOSED ||
	    c->state == WEIR_TCP_TIME_WAIT)
		return;
	if (tcp_send_ctl(c, c->snd_max, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) == 0)
		tcp_st(c)->rst_out++;
}

/*
 * Close as a socket's close() does: with unread data, RST at once (RFC 2525 §2.17);
 * in SYN_SENT, end quietly; otherwise FIN after the queued data, and any data that
 * still arrives is answered by RST. The ends are ECONNABORTED and 0.
 */
void weir_tcp_close(struct weir_tcp_conn *c)
{
	if (c->flags & (TF_DEAD | TF_OWNER_CLOSED))
		return;
	c->flags |= TF_OWNER_CLOSED;
	tcp_hold(c);
	if (c->rcvq.bytes > 0) {
		send_reset(c);
		tcp_conn_done(c, ECONNABORTED);
	} else if (c->state == WEIR_TCP_SYN_SENT) {
		tcp_conn_done(c, 0);
	} else {
		weir_tcp_shutdown(c);
		if (c->state == WEIR_TCP_FIN_WAIT_2)
			tcp_keep_arm(c, c->s->p.fin_wait2_ms);
	}
	tcp_unhold(c);
}

/* Accepts a live or already-ended @c (then nothing happens). See tcp.h. */
void weir_tcp_abort(struct weir_tcp_conn *c)
{
	if (c->flags & TF_DEAD)
		return;
	tcp_hold(c);
	send_reset(c);
	tcp_conn_done(c, ECONNABORTED);
	tcp_unhold(c);
}

/* A snapshot for `show sess`. */
void weir_tcp_info(const struct weir_tcp_conn *c, struct weir_tcp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = (enum weir_tcp_state)c->state;
	info->bytes_in = c->bytes_in;
	info->bytes_out = c->bytes_out;
	info->srtt_us = c->srtt_us;
	info->rto_ms = tcp_rto_eff(c);
	info->cwnd = c->cwnd;
	info->ssthresh = c->ssthresh;
	info->snd_wnd = c->snd_wnd;
	info->rcv_wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	info->unacked = c->snd_max - c->snd_una;
	info->queued = tcp_unsent(c);
	info->retrans = c->retrans;
	info->retrans_bytes = c->retrans_bytes;
	info->mss = c->eff_mss ? (uint16_t)tcp_smss(c) : 0;
	info->snd_wscale = (c->flags & TF_WS) ? c->snd_wscale : 0xff;
	info->rcv_wscale = (c->flags & TF_WS) ? c->rcv_wscale : 0xff;
	info->ts = (c->flags & TF_TS) != 0;
	info->sack = (c->flags & TF_SACK) != 0;
}

/* Accepts any 4-tuple the owner has not indexed yet. See tcp.h. */
struct weir_tcp_conn *weir_tcp_connect(struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport,
				       uint32_t raddr, uint16_t rport, void *ctx)
{
	struct weir_tcp_conn *c = tcp_conn_alloc(s);

	if (c == NULL) {
		errno = ENOSPC;
		return NULL;
	}
	c->laddr = laddr;
	c->lport = lport;
	c->raddr = raddr;
	c->rport = rport;
	c->ctx = ctx;
	c->flags |= TF_ANNOUNCED;
	c->iss = tcp_isn(s, laddr, lport, raddr, rport);
	c->ts_off = tcp_ts_off(s, laddr, lport, raddr, rport);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sndq_seq = c->iss + 1;
	c->recover = c->iss;
	tcp_conn_init_mss(c);
	tcp_set_state(c, WEIR_TCP_SYN_SENT);
	s->stats.active_opens++;
	tcp_hold(c);
	tcp_send_syn(c);
	tcp_rtx_arm(c, TCP_RTX_RTO, s->p.rto_init_ms);
	c->busy--;
	return c;
}
