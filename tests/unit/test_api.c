/* test_api.c - the public API (segc.h): the allocator hook (every byte
 * accounted for, every failure clean), diagnostics, schema introspection,
 * instants, and contexts used from two threads at once. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "segc.h"

#define AS_OF_2026_11_23 INT64_C(1795392000) /* 2026-11-23T00:00:00Z */

static const segc_eval_opts interp = {.engine = SEGC_ENGINE_INTERP};

/* ---- files ------------------------------------------------------------------------ */

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&s, &n);
    char b[8192];
    size_t k;
    while ((k = fread(b, 1, sizeof b, f)) > 0)
        fwrite(b, 1, k, out);
    fclose(out);
    fclose(f);
    if (len)
        *len = n;
    return s;
}

/* "examples/NAME", from the repository root or from tests/unit */
static char *example_path(const char *name)
{
    static const char *const dirs[] = {"examples", "../examples",
                                       "../../examples", "/work/main/examples"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *p = malloc(strlen(dirs[i]) + strlen(name) + 2);
        sprintf(p, "%s/%s", dirs[i], name);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    fail_msg("examples/%s not found", name);
    return NULL;
}

static char *example_text(const char *name, size_t *len)
{
    char *p = example_path(name);
    char *s = read_whole(p, len);
    free(p);
    assert_non_null(s);
    return s;
}

/* Writes text to a new temporary file; returns its malloc'd path. */
static char *temp_file(const char *text)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(strlen(dir ? dir : "/tmp") + 32);
    sprintf(path, "%s/segc-test-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* ---- a hook that counts, checks sizes, and can fail -------------------------------------
 * Every block carries a header with its size and a tag, so that a wrong old
 * size, a double free, or a pointer the hook never made is caught. */

typedef struct hook {
    size_t live_bytes, peak_bytes;
    size_t allocs, frees, reallocs;
    long calls;      /* allocations and resizes */
    long fail_at;    /* make call number fail_at fail (0: never) */
    long failures;   /* calls made to fail */
    bool bad_size, bad_ptr;
} hook;

#define TAG UINT64_C(0x5e6c0a11c0ffee00)

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
            h->frees++;
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
        h->reallocs++;
    } else {
        h->allocs++;
    }
    h->live_bytes += nsize;
    if (h->live_bytes > h->peak_bytes)
        h->peak_bytes = h->live_bytes;
    return n + 1;
}

static void assert_hook_clean(const hook *h)
{
    assert_false(h->bad_ptr);
    assert_false(h->bad_size);
    assert_int_equal(h->live_bytes, 0);
    assert_int_equal(h->allocs, h->frees);
}

/* ---- the example, end to end ----------------------------------------------------------- */

static const char *const example_segments[] = {
    "Dormant", "BigSpenders", "OneTimeBuyers", "Prospects",
    "AbandonedCart", "CouponHunters", "Loyal", "DachB2B",
    "Newsletter", "Europe50k", "HappyVIPs"};
/* counted independently of segc from examples/customers.csv */
static const size_t example_counts[] = {885, 296, 1280, 44, 382, 207,
                                        1063, 132, 1132, 1, 72};

typedef struct example_run {
    size_t counts[11];
    uint64_t words[11][2]; /* the first 128 records of each bitmap */
    char *members;         /* keys of HappyVIPs (malloc'd) */
} example_run;

/* compile + load + eval of the bundled example in ctx. Returns NULL, or
 * what went wrong (no cmocka asserts: it also runs in threads). */
#define CHECK(cond, what)        \
    do {                         \
        if (!(cond)) {           \
            err = (what);        \
            goto done;           \
        }                        \
    } while (0)

static const char *example_core(segc_ctx *ctx, const segc_eval_opts *opts,
                                example_run *out)
{
    const char *err = NULL;
    char *schema_path = example_path("customer.schema");
    char *rules_path = example_path("rules.seg");
    char *data_path = example_path("customers.csv");
    segc_schema *sch = NULL;
    segc_program *prog = NULL;
    segc_data *data = NULL;
    segc_result *res = NULL;
    segc_load_stats st;
    CHECK(segc_schema_load(ctx, schema_path, &sch) == SEGC_OK, "schema_load");
    CHECK(segc_compile_file(ctx, sch, rules_path, NULL, &prog) == SEGC_OK,
          "compile_file");
    CHECK(segc_data_load_csv(ctx, sch, data_path, NULL, &data, &st) ==
              SEGC_OK,
          "data_load_csv");
    CHECK(st.rows == 5000 && st.loaded == 5000 && st.rejected == 0,
          "load stats");
    CHECK(segc_data_count(data) == 5000, "data_count");
    CHECK(segc_eval(ctx, prog, data, AS_OF_2026_11_23, opts, &res) == SEGC_OK,
          "eval");
    CHECK(segc_result_segment_count(res) == 11, "segment_count");
    CHECK(segc_result_records(res) == 5000, "records");
    for (size_t i = 0; i < 11; i++) {
        CHECK(strcmp(segc_program_segment_name(prog, i),
                     example_segments[i]) == 0,
              "segment name");
        out->counts[i] = segc_result_count(res, i);
        const uint64_t *b = segc_result_bitmap(res, i);
        out->words[i][0] = b[0];
        out->words[i][1] = b[1];
    }
    size_t n = 0;
    FILE *f = open_memstream(&out->members, &n);
    CHECK(f != NULL, "open_memstream");
    segc_status ws = segc_result_write_members(ctx, res, data, 10, f);
    fclose(f);
    CHECK(ws == SEGC_OK, "write_members");
    CHECK(segc_diag_errors(ctx) == 0, "diagnostics");
done:
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    free(schema_path);
    free(rules_path);
    free(data_path);
    return err;
}

static void run_example(segc_ctx *ctx, const segc_eval_opts *opts,
                        example_run *out)
{
    const char *err = example_core(ctx, opts, out);
    if (err)
        fail_msg("the example failed at %s: %s", err,
                 segc_diag_count(ctx) ? segc_diag_get(ctx, 0)->message : "-");
}

