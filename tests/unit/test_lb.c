/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Balancing, health checks and runtime commands on a dataplane without devices: what
 * HAProxy defines (rise, show stat status, relative weights), least-time's samples, and
 * a backend's downtime.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "core/worker.h"
#include "fixture.h"
#include "health/check.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "net/neigh.h"
#include "runtime/runtime.h"

static const char *conf_text =
	"global = { workers = 1; mbufs = 4095; flows = 1024; };\n"
	"interfaces = (\n"
	"  { name = \"client\"; device = \"net_null0\"; address = \"10.0.0.1/24\"; },\n"
	"  { name = \"servers\"; device = \"net_null1\"; address = \"10.1.0.1/24\"; }\n"
	");\n"
	"backends = (\n"
	"  { name = \"lt\"; balance = \"leasttime\"; servers = (\n"
	"      { name = \"a1\"; address = \"10.1.0.11\"; port = 8000; },\n"
	"      { name = \"a2\"; address = \"10.1.0.12\"; port = 8000; } ); },\n"
	"  { name = \"lt2\"; balance = \"leasttime\"; servers = (\n"
	"      { name = \"b1\"; address = \"10.1.0.21\"; port = 8000; },\n"
	"      { name = \"b2\"; address = \"10.1.0.22\"; port = 8000; } ); },\n"
	"  { name = \"zero\"; servers = ( { name = \"z1\"; address = \"10.1.0.31\"; port = 80; "
	"weight = 0; } ); },\n"
	"  { name = \"chk\"; check = { type = \"tcp\"; rise = 3; fall = 2; };\n"
	"    servers = ( { name = \"c1\"; address = \"10.1.0.41\"; port = 80; } ); },\n"
	"  { name = \"arp\"; check = { type = \"tcp\"; };\n"
	"    servers = ( { name = \"d1\"; address = \"10.1.0.61\"; port = 80; },\n"
	"      { name = \"d2\"; address = \"10.1.0.62\"; port = 80; } ); },\n"
	"  { name = \"mc\"; servers = (\n"
	"      { name = \"m1\"; address = \"10.1.0.51\"; port = 80; maxconn = 1; },\n"
	"      { name = \"m2\"; address = \"10.1.0.52\"; port = 80; maxconn = 1; } ); }\n"
	");\n"
	"services = (\n"
	"  { name = \"lt\"; vip = \"10.0.0.10\"; port = 80; backend = \"lt\"; },\n"
	"  { name = \"lt2\"; vip = \"10.0.0.10\"; port = 81; backend = \"lt2\"; },\n"
	"  { name = \"zero\"; vip = \"10.0.0.10\"; port = 82; backend = \"zero\"; },\n"
	"  { name = \"chk\"; vip = \"10.0.0.10\"; port = 83; backend = \"chk\"; },\n"
	"  { name = \"mc\"; vip = \"10.0.0.10\"; port = 84; backend = \"mc\"; }\n"
	");\n";

static struct weir_dp dp;

static int setup(void **state)
{
	static const char *const servers[] = { "10.1.0.11", "10.1.0.12", "10.1.0.21",
					       "10.1.0.22", "10.1.0.41", NULL };

	(void)state;
	return fixture_l4_setup(&dp, conf_text, servers);
}

static int teardown(void **state)
{
	(void)state;
	fixture_dp_fini(&dp);
	return 0;
}

static const char *run(const char *line)
{
	static char buf[1 << 16];
	struct weir_rt_out out = { 0 };
	struct weir_rt_ctx ctx = { .dp = &dp, .out = &out };

	weir_rt_execute(&ctx, line);
	snprintf(buf, sizeof(buf), "%.*s", (int)out.len, out.buf ? out.buf : "");
	weir_rt_out_free(&out);
	return buf;
}

/* Field @col (0-based) of the `show stat` row of @px/@sv, copied into @val. */
static void stat_field(const char *px, const char *sv, unsigned int col, char *val, size_t len)
{
	const char *all = run("show stat");
	char prefix[80];
	const char *row, *p;
	unsigned int i;
	size_t n;

	snprintf(prefix, sizeof(prefix), "\n%s,%s,", px, sv);
	row = strstr(all, prefix);
	assert_non_null(row);
	p = row + 1;
	for (i = 0; i < col; i++) {
		p = strchr(p, ',');
		assert_non_null(p);
		p++;
	}
	n = strcspn(p, ",");
	snprintf(val, len, "%.*s", (int)n, p);
}

