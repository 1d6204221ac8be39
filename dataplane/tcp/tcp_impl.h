/* SPDX-License-Identifier: BSD-3-Clause */
/* The TCP stack's internals: the connection and stack structures, for the files of tcp/ only. */
#ifndef WEIR_TCP_IMPL_H
#define WEIR_TCP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "core/timer.h"
#include "core/tokens.h"
#include "tcp/tcp.h"

/* Sequence-space comparisons (RFC 9293 §3.4): valid for distances below 2^31. */
#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GE(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))

#define TCP_OOO_MAX          16     /* out-of-order ranges a connection keeps */
#define TCP_DUPTHRESH        3      /* RFC 5681 / RFC 6675 DupThresh */
#define TCP_REO_PERSIST      16     /* recoveries a widened reordering window lasts (RFC 8985) */
#define TCP_TLP_MIN_MS       2      /* floor of the loss probe timeout (timer ticks are 1 ms) */
#define TCP_TLP_MAX          2      /* loss probes in one silence (the second after 2 PTO) */
#define TCP_MIN_RTT_WIN_MS   10000  /* RACK's minimum RTT: the least seen in about this */
#define TCP_TLP_ACK_DELAY_US 200000 /* RFC 8985 TLP.max_ack_delay: a lone segment's delayed ACK */
#define TCP_MAX_WSCALE       14     /* RFC 7323 §2.3 */
#define TCP_IW_SEGS          10     /* initial window, RFC 6928 */
#define TCP_MAX_OPTLEN       40
#define TCP_FRAME_SEGS       16   /* mbufs in one transmitted frame at most */
#define TCP_COPY_MAX         256  /* payloads up to this are copied into the header mbuf */
#define TCP_RECV_SEGS        1024 /* mbufs weir_tcp_recv() returns in one chain at most */
#define TCP_PAWS_IDLE_MS     (24ull * 24 * 3600 * 1000) /* RFC 7323 §5.5: 24 days */
#define TCP_MSL_COOKIE_MS    64000 /* SYN cookie period: valid for two of them */
#define TCP_OOW_ACK_MS       500   /* ACKs to unacceptable segments, one per this, per connection */
#define TCP_MQ_COPY_MAX      512   /* segments this small are copied into the queue's last buffer */
#define TCP_OOO_SEG_BYTES    512   /* out-of-order queue: at most rcvbuf / this buffers */
#define TCP_HDR_ROOM         (RTE_ETHER_HDR_LEN + 4) /* headroom left in front of IPv4 */

/* Option kinds (RFC 9293, 7323, 2018). */
#define TCPOPT_EOL     0
#define TCPOPT_NOP     1
#define TCPOPT_MSS     2
#define TCPOPT_WSCALE  3
#define TCPOPT_SACK_OK 4
#define TCPOPT_SACK    5
#define TCPOPT_TS      8

/* A half-open range of sequence numbers [start, end). */
struct tcp_range {
	uint32_t start;
	uint32_t end;
};

/* Options parsed from one segment. */
struct tcp_opts {
	uint8_t has_mss : 1;
	uint8_t has_ws : 1;
	uint8_t has_sack_ok : 1;
	uint8_t has_ts : 1;
	uint8_t ws;
	uint8_t nsack;
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	struct tcp_range sack[4];
};

/* A parsed incoming segment (host order), for the state machine. */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;    /* payload bytes */
	uint32_t hdrlen; /* bytes in front of the payload in the frame: L2 + IPv4 + TCP */
	uint16_t wnd;    /* raw window field */
	uint8_t flags;
	struct tcp_opts o;
	uint32_t saddr, daddr; /* network order */
	uint16_t sport, dport; /* network order */
};

/*
 * Whether segment @g reports a D-SACK (RFC 2883 §4): its first SACK block lies below its
 * cumulative ACK, or within its second block.
 */
static inline bool tcp_seg_dsack(const struct tcp_seg *g)
{
	const struct tcp_opts *o = &g->o;

	return o->nsack > 0 && SEQ_LT(o->sack[0].start, o->sack[0].end) &&
	       (SEQ_LE(o->sack[0].end, g->ack) ||
		(o->nsack > 1 && SEQ_GE(o->sack[0].start, o->sack[1].start) &&
		 SEQ_LE(o->sack[0].end, o->sack[1].end)));
}

