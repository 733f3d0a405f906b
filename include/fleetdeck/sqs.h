/* sqs.h - Amazon SQS over awsJson 1.0 (awsQueryCompatible): request builders, pure
 * parsers (fuzzed) and calls, plus the message codec shared by the journal and the
 * ndjson export format, and small JSON helpers for layers that may not parse JSON.
 *
 * Queue identifiers are accepted as a name ("orders-dlq"), a URL
 * ("https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq") or an ARN
 * ("arn:aws:sqs:eu-west-1:123456789012:orders-dlq"); names and ARNs are resolved to a
 * URL with GetQueueUrl. Every data-plane call draws from its own rate-limit bucket
 * ("sqs:ReceiveMessage", ...): SQS meters each API action separately. */
#ifndef FLEETDECK_SQS_H
#define FLEETDECK_SQS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/queues.h"

#define SQS_BATCH_MAX 10        /* entries per *Batch call and per receive */
#define SQS_BATCH_BYTES 1048576 /* total payload of one SendMessageBatch */
#define SQS_MSG_MAX 1048576     /* largest message SQS accepts */
#define SQS_VISIBILITY_MAX 43200

/* ---- identifiers ---- */

enum sqs_id_kind { SQS_ID_NAME, SQS_ID_URL, SQS_ID_ARN, SQS_ID_INVALID };
enum sqs_id_kind sqs_id_kind(const char *id);
/* The queue name inside a name, URL or ARN (malloc'd); NULL when invalid. */
char *sqs_id_name(const char *id);
/* The account inside a URL or ARN ("" for a name), into out. */
void sqs_id_account(const char *id, char *out, size_t n);

/* ---- requests ---- */

/* An SQS request with a JSON body (copied); op must be a static string. */
void sqs_request(struct aws_request *r, const char *op, const char *json, size_t len);
/* Starts a call; done gets the response (see aws_call_start). */
uint64_t sqs_call(struct aws_client *c, const char *op, const char *json, size_t len,
                  aws_done_fn done, void *ud);
/* Runs one call to completion. On failure err is filled and resp freed. */
enum fd_status sqs_call_sync(struct aws_client *c, const char *op, const char *json,
                             struct aws_response *resp, struct aws_error *err);

struct sqs_receive_opts {
	const char *url;
	int max;                /* 1..10 */
	int visibility_s;       /* -1 = the queue's default */
	int wait_s;             /* long polling, 0..20 */
	const char *attempt_id; /* FIFO ReceiveRequestAttemptId; NULL = none */
};
char *sqs_build_receive(const struct sqs_receive_opts *o);

/* One SendMessageBatch entry: the message's body, message attributes and
 * AWSTraceHeader; group and dedup ids when the target is FIFO. */
struct sqs_send_entry {
	const struct fd_sqs_msg *msg;
	const char *group_id; /* NULL for standard targets */
	const char *dedup_id;
};
/* Entry ids are "0".."n-1". */
char *sqs_build_send_batch(const char *url, const struct sqs_send_entry *e, size_t n);
/* Bytes a message counts against the 1 MiB limits: body + attribute names, types and
 * values. */
size_t sqs_msg_payload_size(const struct fd_sqs_msg *m);
char *sqs_build_delete_batch(const char *url, const char *const *receipts, size_t n);
char *sqs_build_visibility_batch(const char *url, const char *const *receipts, size_t n,
                                 int timeout_s);
/* {"QueueUrl": url} (url may be NULL) plus an optional extra string member. */
char *sqs_build_url_only(const char *url, const char *key, const char *value);
char *sqs_build_attributes(const char *url);                    /* AttributeNames All */
char *sqs_build_queue_url(const char *name, const char *owner); /* GetQueueUrl */
/* A paged list request: {key: value, "MaxResults": n, "NextToken": token}; NULLs and
 * max_results <= 0 are left out. */
char *sqs_build_page(const char *key, const char *value, const char *token, int max_results);
/* CreateQueue with attributes given as "Name=Value" strings. */
char *sqs_build_create_queue(const char *name, const char *const *attrs, size_t n);
char *sqs_build_start_move(const char *source_arn, const char *dest_arn, int rate);

/* ---- parsers (pure; FD_EPARSE with detail on malformed input) ---- */

enum fd_status sqs_parse_list_queues(const char *json, size_t len, char ***urls, size_t *n,
                                     char **next_token, struct fd_err *err);
