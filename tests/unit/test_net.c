/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the packet path on synthetic frames: Ethernet, ARP, IPv4, ICMP. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "core/worker.h"
#include "fixture.h"
#include "l4/l4.h"
#include "net/addr.h"
#include "net/ipv4.h"
#include "net/pkt.h"

static struct weir_dp dp;

static int setup(void **state)
{
	(void)state;
	if (fixture_eal() != 0)
		return -1;
	fixture_dp(&dp, fixture_conf);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_dp_fini(&dp);
	return 0;
}

/* ---- frame builders ---- */

struct arp_frame {
	struct rte_ether_hdr eth;
	struct rte_arp_hdr arp;
	uint8_t pad[18];
} __attribute__((packed, aligned(2)));

static void arp_request(struct arp_frame *f, uint32_t sip, uint32_t tip)
{
	memset(f, 0, sizeof(*f));
	memset(&f->eth.dst_addr, 0xff, 6);
	f->eth.src_addr = fixture_peer_mac;
	f->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	f->arp.arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	f->arp.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	f->arp.arp_hlen = 6;
	f->arp.arp_plen = 4;
	f->arp.arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	f->arp.arp_data.arp_sha = fixture_peer_mac;
	f->arp.arp_data.arp_sip = sip;
	f->arp.arp_data.arp_tip = tip;
}

struct icmp_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_icmp_hdr icmp;
	uint8_t data[32];
} __attribute__((packed, aligned(2)));

static void fix_icmp_cksum(struct icmp_frame *f)
{
	f->icmp.icmp_cksum = 0;
	f->icmp.icmp_cksum = (uint16_t)~rte_raw_cksum(&f->icmp, sizeof(f->icmp) + sizeof(f->data));
}

static void echo_request(struct icmp_frame *f, uint32_t src, uint32_t dst, uint16_t port)
{
	struct rte_ether_addr mac;
	unsigned int i;

	fixture_port_mac(port, &mac);
	memset(f, 0, sizeof(*f));
	f->eth.dst_addr = mac;
	f->eth.src_addr = fixture_peer_mac;
	f->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	f->ip.version_ihl = 0x45;
	f->ip.total_length = rte_cpu_to_be_16(sizeof(*f) - sizeof(f->eth));
	f->ip.packet_id = RTE_BE16(0x1234);
	f->ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	f->ip.time_to_live = 64;
	f->ip.next_proto_id = IPPROTO_ICMP;
	f->ip.src_addr = src;
	f->ip.dst_addr = dst;
	f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
	f->icmp.icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	f->icmp.icmp_ident = RTE_BE16(0x4242);
	f->icmp.icmp_seq_nb = RTE_BE16(7);
	for (i = 0; i < sizeof(f->data); i++)
		f->data[i] = (uint8_t)i;
	fix_icmp_cksum(f);
}

static void fix_ip_cksum(struct icmp_frame *f)
{
	f->ip.hdr_checksum = 0;
	f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
}

/* Feed @len bytes of @frame to port @port and return what was queued for sending there. */
static unsigned int feed(const void *frame, uint16_t len, uint16_t port, struct rte_mbuf **out)
{
	struct rte_mbuf *m = fixture_mbuf(&dp, frame, len);

	weir_pkt_input(&dp.workers[0], &dp.ports[port], m);
	return fixture_take_tx(&dp, port, out, 8);
}

/* Feed a frame and assert it was dropped for exactly @why. */
static void expect_drop(const void *frame, uint16_t len, uint16_t port, unsigned int why)
{
	uint64_t before = fixture_drops(&dp, why);
	unsigned int avail = rte_mempool_avail_count(dp.pool);
	struct rte_mbuf *out[8];

	assert_int_equal(feed(frame, len, port, out), 0);
	assert_int_equal(fixture_drops(&dp, why), before + 1);
	/* The dropped buffer went back to the pool. */
	assert_int_equal(rte_mempool_avail_count(dp.pool), avail);
}

