/* queues.h - SQS queues as plain C records (a queue with its counts, policies and
 * wiring; a message with its attributes) and the queues model the TUI, the
 * dashboard and `fleetdeck queues` / `fleetdeck dlq ls` read: every queue with its
 * counts, the source <-> DLQ map, the functions consuming each queue and the
 * functions whose async DLQ or on-failure destination it is, oldest message age and
 * depth over the last hour (CloudWatch). The model refreshes through aws client
 * callbacks run by the event loop; it never blocks unless asked to (_sync). */
#ifndef FLEETDECK_QUEUES_H
#define FLEETDECK_QUEUES_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

/* A message attribute: DataType "String", "Number" or "Binary", optionally with a
 * ".custom" suffix. value holds text for String/Number and the raw (decoded) bytes
 * for Binary; it is always NUL-terminated, len excludes the NUL. */
struct fd_sqs_attr {
	char *name;
	char *type;
	char *value;
	size_t len;
};

/* One message as received (or read back from the journal or an export file). */
struct fd_sqs_msg {
	char *id;      /* MessageId */
	char *receipt; /* ReceiptHandle; NULL when not received */
	char *body;    /* NUL-terminated; body_len bytes */
	size_t body_len;
	char *md5_body;            /* MD5OfBody as SQS sent it; NULL when absent */
	int md5_ok;                /* body and attribute digests match what SQS sent */
	struct fd_sqs_attr *attrs; /* message attributes, sorted by name */
	size_t nattrs;
	struct fd_kv *sys; /* system attributes (SentTimestamp, MessageGroupId, ...) */
	size_t nsys;
};

void fd_sqs_msg_free(struct fd_sqs_msg *m);            /* members, not m */
void fd_sqs_msgs_free(struct fd_sqs_msg *m, size_t n); /* members and array */
void fd_sqs_msg_copy(struct fd_sqs_msg *dst, const struct fd_sqs_msg *src);
/* System attribute by name; NULL when absent. */
const char *fd_sqs_msg_sys(const struct fd_sqs_msg *m, const char *name);
const struct fd_sqs_attr *fd_sqs_msg_attr(const struct fd_sqs_msg *m, const char *name);
/* SentTimestamp in epoch ms; 0 when unknown. */
int64_t fd_sqs_msg_sent_ms(const struct fd_sqs_msg *m);
/* Adds (or replaces) a message attribute, keeping them sorted. */
void fd_sqs_msg_set_attr(struct fd_sqs_msg *m, const char *name, const char *type,
                         const char *value, size_t len);
void fd_sqs_msg_set_sys(struct fd_sqs_msg *m, const char *name, const char *value);

#define FD_QUEUE_SPARK 12 /* depth samples over the last hour (5 min each) */

struct fd_queue {
	char *name;
	char *url;
	char *arn;
	int fifo;
	long long visible;     /* ApproximateNumberOfMessages; -1 unknown */
	long long inflight;    /* ApproximateNumberOfMessagesNotVisible */
	long long delayed;     /* ApproximateNumberOfMessagesDelayed */
	long long retention_s; /* MessageRetentionPeriod; -1 unknown */
	long long visibility_s;
	long long max_size;
	long long delay_s;
	int content_dedup;
	char *redrive_policy;   /* raw RedrivePolicy JSON; NULL when none */
	char *dlq_arn;          /* its deadLetterTargetArn */
	int max_receive;        /* its maxReceiveCount; 0 when none */
	char *redrive_allow;    /* raw RedriveAllowPolicy JSON */
	char *allow_permission; /* its redrivePermission: allowAll, denyAll, byQueue */
	int64_t created_s, modified_s;
	/* joined by the queues model */
	char **sources; /* ARNs of the queues whose DLQ this is */
	size_t nsources;
	char **consumers; /* functions with an event source mapping on it */
	size_t nconsumers;
	char **failure_fns; /* functions whose async DLQ / on-failure destination it is */
	size_t nfailure_fns;
	int is_dlq;                   /* a source queue, a function or its name says it is a DLQ */
	double oldest_age_s;          /* CloudWatch ApproximateAgeOfOldestMessage; NAN unknown */
	double spark[FD_QUEUE_SPARK]; /* ApproximateNumberOfMessagesVisible; NAN = no data */
	int64_t fetched_ms;
};

void fd_queue_free(struct fd_queue *q); /* members, not q */
void fd_queues_free_array(struct fd_queue *q, size_t n);
void fd_queue_copy(struct fd_queue *dst, const struct fd_queue *src);
/* visible + in flight + delayed, counting unknown as 0. */
long long fd_queue_depth(const struct fd_queue *q);

