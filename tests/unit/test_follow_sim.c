/* test_follow_sim.c - the follow engine against a live simulator (its own instance,
 * started with --live so events keep arriving with random ingestion delays and late
 * events): 20 groups tailed under injected throttling, checked against the
 * simulator's ledger (every event exactly once), ordering within the overlap
 * window, gaps reported exactly for the refused calls, a new stream picked up;
 * Live Tail sessions with renewal, the fallback to polling, sampling banners. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fleetdeck/follow.h"
#include "fleetdeck/logs.h"
#include "test.h"
#include "test_aws_sim.h"

#define MAX_REC 200000

struct rec {
	unsigned source;
	int64_t ts;
	uint64_t h; /* hash of stream + message (Live Tail has no ids) */
	char id[64];
	char stream[96];
};

struct gapnote {
	unsigned source;
	int64_t from, to;
	char why[64];
};

struct run {
	struct rec *r;
	size_t n;
	struct gapnote gaps[512];
	size_t ngaps, resumed, live_started, live_renewed, fallback, sampled;
	char fallback_text[256];
};

struct livesim {
	pid_t pid;
	char url[64];
};

static int
livesim_start(struct livesim *s, int functions)
{
	char pf[256], fnum[16];
	int i;

	(void)fd_test_sim_url(); /* skips when there is no simulator at all */
	snprintf(pf, sizeof(pf), "%s/port", fd_test_tmpdir());
	snprintf(fnum, sizeof(fnum), "%d", functions);
	s->pid = fork();
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("python3", "python3", "tests/sim/fleetsim.py", "--live", "--port", "0",
		       "--port-file", pf, "--quiet", "--functions", fnum, "--seed", "7",
		       (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		FILE *f = fopen(pf, "r");
		int port = 0;
		if (f && fscanf(f, "%d", &port) == 1 && port > 0) {
			fclose(f);
			snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", port);
			setenv("FD_SIM_URL", s->url, 1);
			return 1;
		}
		if (f)
			fclose(f);
		usleep(50000);
	}
	fd_test_fail(__FILE__, __LINE__, "live simulator did not start");
	return 0;
}

static void
livesim_stop(struct livesim *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
}

static struct aws_client *
client_for(struct livesim *s, const char *max_attempts, struct aws_settings *set,
           struct aws_creds *cr)
{
	struct aws_settings_opts so;
	struct aws_client_opts o;
	struct aws_client *c = NULL;
	struct fd_err err = {FD_OK, ""};

	sim_env(s->url);
	if (max_attempts)
		setenv("AWS_MAX_ATTEMPTS", max_attempts, 1);
	memset(&so, 0, sizeof(so));
	memset(&o, 0, sizeof(o));
	o.rng_seed = 99;
	if (aws_settings_load(set, &so, &err) != FD_OK ||
	    aws_creds_resolve(set, cr, &err) != FD_OK ||
	    aws_client_new(set, cr, &o, &c, &err) != FD_OK)
		fd_test_fail(__FILE__, __LINE__, "client: %s", err.msg);
	return c;
}

static uint64_t
hash_str(const char *s, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static void
note_banner(struct run *r, const struct fd_line *l)
{
	if (l->banner == FD_BANNER_GAP && r->ngaps < FD_ARRAY_LEN(r->gaps)) {
		r->gaps[r->ngaps].source = l->source;
		r->gaps[r->ngaps].from = l->ts;
		snprintf(r->gaps[r->ngaps].why, sizeof(r->gaps[0].why), "%.*s", (int)l->text_len,
		         l->text);
		r->gaps[r->ngaps++].to = l->ts_to;
	}
	r->resumed += l->banner == FD_BANNER_RESUMED;
	r->sampled += l->banner == FD_BANNER_SAMPLED;
	if (l->banner == FD_BANNER_LIVE) {
		r->live_started += strstr(l->text, "started") != NULL;
		r->live_renewed += strstr(l->text, "renewed") != NULL;
	}
	if (l->banner == FD_BANNER_FALLBACK) {
		r->fallback++;
		snprintf(r->fallback_text, sizeof(r->fallback_text), "%.*s", (int)l->text_len,
		         l->text);
	}
}

static void
record(const struct fd_line *l, void *ud)
{
	struct run *r = ud;
	struct rec *x;

	if (l->banner) {
		note_banner(r, l);
		return;
	}
	if (r->n >= MAX_REC)
		return;
	x = &r->r[r->n++];
	x->source = l->source;
	x->ts = l->ts;
	x->h = hash_str(l->raw, l->raw_len,
	                hash_str(l->stream, strlen(l->stream), 14695981039346656037ull));
	snprintf(x->id, sizeof(x->id), "%s", l->event_id);
	snprintf(x->stream, sizeof(x->stream), "%s", l->stream);
}

static void
run_for(struct aws_client *c, struct fd_follow *f, int64_t ms)
{
	int64_t end = fd_now_ms() + ms;

	while (fd_now_ms() < end) {
		int t = fd_follow_tick(f);
		aws_client_wait(c, NULL, 0, (int)FD_MIN(t, FD_MAX(1, end - fd_now_ms())));
	}
}

static cJSON *
get_json(const char *path)
{
	char *out = NULL;
	cJSON *doc;

	CHECK_INT(fd_test_sim_control("GET", path, NULL, &out), 200);
	doc = cJSON_Parse(out ? out : "");
	free(out);
	return doc;
}

/* The simulator's function names and log groups (first n). */
static size_t
fleet_groups(char groups[][128], char names[][64], size_t n)
{
	cJSON *doc = get_json("fleet");
	const cJSON *g = cJSON_GetObjectItem(doc, "log_groups"),
	            *nm = cJSON_GetObjectItem(doc, "names");
	size_t i;

	for (i = 0; i < n && i < (size_t)cJSON_GetArraySize(g); i++) {
		snprintf(groups[i], 128, "%s", cJSON_GetArrayItem(g, (int)i)->valuestring);
		snprintf(names[i], 64, "%s", cJSON_GetArrayItem(nm, (int)i)->valuestring);
	}
	cJSON_Delete(doc);
	return i;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compares the ledger of one group over [from, to] with the recorded lines. */
static int
check_ledger(const struct run *r, unsigned src, const char *group, int64_t from, int64_t to)
{
	char path[512], **ours = fd_xcalloc(r->n + 1, sizeof(char *));
	cJSON *doc;
	const cJSON *ids, *it;
	size_t n = 0, i, k = 0;
	int ok = 1;

	snprintf(path, sizeof(path), "ledger?group=%s&start=%lld&end=%lld", group, (long long)from,
	         (long long)to);
	doc = get_json(path);
	ids = cJSON_GetObjectItem(doc, "event_ids");
	for (i = 0; i < r->n; i++)
		if (r->r[i].source == src && r->r[i].ts >= from && r->r[i].ts <= to)
			ours[n++] = r->r[i].id;
	qsort(ours, n, sizeof(*ours), cmp_str);
	ok = (size_t)cJSON_GetArraySize(ids) == n;
	cJSON_ArrayForEach(it, ids)
	{
		if (k >= n || strcmp(it->valuestring, ours[k]) != 0)
			ok = 0;
		k++;
	}
	if (!ok)
		fd_test_fail(__FILE__, __LINE__,
		             "%s: ledger has %d events in [%lld, %lld], we "
		             "released %zu",
		             group, cJSON_GetArraySize(ids), (long long)from, (long long)to, n);
	cJSON_Delete(doc);
	free(ours);
	return ok;
}

static size_t
duplicates(const struct run *r)
{
	size_t i, j, d = 0;

	for (i = 0; i < r->n; i++)
		for (j = i + 1; j < r->n && j < i + 4000; j++)
			d += r->r[i].source == r->r[j].source && r->r[i].h == r->r[j].h &&
			     r->r[i].ts == r->r[j].ts && strcmp(r->r[i].id, r->r[j].id) == 0;
	return d;
}

/* Every FilterLogEvents call the simulator refused is a gap banner for the same
 * group ending at the same endTime, and there are no others. */
static void
check_gaps(const struct run *r, char groups[][128], size_t ng)
{
	cJSON *doc = get_json("requests?last=500");
	const cJSON *it;
	size_t refused = 0, matched = 0, i, j;
	int *used = fd_xcalloc(r->ngaps + 1, sizeof(int));

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "requests"))
	{
		const cJSON *st = cJSON_GetObjectItem(it, "status");
		cJSON *body;
		const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(it, "op"));
		if (!op || strcmp(op, "FilterLogEvents") != 0 || !cJSON_IsNumber(st) ||
		    st->valueint != 400)
			continue;
		refused++;
		body = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(it, "body")));
		for (j = 0; j < r->ngaps; j++) {
			const char *g =
			    cJSON_GetStringValue(cJSON_GetObjectItem(body, "logGroupName"));
			double end = cJSON_GetNumberValue(cJSON_GetObjectItem(body, "endTime"));
			if (!used[j] && g && r->gaps[j].source < ng &&
			    strcmp(groups[r->gaps[j].source], g) == 0 &&
			    (int64_t)end == r->gaps[j].to) {
				used[j] = 1;
				matched++;
				break;
			}
		}
		cJSON_Delete(body);
	}
	CHECK(refused > 0);
	CHECK_INT(matched, refused);
	CHECK_INT(r->ngaps, refused);
	for (i = 0; i < r->ngaps; i++)
		CHECK(r->gaps[i].from <= r->gaps[i].to);
	free(used);
	cJSON_Delete(doc);
}

