/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of L4 forwarding on synthetic frames: full-NAT, DSR, flows and their timeouts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "core/worker.h"
#include "fixture.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "l4/nat.h"
#include "net/neigh.h"
#include "net/pkt.h"
#include "runtime/runtime.h"

/*
 * Two workers, so replies can land on the wrong one. Services: "http" tcp/80 full-NAT
 * over web (s1, s2, roundrobin, maxconn 2 on s1); "dns" udp/53 full-NAT; "dsr" tcp/8080
 * direct server return; "closed" tcp/81 over a backend that resets when all are down.
 */
static const char *conf_text =
	"global = { workers = 2; mbufs = 4095; flows = 1024;\n"
	"  timeouts = { syn_ms = 1000; established_ms = 60000; fin_ms = 5000; close_ms = 2000;\n"
	"               udp_ms = 3000; }; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
	");\n"
	"backends = (\n"
	"  { name = \"web\"; servers = (\n"
	"      { name = \"s1\"; address = \"10.1.0.11\"; port = 8000; maxconn = 2; },\n"
	"      { name = \"s2\"; address = \"10.1.0.12\"; port = 8000; } ); },\n"
	"  { name = \"dns\"; servers = ( { name = \"d1\"; address = \"10.1.0.21\"; port = 53; } ); "
	"},\n"
	"  { name = \"dsr\"; servers = ( { name = \"r1\"; address = \"10.1.0.31\"; } ); },\n"
	"  { name = \"gone\"; on_all_down = \"reset\";\n"
	"    servers = ( { name = \"g1\"; address = \"10.1.0.41\"; port = 81; } ); }\n"
	");\n"
	"services = (\n"
	"  { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\"; },\n"
	"  { name = \"dns\"; vip = \"10.0.0.10\"; protocol = \"udp\"; port = 53; backend = "
	"\"dns\"; },\n"
	"  { name = \"dsr\"; vip = \"10.0.0.20\"; port = 8080; mode = \"dsr\"; backend = \"dsr\"; "
	"},\n"
	"  { name = \"closed\"; vip = \"10.0.0.10\"; port = 81; backend = \"gone\"; }\n"
	");\n";

static struct weir_dp dp;

static struct weir_worker *W(unsigned int i)
{
	return &dp.workers[i];
}

static int setup(void **state)
{
	static const char *const servers[] = { "10.1.0.11", "10.1.0.12", "10.1.0.21", "10.1.0.31",
					       NULL };

	(void)state;
	return fixture_l4_setup(&dp, conf_text, servers);
}

static int teardown(void **state)
{
	uint16_t w, p;

	(void)state;
	for (w = 0; w < dp.nb_workers; w++)
		for (p = 0; p < dp.nb_ports; p++) {
			rte_pktmbuf_free_bulk(dp.workers[w].tx[p].pkts, dp.workers[w].tx[p].n);
			dp.workers[w].tx[p].n = 0;
		}
	fixture_dp_fini(&dp);
	return 0;
}

/* ---- frames ---- */

struct udp_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
	uint8_t data[24];
} __attribute__((packed, aligned(2)));

static void udp_dgram(struct udp_frame *f, uint16_t port, const char *src, uint16_t sport,
		      const char *dst, uint16_t dport, bool with_csum)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	fixture_port_mac(port, &f->eth.dst_addr);
	f->eth.src_addr = port == 0 ? fixture_peer_mac : fixture_srv_mac;
	f->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip_hdr(&f->ip, src, dst, IPPROTO_UDP, sizeof(f->udp) + sizeof(f->data));
	f->udp.src_port = rte_cpu_to_be_16(sport);
	f->udp.dst_port = rte_cpu_to_be_16(dport);
	f->udp.dgram_len = rte_cpu_to_be_16(sizeof(f->udp) + sizeof(f->data));
	for (i = 0; i < sizeof(f->data); i++)
		f->data[i] = (uint8_t)(0xa0 + i);
	if (with_csum)
		f->udp.dgram_cksum = rte_ipv4_udptcp_cksum(&f->ip, &f->udp);
}

/* Take what worker @wi queued on @out_port into @out; returns how many. */
static unsigned int take(unsigned int wi, uint16_t out_port, struct rte_mbuf **out)
{
	struct weir_txbuf *b = &W(wi)->tx[out_port];
	unsigned int n = b->n;

	memcpy(out, b->pkts, n * sizeof(*out));
	b->n = 0;
	return n;
}

/*
 * Feed @len bytes to worker @wi on port @port through its burst input, as a received
 * burst of one; return what it queued on @out_port.
 */
static unsigned int feed(unsigned int wi, const void *frame, uint16_t len, uint16_t port,
			 uint16_t out_port, struct rte_mbuf **out)
{
	struct rte_mbuf *m = fixture_mbuf(&dp, frame, len);

	m->port = port;
	weir_l4_burst(W(wi), &dp.ports[port], &m, 1);
	return take(wi, out_port, out);
}

/* Feed @frame as feed() does, expecting exactly one frame out on @out_port (freed). */
static void feed_one(unsigned int wi, const void *frame, uint16_t len, uint16_t port,
		     uint16_t out_port)
{
	struct rte_mbuf *out[8];

	assert_int_equal(feed(wi, frame, len, port, out_port, out), 1);
	rte_pktmbuf_free(out[0]);
}

/* The same through the full input path only, as frames the fast path leaves go. */
static unsigned int feed_full(unsigned int wi, const void *frame, uint16_t len, uint16_t port,
			      uint16_t out_port, struct rte_mbuf **out)
{
	struct rte_mbuf *m = fixture_mbuf(&dp, frame, len);

	m->port = port;
	weir_pkt_input(W(wi), &dp.ports[port], m);
	return take(wi, out_port, out);
}

static uint64_t fast_path(unsigned int wi)
{
	return W(wi)->st.events[WEIR_EV_L4_FAST_PATH];
}

static uint64_t drops(unsigned int wi, unsigned int why)
{
	return W(wi)->st.drops[why];
}

static uint16_t weir_fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Both checksums of an IPv4 TCP/UDP frame verify from scratch. */
static void assert_checksums(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	void *l4 = ip + 1;

	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	if (ip->next_proto_id == IPPROTO_UDP && ((struct rte_udp_hdr *)l4)->dgram_cksum == 0)
		return;
	assert_int_equal(
		weir_fold16(rte_raw_cksum(l4, rte_be_to_cpu_16(ip->total_length) - sizeof(*ip)) +
			    rte_ipv4_phdr_cksum(ip, 0)),
		0xffff);
}

static struct tcp_frame *as_tcp(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct tcp_frame *);
}

/*
 * The ICMP error @type/@code in @m: from @src to @dst, next-hop MTU @mtu (0 but for
 * "fragmentation needed"), quoting @orig's IP header and the 8 bytes after it.
 */
static void assert_icmp_error(struct rte_mbuf *m, const char *src, const char *dst, uint8_t type,
			      uint8_t code, uint16_t mtu, const struct rte_ipv4_hdr *orig)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const uint8_t *icmp = (const uint8_t *)(ip + 1);

	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ip->src_addr, ip4(src));
	assert_int_equal(ip->dst_addr, ip4(dst));
	assert_int_equal(icmp[0], type);
	assert_int_equal(icmp[1], code);
	assert_int_equal(icmp[6] << 8 | icmp[7], mtu);
	assert_memory_equal(icmp + 8, orig, sizeof(*orig) + 8);
	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(rte_raw_cksum(icmp, rte_be_to_cpu_16(ip->total_length) - sizeof(*ip)),
			 0xffff);
}

/* Set @ip's TTL to @ttl, its checksum with it. */
static void set_ttl(struct rte_ipv4_hdr *ip, uint8_t ttl)
{
	ip->time_to_live = ttl;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* ---- tests ---- */

static void test_full_nat_both_ways(void **state)
{
	struct tcp_frame f, *o;
	struct rte_mbuf *out[8];
	struct rte_ether_addr mac1;
	struct weir_flow_key k;
	struct weir_flow *fl;
	uint16_t lport;
	uint32_t first, end, isn;

	(void)state;
	tcp_seg(&f, 0, "10.0.0.2", 40000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1000, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	o = as_tcp(out[0]);
	fixture_port_mac(1, &mac1);
	assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_srv_mac));
	assert_true(rte_is_same_ether_addr(&o->eth.src_addr, &mac1));
	/* Destination: a server of web on its port; source: the server-side address and a
	 * port from worker 0's slice. */
	assert_true(o->ip.dst_addr == ip4("10.1.0.11") || o->ip.dst_addr == ip4("10.1.0.12"));
	assert_int_equal(o->tcp.dst_port, rte_cpu_to_be_16(8000));
	assert_int_equal(o->ip.src_addr, ip4("10.1.0.1"));
	lport = rte_be_to_cpu_16(o->tcp.src_port);
	weir_lport_slice(dp.lb, 0, &first, &end);
	assert_true(lport >= first && lport < end);
	/* The server sees Weir's sequence space: the client's ISN moved by the flow's delta. */
	weir_flow_key_set(&k, ip4("10.0.0.2"), ip4("10.0.0.10"), rte_cpu_to_be_16(40000),
			  rte_cpu_to_be_16(80), IPPROTO_TCP);
	fl = weir_flow_lookup(W(0)->l4->ft, &k);
	assert_non_null(fl);
	isn = rte_be_to_cpu_32(o->tcp.sent_seq);
	assert_int_equal(isn, 1000 + fl->seq_delta);
	assert_memory_equal(o->data, f.data, sizeof(f.data));
	assert_int_equal(o->ip.time_to_live, 63); /* Weir is a hop */
	assert_checksums(out[0]);

	/* The server's SYN-ACK comes back to the local address and goes to the client, its
	 * acknowledgment back in the client's space. */
	{
		struct tcp_frame r;
		char srv[16];
		const uint8_t *b = (const uint8_t *)&o->ip.dst_addr;

		snprintf(srv, sizeof(srv), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			5000, isn + 1);
		rte_pktmbuf_free(out[0]);
		assert_int_equal(feed(0, &r, sizeof(r), 1, 0, out), 1);
		o = as_tcp(out[0]);
		assert_int_equal(o->ip.src_addr, ip4("10.0.0.10"));
		assert_int_equal(o->tcp.src_port, rte_cpu_to_be_16(80));
		assert_int_equal(o->ip.dst_addr, ip4("10.0.0.2"));
		assert_int_equal(o->tcp.dst_port, rte_cpu_to_be_16(40000));
		assert_int_equal(rte_be_to_cpu_32(o->tcp.sent_seq), 5000);
		assert_int_equal(rte_be_to_cpu_32(o->tcp.recv_ack), 1001);
		assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_peer_mac));
		assert_int_equal(o->ip.time_to_live, 63);
		assert_checksums(out[0]);
		rte_pktmbuf_free(out[0]);
	}
	/* The client's ACK completes the handshake in the flow state. */
	tcp_seg(&f, 0, "10.0.0.2", 40000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1001, 5001);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	o = as_tcp(out[0]);
	assert_int_equal(rte_be_to_cpu_32(o->tcp.sent_seq), isn + 1);
	assert_int_equal(rte_be_to_cpu_32(o->tcp.recv_ack), 5001);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	assert_int_equal(fl->pkts[WEIR_DIR_IN], 2);
	assert_int_equal(fl->pkts[WEIR_DIR_OUT], 1);
}

static void test_udp_nat_keeps_zero_checksum(void **state)
{
	struct udp_frame f;
	struct rte_mbuf *out[8];
	struct udp_frame *o;

	(void)state;
	udp_dgram(&f, 0, "10.0.0.2", 5353, "10.0.0.10", 53, true);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	o = rte_pktmbuf_mtod(out[0], struct udp_frame *);
	assert_int_equal(o->ip.dst_addr, ip4("10.1.0.21"));
	assert_int_not_equal(o->udp.dgram_cksum, 0);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	/* A datagram without checksum stays without one. */
	udp_dgram(&f, 0, "10.0.0.2", 5354, "10.0.0.10", 53, false);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	o = rte_pktmbuf_mtod(out[0], struct udp_frame *);
	assert_int_equal(o->udp.dgram_cksum, 0);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
}

