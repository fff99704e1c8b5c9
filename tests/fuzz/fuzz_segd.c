/* fuzz_segd.c - the packed data file reader (docs/segd.md).
 *
 * The input is a packed file. It is opened for two schemas, the example
 * schema (examples/customer.schema) and W (a field of every type and
 * nullability), each in a fresh context, three ways:
 *
 *   1. as it is, verified (segc_data_open_packed);
 *   2. "repaired": a copy whose schema fingerprint and record size are the
 *      target's and whose checksums (every section in the file's bounds,
 *      the section table, the header) are recomputed, so that mutations
 *      reach the checks of the sections' contents and of the records;
 *   3. when 2 succeeded, the repaired copy without verifying the records
 *      (no_verify, which trusts them: only for a file that verifies): it
 *      must succeed too, with the same records.
 *
 * An open must succeed or fail with SEGC_ERR_DATA (SEGC_ERR_NOMEM never
 * happens with this hook), leaving no data on failure. Data that opened is
 * evaluated with a program over its schema by the interpreter and the JIT,
 * which must agree; every key is written out; it is written back with
 * segc_data_write_packed and opened again, which must give the same
 * records. The checksum is XXH64, computed here independently of the
 * library. The allocator hook checks every call, and every byte must be
 * back when the context is freed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define AS_OF INT64_C(1795392000) /* 2026-11-23T00:00:00Z, the example's */

static const char wide_schema[] =
    "schema W {\n"
    "  id   : string key\n"
    "  a    : int\n"
    "  b    : int?\n"
    "  x    : float?\n"
    "  m    : money(EUR)?\n"
    "  s    : string?\n"
    "  t    : string\n"
    "  e    : enum(lo, mid, hi)?\n"
    "  d    : date?\n"
    "  ts   : timestamp\n"
    "  f    : bool?\n"
    "  g    : bool\n"
    "  tags : set<string>?\n"
    "  more : set<string>\n"
    "}\n";

static const char wide_rules[] =
    "segment S1 where a > 0 and b is null\n"
    "segment S2 where x >= 1.5 or m > 10 EUR\n"
    "segment S4 where s in [\"DE\", \"x\", \"\"] or t = \"Zo\\u00eb\"\n"
    "segment S5 where e >= mid or id = \"k1\"\n"
    "segment S6 where d > 30d or ts < 2w\n"
    "segment S7 where f or not g\n"
    "segment S8 where \"vip\" in tags or not (\"b2b\" in more)\n";

typedef struct target {
    const char *name;
    segc_schema *schema;
    segc_program *prog;
    uint64_t fingerprint;
    uint32_t record_size;
} target;

static segc_ctx *init_ctx;
static target targets[2];
static char out_dir[64];
static char out_path[96];

/* ---- XXH64, written from its specification --------------------------------- */

static const uint64_t K1 = 0x9E3779B185EBCA87ULL, K2 = 0xC2B2AE3D27D4EB4FULL,
                      K3 = 0x165667B19E3779F9ULL, K4 = 0x85EBCA77C2B2AE63ULL,
                      K5 = 0x27D4EB2F165667C5ULL;

static uint64_t rl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}
static uint64_t g64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static void s64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void s32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t rnd(uint64_t a, uint64_t x)
{
    return rl(a + x * K2, 31) * K1;
}

static uint64_t xxh64(const uint8_t *p, size_t n)
{
    size_t i = 0;
    uint64_t h;
    if (n >= 32) {
        uint64_t v[4] = {K1 + K2, K2, 0, (uint64_t)0 - K1};
        for (; i + 32 <= n; i += 32)
            for (int k = 0; k < 4; k++)
                v[k] = rnd(v[k], g64(p + i + 8 * k));
        h = rl(v[0], 1) + rl(v[1], 7) + rl(v[2], 12) + rl(v[3], 18);
        for (int k = 0; k < 4; k++)
            h = (h ^ rnd(0, v[k])) * K1 + K4;
    } else {
        h = K5;
    }
    h += n;
    for (; i + 8 <= n; i += 8)
        h = rl(h ^ rnd(0, g64(p + i)), 27) * K1 + K4;
    if (i + 4 <= n) {
        h = rl(h ^ (uint64_t)g32(p + i) * K1, 23) * K2 + K3;
        i += 4;
    }
    for (; i < n; i++)
        h = rl(h ^ p[i] * K5, 11) * K1;
    h ^= h >> 33;
    h *= K2;
    h ^= h >> 29;
    h *= K3;
    return h ^ (h >> 32);
}

/* ---- setup -------------------------------------------------------------------- */

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
    t->fingerprint = segc_schema_fingerprint(t->schema);
    t->record_size = (uint32_t)segc_schema_record_size(t->schema);
}

