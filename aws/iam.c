/* iam.c - IAM over the query protocol (POST / form, XML answers): the read-only calls
 * behind the execution-role checks, and their answers as plain records. Policy
 * documents arrive percent-encoded; they are decoded here and parsed by policy.c. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/xml.h"

#define IAM_PAGE_ITEMS "100"
#define IAM_MAX_NAME 1024 /* names and ARNs far beyond IAM's own limits are refused */

static const char *const kind_names[] = {
    [IAM_POLICY_INLINE] = "inline",
    [IAM_POLICY_MANAGED] = "managed",
    [IAM_POLICY_AWS_MANAGED] = "aws-managed",
};

const char *
iam_policy_kind_name(enum iam_policy_kind k)
{
	return (unsigned)k < FD_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

void
iam_policy_clear(struct iam_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->arn);
	free(p->version);
	free(p->document);
	free(p->error);
	fd_policy_free(&p->doc);
	memset(p, 0, sizeof(*p));
}

void
iam_role_clear(struct iam_role *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->npolicies; i++)
		iam_policy_clear(&r->policies[i]);
	free(r->policies);
	free(r->arn);
	free(r->name);
	free(r->path);
	free(r->role_id);
	free(r->created);
	free(r->last_used);
	free(r->trust_document);
	free(r->error);
	fd_policy_free(&r->trust);
	memset(r, 0, sizeof(*r));
}

void
iam_roles_free(struct iam_role *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		iam_role_clear(&r[i]);
	free(r);
}

void
iam_policy_load_doc(struct iam_policy *p)
{
	struct fd_err err = {FD_OK, ""};

	fd_policy_free(&p->doc);
	if (!p->document)
		return;
	if (fd_policy_parse(p->document, strlen(p->document), &p->doc, &err) != FD_OK) {
		free(p->error);
		p->error = fd_xstrdup(err.msg);
	}
}

int
iam_role_name_from_arn(const char *arn, char *out, size_t n)
{
	const char *res, *slash;
	int colons = 0;

	if (!arn || !fd_str_starts(arn, "arn:"))
		return 0;
	for (res = arn; *res && colons < 5; res++)
		colons += *res == ':';
	if (colons < 5 || !fd_str_starts(res, "role/"))
		return 0;
	slash = strrchr(res, '/');
	if (!slash[1] || strlen(slash + 1) >= n)
		return 0;
	fd_strlcpy(out, slash + 1, n);
	return 1;
}

int
iam_policy_arn_is_aws_managed(const char *arn)
{
	const char *p = arn && fd_str_starts(arn, "arn:") ? strchr(arn + 4, ':') : NULL;

	return p && fd_str_starts(p, ":iam::aws:policy/");
}

/* ---- requests ---- */

static void
iam_request(struct aws_request *r, const char *op)
{
	aws_request_init(r, AWS_SVC_IAM, op);
	aws_request_form(r, NULL, NULL);
}

void
iam_get_role_request(struct aws_request *r, const char *role)
{
	iam_request(r, "GetRole");
	aws_request_form(r, "RoleName", role);
}

static void
list_request(struct aws_request *r, const char *op, const char *role, const char *marker)
{
	iam_request(r, op);
	if (marker)
		aws_request_form(r, "Marker", marker);
	aws_request_form(r, "MaxItems", IAM_PAGE_ITEMS);
	aws_request_form(r, "RoleName", role);
}

void
iam_list_role_policies_request(struct aws_request *r, const char *role, const char *marker)
{
	list_request(r, "ListRolePolicies", role, marker);
}

void
iam_list_attached_request(struct aws_request *r, const char *role, const char *marker)
{
	list_request(r, "ListAttachedRolePolicies", role, marker);
}

void
iam_get_role_policy_request(struct aws_request *r, const char *role, const char *policy)
{
	iam_request(r, "GetRolePolicy");
	aws_request_form(r, "PolicyName", policy);
	aws_request_form(r, "RoleName", role);
}

void
iam_get_policy_request(struct aws_request *r, const char *arn)
{
	iam_request(r, "GetPolicy");
	aws_request_form(r, "PolicyArn", arn);
}

void
iam_get_policy_version_request(struct aws_request *r, const char *arn, const char *version)
{
	iam_request(r, "GetPolicyVersion");
	aws_request_form(r, "PolicyArn", arn);
	aws_request_form(r, "VersionId", version);
}