static void test_bad_segments_are_dropped(void **state)
{
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	uint64_t before;

	(void)state;
	before = drops(0, WEIR_DROP_TCP_CSUM);
	tcp_seg(&f, 0, "10.0.0.2", 40100, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	f.tcp.cksum ^= 0x0101;
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_TCP_CSUM), before + 1);

	before = drops(0, WEIR_DROP_TCP_FLAGS);
	tcp_seg(&f, 0, "10.0.0.2", 40101, "10.0.0.10", 80, RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG, 1,
		0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_TCP_FLAGS), before + 1);

	before = drops(0, WEIR_DROP_TCP_SHORT);
	tcp_seg(&f, 0, "10.0.0.2", 40102, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	f.tcp.data_off = 15 << 4; /* a 60-byte header in a 36-byte segment */
	f.tcp.cksum = 0;
	f.tcp.cksum = rte_ipv4_udptcp_cksum(&f.ip, &f.tcp);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_TCP_SHORT), before + 1);

	/* Mid-connection segment with no flow (spoofed or long expired): answered by RST. */
	before = drops(0, WEIR_DROP_NO_FLOW);
	tcp_seg(&f, 0, "10.0.0.2", 40103, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1, 1);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, RTE_TCP_RST_FLAG);
	rte_pktmbuf_free(out[0]);
	/* A "reply" for a local port nobody uses: a closed port too, RST to the server. */
	tcp_seg(&f, 1, "10.1.0.11", 8000, "10.1.0.1", 2000, RTE_TCP_ACK_FLAG, 1, 4321);
	assert_int_equal(feed(0, &f, sizeof(f), 1, 0, out), 0);
	assert_int_equal(take(0, 1, out), 1);
	assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, RTE_TCP_RST_FLAG);
	assert_int_equal(rte_be_to_cpu_32(as_tcp(out[0])->tcp.sent_seq), 4321);
	assert_int_equal(as_tcp(out[0])->ip.dst_addr, ip4("10.1.0.11"));
	assert_int_equal(as_tcp(out[0])->tcp.src_port, RTE_BE16(2000));
	rte_pktmbuf_free(out[0]);
	assert_int_equal(drops(0, WEIR_DROP_NO_FLOW), before + 2);

	before = drops(0, WEIR_DROP_NO_SERVICE);
	tcp_seg(&f, 0, "10.0.0.2", 40104, "10.0.0.10", 82, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_NO_SERVICE), before + 1);
	assert_int_equal(take(0, 0, out), 1);
	assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	rte_pktmbuf_free(out[0]);
}

/* Expect one TCP RST from @src_port of the VIP to the client's @dport on port 0. */
static void assert_rst(struct rte_mbuf *m, uint16_t sport, uint16_t dport, uint8_t flags,
		       uint32_t seq, uint32_t ack)
{
	struct tcp_frame *o = as_tcp(m);

	assert_int_equal(o->ip.src_addr, ip4("10.0.0.10"));
	assert_int_equal(o->ip.dst_addr, ip4("10.0.0.2"));
	assert_int_equal(o->tcp.src_port, rte_cpu_to_be_16(sport));
	assert_int_equal(o->tcp.dst_port, rte_cpu_to_be_16(dport));
	assert_int_equal(o->tcp.tcp_flags, flags);
	assert_int_equal(rte_be_to_cpu_32(o->tcp.sent_seq), seq);
	assert_int_equal(rte_be_to_cpu_32(o->tcp.recv_ack), ack);
	assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_peer_mac));
	assert_checksums(m);
	rte_pktmbuf_free(m);
}

/*
 * A VIP answers what no service nor flow takes as a host's closed port does (unmatched
 * = "reject", the default): a SYN to a port without a service gets RST|ACK, a segment
 * that acknowledges something RST with its ACK as sequence number (RFC 9293 3.10.7.1),
 * an RST nothing; a UDP datagram "port unreachable", another protocol "protocol
 * unreachable". Nothing crosses to the servers, and every one is counted as dropped.
 * With "drop", all are dropped unanswered.
 */
