/* explain.c - `segc explain`: why a customer is, or is not, in each
 * segment (docs/cli.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "segc.h"

const char explain_help[] =
    "usage: segc explain RULES --schema FILE --data FILE.csv --key KEY "
    "[options]\n"
    "\n"
    "Shows, for one customer, every segment and classification of RULES\n"
    "with whether the customer is in it, and why: the tree of each\n"
    "condition as written, every part with its value (true, false or null)\n"
    "and the values it read (fields, named values, parameters, statistics\n"
    "of all customers, scores, the cut-off dates of ages). A classification\n"
    "shows the tier that matched first.\n"
    "\n"
    "  --schema FILE         the customer schema (unless RULES declares it)\n"
    "  --data FILE           customers: CSV with a header row, or a packed\n"
    "                        file from segc pack; statistics are computed\n"
    "                        over all of them\n"
    "  --key KEY             the customer's key (repeatable: one explanation\n"
    "                        per key, in the order given)\n"
    "  --as-of WHEN          the evaluation instant: YYYY-MM-DD (midnight\n"
    "                        UTC) or YYYY-MM-DDTHH:MM:SSZ; default: now\n"
    "  --segment NAME        only this segment or classification (repeatable;\n"
    "                        a tier, as in engagement.Warm, shows its\n"
    "                        classification)\n"
    "  --expand              write out the conditions of segments used in\n"
    "                        conditions, not only their membership\n"
    "  --format text|json    the output (default: text); json is one object\n"
    "                        per line and key\n"
    "  --events LIST=CSV     the events of event list LIST (repeatable)\n"
    "  --skip-bad-rows       load the good rows of a file with bad ones\n"
    "  --param NAME=VALUE    set a parameter of the rules (repeatable)\n"
    "  --lib-path DIR        look for imported libraries in DIR first\n"
    "                        (repeatable; then SEGC_PATH, then stdlib/)\n"
    "  --limit NAME=VALUE    change a resource limit (repeatable)\n"
    "\n"
    "Exit status: 0 success, 1 errors in the rules or the data or a key that\n"
    "no customer has, 2 usage or I/O errors.\n";

static void usage(const char *fmt, const char *arg)
{
    cli_usage("explain", fmt, arg);
}

static const char *value(int argc, char **argv, int *i, const char *name,
                         int *err)
{
    return cli_opt_value("explain", argc, argv, i, name, err);
}

static int exit_of(segc_status st)
{
    return st == SEGC_OK                                      ? 0
           : st == SEGC_ERR_COMPILE || st == SEGC_ERR_DATA ? 1
                                                          : 2;
}

typedef struct args {
    const char *schema, *data, *rules, *as_of;
    const char **keys, **segments;
    int nkeys, nsegments;
    int json, expand, skip_bad_rows;
    cli_events evs;
} args;

/* 0: parsed; otherwise the exit status */
static int parse(int argc, char **argv, args *a, cli_rules *rl)
{
    int err = 0;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(explain_help, stdout);
            return -1;
        } else if (cli_rules_option(rl, argc, argv, &i, &err) && !err) {
            continue;
        } else if ((v = value(argc, argv, &i, "--schema", &err))) {
            a->schema = v;
        } else if ((v = value(argc, argv, &i, "--data", &err))) {
            a->data = v;
        } else if ((v = value(argc, argv, &i, "--events", &err))) {
            if (!cli_events_add(&a->evs, "explain", v))
                return 2;
        } else if ((v = value(argc, argv, &i, "--key", &err))) {
            a->keys[a->nkeys++] = v;
        } else if ((v = value(argc, argv, &i, "--as-of", &err))) {
            a->as_of = v;
        } else if ((v = value(argc, argv, &i, "--segment", &err))) {
            a->segments[a->nsegments++] = v;
        } else if ((v = value(argc, argv, &i, "--format", &err))) {
            if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0) {
                usage("--format is text or json, not '%s'", v);
                return 2;
            }
            a->json = strcmp(v, "json") == 0;
        } else if (strcmp(argv[i], "--expand") == 0) {
            a->expand = 1;
        } else if (strcmp(argv[i], "--skip-bad-rows") == 0) {
            a->skip_bad_rows = 1;
        } else if (err) {
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage("unknown option '%s'", argv[i]);
            return 2;
        } else if (!a->rules) {
            a->rules = argv[i];
        } else {
            usage("one rule file at a time; '%s' is a second", argv[i]);
            return 2;
        }
    }
    if (!a->rules) {
        usage("%s", "no rule file given");
        return 2;
    }
    if (!a->data) {
        usage("%s", "no data given (--data FILE.csv)");
        return 2;
    }
    if (!a->nkeys) {
        usage("%s", "no customer given (--key KEY)");
        return 2;
    }
    return 0;
}

