/* db.c - opening the cache: its path, directory and file modes, pragmas, recovery from
 * a corrupt or newer file, forward migrations; plus the per-connection statement cache
 * and the helpers the other cache/ files share. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleetdeck/util.h"
#include "internal.h"
#include "schema.h"

#define CACHE_BUSY_TIMEOUT_MS 2000
#define CHECK_KEY "quick_check_s"
#define CHECK_EVERY_S 86400

/* Set on every connection. WAL lets a reader and a writer (another fleetdeck, a
 * headless run) share the file; NORMAL is durable enough for a disposable cache. */
static const char connection_pragmas[] = "PRAGMA journal_mode = WAL;"
                                         "PRAGMA synchronous = NORMAL;"
                                         "PRAGMA foreign_keys = ON;"
                                         "PRAGMA trusted_schema = OFF;";

char *
fd_cache_default_path(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	/* The XDG base directory spec says relative values are to be ignored. */
	if (xdg && xdg[0] == '/')
		return fd_xasprintf("%s/fleetdeck/cache.db", xdg);
	if (home && *home)
		return fd_xasprintf("%s/.cache/fleetdeck/cache.db", home);
	return NULL;
}

/* The marker a run leaves when a statement found the file corrupt: the next open moves
 * the file aside (this run may still hold it open, and so may others). */
static char *
marker_path(const char *path)
{
	return fd_xasprintf("%s.corrupt", path);
}

static void
mark_corrupt(struct fd_cache *c)
{
	char *p = marker_path(c->path);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0)
		close(fd);
	free(p);
}

enum fd_status
cache_fail(struct fd_cache *c, struct fd_err *err)
{
	int code = c->db ? sqlite3_errcode(c->db) & 0xff : SQLITE_NOMEM;
	enum fd_status st = code == SQLITE_BUSY || code == SQLITE_LOCKED ? FD_EAGAIN : FD_EDB;

	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
		if (!c->opening)
			mark_corrupt(c);
		return fd_err_set(err, st,
		                  "cache %s is corrupt (%s); it is moved aside and rebuilt when "
		                  "fleetdeck next opens it",
		                  c->path, sqlite3_errmsg(c->db));
	}
	return fd_err_set(err, st, "cache %s: %s", c->path,
	                  c->db ? sqlite3_errmsg(c->db) : "out of memory");
}

enum fd_status
cache_stmt(struct fd_cache *c, const char *sql, sqlite3_stmt **out, struct fd_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < c->nstmts; i++) {
		if (strcmp(c->stmts[i].sql, sql) == 0) {
			sqlite3_reset(c->stmts[i].st);
			sqlite3_clear_bindings(c->stmts[i].st);
			*out = c->stmts[i].st;
			return FD_OK;
		}
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return cache_fail(c, err);
	c->stmts = fd_xreallocarray(c->stmts, c->nstmts + 1, sizeof(*c->stmts));
	c->stmts[c->nstmts].sql = fd_xstrdup(sql);
	c->stmts[c->nstmts].st = st;
	c->nstmts++;
	*out = st;
	return FD_OK;
}

enum fd_status
cache_step_done(struct fd_cache *c, sqlite3_stmt *st, struct fd_err *err)
{
	enum fd_status rc = FD_OK;
	int src = sqlite3_step(st);

	if (src != SQLITE_DONE && src != SQLITE_ROW)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

enum fd_status
cache_exec(struct fd_cache *c, const char *sql, struct fd_err *err)
{
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cache_fail(c, err);
	return FD_OK;
}

enum fd_status
cache_query_int(struct fd_cache *c, sqlite3_stmt *st, int64_t def, int64_t *out, struct fd_err *err)
{
	enum fd_status rc = FD_OK;
	int src = sqlite3_step(st);

	*out = def;
	if (src == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	else if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = cache_fail(c, err);
	sqlite3_reset(st);
	return rc;
}

static enum fd_status
query_int_sql(struct fd_cache *c, const char *sql, int64_t *out, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c, sql, &st, err);

	if (rc == FD_OK)
		rc = cache_query_int(c, st, 0, out, err);
	return rc;
}

static enum fd_status
exec_cached(struct fd_cache *c, const char *sql, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c, sql, &st, err);

	if (rc == FD_OK)
		rc = cache_step_done(c, st, err);
	return rc;
}

