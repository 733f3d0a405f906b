/* sqs_parse.c - pure parsers for SQS answers other than ReceiveMessage: queue lists,
 * queue attributes (with the redrive and redrive-allow policies unpacked), batch
 * results and message move tasks. Bad records are skipped or defaulted; a document
 * of the wrong shape is FD_EPARSE. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/sqs.h"
#include "json_int.h"

#define LIST_MAX 100000 /* queue URLs in one answer (AWS: 1000) */
#define TASKS_MAX 100

static char *
jdup(const cJSON *o, const char *key)
{
	const char *s = cj_str(o, key);

	return s ? fd_xstrdup(s) : NULL;
}

/* SQS sends numbers as strings ("ApproximateNumberOfMessages": "12"); either form. */
static long long
jlong(const cJSON *o, const char *key, long long dflt)
{
	const char *s = cj_str_nonempty(o, key);
	char *end = NULL;
	long long x;

	if (!s)
		return cj_long(o, key, dflt);
	x = strtoll(s, &end, 10);
	return end && *end == '\0' ? x : dflt;
}

static enum fd_status
string_list(const cJSON *list, const char *what, char ***out, size_t *n, struct fd_err *err)
{
	const cJSON *it;
	int count = cJSON_GetArraySize(list);

	*out = NULL;
	*n = 0;
	if (!list)
		return FD_OK;
	if (!cJSON_IsArray(list) || count > LIST_MAX)
		return fd_err_set(err, FD_EPARSE, "%s is not a list of at most %d", what, LIST_MAX);
	*out = count ? fd_xcalloc((size_t)count, sizeof(**out)) : NULL;
	cJSON_ArrayForEach(it, list) if (cJSON_IsString(it) && it->valuestring[0])(*out)[(*n)++] =
	    fd_xstrdup(it->valuestring);
	return FD_OK;
}

static enum fd_status
url_list(const char *json, size_t len, const char *what, const char *key, char ***urls, size_t *n,
         char **next, struct fd_err *err)
{
	cJSON *doc = cj_parse_object(what, json, len, err);
	enum fd_status st;

	*urls = NULL;
	*n = 0;
	if (next)
		*next = NULL;
	if (!doc)
		return FD_EPARSE;
	st = string_list(cj_member(doc, key), key, urls, n, err);
	if (st == FD_OK && next)
		*next = jdup(doc, "NextToken");
	cJSON_Delete(doc);
	return st;
}

enum fd_status
sqs_parse_list_queues(const char *json, size_t len, char ***urls, size_t *n, char **next_token,
                      struct fd_err *err)
{
	return url_list(json, len, "ListQueues", "QueueUrls", urls, n, next_token, err);
}

enum fd_status
sqs_parse_dlq_sources(const char *json, size_t len, char ***urls, size_t *n, char **next_token,
                      struct fd_err *err)
{
	return url_list(json, len, "ListDeadLetterSourceQueues", "queueUrls", urls, n, next_token,
	                err);
}

enum fd_status
sqs_parse_queue_url(const char *json, size_t len, char **url, struct fd_err *err)
{
	*url = sqs_parse_string(json, len, "QueueUrl");
	if (!*url)
		return fd_err_set(err, FD_EPARSE, "GetQueueUrl: answer has no QueueUrl");
	return FD_OK;
}

char *
sqs_parse_string(const char *json, size_t len, const char *key)
{
	cJSON *doc = cj_parse_object(key, json, len, NULL);
	char *s = doc ? jdup(doc, key) : NULL;

	cJSON_Delete(doc);
	return s;
}

long long
sqs_parse_number(const char *json, size_t len, const char *key)
{
	cJSON *doc = cj_parse_object(key, json, len, NULL);
	long long v = doc ? jlong(doc, key, -1) : -1;

	cJSON_Delete(doc);
	return v;
}

