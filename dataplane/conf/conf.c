/* SPDX-License-Identifier: BSD-3-Clause */
/* Weir configuration: reads weir.conf with libconfig and checks it into struct weir_conf. */

/*
 * Every error is stored as "FILE:LINE: MESSAGE", or "FILE: MESSAGE" where no line applies.
 * FILE is the path given to weir_conf_load(), the name given to weir_conf_load_string(),
 * or for a setting from an @include'd file "DIR/NAME" (DIR: the directory of the main
 * file, left out when that is "."; @include names are looked up there). LINE is the line
 * of the setting concerned; for a missing key, the line of the group that lacks it.
 * Errors are sorted by file (the main file first, then included files in the order they
 * were first met) and line; errors on the same line keep the order they were found in.
 *
 * OBJ names an object: interface 'NAME', backend 'NAME', server 'BACKEND/SERVER',
 * service 'NAME', stick table 'NAME'. While an object has no valid name it is named by
 * its 1-based position in its list: interface #N, backend #N, service #N, stick table #N,
 * server #N of backend 'B' (or server 'S' of backend #N, server #N of backend #M).
 * KEY is a key's dotted path: global.workers, global.neigh.probes, global.cpus.workers;
 * inside an object "OBJ: port", "OBJ: check.inter_ms", "OBJ: timeouts.syn_ms".
 * The "FILE:LINE: " before each message is left out below.
 *
 * Reading and syntax ("FILE: " only where marked "no line"):
 *   cannot read: STRERROR               no line
 *   larger than 16 MiB                  no line
 *   path longer than 255 characters     no line
 *   out of memory                       no line
 *   NUL byte in the file
 *   @include "F": not a regular file    (libconfig would exit the process on it)
 *   @include "F": larger than 16 MiB    (each included file too)
 *   TEXT                                libconfig's text: "syntax error", "duplicate
 *                                       setting name", "cannot open include file", ...
 * Structure:
 *   unknown key 'K'                     at the top level
 *   unknown key 'K' in global           also global.cpus, global.runtime, global.neigh,
 *                                       global.timeouts
 *   unknown key 'K' in OBJ
 *   unknown key 'K' in check of backend 'B'
 *   unknown key 'K' in timeouts of service 'S'
 *   missing required key 'interfaces'   (no line: the top level has none)
 *   OBJ: missing required key 'K'
 *   backend 'B': check: missing required key 'type'
 *   KEY: expected an integer            also: a string, a boolean, a group, a list,
 *                                       an array of integers, an array of strings
 *   OBJ: expected a group               a list element that is not a group
 *   OBJ: port: expected an integer or a "first-last" range
 *   global.runtime.mode: expected a string of octal digits, like "0660"
 * Values:
 *   KEY: V is out of range (LO..HI)     V as written when libconfig could not hold it
 *   KEY: N entries, expected LO..HI     lists and arrays
 *   KEY: 'V' is not one of A, B, C
 *   KEY: 'V' is not a valid name (1..31 characters of A-Za-z0-9_.-, starting with a
 *        letter or digit)
 *   KEY: 'V' is not an IPv4 address
 *   KEY: 'V' is not an IPv4 address with a prefix
 *   KEY: 'V' is not a PCI address (DDDD:BB:DD.F or BB:DD.F) or a vdev (net_af_packet,
 *        net_tap, net_pcap, net_ring or net_null followed by a number, then optionally
 *        ,ARGS)
 *   KEY: longer than N characters
 *   KEY: must not be empty
 *   KEY: N is not a power of two
 *   KEY: N is not a prime
 *   global.runtime.mode: 'V' is not an octal permission mode ("0000".."0777")
 *   OBJ: port: 'V' is not a "first-last" range
 *   OBJ: port: 'V' is out of range (1..65535)
 *   OBJ: port: 'V' has the first port above the last
 *   OBJ: local_addresses: A.B.C.D is given twice
 *   V is too large for an integer       an integer literal libconfig could not hold,
 *                                       where no integer key took it
 * Names (X: where the first one is, "line N", or "FILE:N" in another file):
 *   duplicate interface name 'N' (first at X)    also backend, service, stick table
 *   backend 'B': duplicate server name 'S' (first at X)
 *   service 'S': backend 'B' is not defined
 * Cross-checks:
 *   global.cpus.workers: N entries, expected W (one per worker)
 *   interface 'I': device 'D' is already used by interface 'J'   D: the vdev name (up to
 *                                        the first ','), or the PCI address with domain
 *   interface 'I': subnet A.B.C.D/P overlaps interface 'J' (A.B.C.D/P)
 *   interface 'I': gateway A.B.C.D is outside the subnet A.B.C.D/P
 *   interface 'I': gateway A.B.C.D is the interface's own address
 *   interface 'I': gateway: only one interface may have a gateway, interface 'J' has one
 *   backend 'B': maglev_size is only valid with balance maglev
 *   server 'B/S': check is true but backend 'B' has no check
 *   server 'B/S': address A.B.C.D is not in any interface subnet and no interface has a
 *                 gateway
 *   server 'B/S': address A.B.C.D is the address of interface 'I'
 *   server 'B/S': address A.B.C.D cannot be a host's   0/8, 127/8, 224/3
 *   service 'S': vip A.B.C.D is not in any interface subnet
 *   service 'S': vip A.B.C.D is the address of interface 'I'
 *   service 'S': vip A.B.C.D is the gateway of interface 'I'
 *   service 'S': mode tcp needs protocol tcp
 *   service 'S': local_addresses is only valid with mode nat or tcp
 *   service 'S': local_addresses: A.B.C.D is not in any interface subnet
 *   service 'S': overlaps service 'T' (A.B.C.D tcp port P)
 *   service 'S': vip A.B.C.D has more than 16 services
 *   interface 'I': more than 64 addresses to answer ARP for (its own, VIPs and local
 *                 addresses in its subnet)
 *   service 'S': local_addresses: A.B.C.D is one more than the 128 local addresses all
 *                 services may have       (each address once, default ones included)
 *   service 'S': its default local address A.B.C.D is one more than the 128 local
 *                 addresses all services may have
 *   global.memory_mb: N MiB is less than the config needs, about M MiB: W workers x
 *                 P MiB (flows = F: X MiB, ...), mbufs = B: Y MiB   at memory_mb; at the
 *                 global group, "N MiB (the default)", without it (conf/memory.c)
 *   neighbour #N: more static neighbours than global.neigh.max_entries (M)
 *   neighbour #N: no room for A.B.C.D in the neighbour table: its bucket is full of 8
 *                 static neighbours before it (raise global.neigh.max_entries, M now)
 *   interface 'I': no room for gateway A.B.C.D in the neighbour table: its bucket
 *                 is full of 8 static neighbours (raise global.neigh.max_entries, M now)
 *   server 'B/S': no room for its next hop A.B.C.D in the neighbour table: its bucket
 *                 is full of 8 static or watched neighbours before it (raise ...)
 *   service 'S': vip A.B.C.D is the address of server 'B/X'
 *   service 'S': local_addresses: A.B.C.D is the vip of service 'T'   (its own too)
 *   service 'S': local_addresses: A.B.C.D is the gateway of interface 'I'
 *   service 'S': local_addresses: A.B.C.D is the address of server 'B/X'
 *   service 'S': mode dsr cannot rewrite ports, but server 'B/X' has port P (use 0 or Q)
 *                 "(use 0)" when the service has a port range
 *   service 'S': mode dsr needs servers on an interface subnet, but server 'B/X'
 *                 (A.B.C.D) is only reachable through the gateway
 * Where a cross-check reports: the later of two objects, at the key concerned (device,
 * address, gateway, vip, local_addresses, port, mode, the server's check or address,
 * maglev_size, cpus.workers).
 */

#include "conf/conf.h"
#include "net/neigh_hash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#define MAX_FILE_SIZE   (16u << 20)
#define SOCKET_PATH_MAX 107 /* sun_path holds 108 bytes with the NUL */
#define LABEL_MAX       96
#define RING_SLOTS      8
#define RING_SLOT_SIZE  128
#define SHOWN_VALUE_MAX 64 /* longer user strings are cut in messages */
#define WIDE_TEXT_MAX   40
#define NAME_RULE       "1..31 characters of A-Za-z0-9_.-, starting with a letter or digit"
#define DEVICE_FORMS                                                                            \
	"a PCI address (DDDD:BB:DD.F or BB:DD.F) or a vdev (net_af_packet, net_tap, net_pcap, " \
	"net_ring or net_null followed by a number, then optionally ,ARGS)"

enum got { ABSENT = 0, GOT, BAD };

/* One error found, before sorting. */
struct errrec {
	char *msg;
	size_t rank; /* index of the file in struct loader.files */
	unsigned int line;
	unsigned int seq;
};

/* An integer literal of a file, in file order. */
struct lit {
	unsigned int line;
	bool is64;        /* written with L */
	long long stored; /* what libconfig made of it */
	int wide;         /* index in srcfile.wide when libconfig could not hold it, else -1 */
};

/* An integer literal libconfig 1.5 stored wrapped to 32 bits or saturated to 64. */
struct wide {
	unsigned int line;
	bool is64;
	long long stored;
	char text[WIDE_TEXT_MAX + 4]; /* as written */
	bool used;                    /* reported (unpaired files) */
};

/* A setting whose value was written as a wide literal (paired files). */
struct bind {
	const config_setting_t *s;
	size_t file; /* index in struct loader.files */
	size_t wide; /* index in that file's wide literals */
	bool used;   /* reported */
};

/* A file the settings came from: [0] the main text, then @include'd ones. */
struct srcfile {
	char *raw;  /* the name libconfig knows it by; NULL for the main text */
	char *path; /* as shown in messages */
	struct lit *lits;
	size_t nb_lits, cap_lits, next_lit;
	struct wide *wide;
	size_t nb_wide;
	bool scanned;
	bool unpaired; /* its literals and integer settings did not pair up one to one */
};

/* Where a group's keys are reported; see the comment at the top for the forms. */
struct grp {
	const config_setting_t *s;
	const char *lbl;  /* before a key: "global.", "service 'http': ", "backend 'b': check." */
	const char *loc;  /* after "unknown key 'K' in "; NULL at the top level */
	const char *mpfx; /* before "missing required key" */
};

struct iface_aux {
	struct weir_conf_iface m;
	char label[LABEL_MAX];
	const config_setting_t *name_s, *dev_s, *addr_s, *gw_s;
	bool name_ok, dev_ok, addr_ok, has_gw, gw_bad;
	uint32_t addr, gw; /* host order */
	char devid[WEIR_DEVICE_MAX];
};

struct server_aux {
	char label[LABEL_MAX];
	const config_setting_t *name_s, *addr_s;
	bool name_ok, addr_ok;
	uint32_t addr; /* host order */
};

struct backend_aux {
	char label[LABEL_MAX];
	const config_setting_t *name_s;
	bool name_ok;
	bool check_ok; /* a check group without errors, or none */
	struct server_aux *srv;
};

struct service_aux {
	char label[LABEL_MAX];
	const config_setting_t *s; /* the service's group */
	const config_setting_t *name_s, *vip_s, *port_s, *mode_s, *backend_s, *laddr_s;
	const config_setting_t *laddr_e[WEIR_MAX_LADDRS]; /* the element of each laddrs[] */
	bool name_ok, vip_ok, port_ok, proto_ok, mode_ok;
	uint32_t vip; /* host order */
};

struct table_aux {
	const config_setting_t *name_s;
	bool name_ok;
};

struct loader {
	const char *name; /* the main file as shown in messages */
	char *incdir;     /* the include directory given to libconfig */
	struct srcfile *files;
	size_t nb_files;
	struct errrec *errs;
	size_t nb_errs, cap_errs;
	struct bind *binds;
	size_t nb_binds;
	unsigned int seq;
	bool oom;
	char ring[RING_SLOTS][RING_SLOT_SIZE];
	unsigned int ring_next;

	struct weir_conf *conf;
	const config_setting_t *global_s, *memory_s; /* the global group, its memory_mb */
	/*
	 * The neighbour table as start-up fills it (weir_neigh_nb_buckets() buckets of
	 * WEIR_NEIGH_WAYS host-order addresses, 0 free): static neighbours, then the
	 * watched ones (check_watched_room()). neigh_refused: a static one had no room.
	 */
	uint32_t *neigh_held;
	bool neigh_refused;
	bool workers_ok;
	struct iface_aux *ifaces;
	size_t nb_ifaces;
	bool net_ok;   /* there are interfaces and every one has a valid address */
	bool route_ok; /* net_ok, and no gateway is malformed */
	int gw_iface;  /* the interface with a gateway, or -1 */
	struct backend_aux *backends;
	struct service_aux *services;
	struct table_aux *tables;
};

static const char *const root_keys[] = { "global",       "interfaces", "backends", "services",
					 "stick_tables", "neighbours", NULL };
static const char *const global_keys[] = { "workers",     "poll",        "memory_mb", "hugepages",
					   "file_prefix", "mbufs",       "log_level", "cpus",
					   "runtime",     "neigh",       "flows",     "timeouts",
					   "tcp",         "local_ports", "unmatched", NULL };
static const char *const cpus_keys[] = { "main", "workers", NULL };
static const char *const runtime_keys[] = { "socket", "mode", NULL };
static const char *const neigh_keys[] = { "reachable_ms", "retrans_ms",  "probes",
					  "gc_stale_ms",  "max_entries", NULL };
static const char *const timeout_keys[] = { "syn_ms",    "established_ms", "fin_ms",
					    "close_ms",  "udp_ms",         "connect_ms",
					    "client_ms", "server_ms",      NULL };
static const char *const tcp_keys[] = { "max_connections",
					"syn_backlog",
					"syncookies",
					"cc",
					"rcvbuf",
					"sndbuf",
					"rto_min_ms",
					"rto_max_ms",
					"rto_init_ms",
					"delack_ms",
					"time_wait_ms",
					"fin_wait2_ms",
					"keepalive_ms",
					"keepalive_intvl_ms",
					"keepalive_probes",
					"syn_retries",
					"synack_retries",
					"data_retries",
					NULL };
static const char *const fault_keys[] = { "drop", "reorder", "duplicate", "seed", NULL };
static const char *const iface_keys[] = { "name",    "device",  "address", "gateway", "mtu",
					  "rx_desc", "tx_desc", "fault",   NULL };
