/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the per-worker timer wheel: exactness, limits, callbacks, idle jumps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/timer.h"

#define HOUR     UINT64_C(3600000) /* ticks, at the dataplane's 1 ms */
#define NO_LIMIT UINT_MAX
#define START    UINT64_C(1000003) /* an unaligned start, so slots do not line up with 0 */
#ifndef PROP_TIMERS                /* larger values make a soak run: -DPROP_ROUNDS=100000 */
#define PROP_TIMERS 100000
#endif
#ifndef PROP_ROUNDS
#define PROP_ROUNDS 3000
#endif
#define ORDER_TIMERS 20000

/* ---- a seeded PRNG (splitmix64): every run of a seed sees the same sequence ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. The bias of a plain modulo does not matter here. */
static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* Seed from WEIR_TEST_SEED when set, so a failure can be replayed; prints the seed. */
static void seed_rng(uint64_t dflt)
{
	const char *s = getenv("WEIR_TEST_SEED");

	rng_state = s != NULL ? strtoull(s, NULL, 0) : dflt;
	print_message("seed %llu\n", (unsigned long long)rng_state);
}

/*
 * A distance drawn across every level of the wheel and beyond its range: a level (or
 * "beyond") is picked uniformly, then a distance inside it.
 */
static uint64_t rnd_distance(void)
{
	unsigned int l = (unsigned int)rnd_below(WEIR_TW_LEVELS + 1);

	if (l == WEIR_TW_LEVELS)
		return WEIR_TW_RANGE + rnd_below(4 * WEIR_TW_RANGE);
	return rnd_below(UINT64_C(1) << (WEIR_TW_LEVEL_BITS * (l + 1)));
}

/* ---- a test timer and the model of what it should do ---- */

struct ttimer {
	struct weir_timer t;
	uint64_t expire;   /* model: tick it is armed for */
	uint64_t arm_call; /* model: first advance call allowed to run it */
	uint64_t fired;    /* callbacks run */
	uint64_t last_fire_call;
	uint64_t armed_now;  /* the wheel's now when armed */
	bool armed;          /* model: pending */
	bool strict;         /* never late, even when g.exact is off */
	unsigned int action; /* what its callback does, ACT_* */
};

enum { ACT_NONE, ACT_REARM, ACT_CANCEL_OTHER, ACT_ARM_OTHER, ACT_MAX };

/* State the callbacks see: the wheel under test and the history of advance calls. */
static struct {
	struct weir_timer_wheel *tw;
	struct ttimer *timers;
	size_t n;
	uint64_t call;      /* index of the advance call running or about to run */
	uint64_t *call_now; /* now of each advance call */
	size_t calls_cap;
	bool exact; /* budget and moves unlimited: lateness must be 0 */
	bool in_call;
	uint64_t last_expire; /* for the ordering checks */
	uint64_t order_errors;
	uint64_t fires;
	uint64_t fires_by_level[WEIR_TW_LEVELS + 1]; /* by distance at arming; last: beyond */
} g;

/* Arm @tt in the wheel and in the model. */
static void model_arm(struct ttimer *tt, uint64_t expire)
{
	if (!tt->armed)
		tt->armed = true;
	tt->expire = expire;
	/* From a callback the running call may run it; otherwise the next call may. */
	tt->arm_call = g.call;
	tt->armed_now = g.tw->now;
	weir_timer_arm(g.tw, &tt->t, expire);
	assert_true(weir_timer_pending(&tt->t));
}

/* Cancel @tt in the wheel and in the model. */
static void model_cancel(struct ttimer *tt)
{
	tt->armed = false;
	weir_timer_cancel(g.tw, &tt->t);
	assert_false(weir_timer_pending(&tt->t));
}

/*
 * The checks every firing passes: the model has it armed (so each arming fires once),
 * now has reached its expiry (never early), and when nothing limits the wheel, no
 * earlier call since it was armed had reached its expiry (never late).
 */
