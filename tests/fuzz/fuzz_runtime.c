/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: any command line sent to the runtime socket. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_dp.h"
#include "runtime/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weir_dp *dp = fuzz_dp();
	struct weir_rt_out out = { 0 };
	struct weir_rt_ctx ctx = { .dp = dp, .out = &out };
	char *line;

	if (size > WEIR_RT_LINE_MAX)
		return 0;
	line = malloc(size + 1);
	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	weir_rt_execute(&ctx, line);
	weir_rt_out_free(&out);
	free(line);
	fuzz_dp_drain(dp);
	return 0;
}
