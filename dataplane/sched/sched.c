/* SPDX-License-Identifier: BSD-3-Clause */
/* Balancing algorithms: the registry, views, per-worker state and shared helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"

static const struct weir_sched_ops *const ops_table[WEIR_BALANCE_MAX] = {
	[WEIR_BALANCE_ROUNDROBIN] = &weir_sched_rr_ops,
	[WEIR_BALANCE_WRR] = &weir_sched_wrr_ops,
	[WEIR_BALANCE_LEASTCONN] = &weir_sched_leastconn_ops,
	[WEIR_BALANCE_RANDOM] = &weir_sched_random_ops,
	[WEIR_BALANCE_SOURCE] = &weir_sched_source_ops,
	[WEIR_BALANCE_MAGLEV] = &weir_sched_maglev_ops,
	[WEIR_BALANCE_LEASTTIME] = &weir_sched_leasttime_ops,
};

/* The ops of @algo, or NULL when @algo is outside the table. */
const struct weir_sched_ops *weir_sched_ops_get(enum weir_balance algo)
{
	if ((unsigned int)algo >= WEIR_BALANCE_MAX)
		return NULL;
	return ops_table[algo];
}

/* qsort() order of server ids. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Check @nb servers for the view's rules: weight > 0, id < UINT32_MAX, ids unique.
 * Returns 0, -EINVAL or -ENOMEM (the temporary id list).
 */
static int check_servers(const struct weir_sched_server *srv, uint32_t nb)
{
	uint32_t *ids;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < nb; i++)
		if (srv[i].weight == 0 || srv[i].id == UINT32_MAX)
			return -EINVAL;
	if (nb < 2)
		return 0;
	ids = malloc(sizeof(*ids) * nb);
	if (ids == NULL)
		return -ENOMEM;
	for (i = 0; i < nb; i++)
		ids[i] = srv[i].id;
	qsort(ids, nb, sizeof(*ids), cmp_u32);
	for (i = 1; i < nb; i++)
		if (ids[i] == ids[i - 1])
			ret = -EINVAL;
	free(ids);
	return ret;
}

/*
 * Build the view of @nb servers for @algo: copies @srv, computes the cumulative weights
 * and runs the algorithm's build step. Returns the view, or NULL with errno set (see
 * sched.h). Control thread only.
 */
struct weir_sched_view *weir_sched_view_create(enum weir_balance algo,
					       const struct weir_sched_server *srv, uint32_t nb,
					       uint32_t maglev_size, uint64_t gen)
{
	const struct weir_sched_ops *ops = weir_sched_ops_get(algo);
	struct weir_sched_view *v;
	uint64_t total = 0;
	uint32_t i;
	int ret;

	if (ops == NULL || (srv == NULL && nb > 0)) {
		errno = EINVAL;
		return NULL;
	}
	if (algo == WEIR_BALANCE_MAGLEV) {
		if (maglev_size == 0)
			maglev_size = WEIR_SCHED_MAGLEV_DEFAULT;
		if (!weir_sched_is_prime(maglev_size)) {
			errno = EINVAL;
			return NULL;
		}
	} else {
		maglev_size = 0;
	}
	ret = check_servers(srv, nb);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	for (i = 0; i < nb; i++)
		total += srv[i].weight;
	if (total > UINT32_MAX) {
		errno = ERANGE;
		return NULL;
	}

	v = calloc(1, sizeof(*v));
	if (v == NULL)
		goto nomem;
	v->algo = algo;
	v->nb = nb;
	v->total_weight = (uint32_t)total;
	v->maglev_size = maglev_size;
	v->gen = gen;
	if (nb > 0) {
		v->srv = malloc(sizeof(*v->srv) * nb);
		v->cum = malloc(sizeof(*v->cum) * nb);
		if (v->srv == NULL || v->cum == NULL)
			goto nomem;
		memcpy(v->srv, srv, sizeof(*v->srv) * nb);
		total = 0;
		for (i = 0; i < nb; i++) {
			total += srv[i].weight;
			v->cum[i] = (uint32_t)total;
			if (srv[i].id >= v->max_id)
				v->max_id = srv[i].id + 1;
		}
	}
	if (ops->build != NULL) {
		ret = ops->build(v);
		if (ret < 0) {
			weir_sched_view_free(v);
			errno = -ret;
			return NULL;
		}
	}
	return v;

nomem:
	weir_sched_view_free(v);
	errno = ENOMEM;
	return NULL;
}

