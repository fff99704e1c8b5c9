/* check.c - segments -> typed IR: names, types and lowering (check_).
 *
 * The typing rules, in brief (docs/language.md has them in full):
 *   int op int -> int (+ - *), float (/); int meets float as float;
 *   money meets money of the same currency only; money * int and
 *   money * decimal literal stay exact; money / money -> float;
 *   money / int -> money with six more decimal places (half to even);
 *   date/timestamp +- duration -> date/timestamp; date meets timestamp as
 *   timestamp; date/timestamp OP duration compares the age (as_of - value);
 *   strings and bools compare with = and != only; enums compare in
 *   declaration order; a bare name next to an enum may be one of its values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <math.h>

#include "check.h"
#include "value.h"

void check_err(checker *c, loc at, const char *fix, const char *fmt, ...)
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

/* a bare name that means something on its own: a field, a declaration, a
 * built-in */
bool check_name_resolves(checker *c, const char *s, size_t len)
{
    return schema_find(c->sch, s, len) >= 0 || check_lookup(c, s, len) ||
           (len == 5 && memcmp(s, "today", 5) == 0) ||
           (len == 3 && memcmp(s, "now", 3) == 0) || check_period(s, len) >= 0;
}

static int enum_index(const type *t, const char *s, size_t len)
{
    for (uint32_t i = 0; i < t->enm->n; i++)
        if (strlen(t->enm->values[i]) == len &&
            memcmp(t->enm->values[i], s, len) == 0)
            return (int)i;
    return -1;
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
            check_err(c, n->at, NULL, "amount out of range where it meets an "
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
        if (check_name_resolves(c, e->text, e->len))
            return check_expr(c, e);
        const char *s = text_nearest(e->text, e->len,
                                     (const char *const *)ctx->enm->values,
                                     ctx->enm->n);
        tname t = tyname(ctx);
        if (s)
            check_err(c, e->at, s, "'%s' is not a value of %s; did you mean '%s'?",
                e->text, t.s, s);
        else
            check_err(c, e->at, NULL, "'%s' is not a value of %s", e->text, t.s);
        return NULL;
    }
    if (e->kind == AST_STRING) {
        int k = enum_index(ctx, e->text, e->len);
        if (k >= 0) {
            check_err(c, e->at, ctx->enm->values[k],
                "enum values are written without quotes: %s",
                ctx->enm->values[k]);
            ir_node *n = mk_const(c, ctx, e->at);
            if (n)
                n->v.i = k;
            return n;
        }
        tname t = tyname(ctx);
        check_err(c, e->at, NULL, "\"%.*s\" is not a value of %s", (int)e->len,
            e->text, t.s);
        return NULL;
    }
    return check_expr(c, e);
}

/* A bare name that resolves on its own (a field, today, now)? */
static bool resolves(checker *c, const ast_node *e)
{
    return e->kind != AST_NAME || check_name_resolves(c, e->text, e->len);
}

/* Checks two operands so that either may be a bare enum value of the other. */
/* The enum type of a bare name that is a field, or NULL. */
static const type *enum_field_type(checker *c, const ast_node *e)
{
    int f = e->kind == AST_NAME ? schema_find(c->sch, e->text, e->len) : -1;
    if (f < 0)
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
        if (s)
            check_err(c, e->text_at, s, "unknown currency '%s'; did you mean '%s'?",
                e->text, s);
        else
            check_err(c, e->text_at, NULL,
                "unknown currency '%s' (expected an ISO 4217 code such as "
                "EUR)", e->text);
        return NULL;
    }
    const currency *cu = cur_get(cur);
    if (e->dec.scale > cu->decimals) {
        check_err(c, e->at, NULL, "%s has %d decimal place%s; this amount has %d",
            cu->code, cu->decimals, cu->decimals == 1 ? "" : "s",
            e->dec.scale);
        return NULL;
    }
    int64_t v;
    if (mul_ovf(e->dec.mant, pow10_i64(cu->decimals - e->dec.scale), &v)) {
        check_err(c, e->at, NULL, "amount out of range");
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
        check_err(c, at, NULL, "a date moves in whole days; use d, w, mo or y");
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
        check_err(c, at, NULL, "duration too long (at most 10000 years)");
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
    check_err(c, e->at, NULL, "cannot use '%c' on %s and %s", e->op, ta.s, tb.s);
    return NULL;
}

