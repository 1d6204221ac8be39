/* SPDX-License-Identifier: BSD-3-Clause */
/* Least connections: the server with the fewest active flows relative to its weight. */
#include "sched/sched.h"

/*
 * The server with the lowest (conns + 1) / weight, compared exactly. The scan starts just
 * after the last server this worker chose and keeps the first minimum it meets, so equal
 * servers take turns even before the flow counts catch up with the picks. Returns -1 on
 * an empty view. Without counts (load or load->conns NULL) every server has 0 flows, so
 * the heaviest servers win, in turn.
 */
static int leastconn_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
			  const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	uint32_t nb = v->nb, i, n, best, best_w;
	uint64_t best_c;

	(void)hash;
	(void)client;
	if (nb == 0)
		return -1;
	i = st->rr < nb ? st->rr : st->rr % nb;
	best = i;
	best_c = (uint64_t)weir_sched_conns(load, v->srv[i].id) + 1;
	best_w = v->srv[i].weight;
	for (n = 1; n < nb; n++) {
		uint64_t c;

		if (++i == nb)
			i = 0;
		c = (uint64_t)weir_sched_conns(load, v->srv[i].id) + 1;
		if (weir_sched_ratio_cmp(c, v->srv[i].weight, best_c, best_w) < 0) {
			best = i;
			best_c = c;
			best_w = v->srv[i].weight;
		}
	}
	st->rr = best + 1 < nb ? best + 1 : 0;
	return (int)best;
}

const struct weir_sched_ops weir_sched_leastconn_ops = {
	.algo = WEIR_BALANCE_LEASTCONN,
	.name = "leastconn",
	.build = NULL,
	.pick = leastconn_pick,
};
