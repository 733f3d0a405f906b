/* cmd_queues.c - `fleetdeck queues` (the queues board) and `fleetdeck dlq ls` (DLQs,
 * those holding messages first). Queues come from SQS and CloudWatch; the functions
 * wired to them (event source mappings, async DLQs, on-failure destinations) come
 * from the cached inventory, so run `fleetdeck functions` once for those columns.
 *
 * json / ndjson, one object per queue: name, url, arn, fifo, visible, in_flight,
 * delayed, oldest_age_s, retention_s, visibility_s, max_receive, dlq, is_dlq,
 * sources, consumers, failure_functions, redrive_allow. Counts are integers (null
 * when unknown); lists are comma-separated strings. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/output.h"
#include "fleetdeck/queues.h"
#include "fleetdeck/sqs.h"
#include "fleetdeck/view.h"

static const struct fd_col cols[] = {
    {"name", "QUEUE", FD_COL_STR, 0, 0, 0},
    {"fifo", "FIFO", FD_COL_BOOL, 4, 0, 0},
    {"visible", "VISIBLE", FD_COL_INT, 8, 1, 0},
    {"in_flight", "INFLIGHT", FD_COL_INT, 8, 1, 0},
    {"delayed", "DELAYED", FD_COL_INT, 7, 1, 0},
    {"oldest_age_s", "OLDEST", FD_COL_INT, 8, 1, 0},
    {"retention_s", "RETENTION", FD_COL_INT, 9, 1, 0},
    {"visibility_s", "VIS", FD_COL_INT, 5, 1, 0},
    {"max_receive", "MAXRECV", FD_COL_INT, 7, 1, 0},
    {"dlq", "DLQ", FD_COL_STR, 0, 0, 0},
    {"is_dlq", "ISDLQ", FD_COL_BOOL, 5, 0, 0},
    {"sources", "SOURCES", FD_COL_STR, 0, 0, 0},
    {"consumers", "CONSUMERS", FD_COL_STR, 0, 0, 0},
    {"failure_functions", "FAILURES OF", FD_COL_STR, 0, 0, 0},
    {"redrive_allow", "ALLOW", FD_COL_STR, 9, 0, 0},
    {"url", "URL", FD_COL_STR, 0, 0, 0},
    {"arn", "ARN", FD_COL_STR, 0, 0, 0},
};
#define NCOLS FD_ARRAY_LEN(cols)
#define TABLE_COLS 15 /* url and arn only in json/csv */

static int usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
usage(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fd_cmd_usage(fd_cmd_find(cmd, NULL), "%s", msg);
}

static char *
names_of(char *const *arns, size_t n)
{
	struct fd_buf b;
	const char *colon;
	size_t i;

	fd_buf_init(&b);
	for (i = 0; i < n; i++) {
		colon = strrchr(arns[i], ':');
		fd_buf_printf(&b, "%s%s", i ? "," : "",
		              colon && !strchr(colon, '/') ? colon + 1 : arns[i]);
	}
	return fd_buf_steal(&b);
}

static char *
dlq_name(const struct fd_queue *q)
{
	const char *colon = q->dlq_arn ? strrchr(q->dlq_arn, ':') : NULL;

	return colon ? fd_xstrdup(colon + 1) : NULL;
}

static void
queue_row(struct fd_out *o, const struct fd_queue *q)
{
	struct fd_cell c[NCOLS];
	char *sources = names_of(q->sources, q->nsources);
	char *consumers = names_of(q->consumers, q->nconsumers);
	char *fails = names_of(q->failure_fns, q->nfailure_fns);
	char *dlq = dlq_name(q);

	c[0] = fd_cell_str(q->name);
	c[1] = fd_cell_int(q->fifo, 1);
	c[2] = fd_cell_int(q->visible, q->visible >= 0);
	c[3] = fd_cell_int(q->inflight, q->inflight >= 0);
	c[4] = fd_cell_int(q->delayed, q->delayed >= 0);
	c[5] = fd_cell_int(isnan(q->oldest_age_s) ? 0 : (long long)q->oldest_age_s,
	                   !isnan(q->oldest_age_s));
	c[6] = fd_cell_int(q->retention_s, q->retention_s >= 0);
	c[7] = fd_cell_int(q->visibility_s, q->visibility_s >= 0);
	c[8] = fd_cell_int(q->max_receive, q->max_receive > 0);
	c[9] = fd_cell_str(dlq);
	c[10] = fd_cell_int(q->is_dlq, 1);
	c[11] = fd_cell_str(sources);
	c[12] = fd_cell_str(consumers);
	c[13] = fd_cell_str(fails);
	c[14] = fd_cell_str(q->allow_permission);
	c[15] = fd_cell_str(q->url);
	c[16] = fd_cell_str(q->arn);
	fd_out_row(o, c);
	free(sources);
	free(consumers);
	free(fails);
	free(dlq);
}

