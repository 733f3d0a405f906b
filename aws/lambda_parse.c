/* lambda_parse.c - pure parsers for Lambda's restJson answers: ListFunctions and
 * function configurations, GetFunction, GetPolicy, event source mappings, aliases,
 * versions, provisioned concurrency, async invoke config and account settings.
 * Everything here is untrusted input: each field's type is checked, a bad field is
 * skipped or defaulted, kept strings are capped, and the parse tree is wiped before
 * it is freed because it held environment values (secret literals are never kept). */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fleetdeck/lambda.h"
#include "json_int.h"

#define STR_MAX 8192     /* longest string kept from one field */
#define NAME_MAX_LEN 256 /* longer "function names" are not AWS's: record skipped */
#define RDS_SUFFIX ".rds.amazonaws.com"

/* ---- JSON access: every getter checks the type and tolerates NULL ---- */

/* v when it is an array, else NULL (cJSON_ArrayForEach walks objects too). */
static const cJSON *
as_array(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

/* A copy of s cut to STR_MAX bytes, never inside a UTF-8 sequence. */
static char *
dup_capped(const char *s)
{
	size_t n = strnlen(s, STR_MAX + 1);

	if (n > STR_MAX) {
		n = STR_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return fd_xstrndup(s, n);
}

/* A copy of a non-empty string member, NULL otherwise. */
static char *
jstr(const cJSON *o, const char *key)
{
	const char *s = cj_str_nonempty(o, key);

	return s ? dup_capped(s) : NULL;
}

static int
jint(const cJSON *o, const char *key, int dflt)
{
	long long v = cj_long(o, key, dflt);

	return v < INT_MIN || v > INT_MAX ? dflt : (int)v;
}

static enum fd_status
parse_doc(const char *json, size_t len, const char *what, cJSON **out, struct fd_err *err)
{
	const char *end = NULL;
	size_t at;

	*out = NULL;
	if (!json || len == 0)
		return fd_err_set(err, FD_EPARSE, "%s: empty answer", what);
	*out = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!*out) {
		at = end && end >= json ? (size_t)(end - json) : 0;
		return fd_err_set(err, FD_EPARSE, "%s: answer is not JSON (syntax error at byte %zu "
				  "of %zu)", what, at, len);
	}
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return fd_err_set(err, FD_EPARSE, "%s: answer is not a JSON object", what);
	}
	return FD_OK;
}

static void
wipe_tree(cJSON *n)
{
	for (; n; n = n->next) {
		if (n->valuestring)
			fd_secure_wipe(n->valuestring, strlen(n->valuestring));
		wipe_tree(n->child);
	}
}

/* Lambda answers carry environment values: wipe them all before freeing. */
static void
doc_free(cJSON *doc)
{
	wipe_tree(doc);
	cJSON_Delete(doc);
}

typedef void (*item_fn)(const cJSON *item, void *ctx);

/* The shape every Lambda list answer has: {"<array_key>": [...], "NextMarker": "..."}. */
static enum fd_status
parse_list(const char *json, size_t len, const char *what, const char *array_key, item_fn fn,
	   void *ctx, char **next, struct fd_err *err)
{
	const cJSON *arr, *it;
	cJSON *doc;
	enum fd_status st;

	if (next)
		*next = NULL;
	st = parse_doc(json, len, what, &doc, err);
	if (st != FD_OK)
		return st;
	arr = cj_member(doc, array_key);
	if (arr && !cJSON_IsArray(arr) && !cJSON_IsNull(arr)) {
		st = fd_err_set(err, FD_EPARSE, "%s: %s is not a list", what, array_key);
		goto out;
	}
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsObject(it))
			fn(it, ctx);
	if (next)
		*next = jstr(doc, "NextMarker");
out:
	doc_free(doc);
	return st;
}

/* ---- function configuration ---- */

struct str_field {
	const char *outer; /* enclosing object, NULL for top level */
	const char *key;
	size_t off;
};

