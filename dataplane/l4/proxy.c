/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP-proxy services: client connections ended on Weir's stack, spliced to servers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "core/log.h"
#include "core/worker.h"
#include "l4/l4.h"
#include "l4/proxy.h"
#include "net/neigh.h"
#include "runtime/runtime.h"
#include "tcp/tcp.h"

#define TIMER_BUDGET 64

enum sess_state {
	SESS_FREE = 0,
	SESS_ACCEPTING,  /* the client's handshake is under way */
	SESS_CONNECTING, /* connecting to a server */
	SESS_OPEN,       /* both connected: splicing */
	SESS_CLOSING,    /* one side is gone, the other finishing */
};

#define SESS_F_C2S_FIN   0x01 /* the client's FIN was passed to the server */
#define SESS_F_S2C_FIN   0x02 /* the server's FIN was passed to the client */
#define SESS_F_C2S_STALL 0x04 /* client to server waits for an mbuf (on the stalled list) */
#define SESS_F_S2C_STALL 0x08
#define SESS_F_STALLED   (SESS_F_C2S_STALL | SESS_F_S2C_STALL)

/* Why a session ended early, counted per worker. */
enum sess_end {
	END_NONE = 0,
	END_NO_SERVER,    /* no server could take it */
	END_CONNECT_FAIL, /* the server refused or did not answer, after the retry */
	END_CLIENT_RESET, /* the client reset */
	END_SERVER_RESET, /* the server reset */
	END_CLIENT_TIMEOUT,
	END_SERVER_TIMEOUT,
	END_MAX
};

static const char *const end_names[END_MAX] = {
	[END_NONE] = "closed",
	[END_NO_SERVER] = "no_server",
	[END_CONNECT_FAIL] = "connect_fail",
	[END_CLIENT_RESET] = "client_reset",
	[END_SERVER_RESET] = "server_reset",
	[END_CLIENT_TIMEOUT] = "client_timeout",
	[END_SERVER_TIMEOUT] = "server_timeout",
};

struct weir_proxy_sess {
	uint32_t gen; /* odd while being set up or freed: readers on the main lcore skip it */
	uint8_t state;
	uint8_t flags;
	uint8_t retries;
	uint8_t end;
	uint16_t svc;
	uint16_t laddr_idx;
	uint32_t srv_gid; /* UINT32_MAX: none yet */
	uint16_t lport;   /* network order; 0: none */
	struct weir_worker *w;
	struct weir_flow *flow;
	struct weir_tcp_conn *cli;
	struct weir_tcp_conn *srv;
	uint64_t created;  /* TSC */
	uint64_t last_cli; /* TSC of the client's last data */
	uint64_t last_srv;
	uint64_t deadline; /* TSC: connect timeout while connecting */
	uint64_t c2s;      /* bytes client to server */
	uint64_t s2c;
	struct weir_timer timer;
	TAILQ_ENTRY(weir_proxy_sess) stall; /* on the worker's stalled list */
};

/* The config loader counts sessions of this size (conf/memory.c). */
_Static_assert(RTE_CACHE_LINE_SIZE != 64 || sizeof(struct weir_proxy_sess) == WEIR_MEM_PROXY_SESS,
	       "WEIR_MEM_PROXY_SESS (conf/conf.h) must follow struct weir_proxy_sess");

/* The listener of one service on one worker (its ctx leads back here). */
struct proxy_listener {
	struct weir_tcp_listener l;
	struct weir_worker *w;
	uint16_t svc;
};

/* A worker's proxy. */
struct weir_proxy_w {
	struct weir_tcp_stack *stack;
	struct proxy_listener *listeners; /* by service index */
	struct weir_proxy_sess *sess;
	uint32_t cap;
	uint32_t *free;
	uint32_t nb_free;
	const struct rte_mbuf *cur; /* the frame being handled (its source MAC, its port) */
	/* Sessions whose pump stopped for want of an mbuf, pumped again on the next tick. */
	TAILQ_HEAD(, weir_proxy_sess) stalled;
	uint32_t nb_stalled;
	uint64_t stall_tick; /* the tick they were last pumped again */
	uint64_t opened;
	uint64_t active;
	uint64_t retries;
	uint64_t refused; /* no session slot, or no flow entry */
	uint64_t ends[END_MAX];
};

static inline struct weir_proxy_w *pw_of(struct weir_worker *w)
{
	return w->l4->proxy;
}

static inline uint64_t tick_of(struct weir_worker *w, uint64_t tsc)
{
	return tsc / w->l4->tsc_per_tick;
}

/* ---- sessions ---- */

static void sess_timer_fn(struct weir_timer *t, uint64_t now);

static struct weir_proxy_sess *sess_alloc(struct weir_worker *w, uint16_t svc)
{
	struct weir_proxy_w *pw = pw_of(w);
	struct weir_proxy_sess *s;
	uint32_t gen;