static void
invoke(struct aws_client *c, const char *fn)
{
	struct aws_response resp;
	struct aws_request r;

	aws_request_init(&r, AWS_SVC_LAMBDA, "Invoke");
	aws_request_path(&r, "/2015-03-31/functions/");
	aws_request_path_segment(&r, fn);
	aws_request_path(&r, "/invocations");
	aws_request_json(&r, "{}", 2);
	aws_call_sync(c, &r, &resp);
	CHECK_INT(resp.http_status, 200);
	aws_response_free(&resp);
}

/* Lines of source from streams first seen at or after t. */
static size_t
new_stream_lines(const struct run *r, unsigned src, int64_t t)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++) {
		int old = 0;
		if (r->r[i].source != src || r->r[i].ts < t)
			continue;
		for (j = 0; j < r->n && !old; j++)
			old = r->r[j].source == src && r->r[j].ts < t &&
			      strcmp(r->r[j].stream, r->r[i].stream) == 0;
		n += !old;
	}
	return n;
}

TEST(follow_sim_exactly_once_20_groups)
{
	static char groups[20][128], names[20][64];
	struct fd_follow_source src[20];
	struct livesim ls = {0};
	struct aws_settings set;
	struct aws_creds cr;
	struct aws_client *c;
	struct fd_follow_opts o;
	struct fd_follow_stats st;
	struct fd_follow *f = NULL;
	struct fd_err err = {FD_OK, ""};
	struct run r;
	int64_t since, cut, invoked, invoked_end;
	size_t i, ng;

	if (!livesim_start(&ls, 20))
		return;
	memset(&r, 0, sizeof(r));
	r.r = fd_xcalloc(MAX_REC, sizeof(*r.r));
	c = client_for(&ls, "1", &set, &cr);
	ng = fleet_groups(groups, names, 20);
	REQUIRE(c && ng == 20);
	sim_faults("{\"service\":\"logs\",\"op\":\"FilterLogEvents\",\"kind\":\"throttle\","
	           "\"probability\":0.12}");
	for (i = 0; i < ng; i++)
		src[i] = (struct fd_follow_source){groups[i], names[i]};
	since = fd_wall_now_ms() - 20000;
	memset(&o, 0, sizeof(o));
	o.since_ms = since;
	o.follow = 1;
	o.on_line = record;
	o.ud = &r;
	REQUIRE(fd_follow_new(c, src, ng, &o, &f, &err) == FD_OK);
	run_for(c, f, 6000);
	invoked = fd_wall_now_ms();
	invoke(c, names[1]); /* its log lines land in a stream that did not exist */
	invoke(c, names[1]);
	invoked_end = fd_wall_now_ms(); /* on a loaded machine an Invoke can take a second */
	/* until every group has been fetched past the invocations: 20 groups under a 5 TPS
	 * quota with 12% of calls refused take 10-45 s here; give a loaded CI machine 150 s */
	for (i = 0; i < 150; i++) {
		run_for(c, f, 1000);
		fd_follow_stats(f, &st);
		if (i >= 6 && st.fetched_ms > invoked_end + 4000)
			break;
	}
	cut = st.fetched_ms - 3000; /* the simulator's ingestion lag is below 2.5 s */
	if (cut <= invoked_end)
		for (i = 0; i < r.ngaps; i++)
			fprintf(stderr, "    gap %u %lld..%lld (now %lld) %s\n", r.gaps[i].source,
			        (long long)r.gaps[i].from, (long long)r.gaps[i].to,
			        (long long)fd_wall_now_ms(), r.gaps[i].why);
	if (cut <= invoked_end)
		for (i = 0; i < ng; i++)
			fprintf(stderr, "    %s %s (fetched %lld ms before the invocations)\n",
			        groups[i], fd_follow_source_state(f, (unsigned)i),
			        (long long)(invoked - st.fetched_ms));
	REQUIRE(cut > invoked_end);
	fd_follow_flush(f);
	for (i = 0; i < ng; i++)
		check_ledger(&r, (unsigned)i, groups[i], since, cut);
	CHECK_INT(duplicates(&r), 0);
	CHECK(st.duplicates > 0); /* the overlap window was re-read */
	if (st.max_disorder_ms > st.overlap_ms)
		fprintf(stderr, "    disorder %lld ms, overlap %d ms\n",
		        (long long)st.max_disorder_ms, st.overlap_ms);
	CHECK(st.max_disorder_ms <= st.overlap_ms);
	if (new_stream_lines(&r, 1, invoked) == 0) {
		size_t k, shown = 0;
		fprintf(stderr, "    %zu records; lines of %s since the invocations:\n", r.n,
		        groups[1]);
		for (k = 0; k < r.n && shown < 20; k++)
			if (r.r[k].source == 1 && r.r[k].ts >= invoked - 1000) {
				fprintf(stderr, "      %lld %s\n", (long long)(r.r[k].ts - invoked),
				        r.r[k].stream);
				shown++;
			}
	}
	CHECK(new_stream_lines(&r, 1, invoked) > 0);
	check_gaps(&r, groups, ng);
	CHECK(r.resumed > 0);
	fd_follow_free(f);
	aws_client_free(c);
	aws_creds_free(&cr);
	aws_settings_free(&set);
	free(r.r);
	livesim_stop(&ls);
}

