/* main.c - the segc command line: a thin client of include/segc.h.
 *
 * Exit codes: 0 success; 1 errors in the rules or the data; 2 usage or I/O
 * errors. Diagnostics go to stderr, results to stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "segc.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

static const char *prog_name = "segc";

static void usage_error(const char *cmd, const char *fmt, const char *arg)
{
    cli_usage(cmd, fmt, arg);
}

/* ---- option parsing: --name value, --name=value, and flags -------------------- */

typedef struct opts {
    int argc;
    char **argv;
    int i;
    const char *cmd;
} opts;

/* Returns the value of option `name` at argv[i] (advancing i), or NULL. */
static const char *opt_value(opts *o, const char *name, int *err)
{
    return cli_opt_value(o->cmd, o->argc, o->argv, &o->i, name, err);
}

static int is_flag(opts *o, const char *name)
{
    return strcmp(o->argv[o->i], name) == 0;
}

/* ---- shared steps ------------------------------------------------------------------ */

static int status_exit(segc_status st)
{
    switch (st) {
    case SEGC_OK:
        return EXIT_OK;
    case SEGC_ERR_COMPILE:
    case SEGC_ERR_DATA:
        return EXIT_ERRORS;
    default:
        return EXIT_USAGE;
    }
}

/* Prints and clears the context's diagnostics. */
static void flush_diags(segc_ctx *ctx)
{
    segc_diag_print_all(ctx, stderr);
    segc_diag_clear(ctx);
}

static segc_status load_schema(segc_ctx *ctx, const char *path,
                               segc_schema **out)
{
    *out = NULL;
    if (!path)
        return SEGC_OK;
    return segc_schema_load(ctx, path, out);
}

/* ---- segc check ------------------------------------------------------------------- */

static const char check_help[] =
    "usage: segc check RULES... [--schema FILE] [options]\n"
    "\n"
    "Parses, type-checks and lints rule files and prints their diagnostics:\n"
    "errors, and warnings about rules that are probably wrong (a segment\n"
    "that can never match, a tier that no customer reaches, an unused\n"
    "parameter, ...; docs/cli.md lists them).\n"
    "\n"
    "  --schema FILE   the customer schema (unless each rule file declares\n"
    "                  its own)\n"
    "  --format gcc|json|sarif\n"
    "                  how to print the diagnostics: gcc (the default, on\n"
    "                  stderr), a JSON array or a SARIF 2.1.0 log (on stdout)\n"
    "  --werror        warnings count as errors (exit status 1)\n"
    "  --disable ID    do not report warning ID, as in SEG205 (repeatable,\n"
    "                  or ID,ID); @allow(ID, \"reason\") on a declaration\n"
    "                  silences one warning there\n"
    "  --max-conditions N\n"
    "                  warn about a segment with more than N conditions\n"
    "  --max-list N    warn about a list of more than N values\n"
    "  --dump-ir       print the typed IR of each file\n"
    "  --param NAME=VALUE\n"
    "                  set a parameter of the rules (repeatable), as in\n"
    "                  --param dormant_after=120d\n"
    "  --lib-path DIR  look for imported libraries (import \"rfm\") in DIR\n"
    "                  first (repeatable); then SEGC_PATH (DIR:DIR...),\n"
    "                  then the bundled stdlib/\n"
    "  --limit NAME=VALUE\n"
    "                  change a resource limit (repeatable), as in\n"
    "                  --limit nesting-depth=200 (docs/cli.md lists them)\n"
    "\n"
    "Exit status: 0 no errors, 1 errors (or warnings with --werror), 2 usage\n"
    "or I/O errors.\n";

static int parse_count(const char *v, size_t *out)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < 1)
        return 0;
    *out = (size_t)n;
    return 1;
}