/*
 * A queue of bytes as a flat list of mbuf segments linked by ->next: received payload
 * (in order or not) and the owner's data to send. Only data_off/data_len of each
 * segment count; the head's pkt_len and nb_segs are not kept up to date.
 */
struct tcp_mq {
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
	uint32_t bytes;
	uint32_t nsegs;
};

/* A range of out-of-order data: [seq, end) held in q; stamp orders SACK blocks. */
struct tcp_ooo {
	uint32_t seq;
	uint32_t end;
	uint32_t stamp;
	struct tcp_mq q;
};

/* CUBIC's state (RFC 9438), in segments and seconds. */
struct tcp_cubic {
	double w_max;
	double k;
	double w_est;
	double cnt; /* fractional cwnd growth not yet applied, in bytes */
	uint64_t epoch_us;
};

/* Congestion control algorithms plug in here (enum weir_tcp_cc indexes tcp_cc_table). */
struct tcp_cc_ops {
	const char *name;
	/* A connection starts: cwnd = IW, ssthresh = infinity, own state reset. */
	void (*init)(struct weir_tcp_conn *c);
	/* @acked new bytes were acknowledged outside loss recovery: grow cwnd. */
	void (*cong_avoid)(struct weir_tcp_conn *c, uint32_t acked);
	/* The same, but the flow was not using its cwnd (the application is the limit). */
	void (*app_limited)(struct weir_tcp_conn *c);
	/* A loss was detected (fast retransmit or RTO): the new ssthresh, in bytes. */
	uint32_t (*ssthresh)(struct weir_tcp_conn *c);
};

extern const struct tcp_cc_ops *const tcp_cc_table[];

/* What the retransmission timer is armed for (RFC 8985 §5.4: one of them at a time). */
enum tcp_rtx_mode {
	TCP_RTX_NONE = 0,
	TCP_RTX_RTO,     /* SYN, SYN-ACK, data or FIN outstanding */
	TCP_RTX_PERSIST, /* data queued, peer's window closed */
	TCP_RTX_TLP,     /* tail loss probe (RFC 8985 §7), no later than the RTO */
	TCP_RTX_REO,     /* RACK reordering window of a suspect segment (RFC 8985 §6.3) */
};

/*
 * Per-segment state of the send queue, kept in each queued mbuf's hash field (the
 * stack's own while the mbuf is queued; zeroed when weir_tcp_send() takes it): the
 * time it was last transmitted (microseconds, 32 bits) and these flags. With SACK, the
 * queue is split at the edges of every transmitted segment and SACK block, so each
 * mbuf lies within one segment and one SACK state.
 */
#define SQ_SENT    0x1u /* transmitted: the time is valid */
#define SQ_RETRANS 0x2u /* retransmitted at least once */
#define SQ_LOST    0x4u /* deemed lost (RACK or a timeout), not retransmitted since */
#define SQ_SACKED  0x8u /* selectively acknowledged */

static inline uint32_t *sq_flags(struct rte_mbuf *m)
{
	return &m->hash.fdir.lo;
}

static inline uint32_t *sq_xmit(struct rte_mbuf *m)
{
	return &m->hash.fdir.hi;
}

