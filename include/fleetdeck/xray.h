/* xray.h - X-Ray (restJson): trace summaries for a time range and filter expression
 * (all pages), whole traces (BatchGetTraces, at most 5 ids a call) and the service
 * graph. Segment documents (JSON strings inside the JSON answer) become one tree of
 * segments and subsegments with timings, annotations, errors, causes and downstream
 * calls (AWS SDK, HTTP, SQL / RDS Proxy). The waterfall layout is pure, so views and
 * tests share it. Parsers never trust the answer and are fuzzed (tests/fuzz/xray_trace.c). */
#ifndef FLEETDECK_XRAY_H
#define FLEETDECK_XRAY_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/status.h"

#define FD_XRAY_IDS_PER_CALL 5    /* BatchGetTraces limit */
#define FD_XRAY_MAX_RANGE_S 86400 /* GetTraceSummaries searches at most 24 hours */
#define FD_XRAY_MAX_SEGMENTS 4096 /* per trace; the rest is dropped (limit_exceeded set) */
#define FD_XRAY_MAX_DEPTH 32      /* nesting of subsegments kept */

struct fd_trace_summary {
	char id[48];
	double start_s;        /* epoch seconds; NAN when absent */
	double duration_s;     /* NAN when absent */
	double response_s;
	int fault, error, throttle, partial;
	int http_status;       /* 0 when absent */
	char method[16];
	char *url;             /* NULL when absent (also below) */
	char *entry;           /* entry point service name (the function) */
	char *annotations;     /* "key=value, key=value" */
	char *root_cause;      /* "service: Type: message" of the first fault/error root cause */
};

void fd_trace_summaries_free(struct fd_trace_summary *s, size_t n);

enum fd_xcall {
	FD_XCALL_NONE,
	FD_XCALL_AWS,          /* namespace aws: an SDK call (DynamoDB GetItem) */
	FD_XCALL_HTTP,         /* namespace remote with http.request.url */
	FD_XCALL_SQL,          /* sql block; RDS Proxy when the url names a proxy */
};

struct fd_xseg {
	char id[24];
	char parent_id[24];    /* as the document said ("" for subsegments: parent is implied) */
	char *name;
	char origin[48];       /* segments: "AWS::Lambda::Function" ... */
	char ns[16];           /* subsegment namespace: "aws", "remote", "" */
	double start_s, end_s; /* end NAN when in progress */
	int subsegment;
	int depth;             /* 0 for roots */
	int parent;            /* index in fd_trace.segs; -1 for roots */
	int error, fault, throttle;
	int http_status;       /* 0 when absent */
	char http_method[16];
	char *http_url;
	char *cause;           /* "Type: message" of the first exception */
	char *annotations;     /* "key=value, key=value" */
	enum fd_xcall call;
	char aws_operation[64];
	char *resource;        /* table name, queue URL, SQL url, ... */
	int rds_proxy;         /* SQL through an RDS Proxy endpoint */
	char request_id[64];   /* aws.request_id (Lambda: the invocation's request id) */
	char sqs_message_id[96]; /* when the document names the triggering SQS message */
};

struct fd_trace {
	char id[48];
	double duration_s;
	int limit_exceeded;
	struct fd_xseg *segs;  /* pre-order: each node after its parent, siblings by start */
	size_t n;
};

void fd_trace_free(struct fd_trace *t);            /* members, not t */
void fd_traces_free(struct fd_trace *t, size_t n); /* members and array */
/* Earliest start over the trace's segments (epoch s); NAN when none. */
double fd_trace_start(const struct fd_trace *t);
/* The first request id / SQS message id any segment names; NULL when none. */
const char *fd_trace_request_id(const struct fd_trace *t);
const char *fd_trace_sqs_message_id(const struct fd_trace *t);
/* "DynamoDB GetItem orders-table", "POST https://x/y 502", "SQL PostgreSQL host (RDS
 * Proxy)", or the name. Not sanitized: printers sanitize. */
void fd_xseg_label(const struct fd_xseg *s, char *out, size_t n);

/* Waterfall layout, pure: one row per segment in tree order. */
struct fd_wf_row {
	size_t seg;            /* index in fd_trace.segs */
	int depth;
	double offset_ms;      /* from the trace's earliest start */
	double duration_ms;    /* NAN when in progress */
	char label[160];
	int error, fault, throttle;
};

