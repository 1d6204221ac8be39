/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the runtime socket: command-line parsing, the basic commands, the socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "runtime/runtime.h"

static struct weir_dp dp;

static int setup(void **state)
{
	(void)state;
	if (fixture_eal() != 0)
		return -1;
	fixture_dp(&dp, fixture_conf);
	weir_rt_register_basic();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_dp_fini(&dp);
	return 0;
}

/* Run @line and return its whole output (static buffer). */
static const char *run(const char *line, struct weir_rt_ctx *ctx_out)
{
	static char buf[65536];
	struct weir_rt_out out = { 0 };
	struct weir_rt_ctx ctx = { .dp = &dp, .out = &out };

	weir_rt_execute(&ctx, line);
	snprintf(buf, sizeof(buf), "%.*s", (int)out.len, out.buf ? out.buf : "");
	weir_rt_out_free(&out);
	if (ctx_out != NULL)
		*ctx_out = ctx;
	return buf;
}

static void test_unknown_command(void **state)
{
	(void)state;
	assert_string_equal(run("frobnicate now", NULL),
			    "Unknown command 'frobnicate now'; 'help' lists the commands.\n\n");
	/* A known first word with an unknown second one is unknown as a whole. */
	assert_string_equal(run("show nothing", NULL),
			    "Unknown command 'show nothing'; 'help' lists the commands.\n\n");
}

static void test_help_lists_commands(void **state)
{
	const char *out = run("help", NULL);

	(void)state;
	assert_non_null(strstr(out, "show info"));
	assert_non_null(strstr(out, "show ports"));
	assert_non_null(strstr(out, "show neigh"));
	assert_non_null(strstr(out, "quit"));
}

static void test_show_info_fields(void **state)
{
	const char *out = run("show info", NULL);
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "\nPid: %d\n", (int)getpid());
	assert_true(strncmp(out, "Name: weir\nVersion: ", 20) == 0);
	assert_non_null(strstr(out, pid));
	assert_non_null(strstr(out, "\nUptime_sec: "));
	assert_non_null(strstr(out, "\nWorkers: 1\n"));
	assert_non_null(strstr(out, "\nPkts_in: "));
	assert_non_null(strstr(out, "\nBytes_out: "));
	assert_non_null(strstr(out, "\nDrop_ipv4_csum: 0\n"));
	/* One response ends with exactly one empty line. */
	assert_int_equal(strcmp(out + strlen(out) - 2, "\n\n"), 0);
	assert_null(strstr(out, "\n\n\n"));
}

static void test_show_info_counts_drops(void **state)
{
	char want[64];
	const char *out;

	(void)state;
	dp.workers[0].st.drops[WEIR_DROP_IPV4_CSUM] += 3;
	out = run("show info", NULL);
	snprintf(want, sizeof(want), "\nDrop_ipv4_csum: %" PRIu64 "\n",
		 dp.workers[0].st.drops[WEIR_DROP_IPV4_CSUM]);
	assert_non_null(strstr(out, want));
	dp.workers[0].st.drops[WEIR_DROP_IPV4_CSUM] -= 3;
}

static void test_several_commands_on_a_line(void **state)
{
	const char *out = run("show neigh; frob ;show drops", NULL);
	const char *second, *third;

	(void)state;
	assert_true(strncmp(out, "# address interface mac", 23) == 0);
	second = strstr(out, "\n\nUnknown command 'frob'");
	assert_non_null(second);
	third = strstr(second, "\n\n# reason count meaning\n");
	assert_non_null(third);
	/* Empty commands (";;") produce nothing. */
	assert_string_equal(run(" ; ;", NULL), "");
}

static void test_escaped_semicolon_is_not_a_separator(void **state)
{
	(void)state;
	assert_string_equal(run("frob\\;nicate", NULL),
			    "Unknown command 'frob;nicate'; 'help' lists the commands.\n\n");
}

static void test_quit_and_prompt(void **state)
{
	struct weir_rt_ctx ctx;
	const char *out;

	(void)state;
	out = run("quit; show info", &ctx);
	assert_true(ctx.quit);
	/* Nothing after quit runs. */
	assert_null(strstr(out, "Name: weir"));
	run("prompt", &ctx);
	assert_true(ctx.prompt);
}