	if (pw->nb_free == 0)
		return NULL;
	s = &pw->sess[pw->free[--pw->nb_free]];
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gen = s->gen;
	memset(s, 0, sizeof(*s));
	s->gen = gen;
	s->w = w;
	s->svc = svc;
	s->srv_gid = UINT32_MAX;
	s->created = s->last_cli = s->last_srv = w->now;
	weir_timer_init(&s->timer, sess_timer_fn);
	pw->opened++;
	pw->active++;
	return s;
}

/* Publish a set-up session to readers (show sess). */
static void sess_publish(struct weir_proxy_sess *s)
{
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
}

/* Both connections are gone: free the flow entry and the slot. */
static void sess_free(struct weir_proxy_sess *s)
{
	struct weir_worker *w = s->w;
	struct weir_proxy_w *pw = pw_of(w);

	weir_timer_cancel(&w->l4->tw, &s->timer);
	if (s->flags & SESS_F_STALLED) {
		TAILQ_REMOVE(&pw->stalled, s, stall);
		pw->nb_stalled--;
	}
	if (s->flow != NULL) {
		s->flow->sess = NULL;
		weir_flow_destroy(w->l4->ft, s->flow);
		weir_l4_svc_close(w, s->svc);
	}
	pw->ends[s->end]++;
	pw->active--;
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->state = SESS_FREE;
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
	pw->free[pw->nb_free++] = (uint32_t)(s - pw->sess);
}

/* Arm the session's timer for its next deadline: connect, or the nearer idle timeout. */
static void sess_arm(struct weir_proxy_sess *s)
{
	struct weir_worker *w = s->w;
	const struct weir_service *svc = &w->dp->lb->svc[s->svc];
	uint64_t at;

	if (s->state == SESS_CONNECTING) {
		at = s->deadline;
	} else if (s->state == SESS_OPEN) {
		uint64_t c = s->last_cli + svc->ptimeout[0], v = s->last_srv + svc->ptimeout[1];

		at = c < v ? c : v;
	} else {
		weir_timer_cancel(&w->l4->tw, &s->timer);
		return;
	}
	weir_timer_arm(&w->l4->tw, &s->timer, tick_of(w, at) + 1);
}

/*
 * Direction @c2s of @s could not move data: weir_tcp_recv() had to split a buffer and
 * the pool had no mbuf for it. No event of the stack may follow to pump it again (the
 * sender may have sent all it means to, and the other side may owe no send space), so
 * the session goes on the worker's stalled list, pumped again on its next tick.
 */
static void sess_stall(struct weir_proxy_sess *s, bool c2s)
{
	struct weir_proxy_w *pw = pw_of(s->w);

	if (!(s->flags & SESS_F_STALLED)) {
		TAILQ_INSERT_TAIL(&pw->stalled, s, stall);
		pw->nb_stalled++;
	}
	s->flags |= c2s ? SESS_F_C2S_STALL : SESS_F_S2C_STALL;
}

/*
 * Move what @from received to @to, as much as @to can take (@all: everything, past its
 * send buffer); pass a FIN on once.
 */
static void pump_some(struct weir_proxy_sess *s, bool c2s, bool all)
{
	struct weir_tcp_conn *from = c2s ? s->cli : s->srv, *to = c2s ? s->srv : s->cli;
	uint8_t fin = c2s ? SESS_F_C2S_FIN : SESS_F_S2C_FIN;
	struct weir_worker *w = s->w;

	if (from == NULL || to == NULL || s->state != SESS_OPEN)
		return;
	for (;;) {
		uint32_t space = weir_tcp_send_space(to), avail = weir_tcp_recv_avail(from);
		struct rte_mbuf *m;
		uint32_t n;

		if (all)
			space = avail;
		if (space == 0 || avail == 0)
			break;
		m = weir_tcp_recv(from, space < avail ? space : avail);
		if (m == NULL) {
			sess_stall(s, c2s);
			break;
		}
		n = rte_pktmbuf_pkt_len(m);
		if (weir_tcp_send(to, m) != 0)
			break;
		/* Data moving either way is activity on both sides: one side sends it, the
		 * other takes it (HAProxy's client and server timeouts work the same way). */
		if (c2s)
			s->c2s += n;
		else
			s->s2c += n;
		s->last_cli = s->last_srv = w->now;
		/* The same bytes in the service's and the server's counters (show stat). */
		w->l4->svc[s->svc].bytes[c2s ? WEIR_DIR_IN : WEIR_DIR_OUT] += n;
		if (s->srv_gid != UINT32_MAX)
			w->l4->srv[s->srv_gid].bytes[c2s ? WEIR_DIR_IN : WEIR_DIR_OUT] += n;
	}
	if (!(s->flags & fin) && weir_tcp_eof(from)) {
		s->flags |= fin;
		weir_tcp_shutdown(to);
	}
}

