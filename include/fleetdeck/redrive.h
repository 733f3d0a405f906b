/* redrive.h - moving messages out of a dead-letter queue without losing one.
 *
 * Client-side redrive receives a batch from the source, picks the messages that pass
 * the filters, sends them to the target (the DLQ's source queue by default, any
 * queue, or an asynchronous Invoke of a Lambda function) and deletes them from the
 * source. Every step is written to the journal in state.db and committed before the
 * next one is taken:
 *
 *     received (id, receipt handle, body, attributes) -> sent (target message id)
 *       -> deleted;   or held (does not match, dry run, over --max, refused)
 *       -> released (made visible again at the end).
 *
 * So after a crash, kill -9, network loss or throttling the job resumes where it
 * stopped: received messages are sent from the journal's copy, sent ones are
 * deleted, held ones released; a message received again is recognised by its id and
 * its new receipt handle replaces the old. At most one SendMessageBatch is in flight
 * at a time, so the only possible duplicates are the messages of the one batch whose
 * send completed but was not yet journaled (none for FIFO targets, which deduplicate
 * on MessageDeduplicationId). FIFO: group and deduplication ids are kept and each
 * group's order is kept.
 *
 * Server-side redrive (StartMessageMoveTask) and the peek/export/import helpers are
 * here too. The journal's SQL is in cache/journal.c; the engine in src/redrive*.c. */
#ifndef FLEETDECK_REDRIVE_H
#define FLEETDECK_REDRIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/queues.h"
#include "fleetdeck/state.h"
#include "fleetdeck/status.h"

/* ---- message filters ----
 * Every --filter must match (AND). Forms:
 *   /REGEX/ or body~REGEX or a bare REGEX   PCRE2 on the body (case-sensitive; (?i) turns
 *                                           that off)
 *   .path OP VALUE                          JSON path compare: .detail.orderId == "123";
 *                                           OP is == != < <= > >= or ~ (regex on the
 *                                           value); VALUE a JSON literal or a bare word
 *   .path                                   the path exists (and is not null)
 *   attr.NAME [OP VALUE]                    a message attribute (Binary compared as
 *                                           base64-free raw text)
 *   sys.NAME [OP VALUE]                     a system attribute (ApproximateReceiveCount,
 *                                           MessageGroupId, ...)
 *   age OP DURATION                         age since SentTimestamp: age > 1h */
struct fd_msg_filter;
enum fd_status fd_msg_filter_new(const char *const *specs, size_t n, struct fd_msg_filter **out,
                                 struct fd_err *err);
/* 1 when m passes every filter (a NULL filter passes everything). */
int fd_msg_filter_match(const struct fd_msg_filter *f, const struct fd_sqs_msg *m, int64_t now_ms);
void fd_msg_filter_free(struct fd_msg_filter *f);

/* ---- journal records ---- */

#define FD_RM_STATE_LIST(X)                                                                        \
	X(FD_RM_RECEIVED, "received") /* chosen to move; the target has not confirmed it */        \
	X(FD_RM_SENT, "sent")         /* the target confirmed it; not yet deleted */               \
	X(FD_RM_DELETED, "deleted")   /* gone from the source: done */                             \
	X(FD_RM_HELD, "held")         /* stays; hidden until the job ends */                       \
	X(FD_RM_RELEASED, "released") /* stays; visible again in the source */

enum fd_rm_state {
	FD_RM_NONE,
#define FD_RM_ENUM(id, name) id,
	FD_RM_STATE_LIST(FD_RM_ENUM)
#undef FD_RM_ENUM
	    FD_RM_COUNT
};
const char *fd_rm_state_name(enum fd_rm_state s);

/* Why a message stays (held / released). */
#define FD_RM_WHY_SKIP "no-match"
#define FD_RM_WHY_DRY "dry-run"
#define FD_RM_WHY_MAX "over-max"
#define FD_RM_WHY_FAILED "refused"
#define FD_RM_WHY_DIGEST "digest-mismatch"
#define FD_RM_WHY_GROUP "group-blocked"
#define FD_RM_WHY_STOP "stopped"

enum fd_redrive_target {
	FD_RT_SOURCE,   /* the DLQ's source queue (redrive policy) */
	FD_RT_QUEUE,    /* --to QUEUE */
	FD_RT_FUNCTION, /* --to-function FN: asynchronous Invoke */
};

struct fd_redrive_job {
	int64_t id;
	struct fd_ctx ctx;
	char *source_url;
	char *source_arn;
	char *source_name;
	int source_fifo;
	enum fd_redrive_target target_kind;
	char *target; /* queue URL, or function name */
	char *target_arn;
	char *target_name;
	int target_fifo;
	char *filters; /* the filter specs, one per line; NULL = none */
	int dry_run;
	double rate;      /* messages/s; 0 = unlimited */
	long long max;    /* 0 = no limit */
	long long canary; /* 0 = no canary */
	int canary_wait_s;
	int visibility_s; /* visibility of received messages */
	int hold_s;       /* visibility of held messages */
	char status[16];  /* running done interrupted stopped failed */
	char *message;    /* why it stopped / the last error; NULL when none */
	int64_t created_ms, updated_ms, finished_ms;
	/* Messages returned by a ReceiveMessage whose answer was never journaled (a
	 * crash, a lost answer) may reappear until this time: the job does not end
	 * before it. */
	int64_t recv_deadline_ms;
	long owner_pid; /* process running it; 0 when none */
	int64_t heartbeat_ms;
	long long total_hint; /* messages in the source when it started (for ETA) */
};

