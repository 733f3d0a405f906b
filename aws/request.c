/* request.c - building AWS requests per wire protocol (restJson, awsJson 1.0/1.1,
 * awsQuery) and reading responses. No network here: http.c sends what this builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"

void
aws_request_init(struct aws_request *r, enum aws_service_id svc, const char *op)
{
	memset(r, 0, sizeof(*r));
	r->svc = svc;
	r->op = op;
	fd_buf_init(&r->path);
	fd_buf_init(&r->query);
	fd_buf_init(&r->body);
}

void
aws_kv_free(struct aws_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		/* Header values can be bearer or session tokens. */
		fd_secure_free(kv[i].value);
	}
	free(kv);
}

void
aws_request_free(struct aws_request *r)
{
	fd_buf_free(&r->path);
	fd_buf_free(&r->query);
	/* Bodies can carry secrets (OIDC refresh tokens, web identity tokens). */
	fd_buf_secure_free(&r->body);
	aws_kv_free(r->headers, r->nheaders);
	r->headers = NULL;
	r->nheaders = 0;
}

const char *
aws_kv_find(const struct aws_kv *kv, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd_str_case_eq(kv[i].name, name))
			return kv[i].value;
	return NULL;
}

static void
remove_header(struct aws_request *r, size_t i)
{
	free(r->headers[i].name);
	fd_secure_free(r->headers[i].value);
	memmove(&r->headers[i], &r->headers[i + 1], (r->nheaders - i - 1) * sizeof(r->headers[0]));
	r->nheaders--;
}

void
aws_request_header(struct aws_request *r, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (!fd_str_case_eq(r->headers[i].name, name))
			continue;
		if (!value) {
			remove_header(r, i);
			return;
		}
		fd_secure_free(r->headers[i].value);
		r->headers[i].value = fd_xstrdup(value);
		return;
	}
	if (!value)
		return;
	r->headers = fd_xreallocarray(r->headers, r->nheaders + 1, sizeof(r->headers[0]));
	r->headers[r->nheaders].name = fd_xstrdup(name);
	r->headers[r->nheaders].value = fd_xstrdup(value);
	r->nheaders++;
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

void
aws_percent_encode(const char *s, size_t n, struct fd_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	fd_buf_reserve(out, n * 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c)) {
			out->data[out->len++] = (char)c;
			continue;
		}
		out->data[out->len++] = '%';
		out->data[out->len++] = hex[c >> 4];
		out->data[out->len++] = hex[c & 15];
	}
	out->data[out->len] = '\0';
}

static void
append_pair(struct fd_buf *b, const char *key, const char *value)
{
	if (b->len)
		fd_buf_putc(b, '&');
	aws_percent_encode(key, strlen(key), b);
	fd_buf_putc(b, '=');
	if (value)
		aws_percent_encode(value, strlen(value), b);
}

void
aws_request_query(struct aws_request *r, const char *key, const char *value)
{
	append_pair(&r->query, key, value);
}

void
aws_request_path(struct aws_request *r, const char *literal)
{
	fd_buf_puts(&r->path, literal);
}

void
aws_request_path_segment(struct aws_request *r, const char *segment)
{
	aws_percent_encode(segment, strlen(segment), &r->path);
}

static void
json_protocol_headers(struct aws_request *r, const struct aws_service *s)
{
	char target[160];

	snprintf(target, sizeof(target), "%s.%s", s->target_prefix ? s->target_prefix : "",
	         r->op ? r->op : "");
	aws_request_header(r, "X-Amz-Target", target);
	aws_request_header(r, "Content-Type",
	                   s->protocol == AWS_PROTO_JSON_1_0 ? "application/x-amz-json-1.0"
	                                                     : "application/x-amz-json-1.1");
	if (s->query_mode)
		aws_request_header(r, "x-amzn-query-mode", "true");
}

void
aws_request_json(struct aws_request *r, const char *json, size_t len)
{
	const struct aws_service *s = aws_service_get(r->svc);

	fd_buf_reset(&r->body);
	if (json)
		fd_buf_append(&r->body, json, len);
	if (s->protocol == AWS_PROTO_JSON_1_0 || s->protocol == AWS_PROTO_JSON_1_1) {
		/* awsJson always carries a JSON document, "{}" for no input. */
		if (!r->body.len)
			fd_buf_puts(&r->body, "{}");
		json_protocol_headers(r, s);
	} else if (r->body.len) {
		aws_request_header(r, "Content-Type", "application/json");
	}
}

void
aws_request_form(struct aws_request *r, const char *key, const char *value)
{
	const struct aws_service *s = aws_service_get(r->svc);

	if (!fd_str_starts(r->body.data ? r->body.data : "", "Action=")) {
		fd_buf_reset(&r->body);
		append_pair(&r->body, "Action", r->op ? r->op : "");
		append_pair(&r->body, "Version", s->api_version ? s->api_version : "");
		aws_request_header(r, "Content-Type",
		                   "application/x-www-form-urlencoded; charset=utf-8");
	}
	if (key)
		append_pair(&r->body, key, value);
}

void
aws_request_prepare(struct aws_request *r)
{
	const struct aws_service *s = aws_service_get(r->svc);

	if (!r->path.len)
		fd_buf_putc(&r->path, '/');
	switch (s->protocol) {
	case AWS_PROTO_JSON_1_0:
	case AWS_PROTO_JSON_1_1:
		if (!r->body.len)
			fd_buf_puts(&r->body, "{}");
		if (!aws_kv_find(r->headers, r->nheaders, "X-Amz-Target"))
			json_protocol_headers(r, s);
		break;
	case AWS_PROTO_QUERY:
		aws_request_form(r, NULL, NULL);
		break;
	case AWS_PROTO_REST_JSON:
		if (r->body.len && !aws_kv_find(r->headers, r->nheaders, "Content-Type"))
			aws_request_header(r, "Content-Type", "application/json");
		break;
	}
	if (!r->method)
		r->method = s->protocol == AWS_PROTO_REST_JSON && !r->body.len ? "GET" : "POST";
}

const char *
aws_response_header(const struct aws_response *r, const char *name)
{
	return aws_kv_find(r->headers, r->nheaders, name);
}

void
aws_response_free(struct aws_response *r)
{
	aws_kv_free(r->headers, r->nheaders);
	r->headers = NULL;
	r->nheaders = 0;
	/* STS and SSO answers hold credentials. */
	fd_buf_secure_free(&r->body);
}