/* Columns of show stat, as HAProxy numbers them from 0. */
enum { COL_SCUR = 4, COL_SMAX = 5, COL_STOT = 7, COL_ECON = 13, COL_RATE = 33, COL_RATE_MAX = 35 };

/* Assert that field @col of the show stat row of @px/@sv is @want. */
static void stat_is(const char *px, const char *sv, unsigned int col, const char *want)
{
	char v[32];

	stat_field(px, sv, col, v, sizeof(v));
	if (strcmp(v, want) != 0)
		print_message("show stat %s/%s column %u: \"%s\", not \"%s\"\n", px, sv, col, v,
			      want);
	assert_string_equal(v, want);
}

static unsigned int feed(const void *frame, uint16_t port, uint16_t out_port, struct rte_mbuf **out)
{
	struct rte_mbuf *m = fixture_mbuf(&dp, frame, sizeof(struct tcp_frame));
	struct weir_txbuf *b = &dp.workers[0].tx[out_port];
	unsigned int n;

	m->port = port;
	weir_l4_burst(&dp.workers[0], &dp.ports[port], &m, 1);
	n = b->n;
	memcpy(out, b->pkts, n * sizeof(*out));
	b->n = 0;
	return n;
}

/*
 * Least-time in a backend other than the first scores its servers by their own
 * samples: the worker keeps them by gid (over all backends), the scheduler reads them
 * by position in the backend.
 */
static void test_leasttime_second_backend_uses_its_own_ewma(void **state)
{
	struct weir_server *b1 = weir_lb_find_server(dp.lb, "lt2/b1");
	struct weir_server *b2 = weir_lb_find_server(dp.lb, "lt2/b2");
	struct weir_l4w *l4 = dp.workers[0].l4;
	const struct weir_service *svc = &dp.lb->svc[1];
	unsigned int i;
	int why;

	(void)state;
	assert_string_equal(svc->name, "lt2");
	/* lt2's own measurements: b1 slow (10 ms), b2 fast (100 us). */
	l4->ewma[b1->gid] = 10000;
	l4->ewma[b2->gid] = 100;
	/* The first backend's servers (gids 0 and 1, ids 0 and 1 too) say the opposite. */
	l4->ewma[0] = 100;
	l4->ewma[1] = 10000;
	for (i = 0; i < 4; i++) {
		struct weir_server *s = weir_l4_choose(&dp.workers[0], svc, i, 0, &why);

		assert_non_null(s);
		assert_string_equal(s->name, "b2");
		weir_l4_unchoose(s);
	}
	memset(l4->ewma, 0, sizeof(*l4->ewma) * dp.lb->nb_srv);
}

/*
 * maxconn holds across workers: choosing a server takes its connection slot at once,
 * so a second choice (another worker's, before the first flow exists) finds it full.
 */
static void test_maxconn_slot_taken_when_chosen(void **state)
{
	const struct weir_service *svc = &dp.lb->svc[4];
	struct weir_server *a, *b, *c;
	int why = 0;

	(void)state;
	assert_string_equal(svc->name, "mc");
	a = weir_l4_choose(&dp.workers[0], svc, 1, 0, &why);
	b = weir_l4_choose(&dp.workers[0], svc, 1, 0, &why);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->be->conns[a->id], 1);
	assert_null(weir_l4_choose(&dp.workers[0], svc, 1, 0, &why));
	assert_int_equal(why, WEIR_DROP_SERVER_FULL);
	/* A slot given back (the flow could not be made) is free again. */
	weir_l4_unchoose(a);
	c = weir_l4_choose(&dp.workers[0], svc, 1, 0, &why);
	assert_ptr_equal(c, a);
	weir_l4_unchoose(b);
	weir_l4_unchoose(c);
	assert_int_equal(a->be->conns[a->id], 0);
	assert_int_equal(b->be->conns[b->id], 0);
	/* The most each had at once stays (smax): one each, two for the backend. */
	assert_int_equal(a->be->conns[a->be->nb_srv], 0);
	stat_is("mc", a->name, COL_SMAX, "1");
	stat_is("mc", b->name, COL_SMAX, "1");
	stat_is("mc", "BACKEND", COL_SMAX, "2");
}

/*
 * A connect the server refuses (RST to the SYN) is a least-time sample as slow as the
 * SYN timeout: otherwise the server stays unmeasured, unmeasured servers are tried
 * first, and a server that refuses every connection takes every new flow.
 */