static void check_fire(struct ttimer *tt, uint64_t now)
{
	uint64_t d;

	assert_true(g.in_call);
	assert_true(tt->armed);
	assert_false(weir_timer_pending(&tt->t));
	assert_int_equal(weir_timer_expire(&tt->t), tt->expire);
	assert_int_equal(now, g.call_now[g.call]);
	assert_true(now >= tt->expire);
	if ((g.exact || tt->strict) && g.call > tt->arm_call)
		assert_true(g.call_now[g.call - 1] < tt->expire);
	d = tt->expire > tt->armed_now ? tt->expire - tt->armed_now : 0;
	g.fires_by_level[d >= WEIR_TW_RANGE ? WEIR_TW_LEVELS
					    : (d < 64 ? 0 : (63 - __builtin_clzll(d)) / 6)]++;
	tt->armed = false;
	tt->fired++;
	tt->last_fire_call = g.call;
	g.fires++;
}

/* A callback that only records and checks. */
static void cb_plain(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
}

/* A callback that also checks the wheel fires in expiry order. */
static void cb_ordered(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
	if (tt->expire < g.last_expire)
		g.order_errors++;
	g.last_expire = tt->expire;
}

/*
 * The property test's callback: checks, then per its action re-arms itself (sometimes
 * at or before now, so it runs again in this call), cancels another timer, or arms
 * another (sometimes one already due in this very tick).
 */
static void cb_random(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);
	struct ttimer *other = &g.timers[rnd_below(g.n)];
	uint64_t r;

	check_fire(tt, now);
	switch (tt->action) {
	case ACT_REARM:
		r = rnd_below(8);
		if (r == 0) /* in the past: due at once; change action to end the chain */
			tt->action = ACT_NONE;
		model_arm(tt, r == 0 ? now - rnd_below(100) : now + rnd_distance());
		break;
	case ACT_CANCEL_OTHER:
		model_cancel(other);
		break;
	case ACT_ARM_OTHER:
		r = rnd_below(4);
		model_arm(other, r == 0 ? now - rnd_below(3) : now + rnd_distance());
		break;
	default:
		break;
	}
}

/* Set up the globals for @n timers, all initialised with @fn, and a wheel at @now. */
static void setup(struct weir_timer_wheel *tw, size_t n, weir_timer_fn fn, uint64_t now)
{
	size_t i;

	memset(&g, 0, sizeof(g));
	g.tw = tw;
	g.n = n;
	g.timers = calloc(n ? n : 1, sizeof(*g.timers));
	assert_non_null(g.timers);
	g.calls_cap = 1024;
	g.call_now = calloc(g.calls_cap, sizeof(*g.call_now));
	assert_non_null(g.call_now);
	for (i = 0; i < n; i++)
		weir_timer_init(&g.timers[i].t, fn);
	weir_tw_init(tw, now);
	g.exact = true;
}

/* Run by cmocka after every test, also after a failed one. */
static int teardown(void **state)
{
	(void)state;
	free(g.timers);
	free(g.call_now);
	memset(&g, 0, sizeof(g));
	return 0;
}

/* One advance call, recorded for the lateness check. Returns the callbacks run. */
static unsigned int advance(uint64_t now, unsigned int budget)
{
	unsigned int ran;
	uint64_t before = g.fires;

	if (g.call + 1 >= g.calls_cap) {
		g.calls_cap *= 2;
		g.call_now = realloc(g.call_now, g.calls_cap * sizeof(*g.call_now));
		assert_non_null(g.call_now);
	}
	g.call_now[g.call] = now > g.tw->now ? now : g.tw->now;
	g.in_call = true;
	ran = weir_tw_advance(g.tw, now, budget);
	g.in_call = false;
	assert_int_equal(ran, g.fires - before);
	assert_true(ran <= budget);
	g.call++;
	return ran;
}

/* The model's pending count, and a check that every model-pending timer is pending. */
static uint64_t model_count(void)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < g.n; i++) {
		assert_int_equal(g.timers[i].armed, weir_timer_pending(&g.timers[i].t));
		c += g.timers[i].armed;
	}
	return c;
}

/* The earliest expiry the model has pending, UINT64_MAX if none. */
static uint64_t model_min_expire(void)
{
	uint64_t m = UINT64_MAX;
	size_t i;

	for (i = 0; i < g.n; i++)
		if (g.timers[i].armed && g.timers[i].expire < m)
			m = g.timers[i].expire;
	return m;
}

/* ---- tests ---- */

