/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the EAL arguments derived from the config. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>
#include <sched.h>
#include <unistd.h>

#include "core/eal_args.h"

static struct weir_conf *load(const char *text)
{
	struct weir_conf_errors errs = { 0 };
	struct weir_conf *c = weir_conf_load_string(text, "t.conf", &errs);
	unsigned int i;

	for (i = 0; i < errs.count; i++)
		print_error("%s\n", errs.msg[i]);
	weir_conf_errors_clear(&errs);
	assert_non_null(c);
	return c;
}

/* The whole argv joined with single spaces, after the program name. */
static const char *joined(const struct weir_eal_args *a)
{
	static char buf[8192];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i < a->argc; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i > 1 ? " " : "",
					a->argv[i]);
	return buf;
}

static void env_cpus(struct weir_eal_env *env, unsigned int n, bool huge, unsigned int huge_mb)
{
	unsigned int i;

	memset(env, 0, sizeof(*env));
	for (i = 0; i < n; i++)
		env->cpus[i] = (int)i;
	env->nb_cpus = n;
	env->huge_mounted = huge;
	env->huge_free_bytes = (unsigned long long)huge_mb << 20;
}

#define IFACES                                                                          \
	"interfaces = (\n"                                                              \
	"  { name = \"client\"; device = \"net_af_packet0,iface=dpc\"; "                \
	"address = \"10.0.0.1/24\"; },\n"                                               \
	"  { name = \"servers\"; device = \"net_tap0\"; address = \"10.1.0.1/24\"; }\n" \
	");\n"

