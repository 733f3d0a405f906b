/* test_coldstarts.c - cold-start statistics: nearest-rank percentiles, a seeded data
 * set with known exact answers, the inventory join (alias, provisioned concurrency,
 * spill-over, SnapStart), suggestions, the cache path, and the Logs Insights path
 * against the simulator (query text, polling with progress, cancel), checked against
 * a REPORT backfill of the same window. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/coldstarts.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/logs.h"
#include "test.h"
#include "test_aws_sim.h"

#define T0 1796385600000LL
#define HOUR_MS 3600000LL

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9 * FD_MAX(1.0, fabs(b));
}

TEST(coldstarts_nearest_rank)
{
	double v[100];
	size_t i;

	for (i = 0; i < 100; i++)
		v[i] = (double)(i + 1);
	CHECK(near(fd_percentile_nearest_rank(v, 10, 50), 5));
	CHECK(near(fd_percentile_nearest_rank(v, 10, 90), 9));
	CHECK(near(fd_percentile_nearest_rank(v, 10, 99), 10));
	CHECK(near(fd_percentile_nearest_rank(v, 10, 0), 1));
	CHECK(near(fd_percentile_nearest_rank(v, 10, 100), 10));
	CHECK(near(fd_percentile_nearest_rank(v, 100, 99), 99));
	CHECK(near(fd_percentile_nearest_rank(v, 100, 50), 50));
	CHECK(near(fd_percentile_nearest_rank(v, 3, 50), 2));
	CHECK(near(fd_percentile_nearest_rank(v, 1, 99), 1));
	CHECK(isnan(fd_percentile_nearest_rank(v, 0, 50)));
}

TEST(coldstarts_snapstart_runtimes)
{
	static const char *const yes[] = {"java11", "java17", "java21", "python3.12",
					  "python3.13", "dotnet8", "dotnet10"};
	static const char *const no[] = {"java8", "java8.al2", "python3.11", "python3.9",
					 "dotnet6", "nodejs20.x", "provided.al2023", "", "java"};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(yes); i++)
		CHECK(fd_snapstart_supported(yes[i]));
	for (i = 0; i < FD_ARRAY_LEN(no); i++)
		CHECK(!fd_snapstart_supported(no[i]));
	CHECK(!fd_snapstart_supported(NULL));
}

static void
sample(struct fd_cs_acc *a, const char *fn, const char *ver, double mem, int64_t end,
       double init, double restore, const char *type)
{
	struct fd_inv_sample s = {fn, ver, type, end, mem, init, restore};

	fd_cs_acc_add(a, &s);
}

/* a@1/512: 1000 invocations, 20 cold (110..300 ms, shuffled); a@1/1024: 5 warm;
 * b/$LATEST/128: 10 invocations, 1 cold (900 ms); c@3/2048: 50 invocations, 5
 * SnapStart restores (200..240 ms). */
static void
seed(struct fd_cs_acc *a)
{
	int order[20], i, k;

	for (i = 0; i < 20; i++)
		order[i] = (i * 7) % 20;
	for (i = 0, k = 0; i < 1000; i++) {
		int64_t end = T0 + (int64_t)i * 3600;
		if (i % 50 == 7 && k < 20)
			sample(a, "a", "1", 512, end, 110.0 + 10.0 * order[k++], NAN, "on-demand");
		else
			sample(a, "a", "1", 512, end, NAN, NAN, "");
	}
	for (i = 0; i < 5; i++)
		sample(a, "a", "1", 1024, T0 + i, NAN, NAN, "");
	for (i = 0; i < 10; i++)
		sample(a, "b", "$LATEST", 128, T0 + 60000 * i, i == 3 ? 900.0 : NAN, NAN, "");
	for (i = 0; i < 50; i++)
		sample(a, "c", "3", 2048, T0 + 1000 * i, NAN, i < 5 ? 240.0 - 10.0 * i : NAN,
		       i < 5 ? "snap-start" : "");
}

