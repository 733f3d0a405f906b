/* events_dlq.c - the event a dead-letter message stands for. Three shapes reach a DLQ:
 * an on-failure destination record ({"requestContext":{"functionArn":...},
 * "requestPayload":<the event>, ...}), a Lambda async DLQ message (the event itself
 * as the body, with RequestID / ErrorCode / ErrorMessage attributes), and any other
 * SQS message, which a function consuming the queue would have received wrapped in
 * an SQS batch event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/jsonutil.h"

/* requestPayload's span when body is a destination record. */
static int
destination_payload(const char *body, size_t len, size_t *off, size_t *n)
{
	size_t coff, cn, aoff, an;

	if (!fd_json_member(body, len, "requestContext", &coff, &cn) ||
	    !fd_json_member(body + coff, cn, "functionArn", &aoff, &an))
		return 0;
	return fd_json_member(body, len, "requestPayload", off, n);
}

static int
has_attr(const struct fd_sqs_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].name && strcmp(m->attrs[i].name, name) == 0)
			return 1;
	return 0;
}

static const char *
sys_attr(const struct fd_sqs_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsys; i++)
		if (m->sys[i].key && strcmp(m->sys[i].key, name) == 0)
			return m->sys[i].value;
	return NULL;
}

static void
wrap_attributes(struct fd_jw *w, const struct fd_sqs_msg *m)
{
	size_t i;

	fd_jw_key(w, "attributes");
	fd_jw_obj(w);
	if (!sys_attr(m, "ApproximateReceiveCount"))
		fd_jw_kstr(w, "ApproximateReceiveCount", "1");
	for (i = 0; i < m->nsys; i++)
		if (m->sys[i].key)
			fd_jw_kstr(w, m->sys[i].key, m->sys[i].value ? m->sys[i].value : "");
	fd_jw_end(w);
}

/* Lambda's SQS event spells message attributes {"stringValue"|"binaryValue", the two
 * list members, "dataType"}. */
static void
wrap_message_attributes(struct fd_jw *w, const struct fd_sqs_msg *m)
{
	size_t i;

	fd_jw_key(w, "messageAttributes");
	fd_jw_obj(w);
	for (i = 0; i < m->nattrs; i++) {
		const struct fd_sqs_attr *a = &m->attrs[i];
		int binary = a->type && fd_str_starts(a->type, "Binary");
		fd_jw_key(w, a->name ? a->name : "");
		fd_jw_obj(w);
		if (binary) {
			char *b64 = fd_base64_encode(a->value ? a->value : "", a->len);
			fd_jw_kstr(w, "binaryValue", b64);
			free(b64);
		} else {
			fd_jw_key(w, "stringValue");
			fd_jw_strn(w, a->value ? a->value : "", a->value ? a->len : 0);
		}
		fd_jw_key(w, "stringListValues");
		fd_jw_arr(w);
		fd_jw_end(w);
		fd_jw_key(w, "binaryListValues");
		fd_jw_arr(w);
		fd_jw_end(w);
		fd_jw_kstr(w, "dataType", a->type ? a->type : "String");
		fd_jw_end(w);
	}
	fd_jw_end(w);
}

static void
wrap_sqs(const struct fd_sqs_msg *m, const char *queue_arn, const char *region, struct fd_buf *out)
{
	const char *body = m->body ? m->body : "";
	char md5[33];
	struct fd_jw w;

	fd_md5_hex(body, m->body_len, md5);
	fd_jw_init(&w, out);
	fd_jw_obj(&w);
	fd_jw_key(&w, "Records");
	fd_jw_arr(&w);
	fd_jw_obj(&w);
	fd_jw_kstr(&w, "messageId", m->id ? m->id : "00000000-0000-4000-8000-000000000000");
	fd_jw_kstr(&w, "receiptHandle", m->receipt ? m->receipt : "fleetdeck-replay");
	fd_jw_key(&w, "body");
	fd_jw_strn(&w, body, m->body_len);
	wrap_attributes(&w, m);
	wrap_message_attributes(&w, m);
	fd_jw_kstr(&w, "md5OfBody", md5);
	fd_jw_kstr(&w, "eventSource", "aws:sqs");
	fd_jw_kstr(&w, "eventSourceARN",
	           queue_arn ? queue_arn : "arn:aws:sqs:us-east-1:123456789012:queue");
	fd_jw_kstr(&w, "awsRegion", region ? region : "us-east-1");
	fd_jw_end(&w);
	fd_jw_end(&w);
	fd_jw_end(&w);
}

static void
emit(const char *json, size_t n, struct fd_buf *out)
{
	fd_json_pretty(json, n, 2, out);
	fd_buf_putc(out, '\n');
}

enum fd_status
fd_event_from_sqs_message(const struct fd_sqs_msg *m, const char *queue_arn, const char *region,
                          enum fd_dlq_event_mode mode, struct fd_buf *out, const char **origin,
                          struct fd_err *err)
{
	const char *body = m->body ? m->body : "";
	int json = fd_json_validate(body, m->body_len, NULL);
	size_t off = 0, n = 0;
	struct fd_buf wrapped;

	if (mode != FD_DLQ_EVENT_WRAP_SQS && json &&
	    destination_payload(body, m->body_len, &off, &n)) {
		if (origin)
			*origin = "destination";
		emit(body + off, n, out);
		return FD_OK;
	}
	if (mode == FD_DLQ_EVENT_ORIGINAL ||
	    (mode == FD_DLQ_EVENT_AUTO && json && has_attr(m, "ErrorCode") &&
	     has_attr(m, "RequestID"))) {
		if (!json)
			return fd_err_set(err, FD_EPARSE,
			                  "message %s: the body is not JSON, so it cannot be the "
			                  "original event; wrap it as an SQS event instead",
			                  m->id ? m->id : "?");
		if (origin)
			*origin = "lambda-dlq";
		emit(body, m->body_len, out);
		return FD_OK;
	}
	if (origin)
		*origin = "sqs";
	fd_buf_init(&wrapped);
	wrap_sqs(m, queue_arn, region, &wrapped);
	emit(wrapped.data, wrapped.len, out);
	fd_buf_free(&wrapped);
	return FD_OK;
}
