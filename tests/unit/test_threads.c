/* test_threads.c - all cores and the real-time path (issue 7): evaluations
 * with several threads give the one-thread result bit for bit (bitmaps and
 * every population statistic, for both engines and many morsel sizes),
 * many threads evaluate one program and one evaluator at once (also under
 * ThreadSanitizer: make check-tsan), and the one-record evaluator agrees
 * with the bulk evaluation, packs unknown strings and sets soundly, and
 * reports its errors. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_internal.h"
#include "eval.h"
#include "interp.h"
#include "jit.h"
#include "segc.h"

#define AS_OF INT64_C(1795392000) /* 2026-11-23T00:00:00Z */

/* ---- a data set whose float sums depend on the order of the values ------------ */

static const char schema_text[] =
    "schema T {\n"
    "  id   : int key\n"
    "  x    : float?\n"
    "  n    : int\n"
    "  m    : money(EUR)\n"
    "  c    : string\n"
    "  d    : date?\n"
    "  tags : set<string>\n"
    "}\n";

/* statistics of every kind at two levels, and a classification */
static const char rules_text[] =
    "segment AboveAvg   where x > avg(x)\n"
    "segment BigSum     where x > sum(x) / 1000\n"
    "segment Spread     where x > avg(x) + stddev(x)\n"
    "segment SpreadN    where n > avg(n) + stddev(n)\n"
    "segment RichM      where m > avg(m)\n"
    "segment Top10      where x >= percentile(x, 90%)\n"
    "segment MedN       where n >= median(n)\n"
    "segment Q5         where quintile(x) = 5\n"
    "segment N7         where ntile(7, m) >= 4\n"
    "segment PosAvg     where x > avg(x where n > 0)\n"
    "segment Many       where count() > 100 and n > 0\n"
    "segment Span       where x > min(x) and x < max(x)\n"
    "segment Level2     where x > avg(x where x > avg(x))\n"
    "segment DE         where c = \"DE\"\n"
    "segment NotDE      where c != \"DE\"\n"
    "segment Nordic     where c in [\"SE\", \"NO\", \"FI\", \"IS\"]\n"
    "segment Vip        where \"vip\" in tags\n"
    "segment NotVip     where not (\"vip\" in tags)\n"
    "segment Recent     where d > 2026-01-01\n"
    "classify Size {\n"
    "  Large  where n >= 50\n"
    "  Medium where n >= 10\n"
    "  else Small\n"
    "}\n";

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* n records; x spans twenty orders of magnitude and two values of 1e30
 * cancel, so that adding the values in another order changes a long double
 * sum */
static char *write_csv(size_t n)
{
    static const char *const countries[] = {"DE", "SE", "NO", "FR", "US",
                                             "FI", "IS", "AT"};
    static const char *const tagsets[] = {"", "vip", "new", "vip;new",
                                          "b2b"};
    char *path = strdup("/tmp/segc_test_threads_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "id,x,n,m,c,d,tags\n");
    rng_state = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng();
        double mag = (double)(r % 21) - 10;
        double x = ((double)(rng() % 2000001) / 1000.0 - 1000.0);
        for (int k = 0; k < (int)mag; k++)
            x *= 10;
        for (int k = 0; k > (int)mag; k--)
            x /= 10;
        /* +1e30 and -1e30 in different morsels: in record order the values
         * between them are absorbed and lost; summed per morsel and merged,
         * they would not be */
        if (i == 0 || i == 100)
            x = i ? -1e30 : 1e30;
        fprintf(f, "%zu,", i + 1);
        if (rng() % 17 || i == 0 || i == 100)
            fprintf(f, "%.17g", x);
        fprintf(f, ",%d,%d.%02d,%s,", (int)(rng() % 120) - 20,
                (int)(rng() % 100000), (int)(rng() % 100),
                countries[rng() % 8]);
        if (rng() % 5)
            fprintf(f, "2026-%02d-%02d", (int)(rng() % 12) + 1,
                    (int)(rng() % 28) + 1);
        fprintf(f, ",%s\n", tagsets[rng() % 5]);
    }
    fclose(f);
    return path;
}