static void assert_example_counts(const example_run *r)
{
    for (size_t i = 0; i < 11; i++)
        if (r->counts[i] != example_counts[i])
            fail_msg("%s: %zu members, expected %zu", example_segments[i],
                     r->counts[i], example_counts[i]);
    /* HappyVIPs: 72 keys after the header, the first ones known */
    assert_int_equal(strncmp(r->members, "id\n15\n48\n250\n451\n577\n", 21), 0);
    size_t lines = 0;
    for (const char *p = r->members; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 73);
    /* Dormant holds record 1 (id 2) and OneTimeBuyers record 3 (id 4) */
    assert_true(r->words[0][0] >> 1 & 1);
    assert_true(r->words[2][0] >> 3 & 1);
    assert_false(r->words[2][0] & 1);
}

static void test_counting_hook_example(void **state)
{
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    assert_non_null(ctx);
    example_run r = {0};
    run_example(ctx, &interp, &r);
    assert_example_counts(&r);
    free(r.members);
    assert_true(h.allocs > 100); /* the library did allocate through it */
    assert_true(h.peak_bytes > 5000 * 120); /* the records, at least */
    segc_ctx_free(ctx);
    assert_hook_clean(&h);
}

static void test_default_allocator(void **state)
{
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    assert_non_null(ctx);
    example_run r = {0};
    run_example(ctx, NULL, &r);
    assert_example_counts(&r);
    free(r.members);
    segc_ctx_free(ctx);
    segc_ctx_free(NULL);
}

/* ---- nothing bypasses the hook ----------------------------------------------------------
 * A hook that takes its memory from a private mapping: while every handle of
 * the pipeline is alive, malloc's heap must not hold any of the library's
 * memory. */

typedef struct pool {
    unsigned char *base;
    size_t used, cap;
    size_t live;
} pool;

static void *pool_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    pool *p = ud;
    if (nsize == 0) {
        if (ptr)
            p->live -= osize;
        return NULL;
    }
    size_t need = (nsize + 15) & ~(size_t)15;
    if (p->cap - p->used < need)
        return NULL;
    void *q = p->base + p->used;
    p->used += need;
    if (ptr) {
        memcpy(q, ptr, osize < nsize ? osize : nsize);
        p->live -= osize;
    }
    p->live += nsize;
    return q;
}

static void test_no_allocation_bypasses_hook(void **state)
{
    pool p = {0};
    p.cap = (size_t)1 << 30;
    p.base = mmap(NULL, p.cap, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(p.base != MAP_FAILED);
    char *schema_path = example_path("customer.schema");
    char *rules_path = example_path("rules.seg");
    char *data_path = example_path("customers.csv");
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    fputs("warm", sink); /* stdio allocates the buffer now, not later */
    fflush(sink);

    /* warm up stdio and the C library once, outside the measurement */
    {
        segc_ctx *ctx = segc_ctx_new(pool_fn, &p);
        example_run r = {0};
        run_example(ctx, &interp, &r);
        free(r.members);
        segc_ctx_free(ctx);
    }

    struct mallinfo2 before = mallinfo2();
    segc_ctx *ctx = segc_ctx_new(pool_fn, &p);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_load(ctx, schema_path, &sch), SEGC_OK);
    segc_program *prog = NULL;
    assert_int_equal(segc_compile_file(ctx, sch, rules_path, NULL, &prog),
                     SEGC_OK);
    segc_data *data = NULL;
    assert_int_equal(segc_data_load_csv(ctx, sch, data_path, NULL, &data,
                                        NULL),
                     SEGC_OK);
    segc_result *res = NULL;
    assert_int_equal(segc_eval(ctx, prog, data, AS_OF_2026_11_23, &interp,
                               &res),
                     SEGC_OK);
    assert_int_equal(segc_result_write_members(ctx, res, data, 2, sink),
                     SEGC_OK);
    /* and some diagnostics */
    segc_program *bad = NULL;
    assert_int_equal(segc_compile(ctx, sch, "bad.seg",
                                  "segment X where last_ordr > 1", 29, NULL,
                                  &bad),
                     SEGC_ERR_COMPILE);
    struct mallinfo2 during = mallinfo2();
    long delta = (long)during.uordblks - (long)before.uordblks;
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    assert_int_equal(p.live, 0);
    fclose(sink);
    free(schema_path);
    free(rules_path);
    free(data_path);
    munmap(p.base, p.cap);
    if (delta > 0)
        fail_msg("%ld bytes of the library's live memory are in malloc's "
                 "heap, not the hook's",
                 delta);
}

/* ---- allocation failures ----------------------------------------------------------------- */

static const char small_schema[] =
    "schema Customer {\n"
    "  id         : int key\n"
    "  email      : string\n"
    "  country    : string\n"
    "  region     : enum(EU, NA, APAC)\n"
    "  industry   : string?\n"
    "  signup     : date\n"
    "  last_login : timestamp?\n"
    "  orders     : int\n"
    "  revenue    : money(EUR)\n"
    "  rating     : float?\n"
    "  newsletter : bool\n"
    "  tags       : set<string>\n"
    "}\n";

static const char small_rules[] =
    "# Ordered twice or more.\n"
    "segment Repeat where orders >= 2\n"
    "segment Dach where country in [\"DE\", \"AT\", \"CH\"] and region = EU\n"
    "segment Big where revenue > 0.8 * 200 EUR or revenue between 10 EUR and "
    "20.50 EUR\n"
    "segment Vip where \"vip\" in tags and rating >= 4.5\n"
    "segment Recent where last_login < 30d or signup > 2024-01-01\n"
    "segment NoIndustry where industry is null and not newsletter\n";

/* one column the schema does not know (a warning) */
static const char small_csv[] =
    "id,email,country,region,industry,signup,last_login,orders,revenue,"
    "rating,newsletter,tags,notes\n"
    "1,a@x.de,DE,EU,Retail,2023-05-01,2024-03-20T10:00:00Z,3,170.00,4.5,"
    "true,vip;student,hi\n"
    "2,b@x.com,US,NA,,2024-02-01,,1,15.25,,false,,\n"
    "3,c@x.at,AT,EU,,2022-01-01,2024-01-01T00:00:00Z,0,0.00,3.0,false,"
    "vip,\"a, b\"\n"
    "4,d@x.ch,CH,EU,Banking,2024-03-01,2024-03-31T23:59:59Z,7,9999.99,4.9,"
    "true,vip;loyal;student,\n";

