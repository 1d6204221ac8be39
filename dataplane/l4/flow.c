/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker flow table: 5-tuple to flow state, with state-aware timeouts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "conf/conf.h"
#include "l4/flow.h"

/* The config loader counts flows and buckets of these sizes (conf/memory.c). */
_Static_assert(RTE_CACHE_LINE_SIZE != 64 ||
		       (sizeof(struct weir_flow) == WEIR_MEM_FLOW &&
			sizeof(struct weir_flow_bucket) == WEIR_MEM_FLOW_BUCKET),
	       "WEIR_MEM_FLOW and WEIR_MEM_FLOW_BUCKET (conf/conf.h) must follow the structs");

struct weir_flow_table *weir_flow_table_create(uint16_t id, uint32_t capacity, int socket)
{
	struct weir_flow_table *t;
	uint32_t buckets = 1, i;

	(void)id;
	t = rte_zmalloc_socket("weir_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		goto nomem;
	t->capacity = capacity;
	/* Two keys per flow, at most half the slots used: probes stay short. */
	while ((uint64_t)buckets * WEIR_FLOW_WAYS < (uint64_t)capacity * 4)
		buckets <<= 1;
	t->mask = buckets - 1;
	t->b = rte_zmalloc_socket("weir_flow_buckets", sizeof(*t->b) * buckets, RTE_CACHE_LINE_SIZE,
				  socket);
	t->flows = rte_zmalloc_socket("weir_flows", sizeof(*t->flows) * capacity,
				      RTE_CACHE_LINE_SIZE, socket);
	t->free = rte_malloc_socket("weir_flow_free", sizeof(*t->free) * capacity, 0, socket);
	if (t->b == NULL || t->flows == NULL || t->free == NULL)
		goto nomem;
	for (i = 0; i < capacity; i++)
		t->free[i] = capacity - 1 - i;
	t->nb_free = capacity;
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
	rte_free(t->b);
	rte_free(t->free);
	rte_free(t->flows);
	rte_free(t);
}

/*
 * File @idx under @key in the first bucket with room from the key's own, counting it in
 * the overflow of every bucket it passes. There is always room: the table has four slots
 * per flow and a flow has at most two keys.
 */
static void insert(struct weir_flow_table *t, const struct weir_flow_key *key, uint32_t idx)
{
	uint32_t hash = weir_flow_hash(key), bi = hash & t->mask;
	uint16_t sig = weir_flow_sig(hash);

	for (;;) {
		struct weir_flow_bucket *b = &t->b[bi];
		unsigned int i;

		for (i = 0; i < WEIR_FLOW_WAYS; i++) {
			if (b->sig[i] == 0) {
				b->idx[i] = idx;
				b->sig[i] = sig;
				return;
			}
		}
		b->overflow++;
		bi = (bi + 1) & t->mask;
	}
}

/* Remove the slot of @key that points to @idx, undoing insert()'s overflow counts. */
static void remove_key(struct weir_flow_table *t, const struct weir_flow_key *key, uint32_t idx)
{
	uint32_t hash = weir_flow_hash(key), bi = hash & t->mask;
	uint16_t sig = weir_flow_sig(hash);

	for (;;) {
		struct weir_flow_bucket *b = &t->b[bi];
		unsigned int i;

		for (i = 0; i < WEIR_FLOW_WAYS; i++) {
			if (b->sig[i] == sig && b->idx[i] == idx) {
				b->sig[i] = 0;
				/* Undo the overflow counts on the way here. */
				while (bi != (hash & t->mask)) {
					bi = (bi - 1) & t->mask;
					t->b[bi].overflow--;
				}
				return;
			}
		}
		bi = (bi + 1) & t->mask;
	}
}

bool weir_flow_peek(const struct weir_flow_table *t, const struct weir_flow_key *key, uint32_t hash,
		    struct weir_flow *out)
{
	uint16_t sig = weir_flow_sig(hash);
	uint32_t bi = hash & t->mask, n;

	/* At most every bucket once: the owner's overflow counts may change under us. */
	for (n = 0; n <= t->mask; n++, bi = (bi + 1) & t->mask) {
		const struct weir_flow_bucket *b = &t->b[bi];
		unsigned int m;

		for (m = weir_flow_sig_match(b, sig); m != 0; m &= m - 1) {
			uint32_t idx = __atomic_load_n(&b->idx[__builtin_ctz(m)], __ATOMIC_RELAXED);

			if ((idx & ~WEIR_FLOW_REV) >= t->capacity ||
			    !weir_flow_copy(&t->flows[idx & ~WEIR_FLOW_REV], out) ||
			    out->fwd.proto == 0)
				continue;
			if (weir_flow_key_eq(idx & WEIR_FLOW_REV ? &out->rev : &out->fwd, key))
				return true;
		}
		if (__atomic_load_n(&b->overflow, __ATOMIC_RELAXED) == 0)
			return false;
	}
	return false;
}

struct weir_flow *weir_flow_create(struct weir_flow_table *t, const struct weir_flow_key *fwd,
				   const struct weir_flow_key *rev)
{
	struct weir_flow *f;
	uint32_t idx, gen;

	if (t->nb_free == 0) {
		t->full++;
		return NULL;
	}
	idx = t->free[--t->nb_free];
	f = &t->flows[idx];
	/* gen goes odd while the slot is filled, so the main lcore's dumps skip it. */
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	gen = f->gen;
	memset(f, 0, sizeof(*f));
	f->gen = gen;
	f->fwd = *fwd;
	insert(t, fwd, idx);
	if (rev != NULL) {
		f->rev = *rev;
		insert(t, rev, idx | WEIR_FLOW_REV);
	}
	t->active++;
	t->created++;
	return f;
}

void weir_flow_set_rev(struct weir_flow_table *t, struct weir_flow *f,
		       const struct weir_flow_key *rev)
{
	f->rev = *rev;
	insert(t, rev, (uint32_t)(f - t->flows) | WEIR_FLOW_REV);
}

void weir_flow_clear_rev(struct weir_flow_table *t, struct weir_flow *f)
{
	if (f->rev.proto == 0)
		return;
	remove_key(t, &f->rev, (uint32_t)(f - t->flows) | WEIR_FLOW_REV);
	memset(&f->rev, 0, sizeof(f->rev));
}

void weir_flow_unhook_fwd(struct weir_flow_table *t, struct weir_flow *f)
{
	if (f->fwd_off)
		return;
	remove_key(t, &f->fwd, (uint32_t)(f - t->flows));
	f->fwd_off = 1;
}

void weir_flow_destroy(struct weir_flow_table *t, struct weir_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);

	if (!f->fwd_off)
		remove_key(t, &f->fwd, idx);
	if (f->rev.proto != 0)
		remove_key(t, &f->rev, idx | WEIR_FLOW_REV);
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	f->state = WEIR_FS_NONE;
	/* Neither key matches a frame any more: the fast path may still hold a guess at
	 * this slot from before an earlier frame of its burst freed it. */
	f->fwd.proto = 0;
	f->rev.proto = 0;
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