#define FN_STR(outer, key, field) {outer, key, offsetof(struct fd_function, field)}
static const struct str_field config_strings[] = {
	FN_STR(NULL, "FunctionArn", arn),
	FN_STR(NULL, "Runtime", runtime),
	FN_STR(NULL, "Handler", handler),
	FN_STR(NULL, "Role", role),
	FN_STR(NULL, "Description", description),
	FN_STR(NULL, "LastModified", last_modified),
	FN_STR(NULL, "Version", version),
	FN_STR(NULL, "PackageType", package_type),
	FN_STR(NULL, "State", state),
	FN_STR("LoggingConfig", "LogFormat", log_format),
	FN_STR("LoggingConfig", "LogGroup", log_group),
	FN_STR("LoggingConfig", "ApplicationLogLevel", app_log_level),
	FN_STR("LoggingConfig", "SystemLogLevel", system_log_level),
	FN_STR("DeadLetterConfig", "TargetArn", dlq_arn),
	FN_STR("TracingConfig", "Mode", tracing_mode),
	FN_STR("SnapStart", "ApplyOn", snapstart),
};
#undef FN_STR

static void
function_init(struct fd_function *f)
{
	memset(f, 0, sizeof(*f));
	f->reserved_concurrency = -1;
	f->async.max_retry = -1;
	f->async.max_event_age_s = -1;
}

static int
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

/* The RDS Proxy host named inside v ("db.proxy-x.eu-west-1.rds.amazonaws.com"), alone:
 * a connection string around it may hold a password. */
static char *
rds_proxy_host(const char *v)
{
	const char *p = strstr(v, ".proxy-"), *start, *end, *q;

	if (!p || !(end = strstr(p, RDS_SUFFIX)))
		return NULL;
	end += strlen(RDS_SUFFIX);
	for (q = p; q < end; q++)
		if (!is_host_char(*q))
			return NULL;
	for (start = p; start > v && is_host_char(start[-1]); start--)
		;
	return fd_xstrndup(start, (size_t)(end - start));
}

static void
env_add(struct fd_function *f, const cJSON *var)
{
	struct fd_env *e = &f->env[f->nenv];
	const char *value = var->valuestring;

	if (!cJSON_IsString(var) || !var->string || !value)
		return;
	f->nenv++;
	e->name = dup_capped(var->string);
	e->kind = fd_env_classify(var->string, value);
	if (fd_str_starts(var->string, "POWERTOOLS_"))
		f->powertools = 1;
	if (e->kind == FD_ENV_SECRET_LITERAL)
		return;
	e->value = dup_capped(value);
	if (!f->rds_proxy_endpoint)
		f->rds_proxy_endpoint = rds_proxy_host(value);
}

static void
parse_env(const cJSON *vars, struct fd_function *f)
{
	const cJSON *it;
	int n;

	if (!cJSON_IsObject(vars) || (n = cJSON_GetArraySize(vars)) <= 0)
		return;
	f->env = fd_xcalloc((size_t)n, sizeof(*f->env));
	cJSON_ArrayForEach(it, vars)
		env_add(f, it);
}

static void
parse_layers(const cJSON *layers, struct fd_function *f)
{
	const cJSON *it;
	const char *arn;
	int n;

	if (!cJSON_IsArray(layers) || (n = cJSON_GetArraySize(layers)) <= 0)
		return;
	f->layers = fd_xcalloc((size_t)n, sizeof(*f->layers));
	cJSON_ArrayForEach(it, layers) {
		if (!(arn = cj_str_nonempty(it, "Arn")))
			continue;
		f->layers[f->nlayers++] = dup_capped(arn);
		if (strstr(arn, "AWSLambdaPowertools"))
			f->powertools = 1;
	}
}