typedef struct fixture {
    segc_ctx *ctx;
    segc_schema *sch;
    segc_program *prog;
    segc_data *data;
    char *csv;
} fixture;

static void fixture_make(fixture *fx, size_t n, const char *rules)
{
    fx->ctx = segc_ctx_new(NULL, NULL);
    assert_non_null(fx->ctx);
    assert_int_equal(segc_schema_parse(fx->ctx, "t.schema", schema_text,
                                       strlen(schema_text), &fx->sch),
                     SEGC_OK);
    assert_int_equal(segc_compile(fx->ctx, fx->sch, "rules.seg", rules,
                                  strlen(rules), NULL, &fx->prog),
                     SEGC_OK);
    fx->csv = write_csv(n);
    assert_int_equal(segc_data_load_csv(fx->ctx, fx->sch, fx->csv, NULL,
                                        &fx->data, NULL),
                     SEGC_OK);
    assert_int_equal(segc_data_count(fx->data), n);
}

static void fixture_free(fixture *fx)
{
    segc_data_free(fx->ctx, fx->data);
    segc_program_free(fx->ctx, fx->prog);
    segc_schema_free(fx->ctx, fx->sch);
    segc_ctx_free(fx->ctx);
    unlink(fx->csv);
    free(fx->csv);
}

static void assert_same_result(const segc_result *a, const segc_result *b)
{
    assert_int_equal(segc_result_segment_count(a), segc_result_segment_count(b));
    assert_int_equal(segc_result_records(a), segc_result_records(b));
    size_t words = (segc_result_records(a) + 63) / 64;
    for (size_t s = 0; s < segc_result_segment_count(a); s++) {
        assert_int_equal(segc_result_count(a, s), segc_result_count(b, s));
        assert_memory_equal(segc_result_bitmap(a, s), segc_result_bitmap(b, s),
                            words * sizeof(uint64_t));
    }
}

/* every statistic's binding, bit for bit */
static void assert_same_stats(const ir_program *p, const eval_bound *a,
                              const eval_bound *b)
{
    for (size_t i = 0; i < p->nstats; i++) {
        const eval_bound *x = &a[p->stats[i]->id], *y = &b[p->stats[i]->id];
        assert_int_equal(x->null, y->null);
        assert_int_equal(x->k, y->k);
        assert_memory_equal(&x->f, &y->f, sizeof x->f);
        assert_int_equal(x->nvals, y->nvals);
        if (x->nvals && x->vals)
            assert_memory_equal(x->vals, y->vals, x->nvals * sizeof *x->vals);
        if (x->nvals && x->fvals)
            assert_memory_equal(x->fvals, y->fvals,
                                x->nvals * sizeof *x->fvals);
    }
}

/* the statistics pass of both engines, 1 thread against many, compared at
 * the level of the bindings: the float sums and variances too */
