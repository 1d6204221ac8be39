/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker hierarchical timer wheel (timer.h explains its shape and guarantees). */
#include <string.h>

#include "core/timer.h"

#define SLOT_MASK ((uint64_t)WEIR_TW_SLOTS - 1)

/* Two timers to a cache line: flows embed one each, and there are millions. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct weir_timer) == 32, "weir_timer grew");

/*
 * How a timer's slot is chosen and why it is exact. Let clk be the first tick not yet
 * processed and d = expire - clk. A timer with d < 64 goes to level 0, slot expire % 64,
 * which is emptied at tick expire exactly. Otherwise it goes to the level l with
 * 64^l <= d < 64^(l+1), slot (expire >> 6l) % 64. The wheel empties that slot at the
 * first tick T >= clk that is a multiple of 64^l with (T >> 6l) % 64 == slot, which is
 * expire rounded down to a multiple of 64^l: it is above clk because d >= 64^l, and no
 * earlier multiple matches because d < 64^(l+1). At T the timer is filed again with
 * d' = expire - T < 64^l, so it lands in a finer level and, in the end, fires from
 * level 0 at its very tick. A slot's tick T never passes while clk moves on, as clk only
 * jumps to the earliest such tick, so slots filed at different clocks agree on T.
 * Beyond the range, d is clamped to WEIR_TW_RANGE - 1 and the timer refiled at T.
 */

/* Make @h an empty list. */
static inline void list_init(struct weir_tw_link *h)
{
	h->next = h;
	h->prev = h;
}

/* True when the list headed by @h holds nothing. */
static inline bool list_empty(const struct weir_tw_link *h)
{
	return h->next == h;
}

