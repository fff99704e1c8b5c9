/* check.c - segments -> typed IR: names, types and lowering (check_).
 *
 * The typing rules, in brief (docs/language.md has them in full):
 *   int op int -> int (+ - *), float (/); int meets float as float;
 *   money meets money of the same currency only; money * int and
 *   money * decimal literal stay exact; money / money -> float;
 *   date/timestamp +- duration -> date/timestamp; date meets timestamp as
 *   timestamp; date/timestamp OP duration compares the age (as_of - value);
 *   strings and bools compare with = and != only; enums compare in
 *   declaration order; a bare name next to an enum may be one of its values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "value.h"

typedef struct checker {
    mem *m;
    const source *src;
    const schema *sch;
    ir_program *p;
    diag_list *d;
    size_t errors;
    int depth;
} checker;

static void err(checker *c, loc at, const char *fix, const char *fmt, ...)
    SEGC_PRINTF(4, 5);
static void err(checker *c, loc at, const char *fix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vat(c->d, SEGC_SEV_ERROR, c->src, at, NULL, fix, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* ---- small helpers ------------------------------------------------------------ */

typedef struct tname {
    char s[200];
} tname;

static tname tyname(const type *t)
{
    tname n;
    type_format(t, n.s, sizeof n.s);
    return n;
}

/* "'last_order' (date)" for a field, else just the type */
static tname describe(checker *c, const ir_node *n)
{
    tname t = tyname(n->ty);
    if (n->op == IR_FIELD) {
        tname d;
        snprintf(d.s, sizeof d.s, "'%.64s' (%.96s)",
                 c->sch->fields[n->field].name, t.s);
        return d;
    }
    return t;
}

static bool is_const(const ir_node *n)
{
    return n->op == IR_CONST;
}

static bool is_null_const(const ir_node *n)
{
    return n->op == IR_CONST && n->is_null;
}

static bool is_duration(const ir_node *n)
{
    return n->ty->kind == TY_DURATION;
}

static ir_node *mk_const(checker *c, const type *ty, loc at)
{
    return ir_new(c->p, IR_CONST, ty, at);
}

static ir_node *null_of(checker *c, const type *ty, loc at)
{
    ir_node *n = mk_const(c, ty, at);
    if (n) {
        n->is_null = true;
        n->nullable = true;
    }
    return n;
}

static const char *src_text(checker *c, loc at, size_t *len)
{
    *len = at.end - at.start;
    return c->src->text + at.start;
}

static cmp_op mirror(cmp_op op)
{
    switch (op) {
    case CMP_LT:
        return CMP_GT;
    case CMP_LE:
        return CMP_GE;
    case CMP_GT:
        return CMP_LT;
    case CMP_GE:
        return CMP_LE;
    default:
        return op;
    }
}

static bool mul_ovf(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_mul_overflow(a, b, r);
}

/* ---- names ---------------------------------------------------------------------- */

typedef enum name_kind { NAME_NONE, NAME_FIELD, NAME_TODAY, NAME_NOW } name_kind;

static name_kind lookup(checker *c, const char *s, size_t len, int *field)
{
    *field = schema_find(c->sch, s, len);
    if (*field >= 0)
        return NAME_FIELD;
    if (len == 5 && memcmp(s, "today", 5) == 0)
        return NAME_TODAY;
    if (len == 3 && memcmp(s, "now", 3) == 0)
        return NAME_NOW;
    return NAME_NONE;
}

static int enum_index(const type *t, const char *s, size_t len)
{
    for (uint32_t i = 0; i < t->enm->n; i++)
        if (strlen(t->enm->values[i]) == len &&
            memcmp(t->enm->values[i], s, len) == 0)
            return (int)i;
    return -1;
}

static void unknown_name(checker *c, const ast_node *e)
{
    size_t n = c->sch->nfields;
    const char **cands = mem_array(c->m, n + 2, sizeof *cands);
    const char *s = NULL;
    if (cands) {
        for (size_t i = 0; i < n; i++)
            cands[i] = c->sch->fields[i].name;
        cands[n] = "today";
        cands[n + 1] = "now";
        s = text_nearest(e->text, e->len, cands, n + 2);
        mem_free(c->m, cands, (n + 2) * sizeof *cands);
    }
    if (s)
        err(c, e->at, s, "unknown field '%s'; did you mean '%s'?", e->text, s);
    else
        err(c, e->at, NULL, "unknown field '%s' (schema '%s' has no such field)",
            e->text, c->sch->name);
}

/* ---- conversions ------------------------------------------------------------------ */

static ir_node *to_float(checker *c, ir_node *n)
{
    if (n->ty->kind == TY_FLOAT)
        return n;
    if (is_const(n)) {
        ir_node *k = mk_const(c, &ty_float, n->at);
        if (!k)
            return NULL;
        k->is_null = n->is_null;
        k->nullable = n->nullable;
        if (n->ty->kind == TY_MONEY)
            k->v.f = cur_units_to_float(n->v.i, n->ty->scale);
        else
            k->v.f = (double)n->v.i;
        return k;
    }
    return ir_unary(c->p, IR_TO_FLOAT, &ty_float, n->at, n);
}

static ir_node *to_ts(checker *c, ir_node *n)
{
    if (n->ty->kind == TY_TIMESTAMP)
        return n;
    if (is_const(n)) {
        ir_node *k = mk_const(c, &ty_timestamp, n->at);
        if (k) {
            k->is_null = n->is_null;
            k->nullable = n->nullable;
            k->v.i = n->v.i * SECS_PER_DAY;
        }
        return k;
    }
    return ir_unary(c->p, IR_TO_TS, &ty_timestamp, n->at, n);
}