static void test_stats_identical(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 5003, rules_text);
    const ir_program *p = api_program_ir(fx.prog);
    assert_true(p->nstats >= 12);
    assert_int_equal(p->levels, 2);
    mem *m = api_ctx_mem(fx.ctx);
    diag_list *dl = api_ctx_diags(fx.ctx);
    jit *j = jit_new(m, dl);
    assert_non_null(j);
    jit_code *code = jit_compile(j, p, NULL, dl, NULL);
    assert_non_null(code);

    eval_bound *ref = eval_bind(m, p, fx.data, AS_OF);
    assert_non_null(ref);
    assert_int_equal(interp_stats(m, p, fx.data, ref), SEGC_OK);
    /* the order of the values matters here: a sum in another order (the
     * reverse) differs in the last bits */
    {
        long double fwd = 0, bwd = 0;
        const unsigned char *recs = segc_data_records(fx.data);
        size_t rs = segc_schema_record_size(fx.sch), nrec = fx.data->n;
        segc_field_info fi;
        assert_int_equal(segc_schema_field(fx.sch, 1, &fi), SEGC_OK);
        size_t no = segc_schema_null_offset(fx.sch);
        for (size_t r = 0; r < nrec; r++) {
            const unsigned char *rec = recs + r * rs;
            if (rec[no + (size_t)fi.null_bit / 8] >> (fi.null_bit % 8) & 1)
                continue;
            double v;
            memcpy(&v, rec + fi.offset, sizeof v);
            fwd += v;
        }
        for (size_t r = nrec; r-- > 0;) {
            const unsigned char *rec = recs + r * rs;
            if (rec[no + (size_t)fi.null_bit / 8] >> (fi.null_bit % 8) & 1)
                continue;
            double v;
            memcpy(&v, rec + fi.offset, sizeof v);
            bwd += v;
        }
        assert_true((double)fwd != (double)bwd);
    }
    static const unsigned threads[] = {1, 2, 3, 7};
    static const size_t morsels[] = {0, 64, 128, 704};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++)
        for (size_t k = 0; k < sizeof morsels / sizeof *morsels; k++) {
            eval_par par = {threads[t], morsels[k]};
            eval_bound *bi = eval_bind(m, p, fx.data, AS_OF);
            eval_bound *bj = eval_bind(m, p, fx.data, AS_OF);
            assert_int_equal(interp_stats_par(m, p, fx.data, bi, &par), SEGC_OK);
            assert_int_equal(jit_stats(code, m, p, fx.data, bj, &par), SEGC_OK);
            assert_same_stats(p, ref, bi);
            assert_same_stats(p, ref, bj);
            eval_unbind(m, p, bi);
            eval_unbind(m, p, bj);
        }
    eval_unbind(m, p, ref);
    jit_code_free(code);
    jit_free(j);
    fixture_free(&fx);
}

/* segc_eval: every engine, thread count and morsel gives the same bits */
static void test_eval_identical(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 9000, rules_text);
    segc_eval_opts one = {.engine = SEGC_ENGINE_INTERP};
    segc_result *ref = NULL;
    assert_int_equal(segc_eval(fx.ctx, fx.prog, fx.data, AS_OF, &one, &ref),
                     SEGC_OK);
    /* the rules are not trivial over this data */
    size_t nonempty = 0;
    for (size_t s = 0; s < segc_result_segment_count(ref); s++)
        nonempty += segc_result_count(ref, s) > 0 &&
                    segc_result_count(ref, s) < 9000;
    assert_true(nonempty >= 18);
    static const segc_engine engines[] = {SEGC_ENGINE_INTERP, SEGC_ENGINE_JIT};
    static const unsigned threads[] = {0, 1, 2, 3, 7, 64};
    static const size_t morsels[] = {0, 64, 192, 1024};
    for (size_t e = 0; e < 2; e++)
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++)
            for (size_t k = 0; k < sizeof morsels / sizeof *morsels; k++) {
                segc_eval_opts o = {.engine = engines[e],
                                    .threads = threads[t],
                                    .morsel = morsels[k]};
                segc_result *r = NULL;
                assert_int_equal(
                    segc_eval(fx.ctx, fx.prog, fx.data, AS_OF, &o, &r),
                    SEGC_OK);
                assert_same_result(ref, r);
                segc_result_free(fx.ctx, r);
            }
    segc_result_free(fx.ctx, ref);
    fixture_free(&fx);
}

/* ---- many threads, one program, one evaluator ---------------------------------- */

#define NTHREADS 8

typedef struct shared {
    const segc_program *prog;
    const segc_data *data;
    const segc_result *ref;
    const segc_evaluator *ev;
    int id;
    int failures;
} shared;

static void *eval_worker(void *arg)
{
    shared *sh = arg;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx) {
        sh->failures++;
        return NULL;
    }
    for (int round = 0; round < 3; round++) {
        segc_eval_opts o = {.engine = (sh->id + round) % 2 ? SEGC_ENGINE_AUTO
                                                           : SEGC_ENGINE_INTERP,
                            .threads = 2,
                            .morsel = 128};
        segc_result *r = NULL;
        if (segc_eval(ctx, sh->prog, sh->data, AS_OF, &o, &r) != SEGC_OK) {
            sh->failures++;
            continue;
        }
        size_t words = (segc_result_records(r) + 63) / 64;
        for (size_t s = 0; s < segc_result_segment_count(r); s++)
            if (memcmp(segc_result_bitmap(r, s), segc_result_bitmap(sh->ref, s),
                       words * sizeof(uint64_t)) != 0)
                sh->failures++;
        segc_result_free(ctx, r);
    }
    segc_ctx_free(ctx);
    return NULL;
}

