/* risks.c - the risk checks: one table (id, severity, title, fix, evaluator) and
 * pure evaluators over fleet records. A check that lacks the data it needs (no
 * detail loaded, no metrics, unknown queue) stays silent rather than guess. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/risks.h"
#include "fleetdeck/util.h"
#include "risks_int.h"

#define DAY_S 86400
#define RUNTIME_WARN_DAYS 180

struct check_def {
	struct fd_risk_check info;
	void (*eval)(struct risk_sink *s);
};

void
risk_emit(struct risk_sink *s, enum fd_severity sev, const char *fmt, ...)
{
	struct fd_risk *r;
	struct fd_buf b;
	va_list ap;

	fd_buf_init(&b);
	va_start(ap, fmt);
	fd_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*s->out = fd_xreallocarray(*s->out, *s->n + 1, sizeof(**s->out));
	r = &(*s->out)[(*s->n)++];
	r->check_id = s->check->id;
	r->severity = sev;
	r->function = fd_xstrdup(s->in->fn->name ? s->in->fn->name : "");
	r->reason = fd_buf_steal(&b);
	r->fix = s->check->fix;
}

static const char *
arn_tail(const char *arn)
{
	const char *p = arn ? strrchr(arn, ':') : NULL;

	return p ? p + 1 : (arn ? arn : "");
}

static int64_t
window_from(const struct fd_risk_input *in)
{
	return in->now_s - (in->window_s > 0 ? in->window_s : 3600);
}

static double
metric_sum(const struct fd_risk_input *in, enum fd_metric m)
{
	if (!in->metrics)
		return NAN;
	return fd_series_sum(&in->metrics->s[m], window_from(in), in->now_s + 1);
}

static double
metric_max(const struct fd_risk_input *in, enum fd_metric m)
{
	if (!in->metrics)
		return NAN;
	return fd_series_max(&in->metrics->s[m], window_from(in), in->now_s + 1);
}

static const struct fd_trigger *
first_async_trigger(const struct fd_function *fn)
{
	size_t i;

	for (i = 0; i < fn->ntriggers; i++)
		if (fd_trigger_is_async(fn->triggers[i].kind))
			return &fn->triggers[i];
	return NULL;
}

/* Async invocations possible (an async trigger, or async metrics observed) and no
 * DLQ and no on-failure destination: failures after retries vanish. Needs detail. */
static void
check_async_no_dlq(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	const struct fd_trigger *t;
	double dropped, age;

	if (!fn->detail_loaded || fn->dlq_arn || (fn->async.present && fn->async.on_failure))
		return;
	t = first_async_trigger(fn);
	if (t) {
		risk_emit(
		    s, s->check->severity,
		    "invoked asynchronously by %s (%s) with no DLQ and no on-failure destination",
		    fd_trigger_name(t->kind), t->source_arn ? t->source_arn : "resource policy");
		return;
	}
	dropped = metric_sum(s->in, FD_M_ASYNC_DROPPED);
	age = metric_max(s->in, FD_M_ASYNC_AGE);
	if ((!isnan(dropped) && dropped > 0) || (!isnan(age) && age > 0))
		risk_emit(
		    s, s->check->severity,
		    "async invocations observed (AsyncEventAge/AsyncEventsDropped) with no DLQ "
		    "and no on-failure destination");
}

static const struct fd_queue_fact *
queue_fact(const struct fd_risk_input *in, const char *arn)
{
	size_t i;

	for (i = 0; arn && i < in->nqueues; i++)
		if (fd_str_eq(in->queues[i].arn, arn))
			return &in->queues[i];
	return NULL;
}

/* Only queues whose attributes are known are judged; unknown ones are skipped. A DLQ
 * with messages in it is one nobody watches: failed records pile up unnoticed. */
static void
check_sqs_no_redrive(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	size_t i;

	for (i = 0; i < fn->ntriggers; i++) {
		const struct fd_trigger *t = &fn->triggers[i];
		const struct fd_queue_fact *q;
		if (t->kind != FD_TRIG_SQS || !t->uuid)
			continue;
		q = queue_fact(s->in, t->source_arn);
		if (q && !q->has_redrive)
			risk_emit(s, s->check->severity,
			          "SQS source queue %s has no redrive policy (queue attributes read)",
			          arn_tail(t->source_arn));
		else if (q && q->dlq_depth > 0)
			risk_emit(s, s->check->severity,
			          "DLQ %s of SQS source queue %s holds %lld messages nobody handled",
			          arn_tail(q->dlq_arn), arn_tail(t->source_arn), q->dlq_depth);
	}
}

