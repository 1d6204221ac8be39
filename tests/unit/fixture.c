/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit-test fixture: an EAL without hugepages or devices and a dataplane built from a config. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "conf/conf.h"
#include "core/lifecycle.h"
#include "fixture.h"
#include "l4/l4.h"
#include "net/neigh.h"
#include "runtime/runtime.h"

const char *fixture_conf = "global = { workers = 1; mbufs = 2047; flows = 4096; };\n"
			   "interfaces = (\n"
			   "  { name = \"client\"; device = \"net_null0\"; "
			   "address = \"10.0.0.1/24\"; gateway = \"10.0.0.254\"; },\n"
			   "  { name = \"servers\"; device = \"net_null1\"; "
			   "address = \"10.1.0.1/24\"; }\n"
			   ");\n"
			   "backends = ( { name = \"web\"; servers = (\n"
			   "  { name = \"s1\"; address = \"10.1.0.11\"; port = 80; } ); } );\n"
			   "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; "
			   "backend = \"web\"; } );\n";

const struct rte_ether_addr fixture_peer_mac = { { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 } };
const struct rte_ether_addr fixture_srv_mac = { { 0x02, 0x5e, 0, 0, 0, 0x11 } };

int fixture_eal(void)
{
	static int done;
	char prefix[64];
	char *argv[] = { "unit",
			 "--no-huge",
			 "--no-pci",
			 "--no-shconf",
			 "-m",
			 "256",
			 "-l",
			 "0",
			 "--file-prefix",
			 prefix,
			 "--log-level=lib.*:error",
			 NULL };

	if (done)
		return 0;
	snprintf(prefix, sizeof(prefix), "weir-unit-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	/* Leave no EAL runtime directory behind when the test program ends. */
	atexit(weir_eal_cleanup);
	done = 1;
	return 0;
}

void fixture_port_mac(unsigned int i, struct rte_ether_addr *mac)
{
	static const struct rte_ether_addr base = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 } };

	*mac = base;
	mac->addr_bytes[5] = (uint8_t)(0x10 + i);
}

void fixture_dp(struct weir_dp *dp, const char *conf_text)
{
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *conf = weir_conf_load_string(conf_text, "unit.conf", &errs);
	uint16_t i;

	if (conf == NULL) {
		for (i = 0; i < errs.count; i++)
			print_error("%s\n", errs.msg[i]);
		weir_conf_errors_clear(&errs);
		fail_msg("fixture config does not load");
	}
	assert_int_equal(weir_dp_init(dp, conf), 0);
	for (i = 0; i < dp->nb_ports; i++) {
		fixture_port_mac(i, &dp->ports[i].mac);
		/* DPDK port ids as if probed in config order (no device is started). */
		dp->ports[i].port_id = i;
		dp->port_by_id[i] = &dp->ports[i];
	}
}

void fixture_dp_fini(struct weir_dp *dp)
{
	uint16_t p;

	/* Free whatever the tests left queued. */
	for (p = 0; p < dp->nb_ports; p++) {
		struct weir_txbuf *b = &dp->workers[0].tx[p];

		rte_pktmbuf_free_bulk(b->pkts, b->n);
		b->n = 0;
	}
	weir_dp_fini(dp);
}

uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fail_msg("bad address %s", s);
	return a.s_addr;
}

struct rte_mbuf *fixture_mbuf(struct weir_dp *dp, const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	void *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memcpy(p, data, len);
	m->port = 0;
	return m;
}

unsigned int fixture_take_tx(struct weir_dp *dp, uint16_t port, struct rte_mbuf **out,
			     unsigned int max)
{
	struct weir_txbuf *b = &dp->workers[0].tx[port];
	unsigned int n = b->n < max ? b->n : max;

	memcpy(out, b->pkts, n * sizeof(*out));
	memmove(b->pkts, b->pkts + n, (b->n - n) * sizeof(*out));
	b->n = (uint16_t)(b->n - n);
	return n;
}

uint64_t fixture_drops(struct weir_dp *dp, unsigned int why)
{
	return dp->workers[0].st.drops[why];
}

void fixture_learn(struct weir_dp *dp, uint16_t port, const char *ip,
		   const struct rte_ether_addr *mac)
{
	struct weir_event_msg ev = { .ip = ip4(ip),
				     .mac = *mac,
				     .type = WEIR_EVT_ARP,
				     .flags = WEIR_EVF_ARP_FOR_US,
				     .port = port };

	weir_neigh_event(dp, &ev, rte_rdtsc());
}

int fixture_l4_setup(struct weir_dp *dp, const char *conf_text, const char *const *servers)
{
	if (fixture_eal() != 0)
		return -1;
	fixture_dp(dp, conf_text);
	weir_l4_register_commands();
	for (; *servers != NULL; servers++)
		fixture_learn(dp, 1, *servers, &fixture_srv_mac);
	fixture_learn(dp, 0, "10.0.0.2", &fixture_peer_mac);
	return 0;
}

void ip_hdr(struct rte_ipv4_hdr *ip, const char *src, const char *dst, uint8_t proto,
	    uint16_t l4len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = ip4(src);
	ip->dst_addr = ip4(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

void tcp_seg(struct tcp_frame *f, uint16_t port, const char *src, uint16_t sport, const char *dst,
	     uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	fixture_port_mac(port, &f->eth.dst_addr);
	f->eth.src_addr = port == 0 ? fixture_peer_mac : fixture_srv_mac;
	f->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip_hdr(&f->ip, src, dst, IPPROTO_TCP, sizeof(f->tcp) + sizeof(f->data));
	f->tcp.src_port = rte_cpu_to_be_16(sport);
	f->tcp.dst_port = rte_cpu_to_be_16(dport);
	f->tcp.sent_seq = rte_cpu_to_be_32(seq);
	f->tcp.recv_ack = rte_cpu_to_be_32(ack);
	f->tcp.data_off = 5 << 4;
	f->tcp.tcp_flags = flags;
	f->tcp.rx_win = RTE_BE16(65535);
	for (i = 0; i < sizeof(f->data); i++)
		f->data[i] = (uint8_t)(i * 7);
	f->tcp.cksum = rte_ipv4_udptcp_cksum(&f->ip, &f->tcp);
}

int64_t fixture_rt_value(struct weir_dp *dp, const char *cmd, const char *key)
{
	struct weir_rt_out out = { 0 };
	struct weir_rt_ctx ctx = { .dp = dp, .out = &out };
	char k[64], *text, *at;
	int64_t v = -1;

	weir_rt_execute(&ctx, cmd);
	text = strndup(out.buf != NULL ? out.buf : "", out.len);
	weir_rt_out_free(&out);
	snprintf(k, sizeof(k), "\n%s: ", key);
	at = text != NULL ? strstr(text, k) : NULL;
	if (at != NULL)
		v = strtoll(at + strlen(k), NULL, 10);
	free(text);
	return v;
}