/* Release @v and everything it owns; NULL is accepted. */
void weir_sched_view_free(struct weir_sched_view *v)
{
	if (v == NULL)
		return;
	free(v->srv);
	free(v->cum);
	free(v->maglev);
	free(v);
}

/*
 * Put @st in the state every algorithm starts a view from: smooth-WRR weights at 0, the
 * rotation at a random place (so workers do not all start on the same server).
 */
static void state_reset(struct weir_sched_state *st, uint64_t gen)
{
	st->gen = gen;
	st->rr = (uint32_t)(weir_sched_rand(st) >> 32);
	if (st->cw != NULL)
		memset(st->cw, 0, sizeof(*st->cw) * st->cap);
}

/*
 * Allocate @st's smooth-WRR array for @max_servers servers and seed its PRNG from @seed.
 * Returns 0 or -ENOMEM (then @st holds nothing to release).
 */
int weir_sched_state_init(struct weir_sched_state *st, uint32_t max_servers, uint64_t seed)
{
	memset(st, 0, sizeof(*st));
	if (max_servers > 0) {
		st->cw = calloc(max_servers, sizeof(*st->cw));
		if (st->cw == NULL)
			return -ENOMEM;
		st->cap = max_servers;
	}
	st->rng = weir_sched_mix64(seed + 0x9e3779b97f4a7c15ull);
	if (st->rng == 0)
		st->rng = 0x9e3779b97f4a7c15ull;
	/* gen 0 and a reset state: a first view of gen 0 finds nothing to reset. */
	state_reset(st, 0);
	return 0;
}

/* Release @st's array; @st is left zeroed. */
void weir_sched_state_fini(struct weir_sched_state *st)
{
	free(st->cw);
	memset(st, 0, sizeof(*st));
}

/* Reset @st for a new view when needed, then run the view's algorithm. */
int weir_sched_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		    const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	if (v->nb == 0)
		return -1;
	if (st->gen != v->gen)
		state_reset(st, v->gen);
	return ops_table[v->algo]->pick(v, st, load, hash, client);
}

/*
 * EWMA with alpha 1/8, rounded to the nearest microsecond; when rounding would leave the
 * average stuck one step away from a steady sample, it moves by one so it converges.
 */
void weir_sched_ewma_update(uint32_t *ewma_us, uint32_t sample_us)
{
	uint32_t old = *ewma_us;
	uint64_t next;

	if (sample_us == 0)
		sample_us = 1;
	if (old == 0) {
		*ewma_us = sample_us;
		return;
	}
	next = ((uint64_t)old * 7 + sample_us + 4) / 8;
	if (next == old && sample_us != old)
		next = sample_us > old ? old + 1 : old - 1;
	*ewma_us = next == 0 ? 1 : (uint32_t)next;
}

/* FNV-1a over @s (NULL: nothing), continuing from @h. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	if (s == NULL)
		return h;
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * FNV-1a of "backend" NUL "server", finalised by SplitMix64 so close names give unrelated
 * keys. Byte-wise, hence the same on every platform.
 */
uint64_t weir_sched_key(const char *backend, const char *server)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv1a(h, backend);
	h *= 0x100000001b3ull; /* the NUL separator: ("ab","c") and ("a","bc") differ */
	h = fnv1a(h, server);
	return weir_sched_mix64(h);
}

/* Trial division by 2, 3 and 6k +- 1 up to the square root; at most ~22k steps. */
bool weir_sched_is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 4)
		return n >= 2;
	if (n % 2 == 0 || n % 3 == 0)
		return false;
	for (d = 5; (uint64_t)d * d <= n; d += 6)
		if (n % d == 0 || n % (d + 2) == 0)
			return false;
	return true;
}

/* Binary search for the first cum[i] above @r. */
uint32_t weir_sched_cum_find(const struct weir_sched_view *v, uint32_t r)
{
	uint32_t lo = 0, hi = v->nb - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->cum[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* One weighted draw from the top 32 bits of the worker's PRNG. */
uint32_t weir_sched_draw(const struct weir_sched_view *v, struct weir_sched_state *st)
{
	uint32_t r = (uint32_t)(weir_sched_rand(st) >> 32);

	return weir_sched_cum_find(v, weir_sched_scale(r, v->total_weight));
}