static const char *const backend_keys[] = { "name",  "balance", "maglev_size", "on_all_down",
					    "check", "servers", NULL };
static const char *const hcheck_keys[] = { "type",         "inter_ms",   "fastinter_ms",
					   "downinter_ms", "timeout_ms", "rise",
					   "fall",         "port",       NULL };
static const char *const server_keys[] = { "name",    "address", "port",  "weight",
					   "maxconn", "backup",  "check", NULL };
static const char *const service_keys[] = { "name", "vip",     "protocol",        "port",
					    "mode", "backend", "local_addresses", "timeouts",
					    NULL };
static const char *const table_keys[] = { "name", "size", "expire_ms", NULL };
static const char *const neighbour_keys[] = { "interface", "address", "mac", NULL };

/* Value names, indexed by the enum they map to. */
static const char *const poll_names[] = { "busy", "adaptive", NULL };
static const char *const unmatched_names[] = { "reject", "drop", NULL };
static const char *const hugepages_names[] = { "auto", "on", "off", NULL };
static const char *const log_names[] = { "emerg",  "alert", "crit",  "error", "warning",
					 "notice", "info",  "debug", NULL };
static const char *const balance_names[] = { "roundrobin", "wrr",    "leastconn", "random",
					     "source",     "maglev", "leasttime", NULL };
static const char *const all_down_names[] = { "drop", "reset", NULL };
static const char *const check_type_names[] = { "tcp", NULL }; /* WEIR_CHECK_TCP - 1 */
static const char *const proto_names[] = { "tcp", "udp", NULL };
static const char *const cookies_names[] = { "auto", "always", "never", NULL };
static const char *const cc_names[] = { "newreno", "cubic", NULL };
static const char *const mode_names[] = { "nat", "dsr", "tcp", NULL };
static const char *const vdev_drivers[] = { "net_af_packet", "net_tap",  "net_pcap",
					    "net_ring",      "net_null", NULL };

/* ---- small helpers ---------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* A name as docs/config.md defines it: 1..31 of [A-Za-z0-9_.-], first alphanumeric. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= WEIR_NAME_MAX || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/*
 * Parses a dotted quad of @len bytes at @s: four decimal parts 0..255 without leading
 * zeros. Returns true and the address in host order in *out, or false.
 */
static bool parse_ipv4(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start;
		unsigned int n = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		start = i;
		while (i < len && is_digit(s[i]) && i - start < 3)
			n = n * 10 + (unsigned int)(s[i++] - '0');
		if (i == start || n > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		v = v << 8 | n;
	}
	if (i != len)
		return false;
	*out = v;
	return true;
}

/* Parses "A.B.C.D/P" with P in 1..32; host-order address in *addr, prefix in *plen. */
static bool parse_cidr(const char *s, uint32_t *addr, uint8_t *plen)
{
	const char *slash = strchr(s, '/');
	const char *p;
	unsigned int n = 0;

	if (!slash || !parse_ipv4(s, (size_t)(slash - s), addr))
		return false;
	p = slash + 1;
	if (!is_digit(p[0]) || (p[0] == '0' && p[1] != '\0'))
		return false;
	for (; is_digit(*p) && n <= 32; p++)
		n = n * 10 + (unsigned int)(*p - '0');
	if (*p != '\0' || n < 1 || n > 32)
		return false;
	*plen = (uint8_t)n;
	return true;
}

/* The host-order netmask of a prefix of @plen bits (0..32). */
static uint32_t prefix_mask(unsigned int plen)
{
	return plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen);
}

/* True when the subnets addr_a/plen_a and addr_b/plen_b (host order) share an address. */
static bool subnets_overlap(uint32_t a, unsigned int pa, uint32_t b, unsigned int pb)
{
	uint32_t m = prefix_mask(pa < pb ? pa : pb);

	return (a & m) == (b & m);
}

/* Whether @n is a prime (trial division; @n is at most a few million here). */
static bool is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; d <= n / d; d++)
		if (n % d == 0)
			return false;
	return true;
}

/* Copies hex characters of @s to @out in lower case; @out holds strlen(s) + 1 bytes. */
static void lower_copy(char *out, const char *s)
{
	for (; *s; s++)
		*out++ = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
	*out = '\0';
}

/* True when the @n characters at @s are hex digits. */
static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_xdigit(s[i]))
			return false;
	return true;
}

/*
 * Checks a device string: a PCI address DDDD:BB:DD.F or BB:DD.F, or one of
 * vdev_drivers followed by a decimal number and optionally ",ARGS" (non-empty, no
 * control characters). On success sets *is_pci and writes to @id (WEIR_DEVICE_MAX
 * bytes) what two interfaces may not share: the PCI address in lower case with its
 * domain, or the vdev name before the ','.
 */
static bool parse_device(const char *dev, bool *is_pci, char *id)
{
	size_t n = strlen(dev);

	if (n == 12 && hex_run(dev, 4) && dev[4] == ':' && hex_run(dev + 5, 2) && dev[7] == ':' &&
	    hex_run(dev + 8, 2) && dev[10] == '.' && hex_run(dev + 11, 1)) {
		*is_pci = true;
		lower_copy(id, dev);
		return true;
	}
	if (n == 7 && hex_run(dev, 2) && dev[2] == ':' && hex_run(dev + 3, 2) && dev[5] == '.' &&
	    hex_run(dev + 6, 1)) {
		*is_pci = true;
		memcpy(id, "0000:", 5);
		lower_copy(id + 5, dev);
		return true;
	}
	for (const char *const *d = vdev_drivers; *d; d++) {
		size_t dl = strlen(*d);
		const char *p = dev + dl;

		if (strncmp(dev, *d, dl) != 0 || !is_digit(*p))
			continue;
		while (is_digit(*p))
			p++;
		if (*p == ',') {
			if (p[1] == '\0')
				return false;
			for (const char *a = p + 1; *a; a++)
				if ((unsigned char)*a < 0x20 || *a == 0x7f)
					return false;
		} else if (*p != '\0') {
			return false;
		}
		*is_pci = false;
		memcpy(id, dev, (size_t)(p - dev));
		id[p - dev] = '\0';
		return true;
	}
	return false;
}

/* ---- messages ---------------------------------------------------------------------- */

/* Returns a new heap string of the @n bytes at @s, or NULL when out of memory. */
static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dup_str(const char *s)
{
	return dup_n(s, strlen(s));
}

/* vsnprintf() into a new heap string; NULL when out of memory. */
static char *vformat(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* snprintf() into a new heap string; NULL when out of memory. */
__attribute__((format(printf, 1, 2))) static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Returns @s fit for a message: cut to SHOWN_VALUE_MAX characters (with "..."), control
 * characters replaced by '?'. The result lives in one of RING_SLOTS rotating buffers, so
 * a message may show a few of them at once.
 */
static const char *shown(struct loader *ld, const char *s)
{
	char *out = ld->ring[ld->ring_next++ % RING_SLOTS];
	size_t i;

	for (i = 0; s[i] && i < SHOWN_VALUE_MAX; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i])
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

/* Returns host-order @a as dotted quad, in a rotating buffer like shown(). */
static const char *ip(struct loader *ld, uint32_t a)
{
	char *out = ld->ring[ld->ring_next++ % RING_SLOTS];

	snprintf(out, RING_SLOT_SIZE, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
		 a & 0xff);
	return out;
}

/* Returns "A.B.C.D/P" for host-order @a's subnet, in a rotating buffer like shown(). */
static const char *subnet(struct loader *ld, uint32_t a, unsigned int plen)
{
	char *out = ld->ring[ld->ring_next++ % RING_SLOTS];
	uint32_t n = a & prefix_mask(plen);

	snprintf(out, RING_SLOT_SIZE, "%u.%u.%u.%u/%u", n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff,
		 n & 0xff, plen);
	return out;
}

/*
 * Returns the file a setting came from, by libconfig's name for it (NULL: the main
 * text), adding it to ld->files when new. Returns NULL only when out of memory.
 */
static struct srcfile *file_of(struct loader *ld, const char *raw)
{
	struct srcfile *f;

	for (size_t i = 0; i < ld->nb_files; i++) {
		f = &ld->files[i];
		if ((!raw && !f->raw) || (raw && f->raw && strcmp(raw, f->raw) == 0))
			return f;
	}
	f = realloc(ld->files, (ld->nb_files + 1) * sizeof(*f));
	if (!f) {
		ld->oom = true;
		return NULL;
	}
	ld->files = f;
	f = &ld->files[ld->nb_files];
	memset(f, 0, sizeof(*f));
	if (raw) {
		f->raw = dup_str(raw);
		if (ld->incdir && strcmp(ld->incdir, ".") != 0) {
			size_t dl = strlen(ld->incdir);
			bool slash = dl > 0 && ld->incdir[dl - 1] == '/';

			f->path = format("%s%s%s", ld->incdir, slash ? "" : "/", raw);
		} else {
			f->path = dup_str(raw);
		}
	} else {
		f->path = dup_str(ld->name);
	}
	if ((raw && !f->raw) || !f->path) {
		free(f->raw);
		free(f->path);
		ld->oom = true;
		return NULL;
	}
	ld->nb_files++;
	return f;
}

/* Records "FILE:LINE: message" (or "FILE: message" when @line is 0) for file @f. */
static void verr(struct loader *ld, struct srcfile *f, unsigned int line, const char *fmt,
		 va_list ap)
{
	char *body, *msg;
	struct errrec *r;

	if (!f)
		return;
	body = vformat(fmt, ap);
	if (!body) {
		ld->oom = true;
		return;
	}
	msg = line ? format("%s:%u: %s", f->path, line, body) : format("%s: %s", f->path, body);
	free(body);
	if (!msg) {
		ld->oom = true;
		return;
	}
	if (ld->nb_errs == ld->cap_errs) {
		size_t cap = ld->cap_errs ? 2 * ld->cap_errs : 16;

		r = realloc(ld->errs, cap * sizeof(*r));
		if (!r) {
			free(msg);
			ld->oom = true;
			return;
		}
		ld->errs = r;
		ld->cap_errs = cap;
	}
	r = &ld->errs[ld->nb_errs++];
	r->msg = msg;
	r->rank = (size_t)(f - ld->files);
	r->line = line;
	r->seq = ld->seq++;
}

/* Records an error at setting @s (its file and line; the top level has no line). */
__attribute__((format(printf, 3, 4))) static void err(struct loader *ld, const config_setting_t *s,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ld, file_of(ld, config_setting_source_file(s)), config_setting_source_line(s), fmt,
	     ap);
	va_end(ap);
}

/* Records an error at @line (0: none) of the file libconfig names @raw (NULL: main). */
__attribute__((format(printf, 4, 5))) static void err_in(struct loader *ld, const char *raw,
							 unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ld, file_of(ld, raw), line, fmt, ap);
	va_end(ap);
}

/*
 * Reports at setting @here that the name @name of a @kind repeats the one at setting
 * @first: "(first at line N)", or "(first at FILE:N)" when @first is in another file.
 * @prefix comes before the message ("" or "backend 'B': ").
 */
static void dup_name(struct loader *ld, const char *prefix, const char *kind, const char *name,
		     const config_setting_t *here, const config_setting_t *first)
{
	const char *ff = config_setting_source_file(first), *hf = config_setting_source_file(here);
	unsigned int line = config_setting_source_line(first);
	struct srcfile *f;

	if ((!ff && !hf) || (ff && hf && strcmp(ff, hf) == 0)) {
		err(ld, here, "%sduplicate %s name '%s' (first at line %u)", prefix, kind, name,
		    line);
		return;
	}
	f = file_of(ld, ff);
	if (f)
		err(ld, here, "%sduplicate %s name '%s' (first at %s:%u)", prefix, kind, name,
		    f->path, line);
}

/* ---- integer literals libconfig cannot hold ---------------------------------------- */

/*
 * libconfig 1.5 reads an integer without L through a 32-bit int (4294967297 becomes 1)
 * and saturates one with L to 64 bits. So that such a value is never taken for what
 * libconfig made of it, each file is scanned for its integer literals, which are paired
 * in file order with the integer settings of the tree (also in file order; a file
 * included again starts over); a setting paired with a literal libconfig could not hold
 * is reported with the literal as written. Should a file's literals and settings not
 * pair up (a scanner difference), that file falls back to matching by line and value.
 */

/* Appends literal @l to @f, and to its wide ones with @text[@len] when @wide. */
static void add_lit(struct loader *ld, struct srcfile *f, struct lit l, bool wide, const char *text,
		    size_t len)
{
	if (f->nb_lits == f->cap_lits) {
		size_t cap = f->cap_lits ? 2 * f->cap_lits : 64;
		struct lit *nl = realloc(f->lits, cap * sizeof(*nl));

		if (!nl) {
			ld->oom = true;
			return;
		}
		f->lits = nl;
		f->cap_lits = cap;
	}
	l.wide = -1;
	if (wide) {
		struct wide *w = realloc(f->wide, (f->nb_wide + 1) * sizeof(*w));

		if (!w) {
			ld->oom = true;
			return;
		}
		f->wide = w;
		w = &f->wide[f->nb_wide];
		memset(w, 0, sizeof(*w));
		w->line = l.line;
		w->is64 = l.is64;
		w->stored = l.stored;
		if (len > WIDE_TEXT_MAX)
			snprintf(w->text, sizeof(w->text), "%.*s...", WIDE_TEXT_MAX, text);
		else
			snprintf(w->text, sizeof(w->text), "%.*s", (int)len, text);
		l.wide = (int)f->nb_wide++;
	}
	f->lits[f->nb_lits++] = l;
}

/*
 * Scans the number at @p (on @line) as libconfig's scanner does, records it in @f when
 * it is an integer, and returns the first character after it.
 */
