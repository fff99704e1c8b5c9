/* segd.c - the packed data file: writing it atomically and mapping it back
 * (segd_). docs/segd.md describes the format byte by byte.
 *
 * Opening checks, in this order, and stops at the first problem: the magic
 * bytes, the header's checksum, the version and byte order, the schema's
 * fingerprint and record size, the file's size (a short file names the
 * section where it ends), the section table's checksum and entries, then
 * every section's checksum and contents, the zero padding between
 * sections, and every string, set, enum and bool value in the records. A
 * file that passes cannot make an engine read outside the data, whatever
 * its bytes. Without verification the records are trusted: neither their
 * checksum nor their values are read when the file is opened, so opening
 * costs only the header and the dictionaries (docs/segd.md). */
#define _DEFAULT_SOURCE /* madvise */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "segd.h"

enum {
    SK_RECORDS = 1, /* the record array */
    SK_STRINGS = 2, /* a string field's dictionary */
    SK_ELEMS = 3,   /* a set field's element dictionary (strings layout) */
    SK_SETS = 4     /* a set field's distinct sets */
};

#define NO_FIELD UINT32_MAX
#define ALIGN 64

/* ---- XXH64 ------------------------------------------------------------------------- */

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}
static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t xround(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}
static inline uint64_t xmerge(uint64_t acc, uint64_t v)
{
    acc ^= xround(0, v);
    return acc * P1 + P4;
}

uint64_t segd_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t h;
    if (len >= 32) {
        const unsigned char *limit = end - 32;
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed,
                 v4 = seed - P1;
        do {
            v1 = xround(v1, rd64(p));
            v2 = xround(v2, rd64(p + 8));
            v3 = xround(v3, rd64(p + 16));
            v4 = xround(v4, rd64(p + 24));
            p += 32;
        } while (p <= limit);
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = xmerge(h, v1);
        h = xmerge(h, v2);
        h = xmerge(h, v3);
        h = xmerge(h, v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)len;
    while (end - p >= 8) {
        h ^= xround(0, rd64(p));
        h = rotl64(h, 27) * P1 + P4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)rd32(p) * P1;
        h = rotl64(h, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * P5;
        h = rotl64(h, 11) * P1;
        p++;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

static bool little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void put32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void sys_error(diag_list *dl, const char *what, const char *path)
{
    char eb[128];
    int e = errno;
    if (strerror_r(e, eb, sizeof eb) != 0)
        snprintf(eb, sizeof eb, "error %d", e);
    diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
               "cannot %s '%s': %s", what, path, eb);
}

/* ---- dictionary lookups through the file's index -------------------------------------- */

bool segd_dict_find(const dict *d, const char *s, size_t len, uint32_t *id)
{
    uint32_t mask = d->index_mask;
    uint32_t j = (uint32_t)segd_hash64(s, len, 0) & mask;
    for (uint32_t probe = 0; probe <= mask; probe++) {
        uint32_t v = d->index[j];
        if (v == 0)
            return false;
        uint32_t k = v - 1;
        if (d->len[k] == len && memcmp(d->s[k], s, len) == 0) {
            *id = k;
            return true;
        }
        j = (j + 1) & mask;
    }
    return false;
}

/* ---- writing -------------------------------------------------------------------------- */

typedef struct wsect {
    uint32_t kind, field;
    uint64_t off, len, sum;
    const void *p; /* the bytes: b.p, or the records */
    buf b;
} wsect;

/* The index's slots for n strings: the smallest power of two >= 2n (0 for
 * none); above 2^31 strings it would not fit a u32, and the format has no
 * room for them (UINT64_MAX). */
static uint64_t index_slots(uint32_t n)
{
    if (n > (UINT32_C(1) << 31))
        return UINT64_MAX;
    uint64_t m = 1;
    while (m < 2 * (uint64_t)n)
        m <<= 1;
    return n ? m : 0;
}

/* The strings layout: count, slots, bytes; offsets; index; the strings. */
static bool ser_strings(buf *b, const dict *d)
{
    uint32_t n = d->n;
    if (index_slots(n) > UINT32_MAX) {
        b->m->failed = true; /* 2^31 strings: beyond any memory anyway */
        return false;
    }
    uint32_t m = (uint32_t)index_slots(n);
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += (uint64_t)d->len[i] + 1;
    size_t idx_bytes = ((size_t)m * 4 + 7) & ~(size_t)7;
    size_t total = 16 + ((size_t)n + 1) * 8 + idx_bytes + (size_t)bytes;
    if (!buf_reserve(b, total))
        return false;
    unsigned char *p = (unsigned char *)b->p;
    memset(p, 0, total);
    put32(p, n);
    put32(p + 4, m);
    put64(p + 8, bytes);
    unsigned char *offs = p + 16;
    uint32_t *idx = (uint32_t *)(void *)(offs + ((size_t)n + 1) * 8);
    unsigned char *str = offs + ((size_t)n + 1) * 8 + idx_bytes;
    uint64_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        put64(offs + (size_t)i * 8, o);
        memcpy(str + o, d->s[i], d->len[i]);
        o += (uint64_t)d->len[i] + 1; /* and a NUL, already there */
        uint32_t j = (uint32_t)segd_hash64(d->s[i], d->len[i], 0) & (m - 1);
        while (idx[j])
            j = (j + 1) & (m - 1);
        idx[j] = i + 1;
    }
    put64(offs + (size_t)n * 8, o);
    b->len = total;
    return true;
}

