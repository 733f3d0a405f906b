/* invocations.h - one record per Lambda request, assembled from the platform lines of
 * many interleaved requests (text START, END, REPORT, INIT_ and RESTORE_ lines, JSON
 * platform records, timeouts, runtime exits, error lines tied to the request by id or
 * by log stream); stored in the cache (bounded); fed by the follow engine or by a
 * backfill that reads REPORT lines with FilterLogEvents within the client's rate
 * budget; and the request timeline (INIT, invoke, end; its lines; its trace) that
 * views and `fleetdeck invocation` show. No library types: views include it. */
#ifndef FLEETDECK_INVOCATIONS_H
#define FLEETDECK_INVOCATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"
#include "fleetdeck/util.h"
#include "fleetdeck/xray.h"

struct aws_client;
struct fd_cache;

/* Outcomes, mildest first (a merge keeps the more specific one). X(id, name) */
#define FD_INV_STATUS_LIST(X)                                                                      \
	X(FD_INV_RUNNING, "running")          /* started, no REPORT yet */                       \
	X(FD_INV_SUCCESS, "success")                                                               \
	X(FD_INV_ERROR, "error")                                                                   \
	X(FD_INV_RUNTIME_EXIT, "runtime-exit")                                                     \
	X(FD_INV_OOM, "out-of-memory")                                                             \
	X(FD_INV_TIMEOUT, "timeout")

enum fd_inv_status {
#define FD_INV_ENUM(id, name) id,
	FD_INV_STATUS_LIST(FD_INV_ENUM)
#undef FD_INV_ENUM
	FD_INV_STATUS_COUNT
};

const char *fd_inv_status_name(enum fd_inv_status s);
/* Also accepts "oom" and "exit"; 0 when unknown. */
int fd_inv_status_parse(const char *name, enum fd_inv_status *out);

#define FD_INV_ERRORS_MAX 2048     /* bytes of error lines kept per request */
#define FD_INV_ERROR_LINES_MAX 8

struct fd_invocation {
	char request_id[48];
	char function[72];
	char version[40];          /* "$LATEST", "12" (START line, else the stream name) */
	char alias[40];            /* from the inventory, not the logs; "" when unknown */
	char log_stream[128];
	int64_t start_ms;          /* START (exact) or REPORT time - duration */
	int64_t end_ms;            /* REPORT time; 0 while running */
	int64_t init_start_ms;     /* INIT_START / RESTORE_START when cold; 0 otherwise */
	int start_exact;           /* start_ms came from a START line */
	double duration_ms;        /* NAN when absent, for every double here */
	double billed_ms;
	double memory_mb;
	double max_memory_mb;
	double init_ms;            /* cold start (Init Duration) */
	double restore_ms;         /* SnapStart restore */
	enum fd_inv_status status;
	char init_type[24];        /* on-demand | provisioned-concurrency | snap-start | "" */
	char error_type[96];
	char trace_id[48];
	char runtime_version[64];
	char *errors;              /* error lines, '\n'-separated, capped; NULL when none */
};

/* Cold: an Init or Restore Duration was reported. */
int fd_invocation_cold(const struct fd_invocation *r);
void fd_invocation_init(struct fd_invocation *r);  /* zero, NANs, status running */
void fd_invocation_free(struct fd_invocation *r);  /* members, not r */
void fd_invocations_free(struct fd_invocation *r, size_t n);
/* Fills alias from the function's aliases (the one pointing at version). */
void fd_invocation_set_alias(struct fd_invocation *r, const struct fd_function *fn);
/* "2026/12/04/[$LATEST]abc..." -> "$LATEST"; "" when the name has no [...]. */
void fd_stream_version(const char *stream, char *out, size_t n);

/* ---- assembly ---- */

/* Called for every finished record (REPORT seen) and, on flush, for the open ones
 * (status running). inv belongs to the builder; the callee may take inv->errors
 * (set it to NULL). */
typedef void (*fd_inv_emit_fn)(struct fd_invocation *inv, void *ud);

struct fd_inv_builder;

#define FD_INV_OPEN_MAX 4096       /* requests open at once before the oldest is flushed */

struct fd_inv_builder *fd_inv_builder_new(fd_inv_emit_fn emit, void *ud);
void fd_inv_builder_free(struct fd_inv_builder *b); /* flushes first */
/* One log event: function (label), stream (may be NULL), event time, message. */
void fd_inv_builder_feed(struct fd_inv_builder *b, const char *function, const char *stream,
			 int64_t ts_ms, const char *msg, size_t len);
/* Emits the records still open (as running) and forgets them. */
void fd_inv_builder_flush(struct fd_inv_builder *b);

/* ---- the cache (cache/invocations.c) ---- */

#define FD_INV_CACHE_MAX_ROWS 1000000 /* per context; the oldest go first */

