/* SPDX-License-Identifier: BSD-3-Clause */
/* Initial sequence numbers (RFC 6528) and per-connection timestamp offsets, keyed SipHash. */
#include "tcp/tcp_impl.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                   \
	do {                       \
		v0 += v1;          \
		v1 = ROTL(v1, 13); \
		v1 ^= v0;          \
		v0 = ROTL(v0, 32); \
		v2 += v3;          \
		v3 = ROTL(v3, 16); \
		v3 ^= v2;          \
		v0 += v3;          \
		v3 = ROTL(v3, 21); \
		v3 ^= v0;          \
		v2 += v1;          \
		v1 = ROTL(v1, 17); \
		v1 ^= v2;          \
		v2 = ROTL(v2, 32); \
	} while (0)

/*
 * SipHash-2-4 of @n 64-bit words under the 128-bit @key (the words are the message, in
 * host order; the length goes into the last block as SipHash does for 8n bytes).
 */
uint64_t tcp_siphash(const uint64_t key[2], const uint64_t *w, unsigned int n)
{
	uint64_t v0 = 0x736f6d6570736575ull ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dull ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ull ^ key[0];
	uint64_t v3 = 0x7465646279746573ull ^ key[1];
	uint64_t b = (uint64_t)(n * 8) << 56;
	unsigned int i;

	for (i = 0; i < n; i++) {
		v3 ^= w[i];
		SIPROUND;
		SIPROUND;
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

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
	s->isn_key[0] = tcp_siphash(base, &d, 1);
	d = 2;
	s->isn_key[1] = tcp_siphash(base, &d, 1);
	d = 3;
	s->ts_key[0] = tcp_siphash(base, &d, 1);
	d = 4;
	s->ts_key[1] = tcp_siphash(base, &d, 1);
	d = 5;
	s->cookie_key[0] = tcp_siphash(base, &d, 1);
	d = 6;
	s->cookie_key[1] = tcp_siphash(base, &d, 1);
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
	return (uint32_t)tcp_siphash(s->isn_key, w, 2) + (uint32_t)(s->now_us >> 2);
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
	return (uint32_t)tcp_siphash(s->ts_key, w, 2);
}
