/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll-mode worker loop and its transmit buffers. */
#ifndef WEIR_WORKER_H
#define WEIR_WORKER_H

#include <string.h>

#include <rte_common.h>

#include "core/dp.h"

/* Send what worker @w buffered for @port; what the queue refuses is counted and freed. */
void weir_tx_burst(struct weir_worker *w, uint16_t port);

/*
 * Queue @m for transmission on @port (a weir_port index) from worker @w's own TX queue.
 * Takes ownership of @m. The buffer is flushed when full and at the end of each loop
 * iteration, so packets leave in bursts.
 */
static inline void weir_tx(struct weir_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct weir_txbuf *b = &w->tx[port];

	b->pkts[b->n++] = m;
	if (unlikely(b->n == WEIR_TX_BURST))
		weir_tx_burst(w, port);
}

/* Queue @n packets for @port in order, as n calls of weir_tx() would. */
static inline void weir_tx_bulk(struct weir_worker *w, uint16_t port, struct rte_mbuf *const *pkts,
				uint16_t n)
{
	struct weir_txbuf *b = &w->tx[port];

	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)(WEIR_TX_BURST - b->n));

		memcpy(&b->pkts[b->n], pkts, sizeof(*pkts) * k);
		b->n = (uint16_t)(b->n + k);
		pkts += k;
		n = (uint16_t)(n - k);
		if (b->n == WEIR_TX_BURST)
			weir_tx_burst(w, port);
	}
}

/* Send everything buffered on every port; what the queue refuses is counted and freed. */
void weir_tx_flush(struct weir_worker *w);

/*
 * One iteration of the worker loop: receive a burst from each of the worker's queues,
 * hand every packet to the input path, send what the main lcore queued, flush.
 * Returns the number of packets handled: received, redirected from other workers, and
 * queued by the main lcore.
 */
unsigned int weir_worker_poll(struct weir_worker *w);

/* The lcore entry point: runs weir_worker_poll() until dp->quit. Returns 0. */
int weir_worker_main(void *arg);

/* Allocate and set up the workers' contexts (not started). Returns 0 or -errno. */
int weir_workers_init(struct weir_dp *dp);
void weir_workers_free(struct weir_dp *dp);

/*
 * Main lcore: send @m (built by the main lcore; m->port holds the weir_port index)
 * through a worker's TX queue, since only workers own queues. Takes ownership of @m.
 */
void weir_main_tx(struct weir_dp *dp, struct rte_mbuf *m);

#endif