static void test_vdevs_no_huge_spread_workers(void **state)
{
	struct weir_conf *c = load("global = { workers = 2; memory_mb = 256; file_prefix = \"t1\"; "
				   "log_level = \"debug\"; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 4, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_false(a.hugepages);
	assert_string_equal(a.argv[0], "weir");
	assert_null(a.argv[a.argc]);
	assert_string_equal(joined(&a),
			    "--lcores 0@0,1@1,2@2 --main-lcore 0 -m 256 --no-huge --file-prefix t1 "
			    "--vdev net_af_packet0,iface=dpc,qpairs=2 --vdev net_tap0 --no-pci "
			    "--log-level=lib.*:warning --log-level=pmd.*:warning "
			    "--log-level=weir.*:debug");
	weir_conf_free(c);
}

static void test_hugepages_used_when_enough(void **state)
{
	struct weir_conf *c = load("global = { memory_mb = 512; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 2, true, 1024);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_true(a.hugepages);
	assert_non_null(strstr(joined(&a), "-m 512 --huge-unlink --file-prefix weir "));
	/* Not enough free: auto falls back. */
	env_cpus(&env, 2, true, 256);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_false(a.hugepages);
	assert_non_null(strstr(joined(&a), "--no-huge"));
	weir_conf_free(c);
}

static void test_hugepages_required_but_missing(void **state)
{
	struct weir_conf *c = load("global = { hugepages = \"on\"; memory_mb = 512; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 2, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "global.hugepages is \"on\" but no hugetlbfs is mounted "
				 "(0 MiB free, 512 MiB needed)");
	env_cpus(&env, 2, true, 100);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "global.hugepages is \"on\" but too few hugepages are free "
				 "(100 MiB free, 512 MiB needed)");
	weir_conf_free(c);
}

static void test_hugepages_off(void **state)
{
	struct weir_conf *c = load("global = { hugepages = \"off\"; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 2, true, 4096);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_false(a.hugepages);
	weir_conf_free(c);
}

/*
 * The loader counts a packet buffer as hugepages hold it (2368 bytes); without them DPDK
 * gives each one a 4 KiB page of its own, and -m is all the memory there is. 65535
 * buffers fit 256 MiB with hugepages (about 207 MiB in all) but not without (about 315):
 * start-up refuses that before DPDK fails to build the pool.
 */
static void test_memory_without_hugepages(void **state)
{
	struct weir_conf *c = load("global = { memory_mb = 256; mbufs = 65535; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[512];

	(void)state;
	env_cpus(&env, 2, true, 1024);
	env.page_size = 4096;
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_true(a.hugepages);
	env_cpus(&env, 2, false, 0);
	env.page_size = 4096;
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "global.memory_mb: 256 MiB is less than the config needs without "
				 "hugepages, about 315 MiB: 1 worker x 57 MiB (flows = 262144: "
				 "57 MiB), mbufs = 65535: 258 MiB");
	weir_conf_free(c);
}

static void test_pinned_cpus_and_pci(void **state)
{
	struct weir_conf *c =
		load("global = { workers = 2; cpus = { main = 1; workers = [2, 3]; }; "
		     "};\n"
		     "interfaces = (\n"
		     "  { name = \"a\"; device = \"0000:03:00.0\"; address = "
		     "\"10.0.0.1/24\"; },\n"
		     "  { name = \"b\"; device = \"net_af_packet1,iface=x,qpairs=4\"; "
		     "address = \"10.1.0.1/24\"; }\n"
		     ");\n");
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 4, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_non_null(strstr(joined(&a), "--lcores 0@1,1@2,2@3 "));
	assert_non_null(strstr(joined(&a), " -a 0000:03:00.0 "));
	/* An explicit qpairs is kept as written. */
	assert_non_null(strstr(joined(&a), " --vdev net_af_packet1,iface=x,qpairs=4 "));
	assert_null(strstr(joined(&a), "--no-pci"));
	/* A CPU this process may not use is refused. */
	env_cpus(&env, 3, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "global.cpus.workers: CPU 3 is not available to this process");
	weir_conf_free(c);
}

static void test_one_cpu_shared(void **state)
{
	struct weir_conf *c = load("global = { workers = 3; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 1, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_non_null(strstr(joined(&a), "--lcores 0@0,1@0,2@0,3@0 "));
	assert_string_equal(a.shared, "CPU 0: main lcore, worker 0, worker 1, worker 2");
	/* Two CPUs: the workers share the one the main lcore does not use. */
	env_cpus(&env, 2, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_non_null(strstr(joined(&a), "--lcores 0@0,1@1,2@1,3@1 "));
	assert_string_equal(a.shared, "CPU 1: worker 0, worker 1, worker 2");
	/* Four: one each, nothing shared. */
	env_cpus(&env, 4, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_string_equal(a.shared, "");
	weir_conf_free(c);
}

/*
 * Pinning two lcores to one CPU is allowed, as sharing is when there are fewer CPUs than
 * lcores (poll = "adaptive" lets them take turns; the tests run so on two CPUs), but it
 * was silent: the start log now names each shared CPU and what runs on it.
 */
static void test_pinned_cpus_shared(void **state)
{
	struct weir_conf *c = load("global = { workers = 4; cpus = { main = 1; workers = [1, 2, 3, "
				   "2]; }; };\n" IFACES);
	struct weir_eal_args a;
	struct weir_eal_env env;
	char err[256];

	(void)state;
	env_cpus(&env, 4, false, 0);
	assert_int_equal(weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err)), 0);
	assert_non_null(strstr(joined(&a), "--lcores 0@1,1@1,2@2,3@3,4@2 "));
	assert_string_equal(a.shared, "CPU 1: main lcore, worker 0; CPU 2: worker 1, worker 3");
	weir_conf_free(c);
}

/*
 * CPUs isolated with isolcpus= (README, "Operating on real NICs", step 2) are online but
 * not in the affinity mask every process inherits. Pinning workers to them is the point;
 * DPDK pins an lcore to any online CPU. Here the affinity is narrowed to one CPU to
 * stand for that, and a worker pinned to another online CPU must still be accepted.
 */
static void test_isolated_cpu_pinning(void **state)
{
	struct weir_conf *c;
	struct weir_eal_args a;
	struct weir_eal_env env;
	cpu_set_t saved, one;
	char err[256], text[512], want[64];
	int main_cpu = -1, other = -1, rc;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	for (int i = 0; i < CPU_SETSIZE && other < 0; i++) {
		if (!CPU_ISSET(i, &saved))
			continue;
		if (main_cpu < 0)
			main_cpu = i;
		else
			other = i;
	}
	if (other < 0)
		skip(); /* one CPU only */
	CPU_ZERO(&one);
	CPU_SET(main_cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	weir_eal_env_probe(&env);
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
	snprintf(text, sizeof(text),
		 "global = { workers = 1; cpus = { main = %d; workers = [%d]; }; };\n" IFACES,
		 main_cpu, other);
	c = load(text);
	rc = weir_eal_args_build(c, "weir", &env, &a, err, sizeof(err));
	if (rc != 0)
		print_message("refused: %s\n", err);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want), "--lcores 0@%d,1@%d ", main_cpu, other);
	assert_non_null(strstr(joined(&a), want));
	weir_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vdevs_no_huge_spread_workers),
		cmocka_unit_test(test_hugepages_used_when_enough),
		cmocka_unit_test(test_hugepages_required_but_missing),
		cmocka_unit_test(test_hugepages_off),
		cmocka_unit_test(test_memory_without_hugepages),
		cmocka_unit_test(test_pinned_cpus_and_pci),
		cmocka_unit_test(test_one_cpu_shared),
		cmocka_unit_test(test_pinned_cpus_shared),
		cmocka_unit_test(test_isolated_cpu_pinning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
