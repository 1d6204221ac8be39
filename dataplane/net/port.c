/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces: binding configured interfaces to DPDK ports, queues, link state, stats. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "core/log.h"
#include "net/port.h"

void weir_port_dev_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
	/* EAL names PCI devices by their full domain:bus:device.function. */
	if (strchr(name, ':') != NULL && strchr(name, ':') == strrchr(name, ':')) {
		char full[64];

		snprintf(full, sizeof(full), "0000:%s", name);
		snprintf(name, len, "%s", full);
	}
}

void weir_ports_setup(struct weir_dp *dp)
{
	uint32_t i;

	dp->nb_ports = (uint16_t)dp->conf->nb_ifaces;
	for (i = 0; i < dp->nb_ports; i++) {
		const struct weir_conf_iface *c = &dp->conf->ifaces[i];
		struct weir_port *p = &dp->ports[i];

		memset(p, 0, sizeof(*p));
		p->index = (uint16_t)i;
		snprintf(p->name, sizeof(p->name), "%s", c->name);
		p->device = c->device;
		p->addr = c->addr;
		p->prefixlen = c->prefixlen;
		p->mask = c->prefixlen ? rte_cpu_to_be_32(~0u << (32 - c->prefixlen)) : 0;
		p->bcast = c->prefixlen < 31 ? p->addr | ~p->mask : 0;
		p->gateway = c->gateway;
		p->mtu = (uint16_t)c->mtu;
	}
}

/* Configure @p's queues for @nb_workers workers and start it. */
static int port_start(struct weir_dp *dp, struct weir_port *p, const struct weir_conf_iface *c)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf pc;
	uint16_t q, rxd = (uint16_t)c->rx_desc, txd = (uint16_t)c->tx_desc;
	int rc, socket;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < dp->nb_workers || info.max_tx_queues < dp->nb_workers) {
		WEIR_LOG(ERR, port,
			 "interface '%s' (%s) has %u RX and %u TX queues; Weir needs one of each "
			 "per worker (%u)\n",
			 p->name, p->device, info.max_rx_queues, info.max_tx_queues,
			 dp->nb_workers);
		return -EINVAL;
	}
	memset(&pc, 0, sizeof(pc));
	if (dp->nb_workers > 1 && info.flow_type_rss_offloads != 0) {
		pc.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		pc.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	/* Checksums verified by the NIC where it can: the input paths read its verdict
	 * (good, bad, or unknown, then checked in software). */
	p->rx_csum = info.rx_offload_capa &
		     (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		      RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	pc.rxmode.offloads = p->rx_csum;
	rc = rte_eth_dev_configure(p->port_id, dp->nb_workers, dp->nb_workers, &pc);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_set_mtu(p->port_id, p->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		WEIR_LOG(WARNING, port, "interface '%s': cannot set MTU %u: %s\n", p->name, p->mtu,
			 strerror(-rc));
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < dp->nb_workers; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd, (unsigned int)socket, NULL,
					    dp->pool);
		if (rc != 0)
			return rc;
		rc = rte_eth_tx_queue_setup(p->port_id, q, txd, (unsigned int)socket, NULL);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0)
		return rc;
	p->nb_rxq = dp->nb_workers;
	p->nb_txq = dp->nb_workers;
	p->steer = dp->nb_workers > 1 && (strcmp(info.driver_name, "net_af_packet") == 0 ||
					  strcmp(info.driver_name, "net_tap") == 0);
	if (p->steer)
		WEIR_LOG(INFO, port,
			 "interface '%s': the kernel spreads its frames; Weir steers clients' "
			 "frames to their workers itself\n",
			 p->name);
	p->started = true;
	return 0;
}

int weir_ports_start(struct weir_dp *dp)
{
	uint16_t i;
	int rc;

	for (i = 0; i < dp->nb_ports; i++) {
		struct weir_port *p = &dp->ports[i];
		char name[RTE_ETH_NAME_MAX_LEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

		weir_port_dev_name(p->device, name, sizeof(name));
		rc = rte_eth_dev_get_port_by_name(name, &p->port_id);
		if (rc != 0) {
			WEIR_LOG(ERR, port,
				 "interface '%s': no DPDK device '%s' (is it bound "
				 "to a DPDK driver, or the vdev spec right?)\n",
				 p->name, name);
			return -ENODEV;
		}
		rc = port_start(dp, p, &dp->conf->ifaces[i]);
		if (rc != 0) {
			WEIR_LOG(ERR, port, "interface '%s' (%s): cannot start: %s\n", p->name,
				 p->device, strerror(-rc));
			return rc;
		}
		dp->port_by_id[p->port_id] = p;
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		WEIR_LOG(INFO, port, "interface '%s' is DPDK port %u (%s), MAC %s, %u queues\n",
			 p->name, p->port_id, name, mac, p->nb_rxq);
	}
	return 0;
}

void weir_ports_stop(struct weir_dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->nb_ports; i++) {
		struct weir_port *p = &dp->ports[i];

		if (!p->started)
			continue;
		p->started = false;
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
	}
}
