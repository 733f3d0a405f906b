/* schema.c - the cache's tables, generated DDL per schema version, and the generic
 * column binding/reading code driven by the column lists in schema.h. */
#include <stdint.h>
#include <string.h>

#include "schema.h"

#define CACHE_COL(type, col, kind, member, since, detail)                                          \
	{#col, CACHE_##kind, offsetof(type, member), sizeof(((type *)0)->member), since, detail},

#define FN_CONF_COL(col, kind, member, since)                                                      \
	CACHE_COL(struct fd_function, col, kind, member, since, 0)
#define FN_DETAIL_COL(col, kind, member, since)                                                    \
	CACHE_COL(struct fd_function, col, kind, member, since, 1)
#define ENV_COL(col, kind, member, since) CACHE_COL(struct fd_env, col, kind, member, since, 0)
#define TAG_COL(col, kind, member, since) CACHE_COL(struct fd_kv, col, kind, member, since, 0)
#define TRIGGER_COL(col, kind, member, since)                                                      \
	CACHE_COL(struct fd_trigger, col, kind, member, since, 0)
#define ALIAS_COL(col, kind, member, since) CACHE_COL(struct fd_alias, col, kind, member, since, 0)
#define VERSION_COL(col, kind, member, since)                                                      \
	CACHE_COL(struct fd_version, col, kind, member, since, 0)
#define LOG_GROUP_COL(col, kind, member, since)                                                    \
	CACHE_COL(struct fd_log_group, col, kind, member, since, 0)

static const struct cache_col function_cols[] = {CACHE_FUNCTION_CONF_COLS(FN_CONF_COL)
                                                     CACHE_FUNCTION_DETAIL_COLS(FN_DETAIL_COL)};
static const struct cache_col layer_cols[] = {{"arn", CACHE_TEXT, 0, sizeof(char *), 1, 0}};
static const struct cache_col env_cols[] = {CACHE_ENV_COLS(ENV_COL)};
static const struct cache_col tag_cols[] = {CACHE_TAG_COLS(TAG_COL)};
static const struct cache_col trigger_cols[] = {CACHE_TRIGGER_COLS(TRIGGER_COL)};
static const struct cache_col alias_cols[] = {CACHE_ALIAS_COLS(ALIAS_COL)};
static const struct cache_col version_cols[] = {CACHE_VERSION_COLS(VERSION_COL)};
static const struct cache_col log_group_cols[] = {CACHE_LOG_GROUP_COLS(LOG_GROUP_COL)};

#define CTX_REF "\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") ON DELETE CASCADE"
#define FN_REF "\"fn_id\" INTEGER NOT NULL REFERENCES \"functions\"(\"id\") ON DELETE CASCADE"

const struct cache_table cache_t_contexts = {
    .name = "contexts",
    .since = 1,
    .head = "\"id\" INTEGER PRIMARY KEY, \"profile\" TEXT NOT NULL, "
            "\"account\" TEXT NOT NULL, \"region\" TEXT NOT NULL",
    .tail = "UNIQUE (\"profile\", \"account\", \"region\")",
};

const struct cache_table cache_t_functions = {
    .name = "functions",
    .since = 1,
    .head = "\"id\" INTEGER PRIMARY KEY, " CTX_REF ", \"name\" TEXT NOT NULL, "
            "\"seen\" INTEGER NOT NULL DEFAULT 0",
    .tail = "UNIQUE (\"ctx_id\", \"name\")",
    .cols = function_cols,
    .ncols = FD_ARRAY_LEN(function_cols),
};

#define CHILD_TABLE(var, table, columns)                                                           \
	static const struct cache_table var = {                                                    \
	    .name = table,                                                                         \
	    .since = 1,                                                                            \
	    .head = FN_REF ", \"seq\" INTEGER NOT NULL",                                           \
	    .tail = "PRIMARY KEY (\"fn_id\", \"seq\")",                                            \
	    .without_rowid = 1,                                                                    \
	    .cols = columns,                                                                       \
	    .ncols = FD_ARRAY_LEN(columns),                                                        \
	}
CHILD_TABLE(t_layers, "layers", layer_cols);
CHILD_TABLE(t_env, "env", env_cols);
CHILD_TABLE(t_tags, "tags", tag_cols);
CHILD_TABLE(t_triggers, "triggers", trigger_cols);
CHILD_TABLE(t_aliases, "aliases", alias_cols);
CHILD_TABLE(t_versions, "versions", version_cols);

const struct cache_table cache_t_log_groups = {
    .name = "log_groups",
    .since = 1,
    .head = CTX_REF ", \"name\" TEXT NOT NULL, \"seen\" INTEGER NOT NULL DEFAULT 0",
    .tail = "PRIMARY KEY (\"ctx_id\", \"name\")",
    .without_rowid = 1,
    .cols = log_group_cols,
    .ncols = FD_ARRAY_LEN(log_group_cols),
};

const struct cache_table cache_t_meta = {
    .name = "meta",
    .since = 1,
    .head = CTX_REF ", \"key\" TEXT NOT NULL, \"value\" TEXT",
    .tail = "PRIMARY KEY (\"ctx_id\", \"key\")",
    .without_rowid = 1,
};

/* metric: "<MetricName>:<stat>" (e.g. "Duration:p99"), stable across fleetdeck versions. */
const struct cache_table cache_t_metric_series = {
    .name = "metric_series",
    .since = 1,
    .head = "\"id\" INTEGER PRIMARY KEY, " CTX_REF ", \"function\" TEXT NOT NULL, "
            "\"metric\" TEXT NOT NULL, \"period_s\" INTEGER NOT NULL, "
            "\"fetched_ms\" INTEGER NOT NULL DEFAULT 0",
    .tail = "UNIQUE (\"ctx_id\", \"function\", \"metric\", \"period_s\")",
};

const struct cache_table cache_t_metric_points = {
    .name = "metric_points",
    .since = 1,
    .head = "\"series_id\" INTEGER NOT NULL REFERENCES \"metric_series\"(\"id\") "
            "ON DELETE CASCADE, \"ts\" INTEGER NOT NULL, \"value\" REAL NOT NULL",
    .tail = "PRIMARY KEY (\"series_id\", \"ts\")",
    .without_rowid = 1,
};

static const struct cache_table *const tables[] = {
    &cache_t_contexts,
    &cache_t_functions,
    &t_layers,
    &t_env,
    &t_tags,
    &t_triggers,
    &t_aliases,
    &t_versions,
    &cache_t_log_groups,
    &cache_t_meta,
    &cache_t_metric_series,
    &cache_t_metric_points,
};

/* Literal SQL each version runs after its generated DDL (index = version - 1). The
 * number of entries is the schema version. v1: base tables. v2: logging-control
 * columns (functions.log_format/app_log_level/system_log_level), log_groups.log_class,
 * provisioned concurrency per version, and an index so metric reads and newest-point
 * lookups touch one period only. */
static const char *const migrations[] = {
    NULL,
    "CREATE INDEX \"metric_series_period\" ON \"metric_series\" (\"ctx_id\", \"period_s\");",
    /* v3: tailed log events, the incident history (cache/logstore.c) */
    "CREATE TABLE \"log_events\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") "
    "ON DELETE CASCADE, \"group_name\" TEXT NOT NULL, \"event_id\" TEXT NOT NULL, "
    "\"ts\" INTEGER NOT NULL, \"stream\" TEXT, \"function\" TEXT, \"request_id\" TEXT, "
    "\"level\" INTEGER, \"message\" BLOB, "
    "PRIMARY KEY (\"ctx_id\", \"group_name\", \"event_id\")) WITHOUT ROWID;\n"
    "CREATE INDEX \"log_events_ts\" ON \"log_events\" (\"ctx_id\", \"ts\");",
    /* v4: invocation records (cache/invocations.c) */
    "CREATE TABLE \"invocations\" (\"id\" INTEGER PRIMARY KEY, \"ctx_id\" INTEGER NOT NULL "
    "REFERENCES \"contexts\"(\"id\") ON DELETE CASCADE, \"request_id\" TEXT NOT NULL, "
    "\"function\" TEXT NOT NULL, \"version\" TEXT, \"log_stream\" TEXT, "
    "\"ts\" INTEGER NOT NULL, \"start_ms\" INTEGER, \"end_ms\" INTEGER, "
    "\"init_start_ms\" INTEGER, \"start_exact\" INTEGER NOT NULL DEFAULT 0, "
    "\"duration_ms\" REAL, \"billed_ms\" REAL, \"memory_mb\" REAL, \"max_memory_mb\" REAL, "
    "\"init_ms\" REAL, \"restore_ms\" REAL, \"status\" TEXT NOT NULL, \"init_type\" TEXT, "
    "\"error_type\" TEXT, \"trace_id\" TEXT, \"runtime_version\" TEXT, \"errors\" TEXT, "
    "UNIQUE (\"ctx_id\", \"request_id\"));\n"
    "CREATE INDEX \"invocations_ts\" ON \"invocations\" (\"ctx_id\", \"ts\");\n"
    "CREATE INDEX \"invocations_function\" ON \"invocations\" "
    "(\"ctx_id\", \"function\", \"ts\");",
    /* v5: metric series packed one row per function x period (every metric in one
     * blob) and window summaries per function (cache/metrics.c, cache/summary.c).
     * Point rows become "T" text rows that the first read packs; metric_series and
     * metric_points stay, empty, and their pages go back to the file system. */
    "CREATE TABLE \"metric_packed\" (\"id\" INTEGER PRIMARY KEY, \"ctx_id\" INTEGER NOT "
    "NULL REFERENCES \"contexts\"(\"id\") ON DELETE CASCADE, \"function\" TEXT NOT NULL, "
    "\"period_s\" INTEGER NOT NULL, \"fetched_ms\" INTEGER NOT NULL DEFAULT 0, "
    "\"first_s\" INTEGER NOT NULL, \"last_s\" INTEGER NOT NULL, \"vals\" BLOB NOT NULL, "
    "UNIQUE (\"ctx_id\", \"function\", \"period_s\"));\n"
    "CREATE INDEX \"metric_packed_last\" ON \"metric_packed\" (\"ctx_id\", \"period_s\", "
    "\"last_s\");\n"
    "INSERT INTO \"metric_packed\" (\"ctx_id\", \"function\", \"period_s\", \"fetched_ms\", "
    "\"first_s\", \"last_s\", \"vals\") SELECT s.\"ctx_id\", s.\"function\", s.\"period_s\", "
    "max(s.\"fetched_ms\"), min(p.\"ts\"), max(p.\"ts\"), CAST('T' || group_concat(s.\"metric\" "
    "|| '@' || p.\"ts\" || '=' || printf('%!.17g', p.\"value\"), ';') AS BLOB) FROM "
    "\"metric_series\" s JOIN \"metric_points\" p ON p.\"series_id\" = s.\"id\" GROUP BY "
    "s.\"ctx_id\", s.\"function\", s.\"period_s\";\n"
    "DELETE FROM \"metric_points\";\n"
    "DELETE FROM \"metric_series\";\n"
    "CREATE TABLE \"metric_summaries\" (\"ctx_id\" INTEGER NOT NULL REFERENCES "
    "\"contexts\"(\"id\") ON DELETE CASCADE, \"window_s\" INTEGER NOT NULL, "
    "\"function\" TEXT NOT NULL, \"asof_s\" INTEGER NOT NULL, \"fetched_ms\" INTEGER NOT "
    "NULL DEFAULT 0, \"vals\" BLOB NOT NULL, PRIMARY KEY (\"ctx_id\", \"window_s\", "
    "\"function\")) WITHOUT ROWID;\n"
    "INSERT OR REPLACE INTO \"meta\" (\"ctx_id\", \"key\", \"value\") SELECT DISTINCT "
    "\"ctx_id\", 'metric_summaries', 'stale' FROM \"metric_packed\";\n"
    "PRAGMA incremental_vacuum;",
    /* v6: execution roles, their policies, managed policy documents by ARN + version,
     * referenced secrets' metadata (never a value) and log ingestion per group and day
     * (cache/iam.c). */
    "CREATE TABLE \"iam_roles\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") "
    "ON DELETE CASCADE, \"arn\" TEXT NOT NULL, \"name\" TEXT, \"path\" TEXT, "
    "\"role_id\" TEXT, \"created\" TEXT, \"last_used\" TEXT, \"trust\" TEXT, \"error\" TEXT, "
    "\"fetched_ms\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"ctx_id\", \"arn\")) "
    "WITHOUT ROWID;\n"
    "CREATE TABLE \"iam_role_policies\" (\"ctx_id\" INTEGER NOT NULL REFERENCES "
    "\"contexts\"(\"id\") ON DELETE CASCADE, \"role_arn\" TEXT NOT NULL, \"seq\" INTEGER NOT "
    "NULL, \"kind\" TEXT NOT NULL, \"name\" TEXT, \"arn\" TEXT, \"version\" TEXT, "
    "\"document\" TEXT, \"error\" TEXT, PRIMARY KEY (\"ctx_id\", \"role_arn\", \"seq\")) "
    "WITHOUT ROWID;\n"
    "CREATE TABLE \"iam_policies\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") "
    "ON DELETE CASCADE, \"arn\" TEXT NOT NULL, \"version\" TEXT NOT NULL, \"document\" TEXT "
    "NOT NULL, \"fetched_ms\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"ctx_id\", \"arn\", "
    "\"version\")) WITHOUT ROWID;\n"
    "CREATE TABLE \"secrets\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") ON "
    "DELETE CASCADE, \"kind\" TEXT NOT NULL, \"id\" TEXT NOT NULL, \"arn\" TEXT, \"name\" "
    "TEXT, \"found\" INTEGER, \"rotation_enabled\" INTEGER, \"rotation_days\" INTEGER, "
    "\"last_rotated_s\" INTEGER, \"last_changed_s\" INTEGER, \"last_accessed_s\" INTEGER, "
    "\"created_s\" INTEGER, \"next_rotation_s\" INTEGER, \"kms_key\" TEXT, \"type\" TEXT, "
    "\"error\" TEXT, \"fetched_ms\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"ctx_id\", "
    "\"kind\", \"id\")) WITHOUT ROWID;\n"
    "CREATE TABLE \"log_ingest\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") "
    "ON DELETE CASCADE, \"group_name\" TEXT NOT NULL, \"day_s\" INTEGER NOT NULL, "
    "\"bytes\" REAL NOT NULL, \"fetched_ms\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY "
    "(\"ctx_id\", \"group_name\", \"day_s\")) WITHOUT ROWID;",
    /* v7: fleetdeck's own API spend per account and region, one row per record
     * (cache/spend.c) */
    "CREATE TABLE \"api_spend\" (\"account\" TEXT NOT NULL, \"region\" TEXT NOT NULL, "
    "\"kind\" TEXT NOT NULL, \"ts\" INTEGER NOT NULL, \"amount\" REAL NOT NULL);\n"
    "CREATE INDEX \"api_spend_ts\" ON \"api_spend\" (\"account\", \"region\", \"ts\");",
    /* v8: file-wide housekeeping (cache/db.c): when quick_check last passed. */
    "CREATE TABLE \"housekeeping\" (\"key\" TEXT PRIMARY KEY, \"value\" INTEGER) "
    "WITHOUT ROWID;",
    /* v9: RDS Proxy metric series packed like metric_packed, one row per proxy x period
     * (cache/proxymetrics.c), and what was read of the SQS queues that are event
     * sources: redrive policy, its DLQ and the DLQ's depth (cache/queuefacts.c). */
    "CREATE TABLE \"proxy_metrics\" (\"ctx_id\" INTEGER NOT NULL REFERENCES "
    "\"contexts\"(\"id\") ON DELETE CASCADE, \"proxy\" TEXT NOT NULL, \"period_s\" INTEGER "
    "NOT NULL, \"fetched_ms\" INTEGER NOT NULL DEFAULT 0, \"first_s\" INTEGER NOT NULL, "
    "\"last_s\" INTEGER NOT NULL, \"vals\" BLOB NOT NULL, PRIMARY KEY (\"ctx_id\", "
    "\"proxy\", \"period_s\")) WITHOUT ROWID;\n"
    "CREATE TABLE \"queue_facts\" (\"ctx_id\" INTEGER NOT NULL REFERENCES \"contexts\"(\"id\") "
    "ON DELETE CASCADE, \"arn\" TEXT NOT NULL, \"has_redrive\" INTEGER NOT NULL, "
    "\"dlq_arn\" TEXT, \"dlq_depth\" INTEGER NOT NULL DEFAULT -1, \"fetched_ms\" INTEGER "
    "NOT NULL DEFAULT 0, PRIMARY KEY (\"ctx_id\", \"arn\")) WITHOUT ROWID;",
};

