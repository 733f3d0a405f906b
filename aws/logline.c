/* logline.c - Lambda log event parser (text and JSON formats, Powertools). Text
 * lines are scanned in place without allocation; JSON objects go through cJSON. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/logline.h"

static const char *const level_names[] = {
#define FD_LVL_NAME(id, name) name,
	FD_LEVEL_LIST(FD_LVL_NAME)
#undef FD_LVL_NAME
};

const char *
fd_level_name(enum fd_level l)
{
	return (unsigned)l < FD_LVL_COUNT ? level_names[l] : "-";
}

enum fd_level
fd_level_parse(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum fd_level level;
	} names[] = {
		{"TRACE", FD_LVL_TRACE}, {"DEBUG", FD_LVL_DEBUG},   {"INFO", FD_LVL_INFO},
		{"WARN", FD_LVL_WARN},	 {"WARNING", FD_LVL_WARN}, {"ERROR", FD_LVL_ERROR},
		{"ERR", FD_LVL_ERROR},	 {"FATAL", FD_LVL_FATAL},  {"CRITICAL", FD_LVL_FATAL},
	};
	size_t i, j;

	for (i = 0; i < FD_ARRAY_LEN(names); i++) {
		if (strlen(names[i].name) != n)
			continue;
		for (j = 0; j < n; j++)
			if (toupper((unsigned char)s[j]) != names[i].name[j])
				break;
		if (j == n)
			return names[i].level;
	}
	return FD_LVL_NONE;
}

void
fd_logline_init(struct fd_logline *l)
{
	memset(l, 0, sizeof(*l));
	fd_buf_init(&l->msgbuf);
}

void
fd_logline_free(struct fd_logline *l)
{
	fd_buf_free(&l->msgbuf);
}

static void
reset(struct fd_logline *l)
{
	struct fd_buf keep = l->msgbuf;

	memset(l, 0, sizeof(*l));
	l->msgbuf = keep;
	fd_buf_reset(&l->msgbuf);
	l->cold_start = -1;
	l->report.duration_ms = l->report.billed_ms = l->report.init_ms = NAN;
	l->report.restore_ms = l->report.billed_restore_ms = NAN;
	l->report.memory_mb = l->report.max_memory_mb = NAN;
	l->report.sampled = -1;
}

static void
copy_span(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Finds "key" in [s, end) and returns a pointer just past it, or NULL. */
static const char *
find_after(const char *s, const char *end, const char *key)
{
	size_t k = strlen(key);

	while (s && (size_t)(end - s) >= k) {
		const char *hit = memchr(s, key[0], (size_t)(end - s));
		if (!hit || (size_t)(end - hit) < k)
			return NULL;
		if (memcmp(hit, key, k) == 0)
			return hit + k;
		s = hit + 1;
	}
	return NULL;
}

/* Value of a "Key: value" field ending at tab/newline/end. */
static size_t
field(const char *s, const char *end, const char *key, const char **val)
{
	const char *p = find_after(s, end, key), *q;

	if (!p)
		return 0;
	while (p < end && *p == ' ')
		p++;
	for (q = p; q < end && *q != '\t' && *q != '\n' && *q != '\r'; q++)
		;
	*val = p;
	return (size_t)(q - p);
}

static double
field_num(const char *s, const char *end, const char *key)
{
	const char *v;
	char tmp[32];
	size_t n = field(s, end, key, &v);
	char *stop;
	double d;

	if (!n || n >= sizeof(tmp))
		return NAN;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	d = strtod(tmp, &stop);
	return stop == tmp ? NAN : d;
}

static void
field_str(const char *s, const char *end, const char *key, char *out, size_t cap)
{
	const char *v;
	size_t n = field(s, end, key, &v);

	if (n)
		copy_span(out, cap, v, n);
}

