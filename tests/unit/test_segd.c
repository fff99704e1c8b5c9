/* test_segd.c - packed data files (src/segd.c, docs/segd.md): the checksum
 * is XXH64, a packed file gives back the records, the strings, the sets
 * and key lookups of the CSV it was packed from, every byte of memory goes
 * back, and every allocation failure while opening or writing is clean.
 * (The catalogue of bad files is tests/segd/run.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segc.h"
#include "segd.h"

static char dir[64];

static const char schema_text[] =
    "schema S {\n"
    "  k    : string key\n"
    "  n    : int\n"
    "  c    : string?\n"
    "  e    : enum(lo, hi)\n"
    "  ok   : bool?\n"
    "  tags : set<string>\n"
    "}\n";

static const char csv_body[] =
    "k,n,c,e,ok,tags\n"
    "k1,1,DE,lo,true,a;b\n"
    "k2,2,,hi,,b\n"
    "\"k,3\",3,FR,lo,false,\n"
    "k4,4,DE,hi,1,b;a;c\n";

static const char rules_text[] =
    "segment A where c = \"DE\" and \"a\" in tags\n"
    "segment B where c in [\"FR\", \"XX\"] or e = hi\n"
    "segment C where ok or n > 3\n";

/* ---- a counting allocator that can fail call number fail_at ------------------- */
typedef struct hook {
    long live, calls, fail_at;
} hook;

static void *hook_fn(void *ud, void *ptr, size_t osize, size_t nsize)
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
    void *q = realloc(ptr, nsize);
    if (q)
        h->live += (long)nsize - (ptr ? (long)osize : 0);
    return q;
}

static char *path_of(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/segc-test-segd-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    FILE *f = fopen(path_of("d.csv"), "w");
    if (!f)
        return -1;
    fputs(csv_body, f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path_of("d.csv"));
    unlink(path_of("d.segd"));
    rmdir(dir);
    return 0;
}

static void test_xxh64(void **state)
{
    (void)state;
    /* the reference vectors of XXH64, seed 0 */
    assert_true(segd_hash64("", 0, 0) == 0xEF46DB3751D8E999ULL);
    assert_true(segd_hash64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL);
    assert_true(segd_hash64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
    const char *s = "Nobody inspects the spammish repetition";
    assert_true(segd_hash64(s, strlen(s), 0) == 0xFBCEA83C8A378BF1ULL);
}

static void members(segc_ctx *ctx, const segc_program *p, const segc_data *d,
                    char *out, size_t cap)
{
    segc_result *r;
    assert_int_equal(segc_eval(ctx, p, d, 0, NULL, &r), SEGC_OK);
    FILE *f = fmemopen(out, cap, "w");
    for (size_t s = 0; s < segc_result_segment_count(r); s++)
        assert_int_equal(segc_result_write_members(ctx, r, d, s, f), SEGC_OK);
    fclose(f);
    segc_result_free(ctx, r);
}

static void test_round_trip(void **state)
{
    (void)state;
    hook h = {0, 0, 0};
    segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
    segc_schema *sch;
    segc_program *p;
    segc_data *csv, *pk;
    assert_int_equal(segc_schema_parse(ctx, "s", schema_text,
                                       sizeof schema_text - 1, &sch),
                     SEGC_OK);
    assert_int_equal(segc_compile(ctx, sch, "r", rules_text,
                                  sizeof rules_text - 1, NULL, &p),
                     SEGC_OK);
    assert_int_equal(segc_data_load_csv(ctx, sch, path_of("d.csv"), NULL,
                                        &csv, NULL),
                     SEGC_OK);
    assert_int_equal(segc_data_write_packed(ctx, csv, path_of("d.segd")),
                     SEGC_OK);
    assert_int_equal(segc_data_is_packed_file(path_of("d.segd")), 1);
    assert_int_equal(segc_data_is_packed_file(path_of("d.csv")), 0);
    assert_int_equal(segc_data_open_packed(ctx, sch, path_of("d.segd"), NULL,
                                           &pk),
                     SEGC_OK);
    assert_int_equal(segc_data_count(pk), 4);
    assert_memory_equal(segc_data_records(pk), segc_data_records(csv),
                        4 * segc_schema_record_size(sch));
    assert_true(((uintptr_t)segc_data_records(pk) & 63) == 0);
    /* string keys found through the file's index */
    size_t i = 99;
    assert_int_equal(segc_data_find_key(ctx, pk, "k,3", &i), SEGC_OK);
    assert_int_equal(i, 2);
    assert_int_equal(segc_data_find_key(ctx, pk, "k4", &i), SEGC_OK);
    assert_int_equal(i, 3);
    assert_int_equal(segc_data_find_key(ctx, pk, "k5", &i), SEGC_ERR_ARG);
    segc_diag_clear(ctx);
    char a[256] = {0}, b[256] = {0};
    members(ctx, p, csv, a, sizeof a);
    members(ctx, p, pk, b, sizeof b);
    assert_string_equal(a, "k\nk1\nk4\nk\nk2\n\"k,3\"\nk4\nk\nk1\nk4\n");
    assert_string_equal(a, b);
    /* segc_data_load: either kind, with the stats of a packed file */
    segc_data *any;
    segc_load_stats st;
    assert_int_equal(segc_data_load(ctx, sch, path_of("d.segd"), NULL, NULL,
                                    &any, &st),
                     SEGC_OK);
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.loaded, 4);
    assert_int_equal(st.rejected, 0);
    segc_data_free(ctx, any);
    assert_int_equal(segc_data_open_packed(ctx, NULL, path_of("d.segd"),
                                           NULL, &any),
                     SEGC_ERR_ARG);
    segc_data_free(ctx, pk);
    segc_data_free(ctx, csv);
    segc_program_free(ctx, p);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    assert_int_equal(h.live, 0);
}

