/* queue_facts.c - the SQS event-source queues' redrive facts: every source queue
 * once (GetQueueUrl, then GetQueueAttributes for its RedrivePolicy), then every DLQ
 * the policies name once (its ApproximateNumberOfMessages). A few calls at a time
 * through the client's callbacks; the aws layer's per-action buckets pace them. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/queuefacts.h"
#include "fleetdeck/sqs.h"
#include "fleetdeck/util.h"

#define QF_SYNC_WAIT_MS 1000

struct qf_slot {
	struct fd_qfacts_job *job;
	uint64_t id;   /* 0 = free */
	size_t index;  /* into the current list */
	int attrs;     /* 0: GetQueueUrl, 1: GetQueueAttributes */
};

struct fd_qfacts_job {
	struct aws_client *c;
	char **arns;               /* sources, then (phase 1) the DLQs */
	size_t narns, nsources;
	struct fd_queue *queues;   /* one per ARN: what GetQueueAttributes said */
	int *ok;
	size_t next;
	int phase;                 /* 0 sources, 1 DLQs */
	struct qf_slot slots[QF_INFLIGHT];
	unsigned active;
	int pumping;
	int stop;                  /* calls were cancelled (the client is going away) */
	char error[320];
	fd_qfacts_done_fn done;
	void *ud;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates in place; returns the new count. */
static size_t
sort_unique(char **v, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i], v[k]) == 0)
			free(v[i]);
		else
			v[++k] = v[i];
	}
	return k + 1;
}

size_t
fd_qfacts_sources(const struct fd_function *fns, size_t n, char ***arns)
{
	size_t i, j, k = 0;

	*arns = NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; fns[i].detail_loaded && j < fns[i].ntriggers; j++) {
			const struct fd_trigger *t = &fns[i].triggers[j];
			if (t->kind != FD_TRIG_SQS || !t->uuid || !t->source_arn)
				continue;
			*arns = fd_xreallocarray(*arns, k + 1, sizeof(**arns));
			(*arns)[k++] = fd_xstrdup(t->source_arn);
		}
	}
	return sort_unique(*arns, k);
}

static void pump(struct fd_qfacts_job *j);

/* The queue's name: an ARN's last field. */
static const char *
arn_name(const char *arn)
{
	const char *p = strrchr(arn, ':');

	return p ? p + 1 : arn;
}

static void
note_error(struct fd_qfacts_job *j, const char *arn, const struct aws_error *e)
{
	char msg[224];

	if (j->error[0])
		return;
	aws_error_format(e, msg, sizeof(msg));
	snprintf(j->error, sizeof(j->error), "queue %.80s: %s", arn_name(arn), msg);
}

static void
on_answer(struct aws_response *resp, void *ud)
{
	struct qf_slot *s = ud;
	struct fd_qfacts_job *j = s->job;
	struct fd_queue *q = &j->queues[s->index];
	struct fd_err err = {FD_OK, ""};
	enum fd_status st = resp->error.status;

	s->id = 0;
	j->active--;
	if (st == FD_ECANCELLED)
		j->stop = 1;
	if (st == FD_OK && !s->attrs)
		st = sqs_parse_queue_url(resp->body.data, resp->body.len, &q->url, &err);
	else if (st == FD_OK)
		st = sqs_parse_attributes(resp->body.data, resp->body.len, q, &err);
	if (resp->error.status != FD_OK)
		note_error(j, j->arns[s->index], &resp->error);
	else if (st != FD_OK && !j->error[0])
		snprintf(j->error, sizeof(j->error), "queue %.80s: %s", arn_name(j->arns[s->index]),
		         err.msg);
	if (st == FD_OK && !s->attrs && !j->stop) {
		char *body = sqs_build_attributes(q->url);
		s->attrs = 1;
		s->id = sqs_call(j->c, "GetQueueAttributes", body, strlen(body), on_answer, s);
		j->active++;
		free(body);
	} else if (st == FD_OK) {
		j->ok[s->index] = 1;
	}
	if (!j->pumping)
		pump(j);
}

static void
start_one(struct fd_qfacts_job *j, struct qf_slot *s, size_t index)
{
	char account[32], *name = sqs_id_name(j->arns[index]), *body;

	sqs_id_account(j->arns[index], account, sizeof(account));
	body = sqs_build_queue_url(name ? name : "", account);
	s->index = index;
	s->attrs = 0;
	j->active++;
	s->id = sqs_call(j->c, "GetQueueUrl", body, strlen(body), on_answer, s);
	free(body);
	free(name);
}

/* The DLQs the sources' policies name, each once, become the list. */
static void
start_dlqs(struct fd_qfacts_job *j)
{
	char **dlqs = NULL;
	size_t i, n = 0;

	for (i = 0; i < j->nsources; i++)
		if (j->ok[i] && j->queues[i].dlq_arn) {
			dlqs = fd_xreallocarray(dlqs, n + 1, sizeof(*dlqs));
			dlqs[n++] = fd_xstrdup(j->queues[i].dlq_arn);
		}
	n = sort_unique(dlqs, n);
	j->arns = fd_xreallocarray(j->arns, j->nsources + n + 1, sizeof(*j->arns));
	j->queues = fd_xreallocarray(j->queues, j->nsources + n + 1, sizeof(*j->queues));
	j->ok = fd_xreallocarray(j->ok, j->nsources + n + 1, sizeof(*j->ok));
	for (i = 0; i < n; i++) {
		j->arns[j->nsources + i] = dlqs[i];
		memset(&j->queues[j->nsources + i], 0, sizeof(*j->queues));
		j->ok[j->nsources + i] = 0;
	}
	free(dlqs);
	j->narns = j->nsources + n;
	j->phase = 1;
}

