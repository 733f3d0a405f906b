/* invoke.c - invoke one function from the console (`i` on the function view, or
 * `:invoke NAME`): pick the event (saved, shared, or an empty one), the qualifier
 * (from the function's aliases and versions) and the invocation type with Enter;
 * "Invoke" runs it in the background and the result pane shows the status, the
 * REPORT line, the response and the log tail. Production targets (profile flag,
 * env=prod style tags, an alias named prod) need a second Enter on a line that names
 * function, alias and account; read-only mode refuses (DryRun excepted). The
 * function's recent history is listed below: Enter re-runs an entry, and the last
 * two responses can be compared. Arg: "FUNCTION" or "FUNCTION\tEVENT". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/invoke.h"
#include "fleetdeck/jsonutil.h"
#include "fleetdeck/state.h"
#include "fleetdeck/view.h"

#define HISTORY_SHOWN 15
#define EMPTY_EVENT "{}"

struct inv_job;

struct invview {
	struct fd_text text;
	char function[128];
	char busy_text[160];
	char event[FD_EVENT_NAME_MAX + 1]; /* "" = the empty event */
	char qualifier[64];                /* "" = $LATEST */
	enum fd_invoke_type type;
	struct fd_state *state;
	char state_error[256];
	struct fd_event *events;
	size_t nevents;
	struct fd_invoke_record *hist;
	size_t nhist;
	struct fd_invoke_target target;
	int target_state; /* 0 loading, 1 loaded, -1 unknown */
	uint64_t target_call;
	struct inv_job *job; /* in flight */
	struct fd_invoke_result res;
	int have_res;
	int64_t res_id;
	int armed; /* production: the confirm line is shown */
	int show_diff;
};

struct inv_job {
	struct invview *iv; /* NULL once the view closed */
	struct fd_ui *ui;
	struct fd_state *state; /* the job closes it when orphaned */
	struct fd_ctx ctx;
	struct fd_invoke_req req;
	char function[128], qualifier[64], event[FD_EVENT_NAME_MAX + 1];
	struct fd_buf payload;
	int64_t start_ms;
};

/* ---- data ---- */

static void
load_lists(struct invview *iv)
{
	struct fd_err err = {FD_OK, ""};

	fd_events_free(iv->events, iv->nevents);
	fd_invoke_records_free(iv->hist, iv->nhist);
	iv->events = NULL;
	iv->hist = NULL;
	iv->nevents = iv->nhist = 0;
	if (!iv->state)
		return;
	if (fd_events_list(iv->state, iv->function, &iv->events, &iv->nevents, &err) != FD_OK ||
	    fd_invoke_history_list(iv->state, iv->function, HISTORY_SHOWN, &iv->hist, &iv->nhist,
	                           &err) != FD_OK)
		fd_strlcpy(iv->state_error, err.msg, sizeof(iv->state_error));
}

static const struct fd_event *
chosen_event(const struct invview *iv)
{
	size_t i;

	for (i = 0; iv->event[0] && i < iv->nevents; i++)
		if (strcmp(iv->events[i].name, iv->event) == 0 &&
		    (iv->events[i].function[0] || i + 1 == iv->nevents ||
		     strcmp(iv->events[i + 1].name, iv->event) != 0))
			return &iv->events[i];
	return NULL;
}

static void
target_done(enum fd_status st, struct fd_invoke_target *t, const struct aws_error *e, void *ud)
{
	struct fd_view *v = ud;
	struct invview *iv = v->priv;

	(void)e;
	iv->target_call = 0;
	iv->target_state = st == FD_OK ? 1 : -1;
	if (st == FD_OK) {
		fd_invoke_target_free(&iv->target);
		iv->target = *t;
		memset(t, 0, sizeof(*t));
	}
	if (iv->target_state < 0)
		fd_ui_message(v->ui, FD_ROLE_WARNING,
		              "could not read %s's tags: production tags "
		              "are not checked",
		              iv->function);
	else
		fd_ui_message(v->ui, FD_ROLE_DIM, "%s: target checked", iv->function);
}

