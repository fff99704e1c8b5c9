/* bench.c - `make bench`: how fast the engines evaluate segments, measured
 * against baselines in the same run (never a timed test).
 *
 *   bench [--records N] [--seed S] [--only W1,W10,...] [--json FILE]
 *         [--csv FILE] [--opt LEVEL] [--segd FILE [--segd-csv FILE]]
 *         [--events-records N] [--events-csv PREFIX]
 *
 * For W1, W10, W100, W1000 and STATS (W10 with population statistics,
 * string and set functions, and the stdlib's RFM classification: its
 * statistics pass is reported apart) over N synthetic customers (default 10
 * million): compile time, scan time, million records per second, GB/s of
 * record data, and that as a share of this machine's single-core read
 * bandwidth, measured first in the same run. Baselines: the interpreter (on
 * a prefix of the records when it would take too long) and, for W10, a
 * hand-written C function. Every engine's bitmaps must be identical. The
 * table goes to stdout, the numbers to bench/results.json. --csv writes the
 * records as CSV for bench/duckdb. Then ONE (W10, W100, W1000 one record
 * at a time through segc_evaluator_record: mean, W10's p50, p99) and THREADS (W10, W100
 * and STATS with 1 to 16 threads), bench/threads.c. EVENTS (issue 9, run
 * first, on data of its own) is bench/events.c: event-history segments
 * over --events-records customers (default 1 million; 0 skips it). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "eval.h"
#include "value.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- memory bandwidth: the best of several passes summing 800 MB -------------- */

