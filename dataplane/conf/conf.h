/* SPDX-License-Identifier: BSD-3-Clause */
/* Weir configuration: the validated, immutable model of weir.conf. */
#ifndef WEIR_CONF_H
#define WEIR_CONF_H

/*
 * This library is linked by every Weir program (the dataplane, weir-mgmtd, weirctl), so
 * it depends on libconfig and libc only, never on DPDK. Addresses are kept in network
 * byte order (as they appear on the wire); durations in milliseconds unless the name
 * says otherwise.
 *
 * weir_conf_load() either returns a complete, cross-checked model or NULL with every
 * problem it found in @errs, each formatted "FILE:LINE: message", so an operator sees
 * the same text from `weir-dataplane --check`, the dataplane at start, and the web UI.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEIR_NAME_MAX         32  /* names of interfaces, services, backends, servers */
#define WEIR_DEVICE_MAX       256 /* a PCI address or a vdev spec */
#define WEIR_PATH_MAX         256
#define WEIR_MAX_WORKERS      64
#define WEIR_CONF_MIN_LPORTS  8 /* global.local_ports: the fewest a slice may have */
#define WEIR_MAX_IFACES       16
#define WEIR_MAX_LADDRS       16  /* local (source) addresses of one full-NAT service */
#define WEIR_MAX_LADDRS_ALL   128 /* of all services, each address once, defaults included */
#define WEIR_MAX_SERVERS      1024
#define WEIR_MAX_SERVERS_ALL  65535 /* of all backends: a flow keeps a server in 16 bits */
#define WEIR_MAX_SERVICES     65535 /* a flow keeps its service in 16 bits */
#define WEIR_MAX_VIP_SERVICES 16    /* services on one VIP (protocols and ports) */
#define WEIR_MAX_IFACE_ADDRS  64    /* addresses one interface answers ARP for */
#define WEIR_CONF_MAX_ERR     64    /* errors kept; more are counted, not stored */

enum weir_hugepages {
	WEIR_HUGEPAGES_AUTO = 0, /* use them when reserved and mounted, else --no-huge */
	WEIR_HUGEPAGES_ON,       /* refuse to start without them */
	WEIR_HUGEPAGES_OFF,      /* always --no-huge */
};

enum weir_poll_mode {
	WEIR_POLL_BUSY = 0, /* spin on the queues: lowest latency, one CPU per worker */
	WEIR_POLL_ADAPTIVE, /* sleep briefly after a run of empty polls: shares CPUs */
};

/* What a VIP answers to what no service nor flow takes (a closed port, a lost flow). */
enum weir_unmatched {
	WEIR_UNMATCHED_REJECT = 0, /* as a host's closed port: TCP RST, ICMP port unreachable */
	WEIR_UNMATCHED_DROP,       /* silence */
};

enum weir_proto {
	WEIR_PROTO_TCP = 6,
	WEIR_PROTO_UDP = 17,
};

enum weir_svc_mode {
	WEIR_MODE_NAT = 0, /* full-NAT: destination and source rewritten */
	WEIR_MODE_DSR,     /* direct server return: only the destination MAC changes */
	WEIR_MODE_TCP,     /* TCP full proxy on Weir's own stack */
};

enum weir_balance {
	WEIR_BALANCE_ROUNDROBIN = 0, /* plain rotation, weights ignored */
	WEIR_BALANCE_WRR,            /* smooth weighted round robin */
	WEIR_BALANCE_LEASTCONN,      /* fewest active flows relative to weight */
	WEIR_BALANCE_RANDOM,         /* power of two random choices, weighted */
	WEIR_BALANCE_SOURCE,         /* hash of the client address over the weights */
	WEIR_BALANCE_MAGLEV,         /* consistent hash, Maglev lookup table */
	WEIR_BALANCE_LEASTTIME,      /* lowest EWMA of connect time, weighted */
	WEIR_BALANCE_MAX
};

enum weir_all_down {
	WEIR_ALL_DOWN_DROP = 0, /* silently drop new flows */
	WEIR_ALL_DOWN_RESET,    /* answer a new TCP flow with RST (UDP: ICMP port unreachable) */
};

enum weir_check_type {
	WEIR_CHECK_NONE = 0,
	WEIR_CHECK_TCP, /* SYN, expect SYN-ACK, then RST */
};

struct weir_conf_neigh {
	uint32_t reachable_ms; /* an entry is trusted this long after confirmation */
	uint32_t retrans_ms;   /* interval between ARP requests while resolving */
	uint32_t probes;       /* requests sent before an address is marked failed */
	uint32_t gc_stale_ms;  /* unused stale entries are removed after this */
	uint32_t max_entries;  /* table capacity */
};

/*
 * Timeouts, in milliseconds: the flow table's by TCP state (or UDP), and those of
 * TCP-proxy sessions (connecting to a server, a side idle).
 */
