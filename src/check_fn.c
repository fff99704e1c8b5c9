/* check_fn.c - calls and set operators (check_): population statistics,
 * scores (quintile, ntile), functions of strings and sets, parts of dates.
 *
 * Statistics are computed over the whole population of an evaluation in
 * passes before the segments (a statistic whose argument uses another
 * statistic is computed a pass later); they are constants to the segments.
 * Functions of a string or set field are decided once per entry of the
 * field's dictionary, not per record: the checker wraps them in an
 * IR_DICTFN, whose table every engine reads. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "value.h"

typedef enum fn_kind {
    FN_STAT,
    FN_NTILE,
    FN_STR,   /* of a string: lower, upper, length, starts_with, ... */
    FN_SIZE,  /* of a set */
    FN_DATE   /* year, month, day, weekday, days_since */
} fn_kind;

typedef struct fn_def {
    const char *name;
    fn_kind kind;
    int sub;           /* stat_kind, str_fn, date_part, or ntile's k */
    int min, max;      /* arguments */
    const char *usage;
} fn_def;

static const fn_def fns[] = {
    {"count", FN_STAT, STAT_COUNT, 0, 1, "count(), count(condition) or count(where condition)"},
    {"sum", FN_STAT, STAT_SUM, 1, 1, "sum(revenue [where condition])"},
    {"avg", FN_STAT, STAT_AVG, 1, 1, "avg(revenue [where condition])"},
    {"min", FN_STAT, STAT_MIN, 1, 1, "min(revenue [where condition])"},
    {"max", FN_STAT, STAT_MAX, 1, 1, "max(revenue [where condition])"},
    {"median", FN_STAT, STAT_MEDIAN, 1, 1, "median(revenue [where condition])"},
    {"stddev", FN_STAT, STAT_STDDEV, 1, 1, "stddev(revenue [where condition])"},
    {"percentile", FN_STAT, STAT_PERCENTILE, 2, 2, "percentile(revenue, 90% [where condition])"},
    {"ntile", FN_NTILE, 0, 2, 2, "ntile(10, revenue [where condition])"},
    {"quartile", FN_NTILE, 4, 1, 1, "quartile(revenue [where condition])"},
    {"quintile", FN_NTILE, 5, 1, 1, "quintile(revenue [where condition])"},
    {"decile", FN_NTILE, 10, 1, 1, "decile(revenue [where condition])"},
    {"lower", FN_STR, SF_LOWER, 1, 1, "lower(city)"},
    {"upper", FN_STR, SF_UPPER, 1, 1, "upper(city)"},
    {"length", FN_STR, SF_LENGTH, 1, 1, "length(name)"},
    {"starts_with", FN_STR, SF_STARTS_WITH, 2, 2, "starts_with(zip, \"8\")"},
    {"ends_with", FN_STR, SF_ENDS_WITH, 2, 2, "ends_with(email, \".de\")"},
    {"contains", FN_STR, SF_CONTAINS, 2, 2, "contains(email, \"@gmail.\")"},
    {"size", FN_SIZE, SF_SIZE, 1, 1, "size(tags)"},
    {"year", FN_DATE, DP_YEAR, 1, 1, "year(signup)"},
    {"month", FN_DATE, DP_MONTH, 1, 1, "month(birthday)"},
    {"day", FN_DATE, DP_DAY, 1, 1, "day(birthday)"},
    {"weekday", FN_DATE, DP_WEEKDAY, 1, 1, "weekday(last_order)"},
    {"days_since", FN_DATE, DP_DAYS_SINCE, 1, 1, "days_since(last_order)"},
};

typedef struct tname {
    char s[128];
} tname;

static tname tyname(const type *t)
{
    tname n;
    type_format(t, n.s, sizeof n.s);
    return n;
}

static const ast_node *nth(const ast_node *e, int i)
{
    const ast_node *a = e->kids;
    while (a && i-- > 0)
        a = a->next;
    return a;
}

/* ---- statistics --------------------------------------------------------------- */

/* the pass that computes everything n needs (0: no statistic) */
static int level_of(const ir_node *n, int depth)
{
    if (!n || depth > CHECK_MAX_DEPTH)
        return 0;
    if (n->op == IR_STAT || n->op == IR_NTILE)
        return n->level;
    int l = 0;
    for (uint32_t i = 0; i < n->nkids; i++)
        l = SEGC_MAX(l, level_of(n->kids[i], depth + 1));
    if (n->fn)
        l = SEGC_MAX(l, level_of(n->fn, depth + 1));
    return l;
}

