/* SPDX-License-Identifier: BSD-3-Clause */
/* The TCP proxy (mode tcp) driven by crafted client and server segments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/worker.h"
#include "fixture.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "l4/proxy.h"
#include "tcp/tcp.h"

/*
 * A TCP-proxy service and, on the next port, a full-NAT one: both take their source
 * ports from 10.1.0.1, the address of the interface facing the server.
 */
static const char *conf_text =
	"global = { workers = 1; mbufs = 4095; flows = 1024;\n"
	"  tcp = { max_connections = 64; sndbuf = 4096; rcvbuf = 8192; }; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
	");\n"
	"backends = ( { name = \"web\"; servers = (\n"
	"  { name = \"s1\"; address = \"10.1.0.11\"; port = 8000; } ); } );\n"
	"services = ( { name = \"p\"; vip = \"10.0.0.10\"; port = 80; mode = \"tcp\"; "
	"backend = \"web\"; },\n"
	"  { name = \"n\"; vip = \"10.0.0.10\"; port = 81; mode = \"nat\"; "
	"backend = \"web\"; } );\n";

/*
 * The proxy alone, with jumbo frames: one received buffer holds more than the send
 * buffer (4096) takes, so moving it on always needs a split.
 */
static const char *conf_jumbo =
	"global = { workers = 1; mbufs = 1023; flows = 1024;\n"
	"  tcp = { max_connections = 64; sndbuf = 4096; rcvbuf = 16384; }; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; "
	"mtu = 9000; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; "
	"mtu = 9000; }\n"
	");\n"
	"backends = ( { name = \"web\"; servers = (\n"
	"  { name = \"s1\"; address = \"10.1.0.11\"; port = 8000; } ); } );\n"
	"services = ( { name = \"p\"; vip = \"10.0.0.10\"; port = 80; mode = \"tcp\"; "
	"backend = \"web\"; } );\n";

static struct weir_dp dp;

/* The worker's clock: the tests move it, so that nothing depends on how fast they run. */
static uint64_t now_tsc;

static int setup_conf(const char *text)
{
	static const char *const servers[] = { "10.1.0.11", NULL };

	if (fixture_l4_setup(&dp, text, servers) != 0)
		return -1;
	now_tsc = rte_rdtsc();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_conf(conf_text);
}

static int setup_jumbo(void **state)
{
	(void)state;
	return setup_conf(conf_jumbo);
}

/* Move the worker's clock on by @ms. */
static void advance_ms(uint64_t ms)
{
	now_tsc += ms * rte_get_tsc_hz() / 1000;
}

static int teardown(void **state)
{
	(void)state;
	fixture_dp_fini(&dp);
	return 0;
}

/* A parsed frame Weir sent. */
struct seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t len;
};

/* A frame holding a TCP segment with @len bytes of payload, arriving on @port. */
static struct rte_mbuf *frame(uint16_t port, const char *src, uint16_t sport, const char *dst,
			      uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
			      uint16_t win, uint32_t len)
{
	static uint8_t buf[9100];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	struct rte_mbuf *m;
	uint32_t i;

	memset(buf, 0, sizeof(buf));
	fixture_port_mac(port, &eth->dst_addr);
	eth->src_addr = port == 0 ? fixture_peer_mac : fixture_srv_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip_hdr(ip, src, dst, IPPROTO_TCP, (uint16_t)(sizeof(*th) + len));
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	for (i = 0; i < len; i++)
		((uint8_t *)(th + 1))[i] = (uint8_t)(seq + i);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m = fixture_mbuf(&dp, buf, (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*th) + len));
	m->port = port;
	return m;
}

/* One iteration of worker 0's loop at the test's clock, receiving frame @m (or none). */
static void run(struct rte_mbuf *m)
{
	struct weir_worker *w = &dp.workers[0];

	w->now = now_tsc;
	weir_proxy_poll(w);
	if (m != NULL)
		weir_l4_burst(w, &dp.ports[m->port], &m, 1);
}

/* Send a TCP segment with @len bytes of payload into worker 0 on @port. */
static void inject(uint16_t port, const char *src, uint16_t sport, const char *dst, uint16_t dport,
		   uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint32_t len)
{
	run(frame(port, src, sport, dst, dport, flags, seq, ack, win, len));
}

