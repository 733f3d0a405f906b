/* redrive_server.c - server-side redrive with SQS message move tasks: start one (to
 * the original sources or a chosen queue, optionally at a maximum rate), follow its
 * progress, cancel it. SQS's limits apply: one active task per source queue, the
 * source must be the DLQ of some queue, and no filtering - for a selective redrive
 * use the client-side engine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sqs.h"

static enum fd_status
aws_fail(struct fd_err *err, enum fd_status st, const struct aws_error *e, const char *what)
{
	char msg[600];

	aws_error_format(e, msg, sizeof(msg));
	return fd_err_set(err, st, "%s: %s", what, msg);
}

enum fd_status
fd_move_start(struct aws_client *c, const struct fd_queue *src, const char *dest_arn, int rate,
              char **handle, struct fd_err *err)
{
	struct aws_error ae;
	enum fd_status st;

	*handle = NULL;
	if (!src->arn)
		return fd_err_set(err, FD_EINVAL, "%s: the queue's ARN is unknown", src->name);
	if (rate < 0 || rate > 500)
		return fd_err_set(err, FD_EINVAL, "--rate for a move task is 1..500 messages/s");
	st = sqs_start_move_sync(c, src->arn, dest_arn, rate, handle, &ae);
	if (st != FD_OK)
		return aws_fail(err, st, &ae, "StartMessageMoveTask");
	return FD_OK;
}

static void
fill_status(const struct sqs_move_task *t, struct fd_move_status *out)
{
	double elapsed;

	fd_strlcpy(out->status, t->status ? t->status : "", sizeof(out->status));
	fd_strlcpy(out->failure, t->failure ? t->failure : "", sizeof(out->failure));
	fd_strlcpy(out->handle, t->handle ? t->handle : "", sizeof(out->handle));
	out->moved = t->moved;
	out->to_move = t->to_move;
	elapsed = t->started_ms ? (double)(fd_wall_now_ms() - t->started_ms) / 1000.0 : 0;
	out->rate = elapsed > 0.5 ? (double)t->moved / elapsed : 0;
	out->eta_s = NAN;
	if (out->rate > 0 && t->to_move > t->moved)
		out->eta_s = (double)(t->to_move - t->moved) / out->rate;
}

enum fd_status
fd_move_status(struct aws_client *c, const struct fd_queue *src, struct fd_move_status *out,
               struct fd_err *err)
{
	struct sqs_move_task *t = NULL;
	struct aws_error ae;
	size_t n = 0;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	out->eta_s = NAN;
	st = sqs_list_moves_sync(c, src->arn ? src->arn : "", &t, &n, &ae);
	if (st != FD_OK)
		return aws_fail(err, st, &ae, "ListMessageMoveTasks");
	if (n)
		fill_status(&t[0], out); /* newest first */
	sqs_move_tasks_free(t, n);
	return FD_OK;
}

enum fd_status
fd_move_cancel(struct aws_client *c, const struct fd_queue *src, long long *moved,
               struct fd_err *err)
{
	struct fd_move_status s;
	struct aws_error ae;
	enum fd_status st = fd_move_status(c, src, &s, err);

	if (st != FD_OK)
		return st;
	if (strcmp(s.status, "RUNNING") != 0)
		return fd_err_set(err, FD_ENOTFOUND, "%s has no running move task%s%s", src->name,
		                  s.status[0] ? " (the newest is " : "",
		                  s.status[0] ? s.status : "");
	st = sqs_cancel_move_sync(c, s.handle, moved, &ae);
	if (st != FD_OK)
		return aws_fail(err, st, &ae, "CancelMessageMoveTask");
	return FD_OK;
}

void
fd_move_format(const struct fd_move_status *s, int width, char *out, size_t n)
{
	char bar[128], eta[32] = "?";
	double frac = s->to_move > 0 ? (double)s->moved / (double)s->to_move : 0;
	int w = FD_MAX(10, FD_MIN(width, (int)sizeof(bar) - 1)), i, full;

	frac = frac > 1 ? 1 : frac;
	full = (int)(frac * w + 0.5);
	for (i = 0; i < w; i++)
		bar[i] = i < full ? '#' : '.';
	bar[w] = '\0';
	if (!isnan(s->eta_s))
		snprintf(eta, sizeof(eta), "%.0fs", s->eta_s);
	snprintf(out, n, "[%s] %lld/%lld %3.0f%% %.0f/s ETA %s %s", bar, s->moved,
	         s->to_move < 0 ? 0 : s->to_move, frac * 100, s->rate, eta, s->status);
}
