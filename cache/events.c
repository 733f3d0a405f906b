/* events.c - the "events" component of state.db: the test-event library (one row per
 * function + name, "" for shared events) and the invocation history. Bodies are
 * stored as BLOBs so any bytes survive; NAN durations are stored as NULL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/events.h"
#include "fleetdeck/state.h"
#include "internal.h"

#define HISTORY_DEFAULT_MAX 100

static enum fd_status
events_migrate(struct fd_state *s, int from, struct fd_err *err)
{
	if (from < 1)
		return fd_state_exec(
		    s,
		    "CREATE TABLE events ("
		    " function TEXT NOT NULL, name TEXT NOT NULL, body BLOB NOT NULL,"
		    " origin TEXT, sha256 TEXT NOT NULL, created_ms INTEGER NOT NULL,"
		    " updated_ms INTEGER NOT NULL, PRIMARY KEY (function, name));"
		    "CREATE TABLE invocations ("
		    " id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL,"
		    " profile TEXT, account TEXT, region TEXT, function TEXT NOT NULL,"
		    " qualifier TEXT, type TEXT, event_name TEXT, event_sha256 TEXT,"
		    " payload BLOB, status INTEGER, function_error TEXT, error TEXT,"
		    " client_ms REAL, duration_ms REAL, billed_ms REAL, init_ms REAL,"
		    " max_memory_mb REAL, executed_version TEXT, request_id TEXT,"
		    " response_size INTEGER, response BLOB, log_tail BLOB, batch INTEGER);"
		    "CREATE INDEX invocations_by_function ON invocations (function, time_ms);",
		    err);
	return FD_OK;
}

static const struct fd_state_component events_component = {"events", 1, events_migrate};

enum fd_status
fd_events_use(struct fd_state *s, struct fd_err *err)
{
	return fd_state_use(s, &events_component, err);
}

/* Prepared statement on the state connection, after making sure the tables exist. */
static enum fd_status
prepare(struct fd_state *s, const char *sql, sqlite3_stmt **st, struct fd_err *err)
{
	enum fd_status rc = fd_events_use(s, err);

	if (rc != FD_OK)
		return rc;
	return cache_stmt(fd_state_db(s), sql, st, err);
}

/* A BLOB column as a NUL-terminated copy; *len its size. */
static char *
col_blob(sqlite3_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	char *out;

	if (len)
		*len = n;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	out = fd_xmalloc(n + 1);
	if (n)
		memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static void
bind_blob(sqlite3_stmt *st, int i, const char *p, size_t n, size_t cap)
{
	if (p)
		sqlite3_bind_blob64(st, i, p, FD_MIN(n, cap), SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_num(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* ---- events ---- */

void
fd_event_free(struct fd_event *e)
{
	free(e->function);
	free(e->name);
	free(e->body);
	free(e->origin);
	memset(e, 0, sizeof(*e));
}

void
fd_events_free(struct fd_event *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++)
		fd_event_free(&e[i]);
	free(e);
}

static int
name_chars_ok(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	for (; s && s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(extra, c)))
			return 0;
	}
	return n <= max;
}

int
fd_event_name_valid(const char *name)
{
	return name && name[0] && name[0] != '.' && name[0] != '-' &&
	       name_chars_ok(name, "._-", FD_EVENT_NAME_MAX);
}

int
fd_event_function_valid(const char *function)
{
	return function && name_chars_ok(function, "_-", 64);
}

#define EVENT_COLS "function, name, body, origin, sha256, created_ms, updated_ms"

static void
read_event(sqlite3_stmt *st, void *elem)
{
	struct fd_event *e = elem;

	memset(e, 0, sizeof(*e));
	e->function = cache_col_dup(st, 0);
	e->name = cache_col_dup(st, 1);
	e->body = col_blob(st, 2, &e->len);
	e->origin = cache_col_dup(st, 3);
	cache_col_copy(st, 4, e->sha256, sizeof(e->sha256));
	e->created_ms = sqlite3_column_int64(st, 5);
	e->updated_ms = sqlite3_column_int64(st, 6);
	if (!e->body)
		e->body = fd_xstrdup("");
}

static enum fd_status
exists(struct fd_state *s, const char *function, const char *name, int64_t *created,
       struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s, "SELECT created_ms FROM events WHERE function = ?1 AND name = ?2", &st, err);

	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function);
	cache_bind_text(st, 2, name);
	return cache_query_int(fd_state_db(s), st, -1, created, err);
}