static void test_unmatched_is_rejected(void **state)
{
	struct tcp_frame f;
	struct udp_frame u;
	struct rte_mbuf *out[8];
	uint64_t no_svc = drops(0, WEIR_DROP_NO_SERVICE), no_flow = drops(0, WEIR_DROP_NO_FLOW);
	uint64_t proto = drops(0, WEIR_DROP_IPV4_PROTO);
	uint64_t sent = W(0)->st.events[WEIR_EV_REFUSALS_SENT];

	(void)state;
	memset(&W(0)->l4->answers, 0, sizeof(W(0)->l4->answers));
	/* A SYN with data to a closed port: all it occupies is acknowledged. */
	tcp_seg(&f, 0, "10.0.0.2", 40110, "10.0.0.10", 82, RTE_TCP_SYN_FLAG, 5000, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_rst(out[0], 82, 40110, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0,
		   5000 + 1 + sizeof(f.data));
	/* An ACK for a flow Weir does not have (a restart, a flow long expired). */
	tcp_seg(&f, 0, "10.0.0.2", 40112, "10.0.0.10", 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		7000, 90000);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_rst(out[0], 80, 40112, RTE_TCP_RST_FLAG, 90000, 0);
	/* An RST is never answered, to a closed port or for a lost flow. */
	tcp_seg(&f, 0, "10.0.0.2", 40113, "10.0.0.10", 82, RTE_TCP_RST_FLAG, 8000, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	tcp_seg(&f, 0, "10.0.0.2", 40113, "10.0.0.10", 80, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
		8000, 1);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 0);
	/* UDP to a port without a service: port unreachable, quoting the datagram. */
	udp_dgram(&u, 0, "10.0.0.2", 40114, "10.0.0.10", 9999, true);
	assert_int_equal(feed(0, &u, sizeof(u), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_icmp_error(out[0], "10.0.0.10", "10.0.0.2", 3, 3, 0, &u.ip);
	rte_pktmbuf_free(out[0]);
	/* Weir's own address, below local_ports (no health check's reply): closed ports. */
	tcp_seg(&f, 0, "10.0.0.2", 40119, "10.0.0.1", 22, RTE_TCP_SYN_FLAG, 6000, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_int_equal(as_tcp(out[0])->ip.src_addr, ip4("10.0.0.1"));
	assert_int_equal(as_tcp(out[0])->tcp.src_port, RTE_BE16(22));
	assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(as_tcp(out[0])->tcp.recv_ack), 6000 + 1 + sizeof(f.data));
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	udp_dgram(&u, 0, "10.0.0.2", 40120, "10.0.0.1", 53, true);
	assert_int_equal(feed(0, &u, sizeof(u), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_icmp_error(out[0], "10.0.0.1", "10.0.0.2", 3, 3, 0, &u.ip);
	rte_pktmbuf_free(out[0]);
	/* A protocol Weir does not serve (GRE), to the VIP: protocol unreachable. */
	udp_dgram(&u, 0, "10.0.0.2", 40118, "10.0.0.10", 9999, false);
	ip_hdr(&u.ip, "10.0.0.2", "10.0.0.10", IPPROTO_GRE, sizeof(u.udp) + sizeof(u.data));
	assert_int_equal(feed(0, &u, sizeof(u), 0, 1, out), 0);
	assert_int_equal(take(0, 0, out), 1);
	assert_icmp_error(out[0], "10.0.0.10", "10.0.0.2", 3, 2, 0, &u.ip);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(drops(0, WEIR_DROP_IPV4_PROTO), proto + 1);
	assert_int_equal(drops(0, WEIR_DROP_NO_SERVICE), no_svc + 5);
	assert_int_equal(drops(0, WEIR_DROP_NO_FLOW), no_flow + 2);
	assert_int_equal(W(0)->st.events[WEIR_EV_REFUSALS_SENT], sent + 6);

	/* unmatched = "drop": counted, never answered. */
	dp.conf->global.unmatched = WEIR_UNMATCHED_DROP;
	tcp_seg(&f, 0, "10.0.0.2", 40115, "10.0.0.10", 82, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	tcp_seg(&f, 0, "10.0.0.2", 40116, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1, 1);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	udp_dgram(&u, 0, "10.0.0.2", 40117, "10.0.0.10", 9999, true);
	assert_int_equal(feed(0, &u, sizeof(u), 0, 1, out), 0);
	ip_hdr(&u.ip, "10.0.0.2", "10.0.0.10", IPPROTO_GRE, sizeof(u.udp) + sizeof(u.data));
	assert_int_equal(feed(0, &u, sizeof(u), 0, 1, out), 0);
	tcp_seg(&f, 0, "10.0.0.2", 40121, "10.0.0.1", 22, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
	dp.conf->global.unmatched = WEIR_UNMATCHED_REJECT;
	assert_int_equal(take(0, 0, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_NO_SERVICE), no_svc + 8);
	assert_int_equal(drops(0, WEIR_DROP_NO_FLOW), no_flow + 3);
	assert_int_equal(drops(0, WEIR_DROP_IPV4_PROTO), proto + 2);
	assert_int_equal(W(0)->st.events[WEIR_EV_REFUSALS_SENT], sent + 6);
}

static void test_all_down_resets(void **state)
{
	struct weir_server *g1 = weir_lb_find_server(dp.lb, "gone/g1");
	struct tcp_frame f, *o;
	struct rte_mbuf *out[8];
	uint64_t before = drops(0, WEIR_DROP_NO_SERVER);

	(void)state;
	g1->admin = WEIR_SRV_MAINT;
	weir_lb_update(&dp, g1->be);
	tcp_seg(&f, 0, "10.0.0.2", 40200, "10.0.0.10", 81, RTE_TCP_SYN_FLAG, 7777, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 1);
	o = as_tcp(out[0]);
	assert_int_equal(o->tcp.tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	/* The RST acknowledges the SYN and its payload, from the VIP to the client. */
	assert_int_equal(rte_be_to_cpu_32(o->tcp.recv_ack), 7777 + 1 + sizeof(f.data));
	assert_int_equal(o->ip.src_addr, ip4("10.0.0.10"));
	assert_int_equal(o->tcp.dst_port, rte_cpu_to_be_16(40200));
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(drops(0, WEIR_DROP_NO_SERVER), before + 1);
	g1->admin = WEIR_SRV_READY;
	weir_lb_update(&dp, g1->be);
}

static void test_maxconn_moves_to_next_server(void **state)
{
	struct weir_server *s1 = weir_lb_find_server(dp.lb, "web/s1");
	struct weir_server *s2 = weir_lb_find_server(dp.lb, "web/s2");
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	unsigned int i, to_s1 = 0;

	(void)state;
	/* Round robin would give s1 every other flow; maxconn 2 caps it. */
	for (i = 0; i < 10; i++) {
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(41000 + i), "10.0.0.10", 80, RTE_TCP_SYN_FLAG,
			1, 0);
		assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
		if (as_tcp(out[0])->ip.dst_addr == s1->addr)
			to_s1++;
		rte_pktmbuf_free(out[0]);
	}
	assert_true(s1->be->conns[s1->id] <= 2);
	assert_true(to_s1 <= 2);
	assert_true(s2->be->conns[s2->id] >= 8);
}

static void test_flow_timeouts_fake_clock(void **state)
{
	struct weir_worker *w = W(1);
	struct weir_flow_table *ft = w->l4->ft;
	struct tcp_frame f;
	uint64_t t0 = rte_rdtsc(), ms = rte_get_tsc_hz() / 1000;
	uint32_t active = ft->active, conns;
	struct weir_server *d = weir_lb_find_server(dp.lb, "web/s2");

	(void)state;
	/* A SYN that is never answered lives syn_ms (1000 ms). */
	w->now = t0;
	tcp_seg(&f, 0, "10.0.0.3", 42000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(1, &f, sizeof(f), 0, 1);
	assert_int_equal(ft->active, active + 1);
	conns = d->be->conns[0] + d->be->conns[1];
	w->now = t0 + 990 * ms;
	weir_l4_poll(w);
	assert_int_equal(ft->active, active + 1);
	w->now = t0 + 1010 * ms;
	weir_l4_poll(w);
	assert_int_equal(ft->active, active);
	assert_int_equal(d->be->conns[0] + d->be->conns[1], conns - 1);

	/* UDP: idle timeout udp_ms (3000), refreshed by every datagram. */
	{
		struct udp_frame u;

		w->now = t0 + 2000 * ms;
		udp_dgram(&u, 0, "10.0.0.3", 6000, "10.0.0.10", 53, true);
		feed_one(1, &u, sizeof(u), 0, 1);
		w->now = t0 + 4500 * ms;
		weir_l4_poll(w);
		feed_one(1, &u, sizeof(u), 0, 1);
		assert_int_equal(ft->active, active + 1);
		w->now = t0 + 7400 * ms; /* 2900 ms after the last datagram */
		weir_l4_poll(w);
		assert_int_equal(ft->active, active + 1);
		w->now = t0 + 7600 * ms;
		weir_l4_poll(w);
		assert_int_equal(ft->active, active);
	}

	/* An established flow that sees a client FIN falls to fin_ms (5000), not 60 s. */
	w->now = t0 + 8000 * ms;
	tcp_seg(&f, 0, "10.0.0.3", 42001, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(1, &f, sizeof(f), 0, 1);
	{
		struct weir_flow_key k;
		struct weir_flow *fl;

		weir_flow_key_set(&k, ip4("10.0.0.3"), ip4("10.0.0.10"), rte_cpu_to_be_16(42001),
				  rte_cpu_to_be_16(80), IPPROTO_TCP);
		fl = weir_flow_lookup(ft, &k);
		assert_non_null(fl);
		fl->state = WEIR_FS_ESTABLISHED;
	}
	tcp_seg(&f, 0, "10.0.0.3", 42001, "10.0.0.10", 80, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 2,
		1);
	feed_one(1, &f, sizeof(f), 0, 1);
	w->now = t0 + 12900 * ms;
	weir_l4_poll(w);
	assert_int_equal(ft->active, active + 1);
	w->now = t0 + 13100 * ms;
	weir_l4_poll(w);
	assert_int_equal(ft->active, active);
}

static void test_syn_on_closed_flow_starts_afresh(void **state)
{
	struct tcp_frame f;
	struct weir_flow_key k;
	struct weir_flow *fl;
	uint64_t created;

	(void)state;
	W(0)->now = rte_rdtsc();
	tcp_seg(&f, 0, "10.0.0.4", 43000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	tcp_seg(&f, 0, "10.0.0.4", 43000, "10.0.0.10", 80, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 2,
		1);
	feed_one(0, &f, sizeof(f), 0, 1);
	created = W(0)->l4->ft->created;
	tcp_seg(&f, 0, "10.0.0.4", 43000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 9, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(W(0)->l4->ft->created, created + 1);
	weir_flow_key_set(&k, ip4("10.0.0.4"), ip4("10.0.0.10"), rte_cpu_to_be_16(43000),
			  rte_cpu_to_be_16(80), IPPROTO_TCP);
	fl = weir_flow_lookup(W(0)->l4->ft, &k);
	assert_int_equal(fl->state, WEIR_FS_SYN_SENT);
}

/* DSR rewrites the MACs and takes one off the TTL: Weir is a hop in every mode. */
static void test_dsr_rewrites_mac_and_ttl(void **state)
{
	struct tcp_frame f, *o;
	struct rte_mbuf *out[8];
	struct rte_ether_addr mac1;
	uint64_t fast;

	(void)state;
	tcp_seg(&f, 0, "10.0.0.2", 44000, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	o = as_tcp(out[0]);
	fixture_port_mac(1, &mac1);
	assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_srv_mac));
	assert_true(rte_is_same_ether_addr(&o->eth.src_addr, &mac1));
	/* Everything from the IP header on is untouched but the TTL and its checksum. */
	set_ttl(&f.ip, 63);
	assert_memory_equal(&o->ip, &f.ip, sizeof(f) - sizeof(f.eth));
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	/* The fast path does the same, once the client's ACK has completed the handshake. */
	tcp_seg(&f, 0, "10.0.0.2", 44000, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG, 2, 1);
	feed_one(0, &f, sizeof(f), 0, 1);
	fast = fast_path(0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	set_ttl(&f.ip, 63);
	assert_memory_equal(rte_pktmbuf_mtod_offset(out[0], uint8_t *, sizeof(f.eth)), &f.ip,
			    sizeof(f) - sizeof(f.eth));
	rte_pktmbuf_free(out[0]);
}

static void test_replies_go_to_the_owning_worker(void **state)
{
	struct tcp_frame f, r;
	struct udp_frame u;
	struct rte_mbuf *out[8], *m = NULL;
	uint32_t first, end;
	unsigned int wi;
	uint16_t lport;
	uint64_t redirected = W(1)->st.events[WEIR_EV_REDIRECTED];

	(void)state;
	/* Worker 0 opens a flow; its reply arrives on worker 1. */
	tcp_seg(&f, 0, "10.0.0.5", 45000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	lport = rte_be_to_cpu_16(as_tcp(out[0])->tcp.src_port);
	tcp_seg(&r, 1, "10.1.0.12", 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1,
		2);
	r.ip.src_addr = as_tcp(out[0])->ip.dst_addr;
	r.ip.hdr_checksum = 0;
	r.ip.hdr_checksum = rte_ipv4_cksum(&r.ip);
	r.tcp.cksum = 0;
	r.tcp.cksum = rte_ipv4_udptcp_cksum(&r.ip, &r.tcp);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(feed(1, &r, sizeof(r), 1, 0, out), 0);
	assert_int_equal(W(1)->st.events[WEIR_EV_REDIRECTED], redirected + 1);
	assert_int_equal(rte_ring_count(W(0)->l4->redirect), 1);
	/* Worker 0 handles it on its next poll and sends it to the client. */
	weir_l4_poll(W(0));
	assert_int_equal(W(0)->tx[0].n, 1);
	assert_int_equal(as_tcp(W(0)->tx[0].pkts[0])->ip.dst_addr, ip4("10.0.0.5"));
	rte_pktmbuf_free(W(0)->tx[0].pkts[0]);
	W(0)->tx[0].n = 0;

	/*
	 * To the main lcore's slice (health checks): passed to the main lcore while a
	 * probe waits on that port, answered as a closed port's otherwise (a SYN-ACK
	 * after its probe timed out), whichever worker it comes to.
	 */
	weir_lport_slice(dp.lb, dp.nb_workers, &first, &end);
	tcp_seg(&r, 1, "10.1.0.11", 8000, "10.1.0.1", (uint16_t)first,
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1, 2);
	for (wi = 0; wi < dp.nb_workers; wi++) {
		uint64_t no_svc = drops(wi, WEIR_DROP_NO_SERVICE);

		assert_int_equal(feed(wi, &r, sizeof(r), 1, 1, out), 1);
		assert_int_equal(as_tcp(out[0])->ip.src_addr, ip4("10.1.0.1"));
		assert_int_equal(as_tcp(out[0])->ip.dst_addr, ip4("10.1.0.11"));
		assert_int_equal(as_tcp(out[0])->tcp.src_port, rte_cpu_to_be_16((uint16_t)first));
		assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, RTE_TCP_RST_FLAG);
		assert_int_equal(rte_be_to_cpu_32(as_tcp(out[0])->tcp.sent_seq), 2);
		assert_checksums(out[0]);
		rte_pktmbuf_free(out[0]);
		assert_int_equal(drops(wi, WEIR_DROP_NO_SERVICE), no_svc + 1);
		assert_int_equal(rte_ring_count(dp.to_main), 0);
	}
	dp.lb->probing[0] = 1;
	assert_int_equal(feed(1, &r, sizeof(r), 1, 1, out), 0);
	assert_int_equal(rte_ring_dequeue(dp.to_main, (void **)&m), 0);
	rte_pktmbuf_free(m);
	/* UDP there is no probe's answer, whatever waits. */
	udp_dgram(&u, 1, "10.1.0.11", 8000, "10.1.0.1", (uint16_t)first, true);
	assert_int_equal(feed(1, &u, sizeof(u), 1, 1, out), 1);
	assert_icmp_error(out[0], "10.1.0.1", "10.1.0.11", 3, 3, 0, &u.ip);
	rte_pktmbuf_free(out[0]);
	dp.lb->probing[0] = 0;
}

/* The poll loop's tick, kept from turn to turn, is the clock's whichever way it moves. */
static void test_poll_tick_follows_the_clock(void **state)
{
	struct weir_l4w *l4 = W(0)->l4;
	uint64_t t = l4->tsc_per_tick;
	const uint64_t at[] = { 5 * t + 1, 6 * t - 1,    6 * t,   6 * t, 3 * t, 3 * t + 2,
				4 * t - 1, 1000 * t + 7, 999 * t, 0,     1 };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(at); i++)
		assert_int_equal(weir_l4_tick(l4, at[i]), at[i] / t);
}

static void test_flow_table_full(void **state)
{
	struct weir_worker *w = W(1);
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	struct weir_server *s1 = weir_lb_find_server(dp.lb, "web/s1");
	uint32_t i, room = w->l4->ft->nb_free;
	uint64_t before = drops(1, WEIR_DROP_FLOW_FULL);

	(void)state;
	/* Lift s1's maxconn so every new flow finds a server. */
	s1->maxconn = 0;
	for (i = 0; i < room; i++) {
		tcp_seg(&f, 0, "10.0.0.6", (uint16_t)(10000 + i), "10.0.0.10", 80, RTE_TCP_SYN_FLAG,
			1, 0);
		feed_one(1, &f, sizeof(f), 0, 1);
	}
	assert_int_equal(w->l4->ft->nb_free, 0);
	tcp_seg(&f, 0, "10.0.0.6", 9999, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(1, &f, sizeof(f), 0, 1, out), 0);
	assert_int_equal(drops(1, WEIR_DROP_FLOW_FULL), before + 1);
	/* Existing flows still pass. */
	tcp_seg(&f, 0, "10.0.0.6", 10000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 2, 1);
	feed_one(1, &f, sizeof(f), 0, 1);
	s1->maxconn = 2;
}

/* ---- the fast path of established flows ---- */

/* The server @o (a frame Weir sent toward it) was sent to, as a dotted string. */
static void dst_of(const struct tcp_frame *o, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&o->ip.dst_addr;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/*
 * Open a full-NAT flow from 10.0.0.2:@cport to the http VIP on worker 0 through the
 * whole handshake (SYN, SYN-ACK, ACK); @srv gets the server, @lport the local port.
 */
static void handshake(uint16_t cport, char *srv, size_t srvlen, uint16_t *lport)
{
	struct tcp_frame f, r;
	struct rte_mbuf *out[8];

	W(0)->now = rte_rdtsc();
	tcp_seg(&f, 0, "10.0.0.2", cport, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 100, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	dst_of(as_tcp(out[0]), srv, srvlen);
	*lport = rte_be_to_cpu_16(as_tcp(out[0])->tcp.src_port);
	rte_pktmbuf_free(out[0]);
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", *lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 500,
		101);
	feed_one(0, &r, sizeof(r), 1, 0);
	tcp_seg(&f, 0, "10.0.0.2", cport, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	feed_one(0, &f, sizeof(f), 0, 1);
}

static struct weir_flow *flow_of(const char *client, uint16_t cport, uint16_t vport, uint8_t proto,
				 const char *vip)
{
	struct weir_flow_key k;

	weir_flow_key_set(&k, ip4(client), ip4(vip), rte_cpu_to_be_16(cport),
			  rte_cpu_to_be_16(vport), proto);
	return weir_flow_lookup(W(0)->l4->ft, &k);
}

/*
 * Frame @frame of an established flow, fed once through the burst input and once
 * through the full path alone: the first must take the fast path, the second not, and
 * both must leave the same bytes on @out_port.
 */
static void assert_fast_as_full(const void *frame, uint16_t len, uint16_t port, uint16_t out_port,
				uint16_t out_len)
{
	struct rte_mbuf *a[8], *b[8];
	uint64_t fast = fast_path(0);

	assert_int_equal(feed(0, frame, len, port, out_port, a), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(feed_full(0, frame, len, port, out_port, b), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(rte_pktmbuf_pkt_len(a[0]), out_len);
	assert_int_equal(rte_pktmbuf_pkt_len(b[0]), out_len);
	assert_memory_equal(rte_pktmbuf_mtod(a[0], void *), rte_pktmbuf_mtod(b[0], void *),
			    out_len);
	assert_checksums(a[0]);
	rte_pktmbuf_free(a[0]);
	rte_pktmbuf_free(b[0]);
}

/*
 * A TCP segment with options @opt (@optlen bytes, a multiple of 4) and @paylen bytes of
 * payload, from @src:@sport to @dst:@dport arriving on port @port, built in @buf.
 * Returns the frame's length.
 */
static uint16_t tcp_opt_seg(uint8_t *buf, uint16_t port, const char *src, uint16_t sport,
			    const char *dst, uint16_t dport, uint8_t flags, uint32_t seq,
			    uint32_t ack, const uint8_t *opt, uint16_t optlen, uint16_t paylen)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	uint16_t l4len = (uint16_t)(sizeof(*tcp) + optlen + paylen), i;

	fixture_port_mac(port, &eth->dst_addr);
	eth->src_addr = port == 0 ? fixture_peer_mac : fixture_srv_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip_hdr(ip, src, dst, IPPROTO_TCP, l4len);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = rte_cpu_to_be_16(sport);
	tcp->dst_port = rte_cpu_to_be_16(dport);
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (uint8_t)((sizeof(*tcp) + optlen) / 4 << 4);
	tcp->tcp_flags = flags;
	tcp->rx_win = RTE_BE16(65535);
	memcpy(tcp + 1, opt, optlen);
	for (i = 0; i < paylen; i++)
		((uint8_t *)(tcp + 1))[optlen + i] = (uint8_t)(i * 13);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return (uint16_t)(sizeof(*eth) + sizeof(*ip) + l4len);
}

static uint32_t be32_at(const struct rte_mbuf *m, uint32_t off)
{
	uint32_t v;

	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), sizeof(v));
	return rte_be_to_cpu_32(v);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, sizeof(v));
}

/* Offsets in a frame: the TCP header's, and of its options. */
#define TH  (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))
#define OPT (TH + sizeof(struct rte_tcp_hdr))

/*
 * Full-NAT gives the server Weir's own sequence space and timestamps: the client's
 * sequence numbers and TSval move by the flow's deltas toward the server; the server's
 * acknowledgments, SACK edges and TSecr move back; the server's own numbers pass. On
 * the full path and the fast one, the timestamp option aligned or not, and a malformed
 * option list leaves what it cannot read.
 */
static void test_full_nat_moves_sequence_space(void **state)
{
	/* Linux's SYN options: MSS, SACK permitted, timestamps (unaligned), NOP, wscale. */
	uint8_t syn_opt[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
	uint8_t ts_opt[12] = { 1, 1, 8, 10 };
	uint8_t sack_opt[32] = { 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 18 };
	uint8_t bad_opt[8] = { 1, 5, 0xff, 0, 0, 0, 0, 0 };
	uint8_t buf[256];
	struct rte_mbuf *out[8];
	struct weir_flow *fl;
	struct timespec now;
	char srv[16];
	uint16_t len, lport;
	uint32_t isn, tsval, wall;
	uint64_t fast;

	(void)state;
	W(0)->now = rte_rdtsc();
	put_be32(syn_opt + 8, 777); /* TSval */
	len = tcp_opt_seg(buf, 0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1000, 0,
			  syn_opt, sizeof(syn_opt), 0);
	assert_int_equal(feed(0, buf, len, 0, 1, out), 1);
	fl = flow_of("10.0.0.2", 41000, 80, IPPROTO_TCP, "10.0.0.10");
	assert_non_null(fl);
	isn = be32_at(out[0], TH + 4);
	tsval = be32_at(out[0], OPT + 8);
	assert_int_equal(isn, 1000 + fl->seq_delta);
	assert_int_equal(tsval, 777 + fl->ts_delta);
	/* The timestamp clock the server sees is the wall clock in ms. */
	clock_gettime(CLOCK_REALTIME, &now);
	wall = (uint32_t)((uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000);
	assert_true((int32_t)(wall - tsval) >= -50 && (int32_t)(wall - tsval) < 60000);
	/* Nothing else of the options moved. */
	assert_memory_equal(rte_pktmbuf_mtod_offset(out[0], uint8_t *, OPT), syn_opt, 8);
	assert_memory_equal(rte_pktmbuf_mtod_offset(out[0], uint8_t *, OPT + 16), syn_opt + 16, 4);
	assert_checksums(out[0]);
	dst_of(as_tcp(out[0]), srv, sizeof(srv));
	lport = rte_be_to_cpu_16(as_tcp(out[0])->tcp.src_port);
	rte_pktmbuf_free(out[0]);

	/* The SYN-ACK: its ACK and TSecr back in the client's space, its TSval as is. */
	put_be32(ts_opt + 4, 9000);
	put_be32(ts_opt + 8, tsval);
	len = tcp_opt_seg(buf, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			  5000, isn + 1, ts_opt, sizeof(ts_opt), 0);
	assert_int_equal(feed(0, buf, len, 1, 0, out), 1);
	assert_int_equal(be32_at(out[0], TH + 4), 5000);
	assert_int_equal(be32_at(out[0], TH + 8), 1001);
	assert_int_equal(be32_at(out[0], OPT + 4), 9000);
	assert_int_equal(be32_at(out[0], OPT + 8), 777);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);

	/* The client's ACK (full path: it completes the handshake), then data (fast). */
	put_be32(ts_opt + 4, 778);
	put_be32(ts_opt + 8, 9000);
	len = tcp_opt_seg(buf, 0, "10.0.0.2", 41000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 1001, 5001,
			  ts_opt, sizeof(ts_opt), 0);
	feed_one(0, buf, len, 0, 1);
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	len = tcp_opt_seg(buf, 0, "10.0.0.2", 41000, "10.0.0.10", 80,
			  RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1001, 5001, ts_opt, sizeof(ts_opt),
			  100);
	fast = fast_path(0);
	assert_int_equal(feed(0, buf, len, 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(be32_at(out[0], TH + 4), isn + 1);
	assert_int_equal(be32_at(out[0], TH + 8), 5001);
	assert_int_equal(be32_at(out[0], OPT + 4), 778 + fl->ts_delta);
	assert_int_equal(be32_at(out[0], OPT + 8), 9000);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	assert_fast_as_full(buf, len, 0, 1, len);

	/* The server acknowledges with two SACK blocks of the client's data. */
	put_be32(sack_opt + 4, 9001);
	put_be32(sack_opt + 8, 778 + fl->ts_delta);
	put_be32(sack_opt + 16, isn + 201);
	put_be32(sack_opt + 20, isn + 301);
	put_be32(sack_opt + 24, isn + 401);
	put_be32(sack_opt + 28, isn + 501);
	len = tcp_opt_seg(buf, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 5001, isn + 101,
			  sack_opt, sizeof(sack_opt), 0);
	fast = fast_path(0);
	assert_int_equal(feed(0, buf, len, 1, 0, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(be32_at(out[0], TH + 8), 1101);
	assert_int_equal(be32_at(out[0], OPT + 4), 9001);
	assert_int_equal(be32_at(out[0], OPT + 8), 778);
	assert_int_equal(be32_at(out[0], OPT + 16), 1201);
	assert_int_equal(be32_at(out[0], OPT + 20), 1301);
	assert_int_equal(be32_at(out[0], OPT + 24), 1401);
	assert_int_equal(be32_at(out[0], OPT + 28), 1501);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	assert_fast_as_full(buf, len, 1, 0, len);

	/* Timestamps at an odd offset (one NOP before them): the checksum still follows. */
	{
		uint8_t odd_opt[12] = { 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

		put_be32(odd_opt + 3, 9002);
		put_be32(odd_opt + 7, 778 + fl->ts_delta);
		len = tcp_opt_seg(buf, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 5001,
				  isn + 101, odd_opt, sizeof(odd_opt), 3);
		assert_int_equal(feed(0, buf, len, 1, 0, out), 1);
		assert_int_equal(be32_at(out[0], OPT + 3), 9002);
		assert_int_equal(be32_at(out[0], OPT + 7), 778);
		assert_checksums(out[0]);
		rte_pktmbuf_free(out[0]);
	}

	/* A malformed option list: the acknowledgment still moves, the options stay. */
	len = tcp_opt_seg(buf, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 5001, isn + 101,
			  bad_opt, sizeof(bad_opt), 0);
	assert_int_equal(feed(0, buf, len, 1, 0, out), 1);
	assert_int_equal(be32_at(out[0], TH + 8), 1101);
	assert_memory_equal(rte_pktmbuf_mtod_offset(out[0], uint8_t *, OPT), bad_opt,
			    sizeof(bad_opt));
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
}

static void test_fast_path_forwards_as_the_full_path(void **state)
{
	struct tcp_frame f, r;
	struct udp_frame u;
	uint8_t padded[sizeof(f) + 10];
	char srv[16];
	uint16_t lport;
	struct weir_flow *fl;
	uint64_t srv_pkts;
	struct weir_server *s;

	(void)state;
	handshake(46000, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 46000, 80, IPPROTO_TCP, "10.0.0.10");
	assert_non_null(fl);
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	s = dp.lb->srv[fl->srv];
	srv_pkts = W(0)->l4->srv[s->gid].pkts[WEIR_DIR_IN];

	/* Client to server, then server to client: rewritten alike by both paths. */
	tcp_seg(&f, 0, "10.0.0.2", 46000, "10.0.0.10", 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 101,
		501);
	assert_fast_as_full(&f, sizeof(f), 0, 1, sizeof(f));
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 501, 117);
	assert_fast_as_full(&r, sizeof(r), 1, 0, sizeof(r));
	/* Counted by both: two frames each way after the handshake's three. */
	assert_int_equal(fl->pkts[WEIR_DIR_IN], 2 + 2);
	assert_int_equal(fl->pkts[WEIR_DIR_OUT], 1 + 2);
	assert_int_equal(W(0)->l4->srv[s->gid].pkts[WEIR_DIR_IN], srv_pkts + 2);

	/* A client's SYN sent again: forwarded as is, by either path, while the flow is
	 * opening or open; the server's SYN-ACK again takes the full path. */
	tcp_seg(&f, 0, "10.0.0.2", 46000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 100, 0);
	assert_fast_as_full(&f, sizeof(f), 0, 1, sizeof(f));
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	{
		uint64_t fast = fast_path(0);

		tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			500, 101);
		feed_one(0, &r, sizeof(r), 1, 0);
		assert_int_equal(fast_path(0), fast);
	}

	/* A frame with Ethernet padding leaves without it. */
	memcpy(padded, &f, sizeof(f));
	memset(padded + sizeof(f), 0, sizeof(padded) - sizeof(f));
	assert_fast_as_full(padded, sizeof(padded), 0, 1, sizeof(f));

	/* UDP, with a checksum and without: the first datagram opens the flow. */
	udp_dgram(&u, 0, "10.0.0.2", 7000, "10.0.0.10", 53, true);
	feed_one(0, &u, sizeof(u), 0, 1);
	assert_fast_as_full(&u, sizeof(u), 0, 1, sizeof(u));
	udp_dgram(&u, 0, "10.0.0.2", 7001, "10.0.0.10", 53, false);
	feed_one(0, &u, sizeof(u), 0, 1);
	assert_fast_as_full(&u, sizeof(u), 0, 1, sizeof(u));

	/* DSR: the client's ACK after its SYN establishes; then data only changes MACs. */
	tcp_seg(&f, 0, "10.0.0.2", 46001, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	tcp_seg(&f, 0, "10.0.0.2", 46001, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG, 2, 1);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(flow_of("10.0.0.2", 46001, 8080, IPPROTO_TCP, "10.0.0.20")->state,
			 WEIR_FS_ESTABLISHED);
	tcp_seg(&f, 0, "10.0.0.2", 46001, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 2,
		1);
	assert_fast_as_full(&f, sizeof(f), 0, 1, sizeof(f));
}

/* Feed @f (a frame of the flow from 10.0.0.2:46100) expecting a drop for @why. */
static void assert_dropped(struct tcp_frame *f, unsigned int why)
{
	struct rte_mbuf *out[8];
	uint64_t before = drops(0, why), fast = fast_path(0);

	assert_int_equal(feed(0, f, sizeof(*f), 0, 1, out), 0);
	assert_int_equal(drops(0, why), before + 1);
	assert_int_equal(fast_path(0), fast);
}

static void test_fast_path_leaves_the_rest_to_the_full_path(void **state)
{
	const struct rte_ether_addr other_mac = { { 0x02, 0x5e, 0, 0, 0, 0x99 } };
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	struct weir_flow *fl;
	char srv[16];
	uint16_t lport;
	uint64_t fast;

	(void)state;
	handshake(46100, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 46100, 80, IPPROTO_TCP, "10.0.0.10");

	/* Bad frames of an established flow are dropped for the same reasons as others. */
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.tcp.cksum ^= 0x0101;
	assert_dropped(&f, WEIR_DROP_TCP_CSUM);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.ip.hdr_checksum ^= 0x0101;
	assert_dropped(&f, WEIR_DROP_IPV4_CSUM);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.ip.total_length = rte_cpu_to_be_16(rte_be_to_cpu_16(f.ip.total_length) + 1);
	f.ip.hdr_checksum = 0;
	f.ip.hdr_checksum = rte_ipv4_cksum(&f.ip);
	assert_dropped(&f, WEIR_DROP_IPV4_LEN);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	f.ip.hdr_checksum = 0;
	f.ip.hdr_checksum = rte_ipv4_cksum(&f.ip);
	assert_dropped(&f, WEIR_DROP_IPV4_FRAGMENT);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.tcp.data_off = 15 << 4;
	f.tcp.cksum = 0;
	f.tcp.cksum = rte_ipv4_udptcp_cksum(&f.ip, &f.tcp);
	assert_dropped(&f, WEIR_DROP_TCP_SHORT);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.tcp.data_off = 4 << 4; /* shorter than a TCP header */
	f.tcp.cksum = 0;
	f.tcp.cksum = rte_ipv4_udptcp_cksum(&f.ip, &f.tcp);
	assert_dropped(&f, WEIR_DROP_TCP_SHORT);
	/* An IPv4 datagram too short for the TCP header it announces (the frame is not). */
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.ip.total_length = rte_cpu_to_be_16(sizeof(f.ip) + 12);
	f.ip.hdr_checksum = 0;
	f.ip.hdr_checksum = rte_ipv4_cksum(&f.ip);
	assert_dropped(&f, WEIR_DROP_TCP_SHORT);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.eth.dst_addr = other_mac;
	assert_dropped(&f, WEIR_DROP_ETH_DST_OTHER);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	f.eth.src_addr.addr_bytes[0] |= 0x01;
	assert_dropped(&f, WEIR_DROP_ETH_SRC_GROUP);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80,
		RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 101, 501);
	assert_dropped(&f, WEIR_DROP_TCP_FLAGS);
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);

	/* A new MAC for the server: the full path looks it up, then the fast path has it. */
	fixture_learn(&dp, 1, srv, &other_mac);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	fast = fast_path(0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast);
	assert_true(rte_is_same_ether_addr(&as_tcp(out[0])->eth.dst_addr, &other_mac));
	rte_pktmbuf_free(out[0]);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_true(rte_is_same_ether_addr(&as_tcp(out[0])->eth.dst_addr, &other_mac));
	rte_pktmbuf_free(out[0]);
	fixture_learn(&dp, 1, srv, &fixture_srv_mac);

	/* A FIN changes the state: the full path's; the ACKs after it go fast again. */
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 101,
		501);
	fast = fast_path(0);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast);
	assert_int_equal(fl->state, WEIR_FS_FIN_WAIT);
	tcp_seg(&f, 0, "10.0.0.2", 46100, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 118, 501);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(fl->state, WEIR_FS_FIN_WAIT);
}

/*
 * The fast path verifies checksums itself: datagrams of every length from an empty
 * payload past the longest it sums without a loop, odd ones included, are forwarded
 * when their checksum is right and dropped when one byte is off.
 */
static void test_fast_path_checksums_every_length(void **state)
{
	uint8_t frame[RTE_ETHER_HDR_LEN + 20 + 8 + 80];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *data = (uint8_t *)(udp + 1);
	struct rte_mbuf *out[8];
	unsigned int plen, i;

	(void)state;
	for (plen = 0; plen <= 80; plen++) {
		uint16_t len = (uint16_t)(RTE_ETHER_HDR_LEN + 20 + 8 + plen);
		uint64_t fast, bad;

		memset(frame, 0, sizeof(frame));
		fixture_port_mac(0, &eth->dst_addr);
		eth->src_addr = fixture_peer_mac;
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip_hdr(ip, "10.0.0.2", "10.0.0.10", IPPROTO_UDP, (uint16_t)(8 + plen));
		udp->src_port = rte_cpu_to_be_16(8000);
		udp->dst_port = RTE_BE16(53);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
		for (i = 0; i < plen; i++)
			data[i] = (uint8_t)(0x51 + 37 * i);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		/* The first datagram of the flow takes the full path; the next ones not. */
		if (plen == 0) {
			feed_one(0, frame, len, 0, 1);
		}
		fast = fast_path(0);
		assert_int_equal(feed(0, frame, len, 0, 1, out), 1);
		assert_int_equal(fast_path(0), fast + 1);
		assert_checksums(out[0]);
		rte_pktmbuf_free(out[0]);
		/* One byte off, last or first of the payload (the checksum's own when empty). */
		frame[len - 1 - (plen & 2 ? plen - 1 : 0)] ^= 0x10;
		bad = drops(0, WEIR_DROP_UDP_CSUM);
		assert_int_equal(feed(0, frame, len, 0, 1, out), 0);
		assert_int_equal(drops(0, WEIR_DROP_UDP_CSUM), bad + 1);
		assert_int_equal(fast_path(0), fast + 1);
	}
}

/* @frame through the burst input (@full: the full path only) with the NIC's @ol_flags. */
static unsigned int feed_verdict(const void *frame, uint16_t len, uint64_t ol_flags, bool full,
				 struct rte_mbuf **out)
{
	struct rte_mbuf *m = fixture_mbuf(&dp, frame, len);

	m->port = 0;
	m->ol_flags |= ol_flags;
	if (full)
		weir_pkt_input(W(0), &dp.ports[0], m);
	else
		weir_l4_burst(W(0), &dp.ports[0], &m, 1);
	return take(0, 1, out);
}

/*
 * Where the NIC verified checksums, both paths take its verdict alike: a bad IPv4 header
 * is dropped however its checksum reads, a good one or a good TCP checksum is not checked
 * again, and a TCP checksum the NIC found bad is checked in software.
 */
static void test_fast_path_takes_the_nic_verdicts(void **state)
{
	static const struct {
		uint64_t flags;
		int corrupt; /* 0: none, 1: the IPv4 checksum, 2: the TCP checksum */
		bool forwarded;
	} cases[] = {
		{ RTE_MBUF_F_RX_IP_CKSUM_BAD, 0, false },
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, 1, true },
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, 2, true },
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD, 0, true },
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD, 2, false },
		{ RTE_MBUF_F_RX_L4_CKSUM_GOOD, 1, false },
	};
	struct tcp_frame f;
	struct rte_mbuf *a[8], *b[8];
	char srv[16];
	uint16_t lport;
	unsigned int k;

	(void)state;
	handshake(46400, srv, sizeof(srv), &lport);
	for (k = 0; k < RTE_DIM(cases); k++) {
		uint64_t fast = fast_path(0);
		unsigned int na, nb;

		tcp_seg(&f, 0, "10.0.0.2", 46400, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
		if (cases[k].corrupt == 1)
			f.ip.hdr_checksum ^= 0x0101;
		else if (cases[k].corrupt == 2)
			f.tcp.cksum ^= 0x0101;
		na = feed_verdict(&f, sizeof(f), cases[k].flags, false, a);
		assert_int_equal(fast_path(0), fast + cases[k].forwarded);
		nb = feed_verdict(&f, sizeof(f), cases[k].flags, true, b);
		assert_int_equal(na, cases[k].forwarded);
		assert_int_equal(nb, na);
		if (na == 1) {
			assert_memory_equal(rte_pktmbuf_mtod(a[0], void *),
					    rte_pktmbuf_mtod(b[0], void *), sizeof(f));
			rte_pktmbuf_free(a[0]);
			rte_pktmbuf_free(b[0]);
		}
	}
}

/* A reply that the NIC gave to the other worker is handed over and takes the fast path. */
static void test_redirected_replies_take_the_fast_path(void **state)
{
	struct tcp_frame r;
	struct rte_mbuf *out[8];
	char srv[16];
	uint16_t lport;
	uint64_t fast;

	(void)state;
	handshake(46300, srv, sizeof(srv), &lport);
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 501, 101);
	assert_int_equal(feed(1, &r, sizeof(r), 1, 0, out), 0);
	fast = fast_path(0);
	weir_l4_poll(W(0));
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(take(0, 0, out), 1);
	assert_int_equal(as_tcp(out[0])->ip.dst_addr, ip4("10.0.0.2"));
	assert_int_equal(as_tcp(out[0])->tcp.dst_port, rte_cpu_to_be_16(46300));
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
}

/*
 * On a port whose spreading Weir does not trust (af_packet, tap), a client's frames go
 * to the worker its 5-tuple names, whichever queue they came in on: the SYN and the
 * segments after it meet the same flow.
 */
static void test_steered_port_keeps_a_client_on_one_worker(void **state)
{
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	uint16_t sport = 47000;
	uint64_t redirected = W(0)->st.events[WEIR_EV_REDIRECTED];
	struct weir_flow_key k;
	unsigned int i;

	(void)state;
	/* A client port whose frames belong to worker 1. */
	for (;; sport++) {
		tcp_seg(&f, 0, "10.0.0.2", sport, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
		if (weir_l4_steer_owner(&f.ip, f.tcp.src_port, f.tcp.dst_port, 2) == 1)
			break;
	}
	dp.ports[0].steer = true;
	for (i = 0; i < 3; i++) {
		/* SYN, ACK, data: each reaches worker 0's queue and is handed to worker 1. */
		tcp_seg(&f, 0, "10.0.0.2", sport, "10.0.0.10", 80,
			i == 0 ? RTE_TCP_SYN_FLAG : RTE_TCP_ACK_FLAG, 1 + i, i == 0 ? 0 : 1);
		assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 0);
		assert_int_equal(W(0)->st.events[WEIR_EV_REDIRECTED], redirected + i + 1);
		weir_l4_poll(W(1));
		assert_int_equal(take(1, 1, out), 1);
		assert_int_equal(as_tcp(out[0])->tcp.tcp_flags, f.tcp.tcp_flags);
		rte_pktmbuf_free(out[0]);
	}
	dp.ports[0].steer = false;
	weir_flow_key_set(&k, ip4("10.0.0.2"), ip4("10.0.0.10"), rte_cpu_to_be_16(sport),
			  RTE_BE16(80), IPPROTO_TCP);
	assert_null(weir_flow_lookup(W(0)->l4->ft, &k));
	assert_int_equal(weir_flow_lookup(W(1)->l4->ft, &k)->pkts[WEIR_DIR_IN], 3);
}

/*
 * Frames of one flow in one burst, some changing its state and one ending and restarting
 * it: handled in order, each seeing what the frames before it did.
 */
static void test_burst_handles_frames_in_order(void **state)
{
	struct tcp_frame f[6];
	struct rte_mbuf *in[6], *out[16];
	char srv[16];
	uint16_t lport, syn_lport;
	uint64_t fast;
	unsigned int i, n;
	struct weir_flow *fl;

	(void)state;
	handshake(46200, srv, sizeof(srv), &lport);
	tcp_seg(&f[0], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	tcp_seg(&f[1], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
		117, 501);
	tcp_seg(&f[2], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 134, 501);
	tcp_seg(&f[3], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
		134, 501);
	tcp_seg(&f[4], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 9000, 0);
	tcp_seg(&f[5], 0, "10.0.0.2", 46200, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 9001, 1);
	for (i = 0; i < 6; i++) {
		in[i] = fixture_mbuf(&dp, &f[i], sizeof(f[i]));
		in[i]->port = 0;
	}
	fast = fast_path(0);
	weir_l4_burst(W(0), &dp.ports[0], in, 6);
	n = take(0, 1, out);
	assert_int_equal(n, 6);
	/* Fast: the data, the ACK after the FIN and the ACK on the restarted flow. */
	assert_int_equal(fast_path(0), fast + 3);
	for (i = 0; i < 4; i++)
		assert_int_equal(rte_be_to_cpu_16(as_tcp(out[i])->tcp.src_port), lport);
	/* The SYN on the reset flow opened a new one, with a new local port; the ACK that
	 * follows it in the burst is rewritten to that port, not the old flow's. */
	syn_lport = rte_be_to_cpu_16(as_tcp(out[4])->tcp.src_port);
	assert_int_not_equal(syn_lport, lport);
	assert_int_equal(rte_be_to_cpu_16(as_tcp(out[5])->tcp.src_port), syn_lport);
	for (i = 0; i < n; i++) {
		assert_int_equal(as_tcp(out[i])->tcp.tcp_flags, f[i].tcp.tcp_flags);
		assert_checksums(out[i]);
		rte_pktmbuf_free(out[i]);
	}
	fl = flow_of("10.0.0.2", 46200, 80, IPPROTO_TCP, "10.0.0.10");
	assert_int_equal(fl->state, WEIR_FS_SYN_SENT);
	assert_int_equal(fl->pkts[WEIR_DIR_IN], 2);
}

/* ---- ICMP errors about flows ---- */

#define ICMP_OFF (TH + 8) /* the quoted datagram in an ICMP error frame */

/*
 * An ICMP error (@type, @code, next-hop MTU @mtu) from @src to @dst arriving on @port,
 * quoting the first @qlen bytes of the IP datagram of frame @quoted; built in @buf.
 */
static uint16_t icmp_err(uint8_t *buf, uint16_t port, const char *src, const char *dst,
			 uint8_t type, uint8_t code, uint16_t mtu, const struct rte_mbuf *quoted,
			 uint16_t qlen)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	uint16_t sum;

	memset(buf, 0, TH + 8);
	fixture_port_mac(port, &eth->dst_addr);
	eth->src_addr = port == 0 ? fixture_peer_mac : fixture_srv_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip_hdr(ip, src, dst, IPPROTO_ICMP, (uint16_t)(8 + qlen));
	icmp[0] = type;
	icmp[1] = code;
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	memcpy(icmp + 8, rte_pktmbuf_mtod_offset(quoted, const uint8_t *, sizeof(*eth)), qlen);
	sum = rte_raw_cksum(icmp, 8 + qlen);
	sum = (uint16_t)~sum;
	memcpy(icmp + 2, &sum, 2);
	return (uint16_t)(TH + 8 + qlen);
}

/* The ICMP error in @m verifies (outer IP and ICMP checksums), and so does its quote's IP
 * header and, the whole segment being quoted, its TCP checksum. */
static void assert_icmp_checksums(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_ipv4_hdr *q = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ICMP_OFF);
	uint32_t qlen = rte_be_to_cpu_16(q->total_length);

	assert_int_equal(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	assert_int_equal(rte_raw_cksum(ip + 1, rte_be_to_cpu_16(ip->total_length) - sizeof(*ip)),
			 0xffff);
	assert_int_equal(rte_raw_cksum(q, sizeof(*q)), 0xffff);
	assert_int_equal(
		weir_fold16(rte_raw_cksum(q + 1, qlen - sizeof(*q)) + rte_ipv4_phdr_cksum(q, 0)),
		0xffff);
}

/*
 * Errors about a full-NAT flow's datagrams go to the flow's other side, mapped as its
 * packets are: one to the VIP (a client-side router could not deliver what Weir sent the
 * client) reaches the server from the local address, quoting the server's own datagram;
 * one to the local address reaches the client from the VIP, quoting the client's. The
 * quoted sequence numbers are back in the receiver's space, every checksum verifies, and
 * the worker that received the error need not own the flow. Errors about no flow, or
 * quoting too little, are counted and dropped.
 */
static void test_icmp_errors_follow_the_flow(void **state)
{
	struct tcp_frame f, r, *o;
	struct rte_mbuf *out[8], *to_srv, *to_cli;
	struct weir_flow *fl;
	struct rte_ipv4_hdr *ip, *q;
	uint8_t buf[256];
	const uint8_t *icmp;
	char srv[16];
	uint16_t len, lport;
	uint32_t isn;
	uint64_t fwd = W(1)->st.events[WEIR_EV_ICMP_ERR_FWD];
	uint64_t noflow = drops(1, WEIR_DROP_ICMP_NO_FLOW), quote = drops(1, WEIR_DROP_ICMP_QUOTE);
	uint64_t ttl;

	(void)state;
	W(0)->now = rte_rdtsc();
	tcp_seg(&f, 0, "10.0.0.2", 42000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1000, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	to_srv = out[0]; /* the SYN as Weir sent it to the server */
	fl = flow_of("10.0.0.2", 42000, 80, IPPROTO_TCP, "10.0.0.10");
	assert_non_null(fl);
	assert_int_not_equal(fl->seq_delta, 0);
	dst_of(as_tcp(to_srv), srv, sizeof(srv));
	lport = rte_be_to_cpu_16(as_tcp(to_srv)->tcp.src_port);
	isn = rte_be_to_cpu_32(as_tcp(to_srv)->tcp.sent_seq);
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 5000,
		isn + 1);
	assert_int_equal(feed(0, &r, sizeof(r), 1, 0, out), 1);
	to_cli = out[0]; /* the SYN-ACK as Weir sent it to the client: ack 1001 */
	assert_int_equal(rte_be_to_cpu_32(as_tcp(to_cli)->tcp.recv_ack), 1001);

	/* Fragmentation needed, from a router on the client's side, to the VIP; received by
	 * worker 1, which does not own the flow. */
	len = icmp_err(buf, 0, "10.0.0.3", "10.0.0.10", 3, 4, 1200, to_cli,
		       (uint16_t)(rte_pktmbuf_pkt_len(to_cli) - sizeof(struct rte_ether_hdr)));
	assert_int_equal(feed(1, buf, len, 0, 1, out), 1);
	assert_int_equal(W(1)->st.events[WEIR_EV_ICMP_ERR_FWD], fwd + 1);
	o = rte_pktmbuf_mtod(out[0], struct tcp_frame *);
	assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_srv_mac));
	ip = &o->ip;
	assert_int_equal(ip->time_to_live, 63); /* a hop, as any forwarded datagram */
	assert_int_equal(ip->src_addr, ip4("10.1.0.1"));
	assert_int_equal(ip->dst_addr, ip4(srv));
	icmp = (const uint8_t *)(ip + 1);
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 4);
	assert_int_equal(icmp[6] << 8 | icmp[7], 1200);
	q = rte_pktmbuf_mtod_offset(out[0], struct rte_ipv4_hdr *, ICMP_OFF);
	assert_int_equal(q->src_addr, ip4(srv));
	assert_int_equal(q->dst_addr, ip4("10.1.0.1"));
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 0), 8000u << 16 | lport);
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 4), 5000);    /* the server's own */
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 8), isn + 1); /* back in its space */
	assert_icmp_checksums(out[0]);
	rte_pktmbuf_free(out[0]);

	/* Time exceeded, from a router on the servers' side, to the local address. */
	len = icmp_err(buf, 1, "10.1.0.254", "10.1.0.1", 11, 0, 0, to_srv,
		       (uint16_t)(rte_pktmbuf_pkt_len(to_srv) - sizeof(struct rte_ether_hdr)));
	assert_int_equal(feed(1, buf, len, 1, 0, out), 1);
	assert_int_equal(W(1)->st.events[WEIR_EV_ICMP_ERR_FWD], fwd + 2);
	o = rte_pktmbuf_mtod(out[0], struct tcp_frame *);
	assert_true(rte_is_same_ether_addr(&o->eth.dst_addr, &fixture_peer_mac));
	assert_int_equal(o->ip.src_addr, ip4("10.0.0.10"));
	assert_int_equal(o->ip.dst_addr, ip4("10.0.0.2"));
	q = rte_pktmbuf_mtod_offset(out[0], struct rte_ipv4_hdr *, ICMP_OFF);
	assert_int_equal(q->src_addr, ip4("10.0.0.2"));
	assert_int_equal(q->dst_addr, ip4("10.0.0.10"));
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 0), 42000u << 16 | 80);
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 4), 1000); /* the client's ISN */
	assert_icmp_checksums(out[0]);
	/* The quote is the client's SYN again, byte for byte, but for the TTL the router
	 * saw (Weir's hop taken off) and the IP checksum with it. */
	set_ttl(&f.ip, 63);
	assert_memory_equal(rte_pktmbuf_mtod_offset(out[0], uint8_t *, ICMP_OFF), &f.ip,
			    sizeof(f) - sizeof(f.eth));
	rte_pktmbuf_free(out[0]);
	/* An error with no hop left is dropped, and not answered. */
	set_ttl((struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr)), 1);
	ttl = drops(1, WEIR_DROP_TTL_EXCEEDED);
	assert_int_equal(feed(1, buf, len, 1, 0, out), 0);
	assert_int_equal(take(1, 1, out), 0);
	assert_int_equal(drops(1, WEIR_DROP_TTL_EXCEEDED), ttl + 1);

	/* The first 8 bytes of the transport header are all an error must quote. */
	len = icmp_err(buf, 0, "10.0.0.3", "10.0.0.10", 3, 1, 0, to_cli, 28);
	assert_int_equal(feed(1, buf, len, 0, 1, out), 1);
	assert_int_equal(be32_at(out[0], ICMP_OFF + 20 + 4), 5000);
	rte_pktmbuf_free(out[0]);
	/* Less is dropped, as is an error about no flow. */
	len = icmp_err(buf, 0, "10.0.0.3", "10.0.0.10", 3, 1, 0, to_cli, 24);
	assert_int_equal(feed(1, buf, len, 0, 1, out), 0);
	assert_int_equal(drops(1, WEIR_DROP_ICMP_QUOTE), quote + 1);
	as_tcp(to_cli)->tcp.dst_port = rte_cpu_to_be_16(42001);
	len = icmp_err(buf, 0, "10.0.0.3", "10.0.0.10", 3, 1, 0, to_cli, 28);
	assert_int_equal(feed(1, buf, len, 0, 1, out), 0);
	assert_int_equal(drops(1, WEIR_DROP_ICMP_NO_FLOW), noflow + 1);
	assert_int_equal(W(1)->st.events[WEIR_EV_ICMP_ERR_FWD], fwd + 3);
	rte_pktmbuf_free(to_srv);
	rte_pktmbuf_free(to_cli);
}

