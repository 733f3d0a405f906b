/* test_secrets.c - referenced secrets: finding references in a function's environment
 * and layers, the ARN each names, whether a role can read it, the DescribeSecret and
 * DescribeParameters answers, the rotation / unreadable / DEBUG-in-production checks
 * (positive and negative fixtures), and against the simulator: metadata only, cached,
 * and no secret value in the cache file, the HTTP debug log or any risk text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/model.h"
#include "fleetdeck/risks.h"
#include "fleetdeck/secrets.h"
#include "test.h"
#include "test_aws_sim.h"

#define NOW_S FX_NOW_S /* 2026-12-04T00:00:00Z, the risk fixtures' clock */
#define DAY 86400LL

static void
add_env(struct fd_function *f, const char *name, const char *value)
{
	f->env = fd_xreallocarray(f->env, f->nenv + 1, sizeof(*f->env));
	f->env[f->nenv].name = fd_xstrdup(name);
	f->env[f->nenv].kind = fd_env_classify(name, value);
	f->env[f->nenv].value =
	    f->env[f->nenv].kind == FD_ENV_SECRET_LITERAL ? NULL : fd_xstrdup(value);
	f->nenv++;
}

static void
add_tag(struct fd_function *f, const char *k, const char *v)
{
	f->tags = fd_xreallocarray(f->tags, f->ntags + 1, sizeof(*f->tags));
	f->tags[f->ntags].key = fd_xstrdup(k);
	f->tags[f->ntags++].value = fd_xstrdup(v);
}

TEST(secret_refs_from_environment)
{
	struct fd_function f;
	struct fd_secret_ref *r = NULL;
	size_t n;

	memset(&f, 0, sizeof(f));
	add_env(&f, "DB_SECRET_ARN",
	        "arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf:SecretString:password::");
	add_env(&f, "API_SECRET_NAME", "app/api-key");
	add_env(&f, "OTHER_SECRET_ID", "app/api-key"); /* the same secret: listed once */
	add_env(&f, "SMTP_PASSWORD_PARAM", "/app/smtp");
	add_env(&f, "FLAGS_SSM", "/app/flags");
	add_env(&f, "CERT", "arn:aws:ssm:us-east-1:1:parameter/app/cert");
	add_env(&f, "TOKEN_REF", "{{resolve:secretsmanager:app/token:SecretString:t}}");
	add_env(&f, "EXT_PATH", "/aws/reference/secretsmanager/app/ext");
	add_env(&f, "DB_PASSWORD", "hunter2");              /* a literal, not a reference */
	add_env(&f, "POWERTOOLS_PARAMETERS_MAX_AGE", "/5"); /* settings, not a name */
	add_env(&f, "TABLE_NAME", "orders");
	add_env(&f, "SECRET_NAME", "has spaces in it");
	n = fd_secret_refs(&f, &r);
	REQUIRE(n == 7);
	CHECK_INT(r[0].kind, FD_SECRET_SM);
	CHECK_STR(r[0].id, "arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf");
	CHECK_STR(r[0].via, "DB_SECRET_ARN");
	CHECK_STR(r[1].id, "app/api-key");
	CHECK_INT(r[2].kind, FD_SECRET_SSM);
	CHECK_STR(r[2].id, "/app/smtp");
	CHECK_STR(r[3].id, "/app/flags");
	CHECK_STR(r[4].id, "arn:aws:ssm:us-east-1:1:parameter/app/cert");
	CHECK_STR(r[5].id, "app/token");
	CHECK_INT(r[6].kind, FD_SECRET_SM);
	CHECK_STR(r[6].id, "app/ext");
	CHECK(fd_secret_uses_powertools_params(&f));
	CHECK(!fd_secret_uses_extension(&f));
	f.layers = fd_xcalloc(1, sizeof(*f.layers));
	f.layers[0] = fd_xstrdup("arn:aws:lambda:us-east-1:177933569100:layer:"
	                         "AWS-Parameters-and-Secrets-Lambda-Extension:12");
	f.nlayers = 1;
	CHECK(fd_secret_uses_extension(&f));
	fd_secret_refs_free(r, n);
	fd_function_free(&f);
}

