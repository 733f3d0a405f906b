/* cwmetrics_parse.c - GetMetricData answers: each MetricDataResults entry is mapped
 * back by its query id ("m<function>_<metric>", "p<proxy>_<query>", or a fixed name)
 * to a series that is NAN-filled over the window and then given the answer's points;
 * a query CloudWatch failed is reported without failing the answer, and NextToken is
 * handed back for the next page. Pure: no network. aws/cwmetrics.c builds the
 * requests and runs the fetches. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/rdsproxy.h"
#include "cwmetrics_int.h"
#include "json_int.h"

/* Makes s a NAN-filled series over w, unless it already is one (an earlier page). */
void
cw_series_prepare(struct fd_series *s, const struct cw_window *w, size_t n)
{
	size_t i;

	if (s->values && s->start_s == w->start_s && s->period_s == w->period_s && s->n == n)
		return;
	free(s->values);
	s->values = fd_xcalloc(n, sizeof(*s->values));
	for (i = 0; i < n; i++)
		s->values[i] = NAN;
	s->start_s = w->start_s;
	s->period_s = w->period_s;
	s->n = n;
}

/* Epoch seconds as a number (what awsJson sends) or, defensively, an ISO-8601 string. */
static int
timestamp_of(const cJSON *t, int64_t *out)
{
	if (cJSON_IsNumber(t) && isfinite(t->valuedouble) && fabs(t->valuedouble) < 1e12) {
		*out = (int64_t)floor(t->valuedouble);
		return 0;
	}
	if (cJSON_IsString(t)) {
		time_t v = fd_parse_iso8601(t->valuestring);

		*out = (int64_t)v;
		return v == (time_t)-1 ? -1 : 0;
	}
	return -1;
}

static void
fill_points(struct fd_series *s, const cJSON *ts, const cJSON *vs)
{
	const cJSON *t = cJSON_IsArray(ts) ? ts->child : NULL;
	const cJSON *v = cJSON_IsArray(vs) ? vs->child : NULL;
	int64_t at, idx;

	for (; t && v; t = t->next, v = v->next) {
		if (timestamp_of(t, &at) != 0 || !cJSON_IsNumber(v) || at < s->start_s)
			continue;
		idx = (at - s->start_s) / s->period_s;
		if (idx < (int64_t)s->n)
			s->values[idx] = v->valuedouble;
	}
}

/* The first failed query is reported in err (status FD_EAWS) for the caller to show. */
static void
note_query_error(const cJSON *r, const char *id, const char *code, struct fd_err *err)
{
	const cJSON *msgs = cj_member(r, "Messages");
	const char *text = NULL;

	if (cJSON_IsArray(msgs) && msgs->child)
		text = cj_str_nonempty(msgs->child, "Value");
	if (err && err->status == FD_OK)
		fd_err_set(err, FD_EAWS, "GetMetricData query %.40s: %.40s%s%.300s", id, code,
		           text ? ": " : "", text ? text : "");
}

static void
result_apply(const cJSON *r, const struct cw_window *w, size_t npts, series_find_fn find, void *ctx,
             struct fd_err *err)
{
	const char *id = cj_str_nonempty(r, "Id"), *code = cj_str_nonempty(r, "StatusCode");
	struct fd_series *s;

	if (!id || !(s = find(id, ctx)))
		return;
	cw_series_prepare(s, w, npts);
	if (code && (strcmp(code, "InternalError") == 0 || strcmp(code, "Forbidden") == 0)) {
		note_query_error(r, id, code, err);
		return;
	}
	fill_points(s, cj_member(r, "Timestamps"), cj_member(r, "Values"));
}

enum fd_status
cw_parse_results(const char *json, size_t len, const struct cw_window *w, series_find_fn find,
                 void *ctx, char **next, struct fd_err *err)
{
	const cJSON *results, *r;
	const char *end = NULL;
	cJSON *doc;
	size_t npts;
	enum fd_status st = FD_OK;

	*next = NULL;
	if (cw_window_points(w, &npts) != 0)
		return fd_err_set(err, FD_EINVAL, "GetMetricData: invalid window");
	doc = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
	if (!cJSON_IsObject(doc)) {
		st = fd_err_set(err, FD_EPARSE,
		                "GetMetricData: answer is not a JSON object (%zu "
		                "bytes, bad at byte %zu)",
		                len, end && end >= json ? (size_t)(end - json) : 0);
		goto out;
	}
	results = cj_member(doc, "MetricDataResults");
	if (results && !cJSON_IsArray(results)) {
		st = fd_err_set(err, FD_EPARSE, "GetMetricData: MetricDataResults is not a list");
		goto out;
	}
	cJSON_ArrayForEach(r, results) result_apply(r, w, npts, find, ctx, err);
	if (cj_str_nonempty(doc, "NextToken"))
		*next = fd_xstrdup(cj_str_nonempty(doc, "NextToken"));
out:
	cJSON_Delete(doc);
	return st;
}

/* "m<function index>_<metric index>", decimal without leading zeros. */
static int
parse_index(const char **p, size_t *out)
{
	size_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (SIZE_MAX - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

/* A query id "<prefix><a>_<b>": 0 with a and b set, -1 when id is not one. */
static int
parse_query_id(const char *id, char prefix, size_t *a, size_t *b)
{
	const char *p = id + 1;

	return id[0] == prefix && parse_index(&p, a) == 0 && *p++ == '_' &&
	               parse_index(&p, b) == 0 && !*p
	           ? 0
	           : -1;
}

struct fd_series *
cw_grid_find(const char *id, void *ctx)
{
	struct cw_grid *g = ctx;
	size_t fn, m;

	if (parse_query_id(id, 'm', &fn, &m) != 0 || fn >= g->n || m >= FD_M_COUNT)
		return NULL;
	return &g->out[fn].s[m];
}

enum fd_status
cw_parse_response(const char *json, size_t len, const struct cw_window *w,
                  struct fd_function_metrics *out, size_t n, char **next_token, struct fd_err *err)
{
	struct cw_grid g = {.out = out, .n = n};

	return cw_parse_results(json, len, w, cw_grid_find, &g, next_token, err);
}

struct fd_series *
cw_proxy_find(const char *id, void *ctx)
{
	struct cw_proxy_grid *g = ctx;
	size_t p, k;

	if (parse_query_id(id, 'p', &p, &k) != 0 || p >= g->n || k >= FD_PQ_COUNT)
		return NULL;
	return &g->out[p].s[k];
}

enum fd_status
cw_parse_proxy_response(const char *json, size_t len, const struct cw_window *w,
                        struct fd_proxy_metrics *out, size_t n, char **next_token,
                        struct fd_err *err)
{
	struct cw_proxy_grid g = {.out = out, .n = n};

	return cw_parse_results(json, len, w, cw_proxy_find, &g, next_token, err);
}
