/* xray_parse.c - the X-Ray answer parsers: trace summaries, BatchGetTraces (segment
 * documents are JSON strings inside the answer, parsed into one tree), the service
 * graph, and the pure waterfall layout. Every field is optional and size-capped; a
 * document that does not parse is skipped, not fatal. Fuzzed (tests/fuzz/xray_trace.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/util.h"
#include "fleetdeck/xray.h"
#include "json_int.h"

#define TEXT_CAP 2048           /* any one string kept from an answer */
#define ANNOTATIONS_CAP 512

/* ---- JSON helpers ---- */

static int
jbool(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cj_member(o, key));
}

static long long
jcount(const cJSON *o, const char *key)
{
	double v = cj_num(o, key, NAN);

	return isnan(v) || v < 0 || v > 9.0e15 ? 0 : (long long)v;
}

static void
jcopy(const cJSON *o, const char *key, char *out, size_t cap)
{
	const char *s = cj_str_nonempty(o, key);

	if (s)
		fd_strlcpy(out, s, cap);
}

static char *
jdup(const cJSON *o, const char *key)
{
	const char *s = cj_str_nonempty(o, key);

	return s ? fd_xstrndup(s, strnlen(s, TEXT_CAP)) : NULL;
}

static int
http_status(const cJSON *http)
{
	double v = cj_num(cj_member(http, "response"), "status", NAN);

	return isnan(v) || v < 0 || v > 999 ? 0 : (int)v;
}

/* The buffer's text, or NULL when it is empty. */
static char *
buf_take(struct fd_buf *b)
{
	if (b->len)
		return fd_buf_steal(b);
	fd_buf_free(b);
	return NULL;
}

/* Appends "key=value" to the list in b: a string s, else a number d, else the
 * boolean yes. 0 (nothing added) once b is full or for a missing key. */
static int
annotation_put(struct fd_buf *b, const char *key, const char *s, double d, int yes)
{
	if (b->len >= ANNOTATIONS_CAP || !key)
		return 0;
	fd_buf_printf(b, "%s%.64s=", b->len ? ", " : "", key);
	if (s)
		fd_buf_printf(b, "%.128s", s);
	else if (!isnan(d))
		fd_buf_printf(b, "%g", d);
	else
		fd_buf_puts(b, yes ? "true" : "false");
	return 1;
}

/* {"k": "v", "n": 3, "b": true} -> "k=v, n=3, b=true"; NULL when empty. */
static char *
annotations_text(const cJSON *o)
{
	const cJSON *it;
	struct fd_buf b;

	if (!cJSON_IsObject(o))
		return NULL;
	fd_buf_init(&b);
	cJSON_ArrayForEach(it, o) {
		const char *s = cJSON_IsString(it) ? it->valuestring : NULL;
		double d = cJSON_IsNumber(it) ? it->valuedouble : NAN;
		if (!annotation_put(&b, it->string, s, d, cJSON_IsTrue(it)))
			break;
	}
	return buf_take(&b);
}

static void
next_token(const cJSON *doc, char **next)
{
	const char *tok = cj_str_nonempty(doc, "NextToken");

	if (next)
		*next = tok ? fd_xstrdup(tok) : NULL;
}

/* Fills one element from an item of a list answer; 0 when the element is kept. */
typedef int (*item_fn)(const cJSON *item, void *elem);

struct list_answer {
	const char *what; /* the operation, for errors */
	const char *key;  /* the member holding the array */
	size_t size;      /* bytes per element */
	item_fn fill;
};

/* The walk every X-Ray list answer shares, {"<key>": [...], "NextToken": "..."}: one
 * calloc'd element per item, *n of them kept. */
static enum fd_status
parse_list(const struct list_answer *la, const char *json, size_t len, void **out, size_t *n,
	   char **next, struct fd_err *err)
{
	cJSON *doc = cj_parse_object_at(la->what, json, len, err);
	const cJSON *list, *it;
	int count;

	*out = NULL;
	*n = 0;
	if (next)
		*next = NULL;
	if (!doc)
		return FD_EPARSE;
	list = cj_member(doc, la->key);
	count = cJSON_GetArraySize(list);
	if (cJSON_IsArray(list) && count > 0) {
		*out = fd_xcalloc((size_t)count, la->size);
		cJSON_ArrayForEach(it, list)
			if (la->fill(it, (char *)*out + *n * la->size) == 0)
				(*n)++;
	}
	next_token(doc, next);
	cJSON_Delete(doc);
	return FD_OK;
}

