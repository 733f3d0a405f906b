/* test_tui.c - the console's pieces: key names and bindings, the [keys] config, the
 * `:` command table and line editor, the canvas (control bytes, clipping, glyph
 * fallbacks, themes, screen dumps), the text pane, and the loop run headlessly from a
 * key script. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cmdline.h"
#include "fleetdeck/draw.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/tui.h"
#include "fleetdeck/view.h"
#include "fleetdeck/queues.h"
#include "test.h"

static char *
write_tmp(const char *name, const char *text)
{
	char *path = fd_xasprintf("%s/%s", fd_test_tmpdir(), name);
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static char *
slurp(const char *path)
{
	struct fd_buf b;
	struct fd_err err;

	fd_buf_init(&b);
	if (fd_read_file(path, 1 << 20, &b, &err) != 0)
		return NULL;
	return fd_buf_steal(&b);
}

TEST(key_parse_names)
{
	size_t used;

	CHECK_INT(fd_key_parse("j", &used), 'j');
	CHECK_INT(used, 1);
	CHECK_INT(fd_key_parse("<C-r>", &used), 18);
	CHECK_INT(used, 5);
	CHECK_INT(fd_key_parse("<Enter>x", &used), FD_KEY_ENTER);
	CHECK_INT(used, 7);
	CHECK_INT(fd_key_parse("<esc>", &used), FD_KEY_ESC);
	CHECK_INT(fd_key_parse("<", &used), '<');
	CHECK_INT(used, 1);
	CHECK_INT(fd_key_parse("<lt>", &used), '<');
	CHECK_INT(fd_key_parse("<nokey>", &used), '<');
	CHECK_INT(fd_key_parse("\xc3\xa9", &used), 0xE9);
	CHECK_INT(used, 2);
	CHECK_INT(fd_key_parse("", &used), FD_KEY_NONE);
}

TEST(key_names_round_trip)
{
	char name[32];
	size_t used;
	int k;

	for (k = FD_KEY_BASE + 1; k < FD_KEY_LAST; k++) {
		fd_key_name(k, name, sizeof(name));
		CHECK_INT(fd_key_parse(name, &used), k);
		CHECK_INT(used, strlen(name));
	}
	fd_key_name(FD_KEY_CTRL('r'), name, sizeof(name));
	CHECK_STR(name, "<C-r>");
	fd_key_name(' ', name, sizeof(name));
	CHECK_STR(name, "<Space>");
	fd_key_name(0xE9, name, sizeof(name));
	CHECK_STR(name, "\xc3\xa9");
}

static void
count_request(const struct fd_request_info *ri, const char *keys, void *ud)
{
	int *n = ud;

	if (!keys[0])
		fd_test_fail(__FILE__, __LINE__, "request %s has no default key", ri->name);
	(*n)++;
}

TEST(keymap_defaults_are_consistent)
{
	char keys[128];
	int n = 0, r;

	fd_keymap_reset();
	fd_keymap_foreach(count_request, &n);
	CHECK_INT(n, FD_REQ_COUNT - 1);
	/* every default key is bound to the request that lists it (no default conflicts) */
	for (r = 1; r < FD_REQ_COUNT; r++) {
		fd_keymap_keys((enum fd_request)r, keys, sizeof(keys));
		CHECK_STR(keys, fd_request_info((enum fd_request)r)->keys);
	}
	CHECK_INT(fd_keymap_lookup('j'), FD_REQ_MOVE_DOWN);
	CHECK_INT(fd_keymap_lookup(FD_KEY_DOWN), FD_REQ_MOVE_DOWN);
	CHECK_INT(fd_keymap_lookup('/'), FD_REQ_FILTER);
	CHECK_INT(fd_keymap_lookup('q'), FD_REQ_QUIT);
	CHECK_INT(fd_keymap_lookup('Z'), FD_REQ_NONE);
	CHECK_INT(fd_request_find("cycle-window"), FD_REQ_WINDOW);
	CHECK_INT(fd_request_find("nope"), FD_REQ_NONE);
}