enum fd_status
fd_events_put(struct fd_state *s, struct fd_event *e, int replace, struct fd_err *err)
{
	int64_t created = -1, now = fd_wall_now_ms();
	sqlite3_stmt *st;
	enum fd_status rc;

	if (!fd_event_name_valid(e->name) || !fd_event_function_valid(e->function))
		return fd_err_set(err, FD_EINVAL, "invalid event name \"%s\" for function \"%s\"",
		                  e->name ? e->name : "", e->function ? e->function : "");
	if ((rc = exists(s, e->function, e->name, &created, err)) != FD_OK)
		return rc;
	if (created >= 0 && !replace)
		return fd_err_set(err, FD_EINVAL, "event \"%s\" already exists for %s", e->name,
		                  e->function[0] ? e->function : "every function (shared)");
	rc = prepare(
	    s, "INSERT OR REPLACE INTO events (" EVENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    &st, err);
	if (rc != FD_OK)
		return rc;
	e->created_ms = created >= 0 ? created : now;
	e->updated_ms = now;
	cache_bind_text(st, 1, e->function);
	cache_bind_text(st, 2, e->name);
	bind_blob(st, 3, e->body ? e->body : "", e->body ? e->len : 0, (size_t)FD_EVENT_BODY_MAX);
	cache_bind_text(st, 4, e->origin);
	cache_bind_text(st, 5, e->sha256);
	sqlite3_bind_int64(st, 6, e->created_ms);
	sqlite3_bind_int64(st, 7, e->updated_ms);
	return cache_step_done(fd_state_db(s), st, err);
}

/* Runs a one-row SELECT of EVENT_COLS; FD_ENOTFOUND when empty. */
static enum fd_status
one_event(struct fd_state *s, sqlite3_stmt *st, struct fd_event *out, struct fd_err *err)
{
	enum fd_status rc = cache_step_row(fd_state_db(s), st, err);

	if (rc == FD_OK)
		read_event(st, out);
	sqlite3_reset(st);
	return rc;
}

static enum fd_status
not_found(const char *function, const char *name, struct fd_err *err)
{
	return fd_err_set(err, FD_ENOTFOUND, "no event \"%s\" for %s (see \"fleetdeck events ls\")",
	                  name ? name : "", function && function[0] ? function : "shared events");
}

enum fd_status
fd_events_get(struct fd_state *s, const char *function, const char *name, struct fd_event *out,
              struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(
	    s, "SELECT " EVENT_COLS " FROM events WHERE function = ?1 AND name = ?2", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function ? function : "");
	cache_bind_text(st, 2, name);
	rc = one_event(s, st, out, err);
	return rc == FD_ENOTFOUND ? not_found(function, name, err) : rc;
}

enum fd_status
fd_events_find(struct fd_state *s, const char *function, const char *name, struct fd_event *out,
               struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s,
	            "SELECT " EVENT_COLS " FROM events WHERE name = ?2 AND"
	            " (function = ?1 OR function = '') ORDER BY function = '' LIMIT 1",
	            &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function ? function : "");
	cache_bind_text(st, 2, name);
	rc = one_event(s, st, out, err);
	return rc == FD_ENOTFOUND ? not_found(function, name, err) : rc;
}

enum fd_status
fd_events_list(struct fd_state *s, const char *function, struct fd_event **out, size_t *n,
               struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT " EVENT_COLS " FROM events WHERE ?1 IS NULL OR"
	                            " function = ?1 OR function = '' ORDER BY function, name",
	                            &st, err);
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function);
	rc = cache_collect(fd_state_db(s), st, read_event, sizeof(**out), &v, n, err);
	*out = v;
	return rc;
}

enum fd_status
fd_events_delete(struct fd_state *s, const char *function, const char *name, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s, "DELETE FROM events WHERE function = ?1 AND name = ?2", &st, err);

	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function ? function : "");
	cache_bind_text(st, 2, name);
	rc = cache_step_done(fd_state_db(s), st, err);
	if (rc == FD_OK && sqlite3_changes(fd_state_db(s)->db) == 0)
		return not_found(function, name, err);
	return rc;
}

/* ---- history ---- */

void
fd_invoke_record_free(struct fd_invoke_record *v)
{
	free(v->function);
	free(v->qualifier);
	free(v->type);
	free(v->event_name);
	free(v->payload);
	free(v->function_error);
	free(v->error);
	free(v->executed_version);
	free(v->request_id);
	free(v->response);
	free(v->log_tail);
	memset(v, 0, sizeof(*v));
}

void
fd_invoke_records_free(struct fd_invoke_record *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		fd_invoke_record_free(&v[i]);
	free(v);
}

#define INV_COLS                                                                                   \
	"id, time_ms, profile, account, region, function, qualifier, type, event_name,"            \
	" event_sha256, payload, status, function_error, error, client_ms, duration_ms,"           \
	" billed_ms, init_ms, max_memory_mb, executed_version, request_id, response_size,"         \
	" response, log_tail, batch"

static void
bind_invocation_texts(sqlite3_stmt *st, const struct fd_invoke_record *v)
{
	sqlite3_bind_int64(st, 1, v->time_ms);
	cache_bind_text(st, 2, v->profile);
	cache_bind_text(st, 3, v->account);
	cache_bind_text(st, 4, v->region);
	cache_bind_text(st, 5, v->function ? v->function : "");
	cache_bind_text(st, 6, v->qualifier);
	cache_bind_text(st, 7, v->type);
	cache_bind_text(st, 8, v->event_name);
	cache_bind_text(st, 9, v->event_sha256);
	cache_bind_text(st, 12, v->function_error);
	cache_bind_text(st, 13, v->error);
	cache_bind_text(st, 19, v->executed_version);
	cache_bind_text(st, 20, v->request_id);
}

