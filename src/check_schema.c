/* check_schema.c - schema declarations -> checked schemas (check_). */
#include <stdio.h>

#include "check.h"
#include "value.h"

typedef struct schema_checker {
    const source *src;
    diag_list *d;
    arena *a;     /* where types go */
    size_t errors;
} schema_checker;

static void err(schema_checker *c, loc at, const char *fix, const char *fmt,
                ...) SEGC_PRINTF(4, 5);
static void err(schema_checker *c, loc at, const char *fix, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vat(c->d, SEGC_SEV_ERROR, c->src, at, NULL, fix, fmt, ap);
    va_end(ap);
    c->errors++;
}

static void note(schema_checker *c, loc at, const char *msg)
{
    diag_at(c->d, SEGC_SEV_NOTE, c->src, at, NULL, NULL, "%s", msg);
}

static const char *const type_names[] = {"bool",   "int",  "float",
                                         "money",  "string", "enum",
                                         "date",   "timestamp", "set"};

/* names from other languages, and what to write instead */
static const struct {
    const char *name, *write;
} type_aliases[] = {
    {"integer", "int"},      {"long", "int"},        {"bigint", "int"},
    {"boolean", "bool"},     {"double", "float"},    {"real", "float"},
    {"text", "string"},      {"varchar", "string"},  {"str", "string"},
    {"datetime", "timestamp"}, {"time", "timestamp"},
    {"decimal", "money(EUR) for amounts, or float"},
    {"numeric", "money(EUR) for amounts, or float"},
    {"currency", "money(EUR)"}, {"list", "set<string>"},
    {"array", "set<string>"}, {"tags", "set<string>"},
};

static bool no_args(schema_checker *c, const ast_type *t)
{
    if (t->has_args || t->elem) {
        err(c, t->at, NULL, "type '%s' takes no arguments", t->name);
        return false;
    }
    return true;
}

static const type *resolve_type(schema_checker *c, const ast_type *t)
{
    const char *n = t->name;
    if (strcmp(n, "bool") == 0)
        return no_args(c, t) ? &ty_bool : NULL;
    if (strcmp(n, "int") == 0)
        return no_args(c, t) ? &ty_int : NULL;
    if (strcmp(n, "float") == 0)
        return no_args(c, t) ? &ty_float : NULL;
    if (strcmp(n, "string") == 0)
        return no_args(c, t) ? &ty_string : NULL;
    if (strcmp(n, "date") == 0)
        return no_args(c, t) ? &ty_date : NULL;
    if (strcmp(n, "timestamp") == 0)
        return no_args(c, t) ? &ty_timestamp : NULL;
    if (strcmp(n, "money") == 0) {
        if (t->elem || !t->has_args || t->nargs != 1) {
            err(c, t->at, "money(EUR)",
                "money needs exactly one currency code: money(EUR)");
            return NULL;
        }
        const ast_node *code = t->args;
        int cur = cur_find(code->text, code->len);
        if (cur < 0) {
            const char *s = cur_suggest(code->text, code->len);
            if (s)
                err(c, code->at, s,
                    "unknown currency '%s'; did you mean '%s'?", code->text,
                    s);
            else
                err(c, code->at, NULL,
                    "unknown currency '%s' (expected an ISO 4217 code such "
                    "as EUR, USD, GBP)", code->text);
            return NULL;
        }
        return type_money(c->a, cur, cur_get(cur)->decimals);
    }
    if (strcmp(n, "enum") == 0) {
        if (t->elem || !t->has_args || t->nargs == 0) {
            err(c, t->at, NULL, "enum needs its values: enum(b2b, b2c)");
            return NULL;
        }
        enum_def *e = arena_alloc(c->a, sizeof *e);
        const char **vals = arena_alloc(c->a, t->nargs * sizeof *vals);
        if (!e || !vals)
            return NULL;
        uint32_t k = 0;
        bool ok = true;
        for (const ast_node *a = t->args; a; a = a->next) {
            for (uint32_t j = 0; j < k; j++)
                if (strcmp(vals[j], a->text) == 0) {
                    err(c, a->at, NULL, "enum value '%s' is listed twice",
                        a->text);
                    ok = false;
                    break;
                }
            vals[k++] = arena_strndup(c->a, a->text, a->len);
        }
        if (!ok)
            return NULL;
        e->values = vals;
        e->n = k;
        type *ty = arena_alloc(c->a, sizeof *ty);
        if (!ty)
            return NULL;
        ty->kind = TY_ENUM;
        ty->currency = -1;
        ty->enm = e;
        return ty;
    }
    if (strcmp(n, "set") == 0) {
        if (!t->elem || t->has_args || strcmp(t->elem->name, "string") != 0 ||
            t->elem->elem || t->elem->has_args) {
            err(c, t->at, "set<string>",
                "only sets of strings are supported: set<string>");
            return NULL;
        }
        return &ty_set;
    }
    for (size_t i = 0; i < SEGC_ARRAY_LEN(type_aliases); i++)
        if (strcmp(n, type_aliases[i].name) == 0) {
            err(c, t->name_at, NULL, "unknown type '%s'; write %s", n,
                type_aliases[i].write);
            return NULL;
        }
    const char *s = text_nearest(n, strlen(n), type_names,
                                 SEGC_ARRAY_LEN(type_names));
    if (s)
        err(c, t->name_at, s, "unknown type '%s'; did you mean '%s'?", n, s);
    else
        err(c, t->name_at, NULL,
            "unknown type '%s' (types: bool, int, float, money(CUR), string, "
            "enum(...), date, timestamp, set<string>)", n);
    return NULL;
}

