/* SPDX-License-Identifier: BSD-3-Clause */
/* Test harness of the TCP stack: two stacks back to back on a lossy wire, with fake clocks. */
#ifndef WEIR_TCP_HARNESS_H
#define WEIR_TCP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "core/timer.h"
#include "tcp/tcp.h"

/*
 * Side 0 ("A", 10.0.0.1) and side 1 ("B", 10.0.0.2) each own a stack, a timer wheel and
 * a listener (port 80 unless changed). What a stack transmits is copied into a fresh
 * frame (Ethernet header added, as the owner would) and put on the wire, which delivers
 * it to the side owning its destination address after delay_ms, through a fault
 * injector (drop / duplicate / reorder rates, a seeded PRNG, an optional filter that
 * drops a frame or holds it back). Every step checks that each connection's scoreboard
 * totals match its send queue (tcp_sq_check()), aborting when not. The
 * clock is fake: th_step() moves it 1 ms, delivers what is due and runs the timers. A
 * side in capture mode keeps what its stack sends in a list instead (crafted-segment
 * tests). Owners are simple: per connection, an optional byte source pumped into
 * weir_tcp_send() and a sink that reads all it is told is readable.
 */

#define TH_CONNS 32
#define TH_CAP   64

struct th;
struct th_side;

/* A frame as seen on the wire (host order but addresses). */
struct th_pkt {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t len; /* payload */
	uint8_t optlen;
	uint8_t opts[40];
	uint16_t ip_id;
	bool df;
	uint8_t ttl;
	bool csum_ok;
};

/* Options decoded from a th_pkt. */
struct th_opts {
	int mss, ws; /* -1 when absent */
	bool sack_ok, ts;
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[4][2];
};

/* The owner's record of one connection. */
struct th_conn {
	struct th_side *side;
	struct weir_tcp_conn *c; /* NULL once closed */
	bool used;
	int established, readable, writable, closed;
	int err;
	bool eof;
	bool no_read;      /* the sink does not read (until cleared) */
	uint32_t read_max; /* bytes per weir_tcp_recv() call (0: everything) */
	uint8_t *rx;       /* what was read, in order */
	size_t rx_len, rx_cap;
	const uint8_t *tx; /* source: bytes to send */
	size_t tx_len, tx_off;
	bool tx_fin; /* shut down once the source is all queued */
	bool fin_done;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

struct th_side {
	struct th *h;
	int id;
	uint32_t addr;
	struct weir_tcp_params p;
	struct weir_tcp_stack *s;
	struct weir_timer_wheel tw;
	struct weir_tcp_listener lis;
	bool listening;
	bool refuse;  /* passive_new() says no */
	bool no_read; /* default for new connections */
	bool capture; /* keep transmitted frames in cap[] instead of the wire */
	struct rte_mbuf *cap[TH_CAP];
	unsigned int ncap;
	struct th_conn conns[TH_CONNS];
	uint64_t unrouted;
};

/* Return true to drop this frame (@from: sending side). */
typedef bool (*th_filter_fn)(struct th *h, int from, const struct th_pkt *p, void *arg);

struct th {
	struct rte_mempool *pool;
	struct th_side side[2];
	uint64_t now; /* ms */
	uint64_t rng;
	/* the wire */
	struct th_frame {
		struct rte_mbuf *m;
		uint64_t at;
		int to;
	} * q;
	size_t nq, qcap;
	uint32_t delay_ms, jitter_ms;
	double drop, dup, reorder;
	bool split; /* deliver frames as two-mbuf chains */
	th_filter_fn filter;
	void *filter_arg;
	uint32_t hold_ms; /* set by the filter: this frame arrives that much later */
	/* what crossed the wire, per sending side */
	uint64_t frames[2], dropped[2], data_bytes[2], rexmit_bytes[2];
	uint32_t hi_seq[2];
	bool hi_init[2];
};

/* Create the pool once (call after EAL init); the number of free mbufs when idle. */
struct rte_mempool *th_pool(void);

/* Sensible parameters for tests (small buffers, fast timers left at defaults). */
void th_default_params(struct weir_tcp_params *p);

/* Set up @h with both stacks from @pa / @pb (NULL: defaults); 0 or -1. */
int th_init(struct th *h, const struct weir_tcp_params *pa, const struct weir_tcp_params *pb,
	    uint64_t seed);
/* Free everything; returns the number of mbufs not back in the pool (leaks). */
long th_fini(struct th *h);

/* Advance 1 ms: deliver due frames, run timers, pump sources. */
void th_step(struct th *h);
void th_run(struct th *h, uint64_t ms);
/* Step until @done(@arg) or @max_ms passed; true when done. */
bool th_run_until(struct th *h, uint64_t max_ms, bool (*done)(struct th *h, void *arg), void *arg);

/* Active open from side @from (local port @lport) to the other side's @rport. */
struct th_conn *th_connect(struct th *h, int from, uint16_t lport, uint16_t rport);
/* The connection of side @sd accepted from the peer's port @rport (NULL if none). */
struct th_conn *th_accepted(struct th *h, int sd, uint16_t rport);
/* Give @tc a source of @len bytes (and FIN after them when @fin); pumps at once. */
void th_source(struct th_conn *tc, const uint8_t *data, size_t len, bool fin);
/* Read what is readable on @tc now (when reading is on). */
void th_drain(struct th_conn *tc);

/* Parse a frame (Ethernet at data) into @p; false if it is not IPv4/TCP. */
bool th_parse(const struct rte_mbuf *m, struct th_pkt *p);
void th_parse_opts(const struct th_pkt *p, struct th_opts *o);

/* Take the oldest captured frame of side @sd (NULL when none); the caller frees it. */
struct rte_mbuf *th_take(struct th *h, int sd);
void th_drop_captured(struct th *h, int sd);
/*
 * Build a frame from @saddr:@sport to side @sd's stack (addresses network order, ports
 * and the rest host order) with options and payload, and deliver it now (through the
 * demux, as the wire does).
 */
void th_inject(struct th *h, int sd, uint32_t saddr, uint16_t sport, uint16_t dport, uint32_t seq,
	       uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opts, unsigned int optlen,
	       const uint8_t *data, unsigned int len);

/* The harness's PRNG. */
uint64_t th_rand(struct th *h);
void th_fill_random(uint8_t *buf, size_t len, uint64_t seed);

/* The TSC value the stacks are given for @ms. */
uint64_t th_tsc(uint64_t ms);

#endif