TEST(secret_resource_arns)
{
	struct fd_ctx ctx = {"default", "123456789012", "eu-west-1"};
	struct fd_secret_ref sm = {FD_SECRET_SM, (char *)"app/db", (char *)"X"};
	struct fd_secret_ref ssm = {FD_SECRET_SSM, (char *)"/app/smtp", (char *)"Y"};
	struct fd_secret_ref flat = {FD_SECRET_SSM, (char *)"flat-name", (char *)"Y"};
	struct fd_secret_meta meta;
	char out[512], name[128];

	CHECK(fd_secret_resource_arn(&sm, NULL, &ctx, out, sizeof(out)));
	CHECK_STR(out, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-??????");
	CHECK(fd_secret_resource_arn(&ssm, NULL, &ctx, out, sizeof(out)));
	CHECK_STR(out, "arn:aws:ssm:eu-west-1:123456789012:parameter/app/smtp");
	CHECK(fd_secret_resource_arn(&flat, NULL, &ctx, out, sizeof(out)));
	CHECK_STR(out, "arn:aws:ssm:eu-west-1:123456789012:parameter/flat-name");
	memset(&meta, 0, sizeof(meta));
	meta.arn = (char *)"arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-Zz9Yx8";
	CHECK(fd_secret_resource_arn(&sm, &meta, &ctx, out, sizeof(out)));
	CHECK_STR(out, meta.arn);
	CHECK(!fd_secret_resource_arn(&sm, NULL, NULL, out, sizeof(out)));
	ssm_parameter_name("arn:aws:ssm:us-east-1:1:parameter/app/db", name, sizeof(name));
	CHECK_STR(name, "/app/db");
	ssm_parameter_name("arn:aws:ssm:us-east-1:1:parameter/flat", name, sizeof(name));
	CHECK_STR(name, "flat");
	ssm_parameter_name("/already/a/name", name, sizeof(name));
	CHECK_STR(name, "/already/a/name");
}

static void
role_with(struct iam_role *r, const char *doc)
{
	memset(r, 0, sizeof(*r));
	r->arn = fd_xstrdup("arn:aws:iam::1:role/r");
	r->name = fd_xstrdup("r");
	r->policies = fd_xcalloc(1, sizeof(*r->policies));
	r->npolicies = 1;
	r->policies[0].name = fd_xstrdup("p");
	r->policies[0].document = fd_xstrdup(doc);
	iam_policy_load_doc(&r->policies[0]);
}

TEST(role_can_read_secrets)
{
	struct iam_role r;
	const char *arn = "arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf";

	role_with(&r, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:Get*\","
	              "\"Resource\":\"arn:aws:secretsmanager:us-east-1:1:secret:app/*\"},"
	              "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":"
	              "\"arn:aws:secretsmanager:*:*:secret:app/root-*\"},{\"Effect\":\"Allow\","
	              "\"Action\":\"ssm:GetParameter\",\"Resource\":\"*\",\"Condition\":"
	              "{\"Bool\":{\"aws:ViaAWSService\":\"true\"}}}]}");
	CHECK_INT(fd_iam_role_can_read(&r, FD_SECRET_SM, arn), FD_READ_YES);
	CHECK_INT(fd_iam_role_can_read(&r, FD_SECRET_SM,
	                               "arn:aws:secretsmanager:us-east-1:1:secret:app/root-x"),
	          FD_READ_NO);
	CHECK_INT(fd_iam_role_can_read(&r, FD_SECRET_SM,
	                               "arn:aws:secretsmanager:us-east-1:1:secret:other-x"),
	          FD_READ_NO);
	CHECK_INT(fd_iam_role_can_read(&r, FD_SECRET_SSM, "arn:aws:ssm:us-east-1:1:parameter/x"),
	          FD_READ_MAYBE);
	CHECK_INT(fd_iam_role_can_read(NULL, FD_SECRET_SM, arn), FD_READ_UNKNOWN);
	CHECK_INT(fd_iam_role_can_read(&r, FD_SECRET_SM, ""), FD_READ_UNKNOWN);
	iam_role_clear(&r);
}

TEST(describe_secret_answer_is_metadata_only)
{
	const char *json =
	    "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf\",\"Name\":"
	    "\"app/db\",\"KmsKeyId\":\"arn:aws:kms:us-east-1:1:key/k\",\"RotationEnabled\":true,"
	    "\"RotationRules\":{\"AutomaticallyAfterDays\":30},\"LastRotatedDate\":1790000000.5,"
	    "\"LastAccessedDate\":1796256000,\"CreatedDate\":1760000000,\"SecretString\":"
	    "\"TOPSECRET-VALUE\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"TOPSECRET-VALUE\"}]}";
	struct fd_secret_meta m;
	struct fd_err err = {FD_OK, ""};

	memset(&m, 0, sizeof(m));
	REQUIRE(secrets_parse_describe(json, strlen(json), &m, &err) == FD_OK);
	CHECK_STR(m.name, "app/db");
	CHECK(m.found);
	CHECK(m.rotation_enabled);
	CHECK_INT(m.rotation_days, 30);
	CHECK_INT(m.last_rotated_s, 1790000000);
	CHECK_INT(m.last_accessed_s, 1796256000);
	CHECK_STR(m.kms_key, "arn:aws:kms:us-east-1:1:key/k");
	CHECK(!strstr(m.arn, "TOPSECRET") && !strstr(m.name, "TOPSECRET"));
	fd_secret_meta_clear(&m);
	CHECK_INT(secrets_parse_describe("{\"Name\":\"x\"}", 12, &m, &err), FD_EPARSE);
	fd_secret_meta_clear(&m);
	CHECK_INT(secrets_parse_describe("[1]", 3, &m, &err), FD_EPARSE);
}

TEST(describe_parameters_answer)
{
	const char *json = "{\"Parameters\":[{\"Name\":\"/app/smtp\",\"Type\":\"SecureString\","
	                   "\"KeyId\":\"alias/aws/ssm\",\"ARN\":\"arn:aws:ssm:us-east-1:1:"
	                   "parameter/app/smtp\",\"LastModifiedDate\":1780000000.25}],"
	                   "\"NextToken\":\"t2\"}";
	struct fd_secret_meta m[2];
	struct fd_err err = {FD_OK, ""};
	struct aws_request r;
	const char *names[] = {"/app/smtp", "/app/missing"};
	char *next = NULL;

	memset(m, 0, sizeof(m));
	m[0].kind = m[1].kind = FD_SECRET_SSM;
	m[0].id = fd_xstrdup("arn:aws:ssm:us-east-1:1:parameter/app/smtp");
	m[1].id = fd_xstrdup("/app/missing");
	REQUIRE(ssm_parse_describe_parameters(json, strlen(json), m, 2, &next, &err) == FD_OK);
	CHECK_STR(next, "t2");
	CHECK(m[0].found && !m[1].found);
	CHECK_STR(m[0].type, "SecureString");
	CHECK_INT(m[0].last_changed_s, 1780000000);
	CHECK_INT(m[0].rotation_enabled, -1);
	free(next);
	fd_secret_meta_clear(&m[0]);
	fd_secret_meta_clear(&m[1]);
	ssm_describe_parameters_request(&r, names, 2, NULL);
	CHECK_STR(r.body.data, "{\"ParameterFilters\":[{\"Key\":\"Name\",\"Option\":\"Equals\","
	                       "\"Values\":[\"/app/smtp\",\"/app/missing\"]}],\"MaxResults\":50}");
	CHECK_STR(aws_kv_find(r.headers, r.nheaders, "X-Amz-Target"),
	          "AmazonSSM.DescribeParameters");
	aws_request_free(&r);
	secrets_describe_request(&r, "app/db");
	CHECK_STR(aws_kv_find(r.headers, r.nheaders, "X-Amz-Target"),
	          "secretsmanager.DescribeSecret");
	CHECK_STR(r.body.data, "{\"SecretId\":\"app/db\"}");
	aws_request_free(&r);
}

/* ---- the checks on fixtures ---- */

struct sfx {
	struct fd_function fn;
	struct fd_secret_ref ref;
	struct fd_secret_meta meta;
	struct fd_secret_use use;
	struct iam_role role;
	struct fd_iam_facts facts;
	struct fd_risk *risks;
	size_t n;
};

static void
sfx_init(struct sfx *x, enum fd_secret_kind kind)
{
	memset(x, 0, sizeof(*x));
	x->fn.name = fd_xstrdup("fn");
	x->fn.reserved_concurrency = -1;
	x->ref.kind = kind;
	x->ref.id = (char *)"app/db";
	x->ref.via = (char *)"DB_SECRET_NAME";
	x->meta.kind = kind;
	x->meta.found = 1;
	x->meta.name = (char *)"app/db";
	x->use.ref = &x->ref;
	x->use.meta = &x->meta;
	x->use.readable = FD_READ_YES;
	role_with(&x->role, "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
	                    "\"Resource\":\"*\"}}");
	x->facts.role = &x->role;
	x->facts.secrets = &x->use;
	x->facts.nsecrets = 1;
}

static const struct fd_risk *
sfx_eval(struct sfx *x, const char *check)
{
	return fx_risk_eval(&x->fn, &x->facts, &x->risks, &x->n, check);
}

static void
sfx_free(struct sfx *x)
{
	fd_risks_free(x->risks, x->n);
	fd_function_free(&x->fn);
	iam_role_clear(&x->role);
}

TEST(check_secret_rotation_fixtures)
{
	struct sfx x;
	const struct fd_risk *r;

	sfx_init(&x, FD_SECRET_SM);
	x.meta.rotation_enabled = 1;
	x.meta.last_rotated_s = NOW_S - 30 * DAY;
	CHECK(sfx_eval(&x, "secret-rotation") == NULL);
	x.meta.last_rotated_s = NOW_S - 91 * DAY;
	r = sfx_eval(&x, "secret-rotation");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "secret app/db (DB_SECRET_NAME) last rotated 91 days ago");
	x.meta.rotation_enabled = 0;
	r = sfx_eval(&x, "secret-rotation");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "has no rotation");
	x.meta.found = 0; /* no such secret: nothing to judge here */
	CHECK(sfx_eval(&x, "secret-rotation") == NULL);
	sfx_free(&x);
	sfx_init(&x, FD_SECRET_SSM);
	x.meta.type = (char *)"SecureString";
	x.meta.last_changed_s = NOW_S - 200 * DAY;
	CHECK(sfx_eval(&x, "secret-rotation") != NULL);
	x.meta.type = (char *)"String";
	CHECK(sfx_eval(&x, "secret-rotation") == NULL);
	sfx_free(&x);
}

