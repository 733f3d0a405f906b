/* cmd_role.c - `fleetdeck role NAME|ARN|--function FN`: an execution role read-only -
 * its trust policy, its policies, the effective statements grouped by service with
 * the risky ones marked (the risk board's own predicates), and the functions using it.
 * Online it lists the functions and reads the role (cache first, --refresh forces);
 * --offline / --stale-ok answer from the cache.
 *
 * Output: text (default); json: {"role", "arn", "path", "created", "last_used",
 * "functions": [...], "trust": [statement...], "policies": [{"kind", "name", "arn",
 * "version", "error"}], "statements": [statement...], "limits"}, where a statement is
 * {"service", "effect", "actions", "not_action", "resources", "not_resource",
 * "principals", "condition" (JSON or null), "policy", "statement", "sid", "risks"};
 * table / csv / ndjson: one row per grouped statement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/model.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"

#define LIMITS                                                                                     \
	"identity policies only: permission boundaries, SCPs, session and resource policies "      \
	"are not read; conditions are shown, not evaluated"

struct role_opts {
	const char *name;
	const char *function;
};

static int
parse_opts(int argc, char **argv, struct role_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--function") == 0 && i + 1 < argc)
			o->function = argv[++i];
		else if (strncmp(argv[i], "--function=", 11) == 0)
			o->function = argv[i] + 11;
		else if (argv[i][0] == '-')
			return fd_cmd_usage_of("role", "unknown option \"%s\"", argv[i]);
		else if (o->name)
			return fd_cmd_usage_of("role", "role takes one NAME");
		else
			o->name = argv[i];
	}
	if (!o->name == !o->function)
		return fd_cmd_usage_of("role", "give a role NAME or ARN, or --function FN");
	return 0;
}

/* The role's ARN: the function's role, a listed role by name or ARN, or one built from
 * the account (IAM reads roles by name, so the path does not matter). */
static char *
resolve_arn(struct fd_model *m, const struct fd_app *app, const struct role_opts *o,
            struct fd_err *err)
{
	const struct fd_fn_row *rows;
	size_t n = fd_model_rows(m, &rows), i;
	char name[128];

	if (o->function) {
		const struct fd_function *f = fd_model_function(m, o->function);
		if (!f || !f->role) {
			fd_err_set(err, FD_ENOTFOUND, "function \"%s\" not found", o->function);
			return NULL;
		}
		return fd_xstrdup(f->role);
	}
	if (fd_str_starts(o->name, "arn:"))
		return fd_xstrdup(o->name);
	for (i = 0; i < n; i++)
		if (iam_role_name_from_arn(rows[i].fn->role, name, sizeof(name)) &&
		    strcmp(name, o->name) == 0)
			return fd_xstrdup(rows[i].fn->role);
	return fd_xasprintf("arn:%s:iam::%s:role/%s", "aws", app->ctx.account, o->name);
}

/* ---- text ---- */

/* Network text, made safe for a terminal. */
static void
put_safe(const char *s)
{
	char *v = fd_sanitize_dup(s ? s : "");

	fputs(v, stdout);
	free(v);
}

static void
put(const char *label, const char *value)
{
	char *v = fd_sanitize_dup(value ? value : "-");

	printf("%-12s %s\n", label, v);
	free(v);
}

static void
put_stmt(const char *lead, const struct fd_policy_stmt *st, const char *const *risks, size_t nrisks,
         const char *source)
{
	struct fd_buf b;
	char *text;
	size_t i;

	fd_buf_init(&b);
	fd_policy_stmt_describe(st, &b);
	text = fd_sanitize_dup(b.data ? b.data : "");
	printf("  %s %s", nrisks ? "!" : " ", lead);
	printf("%s", text);
	free(text);
	if (source) {
		printf("   [");
		put_safe(source);
		printf(" #%d%s", st->index + 1, st->sid ? " " : "");
		put_safe(st->sid);
		putchar(']');
	}
	for (i = 0; i < nrisks; i++)
		printf("%s%s", i ? ", " : "   RISK ", risks[i]);
	putchar('\n');
	fd_buf_free(&b);
}

static void
text_trust(const struct iam_role *r)
{
	const char *risks[2];
	size_t i;

	printf("\ntrust policy\n");
	for (i = 0; i < r->trust.n; i++)
		put_stmt("", &r->trust.stmts[i], risks,
		         fd_iam_trust_risks(&r->trust.stmts[i], risks, 2), NULL);
}

