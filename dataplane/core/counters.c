/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of the drop reasons and events, for the runtime socket. */
#include "core/counters.h"

const char *const weir_drop_names[WEIR_DROP_MAX] = {
#define X(id, name, doc) [WEIR_DROP_##id] = name,
	WEIR_DROP_REASONS(X)
#undef X
};

const char *const weir_drop_docs[WEIR_DROP_MAX] = {
#define X(id, name, doc) [WEIR_DROP_##id] = doc,
	WEIR_DROP_REASONS(X)
#undef X
};

const char *const weir_event_names[WEIR_EV_MAX] = {
#define X(id, name) [WEIR_EV_##id] = name,
	WEIR_EVENTS(X)
#undef X
};
