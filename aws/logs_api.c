/* logs_api.c - CloudWatch Logs calls for the follow engine and Logs Insights:
 * FilterLogEvents, DescribeLogStreams, StartQuery/GetQueryResults/StopQuery.
 *
 * FilterLogEvents answers and Live Tail updates are read by a one-pass scanner that
 * builds no DOM: every string is unescaped once into a buffer reserved up front (an
 * unescaped JSON string is never longer than its source, so pointers stay valid),
 * and unknown members are skipped. It is the hot path of `logs tail`; the rarer
 * answers go through cJSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/logs.h"
#include "json_int.h"

#define JS_MAX_DEPTH 64
#define QUERY_MAX_ROWS 100000
#define QUERY_MAX_FIELDS 256

/* ---- request bodies ---- */

static void
json_str(struct fd_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	fd_buf_putc(b, '"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fd_buf_putc(b, '\\');
			fd_buf_putc(b, (char)*p);
		} else if (*p < 0x20) {
			char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			fd_buf_append(b, esc, sizeof(esc));
		} else {
			fd_buf_putc(b, (char)*p);
		}
	}
	fd_buf_putc(b, '"');
}

static void
json_key(struct fd_buf *b, const char *key)
{
	if (b->len > 1)
		fd_buf_putc(b, ',');
	json_str(b, key);
	fd_buf_putc(b, ':');
}

static void
json_kv_str(struct fd_buf *b, const char *key, const char *v)
{
	json_key(b, key);
	json_str(b, v);
}

static void
json_kv_int(struct fd_buf *b, const char *key, long long v)
{
	json_key(b, key);
	fd_buf_printf(b, "%lld", v);
}

static void
json_kv_list(struct fd_buf *b, const char *key, const char *const *v, size_t n)
{
	size_t i;

	json_key(b, key);
	fd_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			fd_buf_putc(b, ',');
		json_str(b, v[i]);
	}
	fd_buf_putc(b, ']');
}

static void
request_with_body(struct aws_request *r, const char *op, struct fd_buf *body)
{
	fd_buf_putc(body, '}');
	aws_request_init(r, AWS_SVC_LOGS, op);
	aws_request_json(r, body->data, body->len);
	fd_buf_free(body);
}

static void
group_member(struct fd_buf *b, const char *group)
{
	json_kv_str(b, fd_str_starts(group, "arn:") ? "logGroupIdentifier" : "logGroupName", group);
}

void
logs_filter_request(struct aws_request *r, const struct logs_filter_req *q)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_buf_putc(&b, '{');
	group_member(&b, q->group ? q->group : "");
	if (q->nstreams)
		json_kv_list(&b, "logStreamNames", q->streams, q->nstreams);
	if (q->start_ms > 0)
		json_kv_int(&b, "startTime", q->start_ms);
	if (q->end_ms > 0)
		json_kv_int(&b, "endTime", q->end_ms);
	if (q->pattern && *q->pattern)
		json_kv_str(&b, "filterPattern", q->pattern);
	if (q->next_token)
		json_kv_str(&b, "nextToken", q->next_token);
	if (q->limit > 0)
		json_kv_int(&b, "limit", q->limit);
	request_with_body(r, "FilterLogEvents", &b);
}

/* ---- the scanner ---- */

struct js {
	const char *p, *end, *start;
	char *out; /* write cursor into the reserved text buffer */
};

static const char empty[] = "";