static void pump(struct weir_proxy_sess *s, bool c2s)
{
	pump_some(s, c2s, false);
}

/* ---- connecting to a server ---- */

/* Choose a server and connect to it; false (and the client reset) when none can. */
static bool sess_connect(struct weir_proxy_sess *s)
{
	struct weir_worker *w = s->w;
	struct weir_l4w *l4 = w->l4;
	struct weir_lb *lb = w->dp->lb;
	const struct weir_service *svc = &lb->svc[s->svc];
	struct weir_flow *f = s->flow;
	struct weir_flow_key rev;
	struct weir_server *srv;
	uint32_t hash = weir_flow_hash(&f->fwd) + s->retries, laddr;
	uint16_t k, li = 0, rport;
	int why, lport = -1;

	srv = weir_l4_choose(w, svc, hash, f->fwd.src, &why);
	if (srv == NULL) {
		w->st.drops[why]++;
		l4->svc[s->svc].refused++;
		s->end = END_NO_SERVER;
		return false;
	}
	for (k = 0; k < svc->nb_laddr && lport < 0; k++) {
		li = svc->laddr[(hash + k) % svc->nb_laddr];
		lport = weir_lport_get(&l4->lports[li]);
	}
	if (lport < 0) {
		weir_l4_unchoose(srv);
		w->st.drops[WEIR_DROP_LPORT_EXHAUSTED]++;
		s->end = END_NO_SERVER;
		return false;
	}
	/* Segments for this port without a connection are the proxy's to answer from now. */
	weir_lport_mark(&l4->lports[li], (uint16_t)lport, true);
	laddr = lb->laddr[li].addr;
	rport = srv->port != 0 ? srv->port : f->fwd.dport;
	s->srv_gid = srv->gid;
	s->laddr_idx = li;
	s->lport = rte_cpu_to_be_16((uint16_t)lport);
	l4->srv[srv->gid].flows++; /* its connection count: weir_l4_choose() took it */
	l4->srv[srv->gid].last_flow = w->now;
	/* The reply key first: the SYN leaves from inside weir_tcp_connect(). */
	weir_flow_key_set(&rev, srv->addr, laddr, rport, s->lport, IPPROTO_TCP);
	weir_flow_set_rev(l4->ft, f, &rev);
	f->laddr = laddr;
	f->lport = s->lport;
	f->laddr_idx = li;
	f->srv = (uint16_t)srv->gid;
	f->flags &= (uint8_t) ~(WEIR_FLOW_F_MAC_IN);
	s->state = SESS_CONNECTING;
	s->deadline = w->now + svc->ptimeout[2];
	s->srv = weir_tcp_connect(pw_of(w)->stack, laddr, s->lport, srv->addr, rport, s);
	if (s->srv == NULL) {
		/* No connection slot: undo, the client gets a reset. */
		weir_flow_clear_rev(l4->ft, f);
		weir_lport_put(&l4->lports[li], (uint16_t)lport);
		weir_l4_unchoose(srv);
		s->srv_gid = UINT32_MAX;
		s->lport = 0;
		s->end = END_NO_SERVER;
		return false;
	}
	sess_arm(s);
	return true;
}

/* The server connection is gone: give back its port and its place in the server's count. */
static void release_server(struct weir_proxy_sess *s)
{
	struct weir_worker *w = s->w;
	struct weir_server *srv;

	if (s->srv_gid == UINT32_MAX)
		return;
	srv = w->dp->lb->srv[s->srv_gid];
	weir_l4_unchoose(srv);
	weir_flow_clear_rev(w->l4->ft, s->flow);
	weir_lport_put(&w->l4->lports[s->laddr_idx], rte_be_to_cpu_16(s->lport));
	s->srv_gid = UINT32_MAX;
	s->lport = 0;
}

/* ---- stack callbacks ---- */

