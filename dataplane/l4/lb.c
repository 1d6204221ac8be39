/* SPDX-License-Identifier: BSD-3-Clause */
/* The load-balancing model at run time: built from the config, views published by RCU. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "core/log.h"
#include "core/siphash.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "l4/proxy.h"
#include "net/neigh.h"
#include "sched/sched.h"

#define REDIRECT_RING 4096
#define TO_MAIN_RING  1024

/* Index of @addr in the local-address list, added when new. */
static int laddr_index(struct weir_lb *lb, uint32_t addr, uint16_t port)
{
	uint32_t i;

	for (i = 0; i < lb->nb_laddr; i++)
		if (lb->laddr[i].addr == addr)
			return (int)i;
	if (lb->nb_laddr == RTE_DIM(lb->laddr))
		return -ENOSPC;
	lb->laddr[lb->nb_laddr].addr = addr;
	lb->laddr[lb->nb_laddr].port = port;
	return (int)lb->nb_laddr++;
}

static int init_backends(struct weir_dp *dp, struct weir_lb *lb)
{
	const struct weir_conf *c = dp->conf;
	uint32_t b, i, gid = 0, total = 0;
	uint64_t now = rte_rdtsc();

	for (b = 0; b < c->nb_backends; b++)
		total += c->backends[b].nb_servers;
	lb->be = rte_zmalloc("weir_backends", sizeof(*lb->be) * (c->nb_backends + 1), 0);
	lb->srv = rte_zmalloc("weir_srv_index", sizeof(*lb->srv) * (total + 1), 0);
	if (lb->be == NULL || lb->srv == NULL)
		return -ENOMEM;
	lb->nb_be = c->nb_backends;
	lb->nb_srv = total;
	for (b = 0; b < c->nb_backends; b++) {
		const struct weir_conf_backend *cb = &c->backends[b];
		struct weir_backend *be = &lb->be[b];

		snprintf(be->name, sizeof(be->name), "%s", cb->name);
		be->index = b;
		be->algo = cb->balance;
		be->ops = weir_sched_ops_get(cb->balance);
		be->all_down = cb->all_down;
		be->maglev_size = cb->maglev_size;
		be->check = cb->check;
		be->last_change = now;
		be->nb_srv = cb->nb_servers;
		be->srv = rte_zmalloc("weir_servers", sizeof(*be->srv) * cb->nb_servers, 0);
		be->conns = rte_zmalloc("weir_conns", sizeof(*be->conns) * (cb->nb_servers + 1),
					RTE_CACHE_LINE_SIZE);
		be->smax = rte_zmalloc("weir_smax", sizeof(*be->smax) * (cb->nb_servers + 1),
				       RTE_CACHE_LINE_SIZE);
		if (be->srv == NULL || be->conns == NULL || be->smax == NULL)
			return -ENOMEM;
		for (i = 0; i < cb->nb_servers; i++) {
			const struct weir_conf_server *cs = &cb->servers[i];
			struct weir_server *s = &be->srv[i];
			int out;

			snprintf(s->name, sizeof(s->name), "%s", cs->name);
			s->be = be;
			s->id = i;
			s->gid = gid;
			lb->srv[gid++] = s;
			s->addr = cs->addr;
			s->port = rte_cpu_to_be_16(cs->port);
			s->check_port =
				rte_cpu_to_be_16(cb->check.port ? cb->check.port : cs->port);
			s->maxconn = cs->maxconn;
			s->iweight = cs->weight;
			s->uweight = cs->weight;
			s->backup = cs->backup;
			s->checked = cs->check && cb->check.type != WEIR_CHECK_NONE;
			s->key = weir_sched_key(cb->name, cs->name);
			s->admin = WEIR_SRV_READY;
			/* Servers start up, as in HAProxy: checks take them down after `fall`. */
			s->op = WEIR_SRV_UP;
			s->last_change = now;
			s->chk.status = s->checked ? WEIR_CHK_INI : WEIR_CHK_NONE;
			s->chk.health = cb->check.rise;
			out = weir_route(dp, s->addr, &s->nexthop);
			if (out < 0) {
				WEIR_LOG(ERR, l4, "server %s/%s: no interface reaches it\n",
					 cb->name, cs->name);
				return -EHOSTUNREACH;
			}
			s->out_port = (uint16_t)out;
		}
	}
	return 0;
}

