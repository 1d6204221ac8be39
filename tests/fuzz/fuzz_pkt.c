/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: any frame, or burst of frames, received on any port, through the whole input path.
 */
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
 * workers' clock by that many seconds, so flows expire and timers fire. Without bit 2 of
 * byte 0, the rest is one frame; with it, the rest is a burst of frames, each after its
 * length (2 bytes, big-endian), so that frames opening a flow and frames of that flow
 * meet the fast path of established flows in one burst. The burst goes through the
 * worker's burst input, as received frames do. Then the main lcore handles what the
 * workers passed on (neighbour events, health replies) and the workers handle
 * redirected packets.
 */
#define MAX_FRAME 9000

/* A fresh mbuf holding @len bytes of @data, or NULL. */
static struct rte_mbuf *frame(struct weir_dp *dp, const uint8_t *data, size_t len, uint16_t port)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	if (m == NULL)
		return NULL;
	if (len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	m->port = port;
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weir_dp *dp = fuzz_dp();
	struct rte_mbuf *pkts[WEIR_RX_BURST];
	struct weir_worker *w;
	uint16_t port, i, n = 0;

	if (size < 2 || size - 2 > MAX_FRAME)
		return 0;
	w = &dp->workers[data[0] & 1];
	port = (data[0] >> 1) & 1;
	for (i = 0; i < dp->nb_workers; i++)
		dp->workers[i].now += (uint64_t)data[1] * dp->tsc_hz;
	if (!(data[0] & 4)) {
		pkts[n] = frame(dp, data + 2, size - 2, port);
		n += pkts[n] != NULL;
	} else {
		size_t off = 2;

		while (off + 2 <= size && n < WEIR_RX_BURST) {
			size_t len = (size_t)data[off] << 8 | data[off + 1];

			off += 2;
			if (len > size - off)
				len = size - off;
			pkts[n] = frame(dp, data + off, len, port);
			n += pkts[n] != NULL;
			off += len;
		}
	}
	if (n > 0)
		weir_l4_burst(w, &dp->ports[port], pkts, n);
	weir_dp_main_work(dp);
	for (i = 0; i < dp->nb_workers; i++)
		weir_l4_poll(&dp->workers[i]);
	fuzz_dp_drain(dp);
	return 0;
}
