/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL arguments derived from the config, so operators never write them by hand. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/eal_args.h"

void weir_eal_env_probe(struct weir_eal_env *env)
{
	unsigned long long free_pages = 0, page_kb = 0;
	char line[512];
	cpu_set_t set;
	FILE *f;
	int c;

	memset(env, 0, sizeof(*env));
	env->page_size = (unsigned long)sysconf(_SC_PAGESIZE);
	f = fopen("/proc/meminfo", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			sscanf(line, "HugePages_Free: %llu", &free_pages);
			sscanf(line, "Hugepagesize: %llu kB", &page_kb);
		}
		fclose(f);
	}
	env->huge_free_bytes = free_pages * page_kb * 1024;
	f = fopen("/proc/mounts", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, " hugetlbfs ") != NULL)
				env->huge_mounted = true;
		fclose(f);
	}
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (c = 0; c < CPU_SETSIZE && env->nb_cpus < 1024; c++)
			if (CPU_ISSET(c, &set))
				env->cpus[env->nb_cpus++] = c;
	}
	if (env->nb_cpus == 0)
		env->cpus[env->nb_cpus++] = 0;
	/* "0-3,6,8-9" */
	f = fopen("/sys/devices/system/cpu/online", "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) != NULL) {
			char *p = line;

			while (*p >= '0' && *p <= '9') {
				long lo = strtol(p, &p, 10), hi = lo;

				if (*p == '-')
					hi = strtol(p + 1, &p, 10);
				for (; lo <= hi && lo < CPU_SETSIZE && env->nb_online < 1024; lo++)
					env->online[env->nb_online++] = (int)lo;
				if (*p == ',')
					p++;
			}
		}
		fclose(f);
	}
}

struct builder {
	struct weir_eal_args *out;
	size_t used;
	bool overflow;
};

/* Append one argument (printf-style) to the argv being built. */
static void __attribute__((format(printf, 2, 3))) arg(struct builder *b, const char *fmt, ...)
{
	struct weir_eal_args *o = b->out;
	size_t room = sizeof(o->buf) - b->used;
	va_list ap;
	int n;

	if (b->overflow || o->argc >= WEIR_EAL_MAX_ARGS) {
		b->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + b->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		return;
	}
	o->argv[o->argc++] = o->buf + b->used;
	b->used += (size_t)n + 1;
}

/* Whether global.cpus may pin to @cpu: online (else, when unknown, in the affinity). */
static bool cpu_allowed(const struct weir_eal_env *env, int cpu)
{
	const int *set = env->nb_online > 0 ? env->online : env->cpus;
	unsigned int i, n = env->nb_online > 0 ? env->nb_online : env->nb_cpus;

	for (i = 0; i < n; i++)
		if (set[i] == cpu)
			return true;
	return false;
}

