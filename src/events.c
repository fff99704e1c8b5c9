/* events.c - event histories: the CSV loader and the packed event arrays
 * (ev_). See events.h for the layout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "events.h"
#include "value.h"

#define DEFAULT_MAX_ERRORS 10

void ev_store_free(ev_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfields; i++) {
        ev_list *l = &s->lists[i];
        mem_free(s->m, l->rows, l->bytes);
        for (size_t k = 0; l->dicts && k < l->ndicts; k++)
            dict_free(&l->dicts[k]);
        mem_free(s->m, l->dicts, l->ndicts * sizeof *l->dicts);
    }
    mem_free(s->m, s->lists, s->nfields * sizeof *s->lists);
    mem_free(s->m, s, sizeof *s);
}

/* an int key and the record that has it */
typedef struct key_rec {
    int64_t key;
    uint32_t rec;
} key_rec;

/* a loaded event before sorting: its customer, time and place in the file */
typedef struct ev_tmp {
    uint32_t rec;
    int64_t at;
    size_t seq;
} ev_tmp;

typedef struct ev_loader {
    mem *m;
    dataset *d;
    const schema *es;     /* the event's schema */
    const char *list;
    diag_list *dl;
    const char *path;
    csv_reader r;
    size_t ncols;
    int keycol;
    int *col;             /* per event field: its column, or -1 */
    size_t max_errors, listed;
    bool skip;
    segc_load_stats st;
    key_rec *keys;        /* int keys, sorted */
    uint32_t *str_rec;    /* string keys: record per dictionary id */
    buf rows;             /* event rows, in file order */
    buf tmp;              /* ev_tmp per row */
    unsigned char *row;   /* the current row */
    dict *dicts;          /* per event field: string values (handed to the
                           * list when it is packed) */
} ev_loader;

static void row_diag(ev_loader *L, const csv_field *f, unsigned line,
                     const char *fmt, ...) SEGC_PRINTF(4, 5);
static void row_diag(ev_loader *L, const csv_field *f, unsigned line,
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
    csv_place(&L->r, L->dl, L->skip ? SEGC_SEV_WARNING : SEGC_SEV_ERROR,
              L->path, f, line, 0, 1, msg);
}

static void file_diag(ev_loader *L, segc_severity sev, unsigned line,
                      const char *fmt, ...) SEGC_PRINTF(4, 5);
static void file_diag(ev_loader *L, segc_severity sev, unsigned line,
                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_place(L->dl, sev, L->path, line, line ? 1 : 0, line ? 1 : 0, NULL, 0,
               "%s", msg);
}

/* a cell's text for a message: at most 60 bytes, control bytes as '?' */
static const char *shown(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        if (i == 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char ch = (unsigned char)s[i];
        out[o++] = ch < 0x20 || ch == 0x7F ? '?' : (char)ch;
    }
    out[o] = 0;
    return out;
}

