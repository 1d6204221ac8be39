/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the full-NAT rewrite of a TCP segment, options included (l4/nat.h), on
 * any header and option list a client or a server may send.
 *
 * Input: byte 0 picks the direction (bit 0: toward the client), the flags (bit 1: set
 * ACK) and the TTL (bits 2..7: 2 to 254, as the callers let a datagram through); bytes 1..8 are the
 * flow's seq_delta and ts_delta; bytes 9..12 vary its reply tuple (the server's and local
 * addresses, their ports); the rest is the TCP segment (header, options, payload), its data offset
 * clamped to the segment. The segment is built with valid checksums in a buffer of exactly its
 * size, so reading past it is caught, and must leave the rewrite with both checksums valid, the TTL
 * one down, its header length and its payload untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "l4/nat.h"

#define HDR 13

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weir_flow f;
	struct rte_ipv4_hdr *ip;
	uint8_t *buf, *th, *payload_copy;
	size_t len, hlen;
	int dir;

	if (size < HDR + sizeof(struct rte_tcp_hdr) || size - HDR > 1460)
		return 0;
	len = size - HDR;
	dir = data[0] & 1;
	memset(&f, 0, sizeof(f));
	memcpy(&f.seq_delta, data + 1, 4);
	memcpy(&f.ts_delta, data + 5, 4);
	weir_flow_key_set(&f.fwd, RTE_BE32(0x0a000002), RTE_BE32(0x0a00000a), RTE_BE16(40000),
			  RTE_BE16(80), IPPROTO_TCP);
	weir_flow_key_set(&f.rev, RTE_BE32(0x0a010100) | (uint32_t)data[9] << 24,
			  RTE_BE32(0x0a010000) | (uint32_t)data[10] << 24,
			  (uint16_t)(data[11] << 8), (uint16_t)(data[12] << 8 | 1), IPPROTO_TCP);
	weir_nat_deltas(&f);
	weir_nat_seq_deltas(&f);

	buf = malloc(sizeof(*ip) + len);
	payload_copy = malloc(len);
	if (buf == NULL || payload_copy == NULL) {
		free(buf);
		free(payload_copy);
		return 0;
	}
	ip = (struct rte_ipv4_hdr *)buf;
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + len));
	ip->time_to_live = (uint8_t)(2 + (data[0] >> 2) * 4);
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = dir == 0 ? f.fwd.src : f.rev.src;
	ip->dst_addr = dir == 0 ? f.fwd.dst : f.rev.dst;
	th = buf + sizeof(*ip);
	memcpy(th, data + HDR, len);
	/* The data offset within the segment, as the input paths require. */
	hlen = (size_t)(th[12] >> 4) * 4;
	if (hlen < sizeof(struct rte_tcp_hdr) || hlen > len) {
		hlen = sizeof(struct rte_tcp_hdr);
		th[12] = (uint8_t)((th[12] & 0x0f) | 5 << 4);
	}
	if (data[0] & 2)
		th[13] |= RTE_TCP_ACK_FLAG;
	/* The flow's ports: a segment of another flow never reaches its rewrite. */
	weir_wr16(th, dir == 0 ? f.fwd.sport : f.rev.sport);
	weir_wr16(th + 2, dir == 0 ? f.fwd.dport : f.rev.dport);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	((struct rte_tcp_hdr *)th)->cksum = 0;
	((struct rte_tcp_hdr *)th)->cksum = rte_ipv4_udptcp_cksum(ip, th);
	memcpy(payload_copy, th + hlen, len - hlen);

	weir_nat_rewrite(ip, th, offsetof(struct rte_tcp_hdr, cksum), &f, dir);

	if (weir_csum_fold(rte_raw_cksum(ip, sizeof(*ip))) != 0xffff ||
	    ip->time_to_live != (uint8_t)(1 + (data[0] >> 2) * 4))
		abort();
	if (weir_csum_fold((uint32_t)rte_raw_cksum(th, len) + rte_ipv4_phdr_cksum(ip, 0)) != 0xffff)
		abort();
	if (memcmp(payload_copy, th + hlen, len - hlen) != 0 || (size_t)(th[12] >> 4) * 4 != hlen)
		abort();
	free(payload_copy);
	free(buf);
	return 0;
}
