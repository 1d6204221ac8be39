/* SPDX-License-Identifier: BSD-3-Clause */
/* Full-NAT source ports: a worker's slice of one local address, handed out FIFO. */
#ifndef WEIR_LPORT_H
#define WEIR_LPORT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Free ports kept in a ring: allocation takes the port freed longest ago, so a port
 * is reused as late as possible and a server's TIME_WAIT for the previous connection
 * from it has most likely ended.
 */
struct weir_lport_pool {
	uint16_t *ring; /* host order */
	uint32_t size;  /* ports in the slice */
	uint32_t head;  /* next to hand out */
	uint32_t count; /* free ports */
	uint32_t first; /* the slice's first port */
	/*
	 * On an address full-NAT and TCP-proxy services share: a bit per port of the slice,
	 * set while the proxy is the last that took it (weir_lport_mark()). NULL elsewhere.
	 */
	uint64_t *proxy;
};

/*
 * Fill @pool with ports [@first, @end), handing them out from position @start on: a
 * random start keeps a restarted dataplane from reusing the ports it used just before,
 * which the servers may still hold in TIME_WAIT. Returns 0 or -ENOMEM.
 */
int weir_lport_pool_init(struct weir_lport_pool *pool, uint32_t first, uint32_t end, uint32_t start,
			 int socket);
void weir_lport_pool_fini(struct weir_lport_pool *pool);

/* Keep @pool's marks of who took each port last (weir_lport_mark()). 0 or -ENOMEM. */
int weir_lport_pool_track(struct weir_lport_pool *pool, int socket);

/* A free port (host order) or -1 when the slice is exhausted. */
static inline int weir_lport_get(struct weir_lport_pool *pool)
{
	uint16_t port;

	if (pool->count == 0)
		return -1;
	port = pool->ring[pool->head];
	pool->head = pool->head + 1 == pool->size ? 0 : pool->head + 1;
	pool->count--;
	return port;
}

/* Return @port (host order) to the pool. */
static inline void weir_lport_put(struct weir_lport_pool *pool, uint16_t port)
{
	uint32_t tail = pool->head + pool->count;

	if (tail >= pool->size)
		tail -= pool->size;
	pool->ring[tail] = port;
	pool->count++;
}

/*
 * Note who took @port (host order, of @pool's slice): the TCP proxy (@proxy) or full-NAT
 * forwarding. Only kept on pools that track it; the proxy answers segments without a
 * connection on its own ports alone (l4/proxy.c).
 */
static inline void weir_lport_mark(struct weir_lport_pool *pool, uint16_t port, bool proxy)
{
	uint32_t i = (uint32_t)port - pool->first;

	if (pool->proxy == NULL || i >= pool->size)
		return;
	if (proxy)
		pool->proxy[i / 64] |= 1ull << (i % 64);
	else
		pool->proxy[i / 64] &= ~(1ull << (i % 64));
}

/* Whether the TCP proxy took @port (host order) last; false where nothing is tracked. */
static inline bool weir_lport_marked(const struct weir_lport_pool *pool, uint16_t port)
{
	uint32_t i = (uint32_t)port - pool->first;

	return pool->proxy != NULL && i < pool->size && (pool->proxy[i / 64] >> (i % 64) & 1);
}

#endif
