/* policy.c - IAM policy documents: percent-decoding, JSON into statements, wildcard
 * matching and the simple allow/deny evaluator (limits in policy.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/policy.h"

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
fd_policy_url_decode(const char *s, size_t n, struct fd_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] != '%') {
			fd_buf_putc(out, s[i]);
			continue;
		}
		if (i + 2 >= n)
			return -1;
		hi = hex_val(s[i + 1]);
		lo = hex_val(s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		fd_buf_putc(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return 0;
}

/* First non-blank byte is '%': IAM sends documents percent-encoded. */
static int
looks_encoded(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	return i < n && s[i] == '%';
}

static void
stmt_free(struct fd_policy_stmt *s)
{
	size_t i;

	for (i = 0; i < s->nactions; i++)
		free(s->actions[i]);
	for (i = 0; i < s->nresources; i++)
		free(s->resources[i]);
	for (i = 0; i < s->nprincipals; i++)
		free(s->principals[i]);
	free(s->actions);
	free(s->resources);
	free(s->principals);
	free(s->sid);
	free(s->condition);
}

void
fd_policy_free(struct fd_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		stmt_free(&p->stmts[i]);
	free(p->stmts);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

static const cJSON *
get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void
push_str(char ***arr, size_t *n, const char *s)
{
	*arr = fd_xreallocarray(*arr, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = fd_xstrdup(s);
}

/* A string or a list of strings (IAM's "string or array" members). */
static enum fd_status
str_list(const cJSON *v, const char *what, char ***arr, size_t *n, struct fd_err *err)
{
	const cJSON *it;

	if (cJSON_IsString(v)) {
		push_str(arr, n, v->valuestring);
		return FD_OK;
	}
	if (!cJSON_IsArray(v))
		return fd_err_set(err, FD_EPARSE, "policy: %s is neither a string nor a list",
		                  what);
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it))
			return fd_err_set(err, FD_EPARSE, "policy: %s holds a non-string", what);
		if (*n >= FD_POLICY_MAX_ITEMS)
			return fd_err_set(err, FD_EPARSE, "policy: %s has too many items", what);
		push_str(arr, n, it->valuestring);
	}
	return FD_OK;
}

/* Principal: "*" or {"Service": "x" | [...], "AWS": ..., "Federated": ...}; each kept
 * as "Type:value". */
static enum fd_status
principals(const cJSON *v, struct fd_policy_stmt *s, struct fd_err *err)
{
	const cJSON *type;

	if (cJSON_IsString(v)) {
		push_str(&s->principals, &s->nprincipals, v->valuestring);
		return FD_OK;
	}
	if (!cJSON_IsObject(v))
		return fd_err_set(err, FD_EPARSE, "policy: Principal is not an object");
	cJSON_ArrayForEach(type, v)
	{
		char **vals = NULL;
		size_t nv = 0, i;
		enum fd_status st = str_list(type, "Principal", &vals, &nv, err);
		for (i = 0; i < nv; i++) {
			char *one = fd_xasprintf("%s:%s", type->string, vals[i]);
			if (st == FD_OK && s->nprincipals < FD_POLICY_MAX_ITEMS)
				push_str(&s->principals, &s->nprincipals, one);
			free(one);
			free(vals[i]);
		}
		free(vals);
		if (st != FD_OK)
			return st;
	}
	return FD_OK;
}

/* The pair Name / NotName: exactly one may be present. */
static enum fd_status
either(const cJSON *o, const char *name, const char *not_name, int required, const cJSON **out,
       int *negated, struct fd_err *err)
{
	const cJSON *a = get(o, name), *b = get(o, not_name);

	if (a && b)
		return fd_err_set(err, FD_EPARSE, "policy: statement has both %s and %s", name,
		                  not_name);
	if (!a && !b && required)
		return fd_err_set(err, FD_EPARSE, "policy: statement has no %s", name);
	*out = a ? a : b;
	*negated = b != NULL;
	return FD_OK;
}

static enum fd_status
stmt_effect(const cJSON *o, struct fd_policy_stmt *s, struct fd_err *err)
{
	const cJSON *e = get(o, "Effect"), *sid = get(o, "Sid");

	if (!cJSON_IsString(e) ||
	    (strcmp(e->valuestring, "Allow") != 0 && strcmp(e->valuestring, "Deny") != 0))
		return fd_err_set(err, FD_EPARSE, "policy: Effect must be Allow or Deny");
	s->deny = strcmp(e->valuestring, "Deny") == 0;
	if (cJSON_IsString(sid) && sid->valuestring[0])
		s->sid = fd_xstrdup(sid->valuestring);
	return FD_OK;
}

