/* invoke.h - Lambda Invoke, the data plane: one call with a qualifier, an invocation
 * type (RequestResponse, Event, DryRun), the 4 KB log tail and a client context; the
 * answer as a plain record with the tail base64-decoded and its REPORT line parsed.
 * Payload sizes are checked against the documented limits before anything is sent.
 * Also the target's facts a guardrail needs (ARN, account, tags, timeout) from
 * GetFunction, and the few byte helpers (base64, MD5) that src/ may not get from
 * OpenSSL itself. */
#ifndef FLEETDECK_INVOKE_H
#define FLEETDECK_INVOKE_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/fleet.h"
#include "fleetdeck/logline.h"

#define FD_INVOKE_SYNC_MAX 6291456L   /* 6 MiB: RequestResponse and DryRun payloads */
#define FD_INVOKE_ASYNC_MAX 1048576L  /* 1 MiB: Event payloads */
#define FD_INVOKE_CONTEXT_MAX 3583    /* X-Amz-Client-Context, base64 bytes */
#define FD_INVOKE_PAYLOAD_CAP 6291456 /* response bytes kept (the sync response limit) */
#define FD_INVOKE_TAIL_CAP 65536      /* base64 log tail bytes read (AWS sends ~5.5 KB) */

enum fd_invoke_type {
	FD_INVOKE_SYNC,   /* RequestResponse */
	FD_INVOKE_ASYNC,  /* Event */
	FD_INVOKE_DRYRUN, /* DryRun: permission and parameter check only */
};

/* "RequestResponse", "Event", "DryRun". */
const char *fd_invoke_type_name(enum fd_invoke_type t);
/* Wire names, and "sync", "async", "event", "dry-run", "dryrun" (any case); 0 when bad. */
int fd_invoke_type_parse(const char *s, enum fd_invoke_type *out);
/* FD_EINVAL with a message naming the limit when len is too large for t. */
enum fd_status fd_invoke_check_size(enum fd_invoke_type t, size_t len, struct fd_err *err);

struct fd_invoke_req {
	const char *function;  /* name, ARN or partial ARN */
	const char *qualifier; /* version or alias; NULL = unqualified ($LATEST) */
	enum fd_invoke_type type;
	const char *payload; /* the event (JSON); NULL = empty */
	size_t len;
	const char *client_context; /* JSON; sent base64-encoded; NULL = none */
	int tail;                   /* LogType=Tail (RequestResponse only) */
	long timeout_ms;            /* per attempt; 0 = 905 s (Lambda's 900 s cap + margin) */
};

struct fd_invoke_result {
	long http_status;          /* 200, 202, 204; the error's status; 0 = no answer */
	char function_error[32];   /* X-Amz-Function-Error ("Unhandled", "Handled") or "" */
	char executed_version[40]; /* X-Amz-Executed-Version or "" */
	char request_id[96];
	struct fd_buf payload; /* response payload, at most FD_INVOKE_PAYLOAD_CAP bytes */
	size_t payload_size;   /* bytes received */
	int payload_truncated;
	struct fd_buf log; /* decoded log tail; empty when none */
	int log_invalid;   /* X-Amz-Log-Result was not valid base64 */
	int has_report;    /* report below came from a REPORT record in the tail */
	struct fd_report report;
	int timed_out;    /* the tail or the payload says the task timed out */
	double client_ms; /* duration seen by the client, retries included */
	int attempts;
	struct aws_error error; /* status FD_OK when Lambda answered 2xx (function errors
	                         * included: see function_error) */
};

void fd_invoke_result_init(struct fd_invoke_result *r);
void fd_invoke_result_free(struct fd_invoke_result *r);
/* 1 when the call succeeded and the function did not error. */
int fd_invoke_result_ok(const struct fd_invoke_result *r);

/* Builds the Invoke request (pure). Fails on an empty function name, a payload over
 * the type's limit or a client context over FD_INVOKE_CONTEXT_MAX once encoded. */
enum fd_status lambda_invoke_build(const struct fd_invoke_req *in, struct aws_request *out,
                                   struct fd_err *err);
/* Reads an Invoke answer into out (pure; fuzzed): status, headers, payload (capped),
 * the tail decoded and scanned for REPORT and timeouts. */
void lambda_invoke_parse(const struct aws_response *resp, struct fd_invoke_result *out);
/* Decodes an X-Amz-Log-Result value into out and fills the REPORT fields (pure;
 * fuzzed). FD_EPARSE when b64 is not base64 (out then holds nothing). */
enum fd_status lambda_invoke_decode_tail(const char *b64, size_t n, struct fd_invoke_result *out);

/* Starts an Invoke. done gets the result, which is freed after done returns (move
 * what you keep). Returns the call id, or 0 with err filled when the request is
 * refused locally (nothing is sent and done never runs). aws_call_cancel(id) drops it. */
typedef void (*lambda_invoke_fn)(struct fd_invoke_result *res, void *ud);
uint64_t lambda_invoke(struct aws_client *c, const struct fd_invoke_req *in, lambda_invoke_fn done,
                       void *ud, struct fd_err *err);
/* The same, with on_cancel(ud) run instead of done when the call is cancelled (by
 * aws_call_cancel or when the client is freed), so ud can be freed either way. */
uint64_t lambda_invoke_ex(struct aws_client *c, const struct fd_invoke_req *in,
                          lambda_invoke_fn done, void (*on_cancel)(void *ud), void *ud,
                          struct fd_err *err);
/* Runs one Invoke to completion. Returns FD_OK when Lambda answered (check
 * out->function_error), the local refusal or the call's error otherwise (out->error
 * holds the AWS detail). out must be freed with fd_invoke_result_free. */
