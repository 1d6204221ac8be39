/* SPDX-License-Identifier: BSD-3-Clause */
/* Weir's userspace TCP: per-worker connections, event-driven, made for proxying. */
#ifndef WEIR_TCP_H
#define WEIR_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "core/timer.h"

/*
 * One stack per worker, shared-nothing: its connections, timers and counters belong to
 * that worker alone. The stack does not look connections up: its owner (the proxy)
 * indexes them by 4-tuple in the worker's flow table and hands each segment to the
 * right connection (weir_tcp_input) or, for a new 4-tuple, to a listener
 * (weir_tcp_listen_input). The stack builds IPv4 + TCP and hands frames to the owner,
 * which adds the Ethernet header and transmits (ops->xmit, ops->reply).
 *
 * Data moves without copies: received payload stays in the mbufs it arrived in (headers
 * trimmed) until the owner takes it with weir_tcp_recv(), and an mbuf chain given to
 * weir_tcp_send() is transmitted by reference (indirect mbufs) and freed once
 * acknowledged. No allocation per packet or segment other than mbufs from the pool.
 *
 * Time: the owner calls weir_tcp_clock() once per loop iteration; timers live on the
 * worker's timer wheel, whose ticks are milliseconds.
 */

enum weir_tcp_state {
	WEIR_TCP_CLOSED = 0,
	WEIR_TCP_LISTEN, /* listeners only */
	WEIR_TCP_SYN_SENT,
	WEIR_TCP_SYN_RCVD,
	WEIR_TCP_ESTABLISHED,
	WEIR_TCP_FIN_WAIT_1,
	WEIR_TCP_FIN_WAIT_2,
	WEIR_TCP_CLOSE_WAIT,
	WEIR_TCP_CLOSING,
	WEIR_TCP_LAST_ACK,
	WEIR_TCP_TIME_WAIT,
	WEIR_TCP_NB_STATES
};

enum weir_tcp_cc {
	WEIR_TCP_CC_NEWRENO = 0,
	WEIR_TCP_CC_CUBIC,
};

enum weir_tcp_cookies {
	WEIR_TCP_COOKIES_AUTO = 0, /* when the SYN backlog is full */
	WEIR_TCP_COOKIES_ALWAYS,
	WEIR_TCP_COOKIES_NEVER,
};

/* Settings of a stack (from weir.conf's global.tcp). */
struct weir_tcp_params {
	uint32_t max_conns;    /* connections per worker, all states */
	uint32_t syn_backlog;  /* SYN_RCVD connections per worker before SYN cookies */
	uint8_t syncookies;    /* enum weir_tcp_cookies */
	uint8_t cc;            /* enum weir_tcp_cc */
	uint32_t rcvbuf;       /* bytes one connection holds received but not taken */
	uint32_t sndbuf;       /* bytes one connection holds sent but not acknowledged */
	uint16_t mss;          /* our MSS, from the MTU */
	uint32_t rto_min_ms;   /* 200 */
	uint32_t rto_max_ms;   /* 120000 */
	uint32_t rto_init_ms;  /* 1000 (RFC 6298) */
	uint32_t delack_ms;    /* 40 */
	uint32_t time_wait_ms; /* 2 MSL */
	uint32_t fin_wait2_ms; /* orphaned FIN_WAIT_2 lifetime */
	uint32_t keepalive_ms; /* idle time before probes; 0: off */
	uint32_t keepalive_intvl_ms;
	uint32_t keepalive_probes;
	uint32_t syn_retries;      /* active open SYN retransmissions */
	uint32_t synack_retries;   /* passive open SYN-ACK retransmissions */
	uint32_t data_retries;     /* retransmissions of the same data before giving up */
	uint32_t cookie_secret[4]; /* random at start */
	uint32_t features;         /* WEIR_TCP_NO_*: options not offered nor accepted */
};

/* Bits of weir_tcp_params.features: 0 offers every option (the default). */
#define WEIR_TCP_NO_WSCALE     0x1u /* RFC 7323 window scaling */
#define WEIR_TCP_NO_TIMESTAMPS 0x2u /* RFC 7323 timestamps (and so PAWS, RTTM) */
#define WEIR_TCP_NO_SACK       0x4u /* RFC 2018 selective acknowledgements */

