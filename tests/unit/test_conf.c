/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the configuration library: the model it builds and every message it gives. */

#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "net/neigh_hash.h"

/* Paths are relative to the source root: meson runs the test there. */
#define REFERENCE "configs/reference.conf"
#define DATA      "tests/unit/data/"

/* Two interfaces, the client side with the default route; lines 1-2. */
#define IFACES                                                                                    \
	"interfaces = ( { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; " \
	"gateway = \"10.0.0.254\"; },\n"                                                          \
	"\t{ name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; } );\n"
/* The same without a gateway; lines 1-2. */
#define IFACES_NOGW                                                                               \
	"interfaces = ( { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; " \
	"},\n"                                                                                    \
	"\t{ name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; } );\n"
/* A backend "web" with one server on port 80; one line. */
#define WEB                                                                                     \
	"backends = ( { name = \"web\"; servers = ( { name = \"s1\"; address = \"10.1.0.11\"; " \
	"port = 80; } ); } );\n"

static uint32_t A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Prints both lists, so that a failing case shows what changed. */
static void show(const struct weir_conf_errors *errs, const char *const *want)
{
	print_message("got %u (+%u dropped):\n", errs->count, errs->dropped);
	for (unsigned int i = 0; i < errs->count; i++)
		print_message("  %s\n", errs->msg[i]);
	print_message("want:\n");
	for (unsigned int i = 0; want[i]; i++)
		print_message("  %s\n", want[i]);
}

/* Asserts that @errs holds exactly the NULL-terminated @want, in order. */
static void assert_errors(const struct weir_conf_errors *errs, const char *const *want)
{
	unsigned int n = 0;
	bool same;

	while (want[n])
		n++;
	same = errs->count == n && errs->dropped == 0;
	for (unsigned int i = 0; same && i < n; i++)
		same = strcmp(errs->msg[i], want[i]) == 0;
	if (!same)
		show(errs, want);
	assert_true(same);
}

/* Loads @text as "t.conf" and asserts it fails with exactly @want. */
static void expect_text(const char *text, const char *const *want)
{
	struct weir_conf_errors errs;
	struct weir_conf *conf = weir_conf_load_string(text, "t.conf", &errs);

	if (conf)
		show(&errs, want);
	assert_null(conf);
	assert_errors(&errs, want);
	weir_conf_errors_clear(&errs);
}

/* Loads file @path and asserts it fails with exactly @want. */
static void expect_load(const char *path, const char *const *want)
{
	struct weir_conf_errors errs;
	struct weir_conf *conf = weir_conf_load(path, &errs);

	assert_null(conf);
	assert_errors(&errs, want);
	weir_conf_errors_clear(&errs);
}

/* Loads @text as "t.conf" and asserts it succeeds; the caller frees the model. */
static struct weir_conf *load_ok(const char *text)
{
	struct weir_conf_errors errs;
	struct weir_conf *conf = weir_conf_load_string(text, "t.conf", &errs);

	if (!conf)
		show(&errs, (const char *const[]){ NULL });
	assert_non_null(conf);
	assert_int_equal(errs.count, 0);
	weir_conf_errors_clear(&errs);
	return conf;
}

/* ---- models of valid files ----------------------------------------------------------- */

static void test_reference(void **state)
{
	struct weir_conf_errors errs;
	struct weir_conf *c = weir_conf_load(REFERENCE, &errs);
	const struct weir_conf_global *g;
	const struct weir_conf_backend *b;
	const struct weir_conf_service *s;

	(void)state;
	if (!c)
		show(&errs, (const char *const[]){ NULL });
	assert_non_null(c);
	assert_int_equal(errs.count, 0);
	assert_string_equal(c->path, REFERENCE);

	g = &c->global;
	assert_int_equal(g->workers, 2);
	assert_int_equal(g->poll_mode, WEIR_POLL_BUSY);
	assert_int_equal(g->unmatched, WEIR_UNMATCHED_REJECT);
	assert_int_equal(g->memory_mb, 512);
	assert_int_equal(g->hugepages, WEIR_HUGEPAGES_AUTO);
	assert_string_equal(g->file_prefix, "weir");
	assert_int_equal(g->mbufs, 16383);
	assert_string_equal(g->log_level, "info");
	assert_int_equal(g->main_cpu, 0);
	assert_int_equal(g->nb_worker_cpus, 2);
	assert_int_equal(g->worker_cpus[0], 1);
	assert_int_equal(g->worker_cpus[1], 2);
	assert_string_equal(g->runtime_socket, "/run/weir/weir.sock");
	assert_int_equal(g->runtime_mode, 0660);
	assert_int_equal(g->neigh.reachable_ms, 30000);
	assert_int_equal(g->neigh.retrans_ms, 1000);
	assert_int_equal(g->neigh.probes, 3);
	assert_int_equal(g->neigh.gc_stale_ms, 60000);
	assert_int_equal(g->neigh.max_entries, 4096);
	assert_int_equal(g->flow_capacity, 262144);
	assert_int_equal(g->lport_first, 1024);
	assert_int_equal(g->lport_last, 65535);
	assert_int_equal(g->timeouts.syn_ms, 30000);
	assert_int_equal(g->timeouts.established_ms, 900000);
	assert_int_equal(g->timeouts.fin_ms, 120000);
	assert_int_equal(g->timeouts.close_ms, 10000);
	assert_int_equal(g->timeouts.udp_ms, 300000);

	assert_int_equal(c->nb_ifaces, 2);
	assert_string_equal(c->ifaces[0].name, "client");
	assert_string_equal(c->ifaces[0].device, "net_af_packet0,iface=dpc");
	assert_false(c->ifaces[0].is_pci);
	assert_int_equal(c->ifaces[0].addr, A("10.0.0.1"));
	assert_int_equal(c->ifaces[0].prefixlen, 24);
	assert_int_equal(c->ifaces[0].gateway, A("10.0.0.254"));
	assert_int_equal(c->ifaces[0].mtu, 1500);
	assert_int_equal(c->ifaces[0].rx_desc, 1024);
	assert_int_equal(c->ifaces[0].tx_desc, 1024);
	assert_true(c->ifaces[0].line > 0);
	assert_string_equal(c->ifaces[1].name, "servers");
	assert_string_equal(c->ifaces[1].device, "net_af_packet1,iface=dps");
	assert_int_equal(c->ifaces[1].addr, A("10.1.0.1"));
	assert_int_equal(c->ifaces[1].prefixlen, 24);
	assert_int_equal(c->ifaces[1].gateway, 0);
	assert_int_equal(c->ifaces[1].mtu, 1500);
	assert_true(c->ifaces[1].line > c->ifaces[0].line);

	assert_int_equal(c->nb_backends, 2);
	b = &c->backends[0];
	assert_string_equal(b->name, "web");
	assert_int_equal(b->balance, WEIR_BALANCE_LEASTCONN);
	assert_int_equal(b->maglev_size, 65537);
	assert_int_equal(b->all_down, WEIR_ALL_DOWN_RESET);
	assert_int_equal(b->check.type, WEIR_CHECK_TCP);
	assert_int_equal(b->check.inter_ms, 2000);
	assert_int_equal(b->check.fastinter_ms, 500);
	assert_int_equal(b->check.downinter_ms, 5000);
	assert_int_equal(b->check.timeout_ms, 1000);
	assert_int_equal(b->check.rise, 2);
	assert_int_equal(b->check.fall, 3);
	assert_int_equal(b->check.port, 0);
	assert_int_equal(b->nb_servers, 3);
	for (unsigned int i = 0; i < 3; i++) {
		char name[8], addr[16];

		snprintf(name, sizeof(name), "web%u", i + 1);
		snprintf(addr, sizeof(addr), "10.1.0.%u", 11 + i);
		assert_string_equal(b->servers[i].name, name);
		assert_int_equal(b->servers[i].addr, A(addr));
		assert_int_equal(b->servers[i].port, 80);
		assert_int_equal(b->servers[i].weight, i == 2 ? 2 : 1);
		assert_int_equal(b->servers[i].maxconn, 0);
		assert_false(b->servers[i].backup);
		assert_true(b->servers[i].check);
	}
	b = &c->backends[1];
	assert_string_equal(b->name, "dns");
	assert_int_equal(b->balance, WEIR_BALANCE_ROUNDROBIN);
	assert_int_equal(b->all_down, WEIR_ALL_DOWN_DROP);
	assert_int_equal(b->check.type, WEIR_CHECK_NONE);
	assert_int_equal(b->nb_servers, 2);
	assert_false(b->servers[0].check);
	assert_false(b->servers[0].backup);
	assert_true(b->servers[1].backup);
	assert_int_equal(b->servers[1].port, 53);

	assert_int_equal(c->nb_services, 2);
	s = &c->services[0];
	assert_string_equal(s->name, "http");
	assert_int_equal(s->vip, A("10.0.0.10"));
	assert_int_equal(s->proto, WEIR_PROTO_TCP);
	assert_int_equal(s->port_min, 80);
	assert_int_equal(s->port_max, 80);
	assert_int_equal(s->mode, WEIR_MODE_NAT);
	assert_int_equal(s->backend, 0);
	assert_int_equal(s->iface, 0);
	assert_int_equal(s->nb_laddrs, 1);
	assert_int_equal(s->laddrs[0], A("10.1.0.1"));
	assert_int_equal(s->timeouts.established_ms, 600000);
	assert_int_equal(s->timeouts.syn_ms, 30000);
	assert_int_equal(s->timeouts.udp_ms, 300000);
	s = &c->services[1];
	assert_string_equal(s->name, "dns");
	assert_int_equal(s->vip, A("10.0.0.53"));
	assert_int_equal(s->proto, WEIR_PROTO_UDP);
	assert_int_equal(s->port_min, 53);
	assert_int_equal(s->port_max, 53);
	assert_int_equal(s->mode, WEIR_MODE_NAT);
	assert_int_equal(s->backend, 1);
	assert_int_equal(s->iface, 0);
	assert_int_equal(s->nb_laddrs, 0);
	assert_int_equal(s->timeouts.udp_ms, 30000);
	assert_int_equal(s->timeouts.established_ms, 900000);
	assert_int_equal(s->timeouts.fin_ms, 120000);

	assert_int_equal(c->nb_stick_tables, 1);
	assert_string_equal(c->stick_tables[0].name, "clients");
	assert_int_equal(c->stick_tables[0].size, 65536);
	assert_int_equal(c->stick_tables[0].expire_ms, 60000);

	assert_int_equal(weir_conf_iface_for(c, A("10.0.0.10")), 0);
	assert_int_equal(weir_conf_iface_for(c, A("10.1.0.200")), 1);
	assert_int_equal(weir_conf_iface_for(c, A("10.2.0.1")), -1);
	weir_conf_free(c);
}

