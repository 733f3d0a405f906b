/* mute_config.c - the [mute] section of fleetdeck's config file. The INI parser checks
 * the whole file (so a malformed one is a FILE:LINE error); the section is then read
 * line by line here, because function names are case-sensitive (the INI parser
 * lowercases keys) and warnings name the line. The line rules follow ini.c: "key = value"
 * or "key: value", '#'/';' comments, deeper-indented lines continue the value. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/model.h"
#include "fleetdeck/mute_config.h"
#include "fleetdeck/risks.h"

#define MUTE_MAX_FILE (1024 * 1024)

struct mute_scan {
	struct fd_mute_config *c;
	const char *fname;
	struct fd_buf *warnings;
	size_t line;
	int in_mute;
	int have_key;      /* a key was read in this section: deeper lines continue it */
	size_t key_indent;
};

__attribute__((format(printf, 2, 3))) static void
mute_warn(struct mute_scan *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->warnings)
		return;
	fd_buf_printf(s->warnings, "%s:%zu: ", s->fname, s->line);
	va_start(ap, fmt);
	fd_buf_vprintf(s->warnings, fmt, ap);
	va_end(ap);
	fd_buf_putc(s->warnings, '\n');
}

/* Appends the known ids of value to b (comma-separated), warning about the others. */
static void
known_ids(struct mute_scan *s, const char *function, const char *value, struct fd_buf *b)
{
	char *copy = fd_xstrdup(value), *save = NULL, *tok;

	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "*") != 0 && !fd_risk_check_find(tok)) {
			mute_warn(s, "[mute] %s: unknown check id \"%s\" (ignored)", function, tok);
			continue;
		}
		fd_buf_printf(b, "%s%s", b->len ? "," : "", tok);
	}
	free(copy);
}

static void
add_rule(struct mute_scan *s, const char *function, const char *value)
{
	struct fd_mute_config *c = s->c;
	struct fd_mute_rule *r;
	struct fd_buf b;

	fd_buf_init(&b);
	if (!*value)
		mute_warn(s, "[mute] %s: no check ids", function);
	known_ids(s, function, value, &b);
	c->rules = fd_xreallocarray(c->rules, c->n + 1, sizeof(*c->rules));
	r = &c->rules[c->n++];
	r->function = fd_xstrdup(function);
	r->ids = fd_buf_steal(&b);
	r->line = s->line;
}

/* A deeper-indented line after a rule: more ids for it. */
static void
continue_rule(struct mute_scan *s, const char *line)
{
	struct fd_mute_rule *r = &s->c->rules[s->c->n - 1];
	struct fd_buf b;

	fd_buf_init(&b);
	fd_buf_puts(&b, r->ids);
	known_ids(s, r->function, line, &b);
	free(r->ids);
	r->ids = fd_buf_steal(&b);
}

static void
scan_line(struct mute_scan *s, char *raw)
{
	size_t indent = strspn(raw, " \t");
	char *line = fd_str_trim(raw), *d;

	if (!*line || *line == '#' || *line == ';')
		return;
	if (s->have_key && indent > s->key_indent) {
		if (s->in_mute)
			continue_rule(s, line);
		return;
	}
	if (*line == '[') {
		line[strlen(line) - 1] = '\0'; /* the INI parser checked the ']' */
		s->in_mute = strcmp(fd_str_trim(line + 1), "mute") == 0;
		s->have_key = 0;
		return;
	}
	s->have_key = 1;
	s->key_indent = indent;
	if (!s->in_mute)
		return;
	d = line + strcspn(line, "=:");
	*d = '\0';
	add_rule(s, fd_str_trim(line), fd_str_trim(d + 1));
}

static void
scan_text(struct mute_scan *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fd_xstrndup(p, n);

		s->line++;
		scan_line(s, line);
		free(line);
		p += n + (nl ? 1 : 0);
	}
}

enum fd_status
fd_mute_config_parse(const char *text, size_t len, const char *fname, struct fd_mute_config *out,
		     struct fd_buf *warnings, struct fd_err *err)
{
	struct ini_file *ini = NULL;
	struct mute_scan s;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	fname = fname ? fname : "(config)";
	st = ini_parse(text ? text : "", text ? len : 0, fname, &ini, err);
	ini_free(ini);
	if (st != FD_OK)
		return st;
	memset(&s, 0, sizeof(s));
	s.c = out;
	s.fname = fname;
	s.warnings = warnings;
	if (text)
		scan_text(&s, text, len);
	return FD_OK;
}

enum fd_status
fd_mute_config_load(const char *path, struct fd_mute_config *out, struct fd_buf *warnings,
		    struct fd_err *err)
{
	struct fd_buf b;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	fd_buf_init(&b);
	st = fd_read_file(path, MUTE_MAX_FILE, &b, err);
	if (st == FD_ENOTFOUND) {
		fd_err_clear(err);
		st = FD_OK;
	} else if (st == FD_OK) {
		st = fd_mute_config_parse(b.data, b.len, path, out, warnings, err);
	}
	fd_buf_free(&b);
	return st;
}

void
fd_mute_config_free(struct fd_mute_config *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->rules[i].function);
		free(c->rules[i].ids);
	}
	free(c->rules);
	memset(c, 0, sizeof(*c));
}

/* True when an earlier rule than i names the same function. */
static int
seen_before(const struct fd_mute_config *c, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (strcmp(c->rules[k].function, c->rules[i].function) == 0)
			return 1;
	return 0;
}

void
fd_mute_config_apply(const struct fd_mute_config *c, struct fd_model *m)
{
	size_t i, j;

	for (i = 0; i < c->n; i++)
		fd_model_mute(m, c->rules[i].function, c->rules[i].ids);
	/* the model looks up a function's own list before "*": give it both */
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->rules[i].function, "*") == 0 || seen_before(c, i))
			continue;
		for (j = 0; j < c->n; j++)
			if (strcmp(c->rules[j].function, "*") == 0)
				fd_model_mute(m, c->rules[i].function, c->rules[j].ids);
	}
}

enum fd_status
fd_mute_config_apply_default(struct fd_model *m, struct fd_buf *warnings, struct fd_err *err)
{
	char *path = fd_keymap_default_path();
	struct fd_mute_config c;
	enum fd_status st;

	if (!path)
		return FD_OK;
	st = fd_mute_config_load(path, &c, warnings, err);
	if (st == FD_OK)
		fd_mute_config_apply(&c, m);
	fd_mute_config_free(&c);
	free(path);
	return st;
}
