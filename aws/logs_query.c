/* logs_query.c - Logs Insights (StartQuery, GetQueryResults, StopQuery) and the
 * display forms of JSON log messages (compact with key fields first, or pretty
 * printed), both through cJSON: neither is on the hot path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fleetdeck/logs.h"
#include "json_int.h"

#define QUERY_MAX_ROWS 100000
#define QUERY_MAX_FIELDS 256
#define COMPACT_MAX_DEPTH 6

/* Serialises body (consumed) into a Logs request. */
static void
json_request(struct aws_request *r, const char *op, cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);

	cJSON_Delete(body);
	if (!text)
		fd_fatal("out of memory building a %s request", op);
	aws_request_init(r, AWS_SVC_LOGS, op);
	aws_request_json(r, text, strlen(text));
	free(text);
}

/* ---- Logs Insights ---- */

void
logs_start_query_request(struct aws_request *r, const struct logs_query_req *q)
{
	cJSON *body = cJSON_CreateObject(), *groups = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < q->ngroups && i < LOGS_QUERY_MAX_GROUPS; i++)
		cJSON_AddItemToArray(groups, cJSON_CreateString(q->groups[i]));
	cJSON_AddItemToObject(body, "logGroupNames", groups);
	cJSON_AddNumberToObject(body, "startTime", (double)q->start_s);
	cJSON_AddNumberToObject(body, "endTime", (double)q->end_s);
	cJSON_AddStringToObject(body, "queryString", q->query ? q->query : "");
	if (q->limit > 0)
		cJSON_AddNumberToObject(body, "limit", FD_MIN(q->limit, 10000));
	json_request(r, "StartQuery", body);
}

enum fd_status
logs_parse_start_query(const char *json, size_t len, char **query_id, struct fd_err *err)
{
	cJSON *doc = cj_parse_object("StartQuery", json, len, err);
	const char *id = cj_str(doc, "queryId");

	*query_id = NULL;
	if (!doc)
		return FD_EPARSE;
	if (id && *id && strlen(id) < 256)
		*query_id = fd_xstrdup(id);
	cJSON_Delete(doc);
	if (!*query_id)
		return fd_err_set(err, FD_EPARSE, "StartQuery: the answer has no queryId");
	return FD_OK;
}

static void
query_id_request(struct aws_request *r, const char *op, const char *id)
{
	cJSON *body = cJSON_CreateObject();

	cJSON_AddStringToObject(body, "queryId", id ? id : "");
	json_request(r, op, body);
}

void
logs_get_query_results_request(struct aws_request *r, const char *query_id)
{
	query_id_request(r, "GetQueryResults", query_id);
}

void
logs_stop_query_request(struct aws_request *r, const char *query_id)
{
	query_id_request(r, "StopQuery", query_id);
}

static void
query_row(const cJSON *arr, struct logs_query_row *row)
{
	const cJSON *it;
	int count = cJSON_GetArraySize(arr);

	row->f = fd_xcalloc((size_t)FD_MIN(FD_MAX(count, 1), QUERY_MAX_FIELDS), sizeof(*row->f));
	cJSON_ArrayForEach(it, arr)
	{
		const char *f = cj_str(it, "field"), *v = cj_str(it, "value");
		if (!f || row->n >= QUERY_MAX_FIELDS)
			continue;
		row->f[row->n].field = fd_xstrdup(f);
		row->f[row->n].value = v ? fd_xstrdup(v) : NULL;
		row->n++;
	}
}

enum fd_status
logs_parse_query_results(const char *json, size_t len, struct logs_query_result *out,
                         struct fd_err *err)
{
	cJSON *doc = cj_parse_object("GetQueryResults", json, len, err);
	const cJSON *results, *stats, *it;
	int count;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return FD_EPARSE;
	fd_strlcpy(out->status, cj_str(doc, "status") ? cj_str(doc, "status") : "Unknown",
	           sizeof(out->status));
	stats = cj_member(doc, "statistics");
	out->matched = cj_num(stats, "recordsMatched", 0.0);
	out->scanned = cj_num(stats, "recordsScanned", 0.0);
	out->bytes = cj_num(stats, "bytesScanned", 0.0);
	results = cj_member(doc, "results");
	if (!cJSON_IsArray(results))
		results = NULL;
	count = FD_MIN(cJSON_GetArraySize(results), QUERY_MAX_ROWS);
	out->rows = count > 0 ? fd_xcalloc((size_t)count, sizeof(*out->rows)) : NULL;
	cJSON_ArrayForEach(it, results)
	{
		if (out->nrows >= (size_t)count)
			break;
		if (cJSON_IsArray(it))
			query_row(it, &out->rows[out->nrows++]);
	}
	cJSON_Delete(doc);
	return FD_OK;
}

