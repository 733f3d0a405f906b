/* test_iam.c - IAM: the query-protocol requests and XML answers, the global endpoint,
 * the least-privilege checks on fixtures (one positive and one negative each), and
 * against the simulator: the role loader (each distinct role once, managed documents
 * by ARN + version, the cache), failures kept per role, and every check on the seeded
 * fleet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/endpoint.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/model.h"
#include "fleetdeck/risks.h"
#include "test.h"
#include "test_aws_sim.h"

/* ---- requests, endpoint ---- */

TEST(iam_requests_are_query_protocol)
{
	struct aws_request r;

	iam_get_policy_version_request(&r, "arn:aws:iam::aws:policy/AdministratorAccess", "v1");
	CHECK_INT(r.svc, AWS_SVC_IAM);
	CHECK_STR(r.op, "GetPolicyVersion");
	CHECK_STR(r.body.data, "Action=GetPolicyVersion&Version=2010-05-08&PolicyArn=arn%3Aaws%3A"
	                       "iam%3A%3Aaws%3Apolicy%2FAdministratorAccess&VersionId=v1");
	CHECK_CONTAINS(aws_kv_find(r.headers, r.nheaders, "Content-Type"),
	               "application/x-www-form-urlencoded");
	aws_request_free(&r);
	iam_list_attached_request(&r, "app-role", "bWFya2Vy");
	CHECK_CONTAINS(r.body.data, "Marker=bWFya2Vy&MaxItems=100&RoleName=app-role");
	aws_request_free(&r);
}

TEST(iam_global_endpoint)
{
	struct aws_settings s;
	struct aws_endpoint ep;
	struct fd_err err = {FD_OK, ""};

	memset(&s, 0, sizeof(s));
	s.region = (char *)"eu-west-1";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_IAM, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.url, "https://iam.amazonaws.com");
	CHECK_STR(ep.signing_region, "us-east-1");
	s.region = (char *)"cn-north-1";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_IAM, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.host, "iam.cn-north-1.amazonaws.com.cn");
	CHECK_STR(ep.signing_region, "cn-north-1");
	s.region = (char *)"us-gov-east-1";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_IAM, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.host, "iam.us-gov.amazonaws.com");
	CHECK_STR(ep.signing_region, "us-gov-west-1");
	/* the other new services stay regional */
	s.region = (char *)"eu-west-1";
	REQUIRE(aws_endpoint_resolve(&s, AWS_SVC_SECRETS, NULL, &ep, &err) == FD_OK);
	CHECK_STR(ep.host, "secretsmanager.eu-west-1.amazonaws.com");
	CHECK_STR(aws_service_get(AWS_SVC_SSM)->env_suffix, "SSM");
	CHECK_STR(aws_service_get(AWS_SVC_SECRETS)->env_suffix, "SECRETS_MANAGER");
	CHECK_STR(aws_service_get(AWS_SVC_IAM)->api_version, "2010-05-08");
}

TEST(iam_names_from_arns)
{
	char name[64];

	CHECK(iam_role_name_from_arn("arn:aws:iam::123:role/service-role/app-role", name,
	                             sizeof(name)));
	CHECK_STR(name, "app-role");
	CHECK(iam_role_name_from_arn("arn:aws-cn:iam::123:role/x", name, sizeof(name)));
	CHECK_STR(name, "x");
	CHECK(!iam_role_name_from_arn("arn:aws:iam::123:user/x", name, sizeof(name)));
	CHECK(!iam_role_name_from_arn("app-role", name, sizeof(name)));
	CHECK(!iam_role_name_from_arn("arn:aws:iam::123:role/", name, sizeof(name)));
	CHECK(iam_policy_arn_is_aws_managed("arn:aws:iam::aws:policy/AdministratorAccess"));
	CHECK(iam_policy_arn_is_aws_managed("arn:aws-us-gov:iam::aws:policy/x/ReadOnlyAccess"));
	CHECK(!iam_policy_arn_is_aws_managed("arn:aws:iam::123456789012:policy/aws"));
}

/* ---- answers ---- */

#define NS "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""

