/* mkcache.c - writes the screen tests' fleet into a cache file through the cache
 * API, so the console can start --offline on known data: three contexts (default in
 * us-east-1, staging in eu-west-1, prod in us-east-1), functions with and without detail, metric
 * series before FLEETDECK_NOW, and one hostile name full of escape sequences; log
 * ingestion per day for a few default functions (the COST column).
 * usage: mkcache CACHE.db   (FLEETDECK_NOW must be set) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/rdsproxy.h"
#include "fleetdeck/util.h"

#define PERIOD 60
#define POINTS 180 /* three hours of minutes */

struct spec {
	const char *name, *runtime;
	int memory, timeout;
	double rate;          /* invocations per minute */
	double err_pct;
	double throttle_pct;
	double p99;
	int detail;
};

static const struct spec fleet_default[] = {
	{"orders-api", "python3.12", 1024, 30, 120, 0.5, 0, 180, 1},
	{"orders-worker", "python3.12", 512, 60, 40, 0, 0, 900, 1},
	{"payments-api", "nodejs20.x", 1536, 15, 80, 2.5, 1, 250, 1},
	{"payments-refunds", "nodejs22.x", 512, 30, 3, 0, 0, 120, 0},
	{"checkout-api", "java21", 2048, 20, 60, 0.2, 0, 420, 0},
	{"image-resizer", "provided.al2023", 3008, 120, 15, 5, 0, 3400, 0},
	{"auth-handler", "nodejs22.x", 256, 5, 200, 0, 3, 45, 0},
	{"legacy-cron", "nodejs16.x", 128, 300, 0.1, 0, 0, 2500, 0},
	{"reports-nightly", "python3.13", 1024, 900, 0, 0, 0, 0, 0},
	{"search-indexer", "go1.x", 512, 60, 25, 1, 0, 95, 0},
	{"evil\x1b]52;c;aGk=\x07name\x1b[31m\xff\xfe", "python3.12", 128, 3, 1, 0, 0, 10, 1},
};

static const struct spec fleet_staging[] = {
	{"staging-orders-api", "python3.12", 1024, 30, 5, 0, 0, 200, 0},
	{"staging-payments-api", "nodejs20.x", 512, 15, 2, 10, 0, 300, 0},
	{"staging-smoke", "python3.13", 128, 10, 1, 0, 0, 50, 0},
};

static const struct spec fleet_prod[] = {
	{"prod-orders-api", "python3.12", 1024, 30, 500, 0.1, 0, 150, 0},
	{"prod-payments-api", "python3.12", 1024, 30, 300, 0, 0, 220, 0},
};

static struct fd_ctx ctx_prod = {"prod", "999988887777", "us-east-1"};
static struct fd_ctx ctx_default = {"default", "123456789012", "us-east-1"};
static struct fd_ctx ctx_staging = {"staging", "210987654321", "eu-west-1"};

static char *
dup(const char *s)
{
	return s ? fd_xstrdup(s) : NULL;
}

static void
add_env(struct fd_function *f, const char *name, const char *value, enum fd_env_kind kind)
{
	f->env = fd_xreallocarray(f->env, f->nenv + 1, sizeof(*f->env));
	f->env[f->nenv].name = dup(name);
	f->env[f->nenv].value = kind == FD_ENV_SECRET_LITERAL ? NULL : dup(value);
	f->env[f->nenv].kind = kind;
	f->nenv++;
}

static void
add_tag(struct fd_function *f, const char *k, const char *v)
{
	f->tags = fd_xreallocarray(f->tags, f->ntags + 1, sizeof(*f->tags));
	f->tags[f->ntags].key = dup(k);
	f->tags[f->ntags].value = dup(v);
	f->ntags++;
}

static void
add_trigger(struct fd_function *f, enum fd_trigger_kind kind, const char *arn)
{
	f->triggers = fd_xreallocarray(f->triggers, f->ntriggers + 1, sizeof(*f->triggers));
	memset(&f->triggers[f->ntriggers], 0, sizeof(f->triggers[0]));
	f->triggers[f->ntriggers].kind = kind;
	f->triggers[f->ntriggers].source_arn = dup(arn);
	if (kind == FD_TRIG_SQS) {
		f->triggers[f->ntriggers].uuid = dup("5f1c0a52-1111-2222-3333-444455556666");
		f->triggers[f->ntriggers].state = dup("Enabled");
		f->triggers[f->ntriggers].batch_size = 10;
	}
	f->ntriggers++;
}