static void test_minimal_defaults(void **state)
{
	struct weir_conf *c = load_ok("interfaces = ( { name = \"lan\"; device = \"0000:03:00.0\"; "
				      "address = \"192.168.1.2/16\"; } );\n");
	const struct weir_conf_global *g = &c->global;

	(void)state;
	assert_string_equal(c->path, "t.conf");
	assert_int_equal(g->workers, 1);
	assert_int_equal(g->poll_mode, WEIR_POLL_BUSY);
	assert_int_equal(g->unmatched, WEIR_UNMATCHED_REJECT);
	assert_int_equal(g->memory_mb, 512);
	assert_int_equal(g->hugepages, WEIR_HUGEPAGES_AUTO);
	assert_string_equal(g->file_prefix, "weir");
	assert_int_equal(g->mbufs, 16383);
	assert_string_equal(g->log_level, "info");
	assert_int_equal(g->main_cpu, -1);
	assert_int_equal(g->nb_worker_cpus, 0);
	assert_string_equal(g->runtime_socket, "/run/weir/weir.sock");
	assert_int_equal(g->runtime_mode, 0660);
	assert_int_equal(g->neigh.reachable_ms, 30000);
	assert_int_equal(g->neigh.retrans_ms, 1000);
	assert_int_equal(g->neigh.probes, 3);
	assert_int_equal(g->neigh.gc_stale_ms, 60000);
	assert_int_equal(g->neigh.max_entries, 4096);
	assert_int_equal(g->flow_capacity, 262144);
	assert_int_equal(g->timeouts.syn_ms, 30000);
	assert_int_equal(g->timeouts.established_ms, 900000);
	assert_int_equal(g->timeouts.fin_ms, 120000);
	assert_int_equal(g->timeouts.close_ms, 10000);
	assert_int_equal(g->timeouts.udp_ms, 300000);
	assert_int_equal(g->timeouts.connect_ms, 5000);
	assert_int_equal(g->timeouts.client_ms, 300000);
	assert_int_equal(g->timeouts.server_ms, 300000);
	assert_int_equal(g->tcp.max_conns, 65536);
	assert_int_equal(g->tcp.syn_backlog, 1024);
	assert_int_equal(g->tcp.syncookies, WEIR_COOKIES_AUTO);
	assert_int_equal(g->tcp.cc, WEIR_CC_CUBIC);
	assert_int_equal(g->tcp.rcvbuf, 262144);
	assert_int_equal(g->tcp.sndbuf, 262144);
	assert_int_equal(g->tcp.rto_min_ms, 200);
	assert_int_equal(g->tcp.rto_init_ms, 1000);
	assert_int_equal(g->tcp.time_wait_ms, 2000);
	assert_int_equal(g->tcp.keepalive_ms, 0);
	assert_false(c->ifaces[0].fault.enabled);
	assert_int_equal(c->nb_ifaces, 1);
	assert_string_equal(c->ifaces[0].name, "lan");
	assert_string_equal(c->ifaces[0].device, "0000:03:00.0");
	assert_true(c->ifaces[0].is_pci);
	assert_int_equal(c->ifaces[0].addr, A("192.168.1.2"));
	assert_int_equal(c->ifaces[0].prefixlen, 16);
	assert_int_equal(c->ifaces[0].gateway, 0);
	assert_int_equal(c->ifaces[0].mtu, 1500);
	assert_int_equal(c->ifaces[0].rx_desc, 1024);
	assert_int_equal(c->ifaces[0].tx_desc, 1024);
	assert_int_equal(c->ifaces[0].line, 1);
	assert_int_equal(c->nb_backends, 0);
	assert_int_equal(c->nb_services, 0);
	assert_int_equal(c->nb_stick_tables, 0);
	weir_conf_free(c);
}

static void test_object_defaults(void **state)
{
	struct weir_conf *c = load_ok(
		IFACES
		"global = { timeouts = { syn_ms = 5000; udp_ms = 7000; }; };\n"
		"backends = (\n"
		"\t{ name = \"plain\"; servers = ( { name = \"a\"; address = \"10.1.0.2\"; } ); "
		"},\n"
		"\t{ name = \"checked\"; balance = \"maglev\"; maglev_size = 251;\n"
		"\t  check = { type = \"tcp\"; inter_ms = 3000; port = 8080; };\n"
		"\t  servers = ( { name = \"a\"; address = \"10.1.0.3\"; },\n"
		"\t\t{ name = \"b\"; address = \"192.168.7.7\"; check = false; } ); }\n"
		");\n"
		"services = (\n"
		"\t{ name = \"s\"; vip = \"10.0.0.10\"; port = \"8000-8099\"; backend = "
		"\"checked\";\n"
		"\t  timeouts = { syn_ms = 1000; }; },\n"
		"\t{ name = \"d\"; vip = \"10.0.0.10\"; port = 80; mode = \"dsr\"; backend = "
		"\"plain\"; },\n"
		"\t{ name = \"u\"; vip = \"10.0.0.10\"; protocol = \"udp\"; port = 80; backend = "
		"\"plain\"; },\n"
		"\t{ name = \"p\"; vip = \"10.1.0.100\"; port = 443; mode = \"tcp\"; backend = "
		"\"checked\";\n"
		"\t  local_addresses = [ \"10.1.0.5\", \"10.1.0.6\" ]; }\n"
		");\n"
		"stick_tables = ( { name = \"t\"; } );\n");
	const struct weir_conf_backend *b;
	const struct weir_conf_service *s;

	(void)state;
	b = &c->backends[0];
	assert_int_equal(b->balance, WEIR_BALANCE_ROUNDROBIN);
	assert_int_equal(b->maglev_size, 65537);
	assert_int_equal(b->all_down, WEIR_ALL_DOWN_DROP);
	assert_int_equal(b->check.type, WEIR_CHECK_NONE);
	assert_int_equal(b->line, 5);
	assert_int_equal(b->servers[0].port, 0);
	assert_int_equal(b->servers[0].weight, 1);
	assert_int_equal(b->servers[0].maxconn, 0);
	assert_false(b->servers[0].backup);
	assert_false(b->servers[0].check);
	assert_int_equal(b->servers[0].line, 5);
	b = &c->backends[1];
	assert_int_equal(b->balance, WEIR_BALANCE_MAGLEV);
	assert_int_equal(b->maglev_size, 251);
	assert_int_equal(b->check.type, WEIR_CHECK_TCP);
	assert_int_equal(b->check.inter_ms, 3000);
	assert_int_equal(b->check.fastinter_ms, 3000);
	assert_int_equal(b->check.downinter_ms, 3000);
	assert_int_equal(b->check.timeout_ms, 1000);
	assert_int_equal(b->check.rise, 2);
	assert_int_equal(b->check.fall, 3);
	assert_int_equal(b->check.port, 8080);
	assert_true(b->servers[0].check);
	assert_false(b->servers[1].check);
	assert_int_equal(b->servers[1].addr, A("192.168.7.7"));

	s = &c->services[0];
	assert_int_equal(s->proto, WEIR_PROTO_TCP);
	assert_int_equal(s->mode, WEIR_MODE_NAT);
	assert_int_equal(s->port_min, 8000);
	assert_int_equal(s->port_max, 8099);
	assert_int_equal(s->backend, 1);
	assert_int_equal(s->iface, 0);
	assert_int_equal(s->nb_laddrs, 0);
	assert_int_equal(s->timeouts.syn_ms, 1000);
	assert_int_equal(s->timeouts.udp_ms, 7000);
	assert_int_equal(s->timeouts.established_ms, 900000);
	assert_int_equal(s->line, 12);
	s = &c->services[1];
	assert_int_equal(s->mode, WEIR_MODE_DSR);
	assert_int_equal(s->timeouts.syn_ms, 5000);
	assert_int_equal(c->services[2].proto, WEIR_PROTO_UDP);
	s = &c->services[3];
	assert_int_equal(s->mode, WEIR_MODE_TCP);
	assert_int_equal(s->iface, 1);
	assert_int_equal(s->nb_laddrs, 2);
	assert_int_equal(s->laddrs[0], A("10.1.0.5"));
	assert_int_equal(s->laddrs[1], A("10.1.0.6"));
	assert_int_equal(c->stick_tables[0].size, 65536);
	assert_int_equal(c->stick_tables[0].expire_ms, 60000);
	weir_conf_free(c);
}

/* Accepted spellings: PCI short form, int64 and hex integers, octal modes, vdev args. */
static void test_valid_forms(void **state)
{
	struct weir_conf *c = load_ok(
		"interfaces = (\n"
		"\t{ name = \"a\"; device = \"03:00.0\"; address = \"10.0.0.1/32\"; mtu = 0x5DC; "
		"},\n"
		"\t{ name = \"b.2\"; device = \"0000:03:00.1\"; address = \"10.0.0.2/31\"; },\n"
		"\t{ name = \"c_3\"; device = \"net_pcap12,rx_pcap=/tmp/in.pcap\"; address = "
		"\"172.16.0.1/12\"; rx_desc = 64; tx_desc = 16384; },\n"
		"\t{ name = \"9-d\"; device = \"net_tap0\"; address = \"0.0.0.1/8\"; }\n"
		");\n"
		"global = { workers = 2L; cpus = { workers = [ 3, 3 ]; };\n"
		"\truntime = { mode = \"755\"; socket = \"weir.sock\"; }; log_level = \"debug\";\n"
		"\tpoll = \"adaptive\"; hugepages = \"off\"; file_prefix = \"weir-2\";\n"
		"\tunmatched = \"drop\"; };\n");

	(void)state;
	assert_true(c->ifaces[0].is_pci);
	assert_int_equal(c->ifaces[0].mtu, 1500);
	assert_int_equal(c->ifaces[0].prefixlen, 32);
	assert_true(c->ifaces[1].is_pci);
	assert_false(c->ifaces[2].is_pci);
	assert_int_equal(c->ifaces[2].rx_desc, 64);
	assert_int_equal(c->ifaces[2].tx_desc, 16384);
	assert_int_equal(c->global.workers, 2);
	assert_int_equal(c->global.worker_cpus[1], 3);
	assert_int_equal(c->global.runtime_mode, 0755);
	assert_string_equal(c->global.runtime_socket, "weir.sock");
	assert_string_equal(c->global.log_level, "debug");
	assert_int_equal(c->global.poll_mode, WEIR_POLL_ADAPTIVE);
	assert_int_equal(c->global.unmatched, WEIR_UNMATCHED_DROP);
	assert_int_equal(c->global.hugepages, WEIR_HUGEPAGES_OFF);
	assert_string_equal(c->global.file_prefix, "weir-2");
	assert_int_equal(weir_conf_iface_for(c, A("10.0.0.1")), 0);
	assert_int_equal(weir_conf_iface_for(c, A("10.0.0.3")), 1);
	assert_int_equal(weir_conf_iface_for(c, A("172.31.255.255")), 2);
	assert_int_equal(weir_conf_iface_for(c, A("0.255.0.0")), 3);
	weir_conf_free(c);
}

/* Servers behind the gateway are fine outside dsr; a dsr service keeps ports as asked. */
static void test_valid_routing(void **state)
{
	struct weir_conf *c = load_ok(
		IFACES
		"backends = ( { name = \"far\"; servers = ( { name = \"x\"; address = "
		"\"192.168.0.5\"; port = 8080; } ); },\n"
		"\t{ name = \"near\"; servers = ( { name = \"y\"; address = \"10.1.0.7\"; "
		"port = 53; }, { name = \"z\"; address = \"10.1.0.8\"; } ); } );\n"
		"services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = \"far\"; "
		"},\n"
		"\t{ name = \"b\"; vip = \"10.0.0.10\"; port = 53; mode = \"dsr\"; protocol = "
		"\"udp\"; backend = \"near\"; },\n"
		"\t{ name = \"c\"; vip = \"10.0.0.10\"; port = \"81-90\"; backend = \"far\"; },\n"
		"\t{ name = \"d\"; vip = \"10.0.0.11\"; port = \"80-90\"; backend = \"far\"; } "
		");\n");

	(void)state;
	assert_int_equal(c->nb_services, 4);
	assert_int_equal(c->services[1].backend, 1);
	weir_conf_free(c);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(weir_balance_name(WEIR_BALANCE_ROUNDROBIN), "roundrobin");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_WRR), "wrr");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_LEASTCONN), "leastconn");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_RANDOM), "random");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_SOURCE), "source");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_MAGLEV), "maglev");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_LEASTTIME), "leasttime");
	assert_string_equal(weir_balance_name(WEIR_BALANCE_MAX), "unknown");
	assert_string_equal(weir_mode_name(WEIR_MODE_NAT), "nat");
	assert_string_equal(weir_mode_name(WEIR_MODE_DSR), "dsr");
	assert_string_equal(weir_mode_name(WEIR_MODE_TCP), "tcp");
	assert_string_equal(weir_proto_name(WEIR_PROTO_TCP), "tcp");
	assert_string_equal(weir_proto_name(WEIR_PROTO_UDP), "udp");
	assert_string_equal(weir_proto_name((enum weir_proto)1), "unknown");
}

/* ---- files ----------------------------------------------------------------------------- */

static void test_unreadable(void **state)
{
	(void)state;
	expect_load(
		DATA "does-not-exist.conf",
		(const char *const[]){
			DATA "does-not-exist.conf: cannot read: No such file or directory", NULL });
	expect_load("tests/unit/data",
		    (const char *const[]){ "tests/unit/data: cannot read: Is a directory", NULL });
	expect_load("/dev/zero", (const char *const[]){ "/dev/zero: larger than 16 MiB", NULL });
}

