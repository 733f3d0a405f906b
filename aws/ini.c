/* ini.c - the AWS shared config/credentials file format, read the way botocore
 * (Python configparser) reads it, but stricter about junk:
 *   [section]             name trimmed, kept verbatim (case-sensitive)
 *   key = value           also "key: value"; key lowercased like configparser,
 *                         value trimmed and otherwise verbatim ('=' allowed)
 *   # or ; at line start  full-line comment; no inline comments (a '#' in a value is data)
 *   key =                 an empty value followed by lines indented deeper than the key
 *     sub = value         holds sub-properties ([services x] "lambda =\n  endpoint_url = ...")
 * A deeper-indented line under a non-empty value continues it ("v\nmore"), as configparser
 * does. Duplicate keys: the last one wins. Values are wiped on free (they hold secrets). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/ini.h"
#include "fleetdeck/util.h"

#define INI_MAX_FILE (1024 * 1024)

struct ini_entry {
	size_t section;
	char *key;
	char *sub; /* NULL for a top-level key */
	char *value;
};

struct ini_file {
	char **sections;
	size_t nsections;
	struct ini_entry *entries;
	size_t nentries;
};

struct ini_parser {
	struct ini_file *f;
	const char *fname;
	size_t line;
	int have_section;
	size_t section;
	int have_key; /* a top-level key was seen in this section */
	size_t key;   /* its entry index (continuations attach to it) */
	size_t key_indent;
	struct fd_err *err;
};

static enum fd_status
ini_fail(struct ini_parser *p, const char *what)
{
	return fd_err_set(p->err, FD_EPARSE, "%s:%zu: %s", p->fname, p->line, what);
}

static size_t
ini_find_section(const struct ini_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nsections; i++)
		if (strcmp(f->sections[i], name) == 0)
			return i;
	return (size_t)-1;
}

static void
ini_add(struct ini_file *f, size_t section, char *key, char *sub, char *value)
{
	struct ini_entry *e;

	f->entries = fd_xreallocarray(f->entries, f->nentries + 1, sizeof(*f->entries));
	e = &f->entries[f->nentries++];
	e->section = section;
	e->key = key;
	e->sub = sub;
	e->value = value;
}

static void
ini_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static enum fd_status
ini_section(struct ini_parser *p, char *line)
{
	size_t len = strlen(line);
	size_t idx;

	if (len < 2 || line[len - 1] != ']')
		return ini_fail(p, "expected \"[section]\"");
	line[len - 1] = '\0';
	fd_str_trim(line + 1);
	if (!line[1] || strpbrk(line + 1, "[]"))
		return ini_fail(p, "bad section name");
	idx = ini_find_section(p->f, line + 1);
	if (idx == (size_t)-1) {
		struct ini_file *f = p->f;
		f->sections = fd_xreallocarray(f->sections, f->nsections + 1, sizeof(char *));
		f->sections[f->nsections] = fd_xstrdup(line + 1);
		idx = f->nsections++;
	}
	p->have_section = 1;
	p->section = idx;
	p->have_key = 0;
	return FD_OK;
}

/* Splits "key = value" (or "key: value") at the first delimiter. */
static int
ini_split(char *line, char **key, char **value)
{
	char *d = line + strcspn(line, "=:");

	if (!*d || d == line)
		return -1;
	*d = '\0';
	*key = fd_str_trim(line);
	*value = fd_str_trim(d + 1);
	return **key ? 0 : -1;
}

static enum fd_status
ini_continuation(struct ini_parser *p, char *line)
{
	struct ini_entry *k = &p->f->entries[p->key];
	char *key, *value;

	if (k->value[0]) {
		char *joined = fd_xasprintf("%s\n%s", k->value, line);
		fd_secure_free(k->value);
		k->value = joined;
		return FD_OK;
	}
	if (ini_split(line, &key, &value) != 0)
		return ini_fail(p, "expected \"key = value\" in the indented block");
	ini_lower(key);
	ini_add(p->f, k->section, fd_xstrdup(k->key), fd_xstrdup(key), fd_xstrdup(value));
	return FD_OK;
}

static enum fd_status
ini_line(struct ini_parser *p, char *raw)
{
	size_t indent = strspn(raw, " \t");
	char *line = fd_str_trim(raw);
	char *key, *value;

	if (!*line || *line == '#' || *line == ';')
		return FD_OK;
	if (p->have_key && indent > p->key_indent)
		return ini_continuation(p, line);
	if (*line == '[')
		return ini_section(p, line);
	if (ini_split(line, &key, &value) != 0)
		return ini_fail(p, "expected \"key = value\"");
	if (!p->have_section)
		return ini_fail(p, "\"key = value\" before any [section]");
	ini_lower(key);
	ini_add(p->f, p->section, fd_xstrdup(key), NULL, fd_xstrdup(value));
	p->have_key = 1;
	p->key = p->f->nentries - 1;
	p->key_indent = indent;
	return FD_OK;
}

