/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input: header validation and dispatch by destination and protocol. */
#ifndef WEIR_IPV4_H
#define WEIR_IPV4_H

#include <rte_ip.h>

#include "core/dp.h"

/*
 * Validate the IPv4 header of a frame from @p (RFC 1812 5.2.2: length, version,
 * header length, total length, checksum; also martian sources and fragments), trim
 * Ethernet padding, and dispatch by destination. Takes ownership of @m.
 */
void weir_ipv4_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m);

/* True when @src (network order) can be the address of a host sending to Weir. */
static inline bool weir_ipv4_src_ok(uint32_t src)
{
	uint8_t first = (uint8_t)(rte_be_to_cpu_32(src) >> 24);

	/* 0/8 (this network), 127/8 (loopback), 224/4 multicast and 240/4 (incl. broadcast) */
	return first != 0 && first != 127 && first < 224;
}

#endif