/* Timers a few ticks apart in level 0 fire at their very tick, one tick at a time. */
static void test_exact_tick_by_tick(void **state)
{
	struct weir_timer_wheel tw;
	uint64_t now;
	size_t i;

	(void)state;
	setup(&tw, 200, cb_plain, START);
	for (i = 0; i < g.n; i++)
		model_arm(&g.timers[i], START + 1 + i * 7);
	assert_int_equal(weir_tw_count(&tw), g.n);
	for (now = START + 1; now < START + 1 + 200 * 7; now++) {
		unsigned int ran = advance(now, NO_LIMIT);

		assert_int_equal(ran, (now - START - 1) % 7 == 0 ? 1 : 0);
	}
	for (i = 0; i < g.n; i++)
		assert_int_equal(g.timers[i].fired, 1);
	assert_int_equal(weir_tw_count(&tw), 0);
	assert_int_equal(weir_tw_next_expiry(&tw), UINT64_MAX);
}

/* Each level's timer fires exactly at its tick when advanced one tick at a time. */
static void test_exact_every_level(void **state)
{
	struct weir_timer_wheel tw;
	unsigned int l;

	(void)state;
	setup(&tw, WEIR_TW_LEVELS + 1, cb_plain, START);
	for (l = 0; l <= WEIR_TW_LEVELS; l++) {
		uint64_t d = l == WEIR_TW_LEVELS
				     ? WEIR_TW_RANGE * 3 + 5
				     : (UINT64_C(1) << (WEIR_TW_LEVEL_BITS * l)) + 3 + l;
		uint64_t e = g.tw->now + d;

		model_arm(&g.timers[l], e);
		/* Big jumps to just before the tick, then single ticks. */
		advance(e - 2, NO_LIMIT);
		assert_int_equal(g.timers[l].fired, 0);
		advance(e - 1, NO_LIMIT);
		assert_int_equal(g.timers[l].fired, 0);
		assert_int_equal(weir_tw_next_expiry(&tw), e);
		advance(e, NO_LIMIT);
		assert_int_equal(g.timers[l].fired, 1);
	}
}

/*
 * An expiry already processed makes a timer due: it runs on the next advance even when
 * that advance brings no new tick, and a now going backwards counts as the latest one.
 */
static void test_arm_in_past(void **state)
{
	struct weir_timer_wheel tw;

	(void)state;
	setup(&tw, 3, cb_plain, 100);
	model_arm(&g.timers[0], 50);
	model_arm(&g.timers[1], 100);
	model_arm(&g.timers[2], 101);
	assert_true(weir_tw_next_expiry(&tw) <= 100);
	assert_int_equal(advance(100, NO_LIMIT), 2);
	assert_int_equal(advance(100, NO_LIMIT), 0);
	assert_int_equal(weir_tw_next_expiry(&tw), 101);
	model_arm(&g.timers[0], 7);
	assert_int_equal(advance(90, NO_LIMIT), 1); /* backwards: still 100 */
	assert_int_equal(tw.now, 100);
	assert_int_equal(advance(101, NO_LIMIT), 1);
	assert_int_equal(weir_tw_count(&tw), 0);
}

/* Cancel and re-arm: pending state, counts, moves between levels, cancel twice. */
static void test_cancel_rearm(void **state)
{
	struct weir_timer_wheel tw;

	(void)state;
	setup(&tw, 4, cb_plain, 0);
	assert_false(weir_timer_pending(&g.timers[0].t));
	weir_timer_cancel(&tw, &g.timers[0].t); /* not pending: no-op */
	assert_int_equal(weir_tw_count(&tw), 0);
	model_arm(&g.timers[0], 10);
	model_arm(&g.timers[0], 5000000); /* re-arm: level 0 to level 3 */
	model_arm(&g.timers[1], 10);
	model_arm(&g.timers[2], WEIR_TW_RANGE * 2);
	assert_int_equal(weir_tw_count(&tw), 3);
	model_cancel(&g.timers[1]);
	model_cancel(&g.timers[1]);
	assert_int_equal(weir_tw_count(&tw), 2);
	assert_int_equal(advance(4999999, NO_LIMIT), 0);
	model_arm(&g.timers[0], 5000001); /* re-armed while its cascade is near */
	assert_int_equal(advance(5000000, NO_LIMIT), 0);
	assert_int_equal(advance(5000001, NO_LIMIT), 1);
	model_cancel(&g.timers[2]);
	assert_int_equal(weir_tw_count(&tw), 0);
	assert_int_equal(weir_tw_next_expiry(&tw), UINT64_MAX);
	for (unsigned int l = 0; l < WEIR_TW_LEVELS; l++)
		assert_int_equal(tw.occupied[l], 0);
}