/* Connection flags. */
#define TF_ANNOUNCED    (1u << 0)  /* the owner knows it: ops->closed() is due */
#define TF_DEAD         (1u << 1)  /* ended; freed once no stack frame uses it */
#define TF_FREE         (1u << 2)  /* on the free list */
#define TF_TS           (1u << 3)  /* timestamps negotiated */
#define TF_SACK         (1u << 4)  /* SACK negotiated */
#define TF_WS           (1u << 5)  /* window scaling negotiated */
#define TF_ACK_NOW      (1u << 6)  /* send an ACK at the next output */
#define TF_DELACK       (1u << 7)  /* an ACK is owed, delayed */
#define TF_FIN_QUEUED   (1u << 8)  /* the owner shut sending down: FIN after the data */
#define TF_FIN_RCVD     (1u << 9)  /* the peer's FIN was taken in order */
#define TF_OOO_FIN      (1u << 10) /* the peer's FIN seen ahead of data, at rcv_fin_seq */
#define TF_OWNER_CLOSED (1u << 11) /* weir_tcp_close() was called */
#define TF_WANT_WRITE   (1u << 12) /* ops->writable() is owed when space grows */
#define TF_OUTPUT       (1u << 13) /* output deferred until the stack unwinds */
#define TF_RECOVERY     (1u << 14) /* in fast recovery (RFC 6582 / RFC 6675) */
#define TF_RTT_TIMING   (1u << 15) /* rtt_seq is being timed (no timestamps) */
#define TF_PASSIVE      (1u << 16) /* made by a listener */
#define TF_BACKLOG      (1u << 17) /* counted in the SYN backlog */
#define TF_SYN_RXMIT    (1u << 18) /* the SYN or SYN-ACK was retransmitted */
#define TF_READABLE     (1u << 19) /* ops->readable() is owed */
#define TF_WND_UPDATE   (1u << 20) /* a window update may be due after a read */
#define TF_RTO_RESTART  (1u << 21) /* new data was acknowledged: restart the RTO */
#define TF_TLP_RESCHED  (1u << 22) /* new data sent or acknowledged: (re)schedule the probe */
#define TF_TLP_OUT      (1u << 23) /* a loss probe is unresolved (TLP.end_seq set) */
#define TF_TLP_RETRANS  (1u << 24) /* ... and it was a retransmission (TLP.is_retrans) */
#define TF_RACK_VALID   (1u << 25) /* RACK has seen a delivered segment */
#define TF_REORD_SEEN   (1u << 26) /* RACK saw reordering (RACK.reordering_seen) */
#define TF_RTO_UNDO     (1u << 27) /* a timeout may prove spurious (timestamps, RFC 3522) */
#define TF_FIN_LOST     (1u << 28) /* RACK deemed our FIN lost, not sent since */
#define TF_DSACK        (1u << 29) /* the next segment carries dsack (RFC 2883), then no more */
#define TF_DSACK_UNDO   (1u << 30) /* a fast recovery may prove needless by D-SACKs (RFC 3708) */
#define TF_DSACK_ROUND  (1u << 31) /* a D-SACK widened the reordering window this round */

struct weir_tcp_conn {
	struct weir_tcp_stack *s;
	void *ctx;
	struct weir_tcp_listener *listener;
	struct weir_tcp_conn *next_free;
	uint32_t laddr, raddr; /* network order */
	uint16_t lport, rport; /* network order */
	uint32_t flags;
	uint8_t state;
	uint8_t rtx_mode;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	uint16_t busy;     /* stack frames using it: free only at 0 */
	uint16_t peer_mss; /* the peer's MSS option (536 without one) */
	uint16_t eff_mss;  /* min(peer's, ours): payload + options of a full segment */
	uint16_t rcv_mss;  /* largest payload received, for delayed ACKs */
	uint8_t backoff;   /* RTO exponent */
	uint8_t retries;   /* consecutive timeouts of the same data */
	uint8_t ka_probes; /* keepalive probes unanswered */
	uint8_t dupacks;

	/* Send side (RFC 9293 §3.3.1). sndq holds [sndq_seq, sndq_seq + sndq.bytes). */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t sndq_seq;
	struct tcp_mq sndq;
	struct rte_mbuf *cur_m; /* lookup cursor: a segment of sndq starting at cur_seq */
	uint32_t cur_seq;

