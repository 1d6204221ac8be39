/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit-test fixture: an EAL without hugepages or devices and a dataplane built from a config. */
#ifndef WEIR_TEST_FIXTURE_H
#define WEIR_TEST_FIXTURE_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "core/dp.h"

/*
 * The config every packet test runs against: "client" 10.0.0.1/24 (VIP 10.0.0.10) and
 * "servers" 10.1.0.1/24 with a gateway-free server subnet, one worker.
 */
extern const char *fixture_conf;

/* Start EAL once per process (--no-huge --no-pci --no-shconf). Returns 0 or -1. */
int fixture_eal(void);

/* Build @dp from @conf_text (aborts the test on config errors); port MACs are set. */
void fixture_dp(struct weir_dp *dp, const char *conf_text);
void fixture_dp_fini(struct weir_dp *dp);

/* The MAC fixture_dp() gives port @i, and a peer MAC used as the sender of frames. */
void fixture_port_mac(unsigned int i, struct rte_ether_addr *mac);
extern const struct rte_ether_addr fixture_peer_mac;

/* A dotted address in network order. */
uint32_t ip4(const char *s);

/* A fresh mbuf holding @len bytes copied from @data. */
struct rte_mbuf *fixture_mbuf(struct weir_dp *dp, const void *data, uint16_t len);

/* Take the packets worker 0 queued for port @port (without sending them). */
unsigned int fixture_take_tx(struct weir_dp *dp, uint16_t port, struct rte_mbuf **out,
			     unsigned int max);

/* The drop counter @why of worker 0. */
uint64_t fixture_drops(struct weir_dp *dp, unsigned int why);

#endif
