/* follow_poll.c - the polling transport: FilterLogEvents per group, every page of
 * a time range [done - overlap, now], round-robin by due time with at most a few
 * calls in flight so the shared 5 TPS budget is spread fairly (and other users of
 * logs:FilterLogEvents keep their share). Busy groups are polled more often: the
 * interval halves after a poll that brought new events and grows by half after an
 * empty one. A failed poll keeps its page token, is reported as a gap banner
 * naming exactly the range it asked for, and is retried with backoff; the next
 * success says "resumed". */
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"

#define RETRY_MAX_MS 30000 /* and never longer than an idle group's interval */
#define NOTFOUND_RETRY_MS 60000
#define GIVE_UP_FAILS 6 /* without --follow: a range is abandoned after this */
#define FILTER_BUCKET "logs:FilterLogEvents"

static void poll_start(struct fgroup *g);

static int
wants_poll(const struct fgroup *g, int64_t now)
{
	const struct fd_follow *f = g->f;

	if (g->state == G_DENIED || g->call || g->next_due > now)
		return 0;
	if (!f->o.follow && g->polled)
		return 0;
	return g->state == G_POLL || g->poll_once;
}

static int
inflight(const struct fd_follow *f)
{
	size_t i;
	int n = 0;

	for (i = 0; i < f->ng; i++)
		n += f->g[i].call != 0;
	return n;
}

/* Calls of anyone in this client already waiting for a FilterLogEvents slot. */
static size_t
budget_queue(const struct fd_follow *f)
{
	struct aws_budget b[32];
	size_t i, n = f->c ? aws_client_budgets(f->c, b, FD_ARRAY_LEN(b)) : 0;

	for (i = 0; i < n; i++)
		if (b[i].key && strcmp(b[i].key, FILTER_BUCKET) == 0)
			return b[i].queued;
	return 0;
}

/* The most overdue group; among equals the one with events most recently. */
static struct fgroup *
pick(struct fd_follow *f, int64_t now)
{
	struct fgroup *best = NULL;
	size_t i;

	for (i = 0; i < f->ng; i++) {
		struct fgroup *g = &f->g[i];
		if (!wants_poll(g, now))
			continue;
		if (!best || g->next_due < best->next_due ||
		    (g->next_due == best->next_due && g->last_active > best->last_active))
			best = g;
	}
	return best;
}

void
poll_tick(struct fd_follow *f, int64_t now)
{
	struct fgroup *g;

	if (!f->c)
		return;
	while (inflight(f) < f->o.max_inflight && budget_queue(f) == 0 && (g = pick(f, now)))
		poll_start(g);
}

static void poll_done(struct aws_response *resp, void *ud);

/* The time since this group's last poll widens the overlap window (ordering bound). */
static void
note_gap(struct fgroup *g)
{
	struct fd_follow *f = g->f;
	int64_t now = fd_wall_now_ms();

	if (g->last_start && f->o.follow) {
		f->max_poll_gap = FD_MAX(f->max_poll_gap, now - g->last_start);
		follow_widen(f);
	}
	g->last_start = now;
}

static void
poll_start(struct fgroup *g)
{
	struct fd_follow *f = g->f;
	struct logs_filter_req q;
	struct aws_request r;

	if (!g->token) {
		note_gap(g);
		g->req_start =
		    g->polled ? FD_MAX(f->o.since_ms, g->done_ms - f->overlap_ms) : g->done_ms;
		g->req_end = f->o.follow ? fd_wall_now_ms() : f->o.until_ms;
		g->req_end = FD_MAX(g->req_end, g->req_start);
		g->page_hi = 0;
		g->new_events = 0;
		f->st.polls++;
	}
	memset(&q, 0, sizeof(q));
	q.group = g->name;
	q.start_ms = g->req_start;
	q.end_ms = g->req_end;
	q.pattern = f->pattern;
	q.next_token = g->token;
	q.limit = f->o.page_limit;
	logs_filter_request(&r, &q);
	g->call = aws_call_start(f->c, &r, poll_done, g);
}

static void
poll_complete(struct fgroup *g)
{
	struct fd_follow *f = g->f;
	int64_t now = fd_now_ms();

	free(g->token);
	g->token = NULL;
	g->done_ms = FD_MAX(g->done_ms, g->req_end);
	g->polled = 1;
	g->poll_once = 0;
	if (g->gap_from) {
		follow_banner(f, FD_BANNER_RESUMED, g->idx, g->gap_from, g->req_end, "%s",
		              g->function);
		g->gap_from = 0;
	}
	g->fails = 0;
	if (g->new_events) {
		g->interval_ms = FD_MAX(f->o.min_interval_ms, g->interval_ms / 2);
		g->last_active = now;
	} else {
		g->interval_ms = FD_MIN(f->o.max_interval_ms, g->interval_ms + g->interval_ms / 2);
	}
	g->next_due = now + g->interval_ms;
}

static int
is_denied(const char *code)
{
	return strstr(code, "AccessDenied") || strcmp(code, "UnauthorizedOperation") == 0 ||
	       strcmp(code, "UnrecognizedClientException") == 0;
}

static void
poll_not_found(struct fgroup *g, const struct aws_error *e)
{
	if (!g->notfound_said) {
		follow_banner(g->f, FD_BANNER_ERROR, g->idx, fd_wall_now_ms(), 0,
		              "group %s: %s (no such log group yet; retrying every minute)",
		              g->name, e->code);
		g->notfound_said = 1;
	}
	free(g->token);
	g->token = NULL;
	g->next_due = fd_now_ms() + NOTFOUND_RETRY_MS;
	if (!g->f->o.follow)
		g->polled = 1;
}

