/* test_cache.c - the SQLite cache: file modes, round trips of every field, mark and
 * sweep, detail preservation, metrics, migrations, recovery from newer and corrupt
 * files, two processes at once, context isolation, secrets, and a 10,000-function
 * timing. The test may use sqlite3 directly to build old or broken files. */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../cache/schema.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/util.h"
#include "test.h"

static struct fd_ctx
mkctx(const char *profile, const char *region)
{
	struct fd_ctx c;

	memset(&c, 0, sizeof(c));
	fd_strlcpy(c.profile, profile, sizeof(c.profile));
	fd_strlcpy(c.account, "123456789012", sizeof(c.account));
	fd_strlcpy(c.region, region, sizeof(c.region));
	return c;
}

/* Points XDG_CACHE_HOME at this case's tmpdir and returns the default cache path. */
static char *
cache_path(void)
{
	char *xdg = fd_xasprintf("%s/xdg", fd_test_tmpdir());

	setenv("XDG_CACHE_HOME", xdg, 1);
	free(xdg);
	return fd_cache_default_path();
}

static struct fd_cache *
open_cache(const char *path)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {0};
	char *notice = NULL;

	if (fd_cache_open(path, &c, &notice, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "open %s: %s", path, err.msg);
	if (notice)
		fd_test_fail(__FILE__, __LINE__, "unexpected notice: %s", notice);
	free(notice);
	return c;
}

static void
add_env(struct fd_function *f, const char *name, const char *value, enum fd_env_kind kind)
{
	f->env = fd_xreallocarray(f->env, f->nenv + 1, sizeof(*f->env));
	f->env[f->nenv].name = fd_xstrdup(name);
	f->env[f->nenv].value = value ? fd_xstrdup(value) : NULL;
	f->env[f->nenv].kind = kind;
	f->nenv++;
}

static void
fill_minimal(struct fd_function *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->name = fd_xstrdup(name);
	f->reserved_concurrency = -1;
	f->async.max_retry = -1;
	f->async.max_event_age_s = -1;
}

static void
fill_detail(struct fd_function *f)
{
	f->detail_loaded = 1;
	f->detail_fetched_ms = 1767000000456LL;
	f->reserved_concurrency = 25;
	f->ntags = 2;
	f->tags = fd_xcalloc(2, sizeof(*f->tags));
	f->tags[0] = (struct fd_kv){fd_xstrdup("team"), fd_xstrdup("payments")};
	f->tags[1] = (struct fd_kv){fd_xstrdup("env"), fd_xstrdup("prod")};
	f->ntriggers = 2;
	f->triggers = fd_xcalloc(2, sizeof(*f->triggers));
	f->triggers[0] = (struct fd_trigger){FD_TRIG_SQS,
	                                     fd_xstrdup("arn:aws:sqs:us-east-1:1:in"),
	                                     fd_xstrdup("uuid-1"),
	                                     fd_xstrdup("Enabled"),
	                                     10,
	                                     fd_xstrdup("arn:aws:sqs:us-east-1:1:in-dlq")};
	f->triggers[1] =
	    (struct fd_trigger){FD_TRIG_S3, fd_xstrdup("arn:aws:s3:::bucket"), NULL, NULL, 0, NULL};
	f->naliases = 1;
	f->aliases = fd_xcalloc(1, sizeof(*f->aliases));
	f->aliases[0] = (struct fd_alias){fd_xstrdup("live"), fd_xstrdup("7"), 5, 4};
	f->nversions = 2;
	f->versions = fd_xcalloc(2, sizeof(*f->versions));
	f->versions[0] = (struct fd_version){fd_xstrdup("6"),
	                                     fd_xstrdup("2025-12-01T00:00:00Z"),
	                                     fd_xstrdup("python3.11"),
	                                     512,
	                                     0,
	                                     0};
	f->versions[1] = (struct fd_version){fd_xstrdup("7"),
	                                     fd_xstrdup("2026-01-01T00:00:00Z"),
	                                     fd_xstrdup("python3.12"),
	                                     1024,
	                                     10,
	                                     8};
	f->async = (struct fd_async_config){1, 0, 3600, fd_xstrdup("arn:aws:sqs:us-east-1:1:fail"),
	                                    fd_xstrdup("arn:aws:sns:us-east-1:1:ok")};
}

static void
fill_full(struct fd_function *f, const char *name)
{
	fill_minimal(f, name);
	f->arn = fd_xasprintf("arn:aws:lambda:us-east-1:123456789012:function:%s", name);
	f->runtime = fd_xstrdup("python3.12");
	f->handler = fd_xstrdup("app.handler");
	f->role = fd_xstrdup("arn:aws:iam::123456789012:role/orders");
	f->description = fd_xstrdup("Order intake \xc3\xbc 'quoted' \"double\"");
	f->last_modified = fd_xstrdup("2026-01-02T03:04:05.000+0000");
	f->version = fd_xstrdup("$LATEST");
	f->architecture = fd_xstrdup("arm64");
	f->package_type = fd_xstrdup("Zip");
	f->state = fd_xstrdup("Active");
	f->memory_mb = 1769;
	f->timeout_s = 900;
	f->ephemeral_mb = 10240;
	f->code_size = 5000000000LL;
	f->log_format = fd_xstrdup("JSON");
	f->log_group = fd_xstrdup("/custom/orders");
	f->app_log_level = fd_xstrdup("DEBUG");
	f->system_log_level = fd_xstrdup("WARN");
	f->dlq_arn = fd_xstrdup("arn:aws:sqs:us-east-1:1:dlq");
	f->tracing_mode = fd_xstrdup("Active");
	f->snapstart = fd_xstrdup("PublishedVersions");
	f->nlayers = 2;
	f->layers = fd_xcalloc(2, sizeof(char *));
	f->layers[0] = fd_xstrdup("arn:aws:lambda:us-east-1:1:layer:powertools:3");
	f->layers[1] = fd_xstrdup("arn:aws:lambda:us-east-1:1:layer:deps:9");
	add_env(f, "LOG_LEVEL", "INFO", FD_ENV_PLAIN);
	add_env(f, "DB_PASSWORD", NULL, FD_ENV_SECRET_LITERAL);
	add_env(f, "API_KEY", "arn:aws:secretsmanager:us-east-1:1:secret:api", FD_ENV_SECRET_REF);
	f->powertools = 1;
	f->rds_proxy_endpoint = fd_xstrdup("db.proxy-abc.us-east-1.rds.amazonaws.com");
	f->fetched_ms = 1767000000123LL;
	fill_detail(f);
}

#define SAME_STR(field) same_str(got->field, want->field, #field, line)
#define SAME_INT(field) same_int((long long)got->field, (long long)want->field, #field, line)

static void
same_str(const char *got, const char *want, const char *what, int line)
{
	if (!fd_str_eq(got, want))
		fd_test_fail(__FILE__, line, "%s is \"%s\", expected \"%s\"", what,
		             got ? got : "(null)", want ? want : "(null)");
}

static void
same_int(long long got, long long want, const char *what, int line)
{
	if (got != want)
		fd_test_fail(__FILE__, line, "%s is %lld, expected %lld", what, got, want);
}

