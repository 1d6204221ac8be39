/* SPDX-License-Identifier: BSD-3-Clause */
/* Maglev consistent hashing (NSDI'16): a weighted lookup table of prime size. */
#include <errno.h>
#include <stdlib.h>

#include "sched/sched.h"

/* Seeds deriving a server's offset and skip from its key; part of the table's identity. */
#define MAGLEV_SEED_OFFSET 0x6a09e667f3bcc909ull
#define MAGLEV_SEED_SKIP   0xbb67ae8584caa73bull

#define MAGLEV_EMPTY UINT32_MAX

/* One server while the table fills: where its preference list is and its weight quota. */
struct maglev_walk {
	uint32_t srv;    /* index into the caller's srv[] */
	uint32_t weight; /* copy of the server's weight */
	uint64_t key;
	uint32_t id;
	uint32_t pos;   /* next slot of its preference list: offset + j * skip (mod size) */
	uint32_t skip;  /* 1..size-1: coprime with the prime size, so the list covers all slots */
	uint64_t quota; /* accumulated weight; a turn costs the largest weight */
};

/* qsort() order of walkers: by key, then id, so the result ignores the order of srv[]. */
static int maglev_walk_cmp(const void *a, const void *b)
{
	const struct maglev_walk *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Maglev population with weights: servers take turns, in key order, each claiming the
 * next free slot of its own permutation of the table. Every round each server adds its
 * weight to its quota and takes a turn only when the quota reaches the largest weight
 * (which it then pays), so the heaviest servers take a turn every round and the others in
 * proportion: entries per server follow the weights to within about one round. Removing
 * a server only frees its slots and lets the others' preferences shift a little, which is
 * why a change of the set moves few entries. Returns 0, -EINVAL or -ENOMEM.
 */
int maglev_populate(uint32_t *table, uint32_t size, const struct weir_sched_server *srv,
		    uint32_t nb)
{
	struct maglev_walk *w;
	uint32_t i, filled = 0, max_w = 0;

	if (table == NULL || srv == NULL || nb == 0 || !weir_sched_is_prime(size))
		return -EINVAL;
	w = calloc(nb, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	for (i = 0; i < nb; i++) {
		if (srv[i].weight == 0) {
			free(w);
			return -EINVAL;
		}
		w[i].srv = i;
		w[i].weight = srv[i].weight;
		w[i].key = srv[i].key;
		w[i].id = srv[i].id;
		w[i].pos = (uint32_t)(weir_sched_mix64(srv[i].key ^ MAGLEV_SEED_OFFSET) % size);
		w[i].skip = size > 2 ? (uint32_t)(weir_sched_mix64(srv[i].key ^ MAGLEV_SEED_SKIP) %
						  (size - 1)) +
					       1
				     : 1;
		if (srv[i].weight > max_w)
			max_w = srv[i].weight;
	}
	qsort(w, nb, sizeof(*w), maglev_walk_cmp);
	for (i = 0; i < size; i++)
		table[i] = MAGLEV_EMPTY;

	while (filled < size) {
		for (i = 0; i < nb && filled < size; i++) {
			struct maglev_walk *s = &w[i];

			s->quota += s->weight;
			if (s->quota < max_w)
				continue;
			s->quota -= max_w;
			/* A free slot exists, and the list covers every slot: this ends. */
			while (table[s->pos] != MAGLEV_EMPTY)
				s->pos = (uint32_t)(((uint64_t)s->pos + s->skip) % size);
			table[s->pos] = s->srv;
			s->pos = (uint32_t)(((uint64_t)s->pos + s->skip) % size);
			filled++;
		}
	}
	free(w);
	return 0;
}

/* The view's build step: allocate and fill its table (none for an empty view). */
static int maglev_build(struct weir_sched_view *v)
{
	int ret;

	if (v->nb == 0)
		return 0;
	v->maglev = malloc(sizeof(*v->maglev) * v->maglev_size);
	if (v->maglev == NULL)
		return -ENOMEM;
	ret = maglev_populate(v->maglev, v->maglev_size, v->srv, v->nb);
	if (ret < 0) {
		free(v->maglev);
		v->maglev = NULL;
	}
	return ret;
}

/*
 * One table lookup by the flow hash: every worker (and every Weir with the same servers
 * and table size) sends a flow to the same server. Returns -1 on an empty view.
 */
static int maglev_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		       const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	(void)st;
	(void)load;
	(void)client;
	if (v->nb == 0)
		return -1;
	return (int)v->maglev[hash % v->maglev_size];
}

const struct weir_sched_ops weir_sched_maglev_ops = {
	.algo = WEIR_BALANCE_MAGLEV,
	.name = "maglev",
	.build = maglev_build,
	.pick = maglev_pick,
};
