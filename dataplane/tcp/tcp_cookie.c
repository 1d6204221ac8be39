/* SPDX-License-Identifier: BSD-3-Clause */
/* SYN cookies: the state of a SYN in our ISN (MSS) and, with timestamps, in our TSval. */
#include "core/siphash.h"
#include "tcp/tcp_impl.h"

/*
 * Layout of a cookie c = H1(4-tuple) + (t << 24 | mss index << 21 | H2 & 0x1fffff),
 * where t is the 64-second period (its low 8 bits) and H2 a keyed hash of the 4-tuple,
 * the peer's ISN, the whole period count and the index. The ACK of our SYN-ACK returns c + 1; the
 * cookie holds if H2 matches and t is at most two periods old. Options a cookie cannot hold (window
 * scale, SACK-permitted) travel, as in Linux, in the low 5 bits of our TSval when the
 * SYN had timestamps, and come back in the ACK's TSecr.
 */
static const uint16_t msstab[8] = { 536, 1000, 1200, 1300, 1380, 1440, 1452, 1460 };

#define COOKIE_MAX_AGE 2
#define TS_OPT_MASK    0x1fu
#define TS_WS_NONE     0xfu

/* The hash of the 4-tuple that offsets every cookie of it. */
static uint32_t h1(const struct weir_tcp_stack *s, const struct tcp_seg *g)
{
	uint64_t w[3] = { (uint64_t)g->daddr << 32 | g->saddr, (uint64_t)g->dport << 16 | g->sport,
			  0 };

	return (uint32_t)weir_siphash(s->cookie_key, w, 3);
}

/*
 * The check hash (21 bits) of a cookie: 4-tuple, peer's ISN, MSS index and the whole
 * period count, not only the 8 bits the cookie carries: otherwise an ACK seen once
 * would open a connection again every 256 periods (4.5 hours).
 */
static uint32_t h2(const struct weir_tcp_stack *s, const struct tcp_seg *g, uint32_t isn,
		   uint64_t period, uint32_t idx)
{
	uint64_t w[4] = { (uint64_t)g->daddr << 32 | g->saddr, (uint64_t)g->dport << 16 | g->sport,
			  (uint64_t)isn << 32 | idx, period };

	return (uint32_t)weir_siphash(s->cookie_key, w, 4) & 0x1fffff;
}

/* Our ISN for a SYN @g answered by cookie; *@mss gets the MSS it encodes. */
uint32_t tcp_cookie_make(struct weir_tcp_stack *s, const struct tcp_seg *g, uint16_t *mss)
{
	uint16_t peer = g->o.has_mss ? g->o.mss : 536;
	uint64_t period = s->now_ms / TCP_MSL_COOKIE_MS;
	uint32_t idx = 7, t = (uint32_t)period & 0xff;

	while (idx > 0 && msstab[idx] > peer)
		idx--;
	*mss = msstab[idx];
	return h1(s, g) + (t << 24 | idx << 21 | h2(s, g, g->seq, period, idx));
}

/*
 * Check the ACK @g against the cookie it acknowledges (SEG.ACK - 1) for the SYN it
 * follows (SEG.SEQ - 1). Returns 0 with *@mss set, or -1.
 */
int tcp_cookie_check(struct weir_tcp_stack *s, const struct tcp_seg *g, uint16_t *mss)
{
	uint32_t v = (g->ack - 1) - h1(s, g), t = v >> 24, idx = (v >> 21) & 7;
	uint64_t now = s->now_ms / TCP_MSL_COOKIE_MS;
	uint32_t age = ((uint32_t)now - t) & 0xff;

	if (age > COOKIE_MAX_AGE || age > now)
		return -1;
	if ((v & 0x1fffff) != h2(s, g, g->seq - 1, now - age, idx))
		return -1;
	*mss = msstab[idx];
	return 0;
}

/*
 * A TSval for a cookie SYN-ACK: @ts_now with its low 5 bits replaced by the peer's
 * window scale (@ws, or -1: none) and SACK-permitted, never ahead of @ts_now.
 */
uint32_t tcp_cookie_tsval(uint32_t ts_now, int ws, bool sack)
{
	uint32_t v = (ts_now & ~TS_OPT_MASK) | (ws < 0 ? TS_WS_NONE : (uint32_t)ws & 0xf) |
		     (sack ? 0x10u : 0);

	if ((int32_t)(v - ts_now) > 0)
		v -= TS_OPT_MASK + 1;
	return v;
}

/* The options tcp_cookie_tsval() hid in @tsecr: *@ws = -1 when none. */
void tcp_cookie_ts_decode(uint32_t tsecr, int *ws, bool *sack)
{
	uint32_t w = tsecr & 0xf;

	*ws = w == TS_WS_NONE ? -1 : (int)(w > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : w);
	*sack = (tsecr & 0x10) != 0;
}
