/* SPDX-License-Identifier: BSD-3-Clause */
/* Building and tearing down the dataplane around an initialised EAL. */
#ifndef WEIR_LIFECYCLE_H
#define WEIR_LIFECYCLE_H

#include "core/dp.h"

/*
 * Build everything the workers need from @conf (which @dp then owns): the packet pool,
 * the event ring, the neighbour table, the workers' contexts, the interfaces' addresses
 * and the owned-address table. Touches no device, so tests on synthetic packets use it
 * as is. Returns 0 or -errno after logging what failed.
 */
int weir_dp_init(struct weir_dp *dp, struct weir_conf *conf);

/* Start the interfaces, announce the owned addresses, resolve the gateways. */
int weir_dp_start(struct weir_dp *dp);

/* One pass of the main lcore's own work: worker events, neighbour timers. */
void weir_dp_main_work(struct weir_dp *dp);

/* Undo weir_dp_init() and weir_dp_start(); the workers must have stopped. */
void weir_dp_fini(struct weir_dp *dp);

/*
 * rte_eal_cleanup(), then remove the EAL runtime directory (/var/run/dpdk/PREFIX) that
 * DPDK leaves behind, so a stopped dataplane leaves no files. Weir runs no secondary
 * processes, so nothing else uses that directory once the primary is gone.
 */
void weir_eal_cleanup(void);

#endif