/* money at a larger scale: exact, or null on overflow */
static ir_node *rescale(checker *c, ir_node *n, int scale)
{
    int k = scale - n->ty->scale;
    if (k == 0)
        return n;
    const type *t = type_money(&c->p->a, n->ty->currency, scale);
    if (!t)
        return NULL;
    if (is_const(n)) {
        ir_node *r = mk_const(c, t, n->at);
        if (!r)
            return NULL;
        r->is_null = n->is_null;
        r->nullable = n->nullable;
        if (!n->is_null && mul_ovf(n->v.i, pow10_i64(k), &r->v.i)) {
            /* compared with an amount of finer scale (a product with a
             * decimal), whose range is smaller */
            int64_t whole = INT64_MAX / pow10_i64(scale),
                    frac = INT64_MAX % pow10_i64(scale);
            err(c, n->at, NULL, "amount out of range where it meets an "
                "amount of %d decimal places (at most %" PRId64 ".%0*" PRId64
                " %s)", scale, whole, scale, frac,
                cur_get(n->ty->currency)->code);
            return NULL;
        }
        return r;
    }
    ir_node *r = ir_unary(c->p, IR_RESCALE, t, n->at, n);
    if (r) {
        r->scale_up = k;
        r->nullable = true;
    }
    return r;
}

/* Brings a and b to one type for a comparison or a list: int and float meet
 * as float, a date meets a timestamp as a timestamp, money meets money at the
 * larger scale. Returns false (nothing reported) when they cannot meet. */
static bool unify(checker *c, ir_node **a, ir_node **b)
{
    if (is_null_const(*a) && !is_null_const(*b))
        *a = null_of(c, (*b)->ty, (*a)->at);
    else if (is_null_const(*b) && !is_null_const(*a))
        *b = null_of(c, (*a)->ty, (*b)->at);
    if (!*a || !*b)
        return false;
    type_kind ka = (*a)->ty->kind, kb = (*b)->ty->kind;
    if (ka == TY_INT && kb == TY_FLOAT)
        *a = to_float(c, *a);
    else if (ka == TY_FLOAT && kb == TY_INT)
        *b = to_float(c, *b);
    else if (ka == TY_DATE && kb == TY_TIMESTAMP)
        *a = to_ts(c, *a);
    else if (ka == TY_TIMESTAMP && kb == TY_DATE)
        *b = to_ts(c, *b);
    else if (ka == TY_MONEY && kb == TY_MONEY &&
             (*a)->ty->currency == (*b)->ty->currency) {
        int s = SEGC_MAX((*a)->ty->scale, (*b)->ty->scale);
        *a = rescale(c, *a, s);
        *b = rescale(c, *b, s);
    } else if (!type_compatible((*a)->ty, (*b)->ty)) {
        return false;
    }
    return *a && *b;
}

/* ---- expressions ------------------------------------------------------------------ */

static ir_node *check_expr(checker *c, const ast_node *e);

/* An expression where an enum value may be written bare (region = EU). */
static ir_node *check_against(checker *c, const ast_node *e, const type *ctx)
{
    if (!ctx || ctx->kind != TY_ENUM)
        return check_expr(c, e);
    if (e->kind == AST_NAME) {
        int k = enum_index(ctx, e->text, e->len);
        if (k >= 0) {
            ir_node *n = mk_const(c, ctx, e->at);
            if (n)
                n->v.i = k;
            return n;
        }
        int f;
        if (lookup(c, e->text, e->len, &f) != NAME_NONE)
            return check_expr(c, e);
        const char *s = text_nearest(e->text, e->len,
                                     (const char *const *)ctx->enm->values,
                                     ctx->enm->n);
        tname t = tyname(ctx);
        if (s)
            err(c, e->at, s, "'%s' is not a value of %s; did you mean '%s'?",
                e->text, t.s, s);
        else
            err(c, e->at, NULL, "'%s' is not a value of %s", e->text, t.s);
        return NULL;
    }
    if (e->kind == AST_STRING) {
        int k = enum_index(ctx, e->text, e->len);
        if (k >= 0) {
            err(c, e->at, ctx->enm->values[k],
                "enum values are written without quotes: %s",
                ctx->enm->values[k]);
            ir_node *n = mk_const(c, ctx, e->at);
            if (n)
                n->v.i = k;
            return n;
        }
        tname t = tyname(ctx);
        err(c, e->at, NULL, "\"%.*s\" is not a value of %s", (int)e->len,
            e->text, t.s);
        return NULL;
    }
    return check_expr(c, e);
}

/* A bare name that resolves on its own (a field, today, now)? */
static bool resolves(checker *c, const ast_node *e)
{
    int f;
    return e->kind != AST_NAME || lookup(c, e->text, e->len, &f) != NAME_NONE;
}

/* Checks two operands so that either may be a bare enum value of the other. */
/* The enum type of a bare name that is a field, or NULL. */
static const type *enum_field_type(checker *c, const ast_node *e)
{
    int f;
    if (e->kind != AST_NAME || lookup(c, e->text, e->len, &f) != NAME_FIELD)
        return NULL;
    const type *t = c->sch->fields[f].ty;
    return t->kind == TY_ENUM ? t : NULL;
}

/* Checks two operands so that either may be a bare value of the other's
 * enum: a field is checked first, and gives the other operand its context;
 * of two bare names, one that is a value of the other's enum is that value,
 * even when a field has the same name. */
