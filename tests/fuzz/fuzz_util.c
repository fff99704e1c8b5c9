/* fuzz_util.c - helpers shared by the fuzz harnesses (see fuzz.h). */
#define _GNU_SOURCE /* memfd_create */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef SEGC_SOURCE_DIR
#define SEGC_SOURCE_DIR "."
#endif

const char *fuzz_harness_name = "harness";

void fuzz_fail(const segc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "segc fuzz: %s: ", fuzz_harness_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (ctx && segc_diag_count(ctx)) {
        fprintf(stderr, "segc fuzz: the context's diagnostics:\n");
        segc_diag_print_all(ctx, stderr);
    }
    fflush(stderr);
    abort();
}

const char *fuzz_source_path(const char *rel)
{
    static char path[4096];
    const char *dir = getenv("SEGC_SOURCE_DIR");
    if (!dir || !*dir)
        dir = SEGC_SOURCE_DIR;
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        fuzz_fail(NULL, "path too long: %s/%s", dir, rel);
    return path;
}

char *fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fuzz_fail(NULL, "cannot read %s (set SEGC_SOURCE_DIR to the source "
                        "tree)", path);
    size_t cap = 1 << 16, n = 0, k;
    char *p = malloc(cap + 1);
    while (p && (k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap)
            p = realloc(p, (cap *= 2) + 1);
    }
    fclose(f);
    if (!p)
        fuzz_fail(NULL, "out of memory reading %s", path);
    p[n] = 0;
    if (len)
        *len = n;
    return p;
}

static FILE *sink;

static void close_sink(void)
{
    fclose(sink);
    sink = NULL;
}

FILE *fuzz_sink(void)
{
    if (!sink) {
        sink = fopen("/dev/null", "w");
        if (!sink)
            fuzz_fail(NULL, "cannot open /dev/null");
        atexit(close_sink);
    }
    return sink;
}

const char *fuzz_memfile(int slot, const void *data, size_t size)
{
    static int fds[4] = {-1, -1, -1, -1};
    static char paths[4][64];
    if (slot < 0 || slot >= 4)
        fuzz_fail(NULL, "fuzz_memfile: bad slot %d", slot);
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("segc-fuzz", MFD_CLOEXEC);
        if (fds[slot] < 0)
            fuzz_fail(NULL, "memfd_create failed");
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d",
                 fds[slot]);
    }
    int fd = fds[slot];
    if (ftruncate(fd, 0) != 0)
        fuzz_fail(NULL, "ftruncate failed");
    const char *p = data;
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(fd, p + off, size - off, (off_t)off);
        if (w <= 0)
            fuzz_fail(NULL, "writing the in-memory file failed");
        off += (size_t)w;
    }
    return paths[slot];
}

uint64_t fuzz_hash(const void *data, size_t size)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < size; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* ---- the checking allocator hook ----------------------------------------- */

#define TAG UINT64_C(0x5e6c0a11f0220000)

typedef struct header {
    uint64_t size, tag;
} header;

void *fuzz_hook_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    fuzz_hook *h = ud;
    header *old = ptr ? (header *)ptr - 1 : NULL;
    if (old) {
        if (old->tag != TAG)
            fuzz_fail(NULL, "the allocator hook got a pointer it never made, "
                            "or one it freed already");
        if (old->size != osize)
            fuzz_fail(NULL, "the allocator hook was told a block of %zu "
                            "bytes is %zu bytes long (new size %zu)",
                      (size_t)old->size, osize, nsize);
    }
    if (nsize == 0) {
        if (old) {
            h->live_bytes -= old->size;
            old->tag = 0;
            free(old);
        }
        return NULL;
    }
    h->calls++;
    if (h->fail_at && h->calls == h->fail_at) {
        h->failures++;
        return NULL;
    }
    if (nsize > ((size_t)1 << 40))
        fuzz_fail(NULL, "an allocation of %zu bytes", nsize);
    header *n = malloc(sizeof *n + nsize);
    if (!n)
        fuzz_fail(NULL, "malloc of %zu bytes failed", nsize);
    n->size = nsize;
    n->tag = TAG;
    if (old) {
        memcpy(n + 1, old + 1, old->size < nsize ? old->size : nsize);
        h->live_bytes -= old->size;
        old->tag = 0;
        free(old);
    }
    h->live_bytes += nsize;
    return n + 1;
}