TEST(iam_parse_get_role_decodes_trust)
{
	const char *xml =
	    "<GetRoleResponse " NS "><GetRoleResult><Role><Path>/service-role/</Path>"
	    "<Arn>arn:aws:iam::123456789012:role/service-role/app</Arn><RoleName>app</RoleName>"
	    "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A"
	    "%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda."
	    "amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	    "</AssumeRolePolicyDocument><CreateDate>2025-01-02T03:04:05Z</CreateDate>"
	    "<RoleId>AROAEXAMPLE</RoleId><RoleLastUsed><LastUsedDate>2026-12-01T00:00:00Z"
	    "</LastUsedDate></RoleLastUsed></Role></GetRoleResult></GetRoleResponse>";
	struct iam_role r;
	struct fd_err err = {FD_OK, ""};

	REQUIRE(iam_parse_get_role(xml, strlen(xml), &r, &err) == FD_OK);
	CHECK_STR(r.name, "app");
	CHECK_STR(r.path, "/service-role/");
	CHECK_STR(r.role_id, "AROAEXAMPLE");
	CHECK_STR(r.last_used, "2026-12-01T00:00:00Z");
	CHECK_CONTAINS(r.trust_document, "\"Service\":\"lambda.amazonaws.com\"");
	REQUIRE(r.trust.n == 1);
	CHECK_STR(r.trust.stmts[0].principals[0], "Service:lambda.amazonaws.com");
	iam_role_clear(&r);
}