	/* Congestion control and loss recovery. */
	uint32_t cwnd, ssthresh, recover, cc_acc;
	uint8_t cc;
	struct tcp_cubic cubic;
	/* The scoreboard (with SACK): totals of the send queue's SQ_SACKED and SQ_LOST bytes. */
	uint32_t sacked;     /* bytes SACKed above snd_una */
	uint32_t lost_bytes; /* bytes deemed lost and not retransmitted since */
	uint32_t lost_low;   /* no lost byte below it */
	/* RACK (RFC 8985 §6): the most recently sent segment delivered, in microseconds. */
	uint32_t rack_xmit_us, rack_end, rack_rtt_us, rack_min_rtt_us, rack_fack;
	uint32_t last_xmit_us; /* the latest send time stamped: stamps strictly increase */
	uint32_t rack_min_ms;  /* when rack_min_rtt_us was taken (ms, 32 bits) */
	uint32_t tlp_end;      /* TLP.end_seq */
	uint32_t fin_xmit_us;  /* when our FIN was last sent: its place on the scoreboard */
	uint8_t tlp_count;     /* probes since an ACK last delivered data */
	/* PRR (RFC 6937), bytes. */
	uint32_t prr_delivered, prr_out, recover_fs;
	/* Undoing a spurious timeout: our TSval of its retransmission, the state before. */
	uint32_t undo_tsval, undo_cwnd, undo_ssthresh;
	/*
	 * Undoing a needless fast recovery (TF_DSACK_UNDO; undo_cwnd and undo_ssthresh too):
	 * [undo_lo, undo_hi) was in flight when it began; segments it retransmitted, and
	 * D-SACKs of that range since.
	 */
	uint32_t undo_lo, undo_hi, undo_rexmits, undo_dsacks;
	/*
	 * RACK's reordering window in multiples of min_RTT / 4, less one (RFC 8985 §6.2 step
	 * 4, RACK.reo_wnd_mult), widened by a D-SACK at most once a round trip (until
	 * snd_una reaches dsack_round, TF_DSACK_ROUND); back to one after reo_wnd_persist
	 * recoveries without a D-SACK.
	 */
	uint32_t dsack_round;
	uint8_t reo_wnd_extra, reo_wnd_persist;
	uint8_t fin_sacked; /* the peer SACKed our FIN (Linux does, out of order): not lost */
	uint64_t rto_at_ms; /* when the RTO expires while a probe or RACK timer stands in */

	/* RTT (RFC 6298), in microseconds; rto_ms before back-off. */
	uint32_t srtt_us, rttvar_us, rto_ms, rtt_seq;
	uint64_t rtt_start_us;

	/* Receive side. rcv_adv: the right edge advertised; rcv_wup: rcv_nxt then. */
	uint32_t irs, rcv_nxt, rcv_adv, rcv_wup, rcv_fin_seq, rcv_unacked;
	struct tcp_mq rcvq;
	uint32_t ooo_bytes, ooo_stamp;
	struct tcp_range dsack; /* a duplicate received, reported once (TF_DSACK) */
	uint8_t nooo;
	struct tcp_ooo ooo[TCP_OOO_MAX]; /* sorted by seq, disjoint, not adjacent */

	/* Timestamps (RFC 7323): our clock is the stack's ms + ts_off. */
	uint32_t ts_off, ts_recent;
	uint64_t ts_recent_ms;

	uint64_t last_rcv_ms;
	uint64_t oow_ack_ms; /* when an unacceptable segment was last answered */
	uint64_t bytes_in, bytes_out, retrans_bytes;
	uint32_t retrans;

	struct weir_timer rtx_timer;    /* RTO, SYN/SYN-ACK, persist */
	struct weir_timer delack_timer; /* delayed ACK */
	struct weir_timer keep_timer;   /* keepalive, FIN_WAIT_2, TIME_WAIT */
};

struct weir_tcp_stack {
	struct weir_tcp_params p;
	const struct weir_tcp_ops *ops;
	void *owner;
	struct weir_timer_wheel *tw;
	struct rte_mempool *pool;
	struct weir_tcp_conn *conns;
	struct weir_tcp_conn *free_list;
	uint64_t tsc_hz;
	uint64_t now_ms, now_us;
	uint64_t last_cookie_ms; /* when a cookie was last sent (+1: 0 means never) */
	struct weir_tokens rst;  /* the CLOSED state's RST budget */
	uint32_t syn_rcvd;       /* connections in the SYN backlog */
	uint16_t ip_id;
	uint8_t rcv_wscale; /* the shift we offer, from rcvbuf */
	uint64_t isn_key[2], ts_key[2], cookie_key[2];
	struct weir_tcp_stats stats;
};

