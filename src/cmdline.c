/* cmdline.c - the bottom-line editor (history, UTF-8 aware editing) and the `:`
 * command table with prefix matching and Tab completion. Screens of later issues
 * open a placeholder that says which feature brings them. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cmdline.h"
#include "fleetdeck/events.h"
#include "fleetdeck/queues.h"
#include "fleetdeck/sanitize.h"

static const struct fd_ui_cmd commands[] = {
	{"functions", "fns", NULL, "the fleet dashboard", NULL, NULL, FD_CMD_HOME},
	{"fn", "function", "NAME", "one function in detail", &fd_view_function, NULL,
	 FD_CMD_VIEW},
	{"risks", NULL, NULL, "the risk board, worst first", &fd_view_risks, NULL, FD_CMD_VIEW},
	{"queues", NULL, NULL, "SQS queues behind the functions", &fd_view_queues, NULL,
	 FD_CMD_VIEW},
	{"dlq", "dlqs", "[NAME]", "dead-letter queues, those with messages first", &fd_view_dlq,
	 NULL, FD_CMD_VIEW},
	{"logs", NULL, "[NAME...]", "live logs (--live: Live Tail; @FILE: saved events)",
	 &fd_view_logs, NULL, FD_CMD_VIEW},
	{"coldstarts", "cold", "[NAME]", "cold starts by impact (Enter: histogram, suggestions)",
	 &fd_view_coldstarts, NULL, FD_CMD_VIEW},
	{"traces", NULL, "[NAME]", "X-Ray traces (Enter: the waterfall)", &fd_view_traces, NULL,
	 FD_CMD_VIEW},
	{"invocations", "inv", "[NAME]", "recent invocations (Enter: the request timeline)",
	 &fd_view_invocations, NULL, FD_CMD_VIEW},
	{"request", "req", "REQUEST_ID [NAME]", "one request: timeline, log lines, trace",
	 &fd_view_request, NULL, FD_CMD_VIEW},
	{"events", NULL, "[NAME]", "test events of a function (and shared ones)", &fd_view_events,
	 NULL, FD_CMD_VIEW},
	{"redrive", NULL, "[QUEUE|JOB]", "redrive jobs and their progress", &fd_view_redrive, NULL,
	 FD_CMD_VIEW},
	{"invoke", NULL, "NAME", "invoke a function with a saved event", &fd_view_invoke, NULL,
	 FD_CMD_VIEW},
	{"role", NULL, "NAME|FUNCTION", "an execution role: statements by service, risky ones marked",
	 &fd_view_role, NULL, FD_CMD_VIEW},
	{"ctx", "context", "[PROFILE [REGION]]", "switch profile or region", &fd_view_context,
	 NULL, FD_CMD_VIEW},
	{"help", NULL, NULL, "keys and commands", &fd_view_help, NULL, FD_CMD_VIEW},
	{"q", "quit", NULL, "quit fleetdeck", NULL, NULL, FD_CMD_QUIT},
};

size_t
fd_ui_cmd_count(void)
{
	return FD_ARRAY_LEN(commands);
}

const struct fd_ui_cmd *
fd_ui_cmd_at(size_t i)
{
	return i < FD_ARRAY_LEN(commands) ? &commands[i] : NULL;
}

/* The line editor. */

void
fd_line_start(struct fd_line *l, char prompt, struct fd_history *hist)
{
	memset(l, 0, sizeof(*l));
	l->prompt = prompt;
	l->hist = hist;
	l->hpos = hist ? hist->n : 0;
}

void
fd_line_set(struct fd_line *l, const char *text)
{
	fd_strlcpy(l->buf, text, sizeof(l->buf));
	l->len = l->pos = strlen(l->buf);
}

static int
is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t
prev_char(const struct fd_line *l, size_t pos)
{
	while (pos > 0 && is_cont(l->buf[--pos]))
		;
	return pos;
}

static size_t
next_char(const struct fd_line *l, size_t pos)
{
	if (pos < l->len)
		pos++;
	while (pos < l->len && is_cont(l->buf[pos]))
		pos++;
	return pos;
}

static void
delete_range(struct fd_line *l, size_t from, size_t to)
{
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	l->pos = from;
}

