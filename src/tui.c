/* tui.c - the console's loop. One thread: aws_client_wait() (or poll() offline)
 * sleeps on the transfers, the terminal and a self-pipe; signal handlers only write
 * the signal number into the pipe. Each iteration handles what woke it, then paints
 * once if anything is dirty and a frame (16 ms) has passed since the last paint. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fleetdeck/cmdline.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/tui.h"
#include "tui_int.h"

#define FRAME_MS 16
#define RESIZE_DEBOUNCE_MS 30
#define MOUSE_MAX_REQUESTS 512 /* a click moves at most a screen away */

static const int windows_s[] = {900, 3600, 10800, 86400};

static int sig_pipe[2] = {-1, -1};

/* Async-signal-safe: one byte per signal; the loop does the work. */
static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &b, 1);
	errno = saved;
}

static const int handled_signals[] = {SIGWINCH, SIGINT, SIGTERM, SIGTSTP, SIGCONT, SIGCHLD,
				      SIGHUP};

static void
signals_install(void (*handler)(int))
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < FD_ARRAY_LEN(handled_signals); i++)
		sigaction(handled_signals[i], &sa, NULL);
}

static int
pipe_open(void)
{
	int i;

	if (pipe(sig_pipe) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

static void
pipe_close(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

static void
fatal_restore(void)
{
	fd_draw_end();
}

/* Regular expressions (PCRE2), shared by the filter highlight and text search. */

struct fd_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

static int
has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

enum fd_status
fd_regex_new(const char *pattern, struct fd_regex **out, struct fd_err *err)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[160];
	pcre2_code *code;
	int rc;

	*out = NULL;
	if (!has_upper(pattern))
		opts |= PCRE2_CASELESS;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &rc, &erroff, NULL);
	if (!code) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		return fd_err_set(err, FD_EINVAL, "at offset %zu: %s", (size_t)erroff, (char *)msg);
	}
	/* JIT when the platform has it (log filters run per line); the interpreter
	 * still works when it does not. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	*out = fd_xcalloc(1, sizeof(**out));
	(*out)->code = code;
	(*out)->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!(*out)->md)
		fd_fatal("out of memory (regex)");
	return FD_OK;
}

int
fd_regex_find(const struct fd_regex *re, const char *s, size_t n, size_t *off, size_t *len)
{
	PCRE2_SIZE *ov;

	if (!re || pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, NULL) < 0)
		return 0;
	ov = pcre2_get_ovector_pointer(re->md);
	*off = ov[0];
	*len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
	return 1;
}

void
fd_regex_free(struct fd_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

/* The view stack. */

static struct fd_view *
top_view(struct fd_ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

static void
view_free(struct fd_view *v)
{
	if (v->ops->close)
		v->ops->close(v);
	free(v->priv);
	free(v);
}

void
fd_ui_push(struct fd_ui *ui, const struct fd_view_ops *ops, const char *arg)
{
	struct fd_view *v;

	if (ui->depth == FD_UI_DEPTH) {
		fd_ui_message(ui, FD_ROLE_WARNING, "too many screens open: Esc goes back");
		return;
	}
	v = fd_xcalloc(1, sizeof(*v));
	v->ops = ops;
	v->ui = ui;
	v->priv = ops->priv_size ? fd_xcalloc(1, ops->priv_size) : NULL;
	fd_strlcpy(v->title, ops->name, sizeof(v->title));
	ui->stack[ui->depth++] = v;
	ops->open(v, arg ? arg : "");
	ui->dirty = 1;
}

void
fd_ui_pop(struct fd_ui *ui)
{
	if (ui->depth <= 1)
		return;
	view_free(ui->stack[--ui->depth]);
	ui->dirty = 1;
}

void
fd_ui_home(struct fd_ui *ui)
{
	while (ui->depth > 1)
		fd_ui_pop(ui);
}

static void
stack_clear(struct fd_ui *ui)
{
	while (ui->depth)
		view_free(ui->stack[--ui->depth]);
}

struct fd_model *
fd_ui_model(struct fd_ui *ui)
{
	return ui->model;
}

struct fd_app *
fd_ui_app(struct fd_ui *ui)
{
	return ui->app;
}

void
fd_ui_quit(struct fd_ui *ui)
{
	ui->quit = 1;
}

void
fd_ui_request_quit(struct fd_ui *ui)
{
	const char *job = NULL;
	size_t i;

	for (i = ui->depth; i > 0 && !job; i--)
		if (ui->stack[i - 1]->ops->busy)
			job = ui->stack[i - 1]->ops->busy(ui->stack[i - 1]);
	if (!job || ui->quit_armed) {
		ui->quit = 1;
		return;
	}
	ui->quit_armed = 1;
	fd_ui_message(ui, FD_ROLE_WARNING, "%s is running: q again quits and abandons it", job);
}

void
fd_ui_message(struct fd_ui *ui, enum fd_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof(ui->msg), fmt, ap);
	va_end(ap);
	ui->msg_role = role;
	ui->dirty = 1;
}

const struct fd_regex *
fd_ui_filter_regex(struct fd_ui *ui)
{
	const char *f = ui->model ? fd_model_filter(ui->model) : NULL;

	if (!f || !*f) {
		fd_regex_free(ui->filter_re);
		ui->filter_re = NULL;
		ui->filter_text[0] = '\0';
		return NULL;
	}
	if (ui->filter_re && strcmp(ui->filter_text, f) == 0)
		return ui->filter_re;
	fd_regex_free(ui->filter_re);
	ui->filter_re = NULL;
	if (fd_regex_new(f, &ui->filter_re, NULL) == FD_OK)
		fd_strlcpy(ui->filter_text, f, sizeof(ui->filter_text));
	return ui->filter_re;
}

static int
client_pending(const struct fd_ui *ui)
{
	return ui->app->client ? (int)aws_client_pending(ui->app->client) : 0;
}

static void
refresh_now(struct fd_ui *ui, unsigned what)
{
	struct fd_view *v = top_view(ui);

	int period_s = v && v->ops->refresh_s ? v->ops->refresh_s : 60;

	ui->next_refresh_ms = fd_now_ms() + period_s * 1000;
	if (!ui->app->client) {
		fd_ui_message(ui, FD_ROLE_WARNING, "offline: showing cached data");
		return;
	}
	fd_model_refresh(ui->model, what);
	ui->dirty = 1;
}

/* Views ask from inside their request handlers; the switch closes every view, so
 * it runs later, from the loop. */
enum fd_status
fd_ui_switch_context(struct fd_ui *ui, const char *profile, const char *region,
		     struct fd_err *err)
{
	if (!ui->open_context)
		return fd_err_set(err, FD_EUNSUPPORTED, "switching context is not available");
	if (region && *region && !aws_region_valid(region))
		return fd_err_set(err, FD_EINVAL, "\"%s\" is not a region name", region);
	fd_strlcpy(ui->switch_profile, profile ? profile : "", sizeof(ui->switch_profile));
	fd_strlcpy(ui->switch_region, region ? region : "", sizeof(ui->switch_region));
	ui->switch_pending = 1;
	fd_ui_message(ui, FD_ROLE_DIM, "switching context...");
	return FD_OK;
}

static void
apply_switch(struct fd_ui *ui)
{
	struct fd_model *m = NULL;
	struct fd_err err = {0};
	enum fd_status st;

	ui->switch_pending = 0;
	fd_ui_paint(ui); /* shows "switching context..." while credentials resolve */
	stack_clear(ui);
	fd_model_free(ui->model);
	ui->model = NULL;
	fd_spend_flush(); /* the GetMetricData so far belongs to the context being left */
	st = ui->open_context(ui->app, ui->switch_profile[0] ? ui->switch_profile : NULL,
			      ui->switch_region[0] ? ui->switch_region : NULL, &m, &err);
	ui->model = m;
	if (!ui->model) {
		fd_ui_message(ui, FD_ROLE_ERROR, "context: %s", err.msg);
		ui->quit = 1;
		return;
	}
	fd_ui_push(ui, &fd_view_dashboard, "");
	if (ui->app->client)
		refresh_now(ui, FD_REFRESH_ALL);
	if (st == FD_OK)
		fd_ui_message(ui, FD_ROLE_OK, "context: %s %s %s", ui->app->ctx.profile,
			      ui->app->ctx.account, ui->app->ctx.region);
	else
		fd_ui_message(ui, FD_ROLE_ERROR, "context: %s (kept %s %s)", err.msg,
			      ui->app->ctx.profile, ui->app->ctx.region);
}

/* Requests the top view leaves to the console. */

static void
start_line(struct fd_ui *ui, char prompt)
{
	struct fd_view *v = top_view(ui);
	const char *f = ui->model ? fd_model_filter(ui->model) : NULL;

	fd_line_start(&ui->line, prompt, prompt == ':' ? &ui->cmd_hist : &ui->find_hist);
	if (prompt == '/' && !v->ops->search && f)
		fd_line_set(&ui->line, f);
	ui->line_active = 1;
}

static void
cycle_window(struct fd_ui *ui)
{
	int cur = fd_model_window(ui->model), next = windows_s[0];
	size_t i;

	for (i = 0; i + 1 < FD_ARRAY_LEN(windows_s); i++)
		if (windows_s[i] == cur)
			next = windows_s[i + 1];
	fd_model_set_window(ui->model, next);
	if (ui->app->client)
		fd_model_refresh(ui->model, FD_REFRESH_METRICS);
	ui->dirty = 1;
}

static void
back(struct fd_ui *ui)
{
	struct fd_err err = {0};
	const char *f = fd_model_filter(ui->model);

	if (ui->depth > 1) {
		fd_ui_pop(ui);
	} else if (f && *f) {
		fd_model_set_filter(ui->model, "", &err);
		fd_ui_message(ui, FD_ROLE_DIM, "filter cleared");
	}
}

static void
global_request(struct fd_ui *ui, enum fd_request req)
{
	const struct fd_request_info *ri = fd_request_info(req);
	struct fd_view *v = top_view(ui);

	switch (req) {
	case FD_REQ_PROMPT:
	case FD_REQ_FILTER:
		start_line(ui, req == FD_REQ_PROMPT ? ':' : '/');
		break;
	case FD_REQ_HELP:
	case FD_REQ_RISKS:
		if (v->ops != (req == FD_REQ_HELP ? &fd_view_help : &fd_view_risks))
			fd_ui_push(ui, req == FD_REQ_HELP ? &fd_view_help : &fd_view_risks, "");
		break;
	case FD_REQ_BACK:
		back(ui);
		break;
	case FD_REQ_REFRESH:
		refresh_now(ui, FD_REFRESH_ALL);
		break;
	case FD_REQ_PAUSE:
		ui->paused = !ui->paused;
		fd_ui_message(ui, FD_ROLE_DIM, "auto-refresh %s",
			      ui->paused ? "paused" : "resumed");
		break;
	case FD_REQ_WINDOW:
		cycle_window(ui);
		break;
	case FD_REQ_REDRAW:
		fd_draw_invalidate();
		break;
	case FD_REQ_QUIT:
		fd_ui_request_quit(ui);
		break;
	case FD_REQ_LOGS:
	case FD_REQ_INVOKE:
	case FD_REQ_COLDSTARTS:
	case FD_REQ_TRACES:
	case FD_REQ_DLQS:
		fd_ui_open_feature(ui, req, NULL);
		break;
	default:
		fd_ui_message(ui, FD_ROLE_DIM, "%s: nothing to do on this screen",
			      ri ? ri->name : "key");
	}
}

static void
line_accept(struct fd_ui *ui)
{
	struct fd_view *v = top_view(ui);
	struct fd_err err = {0};
	char text[FD_LINE_MAX];

	fd_strlcpy(text, ui->line.buf, sizeof(text));
	if (ui->line.prompt == ':') {
		fd_cmdline_run(ui, text);
	} else if (v->ops->search) {
		if (v->ops->search(v, text, &err) != FD_OK)
			fd_ui_message(ui, FD_ROLE_ERROR, "search: %s", err.msg);
	} else if (fd_model_set_filter(ui->model, text, &err) != FD_OK) {
		fd_ui_message(ui, FD_ROLE_ERROR, "filter /%s/: %s", text, err.msg);
	} else if (v->ops->changed) {
		v->ops->changed(v);
	}
}

static void
line_key(struct fd_ui *ui, int key)
{
	switch (fd_line_key(&ui->line, key)) {
	case FD_LINE_ACCEPT:
		ui->line_active = 0;
		line_accept(ui);
		break;
	case FD_LINE_CANCEL:
		ui->line_active = 0;
		break;
	case FD_LINE_COMPLETE:
		if (ui->line.prompt == ':')
			fd_cmdline_complete(ui, &ui->line);
		break;
	default:
		break;
	}
}

static void
run_request(struct fd_ui *ui, enum fd_request req)
{
	struct fd_view *v = top_view(ui);

	if (req != FD_REQ_QUIT)
		ui->quit_armed = 0; /* asked, then did something else: ask again */
	if (!v || !v->ops->request || !v->ops->request(v, req))
		global_request(ui, req);
}

void
fd_ui_mouse(struct fd_ui *ui, int key, int y)
{
	enum fd_request reqs[MOUSE_MAX_REQUESTS];
	int y0 = 0, y1 = 0, sel = fd_draw_selected_rows(y, &y0, &y1);
	size_t n, i;

	ui->dirty = 1;
	if (ui->line_active)
		return;
	n = fd_mouse_requests(key, y, sel, y0, y1, reqs, FD_ARRAY_LEN(reqs));
	for (i = 0; i < n && !ui->quit; i++)
		run_request(ui, reqs[i]);
}

static int
is_mouse_key(int key)
{
	return key == FD_KEY_WHEEL_UP || key == FD_KEY_WHEEL_DOWN || key == FD_KEY_CLICK ||
	       key == FD_KEY_DOUBLE_CLICK;
}

void
fd_ui_key(struct fd_ui *ui, int key)
{
	enum fd_request req;
	int y, x;

	/* Unless the user bound them in [keys], mouse keys act where they point. */
	if (is_mouse_key(key) && fd_keymap_lookup(key) == FD_REQ_NONE) {
		fd_draw_mouse_pos(&y, &x);
		fd_ui_mouse(ui, key, y);
		return;
	}
	ui->dirty = 1;
	ui->msg[0] = '\0';
	if (ui->line_active) {
		line_key(ui, key);
		return;
	}
	req = fd_keymap_lookup(key);
	if (req == FD_REQ_NONE) {
		char name[32];
		fd_key_name(key, name, sizeof(name));
		fd_ui_message(ui, FD_ROLE_DIM, "%s is not bound (? lists the keys)", name);
		return;
	}
	run_request(ui, req);
}

/* Signals and timers. */

static void
suspend(struct fd_ui *ui)
{
	struct sigaction sa;

	fd_draw_suspend();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, NULL);
	raise(SIGTSTP);
	/* continued */
	signals_install(on_signal);
	fd_draw_resume();
	ui->dirty = 1;
}

