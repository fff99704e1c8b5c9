/* fuzz_csv.c - the CSV loader.
 *
 * The input is a CSV file. It is loaded for two schemas: the example schema
 * (examples/customer.schema) and W, a schema with a field of every type and
 * nullability (the header of one of them fails on the other, cheaply). For
 * each, in a fresh context:
 *
 *   1. a plain load (one bad row fails it);
 *   2. a load with skip_bad_rows (max_errors 3): when load 1 succeeded it
 *      must give the same records;
 *   3. the same with blank lines inserted after the header so that the end
 *      of the loader's 64 KiB read buffer falls in the middle of the rows,
 *      and (once each) right before the first quote, carriage return and
 *      ';' after the header: the same status, counts and records as load 2
 *      (only the blank lines differ).
 *
 * Always rows = loaded + rejected. The data of load 2 is then evaluated
 * with a program over its schema (for the example: examples/rules.seg) by
 * the interpreter and the JIT, which must agree; every key and every
 * segment's members are written out. The context's allocator hook checks
 * every call, and every byte must be back when the context is freed.
 * (Allocation failures: fuzz_oom.c.) */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define AS_OF INT64_C(1795392000) /* 2026-11-23T00:00:00Z, the example's */
#define BUF_SIZE 65536            /* the loader's read buffer (src/csv.c) */

static const char wide_schema[] =
    "schema W {\n"
    "  id   : int key\n"
    "  a    : int\n"
    "  b    : int?\n"
    "  x    : float?\n"
    "  y    : float\n"
    "  m    : money(EUR)?\n"
    "  j    : money(JPY)\n"
    "  k    : money(KWD)?\n"
    "  s    : string?\n"
    "  t    : string\n"
    "  e    : enum(lo, mid, hi)?\n"
    "  d    : date?\n"
    "  ts   : timestamp\n"
    "  f    : bool?\n"
    "  g    : bool\n"
    "  tags : set<string>?\n"
    "}\n";

static const char wide_rules[] =
    "segment S1 where a > 0 and b is null\n"
    "segment S2 where x >= 1.5 or y < 0\n"
    "segment S3 where m > 10 EUR or j <= 5 JPY or k = 0.125 KWD\n"
    "segment S4 where s in [\"DE\", \"x\", \"\"] or t = \"Zo\\u00eb\"\n"
    "segment S5 where e >= mid\n"
    "segment S6 where d > 30d or ts < 2w or d = 2026-11-22\n"
    "segment S7 where f or not g\n"
    "segment S8 where \"vip\" in tags or not (\"b2b\" in tags)\n";

typedef struct target {
    const char *name;
    segc_schema *schema;
    segc_program *prog; /* with machine code */
} target;

static segc_ctx *init_ctx;
static target targets[2];

static void make_target(target *t, const char *name, const char *schema_text,
                        size_t schema_len, const char *rules, size_t rules_len)
{
    t->name = name;
    if (segc_schema_parse(init_ctx, name, schema_text, schema_len,
                          &t->schema) != SEGC_OK ||
        segc_compile(init_ctx, t->schema, "rules.seg", rules, rules_len, NULL,
                     &t->prog) != SEGC_OK ||
        segc_program_jit(init_ctx, t->prog) != SEGC_OK)
        fuzz_fail(init_ctx, "cannot set up schema %s", name);
}