static void
same_children(const struct fd_function *got, const struct fd_function *want, int line)
{
	size_t i;

	SAME_INT(nlayers);
	for (i = 0; i < got->nlayers && i < want->nlayers; i++)
		SAME_STR(layers[i]);
	SAME_INT(nenv);
	for (i = 0; i < got->nenv && i < want->nenv; i++) {
		SAME_STR(env[i].name);
		SAME_STR(env[i].value);
		SAME_INT(env[i].kind);
	}
	SAME_INT(ntags);
	for (i = 0; i < got->ntags && i < want->ntags; i++) {
		SAME_STR(tags[i].key);
		SAME_STR(tags[i].value);
	}
	SAME_INT(ntriggers);
	for (i = 0; i < got->ntriggers && i < want->ntriggers; i++) {
		SAME_INT(triggers[i].kind);
		SAME_STR(triggers[i].source_arn);
		SAME_STR(triggers[i].uuid);
		SAME_STR(triggers[i].state);
		SAME_INT(triggers[i].batch_size);
		SAME_STR(triggers[i].on_failure);
	}
	SAME_INT(naliases);
	for (i = 0; i < got->naliases && i < want->naliases; i++) {
		SAME_STR(aliases[i].name);
		SAME_STR(aliases[i].version);
		SAME_INT(aliases[i].provisioned);
		SAME_INT(aliases[i].provisioned_available);
	}
	SAME_INT(nversions);
	for (i = 0; i < got->nversions && i < want->nversions; i++) {
		SAME_STR(versions[i].version);
		SAME_STR(versions[i].last_modified);
		SAME_STR(versions[i].runtime);
		SAME_INT(versions[i].memory_mb);
		SAME_INT(versions[i].provisioned);
		SAME_INT(versions[i].provisioned_available);
	}
}

static void
same_function(const struct fd_function *got, const struct fd_function *want, int line)
{
	SAME_STR(name), SAME_STR(arn), SAME_STR(runtime), SAME_STR(handler), SAME_STR(role);
	SAME_STR(description), SAME_STR(last_modified), SAME_STR(version);
	SAME_STR(architecture), SAME_STR(package_type), SAME_STR(state);
	SAME_INT(memory_mb), SAME_INT(timeout_s), SAME_INT(ephemeral_mb), SAME_INT(code_size);
	SAME_STR(log_format), SAME_STR(log_group), SAME_STR(app_log_level);
	SAME_STR(system_log_level), SAME_STR(dlq_arn), SAME_STR(tracing_mode), SAME_STR(snapstart);
	SAME_INT(powertools), SAME_STR(rds_proxy_endpoint), SAME_INT(fetched_ms);
	SAME_INT(detail_loaded), SAME_INT(detail_fetched_ms), SAME_INT(reserved_concurrency);
	SAME_INT(async.present), SAME_INT(async.max_retry), SAME_INT(async.max_event_age_s);
	SAME_STR(async.on_failure), SAME_STR(async.on_success);
	same_children(got, want, line);
}

static int
file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

TEST(cache_paths_and_modes)
{
	char *path, *dir, *wal;
	struct fd_cache *c;
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_err err = {0};

	umask(0);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/someone", 1);
	path = fd_cache_default_path();
	CHECK_STR(path, "/home/someone/.cache/fleetdeck/cache.db");
	free(path);
	setenv("XDG_CACHE_HOME", "relative/ignored", 1);
	path = fd_cache_default_path();
	CHECK_STR(path, "/home/someone/.cache/fleetdeck/cache.db");
	free(path);

	path = cache_path();
	CHECK(fd_str_ends(path, "/xdg/fleetdeck/cache.db"));
	c = open_cache(path);
	REQUIRE(c != NULL);
	CHECK_INT(fd_cache_schema_version(c), cache_schema_latest());
	CHECK_INT(fd_cache_meta_set(c, &ctx, "k", "v", &err), FD_OK);
	dir = fd_xasprintf("%s/xdg/fleetdeck", fd_test_tmpdir());
	wal = fd_xasprintf("%s-wal", path);
	CHECK_INT(file_mode(dir), 0700);
	dir[strlen(dir) - strlen("/fleetdeck")] = '\0';
	CHECK_INT(file_mode(dir), 0700);
	CHECK_INT(file_mode(path), 0600);
	CHECK_INT(file_mode(wal), 0600);
	fd_cache_close(c);
	/* an existing world-readable cache file is tightened */
	CHECK(chmod(path, 0644) == 0);
	c = open_cache(path);
	CHECK_INT(file_mode(path), 0600);
	fd_cache_close(c);
	free(dir);
	free(wal);
	free(path);
}

TEST(cache_pragmas)
{
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	REQUIRE(c != NULL);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
	REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA auto_vacuum", -1, &st, NULL) == SQLITE_OK);
	REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fd_cache_close(c);
	free(path);
}

TEST(cache_function_roundtrip_full_and_minimal)
{
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_function in[2], got;
	struct fd_function *all = NULL;
	struct fd_err err = {0};
	size_t n = 0;
	int64_t oldest = -1;

	REQUIRE(c != NULL);
	fill_full(&in[0], "orders");
	fill_minimal(&in[1], "a-minimal");
	CHECK_INT(fd_cache_put_function(c, &ctx, &in[0], &err), FD_OK);
	CHECK_INT(fd_cache_put_function(c, &ctx, &in[1], &err), FD_OK);
	fd_cache_close(c);
	c = open_cache(path);
	REQUIRE(c != NULL);
	CHECK_INT(fd_cache_get_function(c, &ctx, "orders", &got, &err), FD_OK);
	same_function(&got, &in[0], __LINE__);
	fd_function_free(&got);
	CHECK_INT(fd_cache_get_function(c, &ctx, "a-minimal", &got, &err), FD_OK);
	same_function(&got, &in[1], __LINE__);
	fd_function_free(&got);
	CHECK_INT(fd_cache_get_function(c, &ctx, "nope", &got, &err), FD_ENOTFOUND);
	CHECK_CONTAINS(err.msg, "nope");
	CHECK_INT(fd_cache_get_functions(c, &ctx, &all, &n, &oldest, &err), FD_OK);
	REQUIRE(n == 2);
	same_function(&all[0], &in[1], __LINE__);
	same_function(&all[1], &in[0], __LINE__);
	CHECK_INT(oldest, in[0].fetched_ms);
	fd_functions_free(all, n);
	fd_function_free(&in[0]);
	fd_function_free(&in[1]);
	fd_cache_close(c);
	free(path);
}

static struct fd_function *
listing(const char *const *names, size_t n, int64_t fetched_ms)
{
	struct fd_function *fns = fd_xcalloc(n, sizeof(*fns));
	size_t i;

	for (i = 0; i < n; i++) {
		fill_minimal(&fns[i], names[i]);
		fns[i].memory_mb = 128;
		fns[i].fetched_ms = fetched_ms;
		fns[i].nlayers = 1;
		fns[i].layers = fd_xcalloc(1, sizeof(char *));
		fns[i].layers[0] = fd_xasprintf("layer-of-%s", names[i]);
		add_env(&fns[i], "STAGE", "prod", FD_ENV_PLAIN);
	}
	return fns;
}

