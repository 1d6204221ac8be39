/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the neighbour table: learning, resolution, ageing, with a fake clock. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>

#include "fixture.h"
#include "net/neigh.h"

/* reachable 1 s, retrans 100 ms, 3 probes, gc_stale 2 s */
static const char *conf_text =
	"global = { workers = 1; mbufs = 2047; flows = 4096;\n"
	"  neigh = { reachable_ms = 1000; retrans_ms = 100; probes = 3; gc_stale_ms = 2000;\n"
	"            max_entries = 64; }; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\";"
	" gateway = \"10.0.0.254\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
	");\n";

static struct weir_dp dp;
static const struct rte_ether_addr mac_a = { { 0x02, 0, 0, 0, 0, 0xa1 } };
static const struct rte_ether_addr mac_b = { { 0x02, 0, 0, 0, 0, 0xb2 } };

static uint64_t ms(uint64_t v)
{
	return weir_ms_to_tsc(&dp, v);
}

static int setup(void **state)
{
	(void)state;
	if (fixture_eal() != 0)
		return -1;
	fixture_dp(&dp, conf_text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_dp_fini(&dp);
	return 0;
}

/* A fresh table for each test. */
static int reset(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	weir_neigh_free(dp.neigh);
	dp.neigh = weir_neigh_create(64);
	while (rte_ring_dequeue(dp.workers[0].ctrl, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	return dp.neigh == NULL;
}

static void arp_seen(uint16_t port, const char *ip, const struct rte_ether_addr *mac, uint8_t flags,
		     uint64_t now)
{
	struct weir_event_msg ev = {
		.ip = ip4(ip), .mac = *mac, .type = WEIR_EVT_ARP, .flags = flags, .port = port
	};

	weir_neigh_event(&dp, &ev, now);
}

static struct weir_neigh_entry *entry(const char *ip)
{
	uint32_t i;

	for (i = 0; i < dp.neigh->nb_buckets * WEIR_NEIGH_WAYS; i++)
		if (dp.neigh->e[i].state != WEIR_NEIGH_FREE && dp.neigh->e[i].ip == ip4(ip))
			return &dp.neigh->e[i];
	return NULL;
}

/*
 * Pop the next packet the main lcore sent; check it is an ARP request for @target,
 * broadcast or (when @unicast) to @dst. Returns false when nothing was sent.
 */
static bool sent_request(const char *target, bool unicast, const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;

	if (rte_ring_dequeue(dp.workers[0].ctrl, (void **)&m) != 0)
		return false;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	a = (struct rte_arp_hdr *)(eth + 1);
	assert_int_equal(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	assert_int_equal(a->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_int_equal(a->arp_data.arp_tip, ip4(target));
	if (unicast)
		assert_true(rte_is_same_ether_addr(&eth->dst_addr, dst));
	else
		assert_true(rte_is_broadcast_ether_addr(&eth->dst_addr));
	rte_pktmbuf_free(m);
	return true;
}

static void test_request_for_us_creates_entry(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, ms(1));
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	/* Known on "client" only. */
	assert_int_equal(weir_neigh_lookup(dp.neigh, 1, ip4("10.0.0.2"), &mac), -ENOENT);
}

static void test_unsolicited_arp_does_not_create(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	arp_seen(0, "10.0.0.3", &mac_a, 0, ms(1));
	arp_seen(0, "10.0.0.4", &mac_a, WEIR_EVF_ARP_REPLY, ms(1));
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.3"), &mac), -ENOENT);
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.4"), &mac), -ENOENT);
	assert_int_equal(dp.neigh->count, 0);
}

static void test_existing_entry_updated_by_any_arp(void **state)
{
	struct rte_ether_addr mac;

	(void)state;
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, ms(1));
	arp_seen(0, "10.0.0.2", &mac_b, 0, ms(2));
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_b));
}

static void test_address_conflict_is_not_learned(void **state)
{
	(void)state;
	arp_seen(0, "10.0.0.1", &mac_a, WEIR_EVF_ARP_FOR_US | WEIR_EVF_ARP_CLAIMED, ms(1));
	assert_null(entry("10.0.0.1"));
}

static void test_resolution_retries_then_fails(void **state)
{
	struct rte_ether_addr mac;
	struct weir_event_msg ev = { .ip = ip4("10.1.0.50"), .type = WEIR_EVT_RESOLVE, .port = 1 };
	uint64_t t0 = ms(10);

	(void)state;
	weir_neigh_event(&dp, &ev, t0);
	assert_true(sent_request("10.1.0.50", false, NULL));
	assert_int_equal(entry("10.1.0.50")->state, WEIR_NEIGH_INCOMPLETE);
	assert_int_equal(weir_neigh_lookup(dp.neigh, 1, ip4("10.1.0.50"), &mac), -ENOENT);
	/* A second request from a worker while resolving sends nothing new. */
	weir_neigh_event(&dp, &ev, t0 + ms(1));
	assert_false(sent_request("10.1.0.50", false, NULL));
	/* Nothing before retrans_ms ... */
	weir_neigh_timer(&dp, t0 + ms(50));
	assert_false(sent_request("10.1.0.50", false, NULL));
	/* ... then a retry every retrans_ms, up to `probes` requests in all. */
	weir_neigh_timer(&dp, t0 + ms(100));
	assert_true(sent_request("10.1.0.50", false, NULL));
	weir_neigh_timer(&dp, t0 + ms(200));
	assert_true(sent_request("10.1.0.50", false, NULL));
	weir_neigh_timer(&dp, t0 + ms(300));
	assert_false(sent_request("10.1.0.50", false, NULL));
	assert_int_equal(entry("10.1.0.50")->state, WEIR_NEIGH_FAILED);
	/* An unwatched failure is forgotten after a pause. */
	weir_neigh_timer(&dp, t0 + ms(700));
	assert_null(entry("10.1.0.50"));
}

static void test_reply_completes_resolution(void **state)
{
	struct rte_ether_addr mac;
	struct weir_event_msg ev = { .ip = ip4("10.1.0.11"), .type = WEIR_EVT_RESOLVE, .port = 1 };

	(void)state;
	weir_neigh_event(&dp, &ev, ms(10));
	assert_true(sent_request("10.1.0.11", false, NULL));
	arp_seen(1, "10.1.0.11", &mac_b, WEIR_EVF_ARP_REPLY, ms(12));
	assert_int_equal(entry("10.1.0.11")->state, WEIR_NEIGH_REACHABLE);
	assert_int_equal(weir_neigh_lookup(dp.neigh, 1, ip4("10.1.0.11"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_b));
}

/*
 * Stale entries nobody relies on are forgotten gc_stale_ms after going stale once the
 * table holds more than an eighth of its room (as Linux keeps gc_thresh1 entries);
 * below that they stay, still answering, and the generation never moves for them.
 */
static void test_ageing_stale_then_collected(void **state)
{
	struct rte_ether_addr mac;
	uint32_t keep = dp.neigh->nb_buckets * WEIR_NEIGH_WAYS / 8, gen, i;
	uint64_t t0 = ms(5);
	char ip[32];

	(void)state;
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, t0);
	gen = dp.neigh->gen;
	weir_neigh_timer(&dp, t0 + ms(999));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_REACHABLE);
	weir_neigh_timer(&dp, t0 + ms(1000));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_STALE);
	/* Unused stale entries are not probed, and still answer lookups ... */
	assert_false(sent_request("10.0.0.2", true, &mac_a));
	/* ... (a lookup marks it used, but this test wants it unused) */
	entry("10.0.0.2")->used = 0;
	/* ... and stay past gc_stale_ms while the table has room. */
	weir_neigh_timer(&dp, t0 + ms(1000 + 2000));
	weir_neigh_timer(&dp, t0 + ms(1000 + 5000));
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	entry("10.0.0.2")->used = 0;
	assert_int_equal(dp.neigh->gen, gen);
	/* More than an eighth of the room taken (fresh entries): the stale one goes. */
	for (i = 0; i < keep; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", 10 + i);
		arp_seen(0, ip, &mac_b, WEIR_EVF_ARP_FOR_US, t0 + ms(6000));
	}
	assert_int_equal(dp.neigh->evicted, 0);
	assert_int_equal(dp.neigh->gen, gen);
	/* (checked again a gc_stale_ms after the last time) */
	weir_neigh_timer(&dp, t0 + ms(7999));
	assert_non_null(entry("10.0.0.2"));
	assert_int_equal(dp.neigh->gen, gen);
	/*
	 * Due, it is not forgotten yet: flows hold MACs without looking them up, so the
	 * generation moves once, for them to look again, and the entry gets a quarter of
	 * gc_stale_ms (500 ms) to be marked used.
	 */
	weir_neigh_timer(&dp, t0 + ms(8000));
	assert_non_null(entry("10.0.0.2"));
	assert_int_equal(dp.neigh->gen, gen + 1);
	weir_neigh_timer(&dp, t0 + ms(8499));
	assert_non_null(entry("10.0.0.2"));
	assert_false(sent_request("10.0.0.2", true, &mac_a));
	weir_neigh_timer(&dp, t0 + ms(8500));
	assert_null(entry("10.0.0.2"));
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), -ENOENT);
	/* Workers drop the MACs they hold: the entry may come back with another. */
	assert_int_equal(dp.neigh->gen, gen + 2);
	assert_non_null(entry("10.0.0.10"));
}