static void
format_bytes(long long bytes, char *out, size_t n)
{
	const char *unit[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < FD_ARRAY_LEN(unit)) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%lld B", bytes);
	else
		snprintf(out, n, "%.1f %s", v, unit[u]);
}

static void
check_log_no_retention(struct risk_sink *s)
{
	const struct fd_log_group *g = s->in->log_group;
	char size[32];
	double gb, cost;

	if (!g || g->retention_days != 0)
		return;
	format_bytes(g->stored_bytes, size, sizeof(size));
	gb = (double)g->stored_bytes / (1024.0 * 1024.0 * 1024.0);
	cost = gb * FD_LOG_STORAGE_USD_PER_GB_MONTH;
	risk_emit(s, s->check->severity,
	          "log group %s never expires: %s stored, about $%.2f/month at $%.2f/GB-month",
	          g->name ? g->name : "?", size, cost, FD_LOG_STORAGE_USD_PER_GB_MONTH);
}

static void
check_env_secret_literal(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	size_t i;

	for (i = 0; i < fn->nenv; i++)
		if (fn->env[i].kind == FD_ENV_SECRET_LITERAL && fn->env[i].name)
			risk_emit(
			    s, s->check->severity,
			    "environment variable %s holds a literal secret (value not shown)",
			    fn->env[i].name);
}

/* Uses the highest per-period p99 of the window: the function is judged by its
 * worst observed tail, so a slow period never makes the timeout look too long. */
static void
check_timeout_too_long(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	double p99 = metric_max(s->in, FD_M_DURATION_P99);

	if (isnan(p99) || p99 <= 0 || fn->timeout_s <= 30)
		return;
	if ((double)fn->timeout_s * 1000.0 >= 5.0 * p99)
		risk_emit(s, s->check->severity,
		          "timeout %d s is %.0fx the highest observed p99 (%.0f ms)", fn->timeout_s,
		          (double)fn->timeout_s * 1000.0 / p99, p99);
}

static void
check_timeouts_observed(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	double mx = metric_max(s->in, FD_M_DURATION_MAX);

	if (isnan(mx) || fn->timeout_s <= 0)
		return;
	if (mx >= 0.95 * (double)fn->timeout_s * 1000.0)
		risk_emit(
		    s, s->check->severity,
		    "max duration %.0f ms reached %.0f%% of the %d s timeout: invocations time out",
		    mx, mx * 100.0 / ((double)fn->timeout_s * 1000.0), fn->timeout_s);
}

static void
check_runtime_deprecated(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	const char *date;
	int past = 0;

	date = fd_runtime_deprecation(fn->runtime, &past, s->in->now_s);
	if (!date)
		return;
	if (past)
		risk_emit(s, FD_SEV_HIGH, "runtime %s deprecated since %s (no security patches)",
		          fn->runtime, date);
	else
		risk_emit(s, FD_SEV_MEDIUM, "runtime %s is deprecated on %s", fn->runtime, date);
}

static void
check_throttles_no_reserved(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	double thr = metric_sum(s->in, FD_M_THROTTLES);

	if (!fn->detail_loaded || fn->reserved_concurrency >= 0 || isnan(thr) || thr <= 0)
		return;
	risk_emit(s, s->check->severity, "%.0f throttles in the window and no reserved concurrency",
	          thr);
}