static void
drain_signals(struct fd_ui *ui)
{
	unsigned char b[64];
	ssize_t n, i;

	while ((n = read(sig_pipe[0], b, sizeof(b))) > 0) {
		for (i = 0; i < n; i++) {
			if (b[i] == SIGWINCH) {
				ui->resize_at = fd_now_ms() + RESIZE_DEBOUNCE_MS;
			} else if (b[i] == SIGINT || b[i] == SIGTERM || b[i] == SIGHUP) {
				ui->quit = 1;
			} else if (b[i] == SIGTSTP) {
				suspend(ui);
			} else if (b[i] == SIGCONT) {
				fd_draw_invalidate();
				ui->dirty = 1;
			}
		}
	}
}

static void
timers(struct fd_ui *ui, int64_t now)
{
	struct fd_view *v = top_view(ui);

	if (ui->resize_at && now >= ui->resize_at) {
		ui->resize_at = 0;
		fd_draw_resize(0, 0);
		ui->dirty = 1;
	}
	if (v && v->ops->refresh_s && !ui->paused && ui->app->client && now >= ui->next_refresh_ms)
		refresh_now(ui, FD_REFRESH_ALL);
	if (ui->model && fd_model_take_dirty(ui->model)) {
		size_t i;
		for (i = 0; i < ui->depth; i++)
			if (ui->stack[i]->ops->changed)
				ui->stack[i]->ops->changed(ui->stack[i]);
		ui->dirty = 1;
	}
	if (now - ui->last_paint_ms >= 1000)
		ui->dirty = 1; /* clocks: data age, spinner */
}

