/* redrive_pump.c - the redrive stages around sending: receiving (each batch
 * classified and journaled before anything is done with it), deleting what the
 * target confirmed, keeping held messages hidden, the canary pause, and at the end
 * releasing held messages and closing the job. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "redrive_int.h"

#define DELETE_FAILURES_MAX 200

/* ---- receiving ---- */

static void
note_lost(struct fd_redrive *r)
{
	int64_t until = fd_wall_now_ms() + (int64_t)r->job.visibility_s * 1000;

	r->lost_deadline_ms = FD_MAX(r->lost_deadline_ms, until);
}

static int
rd_save_job(struct fd_redrive *r)
{
	if (!rd_begin(r))
		return 0;
	r->job.updated_ms = fd_wall_now_ms();
	if (fd_journal_job_save(r->st, &r->job, &r->err) != FD_OK) {
		fd_journal_rollback(r->st);
		rd_fail(r, r->err.status, "journal: %s", r->err.msg);
		return 0;
	}
	return rd_commit(r);
}

/* The journal learns that messages may be in flight before the receive starts, so
 * a resumed job waits for a receive whose answer was lost with the process. */
static int
note_receive_intent(struct fd_redrive *r)
{
	int64_t now = fd_wall_now_ms(), vis = (int64_t)r->job.visibility_s * 1000;

	if (r->job.recv_deadline_ms >= now + vis)
		return 1;
	r->job.recv_deadline_ms = now + vis + vis / 2;
	return rd_save_job(r);
}

static int
receiving(const struct fd_redrive *r)
{
	if (r->stopping || r->scan_done || r->releasing)
		return 0;
	if (r->job.max && r->selected >= r->job.max)
		return 0;
	if (r->canary == CANARY_WAITING)
		return 0;
	if (r->canary == CANARY_MOVING && r->selected >= r->canary_selected + r->job.canary)
		return 0;
	return r->to_send.n < RD_SEND_BACKLOG;
}

static void on_receive(struct aws_response *resp, void *ud);

static void
receive_pump(struct fd_redrive *r)
{
	struct sqs_receive_opts o = {r->job.source_url, SQS_BATCH_MAX, r->job.visibility_s,
	                             RD_WAIT_S, NULL};
	static unsigned long attempt;
	struct rd_call *call;
	char id[64], *body;

	while (r->recv_inflight < RD_RECEIVES_IN_FLIGHT && receiving(r)) {
		if (!note_receive_intent(r))
			return;
		if (r->job.source_fifo) {
			snprintf(id, sizeof(id), "fleetdeck-%lld-%ld-%lu", (long long)r->job.id,
			         (long)r->job.owner_pid, ++attempt);
			o.attempt_id = id;
		}
		call = rd_call_new(r, CALL_RECEIVE);
		body = sqs_build_receive(&o);
		r->recv_inflight++;
		call->id = sqs_call(r->c, "ReceiveMessage", body, strlen(body), on_receive, call);
		free(body);
	}
}

static const char *
decide(struct fd_redrive *r, const struct fd_sqs_msg *m, enum fd_rm_state *state)
{
	const char *group = fd_sqs_msg_sys(m, "MessageGroupId");
	const char *why = NULL;

	*state = FD_RM_HELD;
	if (!m->md5_ok)
		why = FD_RM_WHY_DIGEST;
	else if (!fd_msg_filter_match(r->filter, m, fd_wall_now_ms()))
		why = FD_RM_WHY_SKIP;
	else if (r->job.source_fifo && rd_group_blocked(r, group))
		why = FD_RM_WHY_GROUP;
	else if (r->job.max && r->selected >= r->job.max)
		why = FD_RM_WHY_MAX;
	else {
		r->selected++;
		if (r->job.dry_run)
			return FD_RM_WHY_DRY;
		*state = FD_RM_RECEIVED;
		return NULL;
	}
	/* FIFO: nothing behind a message that stays may move, or the group's order breaks. */
	if (r->job.source_fifo)
		rd_block_group(r, group);
	return why;
}

struct decision {
	const struct fd_sqs_msg *m;
	enum fd_rm_state prev, state;
	const char *why;
};