/* sum/term: a + b, a - b, a * b, a / b */
static ir_node *check_arith_raw(checker *c, const ast_node *e)
{
    const ast_node *la = e->kids, *lb = la->next;
    ir_node *a = check_expr(c, la), *b = check_expr(c, lb);
    if (!a || !b)
        return NULL;
    int op = e->op;
    if (is_null_const(a) && is_null_const(b)) {
        check_err(c, e->at, NULL, "arithmetic on null alone has no type");
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
                check_err(c, k->at, NULL, "a duration can only be multiplied by "
                    "an integer written in the rule");
                return NULL;
            }
            if (k->v.i > 1000000 || k->v.i < -1000000) {
                check_err(c, e->at, NULL, "duration too long (at most 10000 years)");
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
            check_err(c, e->at, NULL, "dates cannot be subtracted; compare an age "
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
            check_err(c, e->at, NULL, "money cannot be multiplied by money");
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
                    check_err(c, lk->at, NULL, "too many decimal places for an "
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
            check_err(c, e->at, NULL, "money can be multiplied by an integer or "
                "by a decimal number written in the rule (0.8, 80%%), not "
                "by %s", tk.s);
            return NULL;
        }
        if (op == '/' && ka == TY_MONEY && kb == TY_INT) {
            /* an amount per unit (revenue / orders): an amount with six
             * more decimal places, rounded half to even; a zero divisor or
             * an overflow gives null */
            int scale = SEGC_MIN(a->ty->scale + 6, 18);
            ir_node *x = rescale(c, a, scale);
            ir_node *n = x ? ir_binary(c->p, IR_DIV, x->ty, e->at, x, b) : NULL;
            if (n)
                n->nullable = true;
            return n;
        }
        if (op == '/' && ka == TY_MONEY && type_is_numeric(b->ty)) {
            tname tb = describe(c, b);
            check_err(c, e->at, NULL, "money can be divided by an integer, as "
                      "in revenue / orders, not by %s", tb.s);
            return NULL;
        }
        if ((op == '+' || op == '-') && type_is_numeric(k->ty) &&
            is_const(k)) {
            size_t len;
            const char *t = src_text(c, lk->at, &len);
            char fix[64];
            snprintf(fix, sizeof fix, "%.*s %s", (int)SEGC_MIN(len, 40), t,
                     cur_get(mo->ty->currency)->code);
            check_err(c, lk->at, fix, "a bare number cannot be added to money: "
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

/* a conversion of a constant, as a constant */
static ir_node *fold_conv(checker *c, ir_node *n)
{
    if (!n || n->nkids != 1 || n->kids[0]->op != IR_CONST)
        return n;
    ir_node *k = n->kids[0];
    if (n->op == IR_UNITS) {
        ir_node *r = mk_const(c, &ty_int, n->at);
        if (r) {
            r->is_null = k->is_null;
            r->nullable = k->nullable;
            r->v.i = k->v.i;
        }
        return r;
    }
    if (n->op == IR_TO_FLOAT)
        return to_float(c, k);
    return n;
}

/* Arithmetic on constants is a constant (const limit = 2 * 3 + 1), with
 * the engines' rules: an overflow or a division by zero is null. */
static ir_node *fold_arith(checker *c, ir_node *n, loc at)
{
    if (!n || (n->op != IR_ADD && n->op != IR_SUB && n->op != IR_MUL &&
               n->op != IR_DIV))
        return n;
    ir_node *a = fold_conv(c, n->kids[0]), *b = fold_conv(c, n->kids[1]);
    if (!a || !b || a->op != IR_CONST || b->op != IR_CONST)
        return n;
    ir_node *r = mk_const(c, n->ty, at);
    if (!r)
        return NULL;
    if (a->is_null || b->is_null) {
        r->is_null = r->nullable = true;
        return r;
    }
    bool bad = false;
    if (n->ty->kind == TY_FLOAT) {
        double x = a->v.f, y = b->v.f;
        if (n->op == IR_DIV && y == 0) {
            bad = true;
        } else {
            r->v.f = n->op == IR_ADD   ? x + y
                     : n->op == IR_SUB ? x - y
                     : n->op == IR_MUL ? x * y
                                       : x / y;
            bad = !isfinite(r->v.f);
        }
    } else {
        int64_t x = a->v.i, y = b->v.i;
        switch (n->op) {
        case IR_ADD:
            bad = __builtin_add_overflow(x, y, &r->v.i);
            break;
        case IR_SUB:
            bad = __builtin_sub_overflow(x, y, &r->v.i);
            break;
        case IR_MUL:
            bad = __builtin_mul_overflow(x, y, &r->v.i);
            break;
        default: /* money / int */
            if (y == 0) {
                bad = true;
            } else if (x == INT64_MIN && y == -1) {
                bad = true;
            } else {
                r->v.i = div_half_even_i64(x, y);
            }
            break;
        }
    }
    if (bad) /* null, as at run time */
        r->is_null = r->nullable = true;
    return r;
}

static ir_node *check_arith(checker *c, const ast_node *e)
{
    return fold_arith(c, check_arith_raw(c, e), e->at);
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
        check_err(c, e->at, NULL, "cannot negate %s", t.s);
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
            n->is_null = n->nullable = true; /* as at run time */
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
        check_err(c, d->at, NULL, "the age of a date is counted in whole days; "
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
            check_err(c, lk->at, fix, "cannot compare %s with a bare number; "
                "write %s", tm.s, fix);
            return;
        }
        if (type_is_temporal(mo->ty) && type_is_numeric(k->ty)) {
            tname tm = describe(c, mo);
            check_err(c, at, NULL, "cannot compare %s with %s; for an age write a "
                "duration such as 90d, for a date write 2024-01-31", tm.s,
                side ? ta.s : tb.s);
            return;
        }
    }
    if (a->ty->kind == TY_MONEY && b->ty->kind == TY_MONEY)
        check_err(c, at, NULL, "cannot compare %s with %s: the currencies differ",
            ta.s, tb.s);
    else
        check_err(c, at, NULL, "cannot compare %s with %s", ta.s, tb.s);
}

/* a OP b, both checked */
static ir_node *compare(checker *c, cmp_op op, ir_node *a, ir_node *b, loc at,
                        const ast_node *la, const ast_node *lb)
{
    if (is_duration(a) || is_duration(b)) {
        if (is_duration(a) && is_duration(b)) {
            check_err(c, at, NULL, "cannot compare two durations");
            return NULL;
        }
        ir_node *t = is_duration(a) ? b : a, *d = is_duration(a) ? a : b;
        if (is_null_const(t))
            return null_of(c, &ty_bool, at);
        if (!type_is_temporal(t->ty)) {
            tname tt = describe(c, t);
            check_err(c, at, NULL, "cannot compare %s with a duration; a duration "
                "is compared with a date or timestamp, meaning its age",
                tt.s);
            return NULL;
        }
        return age_cmp(c, is_duration(a) ? mirror(op) : op, t, d, at);
    }
    if (is_null_const(a) && is_null_const(b))
        return null_of(c, &ty_bool, at);
    if (a->ty->kind == TY_SET || b->ty->kind == TY_SET) {
        check_err(c, at, NULL, "a set cannot be compared; test an element with "
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
        check_err(c, at, NULL, "%s values can only be compared with = and !=",
            t.s);
        return NULL;
    }
    if (check_is_strexpr(a) || check_is_strexpr(b)) {
        /* lower(city) = "berlin": decided once per dictionary entry */
        if (!is_const(check_is_strexpr(a) ? b : a)) {
            check_err(c, at, NULL, "the result of lower() or upper() can be "
                      "compared with a string written in the rule only, as "
                      "in lower(city) = \"berlin\"");
            return NULL;
        }
        return check_dictfn(c, ir_cmp(c->p, op, at, a, b), at);
    }
    return ir_cmp(c->p, op, at, a, b);
}

/* a / b of two counts (ints): a share of a whole, at most 1 */
static bool is_share(const ir_node *n)
{
    if (n->op != IR_DIV || n->ty->kind != TY_FLOAT)
        return false;
    for (int i = 0; i < 2; i++) {
        const ir_node *k = n->kids[i];
        if (k->op != IR_TO_FLOAT || k->kids[0]->ty->kind != TY_INT ||
            k->kids[0]->op == IR_CONST || k->kids[0]->op == IR_UNITS)
            return false;
    }
    return true;
}

/* SEG302: coupon_orders / orders > 80 (meant: 80%) */
static void warn_share(checker *c, const ir_node *a, const ir_node *b, loc at)
{
    const ir_node *sh = is_share(a) ? a : is_share(b) ? b : NULL;
    const ir_node *k = sh == a ? b : a;
    if (!sh || k->op != IR_CONST || k->is_null)
        return;
    double v = k->ty->kind == TY_FLOAT ? k->v.f
               : k->ty->kind == TY_INT ? (double)k->v.i
                                       : 0;
    if (v <= 1 || v > 100)
        return;
    size_t len;
    const char *t = src_text(c, k->at, &len);
    char fix[64];
    snprintf(fix, sizeof fix, "%.*s%%", (int)SEGC_MIN(len, 40), t);
    diag_at(c->d, SEGC_SEV_WARNING, c->src, at, "SEG302", NULL,
            "a share of two counts (at most 1 when the part is in the whole) "
            "is compared with %.*s; did you mean %s?", (int)SEGC_MIN(len, 40),
            t, fix);
}

static ir_node *check_cmp(checker *c, const ast_node *e)
{
    if (e->chained) {
        check_err(c, e->at, NULL, "comparisons cannot be chained; write "
            "'a < b and b < c', or 'x between a and b'");
        return NULL;
    }
    const ast_node *la = e->kids, *lb = la->next;
    ir_node *a, *b;
    if (!check_pair(c, la, lb, &a, &b))
        return NULL;
    if (c->warn && (la->kind == AST_NULL) != (lb->kind == AST_NULL) &&
        (e->op == CMP_EQ || e->op == CMP_NE)) {
        /* x = null is unknown for every record: never true */
        const ast_node *x = la->kind == AST_NULL ? lb : la;
        size_t len;
        const char *t = src_text(c, x->at, &len);
        char fix[128];
        snprintf(fix, sizeof fix, "%.*s is %snull", (int)SEGC_MIN(len, 80), t,
                 e->op == CMP_NE ? "not " : "");
        diag_at(c->d, SEGC_SEV_WARNING, c->src, e->at, "SEG301", fix,
                "a comparison with null is never true (it is unknown for "
                "every customer); write %s", fix);
    }
    if (c->warn)
        warn_share(c, a, b, e->at);
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

/* x in [list]: the list's elements are checked against x (bare enum values)
 * in the file they are written in (a constant's may be in another) */
static ir_node *in_elems(checker *c, ir_node *x, const ast_node *list,
                         bool negated, loc at)
{
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
                check_err(c, le->at, NULL, "list element is %s, but the list holds "
                    "durations (ages)", te.s);
                ok = false;
            } else {
                ok = false;
            }
            ok &= !k || eq[k - 1] != NULL;
        }
        ir_node *r = ok ? ir_nary(c->p, IR_OR, at, eq, k) : NULL;
        mem_free(c->m, eq, (n + 1) * sizeof *eq);
        if (r && negated)
            r = ir_unary(c->p, IR_NOT, &ty_bool, at, r);
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
            check_err(c, le->at, NULL, is_duration(v)
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
                check_err(c, el[i]->at, NULL, "list element is %s, but %s is "
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
    result = ir_unary(c->p, IR_IN, &ty_bool, at, x);
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
    if (negated)
        result = ir_unary(c->p, IR_NOT, &ty_bool, at, result);
done:
    mem_free(c->m, el, (n + 1) * sizeof *el);
    return result;
}

static ir_node *in_list(checker *c, ir_node *x, loc x_at,
                        const ast_node *list, const source *lsrc,
                        bool negated, loc at)
{
    if (is_duration(x) || x->ty->kind == TY_SET) {
        tname t = describe(c, x);
        check_err(c, x_at, NULL, "%s cannot be looked up in a list", t.s);
        return NULL;
    }
    const source *keep = c->src;
    check_use_src(c, lsrc);
    ir_node *r = in_elems(c, x, list, negated, at);
    check_use_src(c, keep);
    /* the lookup itself (and its 'not') is written here, whatever file
     * the list is in */
    for (ir_node *n = r; n && n->at.start == at.start && n->at.end == at.end;
         n = n->op == IR_NOT ? n->kids[0] : NULL)
        n->file = c->p->cur_file;
    return r;
}

/* a string function's result in a list: decided per dictionary entry */
static ir_node *wrap_strfn(checker *c, ir_node *n, loc at)
{
    return n && check_is_strexpr(n->kids[0]) ? check_dictfn(c, n, at) : n;
}

static ir_node *check_in(checker *c, const ast_node *e)
{
    const ast_node *lx = e->kids, *rhs = lx->next;
    if (rhs->kind == AST_NAME) {
        int period = check_period(rhs->text, rhs->len);
        const ast_node *list;
        const source *lsrc;
        if (period >= 0) {
            ir_node *x = check_expr(c, lx);
            ir_node *n = x ? check_in_period(c, x, period, e->at) : NULL;
            return n && e->negated ? ir_unary(c->p, IR_NOT, &ty_bool, e->at, n)
                                   : n;
        }
        if (check_const_list(c, rhs, &list, &lsrc)) {
            ir_node *x = check_expr(c, lx);
            if (!x)
                return NULL;
            ir_node *n = in_list(c, x, lx->at, list, lsrc, false, e->at);
            n = wrap_strfn(c, n, e->at);
            return n && e->negated ? ir_unary(c->p, IR_NOT, &ty_bool, e->at, n)
                                   : n;
        }
    }
    if (rhs->kind == AST_LIST) {
        ir_node *x = check_expr(c, lx);
        if (!x)
            return NULL;
        ir_node *n = in_list(c, x, lx->at, rhs, c->src, false, e->at);
        n = wrap_strfn(c, n, e->at);
        return n && e->negated ? ir_unary(c->p, IR_NOT, &ty_bool, e->at, n) : n;
    }
    ir_node *set = check_expr(c, rhs);
    if (!set)
        return NULL;
    if (set->ty->kind != TY_SET) {
        check_err(c, rhs->at, NULL, "'in' needs a list, as in country in "
                  "[\"DE\", \"AT\"], a constant list, a period such as "
                  "this_year, or a set<string> field, as in \"vip\" in tags");
        return NULL;
    }
    if (lx->kind != AST_STRING) {
        check_err(c, lx->at, NULL, "the element looked up in a set must be a "
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
ir_node *check_cond(checker *c, const ast_node *e, const char *what)
{
    ir_node *n = check_expr(c, e);
    if (!n)
        return NULL;
    if (is_null_const(n))
        return null_of(c, &ty_bool, n->at);
    if (n->ty->kind != TY_BOOL) {
        tname t = describe(c, n);
        check_err(c, e->at, NULL, "%s needs a condition (true or false), but this "
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


/* ---- constants of a declared type --------------------------------------------- */

ir_node *check_const_null(checker *c, const type *ty, loc at)
{
    return null_of(c, ty, at);
}

bool check_fits(checker *c, ir_node **v, const type *want)
{
    ir_node *x = *v;
    if (x->op == IR_CONST && x->is_null) {
        *v = null_of(c, want, x->at);
        return *v != NULL;
    }
    if (type_equal(x->ty, want))
        return true;
    type_kind k = x->ty->kind;
    switch (want->kind) {
    case TY_FLOAT:
        if (k != TY_INT)
            return false;
        *v = to_float(c, x);
        return *v != NULL;
    case TY_TIMESTAMP:
        if (k != TY_DATE)
            return false;
        *v = to_ts(c, x);
        return *v != NULL;
    case TY_MONEY:
        if (k != TY_MONEY || x->ty->currency != want->currency ||
            x->ty->scale > want->scale)
            return false;
        *v = rescale(c, x, want->scale);
        return *v != NULL;
    default:
        return false;
    }
}

const type *check_type(checker *c, const ast_type *t)
{
    if (strcmp(t->name, "duration") == 0 && !t->has_args && !t->elem)
        return &ty_duration;
    if (strcmp(t->name, "enum") == 0 || strcmp(t->name, "set") == 0) {
        check_err(c, t->at, NULL, "a parameter is a single value: int, "
                  "float, bool, string, money(CUR), date, timestamp or "
                  "duration (for a list, give a list as the default)");
        return NULL;
    }
    return check_resolve_type(&c->p->a, t, c->src, c->d, &c->errors);
}

ir_node *check_expr(checker *c, const ast_node *e)
{
    if (!e)
        return NULL;
    if (c->depth >= CHECK_MAX_DEPTH) {
        check_err(c, e->at, NULL, "expression nested too deeply (more than %d "
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
        check_err(c, e->at, NULL, "a list can only follow 'in', as in country in "
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
            check_err(c, e->at, NULL, "a duration is never null");
            x = NULL;
        }
        if (x && (n = ir_unary(c->p, IR_ISNULL, &ty_bool, e->at, x))) {
            n->nullable = false;
            if (check_is_strexpr(x))
                n = check_dictfn(c, n, e->at);
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
    case AST_CALL:
        n = check_call(c, e);
        break;
    case AST_HAS:
        n = check_has(c, e);
        break;
    }
    c->depth--;
    return n;
}

