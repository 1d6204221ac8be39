/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker flow table: 5-tuple to flow state, with state-aware timeouts. */
#ifndef WEIR_FLOW_H
#define WEIR_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/timer.h"

struct weir_proxy_sess;

/* A 5-tuple as seen on the wire (network order), 16 bytes, padding zeroed. */
struct weir_flow_key {
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct weir_flow_key) == 16, "flow keys are two 64-bit words");

/* Flow states: TCP as seen by a middlebox (after LVS's table), and UDP. */
enum weir_flow_state {
	WEIR_FS_NONE = 0,
	WEIR_FS_SYN_SENT,    /* the client's SYN went to the server */
	WEIR_FS_SYN_RECV,    /* the server answered with SYN-ACK */
	WEIR_FS_ESTABLISHED, /* the handshake completed */
	WEIR_FS_FIN_WAIT,    /* one side sent FIN */
	WEIR_FS_TIME_WAIT,   /* both sides sent FIN */
	WEIR_FS_CLOSE,       /* reset */
	WEIR_FS_UDP,
	WEIR_FS_MAX
};

#define WEIR_FLOW_F_DSR     0x01 /* only the client direction passes Weir */
#define WEIR_FLOW_F_FIN_CLI 0x02 /* FIN seen from the client */
#define WEIR_FLOW_F_FIN_SRV 0x04 /* FIN seen from the server */
#define WEIR_FLOW_F_SAMPLED 0x08 /* its connect time went into the server's EWMA */
#define WEIR_FLOW_F_COUNTED 0x10 /* counted in the server's active connections */
#define WEIR_FLOW_F_MAC_IN  0x20 /* nh_mac[WEIR_DIR_IN] is valid for nh_gen */
#define WEIR_FLOW_F_MAC_OUT 0x40 /* nh_mac[WEIR_DIR_OUT] is valid for nh_gen */
#define WEIR_FLOW_F_CMAC    0x80 /* replies leave where the client's frames came: cmac */
_Static_assert(WEIR_FLOW_F_MAC_OUT == WEIR_FLOW_F_MAC_IN << 1, "a direction's MAC flag: IN << dir");

/* Direction indexes of the per-flow counters. */
#define WEIR_DIR_IN  0 /* client to server */
#define WEIR_DIR_OUT 1 /* server to client */

struct weir_flow {
	/* First cache line: what every packet of an established flow reads (l4/fast.c). */
	struct weir_flow_key fwd; /* as the client sends it: client -> VIP */
	struct weir_flow_key rev; /* as the server sends it back (full-NAT) */
	/* Full-NAT checksum adjustments by direction, computed once (RFC 1624), folded
	 * to 16 bits (weir_csum_adjust()). */
	uint16_t ip_delta[2];
	uint16_t l4_delta[2];
	uint16_t svc;      /* service index */
	uint16_t srv;      /* server gid */
	uint8_t state;     /* enum weir_flow_state */
	uint8_t flags;     /* WEIR_FLOW_F_* */
	uint8_t cport;     /* weir_port index toward the client */
	uint8_t sport_idx; /* weir_port index toward the server */
	uint32_t nh_gen;   /* the neighbour table's gen nh_mac[] is valid for */
	uint16_t lport;    /* full-NAT source port (network order) */
	uint8_t fwd_off;   /* the client key is out of the table (weir_flow_unhook_fwd) */
	uint8_t pad;
	/* Full-NAT TCP: what the client's sequence numbers and timestamps gain toward the
	 * server (l4/nat.h weir_nat_rewrite(); l4_delta holds the checksum's constant part
	 * of the first); 0 for other flows. */
	uint32_t seq_delta;
	uint32_t ts_delta;
	/* Second line: what every packet writes, and the proxy's session. */
	uint64_t last; /* TSC of the last packet */
	uint64_t pkts[2];
	uint64_t bytes[2];
	struct rte_ether_addr nh_mac[2]; /* next-hop MACs by direction */
	uint32_t laddr;                  /* full-NAT source address (network order) */
	struct weir_proxy_sess *sess;    /* a TCP-proxy session's flow: its session */
	/* The rest: for new flows, state changes, timers and dumps. */
	uint64_t created;           /* TSC */
	uint64_t syn_tsc;           /* TSC the client's SYN left toward the server */
	struct rte_ether_addr cmac; /* the client's next hop as its first frame showed it */
	uint16_t laddr_idx;
	uint32_t gen;       /* odd while being created or freed: the main lcore's dumps skip it */
	uint32_t c_nexthop; /* next hop toward the client: itself or the gateway */
	struct weir_timer timer;
} __rte_cache_aligned;
_Static_assert(offsetof(struct weir_flow, last) == RTE_CACHE_LINE_SIZE,
	       "what every packet of an established flow reads is one cache line");

