/* test_explain.c - the explanations API (segc.h, explanations): the
 * membership an explanation shows is segc_eval's for every record and
 * segment of examples/shop.seg, keys are found, selections are checked,
 * and every allocation failure is clean. Run from the repository root. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segc.h"

#define AS_OF_2026_11_23 INT64_C(1795392000) /* 2026-11-23T00:00:00Z */

static const char *const libs[] = {"stdlib"};

/* the shop's rules over the example customers */
typedef struct shop {
    segc_ctx *ctx;
    segc_schema *sch;
    segc_program *prog;
    segc_data *data;
} shop;

static void shop_open(shop *s, segc_alloc_fn fn, void *ud)
{
    memset(s, 0, sizeof *s);
    s->ctx = segc_ctx_new(fn, ud);
    assert_non_null(s->ctx);
    assert_int_equal(segc_schema_load(s->ctx, "examples/customer.schema",
                                      &s->sch),
                     SEGC_OK);
    segc_compile_opts o = {0};
    o.lib_paths = libs;
    o.nlib_paths = 1;
    assert_int_equal(segc_compile_file(s->ctx, s->sch, "examples/shop.seg", &o,
                                       &s->prog),
                     SEGC_OK);
    assert_int_equal(segc_data_load_csv(s->ctx, s->sch,
                                        "examples/customers.csv", NULL,
                                        &s->data, NULL),
                     SEGC_OK);
}

static void shop_close(shop *s)
{
    segc_data_free(s->ctx, s->data);
    segc_program_free(s->ctx, s->prog);
    segc_schema_free(s->ctx, s->sch);
    segc_ctx_free(s->ctx);
}

static bool has_diag(const segc_ctx *ctx, const char *text)
{
    for (size_t i = 0; i < segc_diag_count(ctx); i++)
        if (strstr(segc_diag_get(ctx, i)->message, text))
            return true;
    return false;
}

/* ---- membership ------------------------------------------------------------------ */

static void test_membership_matches_eval(void **state)
{
    (void)state;
    shop s;
    shop_open(&s, NULL, NULL);
    segc_result *res = NULL;
    segc_eval_opts jit = {.engine = SEGC_ENGINE_JIT};
    assert_int_equal(segc_eval(s.ctx, s.prog, s.data, AS_OF_2026_11_23, &jit,
                               &res),
                     SEGC_OK);
    segc_explainer *ex = NULL;
    assert_int_equal(segc_explainer_new(s.ctx, s.prog, s.data,
                                        AS_OF_2026_11_23, &ex),
                     SEGC_OK);
    size_t n = segc_data_count(s.data), nsegs = segc_result_segment_count(res);
    size_t members = 0;
    for (size_t seg = 0; seg < nsegs; seg++) {
        const uint64_t *bits = segc_result_bitmap(res, seg);
        for (size_t r = 0; r < n; r++) {
            int want = (int)(bits[r / 64] >> (r % 64) & 1);
            if (segc_explain_member(ex, r, seg) != want)
                fail_msg("record %zu, segment %s: explain says %d",
                         r, segc_program_segment_name(s.prog, seg), !want);
            members += (size_t)want;
        }
    }
    assert_true(members > 1000);
    /* out of range: not a member */
    assert_int_equal(segc_explain_member(ex, n, 0), 0);
    assert_int_equal(segc_explain_member(ex, 0, nsegs), 0);
    assert_int_equal(segc_explain_member(NULL, 0, 0), 0);
    segc_explainer_free(s.ctx, ex);
    segc_result_free(s.ctx, res);
    shop_close(&s);
}

/* ---- keys -------------------------------------------------------------------------- */

static void test_find_key(void **state)
{
    (void)state;
    shop s;
    shop_open(&s, NULL, NULL);
    size_t i = 99;
    assert_int_equal(segc_data_find_key(s.ctx, s.data, "11", &i), SEGC_OK);
    assert_int_equal(i, 10);
    assert_int_equal(segc_data_find_key(s.ctx, s.data, "5000", &i), SEGC_OK);
    assert_int_equal(i, 4999);
    assert_int_equal(segc_data_find_key(s.ctx, s.data, "5001", &i),
                     SEGC_ERR_ARG);
    assert_true(has_diag(s.ctx, "no record has the key id = 5001"));
    assert_int_equal(segc_data_find_key(s.ctx, s.data, "1e3", &i),
                     SEGC_ERR_ARG);
    assert_true(has_diag(s.ctx, "'1e3' is not a key"));
    assert_int_equal(segc_data_find_key(s.ctx, s.data, "", &i), SEGC_ERR_ARG);
    assert_int_equal(segc_data_find_key(s.ctx, NULL, "1", &i), SEGC_ERR_ARG);
    shop_close(&s);
}

/* ---- output -------------------------------------------------------------------------- */

/* The explanation of record rec as a string (free it), or NULL. */
static char *explain_to_string(segc_ctx *ctx, const segc_explainer *ex,
                               size_t rec, const segc_explain_opts *o,
                               segc_status *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    *st = segc_explain_record(ctx, ex, rec, o, f);
    fclose(f);
    return text;
}

