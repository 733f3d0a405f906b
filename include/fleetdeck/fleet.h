/* fleet.h - plain C records for what fleetdeck knows about a fleet: functions and
 * their wiring, metric series, log groups, risks. Produced by aws/ parsers and the
 * cache, read by the model and views. No library types here. */
#ifndef FLEETDECK_FLEET_H
#define FLEETDECK_FLEET_H

#include <stddef.h>
#include <stdint.h>

/* Which account/region (and profile) a record belongs to: every cache key has it,
 * so switching context never mixes fleets. */
struct fd_ctx {
	char profile[64];
	char account[32];
	char region[32];
};

struct fd_kv {
	char *key;
	char *value;
};

/* Environment variables: values of secret-looking names are never kept. */
enum fd_env_kind {
	FD_ENV_PLAIN,          /* ordinary name; value kept */
	FD_ENV_SECRET_LITERAL, /* secret-looking name holding a literal: value dropped */
	FD_ENV_SECRET_REF,     /* secret-looking name holding a Secrets Manager/SSM reference */
};

struct fd_env {
	char *name;
	char *value;           /* NULL unless kind == FD_ENV_PLAIN or FD_ENV_SECRET_REF */
	enum fd_env_kind kind;
};

#define FD_TRIGGER_LIST(X)                                                                         \
	X(FD_TRIG_SQS, "sqs", 0)                                                                   \
	X(FD_TRIG_API_GATEWAY, "apigateway", 0)                                                    \
	X(FD_TRIG_S3, "s3", 1)                                                                     \
	X(FD_TRIG_EVENTBRIDGE, "eventbridge", 1)                                                   \
	X(FD_TRIG_SNS, "sns", 1)                                                                   \
	X(FD_TRIG_KINESIS, "kinesis", 0)                                                           \
	X(FD_TRIG_DYNAMODB, "dynamodb", 0)                                                         \
	X(FD_TRIG_OTHER, "other", 0)

enum fd_trigger_kind {
#define FD_TRIG_ENUM(id, name, async) id,
	FD_TRIGGER_LIST(FD_TRIG_ENUM)
#undef FD_TRIG_ENUM
	FD_TRIG_COUNT
};

const char *fd_trigger_name(enum fd_trigger_kind k);
/* True for sources that invoke asynchronously (S3, EventBridge, SNS). */
int fd_trigger_is_async(enum fd_trigger_kind k);

struct fd_trigger {
	enum fd_trigger_kind kind;
	char *source_arn;      /* queue/stream/bucket/rule ARN, or principal for policy triggers */
	char *uuid;            /* event source mapping id, NULL for policy triggers */
	char *state;           /* "Enabled" ... (mappings) */
	int batch_size;
	char *on_failure;      /* mapping's OnFailure destination, NULL when none */
};

struct fd_alias {
	char *name;
	char *version;
	int provisioned;       /* provisioned concurrency requested, 0 when none */
	int provisioned_available;
};

struct fd_version {
	char *version;
	char *last_modified;
	char *runtime;
	int memory_mb;
	int provisioned;       /* provisioned concurrency requested on this version, 0 = none */
	int provisioned_available;
};

struct fd_async_config {
	int present;           /* GetFunctionEventInvokeConfig returned a config */
	int max_retry;         /* -1 = default (2) */
	int max_event_age_s;   /* -1 = default (21600) */
	char *on_failure;      /* destination ARN */
	char *on_success;
};

struct fd_function {
	/* configuration: ListFunctions / GetFunctionConfiguration */
	char *name;
	char *arn;
	char *runtime;         /* NULL for container images */
	char *handler;
	char *role;
	char *description;
	char *last_modified;   /* as AWS gives it */
	char *version;         /* "$LATEST" */
	char *architecture;    /* "x86_64" | "arm64" */
	char *package_type;    /* "Zip" | "Image" */
	char *state;
	int memory_mb;
	int timeout_s;
	int ephemeral_mb;
	long long code_size;
	char *log_format;      /* "Text" | "JSON" */
	char *log_group;       /* custom or /aws/lambda/<name> */
	char *app_log_level;
	char *system_log_level;
	char *dlq_arn;         /* DeadLetterConfig.TargetArn */
	char *tracing_mode;    /* "Active" | "PassThrough" */
	char *snapstart;       /* "PublishedVersions" | "None" | NULL */
	char **layers;
	size_t nlayers;
	struct fd_env *env;
	size_t nenv;
	int powertools;        /* Powertools layer or POWERTOOLS_* env present */
	char *rds_proxy_endpoint; /* from env, when it names an RDS Proxy endpoint */
	int64_t fetched_ms;    /* when this record was fetched from AWS (epoch ms) */