static enum fd_status
journal_one(struct fd_redrive *r, struct decision *d)
{
	enum fd_status st = fd_journal_lookup(r->st, r->job.id, d->m->id, &d->prev, &r->err);

	if (st != FD_OK)
		return st;
	if (d->prev == FD_RM_NONE || d->prev == FD_RM_RELEASED) {
		d->why = decide(r, d->m, &d->state);
		if (d->prev == FD_RM_NONE)
			return fd_journal_insert(r->st, r->job.id, d->m, d->state, d->why, &r->err);
		st = fd_journal_set_state(r->st, r->job.id, d->m->id, d->state, NULL, d->why,
		                          &r->err);
	} else {
		d->state = d->prev;
	}
	return st == FD_OK
	           ? fd_journal_set_receipt(r->st, r->job.id, d->m->id, d->m->receipt, &r->err)
	           : st;
}

static void
new_receipt(struct rd_msg *mem, const char *receipt)
{
	free(mem->m.receipt);
	mem->m.receipt = fd_xstrdup(receipt ? receipt : "");
	if (mem->in_call)
		mem->stale = 1;
}

void
rd_count_held(struct fd_redrive *r, const char *why)
{
	r->counts.n[FD_RM_HELD]++;
	if (fd_str_eq(why, FD_RM_WHY_SKIP) || fd_str_eq(why, FD_RM_WHY_GROUP))
		r->counts.skipped++;
	else if (fd_str_eq(why, FD_RM_WHY_DRY))
		r->counts.would_move++;
	else if (fd_str_eq(why, FD_RM_WHY_MAX))
		r->counts.over_max++;
	else
		r->counts.refused++;
}

/* After the commit: the message goes where its state says. */
static void
apply(struct fd_redrive *r, const struct decision *d)
{
	struct rd_msg *mem = rd_map_get(&r->map, d->m->id);

	if (mem) {
		new_receipt(mem, d->m->receipt);
		if (mem->state == FD_RM_HELD)
			rd_list_push(&r->to_extend, mem);
		return;
	}
	mem = rd_msg_new(r, d->m, d->state);
	if (d->state == FD_RM_RECEIVED) {
		if (d->prev == FD_RM_NONE)
			r->counts.n[FD_RM_RECEIVED]++;
		rd_list_push(&r->to_send, mem);
		return;
	}
	rd_msg_slim(mem);
	if (d->state == FD_RM_HELD) {
		if (d->prev == FD_RM_NONE)
			rd_count_held(r, d->why);
		rd_list_push(&r->held, mem);
		rd_list_push(&r->to_extend, mem);
	} else {
		rd_list_push(&r->to_delete, mem); /* sent or deleted before: delete again */
	}
}

static void
classify_batch(struct fd_redrive *r, const struct fd_sqs_msg *msgs, size_t n)
{
	struct decision d[SQS_BATCH_MAX * 2];
	enum fd_status st = FD_OK;
	size_t i, known = 0;

	n = FD_MIN(n, FD_ARRAY_LEN(d));
	if (!rd_begin(r))
		return;
	for (i = 0; i < n && st == FD_OK; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].m = &msgs[i];
		st = journal_one(r, &d[i]);
		known += d[i].prev != FD_RM_NONE;
	}
	if (st != FD_OK) {
		fd_journal_rollback(r->st);
		rd_fail(r, st, "journal: %s", r->err.msg);
		return;
	}
	if (!rd_commit(r))
		return;
	for (i = 0; i < n; i++)
		apply(r, &d[i]);
	if (known)
		(void)fd_journal_counts(r->st, r->job.id, &r->counts, NULL);
}

/* The scan ends when receives come back empty and the source agrees: nothing
 * visible, nothing hidden but what this job holds. Messages hidden by a receive
 * whose answer was lost (or by a locked FIFO group) are waited for, within bounds. */