static long long
table_rows(struct fd_cache *c, const char *table)
{
	struct fd_cache_table_stats st[32];
	size_t n = 0, i;
	long long file_bytes = 0;

	if (fd_cache_stats(c, st, FD_ARRAY_LEN(st), &n, &file_bytes, NULL) != FD_OK)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(st[i].name, table) == 0)
			return st[i].rows;
	return -2;
}

TEST(cache_mark_and_sweep)
{
	static const char *const first[] = {"alpha", "bravo", "charlie"};
	static const char *const second[] = {"delta", "charlie", "bravo"};
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_function *in, *out = NULL;
	struct fd_err err = {0};
	size_t n = 0;

	REQUIRE(c != NULL);
	in = listing(first, 3, 1000);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 3, &err), FD_OK);
	fd_functions_free(in, 3);
	in = listing(second, 3, 2000);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 3, &err), FD_OK);
	fd_functions_free(in, 3);
	CHECK_INT(fd_cache_get_functions(c, &ctx, &out, &n, NULL, &err), FD_OK);
	REQUIRE(n == 3);
	CHECK_STR(out[0].name, "bravo");
	CHECK_STR(out[1].name, "charlie");
	CHECK_STR(out[2].name, "delta");
	CHECK_INT(out[0].fetched_ms, 2000);
	REQUIRE(out[2].nlayers == 1);
	CHECK_STR(out[2].layers[0], "layer-of-delta");
	fd_functions_free(out, n);
	/* alpha's children went with it; nothing duplicated for the kept ones */
	CHECK_INT(table_rows(c, "functions"), 3);
	CHECK_INT(table_rows(c, "layers"), 3);
	CHECK_INT(table_rows(c, "env"), 3);
	/* an empty listing empties the context */
	CHECK_INT(fd_cache_put_functions(c, &ctx, NULL, 0, &err), FD_OK);
	CHECK_INT(table_rows(c, "functions"), 0);
	CHECK_INT(table_rows(c, "layers"), 0);
	fd_cache_close(c);
	free(path);
}

TEST(cache_detail_preserved_across_listings)
{
	static const char *const names[] = {"orders", "users"};
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_function full, got, *in;
	struct fd_err err = {0};

	REQUIRE(c != NULL);
	fill_full(&full, "orders");
	CHECK_INT(fd_cache_put_function(c, &ctx, &full, &err), FD_OK);
	in = listing(names, 2, 5000);
	in[0].memory_mb = 2048;
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 2, &err), FD_OK);
	CHECK_INT(fd_cache_get_function(c, &ctx, "orders", &got, &err), FD_OK);
	CHECK_INT(got.memory_mb, 2048);
	CHECK_INT(got.fetched_ms, 5000);
	REQUIRE(got.nlayers == 1);
	CHECK_STR(got.layers[0], "layer-of-orders");
	CHECK_INT(got.detail_loaded, 1);
	CHECK_INT(got.reserved_concurrency, 25);
	CHECK_INT(got.ntags, 2);
	CHECK_INT(got.ntriggers, 2);
	CHECK_STR(got.async.on_success, "arn:aws:sns:us-east-1:1:ok");
	fd_function_free(&got);
	/* a listing record that carries detail replaces the stored detail */
	fd_function_free(&in[0]);
	fill_minimal(&in[0], "orders");
	in[0].detail_loaded = 1;
	in[0].reserved_concurrency = 3;
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 2, &err), FD_OK);
	CHECK_INT(fd_cache_get_function(c, &ctx, "orders", &got, &err), FD_OK);
	CHECK_INT(got.reserved_concurrency, 3);
	CHECK_INT(got.ntags, 0);
	CHECK_INT(got.ntriggers, 0);
	CHECK(got.async.on_success == NULL);
	fd_function_free(&got);
	fd_functions_free(in, 2);
	fd_function_free(&full);
	fd_cache_close(c);
	free(path);
}

static void
set_series(struct fd_series *s, int64_t start, int period, const double *v, size_t n)
{
	s->start_s = start;
	s->period_s = period;
	s->n = n;
	s->values = fd_xreallocarray(NULL, n, sizeof(double));
	memcpy(s->values, v, n * sizeof(double));
}

static void
check_series(const struct fd_series *s, int64_t start, const double *want, size_t n, int line)
{
	size_t i;

	same_int(s->start_s, start, "start_s", line);
	same_int((long long)s->n, (long long)n, "n", line);
	for (i = 0; i < n && i < s->n; i++)
		if (isnan(want[i]) ? !isnan(s->values[i]) : s->values[i] != want[i])
			fd_test_fail(__FILE__, line, "point %zu is %g, expected %g", i,
			             s->values[i], want[i]);
}

static struct fd_function_metrics *
find_metrics(struct fd_function_metrics *m, size_t n, const char *fn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd_str_eq(m[i].function, fn))
			return &m[i];
	return NULL;
}

static void
free_metrics(struct fd_function_metrics *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fd_function_metrics_free(&m[i]);
	free(m);
}

TEST(cache_metrics_merge_gaps_prune)
{
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_function_metrics in = {0}, *out = NULL, *m;
	struct fd_err err = {0};
	size_t n = 0;

	REQUIRE(c != NULL);
	in.function = fd_xstrdup("orders");
	in.fetched_ms = 1000;
	set_series(&in.s[FD_M_INVOCATIONS], 600, 60, (double[]){1, NAN, 3}, 3);
	set_series(&in.s[FD_M_DURATION_P99], 600, 60, (double[]){250.5}, 1);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	fd_function_metrics_free(&in);
	in.function = fd_xstrdup("orders");
	in.fetched_ms = 2000;
	set_series(&in.s[FD_M_INVOCATIONS], 720, 60, (double[]){30, 4, NAN, 6}, 4);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, &in, 1, &err), FD_OK);
	fd_function_metrics_free(&in);
	CHECK_INT(fd_cache_metrics_newest(c, &ctx, 60), 900);
	CHECK_INT(fd_cache_metrics_newest(c, &ctx, 300), 0);

	CHECK_INT(fd_cache_get_metrics(c, &ctx, 60, 0, &out, &n, &err), FD_OK);
	REQUIRE(n == 1 && (m = find_metrics(out, n, "orders")));
	check_series(&m->s[FD_M_INVOCATIONS], 600, (double[]){1, NAN, 30, 4, NAN, 6}, 6, __LINE__);
	check_series(&m->s[FD_M_DURATION_P99], 600, (double[]){250.5}, 1, __LINE__);
	CHECK_INT(m->s[FD_M_ERRORS].n, 0);
	CHECK_INT(m->fetched_ms, 2000);
	free_metrics(out, n);
	/* from_s starts at the first point at or after it */
	CHECK_INT(fd_cache_get_metrics(c, &ctx, 60, 700, &out, &n, &err), FD_OK);
	REQUIRE(n == 1);
	check_series(&out[0].s[FD_M_INVOCATIONS], 720, (double[]){30, 4, NAN, 6}, 4, __LINE__);
	CHECK_INT(out[0].s[FD_M_DURATION_P99].n, 0);
	free_metrics(out, n);

	/* points before 800 go; the p99 series is left empty and removed */
	CHECK_INT(fd_cache_prune(c, 1000, 200, &err), FD_OK);
	CHECK_INT(table_rows(c, "metric_points"), 0); /* points are packed, a row a function */
	CHECK_INT(table_rows(c, "metric_packed"), 1);
	CHECK_INT(fd_cache_get_metrics(c, &ctx, 60, 0, &out, &n, &err), FD_OK);
	REQUIRE(n == 1);
	check_series(&out[0].s[FD_M_INVOCATIONS], 900, (double[]){6}, 1, __LINE__);
	free_metrics(out, n);
	fd_cache_close(c);
	free(path);
}

