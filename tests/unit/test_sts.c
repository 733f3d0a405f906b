/* test_sts.c - the small XML reader, the STS answer parsers, and GetCallerIdentity
 * through the client against the simulator. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/sts.h"
#include "fleetdeck/xml.h"
#include "test.h"

#define STS_NS "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""

static const char identity_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<GetCallerIdentityResponse " STS_NS ">\n"
    "  <GetCallerIdentityResult>\n"
    "    <Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn>\n"
    "    <UserId>AIDAEXAMPLE</UserId>\n"
    "    <Account>123456789012</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n"
    "</GetCallerIdentityResponse>\n";

static const char assume_xml[] =
    "<AssumeRoleResponse " STS_NS ">\n"
    "  <AssumeRoleResult>\n"
    "    <SourceIdentity>x</SourceIdentity>\n"
    "    <AssumedRoleUser>\n"
    "      <Arn>arn:aws:sts::210987654321:assumed-role/dev/fleetdeck-1</Arn>\n"
    "      <AssumedRoleId>AROAEXAMPLE:fleetdeck-1</AssumedRoleId>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>se&#x2F;cret&#43;key</SecretAccessKey>\n"
    "      <SessionToken><![CDATA[FwoGZX+token/==]]></SessionToken>\n"
    "      <Expiration>2026-12-04T16:51:01Z</Expiration>\n"
    "    </Credentials>\n"
    "  </AssumeRoleResult>\n"
    "</AssumeRoleResponse>\n";

static const char error_xml[] =
    "<ErrorResponse " STS_NS ">\n"
    "  <Error>\n"
    "    <Type>Sender</Type>\n"
    "    <Code>AccessDenied</Code>\n"
    "    <Message>User arn:x is not authorized to perform: sts:AssumeRole &lt;now&gt;\x1b[2J"
    "</Message>\n"
    "  </Error>\n"
    "  <RequestId>r-2</RequestId>\n"
    "</ErrorResponse>\n";

TEST(xml_tree_and_paths)
{
	const char *doc = "<?xml version=\"1.0\"?><!-- c --><a:Root x='1>' y=\"2\">"
	                  "<B>one &lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x20AC;</B>"
	                  "<C><D/><D>second</D></C>text<!-- inner --></a:Root>  \n";
	struct xml_node *root = NULL;
	struct fd_err err;

	REQUIRE(xml_parse(doc, strlen(doc), &root, &err) == FD_OK);
	CHECK_STR(root->name, "Root");
	CHECK_STR(root->text, "text");
	CHECK_STR(xml_path_text(root, "B"), "one <>&\"' AB\xE2\x82\xAC");
	CHECK_STR(xml_path_text(root, "C/D"), "");
	CHECK(xml_path(root, "C/E") == NULL);
	CHECK(xml_path_text(root, "Nope") == NULL);
	CHECK(xml_find(root, "D") == xml_path(root, "C/D"));
	CHECK_STR(xml_find(root, "D")->next->text, "second");
	CHECK(xml_find(root, "Root") == root);
	CHECK(xml_find(root, "Missing") == NULL);
	xml_free(root);
}

TEST(xml_rejects_malformed)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "<a>",
	    "<a></b>",
	    "<a><b></a></b>",
	    "<a>&bogus;</a>",
	    "<a>&#0;</a>",
	    "<a>&#xD800;</a>",
	    "<a>&#x110000;</a>",
	    "<a>& amp;</a>",
	    "<a/><b/>",
	    "text<a/>",
	    "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
	    "<a><!-- unterminated </a>",
	    "<a><![CDATA[ open </a>",
	    "<a b=\"unterminated></a>",
	    "</a>",
	    "<>",
	    "<a:>x</a:>",
	};
	struct xml_node *root = NULL;
	struct fd_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd_err_clear(&err);
		if (xml_parse(bad[i], strlen(bad[i]), &root, &err) != FD_EPARSE)
			fd_test_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
		CHECK(root == NULL);
		CHECK_CONTAINS(err.msg, "XML");
	}
}

TEST(xml_depth_and_nul_limits)
{
	struct xml_node *root = NULL;
	struct fd_err err;
	char deep[64 * 3 + 200];
	size_t i, n = 0;

	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	CHECK_INT(xml_parse(deep, n, &root, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "too deep");
	CHECK_INT(xml_parse("<a>\0</a>", 8, &root, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "NUL");
}

TEST(sts_parse_identity_answer)
{
	struct sts_identity id;
	struct fd_err err;

	REQUIRE(sts_parse_identity(identity_xml, strlen(identity_xml), &id, &err) == FD_OK);
	CHECK_STR(id.account, "123456789012");
	CHECK_STR(id.arn, "arn:aws:iam::123456789012:user/a&b");
	CHECK_STR(id.user_id, "AIDAEXAMPLE");
	CHECK_INT(sts_parse_identity(assume_xml, strlen(assume_xml), &id, &err), FD_EPARSE);
	CHECK_INT(sts_parse_identity("<GetCallerIdentityResponse/>", 28, &id, &err), FD_EPARSE);
	CHECK_CONTAINS(err.msg, "Account");
	CHECK_STR(id.account, "");
}

TEST(sts_parse_assume_role_answer)
{
	struct aws_creds c;
	struct fd_err err;

	REQUIRE(sts_parse_credentials(assume_xml, strlen(assume_xml), &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "ASIAEXAMPLE");
	CHECK_STR(c.secret_key, "se/cret+key");
	CHECK_STR(c.session_token, "FwoGZX+token/==");
	CHECK_INT(c.expiration, fd_parse_iso8601("2026-12-04T16:51:01Z"));
	CHECK_STR(c.account_id, "210987654321");
	aws_creds_free(&c);
	CHECK(c.access_key == NULL);
}

TEST(sts_parse_web_identity_answer)
{
	const char *xml = "<AssumeRoleWithWebIdentityResponse>"
	                  "<AssumeRoleWithWebIdentityResult>"
	                  "<SubjectFromWebIdentityToken>s</SubjectFromWebIdentityToken>"
	                  "<Credentials><AccessKeyId>ASIAW</AccessKeyId>"
	                  "<SecretAccessKey>k</SecretAccessKey><SessionToken>t</SessionToken>"
	                  "<Expiration>2030-01-01T00:00:00.000Z</Expiration></Credentials>"
	                  "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
	struct aws_creds c;
	struct fd_err err;

	REQUIRE(sts_parse_credentials(xml, strlen(xml), &c, &err) == FD_OK);
	CHECK_STR(c.access_key, "ASIAW");
	CHECK_INT(c.expiration, fd_parse_iso8601("2030-01-01T00:00:00Z"));
	CHECK_STR(c.account_id, "");
	aws_creds_free(&c);
}

TEST(sts_parse_rejects_bad_credentials)
{
	static const char *const bad[] = {
	    "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>",
	    "<AssumeRoleResponse><Other/></AssumeRoleResponse>",
	    "<Nope><AssumeRoleResult><Credentials/></AssumeRoleResult></Nope>",
	    "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A B</AccessKeyId>"
	    "<SecretAccessKey>k</SecretAccessKey><SessionToken>t</SessionToken>"
	    "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
	    "</AssumeRoleResponse>",
	    "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
	    "<SecretAccessKey>k</SecretAccessKey><SessionToken>t</SessionToken>"
	    "<Expiration>soon</Expiration></Credentials></AssumeRoleResult>"
	    "</AssumeRoleResponse>",
	    "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
	    "<SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
	    "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
	    "not xml",
	};
	struct aws_creds c;
	struct fd_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sts_parse_credentials(bad[i], strlen(bad[i]), &c, &err) != FD_EPARSE)
			fd_test_fail(__FILE__, __LINE__, "accepted #%zu", i);
		CHECK(c.access_key == NULL && c.secret_key == NULL);
	}
}

TEST(sts_error_document)
{
	struct aws_creds c;
	struct fd_err err;

	CHECK_INT(sts_parse_credentials(error_xml, strlen(error_xml), &c, &err), FD_EAWS);
	CHECK_CONTAINS(err.msg, "AccessDenied: User arn:x is not authorized");
	CHECK_CONTAINS(err.msg, "<now>");
	CHECK(strchr(err.msg, '\x1b') == NULL);
	CHECK_INT(sts_parse_error(error_xml, strlen(error_xml), &err), FD_EAWS);
	CHECK_INT(sts_parse_error(identity_xml, strlen(identity_xml), &err), FD_EPARSE);
	CHECK_INT(sts_parse_error("<html>502</html>", 16, &err), FD_EPARSE);
}

TEST(sts_get_caller_identity_against_simulator)
{
	const char *url = fd_test_sim_url();
	struct aws_settings_opts so = {NULL, NULL, NULL};
	struct aws_client_opts o;
	struct aws_settings s;
	struct aws_creds creds;
	struct aws_client *c = NULL;
	struct sts_identity id;
	struct aws_error aerr;
	struct fd_err err;

	setenv("AWS_ENDPOINT_URL", url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIDSIMULATOR0000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "sim-secret-key-0000000000000000000000001", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	memset(&o, 0, sizeof(o));
	REQUIRE(aws_settings_load(&s, &so, &err) == FD_OK);
	REQUIRE(aws_creds_resolve(&s, &creds, &err) == FD_OK);
	REQUIRE(aws_client_new(&s, &creds, &o, &c, &err) == FD_OK);
	CHECK_INT(sts_get_caller_identity(c, &id, &aerr), FD_OK);
	CHECK_CONTAINS(id.arn, ":user/sim-user");
	CHECK_STR(id.user_id, "AIDASIMULATORUSER0001");
	CHECK(strlen(id.account) == 12);
	aws_client_free(c);
	aws_creds_free(&creds);
	aws_settings_free(&s);
}
