/* test_lambda.c - Lambda answer parsers on hand-written fixtures (tests/data/lambda),
 * hostile inputs, secret handling, and the calls against the simulator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/lambda.h"
#include "test.h"
#include "test_aws_sim.h"

static char *
fixture(const char *name, size_t *len)
{
	struct fd_buf b;
	struct fd_err err = {0};
	char path[512];

	fd_buf_init(&b);
	snprintf(path, sizeof(path), "%s/lambda/%s", fd_test_data(), name);
	if (fd_read_file(path, 1 << 20, &b, &err) != FD_OK) {
		fd_test_fail(__FILE__, __LINE__, "fixture %s: %s", name, err.msg);
		fd_buf_free(&b);
		*len = 0;
		return NULL;
	}
	*len = b.len;
	return fd_buf_steal(&b);
}

static const struct fd_env *
env_find(const struct fd_function *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nenv; i++)
		if (strcmp(f->env[i].name, name) == 0)
			return &f->env[i];
	return NULL;
}

/* ---- secret scan: every string a parsed record holds ---- */

static const char *const secret_values[] = {
	"hunter2", "sk_live_", "pa55word", "IQoJb3JpZ2lu", "old-version-secret",
};

static int
leaks(const char *s)
{
	size_t i;

	for (i = 0; s && i < FD_ARRAY_LEN(secret_values); i++)
		if (strstr(s, secret_values[i]))
			return 1;
	return 0;
}

static int
function_leaks(const struct fd_function *f)
{
	const char *strs[] = {f->name, f->arn, f->runtime, f->handler, f->role, f->description,
			      f->last_modified, f->version, f->architecture, f->package_type,
			      f->state, f->log_format, f->log_group, f->app_log_level,
			      f->system_log_level, f->dlq_arn, f->tracing_mode, f->snapstart,
			      f->rds_proxy_endpoint, f->async.on_failure, f->async.on_success};
	size_t i;
	int bad = 0;

	for (i = 0; i < FD_ARRAY_LEN(strs); i++)
		bad |= leaks(strs[i]);
	for (i = 0; i < f->nenv; i++)
		bad |= leaks(f->env[i].name) | leaks(f->env[i].value);
	for (i = 0; i < f->nlayers; i++)
		bad |= leaks(f->layers[i]);
	for (i = 0; i < f->ntags; i++)
		bad |= leaks(f->tags[i].key) | leaks(f->tags[i].value);
	for (i = 0; i < f->ntriggers; i++)
		bad |= leaks(f->triggers[i].source_arn) | leaks(f->triggers[i].on_failure);
	for (i = 0; i < f->nversions; i++)
		bad |= leaks(f->versions[i].version) | leaks(f->versions[i].runtime);
	return bad;
}

/* ---- ListFunctions ---- */

