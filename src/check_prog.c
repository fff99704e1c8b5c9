/* check_prog.c - the declarations of a program and the names they make
 * (check_): segments, parameters, named values, constants, classifications,
 * across a rule file and the files it imports.
 *
 * One namespace holds every declaration. The main file's declarations win
 * over imported ones of the same name (and imported declarations then use
 * the main file's: that is how a standard library file is parameterised);
 * the same name in two imported files, or twice in one file, is an error
 * that points at both. Declarations are checked when first used, so their
 * order does not matter; a declaration that needs itself is an error that
 * prints the cycle. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "limit.h"
#include "value.h"

static const char *const sym_words[] = {"segment", "param", "let",
                                        "const", "classification", "tier"};

/* ---- the namespace ------------------------------------------------------------ */

sym *check_lookup(checker *c, const char *name, size_t len)
{
    uint32_t i;
    return smap_get(&c->names, name, len, &i) ? c->syms[i] : NULL;
}

static sym *new_sym(checker *c, sym_kind kind, const char *name,
                    const source *src, loc at, const void *decl, bool main)
{
    sym *s = arena_alloc(&c->p->a, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    s->name = name;
    s->src = src;
    s->at = at;
    s->decl = decl;
    s->from_main = main;
    return s;
}

/* Declares s, or reports why it cannot be. Returns s when s is the
 * declaration in effect for its name; NULL when it is not (a duplicate, or
 * an imported declaration that the main file replaces). The main file is
 * declared first. */
static sym *declare(checker *c, sym *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s->name);
    sym *old = check_lookup(c, s->name, len);
    const source *keep = c->src;
    check_use_src(c, s->src);
    if (old) {
        check_use_src(c, keep);
        if (old->from_main && !s->from_main) {
            if (old->kind == s->kind) {
                /* the main file's declaration wins; replacing a segment
                 * or classification of a library may be an accident */
                if (c->warn && (s->kind == SYM_SEGMENT ||
                                s->kind == SYM_CLASSIFY))
                    diag_at(c->d, SEGC_SEV_WARNING, old->src, old->at,
                            "SEG205", NULL, "%s '%s' replaces the one "
                            "imported from %s", sym_words[s->kind], s->name,
                            s->src->name);
                return NULL;
            }
            check_use_src(c, old->src);
            check_err(c, old->at, NULL, "'%s' replaces an imported %s with "
                      "a %s", s->name, sym_words[s->kind],
                      sym_words[old->kind]);
            diag_at(c->d, SEGC_SEV_NOTE, s->src, s->at, NULL, NULL,
                    "the imported %s '%s'", sym_words[s->kind], s->name);
            check_use_src(c, keep);
            return NULL;
        }
        check_use_src(c, s->src);
        if (old->src == s->src)
            check_err(c, s->at, NULL, "'%s' is declared twice", s->name);
        else
            check_err(c, s->at, NULL, "'%s' is declared in two imported "
                      "files; declare it in the importing file to choose",
                      s->name);
        diag_at(c->d, SEGC_SEV_NOTE, old->src, old->at, NULL, NULL,
                "the other declaration of '%s'", old->name);
        check_use_src(c, keep);
        return NULL;
    }
    if ((len == 5 && memcmp(s->name, "today", 5) == 0) ||
        (len == 3 && memcmp(s->name, "now", 3) == 0) ||
        check_period(s->name, len) >= 0) {
        check_use_src(c, s->src);
        check_err(c, s->at, NULL, "'%s' is a built-in name (the evaluation's "
                  "date or a period); choose another name for this %s",
                  s->name, sym_words[s->kind]);
        check_use_src(c, keep);
        return NULL;
    }
    if (schema_find(c->sch, s->name, len) >= 0) {
        check_err(c, s->at, NULL, "%s '%s' has the name of a field of schema "
                  "'%s'", sym_words[s->kind], s->name, c->sch->name);
        check_use_src(c, keep);
        return NULL;
    }
    check_use_src(c, keep);
    if (c->nsyms == c->syms_cap) {
        size_t cap = c->syms_cap ? 2 * c->syms_cap : 64;
        sym **v = mem_realloc(c->m, c->syms, c->syms_cap * sizeof *v,
                              cap * sizeof *v);
        if (!v)
            return NULL;
        c->syms = v;
        c->syms_cap = cap;
    }
    if (!smap_put(&c->names, s->name, len, (uint32_t)c->nsyms))
        return NULL;
    c->syms[c->nsyms++] = s;
    return s;
}

/* ---- checking declarations ------------------------------------------------------ */

static void print_cycle(checker *c, sym *s, loc use)
{
    buf b;
    buf_init(&b, c->m);
    size_t from = 0;
    while (from < c->nstack && c->stack[from] != s)
        from++;
    for (size_t i = from; i < c->nstack; i++)
        buf_printf(&b, "%s -> ", c->stack[i]->name);
    buf_puts(&b, s->name);
    check_err(c, use, NULL, "%s '%s' depends on itself: %s",
              sym_words[s->kind], s->name, buf_cstr(&b) ? b.p : "");
    buf_free(&b);
}