#define SMALL_AS_OF INT64_C(1711929600) /* 2024-04-01T00:00:00Z */

static const size_t small_counts[] = {2, 3, 3, 2, 3, 2};

typedef struct oom_stats {
    long steps_failed[8];
    long other_status[8];
} oom_stats;

enum { ST_CTX, ST_SCHEMA, ST_COMPILE, ST_LOAD, ST_EVAL, ST_MEMBERS, ST_DUMP };
static const char *const step_names[] = {"ctx_new", "schema_load",
                                         "compile", "data_load_csv",
                                         "eval", "write_members",
                                         "diag_print_all"};

/* Runs one step; when the hook failed inside it, checks the status and
 * retries it with the hook healthy. Returns the final status. */
#define STEP(id, call, out_ptr)                                              \
    do {                                                                     \
        long f0 = h->failures;                                               \
        segc_status st_ = (call);                                            \
        if (h->failures > f0) {                                              \
            failed_step = id;                                                \
            if (st_ != SEGC_ERR_NOMEM)                                       \
                fail_msg("%s: the hook failed allocation %ld, and the call " \
                         "returned %d, not SEGC_ERR_NOMEM",                  \
                         step_names[id], h->fail_at, (int)st_);              \
            if ((out_ptr) != NULL)                                           \
                fail_msg("%s: failed with NOMEM but left an object in *out " \
                         "(it would leak)",                                  \
                         step_names[id]);                                    \
            h->fail_at = 0;                                                  \
            segc_diag_clear(ctx);                                            \
            st_ = (call);                                                    \
        }                                                                    \
        if (st_ != SEGC_OK)                                                  \
            fail_msg("%s: status %d (fail_at %ld): %s", step_names[id],      \
                     (int)st_, h->fail_at,                                   \
                     segc_diag_count(ctx)                                    \
                         ? segc_diag_get(ctx, 0)->message                    \
                         : "(no diagnostic)");                               \
    } while (0)

/* The whole pipeline with the hook set to fail allocation number fail_at.
 * Returns the step that saw the failure, or -1 when none did. */
static int small_pipeline(hook *h, const char *schema_path,
                          const char *csv_path)
{
    int failed_step = -1;
    segc_ctx *ctx = segc_ctx_new(hook_fn, h);
    if (!ctx) {
        assert_int_equal(h->failures, 1);
        assert_int_equal(h->calls, 1);
        return ST_CTX;
    }
    segc_schema *sch = NULL;
    STEP(ST_SCHEMA, segc_schema_load(ctx, schema_path, &sch), sch);
    assert_int_equal(segc_schema_field_count(sch), 12);
    segc_program *prog = NULL;
    STEP(ST_COMPILE,
         segc_compile(ctx, sch, "small.seg", small_rules,
                      sizeof small_rules - 1, NULL, &prog),
         prog);
    assert_int_equal(segc_program_segment_count(prog), 6);
    assert_string_equal(segc_program_segment_description(prog, 0),
                        "Ordered twice or more.");
    segc_data *data = NULL;
    segc_load_stats ls;
    STEP(ST_LOAD, segc_data_load_csv(ctx, sch, csv_path, NULL, &data, &ls),
         data);
    assert_int_equal(segc_data_count(data), 4);
    assert_int_equal(ls.loaded, 4);
    segc_result *res = NULL;
    STEP(ST_EVAL, segc_eval(ctx, prog, data, SMALL_AS_OF, &interp, &res),
         res);
    for (size_t i = 0; i < 6; i++)
        if (segc_result_count(res, i) != small_counts[i])
            fail_msg("segment %s: %zu members, expected %zu",
                     segc_program_segment_name(prog, i),
                     segc_result_count(res, i), small_counts[i]);
    char *text = NULL;
    size_t n = 0;
    FILE *mf = open_memstream(&text, &n);
    void *none = NULL;
    STEP(ST_MEMBERS, segc_result_write_members(ctx, res, data, 3, mf), none);
    fclose(mf);
    assert_string_equal(text, "id\n1\n4\n");
    free(text);
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    return failed_step;
}

static void test_allocation_failure_injection(void **state)
{
    char *schema_path = temp_file(small_schema);
    char *csv_path = temp_file(small_csv);
    /* a healthy run first: the expected results, and the number of calls */
    hook h = {0};
    assert_int_equal(small_pipeline(&h, schema_path, csv_path), -1);
    assert_hook_clean(&h);
    long total = h.calls;
    assert_true(total > 50);

    long per_step[8] = {0};
    long n, bad_sizes = 0, first_bad = 0;
    for (n = 1;; n++) {
        hook k = {0};
        k.fail_at = n;
        int step = small_pipeline(&k, schema_path, csv_path);
        /* a wrong old size is noted, and the loop goes on */
        if (k.bad_size && !bad_sizes++)
            first_bad = n;
        k.bad_size = false;
        assert_hook_clean(&k);
        if (step < 0) {
            assert_int_equal(k.failures, 0);
            break;
        }
        assert_int_equal(k.failures, 1);
        per_step[step]++;
        if (n > 10 * total)
            fail_msg("no end to the allocations");
    }
    unlink(schema_path);
    unlink(csv_path);
    free(schema_path);
    free(csv_path);
    if (bad_sizes)
        fail_msg("in %ld of the runs (the first: failing allocation %ld) the "
                 "library passed the hook a wrong old size",
                 bad_sizes, first_bad);
    /* every allocation of the healthy run was made to fail once */
    assert_true(n > total);
    assert_int_equal(per_step[ST_CTX], 1);
    assert_true(per_step[ST_SCHEMA] > 0);
    assert_true(per_step[ST_COMPILE] > 0);
    assert_true(per_step[ST_LOAD] > 0);
    assert_true(per_step[ST_EVAL] > 0);
}

/* A context that saw an error (here: out of memory) must stay usable for
 * every entry point without the host clearing its diagnostics. */