/* ---- answers ---- */

static enum fd_status
error_answer(const struct xml_node *root, struct fd_err *err)
{
	const char *code = xml_path_text(root, "Error/Code");
	const char *msg = xml_path_text(root, "Error/Message");
	char *c, *m;

	if (!code || !*code)
		return fd_err_set(err, FD_EPARSE, "IAM answer: error without a code");
	c = fd_sanitize_dup(code);
	m = fd_sanitize_dup(msg ? msg : "");
	fd_err_set(err, FD_EAWS, "%.100s%s%.400s", c, *m ? ": " : "", m);
	free(c);
	free(m);
	return FD_EAWS;
}

/* Parses the answer of op and finds <opResult>. */
static enum fd_status
parse_result(const char *xml, size_t len, const char *op, struct xml_node **root,
             const struct xml_node **result, struct fd_err *err)
{
	char want[96];
	enum fd_status st = xml_parse(xml, len, root, err);

	if (st != FD_OK) {
		fd_err_prefix(err, "IAM %s answer", op);
		return st;
	}
	if (strcmp((*root)->name, "ErrorResponse") == 0)
		return error_answer(*root, err);
	snprintf(want, sizeof(want), "%sResponse", op);
	if (strcmp((*root)->name, want) != 0)
		return fd_err_set(err, FD_EPARSE, "IAM %s answer: unexpected root element", op);
	snprintf(want, sizeof(want), "%sResult", op);
	*result = xml_child(*root, want);
	if (!*result)
		return fd_err_set(err, FD_EPARSE, "IAM %s answer: no <%s>", op, want);
	return FD_OK;
}

static char *
dup_field(const struct xml_node *n, const char *path)
{
	const char *v = xml_path_text(n, path);

	return v && *v && strlen(v) < IAM_MAX_NAME ? fd_xstrdup(v) : NULL;
}

/* Percent-decodes a policy document (left as is when it is not encoded). */
static enum fd_status
decode_document(const char *text, const char *what, char **out, struct fd_err *err)
{
	struct fd_buf b;

	if (!text || !*text)
		return fd_err_set(err, FD_EPARSE, "IAM answer: no %s", what);
	if (strlen(text) > FD_POLICY_MAX_BYTES)
		return fd_err_set(err, FD_EPARSE, "IAM answer: %s too large", what);
	fd_buf_init(&b);
	if (text[strspn(text, " \t\r\n")] != '%') {
		*out = fd_xstrdup(text);
		return FD_OK;
	}
	if (fd_policy_url_decode(text, strlen(text), &b) != 0) {
		fd_buf_free(&b);
		return fd_err_set(err, FD_EPARSE, "IAM answer: %s is badly percent-encoded", what);
	}
	*out = fd_buf_steal(&b);
	return FD_OK;
}

static enum fd_status
role_fields(const struct xml_node *role, struct iam_role *out, struct fd_err *err)
{
	struct fd_err perr = {FD_OK, ""};
	enum fd_status st;

	out->arn = dup_field(role, "Arn");
	out->name = dup_field(role, "RoleName");
	if (!out->arn || !out->name)
		return fd_err_set(err, FD_EPARSE, "IAM GetRole answer: no Arn or RoleName");
	out->path = dup_field(role, "Path");
	out->role_id = dup_field(role, "RoleId");
	out->created = dup_field(role, "CreateDate");
	out->last_used = dup_field(role, "RoleLastUsed/LastUsedDate");
	st = decode_document(xml_path_text(role, "AssumeRolePolicyDocument"),
	                     "AssumeRolePolicyDocument", &out->trust_document, err);
	if (st != FD_OK)
		return st;
	if (fd_policy_parse(out->trust_document, strlen(out->trust_document), &out->trust, &perr) !=
	    FD_OK)
		return fd_err_set(err, FD_EPARSE, "IAM GetRole answer: trust policy: %s", perr.msg);
	return FD_OK;
}

enum fd_status
iam_parse_get_role(const char *xml, size_t len, struct iam_role *out, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL, *role;
	enum fd_status st;

	memset(out, 0, sizeof(*out));
	st = parse_result(xml, len, "GetRole", &root, &res, err);
	if (st == FD_OK) {
		role = xml_child(res, "Role");
		st = role ? role_fields(role, out, err)
		          : fd_err_set(err, FD_EPARSE, "IAM GetRole answer: no <Role>");
	}
	if (st != FD_OK)
		iam_role_clear(out);
	xml_free(root);
	return st;
}

