/* follow_fmt.c - text of the follow engine's lines: banner sentences (built from the
 * kind and range when shown, so a UTC toggle applies to old banners too) and the
 * display forms of JSON lines. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fleetdeck/sanitize.h"
#include "follow_int.h"

static const char *const banner_names[] = {
#define FD_BANNER_NAME(id, name) name,
    FD_BANNER_LIST(FD_BANNER_NAME)
#undef FD_BANNER_NAME
};

const char *
fd_banner_name(enum fd_banner b)
{
	return (unsigned)b < FD_BANNER_COUNT ? banner_names[b] : "line";
}

static void
clock_text(int64_t ms, int utc, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(out, n, "%H:%M:%S", &tm);
}

void
fd_follow_banner_text(const struct fd_line *l, int utc, char *out, size_t n)
{
	char from[16], to[16];
	const char *d = l->text ? l->text : "";
	int dl = (int)FD_MIN(l->text_len, 512);

	clock_text(l->ts, utc, from, sizeof(from));
	clock_text(l->ts_to, utc, to, sizeof(to));
	switch (l->banner) {
	case FD_BANNER_GAP:
		snprintf(out, n, "gap: %s\xe2\x80\x93%s not fetched (%.*s): %s", from, to, dl, d,
		         l->function);
		break;
	case FD_BANNER_RESUMED:
		snprintf(out, n, "resumed: %s (%s\xe2\x80\x93%s fetched)", l->function, from, to);
		break;
	case FD_BANNER_SAMPLED:
		snprintf(out, n, "sampled by CloudWatch: %.*s", dl, d);
		break;
	case FD_BANNER_FALLBACK:
		snprintf(out, n, "live tail unavailable (%.*s): polling instead", dl, d);
		break;
	case FD_BANNER_LIVE:
		snprintf(out, n, "live tail: %.*s", dl, d);
		break;
	case FD_BANNER_OVERFLOW:
		snprintf(out, n, "ring full: %.*s", dl, d);
		break;
	default:
		snprintf(out, n, "%.*s", dl, d);
	}
}

void
fd_follow_format(const struct fd_line *l, int pretty, struct fd_buf *out)
{
	struct fd_buf tmp;
	int rc;

	if (!l->json || l->truncated) {
		fd_buf_append(out, l->text ? l->text : "", l->text_len);
		return;
	}
	fd_buf_init(&tmp);
	rc = pretty ? logs_json_pretty(l->text, l->text_len, &tmp)
	            : logs_json_compact(l->text, l->text_len, &tmp);
	if (rc == 0)
		fd_sanitize(tmp.data ? tmp.data : "", tmp.len, FD_SAN_KEEP_NEWLINE, out);
	else
		fd_buf_append(out, l->text ? l->text : "", l->text_len);
	fd_buf_free(&tmp);
}
