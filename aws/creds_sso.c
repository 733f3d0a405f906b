/* creds_sso.c - IAM Identity Center (SSO): the cached token from "aws sso login",
 * refreshed through OIDC CreateToken near expiry (sso-session profiles only, as the
 * AWS CLI does), exchanged for role credentials with the portal's unsigned
 * GetRoleCredentials. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds_int.h"
#include "fleetdeck/endpoint.h"
#include "fleetdeck/http_blocking.h"
#include "fleetdeck/util.h"

#define SSO_TOKEN_MAX (256 * 1024)
#define SSO_REFRESH_WINDOW_S (15 * 60)

struct sso_conf {
	const char *profile;
	const char *session; /* sso_session name; NULL for the legacy form */
	const char *start_url;
	const char *region; /* sso_region */
	const char *account_id;
	const char *role_name;
	char token_path[4096];
};

struct sso_token {
	cJSON *doc;
	const char *access; /* accessToken inside doc */
	time_t expires;
};

static const char *
pval(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	const char *v = aws_settings_profile_value(ctx->s, profile, key);

	return v && *v ? v : NULL;
}

static enum fd_status
expired(const struct sso_conf *c, const char *why, struct fd_err *err)
{
	char name[68], prof[68];

	return fd_err_set(err, FD_ECREDS,
	                  "SSO session \"%s\" has expired: run \"aws sso login "
	                  "--profile %s\"%s%s",
	                  creds_printable(c->session ? c->session : c->start_url, name),
	                  creds_printable(c->profile, prof), why ? " " : "", why ? why : "");
}

/* ~/.aws/sso/cache/<sha1hex(session name or start URL)>.json */
static enum fd_status
token_path(struct sso_conf *c, struct fd_err *err)
{
	const char *key = c->session ? c->session : c->start_url;
	const char *home = creds_env("HOME");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	if (!home)
		return fd_err_set(err, FD_ECREDS,
		                  "SSO: HOME is not set, cannot find the token cache");
	if (!EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL))
		return fd_err_set(err, FD_ECREDS, "SSO: SHA-1 failed");
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * mdlen] = '\0';
	snprintf(c->token_path, sizeof(c->token_path), "%s/.aws/sso/cache/%s.json", home, hex);
	return FD_OK;
}

static enum fd_status
sso_session_conf(const struct creds_ctx *ctx, struct sso_conf *c, struct fd_err *err)
{
	char section[300], shown[68];
	const char *v;

	snprintf(section, sizeof(section), "sso-session %s", c->session);
	if (!ini_has_section(ctx->s->config, section))
		return fd_err_set(err, FD_ECONFIG,
		                  "profile \"%s\" sets sso_session = %s but there is no [%s] "
		                  "section in %s",
		                  creds_printable(c->profile, shown), c->session, section,
		                  ctx->s->config_path ? ctx->s->config_path : "the config file");
	v = ini_get(ctx->s->config, section, "sso_start_url");
	c->start_url = v && *v ? v : NULL;
	v = ini_get(ctx->s->config, section, "sso_region");
	c->region = v && *v ? v : NULL;
	return FD_OK;
}

static enum fd_status
sso_conf_read(const struct creds_ctx *ctx, const char *profile, struct sso_conf *c,
              struct fd_err *err)
{
	char shown[68];
	enum fd_status st = FD_OK;

	c->profile = profile;
	c->session = pval(ctx, profile, "sso_session");
	c->start_url = pval(ctx, profile, "sso_start_url");
	c->region = pval(ctx, profile, "sso_region");
	c->account_id = pval(ctx, profile, "sso_account_id");
	c->role_name = pval(ctx, profile, "sso_role_name");
	if (c->session)
		st = sso_session_conf(ctx, c, err);
	if (st != FD_OK)
		return st;
	if (!c->start_url || !c->region || !c->account_id || !c->role_name)
		return fd_err_set(
		    err, FD_ECONFIG,
		    "SSO profile \"%s\" is incomplete: it needs sso_start_url and "
		    "sso_region (in the profile or its [sso-session]), sso_account_id "
		    "and sso_role_name",
		    creds_printable(profile, shown));
	if (!aws_region_valid(c->region))
		return fd_err_set(err, FD_ECONFIG, "SSO profile \"%s\": invalid sso_region",
		                  creds_printable(profile, shown));
	return token_path(c, err);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring && *v->valuestring ? v->valuestring : NULL;
}

