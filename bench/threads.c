/* threads.c - the parts of `make bench` for issue 7's all cores and
 * real-time path:
 *
 *   ONE      W10, W100 and W1000 through the public API one record at a
 *            time (segc_evaluator_record): the time to make the evaluator,
 *            the mean over a million calls and, for W10, the p50 and p99 of
 *            a million calls timed one by one;
 *   THREADS  the scan (and, for STATS, the statistics pass) of W10, W100
 *            and STATS with 1, 2, 4, 8 and 16 threads.
 *
 * Every result is checked against the one-thread bulk evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static uint64_t ns_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* a fine clock for timing single calls: the time stamp counter on x86-64
 * (converted to ns by its rate against CLOCK_MONOTONIC), else the
 * monotonic clock itself */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t ticks(void)
{
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
#else
static inline uint64_t ticks(void)
{
    return ns_now();
}
#endif

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static segc_program *compile_jit(segc_ctx *ctx, const segc_schema *sch,
                                 const char *text)
{
    static const char *const libs[] = {"stdlib"};
    segc_compile_opts o;
    memset(&o, 0, sizeof o);
    o.engine = SEGC_ENGINE_JIT;
    o.lib_paths = libs;
    o.nlib_paths = 1;
    segc_program *p = NULL;
    if (segc_compile(ctx, sch, "workload", text, strlen(text), &o, &p) !=
        SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return NULL;
    }
    return p;
}

#define CALLS 1000000
#define HOT 4096 /* records cycled through: a record the host just packed is
                  * in the cache */

/* one workload through the evaluator: made in *make_ms, the mean per
 * record of a million calls in *mean_ns; with lat, the one-by-one
 * latencies (CALLS of them, sorted, in ticks) and *ns_per_tick. Checks the
 * first `check` records against the bulk scan. */
static bool one_workload(segc_ctx *ctx, const segc_schema *sch,
                         const dataset *d, const char *text, int64_t as_of,
                         size_t check, double *make_ms, double *mean_ns,
                         uint64_t *lat, uint64_t *clock_cost,
                         double *ns_per_tick, bool *compiled)
{
    segc_program *p = compile_jit(ctx, sch, text);
    if (!p)
        return false;
    uint64_t t0 = ns_now();
    segc_evaluator *ev = NULL;
    if (segc_evaluator_new(ctx, p, d, as_of, NULL, &ev) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        segc_program_free(ctx, p);
        return false;
    }
    *make_ms = (double)(ns_now() - t0) * 1e-6;
    *compiled = segc_evaluator_engine(ev) == SEGC_ENGINE_JIT;
    segc_eval_opts eo = {.engine = SEGC_ENGINE_JIT};
    segc_result *ref = NULL;
    if (segc_eval(ctx, p, d, as_of, &eo, &ref) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return false;
    }
    const unsigned char *recs = d->records;
    size_t rs = d->sch->record_size, n = d->n, hot = n < HOT ? n : HOT;
    size_t nsegs = segc_program_segment_count(p);
    size_t nw = segc_evaluator_words(ev);
    uint64_t *w = calloc(nw + 1, sizeof *w);
    /* the same bits as the bulk scan */
    bool same = true;
    for (size_t r = 0; r < n && r < check && same; r++) {
        segc_evaluator_record(ev, recs + r * rs, w);
        for (size_t s = 0; s < nsegs; s++)
            if ((w[s / 64] >> (s % 64) & 1) !=
                (segc_result_bitmap(ref, s)[r / 64] >> (r % 64) & 1))
                same = false;
    }
    /* the mean: calls back to back (fewer for large programs) */
    size_t calls = nsegs > 64 ? CALLS / 100 : CALLS;
    uint64_t sink = 0;
    *mean_ns = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        uint64_t a = ns_now();
        for (size_t i = 0; i < calls; i++) {
            segc_evaluator_record(ev, recs + (i % hot) * rs, w);
            sink += w[0];
        }
        double mean = (double)(ns_now() - a) / (double)calls;
        if (mean < *mean_ns)
            *mean_ns = mean;
    }
    if (lat) {
        /* each call timed, less the cost of reading the clock (the median
         * of a million empty readings) */
        for (size_t i = 0; i < CALLS; i++) {
            uint64_t a = ticks();
            lat[i] = ticks() - a;
        }
        qsort(lat, CALLS, sizeof *lat, cmp_u64);
        *clock_cost = lat[CALLS / 2];
        uint64_t ns0 = ns_now(), tk0 = ticks();
        for (size_t i = 0; i < CALLS; i++) {
            const unsigned char *rec = recs + (i % hot) * rs;
            uint64_t a = ticks();
            segc_evaluator_record(ev, rec, w);
            uint64_t b = ticks();
            sink += w[0];
            lat[i] = b - a > *clock_cost ? b - a - *clock_cost : 0;
        }
        *ns_per_tick = (double)(ns_now() - ns0) / (double)(ticks() - tk0);
        qsort(lat, CALLS, sizeof *lat, cmp_u64);
    }
    volatile uint64_t keep = sink; /* the calls' results are used */
    (void)keep;
    free(w);
    segc_result_free(ctx, ref);
    segc_evaluator_free(ctx, ev);
    segc_program_free(ctx, p);
    return same;
}

