/* SPDX-License-Identifier: BSD-3-Clause */
/* Building and tearing down the dataplane around an initialised EAL. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "core/lifecycle.h"
#include "core/log.h"
#include "core/worker.h"
#include "health/check.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/port.h"

#define POOL_CACHE      256
#define NEIGH_TIMER_MS  20
#define EVENTS_PER_PASS 256
/* Passes of events per call: a flood from the workers cannot hold the main lcore. */
#define EVENT_PASSES   8
#define FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 8)

/*
 * The config loader sizes the packet pool with these (conf/memory.c): its estimate must
 * not exceed what the pool takes, so DPDK's sizes may only be larger.
 */
_Static_assert(FRAME_OVERHEAD == WEIR_MEM_FRAME_OVERHEAD &&
		       RTE_MBUF_DEFAULT_DATAROOM >= WEIR_MEM_MBUF_ROOM &&
		       RTE_PKTMBUF_HEADROOM >= WEIR_MEM_MBUF_HEADROOM &&
		       sizeof(struct rte_mbuf) >= WEIR_MEM_MBUF &&
		       RTE_MAX_LCORE * sizeof(struct rte_mempool_cache) >= WEIR_MEM_POOL_CACHES,
	       "the packet pool's sizes in conf/conf.h (WEIR_MEM_MBUF*) must follow DPDK's");

int weir_dp_init(struct weir_dp *dp, struct weir_conf *conf)
{
	uint32_t i, max_mtu = 0;
	uint16_t room = RTE_MBUF_DEFAULT_DATAROOM;
	int rc;

	memset(dp, 0, sizeof(*dp));
	dp->conf = conf;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->start_tsc = rte_rdtsc();
	dp->start_time = (uint64_t)time(NULL);

	for (i = 0; i < conf->nb_ifaces; i++)
		max_mtu = RTE_MAX(max_mtu, conf->ifaces[i].mtu);
	if (max_mtu + FRAME_OVERHEAD > room)
		room = (uint16_t)(max_mtu + FRAME_OVERHEAD);
	dp->pool = rte_pktmbuf_pool_create("weir_pool", conf->global.mbufs, POOL_CACHE, 0,
					   (uint16_t)(room + RTE_PKTMBUF_HEADROOM),
					   (int)rte_socket_id());
	if (dp->pool == NULL) {
		WEIR_LOG(ERR, main, "cannot create the packet pool (%u mbufs): %s\n",
			 conf->global.mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	dp->events = rte_ring_create_elem("weir_events", sizeof(struct weir_event_msg),
					  WEIR_EVENT_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	dp->neigh = weir_neigh_create(conf->global.neigh.max_entries);
	if (dp->events == NULL || dp->neigh == NULL) {
		WEIR_LOG(ERR, main, "cannot allocate the event ring and neighbour table\n");
		return -ENOMEM;
	}
	rc = weir_workers_init(dp);
	if (rc < 0) {
		WEIR_LOG(ERR, main, "cannot set up the workers: %s\n", strerror(-rc));
		return rc;
	}
	weir_ports_setup(dp);
	dp->addrs = weir_addr_build(dp);
	if (dp->addrs == NULL)
		return -errno;
	rc = weir_lb_init(dp);
	if (rc < 0) {
		WEIR_LOG(ERR, main, "cannot set up load balancing: %s\n", strerror(-rc));
		return rc;
	}
	return 0;
}

int weir_dp_start(struct weir_dp *dp)
{
	const struct weir_conf *c = dp->conf;
	uint64_t now = rte_rdtsc();
	uint32_t b, s, nexthop;
	uint16_t i;
	int rc;

	rc = weir_ports_start(dp);
	if (rc < 0)
		return rc;
	weir_neigh_announce(dp);
	for (b = 0; b < c->nb_neighbours; b++) {
		const struct weir_conf_neighbour *n = &c->neighbours[b];
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, n->mac, sizeof(mac.addr_bytes));
		if (weir_neigh_add_static(dp, (uint16_t)n->iface, n->addr, &mac, now) != 0)
			WEIR_LOG(WARNING, neigh, "no room for the static neighbour of line %d\n",
				 n->line);
	}
	/* Gateways and servers are resolved now and kept resolved, so no first packet waits. */
	for (i = 0; i < dp->nb_ports; i++)
		if (dp->ports[i].gateway != 0)
			weir_neigh_watch(dp, i, dp->ports[i].gateway, now);
	for (b = 0; b < c->nb_backends; b++)
		for (s = 0; s < c->backends[b].nb_servers; s++) {
			int port = weir_route(dp, c->backends[b].servers[s].addr, &nexthop);

			if (port >= 0)
				weir_neigh_watch(dp, (uint16_t)port, nexthop, now);
		}
	weir_health_init(dp);
	return 0;
}

void weir_dp_main_work(struct weir_dp *dp)
{
	static uint64_t next_timer;
	struct weir_event_msg ev[EVENTS_PER_PASS];
	uint64_t now = rte_rdtsc();
	unsigned int n, i, pass = 0;

	do {
		n = rte_ring_sc_dequeue_burst_elem(dp->events, ev, sizeof(ev[0]), EVENTS_PER_PASS,
						   NULL);
		for (i = 0; i < n; i++)
			weir_neigh_event(dp, &ev[i], now);
	} while (n == EVENTS_PER_PASS && ++pass < EVENT_PASSES);
	do {
		struct rte_mbuf *pkts[32];

		n = rte_ring_sc_dequeue_burst(dp->to_main, (void **)pkts, RTE_DIM(pkts), NULL);
		for (i = 0; i < n; i++)
			weir_health_input(dp, pkts[i], now);
	} while (n == 32);
	weir_health_poll(dp, now);
	weir_l4_stat_tick(dp, now);
	if (now >= next_timer) {
		weir_neigh_timer(dp, now);
		weir_lb_reclaim(dp);
		next_timer = now + weir_ms_to_tsc(dp, NEIGH_TIMER_MS);
	}
}

void weir_eal_cleanup(void)
{
	char dir[PATH_MAX], file[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(dir);
}

void weir_dp_fini(struct weir_dp *dp)
{
	weir_ports_stop(dp);
	weir_lb_fini(dp);
	weir_workers_free(dp);
	weir_addr_free(dp->addrs);
	weir_neigh_free(dp->neigh);
	rte_ring_free(dp->events);
	rte_mempool_free(dp->pool);
	weir_conf_free(dp->conf);
	memset(dp, 0, sizeof(*dp));
}
