/* queues_peek.c - peek for the TUI, without blocking: GetQueueUrl when given a name
 * or ARN, GetQueueAttributes (for the redrive-policy warning), ReceiveMessage until
 * max messages or an empty answer, then ChangeMessageVisibilityBatch 0 for all of
 * them - each step started from the previous one's callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/sqs.h"

#define PEEK_VISIBILITY_S 20

struct fd_peek_async {
	struct aws_client *c;
	uint64_t call; /* in flight; 0 = none */
	struct fd_queue q;
	long long max;
	struct fd_sqs_msg *msgs;
	size_t n, released;
	int done;
	char status[600];
	char warning[256];
};

static void step(struct fd_peek_async *p, const char *op, char *body, aws_done_fn done);
static void on_receive(struct aws_response *resp, void *ud);

static void
finish(struct fd_peek_async *p, const char *detail)
{
	fd_strlcpy(p->status, detail, sizeof(p->status));
	p->done = 1;
	p->call = 0;
}

static int
failed(struct fd_peek_async *p, struct aws_response *resp)
{
	char msg[512];

	if (resp->error.status == FD_OK)
		return 0;
	aws_error_format(&resp->error, msg, sizeof(msg));
	finish(p, msg);
	return 1;
}

static void
on_release(struct aws_response *resp, void *ud)
{
	struct fd_peek_async *p = ud;
	const char *receipts[SQS_BATCH_MAX];
	size_t k;

	p->call = 0;
	if (failed(p, resp))
		return;
	if (p->released >= p->n) {
		snprintf(p->status, sizeof(p->status),
		         "%zu messages (visible again; each "
		         "receive count went up by 1)",
		         p->n);
		p->done = 1;
		return;
	}
	for (k = 0; k < SQS_BATCH_MAX && p->released < p->n; k++)
		receipts[k] = p->msgs[p->released++].receipt;
	step(p, "ChangeMessageVisibilityBatch",
	     sqs_build_visibility_batch(p->q.url, receipts, k, 0), on_release);
}

static void
receive_more(struct fd_peek_async *p)
{
	struct sqs_receive_opts o = {p->q.url, (int)FD_MIN(SQS_BATCH_MAX, p->max - (long long)p->n),
	                             PEEK_VISIBILITY_S, 1, NULL};

	snprintf(p->status, sizeof(p->status), "receiving (%zu so far)", p->n);
	step(p, "ReceiveMessage", sqs_build_receive(&o), on_receive);
}

static void
on_receive(struct aws_response *resp, void *ud)
{
	struct fd_peek_async *p = ud;
	struct fd_sqs_msg *m = NULL;
	struct fd_err e = {FD_OK, ""};
	size_t n = 0;

	p->call = 0;
	if (failed(p, resp))
		return;
	if (sqs_parse_receive(resp->body.data, resp->body.len, &m, &n, &e) != FD_OK) {
		finish(p, e.msg);
		return;
	}
	if (n) {
		p->msgs = fd_xreallocarray(p->msgs, p->n + n, sizeof(*p->msgs));
		memcpy(p->msgs + p->n, m, n * sizeof(*m));
		p->n += n;
	}
	free(m);
	if (n && (long long)p->n < p->max)
		receive_more(p);
	else
		on_release(resp, p); /* the answer was fine: start releasing */
}

static void
on_attrs(struct aws_response *resp, void *ud)
{
	struct fd_peek_async *p = ud;

	p->call = 0;
	if (failed(p, resp))
		return;
	(void)sqs_parse_attributes(resp->body.data, resp->body.len, &p->q, NULL);
	if (p->q.max_receive > 0)
		snprintf(p->warning, sizeof(p->warning),
		         "peeking adds 1 to each message's receive count: this queue sends a "
		         "message to its DLQ after %d receives",
		         p->q.max_receive);
	receive_more(p);
}

static void
on_url(struct aws_response *resp, void *ud)
{
	struct fd_peek_async *p = ud;

	p->call = 0;
	if (failed(p, resp))
		return;
	if (sqs_parse_queue_url(resp->body.data, resp->body.len, &p->q.url, NULL) != FD_OK) {
		finish(p, "GetQueueUrl: no QueueUrl in the answer");
		return;
	}
	step(p, "GetQueueAttributes", sqs_build_attributes(p->q.url), on_attrs);
}

static void
step(struct fd_peek_async *p, const char *op, char *body, aws_done_fn done)
{
	p->call = sqs_call(p->c, op, body, strlen(body), done, p);
	free(body);
}

struct fd_peek_async *
fd_peek_async_start(struct aws_client *c, const char *queue, long long max)
{
	struct fd_peek_async *p = fd_xcalloc(1, sizeof(*p));
	char account[32];

	p->c = c;
	p->max = max > 0 ? max : 10;
	p->q.name = sqs_id_name(queue);
	if (!c || !p->q.name) {
		finish(p, !c ? "offline: peeking needs the network" : "not a queue name");
		return p;
	}
	snprintf(p->status, sizeof(p->status), "looking up %s", p->q.name);
	if (sqs_id_kind(queue) == SQS_ID_URL) {
		p->q.url = fd_xstrdup(queue);
		step(p, "GetQueueAttributes", sqs_build_attributes(p->q.url), on_attrs);
		return p;
	}
	sqs_id_account(queue, account, sizeof(account));
	step(p, "GetQueueUrl", sqs_build_queue_url(p->q.name, account), on_url);
	return p;
}

int
fd_peek_async_poll(const struct fd_peek_async *p, const struct fd_sqs_msg **msgs, size_t *n,
                   const char **status, const char **warning)
{
	*msgs = p->msgs;
	*n = p->n;
	*status = p->status;
	*warning = p->warning[0] ? p->warning : NULL;
	return p->done;
}

void
fd_peek_async_free(struct fd_peek_async *p)
{
	if (!p)
		return;
	if (p->call)
		aws_call_cancel(p->c, p->call);
	fd_sqs_msgs_free(p->msgs, p->n);
	fd_queue_free(&p->q);
	free(p);
}
