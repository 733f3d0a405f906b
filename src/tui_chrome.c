/* tui_chrome.c - the frame around the views: breadcrumbs on top; the status bar
 * (context, read-only flag, API budget, data age, requests in flight, refresh
 * spinner, last error; red for prod profiles); the message or command line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/costs.h"
#include "fleetdeck/ini.h"
#include "fleetdeck/sanitize.h"
#include "tui_int.h"

/* The first problem of each kind, on the message line at start. */
static void
note_first(struct fd_buf *out, const char *what, const char *text)
{
	size_t len = strcspn(text, "\n");

	if (!len)
		return;
	fd_buf_printf(out, "%s%s: %.*s%s", out->len ? "; " : "", what, (int)len, text,
		      text[len] ? " (and more)" : "");
}

void
fd_chrome_setup(struct fd_ui *ui)
{
	struct fd_buf notes, msg;
	struct fd_err err = {0};
	char *path;

	fd_buf_init(&notes);
	fd_buf_init(&msg);
	fd_keymap_reset();
	path = fd_keymap_default_path();
	if (path && fd_keymap_load(path, &notes, &err) != FD_OK)
		fd_buf_puts(&notes, err.msg);
	note_first(&msg, "keys", notes.data ? notes.data : "");
	free(path);
	path = fd_draw_theme_default_path();
	err.msg[0] = '\0';
	if (path && fd_draw_theme_load(path, &err) != FD_OK)
		note_first(&msg, "theme", err.msg);
	free(path);
	if (msg.len)
		fd_ui_message(ui, FD_ROLE_WARNING, "%s", msg.data);
	fd_buf_free(&notes);
	fd_buf_free(&msg);
}

int
fd_chrome_mouse_wanted(void)
{
	char *path = fd_keymap_default_path();
	struct ini_file *ini = NULL;
	const char *v = NULL;
	struct fd_err err;
	int on = 1;

	if (path && ini_load(path, &ini, &err) == FD_OK)
		v = ini_get(ini, "console", "mouse");
	(void)ini_bool(v, &on); /* anything but a boolean leaves the mouse on */
	ini_free(ini);
	free(path);
	return on;
}

static void
paint_title(struct fd_ui *ui, int cols)
{
	struct fd_buf b;
	size_t i;
	int x;

	fd_buf_init(&b);
	fd_buf_puts(&b, " fleetdeck");
	for (i = 0; i < ui->depth; i++)
		fd_buf_printf(&b, " %s %s", fd_glyph(FD_GLYPH_CRUMB), ui->stack[i]->title);
	x = fd_draw_text(0, 0, cols, FD_ROLE_TITLE, b.data);
	fd_buf_reset(&b);
	if (ui->paused)
		fd_buf_puts(&b, "PAUSED  ");
	fd_buf_puts(&b, "? help ");
	i = fd_text_width(b.data, b.len);
	if ((int)i < cols - x - 1)
		fd_draw_text(0, cols - (int)i, (int)i, ui->paused ? FD_ROLE_WARNING : FD_ROLE_DIM,
			     b.data);
	fd_buf_free(&b);
}

static void
format_age(int64_t ms, char *out, size_t n)
{
	long long s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		snprintf(out, n, "%llds", s);
	else if (s < 3600)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh", s / 3600);
	else
		snprintf(out, n, "%lldd", s / 86400);
}

void
fd_tui_budget_label(const char *key, char *out, size_t n)
{
	size_t svc = strcspn(key, ":");
	const char *op = key[svc] ? key + svc + 1 : "";

	if (*op && strcmp(op, "control") != 0 && strcmp(op, "other") != 0)
		snprintf(out, n, "%s", op);
	else
		snprintf(out, n, "%.*s", (int)svc, key);
}

/* "GetPolicy 5/6 lambda 2/6 logs 1/5": requests started in the last second against
 * the share of the quota fleetdeck allows itself, for buckets in use: an operation
 * with a quota of its own by its name, a service's shared bucket by the service. (The
 * bucket holds a second's worth, so a busy second may start a little more than its
 * share.) */
static void
put_budgets(struct aws_client *c, struct fd_buf *b)
{
	struct aws_budget bud[64];
	size_t n = aws_client_budgets(c, bud, FD_ARRAY_LEN(bud)), i, shown = 0;

	for (i = 0; i < n && shown < 3; i++) {
		char label[64];
		if (bud[i].used_tps <= 0 && !bud[i].queued)
			continue;
		fd_tui_budget_label(bud[i].key, label, sizeof(label));
		fd_buf_printf(b, "%s%s %.0f/%.0f", shown++ ? " " : "", label, bud[i].used_tps,
			      bud[i].limit_tps);
		if (bud[i].queued)
			fd_buf_printf(b, "+%zuq", bud[i].queued);
	}
	if (!shown)
		fd_buf_puts(b, "api idle");
}

static void
sep(struct fd_buf *b)
{
	fd_buf_printf(b, " %s ", fd_glyph(FD_GLYPH_VLINE));
}

/* What the auto-refresh costs in GetMetricData at its current rate: each refresh asks
 * every function's FD_M_COUNT metrics and the account's two (as `doctor` estimates). */
static int
put_gmd_rate(struct fd_ui *ui, struct fd_buf *b)
{
	const struct fd_view *v = ui->depth ? ui->stack[ui->depth - 1] : NULL;
	int period_s = v && v->ops->refresh_s ? v->ops->refresh_s : 0;
	struct fd_totals t;
	double per_hour;

	if (!ui->model || !ui->app->client || !period_s)
		return 0; /* this view does not refresh on its own */
	fd_model_totals(ui->model, &t);
	if (ui->paused) {
		fd_buf_puts(b, "GMD paused");
		return 1;
	}
	per_hour = fd_cost_gmd_usd_hour((double)(t.functions * FD_M_COUNT + 2), period_s);
	fd_buf_printf(b, "GMD $%.2f/h", per_hour);
	return 1;
}

