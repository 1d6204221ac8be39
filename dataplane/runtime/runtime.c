/* SPDX-License-Identifier: BSD-3-Clause */
/* The runtime socket: listener, clients, command-line parsing and dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "runtime/runtime.h"

#define MAX_CMDS    256
#define MAX_CLIENTS 64
/*
 * A client that neither sends nor takes its output for this long is closed, as
 * HAProxy's `stats timeout` (10 s) does; a prompt session may idle longer. Otherwise
 * clients that never read their answer could take every slot.
 */
#define CLIENT_IDLE_MS 10000
#define PROMPT_IDLE_MS 600000

static const struct weir_rt_cmd *cmd_table[MAX_CMDS];
static unsigned int nb_cmds;

void weir_rt_register(const struct weir_rt_cmd *cmds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && nb_cmds < MAX_CMDS; i++)
		cmd_table[nb_cmds++] = &cmds[i];
}

void weir_rt_printf(struct weir_rt_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->truncated)
		return;
	for (;;) {
		size_t room = o->cap - o->len;

		va_start(ap, fmt);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = o->cap ? o->cap * 2 : 4096;
			char *nb;

			while (cap < o->len + (size_t)n + 1)
				cap *= 2;
			if (cap > WEIR_RT_OUT_MAX || (nb = realloc(o->buf, cap)) == NULL) {
				o->truncated = true;
				return;
			}
			o->buf = nb;
			o->cap = cap;
		}
	}
}

