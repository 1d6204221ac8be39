/* SPDX-License-Identifier: BSD-3-Clause */
/* The sender's SACK scoreboard (RFC 2018) and the loss recovery queries of RFC 6675. */
#include "tcp/tcp_impl.h"

/* Bytes SACKed inside [a, b). */
static uint32_t sacked_in(const struct weir_tcp_conn *c, uint32_t a, uint32_t b)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < c->nsb; i++) {
		uint32_t s = SEQ_MAX(c->sb[i].start, a), e = SEQ_MIN(c->sb[i].end, b);

		if (SEQ_LT(s, e))
			n += e - s;
	}
	return n;
}

/* Bytes of holes (neither acknowledged nor SACKed) inside [a, b); 0 when b <= a. */
static uint32_t holes_in(const struct weir_tcp_conn *c, uint32_t a, uint32_t b)
{
	if (SEQ_LE(b, a))
		return 0;
	return (b - a) - sacked_in(c, a, b);
}

/*
 * Recompute the totals of the scoreboard: the SACKed bytes, and the loss edge: every
 * hole below it counts as lost, because more than (DupThresh - 1) * SMSS bytes or
 * DupThresh separate ranges above it were SACKed (RFC 6675 §4, IsLost).
 */
static void recompute(struct weir_tcp_conn *c)
{
	uint32_t cum = 0, limit = (TCP_DUPTHRESH - 1) * tcp_smss(c);
	int i;

	c->sacked = 0;
	c->lost_edge = c->snd_una;
	for (i = 0; i < c->nsb; i++)
		c->sacked += c->sb[i].end - c->sb[i].start;
	for (i = c->nsb - 1; i >= 0; i--) {
		cum += c->sb[i].end - c->sb[i].start;
		if (cum > limit || c->nsb - i >= TCP_DUPTHRESH) {
			c->lost_edge = c->sb[i].start;
			break;
		}
	}
}

/* Drop what the cumulative ACK (snd_una) now covers. */
void tcp_sack_clean(struct weir_tcp_conn *c)
{
	unsigned int i, j = 0;

	for (i = 0; i < c->nsb; i++) {
		if (SEQ_LE(c->sb[i].end, c->snd_una))
			continue;
		c->sb[j] = c->sb[i];
		if (SEQ_LT(c->sb[j].start, c->snd_una))
			c->sb[j].start = c->snd_una;
		j++;
	}
	c->nsb = (uint8_t)j;
	recompute(c);
}

/* Forget every SACK (after repeated timeouts: the receiver may have reneged). */
void tcp_sack_reset(struct weir_tcp_conn *c)
{
	c->nsb = 0;
	recompute(c);
}

/* Add [s, e) to the sorted, disjoint scoreboard, merging what it touches. */
static void insert(struct weir_tcp_conn *c, uint32_t s, uint32_t e)
{
	unsigned int i = 0, j;

	while (i < c->nsb && SEQ_LT(c->sb[i].end, s))
		i++;
	/* Merge every range from i on that overlaps or touches [s, e). */
	j = i;
	while (j < c->nsb && SEQ_LE(c->sb[j].start, e)) {
		s = SEQ_MIN(s, c->sb[j].start);
		e = SEQ_MAX(e, c->sb[j].end);
		j++;
	}
	if (j > i) {
		/* Ranges i..j-1 become one. */
		c->sb[i].start = s;
		c->sb[i].end = e;
		for (unsigned int k = i + 1, l = j; l < c->nsb; k++, l++)
			c->sb[k] = c->sb[l];
		c->nsb = (uint8_t)(c->nsb - (j - i - 1));
		return;
	}
	/* A new range at i; a full board loses its highest range, the least useful. */
	if (c->nsb == TCP_SB_MAX) {
		if (i == TCP_SB_MAX)
			return;
		c->nsb--;
	}
	for (j = c->nsb; j > i; j--)
		c->sb[j] = c->sb[j - 1];
	c->sb[i].start = s;
	c->sb[i].end = e;
	c->nsb++;
}

/*
 * Take the SACK blocks of an incoming ACK (after snd_una was advanced). Blocks outside
 * (snd_una, snd_max] are ignored (D-SACKs among them). Returns true when they SACKed
 * bytes that were not SACKed before: RFC 6675 counts such an ACK as a duplicate.
 */
bool tcp_sack_update(struct weir_tcp_conn *c, const struct tcp_opts *o)
{
	uint32_t before;
	unsigned int i;

	tcp_sack_clean(c);
	before = c->sacked;
	for (i = 0; i < o->nsack; i++) {
		uint32_t s = o->sack[i].start, e = o->sack[i].end;

		if (!SEQ_LT(s, e) || SEQ_LT(s, c->snd_una) || SEQ_GT(e, c->snd_max))
			continue;
		tcp_st(c)->sack_blocks_in++;
		insert(c, s, e);
	}
	recompute(c);
	return c->sacked > before;
}

/* True when @seq is SACKed; *@end is then the end of its range. */
bool tcp_sack_is_sacked(const struct weir_tcp_conn *c, uint32_t seq, uint32_t *end)
{
	unsigned int i;

	for (i = 0; i < c->nsb; i++)
		if (SEQ_LE(c->sb[i].start, seq) && SEQ_LT(seq, c->sb[i].end)) {
			*end = c->sb[i].end;
			return true;
		}
	return false;
}

/* The start of the first SACKed range above @seq, or snd_max when none. */
uint32_t tcp_sack_next_sacked(const struct weir_tcp_conn *c, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < c->nsb; i++)
		if (SEQ_GT(c->sb[i].start, seq))
			return c->sb[i].start;
	return c->snd_max;
}

/*
 * RFC 6675 §4 SetPipe: bytes believed in flight. Every hole byte counts unless lost,
 * and every retransmitted byte (below high_rxt) counts once more.
 */
uint32_t tcp_sack_pipe(const struct weir_tcp_conn *c)
{
	uint32_t unsacked = (c->snd_max - c->snd_una) - c->sacked;
	uint32_t hr = SEQ_MAX(c->high_rxt, c->snd_una);
	uint32_t lost = holes_in(c, c->snd_una, c->lost_edge);
	uint32_t rxt = holes_in(c, c->snd_una, SEQ_MIN(hr, c->lost_edge));

	return unsacked - lost + rxt + holes_in(c, c->lost_edge, hr);
}

/*
 * RFC 6675 NextSeg rule 1: the first lost hole byte at or above high_rxt, in *@seq,
 * and the bytes of that hole up to the loss edge, in *@len. False when none.
 */
bool tcp_sack_next_lost(const struct weir_tcp_conn *c, uint32_t *seq, uint32_t *len)
{
	uint32_t s = SEQ_MAX(c->high_rxt, c->snd_una), e;

	while (SEQ_LT(s, c->lost_edge) && tcp_sack_is_sacked(c, s, &e))
		s = e;
	if (!SEQ_LT(s, c->lost_edge))
		return false;
	e = SEQ_MIN(tcp_sack_next_sacked(c, s), c->lost_edge);
	*seq = s;
	*len = e - s;
	return *len > 0;
}