static void
prod_check(struct fd_view *v, struct fd_prod_check *pc)
{
	struct invview *iv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);

	fd_invoke_prod_check(app->settings_loaded && app->settings.prod, app->ctx.profile,
	                     iv->function, iv->qualifier[0] ? iv->qualifier : NULL,
	                     iv->target_state > 0 ? &iv->target : NULL, pc);
	if (!pc->account[0])
		fd_strlcpy(pc->account, app->ctx.account, sizeof(pc->account));
}

/* ---- drawing ---- */

static void
pick_line(struct fd_text *t, int on, const char *link, const char *label)
{
	fd_text_newline(t);
	fd_text_put(t, on ? FD_ROLE_OK : FD_ROLE_DIM, on ? "  (*) " : "  ( ) ");
	fd_text_put(t, FD_ROLE_NORMAL, label);
	fd_text_link(t, link);
}

static void
build_events(struct invview *iv)
{
	struct fd_text *t = &iv->text;
	char link[128], label[160];
	size_t i;

	fd_text_section(t, "EVENT");
	pick_line(t, !iv->event[0], "event:", "{} (empty event)");
	for (i = 0; i < iv->nevents; i++) {
		const struct fd_event *e = &iv->events[i];
		snprintf(link, sizeof(link), "event:%s", e->name);
		snprintf(label, sizeof(label), "%-28s  %zu B%s", e->name, e->len,
		         e->function[0] ? "" : "  (shared)");
		pick_line(t, e == chosen_event(iv), link, label);
	}
	if (!iv->nevents) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, "  no saved events: :events makes some from templates");
	}
}

static void
build_qualifiers(struct fd_view *v)
{
	struct invview *iv = v->priv;
	const struct fd_function *fn = fd_model_function(fd_ui_model(v->ui), iv->function);
	struct fd_text *t = &iv->text;
	char link[96], label[160];
	size_t i;

	fd_text_section(t, "QUALIFIER");
	pick_line(t, !iv->qualifier[0], "qual:", "$LATEST");
	for (i = 0; fn && i < fn->naliases; i++) {
		snprintf(link, sizeof(link), "qual:%s", fn->aliases[i].name);
		snprintf(label, sizeof(label), "alias %s -> %s", fn->aliases[i].name,
		         fn->aliases[i].version ? fn->aliases[i].version : "?");
		pick_line(t, strcmp(iv->qualifier, fn->aliases[i].name) == 0, link, label);
	}
	for (i = 0; fn && i < fn->nversions; i++) {
		if (!fn->versions[i].version || strcmp(fn->versions[i].version, "$LATEST") == 0)
			continue;
		snprintf(link, sizeof(link), "qual:%s", fn->versions[i].version);
		snprintf(label, sizeof(label), "version %s", fn->versions[i].version);
		pick_line(t, strcmp(iv->qualifier, fn->versions[i].version) == 0, link, label);
	}
	if (fn && !fn->detail_loaded) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM,
		            "  (aliases and versions appear once the detail loads)");
	}
}

static void
build_types(struct invview *iv)
{
	static const char *const help[] = {"wait for the answer, with the log tail",
	                                   "queue it (async): 202, no answer",
	                                   "check parameters and permission only"};
	enum fd_invoke_type ty;
	char link[32], label[96];

	fd_text_section(&iv->text, "TYPE");
	for (ty = FD_INVOKE_SYNC; ty <= FD_INVOKE_DRYRUN; ty++) {
		snprintf(link, sizeof(link), "type:%s", fd_invoke_type_name(ty));
		snprintf(label, sizeof(label), "%-16s %s", fd_invoke_type_name(ty), help[ty]);
		pick_line(&iv->text, iv->type == ty, link, label);
	}
}

static void
build_action(struct fd_view *v)
{
	struct invview *iv = v->priv;
	struct fd_text *t = &iv->text;
	struct fd_prod_check pc;
	char text[512];

	fd_text_section(t, "RUN");
	fd_text_newline(t);
	if (iv->job) {
		fd_text_put(t, FD_ROLE_WARNING, "  invoking...");
		return;
	}
	fd_text_printf(t, FD_ROLE_KEY, "  > Invoke %s%s%s with %s (%s)", iv->function,
	               iv->qualifier[0] ? ":" : "", iv->qualifier, iv->event[0] ? iv->event : "{}",
	               fd_invoke_type_name(iv->type));
	fd_text_link(t, "run");
	prod_check(v, &pc);
	if (pc.prod && iv->type != FD_INVOKE_DRYRUN) {
		fd_invoke_prod_text(&pc, text, sizeof(text));
		fd_text_newline(t);
		fd_text_printf(t, iv->armed ? FD_ROLE_ERROR : FD_ROLE_WARNING, "  %s %s",
		               iv->armed ? "> CONFIRM (Enter):" : "production:", text);
		if (iv->armed)
			fd_text_link(t, "confirm");
	}
	if (iv->target_state == 0) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, "  checking the target's tags...");
	}
}

