/* test_policy.c - IAM policy documents: percent-encoded and unusual documents
 * (single-statement objects, NotAction, NotResource, NotPrincipal, conditions,
 * wildcards mid-action), malformed ones, the wildcard matcher and the evaluator. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/policy.h"
#include "test.h"

static struct fd_policy
parse_ok(const char *text)
{
	struct fd_policy p;
	struct fd_err err = {FD_OK, ""};

	if (fd_policy_parse(text, strlen(text), &p, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "parse: %s", err.msg);
	return p;
}

TEST(policy_percent_encoded_document)
{
	/* As IAM sends it: every reserved character encoded, UTF-8 as %C3%A9, '+' literal. */
	const char *enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid"
	                  "%22%3A%22Read%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3"
	                  "%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2F%2A"
	                  "%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22aws%3APrincipal"
	                  "Tag%2Fteam%22%3A%22caf%C3%A9%22%7D%7D%7D%5D%7D";
	struct fd_policy p = parse_ok(enc);

	REQUIRE(p.n == 1);
	CHECK_STR(p.version, "2012-10-17");
	CHECK_STR(p.stmts[0].sid, "Read");
	CHECK(!p.stmts[0].deny);
	REQUIRE(p.stmts[0].nactions == 1);
	CHECK_STR(p.stmts[0].actions[0], "s3:GetObject");
	REQUIRE(p.stmts[0].nresources == 1);
	CHECK_STR(p.stmts[0].resources[0], "arn:aws:s3:::a+b/*");
	CHECK_CONTAINS(p.stmts[0].condition, "caf\xc3\xa9");
	fd_policy_free(&p);
}

TEST(policy_double_encoded_and_bad_encoding)
{
	struct fd_policy p;
	struct fd_err err = {FD_OK, ""};
	const char *twice = "%257B%2522Statement%2522%253A%257B%2522Effect%2522%253A%2522Deny"
	                    "%2522%252C%2522Action%2522%253A%2522*%2522%257D%257D";

	p = parse_ok(twice);
	REQUIRE(p.n == 1);
	CHECK(p.stmts[0].deny);
	fd_policy_free(&p);
	CHECK_INT(fd_policy_parse("%7B%2", 5, &p, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "percent");
	CHECK_INT(fd_policy_parse("%7B%00%7D", 9, &p, &err), FD_EPARSE);
}

TEST(policy_single_statement_object_and_not_forms)
{
	struct fd_policy p = parse_ok(
	    "{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\"],"
	    "\"NotResource\":\"arn:aws:s3:::private/*\"}}");

	REQUIRE(p.n == 1);
	CHECK(p.version == NULL);
	CHECK(p.stmts[0].not_action);
	CHECK(p.stmts[0].not_resource);
	CHECK_INT(p.stmts[0].nactions, 2);
	/* NotAction: everything except iam and organizations */
	CHECK(fd_policy_stmt_has_action(&p.stmts[0], "s3:PutObject"));
	CHECK(!fd_policy_stmt_has_action(&p.stmts[0], "iam:PassRole"));
	CHECK(!fd_policy_stmt_has_action(&p.stmts[0], "IAM:passrole")); /* actions ignore case */
	CHECK(fd_policy_stmt_has_resource(&p.stmts[0], "arn:aws:s3:::public/x"));
	CHECK(!fd_policy_stmt_has_resource(&p.stmts[0], "arn:aws:s3:::private/x"));
	CHECK(fd_policy_stmt_all_resources(&p.stmts[0]));
	fd_policy_free(&p);
}

TEST(policy_principals_and_trust)
{
	struct fd_policy p = parse_ok(
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
	    "{\"Service\":[\"lambda.amazonaws.com\",\"ec2.amazonaws.com\"],\"AWS\":"
	    "\"arn:aws:iam::210987654321:root\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":"
	    "\"Deny\",\"NotPrincipal\":\"*\",\"Action\":\"sts:*\"}]}");

	REQUIRE(p.n == 2);
	REQUIRE(p.stmts[0].nprincipals == 3);
	CHECK_STR(p.stmts[0].principals[0], "Service:lambda.amazonaws.com");
	CHECK_STR(p.stmts[0].principals[1], "Service:ec2.amazonaws.com");
	CHECK_STR(p.stmts[0].principals[2], "AWS:arn:aws:iam::210987654321:root");
	CHECK(p.stmts[0].resources == NULL);
	CHECK(fd_policy_stmt_has_resource(&p.stmts[0], "anything")); /* no Resource: any */
	CHECK(p.stmts[1].not_principal);
	CHECK_INT(p.stmts[1].index, 1);
	fd_policy_free(&p);
}

TEST(policy_malformed_documents)
{
	static const char *bad[] = {
	    "",
	    "[]",
	    "{\"Statement\":\"x\"}",
	    "{\"Version\":\"2012-10-17\"}",
	    "{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"*\"}]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\"}]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\"}]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[1,2]}]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Condition\":[]}]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Principal\":5}]}",
	    "{\"Statement\":[7]}",
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\"}",
	};
	struct fd_policy p;
	struct fd_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.status = FD_OK;
		if (fd_policy_parse(bad[i], strlen(bad[i]), &p, &err) != FD_EPARSE)
			fd_test_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
		CHECK(p.stmts == NULL && p.n == 0);
	}
}