TEST(iam_parse_lists_and_markers)
{
	const char *inl = "<ListRolePoliciesResponse " NS "><ListRolePoliciesResult><PolicyNames>"
	                  "<member>a</member><member>b&amp;c</member></PolicyNames>"
	                  "<IsTruncated>true</IsTruncated><Marker>m2</Marker>"
	                  "</ListRolePoliciesResult></ListRolePoliciesResponse>";
	const char *att =
	    "<ListAttachedRolePoliciesResponse " NS "><ListAttachedRolePoliciesResult>"
	    "<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>"
	    "arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member><member><PolicyName>"
	    "mine</PolicyName><PolicyArn>arn:aws:iam::1:policy/mine</PolicyArn></member>"
	    "<member><PolicyName>no-arn</PolicyName></member></AttachedPolicies>"
	    "<IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult>"
	    "</ListAttachedRolePoliciesResponse>";
	const char *cut = "<ListRolePoliciesResponse><ListRolePoliciesResult><PolicyNames/>"
	                  "<IsTruncated>true</IsTruncated></ListRolePoliciesResult>"
	                  "</ListRolePoliciesResponse>";
	struct iam_policy *p = NULL;
	char **names = NULL, *marker = NULL;
	size_t n = 0, np = 0, i;
	struct fd_err err = {FD_OK, ""};

	REQUIRE(iam_parse_list_role_policies(inl, strlen(inl), &names, &n, &marker, &err) == FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(names[1], "b&c");
	CHECK_STR(marker, "m2");
	free(marker);
	REQUIRE(iam_parse_list_attached(att, strlen(att), &p, &np, &marker, &err) == FD_OK);
	REQUIRE(np == 2);
	CHECK(marker == NULL);
	CHECK_INT(p[0].kind, IAM_POLICY_AWS_MANAGED);
	CHECK_INT(p[1].kind, IAM_POLICY_MANAGED);
	CHECK_INT(iam_parse_list_role_policies(cut, strlen(cut), &names, &n, &marker, &err),
	          FD_EPARSE);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (i = 0; i < np; i++)
		iam_policy_clear(&p[i]);
	free(p);
}

TEST(iam_parse_documents_and_errors)
{
	const char *ver = "<GetPolicyVersionResponse " NS "><GetPolicyVersionResult><PolicyVersion>"
	                  "<Document>%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22"
	                  "Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D</Document>"
	                  "<VersionId>v3</VersionId></PolicyVersion></GetPolicyVersionResult>"
	                  "</GetPolicyVersionResponse>";
	const char *pol = "<GetPolicyResponse><GetPolicyResult><Policy><DefaultVersionId>v7"
	                  "</DefaultVersionId></Policy></GetPolicyResult></GetPolicyResponse>";
	const char *err_xml = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
	                      "<Message>not \x1b[31mallowed</Message></Error></ErrorResponse>";
	const char *other = "<GetRolePolicyResponse><Wrong/></GetRolePolicyResponse>";
	struct fd_err err = {FD_OK, ""};
	char *doc = NULL, *v = NULL;

	REQUIRE(iam_parse_get_policy_version(ver, strlen(ver), &doc, &err) == FD_OK);
	CHECK_STR(doc,
	          "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}");
	free(doc);
	REQUIRE(iam_parse_get_policy(pol, strlen(pol), &v, &err) == FD_OK);
	CHECK_STR(v, "v7");
	free(v);
	CHECK_INT(iam_parse_get_role_policy(err_xml, strlen(err_xml), &doc, &err), FD_EAWS);
	CHECK_CONTAINS(err.msg, "AccessDenied: not ^[[31mallowed");
	CHECK_INT(iam_parse_get_role_policy(other, strlen(other), &doc, &err), FD_EPARSE);
	CHECK_INT(iam_parse_get_policy("<x", 2, &v, &err), FD_EPARSE);
}

/* ---- the checks on fixtures ---- */

struct fx {
	struct fd_function fn;
	struct iam_role role;
	struct fd_iam_facts facts;
	struct fd_risk *risks;
	size_t n;
};

static void
fx_policy(struct fx *x, enum iam_policy_kind kind, const char *name, const char *doc)
{
	struct iam_policy *p;

	x->role.policies =
	    fd_xreallocarray(x->role.policies, x->role.npolicies + 1, sizeof(*x->role.policies));
	p = &x->role.policies[x->role.npolicies++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->name = fd_xstrdup(name);
	p->document = doc ? fd_xstrdup(doc) : NULL;
	iam_policy_load_doc(p);
	CHECK(p->error == NULL);
}

static void
fx_init(struct fx *x, const char *trust)
{
	struct fd_err err = {FD_OK, ""};

	memset(x, 0, sizeof(*x));
	x->fn.name = fd_xstrdup("fn");
	x->fn.role = fd_xstrdup("arn:aws:iam::1:role/r");
	x->fn.reserved_concurrency = -1;
	x->role.arn = fd_xstrdup(x->fn.role);
	x->role.name = fd_xstrdup("r");
	if (!trust)
		trust = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
		        "\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
	CHECK(fd_policy_parse(trust, strlen(trust), &x->role.trust, &err) == FD_OK);
	x->facts.role = &x->role;
}

static const struct fd_risk *
fx_eval(struct fx *x, const char *check)
{
	return fx_risk_eval(&x->fn, &x->facts, &x->risks, &x->n, check);
}

static void
fx_free(struct fx *x)
{
	fd_risks_free(x->risks, x->n);
	fd_function_free(&x->fn);
	iam_role_clear(&x->role);
}

TEST(check_iam_wildcard_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	fx_policy(&x, IAM_POLICY_INLINE, "ok",
	          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":"
	          "\"arn:aws:s3:::bucket/*\"},{\"Effect\":\"Deny\",\"Action\":\"*\","
	          "\"Resource\":\"*\"}]}");
	CHECK(fx_eval(&x, "iam-wildcard") == NULL); /* scoped resource; a deny is fine */
	fx_policy(
	    &x, IAM_POLICY_INLINE, "bad",
	    "{\"Statement\":[{\"Sid\":\"X\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
	    "\"dynamodb:*\"],\"Resource\":\"*\"}]}");
	r = fx_eval(&x, "iam-wildcard");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "Action \"dynamodb:*\"");
	CHECK_CONTAINS(r->reason, "inline policy \"bad\" statement 1 (Sid \"X\")");
	fx_policy(&x, IAM_POLICY_INLINE, "worse",
	          "{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\","
	          "\"Resource\":\"*\"}}");
	r = fx_eval(&x, "iam-wildcard");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_CRITICAL); /* NotAction on *: everything but iam */
	CHECK_CONTAINS(r->reason, "every action but iam:*");
	CHECK_CONTAINS(r->reason, "(and more statements)");
	fx_free(&x);
}

