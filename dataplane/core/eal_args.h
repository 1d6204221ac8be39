/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL arguments derived from the config, so operators never write them by hand. */
#ifndef WEIR_EAL_ARGS_H
#define WEIR_EAL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

#define WEIR_EAL_MAX_ARGS 96

struct weir_eal_args {
	int argc;
	char *argv[WEIR_EAL_MAX_ARGS + 1];
	bool hugepages; /* whether the arguments use hugepages */
	/* The CPUs that run more than one lcore, for the start log: "CPU 1: main lcore,
	 * worker 0; CPU 2: worker 1, worker 2" (workers numbered from 0); empty if none. */
	char shared[1024];
	/* What the tables set up at start take (weir_conf_memory(), as these arguments
	 * give the memory: with hugepages or pages of the system's size), for the log. */
	uint64_t tables_bytes;
	char buf[8192]; /* storage the argv strings point into */
};

/*
 * What the machine offers, passed in so the derivation is a pure function that tests
 * can drive: free hugepage memory in a mounted hugetlbfs, and the CPUs this process
 * may run on.
 */
struct weir_eal_env {
	unsigned long long huge_free_bytes;
	bool huge_mounted;
	int cpus[1024]; /* this process's affinity: where unpinned lcores go */
	unsigned int nb_cpus;
	/*
	 * The online CPUs, any of which global.cpus may pin to: isolcpus= keeps the CPUs
	 * meant for workers out of every process's affinity. None known: the affinity.
	 */
	int online[1024];
	unsigned int nb_online;
	/* The page size of memory without hugepages, where a packet buffer takes whole pages
	 * (weir_conf_memory()); 0: not known, not checked. */
	unsigned long page_size;
};

/* Read the hugepage and CPU facts of this machine. */
void weir_eal_env_probe(struct weir_eal_env *env);

/*
 * Build the EAL argv for @conf: lcores pinned per global.cpus (or spread over the CPUs
 * in @env), memory and hugepages (or --no-huge), the file prefix, one --vdev per
 * virtual interface (af_packet gets one queue pair per worker), -a per PCI interface
 * or --no-pci, log levels. Lcores may share a CPU (pinned so, or more of them than
 * CPUs): that is allowed, and named in @out->shared. Returns 0, or -EINVAL with a reason in @err
 * (hugepages required but missing, a CPU outside the allowed set, global.memory_mb too small for
 * the config without hugepages).
 */
int weir_eal_args_build(const struct weir_conf *conf, const char *prog,
			const struct weir_eal_env *env, struct weir_eal_args *out, char *err,
			size_t errlen);

#endif