static bool add_stat(checker *c, ir_node *n)
{
    (void)c;
    int l = SEGC_MAX(level_of(n->kids ? n->kids[0] : NULL, 0),
                     level_of(n->filter, 0));
    n->level = l + 1;
    return true;
}

/* the 'where' of a statistic, and a boolean argument of count(), joined */
static ir_node *stat_filter(checker *c, const ast_node *e, ir_node *also)
{
    ir_node *f = NULL;
    if (e->filter) {
        char what[96];
        snprintf(what, sizeof what, "the 'where' of %s()", e->text);
        f = check_cond(c, e->filter, what);
        if (!f)
            return NULL;
    }
    if (f && also) {
        ir_node *both[2] = {also, f};
        return ir_nary(c->p, IR_AND, e->at, both, 2);
    }
    return f ? f : also;
}

/* the exact decimal of a literal p: 0.9, 90%, 0, 1 */
static bool fraction_literal(const ast_node *a, decimal *d)
{
    if (a->kind == AST_INT) {
        d->mant = a->i;
        d->scale = 0;
    } else if (a->kind == AST_DECIMAL || a->kind == AST_PERCENT) {
        *d = a->dec;
    } else {
        return false;
    }
    int64_t one = pow10_i64(d->scale);
    return d->mant >= 0 && d->mant <= one;
}

static ir_node *check_stat(checker *c, const ast_node *e, const fn_def *f)
{
    stat_kind k = (stat_kind)f->sub;
    ir_node *x = NULL, *also = NULL;
    if (e->kids) {
        x = check_expr(c, e->kids);
        if (!x)
            return NULL;
        if (x->op == IR_CONST && x->is_null) {
            check_err(c, e->kids->at, NULL, "%s() of null alone has no "
                      "type", e->text);
            return NULL;
        }
    }
    const type *ty = &ty_int;
    type_kind xk = x ? x->ty->kind : TY_NULL;
    switch (k) {
    case STAT_COUNT:
        if (x && xk == TY_BOOL) {
            also = x; /* count(cond): the records where it holds */
            x = NULL;
        }
        ty = &ty_int;
        break;
    case STAT_SUM:
        if (xk != TY_INT && xk != TY_FLOAT && xk != TY_MONEY)
            goto bad;
        ty = x->ty;
        break;
    case STAT_MIN:
    case STAT_MAX:
        if (xk != TY_INT && xk != TY_FLOAT && xk != TY_MONEY &&
            xk != TY_DATE && xk != TY_TIMESTAMP)
            goto bad;
        ty = x->ty;
        break;
    case STAT_AVG:
    case STAT_MEDIAN:
    case STAT_PERCENTILE:
    case STAT_STDDEV:
        if (xk == TY_INT || xk == TY_FLOAT) {
            ty = &ty_float;
        } else if (xk == TY_MONEY) {
            /* an average of amounts is an amount, with six more places */
            int scale = SEGC_MIN(x->ty->scale + 6, 18);
            ty = type_money(&c->p->a, x->ty->currency, scale);
            if (!ty)
                return NULL;
        } else {
            goto bad;
        }
        break;
    }
    ir_node *n = ir_new(c->p, IR_STAT, ty, e->at);
    if (!n)
        return NULL;
    n->stat = k;
    n->nullable = k != STAT_COUNT;
    if (x) {
        n->kids = arena_alloc(&c->p->a, sizeof *n->kids);
        if (!n->kids)
            return NULL;
        n->kids[0] = x;
        n->nkids = 1;
    }
    if (k == STAT_PERCENTILE) {
        const ast_node *p = nth(e, 1);
        bool ok = fraction_literal(p, &n->pct);
        if (!ok && p->kind == AST_NAME) {
            /* a parameter or constant: its value, to nine places */
            ir_node *v = check_expr(c, p);
            if (!v)
                return NULL;
            double f = v->op != IR_CONST || v->is_null ? -1
                       : v->ty->kind == TY_FLOAT  ? v->v.f
                       : v->ty->kind == TY_INT    ? (double)v->v.i
                                                  : -1;
            if (f >= 0 && f <= 1) {
                n->pct.mant = llround(f * 1e9);
                n->pct.scale = 9;
                ok = true;
            }
        }
        if (!ok) {
            check_err(c, p->at, NULL, "the percentile is a number from 0 to "
                      "1 written in the rule or a parameter, as in 0.9 or 90%%");
            return NULL;
        }
    }
    n->filter = stat_filter(c, e, also);
    if (e->filter && !n->filter)
        return NULL;
    return add_stat(c, n) ? n : NULL;
bad:;
    tname t = tyname(x->ty);
    check_err(c, e->kids->at, NULL, "%s() needs %s, not %s", e->text,
              k == STAT_MIN || k == STAT_MAX
                  ? "a number, an amount, a date or a timestamp"
                  : "a number or an amount",
              t.s);
    return NULL;
}

