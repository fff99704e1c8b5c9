/*
 * types.h - the types of values (type_), as chibicc keeps them: a small
 * struct, with singletons for the types that take no parameters.
 *
 * money(CUR) carries its currency and a scale: a value of the type is an
 * integer count of 10^-scale units of the currency. A field's scale is the
 * currency's minor unit (2 for EUR); multiplying by a decimal literal such
 * as 0.8 or 80% adds that literal's digits, so money arithmetic stays exact.
 */
#ifndef SEGC_TYPES_H
#define SEGC_TYPES_H

#include "base.h"

typedef enum type_kind {
    TY_BOOL,
    TY_INT,
    TY_FLOAT,
    TY_MONEY,
    TY_STRING,
    TY_ENUM,
    TY_DATE,
    TY_TIMESTAMP,
    TY_SET,      /* set<string> */
    TY_DURATION, /* only in constant expressions; never stored */
    TY_NULL,     /* the type of the literal null */
    TY_LIST      /* the type of a list literal; only right of 'in' */
} type_kind;

typedef struct enum_def {
    const char **values;
    uint32_t n;
} enum_def;

typedef struct type {
    type_kind kind;
    int16_t currency;     /* TY_MONEY: index into the currency table */
    int8_t scale;         /* TY_MONEY: digits after the point */
    const enum_def *enm;  /* TY_ENUM */
} type;

extern const type ty_bool, ty_int, ty_float, ty_string, ty_date,
    ty_timestamp, ty_set, ty_duration, ty_null, ty_list;

/* A money type in arena a (or NULL when out of memory). */
const type *type_money(arena *a, int currency, int scale);

bool type_is_numeric(const type *t); /* int or float */
bool type_is_temporal(const type *t); /* date or timestamp */
/* Same type for comparisons: money needs only the same currency. */
bool type_compatible(const type *a, const type *b);
bool type_equal(const type *a, const type *b);
/* The type as written in a schema: "money(EUR)", "enum(b2b, b2c)". */
void type_format(const type *t, char *buf, size_t cap);
/* Bytes a value of the type takes in a record (0 for non-storable types). */
size_t type_size(const type *t);

#endif
