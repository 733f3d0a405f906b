/* cmd_dlq.c - `fleetdeck dlq ...`: list DLQs, peek, redrive (client-side with the
 * journal, or server-side with a move task), jobs, export/import, purge, delete.
 * Queue arguments take a name, URL or ARN. Every mutating subcommand is refused
 * under --read-only or a read_only profile, needs --yes on a prod profile, and
 * purge/delete need --confirm naming the queue. Progress goes to stderr, results
 * to stdout (text, or json with --output json).
 *
 * Exit status: 0 done; 1 error; 2 usage; 3 the job stopped before the end (canary,
 * Ctrl-C, repeated failures) and can be resumed with --resume JOB. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/output.h"
#include "fleetdeck/redrive.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/sqs.h"

#define MAX_FILTERS 32
#define EXIT_STOPPED 3

struct dlq_opts {
	const char *pos[3];
	int npos;
	const char *filters[MAX_FILTERS];
	size_t nfilters;
	const char *to, *to_function, *confirm;
	int server, dry_run, cancel, no_wait, journal_off;
	double rate;
	long long max, canary, resume;
	int canary_wait, visibility, hold;
};

static volatile sig_atomic_t stop_flag;
static struct aws_client *wake_client;

#define usage(...) fd_cmd_usage_of("dlq", __VA_ARGS__)

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	if (wake_client)
		aws_client_wakeup(wake_client);
}

static void
catch_signals(struct aws_client *c)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	wake_client = c;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- options ---- */

static int
num_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end = NULL;

	*out = v ? strtod(v, &end) : NAN;
	if (end && strcmp(opt, "--rate") == 0 && strcmp(end, "/s") == 0)
		end += 2; /* --rate 50/s */
	if (!v || !end || *end || !(*out >= lo && *out <= hi))
		return usage("%s takes a number from %g to %g (got \"%s\")", opt, lo, hi,
		             v ? v : "");
	return 0;
}

struct opt_spec {
	const char *name;
	char kind;  /* 'f' filter, 's' string, 'n' number, 'b' flag */
	size_t off; /* offset in struct dlq_opts */
	double lo, hi;
};

#define O(field) offsetof(struct dlq_opts, field)
static const struct opt_spec specs[] = {
    {"--filter", 'f', 0, 0, 0},
    {"--to", 's', O(to), 0, 0},
    {"--to-function", 's', O(to_function), 0, 0},
    {"--confirm", 's', O(confirm), 0, 0},
    {"--server", 'b', O(server), 0, 0},
    {"--dry-run", 'b', O(dry_run), 0, 0},
    {"--cancel", 'b', O(cancel), 0, 0},
    {"--no-wait", 'b', O(no_wait), 0, 0},
    {"--journal-off", 'b', O(journal_off), 0, 0}, /* benchmarks only */
    {"--rate", 'd', O(rate), 0.01, 100000},
    {"--max", 'l', O(max), 1, 1e12},
    {"--canary", 'l', O(canary), 1, 1e9},
    {"--resume", 'l', O(resume), 1, 1e15},
    {"--canary-wait", 'i', O(canary_wait), 1, 86400},
    {"--visibility", 'i', O(visibility), 1, SQS_VISIBILITY_MAX},
    {"--hold", 'i', O(hold), 1, SQS_VISIBILITY_MAX},
};
#undef O