static bool check_pair(checker *c, const ast_node *la, const ast_node *lb,
                       ir_node **a, ir_node **b)
{
    bool na = la->kind == AST_NAME, nb = lb->kind == AST_NAME;
    bool b_first;
    if (na && !nb) {
        b_first = !resolves(c, la); /* a field gives the other its context */
    } else if (!na && nb) {
        b_first = false;
    } else if (na && nb) {
        const type *ta = enum_field_type(c, la), *tb = enum_field_type(c, lb);
        if (ta && enum_index(ta, lb->text, lb->len) >= 0)
            b_first = false;      /* lb is a value of la's enum */
        else if (tb && enum_index(tb, la->text, la->len) >= 0)
            b_first = true;       /* la is a value of lb's enum */
        else
            b_first = !resolves(c, la) && resolves(c, lb);
    } else {
        b_first = false;
    }
    if (b_first) {
        *b = check_expr(c, lb);
        *a = check_against(c, la, *b ? (*b)->ty : NULL);
    } else {
        *a = check_expr(c, la);
        *b = check_against(c, lb, *a ? (*a)->ty : NULL);
    }
    return *a && *b;
}

static ir_node *check_money_literal(checker *c, const ast_node *e)
{
    int cur = cur_find(e->text, e->len);
    if (cur < 0) {
        const char *s = cur_suggest(e->text, e->len);
        if (!s && e->len != 3) {
            /* "orders = 1 country": not money, a missing operator */
            err(c, e->text_at, NULL,
                "unexpected name '%s' after a number (a number followed by "
                "a name is an amount, as in 50 EUR); is an operator or "
                "'and' missing?", e->text);
            return NULL;
        }
        if (s)
            err(c, e->text_at, s, "unknown currency '%s'; did you mean '%s'?",
                e->text, s);
        else
            err(c, e->text_at, NULL,
                "unknown currency '%s' (expected an ISO 4217 code such as "
                "EUR)", e->text);
        return NULL;
    }
    const currency *cu = cur_get(cur);
    if (e->dec.scale > cu->decimals) {
        err(c, e->at, NULL, "%s has %d decimal place%s; this amount has %d",
            cu->code, cu->decimals, cu->decimals == 1 ? "" : "s",
            e->dec.scale);
        return NULL;
    }
    int64_t v;
    if (mul_ovf(e->dec.mant, pow10_i64(cu->decimals - e->dec.scale), &v)) {
        err(c, e->at, NULL, "amount out of range");
        return NULL;
    }
    const type *t = type_money(&c->p->a, cur, cu->decimals);
    ir_node *n = t ? mk_const(c, t, e->at) : NULL;
    if (n)
        n->v.i = v;
    return n;
}

/* The exact value of a decimal literal (0.8, 80%, -1.5), for money
 * arithmetic; false when e is not one. */
static bool decimal_literal(const ast_node *e, decimal *d)
{
    bool neg = false;
    while (e->kind == AST_NEG) {
        neg = !neg;
        e = e->kids;
    }
    if (e->kind != AST_DECIMAL && e->kind != AST_PERCENT)
        return false;
    *d = e->dec;
    if (neg)
        d->mant = -d->mant;
    return true;
}

static ir_node *shift(checker *c, ir_node *t, int64_t months, int64_t secs,
                      loc at)
{
    if (t->ty->kind == TY_DATE && secs % SECS_PER_DAY != 0) {
        err(c, at, NULL, "a date moves in whole days; use d, w, mo or y");
        return NULL;
    }
    if (t->op == IR_ASOF && ((t->months == 0 && t->secs == 0) ||
                             (t->months == 0 && months == 0))) {
        ir_node *n = ir_new(c->p, IR_ASOF, t->ty, at);
        if (n) {
            n->months = t->months + months;
            n->secs = t->secs + secs;
        }
        return n;
    }
    if (is_const(t)) {
        ir_node *n = mk_const(c, t->ty, at);
        if (n) {
            n->is_null = t->is_null;
            n->nullable = t->nullable;
            n->v.i = t->ty->kind == TY_DATE
                         ? cal_shift_date(t->v.i, months, secs / SECS_PER_DAY)
                         : cal_shift_ts(t->v.i, months, secs);
        }
        return n;
    }
    ir_node *n = ir_unary(c->p, IR_SHIFT, t->ty, at, t);
    if (n) {
        n->months = months;
        n->secs = secs;
    }
    return n;
}

static ir_node *dur_const(checker *c, int64_t months, int64_t secs, loc at)
{
    const int64_t max_months = 10000 * 12;
    const int64_t max_secs = (int64_t)10000 * 366 * SECS_PER_DAY;
    if (months > max_months || months < -max_months || secs > max_secs ||
        secs < -max_secs) {
        err(c, at, NULL, "duration too long (at most 10000 years)");
        return NULL;
    }
    ir_node *n = mk_const(c, &ty_duration, at);
    if (n) {
        n->months = months;
        n->secs = secs;
    }
    return n;
}

static ir_node *arith_mismatch(checker *c, const ast_node *e, ir_node *a,
                               ir_node *b)
{
    tname ta = describe(c, a), tb = describe(c, b);
    err(c, e->at, NULL, "cannot use '%c' on %s and %s", e->op, ta.s, tb.s);
    return NULL;
}