void fd_redrive_job_free(struct fd_redrive_job *j);

struct fd_redrive_counts {
	long long n[FD_RM_COUNT]; /* messages per state */
	long long skipped;        /* held/released because they did not match */
	long long would_move;     /* dry run: matched */
	long long over_max;
	long long refused; /* the target refused them (or digest mismatch) */
	long long moved;   /* sent + deleted */
};

/* One journaled message, for reports. */
struct fd_journal_row {
	char *message_id;
	enum fd_rm_state state;
	char *why; /* reason it stays; NULL for moved messages */
	char *target_id;
	int64_t seq;
};
void fd_journal_rows_free(struct fd_journal_row *r, size_t n);

/* ---- journal (cache/journal.c) ----
 * All calls run inside the caller's transaction when one is open (fd_journal_begin),
 * otherwise each commits on its own. */
enum fd_status fd_journal_init(struct fd_state *s, struct fd_err *err);
enum fd_status fd_journal_begin(struct fd_state *s, struct fd_err *err);
enum fd_status fd_journal_commit(struct fd_state *s, struct fd_err *err);
void fd_journal_rollback(struct fd_state *s);
enum fd_status fd_journal_job_create(struct fd_state *s, struct fd_redrive_job *j,
                                     struct fd_err *err);
/* Saves the mutable fields: status, message, times, deadline, owner, heartbeat. */
enum fd_status fd_journal_job_save(struct fd_state *s, const struct fd_redrive_job *j,
                                   struct fd_err *err);
enum fd_status fd_journal_job_load(struct fd_state *s, int64_t id, struct fd_redrive_job *out,
                                   struct fd_err *err);
/* Newest first. */
enum fd_status fd_journal_jobs(struct fd_state *s, size_t limit, struct fd_redrive_job **out,
                               size_t *n, struct fd_err *err);
/* State of a message in a job (FD_RM_NONE when never journaled). */
enum fd_status fd_journal_lookup(struct fd_state *s, int64_t job, const char *message_id,
                                 enum fd_rm_state *out, struct fd_err *err);
/* Records a newly received message (body, attributes, receipt) in a state. */
enum fd_status fd_journal_insert(struct fd_state *s, int64_t job, const struct fd_sqs_msg *m,
                                 enum fd_rm_state st, const char *why, struct fd_err *err);
enum fd_status fd_journal_set_receipt(struct fd_state *s, int64_t job, const char *message_id,
                                      const char *receipt, struct fd_err *err);
/* Moves a message to a state; target_id and why are kept when NULL. */
enum fd_status fd_journal_set_state(struct fd_state *s, int64_t job, const char *message_id,
                                    enum fd_rm_state st, const char *target_id, const char *why,
                                    struct fd_err *err);
/* The messages of a job in a state, in the order they were received, with body,
 * attributes and latest receipt handle. */
enum fd_status fd_journal_load(struct fd_state *s, int64_t job, enum fd_rm_state st,
                               struct fd_sqs_msg **out, size_t *n, struct fd_err *err);
enum fd_status fd_journal_counts(struct fd_state *s, int64_t job, struct fd_redrive_counts *out,
                                 struct fd_err *err);
enum fd_status fd_journal_rows(struct fd_state *s, int64_t job, struct fd_journal_row **out,
                               size_t *n, struct fd_err *err);

/* ---- the client-side engine (src/redrive*.c) ---- */

struct aws_client;

struct fd_redrive_opts {
	const char *source; /* name, URL or ARN */
	enum fd_redrive_target target_kind;
	const char *target; /* queue (name, URL, ARN) or function name */
	const char *const *filters;
	size_t nfilters;
	int dry_run;
	double rate; /* messages/s; 0 = unlimited */
	long long max;
	long long canary;
	int canary_wait_s; /* 0 = 60 */
	int visibility_s;  /* 0 = 60 */
	int hold_s;        /* 0 = 1800 */
};

struct fd_redrive_progress {
	const char *status; /* job status */
	const char *phase;  /* "receiving", "canary: waiting 42s", "releasing", ... */
	long long moved, skipped, failed, held, would_move, received;
	double rate;  /* messages handled per second in this run */
	double eta_s; /* NAN when unknown */
	double elapsed_s;
	long long in_flight; /* received, not yet sent or deleted */
};

struct fd_redrive;

/* Resolves source and target, checks them (FIFO to standard, self-redrive, a source
 * that is not a DLQ without --to), creates the job and returns the engine, ready to
 * run. Synchronous; call before other requests are in flight on c. */
