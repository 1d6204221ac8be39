/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the balancing algorithms: shares, order, load response, Maglev stability. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "sched/sched.h"

#define MAX_SRV 16

/*
 * Tolerances used below, and why:
 * - Random draws (random without counts, source over many clients, maglev over random
 *   hashes, random's two-choice odds): a count of N picks with chance p has a standard
 *   deviation of sqrt(N p (1 - p)); each share must lie within 5 of them (relative:
 *   5 * sqrt((1 - p) / (N p))). The generators are seeded, so runs are reproducible; 5
 *   sigma keeps the tests meaningful should a seed or hash change.
 * - Load-driven algorithms (leastconn, random, leasttime) in a closed simulation where
 *   each pick replaces a uniformly chosen active flow: shares equal the mean flow counts,
 *   which the algorithm keeps proportional to weight up to its (conns + 1) bias of about
 *   1/K per server for K flows per weight unit, plus sampling noise: 3% relative.
 * - Maglev table entries: within 2% relative of the weight share (the design's bound;
 *   measured deviations are far smaller, see test_maglev_shares).
 * - Round robin and WRR are deterministic: exact counts.
 */
#define SIM_TOL    0.03
#define MAGLEV_TOL 0.02

/* A test PRNG independent of the library's (SplitMix64). */
static uint64_t test_rng = 42;

