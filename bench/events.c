/* events.c - EVENTS: event-history segments over a synthetic shop (issue 9).
 *
 *   bench --only EVENTS [--events-records N]
 *
 * N customers (default 1 million; the size is 10 million, about
 * 100 million events) with about ten purchases each on average, skewed: a
 * quarter with none, most with a few, a fifth with dozens (capped at 2000).
 * Purchase times are spread over two years around as_of (the last 640 days
 * before it and 90 days after it, which every aggregate must ignore), with
 * some exactly at window boundaries. The records and the packed event array
 * are written directly, as events.c's loader lays them out (sorted by
 * customer and time), from a fixed seed.
 *
 * Ten event-based segments are timed with the JIT, the interpreter (on a
 * prefix of the customers when the whole would take long) and a
 * hand-written C function over the same packed arrays, fused into one pass
 * over each customer's events. Every engine's bitmaps must be identical.
 * Reported: events per second and GB/s of the event array. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "events.h"
#include "value.h"

static const char ev_schema[] =
    "schema Shopper {\n"
    "  id        : int key\n"
    "  purchases : events {\n"
    "    at       : timestamp\n"
    "    amount   : money(EUR)\n"
    "    items    : int\n"
    "    category : string?\n"
    "    coupon   : bool\n"
    "  }\n"
    "}\n";

static const char ev_segments[] =
    "segment Frequent30     where count(purchases within 30d) >= 3\n"
    "segment Electronics90  where sum(purchases.amount where category = "
    "\"electronics\" within 90d) > 100 EUR\n"
    "segment CouponYear     where any(purchases where coupon within 1y)\n"
    "segment Regulars       where distinct_days(purchases within 1y) >= 12\n"
    "segment Lapsed         where last(purchases.at) > 180d\n"
    "segment HighValue      where sum(purchases.amount within 1y) > 1000 EUR\n"
    "segment BigBasket      where max(purchases.items within 90d) >= 5\n"
    "segment NewBuyers      where first(purchases.at) < 30d\n"
    "segment Readers        where count(purchases where category in "
    "[\"books\", \"music\"] within 180d) >= 2\n"
    "segment Generous       where avg(purchases.amount within 1y) > 80 EUR\n";

enum { NSEG = 10 };

static const char *const categories[] = {"electronics", "books",  "music",
                                         "fashion",     "garden", "toys",
                                         "food",        "sports"};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* splitmix64: small and good enough for synthetic data */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
    return (double)(rnd(s) >> 11) * 0x1.0p-53;
}

