/* queues.c - the queues model: ListQueues (all pages), GetQueueAttributes for each
 * queue, ListDeadLetterSourceQueues for the DLQs, then CloudWatch age and depth; the
 * new rows replace the old ones in one go when everything has answered. Rows are
 * joined with the functions (event source mappings, async DLQ, on-failure
 * destinations). Every call runs through the aws client's callbacks. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/queues.h"
#include "fleetdeck/sqs.h"

struct wire { /* what a function says about queues */
	char *name;
	char *dlq_arn;
	char *on_failure;
	char **consumes; /* SQS event source ARNs */
	size_t nconsumes;
};

struct fd_queues {
	struct aws_client *c;
	struct fd_queue *rows, *next;
	size_t n, nnext;
	const struct fd_queue **dlqs;
	size_t ndlqs;
	struct wire *fns;
	size_t nfns;
	uint64_t *calls; /* ids of calls in flight, 0 = free slot */
	size_t ncalls;
	unsigned pending;
	int stage; /* 0 idle, 1 list, 2 attributes, 3 sources, 4 metrics */
	int refreshing, dirty;
	unsigned steps_done, steps_total;
	int64_t fetched_ms;
	char last_error[512];
};

struct qcall {
	struct fd_queues *q;
	size_t slot;
	size_t index; /* queue (attributes, sources) or first queue (metrics) */
	size_t count;
};

static void stage_done(struct fd_queues *q);

/* ---- call bookkeeping ---- */

static struct qcall *
qcall_new(struct fd_queues *q, size_t index)
{
	struct qcall *k = fd_xcalloc(1, sizeof(*k));
	size_t i;

	for (i = 0; i < q->ncalls && q->calls[i]; i++)
		;
	if (i == q->ncalls) {
		q->calls = fd_xreallocarray(q->calls, q->ncalls + 16, sizeof(*q->calls));
		memset(q->calls + q->ncalls, 0, 16 * sizeof(*q->calls));
		q->ncalls += 16;
	}
	k->q = q;
	k->slot = i;
	k->index = index;
	q->calls[i] = (uint64_t)-1; /* taken until the id is known */
	q->pending++;
	return k;
}

/* Ends a call; 0 when the model moved on (the answer is to be ignored). */
static int
qcall_end(struct qcall *k, struct fd_queues **out)
{
	struct fd_queues *q = k->q;

	q->calls[k->slot] = 0;
	q->pending--;
	q->steps_done++;
	*out = q;
	return q->refreshing;
}

static void
call_error(struct fd_queues *q, const struct aws_error *e)
{
	if (!q->last_error[0])
		aws_error_format(e, q->last_error, sizeof(q->last_error));
}

/* ---- stage 1: ListQueues ---- */

static void list_page(struct fd_queues *q, const char *token);

static void
on_list(struct aws_response *resp, void *ud)
{
	struct qcall *k = ud;
	struct fd_queues *q;
	char **urls = NULL, *next = NULL;
	size_t n = 0, i;

	if (!qcall_end(k, &q)) {
		free(k);
		return;
	}
	free(k);
	if (resp->error.status != FD_OK)
		call_error(q, &resp->error);
	else if (sqs_parse_list_queues(resp->body.data, resp->body.len, &urls, &n, &next, NULL) ==
	         FD_OK) {
		q->next = fd_xreallocarray(q->next, q->nnext + n + 1, sizeof(*q->next));
		for (i = 0; i < n; i++) {
			memset(&q->next[q->nnext], 0, sizeof(*q->next));
			q->next[q->nnext].url = urls[i];
			q->next[q->nnext].name = sqs_id_name(urls[i]);
			q->next[q->nnext].oldest_age_s = NAN;
			q->nnext++;
		}
		free(urls);
	}
	if (next)
		list_page(q, next);
	free(next);
	if (!q->pending)
		stage_done(q);
}

static void
list_page(struct fd_queues *q, const char *token)
{
	struct qcall *k = qcall_new(q, 0);
	char *body = sqs_build_page(NULL, NULL, token, 1000);

	q->steps_total++;
	q->calls[k->slot] = sqs_call(q->c, "ListQueues", body, strlen(body), on_list, k);
	free(body);
}

/* ---- stage 2: attributes; stage 3: DLQ sources ---- */

