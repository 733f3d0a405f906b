/* test_risks.c - the risk checks: one positive and one negative fixture per check,
 * pure (no network, no cache), plus the table, muting and the runtime dates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/risks.h"
#include "fleetdeck/util.h"
#include "test.h"

#define NOW_S 1796395861LL /* 2026-12-04T15:31:01Z */
#define WINDOW_S 3600

struct fixture {
	struct fd_function fn;
	struct fd_function_metrics met;
	struct fd_log_group group;
	struct fd_risk_input in;
	struct fd_risk *risks;
	size_t n;
};

static void
fixture_init(struct fixture *x, const char *name)
{
	memset(x, 0, sizeof(*x));
	x->fn.name = fd_xstrdup(name);
	x->fn.runtime = fd_xstrdup("python3.13");
	x->fn.timeout_s = 10;
	x->fn.reserved_concurrency = -1;
	x->fn.detail_loaded = 1;
	x->in.fn = &x->fn;
	x->in.now_s = NOW_S;
	x->in.window_s = WINDOW_S;
}

/* 60 one-minute points over the window, every one equal to v. */
static void
set_metric(struct fixture *x, enum fd_metric m, double v)
{
	struct fd_series *s = &x->met.s[m];
	size_t i;

	free(s->values);
	s->start_s = NOW_S - WINDOW_S;
	s->period_s = 60;
	s->n = 60;
	s->values = fd_xcalloc(60, sizeof(double));
	for (i = 0; i < 60; i++)
		s->values[i] = v;
	x->in.metrics = &x->met;
}

static void
add_trigger(struct fixture *x, enum fd_trigger_kind kind, const char *arn, const char *uuid)
{
	struct fd_trigger *t;

	x->fn.triggers = fd_xreallocarray(x->fn.triggers, x->fn.ntriggers + 1, sizeof(*t));
	t = &x->fn.triggers[x->fn.ntriggers++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->source_arn = fd_xstrdup(arn);
	t->uuid = uuid ? fd_xstrdup(uuid) : NULL;
}

static void
add_env(struct fixture *x, const char *name, const char *value, enum fd_env_kind kind)
{
	struct fd_env *e;

	x->fn.env = fd_xreallocarray(x->fn.env, x->fn.nenv + 1, sizeof(*e));
	e = &x->fn.env[x->fn.nenv++];
	e->name = fd_xstrdup(name);
	e->value = value ? fd_xstrdup(value) : NULL;
	e->kind = kind;
}

static void
eval(struct fixture *x)
{
	fd_risks_free(x->risks, x->n);
	x->risks = NULL;
	x->n = 0;
	fd_risks_eval(&x->in, &x->risks, &x->n);
}

/* The risk of check id, or NULL. */
static const struct fd_risk *
found(const struct fixture *x, const char *id)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->risks[i].check_id, id) == 0)
			return &x->risks[i];
	return NULL;
}

static void
fixture_free(struct fixture *x)
{
	fd_risks_free(x->risks, x->n);
	fd_function_free(&x->fn);
	fd_function_metrics_free(&x->met);
	free(x->group.name);
}

TEST(risk_table_is_complete)
{
	const char *ids[] = {"async-no-dlq",       "sqs-no-redrive",       "log-no-retention",
	                     "env-secret-literal", "timeout-too-long",     "timeouts-observed",
	                     "runtime-deprecated", "throttles-no-reserved",
	                     /* least privilege, secrets, log level (src/iam_checks.c) */
	                     "iam-wildcard",       "iam-passrole-star",    "iam-data-write-star",
	                     "iam-managed-broad",  "iam-role-shared",      "iam-trust-broad",
	                     "secret-rotation",    "secret-unreadable",    "log-debug-prod"};
	size_t i, j;

	CHECK_INT(fd_risk_check_count(), FD_ARRAY_LEN(ids));
	for (i = 0; i < FD_ARRAY_LEN(ids); i++) {
		const struct fd_risk_check *c = fd_risk_check_find(ids[i]);
		REQUIRE(c != NULL);
		CHECK(c->title && *c->title);
		CHECK(c->fix && *c->fix);
	}
	for (i = 0; i < fd_risk_check_count(); i++)
		for (j = i + 1; j < fd_risk_check_count(); j++)
			CHECK(strcmp(fd_risk_check_at(i)->id, fd_risk_check_at(j)->id) != 0);
	CHECK(fd_risk_check_at(fd_risk_check_count()) == NULL);
	CHECK(fd_risk_check_find("no-such-check") == NULL);
	CHECK_INT(fd_risk_check_find("async-no-dlq")->severity, FD_SEV_HIGH);
	CHECK_INT(fd_risk_check_find("timeout-too-long")->severity, FD_SEV_LOW);
}

