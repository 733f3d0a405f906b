/* iam.h - functions' execution roles, read-only: the IAM query-protocol calls
 * (GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy, GetPolicy,
 * GetPolicyVersion) and their XML answers as plain records (aws/iam.c); the cache of
 * roles and of managed policies by ARN + version (cache/iam.c); the role loader that
 * fetches each distinct role once however many functions share it (src/iam_fetch.c);
 * and the per-function facts the least-privilege risk checks read (src/iam_model.c).
 * fleetdeck never changes IAM. */
#ifndef FLEETDECK_IAM_H
#define FLEETDECK_IAM_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/policy.h"
#include "fleetdeck/secrets.h"
#include "fleetdeck/status.h"

struct aws_request;
struct aws_client;
struct aws_error;
struct fd_cache;
struct fd_model;

enum iam_policy_kind {
	IAM_POLICY_INLINE,
	IAM_POLICY_MANAGED,     /* customer managed */
	IAM_POLICY_AWS_MANAGED, /* arn:<partition>:iam::aws:policy/... */
};

struct iam_policy {
	enum iam_policy_kind kind;
	char *name;
	char *arn;            /* managed only */
	char *version;        /* managed only: the default version ("v3") */
	char *document;       /* decoded JSON; NULL when it could not be read */
	struct fd_policy doc; /* parsed (n == 0 when unreadable) */
	char *error;          /* why the document is missing; NULL when read */
};

struct iam_role {
	char *arn;
	char *name;
	char *path;
	char *role_id;
	char *created;        /* ISO-8601 as IAM gives it */
	char *last_used;      /* RoleLastUsed/LastUsedDate; NULL when unknown */
	char *trust_document; /* decoded AssumeRolePolicyDocument */
	struct fd_policy trust;
	struct iam_policy *policies; /* inline first, then attached, each by name */
	size_t npolicies;
	char *error; /* the role could not be read ("AccessDenied: ..."), or NULL */
	int64_t fetched_ms;
};

void iam_policy_clear(struct iam_policy *p);
void iam_role_clear(struct iam_role *r);
void iam_roles_free(struct iam_role *r, size_t n);
/* Parses p->document into p->doc (errors recorded in p->error). */
void iam_policy_load_doc(struct iam_policy *p);
/* "arn:aws:iam::123:role/service-role/x" -> "x"; 0 when arn is not a role ARN. */
int iam_role_name_from_arn(const char *arn, char *out, size_t n);
/* arn:<partition>:iam::aws:policy/... */
int iam_policy_arn_is_aws_managed(const char *arn);
const char *iam_policy_kind_name(enum iam_policy_kind k);

/* ---- requests and answers (aws/iam.c) ---- */

void iam_get_role_request(struct aws_request *r, const char *role);
void iam_list_role_policies_request(struct aws_request *r, const char *role, const char *marker);
void iam_list_attached_request(struct aws_request *r, const char *role, const char *marker);
void iam_get_role_policy_request(struct aws_request *r, const char *role, const char *policy);
void iam_get_policy_request(struct aws_request *r, const char *arn);
void iam_get_policy_version_request(struct aws_request *r, const char *arn, const char *version);

/* Parsers (fuzzed): FD_EPARSE on anything unexpected, FD_EAWS for an <ErrorResponse>
 * (err says "Code: Message"). Documents come back percent-decoded. */
enum fd_status iam_parse_get_role(const char *xml, size_t len, struct iam_role *out,
                                  struct fd_err *err);
/* Appends inline policy names; *marker is the next page's marker or NULL. */
enum fd_status iam_parse_list_role_policies(const char *xml, size_t len, char ***names, size_t *n,
                                            char **marker, struct fd_err *err);
/* Appends attached policies (kind, name, arn). */
enum fd_status iam_parse_list_attached(const char *xml, size_t len, struct iam_policy **out,
                                       size_t *n, char **marker, struct fd_err *err);
enum fd_status iam_parse_get_role_policy(const char *xml, size_t len, char **document,
                                         struct fd_err *err);
enum fd_status iam_parse_get_policy(const char *xml, size_t len, char **default_version,
                                    struct fd_err *err);
