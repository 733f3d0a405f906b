/* redrive_target.c - where messages go: the DLQ's source queue (from the redrive
 * relationship), a queue given with --to, or a Lambda function re-invoked
 * asynchronously (Lambda async DLQs hold the original event as the body). Also the
 * canary: after the first N moves, wait and watch the target's own DLQ (or the
 * function's DLQ / on-failure destination); growth there stops the job. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"
#include "redrive_int.h"

static enum fd_status
aws_fail(struct fd_err *err, enum fd_status st, const struct aws_error *e, const char *what)
{
	char msg[600];

	aws_error_format(e, msg, sizeof(msg));
	return fd_err_set(err, st, "%s: %s", what, msg);
}

static enum fd_status
default_target(struct aws_client *c, const struct fd_queue *src, struct fd_queue *tq,
               struct fd_err *err)
{
	struct aws_error ae;
	char **urls = NULL;
	size_t n = 0, i;
	enum fd_status st = sqs_dlq_sources_sync(c, src->url, &urls, &n, &ae);

	if (st != FD_OK)
		aws_fail(err, st, &ae, "finding the queues that use it as their DLQ");
	else if (n == 0)
		st =
		    fd_err_set(err, FD_EINVAL,
		               "%s is not the dead-letter queue of any queue (no redrive policy "
		               "names it): give --to QUEUE, or --to-function FUNCTION for a Lambda "
		               "async DLQ",
		               src->name);
	else if (n > 1)
		st = fd_err_set(err, FD_EINVAL,
		                "%s is the dead-letter queue of %zu queues (%s, %s%s): choose one "
		                "with --to",
		                src->name, n, urls[0], urls[1], n > 2 ? ", ..." : "");
	else if ((st = sqs_resolve(c, urls[0], tq, &ae)) != FD_OK)
		aws_fail(err, st, &ae, "source queue of the DLQ");
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	return st;
}

static void
function_request(struct aws_request *rq, const char *op, const char *prefix, const char *fn,
                 const char *suffix)
{
	aws_request_init(rq, AWS_SVC_LAMBDA, op);
	rq->method = "GET";
	aws_request_path(rq, prefix);
	aws_request_path_segment(rq, fn);
	aws_request_path(rq, suffix);
}

/* GetFunctionConfiguration: the function exists; its ARN and async DLQ. */
static enum fd_status
function_config(struct aws_client *c, const char *name, struct fd_function *fn, struct fd_err *err)
{
	struct aws_request rq;
	struct aws_response resp;
	enum fd_status st;

	memset(fn, 0, sizeof(*fn));
	function_request(&rq, "GetFunctionConfiguration", "/2015-03-31/functions/", name,
	                 "/configuration");
	st = aws_call_sync(c, &rq, &resp);
	if (st != FD_OK)
		aws_fail(err, st, &resp.error, "target function");
	else
		st = lambda_parse_function_config(resp.body.data, resp.body.len, fn, err);
	aws_response_free(&resp);
	return st;
}

static enum fd_status
function_target(struct fd_redrive *r, struct aws_client *c, const char *name, struct fd_err *err)
{
	struct fd_function fn;
	enum fd_status st;

	if (!name || !*name)
		return fd_err_set(err, FD_EINVAL, "--to-function needs a function name");
	st = function_config(c, name, &fn, err);
	if (st == FD_OK) {
		r->job.target_kind = FD_RT_FUNCTION;
		r->job.target = fd_xstrdup(name);
		r->job.target_name = fd_xstrdup(fn.name ? fn.name : name);
		r->job.target_arn = fn.arn ? fd_xstrdup(fn.arn) : NULL;
	}
	fd_function_free(&fn);
	return st;
}

enum fd_status
rd_resolve_target(struct fd_redrive *r, struct aws_client *c, const struct fd_redrive_opts *o,
                  const struct fd_queue *src, struct fd_err *err)
{
	struct fd_queue tq;
	struct aws_error ae;
	enum fd_status st;

	if (o->target_kind == FD_RT_FUNCTION)
		return function_target(r, c, o->target, err);
	memset(&tq, 0, sizeof(tq));
	if (o->target_kind == FD_RT_SOURCE)
		st = default_target(c, src, &tq, err);
	else if ((st = sqs_resolve(c, o->target, &tq, &ae)) != FD_OK)
		aws_fail(err, st, &ae, "target queue");
	if (st == FD_OK && fd_str_eq(tq.url, src->url))
		st = fd_err_set(err, FD_EINVAL, "the source and the target are the same queue (%s)",
		                src->name);
	if (st == FD_OK) {
		r->job.target_kind = o->target_kind;
		r->job.target = fd_xstrdup(tq.url);
		r->job.target_arn = tq.arn ? fd_xstrdup(tq.arn) : NULL;
		r->job.target_name = fd_xstrdup(tq.name);
		r->job.target_fifo = tq.fifo;
	}
	fd_queue_free(&tq);
	return st;
}

/* ---- asynchronous Invoke ---- */

/* A 4xx other than throttling is the function refusing this payload (too large, not
 * JSON, gone): retrying will not help. */
static int
refused(const struct aws_error *e)
{
	return e->http_status >= 400 && e->http_status < 500 && !e->throttled &&
	       e->http_status != 429 && e->http_status != 408;
}