/* "2026-01-01T00:00:00Z", also the older "...UTC" spelling. */
static time_t
parse_expiry(const char *s)
{
	char buf[64];
	size_t n;

	if (!s || (n = strlen(s)) >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if (n > 3 && strcmp(buf + n - 3, "UTC") == 0)
		strcpy(buf + n - 3, "Z");
	return fd_parse_iso8601(buf);
}

static enum fd_status
token_load(const struct sso_conf *c, struct sso_token *t, struct fd_err *err)
{
	struct fd_buf text;
	struct fd_err ferr;
	enum fd_status st;

	fd_buf_init(&text);
	st = (enum fd_status)fd_read_file(c->token_path, SSO_TOKEN_MAX, &text, &ferr);
	if (st == FD_OK && !(t->doc = creds_json_parse(text.data, text.len)))
		st = FD_EPARSE;
	fd_buf_secure_free(&text);
	if (st == FD_ENOTFOUND)
		return expired(c, "(no cached token)", err);
	if (st != FD_OK)
		return fd_err_set(err, FD_ECREDS, "SSO token cache %s: %s", c->token_path,
		                  st == FD_EPARSE ? "not valid JSON" : ferr.msg);
	t->access = jstr(t->doc, "accessToken");
	t->expires = parse_expiry(jstr(t->doc, "expiresAt"));
	if (!t->access || t->expires <= 0)
		return fd_err_set(err, FD_ECREDS,
		                  "SSO token cache %s lacks accessToken or expiresAt",
		                  c->token_path);
	return FD_OK;
}

static void
json_put_string(cJSON *doc, const char *key, const char *value)
{
	creds_json_free(cJSON_DetachItemFromObjectCaseSensitive(doc, key));
	if (!cJSON_AddStringToObject(doc, key, value))
		fd_fatal("out of memory (JSON)");
}

/* Writes the token file next to itself and renames it into place, mode 0600. */
static enum fd_status
token_store(const struct sso_conf *c, const cJSON *doc, struct fd_err *err)
{
	char tmp[4200];
	char *text = cJSON_Print(doc);
	size_t len = text ? strlen(text) : 0;
	int fd, ok, e;

	if (!text)
		fd_fatal("out of memory (JSON)");
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", c->token_path);
	fd = mkstemp(tmp);
	ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len &&
	     fsync(fd) == 0;
	e = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	if (ok && rename(tmp, c->token_path) != 0) {
		ok = 0;
		e = errno;
	}
	if (!ok && fd >= 0)
		unlink(tmp);
	fd_secure_free(text);
	if (!ok)
		return fd_err_set(err, FD_EIO, "SSO: cannot update %s: %s", c->token_path,
		                  strerror(e));
	return FD_OK;
}

static enum fd_status
refresh_apply(const struct sso_conf *c, struct sso_token *t, const cJSON *ans, struct fd_err *err)
{
	const char *access = jstr(ans, "accessToken");
	const char *refresh = jstr(ans, "refreshToken");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(ans, "expiresIn");
	char when[21];

	if (!access || !cJSON_IsNumber(in) || in->valuedouble <= 0 || in->valuedouble > 1e7)
		return fd_err_set(err, FD_ECREDS, "OIDC CreateToken: unexpected answer");
	fd_format_iso8601(fd_wall_now() + (time_t)in->valuedouble, when);
	json_put_string(t->doc, "accessToken", access);
	json_put_string(t->doc, "expiresAt", when);
	if (refresh)
		json_put_string(t->doc, "refreshToken", refresh);
	t->access = jstr(t->doc, "accessToken");
	t->expires = parse_expiry(when);
	return token_store(c, t->doc, err);
}

static char *
refresh_body(const cJSON *doc)
{
	cJSON *req = cJSON_CreateObject();
	char *text;

	if (!req || !cJSON_AddStringToObject(req, "clientId", jstr(doc, "clientId")) ||
	    !cJSON_AddStringToObject(req, "clientSecret", jstr(doc, "clientSecret")) ||
	    !cJSON_AddStringToObject(req, "grantType", "refresh_token") ||
	    !cJSON_AddStringToObject(req, "refreshToken", jstr(doc, "refreshToken")))
		fd_fatal("out of memory (JSON)");
	text = cJSON_PrintUnformatted(req);
	creds_json_free(req);
	if (!text)
		fd_fatal("out of memory (JSON)");
	return text;
}

static enum fd_status
token_refresh(const struct creds_ctx *ctx, const struct sso_conf *c, struct sso_token *t,
              struct fd_err *err)
{
	const char *hdrs[] = {"Content-Type: application/json"};
	struct aws_http_simple req;
	struct aws_endpoint ep;
	struct fd_buf body;
	char url[600], *json = NULL;
	long status = 0;
	cJSON *ans = NULL;
	enum fd_status st;

	memset(&req, 0, sizeof(req));
	fd_buf_init(&body);
	st = aws_endpoint_resolve_region(ctx->s, AWS_SVC_SSO_OIDC, c->region, NULL, &ep, err);
	if (st != FD_OK)
		goto out;
	snprintf(url, sizeof(url), "%s/token", ep.url);
	json = refresh_body(t->doc);
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.nheaders = FD_ARRAY_LEN(hdrs);
	req.body = json;
	req.body_len = strlen(json);
	req.ca_bundle = ctx->s->ca_bundle;
	st = aws_http_blocking(&req, &status, &body, err);
	if (st == FD_OK && status != 200)
		st = fd_err_set(err, FD_ECREDS, "OIDC CreateToken: HTTP %ld", status);
	if (st == FD_OK && !(ans = creds_json_parse(body.data, body.len)))
		st = fd_err_set(err, FD_ECREDS, "OIDC CreateToken: answer is not JSON");
	if (st == FD_OK)
		st = refresh_apply(c, t, ans, err);
out:
	fd_secure_free(json);
	creds_json_free(ans);
	fd_buf_secure_free(&body);
	return st;
}

static int
can_refresh(const struct sso_conf *c, const struct sso_token *t, time_t now)
{
	time_t reg = parse_expiry(jstr(t->doc, "registrationExpiresAt"));

	return c->session && t->expires - now < SSO_REFRESH_WINDOW_S &&
	       jstr(t->doc, "refreshToken") && jstr(t->doc, "clientId") &&
	       jstr(t->doc, "clientSecret") && (reg <= 0 || reg > now);
}

static enum fd_status
token_get(const struct creds_ctx *ctx, const struct sso_conf *c, struct sso_token *t,
          struct fd_err *err)
{
	time_t now = fd_wall_now();
	struct fd_err rerr;
	char why[300];
	enum fd_status st = token_load(c, t, err);

	if (st != FD_OK || !can_refresh(c, t, now))
		return st != FD_OK || t->expires > now ? st : expired(c, NULL, err);
	fd_err_clear(&rerr);
	if (token_refresh(ctx, c, t, &rerr) == FD_OK || t->expires > now)
		return FD_OK;
	snprintf(why, sizeof(why), "(token refresh failed: %.240s)", rerr.msg);
	return expired(c, why, err);
}

static enum fd_status
role_creds_parse(const struct sso_conf *c, const struct fd_buf *body, struct aws_creds *out,
                 struct fd_err *err)
{
	cJSON *doc = creds_json_parse(body->data, body->len);
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(doc, "roleCredentials");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rc, "expiration");
	const char *ak = jstr(rc, "accessKeyId"), *sk = jstr(rc, "secretAccessKey");
	char shown[68];
	enum fd_status st = FD_OK;

	if (!ak || !sk || !cJSON_IsNumber(exp) || exp->valuedouble <= 0)
		st = fd_err_set(err, FD_ECREDS, "SSO GetRoleCredentials: unexpected answer");
	else
		creds_set(out, ak, sk, jstr(rc, "sessionToken"),
		          (time_t)(exp->valuedouble / 1000.0), "sso (profile %.60s)",
		          creds_printable(c->profile, shown));
	if (st == FD_OK && strlen(c->account_id) < sizeof(out->account_id))
		fd_strlcpy(out->account_id, c->account_id, sizeof(out->account_id));
	creds_json_free(doc);
	return st;
}