static const struct check_def checks[] = {
    {{.id = "async-no-dlq",
      .severity = FD_SEV_HIGH,
      .title = "async invocations without DLQ or on-failure destination",
      .fix = "set a DeadLetterConfig or an async on-failure destination"},
     check_async_no_dlq},
    {{.id = "sqs-no-redrive",
      .severity = FD_SEV_MEDIUM,
      .title = "SQS source queue without redrive policy, or its DLQ holds messages",
      .fix = "give the source queue a RedrivePolicy with a DLQ and maxReceiveCount; "
             "watch the DLQ and redrive or purge it"},
     check_sqs_no_redrive},
    {{.id = "log-no-retention",
      .severity = FD_SEV_MEDIUM,
      .title = "log group never expires",
      .fix = "set a retention period on the log group (e.g. 30 days)"},
     check_log_no_retention},
    {{.id = "env-secret-literal",
      .severity = FD_SEV_HIGH,
      .title = "literal secret in an environment variable",
      .fix = "move the value to Secrets Manager or SSM and reference it"},
     check_env_secret_literal},
    {{.id = "timeout-too-long",
      .severity = FD_SEV_LOW,
      .title = "timeout far above observed duration",
      .fix = "lower the timeout to a few times the observed p99"},
     check_timeout_too_long},
    {{.id = "timeouts-observed",
      .severity = FD_SEV_HIGH,
      .title = "invocations reach the timeout",
      .fix = "raise the timeout or speed up the slow path (check downstream latency)"},
     check_timeouts_observed},
    {{.id = "runtime-deprecated",
      .severity = FD_SEV_HIGH,
      .title = "deprecated or soon-deprecated runtime",
      .fix = "upgrade to a supported runtime version"},
     check_runtime_deprecated},
    {{.id = "throttles-no-reserved",
      .severity = FD_SEV_MEDIUM,
      .title = "throttled without reserved concurrency",
      .fix = "set reserved concurrency, or raise the account concurrency limit"},
     check_throttles_no_reserved},
    {{.id = "iam-wildcard",
      .severity = FD_SEV_CRITICAL,
      .title = "execution role allows \"*\" or a whole service on every resource",
      .fix = "name the actions and resource ARNs the function needs"},
     check_iam_wildcard},
    {{.id = "iam-passrole-star",
      .severity = FD_SEV_HIGH,
      .title = "execution role may pass any role (iam:PassRole on *)",
      .fix = "limit iam:PassRole to the role ARNs it hands over, with iam:PassedToService"},
     check_iam_passrole},
    {{.id = "iam-data-write-star",
      .severity = FD_SEV_MEDIUM,
      .title = "write access to every S3, DynamoDB, SQS, SNS or secret resource; kms:Decrypt on *",
      .fix = "scope the statement to the buckets, tables, queues, topics, secrets or keys used"},
     check_iam_data_write},
    {{.id = "iam-managed-broad",
      .severity = FD_SEV_HIGH,
      .title = "AdministratorAccess, PowerUserAccess or a *FullAccess policy attached",
      .fix = "replace it with a customer managed policy naming what the function uses"},
     check_iam_managed_broad},
    {{.id = "iam-role-shared",
      .severity = FD_SEV_LOW,
      .title = "execution role shared by functions of different services or teams",
      .fix = "give each service its own role so permissions follow what each one needs"},
     check_iam_role_shared},
    {{.id = "iam-trust-broad",
      .severity = FD_SEV_HIGH,
      .title = "execution role trusts principals beyond lambda.amazonaws.com",
      .fix = "trust only lambda.amazonaws.com in the role's trust policy"},
     check_iam_trust_broad},
    {{.id = "secret-rotation",
      .severity = FD_SEV_MEDIUM,
      .title = "referenced secret without rotation or not rotated for 90 days",
      .fix = "turn on rotation for the secret (and check the rotation function runs)"},
     check_secret_rotation},
    {{.id = "secret-unreadable",
      .severity = FD_SEV_HIGH,
      .title = "function references a secret its role cannot read",
      .fix = "allow secretsmanager:GetSecretValue or ssm:GetParameter on that ARN"},
     check_secret_unreadable},
    {{.id = "log-debug-prod",
      .severity = FD_SEV_MEDIUM,
      .title = "DEBUG log level in production",
      .fix = "set the log level to INFO or WARN (LoggingConfig or POWERTOOLS_LOG_LEVEL)"},
     check_log_debug_prod},
};

size_t
fd_risk_check_count(void)
{
	return FD_ARRAY_LEN(checks);
}

const struct fd_risk_check *
fd_risk_check_at(size_t i)
{
	return i < FD_ARRAY_LEN(checks) ? &checks[i].info : NULL;
}