struct weir_conf_timeouts {
	uint32_t syn_ms;
	uint32_t established_ms;
	uint32_t fin_ms;
	uint32_t close_ms;
	uint32_t udp_ms;
	uint32_t connect_ms;
	uint32_t client_ms;
	uint32_t server_ms;
};

enum weir_conf_cookies {
	WEIR_COOKIES_AUTO = 0,
	WEIR_COOKIES_ALWAYS,
	WEIR_COOKIES_NEVER,
};

enum weir_conf_cc {
	WEIR_CC_NEWRENO = 0,
	WEIR_CC_CUBIC,
};

/* Weir's own TCP stack (TCP-proxy services), per worker. */
struct weir_conf_tcp {
	uint32_t max_conns;
	uint32_t syn_backlog;
	enum weir_conf_cookies syncookies;
	enum weir_conf_cc cc;
	uint32_t rcvbuf;
	uint32_t sndbuf;
	uint32_t rto_min_ms;
	uint32_t rto_max_ms;
	uint32_t rto_init_ms;
	uint32_t delack_ms;
	uint32_t time_wait_ms;
	uint32_t fin_wait2_ms;
	uint32_t keepalive_ms; /* 0: no keepalive */
	uint32_t keepalive_intvl_ms;
	uint32_t keepalive_probes;
	uint32_t syn_retries;
	uint32_t synack_retries;
	uint32_t data_retries;
};

/* A test fault injector on an interface: rates in parts per million, a seed. */
struct weir_conf_fault {
	bool enabled;
	uint32_t drop_ppm;
	uint32_t reorder_ppm;
	uint32_t duplicate_ppm;
	uint64_t seed;
};

struct weir_conf_global {
	uint32_t workers;
	enum weir_poll_mode poll_mode;
	enum weir_unmatched unmatched;
	uint32_t memory_mb;
	enum weir_hugepages hugepages;
	char file_prefix[WEIR_NAME_MAX];
	uint32_t mbufs; /* packet buffers in the pool */
	char log_level[16];
	int main_cpu;                      /* -1: first CPU of the affinity set */
	int worker_cpus[WEIR_MAX_WORKERS]; /* valid when nb_worker_cpus > 0 */
	uint32_t nb_worker_cpus;
	char runtime_socket[WEIR_PATH_MAX];
	uint32_t runtime_mode; /* permission bits of the socket, e.g. 0660 */
	struct weir_conf_neigh neigh;
	uint32_t flow_capacity; /* flow entries per worker */
	uint32_t lport_first;   /* full-NAT source ports: first .. last */
	uint32_t lport_last;
	struct weir_conf_timeouts timeouts;
	struct weir_conf_tcp tcp;
};

struct weir_conf_iface {
	char name[WEIR_NAME_MAX];
	char device[WEIR_DEVICE_MAX]; /* PCI address (0000:03:00.0) or vdev spec */
	bool is_pci;
	uint32_t addr; /* network order */
	uint8_t prefixlen;
	uint32_t gateway; /* network order; 0 when none */
	uint32_t mtu;
	uint32_t rx_desc;
	uint32_t tx_desc;
	struct weir_conf_fault fault;
	int line; /* where it was defined, for later messages */
};

struct weir_conf_check {
	enum weir_check_type type;
	uint32_t inter_ms;     /* between checks while the server is stable */
	uint32_t fastinter_ms; /* while a server is changing state */
	uint32_t downinter_ms; /* while a server is down */
	uint32_t timeout_ms;   /* a check without an answer by then failed */
	uint32_t rise;         /* successes to go up */
	uint32_t fall;         /* failures to go down */
	uint16_t port;         /* 0: the server's own port */
};

struct weir_conf_server {
	char name[WEIR_NAME_MAX];
	uint32_t addr; /* network order */
	uint16_t port; /* 0: the port the client asked for (port ranges) */
	uint32_t weight;
	uint32_t maxconn; /* 0: unlimited */
	bool backup;
	bool check; /* take part in the backend's health check */
	int line;
};

struct weir_conf_backend {
	char name[WEIR_NAME_MAX];
	enum weir_balance balance;
	uint32_t maglev_size; /* prime; Maglev lookup table entries */
	struct weir_conf_check check;
	enum weir_all_down all_down;
	struct weir_conf_server *servers;
	uint32_t nb_servers;
	int line;
};

struct weir_conf_service {
	char name[WEIR_NAME_MAX];
	uint32_t vip; /* network order */
	enum weir_proto proto;
	uint16_t port_min; /* host order; equal for a single port */
	uint16_t port_max;
	enum weir_svc_mode mode;
	int backend;                        /* index into weir_conf.backends */
	int iface;                          /* index of the interface the VIP is announced on */
	uint32_t laddrs[WEIR_MAX_LADDRS];   /* full-NAT source addresses, network order */
	uint32_t nb_laddrs;                 /* 0: the server-side interface address */
	struct weir_conf_timeouts timeouts; /* global ones unless overridden */
	int line;
};

