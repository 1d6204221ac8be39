/* SPDX-License-Identifier: BSD-3-Clause */
/* Active health checks, run by the main lcore on the dataplane's own ports. */
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "core/log.h"
#include "core/worker.h"
#include "health/check.h"
#include "l4/lb.h"
#include "net/build.h"
#include "net/neigh.h"

#define CHECK_MSS 1460

const char *weir_chk_status_name(uint8_t status)
{
	static const char *const names[] = {
		[WEIR_CHK_NONE] = "",         [WEIR_CHK_INI] = "INI",     [WEIR_CHK_L4OK] = "L4OK",
		[WEIR_CHK_L4TOUT] = "L4TOUT", [WEIR_CHK_L4CON] = "L4CON",
	};

	return status < RTE_DIM(names) ? names[status] : "";
}

const char *weir_chk_status_desc(uint8_t status)
{
	static const char *const descs[] = {
		[WEIR_CHK_NONE] = "",
		[WEIR_CHK_INI] = "Initializing",
		[WEIR_CHK_L4OK] = "Layer4 check passed",
		[WEIR_CHK_L4TOUT] = "Layer4 timeout",
		[WEIR_CHK_L4CON] = "Layer4 connection problem",
	};

	return status < RTE_DIM(descs) ? descs[status] : "";
}

/* The interval until the next probe, by where the server stands (HAProxy's rule). */
static uint32_t interval_ms(const struct weir_server *s)
{
	const struct weir_conf_check *c = &s->be->check;

	if (s->chk.health == c->rise + c->fall - 1)
		return c->inter_ms;
	if (s->chk.health == 0 && s->op == WEIR_SRV_DOWN)
		return c->downinter_ms;
	return c->fastinter_ms;
}

/* Servers of @be usable now, primaries and backups, for the log line. */
static void count_usable(const struct weir_backend *be, uint32_t *act, uint32_t *bck)
{
	uint32_t i;

	*act = *bck = 0;
	for (i = 0; i < be->nb_srv; i++)
		if (weir_server_usable(&be->srv[i]))
			(*(be->srv[i].backup ? bck : act))++;
}

_Static_assert(WEIR_MAX_SERVERS_ALL <= UINT16_MAX, "weir_lb.probing counts probes in 16 bits");

/* The probe's port, as an index into the main slice's weir_lb.probing[]. */
static uint32_t probe_index(const struct weir_dp *dp, const struct weir_check_state *k)
{
	uint32_t first, end;

	weir_lport_slice(dp->lb, dp->nb_workers, &first, &end);
	return rte_be_to_cpu_16(k->sport) - first;
}

void weir_health_forget(struct weir_dp *dp, struct weir_server *s)
{
	struct weir_check_state *k = &s->chk;

	if (k->running)
		__atomic_fetch_sub(&dp->lb->probing[probe_index(dp, k)], 1, __ATOMIC_RELEASE);
	k->running = false;
	k->arp_wait = false;
}

/* Apply one check result and, on a change of state, republish the backend's view. */
static void result(struct weir_dp *dp, struct weir_server *s, uint8_t status, uint64_t now,
		   const char *info)
{
	const struct weir_conf_check *c = &s->be->check;
	struct weir_check_state *k = &s->chk;
	uint32_t act, bck;

	weir_health_forget(dp, s);
	k->status = status;
	k->duration_ms = (uint32_t)weir_tsc_to_ms(dp, now - k->sent);
	k->last_chk = now;
	if (status == WEIR_CHK_L4OK) {
		if (k->health < c->rise + c->fall - 1)
			k->health++;
		if (s->op == WEIR_SRV_DOWN && k->health >= c->rise) {
			k->health = c->rise + c->fall - 1;
			s->op = WEIR_SRV_UP;
			s->downtime_ms += weir_tsc_to_ms(dp, now - s->down_since);
			s->down_since = 0;
			s->last_change = now;
			weir_lb_update(dp, s->be);
			count_usable(s->be, &act, &bck);
			WEIR_LOG(WARNING, health,
				 "Server %s/%s is UP, reason: %s, check duration: %ums. %u active "
				 "and %u backup servers online.\n",
				 s->be->name, s->name, weir_chk_status_desc(status), k->duration_ms,
				 act, bck);
		} else if (s->op == WEIR_SRV_UP && k->health >= c->rise) {
			k->health = c->rise + c->fall - 1;
		}
	} else {
		/* As HAProxy counts them: not while down with nothing gained toward rise. */
		if (k->health > 0)
			s->chkfail++;
		if (k->health > c->rise) {
			k->health--;
		} else if (s->op == WEIR_SRV_UP) {
			k->health = 0;
			s->op = WEIR_SRV_DOWN;
			s->chkdown++;
			s->down_since = now;
			s->last_change = now;
			weir_lb_update(dp, s->be);
			count_usable(s->be, &act, &bck);
			WEIR_LOG(WARNING, health,
				 "Server %s/%s is DOWN, reason: %s, info: \"%s\", check duration: "
				 "%ums. %u active and %u backup servers left.\n",
				 s->be->name, s->name, weir_chk_status_desc(status), info,
				 k->duration_ms, act, bck);
		} else {
			/* Rise counts successes in a row: a failure starts it over. */
			k->health = 0;
		}
	}
	k->next = now + weir_ms_to_tsc(dp, interval_ms(s));
}

