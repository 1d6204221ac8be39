/* SPDX-License-Identifier: BSD-3-Clause */
/* Weighted round robin: smooth interleaving of servers in proportion to their weights. */
#include "sched/sched.h"

/*
 * Fallback when the state cannot hold one current weight per server (its capacity was
 * sized for a smaller backend): walk the cumulative weights in order, so each server still
 * gets exactly its weight in every total_weight picks, in runs rather than interleaved.
 */
static int wrr_blocks(const struct weir_sched_view *v, struct weir_sched_state *st)
{
	uint32_t r = st->rr;

	if (r >= v->total_weight)
		r %= v->total_weight;
	st->rr = r + 1 < v->total_weight ? r + 1 : 0;
	return (int)weir_sched_cum_find(v, r);
}

/*
 * Smooth weighted round robin: every server's current weight grows by its weight, the
 * largest (the first one on a tie) is chosen and loses the total weight. Over any
 * total_weight consecutive picks from a reset, each server is chosen exactly weight
 * times, spread out (weights 5,1,1 give a,a,b,a,c,a,a). Returns -1 on an empty view.
 * Assumes st->cw was zeroed for this view (weir_sched_pick() does it on a new gen).
 */
static int wrr_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		    const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	int64_t *cw = st->cw;
	uint32_t i, best = 0;

	(void)load;
	(void)hash;
	(void)client;
	if (v->nb == 0)
		return -1;
	if (v->nb > st->cap)
		return wrr_blocks(v, st);
	for (i = 0; i < v->nb; i++) {
		cw[i] += v->srv[i].weight;
		if (cw[i] > cw[best])
			best = i;
	}
	cw[best] -= v->total_weight;
	return (int)best;
}

const struct weir_sched_ops weir_sched_wrr_ops = {
	.algo = WEIR_BALANCE_WRR,
	.name = "wrr",
	.build = NULL,
	.pick = wrr_pick,
};