/* sum/term: a + b, a - b, a * b, a / b */
static ir_node *check_arith(checker *c, const ast_node *e)
{
    const ast_node *la = e->kids, *lb = la->next;
    ir_node *a = check_expr(c, la), *b = check_expr(c, lb);
    if (!a || !b)
        return NULL;
    int op = e->op;
    if (is_null_const(a) && is_null_const(b)) {
        err(c, e->at, NULL, "arithmetic on null alone has no type");
        return NULL;
    }
    if (is_null_const(a) && !is_duration(b))
        a = null_of(c, b->ty, a->at);
    if (is_null_const(b) && !is_duration(a))
        b = null_of(c, a->ty, b->at);
    if (!a || !b)
        return NULL;
    type_kind ka = a->ty->kind, kb = b->ty->kind;

    /* durations: constant arithmetic, or moving a date/timestamp */
    if (ka == TY_DURATION || kb == TY_DURATION) {
        if (ka == TY_DURATION && kb == TY_DURATION && (op == '+' || op == '-')) {
            int s = op == '+' ? 1 : -1;
            return dur_const(c, a->months + s * b->months,
                             a->secs + s * b->secs, e->at);
        }
        if (op == '*' && (ka == TY_INT || kb == TY_INT)) {
            ir_node *k = ka == TY_INT ? a : b, *d = ka == TY_INT ? b : a;
            if (!is_const(k) || k->is_null) {
                err(c, k->at, NULL, "a duration can only be multiplied by "
                    "an integer written in the rule");
                return NULL;
            }
            if (k->v.i > 1000000 || k->v.i < -1000000) {
                err(c, e->at, NULL, "duration too long (at most 10000 years)");
                return NULL;
            }
            return dur_const(c, d->months * k->v.i, d->secs * k->v.i, e->at);
        }
        if (type_is_temporal(a->ty) && kb == TY_DURATION &&
            (op == '+' || op == '-')) {
            int s = op == '+' ? 1 : -1;
            return shift(c, a, s * b->months, s * b->secs, e->at);
        }
        if (ka == TY_DURATION && type_is_temporal(b->ty) && op == '+')
            return shift(c, b, a->months, a->secs, e->at);
        return arith_mismatch(c, e, a, b);
    }
    if (type_is_temporal(a->ty) || type_is_temporal(b->ty)) {
        if (type_is_temporal(a->ty) && type_is_temporal(b->ty) && op == '-')
            err(c, e->at, NULL, "dates cannot be subtracted; compare an age "
                "instead, as in 'last_order > 30d', or move a date, as in "
                "'signup + 30d'");
        else
            arith_mismatch(c, e, a, b);
        return NULL;
    }

    /* money stays exact */
    if (ka == TY_MONEY || kb == TY_MONEY) {
        if (ka == TY_MONEY && kb == TY_MONEY) {
            if (a->ty->currency != b->ty->currency)
                return arith_mismatch(c, e, a, b);
            if (op == '+' || op == '-') {
                if (!unify(c, &a, &b))
                    return NULL;
                ir_node *n = ir_binary(c->p, op == '+' ? IR_ADD : IR_SUB,
                                       a->ty, e->at, a, b);
                if (n)
                    n->nullable = true;
                return n;
            }
            if (op == '/') {
                /* a ratio of the exact amounts: both at one scale, then
                 * their unit counts divided (0.30 EUR / 0.10 EUR is 3) */
                if (!unify(c, &a, &b))
                    return NULL;
                a = to_float(c, ir_unary(c->p, IR_UNITS, &ty_int, a->at, a));
                b = to_float(c, ir_unary(c->p, IR_UNITS, &ty_int, b->at, b));
                ir_node *n = a && b ? ir_binary(c->p, IR_DIV, &ty_float,
                                                e->at, a, b)
                                    : NULL;
                if (n)
                    n->nullable = true;
                return n;
            }
            err(c, e->at, NULL, "money cannot be multiplied by money");
            return NULL;
        }
        ir_node *mo = ka == TY_MONEY ? a : b, *k = ka == TY_MONEY ? b : a;
        const ast_node *lk = ka == TY_MONEY ? lb : la;
        if (op == '*') {
            decimal d;
            if (k->ty->kind == TY_INT) {
                ir_node *n = ir_binary(c->p, IR_MUL, mo->ty, e->at, mo, k);
                if (n)
                    n->nullable = true;
                return n;
            }
            if (decimal_literal(lk, &d)) {
                int scale = mo->ty->scale + d.scale;
                if (scale > 18) {
                    err(c, lk->at, NULL, "too many decimal places for an "
                        "exact amount (at most 18 in all)");
                    return NULL;
                }
                const type *t =
                    type_money(&c->p->a, mo->ty->currency, scale);
                ir_node *f = t ? mk_const(c, &ty_int, lk->at) : NULL;
                if (!f)
                    return NULL;
                f->v.i = d.mant;
                ir_node *n = ir_binary(c->p, IR_MUL, t, e->at, mo, f);
                if (n)
                    n->nullable = true;
                return n;
            }
            tname tk = describe(c, k);
            err(c, e->at, NULL, "money can be multiplied by an integer or "
                "by a decimal number written in the rule (0.8, 80%%), not "
                "by %s", tk.s);
            return NULL;
        }
        if (op == '/' && ka == TY_MONEY && type_is_numeric(b->ty)) {
            err(c, e->at, NULL, "money cannot be divided exactly; multiply "
                "the other side instead, as in 'revenue > 50 EUR * orders' "
                "for 'revenue / orders > 50 EUR'");
            return NULL;
        }
        if ((op == '+' || op == '-') && type_is_numeric(k->ty) &&
            is_const(k)) {
            size_t len;
            const char *t = src_text(c, lk->at, &len);
            char fix[64];
            snprintf(fix, sizeof fix, "%.*s %s", (int)SEGC_MIN(len, 40), t,
                     cur_get(mo->ty->currency)->code);
            err(c, lk->at, fix, "a bare number cannot be added to money: "
                "write %s", fix);
            return NULL;
        }
        return arith_mismatch(c, e, a, b);
    }

    if (!type_is_numeric(a->ty) || !type_is_numeric(b->ty))
        return arith_mismatch(c, e, a, b);
    if (op == '/') {
        a = to_float(c, a);
        b = to_float(c, b);
    } else if (ka != kb) {
        a = to_float(c, a);
        b = to_float(c, b);
    }
    if (!a || !b)
        return NULL;
    static const ir_op ops[] = {['+'] = IR_ADD, ['-'] = IR_SUB,
                                ['*'] = IR_MUL, ['/'] = IR_DIV};
    ir_node *n = ir_binary(c->p, ops[op], a->ty, e->at, a, b);
    if (n)
        n->nullable = true; /* overflow, division by zero, NaN */
    return n;
}

