/* SPDX-License-Identifier: BSD-3-Clause */
/* The load-balancing model at run time: services, backends, servers and their state. */
#ifndef WEIR_LB_H
#define WEIR_LB_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "conf/conf.h"
#include "core/dp.h"

struct weir_sched_view;
struct weir_sched_ops;

/* Administrative state, set by the operator (HAProxy's ready/drain/maint). */
enum weir_srv_admin {
	WEIR_SRV_READY = 0,
	WEIR_SRV_DRAIN, /* existing flows go on, no new ones */
	WEIR_SRV_MAINT, /* no new flows; the health check is paused */
};

/* Operational state, set by health checks. */
enum weir_srv_op {
	WEIR_SRV_UP = 0,
	WEIR_SRV_DOWN,
};

/* Last health-check outcome, as HAProxy names them in `show stat`. */
enum weir_chk_status {
	WEIR_CHK_NONE = 0, /* no check configured */
	WEIR_CHK_INI,      /* no result yet */
	WEIR_CHK_L4OK,     /* SYN answered by SYN-ACK */
	WEIR_CHK_L4TOUT,   /* no answer in time */
	WEIR_CHK_L4CON,    /* refused (RST) or unreachable */
};

/* Health-check progress of one server; the main lcore's alone. */
struct weir_check_state {
	uint32_t health; /* 0 .. rise + fall - 1; up when >= rise (HAProxy's model) */
	bool running;    /* a probe is out */
	bool arp_wait;   /* ... waiting for its next hop's MAC to leave */
	uint16_t sport;  /* source port of the probe out (network order) */
	uint32_t iss;    /* its sequence number */
	uint64_t sent;   /* TSC it left */
	uint64_t next;   /* TSC of the next probe */
	uint8_t status;  /* enum weir_chk_status */
	uint32_t duration_ms;
	uint64_t last_chk; /* TSC of the last result */
};

struct weir_backend;

/*
 * New flows a second, as HAProxy's rate and rate_max: the main lcore counts the total
 * once a second (weir_l4_stat_tick()).
 */
struct weir_rate {
	uint64_t last_total;
	uint32_t cur; /* over the last whole second */
	uint32_t max;
};

struct weir_server {
	char name[WEIR_NAME_MAX];
	struct weir_backend *be;
	uint32_t id;         /* index in the backend */
	uint32_t gid;        /* index over all backends: per-worker counter arrays */
	uint32_t addr;       /* network order */
	uint16_t port;       /* network order; 0: the port the client asked for */
	uint16_t check_port; /* network order */
	uint32_t maxconn;    /* 0: unlimited */
	uint16_t out_port;   /* weir_port index it is reached through */
	uint32_t nexthop;    /* itself, or the gateway */
	uint32_t iweight;    /* weight from the config */
	bool backup;
	bool checked; /* takes part in active checks */
	uint64_t key; /* stable identity for consistent hashing */
	/* Written by the main lcore; workers read them only through views. */
	uint32_t uweight;
	uint8_t admin;        /* enum weir_srv_admin */
	uint8_t op;           /* enum weir_srv_op */
	uint64_t last_change; /* TSC */
	uint64_t down_since;  /* TSC; 0 while up */
	uint64_t downtime_ms; /* accumulated */
	uint32_t chkfail;     /* failed checks */
	uint32_t chkdown;     /* up -> down transitions */
	struct weir_check_state chk;
	struct weir_rate rate; /* new flows a second (main lcore) */
};

struct weir_backend {
	char name[WEIR_NAME_MAX];
	uint32_t index;
	enum weir_balance algo;
	const struct weir_sched_ops *ops;
	enum weir_all_down all_down;
	uint32_t maglev_size;
	struct weir_conf_check check;
	struct weir_server *srv;
	uint32_t nb_srv;
	/*
	 * Active flows per server id, shared by all workers (atomic add on create/expire),
	 * then at [nb_srv] the backend's total; smax[] the most each has had at once.
	 */
	uint32_t *conns;
	uint32_t *smax;
	/* The servers new flows may go to; replaced whole (RCU) when a state changes. */
	struct weir_sched_view *view;
	bool view_is_backup; /* the view holds backup servers: every primary is out */
	uint64_t gen;
	uint64_t last_change;
	uint64_t down_since;
	uint64_t downtime_ms;
	struct weir_rate rate;
};

struct weir_service {
	char name[WEIR_NAME_MAX];
	uint32_t index;
	uint32_t vip; /* network order */
	uint8_t proto;
	uint8_t mode;                /* enum weir_svc_mode */
	uint16_t port_min, port_max; /* host order */
	uint16_t iface;              /* port index the VIP lives on */
	struct weir_backend *be;
	uint16_t laddr[WEIR_MAX_LADDRS]; /* indexes into weir_lb.laddr */
	uint16_t nb_laddr;
	uint64_t timeout[8];  /* TSC, by enum weir_flow_state */
	uint64_t ptimeout[3]; /* TCP proxy, TSC: client idle, server idle, connect */
	struct weir_rate rate;
};

/* All services on one VIP, for the lookup of (proto, port). */
struct weir_vip {
	uint32_t vip;
	uint16_t nb;
	uint16_t svc[WEIR_MAX_VIP_SERVICES];
};

/* A full-NAT source address and the interface it is reached on. */
struct weir_laddr {
	uint32_t addr;
	uint16_t port; /* weir_port index */
	uint8_t modes; /* 1 << enum weir_svc_mode of each kind of service taking its ports */
};

