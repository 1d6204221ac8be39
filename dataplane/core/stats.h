/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the workers' counters: summed on read, never shared while written. */
#ifndef WEIR_STATS_H
#define WEIR_STATS_H

#include "core/dp.h"

/*
 * Sum every worker's counters into @sum. Workers keep writing while this reads; each
 * 64-bit counter is read whole, so a sum is at worst a moment old.
 */
void weir_stats_sum(const struct weir_dp *dp, struct weir_wstats *sum);

#endif