/*
 * A stale neighbour that flows still send to is not forgotten when it is due: the
 * generation moves, a flow's next frame looks it up again, which marks it used; it is
 * then probed (unicast) and confirmed, as Linux does for a stale entry in use. One move
 * serves every entry that is stale by then.
 */
static void test_stale_in_use_is_probed_not_collected(void **state)
{
	struct rte_ether_addr mac;
	uint32_t keep = dp.neigh->nb_buckets * WEIR_NEIGH_WAYS / 8, gen, i;
	uint64_t t0 = ms(5);
	char ip[32];

	(void)state;
	/* Two clients, and more than an eighth of the room taken, all stale by 1 s. */
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, t0);
	arp_seen(0, "10.0.0.3", &mac_b, WEIR_EVF_ARP_FOR_US, t0);
	for (i = 0; i < keep; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", 10 + i);
		arp_seen(0, ip, &mac_b, WEIR_EVF_ARP_FOR_US, t0);
	}
	/* A flow looks 10.0.0.2 up once (its first frame) and keeps the MAC. */
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	weir_neigh_timer(&dp, t0 + ms(1000));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_STALE);
	assert_int_equal(entry("10.0.0.2")->used, 0);
	gen = dp.neigh->gen;
	/* Due for collection: one move of the generation for all of them. */
	weir_neigh_timer(&dp, t0 + ms(3000));
	assert_int_equal(dp.neigh->gen, gen + 1);
	assert_int_equal(dp.neigh->count, keep + 2);
	/* The flow sees the move and looks again, as l4_send() does. */
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	/* Marked, it is probed at once, unicast to the MAC it has. */
	weir_neigh_timer(&dp, t0 + ms(3001));
	assert_true(sent_request("10.0.0.2", true, &mac_a));
	assert_false(sent_request("10.0.0.2", true, &mac_a));
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_REPLY, t0 + ms(3002));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_REACHABLE);
	/*
	 * The others, which no flow looked up, go a quarter of gc_stale_ms after the move,
	 * down to an eighth of the room.
	 */
	weir_neigh_timer(&dp, t0 + ms(3499));
	assert_int_equal(dp.neigh->count, keep + 2);
	weir_neigh_timer(&dp, t0 + ms(3500));
	assert_int_equal(dp.neigh->count, keep);
	assert_int_equal(dp.neigh->gen, gen + 3);
	assert_non_null(entry("10.0.0.2"));
	/* The confirmed MAC did not change: the flow's copy stays good. */
	assert_true(rte_is_same_ether_addr(&entry("10.0.0.2")->mac, &mac_a));
}

