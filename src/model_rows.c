/* model_rows.c - the function table: one row per function from its metric summary
 * over the window (cache/summary.c computes them when metrics are written; the
 * percentile columns are invocation-weighted means of the per-period values, see
 * there), the risks, the totals, and the filtered, sorted view. Work is done only
 * when data, window, filter or sort changed (need_summary / need_view); the arrays
 * keep their capacity, so a redraw costs nothing and a refresh reallocates nothing.
 * The columns and the cells' values and text are model_cells.c's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/risks.h"
#include "fleetdeck/util.h"
#include "fleetdeck/queues.h"
#include "model_int.h"

_Static_assert(FD_SPARK_POINTS == FD_SUMMARY_SPARK, "sparkline buckets differ");

static void
summarise_row(struct fd_fn_row *r, const struct fd_function *fn,
              const struct fd_metric_summary *sum)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->worst = FD_SEV_INFO;
	r->invocations = r->errors = r->error_pct = r->throttles = NAN;
	r->p50 = r->p99 = r->max_ms = r->concurrency = r->cold_pct = r->cost_usd_month = NAN;
	for (i = 0; i < FD_SPARK_POINTS; i++)
		r->spark[i] = NAN;
	if (!sum)
		return;
	r->invocations = sum->val[FD_M_INVOCATIONS];
	r->errors = sum->val[FD_M_ERRORS];
	r->throttles = sum->val[FD_M_THROTTLES];
	if (!isnan(r->invocations) && r->invocations > 0)
		r->error_pct = (isnan(r->errors) ? 0.0 : r->errors) * 100.0 / r->invocations;
	r->p50 = sum->val[FD_M_DURATION_P50];
	r->p99 = sum->val[FD_M_DURATION_P99];
	r->max_ms = sum->val[FD_M_DURATION_MAX];
	r->concurrency = sum->val[FD_M_CONCURRENCY];
	memcpy(r->spark, sum->spark, sizeof(r->spark));
}

/* What the risk checks read of a function's metrics (window totals of Sum metrics,
 * the worst period of the others) as one point per metric at at_s, inside the window
 * the checks look at. vals holds the points. */
struct risk_metrics {
	struct fd_function_metrics fm;
	double vals[FD_M_COUNT];
};

static const struct fd_function_metrics *
risk_metrics(const struct fd_metric_summary *sum, int64_t at_s, struct risk_metrics *out)
{
	int k;

	memset(out, 0, sizeof(*out));
	if (!sum)
		return NULL;
	for (k = 0; k < FD_M_COUNT; k++) {
		int is_sum = strcmp(fd_metric_info((enum fd_metric)k)->stat, "Sum") == 0;
		out->vals[k] = is_sum ? sum->val[k] : sum->peak[k];
		if (isnan(out->vals[k]))
			continue;
		out->fm.s[k].start_s = at_s;
		out->fm.s[k].period_s = 60;
		out->fm.s[k].n = 1;
		out->fm.s[k].values = &out->vals[k];
	}
	return &out->fm;
}

static const char *const *
muted_for(const struct fd_model *m, const char *fn)
{
	size_t i;

	for (i = 0; i < m->nmutes; i++)
		if (fd_str_eq(m->mutes[i].function, fn))
			return (const char *const *)m->mutes[i].ids;
	for (i = 0; i < m->nmutes; i++)
		if (strcmp(m->mutes[i].function, "*") == 0)
			return (const char *const *)m->mutes[i].ids;
	return NULL;
}

static const struct fd_log_group *
group_of(struct fd_model *m, const struct fd_function *fn)
{
	char def[512];

	if (fn->log_group)
		return fd_model_log_group(m, fn->log_group);
	snprintf(def, sizeof(def), "/aws/lambda/%s", fn->name ? fn->name : "");
	return fd_model_log_group(m, def);
}

/* Risks of one function, appended to m->risks (grown geometrically: thousands of
 * functions may each add one). */