int bench_one(segc_ctx *ctx, const segc_schema *sch, const dataset *d,
              const char *const *names, const char *const *texts, int nwork,
              int64_t as_of)
{
    bool all_same = true;
    printf("\nONE: one record at a time through segc_evaluator_record "
           "(cycling over %d records)\n", HOT);
    printf("%-6s %9s %10s %12s %8s %8s %8s %6s\n", "work", "code", "made in",
           "mean/record", "p50", "p99", "p99.9", "same");
    for (int k = 0; k < nwork; k++) {
        double make_ms = 0, mean = 0, npt = 1;
        uint64_t cost = 0;
        bool compiled = false;
        uint64_t *lat = k == 0 ? malloc(CALLS * sizeof *lat) : NULL;
        bool same = one_workload(ctx, sch, d, texts[k], as_of,
                                 k == 0 ? d->n : 200000, &make_ms, &mean, lat,
                                 &cost, &npt, &compiled);
        all_same &= same;
        if (lat)
            printf("%-6s %9s %7.1f ms %9.1f ns %5.1f ns %5.1f ns %5.1f ns %6s\n",
                   names[k], compiled ? "compiled" : "interp", make_ms, mean,
                   (double)lat[CALLS / 2] * npt,
                   (double)lat[CALLS / 100 * 99] * npt,
                   (double)lat[CALLS / 1000 * 999] * npt, same ? "yes" : "NO");
        else
            printf("%-6s %9s %7.1f ms %9.1f ns %8s %8s %8s %6s\n", names[k],
                   compiled ? "compiled" : "interp", make_ms, mean, "", "", "",
                   same ? "yes" : "NO");
        if (lat && k == 0)
            printf("       (%d calls timed one by one, less %.1f ns for reading "
                   "the clock)\n", CALLS, (double)cost * npt);
        free(lat);
    }
    return all_same ? 0 : 1;
}

static bool same_result(const segc_result *a, const segc_result *b)
{
    size_t words = (segc_result_records(a) + 63) / 64;
    for (size_t s = 0; s < segc_result_segment_count(a); s++)
        if (memcmp(segc_result_bitmap(a, s), segc_result_bitmap(b, s),
                   words * 8) != 0)
            return false;
    return true;
}

int bench_threads(segc_ctx *ctx, const segc_schema *sch, const dataset *d,
                  const char *const *names, const char *const *texts,
                  int nwork, int64_t as_of)
{
    static const unsigned threads[] = {1, 2, 4, 8, 16};
    bool all_same = true;
    printf("\nTHREADS: segc_eval with N threads (the best of five; "
           "morsels of 65536 records)\n");
    printf("%-6s %7s %10s %10s %9s %8s %6s\n", "work", "threads", "stats",
           "scan", "Mrec/s", "x 1", "same");
    for (int k = 0; k < nwork; k++) {
        segc_program *p = compile_jit(ctx, sch, texts[k]);
        if (!p)
            return 2;
        segc_result *ref = NULL;
        double base = 0;
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            double best_scan = 1e9, best_stats = 1e9;
            bool same = true;
            for (int rep = 0; rep < 5; rep++) {
                segc_eval_opts o = {.engine = SEGC_ENGINE_JIT,
                                    .threads = threads[t]};
                segc_result *r = NULL;
                if (segc_eval(ctx, p, d, as_of, &o, &r) != SEGC_OK) {
                    segc_diag_print_all(ctx, stderr);
                    return 2;
                }
                segc_timing tm;
                segc_result_timing(r, &tm);
                if ((double)tm.scan_ns * 1e-9 < best_scan)
                    best_scan = (double)tm.scan_ns * 1e-9;
                if ((double)tm.stats_ns * 1e-9 < best_stats)
                    best_stats = (double)tm.stats_ns * 1e-9;
                if (!ref)
                    ref = r;
                else {
                    same &= same_result(ref, r);
                    segc_result_free(ctx, r);
                }
            }
            double total = best_scan + best_stats;
            if (t == 0)
                base = total;
            all_same &= same;
            printf("%-6s %7u %7.1f ms %7.1f ms %9.1f %7.2fx %6s\n", names[k],
                   threads[t], best_stats * 1e3, best_scan * 1e3,
                   (double)d->n / total / 1e6, base / total,
                   same ? "yes" : "NO");
        }
        segc_result_free(ctx, ref);
        segc_program_free(ctx, p);
    }
    printf("(Mrec/s and x 1 count the statistics pass and the scan)\n");
    return all_same ? 0 : 1;
}
