/* fuzz_oom.c - allocation failure anywhere in a pipeline.
 *
 * The input is three bytes and a text: byte 0 picks the pipeline (modulo
 * 4), bytes 1 and 2 (big-endian) which of its allocations fails, as a
 * fraction of their number (0: the first, 65535: the last), and the text
 * is what the pipeline reads. With bit 7 of byte 0 set, every allocation
 * fails in turn instead (when the pipeline makes at most 400): such an
 * input keeps reaching its bug when the code around it allocates
 * differently, which makes it the better kind for tests/fuzz/regress/.
 *
 *   0  a rule file, compiled against the example schema; when it compiles,
 *      evaluated by the interpreter over 100 records of
 *      examples/customers.csv, and every segment's members written out
 *   1  a rule file with its schema inline, compiled
 *   2  a schema, parsed; a one-segment rule file compiled against it
 *   3  a CSV file, loaded for the example schema (skip_bad_rows); when it
 *      loads, examples/rules.seg evaluated over it as in 0
 *
 * The pipeline runs once with a healthy allocator hook, counting its
 * allocations; then in a fresh context whose hook fails the chosen one. The
 * call that saw the failure must return SEGC_ERR_NOMEM and leave nothing in
 * *out; the context must then run the pipeline again to the same ends, and
 * give every byte back when it is freed. (The fraction, not a hash of the
 * input, picks the allocation, so that libFuzzer can minimize a crash.)
 * SEGC_FUZZ_VERBOSE=1 in the environment prints which allocation fails. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define AS_OF INT64_C(1795392000) /* 2026-11-23T00:00:00Z, the example's */
#define STEPS 8
#define EVERY_MAX 400 /* allocations a pipeline may make to fail each */

static segc_ctx *init_ctx;
static segc_schema *example;
static segc_program *example_rules;
static segc_data *example_data;