/* Lines of s, indented; with diff set, "-" lines in the error role and "+" lines in
 * the ok role. */
static void
put_lines(struct fd_text *t, const char *s, size_t n, size_t max_lines, int diff)
{
	const char *p = s, *end = s + n;
	size_t lines = 0;

	while (p < end && lines < max_lines) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fd_xstrndup(p, len);
		enum fd_role role = !diff            ? FD_ROLE_NORMAL
		                    : line[0] == '-' ? FD_ROLE_ERROR
		                    : line[0] == '+' ? FD_ROLE_OK
		                    : line[0] == '@' ? FD_ROLE_DIM
		                                     : FD_ROLE_NORMAL;
		fd_text_newline(t);
		fd_text_put(t, role, "    ");
		fd_text_put(t, role, line);
		free(line);
		p += len + 1;
		lines++;
	}
	if (p < end) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_DIM, "    ...");
	}
}

static void
build_report(struct fd_text *t, const struct fd_invoke_result *r)
{
	fd_text_newline(t);
	if (!r->has_report) {
		fd_text_put(t, FD_ROLE_DIM, "  no REPORT line in the tail");
		return;
	}
	fd_text_printf(t, FD_ROLE_LABEL, "  REPORT ");
	fd_text_printf(t, FD_ROLE_NORMAL, "duration %.2f ms, billed %.0f ms, memory %.0f/%.0f MB",
	               r->report.duration_ms, r->report.billed_ms, r->report.max_memory_mb,
	               r->report.memory_mb);
	if (isfinite(r->report.init_ms))
		fd_text_printf(t, FD_ROLE_WARNING, ", init %.2f ms (cold start)",
		               r->report.init_ms);
}

static void
build_result(struct invview *iv)
{
	struct fd_text *t = &iv->text;
	const struct fd_invoke_result *r = &iv->res;
	struct fd_buf pretty;
	char msg[768];

	if (!iv->have_res)
		return;
	fd_text_section(t, "RESULT");
	fd_text_newline(t);
	fd_text_printf(t, fd_invoke_result_ok(r) ? FD_ROLE_OK : FD_ROLE_ERROR, "  status %ld",
	               r->http_status);
	fd_text_printf(t, FD_ROLE_NORMAL, "  version %s  client %.0f ms  history #%lld",
	               r->executed_version[0] ? r->executed_version : "-", r->client_ms,
	               (long long)iv->res_id);
	if (r->function_error[0] || r->timed_out) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  function error: %s%s", r->function_error,
		               r->timed_out ? " (timed out)" : "");
	}
	if (r->error.status != FD_OK) {
		aws_error_format(&r->error, msg, sizeof(msg));
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  %s", msg);
	}
	build_report(t, r);
	fd_text_section(t, "RESPONSE");
	fd_buf_init(&pretty);
	fd_json_pretty(r->payload.data, r->payload.len, 2, &pretty);
	put_lines(t, pretty.data ? pretty.data : "", pretty.len, 200, 0);
	fd_buf_free(&pretty);
	if (r->log.len) {
		fd_text_section(t, "LOG TAIL");
		put_lines(t, r->log.data, r->log.len, 200, 0);
	}
}