/* tcp_conn.c */
void tcp_unhold(struct weir_tcp_conn *c);
struct weir_tcp_conn *tcp_conn_alloc(struct weir_tcp_stack *s);
void tcp_set_state(struct weir_tcp_conn *c, enum weir_tcp_state st);
void tcp_conn_done(struct weir_tcp_conn *c, int err);
void tcp_conn_release(struct weir_tcp_conn *c);
void tcp_established(struct weir_tcp_conn *c);
void tcp_backlog_leave(struct weir_tcp_conn *c);
void tcp_mq_append(struct tcp_mq *q, struct rte_mbuf *m);
void tcp_mq_free(struct tcp_mq *q);
void tcp_mq_trim_front(struct tcp_mq *q, uint32_t n);
void tcp_mq_trim_back(struct tcp_mq *q, uint32_t keep);
void tcp_mq_concat(struct tcp_mq *a, struct tcp_mq *b);
void tcp_mq_concat_compact(struct tcp_mq *a, struct tcp_mq *b);
void tcp_conn_init_mss(struct weir_tcp_conn *c);
uint32_t tcp_space(const struct weir_tcp_conn *c);

/* tcp_isn.c */
uint32_t tcp_isn(const struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport);
uint32_t tcp_ts_off(const struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport);
void tcp_keys_init(struct weir_tcp_stack *s);

/* tcp_opts.c */
int tcp_opts_parse(const uint8_t *p, unsigned int len, bool syn, struct tcp_opts *o);
unsigned int tcp_opts_syn(uint8_t *p, uint16_t mss, int ws, bool sack_ok, bool ts, uint32_t tsval,
			  uint32_t tsecr);
unsigned int tcp_opts_est(const struct weir_tcp_conn *c, uint8_t *p, bool with_sack);
unsigned int tcp_opts_len(const struct weir_tcp_conn *c, bool with_sack);

/* tcp_sack.c */
struct rte_mbuf *tcp_sndq_find(struct weir_tcp_conn *c, uint32_t seq, uint32_t *off);
bool tcp_sq_split(struct weir_tcp_conn *c, uint32_t seq);
void tcp_sq_sent(struct weir_tcp_conn *c, uint32_t seq, uint32_t len, bool fin, bool rexmit);
uint32_t tcp_sq_acked(struct weir_tcp_conn *c, uint32_t ack, const struct tcp_opts *o,
		      uint32_t prior_fack);
uint32_t tcp_sack_update(struct weir_tcp_conn *c, const struct tcp_opts *o, uint32_t prior_fack);
void tcp_sack_reset(struct weir_tcp_conn *c);
void tcp_sq_mark_all_lost(struct weir_tcp_conn *c);
void tcp_sq_unmark_lost(struct weir_tcp_conn *c);
bool tcp_sack_next_lost(struct weir_tcp_conn *c, uint32_t *seq, uint32_t *len);
uint32_t tcp_sack_pipe(const struct weir_tcp_conn *c);
bool tcp_sq_check(struct weir_tcp_conn *c);

/* tcp_rack.c */
void tcp_rack_delivered(struct weir_tcp_conn *c, uint32_t end, uint32_t xmit, uint32_t fl,
			const struct tcp_opts *o, uint32_t prior_fack, bool cum);
void tcp_rack_detect(struct weir_tcp_conn *c);
void tcp_rack_reo_update(struct weir_tcp_conn *c, const struct tcp_seg *g, bool was_recovering);
void tcp_rack_timeout(struct weir_tcp_conn *c);
bool tcp_in_recovery(const struct weir_tcp_conn *c);
void tcp_enter_recovery(struct weir_tcp_conn *c);
void tcp_prr_ack(struct weir_tcp_conn *c, uint32_t delivered);
bool tcp_tlp_eligible(const struct weir_tcp_conn *c);
uint64_t tcp_tlp_deadline(const struct weir_tcp_conn *c);
void tcp_tlp_ack(struct weir_tcp_conn *c, const struct tcp_seg *g, bool advanced);
void tcp_tlp_fire(struct weir_tcp_conn *c);

/* tcp_cc.c */
void tcp_cc_init(struct weir_tcp_conn *c);

