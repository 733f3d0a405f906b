/* fleet.c - helpers for the plain fleet records of fleet.h: freeing, lookups over the
 * trigger/metric/severity tables, environment classification and regular series
 * arithmetic (merge, sum, max with NAN gaps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/util.h"

static const struct {
	const char *name;
	int async;
} trigger_info[] = {
#define FD_TRIG_INFO(id, name, async) [id] = {name, async},
    FD_TRIGGER_LIST(FD_TRIG_INFO)
#undef FD_TRIG_INFO
};

static const struct fd_metric_info metric_info[] = {
#define FD_METRIC_INFO(id, ns, name, stat, per_fn) [id] = {ns, name, stat},
    FD_METRIC_LIST(FD_METRIC_INFO)
#undef FD_METRIC_INFO
};

static const char *const severity_names[] = {
#define FD_SEV_NAME(id, name) [id] = name,
    FD_SEVERITY_LIST(FD_SEV_NAME)
#undef FD_SEV_NAME
};

const char *
fd_trigger_name(enum fd_trigger_kind k)
{
	if ((unsigned)k >= FD_TRIG_COUNT)
		return "other";
	return trigger_info[k].name;
}

int
fd_trigger_is_async(enum fd_trigger_kind k)
{
	if ((unsigned)k >= FD_TRIG_COUNT)
		return 0;
	return trigger_info[k].async;
}

const struct fd_metric_info *
fd_metric_info(enum fd_metric m)
{
	if ((unsigned)m >= FD_M_COUNT)
		return NULL;
	return &metric_info[m];
}

const char *
fd_severity_name(enum fd_severity s)
{
	if ((unsigned)s >= FD_SEV_COUNT)
		return "unknown";
	return severity_names[s];
}

int
fd_severity_parse(const char *name, enum fd_severity *out)
{
	size_t i;

	for (i = 0; name && i < FD_SEV_COUNT; i++) {
		if (fd_str_case_eq(name, severity_names[i])) {
			*out = (enum fd_severity)i;
			return 1;
		}
	}
	return 0;
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_env(struct fd_env *env, size_t n)
{
	size_t i;

	for (i = 0; env && i < n; i++) {
		free(env[i].name);
		/* Wiped although secret literals are never stored: a parser may be mid-way. */
		fd_secure_free(env[i].value);
	}
	free(env);
}

static void
free_triggers(struct fd_trigger *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++) {
		free(t[i].source_arn);
		free(t[i].uuid);
		free(t[i].state);
		free(t[i].on_failure);
	}
	free(t);
}

static void
free_detail(struct fd_function *f)
{
	size_t i;

	for (i = 0; f->tags && i < f->ntags; i++) {
		free(f->tags[i].key);
		free(f->tags[i].value);
	}
	free(f->tags);
	free_triggers(f->triggers, f->ntriggers);
	for (i = 0; f->aliases && i < f->naliases; i++) {
		free(f->aliases[i].name);
		free(f->aliases[i].version);
	}
	free(f->aliases);
	for (i = 0; f->versions && i < f->nversions; i++) {
		free(f->versions[i].version);
		free(f->versions[i].last_modified);
		free(f->versions[i].runtime);
	}
	free(f->versions);
	free(f->async.on_failure);
	free(f->async.on_success);
}

void
fd_function_free(struct fd_function *f)
{
	char **strs[] = {&f->name,
	                 &f->arn,
	                 &f->runtime,
	                 &f->handler,
	                 &f->role,
	                 &f->description,
	                 &f->last_modified,
	                 &f->version,
	                 &f->architecture,
	                 &f->package_type,
	                 &f->state,
	                 &f->log_format,
	                 &f->log_group,
	                 &f->app_log_level,
	                 &f->system_log_level,
	                 &f->dlq_arn,
	                 &f->tracing_mode,
	                 &f->snapstart,
	                 &f->rds_proxy_endpoint};
	size_t i;

	if (!f)
		return;
	for (i = 0; i < FD_ARRAY_LEN(strs); i++)
		free(*strs[i]);
	free_strings(f->layers, f->nlayers);
	free_env(f->env, f->nenv);
	free_detail(f);
	memset(f, 0, sizeof(*f));
}

void
fd_functions_free(struct fd_function *fns, size_t n)
{
	size_t i;

	for (i = 0; fns && i < n; i++)
		fd_function_free(&fns[i]);
	free(fns);
}

