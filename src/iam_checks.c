/* iam_checks.c - the least-privilege, secret and log-level risk checks (their table
 * entries are in risks.c). They read the facts iam_model.c gathers (role, sharing,
 * secrets, production) and stay silent when a fact is unknown. Role findings name the
 * policy and statement that triggers them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/costs.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/util.h"
#include "risks_int.h"

#define DAY_S 86400

#define SECRET_DAYS FD_SECRET_ROTATION_MAX_DAYS

/* The first statement a predicate flags across the role's policies, and how many. */
struct stmt_hit {
	const struct iam_policy *pol;
	const struct fd_policy_stmt *st;
	size_t count;
	enum fd_severity sev;
	char what[160];
};

typedef enum fd_severity (*stmt_pred)(const struct fd_policy_stmt *s, char *what, size_t n);

static const struct iam_role *
facts_role(const struct risk_sink *s)
{
	const struct fd_iam_facts *f = s->in->iam;

	return f && f->role && !f->role->error ? f->role : NULL;
}

static void
scan_role(const struct iam_role *r, stmt_pred pred, struct stmt_hit *hit)
{
	size_t i, j;
	char what[160];

	memset(hit, 0, sizeof(*hit));
	for (i = 0; i < r->npolicies; i++)
		for (j = 0; j < r->policies[i].doc.n; j++) {
			const struct fd_policy_stmt *st = &r->policies[i].doc.stmts[j];
			enum fd_severity sev = pred(st, what, sizeof(what));
			if (sev == FD_SEV_INFO)
				continue;
			hit->count++;
			if (hit->st && sev <= hit->sev)
				continue;
			hit->pol = &r->policies[i];
			hit->st = st;
			hit->sev = sev;
			fd_strlcpy(hit->what, what, sizeof(hit->what));
		}
}

/* `inline policy "x" statement 2 (Sid "S"): Allow s3:* on *` */
static void
stmt_label(const struct iam_policy *p, const struct fd_policy_stmt *st, struct fd_buf *b)
{
	fd_buf_printf(b, "%s policy \"%s\" statement %d", iam_policy_kind_name(p->kind),
	              p->name ? p->name : "?", st->index + 1);
	if (st->sid)
		fd_buf_printf(b, " (Sid \"%s\")", st->sid);
	fd_buf_puts(b, ": ");
	fd_policy_stmt_describe(st, b);
}

/* "role R <lead> <what> <tail>: <statement>" */
static void
emit_hit(struct risk_sink *s, const struct stmt_hit *hit, const char *lead, const char *tail)
{
	const struct iam_role *r = facts_role(s);
	struct fd_buf b;

	fd_buf_init(&b);
	stmt_label(hit->pol, hit->st, &b);
	risk_emit(s, hit->sev, "role %s %s %s%s%s: %s%s", r->name ? r->name : "?", lead, hit->what,
	          *tail ? " " : "", tail, b.data, hit->count > 1 ? " (and more statements)" : "");
	fd_buf_free(&b);
}

static enum fd_severity
pred_wildcard(const struct fd_policy_stmt *st, char *what, size_t n)
{
	char svc[64];
	size_t i;

	if (st->deny || !fd_policy_stmt_all_resources(st))
		return FD_SEV_INFO;
	if (st->not_action) {
		snprintf(what, n, "every action but %s", st->nactions ? st->actions[0] : "none");
		return FD_SEV_CRITICAL;
	}
	for (i = 0; i < st->nactions; i++)
		if (fd_policy_service_star(st->actions[i], svc, sizeof(svc))) {
			snprintf(what, n, "Action \"%s\"", st->actions[i]);
			return strcmp(svc, "*") == 0 ? FD_SEV_CRITICAL : FD_SEV_HIGH;
		}
	return FD_SEV_INFO;
}

void
check_iam_wildcard(struct risk_sink *s)
{
	const struct iam_role *r = facts_role(s);
	struct stmt_hit hit;

	if (!r)
		return;
	scan_role(r, pred_wildcard, &hit);
	if (hit.st)
		emit_hit(s, &hit, "allows", "on every resource");
}

