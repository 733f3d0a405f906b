/* cmd_invocation_print.c - what `fleetdeck invocation REQUEST_ID` prints of one
 * invocation's timeline: json (the record's fields, its phases, its log lines, the
 * SQS message that carried it and its X-Ray waterfall as one object, null where a
 * value is unknown) or text (the record, a bar per phase and per trace segment on a
 * shared scale, the log lines). Remote text goes through the sanitizer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fleetdeck/invocations.h"
#include "fleetdeck/output.h"
#include "fleetdeck/util.h"
#include "fleetdeck/xray.h"
#include "cmd_invocations_int.h"

#define TRACK 48 /* columns of the text timeline's bars */

void
invocation_time_text(int64_t ms, char *out, size_t n)
{
	char iso[21];

	if (!ms) {
		fd_strlcpy(out, "", n);
		return;
	}
	fd_format_iso8601((time_t)(ms / 1000), iso);
	snprintf(out, n, "%.19s.%03dZ", iso, (int)(ms % 1000));
}

static void
json_num(FILE *out, const char *key, double v, int comma)
{
	fprintf(out, "\"%s\":", key);
	if (isnan(v))
		fputs("null", out);
	else
		fprintf(out, "%.17g", v);
	if (comma)
		fputc(',', out);
}

static void
json_str(FILE *out, const char *key, const char *v, int comma)
{
	fprintf(out, "\"%s\":", key);
	if (v && *v)
		fd_json_put_string(out, v);
	else
		fputs("null", out);
	if (comma)
		fputc(',', out);
}

static double
ms_or_nan(int64_t ms)
{
	return ms ? (double)ms : NAN;
}

static void
json_record(FILE *out, const struct fd_invocation *r)
{
	const struct {
		const char *key, *v;
	} str[] = {{"request_id", r->request_id},
	           {"function", r->function},
	           {"version", r->version},
	           {"alias", r->alias},
	           {"log_stream", r->log_stream},
	           {"status", fd_inv_status_name(r->status)},
	           {"init_type", r->init_type},
	           {"error_type", r->error_type},
	           {"runtime_version", r->runtime_version}};
	const struct {
		const char *key;
		double v;
	} num[] = {{"start_ms", ms_or_nan(r->start_ms)},
	           {"end_ms", ms_or_nan(r->end_ms)},
	           {"init_start_ms", ms_or_nan(r->init_start_ms)},
	           {"duration_ms", r->duration_ms},
	           {"billed_ms", r->billed_ms},
	           {"memory_mb", r->memory_mb},
	           {"max_memory_mb", r->max_memory_mb},
	           {"init_ms", r->init_ms},
	           {"restore_ms", r->restore_ms}};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(str); i++)
		json_str(out, str[i].key, str[i].v, 1);
	for (i = 0; i < FD_ARRAY_LEN(num); i++)
		json_num(out, num[i].key, num[i].v, 1);
	fprintf(out, "\"cold\":%s,", fd_invocation_cold(r) ? "true" : "false");
	json_str(out, "trace_id", r->trace_id, 0);
}