/* ListDeadLetterSourceQueues ("queueUrls" on the wire). */
enum fd_status sqs_parse_dlq_sources(const char *json, size_t len, char ***urls, size_t *n,
                                     char **next_token, struct fd_err *err);
enum fd_status sqs_parse_queue_url(const char *json, size_t len, char **url, struct fd_err *err);
/* Fills the attribute fields of q (name/url/arn are set from QueueArn when absent). */
enum fd_status sqs_parse_attributes(const char *json, size_t len, struct fd_queue *q,
                                    struct fd_err *err);
/* Messages of a ReceiveMessage answer; each message's md5_ok says whether its body and
 * attribute digests match MD5OfBody / MD5OfMessageAttributes. */
enum fd_status sqs_parse_receive(const char *json, size_t len, struct fd_sqs_msg **msgs, size_t *n,
                                 struct fd_err *err);

/* One entry of a *Batch answer. */
struct sqs_batch_result {
	int index; /* entry index (the Id we sent), -1 when unknown */
	int ok;
	char *message_id; /* SendMessageBatch: the new message id */
	char *md5_body;
	char *md5_attrs;
	char *code; /* failures */
	char *message;
	int sender_fault;
};
/* results has one slot per entry sent (n); entries missing from the answer stay
 * ok == 0 with code "Missing". */
enum fd_status sqs_parse_batch(const char *json, size_t len, struct sqs_batch_result *results,
                               size_t n, struct fd_err *err);
void sqs_batch_results_free(struct sqs_batch_result *r, size_t n);

struct sqs_move_task {
	char *handle;
	char *status; /* RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED */
	char *source_arn;
	char *dest_arn; /* NULL = the original sources */
	char *failure;
	long long moved, to_move;
	int rate; /* MaxNumberOfMessagesPerSecond; 0 = unset */
	int64_t started_ms;
};
enum fd_status sqs_parse_move_tasks(const char *json, size_t len, struct sqs_move_task **tasks,
                                    size_t *n, struct fd_err *err);
void sqs_move_tasks_free(struct sqs_move_task *t, size_t n);
/* Reads a string member of an answer (TaskHandle, ...); NULL when absent. */
char *sqs_parse_string(const char *json, size_t len, const char *key);
/* ApproximateNumberOfMessagesMoved of CancelMessageMoveTask; -1 when absent. */
long long sqs_parse_number(const char *json, size_t len, const char *key);

/* ---- digests ---- */

/* Lowercase hex MD5 of data, as SQS's MD5OfMessageBody. */
void sqs_md5_hex(const void *data, size_t len, char out[33]);
/* MD5OfMessageAttributes over attrs (sorted by name): "" when there are none. */
void sqs_md5_attributes(const struct fd_sqs_attr *attrs, size_t n, char out[33]);

/* ---- message codec: the SQS JSON shape, one object per message ----
 * {"MessageId":..., "ReceiptHandle":... (SQS_JSON_RECEIPT only), "MD5OfBody":...,
 *  "Body":..., "Attributes":{system attributes}, "MD5OfMessageAttributes":...,
 *  "MessageAttributes":{"name":{"DataType":"String","StringValue":...} |
 *                              {"DataType":"Binary","BinaryValue":"<base64>"}}}
 * Writing then reading gives back the same bytes (body, names, types, values). */
#define SQS_JSON_RECEIPT 0x1
#define SQS_JSON_PRETTY 0x2
void sqs_msg_to_json(const struct fd_sqs_msg *m, unsigned flags, struct fd_buf *out);
enum fd_status sqs_msg_from_json(const char *json, size_t len, struct fd_sqs_msg *out,
                                 struct fd_err *err);
/* Just the message attributes / system attributes as a JSON object (journal). */
void sqs_attrs_to_json(const struct fd_sqs_msg *m, struct fd_buf *out);
void sqs_sys_to_json(const struct fd_sqs_msg *m, struct fd_buf *out);
enum fd_status sqs_attrs_from_json(const char *json, size_t len, struct fd_sqs_msg *m,
                                   struct fd_err *err);
enum fd_status sqs_sys_from_json(const char *json, size_t len, struct fd_sqs_msg *m,
                                 struct fd_err *err);

/* ---- JSON helpers for src/ and views (which do not parse JSON themselves) ---- */

/* Pretty-prints JSON text with two-space indents; returns 0 (out untouched) when s is
 * not a JSON object or array. */
int sqs_json_pretty(const char *s, size_t len, struct fd_buf *out);

