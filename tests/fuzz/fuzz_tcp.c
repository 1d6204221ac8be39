/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: TCP segments into a stack whose connections sit in many states. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_dp.h"
/* The two-stack harness of the unit tests, built into this target. */
#include "../unit/tcp_harness.c"
#include "tcp/tcp_impl.h"

/*
 * Each input starts from the same scene, built through the unit-test harness: stack B
 * (side 1, the target) with a listener on port 80 and connections in ESTABLISHED (data
 * both ways in flight and unread), FIN_WAIT_1, SYN_RCVD, SYN_SENT, CLOSE_WAIT and
 * TIME_WAIT; then B's output is cut off (captured and thrown away). The input is a list
 * of records:
 *   byte 0: bits 0-2 the target (connections 0-5, 6: the listener from a new port,
 *           7: the listener from the SYN_RCVD peer); bit 3: seq is relative to the
 *           target's rcv_nxt; bit 4: ack, and the edges of SACK blocks, relative to
 *           its snd_una; bit 5: break the checksum; bit 6: an owner call first (bit 7
 *           and the length pick which)
 *   byte 1: clock advance: below 200, that many ms; else (b - 200) seconds
 *   bytes 2-3: length L of what follows (mod 1500): the raw TCP header and payload,
 *           wrapped here in IPv4 and Ethernet (ports forced to the target's tuple)
 * After each record every connection's scoreboard totals must match its send queue;
 * at the end everything is freed and every mbuf must be back in the pool.
 */

#define NCONN 6

static struct weir_tcp_params fz_params(void)
{
	struct weir_tcp_params p;

	th_default_params(&p);
	p.rcvbuf = 32 * 1024;
	p.sndbuf = 32 * 1024;
	p.syn_backlog = 2;
	p.keepalive_ms = 5000;
	p.keepalive_intvl_ms = 1000;
	p.keepalive_probes = 2;
	p.time_wait_ms = 5000;
	p.fin_wait2_ms = 3000;
	p.data_retries = 4;
	p.syn_retries = 2;
	p.synack_retries = 2;
	return p;
}

static uint8_t payload[65536];

/* Build the scene; tcs[] gets side 1's records of the six connections. */
static void scene(struct th *h, struct th_conn **tcs)
{
	struct weir_tcp_params p = fz_params();
	struct th_conn *a0, *a4, *a5;
	uint8_t o[20];
	unsigned int ol;

	if (th_init(h, &p, &p, 42) != 0)
		abort();
	a0 = th_connect(h, 0, 1000, 80);
	tcs[1] = th_connect(h, 1, 2000, 80);
	a4 = th_connect(h, 0, 1004, 80);
	a5 = th_connect(h, 0, 1005, 80);
	th_run(h, 20);
	tcs[0] = th_accepted(h, 1, 1000);
	tcs[4] = th_accepted(h, 1, 1004);
	tcs[5] = th_accepted(h, 1, 1005);
	if (a0 == NULL || a4 == NULL || a5 == NULL || tcs[0] == NULL || tcs[1] == NULL ||
	    tcs[4] == NULL || tcs[5] == NULL || tcs[5]->c == NULL || a4->c == NULL)
		abort();
	weir_tcp_shutdown(a4->c);
	weir_tcp_close(tcs[5]->c);
	th_run(h, 20);
	if (a5->c != NULL)
		weir_tcp_close(a5->c);
	tcs[0]->no_read = true;
	th_source(a0, payload, 20000, false);
	th_source(tcs[0], payload, 5000, false);
	th_run(h, 30);
	h->side[1].capture = true;
	th_source(tcs[0], payload, 30000, false);
	weir_tcp_shutdown(tcs[1]->c);
	tcs[3] = th_connect(h, 1, 3000, 80);
	ol = tcp_opts_syn(o, 1200, 3, true, true, 777, 0);
	th_inject(h, 1, htonl(0x0a000009), 4000, 80, 0x7fffff00, 0, RTE_TCP_SYN_FLAG, 4000, o, ol,
		  NULL, 0);
	tcs[2] = th_accepted(h, 1, 4000);
	th_drop_captured(h, 1);
	/* The scene is deterministic: check it once, so the fuzzing starts where it should. */
	{
		static const enum weir_tcp_state want[NCONN] = {
			WEIR_TCP_ESTABLISHED, WEIR_TCP_FIN_WAIT_1, WEIR_TCP_SYN_RCVD,
			WEIR_TCP_SYN_SENT,    WEIR_TCP_CLOSE_WAIT, WEIR_TCP_TIME_WAIT,
		};
		static bool checked;
		unsigned int i;

		for (i = 0; i < NCONN && !checked; i++)
			if (tcs[i] == NULL || tcs[i]->c == NULL ||
			    weir_tcp_state(tcs[i]->c) != want[i] ||
			    weir_tcp_recv_avail(tcs[0]->c) == 0 ||
			    tcs[0]->c->snd_max == tcs[0]->c->snd_una)
				abort();
		checked = true;
	}
}