static long long
dlq_depth(const struct fd_qfacts_job *j, const char *dlq_arn)
{
	size_t i;

	for (i = j->nsources; dlq_arn && i < j->narns; i++)
		if (j->ok[i] && strcmp(j->arns[i], dlq_arn) == 0)
			return j->queues[i].visible;
	return -1;
}

static void
job_free(struct fd_qfacts_job *j)
{
	size_t i;

	for (i = 0; i < j->narns; i++) {
		free(j->arns[i]);
		fd_queue_free(&j->queues[i]);
	}
	free(j->arns);
	free(j->queues);
	free(j->ok);
	free(j);
}

static void
finish(struct fd_qfacts_job *j)
{
	struct fd_queue_fact *f = fd_xcalloc(FD_MAX(j->nsources, 1), sizeof(*f));
	int64_t now = fd_wall_now_ms();
	size_t i, n = 0;

	if (j->stop) {
		free(f);
		j->done(NULL, 0, FD_ECANCELLED, j->error, j->ud);
		job_free(j);
		return;
	}
	for (i = 0; i < j->nsources; i++) {
		const struct fd_queue *q = &j->queues[i];
		if (!j->ok[i])
			continue;
		f[n].arn = fd_xstrdup(j->arns[i]);
		f[n].has_redrive = q->redrive_policy != NULL || q->dlq_arn != NULL;
		f[n].dlq_arn = q->dlq_arn ? fd_xstrdup(q->dlq_arn) : NULL;
		f[n].dlq_depth = dlq_depth(j, q->dlq_arn);
		f[n].fetched_ms = now;
		n++;
	}
	j->done(f, n, FD_OK, j->error, j->ud);
	job_free(j);
}

/* Starts calls while slots are free; moves to the DLQs, then finishes (freeing j),
 * once a list is read. */
static void
pump(struct fd_qfacts_job *j)
{
	size_t k;

	j->pumping = 1;
	if (j->stop)
		j->next = j->narns;
	for (;;) {
		for (k = 0; k < QF_INFLIGHT && j->next < j->narns; k++)
			if (!j->slots[k].id)
				start_one(j, &j->slots[k], j->next++);
		if (j->active || j->next < j->narns || j->phase == 1 || j->stop)
			break;
		start_dlqs(j);
	}
	j->pumping = 0;
	if (!j->active && j->next >= j->narns && (j->phase == 1 || j->stop))
		finish(j);
}

struct fd_qfacts_job *
fd_qfacts_start(struct aws_client *c, char *const *arns, size_t n, fd_qfacts_done_fn done,
		void *ud)
{
	struct fd_qfacts_job *j;
	size_t i, k;

	if (!n) {
		done(NULL, 0, FD_OK, "", ud);
		return NULL;
	}
	j = fd_xcalloc(1, sizeof(*j));
	j->c = c;
	j->arns = fd_xcalloc(n, sizeof(*j->arns));
	j->queues = fd_xcalloc(n, sizeof(*j->queues));
	j->ok = fd_xcalloc(n, sizeof(*j->ok));
	for (i = 0; i < n; i++)
		j->arns[i] = fd_xstrdup(arns[i]);
	j->narns = j->nsources = n;
	j->done = done;
	j->ud = ud;
	for (k = 0; k < QF_INFLIGHT; k++)
		j->slots[k].job = j;
	pump(j);
	return j;
}

void
fd_qfacts_cancel(struct fd_qfacts_job *j)
{
	size_t k;

	if (!j)
		return;
	for (k = 0; k < QF_INFLIGHT; k++)
		if (j->slots[k].id)
			aws_call_cancel(j->c, j->slots[k].id);
	job_free(j);
}

struct qf_sync {
	int done;
	enum fd_status st;
	struct fd_queue_fact *facts;
	size_t n;
	char error[256];
};

static void
sync_done(struct fd_queue_fact *facts, size_t n, enum fd_status st, const char *error, void *ud)
{
	struct qf_sync *s = ud;

	s->done = 1;
	s->st = st;
	s->facts = facts;
	s->n = n;
	fd_strlcpy(s->error, error ? error : "", sizeof(s->error));
}

enum fd_status
fd_qfacts_read_sync(struct aws_client *c, char *const *arns, size_t n,
		    struct fd_queue_fact **facts, size_t *nfacts, char *error, size_t error_len)
{
	struct qf_sync s;
	struct fd_qfacts_job *j;
	enum fd_status st = FD_OK;

	memset(&s, 0, sizeof(s));
	j = fd_qfacts_start(c, arns, n, sync_done, &s);
	while (!s.done) {
		st = aws_client_wait(c, NULL, 0, QF_SYNC_WAIT_MS);
		if (st != FD_OK && aws_client_pending(c) == 0)
			break;
	}
	if (!s.done) {
		fd_qfacts_cancel(j);
		return st != FD_OK ? st : FD_EHTTP;
	}
	*facts = s.facts;
	*nfacts = s.n;
	if (error && error_len)
		fd_strlcpy(error, s.error, error_len);
	return s.st;
}