enum sqs_jtype { SQS_J_MISSING, SQS_J_NULL, SQS_J_BOOL, SQS_J_NUMBER, SQS_J_STRING, SQS_J_OTHER };
struct sqs_jvalue {
	enum sqs_jtype type;
	double num; /* NUMBER, BOOL (0/1) */
	char *text; /* STRING: the string; OTHER: compact JSON; else NULL */
};
/* Looks up a path such as ".detail.orderId" or ".Records[0].Sns.Message" in JSON text;
 * FD_EINVAL for a malformed path; a body that is not JSON gives SQS_J_MISSING. */
enum fd_status sqs_json_path(const char *json, size_t len, const char *path, struct sqs_jvalue *out,
                             struct fd_err *err);
/* Checks a path's syntax without a document. */
enum fd_status sqs_json_path_check(const char *path, struct fd_err *err);
void sqs_jvalue_free(struct sqs_jvalue *v);
/* Parses a JSON literal ("\"123\"", "12.5", "true", "null"); 0 when it is not one. */
int sqs_json_literal(const char *s, struct sqs_jvalue *out);

/* ---- calls (synchronous, for headless commands and tests) ---- */

/* Resolves a name, URL or ARN and loads the queue's attributes. */
enum fd_status sqs_resolve(struct aws_client *c, const char *id, struct fd_queue *out,
                           struct aws_error *err);
enum fd_status sqs_get_attributes_sync(struct aws_client *c, const char *url, struct fd_queue *q,
                                       struct aws_error *err);
/* Every queue URL (all pages), optionally under a name prefix. */
enum fd_status sqs_list_queues_sync(struct aws_client *c, const char *prefix, char ***urls,
                                    size_t *n, struct aws_error *err);
enum fd_status sqs_dlq_sources_sync(struct aws_client *c, const char *url, char ***urls, size_t *n,
                                    struct aws_error *err);
enum fd_status sqs_receive_sync(struct aws_client *c, const struct sqs_receive_opts *o,
                                struct fd_sqs_msg **msgs, size_t *n, struct aws_error *err);
/* Changes the visibility of messages (receipts taken from msgs), 10 at a time; *failed
 * counts entries SQS refused. */
enum fd_status sqs_visibility_sync(struct aws_client *c, const char *url,
                                   const struct fd_sqs_msg *msgs, size_t n, int timeout_s,
                                   size_t *failed, struct aws_error *err);
enum fd_status sqs_delete_sync(struct aws_client *c, const char *url, const struct fd_sqs_msg *msgs,
                               size_t n, size_t *failed, struct aws_error *err);
/* Sends n messages in batches (group/dedup ids taken from the messages' system
 * attributes when fifo); message_ids (may be NULL) receives each new id or NULL. */
enum fd_status sqs_send_sync(struct aws_client *c, const char *url, int fifo,
                             const struct fd_sqs_msg *msgs, size_t n, char **message_ids,
                             struct aws_error *err);
enum fd_status sqs_purge_sync(struct aws_client *c, const char *url, struct aws_error *err);
/* CreateQueue with attributes given as "Name=Value" strings; *url malloc'd. */
enum fd_status sqs_create_queue_sync(struct aws_client *c, const char *name,
                                     const char *const *attrs, size_t nattrs, char **url,
                                     struct aws_error *err);
enum fd_status sqs_delete_queue_sync(struct aws_client *c, const char *url, struct aws_error *err);
enum fd_status sqs_start_move_sync(struct aws_client *c, const char *source_arn,
                                   const char *dest_arn, int rate, char **handle,
                                   struct aws_error *err);
enum fd_status sqs_list_moves_sync(struct aws_client *c, const char *source_arn,
                                   struct sqs_move_task **tasks, size_t *n, struct aws_error *err);
enum fd_status sqs_cancel_move_sync(struct aws_client *c, const char *handle, long long *moved,
                                    struct aws_error *err);

/* CloudWatch for queues: ApproximateAgeOfOldestMessage (Maximum, latest point) and
 * ApproximateNumberOfMessagesVisible (Maximum, FD_QUEUE_SPARK points of 5 minutes)
 * for every queue named, up to 500 queries a call. Fills oldest_age_s and spark. */
char *sqs_build_metrics_request(const struct fd_queue *q, size_t first, size_t count, int64_t end_s,
                                const char *next_token);
enum fd_status sqs_parse_metrics(const char *json, size_t len, struct fd_queue *q, size_t n,
                                 int64_t end_s, char **next_token, struct fd_err *err);
#define SQS_METRICS_PER_CALL 250 /* two queries per queue */

#endif