static double read_bandwidth(void)
{
    size_t n = (size_t)800 << 20 >> 3;
    uint64_t *a = malloc(n * sizeof *a);
    if (!a)
        return 0;
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    double best = 0;
    volatile uint64_t sink = 0;
    for (int pass = 0; pass < 4; pass++) {
        double t0 = now();
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (size_t i = 0; i < n; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        double t = now() - t0;
        sink += s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        double gbs = (double)(n * 8) / t / 1e9;
        if (gbs > best)
            best = gbs;
    }
    free(a);
    return best;
}

/* ---- workloads ------------------------------------------------------------------ */

static const char w10[] =
    "segment Dormant        where last_order > 90d and orders >= 2\n"
    "segment BigSpenders    where revenue > 5000 EUR\n"
    "segment OneTimeBuyers  where orders = 1\n"
    "segment Prospects      where orders = 0 and signup < 30d\n"
    "segment AbandonedCart  where cart_items > 0 and cart_updated > 1d and "
    "cart_updated < 14d\n"
    "segment CouponHunters  where orders >= 3 and coupon_orders >= 0.8 * orders\n"
    "segment Loyal          where orders >= 5 and last_order < 60d\n"
    "segment DachB2B        where account_type = b2b and country in [\"DE\", "
    "\"AT\", \"CH\"] and employees >= 50\n"
    "segment Newsletter     where newsletter and last_login < 30d\n"
    "segment Europe50k      where region = EU and revenue_ytd > 50000 EUR and "
    "cart_items > 15 and last_login > 2w\n";

/* STATS: what the full language adds, on top of W10 */
static const char stats_extra[] =
    "import \"rfm\"\n"
    "segment AboveAverage   where revenue > avg(revenue)\n"
    "segment TopDecile      where revenue >= percentile(revenue, 90%)\n"
    "segment BigBaskets     where revenue > 2 * avg(revenue where orders > 0)\n"
    "segment ExampleMail    where ends_with(lower(email), \"@example.com\")\n"
    "segment OrderedThisYear where last_order in this_year\n"
    "segment ManyTags       where size(tags) >= 2\n";

/* W100 and W1000: variations of the ten, built from a fixed pool of
 * conditions with a few thresholds each, so that conditions repeat across
 * segments the way they do in real rule sets (orders >= 2 in many rules). */
static const char *const pool[][4] = {
    {"last_order > 30d", "last_order > 90d", "last_order > 180d", "last_order > 1y"},
    {"orders >= 2", "orders >= 3", "orders >= 5", "orders >= 10"},
    {"revenue > 1000 EUR", "revenue > 5000 EUR", "revenue > 20000 EUR", "revenue <= 100 EUR"},
    {"orders = 0", "orders = 1", "orders = 2", "orders between 3 and 5"},
    {"signup < 7d", "signup < 30d", "signup < 90d", "signup > 2y"},
    {"cart_items > 0", "cart_items > 5", "cart_items > 15", "cart_items = 0"},
    {"cart_updated > 1d and cart_updated < 14d", "cart_updated < 7d",
     "cart_updated > 30d", "cart_updated is null"},
    {"coupon_orders >= 0.8 * orders", "coupon_orders >= 0.5 * orders",
     "coupon_orders = 0", "coupon_orders > 3"},
    {"last_order < 60d", "last_order < 30d", "last_order < 14d", "last_order is null"},
    {"account_type = b2b", "account_type = b2c", "employees >= 50", "employees >= 250"},
    {"country in [\"DE\", \"AT\", \"CH\"]", "country in [\"FR\", \"IT\", \"ES\"]",
     "country = \"US\"", "country in [\"DE\", \"NL\", \"BE\", \"DK\"]"},
    {"newsletter", "not newsletter", "last_login < 30d", "last_login > 2w"},
    {"region = EU", "region in [NA, LATAM]", "region != APAC", "industry is not null"},
    {"revenue_ytd > 50000 EUR", "revenue_ytd > 1000 EUR", "revenue_ytd = 0 EUR",
     "revenue_ytd > 0.5 * revenue"},
    {"avg_rating >= 4.5", "avg_rating < 2", "\"vip\" in tags", "\"student\" in tags"},
};
enum { NPOOL = sizeof pool / sizeof pool[0] };

static char *variations(int nsegs, uint64_t seed)
{
    size_t cap = (size_t)nsegs * 256 + 1024, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    uint64_t x = seed;
    for (int i = 0; i < nsegs; i++) {
        len += (size_t)snprintf(s + len, cap - len, "segment S%d where ", i);
        int nconds = 2 + (int)((x = hash_u64(x + 1)) % 3);
        int last = -1;
        for (int k = 0; k < nconds; k++) {
            int g = (int)((x = hash_u64(x + 7)) % NPOOL);
            if (g == last)
                g = (g + 1) % NPOOL;
            last = g;
            int v = (int)((x = hash_u64(x + 13)) % 4);
            const char *op = k == 0 ? "" : ((x = hash_u64(x + 3)) % 5 == 0) ? " or " : " and ";
            len += (size_t)snprintf(s + len, cap - len, "%s(%s)", op, pool[g][v]);
        }
        len += (size_t)snprintf(s + len, cap - len, "\n");
    }
    return s;
}

/* ---- running ----------------------------------------------------------------------- */

typedef struct row {
    const char *name;
    size_t nsegs;
    size_t counts[16]; /* of the first 16 segments, for cross-checks */
    double compile_ms;
    double jit_s, interp_s, base_s;
    double stats_s;     /* the statistics pass (with binding), best of five */
    size_t interp_records;
    bool same;
} row;

static int opt_level; /* --opt: LLVM's pass level, 0 for segc's default */

static segc_program *compile(segc_ctx *ctx, const segc_schema *sch,
                             const char *text, segc_engine engine)
{
    segc_program *p = NULL;
    static const char *const libs[] = {"stdlib"};
    segc_compile_opts o = {0};
    o.engine = engine;
    o.opt_level = opt_level;
    o.lib_paths = libs;
    o.nlib_paths = 1;
    if (segc_compile(ctx, sch, "workload", text, strlen(text), &o, &p) !=
        SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        exit(2);
    }
    return p;
}

static double last_stats_s; /* of the last scan */

static double scan(segc_ctx *ctx, const segc_program *p, const segc_data *d,
                   int64_t as_of, segc_engine engine, segc_result **keep)
{
    segc_eval_opts o = {.engine = engine};
    segc_result *r;
    if (segc_eval(ctx, p, d, as_of, &o, &r) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        exit(2);
    }
    segc_timing t;
    segc_result_timing(r, &t);
    if (keep)
        *keep = r;
    else
        segc_result_free(ctx, r);
    last_stats_s = (double)t.stats_ns * 1e-9;
    return (double)t.scan_ns * 1e-9;
}

/* the first n records of d, as a dataset of their own (for the interpreter
 * on large workloads) */
static dataset *prefix(mem *m, const dataset *d, size_t n)
{
    dataset *p = mem_zalloc(m, sizeof *p);
    *p = *d;
    p->n = n;
    return p;
}

static bool same_bits(const segc_result *a, const segc_result *b, size_t nrec)
{
    size_t words = nrec / 64, rem = nrec % 64;
    for (size_t s = 0; s < segc_result_segment_count(a); s++) {
        const uint64_t *x = segc_result_bitmap(a, s), *y = segc_result_bitmap(b, s);
        if (memcmp(x, y, words * 8) != 0)
            return false;
        if (rem && ((x[words] ^ y[words]) & ((UINT64_C(1) << rem) - 1)))
            return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    size_t nrec = 10000000;
    uint64_t seed = 42;
    const char *only = NULL, *json = "bench/results.json", *csv = NULL;
    const char *segd = NULL, *segd_csv = NULL;
    size_t ev_customers = 1000000; /* EVENTS (bench/events.c) */
    const char *ev_csv = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--records") == 0 && i + 1 < argc)
            nrec = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--events-records") == 0 && i + 1 < argc)
            ev_customers = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--events-csv") == 0 && i + 1 < argc)
            ev_csv = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json = argv[++i];
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv = argv[++i];
        else if (strcmp(argv[i], "--segd") == 0 && i + 1 < argc)
            segd = argv[++i];
        else if (strcmp(argv[i], "--segd-csv") == 0 && i + 1 < argc)
            segd_csv = argv[++i];
        else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc)
            opt_level = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench [--records N] [--seed S] [--only "
                            "W1,W10,W100,W1000,STATS,ONE,THREADS,EVENTS] [--json FILE] [--csv FILE] [--opt 1-3]\n"
                            "       [--segd FILE [--segd-csv FILE]]\n"
                            "       [--events-records N] [--events-csv PREFIX]\n");
            return 2;
        }
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    int64_t as_of = 1795392000; /* 2026-11-23T00:00:00Z */
    bool events_disagree = false;
    if (!csv && !segd && ev_customers > 0 && (!only || strstr(only, "EVENTS"))) {
        /* issue 9: event histories (bench/events.c), on their own data */
        int erc = bench_events(ctx, ev_customers, seed, as_of, ev_csv);
        if (erc == 2)
            return 2;
        events_disagree = erc != 0;
        if (only && !strstr(only, "W") && !strstr(only, "STATS") &&
            !strstr(only, "ONE") && !strstr(only, "THREADS")) {
            segc_ctx_free(ctx);
            return events_disagree;
        }
    }
    segc_schema *sch;
    if (segc_schema_load(ctx, "examples/customer.schema", &sch) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return 2;
    }
    mem m;
    mem_init(&m, NULL, NULL);
    double t0 = now();
    dataset *d = data_new(&m, sch);
    if (!d || !bench_generate(d, nrec, seed, as_of / 86400)) {
        fprintf(stderr, "bench: generating the records failed\n");
        return 2;
    }
    double gen_s = now() - t0;
    size_t rs = d->sch->record_size;
    double gb = (double)nrec * (double)rs / 1e9;
    if (csv) {
        if (!bench_write_csv(d, csv)) {
            fprintf(stderr, "bench: cannot write %s\n", csv);
            return 2;
        }
        printf("wrote %zu records to %s\n", nrec, csv);
        return 0;
    }
    if (segd) /* the packed data file (bench/segd.c) */
        return bench_segd(ctx, sch, d, w10, as_of, segd, segd_csv);
    double bw = read_bandwidth();
    printf("segc bench: %zu records of %zu bytes (%.2f GB), generated in "
           "%.1f s; single-core read bandwidth %.1f GB/s\n\n",
           nrec, rs, gb, gen_s, bw);

    struct {
        const char *name;
        char *text;
    } w[5] = {{"W1", NULL},    {"W10", NULL},  {"W100", NULL},
              {"W1000", NULL}, {"STATS", NULL}};
    w[0].text = strdup("segment Dormant where last_order > 90d and orders >= 2\n");
    w[1].text = strdup(w10);
    w[2].text = variations(100, seed);
    w[3].text = variations(1000, seed + 1);
    w[4].text = malloc(sizeof w10 + sizeof stats_extra);
    snprintf(w[4].text, sizeof w10 + sizeof stats_extra, "%s%s", w10,
             stats_extra);

    row rows[5];
    int nrows = 0;
    bool all_same = true;
    for (int k = 0; k < 5; k++) {
        if (only && !strstr(only, w[k].name))
            continue;
        if (only) {
            /* W1 must not match W10, W100, W1000 */
            const char *p = strstr(only, w[k].name);
            char after = p[strlen(w[k].name)];
            if (after >= '0' && after <= '9')
                continue;
        }
        row *r = &rows[nrows++];
        memset(r, 0, sizeof *r);
        r->name = w[k].name;
        /* compile: the best of three */
        r->compile_ms = 1e9;
        segc_program *p = NULL;
        for (int rep = 0; rep < 3; rep++) {
            if (p)
                segc_program_free(ctx, p);
            double c0 = now();
            p = compile(ctx, sch, w[k].text, SEGC_ENGINE_JIT);
            double c = (now() - c0) * 1e3;
            if (c < r->compile_ms)
                r->compile_ms = c;
        }
        r->nsegs = segc_program_segment_count(p);
        /* the JIT scan: the best of five */
        segc_result *jres = NULL;
        r->jit_s = 1e9;
        r->stats_s = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double s = scan(ctx, p, d, as_of, SEGC_ENGINE_JIT, rep ? NULL : &jres);
            if (s < r->jit_s)
                r->jit_s = s;
            if (last_stats_s < r->stats_s)
                r->stats_s = last_stats_s;
        }
        for (size_t s = 0; s < r->nsegs && s < 16; s++)
            r->counts[s] = segc_result_count(jres, s);
        /* the interpreter, on a prefix when the whole would take minutes */
        size_t work = nrec * r->nsegs;
        r->interp_records = work > 20000000 ? 20000000 / r->nsegs : nrec;
        if (r->interp_records > nrec)
            r->interp_records = nrec;
        dataset *pre = prefix(&m, d, r->interp_records);
        segc_result *ires;
        r->interp_s = scan(ctx, p, pre, as_of, SEGC_ENGINE_INTERP, &ires);
        if (k == 4 && r->interp_records < nrec) {
            /* statistics depend on the population: compare the JIT over
             * the same prefix */
            segc_result *jpre;
            scan(ctx, p, pre, as_of, SEGC_ENGINE_JIT, &jpre);
            r->same = same_bits(jpre, ires, r->interp_records);
            segc_result_free(ctx, jpre);
        } else {
            r->same = same_bits(jres, ires, r->interp_records);
        }
        segc_result_free(ctx, ires);
        mem_free(&m, pre, sizeof *pre);
        if (k == 1) {
            /* the hand-written C baseline for W10 */
            size_t words = (nrec + 63) / 64;
            uint64_t *bits[10];
            for (int s = 0; s < 10; s++)
                bits[s] = calloc(words + 1, 8);
            r->base_s = 1e9;
            for (int rep = 0; rep < 5; rep++) {
                double b0 = now();
                baseline_w10(d, as_of, bits);
                double b = now() - b0;
                if (b < r->base_s)
                    r->base_s = b;
            }
            for (int s = 0; s < 10; s++) {
                const uint64_t *j = segc_result_bitmap(jres, (size_t)s);
                if (memcmp(j, bits[s], words * 8) != 0)
                    r->same = false;
                free(bits[s]);
            }
        }
        all_same &= r->same;
        segc_result_free(ctx, jres);
        segc_program_free(ctx, p);
    }

    printf("%-6s %5s %10s %9s %9s %9s %7s %7s %11s %9s %9s %9s %6s\n", "work",
           "segs", "compile", "stats", "scan", "Mrec/s", "GB/s", "%bw", "interp",
           "x interp", "C base", "x C", "same");
    /* --only ONE,THREADS runs no workload: the file is left as it is */
    FILE *jf = nrows ? fopen(json, "w") : NULL;
    if (jf)
        fprintf(jf, "{\"records\": %zu, \"record_bytes\": %zu, "
                    "\"bandwidth_gbs\": %.3f, \"workloads\": [",
                nrec, rs, bw);
    for (int i = 0; i < nrows; i++) {
        row *r = &rows[i];
        double mrs = (double)nrec / r->jit_s / 1e6, gbs = gb / r->jit_s;
        double imrs = (double)r->interp_records / r->interp_s / 1e6;
        char base[32] = "-", xbase[32] = "-";
        if (r->base_s > 0) {
            snprintf(base, sizeof base, "%.1f ms", r->base_s * 1e3);
            snprintf(xbase, sizeof xbase, "%.2fx", r->base_s / r->jit_s);
        }
        printf("%-6s %5zu %7.1f ms %6.1f ms %6.1f ms %9.1f %7.2f %6.0f%% %6.1f Mr/s "
               "%8.1fx %9s %9s %6s\n",
               r->name, r->nsegs, r->compile_ms, r->stats_s * 1e3,
               r->jit_s * 1e3, mrs, gbs,
               100 * gbs / bw, imrs, mrs / imrs, base, xbase, r->same ? "yes" : "NO");
        if (jf)
            fprintf(jf, "%s{\"name\": \"%s\", \"segments\": %zu, \"compile_ms\": "
                        "%.3f, \"stats_ms\": %.3f, \"scan_ms\": %.3f, \"mrec_per_s\": %.2f, "
                        "\"gb_per_s\": %.3f, \"pct_bandwidth\": %.1f, "
                        "\"interp_mrec_per_s\": %.3f, \"interp_records\": %zu, "
                        "\"speedup_vs_interp\": %.2f, \"c_baseline_ms\": %.3f, "
                        "\"identical\": %s, \"counts\": [",
                    i ? ", " : "", r->name, r->nsegs, r->compile_ms,
                    r->stats_s * 1e3, r->jit_s * 1e3, mrs, gbs, 100 * gbs / bw, imrs,
                    r->interp_records, mrs / imrs, r->base_s * 1e3,
                    r->same ? "true" : "false");
        if (jf) {
            for (size_t s = 0; s < r->nsegs && s < 16; s++)
                fprintf(jf, "%s%zu", s ? ", " : "", r->counts[s]);
            fprintf(jf, "]}");
        }
    }
    if (jf) {
        fprintf(jf, "]}\n");
        fclose(jf);
    }
    printf("\n(scan: the best of five; compile: the best of three; the "
           "interpreter runs on a prefix of the records when the whole would "
           "take long: interp records per workload are in %s)\n", json);
    /* issue 7: one record at a time, and threads (bench/threads.c) */
    if (!only || strstr(only, "ONE")) {
        const char *names[3] = {w[1].name, w[2].name, w[3].name};
        const char *texts[3] = {w[1].text, w[2].text, w[3].text};
        all_same &= bench_one(ctx, sch, d, names, texts, 3, as_of) == 0;
    }
    if (!only || strstr(only, "THREADS")) {
        const char *names[3] = {w[1].name, w[2].name, w[4].name};
        const char *texts[3] = {w[1].text, w[2].text, w[4].text};
        all_same &= bench_threads(ctx, sch, d, names, texts, 3, as_of) == 0;
    }
    for (int k = 0; k < 5; k++)
        free(w[k].text);
    data_free(d);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    if (!all_same || events_disagree) {
        fprintf(stderr, "bench: the engines DISAGREE\n");
        return 1;
    }
    return 0;
}