/* IsTruncated + Marker -> the next marker, or NULL at the end. */
static enum fd_status
next_marker(const struct xml_node *res, const char *op, char **marker, struct fd_err *err)
{
	const char *trunc = xml_path_text(res, "IsTruncated");

	*marker = NULL;
	if (!trunc || strcmp(trunc, "true") != 0)
		return FD_OK;
	*marker = dup_field(res, "Marker");
	if (!*marker)
		return fd_err_set(err, FD_EPARSE, "IAM %s answer: truncated without a Marker", op);
	return FD_OK;
}

enum fd_status
iam_parse_list_role_policies(const char *xml, size_t len, char ***names, size_t *n, char **marker,
                             struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL, *it, *list;
	enum fd_status st = parse_result(xml, len, "ListRolePolicies", &root, &res, err);

	*marker = NULL;
	list = st == FD_OK ? xml_child(res, "PolicyNames") : NULL;
	for (it = list ? list->child : NULL; it; it = it->next) {
		if (strcmp(it->name, "member") != 0 || !*it->text ||
		    strlen(it->text) >= IAM_MAX_NAME)
			continue;
		*names = fd_xreallocarray(*names, *n + 1, sizeof(**names));
		(*names)[(*n)++] = fd_xstrdup(it->text);
	}
	if (st == FD_OK)
		st = next_marker(res, "ListRolePolicies", marker, err);
	xml_free(root);
	return st;
}

static void
attached_one(const struct xml_node *m, struct iam_policy **out, size_t *n)
{
	char *name = dup_field(m, "PolicyName"), *arn = dup_field(m, "PolicyArn");
	struct iam_policy *p;

	if (!name || !arn) {
		free(name);
		free(arn);
		return;
	}
	*out = fd_xreallocarray(*out, *n + 1, sizeof(**out));
	p = &(*out)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->arn = arn;
	p->kind = iam_policy_arn_is_aws_managed(arn) ? IAM_POLICY_AWS_MANAGED : IAM_POLICY_MANAGED;
}

enum fd_status
iam_parse_list_attached(const char *xml, size_t len, struct iam_policy **out, size_t *n,
                        char **marker, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL, *it, *list;
	enum fd_status st = parse_result(xml, len, "ListAttachedRolePolicies", &root, &res, err);

	*marker = NULL;
	list = st == FD_OK ? xml_child(res, "AttachedPolicies") : NULL;
	for (it = list ? list->child : NULL; it; it = it->next)
		if (strcmp(it->name, "member") == 0)
			attached_one(it, out, n);
	if (st == FD_OK)
		st = next_marker(res, "ListAttachedRolePolicies", marker, err);
	xml_free(root);
	return st;
}

enum fd_status
iam_parse_get_role_policy(const char *xml, size_t len, char **document, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL;
	enum fd_status st = parse_result(xml, len, "GetRolePolicy", &root, &res, err);

	*document = NULL;
	if (st == FD_OK)
		st = decode_document(xml_path_text(res, "PolicyDocument"), "PolicyDocument",
		                     document, err);
	xml_free(root);
	return st;
}

enum fd_status
iam_parse_get_policy(const char *xml, size_t len, char **default_version, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL;
	enum fd_status st = parse_result(xml, len, "GetPolicy", &root, &res, err);

	*default_version = NULL;
	if (st == FD_OK) {
		*default_version = dup_field(res, "Policy/DefaultVersionId");
		if (!*default_version)
			st =
			    fd_err_set(err, FD_EPARSE, "IAM GetPolicy answer: no DefaultVersionId");
	}
	xml_free(root);
	return st;
}

enum fd_status
iam_parse_get_policy_version(const char *xml, size_t len, char **document, struct fd_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *res = NULL;
	enum fd_status st = parse_result(xml, len, "GetPolicyVersion", &root, &res, err);

	*document = NULL;
	if (st == FD_OK)
		st = decode_document(xml_path_text(res, "PolicyVersion/Document"), "Document",
		                     document, err);
	xml_free(root);
	return st;
}