/* The sets layout: count, 0, ids; starts; the ids. */
static bool ser_sets(buf *b, const setdict *s)
{
    uint32_t n = s->n;
    uint64_t ids = 0;
    for (uint32_t i = 0; i < n; i++)
        ids += s->count[i];
    size_t total = 16 + ((size_t)n + 1) * 8 + (size_t)ids * 4;
    if (!buf_reserve(b, total))
        return false;
    unsigned char *p = (unsigned char *)b->p;
    memset(p, 0, total);
    put32(p, n);
    put64(p + 8, ids);
    unsigned char *starts = p + 16, *id = starts + ((size_t)n + 1) * 8;
    uint64_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        put64(starts + (size_t)i * 8, o);
        if (s->count[i])
            memcpy(id + o * 4, s->ids[i], (size_t)s->count[i] * 4);
        o += s->count[i];
    }
    put64(starts + (size_t)n * 8, o);
    b->len = total;
    return true;
}

static bool write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n) {
        size_t chunk = n > ((size_t)1 << 30) ? (size_t)1 << 30 : n;
        ssize_t w = write(fd, c, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        c += w;
        n -= (size_t)w;
    }
    return true;
}

segc_status segd_write(mem *m, const dataset *d, const char *path,
                       diag_list *dl)
{
    const schema *sch = d->sch;
    if (!little_endian()) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "packed data files are little-endian; this machine is not");
        return SEGC_ERR_IO;
    }
    /* the format has no sections for event lists yet: refuse rather than
     * drop them */
    for (size_t f = 0; d->events && f < d->events->nfields; f++)
        if (d->events->lists[f].loaded) {
            diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                       "packed data files cannot hold event lists yet: the "
                       "events of '%s' would be lost", sch->fields[f].name);
            return SEGC_ERR_ARG;
        }
    size_t nsec = 1;
    for (size_t f = 0; f < sch->nfields; f++)
        nsec += sch->fields[f].ty->kind == TY_STRING   ? 1
                : sch->fields[f].ty->kind == TY_SET ? 2
                                                    : 0;
    wsect *sec = mem_array(m, nsec, sizeof *sec);
    size_t plen = strlen(path);
    char *tmp = mem_alloc(m, plen + 16);
    segc_status st = SEGC_OK;
    int fd = -1;
    bool created = false;
    if (!sec || !tmp) {
        st = SEGC_ERR_NOMEM;
        goto done;
    }
    size_t k = 0;
    for (size_t f = 0; f < sch->nfields; f++) {
        type_kind kind = sch->fields[f].ty->kind;
        if (kind == TY_STRING) {
            sec[k].kind = SK_STRINGS;
            sec[k].field = (uint32_t)f;
            buf_init(&sec[k].b, m);
            if (!ser_strings(&sec[k].b, &d->dicts[f]))
                goto nomem;
            k++;
        } else if (kind == TY_SET) {
            sec[k].kind = SK_ELEMS;
            sec[k].field = (uint32_t)f;
            buf_init(&sec[k].b, m);
            if (!ser_strings(&sec[k].b, &d->sets[f].elems))
                goto nomem;
            k++;
            sec[k].kind = SK_SETS;
            sec[k].field = (uint32_t)f;
            buf_init(&sec[k].b, m);
            if (!ser_sets(&sec[k].b, &d->sets[f]))
                goto nomem;
            k++;
        }
    }
    sec[k].kind = SK_RECORDS;
    sec[k].field = NO_FIELD;
    sec[k].p = d->records;
    sec[k].len = (uint64_t)d->n * sch->record_size;
    buf_init(&sec[k].b, m);
    uint64_t off = SEGD_HEADER + (uint64_t)nsec * SEGD_ENTRY;
    for (size_t i = 0; i < nsec; i++) {
        if (sec[i].kind != SK_RECORDS) {
            sec[i].p = sec[i].b.p;
            sec[i].len = sec[i].b.len;
        }
        off = (off + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
        sec[i].off = off;
        off += sec[i].len;
        sec[i].sum = segd_hash64(sec[i].p ? sec[i].p : "", sec[i].len, 0);
    }
    uint64_t file_size = off;

    size_t tlen = (size_t)nsec * SEGD_ENTRY;
    unsigned char *table = mem_zalloc(m, tlen);
    if (!table)
        goto nomem;
    for (size_t i = 0; i < nsec; i++) {
        unsigned char *e = table + i * SEGD_ENTRY;
        put32(e, sec[i].kind);
        put32(e + 4, sec[i].field);
        put64(e + 8, sec[i].off);
        put64(e + 16, sec[i].len);
        put64(e + 24, sec[i].sum);
    }
    unsigned char hdr[SEGD_HEADER] = {0};
    memcpy(hdr, SEGD_MAGIC, SEGD_MAGIC_LEN);
    put32(hdr + 8, SEGD_VERSION);
    put32(hdr + 12, 0x01020304u);
    put64(hdr + 16, sch->fingerprint);
    put64(hdr + 24, (uint64_t)d->n);
    put64(hdr + 32, file_size);
    put32(hdr + 40, sch->record_size);
    put32(hdr + 44, (uint32_t)nsec);
    put64(hdr + 48, segd_hash64(table, tlen, 0));
    put64(hdr + 56, segd_hash64(hdr, 56, 0));

    /* the temporary file beside the target, so that rename is atomic */
    struct stat old;
    mode_t mode = stat(path, &old) == 0 ? (old.st_mode & 07777) : 0644;
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        sys_error(dl, "create a temporary file for", path);
        mem_free(m, table, tlen);
        st = SEGC_ERR_IO;
        goto done;
    }
    created = true;
    static const unsigned char zeros[ALIGN];
    bool ok = fchmod(fd, mode) == 0 && write_all(fd, hdr, sizeof hdr) &&
              write_all(fd, table, tlen);
    uint64_t at = SEGD_HEADER + tlen;
    for (size_t i = 0; ok && i < nsec; i++) {
        ok = write_all(fd, zeros, (size_t)(sec[i].off - at)) &&
             (sec[i].len == 0 || write_all(fd, sec[i].p, (size_t)sec[i].len));
        at = sec[i].off + sec[i].len;
    }
    mem_free(m, table, tlen);
    if (!ok || fsync(fd) != 0) {
        sys_error(dl, "write", path);
        st = SEGC_ERR_IO;
        goto done;
    }
    int cfd = fd;
    fd = -1;
    if (close(cfd) != 0) {
        sys_error(dl, "write", path);
        st = SEGC_ERR_IO;
        goto done;
    }
    if (rename(tmp, path) != 0) {
        sys_error(dl, "replace", path);
        st = SEGC_ERR_IO;
        goto done;
    }
    created = false;
    /* the rename itself is durable once the folder is synced */
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t dlen = slash == path ? 1 : (size_t)(slash - path);
        memcpy(tmp, path, dlen);
        tmp[dlen] = 0;
    } else {
        strcpy(tmp, ".");
    }
    int dfd = open(tmp, O_RDONLY);
    if (dfd >= 0) {
        (void)fsync(dfd); /* some file systems refuse; the data is safe */
        close(dfd);
    }
    goto done;