enum fd_status lambda_invoke_sync(struct aws_client *c, const struct fd_invoke_req *in,
                                  struct fd_invoke_result *out, struct fd_err *err);

/* What a guardrail and a timeout need to know about a target (GetFunction). */
struct fd_invoke_target {
	char *function;   /* FunctionName */
	char *arn;        /* FunctionArn as returned (qualified when asked so) */
	char account[32]; /* from the ARN */
	char region[32];
	char *version; /* the version the qualifier resolves to */
	int timeout_s; /* -1 when unknown */
	struct fd_kv *tags;
	size_t ntags;
};

void fd_invoke_target_free(struct fd_invoke_target *t);
/* GetFunction answer -> target (pure; fuzzed). */
enum fd_status lambda_parse_invoke_target(const char *json, size_t len,
                                          struct fd_invoke_target *out, struct fd_err *err);
enum fd_status lambda_invoke_target_sync(struct aws_client *c, const char *function,
                                         const char *qualifier, struct fd_invoke_target *out,
                                         struct aws_error *err);
typedef void (*lambda_target_fn)(enum fd_status st, struct fd_invoke_target *t,
                                 const struct aws_error *e, void *ud);
/* Async GetFunction; t is freed after done returns (move what you keep). */
uint64_t lambda_invoke_target(struct aws_client *c, const char *function, const char *qualifier,
                              lambda_target_fn done, void *ud);

/* Byte helpers backed by OpenSSL for layers that may not include it. */
char *fd_base64_encode(const void *data, size_t n); /* malloc'd, NUL-terminated */
/* Decodes into out (appends); FD_EPARSE on invalid input. Whitespace is ignored. */
enum fd_status fd_base64_decode(const char *s, size_t n, struct fd_buf *out);
void fd_md5_hex(const void *data, size_t n, char out[33]);

/* ---- invoking from the console (src/events_run.c): guardrails, history, batches.
 * Declared here because they speak in Invoke's terms; they use the app and the
 * state store, never from aws/. ---- */

#include <stdio.h>

struct fd_state;
struct fd_invoke_record;

/* Whether a target counts as production, and why (for the confirmation text). */
struct fd_prod_check {
	int prod;
	char why[160]; /* "profile \"live\" is marked prod", "tag env=prod" */
	char function[128];
	char qualifier[64]; /* "" = unqualified ($LATEST) */
	char account[32];   /* "" when unknown */
};

/* env / stage / environment tags valued prod or production (any case). */
int fd_invoke_tag_is_prod(const char *key, const char *value);
/* Production when the profile is marked prod (profile_prod), a tag of the target says
 * so, or the qualifier is an alias named prod / production. t may be NULL. */
void fd_invoke_prod_check(int profile_prod, const char *profile, const char *function,
                          const char *qualifier, const struct fd_invoke_target *t,
                          struct fd_prod_check *out);
/* "invoke PRODUCTION function orders-api, alias live, in account 123456789012 (tag
 * env=prod)" */
void fd_invoke_prod_text(const struct fd_prod_check *pc, char *out, size_t n);
/* Headless confirmation. FD_OK when the target is not production, when yes (--yes) is
 * set, or when interactive and the line read from in is "yes" (the prompt goes to
 * out); FD_ECANCELLED with a message saying what to do otherwise. Read-only mode is
 * checked before this and --yes never overrides it. */
enum fd_status fd_invoke_confirm(const struct fd_prod_check *pc, int yes, int interactive, FILE *in,
                                 FILE *out, struct fd_err *err);

/* The history record of a finished invocation (v is overwritten; free it with
 * fd_invoke_record_free). */
void fd_invoke_record_fill(struct fd_invoke_record *v, const struct fd_ctx *ctx,
                           const struct fd_invoke_req *in, const char *event_name,
                           const char *event_sha256, int64_t start_ms,
                           const struct fd_invoke_result *r);

/* Batches: every event `times` times, at most `concurrency` in flight. */
struct fd_batch_event {
	const char *name; /* NULL for unnamed (file, stdin) */
	const char *payload;
	size_t len;
};

struct fd_batch_summary {
	size_t total, ok, function_errors, call_errors, timeouts, cold_starts;
	size_t retried; /* invocations that needed more than one attempt */
	double dur_p50, dur_p90, dur_p99, dur_max; /* REPORT Duration; NAN = none */
	double client_p50, client_p90, client_p99, client_max;
	double wall_ms;
	int64_t batch_id;        /* history batch id (its start, epoch ms); 0 for one call */
	int64_t last_history_id; /* the last invocation recorded; 0 when none */
};

struct fd_batch_opts {
	const struct fd_invoke_req *req; /* function, qualifier, type, tail, timeout */
	const struct fd_batch_event *events;
	size_t nevents;
	int times;                /* >= 1 */
	int concurrency;          /* 1..FD_BATCH_MAX_CONCURRENCY */
	struct fd_state *state;   /* history; NULL = not recorded */
	const struct fd_ctx *ctx; /* for the history; may be NULL */
	/* Called for each finished invocation, in completion order. */
	void (*on_result)(const struct fd_invoke_record *v, const struct fd_invoke_result *r,
	                  void *ud);
	void *ud;
};

#define FD_BATCH_MAX_CONCURRENCY 100
#define FD_BATCH_MAX_TOTAL 10000

/* Runs the batch to completion. Sizes are checked first (nothing is sent when one
 * event is too large). FD_OK when every call got an answer from Lambda (function
 * errors included: see the summary); the first call or history error otherwise. */
enum fd_status fd_invoke_batch(struct aws_client *c, const struct fd_batch_opts *o,
                               struct fd_batch_summary *out, struct fd_err *err);
/* Percentile (0..100) of v[0..n) by nearest rank; sorts v; NAN when n == 0. */
double fd_percentile(double *v, size_t n, double p);

#endif
