/* SPDX-License-Identifier: BSD-3-Clause */
/* The set of IPv4 addresses Weir owns: interface addresses, VIPs, full-NAT sources. */
#ifndef WEIR_ADDR_H
#define WEIR_ADDR_H

#include <stdint.h>

#include <rte_byteorder.h>

#include "core/dp.h"

struct weir_addr_entry {
	uint32_t ip;  /* network order; 0 marks a free slot */
	uint8_t kind; /* enum weir_addr_kind */
	uint8_t port; /* weir_port index it is announced on */
	uint16_t vip; /* for a VIP: its index in weir_lb.vips */
};

/* Open-addressed, immutable once built, so workers read it without synchronisation. */
struct weir_addr_table {
	uint32_t mask; /* slots - 1; slots is a power of two, at least twice the count */
	uint32_t count;
	struct weir_addr_entry slot[];
};

/*
 * Where @ip's (network order) probe starts: a multiply in host order, its high bits
 * folded down, so that the last octet spreads a subnet's addresses too.
 */
static inline uint32_t weir_addr_hash(uint32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip) * 2654435761u;

	return h ^ h >> 16;
}

/* The entry for @ip (network order), or NULL when Weir does not own it. */
static inline const struct weir_addr_entry *weir_addr_lookup(const struct weir_addr_table *t,
							     uint32_t ip)
{
	uint32_t i = weir_addr_hash(ip);

	if (ip == 0)
		return NULL; /* 0.0.0.0 is nobody's, and 0 marks the empty slots */
	for (;; i++) {
		const struct weir_addr_entry *e = &t->slot[i & t->mask];

		if (e->ip == ip)
			return e;
		if (e->ip == 0)
			return NULL;
	}
}

/*
 * Fill every port's owned-address list from the config (interface address, the VIPs of
 * services announced there, full-NAT source addresses in its subnet) and build the
 * lookup table from them. Returns the table (rte_malloc'd) or NULL with errno set.
 */
struct weir_addr_table *weir_addr_build(struct weir_dp *dp);
void weir_addr_free(struct weir_addr_table *t);

#endif
