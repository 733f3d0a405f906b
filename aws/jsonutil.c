/* jsonutil.c - a strict JSON scanner (RFC 8259: no trailing commas, no comments,
 * no leading zeros or '+', UTF-8 only) used to validate, to find members and to
 * re-indent without ever re-rendering a number or a string; and the cJSON accessors
 * every aws/ parser shares (json_int.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/jsonutil.h"
#include "json_int.h"

struct scan {
	const char *s;
	size_t n, i;
	int depth;
	const char *err;
};

static int value(struct scan *sc);

static int
fail(struct scan *sc, const char *why)
{
	if (!sc->err)
		sc->err = why;
	return 0;
}

static void
skip_ws(struct scan *sc)
{
	while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
	                         sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

static int
peek(const struct scan *sc)
{
	return sc->i < sc->n ? (unsigned char)sc->s[sc->i] : -1;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the UTF-8 sequence at s[0..n) (1..4), 0 when invalid or overlong. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, k;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3Fu);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

static int
escape(struct scan *sc)
{
	int c = peek(sc), k;

	if (c < 0)
		return fail(sc, "unterminated string");
	if (strchr("\"\\/bfnrt", c) && c) {
		sc->i++;
		return 1;
	}
	if (c != 'u')
		return fail(sc, "invalid escape in string");
	sc->i++;
	for (k = 0; k < 4; k++, sc->i++)
		if (!is_hex(peek(sc)))
			return fail(sc, "\\u needs four hex digits");
	return 1;
}

static int
string(struct scan *sc)
{
	sc->i++; /* the opening quote */
	for (;;) {
		int c = peek(sc);
		size_t len;
		if (c < 0)
			return fail(sc, "unterminated string");
		if (c == '"') {
			sc->i++;
			return 1;
		}
		if (c < 0x20)
			return fail(sc, "control character in string (escape it)");
		if (c == '\\') {
			sc->i++;
			if (!escape(sc))
				return 0;
			continue;
		}
		len = utf8_len((const unsigned char *)sc->s + sc->i, sc->n - sc->i);
		if (!len)
			return fail(sc, "invalid UTF-8 in string");
		sc->i += len;
	}
}

static int
digits(struct scan *sc)
{
	size_t start = sc->i;

	while (peek(sc) >= '0' && peek(sc) <= '9')
		sc->i++;
	return sc->i > start;
}

static int
number(struct scan *sc)
{
	if (peek(sc) == '-')
		sc->i++;
	if (peek(sc) == '0') {
		sc->i++;
		if (peek(sc) >= '0' && peek(sc) <= '9')
			return fail(sc, "leading zero in number");
	} else if (!digits(sc)) {
		return fail(sc, "invalid number");
	}
	if (peek(sc) == '.') {
		sc->i++;
		if (!digits(sc))
			return fail(sc, "digits expected after '.'");
	}
	if (peek(sc) == 'e' || peek(sc) == 'E') {
		sc->i++;
		if (peek(sc) == '+' || peek(sc) == '-')
			sc->i++;
		if (!digits(sc))
			return fail(sc, "digits expected in exponent");
	}
	return 1;
}

static int
literal(struct scan *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->n - sc->i < n || memcmp(sc->s + sc->i, word, n) != 0)
		return fail(sc, "unexpected character");
	sc->i += n;
	return 1;
}