/* For a DSR flow, an error to the VIP goes to the server as it came, only the MACs and
 * the TTL new: the server holds the VIP and its datagrams went to the client straight. */
static void test_icmp_error_of_dsr_flow_goes_to_the_server(void **state)
{
	struct tcp_frame f, s;
	struct rte_mbuf *out[8], *quoted;
	uint8_t buf[256];
	uint16_t len;

	(void)state;
	W(0)->now = rte_rdtsc();
	tcp_seg(&f, 0, "10.0.0.2", 42100, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1000, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	/* What the server sent the client itself, quoted by a router near the client. */
	tcp_seg(&s, 0, "10.0.0.20", 8080, "10.0.0.2", 42100, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		7000, 1001);
	quoted = fixture_mbuf(&dp, &s, sizeof(s));
	len = icmp_err(buf, 0, "10.0.0.3", "10.0.0.20", 3, 4, 1400, quoted, 48);
	assert_int_equal(feed(1, buf, len, 0, 1, out), 1);
	assert_true(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *)->dst_addr, &fixture_srv_mac));
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), len);
	set_ttl((struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr)), 63);
	assert_memory_equal(
		rte_pktmbuf_mtod_offset(out[0], uint8_t *, sizeof(struct rte_ether_hdr)),
		buf + sizeof(struct rte_ether_hdr), len - sizeof(struct rte_ether_hdr));
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(quoted);
}