/* ---- trace summaries ---- */

static void
summary_clear(struct fd_trace_summary *s)
{
	free(s->url);
	free(s->entry);
	free(s->annotations);
	free(s->root_cause);
	memset(s, 0, sizeof(*s));
}

void
fd_trace_summaries_free(struct fd_trace_summary *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		summary_clear(&s[i]);
	free(s);
}

/* Annotations are {"key": [{"AnnotationValue": {"StringValue": "x"}}]}. */
static char *
summary_annotations(const cJSON *o)
{
	const cJSON *it;
	struct fd_buf b;

	if (!cJSON_IsObject(o))
		return NULL;
	fd_buf_init(&b);
	cJSON_ArrayForEach(it, o) {
		const cJSON *v = cj_member(cJSON_GetArrayItem(it, 0), "AnnotationValue");
		if (!annotation_put(&b, it->string, cj_str_nonempty(v, "StringValue"),
		                    cj_num(v, "NumberValue", NAN), jbool(v, "BooleanValue")))
			break;
	}
	return buf_take(&b);
}

/* FaultRootCauses[0].Services[].. the first service with an exception. */
static char *
root_cause(const cJSON *causes)
{
	const cJSON *svcs = cj_member(cJSON_GetArrayItem(causes, 0), "Services"), *svc;

	cJSON_ArrayForEach(svc, svcs) {
		const cJSON *ex = cJSON_GetArrayItem(cj_member(svc, "Exceptions"), 0);
		const char *sname = cj_str_nonempty(svc, "Name");
		const char *ename = cj_str_nonempty(ex, "Name");
		const char *msg = cj_str_nonempty(ex, "Message");
		if (ex)
			return fd_xasprintf("%.128s: %.96s: %.256s", sname ? sname : "?",
					    ename ? ename : "?", msg ? msg : "");
	}
	return NULL;
}

static int
summary_from_json(const cJSON *o, struct fd_trace_summary *s)
{
	const cJSON *http = cj_member(o, "Http");
	double st = cj_num(http, "HttpStatus", NAN);

	memset(s, 0, sizeof(*s));
	if (!cj_str_nonempty(o, "Id") || strlen(cj_str_nonempty(o, "Id")) >= sizeof(s->id))
		return -1;
	fd_strlcpy(s->id, cj_str_nonempty(o, "Id"), sizeof(s->id));
	s->start_s = cj_num(o, "StartTime", NAN);
	s->duration_s = cj_num(o, "Duration", NAN);
	s->response_s = cj_num(o, "ResponseTime", NAN);
	s->fault = jbool(o, "HasFault");
	s->error = jbool(o, "HasError");
	s->throttle = jbool(o, "HasThrottle");
	s->partial = jbool(o, "IsPartial");
	s->http_status = isnan(st) || st < 0 || st > 999 ? 0 : (int)st;
	jcopy(http, "HttpMethod", s->method, sizeof(s->method));
	s->url = jdup(http, "HttpURL");
	s->entry = jdup(cj_member(o, "EntryPoint"), "Name");
	s->annotations = summary_annotations(cj_member(o, "Annotations"));
	s->root_cause = root_cause(cj_member(o, "FaultRootCauses"));
	if (!s->root_cause)
		s->root_cause = root_cause(cj_member(o, "ErrorRootCauses"));
	return 0;
}

static int
summary_item(const cJSON *item, void *elem)
{
	return summary_from_json(item, elem);
}

enum fd_status
xray_parse_summaries(const char *json, size_t len, struct fd_trace_summary **out, size_t *n,
		     char **next, struct fd_err *err)
{
	static const struct list_answer la = {"GetTraceSummaries", "TraceSummaries",
	                                      sizeof(**out), summary_item};
	void *v;
	enum fd_status st = parse_list(&la, json, len, &v, n, next, err);

	*out = v;
	return st;
}

/* ---- segment documents ---- */

void
fd_trace_free(struct fd_trace *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		struct fd_xseg *s = &t->segs[i];
		free(s->name);
		free(s->http_url);
		free(s->cause);
		free(s->annotations);
		free(s->resource);
	}
	free(t->segs);
	memset(t, 0, sizeof(*t));
}