static void
on_check(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct fd_queue q;
	int64_t now = fd_wall_now_ms();
	long long hidden;

	rd_call_end(call);
	r->check_inflight = 0;
	memset(&q, 0, sizeof(q));
	if (r->finished || resp->error.status != FD_OK ||
	    sqs_parse_attributes(resp->body.data, resp->body.len, &q, NULL) != FD_OK) {
		fd_queue_free(&q);
		return; /* the next empty receive asks again */
	}
	hidden = FD_MAX(q.inflight, 0) - (long long)(r->held.n + r->to_delete.n);
	/* FIFO: visible messages behind the ones this job holds cannot be received. */
	if (r->job.source_fifo && r->held.n && hidden <= 0 && q.visible > 0) {
		r->scan_done = 1;
		free(r->job.message);
		r->job.message = fd_xasprintf("FIFO: %lld messages wait behind held messages in "
		                              "their groups and were not looked at",
		                              q.visible);
	} else if ((q.visible <= 0 && hidden <= 0) ||
	           (r->check_until_ms && now >= r->check_until_ms)) {
		r->scan_done = 1;
		if (q.visible > 0 || hidden > 0) {
			free(r->job.message);
			r->job.message =
			    fd_xasprintf("the source still shows %lld visible and %lld "
			                 "hidden messages this job could not receive "
			                 "(another consumer, or FIFO groups held by one)",
			                 FD_MAX(q.visible, 0), FD_MAX(hidden, 0));
		}
	} else {
		if (!r->check_until_ms)
			r->check_until_ms =
			    now + (int64_t)FD_MAX(2 * r->job.visibility_s, RD_HIDDEN_WAIT_S) * 1000;
		r->empty_streak = 0;
		snprintf(
		    r->phase, sizeof(r->phase),
		    "waiting for %lld messages hidden in the source to reappear (%llds at most)",
		    FD_MAX(q.visible, 0) + FD_MAX(hidden, 0),
		    (long long)((r->check_until_ms - now + 999) / 1000));
	}
	fd_queue_free(&q);
}

static void
start_check(struct fd_redrive *r)
{
	struct rd_call *call;
	char *body;

	if (r->check_inflight)
		return;
	call = rd_call_new(r, CALL_CHECK);
	body = sqs_build_attributes(r->job.source_url);
	r->check_inflight = 1;
	call->id = sqs_call(r->c, "GetQueueAttributes", body, strlen(body), on_check, call);
	free(body);
}

static void
on_empty(struct fd_redrive *r)
{
	int64_t now = fd_wall_now_ms();

	r->empty_streak++;
	if (now < r->lost_deadline_ms) {
		snprintf(r->phase, sizeof(r->phase),
		         "waiting %llds for messages an interrupted receive took",
		         (long long)((r->lost_deadline_ms - now + 999) / 1000));
		return;
	}
	if (r->empty_streak >= RD_EMPTY_RECEIVES)
		start_check(r);
}

static void
on_receive(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct fd_sqs_msg *msgs = NULL;
	struct fd_err e = {FD_OK, ""};
	size_t n = 0;

	rd_call_end(call);
	r->recv_inflight--;
	if (r->finished)
		return;
	if (resp->error.status != FD_OK || resp->attempts > 1)
		note_lost(r);
	if (resp->error.status != FD_OK) {
		rd_call_failed(r, &resp->error);
		return;
	}
	if (sqs_parse_receive(resp->body.data, resp->body.len, &msgs, &n, &e) != FD_OK) {
		struct aws_error ae = resp->error;
		note_lost(r);
		ae.status = FD_EPARSE;
		fd_strlcpy(ae.message, e.msg, sizeof(ae.message));
		rd_call_failed(r, &ae);
		return;
	}
	rd_call_ok(r);
	if (n == 0)
		on_empty(r);
	else {
		r->empty_streak = 0;
		if (!r->stopping)
			snprintf(r->phase, sizeof(r->phase), "%s",
			         r->job.dry_run ? "scanning" : "moving");
		classify_batch(r, msgs, n);
	}
	fd_sqs_msgs_free(msgs, n);
}

/* ---- deleting, keeping hidden, releasing ---- */

