/* retry.h - when to try an AWS call again and how long to wait: the SDKs' standard
 * retry mode (3 attempts, full-jitter exponential backoff capped at 20 s, a per-client
 * retry quota of 500 tokens), legacy mode (5 attempts), Retry-After hints, and the
 * clock-skew check. Pure: the PRNG is seedable and no clock is read here. */
#ifndef FLEETDECK_RETRY_H
#define FLEETDECK_RETRY_H

#include <stdint.h>
#include <time.h>

#include "fleetdeck/aws.h"

#define AWS_RETRY_QUOTA_MAX 500
#define AWS_RETRY_COST 5
#define AWS_RETRY_TIMEOUT_COST 10
#define AWS_RETRY_NO_RETRY_REFUND 1
#define AWS_RETRY_MAX_BACKOFF_MS 20000L

/* xorshift64*: small, seedable, good enough for jitter. */
struct aws_rng {
	uint64_t state;
};
void aws_rng_seed(struct aws_rng *r, uint64_t seed);
/* Uniform in [0, 1). */
double aws_rng_unit(struct aws_rng *r);

enum aws_retry_mode {
	AWS_RETRY_STANDARD,
	AWS_RETRY_LEGACY,
};

struct aws_retry_policy {
	enum aws_retry_mode mode;
	int max_attempts; /* total attempts, the first included */
	int quota;        /* retry tokens left (standard mode) */
	struct aws_rng rng;
};

/* mode: "standard", "legacy" or "adaptive" (treated as standard: fleetdeck already
 * limits its own rate); NULL = standard. max_attempts <= 0 = the mode's default (3,
 * or 5 in legacy mode); legacy mode also uses 5 when given the settings default 3. */
void aws_retry_policy_init(struct aws_retry_policy *p, const char *mode, int max_attempts,
                           uint64_t seed);

/* Per-call bookkeeping. */
struct aws_retry_state {
	int attempts;   /* attempts made so far */
	int last_cost;  /* quota paid for the latest retry, 0 = none */
	int skew_fixed; /* the one clock-skew retry was used */
};

enum aws_retry_verdict {
	AWS_RETRY_GIVE_UP,
	AWS_RETRY_AFTER_DELAY,
};

/* After a failed attempt (st->attempts already counts it): retry or not, the delay in
 * *delay_ms, and a short reason for --debug-http ("throttled", "http 503", ...). */
enum aws_retry_verdict aws_retry_decide(struct aws_retry_policy *p, struct aws_retry_state *st,
                                        const struct aws_error *e, long *delay_ms,
                                        const char **reason);
/* After a successful attempt: refunds the quota. */
void aws_retry_on_success(struct aws_retry_policy *p, const struct aws_retry_state *st);
/* Full jitter: rand * min(2^(retry-1), 20) s, retry counting from 1. */
long aws_retry_backoff_ms(struct aws_rng *rng, int retry);
/* A server's hint, clamped to [0, 20 s]; -1 when absent. */
long aws_retry_after_clamped(const struct aws_error *e);

/* The signature was refused because our clock is off (RequestTimeTooSkewed, "Signature
 * expired", ...): fix the skew from the Date header and retry once at once. */
int aws_error_is_clock_skew(const struct aws_error *e);
/* RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") to epoch seconds; -1 if bad. */
time_t aws_parse_http_date(const char *s);

#endif