void
fd_traces_free(struct fd_trace *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++)
		fd_trace_free(&t[i]);
	free(t);
}

/* cause is {"exceptions": [{"type", "message"}]} or an exception id string. */
static char *
cause_text(const cJSON *cause)
{
	const cJSON *ex = cJSON_GetArrayItem(cj_member(cause, "exceptions"), 0);
	const char *type = cj_str_nonempty(ex, "type"), *msg = cj_str_nonempty(ex, "message");

	if (!ex || (!type && !msg))
		return NULL;
	return fd_xasprintf("%.96s%s%.512s", type ? type : "", type && msg ? ": " : "",
			    msg ? msg : "");
}

static void
seg_sql(const cJSON *sql, struct fd_xseg *s)
{
	const char *url = cj_str_nonempty(sql, "url"), *db = cj_str_nonempty(sql, "database_type");

	s->call = FD_XCALL_SQL;
	s->rds_proxy = url && strstr(url, ".proxy-") != NULL;
	s->resource = fd_xasprintf("%.64s%s%.512s", db ? db : "", db && url ? " " : "",
				   url ? url : "");
}

static void
seg_aws(const cJSON *aws, struct fd_xseg *s)
{
	const char *res = cj_str_nonempty(aws, "table_name");
	const char *msg = cj_str_nonempty(aws, "message_id");

	jcopy(aws, "operation", s->aws_operation, sizeof(s->aws_operation));
	jcopy(aws, "request_id", s->request_id, sizeof(s->request_id));
	if (!msg)
		msg = cj_str_nonempty(cj_member(aws, "sqs"), "message_id");
	if (msg)
		fd_strlcpy(s->sqs_message_id, msg, sizeof(s->sqs_message_id));
	if (!res)
		res = cj_str_nonempty(aws, "queue_url");
	if (!res)
		res = cj_str_nonempty(aws, "function_arn");
	if (res && !s->resource)
		s->resource = fd_xstrndup(res, strnlen(res, TEXT_CAP));
	if (s->aws_operation[0] && strcmp(s->ns, "aws") == 0)
		s->call = FD_XCALL_AWS;
}

static void
seg_fields(const cJSON *o, struct fd_xseg *s, int sub)
{
	const cJSON *http = cj_member(o, "http");
	const cJSON *req = cj_member(http, "request");

	s->subsegment = sub;
	jcopy(o, "id", s->id, sizeof(s->id));
	jcopy(o, "parent_id", s->parent_id, sizeof(s->parent_id));
	s->name = jdup(o, "name");
	if (!s->name)
		s->name = fd_xstrdup("?");
	jcopy(o, "origin", s->origin, sizeof(s->origin));
	jcopy(o, "namespace", s->ns, sizeof(s->ns));
	s->start_s = cj_num(o, "start_time", NAN);
	s->end_s = jbool(o, "in_progress") ? NAN : cj_num(o, "end_time", NAN);
	s->error = jbool(o, "error");
	s->fault = jbool(o, "fault");
	s->throttle = jbool(o, "throttle");
	s->http_status = http_status(http);
	jcopy(req, "method", s->http_method, sizeof(s->http_method));
	s->http_url = jdup(req, "url");
	s->cause = cause_text(cj_member(o, "cause"));
	s->annotations = annotations_text(cj_member(o, "annotations"));
	if (cJSON_IsObject(cj_member(o, "sql")))
		seg_sql(cj_member(o, "sql"), s);
	seg_aws(cj_member(o, "aws"), s);
	if (s->call == FD_XCALL_NONE && s->http_url && strcmp(s->ns, "remote") == 0)
		s->call = FD_XCALL_HTTP;
}

/* Nodes while parsing: parent is an index (subsegments) or resolved later by id. */
struct seg_vec {
	struct fd_xseg *v;
	size_t n, cap;
	int dropped;
};

static void
seg_add(struct seg_vec *sv, const cJSON *o, int parent, int depth)
{
	const cJSON *subs = cj_member(o, "subsegments"), *sub;
	int me;

	if (!cJSON_IsObject(o))
		return;
	if (sv->n >= FD_XRAY_MAX_SEGMENTS || depth > FD_XRAY_MAX_DEPTH) {
		sv->dropped = 1;
		return;
	}
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = fd_xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	me = (int)sv->n++;
	memset(&sv->v[me], 0, sizeof(sv->v[me]));
	seg_fields(o, &sv->v[me], parent >= 0);
	sv->v[me].parent = parent;
	cJSON_ArrayForEach(sub, subs)
		seg_add(sv, sub, me, depth + 1);
}