TEST(lambda_list_functions_fields)
{
	struct fd_function *fns = NULL, *f;
	struct fd_err err = {0};
	size_t len, n = 0;
	char *json = fixture("list_functions_page1.json", &len), *next = NULL;

	REQUIRE(json);
	setenv("FLEETDECK_NOW", "2026-12-04T12:00:00Z", 1);
	CHECK_INT(lambda_parse_list_functions(json, len, &fns, &n, &next, &err), FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(next, "eyJtYXJrZXIiOiJ0aHVtYm5haWxlciJ9");
	f = &fns[0];
	CHECK_STR(f->name, "orders-api");
	CHECK_STR(f->arn, "arn:aws:lambda:eu-west-1:123456789012:function:orders-api");
	CHECK_STR(f->runtime, "python3.12");
	CHECK_STR(f->handler, "app.handler");
	CHECK_STR(f->role, "arn:aws:iam::123456789012:role/orders-api-role");
	CHECK_STR(f->description, "Orders HTTP API");
	CHECK_STR(f->last_modified, "2026-11-30T10:00:00.000+0000");
	CHECK_STR(f->version, "$LATEST");
	CHECK_STR(f->architecture, "x86_64");
	CHECK_STR(f->package_type, "Zip");
	CHECK_STR(f->state, "Active");
	CHECK_INT(f->memory_mb, 1024);
	CHECK_INT(f->timeout_s, 30);
	CHECK_INT(f->ephemeral_mb, 1024);
	CHECK_INT(f->code_size, 5242880);
	CHECK_STR(f->log_format, "JSON");
	CHECK_STR(f->log_group, "/custom/orders-api");
	CHECK_STR(f->app_log_level, "INFO");
	CHECK_STR(f->system_log_level, "WARN");
	CHECK_STR(f->dlq_arn, "arn:aws:sqs:eu-west-1:123456789012:orders-api-dlq");
	CHECK_STR(f->tracing_mode, "Active");
	CHECK_STR(f->snapstart, "None");
	REQUIRE(f->nlayers == 2);
	CHECK_CONTAINS(f->layers[0], "AWSLambdaPowertoolsPythonV3");
	CHECK_STR(f->layers[1], "arn:aws:lambda:eu-west-1:123456789012:layer:shared-utils:12");
	CHECK_INT(f->powertools, 1);
	CHECK_STR(f->rds_proxy_endpoint,
		  "orders-db.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com");
	CHECK_INT(f->reserved_concurrency, -1);
	CHECK_INT(f->detail_loaded, 0);
	CHECK_INT(f->fetched_ms, 1796385600000LL);
	CHECK_INT(f->nenv, 6);
	fd_functions_free(fns, n);
	free(next);
	free(json);
}

TEST(lambda_list_functions_defaults)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	size_t len, n = 0;
	char *json = fixture("list_functions_page1.json", &len), *next = NULL;

	REQUIRE(json);
	REQUIRE(lambda_parse_list_functions(json, len, &fns, &n, &next, &err) == FD_OK && n == 3);
	/* billing-java: empty Description is no description; SnapStart; no powertools */
	CHECK(fns[1].description == NULL);
	CHECK_STR(fns[1].architecture, "arm64");
	CHECK_STR(fns[1].snapstart, "PublishedVersions");
	CHECK_STR(fns[1].log_group, "/aws/lambda/billing-java");
	CHECK_INT(fns[1].powertools, 0);
	CHECK(fns[1].dlq_arn == NULL);
	CHECK(fns[1].nenv == 0 && fns[1].env == NULL);
	/* thumbnailer: container image, LoggingConfig without LogGroup */
	CHECK(fns[2].runtime == NULL);
	CHECK_STR(fns[2].package_type, "Image");
	CHECK_STR(fns[2].state, "Pending");
	CHECK_STR(fns[2].log_group, "/aws/lambda/thumbnailer");
	CHECK_INT(fns[2].ephemeral_mb, 10240);
	/* the proxy host is inside a URL with a password: that value is a secret literal */
	CHECK(fns[2].rds_proxy_endpoint == NULL);
	fd_functions_free(fns, n);
	free(next);
	free(json);
}

TEST(lambda_list_functions_last_page)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	size_t len, n = 0;
	char *json = fixture("list_functions_last.json", &len), *next = (char *)"x";

	REQUIRE(json);
	CHECK_INT(lambda_parse_list_functions(json, len, &fns, &n, &next, &err), FD_OK);
	CHECK_INT(n, 1);
	CHECK(next == NULL);
	CHECK_STR(fns[0].name, "z-last");
	CHECK_STR(fns[0].log_group, "/aws/lambda/z-last");
	CHECK(fns[0].dlq_arn == NULL && fns[0].layers == NULL);
	fd_functions_free(fns, n);
	free(json);
}