static int init_services(struct weir_dp *dp, struct weir_lb *lb)
{
	const struct weir_conf *c = dp->conf;
	uint32_t i, k;

	lb->svc = rte_zmalloc("weir_services", sizeof(*lb->svc) * (c->nb_services + 1), 0);
	lb->svc_conns =
		rte_zmalloc("weir_svc_conns", sizeof(*lb->svc_conns) * 2 * (c->nb_services + 1),
			    RTE_CACHE_LINE_SIZE);
	lb->vips = rte_zmalloc("weir_vips", sizeof(*lb->vips) * (c->nb_services + 1), 0);
	if (lb->svc == NULL || lb->svc_conns == NULL || lb->vips == NULL)
		return -ENOMEM;
	lb->nb_svc = c->nb_services;
	for (i = 0; i < c->nb_services; i++) {
		const struct weir_conf_service *cs = &c->services[i];
		struct weir_service *s = &lb->svc[i];
		const struct weir_conf_timeouts *t = &cs->timeouts;
		struct weir_vip *v = NULL;

		snprintf(s->name, sizeof(s->name), "%s", cs->name);
		s->index = i;
		s->vip = cs->vip;
		s->proto = (uint8_t)cs->proto;
		s->mode = (uint8_t)cs->mode;
		s->port_min = cs->port_min;
		s->port_max = cs->port_max;
		s->iface = (uint16_t)cs->iface;
		s->be = &lb->be[cs->backend];
		s->timeout[WEIR_FS_NONE] = weir_ms_to_tsc(dp, t->syn_ms);
		s->timeout[WEIR_FS_SYN_SENT] = weir_ms_to_tsc(dp, t->syn_ms);
		s->timeout[WEIR_FS_SYN_RECV] = weir_ms_to_tsc(dp, t->syn_ms);
		s->timeout[WEIR_FS_ESTABLISHED] = weir_ms_to_tsc(dp, t->established_ms);
		s->timeout[WEIR_FS_FIN_WAIT] = weir_ms_to_tsc(dp, t->fin_ms);
		s->timeout[WEIR_FS_TIME_WAIT] = weir_ms_to_tsc(dp, t->close_ms);
		s->timeout[WEIR_FS_CLOSE] = weir_ms_to_tsc(dp, t->close_ms);
		s->timeout[WEIR_FS_UDP] = weir_ms_to_tsc(dp, t->udp_ms);
		s->ptimeout[0] = weir_ms_to_tsc(dp, t->client_ms);
		s->ptimeout[1] = weir_ms_to_tsc(dp, t->server_ms);
		s->ptimeout[2] = weir_ms_to_tsc(dp, t->connect_ms);

		if (s->mode == WEIR_MODE_NAT || s->mode == WEIR_MODE_TCP) {
			if (cs->nb_laddrs == 0) {
				/* Default: the address of the interface facing the servers. */
				uint16_t out = s->be->srv[0].out_port;
				int li = laddr_index(lb, dp->ports[out].addr, out);

				if (li < 0)
					return li;
				s->laddr[s->nb_laddr++] = (uint16_t)li;
			}
			for (k = 0; k < cs->nb_laddrs; k++) {
				int port = weir_conf_iface_for(c, cs->laddrs[k]);
				int li = laddr_index(lb, cs->laddrs[k], (uint16_t)port);

				if (li < 0)
					return li;
				s->laddr[s->nb_laddr++] = (uint16_t)li;
			}
			for (k = 0; k < s->nb_laddr; k++)
				lb->laddr[s->laddr[k]].modes |= (uint8_t)(1u << s->mode);
		}
		for (k = 0; k < lb->nb_vips; k++)
			if (lb->vips[k].vip == s->vip)
				v = &lb->vips[k];
		if (v == NULL) {
			v = &lb->vips[lb->nb_vips++];
			v->vip = s->vip;
		}
		if (v->nb == RTE_DIM(v->svc)) {
			WEIR_LOG(ERR, l4, "more than %zu services on one VIP\n", RTE_DIM(v->svc));
			return -ENOSPC;
		}
		v->svc[v->nb++] = (uint16_t)i;
	}
	return 0;
}