/* A callback that cancels timers[1], arms timers[2] for its own tick and timers[3] after. */
static void cb_meddler(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
	model_cancel(&g.timers[1]);
	model_arm(&g.timers[2], tt->expire);
	model_arm(&g.timers[3], tt->expire + 1);
	model_arm(&g.timers[4], tt->expire + 1);
	model_cancel(&g.timers[4]);
}

/*
 * Callbacks cancel a timer due in the same tick (it never runs), arm one for the tick
 * being run (it runs in the same call) and one for the next tick (it waits for it).
 */
static void test_callback_meddles(void **state)
{
	struct weir_timer_wheel tw;

	(void)state;
	setup(&tw, 5, cb_plain, 0);
	weir_timer_init(&g.timers[0].t, cb_meddler);
	model_arm(&g.timers[0], 100);
	model_arm(&g.timers[1], 100);
	assert_int_equal(advance(100, NO_LIMIT), 2); /* timers 0 and 2 */
	assert_int_equal(g.timers[1].fired, 0);
	assert_int_equal(g.timers[2].fired, 1);
	assert_int_equal(g.timers[3].fired, 0);
	assert_int_equal(advance(101, NO_LIMIT), 1);
	assert_int_equal(g.timers[3].fired, 1);
	assert_int_equal(g.timers[4].fired, 0);
	assert_int_equal(weir_tw_count(&tw), 0);
}

/* A periodic callback: re-arms itself @period ticks after its expiry. */
static uint64_t period;

static void cb_periodic(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
	model_arm(tt, tt->expire + period);
}

/*
 * Self re-arming timers keep their phase tick by tick; with jumps longer than the
 * period, the catch-up runs inside the same call (the next expiry is still <= now).
 */
static void test_periodic_self_rearm(void **state)
{
	struct weir_timer_wheel tw;
	uint64_t now;

	(void)state;
	setup(&tw, 1, cb_periodic, 0);
	period = 1000;
	model_arm(&g.timers[0], 1000);
	for (now = 1; now <= 100000; now++)
		advance(now, NO_LIMIT);
	assert_int_equal(g.timers[0].fired, 100);
	assert_int_equal(weir_timer_expire(&g.timers[0].t), 101000);
	/* A jump of 10 periods runs 10 callbacks in one call, one per expiry. */
	assert_int_equal(advance(110000, NO_LIMIT), 10);
	/* And a budget spreads the catch-up over calls. */
	g.exact = false;
	assert_int_equal(advance(120000, 4), 4);
	assert_int_equal(advance(120000, 4), 4);
	assert_int_equal(advance(120000, 4), 2);
	assert_int_equal(g.timers[0].fired, 120);
}

/* A callback that tries to advance its own wheel. */
static unsigned int nested_ran;

static void cb_nested(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
	nested_ran = weir_tw_advance(g.tw, now + 1000, NO_LIMIT);
}

/* weir_tw_advance() from a callback does nothing and returns 0. */
static void test_nested_advance(void **state)
{
	struct weir_timer_wheel tw;

	(void)state;
	setup(&tw, 2, cb_plain, 0);
	weir_timer_init(&g.timers[0].t, cb_nested);
	model_arm(&g.timers[0], 10);
	model_arm(&g.timers[1], 20);
	nested_ran = 99;
	assert_int_equal(advance(10, NO_LIMIT), 1);
	assert_int_equal(nested_ran, 0);
	assert_int_equal(tw.now, 10);
	assert_int_equal(g.timers[1].fired, 0);
	assert_int_equal(advance(20, NO_LIMIT), 1);
}

/*
 * An empty wheel, and one holding a few timers, cross three hours in one call while
 * looking into a handful of slots; timers spread over the hours fire in one call each.
 */