static void
eval_row_risks(struct fd_model *m, struct fd_fn_row *r, const struct fd_metric_summary *sum,
               int64_t now_s)
{
	struct fd_risk_input in;
	struct risk_metrics rm;
	struct fd_risk *found = NULL;
	size_t n = 0, i;

	memset(&in, 0, sizeof(in));
	in.fn = r->fn;
	in.metrics = risk_metrics(sum, now_s - 1, &rm);
	in.log_group = group_of(m, r->fn);
	in.now_s = now_s;
	in.window_s = m->window_s;
	in.muted = muted_for(m, r->fn->name);
	in.iam = fd_iam_model_facts(m, r->fn);
	in.queues = m->qfacts;
	in.nqueues = m->nqfacts;
	fd_risks_eval(&in, &found, &n);
	if (!n)
		return;
	if (m->nrisks + n > m->cap_risks) {
		m->cap_risks = FD_MAX(m->cap_risks * 2, m->nrisks + n + 64);
		m->risks = fd_xreallocarray(m->risks, m->cap_risks, sizeof(*m->risks));
	}
	memcpy(m->risks + m->nrisks, found, n * sizeof(*found));
	m->nrisks += n;
	free(found);
	r->nrisks = (int)n;
	for (i = 0; i < n; i++)
		if (m->risks[m->nrisks - n + i].severity > r->worst)
			r->worst = m->risks[m->nrisks - n + i].severity;
}

/* A row for a record outside the model's arrays (a streamed listing): its summary and
 * how many risks it has; the risks themselves are not kept. */
void
model_row_fill(struct fd_model *m, struct fd_fn_row *r, const struct fd_function *fn,
               const struct fd_metric_summary *sum, int64_t now_s)
{
	struct fd_risk_input in;
	struct risk_metrics rm;
	struct fd_risk *found = NULL;
	size_t n = 0, i;

	summarise_row(r, fn, sum);
	memset(&in, 0, sizeof(in));
	in.fn = fn;
	in.metrics = risk_metrics(sum, now_s - 1, &rm);
	in.log_group = group_of(m, fn);
	in.now_s = now_s;
	in.window_s = m->window_s;
	in.muted = muted_for(m, fn->name);
	fd_risks_eval(&in, &found, &n);
	r->nrisks = (int)n;
	for (i = 0; i < n; i++)
		if (found[i].severity > r->worst)
			r->worst = found[i].severity;
	fd_risks_free(found, n);
}

static int
cmp_risk(const void *a, const void *b)
{
	const struct fd_risk *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	c = strcmp(x->function, y->function);
	return c ? c : strcmp(x->check_id, y->check_id);
}

static void
add_total(double *acc, double v)
{
	if (!isnan(v))
		*acc = isnan(*acc) ? v : *acc + v;
}

static void
compute_totals(struct fd_model *m)
{
	struct fd_totals *t = &m->totals;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->functions = m->nfns;
	t->invocations = t->errors = t->throttles = NAN;
	model_account_totals(m, t);
	for (i = 0; i < m->nfns; i++) {
		add_total(&t->invocations, m->rows[i].invocations);
		add_total(&t->errors, m->rows[i].errors);
		add_total(&t->throttles, m->rows[i].throttles);
	}
	for (i = 0; i < m->nrisks; i++)
		if ((unsigned)m->risks[i].severity < FD_SEV_COUNT)
			t->risks_by_severity[m->risks[i].severity]++;
}

static int64_t
oldest_fetched(const struct fd_model *m)
{
	int64_t oldest = 0;
	size_t i;

	for (i = 0; i < m->nfns; i++)
		if (m->fns[i].fetched_ms > 0 && (!oldest || m->fns[i].fetched_ms < oldest))
			oldest = m->fns[i].fetched_ms;
	return oldest;
}

/* Frees the risks' strings; the array keeps its capacity. */
static void
clear_risks(struct fd_model *m)
{
	size_t i;

	for (i = 0; i < m->nrisks; i++) {
		free(m->risks[i].function);
		free(m->risks[i].reason);
	}
	m->nrisks = 0;
}

/* Cold starts per 100 finished records of the window, from one cache query joined by
 * name with the rows (still in fns order); rows without records keep NAN. */
static void
apply_cold_counts(struct fd_model *m)
{
	struct fd_inv_cold_count *cc = NULL;
	struct fd_err err = {FD_OK, ""};
	int64_t to_ms = (int64_t)fd_wall_now() * 1000;
	size_t n = 0, i, j = 0;

	if (!m->cache || fd_cache_cold_counts(m->cache, &m->ctx, to_ms - m->window_s * 1000LL,
					      to_ms, &cc, &n, &err) != FD_OK)
		return;
	for (i = 0; i < m->nfns && j < n; i++) {
		const char *name = m->fns[i].name ? m->fns[i].name : "";
		while (j < n && strcmp(cc[j].function, name) < 0)
			j++;
		if (j < n && strcmp(cc[j].function, name) == 0 && cc[j].invocations > 0)
			m->rows[i].cold_pct = (double)cc[j].cold_starts * 100.0 /
					      (double)cc[j].invocations;
	}
	free(cc);
}

