/* SPDX-License-Identifier: BSD-3-Clause */
/* Micro-benchmarks of the L4 path on one worker, without devices (EAL --no-huge). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "core/lifecycle.h"
#include "core/worker.h"
#include "l4/flow.h"
#include "l4/l4.h"
#include "net/neigh.h"
#include "net/pkt.h"
#include "net/port.h"

/*
 * l4bench forward N   forward N 64-byte segments of 1024 established full-NAT flows
 *                     (for callgrind: the loop is bench_forward(); divide its
 *                     instructions by N)
 * l4bench newflows N  open N new flows (distinct 5-tuples); prints flows per second
 * l4bench flowmem C   prints the DPDK memory a flow table of C flows takes, per flow
 *
 * The ports are net_null devices: what a worker transmits is freed by the PMD, so
 * transmission costs what a burst to a device costs, without any device work.
 */

#define FLOWS 1024

static const char conf_fmt[] =
	"global = { workers = 1; mbufs = 65535; flows = %u; memory_mb = %u; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; } );\n"
	"backends = ( { name = \"web\"; balance = \"roundrobin\"; servers = (\n"
	"  { name = \"s1\"; address = \"10.1.0.11\"; port = 80; },\n"
	"  { name = \"s2\"; address = \"10.1.0.12\"; port = 80; } ); } );\n"
	"services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\";\n"
	"  local_addresses = [ \"10.1.0.100\", \"10.1.0.101\", \"10.1.0.102\", \"10.1.0.103\",\n"
	"    \"10.1.0.104\", \"10.1.0.105\", \"10.1.0.106\", \"10.1.0.107\", \"10.1.0.108\",\n"
	"    \"10.1.0.109\", \"10.1.0.110\", \"10.1.0.111\", \"10.1.0.112\", \"10.1.0.113\",\n"
	"    \"10.1.0.114\", \"10.1.0.115\" ]; } );\n"
	"neighbours = (\n"
	"  { interface = \"servers\"; address = \"10.1.0.11\"; mac = \"02:00:00:00:01:0b\"; },\n"
	"  { interface = \"servers\"; address = \"10.1.0.12\"; mac = \"02:00:00:00:01:0c\"; } );\n";

static struct weir_dp dp;

static void setup(uint32_t flows)
{
	char prefix[64], text[sizeof(conf_fmt) + 64];
	char *argv[] = { "l4bench",
			 "--no-huge",
			 "--no-pci",
			 "--no-shconf",
			 "-m",
			 "1024",
			 "-l",
			 "0",
			 "--file-prefix",
			 prefix,
			 "--vdev",
			 "net_null0,no-rx=1",
			 "--vdev",
			 "net_null1,no-rx=1",
			 "--log-level=*:error",
			 NULL };
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *conf;
	uint32_t i;

	snprintf(prefix, sizeof(prefix), "weir-bench-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "l4bench: EAL init failed\n");
		exit(1);
	}
	atexit(weir_eal_cleanup);
	snprintf(text, sizeof(text), conf_fmt, flows, 1024);
	conf = weir_conf_load_string(text, "bench.conf", &errs);
	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (conf == NULL || weir_dp_init(&dp, conf) != 0 || weir_ports_start(&dp) != 0)
		exit(1);
	for (i = 0; i < conf->nb_neighbours; i++) {
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, conf->neighbours[i].mac, 6);
		weir_neigh_add_static(&dp, (uint16_t)conf->neighbours[i].iface,
				      conf->neighbours[i].addr, &mac, rte_rdtsc());
	}
}

/*
 * A 60-byte TCP segment (64 on the wire) with @flags arriving on port @port, from
 * @src:@sport to @dst:@dport (network order), sent by a peer whose MAC ends in @peer.
 */
static void tcp_frame(uint8_t *buf, uint16_t port, uint8_t peer, uint32_t src, uint32_t dst,
		      uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

	memset(buf, 0, 60);
	eth->dst_addr = dp.ports[port].mac;
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = peer;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(60 - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->src_port = sport;
	tcp->dst_port = dport;
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = (flags & RTE_TCP_ACK_FLAG) ? RTE_BE32(1) : 0;
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = RTE_BE16(65535);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
}

/* A client segment of flow @k with @flags. */
static void segment(uint8_t *buf, uint32_t k, uint8_t flags)
{
	/* Clients 172.16.0.1 .. 172.16.0.200 behind a router, source ports from 10000 on. */
	tcp_frame(buf, 0, 0x99, rte_cpu_to_be_32(0xac100001 + k % 200),
		  rte_cpu_to_be_32(0x0a00000a), rte_cpu_to_be_16((uint16_t)(10000 + k / 200)),
		  RTE_BE16(80), k, flags);
}

/* Worker 0's flow of the client frame @frame. */
static const struct weir_flow *flow_of(const uint8_t *frame)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN);
	const struct rte_tcp_hdr *tcp = (const struct rte_tcp_hdr *)(ip + 1);
	struct weir_flow_key key;

	weir_flow_key_set(&key, ip->src_addr, ip->dst_addr, tcp->src_port, tcp->dst_port,
			  IPPROTO_TCP);
	return weir_flow_lookup(dp.workers[0].l4->ft, &key);
}

/*
 * The server's SYN-ACK for flow @f, which Weir opened toward it: from the server to the
 * flow's local address and port, arriving on the servers' port.
 */