static void
parse_config_fields(const cJSON *o, struct fd_function *f)
{
	const struct str_field *t;
	const cJSON *arch = cj_member(o, "Architectures");

	for (t = config_strings; t < config_strings + FD_ARRAY_LEN(config_strings); t++)
		*(char **)(void *)((char *)f + t->off) = jstr(t->outer ? cj_member(o, t->outer) : o,
							     t->key);
	f->memory_mb = jint(o, "MemorySize", 0);
	f->timeout_s = jint(o, "Timeout", 0);
	f->code_size = cj_long(o, "CodeSize", 0);
	f->ephemeral_mb = jint(cj_member(o, "EphemeralStorage"), "Size", 0);
	if (cJSON_IsArray(arch) && cJSON_IsString(arch->child) && arch->child->valuestring[0])
		f->architecture = dup_capped(arch->child->valuestring);
	if (!f->log_group)
		f->log_group = fd_xasprintf("/aws/lambda/%s", f->name);
}

/* Fills f from one FunctionConfiguration; -1 (f left empty) when it has no usable name. */
static int
parse_config(const cJSON *o, struct fd_function *f, int64_t now_ms)
{
	const char *name = cj_str_nonempty(o, "FunctionName");

	function_init(f);
	if (!name || strlen(name) > NAME_MAX_LEN)
		return -1;
	f->name = fd_xstrdup(name);
	parse_config_fields(o, f);
	parse_layers(cj_member(o, "Layers"), f);
	parse_env(cj_member(cj_member(o, "Environment"), "Variables"), f);
	f->fetched_ms = now_ms;
	return 0;
}

struct fn_list {
	struct fd_function *fns;
	size_t n, cap;
	int64_t now_ms;
};

static void
fn_list_item(const cJSON *item, void *ctx)
{
	struct fn_list *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->fns = fd_xreallocarray(l->fns, l->cap, sizeof(*l->fns));
	}
	if (parse_config(item, &l->fns[l->n], l->now_ms) == 0)
		l->n++;
}

enum fd_status
lambda_parse_list_functions(const char *json, size_t len, struct fd_function **out, size_t *n,
			    char **next_marker, struct fd_err *err)
{
	struct fn_list l = {.now_ms = fd_wall_now_ms()};
	enum fd_status st;

	*out = NULL;
	*n = 0;
	st = parse_list(json, len, "ListFunctions", "Functions", fn_list_item, &l, next_marker,
			err);
	if (st != FD_OK) {
		fd_functions_free(l.fns, l.n);
		return st;
	}
	*out = l.fns;
	*n = l.n;
	return FD_OK;
}

/* out is overwritten (not freed). Accepts a bare FunctionConfiguration or a GetFunction
 * answer ({"Configuration": {...}}). */
enum fd_status
lambda_parse_function_config(const char *json, size_t len, struct fd_function *out,
			     struct fd_err *err)
{
	const cJSON *cfg;
	cJSON *doc;
	enum fd_status st;

	function_init(out);
	st = parse_doc(json, len, "GetFunctionConfiguration", &doc, err);
	if (st != FD_OK)
		return st;
	cfg = cj_member(doc, "Configuration");
	if (!cJSON_IsObject(cfg))
		cfg = doc;
	if (parse_config(cfg, out, fd_wall_now_ms()) != 0)
		st = fd_err_set(err, FD_EPARSE, "GetFunctionConfiguration: no usable FunctionName");
	doc_free(doc);
	return st;
}

/* ---- triggers: resource policy and event source mappings ---- */

static void
trigger_push(struct fd_function *fn, const struct fd_trigger *t)
{
	fn->triggers = fd_xreallocarray(fn->triggers, fn->ntriggers + 1, sizeof(*fn->triggers));
	fn->triggers[fn->ntriggers++] = *t;
}

static void
policy_trigger(struct fd_function *fn, enum fd_trigger_kind kind, const char *source)
{
	struct fd_trigger t = {.kind = kind};
	size_t i;

	for (i = 0; i < fn->ntriggers; i++)
		if (fn->triggers[i].kind == kind && fd_str_eq(fn->triggers[i].source_arn, source))
			return;
	t.source_arn = dup_capped(source);
	trigger_push(fn, &t);
}

static enum fd_trigger_kind
kind_from_principal(const char *svc)
{
	static const struct {
		const char *prefix;
		enum fd_trigger_kind kind;
	} map[] = {
		{"apigateway.", FD_TRIG_API_GATEWAY},
		{"s3.", FD_TRIG_S3},
		{"events.", FD_TRIG_EVENTBRIDGE},
		{"sns.", FD_TRIG_SNS},
	};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(map); i++)
		if (fd_str_starts(svc, map[i].prefix))
			return map[i].kind;
	return FD_TRIG_OTHER;
}

