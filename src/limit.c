/*
 * limit.c - the resource limits of a compilation (limit.h, issue 8).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include "limit.h"
#include "unit.h"

typedef struct limit_info {
    const char *name;
    size_t def, max;
} limit_info;

/* in the order of segc_limits' members and limit_kind */
static const limit_info info[LIM_COUNT] = {
    {"source-bytes", (size_t)16 << 20, (size_t)1 << 31},
    {"total-source-bytes", (size_t)64 << 20, (size_t)1 << 40},
    {"nesting-depth", 1000, 1000},
    {"segments", 100000, (size_t)1 << 32},
    {"list-elements", 100000, (size_t)1 << 32},
    {"string-bytes", 65536, (size_t)1 << 31},
    {"identifier-bytes", 255, (size_t)1 << 31},
    {"import-depth", 32, 255},
    {"imported-files", 255, 255},
    {"compile-time-ms", 60000, (size_t)1 << 40},
    {"expanded-size", 1000000, 1000000},
    {"expanded-depth", 1000, 1000},
    {"name-depth", 250, 250},
};

static const limits defaults = {
    {(size_t)16 << 20, (size_t)64 << 20, 1000, 100000, 100000, 65536, 255,
     32, 255, 60000, 1000000, 1000, 250},
    0,
    false};

const limits *limits_default(void)
{
    return &defaults;
}

static size_t get(const segc_limits *l, limit_kind k)
{
    switch (k) {
    case LIM_SOURCE_BYTES: return l->source_bytes;
    case LIM_TOTAL_SOURCE_BYTES: return l->total_source_bytes;
    case LIM_NESTING_DEPTH: return l->nesting_depth;
    case LIM_SEGMENTS: return l->segments;
    case LIM_LIST_ELEMENTS: return l->list_elements;
    case LIM_STRING_BYTES: return l->string_bytes;
    case LIM_IDENTIFIER_BYTES: return l->identifier_bytes;
    case LIM_IMPORT_DEPTH: return l->import_depth;
    case LIM_IMPORTED_FILES: return l->imported_files;
    case LIM_COMPILE_TIME_MS: return l->compile_time_ms;
    case LIM_EXPANDED_SIZE: return l->expanded_size;
    case LIM_EXPANDED_DEPTH: return l->expanded_depth;
    case LIM_NAME_DEPTH: return l->name_depth;
    case LIM_COUNT: break;
    }
    return 0;
}

static size_t *slot(segc_limits *l, limit_kind k)
{
    switch (k) {
    case LIM_SOURCE_BYTES: return &l->source_bytes;
    case LIM_TOTAL_SOURCE_BYTES: return &l->total_source_bytes;
    case LIM_NESTING_DEPTH: return &l->nesting_depth;
    case LIM_SEGMENTS: return &l->segments;
    case LIM_LIST_ELEMENTS: return &l->list_elements;
    case LIM_STRING_BYTES: return &l->string_bytes;
    case LIM_IDENTIFIER_BYTES: return &l->identifier_bytes;
    case LIM_IMPORT_DEPTH: return &l->import_depth;
    case LIM_IMPORTED_FILES: return &l->imported_files;
    case LIM_COMPILE_TIME_MS: return &l->compile_time_ms;
    case LIM_EXPANDED_SIZE: return &l->expanded_size;
    case LIM_EXPANDED_DEPTH: return &l->expanded_depth;
    case LIM_NAME_DEPTH: return &l->name_depth;
    case LIM_COUNT: break;
    }
    return NULL;
}

uint64_t limits_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void limits_init(limits *out, const segc_limits *l)
{
    *out = defaults;
    for (int k = 0; l && k < LIM_COUNT; k++) {
        size_t v = get(l, (limit_kind)k);
        if (v)
            out->v[k] = SEGC_MIN(v, info[k].max);
    }
    out->start_ns = limits_now_ns();
}

const char *limits_name(limit_kind k)
{
    return k < LIM_COUNT ? info[k].name : "?";
}

SEGC_API const char *segc_limits_name(size_t i, size_t *def, size_t *max)
{
    if (i >= LIM_COUNT)
        return NULL;
    if (def)
        *def = info[i].def;
    if (max)
        *max = info[i].max;
    return info[i].name;
}

