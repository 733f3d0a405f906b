/* sigv4.h - AWS Signature Version 4, split in small steps (canonical URI, query,
 * headers, canonical request, string to sign, signature) so tests can check each
 * against the official vectors. Pure: no I/O, clock passed in. */
#ifndef FLEETDECK_SIGV4_H
#define FLEETDECK_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_input {
	const char *method;             /* "GET", "POST" */
	const char *path;               /* as sent on the wire (already percent-encoded once) */
	const char *query;              /* raw query as on the wire, without '?'; NULL = none */
	const struct sigv4_header *headers; /* every header sent, Host included; order kept for duplicates */
	size_t nheaders;
	const void *payload;
	size_t payload_len;
	int unsigned_payload;           /* use UNSIGNED-PAYLOAD literal (implies content_sha256_header) */
	int content_sha256_header;      /* S3 style: also sign x-amz-content-sha256: <payload hash> */
	int no_normalize_path;          /* S3-style: skip dot-segment normalisation */
	int no_double_encode;           /* S3-style: encode the path only once */
	const char *region;
	const char *service;            /* signing name */
	const char *access_key;
	const char *secret_key;
	const char *session_token;      /* NULL/"" when long-term keys */
	time_t now;                     /* signing time, UTC */
};

struct sigv4_output {
	char amz_date[17];              /* YYYYMMDDTHHMMSSZ */
	char payload_hash[65];
	char signature[65];
	struct fd_buf canonical_request;
	struct fd_buf string_to_sign;
	struct fd_buf signed_headers;   /* "host;x-amz-date" */
	struct fd_buf authorization;    /* full Authorization header value */
};

/* Signs the request. The caller adds X-Amz-Date and (if any) X-Amz-Security-Token to
 * the request it sends; sigv4_sign() includes them in the signature itself when they
 * are not already among in->headers. The same goes for X-Amz-Content-SHA256 (value
 * out->payload_hash) when unsigned_payload or content_sha256_header is set. When the
 * caller does pass one of these three headers, its value must match (x-amz-date ==
 * out->amz_date, the token, the payload hash), else FD_EINVAL. Host is required.
 * Never signed: authorization, user-agent, expect, x-amzn-trace-id and hop-by-hop
 * headers. At most SIGV4_MAX_HEADERS headers. out is overwritten (not freed) and must
 * be released with sigv4_output_free(), also after an error. */
#define SIGV4_MAX_HEADERS 512
enum fd_status sigv4_sign(const struct sigv4_input *in, struct sigv4_output *out,
			  struct fd_err *err);
void sigv4_output_free(struct sigv4_output *out);

/* Building blocks, exposed for tests and for the simulator cross-checks. Each appends
 * to out. canonical_uri: normalize removes dot segments and empty segments (keeps a
 * trailing '/'); double_encode encodes every byte but unreserved and '/' (so %3A ->
 * %253A); without it valid %XX escapes are kept and other bytes encoded once.
 * canonical_query: percent-decodes then re-encodes keys and values, "k" -> "k=",
 * sorted by key then value (bytewise). */
void sigv4_canonical_uri(const char *path, int normalize, int double_encode, struct fd_buf *out);
void sigv4_canonical_query(const char *query, struct fd_buf *out);
/* RFC 3986 unreserved-only encoding (space -> %20). keep_slash keeps '/' as is. */
void sigv4_uri_encode(const char *s, size_t n, int keep_slash, struct fd_buf *out);
void sigv4_sha256_hex(const void *data, size_t n, char out[65]);
void sigv4_format_amz_date(time_t t, char out[17]);

/* Clock used for signing: FLEETDECK_NOW when set (tests), else time(), plus the
 * skew learned from a server's Date header after a RequestTimeTooSkewed error.
 * The skew is clamped to +-SIGV4_MAX_SKEW seconds (a bogus Date cannot move us far). */
#define SIGV4_MAX_SKEW (7L * 24 * 3600)
time_t sigv4_clock(void);
void sigv4_set_skew(long seconds);
long sigv4_get_skew(void);

#endif