segc_ctx *fuzz_ctx_new(fuzz_hook *h)
{
    segc_ctx *ctx = segc_ctx_new(fuzz_hook_fn, h);
    if (!ctx && !h->failures)
        fuzz_fail(NULL, "segc_ctx_new failed");
    return ctx;
}

void fuzz_ctx_free(segc_ctx *ctx, fuzz_hook *h)
{
    segc_ctx_free(ctx);
    if (h->live_bytes != 0)
        fuzz_fail(NULL, "%zu bytes were not given back to the allocator hook "
                        "when the context was freed (fail_at %ld)",
                  h->live_bytes, h->fail_at);
}

void fuzz_check_diags(const segc_ctx *ctx)
{
    size_t n = segc_diag_count(ctx), errors = 0;
    for (size_t i = 0; i < n; i++) {
        const segc_diag *d = segc_diag_get(ctx, i);
        FUZZ_CHECK(ctx, d != NULL, "segc_diag_get(%zu) of %zu is NULL", i, n);
        FUZZ_CHECK(ctx, d->file && d->message,
                   "diagnostic %zu has no file or no message", i);
        FUZZ_CHECK(ctx,
                   d->severity == SEGC_SEV_ERROR ||
                       d->severity == SEGC_SEV_WARNING ||
                       d->severity == SEGC_SEV_NOTE,
                   "diagnostic %zu has severity %d", i, (int)d->severity);
        errors += d->severity == SEGC_SEV_ERROR;
        if (d->line > 0)
            FUZZ_CHECK(ctx,
                       d->end_line > d->line ||
                           (d->end_line == d->line &&
                            d->end_column >= d->column),
                       "diagnostic %zu ends (%u:%u) before it starts (%u:%u)",
                       i, d->end_line, d->end_column, d->line, d->column);
    }
    FUZZ_CHECK(ctx, segc_diag_get(ctx, n) == NULL,
               "segc_diag_get past the end is not NULL");
    FUZZ_CHECK(ctx, errors == segc_diag_errors(ctx),
               "segc_diag_errors says %zu, the list holds %zu errors",
               segc_diag_errors(ctx), errors);
    segc_diag_print_all(ctx, fuzz_sink());
}

/* ---- schemas and programs ------------------------------------------------ */

const segc_compile_opts *fuzz_compile_opts(int opt_level)
{
    static char stdlib_dir[4096];
    static const char *paths[1];
    static segc_compile_opts o;
    if (!paths[0]) {
        snprintf(stdlib_dir, sizeof stdlib_dir, "%s",
                 fuzz_source_path("stdlib"));
        paths[0] = stdlib_dir;
    }
    memset(&o, 0, sizeof o);
    o.engine = SEGC_ENGINE_AUTO;
    o.opt_level = opt_level;
    o.lib_paths = paths;
    o.nlib_paths = 1;
    return &o;
}

void fuzz_program_sql(segc_ctx *ctx, const segc_program *p)
{
    for (int d = SEGC_SQL_POSTGRES; d <= SEGC_SQL_TRINO; d++) {
        segc_sql_opts o = {(segc_sql_dialect)d, d % 2 ? "db.customers" : NULL,
                           INT64_C(1795392000), d % 3 == 0};
        size_t errors0 = segc_diag_errors(ctx);
        segc_status st = segc_program_sql(ctx, p, &o, fuzz_sink());
        FUZZ_CHECK(ctx, st == SEGC_OK || st == SEGC_ERR_COMPILE,
                   "segc_program_sql (dialect %d) returned %d", d, (int)st);
        FUZZ_CHECK(ctx, (st == SEGC_OK) == (segc_diag_errors(ctx) == errors0),
                   "segc_program_sql (dialect %d) returned %d with %zu new "
                   "errors",
                   d, (int)st, segc_diag_errors(ctx) - errors0);
    }
}

static size_t type_size(segc_type t)
{
    switch (t) {
    case SEGC_TYPE_BOOL:
        return 1;
    case SEGC_TYPE_STRING:
    case SEGC_TYPE_ENUM:
    case SEGC_TYPE_DATE:
    case SEGC_TYPE_SET:
        return 4;
    case SEGC_TYPE_INT:
    case SEGC_TYPE_FLOAT:
    case SEGC_TYPE_MONEY:
    case SEGC_TYPE_TIMESTAMP:
        return 8;
    }
    return 0;
}

