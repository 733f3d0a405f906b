/* redrive_report.c - what a redrive job did, from the journal: counts by outcome,
 * rate, where the messages went, why some stayed, and for a dry run the exact list
 * of messages that would move and that would stay. Text or JSON. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fleetdeck/output.h"
#include "fleetdeck/redrive.h"
#include "fleetdeck/sanitize.h"

static const char *
target_kind_name(enum fd_redrive_target k)
{
	return k == FD_RT_FUNCTION ? "function" : k == FD_RT_QUEUE ? "queue" : "source queue";
}

static double
duration_s(const struct fd_redrive_job *j)
{
	int64_t end = j->finished_ms ? j->finished_ms : j->updated_ms;

	return end > j->created_ms ? (double)(end - j->created_ms) / 1000.0 : 0;
}

static void
put_line(FILE *f, const char *label, const char *value)
{
	char *clean = fd_sanitize_dup(value ? value : "");

	fprintf(f, "  %-11s %s\n", label, clean);
	free(clean);
}

static void
text_plan(FILE *f, const struct fd_journal_row *rows, size_t n)
{
	size_t i;
	char *id, *why;

	for (i = 0; i < n; i++) {
		id = fd_sanitize_dup(rows[i].message_id);
		why = fd_sanitize_dup(rows[i].why ? rows[i].why : "?");
		if (fd_str_eq(rows[i].why, FD_RM_WHY_DRY))
			fprintf(f, "  would move %s\n", id);
		else
			fprintf(f, "  stays      %s (%s)\n", id, why);
		free(id);
		free(why);
	}
}

static void
text_report(const struct fd_redrive_job *j, const struct fd_redrive_counts *c, FILE *f)
{
	double d = duration_s(j);
	char line[512];

	fprintf(f, "redrive job %lld: %s%s\n", (long long)j->id, j->status,
	        j->dry_run ? " (dry run: nothing was moved)" : "");
	put_line(f, "source", j->source_name);
	snprintf(line, sizeof(line), "%s (%s)", j->target_name ? j->target_name : "?",
	         target_kind_name(j->target_kind));
	put_line(f, "target", line);
	if (j->filters) {
		char *joined = fd_xstrdup(j->filters), *p;
		for (p = joined; (p = strchr(p, '\n'));)
			*p = ';';
		put_line(f, "filters", joined);
		free(joined);
	}
	if (j->dry_run)
		fprintf(f, "  %-11s %lld\n", "would move", c->would_move);
	else
		fprintf(f, "  %-11s %lld\n", "moved", c->moved);
	fprintf(f, "  %-11s %lld (did not match the filters)\n", "skipped", c->skipped);
	if (c->over_max)
		fprintf(f, "  %-11s %lld (over --max)\n", "left", c->over_max);
	if (c->refused)
		fprintf(f, "  %-11s %lld (the target refused them; they stay in the source)\n",
		        "failed", c->refused);
	if (c->n[FD_RM_RECEIVED] || c->n[FD_RM_SENT] || c->n[FD_RM_HELD])
		fprintf(f, "  %-11s %lld to send, %lld to delete, %lld to release\n", "pending",
		        c->n[FD_RM_RECEIVED], c->n[FD_RM_SENT], c->n[FD_RM_HELD]);
	fprintf(f, "  %-11s %.1fs (%.1f msg/s)\n", "duration", d,
	        d > 0 ? (double)(c->moved + c->skipped + c->would_move) / d : 0.0);
	if (j->message)
		put_line(f, "note", j->message);
	if (strcmp(j->status, "done") != 0)
		fprintf(f, "  %-11s fleetdeck dlq redrive --resume %lld\n", "resume",
		        (long long)j->id);
}

static void
json_str(FILE *f, const char *key, const char *v, int comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	if (v)
		fd_json_put_string(f, v);
	else
		fputs("null", f);
}

static void
json_plan(FILE *f, const struct fd_journal_row *rows, size_t n)
{
	size_t i;

	fputs(",\"messages\":[", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", f);
		json_str(f, "id", rows[i].message_id, 0);
		json_str(f, "state", fd_rm_state_name(rows[i].state), 1);
		json_str(f, "why", rows[i].why, 1);
		json_str(f, "target_id", rows[i].target_id, 1);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
json_report(const struct fd_redrive_job *j, const struct fd_redrive_counts *c, FILE *f)
{
	fprintf(f, "{\"job\":%lld", (long long)j->id);
	json_str(f, "status", j->status, 1);
	json_str(f, "source", j->source_name, 1);
	json_str(f, "source_url", j->source_url, 1);
	json_str(f, "target", j->target_name, 1);
	json_str(f, "target_kind", target_kind_name(j->target_kind), 1);
	json_str(f, "filters", j->filters, 1);
	fprintf(f,
	        ",\"dry_run\":%s,\"moved\":%lld,\"would_move\":%lld,\"skipped\":%lld,"
	        "\"failed\":%lld,\"over_max\":%lld,\"pending\":%lld,\"duration_s\":%.3f",
	        j->dry_run ? "true" : "false", c->moved, c->would_move, c->skipped, c->refused,
	        c->over_max, c->n[FD_RM_RECEIVED] + c->n[FD_RM_SENT] + c->n[FD_RM_HELD],
	        duration_s(j));
	json_str(f, "message", j->message, 1);
}

void
fd_redrive_report(struct fd_state *st, const struct fd_redrive_job *j, FILE *f, int json)
{
	struct fd_redrive_counts c;
	struct fd_journal_row *rows = NULL;
	size_t n = 0;

	if (fd_journal_counts(st, j->id, &c, NULL) != FD_OK)
		memset(&c, 0, sizeof(c));
	if (j->dry_run)
		(void)fd_journal_rows(st, j->id, &rows, &n, NULL);
	if (json) {
		json_report(j, &c, f);
		if (j->dry_run)
			json_plan(f, rows, n);
		fputs("}\n", f);
	} else {
		text_report(j, &c, f);
		if (j->dry_run && n)
			text_plan(f, rows, n);
	}
	fd_journal_rows_free(rows, n);
}

enum fd_status
fd_redrive_unfinished(struct fd_state *st, struct fd_redrive_job **out, size_t *n,
                      struct fd_err *err)
{
	struct fd_redrive_job *all;
	size_t total, i;
	enum fd_status rc = fd_journal_init(st, err);

	*out = NULL;
	*n = 0;
	if (rc == FD_OK)
		rc = fd_journal_jobs(st, 0, &all, &total, err);
	if (rc != FD_OK)
		return rc;
	for (i = 0; i < total; i++) {
		int alive = all[i].owner_pid && kill((pid_t)all[i].owner_pid, 0) == 0 &&
		            fd_wall_now_ms() - all[i].heartbeat_ms < 60000;
		if (strcmp(all[i].status, "done") != 0 && !alive) {
			(*out) = fd_xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[(*n)++] = all[i];
		} else {
			fd_redrive_job_free(&all[i]);
		}
	}
	free(all);
	return FD_OK;
}