static uint64_t trand(void)
{
	uint64_t z = (test_rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Servers with ids 0..n-1, the given weights and keys named after backend "be". */
static void mk_srv(struct weir_sched_server *srv, const uint32_t *w, uint32_t n)
{
	char name[16];
	uint32_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		srv[i].id = i;
		srv[i].weight = w[i];
		srv[i].key = weir_sched_key("be", name);
	}
}

static struct weir_sched_view *mk_view(enum weir_balance algo, const uint32_t *w, uint32_t n,
				       uint64_t gen)
{
	struct weir_sched_server srv[MAX_SRV];
	struct weir_sched_view *v;

	mk_srv(srv, w, n);
	v = weir_sched_view_create(algo, srv, n, 0, gen);
	assert_non_null(v);
	return v;
}

/*
 * Assert each server's share of @total picks is within @tol (relative) of its weight
 * share; prints the largest deviation seen. @counts is indexed like @w.
 */
static void assert_shares(const char *what, const uint64_t *counts, const uint32_t *w, uint32_t n,
			  uint64_t total, double tol)
{
	double wsum = 0, worst = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		wsum += w[i];
	for (i = 0; i < n; i++) {
		double expect = w[i] / wsum, got = (double)counts[i] / (double)total;
		double dev = fabs(got / expect - 1);

		if (dev > worst)
			worst = dev;
		if (dev > tol)
			fail_msg("%s: server %u share %.4f, weight share %.4f (deviation %.4f > "
				 "%.4f)",
				 what, i, got, expect, dev, tol);
	}
	print_message("  %s: largest relative share deviation %.4f (tolerance %.4f)\n", what, worst,
		      tol);
}

/* 5 standard deviations, relative, of a count of @total picks with chance @p. */
static double five_sigma(double p, uint64_t total)
{
	return 5 * sqrt((1 - p) / ((double)total * p));
}

/* The binomial tolerance of the smallest weight share among @w. */
static double binomial_tol(const uint32_t *w, uint32_t n, uint64_t total)
{
	double wsum = 0, wmin = w[0];
	uint32_t i;

	for (i = 0; i < n; i++) {
		wsum += w[i];
		if (w[i] < wmin)
			wmin = w[i];
	}
	return five_sigma(wmin / wsum, total);
}

/*
 * Closed-system simulation: @k flows stay active; each step ends a uniformly chosen one
 * and picks a server for its replacement (conns follows every pick and release). After a
 * warm-up of 10 * @k steps, counts @steps picks per server in @counts (by id). @ewma may
 * be NULL.
 */
static void simulate(const struct weir_sched_view *v, const uint32_t *ewma, uint32_t k,
		     uint64_t steps, uint64_t *counts)
{
	struct weir_sched_state st;
	uint32_t conns[MAX_SRV] = { 0 };
	struct weir_sched_load load = { .conns = conns, .ewma_us = ewma };
	uint32_t *flows = calloc(k, sizeof(*flows));
	uint64_t s;
	uint32_t i;

	assert_non_null(flows);
	assert_int_equal(weir_sched_state_init(&st, MAX_SRV, 7), 0);
	for (i = 0; i < k; i++) {
		int p = weir_sched_pick(v, &st, &load, (uint32_t)trand(), 0);

		assert_true(p >= 0);
		flows[i] = v->srv[p].id;
		conns[flows[i]]++;
	}
	memset(counts, 0, sizeof(*counts) * v->max_id);
	for (s = 0; s < steps + 10ull * k; s++) {
		uint32_t j = (uint32_t)(trand() % k);
		int p;

		conns[flows[j]]--;
		p = weir_sched_pick(v, &st, &load, (uint32_t)trand(), 0);
		assert_true(p >= 0);
		flows[j] = v->srv[p].id;
		conns[flows[j]]++;
		if (s >= 10ull * k)
			counts[flows[j]]++;
	}
	weir_sched_state_fini(&st);
	free(flows);
}

/* ---- registry and helpers ---- */

static void test_ops_registry(void **state)
{
	static const char *const names[WEIR_BALANCE_MAX] = {
		"roundrobin", "wrr", "leastconn", "random", "source", "maglev", "leasttime",
	};
	int a;

	(void)state;
	for (a = 0; a < WEIR_BALANCE_MAX; a++) {
		const struct weir_sched_ops *ops = weir_sched_ops_get((enum weir_balance)a);

		assert_non_null(ops);
		assert_int_equal(ops->algo, a);
		assert_string_equal(ops->name, names[a]);
		assert_non_null(ops->pick);
	}
	assert_null(weir_sched_ops_get(WEIR_BALANCE_MAX));
	assert_null(weir_sched_ops_get((enum weir_balance) - 1));
	assert_non_null(weir_sched_maglev_ops.build);
}

static void test_is_prime(void **state)
{
	static const uint32_t primes[] = { 2, 3, 5, 7, 251, 65537, 1048573, 4294967291u };
	static const uint32_t composites[] = {
		0,     1,     4,       9,           25,          49,
		65535, 65541, 1048575, 4294967295u, 4294049777u, /* 65521 * 65537 */
	};
	static bool sieve[100000];
	uint32_t i, j;

	(void)state;
	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		assert_true(weir_sched_is_prime(primes[i]));
	for (i = 0; i < sizeof(composites) / sizeof(composites[0]); i++)
		assert_false(weir_sched_is_prime(composites[i]));
	/* Agrees with a sieve on every number below 100000. */
	for (i = 2; i < 100000; i++)
		sieve[i] = true;
	for (i = 2; i * i < 100000; i++)
		if (sieve[i])
			for (j = i * i; j < 100000; j += i)
				sieve[j] = false;
	for (i = 0; i < 100000; i++)
		assert_int_equal(weir_sched_is_prime(i), sieve[i]);
}

static void test_key(void **state)
{
	(void)state;
	/* Pinned: Maglev tables depend on these, so a change would remap every flow. */
	assert_true(weir_sched_key("be", "s0") == UINT64_C(0x3481c74a2a90d53b));
	assert_true(weir_sched_key("web", "app1") == UINT64_C(0x8ecfbc18a4495c30));
	assert_true(weir_sched_key("", "") == UINT64_C(0x25fc6dd36ce04b20));
	assert_true(weir_sched_key("web", "app1") == weir_sched_key("web", "app1"));
	assert_true(weir_sched_key("web", "app1") != weir_sched_key("web", "app2"));
	assert_true(weir_sched_key("ab", "c") != weir_sched_key("a", "bc"));
	assert_true(weir_sched_key(NULL, "x") == weir_sched_key("", "x"));
	assert_true(weir_sched_key("web", "app1") != weir_sched_key("api", "app1"));
}

static void test_ratio_cmp(void **state)
{
	(void)state;
	assert_int_equal(weir_sched_ratio_cmp(3, 2, 3, 2), 0);
	assert_int_equal(weir_sched_ratio_cmp(6, 4, 3, 2), 0);
	assert_true(weir_sched_ratio_cmp(1, 2, 1, 3) > 0);
	assert_true(weir_sched_ratio_cmp(1, 3, 1, 2) < 0);
	/* Products beyond 64 bits. */
	assert_true(weir_sched_ratio_cmp(UINT64_MAX, UINT32_MAX, UINT64_MAX, UINT32_MAX - 1) < 0);
	assert_true(weir_sched_ratio_cmp(UINT64_MAX, 1, UINT64_MAX - 1, 1) > 0);
	assert_int_equal(weir_sched_ratio_cmp(UINT64_MAX, UINT32_MAX, UINT64_MAX, UINT32_MAX), 0);
	assert_true(weir_sched_ratio_cmp((uint64_t)1 << 63, 3, ((uint64_t)1 << 63) + 1, 3) < 0);
}

static void test_ewma(void **state)
{
	uint32_t e = 0;
	int i;

	(void)state;
	weir_sched_ewma_update(&e, 1000);
	assert_int_equal(e, 1000); /* first sample as is */
	weir_sched_ewma_update(&e, 2000);
	assert_int_equal(e, 1125); /* 1000 + (2000 - 1000) / 8 */
	weir_sched_ewma_update(&e, 1125 - 800);
	assert_int_equal(e, 1025); /* 1125 - 800 / 8 */
	/* Converges exactly to a steady sample, from above and from below. */
	for (i = 0; i < 200; i++)
		weir_sched_ewma_update(&e, 300);
	assert_int_equal(e, 300);
	for (i = 0; i < 200; i++)
		weir_sched_ewma_update(&e, 310);
	assert_int_equal(e, 310);
	/* A 0 us sample does not turn the average back into "unknown". */
	e = 0;
	weir_sched_ewma_update(&e, 0);
	assert_int_equal(e, 1);
	for (i = 0; i < 10; i++)
		weir_sched_ewma_update(&e, 0);
	assert_int_equal(e, 1);
	e = UINT32_MAX;
	weir_sched_ewma_update(&e, UINT32_MAX);
	assert_int_equal(e, UINT32_MAX);
}

static void test_view_errors(void **state)
{
	struct weir_sched_server srv[3];
	static const uint32_t w[3] = { 1, 1, 1 };
	struct weir_sched_view *v;

	(void)state;
	mk_srv(srv, w, 3);
	errno = 0;
	assert_null(weir_sched_view_create(WEIR_BALANCE_MAX, srv, 3, 0, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(weir_sched_view_create(WEIR_BALANCE_WRR, NULL, 3, 0, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 3, 65535, 1));
	assert_int_equal(errno, EINVAL);
	srv[1].weight = 0;
	assert_null(weir_sched_view_create(WEIR_BALANCE_WRR, srv, 3, 0, 1));
	assert_int_equal(errno, EINVAL);
	srv[1].weight = 1;
	srv[2].id = 0; /* duplicate id */
	assert_null(weir_sched_view_create(WEIR_BALANCE_WRR, srv, 3, 0, 1));
	assert_int_equal(errno, EINVAL);
	srv[2].id = UINT32_MAX;
	assert_null(weir_sched_view_create(WEIR_BALANCE_WRR, srv, 3, 0, 1));
	assert_int_equal(errno, EINVAL);
	srv[2].id = 9;
	srv[0].weight = srv[1].weight = UINT32_MAX / 2 + 1;
	assert_null(weir_sched_view_create(WEIR_BALANCE_WRR, srv, 3, 0, 1));
	assert_int_equal(errno, ERANGE);
	srv[0].weight = srv[1].weight = 2;

	/* A good one: cumulative weights, max_id, the Maglev size only with Maglev. */
	v = weir_sched_view_create(WEIR_BALANCE_WRR, srv, 3, 251, 1);
	assert_non_null(v);
	assert_int_equal(v->total_weight, 5);
	assert_int_equal(v->cum[0], 2);
	assert_int_equal(v->cum[1], 4);
	assert_int_equal(v->cum[2], 5);
	assert_int_equal(v->max_id, 10);
	assert_int_equal(v->maglev_size, 0);
	assert_null(v->maglev);
	weir_sched_view_free(v);
	v = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 3, 0, 1);
	assert_non_null(v);
	assert_int_equal(v->maglev_size, WEIR_SCHED_MAGLEV_DEFAULT);
	weir_sched_view_free(v);
	weir_sched_view_free(NULL);
}

/* Every algorithm returns -1 on a view without eligible servers. */
static void test_empty_view(void **state)
{
	struct weir_sched_state st;
	uint32_t conns[1] = { 0 }, ewma[1] = { 0 };
	struct weir_sched_load load = { .conns = conns, .ewma_us = ewma };
	int a, i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 4, 1), 0);
	for (a = 0; a < WEIR_BALANCE_MAX; a++) {
		struct weir_sched_view *v =
			weir_sched_view_create((enum weir_balance)a, NULL, 0, 0, (uint64_t)a + 1);

		assert_non_null(v);
		assert_int_equal(v->nb, 0);
		assert_int_equal(v->max_id, 0);
		for (i = 0; i < 3; i++) {
			assert_int_equal(weir_sched_pick(v, &st, &load, 1234, 0x0100000a), -1);
			assert_int_equal(weir_sched_pick(v, &st, NULL, 1234, 0x0100000a), -1);
			assert_int_equal(v->algo, a);
			assert_int_equal(weir_sched_ops_get(v->algo)->pick(v, &st, &load, 1, 1),
					 -1);
		}
		weir_sched_view_free(v);
	}
	weir_sched_state_fini(&st);
}