static ir_node *check_def(checker *c, sym *s);
static ir_node *check_tier(checker *c, sym *s, loc use);

ir_node *check_sym(checker *c, sym *s, loc use)
{
    if (s->kind == SYM_CLASSIFY) {
        /* not a value: said at every use */
        const ast_classify *cl = s->decl;
        check_err(c, use, NULL, "'%s' is a classification; refer to one of "
                  "its tiers, as in %s.%s", s->name, s->name,
                  cl->tiers ? cl->tiers->name : "Tier");
        return NULL;
    }
    /* the depth of names: a use counts for the symbol being checked */
    if (s->state == 2 && c->nstack &&
        c->stack[c->nstack - 1]->maxdep < s->depth)
        c->stack[c->nstack - 1]->maxdep = s->depth;
    if (s->state == 2)
        return s->value;
    if (s->state == 1) {
        print_cycle(c, s, use);
        return NULL;
    }
    if (c->nstack >= c->lim->v[LIM_NAME_DEPTH]) {
        check_err(c, use, NULL, "names are defined in terms of each other "
                  "more than %zu levels deep; the limit is %zu (name-depth)",
                  c->lim->v[LIM_NAME_DEPTH], c->lim->v[LIM_NAME_DEPTH]);
        return NULL;
    }
    if (c->nstack == c->stack_cap) {
        size_t cap = c->stack_cap ? 2 * c->stack_cap : 16;
        sym **st = mem_realloc(c->m, c->stack, c->stack_cap * sizeof *st,
                               cap * sizeof *st);
        if (!st)
            return NULL;
        c->stack = st;
        c->stack_cap = cap;
    }
    s->state = 1;
    c->stack[c->nstack++] = s;
    const source *keep = c->src;
    int depth = c->depth;
    check_use_src(c, s->src);
    c->depth = 0;
    ir_node *v = NULL;
    switch (s->kind) {
    case SYM_SEGMENT: {
        const ast_segment *seg = s->decl;
        char what[160];
        snprintf(what, sizeof what, "segment '%s'", seg->name);
        v = check_cond(c, seg->where, what);
        break;
    }
    case SYM_PARAM:
    case SYM_LET:
    case SYM_CONST:
        v = check_def(c, s);
        break;
    case SYM_TIER:
        v = check_tier(c, s, use);
        break;
    case SYM_CLASSIFY:
        break; /* above */
    }
    check_use_src(c, keep);
    c->depth = depth;
    c->nstack--;
    s->depth = s->maxdep + 1;
    if (c->nstack && c->stack[c->nstack - 1]->maxdep < s->depth)
        c->stack[c->nstack - 1]->maxdep = s->depth;
    if (v && (size_t)s->depth > c->lim->v[LIM_NAME_DEPTH]) {
        /* order-independent: the same limit whether the names were
         * checked first to last or last to first */
        check_err(c, use, NULL, "names are defined in terms of each other "
                  "%d levels deep; the limit is %zu (name-depth), %zu over",
                  s->depth, c->lim->v[LIM_NAME_DEPTH],
                  (size_t)s->depth - c->lim->v[LIM_NAME_DEPTH]);
        v = NULL;
    }
    s->value = v;
    s->state = 2;
    return v;
}

/* A value that must be a constant: a literal, arithmetic on literals, or a
 * list of literals (list_ok). */
static ir_node *check_constant(checker *c, const ast_node *e, bool list_ok,
                               const char *what, const char *name)
{
    if (e->kind == AST_LIST) {
        if (!list_ok) {
            check_err(c, e->at, NULL, "a list is a constant: write 'const %s "
                      "= [...]'", name);
            return NULL;
        }
        ir_node *v = ir_new(c->p, IR_CONST, &ty_list, e->at);
        ir_node **kids = arena_alloc(&c->p->a, (e->nkids + 1) * sizeof *kids);
        if (!v || !kids)
            return NULL;
        uint32_t k = 0;
        bool ok = true;
        for (const ast_node *el = e->kids; el; el = el->next) {
            /* a bare name that is nothing else may be an enum value: it is
             * checked where the list is used, against what it is used with */
            if (el->kind == AST_NAME &&
                !check_name_resolves(c, el->text, el->len)) {
                kids[k++] = NULL;
                continue;
            }
            ir_node *x = check_expr(c, el);
            if (x && (x->op != IR_CONST || x->ty->kind == TY_LIST)) {
                check_err(c, el->at, NULL, "the elements of a constant list "
                          "must be literals");
                x = NULL;
            }
            ok &= x != NULL;
            kids[k++] = x;
        }
        v->kids = kids;
        v->nkids = k;
        return ok ? v : NULL;
    }
    ir_node *v = check_expr(c, e);
    if (v && v->op != IR_CONST) {
        check_err(c, e->at, NULL, "the value of %s '%s' must be a constant "
                  "(a literal, or arithmetic on literals); for a value per "
                  "customer write 'let %s = ...'", what, name, name);
        return NULL;
    }
    return v;
}

