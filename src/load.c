/* load.c - CSV files -> packed records (load_).
 *
 * The header row names the fields, in any order; columns the schema does not
 * know are ignored with a warning, fields without a column are an error. Each
 * row is first parsed whole into scratch values and only then written, so a
 * rejected row leaves no trace (not even in a dictionary). Every row is
 * accounted for: rows == loaded + rejected, and blank lines are counted
 * apart. Values are never rounded, trimmed or guessed: money with more
 * decimals than its currency has is an error, not a rounding.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "data.h"
#include "value.h"

#define DEFAULT_MAX_ERRORS 10

typedef struct cell {
    bool null;
    int64_t i;
    double f;
    const char *s;
    size_t len;
} cell;

/* int keys seen so far: an open-addressing table of (key, line) */
typedef struct keyset {
    mem *m;
    int64_t *keys;
    unsigned *lines; /* 0 = empty slot (data lines start at 2) */
    size_t cap, n;
} keyset;

typedef struct loader {
    mem *m;
    const schema *sch;
    dataset *ds;
    diag_list *d;
    const char *path;
    csv_reader r;
    size_t ncols;
    int *col;          /* per field: its column, or -1 */
    cell *vals;        /* per field: the parsed value of the current row */
    size_t max_errors, listed;
    bool skip;
    segc_load_stats st;
    keyset keys;
    unsigned *skey_line; /* string keys: first line per key id */
    size_t skey_cap;
    buf setids;          /* scratch: element ids of one set */
} loader;

/* ---- int key set ------------------------------------------------------------------- */

static bool keyset_grow(keyset *k)
{
    size_t cap = k->cap ? k->cap * 2 : 1024;
    int64_t *keys = mem_array(k->m, cap, sizeof *keys);
    unsigned *lines = mem_array(k->m, cap, sizeof *lines);
    if (!keys || !lines) {
        mem_free(k->m, keys, cap * sizeof *keys);
        mem_free(k->m, lines, cap * sizeof *lines);
        return false;
    }
    for (size_t i = 0; i < k->cap; i++) {
        if (!k->lines[i])
            continue;
        size_t j = hash_u64((uint64_t)k->keys[i]) & (cap - 1);
        while (lines[j])
            j = (j + 1) & (cap - 1);
        keys[j] = k->keys[i];
        lines[j] = k->lines[i];
    }
    mem_free(k->m, k->keys, k->cap * sizeof *k->keys);
    mem_free(k->m, k->lines, k->cap * sizeof *k->lines);
    k->keys = keys;
    k->lines = lines;
    k->cap = cap;
    return true;
}

/* The line where key was first seen, or 0. */
static unsigned keyset_find(const keyset *k, int64_t key)
{
    if (!k->cap)
        return 0;
    size_t j = hash_u64((uint64_t)key) & (k->cap - 1);
    while (k->lines[j]) {
        if (k->keys[j] == key)
            return k->lines[j];
        j = (j + 1) & (k->cap - 1);
    }
    return 0;
}

static bool keyset_add(keyset *k, int64_t key, unsigned line)
{
    if ((k->n + 1) * 10 >= k->cap * 7 && !keyset_grow(k))
        return false;
    size_t j = hash_u64((uint64_t)key) & (k->cap - 1);
    while (k->lines[j])
        j = (j + 1) & (k->cap - 1);
    k->keys[j] = key;
    k->lines[j] = line;
    k->n++;
    return true;
}

static void keyset_free(keyset *k)
{
    mem_free(k->m, k->keys, k->cap * sizeof *k->keys);
    mem_free(k->m, k->lines, k->cap * sizeof *k->lines);
}

/* ---- diagnostics ---------------------------------------------------------------------- */

/* A problem in the current row: at field f (its whole raw extent), or at
 * (line, byte column) for `bytes` bytes when f is NULL. Listed while under
 * the limit; the caller counts it. Header problems are always errors; a
 * row's are warnings when bad rows are skipped. */
static void row_diag(loader *L, segc_severity sev, const csv_field *f,
                     unsigned line, size_t bcol, size_t bytes,
                     const char *fmt, ...) SEGC_PRINTF(7, 8);
static void row_diag(loader *L, segc_severity sev, const csv_field *f,
                     unsigned line, size_t bcol, size_t bytes,
                     const char *fmt, ...)
{
    if (L->listed >= L->max_errors)
        return;
    L->listed++;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    csv_place(&L->r, L->d, sev, L->path, f, line, bcol, bytes, msg);
}

