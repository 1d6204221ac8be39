/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo replies for the addresses Weir owns, and the types and codes Weir uses. */
#ifndef WEIR_ICMP_H
#define WEIR_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dp.h"

/* Types (RFC 792) and the codes Weir sends (RFC 792, RFC 1191). */
#define WEIR_ICMP_DEST_UNREACH  3
#define WEIR_ICMP_TIME_EXCEEDED 11
#define WEIR_ICMP_PROTO_UNREACH 2 /* code */
#define WEIR_ICMP_PORT_UNREACH  3 /* code */
#define WEIR_ICMP_FRAG_NEEDED   4 /* code: the next-hop MTU in the header's last word */
#define WEIR_ICMP_EXC_TTL       0 /* time-exceeded code: TTL exceeded in transit */

/* True for the types that report a datagram's failure, quoting it (weir_l4_icmp_error()). */
static inline bool weir_icmp_is_error(uint8_t type)
{
	return type == WEIR_ICMP_DEST_UNREACH || type == WEIR_ICMP_TIME_EXCEEDED;
}

/*
 * An ICMP message to one of Weir's addresses, its IPv4 header (@ihl bytes) already
 * validated and the frame trimmed to the datagram. Echo requests are answered in place
 * on @p; errors quoting a datagram of an L4 flow are forwarded (weir_l4_icmp_error());
 * everything else is counted and dropped. Takes ownership of @m.
 */
void weir_icmp_input(struct weir_worker *w, struct weir_port *p, struct rte_mbuf *m, uint32_t ihl);

#endif