TEST(lambda_env_classified_and_secret_literals_dropped)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	const struct fd_env *e;
	size_t len, n = 0, i;
	char *json = fixture("list_functions_page1.json", &len);

	REQUIRE(json);
	REQUIRE(lambda_parse_list_functions(json, len, &fns, &n, NULL, &err) == FD_OK && n == 3);
	e = env_find(&fns[0], "DB_PASSWORD");
	REQUIRE(e);
	CHECK_INT(e->kind, FD_ENV_SECRET_LITERAL);
	CHECK(e->value == NULL);
	e = env_find(&fns[0], "STRIPE_API_KEY");
	REQUIRE(e);
	CHECK_INT(e->kind, FD_ENV_SECRET_LITERAL);
	CHECK(e->value == NULL);
	e = env_find(&fns[0], "DB_SECRET_ARN");
	REQUIRE(e);
	CHECK_INT(e->kind, FD_ENV_SECRET_REF);
	CHECK_CONTAINS(e->value, "arn:aws:secretsmanager:");
	e = env_find(&fns[0], "LOG_LEVEL");
	REQUIRE(e);
	CHECK_INT(e->kind, FD_ENV_PLAIN);
	CHECK_STR(e->value, "INFO");
	e = env_find(&fns[2], "DATABASE_URL");
	REQUIRE(e);
	CHECK(e->value == NULL);
	for (i = 0; i < n; i++)
		CHECK(!function_leaks(&fns[i]));
	fd_functions_free(fns, n);
	free(json);
}

TEST(lambda_list_functions_hostile_fields)
{
	struct fd_function *fns = NULL, *f;
	struct fd_err err = {0};
	size_t len, n = 0;
	char *json = fixture("list_functions_hostile.json", &len), *next = (char *)"x";

	REQUIRE(json);
	CHECK_INT(lambda_parse_list_functions(json, len, &fns, &n, &next, &err), FD_OK);
	CHECK(next == NULL); /* NextMarker was a number */
	REQUIRE(n == 2);
	f = &fns[0];
	CHECK_STR(f->name, "typed-wrong");
	CHECK(f->arn == NULL && f->runtime == NULL && f->state == NULL);
	CHECK_INT(f->memory_mb, 0);
	CHECK_INT(f->timeout_s, 0);
	CHECK_INT(f->nenv, 0);
	CHECK_INT(f->nlayers, 0);
	CHECK(f->architecture == NULL);
	CHECK(f->log_format == NULL);
	CHECK_STR(f->log_group, "/aws/lambda/typed-wrong");
	CHECK(f->dlq_arn == NULL && f->tracing_mode == NULL && f->snapstart == NULL);
	CHECK_INT(f->ephemeral_mb, 0);
	f = &fns[1];
	CHECK_STR(f->name, "env-odd");
	CHECK_INT(f->nenv, 2); /* number and null values skipped */
	CHECK_STR(env_find(f, "OK") ? env_find(f, "OK")->value : NULL, "yes");
	REQUIRE(env_find(f, "SESSION_TOKEN"));
	CHECK(env_find(f, "SESSION_TOKEN")->value == NULL);
	CHECK_INT(f->nlayers, 1);
	CHECK_INT(f->powertools, 1);
	CHECK(!function_leaks(f));
	fd_functions_free(fns, n);
	free(json);
}

TEST(lambda_list_functions_not_json)
{
	static const char *const bodies[] = {
		"<html><body>502 Bad Gateway</body></html>",
		"",
		"[1,2,3]",
		"\"Functions\"",
		"{\"Functions\":[{\"FunctionName\":\"cut",
		"{\"Functions\": 7}",
	};
	struct fd_function *fns;
	struct fd_err err;
	size_t i, n;
	char *next;

	for (i = 0; i < FD_ARRAY_LEN(bodies); i++) {
		memset(&err, 0, sizeof(err));
		fns = (struct fd_function *)1;
		next = (char *)1;
		n = 99;
		CHECK_INT(lambda_parse_list_functions(bodies[i], strlen(bodies[i]), &fns, &n,
						      &next, &err),
			  FD_EPARSE);
		CHECK(fns == NULL && n == 0 && next == NULL);
		CHECK_CONTAINS(err.msg, "ListFunctions");
	}
	memset(&err, 0, sizeof(err));
	lambda_parse_list_functions(bodies[0], strlen(bodies[0]), &fns, &n, &next, &err);
	CHECK_CONTAINS(err.msg, "not JSON");
	lambda_parse_list_functions(NULL, 0, &fns, &n, &next, &err);
	CHECK_INT(err.status, FD_EPARSE);
}

