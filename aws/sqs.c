/* sqs.c - SQS calls: queue identifiers (name, URL, ARN) and their resolution, the
 * generic awsJson 1.0 call with one rate-limit bucket per API action, and the
 * synchronous helpers headless commands and tests use. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sqs.h"

#define LIST_MAX_PAGES 1000
#define SYNC_STEP_MS 20

/* One bucket per action: SQS meters API actions separately. */
static const char *const rate_keys[][2] = {
    {"ReceiveMessage", "sqs:ReceiveMessage"},
    {"SendMessage", "sqs:SendMessage"},
    {"SendMessageBatch", "sqs:SendMessageBatch"},
    {"DeleteMessage", "sqs:DeleteMessage"},
    {"DeleteMessageBatch", "sqs:DeleteMessageBatch"},
    {"ChangeMessageVisibility", "sqs:ChangeMessageVisibility"},
    {"ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibilityBatch"},
    {"GetQueueAttributes", "sqs:GetQueueAttributes"},
};

/* ---- identifiers ---- */

enum sqs_id_kind
sqs_id_kind(const char *id)
{
	if (!id || !*id)
		return SQS_ID_INVALID;
	if (fd_str_starts(id, "arn:"))
		return SQS_ID_ARN;
	if (fd_str_starts(id, "https://") || fd_str_starts(id, "http://"))
		return SQS_ID_URL;
	return strchr(id, '/') || strchr(id, ':') ? SQS_ID_INVALID : SQS_ID_NAME;
}

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 80)
		return 0;
	for (i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

char *
sqs_id_name(const char *id)
{
	const char *p = id;
	size_t n;

	switch (sqs_id_kind(id)) {
	case SQS_ID_ARN:
		p = strrchr(id, ':') + 1;
		break;
	case SQS_ID_URL:
		p = strrchr(id, '/') + 1;
		break;
	case SQS_ID_NAME:
		break;
	default:
		return NULL;
	}
	n = strlen(p);
	return name_ok(p, n) ? fd_xstrndup(p, n) : NULL;
}

void
sqs_id_account(const char *id, char *out, size_t n)
{
	const char *start = NULL, *end = NULL;
	int i;

	out[0] = '\0';
	if (sqs_id_kind(id) == SQS_ID_ARN) {
		/* arn:partition:sqs:region:account:name */
		for (start = id, i = 0; start && i < 4; i++)
			start = strchr(start, ':') ? strchr(start, ':') + 1 : NULL;
		end = start ? strchr(start, ':') : NULL;
	} else if (sqs_id_kind(id) == SQS_ID_URL) {
		end = strrchr(id, '/');
		for (start = end; start && start > id && start[-1] != '/'; start--)
			;
	}
	if (start && end && end > start && (size_t)(end - start) < n) {
		memcpy(out, start, (size_t)(end - start));
		out[end - start] = '\0';
	}
}

/* ---- calls ---- */

void
sqs_request(struct aws_request *r, const char *op, const char *json, size_t len)
{
	size_t i;

	aws_request_init(r, AWS_SVC_SQS, op);
	for (i = 0; i < FD_ARRAY_LEN(rate_keys); i++)
		if (strcmp(rate_keys[i][0], op) == 0)
			r->rate_key = rate_keys[i][1];
	aws_request_json(r, json, len);
}

uint64_t
sqs_call(struct aws_client *c, const char *op, const char *json, size_t len, aws_done_fn done,
         void *ud)
{
	struct aws_request r;

	sqs_request(&r, op, json, len);
	return aws_call_start(c, &r, done, ud);
}

/* Like aws_call_sync(), but in short steps: headless commands make many small calls
 * one after the other. */
enum fd_status
sqs_call_sync(struct aws_client *c, const char *op, const char *json, struct aws_response *resp,
              struct aws_error *err)
{
	struct aws_request r;
	enum fd_status st;

	sqs_request(&r, op, json, strlen(json));
	st = aws_call_sync_every(c, &r, resp, SYNC_STEP_MS);
	if (err)
		*err = resp->error;
	if (st != FD_OK)
		aws_response_free(resp);
	return st;
}

static void
local_error(struct aws_error *err, enum fd_status st, const char *op, const struct fd_err *e)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->status = st;
	fd_strlcpy(err->service, "SQS", sizeof(err->service));
	fd_strlcpy(err->op, op, sizeof(err->op));
	fd_strlcpy(err->code, st == FD_EPARSE ? "MalformedAnswer" : "InvalidInput",
	           sizeof(err->code));
	fd_strlcpy(err->message, e->msg, sizeof(err->message));
	err->retry_after_ms = -1;
}