TEST(check_secret_unreadable_fixtures)
{
	struct sfx x;
	const struct fd_risk *r;

	sfx_init(&x, FD_SECRET_SM);
	x.meta.rotation_enabled = 1;
	CHECK(sfx_eval(&x, "secret-unreadable") == NULL);
	x.use.readable = FD_READ_MAYBE;
	CHECK(sfx_eval(&x, "secret-unreadable") == NULL);
	x.use.readable = FD_READ_UNKNOWN;
	CHECK(sfx_eval(&x, "secret-unreadable") == NULL);
	x.use.readable = FD_READ_NO;
	fd_strlcpy(x.use.resource, "arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf",
	           sizeof(x.use.resource));
	r = sfx_eval(&x, "secret-unreadable");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "role r cannot read secret app/db (DB_SECRET_NAME)");
	CHECK_CONTAINS(r->reason, "secretsmanager:GetSecretValue on arn:aws:secretsmanager");
	sfx_free(&x);
}

TEST(check_log_debug_prod_fixtures)
{
	struct sfx x;
	const struct fd_risk *r;

	sfx_init(&x, FD_SECRET_SM);
	x.facts.nsecrets = 0;
	add_env(&x.fn, "LOG_LEVEL", "DEBUG");
	CHECK(sfx_eval(&x, "log-debug-prod") == NULL); /* not production */
	add_tag(&x.fn, "env", "Production");
	r = sfx_eval(&x, "log-debug-prod");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "log level DEBUG (from LOG_LEVEL) in production");
	x.fn.app_log_level = fd_xstrdup("INFO"); /* the logging config wins */
	CHECK(sfx_eval(&x, "log-debug-prod") == NULL);
	free(x.fn.app_log_level);
	x.fn.app_log_level = fd_xstrdup("TRACE");
	CHECK(sfx_eval(&x, "log-debug-prod") != NULL);
	sfx_free(&x);
	sfx_init(&x, FD_SECRET_SM);
	add_env(&x.fn, "POWERTOOLS_LOG_LEVEL", "debug");
	add_tag(&x.fn, "env", "staging");
	CHECK(sfx_eval(&x, "log-debug-prod") == NULL);
	x.facts.prod = 1;
	x.facts.prod_why = "profile marked prod";
	r = sfx_eval(&x, "log-debug-prod");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason,
	               "(from POWERTOOLS_LOG_LEVEL) in production (profile marked prod)");
	sfx_free(&x);
}

