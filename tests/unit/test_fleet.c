/* test_fleet.c - the record helpers of src/fleet.c: environment classification, series
 * merge/sum/max with NAN gaps, and the small lookup tables. */
#include <math.h>
#include <stdlib.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/util.h"
#include "test.h"

static const struct {
	const char *name;
	const char *value;
	enum fd_env_kind want;
} env_cases[] = {
    {"DB_PASSWORD", "hunter2", FD_ENV_SECRET_LITERAL},
    {"db_password", "hunter2", FD_ENV_SECRET_LITERAL},
    {"MYSQLPASSWORD", "hunter2", FD_ENV_SECRET_LITERAL},
    {"DB_PASS", "hunter2", FD_ENV_SECRET_LITERAL},
    {"PASSPORT_OFFICE", "berlin", FD_ENV_PLAIN},
    {"STRIPE_SECRET_KEY", "sk_live_abc", FD_ENV_SECRET_LITERAL},
    {"GITHUB_TOKEN", "ghp_abc", FD_ENV_SECRET_LITERAL},
    {"API_KEY", "abc123", FD_ENV_SECRET_LITERAL},
    {"PRIVATE_KEY", "abc", FD_ENV_SECRET_LITERAL},
    {"AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", FD_ENV_SECRET_LITERAL},
    {"API_KEY", "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-AbC", FD_ENV_SECRET_REF},
    {"DB_PASSWORD", "{{resolve:ssm-secure:/prod/db/password:1}}", FD_ENV_SECRET_REF},
    {"DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}", FD_ENV_SECRET_REF},
    {"TOKEN", "/aws/reference/secretsmanager/prod/token", FD_ENV_SECRET_REF},
    {"DB_PASSWORD", "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db", FD_ENV_SECRET_REF},
    {"SETTINGS", "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", FD_ENV_SECRET_REF},
    {"LOG_LEVEL", "DEBUG", FD_ENV_PLAIN},
    {"QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123/q", FD_ENV_PLAIN},
    {"TOKEN_URL", "https://auth.example.com/oauth/token", FD_ENV_PLAIN},
    {"TOKEN_ENDPOINT", "https://auth.example.com/token", FD_ENV_PLAIN},
    {"SECRET_NAME", "prod/db", FD_ENV_PLAIN},
    {"SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x", FD_ENV_SECRET_REF},
    {"TOKEN_TABLE_REGION", "us-east-1", FD_ENV_PLAIN},
    {"TOKEN_URL", "https://user:pa55@auth.example.com/token", FD_ENV_SECRET_LITERAL},
    {"DATABASE_URL", "postgres://app:s3cret@db.internal:5432/app", FD_ENV_SECRET_LITERAL},
    {"DATABASE_URL", "postgres://app@db.internal:5432/app", FD_ENV_PLAIN},
    {"SIGNING", "-----BEGIN RSA PRIVATE KEY-----\nMII", FD_ENV_SECRET_LITERAL},
    {"DB_PASSWORD", "", FD_ENV_PLAIN},
    {"DB_PASSWORD", NULL, FD_ENV_PLAIN},
    {"POWERTOOLS_SERVICE_NAME", "orders", FD_ENV_PLAIN},
};

TEST(fleet_env_classify_table)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(env_cases); i++) {
		enum fd_env_kind got = fd_env_classify(env_cases[i].name, env_cases[i].value);
		if (got != env_cases[i].want)
			fd_test_fail(__FILE__, __LINE__, "%s=%s: kind %d, expected %d",
			             env_cases[i].name,
			             env_cases[i].value ? env_cases[i].value : "(null)", (int)got,
			             (int)env_cases[i].want);
	}
}

static struct fd_series
series(int64_t start, int period, size_t n, const double *v)
{
	struct fd_series s = {start, period, n, NULL};

	s.values = fd_xreallocarray(NULL, n ? n : 1, sizeof(double));
	for (size_t i = 0; i < n; i++)
		s.values[i] = v[i];
	return s;
}