TEST(cache_prune_drops_stale_contexts)
{
	static const char *const names[] = {"orders"};
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx old = mkctx("old", "us-east-1"), fresh = mkctx("fresh", "us-east-1");
	int64_t now_s = 1800000000;
	struct fd_function *in;
	struct fd_ctx *ctxs = NULL;
	struct fd_err err = {0};
	size_t n = 0;

	REQUIRE(c != NULL);
	in = listing(names, 1, (now_s - 31 * 86400) * 1000);
	CHECK_INT(fd_cache_put_functions(c, &old, in, 1, &err), FD_OK);
	in[0].fetched_ms = (now_s - 3600) * 1000;
	CHECK_INT(fd_cache_put_functions(c, &fresh, in, 1, &err), FD_OK);
	fd_functions_free(in, 1);
	CHECK_INT(fd_cache_meta_set(c, &old, "detail_cursor", "orders", &err), FD_OK);
	CHECK_INT(fd_cache_prune(c, now_s, 86400, &err), FD_OK);
	CHECK_INT(fd_cache_contexts(c, &ctxs, &n, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(ctxs[0].profile, "fresh");
	free(ctxs);
	CHECK(fd_cache_meta_get(c, &old, "detail_cursor") == NULL);
	CHECK_INT(table_rows(c, "layers"), 1);
	fd_cache_close(c);
	free(path);
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fd_test_fail(__FILE__, __LINE__, "sql: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

/* What fleetdeck's schema 1 looked like, written out by hand: an old file to upgrade. */
static const char v1_schema[] =
    "CREATE TABLE contexts (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, account TEXT NOT "
    "NULL, region TEXT NOT NULL, UNIQUE (profile, account, region));"
    "CREATE TABLE functions (id INTEGER PRIMARY KEY, ctx_id INTEGER NOT NULL REFERENCES "
    "contexts(id) ON DELETE CASCADE, name TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, arn "
    "TEXT, runtime TEXT, handler TEXT, role TEXT, description TEXT, last_modified TEXT, "
    "version TEXT, architecture TEXT, package_type TEXT, state TEXT, memory_mb INTEGER, "
    "timeout_s INTEGER, ephemeral_mb INTEGER, code_size INTEGER, log_group TEXT, dlq_arn "
    "TEXT, tracing_mode TEXT, snapstart TEXT, powertools INTEGER, rds_proxy_endpoint TEXT, "
    "fetched_ms INTEGER, detail_loaded INTEGER, detail_fetched_ms INTEGER, "
    "reserved_concurrency INTEGER, async_present INTEGER, async_max_retry INTEGER, "
    "async_max_event_age_s INTEGER, async_on_failure TEXT, async_on_success TEXT, "
    "UNIQUE (ctx_id, name));"
    "CREATE TABLE layers (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, arn TEXT, PRIMARY KEY (fn_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE env (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, seq "
    "INTEGER NOT NULL, name TEXT, value TEXT, kind TEXT, PRIMARY KEY (fn_id, seq)) WITHOUT "
    "ROWID;"
    "CREATE TABLE tags (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, seq "
    "INTEGER NOT NULL, key TEXT, value TEXT, PRIMARY KEY (fn_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE triggers (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, kind TEXT, source_arn TEXT, uuid TEXT, state TEXT, batch_size "
    "INTEGER, on_failure TEXT, PRIMARY KEY (fn_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE aliases (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, name TEXT, version TEXT, provisioned INTEGER, provisioned_available "
    "INTEGER, PRIMARY KEY (fn_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE versions (fn_id INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, version TEXT, last_modified TEXT, runtime TEXT, memory_mb INTEGER, "
    "PRIMARY KEY (fn_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE log_groups (ctx_id INTEGER NOT NULL REFERENCES contexts(id) ON DELETE "
    "CASCADE, name TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, retention_days INTEGER, "
    "stored_bytes INTEGER, created_ms INTEGER, fetched_ms INTEGER, PRIMARY KEY (ctx_id, "
    "name)) WITHOUT ROWID;"
    "CREATE TABLE meta (ctx_id INTEGER NOT NULL REFERENCES contexts(id) ON DELETE CASCADE, key "
    "TEXT NOT NULL, value TEXT, PRIMARY KEY (ctx_id, key)) WITHOUT ROWID;"
    "CREATE TABLE metric_series (id INTEGER PRIMARY KEY, ctx_id INTEGER NOT NULL REFERENCES "
    "contexts(id) ON DELETE CASCADE, function TEXT NOT NULL, metric TEXT NOT NULL, period_s "
    "INTEGER NOT NULL, fetched_ms INTEGER NOT NULL DEFAULT 0, UNIQUE (ctx_id, function, "
    "metric, period_s));"
    "CREATE TABLE metric_points (series_id INTEGER NOT NULL REFERENCES metric_series(id) ON "
    "DELETE CASCADE, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) "
    "WITHOUT ROWID;"
    "INSERT INTO contexts VALUES (1, 'default', '123456789012', 'us-east-1');"
    "INSERT INTO functions (id, ctx_id, name, seen, runtime, memory_mb, fetched_ms, "
    "detail_loaded, reserved_concurrency) VALUES (1, 1, 'legacy', 1, 'nodejs18.x', 256, 42, 0, "
    "-1);"
    "INSERT INTO layers VALUES (1, 0, 'arn:layer:1');"
    "INSERT INTO log_groups VALUES (1, '/aws/lambda/legacy', 1, 14, 1024, 7, 42);"
    "PRAGMA user_version = 1;";

TEST(cache_migrates_v1_file)
{
	char *path = cache_path();
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_log_group g = {0}, *groups = NULL;
	struct fd_function got;
	struct fd_cache *c;
	struct fd_err err = {0};
	sqlite3 *db = NULL;
	size_t n = 0;

	/* open once to create the directories, then replace the file with a v1 one */
	c = open_cache(path);
	fd_cache_close(c);
	CHECK(unlink(path) == 0);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	exec_sql(db, v1_schema);
	sqlite3_close(db);

	c = open_cache(path);
	REQUIRE(c != NULL);
	CHECK_INT(fd_cache_schema_version(c), cache_schema_latest());
	CHECK_INT(fd_cache_get_function(c, &ctx, "legacy", &got, &err), FD_OK);
	CHECK_STR(got.runtime, "nodejs18.x");
	CHECK_INT(got.memory_mb, 256);
	CHECK(got.log_format == NULL);
	REQUIRE(got.nlayers == 1);
	CHECK_STR(got.layers[0], "arn:layer:1");
	fd_function_free(&got);
	CHECK_INT(fd_cache_get_log_groups(c, &ctx, &groups, &n, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(groups[0].name, "/aws/lambda/legacy");
	CHECK_INT(groups[0].retention_days, 14);
	CHECK(groups[0].log_class == NULL);
	fd_log_groups_free(groups, n);
	/* the v2 columns work */
	g.name = "/aws/lambda/legacy";
	g.log_class = "INFREQUENT_ACCESS";
	g.retention_days = 30;
	CHECK_INT(fd_cache_put_log_groups(c, &ctx, &g, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_log_groups(c, &ctx, &groups, &n, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(groups[0].log_class, "INFREQUENT_ACCESS");
	fd_log_groups_free(groups, n);
	fd_cache_close(c);
	free(path);
}

static char *
read_all(const char *path, size_t *len)
{
	struct fd_buf b;
	struct fd_err err;

	fd_buf_init(&b);
	if (fd_read_file(path, 1u << 30, &b, &err) != FD_OK) {
		fd_buf_free(&b);
		*len = 0;
		return NULL;
	}
	*len = b.len;
	return fd_buf_steal(&b);
}

static void
write_bytes(const char *path, const unsigned char *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	REQUIRE(f != NULL);
	CHECK(fwrite(p, 1, n, f) == n);
	fclose(f);
}

/* Opens path expecting a move-aside; returns the aside path named in the notice. */
static char *
open_expect_aside(const char *path, const char *why)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {0};
	char *notice = NULL, *aside = NULL, *want, *p;

	CHECK_INT(fd_cache_open(path, &c, &notice, &err), FD_OK);
	want = fd_xasprintf("cache %s was %s; moved aside to %s.broken-", path, why, path);
	CHECK_CONTAINS(notice, want);
	CHECK_CONTAINS(notice, "and rebuilt");
	if (notice && (p = strstr(notice, "moved aside to ")) && strstr(p, " and rebuilt")) {
		p += strlen("moved aside to ");
		aside = fd_xstrndup(p, (size_t)(strstr(p, " and rebuilt") - p));
	}
	if (c)
		CHECK_INT(fd_cache_schema_version(c), cache_schema_latest());
	fd_cache_close(c);
	free(notice);
	free(want);
	return aside;
}

TEST(cache_newer_file_moved_aside)
{
	char *path = cache_path(), *aside;
	struct fd_cache *c = open_cache(path);
	sqlite3 *db = NULL;

	fd_cache_close(c);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	exec_sql(db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
	sqlite3_close(db);
	aside = open_expect_aside(path, "from a newer fleetdeck (schema 99)");
	REQUIRE(aside != NULL);
	CHECK_INT(file_mode(aside) >= 0, 1);
	REQUIRE(sqlite3_open(aside, &db) == SQLITE_OK);
	CHECK_INT(exec_sql(db, "SELECT x FROM future"), SQLITE_OK);
	sqlite3_close(db);
	free(aside);
	free(path);
}

TEST(cache_random_bytes_moved_aside)
{
	char *path = cache_path(), *aside, *wal, *back;
	unsigned char junk[8192];
	struct fd_cache *c = open_cache(path);
	size_t i, len = 0;

	fd_cache_close(c);
	srand(7);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(rand() & 0xff);
	write_bytes(path, junk, sizeof(junk));
	wal = fd_xasprintf("%s-wal", path);
	write_bytes(wal, junk, 100);
	aside = open_expect_aside(path, "corrupt");
	REQUIRE(aside != NULL);
	back = read_all(aside, &len);
	CHECK(len == sizeof(junk) && back && memcmp(back, junk, len) == 0);
	free(back);
	back = read_all(wal, &len);
	CHECK(!back || len != 100 || memcmp(back, junk, 100) != 0);
	free(back);
	free(wal);
	free(aside);
	free(path);
}

/* n full functions f000, f001, ... stored in c. */
static void
store_functions(struct fd_cache *c, const struct fd_ctx *ctx, size_t n)
{
	struct fd_function *in = fd_xcalloc(n, sizeof(*in));
	struct fd_err err = {0};
	char name[16];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%03zu", i);
		fill_full(&in[i], name);
	}
	CHECK_INT(fd_cache_put_functions(c, ctx, in, n, &err), FD_OK);
	fd_functions_free(in, n);
}

TEST(cache_damaged_pages_moved_aside)
{
	enum { N = 300 };
	char *path = cache_path(), *aside, *data;
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	size_t len = 0, i;

	REQUIRE(c != NULL);
	store_functions(c, &ctx, N);
	fd_cache_close(c);
	data = read_all(path, &len);
	REQUIRE(data && len >= 8 * 4096);
	/* scribble over every page after the first three (b-tree pages) */
	for (i = 3 * 4096; i < len; i++)
		data[i] = (char)(i * 31 + 7);
	write_bytes(path, (unsigned char *)data, len);
	free(data);
	aside = open_expect_aside(path, "corrupt");
	CHECK(aside != NULL);
	free(aside);
	free(path);
}

/* Open skips quick_check within a day of the last one, so damage in a table's pages is
 * found by the statement that reads them: it fails saying the file is corrupt, and the
 * next open moves the file aside with the same notice as a corrupt file at open. */
TEST(cache_corruption_found_after_open)
{
	enum { N = 300 };
	char *path = cache_path(), *aside, *data, *marker;
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function *out = NULL;
	struct fd_err err = {0};
	int64_t root, checked;
	size_t len = 0, n = 0;

	REQUIRE(c != NULL);
	store_functions(c, &ctx, N);
	fd_cache_close(c);
	checked = fd_test_sql_int(path,
	                          "SELECT value FROM housekeeping WHERE key = 'quick_check_s'");
	CHECK(checked > 0 && llabs(checked - (int64_t)time(NULL)) < 60);
	root = fd_test_sql_int(path, "SELECT rootpage FROM sqlite_master WHERE name = 'functions'");
	data = read_all(path, &len);
	REQUIRE(data && root > 1 && (size_t)root * 4096 <= len);
	memset(data + (root - 1) * 4096, 0x5a, 4096);
	write_bytes(path, (unsigned char *)data, len);
	free(data);

	c = open_cache(path); /* no quick_check today: opens without a notice */
	REQUIRE(c != NULL);
	CHECK(fd_cache_get_functions(c, &ctx, &out, &n, NULL, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "is corrupt");
	CHECK_CONTAINS(err.msg, "moved aside and rebuilt when fleetdeck next opens it");
	CHECK_CONTAINS(err.msg, path);
	fd_functions_free(out, n);
	fd_cache_close(c);
	marker = fd_xasprintf("%s.corrupt", path);
	CHECK_INT(access(marker, F_OK), 0);
	aside = open_expect_aside(path, "corrupt");
	CHECK(aside != NULL);
	CHECK_INT(access(marker, F_OK), -1);
	c = open_cache(path);
	CHECK(fd_cache_get_functions(c, &ctx, &out, &n, NULL, &err) == FD_OK && n == 0);
	fd_functions_free(out, n);
	fd_cache_close(c);
	free(marker);
	free(aside);
	free(path);
}

/* A day after the last check, open runs quick_check again and records it. */
TEST(cache_quick_check_daily)
{
	char *path = cache_path(), *verdict = NULL;
	struct fd_cache *c = open_cache(path);
	struct fd_err err = {0};
	sqlite3 *db = NULL;

	fd_cache_close(c);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	exec_sql(db, "UPDATE housekeeping SET value = value - 90000 WHERE key = 'quick_check_s'");
	sqlite3_close(db);
	c = open_cache(path);
	CHECK(llabs(fd_test_sql_int(path, "SELECT value FROM housekeeping WHERE key = "
	                              "'quick_check_s'") - (int64_t)time(NULL)) < 60);
	CHECK_INT(fd_cache_check(c, &verdict, &err), FD_OK);
	CHECK_STR(verdict, "ok");
	free(verdict);
	fd_cache_close(c);
	free(path);
}

TEST(cache_errors_name_the_path)
{
	char *path = cache_path(), *blocker, *bad;
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path), *c2 = NULL;
	struct fd_err err = {0};
	sqlite3 *db = NULL;
	int64_t t0;

	REQUIRE(c != NULL);
	/* a writer holding the lock past the busy timeout */
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	exec_sql(db, "BEGIN IMMEDIATE; INSERT INTO contexts (profile, account, region) "
	             "VALUES ('x', 'y', 'z');");
	t0 = fd_now_ms();
	CHECK_INT(fd_cache_put_functions(c, &ctx, NULL, 0, &err), FD_EAGAIN);
	bad = fd_xasprintf("cache %s: database is locked", path);
	CHECK_STR(err.msg, bad);
	CHECK(fd_now_ms() - t0 >= 1500);
	free(bad);
	exec_sql(db, "ROLLBACK;");
	sqlite3_close(db);
	CHECK_INT(fd_cache_put_functions(c, &ctx, NULL, 0, &err), FD_OK);
	fd_cache_close(c);

	blocker = fd_xasprintf("%s/file", fd_test_tmpdir());
	write_bytes(blocker, (const unsigned char *)"x", 1);
	bad = fd_xasprintf("%s/sub/cache.db", blocker);
	CHECK(fd_cache_open(bad, &c2, NULL, &err) != FD_OK);
	CHECK(c2 == NULL);
	CHECK_CONTAINS(err.msg, bad);
	free(bad);
	free(blocker);
	free(path);
}

static int
child_writer(const char *path)
{
	static const char *const names[] = {"w1", "w2", "w3", "w4", "w5"};
	struct fd_ctx ctx = mkctx("child", "us-east-1");
	struct fd_cache *c = NULL;
	struct fd_function *in;
	struct fd_err err = {0};
	char v[32];
	int i, ok = 1;

	if (fd_cache_open(path, &c, NULL, &err) != FD_OK)
		return 2;
	for (i = 0; ok && i < 60; i++) {
		in = listing(names, FD_ARRAY_LEN(names), i + 1);
		ok = fd_cache_put_functions(c, &ctx, in, FD_ARRAY_LEN(names), &err) == FD_OK;
		fd_functions_free(in, FD_ARRAY_LEN(names));
		snprintf(v, sizeof(v), "%d", i);
		ok = ok && fd_cache_meta_set(c, &ctx, "round", v, &err) == FD_OK;
	}
	if (!ok)
		fprintf(stderr, "    child: %s\n", err.msg);
	fd_cache_close(c);
	return ok ? 0 : 1;
}

TEST(cache_two_processes)
{
	static const char *const names[] = {"p1", "p2", "p3"};
	char *path = cache_path();
	struct fd_ctx mine = mkctx("parent", "us-east-1"), theirs = mkctx("child", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function *in, *out;
	struct fd_err err = {0};
	size_t n;
	int i, status = -1, partial = 0;
	pid_t pid;
	char *round;

	REQUIRE(c != NULL);
	/* No connection may cross fork(): SQLite's lock bookkeeping is per process. */
	fd_cache_close(c);
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(child_writer(path));
	c = open_cache(path);
	REQUIRE(c != NULL);
	for (i = 0; i < 60; i++) {
		in = listing(names, FD_ARRAY_LEN(names), i + 1);
		CHECK_INT(fd_cache_put_functions(c, &mine, in, FD_ARRAY_LEN(names), &err), FD_OK);
		fd_functions_free(in, FD_ARRAY_LEN(names));
		CHECK_INT(fd_cache_get_functions(c, &theirs, &out, &n, NULL, &err), FD_OK);
		partial += n != 0 && n != 5;
		fd_functions_free(out, n);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(partial, 0);
	CHECK_INT(fd_cache_get_functions(c, &theirs, &out, &n, NULL, &err), FD_OK);
	CHECK_INT(n, 5);
	fd_functions_free(out, n);
	round = fd_cache_meta_get(c, &theirs, "round");
	CHECK_STR(round, "59");
	free(round);
	fd_cache_close(c);
	free(path);
}

TEST(cache_contexts_isolated)
{
	static const char *const names[] = {"orders"};
	char *path = cache_path();
	struct fd_ctx east = mkctx("default", "us-east-1"), west = mkctx("default", "eu-west-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function *in, got;
	struct fd_ctx *ctxs = NULL;
	struct fd_log_group g = {0}, *groups = NULL;
	struct fd_err err = {0};
	size_t n = 0;
	char *v;

	REQUIRE(c != NULL);
	in = listing(names, 1, 10);
	in[0].memory_mb = 128;
	CHECK_INT(fd_cache_put_functions(c, &east, in, 1, &err), FD_OK);
	in[0].memory_mb = 3008;
	CHECK_INT(fd_cache_put_functions(c, &west, in, 1, &err), FD_OK);
	fd_functions_free(in, 1);
	CHECK_INT(fd_cache_get_function(c, &east, "orders", &got, &err), FD_OK);
	CHECK_INT(got.memory_mb, 128);
	fd_function_free(&got);
	CHECK_INT(fd_cache_get_function(c, &west, "orders", &got, &err), FD_OK);
	CHECK_INT(got.memory_mb, 3008);
	fd_function_free(&got);
	/* an empty listing in one region leaves the other alone */
	CHECK_INT(fd_cache_put_functions(c, &west, NULL, 0, &err), FD_OK);
	CHECK_INT(fd_cache_get_function(c, &east, "orders", &got, &err), FD_OK);
	fd_function_free(&got);
	CHECK_INT(fd_cache_meta_set(c, &east, "k", "east", &err), FD_OK);
	CHECK_INT(fd_cache_meta_set(c, &west, "k", "west", &err), FD_OK);
	v = fd_cache_meta_get(c, &east, "k");
	CHECK_STR(v, "east");
	free(v);
	g.name = "/aws/lambda/orders";
	CHECK_INT(fd_cache_put_log_groups(c, &west, &g, 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_log_groups(c, &east, &groups, &n, &err), FD_OK);
	CHECK_INT(n, 0);
	fd_log_groups_free(groups, n);
	CHECK_INT(fd_cache_contexts(c, &ctxs, &n, &err), FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(ctxs[0].region, "eu-west-1");
	CHECK_STR(ctxs[1].region, "us-east-1");
	free(ctxs);
	fd_cache_close(c);
	free(path);
}

static int
file_has(const char *path, const char *needle)
{
	size_t len = 0, i, nl = strlen(needle);
	char *data = read_all(path, &len);
	int found = 0;

	for (i = 0; data && !found && i + nl <= len; i++)
		found = memcmp(data + i, needle, nl) == 0;
	free(data);
	return found;
}

TEST(cache_secret_literal_never_written)
{
	static const char *const names[] = {"orders"};
	char *path = cache_path(), *wal;
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function *in, got;
	struct fd_err err = {0};

	REQUIRE(c != NULL);
	in = listing(names, 1, 1);
	/* a producer that kept a literal, and one that did not classify at all */
	add_env(&in[0], "DB_PASSWORD", "hunter2-LITERAL-MARKER", FD_ENV_SECRET_LITERAL);
	add_env(&in[0], "API_TOKEN", "tok-UNCLASSIFIED-MARKER", FD_ENV_PLAIN);
	add_env(&in[0], "LOG_LEVEL", "VISIBLE-MARKER", FD_ENV_PLAIN);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 1, &err), FD_OK);
	fd_functions_free(in, 1);
	CHECK_INT(fd_cache_get_function(c, &ctx, "orders", &got, &err), FD_OK);
	REQUIRE(got.nenv == 4);
	CHECK_STR(got.env[1].name, "DB_PASSWORD");
	CHECK(got.env[1].value == NULL);
	CHECK_INT(got.env[1].kind, FD_ENV_SECRET_LITERAL);
	CHECK(got.env[2].value == NULL);
	CHECK_INT(got.env[2].kind, FD_ENV_SECRET_LITERAL);
	CHECK_STR(got.env[3].value, "VISIBLE-MARKER");
	fd_function_free(&got);
	wal = fd_xasprintf("%s-wal", path);
	CHECK(file_has(path, "VISIBLE-MARKER") || file_has(wal, "VISIBLE-MARKER"));
	CHECK(!file_has(path, "LITERAL-MARKER") && !file_has(wal, "LITERAL-MARKER"));
	CHECK(!file_has(path, "UNCLASSIFIED-MARKER") && !file_has(wal, "UNCLASSIFIED-MARKER"));
	fd_cache_close(c);
	CHECK(file_has(path, "VISIBLE-MARKER"));
	CHECK(!file_has(path, "LITERAL-MARKER"));
	CHECK(!file_has(path, "UNCLASSIFIED-MARKER"));
	free(wal);
	free(path);
}

TEST(cache_log_groups_meta_stats_clear)
{
	char *path = cache_path();
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_log_group g[2] = {{"/aws/lambda/a", 7, 100, 11, "STANDARD", 99},
	                            {"/aws/lambda/b", 0, 0, 12, NULL, 99}};
	struct fd_log_group *out = NULL;
	struct fd_cache_table_stats st[32];
	struct fd_err err = {0};
	long long file_bytes = 0;
	size_t n = 0, i;
	char *v;

	REQUIRE(c != NULL);
	CHECK_INT(fd_cache_put_log_groups(c, &ctx, g, 2, &err), FD_OK);
	CHECK_INT(fd_cache_put_log_groups(c, &ctx, &g[1], 1, &err), FD_OK);
	CHECK_INT(fd_cache_get_log_groups(c, &ctx, &out, &n, &err), FD_OK);
	REQUIRE(n == 1);
	CHECK_STR(out[0].name, "/aws/lambda/b");
	CHECK_INT(out[0].created_ms, 12);
	CHECK_INT(out[0].fetched_ms, 99);
	fd_log_groups_free(out, n);
	CHECK_INT(fd_cache_put_log_groups(c, &ctx, g, 2, &err), FD_OK);
	CHECK_INT(fd_cache_get_log_groups(c, &ctx, &out, &n, &err), FD_OK);
	REQUIRE(n == 2);
	CHECK_STR(out[0].log_class, "STANDARD");
	CHECK_INT(out[0].retention_days, 7);
	CHECK_INT(out[0].stored_bytes, 100);
	fd_log_groups_free(out, n);

	CHECK(fd_cache_meta_get(c, &ctx, "cursor") == NULL);
	CHECK_INT(fd_cache_meta_set(c, &ctx, "cursor", "one", &err), FD_OK);
	CHECK_INT(fd_cache_meta_set(c, &ctx, "cursor", "two", &err), FD_OK);
	v = fd_cache_meta_get(c, &ctx, "cursor");
	CHECK_STR(v, "two");
	free(v);

	CHECK_INT(fd_cache_stats(c, st, FD_ARRAY_LEN(st), &n, &file_bytes, &err), FD_OK);
	CHECK(n >= 12);
	CHECK(file_bytes > 0);
	for (i = 0; i < n; i++) {
		printf("    stats %-14s rows %3lld bytes %6lld\n", st[i].name, st[i].rows,
		       st[i].bytes);
		if (strcmp(st[i].name, "log_groups") == 0)
			CHECK_INT(st[i].rows, 2);
		if (strcmp(st[i].name, "log_groups") == 0 &&
		    sqlite3_compileoption_used("ENABLE_DBSTAT_VTAB"))
			CHECK(st[i].bytes > 0);
	}
	CHECK_INT(fd_cache_stats(c, st, 2, &n, NULL, &err), FD_OK);
	CHECK_INT(n, 2);
	CHECK_INT(fd_cache_clear(c, &err), FD_OK);
	CHECK_INT(table_rows(c, "log_groups"), 0);
	CHECK_INT(table_rows(c, "meta"), 0);
	CHECK_INT(table_rows(c, "contexts"), 0);
	fd_cache_close(c);
	free(path);
}

static double
elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

TEST(cache_ten_thousand_functions)
{
	enum { N = 10000 };
	char *path = cache_path();
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function *in = fd_xcalloc(N, sizeof(*in)), *out = NULL;
	struct fd_err err = {0};
	struct timespec t;
	size_t n = 0, i;
	char name[32];

	REQUIRE(c != NULL);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "fn-%05zu", i);
		fill_minimal(&in[i], name);
		in[i].arn = fd_xasprintf("arn:aws:lambda:us-east-1:123456789012:function:%s", name);
		in[i].runtime = fd_xstrdup("python3.12");
		in[i].handler = fd_xstrdup("app.handler");
		in[i].memory_mb = 128 + (int)(i % 8) * 128;
		in[i].fetched_ms = 1000 + (int64_t)i;
		in[i].nlayers = 1;
		in[i].layers = fd_xcalloc(1, sizeof(char *));
		in[i].layers[0] = fd_xstrdup("arn:aws:lambda:us-east-1:1:layer:deps:1");
		add_env(&in[i], "STAGE", "prod", FD_ENV_PLAIN);
		add_env(&in[i], "TABLE_NAME", name, FD_ENV_PLAIN);
		add_env(&in[i], "DB_PASSWORD", NULL, FD_ENV_SECRET_LITERAL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, N, &err), FD_OK);
	printf("    10000 functions: first write %.1f ms\n", elapsed_ms(&t));
	clock_gettime(CLOCK_MONOTONIC, &t);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, N, &err), FD_OK);
	printf("    10000 functions: rewrite %.1f ms\n", elapsed_ms(&t));
	clock_gettime(CLOCK_MONOTONIC, &t);
	CHECK_INT(fd_cache_get_functions(c, &ctx, &out, &n, NULL, &err), FD_OK);
	printf("    10000 functions: read %.1f ms\n", elapsed_ms(&t));
	REQUIRE(n == N);
	CHECK_STR(out[4242].name, "fn-04242");
	CHECK_INT(out[4242].memory_mb, in[4242].memory_mb);
	REQUIRE(out[4242].nenv == 3);
	CHECK_STR(out[4242].env[1].value, "fn-04242");
	fd_functions_free(out, n);
	fd_cache_close(c);
	clock_gettime(CLOCK_MONOTONIC, &t);
	c = open_cache(path);
	printf("    reopen (with quick_check) %.1f ms\n", elapsed_ms(&t));
	fd_cache_close(c);
	fd_functions_free(in, N);
	free(path);
}

TEST(cache_metrics_bulk_timing)
{
	enum { NFN = 1000, NPTS = 36 };
	char *path = cache_path();
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_cache *c = open_cache(path);
	struct fd_function_metrics *in = fd_xcalloc(NFN, sizeof(*in)), *out = NULL;
	double v[NPTS];
	struct fd_err err = {0};
	struct timespec t;
	size_t i, n = 0;
	int k;

	REQUIRE(c != NULL);
	for (i = 0; i < NPTS; i++)
		v[i] = (double)i;
	for (i = 0; i < NFN; i++) {
		in[i].function = fd_xasprintf("fn-%04zu", i);
		in[i].fetched_ms = 1;
		for (k = 0; k < FD_M_COUNT; k++)
			set_series(&in[i].s[k], 1800000000, 300, v, NPTS);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	CHECK_INT(fd_cache_put_metrics(c, &ctx, in, NFN, &err), FD_OK);
	printf("    %d series x %d points: write %.1f ms\n", NFN * FD_M_COUNT, NPTS,
	       elapsed_ms(&t));
	clock_gettime(CLOCK_MONOTONIC, &t);
	CHECK_INT(fd_cache_get_metrics(c, &ctx, 300, 0, &out, &n, &err), FD_OK);
	printf("    %d series x %d points: read %.1f ms\n", NFN * FD_M_COUNT, NPTS,
	       elapsed_ms(&t));
	REQUIRE(n == NFN);
	CHECK_STR(out[17].function, "fn-0017");
	CHECK_INT(out[17].s[FD_M_ERRORS].n, NPTS);
	CHECK(out[17].s[FD_M_ERRORS].values[NPTS - 1] == NPTS - 1);
	CHECK_INT(fd_cache_metrics_newest(c, &ctx, 300), 1800000000 + (NPTS - 1) * 300);
	free_metrics(out, n);
	free_metrics(in, NFN);
	fd_cache_close(c);
	free(path);
}

static size_t
cached_names(struct fd_cache *c, const struct fd_ctx *ctx, char *out, size_t len)
{
	struct fd_function *fns = NULL;
	struct fd_err err = {0};
	size_t n = 0, i, at = 0;

	out[0] = '\0';
	if (fd_cache_get_functions(c, ctx, &fns, &n, NULL, &err) != FD_OK)
		return 0;
	for (i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s ", fns[i].name);
	fd_functions_free(fns, n);
	return n;
}

/* A listing written page by page: nothing goes until it ends; then what it lacked goes,
 * but not what a listing begun after it wrote. */
TEST(cache_listing_in_pages)
{
	static const char *const first[] = {"a", "b", "c"}, *const p1[] = {"a"},
				 *const p2[] = {"d"}, *const later[] = {"d", "e"};
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("default", "us-east-1");
	struct fd_function *in;
	struct fd_err err = {0};
	int64_t mark = 0, mark2 = 0;
	char names[256];

	REQUIRE(c != NULL);
	in = listing(first, 3, 1);
	CHECK_INT(fd_cache_put_functions(c, &ctx, in, 3, &err), FD_OK);
	fd_functions_free(in, 3);
	CHECK_INT(fd_cache_listing_begin(c, &ctx, &mark, &err), FD_OK);
	CHECK(mark > 0);
	in = listing(p1, 1, 2);
	CHECK_INT(fd_cache_listing_page(c, &ctx, mark, in, 1, &err), FD_OK);
	fd_functions_free(in, 1);
	in = listing(p2, 1, 2);
	CHECK_INT(fd_cache_listing_page(c, &ctx, mark, in, 1, &err), FD_OK);
	fd_functions_free(in, 1);
	CHECK_INT(cached_names(c, &ctx, names, sizeof(names)), 4);
	CHECK_STR(names, "a b c d ");
	CHECK_INT(fd_cache_listing_begin(c, &ctx, &mark2, &err), FD_OK);
	CHECK(mark2 > mark);
	in = listing(later, 2, 3);
	CHECK_INT(fd_cache_listing_page(c, &ctx, mark2, in, 2, &err), FD_OK);
	fd_functions_free(in, 2);
	CHECK_INT(fd_cache_listing_end(c, &ctx, mark, &err), FD_OK);
	CHECK_INT(cached_names(c, &ctx, names, sizeof(names)), 3);
	CHECK_STR(names, "a d e "); /* b and c went; e (the later listing's) stayed */
	CHECK_INT(fd_cache_listing_end(c, &ctx, mark2, &err), FD_OK);
	CHECK_INT(cached_names(c, &ctx, names, sizeof(names)), 2);
	CHECK_STR(names, "d e ");
	CHECK_INT(table_rows(c, "layers"), 2); /* children went with their functions */
	fd_cache_close(c);
	free(path);
}

/* Rows counted by SQLite itself, not by fd_cache_stats. */
static long long
sql_rows(const char *path, const char *table)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long rows = -1;
	char *sql = fd_xasprintf("SELECT count(*) FROM \"%s\"", table);

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	return rows;
}

/* The tailed-log history is counted by stats, aged out by prune (and keeps a context
 * that only tails logs from being dropped as stale), and emptied by clear. */
TEST(cache_log_events_stats_prune_clear)
{
	char *path = cache_path();
	struct fd_cache *c = open_cache(path);
	struct fd_ctx ctx = mkctx("tail-only", "us-east-1");
	int64_t now_s = 1800000000, day_ms = 86400LL * 1000;
	struct fd_log_event ev[3];
	struct fd_err err = {0};
	size_t i;

	REQUIRE(c != NULL);
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 3; i++) {
		ev[i].group = "/aws/lambda/orders";
		ev[i].stream = "s";
		ev[i].function = "orders";
		ev[i].request_id = "";
		ev[i].message = "hello";
		ev[i].message_len = 5;
	}
	ev[0].event_id = "e0";
	ev[0].ts = now_s * 1000 - 3 * day_ms; /* older than the 2-day limit below */
	ev[1].event_id = "e1";
	ev[1].ts = now_s * 1000 - day_ms;
	ev[2].event_id = "e2";
	ev[2].ts = now_s * 1000 - 60000;
	CHECK_INT(fd_cache_put_log_events(c, &ctx, ev, 3, &err), FD_OK);
	CHECK_INT(table_rows(c, "log_events"), 3);

	CHECK_INT(fd_cache_prune(c, now_s, 2 * 86400, &err), FD_OK);
	CHECK_INT(table_rows(c, "log_events"), 2);
	CHECK_INT(sql_rows(path, "log_events"), 2);
	CHECK_INT(sql_rows(path, "contexts"), 1);

	CHECK_INT(fd_cache_clear(c, &err), FD_OK);
	CHECK_INT(table_rows(c, "log_events"), 0);
	CHECK_INT(sql_rows(path, "log_events"), 0);
	fd_cache_close(c);
	free(path);
}
