/* logs.h - CloudWatch Logs calls (awsJson1.1): log groups (retention, stored bytes)
 * for the inventory; FilterLogEvents, DescribeLogStreams and Live Tail for the follow
 * engine (src/follow.c); Logs Insights queries. Builders make requests, pure parsers
 * turn answers into plain C records (and are fuzzed). */
#ifndef FLEETDECK_LOGS_H
#define FLEETDECK_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"

/* DescribeLogGroups with logGroupNamePrefix (e.g. "/aws/lambda/"; NULL = every
 * group), all pages. The async form hands each page to on_page (the callee owns g:
 * keep what it wants, free the rest with fd_log_groups_free) and ends with done. */
struct logs_groups_cb {
	void (*on_page)(struct fd_log_group *g, size_t n, void *ud);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};
uint64_t logs_describe_groups(struct aws_client *c, const char *prefix,
			      const struct logs_groups_cb *cb);
enum fd_status logs_describe_groups_sync(struct aws_client *c, const char *prefix,
					 struct fd_log_group **out, size_t *n,
					 struct aws_error *err);
enum fd_status logs_parse_describe_groups(const char *json, size_t len, struct fd_log_group **out,
					  size_t *n, char **next_token, struct fd_err *err);

/* ---- log events (FilterLogEvents, Live Tail) ---- */

/* One event of a parsed page. Strings point into the page's text (NUL-terminated,
 * unescaped, never sanitized: that is the reader's job). */
struct logs_event {
	int64_t timestamp;         /* ms since the epoch */
	int64_t ingestion;         /* ms; 0 when absent */
	const char *stream;
	size_t stream_len;
	const char *message;
	size_t message_len;
	const char *event_id;      /* "" for Live Tail, which has none */
	size_t event_id_len;
	const char *group;         /* Live Tail logGroupIdentifier; "" otherwise */
	size_t group_len;
};

/* A parsed page. Reuse one across pages: reset keeps the memory. */
struct logs_events {
	struct logs_event *ev;
	size_t n, cap;
	struct fd_buf text;        /* the strings ev[] points to */
	char *next_token;          /* FilterLogEvents nextToken; NULL at the end */
	int sampled;               /* Live Tail sessionMetadata.sampled */
};

void logs_events_init(struct logs_events *e);
void logs_events_reset(struct logs_events *e);
void logs_events_free(struct logs_events *e);

/* FilterLogEvents answer -> events. A one-pass scanner without a DOM (the follow
 * engine's hot path): events lacking a timestamp are skipped, unknown keys ignored,
 * anything that is not JSON fails with FD_EPARSE and byte offset. */
enum fd_status logs_parse_filter_events(const char *json, size_t len, struct logs_events *out,
					struct fd_err *err);

struct logs_filter_req {
	const char *group;         /* name, or ARN (sent as logGroupIdentifier) */
	const char *const *streams; /* logStreamNames (<= 100); may be NULL */
	size_t nstreams;
	int64_t start_ms, end_ms;  /* 0 = omitted */
	const char *pattern;       /* CloudWatch filterPattern; NULL/"" = none */
	const char *next_token;
	int limit;                 /* 1..10000; 0 = omitted */
};

/* Builds a FilterLogEvents request (r is initialised here). */
void logs_filter_request(struct aws_request *r, const struct logs_filter_req *q);

/* ---- DescribeLogStreams ---- */

struct logs_stream_info {
	char *name;
	int64_t created_ms, first_ms, last_ms, last_ingest_ms; /* 0 when absent */
};

/* orderBy=LastEventTime (descending) when by_last_event, else by name with prefix. */
void logs_describe_streams_request(struct aws_request *r, const char *group, const char *prefix,
				   int by_last_event, int limit, const char *token);
enum fd_status logs_parse_describe_streams(const char *json, size_t len,
					   struct logs_stream_info **out, size_t *n,
					   char **next_token, struct fd_err *err);
void logs_streams_free(struct logs_stream_info *s, size_t n);

/* ---- Logs Insights ---- */

#define LOGS_QUERY_MAX_GROUPS 50   /* StartQuery logGroupNames limit */