/* Point every VIP entry of the address table at its index in lb->vips. */
static void bind_addrs(struct weir_dp *dp)
{
	struct weir_addr_table *t = dp->addrs;
	uint32_t i, k;

	for (i = 0; i <= t->mask; i++) {
		struct weir_addr_entry *e = &t->slot[i];

		if (e->ip == 0 || e->kind != WEIR_ADDR_VIP)
			continue;
		for (k = 0; k < dp->lb->nb_vips; k++)
			if (dp->lb->vips[k].vip == e->ip)
				e->vip = (uint16_t)k;
	}
}

/* The wall clock, in ms since the epoch. */
static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int weir_isn_key_from(const char *path, uint64_t key[2])
{
	/* Weir's own constants: the ID is never used bare. */
	static const uint64_t app[2][2] = { { 0x5765697249534e31ull, 0x6b65792066726f6dull },
					    { 0x626f6f742d69642cull, 0x207365636f6e6421ull } };
	char text[64];
	uint64_t id[2] = { 0, 0 };
	size_t n = 0, i;
	unsigned int digits = 0;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		n = fread(text, 1, sizeof(text), f);
		fclose(f);
	}
	/* 32 hex digits, dashes between them allowed (a UUID's form). */
	for (i = 0; i < n && digits < 32; i++) {
		char c = text[i];
		uint64_t v;

		if (c >= '0' && c <= '9')
			v = (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (uint64_t)(c - 'a' + 10);
		else if (c == '-' && digits > 0)
			continue;
		else
			break;
		id[digits / 16] = id[digits / 16] << 4 | v;
		digits++;
	}
	if (digits < 32 || (id[0] == 0 && id[1] == 0)) {
		key[0] = rte_rand();
		key[1] = rte_rand();
		return -1;
	}
	key[0] = weir_siphash(app[0], id, 2);
	key[1] = weir_siphash(app[1], id, 2);
	return 0;
}