enum fd_status
cache_begin(struct fd_cache *c, struct fd_err *err)
{
	return exec_cached(c, "BEGIN IMMEDIATE", err);
}

enum fd_status
cache_begin_read(struct fd_cache *c, struct fd_err *err)
{
	return exec_cached(c, "BEGIN", err);
}

enum fd_status
cache_commit(struct fd_cache *c, struct fd_err *err)
{
	return exec_cached(c, "COMMIT", err);
}

void
cache_rollback(struct fd_cache *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_ctx(sqlite3_stmt *st, const struct fd_ctx *ctx)
{
	sqlite3_bind_text(st, 1, ctx->profile, (int)strnlen(ctx->profile, sizeof(ctx->profile)),
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ctx->account, (int)strnlen(ctx->account, sizeof(ctx->account)),
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ctx->region, (int)strnlen(ctx->region, sizeof(ctx->region)),
	                  SQLITE_STATIC);
}

enum fd_status
cache_ctx_id(struct fd_cache *c, const struct fd_ctx *ctx, int create, int64_t *id,
             struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc;

	*id = 0;
	if (create) {
		rc = cache_stmt(c,
		                "INSERT OR IGNORE INTO contexts (profile, account, region) "
		                "VALUES (?1, ?2, ?3)",
		                &st, err);
		if (rc != FD_OK)
			return rc;
		bind_ctx(st, ctx);
		rc = cache_step_done(c, st, err);
		if (rc != FD_OK)
			return rc;
	}
	rc = cache_stmt(
	    c, "SELECT id FROM contexts WHERE profile = ?1 AND account = ?2 AND region = ?3", &st,
	    err);
	if (rc != FD_OK)
		return rc;
	bind_ctx(st, ctx);
	return cache_query_int(c, st, 0, id, err);
}

enum fd_status
cache_write(struct fd_cache *c, const struct fd_ctx *ctx, cache_write_fn fn, void *ud,
            struct fd_err *err)
{
	int64_t ctx_id = 0;
	enum fd_status rc = cache_begin(c, err);

	if (rc == FD_OK && ctx)
		rc = cache_ctx_id(c, ctx, 1, &ctx_id, err);
	if (rc == FD_OK)
		rc = fn(c, ctx_id, ud, err);
	if (rc == FD_OK)
		rc = cache_commit(c, err);
	if (rc != FD_OK)
		cache_rollback(c);
	return rc;
}

enum fd_status
cache_next_seen(struct fd_cache *c, const char *table, int64_t ctx_id, int64_t *seen,
                struct fd_err *err)
{
	char sql[160];
	sqlite3_stmt *st;
	enum fd_status rc;

	snprintf(sql, sizeof(sql),
	         "SELECT coalesce(max(seen), 0) + 1 FROM \"%s\" WHERE ctx_id = ?1", table);
	rc = cache_stmt(c, sql, &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	return cache_query_int(c, st, 1, seen, err);
}

enum fd_status
cache_sweep(struct fd_cache *c, const char *table, int64_t ctx_id, int64_t seen, struct fd_err *err)
{
	char sql[160];
	sqlite3_stmt *st;
	enum fd_status rc;

	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE ctx_id = ?1 AND seen <> ?2", table);
	rc = cache_stmt(c, sql, &st, err);
	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, ctx_id);
	sqlite3_bind_int64(st, 2, seen);
	return cache_step_done(c, st, err);
}

void *
cache_grow(void *arr, size_t n, size_t elem_size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		arr = fd_xreallocarray(arr, n ? n * 2 : 1, elem_size);
	memset((char *)arr + n * elem_size, 0, elem_size);
	return arr;
}

/* Creates the missing directories, each exactly 0700 whatever the umask. Directories
 * that already exist are the user's and keep their mode. */
static enum fd_status
make_dir(const char *path, const char *dir, struct fd_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		if (chmod(dir, 0700) != 0)
			return fd_err_set(err, FD_EIO, "cache %s: chmod %s: %s", path, dir,
			                  strerror(errno));
		return FD_OK;
	}
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return FD_OK;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return fd_err_set(err, FD_EIO, "cache %s: mkdir %s: %s", path, dir, strerror(errno));
}