static int64_t geometric(uint64_t *s, double mean)
{
    double p = 1.0 / (mean + 1.0);
    return (int64_t)floor(log(1.0 - unif(s)) / log(1.0 - p));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct evl {
    const schema *es;
    uint32_t rs, o_at, o_amount, o_items, o_category, o_coupon, o_slot;
    int32_t n_category; /* null bit */
    uint32_t no;        /* the event's null bitmap */
    int list;           /* the field index of purchases */
} evl;

static bool layout(const schema *s, evl *L)
{
    L->list = schema_find(s, "purchases", 9);
    if (L->list < 0 || !s->fields[L->list].events)
        return false;
    L->o_slot = s->fields[L->list].offset;
    const schema *es = L->es = s->fields[L->list].events;
    const char *names[5] = {"at", "amount", "items", "category", "coupon"};
    uint32_t *offs[5] = {&L->o_at, &L->o_amount, &L->o_items, &L->o_category,
                         &L->o_coupon};
    for (int i = 0; i < 5; i++) {
        int f = schema_find(es, names[i], strlen(names[i]));
        if (f < 0)
            return false;
        *offs[i] = es->fields[f].offset;
        if (i == 3)
            L->n_category = es->fields[f].null_bit;
    }
    L->rs = es->record_size;
    L->no = es->null_offset;
    return true;
}

/* n customers and their purchases, packed */
static bool generate(mem *m, dataset *d, const evl *L, size_t n, uint64_t seed,
                     int64_t as_of)
{
    uint64_t st = seed * 0x2545f4914f6cdd1dULL + 9;
    uint32_t *cnt = malloc(n * sizeof *cnt);
    if (!cnt)
        return false;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        double u = unif(&st);
        int64_t k = u < 0.25 ? 0 : u < 0.80 ? 1 + geometric(&st, 5) : 1 + geometric(&st, 32);
        if (k > 2000)
            k = 2000;
        cnt[i] = (uint32_t)k;
        total += (size_t)k;
    }
    if (total >= UINT32_MAX) {
        free(cnt);
        return false;
    }
    ev_store *s = mem_zalloc(m, sizeof *s);
    if (!s) {
        free(cnt);
        return false;
    }
    s->m = m;
    s->nfields = d->sch->nfields;
    s->lists = mem_array(m, s->nfields, sizeof *s->lists);
    if (!s->lists) {
        free(cnt);
        mem_free(m, s, sizeof *s);
        return false;
    }
    memset(s->lists, 0, s->nfields * sizeof *s->lists);
    d->events = s;
    ev_list *l = &s->lists[L->list];
    l->ndicts = L->es->nfields + 1;
    l->dicts = mem_array(m, l->ndicts, sizeof *l->dicts);
    if (!l->dicts) {
        l->ndicts = 0;
        free(cnt);
        return false;
    }
    for (size_t k = 0; k < l->ndicts; k++)
        dict_init(&l->dicts[k], m);
    int fcat = schema_find(L->es, "category", 8);
    uint32_t cat_id[8];
    for (int c = 0; c < 8; c++)
        if (!dict_intern(&l->dicts[fcat], categories[c], strlen(categories[c]),
                         &cat_id[c])) {
            free(cnt);
            return false;
        }
    l->bytes = total * L->rs + 1;
    l->rows = mem_alloc(m, l->bytes);
    if (!l->rows) {
        l->bytes = 0;
        free(cnt);
        return false;
    }
    memset(l->rows, 0, l->bytes);
    l->n = total;
    l->loaded = true;
    const schema_field *id = &d->sch->fields[d->sch->key];
    const int64_t lo = as_of - 640 * 86400, span = 730 * 86400;
    static const int64_t edges[] = {0, 30, 90, 180, 365};
    int64_t ts[2000];
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char *rec = data_push(d);
        if (!rec) {
            free(cnt);
            return false;
        }
        int64_t key = (int64_t)i + 1;
        memcpy(rec + id->offset, &key, 8);
        uint32_t k = cnt[i];
        if (k) {
            uint64_t slot = (uint64_t)e | (uint64_t)k << 32;
            memcpy(rec + L->o_slot, &slot, 8);
        }
        /* recency differs by customer: some buy mostly lately */
        double bias = unif(&st) < 0.5 ? 1.0 : 0.35;
        for (uint32_t j = 0; j < k; j++) {
            if (unif(&st) < 0.01) /* exactly at a window's edge */
                ts[j] = as_of - edges[rnd(&st) % 5] * 86400;
            else
                ts[j] = lo + span - 1 -
                        (int64_t)(pow(unif(&st), bias) * (double)span);
        }
        qsort(ts, k, sizeof ts[0], cmp_i64);
        for (uint32_t j = 0; j < k; j++, e++) {
            unsigned char *r = l->rows + e * L->rs;
            int64_t amount = (int64_t)llround(4000.0 * exp(0.8 * (unif(&st) * 2 - 1) +
                                                           0.5 * (unif(&st) - 0.5)));
            int64_t items = 1 + geometric(&st, 1.2);
            memcpy(r + L->o_at, &ts[j], 8);
            memcpy(r + L->o_amount, &amount, 8);
            memcpy(r + L->o_items, &items, 8);
            if (unif(&st) < 0.1)
                r[L->no + (uint32_t)L->n_category / 8] |=
                    (unsigned char)(1u << (L->n_category % 8));
            else
                memcpy(r + L->o_category, &cat_id[rnd(&st) % 8], 4);
            r[L->o_coupon] = unif(&st) < 0.08;
        }
    }
    free(cnt);
    return true;
}

/* The ten segments by hand: one pass over each customer's events up to
 * as_of (they are sorted by time), all aggregates fused, cut-offs computed
 * once and the category strings looked up once. */
