/* SPDX-License-Identifier: BSD-3-Clause */
/* Active health checks, run by the main lcore on the dataplane's own ports. */
#ifndef WEIR_CHECK_H
#define WEIR_CHECK_H

#include "core/dp.h"

struct weir_server;

/*
 * Probes are TCP SYNs sent from the interface address that faces the server, with a
 * source port from the main lcore's slice. While a probe waits, workers hand what comes
 * to its port to the main lcore; before and after, they answer as a closed port. A
 * SYN-ACK passes (and is answered by RST), an RST or no answer within timeout_ms fails.
 * rise/fall and the three intervals follow HAProxy.
 */

/* Schedule the first probe of every checked server, spread over one interval. */
void weir_health_init(struct weir_dp *dp);

/* Send due probes and fail those out too long. Call every few milliseconds. */
void weir_health_poll(struct weir_dp *dp, uint64_t now);

/*
 * Forget @s's probe in flight, if any (a result, or maintenance): from now on the
 * workers answer segments to its port as a closed port's, a late SYN-ACK with RST.
 */
void weir_health_forget(struct weir_dp *dp, struct weir_server *s);

/* A packet a worker passed to the main lcore: a reply to a probe (or not). Frees @m. */
void weir_health_input(struct weir_dp *dp, struct rte_mbuf *m, uint64_t now);

/* The HAProxy name of a check status, and the description shown with it. */
const char *weir_chk_status_name(uint8_t status);
const char *weir_chk_status_desc(uint8_t status);

#endif
