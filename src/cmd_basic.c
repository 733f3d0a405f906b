/* cmd_basic.c - help, version, whoami and doctor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fleetdeck/app.h"
#include "fleetdeck/cmds.h"
#include "fleetdeck/costs.h"
#include "fleetdeck/endpoint.h"
#include "fleetdeck/keymap.h"
#include "fleetdeck/output.h"
#include "fleetdeck/sanitize.h"
#include "fleetdeck/sigv4.h"
#include "fleetdeck/sts.h"

int
cmd_version(struct fd_app *app, int argc, char **argv)
{
	(void)app;
	(void)argv;
	if (argc > 1)
		return fd_cmd_usage(fd_cmd_find("version", NULL), "version takes no arguments");
	printf("fleetdeck %s\n", FD_VERSION);
	return 0;
}

int
cmd_help(struct fd_app *app, int argc, char **argv)
{
	const struct fd_cmd *c;
	struct fd_err err = {0};
	size_t i;

	(void)app;
	if (argc > 1 && strcmp(argv[1], "keys") == 0) {
		fd_keymap_print(stdout);
		return 0;
	}
	if (argc > 1) {
		c = fd_cmd_find(argv[1], &err);
		if (!c)
			return fd_cmd_fail(&err);
		printf("usage: fleetdeck %s\n\n%s\n", c->usage, c->summary);
		return 0;
	}
	printf("fleetdeck %s - terminal operations console for AWS Lambda fleets\n\n"
	       "usage: fleetdeck [GLOBAL OPTIONS] [COMMAND [OPTIONS]]\n"
	       "       (no command opens the console)\n\ncommands:\n",
	       FD_VERSION);
	for (i = 0; (c = fd_cmd_at(i)) != NULL; i++)
		printf("  %-12s %s\n", c->name, c->summary);
	printf("\nglobal options:\n");
	fd_globals_help(stdout);
	printf("\n\"fleetdeck help COMMAND\" shows one command; \"man fleetdeck\" has it all.\n");
	return 0;
}

static int
no_args(const char *name, int argc)
{
	if (argc > 1)
		return fd_cmd_usage(fd_cmd_find(name, NULL), "%s takes no arguments", name);
	return 0;
}

static void
print_expiry(FILE *f, time_t exp)
{
	char iso[21];

	if (!exp) {
		fputs("does not expire", f);
		return;
	}
	fd_format_iso8601(exp, iso);
	fprintf(f, "%s (in %ld min)", iso, (long)(exp - fd_wall_now()) / 60);
}

int
cmd_whoami(struct fd_app *app, int argc, char **argv)
{
	const struct fd_col cols[] = {
		{"account", "ACCOUNT", FD_COL_STR, 0, 0, 0},
		{"arn", "ARN", FD_COL_STR, 0, 0, 0},
		{"user_id", "USER ID", FD_COL_STR, 0, 0, 0},
		{"profile", "PROFILE", FD_COL_STR, 0, 0, 0},
		{"region", "REGION", FD_COL_STR, 0, 0, 0},
		{"credential_source", "CREDENTIALS", FD_COL_STR, 0, 0, 0},
	};
	struct fd_err err = {0};
	struct sts_identity id;
	struct aws_error aerr;
	int rc = no_args("whoami", argc);

	(void)argv;
	if (rc)
		return rc;
	if (fd_app_client(app, &err) != FD_OK)
		return fd_cmd_fail(&err);
	if (sts_get_caller_identity(app->client, &id, &aerr) != FD_OK) {
		aws_error_format(&aerr, err.msg, sizeof(err.msg));
		err.status = aerr.status;
		return fd_cmd_fail(&err);
	}
	if (app->output == FD_OUT_DEFAULT || app->output == FD_OUT_TEXT) {
		char *arn = fd_sanitize_dup(id.arn), *uid = fd_sanitize_dup(id.user_id);
		printf("account      %s\narn          %s\nuser id      %s\n", id.account, arn, uid);
		printf("profile      %s (from %s)\nregion       %s (from %s)\n",
		       app->settings.profile, app->settings.profile_source, app->settings.region,
		       app->settings.region_source);
		printf("credentials  %s, ", app->creds.source);
		print_expiry(stdout, app->creds.expiration);
		putchar('\n');
		free(arn);
		free(uid);
		return 0;
	}
	{
		struct fd_out *o = fd_out_begin(stdout, app->output, cols, FD_ARRAY_LEN(cols));
		struct fd_cell cells[] = {
			fd_cell_str(id.account),	     fd_cell_str(id.arn),
			fd_cell_str(id.user_id),	     fd_cell_str(app->settings.profile),
			fd_cell_str(app->settings.region), fd_cell_str(app->creds.source),
		};
		fd_out_row(o, cells);
		fd_out_end(o);
	}
	return 0;
}

/* doctor: one line per check; the exit status is 1 when any check failed. */
struct doctor {
	int failed;
	int json;
	int first;
};

