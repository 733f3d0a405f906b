/* test_state.c - state.db: where it lives, its modes and pragmas, per-component
 * schema versions, and that a damaged or newer file is reported and left alone. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cache/internal.h"
#include "fleetdeck/state.h"
#include "test.h"

static int migrations;

/* Build 1 of "alpha" knows version 1; build 2 also knows how to get to 2. */
static enum fd_status
alpha_v1(struct fd_state *s, int from, struct fd_err *err)
{
	migrations++;
	return from < 1 ? fd_state_exec(s, "CREATE TABLE alpha (a INTEGER);", err) : FD_OK;
}

static enum fd_status
alpha_v2(struct fd_state *s, int from, struct fd_err *err)
{
	enum fd_status st = alpha_v1(s, from, err);

	if (st == FD_OK && from < 2)
		st = fd_state_exec(s, "ALTER TABLE alpha ADD COLUMN b TEXT;", err);
	return st;
}

static enum fd_status
beta_migrate(struct fd_state *s, int from, struct fd_err *err)
{
	(void)from;
	return fd_state_exec(s, "CREATE TABLE beta (x INTEGER);", err);
}

static enum fd_status
broken_migrate(struct fd_state *s, int from, struct fd_err *err)
{
	(void)from;
	return fd_state_exec(s, "CREATE TABLE gamma (x); CREATE TABLE gamma (x);", err);
}

static char *
path_in(const char *dir, const char *name)
{
	return fd_xasprintf("%s/%s", dir, name);
}

TEST(state_default_path_follows_xdg)
{
	char *p;

	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = fd_state_default_path();
	CHECK_STR(p, "/x/state/fleetdeck/state.db");
	free(p);
	setenv("XDG_STATE_HOME", "relative/dir", 1); /* ignored, as the spec says */
	setenv("HOME", "/home/u", 1);
	p = fd_state_default_path();
	CHECK_STR(p, "/home/u/.local/state/fleetdeck/state.db");
	free(p);
}

TEST(state_file_modes_and_pragmas)
{
	char *path = path_in(fd_test_tmpdir(), "a/b/state.db");
	struct fd_err err = {0};
	struct fd_state *s = NULL;
	struct stat st;
	sqlite3_stmt *q;

	umask(022);
	REQUIRE(fd_state_open(path, &s, &err) == FD_OK);
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	*strrchr(path, '/') = '\0';
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	REQUIRE(sqlite3_prepare_v2(fd_state_db(s)->db, "PRAGMA journal_mode", -1, &q, NULL) == 0);
	REQUIRE(sqlite3_step(q) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	REQUIRE(sqlite3_prepare_v2(fd_state_db(s)->db, "PRAGMA synchronous", -1, &q, NULL) == 0);
	REQUIRE(sqlite3_step(q) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(q, 0), 2); /* FULL */
	sqlite3_finalize(q);
	fd_state_close(s);
	free(path);
}

TEST(state_components_migrate_independently)
{
	char *path = path_in(fd_test_tmpdir(), "state.db");
	struct fd_state_component a1 = {"alpha", 1, alpha_v1};
	struct fd_state_component a2 = {"alpha", 2, alpha_v2};
	struct fd_state_component b1 = {"beta", 1, beta_migrate};
	struct fd_err err = {0};
	struct fd_state *s = NULL;

	REQUIRE(fd_state_open(path, &s, &err) == FD_OK);
	CHECK_INT(fd_state_component_version(s, "alpha"), 0);
	migrations = 0;
	CHECK_INT(fd_state_use(s, &a1, &err), FD_OK);
	CHECK_INT(fd_state_use(s, &a1, &err), FD_OK); /* current: nothing runs */
	CHECK_INT(migrations, 1);
	CHECK_INT(fd_state_use(s, &b1, &err), FD_OK);
	CHECK_INT(fd_state_component_version(s, "beta"), 1);
	fd_state_close(s);
	/* A newer build adds a column to alpha; beta is untouched. */
	REQUIRE(fd_state_open(path, &s, &err) == FD_OK);
	CHECK_INT(fd_state_use(s, &a2, &err), FD_OK);
	CHECK_INT(migrations, 2);
	CHECK_INT(fd_state_component_version(s, "alpha"), 2);
	CHECK_INT(fd_state_exec(s, "INSERT INTO alpha (a, b) VALUES (1, 'x');", &err), FD_OK);
	/* An older build refuses the newer schema and says which file. */
	CHECK_INT(fd_state_use(s, &a1, &err), FD_EDB);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, "newer");
	fd_state_close(s);
	free(path);
}

TEST(state_failed_migration_leaves_nothing)
{
	char *path = path_in(fd_test_tmpdir(), "state.db");
	struct fd_state_component g = {"gamma", 1, broken_migrate};
	struct fd_err err = {0};
	struct fd_state *s = NULL;

	REQUIRE(fd_state_open(path, &s, &err) == FD_OK);
	CHECK(fd_state_use(s, &g, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "gamma");
	CHECK_INT(fd_state_component_version(s, "gamma"), 0);
	CHECK(fd_state_exec(s, "SELECT * FROM gamma;", &err) != FD_OK); /* rolled back */
	fd_state_close(s);
	free(path);
}

TEST(state_damaged_file_is_reported_and_left_alone)
{
	char *path = path_in(fd_test_tmpdir(), "state.db");
	static const char junk[] = "this is not an SQLite database, but someone's journal!";
	struct fd_err err = {0};
	struct fd_state *s = NULL;
	char back[sizeof(junk)];
	FILE *f = fopen(path, "w");

	REQUIRE(f);
	fwrite(junk, 1, sizeof(junk), f);
	fclose(f);
	CHECK_INT(fd_state_open(path, &s, &err), FD_EDB);
	CHECK(s == NULL);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, "left in place");
	f = fopen(path, "r");
	REQUIRE(f);
	CHECK_INT(fread(back, 1, sizeof(back), f), sizeof(junk));
	fclose(f);
	CHECK(memcmp(back, junk, sizeof(junk)) == 0);
	free(path);
}

TEST(state_in_memory_for_benchmarks)
{
	struct fd_state_component b1 = {"beta", 1, beta_migrate};
	struct fd_err err = {0};
	struct fd_state *s = NULL;

	REQUIRE(fd_state_open(":memory:", &s, &err) == FD_OK);
	CHECK_INT(fd_state_use(s, &b1, &err), FD_OK);
	CHECK_STR(fd_state_path(s), ":memory:");
	fd_state_close(s);
	CHECK_INT(fd_state_open("", &s, &err), FD_EINVAL);
}