/* Take what worker 0 queued on @port: up to @max segments parsed, the mbufs freed. */
static unsigned int collect(uint16_t port, struct seg *out, unsigned int max)
{
	struct weir_txbuf *b = &dp.workers[0].tx[port];
	unsigned int i, n = 0;

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + 20);

		if (n < max && ip->next_proto_id == IPPROTO_TCP) {
			struct seg *s = &out[n++];

			s->saddr = ip->src_addr;
			s->daddr = ip->dst_addr;
			s->sport = rte_be_to_cpu_16(th->src_port);
			s->dport = rte_be_to_cpu_16(th->dst_port);
			s->seq = rte_be_to_cpu_32(th->sent_seq);
			s->ack = rte_be_to_cpu_32(th->recv_ack);
			s->flags = th->tcp_flags;
			s->len = rte_be_to_cpu_16(ip->total_length) - 20 - (th->data_off >> 4) * 4;
		}
		rte_pktmbuf_free(m);
	}
	b->n = 0;
	return n;
}

/* What reached the server so far: payload bytes (highest end), and whether a FIN did. */
struct srv_view {
	uint32_t iss; /* Weir's ISN toward the server */
	uint32_t hi;  /* highest payload end seen, relative to iss + 1 */
	bool fin;
};

static void srv_take(struct srv_view *v)
{
	struct seg s[64];
	unsigned int n = collect(1, s, 64), i;

	for (i = 0; i < n; i++) {
		uint32_t end = s[i].seq + s[i].len - (v->iss + 1);

		if (s[i].len > 0 && end > v->hi)
			v->hi = end;
		if (s[i].flags & RTE_TCP_FIN_FLAG)
			v->fin = true;
	}
}

/*
 * Half-close both ways with the client's data still queued in Weir: the client uploads
 * 8000 bytes and half-closes; the server, which has taken only the first 4096 (Weir's
 * sndbuf) so far, answers with its own FIN (shutdown(SHUT_WR), it goes on reading). Weir
 * passes that FIN to the client, the client acknowledges it, and the client connection
 * ends in order (LAST_ACK). The 3904 bytes still in its receive queue, and the client's
 * FIN, must still reach the server.
 */
static void test_clean_close_keeps_queued_data(void **state)
{
	const uint32_t c0 = 1000000, v0 = 7000000, total = 8000;
	struct seg s[64];
	struct srv_view v = { 0 };
	uint32_t s_iss, i;
	uint16_t lport;
	unsigned int n;

	(void)state;
	/* Client handshake. */
	inject(0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, c0, 0, 65535, 0);
	n = collect(0, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	s_iss = s[0].seq;
	inject(0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 1, s_iss + 1, 65535,
	       0);
	/* Weir connects to the server. */
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_SYN_FLAG);
	v.iss = s[0].seq;
	lport = s[0].sport;
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, v0,
	       v.iss + 1, 65535, 0);
	srv_take(&v);
	/* The client sends 8000 bytes (its window from Weir: 8192) and its FIN. */
	for (i = 0; i < total; i += 1000) {
		inject(0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 1 + i,
		       s_iss + 1, 65535, 1000);
		srv_take(&v);
	}
	inject(0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG,
	       c0 + 1 + total, s_iss + 1, 65535, 0);
	srv_take(&v);
	collect(0, s, 64);
	print_message("server got %u bytes before its FIN\n", v.hi);
	assert_int_equal(v.hi, 4096);
	/* The server half-closes without acknowledging yet. */
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, v0 + 1,
	       v.iss + 1, 65535, 0);
	srv_take(&v);
	/* Weir's FIN reaches the client, which acknowledges it. */
	n = collect(0, s, 64);
	for (i = 0; i < n && !(s[i].flags & RTE_TCP_FIN_FLAG); i++)
		;
	assert_true(i < n);
	inject(0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 2 + total,
	       s[i].seq + 1, 65535, 0);
	collect(0, s, 64);
	/* The server reads on and acknowledges whatever it got, a few rounds. */
	for (i = 0; i < 10; i++) {
		inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, v0 + 2,
		       v.iss + 1 + v.hi, 65535, 0);
		srv_take(&v);
	}
	print_message("server got %u of %u bytes, FIN %s\n", v.hi, total, v.fin ? "yes" : "no");
	assert_int_equal(v.hi, total);
	assert_true(v.fin);
}

/* Worker 0's count of event @ev. */
static uint64_t event(unsigned int ev)
{
	return dp.workers[0].st.events[ev];
}