static int cmd_check(int argc, char **argv)
{
    opts o = {argc, argv, 0, "check"};
    const char *schema_path = NULL, *format = "gcc";
    int dump_ir = 0, werror = 0;
    cli_rules rules = {0};
    segc_compile_opts copts = {0};
    segc_lint_opts lopts = {0};
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **disable = calloc((size_t)argc * 8 + 1, sizeof *disable);
    char **owned = calloc((size_t)argc + 1, sizeof *owned);
    int nfiles = 0, err = 0, nowned = 0, code = EXIT_USAGE;
    segc_ctx *ctx = NULL;
    segc_schema *sch = NULL;
    if (!files || !disable || !owned)
        goto out;
    for (o.i = 0; o.i < argc; o.i++) {
        const char *v;
        if (is_flag(&o, "--help") || is_flag(&o, "-h")) {
            fputs(check_help, stdout);
            code = EXIT_OK;
            goto out;
        } else if ((v = opt_value(&o, "--schema", &err))) {
            schema_path = v;
        } else if ((v = opt_value(&o, "--format", &err))) {
            format = v;
            if (strcmp(v, "gcc") && strcmp(v, "json") && strcmp(v, "sarif")) {
                usage_error("check", "--format is gcc, json or sarif, not "
                            "'%s'", v);
                goto out;
            }
        } else if ((v = opt_value(&o, "--disable", &err))) {
            /* ID or ID,ID,... */
            char *copy = strdup(v);
            if (!copy)
                goto out;
            owned[nowned++] = copy;
            for (char *t = strtok(copy, ","); t; t = strtok(NULL, ","))
                if (lopts.ndisable < (size_t)argc * 8)
                    disable[lopts.ndisable++] = t;
        } else if ((v = opt_value(&o, "--max-conditions", &err))) {
            if (!parse_count(v, &lopts.max_conditions)) {
                usage_error("check", "--max-conditions needs a positive "
                            "number, not '%s'", v);
                goto out;
            }
        } else if ((v = opt_value(&o, "--max-list", &err))) {
            if (!parse_count(v, &lopts.max_list)) {
                usage_error("check", "--max-list needs a positive number, "
                            "not '%s'", v);
                goto out;
            }
        } else if (is_flag(&o, "--werror")) {
            werror = 1;
        } else if (is_flag(&o, "--dump-ir")) {
            dump_ir = 1;
        } else if (cli_rules_option(&rules, argc, argv, &o.i, &err) && !err) {
            continue;
        } else if (err) {
            goto out;
        } else if (argv[o.i][0] == '-' && argv[o.i][1]) {
            usage_error("check", "unknown option '%s'", argv[o.i]);
            goto out;
        } else {
            files[nfiles++] = argv[o.i];
        }
    }
    if (nfiles == 0) {
        usage_error("check", "%s", "no rule files given");
        goto out;
    }
    ctx = segc_ctx_new(NULL, NULL);
    if (!ctx || !cli_rules_finish(&rules, &copts))
        goto out;
    lopts.disable = disable;
    copts.lint = &lopts;
    int gcc = strcmp(format, "gcc") == 0;
    segc_status st = load_schema(ctx, schema_path, &sch);
    if (st != SEGC_OK) {
        flush_diags(ctx);
        code = status_exit(st);
        goto out;
    }
    code = EXIT_OK;
    for (int k = 0; k < nfiles; k++) {
        segc_program *p;
        size_t before = segc_diag_count(ctx);
        size_t errors0 = segc_diag_errors(ctx);
        st = segc_compile_file(ctx, sch, files[k], &copts, &p);
        size_t errors = segc_diag_errors(ctx) - errors0, warnings = 0;
        for (size_t i = before; i < segc_diag_count(ctx); i++)
            warnings += segc_diag_get(ctx, i)->severity == SEGC_SEV_WARNING;
        if (gcc)
            flush_diags(ctx);
        if (st == SEGC_OK) {
            size_t n = 0, nc = segc_program_classification_count(p);
            for (size_t i = 0; i < segc_program_segment_count(p); i++)
                n += segc_program_segment_classification(p, i) < 0;
            if (dump_ir) {
                segc_program_dump(p, stdout);
            } else if (gcc) {
                printf("%s: ok (%zu segment%s", files[k], n, n == 1 ? "" : "s");
                if (nc)
                    printf(", %zu classification%s", nc, nc == 1 ? "" : "s");
                if (warnings)
                    printf(", %zu warning%s", warnings,
                           warnings == 1 ? "" : "s");
                printf(")\n");
            }
            segc_program_free(ctx, p);
            if (werror && warnings && code < EXIT_ERRORS)
                code = EXIT_ERRORS;
        } else {
            if (errors && gcc)
                fprintf(stderr, "%s: %zu error%s\n", files[k], errors,
                        errors == 1 ? "" : "s");
            int c = status_exit(st);
            if (c > code)
                code = c;
        }
    }
    if (strcmp(format, "json") == 0)
        cli_report_json(ctx, stdout);
    else if (strcmp(format, "sarif") == 0)
        cli_report_sarif(ctx, stdout);
    if (fflush(stdout) != 0)
        code = EXIT_USAGE;
out:
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(files);
    free(disable);
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    cli_rules_free(&rules);
    return code;
}