int
fd_ui_idle(struct fd_ui *ui)
{
	struct fd_model_status st;

	fd_model_status(ui->model, &st);
	return !st.refreshing && !client_pending(ui) && !ui->resize_at;
}

static int
next_timeout(struct fd_ui *ui, int64_t now)
{
	int64_t t = 1000;
	struct fd_model_status st;

	fd_model_status(ui->model, &st);
	if (ui->dirty)
		t = FD_MAX(0, ui->last_paint_ms + FRAME_MS - now);
	if (st.refreshing)
		t = FD_MIN(t, 100);
	if (ui->resize_at)
		t = FD_MIN(t, FD_MAX(0, ui->resize_at - now));
	if (ui->app->client && !ui->paused)
		t = FD_MIN(t, FD_MAX(0, ui->next_refresh_ms - now));
	if (ui->script)
		t = FD_MIN(t, fd_script_timeout(ui->script));
	return (int)t;
}

static void
wait_events(struct fd_ui *ui, int timeout)
{
	struct fd_pollfd extra[2] = {{sig_pipe[0], POLLIN, 0}, {fd_draw_input_fd(), POLLIN, 0}};
	struct pollfd pfd[2];
	unsigned n = extra[1].fd >= 0 && !ui->script ? 2 : 1, i;

	if (ui->app->client) {
		struct aws_client_stats a, b;
		aws_client_stats(ui->app->client, &a);
		aws_client_wait(ui->app->client, extra, n, timeout);
		aws_client_stats(ui->app->client, &b);
		/* An answer a view keeps for itself (a request's lines or trace, a queue's
		 * messages) is drawn now, not at the next clock tick. */
		if (b.completed != a.completed)
			ui->dirty = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		pfd[i].fd = extra[i].fd;
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, n, timeout) < 0 && errno != EINTR)
		usleep(10000);
}