static void test_long_path(void **state)
{
	char name[WEIR_PATH_MAX + 8], want[WEIR_PATH_MAX + 64];

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(want, sizeof(want), "%s: path longer than 255 characters", name);
	assert_null(weir_conf_load_string("", name, NULL));
	{
		struct weir_conf_errors errs;

		assert_null(weir_conf_load_string(IFACES, name, &errs));
		assert_errors(&errs, (const char *const[]){ want, NULL });
		weir_conf_errors_clear(&errs);
	}
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_text("interfaces = (\n\t{ name = \"c\";\n\t  device = ;\n",
		    (const char *const[]){ "t.conf:3: syntax error", NULL });
	expect_text("global = { workers = };\n",
		    (const char *const[]){ "t.conf:1: syntax error", NULL });
	expect_text("a = 1; a = 2;\n",
		    (const char *const[]){ "t.conf:1: duplicate setting name", NULL });
}

static void test_nul_byte(void **state)
{
	char path[] = "/tmp/weir-test-conf-XXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "global = {\n\tworkers = 1;\0\n};\n";
	char want[96];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	snprintf(want, sizeof(want), "%s:2: NUL byte in the file", path);
	expect_load(path, (const char *const[]){ want, NULL });
	unlink(path);
}

static void test_include_ok(void **state)
{
	struct weir_conf_errors errs;
	struct weir_conf *c = weir_conf_load(DATA "include-ok.conf", &errs);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->nb_ifaces, 2);
	assert_int_equal(c->ifaces[0].line, 4); /* its line in include/ifaces.conf */
	assert_int_equal(c->nb_backends, 1);
	assert_int_equal(c->services[0].backend, 0);
	assert_int_equal(c->services[0].line, 5);
	weir_conf_free(c);

	/* load_string looks includes up next to the name it is given */
	c = weir_conf_load_string("@include \"include/ifaces.conf\"\n", DATA "inline.conf", &errs);
	assert_non_null(c);
	assert_int_equal(c->nb_ifaces, 2);
	weir_conf_free(c);
	expect_text("@include \"include/ifaces.conf\"\n",
		    (const char *const[]){ "t.conf:1: cannot open include file", NULL });
}

static void test_include_errors(void **state)
{
	(void)state;
	expect_load(DATA "include-errors.conf",
		    (const char *const[]){
			    DATA "include-errors.conf:3: global.workers: 0 is out of range (1..64)",
			    DATA "include-errors.conf:6: service 'http': backend 'webx' is not "
				 "defined",
			    DATA
			    "include/bad-backends.conf:4: backend 'web': balance: 'fastest' is "
			    "not one of roundrobin, wrr, leastconn, random, source, maglev, "
			    "leasttime",
			    DATA "include/bad-backends.conf:5: server 'web/s1': weight: 300 is out "
				 "of range (0..256)",
			    DATA "include/bad-backends.conf:5: duplicate backend name 'web' (first "
				 "at line 4)",
			    NULL });
	expect_load(DATA "include-syntax.conf",
		    (const char *const[]){ DATA "include/broken.conf:3: syntax error", NULL });
	expect_load(DATA "include-missing.conf",
		    (const char *const[]){ DATA "include-missing.conf:3: cannot open include file",
					   NULL });
}

/* A duplicate whose first definition is in another file names that file. */
static void test_include_duplicate(void **state)
{
	struct weir_conf_errors errs;

	(void)state;
	assert_null(weir_conf_load_string(
		"interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.1.0.1/24\"; "
		"} );\n"
		"backends = (\n"
		"@include \"include/one-backend.conf\"\n"
		", { name = \"web\"; servers = ( { name = \"s1\"; address = \"10.1.0.12\"; } ); }\n"
		");\n",
		DATA "inline.conf", &errs));
	assert_errors(&errs,
		      (const char *const[]){
			      DATA "inline.conf:4: duplicate backend name 'web' (first at " DATA
				   "include/one-backend.conf:3)",
			      NULL });
	weir_conf_errors_clear(&errs);
}

/* An integer libconfig cannot hold is reported each time its file is included. */
static void test_include_twice(void **state)
{
	struct weir_conf_errors errs;

	(void)state;
	assert_null(weir_conf_load_string("interfaces = ( { name = \"c\"; device = \"net_null0\"; "
					  "address = \"10.1.0.1/24\"; } );\n"
					  "backends = ( { name = \"a\"; servers = (\n"
					  "@include \"include/wide-server.conf\"\n"
					  "\t); },\n"
					  "\t{ name = \"b\"; servers = (\n"
					  "@include \"include/wide-server.conf\"\n"
					  "\t); } );\n",
					  DATA "inline.conf", &errs));
	assert_errors(&errs,
		      (const char *const[]){
			      DATA "include/wide-server.conf:3: server 'a/w': weight: 4294967297 "
				   "is out of range (0..256)",
			      DATA "include/wide-server.conf:3: server 'b/w': weight: 4294967297 "
				   "is out of range (0..256)",
			      NULL });
	weir_conf_errors_clear(&errs);
}

/* More errors than WEIR_CONF_MAX_ERR: the first ones in file order are kept. */
static void test_too_many_errors(void **state)
{
	size_t cap = 8192, len;
	char *text = malloc(cap);
	struct weir_conf_errors errs;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", IFACES);
	for (int i = 0; i < WEIR_CONF_MAX_ERR + 6; i++)
		len += (size_t)snprintf(text + len, cap - len, "k%d = 1;\n", i);
	assert_null(weir_conf_load_string(text, "t.conf", &errs));
	assert_int_equal(errs.count, WEIR_CONF_MAX_ERR);
	assert_int_equal(errs.dropped, 6);
	assert_string_equal(errs.msg[0], "t.conf:3: unknown key 'k0'");
	assert_string_equal(errs.msg[WEIR_CONF_MAX_ERR - 1], "t.conf:66: unknown key 'k63'");
	weir_conf_errors_clear(&errs);
	assert_int_equal(errs.count, 0);
	/* the errors are optional */
	assert_null(weir_conf_load_string(text, "t.conf", NULL));
	free(text);
}

/*
 * More interfaces than the model holds (an error) and a neighbour on one of the extra
 * ones: its interface is found among those parsed (not read past the 16 the model
 * keeps), and the one error is the count.
 */
static void test_many_ifaces_with_neighbour(void **state)
{
	static char text[4096];
	size_t off = 0;

	(void)state;
	off += (size_t)snprintf(text + off, sizeof(text) - off, "interfaces = (\n");
	for (int i = 1; i <= 17; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"{ name = \"i%d\"; device = \"net_null%d\"; address = "
					"\"10.%d.0.1/24\"; }%s\n",
					i, i, i, i < 17 ? "," : "");
	snprintf(text + off, sizeof(text) - off,
		 ");\nneighbours = ( { interface = \"i17\"; address = \"10.17.0.5\"; mac = "
		 "\"02:00:00:00:00:01\"; } );\n");
	expect_text(text, (const char *const[]){ "t.conf:1: interfaces: 17 entries, expected 1..16",
						 NULL });
}

/* More than 16 services on one VIP: refused by the loader (the dataplane keeps 16 per VIP). */
static void test_services_per_vip(void **state)
{
	static char text[8192];
	size_t off = 0;

	(void)state;
	off += (size_t)snprintf(text + off, sizeof(text) - off, IFACES WEB "services = (\n");
	for (int i = 1; i <= 17; i++)
		off += (size_t)snprintf(
			text + off, sizeof(text) - off,
			"{ name = \"s%d\"; vip = \"10.0.0.10\"; port = %d; backend = "
			"\"web\"; }%s\n",
			i, 1000 + i, i < 17 ? "," : "");
	snprintf(text + off, sizeof(text) - off, ");\n");
	expect_text(text, (const char *const[]){ "t.conf:21: service 's17': vip 10.0.0.10 has "
						 "more than 16 services",
						 NULL });
}

/*
 * An address Weir answers ARP for is not another host's nor of another role: a local
 * address that is a VIP would turn server replies into client traffic (fwd.c routes by
 * the address's kind); one that is the gateway or a server would take that host's
 * address over.
 */
static void test_address_conflicts(void **state)
{
	(void)state;
	expect_text(IFACES WEB
		    "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
		    "\"web\"; },\n"
		    "\t{ name = \"b\"; vip = \"10.0.0.11\"; port = 80; backend = \"web\"; "
		    "local_addresses = [ \"10.0.0.10\" ]; } );\n",
		    (const char *const[]){ "t.conf:5: service 'b': local_addresses: 10.0.0.10 is "
					   "the vip of service 'a'",
					   NULL });
	expect_text(IFACES WEB
		    "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
		    "\"web\"; local_addresses = [ \"10.0.0.10\" ]; } );\n",
		    (const char *const[]){ "t.conf:4: service 'a': local_addresses: 10.0.0.10 is "
					   "the vip of service 'a'",
					   NULL });
	expect_text(IFACES WEB
		    "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
		    "\"web\"; local_addresses = [ \"10.0.0.254\" ]; } );\n",
		    (const char *const[]){ "t.conf:4: service 'a': local_addresses: 10.0.0.254 is "
					   "the gateway of interface 'client'",
					   NULL });
	expect_text(IFACES WEB
		    "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
		    "\"web\"; local_addresses = [ \"10.1.0.11\" ]; } );\n",
		    (const char *const[]){ "t.conf:4: service 'a': local_addresses: 10.1.0.11 is "
					   "the address of server 'web/s1'",
					   NULL });
	expect_text(IFACES WEB "services = ( { name = \"a\"; vip = \"10.1.0.11\"; port = 80; "
			       "backend = \"web\"; } );\n",
		    (const char *const[]){ "t.conf:4: service 'a': vip 10.1.0.11 is the address of "
					   "server 'web/s1'",
					   NULL });
}

/* More than 64 addresses for one interface to answer ARP for: refused by the loader. */
static void test_addresses_per_interface(void **state)
{
	static char text[16384];
	size_t off = 0;

	(void)state;
	off += (size_t)snprintf(text + off, sizeof(text) - off, IFACES WEB "services = (\n");
	for (int i = 1; i <= 64; i++)
		off += (size_t)snprintf(
			text + off, sizeof(text) - off,
			"{ name = \"s%d\"; vip = \"10.0.0.%d\"; port = 80; backend = "
			"\"web\"; }%s\n",
			i, 10 + i, i < 64 ? "," : "");
	snprintf(text + off, sizeof(text) - off, ");\n");
	expect_text(text, (const char *const[]){ "t.conf:1: interface 'client': more than 64 "
						 "addresses to answer ARP for (its own, VIPs "
						 "and local addresses in its subnet)",
						 NULL });
	/* 63 VIPs and its own address: 64, accepted. */
	off = (size_t)(strstr(text, "{ name = \"s64\"") - text);
	memcpy(text + off - 2, "\n);\n", 5);
	weir_conf_free(load_ok(text));
}

/* Four interfaces: the client side, and three server-side subnets 10.1-3.0.0/24; lines 1-4. */
#define IFACES4                                                                                   \
	"interfaces = ( { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; " \
	"gateway = \"10.0.0.254\"; },\n"                                                          \
	"\t{ name = \"l1\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; },\n"              \
	"\t{ name = \"l2\"; device = \"net_null2\"; address = \"10.2.0.1/24\"; },\n"              \
	"\t{ name = \"l3\"; device = \"net_null3\"; address = \"10.3.0.1/24\"; } );\n"

/*
 * Services s1..s@nb with 16 local addresses each, spread over l1..l3, one service a line
 * from line 7 on (after IFACES4 and WEB); @last_default: one more service, without
 * local addresses, whose default is l1's address 10.1.0.1.
 */
static void laddr_services(char *text, size_t cap, int nb, bool last_default)
{
	size_t off = (size_t)snprintf(text, cap, IFACES4 WEB "services = (\n");

	for (int s = 0; s < nb; s++) {
		off += (size_t)snprintf(
			text + off, cap - off,
			"{ name = \"s%d\"; vip = \"10.0.0.10\"; port = %d; backend = "
			"\"web\"; local_addresses = [ ",
			s + 1, 1000 + s);
		for (int k = 0; k < 16; k++)
			off += (size_t)snprintf(text + off, cap - off, "\"10.%d.0.%d\"%s",
						1 + s % 3, 100 + s / 3 * 16 + k,
						k < 15 ? ", " : "");
		off += (size_t)snprintf(text + off, cap - off, " ]; }%s\n",
					s + 1 < nb || last_default ? "," : "");
	}
	if (last_default)
		off += (size_t)snprintf(text + off, cap - off,
					"{ name = \"d\"; vip = \"10.0.0.11\"; port = 80; backend = "
					"\"web\"; }\n");
	snprintf(text + off, cap - off, ");\n");
}