static const char *scan_number(struct loader *ld, struct srcfile *f, const char *p,
			       unsigned int line)
{
	const char *start = p;
	bool hex = false, isfloat = false, wide;
	struct lit l = { .line = line };

	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_xdigit(p[2])) {
		hex = true;
		for (p += 2; is_xdigit(*p); p++)
			;
	} else {
		for (; is_digit(*p) || *p == '.'; p++)
			if (*p == '.')
				isfloat = true;
		if ((*p == 'e' || *p == 'E') &&
		    (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
			isfloat = true;
			for (p += 2; is_digit(*p); p++)
				;
		}
	}
	for (; *p == 'L'; p++)
		l.is64 = true;
	if (isfloat)
		return p;

	errno = 0;
	if (hex) {
		unsigned long long v = strtoull(start, NULL, 16);

		wide = errno == ERANGE ||
		       v > (l.is64 ? (unsigned long long)LLONG_MAX : (unsigned long long)INT_MAX);
		l.stored = l.is64 ? (long long)v : (long long)(int)v;
	} else if (l.is64) {
		l.stored = strtoll(start, NULL, 10);
		wide = errno == ERANGE;
	} else {
		long v = strtol(start, NULL, 10);

		wide = errno == ERANGE || v < INT_MIN || v > INT_MAX;
		l.stored = (int)v;
	}
	add_lit(ld, f, l, wide, start, (size_t)(p - start));
	return p;
}

/*
 * Walks libconfig text @text the way its scanner does (comments, strings, names,
 * numbers) and records the integer literals in @f. @text parsed without error.
 */
static void scan_text(struct loader *ld, struct srcfile *f, const char *text)
{
	unsigned int line = 1;
	const char *p = text;

	f->scanned = true;
	while (*p) {
		char c = *p;

		if (c == '\n') {
			line++;
			p++;
		} else if (c == '#' || (c == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (c == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p)
				p += 2;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p)
				p++;
		} else if (is_alpha(c) || c == '*' || c == '@') {
			for (p++; is_alnum(*p) || *p == '-' || *p == '_' || *p == '*'; p++)
				;
		} else if (is_digit(c) || (c == '.' && is_digit(p[1])) ||
			   ((c == '-' || c == '+') && (is_digit(p[1]) || p[1] == '.'))) {
			p = scan_number(ld, f, p, line);
		} else {
			p++;
		}
	}
}

/*
 * Reads the whole file @path into a NUL-terminated heap buffer (*text, *len bytes before
 * the NUL); returns 0, EFBIG past MAX_FILE_SIZE bytes, or another errno.
 */
static int read_all(const char *path, char **text, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int e = 0;

	if (!fp)
		return errno;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb;

			cap = cap ? 2 * cap : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				e = ENOMEM;
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n > MAX_FILE_SIZE) {
			e = EFBIG;
			break;
		}
		if (got == 0) {
			if (ferror(fp))
				e = errno ? errno : EIO;
			break;
		}
	}
	fclose(fp);
	if (e) {
		free(buf);
		return e;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* Scans an @include'd file @f for its literals on first use (the main text is done). */
static void ensure_scanned(struct loader *ld, struct srcfile *f)
{
	char *text = NULL;
	size_t len = 0;

	if (f->scanned)
		return;
	f->scanned = true;
	if (!f->raw || read_all(f->path, &text, &len) != 0) {
		f->unpaired = true;
		return;
	}
	scan_text(ld, f, text);
	free(text);
}

/*
 * Pairs the integer settings under @s, in tree order, with the literals of their files.
 * Recursion depth is the nesting depth of the file, which libconfig's parser bounds.
 */
static void pair_ints(struct loader *ld, const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		struct srcfile *f = file_of(ld, config_setting_source_file(s));
		struct lit *l;

		if (!f)
			return;
		ensure_scanned(ld, f);
		if (f->unpaired)
			return;
		if (f->next_lit >= f->nb_lits)
			f->next_lit = 0; /* included once more */
		if (f->nb_lits == 0) {
			f->unpaired = true;
			return;
		}
		l = &f->lits[f->next_lit++];
		if (l->stored != config_setting_get_int64(s) ||
		    l->is64 != (config_setting_type(s) == CONFIG_TYPE_INT64)) {
			f->unpaired = true;
			return;
		}
		if (l->wide >= 0) {
			struct bind *b = realloc(ld->binds, (ld->nb_binds + 1) * sizeof(*b));

			if (!b) {
				ld->oom = true;
				return;
			}
			ld->binds = b;
			ld->binds[ld->nb_binds++] = (struct bind){ .s = s,
								   .file = (size_t)(f - ld->files),
								   .wide = (size_t)l->wide };
		}
		return;
	}
	if (config_setting_is_aggregate(s)) {
		int n = config_setting_length(s);

		for (int i = 0; i < n; i++)
			pair_ints(ld, config_setting_get_elem(s, (unsigned int)i));
	}
}

/* Pairs the whole tree under @root; files with literals left over are unpaired. */
static void pair_all(struct loader *ld, const config_setting_t *root)
{
	pair_ints(ld, root);
	for (size_t i = 0; i < ld->nb_files; i++)
		if (ld->files[i].next_lit != ld->files[i].nb_lits && ld->files[i].next_lit != 0)
			ld->files[i].unpaired = true;
}

/*
 * Returns the wide literal that integer setting @s (stored value @v) was written with,
 * marking it reported, or NULL when libconfig holds the value as written.
 */
static const struct wide *wide_for(struct loader *ld, const config_setting_t *s, long long v)
{
	struct srcfile *f = file_of(ld, config_setting_source_file(s));
	bool is64 = config_setting_type(s) == CONFIG_TYPE_INT64;

	if (!f)
		return NULL;
	if (!f->unpaired) {
		for (size_t i = 0; i < ld->nb_binds; i++) {
			struct bind *b = &ld->binds[i];

			if (b->s == s && !b->used && ld->files[b->file].nb_wide > b->wide) {
				b->used = true;
				return &ld->files[b->file].wide[b->wide];
			}
		}
		return NULL;
	}
	for (size_t i = 0; i < f->nb_wide; i++) {
		struct wide *w = &f->wide[i];

		if (!w->used && w->line == config_setting_source_line(s) && w->is64 == is64 &&
		    w->stored == v) {
			w->used = true;
			return w;
		}
	}
	return NULL;
}

/* ---- typed getters ----------------------------------------------------------------- */

static const config_setting_t *member(const struct grp *g, const char *key)
{
	return config_setting_get_member(g->s, key);
}

/* Reports every key of group @g not in @keys. */
static void check_keys(struct loader *ld, const struct grp *g, const char *const *keys)
{
	int n = config_setting_length(g->s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g->s, (unsigned int)i);
		const char *name = config_setting_name(m);
		const char *const *k;

		for (k = keys; *k; k++)
			if (name && strcmp(*k, name) == 0)
				break;
		if (*k)
			continue;
		if (g->loc)
			err(ld, m, "unknown key '%s' in %s", shown(ld, name ? name : "?"), g->loc);
		else
			err(ld, m, "unknown key '%s'", shown(ld, name ? name : "?"));
	}
}

/* Returns member @key of @g; when it is absent and @req, reports it missing. */
static const config_setting_t *lookup(struct loader *ld, const struct grp *g, const char *key,
				      bool req)
{
	const config_setting_t *s = member(g, key);

	if (!s && req)
		err(ld, g->s, "%smissing required key '%s'", g->mpfx, key);
	return s;
}

static bool is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

/*
 * Checks integer setting @s (reported as @lbl@key) against @lo..@hi. Returns GOT with
 * the value in *out, or BAD after reporting.
 */
static enum got int_of(struct loader *ld, const config_setting_t *s, const char *lbl,
		       const char *key, long long lo, long long hi, long long *out)
{
	const struct wide *w;
	long long v;

	if (!is_int(s)) {
		err(ld, s, "%s%s: expected an integer", lbl, key);
		return BAD;
	}
	v = config_setting_get_int64(s);
	w = wide_for(ld, s, v);
	if (w) {
		err(ld, s, "%s%s: %s is out of range (%lld..%lld)", lbl, key, w->text, lo, hi);
		return BAD;
	}
	if (v < lo || v > hi) {
		err(ld, s, "%s%s: %lld is out of range (%lld..%lld)", lbl, key, v, lo, hi);
		return BAD;
	}
	*out = v;
	return GOT;
}

/* Integer key @key of @g in @lo..@hi (within uint32_t); *out is left alone unless GOT. */
static enum got get_u32(struct loader *ld, const struct grp *g, const char *key, long long lo,
			long long hi, uint32_t *out)
{
	const config_setting_t *s = member(g, key);
	long long v;
	enum got r;

	if (!s)
		return ABSENT;
	r = int_of(ld, s, g->lbl, key, lo, hi, &v);
	if (r == GOT)
		*out = (uint32_t)v;
	return r;
}

/* String key @key of @g; *out points into libconfig's tree when GOT. */
static enum got get_str(struct loader *ld, const struct grp *g, const char *key, bool req,
			const char **out)
{
	const config_setting_t *s = lookup(ld, g, key, req);

	if (!s)
		return ABSENT;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		err(ld, s, "%s%s: expected a string", g->lbl, key);
		return BAD;
	}
	*out = config_setting_get_string(s);
	return GOT;
}

/* Boolean key @key of @g. */
static enum got get_bool(struct loader *ld, const struct grp *g, const char *key, bool *out)
{
	const config_setting_t *s = member(g, key);

	if (!s)
		return ABSENT;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		err(ld, s, "%s%s: expected a boolean", g->lbl, key);
		return BAD;
	}
	*out = config_setting_get_bool(s) != 0;
	return GOT;
}

/* String key @key of @g that must be one of @names; *out is its index when GOT. */
static enum got get_enum(struct loader *ld, const struct grp *g, const char *key,
			 const char *const *names, int *out)
{
	const char *v = NULL;
	enum got r = get_str(ld, g, key, false, &v);
	char list[128] = "";

	if (r != GOT)
		return r;
	for (int i = 0; names[i]; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return GOT;
		}
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	err(ld, member(g, key), "%s%s: '%s' is not one of %s", g->lbl, key, shown(ld, v), list);
	return BAD;
}

/* Name key @key of @g (see valid_name()), copied to @out (WEIR_NAME_MAX bytes). */
static enum got get_name(struct loader *ld, const struct grp *g, const char *key, bool req,
			 char *out)
{
	const char *v = NULL;
	enum got r = get_str(ld, g, key, req, &v);

	if (r != GOT)
		return r;
	if (!valid_name(v)) {
		err(ld, member(g, key), "%s%s: '%s' is not a valid name (" NAME_RULE ")", g->lbl,
		    key, shown(ld, v));
		return BAD;
	}
	memcpy(out, v, strlen(v) + 1);
	return GOT;
}

/* IPv4 address key @key of @g; host order in *out when GOT. */
static enum got get_addr(struct loader *ld, const struct grp *g, const char *key, bool req,
			 uint32_t *out)
{
	const char *v = NULL;
	enum got r = get_str(ld, g, key, req, &v);

	if (r != GOT)
		return r;
	if (!parse_ipv4(v, strlen(v), out)) {
		err(ld, member(g, key), "%s%s: '%s' is not an IPv4 address", g->lbl, key,
		    shown(ld, v));
		return BAD;
	}
	return GOT;
}

/* Non-empty string key @key of @g of at most @max characters, copied to @out. */
static enum got get_text(struct loader *ld, const struct grp *g, const char *key, size_t max,
			 char *out)
{
	const char *v = NULL;
	enum got r = get_str(ld, g, key, false, &v);

	if (r != GOT)
		return r;
	if (v[0] == '\0') {
		err(ld, member(g, key), "%s%s: must not be empty", g->lbl, key);
		return BAD;
	}
	if (strlen(v) > max) {
		err(ld, member(g, key), "%s%s: longer than %zu characters", g->lbl, key, max);
		return BAD;
	}
	memcpy(out, v, strlen(v) + 1);
	return GOT;
}

/* Group key @key of @g: returns it, or NULL when absent or (reported) not a group. */
static const config_setting_t *get_group(struct loader *ld, const struct grp *g, const char *key)
{
	const config_setting_t *s = member(g, key);

	if (s && !config_setting_is_group(s)) {
		err(ld, s, "%s%s: expected a group", g->lbl, key);
		return NULL;
	}
	return s;
}

/*
 * List key @key of @g holding @lo..@hi entries: returns it, or NULL when absent or not a
 * list (reported). A wrong count is reported but the list is still returned.
 */
static const config_setting_t *get_list(struct loader *ld, const struct grp *g, const char *key,
					bool req, int lo, int hi)
{
	const config_setting_t *s = lookup(ld, g, key, req);
	int n;

	if (!s)
		return NULL;
	if (!config_setting_is_list(s)) {
		err(ld, s, "%s%s: expected a list", g->lbl, key);
		return NULL;
	}
	n = config_setting_length(s);
	if (n < lo || n > hi)
		err(ld, s, "%s%s: %d entries, expected %d..%d", g->lbl, key, n, lo, hi);
	return s;
}

/* ---- sections ---------------------------------------------------------------------- */

/* The timeouts group @s (keys of struct weir_conf_timeouts), overriding fields of @t. */
static void parse_timeouts(struct loader *ld, const config_setting_t *s, const char *lbl,
			   const char *loc, struct weir_conf_timeouts *t)
{
	struct grp g = { s, lbl, loc, lbl };

	check_keys(ld, &g, timeout_keys);
	get_u32(ld, &g, "syn_ms", 100, 86400000, &t->syn_ms);
	get_u32(ld, &g, "established_ms", 100, 86400000, &t->established_ms);
	get_u32(ld, &g, "fin_ms", 100, 86400000, &t->fin_ms);
	get_u32(ld, &g, "close_ms", 100, 86400000, &t->close_ms);
	get_u32(ld, &g, "udp_ms", 100, 86400000, &t->udp_ms);
	get_u32(ld, &g, "connect_ms", 10, 600000, &t->connect_ms);
	get_u32(ld, &g, "client_ms", 100, 86400000, &t->client_ms);
	get_u32(ld, &g, "server_ms", 100, 86400000, &t->server_ms);
}

