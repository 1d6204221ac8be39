/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the flow table against a reference model, and of the checksum helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_ip.h>

#include "core/siphash.h"
#include "fixture.h"
#include "l4/lb.h"
#include "l4/flow.h"
#include "net/cksum.h"

static struct rte_mempool *dp_pool;

static int setup(void **state)
{
	(void)state;
	if (fixture_eal() != 0)
		return -1;
	dp_pool =
		rte_pktmbuf_pool_create("test_flow_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return dp_pool == NULL;
}

/* xorshift64*, seeded: every run checks the same sequence. */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void random_key(struct weir_flow_key *k)
{
	/* Few distinct values, so keys collide on buckets and signatures often. */
	weir_flow_key_set(k, (uint32_t)(rnd() % 64), (uint32_t)(rnd() % 4), (uint16_t)(rnd() % 512),
			  80, rnd() & 1 ? 6 : 17);
}

/*
 * Thousands of random creates and destroys, most of the table full, each state checked
 * against a plain array: every live key (client and reply) is found and leads to its
 * flow, every dead key is gone, and a full table refuses without harm.
 */
static void test_table_matches_model(void **state)
{
	enum { CAP = 512, OPS = 60000 };
	struct weir_flow_table *t = weir_flow_table_create(0, CAP, 0);
	struct weir_flow *live[CAP];
	struct weir_flow_key fk[CAP], rk[CAP];
	unsigned int nlive = 0, op, i;

	(void)state;
	assert_non_null(t);
	for (op = 0; op < OPS; op++) {
		bool add = nlive == 0 || (nlive < CAP && rnd() % 100 < 55);

		if (add) {
			struct weir_flow_key f, r;
			bool dup = false;

			random_key(&f);
			random_key(&r);
			r.sport |= 0x8000; /* reply keys never equal client keys */
			for (i = 0; i < nlive; i++)
				if (weir_flow_key_eq(&fk[i], &f) || weir_flow_key_eq(&rk[i], &r))
					dup = true;
			if (dup)
				continue;
			live[nlive] = weir_flow_create(t, &f, (op & 3) ? &r : NULL);
			assert_non_null(live[nlive]);
			fk[nlive] = f;
			if (op & 3)
				rk[nlive] = r;
			else
				memset(&rk[nlive], 0xff, sizeof(rk[nlive]));
			nlive++;
		} else {
			i = (unsigned int)(rnd() % nlive);
			weir_flow_destroy(t, live[i]);
			assert_null(weir_flow_lookup(t, &fk[i]));
			live[i] = live[nlive - 1];
			fk[i] = fk[nlive - 1];
			rk[i] = rk[nlive - 1];
			nlive--;
		}
		if (op % 97 == 0 || nlive == CAP) {
			for (i = 0; i < nlive; i++) {
				assert_ptr_equal(weir_flow_lookup(t, &fk[i]), live[i]);
				if (rk[i].proto != 0xff)
					assert_ptr_equal(weir_flow_lookup(t, &rk[i]), live[i]);
			}
			assert_int_equal(t->active, nlive);
		}
		if (nlive == CAP) {
			struct weir_flow_key x;

			weir_flow_key_set(&x, 999, 999, 9, 9, 6);
			assert_null(weir_flow_create(t, &x, NULL));
		}
	}
	/* Emptied, every overflow count is back to zero. */
	while (nlive)
		weir_flow_destroy(t, live[--nlive]);
	for (i = 0; i <= t->mask; i++)
		assert_int_equal(t->b[i].overflow, 0);
	weir_flow_table_free(t);
}

/* weir_cksum() agrees with DPDK's 16-bit sum at every length and alignment. */
static void test_cksum_matches_dpdk(void **state)
{
	uint8_t buf[256 + 8];
	unsigned int len, off, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 256; len++)
			assert_int_equal(weir_cksum(buf + off, len), rte_raw_cksum(buf + off, len));
	/* All ones: the folds must carry. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(weir_cksum(buf, 255), rte_raw_cksum(buf, 255));
}

/* The chain checksum equals the flat one for any split, odd segment lengths included. */
static void test_cksum_chain_any_split(void **state)
{
	uint8_t flat[1500];
	unsigned int round, i;

	(void)state;
	for (i = 0; i < sizeof(flat); i++)
		flat[i] = (uint8_t)rnd();
	for (round = 0; round < 2000; round++) {
		struct rte_mbuf *head = NULL, *tail = NULL;
		uint32_t len = 1 + (uint32_t)(rnd() % sizeof(flat)), done = 0, off;

		while (done < len) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(dp_pool);
			uint32_t n = 1 + (uint32_t)(rnd() % 97);

			if (n > len - done)
				n = len - done;
			memcpy(rte_pktmbuf_append(m, (uint16_t)n), flat + done, n);
			done += n;
			if (head == NULL) {
				head = tail = m;
			} else {
				tail->next = m;
				tail = m;
				head->nb_segs++;
				head->pkt_len += n;
			}
		}
		off = (uint32_t)(rnd() % len);
		assert_int_equal(weir_cksum_mbuf(head, off, len - off),
				 rte_raw_cksum(flat + off, len - off));
		rte_pktmbuf_free(head);
	}
}

