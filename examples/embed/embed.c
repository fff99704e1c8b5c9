/* embed.c - segc embedded in a C program: compile rules, pack a few
 * customer records in the schema's layout, and evaluate them in bulk and
 * one record at a time (docs/embedding.md).
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs segc)
 *   ./embed [DIR]      DIR holds customer.schema and rules.seg (default .)
 *
 * The records are packed through the layout the library reports
 * (segc_schema_field: each field's offset, size and null bit), so this
 * program works for any layout of the schema; `segc layout --c-header`
 * writes the same layout as a C struct. Exit status: 0 success, 1 when
 * the library reported an error (its diagnostics are on stderr). Its
 * output is expected.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <segc.h>

/* one customer, as the service knows it */
typedef struct customer {
    int64_t id;
    const char *country;
    const char *tier;      /* bronze, silver or gold */
    int64_t orders;
    int64_t revenue_cents; /* EUR, in cents: money(EUR) has 2 decimals */
    const char *last_order; /* YYYY-MM-DD, or NULL: never ordered */
    int newsletter;
} customer;

static const customer customers[] = {
    {1, "DE", "gold", 12, 734050, "2026-05-02", 1},
    {2, "FR", "silver", 3, 45000, "2026-11-01", 0},
    {3, "AT", "gold", 1, 12000, "2026-11-20", 1},
    {4, "CH", "bronze", 0, 0, NULL, 1},
    {5, "BR", "silver", 7, 999999, "2025-12-24", 0},
};
enum { NCUSTOMERS = sizeof customers / sizeof customers[0] };

static int fail(segc_ctx *ctx, const char *what)
{
    fprintf(stderr, "embed: %s failed\n", what);
    segc_diag_print_all(ctx, stderr);
    return 1;
}

/* the field called name: its index and layout */
static size_t field(const segc_schema *sch, const char *name,
                    segc_field_info *info)
{
    size_t i = 0;
    if (segc_schema_field_find(sch, name, &i) != SEGC_OK ||
        segc_schema_field(sch, i, info) != SEGC_OK) {
        fprintf(stderr, "embed: the schema has no field '%s'\n", name);
        exit(1);
    }
    return i;
}

static void put(unsigned char *rec, const segc_field_info *f, const void *v)
{
    memcpy(rec + f->offset, v, f->size);
}

static void set_null(unsigned char *rec, size_t null_offset,
                     const segc_field_info *f)
{
    rec[null_offset + (size_t)f->null_bit / 8] |=
        (unsigned char)(1u << (f->null_bit % 8));
}

/* Packs c into rec (record_size bytes, zeroed). Strings are packed as the
 * evaluator's ids: a country no rule names and the evaluator never saw is
 * SEGC_ID_UNKNOWN, which still compares correctly with the rules'
 * constants. */