/* The tcp group of global. */
static void parse_tcp(struct loader *ld, const config_setting_t *s, struct weir_conf_tcp *t)
{
	struct grp g = { s, "global.tcp.", "global.tcp", "global.tcp: " };
	int v;

	check_keys(ld, &g, tcp_keys);
	get_u32(ld, &g, "max_connections", 64, 16777216, &t->max_conns);
	get_u32(ld, &g, "syn_backlog", 1, 16777216, &t->syn_backlog);
	if (get_enum(ld, &g, "syncookies", cookies_names, &v) == GOT)
		t->syncookies = (enum weir_conf_cookies)v;
	if (get_enum(ld, &g, "cc", cc_names, &v) == GOT)
		t->cc = (enum weir_conf_cc)v;
	get_u32(ld, &g, "rcvbuf", 4096, 67108864, &t->rcvbuf);
	get_u32(ld, &g, "sndbuf", 4096, 67108864, &t->sndbuf);
	get_u32(ld, &g, "rto_min_ms", 1, 60000, &t->rto_min_ms);
	get_u32(ld, &g, "rto_max_ms", 100, 600000, &t->rto_max_ms);
	get_u32(ld, &g, "rto_init_ms", 10, 60000, &t->rto_init_ms);
	get_u32(ld, &g, "delack_ms", 1, 500, &t->delack_ms);
	get_u32(ld, &g, "time_wait_ms", 0, 600000, &t->time_wait_ms);
	get_u32(ld, &g, "fin_wait2_ms", 100, 600000, &t->fin_wait2_ms);
	get_u32(ld, &g, "keepalive_ms", 0, 86400000, &t->keepalive_ms);
	get_u32(ld, &g, "keepalive_intvl_ms", 100, 3600000, &t->keepalive_intvl_ms);
	get_u32(ld, &g, "keepalive_probes", 1, 100, &t->keepalive_probes);
	get_u32(ld, &g, "syn_retries", 0, 20, &t->syn_retries);
	get_u32(ld, &g, "synack_retries", 0, 20, &t->synack_retries);
	get_u32(ld, &g, "data_retries", 1, 50, &t->data_retries);
	if (t->rto_min_ms > t->rto_max_ms)
		err(ld, s, "global.tcp: rto_min_ms %u is above rto_max_ms %u", t->rto_min_ms,
		    t->rto_max_ms);
}

/*
 * Percentage @key of @g (an integer or a float, 0..100) into parts per million; the
 * fault injector's rates.
 */
static enum got get_pct(struct loader *ld, const struct grp *g, const char *key, uint32_t *ppm)
{
	const config_setting_t *s = member(g, key);
	double v;

	if (!s)
		return ABSENT;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (is_int(s))
		v = (double)config_setting_get_int64(s);
	else {
		err(ld, s, "%s%s: expected a number (a percentage)", g->lbl, key);
		return BAD;
	}
	if (!(v >= 0.0 && v <= 100.0)) {
		err(ld, s, "%s%s: %g is out of range (0..100, a percentage)", g->lbl, key, v);
		return BAD;
	}
	*ppm = (uint32_t)(v * 10000.0 + 0.5);
	return GOT;
}

/* The fault group of an interface (a test aid: drops, reorders, duplicates frames). */
static void parse_fault(struct loader *ld, const config_setting_t *s, const char *label,
			struct weir_conf_fault *f)
{
	char lbl[LABEL_MAX + 16], loc[LABEL_MAX + 16];
	struct grp g;
	long long seed;

	snprintf(lbl, sizeof(lbl), "%s: fault.", label);
	snprintf(loc, sizeof(loc), "fault of %s", label);
	g = (struct grp){ s, lbl, loc, lbl };
	check_keys(ld, &g, fault_keys);
	f->enabled = true;
	get_pct(ld, &g, "drop", &f->drop_ppm);
	get_pct(ld, &g, "reorder", &f->reorder_ppm);
	get_pct(ld, &g, "duplicate", &f->duplicate_ppm);
	f->seed = 1;
	if (member(&g, "seed") &&
	    int_of(ld, member(&g, "seed"), g.lbl, "seed", 0, INT64_MAX, &seed) == GOT)
		f->seed = (uint64_t)seed;
}

/* Fills the defaults of docs/config.md into a zeroed model. */
static void set_defaults(struct weir_conf *c)
{
	struct weir_conf_global *g = &c->global;

	g->workers = 1;
	g->poll_mode = WEIR_POLL_BUSY;
	g->unmatched = WEIR_UNMATCHED_REJECT;
	g->memory_mb = 512;
	g->hugepages = WEIR_HUGEPAGES_AUTO;
	strcpy(g->file_prefix, "weir");
	g->mbufs = 16383;
	strcpy(g->log_level, "info");
	g->main_cpu = -1;
	g->nb_worker_cpus = 0;
	strcpy(g->runtime_socket, "/run/weir/weir.sock");
	g->runtime_mode = 0660;
	g->neigh.reachable_ms = 30000;
	g->neigh.retrans_ms = 1000;
	g->neigh.probes = 3;
	g->neigh.gc_stale_ms = 60000;
	g->neigh.max_entries = 4096;
	g->flow_capacity = 262144;
	g->lport_first = 1024;
	g->lport_last = 65535;
	g->timeouts.syn_ms = 30000;
	g->timeouts.established_ms = 900000;
	g->timeouts.fin_ms = 120000;
	g->timeouts.close_ms = 10000;
	g->timeouts.udp_ms = 300000;
	g->timeouts.connect_ms = 5000;
	g->timeouts.client_ms = 300000;
	g->timeouts.server_ms = 300000;
	g->tcp.max_conns = 65536;
	g->tcp.syn_backlog = 1024;
	g->tcp.syncookies = WEIR_COOKIES_AUTO;
	g->tcp.cc = WEIR_CC_CUBIC;
	g->tcp.rcvbuf = 262144;
	g->tcp.sndbuf = 262144;
	g->tcp.rto_min_ms = 200;
	g->tcp.rto_max_ms = 120000;
	g->tcp.rto_init_ms = 1000;
	g->tcp.delack_ms = 40;
	g->tcp.time_wait_ms = 2000;
	g->tcp.fin_wait2_ms = 60000;
	g->tcp.keepalive_ms = 0;
	g->tcp.keepalive_intvl_ms = 75000;
	g->tcp.keepalive_probes = 9;
	g->tcp.syn_retries = 6;
	g->tcp.synack_retries = 5;
	g->tcp.data_retries = 15;
}

/* global.cpus: the main CPU and the worker CPUs (checked against workers later). */
static const config_setting_t *parse_cpus(struct loader *ld, const config_setting_t *s)
{
	struct grp g = { s, "global.cpus.", "global.cpus", "global.cpus: " };
	struct weir_conf_global *gl = &ld->conf->global;
	const config_setting_t *w;
	uint32_t cpu;
	int n;

	check_keys(ld, &g, cpus_keys);
	if (get_u32(ld, &g, "main", 0, 1023, &cpu) == GOT)
		gl->main_cpu = (int)cpu;
	w = member(&g, "workers");
	if (!w)
		return NULL;
	if (!config_setting_is_array(w)) {
		err(ld, w, "global.cpus.workers: expected an array of integers");
		return NULL;
	}
	n = config_setting_length(w);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(w, (unsigned int)i);
		long long v;

		if (!is_int(e)) {
			err(ld, w, "global.cpus.workers: expected an array of integers");
			return NULL;
		}
		if (int_of(ld, e, "global.cpus.", "workers", 0, 1023, &v) != GOT)
			continue;
		if (i < WEIR_MAX_WORKERS)
			gl->worker_cpus[i] = (int)v;
	}
	gl->nb_worker_cpus = (uint32_t)(n < WEIR_MAX_WORKERS ? n : WEIR_MAX_WORKERS);
	return w;
}

/*
 * global.local_ports = [ FIRST, LAST ]: the full-NAT source ports, shared out in equal
 * slices to the workers and the main lcore (health checks), each slice at least
 * WEIR_CONF_MIN_LPORTS ports.
 */
static void parse_local_ports(struct loader *ld, const config_setting_t *s)
{
	struct weir_conf_global *gl = &ld->conf->global;
	const config_setting_t *e[2];
	long long v[2];
	uint32_t need;

	if (!config_setting_is_array(s) || config_setting_length(s) != 2 ||
	    !is_int(e[0] = config_setting_get_elem(s, 0)) ||
	    !is_int(e[1] = config_setting_get_elem(s, 1))) {
		err(ld, s, "global.local_ports: expected [ first, last ], two port numbers");
		return;
	}
	if (int_of(ld, e[0], "global.", "local_ports", 1, 65535, &v[0]) != GOT ||
	    int_of(ld, e[1], "global.", "local_ports", 1, 65535, &v[1]) != GOT)
		return;
	if (v[1] < v[0]) {
		err(ld, s, "global.local_ports: the last port (%lld) is below the first (%lld)",
		    v[1], v[0]);
		return;
	}
	need = WEIR_CONF_MIN_LPORTS * (gl->workers + 1);
	if (ld->workers_ok && (uint32_t)(v[1] - v[0] + 1) < need) {
		err(ld, s,
		    "global.local_ports: %lld ports for %u workers and the main lcore; at least "
		    "%u needed (%u each)",
		    v[1] - v[0] + 1, gl->workers, need, WEIR_CONF_MIN_LPORTS);
		return;
	}
	gl->lport_first = (uint32_t)v[0];
	gl->lport_last = (uint32_t)v[1];
}

/* global.runtime: the control socket's path and permission bits. */
static void parse_runtime(struct loader *ld, const config_setting_t *s)
{
	struct grp g = { s, "global.runtime.", "global.runtime", "global.runtime: " };
	struct weir_conf_global *gl = &ld->conf->global;
	const config_setting_t *m;

	check_keys(ld, &g, runtime_keys);
	get_text(ld, &g, "socket", SOCKET_PATH_MAX, gl->runtime_socket);
	m = member(&g, "mode");
	if (m && config_setting_type(m) != CONFIG_TYPE_STRING) {
		err(ld, m, "global.runtime.mode: expected a string of octal digits, like \"0660\"");
	} else if (m) {
		const char *v = config_setting_get_string(m);
		size_t n = strlen(v);
		uint32_t mode = 0;
		bool ok = n >= 1 && n <= 4;

		for (size_t i = 0; ok && i < n; i++) {
			ok = v[i] >= '0' && v[i] <= '7';
			mode = mode * 8 + (uint32_t)(v[i] - '0');
		}
		if (ok && mode <= 0777)
			gl->runtime_mode = mode;
		else
			err(ld, m,
			    "global.runtime.mode: '%s' is not an octal permission mode "
			    "(\"0000\"..\"0777\")",
			    shown(ld, v));
	}
}

/* The global group, with the check of global.cpus.workers against workers. */
static void parse_global(struct loader *ld, const config_setting_t *s)
{
	struct grp g = { s, "global.", "global", "global: " };
	struct weir_conf_global *gl = &ld->conf->global;
	const config_setting_t *sub, *cpu_workers = NULL;
	int v;

	check_keys(ld, &g, global_keys);
	ld->global_s = s;
	ld->memory_s = member(&g, "memory_mb");
	ld->workers_ok = get_u32(ld, &g, "workers", 1, WEIR_MAX_WORKERS, &gl->workers) != BAD;
	if (get_enum(ld, &g, "poll", poll_names, &v) == GOT)
		gl->poll_mode = (enum weir_poll_mode)v;
	if (get_enum(ld, &g, "unmatched", unmatched_names, &v) == GOT)
		gl->unmatched = (enum weir_unmatched)v;
	get_u32(ld, &g, "memory_mb", 64, 65536, &gl->memory_mb);
	if (get_enum(ld, &g, "hugepages", hugepages_names, &v) == GOT)
		gl->hugepages = (enum weir_hugepages)v;
	get_name(ld, &g, "file_prefix", false, gl->file_prefix);
	get_u32(ld, &g, "mbufs", 1023, 4194303, &gl->mbufs);
	if (get_enum(ld, &g, "log_level", log_names, &v) == GOT)
		strcpy(gl->log_level, log_names[v]);
	sub = get_group(ld, &g, "cpus");
	if (sub)
		cpu_workers = parse_cpus(ld, sub);
	sub = get_group(ld, &g, "runtime");
	if (sub)
		parse_runtime(ld, sub);
	sub = get_group(ld, &g, "neigh");
	if (sub) {
		struct grp n = { sub, "global.neigh.", "global.neigh", "global.neigh: " };

		check_keys(ld, &n, neigh_keys);
		get_u32(ld, &n, "reachable_ms", 1000, 3600000, &gl->neigh.reachable_ms);
		get_u32(ld, &n, "retrans_ms", 100, 60000, &gl->neigh.retrans_ms);
		get_u32(ld, &n, "probes", 1, 10, &gl->neigh.probes);
		get_u32(ld, &n, "gc_stale_ms", 1000, 86400000, &gl->neigh.gc_stale_ms);
		get_u32(ld, &n, "max_entries", 64, 1048576, &gl->neigh.max_entries);
	}
	get_u32(ld, &g, "flows", 1024, 67108864, &gl->flow_capacity);
	sub = member(&g, "local_ports");
	if (sub)
		parse_local_ports(ld, sub);
	sub = get_group(ld, &g, "timeouts");
	if (sub)
		parse_timeouts(ld, sub, "global.timeouts.", "global.timeouts", &gl->timeouts);
	sub = get_group(ld, &g, "tcp");
	if (sub)
		parse_tcp(ld, sub, &gl->tcp);

	if (cpu_workers && ld->workers_ok &&
	    (uint32_t)config_setting_length(cpu_workers) != gl->workers)
		err(ld, cpu_workers,
		    "global.cpus.workers: %d entries, expected %u (one per worker)",
		    config_setting_length(cpu_workers), gl->workers);
}

/* A descriptor ring size key: in range and a power of two. */
static void get_desc(struct loader *ld, const struct grp *g, const char *key, uint32_t *out)
{
	uint32_t v;

	if (get_u32(ld, g, key, 64, 16384, &v) != GOT)
		return;
	if (v & (v - 1))
		err(ld, member(g, key), "%s%s: %u is not a power of two", g->lbl, key, v);
	else
		*out = v;
}

