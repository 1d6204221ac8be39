/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the workers' counters. */
#include <string.h>

#include "core/stats.h"

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void weir_stats_sum(const struct weir_dp *dp, struct weir_wstats *sum)
{
	uint16_t i, p;
	unsigned int k;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < dp->nb_workers; i++) {
		const struct weir_wstats *s = &dp->workers[i].st;

		for (k = 0; k < WEIR_DROP_MAX; k++)
			sum->drops[k] += RD(s->drops[k]);
		for (k = 0; k < WEIR_EV_MAX; k++)
			sum->events[k] += RD(s->events[k]);
		for (p = 0; p < WEIR_MAX_PORTS; p++) {
			sum->q[p].rx_pkts += RD(s->q[p].rx_pkts);
			sum->q[p].rx_bytes += RD(s->q[p].rx_bytes);
			sum->q[p].tx_pkts += RD(s->q[p].tx_pkts);
			sum->q[p].tx_bytes += RD(s->q[p].tx_bytes);
		}
		sum->loops += RD(s->loops);
		sum->idle_sleeps += RD(s->idle_sleeps);
	}
}