/* ---- segc run ------------------------------------------------------------------------- */

static const char run_help[] =
    "usage: segc run RULES --schema FILE --data FILE.csv [options]\n"
    "\n"
    "Evaluates every segment of RULES over the customers in the data file\n"
    "and prints, per segment, its member count and share of all records.\n"
    "\n"
    "  --schema FILE         the customer schema (unless RULES declares it)\n"
    "  --data FILE           customers: CSV, one per row, with a header row,\n"
    "                        or a packed file from segc pack (mapped, not\n"
    "                        parsed; told apart by its first bytes)\n"
    "  --no-verify           a packed file: trust its records (no checksum,\n"
    "                        no check of their ids) to open it faster; only\n"
    "                        for files nothing but segc wrote (docs/segd.md)\n"
    "  --as-of WHEN          the evaluation instant: YYYY-MM-DD (midnight\n"
    "                        UTC) or YYYY-MM-DDTHH:MM:SSZ; default: now\n"
    "  --format table|json   the output format (default: table)\n"
    "  --export DIR          write DIR/NAME.csv with the keys of the members\n"
    "                        of each segment and tier (classification.Tier),\n"
    "                        and DIR/CLASSIFICATION.csv with key,tier\n"
    "  --events LIST=CSV     the events of event list LIST (repeatable;\n"
    "                        rows: the customer key and the event's fields)\n"
    "  --skip-bad-rows       load the good rows of a file with bad ones, and\n"
    "                        report how many were skipped\n"
    "  --max-errors N        list at most N bad values (default 10)\n"
    "  --engine auto|jit|interp\n"
    "                        the evaluator: native code generated with LLVM\n"
    "                        (jit), the reference interpreter (interp), or\n"
    "                        the JIT unless the data is too small to repay\n"
    "                        compiling (auto, the default)\n"
    "  --timing              report the engine, compile time and scan time\n"
    "                        (stderr; with --format json, under \"timing\")\n"
    "  --threads N           scan with N threads (default: all cores; 0:\n"
    "                        all cores); the result is the same for any N\n"
    "  --morsel N            records per thread's task, a multiple of 64\n"
    "                        (default 65536; for tests)\n"
    "  --emit-llvm           print the optimised LLVM IR of the rules and\n"
    "                        exit (no --data needed)\n"
    "  --param NAME=VALUE    set a parameter of the rules (repeatable)\n"
    "  --lib-path DIR        look for imported libraries in DIR first\n"
    "                        (repeatable; then SEGC_PATH, then stdlib/)\n"
    "  --limit NAME=VALUE    change a resource limit (repeatable)\n"
    "\n"
    "Exit status: 0 success, 1 errors in the rules or the data, 2 usage or\n"
    "I/O errors.\n";

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* DIR/NAME.csv opened for writing, its path in *path (the caller frees
 * it); NULL after saying why */
static FILE *open_export(const char *dir, const char *name, char **path)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    *path = malloc(n);
    if (!*path)
        return NULL;
    snprintf(*path, n, "%s/%s.csv", dir, name);
    FILE *f = fopen(*path, "w");
    if (!f) {
        fprintf(stderr, "%s run: cannot write '%s': %s\n", prog_name, *path,
                strerror(errno));
        free(*path);
        *path = NULL;
    }
    return f;
}

