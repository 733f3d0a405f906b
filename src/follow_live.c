/* follow_live.c - the Live Tail transport: the groups are split into sessions of at
 * most ten; each session is renewed before CloudWatch's 3-hour limit (the successor
 * starts first and the old one stops two seconds after it is up, events in both
 * being de-duplicated by content); a session that ends unexpectedly is restarted
 * with a catch-up poll of the time it missed, and one that cannot run (denied,
 * unavailable, failing again and again) hands its groups to polling, saying so. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/costs.h"
#include "follow_int.h"

#define HANDOVER_MS 2000
/* A catch-up poll starts this much before the last update received: an event
 * stamped just before an update can reach CloudWatch after that update was built.
 * Re-read lines are dropped by the content de-duplication. */
#define CATCHUP_MARGIN_MS 5000
#define SAMPLED_BANNER_EVERY_MS 60000
#define MAX_RESTARTS 5

static struct flive *session_start(struct fd_follow *f, const unsigned *groups, size_t n,
                                   struct flive *pred, int restarts);

/* Live Tail is billed by session time: from sessionStart to the session's end. */
static void
live_bill(struct flive *s)
{
	if (!s->billed_from)
		return;
	fd_spend_record(FD_SPEND_LIVE_TAIL_S, (double)(fd_now_ms() - s->billed_from) / 1000.0);
	s->billed_from = 0;
}

int
live_count(const struct fd_follow *f)
{
	size_t i;
	int n = 0;

	for (i = 0; i < f->nlive; i++)
		n += f->live[i]->ls && f->live[i]->active;
	return n;
}

/* The session's group for a logGroupIdentifier: a name, an ARN (with or without
 * ":*") or "ACCOUNT:name" all end with ":" + name. */
static int
source_of(const struct flive *s, const char *ident, size_t len)
{
	size_t i, n;

	if (len >= 2 && ident[len - 2] == ':' && ident[len - 1] == '*')
		len -= 2;
	for (i = 0; i < s->n; i++) {
		const char *name = s->f->g[s->groups[i]].name;
		n = strlen(name);
		if (n <= len && memcmp(ident + len - n, name, n) == 0 &&
		    (n == len || ident[len - n - 1] == ':'))
			return (int)s->groups[i];
	}
	return s->n == 1 ? (int)s->groups[0] : -1;
}

static void
session_functions(const struct flive *s, char *out, size_t cap)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < s->n && used + 1 < cap; i++) {
		int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "",
		                 s->f->g[s->groups[i]].function);
		used += w > 0 ? (size_t)w : 0;
	}
}

static void
on_start(const char *sid, void *ud)
{
	struct flive *s = ud;
	char names[256];

	(void)sid;
	s->active = 1;
	s->billed_from = fd_now_ms();
	session_functions(s, names, sizeof(names));
	if (s->pred && s->pred->ls)
		s->pred->stop_at = fd_now_ms() + HANDOVER_MS;
	follow_banner(s->f, FD_BANNER_LIVE, FOLLOW_NO_SOURCE, fd_wall_now_ms(), 0,
	              "%s session for %s",
	              s->pred       ? "renewed"
	              : s->restarts ? "restarted"
	                            : "started",
	              names);
}

static void
on_update(const struct logs_events *ev, void *ud)
{
	struct flive *s = ud;
	struct fd_follow *f = s->f;
	int64_t now = fd_now_ms();
	char names[256];
	size_t i;

	s->last_update_wall = fd_wall_now_ms();
	follow_batch(f);
	for (i = 0; i < ev->n; i++) {
		int src = source_of(s, ev->ev[i].group, ev->ev[i].group_len);
		if (src >= 0)
			follow_take(f, (unsigned)src, &ev->ev[i], 1);
	}
	if (ev->sampled &&
	    (!s->sampled_banner_at || now - s->sampled_banner_at >= SAMPLED_BANNER_EVERY_MS)) {
		s->sampled_banner_at = now;
		session_functions(s, names, sizeof(names));
		follow_banner(f, FD_BANNER_SAMPLED, FOLLOW_NO_SOURCE, s->last_update_wall, 0,
		              "%s (more than 500 events a second; some lines are not shown)",
		              names);
	}
}

static int64_t
covered_until(const struct flive *s)
{
	return s->last_update_wall ? s->last_update_wall : s->started_wall;
}

static void
catch_up(struct flive *s, int once)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!once)
			s->f->g[s->groups[i]].state = G_POLL;
		follow_schedule_poll(s->f, s->groups[i], covered_until(s) - CATCHUP_MARGIN_MS,
		                     once);
	}
}

static int
restartable(const struct flive *s, enum fd_status st, const struct aws_error *e)
{
	if (!s->active || s->restarts >= MAX_RESTARTS)
		return 0;
	if (st == FD_OK || st == FD_EHTTP || st == FD_ETIMEOUT || st == FD_EPARSE)
		return 1;
	return e && (strcmp(e->code, "SessionTimeoutException") == 0 ||
	             strcmp(e->code, "SessionStreamingException") == 0 || e->throttled);
}

