/* redrive_peek.c - looking at messages without taking them: peek (receive with all
 * attributes, then make them visible again), export to ndjson in SQS's own JSON
 * shape, import from such a file, and deleting one message by id. SQS has no
 * read-only look: every receive increments ApproximateReceiveCount, which the
 * warning says plainly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sqs.h"
#include "redrive_int.h"

#define PEEK_DEFAULT_MAX 10
#define PEEK_VISIBILITY_S 20
#define EXPORT_VISIBILITY_S 300
#define SCAN_CAP 1000000 /* messages received by one scan at most */
#define IMPORT_LINE_MAX (8u << 20)

static enum fd_status
aws_fail(struct fd_err *err, enum fd_status st, const struct aws_error *e, const char *what)
{
	char msg[600];

	aws_error_format(e, msg, sizeof(msg));
	return fd_err_set(err, st, "%s: %s", what, msg);
}

/* A scan: every message received once (by id), with its latest receipt. */
struct scan {
	struct rd_map seen;
	struct fd_sqs_msg *held; /* id + receipt of each, to release */
	size_t nheld, cap;
	int empty;
};

static void
scan_keep(struct scan *s, const struct fd_sqs_msg *m)
{
	struct rd_msg *old = rd_map_get(&s->seen, m->id), *r;

	if (old) { /* seen before: its visibility ran out; keep the newest handle */
		free(old->m.receipt);
		old->m.receipt = fd_xstrdup(m->receipt ? m->receipt : "");
		return;
	}
	r = fd_xcalloc(1, sizeof(*r));
	r->m.id = fd_xstrdup(m->id);
	r->m.receipt = fd_xstrdup(m->receipt ? m->receipt : "");
	rd_map_put(&s->seen, r);
	s->nheld++;
}

static void
scan_collect(struct scan *s)
{
	size_t i, k = 0;

	s->held = s->nheld ? fd_xcalloc(s->nheld, sizeof(*s->held)) : NULL;
	for (i = 0; i < s->seen.cap; i++) {
		if (!s->seen.slots[i])
			continue;
		s->held[k].id = s->seen.slots[i]->m.id;
		s->held[k++].receipt = s->seen.slots[i]->m.receipt;
	}
	s->nheld = k;
}

static enum fd_status
scan_release(struct aws_client *c, const struct fd_queue *q, struct scan *s, struct fd_err *err)
{
	struct aws_error ae;
	size_t failed = 0;
	enum fd_status st = FD_OK;

	scan_collect(s);
	if (s->nheld)
		st = sqs_visibility_sync(c, q->url, s->held, s->nheld, 0, &failed, &ae);
	free(s->held); /* the strings belong to the map */
	s->held = NULL;
	rd_map_free(&s->seen);
	if (st != FD_OK)
		return aws_fail(err, st, &ae, "making the messages visible again");
	return FD_OK;
}

/* Receives one batch; *n == 0 twice in a row means the queue looks empty. */
static enum fd_status
scan_next(struct aws_client *c, const struct fd_queue *q, int vis, struct fd_sqs_msg **msgs,
          size_t *n, struct fd_err *err)
{
	struct sqs_receive_opts o = {q->url, SQS_BATCH_MAX, vis, 1, NULL};
	struct aws_error ae;
	enum fd_status st = sqs_receive_sync(c, &o, msgs, n, &ae);

	if (st != FD_OK)
		return aws_fail(err, st, &ae, "ReceiveMessage");
	return FD_OK;
}

static char *
peek_warning(const struct fd_queue *q, size_t received)
{
	if (q->max_receive > 0)
		return fd_xasprintf("peeked at %zu messages of %s: each receive adds 1 to "
		                    "ApproximateReceiveCount, and this queue moves a message to "
		                    "its DLQ after %d receives - peeking can push messages there",
		                    received, q->name, q->max_receive);
	return fd_xasprintf("peeked at %zu messages of %s: each receive adds 1 to "
	                    "ApproximateReceiveCount (they are visible again now)",
	                    received, q->name);
}

