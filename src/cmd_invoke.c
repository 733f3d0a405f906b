/* cmd_invoke.c - `fleetdeck invoke FUNCTION`: one invocation (or a batch) with a saved
 * event, a file, stdin or a template; refused in read-only mode (DryRun excepted: it
 * runs nothing); production targets need a typed "yes" or --yes; every invocation is
 * recorded in the history.
 *
 * Exit status: 0 when every invocation succeeded, 4 when a function returned an error
 * (X-Amz-Function-Error, timeouts included), 1 for other failures (refusals, call
 * errors such as throttling after retries), 2 for usage errors.
 * json: one invocation -> {"function","qualifier","type","status","function_error",
 * "executed_version","request_id","timed_out","client_ms","report":{...}|null,
 * "response" (JSON, or a string when not JSON),"response_size","log","history_id"};
 * a batch -> {"summary":{...},"invocations":[{...without response and log}]}. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/jsonutil.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/state.h"

#define EXIT_FUNCTION_ERROR 4

struct inv_opts {
	const char *function;
	const char *qualifier;
	const char *event; /* library name, or "-" for stdin */
	const char *event_file;
	const char *template_name;
	const char *client_context;
	enum fd_invoke_type type;
	int type_set;
	int times, concurrency;
	int no_tail;
	long long again; /* history id, 0 = none */
};

struct inv_run {
	struct fd_app *app;
	struct inv_opts o;
	struct fd_state *state;
	char *fn_buf;     /* the function when it came from the history or a split */
	char *q_buf;      /* the qualifier likewise */
	char *event_name; /* what the history calls the event */
	struct fd_buf payload;
	struct fd_event *list; /* --event A,B,C: every named event, in order */
	size_t nlist;
	struct fd_invoke_target target;
	int have_target;
	int json;
	struct fd_jw jw; /* batch json: the invocations array */
	struct fd_buf jbuf;
	int single;
};

#define usage(...) fd_cmd_usage_of("invoke", __VA_ARGS__)

static int
number_arg(const char *name, const char *v, long long lo, long long hi, long long *out)
{
	char *end = NULL;
	long long n = v ? strtoll(v, &end, 10) : 0;

	if (!v || !*v || *end || n < lo || n > hi)
		return usage("%s takes a number from %lld to %lld (got \"%s\")", name, lo, hi,
		             v ? v : "");
	*out = n;
	return 0;
}

static int
flag_arg(struct inv_opts *o, const char *a)
{
	if (strcmp(a, "--async") == 0)
		o->type = FD_INVOKE_ASYNC;
	else if (strcmp(a, "--dry-run") == 0)
		o->type = FD_INVOKE_DRYRUN;
	else if (strcmp(a, "--no-tail") == 0)
		o->no_tail = 1;
	else
		return 0;
	o->type_set |= strcmp(a, "--no-tail") != 0;
	return 1;
}

static int
value_arg(int argc, char **argv, int *i, struct inv_opts *o)
{
	static const char *const names[] = {"--event", "--event-file", "--template", "--qualifier",
	                                    "--client-context"};
	const char **slots[] = {&o->event, &o->event_file, &o->template_name, &o->qualifier,
	                        &o->client_context};
	const char *v = NULL;
	size_t k;

	for (k = 0; k < FD_ARRAY_LEN(names); k++) {
		if (!fd_opt_value(argc, argv, i, names[k], &v))
			continue;
		if (!v || !*v)
			return usage("%s needs a value", names[k]);
		*slots[k] = v;
		return 0;
	}
	return -1;
}

static int
count_arg(int argc, char **argv, int *i, struct inv_opts *o)
{
	const char *v = NULL;
	long long n = 0;
	int rc;

	if (fd_opt_value(argc, argv, i, "--times", &v)) {
		rc = number_arg("--times", v, 1, FD_BATCH_MAX_TOTAL, &n);
		o->times = (int)n;
	} else if (fd_opt_value(argc, argv, i, "--concurrency", &v)) {
		rc = number_arg("--concurrency", v, 1, FD_BATCH_MAX_CONCURRENCY, &n);
		o->concurrency = (int)n;
	} else if (fd_opt_value(argc, argv, i, "--again", &v)) {
		rc = number_arg("--again", v, 1, 1LL << 62, &n);
		o->again = n;
	} else {
		return -1;
	}
	return rc;
}

