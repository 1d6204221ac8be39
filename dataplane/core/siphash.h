/* SPDX-License-Identifier: BSD-3-Clause */
/* SipHash-2-4 (Aumasson and Bernstein) over 64-bit words. */
#ifndef WEIR_SIPHASH_H
#define WEIR_SIPHASH_H

#include <stdint.h>

/*
 * SipHash-2-4 of @n 64-bit words under the 128-bit @key (the words are the message, in
 * host order; the length goes into the last block as SipHash does for 8n bytes).
 */
uint64_t weir_siphash(const uint64_t key[2], const uint64_t *w, unsigned int n);

#endif
