/* logline.h - understands one Lambda log event: platform records in text form
 * (START/END/REPORT/INIT_START/INIT_REPORT/XRAY, "Task timed out") and JSON form
 * (platform.start/report/initStart/initReport/runtimeDone), application lines
 * with their level and request id, and Powertools JSON fields. Pure and fuzzed;
 * malformed input yields FD_LINE_APP with whatever could be read, never a crash. */
#ifndef FLEETDECK_LOGLINE_H
#define FLEETDECK_LOGLINE_H

#include <stddef.h>

#include "fleetdeck/util.h"

#define FD_LEVEL_LIST(X)                                                                           \
	X(FD_LVL_NONE, "-")                                                                        \
	X(FD_LVL_TRACE, "TRACE")                                                                   \
	X(FD_LVL_DEBUG, "DEBUG")                                                                   \
	X(FD_LVL_INFO, "INFO")                                                                     \
	X(FD_LVL_WARN, "WARN")                                                                     \
	X(FD_LVL_ERROR, "ERROR")                                                                   \
	X(FD_LVL_FATAL, "FATAL")

enum fd_level {
#define FD_LVL_ENUM(id, name) id,
	FD_LEVEL_LIST(FD_LVL_ENUM)
#undef FD_LVL_ENUM
	FD_LVL_COUNT
};

const char *fd_level_name(enum fd_level l);
/* "warn", "WARNING", "err", "CRITICAL" ... -> level; FD_LVL_NONE when unknown. */
enum fd_level fd_level_parse(const char *s, size_t n);

enum fd_line_kind {
	FD_LINE_APP,          /* application output */
	FD_LINE_START,
	FD_LINE_END,
	FD_LINE_REPORT,
	FD_LINE_INIT_START,
	FD_LINE_INIT_REPORT,
	FD_LINE_RUNTIME_DONE,
	FD_LINE_TIMEOUT,      /* "Task timed out after N seconds" */
	FD_LINE_PLATFORM,     /* another platform.* record */
};

struct fd_report {
	double duration_ms;   /* NAN when absent (also for every field below) */
	double billed_ms;
	double init_ms;       /* cold start */
	double restore_ms;    /* SnapStart */
	double billed_restore_ms;
	double memory_mb;
	double max_memory_mb;
	char status[16];      /* "success", "error", "timeout", "failure" or "" */
	char error_type[96];
	char trace_id[48];    /* X-Ray root trace id */
	char segment_id[24];
	int sampled;          /* -1 unknown */
};

struct fd_logline {
	enum fd_line_kind kind;
	enum fd_level level;
	int json;             /* the event was a JSON object */
	char request_id[48];
	char version[40];     /* START Version / platform.start version */
	char init_type[32];   /* platform.initStart initializationType */
	char phase[16];       /* INIT_REPORT Phase: init|invoke */
	char runtime_version[80];
	struct fd_report report;
	/* Powertools / structured app logs */
	int cold_start;       /* 1, 0, or -1 unknown */
	char service[64];
	char correlation_id[96];
	/* the human message: points into the input line, or into msgbuf for JSON */
	const char *msg;
	size_t msg_len;
	struct fd_buf msgbuf; /* caller: fd_buf_init once, fd_buf_free at the end */
};

void fd_logline_init(struct fd_logline *l);
void fd_logline_free(struct fd_logline *l);
/* Parses one log event's text (may contain the REPORT + XRAY newline pair). */
void fd_logline_parse(const char *line, size_t len, struct fd_logline *out);

#endif
