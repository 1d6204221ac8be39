/* SPDX-License-Identifier: BSD-3-Clause */
/* Process-wide dataplane state and the per-worker context. */
#ifndef WEIR_DP_H
#define WEIR_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "conf/conf.h"
#include "core/counters.h"
#include "core/fault.h"

#define WEIR_MAX_PORTS     WEIR_MAX_IFACES
#define WEIR_RX_BURST      32
#define WEIR_TX_BURST      32
#define WEIR_CTRL_RING     1024                 /* main lcore -> worker: packets to send */
#define WEIR_EVENT_RING    4096                 /* workers -> main lcore: neighbour events */
#define WEIR_PORT_MAX_ADDR WEIR_MAX_IFACE_ADDRS /* addresses one interface answers ARP for */

struct weir_neigh_table;
struct weir_addr_table;
struct weir_lb;
struct weir_l4w;

/* What an address Weir answers for is. */
enum weir_addr_kind {
	WEIR_ADDR_IFACE = 1, /* the interface's own address */
	WEIR_ADDR_VIP,       /* a service's virtual IP */
	WEIR_ADDR_LOCAL,     /* a full-NAT source address */
};

/* One configured interface, bound to a DPDK port. Read-only once workers run. */
struct weir_port {
	uint16_t port_id; /* DPDK port id */
	uint16_t index;   /* position in weir_dp.ports and in the config */
	char name[WEIR_NAME_MAX];
	const char *device;
	struct rte_ether_addr mac;
	uint32_t addr;  /* network order */
	uint32_t mask;  /* network order */
	uint32_t bcast; /* the subnet's broadcast address; none (0) on a /31 or /32 (RFC 3021) */
	uint32_t gateway;
	uint8_t prefixlen;
	uint16_t mtu;
	uint16_t nb_rxq; /* queues: one per worker */
	uint16_t nb_txq;
	/* Addresses answered on this port (ARP, ICMP echo), gratuitously announced at start. */
	uint32_t owned[WEIR_PORT_MAX_ADDR];
	uint8_t owned_kind[WEIR_PORT_MAX_ADDR];
	uint16_t nb_owned;
	bool started;
	/*
	 * Client frames go to the worker a hash of their 5-tuple names (weir_l4_input()),
	 * not the one whose queue they came in on: the device's spreading is the kernel's
	 * (net_af_packet, net_tap), which for a frame from a local socket (a veth) follows
	 * the sender's socket hash, and the sender changes that when it retransmits.
	 */
	bool steer;
	/*
	 * The RX checksum offloads in force (RTE_ETH_RX_OFFLOAD_{IPV4,TCP,UDP}_CKSUM), where
	 * the device has them: its verdict in each mbuf spares the software checksums.
	 */
	uint64_t rx_csum;
};

/* A packet waiting in a worker's transmit buffer for one port. */
struct weir_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[WEIR_TX_BURST];
};

/* Per-port counters of one worker: that worker's queue on the port. */
struct weir_qstats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

/* Counters of one worker. Only that worker writes them; readers sum across workers. */
struct weir_wstats {
	uint64_t drops[WEIR_DROP_MAX];
	uint64_t events[WEIR_EV_MAX];
	struct weir_qstats q[WEIR_MAX_PORTS];
	uint64_t loops;
	uint64_t idle_sleeps;
};

/* Events a worker hands to the main lcore (fixed size, through an rte_ring). */
enum weir_ev_type {
	WEIR_EVT_ARP = 1,     /* an ARP packet was seen: learn its sender */
	WEIR_EVT_RESOLVE = 2, /* a worker needs the MAC of @ip (miss or stale entry) */
};

#define WEIR_EVF_ARP_REPLY   0x01 /* the ARP was a reply */
#define WEIR_EVF_ARP_FOR_US  0x02 /* the ARP was a request for one of our addresses */
#define WEIR_EVF_ARP_CLAIMED 0x04 /* the sender claims an address Weir owns */

struct weir_event_msg {
	uint32_t ip; /* network order */
	struct rte_ether_addr mac;
	uint8_t type;
	uint8_t flags;
	uint16_t port; /* weir_port index */
	uint16_t worker;
	uint8_t pad[2];
};

struct weir_dp;

/* A poll-mode worker. Everything here belongs to its lcore alone. */
struct weir_worker {
	uint16_t id;
	unsigned int lcore;
	struct weir_dp *dp;
	struct rte_mempool *pool;
	struct rte_ring *ctrl; /* packets from the main lcore to transmit (SP/SC) */
	uint64_t now;          /* TSC at the start of the current loop iteration */
	uint64_t prev_now;     /* the previous iteration's: this one's frames came after it */
	uint32_t empty_polls;
	uint32_t sleep_us;
	struct weir_txbuf tx[WEIR_MAX_PORTS];
	struct weir_l4w *l4; /* flow table, local ports, L4 counters */
	/* Test fault injection per port (configured ports only), received and sent. */
	struct weir_fault rx_fault[WEIR_MAX_PORTS];
	struct weir_fault tx_fault[WEIR_MAX_PORTS];
	struct weir_wstats st;
} __rte_cache_aligned;

/* The dataplane process. One instance, built by main() before the workers start. */
struct weir_dp {
	struct weir_conf *conf;
	struct weir_port ports[WEIR_MAX_PORTS];
	uint16_t nb_ports;
	struct weir_port *port_by_id[RTE_MAX_ETHPORTS];
	struct weir_worker *workers;
	uint16_t nb_workers;
	struct rte_mempool *pool;
	struct rte_ring *events; /* workers -> main (MP/SC), struct weir_event_msg */
	struct weir_neigh_table *neigh;
	struct weir_addr_table *addrs;
	struct weir_lb *lb;
	struct rte_ring *to_main; /* packets for the main lcore (health replies), MP/SC */
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t start_time; /* wall clock, seconds */
	bool hugepages;
	volatile int quit;
	/* Counters of the main lcore's own work (packets it originates, events it drops). */
	uint64_t main_tx;
	uint64_t main_tx_fail;
	uint64_t events_lost;
};

/* Count a drop and free the packet. */
static inline void weir_drop(struct weir_worker *w, struct rte_mbuf *m, enum weir_drop why)
{
	w->st.drops[why]++;
	rte_pktmbuf_free(m);
}

/*
 * Milliseconds from TSC cycles, and back. The products take 128 bits: on 64, tsc * 1000
 * overflows once the TSC passes 2^64 / 1000, about 70 days from boot at 3 GHz, and an
 * appliance runs longer than that.
 */
static inline uint64_t weir_tsc_to_ms(const struct weir_dp *dp, uint64_t tsc)
{
	return (uint64_t)((unsigned __int128)tsc * 1000 / dp->tsc_hz);
}

static inline uint64_t weir_ms_to_tsc(const struct weir_dp *dp, uint64_t ms)
{
	return (uint64_t)((unsigned __int128)ms * dp->tsc_hz / 1000);
}

#endif
