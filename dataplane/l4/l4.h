/* SPDX-License-Identifier: BSD-3-Clause */
/* L4 forwarding on a worker: full-NAT and DSR for TCP and UDP services. */
#ifndef WEIR_L4_H
#define WEIR_L4_H

#include <rte_ip.h>

#include "core/dp.h"
#include "core/timer.h"
#include "core/tokens.h"
#include "l4/flow.h"
#include "l4/lport.h"
#include "net/addr.h"

struct weir_sched_state;
struct weir_proxy_w;
struct weir_service;
struct weir_server;

/* Per-server counters of one worker. */
struct weir_srv_wstats {
	uint64_t flows;
	uint64_t pkts[2];
	uint64_t bytes[2];
	uint64_t last_flow; /* TSC */
	uint32_t ctime_us;  /* EWMA of connects that succeeded, SYN to SYN-ACK (show stat ctime) */
	uint32_t pad;
	uint64_t econ;   /* connects that failed: refused (RST), or no SYN-ACK in time */
	uint64_t wretr;  /* TCP proxy: failed connects retried */
	uint64_t wredis; /* ... of which the retry went to another server */
};

/* Per-service counters of one worker. */
struct weir_svc_wstats {
	uint64_t flows;
	uint64_t pkts[2];
	uint64_t bytes[2];
	uint64_t refused; /* new flows without a server */
	uint64_t last_flow;
};

/*
 * The answers a worker sends to datagrams of its L4 services it refuses or cannot
 * deliver (on_all_down RSTs and port unreachables, "fragmentation needed", "time
 * exceeded"), or that nothing takes (global.unmatched: RSTs, port and protocol
 * unreachables) come out of a token bucket of this many, one more a millisecond; those
 * it holds back are counted in Ev_answers_limited.
 */
#define WEIR_L4_ANSWER_BURST 50

/* What one worker owns for L4 forwarding. */
struct weir_l4w {
	struct weir_flow_table *ft;
	struct weir_lport_pool *lports; /* by local address index */
	struct weir_sched_state *sched; /* by backend index */
	uint32_t *ewma;                 /* by server gid, for the schedulers */
	struct weir_srv_wstats *srv;    /* by server gid */
	struct weir_svc_wstats *svc;    /* by service index */
	struct rte_ring *redirect;      /* packets other workers received for this one */
	struct weir_timer_wheel tw;     /* ticks are milliseconds */
	uint64_t tsc_per_tick;
	uint64_t tick;              /* weir_l4_tick()'s last answer ... */
	uint64_t tick_end_tsc;      /* ... good until this TSC */
	struct weir_proxy_w *proxy; /* TCP-proxy services (NULL without any) */
	struct weir_tokens answers; /* budget of RSTs and ICMP errors (WEIR_L4_ANSWER_BURST) */
	/* The flow weir_l4_burst() found for the packet being handled, if any. */
	const struct rte_mbuf *hint_m;
	struct weir_flow *hint_f;
};

/*
 * The timer wheel's tick (a millisecond) at TSC @tsc, for the poll loop, which asks at
 * every turn: it is worked out again only once it has passed (or the clock went back,
 * as a test's fake one may), not with a division every time.
 */
static inline uint64_t weir_l4_tick(struct weir_l4w *l4, uint64_t tsc)
{
	if (unlikely(tsc >= l4->tick_end_tsc || tsc < l4->tick_end_tsc - l4->tsc_per_tick)) {
		l4->tick = tsc / l4->tsc_per_tick;
		l4->tick_end_tsc = (l4->tick + 1) * l4->tsc_per_tick;
	}
	return l4->tick;
}

/* Allocate every worker's L4 context (after weir_lb_init()). Returns 0 or -errno. */
int weir_l4_workers_init(struct weir_dp *dp);
void weir_l4_workers_fini(struct weir_dp *dp);

/*
 * A TCP or UDP datagram for an address Weir owns (@dst), IPv4 header validated. To a
 * VIP: balanced (new flows) and forwarded. To a local address: a server's reply, sent
 * back to its client, or handed to the worker that owns the flow, or to the main lcore
 * (health-check replies). Takes ownership of @m.
 */
void weir_l4_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
		   struct rte_ipv4_hdr *ip, uint32_t ihl, const struct weir_addr_entry *dst);

/*
 * A datagram for an address Weir owns in a protocol it does not serve there (neither
 * TCP, UDP nor ICMP): dropped (ipv4_proto), answered first with ICMP protocol
 * unreachable as a host would (RFC 1122 3.2.2.1) when global.unmatched is "reject",
 * within the answer budget. Takes ownership of @m.
 */
void weir_l4_proto_unreachable(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m,
			       const struct rte_ipv4_hdr *ip);