/* Interface @pos (1-based) of the interfaces list, element @e, into @a. */
static void parse_iface(struct loader *ld, const config_setting_t *e, int pos, struct iface_aux *a)
{
	char pos_label[LABEL_MAX], lbl[LABEL_MAX + 2];
	const char *v;
	struct grp g;

	a->m.mtu = 1500;
	a->m.rx_desc = 1024;
	a->m.tx_desc = 1024;
	a->m.line = (int)config_setting_source_line(e);
	snprintf(pos_label, sizeof(pos_label), "interface #%d", pos);
	snprintf(a->label, sizeof(a->label), "%s", pos_label);
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", pos_label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", pos_label);
	g = (struct grp){ e, lbl, pos_label, lbl };
	a->name_s = member(&g, "name");
	a->name_ok = get_name(ld, &g, "name", true, a->m.name) == GOT;
	if (a->name_ok)
		snprintf(a->label, sizeof(a->label), "interface '%s'", a->m.name);
	snprintf(lbl, sizeof(lbl), "%s: ", a->label);
	g.loc = a->label;
	check_keys(ld, &g, iface_keys);

	a->dev_s = member(&g, "device");
	if (get_str(ld, &g, "device", true, &v) == GOT) {
		if (strlen(v) >= WEIR_DEVICE_MAX)
			err(ld, a->dev_s, "%sdevice: longer than %d characters", lbl,
			    WEIR_DEVICE_MAX - 1);
		else if (!parse_device(v, &a->m.is_pci, a->devid))
			err(ld, a->dev_s, "%sdevice: '%s' is not " DEVICE_FORMS, lbl, shown(ld, v));
		else {
			a->dev_ok = true;
			memcpy(a->m.device, v, strlen(v) + 1);
		}
	}
	a->addr_s = member(&g, "address");
	if (get_str(ld, &g, "address", true, &v) == GOT) {
		if (parse_cidr(v, &a->addr, &a->m.prefixlen)) {
			a->addr_ok = true;
			a->m.addr = htonl(a->addr);
		} else {
			err(ld, a->addr_s, "%saddress: '%s' is not an IPv4 address with a prefix",
			    lbl, shown(ld, v));
		}
	}
	a->gw_s = member(&g, "gateway");
	switch (get_addr(ld, &g, "gateway", false, &a->gw)) {
	case GOT:
		a->has_gw = true;
		a->m.gateway = htonl(a->gw);
		break;
	case BAD:
		a->gw_bad = true;
		break;
	case ABSENT:
		break;
	}
	get_u32(ld, &g, "mtu", 576, 9000, &a->m.mtu);
	get_desc(ld, &g, "rx_desc", &a->m.rx_desc);
	get_desc(ld, &g, "tx_desc", &a->m.tx_desc);
	{
		const config_setting_t *f = get_group(ld, &g, "fault");

		if (f)
			parse_fault(ld, f, a->label, &a->m.fault);
	}
}

/* The interfaces list and the checks among interfaces. */
static void parse_ifaces(struct loader *ld, const config_setting_t *list)
{
	size_t n = (size_t)config_setting_length(list);

	ld->ifaces = calloc(n ? n : 1, sizeof(*ld->ifaces));
	if (!ld->ifaces) {
		ld->oom = true;
		return;
	}
	ld->nb_ifaces = n;
	for (size_t i = 0; i < n; i++)
		parse_iface(ld, config_setting_get_elem(list, (unsigned int)i), (int)i + 1,
			    &ld->ifaces[i]);

	ld->net_ok = n > 0;
	ld->gw_iface = -1;
	for (size_t i = 0; i < n; i++) {
		struct iface_aux *a = &ld->ifaces[i];

		if (!a->addr_ok)
			ld->net_ok = false;
		for (size_t j = 0; j < i; j++) {
			struct iface_aux *b = &ld->ifaces[j];

			if (a->name_ok && b->name_ok && strcmp(a->m.name, b->m.name) == 0) {
				dup_name(ld, "", "interface", a->m.name, a->name_s, b->name_s);
				break;
			}
		}
		for (size_t j = 0; j < i && a->dev_ok; j++) {
			if (ld->ifaces[j].dev_ok && strcmp(ld->ifaces[j].devid, a->devid) == 0) {
				err(ld, a->dev_s, "%s: device '%s' is already used by %s", a->label,
				    shown(ld, a->devid), ld->ifaces[j].label);
				break;
			}
		}
		for (size_t j = 0; j < i && a->addr_ok; j++) {
			struct iface_aux *b = &ld->ifaces[j];

			if (b->addr_ok &&
			    subnets_overlap(a->addr, a->m.prefixlen, b->addr, b->m.prefixlen)) {
				err(ld, a->addr_s, "%s: subnet %s overlaps %s (%s)", a->label,
				    subnet(ld, a->addr, a->m.prefixlen), b->label,
				    subnet(ld, b->addr, b->m.prefixlen));
				break;
			}
		}
		if (a->has_gw) {
			if (a->addr_ok && a->gw == a->addr)
				err(ld, a->gw_s, "%s: gateway %s is the interface's own address",
				    a->label, ip(ld, a->gw));
			else if (a->addr_ok && !subnets_overlap(a->gw, 32, a->addr, a->m.prefixlen))
				err(ld, a->gw_s, "%s: gateway %s is outside the subnet %s",
				    a->label, ip(ld, a->gw), subnet(ld, a->addr, a->m.prefixlen));
			if (ld->gw_iface >= 0)
				err(ld, a->gw_s,
				    "%s: gateway: only one interface may have a gateway, %s has "
				    "one",
				    a->label, ld->ifaces[ld->gw_iface].label);
			else
				ld->gw_iface = (int)i;
		}
	}
	ld->route_ok = ld->net_ok;
	for (size_t i = 0; i < n; i++)
		if (ld->ifaces[i].gw_bad)
			ld->route_ok = false;

	for (size_t i = 0; i < n && i < WEIR_MAX_IFACES; i++)
		ld->conf->ifaces[i] = ld->ifaces[i].m;
	ld->conf->nb_ifaces = (uint32_t)(n < WEIR_MAX_IFACES ? n : WEIR_MAX_IFACES);
}

/* Index of the interface (in ld->ifaces) whose subnet holds host-order @a, or -1. */
static int iface_holding(const struct loader *ld, uint32_t a)
{
	for (size_t i = 0; i < ld->nb_ifaces; i++) {
		const struct iface_aux *f = &ld->ifaces[i];

		if (f->addr_ok && subnets_overlap(a, 32, f->addr, f->m.prefixlen))
			return (int)i;
	}
	return -1;
}

/* Index of the interface whose own address is host-order @a, or -1. */
static int iface_with_addr(const struct loader *ld, uint32_t a)
{
	for (size_t i = 0; i < ld->nb_ifaces; i++)
		if (ld->ifaces[i].addr_ok && ld->ifaces[i].addr == a)
			return (int)i;
	return -1;
}

/* The check group @s of the backend labelled @blabel into @c; type is required. */
static void parse_check(struct loader *ld, const config_setting_t *s, const char *blabel,
			struct weir_conf_check *c)
{
	char lbl[LABEL_MAX + 16], loc[LABEL_MAX + 16], mpfx[LABEL_MAX + 16];
	struct grp g = { s, lbl, loc, mpfx };
	uint32_t port = 0;
	int v;

	snprintf(lbl, sizeof(lbl), "%s: check.", blabel);
	snprintf(loc, sizeof(loc), "check of %s", blabel);
	snprintf(mpfx, sizeof(mpfx), "%s: check: ", blabel);
	check_keys(ld, &g, hcheck_keys);
	c->type = WEIR_CHECK_TCP;
	if (lookup(ld, &g, "type", true) && get_enum(ld, &g, "type", check_type_names, &v) == GOT)
		c->type = (enum weir_check_type)(v + 1);
	get_u32(ld, &g, "inter_ms", 10, 3600000, &c->inter_ms);
	c->fastinter_ms = c->inter_ms;
	c->downinter_ms = c->inter_ms;
	get_u32(ld, &g, "fastinter_ms", 10, 3600000, &c->fastinter_ms);
	get_u32(ld, &g, "downinter_ms", 10, 3600000, &c->downinter_ms);
	get_u32(ld, &g, "timeout_ms", 10, 3600000, &c->timeout_ms);
	get_u32(ld, &g, "rise", 1, 100, &c->rise);
	get_u32(ld, &g, "fall", 1, 100, &c->fall);
	if (get_u32(ld, &g, "port", 0, 65535, &port) == GOT)
		c->port = (uint16_t)port;
}

/* Server @pos (1-based) of backend @b, element @e. */
static void parse_server(struct loader *ld, const config_setting_t *e, int pos,
			 struct weir_conf_backend *b, struct backend_aux *ba,
			 struct weir_conf_server *sv, struct server_aux *a)
{
	char pos_label[LABEL_MAX], lbl[LABEL_MAX + 2];
	const config_setting_t *chk;
	struct grp g;
	uint32_t port = 0;
	enum got port_got;

	sv->weight = 1;
	sv->check = b->check.type != WEIR_CHECK_NONE;
	sv->line = (int)config_setting_source_line(e);
	if (ba->name_ok)
		snprintf(pos_label, sizeof(pos_label), "server #%d of backend '%s'", pos, b->name);
	else
		snprintf(pos_label, sizeof(pos_label), "server #%d of %.48s", pos, ba->label);
	snprintf(a->label, sizeof(a->label), "%s", pos_label);
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", pos_label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", pos_label);
	g = (struct grp){ e, lbl, pos_label, lbl };
	a->name_s = member(&g, "name");
	a->name_ok = get_name(ld, &g, "name", true, sv->name) == GOT;
	if (a->name_ok && ba->name_ok)
		snprintf(a->label, sizeof(a->label), "server '%s/%s'", b->name, sv->name);
	else if (a->name_ok)
		snprintf(a->label, sizeof(a->label), "server '%s' of %.48s", sv->name, ba->label);
	snprintf(lbl, sizeof(lbl), "%s: ", a->label);
	g.loc = a->label;
	check_keys(ld, &g, server_keys);

	a->addr_s = member(&g, "address");
	a->addr_ok = get_addr(ld, &g, "address", true, &a->addr) == GOT;
	if (a->addr_ok)
		sv->addr = htonl(a->addr);
	port_got = get_u32(ld, &g, "port", 0, 65535, &port);
	if (port_got == GOT)
		sv->port = (uint16_t)port;
	get_u32(ld, &g, "weight", 0, 256, &sv->weight);
	get_u32(ld, &g, "maxconn", 0, 10000000, &sv->maxconn);
	get_bool(ld, &g, "backup", &sv->backup);
	chk = member(&g, "check");
	if (get_bool(ld, &g, "check", &sv->check) == GOT && sv->check &&
	    b->check.type == WEIR_CHECK_NONE)
		err(ld, chk, "%s: check is true but %s has no check", a->label, ba->label);
	/* Port 0 forwards to the port the client used: no port to probe. */
	else if (sv->check && b->check.type != WEIR_CHECK_NONE && ba->check_ok &&
		 b->check.port == 0 && port_got != BAD && sv->port == 0)
		err(ld, e,
		    "%s: checked, but has no port to probe (port 0 keeps the client's): set "
		    "a port in the check of %s, or check = false on the server",
		    a->label, ba->label);
}

/* Backend @pos (1-based), element @e, into @b and @a. */
static void parse_backend(struct loader *ld, const config_setting_t *e, int pos,
			  struct weir_conf_backend *b, struct backend_aux *a)
{
	char pos_label[LABEL_MAX], lbl[LABEL_MAX + 2];
	const config_setting_t *s, *maglev_s;
	struct grp g;
	enum got maglev, balance;
	int v;
	size_t n;

	b->balance = WEIR_BALANCE_ROUNDROBIN;
	b->maglev_size = 65537;
	b->all_down = WEIR_ALL_DOWN_DROP;
	b->check = (struct weir_conf_check){ .type = WEIR_CHECK_NONE,
					     .inter_ms = 2000,
					     .fastinter_ms = 2000,
					     .downinter_ms = 2000,
					     .timeout_ms = 1000,
					     .rise = 2,
					     .fall = 3,
					     .port = 0 };
	b->line = (int)config_setting_source_line(e);
	snprintf(pos_label, sizeof(pos_label), "backend #%d", pos);
	snprintf(a->label, sizeof(a->label), "%s", pos_label);
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", pos_label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", pos_label);
	g = (struct grp){ e, lbl, pos_label, lbl };
	a->name_s = member(&g, "name");
	a->name_ok = get_name(ld, &g, "name", true, b->name) == GOT;
	if (a->name_ok)
		snprintf(a->label, sizeof(a->label), "backend '%s'", b->name);
	snprintf(lbl, sizeof(lbl), "%s: ", a->label);
	g.loc = a->label;
	check_keys(ld, &g, backend_keys);

	balance = get_enum(ld, &g, "balance", balance_names, &v);
	if (balance == GOT)
		b->balance = (enum weir_balance)v;
	maglev_s = member(&g, "maglev_size");
	maglev = get_u32(ld, &g, "maglev_size", 251, 1048573, &b->maglev_size);
	if (maglev == GOT && !is_prime(b->maglev_size)) {
		err(ld, maglev_s, "%smaglev_size: %u is not a prime", lbl, b->maglev_size);
		b->maglev_size = 65537;
	}
	if (maglev != ABSENT && balance != BAD && b->balance != WEIR_BALANCE_MAGLEV)
		err(ld, maglev_s, "%s: maglev_size is only valid with balance maglev", a->label);
	if (get_enum(ld, &g, "on_all_down", all_down_names, &v) == GOT)
		b->all_down = (enum weir_all_down)v;
	s = get_group(ld, &g, "check");
	a->check_ok = true;
	if (s) {
		size_t errs = ld->nb_errs;

		parse_check(ld, s, a->label, &b->check);
		a->check_ok = ld->nb_errs == errs;
	}

	s = get_list(ld, &g, "servers", true, 1, WEIR_MAX_SERVERS);
	if (!s)
		return;
	n = (size_t)config_setting_length(s);
	b->servers = calloc(n ? n : 1, sizeof(*b->servers));
	a->srv = calloc(n ? n : 1, sizeof(*a->srv));
	if (!b->servers || !a->srv) {
		ld->oom = true;
		return;
	}
	b->nb_servers = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		parse_server(ld, config_setting_get_elem(s, (unsigned int)i), (int)i + 1, b, a,
			     &b->servers[i], &a->srv[i]);
		for (size_t j = 0; j < i && a->srv[i].name_ok; j++) {
			if (a->srv[j].name_ok &&
			    strcmp(b->servers[i].name, b->servers[j].name) == 0) {
				dup_name(ld, lbl, "server", b->servers[i].name, a->srv[i].name_s,
					 a->srv[j].name_s);
				break;
			}
		}
	}
}