/*
 * The dataplane holds 128 local addresses of all services (l4/lb.h), and refused more
 * only at start ("cannot set up load balancing"). The loader refuses the first one over,
 * at its line; a service's default address (its server-side interface's) counts too.
 */
static void test_local_addresses_in_all(void **state)
{
	static char text[32768];

	(void)state;
	/* 8 services of 16: 128 addresses, accepted. */
	laddr_services(text, sizeof(text), 8, false);
	weir_conf_free(load_ok(text));
	/* The 129th is the first address of service 9, on line 15. */
	laddr_services(text, sizeof(text), 9, false);
	expect_text(text, (const char *const[]){ "t.conf:15: service 's9': local_addresses: "
						 "10.3.0.132 is one more than the 128 local "
						 "addresses all services may have",
						 NULL });
	/* 128 given ones and the default one of service 'd' (10.1.0.1 of l1). */
	laddr_services(text, sizeof(text), 8, true);
	expect_text(text, (const char *const[]){ "t.conf:15: service 'd': its default local "
						 "address 10.1.0.1 is one more than the 128 "
						 "local addresses all services may have",
						 NULL });
}

/*
 * Static neighbours on "servers" at @addrs (host order, @n of them) with max_entries
 * @max; the neighbours list starts on line 4, one a line from line 5 on.
 */
static void neighbours_text(char *text, size_t cap, uint32_t max, const uint32_t *addrs,
			    unsigned int n)
{
	size_t off = (size_t)snprintf(
		text, cap,
		"global = { neigh = { max_entries = %u; }; };\n" IFACES "neighbours = (\n", max);

	for (unsigned int i = 0; i < n; i++)
		off += (size_t)snprintf(
			text + off, cap - off,
			"{ interface = \"servers\"; address = \"10.1.%u.%u\"; mac = "
			"\"02:00:00:00:%02x:%02x\"; }%s\n",
			addrs[i] >> 8 & 0xff, addrs[i] & 0xff, addrs[i] >> 8 & 0xff,
			addrs[i] & 0xff, i + 1 < n ? "," : "");
	snprintf(text + off, cap - off, ");\n");
}

/*
 * Static neighbours the table cannot hold were left out at start with a warning ("no
 * room for the static neighbour of line N"). The loader refuses the first that would
 * be: one beyond max_entries, or one whose bucket of 8 is full of earlier ones (64
 * addresses of a /24 fill 8 buckets unevenly: 10.1.0.61 is the first over).
 */
static void test_neighbours_beyond_table(void **state)
{
	static char text[65536];
	uint32_t addrs[256], nb;
	uint8_t fill[16] = { 0 };

	(void)state;
	for (nb = 0; nb < 64; nb++)
		addrs[nb] = 0x0a010002 + nb; /* 10.1.0.2 .. 10.1.0.65 */
	neighbours_text(text, sizeof(text), 64, addrs, 64);
	expect_text(text, (const char *const[]){ "t.conf:64: neighbour #60: no room for "
						 "10.1.0.61 in the neighbour table: its bucket "
						 "is full of 8 static neighbours before it "
						 "(raise global.neigh.max_entries, 64 now)",
						 NULL });
	/* The same 64 fit a table of 256 entries. */
	neighbours_text(text, sizeof(text), 256, addrs, 64);
	weir_conf_free(load_ok(text));

	/* 100 addresses that fill no bucket of a 100-entry table (16 buckets), then one more. */
	nb = 0;
	for (uint32_t a = 0x0a010002; nb < 101; a++) {
		uint32_t b = weir_neigh_bucket(a, weir_neigh_nb_buckets(100));

		if (fill[b] < WEIR_NEIGH_WAYS) {
			fill[b]++;
			addrs[nb++] = a;
		}
	}
	neighbours_text(text, sizeof(text), 100, addrs, 100);
	weir_conf_free(load_ok(text));
	neighbours_text(text, sizeof(text), 100, addrs, 101);
	expect_text(text, (const char *const[]){ "t.conf:105: neighbour #101: more static "
						 "neighbours than global.neigh.max_entries (100)",
						 NULL });
}

/*
 * @n static neighbours on interface @iface (subnet 10.@net.0.0/24), in a table of 64
 * entries (8 buckets of 8), each in the bucket of @like (host order) but not @like
 * itself, after the interfaces @ifaces (two lines): lines 4 to 3 + @n, ")" at 4 + @n.
 */
static void watched_text(char *text, size_t cap, const char *ifaces, const char *iface,
			 unsigned int net, uint32_t like, unsigned int n)
{
	uint32_t want = weir_neigh_bucket(like, weir_neigh_nb_buckets(64));
	size_t off = (size_t)snprintf(text, cap,
				      "global = { neigh = { max_entries = 64; }; };\n%s"
				      "neighbours = (\n",
				      ifaces);
	unsigned int i = 0;

	for (uint32_t a = (10u << 24 | net << 16) + 2; i < n; a++) {
		if (a == like || weir_neigh_bucket(a, weir_neigh_nb_buckets(64)) != want)
			continue;
		off += (size_t)snprintf(text + off, cap - off,
					"{ interface = \"%s\"; address = \"10.%u.0.%u\"; mac = "
					"\"02:00:00:00:00:%02x\"; }%s\n",
					iface, net, a & 0xff, a & 0xff, ++i < n ? "," : "");
	}
	snprintf(text + off, cap - off, ");\n");
}

/*
 * The gateway and the servers' next hops are watched at start and, like static
 * neighbours, never evicted: one whose bucket is full of those before it could never
 * be resolved, and its server stayed down with nothing said. The loader refuses it.
 */
static void test_watched_neighbours_room(void **state)
{
	static char text[8192];
	size_t len;

	(void)state;
	/* Eight static neighbours in the bucket of server 10.1.0.11: no room for it. */
	watched_text(text, sizeof(text), IFACES_NOGW, "servers", 1, 0x0a01000b, 8);
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len, WEB);
	expect_text(text, (const char *const[]){ "t.conf:14: server 'web/s1': no room for its "
						 "next hop 10.1.0.11 in the neighbour table: "
						 "its bucket is full of 8 static or watched "
						 "neighbours before it (raise "
						 "global.neigh.max_entries, 64 now)",
						 NULL });
	/* Seven leave it room. */
	watched_text(text, sizeof(text), IFACES_NOGW, "servers", 1, 0x0a01000b, 7);
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len, WEB);
	weir_conf_free(load_ok(text));
	/* Eight in the bucket of the gateway 10.0.0.254. */
	watched_text(text, sizeof(text), IFACES, "client", 0, 0x0a0000fe, 8);
	expect_text(text, (const char *const[]){ "t.conf:2: interface 'client': no room for "
						 "gateway 10.0.0.254 in the neighbour table: its "
						 "bucket is full of 8 static neighbours (raise "
						 "global.neigh.max_entries, 64 now)",
						 NULL });
}

/* A TCP-proxy service on backend "web"; one line. */
#define PROXY                                                                                     \
	"services = ( { name = \"p\"; vip = \"10.0.0.10\"; port = 80; mode = \"tcp\"; backend = " \
	"\"web\"; } );\n"

/*
 * A config whose tables do not fit global.memory_mb passed the loader and failed at
 * start ("cannot create the TCP stack"): with one tcp service, 4 workers of the default
 * flows and connections need about 608 MiB of the default 512. The loader refuses it at
 * memory_mb, or at the global group when memory_mb is left at its default.
 */
static void test_memory(void **state)
{
	(void)state;
	expect_text("global = { workers = 4; };\n" IFACES WEB PROXY,
		    (const char *const[]){ "t.conf:1: global.memory_mb: 512 MiB (the default) is "
					   "less than the config needs, about 608 MiB: 4 workers "
					   "x 142 MiB (flows = 262144: 57 MiB, tcp.max_connections "
					   "= 65536: 85 MiB), mbufs = 16383: 38 MiB",
					   NULL });
	weir_conf_free(load_ok("global = { workers = 3; };\n" IFACES WEB PROXY));
	weir_conf_free(load_ok("global = { workers = 4; memory_mb = 640; };\n" IFACES WEB PROXY));
	/* Without a tcp service the flows alone: 4 x 1048576 of them. */
	expect_text(
		"global = {\n\tworkers = 4;\n\tflows = 1048576;\n\tmemory_mb = 512;\n};\n" IFACES
			WEB,
		(const char *const[]){ "t.conf:4: global.memory_mb: 512 MiB is less than the "
				       "config needs, about 951 MiB: 4 workers x 228 MiB (flows "
				       "= 1048576: 228 MiB), mbufs = 16383: 38 MiB",
				       NULL });
	weir_conf_free(load_ok(
		"global = { workers = 4; flows = 1048576; memory_mb = 960; };\n" IFACES WEB));
}

/* Every config shipped in configs/ and configs/examples/ loads without an error. */
static void test_shipped_configs(void **state)
{
	static const char *const dirs[] = { "configs", "configs/examples" };
	unsigned int seen = 0;

	(void)state;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;

		assert_non_null(dir);
		while ((de = readdir(dir)) != NULL) {
			size_t n = strlen(de->d_name);
			struct weir_conf_errors errs;
			struct weir_conf *c;
			char path[512];

			if (n < 5 || strcmp(de->d_name + n - 5, ".conf") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
			c = weir_conf_load(path, &errs);
			if (c == NULL)
				for (unsigned int i = 0; i < errs.count; i++)
					print_message("%s\n", errs.msg[i]);
			assert_non_null(c);
			weir_conf_free(c);
			weir_conf_errors_clear(&errs);
			seen++;
		}
		closedir(dir);
	}
	assert_true(seen >= 6); /* reference, demo and the four examples */
}

/*
 * Loads a file whose @include names a directory, in a child process: libconfig's flex
 * scanner would meet a read error there and call exit(2) from inside the library. The
 * loader refuses it first, with the line.
 */
