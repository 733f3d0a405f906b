/* test_aws_retry.c - retry decisions, backoff bounds (seeded PRNG), the retry quota,
 * Retry-After clamping, clock-skew detection, and the client-side rate limiter on a
 * fake clock. */
#include "fleetdeck/ratelimit.h"
#include "fleetdeck/retry.h"
#include "test.h"

static struct aws_error
err_of(const char *code, long http, enum fd_status st, int retryable, int throttled)
{
	struct aws_error e;

	memset(&e, 0, sizeof(e));
	e.status = st;
	e.http_status = http;
	snprintf(e.code, sizeof(e.code), "%s", code);
	e.retryable = retryable;
	e.throttled = throttled;
	e.retry_after_ms = -1;
	return e;
}

TEST(aws_retry_rng_is_seeded_and_uniform)
{
	struct aws_rng a, b;
	double sum = 0;
	int i;

	aws_rng_seed(&a, 42);
	aws_rng_seed(&b, 42);
	for (i = 0; i < 10000; i++) {
		double x = aws_rng_unit(&a);
		CHECK(x == aws_rng_unit(&b));
		CHECK(x >= 0.0 && x < 1.0);
		sum += x;
	}
	CHECK(sum / 10000 > 0.47 && sum / 10000 < 0.53);
	aws_rng_seed(&b, 43);
	CHECK(aws_rng_unit(&a) != aws_rng_unit(&b));
}

TEST(aws_retry_backoff_full_jitter_bounds)
{
	static const long caps[] = {0, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000};
	struct aws_rng rng;
	int retry, i;

	aws_rng_seed(&rng, 7);
	for (retry = 1; retry < (int)FD_ARRAY_LEN(caps); retry++) {
		long max = 0;
		for (i = 0; i < 2000; i++) {
			long d = aws_retry_backoff_ms(&rng, retry);
			CHECK(d >= 0 && d < caps[retry]);
			max = FD_MAX(max, d);
		}
		CHECK(max > caps[retry] * 9 / 10); /* the whole range is used */
	}
	CHECK(aws_retry_backoff_ms(&rng, 1000) < 20000);
}

