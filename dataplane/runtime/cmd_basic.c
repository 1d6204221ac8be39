/* SPDX-License-Identifier: BSD-3-Clause */
/* Runtime commands of the foundation: help, prompt, quit, show info/ports/neigh/drops. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "core/stats.h"
#include "l4/l4.h"
#include "net/neigh.h"
#include "runtime/runtime.h"

static void fmt_ip(uint32_t ip, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&ip;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static void cmd_help(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	weir_rt_help(ctx->out);
}

static void cmd_prompt(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctx->prompt = !ctx->prompt;
}

static void cmd_quit(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctx->quit = true;
}

static void cmd_show_info(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_rt_out *o = ctx->out;
	struct weir_wstats s;
	struct weir_l4_flow_totals ft;
	uint64_t up = (rte_rdtsc() - dp->start_tsc) / dp->tsc_hz, pin = 0, bin = 0, pout = 0,
		 bout = 0, drops = 0;
	unsigned int k;
	uint16_t p;

	(void)argc;
	(void)argv;
	weir_stats_sum(dp, &s);
	for (p = 0; p < dp->nb_ports; p++) {
		pin += s.q[p].rx_pkts;
		bin += s.q[p].rx_bytes;
		pout += s.q[p].tx_pkts;
		bout += s.q[p].tx_bytes;
	}
	for (k = 0; k < WEIR_DROP_MAX; k++)
		drops += s.drops[k];
	weir_rt_printf(o, "Name: weir\n");
	weir_rt_printf(o, "Version: %s\n", WEIR_VERSION);
	weir_rt_printf(o, "Pid: %d\n", (int)getpid());
	weir_rt_printf(o, "Uptime: %ud %uh%02um%02us\n", (unsigned int)(up / 86400),
		       (unsigned int)(up / 3600 % 24), (unsigned int)(up / 60 % 60),
		       (unsigned int)(up % 60));
	weir_rt_printf(o, "Uptime_sec: %" PRIu64 "\n", up);
	weir_rt_printf(o, "Start_time: %" PRIu64 "\n", dp->start_time);
	weir_rt_printf(o, "Workers: %u\n", dp->nb_workers);
	weir_rt_printf(o, "Nbthread: %u\n", dp->nb_workers);
	weir_rt_printf(o, "Ports: %u\n", dp->nb_ports);
	weir_rt_printf(o, "Hugepages: %s\n", dp->hugepages ? "yes" : "no");
	weir_rt_printf(o, "Poll_mode: %s\n",
		       dp->conf->global.poll_mode == WEIR_POLL_ADAPTIVE ? "adaptive" : "busy");
	weir_rt_printf(o, "Pkts_in: %" PRIu64 "\n", pin);
	weir_rt_printf(o, "Bytes_in: %" PRIu64 "\n", bin);
	weir_rt_printf(o, "Pkts_out: %" PRIu64 "\n", pout);
	weir_rt_printf(o, "Bytes_out: %" PRIu64 "\n", bout);
	weir_rt_printf(o, "Drops: %" PRIu64 "\n", drops);
	for (k = 0; k < WEIR_DROP_MAX; k++)
		weir_rt_printf(o, "Drop_%s: %" PRIu64 "\n", weir_drop_names[k], s.drops[k]);
	for (k = 0; k < WEIR_EV_MAX; k++)
		weir_rt_printf(o, "Ev_%s: %" PRIu64 "\n", weir_event_names[k], s.events[k]);
	weir_rt_printf(o, "Main_tx: %" PRIu64 "\n", dp->main_tx);
	weir_rt_printf(o, "Main_tx_fail: %" PRIu64 "\n", dp->main_tx_fail);
	weir_l4_flow_totals(dp, &ft);
	weir_rt_printf(o, "Flows: %" PRIu64 "\n", ft.active);
	weir_rt_printf(o, "Flows_max: %" PRIu64 "\n", ft.max);
	weir_rt_printf(o, "Flows_created: %" PRIu64 "\n", ft.created);
	weir_rt_printf(o, "Flows_expired: %" PRIu64 "\n", ft.expired);
	weir_rt_printf(o, "CurrConns: %" PRIu64 "\n", ft.conns);
	weir_rt_printf(o, "CumConns: %" PRIu64 "\n", ft.conns_total);
	weir_rt_printf(o, "ConnRate: %u\n", ft.conn_rate);
	weir_rt_printf(o, "MaxConnRate: %u\n", ft.conn_rate_max);
	weir_rt_printf(o, "Neigh_entries: %u\n", dp->neigh->count);
	weir_rt_printf(o, "Neigh_evicted: %" PRIu64 "\n", dp->neigh->evicted);
	weir_rt_printf(o, "Mbufs_free: %u\n", rte_mempool_avail_count(dp->pool));
	weir_rt_printf(o, "Mbufs_total: %u\n", dp->pool->size);
	weir_rt_printf(o, "Idle_sleeps: %" PRIu64 "\n", s.idle_sleeps);
	{
		uint64_t drop = 0, dup = 0, reorder = 0;
		uint16_t w, q;

		for (w = 0; w < dp->nb_workers; w++)
			for (q = 0; q < dp->nb_ports; q++) {
				const struct weir_worker *wk = &dp->workers[w];

				drop += wk->rx_fault[q].dropped + wk->tx_fault[q].dropped;
				dup += wk->rx_fault[q].duplicated + wk->tx_fault[q].duplicated;
				reorder += wk->rx_fault[q].reordered + wk->tx_fault[q].reordered;
			}
		/* The test fault injector's doing (zero unless an interface configures it). */
		weir_rt_printf(o, "Fault_dropped: %" PRIu64 "\n", drop);
		weir_rt_printf(o, "Fault_duplicated: %" PRIu64 "\n", dup);
		weir_rt_printf(o, "Fault_reordered: %" PRIu64 "\n", reorder);
	}
}

