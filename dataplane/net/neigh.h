/* SPDX-License-Identifier: BSD-3-Clause */
/* The neighbour (ARP) table: written by the main lcore, read lock-free by workers. */
#ifndef WEIR_NEIGH_H
#define WEIR_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "core/dp.h"
#include "net/neigh_hash.h"

enum weir_neigh_state {
	WEIR_NEIGH_FREE = 0,
	WEIR_NEIGH_INCOMPLETE, /* being resolved: broadcast requests sent */
	WEIR_NEIGH_REACHABLE,  /* confirmed within reachable_ms */
	WEIR_NEIGH_STALE,      /* not confirmed lately; still used, re-probed when needed */
	WEIR_NEIGH_FAILED,     /* did not answer */
	WEIR_NEIGH_PERMANENT,  /* from the config: never aged, probed or replaced */
};

#define WEIR_NEIGH_F_WATCHED 0x01 /* a gateway or server: kept resolved proactively */

/*
 * One neighbour. The main lcore is the only writer; it bumps @seq to an odd value
 * before changing an entry and to the next even one after, so a worker reading the
 * entry can tell it saw a consistent copy. @used is the exception: workers set it
 * (a relaxed store) when they rely on a stale entry, and the main lcore clears it.
 */
struct weir_neigh_entry {
	uint32_t seq;
	uint32_t ip; /* network order; 0 when free */
	struct rte_ether_addr mac;
	uint8_t state;
	uint8_t flags;
	uint16_t port;  /* weir_port index */
	uint8_t probes; /* requests sent since the last confirmation */
	uint8_t used;
	uint64_t updated; /* TSC of the last confirmation or state change */
	uint64_t next;    /* TSC of the next timer action */
};

struct weir_neigh_table {
	/*
	 * Changes whenever an entry's MAC changes or an entry goes away, so workers may
	 * cache what a lookup answered for as long as it stays the same.
	 */
	uint32_t gen;
	uint32_t nb_buckets;        /* power of two */
	uint32_t count;             /* entries in use */
	uint64_t evicted;           /* entries dropped to make room */
	uint32_t scan;              /* next bucket the timer visits */
	uint64_t marked;            /* TSC of the last move of gen to find entries in use */
	struct weir_neigh_entry *e; /* nb_buckets * WEIR_NEIGH_WAYS entries */
};

struct weir_neigh_table *weir_neigh_create(uint32_t max_entries);
void weir_neigh_free(struct weir_neigh_table *t);

/*
 * Worker side: the MAC of @ip (network order) reachable through port @port. Returns 0
 * when an answer is known (a stale one too: it is used while re-probed), -ENOENT when
 * not; then the caller should ask the main lcore to resolve (weir_neigh_request()).
 */
int weir_neigh_lookup(struct weir_neigh_table *t, uint16_t port, uint32_t ip,
		      struct rte_ether_addr *mac);

/* Worker side: ask the main lcore to resolve @ip on @port. Never blocks. */
void weir_neigh_request(struct weir_worker *w, uint16_t port, uint32_t ip);

/*
 * The next hop for @dst: the port whose subnet holds it and @dst itself, or the port
 * with the gateway and the gateway. Returns the port index or -1 (no route).
 */
int weir_route(const struct weir_dp *dp, uint32_t dst, uint32_t *nexthop);

/* ---- main lcore only ---- */

/* Handle one event from a worker (ARP seen, resolution wanted). */
void weir_neigh_event(struct weir_dp *dp, const struct weir_event_msg *ev, uint64_t now);

/* Install a permanent entry (a `neighbours` entry of the config). Returns 0 or -ENOSPC. */
int weir_neigh_add_static(struct weir_dp *dp, uint16_t port, uint32_t ip,
			  const struct rte_ether_addr *mac, uint64_t now);

/* Resolve @ip on @port now and keep it resolved for as long as Weir runs. */
int weir_neigh_watch(struct weir_dp *dp, uint16_t port, uint32_t ip, uint64_t now);

/* Age entries, send probes and retries. Call every few tens of milliseconds. */
void weir_neigh_timer(struct weir_dp *dp, uint64_t now);

/* Announce every address Weir owns with a gratuitous ARP on its port. */
void weir_neigh_announce(struct weir_dp *dp);

const char *weir_neigh_state_name(uint8_t state);

/*
 * Copy entry @i (0 .. nb_buckets * WEIR_NEIGH_WAYS - 1) into @out; false if free.
 * The main lcore is the writer, so it reads without the sequence protocol.
 */
bool weir_neigh_get(const struct weir_neigh_table *t, uint32_t i, struct weir_neigh_entry *out);

#endif