static void
receipt_call(struct fd_redrive *r, struct rd_list *from, enum rd_call_kind kind, int timeout,
             aws_done_fn done)
{
	struct rd_call *call = rd_call_new(r, kind);
	struct rd_msg *m;
	char *body;

	while (call->n < SQS_BATCH_MAX && (m = rd_list_pop(from))) {
		if (kind == CALL_DELETE)
			m->in_call = 1;
		call->batch[call->n] = m;
		call->receipts[call->n++] = fd_xstrdup(m->m.receipt ? m->m.receipt : "");
	}
	body = kind == CALL_DELETE
	           ? sqs_build_delete_batch(r->job.source_url, (const char *const *)call->receipts,
	                                    call->n)
	           : sqs_build_visibility_batch(
	                 r->job.source_url, (const char *const *)call->receipts, call->n, timeout);
	call->id = sqs_call(
	    r->c, kind == CALL_DELETE ? "DeleteMessageBatch" : "ChangeMessageVisibilityBatch", body,
	    strlen(body), done, call);
	free(body);
}

static void
requeue(struct rd_list *l, struct rd_call *call)
{
	size_t i;

	for (i = call->n; i-- > 0;) {
		call->batch[i]->in_call = 0;
		rd_list_push_front(l, call->batch[i]);
	}
}

static int
parse_results(struct aws_response *resp, struct rd_call *call, struct sqs_batch_result *res)
{
	if (resp->error.status != FD_OK)
		return 0;
	return sqs_parse_batch(resp->body.data, resp->body.len, res, call->n, NULL) == FD_OK;
}

static void
deleted(struct fd_redrive *r, struct rd_msg *m, const struct sqs_batch_result *res)
{
	m->in_call = 0;
	if (m->stale) {
		m->stale = 0; /* received again while deleting: delete with the new handle */
		rd_list_push(&r->to_delete, m);
		return;
	}
	if (res->ok) {
		rd_mark(r, m->m.id, FD_RM_DELETED, NULL);
		if (m->state == FD_RM_SENT) {
			r->counts.n[FD_RM_SENT]--;
			r->counts.n[FD_RM_DELETED]++;
		}
	} else {
		/* The handle is stale: the message stays "sent" in the journal and is deleted
		 * when it comes back. */
		note_lost(r);
		if (++r->delete_failures > DELETE_FAILURES_MAX)
			rd_call_failed(r, &(struct aws_error){.status = FD_EAWS,
			                                      .code = "DeleteFailures",
			                                      .retry_after_ms = -1});
	}
	rd_msg_forget(r, m);
}

static void
on_delete(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct sqs_batch_result res[SQS_BATCH_MAX];
	size_t i;

	r->del_inflight--;
	if (!r->finished && !parse_results(resp, call, res)) {
		requeue(&r->to_delete, call);
		rd_call_failed(r, &resp->error);
	} else if (!r->finished) {
		rd_call_ok(r);
		for (i = 0; i < call->n; i++)
			deleted(r, call->batch[i], &res[i]);
		sqs_batch_results_free(res, call->n);
	}
	rd_call_end(call);
}

static void
on_extend(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;

	(void)resp; /* a failure only means the message may come back: it is recognised */
	call->r->ext_inflight--;
	rd_call_end(call);
}

static void
on_release(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct sqs_batch_result res[SQS_BATCH_MAX];
	struct rd_msg *m;
	size_t i;

	r->rel_inflight--;
	if (!r->finished && !parse_results(resp, call, res)) {
		requeue(&r->to_release, call);
		rd_call_failed(r, &resp->error);
	} else if (!r->finished) {
		rd_call_ok(r);
		for (i = 0; i < call->n; i++) {
			m = call->batch[i];
			rd_mark(r, m->m.id, FD_RM_RELEASED,
			        m->state == FD_RM_RECEIVED ? FD_RM_WHY_STOP : NULL);
			rd_msg_forget(r, m);
		}
		sqs_batch_results_free(res, call->n);
	}
	rd_call_end(call);
}

static void
delete_pump(struct fd_redrive *r)
{
	while (r->del_inflight < RD_DELETES_IN_FLIGHT && r->to_delete.n) {
		r->del_inflight++;
		receipt_call(r, &r->to_delete, CALL_DELETE, -1, on_delete);
	}
}

