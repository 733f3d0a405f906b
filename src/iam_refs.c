/* iam_refs.c - the secrets a function references (from its environment and layers),
 * the ARN each reference names, and whether the function's role may read it
 * (policy.h's simple evaluator, with its limits). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fleetdeck/endpoint.h"
#include "fleetdeck/iam.h"
#include "fleetdeck/secrets.h"

#define EXTENSION_LAYER "AWS-Parameters-and-Secrets-Lambda-Extension"

/* Last '_'-separated component of name equals one of words (case-insensitive). */
static int
last_component(const char *name, const char *const *words, size_t n)
{
	const char *p = strrchr(name, '_');
	size_t i;

	p = p ? p + 1 : name;
	for (i = 0; i < n; i++)
		if (fd_str_case_eq(p, words[i]))
			return 1;
	return 0;
}

static int
has_word(const char *name, const char *word)
{
	size_t n = strlen(word);
	const char *p = name;

	for (;;) {
		size_t len = strcspn(p, "_-.");
		if (len == n && strncasecmp(p, word, n) == 0)
			return 1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* An ARN cut after its resource part: secretsmanager ARNs are 7 fields, anything after
 * (":SecretString:key::" in some references) is not part of the ARN. */
static void
arn_fields(const char *v, int fields, char *out, size_t n)
{
	size_t i;
	int colons = 0;

	for (i = 0; v[i] && i + 1 < n; i++) {
		if (v[i] == ':' && ++colons == fields)
			break;
		out[i] = v[i];
	}
	out[i] = '\0';
}

static void
add_ref(struct fd_secret_ref **out, size_t *n, enum fd_secret_kind kind, const char *id,
        const char *via)
{
	size_t i;

	if (!id || !*id)
		return;
	for (i = 0; i < *n; i++)
		if ((*out)[i].kind == kind && strcmp((*out)[i].id, id) == 0)
			return;
	*out = fd_xreallocarray(*out, *n + 1, sizeof(**out));
	(*out)[*n].kind = kind;
	(*out)[*n].id = fd_xstrdup(id);
	(*out)[*n].via = fd_xstrdup(via ? via : "");
	(*n)++;
}

/* {{resolve:secretsmanager:ID[:...]}} and {{resolve:ssm-secure:NAME[:version]}} */
static int
dynamic_ref(const char *v, enum fd_secret_kind *kind, char *id, size_t n)
{
	const char *p;

	if (fd_str_starts(v, "{{resolve:secretsmanager:")) {
		*kind = FD_SECRET_SM;
		p = v + strlen("{{resolve:secretsmanager:");
		if (fd_str_starts(p, "arn:"))
			arn_fields(p, 7, id, n);
		else
			fd_strlcpy(id, p, FD_MIN(n, strcspn(p, ":}") + 1));
		return 1;
	}
	if (fd_str_starts(v, "{{resolve:ssm-secure:")) {
		*kind = FD_SECRET_SSM;
		p = v + strlen("{{resolve:ssm-secure:");
		fd_strlcpy(id, p, FD_MIN(n, strcspn(p, ":}") + 1));
		return 1;
	}
	return 0;
}

static const char *const sm_locators[] = {"ID", "NAME", "ARN"};
static const char *const param_locators[] = {"PARAM", "PARAMETER", "SSM"};

/* What one variable references; 0 when nothing. */
static int
env_ref(const struct fd_env *e, enum fd_secret_kind *kind, char *id, size_t n)
{
	const char *v = e->value;

	if (!v || !*v || !e->name)
		return 0;
	/* Most variables reference nothing: only ARNs, dynamic references, paths and
	 * names with SECRET in them can. */
	if (v[0] != 'a' && v[0] != '{' && v[0] != '/' && !has_word(e->name, "SECRET"))
		return 0;
	if (fd_str_starts(v, "arn:") && strstr(v, ":secretsmanager:") && strstr(v, ":secret:")) {
		*kind = FD_SECRET_SM;
		arn_fields(v, 7, id, n);
		return 1;
	}
	if (fd_str_starts(v, "arn:") && strstr(v, ":ssm:") && strstr(v, ":parameter")) {
		*kind = FD_SECRET_SSM;
		fd_strlcpy(id, v, n);
		return 1;
	}
	if (dynamic_ref(v, kind, id, n))
		return 1;
	if (fd_str_starts(v, "/aws/reference/secretsmanager/")) {
		*kind = FD_SECRET_SM;
		fd_strlcpy(id, v + strlen("/aws/reference/secretsmanager/"), n);
		return 1;
	}
	if (!strchr(v, ' ') && has_word(e->name, "SECRET") &&
	    last_component(e->name, sm_locators, FD_ARRAY_LEN(sm_locators))) {
		*kind = FD_SECRET_SM;
		fd_strlcpy(id, v, n);
		return 1;
	}
	if (v[0] == '/' && !strchr(v, ' ') && !fd_str_starts(e->name, "POWERTOOLS_") &&
	    last_component(e->name, param_locators, FD_ARRAY_LEN(param_locators))) {
		*kind = FD_SECRET_SSM;
		fd_strlcpy(id, v, n);
		return 1;
	}
	return 0;
}

size_t
fd_secret_refs(const struct fd_function *fn, struct fd_secret_ref **out)
{
	size_t n = 0, i;
	char id[512];

	*out = NULL;
	for (i = 0; fn && i < fn->nenv; i++) {
		enum fd_secret_kind kind;
		if (env_ref(&fn->env[i], &kind, id, sizeof(id)))
			add_ref(out, &n, kind, id, fn->env[i].name);
	}
	return n;
}

int
fd_secret_uses_extension(const struct fd_function *fn)
{
	size_t i;

	for (i = 0; fn && i < fn->nlayers; i++)
		if (fn->layers[i] && strstr(fn->layers[i], EXTENSION_LAYER))
			return 1;
	for (i = 0; fn && i < fn->nenv; i++)
		if (fd_str_starts(fn->env[i].name, "PARAMETERS_SECRETS_EXTENSION_"))
			return 1;
	return 0;
}

int
fd_secret_uses_powertools_params(const struct fd_function *fn)
{
	size_t i;

	for (i = 0; fn && i < fn->nenv; i++)
		if (fd_str_starts(fn->env[i].name, "POWERTOOLS_PARAMETERS_"))
			return 1;
	return 0;
}

int
fd_secret_resource_arn(const struct fd_secret_ref *ref, const struct fd_secret_meta *meta,
                       const struct fd_ctx *ctx, char *out, size_t n)
{
	const char *part;
	char name[512];

	out[0] = '\0';
	if (meta && meta->arn) {
		fd_strlcpy(out, meta->arn, n);
		return 1;
	}
	if (fd_str_starts(ref->id, "arn:")) {
		arn_fields(ref->id, ref->kind == FD_SECRET_SM ? 7 : 6, out, n);
		return 1;
	}
	if (!ctx || !ctx->region[0] || !ctx->account[0])
		return 0;
	part = aws_partition_name(ctx->region);
	if (ref->kind == FD_SECRET_SM) {
		/* The random suffix is unknown: '?' stands for each of its six characters. */
		snprintf(out, n, "arn:%s:secretsmanager:%s:%s:secret:%s-??????", part, ctx->region,
		         ctx->account, ref->id);
		return 1;
	}
	ssm_parameter_name(ref->id, name, sizeof(name));
	snprintf(out, n, "arn:%s:ssm:%s:%s:parameter%s%s", part, ctx->region, ctx->account,
	         name[0] == '/' ? "" : "/", name);
	return 1;
}

static int
role_docs(const struct iam_role *r, const struct fd_policy **docs, size_t max, int *missing)
{
	size_t i, n = 0;

	*missing = r->error != NULL;
	for (i = 0; i < r->npolicies && n < max; i++) {
		if (!r->policies[i].document || r->policies[i].error)
			*missing = 1;
		else
			docs[n++] = &r->policies[i].doc;
	}
	return (int)n;
}

enum fd_readable
fd_iam_role_can_read(const struct iam_role *r, enum fd_secret_kind kind, const char *resource)
{
	const struct fd_policy *docs[64];
	struct fd_policy_verdict v;
	int missing = 0, n;

	if (!r || !resource || !*resource)
		return FD_READ_UNKNOWN;
	n = role_docs(r, docs, FD_ARRAY_LEN(docs), &missing);
	fd_policy_evaluate(docs, (size_t)n,
	                   kind == FD_SECRET_SM ? "secretsmanager:GetSecretValue"
	                                        : "ssm:GetParameter",
	                   resource, &v);
	if (v.effect == FD_POLICY_DENY)
		return FD_READ_NO;
	if (v.effect == FD_POLICY_ALLOW)
		return v.conditional ? FD_READ_MAYBE : FD_READ_YES;
	return missing ? FD_READ_UNKNOWN : FD_READ_NO;
}