static int run(args *a, cli_rules *rl)
{
    int64_t as_of;
    if (a->as_of) {
        if (segc_parse_instant(a->as_of, &as_of, NULL) != 0) {
            usage("--as-of needs YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not "
                  "'%s'", a->as_of);
            return 2;
        }
    } else {
        as_of = (int64_t)time(NULL);
    }
    segc_compile_opts copts = {0};
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx || !cli_rules_finish(rl, &copts)) {
        segc_ctx_free(ctx);
        return 2;
    }
    segc_schema *sch = NULL;
    segc_program *p = NULL;
    segc_data *data = NULL;
    segc_explainer *ex = NULL;
    size_t *recs = calloc((size_t)a->nkeys + 1, sizeof *recs);
    segc_load_opts lopts = {a->skip_bad_rows, 0};
    segc_load_stats ls;
    segc_status st = recs ? SEGC_OK : SEGC_ERR_NOMEM;
    if (st == SEGC_OK && a->schema)
        st = segc_schema_load(ctx, a->schema, &sch);
    if (st == SEGC_OK)
        st = segc_compile_file(ctx, sch, a->rules, &copts, &p);
    if (st == SEGC_OK)
        st = segc_data_load(ctx, segc_program_schema(p), a->data, &lopts,
                            NULL, &data, &ls);
    if (st == SEGC_OK)
        st = cli_events_load(ctx, data, &a->evs, &lopts);
    segc_diag_print_all(ctx, stderr); /* warnings too */
    segc_diag_clear(ctx);
    int code = exit_of(st);
    /* every key first: an unknown one is an error before any output */
    for (int k = 0; st == SEGC_OK && k < a->nkeys; k++)
        if (segc_data_find_key(ctx, data, a->keys[k], &recs[k]) != SEGC_OK)
            code = 1;
    if (st == SEGC_OK && code == 0)
        st = segc_explainer_new(ctx, p, data, as_of, &ex);
    segc_explain_opts eo = {a->json ? SEGC_EXPLAIN_JSON : SEGC_EXPLAIN_TEXT,
                            a->segments, (size_t)a->nsegments, a->expand};
    for (int k = 0; st == SEGC_OK && code == 0 && k < a->nkeys; k++) {
        if (k && !a->json)
            putchar('\n');
        st = segc_explain_record(ctx, ex, recs[k], &eo, stdout);
    }
    segc_diag_print_all(ctx, stderr);
    if (code == 0)
        code = exit_of(st);
    if (code == 0 && fflush(stdout) != 0)
        code = 2;
    segc_explainer_free(ctx, ex);
    segc_data_free(ctx, data);
    segc_program_free(ctx, p);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(recs);
    return code;
}

int cmd_explain(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    cli_rules rl = {0};
    a.keys = calloc((size_t)argc + 1, sizeof *a.keys);
    a.segments = calloc((size_t)argc + 1, sizeof *a.segments);
    int code = a.keys && a.segments ? parse(argc, argv, &a, &rl) : 2;
    if (code == 0)
        code = run(&a, &rl);
    else if (code < 0)
        code = 0; /* --help */
    free(a.keys);
    free(a.segments);
    cli_rules_free(&rl);
    return code;
}