TEST(risk_async_no_dlq)
{
	struct fixture x;
	const struct fd_risk *r;

	fixture_init(&x, "uploads");
	add_trigger(&x, FD_TRIG_S3, "arn:aws:s3:::uploads-bucket", NULL);
	eval(&x);
	r = found(&x, "async-no-dlq");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_STR(r->function, "uploads");
	CHECK_CONTAINS(r->reason, "s3");
	CHECK_CONTAINS(r->reason, "uploads-bucket");
	CHECK(r->fix != NULL);

	x.fn.dlq_arn = fd_xstrdup("arn:aws:sqs:us-east-1:123456789012:uploads-dlq");
	eval(&x);
	CHECK(found(&x, "async-no-dlq") == NULL);
	free(x.fn.dlq_arn);
	x.fn.dlq_arn = NULL;
	x.fn.async.present = 1;
	x.fn.async.on_failure = fd_xstrdup("arn:aws:sqs:us-east-1:123456789012:failures");
	eval(&x);
	CHECK(found(&x, "async-no-dlq") == NULL);
	fixture_free(&x);
}

TEST(risk_async_no_dlq_negative_sync_only)
{
	struct fixture x;

	fixture_init(&x, "worker");
	add_trigger(&x, FD_TRIG_SQS, "arn:aws:sqs:us-east-1:123456789012:jobs", "uuid-1");
	add_trigger(&x, FD_TRIG_API_GATEWAY, "arn:aws:execute-api:us-east-1:1:abc/*", NULL);
	set_metric(&x, FD_M_ASYNC_DROPPED, 0);
	eval(&x);
	CHECK(found(&x, "async-no-dlq") == NULL);
	/* Without detail the triggers and async config are unknown: no guess. */
	x.fn.detail_loaded = 0;
	add_trigger(&x, FD_TRIG_SNS, "arn:aws:sns:us-east-1:1:topic", NULL);
	eval(&x);
	CHECK(found(&x, "async-no-dlq") == NULL);
	fixture_free(&x);
}

TEST(risk_async_no_dlq_from_metrics)
{
	const struct fd_risk *r;
	struct fixture x;

	fixture_init(&x, "invoked-by-sdk");
	set_metric(&x, FD_M_ASYNC_AGE, 1200);
	eval(&x);
	r = found(&x, "async-no-dlq");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "AsyncEventAge");
	fixture_free(&x);
}

/* name triggered by the first of the queues q[0..n), judged with their facts. */
static void
eval_sqs(struct fixture *x, const char *name, struct fd_queue_fact *q, size_t n,
         const char *uuid)
{
	fixture_init(x, name);
	add_trigger(x, FD_TRIG_SQS, q[0].arn, uuid);
	x->in.queues = q;
	x->in.nqueues = n;
	eval(x);
}

TEST(risk_sqs_no_redrive)
{
	struct fd_queue_fact q[] = {{"arn:aws:sqs:us-east-1:123456789012:orders", 0, NULL, -1, 1},
	                            {"arn:aws:sqs:us-east-1:123456789012:payments", 1,
	                             "arn:aws:sqs:us-east-1:123456789012:payments-dlq", 0, 1}};
	const struct fd_risk *r;
	struct fixture x;

	eval_sqs(&x, "orders-worker", q, 2, "uuid-orders");
	r = found(&x, "sqs-no-redrive");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "orders");
	CHECK_INT(r->severity, FD_SEV_MEDIUM);
	fixture_free(&x);
}

TEST(risk_sqs_no_redrive_negative)
{
	struct fd_queue_fact q[] = {{"arn:aws:sqs:us-east-1:123456789012:payments", 1,
	                             "arn:aws:sqs:us-east-1:123456789012:payments-dlq", 0, 1}};
	struct fixture x;

	eval_sqs(&x, "payments-worker", q, 1, "uuid-payments");
	CHECK(found(&x, "sqs-no-redrive") == NULL);
	/* A queue whose attributes are unknown is not judged. */
	x.in.queues = NULL;
	x.in.nqueues = 0;
	eval(&x);
	CHECK(found(&x, "sqs-no-redrive") == NULL);
	fixture_free(&x);
}

