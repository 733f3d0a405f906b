/* cmd_events.c - `fleetdeck events`: the test-event library. Events belong to a
 * function, or are shared by every function (--shared); they live in state.db and
 * travel as files ($XDG_CONFIG_HOME/fleetdeck/events/<function>/<name>.json) for
 * teams that keep them in git. Also the built-in templates, the invocation history
 * and the diff of two recorded responses.
 *
 *   events ls [FUNCTION]                       events of FUNCTION and shared ones
 *   events show FUNCTION NAME                  the body (also --shared NAME)
 *   events new FUNCTION NAME [--template T|--file F|--stdin|--dlq-message FILE]
 *              [--wrap-sqs|--original] [--edit] [--replace]
 *   events edit FUNCTION NAME                  in $VISUAL/$EDITOR (vi), checked as JSON
 *   events rm FUNCTION NAME
 *   events import [FUNCTION] [--dir DIR] [--replace]; events import --console FUNCTION
 *   events export [FUNCTION] [--dir DIR]
 *   events templates [NAME [--function FN]]
 *   events history [FUNCTION] [--max N]
 *   events diff ID1 ID2                        response of ID1 against ID2
 *
 * Exit status: 0, 1 on errors, 2 on usage errors; `diff` exits 1 when the responses
 * differ (like diff(1)) and 0 when they are the same. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/schemas.h"
#include "fleetdeck/sqs.h"
#include "fleetdeck/state.h"

struct ev_args {
	const char *pos[3]; /* positional arguments after the subcommand */
	int npos;
	int shared, replace, edit, stdin_src, console, wrap_sqs, original;
	const char *template_name, *file, *dlq_message, *dir, *function_opt;
	long max;
};

struct ev_cmd {
	struct fd_app *app;
	struct ev_args a;
	struct fd_state *state;
	const char *function; /* "" for shared */
	const char *name;
};

#define usage(...) fd_cmd_usage_of("events", __VA_ARGS__)

static int
flag(struct ev_args *a, const char *s)
{
	static const char *const names[] = {"--shared",  "--replace",  "--edit",    "--stdin",
	                                    "--console", "--wrap-sqs", "--original"};
	int *slots[] = {&a->shared,  &a->replace,  &a->edit,    &a->stdin_src,
	                &a->console, &a->wrap_sqs, &a->original};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*slots[i] = 1;
			return 1;
		}
	}
	return 0;
}