/* Runs op with body (freed here) and hands the answer to parse. */
static enum fd_status
call_parse(struct aws_client *c, const char *op, char *body,
           enum fd_status (*parse)(const struct aws_response *resp, void *ud, struct fd_err *e),
           void *ud, struct aws_error *err)
{
	struct aws_response resp;
	struct fd_err e = {FD_OK, ""};
	enum fd_status st = sqs_call_sync(c, op, body, &resp, err);

	free(body);
	if (st != FD_OK)
		return st;
	if (parse)
		st = parse(&resp, ud, &e);
	if (st != FD_OK)
		local_error(err, st, op, &e);
	aws_response_free(&resp);
	return st;
}

static enum fd_status
parse_url(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	return sqs_parse_queue_url(resp->body.data, resp->body.len, ud, e);
}

static enum fd_status
parse_attrs(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	return sqs_parse_attributes(resp->body.data, resp->body.len, ud, e);
}

enum fd_status
sqs_get_attributes_sync(struct aws_client *c, const char *url, struct fd_queue *q,
                        struct aws_error *err)
{
	if (!q->url)
		q->url = fd_xstrdup(url);
	if (!q->name)
		q->name = sqs_id_name(url);
	return call_parse(c, "GetQueueAttributes", sqs_build_attributes(url), parse_attrs, q, err);
}

static char *
queue_url_request(const char *id)
{
	char account[32], *name = sqs_id_name(id), *body;

	sqs_id_account(id, account, sizeof(account));
	body = sqs_build_queue_url(name ? name : "", account);
	free(name);
	return body;
}

enum fd_status
sqs_resolve(struct aws_client *c, const char *id, struct fd_queue *out, struct aws_error *err)
{
	enum sqs_id_kind kind = sqs_id_kind(id);
	char *name = sqs_id_name(id), *url = NULL;
	struct fd_err e = {FD_OK, ""};
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	if (!name) {
		fd_err_set(&e, FD_EINVAL, "\"%.200s\" is not a queue name, URL or ARN",
		           id ? id : "");
		local_error(err, FD_EINVAL, "GetQueueUrl", &e);
		return FD_EINVAL;
	}
	if (kind == SQS_ID_URL) {
		url = fd_xstrdup(id);
	} else {
		st = call_parse(c, "GetQueueUrl", queue_url_request(id), parse_url, &url, err);
		if (st != FD_OK) {
			free(name);
			return st;
		}
	}
	out->name = name;
	out->url = url;
	st = sqs_get_attributes_sync(c, url, out, err);
	if (st != FD_OK)
		fd_queue_free(out);
	return st;
}

struct url_pages {
	char **urls;
	size_t n;
	char *next;
	int dlq;
};

static enum fd_status
parse_url_page(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	struct url_pages *p = ud;
	char **urls;
	size_t n, i;
	enum fd_status st =
	    p->dlq ? sqs_parse_dlq_sources(resp->body.data, resp->body.len, &urls, &n, &p->next, e)
	           : sqs_parse_list_queues(resp->body.data, resp->body.len, &urls, &n, &p->next, e);

	if (st != FD_OK)
		return st;
	p->urls = fd_xreallocarray(p->urls, p->n + n + 1, sizeof(*p->urls));
	for (i = 0; i < n; i++)
		p->urls[p->n++] = urls[i];
	free(urls);
	return FD_OK;
}

static enum fd_status
list_pages(struct aws_client *c, const char *op, const char *key, const char *arg, int dlq,
           char ***urls, size_t *n, struct aws_error *err)
{
	struct url_pages p = {NULL, 0, NULL, dlq};
	enum fd_status st = FD_OK;
	char *token = NULL;
	int pages;

	for (pages = 0; pages < LIST_MAX_PAGES; pages++) {
		st = call_parse(c, op, sqs_build_page(key, arg, token, 1000), parse_url_page, &p,
		                err);
		free(token);
		token = p.next;
		p.next = NULL;
		if (st != FD_OK || !token)
			break;
	}
	free(token);
	if (st != FD_OK) {
		while (p.n)
			free(p.urls[--p.n]);
		free(p.urls);
		p.urls = NULL;
	}
	*urls = p.urls;
	*n = p.n;
	return st;
}

