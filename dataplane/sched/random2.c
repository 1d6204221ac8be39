/* SPDX-License-Identifier: BSD-3-Clause */
/* Random: the power of two random choices, both drawn by weight, the less loaded kept. */
#include "sched/sched.h"

/*
 * Draw two servers at random in proportion to their weights (they may be the same one)
 * and keep the one with the lower (conns + 1) / weight; on a tie, the first. This needs
 * no coordination between workers and avoids the herding of a strict least-connections
 * choice on stale counts. Without counts (load or load->conns NULL) it is plain weighted
 * random: the first draw. Returns -1 on an empty view.
 */
static int random_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		       const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	uint32_t a, b;
	const struct weir_sched_server *sa, *sb;
	uint64_t ca, cb;

	(void)hash;
	(void)client;
	if (v->nb == 0)
		return -1;
	a = weir_sched_draw(v, st);
	if (load == NULL || load->conns == NULL)
		return (int)a;
	b = weir_sched_draw(v, st);
	sa = &v->srv[a];
	sb = &v->srv[b];
	ca = (uint64_t)load->conns[sa->id] + 1;
	cb = (uint64_t)load->conns[sb->id] + 1;
	return weir_sched_ratio_cmp(cb, sb->weight, ca, sa->weight) < 0 ? (int)b : (int)a;
}

const struct weir_sched_ops weir_sched_random_ops = {
	.algo = WEIR_BALANCE_RANDOM,
	.name = "random",
	.build = NULL,
	.pick = random_pick,
};