void
logs_query_result_free(struct logs_query_result *q)
{
	size_t i, j;

	for (i = 0; i < q->nrows; i++) {
		for (j = 0; j < q->rows[i].n; j++) {
			free(q->rows[i].f[j].field);
			free(q->rows[i].f[j].value);
		}
		free(q->rows[i].f);
	}
	free(q->rows);
	memset(q, 0, sizeof(*q));
}

int
logs_query_done(const char *status)
{
	return !fd_str_eq(status, "Scheduled") && !fd_str_eq(status, "Running");
}

/* ---- display forms of JSON messages ---- */

/* Shown right after the message, in this order; request ids, levels and times are
 * shown by the log view in their own columns. */
static const char *const key_first[] = {"errorType",      "errorMessage",  "service",  "cold_start",
                                        "correlation_id", "xray_trace_id", "location", NULL};
static const char *const key_skip[] = {"message",
                                       "level",
                                       "levelname",
                                       "timestamp",
                                       "time",
                                       "requestId",
                                       "function_request_id",
                                       "AWSRequestId",
                                       "function_name",
                                       "function_memory_size",
                                       "function_arn",
                                       NULL};

static int
in_list(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(k, *list) == 0)
			return 1;
	return 0;
}

static void
put_value(struct fd_buf *out, const cJSON *v)
{
	char *t;

	if (cJSON_IsString(v)) {
		fd_buf_puts(out, v->valuestring);
		return;
	}
	t = cJSON_PrintUnformatted(v);
	if (t)
		fd_buf_puts(out, t);
	cJSON_free(t);
}

/* " key=value", objects flattened with dotted keys ("record" loses its prefix). */
static void
put_field(struct fd_buf *out, const char *prefix, const cJSON *v, int depth)
{
	const cJSON *c;

	if (cJSON_IsObject(v) && v->child && depth < COMPACT_MAX_DEPTH) {
		cJSON_ArrayForEach(c, v)
		{
			char *key = prefix && *prefix ? fd_xasprintf("%s.%s", prefix, c->string)
			                              : fd_xstrdup(c->string ? c->string : "");
			put_field(out, key, c, depth + 1);
			free(key);
		}
		return;
	}
	fd_buf_printf(out, "%s%s=", out->len ? " " : "", prefix ? prefix : "");
	put_value(out, v);
}

static const char *
compact_head(const cJSON *doc, const char **used)
{
	static const char *const heads[] = {"message", "msg", "errorMessage", "type", NULL};
	size_t i;

	for (i = 0; heads[i]; i++) {
		const char *s = cj_str(doc, heads[i]);
		if (s) {
			*used = heads[i];
			return s;
		}
	}
	*used = "";
	return NULL;
}

int
logs_json_compact(const char *json, size_t len, struct fd_buf *out)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	const char *used, *head;
	const cJSON *c;
	struct fd_buf b;
	size_t i;

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return -1;
	}
	fd_buf_init(&b);
	head = compact_head(doc, &used);
	if (head)
		fd_buf_puts(&b, head);
	for (i = 0; key_first[i]; i++)
		if (strcmp(key_first[i], used) != 0 && cj_member(doc, key_first[i]))
			put_field(&b, key_first[i], cj_member(doc, key_first[i]), 1);
	cJSON_ArrayForEach(c, doc)
	{
		const char *k = c->string ? c->string : "";
		if (strcmp(k, used) == 0 || in_list(k, key_first) || in_list(k, key_skip))
			continue;
		put_field(&b, strcmp(k, "record") == 0 ? "" : k, c, 1);
	}
	fd_buf_append(out, b.data ? b.data : "", b.len);
	fd_buf_free(&b);
	cJSON_Delete(doc);
	return 0;
}