static int
is_arn_condition(const char *op)
{
	return op && (strcmp(op, "ArnLike") == 0 || strcmp(op, "ArnEquals") == 0);
}

/* One trigger per AWS:SourceArn in the statement's conditions; the principal itself
 * when the statement names none. */
static void
principal_triggers(const cJSON *st, const char *svc, struct fd_function *fn)
{
	enum fd_trigger_kind kind = kind_from_principal(svc);
	const cJSON *op, *arns, *it;
	int found = 0;

	cJSON_ArrayForEach(op, cj_member(st, "Condition")) {
		if (!is_arn_condition(op->string) || !cJSON_IsObject(op))
			continue;
		arns = cJSON_GetObjectItem(op, "AWS:SourceArn"); /* keys are case-insensitive */
		if (cJSON_IsString(arns) && arns->valuestring[0]) {
			policy_trigger(fn, kind, arns->valuestring);
			found = 1;
		}
		cJSON_ArrayForEach(it, as_array(arns)) {
			if (!cJSON_IsString(it) || !it->valuestring[0])
				continue;
			policy_trigger(fn, kind, it->valuestring);
			found = 1;
		}
	}
	if (!found)
		policy_trigger(fn, kind, svc);
}

static void
statement_triggers(const cJSON *st, void *ctx)
{
	const cJSON *svc = cj_member(cj_member(st, "Principal"), "Service"), *it;
	const char *effect = cj_str_nonempty(st, "Effect");

	if (effect && strcmp(effect, "Allow") != 0)
		return;
	if (cJSON_IsString(svc) && svc->valuestring[0])
		principal_triggers(st, svc->valuestring, ctx);
	cJSON_ArrayForEach(it, as_array(svc))
		if (cJSON_IsString(it) && it->valuestring[0])
			principal_triggers(st, it->valuestring, ctx);
}

static enum fd_status
policy_statements(const cJSON *policy, struct fd_function *fn, struct fd_err *err)
{
	const cJSON *sts = cj_member(policy, "Statement"), *it;

	if (cJSON_IsObject(sts)) {
		statement_triggers(sts, fn);
		return FD_OK;
	}
	if (sts && !cJSON_IsArray(sts))
		return fd_err_set(err, FD_EPARSE, "GetPolicy: Statement is neither a list nor "
				  "an object");
	cJSON_ArrayForEach(it, sts)
		if (cJSON_IsObject(it))
			statement_triggers(it, fn);
	return FD_OK;
}

/* Takes the GetPolicy answer, whose Policy member is a JSON document inside a string
 * (a bare policy document is accepted too). Appends to fn->triggers. */
enum fd_status
lambda_parse_policy_triggers(const char *json, size_t len, struct fd_function *fn,
			     struct fd_err *err)
{
	cJSON *doc, *policy = NULL;
	const char *text;
	enum fd_status st;

	st = parse_doc(json, len, "GetPolicy", &doc, err);
	if (st != FD_OK)
		return st;
	text = cj_str_nonempty(doc, "Policy");
	if (text) {
		st = parse_doc(text, strlen(text), "GetPolicy: Policy document", &policy, err);
		if (st != FD_OK)
			goto out;
	}
	st = policy_statements(policy ? policy : doc, fn, err);
out:
	cJSON_Delete(policy);
	cJSON_Delete(doc);
	return st;
}

/* The service part of "arn:<partition>:<service>:...". */
static enum fd_trigger_kind
kind_from_arn(const char *arn)
{
	static const struct {
		const char *svc;
		enum fd_trigger_kind kind;
	} map[] = {
		{"sqs:", FD_TRIG_SQS},
		{"kinesis:", FD_TRIG_KINESIS},
		{"dynamodb:", FD_TRIG_DYNAMODB},
	};
	const char *p = arn && fd_str_starts(arn, "arn:") ? strchr(arn + 4, ':') : NULL;
	size_t i;

	for (i = 0; p && i < FD_ARRAY_LEN(map); i++)
		if (fd_str_starts(p + 1, map[i].svc))
			return map[i].kind;
	return FD_TRIG_OTHER;
}

