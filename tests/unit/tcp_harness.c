/* SPDX-License-Identifier: BSD-3-Clause */
/* Test harness of the TCP stack: two stacks back to back on a lossy wire, with fake clocks. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "tcp_harness.h"
#include "tcp/tcp_impl.h"

#define TH_POOL_SIZE 16383
#define TH_CHUNK     1800 /* bytes per source mbuf at most */

static struct rte_mempool *pool;

struct rte_mempool *th_pool(void)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("th_pool", TH_POOL_SIZE, 256, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	return pool;
}

uint64_t th_tsc(uint64_t ms)
{
	uint64_t hz = rte_get_tsc_hz();

	return (ms / 1000) * hz + ((ms % 1000) * hz + 999) / 1000;
}

uint64_t th_rand(struct th *h)
{
	uint64_t x = h->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	h->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* A uniform double in [0, 1). */
static double th_unit(struct th *h)
{
	return (double)(th_rand(h) >> 11) / (double)(1ull << 53);
}

void th_fill_random(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		buf[i] = (uint8_t)((x * 0x2545F4914F6CDD1Dull) >> 56);
	}
}

void th_default_params(struct weir_tcp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_conns = 16;
	p->syn_backlog = 8;
	p->syncookies = WEIR_TCP_COOKIES_AUTO;
	p->cc = WEIR_TCP_CC_NEWRENO;
	p->rcvbuf = 128 * 1024;
	p->sndbuf = 128 * 1024;
	p->mss = 1460;
	p->rto_min_ms = 200;
	p->rto_max_ms = 120000;
	p->rto_init_ms = 1000;
	p->delack_ms = 40;
	p->time_wait_ms = 60000;
	p->fin_wait2_ms = 60000;
	p->syn_retries = 6;
	p->synack_retries = 5;
	p->data_retries = 15;
	p->cookie_secret[0] = 0x01234567;
	p->cookie_secret[1] = 0x89abcdef;
	p->cookie_secret[2] = 0xdeadbeef;
	p->cookie_secret[3] = 0x0badf00d;
}

/* ---- frames ---- */

/* The folded one's complement sum of @len bytes at @off of chain @m (odd splits too). */
static uint16_t th_cksum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, pos = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && len > 0; m = m->next, off = 0) {
		const uint8_t *b = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
		uint32_t n = m->data_len - off, i;

		if (n > len)
			n = len;
		for (i = 0; i < n; i++, pos++)
			sum += (pos & 1) ? b[i] : (uint32_t)b[i] << 8;
		len -= n;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)sum);
}

bool th_parse(const struct rte_mbuf *m, struct th_pkt *p)
{
	uint8_t buf[RTE_ETHER_HDR_LEN + 60 + 60];
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint32_t ihl, tot, doff, n = m->pkt_len < sizeof(buf) ? m->pkt_len : sizeof(buf);
	const uint8_t *f = rte_pktmbuf_read(m, 0, n, buf);
	uint16_t raw;
	uint32_t sum;

	memset(p, 0, sizeof(*p));
	if (f == NULL || n < RTE_ETHER_HDR_LEN + 40)
		return false;
	ip = (const struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	if (ip->next_proto_id != IPPROTO_TCP)
		return false;
	/* Malformed headers (the fuzz target makes them) are clamped, not trusted. */
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < 20 || ihl > 60)
		ihl = 20;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot > m->pkt_len - RTE_ETHER_HDR_LEN)
		tot = m->pkt_len - RTE_ETHER_HDR_LEN;
	if (RTE_ETHER_HDR_LEN + ihl + 20 > n)
		return false;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	doff = (th->data_off >> 4) * 4u;
	if (doff < 20)
		doff = 20;
	if (RTE_ETHER_HDR_LEN + ihl + doff > n)
		doff = 20;
	if (tot < ihl + doff)
		tot = ihl + doff;
	p->saddr = ip->src_addr;
	p->daddr = ip->dst_addr;
	p->sport = rte_be_to_cpu_16(th->src_port);
	p->dport = rte_be_to_cpu_16(th->dst_port);
	p->seq = rte_be_to_cpu_32(th->sent_seq);
	p->ack = rte_be_to_cpu_32(th->recv_ack);
	p->flags = th->tcp_flags;
	p->win = rte_be_to_cpu_16(th->rx_win);
	p->len = tot - ihl - doff;
	p->optlen = (uint8_t)(doff - 20);
	memcpy(p->opts, th + 1, p->optlen);
	p->ip_id = rte_be_to_cpu_16(ip->packet_id);
	p->df = (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_DF_FLAG) != 0;
	p->ttl = ip->time_to_live;
	/* Both checksums, over the whole (maybe chained) frame. */
	p->csum_ok = rte_ipv4_cksum(ip) == 0 || rte_raw_cksum(ip, ihl) == 0xffff;
	if (RTE_ETHER_HDR_LEN + tot > m->pkt_len)
		return true;
	raw = th_cksum_chain(m, RTE_ETHER_HDR_LEN + ihl, tot - ihl);
	sum = (uint32_t)raw + rte_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	p->csum_ok = p->csum_ok && sum == 0xffff;
	return true;
}