/* A DLQ with messages is one nobody watches; an empty one or one of unknown depth
 * is not judged. */
TEST(risk_sqs_dlq_unwatched)
{
	struct fd_queue_fact q[] = {{"arn:aws:sqs:us-east-1:123456789012:payments", 1,
	                             "arn:aws:sqs:us-east-1:123456789012:payments-dlq", 120, 1}};
	const struct fd_risk *r;
	struct fixture x;

	eval_sqs(&x, "payments-worker", q, 1, "uuid-payments");
	r = found(&x, "sqs-no-redrive");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "DLQ payments-dlq");
	CHECK_CONTAINS(r->reason, "120 messages");
	CHECK_INT(r->severity, FD_SEV_MEDIUM);
	fixture_free(&x);
}

TEST(risk_sqs_dlq_unwatched_negative)
{
	struct fd_queue_fact q[] = {{"arn:aws:sqs:us-east-1:123456789012:payments", 1,
	                             "arn:aws:sqs:us-east-1:123456789012:payments-dlq", -1, 1}};
	struct fixture x;

	eval_sqs(&x, "payments-worker", q, 1, "uuid-payments");
	CHECK(found(&x, "sqs-no-redrive") == NULL);
	fixture_free(&x);
}

TEST(risk_log_no_retention)
{
	struct fixture x;
	const struct fd_risk *r;

	fixture_init(&x, "chatty");
	x.group.name = fd_xstrdup("/aws/lambda/chatty");
	x.group.retention_days = 0;
	x.group.stored_bytes = 10LL * 1024 * 1024 * 1024;
	x.in.log_group = &x.group;
	eval(&x);
	r = found(&x, "log-no-retention");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "/aws/lambda/chatty");
	CHECK_CONTAINS(r->reason, "10.0 GB");
	CHECK_CONTAINS(r->reason, "$0.30/month");
	fixture_free(&x);
}

TEST(risk_log_no_retention_negative)
{
	struct fixture x;

	fixture_init(&x, "tidy");
	x.group.name = fd_xstrdup("/aws/lambda/tidy");
	x.group.retention_days = 30;
	x.group.stored_bytes = 1LL << 40;
	x.in.log_group = &x.group;
	eval(&x);
	CHECK(found(&x, "log-no-retention") == NULL);
	x.in.log_group = NULL;
	eval(&x);
	CHECK(found(&x, "log-no-retention") == NULL);
	fixture_free(&x);
}

TEST(risk_env_secret_literal)
{
	struct fixture x;
	const struct fd_risk *r;

	fixture_init(&x, "billing");
	add_env(&x, "DB_PASSWORD", NULL, FD_ENV_SECRET_LITERAL);
	add_env(&x, "LOG_LEVEL", "INFO", FD_ENV_PLAIN);
	eval(&x);
	r = found(&x, "env-secret-literal");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "DB_PASSWORD");
	CHECK(strstr(r->reason, "LOG_LEVEL") == NULL);
	fixture_free(&x);
}

TEST(risk_env_secret_literal_negative)
{
	struct fixture x;

	fixture_init(&x, "billing");
	add_env(&x, "DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:1:secret:db",
	        FD_ENV_SECRET_REF);
	add_env(&x, "LOG_LEVEL", "INFO", FD_ENV_PLAIN);
	eval(&x);
	CHECK(found(&x, "env-secret-literal") == NULL);
	fixture_free(&x);
}

TEST(risk_timeout_too_long)
{
	const struct fd_risk *r;
	struct fixture x;

	fixture_init(&x, "slowpoke");
	x.fn.timeout_s = 900;
	set_metric(&x, FD_M_DURATION_P99, 1500);
	eval(&x);
	r = found(&x, "timeout-too-long");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_LOW);
	CHECK_CONTAINS(r->reason, "900 s");
	fixture_free(&x);
}

TEST(risk_timeout_too_long_negative)
{
	struct fixture x;

	fixture_init(&x, "busy");
	x.fn.timeout_s = 900;
	set_metric(&x, FD_M_DURATION_P99, 400000); /* 900 s < 5 x 400 s */
	eval(&x);
	CHECK(found(&x, "timeout-too-long") == NULL);
	x.fn.timeout_s = 30; /* not above 30 s */
	set_metric(&x, FD_M_DURATION_P99, 10);
	eval(&x);
	CHECK(found(&x, "timeout-too-long") == NULL);
	x.fn.timeout_s = 600; /* no metrics: nothing to compare with */
	fd_function_metrics_free(&x.met);
	x.in.metrics = NULL;
	eval(&x);
	CHECK(found(&x, "timeout-too-long") == NULL);
	fixture_free(&x);
}

