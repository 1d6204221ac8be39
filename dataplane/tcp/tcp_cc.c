/* SPDX-License-Identifier: BSD-3-Clause */
/* Congestion control behind tcp_cc_ops: NewReno (RFC 5681, RFC 3465) and CUBIC (RFC 9438). */
#include <math.h>

#include "tcp/tcp_impl.h"

#define CWND_MAX (1u << 30)

/* Slow start with appropriate byte counting (RFC 3465, L = 2 SMSS). */
static void slow_start(struct weir_tcp_conn *c, uint32_t acked)
{
	uint32_t mss = tcp_smss(c), inc = acked < 2 * mss ? acked : 2 * mss;

	c->cwnd = c->cwnd + inc > CWND_MAX ? CWND_MAX : c->cwnd + inc;
}

/* IW (RFC 6928), ssthresh as large as possible. */
static void newreno_init(struct weir_tcp_conn *c)
{
	c->cwnd = TCP_IW_SEGS * tcp_smss(c);
	c->ssthresh = UINT32_MAX;
	c->cc_acc = 0;
}

/* Slow start below ssthresh, else one SMSS per cwnd of bytes acknowledged. */
static void newreno_cong_avoid(struct weir_tcp_conn *c, uint32_t acked)
{
	if (c->cwnd < c->ssthresh) {
		slow_start(c, acked);
		return;
	}
	c->cc_acc += acked;
	if (c->cc_acc >= c->cwnd) {
		c->cc_acc -= c->cwnd;
		if (c->cwnd < CWND_MAX)
			c->cwnd += tcp_smss(c);
	}
}

/* RFC 5681 (4): half the flight, at least two segments. */
static uint32_t newreno_ssthresh(struct weir_tcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una, mss = tcp_smss(c);

	c->cc_acc = 0;
	return flight / 2 > 2 * mss ? flight / 2 : 2 * mss;
}

static const struct tcp_cc_ops newreno = {
	.name = "newreno",
	.init = newreno_init,
	.cong_avoid = newreno_cong_avoid,
	.ssthresh = newreno_ssthresh,
};

#define CUBIC_C    0.4
#define CUBIC_BETA 0.7

/* NewReno's start, and no cubic epoch yet. */
static void cubic_init(struct weir_tcp_conn *c)
{
	newreno_init(c);
	c->cubic.w_max = 0;
	c->cubic.k = 0;
	c->cubic.w_est = 0;
	c->cubic.cnt = 0;
	c->cubic.epoch_us = 0;
}

/*
 * RFC 9438 §4: in congestion avoidance, cwnd follows W_cubic(t) = C (t - K)^3 + W_max,
 * aimed one RTT ahead and capped at 1.5 cwnd (§4.4), or the Reno-friendly estimate
 * W_est when that is larger (§4.3). Growth is spread over the ACKs of a window.
 */
static void cubic_cong_avoid(struct weir_tcp_conn *c, uint32_t acked)
{
	struct tcp_cubic *cu = &c->cubic;
	double mss = tcp_smss(c), cwnd = c->cwnd / mss, t, target, rtt, inc;
	const double alpha = 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);

	if (c->cwnd < c->ssthresh) {
		slow_start(c, acked);
		return;
	}
	if (cu->epoch_us == 0) {
		cu->epoch_us = c->s->now_us ? c->s->now_us : 1;
		if (cu->w_max < cwnd) {
			cu->w_max = cwnd;
			cu->k = 0;
		} else {
			cu->k = cbrt((cu->w_max - cwnd) / CUBIC_C);
		}
		cu->w_est = cwnd;
		cu->cnt = 0;
	}
	rtt = (c->srtt_us ? c->srtt_us : 100000) / 1e6;
	t = (double)(c->s->now_us - cu->epoch_us) / 1e6;
	target = CUBIC_C * pow(t + rtt - cu->k, 3) + cu->w_max;
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	cu->w_est += alpha * (acked / mss) / cwnd;
	if (CUBIC_C * pow(t - cu->k, 3) + cu->w_max < cu->w_est && cu->w_est > target)
		target = cu->w_est;
	/* (target - cwnd) / cwnd segments per segment acknowledged, in bytes. */
	inc = (target - cwnd) / cwnd * acked;
	cu->cnt += inc;
	if (cu->cnt >= 1.0) {
		uint32_t add = (uint32_t)cu->cnt;

		cu->cnt -= add;
		c->cwnd = c->cwnd + add > CWND_MAX ? CWND_MAX : c->cwnd + add;
	}
}

/* RFC 9438 §4.6, §4.7: multiplicative decrease by beta, with fast convergence. */
static uint32_t cubic_ssthresh(struct weir_tcp_conn *c)
{
	struct tcp_cubic *cu = &c->cubic;
	double mss = tcp_smss(c), cwnd = c->cwnd / mss;
	uint32_t th;

	if (cwnd < cu->w_max)
		cu->w_max = cwnd * (1 + CUBIC_BETA) / 2;
	else
		cu->w_max = cwnd;
	cu->epoch_us = 0;
	th = (uint32_t)(c->cwnd * CUBIC_BETA);
	return th > 2 * tcp_smss(c) ? th : 2 * tcp_smss(c);
}

/*
 * RFC 9438 §5.8: while the application is the limit, the window's time t does not run;
 * the epoch starts again (K from W_max and the cwnd now) once the flow uses its cwnd.
 */
static void cubic_app_limited(struct weir_tcp_conn *c)
{
	c->cubic.epoch_us = 0;
}

static const struct tcp_cc_ops cubic = {
	.name = "cubic",
	.init = cubic_init,
	.cong_avoid = cubic_cong_avoid,
	.app_limited = cubic_app_limited,
	.ssthresh = cubic_ssthresh,
};

const struct tcp_cc_ops *const tcp_cc_table[] = {
	[WEIR_TCP_CC_NEWRENO] = &newreno,
	[WEIR_TCP_CC_CUBIC] = &cubic,
};

/* Start @c's congestion control (the stack's algorithm, NewReno for an unknown one). */
void tcp_cc_init(struct weir_tcp_conn *c)
{
	if (c->cc >= sizeof(tcp_cc_table) / sizeof(tcp_cc_table[0]))
		c->cc = WEIR_TCP_CC_NEWRENO;
	tcp_cc_table[c->cc]->init(c);
}
