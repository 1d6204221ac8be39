/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker hierarchical timer wheel: flow expiry and TCP timers, no allocation. */
#ifndef WEIR_TIMER_H
#define WEIR_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every worker owns one wheel and is its only user; nothing here locks. Time is in ticks,
 * an abstract unsigned count the caller derives from the TSC (the dataplane uses 1 ms).
 * Ticks must stay below 2^63.
 *
 * Shape: WEIR_TW_LEVELS levels of 64 slots; a slot of level l spans 64^l ticks, so the
 * wheel reaches 2^36 ticks (795 days at 1 ms) ahead. 64 slots make each level's occupancy
 * one 64-bit word, so the next busy slot of a level is one rotate and one count of
 * trailing zeros: a wheel idle for hours advances in a handful of steps, never tick by
 * tick. Six levels put every timer Weir arms (40 ms .. 2 h) well inside the range, for
 * 6 KiB per wheel.
 *
 * Precision: the wheel cascades. A timer waits in the level its distance selects; when
 * its slot comes up it moves to a finer level, and it fires only from level 0, whose
 * slots are single ticks. A timer therefore fires in the first weir_tw_advance() whose
 * now reaches its expiry: never early, 0 ticks late, and timers of different ticks in
 * expiry order (those of one tick in the order they were filed). A timer moves at most
 * WEIR_TW_LEVELS - 1 times; one beyond the range waits in the farthest slot and is
 * filed again from there each time that slot comes up.
 *
 * Work limits, so a worker never stalls: one call runs at most @budget callbacks and
 * makes at most tw->move_limit moves. Past the budget, the wheel's clock stops and the
 * due timers run first in the next calls, still in order. A slot that comes up is moved
 * whole, in O(1), to a backlog, refiled within the move limit; a burst bigger than the
 * limit (a flow slot of a busy worker can hold 100k+ timers) stays in the backlog,
 * first in line in the next calls, while the clock goes on: other timers keep firing on
 * time, and a backlogged timer whose tick passed meanwhile runs as soon as it is
 * refiled, late by at most backlog / move_limit calls and out of order. Never early.
 */

#define WEIR_TW_LEVEL_BITS 6
#define WEIR_TW_SLOTS      (1u << WEIR_TW_LEVEL_BITS) /* slots per level */
#define WEIR_TW_LEVELS     6
#define WEIR_TW_RANGE      (UINT64_C(1) << (WEIR_TW_LEVEL_BITS * WEIR_TW_LEVELS)) /* ticks */
/* Default moves per call: a move is about one cache miss, so 256 cost tens of us. */
#define WEIR_TW_MOVE_LIMIT 256

struct weir_timer;

/*
 * A timer's callback. @t is no longer pending when it runs; @now is the now given to the
 * weir_tw_advance() running it (at or after @t's expiry). It may re-arm @t, arm or cancel
 * any timer of the same wheel, and free @t's owner after leaving @t not pending. It must
 * not call weir_tw_advance().
 */
typedef void (*weir_timer_fn)(struct weir_timer *t, uint64_t now);

/* A circular doubly-linked list node; a list head is a node of its own. */
struct weir_tw_link {
	struct weir_tw_link *next;
	struct weir_tw_link *prev;
};

/*
 * A timer, embedded in its owner (weir_timer_owner() gets the owner back): 32 bytes on
 * LP64. Its fields belong to the wheel; read them only through the functions below. A
 * pending timer must not be copied, moved or freed.
 */
struct weir_timer {
	struct weir_tw_link link; /* in a slot, due or backlog; next == NULL: not pending */
	uint64_t expire;          /* tick at or after which it fires */
	weir_timer_fn fn;
};

/*
 * A wheel. It holds pointers into itself: initialise it where it lives, never copy it.
 * Level l, slot s is slots[l * WEIR_TW_SLOTS + s]; bit s of occupied[l] is set exactly
 * when that slot is not empty.
 */