const type *check_resolve_type(arena *a, const ast_type *t, const source *src,
                               diag_list *d, size_t *errors)
{
    schema_checker c = {src, d, a, 0};
    const type *ty = resolve_type(&c, t);
    *errors += c.errors;
    return ty;
}

/* The schema of an event list's events (NULL after reporting). */
static schema *check_events(schema_checker *c, mem *m, const ast_field *list)
{
    bool ok = true;
    if (strcmp(list->type->name, "events") != 0) {
        err(c, list->type->name_at, "events",
            "'%s { ... }' is not a type; an event list is written "
            "'%s : events { at : date ... }'", list->type->name, list->name);
        ok = false;
    }
    if (list->key) {
        err(c, list->key_at, NULL, "an event list cannot be the key");
        ok = false;
    }
    if (list->nullable) {
        err(c, list->at, NULL, "an event list cannot be nullable (a "
            "customer without events has an empty list)");
        ok = false;
    }
    size_t nf = 0;
    for (const ast_field *f = list->events; f; f = f->next)
        nf++;
    schema *s = schema_new(m, list->name);
    if (!s)
        return NULL;
    s->fields = arena_alloc(&s->a, nf * sizeof *s->fields + 1);
    if (!s->fields) {
        schema_free(s);
        return NULL;
    }
    const ast_field *at = NULL;
    size_t n = 0;
    for (const ast_field *f = list->events; f; f = f->next) {
        bool dup = false;
        for (const ast_field *g = list->events; g != f; g = g->next)
            if (strcmp(g->name, f->name) == 0) {
                err(c, f->at, NULL, "field '%s' of event list '%s' is "
                    "declared twice", f->name, list->name);
                note(c, g->at, "first declared here");
                dup = true;
                break;
            }
        if (f->is_events) {
            err(c, f->at, NULL, "event lists cannot be nested: '%s' is "
                "inside event list '%s'", f->name, list->name);
            ok = false;
            continue;
        }
        if (f->key) {
            err(c, f->key_at, NULL, "an event has no key; the customer's key "
                "links it to its customer");
            ok = false;
        }
        const type *ty = resolve_type(c, f->type);
        if (!ty || dup) {
            ok = false;
            continue;
        }
        if (ty->kind == TY_SET) {
            err(c, f->type->at, "string",
                "event fields of type set<string> are not supported yet; use "
                "a string, an enum, a number, a bool, money or a date");
            ok = false;
            continue;
        }
        if (strcmp(f->name, "at") == 0) {
            at = f;
            if (ty->kind != TY_DATE && ty->kind != TY_TIMESTAMP) {
                err(c, f->type->at, NULL, "the field 'at' of an event is its "
                    "time: a date or a timestamp");
                ok = false;
            }
            if (f->nullable) {
                err(c, f->at, NULL, "the field 'at' of an event cannot be "
                    "nullable");
                ok = false;
            }
        }
        schema_field *sf = &s->fields[n++];
        sf->name = arena_strndup(&s->a, f->name, strlen(f->name));
        sf->ty = ty;
        sf->nullable = f->nullable;
        if (!sf->name)
            ok = false;
    }
    s->nfields = n;
    if (!at && ok) {
        err(c, list->at, "at : date",
            "event list '%s' has no field 'at': every event needs its time, "
            "as in 'at : date' or 'at : timestamp'", list->name);
        ok = false;
    }
    if (!ok || m->failed) {
        schema_free(s);
        return NULL;
    }
    s->at = schema_find(s, "at", 2);
    schema_layout(s);
    return s;
}

