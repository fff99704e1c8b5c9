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

#include "cli.h"
#include "segc.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

static const char *prog_name = "segc";

static void usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s %s: ", prog_name, cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see '%s %s --help')\n", prog_name, cmd);
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
    const char *a = o->argv[o->i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != 0)
        return NULL;
    if (o->i + 1 >= o->argc) {
        usage_error(o->cmd, "option %s needs a value", name);
        *err = 1;
        return NULL;
    }
    return o->argv[++o->i];
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
    "usage: segc check RULES... [--schema FILE]\n"
    "\n"
    "Parses and type-checks rule files and prints their diagnostics.\n"
    "\n"
    "  --schema FILE   the customer schema (unless each rule file declares\n"
    "                  its own)\n"
    "  --dump-ir       print the typed IR of each file\n"
    "\n"
    "Exit status: 0 no errors, 1 errors, 2 usage or I/O errors.\n";

static int cmd_check(int argc, char **argv)
{
    opts o = {argc, argv, 0, "check"};
    const char *schema_path = NULL;
    int dump_ir = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0, err = 0;
    if (!files)
        return EXIT_USAGE;
    for (o.i = 0; o.i < argc; o.i++) {
        const char *v;
        if (is_flag(&o, "--help") || is_flag(&o, "-h")) {
            fputs(check_help, stdout);
            free(files);
            return EXIT_OK;
        } else if ((v = opt_value(&o, "--schema", &err))) {
            schema_path = v;
        } else if (is_flag(&o, "--dump-ir")) {
            dump_ir = 1;
        } else if (err) {
            free(files);
            return EXIT_USAGE;
        } else if (argv[o.i][0] == '-' && argv[o.i][1]) {
            usage_error("check", "unknown option '%s'", argv[o.i]);
            free(files);
            return EXIT_USAGE;
        } else {
            files[nfiles++] = argv[o.i];
        }
    }
    if (nfiles == 0) {
        usage_error("check", "%s", "no rule files given");
        free(files);
        return EXIT_USAGE;
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx) {
        free(files);
        return EXIT_USAGE;
    }
    segc_schema *sch;
    segc_status st = load_schema(ctx, schema_path, &sch);
    if (st != SEGC_OK) {
        flush_diags(ctx);
        segc_ctx_free(ctx);
        free(files);
        return status_exit(st);
    }
    int code = EXIT_OK;
    for (int k = 0; k < nfiles; k++) {
        segc_program *p;
        st = segc_compile_file(ctx, sch, files[k], NULL, &p);
        size_t errors = segc_diag_errors(ctx);
        flush_diags(ctx);
        if (st == SEGC_OK) {
            size_t n = segc_program_segment_count(p);
            if (dump_ir)
                segc_program_dump(p, stdout);
            else
                printf("%s: ok (%zu segment%s)\n", files[k], n,
                       n == 1 ? "" : "s");
            segc_program_free(ctx, p);
        } else {
            if (errors)
                fprintf(stderr, "%s: %zu error%s\n", files[k], errors,
                        errors == 1 ? "" : "s");
            int c = status_exit(st);
            if (c > code)
                code = c;
        }
    }
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(files);
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
    "  --data FILE.csv       customers, one per row, with a header row\n"
    "  --as-of WHEN          the evaluation instant: YYYY-MM-DD (midnight\n"
    "                        UTC) or YYYY-MM-DDTHH:MM:SSZ; default: now\n"
    "  --format table|json   the output format (default: table)\n"
    "  --export DIR          write DIR/NAME.csv with the keys of the members\n"
    "                        of each segment\n"
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
    "  --emit-llvm           print the optimised LLVM IR of the rules and\n"
    "                        exit (no --data needed)\n"
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
        const char *name = segc_program_segment_name(p, s);
        size_t n = strlen(dir) + strlen(name) + 8;
        char *path = malloc(n);
        if (!path)
            return EXIT_USAGE;
        snprintf(path, n, "%s/%s.csv", dir, name);
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "%s run: cannot write '%s': %s\n", prog_name, path,
                    strerror(errno));
            free(path);
            return EXIT_USAGE;
        }
        segc_status st = segc_result_write_members(ctx, res, data, s, f);
        if (fclose(f) != 0 || st != SEGC_OK) {
            flush_diags(ctx);
            fprintf(stderr, "%s run: writing '%s' failed\n", prog_name, path);
            free(path);
            return EXIT_USAGE;
        }
        free(path);
    }
    return EXIT_OK;
}

