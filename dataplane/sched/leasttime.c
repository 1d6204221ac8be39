/* SPDX-License-Identifier: BSD-3-Clause */
/* Least time: the lowest EWMA of connect time, scaled by load and weight. */
#include "sched/sched.h"

/* How a server ranks: unsampled servers first, then by score / weight. */
struct lt_rank {
	bool known;     /* has a connect-time sample */
	uint64_t score; /* known: ewma_us * (conns + 1); unknown: conns + 1 */
	uint32_t weight;
};

/* The rank of @s under @load. */
static struct lt_rank lt_rank_of(const struct weir_sched_server *s,
				 const struct weir_sched_load *load)
{
	struct lt_rank r;
	uint64_t c = (uint64_t)weir_sched_conns(load, s->id) + 1;
	uint32_t e = load != NULL && load->ewma_us != NULL ? load->ewma_us[s->id] : 0;

	r.known = e != 0;
	r.score = r.known ? e * c : c;
	r.weight = s->weight;
	return r;
}

/* Whether @a ranks strictly before @b. */
static bool lt_before(const struct lt_rank *a, const struct lt_rank *b)
{
	if (a->known != b->known)
		return !a->known;
	return weir_sched_ratio_cmp(a->score, a->weight, b->score, b->weight) < 0;
}

/*
 * The server with the lowest ewma_us * (conns + 1) / weight (exact, no floats). Servers
 * this worker has no sample for come first, so each one gets probed; among them the one
 * with the fewest flows relative to its weight. Ties go to the first met in a scan that
 * starts after the last choice, so equal servers take turns. A slow server that stops
 * getting flows keeps its old EWMA, but as the fast ones fill up (conns + 1 grows) it is
 * chosen again and re-measured. Returns -1 on an empty view.
 */
static int leasttime_pick(const struct weir_sched_view *v, struct weir_sched_state *st,
			  const struct weir_sched_load *load, uint32_t hash, uint32_t client)
{
	uint32_t nb = v->nb, i, n, best;
	struct lt_rank best_r, r;

	(void)hash;
	(void)client;
	if (nb == 0)
		return -1;
	i = st->rr < nb ? st->rr : st->rr % nb;
	best = i;
	best_r = lt_rank_of(&v->srv[i], load);
	for (n = 1; n < nb; n++) {
		if (++i == nb)
			i = 0;
		r = lt_rank_of(&v->srv[i], load);
		if (lt_before(&r, &best_r)) {
			best = i;
			best_r = r;
		}
	}
	st->rr = best + 1 < nb ? best + 1 : 0;
	return (int)best;
}

const struct weir_sched_ops weir_sched_leasttime_ops = {
	.algo = WEIR_BALANCE_LEASTTIME,
	.name = "leasttime",
	.build = NULL,
	.pick = leasttime_pick,
};