/* Checks that backend @a's servers can be reached from the interfaces. */
static void check_servers(struct loader *ld, const struct weir_conf_backend *b,
			  const struct backend_aux *a)
{
	if (!ld->route_ok || !a->srv)
		return;
	for (uint32_t i = 0; i < b->nb_servers; i++) {
		const struct server_aux *s = &a->srv[i];
		int k;

		if (!s->addr_ok)
			continue;
		k = iface_with_addr(ld, s->addr);
		/* First byte 0 (this network), 127 (loopback), 224 and up (multicast, reserved,
		 * broadcast): no host, and none the dataplane takes packets from. */
		if (s->addr >> 24 == 0 || s->addr >> 24 == 127 || s->addr >> 24 >= 224)
			err(ld, s->addr_s, "%s: address %s cannot be a host's", s->label,
			    ip(ld, s->addr));
		else if (k >= 0)
			err(ld, s->addr_s, "%s: address %s is the address of %s", s->label,
			    ip(ld, s->addr), ld->ifaces[k].label);
		else if (iface_holding(ld, s->addr) < 0 && ld->gw_iface < 0)
			err(ld, s->addr_s,
			    "%s: address %s is not in any interface subnet and no interface has a "
			    "gateway",
			    s->label, ip(ld, s->addr));
	}
}

/* The port key of a service: an integer or a "first-last" string, both in 1..65535. */
static void parse_port(struct loader *ld, const struct grp *g, struct weir_conf_service *sv,
		       struct service_aux *a)
{
	const config_setting_t *s = lookup(ld, g, "port", true);
	unsigned long lo, hi;
	const char *v, *dash;
	char *end;

	a->port_s = s;
	if (!s)
		return;
	if (is_int(s)) {
		long long p;

		if (int_of(ld, s, g->lbl, "port", 1, 65535, &p) == GOT) {
			sv->port_min = sv->port_max = (uint16_t)p;
			a->port_ok = true;
		}
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		err(ld, s, "%sport: expected an integer or a \"first-last\" range", g->lbl);
		return;
	}
	v = config_setting_get_string(s);
	dash = strchr(v, '-');
	if (!dash || !is_digit(v[0]) || !is_digit(dash[1]) || dash - v > 5 ||
	    strlen(dash + 1) > 5) {
		err(ld, s, "%sport: '%s' is not a \"first-last\" range", g->lbl, shown(ld, v));
		return;
	}
	lo = strtoul(v, &end, 10);
	if (end != dash) {
		err(ld, s, "%sport: '%s' is not a \"first-last\" range", g->lbl, shown(ld, v));
		return;
	}
	hi = strtoul(dash + 1, &end, 10);
	if (*end != '\0') {
		err(ld, s, "%sport: '%s' is not a \"first-last\" range", g->lbl, shown(ld, v));
		return;
	}
	if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535) {
		err(ld, s, "%sport: '%s' is out of range (1..65535)", g->lbl, shown(ld, v));
		return;
	}
	if (lo > hi) {
		err(ld, s, "%sport: '%s' has the first port above the last", g->lbl, shown(ld, v));
		return;
	}
	sv->port_min = (uint16_t)lo;
	sv->port_max = (uint16_t)hi;
	a->port_ok = true;
}

/* local_addresses of a service: an array of 1..16 distinct IPv4 strings. */
static void parse_laddrs(struct loader *ld, const struct grp *g, struct weir_conf_service *sv,
			 struct service_aux *a)
{
	const config_setting_t *s = member(g, "local_addresses");
	uint32_t seen[WEIR_MAX_LADDRS];
	int n;

	a->laddr_s = s;
	if (!s)
		return;
	if (!config_setting_is_array(s)) {
		err(ld, s, "%slocal_addresses: expected an array of strings", g->lbl);
		return;
	}
	n = config_setting_length(s);
	if (n < 1 || n > WEIR_MAX_LADDRS) {
		err(ld, s, "%slocal_addresses: %d entries, expected 1..%d", g->lbl, n,
		    WEIR_MAX_LADDRS);
		if (n > WEIR_MAX_LADDRS)
			return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v;
		uint32_t addr;
		bool dup = false;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			err(ld, s, "%slocal_addresses: expected an array of strings", g->lbl);
			return;
		}
		v = config_setting_get_string(e);
		if (!parse_ipv4(v, strlen(v), &addr)) {
			err(ld, e, "%slocal_addresses: '%s' is not an IPv4 address", g->lbl,
			    shown(ld, v));
			continue;
		}
		for (uint32_t j = 0; j < sv->nb_laddrs; j++)
			dup = dup || seen[j] == addr;
		if (dup) {
			err(ld, e, "%slocal_addresses: %s is given twice", g->lbl, ip(ld, addr));
			continue;
		}
		if (ld->net_ok && iface_holding(ld, addr) < 0)
			err(ld, e, "%slocal_addresses: %s is not in any interface subnet", g->lbl,
			    ip(ld, addr));
		seen[sv->nb_laddrs] = addr;
		a->laddr_e[sv->nb_laddrs] = e;
		sv->laddrs[sv->nb_laddrs++] = htonl(addr);
	}
}