/* Lines of source with ts in [a, b] against the ledger's count (Live Tail has no ids). */
static size_t
check_counts(const struct run *r, unsigned src, const char *group, int64_t a, int64_t b)
{
	char path[512];
	cJSON *doc;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "ledger?group=%s&start=%lld&end=%lld", group, (long long)a,
	         (long long)b);
	doc = get_json(path);
	for (i = 0; i < r->n; i++)
		n += r->r[i].source == src && r->r[i].ts >= a && r->r[i].ts <= b;
	CHECK_INT(n, cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "count")));
	cJSON_Delete(doc);
	return n;
}

static struct fd_follow *
live_follow(struct aws_client *c, struct fd_follow_source *src, size_t n, struct run *r,
            int64_t renew_ms)
{
	struct fd_follow_opts o;
	struct fd_follow *f = NULL;
	struct fd_err err = {FD_OK, ""};

	memset(&o, 0, sizeof(o));
	o.since_ms = fd_wall_now_ms() - 5000;
	o.follow = 1;
	o.live = 1;
	o.live_renew_ms = renew_ms;
	o.arn_prefix = "arn:aws:logs:us-east-1:123456789012:log-group:";
	o.on_line = record;
	o.ud = r;
	CHECK_INT(fd_follow_new(c, src, n, &o, &f, &err), FD_OK);
	return f;
}