static enum fd_status
ini_run(struct ini_parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	enum fd_status st = FD_OK;

	while (st == FD_OK && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line;

		p->line++;
		if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			s += 3;
			n -= 3;
		}
		line = fd_xstrndup(s, n);
		st = ini_line(p, line);
		fd_secure_wipe(line, n);
		free(line);
		s += n + (nl ? 1 : 0);
	}
	return st;
}

enum fd_status
ini_parse(const char *text, size_t len, const char *fname, struct ini_file **out,
          struct fd_err *err)
{
	struct ini_parser p;
	enum fd_status st;

	memset(&p, 0, sizeof(p));
	p.fname = fname ? fname : "(config)";
	p.err = err;
	*out = NULL;
	if (len > INI_MAX_FILE)
		return fd_err_set(err, FD_EPARSE, "%s: larger than %d bytes", p.fname,
		                  INI_MAX_FILE);
	if (memchr(text, '\0', len))
		return fd_err_set(err, FD_EPARSE, "%s: contains a NUL byte (not a text file?)",
		                  p.fname);
	p.f = fd_xcalloc(1, sizeof(*p.f));
	st = ini_run(&p, text, len);
	if (st != FD_OK) {
		ini_free(p.f);
		return st;
	}
	*out = p.f;
	return FD_OK;
}

enum fd_status
ini_load(const char *path, struct ini_file **out, struct fd_err *err)
{
	struct fd_buf b;
	enum fd_status st;

	*out = NULL;
	fd_buf_init(&b);
	st = (enum fd_status)fd_read_file(path, INI_MAX_FILE, &b, err);
	if (st == FD_OK)
		st = ini_parse(b.data, b.len, path, out, err);
	fd_buf_secure_free(&b);
	return st;
}

void
ini_free(struct ini_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nentries; i++) {
		free(f->entries[i].key);
		free(f->entries[i].sub);
		fd_secure_free(f->entries[i].value);
	}
	for (i = 0; i < f->nsections; i++)
		free(f->sections[i]);
	free(f->entries);
	free(f->sections);
	free(f);
}

static const char *
ini_lookup(const struct ini_file *f, const char *section, const char *key, const char *sub)
{
	size_t idx, i;

	if (!f || (idx = ini_find_section(f, section)) == (size_t)-1)
		return NULL;
	for (i = f->nentries; i-- > 0;) {
		const struct ini_entry *e = &f->entries[i];
		if (e->section == idx && fd_str_case_eq(e->key, key) &&
		    (sub ? e->sub && fd_str_case_eq(e->sub, sub) : !e->sub))
			return e->value;
	}
	return NULL;
}

const char *
ini_get(const struct ini_file *f, const char *section, const char *key)
{
	return ini_lookup(f, section, key, NULL);
}

const char *
ini_get_sub(const struct ini_file *f, const char *section, const char *key, const char *subkey)
{
	return ini_lookup(f, section, key, subkey);
}

int
ini_has_section(const struct ini_file *f, const char *section)
{
	return f && ini_find_section(f, section) != (size_t)-1;
}

const char *
ini_section_name(const struct ini_file *f, size_t i)
{
	return f && i < f->nsections ? f->sections[i] : NULL;
}

static int
ini_key_seen(const struct ini_file *f, size_t idx, size_t upto, const char *key)
{
	size_t j;

	for (j = 0; j < upto; j++)
		if (f->entries[j].section == idx && !f->entries[j].sub &&
		    strcmp(f->entries[j].key, key) == 0)
			return 1;
	return 0;
}

const char *
ini_key_name(const struct ini_file *f, const char *section, size_t i)
{
	size_t idx, k;

	if (!f || (idx = ini_find_section(f, section)) == (size_t)-1)
		return NULL;
	for (k = 0; k < f->nentries; k++) {
		const struct ini_entry *e = &f->entries[k];
		if (e->section != idx || e->sub || ini_key_seen(f, idx, k, e->key))
			continue;
		if (i-- == 0)
			return e->key;
	}
	return NULL;
}

int
ini_bool(const char *v, int *on)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; v && i < FD_ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*on = strcasecmp(v, yes[i]) == 0;
			return 1;
		}
	}
	return 0;
}