/* Brings a constant list to the element type of want (another list). */
static bool list_fits(checker *c, ir_node *v, const ir_node *want)
{
    if (v->ty->kind != TY_LIST)
        return false;
    const type *et = NULL;
    for (uint32_t i = 0; i < want->nkids && !et; i++)
        if (want->kids[i] && want->kids[i]->ty->kind != TY_NULL)
            et = want->kids[i]->ty;
    for (uint32_t i = 0; i < v->nkids && et; i++)
        if (v->kids[i] && !check_fits(c, &v->kids[i], et))
            return false;
    return true;
}

/* param, let, const */
static ir_node *check_def(checker *c, sym *s)
{
    const ast_def *d = s->decl;
    if (d->kind == DEF_LET)
        return check_expr(c, d->value);
    if (d->kind == DEF_CONST) {
        s->list = d->value;
        s->list_src = c->src;
        return check_constant(c, d->value, true, "const", d->name);
    }

    /* a parameter: its type is declared, or its default's; a value given
     * from outside replaces the default and must have that type */
    const type *want = d->type ? check_type(c, d->type) : NULL;
    if (d->type && !want)
        return NULL;
    ir_node *dflt = check_constant(c, d->value, true, "param", d->name);
    if (!dflt)
        return NULL;
    if (want && !check_fits(c, &dflt, want)) {
        char tw[96], tv[96];
        type_format(want, tw, sizeof tw);
        type_format(dflt->ty, tv, sizeof tv);
        check_err(c, d->value->at, NULL, "parameter '%s' is declared %s; "
                  "its default is %s", d->name, tw, tv);
        return NULL;
    }
    check_override *ov = NULL;
    for (size_t i = 0; i < c->noverrides; i++)
        if (strcmp(c->overrides[i].name, d->name) == 0)
            ov = &c->overrides[i];
    if (!ov) {
        s->text = arena_strndup(&c->p->a, c->src->text + d->value->at.start,
                                d->value->at.end - d->value->at.start);
        s->list = d->value;
        s->list_src = c->src;
        return dflt;
    }
    ov->used = true;
    const ast_def *od = ov->file->items->u.def;
    const source *keep = c->src;
    check_use_src(c, ov->file->src);
    s->text = arena_strndup(&c->p->a, c->src->text + od->value->at.start,
                            od->value->at.end - od->value->at.start);
    s->list = od->value;
    s->list_src = c->src;
    ir_node *v = check_constant(c, od->value, true, "param", d->name);
    bool fits = v && (dflt->ty->kind == TY_LIST ? list_fits(c, v, dflt)
                                                : check_fits(c, &v, dflt->ty));
    if (v && !fits) {
        char tw[96], tv[96];
        type_format(dflt->ty, tw, sizeof tw);
        type_format(v->ty, tv, sizeof tv);
        check_err(c, od->value->at, NULL, "parameter '%s' is %s; this value "
                  "is %s", d->name, tw, tv);
        v = NULL;
    }
    check_use_src(c, keep);
    return v;
}

/* "tier t's condition is true", checked once per tier */
static ir_node *tier_istrue(checker *c, sym *t, loc use)
{
    if (t->cond_state == 2)
        return t->istrue;
    if (t->cond_state == 1) {
        print_cycle(c, t, use);
        return NULL;
    }
    t->cond_state = 1;
    const ast_tier *at = t->decl;
    const source *keep = c->src;
    check_use_src(c, t->src);
    char what[160];
    snprintf(what, sizeof what, "tier '%s'", at->name);
    ir_node *cond = check_cond(c, at->where, what);
    check_use_src(c, keep);
    t->istrue = cond ? ir_unary(c->p, IR_ISTRUE, &ty_bool, at->name_at, cond)
                     : NULL;
    t->cond_state = 2;
    return t->istrue;
}

/* A tier holds when its condition is true and no earlier tier's is: the
 * first match wins, and an unknown condition does not match. The else
 * tier holds when no tier's condition is true. */
