/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP-proxy services: client connections ended on Weir's stack, spliced to servers. */
#ifndef WEIR_PROXY_H
#define WEIR_PROXY_H

#include <rte_ip.h>

#include "core/dp.h"
#include "l4/flow.h"
#include "l4/lb.h"

/*
 * A `mode = "tcp"` service is a full proxy, like HAProxy's mode tcp: the client's TCP
 * connection ends in Weir (its own stack, per worker); once it is established Weir
 * chooses a server and opens a connection of its own to it, from a local address and a
 * port of the worker's slice (so the server's segments come back to this worker), and
 * splices the two: payload moves from one connection's receive queue to the other's
 * send queue without a copy, only as fast as the receiving side drains (a full side
 * closes the other's window). A FIN is passed on as a half-close; an RST or a timeout
 * ends both sides. One flow-table entry finds the session from either side: its client
 * 4-tuple, and its server 4-tuple once connected.
 */

/* Per-worker proxy state: the TCP stack, listeners, sessions. Returns 0 or -errno. */
int weir_proxy_init(struct weir_dp *dp);
void weir_proxy_fini(struct weir_dp *dp);

/*
 * A TCP segment, IPv4 validated and the TCP header and checksum checked by the L4 path:
 * to TCP-proxy service @svc (client side; @f its flow if one was found) or, with @svc
 * NULL, to a local address for proxy flow @f (server side), or for no flow at all (@f
 * NULL): answered by RST, within a rate limit, when the address and port are the
 * proxy's own (not full-NAT forwarding's), else dropped as no_flow. Takes @m.
 */
void weir_proxy_input(struct weir_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		      uint32_t ihl, const struct weir_service *svc, struct weir_flow *f);

/*
 * Once per loop iteration, before input: the stack's clock; once a tick, the sessions
 * whose data stopped for want of an mbuf are pumped again.
 */
void weir_proxy_poll(struct weir_worker *w);

/* `show sess` and TCP counters on the runtime socket. */
void weir_proxy_register_commands(void);

#endif