static int
value(int argc, char **argv, int *i, struct ev_args *a)
{
	static const char *const names[] = {"--template", "--file",     "--dlq-message",
	                                    "--dir",      "--function", "--max"};
	const char **slots[] = {&a->template_name, &a->file,         &a->dlq_message,
	                        &a->dir,           &a->function_opt, NULL};
	const char *v = NULL;
	size_t k;

	for (k = 0; k < FD_ARRAY_LEN(names); k++) {
		if (!fd_opt_value(argc, argv, i, names[k], &v))
			continue;
		if (!v || !*v)
			return usage("%s needs a value", names[k]);
		if (slots[k]) {
			*slots[k] = v;
		} else {
			char *end = NULL;
			a->max = strtol(v, &end, 10);
			if (*end || a->max < 1 || a->max > 100000)
				return usage("--max takes a number from 1 to 100000");
		}
		return 0;
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct ev_args *a)
{
	int i, rc;

	for (i = 2; i < argc; i++) {
		if (flag(a, argv[i]))
			continue;
		if ((rc = value(argc, argv, &i, a)) >= 0) {
			if (rc)
				return rc;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return usage("unknown option \"%s\"", argv[i]);
		if (a->npos == (int)FD_ARRAY_LEN(a->pos))
			return usage("too many arguments (\"%s\")", argv[i]);
		a->pos[a->npos++] = argv[i];
	}
	return 0;
}

/* FUNCTION NAME, or --shared NAME. */
static int
target(struct ev_cmd *c, const char *sub)
{
	int need = c->a.shared ? 1 : 2;

	if (c->a.npos != need)
		return usage("events %s takes FUNCTION NAME (or --shared NAME)", sub);
	c->function = c->a.shared ? "" : c->a.pos[0];
	c->name = c->a.pos[need - 1];
	if (!fd_event_function_valid(c->function))
		return usage("\"%s\" is not a function name", c->function);
	if (!fd_event_name_valid(c->name))
		return usage("event names take 1-64 letters, digits, '.', '_' or '-' (got \"%s\")",
		             c->name);
	return 0;
}

static const char *
fn_label(const char *function)
{
	return function && function[0] ? function : "(shared)";
}

static void
fmt_time(int64_t ms, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* ---- ls, show, rm ---- */

static int
do_ls(struct ev_cmd *c, struct fd_err *err)
{
	static const struct fd_col cols[] = {
	    {"function", "FUNCTION", FD_COL_STR, 24, 0, 0},
	    {"name", "NAME", FD_COL_STR, 24, 0, 0},
	    {"bytes", "BYTES", FD_COL_INT, 8, 1, 0},
	    {"origin", "ORIGIN", FD_COL_STR, 16, 0, 0},
	    {"updated", "UPDATED", FD_COL_STR, 20, 0, 0},
	    {"sha256", "SHA256", FD_COL_STR, 0, 0, 0},
	};
	enum fd_output fmt = c->app->output == FD_OUT_DEFAULT || c->app->output == FD_OUT_TEXT
	                         ? FD_OUT_TABLE
	                         : c->app->output;
	struct fd_event *ev = NULL;
	size_t n = 0, i;
	struct fd_out *o;

	if (c->a.npos > 1)
		return usage("events ls takes at most one FUNCTION");
	if (fd_events_list(c->state, c->a.npos ? c->a.pos[0] : NULL, &ev, &n, err) != FD_OK)
		return fd_cmd_fail_run(err);
	o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	for (i = 0; i < n; i++) {
		char when[32];
		struct fd_cell cells[6];
		fmt_time(ev[i].updated_ms, when, sizeof(when));
		cells[0] = fd_cell_str(fn_label(ev[i].function));
		cells[1] = fd_cell_str(ev[i].name);
		cells[2] = fd_cell_int((long long)ev[i].len, 1);
		cells[3] = fd_cell_str(ev[i].origin);
		cells[4] = fd_cell_str(when);
		cells[5] = fd_cell_str(ev[i].sha256);
		fd_out_row(o, cells);
	}
	fd_out_end(o);
	fd_events_free(ev, n);
	return 0;
}

static void
print_body(const char *body, size_t len)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(body, len, FD_SAN_KEEP_NEWLINE | FD_SAN_KEEP_TAB, &b);
	fwrite(b.data ? b.data : "", 1, b.len, stdout);
	if (!b.len || b.data[b.len - 1] != '\n')
		putchar('\n');
	fd_buf_free(&b);
}

static int
do_show(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_event e;
	int rc = target(c, "show");

	if (rc)
		return rc;
	if (fd_events_find(c->state, c->function, c->name, &e, err) != FD_OK)
		return fd_cmd_fail_run(err);
	print_body(e.body, e.len);
	fd_event_free(&e);
	return 0;
}

static int
do_rm(struct ev_cmd *c, struct fd_err *err)
{
	int rc = target(c, "rm");

	if (rc)
		return rc;
	if (fd_events_delete(c->state, c->function, c->name, err) != FD_OK)
		return fd_cmd_fail_run(err);
	fprintf(stderr, "fleetdeck: removed event %s of %s\n", c->name, fn_label(c->function));
	return 0;
}

/* ---- new, edit ---- */

/* The first message of a file written by `fleetdeck dlq export` (one JSON message a
 * line) or holding one message in SQS's JSON shape. */
static enum fd_status
event_from_dlq_file(struct ev_cmd *c, struct fd_buf *out, const char **origin, struct fd_err *err)
{
	struct fd_buf raw;
	struct fd_sqs_msg m;
	enum fd_dlq_event_mode mode = c->a.wrap_sqs   ? FD_DLQ_EVENT_WRAP_SQS
	                              : c->a.original ? FD_DLQ_EVENT_ORIGINAL
	                                              : FD_DLQ_EVENT_AUTO;
	enum fd_status st;
	size_t line;

	fd_buf_init(&raw);
	memset(&m, 0, sizeof(m));
	st = fd_read_file(c->a.dlq_message, (size_t)FD_EVENT_BODY_MAX * 2, &raw, err);
	line = raw.data ? strcspn(raw.data, "\n") : 0;
	if (st == FD_OK)
		st = sqs_msg_from_json(raw.data, line, &m, err);
	if (st == FD_OK)
		st = fd_event_from_sqs_message(&m, NULL, c->app->settings.region, mode, out, origin,
		                               err);
	fd_sqs_msg_free(&m);
	fd_buf_free(&raw);
	return st;
}

static enum fd_status
new_body(struct ev_cmd *c, struct fd_buf *body, char **origin, struct fd_err *err)
{
	struct fd_template_opts to = {c->function[0] ? c->function : NULL, c->app->settings.region,
	                              NULL, 0, 0};
	const char *dlq_origin = NULL;
	enum fd_status st;

	if (c->a.template_name) {
		*origin = fd_xasprintf("template:%s", c->a.template_name);
		return fd_template_build(c->a.template_name, &to, body, err);
	}
	if (c->a.file || c->a.stdin_src) {
		*origin = fd_xstrdup(c->a.file ? "file" : "stdin");
		return fd_event_read_file(c->a.file ? c->a.file : "-", body, err);
	}
	if (c->a.dlq_message) {
		st = event_from_dlq_file(c, body, &dlq_origin, err);
		*origin = fd_xasprintf("dlq:%s", dlq_origin ? dlq_origin : "?");
		return st;
	}
	*origin = fd_xstrdup("editor");
	c->a.edit = 1;
	fd_buf_puts(body, "{\n}\n");
	return FD_OK;
}

static enum fd_status
save(struct ev_cmd *c, const struct fd_buf *body, const char *origin, int replace,
     struct fd_err *err)
{
	struct fd_event e = {
	    (char *)c->function, (char *)c->name, body->data, body->len, (char *)origin, 0, 0, ""};

	fd_event_hash(&e);
	return fd_events_put(c->state, &e, replace, err);
}

static enum fd_status
maybe_edit(struct ev_cmd *c, struct fd_buf *body, struct fd_err *err)
{
	struct fd_buf edited;
	enum fd_status st;

	if (!c->a.edit)
		return FD_OK;
	fd_buf_init(&edited);
	st = fd_event_edit(body->data, body->len, &edited, 0, err);
	if (st == FD_OK) {
		fd_buf_reset(body);
		fd_buf_append(body, edited.data, edited.len);
	}
	fd_buf_free(&edited);
	return st;
}

static int
do_new(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_buf body;
	struct fd_event old;
	char *origin = NULL;
	enum fd_status st;
	int rc = target(c, "new");

	if (rc)
		return rc;
	if (!!c->a.template_name + !!c->a.file + c->a.stdin_src + !!c->a.dlq_message > 1)
		return usage("events new takes one of --template, --file, --stdin, --dlq-message");
	if (!c->a.replace && fd_events_get(c->state, c->function, c->name, &old, NULL) == FD_OK) {
		fd_event_free(&old);
		fd_err_set(err, FD_EIO,
		           "event \"%s\" already exists for %s: use --replace "
		           "or \"fleetdeck events edit\"",
		           c->name, fn_label(c->function));
		return fd_cmd_fail_run(err);
	}
	fd_buf_init(&body);
	st = new_body(c, &body, &origin, err);
	if (st == FD_OK)
		st = maybe_edit(c, &body, err);
	if (st == FD_OK)
		st = save(c, &body, origin, c->a.replace, err);
	if (st == FD_OK)
		fprintf(stderr, "fleetdeck: saved event %s of %s (%zu bytes)\n", c->name,
		        fn_label(c->function), body.len);
	fd_buf_free(&body);
	free(origin);
	return st == FD_OK ? 0 : fd_cmd_fail_run(err);
}

static int
do_edit(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_event e;
	struct fd_buf body;
	enum fd_status st;
	int rc = target(c, "edit");

	if (rc)
		return rc;
	if (fd_events_get(c->state, c->function, c->name, &e, err) != FD_OK)
		return fd_cmd_fail_run(err);
	fd_buf_init(&body);
	fd_buf_append(&body, e.body, e.len);
	c->a.edit = 1;
	st = maybe_edit(c, &body, err);
	if (st == FD_OK && (body.len != e.len || memcmp(body.data, e.body, e.len) != 0))
		st = save(c, &body, e.origin, 1, err);
	else if (st == FD_OK)
		fprintf(stderr, "fleetdeck: no change\n");
	fd_event_free(&e);
	fd_buf_free(&body);
	return st == FD_OK ? 0 : fd_cmd_fail_run(err);
}

/* ---- import, export, templates ---- */

static char *
events_dir(struct ev_cmd *c, struct fd_err *err)
{
	char *d = c->a.dir ? fd_xstrdup(c->a.dir) : fd_events_dir();

	if (!d)
		fd_err_set(err, FD_ECONFIG,
		           "no events directory: set HOME or XDG_CONFIG_HOME, "
		           "or pass --dir");
	return d;
}

static void
console_skip(const char *name, const char *why)
{
	char *safe = fd_sanitize_dup(name);

	fprintf(stderr, "fleetdeck: skipped console event %s: %s\n", safe, why);
	free(safe);
}

/* One console event into the library: 1 stored, 0 skipped (said on stderr), -1 when
 * the store failed (err set). */
static int
store_console_event(struct ev_cmd *c, const struct fd_console_event *ce, struct fd_err *err)
{
	struct fd_event e = {(char *)c->function, ce->name, ce->json, strlen(ce->json),
	                     "console", 0, 0, ""};
	enum fd_status st;

	if (!fd_event_name_valid(ce->name)) {
		console_skip(ce->name, "not a valid event name");
		return 0;
	}
	if (e.len > (size_t)FD_EVENT_BODY_MAX) {
		console_skip(ce->name, "larger than the Invoke payload limit");
		return 0;
	}
	fd_event_hash(&e);
	st = fd_events_put(c->state, &e, c->a.replace, err);
	if (st == FD_EINVAL && !c->a.replace) {
		console_skip(ce->name, "exists (use --replace)");
		fd_err_clear(err);
		return 0;
	}
	return st == FD_OK ? 1 : -1;
}

static int
import_console(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_console_event *ev = NULL;
	struct aws_error ae;
	size_t n = 0, i, stored = 0;
	enum fd_status st;
	int rc = 0;

	if (c->a.npos != 1 || !fd_event_function_valid(c->a.pos[0]) || !c->a.pos[0][0])
		return usage("events import --console takes one FUNCTION name");
	c->function = c->a.pos[0];
	if (fd_app_client(c->app, err) != FD_OK)
		return fd_cmd_fail_run(err);
	st = schemas_lambda_test_events_sync(c->app->client, c->function, &ev, &n, &ae);
	if (st != FD_OK) {
		if (st == FD_ENOTFOUND)
			fd_err_set(err, st, "%s", ae.message);
		else
			aws_error_format(&ae, err->msg, sizeof(err->msg));
		err->status = st;
		return fd_cmd_fail_run(err);
	}
	for (i = 0; i < n && (rc = store_console_event(c, &ev[i], err)) >= 0; i++)
		stored += (size_t)rc;
	fd_console_events_free(ev, n);
	if (rc < 0)
		return fd_cmd_fail_run(err);
	fprintf(stderr, "fleetdeck: imported %zu of %zu console test events for %s\n", stored, n,
	        c->function);
	return 0;
}

static int
do_import(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_buf skipped;
	size_t n = 0;
	char *dir;
	enum fd_status st;

	if (c->a.console)
		return import_console(c, err);
	if (c->a.npos > 1)
		return usage("events import takes at most one FUNCTION");
	if (!(dir = events_dir(c, err)))
		return fd_cmd_fail_run(err);
	fd_buf_init(&skipped);
	st = fd_events_import(c->state, c->a.npos ? c->a.pos[0] : NULL, dir, c->a.replace, &n,
	                      &skipped, err);
	if (skipped.len)
		fprintf(stderr, "fleetdeck: skipped:\n%s", skipped.data);
	if (st == FD_OK)
		fprintf(stderr, "fleetdeck: imported %zu events from %s\n", n, dir);
	fd_buf_free(&skipped);
	free(dir);
	return st == FD_OK ? 0 : fd_cmd_fail_run(err);
}

static int
do_export(struct ev_cmd *c, struct fd_err *err)
{
	size_t n = 0;
	char *dir;
	enum fd_status st;

	if (c->a.npos > 1)
		return usage("events export takes at most one FUNCTION");
	if (!(dir = events_dir(c, err)))
		return fd_cmd_fail_run(err);
	st = fd_events_export(c->state, c->a.npos ? c->a.pos[0] : NULL, dir, &n, err);
	if (st == FD_OK)
		fprintf(stderr, "fleetdeck: wrote %zu events under %s\n", n, dir);
	free(dir);
	return st == FD_OK ? 0 : fd_cmd_fail_run(err);
}

static int
do_templates(struct ev_cmd *c, struct fd_err *err)
{
	static const struct fd_col cols[] = {
	    {"name", "TEMPLATE", FD_COL_STR, 12, 0, 0},
	    {"source", "SOURCE", FD_COL_STR, 22, 0, 0},
	    {"summary", "DESCRIPTION", FD_COL_STR, 0, 0, 0},
	};
	enum fd_output fmt = c->app->output == FD_OUT_DEFAULT || c->app->output == FD_OUT_TEXT
	                         ? FD_OUT_TABLE
	                         : c->app->output;
	struct fd_template_opts to = {c->a.function_opt, c->app->settings.region, NULL, 0, 0};
	struct fd_out *o;
	struct fd_buf b;
	size_t i;

	if (c->a.npos == 1) {
		fd_buf_init(&b);
		if (fd_template_build(c->a.pos[0], &to, &b, err) != FD_OK)
			return fd_cmd_fail_run(err);
		fputs(b.data, stdout);
		fd_buf_free(&b);
		return 0;
	}
	o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	for (i = 0; i < fd_template_count(); i++) {
		const struct fd_template *t = fd_template_at(i);
		struct fd_cell cells[3] = {fd_cell_str(t->name), fd_cell_str(t->source),
		                           fd_cell_str(t->summary)};
		fd_out_row(o, cells);
	}
	fd_out_end(o);
	return 0;
}

/* ---- history, diff ---- */

static void
history_row(struct fd_out *o, const struct fd_invoke_record *v)
{
	char when[32], q[128];
	struct fd_cell cells[10];
	const char *result = v->error            ? "call failed"
	                     : v->function_error ? v->function_error
	                                         : "ok";

	fmt_time(v->time_ms, when, sizeof(when));
	snprintf(q, sizeof(q), "%s", v->qualifier ? v->qualifier : "");
	cells[0] = fd_cell_int(v->id, 1);
	cells[1] = fd_cell_str(when);
	cells[2] = fd_cell_str(v->function);
	cells[3] = fd_cell_str(q);
	cells[4] = fd_cell_str(v->type);
	cells[5] = fd_cell_str(v->event_name ? v->event_name : "-");
	cells[6] = fd_cell_int(v->status, v->status != 0);
	cells[7] = fd_cell_str(result);
	cells[8] = fd_cell_num(isfinite(v->duration_ms) ? v->duration_ms : v->client_ms);
	cells[9] = fd_cell_int(v->response_size, 1);
	fd_out_row(o, cells);
}

static int
do_history(struct ev_cmd *c, struct fd_err *err)
{
	static const struct fd_col cols[] = {
	    {"id", "ID", FD_COL_INT, 6, 1, 0},
	    {"time", "TIME", FD_COL_STR, 20, 0, 0},
	    {"function", "FUNCTION", FD_COL_STR, 0, 0, 0},
	    {"qualifier", "QUAL", FD_COL_STR, 8, 0, 0},
	    {"type", "TYPE", FD_COL_STR, 15, 0, 0},
	    {"event", "EVENT", FD_COL_STR, 16, 0, 0},
	    {"status", "HTTP", FD_COL_INT, 4, 1, 0},
	    {"result", "RESULT", FD_COL_STR, 11, 0, 0},
	    {"duration_ms", "MS", FD_COL_NUM, 8, 1, 1},
	    {"response_bytes", "BYTES", FD_COL_INT, 8, 1, 0},
	};
	enum fd_output fmt = c->app->output == FD_OUT_DEFAULT || c->app->output == FD_OUT_TEXT
	                         ? FD_OUT_TABLE
	                         : c->app->output;
	struct fd_invoke_record *v = NULL;
	size_t n = 0, i;
	struct fd_out *o;

	if (c->a.npos > 1)
		return usage("events history takes at most one FUNCTION");
	if (fd_invoke_history_list(c->state, c->a.npos ? c->a.pos[0] : NULL, (size_t)c->a.max, &v,
	                           &n, err) != FD_OK)
		return fd_cmd_fail_run(err);
	o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	for (i = 0; i < n; i++)
		history_row(o, &v[i]);
	fd_out_end(o);
	fd_invoke_records_free(v, n);
	return 0;
}

static int
history_id(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v = strtoll(s, &end, 10);

	if (*s == '#')
		v = strtoll(s + 1, &end, 10);
	*out = v;
	return *end == '\0' && v > 0;
}

static int
do_diff(struct ev_cmd *c, struct fd_err *err)
{
	struct fd_invoke_record a, b;
	struct fd_buf out;
	int64_t ida, idb;
	size_t changed;

	if (c->a.npos != 2 || !history_id(c->a.pos[0], &ida) || !history_id(c->a.pos[1], &idb))
		return usage(
		    "events diff takes two history ids (see \"fleetdeck events history\")");
	if (fd_invoke_history_get(c->state, ida, &a, err) != FD_OK)
		return fd_cmd_fail_run(err);
	if (fd_invoke_history_get(c->state, idb, &b, err) != FD_OK) {
		fd_invoke_record_free(&a);
		return fd_cmd_fail_run(err);
	}
	fd_buf_init(&out);
	printf("--- #%lld %s (%ld%s%s)\n+++ #%lld %s (%ld%s%s)\n", (long long)ida, a.function,
	       a.status, a.function_error ? ", " : "", a.function_error ? a.function_error : "",
	       (long long)idb, b.function, b.status, b.function_error ? ", " : "",
	       b.function_error ? b.function_error : "");
	changed = fd_text_diff(a.response, a.response_len, b.response, b.response_len, 3, &out);
	if (changed)
		print_body(out.data ? out.data : "", out.len);
	else
		printf("the responses are the same\n");
	fd_buf_free(&out);
	fd_invoke_record_free(&a);
	fd_invoke_record_free(&b);
	return changed ? 1 : 0;
}

static const struct {
	const char *name;
	int (*run)(struct ev_cmd *c, struct fd_err *err);
} subcommands[] = {
    {"ls", do_ls},           {"show", do_show},
    {"new", do_new},         {"edit", do_edit},
    {"rm", do_rm},           {"import", do_import},
    {"export", do_export},   {"templates", do_templates},
    {"history", do_history}, {"diff", do_diff},
};

int
cmd_events(struct fd_app *app, int argc, char **argv)
{
	struct ev_cmd c;
	struct fd_err err = {FD_OK, ""};
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.app = app;
	if (argc < 2)
		return usage("which subcommand?");
	for (i = 0; i < FD_ARRAY_LEN(subcommands) && strcmp(subcommands[i].name, argv[1]); i++)
		;
	if (i == FD_ARRAY_LEN(subcommands))
		return usage("unknown subcommand \"%s\"", argv[1]);
	if ((rc = parse_args(argc, argv, &c.a)) != 0)
		return rc;
	(void)fd_app_settings(app, &err);
	if (strcmp(argv[1], "templates") == 0)
		return do_templates(&c, &err);
	if (fd_events_state_open(&c.state, &err) != FD_OK)
		return fd_cmd_fail_run(&err);
	rc = subcommands[i].run(&c, &err);
	fd_state_close(c.state);
	return rc;
}