/* Every allocation of an open, and of a write, fails in turn: NOMEM, no
 * data, nothing leaked, and a write leaves the old file untouched. */
static void test_allocation_failures(void **state)
{
    (void)state;
    segc_ctx *ctx0 = segc_ctx_new(NULL, NULL);
    segc_schema *sch;
    segc_data *csv;
    assert_int_equal(segc_schema_parse(ctx0, "s", schema_text,
                                       sizeof schema_text - 1, &sch),
                     SEGC_OK);
    assert_int_equal(segc_data_load_csv(ctx0, sch, path_of("d.csv"), NULL,
                                        &csv, NULL),
                     SEGC_OK);
    assert_int_equal(segc_data_write_packed(ctx0, csv, path_of("d.segd")),
                     SEGC_OK);
    int failures = 0;
    for (long k = 1;; k++) {
        hook h = {0, 0, 0};
        segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
        h.fail_at = h.calls + k;
        segc_data *d = NULL;
        segc_status st = segc_data_open_packed(ctx, sch, path_of("d.segd"),
                                               NULL, &d);
        long calls = h.calls;
        h.fail_at = 0;
        if (st == SEGC_OK) {
            segc_data_free(ctx, d);
            segc_ctx_free(ctx);
            assert_int_equal(h.live, 0);
            break;
        }
        assert_int_equal(st, SEGC_ERR_NOMEM);
        assert_null(d);
        assert_true(calls >= k);
        segc_ctx_free(ctx);
        assert_int_equal(h.live, 0);
        failures++;
    }
    assert_true(failures > 5);
    for (long k = 1;; k++) {
        hook h = {0, 0, 0};
        segc_ctx *ctx = segc_ctx_new(hook_fn, &h);
        h.fail_at = h.calls + k;
        segc_status st = segc_data_write_packed(ctx, csv, path_of("x.segd"));
        h.fail_at = 0;
        segc_ctx_free(ctx);
        assert_int_equal(h.live, 0);
        if (st == SEGC_OK)
            break;
        assert_int_equal(st, SEGC_ERR_NOMEM);
        assert_int_equal(access(path_of("x.segd"), F_OK), -1);
    }
    unlink(path_of("x.segd"));
    segc_data_free(ctx0, csv);
    segc_schema_free(ctx0, sch);
    segc_ctx_free(ctx0);
}

