/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the test fault injector. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>

#include <cmocka.h>

#include "core/fault.h"
#include "core/worker.h"
#include "fixture.h"

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

/* @n frames whose first byte numbers them. */
static void frames(struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t b[60] = { 0 };
	uint16_t i;

	for (i = 0; i < n; i++) {
		b[0] = (uint8_t)i;
		pkts[i] = fixture_mbuf(&dp, b, sizeof(b));
	}
}

static uint8_t id(struct rte_mbuf *m)
{
	return *rte_pktmbuf_mtod(m, uint8_t *);
}

static void test_rates_and_repeatability(void **state)
{
	struct weir_conf_fault c = { .enabled = true, .drop_ppm = 100000, .seed = 7 };
	struct weir_fault f1, f2;
	struct rte_mbuf *a[64], *b[64];
	unsigned int round, total = 0;
	uint16_t n1, n2, i;

	(void)state;
	weir_fault_init(&f1, &c, 0);
	weir_fault_init(&f2, &c, 0);
	for (round = 0; round < 200; round++) {
		frames(a, 32);
		frames(b, 32);
		n1 = weir_fault_apply(&f1, dp.pool, a, 32, 64);
		n2 = weir_fault_apply(&f2, dp.pool, b, 32, 64);
		/* Same seed, same worker: the same frames go. */
		assert_int_equal(n1, n2);
		for (i = 0; i < n1; i++)
			assert_int_equal(id(a[i]), id(b[i]));
		total += 32u - n1;
		rte_pktmbuf_free_bulk(a, n1);
		rte_pktmbuf_free_bulk(b, n2);
	}
	/* 10% of 6400: within 5 sigma (sigma = 24). */
	assert_true(total > 640 - 120 && total < 640 + 120);
	assert_int_equal(f1.dropped, total);
	/* Another worker draws another stream. */
	weir_fault_init(&f2, &c, 1);
	assert_int_not_equal(f1.rng, f2.rng);
}

static void test_duplicates_are_copies(void **state)
{
	struct weir_conf_fault c = { .enabled = true, .duplicate_ppm = 1000000, .seed = 1 };
	struct weir_fault f;
	struct rte_mbuf *p[64];
	uint16_t n, i;

	(void)state;
	weir_fault_init(&f, &c, 0);
	frames(p, 8);
	n = weir_fault_apply(&f, dp.pool, p, 8, 64);
	assert_int_equal(n, 16);
	for (i = 0; i < 8; i++) {
		assert_int_equal(id(p[2 * i]), i);
		assert_int_equal(id(p[2 * i + 1]), i);
		/* A copy of its own: rewriting one leaves the other intact. */
		assert_ptr_not_equal(p[2 * i]->buf_addr, p[2 * i + 1]->buf_addr);
	}
	rte_pktmbuf_free_bulk(p, n);
	/* Past the caller's room, extra copies are dropped and counted. */
	frames(p, 8);
	n = weir_fault_apply(&f, dp.pool, p, 8, 10);
	assert_int_equal(n, 10);
	rte_pktmbuf_free_bulk(p, n);
}

static void test_reorder_swaps_with_the_next(void **state)
{
	struct weir_conf_fault c = { .enabled = true, .reorder_ppm = 1000000, .seed = 3 };
	struct weir_fault f;
	struct rte_mbuf *p[64];
	uint16_t n;

	(void)state;
	weir_fault_init(&f, &c, 0);
	frames(p, 4);
	n = weir_fault_apply(&f, dp.pool, p, 4, 64);
	/* 0 held, 1 then 0; 2 held, 3 then 2. */
	assert_int_equal(n, 4);
	assert_int_equal(id(p[0]), 1);
	assert_int_equal(id(p[1]), 0);
	assert_int_equal(id(p[2]), 3);
	assert_int_equal(id(p[3]), 2);
	rte_pktmbuf_free_bulk(p, n);
	/* A frame held at the end of a burst comes with the next call, even an empty one. */
	frames(p, 1);
	assert_int_equal(weir_fault_apply(&f, dp.pool, p, 1, 64), 0);
	assert_int_equal(weir_fault_apply(&f, dp.pool, p, 0, 64), 1);
	assert_int_equal(id(p[0]), 0);
	rte_pktmbuf_free(p[0]);
}

/* ---- on a worker's TX ---- */

/* A frame held for reordering on TX goes out at the next flush, without more traffic. */
static void test_tx_held_frame_is_released_without_traffic(void **state)
{
	struct weir_worker *w = &dp.workers[0];
	struct weir_conf_fault c = { .enabled = true, .reorder_ppm = 1000000, .seed = 3 };
	uint8_t b[60] = { 0 };
	unsigned int avail, i;
	uint64_t before = fixture_drops(&dp, WEIR_DROP_TX_FULL);

	(void)state;
	weir_fault_init(&w->tx_fault[1], &c, 0);
	avail = rte_mempool_avail_count(dp.pool);
	weir_tx(w, 1, fixture_mbuf(&dp, b, sizeof(b)));
	/* Many loop iterations with nothing more to send. */
	for (i = 0; i < 100; i++)
		weir_tx_flush(w);
	print_message("held frame still held: %s; mbufs out: %d\n",
		      w->tx_fault[1].held != NULL ? "yes" : "no",
		      (int)avail - (int)rte_mempool_avail_count(dp.pool));
	/* Ports are not started here: a frame handed to the queue counts as tx_full. */
	assert_null(w->tx_fault[1].held);
	assert_int_equal(fixture_drops(&dp, WEIR_DROP_TX_FULL), before + 1);
	assert_int_equal(rte_mempool_avail_count(dp.pool), avail);
}

/* Duplicates count as sent once they are made; nothing taken back that was not counted. */
static void test_tx_duplicate_counters(void **state)
{
	struct weir_worker *w = &dp.workers[0];
	struct weir_conf_fault c = { .enabled = true, .duplicate_ppm = 1000000, .seed = 1 };
	uint8_t b[60] = { 0 };
	uint64_t pk = w->st.q[1].tx_pkts;

	(void)state;
	if (w->tx_fault[1].held != NULL) { /* left by the test above */
		rte_pktmbuf_free(w->tx_fault[1].held);
		w->tx_fault[1].held = NULL;
	}
	weir_fault_init(&w->tx_fault[1], &c, 0);
	weir_tx(w, 1, fixture_mbuf(&dp, b, sizeof(b)));
	weir_tx_flush(w);
	weir_fault_init(&w->tx_fault[1], &(struct weir_conf_fault){ 0 }, 0);
	print_message("tx_pkts before %" PRIu64 " after %" PRIu64 "\n", pk, w->st.q[1].tx_pkts);
	/* Nothing went out (the queue took nothing): the count must not go below where it was. */
	assert_true(w->st.q[1].tx_pkts == pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_repeatability),
		cmocka_unit_test(test_duplicates_are_copies),
		cmocka_unit_test(test_reorder_swaps_with_the_next),
		cmocka_unit_test(test_tx_held_frame_is_released_without_traffic),
		cmocka_unit_test(test_tx_duplicate_counters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