TEST(keymap_config_rebinds_and_reports)
{
	char *path = write_tmp("config", "[general]\nmove-down = z\n"
					 "[keys]\n# comment\nmove-down = x <Down>\nquit = j\n"
					 "bogus = a\nfilter = <Nope\nno equals sign\n");
	struct fd_buf notes;
	struct fd_err err = {0};
	char keys[64];

	fd_buf_init(&notes);
	fd_keymap_reset();
	CHECK_INT(fd_keymap_load(path, &notes, &err), FD_OK);
	CHECK_INT(fd_keymap_lookup('x'), FD_REQ_MOVE_DOWN);
	CHECK_INT(fd_keymap_lookup('z'), FD_REQ_NONE);  /* outside [keys] */
	CHECK_INT(fd_keymap_lookup('j'), FD_REQ_QUIT);  /* taken from move-down */
	CHECK_INT(fd_keymap_lookup('/'), FD_REQ_FILTER); /* bad line left it alone */
	fd_keymap_keys(FD_REQ_MOVE_DOWN, keys, sizeof(keys));
	CHECK_STR(keys, "x <Down>");
	fd_keymap_keys(FD_REQ_QUIT, keys, sizeof(keys));
	CHECK_STR(keys, "j");
	CHECK_CONTAINS(notes.data, "unknown request \"bogus\"");
	CHECK_CONTAINS(notes.data, "config line 8");
	CHECK_CONTAINS(notes.data, "expected \"request = keys\"");
	fd_buf_free(&notes);
	fd_buf_init(&notes);
	fd_keymap_reset();
	CHECK_INT(fd_keymap_bind("quit", "j", &notes, &err), FD_OK);
	CHECK_CONTAINS(notes.data, "key j was bound to move-down; now quit");
	CHECK_INT(fd_keymap_load("/nonexistent/fleetdeck/config", &notes, &err), FD_OK);
	fd_buf_free(&notes);
	free(path);
	fd_keymap_reset();
}

TEST(keymap_print_lists_defaults)
{
	char *path = fd_xasprintf("%s/keys.txt", fd_test_tmpdir()), *text, *line, *save = NULL;
	FILE *f = fopen(path, "w");
	int lines = 0;

	REQUIRE(f);
	fd_keymap_reset();
	fd_keymap_bind("move-down", "x", NULL, NULL); /* docs show defaults, not config */
	fd_keymap_print(f);
	fclose(f);
	text = slurp(path);
	REQUIRE(text);
	CHECK_CONTAINS(text, "j <Down>\tmove-down\tnext row\n");
	CHECK_CONTAINS(text, "q\tquit\tquit (asks first while an invocation runs)\n");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *tab1 = strchr(line, '\t');
		CHECK(tab1 && strchr(tab1 + 1, '\t'));
		lines++;
	}
	CHECK_INT(lines, FD_REQ_COUNT - 1);
	free(text);
	free(path);
	fd_keymap_reset();
}

TEST(cmdline_find_names_aliases_prefixes)
{
	struct fd_err err = {0};
	const struct fd_ui_cmd *c;

	c = fd_ui_cmd_find("q", &err);
	REQUIRE(c);
	CHECK_INT(c->action, FD_CMD_QUIT);
	c = fd_ui_cmd_find("fns", &err);
	REQUIRE(c);
	CHECK_STR(c->name, "functions");
	c = fd_ui_cmd_find("ris", &err);
	REQUIRE(c);
	CHECK(c->view == &fd_view_risks);
	CHECK(fd_ui_cmd_find("qu", &err) == NULL);
	CHECK_CONTAINS(err.msg, "ambiguous");
	CHECK_CONTAINS(err.msg, ":queues");
	CHECK(fd_ui_cmd_find("zzz", &err) == NULL);
	CHECK_CONTAINS(err.msg, "unknown command :zzz");
	c = fd_ui_cmd_find("queues", &err);
	REQUIRE(c);
	CHECK(c->view == &fd_view_queues);
	CHECK(c->feature == NULL);
}

static void
type(struct fd_line *l, const char *keys)
{
	size_t used;

	while (*keys) {
		int k = fd_key_parse(keys, &used);
		fd_line_key(l, k);
		keys += used;
	}
}

TEST(line_editor_edits_utf8_and_history)
{
	struct fd_history h = {{0}, 0};
	struct fd_line l;

	fd_line_start(&l, ':', &h);
	type(&l, "fn \xc3\xa9t\xc3\xa9<Backspace>");
	CHECK_STR(l.buf, "fn \xc3\xa9t");
	CHECK_INT(fd_line_cursor_col(&l), 5);
	type(&l, "<Left><Left>x<End>y");
	CHECK_STR(l.buf, "fn x\xc3\xa9ty");
	type(&l, "<C-w>");
	CHECK_STR(l.buf, "fn ");
	CHECK_INT(fd_line_key(&l, FD_KEY_ENTER), FD_LINE_ACCEPT);
	fd_line_start(&l, ':', &h);
	type(&l, "risks");
	CHECK_INT(fd_line_key(&l, FD_KEY_ENTER), FD_LINE_ACCEPT);
	CHECK_INT(h.n, 2);
	fd_line_start(&l, ':', &h);
	type(&l, "<Up>");
	CHECK_STR(l.buf, "risks");
	type(&l, "<Up>");
	CHECK_STR(l.buf, "fn ");
	type(&l, "<Down><Down>");
	CHECK_STR(l.buf, "");
	CHECK_INT(fd_line_key(&l, FD_KEY_TAB), FD_LINE_COMPLETE);
	CHECK_INT(fd_line_key(&l, FD_KEY_BACKSPACE), FD_LINE_CANCEL); /* empty line */
	type(&l, "abc<C-a><C-d>");
	CHECK_STR(l.buf, "bc");
	type(&l, "<C-e><C-u>");
	CHECK_STR(l.buf, "");
	CHECK_INT(fd_line_key(&l, FD_KEY_ESC), FD_LINE_CANCEL);
	fd_history_free(&h);
}