static int export_members(segc_ctx *ctx, const segc_program *p,
                          const segc_result *res, const segc_data *data,
                          const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s run: cannot create '%s': %s\n", prog_name, dir,
                strerror(errno));
        return EXIT_USAGE;
    }
    for (size_t s = 0; s < segc_program_segment_count(p); s++) {
        char *path;
        FILE *f = open_export(dir, segc_program_segment_name(p, s), &path);
        if (!f)
            return EXIT_USAGE;
        segc_status st = segc_result_write_members(ctx, res, data, s, f);
        if (fclose(f) != 0 || st != SEGC_OK) {
            flush_diags(ctx);
            fprintf(stderr, "%s run: writing '%s' failed\n", prog_name, path);
            free(path);
            return EXIT_USAGE;
        }
        free(path);
    }
    /* one label file per classification: key,tier for every customer in a
     * tier, in record order */
    const segc_schema *sch = segc_program_schema(p);
    segc_field_info key;
    segc_schema_field(sch, segc_schema_key_field(sch), &key);
    for (size_t k = 0; k < segc_program_classification_count(p); k++) {
        const char *cname = segc_program_classification_name(p, k);
        size_t first, count;
        segc_program_classification_tiers(p, k, &first, &count);
        char *path;
        FILE *f = open_export(dir, cname, &path);
        if (!f)
            return EXIT_USAGE;
        fprintf(f, "%s,%s\n", key.name, cname);
        size_t records = segc_result_records(res);
        for (size_t r = 0; r < records; r++)
            for (size_t t = first; t < first + count; t++)
                if (segc_result_bitmap(res, t)[r / 64] >> (r % 64) & 1) {
                    segc_data_write_key(data, r, f);
                    fprintf(f, ",%s\n",
                            segc_program_segment_name(p, t) + strlen(cname) + 1);
                    break;
                }
        if (fclose(f) != 0) {
            fprintf(stderr, "%s run: writing '%s' failed\n", prog_name, path);
            free(path);
            return EXIT_USAGE;
        }
        free(path);
    }
    return EXIT_OK;
}

static double share(size_t c, size_t records)
{
    return records ? (double)c / (double)records : 0.0;
}

/* plain segments, then each classification with its tiers indented */
static void print_table(const segc_program *p, const segc_result *res,
                        const char *as_of)
{
    size_t n = segc_program_segment_count(p), records = segc_result_records(res);
    int w = 7;
    for (size_t s = 0; s < n; s++) {
        const char *name = segc_program_segment_name(p, s);
        int c = segc_program_segment_classification(p, s);
        int l = (int)strlen(name);
        if (c >= 0) /* "  Tier" */
            l = (int)strlen(name) -
                (int)strlen(segc_program_classification_name(p, (size_t)c)) + 1;
        if (l > w)
            w = l;
    }
    printf("%-*s  %10s  %7s\n", w, "segment", "members", "share");
    for (size_t s = 0; s < n; s++) {
        if (segc_program_segment_classification(p, s) >= 0)
            continue;
        size_t c = segc_result_count(res, s);
        printf("%-*s  %10zu  %6.2f%%\n", w, segc_program_segment_name(p, s), c,
               100.0 * share(c, records));
    }
    for (size_t k = 0; k < segc_program_classification_count(p); k++) {
        size_t first, count;
        segc_program_classification_tiers(p, k, &first, &count);
        const char *cname = segc_program_classification_name(p, k);
        printf("%s:\n", cname);
        size_t in = 0;
        for (size_t s = first; s < first + count; s++) {
            size_t c = segc_result_count(res, s);
            in += c;
            printf("  %-*s  %10zu  %6.2f%%\n", w - 2,
                   segc_program_segment_name(p, s) + strlen(cname) + 1, c,
                   100.0 * share(c, records));
        }
        if (in < records)
            printf("  %-*s  %10zu  %6.2f%%\n", w - 2, "(none)", records - in,
                   100.0 * share(records - in, records));
    }
    printf("%zu records, as of %s\n", records, as_of);
}

