/* rdsproxy.h - the RDS Proxy behind a function: its name (the first DNS label of the
 * endpoint the function's environment names, or the config's [rds_proxy] section),
 * the proxy's AWS/RDS metrics as plain series, and what a listing shows of them over
 * a window (latest, average, maximum). Fetched by aws/cwmetrics.c, cached by
 * cache/proxymetrics.c, held by the model (src/model_proxy.c). */
#ifndef FLEETDECK_RDSPROXY_H
#define FLEETDECK_RDSPROXY_H

#include <stddef.h>
#include <stdint.h>

#include "fleetdeck/fleet.h"
#include "fleetdeck/status.h"

/* AWS/RDS metrics with the ProxyName dimension, declared once.
 * X(id, CloudWatch metric name, json key, label, unit) */
#define FD_PROXY_METRIC_LIST(X)                                                                    \
	X(FD_PM_DB_CONNECTIONS, "DatabaseConnections", "database_connections",                    \
	  "db connections", "")                                                              \
	X(FD_PM_CLIENT_CONNECTIONS, "ClientConnections", "client_connections",                    \
	  "client connections", "")                                                                \
	X(FD_PM_QUERY_LATENCY, "QueryDatabaseResponseLatency", "query_latency_us",                \
	  "query latency", "us")                                                                   \
	X(FD_PM_PINNED, "DatabaseConnectionsCurrentlySessionPinned", "session_pinned",            \
	  "pinned connections", "")

enum fd_proxy_metric {
#define FD_PM_ENUM(id, name, json, label, unit) id,
	FD_PROXY_METRIC_LIST(FD_PM_ENUM)
#undef FD_PM_ENUM
	FD_PM_COUNT
};

struct fd_proxy_metric_info {
	const char *name;  /* CloudWatch MetricName */
	const char *json;  /* key in `fleetdeck function --output json` */
	const char *label;
	const char *unit;  /* "" for counts */
};
const struct fd_proxy_metric_info *fd_proxy_metric_info(enum fd_proxy_metric m);

/* Every metric is fetched with two statistics: query k is metric k / 2 with Average
 * (even k: latest and average) or Maximum (odd k: the maximum). */
#define FD_PQ_COUNT (FD_PM_COUNT * 2)
const char *fd_proxy_query_stat(size_t k);

struct fd_proxy_metrics {
	char *proxy;
	struct fd_series s[FD_PQ_COUNT];
	int64_t fetched_ms;
};
void fd_proxy_metrics_free(struct fd_proxy_metrics *m); /* members, not m */

/* One metric over [from_s, to_s): the newest average, the mean of the averages and
 * the highest maximum; NAN where there is no point. */
struct fd_proxy_stat {
	double latest, avg, max;
};
void fd_proxy_stat(const struct fd_proxy_metrics *m, enum fd_proxy_metric k, int64_t from_s,
		   int64_t to_s, struct fd_proxy_stat *out);

/* RDS Proxy names: 1-63 letters, digits and hyphens, a letter first, no "--" and no
 * trailing hyphen. */
int fd_rds_proxy_name_valid(const char *name);
/* The proxy named by a default endpoint ("NAME.proxy-XXXX.REGION.rds.amazonaws.com"),
 * malloc'd; NULL for custom endpoints ("EP.endpoint.proxy-...", whose first label is
 * the endpoint's name, not the proxy's) and anything else. */
char *fd_rds_proxy_name(const char *endpoint);

/* The [rds_proxy] section of fleetdeck's config file (the one with [keys], [mute]):
 *     [rds_proxy]
 *     orders-api = orders-db-proxy
 * maps a function (verbatim, case-sensitive) to the proxy it uses; it wins over the
 * name derived from the endpoint. */
struct fd_proxy_map {
	char *function;
	char *proxy;
	size_t line;
};
struct fd_proxy_config {
	struct fd_proxy_map *v;
	size_t n;
};
/* The whole file must be valid INI; in the section, a line without a proxy name, with
 * an invalid one, or naming a function twice is FD_EPARSE "FILE:LINE: ...". On error
 * *out is left empty. */
enum fd_status fd_proxy_config_parse(const char *text, size_t len, const char *fname,
				     struct fd_proxy_config *out, struct fd_err *err);
/* A missing file is FD_OK with no entries. */
enum fd_status fd_proxy_config_load(const char *path, struct fd_proxy_config *out,
				    struct fd_err *err);
void fd_proxy_config_free(struct fd_proxy_config *c);
const char *fd_proxy_config_find(const struct fd_proxy_config *c, const char *function);
/* The proxy of fn: the config's entry, else derived from fn->rds_proxy_endpoint;
 * malloc'd, NULL when none. *configured says which. */
char *fd_proxy_for_function(const struct fd_proxy_config *c, const struct fd_function *fn,
			    int *configured);

#endif
