/* sqs_build.c - SQS request bodies (awsJson 1.0). Send entries carry the message's
 * body, every message attribute and the AWSTraceHeader system attribute unchanged;
 * the FIFO group and deduplication ids are added when the target is FIFO. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/sqs.h"

/* From sqs_codec.c: the MessageAttributes object of a message. */
cJSON *sqs_attrs_cjson(const struct fd_sqs_msg *m);

static char *
finish(cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	if (!text)
		fd_fatal("out of memory building an SQS request");
	return text;
}

static void
add_all(cJSON *doc, const char *key)
{
	cJSON *a = cJSON_AddArrayToObject(doc, key);

	cJSON_AddItemToArray(a, cJSON_CreateString("All"));
}

char *
sqs_build_receive(const struct sqs_receive_opts *o)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "QueueUrl", o->url);
	cJSON_AddNumberToObject(doc, "MaxNumberOfMessages", FD_MAX(1, FD_MIN(o->max, 10)));
	if (o->visibility_s >= 0)
		cJSON_AddNumberToObject(doc, "VisibilityTimeout",
		                        FD_MIN(o->visibility_s, SQS_VISIBILITY_MAX));
	cJSON_AddNumberToObject(doc, "WaitTimeSeconds", FD_MAX(0, FD_MIN(o->wait_s, 20)));
	add_all(doc, "AttributeNames");
	add_all(doc, "MessageSystemAttributeNames");
	add_all(doc, "MessageAttributeNames");
	if (o->attempt_id)
		cJSON_AddStringToObject(doc, "ReceiveRequestAttemptId", o->attempt_id);
	return finish(doc);
}

size_t
sqs_msg_payload_size(const struct fd_sqs_msg *m)
{
	size_t n = m->body_len, i;

	for (i = 0; i < m->nattrs; i++)
		n += strlen(m->attrs[i].name) + strlen(m->attrs[i].type) + m->attrs[i].len;
	return n;
}

static cJSON *
send_entry(size_t i, const struct sqs_send_entry *e)
{
	cJSON *o = cJSON_CreateObject(), *sys, *th;
	const char *trace = fd_sqs_msg_sys(e->msg, "AWSTraceHeader");
	char id[24];

	snprintf(id, sizeof(id), "%zu", i);
	cJSON_AddStringToObject(o, "Id", id);
	cJSON_AddStringToObject(o, "MessageBody", e->msg->body ? e->msg->body : "");
	if (e->msg->nattrs)
		cJSON_AddItemToObject(o, "MessageAttributes", sqs_attrs_cjson(e->msg));
	if (trace && *trace) {
		sys = cJSON_AddObjectToObject(o, "MessageSystemAttributes");
		th = cJSON_AddObjectToObject(sys, "AWSTraceHeader");
		cJSON_AddStringToObject(th, "DataType", "String");
		cJSON_AddStringToObject(th, "StringValue", trace);
	}
	if (e->group_id)
		cJSON_AddStringToObject(o, "MessageGroupId", e->group_id);
	if (e->dedup_id)
		cJSON_AddStringToObject(o, "MessageDeduplicationId", e->dedup_id);
	return o;
}

char *
sqs_build_send_batch(const char *url, const struct sqs_send_entry *e, size_t n)
{
	cJSON *doc = cJSON_CreateObject(), *list;
	size_t i;

	cJSON_AddStringToObject(doc, "QueueUrl", url);
	list = cJSON_AddArrayToObject(doc, "Entries");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, send_entry(i, &e[i]));
	return finish(doc);
}

static char *
receipt_batch(const char *url, const char *const *receipts, size_t n, int timeout_s)
{
	cJSON *doc = cJSON_CreateObject(), *list, *o;
	char id[24];
	size_t i;

	cJSON_AddStringToObject(doc, "QueueUrl", url);
	list = cJSON_AddArrayToObject(doc, "Entries");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		snprintf(id, sizeof(id), "%zu", i);
		cJSON_AddStringToObject(o, "Id", id);
		cJSON_AddStringToObject(o, "ReceiptHandle", receipts[i] ? receipts[i] : "");
		if (timeout_s >= 0)
			cJSON_AddNumberToObject(o, "VisibilityTimeout", timeout_s);
		cJSON_AddItemToArray(list, o);
	}
	return finish(doc);
}

char *
sqs_build_delete_batch(const char *url, const char *const *receipts, size_t n)
{
	return receipt_batch(url, receipts, n, -1);
}

char *
sqs_build_visibility_batch(const char *url, const char *const *receipts, size_t n, int timeout_s)
{
	return receipt_batch(url, receipts, n, FD_MAX(0, FD_MIN(timeout_s, SQS_VISIBILITY_MAX)));
}

char *
sqs_build_url_only(const char *url, const char *key, const char *value)
{
	cJSON *doc = cJSON_CreateObject();

	if (url)
		cJSON_AddStringToObject(doc, "QueueUrl", url);
	if (key && value)
		cJSON_AddStringToObject(doc, key, value);
	return finish(doc);
}

char *
sqs_build_attributes(const char *url)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "QueueUrl", url);
	add_all(doc, "AttributeNames");
	return finish(doc);
}

char *
sqs_build_queue_url(const char *name, const char *owner)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "QueueName", name);
	if (owner && *owner)
		cJSON_AddStringToObject(doc, "QueueOwnerAWSAccountId", owner);
	return finish(doc);
}

char *
sqs_build_page(const char *key, const char *value, const char *token, int max_results)
{
	cJSON *doc = cJSON_CreateObject();

	if (key && value)
		cJSON_AddStringToObject(doc, key, value);
	if (max_results > 0)
		cJSON_AddNumberToObject(doc, "MaxResults", max_results);
	if (token)
		cJSON_AddStringToObject(doc, "NextToken", token);
	return finish(doc);
}

char *
sqs_build_create_queue(const char *name, const char *const *attrs, size_t n)
{
	cJSON *doc = cJSON_CreateObject(), *a;
	const char *eq;
	char key[128];
	size_t i;

	cJSON_AddStringToObject(doc, "QueueName", name);
	a = cJSON_AddObjectToObject(doc, "Attributes");
	for (i = 0; i < n; i++) {
		eq = strchr(attrs[i], '=');
		if (!eq || (size_t)(eq - attrs[i]) >= sizeof(key))
			continue;
		memcpy(key, attrs[i], (size_t)(eq - attrs[i]));
		key[eq - attrs[i]] = '\0';
		cJSON_AddStringToObject(a, key, eq + 1);
	}
	return finish(doc);
}

char *
sqs_build_start_move(const char *source_arn, const char *dest_arn, int rate)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "SourceArn", source_arn);
	if (dest_arn)
		cJSON_AddStringToObject(doc, "DestinationArn", dest_arn);
	if (rate > 0)
		cJSON_AddNumberToObject(doc, "MaxNumberOfMessagesPerSecond", rate);
	return finish(doc);
}