static int cmp_key(const void *a, const void *b)
{
    const key_rec *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_tmp(const void *a, const void *b)
{
    const ev_tmp *x = a, *y = b;
    if (x->rec != y->rec)
        return x->rec < y->rec ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool build_keys(ev_loader *L)
{
    const dataset *d = L->d;
    const schema_field *kf = &d->sch->fields[d->sch->key];
    if (kf->ty->kind == TY_INT) {
        L->keys = mem_array(L->m, d->n + 1, sizeof *L->keys);
        if (!L->keys)
            return false;
        for (size_t i = 0; i < d->n; i++) {
            L->keys[i].key = rec_i64(data_record(d, i), kf->offset);
            L->keys[i].rec = (uint32_t)i;
        }
        qsort(L->keys, d->n, sizeof *L->keys, cmp_key);
        return true;
    }
    const dict *dc = &d->dicts[d->sch->key];
    L->str_rec = mem_array(L->m, (size_t)dc->n + 1, sizeof *L->str_rec);
    if (!L->str_rec)
        return false;
    for (size_t i = 0; i < d->n; i++) {
        uint32_t id = rec_u32(data_record(d, i), kf->offset);
        if (id < dc->n)
            L->str_rec[id] = (uint32_t)i;
    }
    return true;
}

/* the record of the customer with key text s, or -1 */
static int64_t find_customer(const ev_loader *L, const char *s, size_t n,
                             bool *bad_int)
{
    const dataset *d = L->d;
    *bad_int = false;
    if (d->sch->fields[d->sch->key].ty->kind == TY_INT) {
        int64_t k;
        lit_err e;
        if (!lit_parse_int(s, n, false, &k, &e)) {
            *bad_int = true;
            return -1;
        }
        size_t lo = 0, hi = d->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (L->keys[mid].key == k)
                return L->keys[mid].rec;
            if (L->keys[mid].key < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return -1;
    }
    uint32_t id;
    if (!dict_find(&d->dicts[d->sch->key], s, n, &id))
        return -1;
    return L->str_rec[id];
}

static bool read_header(ev_loader *L, const char *keyname)
{
    int k = csv_next(&L->r);
    if (k < 0)
        return false;
    if (k == 0) {
        file_diag(L, SEGC_SEV_ERROR, 0, "the file is empty: expected a "
                  "header row naming the key and the event's fields");
        return false;
    }
    if (L->r.bad) {
        file_diag(L, SEGC_SEV_ERROR, 1, "bad header: %s", L->r.bad);
        return false;
    }
    L->ncols = csv_nfields(&L->r);
    bool ok = true;
    for (size_t c = 0; c < L->ncols; c++) {
        const csv_field *f = csv_get(&L->r, c);
        const char *name = csv_text(&L->r, f);
        bool dup = false;
        for (size_t e = 0; e < c && !dup; e++) {
            const csv_field *g = csv_get(&L->r, e);
            if (g->len == f->len &&
                (f->len == 0 || memcmp(csv_text(&L->r, g), name, f->len) == 0)) {
                file_diag(L, SEGC_SEV_ERROR, 1, "column '%.*s' appears twice "
                          "(columns %zu and %zu)", (int)f->len, name, e + 1,
                          c + 1);
                ok = false;
                dup = true;
            }
        }
        if (dup)
            continue;
        if (strlen(keyname) == f->len && memcmp(keyname, name, f->len) == 0) {
            L->keycol = (int)c;
            continue;
        }
        int fi = schema_find(L->es, name, f->len);
        if (fi >= 0)
            L->col[fi] = (int)c;
        else
            file_diag(L, SEGC_SEV_WARNING, 1, "column '%.*s' is not a field "
                      "of the events of '%s'; ignored", (int)f->len, name,
                      L->list);
    }
    if (L->keycol < 0) {
        file_diag(L, SEGC_SEV_ERROR, 1, "no column '%s': every event names "
                  "its customer by the key of schema '%s'", keyname,
                  L->d->sch->name);
        ok = false;
    }
    for (size_t i = 0; i < L->es->nfields; i++)
        if (L->col[i] < 0) {
            file_diag(L, SEGC_SEV_ERROR, 1, "no column for field '%s' of the "
                      "events of '%s'", L->es->fields[i].name, L->list);
            ok = false;
        }
    return ok;
}

static void put(unsigned char *row, const schema_field *sf, int64_t i,
                double f)
{
    unsigned char *slot = row + sf->offset;
    switch (sf->ty->kind) {
    case TY_BOOL:
        *slot = (unsigned char)i;
        break;
    case TY_FLOAT:
        memcpy(slot, &f, 8);
        break;
    case TY_DATE: {
        int32_t v = (int32_t)i;
        memcpy(slot, &v, 4);
        break;
    }
    case TY_ENUM:
    case TY_STRING: {
        uint32_t v = (uint32_t)i;
        memcpy(slot, &v, 4);
        break;
    }
    default:
        memcpy(slot, &i, 8);
        break;
    }
}

/* the current row: true when it is an event of a known customer */
static bool parse_row(ev_loader *L, int64_t *rec, int64_t *at)
{
    if (L->r.bad) {
        row_diag(L, NULL, L->r.bad_line, "%s", L->r.bad);
        L->st.bad_cells++;
        return false;
    }
    size_t n = csv_nfields(&L->r);
    if (n != L->ncols) {
        row_diag(L, NULL, L->r.row_line, "this row has %zu field%s; the "
                 "header has %zu", n, n == 1 ? "" : "s", L->ncols);
        L->st.bad_cells++;
        return false;
    }
    const schema *es = L->es;
    memset(L->row, 0, es->record_size);
    bool ok = true;
    char fb[128];
    for (size_t i = 0; i < es->nfields; i++) {
        const schema_field *sf = &es->fields[i];
        const csv_field *f = csv_get(&L->r, (size_t)L->col[i]);
        const char *s = csv_text(&L->r, f);
        /* as the customers' loader: an empty unquoted cell is null, a
         * quoted one ("") the empty string */
        if (f->len == 0 && (sf->ty->kind != TY_STRING || !f->quoted)) {
            if (!sf->nullable) {
                row_diag(L, f, 0, "missing value for '%s' (%s), which is not "
                         "nullable", sf->name, load_type_word(sf->ty));
                L->st.bad_cells++;
                ok = false;
            } else {
                L->row[es->null_offset + (uint32_t)sf->null_bit / 8] |=
                    (unsigned char)(1u << (sf->null_bit % 8));
            }
            continue;
        }
        int64_t iv;
        double fv;
        char why[256];
        if (!load_parse_cell(sf, s, f->len, &iv, &fv, why, sizeof why)) {
            row_diag(L, f, 0, "bad %s for '%s': %s; found '%s'",
                     load_type_word(sf->ty), sf->name, why,
                     shown(fb, sizeof fb, s, f->len));
            L->st.bad_cells++;
            ok = false;
            continue;
        }
        if (sf->ty->kind == TY_STRING) {
            uint32_t id;
            if (!dict_intern(&L->dicts[i], s, f->len, &id))
                return false; /* out of memory: m->failed says so */
            iv = id;
        }
        put(L->row, sf, iv, fv);
        if ((int)i == es->at)
            *at = iv;
    }
    const csv_field *kc = csv_get(&L->r, (size_t)L->keycol);
    bool bad_int;
    *rec = find_customer(L, csv_text(&L->r, kc), kc->len, &bad_int);
    if (*rec < 0) {
        const char *ks = shown(fb, sizeof fb, csv_text(&L->r, kc), kc->len);
        if (bad_int)
            row_diag(L, kc, 0, "bad int for the key '%s'; found '%s'",
                     L->d->sch->fields[L->d->sch->key].name, ks);
        else
            row_diag(L, kc, 0, "no customer has the key '%s'; this event is "
                     "not loaded", ks);
        L->st.bad_cells++;
        ok = false;
    }
    return ok;
}

/* sorts the events by (customer, at), packs them and sets the slots */
static bool pack(ev_loader *L, uint32_t field)
{
    dataset *d = L->d;
    size_t n = VEC_LEN(&L->tmp, ev_tmp), rs = L->es->record_size;
    ev_tmp *t = (ev_tmp *)(void *)L->tmp.p;
    if (n)
        qsort(t, n, sizeof *t, cmp_tmp);
    if (!d->events) {
        ev_store *s = mem_alloc(L->m, sizeof *s);
        if (!s)
            return false;
        s->m = L->m;
        s->nfields = d->sch->nfields;
        s->lists = mem_array(L->m, s->nfields, sizeof *s->lists);
        if (!s->lists) {
            mem_free(L->m, s, sizeof *s);
            return false;
        }
        memset(s->lists, 0, s->nfields * sizeof *s->lists);
        d->events = s;
    }
    ev_list *l = &d->events->lists[field];
    l->bytes = n * rs + 1;
    l->rows = mem_alloc(L->m, l->bytes);
    if (!l->rows) {
        l->bytes = 0;
        return false;
    }
    l->n = n;
    l->loaded = true;
    l->dicts = L->dicts; /* the strings of the events */
    l->ndicts = L->es->nfields + 1;
    L->dicts = NULL;
    const schema_field *lf = &d->sch->fields[field];
    for (size_t i = 0; i < d->n; i++)
        memset(d->records + i * d->sch->record_size + lf->offset, 0, 8);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j].rec == t[i].rec)
            j++;
        uint64_t slot = (uint64_t)i | (uint64_t)(j - i) << 32;
        memcpy(d->records + (size_t)t[i].rec * d->sch->record_size +
                   lf->offset, &slot, 8);
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(l->rows + i * rs, L->rows.p + t[i].seq * rs, rs);
    return true;
}

segc_status ev_load_csv(mem *m, dataset *d, const char *list,
                        const char *path, const segc_load_opts *opts,
                        diag_list *dl, segc_load_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    int field = schema_find(d->sch, list, strlen(list));
    if (field < 0 || !d->sch->fields[field].events) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "schema '%s' has no event list '%s'", d->sch->name, list);
        return SEGC_ERR_ARG;
    }
    if (d->events && d->events->lists[field].loaded) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "the events of '%s' are already loaded", list);
        return SEGC_ERR_ARG;
    }
    if (!d->block) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "events cannot be added to the records of a packed file "
                   "yet; load the customers from CSV");
        return SEGC_ERR_ARG;
    }
    if (d->n > UINT32_MAX) {
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "event lists support at most %u customers", UINT32_MAX);
        return SEGC_ERR_DATA;
    }
    ev_loader L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.d = d;
    L.es = d->sch->fields[field].events;
    L.list = list;
    L.dl = dl;
    L.path = path;
    L.keycol = -1;
    L.skip = opts && opts->skip_bad_rows;
    L.max_errors = opts && opts->max_errors ? opts->max_errors
                                            : DEFAULT_MAX_ERRORS;
    buf_init(&L.rows, m);
    buf_init(&L.tmp, m);
    segc_status status = SEGC_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        char eb[128];
        if (strerror_r(errno, eb, sizeof eb) != 0)
            snprintf(eb, sizeof eb, "error %d", errno);
        diag_place(dl, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
                   "cannot open '%s': %s", path, eb);
        return SEGC_ERR_IO;
    }
    size_t rs = L.es->record_size;
    L.col = mem_array(m, L.es->nfields + 1, sizeof *L.col);
    L.row = mem_alloc(m, rs);
    L.dicts = mem_array(m, L.es->nfields + 1, sizeof *L.dicts);
    if (L.dicts)
        for (size_t i = 0; i <= L.es->nfields; i++)
            dict_init(&L.dicts[i], m);
    if (!L.col || !L.row || !L.dicts || !build_keys(&L) ||
        !csv_open(&L.r, m, f)) {
        status = SEGC_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < L.es->nfields; i++)
        L.col[i] = -1;
    if (!read_header(&L, d->sch->fields[d->sch->key].name)) {
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
                file_diag(&L, SEGC_SEV_ERROR, L.r.line, "reading failed: %s",
                          "I/O error");
            goto done;
        }
        if (csv_nfields(&L.r) == 1 && !csv_get(&L.r, 0)->quoted &&
            csv_get(&L.r, 0)->len == 0 && L.r.raw.len == 0) {
            L.st.blank_lines++;
            continue;
        }
        L.st.rows++;
        int64_t rec = -1, at = 0;
        if (!parse_row(&L, &rec, &at)) {
            L.st.rejected++;
            continue;
        }
        ev_tmp t = {(uint32_t)rec, at, VEC_LEN(&L.tmp, ev_tmp)};
        if (t.seq >= UINT32_MAX || !VEC_PUSH(&L.tmp, ev_tmp, t) ||
            !buf_append(&L.rows, L.row, rs)) {
            if (t.seq >= UINT32_MAX)
                file_diag(&L, SEGC_SEV_ERROR, L.r.row_line, "an event list "
                          "holds at most %u events", UINT32_MAX - 1);
            status = m->failed ? SEGC_ERR_NOMEM : SEGC_ERR_DATA;
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
        file_diag(&L, SEGC_SEV_ERROR, 0, "%zu of %zu events have bad values "
                  "or unknown customers; no event of '%s' was loaded "
                  "(--skip-bad-rows loads the other events)", L.st.rejected,
                  L.st.rows, list);
        status = SEGC_ERR_DATA;
    } else {
        if (L.st.rejected)
            file_diag(&L, SEGC_SEV_WARNING, 0, "skipped %zu of %zu events "
                      "with bad values or unknown customers; loaded %zu",
                      L.st.rejected, L.st.rows, L.st.loaded);
        if (!pack(&L, (uint32_t)field))
            status = SEGC_ERR_NOMEM;
    }
done:
    if (m->failed)
        status = SEGC_ERR_NOMEM;
    if (stats)
        *stats = L.st;
    if (L.r.in)
        csv_close(&L.r);
    fclose(f);
    mem_free(m, L.col, (L.es->nfields + 1) * sizeof *L.col);
    mem_free(m, L.row, rs);
    mem_free(m, L.keys, (d->n + 1) * sizeof *L.keys);
    if (L.str_rec)
        mem_free(m, L.str_rec,
                 ((size_t)d->dicts[d->sch->key].n + 1) * sizeof *L.str_rec);
    buf_free(&L.rows);
    buf_free(&L.tmp);
    for (size_t i = 0; L.dicts && i <= L.es->nfields; i++)
        dict_free(&L.dicts[i]);
    mem_free(m, L.dicts, (L.es->nfields + 1) * sizeof *L.dicts);
    return status;
}