/* ---- roundrobin ---- */

static void test_rr(void **state)
{
	static const uint32_t w[4] = { 1, 5, 2, 9 }; /* ignored */
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_ROUNDROBIN, w, 4, 1);
	struct weir_sched_state st;
	uint64_t counts[4] = { 0 };
	int first, prev, i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 4, 3), 0);
	first = prev = weir_sched_pick(v, &st, NULL, 0, 0);
	counts[first]++;
	/* Exact rotation: each pick is the next server, wrapping. */
	for (i = 1; i < 40000; i++) {
		int p = weir_sched_pick(v, &st, NULL, (uint32_t)trand(), (uint32_t)trand());

		assert_int_equal(p, (prev + 1) % 4);
		counts[p]++;
		prev = p;
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(counts[i], 10000); /* equal shares: weights ignored */
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

/* Workers (states with different seeds) start the rotation at different places. */
static void test_rr_workers_spread(void **state)
{
	static const uint32_t w[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_ROUNDROBIN, w, 8, 1);
	bool seen[8] = { false };
	int nseen = 0, i;

	(void)state;
	for (i = 0; i < 16; i++) {
		struct weir_sched_state st;
		int p;

		assert_int_equal(weir_sched_state_init(&st, 8, (uint64_t)i), 0);
		p = weir_sched_pick(v, &st, NULL, 0, 0);
		if (!seen[p])
			nseen++;
		seen[p] = true;
		weir_sched_state_fini(&st);
	}
	assert_true(nseen >= 4);
	weir_sched_view_free(v);
}

/* ---- wrr ---- */

static void test_wrr_smooth_sequence(void **state)
{
	static const uint32_t w[3] = { 5, 1, 1 };
	static const int expect[7] = { 0, 0, 1, 0, 2, 0, 0 }; /* a,a,b,a,c,a,a */
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_WRR, w, 3, 1);
	struct weir_sched_state st;
	int cycle, i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 3, 99), 0);
	for (cycle = 0; cycle < 5; cycle++)
		for (i = 0; i < 7; i++)
			assert_int_equal(weir_sched_pick(v, &st, NULL, 0, 0), expect[i]);
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