static void
text_policies(const struct iam_role *r)
{
	size_t i;

	printf("\npolicies (%zu)\n", r->npolicies);
	for (i = 0; i < r->npolicies; i++) {
		const struct iam_policy *p = &r->policies[i];
		printf("  %s %-12s ", fd_iam_managed_is_broad(p) ? "!" : " ",
		       iam_policy_kind_name(p->kind));
		put_safe(p->arn ? p->arn : p->name ? p->name : "?");
		if (p->version) {
			printf(" (");
			put_safe(p->version);
			putchar(')');
		}
		printf("%s\n", fd_iam_managed_is_broad(p) ? "   RISK iam-managed-broad" : "");
		if (p->error)
			put("    error", p->error);
	}
}

static void
text_statements(const struct iam_role *r)
{
	struct fd_role_stmt *s;
	size_t n = fd_role_statements(r, &s), i;
	char src[256];

	printf("\nstatements by service\n");
	for (i = 0; i < n; i++) {
		if (!i || strcmp(s[i].service, s[i - 1].service) != 0) {
			printf("  ");
			put_safe(s[i].service);
			putchar('\n');
		}
		snprintf(src, sizeof(src), "%s %s", iam_policy_kind_name(s[i].policy->kind),
		         s[i].policy->name ? s[i].policy->name : "?");
		put_stmt("  ", s[i].st, s[i].risks, s[i].nrisks, src);
	}
	fd_role_statements_free(s, n);
}

static void
print_text(struct fd_model *m, const struct iam_role *r)
{
	const char **users;
	size_t n = fd_iam_model_role_users(m, r->arn, &users), i;

	put("role", r->name);
	put("arn", r->arn);
	put("created", r->created);
	put("last used", r->last_used);
	if (r->error)
		put("error", r->error);
	printf("functions    %zu:", n);
	for (i = 0; i < n; i++) {
		putchar(' ');
		put_safe(users[i]);
	}
	putchar('\n');
	free(users);
	text_trust(r);
	text_policies(r);
	text_statements(r);
	printf("\nlimits: %s\n", LIMITS);
}

/* ---- json ---- */

static void
json_list(const char *key, char *const *items, size_t n)
{
	size_t i;

	printf(",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		fd_json_put_string(stdout, items[i]);
	}
	putchar(']');
}

static void
json_kv(const char *key, const char *v, int first)
{
	printf("%s\"%s\":", first ? "" : ",", key);
	if (v)
		fd_json_put_string(stdout, v);
	else
		printf("null");
}

static void
json_stmt(const struct fd_policy_stmt *st, const char *service, const char *const *actions,
          size_t nactions, const char *policy, const char *const *risks, size_t nrisks)
{
	json_kv("service", service, 1);
	json_kv("effect", st->deny ? "Deny" : "Allow", 0);
	json_list("actions", (char *const *)actions, nactions);
	printf(",\"not_action\":%s", st->not_action ? "true" : "false");
	json_list("resources", st->resources, st->nresources);
	printf(",\"not_resource\":%s", st->not_resource ? "true" : "false");
	json_list("principals", st->principals, st->nprincipals);
	printf(",\"condition\":%s", st->condition ? st->condition : "null");
	json_kv("policy", policy, 0);
	printf(",\"statement\":%d", st->index + 1);
	json_kv("sid", st->sid, 0);
	json_list("risks", (char *const *)risks, nrisks);
}

static void
json_statements(const struct iam_role *r)
{
	struct fd_role_stmt *s;
	size_t n = fd_role_statements(r, &s), i;

	printf(",\"statements\":[");
	for (i = 0; i < n; i++) {
		printf("%s{", i ? "," : "");
		json_stmt(s[i].st, s[i].service, s[i].actions, s[i].nactions, s[i].policy->name,
		          s[i].risks, s[i].nrisks);
		putchar('}');
	}
	putchar(']');
	fd_role_statements_free(s, n);
}

static void
json_trust_policies(const struct iam_role *r)
{
	const char *risks[2];
	size_t i;

	printf(",\"trust\":[");
	for (i = 0; i < r->trust.n; i++) {
		printf("%s{", i ? "," : "");
		json_stmt(&r->trust.stmts[i], "sts", (const char *const *)r->trust.stmts[i].actions,
		          r->trust.stmts[i].nactions, "trust", risks,
		          fd_iam_trust_risks(&r->trust.stmts[i], risks, 2));
		putchar('}');
	}
	printf("],\"policies\":[");
	for (i = 0; i < r->npolicies; i++) {
		const struct iam_policy *p = &r->policies[i];
		printf("%s{", i ? "," : "");
		json_kv("kind", iam_policy_kind_name(p->kind), 1);
		json_kv("name", p->name, 0);
		json_kv("arn", p->arn, 0);
		json_kv("version", p->version, 0);
		json_kv("error", p->error, 0);
		printf(",\"broad\":%s}", fd_iam_managed_is_broad(p) ? "true" : "false");
	}
	putchar(']');
}