const char *
fd_function_tag(const struct fd_function *f, const char *key)
{
	size_t i;

	for (i = 0; f && key && i < f->ntags; i++)
		if (fd_str_eq(f->tags[i].key, key))
			return f->tags[i].value;
	return NULL;
}

/*
 * Environment classification. The rule, in order:
 *  1. A value that points at a secret store is a reference (SECRET_REF), whatever the
 *     name: Secrets Manager or SSM parameter ARNs, CloudFormation dynamic references
 *     ({{resolve:secretsmanager:...}}, {{resolve:ssm-secure:...}}) and the Parameters
 *     and Secrets extension paths (/aws/reference/secretsmanager/...).
 *  2. A value that embeds a credential is a literal secret whatever the name: a URL
 *     with a password in its user info (postgres://u:p@host) or a PEM private key.
 *  3. A name that looks secret (contains PASSWORD, PASSWD, SECRET, TOKEN, API_KEY,
 *     APIKEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL, or has a PASS, PWD or CREDS
 *     component) holds a literal secret (SECRET_LITERAL), unless its last component
 *     says it holds a locator: _URL, _URI, _ARN, _NAME, _ENDPOINT, _REGION, _HOST,
 *     _PORT, _PATH, _PARAM, _PARAMETER (TOKEN_URL=https://auth/token is PLAIN; the
 *     value was already checked for embedded credentials in step 2). _ID is not one:
 *     AWS_ACCESS_KEY_ID and friends stay hidden.
 *  4. Everything else, and any empty value (it hides nothing), is PLAIN.
 */
