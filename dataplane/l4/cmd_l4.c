/* SPDX-License-Identifier: BSD-3-Clause */
/* Runtime commands of L4 balancing: stats, server state and weight, the flow dump. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "core/log.h"
#include "health/check.h"
#include "l4/l4.h"
#include "l4/lb.h"
#include "runtime/runtime.h"
#include "sched/sched.h"

/* HAProxy 2.6's `show stat` columns, in its order, so its tools read Weir's output. */
static const char stat_header[] =
	"pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wred"
	"is,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbto"
	"t,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp"
	"_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt"
	",srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,"
	"ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,c"
	"heck_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_m"
	"ax,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src"
	"_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_c"
	"ur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_"
	"sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2"
	"_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol"
	"_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_t"
	"otal_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_con"
	"nections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_ou"
	"t,";

#define STAT_MAX_COLS 160
#define STAT_FIELD    96

/* One CSV row being filled by column name; unset columns stay empty. */
struct stat_row {
	char f[STAT_MAX_COLS][STAT_FIELD];
};

static const char *cols[STAT_MAX_COLS];
static unsigned int nb_cols;
static char cols_buf[sizeof(stat_header)];

static void cols_init(void)
{
	char *s, *save = NULL;

	if (nb_cols)
		return;
	memcpy(cols_buf, stat_header, sizeof(stat_header));
	for (s = strtok_r(cols_buf, ",", &save); s && nb_cols < STAT_MAX_COLS;
	     s = strtok_r(NULL, ",", &save))
		cols[nb_cols++] = s;
}

static void __attribute__((format(printf, 3, 4)))
set(struct stat_row *r, const char *col, const char *fmt, ...)
{
	unsigned int i;
	va_list ap;

	for (i = 0; i < nb_cols; i++)
		if (strcmp(cols[i], col) == 0)
			break;
	if (i == nb_cols)
		return;
	va_start(ap, fmt);
	vsnprintf(r->f[i], STAT_FIELD, fmt, ap);
	va_end(ap);
}

static void emit(struct weir_rt_out *o, const struct stat_row *r)
{
	unsigned int i;

	for (i = 0; i < nb_cols; i++)
		weir_rt_printf(o, "%s,", r->f[i]);
	weir_rt_printf(o, "\n");
}

static void fmt_ip(uint32_t ip, char *buf, size_t len)
{
	inet_ntop(AF_INET, &ip, buf, (socklen_t)len);
}

/* Counters of one server summed over the workers. */
struct srv_sum {
	uint64_t flows, pkts[2], bytes[2], last_flow, econ, wretr, wredis;
	uint64_t ctime_us; /* the sum of the workers' averages of connects that succeeded */
	uint32_t ctime_n;  /* ... over this many workers that have one */
};

static void sum_server(const struct weir_dp *dp, uint32_t gid, struct srv_sum *s)
{
	uint32_t e;
	uint16_t w;

	memset(s, 0, sizeof(*s));
	for (w = 0; w < dp->nb_workers; w++) {
		const struct weir_srv_wstats *x = &dp->workers[w].l4->srv[gid];

		s->flows += x->flows;
		s->pkts[0] += x->pkts[0];
		s->pkts[1] += x->pkts[1];
		s->bytes[0] += x->bytes[0];
		s->bytes[1] += x->bytes[1];
		s->econ += x->econ;
		s->wretr += x->wretr;
		s->wredis += x->wredis;
		if (x->last_flow > s->last_flow)
			s->last_flow = x->last_flow;
		e = __atomic_load_n(&x->ctime_us, __ATOMIC_RELAXED);
		if (e != 0) {
			s->ctime_us += e;
			s->ctime_n++;
		}
	}
}