static void
print_json(struct fd_model *m, const struct iam_role *r)
{
	const char **users;
	size_t n = fd_iam_model_role_users(m, r->arn, &users);

	putchar('{');
	json_kv("role", r->name, 1);
	json_kv("arn", r->arn, 0);
	json_kv("path", r->path, 0);
	json_kv("created", r->created, 0);
	json_kv("last_used", r->last_used, 0);
	json_kv("error", r->error, 0);
	json_list("functions", (char *const *)users, n);
	free(users);
	json_trust_policies(r);
	json_statements(r);
	json_kv("limits", LIMITS, 0);
	printf("}\n");
}

/* ---- rows ---- */

static void
print_rows(enum fd_output fmt, const struct iam_role *r)
{
	static const struct fd_col cols[] = {
	    {"service", "SERVICE", FD_COL_STR, 10, 0, 0},
	    {"effect", "EFFECT", FD_COL_STR, 6, 0, 0},
	    {"statement", "STATEMENT", FD_COL_STR, 0, 0, 0},
	    {"policy", "POLICY", FD_COL_STR, 24, 0, 0},
	    {"risks", "RISKS", FD_COL_STR, 20, 0, 0},
	};
	struct fd_out *o = fd_out_begin(stdout, fmt, cols, FD_ARRAY_LEN(cols));
	struct fd_role_stmt *s;
	size_t n = fd_role_statements(r, &s), i, k;

	for (i = 0; i < n; i++) {
		struct fd_buf text, risks;
		struct fd_cell c[5];
		fd_buf_init(&text);
		fd_buf_init(&risks);
		fd_policy_stmt_describe(s[i].st, &text);
		for (k = 0; k < s[i].nrisks; k++)
			fd_buf_printf(&risks, "%s%s", k ? "," : "", s[i].risks[k]);
		c[0] = fd_cell_str(s[i].service);
		c[1] = fd_cell_str(s[i].st->deny ? "Deny" : "Allow");
		c[2] = fd_cell_str(text.data ? text.data : "");
		c[3] = fd_cell_str(s[i].policy->name);
		c[4] = fd_cell_str(risks.data ? risks.data : "");
		fd_out_row(o, c);
		fd_buf_free(&text);
		fd_buf_free(&risks);
	}
	fd_out_end(o);
	fd_role_statements_free(s, n);
}

static enum fd_status
load_role(struct fd_model *m, struct fd_app *app, const char *arn, struct fd_err *err)
{
	struct iam_role *roles = NULL;
	size_t n = 1;
	enum fd_status st;

	st = iam_fetch_roles_sync(app->offline ? NULL : app->client, app->cache, &app->ctx, &arn, 1,
	                          app->refresh, &roles, NULL, err);
	if (st == FD_OK)
		fd_iam_model_put_roles(m, roles, n);
	return st;
}

int
cmd_role(struct fd_app *app, int argc, char **argv)
{
	struct role_opts o = {NULL, NULL};
	struct fd_err err = {FD_OK, ""};
	const struct iam_role *r;
	struct fd_model *m = NULL;
	char *arn = NULL;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (fd_model_open_headless(app, FD_REFRESH_LIST, &m, &err) != FD_OK)
		return fd_cmd_fail(&err);
	arn = resolve_arn(m, app, &o, &err);
	if (!arn || load_role(m, app, arn, &err) != FD_OK) {
		rc = fd_cmd_fail(&err);
		goto out;
	}
	r = fd_iam_model_role(m, arn);
	if (!r || r->error) {
		fd_err_set(&err, FD_ENOTFOUND, "role %s: %s", arn,
		           r && r->error ? r->error : "not found");
		rc = fd_cmd_fail(&err);
	} else if (app->output == FD_OUT_JSON) {
		print_json(m, r);
	} else if (app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TEXT) {
		print_text(m, r);
	} else {
		print_rows(app->output, r);
	}
out:
	free(arn);
	fd_model_free(m);
	return rc;
}