/* Statements that name iam:PassRole (or a pattern matching it) on "*"; "*" and "iam:*"
 * are already the wildcard check's. */
static enum fd_severity
pred_passrole(const struct fd_policy_stmt *st, char *what, size_t n)
{
	char svc[64];
	size_t i;

	if (st->deny || st->not_action || !fd_policy_stmt_all_resources(st))
		return FD_SEV_INFO;
	for (i = 0; i < st->nactions; i++)
		if (!fd_policy_service_star(st->actions[i], svc, sizeof(svc)) &&
		    fd_iam_match(st->actions[i], "iam:PassRole", 1)) {
			snprintf(what, n, "\"%s\"", st->actions[i]);
			return FD_SEV_HIGH;
		}
	return FD_SEV_INFO;
}

void
check_iam_passrole(struct risk_sink *s)
{
	const struct iam_role *r = facts_role(s);
	struct stmt_hit hit;

	if (!r)
		return;
	scan_role(r, pred_passrole, &hit);
	if (hit.st)
		emit_hit(s, &hit, "allows", "on every role (any role can be handed to a service)");
}

/* Representative write actions per data service (kms:Decrypt reads, but on every key
 * it opens every encrypted secret and object). */
static const struct {
	const char *service;
	const char *action;
} data_writes[] = {
    {"s3", "s3:PutObject"},
    {"s3", "s3:DeleteObject"},
    {"s3", "s3:PutBucketPolicy"},
    {"dynamodb", "dynamodb:PutItem"},
    {"dynamodb", "dynamodb:UpdateItem"},
    {"dynamodb", "dynamodb:DeleteItem"},
    {"dynamodb", "dynamodb:BatchWriteItem"},
    {"sqs", "sqs:SendMessage"},
    {"sqs", "sqs:DeleteMessage"},
    {"sqs", "sqs:PurgeQueue"},
    {"sns", "sns:Publish"},
    {"secretsmanager", "secretsmanager:PutSecretValue"},
    {"secretsmanager", "secretsmanager:UpdateSecret"},
    {"secretsmanager", "secretsmanager:DeleteSecret"},
    {"kms", "kms:Decrypt"},
};

static void
add_service(char *what, size_t n, const char *svc)
{
	size_t len = strlen(what);

	if (strstr(what, svc))
		return;
	snprintf(what + len, n - len, "%s%s", len ? ", " : "", svc);
}

static enum fd_severity
pred_data_write(const struct fd_policy_stmt *st, char *what, size_t n)
{
	char svc[64];
	size_t i, k;

	what[0] = '\0';
	if (st->deny || st->not_action || !fd_policy_stmt_all_resources(st))
		return FD_SEV_INFO;
	for (i = 0; i < st->nactions; i++) {
		if (fd_policy_service_star(st->actions[i], svc, sizeof(svc)))
			continue;
		for (k = 0; k < FD_ARRAY_LEN(data_writes); k++)
			if (fd_iam_match(st->actions[i], data_writes[k].action, 1))
				add_service(what, n, data_writes[k].service);
	}
	return what[0] ? FD_SEV_MEDIUM : FD_SEV_INFO;
}

void
check_iam_data_write(struct risk_sink *s)
{
	const struct iam_role *r = facts_role(s);
	struct stmt_hit hit;

	if (!r)
		return;
	scan_role(r, pred_data_write, &hit);
	if (hit.st)
		emit_hit(s, &hit, "can write to every resource of", "");
}

static enum fd_severity
managed_severity(const char *name)
{
	if (fd_str_eq(name, "AdministratorAccess"))
		return FD_SEV_CRITICAL;
	if (fd_str_eq(name, "PowerUserAccess"))
		return FD_SEV_HIGH;
	return fd_str_ends(name, "FullAccess") ? FD_SEV_MEDIUM : FD_SEV_INFO;
}