static int on_passive_new(struct weir_tcp_conn *c, void *listener_ctx)
{
	struct proxy_listener *pl = listener_ctx;
	struct weir_worker *w = pl->w;
	struct weir_proxy_w *pw = pw_of(w);
	struct weir_flow_key key;
	struct weir_proxy_sess *s;
	struct weir_flow *f;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	int out;

	weir_tcp_tuple(c, &laddr, &lport, &raddr, &rport);
	weir_flow_key_set(&key, raddr, laddr, rport, lport, IPPROTO_TCP);
	f = weir_flow_create(w->l4->ft, &key, NULL);
	if (f == NULL) {
		w->st.drops[WEIR_DROP_FLOW_FULL]++;
		pw->refused++;
		return -ENOSPC;
	}
	s = sess_alloc(w, pl->svc);
	if (s == NULL) {
		weir_flow_destroy(w->l4->ft, f);
		pw->refused++;
		return -ENOSPC;
	}
	f->svc = pl->svc;
	f->created = f->last = w->now;
	f->state = WEIR_FS_ESTABLISHED;
	f->sess = s;
	out = weir_route(w->dp, raddr, &f->c_nexthop);
	if (pw->cur != NULL && w->dp->port_by_id[pw->cur->port] != NULL) {
		uint16_t arrival = w->dp->port_by_id[pw->cur->port]->index;

		/* Replies go back where the client's frames came from when the route agrees. */
		f->cmac = rte_pktmbuf_mtod(pw->cur, const struct rte_ether_hdr *)->src_addr;
		if (out < 0 || out == arrival) {
			out = arrival;
			if (f->c_nexthop == 0)
				f->c_nexthop = raddr;
			f->flags |= WEIR_FLOW_F_CMAC;
		}
	}
	f->cport = (uint8_t)(out < 0 ? 0 : out);
	weir_flow_publish(f);
	s->flow = f;
	s->cli = c;
	s->state = SESS_ACCEPTING;
	weir_tcp_set_ctx(c, s);
	weir_l4_svc_open(w, pl->svc);
	sess_publish(s);
	return 0;
}

static void on_established(struct weir_tcp_conn *c)
{
	struct weir_proxy_sess *s = weir_tcp_ctx(c);

	if (c == s->cli) {
		if (!sess_connect(s))
			weir_tcp_abort(c);
		return;
	}
	/*
	 * The server answered: its connect time for least-time (the SYN left when the
	 * connect timeout was armed), then splice, starting with what the client sent
	 * meanwhile.
	 */
	weir_l4_connect_sample(
		s->w, s->srv_gid,
		weir_l4_connect_us(s->w, s->deadline - s->w->dp->lb->svc[s->svc].ptimeout[2]));
	s->state = SESS_OPEN;
	s->last_cli = s->last_srv = s->w->now;
	sess_arm(s);
	pump(s, true);
	pump(s, false);
}

static void on_readable(struct weir_tcp_conn *c)
{
	struct weir_proxy_sess *s = weir_tcp_ctx(c);

	pump(s, c == s->cli);
}

static void on_writable(struct weir_tcp_conn *c)
{
	struct weir_proxy_sess *s = weir_tcp_ctx(c);

	pump(s, c != s->cli);
}

static void on_closed(struct weir_tcp_conn *c, int err)
{
	struct weir_proxy_sess *s = weir_tcp_ctx(c);
	struct weir_worker *w;

	if (s == NULL)
		return;
	w = s->w;
	/*
	 * A clean end (both FINs, or TIME_WAIT over) while the other side has not taken all
	 * this one received: the stack frees it after this call, so it all goes over now,
	 * past the other side's send buffer (at most a receive buffer more), then the FIN.
	 */
	if (err == 0)
		pump_some(s, c == s->cli, true);
	if (c == s->cli) {
		s->cli = NULL;
		if (err != 0 && s->end == END_NONE)
			s->end = err == ETIMEDOUT ? END_CLIENT_TIMEOUT : END_CLIENT_RESET;
		/* The client is gone before the server answered, or by a reset: so goes the server.
		 */
		if (s->srv != NULL && (err != 0 || s->state == SESS_CONNECTING)) {
			weir_tcp_abort(s->srv);
			if (s->state == SESS_FREE)
				return; /* the nested close freed the session */
		}
	} else if (c == s->srv) {
		uint32_t failed = s->srv_gid;

		s->srv = NULL;
		release_server(s);
		if (s->state == SESS_CONNECTING && err != 0 && s->cli != NULL) {
			/*
			 * Refused or unanswered, and not given up by the client first: a connection
			 * error, as slow as the connect timeout for least-time; then one more
			 * server, as HAProxy's retries/redispatch.
			 */
			if (failed != UINT32_MAX)
				weir_l4_connect_failed(
					w, failed,
					weir_tsc_to_ms(w->dp, w->dp->lb->svc[s->svc].ptimeout[2]) *
						1000);
			if (s->retries++ == 0) {
				pw_of(w)->retries++;
				if (failed != UINT32_MAX)
					w->l4->srv[failed].wretr++;
				if (sess_connect(s)) {
					if (failed != UINT32_MAX && s->srv_gid != failed)
						w->l4->srv[failed].wredis++;
					return;
				}
			}
			if (s->end == END_NONE)
				s->end = END_CONNECT_FAIL;
			weir_tcp_abort(s->cli);
			if (s->state == SESS_FREE)
				return;
		} else if (err != 0) {
			if (s->end == END_NONE)
				s->end = err == ETIMEDOUT ? END_SERVER_TIMEOUT : END_SERVER_RESET;
			if (s->cli != NULL) {
				weir_tcp_abort(s->cli);
				if (s->state == SESS_FREE)
					return;
			}
		}
	}
	if (s->cli == NULL && s->srv == NULL) {
		sess_free(s);
		return;
	}
	s->state = SESS_CLOSING;
	/*
	 * The client's side is over while the server's lingers: the client may open its next
	 * connection on the same 4-tuple meanwhile (a closer's TIME_WAIT is on its side), and
	 * that one needs the flow table's client key for a session of its own.
	 */
	if (s->cli == NULL && s->flow != NULL)
		weir_flow_unhook_fwd(w->l4->ft, s->flow);
}

