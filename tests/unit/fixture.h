/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit-test fixture: an EAL without hugepages or devices and a dataplane built from a config. */
#ifndef WEIR_TEST_FIXTURE_H
#define WEIR_TEST_FIXTURE_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

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

/* The MAC servers' frames come from in packet tests (client frames: fixture_peer_mac). */
extern const struct rte_ether_addr fixture_srv_mac;

/* Teach @dp's neighbour table that @ip (dotted) on port @port has @mac. */
void fixture_learn(struct weir_dp *dp, uint16_t port, const char *ip,
		   const struct rte_ether_addr *mac);

/*
 * The L4 tests' group setup: EAL, @dp from @conf_text, the runtime's L4 commands, and
 * the neighbours: the client 10.0.0.2 on port 0 and each of @servers (dotted, up to a
 * NULL) on port 1. Returns 0 or -1.
 */
int fixture_l4_setup(struct weir_dp *dp, const char *conf_text, const char *const *servers);

/* A TCP segment with 16 bytes of data, in one frame. */
struct tcp_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr tcp;
	uint8_t data[16];
} __attribute__((packed, aligned(2)));

/* An IPv4 header without options from @src to @dst (dotted) over @l4len bytes. */
void ip_hdr(struct rte_ipv4_hdr *ip, const char *src, const char *dst, uint8_t proto,
	    uint16_t l4len);

/*
 * A TCP segment from @src:@sport to @dst:@dport arriving on port @port: from
 * fixture_peer_mac on port 0, from fixture_srv_mac on the others.
 */
void tcp_seg(struct tcp_frame *f, uint16_t port, const char *src, uint16_t sport, const char *dst,
	     uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack);

/* A fresh mbuf holding @len bytes copied from @data. */
struct rte_mbuf *fixture_mbuf(struct weir_dp *dp, const void *data, uint16_t len);

/* Take the packets worker 0 queued for port @port (without sending them). */
unsigned int fixture_take_tx(struct weir_dp *dp, uint16_t port, struct rte_mbuf **out,
			     unsigned int max);

/* The drop counter @why of worker 0. */
uint64_t fixture_drops(struct weir_dp *dp, unsigned int why);

/* The number after "@key: " in what runtime command @cmd prints, or -1 when absent. */
int64_t fixture_rt_value(struct weir_dp *dp, const char *cmd, const char *key);

#endif