static void
js_ws(struct js *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
js_lit(struct js *s, char c)
{
	js_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

static int
hex4(const char *p, const char *end, uint32_t *v)
{
	int i;

	*v = 0;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
		             : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
		                                    : 16u;
		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static char *
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xC0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*o++ = (char)(0xE0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	} else {
		*o++ = (char)(0xF0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3F));
		*o++ = (char)(0x80 | (c >> 6 & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	}
	return o;
}

/* \uXXXX (p after the 'u'), with surrogate pairs; a lone surrogate becomes U+FFFD. */
static const char *
js_unicode(const char *p, const char *end, char **o)
{
	uint32_t c, lo;

	if (hex4(p, end, &c) != 0)
		return NULL;
	p += 4;
	if (c >= 0xD800 && c <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
	    hex4(p + 2, end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
		c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	} else if (c >= 0xD800 && c <= 0xDFFF) {
		c = 0xFFFD;
	}
	*o = put_utf8(*o, c);
	return p;
}

static const char *
js_escape(const char *p, const char *end, char **o)
{
	char c;

	if (p >= end)
		return NULL;
	switch (*p) {
	case 'u':
		return js_unicode(p + 1, end, o);
	case 'n':
		c = '\n';
		break;
	case 't':
		c = '\t';
		break;
	case 'r':
		c = '\r';
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case '"':
	case '\\':
	case '/':
		c = *p;
		break;
	default:
		return NULL;
	}
	*(*o)++ = c;
	return p + 1;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when a byte of v is '"', '\\' or below 0x20 (the bytes a JSON string scan
 * must stop at), eight at a time. */
static uint64_t
special8(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return ((q - ONES) & ~q & HIGHS) | ((b - ONES) & ~b & HIGHS) |
	       ((v - ONES * 0x20) & ~v & HIGHS);
}

/* Length of the plain run at p: bytes that need no unescaping. */
static size_t
plain_run(const char *p, const char *end)
{
	const char *q = p;
	uint64_t v;

	while (end - q >= 8) {
		memcpy(&v, q, 8);
		if (special8(v))
			break;
		q += 8;
	}
	while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	return (size_t)(q - p);
}

/* The string at s->p, unescaped to the cursor (NUL-terminated); -1 when malformed. */
static long
js_string(struct js *s, const char **str)
{
	const char *p;
	char *o = s->out;

	js_ws(s);
	p = s->p + 1;
	if (s->p >= s->end || *s->p != '"')
		return -1;
	while (p < s->end) {
		size_t run = plain_run(p, s->end);
		if (run < 16) {
			size_t i;
			for (i = 0; i < run; i++)
				o[i] = p[i];
		} else {
			memcpy(o, p, run);
		}
		o += run;
		p += run;
		if (p >= s->end || (unsigned char)*p < 0x20)
			return -1;
		if (*p == '"') {
			long n = (long)(o - s->out);
			*o = '\0';
			*str = s->out;
			s->out = o + 1;
			s->p = p + 1;
			return n;
		}
		p = js_escape(p + 1, s->end, &o);
		if (!p)
			return -1;
	}
	return -1;
}

static int js_skip(struct js *s, int depth);

static int
js_skip_members(struct js *s, int depth, char close, int keyed)
{
	char *mark = s->out;
	const char *k;

	if (js_lit(s, close))
		return 0;
	for (;;) {
		if (keyed && (js_string(s, &k) < 0 || !js_lit(s, ':')))
			return -1;
		s->out = mark;
		if (js_skip(s, depth + 1) != 0)
			return -1;
		if (js_lit(s, ','))
			continue;
		return js_lit(s, close) ? 0 : -1;
	}
}

static int
js_number(struct js *s, double *out)
{
	const char *p = s->p, *b = p;
	char tmp[64];

	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end || *p < '0' || *p > '9')
		return -1;
	while (p < s->end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
	                      *p == '+' || *p == '-'))
		p++;
	if ((size_t)(p - b) >= sizeof(tmp))
		return -1;
	memcpy(tmp, b, (size_t)(p - b));
	tmp[p - b] = '\0';
	*out = strtod(tmp, NULL);
	s->p = p;
	return 0;
}

static int
js_word(struct js *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int
js_skip(struct js *s, int depth)
{
	const char *str;
	double d;

	js_ws(s);
	if (s->p >= s->end || depth > JS_MAX_DEPTH)
		return -1;
	switch (*s->p) {
	case '"': {
		char *mark = s->out;
		long n = js_string(s, &str);
		s->out = mark;
		return n < 0 ? -1 : 0;
	}
	case '{':
		s->p++;
		return js_skip_members(s, depth, '}', 1);
	case '[':
		s->p++;
		return js_skip_members(s, depth, ']', 0);
	case 't':
		return js_word(s, "true");
	case 'f':
		return js_word(s, "false");
	case 'n':
		return js_word(s, "null");
	default:
		return js_number(s, &d);
	}
}

/* An integer member (ms timestamps); a non-number is skipped and reported absent.
 * Plain integers are read directly; anything else goes through strtod. */
static int
js_int64(struct js *s, int64_t *v, int *present)
{
	const char *p;
	int64_t n = 0;
	double d;

	js_ws(s);
	p = s->p;
	while (p < s->end && *p >= '0' && *p <= '9' && p - s->p < 16)
		n = n * 10 + (*p++ - '0');
	if (p > s->p && p < s->end && *p != '.' && *p != 'e' && *p != 'E' &&
	    !(*p >= '0' && *p <= '9') && !(*s->p == '0' && p - s->p > 1)) {
		s->p = p;
		*v = n;
		*present = 1;
		return 0;
	}
	if (s->p < s->end && (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))) {
		if (js_number(s, &d) != 0)
			return -1;
		if (isfinite(d) && fabs(d) < 9.0e15) {
			*v = (int64_t)d;
			*present = 1;
		}
		return 0;
	}
	return js_skip(s, 1);
}

static int
js_str_member(struct js *s, const char **v, size_t *len)
{
	long n;

	js_ws(s);
	if (s->p < s->end && *s->p == '"') {
		n = js_string(s, v);
		if (n < 0)
			return -1;
		*len = (size_t)n;
		return 0;
	}
	return js_skip(s, 1);
}

static int
event_member(struct js *s, const char *key, struct logs_event *e, int *have_ts)
{
	int ignored = 0;

	if (strcmp(key, "timestamp") == 0)
		return js_int64(s, &e->timestamp, have_ts);
	if (strcmp(key, "ingestionTime") == 0)
		return js_int64(s, &e->ingestion, &ignored);
	if (strcmp(key, "message") == 0)
		return js_str_member(s, &e->message, &e->message_len);
	if (strcmp(key, "logStreamName") == 0)
		return js_str_member(s, &e->stream, &e->stream_len);
	if (strcmp(key, "eventId") == 0)
		return js_str_member(s, &e->event_id, &e->event_id_len);
	if (strcmp(key, "logGroupIdentifier") == 0)
		return js_str_member(s, &e->group, &e->group_len);
	return js_skip(s, 1);
}

static void
events_push(struct logs_events *out, const struct logs_event *e)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 256;
		out->ev = fd_xreallocarray(out->ev, out->cap, sizeof(*out->ev));
	}
	out->ev[out->n++] = *e;
}

/* Reads one member key into the cursor area and gives it back (keys are not kept). */
static int
js_key(struct js *s, char *key, size_t cap)
{
	char *mark = s->out;
	const char *k;
	long n = js_string(s, &k);

	s->out = mark;
	if (n < 0 || !js_lit(s, ':'))
		return -1;
	fd_strlcpy(key, (size_t)n < cap ? k : "", cap);
	return 0;
}

static int
parse_event(struct js *s, struct logs_events *out)
{
	struct logs_event e = {0, 0, empty, 0, empty, 0, empty, 0, empty, 0};
	int have_ts = 0;
	char key[32];

	js_ws(s);
	if (s->p < s->end && *s->p != '{')
		return js_skip(s, 1);
	if (!js_lit(s, '{'))
		return -1;
	if (!js_lit(s, '}')) {
		for (;;) {
			if (js_key(s, key, sizeof(key)) != 0 || event_member(s, key, &e, &have_ts))
				return -1;
			if (js_lit(s, ','))
				continue;
			if (!js_lit(s, '}'))
				return -1;
			break;
		}
	}
	if (have_ts)
		events_push(out, &e);
	return 0;
}

static int
parse_event_array(struct js *s, struct logs_events *out)
{
	js_ws(s);
	if (s->p < s->end && *s->p != '[')
		return js_skip(s, 1);
	if (!js_lit(s, '['))
		return -1;
	if (js_lit(s, ']'))
		return 0;
	for (;;) {
		if (parse_event(s, out) != 0)
			return -1;
		if (js_lit(s, ','))
			continue;
		return js_lit(s, ']') ? 0 : -1;
	}
}

static int
parse_metadata(struct js *s, struct logs_events *out)
{
	char key[32];

	js_ws(s);
	if (s->p < s->end && *s->p != '{')
		return js_skip(s, 1);
	if (!js_lit(s, '{'))
		return -1;
	if (js_lit(s, '}'))
		return 0;
	for (;;) {
		if (js_key(s, key, sizeof(key)) != 0)
			return -1;
		js_ws(s);
		if (strcmp(key, "sampled") == 0 && js_word(s, "true") == 0)
			out->sampled = 1;
		else if (js_skip(s, 1) != 0)
			return -1;
		if (js_lit(s, ','))
			continue;
		return js_lit(s, '}') ? 0 : -1;
	}
}

static int
top_member(struct js *s, const char *key, struct logs_events *out)
{
	const char *tok;
	size_t n;

	if (strcmp(key, "events") == 0 || strcmp(key, "sessionResults") == 0)
		return parse_event_array(s, out);
	if (strcmp(key, "sessionMetadata") == 0)
		return parse_metadata(s, out);
	if (strcmp(key, "nextToken") == 0) {
		tok = NULL;
		if (js_str_member(s, &tok, &n) != 0)
			return -1;
		free(out->next_token);
		out->next_token = tok && n ? fd_xstrndup(tok, n) : NULL;
		return 0;
	}
	return js_skip(s, 1);
}

static int
parse_top(struct js *s, struct logs_events *out)
{
	char key[32];

	if (!js_lit(s, '{'))
		return -1;
	if (!js_lit(s, '}')) {
		for (;;) {
			if (js_key(s, key, sizeof(key)) != 0 || top_member(s, key, out) != 0)
				return -1;
			if (js_lit(s, ','))
				continue;
			if (!js_lit(s, '}'))
				return -1;
			break;
		}
	}
	js_ws(s);
	return s->p == s->end ? 0 : -1;
}

void
logs_events_init(struct logs_events *e)
{
	memset(e, 0, sizeof(*e));
	fd_buf_init(&e->text);
}

void
logs_events_reset(struct logs_events *e)
{
	e->n = 0;
	e->sampled = 0;
	fd_buf_reset(&e->text);
	free(e->next_token);
	e->next_token = NULL;
}

void
logs_events_free(struct logs_events *e)
{
	free(e->ev);
	fd_buf_free(&e->text);
	free(e->next_token);
	memset(e, 0, sizeof(*e));
}

static enum fd_status
parse_events(const char *what, const char *json, size_t len, struct logs_events *out,
             struct fd_err *err)
{
	struct js s;

	logs_events_reset(out);
	fd_buf_reserve(&out->text, len + 1);
	s.p = s.start = json ? json : empty;
	s.end = s.p + (json ? len : 0);
	s.out = out->text.data;
	if (parse_top(&s, out) != 0) {
		size_t at = (size_t)(s.p - s.start);
		logs_events_reset(out);
		return fd_err_set(err, FD_EPARSE,
		                  "%s: answer is not the expected JSON "
		                  "(%zu bytes, bad at byte %zu)",
		                  what, len, at);
	}
	out->text.len = (size_t)(s.out - out->text.data);
	out->text.data[out->text.len] = '\0';
	return FD_OK;
}

enum fd_status
logs_parse_filter_events(const char *json, size_t len, struct logs_events *out, struct fd_err *err)
{
	return parse_events("FilterLogEvents", json, len, out, err);
}

enum fd_status
logs_parse_live_update(const char *json, size_t len, struct logs_events *out, struct fd_err *err)
{
	return parse_events("StartLiveTail sessionUpdate", json, len, out, err);
}

/* ---- DescribeLogStreams ---- */

void
logs_describe_streams_request(struct aws_request *r, const char *group, const char *prefix,
                              int by_last_event, int limit, const char *token)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_buf_putc(&b, '{');
	group_member(&b, group ? group : "");
	if (by_last_event) {
		json_kv_str(&b, "orderBy", "LastEventTime");
		json_key(&b, "descending");
		fd_buf_puts(&b, "true");
	} else if (prefix && *prefix) {
		json_kv_str(&b, "logStreamNamePrefix", prefix);
	}
	if (limit > 0)
		json_kv_int(&b, "limit", FD_MIN(limit, 50));
	if (token)
		json_kv_str(&b, "nextToken", token);
	request_with_body(r, "DescribeLogStreams", &b);
}