static void drain_events(void)
{
	struct weir_event_msg ev;

	while (rte_ring_dequeue_elem(dp.events, &ev, sizeof(ev)) == 0)
		;
}

/* ---- ARP ---- */

static void test_arp_reply_for_interface_address(void **state)
{
	struct arp_frame f;
	struct rte_mbuf *out[8];
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;
	struct weir_event_msg ev;
	struct rte_ether_addr mac;

	(void)state;
	drain_events();
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"));
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	eth = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	a = (struct rte_arp_hdr *)(eth + 1);
	fixture_port_mac(0, &mac);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &fixture_peer_mac));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &mac));
	assert_int_equal(a->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_sha, &mac));
	assert_int_equal(a->arp_data.arp_sip, ip4("10.0.0.1"));
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_tha, &fixture_peer_mac));
	assert_int_equal(a->arp_data.arp_tip, ip4("10.0.0.2"));
	/* Padding is not echoed back. */
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]),
			 sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr));
	rte_pktmbuf_free(out[0]);

	/* The main lcore hears of the sender, marked as asking for us. */
	assert_int_equal(rte_ring_dequeue_elem(dp.events, &ev, sizeof(ev)), 0);
	assert_int_equal(ev.type, WEIR_EVT_ARP);
	assert_int_equal(ev.ip, ip4("10.0.0.2"));
	assert_true(rte_is_same_ether_addr(&ev.mac, &fixture_peer_mac));
	assert_true(ev.flags & WEIR_EVF_ARP_FOR_US);
	assert_int_equal(ev.port, 0);
}

static void test_arp_reply_for_vip(void **state)
{
	struct arp_frame f;
	struct rte_mbuf *out[8];
	struct rte_arp_hdr *a;

	(void)state;
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.10"));
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	a = rte_pktmbuf_mtod_offset(out[0], struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	assert_int_equal(a->arp_data.arp_sip, ip4("10.0.0.10"));
	rte_pktmbuf_free(out[0]);
	drain_events();
}

static void test_arp_not_ours(void **state)
{
	struct arp_frame f;
	struct weir_event_msg ev;

	(void)state;
	drain_events();
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.77"));
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ARP_NOT_OURS);
	/* The VIP lives on "client": asked on "servers", it is not answered. */
	arp_request(&f, ip4("10.1.0.11"), ip4("10.0.0.10"));
	expect_drop(&f, sizeof(f), 1, WEIR_DROP_ARP_NOT_OURS);
	/* The sender is still reported, without the for-us mark (update only). */
	assert_int_equal(rte_ring_dequeue_elem(dp.events, &ev, sizeof(ev)), 0);
	assert_false(ev.flags & WEIR_EVF_ARP_FOR_US);
	drain_events();
}

static void test_arp_malformed(void **state)
{
	struct arp_frame f;

	(void)state;
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"));
	expect_drop(&f, sizeof(struct rte_ether_hdr) + 20, 0, WEIR_DROP_ARP_MALFORMED);
	f.arp.arp_hlen = 8;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ARP_MALFORMED);
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"));
	f.arp.arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ARP_MALFORMED);
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"));
	f.arp.arp_opcode = RTE_BE16(3);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ARP_OP);
	arp_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"));
	memset(&f.arp.arp_data.arp_sha, 0xff, 6);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ARP_SRC_INVALID);
	drain_events();
}

static void test_arp_reply_is_learned_not_answered(void **state)
{
	struct arp_frame f;
	struct rte_mbuf *out[8];
	struct weir_event_msg ev;
	uint64_t before = dp.workers[0].st.events[WEIR_EV_ARP_REPLY_IN];

	(void)state;
	drain_events();
	arp_request(&f, ip4("10.1.0.11"), ip4("10.1.0.1"));
	f.arp.arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	assert_int_equal(feed(&f, sizeof(f), 1, out), 0);
	assert_int_equal(dp.workers[0].st.events[WEIR_EV_ARP_REPLY_IN], before + 1);
	assert_int_equal(rte_ring_dequeue_elem(dp.events, &ev, sizeof(ev)), 0);
	assert_true(ev.flags & WEIR_EVF_ARP_REPLY);
	assert_int_equal(ev.port, 1);
}