static void *record_worker(void *arg)
{
    shared *sh = arg;
    const unsigned char *recs = segc_data_records(sh->data);
    size_t rs = segc_schema_record_size(segc_program_schema(sh->prog));
    size_t n = segc_data_count(sh->data);
    size_t nsegs = segc_program_segment_count(sh->prog);
    uint64_t w[4];
    /* each thread starts elsewhere, so that all of them run at once over
     * different records */
    for (size_t k = 0; k < n; k++) {
        size_t r = (k + (size_t)sh->id * 997) % n;
        segc_evaluator_record(sh->ev, recs + r * rs, w);
        for (size_t s = 0; s < nsegs; s++)
            if ((w[s / 64] >> (s % 64) & 1) !=
                (segc_result_bitmap(sh->ref, s)[r / 64] >> (r % 64) & 1))
                sh->failures++;
    }
    return NULL;
}

static void test_many_threads(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 3000, rules_text);
    /* machine code made once, before the threads start */
    assert_int_equal(segc_program_jit(fx.ctx, fx.prog), SEGC_OK);
    segc_eval_opts one = {.engine = SEGC_ENGINE_INTERP};
    segc_result *ref = NULL;
    assert_int_equal(segc_eval(fx.ctx, fx.prog, fx.data, AS_OF, &one, &ref),
                     SEGC_OK);
    segc_evaluator *ev = NULL;
    assert_int_equal(
        segc_evaluator_new(fx.ctx, fx.prog, fx.data, AS_OF, NULL, &ev),
        SEGC_OK);
    assert_true(segc_evaluator_words(ev) <= 4);

    pthread_t th[2 * NTHREADS];
    shared sh[2 * NTHREADS];
    for (int i = 0; i < 2 * NTHREADS; i++) {
        sh[i] = (shared){fx.prog, fx.data, ref, ev, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL,
                                        i < NTHREADS ? eval_worker
                                                     : record_worker,
                                        &sh[i]),
                         0);
    }
    int failures = 0;
    for (int i = 0; i < 2 * NTHREADS; i++) {
        pthread_join(th[i], NULL);
        failures += sh[i].failures;
    }
    assert_int_equal(failures, 0);
    segc_evaluator_free(fx.ctx, ev);
    segc_result_free(fx.ctx, ref);
    fixture_free(&fx);
}

/* ---- the one-record evaluator --------------------------------------------------- */

static size_t field(const segc_schema *sch, const char *name,
                    segc_field_info *fi)
{
    size_t i;
    assert_int_equal(segc_schema_field_find(sch, name, &i), SEGC_OK);
    assert_int_equal(segc_schema_field(sch, i, fi), SEGC_OK);
    return i;
}

/* every record of the data, through the evaluator, gives the bulk bits */
static void check_all_records(fixture *fx, const segc_evaluator *ev,
                              const segc_result *ref)
{
    const unsigned char *recs = segc_data_records(fx->data);
    size_t rs = segc_schema_record_size(fx->sch);
    size_t nsegs = segc_program_segment_count(fx->prog);
    uint64_t w[4];
    for (size_t r = 0; r < segc_data_count(fx->data); r++) {
        memset(w, 0xa5, sizeof w);
        segc_evaluator_record(ev, recs + r * rs, w);
        for (size_t s = 0; s < nsegs; s++)
            assert_int_equal(w[s / 64] >> (s % 64) & 1,
                             segc_result_bitmap(ref, s)[r / 64] >> (r % 64) & 1);
        /* the bits past the last segment are zero */
        if (nsegs % 64)
            assert_int_equal(w[nsegs / 64] >> (nsegs % 64), 0);
    }
}