/* ---- the queues model ---- */

struct aws_client;
struct fd_queues;

struct fd_queues_status {
	int refreshing;
	int64_t fetched_ms; /* 0 = never */
	unsigned steps_done, steps_total;
	char last_error[512];
};

/* Summary for the dashboard. */
struct fd_dlq_summary {
	size_t queues;
	size_t dlqs;
	size_t dlqs_with_messages;
	long long dlq_messages;
	double oldest_age_s; /* oldest message in any DLQ; NAN unknown */
	char worst[96];      /* the DLQ with the most messages; "" when none */
};

/* client NULL = offline: rows stay empty. */
struct fd_queues *fd_queues_new(struct aws_client *client);
void fd_queues_free(struct fd_queues *q);
/* The functions whose triggers, DLQ and destinations are joined onto the queues (the
 * model's cached functions, with detail where loaded). Copies what it needs. */
void fd_queues_set_functions(struct fd_queues *q, const struct fd_function *fns, size_t n);
/* Starts a background refresh (ListQueues, GetQueueAttributes per queue,
 * ListDeadLetterSourceQueues for DLQs, CloudWatch age and depth); returns at once. */
void fd_queues_refresh(struct fd_queues *q);
enum fd_status fd_queues_refresh_sync(struct fd_queues *q, struct fd_err *err);
void fd_queues_cancel(struct fd_queues *q);
/* True (once) when data changed since the last call. */
int fd_queues_take_dirty(struct fd_queues *q);
void fd_queues_status(const struct fd_queues *q, struct fd_queues_status *out);
/* Every queue sorted by name; valid until the next refresh completes. */
size_t fd_queues_rows(const struct fd_queues *q, const struct fd_queue **rows);
/* DLQs only: those with messages first (most messages first), then by name. The
 * array is owned by the model. */
size_t fd_queues_dlqs(struct fd_queues *q, const struct fd_queue *const **rows);
/* By name, URL or ARN; NULL when unknown. */
const struct fd_queue *fd_queues_find(const struct fd_queues *q, const char *id);
void fd_queues_summary(const struct fd_queues *q, struct fd_dlq_summary *out);

/* ---- describing a message (the inspector and `fleetdeck dlq peek`) ---- */

enum fd_msg_part {
	FD_MP_TITLE, /* the message id line */
	FD_MP_LABEL, /* "sent", "attributes", ... */
	FD_MP_VALUE,
	FD_MP_DIM,  /* ages, sizes, types */
	FD_MP_WARN, /* digest mismatch, Lambda error */
	FD_MP_BODY, /* body text (pretty JSON, text or hex dump) */
};
/* Receives one piece of text; newline = 1 starts a new line first. Text is raw
 * (not sanitized): sinks sanitize. */
typedef void (*fd_msg_emit_fn)(void *ud, int newline, enum fd_msg_part part, const char *text);
/* Ids, times (sent, first receive, receive count), FIFO group/dedup ids, the Lambda
 * error attributes of async-invoke DLQ messages, every attribute (binary ones in hex),
 * then the body: pretty-printed when JSON, a hex dump when it holds control bytes.
 * At most body_max bytes of the body (0 = all). */
void fd_msg_describe(const struct fd_sqs_msg *m, int64_t now_ms, size_t body_max,
                     fd_msg_emit_fn emit, void *ud);
/* "3m", "2h", "4d" (age in seconds); "-" when negative or NAN. */
void fd_fmt_age(double seconds, char *out, size_t n);

/* ---- peeking without blocking (the message inspector) ----
 * Receives up to max messages of a queue (name, URL or ARN) with every attribute and
 * a short visibility, then makes them visible again; all through client callbacks. */
struct fd_peek_async;
struct fd_peek_async *fd_peek_async_start(struct aws_client *c, const char *queue, long long max);
/* 1 once finished (messages and status final); status says what it is doing or why
 * it failed; warning is set when the queue has a redrive policy. */
int fd_peek_async_poll(const struct fd_peek_async *p, const struct fd_sqs_msg **msgs, size_t *n,
                       const char **status, const char **warning);
void fd_peek_async_free(struct fd_peek_async *p);

/* Views (views/queues.c, views/redrive.c, views/message.c). */
struct fd_view_ops;
extern const struct fd_view_ops fd_view_queues;  /* arg: "" */
extern const struct fd_view_ops fd_view_dlq;     /* arg: "" or a queue name: DLQs first */
extern const struct fd_view_ops fd_view_redrive; /* arg: "" (jobs) or a queue (dry-run plan) */
extern const struct fd_view_ops fd_view_message; /* arg: queue name: peek and inspect */

#endif