static ir_node *check_neg(checker *c, const ast_node *e)
{
    ir_node *a = check_expr(c, e->kids);
    if (!a)
        return NULL;
    if (is_duration(a))
        return dur_const(c, -a->months, -a->secs, e->at);
    if (a->ty->kind != TY_INT && a->ty->kind != TY_FLOAT &&
        a->ty->kind != TY_MONEY && a->ty->kind != TY_NULL) {
        tname t = describe(c, a);
        err(c, e->at, NULL, "cannot negate %s", t.s);
        return NULL;
    }
    if (is_const(a)) {
        /* fold, so that -5 is a literal (lists need literals) */
        ir_node *n = mk_const(c, a->ty, e->at);
        if (!n)
            return NULL;
        n->is_null = a->is_null;
        n->nullable = a->nullable;
        if (a->ty->kind == TY_FLOAT)
            n->v.f = -a->v.f;
        else if (!a->is_null && a->v.i == INT64_MIN) {
            err(c, e->at, NULL, "number out of range");
            return NULL;
        } else
            n->v.i = -a->v.i;
        return n;
    }
    ir_node *n = ir_unary(c->p, IR_NEG, a->ty, e->at, a);
    if (n && a->ty->kind != TY_FLOAT)
        n->nullable = true; /* -INT64_MIN */
    return n;
}

/* t OP d, with t a date or timestamp and d a duration: the age of t,
 * as_of - t, compared with d, which is t compared with as_of - d. */
static ir_node *age_cmp(checker *c, cmp_op op, ir_node *t, ir_node *d, loc at)
{
    if (t->ty->kind == TY_DATE && d->secs % SECS_PER_DAY != 0) {
        size_t len;
        const char *s = src_text(c, d->at, &len);
        err(c, d->at, NULL, "the age of a date is counted in whole days; "
            "'%.*s' is not a whole number of days", (int)len, s);
        return NULL;
    }
    ir_node *cut = ir_new(c->p, IR_ASOF, t->ty, d->at);
    if (!cut)
        return NULL;
    cut->months = -d->months;
    cut->secs = -d->secs;
    return ir_cmp(c->p, mirror(op), at, t, cut);
}

/* Reports why a and b cannot be compared, with a fix where there is one. */
static void cmp_mismatch(checker *c, loc at, ir_node *a, ir_node *b,
                         const ast_node *la, const ast_node *lb)
{
    tname ta = describe(c, a), tb = describe(c, b);
    /* money against a bare number: suggest the amount with its currency */
    for (int side = 0; side < 2; side++) {
        ir_node *mo = side ? b : a, *k = side ? a : b;
        const ast_node *lk = side ? la : lb;
        if (mo->ty->kind == TY_MONEY && type_is_numeric(k->ty) &&
            is_const(k) && !k->is_null) {
            size_t len;
            const char *t = src_text(c, lk->at, &len);
            char fix[64];
            snprintf(fix, sizeof fix, "%.*s %s", (int)SEGC_MIN(len, 40), t,
                     cur_get(mo->ty->currency)->code);
            tname tm = describe(c, mo);
            err(c, lk->at, fix, "cannot compare %s with a bare number; "
                "write %s", tm.s, fix);
            return;
        }
        if (type_is_temporal(mo->ty) && type_is_numeric(k->ty)) {
            tname tm = describe(c, mo);
            err(c, at, NULL, "cannot compare %s with %s; for an age write a "
                "duration such as 90d, for a date write 2024-01-31", tm.s,
                side ? ta.s : tb.s);
            return;
        }
    }
    if (a->ty->kind == TY_MONEY && b->ty->kind == TY_MONEY)
        err(c, at, NULL, "cannot compare %s with %s: the currencies differ",
            ta.s, tb.s);
    else
        err(c, at, NULL, "cannot compare %s with %s", ta.s, tb.s);
}