static void test_evaluator_matches_bulk(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 2000, rules_text);
    segc_result *ref = NULL;
    segc_eval_opts one = {.engine = SEGC_ENGINE_INTERP};
    assert_int_equal(segc_eval(fx.ctx, fx.prog, fx.data, AS_OF, &one, &ref),
                     SEGC_OK);
    static const segc_engine engines[] = {SEGC_ENGINE_AUTO, SEGC_ENGINE_JIT,
                                          SEGC_ENGINE_INTERP};
    for (size_t e = 0; e < 3; e++) {
        segc_evaluator_opts o = {.engine = engines[e], .threads = 3};
        segc_evaluator *ev = NULL;
        assert_int_equal(
            segc_evaluator_new(fx.ctx, fx.prog, fx.data, AS_OF, &o, &ev),
            SEGC_OK);
        assert_int_equal(segc_evaluator_engine(ev),
                         engines[e] == SEGC_ENGINE_INTERP ? SEGC_ENGINE_INTERP
                                                          : SEGC_ENGINE_JIT);
        assert_int_equal(segc_evaluator_words(ev), 1);
        check_all_records(&fx, ev, ref);

        /* the whole array at once, into bitmaps of segc_result's layout
         * (over a part that ends inside a word, too) */
        size_t n = segc_data_count(fx.data), nsegs = segc_program_segment_count(fx.prog);
        for (size_t part = 0; part < 2; part++) {
            size_t m = part ? 1000 - 37 : n, words = (m + 63) / 64;
            uint64_t *bits = malloc(nsegs * words * sizeof *bits);
            memset(bits, 0xff, nsegs * words * sizeof *bits);
            assert_int_equal(segc_evaluator_records(fx.ctx, ev,
                                                    segc_data_records(fx.data),
                                                    m, bits),
                             SEGC_OK);
            for (size_t sg = 0; sg < nsegs; sg++) {
                const uint64_t *want = segc_result_bitmap(ref, sg);
                for (size_t r = 0; r < words * 64; r++)
                    assert_int_equal(bits[sg * words + r / 64] >> (r % 64) & 1,
                                     r < m ? want[r / 64] >> (r % 64) & 1 : 0);
            }
            free(bits);
        }
        segc_diag_clear(fx.ctx);
        assert_int_equal(segc_evaluator_records(fx.ctx, ev, NULL, 3, NULL),
                         SEGC_ERR_ARG);
        assert_string_equal(segc_diag_get(fx.ctx, 0)->message,
                            "segc_evaluator_records: no evaluator, records or "
                            "bitmaps");
        segc_diag_clear(fx.ctx);

        /* tiers: the classification's tier, from the bits */
        const unsigned char *recs = segc_data_records(fx.data);
        size_t rs = segc_schema_record_size(fx.sch);
        size_t first, count;
        assert_int_equal(segc_program_classification_count(fx.prog), 1);
        assert_true(segc_program_classification_tiers(fx.prog, 0, &first,
                                                      &count));
        assert_int_equal(count, 3);
        size_t seen[3] = {0, 0, 0};
        for (size_t r = 0; r < segc_data_count(fx.data); r++) {
            uint64_t w[1];
            int tier = -2;
            segc_evaluator_record(ev, recs + r * rs, w);
            segc_evaluator_tiers(ev, w, &tier);
            assert_true(tier >= (int)first && tier < (int)(first + count));
            seen[tier - (int)first]++;
            assert_true(segc_result_bitmap(ref, (size_t)tier)[r / 64] >>
                            (r % 64) &
                        1);
        }
        assert_true(seen[0] && seen[1] && seen[2]);
        assert_string_equal(segc_program_segment_name(fx.prog, first + 2),
                            "Size.Small");
        segc_evaluator_free(fx.ctx, ev);
    }
    segc_result_free(fx.ctx, ref);
    fixture_free(&fx);
}

/* records a host packs itself, with strings and sets the data never had */
static const char host_rules[] =
    "segment DE       where c = \"DE\"\n"
    "segment NotDE    where c != \"DE\"\n"
    "segment FR       where c = \"FR\"\n"
    "segment Nordic   where c in [\"SE\", \"NO\"]\n"
    "segment Vip      where \"vip\" in tags\n"
    "segment NotVip   where not (\"vip\" in tags)\n"
    "segment Big      where n >= 50 and m > 100 EUR\n"
    "segment NoX      where x is null\n"
    "segment Recent   where d < 30d\n";