/* HAProxy's status text of a server. */
static void server_status(const struct weir_server *s, char *buf, size_t len)
{
	const struct weir_conf_check *c = &s->be->check;

	/* Up, and failed checks since it was fully so: on its way down. */
	bool going_down = s->checked && s->op == WEIR_SRV_UP &&
			  s->chk.health < c->rise + c->fall - 1 && s->chk.status != WEIR_CHK_INI;

	/* DRAIN only while the server runs: a drained server that is down shows DOWN. */
	if (s->admin == WEIR_SRV_MAINT)
		snprintf(buf, len, "MAINT");
	else if (s->admin == WEIR_SRV_DRAIN && s->op == WEIR_SRV_UP && going_down)
		snprintf(buf, len, "DRAIN %u/%u", s->chk.health - c->rise + 1, c->fall);
	else if (s->admin == WEIR_SRV_DRAIN && s->op == WEIR_SRV_UP)
		snprintf(buf, len, "DRAIN");
	else if (!s->checked)
		snprintf(buf, len, "no check");
	else if (going_down)
		snprintf(buf, len, "UP %u/%u", s->chk.health - c->rise + 1, c->fall);
	else if (s->op == WEIR_SRV_DOWN && s->chk.health > 0)
		snprintf(buf, len, "DOWN %u/%u", s->chk.health, c->rise);
	else
		snprintf(buf, len, "%s", s->op == WEIR_SRV_UP ? "UP" : "DOWN");
}

static uint64_t service_flows(const struct weir_dp *dp, uint32_t index)
{
	uint64_t flows = 0;
	uint16_t w;

	for (w = 0; w < dp->nb_workers; w++)
		flows += dp->workers[w].l4->svc[index].flows;
	return flows;
}

void weir_l4_flow_totals(const struct weir_dp *dp, struct weir_l4_flow_totals *t)
{
	uint32_t i;
	uint16_t w;

	memset(t, 0, sizeof(*t));
	for (w = 0; w < dp->nb_workers; w++) {
		const struct weir_flow_table *ft =
			dp->workers[w].l4 != NULL ? dp->workers[w].l4->ft : NULL;

		if (ft == NULL)
			continue;
		t->active += __atomic_load_n(&ft->active, __ATOMIC_RELAXED);
		t->max += ft->capacity;
		t->created += __atomic_load_n(&ft->created, __ATOMIC_RELAXED);
		t->expired += __atomic_load_n(&ft->expired, __ATOMIC_RELAXED);
	}
	if (dp->lb == NULL)
		return;
	for (i = 0; i < dp->lb->nb_svc; i++) {
		t->conns += __atomic_load_n(&dp->lb->svc_conns[2 * i], __ATOMIC_RELAXED);
		t->conns_total += service_flows(dp, i);
	}
	t->conn_rate = dp->lb->rate.cur;
	t->conn_rate_max = dp->lb->rate.max;
}

static uint64_t secs_since(const struct weir_dp *dp, uint64_t tsc, uint64_t now)
{
	return tsc == 0 ? 0 : (now - tsc) / dp->tsc_hz;
}

/* Fold the flows counted up to now, @elapsed TSC after the last tick, into @r. */
static void rate_update(struct weir_rate *r, uint64_t total, uint64_t elapsed, uint64_t hz)
{
	/* Rounded: a tick a little more than a second after the last still counts 1 as 1. */
	uint64_t per_s = elapsed > 0 ? ((total - r->last_total) * hz + elapsed / 2) / elapsed : 0;

	r->last_total = total;
	r->cur = per_s > UINT32_MAX ? UINT32_MAX : (uint32_t)per_s;
	if (r->cur > r->max)
		r->max = r->cur;
}