static void test_idle_jump_is_cheap(void **state)
{
	struct weir_timer_wheel tw;
	uint64_t v0, m0;

	(void)state;
	setup(&tw, 8, cb_plain, START);
	assert_int_equal(advance(START + 3 * HOUR, NO_LIMIT), 0);
	assert_int_equal(tw.visits, 0);
	assert_int_equal(tw.moves, 0);

	model_arm(&g.timers[0], tw.now + 5);
	model_arm(&g.timers[1], tw.now + 2 * HOUR);
	model_arm(&g.timers[2], tw.now + 3 * HOUR + 7);
	model_arm(&g.timers[3], tw.now + 4 * HOUR);          /* stays */
	model_arm(&g.timers[4], tw.now + WEIR_TW_RANGE * 5); /* beyond the range, stays */
	v0 = tw.visits;
	m0 = tw.moves;
	assert_int_equal(advance(tw.now + 3 * HOUR + 7, NO_LIMIT), 3);
	/* Each timer looks at <= 1 slot per level; 10.8 million ticks went by. */
	assert_true(tw.visits - v0 <= 5 * WEIR_TW_LEVELS);
	assert_true(tw.moves - m0 <= 5 * WEIR_TW_LEVELS);
	print_message("3 h jump: %llu slot visits, %llu moves\n",
		      (unsigned long long)(tw.visits - v0), (unsigned long long)(tw.moves - m0));
	assert_int_equal(weir_tw_count(&tw), 2);
}

/*
 * weir_tw_next_expiry(): UINT64_MAX when empty, exact in level 0, never late elsewhere,
 * and following it lands on the expiry in at most one step per level.
 */
static void test_next_expiry(void **state)
{
	struct weir_timer_wheel tw;
	unsigned int i, steps;

	(void)state;
	setup(&tw, 64, cb_plain, START);
	assert_int_equal(weir_tw_next_expiry(&tw), UINT64_MAX);
	model_arm(&g.timers[0], START + 40);
	assert_int_equal(weir_tw_next_expiry(&tw), START + 40);
	model_cancel(&g.timers[0]);
	seed_rng(42);
	for (i = 0; i < 64; i++) {
		uint64_t e = tw.now + 1 + rnd_distance(), ne;

		model_arm(&g.timers[i], e);
		for (steps = 0;; steps++) {
			ne = weir_tw_next_expiry(&tw);
			assert_true(ne > tw.now);
			assert_true(ne <= e);
			advance(ne, NO_LIMIT);
			if (g.timers[i].fired)
				break;
			assert_true(steps < 2 * WEIR_TW_LEVELS + e / WEIR_TW_RANGE);
		}
		assert_int_equal(tw.now, e);
	}
	/* Due timers left behind by a budget: the answer is at or before now. */
	g.exact = false;
	for (i = 0; i < 3; i++)
		model_arm(&g.timers[i], tw.now + 10);
	advance(tw.now + 10, 1);
	assert_true(weir_tw_next_expiry(&tw) <= tw.now);
	advance(tw.now, NO_LIMIT);
	assert_int_equal(weir_tw_next_expiry(&tw), UINT64_MAX);
}

/*
 * Budget limits: a tiny budget per call, timers across all levels, big steps; each fires
 * once, never early, in expiry order across calls, and everything fires in the end.
 */
static void test_budget_keeps_order(void **state)
{
	struct weir_timer_wheel tw;
	unsigned int calls = 0;
	size_t i;

	(void)state;
	setup(&tw, ORDER_TIMERS, cb_ordered, START);
	seed_rng(7);
	g.exact = false;
	tw.move_limit = UINT_MAX;
	for (i = 0; i < g.n; i++)
		model_arm(&g.timers[i], tw.now + 1 + rnd_distance() / (1 + rnd_below(1000)));
	while (weir_tw_count(&tw) > 0) {
		advance(tw.now + rnd_below(8 * HOUR), 1 + (unsigned int)rnd_below(64));
		calls++;
		assert_true(calls < 1000000);
	}
	for (i = 0; i < g.n; i++)
		assert_int_equal(g.timers[i].fired, 1);
	assert_int_equal(g.order_errors, 0);
	print_message("%u calls\n", calls);
}

/*
 * Move limits: tiny ones per call, together with tiny budgets; no call moves more than
 * its limit or runs more callbacks than its budget, nothing fires early or twice, and
 * everything fires in the end.
 */