enum fd_status iam_parse_get_policy_version(const char *xml, size_t len, char **document,
                                            struct fd_err *err);

/* ---- cache (cache/iam.c): roles per context, managed policy documents by ARN +
 * version ---- */

enum fd_status fd_cache_put_iam_role(struct fd_cache *c, const struct fd_ctx *ctx,
                                     const struct iam_role *r, struct fd_err *err);
/* FD_ENOTFOUND when not cached. Policy documents are parsed. */
enum fd_status fd_cache_get_iam_role(struct fd_cache *c, const struct fd_ctx *ctx, const char *arn,
                                     struct iam_role *out, struct fd_err *err);
enum fd_status fd_cache_get_iam_roles(struct fd_cache *c, const struct fd_ctx *ctx,
                                      struct iam_role **out, size_t *n, struct fd_err *err);
/* A managed policy document by ARN + version; FD_ENOTFOUND when not cached. */
enum fd_status fd_cache_get_iam_policy(struct fd_cache *c, const struct fd_ctx *ctx,
                                       const char *arn, const char *version, char **document,
                                       struct fd_err *err);
enum fd_status fd_cache_put_iam_policy(struct fd_cache *c, const struct fd_ctx *ctx,
                                       const char *arn, const char *version, const char *document,
                                       struct fd_err *err);

/* ---- the role loader (src/iam_fetch.c) ---- */

#define IAM_ROLE_TTL_MS (6LL * 3600 * 1000)

struct iam_fetch_stats {
	unsigned roles;      /* distinct roles asked for */
	unsigned from_cache; /* answered by a cached role younger than the TTL */
	unsigned fetched;    /* roles read from IAM */
	unsigned failed;
	unsigned calls;             /* IAM requests sent */
	unsigned policy_cache_hits; /* managed documents found by ARN + version */
};

/* Loads each distinct role ARN once: from the cache when younger than the TTL (unless
 * force), else from IAM (storing it and every managed document in the cache). Failures
 * of one role (AccessDenied) are kept in that role's error, not returned. client may be
 * NULL (cache only). Roles come back in arns order. */
enum fd_status iam_fetch_roles_sync(struct aws_client *client, struct fd_cache *cache,
                                    const struct fd_ctx *ctx, const char *const *arns, size_t n,
                                    int force, struct iam_role **out, struct iam_fetch_stats *stats,
                                    struct fd_err *err);

/* Asynchronous form for the console: done runs once from the client's loop; when
 * every role came from the cache the fetch is finished at once (iam_fetch_done) and
 * done does not run. */
struct iam_fetch;
struct iam_fetch *iam_fetch_start(struct aws_client *client, struct fd_cache *cache,
                                  const struct fd_ctx *ctx, const char *const *arns, size_t n,
                                  int force, void (*done)(struct iam_fetch *f, void *ud), void *ud);
int iam_fetch_done(const struct iam_fetch *f);
/* Takes the roles (arns order) out of a finished fetch. */
void iam_fetch_take(struct iam_fetch *f, struct iam_role **out, size_t *n,
                    struct iam_fetch_stats *stats);
/* Cancels what is in flight; done does not run afterwards. */
void iam_fetch_free(struct iam_fetch *f);

/* ---- facts for the risk checks (src/iam_model.c) ---- */

enum fd_readable {
	FD_READ_UNKNOWN = -1,
	FD_READ_NO = 0,
	FD_READ_YES = 1,
	FD_READ_MAYBE = 2, /* only under a Condition */
};

struct fd_secret_use {
	const struct fd_secret_ref *ref;
	const struct fd_secret_meta *meta; /* NULL until described */
	enum fd_readable readable;         /* by the function's role */
	char resource[512];                /* the ARN checked ("" when unknown) */
};

struct fd_iam_facts {
	const struct iam_role *role; /* NULL when the role is not loaded */
	const char *shared_mix;      /* the other services/teams on the role, or NULL */
	size_t role_functions;       /* functions using the role */
	const struct fd_secret_use *secrets;
	size_t nsecrets;
	int uses_extension;         /* Parameters and Secrets extension layer */
	int uses_powertools_params; /* POWERTOOLS_PARAMETERS_* env */
	int prod;                   /* production: env tag or prod profile */
	const char *prod_why;       /* "tag env=prod", "profile marked prod" */
};