/* A neighbour whose MAC is given, not resolved (static ARP entry). */
struct weir_conf_neighbour {
	uint32_t addr; /* network order */
	uint8_t mac[6];
	int iface; /* index of its interface */
	int line;
};

struct weir_conf_stick_table {
	char name[WEIR_NAME_MAX];
	uint32_t size;
	uint32_t expire_ms;
	int line;
};

struct weir_conf {
	char path[WEIR_PATH_MAX];
	struct weir_conf_global global;
	struct weir_conf_iface ifaces[WEIR_MAX_IFACES];
	uint32_t nb_ifaces;
	struct weir_conf_backend *backends;
	uint32_t nb_backends;
	struct weir_conf_service *services;
	uint32_t nb_services;
	struct weir_conf_stick_table *stick_tables;
	uint32_t nb_stick_tables;
	struct weir_conf_neighbour *neighbours;
	uint32_t nb_neighbours;
};

/* Every problem found in one load, in file order. */
struct weir_conf_errors {
	char *msg[WEIR_CONF_MAX_ERR]; /* "FILE:LINE: message", heap strings */
	unsigned int count;           /* stored messages */
	unsigned int dropped;         /* found beyond WEIR_CONF_MAX_ERR */
};

/*
 * Parse and validate @path. Returns a new model, or NULL when the file cannot be read
 * or holds any error; then @errs lists them all (the caller releases it with
 * weir_conf_errors_clear()). Never prints.
 */
struct weir_conf *weir_conf_load(const char *path, struct weir_conf_errors *errs);

/* Same as weir_conf_load() on a text in memory; @name stands for the file in messages. */
struct weir_conf *weir_conf_load_string(const char *text, const char *name,
					struct weir_conf_errors *errs);

void weir_conf_free(struct weir_conf *conf);
void weir_conf_errors_clear(struct weir_conf_errors *errs);

/*
 * Sizes, in bytes, of what the dataplane allocates in DPDK memory per flow, connection,
 * neighbour and packet buffer, for weir_conf_memory(). Weir's own are those of x86-64
 * (64-byte cache lines) and asserted equal where they are allocated; DPDK's are asserted
 * as a minimum, so that the estimate never exceeds what a start takes.
 */
#define WEIR_MEM_FLOW           192            /* struct weir_flow (l4/flow.h) */
#define WEIR_MEM_FLOW_BUCKET    64             /* struct weir_flow_bucket (l4/flow.h) */
#define WEIR_MEM_TCP_CONN       1208           /* struct weir_tcp_conn (tcp/tcp_impl.h) */
#define WEIR_MEM_PROXY_SESS     152            /* struct weir_proxy_sess (l4/proxy.c) */
#define WEIR_MEM_NEIGH          40             /* struct weir_neigh_entry (net/neigh.h) */
#define WEIR_MEM_MBUF           128            /* struct rte_mbuf */
#define WEIR_MEM_MBUF_HEADROOM  128            /* RTE_PKTMBUF_HEADROOM */
#define WEIR_MEM_MBUF_ROOM      2048           /* RTE_MBUF_DEFAULT_DATAROOM: the least data room */
#define WEIR_MEM_FRAME_OVERHEAD 26             /* room beyond the MTU (core/lifecycle.c) */
#define WEIR_MEM_POOL_CACHES    (128u * 8256u) /* the pool's per-lcore caches */

/* What a config needs of DPDK memory (global.memory_mb), in bytes, by part. */
struct weir_conf_memory {
	uint64_t pool;   /* the packet pool (global.mbufs) */
	uint64_t flows;  /* one worker's flow table (global.flows) */
	uint64_t tcp;    /* one worker's TCP stack and sessions; 0 without tcp services */
	uint64_t worker; /* one worker's local ports */
	uint64_t neigh;  /* the neighbour table */
	uint64_t total;  /* all of it, every worker counted */
};

/*
 * What @conf needs of DPDK memory at start, at least (the large tables weir_dp_init()
 * allocates; see conf/memory.c). @page_size is 0 with hugepages, else the page size of
 * the memory DPDK uses without them, where packet buffers take whole pages. The loader
 * refuses a config whose total, with hugepages, exceeds global.memory_mb; start-up
 * checks it again without them.
 */
void weir_conf_memory(const struct weir_conf *conf, uint64_t page_size, struct weir_conf_memory *m);

/* "about N MiB: W workers x ... MiB (flows = F: ... MiB, ...), ..." into @buf, snprintf()'s way. */
int weir_conf_memory_text(const struct weir_conf *conf, const struct weir_conf_memory *m, char *buf,
			  size_t len);

/* Names used in config files and runtime output. */
const char *weir_balance_name(enum weir_balance b);
const char *weir_mode_name(enum weir_svc_mode m);
const char *weir_proto_name(enum weir_proto p);

/* Index of the interface whose subnet holds @addr (network order), or -1. */
int weir_conf_iface_for(const struct weir_conf *conf, uint32_t addr);

#endif
