/* test_tui_bench.c - the console's benchmark hook (FD_TUI_BENCH, src/tui_script.c): a
 * first-paint time, paced keys with due, start and painted times, and the peak RSS. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetdeck/app.h"
#include "fleetdeck/model.h"
#include "fleetdeck/tui.h"
#include "test.h"

static char *
write_file(const char *name, const char *text)
{
	char *path = fd_xasprintf("%s/%s", fd_test_tmpdir(), name);
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

struct records {
	long long first_paint, rss;
	long long due[8], start[8], end[8];
	size_t nkeys;
};

static void
read_records(const char *path, struct records *r)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long long a, b, c;
	size_t pending;

	memset(r, 0, sizeof(*r));
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "first_paint_ns %lld", &a) == 1)
			r->first_paint = a;
		else if (sscanf(line, "maxrss_kb %lld", &a) == 1)
			r->rss = a;
		else if (sscanf(line, "key %lld %lld %lld %zu", &a, &b, &c, &pending) == 4 &&
			 r->nkeys < 8) {
			r->due[r->nkeys] = a;
			r->start[r->nkeys] = b;
			r->end[r->nkeys++] = c;
		}
	}
	if (f)
		fclose(f);
}

TEST(tui_bench_records_paced_keys)
{
	char *script = write_file("bench.keys", "@pace 20\nj\nk\nj\n@pace 0\nG\n@quit\n");
	char *out = fd_xasprintf("%s/bench.rec", fd_test_tmpdir());
	struct fd_tui_opts o;
	struct fd_app app;
	struct fd_err err = {0};
	struct records r;
	size_t i;

	setlocale(LC_ALL, "C.UTF-8");
	memset(&app, 0, sizeof(app));
	memset(&o, 0, sizeof(o));
	fd_strlcpy(app.ctx.profile, "test", sizeof(app.ctx.profile));
	REQUIRE(fd_model_new(NULL, NULL, &app.ctx, &o.model, &err) == FD_OK);
	o.app = &app;
	o.headless = 1;
	o.cols = 80;
	o.rows = 24;
	o.script = script;
	o.save_dir = fd_test_tmpdir();
	setenv("FD_TUI_BENCH", out, 1);
	CHECK_INT(fd_tui_run(&o, &err), 0);
	unsetenv("FD_TUI_BENCH");
	read_records(out, &r);
	CHECK(r.first_paint > 0);
	CHECK(r.rss > 0);
	REQUIRE(r.nkeys == 4);
	CHECK(r.first_paint <= r.start[0]);
	for (i = 0; i < r.nkeys; i++)
		CHECK(r.due[i] <= r.start[i] && r.start[i] <= r.end[i]);
	/* paced keys are due 20 ms apart whenever the loop gets to them */
	CHECK_INT(r.due[1] - r.due[0], 20000000);
	CHECK_INT(r.due[2] - r.due[1], 20000000);
	CHECK(r.start[2] - r.start[0] >= 40000000);
	CHECK(r.due[3] == r.start[3]); /* unpaced: due when read */
	free(script);
	free(out);
}