/* "RequestId: <id>" up to whitespace. */
static void
request_id_field(const char *s, const char *end, char *out, size_t cap)
{
	const char *p = find_after(s, end, "RequestId: "), *q;

	if (!p)
		return;
	for (q = p; q < end && !isspace((unsigned char)*q); q++)
		;
	copy_span(out, cap, p, (size_t)(q - p));
}

static void
parse_report_text(const char *s, const char *end, struct fd_report *r)
{
	const char *xray;

	r->duration_ms = field_num(s, end, "\tDuration: ");
	if (isnan(r->duration_ms))
		r->duration_ms = field_num(s, end, " Duration: ");
	r->billed_ms = field_num(s, end, "Billed Duration: ");
	r->memory_mb = field_num(s, end, "Memory Size: ");
	r->max_memory_mb = field_num(s, end, "Max Memory Used: ");
	r->init_ms = field_num(s, end, "Init Duration: ");
	r->restore_ms = field_num(s, end, "\tRestore Duration: ");
	r->billed_restore_ms = field_num(s, end, "Billed Restore Duration: ");
	field_str(s, end, "Status: ", r->status, sizeof(r->status));
	field_str(s, end, "Error Type: ", r->error_type, sizeof(r->error_type));
	xray = find_after(s, end, "XRAY ");
	if (xray) {
		const char *v;
		size_t n;
		field_str(xray, end, "TraceId: ", r->trace_id, sizeof(r->trace_id));
		field_str(xray, end, "SegmentId: ", r->segment_id, sizeof(r->segment_id));
		n = field(xray, end, "Sampled: ", &v);
		if (n)
			r->sampled = n == 4 && memcmp(v, "true", 4) == 0;
	}
	if (!r->status[0])
		fd_strlcpy(r->status, "success", sizeof(r->status));
}

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* "<timestamp> <request id> Task timed out ...": the second space-separated word,
 * when it looks like a request id. */
static void
spaced_request_id(const char *s, const char *end, char *out, size_t cap)
{
	const char *p = memchr(s, ' ', (size_t)(end - s)), *q;

	if (!p || p - s < 20 || !isdigit((unsigned char)s[0]))
		return;
	for (q = ++p; q < end && *q != ' '; q++)
		;
	if (q - p >= 32 && (size_t)(q - p) < cap)
		copy_span(out, cap, p, (size_t)(q - p));
}

/* Text application line: "[LEVEL]\t<ts>\t<reqid>\t<msg>" (Python) or
 * "<ts>\t<reqid>\t<LEVEL>\t<msg>" (Node.js), else the whole line. */
static void
parse_app_text(const char *s, size_t len, struct fd_logline *l)
{
	const char *end = s + len, *f[4];
	size_t flen[4], nf = 0;
	const char *p = s;

	l->msg = s;
	l->msg_len = len;
	while (nf < 4 && p <= end) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		f[nf] = p;
		flen[nf] = tab && nf < 3 ? (size_t)(tab - p) : (size_t)(end - p);
		nf++;
		if (!tab || nf == 4)
			break;
		p = tab + 1;
	}
	if (nf >= 3 && flen[0] > 2 && f[0][0] == '[' && f[0][flen[0] - 1] == ']') {
		l->level = fd_level_parse(f[0] + 1, flen[0] - 2);
		if (flen[2] >= 32 && flen[2] < sizeof(l->request_id))
			copy_span(l->request_id, sizeof(l->request_id), f[2], flen[2]);
		l->msg = nf == 4 ? f[3] : f[2];
		l->msg_len = nf == 4 ? flen[3] : flen[2];
	} else if (nf == 4 && flen[0] >= 20 && isdigit((unsigned char)f[0][0])) {
		if (flen[1] >= 32 && flen[1] < sizeof(l->request_id))
			copy_span(l->request_id, sizeof(l->request_id), f[1], flen[1]);
		l->level = fd_level_parse(f[2], flen[2]);
		l->msg = f[3];
		l->msg_len = flen[3];
	} else if (nf == 3 && flen[0] >= 20 && isdigit((unsigned char)f[0][0])) {
		if (flen[1] >= 32 && flen[1] < sizeof(l->request_id))
			copy_span(l->request_id, sizeof(l->request_id), f[1], flen[1]);
		l->msg = f[2];
		l->msg_len = flen[2];
	}
	if (find_after(l->msg, l->msg + l->msg_len, "Task timed out after ")) {
		l->kind = FD_LINE_TIMEOUT;
		l->level = FD_LVL_ERROR;
		fd_strlcpy(l->report.status, "timeout", sizeof(l->report.status));
		if (!l->request_id[0])
			spaced_request_id(s, end, l->request_id, sizeof(l->request_id));
	}
	if (!l->request_id[0] && starts(s, len, "RequestId: ")) {
		/* "RequestId: <id> Error: Runtime exited with error: signal: killed" */
		request_id_field(s, end, l->request_id, sizeof(l->request_id));
		if (find_after(s, end, " Error: "))
			l->level = FD_LVL_ERROR;
	}
}

