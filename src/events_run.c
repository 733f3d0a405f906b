/* events_run.c - invoking as an operator does: is the target production (profile
 * flag, tags, alias name) and did someone confirm it; every invocation written to the
 * history; batches with a concurrency limit and a summary (successes, errors, cold
 * starts from REPORT's Init Duration, duration percentiles). Runs on the aws client's
 * loop, so the TUI and headless commands share it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/sigv4.h"
#include "fleetdeck/state.h"

/* The client loop may notice a finished transfer only when its wait times out (a
 * transfer completed by the perform before the poll), so waits are kept short. */
#define WAIT_SLICE_MS 50

/* ---- production guardrail ---- */

int
fd_invoke_tag_is_prod(const char *key, const char *value)
{
	static const char *const keys[] = {"env", "environment", "stage", "Env", "Environment"};
	size_t i;
	int key_ok = 0;

	if (!key || !value)
		return 0;
	for (i = 0; i < FD_ARRAY_LEN(keys) && !key_ok; i++)
		key_ok = strcasecmp(key, keys[i]) == 0;
	return key_ok && (strcasecmp(value, "prod") == 0 || strcasecmp(value, "production") == 0);
}

static void
add_reason(struct fd_prod_check *pc, const char *what, const char *a, const char *b)
{
	size_t len = strlen(pc->why);

	pc->prod = 1;
	snprintf(pc->why + len, sizeof(pc->why) - len, "%s%s%s%s%s", len ? ", " : "", what, a,
	         b[0] ? "=" : "", b);
}

void
fd_invoke_prod_check(int profile_prod, const char *profile, const char *function,
                     const char *qualifier, const struct fd_invoke_target *t,
                     struct fd_prod_check *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	fd_strlcpy(out->function,
	           t && t->function ? t->function
	           : function       ? function
	                            : "",
	           sizeof(out->function));
	fd_strlcpy(out->qualifier, qualifier ? qualifier : "", sizeof(out->qualifier));
	if (t)
		fd_strlcpy(out->account, t->account, sizeof(out->account));
	if (profile_prod)
		add_reason(out, "marked prod: profile ", profile ? profile : "default", "");
	for (i = 0; t && i < t->ntags; i++)
		if (fd_invoke_tag_is_prod(t->tags[i].key, t->tags[i].value))
			add_reason(out, "tag ", t->tags[i].key, t->tags[i].value);
	if (qualifier &&
	    (strcasecmp(qualifier, "prod") == 0 || strcasecmp(qualifier, "production") == 0))
		add_reason(out, "alias ", qualifier, "");
}

void
fd_invoke_prod_text(const struct fd_prod_check *pc, char *out, size_t n)
{
	const char *q = pc->qualifier;
	int is_version = !q[0] || strspn(q, "0123456789") == strlen(q) || strcmp(q, "$LATEST") == 0;

	snprintf(out, n, "invoke PRODUCTION function %s, %s %s, in account %s (%s)", pc->function,
	         is_version ? "version" : "alias", q[0] ? q : "$LATEST",
	         pc->account[0] ? pc->account : "(unknown)", pc->why);
}

enum fd_status
fd_invoke_confirm(const struct fd_prod_check *pc, int yes, int interactive, FILE *in, FILE *out,
                  struct fd_err *err)
{
	char text[512], line[64];

	if (!pc->prod || yes)
		return FD_OK;
	fd_invoke_prod_text(pc, text, sizeof(text));
	if (!interactive || !in)
		return fd_err_set(err, FD_ECANCELLED,
		                  "refused to %s without confirmation: pass --yes to confirm in "
		                  "scripts",
		                  text);
	fprintf(out, "fleetdeck: about to %s.\nType \"yes\" to continue: ", text);
	fflush(out);
	if (!fgets(line, sizeof(line), in) || strcmp(fd_str_trim(line), "yes") != 0)
		return fd_err_set(err, FD_ECANCELLED, "not confirmed: nothing was invoked");
	return FD_OK;
}

/* ---- history ---- */

enum fd_status
fd_events_state_open(struct fd_state **out, struct fd_err *err)
{
	char *path = fd_state_default_path();
	enum fd_status st;

	*out = NULL;
	if (!path)
		return fd_err_set(err, FD_ECONFIG,
		                  "no place for state.db: set HOME or XDG_STATE_HOME");
	st = fd_state_open(path, out, err);
	free(path);
	if (st == FD_OK && (st = fd_events_use(*out, err)) != FD_OK) {
		fd_state_close(*out);
		*out = NULL;
	}
	return st;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? fd_xstrdup(s) : NULL;
}