static int
parse_opts(int argc, char **argv, struct inv_opts *o)
{
	int i, rc, sources;

	for (i = 1; i < argc; i++) {
		if (flag_arg(o, argv[i]))
			continue;
		if ((rc = value_arg(argc, argv, &i, o)) >= 0 ||
		    (rc = count_arg(argc, argv, &i, o)) >= 0) {
			if (rc)
				return rc;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return usage("unknown option \"%s\"", argv[i]);
		if (o->function)
			return usage("one function at a time (got \"%s\" and \"%s\")", o->function,
			             argv[i]);
		o->function = argv[i];
	}
	sources = !!o->event + !!o->event_file + !!o->template_name + !!o->again;
	if (sources > 1)
		return usage("--event, --event-file, --template and --again exclude each other");
	if (!o->function && !o->again)
		return usage("which function?");
	return 0;
}

/* ---- the event ---- */

static enum fd_status
event_from_history(struct inv_run *r, struct fd_err *err)
{
	struct fd_invoke_record v;
	enum fd_status st = fd_invoke_history_get(r->state, r->o.again, &v, err);

	if (st != FD_OK)
		return st;
	if (!v.payload) {
		fd_invoke_record_free(&v);
		return fd_err_set(err, FD_ENOTFOUND,
		                  "invocation #%lld: its payload was larger than %d bytes and was "
		                  "not kept; pass --event or --event-file",
		                  r->o.again, FD_HISTORY_PAYLOAD_CAP);
	}
	if (!r->o.function)
		r->o.function = r->fn_buf = fd_xstrdup(v.function);
	if (!r->o.qualifier && v.qualifier)
		r->o.qualifier = r->q_buf = fd_xstrdup(v.qualifier);
	if (!r->o.type_set)
		(void)fd_invoke_type_parse(v.type, &r->o.type);
	fd_buf_append(&r->payload, v.payload, v.payload_len);
	r->event_name = v.event_name ? fd_xstrdup(v.event_name) : NULL;
	fd_invoke_record_free(&v);
	return FD_OK;
}

static enum fd_status
event_from_template(struct inv_run *r, struct fd_err *err)
{
	struct fd_template_opts to = {r->o.function, r->app->settings.region, NULL, 0, 0};

	r->event_name = fd_xasprintf("template:%s", r->o.template_name);
	return fd_template_build(r->o.template_name, &to, &r->payload, err);
}

/* "--event a,b,c": a batch over several saved events. */
static enum fd_status
load_list(struct inv_run *r, struct fd_err *err)
{
	char *names = fd_xstrdup(r->o.event), *save = NULL, *name;
	enum fd_status st = FD_OK;

	for (name = strtok_r(names, ",", &save); name && st == FD_OK;
	     name = strtok_r(NULL, ",", &save)) {
		r->list = fd_xreallocarray(r->list, r->nlist + 1, sizeof(*r->list));
		st = fd_events_find(r->state, r->o.function, name, &r->list[r->nlist], err);
		if (st == FD_OK)
			r->nlist++;
	}
	free(names);
	if (st == FD_OK && !r->nlist)
		st = fd_err_set(err, FD_ENOTFOUND, "--event: no event names");
	return st;
}

static enum fd_status
load_event(struct inv_run *r, struct fd_err *err)
{
	struct fd_event e;
	enum fd_status st;

	if (r->o.again)
		return event_from_history(r, err);
	if (r->o.template_name)
		return event_from_template(r, err);
	if (r->o.event_file || (r->o.event && strcmp(r->o.event, "-") == 0))
		return fd_event_read_file(r->o.event_file ? r->o.event_file : "-", &r->payload,
		                          err);
	if (!r->o.event) {
		fd_buf_puts(&r->payload, "{}");
		return FD_OK;
	}
	if (strchr(r->o.event, ','))
		return load_list(r, err);
	st = fd_events_find(r->state, r->o.function, r->o.event, &e, err);
	if (st != FD_OK)
		return st;
	fd_buf_append(&r->payload, e.body, e.len);
	r->event_name = fd_xstrdup(r->o.event);
	fd_event_free(&e);
	return FD_OK;
}

/* "name:qualifier" (not an ARN) splits when --qualifier was not given. */
static void
split_function(struct inv_run *r)
{
	const char *colon = strchr(r->o.function, ':');
	char *fn;
	size_t at;

	if (!colon || fd_str_starts(r->o.function, "arn:") || r->o.qualifier)
		return;
	at = (size_t)(colon - r->o.function);
	r->q_buf = fd_xstrdup(colon + 1);
	r->o.qualifier = r->q_buf;
	fn = fd_xstrndup(r->o.function, at);
	free(r->fn_buf);
	r->o.function = r->fn_buf = fn;
}

/* ---- text output ---- */

static void
put_sanitized(FILE *f, const char *s, size_t n)
{
	struct fd_buf b;

	fd_buf_init(&b);
	fd_sanitize(s ? s : "", s ? n : 0, FD_SAN_KEEP_NEWLINE | FD_SAN_KEEP_TAB, &b);
	fwrite(b.data ? b.data : "", 1, b.len, f);
	if (!b.len || b.data[b.len - 1] != '\n')
		fputc('\n', f);
	fd_buf_free(&b);
}

static int
looks_binary(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0')
			return 1;
	return 0;
}

/* A hex dump of the first bytes, for payloads that are not text. */
static void
put_hex(FILE *f, const char *s, size_t n)
{
	size_t i, shown = FD_MIN(n, (size_t)4096);

	for (i = 0; i < shown; i++)
		fprintf(f, "%02x%s", (unsigned char)s[i],
		        (i % 16 == 15 || i + 1 == shown) ? "\n" : " ");
	if (shown < n)
		fprintf(f, "... (%zu more bytes)\n", n - shown);
}

static void
put_payload(FILE *f, const struct fd_invoke_result *res)
{
	struct fd_buf b;

	if (!res->payload.len)
		return;
	fprintf(f, "--- response (%zu bytes%s) ---\n", res->payload_size,
	        res->payload_truncated ? ", truncated" : "");
	fd_buf_init(&b);
	if (fd_json_pretty(res->payload.data, res->payload.len, 2, &b))
		put_sanitized(f, b.data, b.len);
	else if (looks_binary(res->payload.data, res->payload.len))
		put_hex(f, res->payload.data, res->payload.len);
	else
		put_sanitized(f, res->payload.data, res->payload.len);
	fd_buf_free(&b);
}

static void
put_report(FILE *f, const struct fd_invoke_result *res)
{
	const struct fd_report *rp = &res->report;

	if (!res->has_report)
		return;
	fprintf(f, "REPORT    duration %.2f ms, billed %.0f ms, memory %.0f/%.0f MB",
	        rp->duration_ms, rp->billed_ms, rp->max_memory_mb, rp->memory_mb);
	if (isfinite(rp->init_ms))
		fprintf(f, ", init %.2f ms (cold start)", rp->init_ms);
	if (rp->status[0])
		fprintf(f, ", status %s", rp->status);
	fputc('\n', f);
}

static void
put_result_text(struct inv_run *r, const struct fd_invoke_record *v,
                const struct fd_invoke_result *res)
{
	char head[256];

	snprintf(head, sizeof(head), "%s%s%s", r->o.function, r->o.qualifier ? ":" : "",
	         r->o.qualifier ? r->o.qualifier : "");
	printf("function  %s", head);
	if (res->executed_version[0])
		printf(" (version %s)", res->executed_version);
	printf("\ntype      %s\nstatus    %ld\nclient    %.0f ms%s\n",
	       fd_invoke_type_name(r->o.type), res->http_status, res->client_ms,
	       res->attempts > 1 ? " (retried)" : "");
	if (res->function_error[0]) {
		printf("error     function error: ");
		put_sanitized(stdout, res->function_error, strlen(res->function_error));
	}
	if (res->timed_out)
		printf("timeout   the function timed out\n");
	if (res->error.status != FD_OK) {
		char msg[768];
		aws_error_format(&res->error, msg, sizeof(msg));
		printf("failed    %s\n", msg);
	}
	put_report(stdout, res);
	put_payload(stdout, res);
	if (res->log.len) {
		printf("--- log tail ---\n");
		put_sanitized(stdout, res->log.data, res->log.len);
	}
	if (v->id)
		printf("history   #%lld  (fleetdeck invoke --again %lld)\n", (long long)v->id,
		       (long long)v->id);
}

/* ---- json output ---- */

static void
jw_report(struct fd_jw *w, const struct fd_invoke_result *res)
{
	fd_jw_key(w, "report");
	if (!res->has_report) {
		fd_jw_null(w);
		return;
	}
	fd_jw_obj(w);
	fd_jw_key(w, "duration_ms");
	fd_jw_num(w, res->report.duration_ms);
	fd_jw_key(w, "billed_ms");
	fd_jw_num(w, res->report.billed_ms);
	fd_jw_key(w, "init_ms");
	fd_jw_num(w, res->report.init_ms);
	fd_jw_key(w, "memory_mb");
	fd_jw_num(w, res->report.memory_mb);
	fd_jw_key(w, "max_memory_mb");
	fd_jw_num(w, res->report.max_memory_mb);
	fd_jw_end(w);
}

/* JSON payloads go in as JSON (compacted), anything else as a string. */
static void
jw_payload(struct fd_jw *w, const struct fd_buf *p)
{
	struct fd_buf compact;

	fd_buf_init(&compact);
	if (p->len && fd_json_pretty(p->data, p->len, 0, &compact))
		fd_jw_raw(w, compact.data, compact.len);
	else
		fd_jw_strn(w, p->data, p->len);
	fd_buf_free(&compact);
}

static void
jw_result(struct fd_jw *w, const struct fd_invoke_record *v, const struct fd_invoke_result *res,
          int full)
{
	fd_jw_obj(w);
	fd_jw_kstr(w, "function", v->function);
	fd_jw_kstr(w, "qualifier", v->qualifier);
	fd_jw_kstr(w, "type", v->type);
	fd_jw_kstr(w, "event", v->event_name);
	fd_jw_kint(w, "status", res->http_status);
	fd_jw_kstr(w, "function_error", res->function_error[0] ? res->function_error : NULL);
	fd_jw_kstr(w, "error", v->error);
	fd_jw_kstr(w, "executed_version", res->executed_version[0] ? res->executed_version : NULL);
	fd_jw_kstr(w, "request_id", res->request_id[0] ? res->request_id : NULL);
	fd_jw_kbool(w, "timed_out", res->timed_out);
	fd_jw_key(w, "client_ms");
	fd_jw_num(w, res->client_ms);
	fd_jw_kint(w, "attempts", res->attempts);
	jw_report(w, res);
	fd_jw_kint(w, "response_size", (long long)res->payload_size);
	if (full) {
		fd_jw_key(w, "response");
		jw_payload(w, &res->payload);
		fd_jw_key(w, "log");
		fd_jw_strn(w, res->log.data, res->log.len);
	}
	fd_jw_key(w, "history_id");
	if (v->id)
		fd_jw_int(w, v->id);
	else
		fd_jw_null(w);
	fd_jw_end(w);
}

static void
on_result(const struct fd_invoke_record *v, const struct fd_invoke_result *res, void *ud)
{
	struct inv_run *r = ud;
	struct fd_buf b;
	struct fd_jw w;

	if (r->json) {
		if (!r->single) {
			jw_result(&r->jw, v, res, 0);
			return;
		}
		fd_buf_init(&b);
		fd_jw_init(&w, &b);
		jw_result(&w, v, res, 1);
		puts(b.data);
		fd_buf_free(&b);
	} else if (r->single) {
		put_result_text(r, v, res);
	} else if (r->app->verbose) {
		fprintf(stderr, "#%lld %ld %s %.0f ms\n", (long long)v->id, res->http_status,
		        res->function_error[0] ? res->function_error : "ok", res->client_ms);
	}
}

static void
jw_summary(struct fd_jw *w, const struct fd_batch_summary *s)
{
	static const char *const keys[] = {"duration_p50_ms", "duration_p90_ms", "duration_p99_ms",
	                                   "duration_max_ms", "client_p50_ms",   "client_p90_ms",
	                                   "client_p99_ms",   "client_max_ms"};
	const double vals[] = {s->dur_p50,    s->dur_p90,    s->dur_p99,    s->dur_max,
	                       s->client_p50, s->client_p90, s->client_p99, s->client_max};
	size_t i;

	fd_jw_obj(w);
	fd_jw_kint(w, "total", (long long)s->total);
	fd_jw_kint(w, "ok", (long long)s->ok);
	fd_jw_kint(w, "function_errors", (long long)s->function_errors);
	fd_jw_kint(w, "call_errors", (long long)s->call_errors);
	fd_jw_kint(w, "timeouts", (long long)s->timeouts);
	fd_jw_kint(w, "cold_starts", (long long)s->cold_starts);
	fd_jw_kint(w, "retried", (long long)s->retried);
	for (i = 0; i < FD_ARRAY_LEN(keys); i++) {
		fd_jw_key(w, keys[i]);
		fd_jw_num(w, vals[i]);
	}
	fd_jw_key(w, "wall_ms");
	fd_jw_num(w, s->wall_ms);
	fd_jw_kint(w, "batch_id", s->batch_id);
	fd_jw_end(w);
}

static void
put_summary_text(const struct inv_run *r, const struct fd_batch_summary *s)
{
	printf("%zu invocations of %s%s%s (%s): %zu ok, %zu function errors, %zu failed calls\n",
	       s->total, r->o.function, r->o.qualifier ? ":" : "",
	       r->o.qualifier ? r->o.qualifier : "", fd_invoke_type_name(r->o.type), s->ok,
	       s->function_errors, s->call_errors);
	printf("cold starts %zu, timeouts %zu, retried %zu, %.1f s in all\n", s->cold_starts,
	       s->timeouts, s->retried, s->wall_ms / 1000.0);
	if (isfinite(s->dur_p50))
		printf("duration (REPORT) ms  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", s->dur_p50,
		       s->dur_p90, s->dur_p99, s->dur_max);
	if (isfinite(s->client_p50))
		printf("client ms             p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
		       s->client_p50, s->client_p90, s->client_p99, s->client_max);
	printf("history batch %lld (fleetdeck events history %s)\n", (long long)s->batch_id,
	       r->o.function);
}

/* ---- the run ---- */

static enum fd_status
check_target(struct inv_run *r, struct fd_err *err)
{
	struct fd_prod_check pc;
	struct aws_error ae;
	int interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);

	if (lambda_invoke_target_sync(r->app->client, r->o.function, r->o.qualifier, &r->target,
	                              &ae) == FD_OK) {
		r->have_target = 1;
	} else if (ae.http_status == 404) {
		aws_error_format(&ae, err->msg, sizeof(err->msg));
		return err->status = FD_ENOTFOUND;
	} else {
		char msg[512];
		aws_error_format(&ae, msg, sizeof(msg));
		fprintf(stderr,
		        "fleetdeck: warning: could not read the function's tags (%s); "
		        "production tags were not checked\n",
		        msg);
	}
	if (r->o.type == FD_INVOKE_DRYRUN)
		return FD_OK;
	fd_invoke_prod_check(r->app->settings.prod, r->app->settings.profile, r->o.function,
	                     r->o.qualifier, r->have_target ? &r->target : NULL, &pc);
	if (!pc.account[0])
		fd_strlcpy(pc.account, r->app->ctx.account, sizeof(pc.account));
	return fd_invoke_confirm(&pc, r->app->yes, interactive, stdin, stderr, err);
}