TEST(policy_wildcard_matching)
{
	CHECK(fd_iam_match("*", "", 1));
	CHECK(fd_iam_match("s3:*", "s3:GetObject", 1));
	CHECK(fd_iam_match("s3:Get*Acl", "s3:GetObjectAcl", 1));
	CHECK(fd_iam_match("s3:Get*Acl", "s3:GetBucketAcl", 1));
	CHECK(!fd_iam_match("s3:Get*Acl", "s3:GetObject", 1));
	CHECK(fd_iam_match("dynamodb:Batch*Item", "dynamodb:BatchWriteItem", 1));
	CHECK(fd_iam_match("dynamodb:*Item", "dynamodb:PutItem", 1));
	CHECK(fd_iam_match("iam:Pass?ole", "iam:PassRole", 1));
	CHECK(fd_iam_match("IAM:PASSROLE", "iam:PassRole", 1));
	CHECK(!fd_iam_match("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", 0)); /* ARNs are exact */
	CHECK(fd_iam_match("arn:aws:secretsmanager:*:1:secret:db-*",
	                   "arn:aws:secretsmanager:us-east-1:1:secret:db-AbC123", 0));
	CHECK(fd_iam_match("a*b*c", "aXXbYYbc", 0));
	CHECK(!fd_iam_match("a*b*c", "aXXbYY", 0));
	CHECK(!fd_iam_match(NULL, "x", 0));
}

TEST(policy_service_star)
{
	char svc[16];

	CHECK_STR(fd_policy_service_star("*", svc, sizeof(svc)), "*");
	CHECK_STR(fd_policy_service_star("s3:*", svc, sizeof(svc)), "s3");
	CHECK(fd_policy_service_star("s3:Get*", svc, sizeof(svc)) == NULL);
	CHECK(fd_policy_service_star(":*", svc, sizeof(svc)) == NULL);
	CHECK(fd_policy_service_star("s3", svc, sizeof(svc)) == NULL);
}

TEST(policy_evaluate_allow_deny_conditional)
{
	struct fd_policy a = parse_ok(
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\","
	    "\"Resource\":\"arn:aws:secretsmanager:us-east-1:1:secret:app/*\"}]}");
	struct fd_policy d = parse_ok(
	    "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:*\",\"Resource\":"
	    "\"arn:aws:secretsmanager:us-east-1:1:secret:app/root-*\"},{\"Effect\":\"Deny\","
	    "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":"
	    "\"false\"}}},{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\",\"Resource\":"
	    "\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/app\":\"x\"}}}]}");
	const struct fd_policy *docs[] = {&a, &d};
	struct fd_policy_verdict v;

	fd_policy_evaluate(docs, 2, "secretsmanager:GetSecretValue",
	                   "arn:aws:secretsmanager:us-east-1:1:secret:app/db-AbCdEf", &v);
	CHECK_INT(v.effect, FD_POLICY_ALLOW);
	CHECK(!v.conditional);
	CHECK_INT(v.doc, 0);
	fd_policy_evaluate(docs, 2, "secretsmanager:GetSecretValue",
	                   "arn:aws:secretsmanager:us-east-1:1:secret:app/root-AbCdEf", &v);
	CHECK_INT(v.effect, FD_POLICY_DENY); /* an explicit deny wins */
	REQUIRE(v.stmt != NULL);
	CHECK_INT(v.stmt->index, 0);
	fd_policy_evaluate(docs, 2, "ssm:GetParameter", "arn:aws:ssm:us-east-1:1:parameter/x", &v);
	CHECK_INT(v.effect, FD_POLICY_ALLOW);
	CHECK(v.conditional); /* the only allow has a condition */
	fd_policy_evaluate(docs, 2, "s3:GetObject", "arn:aws:s3:::b/k", &v);
	CHECK_INT(v.effect, FD_POLICY_IMPLICIT_DENY); /* the conditional deny is not definite */
	CHECK(v.stmt == NULL);
	fd_policy_free(&a);
	fd_policy_free(&d);
}

TEST(policy_describe_statement)
{
	struct fd_policy p = parse_ok(
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"a:1\",\"a:2\",\"a:3\",\"a:4\","
	    "\"a:5\",\"a:6\"],\"NotResource\":\"arn:x\",\"Condition\":{\"Bool\":{\"k\":\"v\"}}}]}");
	struct fd_buf b;

	fd_buf_init(&b);
	fd_policy_stmt_describe(&p.stmts[0], &b);
	CHECK_STR(b.data, "Allow a:1,a:2,a:3,a:4, +2 more on NotResource arn:x "
	                  "(if {\"Bool\":{\"k\":\"v\"}})");
	fd_buf_free(&b);
	fd_policy_free(&p);
}
