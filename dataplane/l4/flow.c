/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker flow table: 5-tuple to flow state, with state-aware timeouts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "l4/flow.h"

struct weir_flow_table *weir_flow_table_create(uint16_t id, uint32_t capacity, int socket)
{
	struct rte_hash_parameters hp = { 0 };
	struct weir_flow_table *t;
	char name[RTE_HASH_NAMESIZE];
	uint32_t i;

	t = rte_zmalloc_socket("weir_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		goto nomem;
	t->capacity = capacity;
	t->flows = rte_zmalloc_socket("weir_flows", sizeof(*t->flows) * capacity,
				      RTE_CACHE_LINE_SIZE, socket);
	t->free = rte_malloc_socket("weir_flow_free", sizeof(*t->free) * capacity, 0, socket);
	if (t->flows == NULL || t->free == NULL)
		goto nomem;
	for (i = 0; i < capacity; i++)
		t->free[i] = capacity - 1 - i;
	t->nb_free = capacity;

	snprintf(name, sizeof(name), "weir_flows%u", id);
	hp.name = name;
	/* Two keys per full-NAT flow; the extendable table makes every one of them fit. */
	hp.entries = capacity * 2;
	hp.key_len = sizeof(struct weir_flow_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto nomem;
	return t;
nomem:
	weir_flow_table_free(t);
	errno = ENOMEM;
	return NULL;
}

void weir_flow_table_free(struct weir_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->free);
	rte_free(t->flows);
	rte_free(t);
}

struct weir_flow *weir_flow_create(struct weir_flow_table *t, const struct weir_flow_key *fwd,
				   const struct weir_flow_key *rev)
{
	struct weir_flow *f;
	uint32_t idx;

	if (t->nb_free == 0) {
		t->full++;
		return NULL;
	}
	idx = t->free[t->nb_free - 1];
	f = &t->flows[idx];
	if (rte_hash_add_key_data(t->h, fwd, (void *)(uintptr_t)idx) < 0) {
		t->full++;
		return NULL;
	}
	if (rev != NULL && rte_hash_add_key_data(t->h, rev, (void *)(uintptr_t)idx) < 0) {
		rte_hash_del_key(t->h, fwd);
		t->full++;
		return NULL;
	}
	t->nb_free--;
	/* gen goes odd while the slot is filled, so the main lcore's dumps skip it. */
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	{
		uint32_t gen = f->gen;

		memset(f, 0, sizeof(*f));
		f->gen = gen;
	}
	f->fwd = *fwd;
	if (rev != NULL)
		f->rev = *rev;
	t->active++;
	t->created++;
	return f;
}

void weir_flow_destroy(struct weir_flow_table *t, struct weir_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);

	rte_hash_del_key(t->h, &f->fwd);
	if (f->rev.proto != 0)
		rte_hash_del_key(t->h, &f->rev);
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	f->state = WEIR_FS_NONE;
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELEASE);
	t->free[t->nb_free++] = idx;
	t->active--;
	t->expired++;
}

const char *weir_flow_state_name(uint8_t state)
{
	static const char *const names[WEIR_FS_MAX] = {
		[WEIR_FS_NONE] = "NONE",         [WEIR_FS_SYN_SENT] = "SYN_SENT",
		[WEIR_FS_SYN_RECV] = "SYN_RECV", [WEIR_FS_ESTABLISHED] = "ESTABLISHED",
		[WEIR_FS_FIN_WAIT] = "FIN_WAIT", [WEIR_FS_TIME_WAIT] = "TIME_WAIT",
		[WEIR_FS_CLOSE] = "CLOSE",       [WEIR_FS_UDP] = "UDP",
	};

	return state < WEIR_FS_MAX && names[state] ? names[state] : "?";
}