TEST(risk_timeouts_observed)
{
	const struct fd_risk *r;
	struct fixture x;

	fixture_init(&x, "times-out");
	x.fn.timeout_s = 3;
	set_metric(&x, FD_M_DURATION_MAX, 2995);
	eval(&x);
	r = found(&x, "timeouts-observed");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "3 s timeout");
	fixture_free(&x);
}

TEST(risk_timeouts_observed_negative)
{
	struct fixture x;

	fixture_init(&x, "quick");
	x.fn.timeout_s = 3;
	set_metric(&x, FD_M_DURATION_MAX, 2000);
	eval(&x);
	CHECK(found(&x, "timeouts-observed") == NULL);
	fixture_free(&x);
}

TEST(risk_runtime_deprecated)
{
	struct fixture x;
	const struct fd_risk *r;

	fixture_init(&x, "legacy");
	free(x.fn.runtime);
	x.fn.runtime = fd_xstrdup("python3.8");
	eval(&x);
	r = found(&x, "runtime-deprecated");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "2024-10-14");
	free(x.fn.runtime);
	x.fn.runtime = fd_xstrdup("nodejs22.x"); /* 2027-04-30: within 180 days */
	eval(&x);
	r = found(&x, "runtime-deprecated");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_MEDIUM);
	CHECK_CONTAINS(r->reason, "2027-04-30");
	fixture_free(&x);
}

TEST(risk_runtime_deprecated_negative)
{
	struct fixture x;
	int past = 1;

	fixture_init(&x, "modern");
	eval(&x); /* python3.13: 2029 */
	CHECK(found(&x, "runtime-deprecated") == NULL);
	free(x.fn.runtime);
	x.fn.runtime = NULL; /* container image */
	eval(&x);
	CHECK(found(&x, "runtime-deprecated") == NULL);
	CHECK(fd_runtime_deprecation("python3.13", &past, NOW_S) == NULL);
	CHECK_INT(past, 0);
	CHECK(fd_runtime_deprecation("cobol85", &past, NOW_S) == NULL);
	CHECK_STR(fd_runtime_deprecation("go1.x", &past, NOW_S), "2024-01-08");
	CHECK_INT(past, 1);
	fixture_free(&x);
}

TEST(risk_throttles_no_reserved)
{
	const struct fd_risk *r;
	struct fixture x;

	fixture_init(&x, "throttled");
	set_metric(&x, FD_M_THROTTLES, 2);
	eval(&x);
	r = found(&x, "throttles-no-reserved");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "120 throttles");
	fixture_free(&x);
}

TEST(risk_throttles_no_reserved_negative)
{
	struct fixture x;

	fixture_init(&x, "reserved");
	set_metric(&x, FD_M_THROTTLES, 2);
	x.fn.reserved_concurrency = 50;
	eval(&x);
	CHECK(found(&x, "throttles-no-reserved") == NULL);
	x.fn.reserved_concurrency = -1;
	set_metric(&x, FD_M_THROTTLES, 0);
	eval(&x);
	CHECK(found(&x, "throttles-no-reserved") == NULL);
	fixture_free(&x);
}

TEST(risk_muting)
{
	const char *const only_env[] = {"env-secret-literal", NULL};
	const char *const all[] = {"*", NULL};
	struct fixture x;

	fixture_init(&x, "muted");
	free(x.fn.runtime);
	x.fn.runtime = fd_xstrdup("python3.8");
	add_env(&x, "API_KEY", NULL, FD_ENV_SECRET_LITERAL);
	eval(&x);
	CHECK(found(&x, "env-secret-literal") != NULL);
	CHECK(found(&x, "runtime-deprecated") != NULL);
	x.in.muted = only_env;
	eval(&x);
	CHECK(found(&x, "env-secret-literal") == NULL);
	CHECK(found(&x, "runtime-deprecated") != NULL);
	x.in.muted = all;
	eval(&x);
	CHECK_INT(x.n, 0);
	fixture_free(&x);
}