static const void *scrub_env(const void *elem, void *scratch);

#define CHILD(table, type, arr, n, detail, scrub)                                                  \
	{                                                                                          \
		&table, offsetof(struct fd_function, arr), offsetof(struct fd_function, n),        \
		    sizeof(type), detail, scrub                                                    \
	}
const struct cache_child cache_children[CACHE_NCHILDREN] = {
    CHILD(t_layers, char *, layers, nlayers, 0, NULL),
    CHILD(t_env, struct fd_env, env, nenv, 0, scrub_env),
    CHILD(t_tags, struct fd_kv, tags, ntags, 1, NULL),
    CHILD(t_triggers, struct fd_trigger, triggers, ntriggers, 1, NULL),
    CHILD(t_aliases, struct fd_alias, aliases, naliases, 1, NULL),
    CHILD(t_versions, struct fd_version, versions, nversions, 1, NULL),
};

static const char *const env_kind_names[] = {
    [FD_ENV_PLAIN] = "plain",
    [FD_ENV_SECRET_LITERAL] = "secret-literal",
    [FD_ENV_SECRET_REF] = "secret-ref",
};

/* A secret literal never reaches the file: its value is replaced by NULL, also when
 * the producer forgot to classify it. */
static const void *
scrub_env(const void *elem, void *scratch)
{
	const struct fd_env *e = elem;
	struct fd_env *out = scratch;

	if (e->kind != FD_ENV_SECRET_LITERAL &&
	    fd_env_classify(e->name, e->value) != FD_ENV_SECRET_LITERAL)
		return e;
	out->name = e->name;
	out->value = NULL;
	out->kind = FD_ENV_SECRET_LITERAL;
	return out;
}