/*
 * Handle a burst of frames received on @p (at most 2 * WEIR_RX_BURST): frames of
 * established L4 flows that change no state by the fast path (l4/fast.c), the others by
 * weir_pkt_input(). Takes ownership of every frame. Returns their length in bytes, for
 * the receive counters (taken in the pass that reads every frame's mbuf anyway).
 */
uint64_t weir_l4_burst(struct weir_worker *w, struct weir_port *p, struct rte_mbuf **pkts,
		       uint16_t n);

/*
 * The worker that owns the flow of a client frame (@ip, its TCP/UDP ports @sport and
 * @dport in network order) on a port whose own spreading Weir does not trust
 * (weir_port.steer): a hash of the 5-tuple, the same for every frame of a connection.
 */
uint16_t weir_l4_steer_owner(const struct rte_ipv4_hdr *ip, uint16_t sport, uint16_t dport,
			     uint16_t nb_workers);

/*
 * Choose a server of @svc's backend for a new flow or session (@hash: its flow hash,
 * @client: the client's address), honouring maxconn. The server's connection count
 * includes the new one on return (taken atomically, so workers together never pass
 * maxconn): a caller that then fails gives it back with weir_l4_unchoose(). NULL, with
 * the drop reason in @why, when none can take it.
 */
struct weir_server *weir_l4_choose(struct weir_worker *w, const struct weir_service *svc,
				   uint32_t hash, uint32_t client, int *why);

/*
 * Once a second (the main lcore; earlier calls return at once): the new-flow rates of
 * services, backends and servers that show stat gives.
 */
void weir_l4_stat_tick(struct weir_dp *dp, uint64_t now);

/*
 * A flow or proxy session of service @svc begins (counted in the worker's totals), or
 * stops counting as active: the service's active count, which all workers share, and
 * its most at once (show stat scur and smax).
 */
void weir_l4_svc_open(struct weir_worker *w, uint32_t svc);
void weir_l4_svc_close(struct weir_worker *w, uint32_t svc);

/* Give back the connection count weir_l4_choose() took on @s. */
void weir_l4_unchoose(struct weir_server *s);

/*
 * Least-time: the connect time, in microseconds, of a SYN sent at @syn_tsc whose answer
 * this loop found (to the middle of the span in which it came). A connect to server
 * @gid that took @us goes into this worker's least-time average and its average of
 * connects that succeeded (show stat's ctime); one that failed (refused, or no answer
 * in time) is a connection error (econ) and goes into the least-time average as
 * @timeout_us.
 */
uint64_t weir_l4_connect_us(const struct weir_worker *w, uint64_t syn_tsc);
void weir_l4_connect_sample(struct weir_worker *w, uint32_t gid, uint64_t us);
void weir_l4_connect_failed(struct weir_worker *w, uint32_t gid, uint64_t timeout_us);

/*
 * Send frame @m (m->data at its Ethernet header) of flow @f where direction @dir goes:
 * WEIR_DIR_IN toward the flow's server (a DSR flow's to the server's own address, which
 * holds the VIP), WEIR_DIR_OUT back toward its client. The MAC is the flow's cached one,
 * else looked up; without an answer a frame to the client goes to the MAC the flow's
 * first frame came from, one to the server is dropped. Takes @m.
 */
void weir_l4_send_flow(struct weir_worker *w, struct rte_mbuf *m, struct weir_flow *f, int dir);

/*
 * An ICMP error (destination unreachable, time exceeded) to one of Weir's addresses,
 * its IPv4 header (@ihl bytes) and checksum validated: when it quotes a datagram of an
 * L4 flow, mapped as the flow maps its packets and sent to the flow's other side (the
 * server for an error to a VIP, the client for one to a local address); otherwise
 * counted and dropped. Takes ownership of @m.
 */
void weir_l4_icmp_error(struct weir_worker *w, struct rte_mbuf *m, uint32_t ihl);

/* The workers' flow tables together, for `show info`. */
struct weir_l4_flow_totals {
	uint64_t active;  /* entries in use, closed flows still lingering included */
	uint64_t max;     /* the tables' room */
	uint64_t created; /* flows made since start */
	uint64_t expired; /* flows ended since start */
	/* Connections (full-NAT flows and proxy sessions) of all services, as HAProxy's
	 * show info names them: CurrConns, CumConns, ConnRate, MaxConnRate. */
	uint64_t conns;
	uint64_t conns_total;
	uint32_t conn_rate;
	uint32_t conn_rate_max;
};

/* Sum the workers' flow tables into @t (main lcore: read as the flow dumps read them). */
void weir_l4_flow_totals(const struct weir_dp *dp, struct weir_l4_flow_totals *t);

/* Add the L4 commands (show stat, set server, show flows ...) to the runtime socket. */
void weir_l4_register_commands(void);

/*
 * Once per loop iteration: redirected packets, flow timers, RCU quiescent state.
 * Returns the number of redirected frames handled.
 */
unsigned int weir_l4_poll(struct weir_worker *w);

#endif
