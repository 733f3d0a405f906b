/* redrive.c - the client-side redrive job: starting one (source and target resolved
 * and checked, the job row written), resuming one from the journal after a crash,
 * the journal helpers every stage uses, and the headless run loop. The stages
 * themselves are in redrive_pump.c and redrive_send.c. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "redrive_int.h"

#define DEFAULT_VISIBILITY_S 60
#define DEFAULT_HOLD_S 1800
#define DEFAULT_CANARY_WAIT_S 60
#define HEARTBEAT_MS 5000
#define OWNER_STALE_MS 60000
/* The longest wait between steps: the client may hand an answer over only when a
 * wait ends, so short waits keep the pipeline moving. */
#define STEP_MS 50

/* ---- journal helpers ---- */

void
rd_mark(struct fd_redrive *r, const char *id, enum fd_rm_state st, const char *why)
{
	if (r->nmarks == r->capmarks) {
		r->capmarks = r->capmarks ? r->capmarks * 2 : 32;
		r->marks = fd_xreallocarray(r->marks, r->capmarks, sizeof(*r->marks));
	}
	r->marks[r->nmarks].id = fd_xstrdup(id);
	r->marks[r->nmarks].state = st;
	r->marks[r->nmarks].why = why;
	r->nmarks++;
}

static void
save_job(struct fd_redrive *r, struct fd_err *err, enum fd_status *st)
{
	if (*st != FD_OK)
		return;
	r->job.updated_ms = fd_wall_now_ms();
	*st = fd_journal_job_save(r->st, &r->job, err);
}

enum fd_status
rd_flush_marks(struct fd_redrive *r)
{
	enum fd_status st = FD_OK;
	size_t i;

	for (i = 0; i < r->nmarks; i++) {
		if (st == FD_OK)
			st =
			    fd_journal_set_state(r->st, r->job.id, r->marks[i].id,
			                         r->marks[i].state, NULL, r->marks[i].why, &r->err);
		free(r->marks[i].id);
	}
	r->nmarks = 0;
	return st;
}

int
rd_begin(struct fd_redrive *r)
{
	enum fd_status st = fd_journal_begin(r->st, &r->err);
	int64_t now = fd_wall_now_ms();

	if (st == FD_OK)
		st = rd_flush_marks(r);
	if (st == FD_OK && now - r->job.heartbeat_ms >= HEARTBEAT_MS) {
		r->job.heartbeat_ms = now;
		save_job(r, &r->err, &st);
	}
	if (st != FD_OK) {
		fd_journal_rollback(r->st);
		rd_fail(r, st, "journal: %s", r->err.msg);
		return 0;
	}
	return 1;
}

int
rd_commit(struct fd_redrive *r)
{
	enum fd_status st = fd_journal_commit(r->st, &r->err);

	if (st != FD_OK) {
		fd_journal_rollback(r->st);
		rd_fail(r, st, "journal: %s", r->err.msg);
		return 0;
	}
	return 1;
}

/* The journal cannot be trusted any more (disk full, I/O error): stop at once and
 * take no further step; what was committed is safe, the rest reappears in SQS. */
void
rd_fail(struct fd_redrive *r, enum fd_status st, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->finished)
		return;
	r->finished = 1;
	r->result = st;
	fd_err_set(&r->err, st, "redrive job %lld: %s", (long long)r->job.id, msg);
	fd_strlcpy(r->job.status, "failed", sizeof(r->job.status));
	free(r->job.message);
	r->job.message = fd_xstrdup(msg);
	r->job.owner_pid = 0;
	(void)fd_journal_job_save(r->st, &r->job, NULL);
}