/* ---- datagrams too big for the outgoing port ---- */

/* Set DF on @f's IP header (its checksum follows). */
static void set_df(struct tcp_frame *f)
{
	f->ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	f->ip.hdr_checksum = 0;
	f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
}

/*
 * After a test that lowered the ports' MTUs, even one that failed midway: the MTUs as
 * configured again, and nothing it left queued for the next test to find.
 */
static int restore_mtus(void **state)
{
	uint16_t i, wi;

	(void)state;
	for (i = 0; i < dp.nb_ports; i++) {
		dp.ports[i].mtu = (uint16_t)dp.conf->ifaces[i].mtu;
		for (wi = 0; wi < dp.nb_workers; wi++) {
			rte_pktmbuf_free_bulk(W(wi)->tx[i].pkts, W(wi)->tx[i].n);
			W(wi)->tx[i].n = 0;
		}
	}
	return 0;
}

/*
 * A datagram larger than the MTU of the port it would leave by is dropped, in either
 * direction and on the fast path's flows too; when it forbids fragmenting, its sender
 * gets "fragmentation needed" with that MTU, from the address it sent to.
 */
static void test_too_big_for_the_port(void **state)
{
	struct tcp_frame f, r;
	struct rte_mbuf *out[8];
	uint16_t lport;
	uint64_t drops0 = drops(0, WEIR_DROP_MTU_EXCEEDED), fast = fast_path(0);
	uint64_t sent = W(0)->st.events[WEIR_EV_ICMP_FRAG_NEEDED_OUT];
	char srv[16];

	(void)state;
	handshake(42200, srv, sizeof(srv), &lport);
	/* Data segments carry 16 bytes: 56-byte datagrams. */
	dp.ports[1].mtu = 55;
	tcp_seg(&f, 0, "10.0.0.2", 42200, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	set_df(&f);
	fast = fast_path(0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 1);
	assert_int_equal(take(0, 1, out + 1), 0);
	assert_icmp_error(out[0], "10.0.0.10", "10.0.0.2", 3, 4, 55, &f.ip);
	assert_true(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *)->dst_addr, &fixture_peer_mac));
	rte_pktmbuf_free(out[0]);
	assert_int_equal(fast_path(0), fast);
	assert_int_equal(drops(0, WEIR_DROP_MTU_EXCEEDED), drops0 + 1);
	assert_int_equal(W(0)->st.events[WEIR_EV_ICMP_FRAG_NEEDED_OUT], sent + 1);
	/* Without DF: dropped, unanswered. */
	tcp_seg(&f, 0, "10.0.0.2", 42200, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 0);
	assert_int_equal(take(0, 1, out), 0);
	assert_int_equal(drops(0, WEIR_DROP_MTU_EXCEEDED), drops0 + 2);
	/* One that fits still goes, by the fast path. */
	dp.ports[1].mtu = 56;
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	rte_pktmbuf_free(out[0]);
	dp.ports[1].mtu = (uint16_t)dp.conf->ifaces[1].mtu;

	/* The server's reply, too big for the clients' port: answered from the local address. */
	dp.ports[0].mtu = 40;
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 501, 101);
	set_df(&r);
	assert_int_equal(feed(0, &r, sizeof(r), 1, 1, out), 1);
	assert_int_equal(take(0, 0, out + 1), 0);
	assert_icmp_error(out[0], "10.1.0.1", srv, 3, 4, 40, &r.ip);
	assert_true(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *)->dst_addr, &fixture_srv_mac));
	rte_pktmbuf_free(out[0]);
	assert_int_equal(drops(0, WEIR_DROP_MTU_EXCEEDED), drops0 + 3);
	assert_int_equal(W(0)->st.events[WEIR_EV_ICMP_FRAG_NEEDED_OUT], sent + 2);
}