static void print_json(const segc_program *p, const segc_result *res,
                       const char *as_of, const segc_load_stats *ls,
                       const segc_timing *tm)
{
    size_t n = segc_program_segment_count(p), records = segc_result_records(res);
    printf("{\"as_of\": ");
    json_string(stdout, as_of);
    printf(", \"records\": %zu, \"segments\": [", records);
    int first_out = 1;
    for (size_t s = 0; s < n; s++) {
        if (segc_program_segment_classification(p, s) >= 0)
            continue;
        size_t c = segc_result_count(res, s);
        printf("%s{\"name\": ", first_out ? "" : ", ");
        first_out = 0;
        json_string(stdout, segc_program_segment_name(p, s));
        printf(", \"count\": %zu, \"share\": %.6f}", c, share(c, records));
    }
    printf("], \"classifications\": [");
    for (size_t k = 0; k < segc_program_classification_count(p); k++) {
        size_t first, count;
        segc_program_classification_tiers(p, k, &first, &count);
        const char *cname = segc_program_classification_name(p, k);
        printf("%s{\"name\": ", k ? ", " : "");
        json_string(stdout, cname);
        printf(", \"tiers\": [");
        size_t in = 0;
        for (size_t s = first; s < first + count; s++) {
            size_t c = segc_result_count(res, s);
            in += c;
            printf("%s{\"name\": ", s > first ? ", " : "");
            json_string(stdout, segc_program_segment_name(p, s) + strlen(cname) + 1);
            printf(", \"count\": %zu, \"share\": %.6f}", c, share(c, records));
        }
        printf("], \"unclassified\": %zu}", records - in);
    }
    printf("], \"params\": {");
    for (size_t i = 0; i < segc_program_param_count(p); i++) {
        const char *name, *value;
        segc_program_param(p, i, &name, &value);
        printf("%s", i ? ", " : "");
        json_string(stdout, name);
        printf(": ");
        json_string(stdout, value);
    }
    printf("}, \"load\": {\"rows\": %zu, \"loaded\": %zu, \"rejected\": %zu, "
           "\"blank_lines\": %zu}",
           ls->rows, ls->loaded, ls->rejected, ls->blank_lines);
    if (tm)
        printf(", \"timing\": {\"engine\": \"%s\", \"compile_ms\": %.3f, "
               "\"stats_ms\": %.3f, \"scan_ms\": %.3f}",
               tm->engine == SEGC_ENGINE_JIT ? "jit" : "interp",
               (double)tm->compile_ns / 1e6, (double)tm->stats_ns / 1e6,
               (double)tm->scan_ns / 1e6);
    printf("}\n");
}

/* the cores this process may run on: --threads' default */
static unsigned run_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

static int cmd_run_args(int argc, char **argv, cli_rules *rl,
                        segc_compile_opts *copts);

static int cmd_run(int argc, char **argv)
{
    cli_rules rl = {0};
    segc_compile_opts copts = {0};
    int code = cmd_run_args(argc, argv, &rl, &copts);
    cli_rules_free(&rl);
    return code;
}