static void test_move_limit_bounds_work(void **state)
{
	struct weir_timer_wheel tw;
	unsigned int calls = 0;
	uint64_t m0;
	size_t i;

	(void)state;
	setup(&tw, ORDER_TIMERS, cb_plain, START);
	seed_rng(8);
	g.exact = false;
	for (i = 0; i < g.n; i++)
		model_arm(&g.timers[i], tw.now + 1 + rnd_distance() / (1 + rnd_below(1000)));
	while (weir_tw_count(&tw) > 0) {
		tw.move_limit = 1 + (unsigned int)rnd_below(16);
		m0 = tw.moves;
		advance(tw.now + rnd_below(8 * HOUR), 1 + (unsigned int)rnd_below(64));
		assert_true(tw.moves - m0 <= tw.move_limit);
		calls++;
		assert_true(calls < 1000000);
	}
	for (i = 0; i < g.n; i++)
		assert_int_equal(g.timers[i].fired, 1);
	print_message("%u calls, %llu moves\n", calls, (unsigned long long)tw.moves);
	/* A move limit of 0 counts as 1: the wheel still makes progress. */
	tw.move_limit = 0;
	model_arm(&g.timers[0], tw.now + 100000);
	for (calls = 0; g.timers[0].armed; calls++) {
		advance(tw.now + 100000, NO_LIMIT);
		assert_true(calls < 2 * WEIR_TW_LEVELS);
	}
}

/* A callback for a timer that fires every 3 ticks and must never be late. */
static void cb_strict_periodic(struct weir_timer *t, uint64_t now)
{
	struct ttimer *tt = weir_timer_owner(t, struct ttimer, t);

	check_fire(tt, now);
	model_arm(tt, now + 3);
}

/*
 * A burst: ten thousand timers in one slot of level 2 come up at once and are refiled
 * 100 per call, while short timers elsewhere in the wheel keep firing at their exact
 * tick; the burst's timers never fire early and all fire.
 */
static void test_cascade_burst_is_bounded(void **state)
{
	struct weir_timer_wheel tw;
	uint64_t base = 3 * 4096, calls = 0, now, m0, late = 0;
	size_t i, n = 10000;

	(void)state;
	setup(&tw, n + 4, cb_plain, 0);
	g.exact = false;
	tw.move_limit = 100;
	seed_rng(11);
	for (i = 0; i < n; i++)
		model_arm(&g.timers[i], base + rnd_below(4096));
	assert_int_equal(tw.occupied[2], UINT64_C(1) << 3);
	for (i = n; i < n + 4; i++) {
		weir_timer_init(&g.timers[i].t, cb_strict_periodic);
		g.timers[i].strict = true;
		model_arm(&g.timers[i], base - 10 + i - n);
	}
	for (now = base - 20; weir_tw_count(&tw) > 4; now++) {
		m0 = tw.moves;
		advance(now, NO_LIMIT);
		assert_true(tw.moves - m0 <= 100);
		calls++;
		assert_true(calls < 4096 + 100);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(g.timers[i].fired, 1);
		late += g.call_now[g.timers[i].last_fire_call] > g.timers[i].expire;
	}
	for (i = n; i < n + 4; i++)
		assert_true(g.timers[i].fired > 100);
	/* ~20000 moves at 100 a call: the burst is refiled over ~200 ticks, some late. */
	assert_true(late > 0);
	print_message("%llu calls, %llu of %zu burst timers late\n", (unsigned long long)calls,
		      (unsigned long long)late, n);
}