static void baseline_events(const dataset *d, const evl *L, int64_t as_of,
                            size_t n, uint64_t *const out[NSEG])
{
    const ev_list *l = &d->events->lists[L->list];
    const unsigned char *rows = l->rows;
    const uint32_t rs = L->rs, o_at = L->o_at, o_amount = L->o_amount,
                   o_items = L->o_items, o_cat = L->o_category,
                   o_coupon = L->o_coupon, cbyte = L->no + (uint32_t)L->n_category / 8;
    const unsigned cmask = 1u << (L->n_category % 8);
    int fcat = schema_find(L->es, "category", 8);
    uint32_t electronics = UINT32_MAX, books = UINT32_MAX, music = UINT32_MAX;
    dict_find(&l->dicts[fcat], "electronics", 11, &electronics);
    dict_find(&l->dicts[fcat], "books", 5, &books);
    dict_find(&l->dicts[fcat], "music", 5, &music);
    int64_t y_today;
    unsigned mm, dd;
    cal_civil_from_days(cal_floor_div(as_of, 86400), &y_today, &mm, &dd);
    const int64_t w30 = as_of - 30 * 86400, w90 = as_of - 90 * 86400,
                  w180 = as_of - 180 * 86400,
                  w1y = as_of - (cal_floor_div(as_of, 86400) -
                                 cal_days_from_civil(y_today - 1, mm, dd)) * 86400;
    const uint32_t rsz = d->sch->record_size, o_slot = L->o_slot;
    uint64_t w[NSEG] = {0};
    for (size_t i = 0; i < n; i++) {
        uint64_t slot;
        memcpy(&slot, d->records + i * rsz + o_slot, 8);
        const unsigned char *r = rows + (slot & 0xffffffffu) * rs,
                            *end = r + (slot >> 32) * rs;
        int64_t c30 = 0, elec90 = 0, days1y = 0, prev_day = INT64_MIN,
                sum1y = 0, n1y = 0, maxitems90 = INT64_MIN, read180 = 0,
                first = 0, last = 0;
        bool coupon1y = false, any = false;
        for (; r < end; r += rs) {
            int64_t at;
            memcpy(&at, r + o_at, 8);
            if (at > as_of)
                break;
            if (!any)
                first = at;
            any = true;
            last = at;
            if (at <= w1y)
                continue;
            int64_t amount;
            memcpy(&amount, r + o_amount, 8);
            coupon1y |= r[o_coupon] != 0;
            sum1y += amount;
            n1y++;
            int64_t day = cal_floor_div(at, 86400);
            days1y += day != prev_day;
            prev_day = day;
            if (at <= w180)
                continue;
            uint32_t cat;
            memcpy(&cat, r + o_cat, 4);
            bool has_cat = !(r[cbyte] & cmask);
            if (has_cat && (cat == books || cat == music))
                read180++;
            if (at <= w90)
                continue;
            int64_t items;
            memcpy(&items, r + o_items, 8);
            if (items > maxitems90)
                maxitems90 = items;
            if (has_cat && cat == electronics)
                elec90 += amount;
            c30 += at > w30;
        }
        uint64_t bit = UINT64_C(1) << (i & 63);
        w[0] |= c30 >= 3 ? bit : 0;
        w[1] |= elec90 > 10000 ? bit : 0;
        w[2] |= coupon1y ? bit : 0;
        w[3] |= days1y >= 12 ? bit : 0;
        w[4] |= any && last < w180 ? bit : 0;
        w[5] |= sum1y > 100000 ? bit : 0;
        w[6] |= maxitems90 >= 5 ? bit : 0;
        w[7] |= any && first > w30 ? bit : 0;
        w[8] |= read180 >= 2 ? bit : 0;
        w[9] |= n1y > 0 && sum1y > 8000 * n1y ? bit : 0;
        if ((i & 63) == 63 || i + 1 == n) {
            for (int s = 0; s < NSEG; s++) {
                out[s][i / 64] = w[s];
                w[s] = 0;
            }
        }
    }
}

/* PREFIX-customers.csv and PREFIX-purchases.csv, for bench/duckdb */
static bool write_csv(const dataset *d, const evl *L, const char *prefix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s-customers.csv", prefix);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("id\n", f);
    for (size_t i = 0; i < d->n; i++)
        fprintf(f, "%zu\n", i + 1);
    if (fclose(f) != 0)
        return false;
    snprintf(path, sizeof path, "%s-purchases.csv", prefix);
    f = fopen(path, "w");
    if (!f)
        return false;
    const ev_list *l = &d->events->lists[L->list];
    const dict *cats = &l->dicts[schema_find(L->es, "category", 8)];
    fputs("id,at,amount,items,category,coupon\n", f); /* segc --events reads it too */
    char ts[64];
    for (size_t i = 0; i < d->n; i++) {
        uint64_t slot;
        memcpy(&slot, d->records + i * d->sch->record_size + L->o_slot, 8);
        for (size_t e = slot & 0xffffffffu, end = e + (slot >> 32); e < end; e++) {
            const unsigned char *r = l->rows + e * L->rs;
            int64_t at, amount, items;
            uint32_t cat;
            memcpy(&at, r + L->o_at, 8);
            memcpy(&amount, r + L->o_amount, 8);
            memcpy(&items, r + L->o_items, 8);
            memcpy(&cat, r + L->o_category, 4);
            cal_format_ts(at, ts, sizeof ts);
            /* amounts are positive */
            fprintf(f, "%zu,%s,%lld.%02lld,%lld,", i + 1, ts,
                    (long long)(amount / 100), (long long)(amount % 100),
                    (long long)items);
            if (!(r[L->no + (uint32_t)L->n_category / 8] >> (L->n_category % 8) & 1))
                fputs(cats->s[cat], f);
            fprintf(f, ",%s\n", r[L->o_coupon] ? "true" : "false");
        }
    }
    return fclose(f) == 0;
}