static enum fd_status
stmt_parse(const cJSON *o, struct fd_policy_stmt *s, struct fd_err *err)
{
	const cJSON *v, *cond;
	enum fd_status st;

	if (!cJSON_IsObject(o))
		return fd_err_set(err, FD_EPARSE, "policy: a statement is not an object");
	if ((st = stmt_effect(o, s, err)) != FD_OK)
		return st;
	if ((st = either(o, "Action", "NotAction", 1, &v, &s->not_action, err)) != FD_OK ||
	    (st = str_list(v, "Action", &s->actions, &s->nactions, err)) != FD_OK)
		return st;
	if ((st = either(o, "Resource", "NotResource", 0, &v, &s->not_resource, err)) != FD_OK ||
	    (v && (st = str_list(v, "Resource", &s->resources, &s->nresources, err)) != FD_OK))
		return st;
	if ((st = either(o, "Principal", "NotPrincipal", 0, &v, &s->not_principal, err)) != FD_OK ||
	    (v && (st = principals(v, s, err)) != FD_OK))
		return st;
	cond = get(o, "Condition");
	if (cond && !cJSON_IsObject(cond))
		return fd_err_set(err, FD_EPARSE, "policy: Condition is not an object");
	if (cond && cond->child) {
		s->condition = cJSON_PrintUnformatted(cond);
		if (!s->condition)
			fd_fatal("out of memory printing a policy condition");
	}
	return FD_OK;
}

static enum fd_status
doc_parse(const cJSON *doc, struct fd_policy *out, struct fd_err *err)
{
	const cJSON *ver = get(doc, "Version"), *stmts = get(doc, "Statement"), *it;
	size_t count;
	enum fd_status st = FD_OK;

	if (cJSON_IsString(ver))
		out->version = fd_xstrdup(ver->valuestring);
	if (!cJSON_IsArray(stmts) && !cJSON_IsObject(stmts))
		return fd_err_set(err, FD_EPARSE, "policy: Statement is missing");
	count = cJSON_IsArray(stmts) ? (size_t)cJSON_GetArraySize(stmts) : 1;
	if (count > FD_POLICY_MAX_STMTS)
		return fd_err_set(err, FD_EPARSE, "policy: too many statements (%zu)", count);
	out->stmts = fd_xcalloc(count ? count : 1, sizeof(*out->stmts));
	if (cJSON_IsObject(stmts)) {
		out->n = 1;
		return stmt_parse(stmts, &out->stmts[0], err);
	}
	cJSON_ArrayForEach(it, stmts)
	{
		struct fd_policy_stmt *s = &out->stmts[out->n];
		s->index = (int)out->n++;
		if ((st = stmt_parse(it, s, err)) != FD_OK)
			break;
	}
	return st;
}

/* Undoes up to two levels of percent-encoding; the result is in *owned (or text). */
static enum fd_status
decode_text(const char **text, size_t *len, struct fd_buf *owned, struct fd_err *err)
{
	int round;

	for (round = 0; round < 2 && looks_encoded(*text, *len); round++) {
		struct fd_buf b;
		fd_buf_init(&b);
		if (fd_policy_url_decode(*text, *len, &b) != 0) {
			fd_buf_free(&b);
			return fd_err_set(err, FD_EPARSE, "policy: bad percent-encoding");
		}
		fd_buf_free(owned);
		*owned = b;
		*text = owned->data ? owned->data : "";
		*len = owned->len;
	}
	return FD_OK;
}

enum fd_status
fd_policy_parse(const char *text, size_t len, struct fd_policy *out, struct fd_err *err)
{
	struct fd_buf owned;
	cJSON *doc = NULL;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	fd_buf_init(&owned);
	if (!text || len == 0 || len > FD_POLICY_MAX_BYTES) {
		st = fd_err_set(err, FD_EPARSE, "policy: empty or oversized document (%zu bytes)",
		                len);
		goto out;
	}
	if ((st = decode_text(&text, &len, &owned, err)) != FD_OK)
		goto out;
	doc = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(doc)) {
		st = fd_err_set(err, FD_EPARSE, "policy: not a JSON object");
		goto out;
	}
	st = doc_parse(doc, out, err);
out:
	if (st != FD_OK)
		fd_policy_free(out);
	cJSON_Delete(doc);
	fd_buf_free(&owned);
	return st;
}

