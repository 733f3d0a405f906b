/* iam_model.c - the model's IAM state: the execution roles and secret metadata of the
 * context (from the cache, refreshed by fd_iam_model_refresh_sync or the console's
 * role view), and per function the facts the least-privilege checks read: its role,
 * who else shares the role (by the service and team tags), the secrets it references
 * and whether the role can read them, and whether it runs in production. Kept beside
 * the fleet model through one pointer (m->iam); the model calls prepare before it
 * evaluates risks and asks for each function's facts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/iam.h"
#include "model_int.h"

#define MIX_SHOWN 3
#define META_IAM_FETCHED "iam_fetched"

struct role_group {
	const char *arn; /* belongs to a function record */
	size_t first, n; /* range in the sorted index */
	char *mix;       /* "other services/teams" text, NULL when uniform */
};

struct fn_facts {
	struct fd_iam_facts pub;
	struct fd_secret_ref *refs;
	struct fd_secret_use *uses;
	size_t nrefs;
};

struct fd_iam_state {
	int loaded, has_data, prod_profile;
	struct iam_role *roles; /* sorted by ARN */
	size_t nroles;
	struct fd_secret_meta *metas;
	size_t nmetas;
	struct fn_facts *facts; /* parallel to m->fns at the last prepare */
	size_t nfacts;
	size_t *order; /* function indices sorted by role ARN */
	struct role_group *groups;
	size_t ngroups;
};

static struct fd_iam_state *
state_of(struct fd_model *m)
{
	if (!m->iam)
		m->iam = fd_xcalloc(1, sizeof(*m->iam));
	return m->iam;
}

static void
facts_clear(struct fd_iam_state *s)
{
	size_t i;

	for (i = 0; i < s->nfacts; i++) {
		fd_secret_refs_free(s->facts[i].refs, s->facts[i].nrefs);
		free(s->facts[i].uses);
	}
	free(s->facts);
	for (i = 0; i < s->ngroups; i++)
		free(s->groups[i].mix);
	free(s->groups);
	free(s->order);
	s->facts = NULL;
	s->groups = NULL;
	s->order = NULL;
	s->nfacts = s->ngroups = 0;
}

void
fd_iam_state_free(struct fd_iam_state *s)
{
	if (!s)
		return;
	facts_clear(s);
	iam_roles_free(s->roles, s->nroles);
	fd_secret_metas_free(s->metas, s->nmetas);
	free(s);
}

static int
cmp_role(const void *a, const void *b)
{
	const struct iam_role *x = a, *y = b;

	return strcmp(x->arn ? x->arn : "", y->arn ? y->arn : "");
}

static const struct iam_role *
find_role(const struct fd_iam_state *s, const char *arn)
{
	struct iam_role key;

	if (!arn || !s->nroles)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.arn = (char *)arn;
	return bsearch(&key, s->roles, s->nroles, sizeof(*s->roles), cmp_role);
}

static void
load_cache(struct fd_model *m, struct fd_iam_state *s)
{
	char *mark;

	s->loaded = 1;
	if (!m->cache)
		return;
	(void)fd_cache_get_iam_roles(m->cache, &m->ctx, &s->roles, &s->nroles, NULL);
	(void)fd_cache_get_secret_metas(m->cache, &m->ctx, &s->metas, &s->nmetas, NULL);
	mark = fd_cache_meta_get(m->cache, &m->ctx, META_IAM_FETCHED);
	s->has_data = mark != NULL || s->nroles > 0;
	free(mark);
}

/* ---- sharing ---- */

static struct fd_model *sort_model; /* qsort context: one thread, one sort at a time */

static int
cmp_fn_role(const void *a, const void *b)
{
	const struct fd_function *x = &sort_model->fns[*(const size_t *)a];
	const struct fd_function *y = &sort_model->fns[*(const size_t *)b];
	int c = strcmp(x->role ? x->role : "", y->role ? y->role : "");

	return c ? c : strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* Adds v to the distinct values seen (at most a few are kept: two already make a mix). */
static void
note_value(const char **seen, size_t *n, const char *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(seen[i], v) == 0)
			return;
	if (*n < 4)
		seen[(*n)++] = v;
}

