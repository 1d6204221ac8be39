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

/*
 * True when @src (network order) can be the address of a host sending to Weir: its first
 * byte b is none of 0 (this network), 127 (loopback), 224 to 239 (multicast), 240 to 255
 * (reserved, and broadcast). In two compares: b - 1, on 8 bits, is at least 223 for 0
 * and for 224 to 255, and 126 for 127.
 */
static inline bool weir_ipv4_src_ok(uint32_t src)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	uint8_t b1 = (uint8_t)((src & 0xff) - 1);
#else
	uint8_t b1 = (uint8_t)((src >> 24) - 1);
#endif

	return b1 < 223 && b1 != 126;
}

#endif