void
invocation_print_json(FILE *out, const struct fd_timeline *t)
{
	struct fd_tl_phase ph[4];
	struct fd_wf_row rows[64];
	size_t n = fd_timeline_phases(t, ph, 4), i;
	double total, off = fd_timeline_trace_offset(t);

	fputc('{', out);
	json_record(out, &t->inv);
	fputs(",\"phases\":[", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s{", i ? "," : "");
		json_str(out, "phase", ph[i].name, 1);
		json_num(out, "offset_ms", ph[i].offset_ms, 1);
		json_num(out, "duration_ms", ph[i].duration_ms, 0);
		fputc('}', out);
	}
	fputs("],\"lines\":[", out);
	for (i = 0; i < t->nlines; i++) {
		fprintf(out, "%s{", i ? "," : "");
		json_num(out, "ts_ms", (double)t->lines[i].ts_ms, 1);
		fprintf(out, "\"error\":%s,", t->lines[i].error ? "true" : "false");
		json_str(out, "text", t->lines[i].text, 0);
		fputc('}', out);
	}
	fputs("],", out);
	json_str(out, "sqs_message_id", t->sqs_message_id, 1);
	json_str(out, "sqs_source", t->sqs_source, 1);
	fputs("\"trace\":[", out);
	n = t->trace ? fd_trace_waterfall(t->trace, rows, FD_ARRAY_LEN(rows), &total) : 0;
	for (i = 0; i < n; i++) {
		fprintf(out, "%s{", i ? "," : "");
		fprintf(out, "\"depth\":%d,", rows[i].depth);
		json_num(out, "offset_ms", rows[i].offset_ms + off, 1);
		json_num(out, "duration_ms", rows[i].duration_ms, 1);
		fprintf(out, "\"error\":%s,\"fault\":%s,", rows[i].error ? "true" : "false",
		        rows[i].fault ? "true" : "false");
		json_str(out, "label", rows[i].label, 0);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

static void
bar(FILE *out, double offset, double dur, double total)
{
	struct fd_wf_row r;
	int col, len;

	memset(&r, 0, sizeof(r));
	r.offset_ms = offset;
	r.duration_ms = dur;
	fd_wf_bar(&r, total, TRACK, &col, &len);
	fd_put_track(out, col, len, TRACK);
}

static void
text_header(FILE *out, const struct fd_invocation *r)
{
	char start[40], end[40];

	invocation_time_text(r->start_ms, start, sizeof(start));
	invocation_time_text(r->end_ms, end, sizeof(end));
	fprintf(out, "request   %s\nfunction  ", r->request_id);
	fd_put_sanitized(out, r->function);
	fprintf(out, "  version %s%s%s%s\n", r->version[0] ? r->version : "?",
	        r->alias[0] ? " (alias " : "", r->alias, r->alias[0] ? ")" : "");
	fprintf(out, "status    %s", fd_inv_status_name(r->status));
	if (r->error_type[0]) {
		fputs(" (", out);
		fd_put_sanitized(out, r->error_type);
		fputc(')', out);
	}
	fprintf(out, "\nstart     %s\nend       %s\n", start, end[0] ? end : "(running)");
	fprintf(out, "duration  %.2f ms (billed %.0f ms)   memory %.0f of %.0f MB\n",
	        r->duration_ms, r->billed_ms, r->max_memory_mb, r->memory_mb);
	if (!isnan(r->init_ms))
		fprintf(out, "cold      INIT %.2f ms (%s)\n", r->init_ms,
		        r->init_type[0] ? r->init_type : "on-demand");
	else if (!isnan(r->restore_ms))
		fprintf(out, "cold      SnapStart restore %.2f ms\n", r->restore_ms);
	if (r->trace_id[0])
		fprintf(out, "trace     %s\n", r->trace_id);
}

static double
timeline_span(const struct fd_timeline *t, const struct fd_tl_phase *ph, size_t n)
{
	double span = n ? ph[n - 1].offset_ms + ph[n - 1].duration_ms : 0, total;
	double off = fd_timeline_trace_offset(t);
	struct fd_wf_row row;

	if (t->trace && fd_trace_waterfall(t->trace, &row, 1, &total) && !isnan(off))
		span = FD_MAX(span, off + total);
	return span > 0 ? span : 1;
}

static void
text_trace(FILE *out, const struct fd_timeline *t, double span)
{
	struct fd_wf_row rows[256];
	double total, off = fd_timeline_trace_offset(t);
	size_t n = fd_trace_waterfall(t->trace, rows, FD_ARRAY_LEN(rows), &total), i;

	fprintf(out, "\ntrace %s (%zu segments, %.1f ms)\n", t->trace->id, t->trace->n, total);
	for (i = 0; i < n; i++) {
		char label[200];
		snprintf(label, sizeof(label), "%*s%s", rows[i].depth * 2, "", rows[i].label);
		fputs("  ", out);
		bar(out, rows[i].offset_ms + off, rows[i].duration_ms, span);
		fprintf(out, " %9.1f ms %s ", rows[i].duration_ms,
		        rows[i].fault      ? "FAULT"
		        : rows[i].throttle ? "THROT"
		        : rows[i].error    ? "ERROR"
		                           : "     ");
		fd_put_sanitized(out, label);
		fputc('\n', out);
	}
}

void
invocation_print_text(FILE *out, const struct fd_timeline *t)
{
	struct fd_tl_phase ph[4];
	size_t n = fd_timeline_phases(t, ph, 4), i;
	double span = timeline_span(t, ph, n);
	char when[40];

	text_header(out, &t->inv);
	if (t->sqs_message_id[0]) {
		fputs("sqs       message ", out);
		fd_put_sanitized(out, t->sqs_message_id);
		if (t->sqs_source[0]) {
			fputs(" from ", out);
			fd_put_sanitized(out, t->sqs_source);
		}
		fputc('\n', out);
	}
	fprintf(out, "\ntimeline (ms from %s)\n",
	        n && ph[0].kind != FD_TL_INVOKE ? "INIT start" : "invoke start");
	for (i = 0; i < n; i++) {
		fprintf(out, "  ");
		bar(out, ph[i].offset_ms, ph[i].kind == FD_TL_END ? 0 : ph[i].duration_ms, span);
		fprintf(out, " %9.1f ms %s at %.1f\n", ph[i].duration_ms, ph[i].name,
		        ph[i].offset_ms);
	}
	if (t->trace)
		text_trace(out, t, span);
	fprintf(out, "\nlog lines (%zu)\n", t->nlines);
	for (i = 0; i < t->nlines; i++) {
		invocation_time_text(t->lines[i].ts_ms, when, sizeof(when));
		fprintf(out, "  %s %s ", when + 11, t->lines[i].error ? "!" : " ");
		fd_put_sanitized(out, t->lines[i].text);
		fputc('\n', out);
	}
}