/*
 * Open a session from client port @cport: the client's handshake (its ISN @c0), Weir's
 * connect, the server's SYN-ACK (its ISN @v0). Gives Weir's ISN toward the client
 * (@s_iss) and toward the server (@v_iss), and the local port toward the server.
 */
static void open_session(uint16_t cport, uint32_t c0, uint32_t v0, uint32_t *s_iss, uint32_t *v_iss,
			 uint16_t *lport)
{
	struct seg s[64];
	unsigned int n;

	inject(0, "10.0.0.2", cport, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, c0, 0, 65535, 0);
	n = collect(0, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	*s_iss = s[0].seq;
	inject(0, "10.0.0.2", cport, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 1, *s_iss + 1, 65535,
	       0);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_SYN_FLAG);
	*v_iss = s[0].seq;
	*lport = s[0].sport;
	inject(1, "10.1.0.11", 8000, "10.1.0.1", *lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, v0,
	       *v_iss + 1, 65535, 0);
	collect(0, s, 64);
	collect(1, s, 64);
}

/* A session that the client reset at once: its local port is free again, and the proxy's. */
static uint16_t ended_session(uint16_t cport)
{
	const uint32_t c0 = 3000000, v0 = 9000000;
	struct seg s[64];
	uint32_t s_iss, v_iss;
	uint16_t lport;

	open_session(cport, c0, v0, &s_iss, &v_iss, &lport);
	inject(0, "10.0.0.2", cport, "10.0.0.10", 80, RTE_TCP_RST_FLAG, c0 + 1, 0, 0, 0);
	collect(0, s, 64);
	collect(1, s, 64);
	return lport;
}

/*
 * The proxy aborts a session while data is in flight to the server: its RST carries
 * SEQ = snd_max, beyond what the server received, so the server (Linux, RFC 5961)
 * answers with a challenge ACK. The session is gone by then; that ACK must be answered
 * as a closed port answers it, by RST with SEQ = its ACK, or the server's side lingers.
 */
static void test_challenge_ack_after_abort_gets_rst(void **state)
{
	const uint32_t c0 = 1000000, v0 = 7000000;
	uint64_t rsts = event(WEIR_EV_TCP_NO_CONN_RST);
	uint64_t no_flow = fixture_drops(&dp, WEIR_DROP_NO_FLOW);
	struct seg s[64];
	uint32_t s_iss, v_iss, i;
	uint16_t lport;
	unsigned int n;

	(void)state;
	open_session(41001, c0, v0, &s_iss, &v_iss, &lport);
	inject(0, "10.0.0.2", 41001, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 1, s_iss + 1, 65535,
	       1000);
	n = collect(1, s, 64);
	assert_true(n >= 1);
	inject(0, "10.0.0.2", 41001, "10.0.0.10", 80, RTE_TCP_RST_FLAG, c0 + 1001, 0, 0, 0);
	n = collect(1, s, 64);
	for (i = 0; i < n && !(s[i].flags & RTE_TCP_RST_FLAG); i++)
		;
	assert_true(i < n);
	assert_int_equal(s[i].seq, v_iss + 1 + 1000);
	/* The server's challenge ACK: it acknowledges only the SYN-ACK. */
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, v0 + 1, v_iss + 1, 65535,
	       0);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_RST_FLAG);
	assert_int_equal(s[0].seq, v_iss + 1);
	assert_int_equal(s[0].saddr, ip4("10.1.0.1"));
	assert_int_equal(s[0].sport, lport);
	assert_int_equal(s[0].daddr, ip4("10.1.0.11"));
	assert_int_equal(s[0].dport, 8000);
	assert_int_equal(s[0].len, 0);
	assert_int_equal(event(WEIR_EV_TCP_NO_CONN_RST), rsts + 1);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_NO_FLOW), no_flow);
	assert_int_equal(collect(0, s, 64), 0);
}

/* Without an ACK, the RST acknowledges the segment: SEQ 0, ACK = SEG.SEQ + SEG.LEN + SYN. */
static void test_stray_without_ack_gets_rst_ack(void **state)
{
	uint16_t lport = ended_session(41002);
	struct seg s[64];
	unsigned int n;

	(void)state;
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG, 5000000, 0, 65535, 16);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(s[0].seq, 0);
	assert_int_equal(s[0].ack, 5000000 + 16 + 1);
	assert_int_equal(s[0].sport, lport);
	assert_int_equal(s[0].dport, 8000);
}