static void test_show_ports_and_neigh_headers(void **state)
{
	const char *out = run("show ports", NULL);

	(void)state;
	assert_true(strncmp(out, "# port name device mac link", 27) == 0);
	assert_non_null(strstr(out, " client net_null0 02:00:00:00:00:10 down "));
	assert_non_null(strstr(out, " 10.0.0.1/24 "));
	/* net_null verifies no checksums: the last column says so. */
	assert_non_null(strstr(out, " rx_nombuf rx_csum_offload\n"));
	assert_non_null(strstr(out, " none\n# queue"));
	assert_non_null(strstr(out, "\nqueue 0 client 0 "));
}

/* ---- the socket itself ---- */

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Serve until the client reads EOF or @want is in what it read; bounded. */
static size_t exchange(struct weir_rt *rt, int fd, char *buf, size_t len, const char *want)
{
	size_t got = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		ssize_t n;

		weir_rt_poll(rt, 5);
		n = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (want != NULL && strstr(buf, want) != NULL)
				break;
		}
	}
	buf[got] = '\0';
	return got;
}

static void test_socket_one_shot_and_interactive(void **state)
{
	char path[] = "/tmp/weir-rt-XXXXXX", sock[128], buf[65536];
	struct weir_rt *rt;
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/sub/weir.sock", path);
	rt = weir_rt_open(&dp, sock, 0600);
	assert_non_null(rt);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* One-shot: the answer then EOF. */
	fd = connect_to(sock);
	assert_int_equal(write(fd, "show info\n", 10), 10);
	exchange(rt, fd, buf, sizeof(buf), NULL);
	assert_true(strncmp(buf, "Name: weir\n", 11) == 0);
	assert_int_equal(strcmp(buf + strlen(buf) - 2, "\n\n"), 0);
	close(fd);

	/* A last line without a newline still runs at EOF. */
	fd = connect_to(sock);
	assert_int_equal(write(fd, "help", 4), 4);
	shutdown(fd, SHUT_WR);
	exchange(rt, fd, buf, sizeof(buf), NULL);
	assert_non_null(strstr(buf, "show neigh"));
	close(fd);

	/* Interactive: a prompt after each answer, the connection stays until quit. */
	fd = connect_to(sock);
	assert_int_equal(write(fd, "prompt\n", 7), 7);
	exchange(rt, fd, buf, sizeof(buf), "> ");
	assert_string_equal(buf, "\n> ");
	assert_int_equal(write(fd, "frob\n", 5), 5);
	exchange(rt, fd, buf, sizeof(buf), "> ");
	assert_string_equal(buf, "Unknown command 'frob'; 'help' lists the commands.\n\n> ");
	assert_int_equal(write(fd, "quit\n", 5), 5);
	assert_int_equal(exchange(rt, fd, buf, sizeof(buf), NULL), 0);
	close(fd);

	/* An endless line is refused with one error line, and the client is closed. */
	fd = connect_to(sock);
	{
		static char big[WEIR_RT_LINE_MAX + 100];
		size_t off = 0;

		memset(big, 'x', sizeof(big));
		while (off < sizeof(big)) {
			ssize_t n = send(fd, big + off, sizeof(big) - off, MSG_DONTWAIT);

			if (n > 0)
				off += (size_t)n;
			weir_rt_poll(rt, 5);
			if (n <= 0)
				break;
		}
	}
	exchange(rt, fd, buf, sizeof(buf), NULL);
	assert_string_equal(buf, "Command line too long (at most 16383 bytes).\n\n");
	close(fd);

	weir_rt_close(rt);
	assert_int_not_equal(stat(sock, &st), 0);
	snprintf(sock, sizeof(sock), "%s/sub", path);
	rmdir(sock);
	rmdir(path);
}

/* A runtime socket in a fresh directory, with the basic commands. */
static struct weir_rt *rt_open(char *path, char *sock, size_t len)
{
	struct weir_rt *rt;

	weir_rt_register_basic();
	assert_non_null(mkdtemp(path));
	snprintf(sock, len, "%s/weir.sock", path);
	rt = weir_rt_open(&dp, sock, 0600);
	assert_non_null(rt);
	return rt;
}

