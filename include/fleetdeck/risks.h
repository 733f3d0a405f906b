/* risks.h - the risk checks, declared once as a table (id, severity, reason, fix).
 * Pure functions over fleet records, so each check has a positive and a negative
 * fixture test. Muted per function in config ("mute = async-no-dlq,..."). */
#ifndef FLEETDECK_RISKS_H
#define FLEETDECK_RISKS_H

#include <stddef.h>

#include "fleetdeck/fleet.h"

struct fd_iam_facts;

/* What was read of an SQS queue that is an event source (src/queue_facts.c): its
 * RedrivePolicy and the depth of the DLQ it names. */
struct fd_queue_fact {
	const char *arn;
	int has_redrive;                           /* 1 = RedrivePolicy set, 0 = none */
	const char *dlq_arn;                       /* the policy's DLQ; NULL when none */
	long long dlq_depth;                       /* its ApproximateNumberOfMessages; -1 unknown */
	int64_t fetched_ms;                        /* when the attributes were read */
};

struct fd_risk_input {
	const struct fd_function *fn;
	const struct fd_function_metrics *metrics; /* may be NULL */
	const struct fd_log_group *log_group;      /* may be NULL */
	int64_t now_s;
	int window_s;
	const char *const *muted;                  /* check ids muted for fn, NULL-terminated */
	const struct fd_queue_fact *queues;        /* known queues; sqs-no-redrive needs them */
	size_t nqueues;
	const struct fd_iam_facts *iam;            /* role, secrets, prod (iam.h); NULL = none */
};

/* Storage price used for the log-no-retention estimate: USD per GB-month (GB = 2^30
 * bytes), the us-east-1 CloudWatch Logs standard-class list price. */
#define FD_LOG_STORAGE_USD_PER_GB_MONTH 0.03
/* Ingestion price for `fleetdeck costs` (costs.h): USD per GB ingested, the same list. */
#define FD_LOG_INGEST_USD_PER_GB 0.50

struct fd_risk_check {
	const char *id;
	enum fd_severity severity;
	const char *title;
	const char *fix;
};

/* Table accessors (for help text, docs and tests). */
size_t fd_risk_check_count(void);
const struct fd_risk_check *fd_risk_check_at(size_t i);
const struct fd_risk_check *fd_risk_check_find(const char *id);

/* Appends the risks of one function to *out (grown with fd_xreallocarray). */
void fd_risks_eval(const struct fd_risk_input *in, struct fd_risk **out, size_t *n);

/* Runtime deprecation table: phase 1 date (no more security patches). NULL when the
 * runtime is unknown or current. */
const char *fd_runtime_deprecation(const char *runtime, int *deprecated_now, int64_t now_s);

#endif