static char *
repeat(const char *prefix, const char *unit, size_t times, const char *suffix)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	fd_buf_puts(&b, prefix);
	for (i = 0; i < times; i++)
		fd_buf_puts(&b, unit);
	fd_buf_puts(&b, suffix);
	return fd_buf_steal(&b);
}

TEST(lambda_list_functions_huge_strings_capped)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	struct fd_buf b;
	size_t n = 0, dlen, i;

	/* A megabyte name is not a Lambda function: that record is skipped. The next
	 * record's 200 KB description is cut to the cap on a UTF-8 boundary. */
	fd_buf_init(&b);
	fd_buf_puts(&b, "{\"Functions\":[{\"FunctionName\":\"");
	for (i = 0; i < (1u << 20); i++)
		fd_buf_putc(&b, 'a');
	fd_buf_puts(&b, "\"},{\"FunctionName\":\"ok\",\"Description\":\"");
	for (i = 0; i < 100000; i++)
		fd_buf_puts(&b, "\xc3\xa9");
	fd_buf_puts(&b, "\"}]}");
	CHECK_INT(lambda_parse_list_functions(b.data, b.len, &fns, &n, NULL, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(fns[0].name, "ok");
	REQUIRE(fns[0].description);
	dlen = strlen(fns[0].description);
	CHECK(dlen > 4000 && dlen <= 8192);
	CHECK(dlen % 2 == 0); /* never half of a two-byte character */
	fd_functions_free(fns, n);
	fd_buf_free(&b);
}

TEST(lambda_parse_deep_nesting_rejected)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	size_t n = 0;
	char *json = repeat("{\"Functions\":", "[", 200000, "");

	CHECK_INT(lambda_parse_list_functions(json, strlen(json), &fns, &n, NULL, &err),
		  FD_EPARSE);
	CHECK(fns == NULL);
	free(json);
}

