/* events_json.c - the small JSON writer the templates and event wrappers use (src/
 * may not include cJSON): compact output with automatic commas; strings escaped
 * with invalid UTF-8 replaced, so whatever a message body holds, the result parses. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/events.h"

void
fd_jw_init(struct fd_jw *w, struct fd_buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = 1;
}

/* Separator before a value or key at the current level. */
static void
sep(struct fd_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		fd_buf_putc(w->out, ',');
	w->first[w->depth] = 0;
}

static void
open_level(struct fd_jw *w, char c)
{
	sep(w);
	fd_buf_putc(w->out, c);
	if (w->depth + 1 >= FD_JW_DEPTH)
		fd_fatal("fd_jw: nested deeper than %d", FD_JW_DEPTH);
	w->first[++w->depth] = 1;
	w->close[w->depth] = c == '{' ? '}' : ']';
}

void
fd_jw_obj(struct fd_jw *w)
{
	open_level(w, '{');
}

void
fd_jw_arr(struct fd_jw *w)
{
	open_level(w, '[');
}

void
fd_jw_end(struct fd_jw *w)
{
	if (w->depth <= 0)
		return;
	fd_buf_putc(w->out, w->close[w->depth]);
	w->depth--;
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	size_t k;

	if (s[0] >= 0xF5 || !len || len > n)
		return 0;
	for (k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
		return 0;
	return len;
}

static void
put_escaped(struct fd_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fd_buf_putc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t len;
		if (c == '"' || c == '\\') {
			fd_buf_putc(b, '\\');
			fd_buf_putc(b, (char)c);
		} else if (c == '\n') {
			fd_buf_puts(b, "\\n");
		} else if (c == '\t') {
			fd_buf_puts(b, "\\t");
		} else if (c == '\r') {
			fd_buf_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			fd_buf_printf(b, "\\u%04x", c);
		} else if (c >= 0x80) {
			len = utf8_seq(p + i, n - i);
			if (!len) {
				fd_buf_puts(b, "\\ufffd");
				i++;
				continue;
			}
			fd_buf_append(b, p + i, len);
			i += len;
			continue;
		} else {
			fd_buf_putc(b, (char)c);
		}
		i++;
	}
	fd_buf_putc(b, '"');
}

void
fd_jw_key(struct fd_jw *w, const char *key)
{
	sep(w);
	put_escaped(w->out, key, strlen(key));
	fd_buf_putc(w->out, ':');
	w->after_key = 1;
}

void
fd_jw_strn(struct fd_jw *w, const char *s, size_t n)
{
	sep(w);
	put_escaped(w->out, s ? s : "", s ? n : 0);
}

void
fd_jw_str(struct fd_jw *w, const char *s)
{
	if (!s) {
		fd_jw_null(w);
		return;
	}
	fd_jw_strn(w, s, strlen(s));
}

void
fd_jw_int(struct fd_jw *w, long long v)
{
	sep(w);
	fd_buf_printf(w->out, "%lld", v);
}

void
fd_jw_num(struct fd_jw *w, double v)
{
	if (!isfinite(v)) {
		fd_jw_null(w);
		return;
	}
	sep(w);
	fd_buf_printf(w->out, "%.17g", v);
}

void
fd_jw_bool(struct fd_jw *w, int v)
{
	sep(w);
	fd_buf_puts(w->out, v ? "true" : "false");
}

void
fd_jw_null(struct fd_jw *w)
{
	sep(w);
	fd_buf_puts(w->out, "null");
}

void
fd_jw_raw(struct fd_jw *w, const char *json, size_t n)
{
	sep(w);
	fd_buf_append(w->out, json, n);
}

void
fd_jw_kstr(struct fd_jw *w, const char *key, const char *s)
{
	fd_jw_key(w, key);
	fd_jw_str(w, s);
}

void
fd_jw_kint(struct fd_jw *w, const char *key, long long v)
{
	fd_jw_key(w, key);
	fd_jw_int(w, v);
}

void
fd_jw_kbool(struct fd_jw *w, const char *key, int v)
{
	fd_jw_key(w, key);
	fd_jw_bool(w, v);
}