struct weir_lb {
	struct weir_service *svc;
	uint32_t nb_svc;
	/*
	 * Per service, shared by all workers: [2i] its active flows (weir_l4_svc_open(),
	 * weir_l4_svc_close()), [2i + 1] the most it has had at once.
	 */
	uint32_t *svc_conns;
	uint64_t rate_tsc;     /* the last rate count (weir_l4_stat_tick()) */
	struct weir_rate rate; /* all services' */
	struct weir_backend *be;
	uint32_t nb_be;
	struct weir_server **srv; /* by gid */
	uint32_t nb_srv;
	struct weir_vip *vips;
	uint32_t nb_vips;
	struct weir_laddr laddr[WEIR_MAX_LADDRS_ALL]; /* conf.c refuses configs with more */
	uint32_t nb_laddr;
	uint32_t lport_first; /* the first local port (global.local_ports) */
	uint32_t slice;       /* local ports per slice */
	/*
	 * Per port of the main lcore's slice: the health probes waiting on it for an
	 * answer (several servers' may share a port; each has one at a time). Only the
	 * main lcore writes it; workers pass a segment to a port of that slice on to the
	 * main lcore while it is not 0, and answer it as a closed port's otherwise
	 * (weir_lport_probing()).
	 */
	uint16_t *probing;
	/* Full-NAT TCP sequence space (l4/fwd.c nat_seq_init()): the ISN hash's key
	 * (weir_isn_key_from()), and the wall clock in ms at TSC tsc0, for timestamps that
	 * keep growing across restarts. */
	uint64_t isn_key[2];
	uint64_t wall_ms0;
	uint64_t tsc0;
	struct rte_rcu_qsbr *rcu;
	/* Views replaced but maybe still read by a worker, freed after a grace period. */
	struct {
		struct weir_sched_view *view;
		uint64_t token;
	} retired[64];
	uint32_t nb_retired;
};

/*
 * Local ports (global.local_ports, 1024-65535 by default) are split in slices: slice k
 * (k < workers) belongs to worker k, the last one to the main lcore (health checks). The
 * owner of any packet sent to Weir's local address follows from its destination port
 * alone: a worker id, or dp->nb_workers for main (@port in host order).
 */
static inline uint16_t weir_lport_owner(const struct weir_lb *lb, uint16_t nb_workers,
					uint16_t port)
{
	uint32_t k;

	if (port < lb->lport_first)
		return nb_workers;
	k = (port - lb->lport_first) / lb->slice;
	return (uint16_t)(k < nb_workers ? k : nb_workers);
}

/* Whether a health probe waits for an answer on @port (host order, of the main slice). */
static inline bool weir_lport_probing(const struct weir_lb *lb, uint16_t nb_workers, uint16_t port)
{
	uint32_t i = port - (lb->lport_first + (uint32_t)nb_workers * lb->slice);

	return i < lb->slice && __atomic_load_n(&lb->probing[i], __ATOMIC_ACQUIRE) != 0;
}

/* The first and one-past-last port of slice @k. */
static inline void weir_lport_slice(const struct weir_lb *lb, uint16_t k, uint32_t *first,
				    uint32_t *end)
{
	*first = lb->lport_first + k * lb->slice;
	*end = *first + lb->slice;
}

/* The kernel's ID of this boot, from which full-NAT ISNs take their key. */
#define WEIR_BOOT_ID "/proc/sys/kernel/random/boot_id"

/*
 * The key of full-NAT ISNs (l4/fwd.c nat_seq_init()), from the ID in file @path (32 hex
 * digits, dashes allowed) hashed with constants of Weir's own. With the boot ID it is
 * the same on every start until the machine reboots, as is the clock the ISNs add (the
 * TSC): a restarted Weir's ISNs go on growing from the last run's, and a server still
 * holding the last run's connections in TIME_WAIT takes the new ones, timestamps or
 * not. Unknown off the machine. Returns 0, or -1 when @path holds no ID: then the key
 * is random.
 */
int weir_isn_key_from(const char *path, uint64_t key[2]);

/*
 * Build the model from dp->conf: services, backends, servers (all up, weights from the
 * config), their first views, the VIP index, the local addresses; register the workers
 * with RCU. Returns 0 or -errno.
 */
int weir_lb_init(struct weir_dp *dp);
void weir_lb_fini(struct weir_dp *dp);

/* The service for (@vip_idx, @proto, @port host order), or NULL. */
static inline const struct weir_service *weir_lb_service(const struct weir_lb *lb, uint16_t vip_idx,
							 uint8_t proto, uint16_t port)
{
	const struct weir_vip *v = &lb->vips[vip_idx];
	uint16_t i;

	for (i = 0; i < v->nb; i++) {
		const struct weir_service *s = &lb->svc[v->svc[i]];

		if (s->proto == proto && port >= s->port_min && port <= s->port_max)
			return s;
	}
	return NULL;
}

/*
 * Main lcore: rebuild and publish @be's view after a server changed state or weight.
 * The old view is freed once every worker has passed a quiescent state.
 */
void weir_lb_update(struct weir_dp *dp, struct weir_backend *be);

/* Main lcore: free retired views no worker can still see. */
void weir_lb_reclaim(struct weir_dp *dp);

/* True when @s may take new flows (admin ready, up, weight > 0). */
static inline bool weir_server_usable(const struct weir_server *s)
{
	return s->admin == WEIR_SRV_READY && s->op == WEIR_SRV_UP && s->uweight > 0;
}

/* Find backend/server by "backend/server" name; NULL if not found. */
struct weir_server *weir_lb_find_server(struct weir_lb *lb, const char *spec);

#endif