void
rd_call_failed(struct fd_redrive *r, const struct aws_error *e)
{
	int64_t now = fd_now_ms();
	int64_t delay = 250LL << FD_MIN(r->errors, 7);

	aws_error_format(e, r->last_error, sizeof(r->last_error));
	r->errors++;
	r->backoff_until_ms = now + FD_MIN(delay, 30000);
	if (r->errors < RD_MAX_ERRORS || r->stopping)
		return;
	r->stopping = 1;
	free(r->job.message);
	r->job.message =
	    fd_xasprintf("gave up after %d failed calls in a row: %s", r->errors, r->last_error);
	fd_strlcpy(r->job.status, "interrupted", sizeof(r->job.status));
}

void
rd_call_ok(struct fd_redrive *r)
{
	r->errors = 0;
}

struct rd_call *
rd_call_new(struct fd_redrive *r, enum rd_call_kind kind)
{
	struct rd_call *call = fd_xcalloc(1, sizeof(*call));

	call->r = r;
	call->kind = kind;
	call->next = r->calls;
	r->calls = call;
	return call;
}

void
rd_call_end(struct rd_call *call)
{
	struct rd_call **p = &call->r->calls;
	size_t i;

	while (*p && *p != call)
		p = &(*p)->next;
	if (*p)
		*p = call->next;
	for (i = 0; i < call->n; i++)
		free(call->receipts[i]);
	free(call);
}

int
rd_group_blocked(const struct fd_redrive *r, const char *group)
{
	size_t i;

	for (i = 0; group && i < r->nblocked; i++)
		if (strcmp(r->blocked[i], group) == 0)
			return 1;
	return 0;
}

void
rd_block_group(struct fd_redrive *r, const char *group)
{
	if (!group || rd_group_blocked(r, group))
		return;
	r->blocked = fd_xreallocarray(r->blocked, r->nblocked + 1, sizeof(*r->blocked));
	r->blocked[r->nblocked++] = fd_xstrdup(group);
}

/* ---- starting and resuming ---- */

static void
aws_fail(struct fd_err *err, enum fd_status st, const struct aws_error *e, const char *what)
{
	char msg[600];

	aws_error_format(e, msg, sizeof(msg));
	fd_err_set(err, st, "%s: %s", what, msg);
}

static char *
join_filters(const char *const *specs, size_t n)
{
	struct fd_buf b;
	size_t i;

	if (!n)
		return NULL;
	fd_buf_init(&b);
	for (i = 0; i < n; i++)
		fd_buf_printf(&b, "%s%s", i ? "\n" : "", specs[i]);
	return fd_buf_steal(&b);
}

static enum fd_status
filter_from_job(struct fd_redrive *r, struct fd_err *err)
{
	char *copy, *save = NULL, *line;
	const char *specs[64];
	size_t n = 0;
	enum fd_status st;

	if (!r->job.filters)
		return FD_OK;
	copy = fd_xstrdup(r->job.filters);
	for (line = strtok_r(copy, "\n", &save); line && n < FD_ARRAY_LEN(specs);
	     line = strtok_r(NULL, "\n", &save))
		specs[n++] = line;
	st = fd_msg_filter_new(specs, n, &r->filter, err);
	free(copy);
	return st;
}

static struct fd_redrive *
engine_new(struct aws_client *c, struct fd_state *st)
{
	struct fd_redrive *r = fd_xcalloc(1, sizeof(*r));

	r->c = c;
	r->st = st;
	r->run_started_ms = fd_now_ms();
	r->refill_ms = fd_now_ms();
	fd_strlcpy(r->phase, "starting", sizeof(r->phase));
	return r;
}

static void
job_defaults(struct fd_redrive_job *j, const struct fd_redrive_opts *o)
{
	j->dry_run = o->dry_run;
	j->rate = o->rate > 0 ? o->rate : 0;
	j->max = o->max > 0 ? o->max : 0;
	j->canary = o->canary > 0 ? o->canary : 0;
	j->canary_wait_s = o->canary_wait_s > 0 ? o->canary_wait_s : DEFAULT_CANARY_WAIT_S;
	j->visibility_s = o->visibility_s > 0 ? o->visibility_s : DEFAULT_VISIBILITY_S;
	j->hold_s = o->hold_s > 0 ? o->hold_s : DEFAULT_HOLD_S;
	if (j->hold_s < j->visibility_s)
		j->hold_s = j->visibility_s;
}

