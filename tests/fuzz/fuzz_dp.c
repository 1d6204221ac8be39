/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzzing fixture: one dataplane (EAL without hugepages or devices) per fuzzing process. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <sanitizer/lsan_interface.h>

#include "core/lifecycle.h"
#include "core/worker.h"
#include "fuzz_dp.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "runtime/runtime.h"

static const char conf_text[] =
	"global = { workers = 2; mbufs = 4095; flows = 1024; tcp = { max_connections = 256; }; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\";"
	" gateway = \"10.0.0.254\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
	");\n"
	"backends = (\n"
	"  { name = \"web\"; balance = \"maglev\"; on_all_down = \"reset\"; servers = (\n"
	"      { name = \"s1\"; address = \"10.1.0.11\"; port = 80; },\n"
	"      { name = \"s2\"; address = \"10.1.0.12\"; port = 80; maxconn = 3; } ); },\n"
	"  { name = \"dns\"; balance = \"leastconn\"; servers = (\n"
	"      { name = \"d1\"; address = \"10.1.0.21\"; port = 53; } ); },\n"
	"  { name = \"direct\"; balance = \"source\"; servers = (\n"
	"      { name = \"r1\"; address = \"10.1.0.31\"; } ); }\n"
	");\n"
	"services = (\n"
	"  { name = \"http\"; vip = \"10.0.0.10\"; port = 80; backend = \"web\"; },\n"
	"  { name = \"dns\"; vip = \"10.0.0.10\"; protocol = \"udp\"; port = 53; backend = "
	"\"dns\"; },\n"
	"  { name = \"dsr\"; vip = \"10.0.0.20\"; port = \"8000-8100\"; mode = \"dsr\";"
	" backend = \"direct\"; },\n"
	"  { name = \"proxy\"; vip = \"10.0.0.30\"; port = 443; mode = \"tcp\";"
	" backend = \"web\"; }\n"
	");\n";

static struct weir_dp dataplane;

/*
 * Objects of the dataplane are often referenced only from DPDK memory (rte_malloc'd
 * structures), which LeakSanitizer does not scan by itself: declare it a root region,
 * so only what truly nobody references is reported.
 */
static int register_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}

static void teardown(void)
{
	weir_dp_fini(&dataplane);
}

struct weir_dp *fuzz_dp(void)
{
	static int ready;
	char prefix[64];
	char *argv[] = {
		"fuzz", "--no-huge",     "--no-pci", "--no-shconf",         "-m", "256", "-l",
		"0",    "--file-prefix", prefix,     "--log-level=*:emerg", NULL
	};
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *conf;
	uint16_t i;

	if (ready)
		return &dataplane;
	snprintf(prefix, sizeof(prefix), "weir-fuzz-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		abort();
	atexit(weir_eal_cleanup);
	rte_memseg_list_walk(register_root, NULL);
	conf = weir_conf_load_string(conf_text, "fuzz.conf", &errs);
	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (conf == NULL || weir_dp_init(&dataplane, conf) != 0)
		abort();
	for (i = 0; i < dataplane.nb_ports; i++) {
		dataplane.ports[i].mac.addr_bytes[0] = 0x02;
		dataplane.ports[i].mac.addr_bytes[5] = (uint8_t)(0x10 + i);
		dataplane.ports[i].port_id = i;
		dataplane.port_by_id[i] = &dataplane.ports[i];
	}
	/* The workers' clock starts where their timer wheels do: at 0, every flow would
	 * be past its timeout and expire at the first poll. */
	for (i = 0; i < dataplane.nb_workers; i++)
		dataplane.workers[i].now = rte_rdtsc();
	weir_rt_register_basic();
	weir_l4_register_commands();
	atexit(teardown); /* runs before weir_eal_cleanup: registered after it */
	ready = 1;
	return &dataplane;
}

void fuzz_dp_drain(struct weir_dp *dp)
{
	struct rte_mbuf *m;
	uint16_t w, p;

	for (w = 0; w < dp->nb_workers; w++) {
		for (p = 0; p < dp->nb_ports; p++) {
			struct weir_txbuf *b = &dp->workers[w].tx[p];

			rte_pktmbuf_free_bulk(b->pkts, b->n);
			b->n = 0;
		}
		while (rte_ring_dequeue(dp->workers[w].ctrl, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		/* A quiescent state per worker lets the main lcore free replaced views. */
		weir_l4_poll(&dp->workers[w]);
	}
	weir_lb_reclaim(dp);
}
