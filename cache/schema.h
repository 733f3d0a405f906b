/* schema.h (cache-private) - every cache table declared once. Record-backed tables list
 * their columns in an X-macro; the DDL of each schema version, the INSERT/UPSERT/SELECT
 * column lists and the bind/read code are all generated from these lists.
 *
 * X(column, kind, member, since): kind is TEXT (char *), INT (int, int64_t or long long,
 * by the member's size), TRIGGER or ENVKIND (enums stored by name so the numbers may
 * change). `since` is the schema version that added the column: a column of an older
 * table with since == N is added by migration N with ALTER TABLE. Never edit a shipped
 * column's since; append new columns with the next version. */
#ifndef FLEETDECK_CACHE_SCHEMA_H
#define FLEETDECK_CACHE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/util.h"

/* Function configuration (ListFunctions); name, ctx_id and seen are key columns. */
#define CACHE_FUNCTION_CONF_COLS(X)                                                                \
	X(arn, TEXT, arn, 1)                                                                       \
	X(runtime, TEXT, runtime, 1)                                                               \
	X(handler, TEXT, handler, 1)                                                               \
	X(role, TEXT, role, 1)                                                                     \
	X(description, TEXT, description, 1)                                                       \
	X(last_modified, TEXT, last_modified, 1)                                                   \
	X(version, TEXT, version, 1)                                                               \
	X(architecture, TEXT, architecture, 1)                                                     \
	X(package_type, TEXT, package_type, 1)                                                     \
	X(state, TEXT, state, 1)                                                                   \
	X(memory_mb, INT, memory_mb, 1)                                                            \
	X(timeout_s, INT, timeout_s, 1)                                                            \
	X(ephemeral_mb, INT, ephemeral_mb, 1)                                                      \
	X(code_size, INT, code_size, 1)                                                            \
	X(log_group, TEXT, log_group, 1)                                                           \
	X(dlq_arn, TEXT, dlq_arn, 1)                                                               \
	X(tracing_mode, TEXT, tracing_mode, 1)                                                     \
	X(snapstart, TEXT, snapstart, 1)                                                           \
	X(powertools, INT, powertools, 1)                                                          \
	X(rds_proxy_endpoint, TEXT, rds_proxy_endpoint, 1)                                         \
	X(fetched_ms, INT, fetched_ms, 1)                                                          \
	X(log_format, TEXT, log_format, 2)                                                         \
	X(app_log_level, TEXT, app_log_level, 2)                                                   \
	X(system_log_level, TEXT, system_log_level, 2)

/* Function detail (GetFunction, GetFunctionEventInvokeConfig, ...): kept across listings. */
#define CACHE_FUNCTION_DETAIL_COLS(X)                                                              \
	X(detail_loaded, INT, detail_loaded, 1)                                                    \
	X(detail_fetched_ms, INT, detail_fetched_ms, 1)                                            \
	X(reserved_concurrency, INT, reserved_concurrency, 1)                                      \
	X(async_present, INT, async.present, 1)                                                    \
	X(async_max_retry, INT, async.max_retry, 1)                                                \
	X(async_max_event_age_s, INT, async.max_event_age_s, 1)                                    \
	X(async_on_failure, TEXT, async.on_failure, 1)                                             \
	X(async_on_success, TEXT, async.on_success, 1)

/* Child tables of functions: (fn_id, seq) keys, then these. */
#define CACHE_ENV_COLS(X)                                                                          \
	X(name, TEXT, name, 1)                                                                     \
	X(value, TEXT, value, 1)                                                                   \
	X(kind, ENVKIND, kind, 1)

#define CACHE_TAG_COLS(X)                                                                          \
	X(key, TEXT, key, 1)                                                                       \
	X(value, TEXT, value, 1)

#define CACHE_TRIGGER_COLS(X)                                                                      \
	X(kind, TRIGGER, kind, 1)                                                                  \
	X(source_arn, TEXT, source_arn, 1)                                                         \
	X(uuid, TEXT, uuid, 1)                                                                     \
	X(state, TEXT, state, 1)                                                                   \
	X(batch_size, INT, batch_size, 1)                                                          \
	X(on_failure, TEXT, on_failure, 1)

