/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A token bucket of one token a millisecond: the budget of the answers a worker sends
 * to packets it refuses or cannot deliver (RSTs, ICMP errors), so that a flood of such
 * packets cannot make it a sender of as many: as Linux limits its ICMP errors
 * (icmp_msgs_per_sec 1000, burst 50), and FreeBSD its RSTs to closed and open ports.
 */
#ifndef WEIR_TOKENS_H
#define WEIR_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

/* All zero is a full bucket. */
struct weir_tokens {
	uint64_t ms;    /* when the bucket was last topped up */
	uint32_t spent; /* tokens taken and not yet given back */
};

/* Take a token of @b at @now_ms, @burst at most in the bucket: false when it is empty. */
static inline bool weir_tokens_take(struct weir_tokens *b, uint64_t now_ms, uint32_t burst)
{
	uint64_t ms = now_ms - b->ms;

	b->ms = now_ms;
	b->spent = ms >= b->spent ? 0 : b->spent - (uint32_t)ms;
	if (b->spent >= burst)
		return false;
	b->spent++;
	return true;
}

#endif
