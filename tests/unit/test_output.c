/* Headless output: stable json/ndjson/csv shapes, tables that fit, sanitized text. */
#include <math.h>
#include <stdlib.h>

#include "fleetdeck/output.h"
#include "test.h"

static const struct fd_col cols[] = {
	{"name", "NAME", FD_COL_STR, 0, 0, 0},
	{"memory_mb", "MEM", FD_COL_INT, 5, 1, 0},
	{"p99_ms", "P99", FD_COL_NUM, 6, 1, 1},
	{"async", "ASYNC", FD_COL_BOOL, 0, 0, 0},
};

static char *
render(enum fd_output fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct fd_out *o = fd_out_begin(f, fmt, cols, 4);
	struct fd_cell a[] = {fd_cell_str("orders-api"), fd_cell_int(256, 1), fd_cell_num(12.25),
			      fd_cell_int(1, 1)};
	struct fd_cell b[] = {fd_cell_str("evil\x1b]52;c;x\x07,\"q\""), fd_cell_int(0, 0),
			      fd_cell_num(NAN), fd_cell_int(0, 1)};

	fd_out_row(o, a);
	fd_out_row(o, b);
	fd_out_end(o);
	fclose(f);
	return text;
}

TEST(output_json_shape)
{
	char *s = render(FD_OUT_JSON);

	CHECK_STR(s, "[{\"name\":\"orders-api\",\"memory_mb\":256,\"p99_ms\":12.2,\"async\":true},"
		     "{\"name\":\"evil^[]52;c;x^G,\\\"q\\\"\",\"memory_mb\":null,\"p99_ms\":null,"
		     "\"async\":false}]\n");
	free(s);
}

TEST(output_ndjson_one_object_per_line)
{
	char *s = render(FD_OUT_NDJSON);
	int lines = 0;
	const char *p;

	for (p = s; *p; p++)
		lines += *p == '\n';
	CHECK_INT(lines, 2);
	CHECK(s[0] == '{');
	free(s);
}

TEST(output_csv_quotes_and_sanitizes)
{
	char *s = render(FD_OUT_CSV);

	CHECK_STR(s, "name,memory_mb,p99_ms,async\n"
		     "orders-api,256,12.2,yes\n"
		     "\"evil^[]52;c;x^G,\"\"q\"\"\",-,-,no\n");
	free(s);
}

TEST(output_table_aligned_and_truncated)
{
	char *s;

	setenv("COLUMNS", "30", 1);
	s = render(FD_OUT_TABLE);
	CHECK_CONTAINS(s, "NAME");
	CHECK_CONTAINS(s, "  256");
	CHECK_CONTAINS(s, "\xE2\x80\xA6"); /* the long name was cut to fit 30 columns */
	CHECK(strchr(s, 0x1b) == NULL);
	free(s);
}

TEST(output_track_and_sanitized_text)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	REQUIRE(f != NULL);
	fd_put_track(f, 2, 3, 8);
	fd_put_track(f, 0, 0, 2);
	fd_put_sanitized(f, " a\033]52;c;eA==\007b");
	fclose(f);
	CHECK_STR(text, "|  ===   ||  | a^[]52;c;eA==^Gb"); /* ESC and BEL shown, not sent */
	free(text);
}