void weir_l4_stat_tick(struct weir_dp *dp, uint64_t now)
{
	struct weir_lb *lb = dp->lb;
	uint64_t elapsed, all;
	uint32_t i, b;

	if (lb == NULL || (lb->rate_tsc != 0 && now - lb->rate_tsc < dp->tsc_hz))
		return;
	/* The first count only sets the totals rates start from. */
	elapsed = lb->rate_tsc != 0 ? now - lb->rate_tsc : 0;
	lb->rate_tsc = now;
	for (i = 0, all = 0; i < lb->nb_svc; i++) {
		uint64_t flows = service_flows(dp, i);

		rate_update(&lb->svc[i].rate, flows, elapsed, dp->tsc_hz);
		all += flows;
	}
	rate_update(&lb->rate, all, elapsed, dp->tsc_hz);
	for (b = 0; b < lb->nb_be; b++) {
		struct weir_backend *be = &lb->be[b];
		uint64_t total = 0;

		for (i = 0; i < be->nb_srv; i++) {
			struct srv_sum sum;

			sum_server(dp, be->srv[i].gid, &sum);
			rate_update(&be->srv[i].rate, sum.flows, elapsed, dp->tsc_hz);
			total += sum.flows;
		}
		rate_update(&be->rate, total, elapsed, dp->tsc_hz);
	}
}

static void stat_service(struct weir_rt_ctx *ctx, const struct weir_service *svc, uint64_t now)
{
	struct weir_dp *dp = ctx->dp;
	struct stat_row *r = calloc(1, sizeof(*r));
	uint64_t flows = 0, bin = 0, bout = 0, refused = 0;
	uint16_t w;

	if (r == NULL)
		return;
	for (w = 0; w < dp->nb_workers; w++) {
		const struct weir_svc_wstats *x = &dp->workers[w].l4->svc[svc->index];

		flows += x->flows;
		bin += x->bytes[WEIR_DIR_IN];
		bout += x->bytes[WEIR_DIR_OUT];
		refused += x->refused;
	}
	set(r, "pxname", "%s", svc->name);
	set(r, "svname", "FRONTEND");
	set(r, "scur", "%u", __atomic_load_n(&dp->lb->svc_conns[2 * svc->index], __ATOMIC_RELAXED));
	set(r, "smax", "%u",
	    __atomic_load_n(&dp->lb->svc_conns[2 * svc->index + 1], __ATOMIC_RELAXED));
	set(r, "slim", "%u", dp->conf->global.flow_capacity * dp->nb_workers);
	set(r, "stot", "%" PRIu64, flows);
	set(r, "bin", "%" PRIu64, bin);
	set(r, "bout", "%" PRIu64, bout);
	set(r, "dreq", "%" PRIu64, refused);
	set(r, "status", "OPEN");
	set(r, "pid", "1");
	set(r, "iid", "%u", svc->index + 1);
	set(r, "sid", "0");
	set(r, "type", "0");
	set(r, "mode", "%s", weir_proto_name(svc->proto));
	set(r, "conn_tot", "%" PRIu64, flows);
	set(r, "rate", "%u", svc->rate.cur);
	set(r, "rate_max", "%u", svc->rate.max);
	set(r, "conn_rate", "%u", svc->rate.cur);
	set(r, "conn_rate_max", "%u", svc->rate.max);
	(void)now;
	emit(ctx->out, r);
	free(r);
}

