/* SPDX-License-Identifier: BSD-3-Clause */
/* Initial sequence numbers (RFC 6528) and per-connection timestamp offsets, keyed SipHash. */
#include "core/siphash.h"
#include "tcp/tcp_impl.h"

/*
 * Derive the stack's keys from params.cookie_secret, one per use, so that an ISN never
 * tells anything about a cookie or a timestamp offset.
 */
void tcp_keys_init(struct weir_tcp_stack *s)
{
	const uint32_t *k = s->p.cookie_secret;
	uint64_t base[2] = { (uint64_t)k[0] << 32 | k[1], (uint64_t)k[2] << 32 | k[3] };
	uint64_t d;

	d = 1;
	s->isn_key[0] = weir_siphash(base, &d, 1);
	d = 2;
	s->isn_key[1] = weir_siphash(base, &d, 1);
	d = 3;
	s->ts_key[0] = weir_siphash(base, &d, 1);
	d = 4;
	s->ts_key[1] = weir_siphash(base, &d, 1);
	d = 5;
	s->cookie_key[0] = weir_siphash(base, &d, 1);
	d = 6;
	s->cookie_key[1] = weir_siphash(base, &d, 1);
}

/* The 4-tuple as two words (addresses and ports as stored, network order). */
static inline void tuple_words(uint64_t w[2], uint32_t laddr, uint16_t lport, uint32_t raddr,
			       uint16_t rport)
{
	w[0] = (uint64_t)laddr << 32 | raddr;
	w[1] = (uint64_t)lport << 16 | rport;
}

/*
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a timer
 * ticking every 4 microseconds (the stack's clock), F a keyed hash.
 */
uint32_t tcp_isn(const struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport)
{
	uint64_t w[2];

	tuple_words(w, laddr, lport, raddr, rport);
	return (uint32_t)weir_siphash(s->isn_key, w, 2) + (uint32_t)(s->now_us >> 2);
}

/*
 * The offset of a connection's timestamp clock: random per 4-tuple (RFC 7323 §5.4) but
 * computable again from the 4-tuple alone, which a SYN cookie's ACK needs.
 */
uint32_t tcp_ts_off(const struct weir_tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport)
{
	uint64_t w[2];

	tuple_words(w, laddr, lport, raddr, rport);
	return (uint32_t)weir_siphash(s->ts_key, w, 2);
}
