/* test_follow.c - the follow engine without a network: de-duplication, ordering
 * across groups, the ring (line and byte bounds, overflow banner, truncation),
 * sanitizing, line parsing and display forms, banner text, the log store, and the
 * merge of Logs Insights parts. */
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/logs.h"
#include "test.h"

/* Lines as on_line saw them (strings copied: they live only during the call). */
struct seen_lines {
	struct fd_line l[64];
	char text[64][256];
	char id[64][64];
	char stream[64][64];
	size_t n, banners;
};

static void
collect(const struct fd_line *l, void *ud)
{
	struct seen_lines *s = ud;

	if (l->banner)
		s->banners++;
	if (s->n >= FD_ARRAY_LEN(s->l))
		return;
	s->l[s->n] = *l;
	snprintf(s->text[s->n], sizeof(s->text[0]), "%.*s", (int)FD_MIN(l->text_len, 255), l->text);
	snprintf(s->id[s->n], sizeof(s->id[0]), "%s", l->event_id ? l->event_id : "");
	snprintf(s->stream[s->n], sizeof(s->stream[0]), "%s", l->stream ? l->stream : "");
	s->n++;
}

static struct fd_follow *
engine(size_t ring, struct seen_lines *s, size_t nsrc)
{
	static const struct fd_follow_source src[] = {{"/aws/lambda/orders-api", NULL},
	                                              {"/custom/payments", "payments-api"}};
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct fd_err err = {FD_OK, ""};

	memset(&o, 0, sizeof(o));
	o.since_ms = 1;
	o.ring_lines = ring;
	o.on_line = collect;
	o.ud = s;
	CHECK_INT(fd_follow_new(NULL, src, nsrc, &o, &f, &err), FD_OK);
	return f;
}

static char *
page(const char *events)
{
	return fd_xasprintf("{\"events\":[%s]}", events);
}

#define EV(ts, id, msg)                                                                            \
	"{\"logStreamName\":\"s1\",\"timestamp\":" #ts ",\"eventId\":\"" id                        \
	"\",\"message\":\"" msg "\"}"

TEST(follow_dedupe_and_order)
{
	struct seen_lines s = {0};
	struct fd_follow *f = engine(100, &s, 2);
	struct fd_follow_stats st;
	struct fd_err err = {FD_OK, ""};
	char *a = page(EV(10, "a1", "ten") "," EV(30, "a3", "thirty"));
	char *b = page(EV(30, "a3", "thirty") "," EV(40, "a4", "forty"));
	char *c = page(EV(20, "a3", "twenty from another group"));

	REQUIRE(f);
	CHECK_INT(fd_follow_ingest_page(f, 0, a, strlen(a), &err), FD_OK);
	CHECK_INT(fd_follow_ingest_page(f, 0, b, strlen(b), &err), FD_OK);
	CHECK_INT(fd_follow_ingest_page(f, 1, c, strlen(c), &err), FD_OK);
	CHECK_INT(fd_follow_ingest_page(f, 0, "{", 1, &err), FD_EPARSE);
	fd_follow_flush(f);
	REQUIRE(s.n == 4);
	CHECK_STR(s.text[0], "ten");
	CHECK_STR(s.text[1], "twenty from another group"); /* same id, other group: kept */
	CHECK_STR(s.l[1].function, "payments-api");
	CHECK_STR(s.text[2], "thirty");
	CHECK_STR(s.l[2].function, "orders-api");
	CHECK_STR(s.text[3], "forty");
	CHECK_STR(s.stream[3], "s1");
	fd_follow_stats(f, &st);
	CHECK_INT(st.received, 5);
	CHECK_INT(st.duplicates, 1);
	CHECK_INT(st.released, 4);
	CHECK_INT(fd_follow_count(f), 4);
	free(a);
	free(b);
	free(c);
	fd_follow_free(f);
}