void
fd_ui_paint(struct fd_ui *ui)
{
	fd_chrome_paint(ui, top_view(ui));
	ui->dirty = 0;
	ui->last_paint_ms = fd_now_ms();
}

static void
read_keys(struct fd_ui *ui)
{
	int k, n = 0;

	while (n++ < 256 && !ui->quit && (k = fd_draw_getkey()) != FD_KEY_NONE)
		fd_ui_key(ui, k);
}

static void
iterate(struct fd_ui *ui)
{
	int64_t now = fd_now_ms();

	wait_events(ui, next_timeout(ui, now));
	drain_signals(ui);
	if (!ui->script)
		read_keys(ui);
	now = fd_now_ms();
	timers(ui, now);
	if (ui->switch_pending)
		apply_switch(ui);
	if (ui->script && !ui->quit)
		fd_script_step(ui->script, ui);
	if (ui->dirty && !ui->quit && now - ui->last_paint_ms >= FRAME_MS)
		fd_ui_paint(ui);
}

static enum fd_status
ui_start(struct fd_ui *ui, struct fd_tui_opts *o, struct fd_err *err)
{
	struct fd_draw_opts d = {o->headless, o->cols, o->rows, o->app->no_color, o->ascii,
				 fd_chrome_mouse_wanted()};
	enum fd_status st;

	if (pipe_open() != 0)
		return fd_err_set(err, FD_EIO, "pipe: %s", strerror(errno));
	if (o->script) {
		st = fd_script_open(o->script, o->save_dir, o->idle_timeout_ms, &ui->script, err);
		if (st != FD_OK)
			return st;
	}
	fd_set_fatal_hook(fatal_restore);
	st = fd_draw_init(&d, err);
	if (st != FD_OK)
		return st;
	signals_install(on_signal);
	fd_chrome_setup(ui);
	return FD_OK;
}