static int64_t
jms(const cJSON *o, const char *key)
{
	double d = cj_num(o, key, 0.0);

	return d > 0 && d < 9.0e15 ? (int64_t)d : 0;
}

enum fd_status
logs_parse_describe_streams(const char *json, size_t len, struct logs_stream_info **out, size_t *n,
                            char **next_token, struct fd_err *err)
{
	cJSON *doc = cj_parse_object("DescribeLogStreams", json, len, err);
	const cJSON *list, *it;
	const char *tok;
	int count;

	*out = NULL;
	*n = 0;
	if (next_token)
		*next_token = NULL;
	if (!doc)
		return FD_EPARSE;
	list = cj_member(doc, "logStreams");
	if (!cJSON_IsArray(list))
		list = NULL;
	count = cJSON_GetArraySize(list);
	*out = count > 0 ? fd_xcalloc((size_t)count, sizeof(**out)) : NULL;
	cJSON_ArrayForEach(it, list)
	{
		struct logs_stream_info *s;
		if (!cj_str(it, "logStreamName"))
			continue;
		s = &(*out)[(*n)++];
		s->name = fd_xstrdup(cj_str(it, "logStreamName"));
		s->created_ms = jms(it, "creationTime");
		s->first_ms = jms(it, "firstEventTimestamp");
		s->last_ms = jms(it, "lastEventTimestamp");
		s->last_ingest_ms = jms(it, "lastIngestionTime");
	}
	tok = cj_str(doc, "nextToken");
	if (next_token && tok && *tok)
		*next_token = fd_xstrdup(tok);
	cJSON_Delete(doc);
	return FD_OK;
}

void
logs_streams_free(struct logs_stream_info *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i].name);
	free(s);
}
