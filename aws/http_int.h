/* http_int.h - internals shared by the AWS client engine's files (http.c: calls,
 * queue, loop; http_transfer.c: one curl transfer per attempt; awserror.c, pager.c).
 * Not a public header: nothing outside aws/ includes it. */
#ifndef FLEETDECK_AWS_HTTP_INT_H
#define FLEETDECK_AWS_HTTP_INT_H

#include <curl/curl.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/ratelimit.h"
#include "fleetdeck/retry.h"

#define AWS_MAX_BODY ((size_t)64 << 20) /* default response body cap */
#define AWS_MAX_HEADERS 200             /* response headers kept */
#define AWS_MAX_HEADER_BYTES ((size_t)64 << 10)
#define AWS_CREDS_REFRESH_MARGIN_S 300

enum aws_call_state {
	AWS_CALL_WAITING, /* queued: backoff timer, rate-limit slot or a free transfer slot */
	AWS_CALL_RUNNING, /* a transfer is in flight */
	AWS_CALL_DONE,    /* finished; done() not yet run */
};

struct aws_transfer;

/* One logical call, across all its attempts. */
struct aws_call {
	uint64_t id;
	struct aws_request req;
	aws_done_fn done;
	void (*on_cancel)(void *ud); /* frees ud when the call is cancelled (pager) */
	void *ud;
	enum aws_call_state state;
	int64_t created_ms;
	int64_t due_ms;            /* may start at or after this time */
	struct aws_bucket *bucket; /* NULL = not rate-limited */
	int rate_queued;           /* counted in bucket's queue */
	struct aws_retry_state rs;
	struct aws_transfer *xfer; /* while running */
	struct aws_response resp;
	struct aws_call *prev, *next;
};

struct aws_call_list {
	struct aws_call *head, *tail;
	size_t n;
};

/* One attempt: a curl easy handle hung on CURLOPT_PRIVATE. */
struct aws_transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct aws_call *call;
	char *url;
	char *wire_path;     /* path as sent, for --debug-http */
	struct aws_kv *rhdr; /* response headers */
	size_t nrhdr, rhdr_bytes;
	struct fd_buf body;
	struct fd_buf chunk; /* stream bytes not yet handed to on_chunk */
	int64_t start_ms;
	size_t max_body;
	int too_big;
	int streamed; /* stream bytes were delivered: never retried */
	char errbuf[CURL_ERROR_SIZE];
};

struct aws_client {
	const struct aws_settings *settings;
	struct aws_creds creds;
	int have_creds;
	struct aws_client_opts opts;
	CURLM *multi;
	struct aws_call_list waiting, running, done;
	uint64_t next_id;
	struct aws_retry_policy retry;
	struct aws_ratelimit *rl;
	struct aws_client_stats stats;
	struct curl_waitfd *wfds;
	unsigned nwfds;
	char user_agent[64];
};

/* http.c */
uint64_t aws_call_start_ex(struct aws_client *c, struct aws_request *req, aws_done_fn done,
                           void *ud, void (*on_cancel)(void *ud), uint64_t id);

/* http_transfer.c */
enum fd_status aws_transfer_start(struct aws_client *c, struct aws_call *call, struct fd_err *err);
/* The attempt's outcome: FD_OK, an AWS error, or a network error. */
void aws_transfer_outcome(struct aws_transfer *x, CURLcode rc, struct aws_error *e);
void aws_transfer_free(struct aws_client *c, struct aws_transfer *x);
/* --debug-http: one line per attempt (never headers, tokens or bodies). delay_ms < 0:
 * no retry follows; why says why (or why not). */
void aws_debug_attempt(struct aws_client *c, const struct aws_transfer *x,
                       const struct aws_error *e, const char *why, long delay_ms);

/* awserror.c */
/* Copies at most cap-1 bytes of valid UTF-8, control characters replaced. */
void aws_text_copy(char *dst, size_t cap, const char *src, size_t n);
void aws_xml_unescape(const char *s, size_t n, struct fd_buf *out);
/* A 2xx body the protocol can read (awsJson: JSON; query: XML; restJson: anything). */
int aws_body_well_formed(enum aws_service_id svc, const char *body, size_t len);

#endif