static void stat_backend(struct weir_rt_ctx *ctx, const struct weir_backend *be, uint64_t now)
{
	struct weir_dp *dp = ctx->dp;
	struct stat_row *r = calloc(1, sizeof(*r));
	uint64_t flows = 0, bin = 0, bout = 0, conns = 0, last = 0, weight = 0, chkdown = 0;
	uint64_t econ = 0, wretr = 0, wredis = 0;
	uint32_t i, act = 0, bck = 0;
	uint32_t iid = dp->lb->nb_svc + be->index + 1;
	char buf[64];

	if (r == NULL)
		return;
	for (i = 0; i < be->nb_srv; i++) {
		const struct weir_server *s = &be->srv[i];
		struct srv_sum sum;

		server_status(s, buf, sizeof(buf));
		sum_server(dp, s->gid, &sum);
		set(r, "pxname", "%s", be->name);
		set(r, "svname", "%s", s->name);
		set(r, "qcur", "0");
		set(r, "qmax", "0");
		set(r, "scur", "%u", __atomic_load_n(&be->conns[i], __ATOMIC_RELAXED));
		set(r, "smax", "%u", __atomic_load_n(&be->smax[i], __ATOMIC_RELAXED));
		if (s->maxconn)
			set(r, "slim", "%u", s->maxconn);
		set(r, "stot", "%" PRIu64, sum.flows);
		set(r, "bin", "%" PRIu64, sum.bytes[WEIR_DIR_IN]);
		set(r, "bout", "%" PRIu64, sum.bytes[WEIR_DIR_OUT]);
		set(r, "dresp", "0");
		set(r, "econ", "%" PRIu64, sum.econ);
		set(r, "eresp", "0");
		set(r, "wretr", "%" PRIu64, sum.wretr);
		set(r, "wredis", "%" PRIu64, sum.wredis);
		set(r, "status", "%s", buf);
		set(r, "weight", "%u", s->uweight);
		set(r, "act", "%u", s->backup ? 0 : 1);
		set(r, "bck", "%u", s->backup ? 1 : 0);
		if (s->checked) {
			set(r, "chkfail", "%u", s->chkfail);
			set(r, "chkdown", "%u", s->chkdown);
		}
		set(r, "lastchg", "%" PRIu64, secs_since(dp, s->last_change, now));
		if (s->checked)
			set(r, "downtime", "%" PRIu64,
			    (s->downtime_ms +
			     (s->down_since ? weir_tsc_to_ms(dp, now - s->down_since) : 0)) /
				    1000);
		set(r, "pid", "1");
		set(r, "iid", "%u", iid);
		set(r, "sid", "%u", s->id + 1);
		set(r, "lbtot", "%" PRIu64, sum.flows);
		set(r, "type", "2");
		set(r, "rate", "%u", s->rate.cur);
		set(r, "rate_max", "%u", s->rate.max);
		if (s->checked) {
			set(r, "check_status", "%s", weir_chk_status_name(s->chk.status));
			if (s->chk.status != WEIR_CHK_INI)
				set(r, "check_duration", "%u", s->chk.duration_ms);
			set(r, "check_desc", "%s", weir_chk_status_desc(s->chk.status));
			set(r, "check_rise", "%u", be->check.rise);
			set(r, "check_fall", "%u", be->check.fall);
			set(r, "check_health", "%u", s->chk.health);
			set(r, "last_chk", "%s", weir_chk_status_desc(s->chk.status));
		}
		set(r, "lastsess", "%" PRId64,
		    sum.last_flow ? (int64_t)secs_since(dp, sum.last_flow, now) : (int64_t)-1);
		/* What Weir's connects that succeeded took, in ms, as HAProxy's ctime. */
		if (sum.ctime_n > 0)
			set(r, "ctime", "%" PRIu64, (sum.ctime_us / sum.ctime_n + 500) / 1000);
		fmt_ip(s->addr, buf, sizeof(buf));
		set(r, "addr", "%s:%u", buf, rte_be_to_cpu_16(s->port));
		set(r, "mode", "%s", "tcp");
		set(r, "conn_tot", "%" PRIu64, sum.flows);
		set(r, "uweight", "%u", s->uweight);
		emit(ctx->out, r);
		memset(r, 0, sizeof(*r));

		flows += sum.flows;
		econ += sum.econ;
		wretr += sum.wretr;
		wredis += sum.wredis;
		bin += sum.bytes[WEIR_DIR_IN];
		bout += sum.bytes[WEIR_DIR_OUT];
		conns += __atomic_load_n(&be->conns[i], __ATOMIC_RELAXED);
		chkdown += s->chkdown;
		if (sum.last_flow > last)
			last = sum.last_flow;
		if (weir_server_usable(s)) {
			if (s->backup)
				bck++;
			else
				act++;
		}
	}
	for (i = 0; be->view != NULL && i < be->view->nb; i++)
		weight += be->view->srv[i].weight;
	set(r, "pxname", "%s", be->name);
	set(r, "svname", "BACKEND");
	set(r, "qcur", "0");
	set(r, "qmax", "0");
	set(r, "scur", "%" PRIu64, conns);
	set(r, "smax", "%u", __atomic_load_n(&be->smax[be->nb_srv], __ATOMIC_RELAXED));
	set(r, "stot", "%" PRIu64, flows);
	set(r, "econ", "%" PRIu64, econ);
	set(r, "wretr", "%" PRIu64, wretr);
	set(r, "wredis", "%" PRIu64, wredis);
	set(r, "bin", "%" PRIu64, bin);
	set(r, "bout", "%" PRIu64, bout);
	set(r, "status", "%s", be->view != NULL && be->view->nb > 0 ? "UP" : "DOWN");
	set(r, "weight", "%" PRIu64, weight);
	set(r, "act", "%u", act);
	set(r, "bck", "%u", bck);
	set(r, "chkdown", "%" PRIu64, chkdown);
	set(r, "lastchg", "%" PRIu64, secs_since(dp, be->last_change, now));
	set(r, "downtime", "%" PRIu64,
	    (be->downtime_ms + (be->down_since ? weir_tsc_to_ms(dp, now - be->down_since) : 0)) /
		    1000);
	set(r, "pid", "1");
	set(r, "iid", "%u", iid);
	set(r, "sid", "0");
	set(r, "lbtot", "%" PRIu64, flows);
	set(r, "type", "1");
	set(r, "rate", "%u", be->rate.cur);
	set(r, "rate_max", "%u", be->rate.max);
	set(r, "lastsess", "%" PRId64, last ? (int64_t)secs_since(dp, last, now) : (int64_t)-1);
	set(r, "mode", "%s", "tcp");
	set(r, "algo", "%s", weir_balance_name(be->algo));
	set(r, "conn_tot", "%" PRIu64, flows);
	emit(ctx->out, r);
	free(r);
}

