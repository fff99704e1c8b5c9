/* fuzz_rules.c - the rule parser and checker.
 *
 * The input is a rule file. It is compiled twice in a fresh context: against
 * the example schema (examples/customer.schema) and with no schema given,
 * so that a rule file declaring its schema inline is checked against that.
 * Every diagnostic is checked and rendered; every program that compiles is
 * inspected (fuzz_check_program) and written as SQL in every dialect.
 * `import "NAME"` finds the libraries of stdlib/. The context's allocator
 * hook checks every call, and every byte must be back when the context is
 * freed. (Allocation failures: fuzz_oom.c.) */
#include <stdlib.h>

#include "fuzz.h"

static segc_ctx *init_ctx;
static segc_schema *example;

/* at exit, so that valgrind and LeakSanitizer see everything freed */
static void cleanup(void)
{
    segc_schema_free(init_ctx, example);
    segc_ctx_free(init_ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_rules";
    atexit(cleanup);
    init_ctx = segc_ctx_new(NULL, NULL);
    if (!init_ctx ||
        segc_schema_load(init_ctx, fuzz_source_path("examples/customer.schema"),
                         &example) != SEGC_OK)
        fuzz_fail(init_ctx, "cannot load the example schema");
    return 0;
}

/* Compiles the input against given (or its inline schema); returns the
 * number of allocations it made. */
static long compile(segc_ctx *ctx, fuzz_hook *h, const segc_schema *given,
                    const uint8_t *data, size_t size)
{
    long c0 = h->calls;
    size_t errors0 = segc_diag_errors(ctx);
    segc_program *p = (segc_program *)&p;
    segc_status st = segc_compile(ctx, given, "fuzz.seg", (const char *)data,
                                  size, fuzz_compile_opts(0), &p);
    FUZZ_CHECK(ctx, st == SEGC_OK || st == SEGC_ERR_COMPILE,
               "segc_compile returned %d", (int)st);
    if (st == SEGC_OK) {
        FUZZ_CHECK(ctx, p != NULL, "SEGC_OK without a program");
        FUZZ_CHECK(ctx, segc_diag_errors(ctx) == errors0,
                   "SEGC_OK, and errors were reported");
        fuzz_check_program(ctx, p);
        fuzz_program_sql(ctx, p);
        segc_program_free(ctx, p);
    } else {
        FUZZ_CHECK(ctx, p == NULL, "a failed compile left a program");
        FUZZ_CHECK(ctx, segc_diag_errors(ctx) > errors0,
                   "SEGC_ERR_COMPILE without an error diagnostic");
    }
    fuzz_check_diags(ctx);
    return h->calls - c0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_hook h = {0};
    segc_ctx *ctx = fuzz_ctx_new(&h);
    compile(ctx, &h, example, data, size);
    segc_diag_clear(ctx);
    compile(ctx, &h, NULL, data, size);
    fuzz_ctx_free(ctx, &h);
    return 0;
}
