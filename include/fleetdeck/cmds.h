/* cmds.h - the run functions of the commands declared in src/commands.def. */
#ifndef FLEETDECK_CMDS_H
#define FLEETDECK_CMDS_H

#include <stdio.h>

#include "fleetdeck/app.h"

#define X(name, fn, usage, summary) int fn(struct fd_app *app, int argc, char **argv);
#include "../../src/commands.def"
#undef X

/* Parses "--output FMT" values: table, json, ndjson, csv, text. */
int fd_output_parse(const char *s, enum fd_output *out);

/* Global options (src/globals.c): removes them from argv wherever they appear
 * before "--"; returns the new argc, or -1 after printing a usage error. */
int fd_parse_globals(struct fd_app *app, int argc, char **argv);
void fd_globals_help(FILE *f);
const char *fd_global_opt_name(size_t i);

#endif