static void test_context_usable_after_errors(void **state)
{
    /* statuses are taken first and checked after cleaning up */
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    size_t slen;
    char *stext = example_text("customer.schema", &slen);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_parse(ctx, "customer.schema", stext, slen,
                                       &sch),
                     SEGC_OK);
    /* a failed compile leaves an error behind */
    segc_program *prog = NULL;
    segc_status bad = segc_compile(ctx, sch, "r.seg", "segment A where x", 17,
                                   NULL, &prog);
    size_t errors_before = segc_diag_errors(ctx);
    /* a good schema still parses, a good program still compiles */
    segc_schema *sch2 = NULL;
    segc_status st_schema =
        segc_schema_parse(ctx, "again.schema", stext, slen, &sch2);
    size_t errors_after = segc_diag_errors(ctx);
    segc_program *prog2 = NULL;
    segc_status st_compile = segc_compile(
        ctx, sch, "r.seg", "segment A where orders > 1", 26, NULL, &prog2);
    segc_program_free(ctx, prog2);
    segc_schema_free(ctx, sch2);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(stext);
    assert_hook_clean(&h);

    assert_int_equal(bad, SEGC_ERR_COMPILE);
    assert_null(prog);
    assert_int_equal(errors_before, 1);
    assert_int_equal(st_compile, SEGC_OK);
    assert_non_null(prog2);
    assert_int_equal(st_schema, SEGC_OK);
    assert_non_null(sch2);
    assert_int_equal(errors_after, 1); /* nothing new */
}

/* ---- diagnostics --------------------------------------------------------------------------- */

static char *print_to_string(const segc_ctx *ctx, long i)
{
    static char buf[4096];
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    if (i < 0)
        segc_diag_print_all(ctx, f);
    else
        segc_diag_print(ctx, (size_t)i, f);
    fclose(f);
    return buf;
}

static void test_diagnostics(void **state)
{
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    size_t slen;
    char *stext = example_text("customer.schema", &slen);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_parse(ctx, NULL, stext, slen, &sch), SEGC_OK);
    assert_int_equal(segc_diag_count(ctx), 0);
    assert_int_equal(segc_diag_errors(ctx), 0);
    assert_null(segc_diag_get(ctx, 0));

    static const char rules[] =
        "# Dormant customers\n"
        "\n"
        "segment Dormant where last_ordr > 90d\n"
        "segment Big where revenue > 50000\n"
        "segment R\xc3\xa9 where orders > 1\n";
    segc_program *prog = (segc_program *)&prog; /* overwritten with NULL */
    assert_int_equal(segc_compile(ctx, sch, "rules.seg", rules,
                                  sizeof rules - 1, NULL, &prog),
                     SEGC_ERR_COMPILE);
    assert_null(prog);
    assert_int_equal(segc_diag_errors(ctx), 3);
    assert_int_equal(segc_diag_count(ctx), 3);

    const segc_diag *d = segc_diag_get(ctx, 0);
    assert_non_null(d);
    assert_int_equal(d->severity, SEGC_SEV_ERROR);
    assert_string_equal(d->file, "rules.seg");
    assert_int_equal(d->line, 3);
    assert_int_equal(d->column, 23);
    assert_int_equal(d->end_line, 3);
    assert_int_equal(d->end_column, 31);
    assert_string_equal(d->message,
                        "unknown name 'last_ordr'; did you mean "
                        "'last_order'?");
    assert_string_equal(d->fix, "last_order");
    assert_string_equal(d->line_text, "segment Dormant where last_ordr > 90d");
    assert_string_equal(print_to_string(ctx, 0),
                        "rules.seg:3:23: error: unknown name 'last_ordr'; "
                        "did you mean 'last_order'?\n"
                        "    3 | segment Dormant where last_ordr > 90d\n"
                        "      |                       ^~~~~~~~~\n"
                        "      |                       last_order\n");

    d = segc_diag_get(ctx, 1);
    assert_int_equal(d->line, 4);
    assert_int_equal(d->column, 29);
    assert_int_equal(d->end_column, 33);
    assert_string_equal(d->fix, "50000 EUR");
    assert_string_equal(print_to_string(ctx, 1),
                        "rules.seg:4:29: error: cannot compare 'revenue' "
                        "(money(EUR)) with a bare number; write 50000 EUR\n"
                        "    4 | segment Big where revenue > 50000\n"
                        "      |                             ^~~~~\n"
                        "      |                             50000 EUR\n");

    /* (line 5 is checked in test_diagnostics_multibyte) */
    assert_int_equal(segc_diag_get(ctx, 2)->line, 5);
    assert_null(segc_diag_get(ctx, 3));
    char *all = print_to_string(ctx, -1);
    assert_int_equal(strncmp(all, "rules.seg:3:23: error: unknown name", 35),
                     0);
    assert_non_null(strstr(all, "rules.seg:4:29: error"));
    assert_non_null(strstr(all, "rules.seg:5:10: error"));
    /* out of range: prints nothing */
    assert_string_equal(print_to_string(ctx, 99), "");

    segc_diag_clear(ctx);
    assert_int_equal(segc_diag_count(ctx), 0);
    assert_int_equal(segc_diag_errors(ctx), 0);
    assert_null(segc_diag_get(ctx, 0));
    assert_string_equal(print_to_string(ctx, -1), "");

    /* diagnostics without a place, and a warning that is not an error */
    segc_data *data = NULL;
    assert_int_equal(segc_data_load_csv(ctx, sch, "/nonexistent/x.csv", NULL,
                                        &data, NULL),
                     SEGC_ERR_IO);
    assert_null(data);
    assert_int_equal(segc_diag_count(ctx), 1);
    d = segc_diag_get(ctx, 0);
    assert_int_equal(d->line, 0);
    assert_string_equal(d->file, "/nonexistent/x.csv");
    assert_string_equal(print_to_string(ctx, 0),
                        "/nonexistent/x.csv: error: cannot open "
                        "'/nonexistent/x.csv': No such file or directory\n");
    segc_diag_clear(ctx);

    /* an unnamed source is "<input>" */
    assert_int_equal(segc_compile(ctx, sch, NULL, "segment A where", 15, NULL,
                                  &prog),
                     SEGC_ERR_COMPILE);
    assert_string_equal(segc_diag_get(ctx, 0)->file, "<input>");

    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(stext);
    assert_hook_clean(&h);
}