enum fd_status
sqs_list_queues_sync(struct aws_client *c, const char *prefix, char ***urls, size_t *n,
                     struct aws_error *err)
{
	return list_pages(c, "ListQueues", prefix && *prefix ? "QueueNamePrefix" : NULL, prefix, 0,
	                  urls, n, err);
}

enum fd_status
sqs_dlq_sources_sync(struct aws_client *c, const char *url, char ***urls, size_t *n,
                     struct aws_error *err)
{
	return list_pages(c, "ListDeadLetterSourceQueues", "QueueUrl", url, 1, urls, n, err);
}

struct receive_out {
	struct fd_sqs_msg *msgs;
	size_t n;
};

static enum fd_status
parse_receive(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	struct receive_out *o = ud;

	return sqs_parse_receive(resp->body.data, resp->body.len, &o->msgs, &o->n, e);
}

enum fd_status
sqs_receive_sync(struct aws_client *c, const struct sqs_receive_opts *o, struct fd_sqs_msg **msgs,
                 size_t *n, struct aws_error *err)
{
	struct receive_out out = {NULL, 0};
	enum fd_status st =
	    call_parse(c, "ReceiveMessage", sqs_build_receive(o), parse_receive, &out, err);

	*msgs = out.msgs;
	*n = out.n;
	return st;
}

struct batch_out {
	struct sqs_batch_result r[SQS_BATCH_MAX];
	size_t n;
	size_t failed;
	char **ids;
};

static enum fd_status
parse_batch(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	struct batch_out *b = ud;
	enum fd_status st = sqs_parse_batch(resp->body.data, resp->body.len, b->r, b->n, e);
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (!b->r[i].ok)
			b->failed++;
		if (b->ids)
			b->ids[i] = b->r[i].ok && b->r[i].message_id
			                ? fd_xstrdup(b->r[i].message_id)
			                : NULL;
	}
	sqs_batch_results_free(b->r, b->n);
	return st;
}

static enum fd_status
receipt_calls(struct aws_client *c, const char *op, const char *url, const struct fd_sqs_msg *msgs,
              size_t n, int timeout_s, size_t *failed, struct aws_error *err)
{
	const char *receipts[SQS_BATCH_MAX];
	struct batch_out b;
	enum fd_status st = FD_OK;
	size_t i, k;
	char *body;

	*failed = 0;
	for (i = 0; i < n && st == FD_OK; i += k) {
		memset(&b, 0, sizeof(b));
		for (k = 0; k < SQS_BATCH_MAX && i + k < n; k++)
			receipts[k] = msgs[i + k].receipt;
		b.n = k;
		body = timeout_s >= 0 ? sqs_build_visibility_batch(url, receipts, k, timeout_s)
		                      : sqs_build_delete_batch(url, receipts, k);
		st = call_parse(c, op, body, parse_batch, &b, err);
		*failed += b.failed;
	}
	return st;
}

enum fd_status
sqs_visibility_sync(struct aws_client *c, const char *url, const struct fd_sqs_msg *msgs, size_t n,
                    int timeout_s, size_t *failed, struct aws_error *err)
{
	return receipt_calls(c, "ChangeMessageVisibilityBatch", url, msgs, n, FD_MAX(0, timeout_s),
	                     failed, err);
}

enum fd_status
sqs_delete_sync(struct aws_client *c, const char *url, const struct fd_sqs_msg *msgs, size_t n,
                size_t *failed, struct aws_error *err)
{
	return receipt_calls(c, "DeleteMessageBatch", url, msgs, n, -1, failed, err);
}

static size_t
fill_entries(const struct fd_sqs_msg *msgs, size_t n, int fifo, struct sqs_send_entry *e)
{
	size_t k, bytes = 0, size;

	for (k = 0; k < SQS_BATCH_MAX && k < n; k++) {
		size = sqs_msg_payload_size(&msgs[k]);
		if (k && bytes + size > SQS_BATCH_BYTES)
			break;
		bytes += size;
		e[k].msg = &msgs[k];
		e[k].group_id = fifo ? fd_sqs_msg_sys(&msgs[k], "MessageGroupId") : NULL;
		e[k].dedup_id = fifo ? fd_sqs_msg_sys(&msgs[k], "MessageDeduplicationId") : NULL;
		if (fifo && !e[k].group_id)
			e[k].group_id = msgs[k].id;
		if (fifo && !e[k].dedup_id)
			e[k].dedup_id = msgs[k].id;
	}
	return k;
}