void th_parse_opts(const struct th_pkt *p, struct th_opts *o)
{
	unsigned int i = 0, n;

	memset(o, 0, sizeof(*o));
	o->mss = -1;
	o->ws = -1;
	while (i < p->optlen) {
		uint8_t k = p->opts[i], l;

		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		if (i + 1 >= p->optlen)
			break;
		l = p->opts[i + 1];
		if (l < 2 || i + l > p->optlen)
			break;
		switch (k) {
		case 2:
			o->mss = p->opts[i + 2] << 8 | p->opts[i + 3];
			break;
		case 3:
			o->ws = p->opts[i + 2];
			break;
		case 4:
			o->sack_ok = true;
			break;
		case 5:
			o->nsack = (l - 2) / 8;
			for (n = 0; n < (unsigned int)o->nsack && n < 4; n++) {
				memcpy(&o->sack[n][0], p->opts + i + 2 + 8 * n, 4);
				memcpy(&o->sack[n][1], p->opts + i + 6 + 8 * n, 4);
				o->sack[n][0] = ntohl(o->sack[n][0]);
				o->sack[n][1] = ntohl(o->sack[n][1]);
			}
			break;
		case 8:
			o->ts = true;
			memcpy(&o->tsval, p->opts + i + 2, 4);
			memcpy(&o->tsecr, p->opts + i + 6, 4);
			o->tsval = ntohl(o->tsval);
			o->tsecr = ntohl(o->tsecr);
			break;
		default:
			break;
		}
		i += l;
	}
}

/* The side whose address is @addr, or -1. */
static int side_of(struct th *h, uint32_t addr)
{
	if (addr == h->side[0].addr)
		return 0;
	if (addr == h->side[1].addr)
		return 1;
	return -1;
}

/* Hand frame @m (Ethernet at data, l2_len set) to side @sd's stack, as the owner does. */
static void deliver(struct th *h, int sd, struct rte_mbuf *m)
{
	struct th_side *sdp = &h->side[sd];
	struct th_pkt p;
	unsigned int i;

	if (!th_parse(m, &p)) {
		rte_pktmbuf_free(m);
		sdp->unrouted++;
		return;
	}
	for (i = 0; i < TH_CONNS; i++) {
		struct th_conn *tc = &sdp->conns[i];

		if (tc->used && tc->c != NULL && tc->laddr == p.daddr && tc->raddr == p.saddr &&
		    tc->lport == htons(p.dport) && tc->rport == htons(p.sport)) {
			weir_tcp_input(sdp->s, tc->c, m);
			return;
		}
	}
	if (sdp->listening && p.daddr == sdp->lis.addr && htons(p.dport) == sdp->lis.port) {
		weir_tcp_listen_input(sdp->s, &sdp->lis, m);
		return;
	}
	sdp->unrouted++;
	rte_pktmbuf_free(m);
}

/* Copy @len bytes at @off of chain @m to @dst (rte_pktmbuf_read copies only when split). */
static void copy_out(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst)
{
	const void *p = rte_pktmbuf_read(m, off, len, dst);

	if (p != NULL && p != dst)
		memcpy(dst, p, len);
}

/*
 * Copy frame @m (IPv4 at data) into a fresh frame with an Ethernet header in front, in
 * one mbuf or, when @split, two cut at a random point; frees @m.
 */
static struct rte_mbuf *linearize(struct th *h, struct rte_mbuf *m, bool split)
{
	uint32_t len = m->pkt_len + RTE_ETHER_HDR_LEN, cut = len;
	struct rte_mbuf *a = rte_pktmbuf_alloc(h->pool), *b = NULL;
	uint8_t *d;