static void test_evaluator_host_records(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 100, host_rules);
    for (int with_data = 0; with_data < 2; with_data++)
        for (int e = 0; e < 2; e++) {
            segc_evaluator_opts o = {
                .engine = e ? SEGC_ENGINE_INTERP : SEGC_ENGINE_JIT};
            segc_evaluator *ev = NULL;
            assert_int_equal(segc_evaluator_new(fx.ctx, fx.prog,
                                                with_data ? fx.data : NULL,
                                                AS_OF, &o, &ev),
                             SEGC_OK);
            segc_field_info fc, fn, fm, fx_, fd, ft;
            size_t ic = field(fx.sch, "c", &fc), it = field(fx.sch, "tags", &ft);
            size_t in = field(fx.sch, "n", &fn);
            field(fx.sch, "m", &fm);
            field(fx.sch, "x", &fx_);
            field(fx.sch, "d", &fd);
            size_t rs = segc_schema_record_size(fx.sch);
            size_t no = segc_schema_null_offset(fx.sch);
            unsigned char *rec = calloc(1, rs);
            uint32_t id;
            int64_t n = 60, m = 25000; /* 250.00 EUR */
            memcpy(rec + fn.offset, &n, 8);
            memcpy(rec + fm.offset, &m, 8);
            rec[no + (size_t)fx_.null_bit / 8] |= 1u << (fx_.null_bit % 8);
            int32_t day = (int32_t)(AS_OF / 86400) - 3;
            memcpy(rec + fd.offset, &day, 4);

            /* "FR" is in no record, but the rules compare c with it: it
             * has an id, so c = "FR" holds */
            assert_int_equal(segc_evaluator_string(fx.ctx, ev, ic, "FR", 2, &id),
                             SEGC_OK);
            assert_int_not_equal(id, SEGC_ID_UNKNOWN);
            memcpy(rec + fc.offset, &id, 4);
            const char *vip[] = {"vip"};
            assert_int_equal(segc_evaluator_set(fx.ctx, ev, it, vip, 1, &id),
                             SEGC_OK);
            if (with_data)
                assert_int_not_equal(id, SEGC_ID_UNKNOWN);
            else
                assert_int_equal(id, SEGC_ID_UNKNOWN);
            memcpy(rec + ft.offset, &id, 4);
            uint64_t w = 0;
            segc_evaluator_record(ev, rec, &w);
            /* FR, NotDE, Big, NoX, Recent; Vip when the set is known, and
             * neither Vip nor NotVip when it is not */
            uint64_t want = 1u << 1 | 1u << 2 | 1u << 6 | 1u << 7 | 1u << 8;
            if (with_data)
                want |= 1u << 4;
            assert_int_equal(w, want);

            /* a country no record has and no rule names: unknown to the
             * evaluator, which still decides = and in (false) and != */
            assert_int_equal(
                segc_evaluator_string(fx.ctx, ev, ic, "Narnia", 6, &id),
                SEGC_OK);
            assert_int_equal(id, SEGC_ID_UNKNOWN);
            memcpy(rec + fc.offset, &id, 4);
            /* a set with an element no record has */
            const char *odd[] = {"vip", "never-seen", "vip"};
            assert_int_equal(segc_evaluator_set(fx.ctx, ev, it, odd, 3, &id),
                             SEGC_OK);
            assert_int_equal(id, SEGC_ID_UNKNOWN);
            memcpy(rec + ft.offset, &id, 4);
            segc_evaluator_record(ev, rec, &w);
            assert_int_equal(w, 1u << 1 | 1u << 6 | 1u << 7 | 1u << 8);

            /* "SE" and the null x switched off; an old date */
            assert_int_equal(segc_evaluator_string(fx.ctx, ev, ic, "SE", 2, &id),
                             SEGC_OK);
            memcpy(rec + fc.offset, &id, 4);
            rec[no + (size_t)fx_.null_bit / 8] &=
                (unsigned char)~(1u << (fx_.null_bit % 8));
            day -= 100;
            memcpy(rec + fd.offset, &day, 4);
            segc_evaluator_record(ev, rec, &w);
            assert_int_equal(w, 1u << 1 | 1u << 3 | 1u << 6);

            /* errors: a field of another type, a field that is not there */
            segc_diag_clear(fx.ctx);
            assert_int_equal(segc_evaluator_string(fx.ctx, ev, in, "a", 1, &id),
                             SEGC_ERR_ARG);
            assert_string_equal(segc_diag_get(fx.ctx, 0)->message,
                                "field 'n' is not a string");
            assert_int_equal(segc_evaluator_set(fx.ctx, ev, 99, NULL, 0, &id),
                             SEGC_ERR_ARG);
            assert_string_equal(segc_diag_get(fx.ctx, 1)->message,
                                "schema 'T' has no field 99");
            segc_diag_clear(fx.ctx);
            free(rec);
            segc_evaluator_free(fx.ctx, ev);
        }
    fixture_free(&fx);
}

