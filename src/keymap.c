/* keymap.c - the request table from requests.def, key names, and the bindings:
 * defaults and the user's [keys] section go through the same fd_keymap_bind(). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/keymap.h"

#define MAX_BINDINGS 256
#define MAX_KEYS_PER_REQ 8

static const struct fd_request_info requests[] = {
#define X(id, name, keys, group, help) {id, name, keys, group, help},
#include "requests.def"
#undef X
};

static const char *const special_names[] = {
#define FD_KEY_NAME(id, name) [id - FD_KEY_BASE - 1] = name,
	FD_KEY_LIST(FD_KEY_NAME)
#undef FD_KEY_NAME
};

struct binding {
	int key;
	enum fd_request req;
};

static struct binding bindings[MAX_BINDINGS];
static size_t nbindings;
static int bindings_ready;

const struct fd_request_info *
fd_request_info(enum fd_request r)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(requests); i++)
		if (requests[i].req == r)
			return &requests[i];
	return NULL;
}

enum fd_request
fd_request_find(const char *name)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(requests); i++)
		if (strcmp(requests[i].name, name) == 0)
			return requests[i].req;
	return FD_REQ_NONE;
}

/* "Up", "Space", "lt", "C-r" (inside the angle brackets). */
static int
named_key(const char *s, size_t n)
{
	size_t i;

	if (n == 3 && (s[0] == 'C' || s[0] == 'c') && s[1] == '-' && isalpha((unsigned char)s[2]))
		return FD_KEY_CTRL(tolower((unsigned char)s[2]));
	if (n == 5 && strncasecmp(s, "Space", n) == 0)
		return FD_KEY_SPACE;
	if (n == 2 && strncasecmp(s, "lt", n) == 0)
		return '<';
	if (n == 6 && strncasecmp(s, "Return", n) == 0)
		return FD_KEY_ENTER;
	for (i = 0; i < FD_ARRAY_LEN(special_names); i++)
		if (strlen(special_names[i]) == n && strncasecmp(s, special_names[i], n) == 0)
			return FD_KEY_BASE + 1 + (int)i;
	return FD_KEY_NONE;
}

static int
utf8_key(const unsigned char *s, size_t *used)
{
	int len = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
	int cp, i;

	if (!len)
		return FD_KEY_NONE;
	cp = len == 1 ? s[0] : s[0] & (0x7F >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return FD_KEY_NONE;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*used = (size_t)len;
	return cp;
}

int
fd_key_parse(const char *s, size_t *used)
{
	const char *gt;
	int k;

	*used = 0;
	if (!s || !*s)
		return FD_KEY_NONE;
	if (s[0] == '<' && (gt = strchr(s + 1, '>')) && gt > s + 1) {
		k = named_key(s + 1, (size_t)(gt - s - 1));
		if (k != FD_KEY_NONE) {
			*used = (size_t)(gt - s + 1);
			return k;
		}
	}
	return utf8_key((const unsigned char *)s, used);
}

static void
put_utf8(int cp, char *out, size_t n)
{
	char b[5] = {0};

	if (cp < 0x80) {
		b[0] = (char)cp;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
	}
	snprintf(out, n, "%s", b);
}

void
fd_key_name(int key, char *out, size_t n)
{
	if (key > FD_KEY_BASE && key < FD_KEY_LAST)
		snprintf(out, n, "<%s>", special_names[key - FD_KEY_BASE - 1]);
	else if (key == FD_KEY_SPACE)
		snprintf(out, n, "<Space>");
	else if (key > 0 && key < 0x20)
		snprintf(out, n, "<C-%c>", key + 'a' - 1);
	else if (key > 0 && key < FD_KEY_BASE)
		put_utf8(key, out, n);
	else
		snprintf(out, n, "?");
}

/* Keeps the order: the help screen lists keys as they were bound. */
static void
remove_at(size_t i)
{
	memmove(&bindings[i], &bindings[i + 1], (nbindings - i - 1) * sizeof(bindings[0]));
	nbindings--;
}

static void
unbind_key(int key)
{
	size_t i;

	for (i = 0; i < nbindings; i++) {
		if (bindings[i].key == key) {
			remove_at(i);
			return;
		}
	}
}

static void
unbind_request(enum fd_request r)
{
	size_t i = 0;

	while (i < nbindings) {
		if (bindings[i].req == r)
			remove_at(i);
		else
			i++;
	}
}

static void note(struct fd_buf *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct fd_buf *notes, const char *fmt, ...)
{
	va_list ap;

	if (!notes)
		return;
	if (notes->len)
		fd_buf_putc(notes, '\n');
	va_start(ap, fmt);
	fd_buf_vprintf(notes, fmt, ap);
	va_end(ap);
}

static const char *
request_name(enum fd_request r)
{
	const struct fd_request_info *ri = fd_request_info(r);

	return ri ? ri->name : "?";
}

static void
bind_one(int key, enum fd_request req, struct fd_buf *notes)
{
	enum fd_request old = fd_keymap_lookup(key);
	char kn[32];

	if (old != FD_REQ_NONE && old != req) {
		fd_key_name(key, kn, sizeof(kn));
		note(notes, "key %s was bound to %s; now %s", kn, request_name(old),
		     request_name(req));
		unbind_key(key);
	}
	if (old == req || nbindings >= MAX_BINDINGS)
		return;
	bindings[nbindings].key = key;
	bindings[nbindings].req = req;
	nbindings++;
}

/* Parses "j <Down>" into keys; returns the count, or -1 naming the bad key in err. */
static int
parse_keys(const char *text, int *keys, size_t max, struct fd_err *err)
{
	const char *p = text;
	size_t used, n = 0;
	int k;

	while (*p) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		k = fd_key_parse(p, &used);
		if (k == FD_KEY_NONE || (p[used] && p[used] != ' ' && p[used] != '\t')) {
			fd_err_set(err, FD_EINVAL, "unknown key \"%.40s\"", p);
			return -1;
		}
		if (n < max)
			keys[n++] = k;
		p += used;
	}
	return (int)n;
}

