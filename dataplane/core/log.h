/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-subsystem log types of the dataplane, on top of rte_log. */
#ifndef WEIR_LOG_H
#define WEIR_LOG_H

#include <rte_log.h>

/* One rte_log type per subsystem, so `log_level` and --log-level can target each. */
extern int weir_logtype_main;
extern int weir_logtype_port;
extern int weir_logtype_neigh;
extern int weir_logtype_runtime;
extern int weir_logtype_l4;
extern int weir_logtype_health;
extern int weir_logtype_tcp;

/*
 * WEIR_LOG(ERR, port, "fmt", ...): a line tagged with the subsystem. Never called per
 * packet on a worker: workers count events and the main lcore reports them.
 */
#define WEIR_LOG(level, sub, ...) \
	rte_log(RTE_LOG_##level, weir_logtype_##sub, "weir." #sub ": " __VA_ARGS__)

#endif