static void
detail(struct fd_function *f, const struct fd_ctx *ctx, int64_t now_ms)
{
	char arn[256];

	f->detail_loaded = 1;
	f->detail_fetched_ms = now_ms - 120000;
	f->reserved_concurrency = strcmp(f->name, "orders-api") == 0 ? 50 : -1;
	add_tag(f, "team", strncmp(f->name, "evil", 4) == 0 ? "red\x1b[2Jteam" : "commerce");
	add_tag(f, "env", "prod");
	add_env(f, "LOG_LEVEL", "info", FD_ENV_PLAIN);
	if (strcmp(f->name, "orders-api") == 0) {
		add_env(f, "DB_PASSWORD", "hunter2", FD_ENV_SECRET_LITERAL);
		add_env(f, "API_KEY_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:k",
			FD_ENV_SECRET_REF);
		f->rds_proxy_endpoint = dup("orders.proxy-abc123.us-east-1.rds.amazonaws.com");
		f->layers = fd_xcalloc(1, sizeof(char *));
		f->layers[0] = dup("arn:aws:lambda:us-east-1:017000801446:layer:"
				   "AWSLambdaPowertoolsPythonV3-python312-x86_64:7");
		f->nlayers = 1;
		f->powertools = 1;
		f->aliases = fd_xcalloc(1, sizeof(*f->aliases));
		f->aliases[0].name = dup("live");
		f->aliases[0].version = dup("7");
		f->aliases[0].provisioned = 5;
		f->aliases[0].provisioned_available = 5;
		f->naliases = 1;
		snprintf(arn, sizeof(arn), "arn:aws:sqs:%s:%s:orders-queue", ctx->region,
			 ctx->account);
		add_trigger(f, FD_TRIG_SQS, arn);
	}
	if (strcmp(f->name, "payments-api") == 0)
		add_trigger(f, FD_TRIG_S3, "arn:aws:s3:::payments-uploads");
}

static void
make_function(struct fd_function *f, const struct spec *s, const struct fd_ctx *ctx,
	      int64_t now_ms)
{
	char buf[512];

	memset(f, 0, sizeof(*f));
	f->name = dup(s->name);
	snprintf(buf, sizeof(buf), "arn:aws:lambda:%s:%s:function:%s", ctx->region, ctx->account,
		 s->name);
	f->arn = dup(buf);
	f->runtime = dup(s->runtime);
	f->handler = dup("app.handler");
	snprintf(buf, sizeof(buf), "arn:aws:iam::%s:role/%s-role", ctx->account, s->name);
	f->role = dup(buf);
	f->last_modified = dup("2026-11-20T09:30:00.000+0000");
	f->version = dup("$LATEST");
	f->architecture = dup("arm64");
	f->package_type = dup("Zip");
	f->state = dup("Active");
	f->memory_mb = s->memory;
	f->timeout_s = s->timeout;
	f->ephemeral_mb = 512;
	f->code_size = 1048576;
	f->log_format = dup("Text");
	snprintf(buf, sizeof(buf), "/aws/lambda/%s", s->name);
	f->log_group = dup(buf);
	f->tracing_mode = dup("PassThrough");
	f->reserved_concurrency = -1;
	f->fetched_ms = now_ms - 180000;
	if (s->detail)
		detail(f, ctx, now_ms);
}

static void
series(struct fd_series *s, int64_t start, double (*fn)(const struct spec *, size_t),
       const struct spec *sp)
{
	size_t i;

	s->start_s = start;
	s->period_s = PERIOD;
	s->n = POINTS;
	s->values = fd_xcalloc(POINTS, sizeof(double));
	for (i = 0; i < POINTS; i++)
		s->values[i] = fn(sp, i);
}

/* Deterministic shapes: a slow wave plus a ripple. */
static double
wave(size_t i)
{
	return 1.0 + 0.5 * sin((double)i / 9.0) + 0.2 * (double)((i * 7) % 5) / 4.0;
}

static double
invocations(const struct spec *s, size_t i)
{
	return s->rate > 0 ? floor(s->rate * wave(i)) : NAN;
}

