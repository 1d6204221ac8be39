/* SPDX-License-Identifier: BSD-3-Clause */
/* The neighbour (ARP) table: written by the main lcore, read lock-free by workers. */
#include <errno.h>
#include <stdio.h>

#include <rte_malloc.h>

#include "core/log.h"
#include "core/worker.h"
#include "net/arp.h"
#include "net/neigh.h"

#define TIMER_BUCKETS_PER_TICK 4096 /* bounded work per timer call on large tables */

/* The config loader counts entries of this size (conf/memory.c). */
_Static_assert(sizeof(struct weir_neigh_entry) == WEIR_MEM_NEIGH,
	       "WEIR_MEM_NEIGH (conf/conf.h) must follow struct weir_neigh_entry");

/* The bucket of @ip (network order); see weir_neigh_bucket(). */
static inline uint32_t bucket_of(const struct weir_neigh_table *t, uint32_t ip)
{
	return weir_neigh_bucket(rte_be_to_cpu_32(ip), t->nb_buckets);
}

struct weir_neigh_table *weir_neigh_create(uint32_t max_entries)
{
	uint32_t buckets = weir_neigh_nb_buckets(max_entries);
	struct weir_neigh_table *t;

	t = rte_zmalloc("weir_neigh", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		goto nomem;
	t->nb_buckets = buckets;
	t->e = rte_zmalloc("weir_neigh_e", sizeof(*t->e) * buckets * WEIR_NEIGH_WAYS,
			   RTE_CACHE_LINE_SIZE);
	if (t->e == NULL) {
		rte_free(t);
		goto nomem;
	}
	return t;
nomem:
	errno = ENOMEM;
	return NULL;
}

void weir_neigh_free(struct weir_neigh_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->e);
	rte_free(t);
}

int weir_neigh_lookup(struct weir_neigh_table *t, uint16_t port, uint32_t ip,
		      struct rte_ether_addr *mac)
{
	struct weir_neigh_entry *b = &t->e[bucket_of(t, ip) * WEIR_NEIGH_WAYS];
	unsigned int i;

	for (i = 0; i < WEIR_NEIGH_WAYS; i++) {
		struct weir_neigh_entry *e = &b[i];
		uint32_t seq, eip;
		uint16_t eport;
		uint8_t state;
		struct rte_ether_addr emac;

		do {
			seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			if (seq & 1) {
				rte_pause();
				continue;
			}
			eip = e->ip;
			eport = e->port;
			state = e->state;
			emac = e->mac;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
		} while ((seq & 1) || __atomic_load_n(&e->seq, __ATOMIC_RELAXED) != seq);
		if (eip != ip || eport != port)
			continue;
		if (state != WEIR_NEIGH_REACHABLE && state != WEIR_NEIGH_STALE &&
		    state != WEIR_NEIGH_PERMANENT)
			return -ENOENT;
		if (state == WEIR_NEIGH_STALE && !__atomic_load_n(&e->used, __ATOMIC_RELAXED))
			__atomic_store_n(&e->used, 1, __ATOMIC_RELAXED);
		*mac = emac;
		return 0;
	}
	return -ENOENT;
}

void weir_neigh_request(struct weir_worker *w, uint16_t port, uint32_t ip)
{
	struct weir_event_msg ev = {
		.ip = ip,
		.type = WEIR_EVT_RESOLVE,
		.port = port,
		.worker = w->id,
	};

	if (rte_ring_mp_enqueue_elem(w->dp->events, &ev, sizeof(ev)) != 0)
		w->st.events[WEIR_EV_EVENT_LOST]++;
}

int weir_route(const struct weir_dp *dp, uint32_t dst, uint32_t *nexthop)
{
	int gw = -1;
	uint16_t i;

	for (i = 0; i < dp->nb_ports; i++) {
		const struct weir_port *p = &dp->ports[i];

		if (((dst ^ p->addr) & p->mask) == 0) {
			*nexthop = dst;
			return i;
		}
		if (p->gateway != 0)
			gw = i;
	}
	if (gw >= 0)
		*nexthop = dp->ports[gw].gateway;
	return gw;
}

/* ---- main lcore ---- */

/* Tell workers that answers they cached may be out of date. */
static inline void bump(struct weir_neigh_table *t)
{
	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
}