#define CACHE_ALIAS_COLS(X)                                                                        \
	X(name, TEXT, name, 1)                                                                     \
	X(version, TEXT, version, 1)                                                               \
	X(provisioned, INT, provisioned, 1)                                                        \
	X(provisioned_available, INT, provisioned_available, 1)

#define CACHE_VERSION_COLS(X)                                                                      \
	X(version, TEXT, version, 1)                                                               \
	X(last_modified, TEXT, last_modified, 1)                                                   \
	X(runtime, TEXT, runtime, 1)                                                               \
	X(memory_mb, INT, memory_mb, 1)                                                            \
	X(provisioned, INT, provisioned, 2)                                                        \
	X(provisioned_available, INT, provisioned_available, 2)

/* Log groups: (ctx_id, name, seen) keys, then these. */
#define CACHE_LOG_GROUP_COLS(X)                                                                    \
	X(retention_days, INT, retention_days, 1)                                                  \
	X(stored_bytes, INT, stored_bytes, 1)                                                      \
	X(created_ms, INT, created_ms, 1)                                                          \
	X(fetched_ms, INT, fetched_ms, 1)                                                          \
	X(log_class, TEXT, log_class, 2)

enum cache_col_kind {
	CACHE_TEXT,
	CACHE_INT,
	CACHE_TRIGGER,
	CACHE_ENVKIND,
};

struct cache_col {
	const char *name;
	enum cache_col_kind kind;
	size_t off;  /* of the member in the record */
	size_t size; /* of the member */
	int since;   /* schema version that added it */
	int detail;  /* functions: a detail column */
};

struct cache_table {
	const char *name;
	int since;        /* schema version that created it */
	const char *head; /* key column definitions, before the declared columns */
	const char *tail; /* table constraints after them */
	int without_rowid;
	const struct cache_col *cols;
	size_t ncols;
};

/* A child array of struct fd_function stored in its own table. */
struct cache_child {
	const struct cache_table *table;
	size_t arr_off; /* offset of the array pointer in struct fd_function */
	size_t n_off;   /* offset of its size_t count */
	size_t elem_size;
	int detail; /* replaced only by records with detail_loaded */
	/* Returns what to store for elem (may fill and return scratch, which is large
	 * enough for any child element). */
	const void *(*scrub)(const void *elem, void *scratch);
};

extern const struct cache_table cache_t_contexts, cache_t_functions, cache_t_log_groups,
    cache_t_meta, cache_t_metric_series, cache_t_metric_points;
#define CACHE_NCHILDREN 6
extern const struct cache_child cache_children[CACHE_NCHILDREN];

/* Every table in creation order (parents first). */
size_t cache_table_count(void);
const struct cache_table *cache_table_at(size_t i);

/* Newest schema version this build knows. */
int cache_schema_latest(void);
/* The SQL that moves a database from version - 1 to version (without user_version). */
void cache_migration_sql(int version, struct fd_buf *out);

#define CACHE_COLS_CONF 0x1u
#define CACHE_COLS_DETAIL 0x2u
#define CACHE_COLS_ALL 0x3u
/* Appends `, <alias>."col"` (alias may be NULL) for each column in mask. */
void cache_sql_cols(struct fd_buf *b, const struct cache_table *t, const char *alias,
                    unsigned mask);
/* Appends `, ?N` for n parameters starting at first. */
void cache_sql_params(struct fd_buf *b, int first, size_t n);
/* Appends `, "col"=excluded."col"` for each column in mask. */
void cache_sql_set_excluded(struct fd_buf *b, const struct cache_table *t, unsigned mask);

/* Binds every column of t from rec, starting at parameter first. SQLite result code. */
int cache_bind_cols(sqlite3_stmt *st, int first, const struct cache_table *t, const void *rec);
/* Reads every column of t into rec (allocating strings) from result column first. */
void cache_read_cols(sqlite3_stmt *st, int first, const struct cache_table *t, void *rec);

#endif