/* The first and last column (in characters) of field f in its line. */
static void field_cols(const loader *L, const csv_field *f, const char **lt,
                       size_t *llen, unsigned *col, unsigned *end)
{
    *lt = csv_row_line(&L->r, f->line, llen);
    size_t b0 = SEGC_MIN(f->byte_col, *llen),
           b1 = SEGC_MIN(f->byte_col + f->raw_len, *llen);
    *col = (unsigned)utf8_count(*lt, b0) + 1;
    *end = b1 > b0 ? (unsigned)utf8_count(*lt, b1) : *col;
}

static segc_severity row_sev(const loader *L)
{
    return L->skip ? SEGC_SEV_WARNING : SEGC_SEV_ERROR;
}

/* A cell's text for a message: control characters and bytes that are not
 * UTF-8 as \xHH, and at most 60 characters, then "...". */
static const char *found(char *out, size_t cap, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, chars = 0;
    for (size_t i = 0; i < n && o + 8 < cap; chars++) {
        if (chars == 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        size_t k = u[i] < 0x80 ? 1 : utf8_seq_len(u + i, n - i);
        if (k == 1 && ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7F))
            k = 0;
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", u[i]);
            i++;
        }
    }
    out[o] = 0;
    return out;
}

static void file_diag(loader *L, segc_severity sev, unsigned line,
                      const char *fmt, ...) SEGC_PRINTF(4, 5);
static void file_diag(loader *L, segc_severity sev, unsigned line,
                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_place(L->d, sev, L->path, line, line ? 1 : 0, line ? 1 : 0, NULL, 0,
               "%s", msg);
}

/* ---- the header ------------------------------------------------------------------------- */

static bool read_header(loader *L)
{
    int k = csv_next(&L->r);
    if (k < 0)
        return false;
    if (k == 0) {
        file_diag(L, SEGC_SEV_ERROR, 0,
                  "the file is empty: expected a header row naming the "
                  "fields");
        return false;
    }
    if (L->r.bad) {
        L->max_errors = L->max_errors ? L->max_errors : 1;
        row_diag(L, SEGC_SEV_ERROR, NULL, L->r.bad_line, L->r.bad_col, 1,
                 "bad header: %s", L->r.bad);
        return false;
    }
    if (csv_nfields(&L->r) == 1 && !csv_get(&L->r, 0)->quoted &&
        csv_get(&L->r, 0)->len == 0) {
        file_diag(L, SEGC_SEV_ERROR, 1, "the first line is blank: expected "
                  "a header row naming the fields");
        return false;
    }
    /* issue 8: a file in UTF-16 or UTF-32 would otherwise read as columns
     * of garbage; its byte-order mark says what it is */
    const csv_field *f0 = csv_get(&L->r, 0);
    const unsigned char *b0 = (const unsigned char *)csv_text(&L->r, f0);
    if (f0->len >= 2 && ((b0[0] == 0xFF && b0[1] == 0xFE) ||
                         (b0[0] == 0xFE && b0[1] == 0xFF) ||
                         (f0->len >= 4 && !b0[0] && !b0[1] &&
                          b0[2] == 0xFE && b0[3] == 0xFF))) {
        file_diag(L, SEGC_SEV_ERROR, 1, b0[0] == 0xFF && f0->len >= 4 &&
                  !b0[2] && !b0[3] ? "the file is UTF-32 (it starts with "
                  "a UTF-32 byte-order mark); segc reads UTF-8: convert it"
                  : b0[0] ? "the file is UTF-16 (it starts with a UTF-16 "
                  "byte-order mark); segc reads UTF-8: convert it"
                  : "the file is UTF-32 (it starts with a UTF-32 "
                  "byte-order mark); segc reads UTF-8: convert it");
        return false;
    }
    size_t ncols = csv_nfields(&L->r);
    L->ncols = ncols;
    bool ok = true;
    for (size_t c = 0; c < ncols; c++) {
        const csv_field *f = csv_get(&L->r, c);
        const char *name = csv_text(&L->r, f);
        int fi = schema_find(L->sch, name, f->len);
        if (fi >= 0 && L->sch->fields[fi].events)
            fi = -1; /* not a column: warned about and ignored */
        for (size_t e = 0; e < c; e++) {
            const csv_field *g = csv_get(&L->r, e);
            if (g->len == f->len &&
                (f->len == 0 || memcmp(csv_text(&L->r, g), name, f->len) == 0)) {
                const char *lt;
                size_t llen;
                unsigned col, last;
                field_cols(L, f, &lt, &llen, &col, &last);
                diag_place(L->d, SEGC_SEV_ERROR, L->path, 1, col, last, lt,
                           llen,
                           "column '%.*s' appears twice (columns %zu and %zu)",
                           (int)f->len, name, e + 1, c + 1);
                ok = false;
                fi = -2;
                break;
            }
        }
        if (fi == -1) {
            const char *lt;
            size_t llen;
            unsigned col, last;
            field_cols(L, f, &lt, &llen, &col, &last);
            char shown[256]; /* bytes that are not UTF-8 as \xHH */
            diag_place(L->d, SEGC_SEV_WARNING, L->path, 1, col, last, lt, llen,
                       "column '%s' is not a field of schema '%s'; ignored",
                       found(shown, sizeof shown, name, f->len),
                       L->sch->name);
        } else if (fi >= 0) {
            L->col[fi] = (int)c;
        }
    }
    for (size_t i = 0; i < L->sch->nfields; i++) {
        if (L->col[i] >= 0 || L->sch->fields[i].events)
            continue; /* an event list loads from its own file (events.c) */
        const char *fname = L->sch->fields[i].name;
        /* a column that differs only in case or by a typo */
        const csv_field *near = NULL;
        for (size_t c = 0; c < ncols && !near; c++) {
            const csv_field *f = csv_get(&L->r, c);
            if (schema_find(L->sch, csv_text(&L->r, f), f->len) < 0 &&
                text_distance(fname, strlen(fname), csv_text(&L->r, f),
                              f->len, SEGC_MAX(1, strlen(fname) / 3)) <=
                    SEGC_MAX(1, strlen(fname) / 3))
                near = f;
        }
        char shown[256];
        if (near)
            file_diag(L, SEGC_SEV_ERROR, 1,
                      "no column for field '%s' of schema '%s'; is column "
                      "'%s' meant?", fname, L->sch->name,
                      found(shown, sizeof shown, csv_text(&L->r, near),
                            near->len));
        else
            file_diag(L, SEGC_SEV_ERROR, 1,
                      "no column for field '%s' of schema '%s'", fname,
                      L->sch->name);
        ok = false;
    }
    return ok;
}