/* more than 64 segments: the compiled code is split into functions of a
 * few segments each, and the bits span several words */
static void test_evaluator_many_segments(void **state)
{
    (void)state;
    static const char *const conds[] = {
        "x > %d.5", "n >= %d", "m > %d EUR", "c in [\"DE\", \"SE\"] and n > %d",
        "\"vip\" in tags or n < %d", "d > 2026-0%d-01", "not (x < -%d)",
        "x > avg(x) or n > %d"};
    char *rules = malloc(200 * 80);
    size_t len = 0;
    for (int i = 0; i < 150; i++) {
        len += (size_t)snprintf(rules + len, 80, "segment S%d where ", i);
        len += (size_t)snprintf(rules + len, 80, conds[i % 8], 1 + i % 9);
        rules[len++] = '\n';
    }
    rules[len] = 0;
    fixture fx;
    fixture_make(&fx, 1500, rules);
    segc_result *ref = NULL;
    segc_eval_opts one = {.engine = SEGC_ENGINE_INTERP};
    assert_int_equal(segc_eval(fx.ctx, fx.prog, fx.data, AS_OF, &one, &ref),
                     SEGC_OK);
    segc_evaluator_opts o = {.engine = SEGC_ENGINE_JIT};
    segc_evaluator *ev = NULL;
    assert_int_equal(segc_evaluator_new(fx.ctx, fx.prog, fx.data, AS_OF, &o, &ev),
                     SEGC_OK);
    assert_int_equal(segc_evaluator_words(ev), 3);
    check_all_records(&fx, ev, ref);
    segc_evaluator_free(fx.ctx, ev);
    segc_result_free(fx.ctx, ref);
    fixture_free(&fx);
    free(rules);
}

static void test_evaluator_errors(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx, 10, rules_text);
    segc_evaluator *ev = (segc_evaluator *)1;
    /* statistics need the data */
    assert_int_equal(
        segc_evaluator_new(fx.ctx, fx.prog, NULL, AS_OF, NULL, &ev),
        SEGC_ERR_ARG);
    assert_null(ev);
    assert_int_equal(segc_diag_count(fx.ctx), 1);
    assert_string_equal(segc_diag_get(fx.ctx, 0)->message,
                        "the rules use population statistics (such as avg or "
                        "ntile): the evaluator needs the data to compute "
                        "them over");
    segc_diag_clear(fx.ctx);
    segc_evaluator_opts bad = {.engine = (segc_engine)9};
    assert_int_equal(
        segc_evaluator_new(fx.ctx, fx.prog, fx.data, AS_OF, &bad, &ev),
        SEGC_ERR_ARG);
    assert_string_equal(segc_diag_get(fx.ctx, 0)->message, "unknown engine 9");
    segc_diag_clear(fx.ctx);
    /* data of another schema */
    segc_schema *other = NULL;
    static const char os[] = "schema O {\n  id : int key\n  y : int\n}\n";
    assert_int_equal(segc_schema_parse(fx.ctx, "o.schema", os, strlen(os),
                                       &other),
                     SEGC_OK);
    segc_program *op = NULL;
    static const char orules[] = "segment Y where y > 1\n";
    assert_int_equal(segc_compile(fx.ctx, other, "o.seg", orules,
                                  strlen(orules), NULL, &op),
                     SEGC_OK);
    assert_int_equal(segc_evaluator_new(fx.ctx, op, fx.data, AS_OF, NULL, &ev),
                     SEGC_ERR_ARG);
    assert_string_equal(segc_diag_get(fx.ctx, 0)->message,
                        "the data was loaded for schema 'T', whose layout "
                        "differs from the program's schema 'O'");
    segc_program_free(fx.ctx, op);
    segc_schema_free(fx.ctx, other);
    fixture_free(&fx);
}

