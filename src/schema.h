/*
 * schema.h - a checked customer schema and its record layout (schema_).
 *
 * The layout is derived from the schema alone, never from data, so that a
 * host (or generated C header) can pack records without segc:
 *
 *   8-byte values (int, float, money, timestamp)      in declaration order
 *   4-byte values (date, string id, enum id, set id)  in declaration order
 *   1-byte values (bool: 0 or 1)                      in declaration order
 *   the null bitmap: bit k set = nullable field k is null
 *   padding to the record's alignment
 *
 * Strings are ids into a per-field dictionary; enums are the index of the
 * value in the schema's enum; a set is the id of a distinct set in the
 * field's set dictionary (see data.h).
 *
 * An event list (purchases : events { at : date ... }) is a field of type
 * int whose `events` is the event's own schema (laid out like a record,
 * without a key). Its 8-byte slot holds the customer's range in the list's
 * packed event array (events.h): the index of the first event (u32, low
 * half) and the number of events (u32, high half); an all-zero slot is an
 * empty history. The checker never lets a rule read the slot as an int.
 */
#ifndef SEGC_SCHEMA_H
#define SEGC_SCHEMA_H

#include "types.h"

typedef struct schema_field {
    const char *name;
    const type *ty;
    bool nullable;
    bool is_key;
    uint32_t offset;
    uint32_t size;
    int32_t null_bit; /* -1 when not nullable */
    struct segc_schema *events; /* an event list: the event's schema (owned),
                                 * else NULL */
} schema_field;

typedef struct segc_schema schema;
struct segc_schema {
    mem *m;
    arena a; /* names, types, enum values */
    const char *name;
    schema_field *fields;
    size_t nfields;
    size_t key;
    uint32_t record_size;
    uint32_t record_align;
    uint32_t null_offset; /* first byte of the null bitmap */
    uint32_t null_bytes;
    uint64_t fingerprint;
    int32_t at;  /* an event's schema: the index of its field 'at' */
};

/* An empty schema owning an arena; fields are added by the checker. */
schema *schema_new(mem *m, const char *name);
void schema_free(schema *s);
/* Computes offsets, the null bitmap and the fingerprint. */
void schema_layout(schema *s);
/* Index of the field called name, or -1. */
int schema_find(const schema *s, const char *name, size_t len);
/* A deep copy in its own arena (NULL when out of memory). */
schema *schema_clone(mem *m, const schema *s);

static inline bool schema_is_null(const schema_field *f, const unsigned char *rec,
                                  uint32_t null_offset)
{
    return f->null_bit >= 0 &&
           (rec[null_offset + (uint32_t)f->null_bit / 8] >> (f->null_bit % 8)) & 1;
}

#endif