SEGC_API int segc_limits_set(segc_limits *l, const char *spec)
{
    if (!l || !spec)
        return -1;
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
    for (int k = 0; k < LIM_COUNT; k++) {
        if (strlen(info[k].name) != n || memcmp(info[k].name, spec, n) != 0)
            continue;
        if (!eq || eq[1] < '0' || eq[1] > '9')
            return -2;
        size_t v = 0;
        for (const char *p = eq + 1; *p; p++) {
            if (*p < '0' || *p > '9')
                return -2;
            if (v > (info[k].max - (size_t)(*p - '0')) / 10)
                return -2; /* above the maximum (and no overflow) */
            v = v * 10 + (size_t)(*p - '0');
        }
        if (v == 0)
            return -2;
        *slot(l, (limit_kind)k) = v;
        return 0;
    }
    return -1;
}

void limits_error(diag_list *d, const source *src, loc at, limit_kind k,
                  size_t limit, size_t value, const char *what)
{
    diag_at(d, SEGC_SEV_ERROR, src, at, NULL, NULL,
            "%s; the limit is %zu (%s), %zu over", what, limit,
            limits_name(k), value - limit);
}

bool limits_check_source(const limits *l, mem *m, diag_list *d,
                         const char *name, const char *text, size_t len)
{
    size_t lim = l->v[LIM_SOURCE_BYTES];
    if (len <= lim)
        return true;
    /* placed at the first byte past the limit: a source of the part up
     * to there, so that its lines are not all counted */
    source s;
    size_t upto = lim + 1;
    while (upto < len && text[upto - 1] != '\n')
        upto++;
    if (!source_init(&s, m, name ? name : "<input>", text, upto))
        return false;
    char what[96];
    snprintf(what, sizeof what, "the rule file is %zu bytes", len);
    limits_error(d, &s, (loc){(uint32_t)lim, (uint32_t)lim + 1},
                 LIM_SOURCE_BYTES, lim, len, what);
    source_free(&s);
    return false;
}

bool limits_out_of_time(limits *l, diag_list *d, const source *src, loc at)
{
    if (l->timed_out)
        return true;
    uint64_t ms = (limits_now_ns() - l->start_ns) / 1000000u;
    size_t lim = l->v[LIM_COMPILE_TIME_MS];
    if (ms <= lim)
        return false;
    l->timed_out = true;
    char what[96];
    snprintf(what, sizeof what, "compiling has taken %llu ms",
             (unsigned long long)ms);
    limits_error(d, src, at, LIM_COMPILE_TIME_MS, lim, (size_t)ms, what);
    return true;
}

/* ---- the walk over the trees ------------------------------------------------- */

typedef struct frame {
    const ast_node *n;
    size_t depth;
} frame;

typedef struct walker {
    const limits *l;
    mem *m;
    diag_list *d;
    const source *src;
    frame *st;
    size_t n, cap;
    bool failed;
} walker;

static void push(walker *w, const ast_node *n, size_t depth)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        frame *st = mem_realloc(w->m, w->st, w->cap * sizeof *st,
                                cap * sizeof *st);
        if (!st) {
            w->failed = true;
            return;
        }
        w->st = st;
        w->cap = cap;
    }
    w->st[w->n++] = (frame){n, depth};
}

/* 'name' for a message: at most 24 bytes of it, whole characters */
static void quote_name(char *out, size_t cap, const char *s, size_t len)
{
    size_t keep = len;
    if (keep > 24) {
        keep = 24;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;
    }
    snprintf(out, cap, "'%.*s%s'", (int)keep, s, keep < len ? "..." : "");
}

static void walk_name(walker *w, const char *name, loc at)
{
    if (!name)
        return;
    size_t len = strlen(name), lim = w->l->v[LIM_IDENTIFIER_BYTES];
    if (len <= lim)
        return;
    char q[64], what[160];
    quote_name(q, sizeof q, name, len);
    snprintf(what, sizeof what, "the name %s is %zu bytes long", q, len);
    limits_error(w->d, w->src, at, LIM_IDENTIFIER_BYTES, lim, len, what);
}

