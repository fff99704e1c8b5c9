/* test_oom.c - the allocation-failure loop (issue 8), the way SQLite tests
 * out-of-memory: for representative programs, a whole pipeline (schema,
 * compile with imports, the standard library, parameters, the linter and
 * limits, CSV load with bad rows skipped, evaluation, members, an
 * explanation, SQL, formatting) runs once per allocation it makes, with
 * allocation number N failing, for every N until a run makes no failing
 * call. Every failure must end in SEGC_ERR_NOMEM from the call that saw it,
 * with nothing in *out; the pipeline then stops, frees what it has, and the
 * hook must have every byte back, with no wrong old size, no double free
 * and no foreign pointer. The JIT is left out: LLVM allocates with its own
 * allocator (docs/design.md); test_api.c fails the hook's share of it. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segc.h"

/* ---- a hook that checks every block and fails call number fail_at ---------- */

typedef struct hook {
    size_t live_bytes;
    long calls, fail_at, failures;
    bool bad_size, bad_ptr;
} hook;

#define TAG UINT64_C(0x0f0f5e6cdeadbeef)

typedef struct header {
    uint64_t size, tag;
} header;

static void *hook_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    hook *h = ud;
    header *old = ptr ? (header *)ptr - 1 : NULL;
    if (old) {
        if (old->tag != TAG) {
            h->bad_ptr = true;
            return NULL;
        }
        if (old->size != osize)
            h->bad_size = true;
    }
    if (nsize == 0) {
        if (old) {
            h->live_bytes -= old->size;
            old->tag = 0;
            free(old);
        }
        return NULL;
    }
    h->calls++;
    if (h->fail_at && h->calls == h->fail_at) {
        h->failures++;
        return NULL;
    }
    header *n = malloc(sizeof *n + nsize);
    if (!n)
        return NULL;
    n->size = nsize;
    n->tag = TAG;
    if (old) {
        memcpy(n + 1, old + 1, old->size < nsize ? old->size : nsize);
        h->live_bytes -= old->size;
        old->tag = 0;
        free(old);
    }
    h->live_bytes += nsize;
    return n + 1;
}

/* ---- files ------------------------------------------------------------------- */

/* the repository root (tests run from it, or from tests/unit) */
static const char *root(void)
{
    static const char *const dirs[] = {".", "..", "../..", "/work/main"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/examples/customer.schema", dirs[i]);
        if (access(p, R_OK) == 0)
            return dirs[i];
    }
    fail_msg("examples/ not found");
    return ".";
}

static char *path_of(const char *rel)
{
    const char *r = root();
    char *p = malloc(strlen(r) + strlen(rel) + 2);
    sprintf(p, "%s/%s", r, rel);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *s = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&s, &n);
    char b[4096];
    size_t k;
    while ((k = fread(b, 1, sizeof b, f)) > 0)
        fwrite(b, 1, k, out);
    fclose(out);
    fclose(f);
    if (len)
        *len = n;
    return s;
}

/* the header and the first rows of examples/customers.csv, then two bad
 * rows (a bad int, a wrong column count), in a temporary file */