static struct fd_function *
inventory(size_t *n)
{
	struct fd_function *f = fd_xcalloc(3, sizeof(*f));

	f[0].name = fd_xstrdup("a");
	f[0].runtime = fd_xstrdup("java21");
	f[0].architecture = fd_xstrdup("arm64");
	f[0].naliases = 1;
	f[0].aliases = fd_xcalloc(1, sizeof(*f[0].aliases));
	f[0].aliases[0].name = fd_xstrdup("live");
	f[0].aliases[0].version = fd_xstrdup("1");
	f[0].aliases[0].provisioned = 5;
	f[0].aliases[0].provisioned_available = 5;
	f[1].name = fd_xstrdup("b");
	f[1].runtime = fd_xstrdup("python3.11");
	f[1].architecture = fd_xstrdup("x86_64");
	f[2].name = fd_xstrdup("c");
	f[2].runtime = fd_xstrdup("java21");
	f[2].snapstart = fd_xstrdup("PublishedVersions");
	*n = 3;
	return f;
}

static const struct fd_coldstart_row *
row(const struct fd_coldstarts *cs, const char *fn, int mem)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->rows[i].function, fn) == 0 && cs->rows[i].memory_mb == mem)
			return &cs->rows[i];
	return NULL;
}

TEST(coldstarts_seeded_exact)
{
	struct fd_coldstart_opts o = {T0, T0 + HOUR_MS, NULL, 0, 0, 1};
	struct fd_cs_acc *a = fd_cs_acc_new(&o);
	struct fd_coldstarts cs;
	const struct fd_coldstart_row *r;
	struct fd_function *fns;
	size_t nfns, i;
	int total = 0;

	seed(a);
	fns = inventory(&nfns);
	fd_cs_acc_finish(a, fns, nfns, &cs);
	REQUIRE(cs.n == 4);
	CHECK_INT(cs.invocations, 1065);
	CHECK_INT(cs.cold_starts, 26);
	/* Highest impact first: a (6.0), c (1.2), b (0.9), a@1024 (0). */
	CHECK_STR(cs.rows[0].function, "a");
	CHECK_STR(cs.rows[1].function, "c");
	CHECK_STR(cs.rows[2].function, "b");
	CHECK_INT(cs.rows[3].memory_mb, 1024);
	r = row(&cs, "a", 512);
	REQUIRE(r);
	CHECK_STR(r->version, "1");
	CHECK_STR(r->alias, "live");
	CHECK_STR(r->runtime, "java21");
	CHECK_STR(r->architecture, "arm64");
	CHECK_INT(r->invocations, 1000);
	CHECK_INT(r->cold_starts, 20);
	CHECK(near(r->rate, 0.02));
	CHECK(near(r->init_p50, 200));
	CHECK(near(r->init_p90, 280));
	CHECK(near(r->init_p99, 300));
	CHECK(near(r->init_max, 300));
	CHECK(isnan(r->restore_p50));
	CHECK(near(r->init_sum_ms, 4100));
	CHECK(near(r->init_gb_s, 2.05));
	CHECK(near(r->init_cost, 2.05 * FD_COLDSTART_PRICE_DEFAULT));
	CHECK(near(r->impact, 6.0));
	CHECK_INT(r->provisioned, 5);
	CHECK_INT(r->spillover, 20);
	REQUIRE(r->ninit == 20);
	for (i = 1; i < r->ninit; i++)
		CHECK(r->init_values[i - 1] <= r->init_values[i]);
	CHECK_INT(r->ntrend, 12);
	for (i = 0; i < r->ntrend; i++)
		total += r->trend[i];
	CHECK_INT(total, 20);
	CHECK_INT(r->trend[0], 2);  /* ends at i = 7, 57 (< 300 s / 3.6 s = 83.3) */
	r = row(&cs, "b", 128);
	REQUIRE(r);
	CHECK(near(r->init_p50, 900) && near(r->init_p99, 900));
	CHECK(near(r->impact, 0.9));
	CHECK_INT(r->provisioned, 0);
	CHECK_INT(r->spillover, 0);
	CHECK_INT(r->trend[0], 1);  /* i = 3: 180 s */
	r = row(&cs, "c", 2048);
	REQUIRE(r);
	CHECK_INT(r->restores, 5);
	CHECK_INT(r->cold_starts, 5);
	CHECK(isnan(r->init_p50));
	CHECK(near(r->restore_p50, 220));
	CHECK(near(r->restore_p90, 240));
	CHECK(near(r->restore_max, 240));
	CHECK(near(r->init_gb_s, 0));
	CHECK(near(r->impact, 0.1 * 0.24 * 50));
	CHECK(r->snapstart);
	fd_coldstarts_free(&cs);
	fd_functions_free(fns, nfns);
}