/* Checks values, NAN meaning "expect NAN". */
static void
check_values(const struct fd_series *s, const double *want, size_t n, int line)
{
	size_t i;

	if (s->n != n) {
		fd_test_fail(__FILE__, line, "series has %zu points, expected %zu", s->n, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (isnan(want[i]) ? !isnan(s->values[i]) : s->values[i] != want[i])
			fd_test_fail(__FILE__, line, "point %zu is %g, expected %g", i,
			             s->values[i], want[i]);
}

TEST(fleet_series_merge_overlap_and_gaps)
{
	double a[] = {1, 2, 3, NAN};
	double b[] = {30, NAN, 5, 6};
	struct fd_series dst = series(600, 60, 4, a);
	struct fd_series src = series(720, 60, 4, b);
	double want[] = {1, 2, 30, NAN, 5, 6};

	fd_series_merge(&dst, &src, 0);
	CHECK_INT(dst.start_s, 600);
	CHECK_INT(dst.period_s, 60);
	check_values(&dst, want, FD_ARRAY_LEN(want), __LINE__);
	fd_series_free(&dst);
	fd_series_free(&src);
}

TEST(fleet_series_merge_older_points_and_cap)
{
	double a[] = {5, 6};
	double b[] = {1, NAN};
	struct fd_series dst = series(1200, 60, 2, a);
	struct fd_series src = series(960, 60, 2, b);
	double want_all[] = {1, NAN, NAN, NAN, 5, 6};
	double want_capped[] = {NAN, 5, 6};

	fd_series_merge(&dst, &src, 0);
	CHECK_INT(dst.start_s, 960);
	check_values(&dst, want_all, FD_ARRAY_LEN(want_all), __LINE__);
	fd_series_merge(&dst, &src, 3);
	CHECK_INT(dst.start_s, 1140);
	check_values(&dst, want_capped, FD_ARRAY_LEN(want_capped), __LINE__);
	fd_series_free(&dst);
	fd_series_free(&src);
}

TEST(fleet_series_merge_into_empty_or_other_period)
{
	double a[] = {1, 2, 3};
	double b[] = {7, 8};
	struct fd_series dst = {0, 0, 0, NULL};
	struct fd_series src = series(300, 300, 3, a);
	struct fd_series other = series(60, 60, 2, b);

	fd_series_merge(&dst, &src, 2);
	CHECK_INT(dst.start_s, 600);
	check_values(&dst, (double[]){2, 3}, 2, __LINE__);
	fd_series_merge(&dst, &other, 0);
	CHECK_INT(dst.period_s, 60);
	CHECK_INT(dst.start_s, 60);
	check_values(&dst, b, 2, __LINE__);
	fd_series_free(&dst);
	fd_series_free(&src);
	fd_series_free(&other);
}

TEST(fleet_series_sum_max_with_gaps)
{
	double v[] = {1, NAN, 4, 2, NAN};
	struct fd_series s = series(1000, 10, 5, v);
	struct fd_series empty = {0, 60, 0, NULL};

	CHECK(fd_series_sum(&s, 1000, 1050) == 7);
	CHECK(fd_series_max(&s, 1000, 1050) == 4);
	/* [1005, 1030) covers the points starting at 1010 and 1020 */
	CHECK(fd_series_sum(&s, 1005, 1030) == 4);
	CHECK(fd_series_sum(&s, 1030, 1031) == 2);
	CHECK(isnan(fd_series_sum(&s, 1010, 1020)));
	CHECK(isnan(fd_series_max(&s, 1040, 2000)));
	CHECK(isnan(fd_series_sum(&s, 0, 1000)));
	CHECK(isnan(fd_series_sum(&s, 2000, 3000)));
	CHECK(isnan(fd_series_sum(&empty, 0, 100)));
	CHECK(fd_series_sum(&s, 0, 99999) == 7);
	fd_series_free(&s);
}

TEST(fleet_tables)
{
	enum fd_severity sev = FD_SEV_INFO;
	const struct fd_metric_info *mi = fd_metric_info(FD_M_DURATION_P99);

	CHECK_STR(fd_trigger_name(FD_TRIG_SQS), "sqs");
	CHECK_STR(fd_trigger_name(FD_TRIG_EVENTBRIDGE), "eventbridge");
	CHECK(fd_trigger_is_async(FD_TRIG_S3));
	CHECK(fd_trigger_is_async(FD_TRIG_SNS));
	CHECK(!fd_trigger_is_async(FD_TRIG_SQS));
	CHECK(!fd_trigger_is_async(FD_TRIG_COUNT));
	REQUIRE(mi != NULL);
	CHECK_STR(mi->name, "Duration");
	CHECK_STR(mi->stat, "p99");
	CHECK_STR(mi->ns, "AWS/Lambda");
	CHECK(fd_metric_info(FD_M_COUNT) == NULL);
	CHECK_STR(fd_severity_name(FD_SEV_CRITICAL), "critical");
	CHECK(fd_severity_parse("High", &sev));
	CHECK_INT(sev, FD_SEV_HIGH);
	CHECK(!fd_severity_parse("urgent", &sev));
	CHECK_INT(sev, FD_SEV_HIGH);
}

TEST(fleet_function_tag_and_free)
{
	struct fd_function f = {0};

	f.name = fd_xstrdup("orders");
	f.ntags = 2;
	f.tags = fd_xcalloc(2, sizeof(*f.tags));
	f.tags[0].key = fd_xstrdup("team");
	f.tags[0].value = fd_xstrdup("payments");
	f.tags[1].key = fd_xstrdup("env");
	f.tags[1].value = fd_xstrdup("prod");
	f.nlayers = 1;
	f.layers = fd_xcalloc(1, sizeof(char *));
	f.layers[0] = fd_xstrdup("arn:aws:lambda:us-east-1:1:layer:x:1");
	f.nenv = 1;
	f.env = fd_xcalloc(1, sizeof(*f.env));
	f.env[0].name = fd_xstrdup("LOG_LEVEL");
	f.env[0].value = fd_xstrdup("INFO");
	f.async.on_failure = fd_xstrdup("arn:aws:sqs:us-east-1:1:dlq");
	CHECK_STR(fd_function_tag(&f, "env"), "prod");
	CHECK(fd_function_tag(&f, "owner") == NULL);
	fd_function_free(&f);
	CHECK(f.name == NULL && f.tags == NULL && f.ntags == 0);
}