static char *
dup_capped(const struct fd_buf *b, size_t cap, size_t *len)
{
	size_t n = FD_MIN(b->len, cap);
	char *out = fd_xmalloc(n + 1);

	if (n)
		memcpy(out, b->data, n);
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

static void
fill_report(struct fd_invoke_record *v, const struct fd_invoke_result *r)
{
	v->duration_ms = v->billed_ms = v->init_ms = v->max_memory_mb = NAN;
	if (!r->has_report)
		return;
	v->duration_ms = r->report.duration_ms;
	v->billed_ms = r->report.billed_ms;
	v->init_ms = r->report.init_ms;
	v->max_memory_mb = r->report.max_memory_mb;
}

static char *
call_error(const struct fd_invoke_result *r)
{
	char msg[768];

	if (r->error.status == FD_OK)
		return NULL;
	aws_error_format(&r->error, msg, sizeof(msg));
	return fd_xstrdup(msg);
}

void
fd_invoke_record_fill(struct fd_invoke_record *v, const struct fd_ctx *ctx,
                      const struct fd_invoke_req *in, const char *event_name,
                      const char *event_sha256, int64_t start_ms, const struct fd_invoke_result *r)
{
	memset(v, 0, sizeof(*v));
	v->time_ms = start_ms;
	if (ctx) {
		fd_strlcpy(v->profile, ctx->profile, sizeof(v->profile));
		fd_strlcpy(v->account, ctx->account, sizeof(v->account));
		fd_strlcpy(v->region, ctx->region, sizeof(v->region));
	}
	v->function = fd_xstrdup(in->function ? in->function : "");
	v->qualifier = dup_or_null(in->qualifier);
	v->type = fd_xstrdup(fd_invoke_type_name(in->type));
	v->event_name = dup_or_null(event_name);
	if (event_sha256)
		fd_strlcpy(v->event_sha256, event_sha256, sizeof(v->event_sha256));
	v->payload_len = in->payload ? in->len : 0;
	v->payload = in->len <= FD_HISTORY_PAYLOAD_CAP
	                 ? fd_xstrndup(in->payload ? in->payload : "", v->payload_len)
	                 : NULL;
	v->status = r->http_status;
	v->function_error = dup_or_null(r->function_error);
	v->error = call_error(r);
	v->client_ms = r->client_ms;
	fill_report(v, r);
	v->executed_version = dup_or_null(r->executed_version);
	v->request_id = dup_or_null(r->request_id);
	v->response_size = (long long)r->payload_size;
	v->response = dup_capped(&r->payload, FD_HISTORY_RESPONSE_CAP, &v->response_len);
	v->log_tail = r->log.len ? dup_capped(&r->log, FD_HISTORY_TAIL_CAP, NULL) : NULL;
}

/* ---- batches ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
fd_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)ceil(p / 100.0 * (double)n);
	return v[rank ? FD_MIN(rank, n) - 1 : 0];
}

struct batch {
	struct aws_client *c;
	const struct fd_batch_opts *o;
	struct fd_batch_summary *sum;
	size_t next, total, done, inflight;
	double *dur, *cli;
	size_t ndur, ncli;
	char (*sha)[65]; /* per event */
	int kick;        /* a callback started calls: wait without sleeping */
	enum fd_status st;
	struct fd_err err;
};

struct batch_job {
	struct batch *b;
	size_t ev;
	int64_t start_ms;
	struct fd_invoke_req req;
};

static void
tally(struct batch *b, const struct fd_invoke_result *r)
{
	struct fd_batch_summary *s = b->sum;

	if (r->error.status != FD_OK)
		s->call_errors++;
	else if (r->function_error[0])
		s->function_errors++;
	else
		s->ok++;
	if (r->timed_out)
		s->timeouts++;
	if (r->attempts > 1)
		s->retried++;
	if (r->has_report && isfinite(r->report.init_ms) && r->report.init_ms > 0)
		s->cold_starts++;
	if (r->has_report && isfinite(r->report.duration_ms))
		b->dur[b->ndur++] = r->report.duration_ms;
	if (r->error.status == FD_OK)
		b->cli[b->ncli++] = r->client_ms;
}

static void batch_fill(struct batch *b);

static void
batch_done(struct fd_invoke_result *r, void *ud)
{
	struct batch_job *j = ud;
	struct batch *b = j->b;
	const struct fd_batch_event *ev = &b->o->events[j->ev];
	struct fd_invoke_record v;

	tally(b, r);
	fd_invoke_record_fill(&v, b->o->ctx, &j->req, ev->name, b->sha[j->ev], j->start_ms, r);
	v.batch = b->sum->batch_id;
	if (b->o->state && fd_invoke_history_add(b->o->state, &v, &b->err) != FD_OK &&
	    b->st == FD_OK)
		b->st = b->err.status;
	if (v.id)
		b->sum->last_history_id = v.id;
	if (r->error.status != FD_OK && b->st == FD_OK) {
		aws_error_format(&r->error, b->err.msg, sizeof(b->err.msg));
		b->st = b->err.status = r->error.status;
	}
	if (b->o->on_result)
		b->o->on_result(&v, r, b->o->ud);
	fd_invoke_record_free(&v);
	free(j);
	b->inflight--;
	b->done++;
	batch_fill(b);
	b->kick = 1;
}