TEST(coldstarts_function_filter_and_price)
{
	const char *only[] = {"b"};
	struct fd_coldstart_opts o = {T0, T0 + HOUR_MS, only, 1, 0.00001, 0};
	struct fd_cs_acc *a = fd_cs_acc_new(&o);
	struct fd_coldstarts cs;

	seed(a);
	fd_cs_acc_finish(a, NULL, 0, &cs);
	REQUIRE(cs.n == 1);
	CHECK_STR(cs.rows[0].function, "b");
	CHECK(cs.rows[0].init_values == NULL);
	CHECK(near(cs.rows[0].init_gb_s, 0.9 * 128 / 1024));
	CHECK(near(cs.rows[0].init_cost, 0.9 * 128 / 1024 * 0.00001));
	CHECK(cs.rows[0].runtime[0] == '\0');
	fd_coldstarts_free(&cs);
}

static struct fd_coldstart_row
plain_row(const char *runtime, int mem, long long inv, long long cold, double p50, double p99)
{
	struct fd_coldstart_row r;

	memset(&r, 0, sizeof(r));
	fd_strlcpy(r.function, "f", sizeof(r.function));
	fd_strlcpy(r.runtime, runtime, sizeof(r.runtime));
	r.memory_mb = mem;
	r.invocations = inv;
	r.cold_starts = cold;
	r.rate = inv ? (double)cold / (double)inv : 0;
	r.init_p50 = p50;
	r.init_p99 = p99;
	return r;
}

TEST(coldstarts_suggestions)
{
	struct fd_cs_suggestion s[4];
	struct fd_coldstart_row r = plain_row("java21", 256, 1000, 50, 1500, 2500);
	int trend[3] = {3, 11, 4};
	size_t n;

	r.trend = trend;
	r.ntrend = 3;
	n = fd_coldstart_suggest(&r, s, 4);
	REQUIRE(n == 3);
	CHECK_INT(s[0].kind, FD_CS_PROVISIONED);
	CHECK_CONTAINS(s[0].text, "about 11 environments");
	CHECK_INT(s[1].kind, FD_CS_SNAPSTART);
	CHECK_CONTAINS(s[1].text, "java21 supports it");
	CHECK_INT(s[2].kind, FD_CS_MEMORY);
	CHECK_CONTAINS(s[2].text, "try 512 MB instead of 256 MB");
	r.provisioned = 4;
	r.spillover = 7;
	n = fd_coldstart_suggest(&r, s, 4);
	CHECK_INT(s[0].kind, FD_CS_PROVISIONED_RAISE);
	CHECK_CONTAINS(s[0].text, "above 4: 7 on-demand");
	r.snapstart = 1;
	n = fd_coldstart_suggest(&r, s, 4);
	CHECK_INT(n, 2);
	r = plain_row("python3.11", 2048, 1000, 3, 300, 2000);
	CHECK_INT(fd_coldstart_suggest(&r, s, 4), 0);
	r = plain_row("python3.12", 2048, 1000, 3, 300, 2000);
	CHECK_INT(fd_coldstart_suggest(&r, s, 4), 1);
	CHECK_INT(fd_coldstart_suggest(&r, s, 0), 0);
}

static const struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};

TEST(coldstarts_local_from_cache)
{
	struct fd_coldstart_opts o = {T0, T0 + HOUR_MS, NULL, 0, 0, 0};
	struct fd_invocation r[30];
	struct fd_coldstarts cs;
	struct fd_cache *c = NULL;
	struct fd_err err = {FD_OK, ""};
	char *path = fd_xasprintf("%s/c.db", fd_test_tmpdir());
	int i;

	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	for (i = 0; i < 30; i++) {
		fd_invocation_init(&r[i]);
		snprintf(r[i].request_id, sizeof(r[i].request_id), "%08d-0000-4000-8000-0", i);
		fd_strlcpy(r[i].function, "fn", sizeof(r[i].function));
		fd_strlcpy(r[i].version, "$LATEST", sizeof(r[i].version));
		r[i].end_ms = T0 + i * 1000 + (i == 29 ? 2 * HOUR_MS : 0); /* last: outside */
		r[i].start_ms = r[i].end_ms - 5;
		r[i].memory_mb = 256;
		r[i].duration_ms = 5;
		r[i].status = FD_INV_SUCCESS;
		if (i % 10 == 0)
			r[i].init_ms = 100.0 * (i / 10 + 1);
	}
	CHECK_INT(fd_cache_put_invocations(c, &ctx, r, 30, 0, &err), FD_OK);
	CHECK_INT(fd_coldstarts_local(c, &ctx, &o, NULL, 0, &cs, &err), FD_OK);
	REQUIRE(cs.n == 1);
	CHECK_INT(cs.rows[0].invocations, 29);
	CHECK_INT(cs.rows[0].cold_starts, 3);
	CHECK(near(cs.rows[0].init_p50, 200));
	CHECK(near(cs.rows[0].init_max, 300));
	CHECK_INT(cs.rows[0].memory_mb, 256);
	fd_coldstarts_free(&cs);
	fd_cache_close(c);
	free(path);
}