/* Append to @out->shared at *@off, printf-style; what does not fit is cut. */
static void __attribute__((format(printf, 3, 4)))
shared_add(struct weir_eal_args *out, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= sizeof(out->shared) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out->shared + *off, sizeof(out->shared) - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/*
 * Names in @out->shared each CPU that more than one of the @n lcores in @cpu runs on
 * (lcore 0 the main one, lcore i + 1 worker i). Sharing is allowed on purpose: with
 * poll = "adaptive" lcores take turns on a CPU, as the demo and the tests on two CPUs
 * do; the start log says so, so that it is never a surprise on an appliance.
 */
static void name_shared(const int *cpu, unsigned int n, struct weir_eal_args *out)
{
	size_t off = 0;

	out->shared[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k, count = 0;

		for (k = 0; k < n; k++)
			count += cpu[k] == cpu[i];
		for (k = 0; k < i && cpu[k] != cpu[i]; k++)
			;
		if (count < 2 || k < i)
			continue; /* not shared, or named at its first lcore */
		shared_add(out, &off, "%sCPU %d:", off > 0 ? "; " : "", cpu[i]);
		for (k = i; k < n; k++) {
			if (cpu[k] != cpu[i])
				continue;
			if (k == 0)
				shared_add(out, &off, " main lcore");
			else
				shared_add(out, &off, "%s worker %u", k > i ? "," : "", k - 1);
		}
	}
}

static const char *not_there(const struct weir_eal_env *env)
{
	return env->nb_online > 0 ? "is not online" : "is not available to this process";
}

int weir_eal_args_build(const struct weir_conf *conf, const char *prog,
			const struct weir_eal_env *env, struct weir_eal_args *out, char *err,
			size_t errlen)
{
	const struct weir_conf_global *g = &conf->global;
	unsigned long long need = (unsigned long long)g->memory_mb << 20;
	struct builder b = { .out = out };
	char lcores[1024];
	int cpus[WEIR_MAX_WORKERS + 1]; /* by lcore */
	size_t off;
	int main_cpu;
	unsigned int i, k, nb_pci = 0;

	memset(out, 0, sizeof(*out));
	arg(&b, "%s", prog);

	/* Lcore 0 is the main lcore; worker i runs as lcore i + 1. */
	main_cpu = g->main_cpu >= 0 ? g->main_cpu : env->cpus[0];
	if (!cpu_allowed(env, main_cpu)) {
		snprintf(err, errlen, "global.cpus.main: CPU %d %s", main_cpu, not_there(env));
		return -EINVAL;
	}
	off = (size_t)snprintf(lcores, sizeof(lcores), "0@%d", main_cpu);
	cpus[0] = main_cpu;
	for (i = 0, k = 0; i < g->workers; i++) {
		int cpu;

		if (g->nb_worker_cpus > 0) {
			cpu = g->worker_cpus[i];
			if (!cpu_allowed(env, cpu)) {
				snprintf(err, errlen, "global.cpus.workers: CPU %d %s", cpu,
					 not_there(env));
				return -EINVAL;
			}
		} else if (env->nb_cpus > 1) {
			/* Spread workers over the CPUs other than the main lcore's. */
			do
				cpu = env->cpus[k++ % env->nb_cpus];
			while (cpu == main_cpu);
		} else {
			cpu = main_cpu;
		}
		cpus[i + 1] = cpu;
		off += (size_t)snprintf(lcores + off, sizeof(lcores) - off, ",%u@%d", i + 1, cpu);
		if (off >= sizeof(lcores)) {
			snprintf(err, errlen, "too many lcores");
			return -EINVAL;
		}
	}
	name_shared(cpus, g->workers + 1, out);
	arg(&b, "--lcores");
	arg(&b, "%s", lcores);
	arg(&b, "--main-lcore");
	arg(&b, "0");

	out->hugepages = g->hugepages != WEIR_HUGEPAGES_OFF && env->huge_mounted &&
			 env->huge_free_bytes >= need;
	if (g->hugepages == WEIR_HUGEPAGES_ON && !out->hugepages) {
		snprintf(err, errlen,
			 "global.hugepages is \"on\" but %s (%llu MiB free, %u MiB needed)",
			 env->huge_mounted ? "too few hugepages are free"
					   : "no hugetlbfs is mounted",
			 env->huge_free_bytes >> 20, g->memory_mb);
		return -EINVAL;
	}
	{
		/* The loader counted the least the config needs, as with hugepages; without
		 * them DPDK gives each packet buffer whole pages, and -m is all there is. */
		struct weir_conf_memory m;
		char text[384];

		weir_conf_memory(conf, out->hugepages ? 0 : env->page_size, &m);
		out->tables_bytes = m.total;
		if (!out->hugepages && env->page_size > 0 && m.total > need) {
			weir_conf_memory_text(conf, &m, text, sizeof(text));
			snprintf(err, errlen,
				 "global.memory_mb: %u MiB is less than the config needs without "
				 "hugepages, %s",
				 g->memory_mb, text);
			return -EINVAL;
		}
	}
	arg(&b, "-m");
	arg(&b, "%u", g->memory_mb);
	if (out->hugepages)
		arg(&b, "--huge-unlink");
	else
		arg(&b, "--no-huge");
	arg(&b, "--file-prefix");
	arg(&b, "%s", g->file_prefix);

	for (i = 0; i < conf->nb_ifaces; i++) {
		const struct weir_conf_iface *c = &conf->ifaces[i];

		if (c->is_pci) {
			arg(&b, "-a");
			arg(&b, "%s", c->device);
			nb_pci++;
		} else if (strncmp(c->device, "net_af_packet", 13) == 0 &&
			   strstr(c->device, "qpairs=") == NULL) {
			/* One socket (queue pair) per worker: the kernel fans frames out. */
			arg(&b, "--vdev");
			arg(&b, "%s,qpairs=%u", c->device, g->workers);
		} else {
			arg(&b, "--vdev");
			arg(&b, "%s", c->device);
		}
	}
	if (nb_pci == 0)
		arg(&b, "--no-pci");

	/* Libraries and drivers speak up for warnings; Weir's own types at log_level. */
	arg(&b, "--log-level=lib.*:warning");
	arg(&b, "--log-level=pmd.*:warning");
	arg(&b, "--log-level=weir.*:%s", g->log_level);
	if (b.overflow) {
		snprintf(err, errlen, "the EAL argument list is too long");
		return -EINVAL;
	}
	out->argv[out->argc] = NULL;
	return 0;
}