static void test_explain_output(void **state)
{
    (void)state;
    shop s;
    shop_open(&s, NULL, NULL);
    segc_explainer *ex = NULL;
    assert_int_equal(segc_explainer_new(s.ctx, s.prog, s.data,
                                        AS_OF_2026_11_23, &ex),
                     SEGC_OK);
    segc_status st;
    char *t = explain_to_string(s.ctx, ex, 0, NULL, &st);
    assert_int_equal(st, SEGC_OK);
    assert_non_null(strstr(t, "Customer id = 1, as of 2026-11-23\n"));
    assert_non_null(strstr(t, "\nPremiumBaskets: no\n"));
    assert_non_null(strstr(t, "(aov = 24.48857143 EUR, revenue = 171.42 EUR"));
    assert_non_null(strstr(t, "\nengagement: Warm\n"));
    assert_non_null(strstr(t, "  Browsing: no, Warm matched first\n"));
    free(t);

    const char *only[] = {"engagement.Cold", "DachChampions"};
    segc_explain_opts o = {SEGC_EXPLAIN_JSON, only, 2, 1};
    t = explain_to_string(s.ctx, ex, 0, &o, &st);
    assert_int_equal(st, SEGC_OK);
    assert_non_null(strstr(t, "{\"key\": 1, \"record\": 0, "));
    assert_non_null(strstr(t, "\"segments\": [{\"name\": \"DachChampions\""));
    assert_non_null(strstr(t, "\"in_tier\": \"AtRisk\""));
    assert_null(strstr(t, "PremiumBaskets\", \"member\""));
    assert_true(strchr(t, '\n') == t + strlen(t) - 1); /* one line */
    free(t);

    /* a name the program does not have: nothing written */
    const char *typo[] = {"DachChampion"};
    segc_explain_opts bad = {SEGC_EXPLAIN_TEXT, typo, 1, 0};
    t = explain_to_string(s.ctx, ex, 0, &bad, &st);
    assert_int_equal(st, SEGC_ERR_ARG);
    assert_true(!t || !*t);
    free(t);
    assert_true(has_diag(s.ctx, "did you mean 'DachChampions'?"));
    segc_explain_opts fmt = {(segc_explain_format)7, NULL, 0, 0};
    t = explain_to_string(s.ctx, ex, 0, &fmt, &st);
    assert_int_equal(st, SEGC_ERR_ARG);
    free(t);
    t = explain_to_string(s.ctx, ex, 5000, NULL, &st);
    assert_int_equal(st, SEGC_ERR_ARG);
    assert_true(has_diag(s.ctx, "no record 5000"));
    free(t);
    segc_explainer_free(s.ctx, ex);

    /* data of another schema */
    segc_schema *other = NULL;
    const char *txt = "schema Other { k : int key }";
    assert_int_equal(segc_schema_parse(s.ctx, "other", txt, strlen(txt),
                                       &other),
                     SEGC_OK);
    char path[] = "/tmp/segc_explain_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("k\n1\n", f);
    fclose(f);
    segc_data *od = NULL;
    assert_int_equal(segc_data_load_csv(s.ctx, other, path, NULL, &od, NULL),
                     SEGC_OK);
    remove(path);
    assert_int_equal(segc_explainer_new(s.ctx, s.prog, od, AS_OF_2026_11_23,
                                        &ex),
                     SEGC_ERR_ARG);
    assert_null(ex);
    segc_data_free(s.ctx, od);
    segc_schema_free(s.ctx, other);
    shop_close(&s);
}

/* ---- allocation failures --------------------------------------------------------------- */

typedef struct hook {
    long calls, fail_at; /* fail the fail_at-th allocation (0: never) */
    long live;           /* bytes allocated and not freed */
} hook;

static void *failing(void *ud, void *ptr, size_t osize, size_t nsize)
{
    hook *h = ud;
    if (nsize == 0) {
        if (ptr)
            h->live -= (long)osize;
        free(ptr);
        return NULL;
    }
    if (++h->calls == h->fail_at)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        h->live += (long)nsize - (ptr ? (long)osize : 0);
    return p;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    hook h = {0, 0, 0};
    shop s;
    shop_open(&s, failing, &h);
    const char *only[] = {"rfm_segment", "PremiumBaskets", "SporadicBuyers"};
    segc_explain_opts o = {SEGC_EXPLAIN_JSON, only, 3, 1};
    long base = h.calls;
    bool done = false;
    for (long k = 1; !done; k++) {
        h.fail_at = base + k;
        segc_explainer *ex = NULL;
        segc_status st = segc_explainer_new(s.ctx, s.prog, s.data,
                                            AS_OF_2026_11_23, &ex);
        FILE *sink = fopen("/dev/null", "w");
        if (st == SEGC_OK) {
            o.format = SEGC_EXPLAIN_JSON;
            st = segc_explain_record(s.ctx, ex, 10, &o, sink);
        }
        if (st == SEGC_OK) {
            o.format = SEGC_EXPLAIN_TEXT;
            st = segc_explain_record(s.ctx, ex, 10, &o, sink);
            done = st == SEGC_OK && h.calls < h.fail_at;
        }
        if (!ex) {
            assert_null(ex);
        }
        fclose(sink);
        if (st != SEGC_OK) {
            assert_int_equal(st, SEGC_ERR_NOMEM);
            assert_true(has_diag(s.ctx, "out of memory"));
        }
        segc_explainer_free(s.ctx, ex);
        segc_diag_clear(s.ctx);
        base = h.calls;
        h.fail_at = 0;
        if (k > 100000)
            fail_msg("no end to the allocations");
    }
    shop_close(&s);
    assert_int_equal(h.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_membership_matches_eval),
        cmocka_unit_test(test_find_key),
        cmocka_unit_test(test_explain_output),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