static void include_dir_case(const char *inc)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[64];
	int st = -1;
	pid_t pid;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, IFACES "@include \"%s\"\n", inc);
	fclose(f);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct weir_conf_errors errs;
		struct weir_conf *c = weir_conf_load(path, &errs);

		_exit(c == NULL && errs.count == 1 && strstr(errs.msg[0], "main.conf:3: ") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(path);
	rmdir(dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		print_message("@include \"%s\": the load ended its process (status 0x%x), or gave "
			      "no \"main.conf:3: ...\" message\n",
			      inc, st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_include_directory(void **state)
{
	(void)state;
	include_dir_case("");
	include_dir_case(".");
}

/* An included file has the main file's size limit (libconfig reads it in quadratic time). */
static void test_include_too_large(void **state)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[64], inc[64];
	struct weir_conf_errors errs;
	static char line[1 << 16];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	snprintf(inc, sizeof(inc), "%s/big.conf", dir);
	f = fopen(inc, "w");
	assert_non_null(f);
	memset(line, '#', sizeof(line) - 1);
	for (int i = 0; i < 17 * 16; i++)
		fputs(line, f);
	fclose(f);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, IFACES "@include \"big.conf\"\n");
	fclose(f);
	assert_null(weir_conf_load(path, &errs));
	unlink(inc);
	unlink(path);
	rmdir(dir);
	assert_int_equal(errs.count, 1);
	assert_non_null(
		strstr(errs.msg[0], "main.conf:3: @include \"big.conf\": larger than 16 MiB"));
	weir_conf_errors_clear(&errs);
}

/* More servers in all than a flow can name (16 bits): refused, not wrapped. */
static void test_too_many_servers(void **state)
{
	const unsigned int per = WEIR_MAX_SERVERS, nb = WEIR_MAX_SERVERS_ALL / per + 1;
	size_t cap = (size_t)per * nb * 48 + 4096, len;
	char *text = malloc(cap), want[128];

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%sbackends = (\n", IFACES);
	for (unsigned int b = 0; b < nb; b++) {
		len += (size_t)snprintf(text + len, cap - len, "{ name = \"b%u\"; servers = (", b);
		for (unsigned int i = 0; i < per; i++)
			len += (size_t)snprintf(text + len, cap - len,
						"{ name = \"s%u\"; address = \"10.1.0.11\"; }%s", i,
						i + 1 < per ? "," : "");
		len += (size_t)snprintf(text + len, cap - len, "); }%s\n", b + 1 < nb ? "," : "");
	}
	snprintf(text + len, cap - len, ");\n");
	snprintf(want, sizeof(want), "t.conf:3: backends: %u servers in all, expected at most %u",
		 per * nb, WEIR_MAX_SERVERS_ALL);
	expect_text(text, (const char *const[]){ want, NULL });
	free(text);
}

/* Lists beyond their maximum, and strings beyond a length limit. */
static void test_limits(void **state)
{
	size_t cap = 8192, len;
	char *text = malloc(cap);
	char longdev[301], want[512];

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "interfaces = (\n");
	for (int i = 0; i < WEIR_MAX_IFACES + 1; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"{ name = \"i%d\"; device = \"net_null%d\"; address = "
					"\"10.%d.0.1/24\"; }%s\n",
					i, i, i, i < WEIR_MAX_IFACES ? "," : "");
	snprintf(text + len, cap - len, ");\n");
	expect_text(text, (const char *const[]){ "t.conf:1: interfaces: 17 entries, expected 1..16",
						 NULL });

	memset(longdev, 'a', sizeof(longdev) - 1);
	memcpy(longdev, "net_null0,", 10);
	longdev[sizeof(longdev) - 1] = '\0';
	snprintf(text, cap,
		 "interfaces = ( { name = \"c\"; device = \"%s\"; address = \"10.0.0.1/24\"; } );\n"
		 "global = { runtime = { socket = \"/%0150d\"; }; };\n",
		 longdev, 0);
	snprintf(want, sizeof(want), "t.conf:2: global.runtime.socket: longer than 107 characters");
	expect_text(text, (const char *const[]){
				  "t.conf:1: interface 'c': device: longer than 255 characters",
				  want, NULL });

	len = (size_t)snprintf(text, cap,
			       IFACES WEB "services = ( { name = \"s\"; vip = "
					  "\"10.0.0.10\"; port = 80; backend = \"web\";\n"
					  "\tlocal_addresses = [ ");
	for (int i = 0; i < WEIR_MAX_LADDRS + 1; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\"10.1.0.%d\"", i ? ", " : "",
					100 + i);
	snprintf(text + len, cap - len, " ]; } );\n");
	expect_text(text,
		    (const char *const[]){
			    "t.conf:5: service 's': local_addresses: 17 entries, expected 1..16",
			    NULL });
	free(text);
}

/* ---- bad configurations, each with every message it must give ------------------------ */

struct bad_case {
	const char *name;
	const char *text;
	const char *want[16];
};

static const struct bad_case bad_cases[] = {
	/* structure */
	{ "empty file", "", { "t.conf: missing required key 'interfaces'" } },
	{ "missing interfaces",
	  "global = { workers = 2; };\n",
	  { "t.conf: missing required key 'interfaces'" } },
	{ "unknown top-level key",
	  IFACES "servics = ();\n",
	  { "t.conf:3: unknown key 'servics'" } },
	{ "unknown key in global",
	  IFACES "global = {\n\twokers = 2;\n};\n",
	  { "t.conf:4: unknown key 'wokers' in global" } },
	{ "unknown keys in global groups",
	  IFACES "global = {\n\tneigh = { x = 1; };\n\tcpus = { y = 1; };\n"
		 "\truntime = { z = 1; };\n\ttimeouts = { tcp_ms = 1; };\n};\n",
	  { "t.conf:4: unknown key 'x' in global.neigh", "t.conf:5: unknown key 'y' in global.cpus",
	    "t.conf:6: unknown key 'z' in global.runtime",
	    "t.conf:7: unknown key 'tcp_ms' in global.timeouts" } },
	{ "unknown key in interface",
	  "interfaces = ( { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\tx = 1; } );\n",
	  { "t.conf:2: unknown key 'x' in interface 'client'" } },
	{ "unknown keys in backend, check and server",
	  IFACES "backends = ( {\n\tname = \"web\";\n\tcheck = { type = \"tcp\"; interval = 5; };\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; wieght = 2; } );\n"
		 "\tx = 1;\n} );\n",
	  { "t.conf:5: unknown key 'interval' in check of backend 'web'",
	    "t.conf:6: unknown key 'wieght' in server 'web/s1'",
	    "t.conf:7: unknown key 'x' in backend 'web'" } },
	{ "unknown keys in service and its timeouts",
	  IFACES WEB "services = ( {\n\tname = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\";\n\ttimeouts = { est_ms = 5; };\n\tx = 1;\n} );\n",
	  { "t.conf:6: unknown key 'est_ms' in timeouts of service 'http'",
	    "t.conf:7: unknown key 'x' in service 'http'" } },
	{ "unknown key in stick table",
	  IFACES "stick_tables = ( { name = \"t\"; ttl = 5; } );\n",
	  { "t.conf:3: unknown key 'ttl' in stick table 't'" } },
	{ "tcp and fault settings",
	  "interfaces = ( { name = \"a\"; device = \"net_tap0\"; address = \"10.0.0.1/24\";\n"
	  "\tfault = { drop = 5.5; reorder = 101; duplicate = \"x\"; jitter = 1; }; } );\n"
	  "global = { tcp = { syncookies = \"sometimes\"; rcvbuf = 100; nagle = true;\n"
	  "\trto_min_ms = 5000; rto_max_ms = 1000; }; timeouts = { connect_ms = 1; }; };\n",
	  { "t.conf:2: unknown key 'jitter' in fault of interface 'a'",
	    "t.conf:2: interface 'a': fault.reorder: 101 is out of range (0..100, a percentage)",
	    "t.conf:2: interface 'a': fault.duplicate: expected a number (a percentage)",
	    "t.conf:3: unknown key 'nagle' in global.tcp",
	    "t.conf:3: global.tcp.syncookies: 'sometimes' is not one of auto, always, never",
	    "t.conf:3: global.tcp.rcvbuf: 100 is out of range (4096..67108864)",
	    "t.conf:3: global.tcp: rto_min_ms 5000 is above rto_max_ms 1000",
	    "t.conf:4: global.timeouts.connect_ms: 1 is out of range (10..600000)" } },
	{ "static neighbours",
	  IFACES
	  "neighbours = (\n"
	  "\t{ interface = \"servers\"; address = \"10.1.0.11\"; mac = \"02:00:00:00:00:0b\"; },\n"
	  "\t{ interface = \"nope\"; address = \"10.1.0.12\"; mac = \"02:00:00:00:00:0c\"; },\n"
	  "\t{ interface = \"servers\"; address = \"10.0.0.5\"; mac = \"02:00:00:00:00:0d\"; },\n"
	  "\t{ interface = \"servers\"; address = \"10.1.0.13\"; mac = \"02:00:00:00:0e\"; },\n"
	  "\t{ interface = \"servers\"; address = \"10.1.0.14\"; mac = \"01:00:5e:00:00:01\"; },\n"
	  "\t{ interface = \"servers\"; address = \"10.1.0.11\"; mac = \"02:00:00:00:00:0f\"; },\n"
	  "\t{ interface = \"servers\"; address = \"10.1.0.1\"; mac = \"02:00:00:00:00:10\"; },\n"
	  "\t{ interface = \"servers\"; mac = \"02:00:00:00:00:11\"; x = 1; }\n"
	  ");\n",
	  { "t.conf:5: neighbour #2: interface 'nope' is not defined",
	    "t.conf:6: neighbour #3: address 10.0.0.5 is not in the subnet 10.1.0.0/24 of "
	    "interface 'servers'",
	    "t.conf:7: neighbour #4: mac: '02:00:00:00:0e' is not a MAC address "
	    "(aa:bb:cc:dd:ee:ff)",
	    "t.conf:8: neighbour #5: mac: 01:00:5e:00:00:01 is a group address, not a host's",
	    "t.conf:9: duplicate neighbour 10.1.0.11 (first at line 4)",
	    "t.conf:10: neighbour #7: address 10.1.0.1 is the address of interface 'servers'",
	    "t.conf:11: unknown key 'x' in neighbour #8",
	    "t.conf:11: neighbour #8: missing required key 'address'" } },
	{ "unknown key in an unnamed interface",
	  "interfaces = ( { device = \"net_null0\"; address = \"10.0.0.1/24\"; x = 1; } );\n",
	  { "t.conf:1: interface #1: missing required key 'name'",
	    "t.conf:1: unknown key 'x' in interface #1" } },

	/* missing required keys */
	{ "missing interface keys",
	  "interfaces = (\n\t{ device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	  "\t{ name = \"b\"; }\n);\n",
	  { "t.conf:2: interface #1: missing required key 'name'",
	    "t.conf:3: interface 'b': missing required key 'device'",
	    "t.conf:3: interface 'b': missing required key 'address'" } },
	{ "missing backend and server keys",
	  IFACES
	  "backends = (\n\t{ name = \"web\"; },\n\t{ name = \"api\"; servers = ( { address = "
	  "\"10.1.0.11\"; },\n\t\t{ name = \"s2\"; } ); }\n);\n",
	  { "t.conf:4: backend 'web': missing required key 'servers'",
	    "t.conf:5: server #1 of backend 'api': missing required key 'name'",
	    "t.conf:6: server 'api/s2': missing required key 'address'" } },
	{ "missing keys of a server of an unnamed backend",
	  IFACES "backends = ( { servers = ( { address = \"10.1.0.11\"; }, { name = \"s2\"; "
		 "address = \"10.1.0.12\"; } ); } );\n",
	  { "t.conf:3: backend #1: missing required key 'name'",
	    "t.conf:3: server #1 of backend #1: missing required key 'name'" } },
	{ "missing service keys",
	  IFACES WEB "services = (\n\t{ name = \"http\"; }\n);\n",
	  { "t.conf:5: service 'http': missing required key 'vip'",
	    "t.conf:5: service 'http': missing required key 'port'",
	    "t.conf:5: service 'http': missing required key 'backend'" } },
	{ "server addresses no host has",
	  IFACES "backends = ( { name = \"web\"; servers = (\n"
		 "\t{ name = \"s1\"; address = \"0.0.0.0\"; },\n"
		 "\t{ name = \"s2\"; address = \"127.0.0.1\"; },\n"
		 "\t{ name = \"s3\"; address = \"224.0.0.5\"; },\n"
		 "\t{ name = \"s4\"; address = \"255.255.255.255\"; } ); } );\n",
	  { "t.conf:4: server 'web/s1': address 0.0.0.0 cannot be a host's",
	    "t.conf:5: server 'web/s2': address 127.0.0.1 cannot be a host's",
	    "t.conf:6: server 'web/s3': address 224.0.0.5 cannot be a host's",
	    "t.conf:7: server 'web/s4': address 255.255.255.255 cannot be a host's" } },
	{ "missing check type",
	  IFACES "backends = ( { name = \"web\";\n\tcheck = { inter_ms = 100; };\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; } ); } );\n",
	  { "t.conf:4: backend 'web': check: missing required key 'type'" } },
	{ "checked server without a port",
	  IFACES "backends = ( { name = \"web\";\n\tcheck = { type = \"tcp\"; };\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; },\n"
		 "\t\t{ name = \"s2\"; address = \"10.1.0.12\"; check = false; },\n"
		 "\t\t{ name = \"s3\"; address = \"10.1.0.13\"; port = 80; } ); } );\n",
	  { "t.conf:5: server 'web/s1': checked, but has no port to probe (port 0 keeps the "
	    "client's): set a port in the check of backend 'web', or check = false on the "
	    "server" } },
	{ "missing stick table name",
	  IFACES "stick_tables = ( { size = 10; } );\n",
	  { "t.conf:3: stick table #1: missing required key 'name'" } },

	/* types */
	{ "global types",
	  IFACES "global = {\n\tworkers = \"2\";\n\tmemory_mb = 512.0;\n\tpoll = 1;\n\tneigh = 5;\n"
		 "\tcpus = { workers = ( 1 ); };\n\thugepages = true;\n};\n",
	  { "t.conf:4: global.workers: expected an integer",
	    "t.conf:5: global.memory_mb: expected an integer",
	    "t.conf:6: global.poll: expected a string", "t.conf:7: global.neigh: expected a group",
	    "t.conf:8: global.cpus.workers: expected an array of integers",
	    "t.conf:9: global.hugepages: expected a string" } },
	{ "cpu workers of strings",
	  IFACES "global = { cpus = { workers = [ \"1\" ]; main = \"0\"; }; };\n",
	  { "t.conf:3: global.cpus.main: expected an integer",
	    "t.conf:3: global.cpus.workers: expected an array of integers" } },
	{ "section types",
	  "global = 1;\ninterfaces = { };\nbackends = 5;\nservices = [ ];\nstick_tables = \"t\";\n",
	  { "t.conf:1: global: expected a group", "t.conf:2: interfaces: expected a list",
	    "t.conf:3: backends: expected a list", "t.conf:4: services: expected a list",
	    "t.conf:5: stick_tables: expected a list" } },
	{ "list elements that are not groups",
	  "interfaces = ( 1, { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; } "
	  ");\n"
	  "backends = ( \"web\" );\nservices = ( ( 1 ) );\nstick_tables = ( 5 );\n",
	  { "t.conf:1: interface #1: expected a group", "t.conf:2: backend #1: expected a group",
	    "t.conf:3: service #1: expected a group",
	    "t.conf:4: stick table #1: expected a group" } },
	{ "servers not a list",
	  IFACES "backends = ( { name = \"web\"; servers = { }; } );\n",
	  { "t.conf:3: backend 'web': servers: expected a list" } },
	{ "server key types",
	  IFACES
	  "backends = ( { name = \"web\"; servers = ( { name = \"s1\"; address = "
	  "\"10.1.0.11\";\n\tbackup = 1; check = \"yes\"; port = \"80\"; weight = 1.5; } ); } );\n",
	  { "t.conf:4: server 'web/s1': port: expected an integer",
	    "t.conf:4: server 'web/s1': weight: expected an integer",
	    "t.conf:4: server 'web/s1': backup: expected a boolean",
	    "t.conf:4: server 'web/s1': check: expected a boolean" } },
	{ "name not a string",
	  "interfaces = ( { name = 5; device = \"net_null0\"; address = \"10.0.0.1/24\"; } );\n",
	  { "t.conf:1: interface #1: name: expected a string" } },
	{ "service key types",
	  IFACES WEB "services = ( { name = \"http\"; vip = 10; port = true; backend = \"web\";\n"
		     "\tmode = 1; local_addresses = [ 1, 2 ]; timeouts = 5; protocol = 6; } );\n",
	  { "t.conf:4: service 'http': vip: expected a string",
	    "t.conf:4: service 'http': port: expected an integer or a \"first-last\" range",
	    "t.conf:5: service 'http': protocol: expected a string",
	    "t.conf:5: service 'http': mode: expected a string",
	    "t.conf:5: service 'http': local_addresses: expected an array of strings",
	    "t.conf:5: service 'http': timeouts: expected a group" } },
	{ "local addresses as a list",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\"; local_addresses = ( \"10.1.0.5\" ); } );\n",
	  { "t.conf:4: service 'http': local_addresses: expected an array of strings" } },
	{ "backend name not a string",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "1; } );\n",
	  { "t.conf:4: service 'http': backend: expected a string" } },
	{ "check not a group",
	  IFACES "backends = ( { name = \"web\"; check = \"tcp\"; servers = ( { name = \"s1\"; "
		 "address = \"10.1.0.11\"; } ); } );\n",
	  { "t.conf:3: backend 'web': check: expected a group" } },
	{ "runtime mode as a number",
	  IFACES "global = { runtime = { mode = 0660; socket = 1; }; };\n",
	  { "t.conf:3: global.runtime.socket: expected a string",
	    "t.conf:3: global.runtime.mode: expected a string of octal digits, like \"0660\"" } },

	/* integers libconfig cannot hold */
	{ "integers too large",
	  IFACES "global = {\n\tworkers = 4294967297;\n\tflows = 0x100000400;\n"
		 "\tmbufs = 99999999999999999999L;\n\tmemory_mb = 1099511627776L;\n"
		 "\tneigh = { probes = -4294967295; };\n};\n",
	  { "t.conf:4: global.workers: 4294967297 is out of range (1..64)",
	    "t.conf:5: global.flows: 0x100000400 is out of range (1024..67108864)",
	    "t.conf:6: global.mbufs: 99999999999999999999L is out of range (1023..4194303)",
	    "t.conf:7: global.memory_mb: 1099511627776 is out of range (64..65536)",
	    "t.conf:8: global.neigh.probes: -4294967295 is out of range (1..10)" } },
	{ "integer too large on a line of its own",
	  IFACES "global = {\n\tworkers =\n\t\t4294967297;\n};\n",
	  { "t.conf:4: global.workers: 4294967297 is out of range (1..64)" } },
	{ "integer too large under an unknown key",
	  IFACES "global = {\n\twokers =\n\t\t4294967297;\n\tflows = 4294967297; };\n",
	  { "t.conf:4: unknown key 'wokers' in global",
	    "t.conf:5: 4294967297 is too large for an integer",
	    "t.conf:6: global.flows: 4294967297 is out of range (1024..67108864)" } },
	{ "integer too large in an array",
	  IFACES "global = { workers = 2; cpus = { workers = [ 1, 4294967298 ]; }; };\n",
	  { "t.conf:3: global.cpus.workers: 4294967298 is out of range (0..1023)" } },
	{ "integer too large in strings and comments is ignored",
	  IFACES "# 4294967297\nglobal = { file_prefix = \"4294967297\"; /* 4294967297 */ "
		 "workers = 65; };\n",
	  { "t.conf:4: global.workers: 65 is out of range (1..64)" } },

	/* global.local_ports */
	{ "local ports: not a pair",
	  IFACES "global = {\n\tlocal_ports = [ 1024 ];\n};\n",
	  { "t.conf:4: global.local_ports: expected [ first, last ], two port numbers" } },
	{ "local ports: not numbers",
	  IFACES "global = {\n\tlocal_ports = \"1024-2048\";\n};\n",
	  { "t.conf:4: global.local_ports: expected [ first, last ], two port numbers" } },
	{ "local ports: out of range",
	  IFACES "global = {\n\tlocal_ports = [ 0, 65536 ];\n};\n",
	  { "t.conf:4: global.local_ports: 0 is out of range (1..65535)" } },
	{ "local ports: reversed",
	  IFACES "global = {\n\tlocal_ports = [ 2000, 1999 ];\n};\n",
	  { "t.conf:4: global.local_ports: the last port (1999) is below the first (2000)" } },
	{ "local ports: too few for the slices",
	  IFACES "global = {\n\tworkers = 3;\n\tlocal_ports = [ 2000, 2030 ];\n};\n",
	  { "t.conf:5: global.local_ports: 31 ports for 3 workers and the main lcore; at least "
	    "32 needed (8 each)" } },

	/* ranges */
	{ "global ranges",
	  IFACES
	  "global = {\n\tworkers = 0;\n\tmemory_mb = 63;\n\tmbufs = 1022;\n\tflows = 1023;\n"
	  "\tcpus = { main = 1024; };\n"
	  "\tneigh = { reachable_ms = 999; retrans_ms = 60001; probes = 11; gc_stale_ms = "
	  "999; max_entries = 63; };\n"
	  "\ttimeouts = { syn_ms = 99; established_ms = 86400001; fin_ms = 0; close_ms = -1; "
	  "udp_ms = 100; };\n};\n",
	  { "t.conf:4: global.workers: 0 is out of range (1..64)",
	    "t.conf:5: global.memory_mb: 63 is out of range (64..65536)",
	    "t.conf:6: global.mbufs: 1022 is out of range (1023..4194303)",
	    "t.conf:7: global.flows: 1023 is out of range (1024..67108864)",
	    "t.conf:8: global.cpus.main: 1024 is out of range (0..1023)",
	    "t.conf:9: global.neigh.reachable_ms: 999 is out of range (1000..3600000)",
	    "t.conf:9: global.neigh.retrans_ms: 60001 is out of range (100..60000)",
	    "t.conf:9: global.neigh.probes: 11 is out of range (1..10)",
	    "t.conf:9: global.neigh.gc_stale_ms: 999 is out of range (1000..86400000)",
	    "t.conf:9: global.neigh.max_entries: 63 is out of range (64..1048576)",
	    "t.conf:10: global.timeouts.syn_ms: 99 is out of range (100..86400000)",
	    "t.conf:10: global.timeouts.established_ms: 86400001 is out of range (100..86400000)",
	    "t.conf:10: global.timeouts.fin_ms: 0 is out of range (100..86400000)",
	    "t.conf:10: global.timeouts.close_ms: -1 is out of range (100..86400000)" } },
	{ "workers above the maximum",
	  IFACES "global = { workers = 65; };\n",
	  { "t.conf:3: global.workers: 65 is out of range (1..64)" } },
	{ "interface ranges",
	  "interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\tmtu = 575; rx_desc = 32; tx_desc = 32768; } );\n",
	  { "t.conf:2: interface 'c': mtu: 575 is out of range (576..9000)",
	    "t.conf:2: interface 'c': rx_desc: 32 is out of range (64..16384)",
	    "t.conf:2: interface 'c': tx_desc: 32768 is out of range (64..16384)" } },
	{ "backend, check and server ranges",
	  IFACES "backends = ( { name = \"web\"; balance = \"maglev\"; maglev_size = 250;\n"
		 "\tcheck = { type = \"tcp\"; inter_ms = 9; fastinter_ms = 3600001; downinter_ms "
		 "= 5; timeout_ms = 0; rise = 0; fall = 101; port = 65536; };\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; port = 65536; weight = "
		 "300; maxconn = 10000001; } ); } );\n",
	  { "t.conf:3: backend 'web': maglev_size: 250 is out of range (251..1048573)",
	    "t.conf:4: backend 'web': check.inter_ms: 9 is out of range (10..3600000)",
	    "t.conf:4: backend 'web': check.fastinter_ms: 3600001 is out of range (10..3600000)",
	    "t.conf:4: backend 'web': check.downinter_ms: 5 is out of range (10..3600000)",
	    "t.conf:4: backend 'web': check.timeout_ms: 0 is out of range (10..3600000)",
	    "t.conf:4: backend 'web': check.rise: 0 is out of range (1..100)",
	    "t.conf:4: backend 'web': check.fall: 101 is out of range (1..100)",
	    "t.conf:4: backend 'web': check.port: 65536 is out of range (0..65535)",
	    "t.conf:5: server 'web/s1': port: 65536 is out of range (0..65535)",
	    "t.conf:5: server 'web/s1': weight: 300 is out of range (0..256)",
	    "t.conf:5: server 'web/s1': maxconn: 10000001 is out of range (0..10000000)" } },
	{ "stick table ranges",
	  IFACES "stick_tables = ( { name = \"t\"; size = 0; expire_ms = 99; },\n"
		 "\t{ name = \"u\"; size = 16777217; expire_ms = 86400001; } );\n",
	  { "t.conf:3: stick table 't': size: 0 is out of range (1..16777216)",
	    "t.conf:3: stick table 't': expire_ms: 99 is out of range (100..86400000)",
	    "t.conf:4: stick table 'u': size: 16777217 is out of range (1..16777216)",
	    "t.conf:4: stick table 'u': expire_ms: 86400001 is out of range (100..86400000)" } },
	{ "service timeout ranges",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\";\n\ttimeouts = { udp_ms = 10; }; } );\n",
	  { "t.conf:5: service 'http': timeouts.udp_ms: 10 is out of range (100..86400000)" } },
	{ "no interfaces",
	  "interfaces = ();\n",
	  { "t.conf:1: interfaces: 0 entries, expected 1..16" } },
	{ "no servers",
	  IFACES "backends = ( { name = \"web\"; servers = (); } );\n",
	  { "t.conf:3: backend 'web': servers: 0 entries, expected 1..1024" } },
	{ "no local addresses",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\"; local_addresses = [ ]; } );\n",
	  { "t.conf:4: service 'http': local_addresses: 0 entries, expected 1..16" } },

	/* values */
	{ "global values",
	  IFACES
	  "global = {\n\tpoll = \"fast\";\n\thugepages = \"yes\";\n\tlog_level = \"verbose\";\n"
	  "\tfile_prefix = \"we ir\";\n\tunmatched = \"silent\";\n};\n",
	  { "t.conf:4: global.poll: 'fast' is not one of busy, adaptive",
	    "t.conf:5: global.hugepages: 'yes' is not one of auto, on, off",
	    "t.conf:6: global.log_level: 'verbose' is not one of emerg, alert, crit, error, "
	    "warning, notice, info, debug",
	    "t.conf:7: global.file_prefix: 'we ir' is not a valid name (1..31 characters of "
	    "A-Za-z0-9_.-, starting with a letter or digit)",
	    "t.conf:8: global.unmatched: 'silent' is not one of reject, drop" } },
	{ "backend values",
	  IFACES "backends = ( { name = \"web\"; balance = \"fastest\"; on_all_down = \"queue\";\n"
		 "\tcheck = { type = \"http\"; };\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; } ); } );\n",
	  { "t.conf:3: backend 'web': balance: 'fastest' is not one of roundrobin, wrr, "
	    "leastconn, random, source, maglev, leasttime",
	    "t.conf:3: backend 'web': on_all_down: 'queue' is not one of drop, reset",
	    "t.conf:4: backend 'web': check.type: 'http' is not one of tcp" } },
	{ "service values",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\";\n\tprotocol = \"sctp\"; mode = \"proxy\"; } );\n",
	  { "t.conf:5: service 'http': protocol: 'sctp' is not one of tcp, udp",
	    "t.conf:5: service 'http': mode: 'proxy' is not one of nat, dsr, tcp" } },
	{ "invalid names",
	  "interfaces = ( { name = \"-x\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; } "
	  ");\n"
	  "backends = ( { name = \"a b\"; servers = ( { name = \"\"; address = \"10.0.0.5\"; } ); "
	  "} );\n"
	  "services = ( { name = \"abcdefghijklmnopqrstuvwxyz012345\"; vip = \"10.0.0.9\"; port = "
	  "80; backend = \"x\"; } );\n"
	  "stick_tables = ( { name = \"x/y\"; } );\n",
	  { "t.conf:1: interface #1: name: '-x' is not a valid name (1..31 characters of "
	    "A-Za-z0-9_.-, starting with a letter or digit)",
	    "t.conf:2: backend #1: name: 'a b' is not a valid name (1..31 characters of "
	    "A-Za-z0-9_.-, starting with a letter or digit)",
	    "t.conf:2: server #1 of backend #1: name: '' is not a valid name (1..31 characters "
	    "of A-Za-z0-9_.-, starting with a letter or digit)",
	    "t.conf:3: service #1: name: 'abcdefghijklmnopqrstuvwxyz012345' is not a valid name "
	    "(1..31 characters of A-Za-z0-9_.-, starting with a letter or digit)",
	    "t.conf:3: service #1: backend 'x' is not defined",
	    "t.conf:4: stick table #1: name: 'x/y' is not a valid name (1..31 characters of "
	    "A-Za-z0-9_.-, starting with a letter or digit)" } },
	{ "bad addresses",
	  "interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; "
	  "gateway = \"10.0.0.256\"; } );\n"
	  "backends = ( { name = \"web\"; servers = ( { name = \"s1\"; address = \"10.0.0\"; } ); "
	  "} );\n"
	  "services = ( { name = \"http\"; vip = \"010.0.0.10\"; port = 80; backend = \"web\";\n"
	  "\tlocal_addresses = [ \"10.0.0.2\", \"x\\n\" ]; } );\n",
	  { "t.conf:1: interface 'c': gateway: '10.0.0.256' is not an IPv4 address",
	    "t.conf:2: server 'web/s1': address: '10.0.0' is not an IPv4 address",
	    "t.conf:3: service 'http': vip: '010.0.0.10' is not an IPv4 address",
	    "t.conf:4: service 'http': local_addresses: 'x?' is not an IPv4 address" } },
	{ "bad prefixes",
	  "interfaces = (\n"
	  "\t{ name = \"a\"; device = \"net_null0\"; address = \"10.0.0.1\"; },\n"
	  "\t{ name = \"b\"; device = \"net_null1\"; address = \"10.0.1.1/0\"; },\n"
	  "\t{ name = \"c\"; device = \"net_null2\"; address = \"10.0.2.1/33\"; },\n"
	  "\t{ name = \"d\"; device = \"net_null3\"; address = \"10.0.3.1/024\"; },\n"
	  "\t{ name = \"e\"; device = \"net_null4\"; address = \"10.0.0.300/24\"; },\n"
	  "\t{ name = \"f\"; device = \"net_null5\"; address = \"10.0.5.1/24 \"; }\n"
	  ");\n",
	  { "t.conf:2: interface 'a': address: '10.0.0.1' is not an IPv4 address with a prefix",
	    "t.conf:3: interface 'b': address: '10.0.1.1/0' is not an IPv4 address with a prefix",
	    "t.conf:4: interface 'c': address: '10.0.2.1/33' is not an IPv4 address with a prefix",
	    "t.conf:5: interface 'd': address: '10.0.3.1/024' is not an IPv4 address with a prefix",
	    "t.conf:6: interface 'e': address: '10.0.0.300/24' is not an IPv4 address with a "
	    "prefix",
	    "t.conf:7: interface 'f': address: '10.0.5.1/24 ' is not an IPv4 address with a "
	    "prefix" } },
	{ "bad devices",
	  "interfaces = (\n"
	  "\t{ name = \"a\"; device = \"eth0\"; address = \"10.0.0.1/24\"; },\n"
	  "\t{ name = \"b\"; device = \"net_tap\"; address = \"10.0.1.1/24\"; },\n"
	  "\t{ name = \"c\"; device = \"net_tap0,\"; address = \"10.0.2.1/24\"; },\n"
	  "\t{ name = \"d\"; device = \"net_vhost0\"; address = \"10.0.3.1/24\"; },\n"
	  "\t{ name = \"e\"; device = \"0000:03:00\"; address = \"10.0.4.1/24\"; },\n"
	  "\t{ name = \"f\"; device = \"3:00.0\"; address = \"10.0.5.1/24\"; },\n"
	  "\t{ name = \"g\"; device = \"net_null0x\"; address = \"10.0.6.1/24\"; }\n"
	  ");\n",
	  { "t.conf:2: interface 'a': device: 'eth0' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:3: interface 'b': device: 'net_tap' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:4: interface 'c': device: 'net_tap0,' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:5: interface 'd': device: 'net_vhost0' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:6: interface 'e': device: '0000:03:00' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:7: interface 'f': device: '3:00.0' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:8: interface 'g': device: 'net_null0x' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)" } },
	{ "bad runtime",
	  IFACES "global = { runtime = { socket = \"\"; mode = \"0888\"; }; };\n"
		 "global2 = 1;\n",
	  { "t.conf:3: global.runtime.socket: must not be empty",
	    "t.conf:3: global.runtime.mode: '0888' is not an octal permission mode "
	    "(\"0000\"..\"0777\")",
	    "t.conf:4: unknown key 'global2'" } },
	{ "runtime modes out of range",
	  IFACES "global = { runtime = { mode = \"01777\"; }; };\n",
	  { "t.conf:3: global.runtime.mode: '01777' is not an octal permission mode "
	    "(\"0000\"..\"0777\")" } },
	{ "runtime mode empty",
	  IFACES "global = { runtime = { mode = \"\"; }; };\n",
	  { "t.conf:3: global.runtime.mode: '' is not an octal permission mode "
	    "(\"0000\"..\"0777\")" } },
	{ "bad ports",
	  IFACES WEB
	  "services = (\n"
	  "\t{ name = \"a\"; vip = \"10.0.0.10\"; port = \"80\"; backend = \"web\"; },\n"
	  "\t{ name = \"b\"; vip = \"10.0.0.10\"; port = \"0-10\"; backend = \"web\"; },\n"
	  "\t{ name = \"c\"; vip = \"10.0.0.10\"; port = \"90-80\"; backend = \"web\"; },\n"
	  "\t{ name = \"d\"; vip = \"10.0.0.10\"; port = \"80-\"; backend = \"web\"; },\n"
	  "\t{ name = \"e\"; vip = \"10.0.0.10\"; port = \"a-b\"; backend = \"web\"; },\n"
	  "\t{ name = \"f\"; vip = \"10.0.0.10\"; port = \"1-70000\"; backend = \"web\"; },\n"
	  "\t{ name = \"g\"; vip = \"10.0.0.10\"; port = 0; backend = \"web\"; },\n"
	  "\t{ name = \"h\"; vip = \"10.0.0.10\"; port = 65536; backend = \"web\"; },\n"
	  "\t{ name = \"i\"; vip = \"10.0.0.10\"; port = \"1-2-3\"; backend = \"web\"; },\n"
	  "\t{ name = \"j\"; vip = \"10.0.0.10\"; port = \"+1-2\"; backend = \"web\"; }\n"
	  ");\n",
	  { "t.conf:5: service 'a': port: '80' is not a \"first-last\" range",
	    "t.conf:6: service 'b': port: '0-10' is out of range (1..65535)",
	    "t.conf:7: service 'c': port: '90-80' has the first port above the last",
	    "t.conf:8: service 'd': port: '80-' is not a \"first-last\" range",
	    "t.conf:9: service 'e': port: 'a-b' is not a \"first-last\" range",
	    "t.conf:10: service 'f': port: '1-70000' is out of range (1..65535)",
	    "t.conf:11: service 'g': port: 0 is out of range (1..65535)",
	    "t.conf:12: service 'h': port: 65536 is out of range (1..65535)",
	    "t.conf:13: service 'i': port: '1-2-3' is not a \"first-last\" range",
	    "t.conf:14: service 'j': port: '+1-2' is not a \"first-last\" range" } },
	{ "port range above 65535",
	  IFACES WEB
	  "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = \"1-65536\"; backend "
	  "= \"web\"; } );\n",
	  { "t.conf:4: service 'a': port: '1-65536' is out of range (1..65535)" } },
	{ "descriptors not powers of two",
	  "interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\trx_desc = 1000;\n\ttx_desc = 3000; } );\n",
	  { "t.conf:2: interface 'c': rx_desc: 1000 is not a power of two",
	    "t.conf:3: interface 'c': tx_desc: 3000 is not a power of two" } },
	{ "maglev size not a prime",
	  IFACES "backends = ( { name = \"web\"; balance = \"maglev\";\n\tmaglev_size = 65536;\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; } ); } );\n",
	  { "t.conf:4: backend 'web': maglev_size: 65536 is not a prime" } },

	/* names */
	{ "duplicate interface",
	  "interfaces = (\n\t{ name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; "
	  "},\n"
	  "\t{ name = \"c\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n);\n",
	  { "t.conf:3: duplicate interface name 'c' (first at line 2)" } },
	{ "duplicate backend and server",
	  IFACES
	  "backends = (\n"
	  "\t{ name = \"web\"; servers = ( { name = \"s1\"; address = \"10.1.0.11\"; },\n"
	  "\t\t{ name = \"s1\"; address = \"10.1.0.12\"; } ); },\n"
	  "\t{\n\t\tname = \"web\"; servers = ( { name = \"s1\"; address = \"10.1.0.11\"; } );\n"
	  "\t}\n);\n",
	  { "t.conf:5: backend 'web': duplicate server name 's1' (first at line 4)",
	    "t.conf:7: duplicate backend name 'web' (first at line 4)" } },
	{ "duplicate service",
	  IFACES WEB
	  "services = (\n"
	  "\t{ name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"http\"; vip = \"10.0.0.11\"; port = 80; backend = \"web\"; }\n);\n",
	  { "t.conf:6: duplicate service name 'http' (first at line 5)" } },
	{ "duplicate stick table",
	  IFACES "stick_tables = ( { name = \"t\"; },\n\t{ name = \"t\"; } );\n",
	  { "t.conf:4: duplicate stick table name 't' (first at line 3)" } },
	{ "undefined backend",
	  IFACES WEB "services = ( { name = \"http\"; vip = \"10.0.0.10\"; port = 80;\n"
		     "\tbackend = \"webx\"; } );\n",
	  { "t.conf:5: service 'http': backend 'webx' is not defined" } },

	/* cross-checks: interfaces */
	{ "device shared",
	  "interfaces = (\n"
	  "\t{ name = \"a\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	  "\t{ name = \"b\"; device = \"net_null0,size=64\"; address = \"10.0.1.1/24\"; },\n"
	  "\t{ name = \"c\"; device = \"0000:03:00.0\"; address = \"10.0.2.1/24\"; },\n"
	  "\t{ name = \"d\"; device = \"03:00.0\"; address = \"10.0.3.1/24\"; },\n"
	  "\t{ name = \"e\"; device = \"0000:0A:00.0\"; address = \"10.0.4.1/24\"; },\n"
	  "\t{ name = \"f\"; device = \"0000:0a:00.0\"; address = \"10.0.5.1/24\"; }\n"
	  ");\n",
	  { "t.conf:3: interface 'b': device 'net_null0' is already used by interface 'a'",
	    "t.conf:5: interface 'd': device '0000:03:00.0' is already used by interface 'c'",
	    "t.conf:7: interface 'f': device '0000:0a:00.0' is already used by interface 'e'" } },
	{ "overlapping subnets",
	  "interfaces = (\n"
	  "\t{ name = \"a\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	  "\t{ name = \"b\"; device = \"net_null1\"; address = \"10.0.7.1/16\"; },\n"
	  "\t{ name = \"c\"; device = \"net_null2\"; address = \"10.0.0.200/32\"; }\n"
	  ");\n",
	  { "t.conf:3: interface 'b': subnet 10.0.0.0/16 overlaps interface 'a' (10.0.0.0/24)",
	    "t.conf:4: interface 'c': subnet 10.0.0.200/32 overlaps interface 'a' "
	    "(10.0.0.0/24)" } },
	{ "gateway outside the subnet",
	  "interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\tgateway = \"10.0.1.1\"; } );\n",
	  { "t.conf:2: interface 'c': gateway 10.0.1.1 is outside the subnet 10.0.0.0/24" } },
	{ "gateway is the interface address",
	  "interfaces = ( { name = \"c\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\tgateway = \"10.0.0.1\"; } );\n",
	  { "t.conf:2: interface 'c': gateway 10.0.0.1 is the interface's own address" } },
	{ "two gateways",
	  "interfaces = (\n"
	  "\t{ name = \"a\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; gateway = "
	  "\"10.0.0.254\"; },\n"
	  "\t{ name = \"b\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; gateway = "
	  "\"10.1.0.254\"; },\n"
	  "\t{ name = \"c\"; device = \"net_null2\"; address = \"10.2.0.1/24\"; gateway = "
	  "\"10.2.0.254\"; }\n"
	  ");\n",
	  { "t.conf:3: interface 'b': gateway: only one interface may have a gateway, interface "
	    "'a' has one",
	    "t.conf:4: interface 'c': gateway: only one interface may have a gateway, interface "
	    "'a' has one" } },

	/* cross-checks: global */
	{ "cpus.workers length",
	  IFACES "global = { workers = 4;\n\tcpus = { workers = [ 1, 2, 3 ]; }; };\n",
	  { "t.conf:4: global.cpus.workers: 3 entries, expected 4 (one per worker)" } },
	{ "cpus.workers with the default worker count",
	  IFACES "global = { cpus = { main = 0; workers = [ ]; }; };\n",
	  { "t.conf:3: global.cpus.workers: 0 entries, expected 1 (one per worker)" } },

	/* cross-checks: backends and servers */
	{ "maglev_size without maglev",
	  IFACES "backends = ( { name = \"web\"; balance = \"wrr\";\n\tmaglev_size = 251;\n"
		 "\tservers = ( { name = \"s1\"; address = \"10.1.0.11\"; } ); },\n"
		 "\t{ name = \"api\"; maglev_size = 257; servers = ( { name = \"s1\"; address = "
		 "\"10.1.0.11\"; } ); } );\n",
	  { "t.conf:4: backend 'web': maglev_size is only valid with balance maglev",
	    "t.conf:6: backend 'api': maglev_size is only valid with balance maglev" } },
	{ "server check without backend check",
	  IFACES "backends = ( { name = \"web\"; servers = ( { name = \"s1\"; address = "
		 "\"10.1.0.11\";\n\tcheck = true; } ); } );\n",
	  { "t.conf:4: server 'web/s1': check is true but backend 'web' has no check" } },
	{ "server unreachable",
	  IFACES_NOGW "backends = ( { name = \"web\"; servers = (\n"
		      "\t{ name = \"s1\"; address = \"192.168.0.5\"; },\n"
		      "\t{ name = \"s2\"; address = \"10.1.0.1\"; },\n"
		      "\t{ name = \"s3\"; address = \"10.1.0.2\"; } ); } );\n",
	  { "t.conf:4: server 'web/s1': address 192.168.0.5 is not in any interface subnet and "
	    "no interface has a gateway",
	    "t.conf:5: server 'web/s2': address 10.1.0.1 is the address of interface "
	    "'servers'" } },

	/* cross-checks: services */
	{ "vip not on an interface",
	  IFACES WEB
	  "services = (\n"
	  "\t{ name = \"a\"; vip = \"192.168.0.1\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"b\"; vip = \"10.0.0.1\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"c\"; vip = \"10.0.0.254\"; port = 80; backend = \"web\"; }\n);\n",
	  { "t.conf:5: service 'a': vip 192.168.0.1 is not in any interface subnet",
	    "t.conf:6: service 'b': vip 10.0.0.1 is the address of interface 'client'",
	    "t.conf:7: service 'c': vip 10.0.0.254 is the gateway of interface 'client'" } },
	{ "local addresses",
	  IFACES WEB
	  "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
	  "\"web\";\n\tlocal_addresses = [ \"10.1.0.5\", \"10.9.0.1\", \"10.1.0.5\" ]; },\n"
	  "\t{ name = \"b\"; vip = \"10.0.0.10\"; port = 81; backend = \"web\"; mode = "
	  "\"dsr\";\n\tlocal_addresses = [ \"10.1.0.5\" ]; } );\n",
	  { "t.conf:5: service 'a': local_addresses: 10.9.0.1 is not in any interface subnet",
	    "t.conf:5: service 'a': local_addresses: 10.1.0.5 is given twice",
	    "t.conf:6: service 'b': mode dsr cannot rewrite ports, but server 'web/s1' has port "
	    "80 (use 0 or 81)",
	    "t.conf:7: service 'b': local_addresses is only valid with mode nat or tcp" } },
	{ "overlapping services",
	  IFACES WEB
	  "services = (\n"
	  "\t{ name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"b\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"c\"; vip = \"10.0.0.10\"; port = \"70-90\"; backend = \"web\"; },\n"
	  "\t{ name = \"d\"; vip = \"10.0.0.10\"; port = 80; protocol = \"udp\"; backend "
	  "= \"web\"; },\n"
	  "\t{ name = \"e\"; vip = \"10.0.0.11\"; port = 80; backend = \"web\"; },\n"
	  "\t{ name = \"f\"; vip = \"10.0.0.10\"; port = \"60-70\"; backend = \"web\"; }\n"
	  ");\n",
	  { "t.conf:6: service 'b': overlaps service 'a' (10.0.0.10 tcp port 80)",
	    "t.conf:7: service 'c': overlaps service 'a' (10.0.0.10 tcp port 80)",
	    "t.conf:10: service 'f': overlaps service 'c' (10.0.0.10 tcp port 70)" } },
	{ "dsr rewriting ports",
	  IFACES
	  "backends = ( { name = \"web\"; servers = (\n"
	  "\t{ name = \"s1\"; address = \"10.1.0.11\"; port = 8080; },\n"
	  "\t{ name = \"s2\"; address = \"10.1.0.12\"; port = 80; },\n"
	  "\t{ name = \"s3\"; address = \"10.1.0.13\"; } ); } );\n"
	  "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\";\n"
	  "\tmode = \"dsr\"; },\n"
	  "\t{ name = \"b\"; vip = \"10.0.0.10\"; port = \"81-90\"; backend = \"web\"; mode = "
	  "\"dsr\"; } );\n",
	  { "t.conf:8: service 'a': mode dsr cannot rewrite ports, but server 'web/s1' has port "
	    "8080 (use 0 or 80)",
	    "t.conf:9: service 'b': mode dsr cannot rewrite ports, but server 'web/s1' has port "
	    "8080 (use 0)",
	    "t.conf:9: service 'b': mode dsr cannot rewrite ports, but server 'web/s2' has port "
	    "80 (use 0)" } },
	{ "dsr through the gateway",
	  IFACES "backends = ( { name = \"far\"; servers = ( { name = \"x\"; address = "
		 "\"192.168.0.5\"; } ); } );\n"
		 "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = \"far\";\n"
		 "\tmode = \"dsr\"; } );\n",
	  { "t.conf:5: service 'a': mode dsr needs servers on an interface subnet, but server "
	    "'far/x' (192.168.0.5) is only reachable through the gateway" } },
	{ "tcp mode with udp",
	  IFACES WEB "services = ( { name = \"a\"; vip = \"10.0.0.10\"; port = 80; backend = "
		     "\"web\";\n\tprotocol = \"udp\";\n\tmode = \"tcp\"; } );\n",
	  { "t.conf:6: service 'a': mode tcp needs protocol tcp" } },

	/* several errors: reported in file order, not in the order they were found */
	{ "several errors in file order",
	  "services = ( { name = \"http\"; vip = \"10.0.0.1\"; port = 80; backend = \"web\"; } );\n"
	  "interfaces = ( { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\";\n"
	  "\tmtu = 100; } );\n"
	  "backends = ( { name = \"web\"; servers = ( { name = \"s1\"; address = \"10.0.0.5\"; "
	  "weight = -1; } ); } );\n"
	  "x = 1;\n"
	  "global = { workers = 0;\n\tpoll = \"fast\"; };\n",
	  { "t.conf:1: service 'http': vip 10.0.0.1 is the address of interface 'client'",
	    "t.conf:3: interface 'client': mtu: 100 is out of range (576..9000)",
	    "t.conf:4: server 'web/s1': weight: -1 is out of range (0..256)",
	    "t.conf:5: unknown key 'x'", "t.conf:6: global.workers: 0 is out of range (1..64)",
	    "t.conf:7: global.poll: 'fast' is not one of busy, adaptive" } },
	{ "errors hide no later ones in the same object",
	  "interfaces = ( { name = \"c\"; device = \"eth0\"; address = \"10.0.0.1\"; gateway = "
	  "\"x\";\n\tmtu = \"1500\"; rx_desc = 100; tx_desc = 100; } );\n",
	  { "t.conf:1: interface 'c': device: 'eth0' is not a PCI address (DDDD:BB:DD.F or "
	    "BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, net_ring or net_null followed "
	    "by a number, then optionally ,ARGS)",
	    "t.conf:1: interface 'c': address: '10.0.0.1' is not an IPv4 address with a prefix",
	    "t.conf:1: interface 'c': gateway: 'x' is not an IPv4 address",
	    "t.conf:2: interface 'c': mtu: expected an integer",
	    "t.conf:2: interface 'c': rx_desc: 100 is not a power of two",
	    "t.conf:2: interface 'c': tx_desc: 100 is not a power of two" } },
	{ "long values are cut in messages",
	  IFACES "global = { poll = "
		 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "a\"; };\n",
	  { "t.conf:3: global.poll: "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not one of "
	    "busy, adaptive" } },
};

static void run_bad_case(void **state)
{
	const struct bad_case *c = *state;

	expect_text(c->text, c->want);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_object_defaults),
		cmocka_unit_test(test_valid_forms),
		cmocka_unit_test(test_valid_routing),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_include_ok),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_include_duplicate),
		cmocka_unit_test(test_include_twice),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_too_many_servers),
		cmocka_unit_test(test_many_ifaces_with_neighbour),
		cmocka_unit_test(test_include_directory),
		cmocka_unit_test(test_include_too_large),
		cmocka_unit_test(test_services_per_vip),
		cmocka_unit_test(test_address_conflicts),
		cmocka_unit_test(test_addresses_per_interface),
		cmocka_unit_test(test_local_addresses_in_all),
		cmocka_unit_test(test_neighbours_beyond_table),
		cmocka_unit_test(test_watched_neighbours_room),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_limits),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	size_t nbad = sizeof(bad_cases) / sizeof(bad_cases[0]);
	struct CMUnitTest *tests = calloc(nfixed + nbad, sizeof(*tests));
	int failed;

	if (!tests)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < nbad; i++) {
		tests[nfixed + i].name = bad_cases[i].name;
		tests[nfixed + i].test_func = run_bad_case;
		tests[nfixed + i].initial_state = (void *)&bad_cases[i];
	}
	failed = _cmocka_run_group_tests("conf", tests, nfixed + nbad, NULL, NULL);
	free(tests);
	return failed;
}