/* ---- allocation failures: every one is reported and nothing leaks ---------------- */

typedef struct budget {
    long left; /* allocations that succeed; then every one fails */
    long live; /* blocks allocated and not freed */
} budget;

static void *limited(void *ud, void *ptr, size_t osize, size_t nsize)
{
    budget *b = ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr)
            b->live--;
        free(ptr);
        return NULL;
    }
    if (b->left-- <= 0)
        return NULL;
    void *q = realloc(ptr, nsize);
    if (q && !ptr)
        b->live++;
    return q;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    char *csv = write_csv(700);
    /* the evaluator, and an evaluation with threads, for each allocation
     * that can fail, until none does */
    for (int what = 0; what < 2; what++) {
        bool done = false;
        for (long k = 0; !done && k < 100000; k++) {
            budget b = {1L << 40, 0};
            segc_ctx *ctx = segc_ctx_new(limited, &b);
            segc_schema *sch = NULL;
            segc_program *prog = NULL;
            segc_data *data = NULL;
            assert_int_equal(segc_schema_parse(ctx, "t.schema", schema_text,
                                               strlen(schema_text), &sch),
                             SEGC_OK);
            assert_int_equal(segc_compile(ctx, sch, "rules.seg", rules_text,
                                          strlen(rules_text), NULL, &prog),
                             SEGC_OK);
            assert_int_equal(
                segc_data_load_csv(ctx, sch, csv, NULL, &data, NULL), SEGC_OK);
            b.left = k;
            segc_status st;
            if (what == 0) {
                segc_evaluator_opts o = {.engine = SEGC_ENGINE_INTERP,
                                         .threads = 2};
                segc_evaluator *ev = NULL;
                st = segc_evaluator_new(ctx, prog, data, AS_OF, &o, &ev);
                if (st == SEGC_OK)
                    segc_evaluator_free(ctx, ev);
                else
                    assert_null(ev);
            } else {
                segc_eval_opts o = {.engine = SEGC_ENGINE_INTERP,
                                    .threads = 3,
                                    .morsel = 128};
                segc_result *r = NULL;
                st = segc_eval(ctx, prog, data, AS_OF, &o, &r);
                if (st == SEGC_OK)
                    segc_result_free(ctx, r);
            }
            b.left = 1L << 40;
            if (st == SEGC_OK) {
                done = true;
            } else {
                /* (the diagnostic itself may not have found memory) */
                assert_int_equal(st, SEGC_ERR_NOMEM);
                if (segc_diag_count(ctx))
                    assert_string_equal(
                        segc_diag_get(ctx, segc_diag_count(ctx) - 1)->message,
                        "out of memory");
            }
            segc_data_free(ctx, data);
            segc_program_free(ctx, prog);
            segc_schema_free(ctx, sch);
            segc_ctx_free(ctx);
            assert_int_equal(b.live, 0);
        }
        assert_true(done);
    }
    unlink(csv);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_identical),
        cmocka_unit_test(test_eval_identical),
        cmocka_unit_test(test_many_threads),
        cmocka_unit_test(test_evaluator_matches_bulk),
        cmocka_unit_test(test_evaluator_host_records),
        cmocka_unit_test(test_evaluator_many_segments),
        cmocka_unit_test(test_evaluator_errors),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