static segc_result *run(segc_ctx *ctx, const segc_program *p,
                        const segc_data *d, int64_t as_of, segc_engine engine,
                        double *secs)
{
    segc_eval_opts o = {.engine = engine};
    segc_result *r;
    if (segc_eval(ctx, p, d, as_of, &o, &r) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return NULL;
    }
    segc_timing t;
    segc_result_timing(r, &t);
    *secs = (double)t.scan_ns * 1e-9;
    return r;
}

/* the bits of the first n records of a and b agree in every segment */
static bool same_bits(const uint64_t *x, const uint64_t *y, size_t n)
{
    size_t words = n / 64, rem = n % 64;
    if (memcmp(x, y, words * 8) != 0)
        return false;
    return !rem || !((x[words] ^ y[words]) & ((UINT64_C(1) << rem) - 1));
}

static size_t popcount(const uint64_t *x, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n / 64; i++)
        c += (size_t)__builtin_popcountll(x[i]);
    if (n % 64)
        c += (size_t)__builtin_popcountll(x[n / 64] & ((UINT64_C(1) << (n % 64)) - 1));
    return c;
}

int bench_events(segc_ctx *ctx, size_t n, uint64_t seed, int64_t as_of,
                 const char *csv)
{
    segc_schema *sch;
    if (segc_schema_parse(ctx, "events.schema", ev_schema, strlen(ev_schema),
                          &sch) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return 2;
    }
    evl L;
    if (!layout(sch, &L)) {
        fprintf(stderr, "bench: EVENTS: unexpected event schema layout\n");
        return 2;
    }
    mem m;
    mem_init(&m, NULL, NULL);
    double t0 = now();
    dataset *d = data_new(&m, sch);
    if (!d || !layout(d->sch, &L) || !generate(&m, d, &L, n, seed, as_of)) {
        fprintf(stderr, "bench: EVENTS: generating the data failed\n");
        return 2;
    }
    double gen_s = now() - t0;
    const ev_list *l = &d->events->lists[L.list];
    size_t nev = l->n;
    size_t visible = 0;
    for (size_t i = 0; i < nev; i++) {
        int64_t at;
        memcpy(&at, l->rows + i * L.rs + L.o_at, 8);
        visible += at <= as_of;
    }
    double gb = (double)nev * L.rs / 1e9;
    printf("EVENTS: %zu customers, %zu events of %u bytes (%.2f GB; %.1f%% "
           "at or before as_of), generated in %.1f s\n",
           n, nev, L.rs, gb, 100.0 * (double)visible / (double)(nev ? nev : 1),
           gen_s);

    segc_program *p = NULL;
    static const char *const libs[] = {"stdlib"};
    segc_compile_opts co = {0};
    co.engine = SEGC_ENGINE_JIT;
    co.lib_paths = libs;
    co.nlib_paths = 1;
    double c0 = now();
    if (segc_compile(ctx, sch, "events", ev_segments, strlen(ev_segments), &co,
                     &p) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return 2;
    }
    double compile_ms = (now() - c0) * 1e3;
    int rc = 0;
    /* the JIT: the best of three */
    double jit_s = 1e9, s;
    segc_result *jres = NULL;
    for (int rep = 0; rep < 3; rep++) {
        segc_result *r = run(ctx, p, d, as_of, SEGC_ENGINE_JIT, &s);
        if (!r)
            return 2;
        if (s < jit_s)
            jit_s = s;
        if (jres)
            segc_result_free(ctx, r);
        else
            jres = r;
    }
    /* the C baseline: the best of three */
    size_t words = (n + 63) / 64;
    uint64_t *bits[NSEG];
    for (int k = 0; k < NSEG; k++)
        bits[k] = calloc(words + 1, 8);
    double base_s = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double b0 = now();
        baseline_events(d, &L, as_of, n, bits);
        double b = now() - b0;
        if (b < base_s)
            base_s = b;
    }
    /* the interpreter, on the customers holding the first 20 million
     * events when there are more */
    size_t ni = n, niev = nev;
    if (nev > 20000000) {
        for (ni = 0; ni < n; ni++) {
            uint64_t slot;
            memcpy(&slot, d->records + ni * d->sch->record_size + L.o_slot, 8);
            if ((slot >> 32) && (slot & 0xffffffffu) >= 20000000)
                break;
        }
        niev = nev;
        if (ni < n) {
            uint64_t slot;
            memcpy(&slot, d->records + ni * d->sch->record_size + L.o_slot, 8);
            niev = (size_t)(slot & 0xffffffffu);
        }
    }
    dataset pre = *d;
    pre.n = ni;
    double interp_s;
    segc_result *ires = run(ctx, p, &pre, as_of, SEGC_ENGINE_INTERP, &interp_s);
    if (!ires)
        return 2;
    bool same = true;
    printf("%-14s %10s %10s %10s\n", "segment", "JIT", "interp", "C");
    for (size_t k = 0; k < NSEG; k++) {
        const uint64_t *j = segc_result_bitmap(jres, k),
                       *i = segc_result_bitmap(ires, k);
        bool ok = same_bits(j, bits[k], n) && same_bits(j, i, ni);
        same &= ok;
        printf("%-14s %10zu %10zu %10zu%s\n", segc_program_segment_name(p, k), segc_result_count(jres, k),
               popcount(i, ni), popcount(bits[k], n),
               ok ? "" : "   <-- DIFFERENT");
    }
    if (ni < n)
        printf("(the interpreter's counts are over the first %zu customers)\n", ni);
    double jev = (double)nev / jit_s, iev = (double)niev / interp_s,
           bev = (double)nev / base_s;
    double ibytes = (double)niev * L.rs;
    printf("\n%-12s %10s %12s %8s %10s\n", "engine", "scan", "Mevents/s",
           "GB/s", "vs JIT");
    printf("%-12s %7.1f ms %12.1f %8.2f %9.2fx\n", "JIT", jit_s * 1e3,
           jev / 1e6, gb / jit_s, 1.0);
    printf("%-12s %7.1f ms %12.1f %8.2f %9.2fx\n", "interpreter",
           interp_s * 1e3, iev / 1e6, ibytes / 1e9 / interp_s, iev / jev);
    printf("%-12s %7.1f ms %12.1f %8.2f %9.2fx\n", "C baseline",
           base_s * 1e3, bev / 1e6, gb / base_s, bev / jev);
    printf("(compile %.1f ms; JIT and C: the best of three over all %zu "
           "events; interpreter: one run over %zu events; identical: %s)\n\n",
           compile_ms, nev, niev, same ? "yes" : "NO");
    if (!same) {
        fprintf(stderr, "bench: EVENTS: the engines DISAGREE\n");
        rc = 1;
    }
    if (csv) {
        /* the data and segc's numbers, for bench/duckdb/events.mjs */
        char path[4096];
        snprintf(path, sizeof path, "%s-segc.json", csv);
        FILE *jf = fopen(path, "w");
        if (!jf || !write_csv(d, &L, csv)) {
            fprintf(stderr, "bench: cannot write %s-*\n", csv);
            rc = 2;
        }
        if (jf) {
            fprintf(jf, "{\"customers\": %zu, \"events\": %zu, \"jit_ms\": %.3f, "
                        "\"c_baseline_ms\": %.3f, \"interp_ms\": %.3f, "
                        "\"interp_events\": %zu, \"identical\": %s, \"counts\": [",
                    n, nev, jit_s * 1e3, base_s * 1e3, interp_s * 1e3, niev,
                    same ? "true" : "false");
            for (size_t k = 0; k < NSEG; k++)
                fprintf(jf, "%s%zu", k ? ", " : "", segc_result_count(jres, k));
            fprintf(jf, "]}\n");
            if (fclose(jf) != 0)
                rc = 2;
        }
        if (rc == 0)
            printf("wrote %s-customers.csv, %s-purchases.csv and %s-segc.json\n",
                   csv, csv, csv);
    }
    for (int k = 0; k < NSEG; k++)
        free(bits[k]);
    segc_result_free(ctx, ires);
    segc_result_free(ctx, jres);
    segc_program_free(ctx, p);
    data_free(d);
    segc_schema_free(ctx, sch);
    return rc;
}