size_t
cache_table_count(void)
{
	return FD_ARRAY_LEN(tables);
}

const struct cache_table *
cache_table_at(size_t i)
{
	return i < FD_ARRAY_LEN(tables) ? tables[i] : NULL;
}

int
cache_schema_latest(void)
{
	return (int)FD_ARRAY_LEN(migrations);
}

static const char *
col_sql_type(const struct cache_col *col)
{
	return col->kind == CACHE_INT ? "INTEGER" : "TEXT";
}

static void
create_table_sql(const struct cache_table *t, int version, struct fd_buf *out)
{
	size_t i;

	fd_buf_printf(out, "CREATE TABLE \"%s\" (%s", t->name, t->head);
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].since <= version)
			fd_buf_printf(out, ", \"%s\" %s", t->cols[i].name,
			              col_sql_type(&t->cols[i]));
	fd_buf_printf(out, ", %s)%s;\n", t->tail, t->without_rowid ? " WITHOUT ROWID" : "");
}

void
cache_migration_sql(int version, struct fd_buf *out)
{
	size_t i, j;

	if (version < 1 || version > cache_schema_latest())
		return;
	for (i = 0; i < FD_ARRAY_LEN(tables); i++) {
		const struct cache_table *t = tables[i];
		if (t->since == version) {
			create_table_sql(t, version, out);
			continue;
		}
		for (j = 0; t->since < version && j < t->ncols; j++)
			if (t->cols[j].since == version)
				fd_buf_printf(out, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s;\n",
				              t->name, t->cols[j].name, col_sql_type(&t->cols[j]));
	}
	if (migrations[version - 1])
		fd_buf_printf(out, "%s\n", migrations[version - 1]);
}