static void
batch_start(struct batch *b)
{
	struct batch_job *j = fd_xcalloc(1, sizeof(*j));
	const struct fd_batch_event *ev;
	struct fd_err err = {FD_OK, ""};

	j->b = b;
	j->ev = b->next++ % b->o->nevents;
	ev = &b->o->events[j->ev];
	j->req = *b->o->req;
	j->req.payload = ev->payload;
	j->req.len = ev->len;
	j->start_ms = fd_wall_now_ms();
	b->inflight++;
	if (!lambda_invoke(b->c, &j->req, batch_done, j, &err)) {
		/* Refused locally (sizes were checked, so this is unexpected): count it. */
		struct fd_invoke_result r;
		fd_invoke_result_init(&r);
		r.error.status = err.status;
		fd_strlcpy(r.error.message, err.msg, sizeof(r.error.message));
		batch_done(&r, j);
		fd_invoke_result_free(&r);
	}
}

static void
batch_fill(struct batch *b)
{
	while (b->next < b->total && b->inflight < (size_t)b->o->concurrency)
		batch_start(b);
}

static enum fd_status
batch_check(const struct fd_batch_opts *o, struct fd_err *err)
{
	size_t i;
	enum fd_status st;

	if (!o->nevents || o->times < 1 || o->concurrency < 1 ||
	    o->concurrency > FD_BATCH_MAX_CONCURRENCY)
		return fd_err_set(err, FD_EINVAL,
		                  "batch: need events, --times >= 1 and "
		                  "--concurrency between 1 and %d",
		                  FD_BATCH_MAX_CONCURRENCY);
	if (o->nevents * (size_t)o->times > FD_BATCH_MAX_TOTAL)
		return fd_err_set(err, FD_EINVAL, "batch: at most %d invocations at a time",
		                  FD_BATCH_MAX_TOTAL);
	for (i = 0; i < o->nevents; i++)
		if ((st = fd_invoke_check_size(o->req->type, o->events[i].len, err)) != FD_OK)
			return fd_err_prefix(err, "event %s",
			                     o->events[i].name ? o->events[i].name : "(unnamed)");
	return FD_OK;
}

static void
summarise(struct batch *b, int64_t t0)
{
	struct fd_batch_summary *s = b->sum;

	s->total = b->done;
	s->dur_p50 = fd_percentile(b->dur, b->ndur, 50);
	s->dur_p90 = fd_percentile(b->dur, b->ndur, 90);
	s->dur_p99 = fd_percentile(b->dur, b->ndur, 99);
	s->dur_max = fd_percentile(b->dur, b->ndur, 100);
	s->client_p50 = fd_percentile(b->cli, b->ncli, 50);
	s->client_p90 = fd_percentile(b->cli, b->ncli, 90);
	s->client_p99 = fd_percentile(b->cli, b->ncli, 99);
	s->client_max = fd_percentile(b->cli, b->ncli, 100);
	s->wall_ms = (double)(fd_now_ms() - t0);
}

enum fd_status
fd_invoke_batch(struct aws_client *c, const struct fd_batch_opts *o, struct fd_batch_summary *out,
                struct fd_err *err)
{
	struct batch b;
	enum fd_status st;
	int64_t t0 = fd_now_ms();
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((st = batch_check(o, err)) != FD_OK)
		return st;
	memset(&b, 0, sizeof(b));
	b.c = c;
	b.o = o;
	b.sum = out;
	b.total = o->nevents * (size_t)o->times;
	b.dur = fd_xcalloc(b.total, sizeof(*b.dur));
	b.cli = fd_xcalloc(b.total, sizeof(*b.cli));
	b.sha = fd_xcalloc(o->nevents, sizeof(*b.sha));
	for (i = 0; i < o->nevents; i++)
		sigv4_sha256_hex(o->events[i].payload ? o->events[i].payload : "", o->events[i].len,
		                 b.sha[i]);
	out->batch_id = b.total > 1 ? fd_wall_now_ms() : 0;
	batch_fill(&b);
	while (b.done < b.total) {
		/* Calls started from a completion callback are only picked up by the next
		 * wait, so that wait must not sleep. */
		st = aws_client_wait(c, NULL, 0, b.kick ? 0 : WAIT_SLICE_MS);
		b.kick = 0;
		if (st != FD_OK && aws_client_pending(c) == 0 && b.done < b.total) {
			b.st = fd_err_set(&b.err, st, "invoke: the client loop stopped");
			break;
		}
	}
	summarise(&b, t0);
	if (b.st != FD_OK && err)
		*err = b.err;
	free(b.dur);
	free(b.cli);
	free(b.sha);
	return b.st;
}
