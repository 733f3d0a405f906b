/* creds_http.c - credentials from the local metadata services: the container
 * endpoint (ECS/EKS Pod Identity) and EC2 IMDSv2. Both are short, direct (no
 * proxy) requests so a machine without them fails fast. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds_int.h"
#include "fleetdeck/http_blocking.h"
#include "fleetdeck/util.h"

#define CONTAINER_HOST "http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS 2000L
#define CONTAINER_ATTEMPTS 3
#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_DEFAULT_V6 "http://[fd00:ec2::254]"
#define IMDS_CONNECT_MS 1000L
#define IMDS_TOKEN_TTL "21600"
#define TOKEN_FILE_MAX (16 * 1024)

static enum fd_status
get_direct(const char *method, const char *url, const char *const *hdrs, size_t nhdrs,
           long timeout_ms, long *status, struct fd_buf *body, struct fd_err *err)
{
	struct aws_http_simple req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.nheaders = nhdrs;
	req.connect_timeout_ms = FD_MIN(timeout_ms, IMDS_CONNECT_MS * 2);
	req.timeout_ms = timeout_ms;
	req.max_body = 64 * 1024;
	req.no_proxy = 1;
	fd_buf_reset(body);
	return aws_http_blocking(&req, status, body, err);
}

/* Host of an http(s) URL, brackets removed from IPv6 literals. */
static int
url_host(const char *url, char *host, size_t n)
{
	const char *p = strstr(url, "://"), *end;

	if (!p || (!fd_str_starts(url, "http://") && !fd_str_starts(url, "https://")))
		return -1;
	p += 3;
	if (*p == '[') {
		end = strchr(++p, ']');
		if (!end)
			return -1;
	} else {
		end = p + strcspn(p, ":/?#");
	}
	if (end == p || (size_t)(end - p) >= n)
		return -1;
	memcpy(host, p, (size_t)(end - p));
	host[end - p] = '\0';
	return 0;
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI may only point at loopback or the container
 * agent addresses, so a stray variable cannot send the token elsewhere. */
static int
container_host_allowed(const char *url)
{
	char host[256];
	struct in_addr a4;
	struct in6_addr a6, ecs6;

	if (url_host(url, host, sizeof(host)) != 0)
		return 0;
	if (fd_str_case_eq(host, "localhost") || strcmp(host, "169.254.170.2") == 0 ||
	    strcmp(host, "169.254.170.23") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) != 1 || inet_pton(AF_INET6, "fd00:ec2::23", &ecs6) != 1)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&a6) || memcmp(&a6, &ecs6, sizeof(a6)) == 0;
}