/* Incremental replacement equals a full recomputation (RFC 1624, incl. 0xffff/0 cases). */
static void test_incremental_updates(void **state)
{
	unsigned int n;

	(void)state;
	for (n = 0; n < 20000; n++) {
		uint16_t w[10];
		uint32_t a;
		uint16_t sum, ref;
		unsigned int i;

		for (i = 0; i < 10; i++)
			w[i] = (uint16_t)rnd();
		if (n % 7 == 0)
			w[0] = w[1] = 0;
		sum = (uint16_t)~rte_raw_cksum(w, sizeof(w));
		/* A 32-bit field at w[2..3] changes, as stored (the sum ignores byte order). */
		a = (uint32_t)rnd();
		{
			uint32_t old;

			memcpy(&old, &w[2], 4);
			weir_csum_replace4(&sum, old, a);
			memcpy(&w[2], &a, 4);
		}
		weir_csum_replace2(&sum, w[5], (uint16_t)(n * 31));
		w[5] = (uint16_t)(n * 31);
		ref = (uint16_t)~rte_raw_cksum(w, sizeof(w));
		/* 0x0000 and 0xffff are the same number in one's complement. */
		assert_true(sum == ref || (uint16_t)(sum + ref) == 0xffff);
	}
}

/* A NAT adjustment is the folded sum ~(~csum + delta), for every checksum and delta. */
static void test_csum_adjust(void **state)
{
	static const uint16_t some[] = { 0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x1234, 0xedcb };
	uint32_t v, k;

	(void)state;
	for (v = 0; v <= 0xffff; v++)
		for (k = 0; k < RTE_DIM(some); k++) {
			assert_int_equal(
				weir_csum_adjust((uint16_t)v, some[k]),
				(uint16_t)~weir_csum_fold((uint16_t)~v + (uint32_t)some[k]));
			assert_int_equal(weir_csum_adjust(some[k], (uint16_t)v),
					 (uint16_t)~weir_csum_fold((uint16_t)~some[k] + v));
		}
}

/*
 * The divisibility test agrees with folding: weir_csum_verifies(s) holds exactly when
 * s folds to 0xffff, for sums near every multiple of 0xffff and at the ends of the range.
 */
static void test_csum_verifies_is_a_fold(void **state)
{
	static const uint64_t edges[] = { 1,
					  0xfffe,
					  0xffff,
					  0x10000,
					  0xfffffffeull,
					  0xffffffffull,
					  UINT64_MAX - 0xffff,
					  UINT64_MAX - 1,
					  UINT64_MAX };
	unsigned int n, i;

	(void)state;
	for (i = 0; i < RTE_DIM(edges); i++)
		assert_int_equal(weir_csum_verifies(edges[i]),
				 weir_csum_fold64(edges[i]) == 0xffff);
	for (n = 0; n < 200000; n++) {
		uint64_t s = (rnd() % (UINT64_MAX / 0xffff)) * 0xffff + (n % 5) - 2;

		if (s == 0)
			continue;
		assert_int_equal(weir_csum_verifies(s), weir_csum_fold64(s) == 0xffff);
		s = rnd() | 1;
		assert_int_equal(weir_csum_verifies(s), weir_csum_fold64(s) == 0xffff);
	}
}

/*
 * The IPv4 header and TCP/UDP checks against DPDK's: right checksums verify, and any
 * one byte changed (header, payload, or the pseudo-header's addresses) does not.
 */
