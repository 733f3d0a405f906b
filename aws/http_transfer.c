/* http_transfer.c - one attempt of a call as a curl easy handle: endpoint, SigV4
 * signature over exactly the headers sent, TLS settings, capped body and header
 * capture, and the attempt's outcome as an aws_error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/endpoint.h"
#include "fleetdeck/sigv4.h"
#include "http_int.h"

static void
slist_secure_free(struct curl_slist *l)
{
	struct curl_slist *p;

	/* The list holds Authorization and X-Amz-Security-Token / bearer values. */
	for (p = l; p; p = p->next)
		fd_secure_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

void
aws_transfer_free(struct aws_client *c, struct aws_transfer *x)
{
	if (!x)
		return;
	if (x->easy) {
		curl_multi_remove_handle(c->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	slist_secure_free(x->headers);
	aws_kv_free(x->rhdr, x->nrhdr);
	fd_buf_secure_free(&x->body);
	fd_buf_free(&x->chunk);
	free(x->url);
	free(x->wire_path);
	free(x);
}

static int
header_line(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist *n;
	char *line;

	line = fd_xasprintf("%s: %s", name, value);
	n = curl_slist_append(*l, line);
	fd_secure_free(line);
	if (!n)
		fd_fatal("out of memory (curl header list)");
	*l = n;
	return 1;
}

/* Credentials for signing, refreshed when they expire within five minutes. The refresh
 * blocks (STS/SSO/IMDS run synchronously); it happens at most once per credential
 * lifetime (an hour or more), which is acceptable until the chain grows an async path. */
static enum fd_status
fresh_creds(struct aws_client *c, struct fd_err *err)
{
	time_t now = fd_wall_now();
	struct aws_creds next;
	enum fd_status st;

	if (c->have_creds && !aws_creds_expiring(&c->creds, now, AWS_CREDS_REFRESH_MARGIN_S))
		return FD_OK;
	memset(&next, 0, sizeof(next));
	st = aws_creds_resolve(c->settings, &next, err);
	if (st != FD_OK) {
		aws_creds_free(&next);
		if (c->have_creds && !aws_creds_expiring(&c->creds, now, 0)) {
			fd_err_clear(err); /* keep using the old ones until they expire */
			return FD_OK;
		}
		fd_err_prefix(err, "no usable credentials");
		if (err)
			err->status = FD_ECREDS;
		return FD_ECREDS;
	}
	if (c->have_creds)
		aws_creds_free(&c->creds);
	c->creds = next;
	c->have_creds = 1;
	return FD_OK;
}

static struct sigv4_header *
signing_headers(const struct aws_request *r, const struct aws_endpoint *ep, size_t *n)
{
	struct sigv4_header *h = fd_xcalloc(r->nheaders + 1, sizeof(*h));
	size_t i;

	h[0].name = "host";
	h[0].value = ep->host;
	for (i = 0; i < r->nheaders; i++) {
		h[i + 1].name = r->headers[i].name;
		h[i + 1].value = r->headers[i].value;
	}
	*n = r->nheaders + 1;
	return h;
}

/* Adds X-Amz-Date, X-Amz-Security-Token and Authorization for the request as sent. */
static enum fd_status
sign(struct aws_client *c, struct aws_transfer *x, const struct aws_endpoint *ep,
     struct fd_err *err)
{
	const struct aws_request *r = &x->call->req;
	struct sigv4_input in;
	struct sigv4_output out;
	enum fd_status st = fresh_creds(c, err);

	if (st != FD_OK)
		return st;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.method = r->method;
	in.path = x->wire_path;
	in.query = r->query.len ? r->query.data : NULL;
	in.headers = signing_headers(r, ep, &in.nheaders);
	in.payload = r->body.data ? r->body.data : "";
	in.payload_len = r->body.len;
	in.region = ep->signing_region;
	in.service = aws_service_get(r->svc)->signing_name;
	in.access_key = c->creds.access_key;
	in.secret_key = c->creds.secret_key;
	in.session_token = c->creds.session_token;
	in.now = sigv4_clock();
	st = sigv4_sign(&in, &out, err);
	if (st == FD_OK) {
		header_line(&x->headers, "X-Amz-Date", out.amz_date);
		if (c->creds.session_token && *c->creds.session_token)
			header_line(&x->headers, "X-Amz-Security-Token", c->creds.session_token);
		header_line(&x->headers, "Authorization", out.authorization.data);
	}
	free((void *)in.headers);
	sigv4_output_free(&out);
	return st;
}

static enum fd_status
build_headers(struct aws_client *c, struct aws_transfer *x, const struct aws_endpoint *ep,
              struct fd_err *err)
{
	const struct aws_request *r = &x->call->req;
	size_t i;

	/* Host is sent exactly as signed, whatever curl would derive from the URL. */
	header_line(&x->headers, "Host", ep->host);
	for (i = 0; i < r->nheaders; i++) {
		const char *v = r->headers[i].value;
		if (strpbrk(r->headers[i].name, "\r\n:") || strpbrk(v, "\r\n"))
			return fd_err_set(err, FD_EINVAL, "header %s: line breaks are not allowed",
			                  r->headers[i].name);
		header_line(&x->headers, r->headers[i].name, v);
	}
	/* No unsigned extras: curl's default form Content-Type and Expect: 100-continue. */
	if (!aws_kv_find(r->headers, r->nheaders, "Content-Type"))
		x->headers = curl_slist_append(x->headers, "Content-Type:");
	x->headers = curl_slist_append(x->headers, "Expect:");
	if (!x->headers)
		fd_fatal("out of memory (curl header list)");
	if (r->unsigned_request)
		return FD_OK;
	return sign(c, x, ep, err);
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct aws_transfer *x = ud;
	struct fd_buf *dst = &x->body;
	size_t len = size * n;

	if (x->call->req.stream) {
		long code = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			dst = &x->chunk; /* delivered to on_chunk after curl returns */
			x->streamed = 1;
		}
	}
	if (len > x->max_body || dst->len > x->max_body - len) {
		x->too_big = 1;
		return 0;
	}
	fd_buf_append(dst, p, len);
	return len;
}

static char *
trimmed_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return fd_xstrndup(s, n);
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct aws_transfer *x = ud;
	size_t len = size * n;
	const char *colon;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after 100 Continue or a redirect): start over. */
		aws_kv_free(x->rhdr, x->nrhdr);
		x->rhdr = NULL;
		x->nrhdr = x->rhdr_bytes = 0;
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon || x->nrhdr >= AWS_MAX_HEADERS || x->rhdr_bytes + len > AWS_MAX_HEADER_BYTES)
		return len;
	x->rhdr = fd_xreallocarray(x->rhdr, x->nrhdr + 1, sizeof(*x->rhdr));
	x->rhdr[x->nrhdr].name = trimmed_dup(p, (size_t)(colon - p));
	x->rhdr[x->nrhdr].value = trimmed_dup(colon + 1, len - (size_t)(colon - p) - 1);
	x->nrhdr++;
	x->rhdr_bytes += len;
	return len;
}