static ir_node *check_tier(checker *c, sym *s, loc use)
{
    const ast_classify *cl = s->owner->decl;
    const ast_tier *t = s->decl;
    ir_node **earlier = mem_array(c->m, (size_t)s->tier + 1, sizeof *earlier);
    if (!earlier)
        return NULL;
    uint32_t k = 0;
    bool ok = true;
    for (const ast_tier *u = cl->tiers; u && u != t; u = u->next) {
        const char *name = arena_printf(&c->p->a, "%s.%s", cl->name, u->name);
        sym *us = name ? check_lookup(c, name, strlen(name)) : NULL;
        ir_node *is = us && us->kind == SYM_TIER ? tier_istrue(c, us, use) : NULL;
        ok &= is != NULL;
        if (is)
            earlier[k++] = is;
    }
    ir_node *mine = t->where ? tier_istrue(c, s, use) : NULL;
    ok &= !t->where || mine;
    ir_node *r = NULL;
    if (ok) {
        ir_node *before = k ? ir_nary(c->p, IR_OR, t->name_at, earlier, k) : NULL;
        ir_node *none = before ? ir_unary(c->p, IR_NOT, &ty_bool, t->name_at, before)
                               : NULL;
        if (mine && none) {
            ir_node *both[2] = {mine, none};
            r = ir_nary(c->p, IR_AND, t->name_at, both, 2);
        } else if (mine) {
            r = mine;
        } else if (none) {
            r = none;
        } else {
            /* an else tier alone: everyone */
            r = ir_new(c->p, IR_CONST, &ty_bool, t->name_at);
            if (r)
                r->v.i = 1;
        }
    }
    mem_free(c->m, earlier, ((size_t)s->tier + 1) * sizeof *earlier);
    return r;
}

/* ---- names ------------------------------------------------------------------------ */

static const char *const periods[] = {"this_year", "last_year", "this_month",
                                      "last_month", "this_week", "last_week"};

int check_period(const char *name, size_t len)
{
    for (size_t i = 0; i < SEGC_ARRAY_LEN(periods); i++)
        if (strlen(periods[i]) == len && memcmp(periods[i], name, len) == 0)
            return (int)i;
    return -1;
}

ir_node *check_in_period(checker *c, ir_node *x, int period, loc at)
{
    if (x->ty->kind != TY_DATE && x->ty->kind != TY_TIMESTAMP) {
        char t[96];
        type_format(x->ty, t, sizeof t);
        check_err(c, at, NULL, "%s is a period of time; only a date or a "
                  "timestamp can be in it, not %s", periods[period], t);
        return NULL;
    }
    static const asof_anchor anchors[] = {ANCHOR_YEAR,  ANCHOR_YEAR,
                                          ANCHOR_MONTH, ANCHOR_MONTH,
                                          ANCHOR_WEEK,  ANCHOR_WEEK};
    /* the start and the end (exclusive) of the period, in months or days */
    static const int64_t start_mo[] = {0, -12, 0, -1, 0, 0},
                         end_mo[] = {12, 0, 1, 0, 0, 0},
                         start_d[] = {0, 0, 0, 0, 0, -7},
                         end_d[] = {0, 0, 0, 0, 7, 0};
    ir_node *lo = ir_new(c->p, IR_ASOF, x->ty, at),
            *hi = ir_new(c->p, IR_ASOF, x->ty, at);
    if (!lo || !hi)
        return NULL;
    lo->anchor = hi->anchor = anchors[period];
    lo->months = start_mo[period];
    hi->months = end_mo[period];
    lo->secs = start_d[period] * SECS_PER_DAY;
    hi->secs = end_d[period] * SECS_PER_DAY;
    ir_node *kids[2] = {ir_cmp(c->p, CMP_GE, at, x, lo),
                        ir_cmp(c->p, CMP_LT, at, x, hi)};
    if (!kids[0] || !kids[1])
        return NULL;
    return ir_nary(c->p, IR_AND, at, kids, 2);
}

static void unknown_name(checker *c, const ast_node *e)
{
    size_t n = c->sch->nfields + c->nsyms + SEGC_ARRAY_LEN(periods) + 2;
    const char **cands = mem_array(c->m, n, sizeof *cands);
    const char *s = NULL;
    if (cands) {
        size_t k = 0;
        for (size_t i = 0; i < c->sch->nfields; i++)
            cands[k++] = c->sch->fields[i].name;
        for (size_t i = 0; i < c->nsyms; i++)
            cands[k++] = c->syms[i]->name;
        for (size_t i = 0; i < SEGC_ARRAY_LEN(periods); i++)
            cands[k++] = periods[i];
        cands[k++] = "today";
        cands[k++] = "now";
        s = text_nearest(e->text, e->len, cands, k);
        mem_free(c->m, cands, n * sizeof *cands);
    }
    if (s)
        check_err(c, e->at, s, "unknown name '%s'; did you mean '%s'?",
                  e->text, s);
    else
        check_err(c, e->at, NULL, "unknown name '%s' (not a field of schema "
                  "'%s', nor a segment, parameter, named value or constant)",
                  e->text, c->sch->name);
}