TEST(check_iam_passrole_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	fx_policy(&x, IAM_POLICY_INLINE, "scoped",
	          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":"
	          "\"arn:aws:iam::1:role/worker\"},{\"Effect\":\"Allow\",\"Action\":\"*\","
	          "\"Resource\":\"*\"}]}");
	CHECK(fx_eval(&x, "iam-passrole-star") == NULL); /* "*" belongs to iam-wildcard */
	fx_policy(&x, IAM_POLICY_MANAGED, "pass",
	          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:Pass*\","
	          "\"Resource\":[\"*\"]}]}");
	r = fx_eval(&x, "iam-passrole-star");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "\"iam:Pass*\"");
	CHECK_CONTAINS(r->reason, "managed policy \"pass\"");
	fx_free(&x);
}

TEST(check_iam_data_write_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	fx_policy(
	    &x, IAM_POLICY_INLINE, "reads",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"dynamodb:Query\","
	    "\"sqs:ReceiveMessage\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":"
	    "\"sns:Publish\",\"Resource\":\"arn:aws:sns:us-east-1:1:topic\"}]}");
	CHECK(fx_eval(&x, "iam-data-write-star") == NULL);
	fx_policy(&x, IAM_POLICY_INLINE, "writes",
	          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:Batch*Item\","
	          "\"kms:Decrypt\"],\"NotResource\":\"arn:aws:dynamodb:*:1:table/admin\"}]}");
	r = fx_eval(&x, "iam-data-write-star");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "dynamodb, kms");
	CHECK_INT(r->severity, FD_SEV_MEDIUM);
	fx_free(&x);
}

TEST(check_iam_managed_broad_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	fx_policy(&x, IAM_POLICY_AWS_MANAGED, "AWSLambdaBasicExecutionRole", NULL);
	fx_policy(&x, IAM_POLICY_MANAGED, "AdministratorAccess", NULL); /* customer: by name only */
	CHECK(fx_eval(&x, "iam-managed-broad") == NULL);
	fx_policy(&x, IAM_POLICY_AWS_MANAGED, "AmazonDynamoDBFullAccess", NULL);
	r = fx_eval(&x, "iam-managed-broad");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_MEDIUM);
	fx_policy(&x, IAM_POLICY_AWS_MANAGED, "PowerUserAccess", NULL);
	r = fx_eval(&x, "iam-managed-broad");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_HIGH);
	CHECK_CONTAINS(r->reason, "AmazonDynamoDBFullAccess, PowerUserAccess");
	fx_free(&x);
}

TEST(check_iam_trust_broad_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	CHECK(fx_eval(&x, "iam-trust-broad") == NULL);
	fx_free(&x);
	fx_init(&x,
	        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
	        "[\"lambda.amazonaws.com\",\"edgelambda.amazonaws.com\"]},\"Action\":"
	        "\"sts:AssumeRole\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
	        "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"x\":\"y\"}}}]}");
	r = fx_eval(&x, "iam-trust-broad");
	REQUIRE(r != NULL);
	CHECK_INT(r->severity, FD_SEV_CRITICAL);
	CHECK_CONTAINS(r->reason, "AWS:*");
	CHECK_CONTAINS(r->reason, "statement 2, with a condition");
	fx_free(&x);
}

TEST(check_iam_role_shared_fixtures)
{
	struct fx x;
	const struct fd_risk *r;

	fx_init(&x, NULL);
	x.fn.detail_loaded = 1;
	CHECK(fx_eval(&x, "iam-role-shared") == NULL);
	x.facts.shared_mix = "a (service pay, team x), b (service ship, team y)";
	r = fx_eval(&x, "iam-role-shared");
	REQUIRE(r != NULL);
	CHECK_CONTAINS(r->reason, "role r is shared across services or teams: a (service pay");
	x.fn.detail_loaded = 0; /* tags unknown: silent */
	CHECK(fx_eval(&x, "iam-role-shared") == NULL);
	fx_free(&x);
}

