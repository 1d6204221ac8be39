/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: any frame received on any port, through the whole input path. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>

#include "core/lifecycle.h"
#include "core/worker.h"
#include "fuzz_dp.h"
#include "l4/l4.h"
#include "net/pkt.h"

/*
 * Input: byte 0 picks the worker (bit 0) and the port (bit 1); byte 1 advances the
 * workers' clock by that many seconds, so flows expire and timers fire; the rest is the
 * frame. After each frame the main lcore handles what the workers passed on (neighbour
 * events, health replies) and the workers handle redirected packets.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weir_dp *dp = fuzz_dp();
	struct weir_worker *w;
	struct rte_mbuf *m;
	uint16_t port, i;

	if (size < 2 || size - 2 > 9000)
		return 0;
	w = &dp->workers[data[0] & 1];
	port = (data[0] >> 1) & 1;
	for (i = 0; i < dp->nb_workers; i++)
		dp->workers[i].now += (uint64_t)data[1] * dp->tsc_hz;
	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL)
		return 0;
	if (size - 2 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(size - 2)), data + 2, size - 2);
	m->port = port;
	weir_pkt_input(w, &dp->ports[port], m);
	weir_dp_main_work(dp);
	for (i = 0; i < dp->nb_workers; i++)
		weir_l4_poll(&dp->workers[i]);
	fuzz_dp_drain(dp);
	return 0;
}