TEST(follow_ring_bounds_and_overflow_banner)
{
	struct seen_lines s = {0};
	struct fd_follow *f = engine(5, &s, 1);
	struct fd_follow_stats st;
	struct fd_line l;
	char id[16], msg[32];
	int i;

	REQUIRE(f);
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		snprintf(msg, sizeof(msg), "line %d", i);
		fd_follow_ingest(f, 0, 100 + i, "s", id, msg, strlen(msg));
	}
	fd_follow_flush(f);
	fd_follow_stats(f, &st);
	CHECK_INT(fd_follow_count(f), 5);
	CHECK(st.dropped >= 3);
	CHECK_INT(s.banners, 1);                               /* said once, not per dropped line */
	CHECK_INT(fd_follow_first(f) + fd_follow_count(f), 9); /* 8 lines + the banner */
	CHECK(!fd_follow_get(f, 0, &l));
	/* the banner follows the line whose push first evicted: 4 5 banner 6 7 */
	REQUIRE(fd_follow_get(f, fd_follow_first(f) + 2, &l));
	CHECK_INT(l.banner, FD_BANNER_OVERFLOW);
	CHECK_CONTAINS(l.text, "5 lines kept");
	REQUIRE(fd_follow_get(f, fd_follow_first(f) + 4, &l));
	CHECK_STR(l.text, "line 7");
	CHECK_INT(l.ts, 107);
	fd_follow_free(f);
}

TEST(follow_ring_byte_budget)
{
	struct fd_follow_source src = {"/aws/lambda/x", NULL};
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct fd_err err = {FD_OK, ""};
	struct fd_line l;
	char *big = fd_xmalloc(6000), id[16];
	uint64_t seq;
	int i;

	memset(big, 'x', 6000);
	memset(&o, 0, sizeof(o));
	o.ring_lines = 1000;
	o.ring_bytes = 1; /* raised to the minimum: four longest lines */
	REQUIRE(fd_follow_new(NULL, &src, 1, &o, &f, &err) == FD_OK);
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "b%d", i);
		fd_follow_ingest(f, 0, i, "s", id, big, 6000);
	}
	fd_follow_flush(f);
	CHECK(fd_follow_count(f) < 40);
	CHECK(fd_follow_count(f) >= 5);
	for (seq = fd_follow_first(f); seq < fd_follow_first(f) + fd_follow_count(f); seq++) {
		REQUIRE(fd_follow_get(f, seq, &l));
		if (!l.banner)
			CHECK_INT(l.text_len, 6000);
	}
	free(big);
	fd_follow_free(f);
}

TEST(follow_truncates_and_sanitizes)
{
	struct seen_lines s = {0};
	struct fd_follow *f = engine(100, &s, 1);
	size_t n = 20000;
	char *big = fd_xmalloc(n + 1);
	static const char hostile[] = "x \x1b]52;c;ZXZpbA==\x07 \x1b[2J done \xff";
	struct fd_line l;

	memset(big, 'y', n);
	memcpy(big + 8191, "\xc3\xa9", 2); /* a character across the cut */
	big[n] = '\0';
	REQUIRE(f);
	fd_follow_ingest(f, 0, 5, "s", "long-1", big, n);
	fd_follow_ingest(f, 0, 6, "s", "esc-1", hostile, strlen(hostile));
	fd_follow_flush(f);
	REQUIRE(fd_follow_get(f, 0, &l));
	CHECK_INT(l.truncated, 1);
	CHECK_INT(l.full_len, 20000);
	CHECK_INT(l.text_len, 8191);     /* cut before the two-byte character */
	CHECK_STR(l.event_id, "long-1"); /* kept so the whole line can be fetched */
	REQUIRE(fd_follow_get(f, 1, &l));
	CHECK(!memchr(l.text, 0x1b, l.text_len) && !memchr(l.text, 0x07, l.text_len));
	CHECK_STR(l.text, "x ^[]52;c;ZXZpbA==^G ^[[2J done \xef\xbf\xbd");
	CHECK_STR(l.event_id, "");
	REQUIRE(s.n == 2);
	CHECK_INT(s.l[1].raw_len, strlen(hostile)); /* on_line still has the bytes received */
	free(big);
	fd_follow_free(f);
}