/* Begin and end a change of @e that workers may be reading. */
static inline void write_begin(struct weir_neigh_entry *e)
{
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void write_end(struct weir_neigh_entry *e)
{
	__atomic_store_n(&e->seq, e->seq + 1, __ATOMIC_RELEASE);
}

static struct weir_neigh_entry *find(struct weir_neigh_table *t, uint16_t port, uint32_t ip)
{
	struct weir_neigh_entry *b = &t->e[bucket_of(t, ip) * WEIR_NEIGH_WAYS];
	unsigned int i;

	for (i = 0; i < WEIR_NEIGH_WAYS; i++)
		if (b[i].state != WEIR_NEIGH_FREE && b[i].ip == ip && b[i].port == port)
			return &b[i];
	return NULL;
}

/*
 * A slot for a new entry in @ip's bucket: a free one, else the least valuable one
 * (failed before stale before reachable, oldest first; watched entries are kept).
 * NULL when every slot holds a watched neighbour.
 */
static struct weir_neigh_entry *alloc(struct weir_neigh_table *t, uint32_t ip)
{
	struct weir_neigh_entry *b = &t->e[bucket_of(t, ip) * WEIR_NEIGH_WAYS], *victim = NULL;
	static const uint8_t rank[] = {
		[WEIR_NEIGH_FAILED] = 0,    [WEIR_NEIGH_STALE] = 1,     [WEIR_NEIGH_INCOMPLETE] = 2,
		[WEIR_NEIGH_REACHABLE] = 3, [WEIR_NEIGH_PERMANENT] = 4,
	};
	unsigned int i;

	for (i = 0; i < WEIR_NEIGH_WAYS; i++) {
		if (b[i].state == WEIR_NEIGH_FREE)
			return &b[i];
		if ((b[i].flags & WEIR_NEIGH_F_WATCHED) || b[i].state == WEIR_NEIGH_PERMANENT)
			continue;
		if (victim == NULL || rank[b[i].state] < rank[victim->state] ||
		    (rank[b[i].state] == rank[victim->state] && b[i].updated < victim->updated))
			victim = &b[i];
	}
	if (victim != NULL) {
		t->evicted++;
		t->count--;
		bump(t);
	}
	return victim;
}

/* Fill a fresh entry; the caller has the slot from alloc(). */
static void init_entry(struct weir_neigh_table *t, struct weir_neigh_entry *e, uint16_t port,
		       uint32_t ip, uint8_t state, uint64_t now)
{
	write_begin(e);
	e->ip = ip;
	e->port = port;
	e->state = state;
	e->flags = 0;
	e->probes = 0;
	e->used = 0;
	memset(&e->mac, 0, sizeof(e->mac));
	e->updated = now;
	e->next = now;
	write_end(e);
	t->count++;
}

static void free_entry(struct weir_neigh_table *t, struct weir_neigh_entry *e)
{
	write_begin(e);
	e->state = WEIR_NEIGH_FREE;
	e->ip = 0;
	e->flags = 0;
	write_end(e);
	t->count--;
	bump(t);
}

/* Send an ARP request for @e through a worker; @unicast probes the known MAC. */
static void send_probe(struct weir_dp *dp, struct weir_neigh_entry *e, bool unicast)
{
	const struct weir_port *p = &dp->ports[e->port];
	struct rte_mbuf *m;

	m = weir_arp_build_request(dp->pool, p, p->addr, e->ip, unicast ? &e->mac : NULL);
	if (m == NULL) {
		dp->main_tx_fail++;
		return;
	}
	weir_main_tx(dp, m);
}

static void fmt_ip(uint32_t ip, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&ip;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* The sender of an ARP packet was seen: confirm or create its entry. */
/*
 * Whether a line about what the wire claims may be logged now: at most LOG_PER_SEC a
 * second, so that a flood of conflicting or flapping ARP cannot turn into a flood of
 * log lines on the main lcore. What is left out is counted in the next line.
 */
#define LOG_PER_SEC 10
static bool log_ok(struct weir_dp *dp, uint64_t now)
{
	static uint64_t sec_start;
	static unsigned int logged, skipped;

	if (now - sec_start >= dp->tsc_hz) {
		if (skipped > 0)
			WEIR_LOG(WARNING, neigh,
				 "%u ARP log lines were left out (at most %u a second)\n", skipped,
				 LOG_PER_SEC);
		sec_start = now;
		logged = skipped = 0;
	}
	if (logged < LOG_PER_SEC) {
		logged++;
		return true;
	}
	skipped++;
	return false;
}

static void learn(struct weir_dp *dp, const struct weir_event_msg *ev, uint64_t now)
{
	struct weir_neigh_table *t = dp->neigh;
	struct weir_neigh_entry *e = find(t, ev->port, ev->ip);
	uint64_t life = weir_ms_to_tsc(dp, dp->conf->global.neigh.reachable_ms);
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];
	bool moved;

	fmt_ip(ev->ip, ip, sizeof(ip));
	if (ev->flags & WEIR_EVF_ARP_CLAIMED) {
		if (log_ok(dp, now)) {
			rte_ether_format_addr(mac, sizeof(mac), &ev->mac);
			WEIR_LOG(WARNING, neigh, "address conflict: %s is claimed by %s on '%s'\n",
				 ip, mac, dp->ports[ev->port].name);
		}
		return;
	}
	if (e != NULL && e->state == WEIR_NEIGH_PERMANENT)
		return; /* the operator's word stands over what the wire says */
	if (e == NULL) {
		/* RFC 826: only a request for us creates an entry; others update existing ones. */
		if (!(ev->flags & WEIR_EVF_ARP_FOR_US))
			return;
		e = alloc(t, ev->ip);
		if (e == NULL)
			return;
		init_entry(t, e, ev->port, ev->ip, WEIR_NEIGH_INCOMPLETE, now);
	}
	if (e->state == WEIR_NEIGH_REACHABLE || e->state == WEIR_NEIGH_STALE) {
		if (!rte_is_same_ether_addr(&e->mac, &ev->mac) && log_ok(dp, now)) {
			rte_ether_format_addr(mac, sizeof(mac), &ev->mac);
			WEIR_LOG(INFO, neigh, "%s on '%s' moved to %s\n", ip,
				 dp->ports[ev->port].name, mac);
		}
	} else if (e->flags & WEIR_NEIGH_F_WATCHED) {
		rte_ether_format_addr(mac, sizeof(mac), &ev->mac);
		WEIR_LOG(INFO, neigh, "%s on '%s' is at %s\n", ip, dp->ports[ev->port].name, mac);
	}
	/*
	 * Only a usable entry's MAC can be in the workers' flows: lookups do not answer for
	 * a fresh or a failed one, and an entry that stopped being usable moved the
	 * generation then. Learning its first MAC moves nothing, so that every new client
	 * on a link does not send every flow of every worker through a lookup again.
	 */
	moved = (e->state == WEIR_NEIGH_REACHABLE || e->state == WEIR_NEIGH_STALE) &&
		!rte_is_same_ether_addr(&e->mac, &ev->mac);
	write_begin(e);
	e->mac = ev->mac;
	e->state = WEIR_NEIGH_REACHABLE;
	e->probes = 0;
	e->updated = now;
	/* Watched neighbours wake up at 3/4 of their lifetime to be refreshed. */
	e->next = now + (e->flags & WEIR_NEIGH_F_WATCHED ? life / 4 * 3 : life);
	write_end(e);
	/*
	 * The generation moves after the new MAC is in: a worker that reads the new
	 * generation then finds the new MAC (bumped before, it could cache the old MAC
	 * under the new generation and keep it).
	 */
	if (moved)
		bump(t);
	__atomic_store_n(&e->used, 0, __ATOMIC_RELAXED);
}

/* Start resolving @ip on @port unless it is already known or under way. */
static struct weir_neigh_entry *resolve(struct weir_dp *dp, uint16_t port, uint32_t ip,
					uint64_t now)
{
	struct weir_neigh_table *t = dp->neigh;
	struct weir_neigh_entry *e = find(t, port, ip);

	if (e == NULL) {
		e = alloc(t, ip);
		if (e == NULL)
			return NULL;
		init_entry(t, e, port, ip, WEIR_NEIGH_INCOMPLETE, now);
		e->probes = 1;
		e->next = now + weir_ms_to_tsc(dp, dp->conf->global.neigh.retrans_ms);
		send_probe(dp, e, false);
	} else if (e->state == WEIR_NEIGH_STALE && e->probes == 0) {
		e->probes = 1;
		e->next = now + weir_ms_to_tsc(dp, dp->conf->global.neigh.retrans_ms);
		send_probe(dp, e, true);
	}
	return e;
}

void weir_neigh_event(struct weir_dp *dp, const struct weir_event_msg *ev, uint64_t now)
{
	if (ev->port >= dp->nb_ports)
		return;
	if (ev->type == WEIR_EVT_ARP)
		learn(dp, ev, now);
	else if (ev->type == WEIR_EVT_RESOLVE)
		resolve(dp, ev->port, ev->ip, now);
}

int weir_neigh_add_static(struct weir_dp *dp, uint16_t port, uint32_t ip,
			  const struct rte_ether_addr *mac, uint64_t now)
{
	struct weir_neigh_table *t = dp->neigh;
	struct weir_neigh_entry *e = find(t, port, ip);

	if (e == NULL) {
		e = alloc(t, ip);
		if (e == NULL)
			return -ENOSPC;
		init_entry(t, e, port, ip, WEIR_NEIGH_PERMANENT, now);
	}
	write_begin(e);
	e->mac = *mac;
	e->state = WEIR_NEIGH_PERMANENT;
	e->updated = now;
	e->next = UINT64_MAX;
	write_end(e);
	bump(t); /* after the MAC, as in learn() */
	return 0;
}

int weir_neigh_watch(struct weir_dp *dp, uint16_t port, uint32_t ip, uint64_t now)
{
	struct weir_neigh_entry *e = resolve(dp, port, ip, now);

	if (e == NULL)
		return -ENOSPC;
	e->flags |= WEIR_NEIGH_F_WATCHED;
	return 0;
}

/*
 * @e gave no answer to its probes: FAILED. Watched neighbours are retried after a pause,
 * others are forgotten then. @why, when given, is logged ("10.1.0.11 @why ARP").
 */
static void mark_failed(struct weir_dp *dp, struct weir_neigh_entry *e, uint64_t now,
			const char *why)
{
	const struct weir_conf_neigh *nc = &dp->conf->global.neigh;
	bool was_usable = e->state == WEIR_NEIGH_STALE;
	char ip[16];

	if (why != NULL) {
		fmt_ip(e->ip, ip, sizeof(ip));
		WEIR_LOG(WARNING, neigh, "%s %s ARP on '%s'\n", ip, why, dp->ports[e->port].name);
	}
	write_begin(e);
	e->state = WEIR_NEIGH_FAILED;
	e->updated = now;
	e->next = now + weir_ms_to_tsc(dp, nc->retrans_ms) * nc->probes;
	write_end(e);
	if (was_usable)
		bump(dp->neigh);
}

/* Advance one entry's state machine; the rules are in docs/dataplane.md. */
static void tick_entry(struct weir_dp *dp, struct weir_neigh_entry *e, uint64_t now)
{
	const struct weir_conf_neigh *nc = &dp->conf->global.neigh;
	struct weir_neigh_table *t = dp->neigh;
	uint64_t retrans = weir_ms_to_tsc(dp, nc->retrans_ms);
	uint64_t reachable = weir_ms_to_tsc(dp, nc->reachable_ms);
	uint64_t gc = weir_ms_to_tsc(dp, nc->gc_stale_ms);
	bool watched = e->flags & WEIR_NEIGH_F_WATCHED;

	/* A stale entry a worker just relied on is probed at once, not at its next tick. */
	if (now < e->next && !(e->state == WEIR_NEIGH_STALE && e->probes == 0 &&
			       __atomic_load_n(&e->used, __ATOMIC_RELAXED)))
		return;
	switch (e->state) {
	case WEIR_NEIGH_INCOMPLETE:
		if (e->probes < nc->probes) {
			e->probes++;
			e->next = now + retrans;
			send_probe(dp, e, false);
			return;
		}
		mark_failed(dp, e, now, watched ? "does not answer" : NULL);
		return;
	case WEIR_NEIGH_FAILED:
		if (!watched) {
			free_entry(t, e);
			return;
		}
		e->probes = 1;
		e->next = now + retrans;
		write_begin(e);
		e->state = WEIR_NEIGH_INCOMPLETE;
		write_end(e);
		send_probe(dp, e, false);
		return;
	case WEIR_NEIGH_REACHABLE:
		if (now - e->updated < reachable) {
			/* Refresh watched neighbours before they expire, so they never go stale. */
			if (watched && e->probes == 0) {
				e->probes = 1;
				send_probe(dp, e, true);
			}
			e->next = e->updated + reachable;
			return;
		}
		write_begin(e);
		e->state = WEIR_NEIGH_STALE;
		e->updated = now;
		write_end(e);
		e->probes = 0;
		e->next = now;
		/* fall through */
	case WEIR_NEIGH_STALE:
		if (watched || __atomic_load_n(&e->used, __ATOMIC_RELAXED)) {
			if (e->probes < nc->probes) {
				e->probes++;
				e->next = now + retrans;
				send_probe(dp, e, e->probes == 1);
				return;
			}
			if (watched) {
				mark_failed(dp, e, now, "stopped answering");
				return;
			}
			free_entry(t, e);
			return;
		}
		/*
		 * Forgotten gc_stale_ms after going stale, but only while the table holds more
		 * than an eighth of its room, as Linux keeps gc_thresh1 entries: forgetting one
		 * moves the generation, which sends every flow of every worker through a
		 * lookup again, while a stale entry kept costs nothing and still answers.
		 */
		if (now - e->updated < gc) {
			e->next = e->updated + gc;
			return;
		}
		if (t->count <= t->nb_buckets * WEIR_NEIGH_WAYS / 8) {
			e->next = now + gc;
			return;
		}
		/*
		 * Flows keep their MACs and look nothing up while the generation stands, so
		 * a neighbour that active flows send to looks unused. Before one is
		 * forgotten, the generation moves once: each flow's next frame looks its
		 * neighbour up again, which marks a stale one used (then it is probed, as
		 * above). What no flow marks within a quarter of gc_stale_ms goes. One such
		 * move serves every entry already stale when it was made, so there is at
		 * most one a quarter of gc_stale_ms, however many entries age.
		 */
		if (t->marked > e->updated) {
			if (now - t->marked >= gc / 4) {
				free_entry(t, e);
				return;
			}
		} else if (now - t->marked >= gc / 4) {
			bump(t);
			t->marked = now;
		}
		e->next = t->marked + gc / 4;
		return;
	default: /* PERMANENT: nothing to do, ever */
		return;
	}
}

void weir_neigh_timer(struct weir_dp *dp, uint64_t now)
{
	struct weir_neigh_table *t = dp->neigh;
	uint32_t n = RTE_MIN(t->nb_buckets, (uint32_t)TIMER_BUCKETS_PER_TICK), k, i;

	for (k = 0; k < n; k++) {
		struct weir_neigh_entry *b = &t->e[t->scan * WEIR_NEIGH_WAYS];

		for (i = 0; i < WEIR_NEIGH_WAYS; i++)
			if (b[i].state != WEIR_NEIGH_FREE)
				tick_entry(dp, &b[i], now);
		t->scan = (t->scan + 1) & (t->nb_buckets - 1);
	}
}

void weir_neigh_announce(struct weir_dp *dp)
{
	uint16_t i, k;

	for (i = 0; i < dp->nb_ports; i++) {
		const struct weir_port *p = &dp->ports[i];

		for (k = 0; k < p->nb_owned; k++) {
			struct rte_mbuf *m =
				weir_arp_build_request(dp->pool, p, p->owned[k], p->owned[k], NULL);

			if (m == NULL) {
				dp->main_tx_fail++;
				continue;
			}
			weir_main_tx(dp, m);
		}
	}
}

const char *weir_neigh_state_name(uint8_t state)
{
	static const char *const names[] = {
		[WEIR_NEIGH_FREE] = "FREE",           [WEIR_NEIGH_INCOMPLETE] = "INCOMPLETE",
		[WEIR_NEIGH_REACHABLE] = "REACHABLE", [WEIR_NEIGH_STALE] = "STALE",
		[WEIR_NEIGH_FAILED] = "FAILED",       [WEIR_NEIGH_PERMANENT] = "PERMANENT",
	};

	return state < RTE_DIM(names) ? names[state] : "?";
}

bool weir_neigh_get(const struct weir_neigh_table *t, uint32_t i, struct weir_neigh_entry *out)
{
	if (i >= t->nb_buckets * WEIR_NEIGH_WAYS || t->e[i].state == WEIR_NEIGH_FREE)
		return false;
	*out = t->e[i];
	return true;
}