static void
esm_item(const cJSON *m, void *ctx)
{
	struct fd_trigger t = {0};
	const char *src = cj_str_nonempty(m, "EventSourceArn");

	t.kind = kind_from_arn(src);
	t.source_arn = src ? dup_capped(src) : NULL;
	t.uuid = jstr(m, "UUID");
	t.state = jstr(m, "State");
	t.batch_size = jint(m, "BatchSize", 0);
	t.on_failure =
		jstr(cj_member(cj_member(m, "DestinationConfig"), "OnFailure"), "Destination");
	trigger_push(ctx, &t);
}

enum fd_status
lambda_parse_event_source_mappings(const char *json, size_t len, struct fd_function *fn,
				   char **next_marker, struct fd_err *err)
{
	return parse_list(json, len, "ListEventSourceMappings", "EventSourceMappings", esm_item,
			  fn, next_marker, err);
}

/* ---- the rest of the detail ---- */

/* out is overwritten (not freed). */
enum fd_status
lambda_parse_async_config(const char *json, size_t len, struct fd_async_config *out,
			  struct fd_err *err)
{
	const cJSON *dest;
	cJSON *doc;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	out->max_retry = -1;
	out->max_event_age_s = -1;
	st = parse_doc(json, len, "GetFunctionEventInvokeConfig", &doc, err);
	if (st != FD_OK)
		return st;
	dest = cj_member(doc, "DestinationConfig");
	out->present = 1;
	out->max_retry = jint(doc, "MaximumRetryAttempts", -1);
	out->max_event_age_s = jint(doc, "MaximumEventAgeInSeconds", -1);
	out->on_failure = jstr(cj_member(dest, "OnFailure"), "Destination");
	out->on_success = jstr(cj_member(dest, "OnSuccess"), "Destination");
	cJSON_Delete(doc);
	return FD_OK;
}

static void
parse_tags(const cJSON *tags, struct fd_function *fn)
{
	const cJSON *it;
	int n;

	if (!cJSON_IsObject(tags) || (n = cJSON_GetArraySize(tags)) <= 0)
		return;
	fn->tags = fd_xreallocarray(fn->tags, fn->ntags + (size_t)n, sizeof(*fn->tags));
	cJSON_ArrayForEach(it, tags) {
		if (!cJSON_IsString(it) || !it->string)
			continue;
		fn->tags[fn->ntags].key = dup_capped(it->string);
		fn->tags[fn->ntags++].value = dup_capped(it->valuestring);
	}
}

/* GetFunction: Tags (appended) and Concurrency (-1 when none is reserved). */
enum fd_status
lambda_parse_get_function(const char *json, size_t len, struct fd_function *fn,
			  struct fd_err *err)
{
	cJSON *doc;
	enum fd_status st;

	st = parse_doc(json, len, "GetFunction", &doc, err);
	if (st != FD_OK)
		return st;
	parse_tags(cj_member(doc, "Tags"), fn);
	fn->reserved_concurrency =
		jint(cj_member(doc, "Concurrency"), "ReservedConcurrentExecutions", -1);
	doc_free(doc);
	return FD_OK;
}

static void
alias_item(const cJSON *a, void *ctx)
{
	struct fd_function *fn = ctx;
	const char *name = cj_str_nonempty(a, "Name");

	if (!name)
		return;
	fn->aliases = fd_xreallocarray(fn->aliases, fn->naliases + 1, sizeof(*fn->aliases));
	fn->aliases[fn->naliases++] = (struct fd_alias){
		.name = dup_capped(name),
		.version = jstr(a, "FunctionVersion"),
	};
}

enum fd_status
lambda_parse_aliases(const char *json, size_t len, struct fd_function *fn, char **next_marker,
		     struct fd_err *err)
{
	return parse_list(json, len, "ListAliases", "Aliases", alias_item, fn, next_marker, err);
}