/* a OP b, both checked */
static ir_node *compare(checker *c, cmp_op op, ir_node *a, ir_node *b, loc at,
                        const ast_node *la, const ast_node *lb)
{
    if (is_duration(a) || is_duration(b)) {
        if (is_duration(a) && is_duration(b)) {
            err(c, at, NULL, "cannot compare two durations");
            return NULL;
        }
        ir_node *t = is_duration(a) ? b : a, *d = is_duration(a) ? a : b;
        if (is_null_const(t))
            return null_of(c, &ty_bool, at);
        if (!type_is_temporal(t->ty)) {
            tname tt = describe(c, t);
            err(c, at, NULL, "cannot compare %s with a duration; a duration "
                "is compared with a date or timestamp, meaning its age",
                tt.s);
            return NULL;
        }
        return age_cmp(c, is_duration(a) ? mirror(op) : op, t, d, at);
    }
    if (is_null_const(a) && is_null_const(b))
        return null_of(c, &ty_bool, at);
    if (a->ty->kind == TY_SET || b->ty->kind == TY_SET) {
        err(c, at, NULL, "a set cannot be compared; test an element with "
            "'in', as in \"vip\" in tags");
        return NULL;
    }
    if (!unify(c, &a, &b)) {
        if (a && b)
            cmp_mismatch(c, at, a, b, la, lb);
        return NULL;
    }
    type_kind k = a->ty->kind;
    if ((k == TY_BOOL || k == TY_STRING) && op != CMP_EQ && op != CMP_NE) {
        tname t = tyname(a->ty);
        err(c, at, NULL, "%s values can only be compared with = and !=",
            t.s);
        return NULL;
    }
    return ir_cmp(c->p, op, at, a, b);
}

static ir_node *check_cmp(checker *c, const ast_node *e)
{
    if (e->chained) {
        /* "orders > 1 orders < 5" chains through the amount "1 orders": the
         * missing operator is the error to report */
        for (const ast_node *k = e; k->kind == AST_CMP; k = k->kids) {
            const ast_node *r = k->kids->next;
            if (r->kind == AST_MONEY && cur_find(r->text, r->len) < 0) {
                check_money_literal(c, r);
                return NULL;
            }
            if (!k->chained)
                break;
        }
        err(c, e->at, NULL, "comparisons cannot be chained; write "
            "'a < b and b < c', or 'x between a and b'");
        return NULL;
    }
    const ast_node *la = e->kids, *lb = la->next;
    ir_node *a, *b;
    if (!check_pair(c, la, lb, &a, &b))
        return NULL;
    return compare(c, (cmp_op)e->op, a, b, e->at, la, lb);
}

static ir_node *check_between(checker *c, const ast_node *e)
{
    const ast_node *lx = e->kids, *llo = lx->next, *lhi = llo->next;
    ir_node *x = check_expr(c, lx);
    ir_node *lo = check_against(c, llo, x ? x->ty : NULL);
    ir_node *hi = check_against(c, lhi, x ? x->ty : NULL);
    if (!x || !lo || !hi)
        return NULL;
    /* x between lo and hi = x >= lo and x <= hi (for ages: older than lo
     * and no older than hi); both comparisons share x */
    ir_node *kids[2] = {compare(c, CMP_GE, x, lo, e->at, lx, llo),
                        compare(c, CMP_LE, x, hi, e->at, lx, lhi)};
    if (!kids[0] || !kids[1])
        return NULL;
    ir_node *n = ir_nary(c->p, IR_AND, e->at, kids, 2);
    return e->negated && n ? ir_unary(c->p, IR_NOT, &ty_bool, e->at, n) : n;
}