/* The risk checks a statement of an identity policy trips ("iam-wildcard",
 * "iam-passrole-star", "iam-data-write-star"), and of a trust policy
 * ("iam-trust-broad"); the same predicates as the risk board (src/iam_checks.c). */
size_t fd_iam_stmt_risks(const struct fd_policy_stmt *st, const char **ids, size_t max);
size_t fd_iam_trust_risks(const struct fd_policy_stmt *st, const char **ids, size_t max);
/* AdministratorAccess, PowerUserAccess or an AWS managed *FullAccess policy. */
int fd_iam_managed_is_broad(const struct iam_policy *p);

/* A role's effective statements grouped by service (src/iam_role.c): one entry per
 * (statement, service of its actions); "*" (all services, NotAction) sorts first, then
 * services by name, each in policy order. Strings are borrowed from the role. */
struct fd_role_stmt {
	char service[64];
	const struct iam_policy *policy;
	const struct fd_policy_stmt *st;
	const char **actions;    /* this service's actions of the statement */
	size_t nactions;
	const char *risks[4];    /* check ids the whole statement trips */
	size_t nrisks;
	size_t seq;
};
size_t fd_role_statements(const struct iam_role *r, struct fd_role_stmt **out);
void fd_role_statements_free(struct fd_role_stmt *s, size_t n);

/* Who may read a secret: secretsmanager:GetSecretValue or ssm:GetParameter on its ARN. */
enum fd_readable fd_iam_role_can_read(const struct iam_role *r, enum fd_secret_kind kind,
                                      const char *resource);
/* The resource ARN a reference names (from meta when described); 0 when unknown. */
int fd_secret_resource_arn(const struct fd_secret_ref *ref, const struct fd_secret_meta *meta,
                           const struct fd_ctx *ctx, char *out, size_t n);

/* The model's IAM state (roles, secrets, per-function facts), kept beside the fleet.
 * Nothing is attached (and no IAM check runs) until the context has IAM data. */
struct fd_iam_state;
void fd_iam_state_free(struct fd_iam_state *s);
/* Called by the model before it evaluates risks: (re)loads the cache once and indexes
 * functions by role. */
void fd_iam_model_prepare(struct fd_model *m);
/* IAM facts are cached for the model's context (loads them from the cache once). */
int fd_iam_model_has_data(struct fd_model *m);
/* The facts for fn, or NULL when the context has no IAM data yet. */
const struct fd_iam_facts *fd_iam_model_facts(struct fd_model *m, const struct fd_function *fn);
/* Headless: fetches the roles of every function and the secrets they reference
 * (cache first; force = ignore the TTL), stores them, and re-evaluates the risks.
 * prod: the profile is marked prod. */
enum fd_status fd_iam_model_refresh_sync(struct fd_model *m, int force, int prod,
                                         struct iam_fetch_stats *stats, struct fd_err *err);
/* Headless commands (risks, role): the profile's prod mark, then unless --offline (or
 * --stale-ok with IAM data cached) fd_iam_model_refresh_sync (--refresh forces it).
 * A failure is printed as a warning: the rest of the board still stands. */
struct fd_app;
void fd_iam_model_headless(struct fd_model *m, struct fd_app *app);
/* Marks the profile as prod for the DEBUG-in-production check. */
void fd_iam_model_set_prod(struct fd_model *m, int prod);
/* The role as loaded (NULL when unknown) and the functions using it (names, sorted;
 * the array is malloc'd, the names belong to the model). */
const struct iam_role *fd_iam_model_role(struct fd_model *m, const char *arn_or_name);
size_t fd_iam_model_role_users(struct fd_model *m, const char *arn, const char ***names);
/* Installs roles fetched elsewhere (the console's async loader); takes ownership. */
void fd_iam_model_put_roles(struct fd_model *m, struct iam_role *roles, size_t n);

#endif