nomem:
    st = SEGC_ERR_NOMEM;
done:
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp);
    if (sec)
        for (size_t i = 0; i < nsec; i++)
            buf_free(&sec[i].b);
    mem_free(m, sec, nsec * sizeof *sec);
    mem_free(m, tmp, plen + 16);
    return st;
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct rsect {
    uint32_t kind, field;
    uint64_t off, len, sum;
} rsect;

typedef struct reader {
    mem *m;
    const schema *sch;
    const char *path;
    diag_list *dl;
    const unsigned char *map;
    uint64_t size;
    rsect *sec;
    uint32_t nsec;
    char name[192]; /* scratch: a section's name */
} reader;

static void bad(reader *r, const char *fmt, ...) SEGC_PRINTF(2, 3);
static void bad(reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_place(r->dl, SEGC_SEV_ERROR, r->path, 0, 0, 0, NULL, 0, "%s", msg);
}

/* "dictionary of field 'email' (section 2, bytes 512..1023)" */
static const char *sec_name(reader *r, uint32_t i)
{
    const rsect *s = &r->sec[i];
    const char *what = s->kind == SK_RECORDS   ? "records"
                       : s->kind == SK_STRINGS ? "dictionary"
                       : s->kind == SK_ELEMS   ? "element dictionary"
                       : s->kind == SK_SETS    ? "set dictionary"
                                               : "unknown section";
    int n;
    if (s->kind != SK_RECORDS && s->field < r->sch->nfields)
        n = snprintf(r->name, sizeof r->name, "%s of field '%s'", what,
                     r->sch->fields[s->field].name);
    else
        n = snprintf(r->name, sizeof r->name, "%s", what);
    if (n >= 0 && (size_t)n < sizeof r->name)
        snprintf(r->name + n, sizeof r->name - (size_t)n,
                 " (section %" PRIu32 ", bytes %" PRIu64 "..%" PRIu64 ")", i,
                 s->off, s->off + s->len);
    return r->name;
}