/*
 * The table: buckets of 8 slots, a slot a 16-bit signature of a key's hash and the index
 * of its flow (bit 31: the flow's reply key rather than its client key). The keys
 * themselves live in the flows, so a bucket is one cache line and a lookup reads that
 * line and one flow. A full bucket sends keys to the next one (linear probing by
 * bucket); its `overflow` counts them, so a lookup goes on only while keys did, and a
 * delete needs no tombstone.
 */
#define WEIR_FLOW_WAYS 8

struct weir_flow_bucket {
	uint16_t sig[WEIR_FLOW_WAYS]; /* 0: empty slot */
	uint32_t idx[WEIR_FLOW_WAYS];
	uint32_t overflow; /* keys stored past this bucket that hash to it or earlier */
	uint32_t pad[3];
} __rte_cache_aligned;

struct weir_flow_table {
	struct weir_flow_bucket *b;
	uint32_t mask; /* buckets - 1 */
	struct weir_flow *flows;
	uint32_t capacity;
	uint32_t *free; /* stack of free flow indexes */
	uint32_t nb_free;
	uint32_t active;
	uint64_t created;
	uint64_t expired;
	uint64_t full; /* flows refused because the table was full */
};

/*
 * Build a flow key; @pad is zeroed so keys hash and compare as 16 raw bytes. Written as
 * two 64-bit words: the hash and the compares read it back that way at once, and a wide
 * load over several narrow stores cannot be forwarded from the store buffer (a stall of
 * a dozen cycles or more per key on x86).
 */
static inline void weir_flow_key_set(struct weir_flow_key *k, uint32_t src, uint32_t dst,
				     uint16_t sport, uint16_t dport, uint8_t proto)
{
	uint64_t w[2];

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	w[0] = (uint64_t)src | (uint64_t)dst << 32;
	w[1] = (uint64_t)sport | (uint64_t)dport << 16 | (uint64_t)proto << 32;
#else
	w[0] = (uint64_t)src << 32 | (uint64_t)dst;
	w[1] = (uint64_t)sport << 48 | (uint64_t)dport << 32 | (uint64_t)proto << 24;
#endif
	memcpy(k, w, sizeof(w));
}

/*
 * The key of the IPv4 TCP or UDP packet whose header (without options) is at @ip and
 * its transport header right after: the same key as weir_flow_key_set() builds from the
 * fields, read as the words they already are (the two addresses are adjacent, and so
 * are the two ports).
 */
static inline void weir_flow_key_of_ipv4(struct weir_flow_key *k, const uint8_t *ip)
{
	uint64_t w[2];
	uint32_t ports;

	memcpy(&w[0], ip + 12, 8);
	memcpy(&ports, ip + 20, 4);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	w[1] = (uint64_t)ports | (uint64_t)ip[9] << 32;
#else
	w[1] = (uint64_t)ports << 32 | (uint64_t)ip[9] << 24;
#endif
	/* Two stores of eight bytes, as the compares load them. */
	memcpy(k, &w[0], 8);
	memcpy((uint8_t *)k + 8, &w[1], 8);
}

/*
 * Whether the connection @f tracks is over as far as Weir can tell: both FINs seen, or
 * a reset; for a DSR flow, the client's FIN (the server's half of the close never
 * passes Weir). Such a flow no longer counts as a server's connection, and a SYN on its
 * tuple opens a new one.
 */
static inline bool weir_flow_over(const struct weir_flow *f)
{
	return f->state == WEIR_FS_TIME_WAIT || f->state == WEIR_FS_CLOSE ||
	       (f->state == WEIR_FS_FIN_WAIT && (f->flags & WEIR_FLOW_F_DSR));
}

/* Create worker @id's table of @capacity flows on @socket. NULL with errno on failure. */
struct weir_flow_table *weir_flow_table_create(uint16_t id, uint32_t capacity, int socket);
void weir_flow_table_free(struct weir_flow_table *t);

#define WEIR_FLOW_REV (1u << 31)

/*
 * The hash of a flow key: CRC32C where the CPU has it (two instructions), a
 * multiply-xorshift mix elsewhere. Maglev maps flows to servers with it, so it must be
 * the same on every worker (and on every Weir of the same CPU family).
 */
static inline uint32_t weir_flow_hash(const struct weir_flow_key *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, (const uint8_t *)k + 8, 8);
#if defined(__SSE4_2__)
	return (uint32_t)__builtin_ia32_crc32di(__builtin_ia32_crc32di(0x9e3779b9u, a), b);
#else
	a ^= b * 0x9e3779b97f4a7c15ull;
	a *= 0xff51afd7ed558ccdull;
	return (uint32_t)(a ^ (a >> 29));
#endif
}

