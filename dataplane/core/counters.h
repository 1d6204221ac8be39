/* SPDX-License-Identifier: BSD-3-Clause */
/* Drop reasons and event counters, defined once as X-macros. */
#ifndef WEIR_COUNTERS_H
#define WEIR_COUNTERS_H

/*
 * Every packet a worker does not forward or answer ends in exactly one drop reason.
 * The name is what `show info` prints after "Drop_". Later subsystems add their
 * reasons here so the list stays the single place an operator reads from.
 */
#define WEIR_DROP_REASONS(X)                                                                  \
	X(ETH_SHORT, "eth_short", "frame shorter than an Ethernet header")                    \
	X(ETH_DST_OTHER, "eth_dst_other", "unicast frame for another MAC address")            \
	X(ETH_MULTICAST, "eth_multicast", "multicast frame")                                  \
	X(ETH_SRC_GROUP, "eth_src_group", "source MAC address a group (multicast) address")   \
	X(ETH_VLAN, "eth_vlan", "VLAN-tagged frame")                                          \
	X(ETH_PROTO, "eth_proto", "EtherType other than ARP and IPv4")                        \
	X(ARP_MALFORMED, "arp_malformed", "ARP with a bad length, hardware or protocol type") \
	X(ARP_OP, "arp_op", "ARP operation other than request and reply")                     \
	X(ARP_SRC_INVALID, "arp_src_invalid", "ARP from a broadcast or multicast address")    \
	X(ARP_NOT_OURS, "arp_not_ours", "ARP request for an address Weir does not own")       \
	X(IPV4_SHORT, "ipv4_short", "IPv4 packet shorter than its headers")                   \
	X(IPV4_VERSION, "ipv4_version", "IP version other than 4")                            \
	X(IPV4_IHL, "ipv4_ihl", "IPv4 header length below 20 bytes")                          \
	X(IPV4_LEN, "ipv4_len", "IPv4 total length beyond the frame or below the header")     \
	X(IPV4_CSUM, "ipv4_csum", "IPv4 header checksum mismatch")                            \
	X(IPV4_SRC_MARTIAN, "ipv4_src_martian", "IPv4 source address that cannot be a host")  \
	X(IPV4_FRAGMENT, "ipv4_fragment", "IPv4 fragment")                                    \
	X(IPV4_NOT_OURS, "ipv4_not_ours", "IPv4 destination that Weir does not own")          \
	X(IPV4_PROTO, "ipv4_proto", "IP protocol not served at that destination")             \
	X(ICMP_SHORT, "icmp_short", "ICMP message shorter than its header")                   \
	X(ICMP_CSUM, "icmp_csum", "ICMP checksum mismatch")                                   \
	X(ICMP_TYPE, "icmp_type", "ICMP type Weir does not answer")                           \
	X(ICMP_QUOTE, "icmp_quote", "ICMP error quoting no TCP/UDP datagram Weir sent")       \
	X(ICMP_NO_FLOW, "icmp_no_flow", "ICMP error about a datagram of no L4 flow")          \
	X(TCP_SHORT, "tcp_short", "TCP segment shorter than its header")                      \
	X(TCP_CSUM, "tcp_csum", "TCP checksum mismatch")                                      \
	X(TCP_FLAGS, "tcp_bad_flags", "TCP flag combination no endpoint sends")               \
	X(UDP_SHORT, "udp_short", "UDP datagram shorter than its header or its length field") \
	X(UDP_CSUM, "udp_csum", "UDP checksum mismatch")                                      \
	X(NO_SERVICE, "no_service", "to a port and protocol nothing of Weir's listens on")    \
	X(NO_FLOW, "no_flow", "TCP segment other than SYN, or a reply, without a flow")       \
	X(NO_SERVER, "no_server", "new flow while no server (nor backup) is usable")          \
	X(SERVER_FULL, "server_full", "new flow while every usable server is at maxconn")     \
	X(FLOW_FULL, "flow_table_full", "new flow while the worker's flow table is full")     \
	X(LPORT_EXHAUSTED, "lport_exhausted", "no free full-NAT source port")                 \
	X(REDIRECT_FULL, "redirect_full", "ring to the worker owning the flow full")          \
	X(TO_MAIN_FULL, "to_main_full", "ring to the main lcore full")                        \
	X(NEIGH_MISS, "neigh_miss", "no MAC address known yet for the next hop")              \
	X(MTU_EXCEEDED, "mtu_exceeded", "datagram larger than the outgoing interface's MTU")  \
	X(TTL_EXCEEDED, "ttl_exceeded", "datagram to forward whose TTL would reach 0")        \
	X(TX_FULL, "tx_full", "transmit queue full")                                          \
	X(NO_MBUF, "no_mbuf", "packet buffer pool exhausted")

enum weir_drop {
#define X(id, name, doc) WEIR_DROP_##id,
	WEIR_DROP_REASONS(X)
#undef X
		WEIR_DROP_MAX
};

/* Things that happen and are worth counting but are not drops. */
#define WEIR_EVENTS(X)                                      \
	X(ARP_REQUEST_IN, "arp_requests_in")                \
	X(ARP_REPLY_OUT, "arp_replies_out")                 \
	X(ARP_REPLY_IN, "arp_replies_in")                   \
	X(ICMP_ECHO_IN, "icmp_echo_in")                     \
	X(ICMP_ECHO_OUT, "icmp_echo_out")                   \
	X(CTRL_TX, "ctrl_tx")                               \
	X(EVENT_LOST, "events_lost")                        \
	X(REDIRECTED, "redirected")                         \
	X(TO_MAIN, "to_main")                               \
	X(REFUSALS_SENT, "refusals_sent")                   \
	X(L4_FAST_PATH, "l4_fast_path")                     \
	X(ICMP_ERR_FWD, "icmp_errors_forwarded")            \
	X(ICMP_FRAG_NEEDED_OUT, "icmp_frag_needed_out")     \
	X(ICMP_TIME_EXCEEDED_OUT, "icmp_time_exceeded_out") \
	X(ANSWERS_LIMITED, "answers_limited")               \
	X(TCP_NO_CONN_RST, "tcp_no_conn_rsts")              \
	X(TCP_NO_CONN_RST_LIMITED, "tcp_no_conn_rsts_limited")

enum weir_event {
#define X(id, name) WEIR_EV_##id,
	WEIR_EVENTS(X)
#undef X
		WEIR_EV_MAX
};

extern const char *const weir_drop_names[WEIR_DROP_MAX];
extern const char *const weir_drop_docs[WEIR_DROP_MAX];
extern const char *const weir_event_names[WEIR_EV_MAX];

#endif