/* Names a few functions of distinct (service, team) when the role's functions span
 * more than one service or team; NULL when they all agree (or carry no such tags). */
static char *
group_mix(struct fd_model *m, const size_t *idx, size_t n)
{
	const char *svc[4], *team[4], *pairs[MIX_SHOWN * 2];
	size_t nsvc = 0, nteam = 0, npairs = 0, shown = 0, i, j;
	struct fd_buf b;

	for (i = 0; i < n; i++) {
		note_value(svc, &nsvc, fd_function_tag(&m->fns[idx[i]], "service"));
		note_value(team, &nteam, fd_function_tag(&m->fns[idx[i]], "team"));
	}
	if (nsvc < 2 && nteam < 2)
		return NULL;
	fd_buf_init(&b);
	for (i = 0; i < n && shown < MIX_SHOWN; i++) {
		const struct fd_function *f = &m->fns[idx[i]];
		const char *s = fd_function_tag(f, "service"), *t = fd_function_tag(f, "team");
		for (j = 0; j < npairs; j += 2)
			if (fd_str_eq(pairs[j], s) && fd_str_eq(pairs[j + 1], t))
				break;
		if (j < npairs)
			continue;
		pairs[npairs++] = s;
		pairs[npairs++] = t;
		fd_buf_printf(&b, "%s%s (service %s, team %s)", shown++ ? ", " : "", f->name,
		              s ? s : "?", t ? t : "?");
	}
	if (n > shown)
		fd_buf_printf(&b, " among %zu functions", n);
	return fd_buf_steal(&b);
}

static void
build_groups(struct fd_model *m, struct fd_iam_state *s)
{
	size_t i, start;

	s->order = fd_xcalloc(m->nfns ? m->nfns : 1, sizeof(*s->order));
	for (i = 0; i < m->nfns; i++)
		s->order[i] = i;
	sort_model = m;
	qsort(s->order, m->nfns, sizeof(*s->order), cmp_fn_role);
	s->groups = fd_xcalloc(m->nfns ? m->nfns : 1, sizeof(*s->groups));
	for (start = 0; start < m->nfns; start = i) {
		const char *arn = m->fns[s->order[start]].role;
		struct role_group *g = &s->groups[s->ngroups++];
		for (i = start; i < m->nfns && fd_str_eq(m->fns[s->order[i]].role, arn); i++)
			;
		g->arn = arn;
		g->first = start;
		g->n = i - start;
		g->mix = arn && g->n > 1 ? group_mix(m, s->order + start, g->n) : NULL;
	}
}

/* ---- per function ---- */

static const struct fd_secret_meta *
find_meta(const struct fd_iam_state *s, const struct fd_secret_ref *r)
{
	size_t i;

	for (i = 0; i < s->nmetas; i++)
		if (s->metas[i].kind == r->kind && fd_str_eq(s->metas[i].id, r->id))
			return &s->metas[i];
	return NULL;
}

static int
is_secret(const struct fd_secret_meta *meta)
{
	if (!meta || !meta->found)
		return 0;
	return meta->kind == FD_SECRET_SM || fd_str_eq(meta->type, "SecureString");
}

static void
secret_uses(struct fd_model *m, struct fd_iam_state *s, struct fn_facts *ff)
{
	const struct iam_role *role = ff->pub.role;
	size_t i;

	ff->nrefs = fd_secret_refs(&m->fns[ff - s->facts], &ff->refs);
	if (!ff->nrefs)
		return;
	ff->uses = fd_xcalloc(ff->nrefs, sizeof(*ff->uses));
	for (i = 0; i < ff->nrefs; i++) {
		struct fd_secret_use *u = &ff->uses[i];
		u->ref = &ff->refs[i];
		u->meta = find_meta(s, u->ref);
		u->readable = FD_READ_UNKNOWN;
		/* Judged only for real secrets (a String parameter is not one). */
		if (!role || role->error || !is_secret(u->meta) ||
		    !fd_secret_resource_arn(u->ref, u->meta, &m->ctx, u->resource,
		                            sizeof(u->resource)))
			continue;
		u->readable = fd_iam_role_can_read(role, u->ref->kind, u->resource);
	}
	ff->pub.secrets = ff->uses;
	ff->pub.nsecrets = ff->nrefs;
}