static const char *const secret_words[] = {"PASSWORD",    "PASSWD",     "SECRET",
                                           "TOKEN",       "API_KEY",    "APIKEY",
                                           "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
static const char *const secret_parts[] = {"PASS", "PWD", "CREDS"};
static const char *const locator_parts[] = {"URL",  "URI",  "ARN",  "NAME",  "ENDPOINT", "REGION",
                                            "HOST", "PORT", "PATH", "PARAM", "PARAMETER"};

static int
ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* True when one of name's '_'/'-'/'.'-separated components equals a word of the list
 * (last_only: only the final component). */
static int
has_component(const char *name, const char *const *words, size_t nwords, int last_only)
{
	const char *p = name, *end;
	size_t i, len;

	for (;;) {
		end = p + strcspn(p, "_-.");
		len = (size_t)(end - p);
		for (i = 0; (!last_only || !*end) && i < nwords; i++)
			if (len == strlen(words[i]) && strncasecmp(p, words[i], len) == 0)
				return 1;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static int
value_is_secret_ref(const char *v)
{
	if (fd_str_starts(v, "arn:") &&
	    (strstr(v, ":secretsmanager:") || (strstr(v, ":ssm:") && strstr(v, ":parameter"))))
		return 1;
	return fd_str_starts(v, "{{resolve:secretsmanager:") ||
	       fd_str_starts(v, "{{resolve:ssm-secure:") ||
	       fd_str_starts(v, "/aws/reference/secretsmanager/");
}

static int
value_embeds_credential(const char *v)
{
	const char *scheme = strstr(v, "://"), *at, *colon;
	size_t auth_len;

	if (strstr(v, "PRIVATE KEY-----"))
		return 1;
	if (!scheme)
		return 0;
	scheme += 3;
	auth_len = strcspn(scheme, "/?#");
	at = memchr(scheme, '@', auth_len);
	if (!at)
		return 0;
	colon = memchr(scheme, ':', (size_t)(at - scheme));
	return colon && colon + 1 < at;
}

static int
name_is_secret(const char *name)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(secret_words); i++)
		if (ci_contains(name, secret_words[i]))
			return 1;
	return has_component(name, secret_parts, FD_ARRAY_LEN(secret_parts), 0);
}

enum fd_env_kind
fd_env_classify(const char *name, const char *value)
{
	if (!value || !*value)
		return FD_ENV_PLAIN;
	if (value_is_secret_ref(value))
		return FD_ENV_SECRET_REF;
	if (value_embeds_credential(value))
		return FD_ENV_SECRET_LITERAL;
	if (!name || !name_is_secret(name))
		return FD_ENV_PLAIN;
	if (has_component(name, locator_parts, FD_ARRAY_LEN(locator_parts), 1))
		return FD_ENV_PLAIN;
	return FD_ENV_SECRET_LITERAL;
}

void
fd_series_free(struct fd_series *s)
{
	if (!s)
		return;
	free(s->values);
	s->values = NULL;
	s->n = 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void
series_copy(struct fd_series *dst, const struct fd_series *src, size_t skip)
{
	fd_series_free(dst);
	dst->period_s = src->period_s;
	dst->start_s = src->start_s + (int64_t)skip * src->period_s;
	dst->n = src->n - skip;
	dst->values = fd_xreallocarray(NULL, dst->n ? dst->n : 1, sizeof(double));
	if (dst->n)
		memcpy(dst->values, src->values + skip, dst->n * sizeof(double));
}

/* Keeps the newest max_points (0 = no cap). */
static void
series_trim(struct fd_series *s, size_t max_points)
{
	size_t drop;

	if (!max_points || s->n <= max_points)
		return;
	drop = s->n - max_points;
	memmove(s->values, s->values + drop, max_points * sizeof(double));
	s->n = max_points;
	s->start_s += (int64_t)drop * s->period_s;
}

/*
 * src's points overwrite dst's where src has data; NAN in src keeps what dst had.
 * src points land on dst's grid (floor). A different period, or an empty dst,
 * makes dst a copy of src.
 */
void
fd_series_merge(struct fd_series *dst, const struct fd_series *src, size_t max_points)
{
	int64_t p, first, last, start, off;
	size_t i, n;
	double *v;

	if (!src || src->n == 0 || src->period_s <= 0)
		return;
	if (dst->n == 0 || dst->period_s != src->period_s) {
		series_copy(dst, src, max_points && src->n > max_points ? src->n - max_points : 0);
		return;
	}
	p = dst->period_s;
	first = floor_div(src->start_s - dst->start_s, p);
	last = first + (int64_t)src->n - 1;
	start = FD_MIN(first, 0);
	n = (size_t)(FD_MAX(last, (int64_t)dst->n - 1) - start + 1);
	v = fd_xreallocarray(NULL, n, sizeof(double));
	for (i = 0; i < n; i++)
		v[i] = NAN;
	memcpy(v - start, dst->values, dst->n * sizeof(double));
	for (i = 0, off = first - start; i < src->n; i++)
		if (!isnan(src->values[i]))
			v[(size_t)off + i] = src->values[i];
	free(dst->values);
	dst->values = v;
	dst->n = n;
	dst->start_s += start * p;
	series_trim(dst, max_points);
}

/* Index range [*lo, *hi) of the points whose start lies in [from_s, to_s). */
static void
series_range(const struct fd_series *s, int64_t from_s, int64_t to_s, size_t *lo, size_t *hi)
{
	int64_t a, b;

	*lo = *hi = 0;
	if (!s || s->n == 0 || s->period_s <= 0 || to_s <= from_s)
		return;
	a = floor_div(from_s - s->start_s + s->period_s - 1, s->period_s);
	b = floor_div(to_s - s->start_s + s->period_s - 1, s->period_s);
	a = FD_MAX(a, 0);
	b = FD_MIN(b, (int64_t)s->n);
	if (a < b) {
		*lo = (size_t)a;
		*hi = (size_t)b;
	}
}

double
fd_series_sum(const struct fd_series *s, int64_t from_s, int64_t to_s)
{
	double sum = NAN;
	size_t i, lo, hi;

	series_range(s, from_s, to_s, &lo, &hi);
	for (i = lo; i < hi; i++)
		if (!isnan(s->values[i]))
			sum = isnan(sum) ? s->values[i] : sum + s->values[i];
	return sum;
}

double
fd_series_max(const struct fd_series *s, int64_t from_s, int64_t to_s)
{
	double max = NAN;
	size_t i, lo, hi;

	series_range(s, from_s, to_s, &lo, &hi);
	for (i = lo; i < hi; i++)
		if (!isnan(s->values[i]) && (isnan(max) || s->values[i] > max))
			max = s->values[i];
	return max;
}

void
fd_function_metrics_free(struct fd_function_metrics *m)
{
	size_t i;

	if (!m)
		return;
	free(m->function);
	m->function = NULL;
	for (i = 0; i < FD_M_COUNT; i++)
		fd_series_free(&m->s[i]);
}

void
fd_log_groups_free(struct fd_log_group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++) {
		free(g[i].name);
		free(g[i].log_class);
	}
	free(g);
}

void
fd_risks_free(struct fd_risk *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].function);
		free(r[i].reason);
	}
	free(r);
}
