/* model_cells.c - the function table's columns (FD_FN_COLUMNS: json key, header,
 * type, width) and the cells of a row: the typed values that json, csv and the sort
 * use, and the dashboard's compact text ("1.2k", "45.3", "-" for no data), sanitized
 * and cut to the cell without splitting a UTF-8 sequence. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/sanitize.h"
#include "fleetdeck/util.h"
#include "model_int.h"

#define COL_TYPE_S 'S'
#define COL_TYPE_I 'I'
#define COL_TYPE_N 'N'

static const struct fd_fn_col_info col_info[FD_FC_COUNT] = {
#define FD_FC_INFO(id, json, header, type, width, right)                                           \
	[id] = {json, header, COL_TYPE_##type, width, right},
    FD_FN_COLUMNS(FD_FC_INFO)
#undef FD_FC_INFO
};

const struct fd_fn_col_info *
fd_fn_col_info(enum fd_fn_col c)
{
	return (unsigned)c < FD_FC_COUNT ? &col_info[c] : NULL;
}

int
fd_fn_col_find(const char *name)
{
	int i;

	for (i = 0; name && i < FD_FC_COUNT; i++)
		if (fd_str_case_eq(name, col_info[i].json) ||
		    fd_str_case_eq(name, col_info[i].header))
			return i;
	return -1;
}

const char *
fd_fn_row_str(const struct fd_fn_row *r, enum fd_fn_col c)
{
	switch (c) {
	case FD_FC_NAME:
		return r->fn->name;
	case FD_FC_RUNTIME:
		return r->fn->runtime;
	case FD_FC_LAST_MODIFIED:
		return r->fn->last_modified;
	default:
		return NULL;
	}
}

double
fd_fn_row_num(const struct fd_fn_row *r, enum fd_fn_col c)
{
	switch (c) {
	case FD_FC_MEMORY:
		return r->fn->memory_mb > 0 ? (double)r->fn->memory_mb : NAN;
	case FD_FC_TIMEOUT:
		return r->fn->timeout_s > 0 ? (double)r->fn->timeout_s : NAN;
	case FD_FC_INVOCATIONS:
		return r->invocations;
	case FD_FC_ERRORS:
		return r->errors;
	case FD_FC_ERROR_PCT:
		return r->error_pct;
	case FD_FC_THROTTLES:
		return r->throttles;
	case FD_FC_P50:
		return r->p50;
	case FD_FC_P99:
		return r->p99;
	case FD_FC_COLD_PCT:
		return r->cold_pct;
	case FD_FC_COST:
		return r->cost_usd_month;
	case FD_FC_CONCURRENCY:
		return r->concurrency;
	case FD_FC_RISKS:
		return (double)r->nrisks;
	default:
		return NAN;
	}
}

/* 999 -> "999", 1234 -> "1.2k", 1500000 -> "1.5M". */
static void
format_compact(double v, char *out, size_t n)
{
	double a = fabs(v);

	if (a < 999.5)
		snprintf(out, n, "%.0f", v);
	else if (a < 999.5e3)
		snprintf(out, n, a < 9.95e3 ? "%.1fk" : "%.0fk", v / 1e3);
	else if (a < 999.5e6)
		snprintf(out, n, a < 9.95e6 ? "%.1fM" : "%.0fM", v / 1e6);
	else
		snprintf(out, n, "%.1fG", v / 1e9);
}

static void
format_ms(double v, char *out, size_t n)
{
	if (v < 99.95)
		snprintf(out, n, "%.1f", v);
	else if (v < 999999.5)
		snprintf(out, n, "%.0f", v);
	else
		format_compact(v, out, n);
}

static void
cell_text(const struct fd_fn_row *r, enum fd_fn_col c, char *out, size_t n)
{
	const char *s = fd_fn_row_str(r, c);
	double v = fd_fn_row_num(r, c);

	if (c == FD_FC_NAME || c == FD_FC_RUNTIME || c == FD_FC_LAST_MODIFIED) {
		if (c == FD_FC_RUNTIME && !s && fd_str_eq(r->fn->package_type, "Image"))
			s = "image";
		snprintf(out, n, "%.*s", c == FD_FC_LAST_MODIFIED ? 10 : (int)n, s ? s : "-");
	} else if (isnan(v)) {
		snprintf(out, n, "-");
	} else if (c == FD_FC_ERROR_PCT || c == FD_FC_COLD_PCT) {
		snprintf(out, n, "%.1f", v);
	} else if (c == FD_FC_P50 || c == FD_FC_P99) {
		format_ms(v, out, n);
	} else if (c == FD_FC_COST) {
		model_format_usd(v, out, n);
	} else if (col_info[c].type == 'I') {
		snprintf(out, n, "%.0f", v);
	} else {
		format_compact(v, out, n);
	}
}

/* Bytes at the end of s that start a UTF-8 sequence cut short by truncation. */
static size_t
utf8_partial_tail(const char *s)
{
	size_t len = strlen(s), k = 0, need;
	unsigned char lead;

	while (k < len && k < 4 && ((unsigned char)s[len - 1 - k] & 0xC0) == 0x80)
		k++;
	if (k == len)
		return 0;
	lead = (unsigned char)s[len - 1 - k];
	if (lead < 0xC0)
		return 0;
	need = lead >= 0xF0 ? 4 : (lead >= 0xE0 ? 3 : 2);
	return k + 1 < need ? k + 1 : 0;
}

void
fd_fn_row_cell(const struct fd_fn_row *r, enum fd_fn_col c, char *out, size_t n)
{
	char raw[512];
	struct fd_buf b;

	if (!out || !n)
		return;
	out[0] = '\0';
	if (!r || !r->fn || (unsigned)c >= FD_FC_COUNT)
		return;
	cell_text(r, c, raw, sizeof(raw));
	fd_buf_init(&b);
	fd_sanitize(raw, strlen(raw), 0, &b);
	fd_strlcpy(out, b.data ? b.data : "", n);
	if (b.len >= n)
		out[strlen(out) - utf8_partial_tail(out)] = '\0';
	fd_buf_free(&b);
}