/* Prepend the Ethernet header's room the stack left and send toward the conn's peer. */
static void on_xmit(struct weir_tcp_conn *c, struct rte_mbuf *m)
{
	struct weir_proxy_sess *s = weir_tcp_ctx(c);
	struct weir_worker *w = s->w;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	struct weir_flow *f = s->flow;

	if (eth == NULL) {
		weir_drop(w, m, WEIR_DROP_NO_MBUF);
		return;
	}
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	/* The flow's server is the session's (f->srv is set when it connects). */
	weir_l4_send_flow(w, m, f, c == s->cli ? WEIR_DIR_OUT : WEIR_DIR_IN);
}

/* An answer without a connection (RST, cookie SYN-ACK) goes back where @orig came from. */
static void on_reply(void *owner, struct rte_mbuf *m, const struct rte_mbuf *orig)
{
	struct weir_worker *w = owner;
	const struct rte_ether_hdr *oe = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	const struct weir_port *p = w->dp->port_by_id[orig->port];

	if (eth == NULL || p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	eth->dst_addr = oe->src_addr;
	eth->src_addr = p->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	weir_tx(w, p->index, m);
}

/* The session timer: connect timeout, or a side idle too long. */
static void sess_timer_fn(struct weir_timer *t, uint64_t now)
{
	struct weir_proxy_sess *s = weir_timer_owner(t, struct weir_proxy_sess, timer);
	struct weir_worker *w = s->w;
	const struct weir_service *svc = &w->dp->lb->svc[s->svc];
	uint64_t tsc = w->now;

	(void)now;
	if (s->state == SESS_CONNECTING && tsc >= s->deadline) {
		/* The server never answered: as a refusal (one retry on another server). */
		if (s->srv != NULL)
			weir_tcp_abort(s->srv);
		return;
	}
	if (s->state == SESS_OPEN) {
		if (tsc - s->last_cli >= svc->ptimeout[0])
			s->end = END_CLIENT_TIMEOUT;
		else if (tsc - s->last_srv >= svc->ptimeout[1])
			s->end = END_SERVER_TIMEOUT;
		if (s->end != END_NONE) {
			s->state = SESS_CLOSING;
			if (s->cli != NULL)
				weir_tcp_abort(s->cli);
			if (s->state != SESS_FREE && s->srv != NULL)
				weir_tcp_abort(s->srv);
			return;
		}
	}
	sess_arm(s);
}

static const struct weir_tcp_ops proxy_ops = {
	.passive_new = on_passive_new,
	.established = on_established,
	.readable = on_readable,
	.writable = on_writable,
	.closed = on_closed,
	.xmit = on_xmit,
	.reply = on_reply,
};

/* ---- the packet path ---- */

/*
 * Whether local address @addr, port @port (network order) is one of the proxy's own TCP
 * endpoints: an address only TCP-proxy services take ports from, or, on one full-NAT
 * services share, a port the proxy took last. The others are full-NAT forwarding's,
 * which forwards what belongs to a flow and answers nothing.
 */
static bool proxy_endpoint(const struct weir_worker *w, uint32_t addr, uint16_t port)
{
	const struct weir_lb *lb = w->dp->lb;
	uint32_t i;

	for (i = 0; i < lb->nb_laddr; i++) {
		uint8_t modes = lb->laddr[i].modes;

		if (lb->laddr[i].addr != addr)
			continue;
		if (!(modes & (1u << WEIR_MODE_TCP)))
			return false;
		if (!(modes & (1u << WEIR_MODE_NAT)))
			return true;
		return weir_lport_marked(&w->l4->lports[i], rte_be_to_cpu_16(port));
	}
	return false;
}

/*
 * A segment to a local address for no connection: on the proxy's own endpoints, an RST
 * as a closed port answers (the server's challenge ACK to the RST of a session the
 * proxy aborted meets no connection any more, and without an answer the server's side
 * would linger until it timed out). Anything not answered counts as no_flow (no_mbuf
 * when the RST could not be built).
 */
static void stray_input(struct weir_worker *w, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			uint32_t ihl)
{
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	int rc;

	if (proxy_endpoint(w, ip->dst_addr, th->dst_port)) {
		rc = weir_tcp_closed_input(pw_of(w)->stack, m);
		if (rc == 0) {
			w->st.events[WEIR_EV_TCP_NO_CONN_RST]++;
			rte_pktmbuf_free(m);
			return;
		}
		if (rc == -EAGAIN)
			w->st.events[WEIR_EV_TCP_NO_CONN_RST_LIMITED]++;
		if (rc == -ENOBUFS) {
			weir_drop(w, m, WEIR_DROP_NO_MBUF);
			return;
		}
	}
	weir_drop(w, m, WEIR_DROP_NO_FLOW);
}

void weir_proxy_input(struct weir_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		      uint32_t ihl, const struct weir_service *svc, struct weir_flow *f)
{
	struct weir_proxy_w *pw = pw_of(w);
	struct weir_proxy_sess *s = f != NULL ? f->sess : NULL;
	struct weir_tcp_conn *c = NULL;

	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = ihl;
	/* The L4 path checked the TCP checksum already. */
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	pw->cur = m;
	if (s != NULL) {
		c = svc != NULL ? s->cli : s->srv;
		f->last = w->now;
		if (c != NULL) {
			weir_tcp_input(pw->stack, c, m);
			pw->cur = NULL;
			return;
		}
	}
	if (svc != NULL && (s == NULL || s->cli == NULL)) {
		weir_tcp_listen_input(pw->stack, &pw->listeners[svc->index].l, m);
		pw->cur = NULL;
		return;
	}
	pw->cur = NULL;
	stray_input(w, m, ip, ihl);
}

/*
 * Pump the stalled sessions again, once a tick: the pool may have mbufs again. One that
 * fails again goes back on the list for the next tick, so an empty pool costs a try
 * per session and millisecond, no busy loop.
 */
static void stalled_pump(struct weir_proxy_w *pw)
{
	struct weir_proxy_sess *s;
	uint32_t n;

	for (n = pw->nb_stalled; n > 0 && (s = TAILQ_FIRST(&pw->stalled)) != NULL; n--) {
		uint8_t dirs = s->flags & SESS_F_STALLED;

		TAILQ_REMOVE(&pw->stalled, s, stall);
		pw->nb_stalled--;
		s->flags &= (uint8_t)~SESS_F_STALLED;
		if (dirs & SESS_F_C2S_STALL)
			pump(s, true);
		if (dirs & SESS_F_S2C_STALL)
			pump(s, false);
	}
}

void weir_proxy_poll(struct weir_worker *w)
{
	struct weir_proxy_w *pw = pw_of(w);
	uint64_t tick;

	if (pw == NULL)
		return;
	weir_tcp_clock(pw->stack, w->now);
	tick = weir_l4_tick(w->l4, w->now);
	if (pw->nb_stalled > 0 && tick != pw->stall_tick) {
		pw->stall_tick = tick;
		stalled_pump(pw);
	}
}

/* ---- set-up ---- */

int weir_proxy_init(struct weir_dp *dp)
{
	const struct weir_conf_tcp *ct = &dp->conf->global.tcp;
	struct weir_tcp_params tp = {
		.max_conns = ct->max_conns,
		.syn_backlog = ct->syn_backlog,
		.syncookies = (uint8_t)ct->syncookies,
		.cc = (uint8_t)ct->cc,
		.rcvbuf = ct->rcvbuf,
		.sndbuf = ct->sndbuf,
		.rto_min_ms = ct->rto_min_ms,
		.rto_max_ms = ct->rto_max_ms,
		.rto_init_ms = ct->rto_init_ms,
		.delack_ms = ct->delack_ms,
		.time_wait_ms = ct->time_wait_ms,
		.fin_wait2_ms = ct->fin_wait2_ms,
		.keepalive_ms = ct->keepalive_ms,
		.keepalive_intvl_ms = ct->keepalive_intvl_ms,
		.keepalive_probes = ct->keepalive_probes,
		.syn_retries = ct->syn_retries,
		.synack_retries = ct->synack_retries,
		.data_retries = ct->data_retries,
	};
	struct weir_lb *lb = dp->lb;
	uint32_t i, k, mtu = 65535;
	uint16_t wi;
	bool any = false;

	for (i = 0; i < lb->nb_svc; i++)
		any |= lb->svc[i].mode == WEIR_MODE_TCP;
	if (!any)
		return 0;
	/* The MSS of the smallest MTU among the interfaces: the same for every side. */
	for (i = 0; i < dp->nb_ports; i++)
		if (dp->ports[i].mtu < mtu)
			mtu = dp->ports[i].mtu;
	tp.mss = (uint16_t)(mtu - 40);
	for (k = 0; k < 4; k++)
		tp.cookie_secret[k] = (uint32_t)rte_rand();
	for (wi = 0; wi < dp->nb_workers; wi++) {
		struct weir_worker *w = &dp->workers[wi];
		struct weir_proxy_w *pw;
		int socket = (int)rte_socket_id();

		pw = rte_zmalloc_socket("weir_proxy", sizeof(*pw), RTE_CACHE_LINE_SIZE, socket);
		if (pw == NULL)
			return -ENOMEM;
		w->l4->proxy = pw;
		pw->cap = ct->max_conns;
		pw->sess = rte_zmalloc_socket("weir_sessions", sizeof(*pw->sess) * pw->cap,
					      RTE_CACHE_LINE_SIZE, socket);
		pw->free =
			rte_malloc_socket("weir_sess_free", sizeof(*pw->free) * pw->cap, 0, socket);
		pw->listeners = rte_zmalloc_socket(
			"weir_listeners", sizeof(*pw->listeners) * (lb->nb_svc + 1), 0, socket);
		if (pw->sess == NULL || pw->free == NULL || pw->listeners == NULL)
			return -ENOMEM;
		for (k = 0; k < pw->cap; k++) {
			pw->free[k] = pw->cap - 1 - k;
			weir_timer_init(&pw->sess[k].timer, sess_timer_fn);
		}
		pw->nb_free = pw->cap;
		TAILQ_INIT(&pw->stalled);
		for (k = 0; k < lb->nb_svc; k++) {
			struct proxy_listener *pl = &pw->listeners[k];

			pl->l.addr = lb->svc[k].vip;
			pl->l.port = rte_cpu_to_be_16(lb->svc[k].port_min);
			pl->l.ctx = pl;
			pl->w = w;
			pl->svc = (uint16_t)k;
		}
		pw->stack = weir_tcp_stack_create(&tp, &proxy_ops, w, &w->l4->tw, dp->pool, socket);
		if (pw->stack == NULL) {
			WEIR_LOG(ERR, tcp,
				 "worker %u: cannot create the TCP stack (%u connections)\n", wi,
				 ct->max_conns);
			return -ENOMEM;
		}
	}
	return 0;
}

void weir_proxy_fini(struct weir_dp *dp)
{
	uint16_t wi;

	for (wi = 0; dp->workers != NULL && wi < dp->nb_workers; wi++) {
		struct weir_worker *w = &dp->workers[wi];
		struct weir_proxy_w *pw = w->l4 != NULL ? w->l4->proxy : NULL;

		if (pw == NULL)
			continue;
		weir_tcp_stack_free(pw->stack);
		rte_free(pw->sess);
		rte_free(pw->free);
		rte_free(pw->listeners);
		rte_free(pw);
		w->l4->proxy = NULL;
	}
}

/* ---- runtime commands ---- */

static void ip_str(uint32_t a, char *buf, size_t len)
{
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

/* show sess [vip <a>] [server <b>/<s>] [client <a>] [limit <n>] */
static void cmd_show_sess(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_lb *lb = dp->lb;
	uint32_t vip = 0, client = 0, srv = UINT32_MAX, i;
	uint64_t now = rte_rdtsc(), limit = 100000, shown = 0;
	uint16_t wi;
	int a;

	for (a = 2; a < argc; a += 2) {
		struct in_addr in;

		if (a + 1 >= argc) {
			weir_rt_printf(ctx->out, "Missing value after '%s'.\n", argv[a]);
			return;
		}
		if (strcmp(argv[a], "vip") == 0 || strcmp(argv[a], "client") == 0) {
			if (inet_pton(AF_INET, argv[a + 1], &in) != 1) {
				weir_rt_printf(ctx->out, "'%s' is not an IPv4 address.\n",
					       argv[a + 1]);
				return;
			}
			*(argv[a][0] == 'v' ? &vip : &client) = in.s_addr;
		} else if (strcmp(argv[a], "server") == 0) {
			struct weir_server *s = weir_lb_find_server(lb, argv[a + 1]);

			if (s == NULL) {
				weir_rt_printf(ctx->out, "No such server.\n");
				return;
			}
			srv = s->gid;
		} else if (strcmp(argv[a], "limit") == 0) {
			limit = strtoull(argv[a + 1], NULL, 10);
		} else {
			weir_rt_printf(ctx->out,
				       "Unknown filter '%s': use vip, server, client, "
				       "limit.\n",
				       argv[a]);
			return;
		}
	}
	weir_rt_printf(ctx->out, "# worker client vip service server local client_state "
				 "server_state age_ms idle_ms bytes_c2s bytes_s2c\n");
	for (wi = 0; wi < dp->nb_workers; wi++) {
		const struct weir_proxy_w *pw = dp->workers[wi].l4->proxy;

		for (i = 0; pw != NULL && i < pw->cap && shown < limit; i++) {
			const struct weir_proxy_sess *src = &pw->sess[i];
			struct weir_proxy_sess s;
			struct weir_flow f;
			uint32_t gen = __atomic_load_n(&src->gen, __ATOMIC_ACQUIRE);
			char c[INET_ADDRSTRLEN], v[INET_ADDRSTRLEN], l[INET_ADDRSTRLEN];
			const char *cs, *ss, *sname = "-", *bname = "-";

			if (gen & 1)
				continue;
			memcpy(&s, src, sizeof(s));
			if (s.state == SESS_FREE || s.flow == NULL)
				continue;
			memcpy(&f, s.flow, sizeof(f));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&src->gen, __ATOMIC_RELAXED) != gen ||
			    s.svc >= lb->nb_svc)
				continue;
			if ((vip && f.fwd.dst != vip) || (client && f.fwd.src != client) ||
			    (srv != UINT32_MAX && s.srv_gid != srv))
				continue;
			/* Connection states read as they are: a snapshot, like the rest. */
			cs = s.cli != NULL ? weir_tcp_state_name(weir_tcp_state(s.cli)) : "-";
			ss = s.srv != NULL ? weir_tcp_state_name(weir_tcp_state(s.srv)) : "-";
			if (s.srv_gid < lb->nb_srv) {
				sname = lb->srv[s.srv_gid]->name;
				bname = lb->srv[s.srv_gid]->be->name;
			}
			ip_str(f.fwd.src, c, sizeof(c));
			ip_str(f.fwd.dst, v, sizeof(v));
			if (s.lport)
				ip_str(f.laddr, l, sizeof(l));
			else
				snprintf(l, sizeof(l), "-");
			weir_rt_printf(ctx->out,
				       "%u %s:%u %s:%u %s %s/%s %s:%u %s %s %" PRIu64 " %" PRIu64
				       " %" PRIu64 " %" PRIu64 "\n",
				       wi, c, rte_be_to_cpu_16(f.fwd.sport), v,
				       rte_be_to_cpu_16(f.fwd.dport), lb->svc[s.svc].name, bname,
				       sname, l, rte_be_to_cpu_16(s.lport), cs, ss,
				       weir_tsc_to_ms(dp, now - s.created),
				       weir_tsc_to_ms(dp, now - RTE_MAX(s.last_cli, s.last_srv)),
				       s.c2s, s.s2c);
			shown++;
		}
	}
}