/* ---- the TTL: Weir is a hop ---- */

/*
 * A datagram Weir would forward with no hop left (TTL 1 or 0) is dropped, its sender told
 * "time exceeded" from the address it sent to, whichever way it goes and on the fast
 * path's flows too; a SYN makes no flow, and a flow's state and counters do not move.
 * With one hop left it goes on, TTL 1.
 */
static void test_ttl_exceeded_is_answered(void **state)
{
	struct tcp_frame f, r;
	struct rte_mbuf *out[8];
	char srv[16];
	uint16_t lport;
	uint64_t drops0 = drops(0, WEIR_DROP_TTL_EXCEEDED), fast, pkts;
	uint64_t sent = W(0)->st.events[WEIR_EV_ICMP_TIME_EXCEEDED_OUT];
	uint64_t created = W(0)->l4->ft->created;
	struct weir_flow *fl;
	uint8_t ttl;

	(void)state;
	/* A SYN to the VIP, TTL 1, then 0: answered, no flow. */
	for (ttl = 1; ttl != 0xff; ttl--) {
		tcp_seg(&f, 0, "10.0.0.2", 42300, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 100, 0);
		set_ttl(&f.ip, ttl);
		assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 1);
		assert_int_equal(take(0, 1, out + 1), 0);
		assert_icmp_error(out[0], "10.0.0.10", "10.0.0.2", 11, 0, 0, &f.ip);
		assert_true(rte_is_same_ether_addr(
			&rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *)->dst_addr,
			&fixture_peer_mac));
		rte_pktmbuf_free(out[0]);
	}
	assert_null(flow_of("10.0.0.2", 42300, 80, IPPROTO_TCP, "10.0.0.10"));
	assert_int_equal(W(0)->l4->ft->created, created);
	assert_int_equal(drops(0, WEIR_DROP_TTL_EXCEEDED), drops0 + 2);
	assert_int_equal(W(0)->st.events[WEIR_EV_ICMP_TIME_EXCEEDED_OUT], sent + 2);

	/* An established flow: a clean segment with one hop left takes the fast path... */
	handshake(42301, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 42301, 80, IPPROTO_TCP, "10.0.0.10");
	tcp_seg(&f, 0, "10.0.0.2", 42301, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	set_ttl(&f.ip, 2);
	fast = fast_path(0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	assert_int_equal(fast_path(0), fast + 1);
	assert_int_equal(as_tcp(out[0])->ip.time_to_live, 1);
	assert_checksums(out[0]);
	rte_pktmbuf_free(out[0]);
	/* ...one with none left does not go on, either way. */
	pkts = fl->pkts[WEIR_DIR_IN] + fl->pkts[WEIR_DIR_OUT];
	set_ttl(&f.ip, 1);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 1);
	assert_int_equal(take(0, 1, out + 1), 0);
	assert_icmp_error(out[0], "10.0.0.10", "10.0.0.2", 11, 0, 0, &f.ip);
	rte_pktmbuf_free(out[0]);
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 501, 101 + fl->seq_delta);
	set_ttl(&r.ip, 1);
	assert_int_equal(feed(0, &r, sizeof(r), 1, 1, out), 1);
	assert_int_equal(take(0, 0, out + 1), 0);
	assert_icmp_error(out[0], "10.1.0.1", srv, 11, 0, 0, &r.ip);
	assert_true(rte_is_same_ether_addr(
		&rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *)->dst_addr, &fixture_srv_mac));
	rte_pktmbuf_free(out[0]);
	assert_int_equal(fl->pkts[WEIR_DIR_IN] + fl->pkts[WEIR_DIR_OUT], pkts);
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	/* A DSR flow's too, from its VIP. */
	tcp_seg(&f, 0, "10.0.0.2", 42302, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1, 0);
	set_ttl(&f.ip, 1);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 1);
	assert_icmp_error(out[0], "10.0.0.20", "10.0.0.2", 11, 0, 0, &f.ip);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(drops(0, WEIR_DROP_TTL_EXCEEDED), drops0 + 5);
	assert_int_equal(W(0)->st.events[WEIR_EV_ICMP_TIME_EXCEEDED_OUT], sent + 5);
}

