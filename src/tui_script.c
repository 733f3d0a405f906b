/* tui_script.c - key scripts for screen tests (tig's TIG_SCRIPT idea). One token a
 * line: keys as typed ("j", "<Enter>", ":risks<Enter>") go through the same path as
 * the keyboard; directives start with '@':
 *   @wait-idle          until nothing is in flight and nothing waits to be drawn
 *   @resize COLS ROWS   resize the (virtual) screen
 *   @save NAME          paint, then write the screen text to SAVE_DIR/NAME
 *   @save-roles NAME    the same, one role letter per cell
 *   @sleep MS           let the loop run for MS milliseconds
 *   @quit               quit (the end of the script quits too)
 *   @click ROW          a mouse click on screen row ROW (0 = top), as painted now
 *   @double-click ROW   the same, double (mouse wheel: the keys <WheelUp> <WheelDown>)
 * Lines starting with '#' and blank lines are skipped.
 *
 * Benchmarks (FD_TUI_BENCH=FILE): the time of the first paint and, for every key line,
 * when it was due, when its handling began and when the screen showing it was painted
 * (at once, without waiting for the next frame), with the requests in flight and
 * the process's CPU time then (what the loop itself spent between keys);
 * written to FILE at the end, one record a line, CLOCK_MONOTONIC nanoseconds, plus the
 * peak RSS. Two directives go with it:
 *   @pace MS            each following key line (up to the next directive) is due MS
 *                       after the previous one, so a loop busy elsewhere shows as latency
 *   @wait-pending N MS  until N requests are in flight (at most MS) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tui_int.h"

struct bench_key {
	int64_t due, start, end;
	int64_t cpu;               /* process CPU time at start */
	size_t pending;
};

struct bench {
	char *path;
	int64_t first_paint;
	int64_t pace_ns, next_due;
	size_t min_pending;        /* @wait-pending */
	struct bench_key *keys;
	size_t n;
};

struct fd_script {
	char **lines;
	size_t n, i;
	char *save_dir;
	int idle_timeout_ms;
	int waiting;               /* 1 = @wait-idle, 2 = @sleep, 3 = @wait-pending */
	int64_t deadline;
	struct fd_err err;         /* first failure */
	struct bench *bench;       /* FD_TUI_BENCH */
};

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t
mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static size_t
pending_calls(struct fd_ui *ui)
{
	return ui->app && ui->app->client ? aws_client_pending(ui->app->client) : 0;
}

static void
bench_write(const struct bench *b)
{
	struct rusage ru;
	FILE *f = fopen(b->path, "w");
	size_t i;

	if (!f)
		return;
	fprintf(f, "first_paint_ns %lld\n", (long long)b->first_paint);
	for (i = 0; i < b->n; i++)
		fprintf(f, "key %lld %lld %lld %zu %lld\n", (long long)b->keys[i].due,
			(long long)b->keys[i].start, (long long)b->keys[i].end, b->keys[i].pending,
			(long long)b->keys[i].cpu);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(f, "maxrss_kb %ld\n", ru.ru_maxrss);
	fclose(f);
}

static void
bench_free(struct bench *b)
{
	if (!b)
		return;
	bench_write(b);
	free(b->keys);
	free(b->path);
	free(b);
}

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
	if (getenv("FD_TUI_BENCH") && *getenv("FD_TUI_BENCH")) {
		s->bench = fd_xcalloc(1, sizeof(*s->bench));
		s->bench->path = fd_xstrdup(getenv("FD_TUI_BENCH"));
	}
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
	bench_free(s->bench);
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

/* Clicks land on what is on screen: a pending paint happens first. */
static void
click(struct fd_ui *ui, int key, int row)
{
	if (ui->dirty)
		fd_ui_paint(ui);
	fd_ui_mouse(ui, key, row);
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
	} else if (sscanf(line, "@click %d", &a) == 1) {
		click(ui, FD_KEY_CLICK, a);
	} else if (sscanf(line, "@double-click %d", &a) == 1) {
		click(ui, FD_KEY_DOUBLE_CLICK, a);
	} else if (s->bench && sscanf(line, "@pace %d", &a) == 1 && a >= 0) {
		s->bench->pace_ns = (int64_t)a * 1000000;
		s->bench->next_due = 0;
	} else if (s->bench && sscanf(line, "@wait-pending %d %d", &a, &b) == 2 && a > 0) {
		s->waiting = 3;
		s->bench->min_pending = (size_t)a;
		s->deadline = fd_now_ms() + b;
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
	if (s->waiting == 3 && pending_calls(ui) < s->bench->min_pending && now < s->deadline)
		return 1;
	if (s->waiting == 1 && !(fd_ui_idle(ui) && !ui->dirty)) {
		if (now < s->deadline)
			return 1;
		fail(s, ui, "@wait-idle", "timed out: requests still in flight");
	}
	s->waiting = 0;
	return 0;
}

/* A measured key line: due at its pace (or now), painted at once. Returns 0 while
 * the line is not due yet. */
static int
bench_keys(struct fd_script *s, struct fd_ui *ui, const char *line)
{
	struct bench *b = s->bench;
	struct bench_key k;

	k.start = mono_ns();
	if (b->pace_ns && !b->next_due)
		b->next_due = k.start;
	if (b->pace_ns && k.start < b->next_due)
		return 0;
	k.due = b->pace_ns ? b->next_due : k.start;
	k.cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	k.pending = pending_calls(ui);
	keys(s, ui, line);
	fd_ui_paint(ui);
	k.end = mono_ns();
	b->next_due = k.due + b->pace_ns;
	b->keys = fd_xreallocarray(b->keys, b->n + 1, sizeof(*b->keys));
	b->keys[b->n++] = k;
	return 1;
}

void
fd_script_step(struct fd_script *s, struct fd_ui *ui)
{
	const char *line;

	if (s->bench && !s->bench->first_paint) {
		fd_ui_paint(ui);
		s->bench->first_paint = mono_ns();
	}
	if (s->waiting && still_waiting(s, ui))
		return;
	if (s->i >= s->n) {
		fd_ui_quit(ui);
		return;
	}
	line = s->lines[s->i];
	if (line[0] != '@' && s->bench && !bench_keys(s, ui, line))
		return;
	s->i++;
	/* A directive ends a paced run: the next key is due when it is read. */
	if (line[0] == '@' && s->bench)
		s->bench->next_due = 0;
	if (line[0] == '@')
		directive(s, ui, line);
	else if (!s->bench)
		keys(s, ui, line);
}

int
fd_script_timeout(const struct fd_script *s)
{
	int64_t wait_ns;

	if (s->bench && s->bench->pace_ns && s->bench->next_due && s->i < s->n &&
	    s->lines[s->i][0] != '@') {
		wait_ns = s->bench->next_due - mono_ns();
		return wait_ns <= 0 ? 0 : (int)FD_MIN(wait_ns / 1000000 + 1, 10);
	}
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
