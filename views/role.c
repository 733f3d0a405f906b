/* role.c - an execution role, read-only: its trust policy, its policies, the effective
 * statements grouped by service with the risky ones marked (the risk board's own
 * predicates), and the functions using it (Enter opens one). The cached role shows at
 * once; the role is read again in the background when the cache is older than the
 * TTL, and `r` reads it again now. The argument is a role name or ARN, or a function
 * name (its role). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/iam.h"
#include "fleetdeck/view.h"

struct roleview {
	char arn[512];
	struct fd_text text;
	struct iam_fetch *fetch;
	int fetching;
	char error[256];
};

static void
line(struct fd_text *t, enum fd_role role, const char *label, const char *value)
{
	fd_text_newline(t);
	fd_text_printf(t, FD_ROLE_LABEL, "  %-12s", label);
	fd_text_put(t, role, value ? value : "-");
}

static void
put_stmt(struct fd_text *t, const struct fd_policy_stmt *st, const char *const *risks,
         size_t nrisks, const char *source)
{
	struct fd_buf b;
	size_t i;

	fd_buf_init(&b);
	fd_policy_stmt_describe(st, &b);
	fd_text_newline(t);
	fd_text_put(t, nrisks ? FD_ROLE_SEV_HIGH : FD_ROLE_NORMAL, nrisks ? "  ! " : "    ");
	fd_text_put(t, nrisks ? FD_ROLE_SEV_HIGH : FD_ROLE_NORMAL, b.data ? b.data : "");
	if (source)
		fd_text_printf(t, FD_ROLE_DIM, "  [%s #%d]", source, st->index + 1);
	for (i = 0; i < nrisks; i++)
		fd_text_printf(t, FD_ROLE_WARNING, "%s%s", i ? ", " : "  ", risks[i]);
	fd_buf_free(&b);
}

static void
trust_section(struct fd_text *t, const struct iam_role *r)
{
	const char *risks[2];
	size_t i;

	fd_text_section(t, "Trust policy");
	for (i = 0; i < r->trust.n; i++)
		put_stmt(t, &r->trust.stmts[i], risks,
		         fd_iam_trust_risks(&r->trust.stmts[i], risks, 2), NULL);
}

static void
policies_section(struct fd_text *t, const struct iam_role *r)
{
	size_t i;

	fd_text_section(t, "Policies");
	for (i = 0; i < r->npolicies; i++) {
		const struct iam_policy *p = &r->policies[i];
		int broad = fd_iam_managed_is_broad(p);
		fd_text_newline(t);
		fd_text_printf(t, broad ? FD_ROLE_SEV_HIGH : FD_ROLE_NORMAL, "  %s %-12s %s",
		               broad ? "!" : " ", iam_policy_kind_name(p->kind),
		               p->arn    ? p->arn
		               : p->name ? p->name
		                         : "?");
		if (p->version)
			fd_text_printf(t, FD_ROLE_DIM, " (%s)", p->version);
		if (broad)
			fd_text_put(t, FD_ROLE_WARNING, "  iam-managed-broad");
		if (p->error)
			fd_text_printf(t, FD_ROLE_ERROR, "  %s", p->error);
	}
}

static void
statements_section(struct fd_text *t, const struct iam_role *r)
{
	struct fd_role_stmt *s;
	size_t n = fd_role_statements(r, &s), i;
	char src[256];

	fd_text_section(t, "Statements by service");
	for (i = 0; i < n; i++) {
		if (!i || strcmp(s[i].service, s[i - 1].service) != 0) {
			fd_text_newline(t);
			fd_text_printf(t, FD_ROLE_HEADER, "  %s", s[i].service);
		}
		snprintf(src, sizeof(src), "%s %s", iam_policy_kind_name(s[i].policy->kind),
		         s[i].policy->name ? s[i].policy->name : "?");
		put_stmt(t, s[i].st, s[i].risks, s[i].nrisks, src);
	}
	if (!n)
		line(t, FD_ROLE_DIM, "", "no readable statements");
	fd_role_statements_free(s, n);
}

static void
functions_section(struct fd_view *v, struct fd_text *t, const char *arn)
{
	const char **users;
	size_t n = fd_iam_model_role_users(fd_ui_model(v->ui), arn, &users), i;
	char title[64];

	snprintf(title, sizeof(title), "Functions (%zu)", n);
	fd_text_section(t, title);
	for (i = 0; i < n; i++) {
		fd_text_newline(t);
		fd_text_printf(t, FD_ROLE_NORMAL, "  %s", users[i]);
		fd_text_link(t, users[i]);
	}
	free(users);
}

static void
build(struct fd_view *v)
{
	struct roleview *rv = v->priv;
	const struct iam_role *r = fd_iam_model_role(fd_ui_model(v->ui), rv->arn);

	fd_text_clear(&rv->text);
	line(&rv->text, FD_ROLE_NORMAL, "arn", rv->arn);
	if (rv->fetching)
		line(&rv->text, FD_ROLE_DIM, "", "reading the role from IAM...");
	if (rv->error[0])
		line(&rv->text, FD_ROLE_ERROR, "error", rv->error);
	if (r) {
		line(&rv->text, FD_ROLE_NORMAL, "created", r->created);
		line(&rv->text, FD_ROLE_NORMAL, "last used", r->last_used);
		if (r->error)
			line(&rv->text, FD_ROLE_ERROR, "error", r->error);
		trust_section(&rv->text, r);
		policies_section(&rv->text, r);
		statements_section(&rv->text, r);
	}
	functions_section(v, &rv->text, rv->arn);
	fd_text_newline(&rv->text);
	fd_text_newline(&rv->text);
	fd_text_put(&rv->text, FD_ROLE_DIM,
	            "  identity policies only; conditions are shown, not evaluated");
}

static void
take_roles(struct fd_view *v)
{
	struct roleview *rv = v->priv;
	struct iam_role *roles = NULL;
	size_t n = 0;

	iam_fetch_take(rv->fetch, &roles, &n, NULL);
	iam_fetch_free(rv->fetch);
	rv->fetch = NULL;
	rv->fetching = 0;
	if (n && roles[0].error)
		snprintf(rv->error, sizeof(rv->error), "%s", roles[0].error);
	fd_iam_model_put_roles(fd_ui_model(v->ui), roles, n);
	build(v);
}

static void
fetch_done(struct iam_fetch *f, void *ud)
{
	(void)f;
	take_roles(ud);
}

static void
start_fetch(struct fd_view *v, int force)
{
	struct roleview *rv = v->priv;
	struct fd_app *app = fd_ui_app(v->ui);
	const char *arn = rv->arn;

	if (rv->fetch)
		return;
	rv->error[0] = '\0';
	rv->fetching = 1;
	rv->fetch = iam_fetch_start(app->offline ? NULL : app->client, app->cache, &app->ctx, &arn,
	                            1, force, fetch_done, v);
	if (iam_fetch_done(rv->fetch))
		take_roles(v);
}

/* The role of the function named arg, a role ARN, or a role name of the fleet. */
static void
resolve(struct fd_view *v, const char *arg)
{
	struct roleview *rv = v->priv;
	struct fd_model *m = fd_ui_model(v->ui);
	const struct fd_function *f = fd_model_function(m, arg);
	const struct fd_fn_row *rows;
	size_t n, i;
	char name[128];

	if (f && f->role) {
		fd_strlcpy(rv->arn, f->role, sizeof(rv->arn));
		return;
	}
	if (fd_str_starts(arg, "arn:")) {
		fd_strlcpy(rv->arn, arg, sizeof(rv->arn));
		return;
	}
	n = fd_model_rows(m, &rows);
	for (i = 0; i < n; i++)
		if (iam_role_name_from_arn(rows[i].fn->role, name, sizeof(name)) &&
		    strcmp(name, arg) == 0) {
			fd_strlcpy(rv->arn, rows[i].fn->role, sizeof(rv->arn));
			return;
		}
	snprintf(rv->arn, sizeof(rv->arn), "arn:aws:iam::%s:role/%s", fd_ui_app(v->ui)->ctx.account,
	         arg);
}