/*
 * Exact counts in every cycle of total_weight picks, and smoothness: after t picks a
 * server has been chosen within WRR_LAG of t * weight / total times.
 */
#define WRR_LAG 1.0
static void test_wrr_counts_and_lag(void **state)
{
	static const uint32_t sets[][6] = {
		{ 3, 7, 1, 4, 5, 0 },   { 1, 1, 1, 1, 1, 1 },       { 100, 1, 1, 1, 1, 0 },
		{ 2, 3, 5, 7, 11, 13 }, { 256, 255, 1, 128, 0, 0 },
	};
	uint32_t s;
	double worst = 0;

	(void)state;
	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct weir_sched_state st;
		struct weir_sched_view *v;
		uint64_t cyc[6], tot[6] = { 0 };
		uint32_t n = 0, W = 0, i, c, t = 0;

		while (n < 6 && sets[s][n] != 0)
			W += sets[s][n++];
		v = mk_view(WEIR_BALANCE_WRR, sets[s], n, 1);
		assert_int_equal(weir_sched_state_init(&st, n, s), 0);
		for (c = 0; c < 20; c++) {
			memset(cyc, 0, sizeof(cyc));
			for (i = 0; i < W; i++) {
				int p = weir_sched_pick(v, &st, NULL, 0, 0);
				uint32_t j;

				cyc[p]++;
				tot[p]++;
				t++;
				for (j = 0; j < n; j++) {
					double lag =
						fabs((double)tot[j] - (double)t * sets[s][j] / W);

					if (lag > worst)
						worst = lag;
				}
			}
			for (i = 0; i < n; i++)
				assert_int_equal(cyc[i], sets[s][i]);
		}
		weir_sched_state_fini(&st);
		weir_sched_view_free(v);
	}
	print_message("  wrr: largest lag behind/ahead of the ideal share %.3f picks\n", worst);
	assert_true(worst < WRR_LAG + 1e-9);
}

/* A state too small for the view still gives exact per-cycle counts (in runs). */
static void test_wrr_small_state(void **state)
{
	static const uint32_t w[3] = { 2, 1, 3 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_WRR, w, 3, 1);
	struct weir_sched_state st;
	uint64_t cyc[3];
	int c, i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 2, 5), 0);
	for (c = 0; c < 10; c++) {
		memset(cyc, 0, sizeof(cyc));
		for (i = 0; i < 6; i++)
			cyc[weir_sched_pick(v, &st, NULL, 0, 0)]++;
		/* A cycle may start mid-way, but 6 consecutive picks still cover each once. */
		for (i = 0; i < 3; i++)
			assert_int_equal(cyc[i], w[i]);
	}
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

/* A new view (gen) resets the worker's state; the same view does not. */
static void test_state_reset_on_gen(void **state)
{
	static const uint32_t w1[3] = { 5, 1, 1 }, w2[2] = { 1, 1 };
	static const int expect[7] = { 0, 0, 1, 0, 2, 0, 0 };
	struct weir_sched_view *a = mk_view(WEIR_BALANCE_WRR, w1, 3, 10);
	struct weir_sched_view *b = mk_view(WEIR_BALANCE_WRR, w1, 3, 11);
	struct weir_sched_view *c = mk_view(WEIR_BALANCE_WRR, w2, 2, 12);
	struct weir_sched_state st;
	int i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 3, 1), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(weir_sched_pick(a, &st, NULL, 0, 0), expect[i]);
	assert_true(st.gen == 10);
	/* Same servers, new gen: the sequence starts over. */
	for (i = 0; i < 7; i++)
		assert_int_equal(weir_sched_pick(b, &st, NULL, 0, 0), expect[i]);
	assert_true(st.gen == 11);
	/* Same view again: no reset, the sequence goes on (3 picks into the next cycle). */
	for (i = 0; i < 3; i++)
		assert_int_equal(weir_sched_pick(b, &st, NULL, 0, 0), expect[i]);
	for (i = 3; i < 7; i++)
		assert_int_equal(weir_sched_pick(b, &st, NULL, 0, 0), expect[i]);
	/* A smaller view: fresh weights, no leftovers from the larger one. */
	for (i = 0; i < 6; i++)
		assert_int_equal(weir_sched_pick(c, &st, NULL, 0, 0), i % 2);
	/* Back to a (an old gen differs from the current one): starts over too. */
	for (i = 0; i < 7; i++)
		assert_int_equal(weir_sched_pick(a, &st, NULL, 0, 0), expect[i]);
	weir_sched_state_fini(&st);
	weir_sched_view_free(a);
	weir_sched_view_free(b);
	weir_sched_view_free(c);
}

