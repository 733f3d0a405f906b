/* iam_role.c - a role's effective statements grouped by service, for `fleetdeck role`
 * and the role view: each statement of each readable policy is split by the service
 * prefix of its actions ("s3:GetObject" -> s3; "*" and NotAction -> "*"), keeping the
 * statement's effect, resources, condition and the risk checks it trips. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/iam.h"

static void
service_of(const char *action, char *out, size_t n)
{
	const char *colon = strchr(action, ':');
	size_t len = colon ? (size_t)(colon - action) : 0;

	if (!colon || len == 0 || strchr(action, '*') == action) {
		fd_strlcpy(out, "*", n);
		return;
	}
	len = FD_MIN(len, n - 1);
	memcpy(out, action, len);
	out[len] = '\0';
}

static struct fd_role_stmt *
entry_for(struct fd_role_stmt **out, size_t *n, size_t first, const char *svc)
{
	size_t i;

	for (i = first; i < *n; i++)
		if (strcmp((*out)[i].service, svc) == 0)
			return &(*out)[i];
	*out = fd_xreallocarray(*out, *n + 1, sizeof(**out));
	memset(&(*out)[*n], 0, sizeof(**out));
	fd_strlcpy((*out)[*n].service, svc, sizeof((*out)[*n].service));
	return &(*out)[(*n)++];
}

static void
split_statement(const struct iam_policy *p, const struct fd_policy_stmt *st,
                struct fd_role_stmt **out, size_t *n)
{
	size_t first = *n, i;
	char svc[64];

	for (i = 0; i < st->nactions; i++) {
		struct fd_role_stmt *e;
		if (st->not_action)
			fd_strlcpy(svc, "*", sizeof(svc));
		else
			service_of(st->actions[i], svc, sizeof(svc));
		e = entry_for(out, n, first, svc);
		e->policy = p;
		e->st = st;
		e->actions = fd_xreallocarray(e->actions, e->nactions + 1, sizeof(*e->actions));
		e->actions[e->nactions++] = st->actions[i];
	}
	for (i = first; i < *n; i++)
		(*out)[i].nrisks =
		    fd_iam_stmt_risks(st, (*out)[i].risks, FD_ARRAY_LEN((*out)[i].risks));
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct fd_role_stmt *x = a, *y = b;
	int c = strcmp(x->service, y->service);

	if (c)
		return strcmp(x->service, "*") == 0 ? -1 : strcmp(y->service, "*") == 0 ? 1 : c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t
fd_role_statements(const struct iam_role *r, struct fd_role_stmt **out)
{
	size_t n = 0, i, j;

	*out = NULL;
	for (i = 0; r && i < r->npolicies; i++)
		for (j = 0; j < r->policies[i].doc.n; j++)
			split_statement(&r->policies[i], &r->policies[i].doc.stmts[j], out, &n);
	for (i = 0; i < n; i++)
		(*out)[i].seq = i;
	if (n)
		qsort(*out, n, sizeof(**out), cmp_entry);
	return n;
}

void
fd_role_statements_free(struct fd_role_stmt *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i].actions);
	free(s);
}
