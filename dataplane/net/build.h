/* SPDX-License-Identifier: BSD-3-Clause */
/* Building the few packets Weir originates: TCP control segments and ICMP errors. */
#ifndef WEIR_BUILD_H
#define WEIR_BUILD_H

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "core/dp.h"

/*
 * An Ethernet + IPv4 + TCP segment without payload (SYN, RST, RST|ACK ...), checksums
 * computed, from @p's MAC to @dst_mac. Addresses and ports in network order, @seq and
 * @ack in host order; a SYN carries an MSS option. Returns the mbuf (m->port = the
 * port index) or NULL when the pool is empty.
 */
struct rte_mbuf *weir_build_tcp(struct rte_mempool *pool, const struct weir_port *p,
				const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
				uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
				uint8_t flags, uint16_t mss);

/*
 * An ICMP error, @type and @code (destination unreachable or time exceeded), answering
 * the IPv4 datagram at @orig (its header and the first 8 bytes of its payload are
 * quoted, RFC 792), sent from @src; @mtu is the next-hop MTU of a "fragmentation
 * needed" (code 4, RFC 1191), else 0.
 */
struct rte_mbuf *weir_build_icmp_error(struct rte_mempool *pool, const struct weir_port *p,
				       const struct rte_ether_addr *dst_mac, uint32_t src,
				       const struct rte_ipv4_hdr *orig, uint8_t type, uint8_t code,
				       uint16_t mtu);

#endif