/* one expression (and not its siblings) */
static void walk_expr(walker *w, const ast_node *root)
{
    if (!root)
        return;
    size_t lim = w->l->v[LIM_NESTING_DEPTH], deepest = 0;
    const ast_node *over = NULL;
    w->n = 0;
    push(w, root, 1);
    while (w->n && !w->failed) {
        frame f = w->st[--w->n];
        const ast_node *e = f.n;
        if (f.depth > deepest)
            deepest = f.depth;
        if (f.depth == lim + 1 && !over)
            over = e;
        char what[160];
        switch (e->kind) {
        case AST_LIST:
            if (e->nkids > w->l->v[LIM_LIST_ELEMENTS]) {
                snprintf(what, sizeof what, "the list has %zu elements",
                         e->nkids);
                limits_error(w->d, w->src, e->at, LIM_LIST_ELEMENTS,
                             w->l->v[LIM_LIST_ELEMENTS], e->nkids, what);
            }
            break;
        case AST_STRING:
            if (e->len > w->l->v[LIM_STRING_BYTES]) {
                snprintf(what, sizeof what, "the string is %zu bytes long",
                         e->len);
                limits_error(w->d, w->src, e->at, LIM_STRING_BYTES,
                             w->l->v[LIM_STRING_BYTES], e->len, what);
            }
            break;
        case AST_NAME:
        case AST_CALL:
            walk_name(w, e->text, e->at);
            break;
        default:
            break;
        }
        if (e->filter)
            push(w, e->filter, f.depth + 1);
        for (const ast_node *k = e->kids; k; k = k->next)
            push(w, k, f.depth + 1);
    }
    if (over && !w->failed) {
        char what[96];
        snprintf(what, sizeof what, "the expression nests %zu levels deep",
                 deepest);
        limits_error(w->d, w->src, over->at, LIM_NESTING_DEPTH, lim, deepest,
                     what);
    }
}

static void walk_annotations(walker *w, const ast_annotation *a)
{
    for (; a; a = a->next) {
        walk_name(w, a->name, a->at);
        for (const ast_node *k = a->args; k; k = k->next)
            walk_expr(w, k);
    }
}

static void walk_type(walker *w, const ast_type *t)
{
    for (; t; t = t->elem) {
        walk_name(w, t->name, t->name_at);
        for (const ast_node *k = t->args; k; k = k->next)
            walk_expr(w, k);
    }
}

static bool check_files(const limits *l, mem *m, diag_list *d,
                        unit_file *const *uf, size_t nfiles)
{
    walker w = {l, m, d, NULL, NULL, 0, 0, false};
    size_t segments = 0;
    for (size_t i = 0; i < nfiles && !w.failed; i++) {
        w.src = uf[i]->ast->src;
        for (const ast_item *it = uf[i]->ast->items; it && !w.failed;
             it = it->next) {
            switch (it->kind) {
            case ITEM_SCHEMA:
                walk_name(&w, it->u.schema->name, it->u.schema->name_at);
                for (const ast_field *f = it->u.schema->fields; f; f = f->next) {
                    walk_name(&w, f->name, f->at);
                    walk_type(&w, f->type);
                }
                break;
            case ITEM_SEGMENT:
                segments++;
                walk_name(&w, it->u.segment->name, it->u.segment->name_at);
                walk_annotations(&w, it->u.segment->annotations);
                walk_expr(&w, it->u.segment->where);
                break;
            case ITEM_DEF:
                walk_name(&w, it->u.def->name, it->u.def->name_at);
                walk_annotations(&w, it->u.def->annotations);
                walk_type(&w, it->u.def->type);
                walk_expr(&w, it->u.def->value);
                break;
            case ITEM_CLASSIFY:
                walk_name(&w, it->u.classify->name, it->u.classify->name_at);
                walk_annotations(&w, it->u.classify->annotations);
                for (const ast_tier *t = it->u.classify->tiers; t;
                     t = t->next) {
                    segments++;
                    walk_name(&w, t->name, t->name_at);
                    walk_annotations(&w, t->annotations);
                    walk_expr(&w, t->where);
                }
                break;
            case ITEM_IMPORT:
                break;
            }
        }
    }
    mem_free(m, w.st, w.cap * sizeof *w.st);
    if (w.failed || segments <= l->v[LIM_SEGMENTS])
        return !w.failed;
    /* placed at the first segment or tier past the limit */
    size_t seen = 0;
    for (size_t i = 0; i < nfiles; i++)
        for (const ast_item *it = uf[i]->ast->items; it; it = it->next) {
            const ast_tier *t = it->kind == ITEM_CLASSIFY
                                    ? it->u.classify->tiers : NULL;
            size_t here = it->kind == ITEM_SEGMENT ? 1
                          : it->kind == ITEM_CLASSIFY ? it->u.classify->ntiers
                                                      : 0;
            if (seen + here <= l->v[LIM_SEGMENTS]) {
                seen += here;
                continue;
            }
            loc at = it->u.segment->name_at;
            if (t) {
                for (; seen < l->v[LIM_SEGMENTS] && t->next; t = t->next)
                    seen++;
                at = t->name_at;
            }
            char what[96];
            snprintf(what, sizeof what,
                     "the rules declare %zu segments and tiers", segments);
            limits_error(d, uf[i]->ast->src, at, LIM_SEGMENTS,
                         l->v[LIM_SEGMENTS], segments, what);
            return true;
        }
    return true;
}


bool limits_check_unit(const limits *l, const unit *u)
{
    return check_files(l, u->m, u->d, u->files, u->nfiles);
}
