/* SPDX-License-Identifier: BSD-3-Clause */
/* Registration of the dataplane's log types. */
#include "core/log.h"

RTE_LOG_REGISTER(weir_logtype_main, weir.main, INFO);
RTE_LOG_REGISTER(weir_logtype_port, weir.port, INFO);
RTE_LOG_REGISTER(weir_logtype_neigh, weir.neigh, INFO);
RTE_LOG_REGISTER(weir_logtype_runtime, weir.runtime, INFO);
RTE_LOG_REGISTER(weir_logtype_l4, weir.l4, INFO);
RTE_LOG_REGISTER(weir_logtype_health, weir.health, INFO);
RTE_LOG_REGISTER(weir_logtype_tcp, weir.tcp, INFO);