static void
on_attrs(struct aws_response *resp, void *ud)
{
	struct qcall *k = ud;
	struct fd_queues *q;

	if (qcall_end(k, &q)) {
		if (resp->error.status != FD_OK)
			call_error(q, &resp->error);
		else
			(void)sqs_parse_attributes(resp->body.data, resp->body.len,
			                           &q->next[k->index], NULL);
		if (!q->pending)
			stage_done(q);
	}
	free(k);
}

static void
add_unique(char ***list, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return;
	*list = fd_xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = fd_xstrdup(s);
}

static const struct fd_queue *
find_in(const struct fd_queue *rows, size_t n, const char *id)
{
	char *name = sqs_id_name(id);
	size_t i;

	for (i = 0; name && i < n; i++) {
		if (fd_str_eq(rows[i].arn, id) || fd_str_eq(rows[i].url, id) ||
		    fd_str_eq(rows[i].name, name))
			break;
	}
	free(name);
	return name && i < n ? &rows[i] : NULL;
}

static void
on_sources(struct aws_response *resp, void *ud)
{
	struct qcall *k = ud;
	struct fd_queues *q;
	const struct fd_queue *src;
	char **urls = NULL;
	size_t n = 0, i;

	if (qcall_end(k, &q)) {
		if (resp->error.status != FD_OK)
			call_error(q, &resp->error);
		else if (sqs_parse_dlq_sources(resp->body.data, resp->body.len, &urls, &n, NULL,
		                               NULL) == FD_OK) {
			for (i = 0; i < n; i++) {
				src = find_in(q->next, q->nnext, urls[i]);
				add_unique(&q->next[k->index].sources, &q->next[k->index].nsources,
				           src && src->arn ? src->arn : urls[i]);
				free(urls[i]);
			}
			free(urls);
		}
		if (!q->pending)
			stage_done(q);
	}
	free(k);
}

static void
start_each(struct fd_queues *q, const char *op, aws_done_fn done, int only_dlqs)
{
	struct qcall *k;
	size_t i;
	char *body;

	for (i = 0; i < q->nnext; i++) {
		if (only_dlqs && !q->next[i].nsources)
			continue;
		k = qcall_new(q, i);
		body = only_dlqs ? sqs_build_page("QueueUrl", q->next[i].url, NULL, 1000)
		                 : sqs_build_attributes(q->next[i].url);
		q->steps_total++;
		q->calls[k->slot] = sqs_call(q->c, op, body, strlen(body), done, k);
		free(body);
	}
}

/* RedrivePolicy names each queue's DLQ: that gives most of the map for free. */
static void
map_from_policies(struct fd_queues *q)
{
	size_t i, j;

	for (i = 0; i < q->nnext; i++) {
		if (!q->next[i].dlq_arn)
			continue;
		for (j = 0; j < q->nnext; j++)
			if (fd_str_eq(q->next[j].arn, q->next[i].dlq_arn) && q->next[i].arn)
				add_unique(&q->next[j].sources, &q->next[j].nsources,
				           q->next[i].arn);
	}
}

/* ---- stage 4: CloudWatch ---- */

static void metrics_call(struct fd_queues *q, size_t first, size_t count, const char *token);

static void
on_metrics(struct aws_response *resp, void *ud)
{
	struct qcall *k = ud;
	struct fd_queues *q;
	char *next = NULL;

	if (qcall_end(k, &q)) {
		if (resp->error.status != FD_OK)
			call_error(q, &resp->error);
		else
			(void)sqs_parse_metrics(resp->body.data, resp->body.len, q->next, q->nnext,
			                        fd_wall_now(), &next, NULL);
		if (next)
			metrics_call(q, k->index, k->count, next);
		free(next);
		if (!q->pending)
			stage_done(q);
	}
	free(k);
}

static void
metrics_call(struct fd_queues *q, size_t first, size_t count, const char *token)
{
	struct qcall *k = qcall_new(q, first);
	struct aws_request r;
	char *body = sqs_build_metrics_request(q->next, first, count, fd_wall_now(), token);

	k->count = count;
	q->steps_total++;
	aws_request_init(&r, AWS_SVC_MONITORING, "GetMetricData");
	aws_request_json(&r, body, strlen(body));
	free(body);
	q->calls[k->slot] = aws_call_start(q->c, &r, on_metrics, k);
}

