/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzzing fixture: one dataplane (EAL without hugepages or devices) per fuzzing process. */
#ifndef WEIR_FUZZ_DP_H
#define WEIR_FUZZ_DP_H

#include "core/dp.h"

/* The dataplane, built on first call from a config with every kind of service. */
struct weir_dp *fuzz_dp(void);

/* Free whatever the last input left queued (TX buffers, rings to the main lcore). */
void fuzz_dp_drain(struct weir_dp *dp);

#endif