/* An RST for no connection is never answered: it is dropped and counted. */
static void test_stray_rst_gets_nothing(void **state)
{
	uint16_t lport = ended_session(41003);
	uint64_t rsts = event(WEIR_EV_TCP_NO_CONN_RST);
	uint64_t no_flow = fixture_drops(&dp, WEIR_DROP_NO_FLOW);
	struct seg s[64];

	(void)state;
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_RST_FLAG, 5000000, 0, 0, 0);
	inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
	       5000000, 6000000, 0, 0);
	assert_int_equal(collect(1, s, 64), 0);
	assert_int_equal(event(WEIR_EV_TCP_NO_CONN_RST), rsts);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_NO_FLOW), no_flow + 2);
}

/*
 * On an address full-NAT services share, segments to a port a full-NAT flow took, or
 * one nobody took, belong to forwarding: dropped as before, never answered.
 */
static void test_stray_to_nat_port_stays_dropped(void **state)
{
	uint16_t proxy_port = ended_session(41004), nat_port, unused;
	uint64_t no_flow = fixture_drops(&dp, WEIR_DROP_NO_FLOW);
	struct seg s[64];
	uint32_t first, end;
	unsigned int n;

	(void)state;
	inject(0, "10.0.0.2", 42000, "10.0.0.10", 81, RTE_TCP_SYN_FLAG, 100, 0, 65535, 0);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	nat_port = s[0].sport;
	assert_int_not_equal(nat_port, proxy_port);
	/* Not the flow's reply tuple (another server port): no flow. */
	inject(1, "10.1.0.11", 8001, "10.1.0.1", nat_port, RTE_TCP_ACK_FLAG, 1, 2, 65535, 0);
	weir_lport_slice(dp.lb, 0, &first, &end);
	unused = (uint16_t)(first + (proxy_port - first + (end - first) / 2) % (end - first));
	inject(1, "10.1.0.11", 8000, "10.1.0.1", unused, RTE_TCP_ACK_FLAG, 1, 2, 65535, 0);
	assert_int_equal(collect(1, s, 64), 0);
	assert_int_equal(collect(0, s, 64), 0);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_NO_FLOW), no_flow + 2);
	/* The proxy's port is still answered. */
	inject(1, "10.1.0.11", 8000, "10.1.0.1", proxy_port, RTE_TCP_ACK_FLAG, 1, 2, 65535, 0);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_RST_FLAG);
}

/* At most WEIR_TCP_RST_BURST answers at once, then one a millisecond. */
static void test_stray_rsts_are_limited(void **state)
{
	uint16_t lport = ended_session(41005);
	uint64_t limited = event(WEIR_EV_TCP_NO_CONN_RST_LIMITED);
	uint64_t no_flow = fixture_drops(&dp, WEIR_DROP_NO_FLOW);
	struct seg s[64];
	unsigned int i, sent = 0;

	(void)state;
	advance_ms(1000); /* a full bucket, whatever the tests before took */
	for (i = 0; i < WEIR_TCP_RST_BURST + 10; i++) {
		inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 1, 2 + i, 65535,
		       0);
		sent += collect(1, s, 64);
	}
	assert_int_equal(sent, WEIR_TCP_RST_BURST);
	assert_int_equal(event(WEIR_EV_TCP_NO_CONN_RST_LIMITED), limited + 10);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_NO_FLOW), no_flow + 10);
	advance_ms(5);
	for (sent = 0, i = 0; i < 10; i++) {
		inject(1, "10.1.0.11", 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 1, 2 + i, 65535,
		       0);
		sent += collect(1, s, 64);
	}
	assert_int_equal(sent, 5);
}

/* The value of counter @name in `show tcp`, or -1 when it is not shown. */
static int64_t show_tcp(const char *name)
{
	return fixture_rt_value(&dp, "show tcp", name);
}

/* `show tcp` has every counter of the stack: the struct holds WEIR_TCP_COUNTERS alone. */
static void test_show_tcp_has_every_counter(void **state)
{
	static const char *const names[] = {
#define X(f, doc) #f,
		WEIR_TCP_COUNTERS(X)
#undef X
	};
	unsigned int i;

	(void)state;
	assert_int_equal(sizeof(struct weir_tcp_stats),
			 sizeof(uint64_t) * (WEIR_TCP_NB_STATES + RTE_DIM(names)));
	for (i = 0; i < RTE_DIM(names); i++) {
		print_message("%s: %" PRId64 "\n", names[i], show_tcp(names[i]));
		assert_true(show_tcp(names[i]) >= 0);
	}
}

