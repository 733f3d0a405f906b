/* creds_int.h - shared by the credential provider files (aws/creds*.c); not a
 * public interface. */
#ifndef FLEETDECK_CREDS_INT_H
#define FLEETDECK_CREDS_INT_H

#include <stddef.h>
#include <time.h>

#include "fleetdeck/creds.h"
#include "fleetdeck/util.h"

#define CREDS_MAX_DEPTH 8
/* Cached assume-role/SSO results are reused until this close to expiry. */
#define CREDS_CACHE_MARGIN_S 300

struct cJSON;

struct creds_ctx {
	const struct aws_settings *s;
	const char *visited[CREDS_MAX_DEPTH]; /* assume-role profiles, for cycle detection */
	size_t nvisited;
};

/* Every provider returns FD_OK with out filled, FD_ENOTFOUND when it is not configured
 * (the chain goes on), or another status when it is configured but failed: the chain
 * then stops with that error, like the AWS CLI. */
typedef enum fd_status (*creds_provider_fn)(struct creds_ctx *ctx, const char *profile,
					    struct aws_creds *out, struct fd_err *err);

enum fd_status creds_from_env(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
			      struct fd_err *err);
enum fd_status creds_from_assume_role(struct creds_ctx *ctx, const char *profile,
				      struct aws_creds *out, struct fd_err *err);
/* Profile keys first, then AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN (top level only). */
enum fd_status creds_from_web_identity(struct creds_ctx *ctx, const char *profile,
				       struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_web_identity_profile(struct creds_ctx *ctx, const char *profile,
					       struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_sso(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
			      struct fd_err *err);
enum fd_status creds_from_credentials_file(struct creds_ctx *ctx, const char *profile,
					   struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_process(struct creds_ctx *ctx, const char *profile,
				  struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_config_file(struct creds_ctx *ctx, const char *profile,
				      struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_container(struct creds_ctx *ctx, const char *profile,
				    struct aws_creds *out, struct fd_err *err);
enum fd_status creds_from_imds(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
			       struct fd_err *err);

/* Credentials of a source_profile: a nested assume-role, or the profile's own
 * providers (web identity, SSO, credentials file, credential_process, config file). */
enum fd_status creds_resolve_profile(struct creds_ctx *ctx, const char *profile,
				     struct aws_creds *out, struct fd_err *err);

/* Fills out with copies; source is a printf format. */
void creds_set(struct aws_creds *out, const char *ak, const char *sk, const char *token,
	       time_t expiration, const char *source_fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* In-process cache of temporary credentials (assume-role, SSO). */
int creds_cache_get(const char *key, struct aws_creds *out);
void creds_cache_put(const char *key, const struct aws_creds *c);

/* JSON credential documents (credential_process, container, IMDS): AccessKeyId,
 * SecretAccessKey, token_key (SessionToken or Token, optional), Expiration (ISO-8601,
 * optional), AccountId (optional). what names the source in error messages. */
enum fd_status creds_from_json(const struct cJSON *obj, const char *token_key, const char *what,
			       struct aws_creds *out, struct fd_err *err);
/* Parses JSON text (NULL on error); creds_json_free wipes every string before freeing. */
struct cJSON *creds_json_parse(const char *text, size_t len);
void creds_json_free(struct cJSON *j);

/* env var value when set and not empty, else NULL. */
const char *creds_env(const char *name);
/* At most 64 bytes of untrusted text for a message, controls shown as '?'. */
const char *creds_printable(const char *s, char out[68]);
/* Appends "k=v" with both parts percent-encoded (form bodies, query strings). */
void creds_form_add(struct fd_buf *b, const char *key, const char *value);

#endif