static const char *
prod_reason(const struct fd_function *fn, int prod_profile)
{
	const char *env = fd_function_tag(fn, "env");

	if (!env)
		env = fd_function_tag(fn, "environment");
	if (fd_str_case_eq(env, "prod") || fd_str_case_eq(env, "production") ||
	    fd_str_case_eq(env, "prd"))
		return "tagged as production";
	return prod_profile ? "profile marked prod" : NULL;
}

static void
build_facts(struct fd_model *m, struct fd_iam_state *s)
{
	size_t g, i;

	s->facts = fd_xcalloc(m->nfns ? m->nfns : 1, sizeof(*s->facts));
	s->nfacts = m->nfns;
	for (g = 0; g < s->ngroups; g++)
		for (i = 0; i < s->groups[g].n; i++) {
			struct fn_facts *ff = &s->facts[s->order[s->groups[g].first + i]];
			ff->pub.shared_mix = s->groups[g].mix;
			ff->pub.role_functions = s->groups[g].arn ? s->groups[g].n : 0;
		}
	for (i = 0; i < m->nfns; i++) {
		struct fn_facts *ff = &s->facts[i];
		const struct fd_function *fn = &m->fns[i];
		ff->pub.role = find_role(s, fn->role);
		ff->pub.prod_why = prod_reason(fn, s->prod_profile);
		ff->pub.prod = ff->pub.prod_why != NULL;
		ff->pub.uses_extension = fd_secret_uses_extension(fn);
		ff->pub.uses_powertools_params = fd_secret_uses_powertools_params(fn);
		secret_uses(m, s, ff);
	}
}

void
fd_iam_model_prepare(struct fd_model *m)
{
	struct fd_iam_state *s;

	if (!m)
		return;
	s = state_of(m);
	if (!s->loaded)
		load_cache(m, s);
	facts_clear(s);
	if (!s->has_data)
		return;
	build_groups(m, s);
	build_facts(m, s);
}

int
fd_iam_model_has_data(struct fd_model *m)
{
	struct fd_iam_state *s = state_of(m);

	if (!s->loaded)
		load_cache(m, s);
	return s->has_data;
}

const struct fd_iam_facts *
fd_iam_model_facts(struct fd_model *m, const struct fd_function *fn)
{
	struct fd_iam_state *s = m ? m->iam : NULL;
	size_t idx;

	if (!s || !s->has_data || !fn || fn < m->fns || fn >= m->fns + m->nfns)
		return NULL;
	idx = (size_t)(fn - m->fns);
	return idx < s->nfacts ? &s->facts[idx].pub : NULL;
}

void
fd_iam_model_set_prod(struct fd_model *m, int prod)
{
	state_of(m)->prod_profile = prod != 0;
	model_changed(m);
}

/* ---- refresh ---- */

/* Replaces roles of the same ARN, appends the others, sorts once. */
static void
install_roles(struct fd_iam_state *s, struct iam_role *roles, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!roles[i].arn) {
			iam_role_clear(&roles[i]);
			continue;
		}
		for (j = 0; j < s->nroles && strcmp(s->roles[j].arn, roles[i].arn) != 0; j++)
			;
		if (j < s->nroles) {
			iam_role_clear(&s->roles[j]);
			s->roles[j] = roles[i];
			continue;
		}
		s->roles = fd_xreallocarray(s->roles, s->nroles + 1, sizeof(*s->roles));
		s->roles[s->nroles++] = roles[i];
	}
	if (s->nroles)
		qsort(s->roles, s->nroles, sizeof(*s->roles), cmp_role);
	free(roles);
	s->has_data = 1;
}