static void print_table(const segc_program *p, const segc_result *res,
                        const char *as_of)
{
    size_t n = segc_program_segment_count(p), records = segc_result_records(res);
    int w = 7;
    for (size_t s = 0; s < n; s++) {
        int l = (int)strlen(segc_program_segment_name(p, s));
        if (l > w)
            w = l;
    }
    printf("%-*s  %10s  %7s\n", w, "segment", "members", "share");
    for (size_t s = 0; s < n; s++) {
        size_t c = segc_result_count(res, s);
        printf("%-*s  %10zu  %6.2f%%\n", w, segc_program_segment_name(p, s), c,
               records ? 100.0 * (double)c / (double)records : 0.0);
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
    for (size_t s = 0; s < n; s++) {
        size_t c = segc_result_count(res, s);
        printf("%s{\"name\": ", s ? ", " : "");
        json_string(stdout, segc_program_segment_name(p, s));
        printf(", \"count\": %zu, \"share\": %.6f}", c,
               records ? (double)c / (double)records : 0.0);
    }
    printf("], \"load\": {\"rows\": %zu, \"loaded\": %zu, \"rejected\": %zu, "
           "\"blank_lines\": %zu}",
           ls->rows, ls->loaded, ls->rejected, ls->blank_lines);
    if (tm)
        printf(", \"timing\": {\"engine\": \"%s\", \"compile_ms\": %.3f, "
               "\"scan_ms\": %.3f}",
               tm->engine == SEGC_ENGINE_JIT ? "jit" : "interp",
               (double)tm->compile_ns / 1e6, (double)tm->scan_ns / 1e6);
    printf("}\n");
}

static int cmd_run(int argc, char **argv)
{
    opts o = {argc, argv, 0, "run"};
    const char *schema_path = NULL, *data_path = NULL, *as_of_text = NULL;
    const char *format = "table", *export_dir = NULL, *rules = NULL;
    segc_load_opts lopts = {0, 0};
    segc_eval_opts eopts = {SEGC_ENGINE_AUTO};
    int err = 0, timing = 0, emit_llvm = 0;
    for (o.i = 0; o.i < argc; o.i++) {
        const char *v;
        if (is_flag(&o, "--help") || is_flag(&o, "-h")) {
            fputs(run_help, stdout);
            return EXIT_OK;
        } else if ((v = opt_value(&o, "--schema", &err))) {
            schema_path = v;
        } else if ((v = opt_value(&o, "--data", &err))) {
            data_path = v;
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
        } else if (is_flag(&o, "--skip-bad-rows")) {
            lopts.skip_bad_rows = 1;
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
    segc_schema *sch = NULL;
    segc_program *p = NULL;
    segc_data *data = NULL;
    segc_result *res = NULL;
    segc_load_stats ls;
    int code = EXIT_OK;
    segc_status st = load_schema(ctx, schema_path, &sch);
    if (st == SEGC_OK)
        st = segc_compile_file(ctx, sch, rules, NULL, &p);
    if (st == SEGC_OK && emit_llvm) {
        st = segc_program_emit_llvm(ctx, p, stdout);
        flush_diags(ctx);
        code = status_exit(st);
        goto out;
    }
    if (st == SEGC_OK)
        st = segc_data_load_csv(ctx, segc_program_schema(p), data_path,
                                &lopts, &data, &ls);
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
        fprintf(stderr, "engine %s, compile %.3f ms, scan %.3f ms\n",
                tm.engine == SEGC_ENGINE_JIT ? "jit" : "interp",
                (double)tm.compile_ns / 1e6, (double)tm.scan_ns / 1e6);
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
    fprintf(stderr, "%s: unknown command '%s'\n\n%s", prog_name, cmd,
            main_help);
    return EXIT_USAGE;
}