/*
 * The generation moves when a MAC a worker may hold changes, not when an entry learns
 * its first one (a new client, a resolution completed): no lookup answered for it.
 */
static void test_generation_moves_only_for_a_known_mac(void **state)
{
	struct weir_event_msg ev = { .ip = ip4("10.1.0.11"), .type = WEIR_EVT_RESOLVE, .port = 1 };
	uint32_t gen = dp.neigh->gen;

	(void)state;
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, ms(1));
	weir_neigh_event(&dp, &ev, ms(2));
	assert_true(sent_request("10.1.0.11", false, NULL));
	arp_seen(1, "10.1.0.11", &mac_b, WEIR_EVF_ARP_REPLY, ms(3));
	assert_int_equal(entry("10.1.0.11")->state, WEIR_NEIGH_REACHABLE);
	/* Confirmed with the same MAC: nothing moves either. */
	arp_seen(0, "10.0.0.2", &mac_a, 0, ms(4));
	assert_int_equal(dp.neigh->gen, gen);
	/* A known neighbour moved: flows must look it up again. */
	arp_seen(0, "10.0.0.2", &mac_b, 0, ms(5));
	assert_int_equal(dp.neigh->gen, gen + 1);
}

static void test_used_stale_entry_is_reprobed(void **state)
{
	struct rte_ether_addr mac;
	uint64_t t0 = ms(5);

	(void)state;
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_FOR_US, t0);
	weir_neigh_timer(&dp, t0 + ms(1000));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_STALE);
	/* A worker relies on it: the lookup still answers and marks it used. */
	assert_int_equal(weir_neigh_lookup(dp.neigh, 0, ip4("10.0.0.2"), &mac), 0);
	weir_neigh_timer(&dp, t0 + ms(1001));
	/* The first probe is unicast to the known MAC (RFC 1122 2.3.2.1). */
	assert_true(sent_request("10.0.0.2", true, &mac_a));
	arp_seen(0, "10.0.0.2", &mac_a, WEIR_EVF_ARP_REPLY, t0 + ms(1002));
	assert_int_equal(entry("10.0.0.2")->state, WEIR_NEIGH_REACHABLE);
}

