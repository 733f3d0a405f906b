/* http_blocking.h - one blocking HTTP exchange over curl_easy, for the credential
 * chain (STS, SSO, container, IMDS), which runs before the event loop exists.
 * TLS peer verification is always on; AWS_CA_BUNDLE (or ca_bundle) is honoured.
 * Header strings and the response body may hold secrets: headers are wiped here,
 * the caller wipes the body (fd_buf_secure_free). */
#ifndef FLEETDECK_HTTP_BLOCKING_H
#define FLEETDECK_HTTP_BLOCKING_H

#include <stddef.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

#define AWS_HTTP_BLOCKING_MAX_BODY (1024 * 1024)

struct aws_http_simple {
	const char *method;          /* "GET" (default), "PUT", "POST" */
	const char *url;             /* http:// or https:// only */
	const char *const *headers;  /* "Name: value" lines */
	size_t nheaders;
	const char *body;            /* request body, may be NULL */
	size_t body_len;
	long connect_timeout_ms;     /* 0 = 3000 */
	long timeout_ms;             /* whole exchange; 0 = 10000 */
	const char *ca_bundle;       /* NULL = AWS_CA_BUNDLE when set, else the system store */
	size_t max_body;             /* 0 = AWS_HTTP_BLOCKING_MAX_BODY */
	int no_proxy;                /* go direct (IMDS, container, loopback) */
};

/* Performs the exchange. FD_OK means a response arrived (any HTTP status, in *status);
 * transport failures are FD_EHTTP, timeouts FD_ETIMEOUT, an oversized body FD_EIO.
 * Messages name the method and URL without its query. */
enum fd_status aws_http_blocking(const struct aws_http_simple *req, long *status,
				 struct fd_buf *body, struct fd_err *err);

#endif
