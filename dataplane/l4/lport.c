/* SPDX-License-Identifier: BSD-3-Clause */
/* Full-NAT source ports: a worker's slice of one local address, handed out FIFO. */
#include <errno.h>

#include <rte_malloc.h>

#include "l4/lport.h"

int weir_lport_pool_init(struct weir_lport_pool *pool, uint32_t first, uint32_t end, uint32_t start,
			 int socket)
{
	uint32_t i;

	pool->size = end - first;
	pool->first = first;
	pool->proxy = NULL;
	pool->ring = rte_malloc_socket("weir_lports", sizeof(*pool->ring) * pool->size, 0, socket);
	if (pool->ring == NULL)
		return -ENOMEM;
	for (i = 0; i < pool->size; i++)
		pool->ring[i] = (uint16_t)(first + i);
	pool->head = pool->size ? start % pool->size : 0;
	pool->count = pool->size;
	return 0;
}

void weir_lport_pool_fini(struct weir_lport_pool *pool)
{
	rte_free(pool->ring);
	rte_free(pool->proxy);
	pool->ring = NULL;
	pool->proxy = NULL;
}

int weir_lport_pool_track(struct weir_lport_pool *pool, int socket)
{
	pool->proxy = rte_zmalloc_socket("weir_lport_marks",
					 sizeof(*pool->proxy) * (pool->size / 64 + 1), 0, socket);
	return pool->proxy != NULL ? 0 : -ENOMEM;
}