TEST(follow_parses_lines)
{
	static const char text[] =
	    "2026-12-04T12:00:00.130Z\t6f1d2c3b-aaaa-4bbb-8ccc-123456789abc\t"
	    "ERROR\tpayment declined\n";
	static const char pt[] = "{\"level\":\"WARN\",\"message\":\"slow\",\"service\":\"orders\","
	                         "\"cold_start\":true,\"function_request_id\":\"rid-1\"}";
	struct seen_lines s = {0};
	struct fd_follow *f = engine(100, &s, 1);
	struct fd_buf b;
	struct fd_line l;

	REQUIRE(f);
	fd_follow_ingest(f, 0, 1, "s", "t1", text, strlen(text));
	fd_follow_ingest(f, 0, 2, "s", "t2", pt, strlen(pt));
	fd_follow_flush(f);
	REQUIRE(fd_follow_get(f, 0, &l));
	CHECK_INT(l.level, FD_LVL_ERROR);
	CHECK_STR(l.request_id, "6f1d2c3b-aaaa-4bbb-8ccc-123456789abc");
	CHECK_STR(l.text, "payment declined");
	CHECK_INT(l.json, 0);
	REQUIRE(fd_follow_get(f, 1, &l));
	CHECK_INT(l.level, FD_LVL_WARN);
	CHECK_INT(l.json, 1);
	CHECK_INT(l.cold_start, 1);
	CHECK_STR(l.request_id, "rid-1");
	fd_buf_init(&b);
	fd_follow_format(&l, 0, &b);
	CHECK_STR(b.data, "slow service=orders cold_start=true");
	fd_buf_reset(&b);
	fd_follow_format(&l, 1, &b);
	CHECK_CONTAINS(b.data, "\n  \"service\": \"orders\"");
	fd_buf_free(&b);
	fd_follow_free(f);
}

TEST(follow_content_dedupe_without_ids)
{
	struct seen_lines s = {0};
	struct fd_follow *f = engine(100, &s, 1);
	struct fd_follow_stats st;

	REQUIRE(f);
	fd_follow_ingest(f, 0, 7, "s", "", "same", 4);
	fd_follow_ingest(f, 0, 7, "s", "", "same", 4);
	fd_follow_ingest(f, 0, 7, "t", "", "same", 4); /* other stream */
	fd_follow_ingest(f, 0, 8, "s", "", "same", 4); /* other time */
	fd_follow_flush(f);
	fd_follow_stats(f, &st);
	CHECK_INT(st.released, 3);
	CHECK_INT(st.duplicates, 1);
	REQUIRE(s.n == 3);
	CHECK(fd_str_starts(s.id[0], "lt-")); /* a stable synthetic id for the log store */
	fd_follow_free(f);
}

TEST(follow_banner_text)
{
	struct fd_line l;
	char out[256];

	memset(&l, 0, sizeof(l));
	l.banner = FD_BANNER_GAP;
	l.ts = 1796392930000LL;    /* 14:02:10 UTC */
	l.ts_to = 1796392945000LL; /* 14:02:25 */
	l.text = "throttled";
	l.text_len = 9;
	l.function = "orders-api";
	fd_follow_banner_text(&l, 1, out, sizeof(out));
	CHECK_STR(out, "gap: 14:02:10\xe2\x80\x93"
	               "14:02:25 not fetched (throttled): orders-api");
	l.banner = FD_BANNER_RESUMED;
	fd_follow_banner_text(&l, 1, out, sizeof(out));
	CHECK_STR(out, "resumed: orders-api (14:02:10\xe2\x80\x93"
	               "14:02:25 fetched)");
	l.banner = FD_BANNER_FALLBACK;
	l.text = "AccessDeniedException";
	l.text_len = strlen(l.text);
	fd_follow_banner_text(&l, 1, out, sizeof(out));
	CHECK_STR(out, "live tail unavailable (AccessDeniedException): polling instead");
	CHECK_STR(fd_banner_name(FD_BANNER_SAMPLED), "sampled");
	CHECK_STR(fd_follow_function_of("/aws/lambda/orders-api"), "orders-api");
	CHECK_STR(fd_follow_function_of("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x"), "x");
	CHECK_STR(fd_follow_function_of("/custom/group"), "/custom/group");
}

struct store_rows {
	size_t n;
	char last_msg[64];
	int level;
};

static void
store_row(const struct fd_log_event *e, void *ud)
{
	struct store_rows *r = ud;

	r->n++;
	snprintf(r->last_msg, sizeof(r->last_msg), "%.*s", (int)e->message_len, e->message);
	r->level = e->level;
}