static void
status_text(struct fd_ui *ui, const struct fd_model_status *st, struct fd_buf *b)
{
	const struct fd_app *app = ui->app;
	char age[16];

	fd_buf_printf(b, " %s%s", app->settings_loaded && app->settings.prod ? "PROD " : "",
		      app->ctx.profile[0] ? app->ctx.profile : "-");
	sep(b);
	fd_buf_printf(b, "%s", app->ctx.account[0] ? app->ctx.account : "account ?");
	sep(b);
	fd_buf_printf(b, "%s", app->ctx.region[0] ? app->ctx.region : "region ?");
	if (app->read_only) {
		sep(b);
		fd_buf_puts(b, "RO");
	}
	sep(b);
	format_age(fd_wall_now_ms() - st->data_fetched_ms, age, sizeof(age));
	fd_buf_printf(b, st->data_fetched_ms ? "data %s old" : "no data yet", age);
	if (st->refreshing)
		fd_buf_printf(b, " %s refreshing %u/%u", fd_spinner(fd_now_ms()), st->steps_done,
			      st->steps_total);
	if (app->client && aws_client_pending(app->client))
		fd_buf_printf(b, " %zu pending", aws_client_pending(app->client));
	sep(b);
	if (put_gmd_rate(ui, b))
		sep(b);
	if (app->client)
		put_budgets(app->client, b);
	else
		fd_buf_puts(b, "offline");
}

static void
paint_status(struct fd_ui *ui, int y, int cols)
{
	struct fd_model_status st;
	enum fd_role role;
	struct fd_buf b;
	int x;

	memset(&st, 0, sizeof(st));
	if (ui->model)
		fd_model_status(ui->model, &st);
	role = ui->app->settings_loaded && ui->app->settings.prod ? FD_ROLE_STATUS_PROD
								  : FD_ROLE_STATUS;
	fd_buf_init(&b);
	status_text(ui, &st, &b);
	fd_draw_fill(y, 0, cols, role);
	x = fd_draw_text(y, 0, cols, role, b.data);
	if (st.last_error[0] && x + 4 < cols)
		fd_draw_printf(y, x + 2, cols - x - 2, FD_ROLE_ERROR, "%s", st.last_error);
	fd_buf_free(&b);
}

static void
paint_line(struct fd_ui *ui, int y, int cols)
{
	size_t col = fd_line_cursor_col(&ui->line), skip = 0;
	const char *text = ui->line.buf;

	/* keep the cursor visible: drop leading characters of a long line */
	while (col + 2 >= (size_t)cols && text[skip]) {
		size_t len = 1;
		while (((unsigned char)text[skip + len] & 0xC0) == 0x80)
			len++;
		col -= fd_text_width(text + skip, len);
		skip += len;
	}
	fd_draw_printf(y, 0, 1, FD_ROLE_NORMAL, "%c", ui->line.prompt);
	fd_draw_text(y, 1, cols - 1, FD_ROLE_NORMAL, text + skip);
	fd_draw_cursor(y, 1 + (int)col);
}

static void
hint(struct fd_buf *b, enum fd_request req, const char *what)
{
	char keys[64];

	char *k = keys;
	size_t len;

	fd_keymap_keys(req, keys, sizeof(keys));
	len = strcspn(keys, " ");
	keys[len] = '\0';
	if (len > 2 && keys[0] == '<' && keys[len - 1] == '>') {
		keys[len - 1] = '\0';
		k++;
	}
	if (*k)
		fd_buf_printf(b, "%s%s %s", b->len ? "  " : "", k, what);
}

static void
paint_bottom(struct fd_ui *ui, int y, int cols)
{
	struct fd_buf b;

	if (ui->line_active) {
		paint_line(ui, y, cols);
		return;
	}
	if (ui->msg[0]) {
		fd_draw_text(y, 0, cols, ui->msg_role, ui->msg);
		return;
	}
	fd_buf_init(&b);
	hint(&b, FD_REQ_HELP, "help");
	hint(&b, FD_REQ_PROMPT, "command");
	hint(&b, FD_REQ_FILTER, "filter");
	hint(&b, FD_REQ_ENTER, "open");
	hint(&b, FD_REQ_BACK, "back");
	hint(&b, FD_REQ_QUIT, "quit");
	fd_draw_text(y, 0, cols, FD_ROLE_DIM, b.data);
	fd_buf_free(&b);
}

void
fd_chrome_paint(struct fd_ui *ui, struct fd_view *top)
{
	struct fd_rect body;
	int cols, rows;

	fd_draw_size(&cols, &rows);
	fd_draw_erase();
	if (cols < 20 || rows < 6) {
		fd_draw_text(0, 0, cols, FD_ROLE_WARNING, "terminal too small");
		fd_draw_flush();
		return;
	}
	body.x = 0;
	body.y = 1;
	body.w = cols;
	body.h = rows - 3;
	paint_title(ui, cols);
	if (top && ui->model)
		top->ops->draw(top, body);
	paint_status(ui, rows - 2, cols);
	if (ui->line_active && ui->msg[0]) { /* completions while typing */
		fd_draw_fill(rows - 2, 0, cols, FD_ROLE_NORMAL);
		fd_draw_text(rows - 2, 0, cols, ui->msg_role, ui->msg);
	}
	paint_bottom(ui, rows - 1, cols);
	fd_draw_flush();
}
