/* SPDX-License-Identifier: BSD-3-Clause */
/* Where a neighbour lives in the neighbour table: shared with the config loader. */
#ifndef WEIR_NEIGH_HASH_H
#define WEIR_NEIGH_HASH_H

/*
 * No DPDK here: conf/conf.c includes this to refuse static neighbours that the table
 * could not hold at start (weir_neigh_add_static() finds their bucket full), so both
 * place them the same way.
 */

#include <stdint.h>

#define WEIR_NEIGH_WAYS 8 /* entries per bucket; a full bucket evicts its oldest entry */

/* The buckets of a table of global.neigh.max_entries: a power of two, enough slots. */
static inline uint32_t weir_neigh_nb_buckets(uint32_t max_entries)
{
	uint32_t buckets = 1;

	while (buckets * WEIR_NEIGH_WAYS < max_entries)
		buckets <<= 1;
	return buckets;
}

/*
 * The bucket of @ip (host order) among @nb_buckets: a multiply of the address, whose
 * high bits are then folded down, so that its last octet spreads a subnet's hosts over
 * the buckets (taken in network order, the last octet only reached bits the mask cut
 * off, and a whole /24 shared one bucket of 8).
 */
static inline uint32_t weir_neigh_bucket(uint32_t ip, uint32_t nb_buckets)
{
	uint32_t h = ip * 2654435761u;

	return (h ^ h >> 16) & (nb_buckets - 1);
}

#endif
