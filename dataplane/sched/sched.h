/* SPDX-License-Identifier: BSD-3-Clause */
/* Balancing algorithms: views of a backend's servers, per-worker state, one ops table. */
#ifndef WEIR_SCHED_H
#define WEIR_SCHED_H

/*
 * This library is plain C11 over libc: no DPDK, so it is unit-tested without EAL.
 *
 * The control thread (main lcore) builds an immutable struct weir_sched_view of a
 * backend's eligible servers whenever their states or weights change and publishes it
 * (RCU); every worker reads it. Each worker keeps one struct weir_sched_state per
 * backend; weir_sched_pick() resets it when the view it sees is a new one (gen). All
 * allocation happens in view and state construction; pick() never allocates, never
 * blocks and touches only the view, its own state and the load facts it is given.
 */

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

#define WEIR_SCHED_MAGLEV_DEFAULT 65537 /* Maglev table entries when the caller passes 0 */

/* One eligible server as the algorithms see it. */
struct weir_sched_server {
	uint32_t id;     /* the server's index in its backend (stable while the config lives) */
	uint32_t weight; /* > 0; a weight-0 server is not eligible and stays out of the view */
	uint64_t key;    /* stable identity hash (weir_sched_key()): Maglev permutations
			    depend on it, never on position */
};

/* An immutable snapshot of a backend's eligible servers, read by every worker. */
struct weir_sched_view {
	enum weir_balance algo;
	uint32_t nb;           /* eligible servers (may be 0: pick returns -1) */
	uint32_t total_weight; /* sum of the weights */
	uint32_t max_id;       /* 1 + the largest id: size of per-id arrays (0 when nb == 0) */
	struct weir_sched_server *srv;
	uint32_t *cum;        /* cum[i] = weights of srv[0..i]: weighted draws, source hash */
	uint32_t maglev_size; /* prime; 0 unless algo is Maglev */
	uint32_t *maglev;     /* maglev_size entries, each an index into srv[] (Maglev only) */
	uint64_t gen;         /* differs from the backend's previous view: workers reset */
};

/* Load facts a worker passes to pick(), indexed by server id (< view max_id). */
struct weir_sched_load {
	const uint32_t *conns;   /* active flows on each server, all workers (NULL: all 0) */
	const uint32_t *ewma_us; /* this worker's EWMA of connect time, 0 = no sample yet
				    (NULL: no samples) */
};

/* Per-worker, per-backend state; only its worker touches it. */
struct weir_sched_state {
	uint64_t gen; /* view gen this state was built for */
	uint32_t rr;  /* rotation position (roundrobin, tie breaks, WRR fallback) */
	int64_t *cw;  /* smooth-WRR current weights, @cap entries */
	uint32_t cap; /* servers @cw can hold: the backend's server count */
	uint64_t rng; /* xorshift64* PRNG state, never 0 */
};

struct weir_sched_ops {
	enum weir_balance algo;
	const char *name; /* as written in weir.conf: "roundrobin", "wrr", ... */
	/* Optional precomputation on the control thread (Maglev table); 0 or -errno. */
	int (*build)(struct weir_sched_view *v);
	/*
	 * Returns an index into v->srv, or -1 when v->nb == 0. @hash is a flow hash
	 * (5-tuple), @client the client IPv4 address (network order). Never allocates.
	 */
	int (*pick)(const struct weir_sched_view *v, struct weir_sched_state *st,
		    const struct weir_sched_load *load, uint32_t hash, uint32_t client);
};

/* The algorithms, one file each; weir_sched_ops_get() is the way to reach them. */
extern const struct weir_sched_ops weir_sched_rr_ops;
extern const struct weir_sched_ops weir_sched_wrr_ops;
extern const struct weir_sched_ops weir_sched_leastconn_ops;
extern const struct weir_sched_ops weir_sched_random_ops;
extern const struct weir_sched_ops weir_sched_source_ops;
extern const struct weir_sched_ops weir_sched_maglev_ops;
extern const struct weir_sched_ops weir_sched_leasttime_ops;

/* The ops of @algo, or NULL when @algo is not a known algorithm. */
const struct weir_sched_ops *weir_sched_ops_get(enum weir_balance algo);

/*
 * Control thread: build a view of @nb servers (copied) for @algo. @maglev_size is the
 * Maglev table size (0: WEIR_SCHED_MAGLEV_DEFAULT; ignored by other algorithms). @gen
 * must differ from the gen of the backend's previous view (a process-wide counter does).
 * Returns NULL with errno EINVAL (unknown algo, a weight of 0, an id of UINT32_MAX, a
 * duplicate id, @srv NULL with @nb > 0, a Maglev size that is not a prime), ERANGE (the
 * weights add up beyond UINT32_MAX) or ENOMEM.
 */