static void
ui_stop(struct fd_ui *ui)
{
	signals_install(SIG_DFL);
	stack_clear(ui);
	fd_draw_end();
	fd_set_fatal_hook(NULL);
	pipe_close();
	fd_script_free(ui->script);
	fd_regex_free(ui->filter_re);
	fd_history_free(&ui->cmd_hist);
	fd_history_free(&ui->find_hist);
	fd_model_free(ui->model);
}

int
fd_tui_run(struct fd_tui_opts *o, struct fd_err *err)
{
	struct fd_ui ui;
	enum fd_status st;

	memset(&ui, 0, sizeof(ui));
	ui.app = o->app;
	ui.model = o->model;
	ui.open_context = o->open_context;
	o->model = NULL;
	st = ui_start(&ui, o, err);
	if (st == FD_OK) {
		if (o->notice && *o->notice)
			fd_ui_message(&ui, FD_ROLE_WARNING, "%s", o->notice);
		fd_ui_push(&ui, &fd_view_dashboard, "");
		if (ui.app->client)
			refresh_now(&ui, FD_REFRESH_ALL);
		while (!ui.quit)
			iterate(&ui);
	}
	if (ui.script && fd_script_failed(ui.script, err))
		st = err->status;
	ui_stop(&ui);
	return st == FD_OK ? 0 : 1;
}

int
fd_tui_parse_size(const char *s, int *cols, int *rows)
{
	char *end;
	long c, r;

	c = strtol(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return -1;
	s = end + 1;
	r = strtol(s, &end, 10);
	if (end == s || *end || c < 10 || r < 4 || c > 1000 || r > 1000)
		return -1;
	*cols = (int)c;
	*rows = (int)r;
	return 0;
}