static void
insert_key(struct fd_line *l, int key)
{
	char b[4];
	size_t n;

	if (key < 0x80) {
		b[0] = (char)key, n = 1;
	} else if (key < 0x800) {
		b[0] = (char)(0xC0 | (key >> 6)), b[1] = (char)(0x80 | (key & 0x3F)), n = 2;
	} else if (key < 0x10000) {
		b[0] = (char)(0xE0 | (key >> 12)), b[1] = (char)(0x80 | ((key >> 6) & 0x3F));
		b[2] = (char)(0x80 | (key & 0x3F)), n = 3;
	} else {
		b[0] = (char)(0xF0 | (key >> 18)), b[1] = (char)(0x80 | ((key >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((key >> 6) & 0x3F)), b[3] = (char)(0x80 | (key & 0x3F));
		n = 4;
	}
	if (l->len + n >= sizeof(l->buf))
		return;
	memmove(l->buf + l->pos + n, l->buf + l->pos, l->len - l->pos + 1);
	memcpy(l->buf + l->pos, b, n);
	l->len += n;
	l->pos += n;
}

static void
history_move(struct fd_line *l, int dir)
{
	if (!l->hist || !l->hist->n)
		return;
	if (dir < 0 && l->hpos > 0)
		l->hpos--;
	else if (dir > 0 && l->hpos < l->hist->n)
		l->hpos++;
	fd_line_set(l, l->hpos < l->hist->n ? l->hist->items[l->hpos] : "");
}

static void
delete_word(struct fd_line *l)
{
	size_t p = l->pos;

	while (p > 0 && l->buf[p - 1] == ' ')
		p--;
	while (p > 0 && l->buf[p - 1] != ' ')
		p--;
	delete_range(l, p, l->pos);
}

/* Cursor movement and deletion; returns 1 when key was one of them. */
static int
edit_key(struct fd_line *l, int key)
{
	switch (key) {
	case FD_KEY_LEFT:
		l->pos = prev_char(l, l->pos);
		return 1;
	case FD_KEY_RIGHT:
		l->pos = next_char(l, l->pos);
		return 1;
	case FD_KEY_HOME:
	case FD_KEY_CTRL('a'):
		l->pos = 0;
		return 1;
	case FD_KEY_END:
	case FD_KEY_CTRL('e'):
		l->pos = l->len;
		return 1;
	case FD_KEY_DELETE:
	case FD_KEY_CTRL('d'):
		delete_range(l, l->pos, next_char(l, l->pos));
		return 1;
	case FD_KEY_CTRL('u'):
		delete_range(l, 0, l->pos);
		return 1;
	case FD_KEY_CTRL('w'):
		delete_word(l);
		return 1;
	case FD_KEY_UP:
	case FD_KEY_DOWN:
		history_move(l, key == FD_KEY_UP ? -1 : 1);
		return 1;
	default:
		return 0;
	}
}

enum fd_line_result
fd_line_key(struct fd_line *l, int key)
{
	if (edit_key(l, key))
		return FD_LINE_EDITING;
	switch (key) {
	case FD_KEY_ENTER:
		if (l->len && l->hist)
			fd_history_add(l->hist, l->buf);
		return FD_LINE_ACCEPT;
	case FD_KEY_ESC:
	case FD_KEY_CTRL('c'):
	case FD_KEY_CTRL('g'):
		return FD_LINE_CANCEL;
	case FD_KEY_BACKSPACE:
		if (!l->len)
			return FD_LINE_CANCEL;
		delete_range(l, prev_char(l, l->pos), l->pos);
		return FD_LINE_EDITING;
	case FD_KEY_TAB:
		return FD_LINE_COMPLETE;
	default:
		if (key >= 0x20 && key < FD_KEY_BASE && key != 0x7F)
			insert_key(l, key);
		return FD_LINE_EDITING;
	}
}

size_t
fd_line_cursor_col(const struct fd_line *l)
{
	return fd_text_width(l->buf, l->pos);
}

void
fd_history_add(struct fd_history *h, const char *s)
{
	if (h->n && strcmp(h->items[h->n - 1], s) == 0)
		return;
	if (h->n == FD_LINE_HISTORY) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (h->n - 1) * sizeof(h->items[0]));
		h->n--;
	}
	h->items[h->n++] = fd_xstrdup(s);
}