/* Rows and risks for every function; summaries joined by name (both arrays sorted). */
void
model_ensure_summary(struct fd_model *m)
{
	int64_t now_s = (int64_t)fd_wall_now();
	size_t i, j = 0;

	if (!m->need_summary)
		return;
	if (m->nfns > m->cap_rows) {
		m->cap_rows = m->nfns + m->nfns / 8 + 16;
		m->rows = fd_xreallocarray(m->rows, m->cap_rows, sizeof(*m->rows));
		m->pos = fd_xreallocarray(m->pos, m->cap_rows, sizeof(*m->pos));
		m->order = fd_xreallocarray(m->order, m->cap_rows, sizeof(*m->order));
		m->scratch = fd_xreallocarray(m->scratch, m->cap_rows, sizeof(*m->scratch));
	}
	clear_risks(m);
	fd_iam_model_prepare(m);
	for (i = 0; i < m->nfns; i++) {
		const struct fd_metric_summary *sum = NULL;
		const char *name = m->fns[i].name ? m->fns[i].name : "";
		while (j < m->nsums && strcmp(m->sums[j].function, name) < 0)
			j++;
		if (j < m->nsums && strcmp(m->sums[j].function, name) == 0)
			sum = &m->sums[j];
		summarise_row(&m->rows[i], &m->fns[i], sum);
		eval_row_risks(m, &m->rows[i], sum, now_s);
		m->pos[i] = (uint32_t)i;
	}
	apply_cold_counts(m);
	model_apply_costs(m);
	if (m->nrisks)
		qsort(m->risks, m->nrisks, sizeof(*m->risks), cmp_risk);
	compute_totals(m);
	m->st.data_fetched_ms = oldest_fetched(m);
	m->focus_fn = SIZE_MAX;
	m->need_summary = 0;
	m->need_view = 1;
}

/* ---- one batch of new summaries: only their rows and risks change ---- */

static int
cmp_name_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Drops the risks of the functions in names (sorted); the rest stay sorted. */
static void
drop_risks_of(struct fd_model *m, const char **names, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < m->nrisks; i++) {
		const char *fn = m->risks[i].function;
		if (bsearch(&fn, names, n, sizeof(*names), cmp_name_ptr)) {
			free(m->risks[i].function);
			free(m->risks[i].reason);
		} else {
			m->risks[k++] = m->risks[i];
		}
	}
	m->nrisks = k;
}

/* risks[0, kept) and risks[kept, n) are each sorted: one merge makes them one run. */
static void
merge_risks(struct fd_model *m, size_t kept)
{
	struct fd_risk *tmp;
	size_t a = 0, b = kept, k = 0, added = m->nrisks - kept;

	if (!added)
		return;
	qsort(m->risks + kept, added, sizeof(*m->risks), cmp_risk);
	tmp = fd_xreallocarray(NULL, m->nrisks, sizeof(*tmp));
	while (a < kept && b < m->nrisks)
		tmp[k++] = cmp_risk(&m->risks[b], &m->risks[a]) < 0 ? m->risks[b++] : m->risks[a++];
	while (a < kept)
		tmp[k++] = m->risks[a++];
	while (b < m->nrisks)
		tmp[k++] = m->risks[b++];
	memcpy(m->risks, tmp, m->nrisks * sizeof(*tmp));
	free(tmp);
}

static int
col_from_metrics(enum fd_fn_col c)
{
	return (unsigned)c < FD_FC_COUNT && (fd_fn_col_info(c)->type == 'N' || c == FD_FC_RISKS);
}

/* The rows of the named functions are rebuilt from their records and summaries (their
 * metrics or detail changed); when the rows are not built yet, or other data changed,
 * everything is rebuilt at the next read instead. Sorted by a column that only the
 * listing sets, the rows stay where they are. */