int weir_lb_init(struct weir_dp *dp)
{
	struct weir_lb *lb;
	size_t sz;
	uint32_t b;
	uint16_t i;
	int rc;

	lb = rte_zmalloc("weir_lb", sizeof(*lb), RTE_CACHE_LINE_SIZE);
	if (lb == NULL)
		return -ENOMEM;
	dp->lb = lb;
	lb->lport_first = dp->conf->global.lport_first;
	lb->slice = (dp->conf->global.lport_last + 1u - lb->lport_first) / (dp->nb_workers + 1u);
	lb->probing =
		rte_zmalloc("weir_probing", lb->slice * sizeof(*lb->probing), RTE_CACHE_LINE_SIZE);
	if (lb->probing == NULL)
		return -ENOMEM;
	if (weir_isn_key_from(WEIR_BOOT_ID, lb->isn_key) != 0)
		WEIR_LOG(WARNING, l4,
			 "%s holds no boot ID: full-NAT sequence numbers restart from a new key "
			 "(a client without timestamps may wait a second on a server's "
			 "TIME_WAIT after a restart)\n",
			 WEIR_BOOT_ID);
	lb->tsc0 = rte_rdtsc();
	lb->wall_ms0 = wall_ms();
	rc = init_backends(dp, lb);
	if (rc == 0)
		rc = init_services(dp, lb);
	if (rc != 0)
		return rc;
	bind_addrs(dp);

	sz = rte_rcu_qsbr_get_memsize(dp->nb_workers);
	lb->rcu = rte_zmalloc("weir_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (lb->rcu == NULL || rte_rcu_qsbr_init(lb->rcu, dp->nb_workers) != 0)
		return -ENOMEM;
	for (i = 0; i < dp->nb_workers; i++) {
		rte_rcu_qsbr_thread_register(lb->rcu, i);
		rte_rcu_qsbr_thread_online(lb->rcu, i);
	}
	for (b = 0; b < lb->nb_be; b++)
		weir_lb_update(dp, &lb->be[b]);
	dp->to_main = rte_ring_create("weir_to_main", TO_MAIN_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (dp->to_main == NULL)
		return -ENOMEM;
	rc = weir_l4_workers_init(dp);
	if (rc != 0)
		return rc;
	return weir_proxy_init(dp);
}

void weir_lb_fini(struct weir_dp *dp)
{
	struct weir_lb *lb = dp->lb;
	struct rte_mbuf *m;
	uint32_t b, i;

	weir_proxy_fini(dp);
	weir_l4_workers_fini(dp);
	if (dp->to_main != NULL) {
		while (rte_ring_dequeue(dp->to_main, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->to_main);
		dp->to_main = NULL;
	}
	if (lb == NULL)
		return;
	for (i = 0; i < lb->nb_retired; i++)
		weir_sched_view_free(lb->retired[i].view);
	for (b = 0; lb->be != NULL && b < lb->nb_be; b++) {
		weir_sched_view_free(lb->be[b].view);
		rte_free(lb->be[b].srv);
		rte_free(lb->be[b].conns);
		rte_free(lb->be[b].smax);
	}
	rte_free(lb->be);
	rte_free(lb->srv);
	rte_free(lb->svc);
	rte_free(lb->svc_conns);
	rte_free(lb->vips);
	rte_free(lb->rcu);
	rte_free(lb->probing);
	rte_free(lb);
	dp->lb = NULL;
}

void weir_lb_reclaim(struct weir_dp *dp)
{
	struct weir_lb *lb = dp->lb;
	uint32_t i = 0;

	while (i < lb->nb_retired) {
		if (rte_rcu_qsbr_check(lb->rcu, lb->retired[i].token, false) == 1) {
			weir_sched_view_free(lb->retired[i].view);
			lb->retired[i] = lb->retired[--lb->nb_retired];
		} else {
			i++;
		}
	}
}

void weir_lb_update(struct weir_dp *dp, struct weir_backend *be)
{
	struct weir_lb *lb = dp->lb;
	struct weir_sched_server list[WEIR_MAX_SERVERS];
	struct weir_sched_view *v, *old;
	uint32_t i, n = 0, pass;
	uint64_t now = rte_rdtsc();
	bool backup = false;

	/* Primary servers first; only when none is usable, the backups. */
	for (pass = 0; pass < 2 && n == 0; pass++) {
		backup = pass == 1;
		for (i = 0; i < be->nb_srv; i++) {
			const struct weir_server *s = &be->srv[i];

			if (s->backup == backup && weir_server_usable(s)) {
				list[n].id = s->id;
				list[n].weight = s->uweight;
				list[n].key = s->key;
				n++;
			}
		}
	}
	v = weir_sched_view_create(be->algo, list, n, be->maglev_size, ++be->gen);
	if (v == NULL) {
		WEIR_LOG(ERR, l4, "backend %s: cannot build its server view: %s\n", be->name,
			 strerror(errno));
		return;
	}
	/* The backend goes down (also from the start: all weights 0) or comes back up. */
	if (n == 0 && (be->view == NULL || be->view->nb > 0)) {
		be->down_since = now;
		be->last_change = now;
		WEIR_LOG(WARNING, l4, "backend %s has no server available\n", be->name);
	} else if (n > 0 && (be->view == NULL || be->view->nb == 0)) {
		if (be->down_since != 0)
			be->downtime_ms += weir_tsc_to_ms(dp, now - be->down_since);
		be->down_since = 0;
		be->last_change = now;
	}
	be->view_is_backup = n > 0 && backup;
	old = be->view;
	__atomic_store_n(&be->view, v, __ATOMIC_RELEASE);
	if (old == NULL)
		return;
	if (lb->nb_retired == RTE_DIM(lb->retired)) {
		/* Too many changes in flight: wait for every worker to pass one loop. */
		rte_rcu_qsbr_synchronize(lb->rcu, RTE_QSBR_THRID_INVALID);
		weir_lb_reclaim(dp);
	}
	lb->retired[lb->nb_retired].view = old;
	lb->retired[lb->nb_retired].token = rte_rcu_qsbr_start(lb->rcu);
	lb->nb_retired++;
}

struct weir_server *weir_lb_find_server(struct weir_lb *lb, const char *spec)
{
	const char *slash = strchr(spec, '/');
	uint32_t b, i;

	if (slash == NULL)
		return NULL;
	for (b = 0; b < lb->nb_be; b++) {
		struct weir_backend *be = &lb->be[b];

		if (strlen(be->name) != (size_t)(slash - spec) ||
		    strncmp(be->name, spec, (size_t)(slash - spec)) != 0)
			continue;
		for (i = 0; i < be->nb_srv; i++)
			if (strcmp(be->srv[i].name, slash + 1) == 0)
				return &be->srv[i];
	}
	return NULL;
}

/* ---- per-worker L4 contexts ---- */

int weir_l4_workers_init(struct weir_dp *dp)
{
	struct weir_lb *lb = dp->lb;
	uint64_t tick = rte_get_tsc_hz() / 1000;
	uint16_t i;
	uint32_t k;

	for (i = 0; i < dp->nb_workers; i++) {
		struct weir_worker *w = &dp->workers[i];
		int socket = (int)rte_socket_id();
		struct weir_l4w *l4;
		char name[RTE_RING_NAMESIZE];

		l4 = rte_zmalloc_socket("weir_l4w", sizeof(*l4), RTE_CACHE_LINE_SIZE, socket);
		if (l4 == NULL)
			return -ENOMEM;
		w->l4 = l4;
		l4->tsc_per_tick = tick;
		weir_tw_init(&l4->tw, rte_rdtsc() / tick);
		l4->ft = weir_flow_table_create(i, dp->conf->global.flow_capacity, socket);
		l4->lports = rte_zmalloc_socket(
			"weir_lport_pools", sizeof(*l4->lports) * (lb->nb_laddr + 1), 0, socket);
		l4->sched = rte_zmalloc_socket("weir_sched_states",
					       sizeof(*l4->sched) * (lb->nb_be + 1), 0, socket);
		l4->ewma = rte_zmalloc_socket("weir_ewma", sizeof(*l4->ewma) * (lb->nb_srv + 1), 0,
					      socket);
		l4->srv = rte_zmalloc_socket("weir_srv_wstats", sizeof(*l4->srv) * (lb->nb_srv + 1),
					     RTE_CACHE_LINE_SIZE, socket);
		l4->svc = rte_zmalloc_socket("weir_svc_wstats", sizeof(*l4->svc) * (lb->nb_svc + 1),
					     RTE_CACHE_LINE_SIZE, socket);
		snprintf(name, sizeof(name), "weir_redir%u", i);
		l4->redirect = rte_ring_create(name, REDIRECT_RING, socket, RING_F_SC_DEQ);
		if (l4->ft == NULL || l4->lports == NULL || l4->sched == NULL || l4->ewma == NULL ||
		    l4->srv == NULL || l4->svc == NULL || l4->redirect == NULL) {
			WEIR_LOG(ERR, l4, "worker %u: cannot allocate its flow table (%u flows)\n",
				 i, dp->conf->global.flow_capacity);
			return -ENOMEM;
		}
		for (k = 0; k < lb->nb_laddr; k++) {
			uint32_t first, end;

			weir_lport_slice(lb, i, &first, &end);
			if (weir_lport_pool_init(&l4->lports[k], first, end, (uint32_t)rte_rand(),
						 socket) != 0)
				return -ENOMEM;
			/* Shared by both kinds: which one took a port tells whose it is. */
			if (lb->laddr[k].modes == (1u << WEIR_MODE_NAT | 1u << WEIR_MODE_TCP) &&
			    weir_lport_pool_track(&l4->lports[k], socket) != 0)
				return -ENOMEM;
		}
		for (k = 0; k < lb->nb_be; k++)
			if (weir_sched_state_init(&l4->sched[k], lb->be[k].nb_srv,
						  0x9e3779b97f4a7c15ull * (i + 1u) + k) != 0)
				return -ENOMEM;
	}
	return 0;
}

void weir_l4_workers_fini(struct weir_dp *dp)
{
	struct weir_lb *lb = dp->lb;
	struct rte_mbuf *m;
	uint16_t i;
	uint32_t k;

	for (i = 0; dp->workers != NULL && i < dp->nb_workers; i++) {
		struct weir_l4w *l4 = dp->workers[i].l4;

		if (l4 == NULL)
			continue;
		weir_flow_table_free(l4->ft);
		for (k = 0; l4->lports != NULL && k < lb->nb_laddr; k++)
			weir_lport_pool_fini(&l4->lports[k]);
		for (k = 0; l4->sched != NULL && k < lb->nb_be; k++)
			weir_sched_state_fini(&l4->sched[k]);
		if (l4->redirect != NULL) {
			while (rte_ring_dequeue(l4->redirect, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(l4->redirect);
		}
		rte_free(l4->lports);
		rte_free(l4->sched);
		rte_free(l4->ewma);
		rte_free(l4->srv);
		rte_free(l4->svc);
		rte_free(l4);
		dp->workers[i].l4 = NULL;
	}
}
