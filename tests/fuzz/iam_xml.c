/* Fuzz target: the IAM query answers (GetRole, the two lists, GetRolePolicy, GetPolicy,
 * GetPolicyVersion) and the Secrets Manager / SSM metadata answers. Failures leave
 * nothing behind; successes hold what the callers rely on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/iam.h"
#include "fleetdeck/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
role(const char *in, size_t n)
{
	struct iam_role r;
	struct fd_err err;

	if (iam_parse_get_role(in, n, &r, &err) == FD_OK) {
		if (!r.arn || !r.name || !r.trust_document)
			abort();
		iam_role_clear(&r);
	} else if (r.arn || r.name || r.trust_document || r.trust.stmts) {
		abort();
	}
}

static void
lists(const char *in, size_t n)
{
	struct iam_policy *p = NULL;
	char **names = NULL, *marker = NULL;
	size_t np = 0, nn = 0, i;
	struct fd_err err;

	if (iam_parse_list_role_policies(in, n, &names, &nn, &marker, &err) != FD_OK && marker)
		abort();
	free(marker);
	marker = NULL;
	if (iam_parse_list_attached(in, n, &p, &np, &marker, &err) != FD_OK && marker)
		abort();
	for (i = 0; i < np; i++) {
		if (!p[i].name || !p[i].arn)
			abort();
		iam_policy_clear(&p[i]);
	}
	for (i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(p);
	free(marker);
}

static void
documents(const char *in, size_t n)
{
	struct iam_policy p;
	struct fd_err err;
	char *s = NULL;

	if (iam_parse_get_role_policy(in, n, &s, &err) == FD_OK) {
		memset(&p, 0, sizeof(p));
		p.document = s;
		iam_policy_load_doc(&p);
		iam_policy_clear(&p);
	} else if (s) {
		abort();
	}
	if (iam_parse_get_policy_version(in, n, &s, &err) == FD_OK)
		free(s);
	if (iam_parse_get_policy(in, n, &s, &err) == FD_OK && !s)
		abort();
	free(s);
}

static void
secrets(const char *in, size_t n)
{
	struct fd_secret_meta m[2];
	struct fd_err err;
	char *next = NULL;

	memset(m, 0, sizeof(m));
	if (secrets_parse_describe(in, n, &m[0], &err) == FD_OK && (!m[0].arn || !m[0].name))
		abort();
	fd_secret_meta_clear(&m[0]);
	m[0].kind = m[1].kind = FD_SECRET_SSM;
	m[0].id = strdup("/app/db");
	m[1].id = strdup("arn:aws:ssm:us-east-1:1:parameter/x");
	if (ssm_parse_describe_parameters(in, n, m, 2, &next, &err) != FD_OK && next)
		abort();
	free(next);
	fd_secret_meta_clear(&m[0]);
	fd_secret_meta_clear(&m[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	role(in, size);
	lists(in, size);
	documents(in, size);
	secrets(in, size);
	return 0;
}