void
check_iam_managed_broad(struct risk_sink *s)
{
	const struct iam_role *r = facts_role(s);
	enum fd_severity worst = FD_SEV_INFO;
	struct fd_buf b;
	size_t i;

	if (!r)
		return;
	fd_buf_init(&b);
	for (i = 0; i < r->npolicies; i++) {
		enum fd_severity sev = managed_severity(r->policies[i].name);
		if (r->policies[i].kind != IAM_POLICY_AWS_MANAGED || sev == FD_SEV_INFO)
			continue;
		fd_buf_printf(&b, "%s%s", b.len ? ", " : "", r->policies[i].name);
		worst = FD_MAX(worst, sev);
	}
	if (b.len)
		risk_emit(s, worst, "role %s has the AWS managed %s attached",
		          r->name ? r->name : "?", b.data);
	fd_buf_free(&b);
}

void
check_iam_role_shared(struct risk_sink *s)
{
	const struct fd_iam_facts *f = s->in->iam;
	char name[128];

	if (!f || !f->shared_mix || !s->in->fn->detail_loaded)
		return;
	if (!iam_role_name_from_arn(s->in->fn->role, name, sizeof(name)))
		fd_strlcpy(name, s->in->fn->role ? s->in->fn->role : "?", sizeof(name));
	risk_emit(s, s->check->severity, "role %s is shared across services or teams: %s", name,
	          f->shared_mix);
}

/* Anything but the Lambda service principal in an Allow statement of the trust policy. */
static enum fd_severity
trust_extra(const struct fd_policy_stmt *st, char *what, size_t n)
{
	enum fd_severity sev = FD_SEV_INFO;
	size_t i;

	what[0] = '\0';
	if (st->deny)
		return FD_SEV_INFO;
	if (st->not_principal) {
		snprintf(what, n, "NotPrincipal (everyone else)");
		return FD_SEV_CRITICAL;
	}
	for (i = 0; i < st->nprincipals; i++) {
		const char *p = st->principals[i];
		enum fd_severity one = FD_SEV_MEDIUM;
		if (strcmp(p, "Service:lambda.amazonaws.com") == 0)
			continue;
		if (strcmp(p, "*") == 0 || strcmp(p, "AWS:*") == 0)
			one = FD_SEV_CRITICAL;
		else if (fd_str_starts(p, "AWS:") && !st->condition)
			one = FD_SEV_HIGH;
		add_service(what, n, p);
		sev = FD_MAX(sev, one);
	}
	return sev;
}

void
check_iam_trust_broad(struct risk_sink *s)
{
	const struct iam_role *r = facts_role(s);
	struct stmt_hit hit;
	size_t j;
	char what[160];

	if (!r)
		return;
	memset(&hit, 0, sizeof(hit));
	for (j = 0; j < r->trust.n; j++) {
		enum fd_severity sev = trust_extra(&r->trust.stmts[j], what, sizeof(what));
		if (sev == FD_SEV_INFO || (hit.st && sev <= hit.sev))
			continue;
		hit.st = &r->trust.stmts[j];
		hit.sev = sev;
		hit.count++;
		fd_strlcpy(hit.what, what, sizeof(hit.what));
	}
	if (hit.st)
		risk_emit(s, hit.sev,
		          "role %s can also be assumed by %s (trust policy statement %d%s)",
		          r->name ? r->name : "?", hit.what, hit.st->index + 1,
		          hit.st->condition ? ", with a condition" : "");
}

static const char *
secret_label(const struct fd_secret_use *u)
{
	return u->meta && u->meta->name ? u->meta->name : u->ref->id;
}

