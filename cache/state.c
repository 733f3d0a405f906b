/* state.c - state.db (see state.h): the durable file. Opening creates the directory
 * 0700 and the file 0600, sets WAL + synchronous FULL and reads the component table;
 * any sign of damage is reported with the file's name and the file is left exactly
 * where it is, because it may hold the only record of messages in flight. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleetdeck/state.h"
#include "fleetdeck/util.h"
#include "internal.h"

#define STATE_BUSY_TIMEOUT_MS 5000

struct fd_state {
	struct fd_cache c; /* first: fd_state_db() hands out &c */
};

static const char state_pragmas[] = "PRAGMA journal_mode = WAL;"
                                    "PRAGMA synchronous = FULL;"
                                    "PRAGMA foreign_keys = ON;"
                                    "PRAGMA trusted_schema = OFF;";

char *
fd_state_default_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return fd_xasprintf("%s/fleetdeck/state.db", xdg);
	if (home && *home)
		return fd_xasprintf("%s/.local/state/fleetdeck/state.db", home);
	return NULL;
}

static enum fd_status
state_fail(struct fd_state *s, const char *what, struct fd_err *err)
{
	int code = s->c.db ? sqlite3_errcode(s->c.db) & 0xff : SQLITE_NOMEM;
	const char *msg = s->c.db ? sqlite3_errmsg(s->c.db) : "out of memory";

	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		return fd_err_set(err, FD_EDB,
		                  "state database %s is damaged (%s): it was left in place; "
		                  "move it away or repair it (sqlite3 .recover), then retry",
		                  s->c.path, msg);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return fd_err_set(err, FD_EAGAIN, "state database %s is busy (%s)", s->c.path, msg);
	return fd_err_set(err, FD_EDB, "state database %s: %s%s%s", s->c.path, what,
	                  *what ? ": " : "", msg);
}

static enum fd_status
make_dir(const char *path, const char *dir, struct fd_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		if (chmod(dir, 0700) != 0)
			return fd_err_set(err, FD_EIO, "state database %s: chmod %s: %s", path, dir,
			                  strerror(errno));
		return FD_OK;
	}
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return FD_OK;
	return fd_err_set(err, FD_EIO, "state database %s: mkdir %s: %s", path, dir,
	                  errno == EEXIST ? strerror(ENOTDIR) : strerror(errno));
}

static enum fd_status
make_parent_dirs(const char *path, struct fd_err *err)
{
	char *dir = fd_xstrdup(path), *slash = strrchr(dir, '/'), *p, saved;
	enum fd_status rc = FD_OK;

	if (slash && slash != dir) {
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
	}
	free(dir);
	return rc;
}

/* The file exists 0600 before SQLite opens it; -wal and -shm inherit the mode. */
static enum fd_status
create_file(const char *path, struct fd_err *err)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0) {
			close(fd);
			return fd_err_set(err, FD_EIO, "state database %s: chmod: %s", path,
			                  strerror(errno));
		}
		close(fd);
		return FD_OK;
	}
	if (errno != EEXIST)
		return fd_err_set(err, FD_EIO, "state database %s: %s", path, strerror(errno));
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    (st.st_mode & 077) && chmod(path, 0600) != 0)
		return fd_err_set(err, FD_EIO, "state database %s: chmod: %s", path,
		                  strerror(errno));
	return FD_OK;
}

static enum fd_status
connect(struct fd_state *s, struct fd_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	if (sqlite3_open_v2(s->c.path, &s->c.db, flags, NULL) != SQLITE_OK)
		return state_fail(s, "open", err);
	sqlite3_busy_timeout(s->c.db, STATE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->c.db, 0);
	return FD_OK;
}

/* Reading the schema is what tells a database from garbage; the components table is
 * created here so every component finds it. */