static void test_watched_neighbour_kept_fresh(void **state)
{
	uint64_t t0 = ms(20);

	(void)state;
	assert_int_equal(weir_neigh_watch(&dp, 0, ip4("10.0.0.254"), t0), 0);
	assert_true(sent_request("10.0.0.254", false, NULL));
	arp_seen(0, "10.0.0.254", &mac_b, WEIR_EVF_ARP_REPLY, t0 + ms(1));
	/* At 3/4 of reachable_ms a unicast refresh goes out, before the entry goes stale. */
	weir_neigh_timer(&dp, t0 + ms(1 + 749));
	assert_false(sent_request("10.0.0.254", true, &mac_b));
	weir_neigh_timer(&dp, t0 + ms(1 + 750));
	assert_true(sent_request("10.0.0.254", true, &mac_b));
	arp_seen(0, "10.0.0.254", &mac_b, WEIR_EVF_ARP_REPLY, t0 + ms(800));
	weir_neigh_timer(&dp, t0 + ms(1500));
	assert_int_equal(entry("10.0.0.254")->state, WEIR_NEIGH_REACHABLE);
}

static void test_watched_failure_is_retried(void **state)
{
	uint64_t t0 = ms(20);

	(void)state;
	assert_int_equal(weir_neigh_watch(&dp, 1, ip4("10.1.0.99"), t0), 0);
	assert_true(sent_request("10.1.0.99", false, NULL));
	weir_neigh_timer(&dp, t0 + ms(100));
	weir_neigh_timer(&dp, t0 + ms(200));
	weir_neigh_timer(&dp, t0 + ms(300));
	while (sent_request("10.1.0.99", false, NULL))
		;
	assert_int_equal(entry("10.1.0.99")->state, WEIR_NEIGH_FAILED);
	/* Watched: after the pause it starts over instead of being forgotten. */
	weir_neigh_timer(&dp, t0 + ms(600));
	assert_int_equal(entry("10.1.0.99")->state, WEIR_NEIGH_INCOMPLETE);
	assert_true(sent_request("10.1.0.99", false, NULL));
	/* Once it answers it is usable. */
	arp_seen(1, "10.1.0.99", &mac_a, WEIR_EVF_ARP_REPLY, t0 + ms(610));
	assert_int_equal(entry("10.1.0.99")->state, WEIR_NEIGH_REACHABLE);
}