/*
 * The answers to what Weir refuses or cannot deliver share a budget per worker of
 * WEIR_L4_ANSWER_BURST and one more a millisecond: a flood of expiring datagrams, or of
 * SYNs to a service whose servers are all down, is not answered one for one.
 */
static void test_answers_are_rate_limited(void **state)
{
	struct weir_server *g1 = weir_lb_find_server(dp.lb, "gone/g1");
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	uint64_t now = W(0)->now + 1000 * W(0)->l4->tsc_per_tick;
	uint64_t limited = W(0)->st.events[WEIR_EV_ANSWERS_LIMITED];
	unsigned int i, answered = 0;

	(void)state;
	/* A second later than anything before: the bucket is full. */
	W(0)->now = now;
	for (i = 0; i < WEIR_L4_ANSWER_BURST + 10; i++) {
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(42400 + i), "10.0.0.10", 80, RTE_TCP_SYN_FLAG,
			1, 0);
		set_ttl(&f.ip, 1);
		if (feed(0, &f, sizeof(f), 0, 0, out) == 1) {
			rte_pktmbuf_free(out[0]);
			answered++;
		}
	}
	assert_int_equal(answered, WEIR_L4_ANSWER_BURST);
	assert_int_equal(W(0)->st.events[WEIR_EV_ANSWERS_LIMITED], limited + 10);
	/* The same budget: a refusal goes unanswered too. */
	g1->admin = WEIR_SRV_MAINT;
	weir_lb_update(&dp, g1->be);
	tcp_seg(&f, 0, "10.0.0.2", 42500, "10.0.0.10", 81, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 0, out), 0);
	assert_int_equal(W(0)->st.events[WEIR_EV_ANSWERS_LIMITED], limited + 11);
	/* Three milliseconds on, three more. */
	W(0)->now = now + 3 * W(0)->l4->tsc_per_tick;
	for (i = 0, answered = 0; i < 5; i++) {
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(42501 + i), "10.0.0.10", 81, RTE_TCP_SYN_FLAG,
			1, 0);
		if (feed(0, &f, sizeof(f), 0, 0, out) == 1) {
			assert_int_equal(as_tcp(out[0])->tcp.tcp_flags,
					 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
			rte_pktmbuf_free(out[0]);
			answered++;
		}
	}
	assert_int_equal(answered, 3);
	assert_int_equal(W(0)->st.events[WEIR_EV_ANSWERS_LIMITED], limited + 13);
}

/* After the test above, even one that failed midway: the server back, the bucket full. */
static int restore_answers(void **state)
{
	struct weir_server *g1 = weir_lb_find_server(dp.lb, "gone/g1");

	(void)state;
	g1->admin = WEIR_SRV_READY;
	weir_lb_update(&dp, g1->be);
	memset(&W(0)->l4->answers, 0, sizeof(W(0)->l4->answers));
	dp.conf->global.unmatched = WEIR_UNMATCHED_REJECT;
	return 0;
}

/*
 * A FIN that arrives after a RST (the client's FIN crossing the server's RST) leaves the
 * flow in CLOSE: it keeps close_ms, and a SYN reusing the client port starts afresh.
 */
static void test_fin_after_rst_stays_closed(void **state)
{
	struct tcp_frame f, r;
	struct weir_flow *fl;
	char srv[16];
	uint16_t lport;
	uint8_t st_after_fin, st_after_syn;
	uint64_t created;

	(void)state;
	handshake(48000, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 48000, 80, IPPROTO_TCP, "10.0.0.10");
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 501,
		101 + fl->seq_delta);
	feed_one(0, &r, sizeof(r), 1, 0);
	assert_int_equal(fl->state, WEIR_FS_CLOSE);
	tcp_seg(&f, 0, "10.0.0.2", 48000, "10.0.0.10", 80, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 101,
		501);
	feed_one(0, &f, sizeof(f), 0, 1);
	st_after_fin = fl->state;
	created = W(0)->l4->ft->created;
	tcp_seg(&f, 0, "10.0.0.2", 48000, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 777777, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	st_after_syn = flow_of("10.0.0.2", 48000, 80, IPPROTO_TCP, "10.0.0.10")->state;
	print_message("state after RST then FIN: %s; SYN after it created %u flow(s), state %s\n",
		      weir_flow_state_name(st_after_fin),
		      (unsigned)(W(0)->l4->ft->created - created),
		      weir_flow_state_name(st_after_syn));
	assert_int_equal(st_after_fin, WEIR_FS_CLOSE);
	assert_int_equal(W(0)->l4->ft->created, created + 1);
}

/*
 * Within one burst, a frame whose flow an earlier frame of the burst freed (a SYN on a
 * closed flow whose replacement is refused) is dropped as the full path drops it
 * (no_flow), though the fast path's guess still points at the freed slot: a freed flow
 * matches neither of its keys. One-armed: client and server frames on port 0.
 */
static void test_fast_path_skips_a_flow_freed_in_its_burst(void **state)
{
	struct weir_server *s1 = weir_lb_find_server(dp.lb, "web/s1");
	struct weir_server *s2 = weir_lb_find_server(dp.lb, "web/s2");
	struct tcp_frame f[2];
	struct rte_mbuf *in[2], *out[8];
	struct weir_flow *fl;
	char srv[16];
	uint16_t lport;
	uint64_t noflow, fast;
	unsigned int n0, n1, i;

	(void)state;
	handshake(48100, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 48100, 80, IPPROTO_TCP, "10.0.0.10");
	tcp_seg(&f[0], 0, "10.0.0.2", 48100, "10.0.0.10", 80, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
		101, 501);
	feed_one(0, &f[0], sizeof(f[0]), 0, 1);
	assert_int_equal(fl->state, WEIR_FS_CLOSE);
	/* Every server of web in maintenance: a new flow finds none. */
	s1->admin = WEIR_SRV_MAINT;
	s2->admin = WEIR_SRV_MAINT;
	weir_lb_update(&dp, s1->be);
	/* One burst on port 0: the client's new SYN (ends the old flow, no new one), then a
	 * late segment of the server's on the old flow. */
	tcp_seg(&f[0], 0, "10.0.0.2", 48100, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 9000, 0);
	tcp_seg(&f[1], 0, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG, 501, 101);
	for (i = 0; i < 2; i++) {
		in[i] = fixture_mbuf(&dp, &f[i], sizeof(f[i]));
		in[i]->port = 0;
	}
	noflow = drops(0, WEIR_DROP_NO_FLOW);
	fast = fast_path(0);
	weir_l4_burst(W(0), &dp.ports[0], in, 2);
	/* Nothing to the client: the late segment meets a closed port, RST to the server. */
	n0 = take(0, 0, out);
	for (i = 0; i < n0; i++) {
		assert_int_equal(as_tcp(out[i])->ip.dst_addr, ip4(srv));
		assert_int_equal(as_tcp(out[i])->tcp.tcp_flags, RTE_TCP_RST_FLAG);
		rte_pktmbuf_free(out[i]);
	}
	n1 = take(0, 1, out);
	for (i = 0; i < n1; i++)
		rte_pktmbuf_free(out[i]);
	s1->admin = WEIR_SRV_READY;
	s2->admin = WEIR_SRV_READY;
	weir_lb_update(&dp, s1->be);
	print_message("freed flow: %u frame(s) out (RST to the server), fast +%u, no_flow drops "
		      "+%u\n",
		      n0, (unsigned)(fast_path(0) - fast),
		      (unsigned)(drops(0, WEIR_DROP_NO_FLOW) - noflow));
	assert_null(flow_of("10.0.0.2", 48100, 80, IPPROTO_TCP, "10.0.0.10"));
	assert_int_equal(n0, 1);
	assert_int_equal(drops(0, WEIR_DROP_NO_FLOW), noflow + 1);
}

/*
 * A DSR flow sees only the client's FIN, never the server's: with it the connection is
 * over as far as Weir can tell. It stops counting for its server (leastconn, maxconn,
 * scur), and a client that reuses its port gets a new flow, which lives by
 * established_ms, not fin_ms.
 */
static void test_dsr_flow_ends_with_the_client_fin(void **state)
{
	struct weir_worker *w = W(0);
	struct weir_server *r1 = weir_lb_find_server(dp.lb, "dsr/r1");
	uint64_t ms = rte_get_tsc_hz() / 1000, t0 = rte_rdtsc() + 100000 * ms;
	struct tcp_frame f;
	struct rte_mbuf *out[8];
	struct weir_flow *fl;
	uint64_t created, noflow;
	uint32_t conns0, conns_fin;
	uint8_t st;
	unsigned int n;

	(void)state;
	w->now = t0;
	weir_l4_poll(w);
	conns0 = r1->be->conns[r1->id];
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG, 2, 1);
	feed_one(0, &f, sizeof(f), 0, 1);
	fl = flow_of("10.0.0.2", 48200, 8080, IPPROTO_TCP, "10.0.0.20");
	assert_int_equal(fl->state, WEIR_FS_ESTABLISHED);
	/* The server closed first (its FIN is not seen); the client answers FIN and ACK. */
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 2,
		2);
	feed_one(0, &f, sizeof(f), 0, 1);
	conns_fin = r1->be->conns[r1->id];
	/* A second later the client reuses the port for a new connection. */
	w->now = t0 + 1000 * ms;
	created = w->l4->ft->created;
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 50000, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG, 50001, 1);
	feed_one(0, &f, sizeof(f), 0, 1);
	st = flow_of("10.0.0.2", 48200, 8080, IPPROTO_TCP, "10.0.0.20")->state;
	/* The new connection idles 6 s: less than established_ms (60 s), more than fin_ms. */
	w->now = t0 + 7100 * ms;
	weir_l4_poll(w);
	noflow = drops(0, WEIR_DROP_NO_FLOW);
	tcp_seg(&f, 0, "10.0.0.2", 48200, "10.0.0.20", 8080, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		50001, 1);
	n = feed(0, &f, sizeof(f), 0, 1, out);
	if (n > 0)
		rte_pktmbuf_free(out[0]);
	print_message("DSR: r1 conns %u -> %u after the client's FIN; reuse created %u flow(s), "
		      "state %s; after 6 s idle: %u forwarded, no_flow +%u\n",
		      conns0 + 1, conns_fin, (unsigned)(w->l4->ft->created - created),
		      weir_flow_state_name(st), n,
		      (unsigned)(drops(0, WEIR_DROP_NO_FLOW) - noflow));
	assert_int_equal(conns_fin, conns0);
	assert_int_equal(w->l4->ft->created, created + 1);
	assert_int_equal(st, WEIR_FS_ESTABLISHED);
	assert_int_equal(n, 1);
}

/*
 * A UDP datagram whose IP payload is longer than its UDP length (surplus bytes after
 * it, as RFC 9868's option area) has its checksum verified over the datagram, with the
 * UDP length in the pseudo-header (RFC 768), and is forwarded.
 */
static void test_udp_checksum_covers_the_datagram_only(void **state)
{
	struct udp_frame u;
	struct rte_mbuf *out[8];
	uint64_t bad = drops(0, WEIR_DROP_UDP_CSUM);
	unsigned int n;

	(void)state;
	udp_dgram(&u, 0, "10.0.0.2", 7100, "10.0.0.10", 53, false);
	/* UDP length 8 + 16: the last 8 bytes of the IP payload lie past the datagram. */
	u.udp.dgram_len = rte_cpu_to_be_16(8 + 16);
	u.ip.total_length = rte_cpu_to_be_16(20 + 8 + 16);
	u.udp.dgram_cksum = rte_ipv4_udptcp_cksum(&u.ip, &u.udp);
	u.ip.total_length = rte_cpu_to_be_16(20 + 8 + 24);
	u.ip.hdr_checksum = 0;
	u.ip.hdr_checksum = rte_ipv4_cksum(&u.ip);
	n = feed(0, &u, sizeof(u), 0, 1, out);
	if (n > 0)
		rte_pktmbuf_free(out[0]);
	print_message("UDP with surplus area: %u forwarded, udp_csum drops +%u\n", n,
		      (unsigned)(drops(0, WEIR_DROP_UDP_CSUM) - bad));
	assert_int_equal(n, 1);
}