static void test_arp_sender_off_subnet_not_learned(void **state)
{
	struct arp_frame f;
	struct rte_mbuf *out[8];

	(void)state;
	drain_events();
	arp_request(&f, ip4("192.168.9.9"), ip4("10.0.0.1"));
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	rte_pktmbuf_free(out[0]);
	assert_int_equal(rte_ring_count(dp.events), 0);
}

/* ---- Ethernet ---- */

static void test_eth_drops(void **state)
{
	struct icmp_frame f;
	uint8_t tiny[10] = { 0 };

	(void)state;
	expect_drop(tiny, sizeof(tiny), 0, WEIR_DROP_ETH_SHORT);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth.dst_addr.addr_bytes[5] ^= 0x40;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ETH_DST_OTHER);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth.dst_addr.addr_bytes[0] = 0x01;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ETH_MULTICAST);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth.src_addr.addr_bytes[0] |= 0x01; /* an echo reply would go to a group */
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ETH_SRC_GROUP);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ETH_VLAN);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ETH_PROTO);
}

/* ---- ICMP ---- */

static void check_echo_reply(struct rte_mbuf *m, const struct icmp_frame *req, uint16_t port)
{
	struct icmp_frame *r = rte_pktmbuf_mtod(m, struct icmp_frame *);
	struct rte_ether_addr mac;

	fixture_port_mac(port, &mac);
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(*req));
	assert_true(rte_is_same_ether_addr(&r->eth.dst_addr, &req->eth.src_addr));
	assert_true(rte_is_same_ether_addr(&r->eth.src_addr, &mac));
	assert_int_equal(r->ip.src_addr, req->ip.dst_addr);
	assert_int_equal(r->ip.dst_addr, req->ip.src_addr);
	assert_int_equal(rte_raw_cksum(&r->ip, sizeof(r->ip)), 0xffff);
	assert_int_equal(r->icmp.icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(r->icmp.icmp_code, 0);
	assert_int_equal(r->icmp.icmp_ident, req->icmp.icmp_ident);
	assert_int_equal(r->icmp.icmp_seq_nb, req->icmp.icmp_seq_nb);
	assert_memory_equal(r->data, req->data, sizeof(r->data));
	/* The incrementally updated checksum verifies over the whole message. */
	assert_int_equal(rte_raw_cksum(&r->icmp, sizeof(r->icmp) + sizeof(r->data)), 0xffff);
}

static void test_icmp_echo_interface_and_vip(void **state)
{
	struct icmp_frame f;
	struct rte_mbuf *out[8];

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	check_echo_reply(out[0], &f, 0);
	rte_pktmbuf_free(out[0]);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.10"), 0);
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	check_echo_reply(out[0], &f, 0);
	rte_pktmbuf_free(out[0]);

	/* A sequence number whose checksum lands on the one's-complement edge. */
	echo_request(&f, ip4("10.1.0.11"), ip4("10.1.0.1"), 1);
	f.icmp.icmp_seq_nb = 0;
	f.icmp.icmp_ident = 0;
	memset(f.data, 0, sizeof(f.data));
	f.data[0] = 0xf7;
	f.data[1] = 0xff;
	fix_icmp_cksum(&f);
	assert_int_equal(feed(&f, sizeof(f), 1, out), 1);
	check_echo_reply(out[0], &f, 1);
	rte_pktmbuf_free(out[0]);
}

static void test_icmp_padding_trimmed(void **state)
{
	/* An 8-byte echo padded by Ethernet to the 60-byte minimum frame. */
	uint8_t frame[60] = { 0 };
	struct icmp_frame f;
	struct rte_mbuf *out[8];
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	memcpy(frame, &f, sizeof(f.eth) + sizeof(f.ip) + sizeof(f.icmp));
	ip = (struct rte_ipv4_hdr *)(frame + sizeof(f.eth));
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*icmp));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp));
	memset(frame + sizeof(f.eth) + sizeof(*ip) + sizeof(*icmp), 0xee,
	       sizeof(frame) - sizeof(f.eth) - sizeof(*ip) - sizeof(*icmp));
	assert_int_equal(feed(frame, sizeof(frame), 0, out), 1);
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), sizeof(f.eth) + sizeof(*ip) + sizeof(*icmp));
	rte_pktmbuf_free(out[0]);
}