TEST(follow_sim_live_tail_renewal)
{
	static char groups[5][128], names[5][64];
	struct fd_follow_source src[2];
	struct livesim ls = {0};
	struct aws_settings set;
	struct aws_creds cr;
	struct aws_client *c;
	struct fd_follow *f;
	struct run r;
	int64_t start, end;
	size_t n;
	unsigned i;

	if (!livesim_start(&ls, 5))
		return;
	memset(&r, 0, sizeof(r));
	r.r = fd_xcalloc(MAX_REC, sizeof(*r.r));
	c = client_for(&ls, NULL, &set, &cr);
	REQUIRE(c && fleet_groups(groups, names, 5) == 5);
	CHECK_INT(fd_test_sim_control("POST", "livetail", "{\"session_s\":4}", NULL), 200);
	for (i = 0; i < 2; i++)
		src[i] = (struct fd_follow_source){groups[i], names[i]};
	start = fd_wall_now_ms();
	f = live_follow(c, src, 2, &r, 2500);
	REQUIRE(f);
	run_for(c, f, 14000);
	end = fd_wall_now_ms();
	fd_follow_flush(f);
	CHECK_INT(r.live_started, 1);
	CHECK(r.live_renewed >= 2);
	CHECK_INT(r.fallback, 0);
	CHECK_INT(duplicates(&r), 0);
	for (i = 0, n = 0; i < 2; i++)
		n += check_counts(&r, i, groups[i], start + 3000, end - 8000);
	CHECK(n > 0);
	fd_follow_free(f);
	aws_client_free(c);
	aws_creds_free(&cr);
	aws_settings_free(&set);
	free(r.r);
	livesim_stop(&ls);
}