void
fd_history_free(struct fd_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->items[i]);
	h->n = 0;
}

/* Commands. */

static int
cmd_is(const struct fd_ui_cmd *c, const char *name, size_t len)
{
	return (strlen(c->name) == len && strncmp(c->name, name, len) == 0) ||
	       (c->alias && strlen(c->alias) == len && strncmp(c->alias, name, len) == 0);
}

static int
cmd_prefix(const struct fd_ui_cmd *c, const char *name, size_t len)
{
	return strncmp(c->name, name, len) == 0 || (c->alias && strncmp(c->alias, name, len) == 0);
}

static const struct fd_ui_cmd *
find_len(const char *name, size_t len, struct fd_err *err)
{
	const struct fd_ui_cmd *found = NULL;
	struct fd_buf cand;
	size_t i, n = 0;

	for (i = 0; i < FD_ARRAY_LEN(commands); i++)
		if (cmd_is(&commands[i], name, len))
			return &commands[i];
	fd_buf_init(&cand);
	for (i = 0; len && i < FD_ARRAY_LEN(commands); i++) {
		if (!cmd_prefix(&commands[i], name, len))
			continue;
		found = &commands[i];
		fd_buf_printf(&cand, "%s:%s", n++ ? ", " : "", found->name);
	}
	if (n > 1)
		fd_err_set(err, FD_EINVAL, "ambiguous command :%.*s (%s)", (int)len, name,
			   cand.data);
	else if (n == 0)
		fd_err_set(err, FD_EINVAL, "unknown command :%.*s (? lists them)", (int)len, name);
	fd_buf_free(&cand);
	return n == 1 ? found : NULL;
}

const struct fd_ui_cmd *
fd_ui_cmd_find(const char *name, struct fd_err *err)
{
	return find_len(name, strlen(name), err);
}

static void
open_placeholder(struct fd_ui *ui, const struct fd_ui_cmd *c, const char *arg)
{
	char *spec = fd_xasprintf("%s\t%s\t%s", c->name, c->feature, arg);

	fd_ui_push(ui, &fd_view_placeholder, spec);
	free(spec);
}

static void
switch_context(struct fd_ui *ui, char *arg)
{
	char *save = NULL, *profile = strtok_r(arg, " ", &save);
	char *region = strtok_r(NULL, " ", &save);
	struct fd_err err = {0};

	if (fd_ui_switch_context(ui, profile, region, &err) != FD_OK)
		fd_ui_message(ui, FD_ROLE_ERROR, "ctx: %s", err.msg);
}

static void
dispatch(struct fd_ui *ui, const struct fd_ui_cmd *c, char *arg)
{
	if (c->action == FD_CMD_QUIT)
		fd_ui_request_quit(ui);
	else if (c->action == FD_CMD_HOME)
		fd_ui_home(ui);
	else if (c->feature)
		open_placeholder(ui, c, arg);
	else if (c->view == &fd_view_context && *arg)
		switch_context(ui, arg);
	else if (c->args && c->args[0] != '[' && !*arg)
		fd_ui_message(ui, FD_ROLE_ERROR, "usage: :%s %s", c->name, c->args);
	else if (c->view == &fd_view_function && !fd_model_function(fd_ui_model(ui), arg))
		fd_ui_message(ui, FD_ROLE_ERROR, "no function \"%s\" in this context", arg);
	else
		fd_ui_push(ui, c->view, arg);
}

void
fd_cmdline_run(struct fd_ui *ui, const char *line)
{
	char buf[FD_LINE_MAX], *p, *arg;
	const struct fd_ui_cmd *c;
	struct fd_err err = {0};
	size_t len;

	fd_strlcpy(buf, line, sizeof(buf));
	p = fd_str_trim(buf);
	if (*p == ':')
		p++;
	if (!*p)
		return;
	len = strcspn(p, " \t");
	arg = fd_str_trim(p + len);
	c = find_len(p, len, &err);
	if (!c) {
		fd_ui_message(ui, FD_ROLE_ERROR, "%s", err.msg);
		return;
	}
	dispatch(ui, c, arg);
}