static void
extend_pump(struct fd_redrive *r)
{
	if (r->ext_inflight || !r->to_extend.n)
		return;
	r->ext_inflight++;
	receipt_call(r, &r->to_extend, CALL_EXTEND, r->job.hold_s, on_extend);
}

static void
release_pump(struct fd_redrive *r)
{
	while (r->rel_inflight < RD_DELETES_IN_FLIGHT && r->to_release.n) {
		r->rel_inflight++;
		receipt_call(r, &r->to_release, CALL_RELEASE, 0, on_release);
	}
}

/* ---- the canary ---- */

static void
canary_pump(struct fd_redrive *r)
{
	int64_t now = fd_wall_now_ms();

	if (r->canary == CANARY_MOVING && !r->send_inflight &&
	    r->counts.moved >= r->canary_moved + r->job.canary) {
		r->canary = CANARY_WAITING;
		r->canary_until_ms = now + (int64_t)r->job.canary_wait_s * 1000;
	}
	if (r->canary != CANARY_WAITING)
		return;
	snprintf(r->phase, sizeof(r->phase), "canary: %lld moved, watching %s for %llds",
	         r->job.canary, r->canary_watch_name[0] ? r->canary_watch_name : "the target",
	         (long long)FD_MAX(0, (r->canary_until_ms - now + 999) / 1000));
	if (now < r->canary_until_ms || r->recv_inflight || r->send_inflight || r->del_inflight ||
	    r->ext_inflight)
		return;
	if (rd_canary_check(r) == 0) {
		r->canary = CANARY_PASSED;
		snprintf(r->phase, sizeof(r->phase), "canary passed; moving");
		return;
	}
	r->canary = CANARY_PASSED;
	r->stopping = 1;
	fd_strlcpy(r->job.status, "stopped", sizeof(r->job.status));
}

/* ---- the end ---- */

static int
scan_over(const struct fd_redrive *r)
{
	return r->stopping || r->scan_done || (r->job.max && r->selected >= r->job.max);
}

static void
start_release(struct fd_redrive *r)
{
	struct rd_msg *m;

	if (r->releasing || !scan_over(r) || r->recv_inflight || r->send_inflight ||
	    r->del_inflight || r->ext_inflight || r->check_inflight || r->to_delete.n)
		return;
	if (r->to_send.n && !r->stopping)
		return;
	while ((m = rd_list_pop(&r->to_send)))
		rd_list_push(&r->to_release, m); /* stopping: unsent messages stay */
	while ((m = rd_list_pop(&r->held)))
		rd_list_push(&r->to_release, m);
	while (rd_list_pop(&r->to_extend))
		;
	r->releasing = 1;
	snprintf(r->phase, sizeof(r->phase), "releasing %zu held messages", r->to_release.n);
}

static void
finish(struct fd_redrive *r)
{
	if (!r->releasing || r->rel_inflight)
		return;
	if (r->to_release.n && r->errors < RD_MAX_ERRORS)
		return;
	if (strcmp(r->job.status, "running") == 0)
		fd_strlcpy(r->job.status, "done", sizeof(r->job.status));
	if (r->to_release.n && !r->job.message)
		r->job.message = fd_xasprintf("%zu held messages could not be released (%s); they "
		                              "become visible when their visibility timeout ends",
		                              r->to_release.n, r->last_error);
	r->job.finished_ms = fd_wall_now_ms();
	r->job.owner_pid = 0;
	if (!rd_save_job(r))
		return;
	(void)fd_journal_counts(r->st, r->job.id, &r->counts, NULL);
	r->finished = 1;
	snprintf(r->phase, sizeof(r->phase), "%s", r->job.status);
}

void
rd_pump(struct fd_redrive *r)
{
	if (r->finished || fd_now_ms() < r->backoff_until_ms)
		return;
	if (!r->releasing) {
		rd_send_pump(r);
		delete_pump(r);
		extend_pump(r);
		canary_pump(r);
		if (r->finished)
			return;
		receive_pump(r);
		start_release(r);
	}
	if (r->releasing && !r->finished) {
		release_pump(r);
		finish(r);
	}
}