TEST(lambda_function_config_single)
{
	struct fd_function f;
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("get_function.json", &len);

	REQUIRE(json);
	CHECK_INT(lambda_parse_function_config(json, len, &f, &err), FD_OK);
	CHECK_STR(f.name, "orders-api");
	CHECK_INT(f.memory_mb, 1024);
	CHECK(!function_leaks(&f));
	fd_function_free(&f);
	CHECK_INT(lambda_parse_function_config("{\"Runtime\":\"x\"}", 15, &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "FunctionName");
	fd_function_free(&f);
	free(json);
}

/* ---- detail parsers ---- */

static struct fd_function
empty_function(void)
{
	struct fd_function f;

	memset(&f, 0, sizeof(f));
	f.reserved_concurrency = -1;
	return f;
}

static const struct fd_trigger *
trigger_find(const struct fd_function *f, enum fd_trigger_kind k, const char *src)
{
	size_t i;

	for (i = 0; i < f->ntriggers; i++)
		if (f->triggers[i].kind == k && fd_str_eq(f->triggers[i].source_arn, src))
			return &f->triggers[i];
	return NULL;
}

TEST(lambda_policy_triggers)
{
	struct fd_function f = empty_function();
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("get_policy.json", &len);

	REQUIRE(json);
	CHECK_INT(lambda_parse_policy_triggers(json, len, &f, &err), FD_OK);
	CHECK(trigger_find(&f, FD_TRIG_API_GATEWAY,
			   "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/POST/orders"));
	CHECK(trigger_find(&f, FD_TRIG_S3, "arn:aws:s3:::orders-uploads"));
	CHECK(trigger_find(&f, FD_TRIG_EVENTBRIDGE,
			   "arn:aws:events:eu-west-1:123456789012:rule/nightly-reconcile"));
	CHECK(trigger_find(&f, FD_TRIG_EVENTBRIDGE,
			   "arn:aws:events:eu-west-1:123456789012:rule/hourly-sync"));
	CHECK(trigger_find(&f, FD_TRIG_SNS, "arn:aws:sns:eu-west-1:123456789012:order-events"));
	CHECK(trigger_find(&f, FD_TRIG_OTHER, "alexa-appkit.amazon.com"));
	CHECK(!trigger_find(&f, FD_TRIG_S3, "arn:aws:s3:::denied-bucket")); /* Deny */
	CHECK_INT(f.ntriggers, 6); /* the duplicate SNS statement counted once; no AWS principal */
	CHECK(f.ntriggers > 0 && f.triggers[0].uuid == NULL);
	fd_function_free(&f);
	free(json);
}

TEST(lambda_policy_hostile)
{
	struct fd_function f = empty_function();
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("get_policy_not_json.json", &len);
	static const char bare[] =
		"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"s3.amazonaws.com\","
		"7,\"sns.amazonaws.com\"]},\"Condition\":{\"ArnLike\":{\"AWS:SourceArn\":[7,null]},"
		"\"ArnEquals\":\"x\"}}}";
	static const char star[] =
		"{\"Policy\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":"
		"\\\"*\\\"},5,{\\\"Principal\\\":{\\\"Service\\\":{}}}]}\"}";

	REQUIRE(json);
	CHECK_INT(lambda_parse_policy_triggers(json, len, &f, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "Policy document");
	CHECK_INT(f.ntriggers, 0);
	CHECK_INT(lambda_parse_policy_triggers(bare, strlen(bare), &f, &err), FD_OK);
	CHECK_INT(f.ntriggers, 2);
	CHECK(trigger_find(&f, FD_TRIG_S3, "s3.amazonaws.com"));
	CHECK(trigger_find(&f, FD_TRIG_SNS, "sns.amazonaws.com"));
	CHECK_INT(lambda_parse_policy_triggers(star, strlen(star), &f, &err), FD_OK);
	CHECK_INT(f.ntriggers, 2);
	CHECK_INT(lambda_parse_policy_triggers("{\"Statement\":\"x\"}", 17, &f, &err), FD_EPARSE);
	CHECK_INT(lambda_parse_policy_triggers("nope", 4, &f, &err), FD_EPARSE);
	fd_function_free(&f);
	free(json);
}

TEST(lambda_event_source_mappings_pages)
{
	struct fd_function f = empty_function();
	struct fd_err err = {0};
	const struct fd_trigger *t;
	size_t len1, len2;
	char *p1 = fixture("esm_page1.json", &len1), *p2 = fixture("esm_page2.json", &len2);
	char *next = NULL;

	REQUIRE(p1 && p2);
	CHECK_INT(lambda_parse_event_source_mappings(p1, len1, &f, &next, &err), FD_OK);
	CHECK_STR(next, "esm-page-2");
	free(next);
	CHECK_INT(lambda_parse_event_source_mappings(p2, len2, &f, &next, &err), FD_OK);
	CHECK(next == NULL);
	REQUIRE(f.ntriggers == 4);
	t = trigger_find(&f, FD_TRIG_SQS, "arn:aws:sqs:eu-west-1:123456789012:orders-queue");
	REQUIRE(t);
	CHECK_STR(t->uuid, "a1b2c3d4-1111-2222-3333-444455556666");
	CHECK_STR(t->state, "Enabled");
	CHECK_INT(t->batch_size, 10);
	CHECK(t->on_failure == NULL);
	t = trigger_find(&f, FD_TRIG_KINESIS, "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream");
	REQUIRE(t);
	CHECK_STR(t->state, "Disabled");
	CHECK_STR(t->on_failure, "arn:aws:sqs:eu-west-1:123456789012:clicks-failed");
	CHECK_INT(f.triggers[2].kind, FD_TRIG_DYNAMODB);
	CHECK_INT(f.triggers[2].batch_size, 0); /* "many" */
	CHECK(f.triggers[2].on_failure == NULL);
	CHECK_INT(f.triggers[3].kind, FD_TRIG_OTHER); /* MSK */
	fd_function_free(&f);
	free(p1);
	free(p2);
}

TEST(lambda_async_config)
{
	struct fd_async_config a;
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("async_config.json", &len);

	REQUIRE(json);
	CHECK_INT(lambda_parse_async_config(json, len, &a, &err), FD_OK);
	CHECK_INT(a.present, 1);
	CHECK_INT(a.max_retry, 0);
	CHECK_INT(a.max_event_age_s, 3600);
	CHECK_STR(a.on_failure, "arn:aws:sqs:eu-west-1:123456789012:orders-async-failures");
	CHECK(a.on_success == NULL);
	free(a.on_failure);
	CHECK_INT(lambda_parse_async_config("{}", 2, &a, &err), FD_OK);
	CHECK(a.present == 1 && a.max_retry == -1 && a.max_event_age_s == -1);
	CHECK_INT(lambda_parse_async_config("{", 1, &a, &err), FD_EPARSE);
	CHECK_INT(a.present, 0);
	free(json);
}

TEST(lambda_get_function_tags_concurrency)
{
	struct fd_function f = empty_function();
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("get_function.json", &len);

	REQUIRE(json);
	CHECK_INT(lambda_parse_get_function(json, len, &f, &err), FD_OK);
	CHECK_INT(f.ntags, 3);
	CHECK_STR(fd_function_tag(&f, "team"), "checkout");
	CHECK_STR(fd_function_tag(&f, "env"), "prod");
	CHECK_INT(f.reserved_concurrency, 50);
	CHECK(!function_leaks(&f));
	fd_function_free(&f);
	f = empty_function();
	f.reserved_concurrency = 7;
	CHECK_INT(lambda_parse_get_function("{\"Tags\":{\"a\":1}}", 16, &f, &err), FD_OK);
	CHECK_INT(f.reserved_concurrency, -1);
	CHECK_INT(f.ntags, 0);
	fd_function_free(&f);
	free(json);
}

TEST(lambda_aliases_versions_provisioned)
{
	struct fd_function f = empty_function();
	struct lambda_provisioned *pc = NULL;
	struct fd_err err = {0};
	size_t la, lv, lp, npc = 0;
	char *a = fixture("aliases.json", &la), *v = fixture("versions.json", &lv);
	char *p = fixture("provisioned.json", &lp), *next = NULL;

	REQUIRE(a && v && p);
	CHECK_INT(lambda_parse_aliases(a, la, &f, &next, &err), FD_OK);
	CHECK(next == NULL);
	CHECK_INT(lambda_parse_versions(v, lv, &f, &next, &err), FD_OK);
	CHECK_INT(lambda_parse_provisioned(p, lp, &pc, &npc, &next, &err), FD_OK);
	REQUIRE(f.naliases == 2 && f.nversions == 3);
	CHECK_INT(npc, 2); /* the unqualified ARN names no alias or version */
	lambda_apply_provisioned(&f, pc, npc);
	CHECK_STR(f.aliases[0].name, "live");
	CHECK_STR(f.aliases[0].version, "7");
	CHECK_INT(f.aliases[0].provisioned, 25);
	CHECK_INT(f.aliases[0].provisioned_available, 20);
	CHECK_INT(f.aliases[1].provisioned, 0);
	CHECK_STR(f.versions[2].version, "8");
	CHECK_INT(f.versions[2].provisioned, 5);
	CHECK_INT(f.versions[2].memory_mb, 1024);
	CHECK_STR(f.versions[1].runtime, "python3.11");
	CHECK_INT(f.versions[0].provisioned, 0);
	CHECK(!function_leaks(&f));
	lambda_provisioned_free(pc, npc);
	fd_function_free(&f);
	free(a);
	free(v);
	free(p);
}

TEST(lambda_account_settings_parse)
{
	struct lambda_account acct;
	struct fd_err err = {0};
	size_t len;
	char *json = fixture("account_settings.json", &len);

	REQUIRE(json);
	CHECK_INT(lambda_parse_account_settings(json, len, &acct, &err), FD_OK);
	CHECK_INT(acct.concurrent_limit, 1000);
	CHECK_INT(acct.unreserved_limit, 850);
	CHECK_INT(acct.function_count, 412);
	CHECK_INT(acct.code_size_used, 1234567890);
	CHECK_INT(lambda_parse_account_settings("{\"AccountLimit\":[]}", 19, &acct, &err), FD_OK);
	CHECK_INT(acct.concurrent_limit, -1);
	CHECK_INT(lambda_parse_account_settings("<x>", 3, &acct, &err), FD_EPARSE);
	free(json);
}

/* ---- against the simulator ---- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fd_function *)a)->name, ((const struct fd_function *)b)->name);
}

struct page_count {
	int pages, done;
	size_t functions;
	enum fd_status st;
};

static void
count_page(struct fd_function *fns, size_t n, void *ud)
{
	struct page_count *pc = ud;

	pc->pages++;
	pc->functions += n;
	fd_functions_free(fns, n);
}

static void
count_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct page_count *pc = ud;

	(void)e;
	pc->done = 1;
	pc->st = st;
}

TEST(lambda_sim_list_500_functions)
{
	struct sim x;
	struct fd_function *fns = NULL;
	struct aws_error e;
	struct page_count pc = {0};
	struct lambda_list_cb cb = {count_page, count_done, &pc};
	size_t n = 0, i;

	if (!sim_open_reset(&x, "{\"functions\":500}"))
		return;
	CHECK_INT(lambda_list_functions_sync(x.c, &fns, &n, &e), FD_OK);
	CHECK_INT(n, 500);
	CHECK_INT(sim_requests("lambda:ListFunctions"), (500 + 49) / 50);
	if (n > 1) {
		qsort(fns, n, sizeof(*fns), name_cmp);
		for (i = 1; i < n; i++)
			CHECK(strcmp(fns[i - 1].name, fns[i].name) != 0);
	}
	for (i = 0; i < n; i++)
		CHECK(!function_leaks(&fns[i]));
	fd_functions_free(fns, n);
	/* the async form: one on_page per page, then done */
	lambda_list_functions(x.c, &cb);
	while (!pc.done)
		if (aws_client_wait(x.c, NULL, 0, 1000) != FD_OK)
			break;
	CHECK_INT(pc.st, FD_OK);
	CHECK_INT(pc.pages, 10);
	CHECK_INT(pc.functions, 500);
	sim_close(&x);
}

static struct fd_function *
find_fn(struct fd_function *fns, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(fns[i].name, name) == 0)
			return &fns[i];
	return NULL;
}