enum fd_status
fd_peek(struct aws_client *c, const struct fd_queue *q, const struct fd_peek_opts *o,
        struct fd_sqs_msg **out, size_t *n, char **warning, struct fd_err *err)
{
	long long max = o->max > 0 ? o->max : PEEK_DEFAULT_MAX;
	struct scan s = {0};
	struct fd_sqs_msg *msgs;
	size_t got, i, cap = 0;
	enum fd_status st = FD_OK;

	*out = NULL;
	*n = 0;
	while (st == FD_OK && (long long)*n < max && s.empty < 1 && s.seen.n < SCAN_CAP) {
		st = scan_next(c, q, o->visibility_s > 0 ? o->visibility_s : PEEK_VISIBILITY_S,
		               &msgs, &got, err);
		s.empty = st == FD_OK && !got ? s.empty + 1 : 0;
		for (i = 0; st == FD_OK && i < got; i++) {
			int fresh = !rd_map_get(&s.seen, msgs[i].id);
			scan_keep(&s, &msgs[i]);
			if (!fresh || (long long)*n >= max ||
			    !fd_msg_filter_match(o->filter, &msgs[i], fd_wall_now_ms()))
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = fd_xreallocarray(*out, cap, sizeof(**out));
			}
			fd_sqs_msg_copy(&(*out)[(*n)++], &msgs[i]);
		}
		if (st == FD_OK)
			fd_sqs_msgs_free(msgs, got);
	}
	if (warning)
		*warning = peek_warning(q, s.seen.n);
	if (o->keep_hidden)
		rd_map_free(&s.seen);
	else if (scan_release(c, q, &s, st == FD_OK ? err : NULL) != FD_OK && st == FD_OK)
		st = err ? err->status : FD_EAWS;
	return st;
}

enum fd_status
fd_export(struct aws_client *c, const struct fd_queue *q, const struct fd_msg_filter *filter,
          long long max, FILE *f, long long *count, struct fd_err *err)
{
	struct scan s = {0};
	struct fd_sqs_msg *msgs;
	struct fd_buf line;
	size_t got, i;
	enum fd_status st = FD_OK, rst;

	*count = 0;
	fd_buf_init(&line);
	while (st == FD_OK && (!max || *count < max) && s.empty < 1 && s.seen.n < SCAN_CAP) {
		st = scan_next(c, q, EXPORT_VISIBILITY_S, &msgs, &got, err);
		s.empty = st == FD_OK && !got ? s.empty + 1 : 0;
		for (i = 0; st == FD_OK && i < got; i++) {
			int fresh = !rd_map_get(&s.seen, msgs[i].id);
			scan_keep(&s, &msgs[i]);
			if (!fresh || (max && *count >= max) ||
			    !fd_msg_filter_match(filter, &msgs[i], fd_wall_now_ms()))
				continue;
			fd_buf_reset(&line);
			sqs_msg_to_json(&msgs[i], 0, &line);
			fd_buf_putc(&line, '\n');
			if (fwrite(line.data, 1, line.len, f) != line.len)
				st = fd_err_set(err, FD_EIO, "export: write failed");
			(*count)++;
		}
		if (st == FD_OK || got)
			fd_sqs_msgs_free(msgs, got);
	}
	fd_buf_free(&line);
	if (fflush(f) != 0 && st == FD_OK)
		st = fd_err_set(err, FD_EIO, "export: write failed");
	rst = scan_release(c, q, &s, st == FD_OK ? err : NULL);
	return st != FD_OK ? st : rst;
}

enum fd_status
fd_export_read_line(const char *line, size_t len, struct fd_sqs_msg *out, struct fd_err *err)
{
	enum fd_status st = sqs_msg_from_json(line, len, out, err);

	if (st != FD_OK)
		return st;
	if (!out->md5_ok) {
		fd_sqs_msg_free(out);
		return fd_err_set(err, FD_EPARSE,
		                  "MD5OfBody or MD5OfMessageAttributes does not "
		                  "match the message (the file was changed?)");
	}
	return FD_OK;
}