static void hexbytes(char *out, size_t cap, const unsigned char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%02X", i ? " " : "", p[i]);
    out[o] = 0;
}

/* Checks the header; fills the section table. */
static bool read_header(reader *r, uint64_t *count)
{
    const unsigned char *h = r->map;
    char eb[64], fb[64];
    size_t have = r->size < SEGD_MAGIC_LEN ? (size_t)r->size : SEGD_MAGIC_LEN;
    if (memcmp(h, SEGD_MAGIC, have) != 0) {
        hexbytes(eb, sizeof eb, (const unsigned char *)SEGD_MAGIC,
                 SEGD_MAGIC_LEN);
        hexbytes(fb, sizeof fb, h, have);
        bad(r, "not a packed segc data file: expected the magic bytes %s, "
            "found %s", eb, fb);
        return false;
    }
    if (r->size < SEGD_HEADER) {
        bad(r, "truncated in the header: the header has %d bytes, the file "
            "ends at byte %" PRIu64, SEGD_HEADER, r->size);
        return false;
    }
    uint64_t want = rd64(h + 56), got = segd_hash64(h, 56, 0);
    if (want != got) {
        bad(r, "checksum mismatch in the header (bytes 0..64): expected "
            "%016" PRIx64 ", found %016" PRIx64, want, got);
        return false;
    }
    if (rd32(h + 8) != SEGD_VERSION) {
        bad(r, "unsupported format version: expected %d, found %" PRIu32
            " (written by a newer segc?)", SEGD_VERSION, rd32(h + 8));
        return false;
    }
    if (rd32(h + 12) != 0x01020304u) {
        bad(r, "wrong byte order: expected the mark 01020304, found %08" PRIx32
            " (written on a machine of another byte order)", rd32(h + 12));
        return false;
    }
    const schema *s = r->sch;
    if (rd64(h + 16) != s->fingerprint) {
        bad(r, "schema fingerprint mismatch: expected %016" PRIx64
            " (schema '%s'), found %016" PRIx64 "; the file was packed for "
            "another schema (pack it again with this one)",
            s->fingerprint, s->name, rd64(h + 16));
        return false;
    }
    if (rd32(h + 40) != s->record_size) {
        bad(r, "record size mismatch: expected %" PRIu32 " (schema '%s'), "
            "found %" PRIu32, s->record_size, s->name, rd32(h + 40));
        return false;
    }
    *count = rd64(h + 24);
    uint64_t fsize = rd64(h + 32);
    r->nsec = rd32(h + 44);
    uint64_t tend = SEGD_HEADER + (uint64_t)r->nsec * SEGD_ENTRY;
    if (r->nsec == 0 || r->nsec > 3 * s->nfields + 1) {
        bad(r, "bad header: %" PRIu32 " sections, schema '%s' has room for "
            "1 to %zu", r->nsec, s->name, 3 * s->nfields + 1);
        return false;
    }
    if (r->size < tend) {
        bad(r, "truncated in the section table (bytes %d..%" PRIu64 "): the "
            "file ends at byte %" PRIu64 " of %" PRIu64, SEGD_HEADER, tend,
            r->size, fsize);
        return false;
    }
    want = rd64(h + 48);
    got = segd_hash64(h + SEGD_HEADER, (size_t)(tend - SEGD_HEADER), 0);
    if (want != got) {
        bad(r, "checksum mismatch in the section table (bytes %d..%" PRIu64
            "): expected %016" PRIx64 ", found %016" PRIx64, SEGD_HEADER,
            tend, want, got);
        return false;
    }
    r->sec = mem_array(r->m, r->nsec, sizeof *r->sec);
    if (!r->sec)
        return false;
    uint64_t prev_end = tend;
    for (uint32_t i = 0; i < r->nsec; i++) {
        const unsigned char *e = h + SEGD_HEADER + (size_t)i * SEGD_ENTRY;
        rsect *x = &r->sec[i];
        x->kind = rd32(e);
        x->field = rd32(e + 4);
        x->off = rd64(e + 8);
        x->len = rd64(e + 16);
        x->sum = rd64(e + 24);
        if (x->kind < SK_RECORDS || x->kind > SK_SETS) {
            bad(r, "bad section table: section %" PRIu32 " has kind %" PRIu32
                " (1 to 4 are known)", i, x->kind);
            return false;
        }
        if (x->off % ALIGN || x->off < prev_end || x->off - prev_end >= ALIGN ||
            x->len > UINT64_MAX - x->off) {
            bad(r, "bad section table: the %s does not start at the first "
                "64-byte boundary after the previous one (byte %" PRIu64 ")",
                sec_name(r, i), prev_end);
            return false;
        }
        prev_end = x->off + x->len;
    }
    if (prev_end != fsize) {
        bad(r, "bad header: the file size is %" PRIu64 ", but the last "
            "section ends at byte %" PRIu64, fsize, prev_end);
        return false;
    }
    if (r->size < fsize) {
        for (uint32_t i = 0; i < r->nsec; i++) {
            const rsect *x = &r->sec[i];
            if (x->off + x->len <= r->size)
                continue;
            if (r->size <= x->off)
                bad(r, "truncated before the %s: the file ends at byte %" PRIu64
                    " of %" PRIu64, sec_name(r, i), r->size, fsize);
            else
                bad(r, "truncated in the %s: the file ends at byte %" PRIu64
                    " of %" PRIu64, sec_name(r, i), r->size, fsize);
            return false;
        }
    }
    if (r->size > fsize) {
        bad(r, "trailing bytes after the last section: expected a file of "
            "%" PRIu64 " bytes, found %" PRIu64, fsize, r->size);
        return false;
    }
    /* padding is outside every checksum: it must be zero */
    uint64_t at = tend;
    for (uint32_t i = 0; i < r->nsec; i++) {
        for (uint64_t b = at; b < r->sec[i].off; b++)
            if (r->map[b]) {
                bad(r, "nonzero padding at byte %" PRIu64 " before the %s", b,
                    sec_name(r, i));
                return false;
            }
        at = r->sec[i].off + r->sec[i].len;
    }
    return true;
}