/* ---- cells ---------------------------------------------------------------------------------- */

static const char *type_word(const type *t)
{
    switch (t->kind) {
    case TY_BOOL:
        return "bool";
    case TY_INT:
        return "int";
    case TY_FLOAT:
        return "float";
    case TY_MONEY:
        return "money";
    case TY_STRING:
        return "string";
    case TY_ENUM:
        return "enum value";
    case TY_DATE:
        return "date";
    case TY_TIMESTAMP:
        return "timestamp";
    case TY_SET:
        return "set";
    default:
        return "value";
    }
}

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((a[i] | 0x20) != b[i])
            return false;
    return true;
}

/* Parses one cell into v. On failure writes the reason to why. */
static bool parse_cell(const schema_field *sf, const char *s, size_t n,
                       cell *v, char *why, size_t wcap)
{
    lit_err e;
    e.why = "invalid";
    switch (sf->ty->kind) {
    case TY_BOOL:
        if ((n == 1 && s[0] == '1') || ieq(s, n, "true")) {
            v->i = 1;
            return true;
        }
        if ((n == 1 && s[0] == '0') || ieq(s, n, "false")) {
            v->i = 0;
            return true;
        }
        snprintf(why, wcap, "expected true, false, 1 or 0");
        return false;
    case TY_INT:
        if (lit_parse_int(s, n, false, &v->i, &e))
            return true;
        break;
    case TY_FLOAT:
        if (lit_parse_float(s, n, &v->f, &e))
            return true;
        break;
    case TY_MONEY: {
        int64_t mant;
        int scale;
        const currency *cu = cur_get(sf->ty->currency);
        if (!lit_parse_decimal(s, n, false, &mant, &scale, &e))
            break;
        if (scale > cu->decimals) {
            snprintf(why, wcap, "%s has %d decimal place%s, this amount has "
                     "%d (amounts are never rounded)", cu->code, cu->decimals,
                     cu->decimals == 1 ? "" : "s", scale);
            return false;
        }
        if (__builtin_mul_overflow(mant, pow10_i64(cu->decimals - scale),
                                   &v->i)) {
            snprintf(why, wcap, "amount out of range");
            return false;
        }
        return true;
    }
    case TY_DATE: {
        int32_t days;
        if (lit_parse_date(s, n, &days, &e)) {
            v->i = days;
            return true;
        }
        break;
    }
    case TY_TIMESTAMP:
        if (lit_parse_timestamp(s, n, true, &v->i, &e))
            return true;
        break;
    case TY_ENUM: {
        const enum_def *en = sf->ty->enm;
        for (uint32_t k = 0; k < en->n; k++)
            if (strlen(en->values[k]) == n && memcmp(en->values[k], s, n) == 0) {
                v->i = k;
                return true;
            }
        size_t w = (size_t)snprintf(why, wcap, "expected one of");
        for (uint32_t k = 0; k < en->n && w < wcap; k++)
            w += (size_t)snprintf(why + w, wcap - w, "%s %s", k ? "," : "",
                                  en->values[k]);
        const char *near = text_nearest(s, n, (const char *const *)en->values,
                                        en->n);
        if (near && w < wcap)
            snprintf(why + w, wcap - w, " (did you mean '%s'?)", near);
        return false;
    }
    case TY_STRING:
    case TY_SET:
        if (memchr(s, 0, n)) {
            snprintf(why, wcap, "contains a NUL byte");
            return false;
        }
        if (!utf8_valid(s, n)) {
            snprintf(why, wcap, "is not valid UTF-8");
            return false;
        }
        if (sf->ty->kind == TY_SET) {
            /* elements are separated by ';' and none is empty */
            for (size_t i = 0, start = 0; i <= n; i++)
                if (i == n || s[i] == ';') {
                    if (i == start && n > 0) {
                        snprintf(why, wcap, "a set element is empty "
                                 "(elements are separated by ';')");
                        return false;
                    }
                    start = i + 1;
                }
        }
        v->s = s;
        v->len = n;
        return true;
    default:
        break;
    }
    snprintf(why, wcap, "%s", e.why);
    return false;
}

