/* xray_trace.c - libFuzzer target: the X-Ray answer parsers on the same bytes
 * (BatchGetTraces with its JSON-in-JSON segment documents, trace summaries, the
 * service graph), then the waterfall layout and labels of whatever parsed. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fleetdeck/xray.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
layout(const struct fd_trace *t)
{
	static struct fd_wf_row rows[FD_XRAY_MAX_SEGMENTS];
	double total;
	size_t n = fd_trace_waterfall(t, rows, FD_XRAY_MAX_SEGMENTS, &total), i;
	int col, len;

	for (i = 0; i < n; i++) {
		fd_wf_bar(&rows[i], total, 60, &col, &len);
		if (col < 0 || len < 1 || col + len > 60)
			__builtin_trap();
		if (rows[i].depth > FD_XRAY_MAX_DEPTH)
			__builtin_trap();
	}
	for (i = 0; i < t->n; i++)
		if (t->segs[i].parent >= (int)i)
			__builtin_trap();
	(void)fd_trace_request_id(t);
	(void)fd_trace_sqs_message_id(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct fd_trace_summary *s = NULL;
	struct fd_trace *t = NULL;
	struct fd_xgraph g;
	const struct fd_xservice *nb[8];
	size_t n = 0, i;
	char *next = NULL;

	if (xray_parse_traces(json, size, &t, &n, &next, NULL) == FD_OK)
		for (i = 0; i < n; i++)
			layout(&t[i]);
	fd_traces_free(t, n);
	free(next);
	xray_parse_summaries(json, size, &s, &n, &next, NULL);
	fd_trace_summaries_free(s, n);
	free(next);
	if (xray_parse_service_graph(json, size, &g, &next, NULL) == FD_OK && g.n)
		fd_xgraph_neighbours(&g, g.svc[0].name, nb, 8);
	fd_xgraph_free(&g);
	free(next);
	return 0;
}
