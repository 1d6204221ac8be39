/* SPDX-License-Identifier: BSD-3-Clause */
/* The test fault injector: drops, duplicates and reorders frames on one port. */
#include <string.h>

#include "core/fault.h"

void weir_fault_init(struct weir_fault *f, const struct weir_conf_fault *conf, uint16_t worker)
{
	memset(f, 0, sizeof(*f));
	if (!conf->enabled)
		return;
	f->drop_ppm = conf->drop_ppm;
	f->reorder_ppm = conf->reorder_ppm;
	f->dup_ppm = conf->duplicate_ppm;
	/* splitmix64 of the seed and worker: distinct, repeatable streams, never 0. */
	f->rng = conf->seed + 0x9e3779b97f4a7c15ull * (worker + 1u);
	f->rng = (f->rng ^ (f->rng >> 30)) * 0xbf58476d1ce4e5b9ull;
	f->rng = (f->rng ^ (f->rng >> 27)) * 0x94d049bb133111ebull;
	f->rng ^= f->rng >> 31;
	if (f->rng == 0)
		f->rng = 1;
}

/* A draw in [0, 1000000). */
static uint32_t draw(struct weir_fault *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return (uint32_t)(((f->rng * 0x2545f4914f6cdd1dull) >> 32) % 1000000u);
}

uint16_t weir_fault_apply(struct weir_fault *f, struct rte_mempool *pool, struct rte_mbuf **pkts,
			  uint16_t n, uint16_t cap)
{
	struct rte_mbuf *out[2 * 64];
	uint16_t i, k = 0;

	if (cap > RTE_DIM(out) / 2)
		cap = RTE_DIM(out) / 2;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (draw(f) < f->drop_ppm) {
			rte_pktmbuf_free(m);
			f->dropped++;
			continue;
		}
		if (f->held == NULL && draw(f) < f->reorder_ppm) {
			f->held = m;
			f->reordered++;
			continue;
		}
		out[k++] = m;
		if (f->held != NULL) {
			out[k++] = f->held;
			f->held = NULL;
		}
		if (draw(f) < f->dup_ppm) {
			struct rte_mbuf *c = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);

			if (c != NULL) {
				out[k++] = c;
				f->duplicated++;
			}
		}
	}
	/* A frame held from an earlier burst does not wait for traffic that may not come. */
	if (f->held != NULL && n == 0) {
		out[k++] = f->held;
		f->held = NULL;
	}
	/* Beyond the caller's room, drop (counted): the burst arrays are fixed. */
	for (i = cap; i < k; i++) {
		rte_pktmbuf_free(out[i]);
		f->dropped++;
	}
	if (k > cap)
		k = cap;
	memcpy(pkts, out, k * sizeof(*pkts));
	return k;
}