/* Index of the backend named @name (the first of duplicates), or -1. */
static int backend_index(const struct loader *ld, const char *name)
{
	for (uint32_t i = 0; i < ld->conf->nb_backends; i++)
		if (ld->backends[i].name_ok && strcmp(ld->conf->backends[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Service @pos (1-based), element @e, into @sv and @a; backends are parsed already. */
static void parse_service(struct loader *ld, const config_setting_t *e, int pos,
			  struct weir_conf_service *sv, struct service_aux *a)
{
	char pos_label[LABEL_MAX], lbl[LABEL_MAX + 2], loc[LABEL_MAX + 16];
	const config_setting_t *s;
	const char *v;
	struct grp g;
	int x;

	sv->proto = WEIR_PROTO_TCP;
	sv->mode = WEIR_MODE_NAT;
	sv->backend = -1;
	sv->iface = -1;
	sv->timeouts = ld->conf->global.timeouts;
	sv->line = (int)config_setting_source_line(e);
	snprintf(pos_label, sizeof(pos_label), "service #%d", pos);
	snprintf(a->label, sizeof(a->label), "%s", pos_label);
	a->s = e;
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", pos_label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", pos_label);
	g = (struct grp){ e, lbl, pos_label, lbl };
	a->name_s = member(&g, "name");
	a->name_ok = get_name(ld, &g, "name", true, sv->name) == GOT;
	if (a->name_ok)
		snprintf(a->label, sizeof(a->label), "service '%s'", sv->name);
	snprintf(lbl, sizeof(lbl), "%s: ", a->label);
	g.loc = a->label;
	check_keys(ld, &g, service_keys);

	a->vip_s = member(&g, "vip");
	a->vip_ok = get_addr(ld, &g, "vip", true, &a->vip) == GOT;
	if (a->vip_ok)
		sv->vip = htonl(a->vip);
	a->proto_ok = true;
	switch (get_enum(ld, &g, "protocol", proto_names, &x)) {
	case GOT:
		sv->proto = x == 0 ? WEIR_PROTO_TCP : WEIR_PROTO_UDP;
		break;
	case BAD:
		a->proto_ok = false;
		break;
	case ABSENT:
		break;
	}
	parse_port(ld, &g, sv, a);
	a->mode_s = member(&g, "mode");
	a->mode_ok = true;
	switch (get_enum(ld, &g, "mode", mode_names, &x)) {
	case GOT:
		sv->mode = (enum weir_svc_mode)x;
		break;
	case BAD:
		a->mode_ok = false;
		break;
	case ABSENT:
		break;
	}
	a->backend_s = member(&g, "backend");
	if (get_str(ld, &g, "backend", true, &v) == GOT) {
		sv->backend = backend_index(ld, v);
		if (sv->backend < 0)
			err(ld, a->backend_s, "%s: backend '%s' is not defined", a->label,
			    shown(ld, v));
	}
	parse_laddrs(ld, &g, sv, a);
	s = get_group(ld, &g, "timeouts");
	if (s) {
		char tl[LABEL_MAX + 16];

		snprintf(tl, sizeof(tl), "%s: timeouts.", a->label);
		snprintf(loc, sizeof(loc), "timeouts of %s", a->label);
		parse_timeouts(ld, s, tl, loc, &sv->timeouts);
	}

	/* checks within the service */
	if (a->vip_ok && ld->net_ok) {
		int k = iface_with_addr(ld, a->vip);

		sv->iface = iface_holding(ld, a->vip);
		if (k >= 0)
			err(ld, a->vip_s, "%s: vip %s is the address of %s", a->label,
			    ip(ld, a->vip), ld->ifaces[k].label);
		else if (sv->iface < 0)
			err(ld, a->vip_s, "%s: vip %s is not in any interface subnet", a->label,
			    ip(ld, a->vip));
		else if (ld->ifaces[sv->iface].has_gw && ld->ifaces[sv->iface].gw == a->vip)
			err(ld, a->vip_s, "%s: vip %s is the gateway of %s", a->label,
			    ip(ld, a->vip), ld->ifaces[sv->iface].label);
	}
	if (a->mode_ok && a->proto_ok && sv->mode == WEIR_MODE_TCP && sv->proto != WEIR_PROTO_TCP)
		err(ld, a->mode_s, "%s: mode tcp needs protocol tcp", a->label);
	if (a->laddr_s && a->mode_ok && sv->mode == WEIR_MODE_DSR)
		err(ld, a->laddr_s, "%s: local_addresses is only valid with mode nat or tcp",
		    a->label);
	if (a->mode_ok && sv->mode == WEIR_MODE_DSR && sv->backend >= 0 && a->port_ok) {
		const struct weir_conf_backend *b = &ld->conf->backends[sv->backend];
		const struct backend_aux *ba = &ld->backends[sv->backend];

		for (uint32_t i = 0; ba->srv && i < b->nb_servers; i++) {
			const struct weir_conf_server *srv = &b->servers[i];
			bool single = sv->port_min == sv->port_max;

			if (srv->port != 0 && !(single && srv->port == sv->port_min)) {
				if (single)
					err(ld, a->mode_s,
					    "%s: mode dsr cannot rewrite ports, but %s has port %u "
					    "(use 0 or %u)",
					    a->label, ba->srv[i].label, srv->port, sv->port_min);
				else
					err(ld, a->mode_s,
					    "%s: mode dsr cannot rewrite ports, but %s has port %u "
					    "(use 0)",
					    a->label, ba->srv[i].label, srv->port);
			}
			if (ld->route_ok && ba->srv[i].addr_ok &&
			    iface_holding(ld, ba->srv[i].addr) < 0 && ld->gw_iface >= 0)
				err(ld, a->mode_s,
				    "%s: mode dsr needs servers on an interface subnet, but %s "
				    "(%s) "
				    "is only reachable through the gateway",
				    a->label, ba->srv[i].label, ip(ld, ba->srv[i].addr));
		}
	}
}

/* Reports services that overlap an earlier one: same VIP and protocol, a common port. */
static void check_overlaps(struct loader *ld)
{
	const struct weir_conf *c = ld->conf;

	for (uint32_t i = 0; i < c->nb_services; i++) {
		const struct weir_conf_service *a = &c->services[i];
		const struct service_aux *aa = &ld->services[i];

		if (!aa->vip_ok || !aa->port_ok || !aa->proto_ok)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const struct weir_conf_service *b = &c->services[j];
			const struct service_aux *ba = &ld->services[j];

			if (!ba->vip_ok || !ba->port_ok || !ba->proto_ok || a->vip != b->vip ||
			    a->proto != b->proto || a->port_min > b->port_max ||
			    b->port_min > a->port_max)
				continue;
			err(ld, aa->port_s, "%s: overlaps %s (%s %s port %u)", aa->label, ba->label,
			    ip(ld, aa->vip), weir_proto_name(a->proto),
			    a->port_min > b->port_min ? a->port_min : b->port_min);
			break;
		}
	}
}

/*
 * The addresses Weir answers ARP for keep one role each and take no other host's: a
 * local address that is also a VIP would turn server replies into client traffic, one
 * that is the gateway or a server would take that host's address over. A VIP holds at
 * most WEIR_MAX_VIP_SERVICES services (the dataplane's table per VIP).
 */
/* The label of a server at @addr (network order), or NULL. */
static const char *server_at(const struct loader *ld, uint32_t addr)
{
	const struct weir_conf *c = ld->conf;

	for (uint32_t b = 0; b < c->nb_backends; b++)
		for (uint32_t k = 0; ld->backends[b].srv && k < c->backends[b].nb_servers; k++)
			if (ld->backends[b].srv[k].addr_ok &&
			    c->backends[b].servers[k].addr == addr)
				return ld->backends[b].srv[k].label;
	return NULL;
}

static void check_addresses(struct loader *ld)
{
	const struct weir_conf *c = ld->conf;

	for (uint32_t i = 0; i < c->nb_services; i++) {
		const struct weir_conf_service *a = &c->services[i];
		const struct service_aux *aa = &ld->services[i];
		const char *srv;
		uint32_t same = 0;

		if (!aa->vip_ok)
			continue;
		for (uint32_t j = 0; j < i; j++)
			same += ld->services[j].vip_ok && c->services[j].vip == a->vip;
		if (same == WEIR_MAX_VIP_SERVICES)
			err(ld, aa->vip_s, "%s: vip %s has more than %u services", aa->label,
			    ip(ld, aa->vip), WEIR_MAX_VIP_SERVICES);
		if ((srv = server_at(ld, a->vip)) != NULL)
			err(ld, aa->vip_s, "%s: vip %s is the address of %s", aa->label,
			    ip(ld, aa->vip), srv);
		for (uint32_t l = 0; l < a->nb_laddrs; l++) {
			uint32_t la = a->laddrs[l];
			char what[LABEL_MAX + 32] = "";

			for (uint32_t j = 0; j < c->nb_services && !what[0]; j++)
				if (ld->services[j].vip_ok && c->services[j].vip == la)
					snprintf(what, sizeof(what), "the vip of %s",
						 ld->services[j].label);
			for (size_t k = 0; k < ld->nb_ifaces && !what[0]; k++)
				if (ld->ifaces[k].m.gateway != 0 && ld->ifaces[k].m.gateway == la)
					snprintf(what, sizeof(what), "the gateway of %s",
						 ld->ifaces[k].label);
			if (!what[0] && (srv = server_at(ld, la)) != NULL)
				snprintf(what, sizeof(what), "the address of %s", srv);
			if (what[0])
				err(ld, aa->laddr_s, "%s: local_addresses: %s is %s", aa->label,
				    ip(ld, ntohl(la)), what);
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each interface answers ARP for its own address and the VIPs and local addresses in
 * its subnet, at most WEIR_MAX_IFACE_ADDRS (the dataplane's list per port).
 */
static void check_iface_addresses(struct loader *ld)
{
	const struct weir_conf *c = ld->conf;
	uint64_t *list;
	size_t n = 0, cap = 0, i;

	for (uint32_t s = 0; s < c->nb_services; s++)
		cap += 1 + c->services[s].nb_laddrs;
	if (cap == 0)
		return;
	list = malloc(cap * sizeof(*list));
	if (list == NULL) {
		ld->oom = true;
		return;
	}
	for (uint32_t s = 0; s < c->nb_services; s++) {
		const struct service_aux *aa = &ld->services[s];
		int k;

		if (aa->vip_ok && (k = iface_holding(ld, aa->vip)) >= 0)
			list[n++] = (uint64_t)k << 32 | aa->vip;
		for (uint32_t l = 0; l < c->services[s].nb_laddrs; l++) {
			uint32_t la = ntohl(c->services[s].laddrs[l]);

			if ((k = iface_holding(ld, la)) >= 0)
				list[n++] = (uint64_t)k << 32 | la;
		}
	}
	qsort(list, n, sizeof(*list), cmp_u64);
	for (i = 0; i < n;) {
		uint32_t k = (uint32_t)(list[i] >> 32), count = 1; /* its own address */
		size_t j;

		for (j = i; j < n && list[j] >> 32 == k; j++)
			count += j == i || list[j] != list[j - 1];
		if (count > WEIR_MAX_IFACE_ADDRS)
			err(ld, ld->ifaces[k].addr_s,
			    "%s: more than %u addresses to answer ARP for (its own, VIPs and local "
			    "addresses in its subnet)",
			    ld->ifaces[k].label, WEIR_MAX_IFACE_ADDRS);
		i = j;
	}
	free(list);
}

/*
 * The dataplane keeps the local addresses of every nat and tcp service in one table of
 * WEIR_MAX_LADDRS_ALL (l4/lb.h), each address once: the service's local_addresses, or
 * without them the address of the interface that reaches its backend's first server.
 * The first address the table has no room for is refused where it comes from: its
 * element of local_addresses, or the service that takes the default one.
 */
static void check_laddrs_all(struct loader *ld)
{
	const struct weir_conf *c = ld->conf;
	uint32_t seen[WEIR_MAX_LADDRS_ALL], n = 0;

	for (uint32_t i = 0; i < c->nb_services; i++) {
		const struct weir_conf_service *sv = &c->services[i];
		const struct service_aux *a = &ld->services[i];
		uint32_t addrs[WEIR_MAX_LADDRS], nb = 0;
		const config_setting_t *at[WEIR_MAX_LADDRS];

		if (!a->mode_ok || sv->mode == WEIR_MODE_DSR)
			continue;
		for (uint32_t l = 0; l < sv->nb_laddrs; l++) {
			addrs[nb] = ntohl(sv->laddrs[l]);
			at[nb++] = a->laddr_e[l];
		}
		if (sv->nb_laddrs == 0 && !a->laddr_s && sv->backend >= 0 && ld->route_ok &&
		    ld->backends[sv->backend].srv && c->backends[sv->backend].nb_servers > 0 &&
		    ld->backends[sv->backend].srv[0].addr_ok) {
			int k = iface_holding(ld, ld->backends[sv->backend].srv[0].addr);

			if (k < 0)
				k = ld->gw_iface;
			if (k >= 0) {
				addrs[nb] = ld->ifaces[k].addr;
				at[nb++] = NULL;
			}
		}
		for (uint32_t l = 0; l < nb; l++) {
			bool dup = false;

			for (uint32_t j = 0; j < n && !dup; j++)
				dup = seen[j] == addrs[l];
			if (dup)
				continue;
			if (n == WEIR_MAX_LADDRS_ALL) {
				if (at[l])
					err(ld, at[l],
					    "%s: local_addresses: %s is one more than the %u local "
					    "addresses all services may have",
					    a->label, ip(ld, addrs[l]), WEIR_MAX_LADDRS_ALL);
				else
					err(ld, a->s,
					    "%s: its default local address %s is one more than the "
					    "%u local addresses all services may have",
					    a->label, ip(ld, addrs[l]), WEIR_MAX_LADDRS_ALL);
				return;
			}
			seen[n++] = addrs[l];
		}
	}
}

/* Stick table @pos (1-based), element @e. */
static void parse_table(struct loader *ld, const config_setting_t *e, int pos,
			struct weir_conf_stick_table *t, struct table_aux *a)
{
	char label[LABEL_MAX], lbl[LABEL_MAX + 2];
	struct grp g;

	t->size = 65536;
	t->expire_ms = 60000;
	t->line = (int)config_setting_source_line(e);
	snprintf(label, sizeof(label), "stick table #%d", pos);
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", label);
	g = (struct grp){ e, lbl, label, lbl };
	a->name_s = member(&g, "name");
	a->name_ok = get_name(ld, &g, "name", true, t->name) == GOT;
	if (a->name_ok)
		snprintf(label, sizeof(label), "stick table '%s'", t->name);
	snprintf(lbl, sizeof(lbl), "%s: ", label);
	check_keys(ld, &g, table_keys);
	get_u32(ld, &g, "size", 1, 16777216, &t->size);
	get_u32(ld, &g, "expire_ms", 100, 86400000, &t->expire_ms);
}

/* "aa:bb:cc:dd:ee:ff" (hex, either case) into @mac; false when not of that shape. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (!is_xdigit(s[0]) || !is_xdigit(s[1]) || s[2] != (i < 5 ? ':' : '\0'))
			return false;
		mac[i] = (uint8_t)strtoul((char[]){ s[0], s[1], '\0' }, NULL, 16);
		s += 3;
	}
	return true;
}

/* Static neighbour @pos (1-based), element @e; interfaces are parsed already. */
static void parse_neighbour(struct loader *ld, const config_setting_t *e, int pos,
			    struct weir_conf_neighbour *n, uint32_t *host_addr, bool *addr_ok)
{
	char label[LABEL_MAX], lbl[LABEL_MAX + 2];
	const char *iface = NULL, *mac = NULL;
	struct grp g;
	uint32_t a = 0;

	*addr_ok = false;
	n->iface = -1;
	n->line = (int)config_setting_source_line(e);
	snprintf(label, sizeof(label), "neighbour #%d", pos);
	if (!config_setting_is_group(e)) {
		err(ld, e, "%s: expected a group", label);
		return;
	}
	snprintf(lbl, sizeof(lbl), "%s: ", label);
	g = (struct grp){ e, lbl, label, lbl };
	check_keys(ld, &g, neighbour_keys);
	if (get_str(ld, &g, "interface", true, &iface) == GOT) {
		for (size_t i = 0; i < ld->nb_ifaces; i++)
			if (ld->ifaces[i].name_ok && strcmp(ld->ifaces[i].m.name, iface) == 0)
				n->iface = (int)i;
		if (n->iface < 0)
			err(ld, member(&g, "interface"), "%sinterface '%s' is not defined", lbl,
			    shown(ld, iface));
	}
	if (get_addr(ld, &g, "address", true, &a) == GOT) {
		const struct iface_aux *f = n->iface >= 0 ? &ld->ifaces[n->iface] : NULL;

		n->addr = htonl(a);
		*host_addr = a;
		*addr_ok = true;
		if (f != NULL && f->addr_ok && !subnets_overlap(a, 32, f->addr, f->m.prefixlen))
			err(ld, member(&g, "address"),
			    "%saddress %s is not in the subnet %s of "
			    "interface '%s'",
			    lbl, ip(ld, a), subnet(ld, f->addr, f->m.prefixlen), iface);
		else if (f != NULL && f->addr_ok && f->addr == a)
			err(ld, member(&g, "address"),
			    "%saddress %s is the address of "
			    "interface '%s'",
			    lbl, ip(ld, a), iface);
	}
	if (get_str(ld, &g, "mac", true, &mac) == GOT) {
		if (!parse_mac(mac, n->mac))
			err(ld, member(&g, "mac"),
			    "%smac: '%s' is not a MAC address "
			    "(aa:bb:cc:dd:ee:ff)",
			    lbl, shown(ld, mac));
		else if (n->mac[0] & 1)
			err(ld, member(&g, "mac"), "%smac: %s is a group address, not a host's",
			    lbl, mac);
	}
}

/* calloc() of @n elements of @size, at least one so that NULL only means failure. */
static void *alloc_array(struct loader *ld, size_t n, size_t size)
{
	void *a = calloc(n ? n : 1, size);

	if (!a)
		ld->oom = true;
	return a;
}

/*
 * Put host-order @addr in the loader's model of the neighbour table (allocated on first
 * use): 1 when it took a free slot of its bucket, 0 when it was there already, -1 when
 * the bucket is full (or there is no memory for the model).
 */
static int neigh_hold(struct loader *ld, uint32_t addr)
{
	uint32_t nb = weir_neigh_nb_buckets(ld->conf->global.neigh.max_entries), *slot;

	if (ld->neigh_held == NULL)
		ld->neigh_held = alloc_array(ld, (size_t)nb * WEIR_NEIGH_WAYS, sizeof(uint32_t));
	if (ld->neigh_held == NULL)
		return -1;
	slot = &ld->neigh_held[(size_t)weir_neigh_bucket(addr, nb) * WEIR_NEIGH_WAYS];
	for (unsigned int i = 0; i < WEIR_NEIGH_WAYS; i++) {
		if (slot[i] == addr)
			return 0;
		if (slot[i] == 0) {
			slot[i] = addr;
			return 1;
		}
	}
	return -1;
}

/*
 * At start the dataplane puts the static neighbours, in file order, in its empty
 * neighbour table (weir_neigh_add_static()). One beyond global.neigh.max_entries, or
 * one whose bucket of WEIR_NEIGH_WAYS is full of earlier ones already, would be left
 * out with only a warning; the first that would is refused here, at its line. @placed
 * counts those placed so far. Returns false for that one.
 */
static bool place_neighbour(struct loader *ld, const config_setting_t *e, int pos, uint32_t addr,
			    uint32_t *placed)
{
	const struct weir_conf_neigh *t = &ld->conf->global.neigh;

	if (*placed == t->max_entries) {
		err(ld, e,
		    "neighbour #%d: more static neighbours than global.neigh.max_entries (%u)", pos,
		    t->max_entries);
		return false;
	}
	if (neigh_hold(ld, addr) < 0) {
		err(ld, e,
		    "neighbour #%d: no room for %s in the neighbour table: its bucket is full of "
		    "%u static neighbours before it (raise global.neigh.max_entries, %u now)",
		    pos, ip(ld, addr), WEIR_NEIGH_WAYS, t->max_entries);
		return false;
	}
	(*placed)++;
	return true;
}

/* The neighbours list @s, duplicates (same address) included in the checks. */
static void parse_neighbours(struct loader *ld, const config_setting_t *s)
{
	struct weir_conf *c = ld->conf;
	uint32_t n = (uint32_t)config_setting_length(s), *addrs, placed = 0;
	bool *ok;

	c->neighbours = alloc_array(ld, n, sizeof(*c->neighbours));
	addrs = alloc_array(ld, n, sizeof(*addrs));
	ok = alloc_array(ld, n, sizeof(*ok));
	if (c->neighbours && addrs && ok) {
		c->nb_neighbours = n;
		for (uint32_t i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, i);
			bool dup = false;

			parse_neighbour(ld, e, (int)i + 1, &c->neighbours[i], &addrs[i], &ok[i]);
			for (uint32_t j = 0; j < i && ok[i]; j++) {
				if (ok[j] && addrs[j] == addrs[i]) {
					err(ld, e, "duplicate neighbour %s (first at line %d)",
					    ip(ld, addrs[i]), c->neighbours[j].line);
					dup = true;
					break;
				}
			}
			if (ok[i] && !dup && !ld->neigh_refused)
				ld->neigh_refused =
					!place_neighbour(ld, e, (int)i + 1, addrs[i], &placed);
		}
	}
	free(addrs);
	free(ok);
}

/*
 * The DPDK memory the config needs at start (weir_conf_memory(), counted as with
 * hugepages, the least it can be) against global.memory_mb: more fails at start with
 * "cannot allocate". Reported at memory_mb, or at the global group without it.
 */
static void check_memory(struct loader *ld)
{
	const struct weir_conf_global *g = &ld->conf->global;
	struct weir_conf_memory m;
	char text[512];
	const char *v = "";

	weir_conf_memory(ld->conf, 0, &m);
	if (m.total <= (uint64_t)g->memory_mb << 20)
		return;
	weir_conf_memory_text(ld->conf, &m, text, sizeof(text));
	if (!ld->memory_s)
		v = " (the default)";
	if (ld->memory_s || ld->global_s)
		err(ld, ld->memory_s ? ld->memory_s : ld->global_s,
		    "global.memory_mb: %u MiB%s is less than the config needs, %s", g->memory_mb, v,
		    text);
	else
		err_in(ld, NULL, 0, "global.memory_mb: %u MiB%s is less than the config needs, %s",
		       g->memory_mb, v, text);
}

/*
 * At start the gateway and the servers' next hops are watched: resolved at once and kept
 * in the neighbour table, where neither they nor static neighbours are ever evicted. One
 * whose bucket is full of those before it could never be resolved: its server would stay
 * down for good, with nothing said but a failing check. Placed after the static
 * neighbours (parse_neighbours()) in the order start-up places them (the gateway, the
 * servers by backend), the first that would not fit is refused at its line. Skipped
 * when a static neighbour was refused. Frees the loader's model of the table.
 */
static void check_watched_room(struct loader *ld)
{
	const struct weir_conf *c = ld->conf;
	uint32_t max = c->global.neigh.max_entries;
	const struct iface_aux *gw = ld->gw_iface >= 0 ? &ld->ifaces[ld->gw_iface] : NULL;

	if (!ld->route_ok || ld->backends == NULL || ld->neigh_refused)
		goto out;
	if (gw != NULL && gw->m.gateway != 0 && neigh_hold(ld, gw->gw) < 0) {
		err(ld, gw->gw_s,
		    "%s: no room for gateway %s in the neighbour table: its bucket is full of %u "
		    "static neighbours (raise global.neigh.max_entries, %u now)",
		    gw->label, ip(ld, gw->gw), WEIR_NEIGH_WAYS, max);
		goto out;
	}
	for (uint32_t b = 0; b < c->nb_backends; b++) {
		const struct backend_aux *ba = &ld->backends[b];

		for (uint32_t i = 0; ba->srv != NULL && i < c->backends[b].nb_servers; i++) {
			const struct server_aux *sa = &ba->srv[i];
			uint32_t hop;

			if (!sa->addr_ok)
				continue;
			hop = iface_holding(ld, sa->addr) >= 0 ? sa->addr : gw != NULL ? gw->gw : 0;
			if (hop == 0 || neigh_hold(ld, hop) >= 0)
				continue;
			err(ld, sa->addr_s,
			    "%s: no room for its next hop %s in the neighbour table: its bucket is "
			    "full of %u static or watched neighbours before it (raise "
			    "global.neigh.max_entries, %u now)",
			    sa->label, ip(ld, hop), WEIR_NEIGH_WAYS, max);
			goto out;
		}
	}
out:
	free(ld->neigh_held);
	ld->neigh_held = NULL;
}

/* Walks the whole tree of a parsed file into ld->conf. */
static void parse_root(struct loader *ld, const config_setting_t *root)
{
	struct grp g = { root, "", NULL, "" };
	struct weir_conf *c = ld->conf;
	const config_setting_t *s;
	uint32_t n, all = 0;

	check_keys(ld, &g, root_keys);
	s = get_group(ld, &g, "global");
	if (s)
		parse_global(ld, s);

	s = get_list(ld, &g, "interfaces", true, 1, WEIR_MAX_IFACES);
	if (s)
		parse_ifaces(ld, s);

	s = get_list(ld, &g, "backends", false, 0, INT_MAX);
	n = s ? (uint32_t)config_setting_length(s) : 0;
	c->backends = alloc_array(ld, n, sizeof(*c->backends));
	ld->backends = alloc_array(ld, n, sizeof(*ld->backends));
	if (!c->backends || !ld->backends)
		return;
	c->nb_backends = n;
	for (uint32_t i = 0; i < n; i++) {
		struct backend_aux *a = &ld->backends[i];

		parse_backend(ld, config_setting_get_elem(s, i), (int)i + 1, &c->backends[i], a);
		for (uint32_t j = 0; j < i && a->name_ok; j++) {
			if (ld->backends[j].name_ok &&
			    strcmp(c->backends[i].name, c->backends[j].name) == 0) {
				dup_name(ld, "", "backend", c->backends[i].name, a->name_s,
					 ld->backends[j].name_s);
				break;
			}
		}
		check_servers(ld, &c->backends[i], a);
		all += c->backends[i].nb_servers;
	}
	if (all > WEIR_MAX_SERVERS_ALL)
		err(ld, s, "backends: %u servers in all, expected at most %u", all,
		    WEIR_MAX_SERVERS_ALL);

	s = get_list(ld, &g, "services", false, 0, WEIR_MAX_SERVICES);
	n = s ? (uint32_t)config_setting_length(s) : 0;
	c->services = alloc_array(ld, n, sizeof(*c->services));
	ld->services = alloc_array(ld, n, sizeof(*ld->services));
	if (!c->services || !ld->services)
		return;
	c->nb_services = n;
	for (uint32_t i = 0; i < n; i++) {
		struct service_aux *a = &ld->services[i];

		parse_service(ld, config_setting_get_elem(s, i), (int)i + 1, &c->services[i], a);
		for (uint32_t j = 0; j < i && a->name_ok; j++) {
			if (ld->services[j].name_ok &&
			    strcmp(c->services[i].name, c->services[j].name) == 0) {
				dup_name(ld, "", "service", c->services[i].name, a->name_s,
					 ld->services[j].name_s);
				break;
			}
		}
	}
	check_overlaps(ld);
	check_addresses(ld);
	check_iface_addresses(ld);
	check_laddrs_all(ld);
	check_memory(ld);

	s = get_list(ld, &g, "neighbours", false, 0, 65536);
	if (s)
		parse_neighbours(ld, s);
	check_watched_room(ld);

	s = get_list(ld, &g, "stick_tables", false, 0, INT_MAX);
	n = s ? (uint32_t)config_setting_length(s) : 0;
	c->stick_tables = alloc_array(ld, n, sizeof(*c->stick_tables));
	ld->tables = alloc_array(ld, n, sizeof(*ld->tables));
	if (!c->stick_tables || !ld->tables)
		return;
	c->nb_stick_tables = n;
	for (uint32_t i = 0; i < n; i++) {
		struct table_aux *a = &ld->tables[i];

		parse_table(ld, config_setting_get_elem(s, i), (int)i + 1, &c->stick_tables[i], a);
		for (uint32_t j = 0; j < i && a->name_ok; j++) {
			if (ld->tables[j].name_ok &&
			    strcmp(c->stick_tables[i].name, c->stick_tables[j].name) == 0) {
				dup_name(ld, "", "stick table", c->stick_tables[i].name, a->name_s,
					 ld->tables[j].name_s);
				break;
			}
		}
	}
}

/*
 * Reports wide literals that no integer key reported, unless their line has an error
 * already (an unknown key, a key of another type): one that went unmatched in an
 * unpaired file, or whose value sits on a line of its own under an unknown key.
 */
static void report_wide(struct loader *ld, size_t file, const struct wide *w)
{
	for (size_t e = 0; e < ld->nb_errs; e++)
		if (ld->errs[e].rank == file && ld->errs[e].line == w->line)
			return;
	err_in(ld, ld->files[file].raw, w->line, "%s is too large for an integer", w->text);
}

/* Reports the wide literals no integer key reported; see report_wide(). */
static void report_unused_wide(struct loader *ld)
{
	for (size_t i = 0; i < ld->nb_binds; i++) {
		const struct bind *b = &ld->binds[i];

		if (!b->used && !ld->files[b->file].unpaired)
			report_wide(ld, b->file, &ld->files[b->file].wide[b->wide]);
	}
	for (size_t i = 0; i < ld->nb_files; i++)
		for (size_t k = 0; ld->files[i].unpaired && k < ld->files[i].nb_wide; k++)
			if (!ld->files[i].wide[k].used)
				report_wide(ld, i, &ld->files[i].wide[k]);
}

/* ---- driver ------------------------------------------------------------------------ */

static void loader_init(struct loader *ld, const char *name)
{
	memset(ld, 0, sizeof(*ld));
	ld->name = name;
	ld->gw_iface = -1;
}

/* Sets ld->incdir to the directory of @name ("." when it has none). */
static void set_incdir(struct loader *ld, const char *name)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		ld->incdir = dup_str(".");
	else if (slash == name)
		ld->incdir = dup_str("/");
	else
		ld->incdir = dup_n(name, (size_t)(slash - name));
	if (!ld->incdir)
		ld->oom = true;
}

/*
 * Checks the @include lines of @text (of the file included as @raw; NULL: the main
 * file), then theirs, before libconfig reads anything: its scanner calls exit() on a
 * file it cannot read as text (a directory, an empty name), and it reads an included
 * file in pieces, in time quadratic in a long line, without a size limit. An include
 * that cannot be opened is left to libconfig's own error. False after an error.
 */
static bool check_includes(struct loader *ld, const char *text, const char *raw, int depth)
{
	bool ok = true;
	unsigned int line = 1;

	for (const char *p = text; *p && ok; line++) {
		const char *q = p, *name, *end;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "@include", 8) == 0 && (name = strchr(q + 8, '"')) != NULL &&
		    (end = strchr(name + 1, '"')) != NULL &&
		    memchr(q, '\n', (size_t)(end - q)) == NULL) {
			char *inc = dup_n(name + 1, (size_t)(end - name - 1)), *path, *sub = NULL;
			size_t len;
			struct stat st;

			path = inc && inc[0] != '/' ? format("%s/%s", ld->incdir, inc)
						    : dup_str(inc);
			if (!inc || !path) {
				ld->oom = true;
				ok = false;
			} else if (stat(path, &st) != 0) {
				/* left to libconfig's "cannot open include file" */
			} else if (!S_ISREG(st.st_mode)) {
				err_in(ld, raw, line, "@include \"%s\": not a regular file", inc);
				ok = false;
			} else if (depth < 10) {
				int e = read_all(path, &sub, &len);

				if (e == EFBIG) {
					err_in(ld, raw, line, "@include \"%s\": larger than 16 MiB",
					       inc);
					ok = false;
				} else if (e == 0) {
					ok = check_includes(ld, sub, inc, depth + 1);
				}
				free(sub);
			}
			free(inc);
			free(path);
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return ok;
}

/* Parses and checks @text (the main file's contents) into a new ld->conf. */
static void load_text(struct loader *ld, const char *text)
{
	config_t cfg;

	set_incdir(ld, ld->name);
	if (ld->oom)
		return;
	if (strlen(ld->name) >= WEIR_PATH_MAX) {
		err_in(ld, NULL, 0, "path longer than %d characters", WEIR_PATH_MAX - 1);
		return;
	}
	if (!check_includes(ld, text, NULL, 0))
		return;
	config_init(&cfg);
	config_set_include_dir(&cfg, ld->incdir);
	if (!config_read_string(&cfg, text)) {
		const char *msg = config_error_text(&cfg);
		int line = config_error_line(&cfg);

		err_in(ld, config_error_file(&cfg), line > 0 ? (unsigned int)line : 0, "%s",
		       msg ? msg : "syntax error");
		config_destroy(&cfg);
		return;
	}
	if (file_of(ld, NULL)) {
		scan_text(ld, &ld->files[0], text);
		pair_all(ld, config_root_setting(&cfg));
	}
	ld->conf = calloc(1, sizeof(*ld->conf));
	if (!ld->conf) {
		ld->oom = true;
		config_destroy(&cfg);
		return;
	}
	strcpy(ld->conf->path, ld->name);
	set_defaults(ld->conf);
	parse_root(ld, config_root_setting(&cfg));
	report_unused_wide(ld);
	config_destroy(&cfg);
}

static int errrec_cmp(const void *pa, const void *pb)
{
	const struct errrec *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Hands the sorted errors to @out (may be NULL), frees the loader, and returns the
 * model when there was no error, else frees it and returns NULL.
 */
static struct weir_conf *finish(struct loader *ld, struct weir_conf_errors *out)
{
	struct weir_conf *conf = ld->conf;
	bool failed;

	failed = ld->oom || ld->nb_errs > 0 || !conf;
	if (ld->oom) {
		size_t before = ld->nb_errs;

		err_in(ld, NULL, 0, "out of memory");
		if (ld->nb_errs == before && out)
			out->dropped++; /* so that a failure never comes without a trace */
	}
	if (ld->nb_errs > 1)
		qsort(ld->errs, ld->nb_errs, sizeof(*ld->errs), errrec_cmp);
	for (size_t i = 0; i < ld->nb_errs; i++) {
		if (out && out->count < WEIR_CONF_MAX_ERR) {
			out->msg[out->count++] = ld->errs[i].msg;
		} else {
			free(ld->errs[i].msg);
			if (out)
				out->dropped++;
		}
	}
	free(ld->errs);
	free(ld->binds);
	for (size_t i = 0; i < ld->nb_files; i++) {
		free(ld->files[i].raw);
		free(ld->files[i].path);
		free(ld->files[i].wide);
		free(ld->files[i].lits);
	}
	free(ld->files);
	free(ld->incdir);
	free(ld->ifaces);
	if (ld->backends && conf)
		for (uint32_t i = 0; i < conf->nb_backends; i++)
			free(ld->backends[i].srv);
	free(ld->backends);
	free(ld->services);
	free(ld->tables);
	if (failed) {
		weir_conf_free(conf);
		return NULL;
	}
	return conf;
}

struct weir_conf *weir_conf_load(const char *path, struct weir_conf_errors *errs)
{
	struct loader ld;
	char *text = NULL;
	size_t len = 0;
	int e;

	if (errs)
		memset(errs, 0, sizeof(*errs));
	loader_init(&ld, path);
	e = read_all(path, &text, &len);
	if (e == EFBIG) {
		err_in(&ld, NULL, 0, "larger than 16 MiB");
	} else if (e) {
		err_in(&ld, NULL, 0, "cannot read: %s", strerror(e));
	} else {
		const char *nul = memchr(text, '\0', len);

		if (nul) {
			unsigned int line = 1;

			for (const char *p = text; p < nul; p++)
				line += *p == '\n';
			err_in(&ld, NULL, line, "NUL byte in the file");
		} else {
			load_text(&ld, text);
		}
	}
	free(text);
	return finish(&ld, errs);
}

struct weir_conf *weir_conf_load_string(const char *text, const char *name,
					struct weir_conf_errors *errs)
{
	struct loader ld;

	if (errs)
		memset(errs, 0, sizeof(*errs));
	loader_init(&ld, name);
	load_text(&ld, text);
	return finish(&ld, errs);
}

void weir_conf_free(struct weir_conf *conf)
{
	if (!conf)
		return;
	if (conf->backends)
		for (uint32_t i = 0; i < conf->nb_backends; i++)
			free(conf->backends[i].servers);
	free(conf->backends);
	free(conf->services);
	free(conf->stick_tables);
	free(conf->neighbours);
	free(conf);
}

void weir_conf_errors_clear(struct weir_conf_errors *errs)
{
	if (!errs)
		return;
	for (unsigned int i = 0; i < errs->count; i++)
		free(errs->msg[i]);
	memset(errs, 0, sizeof(*errs));
}

const char *weir_balance_name(enum weir_balance b)
{
	return (unsigned int)b < WEIR_BALANCE_MAX ? balance_names[b] : "unknown";
}

const char *weir_mode_name(enum weir_svc_mode m)
{
	return (unsigned int)m <= WEIR_MODE_TCP ? mode_names[m] : "unknown";
}

const char *weir_proto_name(enum weir_proto p)
{
	switch (p) {
	case WEIR_PROTO_TCP:
		return "tcp";
	case WEIR_PROTO_UDP:
		return "udp";
	}
	return "unknown";
}

int weir_conf_iface_for(const struct weir_conf *conf, uint32_t addr)
{
	uint32_t a = ntohl(addr);

	for (uint32_t i = 0; i < conf->nb_ifaces; i++) {
		const struct weir_conf_iface *f = &conf->ifaces[i];

		if (subnets_overlap(a, 32, ntohl(f->addr), f->prefixlen))
			return (int)i;
	}
	return -1;
}
