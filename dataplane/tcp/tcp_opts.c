/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP options: MSS (RFC 6691), window scale and timestamps (RFC 7323), SACK (RFC 2018). */
#include <string.h>

#include <rte_byteorder.h>

#include "tcp/tcp_impl.h"

/* A 32-bit big-endian load from an unaligned option field. */
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A 32-bit big-endian store to an unaligned option field. */
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Parse the @len option bytes at @p into @o (zeroed first). MSS, window scale and
 * SACK-permitted count only on a SYN (@syn), SACK blocks only off one, as Linux does;
 * a shift above 14 is taken as 14 (RFC 7323 §2.3). Malformed options (a length below
 * 2 or past the end) stop parsing; what came before them stands. Returns 0, or -1 when
 * an option was malformed.
 */
int tcp_opts_parse(const uint8_t *p, unsigned int len, bool syn, struct tcp_opts *o)
{
	unsigned int i = 0, olen, n;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == 4 && syn) {
				o->has_mss = 1;
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			}
			break;
		case TCPOPT_WSCALE:
			if (olen == 3 && syn) {
				o->has_ws = 1;
				o->ws = p[i + 2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : p[i + 2];
			}
			break;
		case TCPOPT_SACK_OK:
			if (olen == 2 && syn)
				o->has_sack_ok = 1;
			break;
		case TCPOPT_TS:
			if (olen == 10) {
				o->has_ts = 1;
				o->tsval = get32(p + i + 2);
				o->tsecr = get32(p + i + 6);
			}
			break;
		case TCPOPT_SACK:
			if (syn || (olen - 2) % 8 != 0)
				break;
			for (n = 0; n < (olen - 2) / 8 && n < 4; n++) {
				o->sack[n].start = get32(p + i + 2 + 8 * n);
				o->sack[n].end = get32(p + i + 6 + 8 * n);
			}
			o->nsack = (uint8_t)n;
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

/*
 * Write the options of a SYN or SYN-ACK at @p, in Linux's layout: MSS, SACK-permitted
 * and timestamps (or NOPs), NOP + window scale when @ws >= 0. Returns the length (a
 * multiple of 4, at most 20).
 */
unsigned int tcp_opts_syn(uint8_t *p, uint16_t mss, int ws, bool sack_ok, bool ts, uint32_t tsval,
			  uint32_t tsecr)
{
	unsigned int n = 0;

	p[n++] = TCPOPT_MSS;
	p[n++] = 4;
	p[n++] = (uint8_t)(mss >> 8);
	p[n++] = (uint8_t)mss;
	if (ts) {
		if (sack_ok) {
			p[n++] = TCPOPT_SACK_OK;
			p[n++] = 2;
		} else {
			p[n++] = TCPOPT_NOP;
			p[n++] = TCPOPT_NOP;
		}
		p[n++] = TCPOPT_TS;
		p[n++] = 10;
		put32(p + n, tsval);
		put32(p + n + 4, tsecr);
		n += 8;
	} else if (sack_ok) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_OK;
		p[n++] = 2;
	}
	if (ws >= 0) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WSCALE;
		p[n++] = 3;
		p[n++] = (uint8_t)ws;
	}
	return n;
}

/*
 * How many SACK blocks the next segment of @c carries: 0 without SACK, else one per
 * out-of-order range and one for a D-SACK owed (a range holding it, when there is
 * one, is among the former), at most 3 beside timestamps, else 4.
 */
static unsigned int sack_blocks(const struct weir_tcp_conn *c, bool with_sack)
{
	unsigned int max = (c->flags & TF_TS) ? 3 : 4, n;

	if (!with_sack || !(c->flags & TF_SACK))
		return 0;
	n = c->nooo + ((c->flags & TF_DSACK) ? 1 : 0);
	return n < max ? n : max;
}

/* The option bytes of the next segment of a synchronised @c (see tcp_opts_est()). */
unsigned int tcp_opts_len(const struct weir_tcp_conn *c, bool with_sack)
{
	unsigned int nb = sack_blocks(c, with_sack);

	return ((c->flags & TF_TS) ? 12 : 0) + (nb ? 4 + 8 * nb : 0);
}

/* Write the SACK block [start, end) at @p. */
static void put_block(uint8_t *p, uint32_t start, uint32_t end)
{
	put32(p, start);
	put32(p + 4, end);
}

/*
 * Write the options of a segment of a synchronised @c at @p: NOP NOP timestamps when
 * negotiated, then (@with_sack) NOP NOP SACK. A D-SACK owed goes first (RFC 2883 §4);
 * when the duplicate lies in an out-of-order range, that range follows it, so that the
 * sender can tell the D-SACK from a SACK of new data (example 4 there). Then the other
 * out-of-order ranges, the most recently changed first (RFC 2018 §4), 3 blocks in all
 * beside timestamps, else 4. The caller clears TF_DSACK once the segment is built: it
 * is reported once. Returns the length.
 */
unsigned int tcp_opts_est(const struct weir_tcp_conn *c, uint8_t *p, bool with_sack)
{
	unsigned int n = 0, nb = sack_blocks(c, with_sack), i = 0, j;
	bool used[TCP_OOO_MAX] = { false };

	if (c->flags & TF_TS) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_TS;
		p[n++] = 10;
		put32(p + n, tcp_ts_now(c));
		put32(p + n + 4, c->ts_recent);
		n += 8;
	}
	if (nb == 0)
		return n;
	p[n++] = TCPOPT_NOP;
	p[n++] = TCPOPT_NOP;
	p[n++] = TCPOPT_SACK;
	p[n++] = (uint8_t)(2 + 8 * nb);
	if (c->flags & TF_DSACK) {
		put_block(p + n, c->dsack.start, c->dsack.end);
		n += 8;
		i++;
		for (j = 0; j < c->nooo && i < nb; j++) {
			if (SEQ_LE(c->ooo[j].seq, c->dsack.start) &&
			    SEQ_GE(c->ooo[j].end, c->dsack.end)) {
				used[j] = true;
				put_block(p + n, c->ooo[j].seq, c->ooo[j].end);
				n += 8;
				i++;
				break;
			}
		}
	}
	for (; i < nb; i++) {
		unsigned int best = TCP_OOO_MAX;

		for (j = 0; j < c->nooo; j++)
			if (!used[j] && (best == TCP_OOO_MAX ||
					 (int32_t)(c->ooo[j].stamp - c->ooo[best].stamp) > 0))
				best = j;
		used[best] = true;
		put_block(p + n, c->ooo[best].seq, c->ooo[best].end);
		n += 8;
	}
	return n;
}