/* A range that could not be fetched: said once per refused call, retried later. */
static void
poll_gap(struct fgroup *g, const struct aws_error *e)
{
	struct fd_follow *f = g->f;
	const char *why = e->throttled ? "throttled"
	                  : e->code[0] ? e->code
	                               : fd_status_str(e->status);
	int64_t from = g->polled ? g->done_ms : g->req_start;

	if (!g->gap_from)
		g->gap_from = from;
	follow_banner(f, FD_BANNER_GAP, g->idx, from, g->req_end, "%s", why);
	if (strcmp(e->code, "InvalidParameterException") == 0) {
		free(g->token); /* an expired page token: start the range again */
		g->token = NULL;
	}
	g->next_due = fd_now_ms() + FD_MIN(FD_MIN(RETRY_MAX_MS, f->o.max_interval_ms),
	                                   1000LL << FD_MIN(g->fails, 5));
	if (!f->o.follow && g->fails >= GIVE_UP_FAILS) {
		follow_banner(f, FD_BANNER_ERROR, g->idx, from, g->req_end,
		              "group %s: gave up after %d failed attempts", g->name, g->fails);
		g->polled = 1;
	}
}

static void
poll_failed(struct fgroup *g, const struct aws_error *e)
{
	struct fd_follow *f = g->f;

	g->fails++;
	f->st.failures++;
	if (is_denied(e->code)) {
		follow_banner(f, FD_BANNER_DENIED, g->idx, fd_wall_now_ms(), 0, "group %s: %s%s%s",
		              g->name, e->code, e->message[0] ? ": " : "", e->message);
		g->state = G_DENIED;
		g->poll_once = 0;
		free(g->token);
		g->token = NULL;
		return;
	}
	if (strcmp(e->code, "ResourceNotFoundException") == 0) {
		poll_not_found(g, e);
		return;
	}
	poll_gap(g, e);
}

static void
malformed(struct fgroup *g, const struct fd_err *ferr)
{
	struct aws_error e;

	memset(&e, 0, sizeof(e));
	e.status = FD_EPARSE;
	fd_strlcpy(e.code, "MalformedResponse", sizeof(e.code));
	fd_strlcpy(e.message, ferr->msg, sizeof(e.message));
	poll_failed(g, &e);
}

static void
poll_done(struct aws_response *resp, void *ud)
{
	struct fgroup *g = ud;
	struct fd_follow *f = g->f;
	struct fd_err ferr = {FD_OK, ""};
	char *sent = g->token;
	size_t i;

	g->call = 0;
	if (resp->error.status != FD_OK) {
		poll_failed(g, &resp->error);
		return;
	}
	if (logs_parse_filter_events(resp->body.data, resp->body.len, &f->page, &ferr) != FD_OK) {
		malformed(g, &ferr);
		return;
	}
	f->st.pages++;
	follow_batch(f);
	g->new_events += follow_take_page(f, g->idx, &f->page);
	for (i = 0; i < f->page.n; i++)
		g->page_hi = FD_MAX(g->page_hi, f->page.ev[i].timestamp);
	if (f->page.next_token && !fd_str_eq(f->page.next_token, sent)) {
		g->token = f->page.next_token;
		f->page.next_token = NULL;
		free(sent);
		poll_start(g);
		return;
	}
	poll_complete(g);
}

void
follow_schedule_poll(struct fd_follow *f, unsigned source, int64_t from_ms, int once)
{
	struct fgroup *g = &f->g[source];

	if (g->state == G_DENIED)
		return;
	if (!g->call) {
		free(g->token);
		g->token = NULL;
		g->done_ms = FD_MAX(f->o.since_ms, from_ms);
	}
	g->poll_once = once;
	if (!once)
		g->state = G_POLL;
	g->next_due = 0;
}

/* A group's contribution to the watermark: what it has surely fetched. Groups that
 * fail, are denied or are tailed live do not hold the stream back. */
static int64_t
group_mark(const struct fgroup *g, int64_t now)
{
	const struct fd_follow *f = g->f;

	if (g->state == G_DENIED || g->fails)
		return INT64_MAX;
	if (!f->o.follow && g->polled && !g->call)
		return INT64_MAX;
	if (g->state == G_LIVE && !g->poll_once)
		return fd_wall_now_ms() - f->o.holdback_ms;
	(void)now;
	return g->call && g->page_hi ? FD_MAX(g->done_ms, g->page_hi) : g->done_ms;
}

int64_t
poll_watermark(const struct fd_follow *f, int64_t now)
{
	int64_t w = INT64_MAX;
	size_t i;

	for (i = 0; i < f->ng; i++)
		w = FD_MIN(w, group_mark(&f->g[i], now));
	return w;
}

int
poll_next_due(const struct fd_follow *f, int64_t now)
{
	int64_t t = 1000;
	size_t i;

	for (i = 0; i < f->ng; i++)
		if (wants_poll(&f->g[i], INT64_MAX))
			t = FD_MIN(t, FD_MAX(0, f->g[i].next_due - now));
	return (int)t;
}

int
poll_busy(const struct fd_follow *f)
{
	size_t i;

	for (i = 0; i < f->ng; i++) {
		const struct fgroup *g = &f->g[i];
		if (g->call || (g->state != G_DENIED && !g->polled))
			return 1;
	}
	return 0;
}
