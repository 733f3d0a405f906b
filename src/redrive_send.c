/* redrive_send.c - sending to the target: one batch at a time (so a crash can
 * duplicate at most that batch), within --rate and the canary's allowance, under
 * SQS's 10-entry / 1 MiB batch limits; then the outcome journaled before any delete.
 * A FIFO group whose message the target refuses stops there: what follows it in the
 * group stays in the source, in order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "redrive_int.h"

static size_t
allowance(struct fd_redrive *r)
{
	int64_t now = fd_now_ms();
	double cap;
	size_t allow = SQS_BATCH_MAX;
	long long left;

	if (r->job.rate > 0) {
		cap = FD_MAX(1.0, FD_MIN((double)SQS_BATCH_MAX, r->job.rate));
		r->tokens += (double)(now - r->refill_ms) / 1000.0 * r->job.rate;
		r->tokens = FD_MIN(r->tokens, cap);
		r->refill_ms = now;
		allow = r->tokens >= 1.0 ? (size_t)floor(r->tokens) : 0;
	}
	if (r->canary == CANARY_WAITING)
		return 0;
	if (r->canary == CANARY_MOVING) {
		left = r->canary_moved + r->job.canary - r->counts.moved;
		allow = left > 0 ? FD_MIN(allow, (size_t)left) : 0;
	}
	return FD_MIN(allow, (size_t)SQS_BATCH_MAX);
}

static void on_send(struct aws_response *resp, void *ud);

static void
send_queue_batch(struct fd_redrive *r)
{
	struct sqs_send_entry e[SQS_BATCH_MAX];
	struct rd_call *call = rd_call_new(r, CALL_SEND);
	struct rd_msg *m;
	size_t i;
	char *body;

	for (i = 0; i < r->sending.n; i++) {
		m = rd_list_peek(&r->sending, i);
		e[i].msg = &m->m;
		e[i].group_id = e[i].dedup_id = NULL;
		if (!r->job.target_fifo)
			continue;
		e[i].group_id = fd_sqs_msg_sys(&m->m, "MessageGroupId");
		e[i].dedup_id = fd_sqs_msg_sys(&m->m, "MessageDeduplicationId");
		if (!e[i].group_id)
			e[i].group_id = m->m.id;
		if (!e[i].dedup_id)
			e[i].dedup_id = m->m.id;
	}
	body = sqs_build_send_batch(r->job.target, e, r->sending.n);
	call->id = sqs_call(r->c, "SendMessageBatch", body, strlen(body), on_send, call);
	free(body);
}

void
rd_send_pump(struct fd_redrive *r)
{
	size_t allow, bytes = 0, size;
	struct rd_msg *m;

	if (r->send_inflight || !r->to_send.n || r->stopping || r->releasing || r->finished)
		return;
	if (r->job.rate > 0 && !r->refill_ms) {
		r->refill_ms = fd_now_ms();
		r->tokens = FD_MIN((double)SQS_BATCH_MAX, FD_MAX(1.0, r->job.rate));
	}
	allow = allowance(r);
	while (r->sending.n < allow && (m = rd_list_peek(&r->to_send, 0))) {
		size = sqs_msg_payload_size(&m->m);
		if (r->sending.n && bytes + size > SQS_BATCH_BYTES)
			break;
		bytes += size;
		rd_list_push(&r->sending, rd_list_pop(&r->to_send));
	}
	if (!r->sending.n)
		return;
	r->tokens -= (double)r->sending.n;
	r->send_inflight = 1;
	if (r->job.target_kind == FD_RT_FUNCTION)
		rd_invoke_batch(r);
	else
		send_queue_batch(r);
}

static void
outcome(struct fd_redrive *r, struct rd_msg *m, const struct sqs_batch_result *res,
        struct rd_outcome *out)
{
	char md5[33];

	if (res->ok && res->message_id) {
		out->target_id = fd_xstrdup(res->message_id);
		sqs_md5_hex(m->m.body, m->m.body_len, md5);
		if (res->md5_body && strcmp(res->md5_body, md5) != 0)
			snprintf(r->last_error, sizeof(r->last_error),
			         "the target's MD5 of message %s differs from the body sent",
			         m->m.id);
	} else if (res->sender_fault || ++m->attempts >= RD_SEND_ATTEMPTS) {
		out->why = fd_xasprintf("%s: %s: %s", FD_RM_WHY_FAILED, res->code ? res->code : "?",
		                        res->message ? res->message : "");
	}
}

static void
on_send(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct sqs_batch_result res[SQS_BATCH_MAX];
	struct rd_outcome out[SQS_BATCH_MAX];
	size_t i, n = r->sending.n;

	rd_call_end(call);
	if (r->finished)
		return;
	memset(out, 0, sizeof(out));
	if (resp->error.status != FD_OK ||
	    sqs_parse_batch(resp->body.data, resp->body.len, res, n, NULL) != FD_OK) {
		if (resp->error.status == FD_OK)
			sqs_batch_results_free(res, n);
		/* Unknown outcome: send again (the one batch that may be duplicated). */
		rd_call_failed(r, &resp->error);
		rd_send_finish(r, out);
		return;
	}
	rd_call_ok(r);
	for (i = 0; i < n; i++)
		outcome(r, rd_list_peek(&r->sending, i), &res[i], &out[i]);
	sqs_batch_results_free(res, n);
	rd_send_finish(r, out);
	for (i = 0; i < n; i++) {
		free(out[i].target_id);
		free(out[i].why);
	}
}