static void test_icmp_drops(void **state)
{
	struct icmp_frame f;

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.icmp.icmp_cksum ^= 0x0100;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ICMP_CSUM);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.icmp.icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	fix_icmp_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ICMP_TYPE);
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.total_length = rte_cpu_to_be_16(sizeof(f.ip) + 4);
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_ICMP_SHORT);
}

/* ---- IPv4 ---- */

static void test_ipv4_drops(void **state)
{
	struct icmp_frame f, *r;
	struct rte_mbuf *out[8];
	uint64_t before;
	uint32_t i;

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	expect_drop(&f, sizeof(f.eth) + 12, 0, WEIR_DROP_IPV4_SHORT);

	f.ip.version_ihl = 0x65;
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_VERSION);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.version_ihl = 0x44;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_IHL);

	/* The header claims options the frame does not hold. */
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.version_ihl = 0x4f;
	expect_drop(&f, sizeof(f.eth) + 40, 0, WEIR_DROP_IPV4_SHORT);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.total_length = rte_cpu_to_be_16(sizeof(f) - sizeof(f.eth) + 1);
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_LEN);
	f.ip.total_length = rte_cpu_to_be_16(19);
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_LEN);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.hdr_checksum ^= 0x0001;
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_CSUM);

	/* Every first byte: 0, 127 and 224 to 255 are martian, the rest are not. */
	for (i = 0; i < 256; i++) {
		uint32_t a = rte_cpu_to_be_32(i << 24 | 0x010203);

		assert_int_equal(weir_ipv4_src_ok(a), i != 0 && i != 127 && i < 224);
	}
	echo_request(&f, ip4("127.0.0.1"), ip4("10.0.0.1"), 0);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_SRC_MARTIAN);
	echo_request(&f, ip4("224.0.0.5"), ip4("10.0.0.1"), 0);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_SRC_MARTIAN);
	echo_request(&f, ip4("10.0.0.255"), ip4("10.0.0.1"), 0);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_SRC_MARTIAN);
	echo_request(&f, ip4("0.0.0.0"), ip4("10.0.0.1"), 0);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_SRC_MARTIAN);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_FRAGMENT);
	f.ip.fragment_offset = RTE_BE16(185);
	fix_ip_cksum(&f);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_FRAGMENT);

	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.99"), 0);
	expect_drop(&f, sizeof(f), 0, WEIR_DROP_IPV4_NOT_OURS);

	/* A protocol Weir does not serve: dropped, answered "protocol unreachable". */
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.ip.next_proto_id = IPPROTO_GRE;
	fix_ip_cksum(&f);
	before = fixture_drops(&dp, WEIR_DROP_IPV4_PROTO);
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_IPV4_PROTO), before + 1);
	r = rte_pktmbuf_mtod(out[0], struct icmp_frame *);
	assert_int_equal(r->ip.src_addr, ip4("10.0.0.1"));
	assert_int_equal(r->ip.dst_addr, ip4("10.0.0.2"));
	assert_int_equal(r->icmp.icmp_type, 3);
	assert_int_equal(r->icmp.icmp_code, 2);
	assert_memory_equal(r->data, &f.ip, sizeof(f.ip) + 8);
	rte_pktmbuf_free(out[0]);
}