/* ---- files whose checksums fit but whose contents do not ---------------------- */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *p = malloc(*n);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static uint64_t g64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Recomputes every checksum of the file p[0..n) (little-endian host). */
static void reseal(unsigned char *p, size_t n)
{
    uint32_t nsec;
    memcpy(&nsec, p + 44, 4);
    for (uint32_t i = 0; i < nsec; i++) {
        unsigned char *e = p + 64 + 32 * i;
        uint64_t off = g64(e + 8), len = g64(e + 16);
        assert_true(off + len <= n);
        uint64_t h = segd_hash64(p + off, len, 0);
        memcpy(e + 24, &h, 8);
    }
    uint64_t h = segd_hash64(p + 64, 32 * (size_t)nsec, 0);
    memcpy(p + 48, &h, 8);
    h = segd_hash64(p, 56, 0);
    memcpy(p + 56, &h, 8);
}

/* Writes the packed file with byte `at` of section `sec` set to v (4 bytes
 * when wide), resealed; opens it; returns the status and the first
 * diagnostic's message in msg. */
static segc_status crafted(segc_ctx *ctx, const segc_schema *sch,
                           const unsigned char *orig, size_t n, uint32_t sec,
                           uint64_t at, uint32_t v, int wide, char *msg,
                           size_t cap)
{
    unsigned char *p = malloc(n);
    memcpy(p, orig, n);
    uint64_t off = g64(p + 64 + 32 * sec + 8);
    if (wide)
        memcpy(p + off + at, &v, 4);
    else
        p[off + at] = (unsigned char)v;
    reseal(p, n);
    FILE *f = fopen(path_of("x.segd"), "wb");
    fwrite(p, 1, n, f);
    fclose(f);
    free(p);
    segc_data *d = NULL;
    segc_diag_clear(ctx);
    segc_status st = segc_data_open_packed(ctx, sch, path_of("x.segd"), NULL,
                                           &d);
    msg[0] = 0;
    if (segc_diag_count(ctx))
        snprintf(msg, cap, "%s", segc_diag_get(ctx, 0)->message);
    segc_data_free(ctx, d);
    unlink(path_of("x.segd"));
    return st;
}

