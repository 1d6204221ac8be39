/* SPDX-License-Identifier: BSD-3-Clause */
/* Source hash: the client address, mixed, mapped over the cumulative weights. */
#include "sched/sched.h"

/*
 * The server owning the client's point in [0, total_weight): the same on every worker and
 * for as long as the view's servers and weights stay the same. The address is mixed first
 * so neighbouring clients spread over all servers; across many clients each server's
 * share follows its weight. A change of the set moves many clients (use Maglev for
 * minimal disruption). Returns -1 on an empty view.
 */
static int source_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		       const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	uint32_t h;

	(void)st;
	(void)load;
	(void)hash;
	if (v->nb == 0)
		return -1;
	h = weir_sched_mix32(client);
	return (int)weir_sched_cum_find(v, weir_sched_scale(h, v->total_weight));
}

const struct weir_sched_ops weir_sched_source_ops = {
	.algo = WEIR_BALANCE_SOURCE,
	.name = "source",
	.build = NULL,
	.pick = source_pick,
};