/* show tcp: the stack's counters, summed over the workers, and how sessions ended. */
static void cmd_show_tcp(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_tcp_stats sum = { 0 };
	uint64_t opened = 0, active = 0, retries = 0, refused = 0, ends[END_MAX] = { 0 };
	uint16_t wi;
	unsigned int k;

	(void)argc;
	(void)argv;
	for (wi = 0; wi < dp->nb_workers; wi++) {
		const struct weir_proxy_w *pw = dp->workers[wi].l4->proxy;
		const uint64_t *src;
		uint64_t *dst = (uint64_t *)&sum;

		if (pw == NULL)
			continue;
		src = (const uint64_t *)weir_tcp_stats(pw->stack);
		for (k = 0; k < sizeof(sum) / sizeof(uint64_t); k++)
			dst[k] += __atomic_load_n(&src[k], __ATOMIC_RELAXED);
		opened += pw->opened;
		active += pw->active;
		retries += pw->retries;
		refused += pw->refused;
		for (k = 0; k < END_MAX; k++)
			ends[k] += pw->ends[k];
	}
	for (k = 0; k < WEIR_TCP_NB_STATES; k++)
		weir_rt_printf(ctx->out, "State_%s: %" PRIu64 "\n",
			       weir_tcp_state_name((enum weir_tcp_state)k), sum.states[k]);
#define X(f, doc) weir_rt_printf(ctx->out, "%s: %" PRIu64 "\n", #f, sum.f);
	WEIR_TCP_COUNTERS(X)
#undef X
	weir_rt_printf(ctx->out, "sessions_opened: %" PRIu64 "\n", opened);
	weir_rt_printf(ctx->out, "sessions_active: %" PRIu64 "\n", active);
	weir_rt_printf(ctx->out, "sessions_refused: %" PRIu64 "\n", refused);
	weir_rt_printf(ctx->out, "connect_retries: %" PRIu64 "\n", retries);
	for (k = 0; k < END_MAX; k++)
		weir_rt_printf(ctx->out, "ended_%s: %" PRIu64 "\n", end_names[k], ends[k]);
}

static const struct weir_rt_cmd proxy_cmds[] = {
	{ { "show", "sess" },
	  "show sess [vip <a>] [server <b>/<s>] [client <a>] [limit <n>]",
	  "TCP-proxy sessions: both connections, ages, bytes",
	  cmd_show_sess },
	{ { "show", "tcp" },
	  "show tcp",
	  "Weir's TCP stack: connections by state, counters",
	  cmd_show_tcp },
};

void weir_proxy_register_commands(void)
{
	weir_rt_register(proxy_cmds, RTE_DIM(proxy_cmds));
}
