/* xml.c - a small strict XML reader for STS answers (see xml.h). */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/util.h"
#include "fleetdeck/xml.h"

#define XML_MAX_INPUT (1024 * 1024)
#define XML_MAX_DEPTH 64
#define XML_MAX_NODES 20000

struct xml_parser {
	const char *start, *p, *end;
	struct xml_node *root, *cur;
	size_t depth, nodes;
	int closed; /* the root element has ended */
	struct fd_err *err;
};

static enum fd_status
xml_fail(struct xml_parser *x, const char *what)
{
	return fd_err_set(x->err, FD_EPARSE, "XML: offset %zu: %s", (size_t)(x->p - x->start),
	                  what);
}

static int
xml_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
xml_is_name_char(char c)
{
	return c && !xml_is_space(c) && !strchr("<>/=\"'&?!", c);
}

static const char *
xml_find_str(const struct xml_parser *x, const char *from, const char *needle)
{
	size_t n = strlen(needle);
	const char *q;

	for (q = from; q + n <= x->end; q++)
		if (memcmp(q, needle, n) == 0)
			return q;
	return NULL;
}

static int
xml_starts(const struct xml_parser *x, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

/* Appends n bytes to node text; the old copy is wiped because text may be secret. */
static void
xml_text_append(struct xml_node *node, const char *s, size_t n)
{
	size_t old = strlen(node->text);
	char *t = fd_xmalloc(old + n + 1);

	memcpy(t, node->text, old);
	memcpy(t + old, s, n);
	t[old + n] = '\0';
	fd_secure_free(node->text);
	node->text = t;
}

static void
xml_put_utf8(struct fd_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	fd_buf_append(b, u, n);
}

/* Decodes "&...;" at s (length n, without the '&' and ';'). */
static int
xml_entity(const char *s, size_t n, struct fd_buf *b)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
	unsigned long cp = 0;
	size_t i;
	int hex;

	for (i = 0; i < FD_ARRAY_LEN(named); i++) {
		if (strlen(named[i].name) == n && memcmp(s, named[i].name, n) == 0) {
			fd_buf_putc(b, named[i].c);
			return 0;
		}
	}
	if (n < 2 || s[0] != '#')
		return -1;
	hex = s[1] == 'x';
	for (i = hex ? 2 : 1; i < n; i++) {
		const char *digits = "0123456789abcdef";
		const char *d = memchr(digits, s[i] | 0x20, hex ? 16 : 10);
		if (!d || cp > 0x10FFFF)
			return -1;
		cp = cp * (hex ? 16 : 10) + (unsigned long)(d - digits);
	}
	if (i == (hex ? 2u : 1u) || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	xml_put_utf8(b, cp);
	return 0;
}

static enum fd_status
xml_decode(struct xml_parser *x, const char *s, size_t n, struct fd_buf *b)
{
	size_t i = 0;

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		const char *semi;
		size_t run = amp ? (size_t)(amp - (s + i)) : n - i;

		fd_buf_append(b, s + i, run);
		i += run;
		if (!amp)
			break;
		semi = memchr(amp, ';', FD_MIN(n - i, (size_t)12));
		if (!semi || xml_entity(amp + 1, (size_t)(semi - amp - 1), b) != 0)
			return xml_fail(x, "bad entity reference");
		i += (size_t)(semi - amp) + 1;
	}
	return FD_OK;
}

static enum fd_status
xml_text(struct xml_parser *x)
{
	const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
	const char *stop = lt ? lt : x->end;
	struct fd_buf b;
	enum fd_status st = FD_OK;
	const char *q;

	if (!x->cur) {
		for (q = x->p; q < stop; q++)
			if (!xml_is_space(*q))
				return xml_fail(x, "text outside the root element");
		x->p = stop;
		return FD_OK;
	}
	fd_buf_init(&b);
	st = xml_decode(x, x->p, (size_t)(stop - x->p), &b);
	if (st == FD_OK && b.len)
		xml_text_append(x->cur, b.data, b.len);
	fd_buf_secure_free(&b);
	x->p = stop;
	return st;
}

static enum fd_status
xml_skip_to(struct xml_parser *x, const char *open, const char *close)
{
	const char *q = xml_find_str(x, x->p + strlen(open), close);

	if (!q)
		return xml_fail(x, "unterminated comment or declaration");
	x->p = q + strlen(close);
	return FD_OK;
}

static enum fd_status
xml_cdata(struct xml_parser *x)
{
	const char *body = x->p + 9;
	const char *q = xml_find_str(x, body, "]]>");

	if (!x->cur)
		return xml_fail(x, "CDATA outside the root element");
	if (!q)
		return xml_fail(x, "unterminated CDATA");
	xml_text_append(x->cur, body, (size_t)(q - body));
	x->p = q + 3;
	return FD_OK;
}

/* Reads a name at x->p; returns its local part (after the last ':'). */
static char *
xml_name(struct xml_parser *x)
{
	const char *s = x->p, *local;

	while (x->p < x->end && xml_is_name_char(*x->p))
		x->p++;
	if (x->p == s)
		return NULL;
	local = x->p;
	while (local > s && local[-1] != ':')
		local--;
	if (local == x->p)
		return NULL;
	return fd_xstrndup(local, (size_t)(x->p - local));
}