static double
errors(const struct spec *s, size_t i)
{
	return s->rate > 0 ? floor(s->rate * wave(i) * s->err_pct / 100.0 + (i % 11 == 0)) *
				     (s->err_pct > 0)
			   : NAN;
}

static double
throttles(const struct spec *s, size_t i)
{
	return s->rate > 0 ? floor(s->rate * s->throttle_pct / 100.0 * wave(i)) : NAN;
}

static double
p99(const struct spec *s, size_t i)
{
	return s->rate > 0 ? floor(s->p99 * (0.8 + 0.4 * (double)((i * 13) % 7) / 6.0)) : NAN;
}

static double
p50(const struct spec *s, size_t i)
{
	return s->rate > 0 ? floor(p99(s, i) / 3.0) : NAN;
}

static double
concurrency(const struct spec *s, size_t i)
{
	return s->rate > 0 ? ceil(s->rate * wave(i) * s->p99 / 60000.0) : NAN;
}

static void
make_metrics(struct fd_function_metrics *m, const struct spec *s, int64_t now_s)
{
	int64_t start = now_s - now_s % PERIOD - POINTS * PERIOD;

	memset(m, 0, sizeof(*m));
	m->function = dup(s->name);
	m->fetched_ms = now_s * 1000 - 180000;
	series(&m->s[FD_M_INVOCATIONS], start, invocations, s);
	series(&m->s[FD_M_ERRORS], start, errors, s);
	series(&m->s[FD_M_THROTTLES], start, throttles, s);
	series(&m->s[FD_M_DURATION_P50], start, p50, s);
	series(&m->s[FD_M_DURATION_P99], start, p99, s);
	series(&m->s[FD_M_DURATION_MAX], start, p99, s);
	series(&m->s[FD_M_CONCURRENCY], start, concurrency, s);
}

/* The series of the RDS Proxy a function's endpoint names: per metric a base value,
 * its averages rising by 1 every 10 points and its maxima 2 above. */
static int
write_proxy(struct fd_cache *c, const struct fd_ctx *ctx, const struct fd_function *f,
	    int64_t now_s, struct fd_err *err)
{
	static const double base[FD_PM_COUNT] = {10, 24, 1500, 1};
	int64_t start = now_s - now_s % PERIOD - POINTS * PERIOD;
	struct fd_proxy_metrics pm;
	enum fd_status st;
	size_t k, i;

	memset(&pm, 0, sizeof(pm));
	if (!(pm.proxy = fd_rds_proxy_name(f->rds_proxy_endpoint)))
		return 0;
	pm.fetched_ms = now_s * 1000 - 180000;
	for (k = 0; k < FD_PQ_COUNT; k++) {
		pm.s[k].start_s = start;
		pm.s[k].period_s = PERIOD;
		pm.s[k].n = POINTS;
		pm.s[k].values = fd_xcalloc(POINTS, sizeof(double));
		for (i = 0; i < POINTS; i++)
			pm.s[k].values[i] = base[k / 2] + (double)(i / 10) + (k % 2 ? 2.0 : 0.0);
	}
	st = fd_cache_put_proxy_metrics(c, ctx, &pm, 1, err);
	fd_proxy_metrics_free(&pm);
	return st == FD_OK ? 0 : 1;
}

static int
write_ctx(struct fd_cache *c, const struct fd_ctx *ctx, const struct spec *sp, size_t n)
{
	struct fd_function *fns = fd_xcalloc(n, sizeof(*fns));
	struct fd_function_metrics *ms = fd_xcalloc(n, sizeof(*ms));
	struct fd_ctx meta = {{0}, {0}, {0}};
	int64_t now_s = (int64_t)fd_wall_now();
	struct fd_err err = {0};
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		make_function(&fns[i], &sp[i], ctx, now_s * 1000);
		make_metrics(&ms[i], &sp[i], now_s);
	}
	fd_strlcpy(meta.profile, ctx->profile, sizeof(meta.profile));
	if (fd_cache_put_functions(c, ctx, fns, n, &err) != FD_OK ||
	    fd_cache_put_metrics(c, ctx, ms, n, &err) != FD_OK ||
	    fd_cache_meta_set(c, &meta, "account", ctx->account, &err) != FD_OK) {
		fprintf(stderr, "mkcache: %s\n", err.msg);
		rc = 1;
	}
	for (i = 0; !rc && i < n; i++)
		if (fns[i].rds_proxy_endpoint && write_proxy(c, ctx, &fns[i], now_s, &err)) {
			fprintf(stderr, "mkcache: %s\n", err.msg);
			rc = 1;
		}
	for (i = 0; i < n; i++)
		fd_function_metrics_free(&ms[i]);
	free(ms);
	fd_functions_free(fns, n);
	return rc;
}

