/* policy.h - IAM policy documents (inline, managed and trust policies) parsed into
 * statements, and a deliberately simple evaluator used by the least-privilege checks.
 *
 * Parsing: documents may arrive percent-encoded (IAM's query answers encode them);
 * single-statement objects, string-or-list Action/Resource, NotAction, NotResource,
 * NotPrincipal and Condition blocks are all accepted. Anything else malformed is
 * FD_EPARSE. No library types here (aws/policy.c owns the JSON parser).
 *
 * Evaluation limits (say so wherever a verdict is shown): only the identity policies
 * given are considered - no permission boundaries, SCPs, session policies,
 * resource-based policies (a secret's own policy) or KMS key policies; Condition
 * blocks are not evaluated (a statement with one only "may" apply, reported as
 * conditional); policy variables (${aws:username}) are compared literally. */
#ifndef FLEETDECK_POLICY_H
#define FLEETDECK_POLICY_H

#include <stddef.h>

#include "fleetdeck/status.h"
#include "fleetdeck/util.h"

#define FD_POLICY_MAX_BYTES (128 * 1024) /* far above IAM's own document limits */
#define FD_POLICY_MAX_STMTS 512
#define FD_POLICY_MAX_ITEMS 1024 /* actions, resources or principals per statement */

struct fd_policy_stmt {
	char *sid;      /* NULL when none */
	int deny;       /* Effect "Deny" (1) or "Allow" (0) */
	char **actions; /* Action, or NotAction when not_action */
	size_t nactions;
	int not_action;
	char **resources; /* Resource, or NotResource when not_resource */
	size_t nresources;
	int not_resource;
	char **principals; /* "*", "Service:lambda.amazonaws.com", "AWS:arn:..." */
	size_t nprincipals;
	int not_principal;
	char *condition; /* the Condition block as compact JSON; NULL when none */
	int index;       /* 0-based position in the document */
};

struct fd_policy {
	char *version; /* "2012-10-17"; NULL when absent */
	struct fd_policy_stmt *stmts;
	size_t n;
};

/* Parses a document, percent-decoding it first when it is encoded (up to twice). */
enum fd_status fd_policy_parse(const char *text, size_t len, struct fd_policy *out,
                               struct fd_err *err);
void fd_policy_free(struct fd_policy *p);
/* Percent-decodes s[0..n) into out ("+" stays "+", as IAM encodes with %20). Returns
 * -1 on a malformed escape or an encoded NUL. */
int fd_policy_url_decode(const char *s, size_t n, struct fd_buf *out);

/* IAM wildcard match: '*' any run (also empty), '?' one character; actions compare
 * case-insensitively (nocase), ARNs exactly. */
int fd_iam_match(const char *pattern, const char *value, int nocase);
/* The statement applies to the action / resource (NotAction and NotResource honoured;
 * a statement without Resource, like a trust policy's, applies to any resource). */
int fd_policy_stmt_has_action(const struct fd_policy_stmt *s, const char *action);
int fd_policy_stmt_has_resource(const struct fd_policy_stmt *s, const char *resource);
/* The statement names "*" (or NotResource) as its resource: it covers everything. */
int fd_policy_stmt_all_resources(const struct fd_policy_stmt *s);
/* "*" -> "*", "s3:*" -> "s3"; NULL when a is not a whole-service wildcard. */
const char *fd_policy_service_star(const char *a, char *svc, size_t n);
/* One line: `Allow s3:GetObject,s3:PutObject on arn:aws:s3:::bucket (if ...)`; long
 * lists are cut with ", +N more". Not sanitized. */
void fd_policy_stmt_describe(const struct fd_policy_stmt *s, struct fd_buf *out);

enum fd_policy_effect {
	FD_POLICY_IMPLICIT_DENY,
	FD_POLICY_ALLOW,
	FD_POLICY_DENY,
};

struct fd_policy_verdict {
	enum fd_policy_effect effect;
	int conditional;                   /* the deciding statement has a Condition: "may" */
	size_t doc;                        /* index of the deciding document */
	const struct fd_policy_stmt *stmt; /* NULL for an implicit deny */
};

/* Explicit unconditional Deny wins, then any Allow (conditional when every allowing
 * statement has a condition), else implicit deny. */
void fd_policy_evaluate(const struct fd_policy *const *docs, size_t ndocs, const char *action,
                        const char *resource, struct fd_policy_verdict *out);

#endif
