/* creds.c - the credential provider chain in the AWS CLI's order, the providers
 * that read keys from the environment and the shared files, and source_profile
 * resolution. The network providers live in creds_role.c, creds_sso.c,
 * creds_process.c and creds_http.c; shared helpers in creds_util.c. */
#include <stdlib.h>
#include <string.h>

#include "creds_int.h"
#include "fleetdeck/util.h"

struct provider {
	const char *name; /* as listed in "tried: ..." */
	creds_provider_fn fn;
};

static const struct provider chain[] = {
    {"environment", creds_from_env},
    {"assume-role", creds_from_assume_role},
    {"web identity", creds_from_web_identity},
    {"SSO", creds_from_sso},
    {"shared credentials file", creds_from_credentials_file},
    {"credential_process", creds_from_process},
    {"config file", creds_from_config_file},
    {"container", creds_from_container},
    {"IMDS", creds_from_imds},
};

/* The providers a source_profile may use (no environment, container or IMDS). */
static const struct provider profile_chain[] = {
    {"web identity", creds_from_web_identity_profile},
    {"SSO", creds_from_sso},
    {"shared credentials file", creds_from_credentials_file},
    {"credential_process", creds_from_process},
    {"config file", creds_from_config_file},
};

enum fd_status
creds_from_env(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
               struct fd_err *err)
{
	const char *ak = creds_env("AWS_ACCESS_KEY_ID");
	const char *sk = creds_env("AWS_SECRET_ACCESS_KEY");
	const char *tok = creds_env("AWS_SESSION_TOKEN");
	const char *exp = creds_env("AWS_CREDENTIAL_EXPIRATION");
	const char *account = creds_env("AWS_ACCOUNT_ID");
	time_t when = 0;

	(void)ctx;
	(void)profile;
	if (!ak)
		return FD_ENOTFOUND;
	if (!sk)
		return fd_err_set(err, FD_ECREDS,
		                  "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	if (exp && (when = fd_parse_iso8601(exp)) <= 0)
		return fd_err_set(err, FD_ECREDS,
		                  "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
	if (!tok)
		tok = creds_env("AWS_SECURITY_TOKEN");
	creds_set(out, ak, sk, tok, when, "environment");
	if (account)
		fd_strlcpy(out->account_id, account, sizeof(out->account_id));
	return FD_OK;
}

/* Static keys from one file's profile. */
static enum fd_status
static_keys(const struct aws_settings *s, int config, const char *profile, struct aws_creds *out,
            struct fd_err *err)
{
	const char *(*get)(const struct aws_settings *, const char *, const char *) =
	    config ? aws_settings_config_value : aws_settings_credentials_value;
	const char *ak = get(s, profile, "aws_access_key_id");
	const char *sk = get(s, profile, "aws_secret_access_key");
	const char *tok = get(s, profile, "aws_session_token");
	const char *account = get(s, profile, "aws_account_id");
	const char *file = config ? s->config_path : s->credentials_path;
	char shown[68];

	if (!ak || !*ak)
		return FD_ENOTFOUND;
	if (!sk || !*sk)
		return fd_err_set(err, FD_ECREDS,
		                  "profile \"%s\" in %s has aws_access_key_id but no "
		                  "aws_secret_access_key",
		                  creds_printable(profile, shown), file);
	if (!tok || !*tok)
		tok = get(s, profile, "aws_security_token");
	creds_set(out, ak, sk, tok && *tok ? tok : NULL, 0, "%s (profile %.60s)",
	          config ? "config file" : "shared credentials file",
	          creds_printable(profile, shown));
	if (account)
		fd_strlcpy(out->account_id, account, sizeof(out->account_id));
	return FD_OK;
}

enum fd_status
creds_from_credentials_file(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                            struct fd_err *err)
{
	return static_keys(ctx->s, 0, profile, out, err);
}

enum fd_status
creds_from_config_file(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                       struct fd_err *err)
{
	return static_keys(ctx->s, 1, profile, out, err);
}

static enum fd_status
run_chain(struct creds_ctx *ctx, const struct provider *p, size_t n, const char *profile,
          struct aws_creds *out, struct fd_buf *tried, struct fd_err *err)
{
	enum fd_status st;
	size_t i;

	for (i = 0; i < n; i++) {
		if (tried)
			fd_buf_printf(tried, "%s%s", tried->len ? ", " : "", p[i].name);
		if (p[i].fn == creds_from_env && ctx->s->profile_explicit) {
			if (tried)
				fd_buf_puts(tried, " (skipped: --profile)");
			continue;
		}
		st = p[i].fn(ctx, profile, out, err);
		if (st != FD_ENOTFOUND)
			return st;
	}
	return FD_ENOTFOUND;
}

enum fd_status
creds_resolve_profile(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                      struct fd_err *err)
{
	const struct aws_settings *s = ctx->s;
	char shown[68];
	enum fd_status st;

	if (!aws_settings_profile_exists(s, profile))
		return fd_err_set(err, FD_ECONFIG, "source_profile \"%s\" not found in %s or %s",
		                  creds_printable(profile, shown),
		                  s->config_path ? s->config_path : "(no config file)",
		                  s->credentials_path ? s->credentials_path
		                                      : "(no credentials file)");
	st = creds_from_assume_role(ctx, profile, out, err);
	if (st == FD_ENOTFOUND)
		st = run_chain(ctx, profile_chain, FD_ARRAY_LEN(profile_chain), profile, out, NULL,
		               err);
	if (st == FD_ENOTFOUND)
		st = fd_err_set(err, FD_ECREDS, "source_profile \"%s\" has no credentials",
		                creds_printable(profile, shown));
	return st;
}

enum fd_status
aws_creds_resolve(const struct aws_settings *s, struct aws_creds *out, struct fd_err *err)
{
	struct creds_ctx ctx;
	struct fd_buf tried;
	char shown[68];
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	ctx.s = s;
	fd_buf_init(&tried);
	st = run_chain(&ctx, chain, FD_ARRAY_LEN(chain), s->profile, out, &tried, err);
	if (st == FD_OK)
		fd_err_clear(err);
	else if (st == FD_ENOTFOUND)
		st = fd_err_set(err, FD_ECREDS,
		                "no AWS credentials found for profile \"%s\" (tried: %s)",
		                creds_printable(s->profile, shown), tried.data);
	if (st != FD_OK)
		aws_creds_free(out);
	fd_buf_free(&tried);
	return st;
}

void
aws_creds_free(struct aws_creds *c)
{
	if (!c)
		return;
	fd_secure_free(c->access_key);
	fd_secure_free(c->secret_key);
	fd_secure_free(c->session_token);
	fd_secure_wipe(c, sizeof(*c));
}

void
aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src)
{
	*dst = *src;
	dst->access_key = src->access_key ? fd_xstrdup(src->access_key) : NULL;
	dst->secret_key = src->secret_key ? fd_xstrdup(src->secret_key) : NULL;
	dst->session_token = src->session_token ? fd_xstrdup(src->session_token) : NULL;
}

int
aws_creds_expiring(const struct aws_creds *c, time_t now, long margin_s)
{
	return c->expiration != 0 && c->expiration - now <= (time_t)margin_s;
}
