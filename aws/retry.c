/* retry.c - standard retry mode as the AWS SDKs define it (see retry.h), kept pure so
 * tests can pin the PRNG and check every decision. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/retry.h"

void
aws_rng_seed(struct aws_rng *r, uint64_t seed)
{
	/* splitmix64 step so that small seeds still give well-mixed states. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	r->state = z ? z : 0x2545f4914f6cdd1dULL;
}

double
aws_rng_unit(struct aws_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	/* top 53 bits -> [0, 1) */
	return (double)((x * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

void
aws_retry_policy_init(struct aws_retry_policy *p, const char *mode, int max_attempts, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->mode = fd_str_eq(mode, "legacy") ? AWS_RETRY_LEGACY : AWS_RETRY_STANDARD;
	p->max_attempts = max_attempts > 0 ? max_attempts : 3;
	/* Settings report 3 when nothing was configured; legacy's own default is 5. */
	if (p->mode == AWS_RETRY_LEGACY && (max_attempts <= 0 || max_attempts == 3))
		p->max_attempts = 5;
	p->quota = AWS_RETRY_QUOTA_MAX;
	aws_rng_seed(&p->rng, seed);
}

long
aws_retry_backoff_ms(struct aws_rng *rng, int retry)
{
	long cap = 1000;
	int i;

	for (i = 1; i < retry && cap < AWS_RETRY_MAX_BACKOFF_MS; i++)
		cap *= 2;
	if (cap > AWS_RETRY_MAX_BACKOFF_MS)
		cap = AWS_RETRY_MAX_BACKOFF_MS;
	return (long)(aws_rng_unit(rng) * (double)cap);
}

long
aws_retry_after_clamped(const struct aws_error *e)
{
	if (e->retry_after_ms < 0)
		return -1;
	return e->retry_after_ms > AWS_RETRY_MAX_BACKOFF_MS ? AWS_RETRY_MAX_BACKOFF_MS
	                                                    : e->retry_after_ms;
}

static const char *
retry_reason(const struct aws_error *e)
{
	if (e->throttled)
		return "throttled";
	if (e->status == FD_ETIMEOUT)
		return "timeout";
	if (e->http_status == 0)
		return "connection error";
	if (e->http_status >= 500)
		return "server error";
	return "transient error";
}

/* Pays for a retry from the quota (standard mode). 0 when the bucket is short. */
static int
pay_quota(struct aws_retry_policy *p, struct aws_retry_state *st, const struct aws_error *e)
{
	int cost = e->status == FD_ETIMEOUT ? AWS_RETRY_TIMEOUT_COST : AWS_RETRY_COST;

	if (p->mode != AWS_RETRY_STANDARD)
		return 1;
	if (p->quota < cost)
		return 0;
	p->quota -= cost;
	st->last_cost = cost;
	return 1;
}

enum aws_retry_verdict
aws_retry_decide(struct aws_retry_policy *p, struct aws_retry_state *st, const struct aws_error *e,
                 long *delay_ms, const char **reason)
{
	long hint;

	*delay_ms = 0;
	if (e->status == FD_OK || !e->retryable) {
		*reason = "not retryable";
		return AWS_RETRY_GIVE_UP;
	}
	if (st->attempts >= p->max_attempts) {
		*reason = "max attempts reached";
		return AWS_RETRY_GIVE_UP;
	}
	if (!pay_quota(p, st, e)) {
		*reason = "retry quota exhausted";
		return AWS_RETRY_GIVE_UP;
	}
	hint = aws_retry_after_clamped(e);
	*delay_ms = hint >= 0 ? hint : aws_retry_backoff_ms(&p->rng, st->attempts);
	*reason = retry_reason(e);
	return AWS_RETRY_AFTER_DELAY;
}

void
aws_retry_on_success(struct aws_retry_policy *p, const struct aws_retry_state *st)
{
	int refund = st->last_cost ? st->last_cost : AWS_RETRY_NO_RETRY_REFUND;

	if (p->mode != AWS_RETRY_STANDARD)
		return;
	p->quota = FD_MIN(AWS_RETRY_QUOTA_MAX, p->quota + refund);
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
aws_error_is_clock_skew(const struct aws_error *e)
{
	static const char *const always[] = {"RequestTimeTooSkewed", "RequestExpired",
	                                     "RequestInTheFuture"};
	static const char *const hints[] = {"signature expired", "not yet current", "skew",
	                                    "too far"};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(always); i++)
		if (strcmp(e->code, always[i]) == 0)
			return 1;
	if (strcmp(e->code, "InvalidSignatureException") != 0 &&
	    strcmp(e->code, "SignatureDoesNotMatch") != 0 && strcmp(e->code, "AuthFailure") != 0)
		return 0;
	for (i = 0; i < FD_ARRAY_LEN(hints); i++)
		if (contains_ci(e->message, hints[i]))
			return 1;
	return 0;
}

time_t
aws_parse_http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[4], mon[4], zone[4];
	struct tm tm;
	const char *m;
	int n = 0;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%3[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d %3s%n", wday, &tm.tm_mday, mon,
	           &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone, &n) != 8 ||
	    strcmp(zone, "GMT") != 0 || s[n] != '\0')
		return -1;
	m = strstr(months, mon);
	if (!m || strlen(mon) != 3 || (m - months) % 3 != 0)
		return -1;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_year -= 1900;
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60 || tm.tm_year < 70)
		return -1;
	return timegm(&tm);
}