static void
secret_rotation_one(struct risk_sink *s, const struct fd_secret_use *u)
{
	const struct fd_secret_meta *m = u->meta;
	int64_t now = s->in->now_s, limit = (int64_t)SECRET_DAYS * DAY_S;

	if (!m || !m->found)
		return;
	if (m->kind == FD_SECRET_SSM) {
		if (fd_str_eq(m->type, "SecureString") && m->last_changed_s &&
		    now - m->last_changed_s > limit)
			risk_emit(s, s->check->severity,
			          "SSM SecureString %s (%s) unchanged for %lld days (SSM has no "
			          "rotation)",
			          secret_label(u), u->ref->via,
			          (long long)((now - m->last_changed_s) / DAY_S));
		return;
	}
	if (!m->rotation_enabled)
		risk_emit(s, s->check->severity, "secret %s (%s) has no rotation", secret_label(u),
		          u->ref->via);
	else if (m->last_rotated_s && now - m->last_rotated_s > limit)
		risk_emit(s, s->check->severity, "secret %s (%s) last rotated %lld days ago",
		          secret_label(u), u->ref->via,
		          (long long)((now - m->last_rotated_s) / DAY_S));
	else if (!m->last_rotated_s && m->created_s && now - m->created_s > limit)
		risk_emit(s, s->check->severity,
		          "secret %s (%s) has rotation on but was never rotated", secret_label(u),
		          u->ref->via);
}

void
check_secret_rotation(struct risk_sink *s)
{
	const struct fd_iam_facts *f = s->in->iam;
	size_t i;

	for (i = 0; f && i < f->nsecrets; i++)
		secret_rotation_one(s, &f->secrets[i]);
}

void
check_secret_unreadable(struct risk_sink *s)
{
	const struct fd_iam_facts *f = s->in->iam;
	size_t i;

	for (i = 0; f && f->role && i < f->nsecrets; i++) {
		const struct fd_secret_use *u = &f->secrets[i];
		if (u->readable != FD_READ_NO)
			continue;
		risk_emit(s, s->check->severity,
		          "role %s cannot read %s %s (%s): no statement allows %s on %s "
		          "(identity policies only)",
		          f->role->name ? f->role->name : "?",
		          u->ref->kind == FD_SECRET_SM ? "secret" : "parameter", secret_label(u),
		          u->ref->via,
		          u->ref->kind == FD_SECRET_SM ? "secretsmanager:GetSecretValue"
		                                       : "ssm:GetParameter",
		          u->resource);
	}
}

static const char *
prod_reason_tags(const struct fd_function *fn)
{
	const char *env = fd_function_tag(fn, "env");

	if (!env)
		env = fd_function_tag(fn, "environment");
	if (fd_str_case_eq(env, "prod") || fd_str_case_eq(env, "production") ||
	    fd_str_case_eq(env, "prd"))
		return "tagged as production";
	return NULL;
}

void
check_log_debug_prod(struct risk_sink *s)
{
	const struct fd_function *fn = s->in->fn;
	const char *source = NULL, *level = fd_function_log_level(fn, &source);
	const char *why = prod_reason_tags(fn);

	if (!why && s->in->iam && s->in->iam->prod)
		why = s->in->iam->prod_why;
	if (!why || !fd_log_level_is_debug(level))
		return;
	risk_emit(s, s->check->severity, "log level %s (from %s) in production (%s)", level, source,
	          why);
}

/* The statement-level checks a statement trips, for the role view and `fleetdeck role`
 * (one source of truth with the risk board). */
static const struct {
	const char *id;
	stmt_pred pred;
} stmt_checks[] = {
    {"iam-wildcard", pred_wildcard},
    {"iam-passrole-star", pred_passrole},
    {"iam-data-write-star", pred_data_write},
};

size_t
fd_iam_stmt_risks(const struct fd_policy_stmt *st, const char **ids, size_t max)
{
	char what[160];
	size_t i, n = 0;

	for (i = 0; i < FD_ARRAY_LEN(stmt_checks) && n < max; i++)
		if (stmt_checks[i].pred(st, what, sizeof(what)) != FD_SEV_INFO)
			ids[n++] = stmt_checks[i].id;
	return n;
}

size_t
fd_iam_trust_risks(const struct fd_policy_stmt *st, const char **ids, size_t max)
{
	char what[160];

	if (max && trust_extra(st, what, sizeof(what)) != FD_SEV_INFO) {
		ids[0] = "iam-trust-broad";
		return 1;
	}
	return 0;
}

int
fd_iam_managed_is_broad(const struct iam_policy *p)
{
	return p->kind == IAM_POLICY_AWS_MANAGED && managed_severity(p->name) != FD_SEV_INFO;
}