void fuzz_check_schema(const segc_ctx *ctx, const segc_schema *s)
{
    size_t nf = segc_schema_field_count(s);
    size_t rs = segc_schema_record_size(s);
    size_t key = segc_schema_key_field(s);
    const char *name = segc_schema_name(s);
    FUZZ_CHECK(ctx, name && *name, "a schema without a name");
    FUZZ_CHECK(ctx, nf > 0 && key < nf, "%zu fields, key field %zu", nf, key);
    segc_field_info *fi = calloc(nf, sizeof *fi);
    if (!fi)
        fuzz_fail(ctx, "out of memory");
    size_t keys = 0, nullable = 0, widest = 1;
    for (size_t i = 0; i < nf; i++) {
        segc_field_info *f = &fi[i];
        FUZZ_CHECK(ctx, segc_schema_field(s, i, f) == SEGC_OK,
                   "segc_schema_field(%zu) of %zu fails", i, nf);
        FUZZ_CHECK(ctx, f->name && *f->name, "field %zu has no name", i);
        size_t want = type_size(f->type);
        FUZZ_CHECK(ctx, want && f->size == want,
                   "field '%s' of type %d has size %zu", f->name,
                   (int)f->type, f->size);
        widest = f->size > widest ? f->size : widest;
        FUZZ_CHECK(ctx, (f->type == SEGC_TYPE_MONEY) == (f->currency != NULL),
                   "field '%s': currency %s", f->name,
                   f->currency ? f->currency : "(none)");
        if (f->type == SEGC_TYPE_MONEY)
            FUZZ_CHECK(ctx, strlen(f->currency) == 3 && f->decimals >= 0 &&
                                f->decimals <= 4,
                       "field '%s': money(%s) with %d decimals", f->name,
                       f->currency, f->decimals);
        if (f->is_key) {
            keys++;
            FUZZ_CHECK(ctx, i == key, "field %zu is a key; the key is %zu", i,
                       key);
            FUZZ_CHECK(ctx,
                       !f->nullable && (f->type == SEGC_TYPE_INT ||
                                        f->type == SEGC_TYPE_STRING),
                       "key '%s' is nullable or of type %d", f->name,
                       (int)f->type);
        }
        if (f->nullable) {
            FUZZ_CHECK(ctx, f->null_bit >= 0 && (size_t)f->null_bit < nf,
                       "nullable field '%s' has null bit %d", f->name,
                       f->null_bit);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(ctx, fi[j].null_bit != f->null_bit,
                           "fields '%s' and '%s' share null bit %d",
                           fi[j].name, f->name, f->null_bit);
            nullable++;
        } else {
            FUZZ_CHECK(ctx, f->null_bit == -1,
                       "field '%s' is not nullable and has null bit %d",
                       f->name, f->null_bit);
        }
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(ctx, strcmp(fi[j].name, f->name) != 0,
                       "two fields named '%s'", f->name);
    }
    FUZZ_CHECK(ctx, keys == 1, "%zu key fields", keys);
    segc_field_info past;
    FUZZ_CHECK(ctx, segc_schema_field(s, nf, &past) != SEGC_OK,
               "segc_schema_field past the end succeeds");
    /* the layout: 8-byte values, then 4-byte, then 1-byte, each group in
     * declaration order, then the null bitmap, padded to the alignment */
    size_t off = 0;
    static const size_t classes[] = {8, 4, 1};
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < nf; i++)
            if (fi[i].size == classes[c]) {
                FUZZ_CHECK(ctx, fi[i].offset == off,
                           "field '%s' at offset %zu; the layout puts it at "
                           "%zu",
                           fi[i].name, fi[i].offset, off);
                off += fi[i].size;
            }
    off += (nullable + 7) / 8;
    FUZZ_CHECK(ctx, rs >= off && rs % widest == 0 && rs < off + widest,
               "record size %zu for %zu bytes of values and null bits "
               "aligned to %zu",
               rs, off, widest);
    FUZZ_CHECK(ctx, segc_schema_fingerprint(s) == segc_schema_fingerprint(s),
               "the fingerprint changes");
    free(fi);
}