/* Elements of an object (is_obj) or array after the opening bracket. */
static int
members(struct scan *sc, int is_obj)
{
	int close = is_obj ? '}' : ']';

	sc->i++;
	if (++sc->depth > FD_JSON_MAX_DEPTH)
		return fail(sc, "nested too deeply");
	skip_ws(sc);
	if (peek(sc) == close) {
		sc->i++;
		sc->depth--;
		return 1;
	}
	for (;;) {
		skip_ws(sc);
		if (is_obj) {
			if (peek(sc) != '"')
				return fail(sc, peek(sc) == '}' ? "trailing comma before '}'"
				                                : "expected a \"key\"");
			if (!string(sc))
				return 0;
			skip_ws(sc);
			if (peek(sc) != ':')
				return fail(sc, "expected ':' after the key");
			sc->i++;
		}
		if (!value(sc))
			return 0;
		skip_ws(sc);
		if (peek(sc) == close) {
			sc->i++;
			sc->depth--;
			return 1;
		}
		if (peek(sc) != ',')
			return fail(sc, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
		sc->i++;
		skip_ws(sc);
		if (!is_obj && peek(sc) == ']')
			return fail(sc, "trailing comma before ']'");
	}
}

static int
value(struct scan *sc)
{
	int c;

	skip_ws(sc);
	c = peek(sc);
	switch (c) {
	case -1:
		return fail(sc, "unexpected end of input");
	case '{':
	case '[':
		return members(sc, c == '{');
	case '"':
		return string(sc);
	case 't':
		return literal(sc, "true");
	case 'f':
		return literal(sc, "false");
	case 'n':
		return literal(sc, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return number(sc);
		return fail(sc, c == '\'' ? "strings take double quotes" : "unexpected character");
	}
}

static void
locate(const char *s, size_t off, struct fd_json_error *e)
{
	size_t i;

	e->offset = off;
	e->line = 1;
	e->col = 1;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			e->line++;
			e->col = 1;
		} else if (((unsigned char)s[i] & 0xC0) != 0x80) {
			e->col++;
		}
	}
}

int
fd_json_validate(const char *text, size_t len, struct fd_json_error *e)
{
	struct scan sc = {text, len, 0, 0, NULL};
	int ok = text != NULL && value(&sc);

	if (ok) {
		skip_ws(&sc);
		if (sc.i < sc.n)
			ok = fail(&sc, "unexpected text after the JSON value");
	}
	if (!ok && e) {
		memset(e, 0, sizeof(*e));
		locate(text ? text : "", text ? FD_MIN(sc.i, len) : 0, e);
		fd_strlcpy(e->msg, sc.err ? sc.err : "not JSON", sizeof(e->msg));
	}
	return ok;
}

/* Compares a raw JSON string token (quotes included) with key. Escaped keys never
 * match: fleetdeck only looks up plain ASCII keys. */
static int
key_is(const char *tok, size_t n, const char *key)
{
	size_t k = strlen(key);

	return n == k + 2 && memcmp(tok + 1, key, k) == 0;
}

int
fd_json_member(const char *text, size_t len, const char *key, size_t *off, size_t *n)
{
	struct scan sc = {text, len, 0, 0, NULL};
	int found = 0;

	skip_ws(&sc);
	if (peek(&sc) != '{')
		return 0;
	sc.i++;
	for (;;) {
		size_t kstart, kend, vstart;
		skip_ws(&sc);
		if (peek(&sc) != '"')
			return found;
		kstart = sc.i;
		if (!string(&sc))
			return 0;
		kend = sc.i;
		skip_ws(&sc);
		if (peek(&sc) != ':')
			return 0;
		sc.i++;
		skip_ws(&sc);
		vstart = sc.i;
		if (!value(&sc))
			return 0;
		if (key_is(text + kstart, kend - kstart, key)) {
			*off = vstart;
			*n = sc.i - vstart;
			found = 1;
		}
		skip_ws(&sc);
		if (peek(&sc) != ',')
			return found;
		sc.i++;
	}
}

static void
put_utf8(struct fd_buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		fd_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		fd_buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		fd_buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		fd_buf_append(b, u, 4);
	}
}

static unsigned
hex4(const char *p)
{
	char tmp[5];

	memcpy(tmp, p, 4);
	tmp[4] = '\0';
	return (unsigned)strtoul(tmp, NULL, 16);
}

/* Decodes a \u escape at p (after the backslash-u); returns the bytes consumed. */
static size_t
unicode_escape(const char *p, const char *end, struct fd_buf *b)
{
	unsigned cp = hex4(p), lo;

	if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 10 && p[4] == '\\' && p[5] == 'u') {
		lo = hex4(p + 6);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			put_utf8(b, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
			return 10;
		}
	}
	put_utf8(b, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
	return 4;
}

static void
unescape(const char *s, size_t n, struct fd_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = s, *end = s + n;

	while (p < end) {
		const char *q;
		if (*p != '\\' || p + 1 >= end) {
			fd_buf_putc(b, *p++);
			continue;
		}
		p++;
		if (*p == 'u' && end - p >= 5) {
			p += 1 + unicode_escape(p + 1, end, b);
			continue;
		}
		q = strchr(from, *p);
		fd_buf_putc(b, q && *q ? to[q - from] : *p);
		p++;
	}
}