static void
bind_invocation(sqlite3_stmt *st, const struct fd_invoke_record *v)
{
	bind_invocation_texts(st, v);
	if (v->payload_len <= FD_HISTORY_PAYLOAD_CAP)
		bind_blob(st, 10, v->payload, v->payload_len, FD_HISTORY_PAYLOAD_CAP);
	sqlite3_bind_int64(st, 11, v->status);
	bind_num(st, 14, v->client_ms);
	bind_num(st, 15, v->duration_ms);
	bind_num(st, 16, v->billed_ms);
	bind_num(st, 17, v->init_ms);
	bind_num(st, 18, v->max_memory_mb);
	sqlite3_bind_int64(st, 21, v->response_size);
	bind_blob(st, 22, v->response, v->response_len, FD_HISTORY_RESPONSE_CAP);
	bind_blob(st, 23, v->log_tail, v->log_tail ? strlen(v->log_tail) : 0, FD_HISTORY_TAIL_CAP);
	sqlite3_bind_int64(st, 24, v->batch);
}

enum fd_status
fd_invoke_history_add(struct fd_state *s, struct fd_invoke_record *v, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(
	    s,
	    "INSERT INTO invocations (" INV_COLS ") VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
	    &st, err);

	if (rc != FD_OK)
		return rc;
	bind_invocation(st, v);
	rc = cache_step_done(fd_state_db(s), st, err);
	if (rc == FD_OK)
		v->id = sqlite3_last_insert_rowid(fd_state_db(s)->db);
	return rc;
}

static void
read_invocation(sqlite3_stmt *st, void *elem)
{
	struct fd_invoke_record *v = elem;

	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	v->time_ms = sqlite3_column_int64(st, 1);
	cache_col_copy(st, 2, v->profile, sizeof(v->profile));
	cache_col_copy(st, 3, v->account, sizeof(v->account));
	cache_col_copy(st, 4, v->region, sizeof(v->region));
	v->function = cache_col_dup(st, 5);
	v->qualifier = cache_col_dup(st, 6);
	v->type = cache_col_dup(st, 7);
	v->event_name = cache_col_dup(st, 8);
	cache_col_copy(st, 9, v->event_sha256, sizeof(v->event_sha256));
	v->payload = col_blob(st, 10, &v->payload_len);
	v->status = (long)sqlite3_column_int64(st, 11);
	v->function_error = cache_col_dup(st, 12);
	v->error = cache_col_dup(st, 13);
	v->client_ms = cache_col_num(st, 14);
	v->duration_ms = cache_col_num(st, 15);
	v->billed_ms = cache_col_num(st, 16);
	v->init_ms = cache_col_num(st, 17);
	v->max_memory_mb = cache_col_num(st, 18);
	v->executed_version = cache_col_dup(st, 19);
	v->request_id = cache_col_dup(st, 20);
	v->response_size = sqlite3_column_int64(st, 21);
	v->response = col_blob(st, 22, &v->response_len);
	v->log_tail = col_blob(st, 23, NULL);
	v->batch = sqlite3_column_int64(st, 24);
}

enum fd_status
fd_invoke_history_list(struct fd_state *s, const char *function, size_t max,
                       struct fd_invoke_record **out, size_t *n, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = prepare(s,
	                            "SELECT " INV_COLS " FROM invocations WHERE ?1 IS NULL OR"
	                            " function = ?1 ORDER BY time_ms DESC, id DESC LIMIT ?2",
	                            &st, err);
	void *v = NULL;

	*out = NULL;
	*n = 0;
	if (rc != FD_OK)
		return rc;
	cache_bind_text(st, 1, function);
	sqlite3_bind_int64(st, 2, max ? (int64_t)max : HISTORY_DEFAULT_MAX);
	rc = cache_collect(fd_state_db(s), st, read_invocation, sizeof(**out), &v, n, err);
	*out = v;
	return rc;
}

enum fd_status
fd_invoke_history_get(struct fd_state *s, int64_t id, struct fd_invoke_record *out,
                      struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s, "SELECT " INV_COLS " FROM invocations WHERE id = ?1", &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = cache_step_row(fd_state_db(s), st, err);
	if (rc == FD_OK)
		read_invocation(st, out);
	else if (rc == FD_ENOTFOUND)
		rc = fd_err_set(err, FD_ENOTFOUND, "no invocation #%lld in the history",
		                (long long)id);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
fd_invoke_history_prune(struct fd_state *s, int64_t before_ms, size_t keep, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    prepare(s,
	            "DELETE FROM invocations WHERE time_ms < ?1 OR (?2 > 0 AND id IN"
	            " (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY"
	            " function ORDER BY time_ms DESC, id DESC) AS r FROM invocations)"
	            " WHERE r > ?2))",
	            &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int64(st, 2, (int64_t)keep);
	return cache_step_done(fd_state_db(s), st, err);
}
