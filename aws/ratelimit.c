/* ratelimit.c - per-API token buckets (see ratelimit.h).
 *
 * Each bucket refills at limit = quota x fraction tokens per second and holds at most
 * burst = max(1, quota - limit) tokens. In any one-second window a bucket lets through
 * at most burst + limit <= quota calls, so even when the network bunches requests
 * together AWS never sees more than the documented quota from us. A call without a
 * token is never failed: the client queues it until aws_bucket_take() says it is due.
 *
 * Background APIs (the inventory refresh: Lambda control plane, GetMetricData, log
 * group listings) are held to half their quota in every one-second window (limit
 * quota/2 - 1 plus a burst of one), leaving the other half to the operator's own
 * tools and consoles sharing the account. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/ratelimit.h"

/* Documented quotas (TPS per account and region). "approx" entries are the commonly
 * quoted defaults, not confirmed from the quota pages; see the AWS facts sheet §3. */
static const struct rate_rule {
	enum aws_service_id svc;
	const char *op; /* NULL = every other operation of the service */
	const char *key;
	double quota; /* 0 = not limited */
	int background; /* held to half the quota */
} rate_rules[] = {
    {AWS_SVC_LOGS, "FilterLogEvents", "logs:FilterLogEvents", 5, 0}, /* hard limit */
    {AWS_SVC_LOGS, "DescribeLogStreams", "logs:DescribeLogStreams", 25, 0},
    {AWS_SVC_LOGS, "GetLogEvents", "logs:GetLogEvents", 25, 0},      /* approx */
    {AWS_SVC_LOGS, "StartQuery", "logs:StartQuery", 5, 0},           /* approx */
    {AWS_SVC_LOGS, "GetQueryResults", "logs:GetQueryResults", 5, 0}, /* approx */
    {AWS_SVC_LOGS, "DescribeLogGroups", "logs:DescribeLogGroups", 5, 1}, /* approx */
    {AWS_SVC_LOGS, NULL, "logs:other", 5, 0},                        /* approx */
    {AWS_SVC_MONITORING, "GetMetricData", "monitoring:GetMetricData", 50, 1},
    {AWS_SVC_MONITORING, NULL, "monitoring:other", 20, 0}, /* approx */
    {AWS_SVC_LAMBDA, "GetFunction", "lambda:GetFunction", 100, 1},
    {AWS_SVC_LAMBDA, "GetPolicy", "lambda:GetPolicy", 15, 1},
    /* Invoke is the data plane: concurrency limits it, not a TPS quota. */
    {AWS_SVC_LAMBDA, "Invoke", "lambda:Invoke", 0, 0},
    {AWS_SVC_LAMBDA, "InvokeWithResponseStream", "lambda:Invoke", 0, 0},
    {AWS_SVC_LAMBDA, "InvokeAsync", "lambda:Invoke", 0, 0},
    {AWS_SVC_LAMBDA, NULL, "lambda:control", 15, 1}, /* every other control-plane API */
    /* No published per-API quota worth tracking: stay polite. */
    /* SQS publishes no per-API TPS quota for standard queues (FIFO: 300/s per
     * action without batching); 300/s keeps a redrive fast and still polite. */
    {AWS_SVC_SQS, NULL, "sqs", 300, 0},
    {AWS_SVC_XRAY, NULL, "xray", 50, 0},
    {AWS_SVC_STS, NULL, "sts", 50, 0},
    {AWS_SVC_EVENTS, NULL, "events", 50, 0},
    {AWS_SVC_SSO, NULL, "sso", 20, 0},
    {AWS_SVC_SSO_OIDC, NULL, "sso-oidc", 20, 0},
};

#define HISTORY 256 /* start times kept per bucket, for "used in the last second" */

struct aws_bucket {
	char *key;
	double quota, limit, burst, tokens;
	int64_t last_ms;
	int64_t history[HISTORY];
	size_t hist_next, hist_len;
	size_t queued;
};

struct aws_ratelimit {
	double fraction;
	struct aws_bucket **buckets;
	size_t nbuckets;
};

struct aws_ratelimit *
aws_ratelimit_new(double fraction)
{
	struct aws_ratelimit *rl = fd_xcalloc(1, sizeof(*rl));

	rl->fraction = fraction > 0 && fraction <= 1 ? fraction : 0.8;
	return rl;
}

void
aws_ratelimit_free(struct aws_ratelimit *rl)
{
	size_t i;

	if (!rl)
		return;
	for (i = 0; i < rl->nbuckets; i++) {
		free(rl->buckets[i]->key);
		free(rl->buckets[i]);
	}
	free(rl->buckets);
	free(rl);
}

