/* aws.h - the AWS client: requests built per protocol, signed, sent over the curl
 * multi interface from the single event loop, retried (standard mode), rate-limited
 * per API before AWS throttles us, and answered with one error shape.
 * Nothing here blocks except aws_call_sync()/aws_paginate_sync(), which run the
 * same loop until their call completes (for headless commands). */
#ifndef FLEETDECK_AWS_H
#define FLEETDECK_AWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fleetdeck/awsconfig.h"
#include "fleetdeck/creds.h"
#include "fleetdeck/services.h"
#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

struct aws_kv {
	char *name;
	char *value;
};

/* Case-insensitive lookup by name; NULL when absent. */
const char *aws_kv_find(const struct aws_kv *kv, size_t n, const char *name);
/* Frees names and (wiped) values, then the array. */
void aws_kv_free(struct aws_kv *kv, size_t n);
/* RFC 3986 unreserved-only percent-encoding (space -> %20), appended to out. */
void aws_percent_encode(const char *s, size_t n, struct fd_buf *out);

struct aws_request {
	enum aws_service_id svc;
	const char *op;            /* static string: "ListFunctions" */
	const char *method;        /* static string; default "POST" ("GET" for none) */
	struct fd_buf path;        /* percent-encoded path; "/" when empty */
	struct fd_buf query;       /* percent-encoded "k=v&k=v", no '?' */
	struct aws_kv *headers;
	size_t nheaders;
	struct fd_buf body;
	const char *host_prefix;   /* "stream-" for StartLiveTail */
	const char *rate_key;      /* rate-limit bucket; NULL = derived from svc+op */
	int unsigned_request;      /* SSO portal: no SigV4 */
	int stream;                /* response is an event stream: deliver chunks (see on_chunk) */
	void (*on_chunk)(const char *data, size_t n, void *ud); /* stream bodies */
	void *chunk_ud;
	long timeout_ms;           /* 0 = client default */
	int64_t not_before_ms;     /* fd_now_ms() time before which it is not sent; 0 = now */
};

void aws_request_init(struct aws_request *r, enum aws_service_id svc, const char *op);
void aws_request_free(struct aws_request *r);
void aws_request_header(struct aws_request *r, const char *name, const char *value);
/* Appends "key=value" to the query, percent-encoding both. */
void aws_request_query(struct aws_request *r, const char *key, const char *value);
/* Appends a literal path part ("/2015-03-31/functions/"). */
void aws_request_path(struct aws_request *r, const char *literal);
/* Appends one path segment, percent-encoding every byte but unreserved characters
 * (so ':' in an ARN becomes %3A, as AWS expects). */
void aws_request_path_segment(struct aws_request *r, const char *segment);
/* JSON protocols: sets the body and the protocol headers (X-Amz-Target,
 * Content-Type, x-amzn-query-mode) for svc/op. REST JSON: only Content-Type. */
void aws_request_json(struct aws_request *r, const char *json, size_t len);
/* Query protocol: adds Action/Version and one form field (encoded); key NULL adds
 * only Action/Version. */
void aws_request_form(struct aws_request *r, const char *key, const char *value);
/* Fills what the caller left out, as sent: path "/", the protocol headers and "{}" for
 * awsJson, Action/Version for awsQuery, method POST (GET for a bodiless restJson call).
 * aws_call_start() calls it; idempotent. */
void aws_request_prepare(struct aws_request *r);

struct aws_error {
	enum fd_status status;     /* FD_OK, FD_EAWS, FD_EHTTP, FD_ETIMEOUT, FD_ECREDS, FD_ECANCELLED */
	long http_status;          /* 0 when no response */
	char service[32];          /* "Lambda" */
	char op[64];               /* "ListFunctions" */
	char code[128];            /* "ThrottlingException" */
	char message[512];
	char request_id[96];
	int throttled;             /* code is a throttling code */
	int retryable;             /* standard retry mode would retry it */
	long retry_after_ms;       /* Retry-After / x-amz-retry-after, -1 when absent */
};

/* "Lambda.ListFunctions: ThrottlingException: Rate exceeded" (sanitized, one line). */
void aws_error_format(const struct aws_error *e, char *out, size_t n);
/* Fills e from an error response according to the service's protocol (awsJson __type,
 * x-amzn-query-error, restJson x-amzn-ErrorType / code, query XML <Error>). Also
 * recognises non-AWS answers (HTML pages, empty bodies) and says so. */
void aws_error_parse(enum aws_service_id svc, const char *op, long http_status,
		     const struct aws_kv *headers, size_t nheaders, const char *body, size_t len,
		     struct aws_error *e);
int aws_error_code_is_throttle(const char *code);
int aws_error_code_is_transient(const char *code);

struct aws_response {
	long http_status;
	struct aws_kv *headers;
	size_t nheaders;
	struct fd_buf body;
	struct aws_error error;    /* error.status == FD_OK on success */
	int attempts;
	double elapsed_ms;
};