static int
apply_opt(const struct opt_spec *s, const char *v, struct dlq_opts *o)
{
	char *base = (char *)o + s->off;
	double d;

	if (s->kind == 'b') {
		*(int *)base = 1;
		return 0;
	}
	if (!v)
		return usage("%s needs a value", s->name);
	if (s->kind == 'f') {
		if (o->nfilters == MAX_FILTERS)
			return usage("at most %d --filter options", MAX_FILTERS);
		o->filters[o->nfilters++] = v;
		return 0;
	}
	if (s->kind == 's') {
		*(const char **)base = v;
		return 0;
	}
	if (num_arg(s->name, v, s->lo, s->hi, &d))
		return 2;
	if (s->kind == 'd')
		*(double *)base = d;
	else if (s->kind == 'l')
		*(long long *)base = (long long)d;
	else
		*(int *)base = (int)d;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct dlq_opts *o)
{
	size_t k, n;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 2; i < argc; i++) {
		for (k = 0; k < FD_ARRAY_LEN(specs); k++) {
			n = strlen(specs[k].name);
			if (strncmp(argv[i], specs[k].name, n) == 0 &&
			    (argv[i][n] == '\0' || (argv[i][n] == '=' && specs[k].kind != 'b')))
				break;
		}
		if (k < FD_ARRAY_LEN(specs)) {
			const char *v = argv[i][n] == '='      ? argv[i] + n + 1
			                : specs[k].kind == 'b' ? NULL
			                : i + 1 < argc         ? argv[++i]
			                                       : NULL;
			if (apply_opt(&specs[k], v, o))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage("unknown option \"%s\"", argv[i]);
		} else if (o->npos < 3) {
			o->pos[o->npos++] = argv[i];
		} else {
			return usage("unexpected argument \"%s\"", argv[i]);
		}
	}
	return 0;
}

/* ---- setup ---- */

static int
fail_aws(const char *what, const struct aws_error *e)
{
	struct fd_err err = {e->status ? e->status : FD_EAWS, ""};
	char msg[600];

	aws_error_format(e, msg, sizeof(msg));
	fd_err_set(&err, err.status, "%s: %s", what, msg);
	return fd_cmd_fail(&err);
}

static enum fd_status
online(struct fd_app *app, struct fd_err *err)
{
	enum fd_status st = fd_app_settings(app, err);

	if (st == FD_OK)
		st = fd_app_client(app, err);
	if (st == FD_OK)
		st = fd_app_context(app, err);
	return st;
}

/* Read-only refusal first (before any network use), then the prod confirmation. */
static enum fd_status
writable(struct fd_app *app, const char *action, struct fd_err *err)
{
	enum fd_status st = fd_app_settings(app, err);

	if (st == FD_OK)
		st = fd_app_check_writable(app, action, err);
	if (st == FD_OK && app->settings.prod && !app->yes)
		st = fd_err_set(err, FD_ECANCELLED,
		                "%s refused: profile \"%s\" is marked prod; add --yes to confirm",
		                action, app->settings.profile);
	return st;
}

static enum fd_status
open_state(int journal_off, struct fd_state **st, struct fd_err *err)
{
	char *path = journal_off ? fd_xstrdup(":memory:") : fd_state_default_path();
	enum fd_status rc;

	if (!path)
		return fd_err_set(err, FD_ECONFIG,
		                  "no place for state.db: set HOME or "
		                  "XDG_STATE_HOME");
	rc = fd_state_open(path, st, err);
	free(path);
	if (rc == FD_OK)
		rc = fd_journal_init(*st, err);
	return rc;
}

static int
resolve(struct fd_app *app, const char *id, struct fd_queue *q)
{
	struct aws_error ae;

	if (sqs_resolve(app->client, id, q, &ae) != FD_OK)
		return fail_aws("queue", &ae);
	return 0;
}

static int
need_queue(const struct dlq_opts *o, const char *sub)
{
	if (o->npos < 1)
		return usage("dlq %s needs a queue (name, URL or ARN)", sub);
	return 0;
}

/* ---- peek ---- */

static void
print_part(void *ud, int newline, enum fd_msg_part part, const char *text)
{
	FILE *f = ud;
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(text, strlen(text), FD_SAN_KEEP_TAB, &b);
	if (newline)
		fputs(part == FD_MP_TITLE   ? "\nmessage "
		      : part == FD_MP_LABEL ? "\n  "
		                            : "\n    ",
		      f);
	if (part == FD_MP_LABEL)
		fprintf(f, "%-12s", b.data ? b.data : "");
	else
		fputs(b.data ? b.data : "", f);
	fd_buf_free(&b);
}