/* Add @add to the edges of the SACK blocks in the options of @th (@len bytes in all). */
static void sack_rebase(struct rte_tcp_hdr *th, unsigned int len, uint32_t add)
{
	uint8_t *o = (uint8_t *)(th + 1);
	unsigned int n = ((th->data_off >> 4) * 4u), i = 0, k;

	if (n > len)
		n = len;
	n = n > sizeof(*th) ? n - sizeof(*th) : 0;
	while (i < n && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
			break;
		if (o[i] == 5)
			for (k = i + 2; k + 4 <= i + o[i + 1]; k += 4) {
				uint32_t v;

				memcpy(&v, o + k, 4);
				v = rte_cpu_to_be_32(rte_be_to_cpu_32(v) + add);
				memcpy(o + k, &v, 4);
			}
		i += o[i + 1];
	}
}

/* Wrap @tcp (@len bytes) from @saddr:@sport to side 1 port @dport and deliver it. */
static void feed(struct th *h, uint32_t saddr, uint16_t sport, uint16_t dport, const uint8_t *tcp,
		 unsigned int len, uint32_t seq_add, uint32_t ack_add, bool bad_csum)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint8_t *f;

	if (m == NULL)
		return;
	if (len < 20)
		len = 20;
	f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + 20 + len));
	if (f == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(f, 0, RTE_ETHER_HDR_LEN + 20 + 20);
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = saddr;
	ip->dst_addr = h->side[1].addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	memcpy(th, tcp, len);
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + seq_add);
	th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->recv_ack) + ack_add);
	if (ack_add != 0)
		sack_rebase(th, len, ack_add);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (bad_csum)
		th->cksum ^= 0x5a5a;
	m->l2_len = RTE_ETHER_HDR_LEN;
	deliver(h, 1, m);
}

/* An owner call on @tc picked by @k. */
static void owner_call(struct th *h, struct th_conn *tc, unsigned int k)
{
	struct rte_mbuf *m;

	if (tc == NULL || tc->c == NULL)
		return;
	switch (k % 6) {
	case 0:
		tc->no_read = false;
		th_drain(tc);
		break;
	case 1:
		m = weir_tcp_recv(tc->c, 100 + k);
		rte_pktmbuf_free(m);
		break;
	case 2:
		m = rte_pktmbuf_alloc(h->pool);
		if (m != NULL && rte_pktmbuf_append(m, (uint16_t)(1 + k % 1500)) != NULL)
			weir_tcp_send(tc->c, m);
		else
			rte_pktmbuf_free(m);
		break;
	case 3:
		weir_tcp_shutdown(tc->c);
		break;
	case 4:
		weir_tcp_close(tc->c);
		break;
	default:
		weir_tcp_abort(tc->c);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct th h;
	struct th_conn *tcs[NCONN] = { NULL };
	size_t i = 0;
	long leaked;

	fuzz_dp();
	if (th_pool() == NULL)
		abort();
	scene(&h, tcs);
	while (i + 4 <= size) {
		uint8_t sel = data[i], adv = data[i + 1];
		unsigned int len = ((unsigned int)data[i + 2] << 8 | data[i + 3]) % 1500;
		unsigned int t = sel & 7;
		uint8_t tcp[1500] = { 0 };
		uint32_t seq_add = 0, ack_add = 0, saddr = htonl(0x0a000001);
		uint16_t sport, dport = htons(80);

		i += 4;
		if (len > size - i)
			len = (unsigned int)(size - i);
		memcpy(tcp, data + i, len);
		i += len;
		if (sel & 0x40)
			owner_call(&h, tcs[(sel >> 3) % NCONN], (sel >> 7) + 2 * len);
		if (t < NCONN && tcs[t] != NULL) {
			struct th_conn *tc = tcs[t];

			saddr = tc->raddr;
			sport = tc->rport;
			dport = tc->lport;
			if (tc->c != NULL) {
				if (sel & 0x08)
					seq_add = tc->c->rcv_nxt;
				if (sel & 0x10)
					ack_add = tc->c->snd_una;
			}
		} else if (t == 7) {
			saddr = htonl(0x0a000009);
			sport = htons(4000);
		} else {
			sport = (uint16_t)(tcp[0] | 0x100);
		}
		feed(&h, saddr, sport, dport, tcp, len, seq_add, ack_add, (sel & 0x20) != 0);
		th_drop_captured(&h, 1);
		h.now += adv < 200 ? adv : (uint64_t)(adv - 200) * 1000;
		weir_tcp_clock(h.side[1].s, th_tsc(h.now));
		weir_tw_advance(&h.side[1].tw, h.now, UINT32_MAX);
		th_drop_captured(&h, 1);
		for (t = 0; t < NCONN; t++)
			if (tcs[t] != NULL && tcs[t]->c != NULL && !tcp_sq_check(tcs[t]->c))
				abort(); /* the scoreboard's totals left its send queue */
	}
	leaked = th_fini(&h);
	if (leaked != 0)
		abort(); /* an mbuf was lost (or freed twice) */
	return 0;
}