static int cmd_run_args(int argc, char **argv, cli_rules *rl,
                        segc_compile_opts *copts)
{
    opts o = {argc, argv, 0, "run"};
    const char *schema_path = NULL, *data_path = NULL, *as_of_text = NULL;
    const char *format = "table", *export_dir = NULL, *rules = NULL;
    segc_load_opts lopts = {0, 0};
    cli_events evs = {0};
    segc_open_opts popts = {0};
    segc_eval_opts eopts = {.engine = SEGC_ENGINE_AUTO};
    eopts.threads = run_cores(); /* --threads' default */
    int err = 0, timing = 0, emit_llvm = 0;
    for (o.i = 0; o.i < argc; o.i++) {
        const char *v;
        if (is_flag(&o, "--help") || is_flag(&o, "-h")) {
            fputs(run_help, stdout);
            return EXIT_OK;
        } else if (cli_rules_option(rl, argc, argv, &o.i, &err) && !err) {
            continue;
        } else if ((v = opt_value(&o, "--schema", &err))) {
            schema_path = v;
        } else if ((v = opt_value(&o, "--data", &err))) {
            data_path = v;
        } else if ((v = opt_value(&o, "--events", &err))) {
            if (!cli_events_add(&evs, "run", v))
                return EXIT_USAGE;
        } else if ((v = opt_value(&o, "--as-of", &err))) {
            as_of_text = v;
        } else if ((v = opt_value(&o, "--format", &err))) {
            format = v;
        } else if ((v = opt_value(&o, "--export", &err))) {
            export_dir = v;
        } else if ((v = opt_value(&o, "--max-errors", &err))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1) {
                usage_error("run", "--max-errors needs a positive number, "
                            "not '%s'", v);
                return EXIT_USAGE;
            }
            lopts.max_errors = (size_t)n;
        } else if ((v = opt_value(&o, "--engine", &err))) {
            if (strcmp(v, "auto") == 0)
                eopts.engine = SEGC_ENGINE_AUTO;
            else if (strcmp(v, "jit") == 0)
                eopts.engine = SEGC_ENGINE_JIT;
            else if (strcmp(v, "interp") == 0)
                eopts.engine = SEGC_ENGINE_INTERP;
            else {
                usage_error("run", "--engine is auto, jit or interp, not '%s'",
                            v);
                return EXIT_USAGE;
            }
        } else if ((v = opt_value(&o, "--threads", &err))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || !*v || n < 0 || n > 256) {
                usage_error("run", "--threads needs a number from 1 to 256 "
                            "(0: all cores), not '%s'", v);
                return EXIT_USAGE;
            }
            eopts.threads = n ? (unsigned)n : run_cores();
        } else if ((v = opt_value(&o, "--morsel", &err))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || !*v || n < 64 || n % 64) {
                usage_error("run", "--morsel needs a positive multiple of 64, "
                            "not '%s'", v);
                return EXIT_USAGE;
            }
            eopts.morsel = (size_t)n;
        } else if (is_flag(&o, "--skip-bad-rows")) {
            lopts.skip_bad_rows = 1;
        } else if (is_flag(&o, "--no-verify")) {
            popts.no_verify = 1;
        } else if (is_flag(&o, "--timing")) {
            timing = 1;
        } else if (is_flag(&o, "--emit-llvm")) {
            emit_llvm = 1;
        } else if (err) {
            return EXIT_USAGE;
        } else if (argv[o.i][0] == '-' && argv[o.i][1]) {
            usage_error("run", "unknown option '%s'", argv[o.i]);
            return EXIT_USAGE;
        } else if (!rules) {
            rules = argv[o.i];
        } else {
            usage_error("run", "one rule file at a time; '%s' is a second",
                        argv[o.i]);
            return EXIT_USAGE;
        }
    }
    if (!rules) {
        usage_error("run", "%s", "no rule file given");
        return EXIT_USAGE;
    }
    if (!data_path && !emit_llvm) {
        usage_error("run", "%s", "no data given (--data FILE.csv)");
        return EXIT_USAGE;
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        usage_error("run", "--format is table or json, not '%s'", format);
        return EXIT_USAGE;
    }
    int64_t as_of;
    if (as_of_text) {
        if (segc_parse_instant(as_of_text, &as_of, NULL) != 0) {
            usage_error("run", "--as-of needs YYYY-MM-DD or "
                        "YYYY-MM-DDTHH:MM:SSZ, not '%s'", as_of_text);
            return EXIT_USAGE;
        }
    } else {
        as_of = (int64_t)time(NULL);
    }
    char as_of_buf[40];
    segc_format_instant(as_of, as_of_buf, sizeof as_of_buf);

    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx)
        return EXIT_USAGE;
    if (!cli_rules_finish(rl, copts)) {
        segc_ctx_free(ctx);
        return EXIT_USAGE;
    }
    segc_schema *sch = NULL;
    segc_program *p = NULL;
    segc_data *data = NULL;
    segc_result *res = NULL;
    segc_load_stats ls;
    int code = EXIT_OK;
    segc_status st = load_schema(ctx, schema_path, &sch);
    if (st == SEGC_OK)
        st = segc_compile_file(ctx, sch, rules, copts, &p);
    if (st == SEGC_OK && emit_llvm) {
        st = segc_program_emit_llvm(ctx, p, stdout);
        flush_diags(ctx);
        code = status_exit(st);
        goto out;
    }
    if (st == SEGC_OK)
        st = segc_data_load(ctx, segc_program_schema(p), data_path, &lopts,
                            &popts, &data, &ls);
    if (st == SEGC_OK)
        st = cli_events_load(ctx, data, &evs, &lopts);
    flush_diags(ctx); /* warnings too, such as ignored columns */
    if (st == SEGC_OK)
        st = segc_eval(ctx, p, data, as_of, &eopts, &res);
    if (st != SEGC_OK) {
        flush_diags(ctx);
        code = status_exit(st);
        goto out;
    }
    segc_timing tm;
    segc_result_timing(res, &tm);
    if (strcmp(format, "json") == 0)
        print_json(p, res, as_of_buf, &ls, timing ? &tm : NULL);
    else
        print_table(p, res, as_of_buf);
    if (timing && strcmp(format, "json") != 0)
        fprintf(stderr, "engine %s, compile %.3f ms, statistics %.3f ms, "
                "scan %.3f ms\n",
                tm.engine == SEGC_ENGINE_JIT ? "jit" : "interp",
                (double)tm.compile_ns / 1e6, (double)tm.stats_ns / 1e6,
                (double)tm.scan_ns / 1e6);
    if (export_dir)
        code = export_members(ctx, p, res, data, export_dir);
    if (fflush(stdout) != 0)
        code = EXIT_USAGE;