/* RedrivePolicy {"deadLetterTargetArn":..., "maxReceiveCount": 5 or "5"}. */
static void
unpack_redrive(struct fd_queue *q)
{
	cJSON *doc = q->redrive_policy ? cJSON_Parse(q->redrive_policy) : NULL;
	long long max = jlong(doc, "maxReceiveCount", 0);

	free(q->dlq_arn);
	q->dlq_arn = jdup(doc, "deadLetterTargetArn");
	q->max_receive = max > 0 && max < 100000 ? (int)max : 0;
	cJSON_Delete(doc);
	doc = q->redrive_allow ? cJSON_Parse(q->redrive_allow) : NULL;
	free(q->allow_permission);
	q->allow_permission = jdup(doc, "redrivePermission");
	cJSON_Delete(doc);
}

static void
name_from_arn(struct fd_queue *q)
{
	const char *colon = q->arn ? strrchr(q->arn, ':') : NULL;

	if (!q->name && colon && colon[1])
		q->name = fd_xstrdup(colon + 1);
}

static void
replace(char **dst, const cJSON *attrs, const char *key)
{
	const char *s = cj_str(attrs, key);

	if (!s)
		return;
	free(*dst);
	*dst = s[0] ? fd_xstrdup(s) : NULL;
}

enum fd_status
sqs_parse_attributes(const char *json, size_t len, struct fd_queue *q, struct fd_err *err)
{
	cJSON *doc = cj_parse_object("GetQueueAttributes", json, len, err);
	const cJSON *a;

	if (!doc)
		return FD_EPARSE;
	a = cj_member(doc, "Attributes");
	if (a && !cJSON_IsObject(a)) {
		cJSON_Delete(doc);
		return fd_err_set(err, FD_EPARSE,
		                  "GetQueueAttributes: Attributes is not an object");
	}
	replace(&q->arn, a, "QueueArn");
	q->fifo =
	    fd_str_eq(cj_str(a, "FifoQueue"), "true") || (q->name && fd_str_ends(q->name, ".fifo"));
	q->visible = jlong(a, "ApproximateNumberOfMessages", -1);
	q->inflight = jlong(a, "ApproximateNumberOfMessagesNotVisible", -1);
	q->delayed = jlong(a, "ApproximateNumberOfMessagesDelayed", -1);
	q->retention_s = jlong(a, "MessageRetentionPeriod", -1);
	q->visibility_s = jlong(a, "VisibilityTimeout", -1);
	q->max_size = jlong(a, "MaximumMessageSize", -1);
	q->delay_s = jlong(a, "DelaySeconds", -1);
	q->content_dedup = fd_str_eq(cj_str(a, "ContentBasedDeduplication"), "true");
	q->created_s = jlong(a, "CreatedTimestamp", 0);
	q->modified_s = jlong(a, "LastModifiedTimestamp", 0);
	replace(&q->redrive_policy, a, "RedrivePolicy");
	replace(&q->redrive_allow, a, "RedriveAllowPolicy");
	unpack_redrive(q);
	name_from_arn(q);
	q->fetched_ms = fd_wall_now_ms();
	cJSON_Delete(doc);
	return FD_OK;
}

/* ---- batches ---- */

static int
entry_index(const cJSON *e, size_t n)
{
	const char *id = cj_str(e, "Id");
	char *end = NULL;
	long v;

	if (!id || !*id)
		return -1;
	v = strtol(id, &end, 10);
	return end && *end == '\0' && v >= 0 && (size_t)v < n ? (int)v : -1;
}

static void
fill_ok(const cJSON *e, struct sqs_batch_result *r)
{
	r->ok = 1;
	r->message_id = jdup(e, "MessageId");
	r->md5_body = jdup(e, "MD5OfMessageBody");
	r->md5_attrs = jdup(e, "MD5OfMessageAttributes");
}

static void
fill_failed(const cJSON *e, struct sqs_batch_result *r)
{
	const cJSON *sf = cj_member(e, "SenderFault");

	r->ok = 0;
	free(r->code);
	r->code = fd_xstrdup(cj_str(e, "Code") ? cj_str(e, "Code") : "Unknown");
	r->message = jdup(e, "Message");
	r->sender_fault = cJSON_IsTrue(sf);
}