TEST(checks_silent_without_iam_facts)
{
	struct fx x;

	fx_init(&x, NULL);
	fx_policy(&x, IAM_POLICY_INLINE, "bad",
	          "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
	CHECK(fx_eval(&x, "iam-wildcard") != NULL);
	x.role.error = fd_xstrdup("AccessDenied: no");
	CHECK(fx_eval(&x, "iam-wildcard") == NULL); /* an unreadable role judges nothing */
	x.facts.role = NULL;
	CHECK(fx_eval(&x, "iam-wildcard") == NULL);
	fx_free(&x);
}

TEST(role_statements_grouped_by_service)
{
	struct fx x;
	struct fd_role_stmt *s;
	size_t n, i;

	fx_init(&x, NULL);
	fx_policy(
	    &x, IAM_POLICY_INLINE, "mixed",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"sqs:Send*\","
	    "\"s3:PutObject\"],\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"NotAction\":"
	    "\"logs:*\",\"Resource\":\"*\"}]}");
	n = fd_role_statements(&x.role, &s);
	REQUIRE(n == 3);
	CHECK_STR(s[0].service, "*");
	CHECK(s[0].st->deny);
	CHECK_STR(s[1].service, "s3");
	REQUIRE(s[1].nactions == 2);
	CHECK_STR(s[1].actions[1], "s3:PutObject");
	CHECK_STR(s[2].service, "sqs");
	for (i = 0; i < s[1].nrisks; i++)
		CHECK_STR(s[1].risks[i], "iam-data-write-star");
	CHECK_INT(s[1].nrisks, 1);
	fd_role_statements_free(s, n);
	fx_free(&x);
}

/* ---- against the simulator ---- */

/* A fleet of functions, refreshed with the FD_REFRESH_* bits of refresh. */
static int
fleet_open(struct sim_fleet *x, int functions, unsigned refresh)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"functions\":%d}", functions);
	return sim_fleet_open(x, body, refresh);
}

TEST(iam_sim_each_role_once_then_cache)
{
	struct sim_fleet x;
	struct iam_fetch_stats st;
	struct fd_err err = {FD_OK, ""};
	const struct iam_role *r;

	if (!fleet_open(&x, 60, FD_REFRESH_LIST))
		return;
	REQUIRE(fd_iam_model_refresh_sync(x.m, 0, 0, &st, &err) == FD_OK);
	/* 60 functions share a handful of roles: each is read once */
	CHECK(st.roles > 4 && st.roles < 40);
	CHECK_INT(st.fetched, st.roles);
	CHECK_INT(sim_stat("requests", "iam:GetRole"), (int)st.roles);
	CHECK_INT(sim_stat("requests", "iam:ListAttachedRolePolicies"), (int)st.roles);
	/* AWSLambdaBasicExecutionRole is attached to every role, read once */
	CHECK(sim_stat("requests", "iam:GetPolicyVersion") < (int)st.roles);
	CHECK(st.policy_cache_hits >= st.roles - 1);
	r = fd_iam_model_role(x.m, "reporting-role");
	REQUIRE(r != NULL);
	CHECK_INT(r->npolicies, 3);
	CHECK_STR(r->policies[0].name, "reporting-passrole");
	CHECK_INT(r->policies[0].kind, IAM_POLICY_INLINE);
	CHECK_STR(r->policies[1].version, "v3");
	CHECK(r->policies[1].doc.n == 3); /* the pretty-printed, unusual document */
	CHECK_CONTAINS(r->policies[1].document, "caf\xc3\xa9");
	/* a second run answers from the cache: no IAM call */
	fd_test_sim_control("POST", "stats/reset", "{}", NULL);
	REQUIRE(fd_iam_model_refresh_sync(x.m, 0, 0, &st, &err) == FD_OK);
	CHECK_INT(st.from_cache, st.roles);
	CHECK_INT(sim_stat("requests", "iam:GetRole"), 0);
	/* forced: roles again, but managed documents still by ARN + version from the cache */
	REQUIRE(fd_iam_model_refresh_sync(x.m, 1, 0, &st, &err) == FD_OK);
	CHECK_INT(sim_stat("requests", "iam:GetRole"), (int)st.roles);
	CHECK_INT(sim_stat("requests", "iam:GetPolicyVersion"), 0);
	sim_fleet_close(&x);
}