static void test_full_bucket_evicts_oldest_unwatched(void **state)
{
	char ip[32];
	unsigned int i, created = 0;

	(void)state;
	/* More addresses than the table holds (64): it never grows beyond capacity. */
	for (i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%u", 2 + i);
		arp_seen(0, ip, &mac_a, WEIR_EVF_ARP_FOR_US, ms(1 + i));
		created++;
	}
	assert_true(created > 64);
	assert_true(dp.neigh->count <= dp.neigh->nb_buckets * WEIR_NEIGH_WAYS);
	assert_true(dp.neigh->evicted > 0);
	/* The newest one is there. */
	assert_non_null(entry(ip));
}

static void test_permanent_entry(void **state)
{
	struct rte_ether_addr mac;
	uint64_t t0 = ms(5);

	(void)state;
	assert_int_equal(weir_neigh_add_static(&dp, 1, ip4("10.1.0.77"), &mac_a, t0), 0);
	/* Usable at once, without a single ARP request. */
	assert_int_equal(weir_neigh_lookup(dp.neigh, 1, ip4("10.1.0.77"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	assert_false(sent_request("10.1.0.77", false, NULL));
	/* ARP from the wire does not replace it, watching it sends nothing, time ages
	 * nothing. */
	arp_seen(1, "10.1.0.77", &mac_b, WEIR_EVF_ARP_REPLY, t0 + ms(1));
	assert_int_equal(weir_neigh_watch(&dp, 1, ip4("10.1.0.77"), t0 + ms(2)), 0);
	weir_neigh_timer(&dp, t0 + ms(3600 * 1000));
	assert_false(sent_request("10.1.0.77", false, NULL));
	assert_int_equal(entry("10.1.0.77")->state, WEIR_NEIGH_PERMANENT);
	assert_int_equal(weir_neigh_lookup(dp.neigh, 1, ip4("10.1.0.77"), &mac), 0);
	assert_true(rte_is_same_ether_addr(&mac, &mac_a));
	assert_int_equal(strcmp(weir_neigh_state_name(WEIR_NEIGH_PERMANENT), "PERMANENT"), 0);
}

static void test_route(void **state)
{
	uint32_t nh;

	(void)state;
	assert_int_equal(weir_route(&dp, ip4("10.1.0.11"), &nh), 1);
	assert_int_equal(nh, ip4("10.1.0.11"));
	assert_int_equal(weir_route(&dp, ip4("10.0.0.7"), &nh), 0);
	assert_int_equal(nh, ip4("10.0.0.7"));
	/* Off every subnet: through the gateway on "client". */
	assert_int_equal(weir_route(&dp, ip4("192.0.2.1"), &nh), 0);
	assert_int_equal(nh, ip4("10.0.0.254"));
}

/*
 * A table of 64 entries holds 10 watched servers of one /24: the bucket hash must spread
 * the last octet (it keeps only bits 8..16 of the network-order address times a
 * constant, so every address of a /24 lands in one 8-way bucket).
 */
static void test_servers_of_one_subnet_fit(void **state)
{
	uint64_t t0 = ms(20);
	char ip[32];

	(void)state;
	for (int i = 11; i <= 20; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		if (weir_neigh_watch(&dp, 1, ip4(ip), t0) != 0)
			assert_int_equal(weir_neigh_watch(&dp, 1, ip4(ip), t0), 0);
	}
}

/*
 * Static neighbours go where the config loader expects them (net/neigh_hash.h): it
 * refuses a config whose static neighbours this table could not hold at start. Added
 * in order to an empty table of 64, 10.1.0.2 and on, each is refused exactly when the
 * loader's count says its bucket is full; 10.1.0.61 is the first (test_conf.c).
 */
static void test_static_neighbours_placed_as_the_loader_counts(void **state)
{
	uint8_t fill[8] = { 0 };
	uint32_t first_refused = 0;
	char ip[32];

	(void)state;
	assert_int_equal(dp.neigh->nb_buckets, weir_neigh_nb_buckets(64));
	for (uint32_t a = 0x0a010002; a <= 0x0a010041; a++) {
		uint32_t b = weir_neigh_bucket(a, dp.neigh->nb_buckets);
		int rc;

		snprintf(ip, sizeof(ip), "10.1.0.%u", a & 0xff);
		rc = weir_neigh_add_static(&dp, 1, ip4(ip), &mac_a, ms(20));
		assert_int_equal(rc, fill[b] < WEIR_NEIGH_WAYS ? 0 : -ENOSPC);
		if (rc == 0)
			fill[b]++;
		else if (first_refused == 0)
			first_refused = a;
	}
	assert_int_equal(first_refused, 0x0a01003d); /* 10.1.0.61 */
}

/*
 * TSC cycles and milliseconds convert exactly for as long as a TSC counts, not only for
 * the first 70 days (2^64 / 1000 cycles at 3 GHz), past which tsc * 1000 overflowed.
 */
static void test_tsc_ms_conversions_do_not_overflow(void **state)
{
	struct weir_dp d = { .tsc_hz = 3000000000ull };
	uint64_t big = 1ull << 62; /* 48 years at 3 GHz */

	(void)state;
	assert_int_equal(weir_tsc_to_ms(&d, big), big / 3000000);
	assert_int_equal(weir_ms_to_tsc(&d, big / 3000000), big / 3000000 * 3000000);
	assert_int_equal(weir_tsc_to_ms(&d, 4500000), 1);
	assert_int_equal(weir_ms_to_tsc(&d, 1500), 4500000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsc_ms_conversions_do_not_overflow),
		cmocka_unit_test_setup(test_request_for_us_creates_entry, reset),
		cmocka_unit_test_setup(test_unsolicited_arp_does_not_create, reset),
		cmocka_unit_test_setup(test_existing_entry_updated_by_any_arp, reset),
		cmocka_unit_test_setup(test_address_conflict_is_not_learned, reset),
		cmocka_unit_test_setup(test_resolution_retries_then_fails, reset),
		cmocka_unit_test_setup(test_reply_completes_resolution, reset),
		cmocka_unit_test_setup(test_ageing_stale_then_collected, reset),
		cmocka_unit_test_setup(test_stale_in_use_is_probed_not_collected, reset),
		cmocka_unit_test_setup(test_generation_moves_only_for_a_known_mac, reset),
		cmocka_unit_test_setup(test_used_stale_entry_is_reprobed, reset),
		cmocka_unit_test_setup(test_watched_neighbour_kept_fresh, reset),
		cmocka_unit_test_setup(test_watched_failure_is_retried, reset),
		cmocka_unit_test_setup(test_full_bucket_evicts_oldest_unwatched, reset),
		cmocka_unit_test_setup(test_permanent_entry, reset),
		cmocka_unit_test_setup(test_route, reset),
		cmocka_unit_test_setup(test_servers_of_one_subnet_fit, reset),
		cmocka_unit_test_setup(test_static_neighbours_placed_as_the_loader_counts, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