static enum fd_status
role_credentials(const struct creds_ctx *ctx, const struct sso_conf *c, const char *access,
                 struct aws_creds *out, struct fd_err *err)
{
	struct aws_http_simple req;
	struct aws_endpoint ep;
	struct fd_buf url, query, body;
	char *hdr = NULL;
	long status = 0;
	enum fd_status st;

	memset(&req, 0, sizeof(req));
	fd_buf_init(&url);
	fd_buf_init(&query);
	fd_buf_init(&body);
	st = aws_endpoint_resolve_region(ctx->s, AWS_SVC_SSO, c->region, NULL, &ep, err);
	if (st != FD_OK)
		goto out;
	creds_form_add(&query, "role_name", c->role_name);
	creds_form_add(&query, "account_id", c->account_id);
	fd_buf_printf(&url, "%s/federation/credentials?%s", ep.url, query.data);
	hdr = fd_xasprintf("x-amz-sso_bearer_token: %s", access);
	req.url = url.data;
	req.headers = (const char *const *)&hdr;
	req.nheaders = 1;
	req.ca_bundle = ctx->s->ca_bundle;
	st = aws_http_blocking(&req, &status, &body, err);
	if (st == FD_OK && (status == 401 || status == 403))
		st = expired(c, "(the portal refused the cached token)", err);
	else if (st == FD_OK && status != 200)
		st = fd_err_set(err, FD_ECREDS, "SSO GetRoleCredentials: HTTP %ld", status);
	else if (st == FD_OK)
		st = role_creds_parse(c, &body, out, err);
out:
	fd_secure_free(hdr);
	fd_buf_free(&url);
	fd_buf_free(&query);
	fd_buf_secure_free(&body);
	return st;
}

enum fd_status
creds_from_sso(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
               struct fd_err *err)
{
	struct sso_conf c;
	struct sso_token t = {NULL, NULL, 0};
	struct fd_buf key;
	enum fd_status st;

	if (!pval(ctx, profile, "sso_session") && !pval(ctx, profile, "sso_start_url") &&
	    !pval(ctx, profile, "sso_account_id") && !pval(ctx, profile, "sso_role_name"))
		return FD_ENOTFOUND;
	memset(&c, 0, sizeof(c));
	st = sso_conf_read(ctx, profile, &c, err);
	if (st != FD_OK)
		return st;
	fd_buf_init(&key);
	fd_buf_printf(&key, "sso|%s|%s|%s|%s", c.session ? c.session : "", c.start_url,
	              c.account_id, c.role_name);
	if (creds_cache_get(key.data, out))
		goto out;
	st = token_get(ctx, &c, &t, err);
	if (st == FD_OK)
		st = role_credentials(ctx, &c, t.access, out, err);
	if (st == FD_OK)
		creds_cache_put(key.data, out);
out:
	creds_json_free(t.doc);
	fd_buf_free(&key);
	return st;
}