static void test_header_and_l4_checks(void **state)
{
	unsigned int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp_pool);
		uint32_t len = (round % 3 == 0) ? (uint32_t)(round % 97) : (uint32_t)(rnd() % 1400);
		bool udp = round & 1;
		uint32_t hlen = udp ? 8 : 20, l4len = hlen + len, i, k;
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(20 + l4len));
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)d;
		uint16_t ck;
		uint8_t orig;

		for (i = 0; i < 20 + l4len; i++)
			d[i] = (uint8_t)rnd();
		if (round % 11 == 0)
			memset(d + 20, 0xff, l4len);
		ip->version_ihl = 0x45;
		ip->next_proto_id = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		memset(d + 20 + (udp ? 6 : 16), 0, 2);
		ck = rte_ipv4_udptcp_cksum(ip, d + 20);
		if (udp && ck == 0)
			ck = 0xffff;
		memcpy(d + 20 + (udp ? 6 : 16), &ck, 2);
		assert_true(weir_ipv4_cksum_ok20(ip));
		assert_true(weir_l4_cksum_ok(m, ip, 20, l4len));
		/* One byte off in the IPv4 header (the version byte stays nonzero). */
		k = 1 + (uint32_t)(rnd() % 19);
		orig = d[k];
		d[k] ^= (uint8_t)(1 + rnd() % 255);
		assert_false(weir_ipv4_cksum_ok20(ip));
		d[k] = orig;
		assert_true(weir_ipv4_cksum_ok20(ip));
		/* One byte off in an address (the pseudo-header) or the segment. */
		k = 12 + (uint32_t)(rnd() % (8 + l4len));
		d[k] ^= (uint8_t)(1 + rnd() % 255);
		assert_false(weir_l4_cksum_ok(m, ip, 20, l4len));
		rte_pktmbuf_free(m);
	}
}

/*
 * SipHash-2-4 against the reference implementation's vectors (key 00..0f, message
 * 00..07 and 00..0f, read as little-endian words): the keyed hash behind full-NAT and
 * proxy sequence numbers.
 */
static void test_siphash_reference_vectors(void **state)
{
	uint64_t key[2], w[2];
	uint8_t b[16];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	memcpy(key, b, sizeof(key));
	memcpy(w, b, sizeof(w));
	if (RTE_BYTE_ORDER == RTE_BIG_ENDIAN) {
		key[0] = __builtin_bswap64(key[0]);
		key[1] = __builtin_bswap64(key[1]);
		w[0] = __builtin_bswap64(w[0]);
		w[1] = __builtin_bswap64(w[1]);
	}
	assert_true(weir_siphash(key, w, 1) == 0x93f5f5799a932462ull);
	assert_true(weir_siphash(key, w, 2) == 0x3f2acc7f57c29bdbull);
}

/* Write @text to a new temporary file and return its path (in @path, 64 bytes). */
static void temp_file(char *path, const char *text)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/weir-test-id-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Full-NAT ISNs take their key from the boot ID: the same ID gives the same key on every
 * start (so a restart's ISNs go on from the last run's), in the kernel's UUID form or as
 * bare digits; another ID another key; no usable ID a random key.
 */
static void test_isn_key_from_boot_id(void **state)
{
	char a[64], bare[64], b[64], bad[64];
	uint64_t k1[2], k2[2], k3[2], k4[2];

	(void)state;
	temp_file(a, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4\n");
	temp_file(bare, "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	temp_file(b, "3d1219c7-c4c5-404a-aa1f-6d2a48adfda5\n");
	temp_file(bad, "not a boot id at all, nor ever one\n");
	assert_int_equal(weir_isn_key_from(a, k1), 0);
	assert_int_equal(weir_isn_key_from(bare, k2), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(weir_isn_key_from(a, k2), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(weir_isn_key_from(b, k3), 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));
	/* The key is not the ID itself. */
	assert_true(k1[0] != 0x3d1219c7c4c5404aull && k1[1] != 0xaa1f6d2a48adfda4ull);
	assert_int_equal(weir_isn_key_from(bad, k3), -1);
	assert_int_equal(weir_isn_key_from("/nonexistent/boot_id", k4), -1);
	assert_memory_not_equal(k3, k4, sizeof(k3));
	/* The kernel's own. */
	assert_int_equal(weir_isn_key_from(WEIR_BOOT_ID, k4), 0);
	unlink(a);
	unlink(bare);
	unlink(b);
	unlink(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_model),
		cmocka_unit_test(test_siphash_reference_vectors),
		cmocka_unit_test(test_isn_key_from_boot_id),
		cmocka_unit_test(test_cksum_matches_dpdk),
		cmocka_unit_test(test_cksum_chain_any_split),
		cmocka_unit_test(test_incremental_updates),
		cmocka_unit_test(test_csum_adjust),
		cmocka_unit_test(test_csum_verifies_is_a_fold),
		cmocka_unit_test(test_header_and_l4_checks),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