/*
 * A zero in mss, rcvbuf, sndbuf, rto_*_ms, delack_ms, time_wait_ms, fin_wait2_ms,
 * keepalive_intvl_ms, keepalive_probes, syn_retries, synack_retries or data_retries
 * takes Linux's default (1460, 256 KiB, 256 KiB, 200/120000/1000, 40, 60000, 60000, 75000,
 * 9, 6, 5, 15). max_conns and syn_backlog must not be zero.
 */

struct weir_tcp_conn;
struct weir_tcp_stack;

/*
 * Why a connection ended, as ops->closed() reports it: 0 (closed in order), or
 * ECONNRESET (RST received), ECONNREFUSED (RST to our SYN), ETIMEDOUT (retransmissions
 * or keepalive gave up), ECONNABORTED (weir_tcp_abort()).
 */

/* What the stack tells the owner. Every callback runs on the worker, synchronously. */
struct weir_tcp_ops {
	/*
	 * A listener's SYN (or the ACK of a valid SYN cookie) made connection @c, in
	 * SYN_RCVD (or ESTABLISHED, from a cookie): index it under its 4-tuple and set its
	 * ctx. A negative return refuses it: the stack answers RST and frees it.
	 */
	int (*passive_new)(struct weir_tcp_conn *c, void *listener_ctx);
	/* The handshake completed (passive or active open). */
	void (*established)(struct weir_tcp_conn *c);
	/* In-order data arrived, or the peer's FIN (weir_tcp_eof()). */
	void (*readable)(struct weir_tcp_conn *c);
	/* Send space grew after weir_tcp_send_space() was found short. */
	void (*writable)(struct weir_tcp_conn *c);
	/*
	 * @c is gone (see above for @err). The owner forgets it here: after the call the
	 * stack frees it. Not called for a connection refused by passive_new().
	 */
	void (*closed)(struct weir_tcp_conn *c, int err);
	/*
	 * Transmit a frame of @c: IPv4 + TCP built and checksummed at m->data, with at
	 * least RTE_ETHER_HDR_LEN of headroom for the owner's Ethernet header. Takes @m.
	 */
	void (*xmit)(struct weir_tcp_conn *c, struct rte_mbuf *m);
	/*
	 * Transmit a frame that answers @orig without a connection (an RST, a SYN-ACK
	 * carrying a cookie): built like xmit's; it goes back where @orig came from.
	 */
	void (*reply)(void *owner, struct rte_mbuf *m, const struct rte_mbuf *orig);
};

/* Counters of one stack: plain, written by its worker only, summed on read. */
/*
 * The stack's counters, each with what it counts: one list, so that the struct and
 * what `show tcp` prints (l4/proxy.c) cannot differ.
 */
#define WEIR_TCP_COUNTERS(X)                                                                  \
	X(active_opens, "connections opened by weir_tcp_connect()")                           \
	X(passive_opens, "connections opened by listeners, cookies included")                 \
	X(attempt_fails, "opens that never got established")                                  \
	X(estab_resets, "ESTABLISHED or CLOSE_WAIT connections ended by RST, abort, timeout") \
	X(conns_refused, "max_conns reached, or passive_new() said no")                       \
	X(in_segs, "segments received")                                                       \
	X(out_segs, "segments sent")                                                          \
	X(in_errs, "bad checksum, header, or segments beyond the window")                     \
	X(retrans_segs, "segments retransmitted")                                             \
	X(fast_retrans, "fast retransmits (recoveries entered)")                              \
	X(rto_expiries, "retransmission timeouts")                                            \
	X(tlp_probes, "tail loss probes sent (RFC 8985 7)")                                   \
	X(rack_losses, "segments RACK marked lost (RFC 8985 6), retransmissions too")         \
	X(spurious_rto, "timeouts undone: the ACK echoed the original's timestamp")           \
	X(dsack_undos, "fast recoveries undone: each retransmission was D-SACKed")            \
	X(ooo_segs, "segments queued out of order")                                           \
	X(ooo_drops, "out-of-order segments dropped (queue full)")                            \
	X(dup_acks, "duplicate ACKs received")                                                \
	X(sack_blocks_in, "valid SACK blocks received")                                       \
	X(rst_in, "RSTs that reset a connection")                                             \
	X(rst_out, "RSTs sent")                                                               \
	X(rst_limited, "RSTs for no connection held back (WEIR_TCP_RST_BURST)")               \
	X(syncookies_sent, "cookie SYN-ACKs sent")                                            \
	X(syncookies_ok, "valid cookie ACKs")                                                 \
	X(syncookies_failed, "ACKs checked as cookies that failed")                           \
	X(zero_window_probes, "zero-window probes sent")                                      \
	X(keepalive_probes, "keepalive probes sent")                                          \
	X(time_wait_reused, "a new SYN accepted on a TIME_WAIT 4-tuple")                      \
	X(challenge_acks, "RFC 5961 challenge ACKs sent")                                     \
	X(paws_drops, "segments dropped by PAWS (RFC 7323)")                                  \
	X(listen_drops, "SYNs dropped: backlog full and cookies off")                         \
	X(timeouts, "connections ended by ETIMEDOUT")                                         \
	X(no_mbufs, "segments not sent (or data not split) for want of mbufs")