/* The property test's body, without limits (exact) or with random ones. */
static void random_run(bool limited)
{
	struct weir_timer_wheel tw;
	unsigned int round, budget = NO_LIMIT;
	uint64_t end, ne;
	size_t i;

	setup(&tw, PROP_TIMERS, cb_random, START);
	seed_rng(limited ? 20240602 : 20240601);
	g.exact = !limited;
	tw.move_limit = UINT_MAX;
	for (i = 0; i < g.n; i++) {
		g.timers[i].action = (unsigned int)rnd_below(ACT_MAX);
		if (rnd_below(10) != 0)
			model_arm(&g.timers[i], tw.now + rnd_distance());
	}
	for (round = 0; round < PROP_ROUNDS; round++) {
		uint64_t step, k;

		switch (rnd_below(6)) {
		case 0:
			step = 1;
			break;
		case 1:
			step = 1 + rnd_below(64);
			break;
		case 2:
			step = 1 + rnd_below(4096);
			break;
		case 3:
			step = 1 + rnd_below(HOUR);
			break;
		case 4:
			step = 1 + rnd_below(8 * HOUR);
			break;
		default:
			step = rnd_below(50) == 0 ? 1 + rnd_below(2 * WEIR_TW_RANGE) : 1;
			break;
		}
		if (limited) {
			budget = 1 + (unsigned int)rnd_below(512);
			tw.move_limit = 1 + (unsigned int)rnd_below(512);
		}
		advance(tw.now + step, budget);
		if (!limited)
			assert_true(weir_tw_next_expiry(&tw) > tw.now);
		for (k = rnd_below(2000); k > 0; k--) {
			struct ttimer *tt = &g.timers[rnd_below(g.n)];

			if (rnd_below(3) == 0)
				model_cancel(tt);
			else
				model_arm(tt, tw.now + (rnd_below(20) == 0 ? 0 : rnd_distance()));
		}
		if (round % 500 == 0) {
			assert_int_equal(model_count(), weir_tw_count(&tw));
			ne = weir_tw_next_expiry(&tw);
			/* Work waiting reads as now; otherwise never after the earliest. */
			assert_true(ne <= tw.now || ne <= model_min_expire());
		}
	}
	/* Drain: past the farthest expiry; callbacks may arm beyond it, which must stay. */
	end = tw.now + 6 * WEIR_TW_RANGE;
	do {
		advance(end, budget);
		assert_true(g.call < 100000000);
	} while (weir_tw_next_expiry(&tw) <= end);
	assert_int_equal(model_count(), weir_tw_count(&tw));
	for (i = 0; i < g.n; i++)
		if (g.timers[i].armed)
			assert_true(g.timers[i].expire > end);
	assert_true(weir_tw_next_expiry(&tw) <= model_min_expire());
	print_message("%llu callbacks over %llu calls, %llu moves, %llu slot visits\n",
		      (unsigned long long)g.fires, (unsigned long long)g.call,
		      (unsigned long long)tw.moves, (unsigned long long)tw.visits);
	assert_true(g.fires > PROP_TIMERS);
	for (i = 0; i <= WEIR_TW_LEVELS; i++) {
		print_message("  level %zu%s: %llu fired\n", i,
			      i == WEIR_TW_LEVELS ? " (beyond)" : "",
			      (unsigned long long)g.fires_by_level[i]);
		assert_true(g.fires_by_level[i] > 1000);
	}
}

/*
 * The property test: 100k timers across every level and beyond the range, advanced by
 * random steps from 1 tick to far beyond the range, with random cancels and re-arms
 * between calls and callbacks that re-arm themselves, cancel and arm others. With no
 * limits every arming fires once, never early and in the first call that reaches it.
 */
static void test_random_property(void **state)
{
	(void)state;
	random_run(false);
}

/* The same under random budgets and move limits: once, never early, all in the end. */
static void test_random_property_limited(void **state)
{
	(void)state;
	random_run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_exact_tick_by_tick, teardown),
		cmocka_unit_test_teardown(test_exact_every_level, teardown),
		cmocka_unit_test_teardown(test_arm_in_past, teardown),
		cmocka_unit_test_teardown(test_cancel_rearm, teardown),
		cmocka_unit_test_teardown(test_callback_meddles, teardown),
		cmocka_unit_test_teardown(test_periodic_self_rearm, teardown),
		cmocka_unit_test_teardown(test_nested_advance, teardown),
		cmocka_unit_test_teardown(test_idle_jump_is_cheap, teardown),
		cmocka_unit_test_teardown(test_next_expiry, teardown),
		cmocka_unit_test_teardown(test_budget_keeps_order, teardown),
		cmocka_unit_test_teardown(test_move_limit_bounds_work, teardown),
		cmocka_unit_test_teardown(test_cascade_burst_is_bounded, teardown),
		cmocka_unit_test_teardown(test_random_property, teardown),
		cmocka_unit_test_teardown(test_random_property_limited, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