void
model_rows_update(struct fd_model *m, const char *const *changed, size_t n, int detail)
{
	int64_t now_s = (int64_t)fd_wall_now();
	const char **names;
	size_t i, k = 0, kept;

	if (m->need_summary) {
		model_changed(m);
		return;
	}
	if (detail)
		fd_iam_model_prepare(m); /* tags feed the IAM facts */
	names = fd_xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		if (changed[i] && model_find_function(m, changed[i]))
			names[k++] = changed[i];
	qsort(names, k, sizeof(*names), cmp_name_ptr);
	drop_risks_of(m, names, k);
	kept = m->nrisks;
	for (i = 0; i < k; i++) {
		struct fd_function *fn = model_find_function(m, names[i]);
		struct fd_fn_row *r = model_row_at(m, (size_t)(fn - m->fns));
		const struct fd_metric_summary *sum = model_find_summary(m, names[i]);
		double cold_pct = r->cold_pct, cost = r->cost_usd_month; /* not from metrics */
		summarise_row(r, fn, sum);
		r->cold_pct = cold_pct;
		r->cost_usd_month = cost;
		eval_row_risks(m, r, sum, now_s);
	}
	merge_risks(m, kept);
	compute_totals(m);
	free(names);
	fd_function_metrics_free(&m->focus);
	if (m->focus_fn < m->nfns)
		model_row_at(m, m->focus_fn)->metrics = NULL;
	m->focus_fn = SIZE_MAX;
	if (col_from_metrics(m->sort_col))
		m->need_view = 1;
	m->dirty = 1;
}

void
model_rows_free(struct fd_model *m)
{
	free(m->rows);
	free(m->pos);
	free(m->order);
	free(m->scratch);
	fd_risks_free(m->risks, m->nrisks);
	if (m->md)
		pcre2_match_data_free(m->md);
	if (m->re)
		pcre2_code_free(m->re);
	free(m->filter);
}

/* Filter: case-smart (insensitive unless the pattern has an uppercase letter). */
static int
has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

enum fd_status
fd_model_set_filter(struct fd_model *m, const char *regex, struct fd_err *err)
{
	pcre2_code *re = NULL;
	PCRE2_SIZE off = 0;
	int code = 0;

	if (regex && *regex) {
		uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
		if (!has_upper(regex))
			opts |= PCRE2_CASELESS;
		re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, opts, &code, &off,
		                   NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			return fd_err_set(err, FD_EINVAL, "at offset %zu: %s", (size_t)off,
			                  (const char *)msg);
		}
		/* JIT when the platform has it (run on every row at each refresh); the
		 * interpreter is the fallback when it fails. */
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	}
	if (m->md)
		pcre2_match_data_free(m->md);
	if (m->re)
		pcre2_code_free(m->re);
	free(m->filter);
	m->re = re;
	m->md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
	m->filter = regex && *regex ? fd_xstrdup(regex) : NULL;
	m->need_view = 1;
	m->dirty = 1;
	return FD_OK;
}

const char *
fd_model_filter(const struct fd_model *m)
{
	return m->filter ? m->filter : "";
}

void
fd_model_set_sort(struct fd_model *m, enum fd_fn_col col, int descending)
{
	if ((unsigned)col >= FD_FC_COUNT)
		return;
	if (col == m->sort_col && !!descending == m->sort_desc)
		return;
	m->sort_col = col;
	m->sort_desc = !!descending;
	m->need_view = 1;
	m->dirty = 1;
}

void
fd_model_sort(const struct fd_model *m, enum fd_fn_col *col, int *descending)
{
	if (col)
		*col = m->sort_col;
	if (descending)
		*descending = m->sort_desc;
}

/* Missing values (NAN, NULL) sort last in either direction; names break ties. */
static int
cmp_rows(const struct fd_model *m, const struct fd_fn_row *a, const struct fd_fn_row *b)
{
	const char *na = a->fn->name ? a->fn->name : "", *nb = b->fn->name ? b->fn->name : "";
	int c = 0, missing_a, missing_b;

	if (fd_fn_col_info(m->sort_col)->type == 'S') {
		const char *x = fd_fn_row_str(a, m->sort_col), *y = fd_fn_row_str(b, m->sort_col);
		missing_a = !x;
		missing_b = !y;
		if (x && y)
			c = strcmp(x, y);
	} else {
		double x = fd_fn_row_num(a, m->sort_col), y = fd_fn_row_num(b, m->sort_col);
		missing_a = isnan(x);
		missing_b = isnan(y);
		if (!missing_a && !missing_b)
			c = x < y ? -1 : (x > y ? 1 : 0);
	}
	if (missing_a != missing_b)
		return missing_a ? 1 : -1;
	if (c && m->sort_desc)
		c = -c;
	return c ? c : strcmp(na, nb);
}