static enum fd_status
create_job(struct fd_redrive *r, const struct fd_ctx *ctx, const struct fd_redrive_opts *o,
           const struct fd_queue *src, struct fd_err *err)
{
	struct fd_redrive_job *j = &r->job;

	if (ctx)
		j->ctx = *ctx;
	j->source_url = fd_xstrdup(src->url);
	j->source_arn = src->arn ? fd_xstrdup(src->arn) : NULL;
	j->source_name = fd_xstrdup(src->name);
	j->source_fifo = src->fifo;
	j->filters = join_filters(o->filters, o->nfilters);
	job_defaults(j, o);
	fd_strlcpy(j->status, "running", sizeof(j->status));
	j->created_ms = j->updated_ms = j->heartbeat_ms = fd_wall_now_ms();
	j->owner_pid = (long)getpid();
	j->total_hint = FD_MAX(src->visible, 0);
	if (fd_journal_job_create(r->st, j, err) != FD_OK)
		return err->status;
	return fd_journal_job_save(r->st, j, err);
}

enum fd_status
fd_redrive_start(struct aws_client *c, struct fd_state *st, const struct fd_ctx *ctx,
                 const struct fd_redrive_opts *o, struct fd_redrive **out, struct fd_err *err)
{
	struct fd_redrive *r = engine_new(c, st);
	struct fd_queue src;
	struct aws_error aerr;
	enum fd_status rc;

	*out = NULL;
	memset(&src, 0, sizeof(src));
	rc = fd_journal_init(st, err);
	if (rc == FD_OK)
		rc = fd_msg_filter_new(o->filters, o->nfilters, &r->filter, err);
	if (rc == FD_OK && (rc = sqs_resolve(c, o->source, &src, &aerr)) != FD_OK)
		aws_fail(err, rc, &aerr, "source queue");
	if (rc == FD_OK)
		rc = rd_resolve_target(r, c, o, &src, err);
	if (rc == FD_OK)
		rc = create_job(r, ctx, o, &src, err);
	fd_queue_free(&src);
	if (rc != FD_OK) {
		fd_redrive_free(r);
		return rc;
	}
	if (r->job.canary)
		rd_canary_begin(r);
	*out = r;
	return FD_OK;
}

static int
owner_alive(const struct fd_redrive_job *j)
{
	if (!j->owner_pid || j->owner_pid == (long)getpid())
		return 0;
	if (fd_wall_now_ms() - j->heartbeat_ms > OWNER_STALE_MS)
		return 0;
	return kill((pid_t)j->owner_pid, 0) == 0;
}

/* Puts the journal's unfinished messages back on their lists. */
static enum fd_status
load_stage(struct fd_redrive *r, enum fd_rm_state state, struct rd_list *l, struct fd_err *err)
{
	struct fd_sqs_msg *msgs;
	struct rd_msg *m;
	size_t n, i;
	enum fd_status st = fd_journal_load(r->st, r->job.id, state, &msgs, &n, err);

	for (i = 0; st == FD_OK && i < n; i++) {
		m = rd_msg_new(r, &msgs[i], state);
		if (state != FD_RM_RECEIVED)
			rd_msg_slim(m);
		rd_list_push(l, m);
		if (state == FD_RM_HELD)
			m->in_list = 0;
	}
	fd_sqs_msgs_free(msgs, n);
	return st;
}

static enum fd_status
load_journal(struct fd_redrive *r, struct fd_err *err)
{
	enum fd_status st = load_stage(r, FD_RM_RECEIVED, &r->to_send, err);

	if (st == FD_OK)
		st = load_stage(r, FD_RM_SENT, &r->to_delete, err);
	if (st == FD_OK)
		st = load_stage(r, FD_RM_HELD, &r->held, err);
	if (st == FD_OK)
		st = fd_journal_counts(r->st, r->job.id, &r->counts, err);
	r->selected = r->counts.n[FD_RM_RECEIVED] + r->counts.moved + r->counts.would_move;
	r->handled_at_start = r->counts.moved + r->counts.skipped + r->counts.refused +
	                      r->counts.would_move + r->counts.over_max;
	return st;
}

