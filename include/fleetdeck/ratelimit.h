/* ratelimit.h - client-side token buckets that keep fleetdeck under AWS's documented
 * API quotas (logs:FilterLogEvents 5 TPS, the Lambda control plane 15 TPS, ...), so
 * the account's other users are not throttled because an operator opened a screen.
 * One table of quotas; one limiter per client (a client is one profile + region, which
 * is what AWS meters). Pure: the caller passes the clock. */
#ifndef FLEETDECK_RATELIMIT_H
#define FLEETDECK_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/services.h"

struct aws_ratelimit;
struct aws_bucket;

/* fraction: share of each quota to use (0 < f <= 1; default 0.8 when out of range). */
struct aws_ratelimit *aws_ratelimit_new(double fraction);
void aws_ratelimit_free(struct aws_ratelimit *rl);

/* Documented quota for svc/op (0 = not limited) and the bucket key it belongs to
 * ("logs:FilterLogEvents", "lambda:control"). rate_key, when set, names the bucket. */
double aws_ratelimit_quota(enum aws_service_id svc, const char *op, const char *rate_key,
                           const char **key);
/* The bucket a call draws from, created on first use; NULL = not limited. */
struct aws_bucket *aws_ratelimit_bucket(struct aws_ratelimit *rl, enum aws_service_id svc,
                                        const char *op, const char *rate_key);
/* Takes a token at now_ms: 0 when taken, else how many ms until one is due. */
long aws_bucket_take(struct aws_bucket *b, int64_t now_ms);
/* Calls waiting for this bucket (for the status bar); delta is +1 or -1. */
void aws_bucket_queued(struct aws_bucket *b, int delta);
/* Allowed rate, documented quota and burst of a bucket. */
double aws_bucket_limit(const struct aws_bucket *b);
double aws_bucket_burst(const struct aws_bucket *b);
/* Buckets in use: limit/quota/used in the last second/queued. */
size_t aws_ratelimit_budgets(const struct aws_ratelimit *rl, int64_t now_ms, struct aws_budget *out,
                             size_t max);

#endif
