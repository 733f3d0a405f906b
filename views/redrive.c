/* redrive.c - `:redrive`: the redrive jobs of state.db, newest first, with live
 * progress (moved, skipped, failed, rate, ETA) for jobs running in any fleetdeck
 * process, read from the journal once a second. `:redrive QUEUE` shows that
 * queue's jobs; Enter on a job shows its report (and, for a dry run, the plan).
 * Interrupted jobs say how to resume them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/redrive.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/view.h"

#define JOBS_SHOWN 200
#define POLL_MS 1000

struct seen {
	int64_t id;
	long long moved;
	int64_t at_ms;
	double rate;
};

struct rview {
	struct fd_state *st;
	struct fd_text text;
	char filter[256]; /* queue name, or "" */
	int64_t job;      /* > 0: the report of one job */
	long long polled_ms;
	struct seen *seen;
	size_t nseen;
	char error[512];
};

static struct seen *
seen_of(struct rview *rv, int64_t id)
{
	size_t i;

	for (i = 0; i < rv->nseen; i++)
		if (rv->seen[i].id == id)
			return &rv->seen[i];
	rv->seen = fd_xreallocarray(rv->seen, rv->nseen + 1, sizeof(*rv->seen));
	memset(&rv->seen[rv->nseen], 0, sizeof(*rv->seen));
	rv->seen[rv->nseen].id = id;
	return &rv->seen[rv->nseen++];
}

/* Messages per second since the last look, smoothed. */
static double
rate_of(struct rview *rv, const struct fd_redrive_job *j, long long moved)
{
	struct seen *s = seen_of(rv, j->id);
	int64_t now = fd_now_ms();
	double r;

	if (s->at_ms && now > s->at_ms && strcmp(j->status, "running") == 0) {
		r = (double)(moved - s->moved) * 1000.0 / (double)(now - s->at_ms);
		s->rate = s->rate > 0 ? 0.6 * s->rate + 0.4 * r : r;
	} else if (strcmp(j->status, "running") != 0) {
		s->rate = 0;
	}
	s->moved = moved;
	s->at_ms = now;
	return s->rate;
}

static void
job_line(struct rview *rv, const struct fd_redrive_job *j)
{
	struct fd_redrive_counts c;
	char eta[16] = "-", rate[16] = "-", started[21], link[32];
	long long moved, handled;
	double r;
	enum fd_role role;

	if (fd_journal_counts(rv->st, j->id, &c, NULL) != FD_OK)
		memset(&c, 0, sizeof(c));
	moved = j->dry_run ? c.would_move : c.moved;
	handled = c.moved + c.skipped + c.refused + c.would_move + c.over_max;
	r = rate_of(rv, j, handled);
	if (r > 0) {
		snprintf(rate, sizeof(rate), "%.0f/s", r);
		if (j->total_hint > handled)
			fd_fmt_age((double)(j->total_hint - handled) / r, eta, sizeof(eta));
	}
	fd_format_iso8601((time_t)(j->created_ms / 1000), started);
	role = strcmp(j->status, "done") == 0      ? FD_ROLE_OK
	       : strcmp(j->status, "running") == 0 ? FD_ROLE_LABEL
	                                           : FD_ROLE_WARNING;
	fd_text_newline(&rv->text);
	fd_text_printf(&rv->text, FD_ROLE_NORMAL, "  %-5lld ", (long long)j->id);
	fd_text_printf(&rv->text, role, "%-12s", j->dry_run ? "dry run" : j->status);
	fd_text_printf(&rv->text, FD_ROLE_NORMAL,
	               " %-28.28s %-24.24s %7lld %7lld %6lld %7s %6s  %s",
	               j->source_name ? j->source_name : "?", j->target_name ? j->target_name : "?",
	               moved, c.skipped, c.refused, rate, eta, started);
	snprintf(link, sizeof(link), "%lld", (long long)j->id);
	fd_text_link(&rv->text, link);
	if (strcmp(j->status, "done") != 0 && strcmp(j->status, "running") != 0) {
		fd_text_newline(&rv->text);
		fd_text_printf(&rv->text, FD_ROLE_DIM,
		               "        %s%sresume: fleetdeck dlq redrive "
		               "--resume %lld",
		               j->message ? j->message : "", j->message ? "; " : "",
		               (long long)j->id);
		fd_text_link(&rv->text, link);
	}
}