enum fd_status
sqs_send_sync(struct aws_client *c, const char *url, int fifo, const struct fd_sqs_msg *msgs,
              size_t n, char **message_ids, struct aws_error *err)
{
	struct sqs_send_entry e[SQS_BATCH_MAX];
	struct batch_out b;
	enum fd_status st = FD_OK;
	size_t i, k;

	for (i = 0; i < n && st == FD_OK; i += k) {
		memset(&b, 0, sizeof(b));
		k = fill_entries(msgs + i, n - i, fifo, e);
		b.n = k;
		b.ids = message_ids ? message_ids + i : NULL;
		st = call_parse(c, "SendMessageBatch", sqs_build_send_batch(url, e, k), parse_batch,
		                &b, err);
		if (st == FD_OK && b.failed) {
			struct fd_err fe;
			fd_err_set(&fe, FD_EAWS, "%zu of %zu messages were refused", b.failed, k);
			local_error(err, FD_EAWS, "SendMessageBatch", &fe);
			st = FD_EAWS;
		}
	}
	return st;
}

enum fd_status
sqs_purge_sync(struct aws_client *c, const char *url, struct aws_error *err)
{
	return call_parse(c, "PurgeQueue", sqs_build_url_only(url, NULL, NULL), NULL, NULL, err);
}

enum fd_status
sqs_delete_queue_sync(struct aws_client *c, const char *url, struct aws_error *err)
{
	return call_parse(c, "DeleteQueue", sqs_build_url_only(url, NULL, NULL), NULL, NULL, err);
}

static enum fd_status
parse_handle(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	char **handle = ud;

	*handle = sqs_parse_string(resp->body.data, resp->body.len, "TaskHandle");
	return *handle ? FD_OK : fd_err_set(e, FD_EPARSE, "answer has no TaskHandle");
}

enum fd_status
sqs_create_queue_sync(struct aws_client *c, const char *name, const char *const *attrs,
                      size_t nattrs, char **url, struct aws_error *err)
{
	*url = NULL;
	return call_parse(c, "CreateQueue", sqs_build_create_queue(name, attrs, nattrs), parse_url,
	                  url, err);
}

enum fd_status
sqs_start_move_sync(struct aws_client *c, const char *source_arn, const char *dest_arn, int rate,
                    char **handle, struct aws_error *err)
{
	*handle = NULL;
	return call_parse(c, "StartMessageMoveTask",
	                  sqs_build_start_move(source_arn, dest_arn, rate), parse_handle, handle,
	                  err);
}
struct tasks_out {
	struct sqs_move_task *t;
	size_t n;
};

static enum fd_status
parse_tasks(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	struct tasks_out *o = ud;

	return sqs_parse_move_tasks(resp->body.data, resp->body.len, &o->t, &o->n, e);
}

enum fd_status
sqs_list_moves_sync(struct aws_client *c, const char *source_arn, struct sqs_move_task **tasks,
                    size_t *n, struct aws_error *err)
{
	struct tasks_out o = {NULL, 0};
	enum fd_status st =
	    call_parse(c, "ListMessageMoveTasks", sqs_build_page("SourceArn", source_arn, NULL, 10),
	               parse_tasks, &o, err);

	*tasks = o.t;
	*n = o.n;
	return st;
}

static enum fd_status
parse_moved(const struct aws_response *resp, void *ud, struct fd_err *e)
{
	(void)e;
	*(long long *)ud =
	    sqs_parse_number(resp->body.data, resp->body.len, "ApproximateNumberOfMessagesMoved");
	return FD_OK;
}

enum fd_status
sqs_cancel_move_sync(struct aws_client *c, const char *handle, long long *moved,
                     struct aws_error *err)
{
	long long m = -1;
	enum fd_status st =
	    call_parse(c, "CancelMessageMoveTask", sqs_build_url_only(NULL, "TaskHandle", handle),
	               parse_moved, &m, err);

	if (moved)
		*moved = m;
	return st;
}