static void cleanup(void)
{
    for (size_t i = 0; i < 2; i++) {
        segc_program_free(init_ctx, targets[i].prog);
        segc_schema_free(init_ctx, targets[i].schema);
    }
    segc_ctx_free(init_ctx);
    unlink(out_path);
    rmdir(out_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_segd";
    init_ctx = segc_ctx_new(NULL, NULL);
    if (!init_ctx)
        fuzz_fail(NULL, "segc_ctx_new failed");
    atexit(cleanup);
    strcpy(out_dir, "/tmp/segc-fuzz-segd-XXXXXX");
    if (!mkdtemp(out_dir))
        fuzz_fail(NULL, "cannot make a temporary folder");
    snprintf(out_path, sizeof out_path, "%s/out.segd", out_dir);
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

/* The input made to fit t, with every checksum it can have recomputed. */
static uint8_t *repaired(const target *t, const uint8_t *data, size_t size)
{
    if (size < 64)
        return NULL;
    uint8_t *p = malloc(size);
    if (!p)
        fuzz_fail(NULL, "out of memory");
    memcpy(p, data, size);
    s64(p + 16, t->fingerprint);
    s32(p + 40, t->record_size);
    uint64_t nsec = g32(p + 44);
    if (nsec > (size - 64) / 32)
        nsec = (size - 64) / 32;
    for (uint64_t i = 0; i < nsec; i++) {
        uint8_t *e = p + 64 + 32 * i;
        uint64_t off = g64(e + 8), len = g64(e + 16);
        if (off <= size && len <= size - off)
            s64(e + 24, xxh64(p + off, (size_t)len));
    }
    if (g32(p + 44) == nsec)
        s64(p + 48, xxh64(p + 64, (size_t)(32 * nsec)));
    s64(p + 56, xxh64(p, 56));
    return p;
}

static void use(segc_ctx *ctx, const target *t, segc_data *d)
{
    FILE *sink = fuzz_sink();
    size_t n = segc_data_count(d);
    for (size_t i = 0; i < n; i++)
        segc_data_write_key(d, i, sink);
    fuzz_compare_engines(ctx, t->prog, d, AS_OF);
    /* written back and opened again: the same records */
    if (segc_data_write_packed(ctx, d, out_path) != SEGC_OK)
        fuzz_fail(ctx, "cannot write back data that opened");
    segc_data *again = NULL;
    if (segc_data_open_packed(ctx, t->schema, out_path, NULL, &again) !=
        SEGC_OK)
        fuzz_fail(ctx, "data written back does not open");
    size_t rs = segc_schema_record_size(t->schema);
    FUZZ_CHECK(ctx, segc_data_count(again) == n, "%zu records, then %zu", n,
               segc_data_count(again));
    if (n && memcmp(segc_data_records(d), segc_data_records(again), n * rs))
        fuzz_fail(ctx, "the records differ after writing back");
    segc_data_free(ctx, again);
}

static segc_data *open_one(segc_ctx *ctx, const target *t, const char *path,
                           int no_verify)
{
    segc_open_opts o = {no_verify};
    segc_data *d = (segc_data *)&o;
    segc_status st = segc_data_open_packed(ctx, t->schema, path, &o, &d);
    FUZZ_CHECK(ctx, st == SEGC_OK || st == SEGC_ERR_DATA,
               "segc_data_open_packed returned %d", (int)st);
    if (st != SEGC_OK) {
        FUZZ_CHECK(ctx, d == NULL, "a failed open left data");
        FUZZ_CHECK(ctx, segc_diag_errors(ctx) > 0,
                   "a failed open without an error");
        return NULL;
    }
    use(ctx, t, d);
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < 2; i++) {
        const target *t = &targets[i];
        fuzz_hook h = {0};
        segc_ctx *ctx = fuzz_ctx_new(&h);
        segc_data_free(ctx, open_one(ctx, t, fuzz_memfile(0, data, size), 0));
        uint8_t *p = repaired(t, data, size);
        if (p) {
            const char *path = fuzz_memfile(1, p, size);
            segc_data *v = open_one(ctx, t, path, 0);
            if (v) {
                segc_data *nv = open_one(ctx, t, path, 1);
                FUZZ_CHECK(ctx, nv != NULL,
                           "a file that verifies fails with no_verify");
                size_t n = segc_data_count(v);
                FUZZ_CHECK(ctx, segc_data_count(nv) == n &&
                               (n == 0 ||
                                memcmp(segc_data_records(v),
                                       segc_data_records(nv),
                                       n * segc_schema_record_size(
                                               t->schema)) == 0),
                           "no_verify gives other records");
                segc_data_free(ctx, nv);
                segc_data_free(ctx, v);
            }
            free(p);
        }
        fuzz_check_diags(ctx);
        fuzz_ctx_free(ctx, &h);
    }
    return 0;
}