/* Upserts records (a REPORT-only record never hides what START and error lines said),
 * then trims ctx to max_rows (0 = FD_INV_CACHE_MAX_ROWS), in one transaction. */
enum fd_status fd_cache_put_invocations(struct fd_cache *c, const struct fd_ctx *ctx,
					const struct fd_invocation *r, size_t n, size_t max_rows,
					struct fd_err *err);

struct fd_inv_query {
	const char *function;      /* NULL = every function */
	int64_t from_ms, to_ms;    /* end_ms range (running ones: start_ms); 0 = open */
	int status;                /* enum fd_inv_status, or -1 for any */
	int cold_only;
	double min_duration_ms;    /* 0 = no bound */
	size_t limit;              /* newest first; 0 = 1000 */
};

enum fd_status fd_cache_get_invocations(struct fd_cache *c, const struct fd_ctx *ctx,
					const struct fd_inv_query *q, struct fd_invocation **out,
					size_t *n, struct fd_err *err);
/* FD_ENOTFOUND when the request is not cached. */
enum fd_status fd_cache_get_invocation(struct fd_cache *c, const struct fd_ctx *ctx,
				       const char *request_id, struct fd_invocation *out,
				       struct fd_err *err);

/* What cold-start statistics read, streamed row by row without building records
 * (strings valid during the call). */
struct fd_inv_sample {
	const char *function, *version, *init_type;
	int64_t end_ms;
	double memory_mb, init_ms, restore_ms; /* NAN when absent */
};
enum fd_status fd_cache_scan_invocations(struct fd_cache *c, const struct fd_ctx *ctx,
					 int64_t from_ms, int64_t to_ms,
					 void (*fn)(const struct fd_inv_sample *s, void *ud),
					 void *ud, struct fd_err *err);
/* Finished records of ctx per function over [from_ms, to_ms) (to_ms 0 = open; as the
 * scan reads them): how many, and how many were cold (init_ms or restore_ms set).
 * One row per function that has records, sorted by name (strcmp). */
struct fd_inv_cold_count {
	char function[72];
	long long invocations, cold_starts;
};
enum fd_status fd_cache_cold_counts(struct fd_cache *c, const struct fd_ctx *ctx, int64_t from_ms,
				    int64_t to_ms, struct fd_inv_cold_count **out, size_t *n,
				    struct fd_err *err);
/* Rows of ctx and the newest end_ms (0 when none). */
enum fd_status fd_cache_invocations_count(struct fd_cache *c, const struct fd_ctx *ctx,
					  long long *rows, int64_t *newest_ms, struct fd_err *err);

/* ---- backfill: REPORT lines of a window, read with FilterLogEvents ---- */

struct fd_backfill_target {
	const char *function;
	const char *group;         /* log group name */
	const char *log_format;    /* "JSON" picks the JSON filter pattern; NULL = either */
};

struct fd_backfill_opts {
	int64_t from_ms, to_ms;
	size_t max_events;         /* budget over every group; 0 = 200,000 */
	int max_pages;             /* per group; 0 = 100 */
	int max_inflight;          /* groups read at once; 0 = 2 (FilterLogEvents: 5 TPS) */
	size_t max_rows;           /* cache bound; 0 = FD_INV_CACHE_MAX_ROWS */
};

struct fd_backfill_status {
	size_t groups_total, groups_done;
	size_t events, records;
	int pages;
	int truncated;             /* a budget stopped it before the window was read */
	int done;
	enum fd_status st;
	char error[256];           /* last error, formatted; "" when none */
};

struct fd_backfill;

/* The filter pattern a backfill sends for a log format ("JSON", "Text", NULL). */
const char *fd_backfill_pattern(const char *log_format);
/* Starts reading; records go to the cache (when not NULL) as pages arrive. */
enum fd_status fd_backfill_start(struct aws_client *c, struct fd_cache *cache,
				 const struct fd_ctx *ctx, const struct fd_backfill_target *t,
				 size_t n, const struct fd_backfill_opts *o,
				 struct fd_backfill **out, struct fd_err *err);
void fd_backfill_status(const struct fd_backfill *b, struct fd_backfill_status *out);
/* Cancels what is in flight. */
void fd_backfill_free(struct fd_backfill *b);
/* Runs the client's loop until the backfill ends (headless). */
enum fd_status fd_backfill_run(struct aws_client *c, struct fd_cache *cache,
			       const struct fd_ctx *ctx, const struct fd_backfill_target *t,
			       size_t n, const struct fd_backfill_opts *o,
			       struct fd_backfill_status *st, struct fd_err *err);

/* ---- the request timeline ---- */

struct fd_tl_line {
	int64_t ts_ms;
	char *text;                /* as logged (not sanitized) */
	int error;
	int platform;              /* START/END/REPORT/INIT_* */
};

enum fd_tl_phase_kind { FD_TL_INIT, FD_TL_RESTORE, FD_TL_INVOKE, FD_TL_END };