/* ---- against the simulator ---- */

static int
file_has(const char *path, const char *needle)
{
	struct fd_buf b;
	struct fd_err err = {FD_OK, ""};
	int found = 0;
	size_t i, n = strlen(needle);

	fd_buf_init(&b);
	if (fd_read_file(path, 512u << 20, &b, &err) != FD_OK)
		return -1;
	for (i = 0; i + n <= b.len && !found; i++)
		found = memcmp(b.data + i, needle, n) == 0;
	fd_buf_free(&b);
	return found;
}

static int
debug_iff_prod(struct fd_model *m, const char *name)
{
	const struct fd_function *f = fd_model_function(m, name);
	const char *src, *env = f ? fd_function_tag(f, "env") : NULL;
	int debug = f && fd_log_level_is_debug(fd_function_log_level(f, &src));

	return model_has_risk(m, name, "log-debug-prod") == (debug && fd_str_eq(env, "prod"));
}

TEST(secrets_sim_metadata_only_and_never_a_value)
{
	struct sim sim;
	struct aws_client_opts o;
	struct fd_cache *cache = NULL;
	struct fd_model *m = NULL;
	struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};
	struct fd_err err = {FD_OK, ""};
	const struct fd_risk *risks;
	char db[512], log[512];
	FILE *dbg;
	size_t n, i;

	fd_test_sim_url();
	REQUIRE(fd_test_sim_control("POST", "reset", "{\"functions\":5}", NULL) == 200);
	snprintf(log, sizeof(log), "%s/http.log", fd_test_tmpdir());
	snprintf(db, sizeof(db), "%s/cache.db", fd_test_tmpdir());
	dbg = fopen(log, "w");
	REQUIRE(dbg != NULL);
	memset(&o, 0, sizeof(o));
	o.debug_http = dbg;
	REQUIRE(sim_open(&sim, NULL, &o));
	REQUIRE(fd_cache_open(db, &cache, NULL, &err) == FD_OK);
	REQUIRE(fd_model_new(sim.c, cache, &ctx, &m, &err) == FD_OK);
	REQUIRE(fd_model_refresh_sync(m, FD_REFRESH_LIST | FD_REFRESH_DETAIL, &err) == FD_OK);
	REQUIRE(fd_iam_model_refresh_sync(m, 0, 0, NULL, &err) == FD_OK);
	CHECK_INT(sim_stat("requests", "secretsmanager:DescribeSecret"), 3);
	CHECK_INT(sim_stat("requests", "ssm:DescribeParameters"), 1);
	CHECK_INT(sim_stat("requests", "secretsmanager:GetSecretValue"), 0);
	CHECK_INT(sim_stat("requests", "ssm:GetParameter"), 0);
	/* rotation: ledger rotated 200 days ago, the report key never; orders' is fine */
	CHECK(model_has_risk(m, "payments-worker", "secret-rotation"));
	CHECK(model_has_risk(m, "report-generator", "secret-rotation"));
	CHECK(!model_has_risk(m, "orders-api", "secret-rotation"));
	CHECK(!model_has_risk(m, "notifications-dispatcher", "secret-rotation")); /* recent SSM */
	/* unreadable: no statement for them; orders-api's role names its secret; the
	 * admin role reads all; image-resizer's parameter is a plain String */
	CHECK(model_has_risk(m, "report-generator", "secret-unreadable"));
	CHECK(model_has_risk(m, "notifications-dispatcher", "secret-unreadable"));
	CHECK(!model_has_risk(m, "orders-api", "secret-unreadable"));
	CHECK(!model_has_risk(m, "payments-worker", "secret-unreadable"));
	CHECK(!model_has_risk(m, "image-resizer", "secret-unreadable"));
	/* DEBUG in production: exactly where the level is DEBUG and the env tag prod */
	CHECK(debug_iff_prod(m, "report-generator"));
	CHECK(debug_iff_prod(m, "notifications-dispatcher"));
	CHECK(!model_has_risk(m, "orders-api", "log-debug-prod"));
	n = fd_model_risks(m, &risks);
	for (i = 0; i < n; i++) {
		CHECK(!strstr(risks[i].reason, "sim-secret-value"));
		CHECK(!strstr(risks[i].reason, "hunter2-sim"));
	}
	fd_model_free(m);
	fd_cache_close(cache);
	sim_close(&sim);
	fclose(dbg);
	CHECK_INT(file_has(db, "report-generator/api-key"), 1); /* the metadata is cached */
	CHECK_INT(file_has(db, "sim-secret-value"), 0);
	CHECK_INT(file_has(db, "hunter2-sim"), 0);
	CHECK_INT(file_has(log, "DescribeSecret"), 1);
	CHECK_INT(file_has(log, "sim-secret-value"), 0);
}