static void
build_history(struct invview *iv)
{
	struct fd_text *t = &iv->text;
	char link[48], when[16];
	size_t i;

	fd_text_section(t, "HISTORY (Enter re-runs)");
	for (i = 0; i < iv->nhist; i++) {
		const struct fd_invoke_record *h = &iv->hist[i];
		time_t secs = (time_t)(h->time_ms / 1000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		snprintf(link, sizeof(link), "rerun:%lld", (long long)h->id);
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_DIM, "  #%-5lld %s ", (long long)h->id, when);
		fd_text_printf(t, FD_ROLE_NORMAL, "%-8.8s %-20.20s %-15s ",
		               h->qualifier ? h->qualifier : "",
		               h->event_name ? h->event_name : "-", h->type ? h->type : "");
		fd_text_printf(t, h->error || h->function_error ? FD_ROLE_ERROR : FD_ROLE_OK,
		               "%ld %s", h->status,
		               h->error            ? "failed"
		               : h->function_error ? h->function_error
		                                   : "ok");
		fd_text_link(t, link);
	}
	if (iv->nhist >= 2) {
		fd_text_newline(t);
		fd_text_put(t, FD_ROLE_KEY, "  > compare the last two responses");
		fd_text_link(t, "diff");
	}
}

static void
build_diff(struct invview *iv)
{
	struct fd_buf out;
	size_t changed;

	if (!iv->show_diff || iv->nhist < 2)
		return;
	fd_buf_init(&out);
	changed = fd_text_diff(iv->hist[1].response, iv->hist[1].response_len, iv->hist[0].response,
	                       iv->hist[0].response_len, 3, &out);
	fd_text_section(&iv->text, "DIFF");
	fd_text_newline(&iv->text);
	fd_text_printf(&iv->text, FD_ROLE_DIM, "  #%lld -> #%lld: %zu changed lines",
	               (long long)iv->hist[1].id, (long long)iv->hist[0].id, changed);
	put_lines(&iv->text, out.data ? out.data : "", out.len, 300, 1);
	fd_buf_free(&out);
}

static void
build(struct fd_view *v)
{
	struct invview *iv = v->priv;
	struct fd_text *t = &iv->text;
	size_t keep = t->cur.sel;

	fd_text_clear(t);
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_TITLE, "  Invoke %s", iv->function);
	if (iv->state_error[0]) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_ERROR, "  state.db: %s", iv->state_error);
	}
	build_events(iv);
	build_qualifiers(v);
	build_types(iv);
	build_action(v);
	build_result(iv);
	build_history(iv);
	build_diff(iv);
	t->cur.sel = keep;
}

/* ---- invoking ---- */

static void
job_free(struct inv_job *j)
{
	if (!j->iv && j->state)
		fd_state_close(j->state); /* the view closed meanwhile: the job owned it */
	fd_buf_free(&j->payload);
	free(j);
}

static void
job_record(struct inv_job *j, const struct fd_invoke_result *res, int64_t *id)
{
	struct fd_invoke_record rec;
	struct fd_err err = {FD_OK, ""};

	*id = 0;
	fd_invoke_record_fill(&rec, &j->ctx, &j->req, j->event[0] ? j->event : NULL, NULL,
	                      j->start_ms, res);
	if (j->state && fd_invoke_history_add(j->state, &rec, &err) == FD_OK)
		*id = rec.id;
	else if (j->state)
		fd_ui_message(j->ui, FD_ROLE_ERROR, "history: %s", err.msg);
	fd_invoke_record_free(&rec);
}

static void
job_done(struct fd_invoke_result *res, void *ud)
{
	struct inv_job *j = ud;
	struct invview *iv = j->iv;
	int64_t id;

	job_record(j, res, &id);
	fd_ui_message(j->ui, fd_invoke_result_ok(res) ? FD_ROLE_OK : FD_ROLE_ERROR,
	              "%s%s%s: %ld%s%s", j->function, j->qualifier[0] ? ":" : "", j->qualifier,
	              res->http_status, res->function_error[0] ? " function error " : "",
	              res->function_error);
	if (iv) {
		fd_invoke_result_free(&iv->res);
		iv->res = *res;
		fd_invoke_result_init(res);
		iv->have_res = 1;
		iv->res_id = id;
		iv->job = NULL;
		iv->show_diff = 0;
		load_lists(iv);
	}
	job_free(j);
}

static void
job_cancelled(void *ud)
{
	struct inv_job *j = ud;

	if (j->iv)
		j->iv->job = NULL;
	job_free(j);
}

static enum fd_status
job_payload(struct invview *iv, struct inv_job *j, const struct fd_invoke_record *rerun,
            struct fd_err *err)
{
	const struct fd_event *e = chosen_event(iv);