static enum fd_status
check_resumable(struct fd_redrive *r, struct fd_err *err)
{
	if (strcmp(r->job.status, "done") == 0)
		return fd_err_set(err, FD_EINVAL,
		                  "redrive job %lld already finished (done); "
		                  "nothing to resume",
		                  (long long)r->job.id);
	if (owner_alive(&r->job))
		return fd_err_set(err, FD_EAGAIN, "redrive job %lld is being run by process %ld",
		                  (long long)r->job.id, r->job.owner_pid);
	return FD_OK;
}

enum fd_status
fd_redrive_resume(struct aws_client *c, struct fd_state *st, int64_t id, struct fd_redrive **out,
                  struct fd_err *err)
{
	struct fd_redrive *r = engine_new(c, st);
	int was_stopped;
	enum fd_status rc;

	*out = NULL;
	rc = fd_journal_init(st, err);
	if (rc == FD_OK)
		rc = fd_journal_job_load(st, id, &r->job, err);
	if (rc == FD_OK)
		rc = check_resumable(r, err);
	if (rc == FD_OK)
		rc = filter_from_job(r, err);
	if (rc == FD_OK)
		rc = load_journal(r, err);
	if (rc != FD_OK) {
		fd_redrive_free(r);
		return rc;
	}
	was_stopped = strcmp(r->job.status, "stopped") == 0;
	/* A receive of the interrupted run may have taken messages it never journaled:
	 * they come back when their visibility ends, by this deadline. */
	r->lost_deadline_ms = r->job.recv_deadline_ms;
	fd_strlcpy(r->job.status, "running", sizeof(r->job.status));
	free(r->job.message);
	r->job.message = NULL;
	r->job.owner_pid = (long)getpid();
	r->job.heartbeat_ms = fd_wall_now_ms();
	if (fd_journal_job_save(st, &r->job, err) != FD_OK) {
		fd_redrive_free(r);
		return err->status;
	}
	if (r->job.canary && !was_stopped && r->counts.moved < r->job.canary)
		rd_canary_begin(r);
	else if (r->job.canary)
		r->canary = CANARY_PASSED;
	*out = r;
	return FD_OK;
}

/* ---- running ---- */

void
fd_redrive_stop(struct fd_redrive *r)
{
	if (r->stopping || r->finished)
		return;
	r->stopping = 1;
	if (!r->job.message)
		r->job.message = fd_xstrdup("stopped by the user");
	fd_strlcpy(r->job.status, "interrupted", sizeof(r->job.status));
}

static int
in_flight(const struct fd_redrive *r)
{
	return r->recv_inflight + r->send_inflight + r->del_inflight + r->ext_inflight +
	       r->rel_inflight + r->check_inflight;
}

int
fd_redrive_step(struct fd_redrive *r, int *timeout_ms)
{
	int64_t now;
	int t = STEP_MS;

	if (!r->finished)
		rd_pump(r);
	if (r->finished && !in_flight(r))
		return 0;
	now = fd_now_ms();
	if (r->backoff_until_ms > now)
		t = (int)FD_MIN(t, r->backoff_until_ms - now);
	if (r->job.rate > 0 && r->to_send.n)
		t = FD_MIN(t, 50);
	if (r->canary == CANARY_WAITING)
		t = (int)FD_MIN(t, FD_MAX(0, r->canary_until_ms - fd_wall_now_ms()));
	if (timeout_ms)
		*timeout_ms = FD_MAX(t, 1);
	return 1;
}

