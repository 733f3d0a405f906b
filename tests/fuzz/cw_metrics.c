/* cw_metrics.c - libFuzzer target: GetMetricData answers into a small grid, twice
 * (the second pass is a following page landing on existing series). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cwmetrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cw_window w = {1764496800, 1764496800 + 3600, 60};
	struct fd_function_metrics out[4];
	struct fd_err err = {0};
	char *next = NULL;
	size_t i, m;
	int pass;

	memset(out, 0, sizeof(out));
	for (pass = 0; pass < 2; pass++) {
		cw_parse_response((const char *)data, size, &w, out, 4, &next, &err);
		free(next);
		next = NULL;
	}
	for (i = 0; i < 4; i++)
		for (m = 0; m < FD_M_COUNT; m++)
			free(out[i].s[m].values);
	return 0;
}