static void test_ipv4_options_accepted(void **state)
{
	/* A header with 4 bytes of options (NOP x4) still gets its echo answered. */
	struct {
		struct rte_ether_hdr eth;
		struct rte_ipv4_hdr ip;
		uint8_t opt[4];
		struct rte_icmp_hdr icmp;
	} __attribute__((packed, aligned(2))) f;
	struct icmp_frame base;
	struct rte_mbuf *out[8];

	(void)state;
	echo_request(&base, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	f.eth = base.eth;
	f.ip = base.ip;
	f.ip.version_ihl = 0x46;
	f.ip.total_length = rte_cpu_to_be_16(sizeof(f) - sizeof(f.eth));
	memset(f.opt, 1, sizeof(f.opt));
	f.ip.hdr_checksum = 0;
	f.ip.hdr_checksum = (uint16_t)~rte_raw_cksum(&f.ip, 24);
	memset(&f.icmp, 0, sizeof(f.icmp));
	f.icmp.icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	f.icmp.icmp_cksum = (uint16_t)~rte_raw_cksum(&f.icmp, sizeof(f.icmp));
	assert_int_equal(feed(&f, sizeof(f), 0, out), 1);
	assert_int_equal(rte_raw_cksum(rte_pktmbuf_mtod_offset(out[0], void *, sizeof(f.eth)), 24),
			 0xffff);
	rte_pktmbuf_free(out[0]);
}

/* The main lcore's packets go out through a worker's queue. */
static void test_ctrl_packets_are_sent_by_workers(void **state)
{
	struct weir_worker *w = &dp.workers[0];
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool), *out[8];

	(void)state;
	assert_non_null(rte_pktmbuf_append(m, 60));
	m->port = 1;
	weir_main_tx(&dp, m);
	assert_int_equal(rte_ring_count(w->ctrl), 1);
	/* Ports are not started in unit tests: a poll moves it to the TX buffer, which
	 * then counts it as refused by the queue. */
	weir_worker_poll(w);
	assert_int_equal(rte_ring_count(w->ctrl), 0);
	assert_int_equal(fixture_take_tx(&dp, 1, out, 8), 0);
	assert_int_equal(w->st.events[WEIR_EV_CTRL_TX], 1);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_TX_FULL), 1);
}

/* ---- 0.0.0.0 is nobody's (0 also marks the address table's empty slots) ---- */

static void test_addr_lookup_of_zero(void **state)
{
	(void)state;
	assert_null(weir_addr_lookup(dp.addrs, 0));
}

static void test_arp_for_zero_address_not_answered(void **state)
{
	struct arp_frame f;
	struct rte_mbuf *out[8];
	uint64_t before = fixture_drops(&dp, WEIR_DROP_ARP_NOT_OURS);
	unsigned int n;

	(void)state;
	drain_events();
	arp_request(&f, ip4("10.0.0.2"), 0);
	n = feed(&f, sizeof(f), 0, out);
	if (n > 0) {
		struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(out[0], struct rte_arp_hdr *,
								sizeof(struct rte_ether_hdr));

		print_message("answered: 'arp_sip %08x is-at our MAC', op %u\n",
			      a->arp_data.arp_sip, rte_be_to_cpu_16(a->arp_opcode));
		rte_pktmbuf_free_bulk(out, n);
	}
	drain_events();
	assert_int_equal(n, 0);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_ARP_NOT_OURS), before + 1);
}

static void test_echo_to_zero_address_not_answered(void **state)
{
	struct icmp_frame f;
	struct rte_mbuf *out[8];
	uint64_t before = fixture_drops(&dp, WEIR_DROP_IPV4_NOT_OURS);
	unsigned int n;

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), 0, 0);
	n = feed(&f, sizeof(f), 0, out);
	if (n > 0) {
		struct icmp_frame *r = rte_pktmbuf_mtod(out[0], struct icmp_frame *);

		print_message("answered: echo reply from %08x type %u\n", r->ip.src_addr,
			      r->icmp.icmp_type);
		rte_pktmbuf_free_bulk(out, n);
	}
	assert_int_equal(n, 0);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_IPV4_NOT_OURS), before + 1);
}

/* ---- frames from the redirect ring are work too (adaptive polling) ---- */