struct logs_query_req {
	const char *const *groups; /* names (<= 50) */
	size_t ngroups;
	int64_t start_s, end_s;    /* epoch seconds */
	const char *query;
	int limit;                 /* 0 = the query's own / the service default */
};

struct logs_query_field {
	char *field;
	char *value;
};

struct logs_query_row {
	struct logs_query_field *f;
	size_t n;
};

struct logs_query_result {
	char status[24];           /* Scheduled Running Complete Failed Cancelled Timeout Unknown */
	struct logs_query_row *rows;
	size_t nrows;
	double matched, scanned, bytes; /* statistics; 0 when absent */
};

void logs_start_query_request(struct aws_request *r, const struct logs_query_req *q);
enum fd_status logs_parse_start_query(const char *json, size_t len, char **query_id,
				      struct fd_err *err);
void logs_get_query_results_request(struct aws_request *r, const char *query_id);
void logs_stop_query_request(struct aws_request *r, const char *query_id);
enum fd_status logs_parse_query_results(const char *json, size_t len,
					struct logs_query_result *out, struct fd_err *err);
void logs_query_result_free(struct logs_query_result *q);
/* 1 when the status is final (Complete, Failed, Cancelled, Timeout, Unknown). */
int logs_query_done(const char *status);
/* Merges the results of one query run over several sets of groups (parts of 50):
 * `stats` results whose aggregates are all additive (count, sum, min, max) are
 * re-aggregated by their group-by columns, other results concatenated; then the
 * query's last `sort` and `limit` apply again. Statistics add up; the status is
 * the first part's that is not Complete. *additive says whether stats results
 * could be re-aggregated (1 also when there is no stats command). */
void logs_query_merge(const char *query, const struct logs_query_result *parts, size_t n,
		      struct logs_query_result *out, int *additive);

/* ---- Live Tail (aws/livetail.c): StartLiveTail over an event stream ---- */

#define LOGS_LIVE_MAX_GROUPS 10

struct logs_live_req {
	const char *const *groups; /* ARNs (or names, which some endpoints accept) */
	size_t ngroups;            /* 1..10 */
	const char *pattern;       /* logEventFilterPattern; NULL = none */
};

struct logs_live_cb {
	void (*on_start)(const char *session_id, void *ud);
	/* One sessionUpdate; ev->sampled says CloudWatch sampled it. */
	void (*on_update)(const struct logs_events *ev, void *ud);
	/* Exactly once unless logs_live_stop() came first: the stream ended. st FD_OK
	 * means it closed cleanly without an exception; otherwise e says why
	 * (e->code "SessionTimeoutException", "SessionStreamingException",
	 * "AccessDeniedException", a transport error ...). */
	void (*on_end)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
};

struct logs_live;

void logs_live_request(struct aws_request *r, const struct logs_live_req *q);
struct logs_live *logs_live_start(struct aws_client *c, const struct logs_live_req *q,
				  const struct logs_live_cb *cb);
/* Cancels the session; safe from inside its own callbacks; no callback follows. */
void logs_live_stop(struct logs_live *s);

/* Pure pieces, for tests and fuzzing. */
enum logs_live_kind { LOGS_LIVE_START, LOGS_LIVE_UPDATE, LOGS_LIVE_EXCEPTION, LOGS_LIVE_OTHER };
/* Classifies one decoded event-stream message and parses its payload: a sessionStart
 * fills session_id, a sessionUpdate fills ev, an exception fills exc (code, message). */
struct es_message;
enum fd_status logs_live_decode(const struct es_message *m, enum logs_live_kind *kind,
				struct logs_events *ev, char *session_id, size_t sid_len,
				struct aws_error *exc, struct fd_err *err);
/* The sessionUpdate JSON payload. */
enum fd_status logs_parse_live_update(const char *json, size_t len, struct logs_events *out,
				      struct fd_err *err);

/* Display forms of a JSON log message: compact ("message  service=x cold_start=true
 * record.metrics.durationMs=12.3": the message first, key fields next, the rest in
 * document order) or pretty printed (two-space indent). Both append to out and
 * return 0; -1 (nothing appended) when json is not a JSON object. The result is
 * not sanitized. */
int logs_json_compact(const char *json, size_t len, struct fd_buf *out);
int logs_json_pretty(const char *json, size_t len, struct fd_buf *out);

#endif
