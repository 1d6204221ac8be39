/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the memory estimate against what the dataplane really allocates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "conf/conf.h"
#include "core/lifecycle.h"
#include "fixture.h"

#define IFACES                                                                           \
	"interfaces = (\n"                                                               \
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; "     \
	"gateway = \"10.0.0.254\"; },\n"                                                 \
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n" \
	");\n"                                                                           \
	"backends = ( { name = \"web\"; servers = (\n"                                   \
	"  { name = \"s1\"; address = \"10.1.0.11\"; port = 80; } ); } );\n"

static uint64_t heap_used(void)
{
	struct rte_malloc_socket_stats st;

	assert_int_equal(rte_malloc_get_socket_stats((int)rte_socket_id(), &st), 0);
	return st.heap_allocsz_bytes;
}

/*
 * Builds the dataplane of @text in the fixture's EAL (--no-huge, 4 KiB pages) and
 * compares what that took of DPDK memory with weir_conf_memory(): never less (the
 * loader and start-up refuse only configs that cannot start), and at most 2 MiB more
 * (what it leaves out is small; a table it missed or sized wrong would show).
 */
static void check_estimate(const char *text)
{
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *conf = weir_conf_load_string(text, "t.conf", &errs);
	struct weir_conf_memory m;
	struct weir_dp dp;
	uint64_t before, used;

	assert_non_null(conf);
	weir_conf_memory(conf, (uint64_t)sysconf(_SC_PAGESIZE), &m);
	weir_conf_free(conf);
	before = heap_used();
	fixture_dp(&dp, text);
	used = heap_used() - before;
	fixture_dp_fini(&dp);
	print_message("estimate %llu, taken %llu bytes\n", (unsigned long long)m.total,
		      (unsigned long long)used);
	assert_true(m.total <= used);
	assert_true(used - m.total <= 2u << 20);
}

/* Full-NAT: two workers' flow tables, 16 local addresses, a pool of 1500-byte frames. */
static void test_nat(void **state)
{
	(void)state;
	check_estimate("global = { workers = 2; flows = 100000; mbufs = 8191; };\n" IFACES
		       "services = ( { name = \"h\"; vip = \"10.0.0.10\"; port = 80; backend = "
		       "\"web\"; local_addresses = [ \"10.1.0.100\", \"10.1.0.101\", "
		       "\"10.1.0.102\", \"10.1.0.103\", \"10.1.0.104\", \"10.1.0.105\", "
		       "\"10.1.0.106\", \"10.1.0.107\", \"10.1.0.108\", \"10.1.0.109\", "
		       "\"10.1.0.110\", \"10.1.0.111\", \"10.1.0.112\", \"10.1.0.113\", "
		       "\"10.1.0.114\", \"10.1.0.115\" ]; } );\n");
}

/*
 * The TCP proxy's connections and sessions, a larger neighbour table, and jumbo frames:
 * buffers of over a page, which take whole pages each.
 */
static void test_tcp_jumbo(void **state)
{
	(void)state;
	check_estimate(
		"global = { workers = 2; flows = 65536; mbufs = 4095;\n"
		"  neigh = { max_entries = 100000; }; tcp = { max_connections = 8192; }; };\n"
		"interfaces = (\n"
		"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; "
		"mtu = 9000; },\n"
		"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
		");\n"
		"backends = ( { name = \"web\"; servers = (\n"
		"  { name = \"s1\"; address = \"10.1.0.11\"; port = 80; } ); } );\n"
		"services = ( { name = \"p\"; vip = \"10.0.0.10\"; port = 80; mode = \"tcp\"; "
		"backend = \"web\"; } );\n");
}

static int setup(void **state)
{
	(void)state;
	return fixture_eal();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_tcp_jumbo),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
