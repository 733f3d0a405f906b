/* sts.c - STS GetCallerIdentity and the XML answers of the AssumeRole family. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/sanitize.h"
#include "fleetdeck/sts.h"
#include "fleetdeck/util.h"
#include "fleetdeck/xml.h"

/* Credential fields are opaque tokens: printable ASCII only, bounded. */
static int
token_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~' || i >= max)
			return 0;
	return s && i > 0;
}

static enum fd_status
copy_field(const struct xml_node *n, const char *path, char *out, size_t size, struct fd_err *err)
{
	const char *v = xml_path_text(n, path);

	if (!v || !*v || strlen(v) >= size)
		return fd_err_set(err, FD_EPARSE, "STS answer: missing or oversized <%s>", path);
	fd_strlcpy(out, v, size);
	return FD_OK;
}

enum fd_status
sts_parse_error(const char *xml, size_t len, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const char *code, *msg;
	char *c = NULL, *m = NULL;
	enum fd_status st = FD_EPARSE;

	if (xml_parse(xml, len, &root, NULL) != FD_OK || strcmp(root->name, "ErrorResponse") != 0)
		goto out;
	code = xml_path_text(root, "Error/Code");
	msg = xml_path_text(root, "Error/Message");
	if (!code || !*code)
		goto out;
	c = fd_sanitize_dup(code);
	m = fd_sanitize_dup(msg ? msg : "");
	st = fd_err_set(err, FD_EAWS, "%.100s%s%.400s", c, *m ? ": " : "", m);
out:
	if (st == FD_EPARSE)
		fd_err_set(err, FD_EPARSE, "STS answer is not an XML error document");
	free(c);
	free(m);
	xml_free(root);
	return st;
}

/* Parses xml and checks the root is <NameResponse> (or reports <ErrorResponse>). */
static enum fd_status
parse_answer(const char *xml, size_t len, const char *want_root, struct xml_node **root,
             struct fd_err *err)
{
	enum fd_status st = xml_parse(xml, len, root, err);

	if (st != FD_OK) {
		fd_err_prefix(err, "STS answer");
		return st;
	}
	if (strcmp((*root)->name, "ErrorResponse") == 0) {
		xml_free(*root);
		*root = NULL;
		return sts_parse_error(xml, len, err);
	}
	if (want_root ? strcmp((*root)->name, want_root) == 0
	              : fd_str_ends((*root)->name, "Response"))
		return FD_OK;
	xml_free(*root);
	*root = NULL;
	return fd_err_set(err, FD_EPARSE, "STS answer: unexpected root element");
}

enum fd_status
sts_parse_identity(const char *xml, size_t len, struct sts_identity *out, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	st = parse_answer(xml, len, "GetCallerIdentityResponse", &root, err);
	if (st != FD_OK)
		return st;
	res = xml_child(root, "GetCallerIdentityResult");
	st = copy_field(res, "Account", out->account, sizeof(out->account), err);
	if (st == FD_OK)
		st = copy_field(res, "Arn", out->arn, sizeof(out->arn), err);
	if (st == FD_OK)
		st = copy_field(res, "UserId", out->user_id, sizeof(out->user_id), err);
	if (st != FD_OK)
		memset(out, 0, sizeof(*out));
	xml_free(root);
	return st;
}

/* "arn:aws:sts::123456789012:assumed-role/r/s" -> "123456789012". */
static void
account_from_arn(const char *arn, char *out, size_t size)
{
	const char *p = arn;
	size_t len;
	int i;

	out[0] = '\0';
	for (i = 0; p && i < 4; i++) {
		p = strchr(p, ':');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return;
	len = strcspn(p, ":");
	if (len > 0 && len < size && len == strspn(p, "0123456789"))
		fd_strlcpy(out, p, len + 1);
}

static enum fd_status
fill_creds(const struct xml_node *res, struct aws_creds *out, struct fd_err *err)
{
	const struct xml_node *c = xml_child(res, "Credentials");
	const char *ak = xml_path_text(c, "AccessKeyId");
	const char *sk = xml_path_text(c, "SecretAccessKey");
	const char *tok = xml_path_text(c, "SessionToken");
	const char *exp = xml_path_text(c, "Expiration");
	time_t when;

	if (!c)
		return fd_err_set(err, FD_EPARSE, "STS answer: no <Credentials>");
	if (!token_ok(ak, 128) || !token_ok(sk, 512) || !token_ok(tok, 16384))
		return fd_err_set(err, FD_EPARSE, "STS answer: missing or malformed credentials");
	when = fd_parse_iso8601(exp);
	if (when <= 0)
		return fd_err_set(err, FD_EPARSE, "STS answer: bad <Expiration>");
	out->access_key = fd_xstrdup(ak);
	out->secret_key = fd_xstrdup(sk);
	out->session_token = fd_xstrdup(tok);
	out->expiration = when;
	fd_strlcpy(out->source, "sts", sizeof(out->source));
	account_from_arn(xml_path_text(res, "AssumedRoleUser/Arn"), out->account_id,
	                 sizeof(out->account_id));
	return FD_OK;
}

enum fd_status
sts_parse_credentials(const char *xml, size_t len, struct aws_creds *out, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL, *n;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	st = parse_answer(xml, len, NULL, &root, err);
	if (st != FD_OK)
		return st;
	for (n = root->child; n && !res; n = n->next)
		if (fd_str_ends(n->name, "Result"))
			res = n;
	st = res ? fill_creds(res, out, err)
	         : fd_err_set(err, FD_EPARSE, "STS answer: no <...Result> element");
	xml_free(root);
	return st;
}

static void
identity_error(struct aws_error *err, enum fd_status st, const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->status = st;
	err->retry_after_ms = -1;
	fd_strlcpy(err->service, "STS", sizeof(err->service));
	fd_strlcpy(err->op, "GetCallerIdentity", sizeof(err->op));
	fd_strlcpy(err->message, msg, sizeof(err->message));
}

enum fd_status
sts_get_caller_identity(struct aws_client *c, struct sts_identity *out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct fd_err perr;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	fd_err_clear(&perr);
	aws_request_init(&req, AWS_SVC_STS, "GetCallerIdentity");
	aws_request_form(&req, NULL, NULL);
	st = aws_call_sync(c, &req, &resp);
	if (st == FD_OK && resp.error.status == FD_OK)
		st = sts_parse_identity(resp.body.data ? resp.body.data : "", resp.body.len, out,
		                        &perr);
	if (resp.error.status != FD_OK)
		*err = resp.error;
	else if (st != FD_OK)
		identity_error(err, st, perr.msg[0] ? perr.msg : fd_status_str(st));
	else
		identity_error(err, FD_OK, "");
	st = err->status;
	aws_request_free(&req);
	aws_response_free(&resp);
	return st;
}