/* Link @n at the tail of the list headed by @h; @n must be unlinked. */
static inline void list_append(struct weir_tw_link *h, struct weir_tw_link *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

/* Move every node of @from, in order, to the tail of @to; @from ends empty. O(1). */
static inline void list_splice_tail(struct weir_tw_link *to, struct weir_tw_link *from)
{
	struct weir_tw_link *first = from->next, *last = from->prev;

	if (first == from)
		return;
	first->prev = to->prev;
	to->prev->next = first;
	last->next = to;
	to->prev = last;
	list_init(from);
}

/* The timer whose link is @l. */
static inline struct weir_timer *link_timer(struct weir_tw_link *l)
{
	return weir_timer_owner(l, struct weir_timer, link);
}

/*
 * Unlink the pending timer @t from whatever list holds it (a slot, due or backlog) and
 * mark it not pending. When that empties a slot, its occupancy bit is cleared: in a
 * circular list the two neighbours of a node are the same node only when that node is
 * the head and the list is now empty, and a head inside tw->slots names its slot.
 */
static void timer_unlink(struct weir_timer_wheel *tw, struct weir_timer *t)
{
	struct weir_tw_link *n = t->link.next, *p = t->link.prev;
	uintptr_t off;

	p->next = n;
	n->prev = p;
	t->link.next = NULL;
	t->link.prev = NULL;
	if (n != p)
		return;
	off = (uintptr_t)n - (uintptr_t)tw->slots;
	if (off < sizeof(tw->slots)) {
		size_t i = off / sizeof(tw->slots[0]);

		tw->occupied[i / WEIR_TW_SLOTS] &= ~(UINT64_C(1) << (i % WEIR_TW_SLOTS));
	}
}

/* The level for a distance of @d ticks (d < WEIR_TW_RANGE): floor(log64(d)), 0 below 64. */
static inline unsigned int level_of(uint64_t d)
{
	if (d < WEIR_TW_SLOTS)
		return 0;
	return (unsigned int)(63 - __builtin_clzll(d)) / WEIR_TW_LEVEL_BITS;
}

/*
 * File the unlinked timer @t by its expiry relative to tw->clk (see the comment at the
 * top): the due list when that tick is already processed, else a slot. O(1).
 */
static void timer_place(struct weir_timer_wheel *tw, struct weir_timer *t)
{
	uint64_t e = t->expire, d;
	unsigned int lvl, slot;

	if (e < tw->clk) {
		list_append(&tw->due, &t->link);
		return;
	}
	d = e - tw->clk;
	if (d >= WEIR_TW_RANGE) {
		d = WEIR_TW_RANGE - 1;
		e = tw->clk + d;
	}
	lvl = level_of(d);
	slot = (unsigned int)((e >> (lvl * WEIR_TW_LEVEL_BITS)) & SLOT_MASK);
	list_append(&tw->slots[lvl * WEIR_TW_SLOTS + slot], &t->link);
	tw->occupied[lvl] |= UINT64_C(1) << slot;
}

/*
 * The earliest tick >= tw->clk at which some non-empty slot is due (to fire, level 0, or
 * to cascade, above), UINT64_MAX if every slot is empty. One rotate and one count of
 * trailing zeros per non-empty level: this is what lets long idle periods pass in O(1).
 */
static uint64_t next_slot_tick(const struct weir_timer_wheel *tw)
{
	uint64_t best = UINT64_MAX;
	unsigned int l;

	for (l = 0; l < WEIR_TW_LEVELS; l++) {
		uint64_t occ = tw->occupied[l], c, tick;
		unsigned int shift = l * WEIR_TW_LEVEL_BITS, r;

		if (occ == 0)
			continue;
		/* c: the first multiple of 64^l at or after clk, counted in units of 64^l. */
		c = (tw->clk >> shift) + ((tw->clk & ((UINT64_C(1) << shift) - 1)) != 0);
		r = (unsigned int)(c & SLOT_MASK);
		if (r != 0)
			occ = (occ >> r) | (occ << (WEIR_TW_SLOTS - r));
		tick = (c + (uint64_t)__builtin_ctzll(occ)) << shift;
		if (tick < best)
			best = tick;
	}
	return best;
}

/*
 * Refile timers from the backlog, oldest first, relative to tw->clk, until it is empty or
 * *@moves reaches @limit. A backlogged timer whose tick has passed meanwhile goes to the
 * due list; any other lands in a slot that is valid for the current clock, since the
 * rule at the top holds at every clock.
 */
static void drain_backlog(struct weir_timer_wheel *tw, unsigned int *moves, unsigned int limit)
{
	while (*moves < limit && !list_empty(&tw->backlog)) {
		struct weir_timer *t = link_timer(tw->backlog.next);

		timer_unlink(tw, t);
		timer_place(tw, t);
		(*moves)++;
		tw->moves++;
	}
}

/*
 * Process tick @tick (>= tw->clk, and no non-empty slot is due before it): every level's
 * slot that comes up at @tick joins the backlog in O(1), coarsest first, and the backlog
 * is refiled within the move limit; then level 0's slot joins the due list. Refiled
 * timers never land in a slot that comes up at @tick, except level 0's, which is why
 * that one goes last. Leaves tw->clk at @tick + 1.
 */
static void process_tick(struct weir_timer_wheel *tw, uint64_t tick, unsigned int *moves,
			 unsigned int limit)
{
	unsigned int top = WEIR_TW_LEVELS - 1, l;
	uint64_t bit;
	struct weir_tw_link *h;

	tw->clk = tick;
	if (tick != 0 && (unsigned int)__builtin_ctzll(tick) / WEIR_TW_LEVEL_BITS < top)
		top = (unsigned int)__builtin_ctzll(tick) / WEIR_TW_LEVEL_BITS;
	for (l = top; l >= 1; l--) {
		bit = (tick >> (l * WEIR_TW_LEVEL_BITS)) & SLOT_MASK;
		h = &tw->slots[l * WEIR_TW_SLOTS + bit];
		if (list_empty(h))
			continue;
		tw->visits++;
		list_splice_tail(&tw->backlog, h);
		tw->occupied[l] &= ~(UINT64_C(1) << bit);
		drain_backlog(tw, moves, limit);
	}
	h = &tw->slots[tick & SLOT_MASK];
	if (!list_empty(h)) {
		tw->visits++;
		list_splice_tail(&tw->due, h);
		tw->occupied[0] &= ~(UINT64_C(1) << (tick & SLOT_MASK));
	}
	tw->clk = tick + 1;
}

/* Accepts any memory for @tw; leaves it empty at tick @now (< 2^63). */
void weir_tw_init(struct weir_timer_wheel *tw, uint64_t now)
{
	unsigned int i;

	memset(tw, 0, sizeof(*tw));
	tw->now = now;
	tw->clk = now + 1;
	tw->move_limit = WEIR_TW_MOVE_LIMIT;
	list_init(&tw->due);
	list_init(&tw->backlog);
	for (i = 0; i < WEIR_TW_LEVELS * WEIR_TW_SLOTS; i++)
		list_init(&tw->slots[i]);
}

/* Accepts any memory for @t and a non-NULL @fn; leaves @t not pending. */
void weir_timer_init(struct weir_timer *t, weir_timer_fn fn)
{
	t->link.next = NULL;
	t->link.prev = NULL;
	t->expire = 0;
	t->fn = fn;
}

/* Accepts an initialised @t, pending on @tw or on no wheel, and any @expire. O(1). */
void weir_timer_arm(struct weir_timer_wheel *tw, struct weir_timer *t, uint64_t expire)
{
	if (weir_timer_pending(t))
		timer_unlink(tw, t);
	else
		tw->count++;
	t->expire = expire;
	timer_place(tw, t);
}

/* Accepts an initialised @t, pending on @tw or not pending at all. O(1). */
void weir_timer_cancel(struct weir_timer_wheel *tw, struct weir_timer *t)
{
	if (!weir_timer_pending(t))
		return;
	timer_unlink(tw, t);
	tw->count--;
}

/*
 * First the backlog a move limit left is refiled (within this call's limit). Then the
 * loop alternates two steps until @now is reached or the budget is spent: run the due
 * list (timers whose tick was processed), then jump the clock to the next tick at which
 * a slot is non-empty and process it. Every jump empties a non-empty slot, and slots
 * fill only by moves and arms, so the loop is bounded by the slot count plus the moves
 * plus the timers the callbacks arm.
 */
unsigned int weir_tw_advance(struct weir_timer_wheel *tw, uint64_t now, unsigned int budget)
{
	unsigned int limit = tw->move_limit ? tw->move_limit : 1;
	unsigned int ran = 0, moves = 0;

	if (tw->running)
		return 0;
	if (now > tw->now)
		tw->now = now;
	now = tw->now;
	tw->running = true;
	drain_backlog(tw, &moves, limit);
	for (;;) {
		uint64_t tick;

		while (ran < budget && !list_empty(&tw->due)) {
			struct weir_timer *t = link_timer(tw->due.next);

			timer_unlink(tw, t);
			tw->count--;
			ran++;
			t->fn(t, now);
		}
		if (ran >= budget || tw->clk > now)
			break;
		tick = next_slot_tick(tw);
		if (tick > now) {
			tw->clk = now + 1;
			break;
		}
		process_tick(tw, tick, &moves, limit);
	}
	tw->running = false;
	return ran;
}

/* Accepts an initialised @tw; reads only. See timer.h for how close the answer is. */
uint64_t weir_tw_next_expiry(const struct weir_timer_wheel *tw)
{
	if (!list_empty(&tw->due) || !list_empty(&tw->backlog))
		return tw->now;
	return next_slot_tick(tw);
}