struct fd_tl_phase {
	enum fd_tl_phase_kind kind;
	const char *name;          /* "INIT", "RESTORE", "invoke", "end" */
	double offset_ms;          /* from the timeline's t0 */
	double duration_ms;        /* 0 for the end mark */
};

struct fd_timeline {
	struct fd_invocation inv;
	int have_inv;
	struct fd_tl_line *lines;  /* oldest first */
	size_t nlines, cap;
	struct fd_trace *trace;    /* NULL when none (yet) */
	char sqs_message_id[96];   /* the triggering SQS message, when the logs or trace say */
	char sqs_source[160];      /* its queue ARN, when the logs say */
	int64_t t0_ms;             /* the axis origin: init start, else invoke start */
};

void fd_timeline_init(struct fd_timeline *t);
void fd_timeline_free(struct fd_timeline *t);
/* Sets the record (copied; errors too). */
void fd_timeline_set_invocation(struct fd_timeline *t, const struct fd_invocation *inv);
/* Adds one of the request's log events (kept in time order, capped at 2,000). */
void fd_timeline_add_line(struct fd_timeline *t, int64_t ts_ms, const char *msg, size_t len);
/* Takes ownership of trace. */
void fd_timeline_set_trace(struct fd_timeline *t, struct fd_trace *trace);
/* Phases on one axis (INIT or RESTORE when cold, invoke, end); returns how many. */
size_t fd_timeline_phases(const struct fd_timeline *t, struct fd_tl_phase *out, size_t max);
/* Offset of the trace's first segment on the timeline's axis; NAN without a trace. */
double fd_timeline_trace_offset(const struct fd_timeline *t);

/* Fetches a timeline: the record from the cache, the request's lines (the log
 * store, else FilterLogEvents for the request id on its stream) and its trace
 * (BatchGetTraces). Asynchronous; progress through fd_tl_fetch_state. */
struct fd_tl_fetch;

struct fd_tl_fetch_opts {
	const char *group;         /* log group of the function; NULL = /aws/lambda/<fn> */
	int fetch_lines;           /* ask CloudWatch when the log store lacks them */
	int fetch_trace;
	int64_t from_ms, to_ms;    /* where to look when the record is not cached; 0 = the
	                            * last hour */
};

/* client may be NULL (offline: cache only). When the record is not cached, function
 * is needed to find it (its lines are searched for the request id in the window);
 * the record found is cached. */
enum fd_status fd_tl_fetch_start(struct aws_client *client, struct fd_cache *cache,
				 const struct fd_ctx *ctx, const char *request_id,
				 const char *function, const struct fd_tl_fetch_opts *o,
				 struct fd_tl_fetch **out, struct fd_err *err);
/* 1 when nothing is in flight any more. */
int fd_tl_fetch_done(const struct fd_tl_fetch *f);
/* The timeline as known now (grows while fetching); gen changes whenever it does. */
const struct fd_timeline *fd_tl_fetch_timeline(const struct fd_tl_fetch *f, unsigned *gen);
/* "" or what failed (formatted). */
const char *fd_tl_fetch_error(const struct fd_tl_fetch *f);
void fd_tl_fetch_free(struct fd_tl_fetch *f);   /* cancels */
/* Headless: runs the loop until done. */
enum fd_status fd_tl_fetch_wait(struct aws_client *client, struct fd_tl_fetch *f,
				struct fd_err *err);

/* ---- records from tailed lines (the follow engine's on_line) ---- */

struct fd_inv_sink;

struct fd_inv_sink *fd_inv_sink_new(struct fd_cache *cache, const struct fd_ctx *ctx);
/* One released log line, raw (as received, not sanitized). */
void fd_inv_sink_line(struct fd_inv_sink *s, const char *function, const char *stream,
		      int64_t ts_ms, const char *raw, size_t len);
/* Writes the records finished since the last flush, in one transaction. */
enum fd_status fd_inv_sink_flush(struct fd_inv_sink *s, struct fd_err *err);
/* Flushes what finished; requests still open are not written. */
void fd_inv_sink_free(struct fd_inv_sink *s);

/* ---- saved log events: screen tests and exported logs, offline ---- */

struct fd_inv_file;

/* Reads a FilterLogEvents answer (events may carry logGroupIdentifier: the function is
 * the group's last path part, else `function`) through the builder. */
enum fd_status fd_inv_file_load(const char *path, const char *function,
				struct fd_inv_file **out, struct fd_err *err);
/* The records, newest first (valid until fd_inv_file_free). */
size_t fd_inv_file_records(const struct fd_inv_file *f, const struct fd_invocation **out);
/* One request's timeline from the file's events (t is initialised here). */
void fd_inv_file_timeline(const struct fd_inv_file *f, const char *request_id,
			  struct fd_timeline *t);
void fd_inv_file_free(struct fd_inv_file *f);

#endif