static ir_node *check_ntile(checker *c, const ast_node *e, const fn_def *f)
{
    int k = f->sub;
    const ast_node *ax = e->kids;
    if (k == 0) {
        /* ntile(k, x), as SQL's NTILE(k) */
        const ast_node *a = e->kids;
        ax = a->next;
        if (a->kind != AST_INT || a->i < 2 || a->i > 1000) {
            check_err(c, a->at, NULL, "the number of buckets is an integer "
                      "from 2 to 1000 written in the rule, as in ntile(10, x)");
            return NULL;
        }
        k = (int)a->i;
    }
    ir_node *x = check_expr(c, ax);
    if (!x)
        return NULL;
    type_kind xk = x->ty->kind;
    if (xk != TY_INT && xk != TY_FLOAT && xk != TY_MONEY && xk != TY_DATE &&
        xk != TY_TIMESTAMP) {
        tname t = tyname(x->ty);
        check_err(c, ax->at, NULL, "%s() ranks numbers, amounts, dates "
                  "and timestamps, not %s", e->text, t.s);
        return NULL;
    }
    ir_node *n = ir_unary(c->p, IR_NTILE, &ty_int, e->at, x);
    if (!n)
        return NULL;
    n->k = k;
    n->nullable = true;
    n->filter = stat_filter(c, e, NULL);
    if (e->filter && !n->filter)
        return NULL;
    return add_stat(c, n) ? n : NULL;
}

/* ---- strings and sets ------------------------------------------------------------ */

bool check_is_strexpr(const ir_node *n)
{
    return n && n->op == IR_STRFN && n->ty->kind == TY_STRING;
}

/* the field a string function reads (through lower/upper), or NULL */
static const ir_node *str_source(const ir_node *n)
{
    while (n && n->op == IR_STRFN)
        n = n->kids[0];
    return n && n->op == IR_FIELD ? n : NULL;
}

/* copies fn with the field's leaf replaced by arg */
static ir_node *clone_fn(checker *c, const ir_node *n, ir_node *arg, int depth)
{
    if (n->op == IR_FIELD)
        return arg;
    if (n->op == IR_CONST || depth > CHECK_MAX_DEPTH)
        return (ir_node *)n;
    ir_node *k = ir_new(c->p, n->op, n->ty, n->at);
    if (!k)
        return NULL;
    uint32_t id = k->id;
    *k = *n;
    k->id = id;
    if (n->nkids) {
        k->kids = arena_alloc(&c->p->a, n->nkids * sizeof *k->kids);
        if (!k->kids)
            return NULL;
        for (uint32_t i = 0; i < n->nkids; i++)
            if (!(k->kids[i] = clone_fn(c, n->kids[i], arg, depth + 1)))
                return NULL;
    }
    return k;
}

/* the one field fn reads; NULL (reported) when it reads two */
static const ir_node *fn_field(checker *c, const ir_node *n, loc at,
                               const ir_node **found, int depth)
{
    if (n->op == IR_FIELD) {
        if (*found && (*found)->field != n->field) {
            check_err(c, at, NULL, "a string function's result can be "
                      "compared with literals only, not with another field");
            return NULL;
        }
        *found = n;
        return n;
    }
    if (depth > CHECK_MAX_DEPTH)
        return NULL;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->op != IR_CONST &&
            !fn_field(c, n->kids[i], at, found, depth + 1))
            return NULL;
    return *found;
}