void
fd_iam_model_put_roles(struct fd_model *m, struct iam_role *roles, size_t n)
{
	struct fd_iam_state *s = state_of(m);

	if (!s->loaded)
		load_cache(m, s);
	install_roles(s, roles, n);
	model_changed(m);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct role ARNs of the fleet, sorted. */
static size_t
distinct_roles(struct fd_model *m, const char ***out)
{
	const char **v = fd_xcalloc(m->nfns ? m->nfns : 1, sizeof(*v));
	size_t i, n = 0, k = 0;

	for (i = 0; i < m->nfns; i++)
		if (m->fns[i].role && *m->fns[i].role)
			v[n++] = m->fns[i].role;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*out = v;
	return k;
}

/* Every reference of the fleet, once per (kind, id). */
static size_t
distinct_refs(struct fd_model *m, struct fd_secret_ref **out)
{
	struct fd_secret_ref *all = NULL;
	size_t n = 0, i, j, k;

	for (i = 0; i < m->nfns; i++) {
		struct fd_secret_ref *r = NULL;
		size_t nr = fd_secret_refs(&m->fns[i], &r);
		for (j = 0; j < nr; j++) {
			for (k = 0; k < n; k++)
				if (all[k].kind == r[j].kind && strcmp(all[k].id, r[j].id) == 0)
					break;
			if (k < n)
				continue;
			all = fd_xreallocarray(all, n + 1, sizeof(*all));
			all[n].kind = r[j].kind;
			all[n].id = fd_xstrdup(r[j].id);
			all[n++].via = fd_xstrdup(r[j].via);
		}
		fd_secret_refs_free(r, nr);
	}
	*out = all;
	return n;
}

static void
install_metas(struct fd_iam_state *s, struct fd_secret_meta *metas, size_t n)
{
	fd_secret_metas_free(s->metas, s->nmetas);
	s->metas = metas;
	s->nmetas = n;
}

enum fd_status
fd_iam_model_refresh_sync(struct fd_model *m, int force, int prod, struct iam_fetch_stats *stats,
                          struct fd_err *err)
{
	struct fd_iam_state *s = state_of(m);
	struct iam_role *roles = NULL;
	struct fd_secret_ref *refs = NULL;
	struct fd_secret_meta *metas = NULL;
	const char **arns = NULL;
	size_t narns = distinct_roles(m, &arns), nroles = 0, nrefs;
	enum fd_status st;

	s->prod_profile = prod != 0;
	if (!s->loaded)
		load_cache(m, s);
	st = iam_fetch_roles_sync(m->client, m->cache, &m->ctx, arns, narns, force, &roles, stats,
	                          err);
	free(arns);
	if (st != FD_OK)
		return st;
	nroles = narns;
	install_roles(s, roles, nroles);
	nrefs = distinct_refs(m, &refs);
	st = fd_secrets_describe_sync(m->client, m->cache, &m->ctx, refs, nrefs, force, &metas,
	                              NULL, err);
	fd_secret_refs_free(refs, nrefs);
	if (st == FD_OK)
		install_metas(s, metas, nrefs);
	if (m->cache)
		(void)fd_cache_meta_set(m->cache, &m->ctx, META_IAM_FETCHED, "1", NULL);
	model_changed(m);
	return st;
}

void
fd_iam_model_headless(struct fd_model *m, struct fd_app *app)
{
	struct fd_iam_state *s = state_of(m);
	struct fd_err err = {FD_OK, ""};

	s->prod_profile = app->settings.prod != 0;
	if (!s->loaded)
		load_cache(m, s);
	model_changed(m);
	if (app->offline || !m->client || (app->stale_ok && s->has_data))
		return;
	if (fd_iam_model_refresh_sync(m, app->refresh, s->prod_profile, NULL, &err) != FD_OK)
		fprintf(stderr, "fleetdeck: IAM and secrets not refreshed: %s\n", err.msg);
}

/* ---- the role view ---- */

const struct iam_role *
fd_iam_model_role(struct fd_model *m, const char *arn_or_name)
{
	struct fd_iam_state *s = state_of(m);
	size_t i;

	if (!s->loaded)
		load_cache(m, s);
	for (i = 0; arn_or_name && i < s->nroles; i++)
		if (fd_str_eq(s->roles[i].arn, arn_or_name) ||
		    fd_str_eq(s->roles[i].name, arn_or_name))
			return &s->roles[i];
	return NULL;
}

size_t
fd_iam_model_role_users(struct fd_model *m, const char *arn, const char ***names)
{
	size_t i, n = 0;

	*names = fd_xcalloc(m->nfns ? m->nfns : 1, sizeof(**names));
	for (i = 0; arn && i < m->nfns; i++)
		if (fd_str_eq(m->fns[i].role, arn))
			(*names)[n++] = m->fns[i].name;
	return n;
}