static void test_leasttime_refused_connect_is_measured(void **state)
{
	struct weir_server *a1 = weir_lb_find_server(dp.lb, "lt/a1");
	struct weir_server *a2 = weir_lb_find_server(dp.lb, "lt/a2");
	struct weir_l4w *l4 = dp.workers[0].l4;
	struct rte_mbuf *out[8];
	struct tcp_frame f;
	unsigned int i, to_a1 = 0;
	char v[16];

	(void)state;
	memset(l4->ewma, 0, sizeof(*l4->ewma) * dp.lb->nb_srv);
	l4->ewma[a2->gid] = 100; /* a2 answers in 100 us */
	for (i = 0; i < 5; i++) {
		uint16_t lport;

		dp.workers[0].now = rte_rdtsc();
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(30000 + i), "10.0.0.10", 80, RTE_TCP_SYN_FLAG,
			1000, 0);
		assert_int_equal(feed(&f, 0, 1, out), 1);
		lport = rte_be_to_cpu_16(
			((struct tcp_frame *)rte_pktmbuf_mtod(out[0], struct tcp_frame *))
				->tcp.src_port);
		if (((struct tcp_frame *)rte_pktmbuf_mtod(out[0], struct tcp_frame *))
			    ->ip.dst_addr == a1->addr) {
			to_a1++;
			rte_pktmbuf_free(out[0]);
			/* a1 refuses: RST-ACK. */
			tcp_seg(&f, 1, "10.1.0.11", 8000, "10.1.0.1", lport,
				RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, 1001);
			if (feed(&f, 1, 0, out) == 1)
				rte_pktmbuf_free(out[0]);
		} else {
			rte_pktmbuf_free(out[0]);
		}
	}
	print_message("flows to the refusing server: %u of 5; its EWMA: %u us\n", to_a1,
		      l4->ewma[a1->gid]);
	assert_int_not_equal(l4->ewma[a1->gid], 0);
	assert_true(to_a1 <= 2);
	/* Each refusal is a connection error of a1's (econ); a2 had none. */
	snprintf(v, sizeof(v), "%u", to_a1);
	stat_is("lt", "a1", COL_ECON, v);
	stat_is("lt", "a2", COL_ECON, "0");
	stat_is("lt", "BACKEND", COL_ECON, v);
}

/*
 * rate and rate_max as HAProxy's: new flows over the last whole second, counted by the
 * main lcore's once-a-second tick, and the most seen so.
 */
static void test_stat_rates(void **state)
{
	uint64_t t0 = rte_rdtsc(), hz = dp.tsc_hz;
	struct rte_mbuf *out[8];
	struct tcp_frame f;
	unsigned int i;

	(void)state;
	dp.lb->rate_tsc = 0;        /* whatever ticked before: the next tick starts the count */
	weir_l4_stat_tick(&dp, t0); /* the totals rates start from */
	for (i = 0; i < 3; i++) {
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(31000 + i), "10.0.0.10", 81, RTE_TCP_SYN_FLAG,
			1000, 0);
		assert_int_equal(feed(&f, 0, 1, out), 1);
		rte_pktmbuf_free(out[0]);
	}
	/* Open (in SYN_SENT), so the most at once so far. */
	stat_is("lt2", "FRONTEND", COL_SCUR, "3");
	stat_is("lt2", "FRONTEND", COL_SMAX, "3");
	/* Not a second yet: nothing moves. */
	weir_l4_stat_tick(&dp, t0 + hz / 2);
	stat_is("lt2", "FRONTEND", COL_RATE, "0");
	/* Three seconds later, the three flows were three seconds' worth: 1 a second. */
	weir_l4_stat_tick(&dp, t0 + 3 * hz);
	stat_is("lt2", "FRONTEND", COL_RATE, "1");
	stat_is("lt2", "BACKEND", COL_RATE, "1");
	/* A little over a second later, nothing new. */
	weir_l4_stat_tick(&dp, t0 + 4 * hz + hz / 100);
	stat_is("lt2", "FRONTEND", COL_RATE, "0");
	stat_is("lt2", "FRONTEND", COL_RATE_MAX, "1");
	stat_is("lt2", "BACKEND", COL_RATE_MAX, "1");
	stat_is("lt", "FRONTEND", COL_RATE_MAX, "0");
	for (i = 0; i < 4; i++) {
		tcp_seg(&f, 0, "10.0.0.2", (uint16_t)(31100 + i), "10.0.0.10", 81, RTE_TCP_SYN_FLAG,
			1000, 0);
		assert_int_equal(feed(&f, 0, 1, out), 1);
		rte_pktmbuf_free(out[0]);
	}
	/* Four in a second and a bit: still 4 a second, rounded. */
	weir_l4_stat_tick(&dp, t0 + 5 * hz + hz / 50);
	stat_is("lt2", "FRONTEND", COL_RATE, "4");
	stat_is("lt2", "FRONTEND", COL_RATE_MAX, "4");
	stat_is("lt2", "BACKEND", COL_RATE_MAX, "4");
	stat_is("lt2", "FRONTEND", COL_SCUR, "7");
	stat_is("lt2", "FRONTEND", COL_SMAX, "7");
	/* All services together, in show info. */
	assert_int_equal(fixture_rt_value(&dp, "show info", "ConnRate"), 4);
	assert_int_equal(fixture_rt_value(&dp, "show info", "MaxConnRate"), 4);
	stat_is("lt2", "BACKEND", COL_SMAX, "7");
	/* The servers' rates add up to the backend's. */
	{
		char v1[16], v2[16];

		stat_field("lt2", "b1", COL_RATE, v1, sizeof(v1));
		stat_field("lt2", "b2", COL_RATE, v2, sizeof(v2));
		assert_int_equal(atoi(v1) + atoi(v2), 4);
	}
}

