/* cwmetrics_int.h - what the GetMetricData files share: aws/cwmetrics.c (request
 * bodies, the fetch jobs) and aws/cwmetrics_parse.c (answers into series). Nothing
 * outside aws/cwmetrics*.c includes it. */
#ifndef FLEETDECK_AWS_CWMETRICS_INT_H
#define FLEETDECK_AWS_CWMETRICS_INT_H

#include <stddef.h>

#include "fleetdeck/cwmetrics.h"

struct fd_proxy_metrics;

/* The series a query id is answered into; NULL for an id not asked for. */
typedef struct fd_series *(*series_find_fn)(const char *id, void *ctx);

/* The functions x metrics grid (ids "m<fn>_<metric>") and the proxies x queries one
 * (ids "p<proxy>_<query>"): find contexts for cw_grid_find and cw_proxy_find. */
struct cw_grid {
	struct fd_function_metrics *out;
	size_t n;
};

struct cw_proxy_grid {
	struct fd_proxy_metrics *out;
	size_t n;
};

/* cwmetrics.c: the points in the window (*n); -1 when it is invalid or has more than
 * one call may return. */
int cw_window_points(const struct cw_window *w, size_t *n);

/* cwmetrics_parse.c */
/* Makes s a NAN-filled series over w, unless it already is one (an earlier page). */
void cw_series_prepare(struct fd_series *s, const struct cw_window *w, size_t n);
/* One answer into the series find gives; *next: NextToken (malloc'd) or NULL. */
enum fd_status cw_parse_results(const char *json, size_t len, const struct cw_window *w,
                                series_find_fn find, void *ctx, char **next, struct fd_err *err);
struct fd_series *cw_grid_find(const char *id, void *ctx);
struct fd_series *cw_proxy_find(const char *id, void *ctx);

#endif
