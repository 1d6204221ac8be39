/* SPDX-License-Identifier: BSD-3-Clause */
/* The runtime socket: the dataplane's one control interface. */
#ifndef WEIR_RUNTIME_H
#define WEIR_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/dp.h"

/*
 * The protocol follows HAProxy's Runtime API, so its tools work against Weir: a client
 * sends a line of commands separated by ';' and gets each command's output followed by
 * an empty line; the connection then closes, unless the client said `prompt`, which
 * keeps it open with a "> " prompt until `quit`. Commands run on the main lcore.
 */

#define WEIR_RT_LINE_MAX 16384       /* a longer command line is refused */
#define WEIR_RT_OUT_MAX  (64u << 20) /* output of one line beyond this is cut */
#define WEIR_RT_MAX_ARGS 32

/* A growing output buffer. */
struct weir_rt_out {
	char *buf;
	size_t len;
	size_t cap;
	bool truncated;
};

void weir_rt_printf(struct weir_rt_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void weir_rt_out_free(struct weir_rt_out *o);

struct weir_rt_ctx {
	struct weir_dp *dp;
	struct weir_rt_out *out;
	bool quit;   /* set by `quit` */
	bool prompt; /* interactive mode, toggled by `prompt` */
};

/*
 * A command: the words that name it ("show", "info"), the usage shown by help, and
 * the handler, given every word of the command line. Handlers write their output,
 * or one error line, to ctx->out.
 */
struct weir_rt_cmd {
	const char *words[4];
	const char *usage;
	const char *help;
	void (*fn)(struct weir_rt_ctx *ctx, int argc, char **argv);
};

/* Add @n commands to the table (each subsystem registers its own at start). */
void weir_rt_register(const struct weir_rt_cmd *cmds, unsigned int n);

/* Write the list of commands, one per line with its usage and purpose. */
void weir_rt_help(struct weir_rt_out *out);

/* The commands of this file's subsystem group: help, prompt, quit, show info/ports/neigh. */
void weir_rt_register_basic(void);

/*
 * Run one command line (without its newline): split at unescaped ';', run each
 * command, append its output and the empty line that ends it. Pure with respect to
 * the socket, so tests and the fuzz target drive it directly.
 */
void weir_rt_execute(struct weir_rt_ctx *ctx, const char *line);

struct weir_rt;

/* Listen on the unix socket @path with permissions @mode. NULL with errno on failure. */
struct weir_rt *weir_rt_open(struct weir_dp *dp, const char *path, unsigned int mode);

/* Serve clients; waits at most @timeout_ms for activity. Never blocks on a client. */
void weir_rt_poll(struct weir_rt *rt, int timeout_ms);

/* Close every client and the listener, remove the socket file. */
void weir_rt_close(struct weir_rt *rt);

/*
 * Close clients idle (nothing read from them, nothing of their output taken) for
 * @client_ms, or @prompt_ms in prompt mode. Defaults: 10 s and 10 min.
 */
void weir_rt_set_timeouts(struct weir_rt *rt, uint32_t client_ms, uint32_t prompt_ms);

/* Command lines run so far. */
uint64_t weir_rt_lines(const struct weir_rt *rt);

#endif