/* Drive one check of @s at @now: pass (SYN-ACK) or fail (timeout). */
static uint64_t check_once(struct weir_server *s, uint64_t now, bool pass)
{
	s->chk.next = 0;
	weir_health_poll(&dp, now);
	assert_true(s->chk.running);
	/* While the probe waits, the workers pass what comes to its port to the main lcore. */
	assert_true(weir_lport_probing(dp.lb, dp.nb_workers, rte_be_to_cpu_16(s->chk.sport)));
	if (pass) {
		struct tcp_frame f;
		char src[16];
		const uint8_t *a = (const uint8_t *)&s->addr;

		snprintf(src, sizeof(src), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		tcp_seg(&f, 1, src, 80, "10.1.0.1", rte_be_to_cpu_16(s->chk.sport),
			RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 5000, s->chk.iss + 1);
		weir_health_input(&dp, fixture_mbuf(&dp, &f, sizeof(f)), now + 1);
	} else {
		now += weir_ms_to_tsc(&dp, s->be->check.timeout_ms) + 1;
		weir_health_poll(&dp, now);
	}
	assert_false(s->chk.running);
	assert_false(weir_lport_probing(dp.lb, dp.nb_workers, rte_be_to_cpu_16(s->chk.sport)));
	return now + 10;
}

/*
 * Rise counts successes in a row, as in HAProxy: a failure while rising starts over,
 * so success, success, failure, success, success leaves a rise-3 server down. Failed
 * checks of a server down at health 0 are not counted (chkfail).
 */
static void test_rise_needs_consecutive_successes(void **state)
{
	struct weir_server *c1 = weir_lb_find_server(dp.lb, "chk/c1");
	uint64_t now = rte_rdtsc();

	uint64_t fails;

	(void)state;
	/* A server starts up at health rise (3): its first failure takes it down. */
	fails = c1->chkfail;
	now = check_once(c1, now, false);
	assert_int_equal(c1->op, WEIR_SRV_DOWN);
	assert_int_equal(c1->chk.health, 0);
	assert_int_equal(c1->chkfail, fails + 1);
	/* Down at health 0, a failure changes nothing and is not counted. */
	now = check_once(c1, now, false);
	assert_int_equal(c1->chk.health, 0);
	assert_int_equal(c1->chkfail, fails + 1);
	now = check_once(c1, now, true);
	now = check_once(c1, now, true);
	assert_int_equal(c1->chk.health, 2);
	now = check_once(c1, now, false); /* rising: counted, and back to 0 */
	assert_int_equal(c1->chk.health, 0);
	assert_int_equal(c1->chkfail, fails + 2);
	now = check_once(c1, now, true);
	now = check_once(c1, now, true);
	print_message("after S S F S S (rise 3): op %s, health %u\n",
		      c1->op == WEIR_SRV_UP ? "UP" : "DOWN", c1->chk.health);
	assert_int_equal(c1->op, WEIR_SRV_DOWN);
	/* The third success in a row brings it up (and leaves it up for the next tests). */
	now = check_once(c1, now, true);
	assert_int_equal(c1->op, WEIR_SRV_UP);
}

/* A drained server that is down shows DOWN, as in HAProxy (DRAIN only while it runs). */
static void test_drained_down_server_status(void **state)
{
	struct weir_server *c1 = weir_lb_find_server(dp.lb, "chk/c1");
	char v[64];
	uint8_t op = c1->op, admin = c1->admin;
	uint32_t health = c1->chk.health;

	(void)state;
	c1->admin = WEIR_SRV_DRAIN;
	c1->op = WEIR_SRV_UP;
	c1->chk.health = 4; /* rise 3 + fall 2 - 1: fully up */
	stat_field("chk", "c1", 17, v, sizeof(v));
	assert_string_equal(v, "DRAIN");
	c1->chk.health = 3; /* one failure since */
	stat_field("chk", "c1", 17, v, sizeof(v));
	assert_string_equal(v, "DRAIN 1/2");
	c1->op = WEIR_SRV_DOWN;
	c1->chk.health = 0;
	stat_field("chk", "c1", 17, v, sizeof(v));
	c1->op = op;
	c1->admin = admin;
	c1->chk.health = health;
	assert_string_equal(v, "DOWN");
}

/* "weight N%" takes any share of the configured weight, capped at 256, as in HAProxy. */
static void test_relative_weight_above_100(void **state)
{
	struct weir_server *a1 = weir_lb_find_server(dp.lb, "lt/a1");
	const char *o = run("set server lt/a1 weight 200%");

	(void)state;
	print_message("'set server lt/a1 weight 200%%' answers: %s", o);
	assert_string_equal(o, "\n");
	assert_int_equal(a1->uweight, 2);
	run("set server lt/a1 weight 100%");
}

/*
 * A backend whose servers all start with weight 0 is down from the start: its downtime
 * counts from then, once a server gets a weight.
 */
static void test_backend_downtime_after_weight0_start(void **state)
{
	char v[64];

	(void)state;
	stat_field("zero", "BACKEND", 17, v, sizeof(v));
	assert_string_equal(v, "DOWN");
	assert_string_equal(run("set server zero/z1 weight 1"), "\n");
	stat_field("zero", "BACKEND", 17, v, sizeof(v));
	assert_string_equal(v, "UP");
	stat_field("zero", "BACKEND", 24, v, sizeof(v));
	print_message("backend downtime after a few ms down: %s s\n", v);
	assert_true(strtoull(v, NULL, 10) <= 5);
}

/* `show flows limit` takes a number of flows, and refuses anything else. */
static void test_show_flows_bad_limit(void **state)
{
	const char *o;

	(void)state;
	o = run("show flows limit abc");
	assert_string_equal(o, "'limit' expects a number of flows, not 'abc'.\n\n");
	o = run("show flows limit -1");
	assert_string_equal(o, "'limit' expects a number of flows, not '-1'.\n\n");
	assert_null(strstr(run("show flows limit 5x"), "# worker"));
	assert_null(strstr(run("show flows limit 99999999999999999999999"), "# worker"));
	assert_non_null(strstr(run("show flows limit 2"), "# worker"));
}

/* Fields 5 and 6 (op and admin state) of @name's line in `show servers state chk`. */
static void srv_state(const char *name, unsigned int *op, unsigned int *admin)
{
	const char *all = run("show servers state chk");
	char needle[64];
	const char *l;

	snprintf(needle, sizeof(needle), " chk 1 %s ", name);
	l = strstr(all, needle);
	assert_non_null(l);
	assert_int_equal(sscanf(l + strlen(needle), "%*s %u %u", op, admin), 2);
}

/*
 * Maintenance as in HAProxy: the server stops (op state 0, checks paused); leaving it,
 * the server is up at once at health rise, one failure from down, and checked at once.
 */
static void test_maintenance_stops_and_restarts_the_server(void **state)
{
	struct weir_server *c1 = weir_lb_find_server(dp.lb, "chk/c1");
	uint64_t now = rte_rdtsc() + rte_get_tsc_hz();
	unsigned int op, admin;
	char v[64];

	(void)state;
	assert_int_equal(c1->op, WEIR_SRV_UP);
	assert_string_equal(run("set server chk/c1 state maint"), "\n");
	srv_state("c1", &op, &admin);
	assert_int_equal(op, 0);
	assert_int_equal(admin, 1);
	stat_field("chk", "c1", 17, v, sizeof(v));
	assert_string_equal(v, "MAINT");
	/* No probe while in maintenance. */
	c1->chk.next = 0;
	weir_health_poll(&dp, now);
	assert_false(c1->chk.running);

	assert_string_equal(run("set server chk/c1 state ready"), "\n");
	srv_state("c1", &op, &admin);
	assert_int_equal(op, 2);
	assert_int_equal(admin, 0);
	assert_int_equal(c1->chk.health, 3);
	stat_field("chk", "c1", 17, v, sizeof(v));
	assert_string_equal(v, "UP 1/2");
	/* Checked at once; one failure takes it down. */
	now = check_once(c1, now, false);
	assert_int_equal(c1->op, WEIR_SRV_DOWN);

	/* A server down before maintenance is up after it, until its next check. */
	assert_string_equal(run("set server chk/c1 state maint"), "\n");
	assert_string_equal(run("set server chk/c1 state ready"), "\n");
	assert_int_equal(c1->op, WEIR_SRV_UP);
	now = check_once(c1, now, true);
	assert_int_equal(c1->op, WEIR_SRV_UP);
	assert_int_equal(c1->chk.health, 4);
}

/*
 * A probe whose next hop is not resolved yet waits for ARP within its timeout, as a
 * kernel's connect() does, instead of failing at once (which took a server that starts
 * up at health rise down before its first real check). No answer in time: a failure.
 */
static void test_check_waits_for_arp(void **state)
{
	struct weir_server *d1 = weir_lb_find_server(dp.lb, "arp/d1");
	struct weir_server *d2 = weir_lb_find_server(dp.lb, "arp/d2");
	uint64_t ms = rte_get_tsc_hz() / 1000, now = rte_rdtsc() + 100000 * ms;
	struct tcp_frame f;

	(void)state;
	/* Where a server starts (the other tests' polls went through these two too). */
	for (struct weir_server *d = d1; d != NULL; d = d == d1 ? d2 : NULL) {
		d->op = WEIR_SRV_UP;
		d->chk.health = d->be->check.rise;
		d->chk.running = false;
		d->chk.status = WEIR_CHK_INI;
		d->chk.next = 0;
	}
	weir_health_poll(&dp, now);
	assert_true(d1->chk.running && d1->chk.arp_wait);
	assert_true(d2->chk.running && d2->chk.arp_wait);
	weir_health_poll(&dp, now + 10 * ms);
	assert_int_equal(d1->op, WEIR_SRV_UP);
	assert_int_equal(d1->chk.status, WEIR_CHK_INI);
	/* d1's MAC arrives: the SYN leaves, and its SYN-ACK passes the check. */
	fixture_learn(&dp, 1, "10.1.0.61", &fixture_srv_mac);
	weir_health_poll(&dp, now + 20 * ms);
	assert_true(d1->chk.running);
	assert_false(d1->chk.arp_wait);
	tcp_seg(&f, 1, "10.1.0.61", 80, "10.1.0.1", rte_be_to_cpu_16(d1->chk.sport),
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 5000, d1->chk.iss + 1);
	weir_health_input(&dp, fixture_mbuf(&dp, &f, sizeof(f)), now + 21 * ms);
	assert_false(d1->chk.running);
	assert_int_equal(d1->chk.status, WEIR_CHK_L4OK);
	assert_int_equal(d1->op, WEIR_SRV_UP);
	/* d2's never does: at the timeout, a failure, and the server goes down. */
	weir_health_poll(&dp, now + (d2->be->check.timeout_ms + 1) * ms);
	assert_false(d2->chk.running);
	assert_int_equal(d2->chk.status, WEIR_CHK_L4CON);
	assert_int_equal(d2->op, WEIR_SRV_DOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leasttime_second_backend_uses_its_own_ewma),
		cmocka_unit_test(test_leasttime_refused_connect_is_measured),
		cmocka_unit_test(test_maxconn_slot_taken_when_chosen),
		cmocka_unit_test(test_stat_rates),
		cmocka_unit_test(test_rise_needs_consecutive_successes),
		cmocka_unit_test(test_drained_down_server_status),
		cmocka_unit_test(test_maintenance_stops_and_restarts_the_server),
		cmocka_unit_test(test_relative_weight_above_100),
		cmocka_unit_test(test_backend_downtime_after_weight0_start),
		cmocka_unit_test(test_show_flows_bad_limit),
		/* last: it polls every server's checks far ahead in time */
		cmocka_unit_test(test_check_waits_for_arp),
	};

	weir_rt_register_basic();
	return cmocka_run_group_tests(tests, setup, teardown);
}
