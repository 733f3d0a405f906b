/* Fuzz target: policy documents (percent-encoded or not) into statements, then every
 * consumer of a parsed document: describe, the evaluator, the statement checks and the
 * grouping by service. The first line of the input, when it has one, is also used as a
 * wildcard pattern against the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/iam.h"
#include "fleetdeck/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
consume(const struct fd_policy *p)
{
	static const char *const actions[] = {"s3:GetObject", "iam:PassRole",
	                                      "secretsmanager:GetSecretValue", "*"};
	const struct fd_policy *docs[] = {p};
	struct fd_policy_verdict v;
	struct iam_role r;
	struct fd_role_stmt *s;
	const char *ids[4];
	struct fd_buf b;
	size_t i, n;

	fd_buf_init(&b);
	for (i = 0; i < p->n; i++) {
		if (!p->stmts[i].nactions)
			abort();
		fd_policy_stmt_describe(&p->stmts[i], &b);
		(void)fd_iam_stmt_risks(&p->stmts[i], ids, 4);
		(void)fd_iam_trust_risks(&p->stmts[i], ids, 4);
	}
	fd_buf_free(&b);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		fd_policy_evaluate(docs, 1, actions[i], "arn:aws:s3:::b/k", &v);
		if (v.effect != FD_POLICY_IMPLICIT_DENY && !v.stmt)
			abort();
	}
	memset(&r, 0, sizeof(r));
	r.policies = calloc(1, sizeof(*r.policies));
	if (!r.policies)
		return;
	r.npolicies = 1;
	r.policies[0].doc = *p;
	n = fd_role_statements(&r, &s);
	fd_role_statements_free(s, n);
	free(r.policies);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	struct fd_policy p;
	struct fd_err err;
	char *pat, *val;

	if (fd_policy_parse(in, size, &p, &err) == FD_OK) {
		if (p.n > FD_POLICY_MAX_STMTS)
			abort();
		consume(&p);
		fd_policy_free(&p);
	} else if (p.stmts || p.n) {
		abort();
	}
	if (nl) {
		pat = strndup(in, (size_t)(nl - in));
		val = strndup(nl + 1, size - (size_t)(nl - in) - 1);
		if (pat && val)
			(void)fd_iam_match(pat, val, (size & 1) != 0);
		free(pat);
		free(val);
	}
	return 0;
}