static int pack(segc_ctx *ctx, const segc_schema *sch,
                const segc_evaluator *ev, const customer *c,
                unsigned char *rec)
{
    segc_field_info f;
    size_t null_offset = segc_schema_null_offset(sch);

    field(sch, "id", &f);
    put(rec, &f, &c->id);

    size_t country = field(sch, "country", &f);
    uint32_t id;
    if (segc_evaluator_string(ctx, ev, country, c->country,
                              strlen(c->country), &id) != SEGC_OK)
        return fail(ctx, "segc_evaluator_string");
    put(rec, &f, &id);

    size_t tier = field(sch, "tier", &f);
    uint32_t k = 0;
    while (k < segc_schema_enum_count(sch, tier) &&
           strcmp(segc_schema_enum_value(sch, tier, k), c->tier) != 0)
        k++;
    put(rec, &f, &k); /* an enum is its value's index */

    field(sch, "orders", &f);
    put(rec, &f, &c->orders);
    field(sch, "revenue", &f);
    put(rec, &f, &c->revenue_cents);

    field(sch, "last_order", &f);
    if (c->last_order) {
        int64_t t;
        if (segc_parse_instant(c->last_order, &t, NULL) != 0)
            return 1;
        int32_t days = (int32_t)(t / 86400); /* a date: days since 1970 */
        put(rec, &f, &days);
    } else {
        set_null(rec, null_offset, &f);
    }

    field(sch, "newsletter", &f);
    unsigned char b = c->newsletter != 0;
    put(rec, &f, &b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char schema_path[4096], rules_path[4096];
    snprintf(schema_path, sizeof schema_path, "%s/customer.schema", dir);
    snprintf(rules_path, sizeof rules_path, "%s/rules.seg", dir);

    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (!ctx)
        return 1;
    segc_schema *sch = NULL;
    segc_program *prog = NULL;
    segc_evaluator *ev = NULL;
    unsigned char *recs = NULL;
    uint64_t *bits = NULL;
    int status = 1;

    if (segc_schema_load(ctx, schema_path, &sch) != SEGC_OK) {
        fail(ctx, "loading the schema");
        goto done;
    }
    if (segc_compile_file(ctx, sch, rules_path, NULL, &prog) != SEGC_OK) {
        fail(ctx, "compiling the rules");
        goto done;
    }
    /* as of 2026-11-23; no data set, so no population statistics: the
     * evaluator knows the rules' string constants only */
    int64_t as_of;
    segc_parse_instant("2026-11-23", &as_of, NULL);
    if (segc_evaluator_new(ctx, prog, NULL, as_of, NULL, &ev) != SEGC_OK) {
        fail(ctx, "segc_evaluator_new");
        goto done;
    }

    size_t rs = segc_schema_record_size(sch);
    recs = calloc(NCUSTOMERS, rs);
    if (!recs)
        goto done;
    for (size_t i = 0; i < NCUSTOMERS; i++)
        if (pack(ctx, sch, ev, &customers[i], recs + i * rs) != 0)
            goto done;

    /* in bulk: one bitmap per segment over the array of records */
    size_t nsegs = segc_program_segment_count(prog);
    size_t words = (NCUSTOMERS + 63) / 64;
    bits = calloc(nsegs * words, sizeof *bits);
    if (!bits)
        goto done;
    if (segc_evaluator_records(ctx, ev, recs, NCUSTOMERS, bits) != SEGC_OK) {
        fail(ctx, "segc_evaluator_records");
        goto done;
    }
    printf("in bulk (%s code), %d customers as of 2026-11-23:\n",
           segc_evaluator_engine(ev) == SEGC_ENGINE_JIT ? "compiled"
                                                        : "interpreted",
           NCUSTOMERS);
    for (size_t s = 0; s < nsegs; s++) {
        printf("  %-14s", segc_program_segment_name(prog, s));
        for (size_t r = 0; r < NCUSTOMERS; r++)
            if (bits[s * words + r / 64] >> (r % 64) & 1)
                printf(" %lld", (long long)customers[r].id);
        printf("\n");
    }

    /* one at a time: the real-time path, as a service would per request */
    printf("one at a time:\n");
    size_t nclasses = segc_program_classification_count(prog);
    for (size_t r = 0; r < NCUSTOMERS; r++) {
        uint64_t seg[4] = {0};
        int tiers[8];
        if (segc_evaluator_words(ev) > 4 || nclasses > 8)
            goto done;
        segc_evaluator_record(ev, recs + r * rs, seg);
        segc_evaluator_tiers(ev, seg, tiers);
        printf("  customer %lld:", (long long)customers[r].id);
        for (size_t s = 0; s < nsegs; s++)
            if (seg[s / 64] >> (s % 64) & 1 &&
                segc_program_segment_classification(prog, s) < 0)
                printf(" %s", segc_program_segment_name(prog, s));
        for (size_t c = 0; c < nclasses; c++)
            printf(" [%s]", tiers[c] < 0 ? "none"
                                         : segc_program_segment_name(
                                               prog, (size_t)tiers[c]));
        printf("\n");
    }
    status = 0;

done:
    free(bits);
    free(recs);
    segc_evaluator_free(ctx, ev);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    return status;
}
