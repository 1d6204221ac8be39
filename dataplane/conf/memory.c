/* SPDX-License-Identifier: BSD-3-Clause */
/* The DPDK memory a config needs: one estimate for the loader and for start-up. */

/*
 * The dataplane allocates its large tables once, at start (weir_dp_init()), from the
 * DPDK memory global.memory_mb sets: the packet pool, each worker's flow table and TCP
 * stack, the local ports, the neighbour table. What they take follows from the config
 * and from the sizes of their entries, which conf.h holds (WEIR_MEM_*) and the files
 * that allocate them assert. The sum leaves out DPDK's own bookkeeping and everything
 * small, so it is a little below what a start really takes: a config over it cannot
 * start, and one under it may still fall short by a few MiB.
 */

#include "conf/conf.h"
#include "net/neigh_hash.h"

#include <stdio.h>

#define CACHE_LINE 64u /* RTE_MEMPOOL_ALIGN on x86-64 */
#define RING_SLOT  8u  /* an rte_ring entry: a pointer */

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * A packet buffer as the pool lays it out (rte_mempool_calc_obj_size()): its header of a
 * cache line, the mbuf, headroom and data room, in whole cache lines, an odd number of
 * them so that buffers spread over the memory channels.
 */
static uint64_t mbuf_object(const struct weir_conf *conf)
{
	uint64_t room = WEIR_MEM_MBUF_ROOM, obj;

	for (uint32_t i = 0; i < conf->nb_ifaces; i++)
		if (conf->ifaces[i].mtu + WEIR_MEM_FRAME_OVERHEAD > room)
			room = conf->ifaces[i].mtu + WEIR_MEM_FRAME_OVERHEAD;
	obj = align_up(CACHE_LINE + WEIR_MEM_MBUF + WEIR_MEM_MBUF_HEADROOM + room, CACHE_LINE);
	if (obj / CACHE_LINE % 2 == 0)
		obj += CACHE_LINE;
	return obj;
}

/*
 * Distinct local addresses, as l4/lb.c init_services() lists them, at least: the given
 * ones, or without any one default (an interface's address, maybe shared with them).
 */
static uint32_t local_addresses(const struct weir_conf *conf)
{
	uint32_t seen[WEIR_MAX_LADDRS_ALL], n = 0, defaults = 0;

	for (uint32_t s = 0; s < conf->nb_services; s++) {
		const struct weir_conf_service *sv = &conf->services[s];

		if (sv->mode == WEIR_MODE_DSR)
			continue;
		defaults |= sv->nb_laddrs == 0;
		for (uint32_t k = 0; k < sv->nb_laddrs; k++) {
			bool dup = false;

			for (uint32_t j = 0; j < n && !dup; j++)
				dup = seen[j] == sv->laddrs[k];
			if (!dup && n < WEIR_MAX_LADDRS_ALL)
				seen[n++] = sv->laddrs[k];
		}
	}
	return n > 0 ? n : defaults;
}

void weir_conf_memory(const struct weir_conf *conf, uint64_t page_size, struct weir_conf_memory *m)
{
	const struct weir_conf_global *g = &conf->global;
	uint64_t obj = mbuf_object(conf), buckets, slice;
	bool tcp = false;

	/* The packet pool: without hugepages no buffer straddles a page (DPDK's rule when
	 * memory is not physically contiguous), so each takes whole pages or its share of
	 * one. Then its ring of free buffers and the per-lcore caches of its header. */
	if (page_size == 0)
		m->pool = g->mbufs * obj;
	else if (obj <= page_size)
		m->pool = (g->mbufs + page_size / obj - 1) / (page_size / obj) * page_size;
	else
		m->pool = g->mbufs * align_up(obj, page_size);
	m->pool += pow2_at_least((uint64_t)g->mbufs + 1) * RING_SLOT + WEIR_MEM_POOL_CACHES;

	/* A worker's flow table (weir_flow_table_create()): the flows and their free list,
	 * and buckets of WEIR_FLOW_WAYS (8) slots, four slots a flow, a power of two. */
	buckets = pow2_at_least(((uint64_t)g->flow_capacity * 4 + 7) / 8);
	m->flows =
		(uint64_t)g->flow_capacity * (WEIR_MEM_FLOW + 4) + buckets * WEIR_MEM_FLOW_BUCKET;

	/* A worker's TCP stack and proxy sessions (weir_proxy_init()), with any tcp service:
	 * max_connections connections, as many sessions and their free list. */
	for (uint32_t s = 0; s < conf->nb_services; s++)
		tcp |= conf->services[s].mode == WEIR_MODE_TCP;
	m->tcp = tcp ? (uint64_t)g->tcp.max_conns * (WEIR_MEM_TCP_CONN + WEIR_MEM_PROXY_SESS + 4)
		     : 0;

	/* A worker's slice of local ports (2 bytes each) for each local address. */
	slice = (g->lport_last + 1 - g->lport_first) / (g->workers + 1);
	m->worker = local_addresses(conf) * slice * 2;

	m->neigh = (uint64_t)weir_neigh_nb_buckets(g->neigh.max_entries) * WEIR_NEIGH_WAYS *
		   WEIR_MEM_NEIGH;
	/* The main lcore's slice: a count a port (weir_lb.probing). */
	m->total = m->pool + g->workers * (m->flows + m->tcp + m->worker) + m->neigh + slice * 2;
}

/* @v bytes in MiB, rounded to the nearest, for messages. */
static unsigned long long mib(uint64_t v)
{
	return (unsigned long long)((v + (1u << 19)) >> 20);
}

int weir_conf_memory_text(const struct weir_conf *conf, const struct weir_conf_memory *m, char *buf,
			  size_t len)
{
	const struct weir_conf_global *g = &conf->global;
	char tcp[80] = "", ports[48] = "", neigh[64] = "";

	/* Parts under 1 MiB are left out. */
	if (m->tcp)
		snprintf(tcp, sizeof(tcp), ", tcp.max_connections = %u: %llu MiB", g->tcp.max_conns,
			 mib(m->tcp));
	if (mib(m->worker) > 0)
		snprintf(ports, sizeof(ports), ", local ports: %llu MiB", mib(m->worker));
	if (mib(m->neigh) > 0)
		snprintf(neigh, sizeof(neigh), ", neigh.max_entries = %u: %llu MiB",
			 g->neigh.max_entries, mib(m->neigh));
	return snprintf(buf, len,
			"about %llu MiB: %u worker%s x %llu MiB (flows = %u: %llu MiB%s%s), "
			"mbufs = %u: %llu MiB%s",
			(unsigned long long)((m->total + (1u << 20) - 1) >> 20), g->workers,
			g->workers == 1 ? "" : "s", mib(m->flows + m->tcp + m->worker),
			g->flow_capacity, mib(m->flows), tcp, ports, g->mbufs, mib(m->pool), neigh);
}