ir_node *check_name(checker *c, const ast_node *e)
{
    bool is_ev = false;
    ir_node *evn = check_ev_name(c, e, &is_ev);
    if (is_ev)
        return evn;
    int f = schema_find(c->sch, e->text, e->len);
    if (f >= 0) {
        const schema_field *sf = &c->sch->fields[f];
        ir_node *n = ir_new(c->p, IR_FIELD, sf->ty, e->at);
        if (n) {
            n->field = (uint32_t)f;
            n->nullable = sf->nullable;
        }
        return n;
    }
    sym *s = check_lookup(c, e->text, e->len);
    if (s) {
        s->used = true;
        ir_node *v = check_sym(c, s, e->at);
        /* a segment used in a condition means membership: true or false,
         * never unknown, so that 'not Dormant' is everyone else */
        if (v && s->kind == SYM_SEGMENT)
            v = ir_unary(c->p, IR_ISTRUE, &ty_bool, e->at, v);
        if (v && v->ty->kind == TY_LIST) {
            check_err(c, e->at, NULL, "'%s' is a list: use it after 'in' or "
                      "'has any', as in country in %s", e->text, e->text);
            return NULL;
        }
        return v;
    }
    if (e->len == 5 && memcmp(e->text, "today", 5) == 0)
        return ir_new(c->p, IR_ASOF, &ty_date, e->at);
    if (e->len == 3 && memcmp(e->text, "now", 3) == 0)
        return ir_new(c->p, IR_ASOF, &ty_timestamp, e->at);
    if (check_period(e->text, e->len) >= 0) {
        check_err(c, e->at, NULL, "%s is a period of time: test a date with "
                  "'in', as in signup in %s", e->text, e->text);
        return NULL;
    }
    unknown_name(c, e);
    return NULL;
}

bool check_const_list(checker *c, const ast_node *e, const ast_node **list,
                      const source **src)
{
    if (e->kind != AST_NAME)
        return false;
    sym *s = check_lookup(c, e->text, e->len);
    if (!s || (s->kind != SYM_CONST && s->kind != SYM_PARAM))
        return false;
    s->used = true;
    ir_node *v = check_sym(c, s, e->at);
    if (!v || v->ty->kind != TY_LIST || !s->list || s->list->kind != AST_LIST)
        return false;
    *list = s->list;
    *src = s->list_src;
    return true;
}

/* ---- the program ------------------------------------------------------------------- */

/* an annotation's arguments as written (a single string: its text) */
static ir_annotation *annotations(checker *c, const source *src,
                                  const ast_annotation *a, uint32_t *n)
{
    uint32_t k = 0;
    for (const ast_annotation *x = a; x; x = x->next)
        k++;
    *n = k;
    ir_annotation *v = arena_alloc(&c->p->a, (k + 1) * sizeof *v);
    if (!v)
        return NULL;
    for (k = 0; a; a = a->next, k++) {
        v[k].name = arena_strndup(&c->p->a, a->name, strlen(a->name));
        if (a->nargs == 1 && a->args->kind == AST_STRING) {
            v[k].value = arena_strndup(&c->p->a, a->args->text, a->args->len);
        } else if (a->args) {
            uint32_t from = a->args->at.start, to = a->args->at.end;
            for (const ast_node *x = a->args; x; x = x->next)
                to = x->at.end;
            v[k].value = arena_strndup(&c->p->a, src->text + from, to - from);
        }
    }
    return v;
}

static const char *copy(checker *c, const char *s)
{
    return s ? arena_strndup(&c->p->a, s, strlen(s)) : NULL;
}

/* declares the items of one file */
static void declare_file(checker *c, const check_file *f)
{
    const source *src = f->ast->src;
    for (const ast_item *it = f->ast->items; it; it = it->next) {
        switch (it->kind) {
        case ITEM_SEGMENT: {
            const ast_segment *s = it->u.segment;
            declare(c, new_sym(c, SYM_SEGMENT, s->name, src, s->name_at, s,
                               f->is_main));
            break;
        }
        case ITEM_DEF: {
            const ast_def *d = it->u.def;
            static const sym_kind kinds[] = {SYM_PARAM, SYM_LET, SYM_CONST};
            declare(c, new_sym(c, kinds[d->kind], d->name, src, d->name_at, d,
                               f->is_main));
            break;
        }
        case ITEM_CLASSIFY: {
            const ast_classify *cl = it->u.classify;
            sym *cs = declare(c, new_sym(c, SYM_CLASSIFY, cl->name, src,
                                         cl->name_at, cl, f->is_main));
            if (!cs)
                break;
            int i = 0;
            for (const ast_tier *t = cl->tiers; t; t = t->next, i++) {
                const ast_tier *u = cl->tiers;
                while (u != t && strcmp(u->name, t->name) != 0)
                    u = u->next;
                if (u != t) {
                    /* once, against the first */
                    const source *keep = c->src;
                    check_use_src(c, src);
                    check_err(c, t->name_at, NULL, "tier '%s' appears "
                              "twice in classification '%s'", t->name,
                              cl->name);
                    diag_at(c->d, SEGC_SEV_NOTE, src, u->name_at, NULL,
                            NULL, "the other tier '%s'", u->name);
                    check_use_src(c, keep);
                    continue;
                }
                const char *name = arena_printf(&c->p->a, "%s.%s", cl->name,
                                                t->name);
                sym *ts = declare(c, new_sym(c, SYM_TIER, name, src,
                                             t->name_at, t, f->is_main));
                if (ts) {
                    ts->owner = cs;
                    ts->tier = i;
                }
            }
            break;
        }
        default:
            break;
        }
    }
}