static void
version_item(const cJSON *v, void *ctx)
{
	struct fd_function *fn = ctx;
	const char *ver = cj_str_nonempty(v, "Version");

	if (!ver)
		return;
	fn->versions = fd_xreallocarray(fn->versions, fn->nversions + 1, sizeof(*fn->versions));
	fn->versions[fn->nversions++] = (struct fd_version){
		.version = dup_capped(ver),
		.last_modified = jstr(v, "LastModified"),
		.runtime = jstr(v, "Runtime"),
		.memory_mb = jint(v, "MemorySize", 0),
	};
}

enum fd_status
lambda_parse_versions(const char *json, size_t len, struct fd_function *fn, char **next_marker,
		      struct fd_err *err)
{
	return parse_list(json, len, "ListVersionsByFunction", "Versions", version_item, fn,
			  next_marker, err);
}

struct pc_list {
	struct lambda_provisioned **out;
	size_t *n;
};

/* The qualifier of "arn:aws:lambda:<region>:<account>:function:<name>:<qualifier>". */
static const char *
arn_qualifier(const char *arn)
{
	const char *p, *last = NULL;
	int colons = 0;

	for (p = arn; p && *p; p++) {
		if (*p == ':') {
			colons++;
			last = p;
		}
	}
	return colons == 7 && last && last[1] ? last + 1 : NULL;
}

static void
pc_item(const cJSON *c, void *ctx)
{
	struct pc_list *l = ctx;
	const char *q = arn_qualifier(cj_str_nonempty(c, "FunctionArn"));

	if (!q)
		return;
	*l->out = fd_xreallocarray(*l->out, *l->n + 1, sizeof(**l->out));
	(*l->out)[(*l->n)++] = (struct lambda_provisioned){
		.qualifier = dup_capped(q),
		.requested = jint(c, "RequestedProvisionedConcurrentExecutions", 0),
		.available = jint(c, "AvailableProvisionedConcurrentExecutions", 0),
	};
}

/* Appends to *out / *n. */
enum fd_status
lambda_parse_provisioned(const char *json, size_t len, struct lambda_provisioned **out,
			 size_t *n, char **next_marker, struct fd_err *err)
{
	struct pc_list l = {out, n};

	return parse_list(json, len, "ListProvisionedConcurrencyConfigs",
			  "ProvisionedConcurrencyConfigs", pc_item, &l, next_marker, err);
}

void
lambda_apply_provisioned(struct fd_function *fn, const struct lambda_provisioned *p, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < fn->naliases; j++) {
			if (!fd_str_eq(fn->aliases[j].name, p[i].qualifier))
				continue;
			fn->aliases[j].provisioned = p[i].requested;
			fn->aliases[j].provisioned_available = p[i].available;
		}
		for (j = 0; j < fn->nversions; j++) {
			if (!fd_str_eq(fn->versions[j].version, p[i].qualifier))
				continue;
			fn->versions[j].provisioned = p[i].requested;
			fn->versions[j].provisioned_available = p[i].available;
		}
	}
}

void
lambda_provisioned_free(struct lambda_provisioned *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i].qualifier);
	free(p);
}

enum fd_status
lambda_parse_account_settings(const char *json, size_t len, struct lambda_account *out,
			      struct fd_err *err)
{
	const cJSON *limit, *usage;
	cJSON *doc;
	enum fd_status st;

	st = parse_doc(json, len, "GetAccountSettings", &doc, err);
	if (st != FD_OK)
		return st;
	limit = cj_member(doc, "AccountLimit");
	usage = cj_member(doc, "AccountUsage");
	out->concurrent_limit = cj_long(limit, "ConcurrentExecutions", -1);
	out->unreserved_limit = cj_long(limit, "UnreservedConcurrentExecutions", -1);
	out->function_count = cj_long(usage, "FunctionCount", -1);
	out->code_size_used = cj_long(usage, "TotalCodeSize", -1);
	cJSON_Delete(doc);
	return FD_OK;
}
