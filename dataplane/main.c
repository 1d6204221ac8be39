/* SPDX-License-Identifier: BSD-3-Clause */
/* weir-dataplane: the DPDK primary process of the Weir load balancer. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "conf/conf.h"
#include "core/eal_args.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/worker.h"
#include "l4/l4.h"
#include "l4/proxy.h"
#include "runtime/runtime.h"

#define DEFAULT_CONF    "/etc/weir/weir.conf"
#define EXIT_CONF_ERROR 2
#define MAIN_POLL_MS    5

static struct weir_dp dataplane;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&dataplane.quit, 1, __ATOMIC_RELAXED);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: weir-dataplane [-c FILE] [--check]\n"
		   "  -c, --config FILE  configuration file (default " DEFAULT_CONF ")\n"
		   "  --check            validate the configuration and exit: 0 valid, 2 not\n"
		   "  -v, --version      print the version and exit\n");
}

/* Load @path; on error print every message and return NULL. */
static struct weir_conf *load_conf(const char *path)
{
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *conf = weir_conf_load(path, &errs);
	unsigned int i;

	if (conf != NULL)
		return conf;
	for (i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	if (errs.dropped)
		fprintf(stderr, "%s: %u more errors not shown\n", path, errs.dropped);
	weir_conf_errors_clear(&errs);
	return NULL;
}

static int setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	sa.sa_handler = SIG_IGN;
	/*
	 * A runtime client that hangs up must not kill the dataplane; nor a SIGHUP, which
	 * asks daemons to reopen their logs: Weir's go to stderr (the journal), none to
	 * reopen.
	 */
	if (sigaction(SIGPIPE, &sa, NULL) != 0 || sigaction(SIGHUP, &sa, NULL) != 0)
		return -errno;
	return 0;
}

/* Start one worker per worker lcore; lcore i + 1 runs worker i. */
static int launch_workers(struct weir_dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->nb_workers; i++) {
		int rc = rte_eal_remote_launch(weir_worker_main, &dp->workers[i], i + 1u);

		if (rc != 0) {
			WEIR_LOG(ERR, main, "cannot launch worker %u: %s\n", i, strerror(-rc));
			return rc;
		}
		dp->workers[i].lcore = i + 1u;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONF;
	struct weir_eal_args eal;
	struct weir_eal_env env;
	struct weir_conf *conf;
	struct weir_rt *rt;
	bool check = false;
	char err[512];
	int opt, rc, status = EXIT_SUCCESS;

	while ((opt = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'v':
			printf("weir-dataplane %s\n", WEIR_VERSION);
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_CONF_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_CONF_ERROR;
	}

	conf = load_conf(path);
	if (conf == NULL)
		return EXIT_CONF_ERROR;
	weir_eal_env_probe(&env);
	rc = weir_eal_args_build(conf, argv[0], &env, &eal, err, sizeof(err));
	if (check) {
		/* The file is what --check judges; this machine's CPUs and hugepages may not
		 * be the appliance's, so a mismatch is only a warning here. */
		if (rc != 0)
			fprintf(stderr, "%s: warning: on this machine: %s\n", path, err);
		printf("Configuration file is valid\n");
		weir_conf_free(conf);
		return EXIT_SUCCESS;
	}
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		weir_conf_free(conf);
		return EXIT_CONF_ERROR;
	}

	{
		char line[2048];
		size_t off = 0;
		int i;

		for (i = 1; i < eal.argc && off < sizeof(line); i++)
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", eal.argv[i]);
		fprintf(stderr, "weir: EAL arguments:%s\n", line);
	}
	fprintf(stderr,
		"weir: DPDK memory: the tables set up at start take about %llu of the %u MiB of "
		"global.memory_mb\n",
		(unsigned long long)((eal.tables_bytes + (1u << 20) - 1) >> 20),
		conf->global.memory_mb);
	if (eal.shared[0] != '\0' && conf->global.poll_mode == WEIR_POLL_BUSY)
		fprintf(stderr,
			"weir: warning: lcores share CPUs while poll = \"busy\" spins, so "
			"each gets a part of its CPU: %s\n",
			eal.shared);
	else if (eal.shared[0] != '\0')
		fprintf(stderr, "weir: lcores share CPUs, taking turns (poll = \"adaptive\"): %s\n",
			eal.shared);
	if (!eal.hugepages && conf->global.hugepages == WEIR_HUGEPAGES_AUTO)
		fprintf(stderr,
			"weir: hugepages not available (%u MiB needed): running with "
			"--no-huge\n",
			conf->global.memory_mb);
	rc = rte_eal_init(eal.argc, eal.argv);
	if (rc < 0) {
		fprintf(stderr, "weir: cannot initialise DPDK: %s\n", rte_strerror(rte_errno));
		weir_conf_free(conf);
		return EXIT_FAILURE;
	}
	if (setup_signals() != 0) {
		status = EXIT_FAILURE;
		goto out_eal;
	}
	rc = weir_dp_init(&dataplane, conf);
	if (rc == 0) {
		dataplane.hugepages = eal.hugepages;
		rc = weir_dp_start(&dataplane);
	}
	if (rc != 0) {
		status = EXIT_FAILURE;
		goto out_dp;
	}
	rt = weir_rt_open(&dataplane, conf->global.runtime_socket, conf->global.runtime_mode);
	if (rt == NULL) {
		WEIR_LOG(ERR, runtime, "cannot listen on %s: %s\n", conf->global.runtime_socket,
			 strerror(errno));
		status = EXIT_FAILURE;
		goto out_dp;
	}
	weir_rt_register_basic();
	weir_l4_register_commands();
	weir_proxy_register_commands();
	if (launch_workers(&dataplane) != 0) {
		__atomic_store_n(&dataplane.quit, 1, __ATOMIC_RELAXED);
		status = EXIT_FAILURE;
	}
	WEIR_LOG(INFO, main, "weir %s running: %u workers, %u interfaces, runtime socket %s\n",
		 WEIR_VERSION, dataplane.nb_workers, dataplane.nb_ports,
		 conf->global.runtime_socket);

	while (!__atomic_load_n(&dataplane.quit, __ATOMIC_RELAXED)) {
		weir_rt_poll(rt, MAIN_POLL_MS);
		weir_dp_main_work(&dataplane);
	}
	WEIR_LOG(INFO, main, "shutting down\n");
	rte_eal_mp_wait_lcore();
	weir_rt_close(rt);
out_dp:
	weir_dp_fini(&dataplane);
	conf = NULL;
out_eal:
	weir_conf_free(conf);
	weir_eal_cleanup();
	if (status == EXIT_SUCCESS)
		fprintf(stderr, "weir: stopped\n");
	return status;
}