/* parse_cell for the event loader (events.c): a value of a number, bool,
 * enum, amount, date or time field into *i (or *f for a float), a string
 * only checked (UTF-8, no NUL); false with the reason in why */
bool load_parse_cell(const schema_field *sf, const char *s, size_t n,
                     int64_t *i, double *f, char *why, size_t wcap)
{
    cell v;
    memset(&v, 0, sizeof v);
    bool ok = parse_cell(sf, s, n, &v, why, wcap);
    *i = v.i;
    *f = v.f;
    return ok;
}

const char *load_type_word(const type *t)
{
    return type_word(t);
}

/* ---- rows ------------------------------------------------------------------------------------ */

static bool is_blank(const csv_reader *r)
{
    return csv_nfields(r) == 1 && !csv_get(r, 0)->quoted &&
           csv_get(r, 0)->len == 0 && r->raw.len == 0;
}

/* Parses the current row into L->vals; counts and reports bad cells. */
static bool parse_row(loader *L)
{
    if (L->r.bad) {
        row_diag(L, row_sev(L), NULL, L->r.bad_line, L->r.bad_col, 1, "%s",
                 L->r.bad);
        L->st.bad_cells++;
        return false;
    }
    size_t n = csv_nfields(&L->r);
    if (n != L->ncols) {
        row_diag(L, row_sev(L), NULL, L->r.row_line, 0, 1,
                 "this row has %zu field%s; the header has %zu", n,
                 n == 1 ? "" : "s", L->ncols);
        L->st.bad_cells++;
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < L->sch->nfields; i++) {
        const schema_field *sf = &L->sch->fields[i];
        if (sf->events) /* an empty history until its events are loaded */
            continue;
        const csv_field *f = csv_get(&L->r, (size_t)L->col[i]);
        const char *s = csv_text(&L->r, f);
        cell *v = &L->vals[i];
        memset(v, 0, sizeof *v);
        /* an empty unquoted cell is null; "" is the empty string (or set) */
        if (f->len == 0 && !f->quoted && sf->ty->kind != TY_SET) {
            v->null = true;
        } else if (f->len == 0 && !f->quoted && sf->ty->kind == TY_SET) {
            v->null = sf->nullable; /* not nullable: the empty set */
        } else if (f->len == 0 && sf->ty->kind != TY_STRING &&
                   sf->ty->kind != TY_SET) {
            v->null = true; /* "" in a number column is empty too */
        }
        if (v->null) {
            if (!sf->nullable) {
                row_diag(L, row_sev(L), f, 0, 0, 0,
                         "missing value for '%s' (%s), which is not "
                         "nullable", sf->name, type_word(sf->ty));
                L->st.bad_cells++;
                ok = false;
            }
            continue;
        }
        char why[256];
        if (!parse_cell(sf, s, f->len, v, why, sizeof why)) {
            char fb[400];
            row_diag(L, row_sev(L), f, 0, 0, 0,
                     "bad %s for '%s': %s; found '%s'", type_word(sf->ty),
                     sf->name, why, found(fb, sizeof fb, s, f->len));
            L->st.bad_cells++;
            ok = false;
        }
    }
    if (!ok)
        return false;

    /* a key seen before makes the row a duplicate */
    const schema_field *kf = &L->sch->fields[L->sch->key];
    const cell *kv = &L->vals[L->sch->key];
    const csv_field *kcol = csv_get(&L->r, (size_t)L->col[L->sch->key]);
    unsigned first = 0;
    if (kf->ty->kind == TY_INT) {
        first = keyset_find(&L->keys, kv->i);
    } else {
        uint32_t id;
        if (dict_find(&L->ds->dicts[L->sch->key], kv->s, kv->len, &id))
            first = L->skey_line[id];
    }
    if (first) {
        char fb[400];
        row_diag(L, row_sev(L), kcol, 0, 0, 0,
                 "duplicate key '%s' (first on line %u); this row is not "
                 "loaded", found(fb, sizeof fb, csv_text(&L->r, kcol),
                                 kcol->len), first);
        L->st.bad_cells++;
        return false;
    }
    return true;
}