ir_node *check_dictfn(checker *c, ir_node *fn, loc at)
{
    const ir_node *f = NULL;
    if (!fn_field(c, fn, at, &f, 0))
        return NULL;
    ir_node *arg = ir_new(c->p, IR_DICTARG, f->ty, f->at);
    if (!arg)
        return NULL;
    arg->nullable = f->nullable;
    ir_node *body = clone_fn(c, fn, arg, 0);
    ir_node *n = body ? ir_unary(c->p, IR_DICTFN, fn->ty, at, (ir_node *)f)
                      : NULL;
    if (!n)
        return NULL;
    n->fn = body;
    n->nullable = true;
    return n;
}

static ir_node *strfn(checker *c, str_fn sf, const type *ty, loc at,
                      ir_node *x)
{
    ir_node *n = ir_unary(c->p, IR_STRFN, ty, at, x);
    if (n) {
        n->sfn = sf;
        n->nullable = x->nullable;
    }
    return n;
}

static ir_node *check_str(checker *c, const ast_node *e, const fn_def *f)
{
    ir_node *x = check_expr(c, e->kids);
    if (!x)
        return NULL;
    if (x->op == IR_CONST && x->ty->kind == TY_STRING) {
        check_err(c, e->kids->at, NULL, "%s() of a string written in the "
                  "rule: write it as you mean it (%s() works on fields)",
                  e->text, e->text);
        return NULL;
    }
    if (x->op == IR_EVFIELD) {
        check_err(c, e->kids->at, NULL, "%s() of an event field is not "
                  "supported yet; compare the field itself, as in "
                  "category = \"Jazz\"", e->text);
        return NULL;
    }
    if (x->ty->kind != TY_STRING || !str_source(x)) {
        tname t = tyname(x->ty);
        check_err(c, e->kids->at, NULL, "%s() needs a string field%s, not "
                  "%s", e->text,
                  x->ty->kind == TY_SET ? " (for a set, use size(), 'in', or "
                                          "'has any')"
                                        : "",
                  t.s);
        return NULL;
    }
    str_fn sf = (str_fn)f->sub;
    if (sf == SF_LOWER || sf == SF_UPPER)
        return strfn(c, sf, &ty_string, e->at, x);
    if (sf == SF_LENGTH)
        return check_dictfn(c, strfn(c, sf, &ty_int, e->at, x), e->at);
    const ast_node *a = nth(e, 1);
    if (a->kind != AST_STRING) {
        check_err(c, a->at, NULL, "the second argument of %s() is a string "
                  "written in the rule, as in %s", e->text, f->usage);
        return NULL;
    }
    ir_node *n = strfn(c, sf, &ty_bool, e->at, x);
    if (!n)
        return NULL;
    n->v.str.s = arena_strndup(&c->p->a, a->text, a->len);
    n->v.str.len = (uint32_t)a->len;
    return check_dictfn(c, n, e->at);
}

static ir_node *set_field(checker *c, const ast_node *a, const char *what)
{
    ir_node *x = check_expr(c, a);
    if (!x)
        return NULL;
    if (x->ty->kind != TY_SET || x->op != IR_FIELD) {
        tname t = tyname(x->ty);
        check_err(c, a->at, NULL, "%s needs a set<string> field, not %s",
                  what, t.s);
        return NULL;
    }
    return x;
}

static ir_node *check_size(checker *c, const ast_node *e)
{
    ir_node *x = set_field(c, e->kids, "size()");
    return x ? check_dictfn(c, strfn(c, SF_SIZE, &ty_int, e->at, x), e->at)
             : NULL;
}

