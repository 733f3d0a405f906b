/* coldstart_bench.c - the cold-start benchmarks (run by tests/bench/coldstarts.sh):
 *   coldstart_bench populate DB N   N cached REPORT records (200 functions, 3% cold)
 *   coldstart_bench stats DB        cold-start statistics over all of them: seconds,
 *                                   peak RSS
 *   coldstart_bench parse N         N REPORT lines, text and JSON half and half (cold,
 *                                   warm, XRAY, SnapStart variants): lines per second
 * Each prints "key value" lines the script reads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fleetdeck/cache.h"
#include "fleetdeck/coldstarts.h"
#include "fleetdeck/invocations.h"
#include "fleetdeck/logline.h"

#define T0 1796385600000LL
#define BATCH 20000
#define FUNCTIONS 200

static const struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
make_record(struct fd_invocation *r, long i, uint64_t *seed)
{
	int fn = (int)(rnd(seed) % FUNCTIONS);

	fd_invocation_init(r);
	snprintf(r->request_id, sizeof(r->request_id), "%08lx-0000-4000-8000-%012lx", i, i);
	snprintf(r->function, sizeof(r->function), "bench-fn-%03d", fn);
	snprintf(r->version, sizeof(r->version), "%d", 1 + fn % 3);
	r->end_ms = T0 + i * 50;
	r->start_ms = r->end_ms - 100;
	r->duration_ms = 20.0 + (double)(rnd(seed) % 50000) / 100.0;
	r->billed_ms = ceil(r->duration_ms);
	r->memory_mb = 128 << (fn % 4);
	r->max_memory_mb = 60;
	r->status = FD_INV_SUCCESS;
	if (rnd(seed) % 100 < 3) {
		r->init_ms = 150.0 + (double)(rnd(seed) % 200000) / 100.0;
		fd_strlcpy(r->init_type, "on-demand", sizeof(r->init_type));
	}
}

static int
populate(const char *path, long n)
{
	struct fd_invocation *batch = calloc(BATCH, sizeof(*batch));
	struct fd_cache *c = NULL;
	struct fd_err err = {FD_OK, ""};
	uint64_t seed = 88172645463325252ULL;
	double t = now_s();
	long i = 0;

	if (!batch || fd_cache_open(path, &c, NULL, &err) != FD_OK) {
		fprintf(stderr, "populate: %s\n", err.msg);
		return 1;
	}
	while (i < n) {
		long k = 0;
		for (; k < BATCH && i < n; k++, i++)
			make_record(&batch[k], i, &seed);
		if (fd_cache_put_invocations(c, &ctx, batch, (size_t)k, (size_t)n, &err) != FD_OK) {
			fprintf(stderr, "populate: %s\n", err.msg);
			return 1;
		}
	}
	printf("populated %ld\nseconds %.3f\n", n, now_s() - t);
	fd_cache_close(c);
	free(batch);
	return 0;
}

static int
stats(const char *path)
{
	struct fd_coldstart_opts o;
	struct fd_coldstarts cs;
	struct fd_cache *c = NULL;
	struct fd_err err = {FD_OK, ""};
	double t;

	if (fd_cache_open(path, &c, NULL, &err) != FD_OK) {
		fprintf(stderr, "stats: %s\n", err.msg);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.from_ms = T0 - 1;
	o.to_ms = T0 + 24LL * 3600 * 1000 * 30;
	t = now_s();
	if (fd_coldstarts_local(c, &ctx, &o, NULL, 0, &cs, &err) != FD_OK) {
		fprintf(stderr, "stats: %s\n", err.msg);
		return 1;
	}
	t = now_s() - t;
	printf("records %lld\ncold %lld\nrows %zu\nseconds %.3f\nrss_kb %ld\n", cs.invocations,
	       cs.cold_starts, cs.n, t, peak_rss_kb());
	if (cs.n)
		printf("top %s@%s p99 %.1f ms\n", cs.rows[0].function, cs.rows[0].version,
		       cs.rows[0].init_p99);
	fd_coldstarts_free(&cs);
	fd_cache_close(c);
	return 0;
}

static void
make_line(struct fd_buf *b, long i, uint64_t *seed)
{
	double dur = 1.0 + (double)(rnd(seed) % 100000) / 100.0;
	int cold = rnd(seed) % 100 < 5, json = (int)(i % 2), variant = (int)(rnd(seed) % 4);

	if (json) {
		fd_buf_printf(b, "{\"time\":\"2026-12-04T12:00:00.%03ldZ\",\"type\":\"platform.report\","
			      "\"record\":{\"requestId\":\"%08lx-aaaa-4bbb-8ccc-123456789abc\","
			      "\"metrics\":{\"durationMs\":%.2f,\"billedDurationMs\":%d,"
			      "\"memorySizeMB\":256,\"maxMemoryUsedMB\":71", i % 1000, i, dur,
			      (int)ceil(dur));
		if (cold)
			fd_buf_printf(b, ",\"initDurationMs\":%.3f", dur * 3);
		fd_buf_puts(b, "},");
		if (variant == 1)
			fd_buf_puts(b, "\"tracing\":{\"spanId\":\"0123456789abcdef\",\"type\":"
				       "\"X-Amzn-Trace-Id\",\"value\":\"Root=1-55e2e1f0-0123456789ab"
				       "cdef01234567;Parent=0123456789abcdef;Sampled=1\"},");
		fd_buf_puts(b, variant == 2 ? "\"status\":\"error\",\"errorType\":\"Runtime.Unknown\"}}"
					    : "\"status\":\"success\"}}");
		return;
	}
	fd_buf_printf(b, "REPORT RequestId: %08lx-aaaa-4bbb-8ccc-123456789abc\tDuration: %.2f ms\t"
		      "Billed Duration: %d ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\t", i,
		      dur, (int)ceil(dur));
	if (cold && variant == 3)
		fd_buf_printf(b, "Restore Duration: %.2f ms\tBilled Restore Duration: %d ms\t",
			      dur * 2, (int)dur);
	else if (cold)
		fd_buf_printf(b, "Init Duration: %.2f ms\t", dur * 3);
	if (variant == 1)
		fd_buf_puts(b, "\nXRAY TraceId: 1-55e2e1f0-0123456789abcdef01234567\tSegmentId: "
			       "0123456789abcdef\tSampled: true\t");
	fd_buf_putc(b, '\n');
}

static int
parse(long n)
{
	struct fd_buf text;
	size_t *off = calloc((size_t)n + 1, sizeof(size_t));
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	struct fd_logline l;
	long i, reports = 0, cold = 0;
	double t;

	if (!off)
		return 1;
	fd_buf_init(&text);
	for (i = 0; i < n; i++) {
		off[i] = text.len;
		make_line(&text, i, &seed);
	}
	off[n] = text.len;
	fd_logline_init(&l);
	t = now_s();
	for (i = 0; i < n; i++) {
		fd_logline_parse(text.data + off[i], off[i + 1] - off[i], &l);
		reports += l.kind == FD_LINE_REPORT;
		cold += !isnan(l.report.init_ms) || !isnan(l.report.restore_ms);
	}
	t = now_s() - t;
	printf("lines %ld\nreports %ld\ncold %ld\nbytes %zu\nseconds %.3f\nlines_per_s %.0f\n", n,
	       reports, cold, text.len, t, (double)n / t);
	fd_logline_free(&l);
	fd_buf_free(&text);
	free(off);
	return reports == n ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "populate") == 0)
		return populate(argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "stats") == 0)
		return stats(argv[2]);
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return parse(atol(argv[2]));
	fprintf(stderr, "usage: coldstart_bench populate DB N | stats DB | parse N\n");
	return 2;
}
