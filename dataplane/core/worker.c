/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll-mode worker loop and its transmit buffers. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "core/log.h"
#include "core/worker.h"
#include "l4/l4.h"
#include "l4/proxy.h"
#include "net/pkt.h"

/* Adaptive polling: after this many empty iterations, start sleeping ... */
#define ADAPTIVE_IDLE_LOOPS 64
/* ... from this many microseconds, doubling up to the maximum while still idle. */
#define ADAPTIVE_SLEEP_MIN_US 10
#define ADAPTIVE_SLEEP_MAX_US 500

void weir_tx_burst(struct weir_worker *w, uint16_t port)
{
	struct weir_txbuf *b = &w->tx[port];
	struct weir_port *p = &w->dp->ports[port];
	uint16_t sent = 0, i;

	/*
	 * The test fault injector first (an empty buffer too: a frame it held back goes out
	 * without waiting for traffic that may not come), so that what it drops or
	 * duplicates is counted as what it is.
	 */
	if (unlikely(weir_fault_on(&w->tx_fault[port])))
		b->n = weir_fault_apply(&w->tx_fault[port], w->pool, b->pkts, b->n, WEIR_TX_BURST);
	if (b->n == 0)
		return;
	/* Counted as sent here, a burst at a time; what the queue refuses is taken back. */
	for (i = 0; i < b->n; i++)
		w->st.q[port].tx_bytes += rte_pktmbuf_pkt_len(b->pkts[i]);
	w->st.q[port].tx_pkts += b->n;
	if (p->started)
		sent = rte_eth_tx_burst(p->port_id, w->id, b->pkts, b->n);
	for (i = sent; i < b->n; i++) {
		w->st.q[port].tx_bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
		w->st.q[port].tx_pkts--;
		weir_drop(w, b->pkts[i], WEIR_DROP_TX_FULL);
	}
	b->n = 0;
}

void weir_tx_flush(struct weir_worker *w)
{
	uint16_t i;

	for (i = 0; i < w->dp->nb_ports; i++)
		weir_tx_burst(w, i);
}

/*
 * Send the packets the main lcore built (ARP requests, probes); m->port is the index.
 * Returns how many.
 */
static unsigned int drain_ctrl(struct weir_worker *w)
{
	struct rte_mbuf *pkts[WEIR_TX_BURST];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(w->ctrl, (void **)pkts, WEIR_TX_BURST, NULL);
	for (i = 0; i < n; i++) {
		uint16_t port = pkts[i]->port;

		if (port >= w->dp->nb_ports) {
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		w->st.events[WEIR_EV_CTRL_TX]++;
		weir_tx(w, port, pkts[i]);
	}
	return n;
}

unsigned int weir_worker_poll(struct weir_worker *w)
{
	struct weir_dp *dp = w->dp;
	struct rte_mbuf *pkts[2 * WEIR_RX_BURST]; /* room for injected duplicates */
	unsigned int total = 0;
	uint16_t i, n;

	w->prev_now = w->now;
	w->now = rte_rdtsc();
	weir_proxy_poll(w);
	for (i = 0; i < dp->nb_ports; i++) {
		struct weir_port *p = &dp->ports[i];

		if (!p->started || w->id >= p->nb_rxq)
			continue;
		n = rte_eth_rx_burst(p->port_id, w->id, pkts, WEIR_RX_BURST);
		if (unlikely(weir_fault_on(&w->rx_fault[i])))
			n = weir_fault_apply(&w->rx_fault[i], w->pool, pkts, n, RTE_DIM(pkts));
		if (n == 0)
			continue;
		/*
		 * No prefetch of the frames' data ahead of the burst: the first pass of
		 * weir_l4_burst() reads each frame's first line, and its iterations are
		 * independent, so the core has several of those loads in flight at once.
		 */
		w->st.q[i].rx_pkts += n;
		w->st.q[i].rx_bytes += weir_l4_burst(w, p, pkts, n);
		total += n;
	}
	/* Frames from the other workers and the main lcore are work too (adaptive polling). */
	total += drain_ctrl(w);
	total += weir_l4_poll(w);
	weir_tx_flush(w);
	w->st.loops++;
	return total;
}

/* Sleep a little when a run of polls found nothing: lets workers share CPUs. */
static void adaptive_idle(struct weir_worker *w, unsigned int got)
{
	struct timespec ts;

	if (got) {
		w->empty_polls = 0;
		w->sleep_us = ADAPTIVE_SLEEP_MIN_US;
		return;
	}
	if (++w->empty_polls < ADAPTIVE_IDLE_LOOPS)
		return;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)w->sleep_us * 1000;
	nanosleep(&ts, NULL);
	w->st.idle_sleeps++;
	if (w->sleep_us < ADAPTIVE_SLEEP_MAX_US)
		w->sleep_us *= 2;
}

int weir_worker_main(void *arg)
{
	struct weir_worker *w = arg;
	bool adaptive = w->dp->conf->global.poll_mode == WEIR_POLL_ADAPTIVE;

	WEIR_LOG(INFO, main, "worker %u polling on lcore %u\n", w->id, rte_lcore_id());
	while (!__atomic_load_n(&w->dp->quit, __ATOMIC_RELAXED)) {
		unsigned int got = weir_worker_poll(w);

		if (adaptive)
			adaptive_idle(w, got);
	}
	weir_tx_flush(w);
	return 0;
}

int weir_workers_init(struct weir_dp *dp)
{
	uint16_t n = dp->conf->global.workers, i;
	uint32_t k;

	dp->workers = rte_zmalloc("weir_workers", sizeof(*dp->workers) * n, RTE_CACHE_LINE_SIZE);
	if (dp->workers == NULL)
		return -ENOMEM;
	dp->nb_workers = n;
	for (i = 0; i < n; i++) {
		struct weir_worker *w = &dp->workers[i];
		char name[RTE_RING_NAMESIZE];

		w->id = i;
		w->dp = dp;
		w->pool = dp->pool;
		w->sleep_us = ADAPTIVE_SLEEP_MIN_US;
		for (k = 0; k < dp->conf->nb_ifaces; k++) {
			weir_fault_init(&w->rx_fault[k], &dp->conf->ifaces[k].fault, i);
			weir_fault_init(&w->tx_fault[k], &dp->conf->ifaces[k].fault,
					(uint16_t)(i + WEIR_MAX_WORKERS));
		}
		snprintf(name, sizeof(name), "weir_ctrl%u", i);
		w->ctrl = rte_ring_create(name, WEIR_CTRL_RING, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->ctrl == NULL)
			return -rte_errno;
	}
	return 0;
}

void weir_workers_free(struct weir_dp *dp)
{
	uint16_t i;
	struct rte_mbuf *m;

	if (dp->workers == NULL)
		return;
	for (i = 0; i < dp->nb_workers; i++) {
		struct weir_worker *w = &dp->workers[i];

		if (w->ctrl) {
			while (rte_ring_dequeue(w->ctrl, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(w->ctrl);
		}
	}
	rte_free(dp->workers);
	dp->workers = NULL;
}

void weir_main_tx(struct weir_dp *dp, struct rte_mbuf *m)
{
	static unsigned int next;
	struct weir_worker *w = &dp->workers[next++ % dp->nb_workers];

	if (rte_ring_sp_enqueue(w->ctrl, m) != 0) {
		rte_pktmbuf_free(m);
		dp->main_tx_fail++;
		return;
	}
	dp->main_tx++;
}