/* tags has any ["a", "b"], tags has all vip_tags */
ir_node *check_has(checker *c, const ast_node *e)
{
    const char *what = e->op == 'a' ? "'has any'" : "'has all'";
    ir_node *x = set_field(c, e->kids, what);
    if (!x)
        return NULL;
    const ast_node *list = e->kids->next;
    const source *lsrc = c->src;
    if (list->kind == AST_NAME && !check_const_list(c, list, &list, &lsrc))
        list = NULL;
    if (!list || list->kind != AST_LIST) {
        check_err(c, e->kids->next->at, NULL, "%s needs a list of strings, "
                  "as in tags %s [\"vip\", \"newsletter\"], or a "
                  "constant list", what, e->op == 'a' ? "has any" : "has all");
        return NULL;
    }
    ir_node *n = strfn(c, e->op == 'a' ? SF_HAS_ANY : SF_HAS_ALL, &ty_bool,
                       e->at, x);
    if (!n)
        return NULL;
    n->list = arena_alloc(&c->p->a, (list->nkids + 1) * sizeof *n->list);
    if (!n->list)
        return NULL;
    bool ok = true;
    for (const ast_node *el = list->kids; el; el = el->next) {
        if (el->kind != AST_STRING) {
            const source *keep = c->src;
            check_use_src(c, lsrc);
            check_err(c, el->at, NULL, "the list after %s holds strings, "
                      "as in [\"vip\", \"newsletter\"]", what);
            check_use_src(c, keep);
            ok = false;
            continue;
        }
        ir_value *v = &n->list[n->nlist++];
        v->str.s = arena_strndup(&c->p->a, el->text, el->len);
        v->str.len = (uint32_t)el->len;
    }
    if (!ok)
        return NULL;
    if (n->nlist == 0) {
        /* an empty disjunction is false, an empty conjunction true, also
         * for a null set (as x in [] is false for a null x) */
        ir_node *k = ir_new(c->p, IR_CONST, &ty_bool, e->at);
        if (k)
            k->v.i = e->op != 'a';
        return k;
    }
    return check_dictfn(c, n, e->at);
}

/* ---- dates ----------------------------------------------------------------------- */

static ir_node *check_date(checker *c, const ast_node *e, const fn_def *f)
{
    ir_node *x = check_expr(c, e->kids);
    if (!x)
        return NULL;
    if (x->op == IR_CONST && x->is_null)
        x = check_const_null(c, &ty_date, x->at);
    if (!x)
        return NULL;
    if (!type_is_temporal(x->ty)) {
        tname t = tyname(x->ty);
        check_err(c, e->kids->at, NULL, "%s() needs a date or a timestamp, "
                  "not %s", e->text, t.s);
        return NULL;
    }
    ir_node *n = ir_unary(c->p, IR_DATEPART, &ty_int, e->at, x);
    if (n) {
        n->part = (date_part)f->sub;
        n->nullable = x->nullable;
    }
    return n;
}

/* ---- calls ------------------------------------------------------------------------ */

ir_node *check_call(checker *c, const ast_node *e)
{
    bool is_ev = false;
    ir_node *evn = check_ev_call(c, e, &is_ev);
    if (is_ev)
        return evn;
    const fn_def *f = NULL;
    for (size_t i = 0; i < SEGC_ARRAY_LEN(fns) && !f; i++)
        if (strlen(fns[i].name) == e->len &&
            memcmp(fns[i].name, e->text, e->len) == 0)
            f = &fns[i];
    if (!f) {
        const char *names[SEGC_ARRAY_LEN(fns)];
        for (size_t i = 0; i < SEGC_ARRAY_LEN(fns); i++)
            names[i] = fns[i].name;
        const char *s = text_nearest(e->text, e->len, names,
                                     SEGC_ARRAY_LEN(fns));
        if (s)
            check_err(c, e->text_at, s, "unknown function '%s'; did you mean "
                      "'%s'?", e->text, s);
        else
            check_err(c, e->text_at, NULL, "unknown function '%s' "
                      "(docs/language.md lists the functions)", e->text);
        return NULL;
    }
    if ((int)e->nkids < f->min || (int)e->nkids > f->max) {
        check_err(c, e->at, NULL, "%s() takes %s argument%s: %s", f->name,
                  f->min == f->max ? (f->min == 1 ? "one" : "two")
                                   : "at most one",
                  f->max == 1 ? "" : "s", f->usage);
        return NULL;
    }
    if (e->filter && f->kind != FN_STAT && f->kind != FN_NTILE) {
        check_err(c, e->filter->at, NULL, "'where' inside a call is for "
                  "statistics and scores, as in avg(revenue where orders > "
                  "0); %s() takes none", f->name);
        return NULL;
    }
    switch (f->kind) {
    case FN_STAT:
        return check_stat(c, e, f);
    case FN_NTILE:
        return check_ntile(c, e, f);
    case FN_STR:
        return check_str(c, e, f);
    case FN_SIZE:
        return check_size(c, e);
    case FN_DATE:
        return check_date(c, e, f);
    }
    return NULL;
}
