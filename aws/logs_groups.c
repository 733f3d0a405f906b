/* logs_groups.c - CloudWatch Logs DescribeLogGroups (awsJson 1.1) for the inventory:
 * retention, stored bytes, class and age of every log group under a prefix, all
 * pages. The parser is pure and fuzzable; a bad record field is defaulted. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleetdeck/logs.h"
#include "json_int.h"

#define GROUPS_MAX_PAGES 20000  /* a million groups at 50 a page */
#define GROUP_NAME_MAX 512      /* AWS's limit for a log group name */
#define GROUPS_SYNC_WAIT_MS 1000

/* Fills g from one record; -1 when it has no usable name. */
static int
group_from_json(const cJSON *o, struct fd_log_group *g, int64_t now_ms)
{
	const char *name = cj_str_nonempty(o, "logGroupName");
	const char *cls = cj_str_nonempty(o, "logGroupClass");
	long long days = cj_long(o, "retentionInDays", 0);

	memset(g, 0, sizeof(*g));
	if (!name || strlen(name) > GROUP_NAME_MAX)
		return -1;
	g->name = fd_xstrdup(name);
	/* Absent retention means the group never expires. */
	g->retention_days = days > 0 && days < 1000000 ? (int)days : 0;
	g->stored_bytes = cj_long(o, "storedBytes", 0);
	g->created_ms = (int64_t)cj_long(o, "creationTime", 0);
	g->log_class = cls && strlen(cls) < 64 ? fd_xstrdup(cls) : NULL;
	g->fetched_ms = now_ms;
	return 0;
}

enum fd_status
logs_parse_describe_groups(const char *json, size_t len, struct fd_log_group **out, size_t *n,
			   char **next_token, struct fd_err *err)
{
	const cJSON *groups, *it;
	const char *end = NULL;
	cJSON *doc;
	int64_t now = fd_wall_now_ms();
	enum fd_status st = FD_OK;
	int count;

	*out = NULL;
	*n = 0;
	if (next_token)
		*next_token = NULL;
	doc = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
	if (!cJSON_IsObject(doc)) {
		st = fd_err_set(err, FD_EPARSE, "DescribeLogGroups: answer is not a JSON object "
				"(%zu bytes, bad at byte %zu)", len,
				end && end >= json ? (size_t)(end - json) : 0);
		goto out;
	}
	groups = cj_member(doc, "logGroups");
	if (groups && !cJSON_IsArray(groups)) {
		st = fd_err_set(err, FD_EPARSE, "DescribeLogGroups: logGroups is not a list");
		goto out;
	}
	count = cJSON_GetArraySize(groups);
	*out = count > 0 ? fd_xcalloc((size_t)count, sizeof(**out)) : NULL;
	cJSON_ArrayForEach(it, groups)
		if (group_from_json(it, &(*out)[*n], now) == 0)
			(*n)++;
	if (next_token && cj_str_nonempty(doc, "nextToken"))
		*next_token = fd_xstrdup(cj_str_nonempty(doc, "nextToken"));
out:
	cJSON_Delete(doc);
	return st;
}

/* ---- calls ---- */

struct groups_job {
	char *prefix;
	char *sent_token;
	struct logs_groups_cb cb;
	struct aws_pager pager;
};

static void
groups_build(struct aws_request *r, const char *token, void *ud)
{
	struct groups_job *j = ud;
	cJSON *body = cJSON_CreateObject();
	char *text;

	if (j->prefix)
		cJSON_AddStringToObject(body, "logGroupNamePrefix", j->prefix);
	cJSON_AddNumberToObject(body, "limit", 50);
	if (token)
		cJSON_AddStringToObject(body, "nextToken", token);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text)
		fd_fatal("out of memory building a DescribeLogGroups request");
	aws_request_init(r, AWS_SVC_LOGS, "DescribeLogGroups");
	aws_request_json(r, text, strlen(text));
	free(text);
	free(j->sent_token);
	j->sent_token = token ? fd_xstrdup(token) : NULL;
}

static char *
groups_page(struct aws_response *resp, void *ud, struct fd_err *err)
{
	struct groups_job *j = ud;
	struct fd_log_group *g;
	size_t n;
	char *next;

	if (logs_parse_describe_groups(resp->body.data, resp->body.len, &g, &n, &next, err) !=
	    FD_OK)
		return NULL;
	if (j->cb.on_page)
		j->cb.on_page(g, n, j->cb.ud);
	else
		fd_log_groups_free(g, n);
	if (next && j->sent_token && strcmp(next, j->sent_token) == 0) {
		free(next);
		fd_err_set(err, FD_EPARSE, "DescribeLogGroups: nextToken repeats the token sent");
		return NULL;
	}
	return next;
}

static void
groups_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct groups_job *j = ud;

	if (j->cb.done)
		j->cb.done(st, e, j->cb.ud);
	free(j->prefix);
	free(j->sent_token);
	free(j);
}

uint64_t
logs_describe_groups(struct aws_client *c, const char *prefix, const struct logs_groups_cb *cb)
{
	struct groups_job *j = fd_xcalloc(1, sizeof(*j));

	j->prefix = prefix && prefix[0] ? fd_xstrdup(prefix) : NULL;
	j->cb = *cb;
	j->pager = (struct aws_pager){groups_build, groups_page, groups_done, j,
				      GROUPS_MAX_PAGES};
	return aws_paginate(c, &j->pager);
}

struct groups_sync {
	struct fd_log_group *g;
	size_t n, cap;
	int done;
	enum fd_status st;
	struct aws_error err;
};

static void
groups_sync_page(struct fd_log_group *g, size_t n, void *ud)
{
	struct groups_sync *s = ud;

	s->g = fd_array_append(s->g, &s->n, &s->cap, g, n, sizeof(*g));
	free(g);
}

static void
groups_sync_done(enum fd_status st, const struct aws_error *e, void *ud)
{
	struct groups_sync *s = ud;

	s->done = 1;
	s->st = st;
	if (e)
		s->err = *e;
	else if (st != FD_OK)
		s->err.status = st;
}

enum fd_status
logs_describe_groups_sync(struct aws_client *c, const char *prefix, struct fd_log_group **out,
			  size_t *n, struct aws_error *err)
{
	struct groups_sync s = {0};
	struct logs_groups_cb cb = {groups_sync_page, groups_sync_done, &s};
	enum fd_status st;

	*out = NULL;
	*n = 0;
	logs_describe_groups(c, prefix, &cb);
	/* s lives on this stack: leave only when no callback can reach it. */
	st = aws_client_wait_done(c, &s.done, GROUPS_SYNC_WAIT_MS);
	if (!s.done) {
		s.st = st;
		s.err.status = st;
	}
	if (err)
		*err = s.err;
	if (s.st != FD_OK) {
		fd_log_groups_free(s.g, s.n);
		return s.st;
	}
	*out = s.g;
	*n = s.n;
	return FD_OK;
}