/*
 * Random sequence and timestamp shifts, numbers and option layouts (timestamps aligned
 * or not, SACK before or after them), both ways: every checksum verifies from scratch and
 * every number moves by its shift.
 */
static void test_nat_rewrites_random_segments(void **state)
{
	uint8_t buf[256], opt[40];
	struct rte_mbuf *out[8];
	struct weir_flow *fl;
	char srv[16];
	uint16_t lport, len;
	unsigned int it, bad = 0;
	uint64_t x = 88172645463325252ull;

	(void)state;
	handshake(48300, srv, sizeof(srv), &lport);
	fl = flow_of("10.0.0.2", 48300, 80, IPPROTO_TCP, "10.0.0.10");
	for (it = 0; it < 4000; it++) {
		uint32_t seq, ack, tsv, tse, e[4], optlen, tsoff, k, sd, td;
		int dir = it & 1;
		uint16_t paylen;

#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, (uint32_t)x)
		sd = RND();
		td = (it & 2) ? RND() : 0;
		if (it % 7 == 0)
			sd = 0;
		fl->seq_delta = sd;
		fl->ts_delta = td;
		weir_nat_deltas(fl);
		weir_nat_seq_deltas(fl);
		seq = RND();
		ack = RND();
		tsv = RND();
		tse = RND();
		for (k = 0; k < 4; k++)
			e[k] = RND();
		memset(opt, 1, sizeof(opt));
		switch (RND() % 4) {
		case 0: /* aligned TS */
			tsoff = 2;
			optlen = 12;
			break;
		case 1: /* odd TS */
			tsoff = 1;
			optlen = 12;
			break;
		case 2: /* aligned TS + SACK 2 blocks */
			tsoff = 2;
			optlen = 32;
			break;
		default: /* SACK first at odd offset then TS */
			tsoff = 21;
			optlen = 32;
			break;
		}
		opt[tsoff] = 8;
		opt[tsoff + 1] = 10;
		put_be32(opt + tsoff + 2, tsv);
		put_be32(opt + tsoff + 6, tse);
		if (optlen == 32 && tsoff == 2) {
			opt[14] = 5;
			opt[15] = 18;
			for (k = 0; k < 4; k++)
				put_be32(opt + 16 + 4 * k, e[k]);
		} else if (optlen == 32) {
			opt[3] = 5;
			opt[4] = 18;
			for (k = 0; k < 4; k++)
				put_be32(opt + 5 + 4 * k, e[k]);
		}
		paylen = (uint16_t)(RND() % 40);
		if (dir == 0)
			len = tcp_opt_seg(buf, 0, "10.0.0.2", 48300, "10.0.0.10", 80,
					  RTE_TCP_ACK_FLAG, seq, ack, opt, (uint16_t)optlen,
					  paylen);
		else
			len = tcp_opt_seg(buf, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_ACK_FLAG,
					  seq, ack, opt, (uint16_t)optlen, paylen);
		assert_int_equal(feed(0, buf, len, dir ? 1 : 0, dir ? 0 : 1, out), 1);
		{
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
				out[0], struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
			uint8_t *l4 = (uint8_t *)(ip + 1);
			uint16_t l4len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - 20);

			if (rte_raw_cksum(ip, 20) != 0xffff ||
			    weir_fold16(rte_raw_cksum(l4, l4len) + rte_ipv4_phdr_cksum(ip, 0)) !=
				    0xffff)
				bad++;
		}
		if (dir == 0) {
			assert_int_equal(be32_at(out[0], TH + 4), seq + sd);
			assert_int_equal(be32_at(out[0], OPT + tsoff + 2), tsv + td);
		} else {
			assert_int_equal(be32_at(out[0], TH + 8), ack - sd);
			assert_int_equal(be32_at(out[0], OPT + tsoff + 6), tse - td);
		}
		rte_pktmbuf_free(out[0]);
	}
	print_message("random NAT rewrites: %u bad checksums of 4000\n", bad);
	assert_int_equal(bad, 0);
}

/*
 * A DSR flow that expires in SYN_SENT is no least-time sample: the SYN-ACK never passes
 * Weir, so such ends are only SYNs the client did not follow up.
 */
static void test_dsr_syn_expiry_is_no_ewma_sample(void **state)
{
	struct weir_worker *w = W(0);
	struct weir_server *r1 = weir_lb_find_server(dp.lb, "dsr/r1");
	uint64_t ms = rte_get_tsc_hz() / 1000, t0 = w->now + 1000 * ms;
	struct tcp_frame f;
	uint32_t before = w->l4->ewma[r1->gid] = 5000; /* say, 5 ms measured */

	(void)state;
	w->now = t0;
	tcp_seg(&f, 0, "10.0.0.3", 48400, "10.0.0.20", 8080, RTE_TCP_SYN_FLAG, 1, 0);
	feed_one(0, &f, sizeof(f), 0, 1);
	w->now = t0 + 1500 * ms; /* past syn_ms */
	weir_l4_poll(w);
	assert_null(flow_of("10.0.0.3", 48400, 8080, IPPROTO_TCP, "10.0.0.20"));
	print_message("DSR r1 EWMA: %u us -> %u us\n", before, w->l4->ewma[r1->gid]);
	assert_int_equal(w->l4->ewma[r1->gid], before);
}

/*
 * A connect time (SYN out to SYN-ACK back) is taken to the middle of the span in which
 * the SYN-ACK arrived: after the previous loop polled, before the one that found it. A
 * worker that slept between the two (adaptive polling) does not add its sleep to the
 * sample, nor is a SYN-ACK taken to have come before the SYN left.
 */
static void test_connect_time_sample_spans_the_wait(void **state)
{
	struct weir_worker *w = W(0);
	uint64_t us = rte_get_tsc_hz() / 1000000, t0 = w->now + 1000000 * us;
	struct tcp_frame f, r;
	struct rte_mbuf *out[8];
	struct weir_server *s;
	char srv[16];
	uint16_t lport;
	unsigned int i;
	/* The previous loop's start (from the SYN), this one's, the sample expected. */
	static const uint64_t when[][3] = { { 100, 500, 300 }, { 0, 400, 200 }, { 80, 80, 80 } };

	(void)state;
	for (i = 0; i < RTE_DIM(when); i++) {
		w->now = t0;
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(48500 + i), "10.0.0.10", 80, RTE_TCP_SYN_FLAG,
			100, 0);
		assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
		dst_of(as_tcp(out[0]), srv, sizeof(srv));
		lport = rte_be_to_cpu_16(as_tcp(out[0])->tcp.src_port);
		rte_pktmbuf_free(out[0]);
		s = strcmp(srv, "10.1.0.11") == 0 ? weir_lb_find_server(dp.lb, "web/s1")
						  : weir_lb_find_server(dp.lb, "web/s2");
		w->l4->ewma[s->gid] = 0; /* the first sample is taken as is */
		/* The SYN-ACK, found by a loop that started after a sleep. */
		w->prev_now = when[i][0] == 0 ? t0 - 50 * us : t0 + when[i][0] * us;
		w->now = t0 + when[i][1] * us;
		tcp_seg(&r, 1, srv, 8000, "10.1.0.1", lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			500, 101);
		feed_one(0, &r, sizeof(r), 1, 0);
		print_message("polled at +%" PRIu64 " and +%" PRIu64 " us: sample %u us\n",
			      when[i][0], when[i][1], w->l4->ewma[s->gid]);
		assert_true(w->l4->ewma[s->gid] + 1 >= when[i][2] &&
			    w->l4->ewma[s->gid] <= when[i][2] + 1);
	}
}

/*
 * A client that appears on the link (its ARP request for Weir's address makes its
 * neighbour entry) does not send the flows Weir already forwards off the fast path:
 * none of them could hold its MAC. One whose MAC changes does.
 */
static void test_new_neighbour_keeps_flows_fast(void **state)
{
	struct rte_ether_addr other = { { 0x02, 0, 0, 0, 0x77, 0x77 } };
	struct weir_event_msg ev = { .ip = ip4("10.0.0.77"),
				     .mac = fixture_peer_mac,
				     .type = WEIR_EVT_ARP,
				     .flags = WEIR_EVF_ARP_FOR_US,
				     .port = 0 };
	struct tcp_frame f;
	char srv[16];
	uint16_t lport;
	uint64_t fast;

	(void)state;
	handshake(48600, srv, sizeof(srv), &lport);
	tcp_seg(&f, 0, "10.0.0.2", 48600, "10.0.0.10", 80, RTE_TCP_ACK_FLAG, 101, 501);
	fast = fast_path(0);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast + 1);
	weir_neigh_event(&dp, &ev, W(0)->now);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast + 2);
	/* The same neighbour moved: every flow looks its next hop up again, once. */
	ev.mac = other;
	ev.flags = 0;
	weir_neigh_event(&dp, &ev, W(0)->now);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast + 2);
	feed_one(0, &f, sizeof(f), 0, 1);
	assert_int_equal(fast_path(0), fast + 3);
}

/* The value of @key in `show info`, or -1 when it is not shown. */
static int64_t info(const char *key)
{
	return fixture_rt_value(&dp, "show info", key);
}

/*
 * `show info` tells how full the workers' flow tables are, how many flows came and went,
 * and the connections under HAProxy's names.
 */
static void test_show_info_counts_flows(void **state)
{
	int64_t flows = info("Flows"), created = info("Flows_created");
	int64_t conns = info("CurrConns"), cum = info("CumConns");
	struct rte_mbuf *out[8];
	struct tcp_frame f;

	(void)state;
	assert_true(conns >= 0 && cum >= conns && info("ConnRate") >= 0);
	assert_int_equal(flows, W(0)->l4->ft->active + W(1)->l4->ft->active);
	assert_int_equal(info("Flows_max"), W(0)->l4->ft->capacity + W(1)->l4->ft->capacity);
	assert_int_equal(info("Flows_expired"), W(0)->l4->ft->expired + W(1)->l4->ft->expired);
	tcp_seg(&f, 0, "10.0.0.2", 42600, "10.0.0.10", 80, RTE_TCP_SYN_FLAG, 1, 0);
	assert_int_equal(feed(0, &f, sizeof(f), 0, 1, out), 1);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(info("Flows"), flows + 1);
	assert_int_equal(info("Flows_created"), created + 1);
	/* As HAProxy's: connections open now, and since start. */
	assert_int_equal(info("CurrConns"), conns + 1);
	assert_int_equal(info("CumConns"), cum + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_nat_both_ways),
		cmocka_unit_test(test_full_nat_moves_sequence_space),
		cmocka_unit_test(test_icmp_errors_follow_the_flow),
		cmocka_unit_test(test_icmp_error_of_dsr_flow_goes_to_the_server),
		cmocka_unit_test_teardown(test_too_big_for_the_port, restore_mtus),
		cmocka_unit_test(test_ttl_exceeded_is_answered),
		cmocka_unit_test_teardown(test_answers_are_rate_limited, restore_answers),
		cmocka_unit_test_teardown(test_unmatched_is_rejected, restore_answers),
		cmocka_unit_test(test_udp_nat_keeps_zero_checksum),
		cmocka_unit_test(test_bad_segments_are_dropped),
		cmocka_unit_test(test_all_down_resets),
		cmocka_unit_test(test_maxconn_moves_to_next_server),
		cmocka_unit_test(test_flow_timeouts_fake_clock),
		cmocka_unit_test(test_syn_on_closed_flow_starts_afresh),
		cmocka_unit_test(test_dsr_rewrites_mac_and_ttl),
		cmocka_unit_test(test_replies_go_to_the_owning_worker),
		cmocka_unit_test(test_fast_path_forwards_as_the_full_path),
		cmocka_unit_test(test_fast_path_leaves_the_rest_to_the_full_path),
		cmocka_unit_test(test_fast_path_checksums_every_length),
		cmocka_unit_test(test_fast_path_takes_the_nic_verdicts),
		cmocka_unit_test(test_burst_handles_frames_in_order),
		cmocka_unit_test(test_redirected_replies_take_the_fast_path),
		cmocka_unit_test(test_steered_port_keeps_a_client_on_one_worker),
		cmocka_unit_test(test_flow_table_full),
		cmocka_unit_test(test_poll_tick_follows_the_clock),
		cmocka_unit_test(test_nat_rewrites_random_segments),
		cmocka_unit_test(test_fin_after_rst_stays_closed),
		cmocka_unit_test(test_udp_checksum_covers_the_datagram_only),
		cmocka_unit_test(test_fast_path_skips_a_flow_freed_in_its_burst),
		cmocka_unit_test(test_dsr_flow_ends_with_the_client_fin),
		cmocka_unit_test(test_dsr_syn_expiry_is_no_ewma_sample),
		cmocka_unit_test(test_connect_time_sample_spans_the_wait),
		cmocka_unit_test(test_new_neighbour_keeps_flows_fast),
		cmocka_unit_test(test_show_info_counts_flows),
	};

	weir_rt_register_basic();
	return cmocka_run_group_tests(tests, setup, teardown);
}