static char *small_csv(int rows)
{
    char *full_path = path_of("examples/customers.csv");
    char *full = slurp(full_path, NULL);
    free(full_path);
    char *end = full;
    for (int i = 0; i <= rows && end; i++) {
        end = strchr(end, '\n');
        if (end)
            end++;
    }
    assert_non_null(end);
    char *path = strdup("/tmp/segc-oom-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fwrite(full, 1, (size_t)(end - full), f);
    fputs("999001,x@y.de,DE,EU,b2c,,,2024-01-01,,,many,1.00,0.00,0,,0,1.0,"
          "false,\n"
          "999002,too,few\n", f);
    fclose(f);
    free(full);
    return path;
}

/* ---- the pipeline -------------------------------------------------------------------- */

typedef struct program {
    const char *name;
    const char *rules;        /* relative to the root */
    const char *const *params;
    size_t nparams;
    bool lint;
} program;

/* what a healthy run found, to compare the failing runs' ends with */
typedef struct outcome {
    size_t nsegs;
    size_t counts[128];
    size_t rows, loaded, rejected;
    segc_status sql;
} outcome;

enum { P_DONE = -1 };

/* Returns the step that saw the failure (0..), or P_DONE. With want, the
 * ends must match it. */
static int pipeline(hook *h, const program *pg, const char *csv,
                    outcome *got, const outcome *want)
{
    int step = 0;
    long f0 = h->failures;
#define FAILED() (h->failures > f0)
#define CHECK(call, obj)                                                      \
    do {                                                                      \
        segc_status st_ = (call);                                             \
        if (FAILED()) {                                                       \
            if (st_ != SEGC_ERR_NOMEM)                                        \
                fail_msg("%s, step %d: allocation %ld failed and the call "   \
                         "returned %d, not SEGC_ERR_NOMEM",                   \
                         pg->name, step, h->fail_at, (int)st_);               \
            if ((obj) != NULL)                                                \
                fail_msg("%s, step %d: SEGC_ERR_NOMEM with an object left "   \
                         "in *out", pg->name, step);                          \
            goto out;                                                         \
        }                                                                     \
        if (st_ != SEGC_OK)                                                   \
            fail_msg("%s, step %d: status %d without a failed allocation: " \
                     "%s", pg->name, step, (int)st_,                          \
                     segc_diag_count(ctx) ? segc_diag_get(ctx, 0)->message    \
                                          : "(none)");                        \
        step++;                                                               \
    } while (0)

    segc_ctx *ctx = segc_ctx_new(hook_fn, h);
    if (!ctx) {
        assert_true(FAILED());
        return 0;
    }
    step = 1;
    segc_schema *sch = NULL;
    segc_program *prog = NULL;
    segc_data *data = NULL;
    segc_result *res = NULL;
    segc_explainer *ex = NULL;
    char *formatted = NULL;
    char *buf = NULL;
    size_t blen = 0;
    FILE *sink = open_memstream(&buf, &blen);
    char *schema_path = path_of("examples/customer.schema");
    char *rules_path = path_of(pg->rules);
    char *lib = path_of("stdlib");
    const char *libs[] = {lib};
    segc_lint_opts lint = {0};
    segc_limits limits = {0};
    limits.nesting_depth = 200;
    limits.list_elements = 1000;
    segc_compile_opts co = {0};
    co.engine = SEGC_ENGINE_INTERP;
    co.lib_paths = libs;
    co.nlib_paths = 1;
    co.params = pg->params;
    co.nparams = pg->nparams;
    co.lint = pg->lint ? &lint : NULL;
    co.limits = &limits;
    segc_load_opts lo = {0};
    lo.skip_bad_rows = 1;
    segc_eval_opts eo;
    memset(&eo, 0, sizeof eo);
    eo.engine = SEGC_ENGINE_INTERP;
    segc_load_stats ls;
    memset(&ls, 0, sizeof ls);
    const int64_t as_of = INT64_C(1717200000); /* 2024-06-01 */

    CHECK(segc_schema_load(ctx, schema_path, &sch), sch);
    CHECK(segc_compile_file(ctx, sch, rules_path, &co, &prog), prog);
    /* the bad rows are warnings; the load succeeds */
    CHECK(segc_data_load_csv(ctx, sch, csv, &lo, &data, &ls), data);
    if (ls.rows != ls.loaded + ls.rejected)
        fail_msg("%s: rows %zu != loaded %zu + rejected %zu", pg->name,
                 ls.rows, ls.loaded, ls.rejected);
    CHECK(segc_eval(ctx, prog, data, as_of, &eo, &res), res);
    CHECK(segc_result_write_members(ctx, res, data, 0, sink), (void *)NULL);
    CHECK(segc_explainer_new(ctx, prog, data, as_of, &ex), ex);
    CHECK(segc_explain_record(ctx, ex, 0, NULL, sink), (void *)NULL);
    segc_sql_opts so;
    memset(&so, 0, sizeof so);
    so.dialect = SEGC_SQL_DUCKDB;
    so.as_of = as_of;
    {
        /* a program the dialect cannot express is SEGC_ERR_COMPILE (shop.seg
         * today), healthy or not: the same in every run */
        segc_status st = segc_program_sql(ctx, prog, &so, sink);
        got->sql = st;
        if (!FAILED() && st == SEGC_ERR_COMPILE)
            st = SEGC_OK;
        CHECK(st, (void *)NULL);
    }
    {
        size_t tlen;
        char *text = slurp(rules_path, &tlen);
        segc_status st = segc_format(ctx, rules_path, text, tlen, &formatted,
                                     NULL);
        free(text);
        CHECK(st, formatted);
    }
    segc_diag_print_all(ctx, sink);

    got->nsegs = segc_result_segment_count(res);
    assert_true(got->nsegs <= 128);
    for (size_t i = 0; i < got->nsegs; i++)
        got->counts[i] = segc_result_count(res, i);
    got->rows = ls.rows;
    got->loaded = ls.loaded;
    got->rejected = ls.rejected;
    if (want) {
        assert_int_equal(got->nsegs, want->nsegs);
        for (size_t i = 0; i < got->nsegs; i++)
            assert_int_equal(got->counts[i], want->counts[i]);
        assert_int_equal(got->rows, want->rows);
        assert_int_equal(got->loaded, want->loaded);
        assert_int_equal(got->rejected, want->rejected);
        assert_int_equal(got->sql, want->sql);
    }
    step = P_DONE;
out:
    if (formatted)
        segc_format_free(ctx, formatted);
    segc_explainer_free(ctx, ex);
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    fclose(sink);
    free(buf);
    free(schema_path);
    free(rules_path);
    free(lib);
    return step;
#undef CHECK
#undef FAILED
}

static void every_allocation(const program *pg)
{
    char *csv = small_csv(40);
    hook h = {0};
    outcome want;
    memset(&want, 0, sizeof want);
    assert_int_equal(pipeline(&h, pg, csv, &want, NULL), P_DONE);
    assert_false(h.bad_ptr);
    assert_false(h.bad_size);
    assert_int_equal(h.live_bytes, 0);
    assert_int_equal(h.failures, 0);
    assert_true(want.rejected == 2 && want.loaded == 40);
    long total = h.calls;
    long n, failed_runs = 0;
    for (n = 1;; n++) {
        hook k = {0};
        k.fail_at = n;
        outcome got;
        memset(&got, 0, sizeof got);
        int step = pipeline(&k, pg, csv, &got, &want);
        if (k.bad_ptr || k.bad_size || k.live_bytes)
            fail_msg("%s: failing allocation %ld (in step %d): %s", pg->name,
                     n, step, k.bad_ptr ? "a pointer the hook never made"
                     : k.bad_size ? "a wrong old size" : "bytes not given back");
        if (step == P_DONE) {
            /* the failing call, if any, was one whose failure is allowed
             * to pass unseen: none is */
            assert_int_equal(k.failures, 0);
            break;
        }
        assert_int_equal(k.failures, 1);
        failed_runs++;
        if (n > 4 * total)
            fail_msg("%s: no end to the allocations", pg->name);
    }
    /* every allocation of the healthy run was failed once */
    assert_true(n > total);
    assert_int_equal(failed_runs, total);
    unlink(csv);
    free(csv);
    if (getenv("SEGC_OOM_VERBOSE"))
        fprintf(stderr, "%s: %ld allocations, each failed once\n", pg->name,
                total);
}

static void test_oom_example_rules(void **state)
{
    (void)state;
    static const program pg = {"examples/rules.seg", "examples/rules.seg",
                               NULL, 0, true};
    every_allocation(&pg);
}

static void test_oom_shop_stdlib(void **state)
{
    (void)state;
    /* imports of the standard library, statistics, classifications,
     * parameters set from outside */
    static const char *const params[] = {"dormant_after=90d"};
    static const program pg = {"examples/shop.seg", "examples/shop.seg",
                               params, 1, false};
    every_allocation(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_example_rules),
        cmocka_unit_test(test_oom_shop_stdlib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
