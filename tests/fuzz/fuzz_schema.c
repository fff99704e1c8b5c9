/* fuzz_schema.c - the schema parser and checker.
 *
 * The input is a schema file (segc_schema_parse). A schema that parses is
 * checked against what the API and the language reference promise
 * (fuzz_check_schema), and a one-segment rule file is compiled against it,
 * whose program must carry an equal schema; a CREATE TABLE statement is
 * written for it in every SQL dialect. The context's allocator hook
 * checks every call, and every byte must be back when the context is
 * freed. (Allocation failures: fuzz_oom.c.) */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_schema";
    return 0;
}

static void same_schema(const segc_ctx *ctx, const segc_schema *a,
                        const segc_schema *b)
{
    FUZZ_CHECK(ctx, segc_schema_fingerprint(a) == segc_schema_fingerprint(b),
               "the program's copy of the schema has another fingerprint");
    FUZZ_CHECK(ctx,
               segc_schema_field_count(a) == segc_schema_field_count(b) &&
                   segc_schema_record_size(a) == segc_schema_record_size(b) &&
                   segc_schema_key_field(a) == segc_schema_key_field(b) &&
                   strcmp(segc_schema_name(a), segc_schema_name(b)) == 0,
               "the program's copy of the schema differs");
    for (size_t i = 0; i < segc_schema_field_count(a); i++) {
        segc_field_info x, y;
        segc_schema_field(a, i, &x);
        segc_schema_field(b, i, &y);
        FUZZ_CHECK(ctx,
                   strcmp(x.name, y.name) == 0 && x.type == y.type &&
                       x.nullable == y.nullable && x.offset == y.offset &&
                       x.null_bit == y.null_bit &&
                       x.decimals == y.decimals,
                   "field %zu of the program's copy of the schema differs",
                   i);
    }
}

/* Parses the input; returns the number of allocations made. */
static long parse(segc_ctx *ctx, fuzz_hook *h, const uint8_t *data,
                  size_t size)
{
    long c0 = h->calls;
    size_t errors0 = segc_diag_errors(ctx);
    segc_schema *s = (segc_schema *)&s;
    segc_status st = segc_schema_parse(ctx, "fuzz.schema", (const char *)data,
                                       size, &s);
    long calls = h->calls - c0;
    FUZZ_CHECK(ctx, st == SEGC_OK || st == SEGC_ERR_COMPILE,
               "segc_schema_parse returned %d", (int)st);
    if (st != SEGC_OK) {
        FUZZ_CHECK(ctx, s == NULL, "a failed parse left a schema");
        FUZZ_CHECK(ctx, segc_diag_errors(ctx) > errors0,
                   "SEGC_ERR_COMPILE without an error diagnostic");
        fuzz_check_diags(ctx);
        return calls;
    }
    FUZZ_CHECK(ctx, s != NULL && segc_diag_errors(ctx) == errors0,
               "SEGC_OK without a schema, or with errors");
    fuzz_check_schema(ctx, s);
    for (int d = SEGC_SQL_POSTGRES; d <= SEGC_SQL_TRINO; d++) {
        segc_sql_opts o = {(segc_sql_dialect)d, d % 2 ? "db.customers" : NULL,
                           0, 0};
        FUZZ_CHECK(ctx, segc_schema_sql_table(ctx, s, &o, fuzz_sink()) ==
                            SEGC_OK,
                   "segc_schema_sql_table (dialect %d) failed", d);
    }
    /* a segment over it; its name cannot be a field's (names are ASCII) */
    static const char rules[] = "# every record\n"
                                "segment All__ where true\n";
    segc_program *p = NULL;
    st = segc_compile(ctx, s, "all.seg", rules, sizeof rules - 1, NULL, &p);
    if (st == SEGC_OK) {
        fuzz_check_program(ctx, p);
        same_schema(ctx, s, segc_program_schema(p));
        FUZZ_CHECK(ctx, segc_program_segment_count(p) == 1 &&
                            strcmp(segc_program_segment_description(p, 0),
                                   "every record") == 0,
                   "the one segment of all.seg is not as written");
        segc_program_free(ctx, p);
    } else {
        FUZZ_CHECK(ctx, st == SEGC_ERR_COMPILE && p == NULL,
                   "segc_compile returned %d", (int)st);
    }
    fuzz_check_diags(ctx);
    segc_schema_free(ctx, s);
    return calls;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_hook h = {0};
    segc_ctx *ctx = fuzz_ctx_new(&h);
    parse(ctx, &h, data, size);
    fuzz_ctx_free(ctx, &h);
    return 0;
}