static void
fall_back(struct flive *s, enum fd_status st, const struct aws_error *e)
{
	const char *code = e && e->code[0] ? e->code : fd_status_str(st);

	follow_banner(s->f, FD_BANNER_FALLBACK, FOLLOW_NO_SOURCE, fd_wall_now_ms(), 0, "%s%s%s",
	              code, e && e->message[0] ? ": " : "", e ? e->message : "");
	catch_up(s, 0);
}

static void
on_end(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct flive *s = ud;
	struct flive *succ = NULL;
	size_t i;

	s->ls = NULL; /* the session frees itself after this callback */
	live_bill(s);
	for (i = 0; i < s->f->nlive; i++)
		if (s->f->live[i]->pred == s)
			succ = s->f->live[i];
	if (s->renewed && succ && succ->ls) {
		if (!succ->active)
			catch_up(s, 1); /* ended before its successor was up */
		return;
	}
	if (s->pred && s->pred->ls && !s->active) {
		/* The renewal failed: the old session goes on; try again in a minute. */
		s->pred->renewed = 0;
		s->pred->started = fd_now_ms() - s->f->o.live_renew_ms + 60000;
		return;
	}
	if (restartable(s, st, e)) {
		catch_up(s, 1);
		session_start(s->f, s->groups, s->n, NULL,
		              fd_now_ms() - s->started > 600000 ? 1 : s->restarts + 1);
		return;
	}
	fall_back(s, st, e);
}

static struct flive *
session_start(struct fd_follow *f, const unsigned *groups, size_t n, struct flive *pred,
              int restarts)
{
	struct flive *s = fd_xcalloc(1, sizeof(*s));
	const char *idents[LOGS_LIVE_MAX_GROUPS];
	struct logs_live_cb cb = {on_start, on_update, on_end, s};
	struct logs_live_req q;
	size_t i;

	s->f = f;
	s->pred = pred;
	s->restarts = restarts;
	s->n = FD_MIN(n, (size_t)LOGS_LIVE_MAX_GROUPS);
	for (i = 0; i < s->n; i++) {
		s->groups[i] = groups[i];
		idents[i] = f->g[groups[i]].ident;
	}
	s->started = fd_now_ms();
	s->started_wall = fd_wall_now_ms();
	f->live = fd_xreallocarray(f->live, f->nlive + 1, sizeof(*f->live));
	f->live[f->nlive++] = s;
	memset(&q, 0, sizeof(q));
	q.groups = idents;
	q.ngroups = s->n;
	q.pattern = f->pattern;
	s->ls = logs_live_start(f->c, &q, &cb);
	return s;
}

void
live_start_all(struct fd_follow *f)
{
	unsigned batch[LOGS_LIVE_MAX_GROUPS];
	int64_t now = fd_wall_now_ms();
	size_t i, n = 0;

	for (i = 0; i < f->ng; i++) {
		struct fgroup *g = &f->g[i];
		if (g->state == G_DENIED)
			continue;
		g->state = G_LIVE;
		g->poll_once = 1; /* the backfill up to now; Live Tail brings what follows */
		g->live_lo_ms = now;
		batch[n++] = (unsigned)i;
		if (n == LOGS_LIVE_MAX_GROUPS) {
			session_start(f, batch, n, NULL, 0);
			n = 0;
		}
	}
	if (n)
		session_start(f, batch, n, NULL, 0);
}

static void
session_free(struct fd_follow *f, size_t at)
{
	struct flive *s = f->live[at];
	size_t i;

	for (i = 0; i < f->nlive; i++)
		if (f->live[i]->pred == s)
			f->live[i]->pred = NULL;
	free(s);
	memmove(f->live + at, f->live + at + 1, (f->nlive - at - 1) * sizeof(*f->live));
	f->nlive--;
}

void
live_tick(struct fd_follow *f, int64_t now)
{
	size_t i;

	for (i = 0; i < f->nlive; i++) {
		struct flive *s = f->live[i];
		if (s->ls && s->stop_at && now >= s->stop_at) {
			logs_live_stop(s->ls);
			s->ls = NULL;
			live_bill(s);
		} else if (s->ls && s->active && !s->renewed &&
		           now - s->started >= f->o.live_renew_ms) {
			s->renewed = 1;
			session_start(f, s->groups, s->n, s, 0);
		}
	}
	for (i = f->nlive; i > 0; i--)
		if (!f->live[i - 1]->ls)
			session_free(f, i - 1);
}

void
live_free_all(struct fd_follow *f)
{
	size_t i;

	for (i = 0; i < f->nlive; i++) {
		if (f->live[i]->ls)
			logs_live_stop(f->live[i]->ls);
		live_bill(f->live[i]);
		free(f->live[i]);
	}
	free(f->live);
	f->live = NULL;
	f->nlive = 0;
}
