/* test_aws_sim.h - helpers for the tests that talk to the simulator: a client wired
 * to it through the environment, fault rules, stats, recorded requests, a whole fleet
 * (client + cache + model); and the risk-check fixtures' evaluation. */
#ifndef FLEETDECK_TEST_AWS_SIM_H
#define FLEETDECK_TEST_AWS_SIM_H

#include <cjson/cJSON.h>

#include "fleetdeck/aws.h"
#include "fleetdeck/awsconfig.h"
#include "fleetdeck/cache.h"
#include "fleetdeck/creds.h"
#include "fleetdeck/model.h"
#include "fleetdeck/risks.h"

#define SIM_KEY "AKIDSIMULATOR0000001"
#define SIM_SECRET "sim-secret-key-0000000000000000000000001"

struct sim {
	struct aws_settings s;
	struct aws_creds creds;
	struct aws_client *c;
};

/* Unsets every AWS_* variable the case inherited and points HOME at its temporary
 * directory (each case runs in its own process). */
void test_clear_aws_env(void);
/* Writes text to name in the case's temporary directory, its path in path[n]; 0 (case
 * failed) when it cannot. */
int test_write_tmp(const char *name, const char *text, char *path, size_t n);
/* AWS_* environment for endpoint, with no config files and static test keys. */
void sim_env(const char *endpoint);
/* A client for endpoint (NULL = the simulator, reset to no faults, no skew, zero stats);
 * 0 (case failed) when setup fails. */
int sim_open(struct sim *x, const char *endpoint, const struct aws_client_opts *opts);
void sim_close(struct sim *x);
/* POST /_sim/reset with reset_body, then a client (retry jitter seed 7); 0 when the
 * simulator is not there (quietly) or setup fails (case failed). */
int sim_open_reset(struct sim *x, const char *reset_body);
/* The number after "<key>": in GET /_sim/stats (requests["svc:Op"], or a top-level
 * counter), 0 when absent, -1 when the stats are unreadable. */
long sim_requests(const char *key);
/* Replaces the simulator's fault rules with the comma-separated JSON objects given. */
void sim_faults(const char *rules);
cJSON *sim_get(const char *path);
/* stats.<field>["svc:Op"], 0 when absent. */
int sim_stat(const char *field, const char *key);
const char *entry_header(const cJSON *entry, const char *name);
const char *entry_str(const cJSON *entry, const char *name);
/* Logs DescribeLogGroups {"limit":1}, synchronously. */
void describe_groups(struct sim *x, struct aws_response *resp);
int first_log_group(struct sim *x, char *out, size_t n);

/* A simulated fleet: a client, a cache file in the test directory and a model on them,
 * for the context default/123456789012/us-east-1. */
struct sim_fleet {
	struct sim sim;
	struct fd_cache *cache;
	struct fd_model *m;
	struct fd_ctx ctx;
	char path[512];
};

/* Resets the simulator with reset_body and opens the fleet, refreshed with the
 * FD_REFRESH_* bits of refresh when not 0; 0 when that fails. */
int sim_fleet_open(struct sim_fleet *x, const char *reset_body, unsigned refresh);
void sim_fleet_close(struct sim_fleet *x);
/* 1 when the model's risks include check for function fn. */
int model_has_risk(struct fd_model *m, const char *fn, const char *check);

/* The risk-check fixtures' clock: 2026-12-04T00:00:00Z. */
#define FX_NOW_S 1796342400LL
/* Runs every risk check on fn with facts at FX_NOW_S over an hour's window, keeping
 * the findings in *risks and *n (the previous ones freed); the finding of check, or NULL. */
const struct fd_risk *fx_risk_eval(const struct fd_function *fn,
                                   const struct fd_iam_facts *facts, struct fd_risk **risks,
                                   size_t *n, const char *check);

#endif
