/* rdsproxy.c - RDS Proxy names (from an endpoint or the config's [rds_proxy] section)
 * and the window statistics of a proxy's metrics. The section is read line by line
 * after the INI parser checked the whole file, as mute_config.c reads [mute]: function
 * names are case-sensitive and errors name the line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ini.h"
#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"

#define PROXY_CONFIG_MAX_FILE (1024 * 1024)
#define PROXY_NAME_MAX 63
#define PROXY_SECTION "rds_proxy"

static const struct fd_proxy_metric_info infos[FD_PM_COUNT] = {
#define FD_PM_INFO(id, name, json, label, unit) [id] = {name, json, label, unit},
    FD_PROXY_METRIC_LIST(FD_PM_INFO)
#undef FD_PM_INFO
};

const struct fd_proxy_metric_info *
fd_proxy_metric_info(enum fd_proxy_metric m)
{
	return (unsigned)m < FD_PM_COUNT ? &infos[m] : NULL;
}

const char *
fd_proxy_query_stat(size_t k)
{
	return k % 2 ? "Maximum" : "Average";
}

void
fd_proxy_metrics_free(struct fd_proxy_metrics *m)
{
	size_t k;

	if (!m)
		return;
	free(m->proxy);
	for (k = 0; k < FD_PQ_COUNT; k++)
		fd_series_free(&m->s[k]);
	memset(m, 0, sizeof(*m));
}

void
fd_proxy_stat(const struct fd_proxy_metrics *m, enum fd_proxy_metric k, int64_t from_s,
	      int64_t to_s, struct fd_proxy_stat *out)
{
	const struct fd_series *avg, *mx;
	double sum = 0;
	size_t i, n = 0;
	int64_t t;

	out->latest = out->avg = out->max = NAN;
	if (!m || (unsigned)k >= FD_PM_COUNT)
		return;
	avg = &m->s[2 * k];
	mx = &m->s[2 * k + 1];
	for (i = 0; avg->values && i < avg->n; i++) {
		t = avg->start_s + (int64_t)i * avg->period_s;
		if (t < from_s || t >= to_s || isnan(avg->values[i]))
			continue;
		out->latest = avg->values[i];
		sum += avg->values[i];
		n++;
	}
	if (n)
		out->avg = sum / (double)n;
	out->max = fd_series_max(mx, from_s, to_s);
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int
fd_rds_proxy_name_valid(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > PROXY_NAME_MAX || !((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z'))
		return 0;
	for (i = 0; i < n; i++) {
		if (name[i] == '-' && (i + 1 == n || name[i + 1] == '-'))
			return 0;
		if (name[i] != '-' && !is_alnum(name[i]))
			return 0;
	}
	return 1;
}

char *
fd_rds_proxy_name(const char *endpoint)
{
	const char *dot = endpoint ? strchr(endpoint, '.') : NULL;
	char *name;

	if (!dot || !fd_str_starts(dot, ".proxy-") || !strstr(dot, ".rds.amazonaws.com"))
		return NULL;
	name = fd_xstrndup(endpoint, (size_t)(dot - endpoint));
	if (!fd_rds_proxy_name_valid(name)) {
		free(name);
		return NULL;
	}
	return name;
}

/* ---- the [rds_proxy] section ---- */

struct proxy_scan {
	struct fd_proxy_config *c;
	const char *fname;
	size_t line;
	int in_section;
};

static enum fd_status
add_entry(struct proxy_scan *s, const char *function, const char *proxy, struct fd_err *err)
{
	struct fd_proxy_map *e;

	if (!*function)
		return fd_err_set(err, FD_EPARSE, "%s:%zu: [%s] needs a function name", s->fname,
				  s->line, PROXY_SECTION);
	if (!*proxy)
		return fd_err_set(err, FD_EPARSE, "%s:%zu: [%s] %s: no proxy name", s->fname,
				  s->line, PROXY_SECTION, function);
	if (!fd_rds_proxy_name_valid(proxy))
		return fd_err_set(err, FD_EPARSE,
				  "%s:%zu: [%s] %s: \"%.80s\" is not an RDS Proxy name (letters, "
				  "digits and single hyphens, a letter first, at most 63)",
				  s->fname, s->line, PROXY_SECTION, function, proxy);
	if (fd_proxy_config_find(s->c, function))
		return fd_err_set(err, FD_EPARSE, "%s:%zu: [%s] %s is mapped twice", s->fname,
				  s->line, PROXY_SECTION, function);
	s->c->v = fd_xreallocarray(s->c->v, s->c->n + 1, sizeof(*s->c->v));
	e = &s->c->v[s->c->n++];
	e->function = fd_xstrdup(function);
	e->proxy = fd_xstrdup(proxy);
	e->line = s->line;
	return FD_OK;
}