/* Writes the parsed row as a record. False only when memory ran out. */
static bool commit_row(loader *L)
{
    const schema *sch = L->sch;
    unsigned char *rec = data_push(L->ds);
    if (!rec)
        return false;
    for (size_t i = 0; i < sch->nfields; i++) {
        const schema_field *sf = &sch->fields[i];
        const cell *v = &L->vals[i];
        if (sf->events)
            continue;
        if (v->null) {
            rec[sch->null_offset + (uint32_t)sf->null_bit / 8] |=
                (unsigned char)(1u << (sf->null_bit % 8));
            continue;
        }
        unsigned char *slot = rec + sf->offset;
        switch (sf->ty->kind) {
        case TY_BOOL:
            *slot = (unsigned char)v->i;
            break;
        case TY_INT:
        case TY_MONEY:
        case TY_TIMESTAMP:
            memcpy(slot, &v->i, 8);
            break;
        case TY_FLOAT:
            memcpy(slot, &v->f, 8);
            break;
        case TY_DATE: {
            int32_t d = (int32_t)v->i;
            memcpy(slot, &d, 4);
            break;
        }
        case TY_ENUM: {
            uint32_t e = (uint32_t)v->i;
            memcpy(slot, &e, 4);
            break;
        }
        case TY_STRING: {
            uint32_t id;
            if (!dict_intern(&L->ds->dicts[i], v->s, v->len, &id))
                return false;
            memcpy(slot, &id, 4);
            break;
        }
        case TY_SET: {
            setdict *sd = &L->ds->sets[i];
            L->setids.len = 0;
            for (size_t a = 0, b = 0; v->len && b <= v->len; b++)
                if (b == v->len || v->s[b] == ';') {
                    uint32_t eid;
                    if (!dict_intern(&sd->elems, v->s + a, b - a, &eid) ||
                        !VEC_PUSH(&L->setids, uint32_t, eid))
                        return false;
                    a = b + 1;
                }
            uint32_t id;
            if (!setdict_intern(sd, (uint32_t *)(void *)L->setids.p,
                                (uint32_t)VEC_LEN(&L->setids, uint32_t), &id))
                return false;
            memcpy(slot, &id, 4);
            break;
        }
        default:
            break;
        }
    }
    /* remember the key's line for duplicate reports */
    const schema_field *kf = &sch->fields[sch->key];
    unsigned line = L->r.row_line;
    if (kf->ty->kind == TY_INT)
        return keyset_add(&L->keys, L->vals[sch->key].i, line);
    uint32_t id = rec_u32(rec, kf->offset);
    if (id >= L->skey_cap) {
        size_t cap = L->skey_cap ? L->skey_cap * 2 : 1024;
        unsigned *p = mem_realloc(L->m, L->skey_line,
                                  L->skey_cap * sizeof *p, cap * sizeof *p);
        if (!p)
            return false;
        L->skey_line = p;
        L->skey_cap = cap;
    }
    L->skey_line[id] = line;
    return true;
}