static void
parse_text(const char *s, size_t len, struct fd_logline *l)
{
	const char *end = s + len;

	if (starts(s, len, "REPORT RequestId: ")) {
		l->kind = FD_LINE_REPORT;
		request_id_field(s, end, l->request_id, sizeof(l->request_id));
		parse_report_text(s, end, &l->report);
	} else if (starts(s, len, "START RequestId: ")) {
		l->kind = FD_LINE_START;
		request_id_field(s, end, l->request_id, sizeof(l->request_id));
		field_str(s, end, " Version: ", l->version, sizeof(l->version));
	} else if (starts(s, len, "END RequestId: ")) {
		l->kind = FD_LINE_END;
		request_id_field(s, end, l->request_id, sizeof(l->request_id));
	} else if (starts(s, len, "INIT_START ")) {
		l->kind = FD_LINE_INIT_START;
		field_str(s, end, "Runtime Version: ", l->runtime_version,
			  sizeof(l->runtime_version));
	} else if (starts(s, len, "RESTORE_START ")) {
		/* SnapStart: the restore stands in for INIT. */
		l->kind = FD_LINE_INIT_START;
		fd_strlcpy(l->init_type, "snap-start", sizeof(l->init_type));
		field_str(s, end, "Runtime Version: ", l->runtime_version,
			  sizeof(l->runtime_version));
	} else if (starts(s, len, "RESTORE_REPORT ")) {
		l->kind = FD_LINE_INIT_REPORT;
		fd_strlcpy(l->init_type, "snap-start", sizeof(l->init_type));
		l->report.restore_ms = field_num(s, end, "Restore Duration: ");
		field_str(s, end, "Status: ", l->report.status, sizeof(l->report.status));
		field_str(s, end, "Error Type: ", l->report.error_type,
			  sizeof(l->report.error_type));
	} else if (starts(s, len, "INIT_REPORT ")) {
		l->kind = FD_LINE_INIT_REPORT;
		l->report.init_ms = field_num(s, end, "Init Duration: ");
		field_str(s, end, "Phase: ", l->phase, sizeof(l->phase));
		field_str(s, end, "Status: ", l->report.status, sizeof(l->report.status));
		field_str(s, end, "Error Type: ", l->report.error_type,
			  sizeof(l->report.error_type));
	} else {
		parse_app_text(s, len, l);
		return;
	}
	l->msg = s;
	l->msg_len = len;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void
jcopy(const cJSON *o, const char *key, char *out, size_t cap)
{
	const char *s = jstr(o, key);

	if (s)
		fd_strlcpy(out, s, cap);
}

/* "Root=1-abc;Parent=...;Sampled=1" -> trace id and sampled flag. */
static void
parse_trace_header(const char *v, struct fd_report *r)
{
	const char *root = strstr(v, "Root="), *sampled = strstr(v, "Sampled=");

	if (root) {
		size_t n = strcspn(root + 5, ";");
		copy_span(r->trace_id, sizeof(r->trace_id), root + 5, n);
	}
	if (sampled)
		r->sampled = sampled[8] == '1';
}

static void
parse_platform_json(const char *type, const cJSON *rec, struct fd_logline *l)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(rec, "metrics");
	const cJSON *tracing = cJSON_GetObjectItemCaseSensitive(rec, "tracing");

	jcopy(rec, "requestId", l->request_id, sizeof(l->request_id));
	if (strcmp(type, "platform.start") == 0) {
		l->kind = FD_LINE_START;
		jcopy(rec, "version", l->version, sizeof(l->version));
	} else if (strcmp(type, "platform.report") == 0) {
		l->kind = FD_LINE_REPORT;
		l->report.duration_ms = jnum(metrics, "durationMs");
		l->report.billed_ms = jnum(metrics, "billedDurationMs");
		l->report.memory_mb = jnum(metrics, "memorySizeMB");
		l->report.max_memory_mb = jnum(metrics, "maxMemoryUsedMB");
		l->report.init_ms = jnum(metrics, "initDurationMs");
		l->report.restore_ms = jnum(metrics, "restoreDurationMs");
		l->report.billed_restore_ms = jnum(metrics, "billedRestoreDurationMs");
		jcopy(rec, "status", l->report.status, sizeof(l->report.status));
		jcopy(rec, "errorType", l->report.error_type, sizeof(l->report.error_type));
	} else if (strcmp(type, "platform.initStart") == 0) {
		l->kind = FD_LINE_INIT_START;
		jcopy(rec, "initializationType", l->init_type, sizeof(l->init_type));
		jcopy(rec, "phase", l->phase, sizeof(l->phase));
		jcopy(rec, "runtimeVersion", l->runtime_version, sizeof(l->runtime_version));
	} else if (strcmp(type, "platform.initReport") == 0) {
		l->kind = FD_LINE_INIT_REPORT;
		l->report.init_ms = jnum(metrics, "durationMs");
		jcopy(rec, "initializationType", l->init_type, sizeof(l->init_type));
		jcopy(rec, "phase", l->phase, sizeof(l->phase));
		jcopy(rec, "status", l->report.status, sizeof(l->report.status));
		jcopy(rec, "errorType", l->report.error_type, sizeof(l->report.error_type));
	} else if (strcmp(type, "platform.runtimeDone") == 0) {
		l->kind = FD_LINE_RUNTIME_DONE;
		jcopy(rec, "status", l->report.status, sizeof(l->report.status));
		jcopy(rec, "errorType", l->report.error_type, sizeof(l->report.error_type));
		l->report.duration_ms = jnum(metrics, "durationMs");
	} else if (strcmp(type, "platform.restoreStart") == 0) {
		l->kind = FD_LINE_INIT_START;
		fd_strlcpy(l->init_type, "snap-start", sizeof(l->init_type));
		jcopy(rec, "runtimeVersion", l->runtime_version, sizeof(l->runtime_version));
	} else if (strcmp(type, "platform.restoreReport") == 0) {
		l->kind = FD_LINE_INIT_REPORT;
		fd_strlcpy(l->init_type, "snap-start", sizeof(l->init_type));
		l->report.restore_ms = jnum(metrics, "durationMs");
		jcopy(rec, "status", l->report.status, sizeof(l->report.status));
	} else {
		l->kind = FD_LINE_PLATFORM;
	}
	if (jstr(tracing, "value"))
		parse_trace_header(jstr(tracing, "value"), &l->report);
	if (strcmp(l->report.status, "timeout") == 0 || strcmp(l->report.status, "error") == 0 ||
	    strcmp(l->report.status, "failure") == 0)
		l->level = FD_LVL_ERROR;
}