/* Columns count characters: a span that is one two-byte character is one
 * column wide, and its caret one character. */
static void test_diagnostics_multibyte(void **state)
{
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    size_t slen;
    char *stext = example_text("customer.schema", &slen);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_parse(ctx, NULL, stext, slen, &sch), SEGC_OK);
    static const char rules[] = "segment R\xc3\xa9 where orders > 1\n"
                                "segment Q where country = \xe2\x80\x9c" "DE\xe2\x80\x9d\n";
    segc_program *prog = NULL;
    segc_status st = segc_compile(ctx, sch, "rules.seg", rules,
                                  sizeof rules - 1, NULL, &prog);
    size_t n = segc_diag_count(ctx);
    segc_diag d0 = {0}, d1 = {0};
    if (n > 0)
        d0 = *segc_diag_get(ctx, 0);
    if (n > 1)
        d1 = *segc_diag_get(ctx, 1);
    char *p0 = strdup(print_to_string(ctx, 0));
    char *p1 = strdup(print_to_string(ctx, 1));
    char *m0 = strdup(d0.message ? d0.message : "");
    char *m1 = strdup(d1.message ? d1.message : "");
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(stext);
    assert_hook_clean(&h);

    bool ok = st == SEGC_ERR_COMPILE && n >= 2 &&
              strcmp(m0, "unexpected character '\xc3\xa9' (U+00E9)") == 0 &&
              strcmp(m1, "unexpected typographic quote '\xe2\x80\x9c' "
                         "(U+201C); strings use plain double quotes \"") == 0;
    bool p0_ok = strcmp(p0, "rules.seg:1:10: error: unexpected character "
                            "'\xc3\xa9' (U+00E9)\n"
                            "    1 | segment R\xc3\xa9 where orders > 1\n"
                            "      |          ^\n") == 0;
    bool p1_ok = strstr(p1, "\n      |                           ^\n") != NULL;
    if (!p0_ok)
        fprintf(stderr, "got:\n%s", p0);
    free(p0);
    free(p1);
    free(m0);
    free(m1);
    assert_true(ok);
    assert_int_equal(d0.line, 1);
    assert_int_equal(d0.column, 10);
    assert_int_equal(d0.end_line, 1);
    assert_int_equal(d0.end_column, 10);
    assert_int_equal(d1.line, 2);
    assert_int_equal(d1.column, 27);
    assert_int_equal(d1.end_column, 27);
    assert_true(p0_ok);
    assert_true(p1_ok);
}

/* Diagnostics come sorted by place; a note stays behind its error even when
 * it points at an earlier line. */
static void test_diagnostics_sorted_with_notes(void **state)
{
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    size_t slen;
    char *stext = example_text("customer.schema", &slen);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_parse(ctx, NULL, stext, slen, &sch), SEGC_OK);
    static const char rules[] = "segment A where orders > 1\n"
                                "segment B where x\n"
                                "segment A where orders > 2\n"
                                "segment C where orders >\n";
    segc_program *prog = NULL;
    assert_int_equal(segc_compile(ctx, sch, "d.seg", rules, sizeof rules - 1,
                                  NULL, &prog),
                     SEGC_ERR_COMPILE);
    assert_int_equal(segc_diag_count(ctx), 4);
    assert_int_equal(segc_diag_errors(ctx), 3);
    static const struct {
        segc_severity sev;
        unsigned line, col;
        const char *msg;
    } want[] = {
        {SEGC_SEV_ERROR, 2, 17,
         "unknown name 'x' (not a field of schema 'Customer', nor a "
         "segment, parameter, named value or constant)"},
        {SEGC_SEV_ERROR, 3, 9, "'A' is declared twice"},
        {SEGC_SEV_NOTE, 1, 9, "the other declaration of 'A'"},
        {SEGC_SEV_ERROR, 4, 24,
         "syntax error: expected an expression at the end of the file"},
    };
    for (size_t i = 0; i < 4; i++) {
        const segc_diag *d = segc_diag_get(ctx, i);
        assert_int_equal(d->severity, want[i].sev);
        assert_int_equal(d->line, want[i].line);
        assert_int_equal(d->column, want[i].col);
        assert_string_equal(d->message, want[i].msg);
    }
    assert_string_equal(print_to_string(ctx, 2),
                        "d.seg:1:9: note: the other declaration of 'A'\n"
                        "    1 | segment A where orders > 1\n"
                        "      |         ^\n");
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(stext);
    assert_hook_clean(&h);
}

/* ---- schema introspection ------------------------------------------------------------------- */

typedef struct want_info {
    const char *name;
    segc_type type;
    int nullable, is_key;
    size_t offset, size;
    int null_bit;
} want_info;