static void
start_metrics(struct fd_queues *q)
{
	size_t i, j;

	for (i = 0; i < q->nnext; i++)
		for (j = 0; j < FD_QUEUE_SPARK; j++)
			q->next[i].spark[j] = NAN;
	for (i = 0; i < q->nnext; i += SQS_METRICS_PER_CALL)
		metrics_call(q, i, FD_MIN((size_t)SQS_METRICS_PER_CALL, q->nnext - i), NULL);
}

/* ---- publishing ---- */

static int
by_name(const void *a, const void *b)
{
	const struct fd_queue *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static int
dlq_order(const void *a, const void *b)
{
	const struct fd_queue *x = *(const struct fd_queue *const *)a;
	const struct fd_queue *y = *(const struct fd_queue *const *)b;
	long long dx = FD_MAX(x->visible, 0), dy = FD_MAX(y->visible, 0);

	if ((dx > 0) != (dy > 0) || dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static int
dlq_named(const char *name)
{
	char low[96];
	size_t i;

	for (i = 0; name && name[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[name ? i : 0] = '\0';
	return strstr(low, "dlq") || strstr(low, "dead-letter") || strstr(low, "deadletter");
}

static void
join_functions(struct fd_queues *q)
{
	struct fd_queue *r;
	size_t i, j, k;

	for (i = 0; i < q->n; i++) {
		r = &q->rows[i];
		for (j = 0; r->arn && j < q->nfns; j++) {
			for (k = 0; k < q->fns[j].nconsumes; k++)
				if (strcmp(q->fns[j].consumes[k], r->arn) == 0)
					add_unique(&r->consumers, &r->nconsumers, q->fns[j].name);
			if (fd_str_eq(q->fns[j].dlq_arn, r->arn) ||
			    fd_str_eq(q->fns[j].on_failure, r->arn))
				add_unique(&r->failure_fns, &r->nfailure_fns, q->fns[j].name);
		}
		r->is_dlq = r->nsources || r->nfailure_fns || dlq_named(r->name);
	}
	free(q->dlqs);
	q->dlqs = q->n ? fd_xcalloc(q->n, sizeof(*q->dlqs)) : NULL;
	for (q->ndlqs = 0, i = 0; i < q->n; i++)
		if (q->rows[i].is_dlq)
			q->dlqs[q->ndlqs++] = &q->rows[i];
	if (q->ndlqs)
		qsort(q->dlqs, q->ndlqs, sizeof(*q->dlqs), dlq_order);
}

static void
publish(struct fd_queues *q)
{
	fd_queues_free_array(q->rows, q->n);
	q->rows = q->next;
	q->n = q->nnext;
	q->next = NULL;
	q->nnext = 0;
	if (q->n)
		qsort(q->rows, q->n, sizeof(*q->rows), by_name);
	join_functions(q);
	q->fetched_ms = fd_wall_now_ms();
	q->refreshing = 0;
	q->stage = 0;
	q->dirty = 1;
}

static void
stage_done(struct fd_queues *q)
{
	size_t i;

	q->stage++;
	if (q->stage == 2) {
		start_each(q, "GetQueueAttributes", on_attrs, 0);
	} else if (q->stage == 3) {
		map_from_policies(q);
		for (i = 0; i < q->nnext; i++)
			q->next[i].is_dlq = q->next[i].nsources > 0;
		start_each(q, "ListDeadLetterSourceQueues", on_sources, 1);
	} else if (q->stage == 4) {
		start_metrics(q);
	} else {
		publish(q);
		return;
	}
	if (!q->pending)
		stage_done(q);
}

/* ---- public ---- */

struct fd_queues *
fd_queues_new(struct aws_client *client)
{
	struct fd_queues *q = fd_xcalloc(1, sizeof(*q));

	q->c = client;
	return q;
}

static void
wires_free(struct fd_queues *q)
{
	size_t i, k;

	for (i = 0; i < q->nfns; i++) {
		free(q->fns[i].name);
		free(q->fns[i].dlq_arn);
		free(q->fns[i].on_failure);
		for (k = 0; k < q->fns[i].nconsumes; k++)
			free(q->fns[i].consumes[k]);
		free(q->fns[i].consumes);
	}
	free(q->fns);
	q->fns = NULL;
	q->nfns = 0;
}

void
fd_queues_free(struct fd_queues *q)
{
	if (!q)
		return;
	fd_queues_cancel(q);
	fd_queues_free_array(q->rows, q->n);
	free(q->dlqs);
	free(q->calls);
	wires_free(q);
	free(q);
}

void
fd_queues_set_functions(struct fd_queues *q, const struct fd_function *fns, size_t n)
{
	struct wire *w;
	size_t i, k;

	wires_free(q);
	q->fns = n ? fd_xcalloc(n, sizeof(*q->fns)) : NULL;
	for (i = 0; i < n; i++) {
		w = &q->fns[q->nfns++];
		w->name = fd_xstrdup(fns[i].name ? fns[i].name : "?");
		w->dlq_arn = fns[i].dlq_arn ? fd_xstrdup(fns[i].dlq_arn) : NULL;
		w->on_failure =
		    fns[i].async.on_failure ? fd_xstrdup(fns[i].async.on_failure) : NULL;
		for (k = 0; k < fns[i].ntriggers; k++)
			if (fns[i].triggers[k].kind == FD_TRIG_SQS && fns[i].triggers[k].source_arn)
				add_unique(&w->consumes, &w->nconsumes,
				           fns[i].triggers[k].source_arn);
	}
	join_functions(q);
	q->dirty = 1;
}

void
fd_queues_refresh(struct fd_queues *q)
{
	if (q->refreshing || !q->c)
		return;
	fd_queues_free_array(q->next, q->nnext);
	q->next = NULL;
	q->nnext = 0;
	q->refreshing = 1;
	q->stage = 1;
	q->steps_done = q->steps_total = 0;
	q->last_error[0] = '\0';
	list_page(q, NULL);
}

void
fd_queues_cancel(struct fd_queues *q)
{
	size_t i;

	q->refreshing = 0;
	for (i = 0; i < q->ncalls; i++) {
		if (q->calls[i] && q->calls[i] != (uint64_t)-1)
			aws_call_cancel(q->c, q->calls[i]);
		q->calls[i] = 0;
	}
	q->pending = 0;
	q->stage = 0;
}

enum fd_status
fd_queues_refresh_sync(struct fd_queues *q, struct fd_err *err)
{
	if (!q->c)
		return fd_err_set(err, FD_EINVAL, "queues: offline");
	fd_queues_refresh(q);
	while (q->refreshing)
		if (aws_client_wait(q->c, NULL, 0, 50) != FD_OK && !aws_client_pending(q->c))
			break;
	if (q->refreshing) {
		fd_queues_cancel(q);
		return fd_err_set(err, FD_EHTTP, "queues: waiting for the network failed");
	}
	if (!q->n && q->last_error[0])
		return fd_err_set(err, FD_EAWS, "%s", q->last_error);
	return FD_OK;
}

int
fd_queues_take_dirty(struct fd_queues *q)
{
	int d = q->dirty;

	q->dirty = 0;
	return d;
}

void
fd_queues_status(const struct fd_queues *q, struct fd_queues_status *out)
{
	memset(out, 0, sizeof(*out));
	out->refreshing = q->refreshing;
	out->fetched_ms = q->fetched_ms;
	out->steps_done = q->steps_done;
	out->steps_total = q->steps_total;
	fd_strlcpy(out->last_error, q->last_error, sizeof(out->last_error));
}

size_t
fd_queues_rows(const struct fd_queues *q, const struct fd_queue **rows)
{
	*rows = q->rows;
	return q->n;
}

size_t
fd_queues_dlqs(struct fd_queues *q, const struct fd_queue *const **rows)
{
	*rows = (const struct fd_queue *const *)q->dlqs;
	return q->ndlqs;
}

const struct fd_queue *
fd_queues_find(const struct fd_queues *q, const char *id)
{
	return id ? find_in(q->rows, q->n, id) : NULL;
}

void
fd_queues_summary(const struct fd_queues *q, struct fd_dlq_summary *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->queues = q->n;
	out->dlqs = q->ndlqs;
	out->oldest_age_s = NAN;
	for (i = 0; i < q->ndlqs; i++) {
		const struct fd_queue *d = q->dlqs[i];
		if (d->visible <= 0)
			continue;
		out->dlqs_with_messages++;
		out->dlq_messages += d->visible;
		if (!isnan(d->oldest_age_s) &&
		    (isnan(out->oldest_age_s) || d->oldest_age_s > out->oldest_age_s))
			out->oldest_age_s = d->oldest_age_s;
	}
	if (q->ndlqs && q->dlqs[0]->visible > 0)
		fd_strlcpy(out->worst, q->dlqs[0]->name, sizeof(out->worst));
}
