/* redrive_int.h (src/redrive*.c private) - the engine's state: messages in memory by
 * id, the lists they move through (to send -> sending -> to delete; held -> released)
 * and the counters, timers and canary phase that decide what starts next. */
#ifndef FLEETDECK_REDRIVE_INT_H
#define FLEETDECK_REDRIVE_INT_H

#include "fleetdeck/aws.h"
#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"

#define RD_RECEIVES_IN_FLIGHT 2
#define RD_DELETES_IN_FLIGHT 2
#define RD_SEND_BACKLOG 40  /* stop receiving while this many wait to be sent */
#define RD_EMPTY_RECEIVES 1 /* empty answers (then the source is asked) */
#define RD_WAIT_S 1         /* long polling on receives */
#define RD_MAX_ERRORS 12    /* consecutive failures before the job gives up */
#define RD_SEND_ATTEMPTS 5  /* per message, for retryable entry failures */
#define RD_HIDDEN_WAIT_S 30 /* at least this long for hidden messages to reappear */

struct rd_msg {
	struct fd_sqs_msg m; /* body and attributes dropped once held */
	enum fd_rm_state state;
	int attempts;
	int in_list; /* on a list */
	int in_call; /* in a delete call */
	int stale;   /* received again (new receipt) while in that call */
};

/* A queue of message pointers (push at either end, pop at the front). */
struct rd_list {
	struct rd_msg **v;
	size_t head, n, cap;
};

/* Messages in memory by id (open addressing). */
struct rd_map {
	struct rd_msg **slots;
	size_t cap, n;
};

/* Outcome of one message of the batch in flight: sent (target_id), refused (why) or
 * to be retried (both NULL). */
struct rd_outcome {
	char *target_id;
	char *why;
};

enum rd_canary { CANARY_OFF, CANARY_MOVING, CANARY_WAITING, CANARY_PASSED };

struct rd_mark { /* a journal update that may wait for the next commit */
	char *id;
	enum fd_rm_state state;
	const char *why; /* static string or NULL (kept) */
};

enum rd_call_kind {
	CALL_RECEIVE,
	CALL_SEND,
	CALL_DELETE,
	CALL_EXTEND,
	CALL_RELEASE,
	CALL_INVOKE,
	CALL_CHECK,
};

/* One request in flight, so the engine can be freed with calls pending. */
struct rd_call {
	struct fd_redrive *r;
	enum rd_call_kind kind;
	uint64_t id;
	struct rd_msg *batch[SQS_BATCH_MAX];
	char *receipts[SQS_BATCH_MAX]; /* the receipt handles sent */
	size_t n;
	size_t index; /* CALL_INVOKE: the message's place in the batch */
	struct rd_call *next;
};

struct fd_redrive {
	struct aws_client *c;
	struct fd_state *st;
	struct fd_redrive_job job;
	struct fd_msg_filter *filter;
	struct rd_map map;
	struct rd_list to_send, sending, to_delete, to_extend, held, to_release;
	struct rd_call *calls; /* requests in flight */
	struct rd_mark *marks; /* deleted / released, journaled with the next commit */
	size_t nmarks, capmarks;
	int recv_inflight, send_inflight, del_inflight, ext_inflight, rel_inflight;
	int check_inflight;     /* GetQueueAttributes before the scan may end */
	int64_t check_until_ms; /* give up waiting for hidden messages after this */
	int invokes_left;       /* function target: Invokes of the batch in flight */
	struct rd_outcome inv_out[SQS_BATCH_MAX]; /* and their outcomes so far */
	int empty_streak;
	int scan_done;
	int stopping; /* stop asked: receive and send nothing new */
	int releasing;
	int finished;
	long long selected; /* messages chosen to move (or that would, dry run) */
	double tokens;      /* --rate bucket */
	int64_t refill_ms;
	enum rd_canary canary;
	int64_t canary_until_ms;
	long long canary_depth;    /* watched DLQ depth when the canary started */
	long long canary_moved;    /* moved when it started */
	long long canary_selected; /* selected when it started */
	char *canary_watch;        /* URL of the queue whose growth means failure */
	char canary_watch_name[128];
	int errors;
	int delete_failures;
	int64_t backoff_until_ms;
	int64_t lost_deadline_ms; /* a receive answer was lost: wait for its messages */
	char last_error[512];
	enum fd_status result;
	struct fd_err err;
	struct fd_redrive_counts counts;
	long long handled_at_start;
	int64_t run_started_ms;
	int64_t last_progress_ms;
	char phase[256];
	char **blocked; /* FIFO groups stopped by a message that stays */
	size_t nblocked;
};

/* lists and map (redrive_list.c) */
void rd_list_push(struct rd_list *l, struct rd_msg *m);
void rd_list_push_front(struct rd_list *l, struct rd_msg *m);
struct rd_msg *rd_list_pop(struct rd_list *l);
struct rd_msg *rd_list_peek(const struct rd_list *l, size_t i);
void rd_list_free(struct rd_list *l);
struct rd_msg *rd_map_get(const struct rd_map *m, const char *id);
void rd_map_put(struct rd_map *m, struct rd_msg *msg);
void rd_map_del(struct rd_map *m, const char *id);
void rd_map_free(struct rd_map *m); /* frees the messages too */
/* A new message in the map (copied from src). */
struct rd_msg *rd_msg_new(struct fd_redrive *r, const struct fd_sqs_msg *src, enum fd_rm_state st);
/* Frees a message that is on no list and in no call. */
void rd_msg_forget(struct fd_redrive *r, struct rd_msg *m);
/* Keeps only id and receipt (held messages). */
void rd_msg_slim(struct rd_msg *m);

/* journal helpers (redrive.c) */
void rd_mark(struct fd_redrive *r, const char *id, enum fd_rm_state st, const char *why);
/* A call record (linked into r->calls); rd_call_end unlinks and frees it. */
struct rd_call *rd_call_new(struct fd_redrive *r, enum rd_call_kind kind);
void rd_call_end(struct rd_call *call);
enum fd_status rd_flush_marks(struct fd_redrive *r);
/* Begins a transaction and writes pending marks; on failure the job fails. */
int rd_begin(struct fd_redrive *r);
int rd_commit(struct fd_redrive *r);
void rd_fail(struct fd_redrive *r, enum fd_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rd_call_failed(struct fd_redrive *r, const struct aws_error *e);
void rd_call_ok(struct fd_redrive *r);
int rd_group_blocked(const struct fd_redrive *r, const char *group);
void rd_block_group(struct fd_redrive *r, const char *group);

/* the pumps (redrive_pump.c) */
void rd_pump(struct fd_redrive *r);
/* Counts a newly held message under its reason. */
void rd_count_held(struct fd_redrive *r, const char *why);

/* targets and the canary (redrive_target.c) */
enum fd_status rd_resolve_target(struct fd_redrive *r, struct aws_client *c,
                                 const struct fd_redrive_opts *o, const struct fd_queue *src,
                                 struct fd_err *err);
/* Starts the current send batch (r->sending) to a function: one async Invoke per
 * message; rd_send_finish runs when the last answers. */
void rd_invoke_batch(struct fd_redrive *r);
void rd_canary_begin(struct fd_redrive *r);
/* Decides after the wait; 0 = continue, -1 = the job stops. */
int rd_canary_check(struct fd_redrive *r);

/* sending (redrive_send.c) */
void rd_send_pump(struct fd_redrive *r);
/* Journals the outcome of the batch in r->sending and moves its messages on. */
void rd_send_finish(struct fd_redrive *r, struct rd_outcome *out);

#endif