struct weir_tcp_stats {
	uint64_t states[WEIR_TCP_NB_STATES]; /* connections in each state now */
#define X(f, doc) uint64_t f;
	WEIR_TCP_COUNTERS(X)
#undef X
};

/* Create a stack; @owner is passed back to ops->reply. NULL with errno on failure. */
struct weir_tcp_stack *weir_tcp_stack_create(const struct weir_tcp_params *params,
					     const struct weir_tcp_ops *ops, void *owner,
					     struct weir_timer_wheel *tw, struct rte_mempool *pool,
					     int socket);
/* Free a stack and every connection left (without callbacks). */
void weir_tcp_stack_free(struct weir_tcp_stack *s);

/* The time now (TSC), once per loop iteration, before any input. */
void weir_tcp_clock(struct weir_tcp_stack *s, uint64_t tsc);

const struct weir_tcp_stats *weir_tcp_stats(const struct weir_tcp_stack *s);

/* A listening address and port (network order); the owner keeps it. */
struct weir_tcp_listener {
	uint32_t addr;
	uint16_t port;
	void *ctx;         /* passed to ops->passive_new */
	uint32_t syn_rcvd; /* its connections in SYN_RCVD */
};

/*
 * Forget listener @l before the owner frees it: its SYN_RCVD connections stop counting
 * against it, and no connection will hand it a SYN (TIME_WAIT reuse) any more. A
 * listener must otherwise outlive the connections it made. O(max_conns).
 */
void weir_tcp_listener_forget(struct weir_tcp_stack *s, struct weir_tcp_listener *l);

/*
 * A segment for an existing connection @c. @m holds the frame with m->data at the
 * Ethernet header (the IPv4 header at m->l2_len, length and header checksum already
 * validated by the caller, the frame trimmed to the datagram); the stack validates the
 * TCP header and checksum itself. Takes @m. A SYN that may reuse the 4-tuple of a
 * connection in TIME_WAIT (a higher sequence number or a newer timestamp, as Linux)
 * ends that connection, ops->closed(c, 0) first, and opens a new one through the
 * listener that made it, as weir_tcp_listen_input() would: passive_new() follows.
 * Any callback may run before it returns, ops->closed() included.
 */
void weir_tcp_input(struct weir_tcp_stack *s, struct weir_tcp_conn *c, struct rte_mbuf *m);

/*
 * A segment for a 4-tuple without a connection, to listener @l (same @m as above):
 * a SYN opens a connection (or gets a cookie SYN-ACK), the ACK of a valid cookie opens
 * one, an RST is dropped, anything else is answered by RST, within the budget of
 * weir_tcp_closed_input()'s RSTs (a flood of stray ACKs to a listening port is no
 * more answered one for one than one to a closed port; FreeBSD limits both alike).
 * Takes @m.
 */
void weir_tcp_listen_input(struct weir_tcp_stack *s, struct weir_tcp_listener *l,
			   struct rte_mbuf *m);

/*
 * A segment for a 4-tuple of one of the owner's addresses with neither a connection nor
 * a listener (same @m as above): answered as the CLOSED state answers (RFC 9293
 * §3.10.7.1), by RST with SEQ = SEG.ACK, or without an ACK by RST|ACK with SEQ = 0 and
 * ACK = SEG.SEQ + SEG.LEN (+1 for SYN, +1 for FIN); an RST is not answered. Such RSTs
 * (and a listener's) come out of a token bucket, WEIR_TCP_RST_BURST at most and one
 * more each millisecond (as Linux limits its ICMP errors), so that a flood of stray
 * segments cannot turn Weir into a reflector; those held back count in rst_limited. Does not take
 * @m: the owner drops or frees it. Returns 0 when an RST went out, -EINVAL for a bad segment or an
 * RST, -EAGAIN when the budget is spent, -ENOBUFS without an mbuf.
 */