TEST(secrets_sim_not_found_and_cache)
{
	struct sim sim;
	struct fd_cache *cache = NULL;
	struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};
	struct fd_err err = {FD_OK, ""};
	struct fd_secret_ref refs[] = {
	    {FD_SECRET_SM, (char *)"no/such-secret", (char *)"A"},
	    {FD_SECRET_SM, (char *)"report-generator/api-key", (char *)"B"},
	    {FD_SECRET_SSM, (char *)"/nothing/here", (char *)"C"},
	    {FD_SECRET_SSM, (char *)"arn:aws:ssm:us-east-1:123456789012:parameter/media/config",
	     (char *)"D"},
	};
	struct fd_secret_meta *m = NULL;
	unsigned calls = 0;
	char db[512];

	fd_test_sim_url();
	REQUIRE(fd_test_sim_control("POST", "reset", "{\"functions\":5}", NULL) == 200);
	REQUIRE(sim_open(&sim, NULL, NULL));
	snprintf(db, sizeof(db), "%s/cache.db", fd_test_tmpdir());
	REQUIRE(fd_cache_open(db, &cache, NULL, &err) == FD_OK);
	REQUIRE(fd_secrets_describe_sync(sim.c, cache, &ctx, refs, 4, 0, &m, &calls, &err) ==
	        FD_OK);
	CHECK_INT(calls, 3); /* two DescribeSecret, one DescribeParameters for both names */
	CHECK(!m[0].found && m[0].error == NULL);
	CHECK(m[1].found && !m[1].rotation_enabled);
	CHECK_CONTAINS(m[1].arn, ":secret:report-generator/api-key-");
	CHECK(!m[2].found);
	CHECK(m[3].found);
	CHECK_STR(m[3].type, "String");
	fd_secret_metas_free(m, 4);
	/* again: all from the cache, offline too */
	REQUIRE(fd_secrets_describe_sync(NULL, cache, &ctx, refs, 4, 0, &m, &calls, &err) == FD_OK);
	CHECK_INT(calls, 0);
	CHECK(m[1].found);
	CHECK_STR(m[3].type, "String");
	fd_secret_metas_free(m, 4);
	/* access denied stays on the meta, and is not cached */
	sim_faults("{\"service\":\"secretsmanager\",\"op\":\"DescribeSecret\",\"kind\":\"error\","
	           "\"status\":400,\"code\":\"AccessDeniedException\",\"message\":\"no\"}");
	REQUIRE(fd_secrets_describe_sync(sim.c, cache, &ctx, refs, 2, 1, &m, &calls, &err) ==
	        FD_OK);
	CHECK_CONTAINS(m[1].error, "AccessDeniedException");
	fd_secret_metas_free(m, 2);
	fd_cache_close(cache);
	sim_close(&sim);
}