static void test_schema_introspection(void **state)
{
    static const want_info want[] = {
        {"id", SEGC_TYPE_INT, 0, 1, 0, 8, -1},
        {"email", SEGC_TYPE_STRING, 0, 0, 80, 4, -1},
        {"country", SEGC_TYPE_STRING, 0, 0, 84, 4, -1},
        {"region", SEGC_TYPE_ENUM, 0, 0, 88, 4, -1},
        {"account_type", SEGC_TYPE_ENUM, 0, 0, 92, 4, -1},
        {"industry", SEGC_TYPE_STRING, 1, 0, 96, 4, 0},
        {"employees", SEGC_TYPE_INT, 1, 0, 8, 8, 1},
        {"signup", SEGC_TYPE_DATE, 0, 0, 100, 4, -1},
        {"last_login", SEGC_TYPE_TIMESTAMP, 1, 0, 16, 8, 2},
        {"last_order", SEGC_TYPE_DATE, 1, 0, 104, 4, 3},
        {"orders", SEGC_TYPE_INT, 0, 0, 24, 8, -1},
        {"revenue", SEGC_TYPE_MONEY, 0, 0, 32, 8, -1},
        {"revenue_ytd", SEGC_TYPE_MONEY, 0, 0, 40, 8, -1},
        {"cart_items", SEGC_TYPE_INT, 0, 0, 48, 8, -1},
        {"cart_updated", SEGC_TYPE_TIMESTAMP, 1, 0, 56, 8, 4},
        {"coupon_orders", SEGC_TYPE_INT, 0, 0, 64, 8, -1},
        {"avg_rating", SEGC_TYPE_FLOAT, 1, 0, 72, 8, 5},
        {"newsletter", SEGC_TYPE_BOOL, 0, 0, 112, 1, -1},
        {"tags", SEGC_TYPE_SET, 0, 0, 108, 4, -1},
    };
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    size_t slen;
    char *stext = example_text("customer.schema", &slen);
    segc_schema *sch = NULL;
    assert_int_equal(segc_schema_parse(ctx, "customer.schema", stext, slen,
                                       &sch),
                     SEGC_OK);
    assert_string_equal(segc_schema_name(sch), "Customer");
    assert_int_equal(segc_schema_field_count(sch), 19);
    assert_int_equal(segc_schema_record_size(sch), 120);
    assert_int_equal(segc_schema_key_field(sch), 0);
    for (size_t i = 0; i < 19; i++) {
        segc_field_info fi;
        memset(&fi, 0xAB, sizeof fi);
        assert_int_equal(segc_schema_field(sch, i, &fi), SEGC_OK);
        assert_string_equal(fi.name, want[i].name);
        assert_int_equal(fi.type, want[i].type);
        assert_int_equal(fi.nullable, want[i].nullable);
        assert_int_equal(fi.is_key, want[i].is_key);
        assert_int_equal(fi.offset, want[i].offset);
        assert_int_equal(fi.size, want[i].size);
        assert_int_equal(fi.null_bit, want[i].null_bit);
        if (want[i].type == SEGC_TYPE_MONEY) {
            assert_string_equal(fi.currency, "EUR");
            assert_int_equal(fi.decimals, 2);
        } else {
            assert_null(fi.currency);
            assert_int_equal(fi.decimals, 0);
        }
    }
    segc_field_info fi;
    assert_int_equal(segc_schema_field(sch, 19, &fi), SEGC_ERR_ARG);
    assert_int_equal(segc_schema_field(sch, SIZE_MAX, &fi), SEGC_ERR_ARG);

    /* a program keeps its own copy, with the same layout */
    segc_program *prog = NULL;
    assert_int_equal(segc_compile(ctx, sch, "r.seg",
                                  "segment A where orders > 1", 26, NULL,
                                  &prog),
                     SEGC_OK);
    const segc_schema *ps = segc_program_schema(prog);
    assert_true(ps != sch);
    assert_true(segc_schema_fingerprint(ps) == segc_schema_fingerprint(sch));
    assert_int_equal(segc_schema_record_size(ps), 120);
    assert_int_equal(segc_schema_field(ps, 11, &fi), SEGC_OK);
    assert_string_equal(fi.name, "revenue");
    assert_string_equal(fi.currency, "EUR");
    segc_schema_free(ctx, sch); /* the program does not need it */
    assert_int_equal(segc_schema_field(ps, 18, &fi), SEGC_OK);
    assert_string_equal(fi.name, "tags");
    segc_program_free(ctx, prog);

    /* other currencies, a string key */
    static const char other[] = "schema Shop {\n"
                                "  code  : string key\n"
                                "  yen   : money(JPY)\n"
                                "  fils  : money(KWD)?\n"
                                "  flag  : bool?\n"
                                "}\n";
    assert_int_equal(segc_schema_parse(ctx, "shop.schema", other,
                                       sizeof other - 1, &sch),
                     SEGC_OK);
    assert_int_equal(segc_schema_key_field(sch), 0);
    assert_int_equal(segc_schema_field(sch, 0, &fi), SEGC_OK);
    assert_int_equal(fi.type, SEGC_TYPE_STRING);
    assert_int_equal(fi.offset, 16);
    assert_int_equal(segc_schema_field(sch, 1, &fi), SEGC_OK);
    assert_string_equal(fi.currency, "JPY");
    assert_int_equal(fi.decimals, 0);
    assert_int_equal(fi.offset, 0);
    assert_int_equal(segc_schema_field(sch, 2, &fi), SEGC_OK);
    assert_string_equal(fi.currency, "KWD");
    assert_int_equal(fi.decimals, 3);
    assert_int_equal(fi.null_bit, 0);
    assert_int_equal(segc_schema_field(sch, 3, &fi), SEGC_OK);
    assert_int_equal(fi.type, SEGC_TYPE_BOOL);
    assert_int_equal(fi.offset, 20);
    assert_int_equal(fi.null_bit, 1);
    assert_int_equal(segc_schema_record_size(sch), 24);
    segc_schema_free(ctx, sch);

    /* a schema with errors gives no schema */
    sch = (segc_schema *)&sch;
    assert_int_equal(segc_schema_parse(ctx, "bad.schema",
                                       "schema S { a : int }", 20, &sch),
                     SEGC_ERR_COMPILE);
    assert_null(sch);
    segc_ctx_free(ctx);
    free(stext);
    assert_hook_clean(&h);
}

/* ---- instants ------------------------------------------------------------------------------ */

static void test_parse_instant(void **state)
{
    int64_t t = 0;
    int is_date = -1;
    assert_int_equal(segc_parse_instant("2024-01-31", &t, &is_date), 0);
    assert_true(t == 1706659200);
    assert_int_equal(is_date, 1);
    assert_int_equal(segc_parse_instant("2024-01-31T10:00:00Z", &t, &is_date),
                     0);
    assert_true(t == 1706695200);
    assert_int_equal(is_date, 0);
    assert_int_equal(segc_parse_instant("2024-01-31T11:00+01:00", &t, NULL), 0);
    assert_true(t == 1706695200);
    assert_int_equal(segc_parse_instant("2024-01-31 10:00:00.000Z", &t, NULL),
                     0);
    assert_true(t == 1706695200);
    assert_int_equal(segc_parse_instant("1970-01-01", &t, NULL), 0);
    assert_true(t == 0);
    assert_int_equal(segc_parse_instant("1969-12-31T23:59:59Z", &t, NULL), 0);
    assert_true(t == -1);
    assert_int_equal(segc_parse_instant("0001-01-01", &t, NULL), 0);
    assert_true(t == INT64_C(-62135596800));
    assert_int_equal(segc_parse_instant("9999-12-31T23:59:59Z", &t, NULL), 0);
    assert_true(t == INT64_C(253402300799));

    t = 42;
    is_date = 7;
    assert_int_equal(segc_parse_instant("2024-01-31T10:00:00", &t, &is_date),
                     -1);
    assert_int_equal(segc_parse_instant("2024-02-30", &t, &is_date), -1);
    assert_int_equal(segc_parse_instant("2024-1-31", &t, &is_date), -1);
    assert_int_equal(segc_parse_instant("now", &t, &is_date), -1);
    assert_int_equal(segc_parse_instant("", &t, &is_date), -1);
    assert_int_equal(segc_parse_instant("2024-01-31T10:00:00.5Z", &t,
                                        &is_date),
                     -1);
    assert_true(t == 42);
    assert_int_equal(is_date, 7);
}