segc_status load_csv(mem *m, const schema *sch, const char *path,
                     const segc_load_opts *opts, diag_list *d,
                     dataset **out, segc_load_stats *stats)
{
    *out = NULL;
    loader L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.sch = sch;
    L.d = d;
    L.path = path;
    L.skip = opts && opts->skip_bad_rows;
    L.max_errors = opts && opts->max_errors ? opts->max_errors
                                            : DEFAULT_MAX_ERRORS;
    L.keys.m = m;
    buf_init(&L.setids, m);
    segc_status status = SEGC_OK;

    FILE *f = fopen(path, "rb");
    if (!f) {
        char eb[128];
        if (strerror_r(errno, eb, sizeof eb) != 0)
            snprintf(eb, sizeof eb, "error %d", errno);
        diag_place(d, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "cannot open '%s': %s", path, eb);
        if (stats)
            memset(stats, 0, sizeof *stats);
        return SEGC_ERR_IO;
    }
    L.col = mem_array(m, sch->nfields + 1, sizeof *L.col);
    L.vals = mem_array(m, sch->nfields + 1, sizeof *L.vals);
    L.ds = data_new(m, sch);
    if (!L.col || !L.vals || !L.ds || !csv_open(&L.r, m, f)) {
        status = SEGC_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < sch->nfields; i++)
        L.col[i] = -1;
    if (!read_header(&L)) {
        status = m->failed ? SEGC_ERR_NOMEM
                 : ferror(f) ? SEGC_ERR_IO
                             : SEGC_ERR_DATA;
        goto done;
    }
    for (;;) {
        int k = csv_next(&L.r);
        if (k == 0)
            break;
        if (k < 0) {
            status = m->failed ? SEGC_ERR_NOMEM : SEGC_ERR_IO;
            if (status == SEGC_ERR_IO)
                file_diag(&L, SEGC_SEV_ERROR, L.r.line,
                          "reading failed: %s", "I/O error");
            goto done;
        }
        if (is_blank(&L.r)) {
            L.st.blank_lines++;
            continue;
        }
        L.st.rows++;
        if (!parse_row(&L)) {
            L.st.rejected++;
            continue;
        }
        if (!commit_row(&L)) {
            status = SEGC_ERR_NOMEM;
            goto done;
        }
        L.st.loaded++;
    }
    size_t unlisted = L.st.bad_cells > L.listed ? L.st.bad_cells - L.listed : 0;
    if (unlisted)
        file_diag(&L, L.skip ? SEGC_SEV_WARNING : SEGC_SEV_ERROR, 0,
                  "%zu more bad value%s not listed", unlisted,
                  unlisted == 1 ? "" : "s");
    if (L.st.rejected && !L.skip) {
        file_diag(&L, SEGC_SEV_ERROR, 0,
                  "%zu of %zu rows have bad values; nothing was loaded "
                  "(--skip-bad-rows loads the other rows)",
                  L.st.rejected, L.st.rows);
        status = SEGC_ERR_DATA;
    } else if (L.st.rejected) {
        file_diag(&L, SEGC_SEV_WARNING, 0,
                  "skipped %zu of %zu rows with bad values; loaded %zu",
                  L.st.rejected, L.st.rows, L.st.loaded);
    }
done:
    /* memory that ran out anywhere, even for a warning, fails the load:
     * the caller gets nothing and SEGC_ERR_NOMEM */
    if (m->failed)
        status = SEGC_ERR_NOMEM;
    if (stats)
        *stats = L.st;
    if (L.r.in)
        csv_close(&L.r);
    fclose(f);
    keyset_free(&L.keys);
    mem_free(m, L.skey_line, L.skey_cap * sizeof *L.skey_line);
    mem_free(m, L.col, (sch->nfields + 1) * sizeof *L.col);
    mem_free(m, L.vals, (sch->nfields + 1) * sizeof *L.vals);
    buf_free(&L.setids);
    if (status == SEGC_OK)
        *out = L.ds;
    else
        data_free(L.ds);
    return status;
}