/* Maps a strings-layout section onto d. */
static bool open_strings(reader *r, uint32_t i, dict *d)
{
    const rsect *x = &r->sec[i];
    const unsigned char *p = r->map + x->off;
    if (x->len < 16) {
        bad(r, "malformed %s: %" PRIu64 " bytes, shorter than its 16-byte header",
            sec_name(r, i), x->len);
        return false;
    }
    uint32_t n = rd32(p), m = rd32(p + 4);
    uint64_t bytes = rd64(p + 8);
    uint64_t idx_bytes = ((uint64_t)m * 4 + 7) & ~(uint64_t)7;
    if (m != index_slots(n) || n == UINT32_MAX ||
        x->len != 16 + ((uint64_t)n + 1) * 8 + idx_bytes + bytes) {
        bad(r, "malformed %s: %" PRIu32 " strings of %" PRIu64 " bytes with %" PRIu32
            " index slots do not fill its %" PRIu64 " bytes", sec_name(r, i),
            n, bytes, m, x->len);
        return false;
    }
    const unsigned char *offs = p + 16;
    const uint32_t *idx = (const uint32_t *)(const void *)(offs +
                                                           ((size_t)n + 1) * 8);
    const char *str = (const char *)offs + ((size_t)n + 1) * 8 + idx_bytes;
    if (n) {
        /* filled below; not zeroed first (10 million strings: 120 MB) */
        d->s = mem_alloc(r->m, (size_t)n * sizeof *d->s);
        d->len = mem_alloc(r->m, (size_t)n * sizeof *d->len);
        if (!d->s || !d->len) {
            mem_free(r->m, d->s, (size_t)n * sizeof *d->s);
            mem_free(r->m, d->len, (size_t)n * sizeof *d->len);
            d->s = NULL;
            d->len = NULL;
            return false;
        }
        d->cap = n;
    }
    uint64_t prev = 0;
    for (uint32_t k = 0; k <= n; k++) {
        uint64_t o = rd64(offs + (size_t)k * 8);
        if (k == 0 ? o != 0 : (o <= prev || o > bytes || str[o - 1] != 0 ||
                               o - prev - 1 > UINT32_MAX)) {
            bad(r, "malformed %s: string %" PRIu32 " has a bad offset (%" PRIu64 ")",
                sec_name(r, i), k, o);
            return false;
        }
        if (k) {
            d->s[k - 1] = str + prev;
            d->len[k - 1] = (uint32_t)(o - prev - 1);
        }
        prev = o;
    }
    if (prev != bytes) {
        bad(r, "malformed %s: the strings take %" PRIu64 " bytes, it says %" PRIu64,
            sec_name(r, i), prev, bytes);
        return false;
    }
    for (uint32_t j = 0; j < m; j++)
        if (idx[j] > n) {
            bad(r, "malformed %s: index slot %" PRIu32 " names string %" PRIu32
                " of %" PRIu32, sec_name(r, i), j, idx[j] - 1, n);
            return false;
        }
    d->n = n;
    d->index = idx;
    d->index_mask = m ? m - 1 : 0;
    return true;
}