static void test_format_instant(void **state)
{
    char b[32];
    assert_int_equal(segc_format_instant(1706659200, b, sizeof b), 10);
    assert_string_equal(b, "2024-01-31");
    assert_int_equal(segc_format_instant(1706695200, b, sizeof b), 20);
    assert_string_equal(b, "2024-01-31T10:00:00Z");
    assert_int_equal(segc_format_instant(0, b, sizeof b), 10);
    assert_string_equal(b, "1970-01-01");
    assert_int_equal(segc_format_instant(-1, b, sizeof b), 20);
    assert_string_equal(b, "1969-12-31T23:59:59Z");
    assert_int_equal(segc_format_instant(-86400, b, sizeof b), 10);
    assert_string_equal(b, "1969-12-31");
    assert_int_equal(segc_format_instant(-86399, b, sizeof b), 20);
    assert_string_equal(b, "1969-12-31T00:00:01Z");
    assert_int_equal(segc_format_instant(INT64_C(-62135596800), b, sizeof b),
                     10);
    assert_string_equal(b, "0001-01-01");
    assert_int_equal(segc_format_instant(INT64_C(253402300799), b, sizeof b),
                     20);
    assert_string_equal(b, "9999-12-31T23:59:59Z");

    /* round trips */
    static const int64_t ts[] = {0, 1, -1, 86399, 86400, 1706695200,
                                 1706659200, -62135596800, 253402300799,
                                 951782400 /* 2000-02-29 */};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        int64_t back = 12345;
        int is_date;
        segc_format_instant(ts[i], b, sizeof b);
        assert_int_equal(segc_parse_instant(b, &back, &is_date), 0);
        assert_true(back == ts[i]);
        assert_int_equal(is_date, ts[i] % 86400 == 0);
    }
}

/* ---- misc ------------------------------------------------------------------------------------ */

static void test_misc_api(void **state)
{
    assert_string_equal(segc_version(), SEGC_VERSION_STRING);
    assert_string_equal(segc_version(), "0.1.0");

    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    /* an inline schema; a program with a description */
    static const char rules[] = "schema S {\n"
                                "  k : string key\n"
                                "  n : int?\n"
                                "}\n"
                                "# Big n\n"
                                "segment Big where n > 10\n"
                                "segment Missing where n is null\n";
    segc_program *prog = NULL;
    assert_int_equal(segc_compile(ctx, NULL, "inline.seg", rules,
                                  sizeof rules - 1, NULL, &prog),
                     SEGC_OK);
    assert_int_equal(segc_program_segment_count(prog), 2);
    assert_string_equal(segc_program_segment_name(prog, 0), "Big");
    assert_string_equal(segc_program_segment_description(prog, 0), "Big n");
    assert_null(segc_program_segment_description(prog, 1));
    assert_null(segc_program_segment_name(prog, 2));
    assert_null(segc_program_segment_description(prog, 2));
    char *dump = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&dump, &n);
    segc_program_dump(prog, f);
    fclose(f);
    assert_string_equal(dump, "Big: (> n 10)\nMissing: (is_null n)\n");
    free(dump);

    /* data with a string key that needs quoting */
    char *path = temp_file("k,n\n\"a,b\",11\nplain,\n\"say \"\"hi\"\"\",3\n");
    const segc_schema *sch = segc_program_schema(prog);
    segc_data *data = NULL;
    segc_load_stats st;
    assert_int_equal(segc_data_load_csv(ctx, sch, path, NULL, &data, &st),
                     SEGC_OK);
    assert_int_equal(st.rows, 3);
    assert_int_equal(segc_data_count(data), 3);
    assert_non_null(segc_data_records(data));
    segc_result *res = NULL;
    assert_int_equal(segc_eval(ctx, prog, data, 0, &interp, &res), SEGC_OK);
    segc_timing tm;
    segc_result_timing(res, &tm);
    assert_int_equal(tm.engine, SEGC_ENGINE_INTERP);
    assert_int_equal(segc_result_count(res, 0), 1);
    assert_int_equal(segc_result_count(res, 1), 1);
    assert_int_equal(segc_result_count(res, 2), 0);
    assert_null(segc_result_bitmap(res, 2));
    assert_true(segc_result_bitmap(res, 0)[0] == 1);
    assert_true(segc_result_bitmap(res, 1)[0] == 2);
    char *keys = NULL;
    f = open_memstream(&keys, &n);
    assert_int_equal(segc_result_write_members(ctx, res, data, 0, f), SEGC_OK);
    assert_int_equal(segc_result_write_members(ctx, res, data, 1, f), SEGC_OK);
    assert_int_equal(segc_result_write_members(ctx, res, data, 2, f),
                     SEGC_ERR_ARG);
    segc_data_write_key(data, 2, f);
    segc_data_write_key(data, 3, f); /* out of range: nothing */
    fclose(f);
    assert_string_equal(keys, "k\n\"a,b\"\nk\nplain\n\"say \"\"hi\"\"\"");
    free(keys);

    /* an unknown engine */
    segc_eval_opts bad = {.engine = (segc_engine)42};
    segc_result *r2 = (segc_result *)&r2;
    assert_int_equal(segc_eval(ctx, prog, data, 0, &bad, &r2), SEGC_ERR_ARG);
    assert_null(r2);

    /* data of another layout */
    static const char other_rules[] =
        "schema T { k : string key  n : float? }\nsegment A where n > 1";
    segc_program *other = NULL;
    assert_int_equal(segc_compile(ctx, NULL, "o.seg", other_rules,
                                  sizeof other_rules - 1, NULL, &other),
                     SEGC_OK);
    r2 = (segc_result *)&r2;
    assert_int_equal(segc_eval(ctx, other, data, 0, &interp, &r2),
                     SEGC_ERR_ARG);
    assert_null(r2);
    segc_program_free(ctx, other);

    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_result_free(ctx, NULL);
    segc_data_free(ctx, NULL);
    segc_program_free(ctx, NULL);
    segc_schema_free(ctx, NULL);
    segc_ctx_free(ctx);
    unlink(path);
    free(path);
    assert_hook_clean(&h);
}