/* FIFO: a refused message blocks its group; later messages of the group waiting to
 * be sent are held too, in the same transaction. */
static enum fd_status
hold_blocked(struct fd_redrive *r, struct rd_list *moved)
{
	const char *group;
	struct rd_list keep = {0};
	struct rd_msg *m;
	enum fd_status st = FD_OK;

	while ((m = rd_list_pop(&r->to_send))) {
		group = fd_sqs_msg_sys(&m->m, "MessageGroupId");
		if (!rd_group_blocked(r, group)) {
			rd_list_push(&keep, m);
			continue;
		}
		if (st == FD_OK)
			st = fd_journal_set_state(r->st, r->job.id, m->m.id, FD_RM_HELD, NULL,
			                          FD_RM_WHY_GROUP, &r->err);
		rd_list_push(moved, m);
	}
	rd_list_free(&r->to_send);
	r->to_send = keep;
	return st;
}

static enum fd_status
journal_outcomes(struct fd_redrive *r, struct rd_msg **batch, size_t n, struct rd_outcome *out,
                 struct rd_list *blocked)
{
	enum fd_status st = FD_OK;
	size_t i;

	for (i = 0; i < n && st == FD_OK; i++) {
		if (out[i].target_id)
			st = fd_journal_set_state(r->st, r->job.id, batch[i]->m.id, FD_RM_SENT,
			                          out[i].target_id, NULL, &r->err);
		else if (out[i].why)
			st = fd_journal_set_state(r->st, r->job.id, batch[i]->m.id, FD_RM_HELD,
			                          NULL, out[i].why, &r->err);
		if (out[i].why && r->job.source_fifo)
			rd_block_group(r, fd_sqs_msg_sys(&batch[i]->m, "MessageGroupId"));
	}
	if (st == FD_OK && r->nblocked && r->job.source_fifo)
		st = hold_blocked(r, blocked);
	return st;
}

static void
hold(struct fd_redrive *r, struct rd_msg *m, const char *why)
{
	m->state = FD_RM_HELD;
	r->counts.n[FD_RM_RECEIVED]--;
	rd_count_held(r, why);
	rd_msg_slim(m);
	rd_list_push(&r->held, m);
	rd_list_push(&r->to_extend, m);
}

void
rd_send_finish(struct fd_redrive *r, struct rd_outcome *out)
{
	struct rd_msg *batch[SQS_BATCH_MAX], *m;
	struct rd_list blocked = {0};
	size_t n = 0, i;
	enum fd_status st;

	while (n < SQS_BATCH_MAX && (batch[n] = rd_list_pop(&r->sending)))
		n++;
	r->send_inflight = 0;
	if (!rd_begin(r))
		return;
	st = journal_outcomes(r, batch, n, out, &blocked);
	if (st != FD_OK) {
		fd_journal_rollback(r->st);
		rd_fail(r, st, "journal: %s", r->err.msg);
	}
	if (st != FD_OK || !rd_commit(r)) {
		rd_list_free(&blocked);
		return;
	}
	for (i = n; i-- > 0;) {
		m = batch[i];
		if (out[i].target_id) {
			m->state = FD_RM_SENT;
			r->counts.n[FD_RM_RECEIVED]--;
			r->counts.n[FD_RM_SENT]++;
			r->counts.moved++;
			rd_msg_slim(m);
			rd_list_push_front(&r->to_delete, m);
		} else if (out[i].why) {
			hold(r, m, out[i].why);
		} else {
			rd_list_push_front(&r->to_send, m);
		}
	}
	while ((m = rd_list_pop(&blocked)))
		hold(r, m, FD_RM_WHY_GROUP);
	rd_list_free(&blocked);
}
