/* creds_role.c - assume-role (STS AssumeRole signed with the source credentials)
 * and web identity (unsigned STS AssumeRoleWithWebIdentity). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds_int.h"
#include "fleetdeck/endpoint.h"
#include "fleetdeck/http_blocking.h"
#include "fleetdeck/sigv4.h"
#include "fleetdeck/sts.h"
#include "fleetdeck/util.h"

#define STS_FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define WEB_TOKEN_MAX (64 * 1024)

struct role_params {
	const char *role_arn;
	const char *source_profile;
	const char *credential_source;
	const char *external_id;
	const char *session_name;
	long duration; /* 0 = STS default */
	char session_buf[48];
};

struct sts_req {
	struct aws_endpoint ep;
	const char *headers[5];
	size_t nheaders;
	char *owned[5]; /* header lines, wiped when freed */
	size_t nowned;
};

static const char *
pval(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	const char *v = aws_settings_profile_value(ctx->s, profile, key);

	return v && *v ? v : NULL;
}

static void
sts_req_add(struct sts_req *r, char *line)
{
	r->owned[r->nowned++] = line;
	r->headers[r->nheaders++] = line;
}

static void
sts_req_free(struct sts_req *r)
{
	size_t i;

	for (i = 0; i < r->nowned; i++)
		fd_secure_free(r->owned[i]);
}

static enum fd_status
sts_sign(struct sts_req *r, const struct fd_buf *form, const struct aws_creds *signer,
         struct fd_err *err)
{
	struct sigv4_header h[2] = {{"Host", r->ep.host}, {"Content-Type", STS_FORM_TYPE}};
	char path[300];
	struct sigv4_input in;
	struct sigv4_output out;
	enum fd_status st;

	snprintf(path, sizeof(path), "%s/", r->ep.base_path);
	memset(&in, 0, sizeof(in));
	in.method = "POST";
	in.path = path;
	in.headers = h;
	in.nheaders = FD_ARRAY_LEN(h);
	in.payload = form->data;
	in.payload_len = form->len;
	in.region = r->ep.signing_region;
	in.service = aws_service_get(AWS_SVC_STS)->signing_name;
	in.access_key = signer->access_key;
	in.secret_key = signer->secret_key;
	in.session_token = signer->session_token;
	in.now = sigv4_clock();
	st = sigv4_sign(&in, &out, err);
	if (st == FD_OK) {
		sts_req_add(r, fd_xasprintf("X-Amz-Date: %s", out.amz_date));
		if (signer->session_token)
			sts_req_add(
			    r, fd_xasprintf("X-Amz-Security-Token: %s", signer->session_token));
		sts_req_add(r, fd_xasprintf("Authorization: %s", out.authorization.data));
	}
	sigv4_output_free(&out);
	return st;
}

/* POSTs a query-protocol form to STS and parses the credentials in the answer. */
static enum fd_status
sts_exchange(const struct creds_ctx *ctx, const char *op, const struct fd_buf *form,
             const struct aws_creds *signer, struct aws_creds *out, struct fd_err *err)
{
	struct aws_http_simple req;
	struct sts_req r;
	struct fd_buf body;
	char url[600];
	long status = 0;
	enum fd_status st;

	memset(&r, 0, sizeof(r));
	memset(&req, 0, sizeof(req));
	fd_buf_init(&body);
	st = aws_endpoint_resolve(ctx->s, AWS_SVC_STS, NULL, &r.ep, err);
	if (st != FD_OK)
		return st;
	sts_req_add(&r, fd_xasprintf("Host: %s", r.ep.host));
	sts_req_add(&r, fd_xstrdup("Content-Type: " STS_FORM_TYPE));
	if (signer)
		st = sts_sign(&r, form, signer, err);
	snprintf(url, sizeof(url), "%s/", r.ep.url);
	req.method = "POST";
	req.url = url;
	req.headers = r.headers;
	req.nheaders = r.nheaders;
	req.body = form->data;
	req.body_len = form->len;
	req.ca_bundle = ctx->s->ca_bundle;
	if (st == FD_OK)
		st = aws_http_blocking(&req, &status, &body, err);
	if (st == FD_OK && status == 200) {
		st = sts_parse_credentials(body.data, body.len, out, err);
	} else if (st == FD_OK) {
		if (sts_parse_error(body.data, body.len, err) != FD_EAWS)
			fd_err_set(err, FD_ECREDS, "HTTP %ld from %s", status, r.ep.url);
		st = FD_ECREDS;
		if (err)
			err->status = st;
	}
	if (st != FD_OK)
		fd_err_prefix(err, "STS %s", op);
	sts_req_free(&r);
	fd_buf_secure_free(&body);
	return st;
}