	if (rerun && !rerun->payload)
		return fd_err_set(err, FD_ENOTFOUND, "#%lld: the payload was not kept (over 1 MiB)",
		                  (long long)rerun->id);
	if (rerun)
		fd_buf_append(&j->payload, rerun->payload, rerun->payload_len);
	else if (e)
		fd_buf_append(&j->payload, e->body, e->len);
	else
		fd_buf_puts(&j->payload, EMPTY_EVENT);
	fd_strlcpy(j->event, rerun ? (rerun->event_name ? rerun->event_name : "") : iv->event,
	           sizeof(j->event));
	return fd_invoke_check_size(iv->type, j->payload.len, err);
}

static struct inv_job *
job_new(struct fd_view *v)
{
	struct invview *iv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct inv_job *j = fd_xcalloc(1, sizeof(*j));

	j->iv = iv;
	j->ui = v->ui;
	j->state = iv->state;
	j->ctx = app->ctx;
	fd_buf_init(&j->payload);
	fd_strlcpy(j->function, iv->function, sizeof(j->function));
	fd_strlcpy(j->qualifier, iv->qualifier, sizeof(j->qualifier));
	j->req.function = j->function;
	j->req.qualifier = j->qualifier[0] ? j->qualifier : NULL;
	j->req.type = iv->type;
	j->req.tail = 1;
	if (iv->target_state > 0 && iv->target.timeout_s > 0)
		j->req.timeout_ms = iv->target.timeout_s * 1000L + 15000L;
	return j;
}

/* Refusals and the production step; 1 when the invocation may go ahead. */
static int
may_invoke(struct fd_view *v, int confirmed)
{
	struct invview *iv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	struct fd_err err = {FD_OK, ""};
	struct fd_prod_check pc;

	if (iv->job)
		return fd_ui_message(v->ui, FD_ROLE_WARNING, "an invocation is running"), 0;
	if (iv->type != FD_INVOKE_DRYRUN && fd_app_check_writable(app, "invoke", &err) != FD_OK)
		return fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg), 0;
	if (!app->client)
		return fd_ui_message(v->ui, FD_ROLE_ERROR, "offline: cannot invoke"), 0;
	if (iv->type == FD_INVOKE_DRYRUN)
		return 1;
	if (iv->target_state == 0)
		return fd_ui_message(v->ui, FD_ROLE_WARNING,
		                     "still checking the target's tags: try again in a moment"),
		       0;
	prod_check(v, &pc);
	if (!pc.prod || confirmed)
		return 1;
	iv->armed = 1;
	build(v);
	fd_text_select_link(&iv->text, "confirm");
	fd_ui_message(v->ui, FD_ROLE_WARNING, "production target: Enter on the CONFIRM line");
	return 0;
}

static void
start_invoke(struct fd_view *v, int confirmed, const struct fd_invoke_record *rerun)
{
	struct invview *iv = v->priv;
	struct fd_err err = {FD_OK, ""};
	struct inv_job *j;

	if (!may_invoke(v, confirmed))
		return;
	j = job_new(v);
	if (job_payload(iv, j, rerun, &err) != FD_OK) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		job_free(j);
		return;
	}
	j->req.payload = j->payload.data;
	j->req.len = j->payload.len;
	j->start_ms = fd_wall_now_ms();
	if (!lambda_invoke_ex(fd_ui_app(v->ui)->client, &j->req, job_done, job_cancelled, j,
	                      &err)) {
		fd_ui_message(v->ui, FD_ROLE_ERROR, "%s", err.msg);
		job_free(j);
		return;
	}
	iv->job = j;
	iv->armed = 0;
	build(v);
}

/* "rerun:ID": the recorded event, qualifier and type, through the same guardrails. */
static void
rerun(struct fd_view *v, const char *id)
{
	struct invview *iv = v->priv;
	long long want = strtoll(id, NULL, 10);
	size_t i;

	for (i = 0; i < iv->nhist && iv->hist[i].id != want; i++)
		;
	if (i == iv->nhist)
		return;
	fd_strlcpy(iv->qualifier, iv->hist[i].qualifier ? iv->hist[i].qualifier : "",
	           sizeof(iv->qualifier));
	(void)fd_invoke_type_parse(iv->hist[i].type, &iv->type);
	if (!may_invoke(v, iv->armed))
		return;
	start_invoke(v, 1, &iv->hist[i]);
}