/* Stable merge sort of row indexes (qsort has no context argument in C11). */
static void
merge_sort(const struct fd_model *m, uint32_t *a, uint32_t *tmp, size_t n)
{
	size_t width, i;

	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t lo = i, mid = FD_MIN(i + width, n), hi = FD_MIN(i + 2 * width, n);
			size_t l = lo, r = mid, k = lo;
			while (l < mid && r < hi)
				tmp[k++] = cmp_rows(m, &m->rows[a[r]], &m->rows[a[l]]) < 0 ? a[r++]
				                                                           : a[l++];
			while (l < mid)
				tmp[k++] = a[l++];
			while (r < hi)
				tmp[k++] = a[r++];
		}
		memcpy(a, tmp, n * sizeof(*a));
	}
}

int
model_row_matches(struct fd_model *m, const struct fd_function *fn)
{
	const char *name = fn->name ? fn->name : "";

	if (!m->re)
		return 1;
	return pcre2_match(m->re, (PCRE2_SPTR)name, strlen(name), 0, 0, m->md, NULL) >= 0;
}

/* Moves the rows into the order of m->order (rows[j] becomes old rows[order[j]]), in
 * place: each cycle of the permutation is walked once with one row held aside. */
static void
permute_rows(struct fd_model *m)
{
	struct fd_fn_row held;
	uint32_t *done = m->scratch;
	size_t i, j, k, n = m->nfns;

	if (!n)
		return;
	memset(done, 0, n * sizeof(*done));
	for (i = 0; i < n; i++) {
		if (done[i] || m->order[i] == i)
			continue;
		held = m->rows[i];
		for (j = i; m->order[j] != i; j = k) {
			k = m->order[j];
			m->rows[j] = m->rows[k];
			done[j] = 1;
		}
		m->rows[j] = held;
		done[j] = 1;
	}
	for (i = 0; i < n; i++)
		m->pos[m->rows[i].fn - m->fns] = (uint32_t)i;
}

/* Matching rows sorted first, the others after them: one array, no copy. */
static void
ensure_view(struct fd_model *m)
{
	size_t i, n = 0, rest;

	model_ensure_summary(m);
	if (!m->need_view)
		return;
	for (i = 0; i < m->nfns; i++)
		if (model_row_matches(m, m->rows[i].fn))
			m->order[n++] = (uint32_t)i;
	merge_sort(m, m->order, m->scratch, n);
	for (i = 0, rest = n; i < m->nfns; i++)
		if (!model_row_matches(m, m->rows[i].fn))
			m->order[rest++] = (uint32_t)i;
	permute_rows(m);
	m->nview = n;
	m->need_view = 0;
}

size_t
fd_model_rows(struct fd_model *m, const struct fd_fn_row **rows)
{
	ensure_view(m);
	if (rows)
		*rows = m->rows;
	return m->nview;
}

void
fd_model_totals(struct fd_model *m, struct fd_totals *out)
{
	struct fd_queues_status qs;
	struct fd_dlq_summary d;

	model_ensure_summary(m);
	*out = m->totals;
	out->dlq_oldest_age_s = NAN;
	if (!m->queues)
		return;
	fd_queues_status(m->queues, &qs);
	if (!qs.fetched_ms)
		return;
	fd_queues_summary(m->queues, &d);
	out->dlqs_known = 1;
	out->dlqs = d.dlqs;
	out->dlqs_with_messages = d.dlqs_with_messages;
	out->dlq_messages = d.dlq_messages;
	out->dlq_oldest_age_s = d.oldest_age_s;
	fd_strlcpy(out->dlq_worst, d.worst, sizeof(out->dlq_worst));
}

struct fd_fn_row *
model_row_at(struct fd_model *m, size_t i)
{
	return &m->rows[m->pos[i]];
}

/* The row, with its series read from the cache when it has metrics (one function at a
 * time: the function view's charts). */
const struct fd_fn_row *
fd_model_row(struct fd_model *m, const char *name)
{
	const struct fd_function *fn;
	size_t i;

	model_ensure_summary(m);
	fn = model_find_function(m, name);
	if (!fn)
		return NULL;
	i = (size_t)(fn - m->fns);
	if (m->focus_fn < m->nfns && m->focus_fn != i)
		model_row_at(m, m->focus_fn)->metrics = NULL;
	m->focus_fn = i;
	if (model_find_summary(m, name))
		model_row_at(m, i)->metrics = model_focus(m, name);
	return model_row_at(m, i);
}

size_t
fd_model_risks(struct fd_model *m, const struct fd_risk **risks)
{
	model_ensure_summary(m);
	if (risks)
		*risks = m->risks;
	return m->nrisks;
}