struct weir_sched_view *weir_sched_view_create(enum weir_balance algo,
					       const struct weir_sched_server *srv, uint32_t nb,
					       uint32_t maglev_size, uint64_t gen);

/* Release a view (NULL is fine) once no worker can be reading it any more. */
void weir_sched_view_free(struct weir_sched_view *v);

/*
 * Prepare a worker's state for a backend of at most @max_servers servers; @seed should
 * differ between workers (e.g. the lcore id) so their rotations do not run in lockstep.
 * Returns 0 or -ENOMEM.
 */
int weir_sched_state_init(struct weir_sched_state *st, uint32_t max_servers, uint64_t seed);

/* Release what weir_sched_state_init() allocated; the state may be initialised again. */
void weir_sched_state_fini(struct weir_sched_state *st);

/*
 * Worker: choose a server for a new flow. Resets @st when it was built for another view
 * (st->gen != v->gen), then runs the view's algorithm. Returns an index into v->srv, or
 * -1 when the view has no eligible server. @load may be NULL (no load facts).
 */
int weir_sched_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		    const struct weir_sched_load *load, uint32_t hash, uint32_t client);

/*
 * Fold a connect-time sample into an EWMA with alpha 1/8. The first sample (*ewma_us ==
 * 0) is taken as is; samples below 1 us count as 1 us, so 0 keeps meaning "no sample".
 * A failed or timed-out connect should be fed as a sample equal to the timeout.
 */
void weir_sched_ewma_update(uint32_t *ewma_us, uint32_t sample_us);

/*
 * Stable 64-bit identity of server @server in backend @backend (NULL counts as ""): the
 * same on every build and platform, so Maglev tables survive restarts and upgrades.
 */
uint64_t weir_sched_key(const char *backend, const char *server);

/* Whether @n is a prime. */
bool weir_sched_is_prime(uint32_t n);

/*
 * Fill @table (@size entries, @size a prime) with indexes into @srv (@nb > 0 servers)
 * per Maglev (NSDI'16), entries per server proportional to its weight. The result
 * depends only on the set of (key, id, weight) and @size, not on the order of @srv.
 * Returns 0, -EINVAL or -ENOMEM (temporary arrays). Control thread only.
 */
int maglev_populate(uint32_t *table, uint32_t size, const struct weir_sched_server *srv,
		    uint32_t nb);

/* ---- Helpers shared by the algorithms (fast path, no allocation) ---- */

/* Murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
static inline uint32_t weir_sched_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* SplitMix64's finaliser: a bijection of 64-bit values with good avalanche. */
static inline uint64_t weir_sched_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* Next 64 random bits of the worker's xorshift64* generator; @st->rng must not be 0. */
static inline uint64_t weir_sched_rand(struct weir_sched_state *st)
{
	uint64_t x = st->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	st->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Scale a uniform 32-bit value @r into [0, @n) without a division (Lemire). */
static inline uint32_t weir_sched_scale(uint32_t r, uint32_t n)
{
	return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* Active flows on server @id, 0 when the caller gave no counts. */
static inline uint32_t weir_sched_conns(const struct weir_sched_load *load, uint32_t id)
{
	return load != NULL && load->conns != NULL ? load->conns[id] : 0;
}

/* @x * @w as a 96-bit number: its high 64 bits in *@hi, its low 32 bits in *@lo. */
static inline void weir_sched_mul_64x32(uint64_t x, uint32_t w, uint64_t *hi, uint32_t *lo)
{
	uint64_t low = (x & 0xffffffffu) * w;

	*hi = (x >> 32) * w + (low >> 32);
	*lo = (uint32_t)low;
}

/*
 * Compare the ratios @a / @wa and @b / @wb exactly (@wa, @wb > 0) by cross-multiplying:
 * in 64 bits when @a and @b fit in 32 (the usual case), else in 96. Returns <0, 0 or >0
 * as a/wa is below, equal to or above b/wb.
 */
static inline int weir_sched_ratio_cmp(uint64_t a, uint32_t wa, uint64_t b, uint32_t wb)
{
	uint64_t ha, hb;
	uint32_t la, lb;

	if (((a | b) >> 32) == 0) {
		ha = a * wb;
		hb = b * wa;
		return (ha > hb) - (ha < hb);
	}
	weir_sched_mul_64x32(a, wb, &ha, &la);
	weir_sched_mul_64x32(b, wa, &hb, &lb);
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return (la > lb) - (la < lb);
}

/*
 * The index i of the server whose weight interval holds @r: cum[i-1] <= @r < cum[i].
 * Assumes v->nb > 0 and @r < v->total_weight.
 */
uint32_t weir_sched_cum_find(const struct weir_sched_view *v, uint32_t r);

/* A weighted random index into v->srv (v->nb > 0): server i with chance w[i]/total. */
uint32_t weir_sched_draw(const struct weir_sched_view *v, struct weir_sched_state *st);

#endif