int
logs_json_pretty(const char *json, size_t len, struct fd_buf *out)
{
	cJSON *doc = json && len ? cJSON_ParseWithLength(json, len) : NULL;
	char *t, *p;

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return -1;
	}
	t = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!t)
		fd_fatal("out of memory printing JSON");
	/* cJSON indents with tabs and puts one after each colon. */
	for (p = t; *p; p++) {
		if (*p == '\t' && p > t && p[-1] == ':')
			fd_buf_putc(out, ' ');
		else if (*p == '\t')
			fd_buf_puts(out, "  ");
		else
			fd_buf_putc(out, *p);
	}
	cJSON_free(t);
	return 0;
}

/* ---- merging the parts of a query over more than 50 groups ---- */

#define MERGE_MAX_AGGS 32

enum agg_kind { AGG_SUM, AGG_MIN, AGG_MAX, AGG_OTHER };

struct query_shape {
	int has_stats;
	char agg[MERGE_MAX_AGGS][128];
	enum agg_kind kind[MERGE_MAX_AGGS];
	size_t nagg;
	char sort[128];
	int sort_desc;
	long limit; /* 0 = none */
};

/* Splits on '|' outside quotes and /regex/ (as Logs Insights reads it). */
static size_t
split_commands(const char *q, char cmds[][512], size_t max)
{
	size_t n = 0, len = 0;
	char quote = 0;

	for (; *q && n < max; q++) {
		if (quote && *q == quote)
			quote = 0;
		else if (!quote && (*q == '"' || *q == '\'' || *q == '/'))
			quote = *q;
		if (!quote && *q == '|') {
			cmds[n++][len] = '\0';
			len = 0;
			continue;
		}
		if (len + 1 < 512)
			cmds[n][len++] = *q;
	}
	if (n < max)
		cmds[n++][len] = '\0';
	return n;
}

static enum agg_kind
agg_kind(const char *expr)
{
	static const struct {
		const char *fn;
		enum agg_kind kind;
	} fns[] = {{"count(", AGG_SUM}, {"sum(", AGG_SUM}, {"min(", AGG_MIN}, {"max(", AGG_MAX}};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(fns); i++)
		if (strncasecmp(expr, fns[i].fn, strlen(fns[i].fn)) == 0)
			return fns[i].kind;
	return AGG_OTHER;
}

/* "count(*) as errors, max(@initDuration) as m" (the part before " by "). */
static void
parse_stats(char *body, struct query_shape *s)
{
	char *p = body, *start = body, *as;
	int depth = 0;

	s->has_stats = 1;
	for (;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			char end = *p;
			*p = '\0';
			start = fd_str_trim(start);
			as = strstr(start, " as ");
			if (s->nagg < MERGE_MAX_AGGS && *start) {
				s->kind[s->nagg] = agg_kind(start);
				fd_strlcpy(s->agg[s->nagg++], as ? fd_str_trim(as + 4) : start,
				           sizeof(s->agg[0]));
			}
			if (!end)
				break;
			start = p + 1;
		}
	}
}

static void
parse_shape(const char *query, struct query_shape *s)
{
	char(*cmds)[512] = fd_xcalloc(32, sizeof(*cmds));
	size_t n = split_commands(query ? query : "", cmds, 32), i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		char *c = fd_str_trim(cmds[i]), *by;
		if (strncasecmp(c, "stats ", 6) == 0) {
			s->nagg = 0;
			by = strstr(c + 6, " by ");
			if (by)
				*by = '\0';
			parse_stats(c + 6, s);
		} else if (strncasecmp(c, "sort ", 5) == 0) {
			char *f = fd_str_trim(c + 5), *sp = strchr(f, ' ');
			s->sort_desc = !(sp && strncasecmp(fd_str_trim(sp), "asc", 3) == 0);
			if (sp)
				*sp = '\0';
			fd_strlcpy(s->sort, f, sizeof(s->sort));
		} else if (strncasecmp(c, "limit ", 6) == 0) {
			s->limit = atol(c + 6);
		}
	}
	free(cmds);
}

static const char *
row_get(const struct logs_query_row *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].field, field) == 0)
			return r->f[i].value;
	return NULL;
}

static int
is_agg(const struct query_shape *s, const char *field)
{
	size_t i;

	for (i = 0; i < s->nagg; i++)
		if (strcmp(s->agg[i], field) == 0)
			return (int)i;
	return -1;
}