/* the symbol in effect for a declaration, if it is this declaration */
static sym *own(checker *c, const char *name, const void *decl)
{
    sym *s = check_lookup(c, name, strlen(name));
    return s && s->decl == decl ? s : NULL;
}

/* The size of n with every shared subtree counted each time it is used,
 * as the engines walk it; saturates at CHECK_MAX_EXPANDED + 1. */
static uint64_t expanded(const ir_node *n, uint64_t *memo)
{
    if (memo[n->id])
        return memo[n->id];
    uint64_t s = 1;
    for (uint32_t i = 0; i < n->nkids && s <= CHECK_MAX_EXPANDED; i++)
        s += expanded(n->kids[i], memo);
    if (n->filter && s <= CHECK_MAX_EXPANDED)
        s += expanded(n->filter, memo);
    if (s > CHECK_MAX_EXPANDED)
        s = CHECK_MAX_EXPANDED + 1;
    memo[n->id] = s;
    return s;
}

/* the depth of n, saturating at CHECK_MAX_DEPTH + 1 */
static uint32_t depth_of(const ir_node *n, uint32_t *memo)
{
    if (memo[n->id])
        return memo[n->id];
    uint32_t d = 0;
    for (uint32_t i = 0; i < n->nkids && d <= CHECK_MAX_DEPTH; i++)
        d = SEGC_MAX(d, depth_of(n->kids[i], memo));
    if (n->filter && d <= CHECK_MAX_DEPTH)
        d = SEGC_MAX(d, depth_of(n->filter, memo));
    d = SEGC_MIN(d + 1, CHECK_MAX_DEPTH + 1);
    memo[n->id] = d;
    return d;
}

/* the statistics the segments need, by pass */
static void find_stats(ir_program *p, const ir_node *n, uint8_t *seen,
                       ir_node **out, size_t *k)
{
    if (!n || seen[n->id])
        return;
    seen[n->id] = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        find_stats(p, n->kids[i], seen, out, k);
    find_stats(p, n->filter, seen, out, k);
    find_stats(p, n->fn, seen, out, k);
    if (n->op == IR_STAT || n->op == IR_NTILE) {
        if (out)
            out[*k] = (ir_node *)n;
        ++*k;
    }
}