#define WEIR_TCP_RST_BURST 50
int weir_tcp_closed_input(struct weir_tcp_stack *s, struct rte_mbuf *m);

/*
 * Active open from @laddr:@lport to @raddr:@rport (network order). The owner indexes
 * the returned connection under its 4-tuple; ops->established or ops->closed follow.
 * NULL with errno (ENOSPC: max_conns) on failure.
 */
struct weir_tcp_conn *weir_tcp_connect(struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport,
				       uint32_t raddr, uint16_t rport, void *ctx);

/* The owner's pointer of @c, and setting it. */
void *weir_tcp_ctx(const struct weir_tcp_conn *c);
void weir_tcp_set_ctx(struct weir_tcp_conn *c, void *ctx);

/* Local and remote address and port of @c (network order). */
void weir_tcp_tuple(const struct weir_tcp_conn *c, uint32_t *laddr, uint16_t *lport,
		    uint32_t *raddr, uint16_t *rport);
enum weir_tcp_state weir_tcp_state(const struct weir_tcp_conn *c);
const char *weir_tcp_state_name(enum weir_tcp_state st);

/* Bytes of in-order data ready to take. */
uint32_t weir_tcp_recv_avail(const struct weir_tcp_conn *c);

/*
 * Take up to @max bytes of in-order data as an mbuf chain (pkt_len = bytes, headers
 * trimmed), or NULL when none is ready. Opens the receive window accordingly. Whole
 * received mbufs come back; the last one is split (an indirect clone) when @max cuts
 * it, so a NULL is also possible when the pool is empty. Works in ops->closed() too.
 */
struct rte_mbuf *weir_tcp_recv(struct weir_tcp_conn *c, uint32_t max);

/* True once the peer's FIN arrived and every byte before it was taken. */
bool weir_tcp_eof(const struct weir_tcp_conn *c);

/* Bytes weir_tcp_send() takes now without exceeding sndbuf. */
uint32_t weir_tcp_send_space(const struct weir_tcp_conn *c);

/*
 * Queue the payload chain @m (pkt_len bytes) for sending; transmitted by reference.
 * Takes @m. Returns 0, or -EPIPE after weir_tcp_shutdown()/close.
 */
int weir_tcp_send(struct weir_tcp_conn *c, struct rte_mbuf *m);

/* Send FIN once queued data is out (half-close); receiving goes on. */
void weir_tcp_shutdown(struct weir_tcp_conn *c);

/*
 * Close: FIN after queued data; data arriving afterwards is discarded and answered
 * by RST (as close() on a socket with unread data). ops->closed follows when done.
 * As Linux's close(): with data received but not taken, RST at once and
 * ops->closed(c, ECONNABORTED) before it returns; in SYN_SENT, ops->closed(c, 0) at
 * once. A closed connection in FIN_WAIT_2 ends after fin_wait2_ms (with RST).
 */
void weir_tcp_close(struct weir_tcp_conn *c);

/*
 * Send RST and end @c now; ops->closed(c, ECONNABORTED) is called before it returns.
 * (weir_tcp_close() with unread data does the same.) Callbacks may call any of these
 * functions, on their own connection too: a connection ended from a callback is freed
 * once the stack unwinds.
 */
void weir_tcp_abort(struct weir_tcp_conn *c);

/* For `show sess`: a snapshot of one connection. */
struct weir_tcp_info {
	enum weir_tcp_state state;
	uint64_t bytes_in;  /* payload received */
	uint64_t bytes_out; /* payload acknowledged by the peer */
	uint32_t srtt_us;
	uint32_t rto_ms;
	uint32_t cwnd; /* bytes */
	uint32_t snd_wnd;
	uint32_t rcv_wnd;
	uint32_t unacked; /* bytes in flight */
	uint32_t queued;  /* bytes queued, not yet sent */
	uint32_t retrans; /* segments retransmitted */
	uint16_t mss;     /* payload bytes per full segment (after options) */
	uint32_t ssthresh;
	uint64_t retrans_bytes;
	uint8_t snd_wscale; /* 0xff when window scaling is off */
	uint8_t rcv_wscale;
	bool ts;   /* timestamps negotiated */
	bool sack; /* SACK negotiated */
};
void weir_tcp_info(const struct weir_tcp_conn *c, struct weir_tcp_info *info);

#endif