TEST(follow_sim_live_tail_fallback)
{
	static char groups[5][128], names[5][64];
	struct fd_follow_source src[3];
	struct fd_follow_stats st;
	struct livesim ls = {0};
	struct aws_settings set;
	struct aws_creds cr;
	struct aws_client *c;
	struct fd_follow *f;
	struct run r;
	unsigned i;

	if (!livesim_start(&ls, 5))
		return;
	memset(&r, 0, sizeof(r));
	r.r = fd_xcalloc(MAX_REC, sizeof(*r.r));
	c = client_for(&ls, NULL, &set, &cr);
	REQUIRE(c && fleet_groups(groups, names, 5) == 5);
	sim_faults("{\"service\":\"logs\",\"op\":\"StartLiveTail\",\"kind\":\"error\","
	           "\"status\":400,\"code\":\"AccessDeniedException\",\"message\":\"no\"}");
	for (i = 0; i < 3; i++)
		src[i] = (struct fd_follow_source){groups[i], names[i]};
	f = live_follow(c, src, 3, &r, 0);
	REQUIRE(f);
	run_for(c, f, 5000);
	fd_follow_stats(f, &st);
	CHECK_INT(r.fallback, 1); /* one session for the three groups */
	CHECK_CONTAINS(r.fallback_text, "AccessDeniedException");
	CHECK_INT(st.polling, 3);
	CHECK_INT(st.live_sessions, 0);
	CHECK(r.n > 0);
	fd_follow_free(f);
	aws_client_free(c);
	aws_creds_free(&cr);
	aws_settings_free(&set);
	free(r.r);
	livesim_stop(&ls);
}

TEST(follow_sim_live_tail_sampled)
{
	static char groups[5][128], names[5][64];
	struct fd_follow_source src[1];
	struct fd_follow_stats st;
	struct livesim ls = {0};
	struct aws_settings set;
	struct aws_creds cr;
	struct aws_client *c;
	struct fd_follow *f;
	struct run r;

	if (!livesim_start(&ls, 5))
		return;
	memset(&r, 0, sizeof(r));
	r.r = fd_xcalloc(MAX_REC, sizeof(*r.r));
	c = client_for(&ls, NULL, &set, &cr);
	REQUIRE(c && fleet_groups(groups, names, 5) == 5);
	CHECK_INT(fd_test_sim_control("POST", "livetail", "{\"rate_multiplier\":400}", NULL), 200);
	src[0] = (struct fd_follow_source){groups[0], names[0]}; /* the busiest function */
	f = live_follow(c, src, 1, &r, 0);
	REQUIRE(f);
	run_for(c, f, 4500);
	fd_follow_stats(f, &st);
	CHECK_INT(r.sampled, 1);  /* said once a minute, not every second */
	CHECK(st.duplicates > 0); /* the multiplied copies are one event */
	CHECK_INT(duplicates(&r), 0);
	fd_follow_free(f);
	aws_client_free(c);
	aws_creds_free(&cr);
	aws_settings_free(&set);
	free(r.r);
	livesim_stop(&ls);
}
