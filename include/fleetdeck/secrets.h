/* secrets.h - the secrets functions reference, metadata only: which Secrets Manager
 * secrets and SSM parameters a function's environment names (ARNs, names, dynamic
 * references, the Parameters and Secrets extension paths, Powertools parameters), and
 * what Secrets Manager DescribeSecret / SSM DescribeParameters say about them
 * (rotation, last rotated, last accessed, KMS key). fleetdeck never calls
 * GetSecretValue or GetParameter and never holds, shows or stores a secret value. */
#ifndef FLEETDECK_SECRETS_H
#define FLEETDECK_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

struct aws_request;
struct fd_cache;

#define FD_SECRET_ROTATION_MAX_DAYS 90 /* older than this: the rotation risk */
#define FD_SSM_DESCRIBE_MAX_NAMES 50   /* ParameterStringFilter Values limit */

enum fd_secret_kind {
	FD_SECRET_SM,  /* Secrets Manager secret */
	FD_SECRET_SSM, /* SSM parameter */
};

const char *fd_secret_kind_name(enum fd_secret_kind k); /* "secretsmanager", "ssm" */

struct fd_secret_ref {
	enum fd_secret_kind kind;
	char *id;  /* as referenced: ARN, name or /parameter/path */
	char *via; /* the environment variable naming it */
};

void fd_secret_refs_free(struct fd_secret_ref *r, size_t n);
/* The references in fn's environment (deduplicated, in env order). */
size_t fd_secret_refs(const struct fd_function *fn, struct fd_secret_ref **out);
/* The AWS Parameters and Secrets Lambda Extension layer is attached. */
int fd_secret_uses_extension(const struct fd_function *fn);
/* POWERTOOLS_PARAMETERS_* environment present (Powertools parameters utility). */
int fd_secret_uses_powertools_params(const struct fd_function *fn);

struct fd_secret_meta {
	enum fd_secret_kind kind;
	char *id;  /* the referenced id: the cache key */
	char *arn; /* resolved ARN; NULL when unknown */
	char *name;
	int found;              /* 0: no such secret / parameter */
	int rotation_enabled;   /* -1 for SSM (no rotation there) */
	int rotation_days;      /* RotationRules.AutomaticallyAfterDays; 0 = none */
	int64_t last_rotated_s; /* epoch seconds; 0 = never / unknown */
	int64_t last_changed_s;
	int64_t last_accessed_s;
	int64_t created_s;
	int64_t next_rotation_s;
	char *kms_key; /* NULL = the AWS managed key */
	char *type;    /* SSM: String, StringList, SecureString; NULL for SM */
	char *error;   /* could not be described ("AccessDeniedException: ..."), or NULL */
	int64_t fetched_ms;
};

void fd_secret_meta_clear(struct fd_secret_meta *m);
void fd_secret_metas_free(struct fd_secret_meta *m, size_t n);

/* Secrets Manager DescribeSecret (aws/secrets.c). */
void secrets_describe_request(struct aws_request *r, const char *secret_id);
/* Fills out (kind, found = 1, ARN, name, rotation, dates, KMS key). Fields that could
 * carry a value are never read. */
enum fd_status secrets_parse_describe(const char *json, size_t len, struct fd_secret_meta *out,
                                      struct fd_err *err);

/* SSM DescribeParameters filtered by Name Equals (aws/ssm.c): at most
 * FD_SSM_DESCRIBE_MAX_NAMES names per call. */
void ssm_describe_parameters_request(struct aws_request *r, const char *const *names, size_t n,
                                     const char *next_token);
/* Fills the metas whose name matches a returned parameter (found = 1, type, KMS key,
 * last modified as last_changed_s, ARN); *next_token is the next page or NULL. */
enum fd_status ssm_parse_describe_parameters(const char *json, size_t len,
                                             struct fd_secret_meta *metas, size_t n,
                                             char **next_token, struct fd_err *err);
/* "/app/db" or "app/db" or an ARN -> the parameter name as SSM knows it. */
void ssm_parameter_name(const char *id, char *out, size_t n);

/* Describes each reference (one meta per ref, same order): cached metadata younger
 * than FD_SECRET_META_TTL_MS is reused unless force; client may be NULL (cache only).
 * A secret that does not exist gets found = 0; AccessDenied and the like are kept in
 * the meta's error. *calls counts the requests sent (may be NULL). */
#define FD_SECRET_META_TTL_MS (6LL * 3600 * 1000)
struct aws_client;
enum fd_status fd_secrets_describe_sync(struct aws_client *c, struct fd_cache *cache,
                                        const struct fd_ctx *ctx, const struct fd_secret_ref *refs,
                                        size_t n, int force, struct fd_secret_meta **out,
                                        unsigned *calls, struct fd_err *err);

/* Cache (cache/iam.c): metadata per context and (kind, id). */
enum fd_status fd_cache_put_secret_meta(struct fd_cache *c, const struct fd_ctx *ctx,
                                        const struct fd_secret_meta *m, struct fd_err *err);
enum fd_status fd_cache_get_secret_metas(struct fd_cache *c, const struct fd_ctx *ctx,
                                         struct fd_secret_meta **out, size_t *n,
                                         struct fd_err *err);

#endif