enum fd_status
sqs_parse_batch(const char *json, size_t len, struct sqs_batch_result *results, size_t n,
                struct fd_err *err)
{
	cJSON *doc = cj_parse_object("batch", json, len, err);
	const cJSON *ok, *failed, *e;
	size_t i;
	int k;

	memset(results, 0, n * sizeof(*results));
	for (i = 0; i < n; i++) {
		results[i].index = (int)i;
		results[i].code = fd_xstrdup("Missing");
	}
	if (!doc)
		return FD_EPARSE;
	ok = cj_member(doc, "Successful");
	failed = cj_member(doc, "Failed");
	if (!cJSON_IsArray(ok))
		ok = NULL;
	if (!cJSON_IsArray(failed))
		failed = NULL;
	cJSON_ArrayForEach(e, ok)
	{
		k = entry_index(e, n);
		if (k >= 0 && !results[k].ok) {
			free(results[k].code);
			results[k].code = NULL;
			fill_ok(e, &results[k]);
		}
	}
	cJSON_ArrayForEach(e, failed)
	{
		k = entry_index(e, n);
		if (k >= 0 && !results[k].ok)
			fill_failed(e, &results[k]);
	}
	cJSON_Delete(doc);
	return FD_OK;
}

void
sqs_batch_results_free(struct sqs_batch_result *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].message_id);
		free(r[i].md5_body);
		free(r[i].md5_attrs);
		free(r[i].code);
		free(r[i].message);
		memset(&r[i], 0, sizeof(r[i]));
	}
}

/* ---- message move tasks ---- */

static int
task_from_json(const cJSON *o, struct sqs_move_task *t)
{
	long long rate = jlong(o, "MaxNumberOfMessagesPerSecond", 0);

	memset(t, 0, sizeof(*t));
	if (!cj_str(o, "Status"))
		return -1;
	t->handle = jdup(o, "TaskHandle");
	t->status = jdup(o, "Status");
	t->source_arn = jdup(o, "SourceArn");
	t->dest_arn = jdup(o, "DestinationArn");
	t->failure = jdup(o, "FailureReason");
	t->moved = jlong(o, "ApproximateNumberOfMessagesMoved", 0);
	t->to_move = jlong(o, "ApproximateNumberOfMessagesToMove", -1);
	t->rate = rate > 0 && rate <= 100000 ? (int)rate : 0;
	t->started_ms = jlong(o, "StartedTimestamp", 0);
	return 0;
}

enum fd_status
sqs_parse_move_tasks(const char *json, size_t len, struct sqs_move_task **tasks, size_t *n,
                     struct fd_err *err)
{
	cJSON *doc = cj_parse_object("ListMessageMoveTasks", json, len, err);
	const cJSON *list, *it;
	enum fd_status st = FD_OK;
	int count;

	*tasks = NULL;
	*n = 0;
	if (!doc)
		return FD_EPARSE;
	list = cj_member(doc, "Results");
	count = cJSON_GetArraySize(list);
	if (list && (!cJSON_IsArray(list) || count > TASKS_MAX)) {
		st =
		    fd_err_set(err, FD_EPARSE, "ListMessageMoveTasks: Results is not a short list");
		goto out;
	}
	*tasks = count ? fd_xcalloc((size_t)count, sizeof(**tasks)) : NULL;
	cJSON_ArrayForEach(it, list) if (task_from_json(it, &(*tasks)[*n]) == 0)(*n)++;
out:
	cJSON_Delete(doc);
	return st;
}

void
sqs_move_tasks_free(struct sqs_move_task *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++) {
		free(t[i].handle);
		free(t[i].status);
		free(t[i].source_arn);
		free(t[i].dest_arn);
		free(t[i].failure);
	}
	free(t);
}
