/* http_blocking.c - a single blocking curl_easy exchange (see http_blocking.h). */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/http_blocking.h"

struct sink {
	struct fd_buf *body;
	size_t max;
	int overflow;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *ud)
{
	struct sink *k = ud;
	size_t len = size * n;

	if (k->body->len + len > k->max) {
		k->overflow = 1;
		return 0;
	}
	fd_buf_append(k->body, data, len);
	return len;
}

/* The URL without query or fragment, for error messages. */
static void
url_for_message(const char *url, char *out, size_t n)
{
	size_t len = strcspn(url, "?#");

	fd_strlcpy(out, url, FD_MIN(n, len + 1));
}

static void
wipe_headers(struct curl_slist *h)
{
	struct curl_slist *p;

	for (p = h; p; p = p->next)
		fd_secure_wipe(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static struct curl_slist *
build_headers(const struct aws_http_simple *req)
{
	struct curl_slist *h = NULL, *next;
	size_t i;

	/* Without this curl adds "Expect: 100-continue" to larger bodies. */
	h = curl_slist_append(h, "Expect:");
	for (i = 0; h && i < req->nheaders; i++) {
		next = curl_slist_append(h, req->headers[i]);
		if (!next)
			fd_fatal("out of memory (curl header list)");
		h = next;
	}
	if (!h)
		fd_fatal("out of memory (curl header list)");
	return h;
}

static void
set_options(CURL *c, const struct aws_http_simple *req, struct curl_slist *h, struct sink *k)
{
	const char *method = req->method ? req->method : "GET";
	const char *ca = req->ca_bundle ? req->ca_bundle : getenv("AWS_CA_BUNDLE");

	curl_easy_setopt(c, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (req->no_proxy)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 3000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "fleetdeck/" FD_VERSION);
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
}

static enum fd_status
result_status(CURLcode rc, const struct sink *k, const struct aws_http_simple *req,
              struct fd_err *err)
{
	char shown[256];

	url_for_message(req->url, shown, sizeof(shown));
	if (k->overflow)
		return fd_err_set(err, FD_EIO, "%s %s: response larger than %zu bytes",
		                  req->method ? req->method : "GET", shown, k->max);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return fd_err_set(err, FD_ETIMEOUT, "%s %s: timed out",
		                  req->method ? req->method : "GET", shown);
	return fd_err_set(err, FD_EHTTP, "%s %s: %s", req->method ? req->method : "GET", shown,
	                  curl_easy_strerror(rc));
}

enum fd_status
aws_http_blocking(const struct aws_http_simple *req, long *status, struct fd_buf *body,
                  struct fd_err *err)
{
	struct sink k = {body, req->max_body ? req->max_body : AWS_HTTP_BLOCKING_MAX_BODY, 0};
	struct curl_slist *h;
	enum fd_status st = FD_OK;
	CURLcode rc;
	CURL *c;

	*status = 0;
	if (!fd_str_starts(req->url, "http://") && !fd_str_starts(req->url, "https://"))
		return fd_err_set(err, FD_EINVAL, "only http and https URLs are supported");
	c = curl_easy_init();
	if (!c)
		return fd_err_set(err, FD_ENOMEM, "curl_easy_init failed");
	h = build_headers(req);
	set_options(c, req, h, &k);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		st = result_status(rc, &k, req, err);
	curl_easy_cleanup(c);
	wipe_headers(h);
	if (!body->data)
		fd_buf_reserve(body, 0);
	return st;
}
