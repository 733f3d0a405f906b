/* ingest_bench.c - the follow engine's ingest pipeline alone, on one core: parse
 * FilterLogEvents answers, de-duplicate by event id, order, parse each Lambda line
 * (level, request id, platform records, Powertools JSON), filter (level and a
 * regex), sanitize into the ring. Also the memory a full ring costs.
 *   ingest_bench rate EVENTS       -> events_per_s (per CPU second), cpu/wall seconds
 *   ingest_bench memory LINES      -> rss_delta_kb with a full ring of LINES lines
 * The lines mimic the simulator's mix: START/END/REPORT, tab-separated application
 * lines, 20% Powertools JSON, an occasional escape sequence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/view.h"

#define PAGE_EVENTS 10000

static const char *const app_lines[] = {
    "2026-12-04T11:59:00.123Z\\t%s\\tINFO\\tprocessing batch of %d records\\n",
    "2026-12-04T11:59:00.123Z\\t%s\\tWARN\\tslow downstream call took %d ms\\n",
    "[DEBUG]\\t2026-12-04T11:59:00.123Z\\t%s\\tretry budget left: %d\\n",
    "{\\\"level\\\":\\\"INFO\\\",\\\"location\\\":\\\"handler:42\\\",\\\"message\\\":\\\"published "
    "%d "
    "events\\\",\\\"service\\\":\\\"orders\\\",\\\"cold_start\\\":false,\\\"function_request_id"
    "\\\":\\\"%s\\\"}",
    "2026-12-04T11:59:00.123Z\\t%s\\tERROR\\tpayment declined \\u001b[31m%d\\u001b[0m\\n",
};

static void
message(struct fd_buf *b, size_t i, const char *rid)
{
	switch (i % 8) {
	case 0:
		fd_buf_printf(b, "START RequestId: %s Version: $LATEST\\n", rid);
		break;
	case 6:
		fd_buf_printf(b, "END RequestId: %s\\n", rid);
		break;
	case 7:
		fd_buf_printf(b,
		              "REPORT RequestId: %s\\tDuration: %zu.12 ms\\tBilled Duration: 13 ms"
		              "\\tMemory Size: 256 MB\\tMax Memory Used: 71 MB\\t\\n",
		              rid, i % 900);
		break;
	case 3:
		fd_buf_printf(b, app_lines[3], (int)(i % 500), rid);
		break;
	default:
		fd_buf_printf(b, app_lines[i % 8 == 5 && i % 40 == 5 ? 4 : i % 3], rid,
		              (int)(i % 500));
	}
}

/* One page of events first..first+n-1 (ids and times follow the index). */
static char *
make_page(size_t first, size_t n, size_t *len)
{
	struct fd_buf b;
	char rid[40];
	size_t i;

	fd_buf_init(&b);
	fd_buf_puts(&b, "{\"events\":[");
	for (i = first; i < first + n; i++) {
		snprintf(rid, sizeof(rid), "6f1d2c3b-aaaa-4bbb-8ccc-%012zu",
		         (i / 8) % 1000000000000);
		fd_buf_printf(&b,
		              "%s{\"logStreamName\":\"2026/12/04/[$LATEST]%032zx\","
		              "\"timestamp\":%lld,\"message\":\"",
		              i > first ? "," : "", i / 5000, 1796385600000LL + (long long)i);
		message(&b, i, rid);
		fd_buf_printf(&b, "\",\"ingestionTime\":%lld,\"eventId\":\"%056zu\"}",
		              1796385600500LL + (long long)i, i);
	}
	fd_buf_puts(&b, "],\"searchedLogStreams\":[]}");
	*len = b.len;
	return fd_buf_steal(&b);
}

struct sink {
	struct fd_regex *exclude;
	size_t shown;
};

static void
on_line(const struct fd_line *l, void *ud)
{
	struct sink *s = ud;
	size_t off, len;

	if (l->level != FD_LVL_NONE && l->level < FD_LVL_INFO)
		return;
	if (fd_regex_find(s->exclude, l->text, l->text_len, &off, &len))
		return;
	s->shown++;
}

/* CPU time of this process: what one core spends, whatever else runs beside it. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct fd_follow *
engine(size_t ring, struct sink *s)
{
	static const struct fd_follow_source src = {"/aws/lambda/orders-api", NULL};
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct fd_err err = {FD_OK, ""};

	memset(&o, 0, sizeof(o));
	o.since_ms = 1;
	o.ring_lines = ring;
	o.on_line = on_line;
	o.ud = s;
	if (fd_follow_new(NULL, &src, 1, &o, &f, &err) != FD_OK) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	return f;
}

static int
rate(size_t events)
{
	size_t npages = (events + PAGE_EVENTS - 1) / PAGE_EVENTS, i, total = 0, len;
	char **pages = calloc(npages, sizeof(*pages));
	size_t *lens = calloc(npages, sizeof(*lens));
	struct sink s = {NULL, 0};
	struct fd_err err = {FD_OK, ""};
	struct fd_follow *f;
	double t0, t1, w0, w1;

	for (i = 0; i < npages; i++) {
		pages[i] = make_page(i * PAGE_EVENTS, PAGE_EVENTS, &len);
		lens[i] = len;
		total += len;
	}
	if (fd_regex_new("health ?check", &s.exclude, &err) != FD_OK)
		return 1;
	f = engine(FD_FOLLOW_RING_DEFAULT, &s);
	t0 = cpu_s();
	w0 = wall_s();
	for (i = 0; i < npages; i++) {
		if (fd_follow_ingest_page(f, 0, pages[i], lens[i], &err) != FD_OK)
			return fprintf(stderr, "%s\n", err.msg), 1;
		fd_follow_flush(f);
	}
	t1 = cpu_s();
	w1 = wall_s();
	printf("events %zu\nbytes %zu\nshown %zu\ncpu_seconds %.3f\nwall_seconds %.3f\n"
	       "events_per_s %.0f\n",
	       npages * PAGE_EVENTS, total, s.shown, t1 - t0, w1 - w0,
	       (double)(npages * PAGE_EVENTS) / (t1 - t0));
	fd_follow_free(f);
	fd_regex_free(s.exclude);
	for (i = 0; i < npages; i++)
		free(pages[i]);
	free(pages);
	free(lens);
	return 0;
}

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * 4;
}

static int
memory(size_t lines)
{
	struct sink s = {NULL, 0};
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_stats st;
	struct fd_follow *f;
	size_t i, len;
	long before;
	char *page;

	if (fd_regex_new("health ?check", &s.exclude, &err) != FD_OK)
		return 1;
	before = rss_kb();
	f = engine(lines, &s);
	for (i = 0; i < lines + PAGE_EVENTS; i += PAGE_EVENTS) {
		page = make_page(i, PAGE_EVENTS, &len);
		fd_follow_ingest_page(f, 0, page, len, &err);
		free(page);
		fd_follow_flush(f);
	}
	fd_follow_stats(f, &st);
	printf("ring_lines %zu\ndropped %llu\nrss_delta_kb %ld\n", st.ring_lines,
	       (unsigned long long)st.dropped, rss_kb() - before);
	fd_follow_free(f);
	fd_regex_free(s.exclude);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000;

	if (argc > 1 && strcmp(argv[1], "rate") == 0)
		return rate(n);
	if (argc > 1 && strcmp(argv[1], "memory") == 0)
		return memory(n);
	fprintf(stderr, "usage: ingest_bench rate EVENTS | memory LINES\n");
	return 2;
}