/* Source port for the next probe: the main lcore's slice, round robin. */
static uint16_t next_sport(struct weir_dp *dp)
{
	static uint32_t turn;
	uint32_t first, end;

	weir_lport_slice(dp->lb, dp->nb_workers, &first, &end);
	if (end > 65536)
		end = 65536;
	return rte_cpu_to_be_16((uint16_t)(first + turn++ % (end - first)));
}

/*
 * Send the SYN of @s's probe, or, without its next hop's MAC yet, leave the probe
 * waiting for it: as a kernel's connect() waits for ARP, within the check's timeout.
 */
static void send_syn(struct weir_dp *dp, struct weir_server *s)
{
	const struct weir_port *p = &dp->ports[s->out_port];
	struct weir_check_state *k = &s->chk;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;

	k->arp_wait = weir_neigh_lookup(dp->neigh, s->out_port, s->nexthop, &mac) != 0;
	if (k->arp_wait)
		return;
	m = weir_build_tcp(dp->pool, p, &mac, p->addr, s->addr, k->sport, s->check_port, k->iss, 0,
			   RTE_TCP_SYN_FLAG, CHECK_MSS);
	if (m == NULL) {
		dp->main_tx_fail++;
		return; /* the timeout will count it */
	}
	weir_main_tx(dp, m);
}

static void send_probe(struct weir_dp *dp, struct weir_server *s, uint64_t now)
{
	struct weir_check_state *k = &s->chk;

	k->sent = now;
	k->running = true;
	k->sport = next_sport(dp);
	k->iss = (uint32_t)rte_rand();
	/* Before the SYN leaves: the workers pass the answer on from now. */
	__atomic_fetch_add(&dp->lb->probing[probe_index(dp, k)], 1, __ATOMIC_RELEASE);
	send_syn(dp, s);
	if (k->arp_wait)
		weir_neigh_watch(dp, s->out_port, s->nexthop, now);
}

void weir_health_init(struct weir_dp *dp)
{
	uint64_t now = rte_rdtsc();
	uint32_t i;

	for (i = 0; i < dp->lb->nb_srv; i++) {
		struct weir_server *s = dp->lb->srv[i];

		if (!s->checked)
			continue;
		/* Spread first probes over one interval so they do not leave in a burst. */
		s->chk.next = now + rte_rand() % weir_ms_to_tsc(dp, s->be->check.inter_ms);
	}
}

void weir_health_poll(struct weir_dp *dp, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < dp->lb->nb_srv; i++) {
		struct weir_server *s = dp->lb->srv[i];

		if (!s->checked)
			continue;
		if (s->chk.running) {
			if (now - s->chk.sent >= weir_ms_to_tsc(dp, s->be->check.timeout_ms)) {
				if (s->chk.arp_wait)
					result(dp, s, WEIR_CHK_L4CON, now, "No ARP answer");
				else
					result(dp, s, WEIR_CHK_L4TOUT, now, "Connection timed out");
			} else if (s->chk.arp_wait) {
				send_syn(dp, s);
			}
			continue;
		}
		/* An operator's maintenance pauses the checks, as in HAProxy. */
		if (s->admin != WEIR_SRV_MAINT && now >= s->chk.next)
			send_probe(dp, s, now);
	}
}

void weir_health_input(struct weir_dp *dp, struct rte_mbuf *m, uint64_t now)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
	struct rte_tcp_hdr *tcp;
	uint32_t i;

	/* Workers validated the headers (lengths and checksums) before passing it on. */
	if (ip->next_proto_id != IPPROTO_TCP)
		goto out;
	tcp = (struct rte_tcp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	for (i = 0; i < dp->lb->nb_srv; i++) {
		struct weir_server *s = dp->lb->srv[i];
		struct weir_check_state *k = &s->chk;
		uint32_t ack = rte_be_to_cpu_32(tcp->recv_ack);

		if (!k->running || s->addr != ip->src_addr || s->check_port != tcp->src_port ||
		    k->sport != tcp->dst_port || ack != k->iss + 1)
			continue;
		if ((tcp->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
		    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) {
			struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
			struct rte_mbuf *rst;

			/* Close the half-open connection at once: RST with the expected seq. */
			rst = weir_build_tcp(dp->pool, &dp->ports[s->out_port], &eth->src_addr,
					     ip->dst_addr, ip->src_addr, tcp->dst_port,
					     tcp->src_port, k->iss + 1, 0, RTE_TCP_RST_FLAG, 0);
			if (rst != NULL)
				weir_main_tx(dp, rst);
			result(dp, s, WEIR_CHK_L4OK, now, "");
		} else if (tcp->tcp_flags & RTE_TCP_RST_FLAG) {
			result(dp, s, WEIR_CHK_L4CON, now, "Connection refused");
		}
		break;
	}
out:
	rte_pktmbuf_free(m);
}