static void test_poll_counts_redirected_frames(void **state)
{
	struct weir_worker *w = &dp.workers[0];
	struct icmp_frame f;
	struct rte_mbuf *m, *out[8];
	uint64_t echo = w->st.events[WEIR_EV_ICMP_ECHO_IN];
	unsigned int got;

	(void)state;
	echo_request(&f, ip4("10.0.0.2"), ip4("10.0.0.1"), 0);
	m = fixture_mbuf(&dp, &f, sizeof(f));
	m->port = dp.ports[0].port_id;
	assert_int_equal(rte_ring_enqueue(w->l4->redirect, m), 0);
	got = weir_worker_poll(w);
	(void)fixture_take_tx(&dp, 0, out, 8);
	print_message("frames handled %" PRIu64 ", weir_worker_poll() returned %u\n",
		      w->st.events[WEIR_EV_ICMP_ECHO_IN] - echo, got);
	assert_int_equal(w->st.events[WEIR_EV_ICMP_ECHO_IN], echo + 1);
	/* adaptive_idle() sleeps when this is 0 for 64 loops, though frames were handled. */
	assert_true(got > 0);
}

/* ---- /31 interfaces (RFC 3021): no broadcast address, the peer is a host ---- */

/* "servers" on a point-to-point /31 (RFC 3021): Weir 10.1.0.0, the server 10.1.0.1. */
static const char *conf_p2p = "global = { workers = 1; mbufs = 2047; flows = 4096; };\n"
			      "interfaces = (\n"
			      "  { name = \"client\"; device = \"net_null0\"; "
			      "address = \"10.0.0.1/24\"; gateway = \"10.0.0.254\"; },\n"
			      "  { name = \"servers\"; device = \"net_null1\"; "
			      "address = \"10.1.0.0/31\"; }\n"
			      ");\n"
			      "backends = ( { name = \"web\"; servers = (\n"
			      "  { name = \"s1\"; address = \"10.1.0.1\"; port = 80; } ); } );\n"
			      "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; "
			      "backend = \"web\"; } );\n";

static int setup_p2p(void **state)
{
	(void)state;
	if (fixture_eal() != 0)
		return -1;
	fixture_dp(&dp, conf_p2p);
	return 0;
}

static void test_p2p_peer_is_not_martian(void **state)
{
	struct icmp_frame f;
	struct rte_mbuf *out[8];
	uint64_t martian = fixture_drops(&dp, WEIR_DROP_IPV4_SRC_MARTIAN);
	unsigned int n;

	(void)state;
	echo_request(&f, ip4("10.1.0.1"), ip4("10.1.0.0"), 1);
	n = feed(&f, sizeof(f), 1, out);
	print_message("echo from the /31 peer: %u replies, martian drops +%" PRIu64 "\n", n,
		      fixture_drops(&dp, WEIR_DROP_IPV4_SRC_MARTIAN) - martian);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_reply_for_interface_address),
		cmocka_unit_test(test_arp_reply_for_vip),
		cmocka_unit_test(test_arp_not_ours),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_arp_reply_is_learned_not_answered),
		cmocka_unit_test(test_arp_sender_off_subnet_not_learned),
		cmocka_unit_test(test_eth_drops),
		cmocka_unit_test(test_icmp_echo_interface_and_vip),
		cmocka_unit_test(test_icmp_padding_trimmed),
		cmocka_unit_test(test_icmp_drops),
		cmocka_unit_test(test_ipv4_drops),
		cmocka_unit_test(test_ipv4_options_accepted),
		cmocka_unit_test(test_ctrl_packets_are_sent_by_workers),
		cmocka_unit_test(test_addr_lookup_of_zero),
		cmocka_unit_test(test_arp_for_zero_address_not_answered),
		cmocka_unit_test(test_echo_to_zero_address_not_answered),
		cmocka_unit_test(test_poll_counts_redirected_frames),
	};
	const struct CMUnitTest p2p[] = {
		cmocka_unit_test(test_p2p_peer_is_not_martian),
	};

	return cmocka_run_group_tests(tests, setup, teardown) |
	       cmocka_run_group_tests_name("a /31 link", p2p, setup_p2p, teardown);
}