enum fd_status
fd_keymap_bind(const char *name, const char *keys, struct fd_buf *notes, struct fd_err *err)
{
	enum fd_request req = fd_request_find(name);
	int k[MAX_KEYS_PER_REQ], n, i;

	if (!bindings_ready)
		fd_keymap_reset();
	if (req == FD_REQ_NONE)
		return fd_err_set(err, FD_EINVAL, "unknown request \"%s\"", name);
	n = parse_keys(keys, k, FD_ARRAY_LEN(k), err);
	if (n < 0)
		return fd_err_prefix(err, "%s", name);
	unbind_request(req);
	for (i = 0; i < n; i++)
		bind_one(k[i], req, notes);
	return FD_OK;
}

void
fd_keymap_reset(void)
{
	size_t i;

	nbindings = 0;
	bindings_ready = 1;
	for (i = 0; i < FD_ARRAY_LEN(requests); i++)
		(void)fd_keymap_bind(requests[i].name, requests[i].keys, NULL, NULL);
}

/* One line of the config file; *in_keys tracks whether we are in [keys]. */
static void
config_line(char *line, int *in_keys, int lineno, struct fd_buf *notes)
{
	char *p = fd_str_trim(line), *eq;
	struct fd_err err = {0};

	if (!*p || *p == '#' || *p == ';')
		return;
	if (*p == '[') {
		*in_keys = strcmp(p, "[keys]") == 0;
		return;
	}
	if (!*in_keys)
		return;
	eq = strchr(p, '=');
	if (!eq) {
		note(notes, "config line %d: expected \"request = keys\"", lineno);
		return;
	}
	*eq = '\0';
	if (fd_keymap_bind(fd_str_trim(p), fd_str_trim(eq + 1), notes, &err) != FD_OK)
		note(notes, "config line %d: %s", lineno, err.msg);
}

enum fd_status
fd_keymap_load(const char *path, struct fd_buf *notes, struct fd_err *err)
{
	char line[512];
	int in_keys = 0, lineno = 0;
	FILE *f;

	if (!bindings_ready)
		fd_keymap_reset();
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? FD_OK
				       : fd_err_set(err, FD_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		config_line(line, &in_keys, ++lineno, notes);
	fclose(f);
	return FD_OK;
}

char *
fd_keymap_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return fd_xasprintf("%s/fleetdeck/config", xdg);
	if (home && *home)
		return fd_xasprintf("%s/.config/fleetdeck/config", home);
	return NULL;
}

enum fd_request
fd_keymap_lookup(int key)
{
	size_t i;

	if (!bindings_ready)
		fd_keymap_reset();
	for (i = 0; i < nbindings; i++)
		if (bindings[i].key == key)
			return bindings[i].req;
	return FD_REQ_NONE;
}

/* Keys of r in the order they were bound. */
void
fd_keymap_keys(enum fd_request r, char *out, size_t n)
{
	size_t i, len = 0;
	char kn[32];

	if (!bindings_ready)
		fd_keymap_reset();
	if (n)
		out[0] = '\0';
	for (i = 0; i < nbindings && len + 1 < n; i++) {
		if (bindings[i].req != r)
			continue;
		fd_key_name(bindings[i].key, kn, sizeof(kn));
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", kn);
	}
}

void
fd_keymap_foreach(void (*fn)(const struct fd_request_info *ri, const char *keys, void *ud),
		  void *ud)
{
	char keys[128];
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(requests); i++) {
		fd_keymap_keys(requests[i].req, keys, sizeof(keys));
		fn(&requests[i], keys, ud);
	}
}

void
fd_keymap_print(FILE *f)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(requests); i++)
		fprintf(f, "%s\t%s\t%s\n", requests[i].keys, requests[i].name, requests[i].help);
}

static size_t
repeat(enum fd_request req, int n, enum fd_request *out, size_t max)
{
	size_t i;

	for (i = 0; i < (size_t)n && i < max; i++)
		out[i] = req;
	return i;
}

size_t
fd_mouse_requests(int key, int y, int sel, int y0, int y1, enum fd_request *out, size_t max)
{
	int delta;
	size_t n;

	if (key == FD_KEY_WHEEL_UP || key == FD_KEY_WHEEL_DOWN)
		return repeat(key == FD_KEY_WHEEL_UP ? FD_REQ_MOVE_UP : FD_REQ_MOVE_DOWN,
			      FD_MOUSE_WHEEL_ROWS, out, max);
	if ((key != FD_KEY_CLICK && key != FD_KEY_DOUBLE_CLICK) || !sel)
		return 0;
	delta = y < y0 ? y - y0 : y > y1 ? y - y1 : 0;
	n = repeat(delta < 0 ? FD_REQ_MOVE_UP : FD_REQ_MOVE_DOWN, delta < 0 ? -delta : delta,
		   out, max);
	if (key == FD_KEY_DOUBLE_CLICK && n < max)
		out[n++] = FD_REQ_ENTER;
	return n;
}