/* at exit, so that valgrind and LeakSanitizer see everything freed */
static void cleanup(void)
{
    for (size_t i = 0; i < 2; i++) {
        segc_program_free(init_ctx, targets[i].prog);
        segc_schema_free(init_ctx, targets[i].schema);
    }
    segc_ctx_free(init_ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_csv";
    atexit(cleanup);
    init_ctx = segc_ctx_new(NULL, NULL);
    if (!init_ctx)
        fuzz_fail(NULL, "segc_ctx_new failed");
    size_t slen, rlen;
    char *s = fuzz_read_file(fuzz_source_path("examples/customer.schema"),
                             &slen);
    char *r = fuzz_read_file(fuzz_source_path("examples/rules.seg"), &rlen);
    make_target(&targets[0], "customer.schema", s, slen, r, rlen);
    free(s);
    free(r);
    make_target(&targets[1], "wide.schema", wide_schema,
                sizeof wide_schema - 1, wide_rules, sizeof wide_rules - 1);
    return 0;
}

typedef struct loaded {
    segc_status st;
    segc_load_stats stats;
    segc_data *data;
} loaded;

static loaded load(segc_ctx *ctx, const segc_schema *s, const char *path,
                   const segc_load_opts *opts)
{
    loaded l;
    memset(&l.stats, 0xA5, sizeof l.stats); /* filled in whatever happens */
    l.data = (segc_data *)&l;
    l.st = segc_data_load_csv(ctx, s, path, opts, &l.data, &l.stats);
    FUZZ_CHECK(ctx,
               l.st == SEGC_OK || l.st == SEGC_ERR_DATA ||
                   l.st == SEGC_ERR_NOMEM,
               "segc_data_load_csv returned %d", (int)l.st);
    FUZZ_CHECK(ctx, l.stats.rows == l.stats.loaded + l.stats.rejected,
               "rows %zu != loaded %zu + rejected %zu", l.stats.rows,
               l.stats.loaded, l.stats.rejected);
    if (l.st == SEGC_OK) {
        FUZZ_CHECK(ctx, l.data != NULL, "SEGC_OK without data");
        FUZZ_CHECK(ctx, segc_data_count(l.data) == l.stats.loaded,
                   "%zu records, %zu loaded", segc_data_count(l.data),
                   l.stats.loaded);
        FUZZ_CHECK(ctx, opts->skip_bad_rows || l.stats.rejected == 0,
                   "a plain load succeeded with %zu rejected rows",
                   l.stats.rejected);
        FUZZ_CHECK(ctx, l.stats.rejected == 0 || l.stats.bad_cells > 0,
                   "%zu rows rejected for no bad cell", l.stats.rejected);
    } else {
        FUZZ_CHECK(ctx, l.data == NULL, "a failed load left data");
    }
    return l;
}

static void same_data(const segc_ctx *ctx, const segc_schema *s,
                      const loaded *a, const loaded *b, const char *what)
{
    FUZZ_CHECK(ctx, a->st == b->st, "%s: status %d, then %d", what,
               (int)a->st, (int)b->st);
    FUZZ_CHECK(ctx,
               a->stats.rows == b->stats.rows &&
                   a->stats.loaded == b->stats.loaded &&
                   a->stats.rejected == b->stats.rejected &&
                   a->stats.bad_cells == b->stats.bad_cells,
               "%s: rows %zu/%zu loaded %zu/%zu rejected %zu/%zu bad cells "
               "%zu/%zu",
               what, a->stats.rows, b->stats.rows, a->stats.loaded,
               b->stats.loaded, a->stats.rejected, b->stats.rejected,
               a->stats.bad_cells, b->stats.bad_cells);
    if (a->st != SEGC_OK)
        return;
    size_t n = segc_data_count(a->data);
    FUZZ_CHECK(ctx, n == segc_data_count(b->data), "%s: %zu and %zu records",
               what, n, segc_data_count(b->data));
    size_t rs = segc_schema_record_size(s);
    const unsigned char *ra = segc_data_records(a->data);
    const unsigned char *rb = segc_data_records(b->data);
    for (size_t i = 0; i < n; i++)
        if (memcmp(ra + i * rs, rb + i * rs, rs) != 0)
            fuzz_fail(ctx, "%s: record %zu differs", what, i);
}

/* The length of the header line (with its LF), when the input has one
 * without quotes and something after it; else 0. */
static size_t header_len(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || memchr(data, '"', (size_t)(nl - data)))
        return 0;
    size_t hlen = (size_t)(nl - data) + 1;
    return hlen < size && size < BUF_SIZE ? hlen : 0;
}

/* The input with blank lines after its header, so that byte `at` of what
 * follows the header is the first byte of the loader's second buffer. */
static char *padded(const uint8_t *data, size_t size, size_t hlen, size_t at,
                    size_t *out_len, size_t *pad)
{
    *pad = BUF_SIZE - hlen - at;
    *out_len = size + *pad;
    char *p = malloc(*out_len);
    if (!p)
        fuzz_fail(NULL, "out of memory");
    memcpy(p, data, hlen);
    memset(p + hlen, '\n', *pad);
    memcpy(p + hlen + *pad, data + hlen, size - hlen);
    return p;
}

static void one_schema(const target *t, const uint8_t *data, size_t size)
{
    fuzz_hook h = {0};
    segc_ctx *ctx = fuzz_ctx_new(&h);
    const char *path = fuzz_memfile(0, data, size);

    segc_load_opts plain = {0, 0};
    loaded a = load(ctx, t->schema, path, &plain);

    segc_load_opts skip = {1, 3};
    loaded b = load(ctx, t->schema, path, &skip);
    if (a.st == SEGC_OK)
        same_data(ctx, t->schema, &a, &b, "a plain load, then skip_bad_rows");

    /* the buffer ends in the middle of the rows, and before the first
     * quote, carriage return and set separator after the header */
    size_t hlen = header_len(data, size);
    size_t points[4] = {(size - hlen) / 2, 0, 0, 0}, npoints = hlen ? 1 : 0;
    static const char special[] = "\"\r;";
    for (size_t i = 0; hlen && i < 3; i++) {
        const uint8_t *q = memchr(data + hlen, special[i], size - hlen);
        if (q)
            points[npoints++] = (size_t)(q - data) - hlen;
    }
    for (size_t i = 0; i < npoints; i++) {
        size_t plen, pad;
        char *p = padded(data, size, hlen, points[i], &plen, &pad);
        loaded c = load(ctx, t->schema, fuzz_memfile(1, p, plen), &skip);
        same_data(ctx, t->schema, &b, &c, "blank lines across the buffer");
        if (b.st == SEGC_OK)
            FUZZ_CHECK(ctx, c.stats.blank_lines == b.stats.blank_lines + pad,
                       "%zu blank lines, then %zu with %zu more",
                       b.stats.blank_lines, c.stats.blank_lines, pad);
        segc_data_free(ctx, c.data);
        free(p);
    }

    if (b.st == SEGC_OK) {
        FILE *sink = fuzz_sink();
        for (size_t i = 0; i < segc_data_count(b.data); i++)
            segc_data_write_key(b.data, i, sink);
        fuzz_compare_engines(ctx, t->prog, b.data, AS_OF);
    }
    segc_data_free(ctx, a.data);
    segc_data_free(ctx, b.data);
    fuzz_check_diags(ctx);

    fuzz_ctx_free(ctx, &h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < 2; i++)
        one_schema(&targets[i], data, size);
    return 0;
}