/* ---- the JIT ---------------------------------------------------------------------------- */

/* The JIT engine gives the interpreter's results, and its own bookkeeping
 * (not LLVM's, which has its own allocator) goes through the hook. */
static void test_jit_matches_interpreter(void **state)
{
    hook h = {0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    example_run a = {0}, b = {0};
    run_example(ctx, &interp, &a);
    static const segc_eval_opts jit = {.engine = SEGC_ENGINE_JIT};
    const char *err = example_core(ctx, &jit, &b);
    if (err)
        fail_msg("JIT: %s: %s", err,
                 segc_diag_count(ctx) ? segc_diag_get(ctx, 0)->message : "-");
    assert_example_counts(&b);
    assert_memory_equal(a.counts, b.counts, sizeof a.counts);
    assert_memory_equal(a.words, b.words, sizeof a.words);
    assert_string_equal(a.members, b.members);
    free(a.members);
    free(b.members);
    segc_ctx_free(ctx);
    assert_hook_clean(&h);
}

/* Allocation failures inside segc_program_jit and a JIT evaluation. */
static void test_jit_allocation_failures(void **state)
{
    char *csv_path = temp_file(small_csv);
    static const segc_eval_opts jit = {.engine = SEGC_ENGINE_JIT};
    bool done = false;
    long injected = 0;
    for (long k = 1; k < 500 && !done; k++) {
        hook h = {0};
        segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
        segc_schema *sch = NULL;
        assert_int_equal(segc_schema_parse(ctx, "s", small_schema,
                                           sizeof small_schema - 1, &sch),
                         SEGC_OK);
        segc_program *prog = NULL;
        assert_int_equal(segc_compile(ctx, sch, "r", small_rules,
                                      sizeof small_rules - 1, NULL, &prog),
                         SEGC_OK);
        segc_data *data = NULL;
        assert_int_equal(segc_data_load_csv(ctx, sch, csv_path, NULL, &data,
                                            NULL),
                         SEGC_OK);
        h.fail_at = h.calls + k;
        segc_status st1 = segc_program_jit(ctx, prog);
        long f1 = h.failures;
        segc_result *res = NULL;
        segc_status st2 = st1 == SEGC_OK
                              ? segc_eval(ctx, prog, data, SMALL_AS_OF, &jit,
                                          &res)
                              : SEGC_OK;
        long f2 = h.failures - f1;
        size_t counts[6] = {0};
        if (res)
            for (size_t i = 0; i < 6; i++)
                counts[i] = segc_result_count(res, i);
        segc_result_free(ctx, res);
        segc_data_free(ctx, data);
        segc_program_free(ctx, prog);
        segc_schema_free(ctx, sch);
        segc_ctx_free(ctx);
        assert_hook_clean(&h);
        injected += f1 || f2;
        if (f1) {
            assert_int_equal(st1, SEGC_ERR_NOMEM);
        } else if (f2) {
            assert_int_equal(st2, SEGC_ERR_NOMEM);
            assert_null(res);
        } else {
            assert_int_equal(st1, SEGC_OK);
            assert_int_equal(st2, SEGC_OK);
            assert_memory_equal(counts, small_counts, sizeof counts);
            done = true;
        }
    }
    unlink(csv_path);
    free(csv_path);
    assert_true(done);
    assert_true(injected >= 3); /* the context's JIT, the code, the run */
}

/* ---- threads -------------------------------------------------------------------------------- */

typedef struct worker {
    pthread_t t;
    example_run runs[3];
    hook h;
    const char *err;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    segc_ctx *ctx = segc_ctx_new(hook_fn, &w->h);
    if (!ctx) {
        w->err = "ctx_new";
        return NULL;
    }
    for (int i = 0; i < 3 && !w->err; i++)
        w->err = example_core(ctx, &interp, &w->runs[i]);
    segc_ctx_free(ctx);
    return NULL;
}

static void test_two_threads(void **state)
{
    worker w[2];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(w[i].t, NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (w[i].err)
            fail_msg("thread %d failed at %s", i, w[i].err);
        assert_hook_clean(&w[i].h);
        for (int k = 0; k < 3; k++) {
            example_run *r = &w[i].runs[k];
            assert_example_counts(r);
            assert_memory_equal(r->counts, w[0].runs[0].counts,
                                sizeof r->counts);
            assert_memory_equal(r->words, w[0].runs[0].words,
                                sizeof r->words);
            assert_string_equal(r->members, w[0].runs[0].members);
        }
    }
    /* the same allocations in both: nothing depends on timing */
    assert_int_equal(w[0].h.allocs, w[1].h.allocs);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++)
            free(w[i].runs[k].members);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counting_hook_example),
        cmocka_unit_test(test_default_allocator),
        cmocka_unit_test(test_no_allocation_bypasses_hook),
        cmocka_unit_test(test_allocation_failure_injection),
        cmocka_unit_test(test_context_usable_after_errors),
        cmocka_unit_test(test_diagnostics),
        cmocka_unit_test(test_diagnostics_multibyte),
        cmocka_unit_test(test_diagnostics_sorted_with_notes),
        cmocka_unit_test(test_schema_introspection),
        cmocka_unit_test(test_parse_instant),
        cmocka_unit_test(test_format_instant),
        cmocka_unit_test(test_misc_api),
        cmocka_unit_test(test_jit_matches_interpreter),
        cmocka_unit_test(test_jit_allocation_failures),
        cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