char *
fd_json_member_string(const char *text, size_t len, const char *key)
{
	struct fd_buf b;
	size_t off, n;

	if (!fd_json_member(text, len, key, &off, &n) || n < 2 || text[off] != '"')
		return NULL;
	fd_buf_init(&b);
	unescape(text + off + 1, n - 2, &b);
	return fd_buf_steal(&b);
}

static void
newline(struct fd_buf *out, int indent, int depth)
{
	if (indent <= 0)
		return;
	fd_buf_putc(out, '\n');
	fd_buf_printf(out, "%*s", indent * depth, "");
}

/* Copies the string token at text[*i] verbatim. */
static void
copy_string(const char *text, size_t len, size_t *i, struct fd_buf *out)
{
	size_t start = (*i)++;

	while (*i < len && text[*i] != '"')
		*i += text[*i] == '\\' ? 2 : 1;
	(*i)++;
	fd_buf_append(out, text + start, FD_MIN(*i, len) - start);
}

static int
close_empty(const char *text, size_t len, size_t *i, struct fd_buf *out)
{
	size_t j = *i + 1;
	char close = text[*i] == '{' ? '}' : ']';

	while (j < len && strchr(" \t\r\n", text[j]))
		j++;
	if (j >= len || text[j] != close)
		return 0;
	fd_buf_putc(out, text[*i]);
	fd_buf_putc(out, close);
	*i = j + 1;
	return 1;
}

int
fd_json_pretty(const char *text, size_t len, int indent, struct fd_buf *out)
{
	size_t i = 0;
	int depth = 0;

	if (!fd_json_validate(text, len, NULL)) {
		fd_buf_append(out, text ? text : "", text ? len : 0);
		return 0;
	}
	while (i < len) {
		char c = text[i];
		if (c == '"') {
			copy_string(text, len, &i, out);
		} else if ((c == '{' || c == '[') && !close_empty(text, len, &i, out)) {
			fd_buf_putc(out, c);
			newline(out, indent, ++depth);
			i++;
		} else if (c == '}' || c == ']') {
			newline(out, indent, --depth);
			fd_buf_putc(out, c);
			i++;
		} else if (c == ',') {
			fd_buf_putc(out, c);
			newline(out, indent, depth);
			i++;
		} else if (c == ':') {
			fd_buf_puts(out, indent > 0 ? ": " : ":");
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c != '{' && c != '[') {
			fd_buf_putc(out, c);
			i++;
		}
	}
	return 1;
}

/* ---- cJSON accessors for the aws/ parsers ---- */

const cJSON *
cj_member(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *
cj_str(const cJSON *o, const char *key)
{
	const cJSON *v = cj_member(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *
cj_str_nonempty(const cJSON *o, const char *key)
{
	const char *s = cj_str(o, key);

	return s && s[0] ? s : NULL;
}

double
cj_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cj_member(o, key);

	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

long long
cj_long(const cJSON *o, const char *key, long long dflt)
{
	double v = cj_num(o, key, NAN);

	if (isnan(v) || fabs(v) > CJ_INT_MAX_ABS)
		return dflt;
	return (long long)v;
}

/* The parsed object, or NULL with *bad_at the byte where the syntax broke (0 when it
 * parsed but is not an object, or there was nothing to parse). */
static cJSON *
parse_object(const char *json, size_t len, size_t *bad_at)
{
	const char *end = NULL;
	cJSON *doc = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;

	if (cJSON_IsObject(doc))
		return doc;
	cJSON_Delete(doc);
	*bad_at = end && end >= json ? (size_t)(end - json) : 0;
	return NULL;
}

cJSON *
cj_parse_object(const char *what, const char *json, size_t len, struct fd_err *err)
{
	size_t at = 0;
	cJSON *doc = parse_object(json, len, &at);

	if (!doc)
		fd_err_set(err, FD_EPARSE, "%s: answer is not a JSON object (%zu bytes)", what,
		           len);
	return doc;
}

cJSON *
cj_parse_object_at(const char *what, const char *json, size_t len, struct fd_err *err)
{
	size_t at = 0;
	cJSON *doc = parse_object(json, len, &at);

	if (!doc)
		fd_err_set(err, FD_EPARSE,
		           "%s: answer is not a JSON object (%zu bytes, bad at byte %zu)", what,
		           len, at);
	return doc;
}
