/* SPDX-License-Identifier: BSD-3-Clause */
/* Round robin: plain rotation over the eligible servers, weights ignored. */
#include "sched/sched.h"

/*
 * The server after the one this worker chose last. Returns -1 when the view is empty.
 * st->rr may hold any value after a reset; it is folded into [0, nb) here.
 */
static int rr_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
		   const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	uint32_t i = st->rr;

	(void)load;
	(void)hash;
	(void)client;
	if (v->nb == 0)
		return -1;
	if (i >= v->nb)
		i %= v->nb;
	st->rr = i + 1 < v->nb ? i + 1 : 0;
	return (int)i;
}

const struct weir_sched_ops weir_sched_rr_ops = {
	.algo = WEIR_BALANCE_ROUNDROBIN,
	.name = "roundrobin",
	.build = NULL,
	.pick = rr_pick,
};