static enum fd_status
scan_line(struct proxy_scan *s, char *raw, struct fd_err *err)
{
	char *line = fd_str_trim(raw), *d;

	if (!*line || *line == '#' || *line == ';')
		return FD_OK;
	if (*line == '[') {
		line[strlen(line) - 1] = '\0'; /* the INI parser checked the ']' */
		s->in_section = strcmp(fd_str_trim(line + 1), PROXY_SECTION) == 0;
		return FD_OK;
	}
	if (!s->in_section)
		return FD_OK;
	d = line + strcspn(line, "=:");
	if (!*d)
		return fd_err_set(err, FD_EPARSE, "%s:%zu: [%s] expected FUNCTION = PROXY",
				  s->fname, s->line, PROXY_SECTION);
	*d = '\0';
	return add_entry(s, fd_str_trim(line), fd_str_trim(d + 1), err);
}

static enum fd_status
scan_text(struct proxy_scan *s, const char *text, size_t len, struct fd_err *err)
{
	const char *p = text, *end = text + len;
	enum fd_status st = FD_OK;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (st == FD_OK && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fd_xstrndup(p, n);

		s->line++;
		st = scan_line(s, line, err);
		free(line);
		p += n + (nl ? 1 : 0);
	}
	return st;
}

enum fd_status
fd_proxy_config_parse(const char *text, size_t len, const char *fname,
		      struct fd_proxy_config *out, struct fd_err *err)
{
	struct ini_file *ini = NULL;
	struct proxy_scan s;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	fname = fname ? fname : "(config)";
	st = ini_parse(text ? text : "", text ? len : 0, fname, &ini, err);
	ini_free(ini);
	if (st != FD_OK || !text)
		return st;
	memset(&s, 0, sizeof(s));
	s.c = out;
	s.fname = fname;
	st = scan_text(&s, text, len, err);
	if (st != FD_OK)
		fd_proxy_config_free(out);
	return st;
}

enum fd_status
fd_proxy_config_load(const char *path, struct fd_proxy_config *out, struct fd_err *err)
{
	struct fd_buf b;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	fd_buf_init(&b);
	st = fd_read_file(path, PROXY_CONFIG_MAX_FILE, &b, err);
	if (st == FD_ENOTFOUND) {
		fd_err_clear(err);
		st = FD_OK;
	} else if (st == FD_OK) {
		st = fd_proxy_config_parse(b.data, b.len, path, out, err);
	}
	fd_buf_free(&b);
	return st;
}

void
fd_proxy_config_free(struct fd_proxy_config *c)
{
	size_t i;

	for (i = 0; c && i < c->n; i++) {
		free(c->v[i].function);
		free(c->v[i].proxy);
	}
	if (c) {
		free(c->v);
		memset(c, 0, sizeof(*c));
	}
}

const char *
fd_proxy_config_find(const struct fd_proxy_config *c, const char *function)
{
	size_t i;

	for (i = 0; c && function && i < c->n; i++)
		if (strcmp(c->v[i].function, function) == 0)
			return c->v[i].proxy;
	return NULL;
}

char *
fd_proxy_for_function(const struct fd_proxy_config *c, const struct fd_function *fn,
		      int *configured)
{
	const char *p = fn ? fd_proxy_config_find(c, fn->name) : NULL;

	if (configured)
		*configured = p != NULL;
	if (p)
		return fd_xstrdup(p);
	return fn && fn->rds_proxy_endpoint ? fd_rds_proxy_name(fn->rds_proxy_endpoint) : NULL;
}