/* ---- leastconn ---- */

static void test_leastconn_follows_conns(void **state)
{
	static const uint32_t weq[3] = { 1, 1, 1 }, wdiff[2] = { 1, 3 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_LEASTCONN, weq, 3, 1);
	struct weir_sched_view *vw = mk_view(WEIR_BALANCE_LEASTCONN, wdiff, 2, 2);
	uint32_t conns[3] = { 5, 0, 5 };
	struct weir_sched_load load = { .conns = conns };
	struct weir_sched_state st;
	uint64_t counts[3] = { 0 };
	int i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 3, 1), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(weir_sched_pick(v, &st, &load, 0, 0), 1);
	/* Counting the picks: server 1 fills up to 5, then all three share. */
	for (i = 0; i < 5; i++) {
		assert_int_equal(weir_sched_pick(v, &st, &load, 0, 0), 1);
		conns[1]++;
	}
	for (i = 0; i < 300; i++) {
		int p = weir_sched_pick(v, &st, &load, 0, 0);

		conns[p]++;
		counts[p]++;
	}
	assert_int_equal(counts[0], 100);
	assert_int_equal(counts[1], 100);
	assert_int_equal(counts[2], 100);
	/* Ties without count updates rotate evenly. */
	memset(conns, 0, sizeof(conns));
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < 300; i++)
		counts[weir_sched_pick(v, &st, &load, 0, 0)]++;
	assert_int_equal(counts[0], 100);
	assert_int_equal(counts[1], 100);
	assert_int_equal(counts[2], 100);
	/* Weights: 10 flows on a weight-1 server weigh more than 10 on a weight-3 one. */
	conns[0] = 10;
	conns[1] = 10;
	assert_int_equal(weir_sched_pick(vw, &st, &load, 0, 0), 1);
	conns[1] = 32; /* 33/3 = 11 = 11/1: a tie, both get turns */
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < 10; i++)
		counts[weir_sched_pick(vw, &st, &load, 0, 0)]++;
	assert_int_equal(counts[0], 5);
	assert_int_equal(counts[1], 5);
	conns[1] = 33;
	assert_int_equal(weir_sched_pick(vw, &st, &load, 0, 0), 0);
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
	weir_sched_view_free(vw);
}

static void test_leastconn_shares(void **state)
{
	static const uint32_t w[5] = { 1, 2, 3, 4, 10 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_LEASTCONN, w, 5, 1);
	uint64_t counts[5];

	(void)state;
	/* 2000 flows: 100 per weight unit. */
	simulate(v, NULL, 2000, 200000, counts);
	assert_shares("leastconn", counts, w, 5, 200000, SIM_TOL);
	weir_sched_view_free(v);
}

/* ---- random (two choices) ---- */

static void test_random_shares(void **state)
{
	static const uint32_t w[5] = { 1, 2, 3, 4, 10 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_RANDOM, w, 5, 1);
	struct weir_sched_state st;
	uint64_t counts[5] = { 0 };
	int i;

	(void)state;
	simulate(v, NULL, 2000, 200000, counts);
	assert_shares("random (with flow counts)", counts, w, 5, 200000, SIM_TOL);
	/* Without counts: plain weighted random. */
	memset(counts, 0, sizeof(counts));
	assert_int_equal(weir_sched_state_init(&st, 5, 11), 0);
	for (i = 0; i < 200000; i++)
		counts[weir_sched_pick(v, &st, NULL, 0, 0)]++;
	assert_shares("random (no flow counts)", counts, w, 5, 200000, binomial_tol(w, 5, 200000));
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

/*
 * With fixed, distinct loads on 4 equal servers, the choice is the less loaded of two
 * uniform draws: the k-th least loaded wins with chance ((4-k)^2 - (3-k)^2) / 16.
 */
static void test_random_prefers_less_loaded(void **state)
{
	static const uint32_t w[4] = { 1, 1, 1, 1 };
	static const double expect[4] = { 1.0 / 16, 5.0 / 16, 3.0 / 16, 7.0 / 16 };
	uint32_t conns[4] = { 90, 20, 50, 3 }; /* ranks: 3, 1, 2, 0 */
	struct weir_sched_load load = { .conns = conns };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_RANDOM, w, 4, 1);
	struct weir_sched_state st;
	uint64_t counts[4] = { 0 };
	const uint64_t n = 400000;
	uint64_t i;
	int j;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 4, 21), 0);
	for (i = 0; i < n; i++)
		counts[weir_sched_pick(v, &st, &load, 0, 0)]++;
	for (j = 0; j < 4; j++) {
		double got = (double)counts[j] / (double)n;

		print_message("  random: server with %u flows chosen %.4f (expected %.4f)\n",
			      conns[j], got, expect[j]);
		assert_true(fabs(got / expect[j] - 1) <= five_sigma(expect[j], n));
	}
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