TEST(aws_retry_decisions_standard_mode)
{
	struct aws_retry_policy p;
	struct aws_retry_state st = {0, 0, 0};
	struct aws_error thr = err_of("ThrottlingException", 400, FD_EAWS, 1, 1);
	struct aws_error bad = err_of("ValidationException", 400, FD_EAWS, 0, 0);
	const char *why;
	long delay;

	aws_retry_policy_init(&p, "standard", 3, 1);
	CHECK_INT(p.max_attempts, 3);
	st.attempts = 1;
	CHECK_INT(aws_retry_decide(&p, &st, &bad, &delay, &why), AWS_RETRY_GIVE_UP);
	CHECK_STR(why, "not retryable");
	CHECK_INT(aws_retry_decide(&p, &st, &thr, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK_STR(why, "throttled");
	CHECK(delay >= 0 && delay < 1000);
	st.attempts = 2;
	CHECK_INT(aws_retry_decide(&p, &st, &thr, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK(delay >= 0 && delay < 2000);
	st.attempts = 3;
	CHECK_INT(aws_retry_decide(&p, &st, &thr, &delay, &why), AWS_RETRY_GIVE_UP);
	CHECK_STR(why, "max attempts reached");
	CHECK_INT(p.quota, AWS_RETRY_QUOTA_MAX - 2 * AWS_RETRY_COST);
}

TEST(aws_retry_quota_costs_and_refunds)
{
	struct aws_retry_policy p;
	struct aws_retry_state st = {1, 0, 0};
	struct aws_error s503 = err_of("InvalidResponse", 503, FD_EHTTP, 1, 0);
	struct aws_error tmo = err_of("Timeout", 0, FD_ETIMEOUT, 1, 0);
	const char *why;
	long delay;
	int i;

	aws_retry_policy_init(&p, NULL, 1000, 9);
	CHECK_INT(aws_retry_decide(&p, &st, &tmo, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK_STR(why, "timeout");
	CHECK_INT(p.quota, 490);
	CHECK_INT(st.last_cost, 10);
	aws_retry_on_success(&p, &st); /* success after a retry refunds its cost */
	CHECK_INT(p.quota, 500);
	for (i = 0; i < 100; i++) {
		struct aws_retry_state s = {1, 0, 0};
		CHECK_INT(aws_retry_decide(&p, &s, &s503, &delay, &why), AWS_RETRY_AFTER_DELAY);
	}
	CHECK_INT(p.quota, 0);
	st.last_cost = 0;
	CHECK_INT(aws_retry_decide(&p, &st, &s503, &delay, &why), AWS_RETRY_GIVE_UP);
	CHECK_STR(why, "retry quota exhausted");
	st.last_cost = 0;
	aws_retry_on_success(&p, &st); /* first-try success refunds 1 */
	CHECK_INT(p.quota, 1);
	p.quota = 500;
	aws_retry_on_success(&p, &st);
	CHECK_INT(p.quota, 500); /* capped */
}

TEST(aws_retry_after_hint_is_clamped)
{
	struct aws_retry_policy p;
	struct aws_retry_state st = {1, 0, 0};
	struct aws_error e = err_of("TooManyRequestsException", 429, FD_EAWS, 1, 1);
	const char *why;
	long delay;

	aws_retry_policy_init(&p, NULL, 0, 3);
	e.retry_after_ms = 60000;
	CHECK_INT(aws_retry_after_clamped(&e), 20000);
	CHECK_INT(aws_retry_decide(&p, &st, &e, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK_INT(delay, 20000);
	e.retry_after_ms = 1500;
	st.attempts = 2;
	CHECK_INT(aws_retry_decide(&p, &st, &e, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK_INT(delay, 1500);
}

TEST(aws_retry_legacy_mode)
{
	struct aws_retry_policy p;
	struct aws_retry_state st = {4, 0, 0};
	struct aws_error e = err_of("", 500, FD_EAWS, 1, 0);
	const char *why;
	long delay;

	aws_retry_policy_init(&p, "legacy", 3, 5);
	CHECK_INT(p.max_attempts, 5);
	CHECK_INT(aws_retry_decide(&p, &st, &e, &delay, &why), AWS_RETRY_AFTER_DELAY);
	CHECK(delay < 8000);
	CHECK_STR(why, "server error");
	CHECK_INT(p.quota, AWS_RETRY_QUOTA_MAX); /* no quota in legacy mode */
	st.attempts = 5;
	CHECK_INT(aws_retry_decide(&p, &st, &e, &delay, &why), AWS_RETRY_GIVE_UP);
	aws_retry_policy_init(&p, "legacy", 7, 5);
	CHECK_INT(p.max_attempts, 7);
	aws_retry_policy_init(&p, "adaptive", 0, 5);
	CHECK_INT(p.mode, AWS_RETRY_STANDARD);
	CHECK_INT(p.max_attempts, 3);
}

TEST(aws_retry_clock_skew_detection)
{
	struct aws_error e = err_of("RequestTimeTooSkewed", 403, FD_EAWS, 0, 0);

	CHECK(aws_error_is_clock_skew(&e));
	e = err_of("InvalidSignatureException", 400, FD_EAWS, 0, 0);
	strcpy(e.message, "Signature expired: 20260101T000000Z is now earlier than ...");
	CHECK(aws_error_is_clock_skew(&e));
	strcpy(e.message, "The request signature we calculated does not match");
	CHECK(!aws_error_is_clock_skew(&e));
	e = err_of("SignatureDoesNotMatch", 403, FD_EAWS, 0, 0);
	strcpy(e.message, "Signature not yet current: 20260101T000000Z is still later than ...");
	CHECK(aws_error_is_clock_skew(&e));
	e = err_of("AccessDenied", 403, FD_EAWS, 0, 0);
	strcpy(e.message, "Signature expired");
	CHECK(!aws_error_is_clock_skew(&e));
}

TEST(aws_retry_http_date)
{
	CHECK_INT(aws_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	CHECK_INT(aws_parse_http_date("Thu, 04 Dec 2025 16:00:00 GMT"), 1764864000);
	CHECK_INT(aws_parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), -1);
	CHECK_INT(aws_parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), -1);
	CHECK_INT(aws_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT junk"), -1);
	CHECK_INT(aws_parse_http_date(""), -1);
	CHECK_INT(aws_parse_http_date(NULL), -1);
}

TEST(aws_ratelimit_table)
{
	struct aws_ratelimit *rl = aws_ratelimit_new(0.8);
	const char *key;

	CHECK(aws_ratelimit_quota(AWS_SVC_LOGS, "FilterLogEvents", NULL, &key) == 5);
	CHECK_STR(key, "logs:FilterLogEvents");
	CHECK(aws_ratelimit_quota(AWS_SVC_LAMBDA, "ListFunctions", NULL, &key) == 15);
	CHECK_STR(key, "lambda:control");
	CHECK(aws_ratelimit_quota(AWS_SVC_LAMBDA, "GetFunction", NULL, &key) == 100);
	CHECK(aws_ratelimit_quota(AWS_SVC_MONITORING, "GetMetricData", NULL, &key) == 50);
	CHECK(aws_ratelimit_quota(AWS_SVC_LAMBDA, "Invoke", NULL, &key) == 0);
	CHECK(aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "Invoke", NULL) == NULL);
	/* Every other control-plane call shares one bucket. */
	CHECK(aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "ListFunctions", NULL) ==
	      aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "GetFunctionConfiguration", NULL));
	CHECK(aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "GetFunction", NULL) !=
	      aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "ListFunctions", NULL));
	/* An explicit key picks a bucket from the table. */
	CHECK(aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "Whatever", "lambda:GetPolicy") ==
	      aws_ratelimit_bucket(rl, AWS_SVC_LAMBDA, "GetPolicy", NULL));
	CHECK(aws_bucket_limit(aws_ratelimit_bucket(rl, AWS_SVC_LOGS, "FilterLogEvents", NULL)) ==
	      4.0);
	aws_ratelimit_free(rl);
}

/* Drives n calls that all want to start at t=0 through a bucket on a fake clock, each
 * retrying when told; records their start times. */
static void
drive(struct aws_bucket *b, int n, int64_t *starts)
{
	int64_t now = 0, due[400];
	int done = 0, i;

	for (i = 0; i < n; i++)
		due[i] = 0;
	while (done < n) {
		int64_t next = INT64_MAX;
		for (i = 0; i < n; i++) {
			long w;
			if (due[i] < 0 || due[i] > now) {
				if (due[i] >= 0)
					next = FD_MIN(next, due[i]);
				continue;
			}
			w = aws_bucket_take(b, now);
			if (w == 0) {
				starts[done++] = now;
				due[i] = -1;
			} else {
				due[i] = now + w;
				next = FD_MIN(next, due[i]);
			}
		}
		if (done < n)
			now = next;
	}
}

static int
max_in_window(const int64_t *t, int n, int64_t window)
{
	int i, j, best = 0;

	for (i = 0; i < n; i++) {
		int k = 0;
		for (j = 0; j < n; j++)
			if (t[j] >= t[i] && t[j] < t[i] + window)
				k++;
		best = FD_MAX(best, k);
	}
	return best;
}

TEST(aws_ratelimit_never_exceeds_quota_in_any_second)
{
	static const struct {
		enum aws_service_id svc;
		const char *op;
		int quota;
		int background; /* inventory APIs: at most half the quota */
	} cases[] = {
	    {AWS_SVC_LOGS, "FilterLogEvents", 5, 0},  {AWS_SVC_LOGS, "DescribeLogStreams", 25, 0},
	    {AWS_SVC_LAMBDA, "ListFunctions", 15, 1}, {AWS_SVC_MONITORING, "GetMetricData", 50, 1},
	    {AWS_SVC_LAMBDA, "GetFunction", 100, 1},
	};
	int64_t starts[400];
	size_t c;

	for (c = 0; c < FD_ARRAY_LEN(cases); c++) {
		struct aws_ratelimit *rl = aws_ratelimit_new(0.8);
		struct aws_bucket *b = aws_ratelimit_bucket(rl, cases[c].svc, cases[c].op, NULL);
		double limit = aws_bucket_limit(b);
		int n = 400;

		drive(b, n, starts);
		CHECK(max_in_window(starts, n, 1000) <= cases[c].quota);
		if (cases[c].background)
			CHECK(max_in_window(starts, n, 1000) <= cases[c].quota / 2);
		/* ...and actually uses its share: n calls take about n / limit seconds. */
		CHECK(starts[n - 1] <= (int64_t)((n / limit) * 1000) + 5);
		CHECK(starts[n - 1] >= (int64_t)(((n - aws_bucket_burst(b)) / limit) * 1000) - 5);
		aws_ratelimit_free(rl);
	}
}

TEST(aws_ratelimit_budgets_report_use)
{
	struct aws_ratelimit *rl = aws_ratelimit_new(0.8);
	struct aws_bucket *b = aws_ratelimit_bucket(rl, AWS_SVC_LOGS, "FilterLogEvents", NULL);
	struct aws_budget out[4];
	size_t n;

	CHECK_INT(aws_bucket_take(b, 1000), 0);
	CHECK(aws_bucket_take(b, 1000) > 0); /* burst of one at 4 TPS */
	CHECK_INT(aws_bucket_take(b, 1250), 0);
	CHECK(aws_bucket_take(b, 1251) >= 249);
	aws_bucket_queued(b, 1);
	aws_bucket_queued(b, 1);
	aws_bucket_queued(b, -1);
	n = aws_ratelimit_budgets(rl, 1300, out, 4);
	REQUIRE(n == 1);
	CHECK_STR(out[0].key, "logs:FilterLogEvents");
	CHECK(out[0].quota_tps == 5);
	CHECK(out[0].limit_tps == 4);
	CHECK(out[0].used_tps == 2);
	CHECK_INT(out[0].queued, 1);
	n = aws_ratelimit_budgets(rl, 2300, out, 4);
	CHECK(out[0].used_tps == 0);
	aws_ratelimit_free(rl);
}