static void test_crafted(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    segc_schema *sch;
    segc_data *csv;
    assert_int_equal(segc_schema_parse(ctx, "s", schema_text,
                                       sizeof schema_text - 1, &sch),
                     SEGC_OK);
    assert_int_equal(segc_data_load_csv(ctx, sch, path_of("d.csv"), NULL,
                                        &csv, NULL),
                     SEGC_OK);
    assert_int_equal(segc_data_write_packed(ctx, csv, path_of("d.segd")),
                     SEGC_OK);
    size_t n;
    unsigned char *orig = slurp(path_of("d.segd"), &n);
    /* sections: k, c, tags' elements, tags' sets, records; the record:
     * n at 0, k 8, c 12, e 16, tags 20, ok 24, nulls 25 (c bit 0, ok bit
     * 1), 32 bytes */
    assert_int_equal(segc_schema_record_size(sch), 32);
    uint64_t ro = g64(orig + 64 + 32 * 4 + 8), rl = g64(orig + 64 + 32 * 4 + 16);
    char want[256], msg[256];
    snprintf(want, sizeof want, "bad value in the records (section 4, bytes "
             "%llu..%llu): record 0, field 'k': 1000 (expected below 4)",
             (unsigned long long)ro, (unsigned long long)(ro + rl));
    assert_int_equal(crafted(ctx, sch, orig, n, 4, 8, 1000, 1, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    snprintf(want, sizeof want, "bad value in the records (section 4, bytes "
             "%llu..%llu): record 2, field 'e': 2 (expected below 2)",
             (unsigned long long)ro, (unsigned long long)(ro + rl));
    assert_int_equal(crafted(ctx, sch, orig, n, 4, 64 + 16, 2, 1, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    snprintf(want, sizeof want, "bad value in the records (section 4, bytes "
             "%llu..%llu): record 3, field 'tags': 7 (expected below 4)",
             (unsigned long long)ro, (unsigned long long)(ro + rl));
    assert_int_equal(crafted(ctx, sch, orig, n, 4, 96 + 20, 7, 1, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    snprintf(want, sizeof want, "bad value in the records (section 4, bytes "
             "%llu..%llu): record 0, field 'ok': 2 (expected below 2)",
             (unsigned long long)ro, (unsigned long long)(ro + rl));
    assert_int_equal(crafted(ctx, sch, orig, n, 4, 24, 2, 0, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    /* record 1's c is null: its slot is never read */
    assert_int_equal(crafted(ctx, sch, orig, n, 4, 32 + 12, 999, 1, msg,
                             sizeof msg),
                     SEGC_OK);
    /* the dictionary of k: strings "k1", "k2", "k,3", "k4"; offsets at
     * 16.. (0, 3, 6, 10, 13), 8 index slots, then the bytes */
    uint64_t ko = g64(orig + 64 + 8), kl = g64(orig + 64 + 16);
    snprintf(want, sizeof want, "malformed dictionary of field 'k' (section "
             "0, bytes %llu..%llu): string 2 has a bad offset (5)",
             (unsigned long long)ko, (unsigned long long)(ko + kl));
    assert_int_equal(crafted(ctx, sch, orig, n, 0, 16 + 16, 5, 0, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    snprintf(want, sizeof want, "malformed dictionary of field 'k' (section "
             "0, bytes %llu..%llu): index slot 0 names string 8 of 4",
             (unsigned long long)ko, (unsigned long long)(ko + kl));
    assert_int_equal(crafted(ctx, sch, orig, n, 0, 16 + 40, 9, 1, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    /* the sets of tags: {a, b}, {b}, {}, {a, b, c} as ids 0..2 */
    uint64_t so = g64(orig + 64 + 32 * 3 + 8), sl = g64(orig + 64 + 32 * 3 + 16);
    snprintf(want, sizeof want, "malformed set dictionary of field 'tags' "
             "(section 3, bytes %llu..%llu): set 0 has element 0 out of order "
             "or out of range (3 elements)",
             (unsigned long long)so, (unsigned long long)(so + sl));
    assert_int_equal(crafted(ctx, sch, orig, n, 3, 16 + 40 + 4, 0, 1, msg,
                             sizeof msg),
                     SEGC_ERR_DATA);
    assert_string_equal(msg, want);
    free(orig);
    segc_data_free(ctx, csv);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
}

/* Event lists are not in the format yet: writing data that has events is
 * refused (nothing dropped silently); without events it packs. */
static void test_events_refused(void **state)
{
    (void)state;
    static const char es[] = "schema C {\n  id : int key\n"
                             "  buys : events { at : date  n : int }\n}\n";
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    segc_schema *sch;
    segc_data *d, *pk;
    assert_int_equal(segc_schema_parse(ctx, "c", es, sizeof es - 1, &sch),
                     SEGC_OK);
    FILE *f = fopen(path_of("c.csv"), "w");
    fputs("id\n1\n2\n", f);
    fclose(f);
    f = fopen(path_of("e.csv"), "w");
    fputs("id,at,n\n1,2024-01-02,3\n", f);
    fclose(f);
    assert_int_equal(segc_data_load_csv(ctx, sch, path_of("c.csv"), NULL, &d,
                                        NULL),
                     SEGC_OK);
    assert_int_equal(segc_data_write_packed(ctx, d, path_of("c.segd")),
                     SEGC_OK);
    assert_int_equal(segc_data_open_packed(ctx, sch, path_of("c.segd"), NULL,
                                           &pk),
                     SEGC_OK);
    assert_int_equal(segc_data_count(pk), 2);
    segc_data_free(ctx, pk);
    assert_int_equal(segc_data_load_events(ctx, d, "buys", path_of("e.csv"),
                                           NULL, NULL),
                     SEGC_OK);
    segc_diag_clear(ctx);
    assert_int_equal(segc_data_write_packed(ctx, d, path_of("c.segd")),
                     SEGC_ERR_ARG);
    assert_string_equal(segc_diag_get(ctx, 0)->message,
                        "packed data files cannot hold event lists yet: the "
                        "events of 'buys' would be lost");
    segc_data_free(ctx, d);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    unlink(path_of("c.csv"));
    unlink(path_of("e.csv"));
    unlink(path_of("c.segd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xxh64),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_crafted),
        cmocka_unit_test(test_events_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