/* ---- Logs Insights against the simulator ---- */

TEST(coldstarts_query_text)
{
	const char *q = fd_coldstarts_query(0), *t = fd_coldstarts_query(1);

	CHECK_CONTAINS(q, "filter @type = \"REPORT\" or @type = \"platform.report\"");
	CHECK_CONTAINS(q, "count(@initDuration) as cold_starts");
	CHECK_CONTAINS(q, "pct(@initDuration, 99) as init_p99");
	CHECK_CONTAINS(q, "pct(@restoreDuration, 50) as restore_p50");
	CHECK_CONTAINS(q, "by @log");
	CHECK_CONTAINS(t, "ispresent(@initDuration)");
	CHECK_CONTAINS(t, "by bin(5m), @log");
}

struct progress_log {
	int calls;
	unsigned max_done;
	double bytes;
};

static void
on_progress(const struct fd_cs_progress *p, void *ud)
{
	struct progress_log *l = ud;

	l->calls++;
	l->max_done = FD_MAX(l->max_done, p->queries_done);
	l->bytes = p->bytes_scanned;
}

static const char *const sim_fns[] = {"orders-api", "payments-worker", "image-resizer"};

static void
sim_targets(struct fd_cs_target *t, struct fd_backfill_target *b)
{
	static char groups[3][64];
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(sim_fns); i++) {
		snprintf(groups[i], sizeof(groups[i]), "/aws/lambda/%s", sim_fns[i]);
		t[i].function = b[i].function = sim_fns[i];
		t[i].group = b[i].group = groups[i];
		b[i].log_format = NULL;
	}
}

TEST(coldstarts_insights_matches_backfill)
{
	struct fd_cs_target t[3];
	struct fd_backfill_target bt[3];
	struct fd_backfill_opts bo;
	struct fd_backfill_status bs;
	struct fd_coldstart_opts o;
	struct fd_coldstarts server, local;
	struct progress_log log = {0, 0, 0};
	struct fd_err err = {FD_OK, ""};
	struct fd_cache *c = NULL;
	struct sim x;
	char *path = fd_xasprintf("%s/c.db", fd_test_tmpdir());
	int64_t to = (fd_wall_now() / 60 - 2) * 60000;
	size_t i, j;

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	sim_targets(t, bt);
	memset(&o, 0, sizeof(o));
	/* Insights reads whole seconds, end included: stop a second early. */
	o.from_ms = to - 20 * 60000;
	o.to_ms = to - 1000;
	CHECK_INT(fd_coldstarts_server(x.c, t, 3, &o, NULL, 0, on_progress, &log, &server, &err),
		  FD_OK);
	o.to_ms = to;
	CHECK(log.calls >= 3);                /* Scheduled, Running, Complete */
	CHECK_INT(log.max_done, 2);           /* totals + trend */
	CHECK(server.server && server.bytes_scanned > 0 && server.records_scanned > 0);
	CHECK(sim_stat("requests", "logs:StartQuery") == 2);
	CHECK(sim_stat("requests", "logs:GetQueryResults") >= 6);
	memset(&bo, 0, sizeof(bo));
	bo.from_ms = o.from_ms;
	bo.to_ms = o.to_ms - 1;
	CHECK_INT(fd_backfill_run(x.c, c, &ctx, bt, 3, &bo, &bs, &err), FD_OK);
	CHECK(bs.done && !bs.truncated && bs.records > 0);
	CHECK_INT(bs.groups_done, 3);
	CHECK_INT(fd_coldstarts_local(c, &ctx, &o, NULL, 0, &local, &err), FD_OK);
	REQUIRE(server.n == 3);
	for (i = 0; i < server.n; i++) {
		long long inv = 0, cold = 0, trend = 0;
		for (j = 0; j < local.n; j++) {
			if (strcmp(local.rows[j].function, server.rows[i].function) == 0) {
				inv += local.rows[j].invocations;
				cold += local.rows[j].cold_starts;
			}
		}
		for (j = 0; j < server.rows[i].ntrend; j++)
			trend += server.rows[i].trend[j];
		CHECK(server.rows[i].invocations > 0);
		CHECK_INT(inv, server.rows[i].invocations);
		CHECK_INT(cold, server.rows[i].cold_starts);
		CHECK_INT(trend, server.rows[i].cold_starts - server.rows[i].restores);
		CHECK(server.rows[i].memory_mb > 0);
	}
	fd_coldstarts_free(&server);
	fd_coldstarts_free(&local);
	fd_cache_close(c);
	sim_close(&x);
	free(path);
}