static void cmd_show_stat(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_lb *lb = ctx->dp->lb;
	uint64_t now = rte_rdtsc();
	uint32_t i;

	(void)argc;
	(void)argv;
	cols_init();
	weir_rt_printf(ctx->out, "# %s\n", stat_header);
	for (i = 0; i < lb->nb_svc; i++)
		stat_service(ctx, &lb->svc[i], now);
	for (i = 0; i < lb->nb_be; i++)
		stat_backend(ctx, &lb->be[i], now);
}

/* HAProxy's numeric check status (HCHK_STATUS_*) and result (CHK_RES_*). */
static void haproxy_check_codes(const struct weir_server *s, unsigned int *status,
				unsigned int *res)
{
	switch (s->chk.status) {
	case WEIR_CHK_INI:
		*status = 1, *res = 0;
		break;
	case WEIR_CHK_L4OK:
		*status = 6, *res = 3;
		break;
	case WEIR_CHK_L4TOUT:
		*status = 7, *res = 2;
		break;
	case WEIR_CHK_L4CON:
		*status = 8, *res = 2;
		break;
	default:
		*status = 0, *res = 0;
	}
}

static void cmd_show_servers_state(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_lb *lb = dp->lb;
	uint64_t now = rte_rdtsc();
	uint32_t b, i;
	bool found = argc < 4;

	weir_rt_printf(ctx->out,
		       "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
		       "srv_uweight srv_iweight srv_time_since_last_change srv_check_status "
		       "srv_check_result srv_check_health srv_check_state srv_agent_state "
		       "bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
		       "srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n");
	for (b = 0; b < lb->nb_be; b++) {
		const struct weir_backend *be = &lb->be[b];

		if (argc >= 4 && strcmp(argv[3], be->name) != 0)
			continue;
		found = true;
		for (i = 0; i < be->nb_srv; i++) {
			const struct weir_server *s = &be->srv[i];
			unsigned int st, res;
			char addr[INET_ADDRSTRLEN];

			haproxy_check_codes(s, &st, &res);
			fmt_ip(s->addr, addr, sizeof(addr));
			weir_rt_printf(ctx->out,
				       "%u %s %u %s %s %u %u %u %u %" PRIu64
				       " %u %u %u %u 0 0 0 - %u - 0 %u - - 0\n",
				       lb->nb_svc + be->index + 1, be->name, s->id + 1, s->name,
				       addr, s->op == WEIR_SRV_UP ? 2u : 0u,
				       s->admin == WEIR_SRV_MAINT   ? 0x01u
				       : s->admin == WEIR_SRV_DRAIN ? 0x08u
								    : 0u,
				       s->uweight, s->iweight, secs_since(dp, s->last_change, now),
				       st, res, s->chk.health, s->checked ? 6u : 0u,
				       rte_be_to_cpu_16(s->port),
				       s->checked ? rte_be_to_cpu_16(s->check_port) : 0u);
		}
	}
	if (!found)
		weir_rt_printf(ctx->out, "Can't find backend.\n");
}