static enum fd_status
make_parent_dirs(const char *path, struct fd_err *err)
{
	char *dir = fd_xstrdup(path);
	char *slash = strrchr(dir, '/');
	enum fd_status rc = FD_OK;
	char *p, saved;

	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (p = dir + 1; rc == FD_OK; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		rc = make_dir(path, dir, err);
		*p = saved;
		if (!saved)
			break;
	}
out:
	free(dir);
	return rc;
}

/* The file exists 0600 before SQLite opens it (SQLite gives -wal/-shm the same mode).
 * An existing file of ours that is group/world accessible is tightened. */
static enum fd_status
create_file(const char *path, struct fd_err *err)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ok;

	if (fd >= 0) {
		ok = fchmod(fd, 0600) == 0;
		close(fd);
		if (!ok)
			return fd_err_set(err, FD_EIO, "cache %s: chmod: %s", path,
			                  strerror(errno));
		return FD_OK;
	}
	if (errno != EEXIST)
		return fd_err_set(err, FD_EIO, "cache %s: %s", path, strerror(errno));
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    (st.st_mode & 077) && chmod(path, 0600) != 0)
		return fd_err_set(err, FD_EIO, "cache %s: chmod: %s", path, strerror(errno));
	return FD_OK;
}

static enum fd_status
connect_db(struct fd_cache *c, struct fd_err *err)
{
	enum fd_status rc;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	if (sqlite3_open_v2(c->path, &c->db, flags, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(c->db, CACHE_BUSY_TIMEOUT_MS);
		return FD_OK;
	}
	rc = cache_fail(c, err);
	sqlite3_close(c->db);
	c->db = NULL;
	return rc;
}

static void
disconnect_db(struct fd_cache *c)
{
	size_t i;

	for (i = 0; i < c->nstmts; i++) {
		sqlite3_finalize(c->stmts[i].st);
		free(c->stmts[i].sql);
	}
	free(c->stmts);
	c->stmts = NULL;
	c->nstmts = 0;
	sqlite3_close(c->db);
	c->db = NULL;
}

static int
is_corruption(struct fd_cache *c)
{
	int code = sqlite3_errcode(c->db) & 0xff;

	return code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

/* Reads the schema version from the header (a file that is not a database fails here
 * with SQLITE_NOTADB). A newer schema, or a marker left by a run that found the file
 * corrupt, gets *why set (and an error). The full quick_check runs later, when due. */
static enum fd_status
check_file(struct fd_cache *c, int64_t *version, char *why, size_t whylen, struct fd_err *err)
{
	enum fd_status rc = query_int_sql(c, "PRAGMA user_version", version, err);
	char *marker = marker_path(c->path);
	int marked = access(marker, F_OK) == 0;

	free(marker);
	if (rc == FD_OK && *version > cache_schema_latest()) {
		snprintf(why, whylen, "from a newer fleetdeck (schema %lld)", (long long)*version);
		return fd_err_set(err, FD_EDB, "cache %s: schema %lld is newer than %d", c->path,
		                  (long long)*version, cache_schema_latest());
	}
	if (rc == FD_OK && marked)
		rc = fd_err_set(err, FD_EDB, "cache %s: found corrupt by an earlier run", c->path);
	if (marked || (rc != FD_OK && is_corruption(c)))
		snprintf(why, whylen, "corrupt");
	return rc;
}

/* PRAGMA quick_check; FD_EDB with the first problem when the file fails it. */
static enum fd_status
run_quick_check(struct fd_cache *c, char **result, struct fd_err *err)
{
	sqlite3_stmt *st = NULL;
	enum fd_status rc = cache_stmt(c, "PRAGMA quick_check", &st, err);
	const char *res = NULL;

	if (rc == FD_OK && sqlite3_step(st) != SQLITE_ROW)
		rc = cache_fail(c, err);
	if (rc == FD_OK)
		res = (const char *)sqlite3_column_text(st, 0);
	if (result)
		*result = fd_xstrdup(res ? res : "no result");
	if (rc == FD_OK && !fd_str_eq(res, "ok"))
		rc = fd_err_set(err, FD_EDB, "cache %s: quick_check: %s", c->path,
		                res ? res : "no result");
	if (st)
		sqlite3_reset(st);
	return rc;
}

static enum fd_status
record_check(struct fd_cache *c, int64_t now_s, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(c,
	                               "INSERT OR REPLACE INTO housekeeping (key, value) "
	                               "VALUES ('" CHECK_KEY "', ?1)",
	                               &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_int64(st, 1, now_s);
	return cache_step_done(c, st, err);
}

enum fd_status
fd_cache_check(struct fd_cache *c, char **result, struct fd_err *err)
{
	enum fd_status rc = run_quick_check(c, result, err);

	if (rc == FD_OK)
		rc = record_check(c, (int64_t)fd_wall_now(), err);
	else if (!c->opening && rc == FD_EDB)
		mark_corrupt(c);
	return rc;
}

/* quick_check reads the whole file (tens of ms for a large fleet): it runs when the
 * last one that passed is a day old or unknown, not on every open. Reading when it ran
 * is itself a small check of the file. */
static enum fd_status
check_when_due(struct fd_cache *c, char *why, size_t whylen, struct fd_err *err)
{
	sqlite3_stmt *st;
	char *verdict = NULL;
	int64_t last = 0, now = (int64_t)fd_wall_now();
	enum fd_status rc = cache_stmt(
	    c, "SELECT value FROM housekeeping WHERE key = '" CHECK_KEY "'", &st, err);

	if (rc == FD_OK)
		rc = cache_query_int(c, st, 0, &last, err);
	if (rc == FD_OK && last > 0 && now >= last && now - last < CHECK_EVERY_S)
		return FD_OK;
	if (rc != FD_OK)
		return rc;
	rc = run_quick_check(c, &verdict, err);
	if (rc != FD_OK && (is_corruption(c) || !fd_str_eq(verdict, "no result")))
		snprintf(why, whylen, "corrupt");
	free(verdict);
	/* Not being able to write the date (a read-only copy) is no reason to fail. */
	if (rc == FD_OK)
		(void)record_check(c, now, NULL);
	return rc;
}

static enum fd_status
migrate_tx(struct fd_cache *c, int64_t ctx_id, void *ud, struct fd_err *err)
{
	struct fd_buf sql;
	int64_t version = 0;
	int v;
	/* Re-read inside the write lock: another process may have migrated meanwhile. */
	enum fd_status rc = query_int_sql(c, "PRAGMA user_version", &version, err);

	(void)ctx_id;
	(void)ud;
	fd_buf_init(&sql);
	for (v = (int)version + 1; rc == FD_OK && v <= cache_schema_latest(); v++) {
		fd_buf_reset(&sql);
		cache_migration_sql(v, &sql);
		fd_buf_printf(&sql, "PRAGMA user_version = %d;", v);
		rc = cache_exec(c, sql.data, err);
	}
	fd_buf_free(&sql);
	if (rc == FD_OK && version > cache_schema_latest())
		rc = fd_err_set(err, FD_EDB,
		                "cache %s: upgraded to schema %lld by a newer fleetdeck", c->path,
		                (long long)version);
	return rc;
}

static enum fd_status
migrate(struct fd_cache *c, struct fd_err *err)
{
	return cache_write(c, NULL, migrate_tx, NULL, err);
}

static enum fd_status
open_once(struct fd_cache *c, char *why, size_t whylen, struct fd_err *err)
{
	int64_t version = 0;
	enum fd_status rc = make_parent_dirs(c->path, err);

	if (rc == FD_OK)
		rc = create_file(c->path, err);
	if (rc == FD_OK)
		rc = connect_db(c, err);
	if (rc == FD_OK)
		rc = check_file(c, &version, why, whylen, err);
	/* auto_vacuum can only be chosen before the first table exists. */
	if (rc == FD_OK && version == 0)
		rc = cache_exec(c, "PRAGMA auto_vacuum = INCREMENTAL;", err);
	if (rc == FD_OK)
		rc = cache_exec(c, connection_pragmas, err);
	if (rc == FD_OK)
		rc = migrate(c, err);
	if (rc == FD_OK)
		rc = check_when_due(c, why, whylen, err);
	if (rc != FD_OK && !why[0] && c->db && is_corruption(c))
		snprintf(why, whylen, "corrupt");
	return rc;
}

static char *
aside_name(const char *path)
{
	long long now = (long long)fd_wall_now();
	char *name = fd_xasprintf("%s.broken-%lld", path, now);
	int i;

	for (i = 1; i < 1000 && access(name, F_OK) == 0; i++) {
		free(name);
		name = fd_xasprintf("%s.broken-%lld.%d", path, now, i);
	}
	return name;
}

static void
unlink_sidecar(const char *path, const char *suffix)
{
	char *p = fd_xasprintf("%s%s", path, suffix);

	unlink(p);
	free(p);
}

static enum fd_status
move_aside(const char *path, const char *why, char **notice, struct fd_err *err)
{
	char *aside = aside_name(path);
	enum fd_status rc = FD_OK;

	if (rename(path, aside) != 0) {
		rc = fd_err_set(err, FD_EIO, "cache %s was %s; cannot move it aside to %s: %s",
		                path, why, aside, strerror(errno));
		goto out;
	}
	unlink_sidecar(path, "-wal");
	unlink_sidecar(path, "-shm");
	unlink_sidecar(path, ".corrupt");
	if (notice) {
		free(*notice);
		*notice = fd_xasprintf("cache %s was %s; moved aside to %s and rebuilt", path, why,
		                       aside);
	}
out:
	free(aside);
	return rc;
}

enum fd_status
fd_cache_open(const char *path, struct fd_cache **out, char **notice, struct fd_err *err)
{
	struct fd_cache *c;
	char why[96];
	enum fd_status rc = FD_OK;
	int attempt;

	*out = NULL;
	if (notice)
		*notice = NULL;
	if (!path || !*path)
		return fd_err_set(err, FD_EINVAL, "cache: no path");
	c = fd_xcalloc(1, sizeof(*c));
	c->path = fd_xstrdup(path);
	c->opening = 1;
	for (attempt = 0; attempt < 2; attempt++) {
		why[0] = '\0';
		rc = open_once(c, why, sizeof(why), err);
		if (rc == FD_OK || !why[0] || attempt)
			break;
		disconnect_db(c);
		rc = move_aside(path, why, notice, err);
		if (rc != FD_OK)
			break;
	}
	if (rc == FD_OK) {
		c->opening = 0;
		*out = c;
		return FD_OK;
	}
	fd_cache_close(c);
	if (notice) {
		free(*notice);
		*notice = NULL;
	}
	return rc;
}

void
fd_cache_close(struct fd_cache *c)
{
	if (!c)
		return;
	if (c->db)
		sqlite3_exec(c->db, "PRAGMA optimize;", NULL, NULL, NULL);
	disconnect_db(c);
	free(c->path);
	free(c);
}

int
fd_cache_schema_version(struct fd_cache *c)
{
	int64_t v = -1;

	if (!c || query_int_sql(c, "PRAGMA user_version", &v, NULL) != FD_OK)
		return -1;
	return (int)v;
}