static const struct fd_trigger *
trigger_of_kind(const struct fd_function *f, enum fd_trigger_kind k)
{
	size_t i;

	for (i = 0; i < f->ntriggers; i++)
		if (f->triggers[i].kind == k)
			return &f->triggers[i];
	return NULL;
}

static void
check_busy(struct fd_function *f)
{
	const struct fd_trigger *t = trigger_of_kind(f, FD_TRIG_API_GATEWAY);
	size_t i;

	CHECK_INT(f->ntriggers, 1);
	CHECK(t && fd_str_starts(t->source_arn, "arn:aws:execute-api:us-east-1:"));
	CHECK_INT(f->reserved_concurrency, 200);
	CHECK_INT(f->async.present, 0);
	CHECK_INT(f->powertools, 1);
	CHECK_STR(fd_function_tag(f, "fleetsim:role"), "busy");
	CHECK_INT(f->naliases, 2);
	for (i = 0; i < f->naliases; i++)
		if (strcmp(f->aliases[i].name, "live") == 0)
			CHECK(f->aliases[i].provisioned == 10 &&
			      fd_str_eq(f->aliases[i].version, "3"));
	CHECK_INT(f->nversions, 4); /* $LATEST and 1..3 */
}

static void
check_errors(struct fd_function *f)
{
	const struct fd_trigger *t = trigger_of_kind(f, FD_TRIG_SQS);

	REQUIRE(t);
	CHECK_CONTAINS(t->source_arn, ":payments-queue");
	CHECK_INT(t->batch_size, 10);
	CHECK_STR(t->state, "Enabled");
	CHECK(t->uuid != NULL);
	CHECK_INT(f->ntriggers, 1);
	CHECK_INT(f->async.present, 0);
	CHECK_CONTAINS(f->rds_proxy_endpoint, ".proxy-");
	REQUIRE(env_find(f, "DB_PASSWORD"));
	CHECK(env_find(f, "DB_PASSWORD")->value == NULL);
}

