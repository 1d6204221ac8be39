/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: weir_conf_load_string() on arbitrary text, checking what it returns. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

/*
 * The name sits in a directory that does not exist, so an @include in the input can
 * open nothing (libconfig looks includes up relative to it).
 */
#define FUZZ_NAME "/nonexistent-weir-fuzz/fuzz.conf"

/*
 * libconfig 1.5 (Debian 12) leaks the value of a string token on which its parser stops
 * with a syntax error (`a = 1 "x"`, or just `""`): its grammar has no %destructor, and
 * nothing outside libconfig can reach the string. Those two allocation sites (the
 * scanner's string buffer, and its empty-string token) are not reported; any other leak,
 * libconfig's settings included, still is.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

/* Keeps the log readable: no list of used suppressions after each leak check. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/*
 * Each input libconfig leaks on makes libFuzzer run a leak check (until, some 25 000
 * inputs in, it stops checking after each one), and its cost grows with what ASan's
 * quarantine of freed chunks holds: with the default 256 MiB those first inputs slowed
 * from 500 to 100 a second as the quarantine filled, and a 40 s run tried 6 900 of
 * them; with 16 MiB, 14 000. 16 MiB still holds the frees of many inputs, more than a
 * use after free within one load needs.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/*
 * Loads @data (up to its first NUL, as a C string) and frees everything. On success the
 * model must be consistent: every service points at a backend and at the interface
 * whose subnet holds its VIP; on failure there is at least one message.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weir_conf_errors errs;
	struct weir_conf *conf;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf = weir_conf_load_string(text, FUZZ_NAME, &errs);
	if (conf) {
		if (errs.count != 0 || conf->nb_ifaces < 1 || conf->nb_ifaces > WEIR_MAX_IFACES)
			abort();
		for (uint32_t i = 0; i < conf->nb_services; i++) {
			const struct weir_conf_service *s = &conf->services[i];

			if (s->backend < 0 || (uint32_t)s->backend >= conf->nb_backends ||
			    s->iface != weir_conf_iface_for(conf, s->vip) || s->iface < 0 ||
			    s->port_min > s->port_max || s->nb_laddrs > WEIR_MAX_LADDRS)
				abort();
			(void)weir_mode_name(s->mode);
			(void)weir_proto_name(s->proto);
		}
		for (uint32_t i = 0; i < conf->nb_backends; i++)
			if (conf->backends[i].nb_servers < 1 ||
			    conf->backends[i].nb_servers > WEIR_MAX_SERVERS ||
			    !weir_balance_name(conf->backends[i].balance))
				abort();
		weir_conf_free(conf);
	} else if (errs.count == 0 && errs.dropped == 0) {
		abort();
	}
	weir_conf_errors_clear(&errs);
	free(text);
	return 0;
}