static enum fd_status
container_auth(char **header, struct fd_err *err)
{
	const char *file = creds_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = creds_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct fd_buf b;
	enum fd_status st = FD_OK;

	*header = NULL;
	fd_buf_init(&b);
	if (file && fd_read_file(file, TOKEN_FILE_MAX, &b, err) != FD_OK) {
		fd_err_prefix(err, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
		st = FD_ECREDS;
	} else if (!file && tok) {
		fd_buf_puts(&b, tok);
	}
	while (st == FD_OK && b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (st == FD_OK && b.data && strpbrk(b.data, "\r\n"))
		st = fd_err_set(err, FD_ECREDS,
		                "the container authorization token has a line break");
	if (st == FD_OK && b.len)
		*header = fd_xasprintf("Authorization: %s", b.data);
	fd_buf_secure_free(&b);
	return st;
}

static enum fd_status
creds_from_json_body(const struct fd_buf *body, const char *what, struct aws_creds *out,
                     struct fd_err *err)
{
	cJSON *doc = creds_json_parse(body->data ? body->data : "", body->len);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "Code");
	enum fd_status st;

	if (!doc)
		st = fd_err_set(err, FD_ECREDS, "%s: the answer is not JSON", what);
	else if (cJSON_IsString(code) && strcmp(code->valuestring, "Success") != 0)
		st = fd_err_set(err, FD_ECREDS, "%s: Code is not Success", what);
	else
		st = creds_from_json(doc, "Token", what, out, err);
	creds_json_free(doc);
	return st;
}

static enum fd_status
container_fetch(const char *url, const char *auth, struct aws_creds *out, struct fd_err *err)
{
	const char *hdrs[1] = {auth};
	struct fd_buf body;
	long status = 0;
	enum fd_status st = FD_EHTTP;
	int i;

	fd_buf_init(&body);
	for (i = 0; i < CONTAINER_ATTEMPTS; i++) {
		st = get_direct("GET", url, hdrs, auth ? 1 : 0, CONTAINER_TIMEOUT_MS, &status,
		                &body, err);
		if ((st == FD_OK && status < 500) ||
		    (st != FD_OK && st != FD_EHTTP && st != FD_ETIMEOUT))
			break;
	}
	if (st == FD_OK && status != 200)
		st = fd_err_set(err, FD_ECREDS, "HTTP %ld", status);
	if (st == FD_OK)
		st = creds_from_json_body(&body, "container", out, err);
	fd_buf_secure_free(&body);
	return st;
}

enum fd_status
creds_from_container(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                     struct fd_err *err)
{
	const char *rel = creds_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = creds_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	char *url = NULL, *auth = NULL;
	enum fd_status st;

	(void)ctx;
	(void)profile;
	if (!rel && !full)
		return FD_ENOTFOUND;
	if (rel)
		url = fd_xasprintf("%s%s%s", CONTAINER_HOST, rel[0] == '/' ? "" : "/", rel);
	else if (container_host_allowed(full))
		url = fd_xstrdup(full);
	else
		return fd_err_set(err, FD_ECREDS,
		                  "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must "
		                  "use a loopback address, 169.254.170.2, 169.254.170.23 or "
		                  "fd00:ec2::23");
	st = container_auth(&auth, err);
	if (st == FD_OK)
		st = container_fetch(url, auth, out, err);
	if (st != FD_OK)
		fd_err_prefix(err, "container credentials");
	fd_secure_free(auth);
	free(url);
	return st;
}

static char *
imds_base(const struct creds_ctx *ctx, const char *profile)
{
	const char *v = creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	char *base;
	size_t n;

	if (!v)
		v = aws_settings_profile_value(ctx->s, profile, "ec2_metadata_service_endpoint");
	if (!mode)
		mode = aws_settings_profile_value(ctx->s, profile,
		                                  "ec2_metadata_service_endpoint_mode");
	if (!v || !*v)
		v = fd_str_case_eq(mode, "IPv6") ? IMDS_DEFAULT_V6 : IMDS_DEFAULT;
	base = fd_xstrdup(v);
	n = strlen(base);
	while (n && base[n - 1] == '/')
		base[--n] = '\0';
	return base;
}

/* Returns FD_ENOTFOUND when IMDS does not answer (not on EC2) or has no role. */
static enum fd_status
imds_get(const char *base, const char *path, const char *token_hdr, struct fd_buf *body,
         struct fd_err *err)
{
	const char *hdrs[1] = {token_hdr};
	char *url = fd_xasprintf("%s%s", base, path);
	long status = 0;
	enum fd_status st =
	    get_direct("GET", url, hdrs, 1, 2 * IMDS_CONNECT_MS, &status, body, err);

	if (st == FD_OK && status == 404)
		st = FD_ENOTFOUND;
	else if (st == FD_OK && status != 200)
		st = fd_err_set(err, FD_ECREDS, "IMDS %s: HTTP %ld", path, status);
	free(url);
	return st;
}

static enum fd_status
imds_token(const char *base, char **token_hdr, struct fd_err *err)
{
	const char *hdrs[1] = {"x-aws-ec2-metadata-token-ttl-seconds: " IMDS_TOKEN_TTL};
	char *url = fd_xasprintf("%s/latest/api/token", base);
	struct fd_buf body;
	long status = 0;
	enum fd_status st;

	fd_buf_init(&body);
	st = get_direct("PUT", url, hdrs, 1, IMDS_CONNECT_MS, &status, &body, err);
	if (st != FD_OK || status != 200 || !body.len || strpbrk(body.data, "\r\n"))
		st = FD_ENOTFOUND;
	else
		*token_hdr = fd_xasprintf("x-aws-ec2-metadata-token: %s", body.data);
	fd_buf_secure_free(&body);
	free(url);
	return st;
}

static enum fd_status
imds_role_creds(const char *base, const char *token_hdr, struct aws_creds *out, struct fd_err *err)
{
	const char *dir = "/latest/meta-data/iam/security-credentials/";
	struct fd_buf body;
	char role[128], *path = NULL, what[180];
	enum fd_status st;

	fd_buf_init(&body);
	st = imds_get(base, dir, token_hdr, &body, err);
	if (st == FD_OK) {
		size_t n = strcspn(body.data, "\r\n");
		if (n == 0 || n >= sizeof(role) ||
		    strspn(body.data, "abcdefghijklmnopqrstuvwxyz"
		                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                      "0123456789+=,.@_-") < n)
			st = fd_err_set(err, FD_ECREDS, "IMDS: unexpected role name");
		else
			fd_strlcpy(role, body.data, n + 1);
	}
	if (st == FD_OK) {
		path = fd_xasprintf("%s%s", dir, role);
		st = imds_get(base, path, token_hdr, &body, err);
	}
	if (st == FD_OK) {
		snprintf(what, sizeof(what), "IMDS (role %s)", role);
		st = creds_from_json_body(&body, what, out, err);
	}
	free(path);
	fd_buf_secure_free(&body);
	return st;
}

enum fd_status
creds_from_imds(struct creds_ctx *ctx, const char *profile, struct aws_creds *out,
                struct fd_err *err)
{
	const char *off = creds_env("AWS_EC2_METADATA_DISABLED");
	char *base, *token_hdr = NULL;
	struct fd_err ignored;
	enum fd_status st;

	if (off && fd_str_case_eq(off, "true"))
		return FD_ENOTFOUND;
	base = imds_base(ctx, profile);
	st = imds_token(base, &token_hdr, &ignored);
	if (st == FD_OK)
		st = imds_role_creds(base, token_hdr, out, err);
	fd_secure_free(token_hdr);
	free(base);
	return st;
}