static void
check_line(struct doctor *d, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
check_line(struct doctor *d, const char *name, int ok, const char *fmt, ...)
{
	char detail[1024];
	char *clean;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (ok < 0)
		ok = 1; /* informational */
	else if (!ok)
		d->failed = 1;
	clean = fd_sanitize_dup(detail);
	if (d->json) {
		printf("%s{\"check\":", d->first ? "" : ",");
		fd_json_put_string(stdout, name);
		printf(",\"ok\":%s,\"detail\":", ok ? "true" : "false");
		fd_json_put_string(stdout, clean);
		putchar('}');
	} else {
		printf("%-4s %-16s %s\n", ok ? "ok" : "FAIL", name, clean);
	}
	d->first = 0;
	free(clean);
}

static void
doctor_endpoints(struct doctor *d, struct fd_app *app)
{
	static const enum aws_service_id svcs[] = {AWS_SVC_LAMBDA, AWS_SVC_LOGS,
						   AWS_SVC_MONITORING, AWS_SVC_XRAY, AWS_SVC_SQS,
						   AWS_SVC_STS};
	struct aws_endpoint ep;
	struct fd_err err = {0};
	size_t i;

	for (i = 0; i < FD_ARRAY_LEN(svcs); i++) {
		const struct aws_service *s = aws_service_get(svcs[i]);
		char name[48];
		snprintf(name, sizeof(name), "endpoint %s", s->endpoint_prefix);
		if (aws_endpoint_resolve(&app->settings, svcs[i], NULL, &ep, &err) == FD_OK)
			check_line(d, name, -1, "%s (%s)", ep.url, ep.source);
		else
			check_line(d, name, 0, "%s", err.msg);
	}
}

/* Calls STS directly (not through sts_get_caller_identity) to read the server's
 * Date header and report clock skew. */
static void
doctor_identity(struct doctor *d, struct fd_app *app)
{
	struct aws_request req;
	struct aws_response resp;
	struct sts_identity id;
	struct fd_err err = {0};
	const char *date;
	char msg[768];

	aws_request_init(&req, AWS_SVC_STS, "GetCallerIdentity");
	aws_request_form(&req, NULL, NULL);
	if (aws_call_sync(app->client, &req, &resp) != FD_OK) {
		aws_error_format(&resp.error, msg, sizeof(msg));
		check_line(d, "identity", 0, "%s", msg);
		aws_response_free(&resp);
		return;
	}
	if (sts_parse_identity(resp.body.data, resp.body.len, &id, &err) == FD_OK)
		check_line(d, "identity", 1, "account %s, %s", id.account, id.arn);
	else
		check_line(d, "identity", 0, "%s", err.msg);
	date = aws_response_header(&resp, "Date");
	if (date) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
			long skew = (long)(timegm(&tm) - time(NULL));
			check_line(d, "clock skew", labs(skew) < 300, "%+ld s against the server%s",
				   skew, labs(skew) < 300 ? "" : " (over 5 min: signatures fail)");
		}
	}
	aws_response_free(&resp);
}

static void
doctor_cache(struct doctor *d, struct fd_app *app)
{
	struct fd_err err = {0};
	struct fd_function *fns = NULL;
	size_t n = 0;
	int64_t oldest = 0;
	double per_hour;

	if (fd_app_cache(app, &err) != FD_OK) {
		check_line(d, "cache", 0, "%s", err.msg);
		return;
	}
	check_line(d, "cache", 1, "%s (schema %d)",
		   app->cache_path ? app->cache_path : "default location",
		   fd_cache_schema_version(app->cache));
	check_line(d, "cache integrity", fd_cache_check(app->cache, NULL, &err) == FD_OK, "%s",
		   err.status == FD_OK ? "quick_check passed" : err.msg);
	if (!app->settings.region || !app->ctx.account[0])
		return;
	if (fd_cache_get_functions(app->cache, &app->ctx, &fns, &n, &oldest, &err) != FD_OK)
		return;
	/* The dashboard refreshes metrics once a minute: FD_M_COUNT metrics per function. */
	per_hour = fd_cost_gmd_usd_hour((double)n * FD_M_COUNT, 60);
	check_line(d, "metrics cost", -1,
		   "%zu cached functions x %d metrics, refreshed every 60 s: about $%.2f/hour "
		   "of GetMetricData ($0.01 per 1,000 metrics)",
		   n, (int)FD_M_COUNT, per_hour);
	fd_functions_free(fns, n);
}

int
cmd_doctor(struct fd_app *app, int argc, char **argv)
{
	struct doctor d = {0, 0, 1};
	struct fd_err err = {0};
	int rc = no_args("doctor", argc);

	(void)argv;
	if (rc)
		return rc;
	d.json = app->output == FD_OUT_JSON || app->output == FD_OUT_NDJSON;
	if (d.json)
		putchar('[');
	if (fd_app_settings(app, &err) != FD_OK) {
		check_line(&d, "configuration", 0, "%s", err.msg);
		goto out;
	}
	check_line(&d, "config files", -1, "%s%s, %s%s", app->settings.config_path,
		   app->settings.config ? "" : " (absent)", app->settings.credentials_path,
		   app->settings.credentials ? "" : " (absent)");
	check_line(&d, "profile", 1, "%s (from %s)%s%s", app->settings.profile,
		   app->settings.profile_source, app->settings.read_only ? ", read-only" : "",
		   app->settings.prod ? ", production" : "");
	check_line(&d, "region", app->settings.region != NULL, "%s%s%s",
		   app->settings.region ? app->settings.region : "none configured",
		   app->settings.region ? " from " : "",
		   app->settings.region ? app->settings.region_source : "");
	if (app->settings.region)
		doctor_endpoints(&d, app);
	if (fd_app_creds(app, &err) != FD_OK) {
		check_line(&d, "credentials", 0, "%s", err.msg);
		goto cache;
	}
	check_line(&d, "credentials", !aws_creds_expiring(&app->creds, fd_wall_now(), 0),
		   "%s, %s", app->creds.source,
		   app->creds.expiration ? "temporary" : "long-term keys");
	if (fd_app_client(app, &err) != FD_OK)
		check_line(&d, "client", 0, "%s", err.msg);
	else
		doctor_identity(&d, app);
	(void)fd_app_context(app, &err);
cache:
	doctor_cache(&d, app);
out:
	if (d.json)
		puts("]");
	return d.failed ? 1 : 0;
}
