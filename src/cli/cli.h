/* cli.h - the commands of the segc CLI that live in their own files. */
#ifndef SEGC_CLI_H
#define SEGC_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "segc.h"

/* --param NAME=VALUE, --lib-path DIR and --limit NAME=VALUE (rules.c) */
typedef struct cli_rules {
    const char **params;
    size_t nparams;
    const char **libs;
    size_t nlibs;
    char *env;              /* a copy of SEGC_PATH, split in place */
    char bundled[PATH_MAX]; /* the bundled stdlib folder, if found */
    segc_limits limits;     /* --limit NAME=VALUE (repeatable) */
} cli_rules;

/* Takes argv[*i] (and its value) when it is one of these options: returns
 * 1, and sets *err when it is malformed; 0 when it is not one of them. */
int cli_rules_option(cli_rules *r, int argc, char **argv, int *i, int *err);
/* Adds SEGC_PATH and the bundled library, and fills in o. 0: no memory. */
int cli_rules_finish(cli_rules *r, segc_compile_opts *o);
void cli_rules_free(cli_rules *r);

/* "segc CMD: " + fmt (with arg) + a pointer to --help, on stderr */
void cli_usage(const char *cmd, const char *fmt, const char *arg);
/* The value of option `name` (--name VALUE or --name=VALUE) at argv[*i],
 * advancing *i; NULL when argv[*i] is another option, or when the value is
 * missing (then *err is set and the usage error printed). */
const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i,
                          const char *name, int *err);

/* the context's diagnostics as a JSON array / a SARIF 2.1.0 log (report.c) */
void cli_report_json(const segc_ctx *ctx, FILE *out);
void cli_report_sarif(const segc_ctx *ctx, FILE *out);
void cli_json_string(FILE *out, const char *s);

extern const char gen_help[];
int cmd_gen(int argc, char **argv);
extern const char sql_help[];
int cmd_sql(int argc, char **argv);
extern const char explain_help[];
int cmd_explain(int argc, char **argv);
extern const char fmt_help[];
int cmd_fmt(int argc, char **argv);
extern const char pack_help[];
int cmd_pack(int argc, char **argv);
extern const char layout_help[];
int cmd_layout(int argc, char **argv);

/* --events LIST=CSV (events.c of the CLI): collected, then loaded after
 * the customers */
#define CLI_MAX_EVENTS 16
typedef struct cli_events {
    const char *list[CLI_MAX_EVENTS];
    const char *path[CLI_MAX_EVENTS];
    char name[CLI_MAX_EVENTS][128];
    int n;
} cli_events;
/* Adds one LIST=CSV; false after a usage error for command cmd. */
bool cli_events_add(cli_events *e, const char *cmd, const char *arg);
/* Loads each into data, reporting the counts of files with bad rows. */
segc_status cli_events_load(segc_ctx *ctx, segc_data *data,
                            const cli_events *e, const segc_load_opts *lopts);

#endif