static void
set_json_message(const cJSON *root, struct fd_logline *l, const char *line, size_t len)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
	const cJSON *exc = cJSON_GetObjectItemCaseSensitive(root, "exception");

	if (cJSON_IsString(m)) {
		fd_buf_puts(&l->msgbuf, m->valuestring);
	} else if (m && !cJSON_IsNull(m)) {
		char *t = cJSON_PrintUnformatted(m);
		if (t)
			fd_buf_puts(&l->msgbuf, t);
		cJSON_free(t);
	} else {
		fd_buf_append(&l->msgbuf, line, len);
	}
	if (cJSON_IsString(exc)) {
		fd_buf_puts(&l->msgbuf, " | ");
		fd_buf_puts(&l->msgbuf, exc->valuestring);
	}
	l->msg = l->msgbuf.data ? l->msgbuf.data : "";
	l->msg_len = l->msgbuf.len;
}

static void
parse_app_json(const cJSON *root, struct fd_logline *l)
{
	const char *lvl = jstr(root, "level");
	const cJSON *cold = cJSON_GetObjectItemCaseSensitive(root, "cold_start");

	if (!lvl)
		lvl = jstr(root, "levelname");
	if (lvl)
		l->level = fd_level_parse(lvl, strlen(lvl));
	jcopy(root, "requestId", l->request_id, sizeof(l->request_id));
	if (!l->request_id[0])
		jcopy(root, "function_request_id", l->request_id, sizeof(l->request_id));
	if (!l->request_id[0])
		jcopy(root, "AWSRequestId", l->request_id, sizeof(l->request_id));
	jcopy(root, "service", l->service, sizeof(l->service));
	jcopy(root, "correlation_id", l->correlation_id, sizeof(l->correlation_id));
	if (jstr(root, "xray_trace_id"))
		parse_trace_header(jstr(root, "xray_trace_id"), &l->report);
	if (!l->report.trace_id[0])
		jcopy(root, "xray_trace_id", l->report.trace_id, sizeof(l->report.trace_id));
	if (cJSON_IsBool(cold))
		l->cold_start = cJSON_IsTrue(cold);
}

