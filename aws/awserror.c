/* awserror.c - one error shape for every AWS protocol. Reads awsJson __type,
 * awsQueryCompatible x-amzn-query-error, restJson x-amzn-ErrorType / body code, and
 * query XML <Error>; says plainly when an answer is not AWS-shaped at all (an HTML
 * page from a proxy, an empty or truncated body). Everything read here came from the
 * network, so it is capped and stripped of control characters on the way in. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/sanitize.h"
#include "http_int.h"

/* botocore retries/standard.py and special.py: throttling codes. */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
};

/* Transient service-side codes worth another attempt. */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
};

static int
in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	if (!code)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

int
aws_error_code_is_throttle(const char *code)
{
	return in_list(code, throttle_codes, FD_ARRAY_LEN(throttle_codes));
}

int
aws_error_code_is_transient(const char *code)
{
	return in_list(code, transient_codes, FD_ARRAY_LEN(transient_codes));
}

static int
is_control_seq(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0; /* C1 controls U+0080..U+009F */
}

void
aws_text_copy(char *dst, size_t cap, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	if (!cap)
		return;
	while (i < n && s[i]) {
		size_t len = fd_utf8_len(s + i, n - i);
		if (len == 0 || is_control_seq(s + i, len)) {
			if (o + 1 >= cap)
				break;
			dst[o++] = len ? ' ' : '?';
			i += len ? len : 1;
			continue;
		}
		if (o + len >= cap)
			break;
		memcpy(dst + o, s + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

static const char *
skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Case-insensitive search for needle in [s, end). */
static const char *
find_ci(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; s && (size_t)(end - s) >= n; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/* Text of the first <tag>...</tag> in [s, end), entities decoded. */
static int
xml_tag_text(const char *s, const char *end, const char *tag, char *out, size_t cap)
{
	char open[48], close[48];
	const char *a, *b;
	struct fd_buf t;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = find_ci(s, end, open);
	if (!a)
		return 0;
	a += strlen(open);
	b = find_ci(a, end, close);
	if (!b)
		return 0;
	fd_buf_init(&t);
	aws_xml_unescape(a, (size_t)(b - a), &t);
	aws_text_copy(out, cap, t.data ? t.data : "", t.len);
	fd_buf_free(&t);
	return 1;
}

static const struct {
	const char *ent;
	char c;
} xml_entities[] = {
    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
};

void
aws_xml_unescape(const char *s, size_t n, struct fd_buf *out)
{
	size_t i = 0, k;

	fd_buf_reserve(out, n);
	while (i < n) {
		if (s[i] == '&') {
			for (k = 0; k < FD_ARRAY_LEN(xml_entities); k++) {
				size_t el = strlen(xml_entities[k].ent);
				if (n - i >= el && memcmp(s + i, xml_entities[k].ent, el) == 0)
					break;
			}
			if (k < FD_ARRAY_LEN(xml_entities)) {
				fd_buf_putc(out, xml_entities[k].c);
				i += strlen(xml_entities[k].ent);
				continue;
			}
		}
		fd_buf_putc(out, s[i++]);
	}
}

/* "aws.protocoltests#FooError:http://..." -> "FooError". */
static void
set_code(struct aws_error *e, const char *raw, size_t n)
{
	const char *end = raw + n, *colon = memchr(raw, ':', n), *p;

	if (colon)
		end = colon;
	for (p = end; p > raw; p--)
		if (p[-1] == '#')
			break;
	p = skip_space(p, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	aws_text_copy(e->code, sizeof(e->code), p, (size_t)(end - p));
}

static const char *
json_str(const cJSON *o, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
		if (cJSON_IsString(v) && v->valuestring)
			return v->valuestring;
	}
	return NULL;
}

static int
is_fault_word(const char *s)
{
	return !strcmp(s, "User") || !strcmp(s, "Service") || !strcmp(s, "Sender") ||
	       !strcmp(s, "Receiver") || !strcmp(s, "Client") || !strcmp(s, "Server");
}

/* JSON body of awsJson and restJson errors. Returns 1 when it parsed as an object. */
static int
parse_json_body(struct aws_error *e, const char *body, size_t len)
{
	static const char *const code_keys[] = {"__type", "code", "Code"};
	static const char *const msg_keys[] = {"message", "Message", "errorMessage"};
	cJSON *root = cJSON_ParseWithLength(body, len);
	const char *code, *msg;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return 0;
	}
	code = json_str(root, code_keys, FD_ARRAY_LEN(code_keys));
	if (!code) {
		static const char *const type_key[] = {"Type"};
		code = json_str(root, type_key, 1);
		if (code && is_fault_word(code))
			code = NULL;
	}
	if (code && !e->code[0])
		set_code(e, code, strlen(code));
	msg = json_str(root, msg_keys, FD_ARRAY_LEN(msg_keys));
	if (msg)
		aws_text_copy(e->message, sizeof(e->message), msg, strlen(msg));
	cJSON_Delete(root);
	return 1;
}

static int
parse_xml_body(struct aws_error *e, const char *body, size_t len)
{
	const char *end = body + len, *err = find_ci(body, end, "<Error>");

	if (!e->request_id[0])
		xml_tag_text(body, end, "RequestId", e->request_id, sizeof(e->request_id));
	if (!err)
		return 0;
	if (!xml_tag_text(err, end, "Code", e->code, sizeof(e->code)))
		return 0;
	xml_tag_text(err, end, "Message", e->message, sizeof(e->message));
	return 1;
}

static int
looks_like_html(const char *body, size_t len)
{
	const char *end = body + FD_MIN(len, 1024), *p = skip_space(body, end);

	if (p >= end || *p != '<')
		return 0;
	return find_ci(p, end, "<html") || find_ci(p, end, "<!doctype html") ||
	       find_ci(p, end, "<body") || find_ci(p, end, "<title");
}

static void
describe_html(struct aws_error *e, const char *body, size_t len)
{
	char title[160] = "";

	xml_tag_text(body, body + len, "title", title, sizeof(title));
	if (title[0])
		snprintf(e->message, sizeof(e->message), "HTTP %ld with an HTML page (\"%s\")",
		         e->http_status, title);
	else
		snprintf(e->message, sizeof(e->message), "HTTP %ld with an HTML page",
		         e->http_status);
}

/* Not AWS-shaped: say what arrived instead of guessing. */
static void
describe_body(struct aws_error *e, enum aws_protocol proto, const char *body, size_t len)
{
	const char *p = skip_space(body, body + len);
	char snippet[100];

	if (p == body + len) {
		snprintf(e->message, sizeof(e->message), "HTTP %ld with an empty body",
		         e->http_status);
	} else if (looks_like_html(body, len)) {
		describe_html(e, body, len);
	} else if (proto != AWS_PROTO_QUERY && (*p == '{' || *p == '[')) {
		snprintf(e->message, sizeof(e->message),
		         "HTTP %ld with a malformed or truncated JSON body (%zu bytes)",
		         e->http_status, len);
	} else {
		aws_text_copy(snippet, sizeof(snippet), p, (size_t)(body + len - p));
		snprintf(e->message, sizeof(e->message),
		         "HTTP %ld with an unexpected body (%zu bytes): %s", e->http_status, len,
		         snippet);
	}
}

static long
parse_long(const char *s, long max)
{
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	return v > max ? max : v;
}

static void
header_facts(struct aws_error *e, const struct aws_kv *h, size_t nh)
{
	static const char *const id_names[] = {"x-amzn-RequestId", "x-amz-request-id",
	                                       "x-amz-id-2"};
	long ms = parse_long(aws_kv_find(h, nh, "x-amz-retry-after"), 86400000L);
	long s = parse_long(aws_kv_find(h, nh, "Retry-After"), 86400L);
	size_t i;

	e->retry_after_ms = ms >= 0 ? ms : s >= 0 ? s * 1000 : -1;
	for (i = 0; i < FD_ARRAY_LEN(id_names) && !e->request_id[0]; i++) {
		const char *v = aws_kv_find(h, nh, id_names[i]);
		if (v)
			aws_text_copy(e->request_id, sizeof(e->request_id), v, strlen(v));
	}
}

/* Code from the protocol's header, if it has one. */
static void
header_code(struct aws_error *e, const struct aws_service *s, const struct aws_kv *h, size_t nh)
{
	const char *v;

	if (s->protocol == AWS_PROTO_REST_JSON) {
		v = aws_kv_find(h, nh, "x-amzn-ErrorType");
		if (v && *v)
			set_code(e, v, strlen(v));
	} else if (s->query_mode) {
		v = aws_kv_find(h, nh, "x-amzn-query-error");
		if (v && *v)
			aws_text_copy(e->code, sizeof(e->code), v, strcspn(v, ";"));
	}
}

static int
parse_body(struct aws_error *e, const struct aws_service *s, const char *body, size_t len)
{
	if (!len)
		return 0;
	if (s->protocol == AWS_PROTO_QUERY)
		return parse_xml_body(e, body, len);
	return parse_json_body(e, body, len);
}

static void
classify(struct aws_error *e)
{
	long st = e->http_status;

	e->throttled = aws_error_code_is_throttle(e->code) || st == 429;
	e->retryable = e->throttled || aws_error_code_is_transient(e->code) || st == 500 ||
	               st == 502 || st == 503 || st == 504;
}

void
aws_error_parse(enum aws_service_id svc, const char *op, long http_status,
                const struct aws_kv *headers, size_t nheaders, const char *body, size_t len,
                struct aws_error *e)
{
	const struct aws_service *s = aws_service_get(svc);
	int shaped;

	memset(e, 0, sizeof(*e));
	e->status = FD_EAWS;
	e->http_status = http_status;
	fd_strlcpy(e->service, s->service_id, sizeof(e->service));
	fd_strlcpy(e->op, op ? op : "", sizeof(e->op));
	if (!body)
		len = 0;
	header_facts(e, headers, nheaders);
	header_code(e, s, headers, nheaders);
	shaped = parse_body(e, s, body, len);
	if (!e->code[0] && shaped && s->protocol != AWS_PROTO_QUERY)
		snprintf(e->code, sizeof(e->code), "HTTP%ld", http_status);
	if (!e->code[0]) {
		fd_strlcpy(e->code, "InvalidResponse", sizeof(e->code));
		e->status = FD_EHTTP;
		describe_body(e, s->protocol, body ? body : "", len);
	} else if (!e->message[0] && !shaped && len) {
		describe_body(e, s->protocol, body, len);
	}
	classify(e);
}

void
aws_error_format(const struct aws_error *e, char *out, size_t n)
{
	char code[sizeof(e->code)], msg[sizeof(e->message)], svc[sizeof(e->service)],
	    op[sizeof(e->op)];

	aws_text_copy(svc, sizeof(svc), e->service, strnlen(e->service, sizeof(e->service)));
	aws_text_copy(op, sizeof(op), e->op, strnlen(e->op, sizeof(e->op)));
	aws_text_copy(code, sizeof(code), e->code, strnlen(e->code, sizeof(e->code)));
	aws_text_copy(msg, sizeof(msg), e->message, strnlen(e->message, sizeof(e->message)));
	if (!code[0])
		fd_strlcpy(code, e->status == FD_OK ? "OK" : fd_status_str(e->status),
		           sizeof(code));
	if (msg[0])
		snprintf(out, n, "%s.%s: %s: %s", svc, op, code, msg);
	else
		snprintf(out, n, "%s.%s: %s", svc, op, code);
}

int
aws_body_well_formed(enum aws_service_id svc, const char *body, size_t len)
{
	const struct aws_service *s = aws_service_get(svc);
	cJSON *root;

	if (!len || s->protocol == AWS_PROTO_REST_JSON)
		return 1;
	if (s->protocol == AWS_PROTO_QUERY) {
		const char *p = skip_space(body, body + len);
		return p < body + len && *p == '<' && !looks_like_html(body, len);
	}
	root = cJSON_ParseWithLength(body, len);
	if (!root)
		return 0;
	cJSON_Delete(root);
	return 1;
}