static void
print_messages(struct fd_app *app, const struct fd_sqs_msg *m, size_t n)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	if (app->output == FD_OUT_JSON)
		fputc('[', stdout);
	for (i = 0; i < n; i++) {
		if (app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON) {
			fd_buf_reset(&b);
			sqs_msg_to_json(&m[i], 0, &b);
			printf("%s%s%s", i && app->output == FD_OUT_JSON ? "," : "", b.data,
			       app->output == FD_OUT_NDJSON ? "\n" : "");
		} else {
			fd_msg_describe(&m[i], fd_wall_now_ms(), 0, print_part, stdout);
			fputc('\n', stdout);
		}
	}
	if (app->output == FD_OUT_JSON)
		fputs("]\n", stdout);
	fd_buf_free(&b);
}

static int
sub_peek(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_peek_opts po = {o->max, NULL, o->visibility, 0};
	struct fd_err err = {FD_OK, ""};
	struct fd_queue q;
	struct fd_sqs_msg *m = NULL;
	char *warning = NULL;
	size_t n = 0;
	int rc;

	if ((rc = need_queue(o, "peek")) || online(app, &err) != FD_OK)
		return rc ? rc : fd_cmd_fail(&err);
	if (fd_msg_filter_new(o->filters, o->nfilters, &po.filter, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if ((rc = resolve(app, o->pos[0], &q)) == 0) {
		if (q.max_receive > 0)
			fprintf(stderr,
			        "fleetdeck: warning: %s has a redrive policy (DLQ after %d "
			        "receives); peeking adds 1 to each message's receive count\n",
			        q.name, q.max_receive);
		if (fd_peek(app->client, &q, &po, &m, &n, &warning, &err) != FD_OK)
			rc = fd_cmd_fail(&err);
		else
			print_messages(app, m, n);
		if (warning)
			fprintf(stderr, "fleetdeck: %s\n", warning);
	}
	free(warning);
	fd_sqs_msgs_free(m, n);
	fd_msg_filter_free(po.filter);
	fd_queue_free(&q);
	return rc;
}

/* ---- redrive ---- */

static int
server_redrive(struct fd_app *app, const struct dlq_opts *o, struct fd_queue *src)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_move_status ms;
	struct fd_queue dst;
	char *handle = NULL, line[256];
	long long moved = -1;
	int rc = 0;

	memset(&dst, 0, sizeof(dst));
	if (o->cancel) {
		if (fd_move_cancel(app->client, src, &moved, &err) != FD_OK)
			return fd_cmd_fail(&err);
		printf("cancelled the move task of %s (%lld messages moved)\n", src->name, moved);
		return 0;
	}
	if (o->to && (rc = resolve(app, o->to, &dst)) != 0)
		return rc;
	if (fd_move_start(app->client, src, dst.arn, (int)o->rate, &handle, &err) != FD_OK) {
		fd_queue_free(&dst);
		return fd_cmd_fail(&err);
	}
	fprintf(stderr,
	        "fleetdeck: move task started on %s (SQS moves every message: no "
	        "filters; one active task per queue)\n",
	        src->name);
	printf("%s\n", handle);
	free(handle);
	fd_queue_free(&dst);
	catch_signals(app->client);
	while (!o->no_wait && !stop_flag) {
		if (fd_move_status(app->client, src, &ms, &err) != FD_OK)
			return fd_cmd_fail(&err);
		fd_move_format(&ms, 30, line, sizeof(line));
		fprintf(stderr, "%s%s", line, isatty(2) ? "\r" : "\n");
		if (strcmp(ms.status, "RUNNING") != 0) {
			fprintf(stderr, "\n%s%s%s\n", ms.status, ms.failure[0] ? ": " : "",
			        ms.failure);
			return strcmp(ms.status, "COMPLETED") == 0 ? 0 : 1;
		}
		aws_client_wait(app->client, NULL, 0, 1000);
	}
	return 0;
}

static int
run_job(struct fd_app *app, struct fd_state *st, struct fd_redrive *r)
{
	struct fd_err err = {FD_OK, ""};
	const struct fd_redrive_job *j;
	enum fd_status rc;

	catch_signals(app->client);
	fprintf(stderr,
	        "fleetdeck: redrive job %lld: %s -> %s%s (Ctrl-C stops safely; resume "
	        "with --resume %lld)\n",
	        (long long)fd_redrive_job(r)->id, fd_redrive_job(r)->source_name,
	        fd_redrive_job(r)->target_name, fd_redrive_job(r)->dry_run ? " (dry run)" : "",
	        (long long)fd_redrive_job(r)->id);
	rc = fd_redrive_run(r, &stop_flag, stderr, &err);
	j = fd_redrive_job(r);
	fd_redrive_report(st, j, stdout,
	                  app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON);
	if (rc != FD_OK)
		return fd_cmd_fail(&err);
	return strcmp(j->status, "done") == 0 ? 0 : EXIT_STOPPED;
}

/* A job resumes in the account and region it started in. */
static enum fd_status
same_context(struct fd_app *app, struct fd_state *st, long long id, struct fd_err *err)
{
	struct fd_redrive_job j;
	enum fd_status rc = fd_journal_job_load(st, id, &j, err);

	if (rc == FD_OK && j.ctx.account[0] &&
	    (strcmp(j.ctx.account, app->ctx.account) != 0 ||
	     strcmp(j.ctx.region, app->ctx.region) != 0))
		rc = fd_err_set(
		    err, FD_EINVAL,
		    "redrive job %lld ran in account %s, region %s (profile %s); this is "
		    "account %s, region %s: use --profile/--region",
		    id, j.ctx.account, j.ctx.region, j.ctx.profile, app->ctx.account,
		    app->ctx.region);
	fd_redrive_job_free(&j);
	return rc;
}

static int
client_redrive(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_redrive_opts ro = {o->npos ? o->pos[0] : NULL,
	                             FD_RT_SOURCE,
	                             NULL,
	                             o->filters,
	                             o->nfilters,
	                             o->dry_run,
	                             o->rate,
	                             o->max,
	                             o->canary,
	                             o->canary_wait,
	                             o->visibility,
	                             o->hold};
	struct fd_err err = {FD_OK, ""};
	struct fd_state *st = NULL;
	struct fd_redrive *r = NULL;
	int rc;

	if (o->to) {
		ro.target_kind = FD_RT_QUEUE;
		ro.target = o->to;
	}
	if (o->to_function) {
		ro.target_kind = FD_RT_FUNCTION;
		ro.target = o->to_function;
	}
	if (open_state(o->journal_off, &st, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (o->resume)
		rc = same_context(app, st, o->resume, &err) != FD_OK ||
		     fd_redrive_resume(app->client, st, o->resume, &r, &err) != FD_OK;
	else
		rc = fd_redrive_start(app->client, st, &app->ctx, &ro, &r, &err) != FD_OK;
	rc = rc ? fd_cmd_fail(&err) : run_job(app, st, r);
	fd_redrive_free(r);
	fd_state_close(st);
	return rc;
}

static int
sub_redrive(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_queue q;
	int rc;

	if (!o->resume && o->npos < 1)
		return usage("dlq redrive needs a queue (or --resume JOB)");
	if (!!o->to + !!o->to_function + (o->server && !o->to) > 1 || (o->server && o->to_function))
		return usage("choose one of --to, --to-function and --server");
	if (o->server && (o->nfilters || o->dry_run || o->max || o->canary))
		return usage("--server moves every message: no --filter, --dry-run, --max or "
		             "--canary (use client-side redrive for those)");
	if (!o->dry_run && writable(app, "dlq redrive", &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (online(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (!o->server)
		return client_redrive(app, o);
	if ((rc = resolve(app, o->pos[0], &q)) == 0)
		rc = server_redrive(app, o, &q);
	fd_queue_free(&q);
	return rc;
}

/* ---- jobs ---- */

static int
sub_jobs(struct fd_app *app, const struct dlq_opts *o)
{
	static const struct fd_col cols[] = {
	    {"job", "JOB", FD_COL_INT, 5, 1, 0},       {"status", "STATUS", FD_COL_STR, 11, 0, 0},
	    {"source", "SOURCE", FD_COL_STR, 0, 0, 0}, {"target", "TARGET", FD_COL_STR, 0, 0, 0},
	    {"moved", "MOVED", FD_COL_INT, 7, 1, 0},   {"skipped", "SKIPPED", FD_COL_INT, 7, 1, 0},
	    {"failed", "FAILED", FD_COL_INT, 6, 1, 0}, {"created", "CREATED", FD_COL_STR, 20, 0, 0},
	};
	struct fd_err err = {FD_OK, ""};
	struct fd_redrive_job *jobs = NULL;
	struct fd_redrive_counts c;
	struct fd_state *st;
	struct fd_cell cells[8];
	struct fd_out *out;
	char created[21];
	size_t n = 0, i;

	if (open_state(0, &st, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (o->npos) {
		struct fd_redrive_job j;
		if (fd_journal_job_load(st, strtoll(o->pos[0], NULL, 10), &j, &err) != FD_OK) {
			fd_state_close(st);
			return fd_cmd_fail(&err);
		}
		fd_redrive_report(st, &j, stdout, app->output == FD_OUT_JSON);
		fd_redrive_job_free(&j);
		fd_state_close(st);
		return 0;
	}
	if (fd_journal_jobs(st, 50, &jobs, &n, &err) != FD_OK) {
		fd_state_close(st);
		return fd_cmd_fail(&err);
	}
	out = fd_out_begin(stdout, app->output == FD_OUT_TEXT ? FD_OUT_TABLE : app->output, cols,
	                   FD_ARRAY_LEN(cols));
	for (i = 0; i < n; i++) {
		if (fd_journal_counts(st, jobs[i].id, &c, NULL) != FD_OK)
			memset(&c, 0, sizeof(c));
		fd_format_iso8601((time_t)(jobs[i].created_ms / 1000), created);
		cells[0] = fd_cell_int(jobs[i].id, 1);
		cells[1] = fd_cell_str(jobs[i].status);
		cells[2] = fd_cell_str(jobs[i].source_name);
		cells[3] = fd_cell_str(jobs[i].target_name);
		cells[4] = fd_cell_int(jobs[i].dry_run ? c.would_move : c.moved, 1);
		cells[5] = fd_cell_int(c.skipped, 1);
		cells[6] = fd_cell_int(c.refused, 1);
		cells[7] = fd_cell_str(created);
		fd_out_row(out, cells);
		fd_redrive_job_free(&jobs[i]);
	}
	fd_out_end(out);
	free(jobs);
	fd_state_close(st);
	return 0;
}

/* ---- export, import, purge, delete ---- */

static int
sub_export(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_msg_filter *filter = NULL;
	struct fd_queue q;
	long long count = 0;
	FILE *f;
	int rc;

	if (o->npos != 2)
		return usage("dlq export needs a queue and a file (- for stdout)");
	if (online(app, &err) != FD_OK ||
	    fd_msg_filter_new(o->filters, o->nfilters, &filter, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if ((rc = resolve(app, o->pos[0], &q)) != 0) {
		fd_msg_filter_free(filter);
		return rc;
	}
	f = strcmp(o->pos[1], "-") == 0 ? stdout : fopen(o->pos[1], "w");
	if (!f) {
		fprintf(stderr, "fleetdeck: %s: %s\n", o->pos[1], strerror(errno));
		rc = 1;
	} else if (fd_export(app->client, &q, filter, o->max, f, &count, &err) != FD_OK)
		rc = fd_cmd_fail(&err);
	else
		fprintf(stderr,
		        "fleetdeck: exported %lld messages of %s (each one's receive count "
		        "went up by 1; they are visible again)\n",
		        count, q.name);
	if (f && f != stdout && fclose(f) != 0 && !rc) {
		fprintf(stderr, "fleetdeck: %s: %s\n", o->pos[1], strerror(errno));
		rc = 1;
	}
	fd_msg_filter_free(filter);
	fd_queue_free(&q);
	return rc;
}

static int
sub_import(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_queue q;
	long long count = 0;
	FILE *f;
	int rc;

	if (o->npos != 1 || !o->to)
		return usage("dlq import needs a file and --to QUEUE");
	if (writable(app, "dlq import", &err) != FD_OK || online(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	f = strcmp(o->pos[0], "-") == 0 ? stdin : fopen(o->pos[0], "r");
	if (!f) {
		fprintf(stderr, "fleetdeck: %s: %s\n", o->pos[0], strerror(errno));
		return 1;
	}
	if ((rc = resolve(app, o->to, &q)) == 0) {
		if (fd_import(app->client, &q, f, o->pos[0], &count, &err) != FD_OK)
			rc = fd_cmd_fail(&err);
		fprintf(stderr, "fleetdeck: imported %lld messages into %s\n", count, q.name);
		fd_queue_free(&q);
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The queue's name must be typed: --confirm NAME, or at a terminal prompt. */
static int
confirmed(const struct dlq_opts *o, const struct fd_queue *q, const char *what)
{
	char line[256];

	if (o->confirm)
		return strcmp(o->confirm, q->name) == 0 || strcmp(o->confirm, o->pos[0]) == 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return 0;
	fprintf(stderr, "%s %s: type the queue name to confirm: ", what, q->name);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, q->name) == 0;
}

static int
sub_purge(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	struct aws_error ae;
	struct fd_queue q;
	int rc;

	if ((rc = need_queue(o, "purge")))
		return rc;
	if (writable(app, "dlq purge", &err) != FD_OK || online(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if ((rc = resolve(app, o->pos[0], &q)) != 0)
		return rc;
	if (!confirmed(o, &q, "purge every message of"))
		rc = usage("dlq purge deletes every message of %s: confirm with --confirm %s",
		           q.name, q.name);
	else if (sqs_purge_sync(app->client, q.url, &ae) != FD_OK)
		rc = fail_aws("purge", &ae);
	else
		fprintf(stderr, "fleetdeck: purged %s (%lld messages; SQS may take up to 60 s)\n",
		        q.name, FD_MAX(q.visible, 0) + FD_MAX(q.inflight, 0));
	fd_queue_free(&q);
	return rc;
}

static int
sub_delete(struct fd_app *app, const struct dlq_opts *o)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_queue q;
	int rc;

	if (o->npos != 2)
		return usage("dlq delete needs a queue and a message id");
	if (writable(app, "dlq delete", &err) != FD_OK || online(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if ((rc = resolve(app, o->pos[0], &q)) != 0)
		return rc;
	if (!confirmed(o, &q, "delete a message of"))
		rc = usage("dlq delete removes a message of %s for good: confirm with --confirm %s",
		           q.name, q.name);
	else if (fd_delete_message(app->client, &q, o->pos[1], &err) != FD_OK)
		rc = fd_cmd_fail(&err);
	else
		fprintf(stderr, "fleetdeck: deleted message %s from %s\n", o->pos[1], q.name);
	fd_queue_free(&q);
	return rc;
}

/* dlq ls lives in cmd_queues.c with the queues board. */
int fd_cmd_dlq_ls(struct fd_app *app, int argc, char **argv);

int
cmd_dlq(struct fd_app *app, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct fd_app *app, const struct dlq_opts *o);
	} subs[] = {
	    {"peek", sub_peek},     {"redrive", sub_redrive}, {"jobs", sub_jobs},
	    {"export", sub_export}, {"import", sub_import},   {"purge", sub_purge},
	    {"delete", sub_delete},
	};
	struct dlq_opts o;
	size_t i;

	if (argc < 2)
		return usage("dlq needs a subcommand: ls, peek, redrive, jobs, export, import, "
		             "purge or delete");
	if (strcmp(argv[1], "ls") == 0)
		return fd_cmd_dlq_ls(app, argc, argv);
	for (i = 0; i < FD_ARRAY_LEN(subs); i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		if (parse_opts(argc, argv, &o))
			return 2;
		return subs[i].run(app, &o);
	}
	return usage("unknown dlq subcommand \"%s\"", argv[1]);
}