static void
role_open(struct fd_view *v, const char *arg)
{
	struct roleview *rv = v->priv;
	char name[80];

	resolve(v, arg ? arg : "");
	if (!iam_role_name_from_arn(rv->arn, name, sizeof(name)))
		fd_strlcpy(name, arg ? arg : "?", sizeof(name));
	snprintf(v->title, sizeof(v->title), "role %.80s", name);
	build(v);
	start_fetch(v, 0);
}

static void
role_close(struct fd_view *v)
{
	struct roleview *rv = v->priv;

	iam_fetch_free(rv->fetch);
	fd_text_free(&rv->text);
}

static void
role_draw(struct fd_view *v, struct fd_rect r)
{
	struct roleview *rv = v->priv;

	fd_text_draw(&rv->text, r);
}

static int
role_request(struct fd_view *v, enum fd_request req)
{
	struct roleview *rv = v->priv;
	const char *link = fd_text_selected_link(&rv->text);

	if (req == FD_REQ_ENTER) {
		if (link)
			fd_ui_push(v->ui, &fd_view_function, link);
		return 1;
	}
	if (req == FD_REQ_REFRESH) {
		start_fetch(v, 1);
		build(v);
		return 1;
	}
	return fd_text_request(&rv->text, req);
}

static enum fd_status
role_search(struct fd_view *v, const char *pattern, struct fd_err *err)
{
	struct roleview *rv = v->priv;

	return fd_text_search(&rv->text, pattern, err);
}

const struct fd_view_ops fd_view_role = {
    .name = "role",
    .priv_size = sizeof(struct roleview),
    .open = role_open,
    .close = role_close,
    .draw = role_draw,
    .request = role_request,
    .changed = build,
    .search = role_search,
};