static bool open_sets(reader *r, uint32_t i, setdict *s)
{
    const rsect *x = &r->sec[i];
    const unsigned char *p = r->map + x->off;
    if (x->len < 16) {
        bad(r, "malformed %s: %" PRIu64 " bytes, shorter than its 16-byte header",
            sec_name(r, i), x->len);
        return false;
    }
    uint32_t n = rd32(p);
    uint64_t total = rd64(p + 8);
    if (rd32(p + 4) != 0 || n == UINT32_MAX || total > x->len ||
        x->len != 16 + ((uint64_t)n + 1) * 8 + total * 4) {
        bad(r, "malformed %s: %" PRIu32 " sets of %" PRIu64 " elements do not "
            "fill its %" PRIu64 " bytes", sec_name(r, i), n, total, x->len);
        return false;
    }
    const unsigned char *starts = p + 16;
    const uint32_t *ids = (const uint32_t *)(const void *)(starts +
                                                           ((size_t)n + 1) * 8);
    if (n) {
        s->ids = mem_alloc(r->m, (size_t)n * sizeof *s->ids);
        s->count = mem_alloc(r->m, (size_t)n * sizeof *s->count);
        if (!s->ids || !s->count) {
            mem_free(r->m, s->ids, (size_t)n * sizeof *s->ids);
            mem_free(r->m, s->count, (size_t)n * sizeof *s->count);
            s->ids = NULL;
            s->count = NULL;
            return false;
        }
        s->cap = n;
    }
    uint32_t ne = s->elems.n;
    uint64_t prev = 0;
    for (uint32_t k = 0; k <= n; k++) {
        uint64_t o = rd64(starts + (size_t)k * 8);
        if ((k == 0 && o != 0) || o < prev || o > total ||
            o - prev > UINT32_MAX) {
            bad(r, "malformed %s: set %" PRIu32 " has a bad start (%" PRIu64 ")",
                sec_name(r, i), k, o);
            return false;
        }
        if (k) {
            const uint32_t *v = ids + prev;
            uint32_t c = (uint32_t)(o - prev);
            for (uint32_t e = 0; e < c; e++)
                if (v[e] >= ne || (e && v[e] <= v[e - 1])) {
                    bad(r, "malformed %s: set %" PRIu32 " has element %" PRIu32
                        " out of order or out of range (%" PRIu32
                        " elements)", sec_name(r, i), k - 1, v[e], ne);
                    return false;
                }
            s->ids[k - 1] = v;
            s->count[k - 1] = c;
        }
        prev = o;
    }
    if (prev != total) {
        bad(r, "malformed %s: the sets hold %" PRIu64 " elements, it says %" PRIu64,
            sec_name(r, i), prev, total);
        return false;
    }
    s->n = n;
    return true;
}