void fuzz_check_program(const segc_ctx *ctx, const segc_program *p)
{
    const segc_schema *s = segc_program_schema(p);
    FUZZ_CHECK(ctx, s != NULL, "a program without a schema");
    fuzz_check_schema(ctx, s);
    size_t n = segc_program_segment_count(p);
    size_t nf = segc_schema_field_count(s);
    for (size_t i = 0; i < n; i++) {
        const char *name = segc_program_segment_name(p, i);
        FUZZ_CHECK(ctx, name && *name, "segment %zu has no name", i);
        const char *d = segc_program_segment_description(p, i);
        if (d)
            FUZZ_CHECK(ctx, strlen(d) < ((size_t)1 << 30),
                       "a description that does not end");
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(ctx, strcmp(segc_program_segment_name(p, j), name),
                       "two segments named '%s'", name);
        for (size_t j = 0; j < nf; j++) {
            segc_field_info f;
            if (segc_schema_field(s, j, &f) == SEGC_OK)
                FUZZ_CHECK(ctx, strcmp(f.name, name) != 0,
                           "segment '%s' has the name of a field", name);
        }
    }
    FUZZ_CHECK(ctx, segc_program_segment_name(p, n) == NULL &&
                        segc_program_segment_description(p, n) == NULL,
               "segment lookups past the end are not NULL");

    /* plain segments first, then each classification's tiers in order */
    size_t nc = segc_program_classification_count(p), next = n;
    for (size_t i = 0; i < n; i++)
        if (segc_program_segment_classification(p, i) >= 0) {
            next = i;
            break;
        }
    for (size_t c = 0; c < nc; c++) {
        size_t first = (size_t)-1, count = (size_t)-1;
        const char *name = segc_program_classification_name(p, c);
        FUZZ_CHECK(ctx, name && *name, "classification %zu has no name", c);
        FUZZ_CHECK(ctx, segc_program_classification_tiers(p, c, &first,
                                                          &count) != 0,
                   "classification %zu has no tiers", c);
        FUZZ_CHECK(ctx, first == next && count <= n - first,
                   "classification %zu: tiers %zu..+%zu of %zu segments; "
                   "expected them from %zu",
                   c, first, count, n, next);
        for (size_t i = first; i < first + count; i++)
            FUZZ_CHECK(ctx,
                       segc_program_segment_classification(p, i) == (int)c,
                       "segment %zu is a tier of classification %zu, and "
                       "says %d",
                       i, c, segc_program_segment_classification(p, i));
        next = first + count;
    }
    FUZZ_CHECK(ctx, next == n,
               "segments %zu..%zu are in no classification, after tiers", next,
               n);
    size_t first, count;
    FUZZ_CHECK(ctx, segc_program_classification_tiers(p, nc, &first, &count)
                        == 0,
               "classification lookups past the end succeed");
    for (size_t i = 0; i < n; i++) {
        size_t na = segc_program_segment_annotation_count(p, i);
        for (size_t k = 0; k <= na; k++) {
            const char *an = NULL, *av = NULL;
            int got = segc_program_segment_annotation(p, i, k, &an, &av);
            FUZZ_CHECK(ctx, k < na ? got && an && *an : !got,
                       "annotation %zu of %zu of segment %zu", k, na, i);
        }
    }
    size_t np = segc_program_param_count(p);
    for (size_t i = 0; i <= np; i++) {
        const char *pn = NULL, *pv = NULL;
        int got = segc_program_param(p, i, &pn, &pv);
        FUZZ_CHECK(ctx, i < np ? got && pn && *pn && pv : !got,
                   "parameter %zu of %zu", i, np);
    }
    segc_program_dump(p, fuzz_sink());
}

/* ---- the two engines ----------------------------------------------------- */

