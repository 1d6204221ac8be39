/* SPDX-License-Identifier: BSD-3-Clause */
/* The set of IPv4 addresses Weir owns. */
#include <errno.h>

#include <rte_malloc.h>

#include "core/log.h"
#include "net/addr.h"

/* Record @ip as owned by @p unless it already is; false when the port's list is full. */
static bool port_own(struct weir_port *p, uint32_t ip, enum weir_addr_kind kind)
{
	uint16_t i;

	for (i = 0; i < p->nb_owned; i++)
		if (p->owned[i] == ip)
			return true;
	if (p->nb_owned == WEIR_PORT_MAX_ADDR)
		return false;
	p->owned[p->nb_owned] = ip;
	p->owned_kind[p->nb_owned] = kind;
	p->nb_owned++;
	return true;
}

static int collect(struct weir_dp *dp)
{
	const struct weir_conf *c = dp->conf;
	uint32_t i, j;

	for (i = 0; i < dp->nb_ports; i++) {
		dp->ports[i].nb_owned = 0;
		port_own(&dp->ports[i], dp->ports[i].addr, WEIR_ADDR_IFACE);
	}
	for (i = 0; i < c->nb_services; i++) {
		const struct weir_conf_service *s = &c->services[i];

		if (!port_own(&dp->ports[s->iface], s->vip, WEIR_ADDR_VIP))
			goto full;
		for (j = 0; j < s->nb_laddrs; j++) {
			int pi = weir_conf_iface_for(c, s->laddrs[j]);

			if (pi >= 0 && !port_own(&dp->ports[pi], s->laddrs[j], WEIR_ADDR_LOCAL))
				goto full;
		}
	}
	return 0;
full:
	WEIR_LOG(ERR, main, "more than %d addresses on one interface\n", WEIR_PORT_MAX_ADDR);
	return -ENOSPC;
}

struct weir_addr_table *weir_addr_build(struct weir_dp *dp)
{
	struct weir_addr_table *t;
	uint32_t total = 0, slots = 8, i, k;
	int rc = collect(dp);

	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	for (i = 0; i < dp->nb_ports; i++)
		total += dp->ports[i].nb_owned;
	while (slots < total * 2)
		slots <<= 1;
	t = rte_zmalloc("weir_addrs", sizeof(*t) + slots * sizeof(t->slot[0]), 0);
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->mask = slots - 1;
	for (i = 0; i < dp->nb_ports; i++) {
		const struct weir_port *p = &dp->ports[i];

		for (k = 0; k < p->nb_owned; k++) {
			uint32_t h = weir_addr_hash(p->owned[k]);
			struct weir_addr_entry *e;

			/* Config validation keeps addresses unique across ports. */
			while (t->slot[h & t->mask].ip != 0 &&
			       t->slot[h & t->mask].ip != p->owned[k])
				h++;
			e = &t->slot[h & t->mask];
			if (e->ip == 0)
				t->count++;
			e->ip = p->owned[k];
			e->kind = p->owned_kind[k];
			e->port = (uint8_t)i;
		}
	}
	return t;
}

void weir_addr_free(struct weir_addr_table *t)
{
	rte_free(t);
}
