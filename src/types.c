/* types.c - type singletons and helpers (type_). */
#include <stdio.h>

#include "types.h"
#include "value.h"

const type ty_bool = {TY_BOOL, -1, 0, NULL};
const type ty_int = {TY_INT, -1, 0, NULL};
const type ty_float = {TY_FLOAT, -1, 0, NULL};
const type ty_string = {TY_STRING, -1, 0, NULL};
const type ty_date = {TY_DATE, -1, 0, NULL};
const type ty_timestamp = {TY_TIMESTAMP, -1, 0, NULL};
const type ty_set = {TY_SET, -1, 0, NULL};
const type ty_duration = {TY_DURATION, -1, 0, NULL};
const type ty_null = {TY_NULL, -1, 0, NULL};
const type ty_list = {TY_LIST, -1, 0, NULL};

const type *type_money(arena *a, int currency, int scale)
{
    type *t = arena_alloc(a, sizeof *t);
    if (t) {
        t->kind = TY_MONEY;
        t->currency = (int16_t)currency;
        t->scale = (int8_t)scale;
    }
    return t;
}

bool type_is_numeric(const type *t)
{
    return t->kind == TY_INT || t->kind == TY_FLOAT;
}

bool type_is_temporal(const type *t)
{
    return t->kind == TY_DATE || t->kind == TY_TIMESTAMP;
}

bool type_compatible(const type *a, const type *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == TY_MONEY)
        return a->currency == b->currency;
    if (a->kind == TY_ENUM)
        return a->enm == b->enm;
    return true;
}

bool type_equal(const type *a, const type *b)
{
    return type_compatible(a, b) &&
           (a->kind != TY_MONEY || a->scale == b->scale);
}

void type_format(const type *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case TY_BOOL:
        snprintf(buf, cap, "bool");
        return;
    case TY_INT:
        snprintf(buf, cap, "int");
        return;
    case TY_FLOAT:
        snprintf(buf, cap, "float");
        return;
    case TY_MONEY: {
        const currency *c = cur_get(t->currency);
        snprintf(buf, cap, "money(%s)", c ? c->code : "?");
        return;
    }
    case TY_STRING:
        snprintf(buf, cap, "string");
        return;
    case TY_ENUM: {
        size_t n = (size_t)snprintf(buf, cap, "enum(");
        for (uint32_t i = 0; t->enm && i < t->enm->n && n < cap; i++) {
            if (i == 4 && t->enm->n > 5) {
                n += (size_t)snprintf(buf + n, cap - n, ", ...");
                break;
            }
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "",
                                  t->enm->values[i]);
        }
        if (n < cap)
            snprintf(buf + n, cap - n, ")");
        return;
    }
    case TY_DATE:
        snprintf(buf, cap, "date");
        return;
    case TY_TIMESTAMP:
        snprintf(buf, cap, "timestamp");
        return;
    case TY_SET:
        snprintf(buf, cap, "set<string>");
        return;
    case TY_DURATION:
        snprintf(buf, cap, "duration");
        return;
    case TY_NULL:
        snprintf(buf, cap, "null");
        return;
    case TY_LIST:
        snprintf(buf, cap, "list");
        return;
    }
    snprintf(buf, cap, "?");
}

size_t type_size(const type *t)
{
    switch (t->kind) {
    case TY_BOOL:
        return 1;
    case TY_INT:
    case TY_FLOAT:
    case TY_MONEY:
    case TY_TIMESTAMP:
        return 8;
    case TY_STRING:
    case TY_ENUM:
    case TY_DATE:
    case TY_SET:
        return 4;
    default:
        return 0;
    }
}