static void synack(uint8_t *buf, const struct weir_flow *f)
{
	tcp_frame(buf, 1, 0x0b, f->rev.src, f->rev.dst, f->rev.sport, f->rev.dport, 0,
		  RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
}

/* Hand @n frames built by segment() to worker 0 in bursts of 32, as its loop does. */
static void run(const uint8_t (*frames)[64], uint32_t nframes, uint64_t n)
{
	struct weir_worker *w = &dp.workers[0];
	struct rte_mbuf *burst[32];
	uint64_t i;
	uint32_t k = 0, b;

	for (i = 0; i < n; i += 32) {
		uint32_t cnt = (uint32_t)(n - i < 32 ? n - i : 32);

		if (rte_pktmbuf_alloc_bulk(dp.pool, burst, cnt) != 0)
			exit(1);
		w->now = rte_rdtsc();
		for (b = 0; b < cnt; b++) {
			rte_memcpy(rte_pktmbuf_append(burst[b], 60), frames[k], 60);
			k = k + 1 == nframes ? 0 : k + 1;
		}
		weir_l4_burst(w, &dp.ports[0], burst, (uint16_t)cnt);
		weir_tx_flush(w);
	}
}

/* The loop callgrind counts (--toggle-collect=bench_forward). */
__attribute__((noinline)) void bench_forward(const uint8_t (*frames)[64], uint64_t n);
__attribute__((noinline)) void bench_forward(const uint8_t (*frames)[64], uint64_t n)
{
	run(frames, FLOWS, n);
}

int main(int argc, char **argv)
{
	uint64_t n, t0;
	uint8_t(*frames)[64];
	uint32_t k;

	if (argc != 3) {
		fprintf(stderr, "usage: l4bench forward|newflows|flowmem N\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "flowmem") == 0) {
		struct rte_malloc_socket_stats a, b;
		struct weir_flow_table *t;

		setup(1024);
		rte_malloc_get_socket_stats(0, &a);
		t = weir_flow_table_create(99, (uint32_t)n, 0);
		rte_malloc_get_socket_stats(0, &b);
		if (t == NULL)
			return 1;
		printf("%.1f\n", (double)(b.heap_allocsz_bytes - a.heap_allocsz_bytes) / (double)n);
		weir_flow_table_free(t);
		return 0;
	}
	if (strcmp(argv[1], "forward") == 0) {
		setup(65536);
		frames = malloc(sizeof(*frames) * FLOWS);
		/*
		 * Open the flows: the clients' SYNs, the servers' SYN-ACKs, the clients' ACKs.
		 * Then only segments of established flows are counted.
		 */
		for (k = 0; k < FLOWS; k++)
			segment(frames[k], k, RTE_TCP_SYN_FLAG);
		run((const uint8_t(*)[64])frames, FLOWS, FLOWS);
		for (k = 0; k < FLOWS; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
			const struct weir_flow *f = flow_of(frames[k]);

			if (f == NULL || m == NULL)
				exit(1);
			synack(rte_pktmbuf_mtod(m, uint8_t *), f);
			rte_pktmbuf_append(m, 60);
			weir_l4_burst(&dp.workers[0], &dp.ports[1], &m, 1);
		}
		weir_tx_flush(&dp.workers[0]);
		for (k = 0; k < FLOWS; k++)
			segment(frames[k], k, RTE_TCP_ACK_FLAG);
		run((const uint8_t(*)[64])frames, FLOWS, FLOWS);
		for (k = 0; k < FLOWS; k++) {
			const struct weir_flow *f = flow_of(frames[k]);

			if (f == NULL || f->state != WEIR_FS_ESTABLISHED) {
				fprintf(stderr, "l4bench: flow %u not established\n", k);
				return 1;
			}
		}
		t0 = rte_rdtsc();
		bench_forward((const uint8_t(*)[64])frames, n);
		t0 = rte_rdtsc() - t0;
		printf("%" PRIu64 " forwarded, %" PRIu64 " drops, %.1f TSC cycles per packet\n",
		       dp.workers[0].st.q[1].tx_pkts - 2 * FLOWS,
		       dp.workers[0].st.drops[WEIR_DROP_NEIGH_MISS] +
			       dp.workers[0].st.drops[WEIR_DROP_NO_FLOW],
		       (double)t0 / (double)n);
		return 0;
	}
	if (strcmp(argv[1], "newflows") == 0) {
		uint32_t chunk = 65536, done = 0;
		uint64_t t0, cycles = 0;

		setup((uint32_t)n);
		frames = malloc(sizeof(*frames) * chunk);
		while (done < n) {
			uint32_t c = (uint32_t)(n - done < chunk ? n - done : chunk);

			for (k = 0; k < c; k++)
				segment(frames[k], done + k, RTE_TCP_SYN_FLAG);
			t0 = rte_rdtsc();
			run((const uint8_t(*)[64])frames, c, c);
			cycles += rte_rdtsc() - t0;
			done += c;
		}
		if (dp.workers[0].l4->ft->created != n) {
			fprintf(stderr, "l4bench: %" PRIu64 " flows created, %" PRIu64 " wanted\n",
				dp.workers[0].l4->ft->created, n);
			return 1;
		}
		printf("%.0f\n", (double)n * (double)rte_get_tsc_hz() / (double)cycles);
		return 0;
	}
	return 2;
}