	/* detail: GetFunction, ListTags, GetPolicy, ListEventSourceMappings, ... */
	int detail_loaded;
	int64_t detail_fetched_ms;
	int reserved_concurrency; /* -1 = none */
	struct fd_kv *tags;
	size_t ntags;
	struct fd_trigger *triggers;
	size_t ntriggers;
	struct fd_alias *aliases;
	size_t naliases;
	struct fd_version *versions;
	size_t nversions;
	struct fd_async_config async;
};

void fd_function_free(struct fd_function *f);   /* frees members, not f */
void fd_functions_free(struct fd_function *fns, size_t n); /* members and array */
const char *fd_function_tag(const struct fd_function *f, const char *key);
/* Classifies an environment variable name/value (secret-looking names: PASSWORD,
 * SECRET, TOKEN, API_KEY, PRIVATE_KEY, DB_PASS, ...). */
enum fd_env_kind fd_env_classify(const char *name, const char *value);

/* Metrics: declared once. X(id, namespace, metric name, statistic, per-function) */
#define FD_METRIC_LIST(X)                                                                          \
	X(FD_M_INVOCATIONS, "AWS/Lambda", "Invocations", "Sum", 1)                                \
	X(FD_M_ERRORS, "AWS/Lambda", "Errors", "Sum", 1)                                          \
	X(FD_M_THROTTLES, "AWS/Lambda", "Throttles", "Sum", 1)                                    \
	X(FD_M_DURATION_P50, "AWS/Lambda", "Duration", "p50", 1)                                  \
	X(FD_M_DURATION_P99, "AWS/Lambda", "Duration", "p99", 1)                                  \
	X(FD_M_DURATION_MAX, "AWS/Lambda", "Duration", "Maximum", 1)                              \
	X(FD_M_CONCURRENCY, "AWS/Lambda", "ConcurrentExecutions", "Maximum", 1)                   \
	X(FD_M_DLQ_ERRORS, "AWS/Lambda", "DeadLetterErrors", "Sum", 1)                            \
	X(FD_M_DEST_FAILURES, "AWS/Lambda", "DestinationDeliveryFailures", "Sum", 1)              \
	X(FD_M_ASYNC_DROPPED, "AWS/Lambda", "AsyncEventsDropped", "Sum", 1)                       \
	X(FD_M_ASYNC_AGE, "AWS/Lambda", "AsyncEventAge", "Maximum", 1)

enum fd_metric {
#define FD_METRIC_ENUM(id, ns, name, stat, per_fn) id,
	FD_METRIC_LIST(FD_METRIC_ENUM)
#undef FD_METRIC_ENUM
	FD_M_COUNT
};

struct fd_metric_info {
	const char *ns;
	const char *name;
	const char *stat;
};
const struct fd_metric_info *fd_metric_info(enum fd_metric m);

/* A regular series: value i covers [start_s + i*period_s, +period_s). NAN = no data. */
struct fd_series {
	int64_t start_s;
	int period_s;
	size_t n;
	double *values;
};

struct fd_function_metrics {
	char *function;
	struct fd_series s[FD_M_COUNT];
	int64_t fetched_ms;
};

void fd_series_free(struct fd_series *s);
/* Merges newer points into dst (same period), keeping at most max_points. */
void fd_series_merge(struct fd_series *dst, const struct fd_series *src, size_t max_points);
/* Sum / max / last over [from_s, to_s); NAN when no point. */
double fd_series_sum(const struct fd_series *s, int64_t from_s, int64_t to_s);
double fd_series_max(const struct fd_series *s, int64_t from_s, int64_t to_s);
void fd_function_metrics_free(struct fd_function_metrics *m);

struct fd_log_group {
	char *name;
	int retention_days;    /* 0 = never expires */
	long long stored_bytes;
	int64_t created_ms;
	char *log_class;       /* "STANDARD" | "INFREQUENT_ACCESS" */
	int64_t fetched_ms;
};

void fd_log_groups_free(struct fd_log_group *g, size_t n);

/* Risks, from src/risks.c's check table. */
#define FD_SEVERITY_LIST(X)                                                                        \
	X(FD_SEV_INFO, "info")                                                                     \
	X(FD_SEV_LOW, "low")                                                                       \
	X(FD_SEV_MEDIUM, "medium")                                                                 \
	X(FD_SEV_HIGH, "high")                                                                     \
	X(FD_SEV_CRITICAL, "critical")

enum fd_severity {
#define FD_SEV_ENUM(id, name) id,
	FD_SEVERITY_LIST(FD_SEV_ENUM)
#undef FD_SEV_ENUM
	FD_SEV_COUNT
};

const char *fd_severity_name(enum fd_severity s);
int fd_severity_parse(const char *name, enum fd_severity *out);

struct fd_risk {
	const char *check_id;  /* static: "async-no-dlq" */
	enum fd_severity severity;
	char *function;        /* function name, or resource name */
	char *reason;          /* one line, specific: names the variable/queue/value */
	const char *fix;       /* static one-line fix */
};

void fd_risks_free(struct fd_risk *r, size_t n);

#endif
