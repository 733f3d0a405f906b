/* Lambda log line parser: every platform variant, app lines, Powertools JSON,
 * malformed input. */
#include <math.h>

#include "fleetdeck/logline.h"
#include "test.h"

#define RID "6f1d2c3b-aaaa-4bbb-8ccc-123456789abc"

static struct fd_logline L;

static void
parse(const char *s)
{
	fd_logline_parse(s, strlen(s), &L);
}

TEST(logline_report_text_cold_with_xray)
{
	fd_logline_init(&L);
	parse("REPORT RequestId: " RID "\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: "
	      "256 MB\tMax Memory Used: 71 MB\tInit Duration: 402.50 ms\t\nXRAY TraceId: "
	      "1-55e2e1f0-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t");
	CHECK_INT(L.kind, FD_LINE_REPORT);
	CHECK_STR(L.request_id, RID);
	CHECK(fabs(L.report.duration_ms - 12.34) < 1e-9);
	CHECK(fabs(L.report.billed_ms - 13) < 1e-9);
	CHECK(fabs(L.report.memory_mb - 256) < 1e-9);
	CHECK(fabs(L.report.max_memory_mb - 71) < 1e-9);
	CHECK(fabs(L.report.init_ms - 402.5) < 1e-9);
	CHECK(isnan(L.report.restore_ms));
	CHECK_STR(L.report.trace_id, "1-55e2e1f0-0123456789abcdef01234567");
	CHECK_STR(L.report.segment_id, "0123456789abcdef");
	CHECK_INT(L.report.sampled, 1);
	CHECK_STR(L.report.status, "success");
	fd_logline_free(&L);
}

TEST(logline_report_text_warm_snapstart_timeout)
{
	fd_logline_init(&L);
	parse("REPORT RequestId: " RID "\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory "
	      "Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout\t");
	CHECK_INT(L.kind, FD_LINE_REPORT);
	CHECK(isnan(L.report.init_ms));
	CHECK_STR(L.report.status, "timeout");
	parse("REPORT RequestId: " RID "\tDuration: 50.10 ms\tBilled Duration: 151 ms\tMemory Size: "
	      "512 MB\tMax Memory Used: 90 MB\tRestore Duration: 210.55 ms\tBilled Restore "
	      "Duration: 100 ms\t");
	CHECK(fabs(L.report.restore_ms - 210.55) < 1e-9);
	CHECK(fabs(L.report.billed_restore_ms - 100) < 1e-9);
	CHECK(isnan(L.report.init_ms));
	parse("REPORT RequestId: " RID "\tDuration: 9.00 ms\tBilled Duration: 10 ms\tMemory Size: "
	      "128 MB\tMax Memory Used: 40 MB\tStatus: error\tError Type: Runtime.ImportModuleError\t");
	CHECK_STR(L.report.status, "error");
	CHECK_STR(L.report.error_type, "Runtime.ImportModuleError");
	fd_logline_free(&L);
}

TEST(logline_start_end_init)
{
	fd_logline_init(&L);
	parse("START RequestId: " RID " Version: $LATEST\n");
	CHECK_INT(L.kind, FD_LINE_START);
	CHECK_STR(L.request_id, RID);
	CHECK_STR(L.version, "$LATEST");
	parse("END RequestId: " RID);
	CHECK_INT(L.kind, FD_LINE_END);
	parse("INIT_START Runtime Version: python:3.12.v40\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc");
	CHECK_INT(L.kind, FD_LINE_INIT_START);
	CHECK_STR(L.runtime_version, "python:3.12.v40");
	parse("INIT_REPORT Init Duration: 1234.56 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown");
	CHECK_INT(L.kind, FD_LINE_INIT_REPORT);
	CHECK(fabs(L.report.init_ms - 1234.56) < 1e-9);
	CHECK_STR(L.phase, "invoke");
	CHECK_STR(L.report.status, "error");
	fd_logline_free(&L);
}

