/* state.h - state.db: fleetdeck's durable SQLite file, for what must survive a crash
 * and is never rebuilt from AWS (the redrive journal and job history; the invoke
 * feature's events). Unlike the cache it is never deleted or moved aside: a corrupt
 * or newer file is an error that names the file and leaves it alone.
 *
 * Where: $XDG_STATE_HOME/fleetdeck/state.db, else ~/.local/state/fleetdeck/state.db
 * (a relative XDG_STATE_HOME is ignored). Directory 0700, file 0600, WAL journal,
 * synchronous = FULL (a COMMIT is on disk when it returns), busy timeout so two
 * fleetdeck processes can share it, foreign keys on.
 *
 * Components: each feature owns some tables and their schema version, recorded in
 * the table components(name PRIMARY KEY, version). A feature calls fd_state_use()
 * once after opening with its name, the version it knows and a migrate function;
 * fd_state_use() runs the migration (from the stored version, 0 for a new
 * component) inside one transaction and records the new version. Components never
 * touch each other's tables, so a new feature adds itself without a change here:
 *
 *	static enum fd_status
 *	events_migrate(struct fd_state *s, int from, struct fd_err *err)
 *	{
 *		if (from < 1)
 *			return fd_state_exec(s, "CREATE TABLE events (...);", err);
 *		return FD_OK;
 *	}
 *	static const struct fd_state_component events = {"events", 1, events_migrate};
 *	st = fd_state_use(state, &events, err);
 *
 * SQL lives in cache/ (the layer that owns sqlite3): a component's cache/ file gets
 * the connection with fd_state_db() and uses cache/internal.h's helpers on it. */
#ifndef FLEETDECK_STATE_H
#define FLEETDECK_STATE_H

#include "fleetdeck/status.h"

struct fd_state;
struct fd_cache;

/* The default path (malloc'd); NULL when neither XDG_STATE_HOME nor HOME is set. */
char *fd_state_default_path(void);
/* Opens (creating directories 0700 and the file 0600) and checks the file. ":memory:"
 * gives a private in-memory database (benchmarks). A file that is not a database, is
 * corrupt, or was written by a newer fleetdeck fails with FD_EDB and a message naming
 * it; nothing is renamed or deleted. */
enum fd_status fd_state_open(const char *path, struct fd_state **out, struct fd_err *err);
void fd_state_close(struct fd_state *s);
const char *fd_state_path(const struct fd_state *s);

struct fd_state_component {
	const char *name; /* "redrive", "events" */
	int version;      /* the newest schema this build knows, >= 1 */
	/* Brings the component's tables from version `from` (0 = none yet) to `version`.
	 * Runs inside the transaction fd_state_use() opened; use fd_state_exec(). */
	enum fd_status (*migrate)(struct fd_state *s, int from, struct fd_err *err);
};

/* Makes sure the component's tables are at c->version: migrates when older, refuses
 * (FD_EDB, naming the file) when the file holds a newer version than this build
 * knows. Cheap when already current. */
enum fd_status fd_state_use(struct fd_state *s, const struct fd_state_component *c,
                            struct fd_err *err);
/* Stored version of a component; 0 when it never ran, -1 on error. */
int fd_state_component_version(struct fd_state *s, const char *name);
/* Runs SQL without results (migrations). */
enum fd_status fd_state_exec(struct fd_state *s, const char *sql, struct fd_err *err);
/* The connection, for cache/ files (cache/internal.h helpers work on it). */
struct fd_cache *fd_state_db(struct fd_state *s);

#endif