static int
seg_find(const struct seg_vec *sv, const char *id)
{
	size_t i;

	for (i = 0; id[0] && i < sv->n; i++)
		if (strcmp(sv->v[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Orders child indexes by (parent, start, index). */
static const struct fd_xseg *sort_base;

static int
child_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	const struct fd_xseg *p = &sort_base[x], *q = &sort_base[y];
	double ps = isnan(p->start_s) ? 0 : p->start_s, qs = isnan(q->start_s) ? 0 : q->start_s;

	if (p->parent != q->parent)
		return p->parent < q->parent ? -1 : 1;
	if (ps != qs)
		return ps < qs ? -1 : 1;
	return x < y ? -1 : x > y;
}

struct tree {
	int *order;        /* nodes sorted by (parent, start) */
	size_t *first;     /* first position in order of each node's children (n+1 = roots) */
	size_t *count;
	int *map;          /* old index -> new index, -1 not placed yet */
	struct fd_xseg *out;
	size_t nout;
};

static void
place(struct tree *t, struct seg_vec *sv, int node, int parent, int depth)
{
	size_t i, slot = (size_t)(node + 1);

	if (t->map[node] >= 0)
		return;
	t->map[node] = (int)t->nout;
	t->out[t->nout] = sv->v[node];
	t->out[t->nout].parent = parent;
	t->out[t->nout].depth = FD_MIN(depth, FD_XRAY_MAX_DEPTH);
	t->nout++;
	for (i = 0; i < t->count[slot]; i++)
		place(t, sv, t->order[t->first[slot] + i], t->map[node], depth + 1);
}

/* Pre-order, children by start time; nodes only reachable through a parent cycle
 * become roots. */
static void
seg_tree(struct seg_vec *sv, struct fd_trace *tr)
{
	struct tree t;
	size_t i, n = sv->n;

	t.order = fd_xcalloc(n + 1, sizeof(int));
	t.first = fd_xcalloc(n + 2, sizeof(size_t));
	t.count = fd_xcalloc(n + 2, sizeof(size_t));
	t.map = fd_xcalloc(n + 1, sizeof(int));
	t.out = fd_xcalloc(n + 1, sizeof(*t.out));
	t.nout = 0;
	for (i = 0; i < n; i++) {
		t.order[i] = (int)i;
		t.map[i] = -1;
		t.count[(size_t)(sv->v[i].parent + 1)]++;
	}
	sort_base = sv->v;
	qsort(t.order, n, sizeof(int), child_cmp);
	for (i = 1; i < n + 2; i++)
		t.first[i] = t.first[i - 1] + t.count[i - 1];
	for (i = 0; i < t.count[0]; i++)
		place(&t, sv, t.order[i], -1, 0);
	for (i = 0; i < n; i++)
		place(&t, sv, (int)i, -1, 0);
	tr->segs = t.out;
	tr->n = t.nout;
	free(t.order);
	free(t.first);
	free(t.count);
	free(t.map);
}

static void
seg_link(struct seg_vec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		if (sv->v[i].parent >= 0 || !sv->v[i].parent_id[0])
			continue;
		sv->v[i].parent = seg_find(sv, sv->v[i].parent_id);
		if (sv->v[i].parent == (int)i)
			sv->v[i].parent = -1;
	}
}

static void
trace_from_json(const cJSON *o, struct fd_trace *tr)
{
	struct seg_vec sv = {NULL, 0, 0, 0};
	const cJSON *segs = cj_member(o, "Segments"), *seg;

	memset(tr, 0, sizeof(*tr));
	jcopy(o, "Id", tr->id, sizeof(tr->id));
	tr->duration_s = cj_num(o, "Duration", NAN);
	tr->limit_exceeded = jbool(o, "LimitExceeded");
	cJSON_ArrayForEach(seg, segs) {
		const char *text = cj_str_nonempty(seg, "Document");
		cJSON *doc = text ? cJSON_Parse(text) : NULL;
		seg_add(&sv, doc, -1, 0);
		cJSON_Delete(doc);
	}
	seg_link(&sv);
	seg_tree(&sv, tr);
	tr->limit_exceeded |= sv.dropped;
	free(sv.v);
}

static int
trace_item(const cJSON *item, void *elem)
{
	if (!cj_str_nonempty(item, "Id"))
		return -1;
	trace_from_json(item, elem);
	return 0;
}

enum fd_status
xray_parse_traces(const char *json, size_t len, struct fd_trace **out, size_t *n, char **next,
		  struct fd_err *err)
{
	static const struct list_answer la = {"BatchGetTraces", "Traces", sizeof(**out),
	                                      trace_item};
	void *v;
	enum fd_status st = parse_list(&la, json, len, &v, n, next, err);

	*out = v;
	return st;
}

double
fd_trace_start(const struct fd_trace *t)
{
	double best = NAN;
	size_t i;

	for (i = 0; t && i < t->n; i++)
		if (!isnan(t->segs[i].start_s) && (isnan(best) || t->segs[i].start_s < best))
			best = t->segs[i].start_s;
	return best;
}

const char *
fd_trace_request_id(const struct fd_trace *t)
{
	size_t i;

	for (i = 0; t && i < t->n; i++)
		if (t->segs[i].request_id[0])
			return t->segs[i].request_id;
	return NULL;
}

const char *
fd_trace_sqs_message_id(const struct fd_trace *t)
{
	size_t i;

	for (i = 0; t && i < t->n; i++)
		if (t->segs[i].sqs_message_id[0])
			return t->segs[i].sqs_message_id;
	return NULL;
}

/* ---- labels and waterfall ---- */

void
fd_xseg_label(const struct fd_xseg *s, char *out, size_t n)
{
	const char *res = s->resource ? s->resource : "";

	switch (s->call) {
	case FD_XCALL_AWS:
		snprintf(out, n, "%s %s%s%s", s->name, s->aws_operation, *res ? " " : "", res);
		break;
	case FD_XCALL_HTTP:
		if (s->http_status)
			snprintf(out, n, "%s %s %d", s->http_method[0] ? s->http_method : "HTTP",
				 s->http_url, s->http_status);
		else
			snprintf(out, n, "%s %s", s->http_method[0] ? s->http_method : "HTTP",
				 s->http_url);
		break;
	case FD_XCALL_SQL:
		snprintf(out, n, "SQL %s%s", res, s->rds_proxy ? " (RDS Proxy)" : "");
		break;
	default:
		if (s->origin[0])
			snprintf(out, n, "%s (%s)", s->name, s->origin);
		else
			snprintf(out, n, "%s", s->name);
	}
}

static double
trace_end(const struct fd_trace *t)
{
	double best = NAN;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!isnan(t->segs[i].end_s) && (isnan(best) || t->segs[i].end_s > best))
			best = t->segs[i].end_s;
	return best;
}

size_t
fd_trace_waterfall(const struct fd_trace *t, struct fd_wf_row *rows, size_t max, double *total_ms)
{
	double t0 = fd_trace_start(t), t1;
	size_t i, n = 0;

	if (total_ms)
		*total_ms = 0;
	if (!t || isnan(t0))
		return 0;
	t1 = trace_end(t);
	if (total_ms)
		*total_ms = isnan(t1) ? 0 : (t1 - t0) * 1000.0;
	for (i = 0; i < t->n && n < max; i++, n++) {
		const struct fd_xseg *s = &t->segs[i];
		rows[n].seg = i;
		rows[n].depth = s->depth;
		rows[n].offset_ms = isnan(s->start_s) ? 0 : (s->start_s - t0) * 1000.0;
		rows[n].duration_ms = isnan(s->end_s) || isnan(s->start_s)
					      ? NAN
					      : (s->end_s - s->start_s) * 1000.0;
		fd_xseg_label(s, rows[n].label, sizeof(rows[n].label));
		rows[n].error = s->error;
		rows[n].fault = s->fault;
		rows[n].throttle = s->throttle;
	}
	return n;
}

void
fd_wf_bar(const struct fd_wf_row *r, double total_ms, int width, int *col, int *len)
{
	double scale, c, end;

	*col = 0;
	*len = width > 0 ? 1 : 0;
	if (width <= 0 || !(total_ms > 0) || !isfinite(total_ms))
		return;
	scale = width / total_ms;
	/* Clamped as doubles first: hostile timings may not fit an int. */
	c = floor(FD_MAX(0.0, r->offset_ms) * scale);
	if (!(c < width - 1))
		c = width - 1;
	end = isnan(r->duration_ms) ? width : ceil((r->offset_ms + r->duration_ms) * scale);
	if (!(end < width))
		end = width;
	*col = (int)c;
	*len = end - c >= 1 ? (int)(end - c) : 1;
}

/* ---- service graph ---- */

void
fd_xgraph_free(struct fd_xgraph *g)
{
	size_t i;

	for (i = 0; g && i < g->n; i++) {
		free(g->svc[i].name);
		free(g->svc[i].edges);
	}
	if (g) {
		free(g->svc);
		g->svc = NULL;
		g->n = 0;
	}
}

static void
service_from_json(const cJSON *o, struct fd_xservice *s)
{
	const cJSON *st = cj_member(o, "SummaryStatistics"), *edges = cj_member(o, "Edges"), *edge;
	const cJSON *err = cj_member(st, "ErrorStatistics");
	const cJSON *fault = cj_member(st, "FaultStatistics");
	int nedges = cJSON_GetArraySize(edges);
	double ref = cj_num(o, "ReferenceId", NAN);

	memset(s, 0, sizeof(*s));
	s->ref_id = isnan(ref) || fabs(ref) > 1e9 ? -1 : (int)ref;
	s->name = jdup(o, "Name");
	if (!s->name)
		s->name = fd_xstrdup("?");
	jcopy(o, "Type", s->type, sizeof(s->type));
	s->root = jbool(o, "Root");
	s->ok = jcount(st, "OkCount");
	s->errors = jcount(err, "TotalCount");
	s->throttles = jcount(err, "ThrottleCount");
	s->faults = jcount(fault, "TotalCount");
	s->total = jcount(st, "TotalCount");
	s->total_response_s = cj_num(st, "TotalResponseTime", NAN);
	s->edges = nedges > 0 ? fd_xcalloc((size_t)nedges, sizeof(int)) : NULL;
	cJSON_ArrayForEach(edge, edges) {
		double r = cj_num(edge, "ReferenceId", NAN);
		if (!isnan(r) && fabs(r) < 1e9 && s->nedges < (size_t)nedges)
			s->edges[s->nedges++] = (int)r;
	}
}

static int
service_item(const cJSON *item, void *elem)
{
	if (!cJSON_IsObject(item))
		return -1;
	service_from_json(item, elem);
	return 0;
}

enum fd_status
xray_parse_service_graph(const char *json, size_t len, struct fd_xgraph *out, char **next,
			 struct fd_err *err)
{
	static const struct list_answer la = {"GetServiceGraph", "Services", sizeof(*out->svc),
	                                      service_item};
	void *v;
	enum fd_status st = parse_list(&la, json, len, &v, &out->n, next, err);

	out->svc = v;
	return st;
}

static const struct fd_xservice *
service_by_ref(const struct fd_xgraph *g, int ref)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->svc[i].ref_id == ref)
			return &g->svc[i];
	return NULL;
}

size_t
fd_xgraph_neighbours(const struct fd_xgraph *g, const char *name, const struct fd_xservice **out,
		     size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < g->n; i++) {
		if (!fd_str_eq(g->svc[i].name, name))
			continue;
		for (j = 0; j < g->svc[i].nedges && n < max; j++) {
			const struct fd_xservice *s = service_by_ref(g, g->svc[i].edges[j]);
			if (s)
				out[n++] = s;
		}
		break;
	}
	return n;
}

enum fd_status
xray_read_file(const char *path, struct fd_trace_summary **s, size_t *ns, struct fd_trace **t,
	       size_t *nt, struct fd_err *err)
{
	struct fd_buf b;
	enum fd_status st;

	*s = NULL;
	*t = NULL;
	*ns = *nt = 0;
	fd_buf_init(&b);
	if (fd_read_file(path, 64u << 20, &b, err) != 0) {
		fd_buf_free(&b);
		return err ? err->status : FD_EIO;
	}
	st = xray_parse_summaries(b.data, b.len, s, ns, NULL, err);
	if (st == FD_OK)
		st = xray_parse_traces(b.data, b.len, t, nt, NULL, err);
	fd_buf_free(&b);
	return st;
}