static void
follow_link(struct fd_view *v, const char *link)
{
	struct invview *iv = v->priv;
	int was_armed = iv->armed;

	iv->armed = 0;
	if (fd_str_starts(link, "event:"))
		fd_strlcpy(iv->event, link + 6, sizeof(iv->event));
	else if (fd_str_starts(link, "qual:"))
		fd_strlcpy(iv->qualifier, link + 5, sizeof(iv->qualifier));
	else if (fd_str_starts(link, "type:"))
		(void)fd_invoke_type_parse(link + 5, &iv->type);
	else if (strcmp(link, "diff") == 0)
		iv->show_diff = !iv->show_diff;
	else if (strcmp(link, "run") == 0 || strcmp(link, "confirm") == 0)
		start_invoke(v, strcmp(link, "confirm") == 0 && was_armed, NULL);
	else if (fd_str_starts(link, "rerun:"))
		rerun(v, link + 6);
	build(v);
}

/* ---- view ops ---- */

static void
invoke_open(struct fd_view *v, const char *arg)
{
	struct invview *iv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	const char *tab = strchr(arg ? arg : "", '\t');
	struct fd_err err = {FD_OK, ""};

	snprintf(iv->function, sizeof(iv->function), "%.*s",
	         (int)(tab ? (size_t)(tab - arg) : strlen(arg ? arg : "")), arg ? arg : "");
	if (tab)
		fd_strlcpy(iv->event, tab + 1, sizeof(iv->event));
	snprintf(v->title, sizeof(v->title), "invoke %.80s", iv->function);
	fd_invoke_result_init(&iv->res);
	if (fd_events_state_open(&iv->state, &err) != FD_OK)
		fd_strlcpy(iv->state_error, err.msg, sizeof(iv->state_error));
	load_lists(iv);
	fd_model_want_detail(fd_ui_model(v->ui), iv->function);
	iv->target_state = -1;
	if (app->client && iv->function[0]) {
		iv->target_state = 0;
		iv->target_call =
		    lambda_invoke_target(app->client, iv->function, NULL, target_done, v);
	}
	build(v);
}

static void
invoke_close(struct fd_view *v)
{
	struct invview *iv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);

	if (iv->target_call && app->client)
		aws_call_cancel(app->client, iv->target_call);
	if (iv->job) {
		/* Let it finish and be recorded: it may already have run. */
		iv->job->iv = NULL;
		iv->job->state = iv->state;
		iv->state = NULL;
	}
	if (iv->state)
		fd_state_close(iv->state);
	fd_events_free(iv->events, iv->nevents);
	fd_invoke_records_free(iv->hist, iv->nhist);
	fd_invoke_target_free(&iv->target);
	fd_invoke_result_free(&iv->res);
	fd_text_free(&iv->text);
}

static void
invoke_draw(struct fd_view *v, struct fd_rect r)
{
	struct invview *iv = v->priv;

	fd_text_draw(&iv->text, r);
}

static int
invoke_request(struct fd_view *v, enum fd_request req)
{
	struct invview *iv = v->priv;
	const char *link;

	if (req == FD_REQ_ENTER) {
		link = fd_text_selected_link(&iv->text);
		if (link) {
			char *copy = fd_xstrdup(link); /* build() frees the lines */
			follow_link(v, copy);
			free(copy);
		}
		return 1;
	}
	if (req == FD_REQ_REFRESH) {
		load_lists(iv);
		build(v);
		return 1;
	}
	return fd_text_request(&iv->text, req);
}

static enum fd_status
invoke_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct invview *iv = v->priv;

	return fd_text_search(&iv->text, pattern, err);
}

static const char *
invoke_busy(struct fd_view *v)
{
	struct invview *iv = v->priv;

	if (!iv->job)
		return NULL;
	snprintf(iv->busy_text, sizeof(iv->busy_text), "an invocation of %s", iv->function);
	return iv->busy_text;
}

const struct fd_view_ops fd_view_invoke = {
    .name = "invoke",
    .priv_size = sizeof(struct invview),
    .open = invoke_open,
    .close = invoke_close,
    .draw = invoke_draw,
    .request = invoke_request,
    .changed = build,
    .search = invoke_search,
    .busy = invoke_busy,
};