static void
check_dlq(struct fd_function *f)
{
	CHECK(trigger_of_kind(f, FD_TRIG_SNS) != NULL);
	CHECK_INT(f->async.present, 1);
	CHECK_INT(f->async.max_retry, 2);
	CHECK_INT(f->async.max_event_age_s, 21600);
	CHECK_CONTAINS(f->async.on_failure, ":notifications-dispatcher-failures");
	CHECK_CONTAINS(f->dlq_arn, ":notifications-dispatcher-dlq");
}

TEST(lambda_sim_detail_of_interesting_functions)
{
	struct sim x;
	struct fd_function *fns = NULL, *f;
	const struct fd_trigger *t;
	struct aws_error e;
	size_t n = 0;

	if (!sim_open_reset(&x, "{\"functions\":40}"))
		return;
	REQUIRE(lambda_list_functions_sync(x.c, &fns, &n, &e) == FD_OK && n == 40);
	f = find_fn(fns, n, "orders-api");
	REQUIRE(f && lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	CHECK(f->detail_loaded && f->detail_fetched_ms > 0);
	check_busy(f);
	f = find_fn(fns, n, "payments-worker");
	REQUIRE(f && lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	check_errors(f);
	f = find_fn(fns, n, "image-resizer");
	REQUIRE(f && lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	CHECK(trigger_of_kind(f, FD_TRIG_S3) != NULL);
	CHECK_INT(f->reserved_concurrency, 2);
	f = find_fn(fns, n, "report-generator");
	REQUIRE(f && lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	t = trigger_of_kind(f, FD_TRIG_EVENTBRIDGE);
	REQUIRE(t);
	CHECK_CONTAINS(t->source_arn, "rule/report-generator-schedule");
	CHECK_STR(f->log_group, "/aws/lambda-custom/report-generator");
	f = find_fn(fns, n, "notifications-dispatcher");
	REQUIRE(f && lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	check_dlq(f);
	/* a second load replaces the detail instead of adding to it */
	REQUIRE(lambda_load_detail_sync(x.c, f, &e) == FD_OK);
	CHECK_INT(f->ntriggers, 1);
	/* seven calls per load, every one accepted as the model describes it */
	CHECK_INT(sim_requests("lambda:GetPolicy"), 6);
	CHECK_INT(sim_requests("lambda:ListProvisionedConcurrencyConfigs"), 6);
	CHECK_INT(sim_requests("lambda:GetFunctionEventInvokeConfig"), 6);
	CHECK_INT(sim_requests("validation_failures"), 0);
	CHECK_INT(sim_requests("signature_failures"), 0);
	fd_functions_free(fns, n);
	sim_close(&x);
}

TEST(lambda_sim_detail_missing_function_fails)
{
	struct sim x;
	struct fd_function f;
	struct aws_error e;

	if (!sim_open_reset(&x, "{\"functions\":5}"))
		return;
	memset(&f, 0, sizeof(f));
	f.name = fd_xstrdup("no-such-function");
	f.reserved_concurrency = 7;
	CHECK_INT(lambda_load_detail_sync(x.c, &f, &e), FD_EAWS);
	CHECK_STR(e.code, "ResourceNotFoundException");
	CHECK_INT(f.detail_loaded, 0);
	CHECK_INT(f.reserved_concurrency, 7); /* old detail kept on error */
	fd_function_free(&f);
	sim_close(&x);
}

TEST(lambda_sim_account_settings)
{
	struct sim x;
	struct lambda_account a = {0};
	struct aws_error e;

	if (!sim_open_reset(&x, "{\"functions\":12}"))
		return;
	CHECK_INT(lambda_account_settings_sync(x.c, &a, &e), FD_OK);
	CHECK(a.concurrent_limit > 0);
	CHECK(a.unreserved_limit > 0 && a.unreserved_limit <= a.concurrent_limit);
	CHECK_INT(a.function_count, 12);
	sim_close(&x);
}