/* ---- source ---- */

static void test_source(void **state)
{
	static const uint32_t w[5] = { 1, 2, 3, 4, 10 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_SOURCE, w, 5, 1);
	struct weir_sched_state st1, st2;
	uint32_t conns[5] = { 0, 100, 0, 100, 0 };
	struct weir_sched_load load = { .conns = conns };
	uint64_t counts[5] = { 0 };
	const uint32_t n = 100000;
	uint32_t i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st1, 5, 1), 0);
	assert_int_equal(weir_sched_state_init(&st2, 5, 2), 0);
	for (i = 0; i < n; i++) {
		uint32_t client = htonl(0x0a000000u + i); /* 10.0.0.0 + i */
		int p = weir_sched_pick(v, &st1, NULL, (uint32_t)trand(), client);

		/* Same client: same server, whatever the flow hash, worker or load. */
		assert_int_equal(weir_sched_pick(v, &st2, &load, (uint32_t)trand(), client), p);
		assert_int_equal(weir_sched_pick(v, &st1, NULL, 0, client), p);
		counts[p]++;
	}
	assert_shares("source (100k clients)", counts, w, 5, n, binomial_tol(w, 5, n));
	weir_sched_state_fini(&st1);
	weir_sched_state_fini(&st2);
	weir_sched_view_free(v);
}

/* ---- maglev ---- */

/* Table entries by server id (not srv[] index, which shifts when servers come and go). */
static uint32_t *maglev_ids(const struct weir_sched_view *v)
{
	uint32_t *ids = malloc(sizeof(*ids) * v->maglev_size);
	uint32_t i;

	assert_non_null(ids);
	for (i = 0; i < v->maglev_size; i++)
		ids[i] = v->srv[v->maglev[i]].id;
	return ids;
}

static void test_maglev_table(void **state)
{
	static const uint32_t w[5] = { 1, 1, 1, 1, 1 };
	struct weir_sched_server srv[5];
	struct weir_sched_view *v, *v2;
	struct weir_sched_state st;
	uint32_t i;

	(void)state;
	mk_srv(srv, w, 5);
	v = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, 0, 1);
	v2 = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, 0, 2);
	assert_non_null(v);
	assert_non_null(v2);
	assert_true(weir_sched_is_prime(v->maglev_size));
	assert_int_equal(v->maglev_size, 65537);
	for (i = 0; i < v->maglev_size; i++)
		assert_true(v->maglev[i] < v->nb); /* every entry filled with a server */
	/* Deterministic: two builds from the same input give the same table. */
	assert_memory_equal(v->maglev, v2->maglev, sizeof(*v->maglev) * v->maglev_size);
	/* The lookup is the table entry of hash mod size, on any worker. */
	assert_int_equal(weir_sched_state_init(&st, 5, 1), 0);
	for (i = 0; i < 1000; i++) {
		uint32_t h = (uint32_t)trand();

		assert_int_equal(weir_sched_pick(v, &st, NULL, h, 0),
				 (int)v->maglev[h % v->maglev_size]);
		assert_int_equal(weir_sched_pick(v2, &st, NULL, h, 0),
				 weir_sched_pick(v, &st, NULL, h, 0));
	}
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
	weir_sched_view_free(v2);
}

static void test_maglev_shares(void **state)
{
	static const uint32_t w[5] = { 1, 2, 3, 4, 10 };
	static const uint32_t sizes[3] = { 65537, 251, 1048573 };
	struct weir_sched_server srv[5];
	struct weir_sched_state st;
	uint64_t counts[5];
	uint32_t s, i;
	const uint32_t n = 200000;

	(void)state;
	mk_srv(srv, w, 5);
	for (s = 0; s < 3; s++) {
		struct weir_sched_view *v =
			weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, sizes[s], 1);
		char what[64];

		assert_non_null(v);
		memset(counts, 0, sizeof(counts));
		for (i = 0; i < v->maglev_size; i++)
			counts[v->maglev[i]]++;
		snprintf(what, sizeof(what), "maglev entries, size %u", sizes[s]);
		/* 251 entries cannot show 1/20 to 2%: 12.55 entries round to 12 or 13. */
		assert_shares(what, counts, w, 5, v->maglev_size, s == 1 ? 0.05 : MAGLEV_TOL);
		weir_sched_view_free(v);
	}
	/* And the flows: shares over random hashes. */
	{
		struct weir_sched_view *v =
			weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, 0, 1);

		assert_non_null(v);
		memset(counts, 0, sizeof(counts));
		assert_int_equal(weir_sched_state_init(&st, 5, 1), 0);
		for (i = 0; i < n; i++)
			counts[weir_sched_pick(v, &st, NULL, (uint32_t)trand(), 0)]++;
		/* Table rounding (< 0.1%) plus binomial noise. */
		assert_shares("maglev flows", counts, w, 5, n, binomial_tol(w, 5, n) + 0.001);
		weir_sched_state_fini(&st);
		weir_sched_view_free(v);
	}
}