const char *aws_response_header(const struct aws_response *r, const char *name);
void aws_response_free(struct aws_response *r);

struct aws_client;

struct aws_client_opts {
	long connect_timeout_ms;   /* default 3100 */
	long timeout_ms;           /* default 30000 per attempt */
	int max_concurrent;        /* default 16 transfers at once */
	double rate_fraction;      /* share of each documented quota to use; default 0.8 */
	FILE *debug_http;          /* --debug-http: one line per attempt, never secrets */
	uint64_t rng_seed;         /* retry jitter PRNG seed; 0 = from the clock */
	size_t max_body;           /* response body cap; 0 = 64 MiB (larger answers fail) */
};

/* The client keeps its own copy of creds (refreshed from settings when expiring). */
enum fd_status aws_client_new(const struct aws_settings *s, const struct aws_creds *creds,
			      const struct aws_client_opts *opts, struct aws_client **out,
			      struct fd_err *err);
void aws_client_free(struct aws_client *c);
/* Completes every pending call at once with FD_ECANCELLED (done runs), so owners free
 * their state before they go: call before freeing what the callbacks point at. */
void aws_client_abort_all(struct aws_client *c);
const struct aws_settings *aws_client_settings(const struct aws_client *c);

typedef void (*aws_done_fn)(struct aws_response *resp, void *ud);

/* Starts a call; takes ownership of req's contents (req is reset). done runs from
 * aws_client_wait() exactly once unless the call is cancelled; resp is freed after
 * done returns (steal resp->body with fd_buf_steal to keep it). Returns the call id. */
uint64_t aws_call_start(struct aws_client *c, struct aws_request *req, aws_done_fn done,
			void *ud);
void aws_call_cancel(struct aws_client *c, uint64_t id);
/* Runs the loop until the call completes. out must be freed with aws_response_free. */
enum fd_status aws_call_sync(struct aws_client *c, struct aws_request *req,
			     struct aws_response *out);
/* The same, waiting in steps of step_ms: an answer that arrives early in a wait may
 * only be handed over when that wait ends, so many small calls in a row want short
 * steps. */
enum fd_status aws_call_sync_every(struct aws_client *c, struct aws_request *req,
				   struct aws_response *out, int step_ms);

struct fd_pollfd {
	int fd;
	short events;              /* POLLIN | POLLOUT */
	short revents;
};

/* Waits up to timeout_ms for network activity, a due timer (retry backoff, rate-limit
 * slot) or one of the extra fds, then advances transfers and runs completion
 * callbacks. Fills extra[i].revents. timeout_ms < 0 waits until something happens.
 * Callbacks may start, cancel or synchronously run calls, but must not free the client. */
enum fd_status aws_client_wait(struct aws_client *c, struct fd_pollfd *extra, unsigned nextra,
			       int timeout_ms);
/* Makes a concurrent aws_client_wait() return early (safe from signal handlers). */
void aws_client_wakeup(struct aws_client *c);
size_t aws_client_pending(const struct aws_client *c);
/* The blocking forms' loop: waits in slices of slice_ms until a callback sets *done,
 * or a wait fails with nothing left in flight. FD_OK once *done, else that failure.
 * Whatever *done lives in must outlive every callback that can set it. */
enum fd_status aws_client_wait_done(struct aws_client *c, const int *done, int slice_ms);

/* Rate-limit buckets: documented quota, configured share, recent use. */
struct aws_budget {
	const char *key;           /* "logs:FilterLogEvents" */
	double limit_tps;          /* what fleetdeck allows itself */
	double quota_tps;          /* documented AWS quota */
	double used_tps;           /* requests started in the last second */
	size_t queued;             /* calls waiting for a slot */
};
size_t aws_client_budgets(const struct aws_client *c, struct aws_budget *out, size_t max);
/* Totals since the client was created, for status bars and benchmarks. */
struct aws_client_stats {
	uint64_t requests;         /* attempts sent */
	uint64_t retries;
	uint64_t throttled;        /* throttling errors received */
	uint64_t failures;         /* calls that ended in error */
	uint64_t completed;        /* calls whose done callback ran (or was due) */
	struct aws_error last_error;
};
void aws_client_stats(const struct aws_client *c, struct aws_client_stats *out);

/* Pagination: build a page's request from the token (NULL first), consume the page
 * and return the next token (malloc'd) or NULL at the end. */
struct aws_pager {
	void (*build)(struct aws_request *r, const char *token, void *ud);
	char *(*page)(struct aws_response *resp, void *ud, struct fd_err *err);
	void (*done)(enum fd_status st, const struct aws_error *e, void *ud);
	void *ud;
	int max_pages;             /* 0 = no limit */
};
uint64_t aws_paginate(struct aws_client *c, const struct aws_pager *p);
enum fd_status aws_paginate_sync(struct aws_client *c, const struct aws_pager *p,
				 struct aws_error *err);

#endif