/* tcp_output.c */
void tcp_output(struct weir_tcp_conn *c);
void tcp_output_soon(struct weir_tcp_conn *c);
int tcp_send_syn(struct weir_tcp_conn *c);
int tcp_send_ctl(struct weir_tcp_conn *c, uint32_t seq, uint8_t flags);
int tcp_retransmit(struct weir_tcp_conn *c, uint32_t seq, uint32_t len);
int tcp_send_rst_for(struct weir_tcp_stack *s, const struct tcp_seg *g, struct rte_mbuf *orig);
struct rte_mbuf *tcp_build(struct weir_tcp_stack *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
			   uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
			   const uint8_t *opts, unsigned int optlen);
void tcp_cksum(struct rte_mbuf *m);
uint32_t tcp_ts_now(const struct weir_tcp_conn *c);
void tcp_challenge_ack(struct weir_tcp_conn *c);
void tcp_timers_update(struct weir_tcp_conn *c);
uint16_t tcp_select_window(struct weir_tcp_conn *c, bool syn);

/* tcp_timer.c */
void tcp_timers_init(struct weir_tcp_conn *c);
void tcp_timers_cancel(struct weir_tcp_conn *c);
uint32_t tcp_rto_eff(const struct weir_tcp_conn *c);
void tcp_rtt_sample(struct weir_tcp_conn *c, uint32_t rtt_us);
void tcp_rtx_arm(struct weir_tcp_conn *c, enum tcp_rtx_mode mode, uint32_t ms);
void tcp_rtx_arm_at(struct weir_tcp_conn *c, enum tcp_rtx_mode mode, uint64_t tick);
void tcp_keep_arm(struct weir_tcp_conn *c, uint32_t ms);
void tcp_delack_arm(struct weir_tcp_conn *c);
void tcp_enter_time_wait(struct weir_tcp_conn *c);

/* tcp_cookie.c */
uint32_t tcp_cookie_make(struct weir_tcp_stack *s, const struct tcp_seg *g, uint16_t *mss);
int tcp_cookie_check(struct weir_tcp_stack *s, const struct tcp_seg *g, uint16_t *mss);
uint32_t tcp_cookie_tsval(uint32_t ts_now, int ws, bool sack);
void tcp_cookie_ts_decode(uint32_t tsecr, int *ws, bool *sack);

/* tcp_input.c */
int tcp_parse(struct weir_tcp_stack *s, struct rte_mbuf *m, struct tcp_seg *g);
void tcp_listen_syn(struct weir_tcp_stack *s, struct weir_tcp_listener *l, struct rte_mbuf *m,
		    const struct tcp_seg *g, bool have_isn, uint32_t isn);

/* Keep @c allocated while a stack frame uses it (callbacks may end it meanwhile). */
static inline void tcp_hold(struct weir_tcp_conn *c)
{
	c->busy++;
}

/* The stack's pool, clock and counters from a connection. */
static inline struct weir_tcp_stats *tcp_st(const struct weir_tcp_conn *c)
{
	return &c->s->stats;
}

/* Payload bytes of a full-sized segment of @c: the MSS less the timestamp option. */
static inline uint32_t tcp_smss(const struct weir_tcp_conn *c)
{
	return c->eff_mss - ((c->flags & TF_TS) ? 12u : 0u);
}

/* Bytes of the send queue not sent yet. */
static inline uint32_t tcp_unsent(const struct weir_tcp_conn *c)
{
	uint32_t end = c->sndq_seq + c->sndq.bytes;

	return SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
}

/* True when our FIN has been sent (it sits at sndq_seq + sndq.bytes). */
static inline bool tcp_fin_sent(const struct weir_tcp_conn *c)
{
	return (c->flags & TF_FIN_QUEUED) && SEQ_GT(c->snd_max, c->sndq_seq + c->sndq.bytes);
}

/* Data may be sent in this state (handshake over, FIN not yet acknowledged). */
static inline bool tcp_can_send(const struct weir_tcp_conn *c)
{
	switch (c->state) {
	case WEIR_TCP_ESTABLISHED:
	case WEIR_TCP_CLOSE_WAIT:
	case WEIR_TCP_FIN_WAIT_1:
	case WEIR_TCP_CLOSING:
	case WEIR_TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

#endif