static int cmp_i64(const void *pa, const void *pb)
{
    const ir_value *a = pa, *b = pb;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_f64(const void *pa, const void *pb)
{
    const ir_value *a = pa, *b = pb;
    return a->f < b->f ? -1 : a->f > b->f;
}

static ir_node *check_in_list(checker *c, const ast_node *e)
{
    const ast_node *lx = e->kids, *list = lx->next;
    ir_node *x = check_expr(c, lx);
    if (!x)
        return NULL;
    if (is_duration(x) || x->ty->kind == TY_SET) {
        tname t = describe(c, x);
        err(c, lx->at, NULL, "%s cannot be looked up in a list", t.s);
        return NULL;
    }
    /* a date or timestamp in a list of durations: the age equals one of
     * them, an 'or' of age equalities (a null element makes it unknown) */
    if (type_is_temporal(x->ty) && list->kids && list->kids->kind == AST_DURATION) {
        uint32_t n = (uint32_t)list->nkids;
        ir_node **eq = mem_array(c->m, n + 1, sizeof *eq);
        if (!eq)
            return NULL;
        bool ok = true;
        uint32_t k = 0;
        for (const ast_node *le = list->kids; le; le = le->next) {
            ir_node *v = check_expr(c, le);
            if (v && is_null_const(v)) {
                eq[k++] = null_of(c, &ty_bool, le->at);
            } else if (v && is_duration(v)) {
                eq[k++] = age_cmp(c, CMP_EQ, x, v, le->at);
            } else if (v) {
                tname te = tyname(v->ty);
                err(c, le->at, NULL, "list element is %s, but the list holds "
                    "durations (ages)", te.s);
                ok = false;
            } else {
                ok = false;
            }
            ok &= !k || eq[k - 1] != NULL;
        }
        ir_node *r = ok ? ir_nary(c->p, IR_OR, e->at, eq, k) : NULL;
        mem_free(c->m, eq, (n + 1) * sizeof *eq);
        if (r && e->negated)
            r = ir_unary(c->p, IR_NOT, &ty_bool, e->at, r);
        return r;
    }
    /* check every element against x, then bring all to one type */
    uint32_t n = (uint32_t)list->nkids;
    ir_node **el = mem_array(c->m, n + 1, sizeof *el);
    if (!el)
        return NULL;
    bool ok = true;
    uint32_t k = 0;
    for (const ast_node *le = list->kids; le; le = le->next) {
        ir_node *v = check_against(c, le, x->ty);
        if (!v) {
            ok = false;
            continue;
        }
        if (!is_const(v) || is_duration(v)) {
            err(c, le->at, NULL, is_duration(v)
                                     ? "a list of durations (ages) needs a "
                                       "date or timestamp to look up, and "
                                       "durations only"
                                     : "list elements must be literals");
            ok = false;
            continue;
        }
        el[k++] = v;
    }
    ir_node *result = NULL;
    if (!ok)
        goto done;
    /* the list's common type, starting from x's */
    if (is_null_const(x))
        for (uint32_t i = 0; i < k; i++)
            if (!is_null_const(el[i])) {
                x = null_of(c, el[i]->ty, x->at);
                break;
            }
    for (uint32_t i = 0; i < k && x; i++) {
        ir_node *xi = x;
        if (!unify(c, &xi, &el[i])) {
            if (xi && el[i]) {
                tname te = tyname(el[i]->ty), tx = describe(c, x);
                err(c, el[i]->at, NULL, "list element is %s, but %s is "
                    "looked up", te.s, tx.s);
            }
            goto done;
        }
        x = xi; /* x may have been widened (int -> float, scale up) */
    }
    /* widening x may leave earlier elements narrower: one more pass */
    for (uint32_t i = 0; i < k && x; i++) {
        ir_node *xi = x;
        if (!unify(c, &xi, &el[i]))
            goto done;
    }
    if (!x)
        goto done;
    result = ir_unary(c->p, IR_IN, &ty_bool, e->at, x);
    if (!result)
        goto done;
    result->list = arena_alloc(&c->p->a, (k + 1) * sizeof *result->list);
    if (!result->list) {
        result = NULL;
        goto done;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (el[i]->is_null)
            result->list_has_null = true;
        else
            result->list[result->nlist++] = el[i]->v;
    }
    /* numbers, dates and enum indices are sorted for binary search */
    if (x->ty->kind != TY_STRING)
        qsort(result->list, result->nlist, sizeof *result->list,
              x->ty->kind == TY_FLOAT ? cmp_f64 : cmp_i64);
    /* x in [] is false even for a null x (an empty disjunction) */
    result->nullable = (x->nullable && result->nlist > 0) ||
                       result->list_has_null;
    if (e->negated)
        result = ir_unary(c->p, IR_NOT, &ty_bool, e->at, result);
done:
    mem_free(c->m, el, (n + 1) * sizeof *el);
    return result;
}

static ir_node *check_in(checker *c, const ast_node *e)
{
    const ast_node *lx = e->kids, *rhs = lx->next;
    if (rhs->kind == AST_LIST)
        return check_in_list(c, e);
    ir_node *set = check_expr(c, rhs);
    if (!set)
        return NULL;
    if (set->ty->kind != TY_SET) {
        err(c, rhs->at, NULL, "'in' needs a list, as in country in [\"DE\", "
            "\"AT\"], or a set<string> field, as in \"vip\" in tags");
        return NULL;
    }
    if (lx->kind != AST_STRING) {
        err(c, lx->at, NULL, "the element looked up in a set must be a "
            "string literal, as in \"vip\" in tags");
        return NULL;
    }
    ir_node *n = ir_unary(c->p, IR_CONTAINS, &ty_bool, e->at, set);
    if (!n)
        return NULL;
    n->v.str.s = arena_strndup(&c->p->a, lx->text, lx->len);
    n->v.str.len = (uint32_t)lx->len;
    if (e->negated)
        n = ir_unary(c->p, IR_NOT, &ty_bool, e->at, n);
    return n;
}

/* An operand of and/or/not, or a segment's condition: must be bool. */
static ir_node *check_cond(checker *c, const ast_node *e, const char *what)
{
    ir_node *n = check_expr(c, e);
    if (!n)
        return NULL;
    if (is_null_const(n))
        return null_of(c, &ty_bool, n->at);
    if (n->ty->kind != TY_BOOL) {
        tname t = describe(c, n);
        err(c, e->at, NULL, "%s needs a condition (true or false), but this "
            "is %s; compare it, as in 'orders > 0'", what, t.s);
        return NULL;
    }
    return n;
}

static ir_node *check_logic(checker *c, const ast_node *e)
{
    ir_node **kids = mem_array(c->m, e->nkids, sizeof *kids);
    if (!kids)
        return NULL;
    bool ok = true;
    uint32_t k = 0;
    const char *what = e->kind == AST_AND ? "'and'" : "'or'";
    for (const ast_node *x = e->kids; x; x = x->next) {
        ir_node *n = check_cond(c, x, what);
        ok &= n != NULL;
        kids[k++] = n;
    }
    ir_node *n = ok ? ir_nary(c->p, e->kind == AST_AND ? IR_AND : IR_OR,
                              e->at, kids, k)
                    : NULL;
    mem_free(c->m, kids, e->nkids * sizeof *kids);
    return n;
}

static ir_node *check_name(checker *c, const ast_node *e)
{
    int f;
    switch (lookup(c, e->text, e->len, &f)) {
    case NAME_FIELD: {
        const schema_field *sf = &c->sch->fields[f];
        ir_node *n = ir_new(c->p, IR_FIELD, sf->ty, e->at);
        if (n) {
            n->field = (uint32_t)f;
            n->nullable = sf->nullable;
        }
        return n;
    }
    case NAME_TODAY:
        return ir_new(c->p, IR_ASOF, &ty_date, e->at);
    case NAME_NOW:
        return ir_new(c->p, IR_ASOF, &ty_timestamp, e->at);
    case NAME_NONE:
        break;
    }
    unknown_name(c, e);
    return NULL;
}

static ir_node *check_expr(checker *c, const ast_node *e)
{
    if (!e)
        return NULL;
    if (c->depth >= CHECK_MAX_DEPTH) {
        err(c, e->at, NULL, "expression nested too deeply (more than %d "
            "levels)", CHECK_MAX_DEPTH);
        return NULL;
    }
    c->depth++;
    ir_node *n = NULL;
    switch (e->kind) {
    case AST_INT:
        if ((n = mk_const(c, &ty_int, e->at)))
            n->v.i = e->i;
        break;
    case AST_DECIMAL:
    case AST_PERCENT:
        if ((n = mk_const(c, &ty_float, e->at)))
            n->v.f = e->f;
        break;
    case AST_MONEY:
        n = check_money_literal(c, e);
        break;
    case AST_DURATION:
        /* a literal the lexer rejected is already reported: stay quiet */
        n = e->bad ? NULL : dur_const(c, e->dur.months, e->dur.secs, e->at);
        break;
    case AST_DATE:
        if ((n = mk_const(c, &ty_date, e->at)))
            n->v.i = e->i;
        break;
    case AST_TIMESTAMP:
        if ((n = mk_const(c, &ty_timestamp, e->at)))
            n->v.i = e->i;
        break;
    case AST_STRING:
        if ((n = mk_const(c, &ty_string, e->at))) {
            n->v.str.s = arena_strndup(&c->p->a, e->text, e->len);
            n->v.str.len = (uint32_t)e->len;
        }
        break;
    case AST_BOOL:
        if ((n = mk_const(c, &ty_bool, e->at)))
            n->v.i = e->i;
        break;
    case AST_NULL:
        n = null_of(c, &ty_null, e->at);
        break;
    case AST_LIST:
        err(c, e->at, NULL, "a list can only follow 'in', as in country in "
            "[\"DE\", \"AT\"]");
        break;
    case AST_NAME:
        n = check_name(c, e);
        break;
    case AST_NEG:
        n = check_neg(c, e);
        break;
    case AST_ARITH:
        n = check_arith(c, e);
        break;
    case AST_CMP:
        n = check_cmp(c, e);
        break;
    case AST_IN:
        n = check_in(c, e);
        break;
    case AST_BETWEEN:
        n = check_between(c, e);
        break;
    case AST_ISNULL: {
        ir_node *x = check_expr(c, e->kids);
        if (x && (is_duration(x))) {
            err(c, e->at, NULL, "a duration is never null");
            x = NULL;
        }
        if (x && (n = ir_unary(c->p, IR_ISNULL, &ty_bool, e->at, x))) {
            n->nullable = false;
            if (e->negated)
                n = ir_unary(c->p, IR_NOT, &ty_bool, e->at, n);
        }
        break;
    }
    case AST_AND:
    case AST_OR:
        n = check_logic(c, e);
        break;
    case AST_NOT: {
        ir_node *x = check_cond(c, e->kids, "'not'");
        if (x)
            n = ir_unary(c->p, IR_NOT, &ty_bool, e->at, x);
        break;
    }
    }
    c->depth--;
    return n;
}

/* ---- the program ------------------------------------------------------------------- */

ir_program *check_program(mem *m, const ast_file *f, const schema *sch,
                          diag_list *d)
{
    checker c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.src = f->src;
    c.sch = sch;
    c.d = d;
    c.p = ir_program_new(m, sch, f->src->name);
    if (!c.p)
        return NULL;
    size_t nsegs = 0;
    for (const ast_item *it = f->items; it; it = it->next)
        nsegs += it->kind == ITEM_SEGMENT;
    c.p->segs = arena_alloc(&c.p->a, nsegs * sizeof *c.p->segs + 1);
    if (!c.p->segs)
        goto oom;

    for (const ast_item *it = f->items; it; it = it->next) {
        if (it->kind != ITEM_SEGMENT)
            continue;
        const ast_segment *s = it->u.segment;
        bool dup = false;
        for (const ast_item *jt = f->items; jt != it; jt = jt->next)
            if (jt->kind == ITEM_SEGMENT &&
                strcmp(jt->u.segment->name, s->name) == 0) {
                err(&c, s->name_at, NULL, "segment '%s' is defined twice",
                    s->name);
                diag_at(d, SEGC_SEV_NOTE, c.src, jt->u.segment->name_at, NULL,
                        NULL, "first defined here");
                dup = true;
                break;
            }
        if (schema_find(sch, s->name, strlen(s->name)) >= 0) {
            err(&c, s->name_at, NULL,
                "segment '%s' has the name of a field of schema '%s'",
                s->name, sch->name);
            dup = true;
        }
        char what[128];
        snprintf(what, sizeof what, "segment '%s'", s->name);
        ir_node *root = check_cond(&c, s->where, what);
        if (!root || dup)
            continue;
        ir_segment *seg = &c.p->segs[c.p->nsegs++];
        seg->name = arena_strndup(&c.p->a, s->name, strlen(s->name));
        seg->description =
            s->description
                ? arena_strndup(&c.p->a, s->description, strlen(s->description))
                : NULL;
        seg->at = s->at;
        seg->root = root;
    }
    if (m->failed)
        goto oom;
    return c.p;
oom:
    ir_program_free(c.p);
    return NULL;
}
