/* pack.c - `segc pack`: customers as a packed data file (.segd) that
 * `segc run` and `segc explain` map instead of parsing CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "segc.h"

const char pack_help[] =
    "usage: segc pack --schema FILE --data FILE -o FILE.segd [options]\n"
    "\n"
    "Loads the customers of the data file (CSV, or a packed file) for the\n"
    "schema and writes them, with their dictionaries, to one packed data\n"
    "file: a versioned header with the schema's fingerprint, the record\n"
    "layout, the dictionaries and the 64-byte aligned record array, and a\n"
    "checksum per section (docs/segd.md). `segc run` and `segc explain` map\n"
    "it with --data instead of parsing CSV. The file is written atomically\n"
    "(a temporary file beside it, fsync, rename): on any error the old file,\n"
    "if there is one, is left as it was. To update a packed file when\n"
    "customers change, pack the updated CSV again.\n"
    "\n"
    "  --schema FILE         the customer schema\n"
    "  --data FILE           the customers: CSV with a header row, or a\n"
    "                        packed file (told apart by the first bytes)\n"
    "  -o, --output FILE     the packed file to write\n"
    "  --skip-bad-rows       pack the good rows of a CSV file with bad ones,\n"
    "                        and report how many were skipped\n"
    "  --max-errors N        list at most N bad values (default 10)\n"
    "\n"
    "Exit status: 0 success, 1 errors in the schema or the data, 2 usage or\n"
    "I/O errors.\n";

static void usage(const char *fmt, const char *arg)
{
    cli_usage("pack", fmt, arg);
}

static int exit_of(segc_status st)
{
    return st == SEGC_OK ? 0
           : st == SEGC_ERR_COMPILE || st == SEGC_ERR_DATA ? 1
                                                           : 2;
}

int cmd_pack(int argc, char **argv)
{
    const char *schema = NULL, *data = NULL, *output = NULL;
    segc_load_opts lopts = {0, 0};
    int err = 0;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(pack_help, stdout);
            return 0;
        } else if ((v = cli_opt_value("pack", argc, argv, &i, "--schema",
                                      &err))) {
            schema = v;
        } else if ((v = cli_opt_value("pack", argc, argv, &i, "--data",
                                      &err))) {
            data = v;
        } else if ((v = cli_opt_value("pack", argc, argv, &i, "--output",
                                      &err)) ||
                   (!err && strcmp(argv[i], "-o") == 0 &&
                    (v = cli_opt_value("pack", argc, argv, &i, "-o",
                                       &err)))) {
            output = v;
        } else if ((v = cli_opt_value("pack", argc, argv, &i, "--max-errors",
                                      &err))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1) {
                usage("--max-errors needs a positive number, not '%s'", v);
                return 2;
            }
            lopts.max_errors = (size_t)n;
        } else if (strcmp(argv[i], "--skip-bad-rows") == 0) {
            lopts.skip_bad_rows = 1;
        } else if (err) {
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage("unknown option '%s'", argv[i]);
            return 2;
        } else {
            usage("unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    if (err)
        return 2;
    if (!schema) {
        usage("%s", "no schema given (--schema FILE)");
        return 2;
    }
    if (!data) {
        usage("%s", "no data given (--data FILE)");
        return 2;
    }
    if (!output) {
        usage("%s", "no output given (-o FILE.segd)");
        return 2;
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx)
        return 2;
    segc_schema *sch = NULL;
    segc_data *d = NULL;
    segc_load_stats ls;
    segc_status st = segc_schema_load(ctx, schema, &sch);
    if (st == SEGC_OK)
        st = segc_data_load(ctx, sch, data, &lopts, NULL, &d, &ls);
    segc_diag_print_all(ctx, stderr); /* warnings too */
    segc_diag_clear(ctx);
    if (st == SEGC_OK)
        st = segc_data_write_packed(ctx, d, output);
    segc_diag_print_all(ctx, stderr);
    int code = exit_of(st);
    if (st == SEGC_OK) {
        struct stat sb;
        long long bytes = stat(output, &sb) == 0 ? (long long)sb.st_size : -1;
        size_t n = segc_data_count(d);
        printf("%s: %zu record%s, %lld bytes\n", output, n, n == 1 ? "" : "s",
               bytes);
        if (fflush(stdout) != 0)
            code = 2;
    }
    segc_data_free(ctx, d);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    return code;
}