/* The server named by "backend/server", or NULL after printing HAProxy's error. */
static struct weir_server *server_arg(struct weir_rt_ctx *ctx, int argc, char **argv, int i)
{
	struct weir_server *s;

	if (argc <= i || strchr(argv[i], '/') == NULL) {
		weir_rt_printf(ctx->out, "Require 'backend/server'.\n");
		return NULL;
	}
	s = weir_lb_find_server(ctx->dp->lb, argv[i]);
	if (s == NULL)
		weir_rt_printf(ctx->out, "No such server.\n");
	return s;
}

/* Change @s's administrative state and republish its backend. */
static void set_admin(struct weir_dp *dp, struct weir_server *s, uint8_t admin)
{
	uint64_t now = rte_rdtsc();

	if (s->admin == admin)
		return;
	if (admin == WEIR_SRV_MAINT) {
		/* Into maintenance, as in HAProxy: the server stops and its checks pause. */
		if (s->op == WEIR_SRV_UP) {
			s->op = WEIR_SRV_DOWN;
			s->down_since = now;
		}
		s->chk.health = 0;
		weir_health_forget(dp, s); /* the answer to a probe in flight is ignored */
		WEIR_LOG(WARNING, health, "Server %s/%s is going DOWN for maintenance.\n",
			 s->be->name, s->name);
	} else if (s->admin == WEIR_SRV_MAINT) {
		/*
		 * Out of it, as in HAProxy: up at once, at the edge of going down (health
		 * rise), and checked right away: one failure takes it down again.
		 */
		s->op = WEIR_SRV_UP;
		if (s->down_since != 0)
			s->downtime_ms += weir_tsc_to_ms(dp, now - s->down_since);
		s->down_since = 0;
		s->chk.health = s->be->check.rise;
		s->chk.next = 0;
		WEIR_LOG(WARNING, health, "Server %s/%s is UP (leaving forced maintenance).\n",
			 s->be->name, s->name);
	}
	s->admin = admin;
	s->last_change = now;
	weir_lb_update(dp, s->be);
}