static void
on_invoke(struct aws_response *resp, void *ud)
{
	struct rd_call *call = ud;
	struct fd_redrive *r = call->r;
	struct rd_outcome *slot = &r->inv_out[call->index];
	const char *rid = aws_response_header(resp, "x-amzn-RequestId");
	size_t i;

	rd_call_end(call);
	if (resp->error.status == FD_OK) {
		slot->target_id = fd_xstrdup(rid && *rid ? rid : "accepted");
		rd_call_ok(r);
	} else if (refused(&resp->error)) {
		slot->why = fd_xasprintf("%s: %s: %s", FD_RM_WHY_FAILED, resp->error.code,
		                         resp->error.message);
	} else {
		rd_call_failed(r, &resp->error);
	}
	if (--r->invokes_left > 0)
		return;
	if (!r->finished)
		rd_send_finish(r, r->inv_out);
	for (i = 0; i < SQS_BATCH_MAX; i++) {
		free(r->inv_out[i].target_id);
		free(r->inv_out[i].why);
	}
	memset(r->inv_out, 0, sizeof(r->inv_out));
}

void
rd_invoke_batch(struct fd_redrive *r)
{
	struct aws_request rq;
	struct rd_call *call;
	struct rd_msg *m;
	size_t i, n = r->sending.n;

	memset(r->inv_out, 0, sizeof(r->inv_out));
	r->invokes_left = (int)n;
	for (i = 0; i < n; i++) {
		m = rd_list_peek(&r->sending, i);
		aws_request_init(&rq, AWS_SVC_LAMBDA, "Invoke");
		rq.method = "POST";
		aws_request_path(&rq, "/2015-03-31/functions/");
		aws_request_path_segment(&rq, r->job.target);
		aws_request_path(&rq, "/invocations");
		aws_request_header(&rq, "X-Amz-Invocation-Type", "Event");
		aws_request_header(&rq, "Content-Type", "application/json");
		fd_buf_append(&rq.body, m->m.body, m->m.body_len);
		call = rd_call_new(r, CALL_INVOKE);
		call->index = i;
		call->id = aws_call_start(r->c, &rq, on_invoke, call);
	}
}

/* ---- the canary ---- */

static char *
async_failure_queue(struct aws_client *c, const char *fn_name)
{
	struct aws_request rq;
	struct aws_response resp;
	struct fd_async_config ac;
	char *arn = NULL;

	memset(&ac, 0, sizeof(ac));
	function_request(&rq, "GetFunctionEventInvokeConfig", "/2019-09-25/functions/", fn_name,
	                 "/event-invoke-config");
	if (aws_call_sync(c, &rq, &resp) == FD_OK &&
	    lambda_parse_async_config(resp.body.data, resp.body.len, &ac, NULL) == FD_OK &&
	    ac.on_failure && strstr(ac.on_failure, ":sqs:"))
		arn = fd_xstrdup(ac.on_failure);
	aws_response_free(&resp);
	free(ac.on_failure);
	free(ac.on_success);
	return arn;
}

/* ARN of the queue whose growth means the moved messages fail again. */
static char *
watch_arn(struct fd_redrive *r)
{
	struct fd_function fn;
	struct fd_queue tq;
	struct aws_error ae;
	char *arn = NULL;

	if (r->job.target_kind == FD_RT_FUNCTION) {
		if (function_config(r->c, r->job.target, &fn, NULL) == FD_OK && fn.dlq_arn)
			arn = fd_xstrdup(fn.dlq_arn);
		fd_function_free(&fn);
		return arn ? arn : async_failure_queue(r->c, r->job.target);
	}
	memset(&tq, 0, sizeof(tq));
	if (sqs_get_attributes_sync(r->c, r->job.target, &tq, &ae) == FD_OK && tq.dlq_arn)
		arn = fd_xstrdup(tq.dlq_arn);
	fd_queue_free(&tq);
	return arn;
}

static long long
watch_depth(struct fd_redrive *r)
{
	struct fd_queue q;
	struct aws_error ae;
	long long d = -1;

	memset(&q, 0, sizeof(q));
	if (sqs_get_attributes_sync(r->c, r->canary_watch, &q, &ae) == FD_OK)
		d = fd_queue_depth(&q);
	fd_queue_free(&q);
	return d;
}

void
rd_canary_begin(struct fd_redrive *r)
{
	struct fd_queue q;
	struct aws_error ae;
	char *arn = watch_arn(r);

	r->canary = CANARY_MOVING;
	r->canary_moved = r->counts.moved;
	r->canary_selected = r->selected;
	r->canary_depth = -1;
	if (arn && sqs_resolve(r->c, arn, &q, &ae) == FD_OK) {
		r->canary_watch = fd_xstrdup(q.url);
		fd_strlcpy(r->canary_watch_name, q.name, sizeof(r->canary_watch_name));
		r->canary_depth = fd_queue_depth(&q);
		fd_queue_free(&q);
	}
	free(arn);
}

int
rd_canary_check(struct fd_redrive *r)
{
	long long now, expected, grown, moved = r->counts.moved - r->canary_moved;

	if (!r->canary_watch || r->canary_depth < 0)
		return 0; /* nothing to watch: the wait was all the canary could do */
	now = watch_depth(r);
	if (now < 0)
		return 0;
	/* When the watched queue is the source itself, the moved messages left it. */
	expected = r->canary_depth - (fd_str_eq(r->canary_watch, r->job.source_url) ? moved : 0);
	grown = now - expected;
	if (grown <= 0)
		return 0;
	free(r->job.message);
	r->job.message =
	    fd_xasprintf("canary: %lld of the %lld messages moved to %s came back "
	                 "to %s within %ds; stopped (continue anyway with --resume "
	                 "%lld)",
	                 FD_MIN(grown, moved), moved, r->job.target_name, r->canary_watch_name,
	                 r->job.canary_wait_s, (long long)r->job.id);
	return -1;
}