static void
headless(int cols, int rows, int ascii, int no_color)
{
	struct fd_draw_opts o = {1, cols, rows, no_color, ascii, 0};
	struct fd_err err = {0};

	setlocale(LC_ALL, "C.UTF-8");
	if (fd_draw_init(&o, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "fd_draw_init: %s", err.msg);
}

static char *
screen(int roles)
{
	char *path = fd_xasprintf("%s/screen%d", fd_test_tmpdir(), roles), *text;
	struct fd_err err = {0};

	if (fd_draw_save(path, roles, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "fd_draw_save: %s", err.msg);
	text = slurp(path);
	free(path);
	return text;
}

TEST(draw_never_emits_control_bytes)
{
	char *text;

	headless(40, 4, 0, 0);
	REQUIRE(fd_draw_active());
	fd_draw_erase();
	fd_draw_text(0, 0, 40, FD_ROLE_NORMAL, "a\x1b]52;c;x\x07" "b\x9b\xff" "c\x7f");
	fd_draw_text(1, 2, 6, FD_ROLE_ERROR, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e!"); /* wide */
	fd_draw_text(2, 38, 10, FD_ROLE_NORMAL, "clipped");
	fd_draw_text(7, 0, 10, FD_ROLE_NORMAL, "off screen");
	text = screen(0);
	REQUIRE(text);
	CHECK_STR(text, "a^[]52;c;x^Gb\xef\xbf\xbd\xef\xbf\xbd" "c^?\n"
			"  \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n"
			"                                      cl\n\n");
	CHECK(!strchr(text, 0x1b) && !strchr(text, 0x07));
	free(text);
	text = screen(1);
	REQUIRE(text);
	CHECK_STR(text, "\n..EEEEEE\n\n\n"); /* normal cells are '.', trimmed at the end */
	free(text);
	fd_draw_end();
	CHECK(!fd_draw_active());
	fd_draw_end(); /* twice is fine */
}

TEST(draw_ascii_fallbacks)
{
	double v[5] = {0, 1, NAN, 5, 10};
	struct fd_buf b;

	headless(20, 4, 1, 1);
	CHECK(!fd_draw_utf8());
	CHECK_INT(fd_draw_colors(), 0);
	CHECK_STR(fd_glyph(FD_GLYPH_HLINE), "-");
	CHECK_STR(fd_glyph(FD_GLYPH_SORT_DOWN), "v");
	fd_buf_init(&b);
	fd_spark(v, 5, 0, &b);
	CHECK_STR(b.data, " : +@");
	fd_buf_reset(&b);
	fd_chart_row(v, 5, 10, 2, 0, &b);
	CHECK_STR(b.data, "    #");
	fd_buf_reset(&b);
	fd_chart_row(v, 5, 10, 2, 1, &b);
	CHECK_STR(b.data, " # ##");
	fd_buf_free(&b);
	fd_draw_text(0, 0, 20, FD_ROLE_NORMAL, "caf\xc3\xa9");
	b.data = screen(0);
	CHECK_CONTAINS(b.data, "caf?\n");
	free(b.data);
	fd_draw_end();
}

TEST(draw_unicode_glyphs)
{
	double v[3] = {0, 5, 10};
	struct fd_buf b;

	headless(20, 4, 0, 0);
	CHECK(fd_draw_utf8());
	CHECK_STR(fd_glyph(FD_GLYPH_HLINE), "\u2500");
	fd_buf_init(&b);
	fd_spark(v, 3, 0, &b);
	CHECK_STR(b.data, "\u2581\u2585\u2588");
	fd_buf_free(&b);
	fd_draw_resize(30, 6);
	fd_draw_hline(5, 0, 30, FD_ROLE_DIM);
	b.data = screen(0);
	CHECK_CONTAINS(b.data, "\n\n\n\n\n\u2500\u2500\u2500");
	free(b.data);
	fd_draw_end();
}

TEST(draw_theme_reports_bad_lines)
{
	char *path = write_tmp("theme", "# mine\nselected = black yellow bold\n"
					"status_prod = 15 196\nnope = red\nerror = red underline\n"
					"header = sparkly\n");
	struct fd_err err = {0};

	headless(20, 4, 0, 0);
	CHECK_INT(fd_draw_theme_load(path, &err), FD_ECONFIG);
	CHECK_CONTAINS(err.msg, "theme line 4: unknown role");
	CHECK_INT(fd_draw_theme_load("/nonexistent/theme", &err), FD_OK);
	fd_draw_end();
	free(path);
}

TEST(regex_case_smart_and_errors)
{
	struct fd_regex *re = NULL;
	struct fd_err err = {0};
	size_t off = 0, len = 0;

	REQUIRE(fd_regex_new("api", &re, &err) == FD_OK);
	CHECK(fd_regex_find(re, "orders-API-x", 12, &off, &len));
	CHECK_INT(off, 7);
	CHECK_INT(len, 3);
	fd_regex_free(re);
	REQUIRE(fd_regex_new("API", &re, &err) == FD_OK);
	CHECK(!fd_regex_find(re, "orders-api", 10, &off, &len));
	fd_regex_free(re);
	CHECK_INT(fd_regex_new("orders(", &re, &err), FD_EINVAL);
	CHECK(re == NULL);
	CHECK_CONTAINS(err.msg, "at offset 7");
}

TEST(text_pane_sections_links_search)
{
	struct fd_text t;
	struct fd_err err = {0};

	memset(&t, 0, sizeof(t));
	fd_text_section(&t, "First");
	fd_text_newline(&t);
	fd_text_put(&t, FD_ROLE_NORMAL, "alpha \x1b[2J");
	fd_text_link(&t, "a");
	fd_text_section(&t, "Second");
	fd_text_newline(&t);
	fd_text_put(&t, FD_ROLE_NORMAL, "beta");
	fd_text_pad(&t, 10);
	fd_text_put(&t, FD_ROLE_DIM, "gamma");
	fd_text_link(&t, "b");
	CHECK_INT(t.n, 5);
	CHECK_STR(t.lines[1].text, "alpha ^[[2J"); /* sanitized on the way in */
	CHECK_STR(t.lines[4].text, "beta      gamma");
	CHECK_INT(t.lines[4].nspans, 3);
	t.rows = 3;
	CHECK(fd_text_request(&t, FD_REQ_NEXT_PANE));
	CHECK_INT(t.cur.sel, 3);
	CHECK(fd_text_request(&t, FD_REQ_MOVE_DOWN));
	CHECK_STR(fd_text_selected_link(&t), "b");
	CHECK_INT(fd_text_search(&t, "ALPHA|gam", &err), FD_OK);
	CHECK_INT(t.cur.sel, 4); /* the current line matches */
	CHECK(fd_text_request(&t, FD_REQ_FIND_NEXT));
	CHECK_INT(t.cur.sel, 4); /* case-sensitive now: only gamma */
	CHECK_INT(fd_text_search(&t, "alpha", &err), FD_OK);
	CHECK_INT(t.cur.sel, 1);
	CHECK_INT(fd_text_search(&t, "nothing", &err), FD_ENOTFOUND);
	CHECK_INT(fd_text_search(&t, "(", &err), FD_EINVAL);
	CHECK(fd_text_select_link(&t, "b"));
	CHECK_INT(t.cur.sel, 4);
	CHECK(fd_text_request(&t, FD_REQ_MOVE_FIRST));
	CHECK_INT(t.cur.sel, 0);
	fd_text_free(&t);
}

TEST(cursor_pages_and_clamps)
{
	struct fd_cursor c = {0, 0};

	CHECK(fd_cursor_request(&c, FD_REQ_PAGE_DOWN, 100, 10));
	CHECK_INT(c.sel, 9);
	CHECK_INT(c.top, 9);
	CHECK(fd_cursor_request(&c, FD_REQ_MOVE_LAST, 100, 10));
	CHECK_INT(c.sel, 99);
	CHECK_INT(c.top, 90);
	fd_cursor_clamp(&c, 5, 10); /* rows went away */
	CHECK_INT(c.sel, 4);
	CHECK_INT(c.top, 0);
	CHECK(!fd_cursor_request(&c, FD_REQ_QUIT, 5, 10));
}

/* Each bucket once in the status bar: "lambda 7/6 lambda 2/49 lambda 2/6" said three
 * different buckets with one name. */
TEST(tui_budget_labels)
{
	static const char *const keys[][2] = {
	    {"lambda:GetFunction", "GetFunction"}, {"lambda:GetPolicy", "GetPolicy"},
	    {"lambda:control", "lambda"},          {"logs:FilterLogEvents", "FilterLogEvents"},
	    {"logs:other", "logs"},                {"monitoring:other", "monitoring"},
	    {"sqs", "sqs"},                        {"sso-oidc", "sso-oidc"},
	    {"", ""}};
	char out[64];
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(keys); i++) {
		fd_tui_budget_label(keys[i][0], out, sizeof(out));
		CHECK_STR(out, keys[i][1]);
	}
	fd_tui_budget_label("lambda:GetFunction", out, 4);
	CHECK_STR(out, "Get");
}

TEST(tui_parse_size)
{
	int c = 0, r = 0;

	CHECK_INT(fd_tui_parse_size("120x40", &c, &r), 0);
	CHECK_INT(c, 120);
	CHECK_INT(r, 40);
	CHECK_INT(fd_tui_parse_size("120", &c, &r), -1);
	CHECK_INT(fd_tui_parse_size("5x5", &c, &r), -1);
	CHECK_INT(fd_tui_parse_size("80x24x", &c, &r), -1);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* The whole loop on an empty offline model, driven by a key script. */
TEST(tui_script_runs_headless)
{
	char *script = write_tmp("keys", "# comment\n@wait-idle\n?\n/PROFILE<Enter>\n"
					 "@save help.txt\n<Esc>\n"
					 ":queues<Enter>\n@save queues.txt\n@resize 60 10\n"
					 ":nope<Enter>\n@save-roles nope.roles\n@quit\nq\n");
	char *help_path = fd_xasprintf("%s/help.txt", fd_test_tmpdir()), *text;
	char *q_path = fd_xasprintf("%s/queues.txt", fd_test_tmpdir());
	char *roles_path = fd_xasprintf("%s/nope.roles", fd_test_tmpdir());
	struct fd_tui_opts o;
	struct fd_app app;
	struct fd_err err = {0};

	setlocale(LC_ALL, "C.UTF-8");
	memset(&app, 0, sizeof(app));
	memset(&o, 0, sizeof(o));
	fd_strlcpy(app.ctx.profile, "test", sizeof(app.ctx.profile));
	REQUIRE(fd_model_new(NULL, NULL, &app.ctx, &o.model, &err) == FD_OK);
	o.app = &app;
	o.headless = 1;
	o.cols = 100;
	o.rows = 30;
	o.script = script;
	o.save_dir = fd_test_tmpdir();
	CHECK_INT(fd_tui_run(&o, &err), 0);
	CHECK(!fd_draw_active());
	text = slurp(help_path);
	CHECK_CONTAINS(text, "fleetdeck \u203a functions \u203a help");
	CHECK_CONTAINS(text, ":ctx [PROFILE [REGION]]"); /* the search scrolled to it */
	free(text);
	text = slurp(q_path);
	CHECK_CONTAINS(text, "fleetdeck \u203a functions \u203a queues");
	CHECK_CONTAINS(text, "No queues (yet).");
	free(text);
	text = slurp(roles_path);
	REQUIRE(text);
	CHECK_INT(count_lines(text), 10);
	CHECK_CONTAINS(text, "\nBBBBB"); /* the status bar */
	CHECK_CONTAINS(text, "\nEEEEE"); /* the error on the message line */
	free(text);
	free(help_path);
	free(q_path);
	free(roles_path);
	free(script);
}

TEST(tui_script_errors_fail_the_run)
{
	char *script = write_tmp("keys", "@save ../escape\n");
	struct fd_tui_opts o;
	struct fd_app app;
	struct fd_err err = {0};

	memset(&app, 0, sizeof(app));
	memset(&o, 0, sizeof(o));
	REQUIRE(fd_model_new(NULL, NULL, &app.ctx, &o.model, &err) == FD_OK);
	o.app = &app;
	o.headless = 1;
	o.script = script;
	CHECK_INT(fd_tui_run(&o, &err), 1);
	CHECK_CONTAINS(err.msg, "no directory");
	free(script);
	o.script = "/nonexistent/keys";
	REQUIRE(fd_model_new(NULL, NULL, &app.ctx, &o.model, &err) == FD_OK);
	CHECK_INT(fd_tui_run(&o, &err), 1);
	CHECK_CONTAINS(err.msg, "FD_TUI_SCRIPT");
}