/* Functions from the cache (no refresh here): their triggers and DLQs. */
static void
join_cached_functions(struct fd_app *app, struct fd_queues *q)
{
	struct fd_function *fns = NULL;
	size_t n = 0;
	int64_t oldest = 0;

	if (fd_app_cache(app, NULL) != FD_OK)
		return;
	if (fd_cache_get_functions(app->cache, &app->ctx, &fns, &n, &oldest, NULL) != FD_OK)
		return;
	fd_queues_set_functions(q, fns, n);
	fd_functions_free(fns, n);
}

static int
load(struct fd_app *app, struct fd_queues **out)
{
	struct fd_err err = {FD_OK, ""};

	*out = NULL;
	if (fd_app_settings(app, &err) != FD_OK || fd_app_client(app, &err) != FD_OK ||
	    fd_app_context(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	*out = fd_queues_new(app->client);
	join_cached_functions(app, *out);
	if (fd_queues_refresh_sync(*out, &err) != FD_OK) {
		fd_queues_free(*out);
		*out = NULL;
		return fd_cmd_fail(&err);
	}
	return 0;
}

static enum fd_output
table_or(enum fd_output f)
{
	return f == FD_OUT_DEFAULT || f == FD_OUT_TEXT ? FD_OUT_TABLE : f;
}

static int
print(struct fd_app *app, struct fd_queues *q, int dlqs_only, const struct fd_regex *re)
{
	enum fd_output fmt = table_or(app->output);
	const struct fd_queue *rows, *const *dlqs;
	size_t n = dlqs_only ? fd_queues_dlqs(q, &dlqs) : fd_queues_rows(q, &rows), i, off, len;
	struct fd_out *o =
	    fd_out_begin(stdout, fmt, cols, fmt == FD_OUT_TABLE ? TABLE_COLS : NCOLS);

	for (i = 0; i < n; i++) {
		const struct fd_queue *r = dlqs_only ? dlqs[i] : &rows[i];
		if (re && !fd_regex_find(re, r->name, strlen(r->name), &off, &len))
			continue;
		queue_row(o, r);
	}
	fd_out_end(o);
	return 0;
}

static int
run(struct fd_app *app, int argc, char **argv, const char *cmd, int first, int dlqs_only)
{
	struct fd_err err = {FD_OK, ""};
	struct fd_regex *re = NULL;
	struct fd_queues *q;
	int i, rc;

	for (i = first; i < argc; i++) {
		if (strcmp(argv[i], "--dlq") == 0)
			dlqs_only = 1;
		else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc && !re) {
			if (fd_regex_new(argv[++i], &re, &err) != FD_OK)
				return usage(cmd, "--filter: %s", err.msg);
		} else {
			fd_regex_free(re);
			return usage(cmd, "unknown option \"%s\"", argv[i]);
		}
	}
	if ((rc = load(app, &q)) == 0) {
		rc = print(app, q, dlqs_only, re);
		fd_queues_free(q);
	}
	fd_regex_free(re);
	return rc;
}

int
cmd_queues(struct fd_app *app, int argc, char **argv)
{
	return run(app, argc, argv, "queues", 1, 0);
}

int fd_cmd_dlq_ls(struct fd_app *app, int argc, char **argv);

int
fd_cmd_dlq_ls(struct fd_app *app, int argc, char **argv)
{
	return run(app, argc, argv, "dlq", 2, 1);
}