static const struct rate_rule *
find_rule(enum aws_service_id svc, const char *op, const char *rate_key)
{
	const struct rate_rule *fallback = NULL;
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(rate_rules); i++) {
		const struct rate_rule *r = &rate_rules[i];
		if (rate_key && strcmp(r->key, rate_key) == 0)
			return r;
		if (r->svc != svc)
			continue;
		if (!rate_key && r->op && op && strcmp(r->op, op) == 0)
			return r;
		if (!r->op && !fallback)
			fallback = r;
	}
	return fallback;
}

double
aws_ratelimit_quota(enum aws_service_id svc, const char *op, const char *rate_key, const char **key)
{
	const struct rate_rule *r = find_rule(svc, op, rate_key);

	if (key)
		*key = rate_key ? rate_key : r ? r->key : NULL;
	return r ? r->quota : 0;
}

static int
rule_is_background(const char *key)
{
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(rate_rules); i++)
		if (strcmp(rate_rules[i].key, key) == 0)
			return rate_rules[i].background;
	return 0;
}

static struct aws_bucket *
bucket_new(const char *key, double quota, double fraction)
{
	struct aws_bucket *b = fd_xcalloc(1, sizeof(*b));

	b->key = fd_xstrdup(key);
	b->quota = quota;
	if (rule_is_background(key) && quota >= 4) {
		b->limit = FD_MIN(quota * fraction, quota / 2 - 1);
		b->burst = 1;
	} else {
		b->limit = quota * fraction;
		b->burst = FD_MAX(1.0, floor(quota - b->limit));
	}
	b->tokens = b->burst;
	b->last_ms = INT64_MIN;
	return b;
}

struct aws_bucket *
aws_ratelimit_bucket(struct aws_ratelimit *rl, enum aws_service_id svc, const char *op,
                     const char *rate_key)
{
	const char *key = NULL;
	double quota = aws_ratelimit_quota(svc, op, rate_key, &key);
	size_t i;

	if (quota <= 0 || !key)
		return NULL;
	for (i = 0; i < rl->nbuckets; i++)
		if (strcmp(rl->buckets[i]->key, key) == 0)
			return rl->buckets[i];
	rl->buckets = fd_xreallocarray(rl->buckets, rl->nbuckets + 1, sizeof(*rl->buckets));
	rl->buckets[rl->nbuckets] = bucket_new(key, quota, rl->fraction);
	return rl->buckets[rl->nbuckets++];
}

static void
refill(struct aws_bucket *b, int64_t now_ms)
{
	if (b->last_ms == INT64_MIN || now_ms < b->last_ms) {
		b->last_ms = now_ms;
		return;
	}
	b->tokens += (double)(now_ms - b->last_ms) * b->limit / 1000.0;
	/* Waits are whole milliseconds: keep up to one millisecond's refill above the
	 * burst so rounding up a wait does not lose rate (it adds < 1 call per second). */
	if (b->tokens > b->burst + b->limit / 1000.0)
		b->tokens = b->burst + b->limit / 1000.0;
	b->last_ms = now_ms;
}

long
aws_bucket_take(struct aws_bucket *b, int64_t now_ms)
{
	double wait;

	refill(b, now_ms);
	/* A hair of slack absorbs floating-point error in the refill. */
	if (b->tokens >= 1.0 - 1e-9) {
		b->tokens -= 1.0;
		b->history[b->hist_next] = now_ms;
		b->hist_next = (b->hist_next + 1) % HISTORY;
		if (b->hist_len < HISTORY)
			b->hist_len++;
		return 0;
	}
	wait = ceil((1.0 - b->tokens) * 1000.0 / b->limit);
	return wait < 1 ? 1 : (long)wait;
}

void
aws_bucket_queued(struct aws_bucket *b, int delta)
{
	if (delta < 0 && b->queued == 0)
		return;
	b->queued = delta < 0 ? b->queued - 1 : b->queued + 1;
}

double
aws_bucket_limit(const struct aws_bucket *b)
{
	return b->limit;
}

double
aws_bucket_burst(const struct aws_bucket *b)
{
	return b->burst;
}

static size_t
used_last_second(const struct aws_bucket *b, int64_t now_ms)
{
	size_t i, n = 0;

	for (i = 0; i < b->hist_len; i++)
		if (b->history[i] > now_ms - 1000 && b->history[i] <= now_ms)
			n++;
	return n;
}

size_t
aws_ratelimit_budgets(const struct aws_ratelimit *rl, int64_t now_ms, struct aws_budget *out,
                      size_t max)
{
	size_t i;

	for (i = 0; i < rl->nbuckets && i < max; i++) {
		const struct aws_bucket *b = rl->buckets[i];
		out[i].key = b->key;
		out[i].limit_tps = b->limit;
		out[i].quota_tps = b->quota;
		out[i].used_tps = (double)used_last_second(b, now_ms);
		out[i].queued = b->queued;
	}
	return i;
}