	if (split && len > 40) {
		b = rte_pktmbuf_alloc(h->pool);
		cut = 20 + (uint32_t)(th_rand(h) % (len - 20));
		if (b == NULL)
			cut = len;
	}
	if (a == NULL || cut > rte_pktmbuf_tailroom(a)) {
		rte_pktmbuf_free(a);
		rte_pktmbuf_free(b);
		rte_pktmbuf_free(m);
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(a, (uint16_t)cut);
	memset(d, 0, RTE_ETHER_HDR_LEN);
	((struct rte_ether_hdr *)d)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (cut < len) {
		uint8_t tmp[RTE_MBUF_DEFAULT_BUF_SIZE];

		copy_out(m, 0, len - RTE_ETHER_HDR_LEN, tmp);
		memcpy(d + RTE_ETHER_HDR_LEN, tmp, cut - RTE_ETHER_HDR_LEN);
		memcpy(rte_pktmbuf_append(b, (uint16_t)(len - cut)), tmp + cut - RTE_ETHER_HDR_LEN,
		       len - cut);
		rte_pktmbuf_chain(a, b);
	} else {
		rte_pktmbuf_free(b);
		copy_out(m, 0, len - RTE_ETHER_HDR_LEN, d + RTE_ETHER_HDR_LEN);
	}
	a->l2_len = RTE_ETHER_HDR_LEN;
	rte_pktmbuf_free(m);
	return a;
}

static void wire_push(struct th *h, struct rte_mbuf *m, int to, uint64_t at)
{
	if (h->nq == h->qcap) {
		size_t ncap = h->qcap ? h->qcap * 2 : 1024;
		struct th_frame *nq = realloc(h->q, ncap * sizeof(*nq));

		if (nq == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		h->q = nq;
		h->qcap = ncap;
	}
	h->q[h->nq].m = m;
	h->q[h->nq].at = at;
	h->q[h->nq].to = to;
	h->nq++;
}

/* Account a frame sent by @from on the wire: data bytes and retransmitted bytes. */
static void account(struct th *h, int from, const struct th_pkt *p)
{
	uint32_t end = p->seq + p->len;

	if (p->flags & RTE_TCP_SYN_FLAG) {
		h->hi_seq[from] = p->seq + 1;
		h->hi_init[from] = true;
		return;
	}
	if (p->len == 0 || !h->hi_init[from])
		return;
	h->data_bytes[from] += p->len;
	if ((int32_t)(p->seq - h->hi_seq[from]) < 0) {
		uint32_t top = (int32_t)(end - h->hi_seq[from]) < 0 ? end : h->hi_seq[from];

		h->rexmit_bytes[from] += top - p->seq;
	}
	if ((int32_t)(end - h->hi_seq[from]) > 0)
		h->hi_seq[from] = end;
}

/* A frame transmitted by side @from's stack (IPv4 at data): to the capture or the wire. */
static void transmit(struct th_side *sd, struct rte_mbuf *m)
{
	struct th *h = sd->h;
	struct rte_mbuf *f;
	struct th_pkt p;
	int to;
	uint64_t at;

	f = linearize(h, m, false);
	if (f == NULL)
		return;
	if (sd->capture) {
		if (sd->ncap == TH_CAP) {
			rte_pktmbuf_free(f);
			return;
		}
		sd->cap[sd->ncap++] = f;
		return;
	}
	if (!th_parse(f, &p) || (to = side_of(h, p.daddr)) < 0) {
		rte_pktmbuf_free(f);
		return;
	}
	h->frames[sd->id]++;
	account(h, sd->id, &p);
	if (getenv("TH_TRACE") != NULL) {
		struct th_opts o;

		th_parse_opts(&p, &o);
		fprintf(stderr,
			"%6lu %c>%c %c%c%c%c%c seq %u ack %u win %u len %u%s ts %u/%u sack %d",
			(unsigned long)h->now, 'A' + sd->id, 'B' - sd->id,
			(p.flags & RTE_TCP_SYN_FLAG) ? 'S' : '.',
			(p.flags & RTE_TCP_ACK_FLAG) ? 'A' : '.',
			(p.flags & RTE_TCP_FIN_FLAG) ? 'F' : '.',
			(p.flags & RTE_TCP_RST_FLAG) ? 'R' : '.',
			(p.flags & RTE_TCP_PSH_FLAG) ? 'P' : '.', p.seq, p.ack, p.win, p.len,
			p.csum_ok ? "" : " BADSUM", o.tsval, o.tsecr, o.nsack);
		for (int k = 0; k < o.nsack; k++)
			fprintf(stderr, " [%u,%u)", o.sack[k][0], o.sack[k][1]);
		fprintf(stderr, "\n");
	}
	if ((h->filter != NULL && h->filter(h, sd->id, &p, h->filter_arg)) ||
	    (h->drop > 0 && th_unit(h) < h->drop)) {
		h->dropped[sd->id]++;
		h->hold_ms = 0;
		rte_pktmbuf_free(f);
		return;
	}
	at = h->now + h->delay_ms + h->hold_ms;
	h->hold_ms = 0;
	if (h->reorder > 0 && th_unit(h) < h->reorder)
		at += 1 + th_rand(h) % (h->jitter_ms ? h->jitter_ms : 3);
	if (h->dup > 0 && th_unit(h) < h->dup) {
		struct rte_mbuf *d = rte_pktmbuf_copy(f, h->pool, 0, UINT32_MAX);

		if (d != NULL) {
			d->l2_len = RTE_ETHER_HDR_LEN;
			wire_push(h, d, to, at + 1);
		}
	}
	if (h->split) {
		struct rte_mbuf *ip = rte_pktmbuf_copy(f, h->pool, RTE_ETHER_HDR_LEN, UINT32_MAX);

		if (ip != NULL) {
			struct rte_mbuf *g = linearize(h, ip, true);

			if (g != NULL) {
				rte_pktmbuf_free(f);
				f = g;
			}
		}
	}
	wire_push(h, f, to, at);
}

/* ---- the owners ---- */

static struct th_conn *conn_slot(struct th_side *sd)
{
	unsigned int i;

	for (i = 0; i < TH_CONNS; i++)
		if (!sd->conns[i].used) {
			struct th_conn *tc = &sd->conns[i];

			free(tc->rx);
			memset(tc, 0, sizeof(*tc));
			tc->used = true;
			tc->side = sd;
			tc->no_read = sd->no_read;
			return tc;
		}
	return NULL;
}

static void rx_append(struct th_conn *tc, struct rte_mbuf *m)
{
	uint32_t len = m->pkt_len;

	if (tc->rx_len + len > tc->rx_cap) {
		size_t ncap = tc->rx_cap ? tc->rx_cap : 65536;

		while (ncap < tc->rx_len + len)
			ncap *= 2;
		tc->rx = realloc(tc->rx, ncap);
		tc->rx_cap = ncap;
	}
	copy_out(m, 0, len, tc->rx + tc->rx_len);
	tc->rx_len += len;
	rte_pktmbuf_free(m);
}

void th_drain(struct th_conn *tc)
{
	struct rte_mbuf *m;

	if (tc->c == NULL || tc->no_read)
		return;
	while ((m = weir_tcp_recv(tc->c, tc->read_max ? tc->read_max : UINT32_MAX)) != NULL) {
		if (m->pkt_len == 0 || rte_pktmbuf_pkt_len(m) != m->pkt_len)
			abort();
		rx_append(tc, m);
		if (tc->c == NULL)
			return;
	}
	if (weir_tcp_eof(tc->c))
		tc->eof = true;
}

/* Queue as much of @tc's source as the send buffer takes, in mbufs of odd sizes. */
static void pump(struct th_conn *tc)
{
	struct th *h = tc->side->h;

	while (tc->c != NULL && tc->tx_off < tc->tx_len) {
		uint32_t space = weir_tcp_send_space(tc->c), n, left;
		struct rte_mbuf *head = NULL;

		if (space == 0)
			return;
		n = (uint32_t)(tc->tx_len - tc->tx_off);
		if (n > space)
			n = space;
		if (n > 64 * 1024)
			n = 64 * 1024;
		left = n;
		while (left > 0) {
			uint32_t k = 1 + (uint32_t)(th_rand(h) % TH_CHUNK);
			struct rte_mbuf *m;

			if (k > left)
				k = left;
			m = rte_pktmbuf_alloc(h->pool);
			if (m == NULL)
				break;
			memcpy(rte_pktmbuf_append(m, (uint16_t)k), tc->tx + tc->tx_off + (n - left),
			       k);
			if (head == NULL)
				head = m;
			else if (rte_pktmbuf_chain(head, m) != 0) {
				rte_pktmbuf_free(m);
				break;
			}
			left -= k;
		}
		if (head == NULL)
			return;
		n = head->pkt_len;
		if (weir_tcp_send(tc->c, head) != 0)
			return;
		tc->tx_off += n;
	}
	if (tc->c != NULL && tc->tx_fin && !tc->fin_done && tc->tx_off == tc->tx_len) {
		tc->fin_done = true;
		weir_tcp_shutdown(tc->c);
	}
}

void th_source(struct th_conn *tc, const uint8_t *data, size_t len, bool fin)
{
	tc->tx = data;
	tc->tx_len = len;
	tc->tx_off = 0;
	tc->tx_fin = fin;
	tc->fin_done = false;
	pump(tc);
}

static int cb_passive_new(struct weir_tcp_conn *c, void *lctx)
{
	struct th_side *sd = lctx;
	struct th_conn *tc;

	if (sd->refuse)
		return -1;
	tc = conn_slot(sd);
	if (tc == NULL)
		return -1;
	tc->c = c;
	weir_tcp_tuple(c, &tc->laddr, &tc->lport, &tc->raddr, &tc->rport);
	weir_tcp_set_ctx(c, tc);
	return 0;
}

static void cb_established(struct weir_tcp_conn *c)
{
	struct th_conn *tc = weir_tcp_ctx(c);

	tc->established++;
	pump(tc);
}

static void cb_readable(struct weir_tcp_conn *c)
{
	struct th_conn *tc = weir_tcp_ctx(c);

	tc->readable++;
	th_drain(tc);
}

static void cb_writable(struct weir_tcp_conn *c)
{
	struct th_conn *tc = weir_tcp_ctx(c);

	tc->writable++;
	pump(tc);
}

static void cb_closed(struct weir_tcp_conn *c, int err)
{
	struct th_conn *tc = weir_tcp_ctx(c);

	/* Whatever is still queued can be read until now. */
	if (!tc->no_read)
		th_drain(tc);
	tc->closed++;
	tc->err = err;
	tc->c = NULL;
}

static void cb_xmit(struct weir_tcp_conn *c, struct rte_mbuf *m)
{
	struct th_conn *tc = weir_tcp_ctx(c);

	if (rte_pktmbuf_headroom(m) < RTE_ETHER_HDR_LEN)
		abort();
	transmit(tc->side, m);
}

static void cb_reply(void *owner, struct rte_mbuf *m, const struct rte_mbuf *orig)
{
	(void)orig;
	transmit(owner, m);
}

static const struct weir_tcp_ops th_ops = {
	.passive_new = cb_passive_new,
	.established = cb_established,
	.readable = cb_readable,
	.writable = cb_writable,
	.closed = cb_closed,
	.xmit = cb_xmit,
	.reply = cb_reply,
};

int th_init(struct th *h, const struct weir_tcp_params *pa, const struct weir_tcp_params *pb,
	    uint64_t seed)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->pool = th_pool();
	if (h->pool == NULL)
		return -1;
	h->rng = seed ? seed : 1;
	h->now = 1000;
	h->delay_ms = 5;
	for (i = 0; i < 2; i++) {
		struct th_side *sd = &h->side[i];
		const struct weir_tcp_params *p = i == 0 ? pa : pb;

		sd->h = h;
		sd->id = i;
		sd->addr = htonl(0x0a000001 + i);
		if (p != NULL)
			sd->p = *p;
		else
			th_default_params(&sd->p);
		weir_tw_init(&sd->tw, h->now);
		sd->s = weir_tcp_stack_create(&sd->p, &th_ops, sd, &sd->tw, h->pool, 0);
		if (sd->s == NULL)
			return -1;
		weir_tcp_clock(sd->s, th_tsc(h->now));
		sd->lis.addr = sd->addr;
		sd->lis.port = htons(80);
		sd->lis.ctx = sd;
		sd->listening = true;
	}
	return 0;
}

long th_fini(struct th *h)
{
	size_t i;
	int s;

	for (i = 0; i < h->nq; i++)
		rte_pktmbuf_free(h->q[i].m);
	free(h->q);
	h->q = NULL;
	h->nq = h->qcap = 0;
	for (s = 0; s < 2; s++) {
		struct th_side *sd = &h->side[s];
		unsigned int j;

		th_drop_captured(h, s);
		weir_tcp_stack_free(sd->s);
		sd->s = NULL;
		for (j = 0; j < TH_CONNS; j++) {
			free(sd->conns[j].rx);
			sd->conns[j].rx = NULL;
		}
	}
	return (long)TH_POOL_SIZE - (long)rte_mempool_avail_count(h->pool);
}

void th_step(struct th *h)
{
	size_t i, j, n;
	int s;

	h->now++;
	for (s = 0; s < 2; s++)
		weir_tcp_clock(h->side[s].s, th_tsc(h->now));
	/* Deliver what is due, in the order it was put on the wire. */
	n = h->nq;
	for (i = 0, j = 0; i < n; i++) {
		if (h->q[i].at <= h->now) {
			struct th_frame f = h->q[i];

			h->q[i].m = NULL;
			deliver(h, f.to, f.m);
		}
	}
	for (i = 0; i < h->nq; i++)
		if (h->q[i].m != NULL)
			h->q[j++] = h->q[i];
	h->nq = j;
	for (s = 0; s < 2; s++)
		weir_tw_advance(&h->side[s].tw, h->now, UINT_MAX);
	for (s = 0; s < 2; s++) {
		unsigned int k;

		for (k = 0; k < TH_CONNS; k++) {
			struct th_conn *tc = &h->side[s].conns[k];

			if (tc->used && tc->c != NULL) {
				if (!tcp_sq_check(tc->c))
					abort(); /* scoreboard totals out of step with the queue */
				pump(tc);
				if (!tc->no_read && weir_tcp_recv_avail(tc->c) > 0)
					th_drain(tc);
			}
		}
	}
}

void th_run(struct th *h, uint64_t ms)
{
	while (ms-- > 0)
		th_step(h);
}

bool th_run_until(struct th *h, uint64_t max_ms, bool (*done)(struct th *h, void *arg), void *arg)
{
	uint64_t i;

	for (i = 0; i < max_ms; i++) {
		if (done(h, arg))
			return true;
		th_step(h);
	}
	return done(h, arg);
}

struct th_conn *th_connect(struct th *h, int from, uint16_t lport, uint16_t rport)
{
	struct th_side *sd = &h->side[from];
	struct th_conn *tc = conn_slot(sd);

