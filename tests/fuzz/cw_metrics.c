/* cw_metrics.c - libFuzzer target: GetMetricData answers into a small grid, twice
 * (the second pass is a following page landing on existing series), and into the RDS
 * Proxy grid. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cwmetrics.h"
#include "fleetdeck/rdsproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cw_window w = {1764496800, 1764496800 + 3600, 60};
	struct fd_function_metrics out[4];
	struct fd_proxy_metrics px[2];
	struct fd_err err = {0};
	char *next = NULL;
	size_t i, m;
	int pass;

	memset(out, 0, sizeof(out));
	memset(px, 0, sizeof(px));
	for (pass = 0; pass < 2; pass++) {
		cw_parse_response((const char *)data, size, &w, out, 4, &next, &err);
		free(next);
		next = NULL;
		cw_parse_proxy_response((const char *)data, size, &w, px, 2, &next, &err);
		free(next);
		next = NULL;
	}
	fd_proxy_metrics_free(&px[0]);
	fd_proxy_metrics_free(&px[1]);
	for (i = 0; i < 4; i++)
		for (m = 0; m < FD_M_COUNT; m++)
			free(out[i].s[m].values);
	return 0;
}