/*
 * A listening port's RSTs to stray segments come out of the same budget as a closed
 * port's: a flood of ACKs for no connection to the VIP's port gets WEIR_TCP_RST_BURST
 * answers at once, the rest counted in rst_limited, then one a millisecond.
 */
static void test_listener_rsts_are_limited(void **state)
{
	int64_t limited = show_tcp("rst_limited");
	struct seg s[64];
	unsigned int i, sent = 0;

	(void)state;
	advance_ms(1000); /* a full bucket, whatever the tests before took */
	for (i = 0; i < WEIR_TCP_RST_BURST + 10; i++) {
		inject(0, "10.0.0.2", (uint16_t)(43000 + i), "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1,
		       2, 65535, 0);
		sent += collect(0, s, 64);
	}
	assert_int_equal(sent, WEIR_TCP_RST_BURST);
	assert_int_equal(s[0].flags, RTE_TCP_RST_FLAG);
	assert_int_equal(show_tcp("rst_limited"), limited + 10);
	advance_ms(2);
	for (sent = 0, i = 0; i < 5; i++) {
		inject(0, "10.0.0.2", (uint16_t)(43100 + i), "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1,
		       2, 65535, 0);
		sent += collect(0, s, 64);
	}
	assert_int_equal(sent, 2);
	assert_int_equal(show_tcp("rst_limited"), limited + 13);
}

/* On an address only the proxy takes ports from, any port is the proxy's to answer. */
static void test_proxy_only_address_answers_any_port(void **state)
{
	uint32_t first, end;
	struct seg s[64];
	unsigned int n;

	(void)state;
	weir_lport_slice(dp.lb, 0, &first, &end);
	inject(1, "10.1.0.11", 8000, "10.1.0.1", (uint16_t)first, RTE_TCP_ACK_FLAG, 1, 777, 65535,
	       0);
	n = collect(1, s, 64);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].flags, RTE_TCP_RST_FLAG);
	assert_int_equal(s[0].seq, 777);
}

/*
 * The client's 6000 bytes arrive in one buffer while the pool is empty: the server side
 * takes 4096 (its send buffer), so passing them on needs a split, and no mbuf is left
 * for it. Nothing else will happen on the session (the client sent all it had, the
 * server owes no ACK): once buffers are back, the worker must pump again by itself,
 * well before any idle timeout.
 */
static void test_pump_retries_after_empty_pool(void **state)
{
	const uint32_t c0 = 1000000, v0 = 7000000;
	static struct rte_mbuf *held[2048];
	struct srv_view v = { 0 };
	struct rte_mbuf *m;
	uint32_t s_iss;
	uint16_t lport;
	unsigned int n = 0;

	(void)state;
	open_session(41010, c0, v0, &s_iss, &v.iss, &lport);
	m = frame(0, "10.0.0.2", 41010, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, c0 + 1, s_iss + 1, 65535,
		  6000);
	while (n < RTE_DIM(held) && (held[n] = rte_pktmbuf_alloc(dp.pool)) != NULL)
		n++;
	assert_true(n < RTE_DIM(held));
	run(m);
	srv_take(&v);
	assert_int_equal(v.hi, 0);
	rte_pktmbuf_free_bulk(held, n);
	advance_ms(2);
	run(NULL);
	srv_take(&v);
	print_message("server got %u bytes after the pool refilled\n", v.hi);
	assert_int_equal(v.hi, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_close_keeps_queued_data),
		cmocka_unit_test(test_challenge_ack_after_abort_gets_rst),
		cmocka_unit_test(test_stray_without_ack_gets_rst_ack),
		cmocka_unit_test(test_stray_rst_gets_nothing),
		cmocka_unit_test(test_stray_to_nat_port_stays_dropped),
		cmocka_unit_test(test_stray_rsts_are_limited),
		cmocka_unit_test(test_show_tcp_has_every_counter),
		cmocka_unit_test(test_listener_rsts_are_limited),
	};
	const struct CMUnitTest jumbo[] = {
		cmocka_unit_test(test_proxy_only_address_answers_any_port),
		cmocka_unit_test(test_pump_retries_after_empty_pool),
	};

	weir_proxy_register_commands();
	return cmocka_run_group_tests(tests, setup, teardown) |
	       cmocka_run_group_tests_name("jumbo frames, proxy only", jumbo, setup_jumbo,
					   teardown);
}