struct weir_timer_wheel {
	uint64_t now;                /* the latest now seen by init or advance */
	uint64_t clk;                /* first tick not yet processed; <= now + 1 */
	uint64_t count;              /* pending timers */
	unsigned int move_limit;     /* cascade moves per advance; may be changed anytime */
	bool running;                /* inside weir_tw_advance() */
	uint64_t visits;             /* statistics: slots emptied, to cascade or to fire */
	uint64_t moves;              /* statistics: timers refiled by cascades */
	struct weir_tw_link due;     /* expired timers waiting for their callback */
	struct weir_tw_link backlog; /* cascading timers waiting to be refiled */
	uint64_t occupied[WEIR_TW_LEVELS];
	struct weir_tw_link slots[WEIR_TW_LEVELS * WEIR_TW_SLOTS];
};

/* The struct of type @type whose member @member is the timer @t. */
#define weir_timer_owner(t, type, member) ((type *)(void *)((char *)(t)-offsetof(type, member)))

/*
 * Set up @tw empty at tick @now: ticks up to @now count as processed, so a timer armed
 * at or before @now runs on the first advance. Never fails.
 */
void weir_tw_init(struct weir_timer_wheel *tw, uint64_t now);

/* Set up @t not pending, to call @fn when it fires: before first use, never while pending. */
void weir_timer_init(struct weir_timer *t, weir_timer_fn fn);

/*
 * Make @t fire at tick @expire, pending or not (a pending timer is moved: re-arming is
 * a cancel and an arm, O(1)). An @expire the wheel has already processed (at or before
 * its now after a complete advance) makes @t due: it runs in the next weir_tw_advance(),
 * or later in the running one when armed from a callback. Any @expire is accepted;
 * beyond WEIR_TW_RANGE ahead it is still exact.
 */
void weir_timer_arm(struct weir_timer_wheel *tw, struct weir_timer *t, uint64_t expire);

/* Stop @t if it is pending (also when it is due and waiting for its callback). O(1). */
void weir_timer_cancel(struct weir_timer_wheel *tw, struct weir_timer *t);

/* True while @t is armed and its callback has not started. */
static inline bool weir_timer_pending(const struct weir_timer *t)
{
	return t->link.next != NULL;
}

/* The tick @t was last armed for (meaningful while pending, and inside its callback). */
static inline uint64_t weir_timer_expire(const struct weir_timer *t)
{
	return t->expire;
}

/* Number of pending timers of @tw. */
static inline uint64_t weir_tw_count(const struct weir_timer_wheel *tw)
{
	return tw->count;
}

/*
 * Bring @tw to tick @now (a now below the latest one counts as the latest one): refile
 * what the last call left in the backlog, then run the callbacks of the timers due by
 * @now, in expiry order; at most @budget callbacks and tw->move_limit moves (the top
 * comment of this file says what happens past them). Work is proportional to the slots
 * that hold timers, not to the ticks elapsed. Returns the number of callbacks run. Must
 * not be called from a callback (it returns 0 there).
 */
unsigned int weir_tw_advance(struct weir_timer_wheel *tw, uint64_t now, unsigned int budget);

/*
 * The earliest tick at which weir_tw_advance() will have something to do, UINT64_MAX
 * when no timer is pending; O(levels), reads only. It is at or below tw->now when work
 * is waiting (left by a budget, or a backlog). Otherwise it is never later than the
 * earliest pending expiry, so advancing to any tick below it runs nothing; it is exact
 * when the earliest timer sits in level 0 (within 64 ticks) and no cascade comes first,
 * else early by less than the span of the slot the timer waits in (64^l ticks at level
 * l; more beyond the range): advancing there only cascades, and asking again gives a
 * closer answer (one step per level at most).
 */
uint64_t weir_tw_next_expiry(const struct weir_timer_wheel *tw);

#endif