static int
col_in(const struct cache_col *col, unsigned mask)
{
	return (mask & (col->detail ? CACHE_COLS_DETAIL : CACHE_COLS_CONF)) != 0;
}

void
cache_sql_cols(struct fd_buf *b, const struct cache_table *t, const char *alias, unsigned mask)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (col_in(&t->cols[i], mask))
			fd_buf_printf(b, ", %s%s\"%s\"", alias ? alias : "", alias ? "." : "",
			              t->cols[i].name);
}

void
cache_sql_params(struct fd_buf *b, int first, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fd_buf_printf(b, ", ?%d", first + (int)i);
}

void
cache_sql_set_excluded(struct fd_buf *b, const struct cache_table *t, unsigned mask)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (col_in(&t->cols[i], mask))
			fd_buf_printf(b, ", \"%s\"=excluded.\"%s\"", t->cols[i].name,
			              t->cols[i].name);
}

static int64_t
load_int(const char *p, size_t size)
{
	int32_t v32;
	int64_t v64;

	if (size == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

static void
store_int(char *p, size_t size, int64_t v)
{
	int32_t v32;

	if (size == sizeof(v32)) {
		v32 = (int32_t)FD_MAX(FD_MIN(v, INT32_MAX), INT32_MIN);
		memcpy(p, &v32, sizeof(v32));
		return;
	}
	memcpy(p, &v, sizeof(v));
}

static const char *
enum_name(const struct cache_col *col, int64_t v)
{
	if (col->kind == CACHE_TRIGGER)
		return fd_trigger_name((enum fd_trigger_kind)v);
	if (v < 0 || v >= (int64_t)FD_ARRAY_LEN(env_kind_names))
		return env_kind_names[FD_ENV_SECRET_LITERAL];
	return env_kind_names[v];
}

static int64_t
enum_parse(const struct cache_col *col, const char *name)
{
	int64_t i;

	if (col->kind == CACHE_TRIGGER) {
		for (i = 0; i < FD_TRIG_COUNT; i++)
			if (fd_str_eq(name, fd_trigger_name((enum fd_trigger_kind)i)))
				return i;
		return FD_TRIG_OTHER;
	}
	for (i = 0; i < (int64_t)FD_ARRAY_LEN(env_kind_names); i++)
		if (fd_str_eq(name, env_kind_names[i]))
			return i;
	return FD_ENV_SECRET_LITERAL;
}

static int
bind_col(sqlite3_stmt *st, int idx, const struct cache_col *col, const char *p)
{
	const char *s;

	switch (col->kind) {
	case CACHE_TEXT:
		memcpy(&s, p, sizeof(s));
		if (!s)
			return sqlite3_bind_null(st, idx);
		return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	case CACHE_INT:
		return sqlite3_bind_int64(st, idx, load_int(p, col->size));
	case CACHE_TRIGGER:
	case CACHE_ENVKIND:
		s = enum_name(col, load_int(p, col->size));
		return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	}
	return SQLITE_MISUSE;
}

int
cache_bind_cols(sqlite3_stmt *st, int first, const struct cache_table *t, const void *rec)
{
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < t->ncols; i++)
		rc = bind_col(st, first + (int)i, &t->cols[i], (const char *)rec + t->cols[i].off);
	return rc;
}

static void
read_col(sqlite3_stmt *st, int idx, const struct cache_col *col, char *p)
{
	const char *text;
	char *s;

	switch (col->kind) {
	case CACHE_TEXT:
		text = (const char *)sqlite3_column_text(st, idx);
		s = text ? fd_xstrdup(text) : NULL;
		memcpy(p, &s, sizeof(s));
		break;
	case CACHE_INT:
		store_int(p, col->size, sqlite3_column_int64(st, idx));
		break;
	case CACHE_TRIGGER:
	case CACHE_ENVKIND:
		text = (const char *)sqlite3_column_text(st, idx);
		store_int(p, col->size, enum_parse(col, text));
		break;
	}
}

void
cache_read_cols(sqlite3_stmt *st, int first, const struct cache_table *t, void *rec)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		read_col(st, first + (int)i, &t->cols[i], (char *)rec + t->cols[i].off);
}