/* Every string, set, enum and bool value of every record in range. */
typedef struct vcheck {
    uint32_t off, limit, field;
    int32_t null_bit;
    bool byte;
} vcheck;

static bool check_records(reader *r, const dataset *d, uint32_t sec)
{
    const schema *s = r->sch;
    vcheck c[512];
    size_t nc = 0;
    for (size_t f = 0; f < s->nfields && nc < SEGC_ARRAY_LEN(c); f++) {
        const schema_field *sf = &s->fields[f];
        vcheck v = {sf->offset, 0, (uint32_t)f, sf->null_bit, false};
        switch (sf->ty->kind) {
        case TY_STRING:
            v.limit = d->dicts[f].n;
            break;
        case TY_SET:
            v.limit = d->sets[f].n;
            break;
        case TY_ENUM:
            v.limit = sf->ty->enm->n;
            break;
        case TY_BOOL:
            v.limit = 2;
            v.byte = true;
            break;
        default:
            continue;
        }
        c[nc++] = v;
    }
    size_t rs = s->record_size;
    uint32_t nulls = s->null_offset;
    for (size_t i = 0; i < d->n; i++) {
        const unsigned char *rec = d->records + i * rs;
        for (size_t k = 0; k < nc; k++) {
            uint32_t v = c[k].byte ? rec[c[k].off] : rec_u32(rec, c[k].off);
            if (v < c[k].limit)
                continue;
            if (c[k].null_bit >= 0 &&
                ((rec[nulls + (uint32_t)c[k].null_bit / 8] >>
                  (c[k].null_bit % 8)) & 1))
                continue; /* a null's slot is not read */
            bad(r, "bad value in the %s: record %zu, field '%s': %" PRIu32
                " (expected below %" PRIu32 ")", sec_name(r, sec), i,
                s->fields[c[k].field].name, v, c[k].limit);
            return false;
        }
    }
    return true;
}

int segd_sniff(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    unsigned char b[SEGD_MAGIC_LEN];
    ssize_t k;
    do
        k = read(fd, b, sizeof b);
    while (k < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    errno = e;
    if (k < 0)
        return -1;
    /* the first byte, or (that byte damaged) the next four */
    return (k >= 1 && b[0] == (unsigned char)SEGD_MAGIC[0]) ||
           (k >= 5 && memcmp(b + 1, "SEGD", 4) == 0);
}

segc_status segd_open(mem *m, const schema *sch, const char *path,
                      bool verify, diag_list *dl, dataset **out)
{
    *out = NULL;
    reader r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.sch = sch;
    r.path = path;
    r.dl = dl;
    if (!little_endian()) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "packed data files are little-endian; this machine is not");
        return SEGC_ERR_IO;
    }
    if (sch->nfields > 512) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "schema '%s' has %zu fields; packed files hold at most 512",
                   sch->name, sch->nfields);
        return SEGC_ERR_ARG;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        sys_error(dl, "open", path);
        return SEGC_ERR_IO;
    }
    struct stat stt;
    if (fstat(fd, &stt) != 0) {
        sys_error(dl, "read", path);
        close(fd);
        return SEGC_ERR_IO;
    }
    r.size = (uint64_t)stt.st_size;
    void *map = NULL;
    size_t map_size = 0;
    unsigned char small[SEGD_HEADER];
    if (r.size == 0 || r.size > SIZE_MAX) {
        r.map = small;
    } else {
        map_size = (size_t)r.size;
        map = mmap(NULL, map_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            sys_error(dl, "map", path);
            close(fd);
            return SEGC_ERR_IO;
        }
        r.map = map;
    }
    close(fd);
    segc_status st = SEGC_ERR_DATA;
    dataset *d = NULL;
    uint64_t count = 0;
    if (!read_header(&r, &count))
        goto fail;
    /* the dictionaries are read whole below: their pages in one call
     * rather than fault by fault (Linux 5.14; elsewhere a no-op) */