const struct fd_risk_check *
fd_risk_check_find(const char *id)
{
	size_t i;

	for (i = 0; id && i < FD_ARRAY_LEN(checks); i++)
		if (strcmp(checks[i].info.id, id) == 0)
			return &checks[i].info;
	return NULL;
}

static int
is_muted(const char *const *muted, const char *id)
{
	for (; muted && *muted; muted++)
		if (strcmp(*muted, id) == 0 || strcmp(*muted, "*") == 0)
			return 1;
	return 0;
}

void
fd_risks_eval(const struct fd_risk_input *in, struct fd_risk **out, size_t *n)
{
	struct risk_sink s = {in, NULL, out, n};
	size_t i;

	if (!in || !in->fn)
		return;
	for (i = 0; i < FD_ARRAY_LEN(checks); i++) {
		if (is_muted(in->muted, checks[i].info.id))
			continue;
		s.check = &checks[i].info;
		checks[i].eval(&s);
	}
}

/* Lambda runtime deprecation dates (phase 1: no more security patches), from the
 * AWS Lambda runtimes page. Dates after today are AWS's announced schedule and may
 * move; keep this the only place that lists them. */
static const struct {
	const char *runtime;
	const char *date;
} runtime_dates[] = {
    {"nodejs", "2016-10-31"},         {"nodejs4.3", "2020-03-05"},
    {"nodejs4.3-edge", "2020-03-05"}, {"nodejs6.10", "2019-08-12"},
    {"nodejs8.10", "2020-03-06"},     {"nodejs10.x", "2021-07-30"},
    {"nodejs12.x", "2023-03-31"},     {"nodejs14.x", "2023-12-04"},
    {"nodejs16.x", "2024-06-12"},     {"nodejs18.x", "2025-09-01"},
    {"nodejs20.x", "2026-04-30"},     {"nodejs22.x", "2027-04-30"},
    {"python2.7", "2021-07-15"},      {"python3.6", "2022-07-18"},
    {"python3.7", "2023-12-04"},      {"python3.8", "2024-10-14"},
    {"python3.9", "2025-12-15"},      {"python3.10", "2026-06-30"},
    {"python3.11", "2026-06-30"},     {"python3.12", "2028-10-31"},
    {"java8", "2024-01-08"},          {"java8.al2", "2026-06-30"},
    {"java11", "2026-06-30"},         {"java17", "2026-06-30"},
    {"go1.x", "2024-01-08"},          {"provided", "2024-01-08"},
    {"provided.al2", "2026-06-30"},   {"ruby2.5", "2021-07-30"},
    {"ruby2.7", "2023-12-07"},        {"ruby3.2", "2026-03-31"},
    {"dotnetcore1.0", "2019-07-27"},  {"dotnetcore2.0", "2019-05-30"},
    {"dotnetcore2.1", "2022-01-05"},  {"dotnetcore3.1", "2023-04-03"},
    {"dotnet5.0", "2022-05-10"},      {"dotnet6", "2024-12-20"},
    {"dotnet7", "2024-05-14"},        {"dotnet8", "2026-11-10"},
};

/* Parsed once: the check runs for every function on every recompute. */
static time_t
runtime_date_at(size_t i)
{
	static time_t parsed[FD_ARRAY_LEN(runtime_dates)];

	if (!parsed[i])
		parsed[i] = fd_parse_iso8601(runtime_dates[i].date);
	return parsed[i];
}

const char *
fd_runtime_deprecation(const char *runtime, int *deprecated_now, int64_t now_s)
{
	size_t i;

	if (deprecated_now)
		*deprecated_now = 0;
	for (i = 0; runtime && i < FD_ARRAY_LEN(runtime_dates); i++) {
		time_t at;
		if (strcmp(runtime_dates[i].runtime, runtime) != 0)
			continue;
		at = runtime_date_at(i);
		if (now_s >= (int64_t)at) {
			if (deprecated_now)
				*deprecated_now = 1;
			return runtime_dates[i].date;
		}
		if ((int64_t)at - now_s <= (int64_t)RUNTIME_WARN_DAYS * DAY_S)
			return runtime_dates[i].date;
		return NULL;
	}
	return NULL;
}
