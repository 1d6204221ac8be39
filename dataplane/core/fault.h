/* SPDX-License-Identifier: BSD-3-Clause */
/* The test fault injector: drops, duplicates and reorders frames on one port. */
#ifndef WEIR_FAULT_H
#define WEIR_FAULT_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "conf/conf.h"

/*
 * Enabled only by an interface's `fault` group in the config, to test how Weir and its
 * peers cope with a bad network: each worker draws from its own seeded PRNG, so a run is
 * repeatable. Applied to the bursts a worker receives and the bursts it sends.
 */
struct weir_fault {
	uint32_t drop_ppm;
	uint32_t reorder_ppm;
	uint32_t dup_ppm;
	uint64_t rng;
	struct rte_mbuf *held; /* a received frame held back to arrive after the next one */
	uint64_t dropped;
	uint64_t duplicated;
	uint64_t reordered;
};

/* Set up @f from the config for worker @worker (0 rates when disabled). */
void weir_fault_init(struct weir_fault *f, const struct weir_conf_fault *conf, uint16_t worker);

static inline bool weir_fault_on(const struct weir_fault *f)
{
	return (f->drop_ppm | f->reorder_ppm | f->dup_ppm) != 0;
}

/*
 * Apply the faults to the @n frames of @pkts in place (room for @cap); returns the new
 * count. Duplicates are deep copies (the forwarding path rewrites headers in place); a
 * reordered frame is held and delivered after the next frame, or by the next call.
 */
uint16_t weir_fault_apply(struct weir_fault *f, struct rte_mempool *pool, struct rte_mbuf **pkts,
			  uint16_t n, uint16_t cap);

#endif