static segc_result *eval_with(segc_ctx *ctx, const segc_program *prog,
                              const segc_data *data, int64_t as_of,
                              segc_engine engine)
{
    segc_eval_opts o = {.engine = engine};
    segc_result *r = (segc_result *)&r;
    segc_status st = segc_eval(ctx, prog, data, as_of, &o, &r);
    if (st != SEGC_OK)
        fuzz_fail(ctx, "segc_eval with the %s returned %d",
                  engine == SEGC_ENGINE_JIT ? "JIT" : "interpreter", (int)st);
    FUZZ_CHECK(ctx, r != NULL, "SEGC_OK without a result");
    segc_timing t;
    segc_result_timing(r, &t);
    FUZZ_CHECK(ctx, t.engine == engine, "asked for engine %d, %d ran",
               (int)engine, (int)t.engine);
    return r;
}

static size_t popcount_words(const uint64_t *w, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (size_t)__builtin_popcountll(w[i]);
    return c;
}

void fuzz_compare_engines(segc_ctx *ctx, const segc_program *prog,
                          const segc_data *data, int64_t as_of)
{
    segc_result *a = eval_with(ctx, prog, data, as_of, SEGC_ENGINE_INTERP);
    segc_result *b = eval_with(ctx, prog, data, as_of, SEGC_ENGINE_JIT);
    size_t nseg = segc_program_segment_count(prog);
    size_t nrec = segc_data_count(data);
    size_t nwords = (nrec + 63) / 64;
    FUZZ_CHECK(ctx,
               segc_result_segment_count(a) == nseg &&
                   segc_result_segment_count(b) == nseg &&
                   segc_result_records(a) == nrec &&
                   segc_result_records(b) == nrec,
               "results of %zu/%zu segments over %zu/%zu records; expected "
               "%zu over %zu",
               segc_result_segment_count(a), segc_result_segment_count(b),
               segc_result_records(a), segc_result_records(b), nseg, nrec);
    for (size_t s = 0; s < nseg; s++) {
        const uint64_t *wa = segc_result_bitmap(a, s);
        const uint64_t *wb = segc_result_bitmap(b, s);
        FUZZ_CHECK(ctx, nwords == 0 || (wa && wb), "no bitmap for segment %zu",
                   s);
        for (size_t w = 0; w < nwords; w++)
            if (wa[w] != wb[w]) {
                size_t r = w * 64 + (size_t)__builtin_ctzll(wa[w] ^ wb[w]);
                fuzz_fail(ctx,
                          "segment %zu (%s): the interpreter says record %zu "
                          "is %sa member, the JIT says it is %s (as_of %lld)",
                          s, segc_program_segment_name(prog, s), r,
                          (wa[w] >> (r % 64) & 1) ? "" : "not ",
                          (wb[w] >> (r % 64) & 1) ? "" : "not",
                          (long long)as_of);
            }
        FUZZ_CHECK(ctx,
                   segc_result_count(a, s) == popcount_words(wa, nwords) &&
                       segc_result_count(b, s) == popcount_words(wb, nwords),
                   "segment %zu: counts %zu (interpreter), %zu (JIT); bits "
                   "set: %zu",
                   s, segc_result_count(a, s), segc_result_count(b, s),
                   popcount_words(wa, nwords));
        if (nrec % 64)
            FUZZ_CHECK(ctx, (wa[nwords - 1] >> (nrec % 64)) == 0,
                       "segment %zu: bits set past the last record", s);
        FUZZ_CHECK(ctx,
                   segc_result_write_members(ctx, a, data, s, fuzz_sink()) ==
                       SEGC_OK,
                   "segc_result_write_members failed");
    }
    /* a record is in at most one tier of a classification */
    for (size_t c = 0; c < segc_program_classification_count(prog); c++) {
        size_t first, count;
        if (!segc_program_classification_tiers(prog, c, &first, &count))
            continue;
        for (size_t w = 0; w < nwords; w++) {
            uint64_t seen = 0;
            for (size_t t = first; t < first + count && t < nseg; t++) {
                uint64_t bits = segc_result_bitmap(a, t)[w];
                FUZZ_CHECK(ctx, (seen & bits) == 0,
                           "record %zu is in two tiers of classification "
                           "'%s'",
                           w * 64 + (size_t)__builtin_ctzll(seen & bits),
                           segc_program_classification_name(prog, c));
                seen |= bits;
            }
        }
    }
    FUZZ_CHECK(ctx, segc_result_bitmap(a, nseg) == NULL &&
                        segc_result_count(a, nseg) == 0,
               "result lookups past the last segment");
    segc_result_free(ctx, a);
    segc_result_free(ctx, b);
}