static int
same_group(const struct query_shape *s, const struct logs_query_row *a,
           const struct logs_query_row *b)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (is_agg(s, a->f[i].field) < 0 &&
		    !fd_str_eq(a->f[i].value, row_get(b, a->f[i].field)))
			return 0;
	return a->n == b->n;
}

static void
row_copy(struct logs_query_row *dst, const struct logs_query_row *src)
{
	size_t i;

	dst->n = src->n;
	dst->f = fd_xcalloc(FD_MAX(src->n, 1), sizeof(*dst->f));
	for (i = 0; i < src->n; i++) {
		dst->f[i].field = fd_xstrdup(src->f[i].field);
		dst->f[i].value = src->f[i].value ? fd_xstrdup(src->f[i].value) : NULL;
	}
}

static void
combine(const struct query_shape *s, struct logs_query_row *into, const struct logs_query_row *r)
{
	size_t i;

	for (i = 0; i < into->n; i++) {
		int k = is_agg(s, into->f[i].field);
		const char *v = row_get(r, into->f[i].field);
		double a, b, c;
		if (k < 0 || !v)
			continue;
		b = strtod(v, NULL);
		a = into->f[i].value ? strtod(into->f[i].value, NULL) : b;
		c = s->kind[k] == AGG_SUM ? a + b : s->kind[k] == AGG_MIN ? fmin(a, b) : fmax(a, b);
		if (!into->f[i].value)
			c = b;
		free(into->f[i].value);
		into->f[i].value = fd_xasprintf("%.15g", c);
	}
}

static const struct query_shape *sort_shape;

static int
row_cmp(const void *pa, const void *pb)
{
	const char *a = row_get(pa, sort_shape->sort), *b = row_get(pb, sort_shape->sort);
	char *ea, *eb;
	double da, db;
	int c;

	if (!a || !b)
		return !a - !b;
	da = strtod(a, &ea);
	db = strtod(b, &eb);
	if (ea != a && !*ea && eb != b && !*eb)
		c = da < db ? -1 : da > db;
	else
		c = strcmp(a, b);
	return sort_shape->sort_desc ? -c : c;
}

static void
merge_rows(const struct query_shape *s, int regroup, const struct logs_query_result *parts,
           size_t n, struct logs_query_result *out)
{
	size_t i, j, k, total = 0;

	for (i = 0; i < n; i++)
		total += parts[i].nrows;
	out->rows = fd_xcalloc(FD_MAX(total, 1), sizeof(*out->rows));
	for (i = 0; i < n; i++) {
		for (j = 0; j < parts[i].nrows; j++) {
			const struct logs_query_row *r = &parts[i].rows[j];
			for (k = 0; regroup && k < out->nrows && !same_group(s, &out->rows[k], r);
			     k++)
				;
			if (regroup && k < out->nrows)
				combine(s, &out->rows[k], r);
			else
				row_copy(&out->rows[out->nrows++], r);
		}
	}
}

void
logs_query_merge(const char *query, const struct logs_query_result *parts, size_t n,
                 struct logs_query_result *out, int *additive)
{
	struct query_shape s;
	size_t i;
	int regroup;

	memset(out, 0, sizeof(*out));
	parse_shape(query, &s);
	*additive = 1;
	for (i = 0; i < s.nagg; i++)
		*additive &= s.kind[i] != AGG_OTHER;
	regroup = n > 1 && s.has_stats && *additive;
	fd_strlcpy(out->status, n ? parts[0].status : "Complete", sizeof(out->status));
	for (i = 0; i < n; i++) {
		out->matched += parts[i].matched;
		out->scanned += parts[i].scanned;
		out->bytes += parts[i].bytes;
		if (strcmp(parts[i].status, "Complete") != 0 &&
		    strcmp(out->status, "Complete") == 0)
			fd_strlcpy(out->status, parts[i].status, sizeof(out->status));
	}
	merge_rows(&s, regroup, parts, n, out);
	if (n > 1 && s.sort[0]) {
		sort_shape = &s;
		qsort(out->rows, out->nrows, sizeof(*out->rows), row_cmp);
		sort_shape = NULL;
	}
	while (n > 1 && s.limit > 0 && out->nrows > (size_t)s.limit) {
		struct logs_query_row *r = &out->rows[--out->nrows];
		for (i = 0; i < r->n; i++) {
			free(r->f[i].field);
			free(r->f[i].value);
		}
		free(r->f);
	}
}