static enum fd_status
role_params_read(const struct creds_ctx *ctx, const char *profile, struct role_params *p,
                 struct fd_err *err)
{
	const char *dur = pval(ctx, profile, "duration_seconds");
	char shown[68], *end = NULL;

	creds_printable(profile, shown);
	if (pval(ctx, profile, "mfa_serial"))
		return fd_err_set(err, FD_EUNSUPPORTED,
		                  "MFA not supported yet: profile \"%s\" sets mfa_serial; use a "
		                  "profile without it (for example with keys from \"aws sts "
		                  "get-session-token\")",
		                  shown);
	p->source_profile = pval(ctx, profile, "source_profile");
	p->credential_source = pval(ctx, profile, "credential_source");
	if (p->source_profile && p->credential_source)
		return fd_err_set(err, FD_ECONFIG,
		                  "profile \"%s\" sets both source_profile and credential_source",
		                  shown);
	if (!p->source_profile && !p->credential_source)
		return fd_err_set(err, FD_ECONFIG,
		                  "profile \"%s\" has role_arn but neither source_profile nor "
		                  "credential_source",
		                  shown);
	if (dur && ((p->duration = strtol(dur, &end, 10)) < 900 || p->duration > 43200 || *end))
		return fd_err_set(err, FD_ECONFIG,
		                  "profile \"%s\": duration_seconds must be 900 to 43200", shown);
	p->external_id = pval(ctx, profile, "external_id");
	p->session_name = pval(ctx, profile, "role_session_name");
	if (!p->session_name) {
		snprintf(p->session_buf, sizeof(p->session_buf), "fleetdeck-%lld",
		         (long long)fd_wall_now());
		p->session_name = p->session_buf;
	}
	return FD_OK;
}

static enum fd_status
source_from_credential_source(struct creds_ctx *ctx, const char *profile,
                              const struct role_params *p, struct aws_creds *src,
                              struct fd_err *err)
{
	static const struct {
		const char *name;
		creds_provider_fn fn;
	} sources[] = {{"Environment", creds_from_env},
	               {"Ec2InstanceMetadata", creds_from_imds},
	               {"EcsContainer", creds_from_container}};
	char shown[68];
	size_t i;
	enum fd_status st;

	creds_printable(profile, shown);
	for (i = 0; i < FD_ARRAY_LEN(sources); i++) {
		if (strcmp(p->credential_source, sources[i].name) != 0)
			continue;
		st = sources[i].fn(ctx, profile, src, err);
		if (st == FD_ENOTFOUND)
			st = fd_err_set(err, FD_ECREDS,
			                "profile \"%s\": credential_source %s found no credentials",
			                shown, sources[i].name);
		return st;
	}
	return fd_err_set(err, FD_ECONFIG,
	                  "profile \"%s\": credential_source must be Environment, "
	                  "Ec2InstanceMetadata or EcsContainer",
	                  shown);
}