TEST(logline_app_text_node_python_timeout)
{
	fd_logline_init(&L);
	parse("2015-08-30T12:36:00.123Z\t" RID "\tERROR\tboom: db unreachable");
	CHECK_INT(L.kind, FD_LINE_APP);
	CHECK_INT(L.level, FD_LVL_ERROR);
	CHECK_STR(L.request_id, RID);
	CHECK(L.msg_len == strlen("boom: db unreachable") && memcmp(L.msg, "boom", 4) == 0);
	parse("[WARNING]\t2015-08-30T12:36:00.123Z\t" RID "\tslow downstream");
	CHECK_INT(L.level, FD_LVL_WARN);
	CHECK_STR(L.request_id, RID);
	CHECK(L.msg_len == strlen("slow downstream"));
	parse("2015-08-30T12:36:03.000Z " RID " Task timed out after 3.00 seconds");
	CHECK_INT(L.kind, FD_LINE_TIMEOUT);
	CHECK_INT(L.level, FD_LVL_ERROR);
	parse("just some text");
	CHECK_INT(L.kind, FD_LINE_APP);
	CHECK_INT(L.level, FD_LVL_NONE);
	CHECK(L.msg_len == 14);
	fd_logline_free(&L);
}

TEST(logline_json_platform_records)
{
	fd_logline_init(&L);
	parse("{\"time\":\"2015-08-30T12:36:00.013Z\",\"type\":\"platform.report\",\"record\":{"
	      "\"requestId\":\"" RID "\",\"status\":\"success\",\"metrics\":{\"durationMs\":12.34,"
	      "\"billedDurationMs\":13,\"memorySizeMB\":256,\"maxMemoryUsedMB\":71,"
	      "\"initDurationMs\":402.5},\"tracing\":{\"type\":\"X-Amzn-Trace-Id\",\"value\":"
	      "\"Root=1-55e2e1f0-0123456789abcdef01234567;Parent=1;Sampled=1\"}}}");
	CHECK_INT(L.kind, FD_LINE_REPORT);
	CHECK(L.json);
	CHECK_STR(L.request_id, RID);
	CHECK(fabs(L.report.init_ms - 402.5) < 1e-9);
	CHECK_STR(L.report.trace_id, "1-55e2e1f0-0123456789abcdef01234567");
	CHECK_INT(L.report.sampled, 1);
	parse("{\"time\":\"x\",\"type\":\"platform.initStart\",\"record\":{\"initializationType\":"
	      "\"snap-start\",\"phase\":\"init\",\"runtimeVersion\":\"java:21.v20\"}}");
	CHECK_INT(L.kind, FD_LINE_INIT_START);
	CHECK_STR(L.init_type, "snap-start");
	parse("{\"type\":\"platform.report\",\"record\":{\"requestId\":\"" RID "\",\"status\":"
	      "\"timeout\",\"metrics\":{\"durationMs\":3000.0,\"restoreDurationMs\":120.5}}}");
	CHECK_STR(L.report.status, "timeout");
	CHECK_INT(L.level, FD_LVL_ERROR);
	CHECK(fabs(L.report.restore_ms - 120.5) < 1e-9);
	fd_logline_free(&L);
}

TEST(logline_powertools_json)
{
	fd_logline_init(&L);
	parse("{\"level\":\"ERROR\",\"location\":\"handler:12\",\"message\":\"charge failed\","
	      "\"timestamp\":\"2026-12-04 10:00:00,123+0000\",\"service\":\"payments\","
	      "\"cold_start\":true,\"function_request_id\":\"" RID "\",\"xray_trace_id\":"
	      "\"1-55e2e1f0-0123456789abcdef01234567\",\"correlation_id\":\"order-77\","
	      "\"exception\":\"ValueError: card declined\"}");
	CHECK_INT(L.kind, FD_LINE_APP);
	CHECK_INT(L.level, FD_LVL_ERROR);
	CHECK_STR(L.service, "payments");
	CHECK_INT(L.cold_start, 1);
	CHECK_STR(L.request_id, RID);
	CHECK_STR(L.correlation_id, "order-77");
	CHECK_STR(L.report.trace_id, "1-55e2e1f0-0123456789abcdef01234567");
	CHECK(L.msg_len > 0 && strncmp(L.msg, "charge failed | ValueError", 26) == 0);
	fd_logline_free(&L);
}

TEST(logline_malformed_never_crash)
{
	static const char *bad[] = {
		"{", "{\"type\":\"platform.report\",\"record\":5}", "{\"type\":7}",
		"REPORT RequestId: ", "REPORT RequestId: x\tDuration: abc ms",
		"START RequestId:", "{\"level\":{\"x\":1},\"message\":[1,2]}", "",
		"\t\t\t\t", "[]\t\t",
	};
	size_t i;

	fd_logline_init(&L);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse(bad[i]);
	parse("REPORT RequestId: x\tDuration: abc ms");
	CHECK(isnan(L.report.duration_ms));
	parse("{\"level\":{\"x\":1},\"message\":[1,2]}");
	CHECK(L.json);
	CHECK(L.msg_len == 5);
	fd_logline_free(&L);
}