/* at exit, so that valgrind and LeakSanitizer see everything freed */
static void cleanup(void)
{
    segc_data_free(init_ctx, example_data);
    segc_program_free(init_ctx, example_rules);
    segc_schema_free(init_ctx, example);
    segc_ctx_free(init_ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_oom";
    atexit(cleanup);
    init_ctx = segc_ctx_new(NULL, NULL);
    if (!init_ctx ||
        segc_schema_load(init_ctx, fuzz_source_path("examples/customer.schema"),
                         &example) != SEGC_OK ||
        segc_compile_file(init_ctx, example,
                          fuzz_source_path("examples/rules.seg"), NULL,
                          &example_rules) != SEGC_OK)
        fuzz_fail(init_ctx, "cannot compile the example");
    /* the header and 100 records */
    size_t len, lines = 0, cut = 0;
    char *csv = fuzz_read_file(fuzz_source_path("examples/customers.csv"),
                               &len);
    while (cut < len && lines < 101)
        lines += csv[cut++] == '\n';
    segc_load_opts o = {0, 0};
    if (segc_data_load_csv(init_ctx, example, fuzz_memfile(0, csv, cut), &o,
                           &example_data, NULL) != SEGC_OK ||
        segc_data_count(example_data) != 100)
        fuzz_fail(init_ctx, "cannot load the example data");
    free(csv);
    return 0;
}

typedef struct run {
    fuzz_hook *h;
    segc_ctx *ctx;
    segc_status st[STEPS]; /* what each step returned */
    int steps;
    bool failed;           /* a step saw the allocation fail */
} run;

/* Records what a step returned; false when the pipeline ends here: the
 * step failed, or saw the allocation fail (which must give NOMEM and leave
 * *out empty). */
static bool step(run *r, const char *what, long failures_before,
                 segc_status st, const void *out)
{
    FUZZ_CHECK(r->ctx, r->steps < STEPS, "too many steps");
    r->st[r->steps++] = st;
    if (r->h->failures > failures_before) {
        r->failed = true;
        FUZZ_CHECK(r->ctx, st == SEGC_ERR_NOMEM,
                   "%s: allocation %ld failed, and it returned %d, not "
                   "SEGC_ERR_NOMEM",
                   what, r->h->fail_at, (int)st);
        FUZZ_CHECK(r->ctx, out == NULL,
                   "%s: out of memory, and it left an object in *out", what);
        return false;
    }
    FUZZ_CHECK(r->ctx, st != SEGC_ERR_NOMEM,
               "%s: SEGC_ERR_NOMEM, and no allocation failed", what);
    return st == SEGC_OK;
}

#define STEP(r, what, call, out)                               \
    do {                                                       \
        long f0_ = (r)->h->failures;                           \
        segc_status st_ = (call);                              \
        if (!step((r), (what), f0_, st_, (out)))               \
            goto done;                                         \
    } while (0)

static void evaluate(run *r, const segc_program *p, const segc_data *d)
{
    segc_eval_opts interp = {.engine = SEGC_ENGINE_INTERP};
    segc_result *res = (segc_result *)&res;
    STEP(r, "segc_eval", segc_eval(r->ctx, p, d, AS_OF, &interp, &res), res);
    long f0 = r->h->failures;
    segc_status st = SEGC_OK;
    for (size_t s = 0; s < segc_program_segment_count(p); s++) {
        st = segc_result_write_members(r->ctx, res, d, s, fuzz_sink());
        if (st != SEGC_OK || r->h->failures > f0)
            break;
    }
    step(r, "segc_result_write_members", f0, st, NULL);
done:
    if (res != (segc_result *)&res)
        segc_result_free(r->ctx, res);
}

static void pipeline(run *r, int mode, const char *text, size_t len)
{
    r->steps = 0;
    r->failed = false;
    segc_ctx *ctx = r->ctx;
    segc_program *p = NULL;
    segc_schema *s = NULL;
    segc_data *d = NULL;
    switch (mode) {
    case 0:
        STEP(r, "segc_compile",
             segc_compile(ctx, example, "fuzz.seg", text, len,
                          fuzz_compile_opts(0), &p), p);
        evaluate(r, p, example_data);
        break;
    case 1:
        STEP(r, "segc_compile",
             segc_compile(ctx, NULL, "fuzz.seg", text, len,
                          fuzz_compile_opts(0), &p),
             p);
        break;
    case 2: {
        static const char all[] = "segment All__ where true\n";
        STEP(r, "segc_schema_parse",
             segc_schema_parse(ctx, "fuzz.schema", text, len, &s), s);
        STEP(r, "segc_compile",
             segc_compile(ctx, s, "all.seg", all, sizeof all - 1, NULL, &p),
             p);
        break;
    }
    case 3: {
        segc_load_opts skip = {1, 3};
        segc_load_stats stats;
        STEP(r, "segc_data_load_csv",
             segc_data_load_csv(ctx, example, fuzz_memfile(1, text, len),
                                &skip, &d, &stats),
             d);
        FUZZ_CHECK(ctx, stats.rows == stats.loaded + stats.rejected,
                   "rows %zu != loaded %zu + rejected %zu", stats.rows,
                   stats.loaded, stats.rejected);
        evaluate(r, example_rules, d);
        break;
    }
    }
done:
    fuzz_check_diags(ctx);
    segc_data_free(ctx, d);
    segc_program_free(ctx, p);
    segc_schema_free(ctx, s);
}

/* Runs the pipeline in a fresh context whose allocation nth (1-based) of
 * calls fails, then again in the same context with none failing. */
static void fail_one(int mode, const char *text, size_t len, long nth,
                     long calls, const run *healthy)
{
    fuzz_hook k = {0};
    run sick = {&k, fuzz_ctx_new(&k), {0}, 0, false};
    long base = k.calls;
    k.fail_at = base + nth;
    if (getenv("SEGC_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_oom: pipeline %d, allocation %ld of %ld fails\n",
                mode, nth, calls);
    pipeline(&sick, mode, text, len);
    FUZZ_CHECK(sick.ctx, k.failures == 1 && sick.failed,
               "allocation %ld of %ld was not made the second time, or no "
               "step saw it fail",
               nth, calls);

    /* the context is as good as new */
    k.fail_at = 0;
    segc_diag_clear(sick.ctx);
    run again = {&k, sick.ctx, {0}, 0, false};
    pipeline(&again, mode, text, len);
    FUZZ_CHECK(sick.ctx,
               again.steps == healthy->steps &&
                   memcmp(again.st, healthy->st,
                          sizeof(segc_status) * (size_t)healthy->steps) == 0,
               "after an allocation failure the context runs the pipeline "
               "to other ends (%d steps, then %d)",
               healthy->steps, again.steps);
    fuzz_ctx_free(sick.ctx, &k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int mode = data[0] % 4;
    bool every = data[0] & 0x80;
    unsigned frac = (unsigned)data[1] << 8 | data[2];
    const char *text = (const char *)data + 3;
    size_t len = size - 3;

    /* healthy: the number of allocations, and where the pipeline ends */
    fuzz_hook h = {0};
    run healthy = {&h, fuzz_ctx_new(&h), {0}, 0, false};
    long c0 = h.calls;
    pipeline(&healthy, mode, text, len);
    long calls = h.calls - c0;
    fuzz_ctx_free(healthy.ctx, &h);
    if (calls <= 0)
        return 0;

    if (every && calls <= EVERY_MAX) {
        for (long nth = 1; nth <= calls; nth++)
            fail_one(mode, text, len, nth, calls, &healthy);
    } else {
        long nth = 1 + (long)(((uint64_t)(calls - 1) * frac) / 65535);
        fail_one(mode, text, len, nth, calls, &healthy);
    }
    return 0;
}