static void
set_method(CURL *h, const struct aws_request *r)
{
	if (strcmp(r->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		return;
	}
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body.data ? r->body.data : "");
	if (strcmp(r->method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
}

static const char *
ca_bundle(const struct aws_client *c)
{
	const char *env = getenv("AWS_CA_BUNDLE");

	if (c->settings && c->settings->ca_bundle && *c->settings->ca_bundle)
		return c->settings->ca_bundle;
	return env && *env ? env : NULL;
}

static void
easy_setup(struct aws_client *c, struct aws_transfer *x)
{
	const struct aws_request *r = &x->call->req;
	long timeout = r->timeout_ms > 0 ? r->timeout_ms : r->stream ? 0 : c->opts.timeout_ms;
	CURL *h = x->easy;

	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, (void *)x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	/* Peer verification is never turned off; a private CA comes in as a bundle. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_bundle(c))
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_bundle(c));
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	set_method(h, r);
}

static void
set_url(struct aws_transfer *x, const struct aws_endpoint *ep)
{
	const struct aws_request *r = &x->call->req;

	x->wire_path = fd_xasprintf("%s%s", ep->base_path, r->path.data ? r->path.data : "/");
	x->url = fd_xasprintf("%s%s%s%s", ep->url, r->path.data ? r->path.data : "/",
	                      r->query.len ? "?" : "", r->query.len ? r->query.data : "");
}

enum fd_status
aws_transfer_start(struct aws_client *c, struct aws_call *call, struct fd_err *err)
{
	struct aws_transfer *x = fd_xcalloc(1, sizeof(*x));
	struct aws_endpoint ep;
	enum fd_status st;

	x->call = call;
	x->start_ms = fd_now_ms();
	x->max_body = c->opts.max_body;
	memset(&ep, 0, sizeof(ep));
	st = aws_endpoint_resolve(c->settings, call->req.svc, call->req.host_prefix, &ep, err);
	if (st != FD_OK)
		goto out;
	set_url(x, &ep);
	st = build_headers(c, x, &ep, err);
	if (st != FD_OK)
		goto out;
	x->easy = curl_easy_init();
	if (!x->easy) {
		st = fd_err_set(err, FD_EHTTP, "cannot create a curl handle");
		goto out;
	}
	easy_setup(c, x);
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		st = fd_err_set(err, FD_EHTTP, "cannot add a curl transfer");
		goto out;
	}
	call->xfer = x;
	return FD_OK;
out:
	if (x->easy) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	aws_transfer_free(c, x);
	return st;
}

static int
curl_code_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int
curl_code_tls(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
	       rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ISSUER_ERROR;
}

static void
network_error(const struct aws_transfer *x, CURLcode rc, struct aws_error *e)
{
	char msg[sizeof(e->message)];

	e->status = FD_EHTTP;
	if (x->too_big) {
		fd_strlcpy(e->code, "ResponseTooLarge", sizeof(e->code));
		snprintf(e->message, sizeof(e->message),
		         "the answer is larger than the %zu-byte cap", x->max_body);
		return;
	}
	fd_strlcpy(e->code, "ConnectionError", sizeof(e->code));
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		e->status = FD_ETIMEOUT;
		fd_strlcpy(e->code, "Timeout", sizeof(e->code));
	} else if (curl_code_tls(rc)) {
		fd_strlcpy(e->code, "TLSError", sizeof(e->code));
	}
	snprintf(msg, sizeof(msg), "%s%s%s%s", curl_easy_strerror(rc), x->errbuf[0] ? " (" : "",
	         x->errbuf, x->errbuf[0] ? ")" : "");
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
		         "; a private CA needs AWS_CA_BUNDLE or ca_bundle");
	aws_text_copy(e->message, sizeof(e->message), msg, strlen(msg));
	e->retryable = curl_code_retryable(rc);
}

void
aws_transfer_outcome(struct aws_transfer *x, CURLcode rc, struct aws_error *e)
{
	const struct aws_request *r = &x->call->req;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || x->too_big) {
		memset(e, 0, sizeof(*e));
		fd_strlcpy(e->service, aws_service_get(r->svc)->service_id, sizeof(e->service));
		fd_strlcpy(e->op, r->op ? r->op : "", sizeof(e->op));
		e->http_status = status;
		e->retry_after_ms = -1;
		network_error(x, rc, e);
		return;
	}
	if (status >= 200 && status < 300 &&
	    (r->stream || aws_body_well_formed(r->svc, x->body.data, x->body.len))) {
		memset(e, 0, sizeof(*e));
		fd_strlcpy(e->service, aws_service_get(r->svc)->service_id, sizeof(e->service));
		fd_strlcpy(e->op, r->op ? r->op : "", sizeof(e->op));
		e->status = FD_OK;
		e->http_status = status;
		e->retry_after_ms = -1;
		return;
	}
	aws_error_parse(r->svc, r->op, status, x->rhdr, x->nrhdr, x->body.data, x->body.len, e);
}

/* Path and query for the log, with anything signature-like in a query elided. */
static void
debug_target(const struct aws_transfer *x, struct fd_buf *out)
{
	static const char *const secret_params[] = {
	    "X-Amz-Security-Token=", "X-Amz-Signature=", "X-Amz-Credential="};
	const struct aws_request *r = &x->call->req;
	const char *q = r->query.data;
	size_t i;

	fd_buf_puts(out, x->wire_path);
	if (!r->query.len)
		return;
	fd_buf_putc(out, '?');
	for (i = 0; i < FD_ARRAY_LEN(secret_params); i++)
		if (strstr(q, secret_params[i])) {
			fd_buf_puts(out, "(elided)");
			return;
		}
	fd_buf_puts(out, q);
}

void
aws_debug_attempt(struct aws_client *c, const struct aws_transfer *x, const struct aws_error *e,
                  const char *why, long delay_ms)
{
	FILE *f = c->opts.debug_http;
	int64_t now = fd_wall_now_ms();
	char ts[21], code[sizeof(e->code)];
	struct fd_buf target;

	if (!f)
		return;
	fd_format_iso8601((time_t)(now / 1000), ts);
	ts[19] = '\0'; /* drop the 'Z'; milliseconds follow */
	fd_buf_init(&target);
	debug_target(x, &target);
	aws_text_copy(code, sizeof(code), e->code, strlen(e->code));
	fprintf(f, "%s.%03dZ %s.%s %s %s %ld %lldms attempt=%d", ts, (int)(now % 1000), e->service,
	        e->op, x->call->req.method, target.data, e->http_status,
	        (long long)(fd_now_ms() - x->start_ms), x->call->rs.attempts);
	if (delay_ms >= 0)
		fprintf(f, " retry=\"%s\" delay=%ldms", why, delay_ms);
	else if (e->status != FD_OK)
		fprintf(f, " retry=no(\"%s\")", why);
	fprintf(f, " error=%s\n", e->status == FD_OK ? "-" : code[0] ? code : "?");
	fflush(f);
	fd_buf_free(&target);
}