/*
 * Minimal disruption. With 5 equal servers, remove the middle one and measure, over all
 * entries of the table: the fraction whose server changed (the removed server's ~1/5
 * must move; asserted within [0.15, 0.25]) and, separately, the fraction of entries that
 * did not belong to the removed server yet moved (Maglev's extra churn; asserted below
 * 0.03). Adding the server back restores the identical table, also when it comes back
 * at another position of srv[].
 */
static void test_maglev_disruption(void **state)
{
	static const uint32_t w[5] = { 1, 1, 1, 1, 1 };
	struct weir_sched_server srv[5], fewer[4], back[5];
	struct weir_sched_view *v5, *v4, *vb, *vb2;
	uint32_t *ids5, *ids4, *idsb, *idsb2;
	uint32_t i, changed = 0, extra = 0, owned = 0, m;

	(void)state;
	mk_srv(srv, w, 5);
	memcpy(fewer, srv, sizeof(srv[0]) * 2);
	memcpy(fewer + 2, srv + 3, sizeof(srv[0]) * 2);
	v5 = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, 0, 1);
	v4 = weir_sched_view_create(WEIR_BALANCE_MAGLEV, fewer, 4, 0, 2);
	vb = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, 5, 0, 3);
	/* Back, but appended at the end. */
	memcpy(back, fewer, sizeof(fewer));
	back[4] = srv[2];
	vb2 = weir_sched_view_create(WEIR_BALANCE_MAGLEV, back, 5, 0, 4);
	assert_non_null(v5);
	assert_non_null(v4);
	assert_non_null(vb);
	assert_non_null(vb2);
	m = v5->maglev_size;
	ids5 = maglev_ids(v5);
	ids4 = maglev_ids(v4);
	idsb = maglev_ids(vb);
	idsb2 = maglev_ids(vb2);
	for (i = 0; i < m; i++) {
		assert_int_not_equal(ids4[i], 2);
		if (ids5[i] == 2)
			owned++;
		if (ids5[i] != ids4[i]) {
			changed++;
			if (ids5[i] != 2)
				extra++;
		}
	}
	print_message("  maglev: removing 1 of 5 changed %.4f of the entries: %.4f were the "
		      "removed server's, %.4f others'\n",
		      (double)changed / m, (double)owned / m, (double)extra / m);
	assert_true((double)changed / m >= 0.15 && (double)changed / m <= 0.25);
	assert_true((double)extra / m < 0.03);
	assert_memory_equal(ids5, idsb, sizeof(*ids5) * m);
	assert_memory_equal(ids5, idsb2, sizeof(*ids5) * m);
	free(ids5);
	free(ids4);
	free(idsb);
	free(idsb2);
	weir_sched_view_free(v5);
	weir_sched_view_free(v4);
	weir_sched_view_free(vb);
	weir_sched_view_free(vb2);
}

/* Removing 1 of 16 weighted servers: extra churn stays small with weights too. */
static void test_maglev_disruption_weighted(void **state)
{
	uint32_t w[MAX_SRV], i, changed = 0, extra = 0, m;
	struct weir_sched_server srv[MAX_SRV], fewer[MAX_SRV];
	struct weir_sched_view *a, *b;

	(void)state;
	for (i = 0; i < MAX_SRV; i++)
		w[i] = 1 + i % 4; /* 1..4; the heaviest stay, so the quota pace holds */
	mk_srv(srv, w, MAX_SRV);
	memcpy(fewer, srv, sizeof(srv));
	fewer[5] = srv[MAX_SRV - 1]; /* drop server 5 (weight 2) */
	a = weir_sched_view_create(WEIR_BALANCE_MAGLEV, srv, MAX_SRV, 0, 1);
	b = weir_sched_view_create(WEIR_BALANCE_MAGLEV, fewer, MAX_SRV - 1, 0, 2);
	assert_non_null(a);
	assert_non_null(b);
	m = a->maglev_size;
	for (i = 0; i < m; i++) {
		uint32_t x = a->srv[a->maglev[i]].id, y = b->srv[b->maglev[i]].id;

		if (x != y) {
			changed++;
			if (x != 5)
				extra++;
		}
	}
	print_message("  maglev: removing 1 of %u weighted servers (%.4f of the weight) changed "
		      "%.4f of the entries, %.4f of them other servers'\n",
		      MAX_SRV, 2.0 / 40, (double)changed / m, (double)extra / m);
	assert_true((double)extra / m < 0.03);
	weir_sched_view_free(a);
	weir_sched_view_free(b);
}