/* ---- platform.report without a DOM ----
 * The commonest JSON record is read by a strict little scanner: objects nested at
 * most three deep holding strings without escapes, JSON numbers and literals. On
 * anything else (arrays, escapes, duplicate keys we read, another type) it gives up
 * and cJSON reads the line, so both paths give the same answer. */

#define FAST_DEPTH 3

struct fast {
	const char *p, *end;
	const char *key[FAST_DEPTH];
	size_t klen[FAST_DEPTH];
	unsigned seen;
	int is_report;
	struct fd_logline *l;
};

enum {
	F_TYPE = 1u << 0, F_RECORD = 1u << 1, F_REQID = 1u << 2, F_STATUS = 1u << 3,
	F_ERRTYPE = 1u << 4, F_METRICS = 1u << 5, F_TRACING = 1u << 6, F_TRACEVAL = 1u << 7,
	F_METRIC0 = 1u << 8, /* one bit per metric after this */
};

static const char *const fast_metrics[] = {
	"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB",
	"initDurationMs", "restoreDurationMs", "billedRestoreDurationMs",
};

/* The report field of fast_metrics[i]. */
static double *
fast_metric_slot(struct fd_report *r, size_t i)
{
	double *slots[] = {&r->duration_ms, &r->billed_ms, &r->memory_mb, &r->max_memory_mb,
			   &r->init_ms, &r->restore_ms, &r->billed_restore_ms};

	return slots[i];
}

static void
fast_ws(struct fast *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
		f->p++;
}

static int
key_is(const char *k, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(k, want, n) == 0;
}