/* IncomingBytes per day over the week before today: orders-api 2 GiB a day ($30.00 a
 * month at $0.50/GB), image-resizer 20 GiB ($300), payments-api 100 MiB ($1.46),
 * auth-handler 10 MiB on one day and nothing on the six others, stored as 0 as
 * `costs` stores a fetched day without data ($0.02). */
static int
write_ingest(struct fd_cache *c)
{
	static const struct {
		const char *group;
		double bytes;
		int days;
	} talk[] = {{"/aws/lambda/orders-api", 2147483648.0, 7},
	            {"/aws/lambda/image-resizer", 21474836480.0, 7},
	            {"/aws/lambda/payments-api", 104857600.0, 7},
	            {"/aws/lambda/auth-handler", 10485760.0, 1}};
	struct fd_log_ingest_day d[32];
	int64_t now = (int64_t)fd_wall_now(), today = now - now % 86400;
	struct fd_err err = {0};
	size_t i, n = 0;
	int k;

	for (i = 0; i < FD_ARRAY_LEN(talk); i++)
		for (k = 1; k <= talk[i].days; k++) {
			d[n].group = (char *)talk[i].group;
			d[n].day_s = today - k * 86400;
			d[n++].bytes = talk[i].bytes;
		}
	for (k = 2; k <= 7; k++) { /* auth-handler's quiet days */
		d[n].group = (char *)"/aws/lambda/auth-handler";
		d[n].day_s = today - k * 86400;
		d[n++].bytes = 0;
	}
	if (fd_cache_put_log_ingest(c, &ctx_default, d, n, &err) == FD_OK)
		return 0;
	fprintf(stderr, "mkcache: %s\n", err.msg);
	return 1;
}

/* Staging's account line, as a refresh 3 hours ago left it: limit 1000, unreserved
 * 850, a peak of 37 over the 1h window (no peak stored for the others). */
static int
write_account(struct fd_cache *c)
{
	static const char *const kv[][2] = {
	    {"account_concurrency_limit", "1000"},
	    {"account_unreserved_limit", "850"},
	    {"account_concurrency_peak_3600", "37"},
	};
	char ago[32];
	struct fd_err err = {0};
	size_t i;

	snprintf(ago, sizeof(ago), "%lld", (long long)(fd_wall_now_ms() - 3 * 3600 * 1000LL));
	for (i = 0; i < FD_ARRAY_LEN(kv); i++)
		if (fd_cache_meta_set(c, &ctx_staging, kv[i][0], kv[i][1], &err) != FD_OK)
			goto fail;
	if (fd_cache_meta_set(c, &ctx_staging, "account_settings_fetched_ms", ago, &err) ==
	        FD_OK &&
	    fd_cache_meta_set(c, &ctx_staging, "account_concurrency_peak_3600_ms", ago, &err) ==
	        FD_OK)
		return 0;
fail:
	fprintf(stderr, "mkcache: %s\n", err.msg);
	return 1;
}

int
main(int argc, char **argv)
{
	struct fd_cache *c = NULL;
	struct fd_err err = {0};
	int rc;

	if (argc != 2 || !getenv("FLEETDECK_NOW")) {
		fprintf(stderr, "usage: FLEETDECK_NOW=... mkcache CACHE.db\n");
		return 2;
	}
	if (fd_cache_open(argv[1], &c, NULL, &err) != FD_OK) {
		fprintf(stderr, "mkcache: %s\n", err.msg);
		return 1;
	}
	rc = write_ctx(c, &ctx_default, fleet_default, FD_ARRAY_LEN(fleet_default)) ||
	     write_ctx(c, &ctx_staging, fleet_staging, FD_ARRAY_LEN(fleet_staging)) ||
	     write_ctx(c, &ctx_prod, fleet_prod, FD_ARRAY_LEN(fleet_prod)) || write_ingest(c) ||
	     write_account(c);
	fd_cache_close(c);
	return rc;
}