static void test_maglev_populate_errors(void **state)
{
	static const uint32_t w[2] = { 1, 1 };
	struct weir_sched_server srv[2];
	uint32_t table[7];

	(void)state;
	mk_srv(srv, w, 2);
	assert_int_equal(maglev_populate(table, 8, srv, 2), -EINVAL);
	assert_int_equal(maglev_populate(table, 7, srv, 0), -EINVAL);
	assert_int_equal(maglev_populate(NULL, 7, srv, 2), -EINVAL);
	srv[0].weight = 0;
	assert_int_equal(maglev_populate(table, 7, srv, 2), -EINVAL);
	srv[0].weight = 1;
	assert_int_equal(maglev_populate(table, 7, srv, 2), 0);
	/* More servers than entries: every entry still names a server. */
	assert_int_equal(maglev_populate(table, 2, srv, 2), 0);
	assert_true(table[0] < 2 && table[1] < 2 && table[0] != table[1]);
}

/* ---- leasttime ---- */

static void test_leasttime_fastest(void **state)
{
	static const uint32_t w[3] = { 1, 1, 1 };
	uint32_t ewma[3] = { 500, 100, 300 }, conns[3] = { 0 };
	struct weir_sched_load load = { .conns = conns, .ewma_us = ewma };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_LEASTTIME, w, 3, 1);
	struct weir_sched_state st;
	uint64_t counts[3];
	int i;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 3, 1), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(weir_sched_pick(v, &st, &load, 0, 0), 1);
	/* Load counts: 100 * (2 + 1) = 300 ties with 300 * 1, and 100 * 4 beats 500 * 1. */
	conns[1] = 2;
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < 10; i++)
		counts[weir_sched_pick(v, &st, &load, 0, 0)]++;
	assert_int_equal(counts[1], 5);
	assert_int_equal(counts[2], 5);
	/* Under a simulated load the fast server carries most flows, the slow one least. */
	simulate(v, ewma, 90, 100000, counts);
	print_message("  leasttime: ewma 500/100/300 us: shares %.3f/%.3f/%.3f\n", counts[0] / 1e5,
		      counts[1] / 1e5, counts[2] / 1e5);
	assert_true(counts[1] > 50000);
	assert_true(counts[1] > counts[2] && counts[2] > counts[0] && counts[0] > 0);
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

static void test_leasttime_probes_unknown(void **state)
{
	static const uint32_t w[4] = { 1, 1, 1, 1 };
	uint32_t ewma[4] = { 100, 0, 200, 0 }, conns[4] = { 0, 7, 0, 3 };
	struct weir_sched_load load = { .conns = conns, .ewma_us = ewma };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_LEASTTIME, w, 4, 1);
	struct weir_sched_state st;
	int p;

	(void)state;
	assert_int_equal(weir_sched_state_init(&st, 4, 1), 0);
	/* Unsampled servers first, the less loaded of them before the other. */
	p = weir_sched_pick(v, &st, &load, 0, 0);
	assert_int_equal(p, 3);
	weir_sched_ewma_update(&ewma[3], 400);
	p = weir_sched_pick(v, &st, &load, 0, 0);
	assert_int_equal(p, 1);
	weir_sched_ewma_update(&ewma[1], 50);
	/* All sampled: the lowest ewma * (conns + 1): 100 * 1 beats 50 * 8. */
	p = weir_sched_pick(v, &st, &load, 0, 0);
	assert_int_equal(p, 0);
	/* Without any samples it behaves like leastconn. */
	load.ewma_us = NULL;
	conns[0] = 4;
	conns[2] = 1;
	assert_int_equal(weir_sched_pick(v, &st, &load, 0, 0), 2);
	weir_sched_state_fini(&st);
	weir_sched_view_free(v);
}

static void test_leasttime_shares(void **state)
{
	static const uint32_t w[5] = { 1, 2, 3, 4, 10 };
	uint32_t ewma[5] = { 250, 250, 250, 250, 250 };
	struct weir_sched_view *v = mk_view(WEIR_BALANCE_LEASTTIME, w, 5, 1);
	uint64_t counts[5];

	(void)state;
	/* Equal connect times: shares follow the weights, like leastconn. */
	simulate(v, ewma, 2000, 200000, counts);
	assert_shares("leasttime (equal ewma)", counts, w, 5, 200000, SIM_TOL);
	weir_sched_view_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_registry),
		cmocka_unit_test(test_is_prime),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_ratio_cmp),
		cmocka_unit_test(test_ewma),
		cmocka_unit_test(test_view_errors),
		cmocka_unit_test(test_empty_view),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_rr_workers_spread),
		cmocka_unit_test(test_wrr_smooth_sequence),
		cmocka_unit_test(test_wrr_counts_and_lag),
		cmocka_unit_test(test_wrr_small_state),
		cmocka_unit_test(test_state_reset_on_gen),
		cmocka_unit_test(test_leastconn_follows_conns),
		cmocka_unit_test(test_leastconn_shares),
		cmocka_unit_test(test_random_shares),
		cmocka_unit_test(test_random_prefers_less_loaded),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_maglev_table),
		cmocka_unit_test(test_maglev_shares),
		cmocka_unit_test(test_maglev_disruption),
		cmocka_unit_test(test_maglev_disruption_weighted),
		cmocka_unit_test(test_maglev_populate_errors),
		cmocka_unit_test(test_leasttime_fastest),
		cmocka_unit_test(test_leasttime_probes_unknown),
		cmocka_unit_test(test_leasttime_shares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