/* Fills at most max rows; returns how many; *total_ms (may be NULL) gets the span from
 * the earliest start to the latest end. */
size_t fd_trace_waterfall(const struct fd_trace *t, struct fd_wf_row *rows, size_t max,
			  double *total_ms);
/* Where a row's bar goes in a track `width` cells wide for a span of total_ms: first
 * column and length (at least 1 cell, never past the track). */
void fd_wf_bar(const struct fd_wf_row *r, double total_ms, int width, int *col, int *len);

/* Service graph. */
struct fd_xservice {
	int ref_id;
	char *name;
	char type[48];         /* "AWS::Lambda::Function", "AWS::DynamoDB::Table", "remote" */
	int root;
	long long ok, errors, faults, throttles, total;
	double total_response_s;
	int *edges;            /* ref ids this service calls */
	size_t nedges;
};

struct fd_xgraph {
	struct fd_xservice *svc;
	size_t n;
};

void fd_xgraph_free(struct fd_xgraph *g);
/* The services a named service calls (edges resolved); returns how many were put in out. */
size_t fd_xgraph_neighbours(const struct fd_xgraph *g, const char *name,
			    const struct fd_xservice **out, size_t max);

/* Parsers: one page of an answer; *next (may be NULL) gets the NextToken or NULL. */
enum fd_status xray_parse_summaries(const char *json, size_t len, struct fd_trace_summary **out,
				    size_t *n, char **next, struct fd_err *err);
enum fd_status xray_parse_traces(const char *json, size_t len, struct fd_trace **out, size_t *n,
				 char **next, struct fd_err *err);
enum fd_status xray_parse_service_graph(const char *json, size_t len, struct fd_xgraph *out,
					char **next, struct fd_err *err);

/* Calls. The aws client is declared in aws.h; this header stays free of it so the
 * cache and views can use the records above. */
struct aws_client;
struct aws_error;

struct xray_summaries_query {
	double start_s, end_s;     /* end - start <= FD_XRAY_MAX_RANGE_S */
	const char *filter;        /* FilterExpression; NULL = none */
	int max_pages;             /* 0 = 20 */
	size_t max_traces;         /* stop after this many summaries; 0 = no limit */
};

struct xray_summaries_cb {
	/* The callee owns s (free with fd_trace_summaries_free). */
	void (*on_page)(struct fd_trace_summary *s, size_t n, void *ud);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};

struct xray_traces_cb {
	/* The callee owns t (free with fd_trace_free, then free(t)). */
	void (*on_trace)(struct fd_trace *t, void *ud);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};

struct xray_graph_cb {
	void (*done)(enum fd_status st, const struct aws_error *e, struct fd_xgraph *g, void *ud);
	void *ud;
};

/* Each returns the call id for aws_call_cancel() (after which no callback runs).
 * BatchGetTraces splits ids into calls of 5, one after the other, under the one id. */
uint64_t xray_get_trace_summaries(struct aws_client *c, const struct xray_summaries_query *q,
				  const struct xray_summaries_cb *cb);
uint64_t xray_batch_get_traces(struct aws_client *c, const char *const *ids, size_t n,
			       const struct xray_traces_cb *cb);
uint64_t xray_get_service_graph(struct aws_client *c, double start_s, double end_s,
				const struct xray_graph_cb *cb);

/* Blocking forms for headless commands: run the client's loop until done. */
enum fd_status xray_get_trace_summaries_sync(struct aws_client *c,
					     const struct xray_summaries_query *q,
					     struct fd_trace_summary **out, size_t *n,
					     struct aws_error *err);
enum fd_status xray_batch_get_traces_sync(struct aws_client *c, const char *const *ids, size_t n,
					  struct fd_trace **out, size_t *nout,
					  struct aws_error *err);
enum fd_status xray_get_service_graph_sync(struct aws_client *c, double start_s, double end_s,
					   struct fd_xgraph *out, struct aws_error *err);

/* A saved answer (GetTraceSummaries and/or BatchGetTraces shapes, or one object with
 * both arrays): screen tests and offline reading. Missing parts come back empty. */
enum fd_status xray_read_file(const char *path, struct fd_trace_summary **s, size_t *ns,
			      struct fd_trace **t, size_t *nt, struct fd_err *err);

#endif