static enum fd_status
import_flush(struct aws_client *c, const struct fd_queue *q, struct fd_sqs_msg *batch, size_t *k,
             long long *count, struct fd_err *err)
{
	struct aws_error ae;
	enum fd_status st = FD_OK;

	if (*k)
		st = sqs_send_sync(c, q->url, q->fifo, batch, *k, NULL, &ae);
	if (st != FD_OK)
		aws_fail(err, st, &ae, "SendMessageBatch");
	else
		*count += (long long)*k;
	while (*k)
		fd_sqs_msg_free(&batch[--*k]);
	return st;
}

enum fd_status
fd_import(struct aws_client *c, const struct fd_queue *q, FILE *f, const char *name,
          long long *count, struct fd_err *err)
{
	struct fd_sqs_msg batch[SQS_BATCH_MAX];
	char *line = NULL;
	size_t cap = 0, k = 0, bytes = 0, lineno = 0, size;
	ssize_t len;
	enum fd_status st = FD_OK;

	*count = 0;
	while (st == FD_OK && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)len > IMPORT_LINE_MAX) {
			st = fd_err_set(err, FD_EPARSE, "%s:%zu: line too long", name, lineno);
			break;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		st = fd_export_read_line(line, (size_t)len, &batch[k], err);
		if (st != FD_OK) {
			fd_err_prefix(err, "%s:%zu", name, lineno);
			break;
		}
		size = sqs_msg_payload_size(&batch[k]);
		if (k && bytes + size > SQS_BATCH_BYTES) {
			struct fd_sqs_msg last = batch[k];
			st = import_flush(c, q, batch, &k, count, err);
			batch[0] = last;
			bytes = 0;
		}
		k++;
		bytes += size;
		if (st == FD_OK && k == SQS_BATCH_MAX) {
			st = import_flush(c, q, batch, &k, count, err);
			bytes = 0;
		}
	}
	free(line);
	if (st == FD_OK)
		return import_flush(c, q, batch, &k, count, err);
	while (k)
		fd_sqs_msg_free(&batch[--k]);
	return st;
}

enum fd_status
fd_delete_message(struct aws_client *c, const struct fd_queue *q, const char *message_id,
                  struct fd_err *err)
{
	struct scan s = {0};
	struct fd_sqs_msg *msgs, target = {0};
	struct aws_error ae;
	size_t got, i, failed = 0;
	enum fd_status st = FD_OK, rst;

	while (st == FD_OK && !target.id && s.empty < 1 && s.seen.n < SCAN_CAP) {
		st = scan_next(c, q, PEEK_VISIBILITY_S, &msgs, &got, err);
		s.empty = st == FD_OK && !got ? s.empty + 1 : 0;
		for (i = 0; st == FD_OK && i < got; i++) {
			if (!target.id && strcmp(msgs[i].id, message_id) == 0)
				fd_sqs_msg_copy(&target, &msgs[i]);
			else
				scan_keep(&s, &msgs[i]);
		}
		if (st == FD_OK)
			fd_sqs_msgs_free(msgs, got);
	}
	if (st == FD_OK && !target.id)
		st = fd_err_set(err, FD_ENOTFOUND, "no message %s in %s (looked at %zu)",
		                message_id, q->name, s.seen.n);
	if (st == FD_OK && sqs_delete_sync(c, q->url, &target, 1, &failed, &ae) != FD_OK)
		st = aws_fail(err, ae.status ? ae.status : FD_EAWS, &ae, "DeleteMessageBatch");
	else if (st == FD_OK && failed)
		st = fd_err_set(err, FD_EAWS, "SQS refused to delete message %s", message_id);
	fd_sqs_msg_free(&target);
	rst = scan_release(c, q, &s, st == FD_OK ? err : NULL);
	return st != FD_OK ? st : rst;
}