/* Skips attributes; stops at '>' or "/>". Returns 1 for self-closing, 0 open, -1 bad. */
static int
xml_skip_attrs(struct xml_parser *x)
{
	while (x->p < x->end) {
		char c = *x->p;
		if (c == '>') {
			x->p++;
			return 0;
		}
		if (c == '/' && x->p + 1 < x->end && x->p[1] == '>') {
			x->p += 2;
			return 1;
		}
		if (c == '"' || c == '\'') {
			const char *q = memchr(x->p + 1, c, (size_t)(x->end - x->p - 1));
			if (!q)
				return -1;
			x->p = q + 1;
			continue;
		}
		if (c == '<')
			return -1;
		x->p++;
	}
	return -1;
}

static void
xml_attach(struct xml_parser *x, struct xml_node *node)
{
	node->parent = x->cur;
	if (!x->cur) {
		x->root = node;
	} else if (x->cur->last) {
		x->cur->last->next = node;
		x->cur->last = node;
	} else {
		x->cur->child = node;
		x->cur->last = node;
	}
}

static enum fd_status
xml_open_tag(struct xml_parser *x)
{
	struct xml_node *node;
	char *name;
	int self;

	if (x->closed)
		return xml_fail(x, "more than one root element");
	if (x->depth >= XML_MAX_DEPTH || x->nodes >= XML_MAX_NODES)
		return xml_fail(x, "document too deep or too large");
	x->p++;
	name = xml_name(x);
	if (!name)
		return xml_fail(x, "bad element name");
	self = xml_skip_attrs(x);
	if (self < 0) {
		free(name);
		return xml_fail(x, "bad start tag");
	}
	node = fd_xcalloc(1, sizeof(*node));
	node->name = name;
	node->text = fd_xstrdup("");
	xml_attach(x, node);
	x->nodes++;
	if (self) {
		x->closed = x->cur == NULL;
		return FD_OK;
	}
	x->cur = node;
	x->depth++;
	return FD_OK;
}

static enum fd_status
xml_close_tag(struct xml_parser *x)
{
	char *name;
	int ok;

	x->p += 2;
	name = xml_name(x);
	while (x->p < x->end && xml_is_space(*x->p))
		x->p++;
	ok = name && x->cur && x->p < x->end && *x->p == '>' && strcmp(name, x->cur->name) == 0;
	free(name);
	if (!ok)
		return xml_fail(x, "mismatched end tag");
	x->p++;
	x->cur = x->cur->parent;
	x->depth--;
	x->closed = x->cur == NULL;
	return FD_OK;
}

static enum fd_status
xml_markup(struct xml_parser *x)
{
	if (xml_starts(x, "<?"))
		return xml_skip_to(x, "<?", "?>");
	if (xml_starts(x, "<!--"))
		return xml_skip_to(x, "<!--", "-->");
	if (xml_starts(x, "<![CDATA["))
		return xml_cdata(x);
	if (xml_starts(x, "<!"))
		return xml_fail(x, "DTDs are not accepted");
	if (xml_starts(x, "</"))
		return xml_close_tag(x);
	return xml_open_tag(x);
}

enum fd_status
xml_parse(const char *text, size_t len, struct xml_node **out, struct fd_err *err)
{
	struct xml_parser x = {text, text, text + len, NULL, NULL, 0, 0, 0, err};
	enum fd_status st = FD_OK;

	*out = NULL;
	if (len > XML_MAX_INPUT)
		return fd_err_set(err, FD_EPARSE, "XML: document larger than %d bytes",
		                  XML_MAX_INPUT);
	if (memchr(text, '\0', len))
		return fd_err_set(err, FD_EPARSE, "XML: NUL byte in document");
	while (st == FD_OK && x.p < x.end)
		st = *x.p == '<' ? xml_markup(&x) : xml_text(&x);
	if (st == FD_OK && !x.root)
		st = fd_err_set(err, FD_EPARSE, "XML: no root element");
	else if (st == FD_OK && x.cur)
		st = fd_err_set(err, FD_EPARSE, "XML: unexpected end of document inside <%s>",
		                x.cur->name);
	if (st != FD_OK) {
		xml_free(x.root);
		return st;
	}
	*out = x.root;
	return FD_OK;
}

void
xml_free(struct xml_node *root)
{
	struct xml_node *n = root, *next;

	/* Iterative post-order walk: no recursion on untrusted depth. */
	while (n) {
		if (n->child) {
			next = n->child;
			n->child = NULL;
			n = next;
			continue;
		}
		next = n == root ? NULL : n->next ? n->next : n->parent;
		free(n->name);
		fd_secure_free(n->text);
		free(n);
		n = next;
	}
}

const struct xml_node *
xml_child(const struct xml_node *n, const char *name)
{
	const struct xml_node *c;

	for (c = n ? n->child : NULL; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct xml_node *
xml_path(const struct xml_node *n, const char *path)
{
	char part[128];

	while (n && *path) {
		size_t len = strcspn(path, "/");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		n = xml_child(n, part);
		path += len;
		if (*path == '/')
			path++;
	}
	return n;
}

const char *
xml_path_text(const struct xml_node *n, const char *path)
{
	const struct xml_node *e = xml_path(n, path);

	return e ? e->text : NULL;
}

const struct xml_node *
xml_find(const struct xml_node *n, const char *name)
{
	const struct xml_node *top = n;

	/* Iterative pre-order walk bounded by the tree itself. */
	while (n) {
		if (strcmp(n->name, name) == 0)
			return n;
		if (n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
	return NULL;
}