static void cmd_show_drops(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_wstats s;
	unsigned int k;

	(void)argc;
	(void)argv;
	weir_stats_sum(ctx->dp, &s);
	weir_rt_printf(ctx->out, "# reason count meaning\n");
	for (k = 0; k < WEIR_DROP_MAX; k++)
		weir_rt_printf(ctx->out, "%s %" PRIu64 " %s\n", weir_drop_names[k], s.drops[k],
			       weir_drop_docs[k]);
}

static void cmd_show_ports(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_rt_out *o = ctx->out;
	uint16_t i, w;

	(void)argc;
	(void)argv;
	weir_rt_printf(o, "# port name device mac link speed_mbps duplex mtu address rx_pkts "
			  "rx_bytes tx_pkts tx_bytes rx_missed rx_errors tx_errors rx_nombuf "
			  "rx_csum_offload\n");
	for (i = 0; i < dp->nb_ports; i++) {
		const struct weir_port *p = &dp->ports[i];
		struct rte_eth_link link = { 0 };
		struct rte_eth_stats es = { 0 };
		char mac[RTE_ETHER_ADDR_FMT_SIZE], addr[16], csum[24];

		if (p->started) {
			rte_eth_link_get_nowait(p->port_id, &link);
			rte_eth_stats_get(p->port_id, &es);
		}
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		fmt_ip(p->addr, addr, sizeof(addr));
		snprintf(csum, sizeof(csum), "%s%s%s%s",
			 p->rx_csum & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM ? ",ip" : "",
			 p->rx_csum & RTE_ETH_RX_OFFLOAD_TCP_CKSUM ? ",tcp" : "",
			 p->rx_csum & RTE_ETH_RX_OFFLOAD_UDP_CKSUM ? ",udp" : "",
			 p->rx_csum == 0 ? ",none" : "");
		weir_rt_printf(o,
			       "%u %s %s %s %s %u %s %u %s/%u %" PRIu64 " %" PRIu64 " %" PRIu64
			       " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
			       p->port_id, p->name, p->device, mac,
			       link.link_status ? "up" : "down", link.link_speed,
			       link.link_duplex ? "full" : "half", p->mtu, addr, p->prefixlen,
			       es.ipackets, es.ibytes, es.opackets, es.obytes, es.imissed,
			       es.ierrors, es.oerrors, es.rx_nombuf, csum + 1);
	}
	/* Per-queue counters as Weir counts them: queue N of every port is worker N's. */
	weir_rt_printf(o, "# queue port name worker rx_pkts rx_bytes tx_pkts tx_bytes\n");
	for (i = 0; i < dp->nb_ports; i++)
		for (w = 0; w < dp->nb_workers; w++) {
			const struct weir_qstats *q = &dp->workers[w].st.q[i];

			weir_rt_printf(o,
				       "queue %u %s %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
				       "\n",
				       dp->ports[i].port_id, dp->ports[i].name, w,
				       __atomic_load_n(&q->rx_pkts, __ATOMIC_RELAXED),
				       __atomic_load_n(&q->rx_bytes, __ATOMIC_RELAXED),
				       __atomic_load_n(&q->tx_pkts, __ATOMIC_RELAXED),
				       __atomic_load_n(&q->tx_bytes, __ATOMIC_RELAXED));
		}
}

static void cmd_show_neigh(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	const struct weir_neigh_table *t = ctx->dp->neigh;
	uint64_t now = rte_rdtsc();
	uint32_t i;

	(void)argc;
	(void)argv;
	weir_rt_printf(ctx->out, "# address interface mac state age_ms probes watched\n");
	for (i = 0; i < t->nb_buckets * WEIR_NEIGH_WAYS; i++) {
		struct weir_neigh_entry e;
		char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (!weir_neigh_get(t, i, &e))
			continue;
		fmt_ip(e.ip, ip, sizeof(ip));
		if (e.state == WEIR_NEIGH_REACHABLE || e.state == WEIR_NEIGH_STALE ||
		    e.state == WEIR_NEIGH_PERMANENT)
			rte_ether_format_addr(mac, sizeof(mac), &e.mac);
		else
			snprintf(mac, sizeof(mac), "-");
		weir_rt_printf(ctx->out, "%s %s %s %s %" PRIu64 " %u %s\n", ip,
			       ctx->dp->ports[e.port].name, mac, weir_neigh_state_name(e.state),
			       weir_tsc_to_ms(ctx->dp, now - e.updated), e.probes,
			       e.flags & WEIR_NEIGH_F_WATCHED ? "yes" : "no");
	}
}

static const struct weir_rt_cmd basic_cmds[] = {
	{ { "help" }, "help", "list the commands", cmd_help },
	{ { "prompt" },
	  "prompt",
	  "toggle interactive mode (keep the connection open)",
	  cmd_prompt },
	{ { "quit" }, "quit", "close the connection", cmd_quit },
	{ { "show", "info" },
	  "show info",
	  "process information and global counters",
	  cmd_show_info },
	{ { "show", "drops" },
	  "show drops",
	  "packets dropped, by reason, with what each means",
	  cmd_show_drops },
	{ { "show", "ports" },
	  "show ports",
	  "interfaces: link, addresses, port and queue counters",
	  cmd_show_ports },
	{ { "show", "neigh" }, "show neigh", "the neighbour (ARP) table", cmd_show_neigh },
};
void weir_rt_register_basic(void)
{
	weir_rt_register(basic_cmds, RTE_DIM(basic_cmds));
}