out:
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, p);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    return code;
}

/* ---- main ---------------------------------------------------------------------------- */

static const char main_help[] =
    "usage: segc <command> [options]\n"
    "\n"
    "segc compiles customer segment rules and evaluates them over customer\n"
    "records.\n"
    "\n"
    "commands:\n"
    "  check RULES... [--schema FILE]       parse and type-check rule files\n"
    "  run RULES --schema FILE --data CSV   evaluate the segments\n"
    "  gen --records N [--seed S]           write example customers as CSV\n"
    "  sql RULES --schema FILE --dialect D  the segments as one SQL query\n"
    "  explain RULES --data CSV --key KEY   why a customer is in a segment\n"
    "  fmt [--check|--diff] FILE...         rewrite files in the canonical layout\n"
    "  pack --schema FILE --data CSV -o F   customers as a packed file (.segd)\n"
    "  layout --schema FILE [--c-header]    the record layout, or a C header\n"
    "  help [COMMAND]                       show help\n"
    "\n"
    "options: --help (for every command), --version\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("segc %s\n", segc_version());
        return EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(main_help, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *what = argc > 2 ? argv[2] : "";
        if (strcmp(what, "check") == 0)
            fputs(check_help, stdout);
        else if (strcmp(what, "run") == 0)
            fputs(run_help, stdout);
        else if (strcmp(what, "gen") == 0)
            fputs(gen_help, stdout);
        else if (strcmp(what, "sql") == 0)
            fputs(sql_help, stdout);
        else if (strcmp(what, "explain") == 0)
            fputs(explain_help, stdout);
        else if (strcmp(what, "fmt") == 0)
            fputs(fmt_help, stdout);
        else if (strcmp(what, "pack") == 0)
            fputs(pack_help, stdout);
        else if (strcmp(what, "layout") == 0)
            fputs(layout_help, stdout);
        else
            fputs(main_help, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "gen") == 0)
        return cmd_gen(argc - 2, argv + 2);
    if (strcmp(cmd, "sql") == 0)
        return cmd_sql(argc - 2, argv + 2);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 2, argv + 2);
    if (strcmp(cmd, "fmt") == 0)
        return cmd_fmt(argc - 2, argv + 2);
    if (strcmp(cmd, "pack") == 0)
        return cmd_pack(argc - 2, argv + 2);
    if (strcmp(cmd, "layout") == 0)
        return cmd_layout(argc - 2, argv + 2);
    fprintf(stderr, "%s: unknown command '%s'\n\n%s", prog_name, cmd,
            main_help);
    return EXIT_USAGE;
}