schema *check_schema(mem *m, const ast_schema *decl, const source *src,
                     diag_list *d)
{
    schema *s = schema_new(m, decl->name);
    if (!s)
        return NULL;
    schema_checker c = {src, d, &s->a, 0};
    s->fields = arena_alloc(&s->a, decl->nfields * sizeof *s->fields + 1);
    if (!s->fields)
        goto fail;

    const ast_field *key = NULL;
    size_t n = 0;
    for (const ast_field *f = decl->fields; f; f = f->next) {
        bool dup = false;
        for (const ast_field *g = decl->fields; g != f; g = g->next)
            if (strcmp(g->name, f->name) == 0) {
                err(&c, f->at, NULL, "field '%s' is declared twice", f->name);
                note(&c, g->at, "first declared here");
                dup = true;
                break;
            }
        if (f->is_events) {
            schema *ev = check_events(&c, m, f);
            if (!ev || dup) {
                schema_free(ev);
                continue;
            }
            schema_field *sf = &s->fields[n++];
            s->nfields = n; /* so that a failure frees ev */
            sf->name = arena_strndup(&s->a, f->name, strlen(f->name));
            sf->ty = &ty_int;
            sf->events = ev;
            if (!sf->name)
                goto fail;
            continue;
        }
        const type *ty = resolve_type(&c, f->type);
        if (f->key) {
            if (key) {
                err(&c, f->key_at, NULL,
                    "only one field can be the key; '%s' already is",
                    key->name);
                note(&c, key->key_at, "the key is declared here");
            } else {
                key = f;
                if (ty && ty->kind != TY_INT && ty->kind != TY_STRING)
                    err(&c, f->type->at, NULL,
                        "the key must be an int or a string");
                if (f->nullable)
                    err(&c, f->key_at, NULL, "the key cannot be nullable");
            }
        }
        if (dup || !ty)
            continue;
        schema_field *sf = &s->fields[n++];
        sf->name = arena_strndup(&s->a, f->name, strlen(f->name));
        sf->ty = ty;
        sf->nullable = f->nullable;
        sf->is_key = f->key && key == f;
        if (!sf->name)
            goto fail;
    }
    s->nfields = n;
    if (!key)
        err(&c, decl->name_at, NULL,
            "schema '%s' has no key; mark the field that identifies a "
            "customer, as in 'id : int key'", decl->name);
    if (c.errors || m->failed)
        goto fail;
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].is_key)
            s->key = i;
    schema_layout(s);
    return s;
fail:
    schema_free(s);
    return NULL;
}