	if (tc == NULL)
		return NULL;
	tc->laddr = sd->addr;
	tc->raddr = h->side[!from].addr;
	tc->lport = htons(lport);
	tc->rport = htons(rport);
	tc->c = weir_tcp_connect(sd->s, tc->laddr, tc->lport, tc->raddr, tc->rport, tc);
	if (tc->c == NULL) {
		tc->used = false;
		return NULL;
	}
	return tc;
}

struct th_conn *th_accepted(struct th *h, int sd, uint16_t rport)
{
	unsigned int i;

	for (i = 0; i < TH_CONNS; i++) {
		struct th_conn *tc = &h->side[sd].conns[i];

		if (tc->used && tc->rport == htons(rport))
			return tc;
	}
	return NULL;
}

struct rte_mbuf *th_take(struct th *h, int sd)
{
	struct th_side *s = &h->side[sd];
	struct rte_mbuf *m;

	if (s->ncap == 0)
		return NULL;
	m = s->cap[0];
	memmove(s->cap, s->cap + 1, (s->ncap - 1) * sizeof(s->cap[0]));
	s->ncap--;
	return m;
}

void th_drop_captured(struct th *h, int sd)
{
	struct rte_mbuf *m;

	while ((m = th_take(h, sd)) != NULL)
		rte_pktmbuf_free(m);
}

void th_inject(struct th *h, int sd, uint32_t saddr, uint16_t sport, uint16_t dport, uint32_t seq,
	       uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opts, unsigned int optlen,
	       const uint8_t *data, unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	unsigned int tl = 20 + optlen;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(
		m, (uint16_t)(RTE_ETHER_HDR_LEN + 20 + tl + len));
	memset(eth, 0, RTE_ETHER_HDR_LEN + 20 + tl);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + tl + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = saddr;
	ip->dst_addr = h->side[sd].addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((tl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	if (optlen)
		memcpy(th + 1, opts, optlen);
	if (len)
		memcpy((uint8_t *)th + tl, data, len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->l2_len = RTE_ETHER_HDR_LEN;
	deliver(h, sd, m);
}