static void
print_progress(struct fd_redrive *r, FILE *f, int final)
{
	struct fd_redrive_progress p;
	char eta[32] = "?";

	fd_redrive_progress(r, &p);
	if (!isnan(p.eta_s))
		snprintf(eta, sizeof(eta), "%.0fs", p.eta_s);
	fprintf(f,
	        "redrive job %lld: %s | moved %lld, skipped %lld, failed %lld%s%lld | "
	        "%.1f msg/s | ETA %s\n",
	        (long long)r->job.id, p.phase, p.moved, p.skipped, p.failed,
	        r->job.dry_run ? ", would move " : ", in flight ",
	        r->job.dry_run ? p.would_move : p.in_flight, p.rate, final ? "-" : eta);
	fflush(f);
}

enum fd_status
fd_redrive_run(struct fd_redrive *r, volatile sig_atomic_t *stop, FILE *progress,
               struct fd_err *err)
{
	int timeout = 0;

	while (fd_redrive_step(r, &timeout)) {
		if (stop && *stop)
			fd_redrive_stop(r);
		if (progress && fd_now_ms() - r->last_progress_ms >= 1000) {
			r->last_progress_ms = fd_now_ms();
			print_progress(r, progress, 0);
		}
		aws_client_wait(r->c, NULL, 0, timeout);
	}
	if (progress)
		print_progress(r, progress, 1);
	return fd_redrive_result(r, err);
}

enum fd_status
fd_redrive_result(const struct fd_redrive *r, struct fd_err *err)
{
	if (r->result != FD_OK && err)
		*err = r->err;
	return r->result;
}

void
fd_redrive_progress(const struct fd_redrive *r, struct fd_redrive_progress *out)
{
	const struct fd_redrive_counts *c = &r->counts;
	long long handled = c->moved + c->skipped + c->refused + c->would_move + c->over_max;
	double elapsed = (double)(fd_now_ms() - r->run_started_ms) / 1000.0;

	memset(out, 0, sizeof(*out));
	out->status = r->job.status;
	out->phase = r->phase;
	out->moved = c->moved;
	out->skipped = c->skipped + c->over_max;
	out->failed = c->refused;
	out->held = c->n[FD_RM_HELD];
	out->would_move = c->would_move;
	out->received = handled + (long long)r->to_send.n + (long long)r->sending.n;
	out->in_flight = (long long)(r->to_send.n + r->sending.n + r->to_delete.n);
	out->elapsed_s = elapsed;
	out->rate = elapsed > 0.5 ? (double)(handled - r->handled_at_start) / elapsed : 0;
	out->eta_s = NAN;
	if (out->rate > 0 && r->job.total_hint > handled)
		out->eta_s = (double)(r->job.total_hint - handled) / out->rate;
	else if (r->job.total_hint && r->job.total_hint <= handled)
		out->eta_s = 0;
}

const struct fd_redrive_job *
fd_redrive_job(const struct fd_redrive *r)
{
	return &r->job;
}

void
fd_redrive_free(struct fd_redrive *r)
{
	size_t i;

	if (!r)
		return;
	while (r->calls) {
		aws_call_cancel(r->c, r->calls->id);
		rd_call_end(r->calls);
	}
	for (i = 0; i < SQS_BATCH_MAX; i++) {
		free(r->inv_out[i].target_id);
		free(r->inv_out[i].why);
	}
	rd_list_free(&r->to_send);
	rd_list_free(&r->sending);
	rd_list_free(&r->to_delete);
	rd_list_free(&r->to_extend);
	rd_list_free(&r->held);
	rd_list_free(&r->to_release);
	rd_map_free(&r->map);
	for (i = 0; i < r->nmarks; i++)
		free(r->marks[i].id);
	free(r->marks);
	for (i = 0; i < r->nblocked; i++)
		free(r->blocked[i]);
	free(r->blocked);
	free(r->canary_watch);
	fd_msg_filter_free(r->filter);
	fd_redrive_job_free(&r->job);
	free(r);
}