void
fd_ui_open_feature(struct fd_ui *ui, enum fd_request req, const char *function)
{
	static const struct {
		enum fd_request req;
		const char *cmd;
	} map[] = {
		{FD_REQ_LOGS, "logs"},       {FD_REQ_INVOKE, "invoke"}, {FD_REQ_TRACES, "traces"},
		{FD_REQ_COLDSTARTS, "coldstarts"}, {FD_REQ_DLQS, "dlq"},
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(map); i++) {
		const struct fd_ui_cmd *c;

		if (map[i].req != req || !(c = fd_ui_cmd_find(map[i].cmd, NULL)))
			continue;
		if (c->view)
			fd_ui_push(ui, c->view, function ? function : "");
		else
			open_placeholder(ui, c, function ? function : "");
	}
}

/* Completion. */

struct candidates {
	const char **v;
	size_t n, cap;
	const char *prefix;
	size_t plen;
};

static void
cand_add(struct candidates *c, const char *s)
{
	if (strncmp(s, c->prefix, c->plen) != 0)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = fd_xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = s;
}

static void
cand_args(struct fd_ui *ui, const struct fd_ui_cmd *cmd, struct candidates *c)
{
	const struct fd_fn_row *rows;
	struct fd_app *app = fd_ui_app(ui);
	size_t i, n;

	if (cmd->view == &fd_view_context && app && app->settings_loaded) {
		const char **p = aws_settings_profiles(&app->settings, &n);
		for (i = 0; i < n; i++)
			cand_add(c, p[i]);
		free(p);
		return;
	}
	if (!cmd->args || !strstr(cmd->args, "NAME") || !fd_ui_model(ui))
		return;
	n = fd_model_rows(fd_ui_model(ui), &rows);
	for (i = 0; i < n; i++)
		cand_add(c, rows[i].fn->name);
}

static size_t
common_prefix(const struct candidates *c)
{
	size_t len = strlen(c->v[0]), i, k;

	for (i = 1; i < c->n; i++) {
		for (k = 0; k < len && c->v[i][k] == c->v[0][k]; k++)
			;
		len = k;
	}
	return len;
}

static void
show_candidates(struct fd_ui *ui, const struct candidates *c)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	for (i = 0; i < c->n && b.len < 200; i++)
		fd_buf_printf(&b, "%s%s", i ? "  " : "", c->v[i]);
	if (i < c->n)
		fd_buf_printf(&b, "  (+%zu more)", c->n - i);
	fd_ui_message(ui, FD_ROLE_DIM, "%s", b.data);
	fd_buf_free(&b);
}

/* Replaces the word at [start, l->pos) with c->v[0][0..len), plus a space if whole. */
static void
apply_completion(struct fd_line *l, size_t start, const struct candidates *c, size_t len)
{
	char out[FD_LINE_MAX];
	int whole = c->n == 1;

	snprintf(out, sizeof(out), "%.*s%.*s%s%s", (int)start, l->buf, (int)len, c->v[0],
		 whole ? " " : "", l->buf + l->pos);
	fd_line_set(l, out);
	l->pos = FD_MIN(start + len + (size_t)whole, l->len);
}

void
fd_cmdline_complete(struct fd_ui *ui, struct fd_line *l)
{
	struct candidates c = {0};
	size_t start = l->pos, i;
	const struct fd_ui_cmd *cmd = NULL;

	while (start > 0 && l->buf[start - 1] != ' ')
		start--;
	c.prefix = l->buf + start;
	c.plen = l->pos - start;
	if (start == 0) {
		for (i = 0; i < FD_ARRAY_LEN(commands); i++)
			cand_add(&c, commands[i].name);
	} else if ((cmd = find_len(l->buf, strcspn(l->buf, " "), NULL)) != NULL) {
		cand_args(ui, cmd, &c);
	}
	if (c.n == 0) {
		fd_ui_message(ui, FD_ROLE_DIM, "no completion");
	} else {
		apply_completion(l, start, &c, common_prefix(&c));
		if (c.n > 1)
			show_candidates(ui, &c);
	}
	free(c.v);
}