TEST(follow_writes_log_store)
{
	struct fd_ctx ctx = {"default", "123456789012", "us-east-1"};
	struct fd_follow_source src = {"/aws/lambda/orders-api", NULL};
	struct store_rows rows = {0};
	struct fd_err err = {FD_OK, ""};
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct fd_cache *c = NULL;
	struct fd_buf msg;
	char *path = fd_xasprintf("%s/cache.db", fd_test_tmpdir()), id[16], text[64];
	int i;

	REQUIRE(fd_cache_open(path, &c, NULL, &err) == FD_OK);
	memset(&o, 0, sizeof(o));
	o.since_ms = 1;
	o.cache = c;
	o.ctx = &ctx;
	REQUIRE(fd_follow_new(NULL, &src, 1, &o, &f, &err) == FD_OK);
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "id%d", i);
		snprintf(text, sizeof(text), "[ERROR]\t2026-12-04T00:00:00Z\trid\tmessage %d", i);
		fd_follow_ingest(f, 0, 1000 + i, "stream-a", id, text, strlen(text));
	}
	fd_follow_flush(f);
	fd_follow_free(f);
	CHECK_INT(fd_cache_get_log_events(c, &ctx, "/aws/lambda/orders-api", 0, 5000, 0, store_row,
	                                  &rows, &err),
	          FD_OK);
	CHECK_INT(rows.n, 10);
	CHECK_CONTAINS(rows.last_msg, "message 9");
	CHECK_INT(rows.level, FD_LVL_ERROR);
	fd_buf_init(&msg);
	CHECK_INT(fd_cache_get_log_message(c, &ctx, "/aws/lambda/orders-api", "id3", &msg, &err),
	          FD_OK);
	CHECK_CONTAINS(msg.data, "message 3");
	CHECK_INT(fd_cache_get_log_message(c, &ctx, "/aws/lambda/orders-api", "nope", &msg, &err),
	          FD_ENOTFOUND);
	fd_buf_free(&msg);
	/* bounded: by rows per context, then by age */
	CHECK_INT(fd_cache_prune_log_events(c, 0, 4, &err), FD_OK);
	rows.n = 0;
	fd_cache_get_log_events(c, &ctx, NULL, 0, 5000, 0, store_row, &rows, &err);
	CHECK_INT(rows.n, 4);
	CHECK_INT(fd_cache_prune_log_events(c, 1008, 0, &err), FD_OK);
	rows.n = 0;
	fd_cache_get_log_events(c, &ctx, NULL, 0, 5000, 0, store_row, &rows, &err);
	CHECK_INT(rows.n, 2);
	fd_cache_close(c);
	free(path);
}

static void
add_row(struct logs_query_result *r, const char *k, const char *kv, const char *a, const char *av)
{
	struct logs_query_row *row;

	r->rows = fd_xreallocarray(r->rows, r->nrows + 1, sizeof(*r->rows));
	row = &r->rows[r->nrows++];
	row->n = 2;
	row->f = fd_xcalloc(2, sizeof(*row->f));
	row->f[0].field = fd_xstrdup(k);
	row->f[0].value = fd_xstrdup(kv);
	row->f[1].field = fd_xstrdup(a);
	row->f[1].value = fd_xstrdup(av);
}

TEST(logs_query_merge_parts)
{
	static const char q[] = "filter @message like /a|b/ | stats count(*) as errors, "
	                        "max(@duration) as worst by @log | sort errors desc | limit 2";
	struct logs_query_result p[2], out;
	int additive;

	memset(p, 0, sizeof(p));
	fd_strlcpy(p[0].status, "Complete", sizeof(p[0].status));
	fd_strlcpy(p[1].status, "Complete", sizeof(p[1].status));
	add_row(&p[0], "@log", "a", "errors", "3");
	add_row(&p[0], "@log", "b", "errors", "10");
	add_row(&p[1], "@log", "a", "errors", "9");
	add_row(&p[1], "@log", "c", "errors", "1");
	p[0].bytes = 100;
	p[1].bytes = 50;
	logs_query_merge(q, p, 2, &out, &additive);
	CHECK_INT(additive, 1);
	CHECK_INT(out.bytes, 150);
	REQUIRE(out.nrows == 2); /* a=12, b=10, c=1 -> sorted, limited to 2 */
	CHECK_STR(out.rows[0].f[0].value, "a");
	CHECK_STR(out.rows[0].f[1].value, "12");
	CHECK_STR(out.rows[1].f[0].value, "b");
	logs_query_result_free(&out);

	logs_query_merge("stats avg(@duration) as d by @log", p, 2, &out, &additive);
	CHECK_INT(additive, 0);
	CHECK_INT(out.nrows, 4); /* not additive: rows per part */
	logs_query_result_free(&out);
	logs_query_result_free(&p[0]);
	logs_query_result_free(&p[1]);
}