static inline bool weir_flow_key_eq(const struct weir_flow_key *x, const struct weir_flow_key *y)
{
	uint64_t a[2], b[2];

	memcpy(a, x, 16);
	memcpy(b, y, 16);
	return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* The signature of @hash in a bucket: never 0, which marks an empty slot. */
static inline uint16_t weir_flow_sig(uint32_t hash)
{
	return (uint16_t)((hash >> 16) | 1);
}

/* A bit for each slot of @b holding signature @sig (slot i: bit i). */
static inline unsigned int weir_flow_sig_match(const struct weir_flow_bucket *b, uint16_t sig)
{
#if defined(__SSE2__)
	/* The eight signatures compared at once, then packed to a byte each for the mask. */
	__m128i eq = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)b->sig),
				     _mm_set1_epi16((short)sig));

	return (unsigned int)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()));
#else
	unsigned int i, m = 0;

	for (i = 0; i < WEIR_FLOW_WAYS; i++)
		m |= (unsigned int)(b->sig[i] == sig) << i;
	return m;
#endif
}

/* The flow under @key (whose hash is @hash), or NULL. */
static inline struct weir_flow *
weir_flow_lookup_hash(struct weir_flow_table *t, const struct weir_flow_key *key, uint32_t hash)
{
	uint16_t sig = weir_flow_sig(hash);
	uint32_t bi = hash & t->mask;

	for (;;) {
		const struct weir_flow_bucket *b = &t->b[bi];
		unsigned int m;

		for (m = weir_flow_sig_match(b, sig); m != 0; m &= m - 1) {
			uint32_t idx = b->idx[__builtin_ctz(m)];
			struct weir_flow *f = &t->flows[idx & ~WEIR_FLOW_REV];

			if (weir_flow_key_eq(idx & WEIR_FLOW_REV ? &f->rev : &f->fwd, key))
				return f;
		}
		if (b->overflow == 0)
			return NULL;
		bi = (bi + 1) & t->mask;
	}
}

/* The flow under @key, or NULL. */
static inline struct weir_flow *weir_flow_lookup(struct weir_flow_table *t,
						 const struct weir_flow_key *key)
{
	return weir_flow_lookup_hash(t, key, weir_flow_hash(key));
}

/*
 * Copy flow @src into @out from an lcore other than its owner, which may change it
 * meanwhile. False when the slot is being created or freed (its gen odd) or changed
 * while it was copied (its gen not the same after): the copy is then not to be used.
 */
static inline bool weir_flow_copy(const struct weir_flow *src, struct weir_flow *out)
{
	uint32_t gen = __atomic_load_n(&src->gen, __ATOMIC_ACQUIRE);

	if (gen & 1)
		return false;
	memcpy(out, src, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&src->gen, __ATOMIC_RELAXED) == gen;
}

/*
 * Copy into @out the flow under @key (whose hash is @hash) in table @t, which another
 * lcore owns and changes meanwhile: the lookup of weir_flow_lookup_hash(), each slot
 * read by weir_flow_copy() and the copy's key checked again, the probe bounded. True
 * when found; a flow created, freed or moved while it was looked for may be missed.
 */
bool weir_flow_peek(const struct weir_flow_table *t, const struct weir_flow_key *key, uint32_t hash,
		    struct weir_flow *out);

/*
 * A new flow under @fwd (and @rev unless NULL), zeroed but for its keys. NULL when the
 * table is full (counted). The caller fills it, arms its timer and publishes it.
 */
struct weir_flow *weir_flow_create(struct weir_flow_table *t, const struct weir_flow_key *fwd,
				   const struct weir_flow_key *rev);

/* Mark a flow from weir_flow_create() complete, for readers on the main lcore. */
static inline void weir_flow_publish(struct weir_flow *f)
{
	__atomic_store_n(&f->gen, f->gen + 1, __ATOMIC_RELEASE);
}

/* Add the reply key @rev to flow @f (created without one). */
void weir_flow_set_rev(struct weir_flow_table *t, struct weir_flow *f,
		       const struct weir_flow_key *rev);

/* Remove @f's reply key, if it has one. */
void weir_flow_clear_rev(struct weir_flow_table *t, struct weir_flow *f);
/*
 * Take the client key of @f out of the table, the reply key staying: a TCP-proxy session
 * whose client side has ended while its server side lingers (TIME_WAIT, LAST_ACK), so
 * that the client's next connection on the same 4-tuple gets a flow of its own.
 */
void weir_flow_unhook_fwd(struct weir_flow_table *t, struct weir_flow *f);

/* Remove @f's keys and return its slot. The caller has released what the flow held. */
void weir_flow_destroy(struct weir_flow_table *t, struct weir_flow *f);

const char *weir_flow_state_name(uint8_t state);

#endif