/* A string without escapes or control bytes; s and n get its contents. */
static int
fast_string(struct fast *f, const char **s, size_t *n)
{
	const char *q;

	if (f->p >= f->end || *f->p != '"')
		return 0;
	for (q = ++f->p; q < f->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return 0;
	if (q >= f->end)
		return 0;
	*s = f->p;
	*n = (size_t)(q - f->p);
	f->p = q + 1;
	return 1;
}

static int
digits(struct fast *f)
{
	const char *start = f->p;

	while (f->p < f->end && isdigit((unsigned char)*f->p))
		f->p++;
	return f->p > start;
}

/* A JSON number; *v gets its value. */
static int
fast_number(struct fast *f, double *v)
{
	const char *start = f->p;
	char tmp[40];

	if (f->p < f->end && *f->p == '-')
		f->p++;
	if (f->p < f->end && *f->p == '0')
		f->p++;
	else if (!digits(f))
		return 0;
	if (f->p < f->end && *f->p == '.' && (f->p++, !digits(f)))
		return 0;
	if (f->p < f->end && (*f->p == 'e' || *f->p == 'E')) {
		f->p++;
		if (f->p < f->end && (*f->p == '+' || *f->p == '-'))
			f->p++;
		if (!digits(f))
			return 0;
	}
	if ((size_t)(f->p - start) >= sizeof(tmp))
		return 0;
	memcpy(tmp, start, (size_t)(f->p - start));
	tmp[f->p - start] = '\0';
	*v = strtod(tmp, NULL);
	return 1;
}

static int
fast_literal(struct fast *f)
{
	static const char *const lit[] = {"true", "false", "null"};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(lit); i++) {
		size_t n = strlen(lit[i]);
		if ((size_t)(f->end - f->p) >= n && memcmp(f->p, lit[i], n) == 0) {
			f->p += n;
			return 1;
		}
	}
	return 0;
}

/* Marks a field read; a second one means "let cJSON decide". */
static int
fast_mark(struct fast *f, unsigned bit)
{
	if (f->seen & bit)
		return 0;
	f->seen |= bit;
	return 1;
}

static int
fast_string_leaf(struct fast *f, int depth, const char *v, size_t n)
{
	struct fd_logline *l = f->l;
	const char *k = f->key[depth];
	size_t kn = f->klen[depth];

	if (depth == 0 && key_is(k, kn, "type")) {
		f->is_report = key_is(v, n, "platform.report");
		return fast_mark(f, F_TYPE);
	}
	if (depth == 1 && key_is(f->key[0], f->klen[0], "record")) {
		if (key_is(k, kn, "requestId")) {
			copy_span(l->request_id, sizeof(l->request_id), v, n);
			return fast_mark(f, F_REQID);
		}
		if (key_is(k, kn, "status")) {
			copy_span(l->report.status, sizeof(l->report.status), v, n);
			return fast_mark(f, F_STATUS);
		}
		if (key_is(k, kn, "errorType")) {
			copy_span(l->report.error_type, sizeof(l->report.error_type), v, n);
			return fast_mark(f, F_ERRTYPE);
		}
		return !key_is(k, kn, "metrics") && !key_is(k, kn, "tracing");
	}
	if (depth == 2 && key_is(f->key[1], f->klen[1], "tracing") && key_is(k, kn, "value")) {
		char tmp[256];
		if (n >= sizeof(tmp))
			return 0;
		copy_span(tmp, sizeof(tmp), v, n);
		parse_trace_header(tmp, &l->report);
		return fast_mark(f, F_TRACEVAL);
	}
	return depth != 0 || !key_is(k, kn, "record");
}

static int
fast_number_leaf(struct fast *f, int depth, double v)
{
	size_t i;

	if (depth == 0 && (key_is(f->key[0], f->klen[0], "type") ||
			   key_is(f->key[0], f->klen[0], "record")))
		return 0;
	if (depth != 2 || !key_is(f->key[0], f->klen[0], "record") ||
	    !key_is(f->key[1], f->klen[1], "metrics"))
		return depth != 1 || !key_is(f->key[0], f->klen[0], "record") ||
		       (!key_is(f->key[1], f->klen[1], "requestId") &&
			!key_is(f->key[1], f->klen[1], "status"));
	for (i = 0; i < FD_ARRAY_LEN(fast_metrics); i++) {
		if (key_is(f->key[2], f->klen[2], fast_metrics[i])) {
			*fast_metric_slot(&f->l->report, i) = v;
			return fast_mark(f, (unsigned)F_METRIC0 << i);
		}
	}
	return 1;
}