static void cmd_set_server(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_server *s = server_arg(ctx, argc, argv, 2);

	if (s == NULL)
		return;
	if (argc >= 5 && strcmp(argv[3], "state") == 0) {
		if (strcmp(argv[4], "ready") == 0)
			set_admin(ctx->dp, s, WEIR_SRV_READY);
		else if (strcmp(argv[4], "drain") == 0)
			set_admin(ctx->dp, s, WEIR_SRV_DRAIN);
		else if (strcmp(argv[4], "maint") == 0)
			set_admin(ctx->dp, s, WEIR_SRV_MAINT);
		else
			weir_rt_printf(ctx->out, "'set server <srv> state' expects 'ready', "
						 "'drain' and 'maint'.\n");
		return;
	}
	if (argc >= 5 && strcmp(argv[3], "weight") == 0) {
		char *end;
		long v = strtol(argv[4], &end, 10);

		if (end == argv[4] || (*end != '\0' && strcmp(end, "%") != 0)) {
			weir_rt_printf(ctx->out, "Require <weight> or <weight%%>.\n");
			return;
		}
		if (*end == '%') {
			/* As HAProxy: a share of the configured weight, at most 256. */
			if (v < 0) {
				weir_rt_printf(ctx->out, "Relative weight must be positive.\n");
				return;
			}
			v = (long)s->iweight * RTE_MIN(v, 25600L) / 100;
			v = RTE_MIN(v, 256L);
		}
		if (v < 0 || v > 256) {
			weir_rt_printf(ctx->out, "Absolute weight can only be between 0 and 256 "
						 "inclusive.\n");
			return;
		}
		if ((uint32_t)v != s->uweight) {
			s->uweight = (uint32_t)v;
			weir_lb_update(ctx->dp, s->be);
		}
		return;
	}
	weir_rt_printf(ctx->out, "'set server <srv>' only supports 'state' and 'weight'.\n");
}

static void cmd_enable_server(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_server *s = server_arg(ctx, argc, argv, 2);

	if (s != NULL)
		set_admin(ctx->dp, s, WEIR_SRV_READY);
}

static void cmd_disable_server(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_server *s = server_arg(ctx, argc, argv, 2);

	if (s != NULL)
		set_admin(ctx->dp, s, WEIR_SRV_MAINT);
}

/* Filters of the flow dump. */
struct flow_filter {
	uint32_t vip, client;
	int32_t srv; /* gid or -1 */
	uint64_t limit;
};

static bool parse_filter(struct weir_rt_ctx *ctx, int argc, char **argv, struct flow_filter *f)
{
	int i;

	f->vip = f->client = 0;
	f->srv = -1;
	f->limit = 100000;
	for (i = 2; i < argc; i += 2) {
		struct in_addr a;

		if (i + 1 >= argc) {
			weir_rt_printf(ctx->out, "Missing value after '%s'.\n", argv[i]);
			return false;
		}
		if (strcmp(argv[i], "vip") == 0 || strcmp(argv[i], "client") == 0) {
			if (inet_pton(AF_INET, argv[i + 1], &a) != 1) {
				weir_rt_printf(ctx->out, "'%s' is not an IPv4 address.\n",
					       argv[i + 1]);
				return false;
			}
			*(argv[i][0] == 'v' ? &f->vip : &f->client) = a.s_addr;
		} else if (strcmp(argv[i], "server") == 0) {
			struct weir_server *s = server_arg(ctx, argc, argv, i + 1);

			if (s == NULL)
				return false;
			f->srv = (int32_t)s->gid;
		} else if (strcmp(argv[i], "limit") == 0) {
			char *end;

			errno = 0;
			f->limit = strtoull(argv[i + 1], &end, 10);
			if (argv[i + 1][0] < '0' || argv[i + 1][0] > '9' || *end != '\0' ||
			    errno != 0) {
				weir_rt_printf(ctx->out,
					       "'limit' expects a number of flows, not '%s'.\n",
					       argv[i + 1]);
				return false;
			}
		} else {
			weir_rt_printf(ctx->out,
				       "Unknown filter '%s': use vip, server, client, "
				       "limit.\n",
				       argv[i]);
			return false;
		}
	}
	return true;
}