void weir_rt_out_free(struct weir_rt_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

void weir_rt_help(struct weir_rt_out *out)
{
	unsigned int i;

	weir_rt_printf(out, "The following commands are valid at this level:\n");
	for (i = 0; i < nb_cmds; i++)
		weir_rt_printf(out, "  %-40s : %s\n", cmd_table[i]->usage, cmd_table[i]->help);
}

/* The command whose words start @argv, longest match first; NULL if none. */
static const struct weir_rt_cmd *lookup(int argc, char **argv)
{
	const struct weir_rt_cmd *best = NULL;
	int best_words = 0;
	unsigned int i;

	for (i = 0; i < nb_cmds; i++) {
		const struct weir_rt_cmd *c = cmd_table[i];
		int k;

		for (k = 0; k < 4 && c->words[k] != NULL; k++)
			if (k >= argc || strcmp(c->words[k], argv[k]) != 0)
				break;
		if ((k == 4 || c->words[k] == NULL) && k > best_words) {
			best = c;
			best_words = k;
		}
	}
	return best;
}

/* Split one command (modified in place) into words; returns the word count. */
static int split_words(char *s, char **argv)
{
	int argc = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return argc;
		if (argc == WEIR_RT_MAX_ARGS)
			return -1;
		argv[argc++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

static void run_one(struct weir_rt_ctx *ctx, char *cmd)
{
	char *argv[WEIR_RT_MAX_ARGS + 1];
	const struct weir_rt_cmd *c;
	int argc = split_words(cmd, argv);

	if (argc == 0)
		return;
	if (argc < 0) {
		weir_rt_printf(ctx->out, "Too many words in one command (at most %d).\n",
			       WEIR_RT_MAX_ARGS);
	} else if ((c = lookup(argc, argv)) == NULL) {
		int i;

		weir_rt_printf(ctx->out, "Unknown command '");
		for (i = 0; i < argc; i++)
			weir_rt_printf(ctx->out, "%s%s", i ? " " : "", argv[i]);
		weir_rt_printf(ctx->out, "'; 'help' lists the commands.\n");
	} else {
		argv[argc] = NULL;
		c->fn(ctx, argc, argv);
		if (ctx->quit)
			return; /* quit answers nothing, not even the empty line */
	}
	weir_rt_printf(ctx->out, "\n");
}

void weir_rt_execute(struct weir_rt_ctx *ctx, const char *line)
{
	size_t n = strlen(line);
	char *copy = malloc(n + 1), *start, *r, *wp;

	if (copy == NULL) {
		weir_rt_printf(ctx->out, "Out of memory.\n\n");
		return;
	}
	/* Unescape "\;" and cut at the other ';'. */
	start = wp = copy;
	for (r = (char *)line; !ctx->quit; r++) {
		if (*r == '\\' && r[1] == ';') {
			*wp++ = ';';
			r++;
		} else if (*r == ';' || *r == '\0') {
			*wp = '\0';
			run_one(ctx, start);
			if (*r == '\0')
				break;
			start = wp = wp + 1;
		} else {
			*wp++ = *r;
		}
	}
	free(copy);
}

/* ---- the socket ---- */

struct client {
	int fd;
	char in[WEIR_RT_LINE_MAX];
	size_t in_len;
	struct weir_rt_out out;
	size_t out_off;
	bool prompt;
	bool closing;     /* close once the output is sent */
	uint64_t last_ms; /* the last read or write that moved anything */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct weir_rt {
	struct weir_dp *dp;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client *clients[MAX_CLIENTS];
	uint32_t idle_ms, prompt_idle_ms;
	uint64_t lines; /* command lines run */
};

/* Create the directories leading to @path (like mkdir -p of its parent). */
static void make_parents(const char *path)
{
	char dir[sizeof(((struct weir_rt *)0)->path)];
	char *s;

	snprintf(dir, sizeof(dir), "%s", path);
	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
}

struct weir_rt *weir_rt_open(struct weir_dp *dp, const char *path, unsigned int mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct weir_rt *rt;
	struct stat st;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	rt = calloc(1, sizeof(*rt));
	if (rt == NULL)
		return NULL;
	rt->dp = dp;
	rt->idle_ms = CLIENT_IDLE_MS;
	rt->prompt_idle_ms = PROMPT_IDLE_MS;
	snprintf(rt->path, sizeof(rt->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	make_parents(path);
	/* A socket left by an earlier run is replaced; any other file is not touched. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	rt->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (rt->fd < 0)
		goto fail;
	if (bind(rt->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	if (chmod(path, mode) != 0 || listen(rt->fd, 16) != 0) {
		err = errno;
		unlink(path);
		errno = err;
		goto fail;
	}
	return rt;
fail:
	err = errno;
	if (rt->fd >= 0)
		close(rt->fd);
	free(rt);
	errno = err;
	return NULL;
}

static void client_free(struct weir_rt *rt, unsigned int i)
{
	struct client *c = rt->clients[i];

	close(c->fd);
	weir_rt_out_free(&c->out);
	free(c);
	rt->clients[i] = NULL;
}

static void accept_clients(struct weir_rt *rt)
{
	for (;;) {
		int fd = accept4(rt->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned int i;

		if (fd < 0)
			return;
		for (i = 0; i < MAX_CLIENTS && rt->clients[i] != NULL; i++)
			;
		if (i == MAX_CLIENTS) {
			static const char msg[] = "Too many runtime clients; try again.\n\n";

			if (write(fd, msg, sizeof(msg) - 1) < 0) {
				/* the client is refused either way */
			}
			close(fd);
			continue;
		}
		rt->clients[i] = calloc(1, sizeof(struct client));
		if (rt->clients[i] == NULL) {
			close(fd);
			return;
		}
		rt->clients[i]->fd = fd;
		rt->clients[i]->last_ms = mono_ms();
	}
}

/* Run every complete line in the client's input buffer. */
static void client_lines(struct weir_rt *rt, struct client *c)
{
	char *nl;

	while (!c->closing && (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		struct weir_rt_ctx ctx = { .dp = rt->dp, .out = &c->out, .prompt = c->prompt };
		size_t used = (size_t)(nl - c->in) + 1;

		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		weir_rt_execute(&ctx, c->in);
		rt->lines++;
		c->prompt = ctx.prompt;
		if (ctx.quit || !c->prompt)
			c->closing = true;
		else
			weir_rt_printf(&c->out, "> ");
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

/*
 * Read what the client sent, once: one poll serves every client a little, so a client
 * that streams commands cannot hold the main lcore (its ARP, health checks and RCU
 * reclaim run between polls). False when the client is gone.
 */
static bool client_read(struct weir_rt *rt, struct client *c)
{
	ssize_t n;

	if (c->in_len == sizeof(c->in)) {
		weir_rt_printf(&c->out, "Command line too long (at most %u bytes).\n\n",
			       WEIR_RT_LINE_MAX - 1);
		c->closing = true;
		return true;
	}
	n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n > 0) {
		c->last_ms = mono_ms();
		c->in_len += (size_t)n;
		client_lines(rt, c);
		return true;
	}
	if (n == 0) {
		/* EOF: a last line without its newline still runs (echo -n ... | socat). */
		if (c->in_len > 0 && !c->closing) {
			c->in[c->in_len++] = '\n';
			client_lines(rt, c);
		}
		c->closing = true;
		return c->out.len > c->out_off;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* Send pending output; false when the client should be closed now. */
static bool client_write(struct client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = write(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->out_off += (size_t)n;
		c->last_ms = mono_ms();
	}
	c->out.len = 0;
	c->out_off = 0;
	if (c->out.truncated) {
		c->out.truncated = false;
		c->closing = true;
	}
	return !c->closing;
}

void weir_rt_poll(struct weir_rt *rt, int timeout_ms)
{
	struct pollfd pfd[MAX_CLIENTS + 1];
	unsigned int idx[MAX_CLIENTS + 1], n = 0, i;
	uint64_t now;

	pfd[n].fd = rt->fd;
	pfd[n].events = POLLIN;
	n++;
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = rt->clients[i];

		if (c == NULL)
			continue;
		pfd[n].fd = c->fd;
		/* No more commands taken while an answer waits to be read. */
		pfd[n].events = (short)(c->out.len > c->out_off ? POLLOUT
					: c->closing            ? 0
								: POLLIN);
		idx[n] = i;
		n++;
	}
	if (poll(pfd, n, timeout_ms) < 0)
		return;
	if (pfd[0].revents & POLLIN)
		accept_clients(rt);
	now = mono_ms();
	for (i = 1; i < n; i++) {
		struct client *c = rt->clients[idx[i]];
		bool keep = true;

		if (now - c->last_ms > (c->prompt ? rt->prompt_idle_ms : rt->idle_ms)) {
			client_free(rt, idx[i]);
			continue;
		}
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			keep = client_read(rt, c);
		if (keep && c->out.len > c->out_off)
			keep = client_write(c);
		else if (keep && c->closing)
			keep = false;
		if (!keep)
			client_free(rt, idx[i]);
	}
}

void weir_rt_close(struct weir_rt *rt)
{
	unsigned int i;

	if (rt == NULL)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (rt->clients[i] != NULL)
			client_free(rt, i);
	close(rt->fd);
	unlink(rt->path);
	free(rt);
}

void weir_rt_set_timeouts(struct weir_rt *rt, uint32_t client_ms, uint32_t prompt_ms)
{
	rt->idle_ms = client_ms;
	rt->prompt_idle_ms = prompt_ms;
}

uint64_t weir_rt_lines(const struct weir_rt *rt)
{
	return rt->lines;
}