/* ---- matching ---- */

static int
char_eq(char a, char b, int nocase)
{
	if (nocase)
		return tolower((unsigned char)a) == tolower((unsigned char)b);
	return a == b;
}

int
fd_iam_match(const char *pat, const char *val, int nocase)
{
	const char *star = NULL, *resume = NULL;

	if (!pat || !val)
		return 0;
	while (*val) {
		if (*pat == '*') {
			star = pat++;
			resume = val;
		} else if (*pat && (*pat == '?' || char_eq(*pat, *val, nocase))) {
			pat++;
			val++;
		} else if (star) {
			pat = star + 1;
			val = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static int
any_match(char *const *pats, size_t n, const char *val, int nocase)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd_iam_match(pats[i], val, nocase))
			return 1;
	return 0;
}

int
fd_policy_stmt_has_action(const struct fd_policy_stmt *s, const char *action)
{
	int m = any_match(s->actions, s->nactions, action, 1);

	return s->not_action ? !m : m;
}

int
fd_policy_stmt_has_resource(const struct fd_policy_stmt *s, const char *resource)
{
	int m;

	if (!s->resources)
		return 1;
	m = any_match(s->resources, s->nresources, resource, 0);
	return s->not_resource ? !m : m;
}

int
fd_policy_stmt_all_resources(const struct fd_policy_stmt *s)
{
	size_t i;

	if (s->not_resource)
		return 1;
	for (i = 0; i < s->nresources; i++)
		if (strcmp(s->resources[i], "*") == 0)
			return 1;
	return 0;
}

const char *
fd_policy_service_star(const char *a, char *svc, size_t n)
{
	const char *colon = a ? strchr(a, ':') : NULL;
	size_t len;

	if (a && strcmp(a, "*") == 0) {
		fd_strlcpy(svc, "*", n);
		return svc;
	}
	if (!colon || strcmp(colon + 1, "*") != 0 || colon == a)
		return NULL;
	len = FD_MIN((size_t)(colon - a), n - 1);
	memcpy(svc, a, len);
	svc[len] = '\0';
	return svc;
}

static void
describe_list(struct fd_buf *out, char *const *items, size_t n)
{
	size_t i, shown = FD_MIN(n, (size_t)4);

	for (i = 0; i < shown; i++)
		fd_buf_printf(out, "%s%s", i ? "," : "", items[i]);
	if (n > shown)
		fd_buf_printf(out, ", +%zu more", n - shown);
}

void
fd_policy_stmt_describe(const struct fd_policy_stmt *s, struct fd_buf *out)
{
	fd_buf_printf(out, "%s %s", s->deny ? "Deny" : "Allow", s->not_action ? "NotAction " : "");
	describe_list(out, s->actions, s->nactions);
	if (s->nresources) {
		fd_buf_printf(out, " %s ", s->not_resource ? "on NotResource" : "on");
		describe_list(out, s->resources, s->nresources);
	}
	if (s->nprincipals) {
		fd_buf_printf(out, " %s ", s->not_principal ? "for NotPrincipal" : "for");
		describe_list(out, s->principals, s->nprincipals);
	}
	if (s->condition)
		fd_buf_printf(out, " (if %.120s%s)", s->condition,
		              strlen(s->condition) > 120 ? "..." : "");
}

static int
stmt_applies(const struct fd_policy_stmt *s, const char *action, const char *resource)
{
	return fd_policy_stmt_has_action(s, action) && fd_policy_stmt_has_resource(s, resource);
}

void
fd_policy_evaluate(const struct fd_policy *const *docs, size_t ndocs, const char *action,
                   const char *resource, struct fd_policy_verdict *out)
{
	size_t d, i;

	memset(out, 0, sizeof(*out));
	for (d = 0; d < ndocs; d++)
		for (i = 0; docs[d] && i < docs[d]->n; i++) {
			const struct fd_policy_stmt *s = &docs[d]->stmts[i];
			if (!stmt_applies(s, action, resource))
				continue;
			if (s->deny && !s->condition) {
				out->effect = FD_POLICY_DENY;
				out->conditional = 0;
				out->doc = d;
				out->stmt = s;
				return;
			}
			if (s->deny)
				continue;
			if (out->effect != FD_POLICY_ALLOW || (out->conditional && !s->condition)) {
				out->effect = FD_POLICY_ALLOW;
				out->conditional = s->condition != NULL;
				out->doc = d;
				out->stmt = s;
			}
		}
}