enum fd_status fd_redrive_start(struct aws_client *c, struct fd_state *st, const struct fd_ctx *ctx,
                                const struct fd_redrive_opts *o, struct fd_redrive **out,
                                struct fd_err *err);
/* Loads job id from the journal and prepares to continue it. Refuses a job another
 * live process is running. */
enum fd_status fd_redrive_resume(struct aws_client *c, struct fd_state *st, int64_t id,
                                 struct fd_redrive **out, struct fd_err *err);
/* Starts what can be started now; never blocks. Returns 1 while the job runs, 0 once
 * it has finished (see fd_redrive_result). *timeout_ms gets the longest the caller
 * may wait before calling again. */
int fd_redrive_step(struct fd_redrive *r, int *timeout_ms);
/* Asks the job to stop: nothing new is received or sent, what is in flight completes,
 * unsent and held messages are released; the job ends "interrupted" (resumable). */
void fd_redrive_stop(struct fd_redrive *r);
/* Runs the job to its end, waiting on the client; stop set (from a signal handler)
 * stops it gracefully. progress (may be NULL) gets a line about once a second. */
enum fd_status fd_redrive_run(struct fd_redrive *r, volatile sig_atomic_t *stop, FILE *progress,
                              struct fd_err *err);
enum fd_status fd_redrive_result(const struct fd_redrive *r, struct fd_err *err);
void fd_redrive_progress(const struct fd_redrive *r, struct fd_redrive_progress *out);
const struct fd_redrive_job *fd_redrive_job(const struct fd_redrive *r);
void fd_redrive_free(struct fd_redrive *r);

/* Final report of a job: counts, rate, where messages went and why some stayed. */
void fd_redrive_report(struct fd_state *st, const struct fd_redrive_job *j, FILE *f, int json);
/* Jobs whose status is "running" or "interrupted" and whose owner is gone. */
enum fd_status fd_redrive_unfinished(struct fd_state *st, struct fd_redrive_job **out, size_t *n,
                                     struct fd_err *err);

/* ---- server-side redrive: SQS message move tasks ---- */

struct fd_move_status {
	char status[16];
	long long moved, to_move;
	double rate;  /* observed messages/s */
	double eta_s; /* NAN when unknown */
	char failure[256];
	char handle[512];
};

/* Starts a move task from a DLQ to its original sources (dest NULL) or a queue ARN,
 * at most rate messages/s (0 = SQS's default, up to 500). */
enum fd_status fd_move_start(struct aws_client *c, const struct fd_queue *src, const char *dest_arn,
                             int rate, char **handle, struct fd_err *err);
/* The newest task of a source; status "" when there is none. */
enum fd_status fd_move_status(struct aws_client *c, const struct fd_queue *src,
                              struct fd_move_status *out, struct fd_err *err);
/* Cancels the running task of a source. */
enum fd_status fd_move_cancel(struct aws_client *c, const struct fd_queue *src, long long *moved,
                              struct fd_err *err);
/* "[#########.......]  4520/10000  45%  490/s  ETA 11s" */
void fd_move_format(const struct fd_move_status *s, int width, char *out, size_t n);

/* ---- inspecting and copying messages (src/redrive_peek.c) ---- */

struct fd_peek_opts {
	long long max; /* messages to show; 0 = 10 */
	struct fd_msg_filter *filter;
	int visibility_s; /* while looking; 0 = 20 */
	int keep_hidden;  /* leave them invisible (export before a delete) */
};

/* Receives up to max matching messages with all attributes, then makes every
 * received message visible again (ChangeMessageVisibility 0). Each receive
 * increments ApproximateReceiveCount: *warning (may be NULL) gets a malloc'd
 * sentence saying so, sharper when the queue has a redrive policy. */
enum fd_status fd_peek(struct aws_client *c, const struct fd_queue *q, const struct fd_peek_opts *o,
                       struct fd_sqs_msg **out, size_t *n, char **warning, struct fd_err *err);
/* Writes every message (filtered) of q to f as ndjson in SQS's JSON shape, then makes
 * them visible again; *count gets the number written. */
enum fd_status fd_export(struct aws_client *c, const struct fd_queue *q,
                         const struct fd_msg_filter *filter, long long max, FILE *f,
                         long long *count, struct fd_err *err);
/* Reads one export line (pure; fuzzed). */
enum fd_status fd_export_read_line(const char *line, size_t len, struct fd_sqs_msg *out,
                                   struct fd_err *err);
/* Sends every message of an export file to q (FIFO group/dedup ids kept). */
enum fd_status fd_import(struct aws_client *c, const struct fd_queue *q, FILE *f, const char *name,
                         long long *count, struct fd_err *err);
/* Finds a message by id (receiving and holding the others briefly) and deletes it. */
enum fd_status fd_delete_message(struct aws_client *c, const struct fd_queue *q,
                                 const char *message_id, struct fd_err *err);

#endif
