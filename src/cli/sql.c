/* sql.c - `segc sql`: the segments of a rule file as one SQL query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "segc.h"

const char sql_help[] =
    "usage: segc sql RULES --schema FILE --dialect DIALECT [options]\n"
    "       segc sql --schema FILE --dialect DIALECT --create-table\n"
    "\n"
    "Prints one SQL query that evaluates every segment of RULES over a table\n"
    "whose columns are the schema's fields: a row per customer with the key\n"
    "and one boolean column per segment (true only for members), or with\n"
    "--counts one row with the member count of each segment. The query has\n"
    "segc's semantics exactly (three-valued logic, exact money, calendar\n"
    "months); docs/sql.md lists the table encoding of every dialect and what\n"
    "a dialect cannot express, which is reported as an error.\n"
    "\n"
    "  --schema FILE      the customer schema (unless RULES declares it)\n"
    "  --dialect NAME     postgres, duckdb, sqlite, bigquery, spark or trino\n"
    "  --table NAME       the customers table (default customers); a dotted\n"
    "                     name (schema.table) is quoted part by part\n"
    "  --as-of WHEN       the evaluation instant written into the query:\n"
    "                     YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ;\n"
    "                     default: now\n"
    "  --counts           the member count of each segment instead of rows\n"
    "  --create-table     print a CREATE TABLE statement for the schema in\n"
    "                     the dialect's encoding instead (no RULES needed)\n"
    "  --param NAME=VALUE set a parameter of the rules (repeatable), as in\n"
    "                     --param dormant_after=120d\n"
    "  --lib-path DIR     look for imported libraries (import \"rfm\") in DIR\n"
    "                     first (repeatable); then SEGC_PATH (DIR:DIR...),\n"
    "                     then the bundled stdlib/\n"
    "  --limit NAME=VALUE change a resource limit (repeatable)\n"
    "\n"
    "Exit status: 0 success, 1 errors in the rules or constructs the dialect\n"
    "cannot express, 2 usage or I/O errors.\n";

static void usage(const char *fmt, const char *arg)
{
    cli_usage("sql", fmt, arg);
}

static const char *value(int argc, char **argv, int *i, const char *name,
                         int *err)
{
    return cli_opt_value("sql", argc, argv, i, name, err);
}

static int cmd_sql_args(int argc, char **argv, cli_rules *rl);

int cmd_sql(int argc, char **argv)
{
    cli_rules rl;
    memset(&rl, 0, sizeof rl);
    int code = cmd_sql_args(argc, argv, &rl);
    cli_rules_free(&rl);
    return code;
}

static int cmd_sql_args(int argc, char **argv, cli_rules *rl)
{
    const char *schema_path = NULL, *rules = NULL, *dialect = NULL;
    const char *table = NULL, *as_of_text = NULL;
    int counts = 0, create = 0, err = 0;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(sql_help, stdout);
            return 0;
        } else if (cli_rules_option(rl, argc, argv, &i, &err)) {
            if (err)
                return 2;
        } else if ((v = value(argc, argv, &i, "--schema", &err))) {
            schema_path = v;
        } else if ((v = value(argc, argv, &i, "--dialect", &err))) {
            dialect = v;
        } else if ((v = value(argc, argv, &i, "--table", &err))) {
            table = v;
        } else if ((v = value(argc, argv, &i, "--as-of", &err))) {
            as_of_text = v;
        } else if (strcmp(argv[i], "--counts") == 0) {
            counts = 1;
        } else if (strcmp(argv[i], "--create-table") == 0) {
            create = 1;
        } else if (err) {
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage("unknown option '%s'", argv[i]);
            return 2;
        } else if (!rules) {
            rules = argv[i];
        } else {
            usage("one rule file at a time; '%s' is a second", argv[i]);
            return 2;
        }
    }
    if (!dialect) {
        usage("%s", "no dialect given (--dialect postgres|duckdb|sqlite|"
                    "bigquery|spark|trino)");
        return 2;
    }
    segc_sql_opts o;
    memset(&o, 0, sizeof o);
    if (segc_sql_dialect_parse(dialect, &o.dialect) != 0) {
        usage("--dialect is postgres, duckdb, sqlite, bigquery, spark or "
              "trino, not '%s'", dialect);
        return 2;
    }
    if (table && (!*table || table[0] == '.' || table[strlen(table) - 1] == '.' ||
                  strstr(table, ".."))) {
        usage("bad --table '%s' (a name, or names joined by dots)", table);
        return 2;
    }
    o.table = table;
    o.counts = counts;
    if (as_of_text) {
        if (segc_parse_instant(as_of_text, &o.as_of, NULL) != 0) {
            usage("--as-of needs YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not '%s'",
                  as_of_text);
            return 2;
        }
    } else {
        o.as_of = (int64_t)time(NULL);
    }
    if (create && !schema_path && !rules) {
        usage("%s", "--create-table needs --schema FILE (or RULES)");
        return 2;
    }
    if (!create && !rules) {
        usage("%s", "no rule file given");
        return 2;
    }
    segc_compile_opts copts;
    memset(&copts, 0, sizeof copts);
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx || !cli_rules_finish(rl, &copts)) {
        segc_ctx_free(ctx);
        return 2;
    }
    segc_schema *sch = NULL;
    segc_program *p = NULL;
    segc_status st = SEGC_OK;
    if (schema_path)
        st = segc_schema_load(ctx, schema_path, &sch);
    if (st == SEGC_OK && rules)
        st = segc_compile_file(ctx, sch, rules, &copts, &p);
    if (st == SEGC_OK && create)
        st = segc_schema_sql_table(ctx, p ? segc_program_schema(p) : sch, &o,
                                   stdout);
    else if (st == SEGC_OK)
        st = segc_program_sql(ctx, p, &o, stdout);
    segc_diag_print_all(ctx, stderr);
    int code = st == SEGC_OK ? 0
               : st == SEGC_ERR_COMPILE || st == SEGC_ERR_DATA ? 1
                                                               : 2;
    if (code && rules && segc_diag_errors(ctx))
        fprintf(stderr, "%s: %zu error%s\n", rules, segc_diag_errors(ctx),
                segc_diag_errors(ctx) == 1 ? "" : "s");
    if (fflush(stdout) != 0)
        code = 2;
    segc_program_free(ctx, p);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    return code;
}