TEST(iam_sim_failures_stay_per_role)
{
	struct sim_fleet x;
	struct iam_role *roles = NULL;
	struct iam_fetch_stats st;
	struct fd_err err = {FD_OK, ""};
	const char *arns[] = {"arn:aws:iam::123456789012:role/no-such-role",
	                      "arn:aws:iam::123456789012:role/reporting-role",
	                      "arn:aws:iam::123456789012:user/not-a-role"};
	size_t i;

	if (!fleet_open(&x, 5, 0))
		return;
	sim_faults("{\"service\":\"iam\",\"op\":\"GetRolePolicy\",\"kind\":\"error\","
	           "\"status\":403,\"code\":\"AccessDenied\",\"message\":\"not allowed\"}");
	REQUIRE(iam_fetch_roles_sync(x.sim.c, x.cache, &x.ctx, arns, 3, 0, &roles, &st, &err) ==
	        FD_OK);
	CHECK_CONTAINS(roles[0].error, "NoSuchEntity");
	CHECK(roles[1].error == NULL);
	CHECK_CONTAINS(roles[1].policies[0].error, "AccessDenied");
	CHECK(roles[1].policies[1].document != NULL);
	CHECK_CONTAINS(roles[2].error, "not an IAM role ARN");
	CHECK_INT(st.failed, 2);
	/* a partly unreadable role cannot prove a secret unreadable */
	CHECK_INT(fd_iam_role_can_read(&roles[1], FD_SECRET_SM, "arn:aws:secretsmanager:x"),
	          FD_READ_UNKNOWN);
	for (i = 0; i < 3; i++)
		iam_role_clear(&roles[i]);
	free(roles);
	sim_fleet_close(&x);
}

TEST(iam_sim_checks_positive_and_negative)
{
	struct sim_fleet x;
	struct fd_err err = {FD_OK, ""};

	if (!fleet_open(&x, 5, FD_REFRESH_LIST | FD_REFRESH_DETAIL))
		return;
	/* nothing before IAM data */
	CHECK(!model_has_risk(x.m, "payments-worker", "iam-wildcard"));
	REQUIRE(fd_iam_model_refresh_sync(x.m, 0, 0, NULL, &err) == FD_OK);
	CHECK(model_has_risk(x.m, "payments-worker", "iam-wildcard"));
	CHECK(model_has_risk(x.m, "image-resizer", "iam-wildcard"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-wildcard"));
	CHECK(!model_has_risk(x.m, "report-generator", "iam-wildcard"));
	CHECK(model_has_risk(x.m, "report-generator", "iam-passrole-star"));
	CHECK(!model_has_risk(x.m, "payments-worker", "iam-passrole-star"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-passrole-star"));
	CHECK(model_has_risk(x.m, "notifications-dispatcher", "iam-data-write-star"));
	CHECK(model_has_risk(x.m, "report-generator", "iam-data-write-star"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-data-write-star"));
	CHECK(!model_has_risk(x.m, "payments-worker", "iam-data-write-star"));
	CHECK(model_has_risk(x.m, "payments-worker", "iam-managed-broad"));
	CHECK(model_has_risk(x.m, "image-resizer", "iam-managed-broad"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-managed-broad"));
	CHECK(model_has_risk(x.m, "image-resizer", "iam-role-shared"));
	CHECK(model_has_risk(x.m, "notifications-dispatcher", "iam-role-shared"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-role-shared"));
	CHECK(model_has_risk(x.m, "payments-worker", "iam-trust-broad"));
	CHECK(!model_has_risk(x.m, "image-resizer", "iam-trust-broad"));
	CHECK(!model_has_risk(x.m, "orders-api", "iam-trust-broad"));
	sim_fleet_close(&x);
}