static int by_level(const void *a, const void *b)
{
    const ir_node *x = *(ir_node *const *)a, *y = *(ir_node *const *)b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void collect_stats(checker *c)
{
    ir_program *p = c->p;
    uint8_t *seen = mem_zalloc(c->m, p->nnodes + 1);
    if (!seen)
        return;
    size_t k = 0;
    for (size_t i = 0; i < p->nsegs; i++)
        find_stats(p, p->segs[i].root, seen, NULL, &k);
    memset(seen, 0, p->nnodes + 1);
    p->stats = arena_alloc(&p->a, (k + 1) * sizeof *p->stats);
    if (p->stats) {
        size_t n = 0;
        for (size_t i = 0; i < p->nsegs; i++)
            find_stats(p, p->segs[i].root, seen, p->stats, &n);
        p->nstats = n;
        qsort(p->stats, n, sizeof *p->stats, by_level);
        p->levels = n ? p->stats[n - 1]->level : 0;
    }
    mem_free(c->m, seen, p->nnodes + 1);
}

/* SEG201..SEG204: declarations of the main file nothing uses, and imports
 * nothing comes from (a library's own unused names are no concern) */
static void warn_unused(checker *c, const check_input *in)
{
    static const char *const codes[] = {
        [SYM_PARAM] = "SEG201", [SYM_LET] = "SEG202", [SYM_CONST] = "SEG203"};
    static const char *const what[] = {[SYM_PARAM] = "parameter",
                                       [SYM_LET] = "named value",
                                       [SYM_CONST] = "constant"};
    for (size_t i = 0; i < c->nsyms && !in->library; i++) {
        const sym *s = c->syms[i];
        if (!s->from_main || s->used ||
            (s->kind != SYM_PARAM && s->kind != SYM_LET && s->kind != SYM_CONST))
            continue;
        diag_at(c->d, SEGC_SEV_WARNING, s->src, s->at, codes[s->kind], NULL,
                "%s '%s' is never used", what[s->kind], s->name);
    }
    for (size_t f = 0; f < in->nfiles; f++) {
        const check_file *cf = &in->files[f];
        if (cf->is_main || !cf->import_src)
            continue;
        bool used = false;
        for (size_t i = 0; i < c->nsyms && !used; i++) {
            const sym *s = c->syms[i];
            used = s->src == cf->ast->src &&
                   (s->used || s->kind == SYM_SEGMENT ||
                    s->kind == SYM_CLASSIFY || s->kind == SYM_TIER);
        }
        if (!used)
            diag_at(c->d, SEGC_SEV_WARNING, cf->import_src, cf->import_at,
                    "SEG204", NULL, "nothing of this import is used: the "
                    "file declares no segment, and none of its names "
                    "appears here");
    }
}

/* a condition that references so much, so often, that evaluating it
 * would take exponential time (let a2 = a1 and a1, let a3 = a2 and a2...) */
static bool too_large(checker *c, const ir_node *root, const source *src,
                      loc at, const char *name)
{
    uint64_t *memo = mem_array(c->m, c->p->nnodes + 1, sizeof *memo);
    if (!memo)
        return true;
    uint64_t n = expanded(root, memo);
    memset(memo, 0, (c->p->nnodes + 1) * sizeof *memo);
    /* depth_of's memo: the same table, as 32-bit entries */
    uint32_t d = depth_of(root, (uint32_t *)(void *)memo);
    mem_free(c->m, memo, (c->p->nnodes + 1) * sizeof *memo);
    size_t xd = c->lim->v[LIM_EXPANDED_DEPTH];
    size_t xs = c->lim->v[LIM_EXPANDED_SIZE];
    if (n <= xs && d <= xd)
        return false;
    const source *keep = c->src;
    check_use_src(c, src);
    /* both measures stop counting just past their largest limits */
    if (d > xd && d > CHECK_MAX_DEPTH)
        check_err(c, at, NULL, "'%s' nests more than %d levels deep once the "
                  "names it uses are written out; the limit is %zu "
                  "(expanded-depth)", name, CHECK_MAX_DEPTH, xd);
    else if (d > xd)
        check_err(c, at, NULL, "'%s' nests %u levels deep once the names it "
                  "uses are written out; the limit is %zu (expanded-depth), "
                  "%zu over", name, (unsigned)d, xd, (size_t)d - xd);
    else if (n > CHECK_MAX_EXPANDED)
        check_err(c, at, NULL, "'%s' has more than %d operations once the "
                  "names it uses are written out (it uses the same named "
                  "values over and over); the limit is %zu (expanded-size)",
                  name, CHECK_MAX_EXPANDED, xs);
    else
        check_err(c, at, NULL, "'%s' has %llu operations once the names it "
                  "uses are written out (it uses the same named values over "
                  "and over); the limit is %zu (expanded-size), %llu over",
                  name, (unsigned long long)n, xs,
                  (unsigned long long)(n - xs));
    check_use_src(c, keep);
    return true;
}

ir_program *check_program(mem *m, const check_input *in, diag_list *d)
{
    checker c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.sch = in->sch;
    c.d = d;
    c.overrides = in->overrides;
    c.noverrides = in->noverrides;
    c.warn = in->warn;
    limits own_lim;
    if (!in->lim)
        limits_init(&own_lim, NULL);
    c.lim = in->lim ? in->lim : &own_lim;
    smap_init(&c.names, m);
    const check_file *main = &in->files[in->nfiles - 1];
    c.files = in->files;
    c.nfiles = in->nfiles;
    c.p = ir_program_new(m, in->sch, main->ast->src->name);
    if (!c.p)
        return NULL;
    ir_program *p = c.p;
    p->files = arena_alloc(&p->a, (in->nfiles + 1) * sizeof *p->files);
    if (!p->files)
        goto oom;
    for (size_t i = 0; i < in->nfiles; i++)
        p->files[i] = copy(&c, in->files[i].ast->src->name);
    p->nfiles = in->nfiles;
    check_use_src(&c, main->ast->src);

    /* the main file's names first: they win over imported ones */
    for (size_t i = in->nfiles; i-- > 0;)
        if (in->files[i].is_main)
            declare_file(&c, &in->files[i]);
    for (size_t i = 0; i < in->nfiles; i++)
        if (!in->files[i].is_main)
            declare_file(&c, &in->files[i]);
    for (size_t i = 0; i < c.noverrides; i++) {
        sym *s = check_lookup(&c, c.overrides[i].name,
                              strlen(c.overrides[i].name));
        if (!s || s->kind != SYM_PARAM) {
            check_use_src(&c, c.overrides[i].file->src);
            check_err(&c, c.overrides[i].file->items->u.def->name_at, NULL,
                      s ? "'%s' is not a parameter (it is a %s)"
                        : "no parameter '%s' to set%s",
                      c.overrides[i].name, s ? sym_words[s->kind] : "");
        }
    }

    /* output order: the files in import order, their items in order;
     * segments first, then the tiers of each classification */
    size_t nsegs = 0, ntiers = 0, nclasses = 0, nparams = 0;
    for (size_t fi = 0; fi < in->nfiles; fi++)
        for (const ast_item *it = in->files[fi].ast->items; it; it = it->next) {
            if (it->kind == ITEM_SEGMENT)
                nsegs += own(&c, it->u.segment->name, it->u.segment) != NULL;
            if (it->kind == ITEM_CLASSIFY &&
                own(&c, it->u.classify->name, it->u.classify)) {
                nclasses++;
                ntiers += it->u.classify->ntiers;
            }
            if (it->kind == ITEM_DEF && it->u.def->kind == DEF_PARAM)
                nparams += own(&c, it->u.def->name, it->u.def) != NULL;
        }
    p->segs = arena_alloc(&p->a, (nsegs + ntiers + 1) * sizeof *p->segs);
    p->classes = arena_alloc(&p->a, (nclasses + 1) * sizeof *p->classes);
    p->params = arena_alloc(&p->a, (nparams + 1) * sizeof *p->params);
    if (!p->segs || !p->classes || !p->params)
        goto oom;

    for (size_t fi = 0; fi < in->nfiles; fi++) {
        const source *src = in->files[fi].ast->src;
        for (const ast_item *it = in->files[fi].ast->items; it; it = it->next) {
            if (it->kind == ITEM_SEGMENT) {
                const ast_segment *seg = it->u.segment;
                sym *s = own(&c, seg->name, seg);
                if (!s || limits_out_of_time(c.lim, d, src, seg->name_at))
                    continue;
                ir_node *root = check_sym(&c, s, seg->name_at);
                if (!root || too_large(&c, root, src, seg->name_at, seg->name))
                    continue;
                ir_segment *out = &p->segs[p->nsegs++];
                out->name = copy(&c, seg->name);
                out->description = copy(&c, seg->description);
                out->at = seg->name_at;
                out->span = seg->at;
                out->file = (uint16_t)fi;
                out->root = root;
                out->classification = -1;
                out->annotations = annotations(&c, src, seg->annotations,
                                               &out->nannotations);
            } else if (it->kind == ITEM_DEF && it->u.def->kind == DEF_PARAM) {
                const ast_def *def = it->u.def;
                sym *s = own(&c, def->name, def);
                ir_node *v = s ? check_sym(&c, s, def->name_at) : NULL;
                if (!v)
                    continue;
                ir_param *pa = &p->params[p->nparams++];
                pa->name = copy(&c, def->name);
                pa->at = def->name_at;
                pa->file = (uint16_t)fi;
                pa->ty = v->ty;
                pa->value = s->text;
            } else if (it->kind == ITEM_DEF) {
                /* lets and consts are checked even when nothing uses them */
                sym *s = own(&c, it->u.def->name, it->u.def);
                if (s)
                    check_sym(&c, s, it->u.def->name_at);
            }
        }
    }
    for (size_t fi = 0; fi < in->nfiles; fi++) {
        const source *src = in->files[fi].ast->src;
        for (const ast_item *it = in->files[fi].ast->items; it; it = it->next) {
            if (it->kind != ITEM_CLASSIFY)
                continue;
            const ast_classify *cl = it->u.classify;
            if (!own(&c, cl->name, cl))
                continue;
            ir_classification *out = &p->classes[p->nclasses];
            out->name = copy(&c, cl->name);
            out->description = copy(&c, cl->description);
            out->at = cl->name_at;
            out->span = cl->at;
            out->file = (uint16_t)fi;
            out->first = (uint32_t)p->nsegs;
            out->annotations = annotations(&c, src, cl->annotations,
                                           &out->nannotations);
            bool ok = true;
            for (const ast_tier *t = cl->tiers; t; t = t->next) {
                const char *name = arena_printf(&p->a, "%s.%s", cl->name, t->name);
                sym *s = name ? check_lookup(&c, name, strlen(name)) : NULL;
                ir_node *root = s ? check_sym(&c, s, t->name_at) : NULL;
                if (root && too_large(&c, root, src, t->name_at, name))
                    root = NULL;
                if (!root) {
                    ok = false;
                    continue;
                }
                ir_segment *seg = &p->segs[p->nsegs++];
                seg->name = name;
                seg->description = copy(&c, t->description);
                seg->at = t->name_at;
                seg->span = t->name_at;
                if (t->where)
                    seg->span.end = t->where->at.end;
                seg->file = (uint16_t)fi;
                seg->root = root;
                seg->classification = (int32_t)p->nclasses;
                seg->annotations = annotations(&c, src, t->annotations,
                                               &seg->nannotations);
                out->has_else |= t->where == NULL;
            }
            out->ntiers = (uint32_t)p->nsegs - out->first;
            if (ok)
                p->nclasses++;
            else
                p->nsegs = out->first;
        }
    }
    collect_stats(&c);
    if (in->warn)
        warn_unused(&c, in);
    smap_free(&c.names);
    mem_free(m, c.syms, c.syms_cap * sizeof *c.syms);
    mem_free(m, c.stack, c.stack_cap * sizeof *c.stack);
    if (m->failed) {
        ir_program_free(p);
        return NULL;
    }
    return p;
oom:
    smap_free(&c.names);
    mem_free(m, c.syms, c.syms_cap * sizeof *c.syms);
    mem_free(m, c.stack, c.stack_cap * sizeof *c.stack);
    ir_program_free(p);
    return NULL;
}