static int fast_object(struct fast *f, int depth);

/* Object values may only hold what the record's shape allows; record, metrics and
 * tracing must be objects when present. */
static int
fast_object_leaf(struct fast *f, int depth)
{
	const char *k = f->key[depth];
	size_t kn = f->klen[depth];

	if (depth == 0 && key_is(k, kn, "record") && !fast_mark(f, F_RECORD))
		return 0;
	if (depth == 1 && key_is(f->key[0], f->klen[0], "record")) {
		if (key_is(k, kn, "metrics") && !fast_mark(f, F_METRICS))
			return 0;
		if (key_is(k, kn, "tracing") && !fast_mark(f, F_TRACING))
			return 0;
	}
	return fast_object(f, depth + 1);
}

static int
fast_value(struct fast *f, int depth)
{
	const char *s;
	size_t n;
	double v;

	fast_ws(f);
	if (f->p >= f->end)
		return 0;
	if (*f->p == '"')
		return fast_string(f, &s, &n) && fast_string_leaf(f, depth, s, n);
	if (*f->p == '{')
		return fast_object_leaf(f, depth);
	if (*f->p == '-' || isdigit((unsigned char)*f->p))
		return fast_number(f, &v) && fast_number_leaf(f, depth, v);
	if (depth == 0 && (key_is(f->key[0], f->klen[0], "type") ||
			   key_is(f->key[0], f->klen[0], "record")))
		return 0;
	return fast_literal(f);
}

static int
fast_object(struct fast *f, int depth)
{
	if (depth >= FAST_DEPTH || f->p >= f->end || *f->p != '{')
		return 0;
	f->p++;
	fast_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		return 1;
	}
	for (;;) {
		fast_ws(f);
		if (!fast_string(f, &f->key[depth], &f->klen[depth]))
			return 0;
		fast_ws(f);
		if (f->p >= f->end || *f->p++ != ':' || !fast_value(f, depth))
			return 0;
		fast_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			continue;
		}
		if (f->p < f->end && *f->p == '}') {
			f->p++;
			return 1;
		}
		return 0;
	}
}

/* 1 when the line was a platform.report the scanner could read whole. */
static int
parse_report_fast(const char *s, size_t len, struct fd_logline *l)
{
	struct fast f;

	memset(&f, 0, sizeof(f));
	f.p = s;
	f.end = s + len;
	f.l = l;
	if (!find_after(s, s + len, "\"platform.report\"") || !fast_object(&f, 0)) {
		reset(l);
		return 0;
	}
	fast_ws(&f);
	if (f.p != f.end || !f.is_report || !(f.seen & F_RECORD)) {
		reset(l);
		return 0;
	}
	l->json = 1;
	l->kind = FD_LINE_REPORT;
	if (strcmp(l->report.status, "timeout") == 0 || strcmp(l->report.status, "error") == 0 ||
	    strcmp(l->report.status, "failure") == 0)
		l->level = FD_LVL_ERROR;
	l->msg = s;
	l->msg_len = len;
	return 1;
}

static int
parse_json(const char *s, size_t len, struct fd_logline *l)
{
	cJSON *root = cJSON_ParseWithLength(s, len);
	const char *type;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return 0;
	}
	l->json = 1;
	type = jstr(root, "type");
	if (type && strncmp(type, "platform.", 9) == 0 &&
	    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "record"))) {
		parse_platform_json(type, cJSON_GetObjectItemCaseSensitive(root, "record"), l);
		l->msg = s;
		l->msg_len = len;
	} else {
		parse_app_json(root, l);
		set_json_message(root, l, s, len);
	}
	cJSON_Delete(root);
	return 1;
}

void
fd_logline_parse(const char *line, size_t len, struct fd_logline *out)
{
	size_t n = len;

	reset(out);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n && line[0] == '{' && line[n - 1] == '}' &&
	    (parse_report_fast(line, n, out) || parse_json(line, n, out)))
		return;
	parse_text(line, n, out);
}