/*
 * Clients that say nothing, or never take their answer, are closed after the idle
 * timeout (HAProxy's stats timeout): 64 of them cannot lock every other client out.
 */
static void test_idle_clients_are_closed(void **state)
{
	char path[] = "/tmp/weir-rt-XXXXXX", sock[128], buf[4096];
	int idle[64], fd, i;
	struct weir_rt *rt;
	ssize_t n, got = 0;

	(void)state;
	rt = rt_open(path, sock, sizeof(sock));
	weir_rt_set_timeouts(rt, 100, 100);
	for (i = 0; i < 64; i++) {
		idle[i] = connect_to(sock);
		weir_rt_poll(rt, 0);
	}
	/* Past the timeout (each idle poll waits its 5 ms). */
	for (i = 0; i < 40; i++)
		weir_rt_poll(rt, 5);
	fd = connect_to(sock);
	assert_int_equal(write(fd, "show info\n", 10), 10);
	for (i = 0; i < 200 && got < (ssize_t)sizeof(buf) - 1; i++) {
		weir_rt_poll(rt, 5);
		n = recv(fd, buf + got, sizeof(buf) - 1 - (size_t)got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			got += n;
	}
	buf[got] = '\0';
	/* The idle ones were closed: reading finds their end. */
	assert_int_equal(recv(idle[0], buf + got, 1, MSG_DONTWAIT), 0);
	close(fd);
	for (i = 0; i < 64; i++)
		close(idle[i]);
	weir_rt_close(rt);
	rmdir(path);
	assert_true(strncmp(buf, "Name: weir\n", 11) == 0);
}

/*
 * A client streaming commands without reading the answers gets one read's worth run,
 * then nothing more until it takes its output: it cannot keep the main lcore (ARP,
 * health checks, RCU reclaim) inside weir_rt_poll(), nor grow its output without end.
 */
static void test_streaming_client_is_held_back(void **state)
{
	char path[] = "/tmp/weir-rt-XXXXXX", sock[128], chunk[4000];
	static const char cmd[] = "show info\n";
	size_t len = 0, sent = 0;
	uint64_t before;
	struct weir_rt *rt;
	int fd, i;

	(void)state;
	signal(SIGPIPE, SIG_IGN); /* as weir-dataplane's main() does */
	rt = rt_open(path, sock, sizeof(sock));
	fd = connect_to(sock);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	while (len + sizeof(cmd) - 1 <= sizeof(chunk)) {
		memcpy(chunk + len, cmd, sizeof(cmd) - 1);
		len += sizeof(cmd) - 1;
	}
	/* Interactive: one command per line, the connection kept. */
	assert_int_equal(write(fd, "prompt\n", 7), 7);
	weir_rt_poll(rt, 0);
	before = weir_rt_lines(rt);
	for (i = 0; i < 200; i++) {
		/* As much as the socket takes, then one poll of the main loop. */
		while (write(fd, chunk, len) == (ssize_t)len)
			sent += len / (sizeof(cmd) - 1);
		weir_rt_poll(rt, 0);
	}
	print_message("commands sent %zu, run %lu\n", sent,
		      (unsigned long)(weir_rt_lines(rt) - before));
	assert_true(sent > 10000);
	/* One read (16 KB of input at most), its answers never taken. */
	assert_true(weir_rt_lines(rt) - before <= WEIR_RT_LINE_MAX / (sizeof(cmd) - 1) + 1);
	close(fd);
	weir_rt_close(rt);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_help_lists_commands),
		cmocka_unit_test(test_show_info_fields),
		cmocka_unit_test(test_show_info_counts_drops),
		cmocka_unit_test(test_several_commands_on_a_line),
		cmocka_unit_test(test_escaped_semicolon_is_not_a_separator),
		cmocka_unit_test(test_quit_and_prompt),
		cmocka_unit_test(test_show_ports_and_neigh_headers),
		cmocka_unit_test(test_socket_one_shot_and_interactive),
		cmocka_unit_test(test_idle_clients_are_closed),
		cmocka_unit_test(test_streaming_client_is_held_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