static enum fd_status
check_and_prepare(struct fd_state *s, struct fd_err *err)
{
	if (sqlite3_exec(s->c.db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return state_fail(s, "", err);
	if (sqlite3_exec(s->c.db, state_pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return state_fail(s, "pragmas", err);
	if (sqlite3_exec(s->c.db,
	                 "CREATE TABLE IF NOT EXISTS components ("
	                 "name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL)",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return state_fail(s, "components table", err);
	return FD_OK;
}

enum fd_status
fd_state_open(const char *path, struct fd_state **out, struct fd_err *err)
{
	struct fd_state *s;
	int memory = fd_str_eq(path, ":memory:");
	enum fd_status rc = FD_OK;

	*out = NULL;
	if (!path || !*path)
		return fd_err_set(err, FD_EINVAL, "state database: no path");
	s = fd_xcalloc(1, sizeof(*s));
	s->c.path = fd_xstrdup(path);
	if (!memory)
		rc = make_parent_dirs(path, err);
	if (rc == FD_OK && !memory)
		rc = create_file(path, err);
	if (rc == FD_OK)
		rc = connect(s, err);
	if (rc == FD_OK)
		rc = check_and_prepare(s, err);
	if (rc != FD_OK) {
		fd_state_close(s);
		return rc;
	}
	*out = s;
	return FD_OK;
}

void
fd_state_close(struct fd_state *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->c.nstmts; i++) {
		sqlite3_finalize(s->c.stmts[i].st);
		free(s->c.stmts[i].sql);
	}
	free(s->c.stmts);
	if (s->c.db)
		sqlite3_close(s->c.db);
	free(s->c.path);
	free(s);
}

const char *
fd_state_path(const struct fd_state *s)
{
	return s->c.path;
}

struct fd_cache *
fd_state_db(struct fd_state *s)
{
	return &s->c;
}

enum fd_status
fd_state_exec(struct fd_state *s, const char *sql, struct fd_err *err)
{
	if (sqlite3_exec(s->c.db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return state_fail(s, "", err);
	return FD_OK;
}

static enum fd_status
read_version(struct fd_state *s, const char *name, int64_t *v, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc =
	    cache_stmt(&s->c, "SELECT version FROM components WHERE name = ?1", &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return cache_query_int(&s->c, st, 0, v, err);
}

int
fd_state_component_version(struct fd_state *s, const char *name)
{
	int64_t v = 0;

	if (read_version(s, name, &v, NULL) != FD_OK)
		return -1;
	return (int)v;
}

static enum fd_status
write_version(struct fd_state *s, const struct fd_state_component *c, struct fd_err *err)
{
	sqlite3_stmt *st;
	enum fd_status rc = cache_stmt(&s->c,
	                               "INSERT INTO components (name, version) VALUES (?1, ?2) "
	                               "ON CONFLICT(name) DO UPDATE SET version = excluded.version",
	                               &st, err);

	if (rc != FD_OK)
		return rc;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, c->version);
	return cache_step_done(&s->c, st, err);
}

struct component_use {
	struct fd_state *s;
	const struct fd_state_component *comp;
};

static enum fd_status
migrate_tx(struct fd_cache *db, int64_t ctx_id, void *ud, struct fd_err *err)
{
	const struct component_use *u = ud;
	int64_t v = 0;
	/* Re-read inside the write lock: another process may have migrated. */
	enum fd_status rc = read_version(u->s, u->comp->name, &v, err);

	(void)db;
	(void)ctx_id;
	if (rc == FD_OK && v < u->comp->version)
		rc = u->comp->migrate(u->s, (int)v, err);
	if (rc == FD_OK && v < u->comp->version)
		rc = write_version(u->s, u->comp, err);
	return rc;
}

enum fd_status
fd_state_use(struct fd_state *s, const struct fd_state_component *c, struct fd_err *err)
{
	struct component_use u = {.s = s, .comp = c};
	int64_t v = 0;
	enum fd_status rc = read_version(s, c->name, &v, err);

	if (rc != FD_OK || v == c->version)
		return rc;
	if (v > c->version)
		return fd_err_set(err, FD_EDB,
		                  "state database %s: component %s is at version %lld, newer than "
		                  "this fleetdeck knows (%d); upgrade fleetdeck (the file was left "
		                  "as it is)",
		                  s->c.path, c->name, (long long)v, c->version);
	rc = cache_write(&s->c, NULL, migrate_tx, &u, err);
	if (rc != FD_OK)
		fd_err_prefix(err, "state component %s", c->name);
	return rc;
}
