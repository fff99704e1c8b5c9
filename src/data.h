/*
 * data.h - customer records packed into fixed-size rows (data_), the
 * dictionaries behind string and set values (dict_, setdict_), the RFC 4180
 * reader (csv_) and the CSV loader (load_).
 *
 * A dataset owns a copy of its schema, a 64-byte aligned array of records
 * laid out as schema.h describes, one string dictionary per string field,
 * and one set dictionary per set field. A set dictionary holds each distinct
 * set once, as a sorted array of element ids over the field's element
 * dictionary (with a 64-bit mask when the element dictionary is small), so a
 * set is a 32-bit id in the record like a string, and any predicate on a set
 * can be decided once per distinct set.
 */
#ifndef SEGC_DATA_H
#define SEGC_DATA_H

#include <stdio.h>

#include "diag.h"
#include "schema.h"

/* ---- dict: strings <-> dense ids ------------------------------------------------- */
typedef struct dict {
    mem *m;
    arena strings;
    smap map;
    const char **s;
    uint32_t *len;
    uint32_t n, cap;
    /* a dictionary mapped from a packed file (segd.c): its strings are in
     * the mapping, and lookups go through the file's own hash index
     * (index_mask + 1 slots of id + 1, 0 = empty) instead of map */
    const uint32_t *index;
    uint32_t index_mask;
} dict;

void dict_init(dict *d, mem *m);
void dict_free(dict *d);
/* The id of s, adding it if new; false when memory ran out. */
bool dict_intern(dict *d, const char *s, size_t len, uint32_t *id);
bool dict_find(const dict *d, const char *s, size_t len, uint32_t *id);
bool segd_dict_find(const dict *d, const char *s, size_t len, uint32_t *id);

/* ---- setdict: distinct sets of strings ------------------------------------------ */
typedef struct setdict {
    mem *m;
    dict elems;           /* the element strings */
    arena store;          /* the id arrays, stable */
    smap map;             /* id array bytes -> set id */
    const uint32_t **ids; /* per set: sorted element ids */
    uint32_t *count;      /* per set: number of elements */
    uint32_t n, cap;
} setdict;

void setdict_init(setdict *s, mem *m);
void setdict_free(setdict *s);
/* The id of the set of the given element ids (sorted and deduplicated in
 * place); false when memory ran out. */
bool setdict_intern(setdict *s, uint32_t *ids, uint32_t n, uint32_t *id);
bool setdict_contains(const setdict *s, uint32_t set, uint32_t elem);

/* ---- the dataset -------------------------------------------------------------------- */
struct segc_data {
    mem *m;
    schema *sch;           /* owned copy */
    unsigned char *records; /* 64-byte aligned into block */
    void *block;
    size_t block_size;
    size_t n, cap;
    dict *dicts;           /* per field; used by string fields */
    setdict *sets;         /* per field; used by set fields */
    struct ev_store *events; /* the loaded event lists (events.h), or
                              * NULL: every history is empty */
    void *map;             /* a packed file's mapping (segd.c), or NULL:
                            * then records point into it, block is NULL */
    size_t map_size;
};
typedef struct segc_data dataset;

dataset *data_new(mem *m, const schema *sch);
void data_free(dataset *d);
/* Room for one more record, zeroed; NULL when memory ran out. */
unsigned char *data_push(dataset *d);
static inline const unsigned char *data_record(const dataset *d, size_t i)
{
    return d->records + i * d->sch->record_size;
}
/* Writes the key of record i as a CSV field. */
void data_write_key(const dataset *d, size_t i, FILE *out);

/* Typed reads of a record's slot (no alignment assumptions). */
static inline int64_t rec_i64(const unsigned char *r, uint32_t off)
{
    int64_t v;
    memcpy(&v, r + off, sizeof v);
    return v;
}
static inline double rec_f64(const unsigned char *r, uint32_t off)
{
    double v;
    memcpy(&v, r + off, sizeof v);
    return v;
}
static inline int32_t rec_i32(const unsigned char *r, uint32_t off)
{
    int32_t v;
    memcpy(&v, r + off, sizeof v);
    return v;
}
static inline uint32_t rec_u32(const unsigned char *r, uint32_t off)
{
    uint32_t v;
    memcpy(&v, r + off, sizeof v);
    return v;
}

/* ---- csv: an RFC 4180 reader ---------------------------------------------------------- */
typedef struct csv_field {
    size_t off, len;   /* the unescaped text, in the reader's cells buffer */
    bool quoted;
    unsigned line;     /* where the field starts */
    size_t byte_col;   /* 0-based byte offset in that line */
    size_t raw_len;    /* bytes it takes in that line, quotes included */
} csv_field;

typedef struct csv_reader {
    mem *m;
    FILE *f;
    char *in;          /* input buffer */
    size_t in_len, in_pos, in_cap;
    bool eof;
    unsigned line;     /* the physical line being read, 1-based */
    size_t line_start; /* offset of the current line in raw */
    buf cells;         /* unescaped fields of the current row */
    buf raw;           /* raw text of the current row */
    buf fields;        /* csv_field[] of the current row */
    unsigned row_line; /* first line of the current row */
    /* a malformed row: the first problem found in it */
    const char *bad;
    unsigned bad_line;
    size_t bad_col;
} csv_reader;

bool csv_open(csv_reader *r, mem *m, FILE *f);
void csv_close(csv_reader *r);
/* Reads one row: 1, or 0 at the end of the input, or -1 when reading failed
 * (an I/O error: errno is set). A malformed row is still a row: r->bad. */
int csv_next(csv_reader *r);
static inline size_t csv_nfields(const csv_reader *r)
{
    return r->fields.len / sizeof(csv_field);
}
static inline const csv_field *csv_get(const csv_reader *r, size_t i)
{
    return (const csv_field *)(const void *)r->fields.p + i;
}
static inline const char *csv_text(const csv_reader *r, const csv_field *f)
{
    return r->cells.p ? r->cells.p + f->off : ""; /* no cell had text yet */
}
/* The raw text of physical line `line` of the current row. */
const char *csv_row_line(const csv_reader *r, unsigned line, size_t *len);
/* A diagnostic at cell f of the current row (or, when f is NULL, at byte
 * bcol, `bytes` long, of its physical line `line`), with that line shown. */
void csv_place(const csv_reader *r, diag_list *d, segc_severity sev,
               const char *path, const csv_field *f, unsigned line,
               size_t bcol, size_t bytes, const char *msg);
/* Writes s as one CSV field, quoted when it needs to be. */
void csv_write_field(FILE *out, const char *s, size_t len);

/* ---- load: CSV -> dataset --------------------------------------------------------------- */
segc_status load_csv(mem *m, const schema *sch, const char *path,
                     const segc_load_opts *opts, diag_list *d,
                     dataset **out, segc_load_stats *stats);
/* One cell of a field that is not a set (events.c): into *i, or *f for a
 * float (a string is only checked: its text is the cell's); false with the
 * reason in why. */
bool load_parse_cell(const schema_field *sf, const char *s, size_t n,
                     int64_t *i, double *f, char *why, size_t wcap);
/* "int", "date", "money(EUR)"... as messages name a field's type */
const char *load_type_word(const type *t);

#endif