static enum fd_status
prepare(struct inv_run *r, struct fd_err *err)
{
	enum fd_status st;

	if ((st = fd_app_settings(r->app, err)) != FD_OK)
		return st;
	if (r->o.type != FD_INVOKE_DRYRUN &&
	    (st = fd_app_check_writable(r->app, "invoke", err)) != FD_OK)
		return st;
	if ((st = fd_events_state_open(&r->state, err)) != FD_OK)
		return st;
	if (r->o.function)
		split_function(r);
	if ((st = load_event(r, err)) != FD_OK)
		return st;
	split_function(r);
	if (r->o.client_context &&
	    !fd_json_validate(r->o.client_context, strlen(r->o.client_context), NULL))
		return fd_err_set(err, FD_EIO, "--client-context takes a JSON object");
	if ((st = fd_invoke_check_size(r->o.type, r->payload.len, err)) != FD_OK)
		return st;
	if ((st = fd_app_client(r->app, err)) != FD_OK ||
	    (st = fd_app_context(r->app, err)) != FD_OK)
		return st;
	return check_target(r, err);
}

static int
run_batch(struct inv_run *r, struct fd_err *err)
{
	struct fd_invoke_req req = {r->o.function,       r->o.qualifier, r->o.type, NULL, 0,
	                            r->o.client_context, !r->o.no_tail,  0};
	struct fd_batch_event one = {r->event_name, r->payload.data, r->payload.len};
	struct fd_batch_event *evs = r->nlist ? fd_xcalloc(r->nlist, sizeof(*evs)) : &one;
	struct fd_batch_opts bo = {&req,
	                           evs,
	                           r->nlist ? r->nlist : 1,
	                           r->o.times,
	                           r->o.concurrency,
	                           r->state,
	                           &r->app->ctx,
	                           on_result,
	                           r};
	struct fd_batch_summary sum;
	enum fd_status st;
	size_t i;

	for (i = 0; i < r->nlist; i++)
		evs[i] = (struct fd_batch_event){r->list[i].name, r->list[i].body, r->list[i].len};

	if (r->have_target && r->target.timeout_s > 0)
		req.timeout_ms = r->target.timeout_s * 1000L + 15000L;
	r->single = r->o.times == 1 && bo.nevents == 1;
	if (r->json && !r->single) {
		fd_buf_init(&r->jbuf);
		fd_jw_init(&r->jw, &r->jbuf);
		fd_jw_obj(&r->jw);
		fd_jw_key(&r->jw, "invocations");
		fd_jw_arr(&r->jw);
	}
	st = fd_invoke_batch(r->app->client, &bo, &sum, err);
	if (evs != &one)
		free(evs);
	if (r->json && !r->single) {
		fd_jw_end(&r->jw);
		fd_jw_key(&r->jw, "summary");
		jw_summary(&r->jw, &sum);
		fd_jw_end(&r->jw);
		puts(r->jbuf.data);
		fd_buf_free(&r->jbuf);
	} else if (!r->json && !r->single) {
		put_summary_text(r, &sum);
	}
	if (st != FD_OK && (r->single || !sum.call_errors))
		return fd_cmd_fail_run(err);
	if (sum.call_errors) {
		fprintf(stderr, "fleetdeck: %zu of %zu calls failed; the first: %s\n",
		        sum.call_errors, sum.total, err->msg);
		return 1;
	}
	return sum.function_errors ? EXIT_FUNCTION_ERROR : 0;
}

int
cmd_invoke(struct fd_app *app, int argc, char **argv)
{
	struct inv_run r;
	struct fd_err err = {FD_OK, ""};
	int rc;

	memset(&r, 0, sizeof(r));
	r.app = app;
	r.o.times = r.o.concurrency = 1;
	fd_buf_init(&r.payload);
	if ((rc = parse_opts(argc, argv, &r.o)) != 0)
		return rc;

	r.json = app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON;
	if (prepare(&r, &err) != FD_OK)
		rc = fd_cmd_fail_run(&err);
	else
		rc = run_batch(&r, &err);
	if (r.state)
		fd_state_close(r.state);
	fd_invoke_target_free(&r.target);
	fd_buf_free(&r.payload);
	free(r.event_name);
	fd_events_free(r.list, r.nlist);
	free(r.fn_buf);
	free(r.q_buf);
	return rc;
}