/* "a -> b -> a": the profiles being resolved, this one, and the repeated source. */
static enum fd_status
cycle_error(const struct creds_ctx *ctx, const char *profile, const char *next, struct fd_err *err)
{
	struct fd_buf b;
	char shown[68];
	size_t i;

	fd_buf_init(&b);
	for (i = 0; i < ctx->nvisited; i++)
		fd_buf_printf(&b, "%s -> ", creds_printable(ctx->visited[i], shown));
	fd_buf_printf(&b, "%s -> ", creds_printable(profile, shown));
	fd_buf_puts(&b, creds_printable(next, shown));
	fd_err_set(err, FD_ECONFIG, "source_profile cycle: %s", b.data);
	fd_buf_free(&b);
	return FD_ECONFIG;
}

static enum fd_status
source_from_profile(struct creds_ctx *ctx, const char *profile, const struct role_params *p,
                    struct aws_creds *src, struct fd_err *err)
{
	enum fd_status st;
	size_t i;

	if (strcmp(p->source_profile, profile) == 0) {
		/* A profile may be its own source when it also holds static keys. */
		st = creds_from_credentials_file(ctx, profile, src, err);
		if (st == FD_ENOTFOUND)
			st = creds_from_config_file(ctx, profile, src, err);
		if (st != FD_ENOTFOUND)
			return st;
	}
	for (i = 0; i < ctx->nvisited; i++)
		if (strcmp(ctx->visited[i], p->source_profile) == 0)
			return cycle_error(ctx, profile, p->source_profile, err);
	if (strcmp(p->source_profile, profile) == 0)
		return cycle_error(ctx, profile, p->source_profile, err);
	if (ctx->nvisited >= CREDS_MAX_DEPTH)
		return fd_err_set(err, FD_ECONFIG, "source_profile chain deeper than %d profiles",
		                  CREDS_MAX_DEPTH);
	ctx->visited[ctx->nvisited++] = profile;
	st = creds_resolve_profile(ctx, p->source_profile, src, err);
	ctx->nvisited--;
	return st;
}

static void
role_cache_key(const char *profile, const struct role_params *p, struct fd_buf *key)
{
	fd_buf_printf(key, "assume-role|%s|%s|%s|%s|%ld", profile, p->role_arn,
	              p->source_profile ? p->source_profile : p->credential_source,
	              p->external_id ? p->external_id : "", p->duration);
}

static enum fd_status
assume_role(struct creds_ctx *ctx, const char *profile, const struct role_params *p,
            const struct aws_creds *src, struct aws_creds *out, struct fd_err *err)
{
	struct fd_buf form;
	char shown[68];
	enum fd_status st;

	fd_buf_init(&form);
	creds_form_add(&form, "Action", "AssumeRole");
	creds_form_add(&form, "Version", aws_service_get(AWS_SVC_STS)->api_version);
	creds_form_add(&form, "RoleArn", p->role_arn);
	creds_form_add(&form, "RoleSessionName", p->session_name);
	if (p->external_id)
		creds_form_add(&form, "ExternalId", p->external_id);
	if (p->duration)
		fd_buf_printf(&form, "&DurationSeconds=%ld", p->duration);
	st = sts_exchange(ctx, "AssumeRole", &form, src, out, err);
	if (st == FD_OK)
		snprintf(out->source, sizeof(out->source), "assume-role (profile %.60s)",
		         creds_printable(profile, shown));
	else
		fd_err_prefix(err, "assume-role (profile \"%s\")", creds_printable(profile, shown));
	fd_buf_free(&form);
	return st;
}