#ifdef MADV_POPULATE_READ
    if (map && r.nsec > 1) {
        uint64_t from = (SEGD_HEADER + (uint64_t)r.nsec * SEGD_ENTRY) &
                        ~(uint64_t)4095;
        uint64_t to = r.sec[r.nsec - 1].off;
        if (to > from)
            (void)madvise((char *)map + from, (size_t)(to - from),
                          MADV_POPULATE_READ);
    }
#endif
    d = data_new(m, sch);
    if (!d)
        goto fail;
    bool seen_rec = false;
    uint32_t rec_sec = 0;
    unsigned char *have = mem_zalloc(m, sch->nfields * 3 + 1);
    if (!have)
        goto fail;
    for (uint32_t i = 0; i < r.nsec; i++) {
        const rsect *x = &r.sec[i];
        type_kind want = x->kind == SK_STRINGS ? TY_STRING : TY_SET;
        if (x->kind == SK_RECORDS ? x->field != NO_FIELD
                                  : (x->field >= sch->nfields ||
                                     sch->fields[x->field].ty->kind != want)) {
            bad(&r, "bad section table: section %" PRIu32 " of kind %" PRIu32
                " names field %" PRIu32 ", which cannot have one", i, x->kind,
                x->field);
            goto fail_have;
        }
        unsigned char *seen = x->kind == SK_RECORDS
                                  ? &have[sch->nfields * 3]
                                  : &have[x->field * 3 + (x->kind - 2)];
        /* a set's elements come before its sets */
        if (*seen || (x->kind == SK_SETS && !have[x->field * 3 + 1])) {
            bad(&r, "bad section table: section %" PRIu32 " repeats or comes "
                "out of order", i);
            goto fail_have;
        }
        *seen = 1;
        if (x->kind != SK_RECORDS || verify) {
            uint64_t got = segd_hash64(r.map + x->off, (size_t)x->len, 0);
            if (got != x->sum) {
                bad(&r, "checksum mismatch in the %s: expected %016" PRIx64
                    ", found %016" PRIx64, sec_name(&r, i), x->sum, got);
                goto fail_have;
            }
        }
        bool ok = true;
        if (x->kind == SK_STRINGS)
            ok = open_strings(&r, i, &d->dicts[x->field]);
        else if (x->kind == SK_ELEMS)
            ok = open_strings(&r, i, &d->sets[x->field].elems);
        else if (x->kind == SK_SETS)
            ok = open_sets(&r, i, &d->sets[x->field]);
        else {
            seen_rec = true;
            rec_sec = i;
        }
        if (!ok)
            goto fail_have;
    }
    for (size_t f = 0; f < sch->nfields; f++) {
        type_kind k = sch->fields[f].ty->kind;
        if ((k == TY_STRING && !have[f * 3]) ||
            (k == TY_SET && (!have[f * 3 + 1] || !have[f * 3 + 2]))) {
            bad(&r, "bad section table: no dictionary for field '%s'",
                sch->fields[f].name);
            goto fail_have;
        }
    }
    mem_free(m, have, sch->nfields * 3 + 1);
    have = NULL;
    if (!seen_rec) {
        bad(&r, "bad section table: no records section");
        goto fail;
    }
    if (count > SIZE_MAX / sch->record_size ||
        r.sec[rec_sec].len != count * sch->record_size) {
        bad(&r, "malformed %s: expected %" PRIu64 " records of %" PRIu32
            " bytes, found %" PRIu64 " bytes", sec_name(&r, rec_sec), count,
            sch->record_size, r.sec[rec_sec].len);
        goto fail;
    }
    d->records = (unsigned char *)map + r.sec[rec_sec].off;
    d->n = d->cap = (size_t)count;
    if (verify && !check_records(&r, d, rec_sec))
        goto fail;
    d->map = map;
    d->map_size = map_size;
    mem_free(m, r.sec, (size_t)r.nsec * sizeof *r.sec);
    *out = d;
    return SEGC_OK;
fail_have:
    mem_free(m, have, sch->nfields * 3 + 1);
fail:
    if (m->failed)
        st = SEGC_ERR_NOMEM;
    if (d)
        d->records = NULL;
    data_free(d);
    mem_free(m, r.sec, (size_t)r.nsec * sizeof *r.sec);
    if (map)
        munmap(map, map_size);
    return st;
}
