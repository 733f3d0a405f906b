/* tui_script.c - key scripts for screen tests (tig's TIG_SCRIPT idea). One token a
 * line: keys as typed ("j", "<Enter>", ":risks<Enter>") go through the same path as
 * the keyboard; directives start with '@':
 *   @wait-idle          until nothing is in flight and nothing waits to be drawn
 *   @resize COLS ROWS   resize the (virtual) screen
 *   @save NAME          paint, then write the screen text to SAVE_DIR/NAME
 *   @save-roles NAME    the same, one role letter per cell
 *   @sleep MS           let the loop run for MS milliseconds
 *   @quit               quit (the end of the script quits too)
 * Lines starting with '#' and blank lines are skipped. */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

struct fd_script {
	char **lines;
	size_t n, i;
	char *save_dir;
	int idle_timeout_ms;
	int waiting;               /* 1 = @wait-idle, 2 = @sleep */
	int64_t deadline;
	struct fd_err err;         /* first failure */
};

static void
add_line(struct fd_script *s, char *line)
{
	size_t len = strlen(line);

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len || line[0] == '#' || strspn(line, " \t") == len)
		return;
	s->lines = fd_xreallocarray(s->lines, s->n + 1, sizeof(*s->lines));
	s->lines[s->n++] = fd_xstrdup(line);
}

enum fd_status
fd_script_open(const char *path, const char *save_dir, int idle_timeout_ms,
	       struct fd_script **out, struct fd_err *err)
{
	struct fd_buf text;
	struct fd_script *s;
	char *p, *save = NULL;

	fd_buf_init(&text);
	if (fd_read_file(path, 1 << 20, &text, err) != 0) {
		fd_buf_free(&text);
		return fd_err_prefix(err, "FD_TUI_SCRIPT");
	}
	s = fd_xcalloc(1, sizeof(*s));
	s->save_dir = fd_xstrdup(save_dir && *save_dir ? save_dir : ".");
	s->idle_timeout_ms = idle_timeout_ms > 0 ? idle_timeout_ms : 15000;
	for (p = strtok_r(text.data ? text.data : (char *)"", "\n", &save); p;
	     p = strtok_r(NULL, "\n", &save))
		add_line(s, p);
	fd_buf_free(&text);
	*out = s;
	return FD_OK;
}

void
fd_script_free(struct fd_script *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	free(s->save_dir);
	free(s);
}

static void
fail(struct fd_script *s, struct fd_ui *ui, const char *what, const char *detail)
{
	if (s->err.status == FD_OK)
		fd_err_set(&s->err, FD_EINVAL, "script line \"%s\": %s", what, detail);
	fd_ui_quit(ui);
}

static void
save(struct fd_script *s, struct fd_ui *ui, const char *name, int roles)
{
	struct fd_err err = {0};
	char *path;

	if (!*name || strchr(name, '/')) {
		fail(s, ui, name, "@save takes a file name (no directory)");
		return;
	}
	fd_ui_paint(ui);
	path = fd_xasprintf("%s/%s", s->save_dir, name);
	if (fd_draw_save(path, roles, &err) != FD_OK)
		fail(s, ui, name, err.msg);
	free(path);
}

static void
directive(struct fd_script *s, struct fd_ui *ui, const char *line)
{
	int a = 0, b = 0;

	if (strcmp(line, "@wait-idle") == 0) {
		s->waiting = 1;
		s->deadline = fd_now_ms() + s->idle_timeout_ms;
	} else if (sscanf(line, "@sleep %d", &a) == 1) {
		s->waiting = 2;
		s->deadline = fd_now_ms() + a;
	} else if (sscanf(line, "@resize %d %d", &a, &b) == 2 && a >= 10 && b >= 4) {
		fd_draw_resize(a, b);
		ui->dirty = 1;
	} else if (strncmp(line, "@save-roles ", 12) == 0) {
		save(s, ui, line + 12, 1);
	} else if (strncmp(line, "@save ", 6) == 0) {
		save(s, ui, line + 6, 0);
	} else if (strcmp(line, "@quit") == 0) {
		fd_ui_quit(ui);
	} else {
		fail(s, ui, line, "unknown directive");
	}
}

static void
keys(struct fd_script *s, struct fd_ui *ui, const char *line)
{
	size_t used;
	int k;

	while (*line && !ui->quit) {
		k = fd_key_parse(line, &used);
		if (k == FD_KEY_NONE) {
			fail(s, ui, line, "not a key");
			return;
		}
		fd_ui_key(ui, k);
		line += used;
	}
}

/* Finishes a wait when its condition holds; returns 1 while still waiting. */
static int
still_waiting(struct fd_script *s, struct fd_ui *ui)
{
	int64_t now = fd_now_ms();

	if (s->waiting == 2 && now < s->deadline)
		return 1;
	if (s->waiting == 1 && !(fd_ui_idle(ui) && !ui->dirty)) {
		if (now < s->deadline)
			return 1;
		fail(s, ui, "@wait-idle", "timed out: requests still in flight");
	}
	s->waiting = 0;
	return 0;
}

void
fd_script_step(struct fd_script *s, struct fd_ui *ui)
{
	const char *line;

	if (s->waiting && still_waiting(s, ui))
		return;
	if (s->i >= s->n) {
		fd_ui_quit(ui);
		return;
	}
	line = s->lines[s->i++];
	if (line[0] == '@')
		directive(s, ui, line);
	else
		keys(s, ui, line);
}

int
fd_script_timeout(const struct fd_script *s)
{
	if (!s->waiting)
		return 0;
	return 10;
}

int
fd_script_failed(const struct fd_script *s, struct fd_err *err)
{
	if (s->err.status == FD_OK)
		return 0;
	*err = s->err;
	return 1;
}