enum fd_status
creds_from_assume_role(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                       struct fd_err *err)
{
	struct role_params p;
	struct aws_creds src;
	struct fd_buf key;
	enum fd_status st;

	memset(&p, 0, sizeof(p));
	memset(&src, 0, sizeof(src));
	p.role_arn = pval(ctx, profile, "role_arn");
	if (!p.role_arn || pval(ctx, profile, "web_identity_token_file"))
		return FD_ENOTFOUND;
	st = role_params_read(ctx, profile, &p, err);
	if (st != FD_OK)
		return st;
	fd_buf_init(&key);
	role_cache_key(profile, &p, &key);
	if (creds_cache_get(key.data, out))
		goto out;
	if (p.credential_source)
		st = source_from_credential_source(ctx, profile, &p, &src, err);
	else
		st = source_from_profile(ctx, profile, &p, &src, err);
	if (st == FD_OK)
		st = assume_role(ctx, profile, &p, &src, out, err);
	if (st == FD_OK)
		creds_cache_put(key.data, out);
out:
	aws_creds_free(&src);
	fd_buf_free(&key);
	return st;
}

static enum fd_status
read_web_token(const char *path, struct fd_buf *tok, struct fd_err *err)
{
	enum fd_status st = (enum fd_status)fd_read_file(path, WEB_TOKEN_MAX, tok, err);

	if (st != FD_OK) {
		/* Configured but unreadable is an error, not "not configured". */
		fd_err_prefix(err, "web identity token file");
		if (err)
			err->status = FD_ECREDS;
		return FD_ECREDS;
	}
	while (tok->len && (tok->data[tok->len - 1] == '\n' || tok->data[tok->len - 1] == '\r' ||
	                    tok->data[tok->len - 1] == ' '))
		tok->data[--tok->len] = '\0';
	if (!tok->len)
		return fd_err_set(err, FD_ECREDS, "web identity token file %s is empty", path);
	return FD_OK;
}

/* Env first, then the profile, key by key (botocore's order). */
static const char *
web_value(const struct creds_ctx *ctx, const char *profile, int use_env, const char *env,
          const char *key)
{
	const char *v = use_env ? creds_env(env) : NULL;

	return v ? v : pval(ctx, profile, key);
}

static enum fd_status
web_identity(struct creds_ctx *ctx, const char *profile, int use_env, struct aws_creds *out,
             struct fd_err *err)
{
	const char *file = web_value(ctx, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
	                             "web_identity_token_file");
	const char *arn = web_value(ctx, profile, use_env, "AWS_ROLE_ARN", "role_arn");
	const char *name =
	    web_value(ctx, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name");
	struct fd_buf tok, form;
	char session[48], shown[68];
	enum fd_status st;

	if (!file)
		return FD_ENOTFOUND;
	creds_printable(profile, shown);
	if (!arn)
		return fd_err_set(err, FD_ECONFIG,
		                  "web identity (profile \"%s\"): a token file is set but no "
		                  "role_arn or AWS_ROLE_ARN",
		                  shown);
	snprintf(session, sizeof(session), "fleetdeck-%lld", (long long)fd_wall_now());
	fd_buf_init(&tok);
	fd_buf_init(&form);
	st = read_web_token(file, &tok, err);
	creds_form_add(&form, "Action", "AssumeRoleWithWebIdentity");
	creds_form_add(&form, "Version", aws_service_get(AWS_SVC_STS)->api_version);
	creds_form_add(&form, "RoleArn", arn);
	creds_form_add(&form, "RoleSessionName", name ? name : session);
	creds_form_add(&form, "WebIdentityToken", tok.data ? tok.data : "");
	if (st == FD_OK)
		st = sts_exchange(ctx, "AssumeRoleWithWebIdentity", &form, NULL, out, err);
	if (st == FD_OK)
		snprintf(out->source, sizeof(out->source), "web identity (profile %.60s)", shown);
	else
		fd_err_prefix(err, "web identity (profile \"%s\")", shown);
	fd_buf_secure_free(&tok);
	fd_buf_secure_free(&form);
	return st;
}

enum fd_status
creds_from_web_identity(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                        struct fd_err *err)
{
	return web_identity(ctx, profile, 1, out, err);
}

enum fd_status
creds_from_web_identity_profile(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                                struct fd_err *err)
{
	return web_identity(ctx, profile, 0, out, err);
}