static void cmd_show_flows(struct weir_rt_ctx *ctx, int argc, char **argv)
{
	struct weir_dp *dp = ctx->dp;
	struct weir_lb *lb = dp->lb;
	struct flow_filter flt;
	uint64_t now = rte_rdtsc(), shown = 0;
	uint16_t w;
	uint32_t i;

	if (!parse_filter(ctx, argc, argv, &flt))
		return;
	weir_rt_printf(ctx->out, "# worker proto client vip service server local state age_ms "
				 "idle_ms pkts_in bytes_in pkts_out bytes_out\n");
	for (w = 0; w < dp->nb_workers; w++) {
		const struct weir_flow_table *t = dp->workers[w].l4->ft;

		for (i = 0; i < t->capacity && shown < flt.limit; i++) {
			struct weir_flow f;
			char c[INET_ADDRSTRLEN], v[INET_ADDRSTRLEN], l[INET_ADDRSTRLEN];
			const struct weir_server *s;

			/* A slot being created or freed, or changed while copied, is skipped. */
			if (!weir_flow_copy(&t->flows[i], &f))
				continue;
			if (f.fwd.proto == 0 || f.srv >= lb->nb_srv || f.svc >= lb->nb_svc)
				continue;
			if ((flt.vip && f.fwd.dst != flt.vip) ||
			    (flt.client && f.fwd.src != flt.client) ||
			    (flt.srv >= 0 && f.srv != (uint32_t)flt.srv))
				continue;
			s = lb->srv[f.srv];
			fmt_ip(f.fwd.src, c, sizeof(c));
			fmt_ip(f.fwd.dst, v, sizeof(v));
			if (f.flags & WEIR_FLOW_F_DSR)
				snprintf(l, sizeof(l), "-");
			else
				fmt_ip(f.laddr, l, sizeof(l));
			weir_rt_printf(
				ctx->out,
				"%u %s %s:%u %s:%u %s %s/%s %s:%u %s %" PRIu64 " %" PRIu64
				" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				w, f.fwd.proto == IPPROTO_TCP ? "tcp" : "udp", c,
				rte_be_to_cpu_16(f.fwd.sport), v, rte_be_to_cpu_16(f.fwd.dport),
				lb->svc[f.svc].name, s->be->name, s->name, l,
				(f.flags & WEIR_FLOW_F_DSR) ? 0 : rte_be_to_cpu_16(f.lport),
				weir_flow_state_name(f.state), weir_tsc_to_ms(dp, now - f.created),
				weir_tsc_to_ms(dp, now > f.last ? now - f.last : 0),
				f.pkts[WEIR_DIR_IN], f.bytes[WEIR_DIR_IN], f.pkts[WEIR_DIR_OUT],
				f.bytes[WEIR_DIR_OUT]);
			shown++;
		}
	}
}

static const struct weir_rt_cmd l4_cmds[] = {
	{ { "show", "stat" },
	  "show stat",
	  "services, backends and servers (HAProxy CSV)",
	  cmd_show_stat },
	{ { "show", "servers", "state" },
	  "show servers state [<backend>]",
	  "server states and weights (HAProxy format)",
	  cmd_show_servers_state },
	{ { "set", "server" },
	  "set server <b>/<s> state ready|drain|maint",
	  "change a server's administrative state",
	  cmd_set_server },
	{ { "set", "server" },
	  "set server <b>/<s> weight <w>[%]",
	  "change a server's weight",
	  cmd_set_server },
	{ { "enable", "server" },
	  "enable server <b>/<s>",
	  "take a server out of maintenance",
	  cmd_enable_server },
	{ { "disable", "server" },
	  "disable server <b>/<s>",
	  "put a server in maintenance",
	  cmd_disable_server },
	{ { "show", "flows" },
	  "show flows [vip <a>] [server <b>/<s>] [client <a>] [limit <n>]",
	  "the L4 flows of every worker",
	  cmd_show_flows },
};

void weir_l4_register_commands(void)
{
	weir_rt_register(l4_cmds, RTE_DIM(l4_cmds));
}