static void
build_list(struct rview *rv)
{
	struct fd_redrive_job *jobs = NULL;
	struct fd_err err = {0};
	size_t n = 0, i, shown = 0;

	fd_text_section(&rv->text, rv->filter[0] ? rv->filter : "Redrive jobs");
	fd_text_newline(&rv->text);
	fd_text_printf(&rv->text, FD_ROLE_HEADER,
	               "  %-5s %-12s %-28s %-24s %7s %7s %6s %7s %6s  %s", "JOB", "STATUS",
	               "SOURCE", "TARGET", "MOVED", "SKIPPED", "FAILED", "RATE", "ETA", "STARTED");
	if (fd_journal_jobs(rv->st, JOBS_SHOWN, &jobs, &n, &err) != FD_OK)
		fd_strlcpy(rv->error, err.msg, sizeof(rv->error));
	for (i = 0; i < n; i++) {
		if (!rv->filter[0] || fd_str_eq(jobs[i].source_name, rv->filter) ||
		    fd_str_eq(jobs[i].target_name, rv->filter)) {
			job_line(rv, &jobs[i]);
			shown++;
		}
		fd_redrive_job_free(&jobs[i]);
	}
	free(jobs);
	if (!shown) {
		fd_text_newline(&rv->text);
		fd_text_put(&rv->text, FD_ROLE_DIM,
		            "  No redrive jobs yet: fleetdeck dlq redrive "
		            "QUEUE [--dry-run] starts one.");
	}
}

static void
build_report(struct rview *rv)
{
	struct fd_redrive_job j;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	if (fd_journal_job_load(rv->st, rv->job, &j, NULL) != FD_OK) {
		fd_text_put(&rv->text, FD_ROLE_ERROR, "  no such job");
		return;
	}
	f = open_memstream(&text, &len);
	if (f) {
		fd_redrive_report(rv->st, &j, f, 0);
		fclose(f);
	}
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		fd_text_newline(&rv->text);
		fd_text_put(&rv->text, FD_ROLE_NORMAL, line);
	}
	free(text);
	fd_redrive_job_free(&j);
}

static void
rebuild(struct rview *rv)
{
	fd_text_clear(&rv->text);
	if (!rv->st) {
		fd_text_newline(&rv->text);
		fd_text_printf(&rv->text, FD_ROLE_ERROR, "  %s", rv->error);
	} else if (rv->job > 0) {
		build_report(rv);
	} else {
		build_list(rv);
	}
	rv->polled_ms = fd_now_ms();
}

static void
rv_open(struct fd_view *v, const char *arg)
{
	struct rview *rv = v->priv;
	struct fd_err err = {0};
	char *path = fd_state_default_path(), *end = NULL;
	long long id = arg && *arg ? strtoll(arg, &end, 10) : 0;

	if (id > 0 && end && !*end)
		rv->job = id;
	else if (arg)
		fd_strlcpy(rv->filter, arg, sizeof(rv->filter));
	snprintf(v->title, sizeof(v->title), rv->job ? "redrive job %lld" : "redrive", id);
	if (!path)
		fd_strlcpy(rv->error, "no state.db: set HOME or XDG_STATE_HOME", sizeof(rv->error));
	else if (fd_state_open(path, &rv->st, &err) != FD_OK ||
	         fd_journal_init(rv->st, &err) != FD_OK) {
		fd_state_close(rv->st);
		rv->st = NULL;
		fd_strlcpy(rv->error, err.msg, sizeof(rv->error));
	}
	free(path);
	rebuild(rv);
}

static void
rv_close(struct fd_view *v)
{
	struct rview *rv = v->priv;

	fd_state_close(rv->st);
	fd_text_free(&rv->text);
	free(rv->seen);
}

static void
rv_draw(struct fd_view *v, struct fd_rect r)
{
	struct rview *rv = v->priv;

	if (fd_now_ms() - rv->polled_ms >= POLL_MS)
		rebuild(rv);
	fd_text_draw(&rv->text, r);
}

static int
rv_request(struct fd_view *v, enum fd_request req)
{
	struct rview *rv = v->priv;
	const char *link = fd_text_selected_link(&rv->text);

	if (req == FD_REQ_ENTER) {
		if (link && !rv->job)
			fd_ui_push(v->ui, &fd_view_redrive, link);
		return 1;
	}
	if (req == FD_REQ_REFRESH) {
		rebuild(rv);
		return 1;
	}
	return fd_text_request(&rv->text, req);
}

static enum fd_status
rv_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct rview *rv = v->priv;

	return fd_text_search(&rv->text, pattern, err);
}

const struct fd_view_ops fd_view_redrive = {
    .name = "redrive",
    .priv_size = sizeof(struct rview),
    .open = rv_open,
    .close = rv_close,
    .draw = rv_draw,
    .request = rv_request,
    .search = rv_search,
};