TEST(coldstarts_insights_cancel)
{
	struct fd_cs_target t[3];
	struct fd_backfill_target bt[3];
	struct fd_coldstart_opts o;
	struct fd_cs_server *s = NULL;
	struct fd_cs_progress p;
	struct fd_coldstarts cs;
	struct fd_err err = {FD_OK, ""};
	struct sim x;
	int64_t to = fd_wall_now() * 1000;
	int spins = 0;

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	sim_targets(t, bt);
	memset(&o, 0, sizeof(o));
	o.from_ms = to - 10 * 60000;
	o.to_ms = to;
	REQUIRE(fd_cs_server_start(x.c, t, 3, &o, &s, &err) == FD_OK);
	/* Run until both queries were accepted, then cancel before they complete. */
	while (sim_stat("requests", "logs:StartQuery") < 2 && spins++ < 50)
		aws_client_wait(x.c, NULL, 0, 100);
	while (aws_client_pending(x.c) && spins++ < 100)
		aws_client_wait(x.c, NULL, 0, 100);
	fd_cs_server_cancel(s);
	while (aws_client_pending(x.c) && spins++ < 150)
		aws_client_wait(x.c, NULL, 0, 100);
	fd_cs_server_progress(s, &p);
	CHECK(p.done && p.cancelled);
	CHECK_INT(p.st, FD_ECANCELLED);
	CHECK_INT(sim_stat("requests", "logs:StopQuery"), 2);
	CHECK_INT(sim_stat("requests", "logs:GetQueryResults"), 0);
	CHECK_INT(fd_cs_server_tick(s) >= 0, 1);
	CHECK_INT(sim_stat("requests", "logs:GetQueryResults"), 0);
	fd_cs_server_result(s, NULL, 0, &cs);
	CHECK_INT(cs.n, 0);
	fd_coldstarts_free(&cs);
	fd_cs_server_free(s);
	sim_close(&x);
}

TEST(coldstarts_insights_errors)
{
	struct fd_cs_target t = {"nope", "/aws/lambda/does-not-exist"};
	struct fd_coldstart_opts o;
	struct fd_coldstarts cs;
	struct fd_err err = {FD_OK, ""};
	struct sim x;
	int64_t to = fd_wall_now() * 1000;

	fd_test_sim_url();
	/* Data exists up to the simulator's horizon: move it to now. */
	REQUIRE(fd_test_sim_control("POST", "reset", "{}", NULL) == 200);
	REQUIRE(sim_open(&x, NULL, NULL));
	memset(&o, 0, sizeof(o));
	o.from_ms = to - 60000;
	o.to_ms = to;
	CHECK(fd_coldstarts_server(x.c, &t, 1, &o, NULL, 0, NULL, NULL, &cs, &err) != FD_OK);
	CHECK_CONTAINS(err.msg, "StartQuery");
	CHECK_INT(fd_coldstarts_server(x.c, &t, 0, &o, NULL, 0, NULL, NULL, &cs, &err),
		  FD_ENOTFOUND);
	CHECK_INT(fd_coldstarts_server(NULL, &t, 1, &o, NULL, 0, NULL, NULL, &cs, &err), FD_EINVAL);
	sim_close(&x);
}
