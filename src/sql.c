/* sql.c - the SQL backend (sql_): the typed IR as one SQL query.
 *
 * Each IR node becomes an SQL expression in the dialect's *computation
 * representation* of its type (docs/sql.md has the table):
 *
 *   int, money   an exact 64-bit integer (money: its count of 10^-scale
 *                units), computed in a wider exact type where the dialect
 *                has no overflow-to-NULL operator
 *   float        a double; non-finite results and x/0 become NULL
 *   date         a DATE (SQLite: a day number)
 *   timestamp    seconds since 1970-01-01T00:00:00Z (an integer)
 *   bool         a boolean (SQLite: 0/1), NULL for unknown: SQL's AND, OR
 *                and NOT are Kleene's, as the language's are
 *   enum         the value's name (its index only where order matters)
 *   string, set  as stored
 *
 * A comparison of a column with a constant is written in the column's own
 * type (revenue > 5000.00, last_login < TIMESTAMPTZ '...'), so that common
 * rules read naturally and can use indexes.
 *
 * Every subtree without fields is folded here with the interpreter's rules
 * (so as_of-relative instants are computed by src/cal.c, and no engine ever
 * sees an overflowing constant). Where a template needs an operand twice
 * (an overflow check), the operand becomes a column of a derived table
 * ("materialized"): the query nests one derived table per level of such
 * columns, so no expression is ever duplicated and the text stays linear in
 * the size of the IR. A value that several parents read (the IR is a DAG:
 * a segment used in other segments) is such a column too.
 *
 * Population statistics are scalar subqueries over the layer that holds
 * their argument and filter, with stat.c's arithmetic written out step by
 * step (exact sums in a wide type, or in 32-bit halves in SQLite; money
 * averages and percentiles in 64-bit steps that overflow only where the
 * result does); scores are window sums over the whole table; functions of
 * string and set fields are written per record, lower() and upper() with
 * segc's own case mapping. What no engine can compute exactly (stddev, sums
 * and averages of floats, whose last bits depend on the order of addition)
 * is refused with a diagnostic.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval.h"
#include "sql.h"
#include "value.h"

/* ---- dialects ----------------------------------------------------------------- */

static const char *const dialect_names[] = {
    [SQL_POSTGRES] = "postgres", [SQL_DUCKDB] = "duckdb",
    [SQL_SQLITE] = "sqlite",     [SQL_BIGQUERY] = "bigquery",
    [SQL_SPARK] = "spark",       [SQL_TRINO] = "trino"};

const char *sql_dialect_name(sql_dialect d)
{
    return (size_t)d < SEGC_ARRAY_LEN(dialect_names) ? dialect_names[d] : "?";
}

bool sql_dialect_find(const char *name, sql_dialect *out)
{
    for (size_t i = 0; i < SEGC_ARRAY_LEN(dialect_names); i++)
        if (strcmp(name, dialect_names[i]) == 0) {
            *out = (sql_dialect)i;
            return true;
        }
    if (strcmp(name, "postgresql") == 0) {
        *out = SQL_POSTGRES;
        return true;
    }
    return false;
}

/* type names of the computation representation, per dialect */
static const char *const T_INT[] = {"BIGINT", "BIGINT", "INTEGER",
                                    "INT64",  "BIGINT", "BIGINT"};
static const char *const T_FLOAT[] = {"DOUBLE PRECISION", "DOUBLE", "REAL",
                                      "FLOAT64", "DOUBLE", "DOUBLE"};
static const char *const T_TEXT[] = {"TEXT",   "VARCHAR", "TEXT",
                                     "STRING", "STRING",  "VARCHAR"};
static const char *const T_DATE[] = {"DATE", "DATE", "INTEGER",
                                     "DATE", "DATE", "DATE"};

/* ---- state -------------------------------------------------------------------- */

enum { CV_NO, CV_VAL, CV_NULL };

/* a folded constant: CV_NO (depends on a record), a value, or null */
typedef struct cval {
    int state;
    int64_t i;
    double f;
} cval;

/* an SQL expression and the derived-table level of the columns it reads
 * (0: only the table's own columns) */
typedef struct ex {
    const char *s;
    int lvl;
} ex;

typedef struct col {
    const char *name; /* quoted */
    const char *def;
    int lvl;
} col;

typedef struct sq {
    mem *m;
    arena a;
    const ir_program *p;
    const schema *sch;
    sql_dialect d;
    eval_time t;
    diag_list *diags;
    const char *seg; /* the segment being written, for diagnostics */
    bool bad;        /* something could not be expressed */
    cval *cv;        /* per node id */
    uint8_t *cv_done;
    ex *memo;        /* per node id: the expression (s NULL: not yet) */
    ex *refs;        /* per node id: the expression as a plain column */
    uint32_t *uses;  /* per node id: the parents that read it (the IR is a
                      * DAG: a segment used in another, between) */
    uint16_t *depth; /* per node id: how deeply its expression nests */
    buf main;        /* col[]: the columns of the query's layers */
    buf *cols;       /* where mat() puts a column: main, or the columns of
                      * the computation after a statistic's aggregate */
    size_t ncols;    /* columns made, for unique names */
    int nsubs;       /* statistics written, for unique names */
    const char *tab; /* the table, quoted */
    uint8_t read_twice[4096]; /* per layer: a statistic reads it */
    char prefix[40]; /* of the names of materialized columns and layers */
} sq;

static void unsupported(sq *q, const char *fmt, ...) SEGC_PRINTF(2, 3);
static void unsupported(sq *q, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (q->diags)
        diag_place(q->diags, SEGC_SEV_ERROR, q->p->source_name, 0, 0, 0,
                   NULL, 0, "segment '%s': %s cannot be written in %s SQL",
                   q->seg ? q->seg : "?", msg, sql_dialect_name(q->d));
    q->bad = true;
}

static const char *S(sq *q, const char *fmt, ...) SEGC_PRINTF(2, 3);
static const char *S(sq *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? arena_alloc(&q->a, (size_t)n + 1) : NULL;
    if (!p)
        return "";
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static ex E(const char *s, int lvl)
{
    ex e = {s, lvl};
    return e;
}

static int maxl(ex a, ex b)
{
    return a.lvl > b.lvl ? a.lvl : b.lvl;
}

/* ---- quoting -------------------------------------------------------------------- */

static bool backticks(sql_dialect d)
{
    return d == SQL_BIGQUERY || d == SQL_SPARK;
}

static void quote_id_buf(buf *b, sql_dialect d, const char *s, size_t n)
{
    char q = backticks(d) ? '`' : '"';
    buf_putc(b, q);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == q)
            buf_puts(b, d == SQL_BIGQUERY ? "\\`" : d == SQL_SPARK ? "``"
                                                                    : "\"\"");
        else if (d == SQL_BIGQUERY && s[i] == '\\')
            buf_puts(b, "\\\\");
        else
            buf_putc(b, s[i]);
    }
    buf_putc(b, q);
}

static const char *qid(sq *q, const char *s)
{
    buf b;
    buf_init(&b, q->m);
    quote_id_buf(&b, q->d, s, strlen(s));
    const char *r = arena_strndup(&q->a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return r ? r : "";
}

/* A string literal that means exactly the bytes s[0..n) in the dialect,
 * whatever its settings (PostgreSQL's standard_conforming_strings). */
static void quote_str_buf(buf *b, sql_dialect d, const char *s, size_t n)
{
    bool esc = d == SQL_BIGQUERY || d == SQL_SPARK;
    if (d == SQL_POSTGRES && memchr(s, '\\', n)) {
        buf_puts(b, "E'");
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\\' || s[i] == '\'')
                buf_putc(b, '\\');
            buf_putc(b, s[i]);
        }
        buf_putc(b, '\'');
        return;
    }
    buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!esc) {
            if (c == '\'')
                buf_putc(b, '\'');
            buf_putc(b, (char)c);
        } else if (c == '\'' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\r') {
            buf_puts(b, "\\r");
        } else if (c == '\t') {
            buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, d == SQL_BIGQUERY ? "\\x%02x" : "\\u%04x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '\'');
}

static const char *qstr(sq *q, const char *s, size_t n)
{
    if (memchr(s, 0, n)) {
        unsupported(q, "a string with a NUL character");
        return "NULL";
    }
    buf b;
    buf_init(&b, q->m);
    quote_str_buf(&b, q->d, s, n);
    const char *r = arena_strndup(&q->a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return r ? r : "";
}

/* schema.table: each part quoted */
static bool quote_table(buf *b, sql_dialect d, const char *t)
{
    const char *p = t;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0)
            return false;
        quote_id_buf(b, d, p, n);
        if (!dot)
            return true;
        buf_putc(b, '.');
        p = dot + 1;
    }
}

/* ---- literals -------------------------------------------------------------------- */

static const char *int_lit(sq *q, int64_t v)
{
    if (v == INT64_MIN)
        return "(-9223372036854775807 - 1)";
    return S(q, v < 0 ? "(%" PRId64 ")" : "%" PRId64, v);
}

/* The shortest decimal text that reads back as exactly f. */
static void float_text(double f, char *b, size_t cap)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(b, cap, "%.*g", prec, f);
        if (strtod(b, NULL) == f)
            break;
    }
}

static const char *float_lit(sq *q, double f)
{
    char t[40];
    if (f == 0)
        f = 0; /* -0.0: equal to 0 in every comparison the language makes */
    float_text(f, t, sizeof t);
    bool has_point = strpbrk(t, ".e") != NULL;
    const char *neg = f < 0 ? "(" : "", *end = f < 0 ? ")" : "";
    switch (q->d) {
    case SQL_POSTGRES:
    case SQL_SQLITE:
    case SQL_BIGQUERY:
        /* a decimal literal: read with correct rounding */
        return S(q, "%s%s%s%s", neg, t, has_point ? "" : ".0", end);
    case SQL_DUCKDB:
        /* a literal with an exponent is a DOUBLE, parsed exactly */
        return S(q, "%s%s%s%s", neg, t, strchr(t, 'e') ? "" : "e0", end);
    case SQL_SPARK:
        return S(q, "%s%sD%s", neg, t, end);
    case SQL_TRINO:
        return S(q, "%s%s%s%s", neg, t, strchr(t, 'e') ? "" : "E0", end);
    }
    return "NULL";
}

/* an amount of `scale` decimals written as an exact decimal literal */
static const char *decimal_lit(sq *q, int64_t units, int scale)
{
    uint64_t a = units < 0 ? 0 - (uint64_t)units : (uint64_t)units;
    uint64_t p = (uint64_t)pow10_i64(scale);
    const char *num =
        scale ? S(q, "%s%" PRIu64 ".%0*" PRIu64, units < 0 ? "-" : "", a / p,
                  scale, a % p)
              : S(q, "%s%" PRIu64, units < 0 ? "-" : "", a);
    if (q->d == SQL_BIGQUERY)
        return S(q, "NUMERIC '%s'", num);
    return units < 0 ? S(q, "(%s)", num) : num;
}

static bool in_years(int64_t days)
{
    return days >= CAL_MIN_DAYS && days <= CAL_MAX_DAYS;
}

static const char *date_lit(sq *q, int64_t days)
{
    if (q->d == SQL_SQLITE)
        return int_lit(q, days);
    if (!in_years(days)) {
        unsupported(q, "a date outside the years 1 to 9999");
        return "NULL";
    }
    char b[40];
    cal_format_date(days, b, sizeof b);
    return S(q, "DATE '%s'", b);
}

/* a timestamp in the column's own type (not for SQLite) */
static const char *ts_native_lit(sq *q, int64_t ts)
{
    char b[40];
    cal_format_ts(ts, b, sizeof b); /* YYYY-MM-DDTHH:MM:SSZ */
    b[10] = ' ';
    b[19] = 0;
    switch (q->d) {
    case SQL_POSTGRES:
    case SQL_DUCKDB:
        return S(q, "TIMESTAMPTZ '%s+00'", b);
    case SQL_BIGQUERY:
        return S(q, "TIMESTAMP '%s+00'", b);
    case SQL_SPARK:
        return S(q, "TIMESTAMP '%s+00:00'", b);
    case SQL_TRINO:
        return S(q, "TIMESTAMP '%s UTC'", b);
    case SQL_SQLITE:
        break;
    }
    return S(q, "'%s'", b);
}

static const char *bool_lit(sq *q, bool v)
{
    if (q->d == SQL_SQLITE)
        return v ? "1" : "0";
    return v ? "TRUE" : "FALSE";
}

static const char *null_of(sq *q, const type *t)
{
    switch (t->kind) {
    case TY_INT:
    case TY_MONEY:
    case TY_TIMESTAMP:
        return S(q, "CAST(NULL AS %s)", T_INT[q->d]);
    case TY_FLOAT:
        return S(q, "CAST(NULL AS %s)", T_FLOAT[q->d]);
    case TY_STRING:
    case TY_ENUM:
        return S(q, "CAST(NULL AS %s)", T_TEXT[q->d]);
    case TY_DATE:
        return S(q, "CAST(NULL AS %s)", T_DATE[q->d]);
    default:
        return "NULL";
    }
}

/* a folded value of node n's type, in the computation representation */
static const char *lit(sq *q, const ir_node *n, cval c)
{
    if (c.state == CV_NULL)
        return null_of(q, n->ty);
    switch (n->ty->kind) {
    case TY_BOOL:
        return bool_lit(q, c.i != 0);
    case TY_INT:
    case TY_MONEY:
    case TY_TIMESTAMP:
        return int_lit(q, c.i);
    case TY_FLOAT:
        return float_lit(q, c.f);
    case TY_DATE:
        return date_lit(q, c.i);
    case TY_ENUM:
        if (c.i >= 0 && (uint64_t)c.i < n->ty->enm->n) {
            const char *v = n->ty->enm->values[c.i];
            return qstr(q, v, strlen(v));
        }
        break;
    case TY_STRING:
        if (n->op == IR_CONST)
            return qstr(q, n->v.str.s, n->v.str.len);
        break;
    default:
        break;
    }
    unsupported(q, "a constant of this type");
    return "NULL";
}

/* ---- folding: subtrees without fields, with the interpreter's rules ----------- */

static cval NO(void)
{
    cval c = {CV_NO, 0, 0};
    return c;
}
static cval NUL(void)
{
    cval c = {CV_NULL, 0, 0};
    return c;
}
static cval I(int64_t i)
{
    cval c = {CV_VAL, i, 0};
    return c;
}
static cval F(double f)
{
    cval c = {isfinite(f) ? CV_VAL : CV_NULL, 0, f};
    return c;
}

static cval fold(sq *q, const ir_node *n);

static int cmp3(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static bool cmp_holds(cmp_op op, int c)
{
    switch (op) {
    case CMP_EQ:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    case CMP_GT:
        return c > 0;
    case CMP_GE:
        return c >= 0;
    }
    return false;
}

static bool str_eq(const ir_value *a, const ir_value *b)
{
    return a->str.len == b->str.len &&
           memcmp(a->str.s, b->str.s, a->str.len) == 0;
}

/* Is op strict (null when any kid is null) in every kid? */
static bool strict(ir_op op)
{
    switch (op) {
    case IR_NEG:
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV:
    case IR_TO_FLOAT:
    case IR_UNITS:
    case IR_TO_TS:
    case IR_RESCALE:
    case IR_SHIFT:
    case IR_CMP:
    case IR_CONTAINS:
    case IR_NOT:
    case IR_DATEPART:
        return true;
    default:
        return false;
    }
}

static cval fold_node(sq *q, const ir_node *n)
{
    cval k[2] = {NO(), NO()};
    if (strict(n->op)) {
        bool unknown = false;
        for (uint32_t i = 0; i < n->nkids; i++) {
            cval c = fold(q, n->kids[i]);
            if (c.state == CV_NULL)
                return NUL();
            unknown |= c.state == CV_NO;
            if (i < 2)
                k[i] = c;
        }
        if (unknown || n->nkids == 0)
            return NO();
    }
    switch (n->op) {
    case IR_CONST:
        if (n->is_null)
            return NUL();
        return n->ty->kind == TY_FLOAT ? F(n->v.f) : I(n->v.i);
    case IR_FIELD:
        return NO();
    case IR_ASOF:
        return I(eval_asof(n, q->t));
    case IR_NEG:
        if (n->ty->kind == TY_FLOAT)
            return F(-k[0].f);
        return k[0].i == INT64_MIN ? NUL() : I(-k[0].i);
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV: {
        if (n->ty->kind == TY_FLOAT) {
            double a = k[0].f, b = k[1].f;
            switch (n->op) {
            case IR_ADD:
                return F(a + b);
            case IR_SUB:
                return F(a - b);
            case IR_MUL:
                return F(a * b);
            default:
                return b == 0 ? NUL() : F(a / b);
            }
        }
        int64_t r;
        bool ovf;
        if (n->op == IR_ADD)
            ovf = __builtin_add_overflow(k[0].i, k[1].i, &r);
        else if (n->op == IR_SUB)
            ovf = __builtin_sub_overflow(k[0].i, k[1].i, &r);
        else if (n->op == IR_MUL)
            ovf = __builtin_mul_overflow(k[0].i, k[1].i, &r);
        else
            return NO();
        return ovf ? NUL() : I(r);
    }
    case IR_TO_FLOAT: {
        const type *t = n->kids[0]->ty;
        return F(t->kind == TY_MONEY ? cur_units_to_float(k[0].i, t->scale)
                                     : (double)k[0].i);
    }
    case IR_UNITS:
        return k[0];
    case IR_TO_TS:
        return I(k[0].i * SECS_PER_DAY);
    case IR_RESCALE: {
        int64_t r;
        if (__builtin_mul_overflow(k[0].i, pow10_i64(n->scale_up), &r))
            return NUL();
        return I(r);
    }
    case IR_SHIFT:
        if (n->ty->kind == TY_DATE)
            return I(cal_shift_date(k[0].i, n->months, n->secs / SECS_PER_DAY));
        return I(cal_shift_ts(k[0].i, n->months, n->secs));
    case IR_CMP: {
        const ir_node *x = n->kids[0], *y = n->kids[1];
        int c;
        if (x->ty->kind == TY_STRING) {
            if (x->op != IR_CONST || y->op != IR_CONST)
                return NO();
            c = str_eq(&x->v, &y->v) ? 0 : 1;
        } else if (x->ty->kind == TY_FLOAT) {
            c = k[0].f < k[1].f ? -1 : k[0].f > k[1].f;
        } else {
            c = cmp3(k[0].i, k[1].i);
        }
        return I(cmp_holds(n->cmp, c));
    }
    case IR_IN: {
        if (n->nlist == 0)
            return n->list_has_null ? NUL() : I(0);
        const ir_node *x = n->kids[0];
        cval a = fold(q, x);
        if (a.state != CV_VAL)
            return a;
        bool found = false;
        for (uint32_t i = 0; i < n->nlist && !found; i++) {
            if (x->ty->kind == TY_STRING)
                found = x->op == IR_CONST && str_eq(&x->v, &n->list[i]);
            else if (x->ty->kind == TY_FLOAT)
                found = n->list[i].f == a.f;
            else
                found = n->list[i].i == a.i;
        }
        if (x->ty->kind == TY_STRING && x->op != IR_CONST)
            return NO();
        if (found)
            return I(1);
        return n->list_has_null ? NUL() : I(0);
    }
    case IR_CONTAINS:
        return NO();
    case IR_ISNULL: {
        cval a = fold(q, n->kids[0]);
        return a.state == CV_NO ? NO() : I(a.state == CV_NULL);
    }
    case IR_AND:
    case IR_OR: {
        bool is_and = n->op == IR_AND, unknown = false, open = false;
        for (uint32_t i = 0; i < n->nkids; i++) {
            cval a = fold(q, n->kids[i]);
            if (a.state == CV_NO)
                open = true;
            else if (a.state == CV_NULL)
                unknown = true;
            else if ((a.i != 0) != is_and)
                return I(!is_and); /* a false in 'and', a true in 'or' */
        }
        if (open)
            return NO();
        return unknown ? NUL() : I(is_and);
    }
    case IR_NOT:
        return I(!k[0].i);
    case IR_ISTRUE: {
        cval a = fold(q, n->kids[0]);
        return a.state == CV_NO ? NO() : I(a.state == CV_VAL && a.i);
    }
    case IR_DATEPART: {
        int64_t days = n->kids[0]->ty->kind == TY_DATE
                           ? k[0].i
                           : cal_floor_div(k[0].i, SECS_PER_DAY);
        return I(eval_date_part(n->part, days, q->t.as_of_date));
    }
    default:
        return NO();
    }
}

static cval fold(sq *q, const ir_node *n)
{
    if (!q->cv_done[n->id]) {
        q->cv[n->id] = fold_node(q, n);
        q->cv_done[n->id] = 1;
    }
    return q->cv[n->id];
}

/* ---- materialized columns --------------------------------------------------------- */

/* A plain column or literal: reading it twice costs nothing. */
static bool simple(const char *s)
{
    return !strpbrk(s, " (");
}

static ex mat(sq *q, ex e)
{
    col c;
    c.name = qid(q, S(q, "%s%zu", q->prefix, ++q->ncols));
    c.def = e.s;
    c.lvl = e.lvl + 1;
    VEC_PUSH(q->cols, col, c);
    return E(c.name, c.lvl);
}

static ex ref(sq *q, ex e)
{
    return simple(e.s) ? e : mat(q, e);
}

/* ---- expressions ----------------------------------------------------------------- */

static ex emit(sq *q, const ir_node *n);

/* n's expression as a column when it is needed more than once */
static ex emit_ref(sq *q, const ir_node *n)
{
    if (q->refs[n->id].s)
        return q->refs[n->id];
    ex e = ref(q, emit(q, n));
    q->refs[n->id] = e;
    return e;
}

#define INT_MIN_LIT "-9223372036854775808"
#define INT_MAX_LIT "9223372036854775807"

/* a op b on exact 64-bit integers; overflow gives NULL */
static ex int_arith(sq *q, char op, ex a, ex b)
{
    int l = maxl(a, b);
    const char *fn = op == '+' ? "ADD" : op == '-' ? "SUBTRACT" : "MULTIPLY";
    switch (q->d) {
    case SQL_SQLITE: {
        /* SQLite turns an overflowing integer result into a REAL */
        ex r = mat(q, E(S(q, "(%s %c %s)", a.s, op, b.s), l));
        return E(S(q, "CASE WHEN typeof(%s) = 'integer' THEN %s END", r.s,
                   r.s),
                 r.lvl);
    }
    case SQL_POSTGRES:
    case SQL_DUCKDB: {
        /* computed in a wider exact type, then checked */
        const char *wide = q->d == SQL_POSTGRES ? "NUMERIC" : "HUGEINT";
        ex r = mat(q, E(S(q, "(CAST(%s AS %s) %c %s)", a.s, wide, op, b.s), l));
        return E(S(q, "CASE WHEN %s BETWEEN " INT_MIN_LIT " AND " INT_MAX_LIT
                      " THEN CAST(%s AS BIGINT) END",
                   r.s, r.s),
                 r.lvl);
    }
    case SQL_BIGQUERY:
        return E(S(q, "SAFE_%s(%s, %s)", fn, a.s, b.s), l);
    case SQL_SPARK:
        return E(S(q, "try_%s(%s, %s)",
                   op == '+' ? "add" : op == '-' ? "subtract" : "multiply",
                   a.s, b.s),
                 l);
    case SQL_TRINO:
        return E(S(q, "try(%s %c %s)", a.s, op, b.s), l);
    }
    return E("NULL", l);
}

#define DBL_OVF_LIT "1.7976931348623158e308"
#define DBL_UNF_LIT "2.4703282292062328e-324"

/* a op b on doubles; x/0 and non-finite results give NULL */
static ex float_op(sq *q, char op, ex a, ex b)
{
    if (q->d == SQL_POSTGRES) {
        /* PostgreSQL raises an error where IEEE arithmetic overflows (and,
         * for * and /, where it underflows to zero): the result's
         * magnitude is decided first, in NUMERIC */
        a = ref(q, a);
        b = ref(q, b);
        int l = maxl(a, b);
        const char *na = S(q, "CAST(%s AS NUMERIC)", a.s),
                   *nb = S(q, "CAST(%s AS NUMERIC)", b.s);
        const char *exact = S(q, "abs(%s %c %s)", na, op, nb);
        if (op == '+' || op == '-')
            return E(S(q, "CASE WHEN %s >= " DBL_OVF_LIT " THEN NULL ELSE "
                          "(%s %c %s) END",
                       exact, a.s, op, b.s),
                     l);
        return E(S(q, "CASE %sWHEN %s >= " DBL_OVF_LIT " THEN NULL WHEN %s <= "
                      DBL_UNF_LIT " THEN CAST(0 AS DOUBLE PRECISION) "
                      "ELSE (%s %c %s) END",
                   op == '/' ? S(q, "WHEN %s = 0 THEN NULL ", b.s) : "", exact,
                   exact, a.s, op, b.s),
                 l);
    }
    int l = maxl(a, b);
    const char *raw;
    switch (q->d) {
    case SQL_BIGQUERY: {
        const char *fn = op == '+'   ? "ADD"
                         : op == '-' ? "SUBTRACT"
                         : op == '*' ? "MULTIPLY"
                                     : "DIVIDE";
        return E(S(q, "SAFE_%s(%s, %s)", fn, a.s, b.s), l);
    }
    case SQL_SQLITE:
        /* x/0 is NULL in SQLite; 9e999 reads as infinity */
        raw = S(q, "(%s %c %s)", a.s, op, b.s);
        return E(S(q, "NULLIF(NULLIF(%s, 9e999), -9e999)", raw), l);
    default:
        break;
    }
    if (op == '/')
        raw = S(q, "(%s / NULLIF(%s, 0))", a.s, b.s);
    else if (op == '-' && q->d == SQL_SPARK)
        /* (a - (f(x))): the Spark grammar of make check-sql-parse reads
         * (a - f(x)) as the start of a lambda; Spark itself takes both */
        raw = S(q, "(%s - (%s))", a.s, b.s);
    else
        raw = S(q, "(%s %c %s)", a.s, op, b.s);
    /* finite operands give NaN only for 0/0, which NULLIF excludes */
    const char *inf = q->d == SQL_TRINO ? "infinity()"
                                        : "CAST('Infinity' AS DOUBLE)";
    return E(S(q, "NULLIF(NULLIF(%s, %s), -%s)", raw, inf, inf), l);
}

static ex float_arith(sq *q, char op, const ir_node *x, const ir_node *y)
{
    /* in this order: the columns' names follow it */
    if (q->d == SQL_POSTGRES) {
        ex a = emit_ref(q, x);
        ex b = emit_ref(q, y);
        return float_op(q, op, a, b);
    }
    ex a = emit(q, x);
    ex b = emit(q, y);
    return float_op(q, op, a, b);
}

static const char *zero_day(sq *q)
{
    (void)q;
    return "DATE '1970-01-01'";
}

/* integer division of a by a positive constant that divides it exactly */
static const char *exact_div(sq *q, const char *a, int64_t k)
{
    switch (q->d) {
    case SQL_DUCKDB:
        return S(q, "(%s // %" PRId64 ")", a, k);
    case SQL_BIGQUERY:
        return S(q, "DIV(%s, %" PRId64 ")", a, k);
    case SQL_SPARK:
        return S(q, "(%s div %" PRId64 ")", a, k);
    default:
        return S(q, "(%s / %" PRId64 ")", a, k);
    }
}

static ex days_add_months_sqlite(sq *q, ex days, int64_t months);

/* day number -> day number `months` calendar months on, the day of month
 * clamped to the target month's length (cal_add_months) */
static ex days_add_months(sq *q, ex days, int64_t months)
{
    const char *z = zero_day(q);
    switch (q->d) {
    case SQL_POSTGRES:
        return E(S(q, "CAST(CAST(%s + CAST(%s AS INTEGER) + INTERVAL '%" PRId64
                      " months' AS DATE) - %s AS BIGINT)",
                   z, days.s, months, z),
                 days.lvl);
    case SQL_DUCKDB:
        return E(S(q, "date_diff('day', %s, CAST(%s + CAST(%s AS INTEGER) + "
                      "INTERVAL (%" PRId64 ") MONTH AS DATE))",
                   z, z, days.s, months),
                 days.lvl);
    case SQL_BIGQUERY:
        return E(S(q, "UNIX_DATE(DATE_ADD(DATE_FROM_UNIX_DATE(%s), INTERVAL %"
                      PRId64 " MONTH))",
                   days.s, months),
                 days.lvl);
    case SQL_SPARK:
        return E(S(q, "CAST(unix_date(add_months(date_from_unix_date(CAST(%s "
                      "AS INT)), %" PRId64 ")) AS BIGINT)",
                   days.s, months),
                 days.lvl);
    case SQL_TRINO:
        return E(S(q, "date_diff('day', %s, date_add('month', %" PRId64
                      ", date_add('day', %s, %s)))",
                   z, months, days.s, z),
                 days.lvl);
    case SQL_SQLITE: {
        /* SQLite's date functions know the years 0 to 9999 only: the
         * Gregorian calendar repeats every 400 years (146097 days, 4800
         * months), so the date is moved into 1600..1999 and the months
         * reduced below 4800, and the cycles taken out are added back */
        int64_t base = cal_days_from_civil(1600, 1, 1);
        int64_t r = months % 4800, cyc;
        if (r < 0)
            r += 4800;
        cyc = (months - r) / 4800;
        ex dr = ref(q, days);
        ex off = ref(q, E(S(q, "(((%s - (%" PRId64 ")) %% 146097 + 146097) %% "
                               "146097)",
                            dr.s, base),
                          dr.lvl));
        ex in = E(S(q, "(%" PRId64 " + %s)", base, off.s), off.lvl);
        ex moved = r ? days_add_months_sqlite(q, in, r) : in;
        return E(S(q, "(%s + (%s - (%" PRId64 ") - %s) + %" PRId64 ")",
                   moved.s, dr.s, base, off.s, cyc * 146097),
                 maxl(moved, off));
    }
    }
    return days;
}

/* SQLite, for day numbers of the years 1600 to 2399: '+N months'
 * overflows into the next month instead of clamping, so go from the first
 * of the month, then add the day of month, at most up to the month's last
 * day */
static ex days_add_months_sqlite(sq *q, ex days, int64_t months)
{
    {
        ex d = ref(q, E(S(q, "date(%s + 2440587.5)", days.s), days.lvl));
        ex first = ref(q, E(S(q, "date(%s, 'start of month', '%+" PRId64
                               " months')",
                               d.s, months),
                             d.lvl));
        return E(S(q, "CAST(julianday(min(date(%s, '+' || (CAST(strftime('%%d',"
                      " %s) AS INTEGER) - 1) || ' days'), date(%s, '+1 months', "
                      "'-1 days'))) - 2440587.5 AS INTEGER)",
                   first.s, d.s, first.s),
                 first.lvl);
    }
}

static ex emit_shift(sq *q, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    int64_t ndays = n->secs / SECS_PER_DAY;
    if (n->ty->kind == TY_DATE) {
        ex a = emit(q, x);
        if (q->d == SQL_SQLITE) {
            if (n->months)
                a = days_add_months(q, a, n->months);
            return ndays ? E(S(q, "(%s + %" PRId64 ")", a.s, ndays), a.lvl) : a;
        }
        const char *s = a.s;
        if (n->months) {
            switch (q->d) {
            case SQL_POSTGRES:
                s = S(q, "CAST(%s + INTERVAL '%" PRId64 " months' AS DATE)", s,
                      n->months);
                break;
            case SQL_DUCKDB:
                s = S(q, "CAST(%s + INTERVAL (%" PRId64 ") MONTH AS DATE)", s,
                      n->months);
                break;
            case SQL_BIGQUERY:
                s = S(q, "DATE_ADD(%s, INTERVAL %" PRId64 " MONTH)", s,
                      n->months);
                break;
            case SQL_SPARK:
                s = S(q, "add_months(%s, %" PRId64 ")", s, n->months);
                break;
            case SQL_TRINO:
                s = S(q, "date_add('month', %" PRId64 ", %s)", n->months, s);
                break;
            case SQL_SQLITE:
                break;
            }
        }
        if (ndays) {
            switch (q->d) {
            case SQL_POSTGRES:
            case SQL_DUCKDB:
                s = S(q, "(%s + %" PRId64 ")", s, ndays);
                break;
            case SQL_BIGQUERY:
                s = S(q, "DATE_ADD(%s, INTERVAL %" PRId64 " DAY)", s, ndays);
                break;
            case SQL_SPARK:
                s = S(q, "date_add(%s, %" PRId64 ")", s, ndays);
                break;
            case SQL_TRINO:
                s = S(q, "date_add('day', %" PRId64 ", %s)", ndays, s);
                break;
            case SQL_SQLITE:
                break;
            }
        }
        return E(s, a.lvl);
    }
    /* a timestamp: seconds since the epoch */
    if (!n->months)
        return E(S(q, "(%s + %" PRId64 ")", emit(q, x).s, n->secs),
                 emit(q, x).lvl);
    ex ts = emit_ref(q, x);
    const char *mod = q->d == SQL_BIGQUERY ? S(q, "MOD(%s, 86400)", ts.s)
                                           : S(q, "(%s %% 86400)", ts.s);
    ex tod = ref(q, E(q->d == SQL_BIGQUERY
                          ? S(q, "MOD(%s + 86400, 86400)", mod)
                          : S(q, "((%s + 86400) %% 86400)", mod),
                      ts.lvl));
    ex days = E(exact_div(q, S(q, "(%s - %s)", ts.s, tod.s), SECS_PER_DAY),
                tod.lvl);
    ex nd = days_add_months(q, days, n->months);
    const char *secs = n->secs ? S(q, " + %" PRId64, n->secs) : "";
    return E(S(q, "(%s * 86400 + %s%s)", nd.s, tod.s, secs), maxl(nd, tod));
}

/* a field in the computation representation */
static ex emit_field(sq *q, const ir_node *n)
{
    const schema_field *f = &q->sch->fields[n->field];
    const char *c = qid(q, f->name);
    switch (f->ty->kind) {
    case TY_MONEY:
        if (q->d == SQL_SQLITE)
            return E(c, 0); /* stored as units */
        if (f->ty->scale == 0)
            return E(S(q, "CAST(%s AS %s)", c, T_INT[q->d]), 0);
        return E(S(q, "CAST(%s * %" PRId64 " AS %s)", c,
                   pow10_i64(f->ty->scale), T_INT[q->d]),
                 0);
    case TY_DATE:
        if (q->d == SQL_SQLITE)
            return E(S(q, "CAST(julianday(%s) - 2440587.5 AS INTEGER)", c), 0);
        return E(c, 0);
    case TY_TIMESTAMP:
        switch (q->d) {
        case SQL_SQLITE:
            return E(S(q, "CAST(strftime('%%s', %s) AS INTEGER)", c), 0);
        case SQL_POSTGRES:
            return E(S(q, "CAST(EXTRACT(EPOCH FROM %s) AS BIGINT)", c), 0);
        case SQL_DUCKDB:
            return E(S(q, "CAST(epoch(%s) AS BIGINT)", c), 0);
        case SQL_BIGQUERY:
            return E(S(q, "UNIX_SECONDS(%s)", c), 0);
        case SQL_SPARK:
            return E(S(q, "unix_seconds(%s)", c), 0);
        case SQL_TRINO:
            return E(S(q, "CAST(to_unixtime(%s) AS BIGINT)", c), 0);
        }
        break;
    case TY_SET:
        if (q->d == SQL_BIGQUERY && f->nullable)
            unsupported(q, "%s", S(q, "the nullable set field '%s' (BigQuery stores "
                               "a NULL array as an empty one)", f->name));
        return E(c, 0);
    default:
        break;
    }
    return E(c, 0);
}

static const char *cmp_text(cmp_op op)
{
    static const char *const t[] = {[CMP_EQ] = "=", [CMP_NE] = "<>",
                                    [CMP_LT] = "<", [CMP_LE] = "<=",
                                    [CMP_GT] = ">", [CMP_GE] = ">="};
    return t[op];
}

static cmp_op flip(cmp_op op)
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

/* an enum value's index, for ordered comparisons */
static ex enum_ordinal(sq *q, const ir_node *n)
{
    cval c = fold(q, n);
    if (c.state == CV_VAL)
        return E(int_lit(q, c.i), 0);
    ex e = emit(q, n);
    buf b;
    buf_init(&b, q->m);
    buf_printf(&b, "CASE %s", e.s);
    const enum_def *en = n->ty->enm;
    for (uint32_t i = 0; i < en->n; i++)
        buf_printf(&b, " WHEN %s THEN %u",
                   qstr(q, en->values[i], strlen(en->values[i])), i);
    buf_puts(&b, " END");
    const char *s = arena_strndup(&q->a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return E(s ? s : "", e.lvl);
}

/* A value or NULL when v is null: "TRUE unless v is null" and "FALSE unless
 * v is null" without reading v twice. */
static const char *true_unless_null(sq *q, const char *v)
{
    return S(q, "(%s IS NOT NULL OR NULL)", v);
}
static const char *false_unless_null(sq *q, const char *v)
{
    return S(q, "(%s IS NULL AND NULL)", v);
}

/* column OP constant, in the column's own type; NULL when the generic form
 * is as good */
static const char *leaf_cmp(sq *q, cmp_op op, const ir_node *f, cval c)
{
    const schema_field *sf = &q->sch->fields[f->field];
    const char *col = qid(q, sf->name);
    /* a column's dates lie in the years 1 to 9999: one beyond them is
     * decided for every value, and needs no literal */
    int64_t day = f->ty->kind == TY_DATE        ? c.i
                  : f->ty->kind == TY_TIMESTAMP ? cal_floor_div(c.i, SECS_PER_DAY)
                                                : 0;
    if (!in_years(day)) {
        bool above = cmp_holds(op, day < CAL_MIN_DAYS ? 1 : -1);
        return above ? true_unless_null(q, col) : false_unless_null(q, col);
    }
    switch (f->ty->kind) {
    case TY_MONEY:
        if (q->d == SQL_SQLITE || f->ty->scale != sf->ty->scale)
            return NULL;
        return S(q, "(%s %s %s)", col, cmp_text(op),
                 decimal_lit(q, c.i, f->ty->scale));
    case TY_DATE:
        if (q->d != SQL_SQLITE || !in_years(c.i))
            return NULL;
        {
            char b[40];
            cal_format_date(c.i, b, sizeof b);
            return S(q, "(%s %s '%s')", col, cmp_text(op), b);
        }
    case TY_TIMESTAMP:
        if (q->d == SQL_SQLITE ||
            !in_years(cal_floor_div(c.i, SECS_PER_DAY)))
            return NULL;
        return S(q, "(%s %s %s)", col, cmp_text(op), ts_native_lit(q, c.i));
    case TY_ENUM: {
        if (op == CMP_EQ || op == CMP_NE)
            return S(q, "(%s %s %s)", col, cmp_text(op), lit(q, f, c));
        /* the values on the true side of the comparison */
        const enum_def *en = f->ty->enm;
        buf b;
        buf_init(&b, q->m);
        uint32_t k = 0;
        for (uint32_t i = 0; i < en->n; i++)
            if (cmp_holds(op, cmp3(i, c.i))) {
                buf_printf(&b, "%s%s", k++ ? ", " : "",
                           qstr(q, en->values[i], strlen(en->values[i])));
            }
        const char *r;
        if (k == 0)
            r = false_unless_null(q, col);
        else if (k == en->n)
            r = true_unless_null(q, col);
        else if (k == 1)
            r = S(q, "(%s = %s)", col, buf_cstr(&b));
        else
            r = S(q, "(%s IN (%s))", col, buf_cstr(&b));
        buf_free(&b);
        return r;
    }
    default:
        return NULL;
    }
}

static ex emit_cmp(sq *q, const ir_node *n)
{
    const ir_node *x = n->kids[0], *y = n->kids[1];
    cmp_op op = n->cmp;
    cval cx = fold(q, x), cy = fold(q, y);
    if (x->op == IR_FIELD && cy.state == CV_VAL) {
        const char *s = leaf_cmp(q, op, x, cy);
        if (s)
            return E(s, 0);
    } else if (y->op == IR_FIELD && cx.state == CV_VAL) {
        const char *s = leaf_cmp(q, flip(op), y, cx);
        if (s)
            return E(s, 0);
    }
    ex a, b;
    if (x->ty->kind == TY_ENUM && (op != CMP_EQ && op != CMP_NE)) {
        a = enum_ordinal(q, x);
        b = enum_ordinal(q, y);
    } else {
        a = emit(q, x);
        b = emit(q, y);
    }
    return E(S(q, "(%s %s %s)", a.s, cmp_text(op), b.s), maxl(a, b));
}

static const char *list_value(sq *q, const ir_node *x, const ir_value *v,
                              bool native)
{
    cval c = I(v->i);
    switch (x->ty->kind) {
    case TY_STRING:
        return qstr(q, v->str.s, v->str.len);
    case TY_FLOAT:
        return float_lit(q, v->f);
    case TY_MONEY:
        return native ? decimal_lit(q, v->i, x->ty->scale) : int_lit(q, v->i);
    case TY_TIMESTAMP:
        return native ? ts_native_lit(q, v->i) : int_lit(q, v->i);
    case TY_DATE:
        if (native) {
            char b[40];
            cal_format_date(v->i, b, sizeof b);
            return S(q, "'%s'", b);
        }
        return date_lit(q, v->i);
    default:
        return lit(q, x, c);
    }
}

static ex emit_in(sq *q, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    if (n->nlist == 0) /* with a null: unknown for every record */
        return E(n->list_has_null ? "NULL" : bool_lit(q, false), 0);
    /* a column is looked up in its own type where that reads better */
    bool native = false;
    if (x->op == IR_FIELD) {
        const schema_field *sf = &q->sch->fields[x->field];
        bool in_range = true;
        for (uint32_t i = 0; i < n->nlist; i++) {
            if (x->ty->kind == TY_DATE)
                in_range &= in_years(n->list[i].i);
            if (x->ty->kind == TY_TIMESTAMP)
                in_range &= in_years(cal_floor_div(n->list[i].i, SECS_PER_DAY));
        }
        switch (x->ty->kind) {
        case TY_MONEY:
            native = q->d != SQL_SQLITE && x->ty->scale == sf->ty->scale;
            break;
        case TY_TIMESTAMP:
            native = q->d != SQL_SQLITE && in_range;
            break;
        case TY_DATE:
            native = q->d == SQL_SQLITE && in_range;
            break;
        default:
            break;
        }
    }
    ex a = native ? E(qid(q, q->sch->fields[x->field].name), 0) : emit(q, x);
    buf b;
    buf_init(&b, q->m);
    for (uint32_t i = 0; i < n->nlist; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", list_value(q, x, &n->list[i],
                                                         native));
    if (n->list_has_null)
        buf_puts(&b, ", NULL");
    const char *s = S(q, "(%s IN (%s))", a.s, buf_cstr(&b));
    buf_free(&b);
    return E(s, a.lvl);
}

/* set a holds the string e[0..n) */
static ex set_contains(sq *q, ex a, const char *el, uint32_t len)
{
    const char *e = qstr(q, el, len);
    switch (q->d) {
    case SQL_SQLITE:
        /* a set is stored as its elements joined by ';' (as in CSV); no
         * element is empty or holds a ';' */
        if (len == 0 || memchr(el, ';', len))
            return E(false_unless_null(q, a.s), a.lvl);
        return E(S(q, "(instr(';' || %s || ';', %s) > 0)", a.s,
                   qstr(q, S(q, ";%.*s;", (int)len, el), len + 2)),
                 a.lvl);
    case SQL_POSTGRES:
        return E(S(q, "(%s = ANY(%s))", e, a.s), a.lvl);
    case SQL_DUCKDB:
        return E(S(q, "list_contains(%s, %s)", a.s, e), a.lvl);
    case SQL_BIGQUERY:
        return E(S(q, "(%s IN UNNEST(%s))", e, a.s), a.lvl);
    case SQL_SPARK:
        return E(S(q, "array_contains(%s, %s)", a.s, e), a.lvl);
    case SQL_TRINO:
        return E(S(q, "contains(%s, %s)", a.s, e), a.lvl);
    }
    return a;
}

static ex emit_contains(sq *q, const ir_node *n)
{
    return set_contains(q, emit(q, n->kids[0]), n->v.str.s, n->v.str.len);
}

static ex emit_to_float(sq *q, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    ex a = emit(q, x);
    const char *f = S(q, "CAST(%s AS %s)", a.s, T_FLOAT[q->d]);
    if (x->ty->kind != TY_MONEY || x->ty->scale == 0)
        return E(f, a.lvl);
    /* units / 10^scale: one correctly rounded division, as
     * cur_units_to_float */
    return E(S(q, "(%s / %s)", f,
               float_lit(q, (double)pow10_i64(x->ty->scale))),
             a.lvl);
}

static ex emit_to_ts(sq *q, const ir_node *n)
{
    ex a = emit(q, n->kids[0]);
    const char *days;
    switch (q->d) {
    case SQL_SQLITE:
        days = a.s;
        break;
    case SQL_POSTGRES:
        days = S(q, "CAST(%s - %s AS BIGINT)", a.s, zero_day(q));
        break;
    case SQL_BIGQUERY:
        days = S(q, "UNIX_DATE(%s)", a.s);
        break;
    case SQL_SPARK:
        days = S(q, "CAST(unix_date(%s) AS BIGINT)", a.s);
        break;
    default:
        days = S(q, "date_diff('day', %s, %s)", zero_day(q), a.s);
        break;
    }
    return E(S(q, "(%s * 86400)", days), a.lvl);
}

static ex emit_logic(sq *q, const ir_node *n)
{
    buf b;
    buf_init(&b, q->m);
    int l = 0;
    buf_putc(&b, '(');
    for (uint32_t i = 0; i < n->nkids; i++) {
        ex k = emit(q, n->kids[i]);
        if (k.lvl > l)
            l = k.lvl;
        buf_printf(&b, "%s%s", i ? (n->op == IR_AND ? " AND " : " OR ") : "",
                   k.s);
    }
    buf_putc(&b, ')');
    const char *s = arena_strndup(&q->a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return E(s ? s : "", l);
}

/* ---- integers, per dialect ---------------------------------------------------- */

/* a / b truncated toward zero, and its remainder (the sign of a), for the
 * dialect's 64-bit integers */
static const char *idiv(sq *q, const char *a, const char *b)
{
    switch (q->d) {
    case SQL_DUCKDB:
        return S(q, "(%s // %s)", a, b);
    case SQL_BIGQUERY:
        return S(q, "DIV(%s, %s)", a, b);
    case SQL_SPARK:
        return S(q, "(%s div %s)", a, b);
    default:
        return S(q, "(%s / %s)", a, b);
    }
}

static const char *imod(sq *q, const char *a, const char *b)
{
    if (q->d == SQL_BIGQUERY)
        return S(q, "MOD(%s, %s)", a, b);
    return S(q, "(%s %% %s)", a, b);
}

/* The exact integer type wide enough for a sum of 64-bit values (none in
 * SQLite). */
static const char *const T_WIDE[] = {"NUMERIC", "HUGEINT", NULL,
                                     "BIGNUMERIC", "DECIMAL(38, 0)",
                                     "DECIMAL(38, 0)"};

/* wide a / b for a multiple of b, and the remainder of wide a by b */
static const char *wide_div(sq *q, const char *a, const char *b)
{
    switch (q->d) {
    case SQL_POSTGRES:
        return S(q, "div(%s, %s)", a, b);
    case SQL_DUCKDB:
        return S(q, "(%s // %s)", a, b);
    case SQL_BIGQUERY:
        return S(q, "DIV(%s, %s)", a, b);
    default:
        return S(q, "CAST(%s / %s AS DECIMAL(38, 0))", a, b);
    }
}

static const char *wide_mod(sq *q, const char *a, const char *b)
{
    switch (q->d) {
    case SQL_POSTGRES:
        return S(q, "mod(%s, %s)", a, b);
    case SQL_BIGQUERY:
        return S(q, "MOD(%s, %s)", a, b);
    default:
        return S(q, "(%s %% %s)", a, b);
    }
}

/* a wide integer as a 64-bit one, NULL when it does not fit (a is read
 * twice: a column) */
static const char *narrow(sq *q, const char *a)
{
    return S(q, "CASE WHEN %s BETWEEN " INT_MIN_LIT " AND " INT_MAX_LIT
                " THEN CAST(%s AS %s) END",
             a, a, T_INT[q->d]);
}

/* CASE WHEN cond THEN 1 ELSE 0 END */
static const char *one_if(sq *q, const char *cond)
{
    return S(q, "CASE WHEN %s THEN 1 ELSE 0 END", cond);
}

/* ---- statistics --------------------------------------------------------------------
 * A statistic is a scalar subquery over the layer that holds its argument
 * and its filter: the rows (SELECT x AS v FROM layer WHERE filter), an
 * aggregate of them (one row), then, where the value needs more than an
 * aggregate, computations on that row, nested like the query's own layers
 * (mat() puts their columns into the statistic's list while it is
 * written). The subquery becomes a column of the query. */

typedef struct stat_sq {
    buf cols;           /* col[] of the computations after the aggregate */
    buf *keep;          /* the query's list, while this one is in use */
    buf with;           /* the subquery's common table expressions */
    int id;             /* of the names of its tables */
} stat_sq;

static void sub_begin(sq *q, stat_sq *st)
{
    buf_init(&st->cols, q->m);
    buf_init(&st->with, q->m);
    st->keep = q->cols;
    st->id = ++q->nsubs;
    q->cols = &st->cols;
}

/* adds "NAME AS (text)" to the subquery's WITH; returns NAME */
static const char *sub_cte(sq *q, stat_sq *st, const char *suffix,
                           const char *text)
{
    const char *name = qid(q, S(q, "%s_s%d%s", q->prefix, st->id, suffix));
    buf_printf(&st->with, "%s%s AS (%s)", st->with.len ? ", " : "WITH ", name,
               text);
    return name;
}

/* (WITH ..., NAME_0 AS (core), NAME_1 AS (SELECT NAME_0.*, ... FROM
 * NAME_0), ... SELECT result FROM NAME_L): core makes the columns of
 * level 0; level l selects those of level l - 1 and adds its own. Common
 * table expressions rather than nested subqueries: SQLite's parser allows
 * little nesting. */
static const char *sub_end(sq *q, stat_sq *st, const char *core, ex result)
{
    const col *cs = (const col *)(const void *)st->cols.p;
    size_t nc = VEC_LEN(&st->cols, col);
    int levels = result.lvl;
    for (size_t i = 0; i < nc; i++)
        if (cs[i].lvl > levels)
            levels = cs[i].lvl;
    const char *prev = sub_cte(q, st, "_0", core);
    for (int l = 1; l <= levels; l++) {
        buf b;
        buf_init(&b, q->m);
        buf_printf(&b, "SELECT %s.*", prev);
        for (size_t i = 0; i < nc; i++)
            if (cs[i].lvl == l)
                buf_printf(&b, ", %s AS %s", cs[i].def, cs[i].name);
        buf_printf(&b, " FROM %s", prev);
        prev = sub_cte(q, st, S(q, "_%d", l), buf_cstr(&b) ? b.p : "");
        buf_free(&b);
    }
    const char *r = S(q, "(%s SELECT %s FROM %s)", buf_cstr(&st->with) ? st->with.p : "",
                      result.s, prev);
    q->cols = st->keep;
    buf_free(&st->cols);
    buf_free(&st->with);
    return r;
}

/* names of the columns inside a statistic's subquery */
static const char *cn(sq *q, const char *name)
{
    return qid(q, name);
}

/* the layer a statistic reads, and its WHERE */
static const char *stat_from(sq *q, int lvl)
{
    if (lvl > 0 && lvl < (int)sizeof q->read_twice)
        q->read_twice[lvl] = 1;
    return lvl ? qid(q, S(q, "%s_l%d", q->prefix, lvl)) : q->tab;
}

/* SELECT x AS v FROM layer [WHERE filter] */
static const char *stat_rows(sq *q, ex x, ex f, int lvl)
{
    return S(q, "SELECT %s AS %s FROM %s%s%s", x.s, cn(q, "v"),
             stat_from(q, lvl), f.s ? " WHERE " : "", f.s ? f.s : "");
}

/* SQLite's exact sum of 64-bit integers v over rows, as its high and low
 * 32 bits (H, L) at level 1 of the subquery: SUM of the high halves and
 * of the low halves cannot overflow (for fewer than 2^31 rows), and the
 * carry of the low sum moves into H */
static void sqlite_sum_parts(sq *q, ex *h, ex *l)
{
    const char *hs = cn(q, "h"), *ls = cn(q, "l");
    *h = mat(q, E(S(q, "(%s + (%s >> 32))", hs, ls), 0));
    *l = mat(q, E(S(q, "(%s & 4294967295)", ls), 0));
}

static const char *sqlite_sum_core(sq *q, const char *rows, bool zero)
{
    const char *v = cn(q, "v");
    if (zero)
        return S(q, "SELECT COALESCE(SUM(%s >> 32), 0) AS %s, COALESCE(SUM("
                    "%s & 4294967295), 0) AS %s, COUNT(%s) AS %s FROM %s",
                 v, cn(q, "h"), v, cn(q, "l"), v, cn(q, "c"), rows);
    return S(q, "SELECT SUM(%s >> 32) AS %s, SUM(%s & 4294967295) AS %s, "
                "NULLIF(COUNT(%s), 0) AS %s FROM %s",
             v, cn(q, "h"), v, cn(q, "l"), v, cn(q, "c"), rows);
}

static const char *wide_sum_core(sq *q, const char *rows, bool zero)
{
    const char *v = cn(q, "v");
    const char *sum = S(q, "SUM(CAST(%s AS %s))", v, T_WIDE[q->d]);
    return S(q, "SELECT %s AS %s, NULLIF(COUNT(%s), 0) AS %s FROM %s",
             zero ? S(q, "COALESCE(%s, 0)", sum) : sum, cn(q, "s"), v,
             cn(q, "c"), rows);
}

/* sum(x) of int or money: exact, NULL beyond 64 bits, 0 over no values */
static const char *stat_sum(sq *q, const char *rows, stat_sq *st)
{
    if (q->d == SQL_SQLITE) {
        ex h, l;
        sqlite_sum_parts(q, &h, &l);
        ex r = E(S(q, "CASE WHEN %s BETWEEN -2147483648 AND 2147483647 THEN "
                      "%s * 4294967296 + %s END",
                   h.s, h.s, l.s),
                 1);
        return sub_end(q, st, sqlite_sum_core(q, rows, true), r);
    }
    return sub_end(q, st, wide_sum_core(q, rows, true),
                   E(narrow(q, cn(q, "s")), 0));
}

/* avg(x) of int: the exact sum, rounded once to a double, divided by the
 * count (stat.c: (double)sum / (double)count) */
static const char *stat_avg_int(sq *q, const char *rows, stat_sq *st)
{
    const char *fl = T_FLOAT[q->d], *c = cn(q, "c");
    if (q->d == SQL_SQLITE) {
        /* H * 2^32 is exact in a double (|H| < 2^53 for fewer than 2^21
         * rows of any size), so the sum is rounded once, by the + */
        ex h, l;
        sqlite_sum_parts(q, &h, &l);
        ex r = E(S(q, "((CAST(%s AS REAL) * 4294967296.0 + CAST(%s AS REAL)) "
                      "/ CAST(%s AS REAL))",
                   h.s, l.s, c),
                 1);
        return sub_end(q, st, sqlite_sum_core(q, rows, false), r);
    }
    /* the exact sum as text, read back as a double: one correct rounding
     * in every engine */
    ex r = E(S(q, "(CAST(CAST(%s AS %s) AS %s) / CAST(%s AS %s))",
               cn(q, "s"), T_TEXT[q->d], fl, c, fl),
             0);
    return sub_end(q, st, wide_sum_core(q, rows, false), r);
}

/* a op b on 64-bit integers of the subquery, NULL on overflow */
static ex iop(sq *q, char op, ex a, ex b)
{
    return int_arith(q, op, a, b);
}

/* R = qt * U + hr for 0 <= hr <= U without a false overflow: for a
 * negative qt, (qt + 1) * U - (U - hr) */
static ex scale_add(sq *q, ex qt, int64_t u, ex hr)
{
    ex U = E(int_lit(q, u), 0);
    ex pos = iop(q, '+', iop(q, '*', qt, U), hr);
    ex neg = iop(q, '+',
                 iop(q, '*', E(S(q, "(%s + 1)", qt.s), qt.lvl), U),
                 E(S(q, "(%s - %" PRId64 ")", hr.s, u), hr.lvl));
    return E(S(q, "CASE WHEN %s < 0 THEN %s ELSE %s END", qt.s, neg.s, pos.s),
             maxl(E(NULL, maxl(pos, neg)), qt));
}

/* avg(x) of money: sum * 10^up / count rounded half to even (stat.c) */
static const char *stat_avg_money(sq *q, const ir_node *n, const char *rows,
                                  stat_sq *st)
{
    int64_t u = pow10_i64(n->ty->scale - n->kids[0]->ty->scale);
    const char *c = cn(q, "c"), *core;
    /* the sum divided by the count, floored: qt (an average of 64-bit
     * values fits 64 bits) and the remainder rt, 0 <= rt < c */
    ex qt, rt;
    if (q->d == SQL_SQLITE) {
        ex h, l;
        sqlite_sum_parts(q, &h, &l);
        /* H = qh * c + rh, then rh * 2^32 + L = qb * c + rb: no step
         * overflows for fewer than 2^31 rows */
        ex rh = mat(q, E(S(q, "((%s %% %s) + %s) %% %s", h.s, c, c, c), h.lvl));
        ex qh = mat(q, E(S(q, "(%s - %s) / %s", h.s, rh.s, c), rh.lvl));
        ex b = mat(q, E(S(q, "%s * 4294967296 + %s", rh.s, l.s), rh.lvl));
        ex qb = mat(q, E(S(q, "%s / %s", b.s, c), b.lvl));
        rt = mat(q, E(S(q, "%s %% %s", b.s, c), b.lvl));
        qt = mat(q, E(S(q, "CASE WHEN %s < 0 THEN (%s + 1) * 4294967296 + (%s "
                           "- 4294967296) ELSE %s * 4294967296 + %s END",
                        qh.s, qh.s, qb.s, qh.s, qb.s),
                      maxl(qh, qb)));
        core = sqlite_sum_core(q, rows, false);
    } else {
        const char *s = cn(q, "s");
        ex r0 = mat(q, E(wide_mod(q, s, c), 0));
        ex q0 = mat(q, E(wide_div(q, S(q, "(%s - %s)", s, r0.s), c), r0.lvl));
        qt = mat(q, E(S(q, "CAST(%s - (%s) AS %s)", q0.s,
                        one_if(q, S(q, "%s < 0", r0.s)), T_INT[q->d]),
                      q0.lvl));
        rt = mat(q, E(S(q, "CAST(%s + CASE WHEN %s < 0 THEN %s ELSE 0 END AS "
                           "%s)",
                        r0.s, r0.s, c, T_INT[q->d]),
                      q0.lvl));
        core = wide_sum_core(q, rows, false);
    }
    /* rt * U / c rounded half to even: the parity is the result's, that
     * of qt * U + h */
    ex hu = mat(q, E(S(q, "%s * %" PRId64, rt.s, u), rt.lvl));
    ex h = mat(q, E(idiv(q, hu.s, c), hu.lvl));
    ex r2 = mat(q, E(imod(q, hu.s, c), hu.lvl));
    const char *odd = u % 2 == 0
                          ? S(q, "%s = 1", imod(q, h.s, "2"))
                          : S(q, "%s = 1", imod(q, S(q, "(%s + %s + 2)",
                                                      imod(q, qt.s, "2"),
                                                      imod(q, h.s, "2")),
                                               "2"));
    ex hr = mat(q, E(S(q, "%s + %s", h.s,
                       one_if(q, S(q, "2 * %s > %s OR (2 * %s = %s AND %s)",
                                   r2.s, c, r2.s, c, odd))),
                     maxl(h, E(NULL, maxl(r2, qt)))));
    ex qtm = ref(q, qt);
    return sub_end(q, st, core, scale_add(q, qtm, u, hr));
}

/* percentile_cont at p = mant / den over the non-null values: the values
 * vl, vh at positions lo and hi (0-based; hi = lo + 1 when the position
 * p * (n - 1) = lo + rem / den has a fraction), interpolated as stat.c
 * does, operation for operation */
static const char *stat_percentile(sq *q, const ir_node *n, decimal p,
                                   const char *rows, stat_sq *st)
{
    int64_t den = pow10_i64(p.scale), mant = p.mant;
    if (p.scale > 9) {
        unsupported(q, "a percentile with more than 9 decimal places");
        return "NULL";
    }
    const char *v = cn(q, "v"), *rn = cn(q, "rn"), *cnt = cn(q, "cnt"),
               *lo = cn(q, "lo"), *rem = cn(q, "rem");
    const char *ranked = sub_cte(q, st, "_r", S(q, "SELECT %s, ROW_NUMBER() OVER (ORDER BY %s) AS %s, "
                              "COUNT(*) OVER () AS %s FROM %s WHERE %s "
                              "IS NOT NULL",
                           v, v, rn, cnt, rows, v));
    const char *pos_expr = S(q, "%" PRId64 " * (%s - 1)", mant, cnt);
    const char *placed = sub_cte(q, st, "_p", S(q, "SELECT %s, %s, %s AS %s, %s AS %s FROM %s",
                           v, rn, idiv(q, S(q, "(%s)", pos_expr),
                                       int_lit(q, den)),
                           lo, imod(q, S(q, "(%s)", pos_expr), int_lit(q, den)),
                           rem, ranked));
    const char *vl = cn(q, "vl"), *vh = cn(q, "vh");
    const char *core = S(q, "SELECT MIN(CASE WHEN %s = %s + 1 THEN %s END) AS %s, "
                            "MIN(CASE WHEN %s = %s + CASE WHEN %s > 0 THEN 2 "
                            "ELSE 1 END THEN %s END) AS %s, MIN(%s) AS %s FROM "
                            "%s",
                         rn, lo, v, vl, rn, lo, rem, v, vh, rem, rem, placed);
    const char *fl = T_FLOAT[q->d];
    const type *xt = n->kids[0]->ty;
    if (n->ty->kind == TY_FLOAT) {
        /* vl + rem / den * (vh - vl) */
        const char *frac = S(q, "(CAST(%s AS %s) / %s)", rem, fl,
                             float_lit(q, (double)den));
        if (xt->kind != TY_FLOAT) {
            /* from integers: no step can overflow */
            const char *dl = S(q, "CAST(%s AS %s)", vl, fl),
                       *dh = S(q, "CAST(%s AS %s)", vh, fl);
            return sub_end(q, st, core,
                           E(S(q, "(%s + %s * (%s - %s))", dl, frac, dh, dl),
                             0));
        }
        /* where vh - vl overflows (opposite signs, near the largest
         * double): vl * (1 - rem / den) + vh * rem / den */
        ex fr = mat(q, E(frac, 0));
        ex d = float_op(q, '-', E(vh, 0), E(vl, 0));
        ex near = float_op(q, '+', E(vl, 0), float_op(q, '*', fr, d));
        ex far = float_op(q, '+',
                          float_op(q, '*', E(vl, 0),
                                   E(S(q, "(%s - %s)", float_lit(q, 1), fr.s),
                                     fr.lvl)),
                          float_op(q, '*', E(vh, 0), fr));
        return sub_end(q, st, core,
                       E(S(q, "COALESCE(%s, %s)", near.s, far.s),
                         maxl(near, far)));
    }
    /* money: vl * U + whole * U + half-even(part * U / den), where
     * (vh - vl) * rem = whole * den + part; with vl = al * den + bl and
     * vh = ah * den + bh (floored), vl + whole = W + fl for
     * W = al * (den - rem) + ah * rem + bl and (bh - bl) * rem = fl * den
     * + part: 64-bit steps that overflow only where the result does */
    int64_t u = pow10_i64(n->ty->scale - xt->scale);
    if (u < 2) {
        unsupported(q, "a percentile of an amount with 18 decimal places");
        return "NULL";
    }
    const char *D = int_lit(q, den);
    ex tl = mat(q, E(imod(q, vl, D), 0)), th = mat(q, E(imod(q, vh, D), 0));
    ex al = mat(q, E(S(q, "%s - %s", idiv(q, vl, D), one_if(q, S(q, "%s < 0", tl.s))), 1));
    ex ah = mat(q, E(S(q, "%s - %s", idiv(q, vh, D), one_if(q, S(q, "%s < 0", th.s))), 1));
    ex bl = mat(q, E(S(q, "%s + CASE WHEN %s < 0 THEN %s ELSE 0 END", tl.s, tl.s, D), 1));
    ex bh = mat(q, E(S(q, "%s + CASE WHEN %s < 0 THEN %s ELSE 0 END", th.s, th.s, D), 1));
    ex w = iop(q, '+',
               iop(q, '+', iop(q, '*', al, E(S(q, "(%s - %s)", D, rem), 0)),
                   iop(q, '*', ah, E(rem, 0))),
               bl);
    ex pp = mat(q, E(S(q, "(%s - %s) * %s", bh.s, bl.s, rem), bh.lvl));
    ex pt = mat(q, E(imod(q, pp.s, D), pp.lvl));
    ex fl_ = mat(q, E(S(q, "%s - %s", idiv(q, pp.s, D), one_if(q, S(q, "%s < 0", pt.s))), pt.lvl));
    ex part = mat(q, E(S(q, "%s + CASE WHEN %s < 0 THEN %s ELSE 0 END", pt.s, pt.s, D), pt.lvl));
    ex V = ref(q, iop(q, '+', w, fl_));
    ex hu = mat(q, E(S(q, "%s * %" PRId64, part.s, u), part.lvl));
    ex h = mat(q, E(idiv(q, hu.s, D), hu.lvl));
    ex r2 = mat(q, E(imod(q, hu.s, D), hu.lvl));
    ex hr = mat(q, E(S(q, "%s + %s", h.s,
                       one_if(q, S(q, "2 * %s > %s OR (2 * %s = %s AND %s = 1)",
                                   r2.s, D, r2.s, D, imod(q, h.s, "2")))),
                     maxl(h, r2)));
    return sub_end(q, st, core, scale_add(q, V, u, hr));
}

static ex emit_stat(sq *q, const ir_node *n)
{
    const ir_node *x = n->nkids ? n->kids[0] : NULL;
    bool fl_in = x && x->ty->kind == TY_FLOAT;
    switch (n->stat) {
    case STAT_STDDEV:
        unsupported(q, "stddev() (its value depends on the order in which the "
                       "engine adds up the values, in floating point)");
        return E("NULL", 0);
    case STAT_SUM:
    case STAT_AVG:
        if (fl_in) {
            unsupported(q, "%s", S(q, "%s() of floats (its value depends on the "
                                   "order in which the engine adds them up)",
                                   n->stat == STAT_SUM ? "sum" : "avg"));
            return E("NULL", 0);
        }
        break;
    default:
        break;
    }
    ex xe = x ? emit(q, x) : E(NULL, 0);
    ex f = n->filter ? emit(q, n->filter) : E(NULL, 0);
    int lvl = maxl(x ? xe : E(NULL, 0), f);
    const char *from = stat_from(q, lvl),
               *where = f.s ? S(q, " WHERE %s", f.s) : "";
    const char *r = NULL;
    stat_sq st;
    switch (n->stat) {
    case STAT_COUNT:
        r = S(q, "(SELECT COUNT(%s) FROM %s%s)", x ? xe.s : "*", from, where);
        break;
    case STAT_MIN:
    case STAT_MAX:
        r = S(q, "(SELECT %s(%s) FROM %s%s)", n->stat == STAT_MIN ? "MIN" : "MAX",
              xe.s, from, where);
        break;
    case STAT_SUM:
        sub_begin(q, &st);
        r = stat_sum(q, sub_cte(q, &st, "_v", stat_rows(q, xe, f, lvl)), &st);
        break;
    case STAT_AVG:
        sub_begin(q, &st);
        r = n->ty->kind == TY_MONEY
                ? stat_avg_money(q, n, sub_cte(q, &st, "_v", stat_rows(q, xe, f, lvl)), &st)
                : stat_avg_int(q, sub_cte(q, &st, "_v", stat_rows(q, xe, f, lvl)), &st);
        break;
    case STAT_MEDIAN:
    case STAT_PERCENTILE: {
        decimal half = {5, 1};
        sub_begin(q, &st);
        r = stat_percentile(q, n, n->stat == STAT_MEDIAN ? half : n->pct,
                            sub_cte(q, &st, "_v", stat_rows(q, xe, f, lvl)), &st);
        break;
    }
    case STAT_STDDEV:
        break;
    }
    return mat(q, E(r ? r : "NULL", lvl));
}

/* ---- scores -------------------------------------------------------------------------
 * With the n values of the population (non-null, where the filter holds)
 * and c of them below x, 1 + the number of cut points below x is
 * 1 + floor(c * k / n) - (c = n): the cut point at (1-based) position r
 * is taken floor(r k / n) - floor((r - 1) k / n) times, less once at
 * r = n, and the counts telescope. c and n are window sums over the whole
 * table, so every record gets its score in one pass. */
static ex emit_ntile(sq *q, const ir_node *n)
{
    ex x = emit_ref(q, n->kids[0]);
    ex f = n->filter ? emit(q, n->filter) : E(NULL, 0);
    ex flag = mat(q, E(S(q, "CASE WHEN %s IS NOT NULL%s%s THEN 1 ELSE 0 END",
                         x.s, f.s ? " AND " : "", f.s ? f.s : ""),
                       maxl(x, f)));
    /* BigQuery orders a RANGE frame by a number only */
    const char *key = x.s;
    if (q->d == SQL_BIGQUERY && n->kids[0]->ty->kind == TY_DATE)
        key = S(q, "UNIX_DATE(%s)", x.s);
    const char *sum = q->d == SQL_DUCKDB ? "CAST(SUM(%s) OVER (%s) AS BIGINT)"
                                         : "SUM(%s) OVER (%s)";
    int l = maxl(x, flag);
    ex total = mat(q, E(S(q, sum, flag.s, ""), l));
    ex below = mat(q, E(S(q, "%s - %s",
                          S(q, sum, flag.s, S(q, "ORDER BY %s RANGE BETWEEN "
                                                 "UNBOUNDED PRECEDING AND "
                                                 "CURRENT ROW", key)),
                          S(q, sum, flag.s, S(q, "ORDER BY %s RANGE BETWEEN "
                                                 "CURRENT ROW AND CURRENT ROW",
                                              key))),
                        l));
    return E(S(q, "CASE WHEN %s IS NULL THEN NULL WHEN %s = 0 THEN 1 ELSE 1 + "
                  "%s - %s END",
               x.s, total.s, idiv(q, S(q, "(%s * %d)", below.s, n->k), total.s),
               one_if(q, S(q, "%s = %s", below.s, total.s))),
             maxl(total, below));
}

/* ---- functions of strings and sets -------------------------------------------------- */

/* lower() and upper(): exactly segc's case mapping (text_case: ASCII,
 * Latin-1, Latin Extended-A), never the engine's, which maps more letters
 * and depends on the locale. A chain of them (upper(lower(s))) maps each
 * character on its own, so it is one map g, taken from text_case itself;
 * the SQL is translate(s, FROM, TO) (SQLite, which has no translate(): a
 * replace() per character).
 *
 * Where the result is compared with literals (=, in, starts_with, ...),
 * only the characters that appear in a literal or that g maps to one
 * need mapping: a string whose other characters are left as they are
 * equals a literal exactly when its image under g does (a character that
 * g would change and that is left alone is in no literal, so the two
 * differ either way). lits is NULL for the full map. */

typedef struct case_chain {
    str_fn fn[64]; /* outermost first */
    int n;
} case_chain;

/* g(c) for the chain, as UTF-8 into out (false: out of memory) */
static bool chain_map(const case_chain *ch, const char *in, size_t len, buf *out)
{
    buf a, b;
    buf_init(&a, out->m);
    buf_init(&b, out->m);
    bool ok = buf_append(&a, in, len);
    for (int i = ch->n - 1; ok && i >= 0; i--) {
        b.len = 0;
        ok = text_case(a.p ? a.p : "", a.len, ch->fn[i] == SF_UPPER, &b);
        buf t = a;
        a = b;
        b = t;
    }
    out->len = 0;
    ok = ok && buf_append(out, a.p ? a.p : "", a.len);
    buf_free(&a);
    buf_free(&b);
    return ok;
}

static bool in_lits(const ir_value *lits, uint32_t nlits, const char *c,
                    size_t len)
{
    for (uint32_t i = 0; i < nlits; i++)
        for (uint32_t k = 0; k + len <= lits[i].str.len; k++)
            if (memcmp(lits[i].str.s + k, c, len) == 0)
                return true;
    return false;
}

static ex case_map(sq *q, ex a, const case_chain *ch, const ir_value *lits,
                   uint32_t nlits)
{
    buf from, to, one;
    buf_init(&from, q->m);
    buf_init(&to, q->m);
    buf_init(&one, q->m);
    ex r = a;
    int chain = 0;
    for (uint32_t c = 1; c < 0x800; c++) {
        char in[2];
        size_t len = 0;
        if (c < 0x80) {
            in[len++] = (char)c;
        } else {
            in[len++] = (char)(0xC0 | c >> 6);
            in[len++] = (char)(0x80 | (c & 0x3F));
        }
        if (!chain_map(ch, in, len, &one) ||
            (one.len == len && memcmp(one.p, in, len) == 0))
            continue;
        if (lits && !in_lits(lits, nlits, in, len) &&
            !in_lits(lits, nlits, one.p, one.len))
            continue;
        buf_append(&from, in, len);
        buf_append(&to, one.p, one.len);
        if (q->d != SQL_SQLITE)
            continue;
        /* in columns of twelve: SQLite's parser allows about 35 nested
         * calls */
        if (chain == 12) {
            r = mat(q, r);
            chain = 0;
        }
        r = E(S(q, "replace(%s, %s, %s)", r.s, qstr(q, in, len),
                qstr(q, one.p, one.len)),
              r.lvl);
        chain++;
    }
    if (q->d != SQL_SQLITE && from.len)
        r = E(S(q, "translate(%s, %s, %s)", a.s, qstr(q, from.p, from.len),
                qstr(q, to.p, to.len)),
              a.lvl);
    buf_free(&one);
    buf_free(&from);
    buf_free(&to);
    return r;
}

/* n is lower() or upper() (of lower() or upper() ...) of base: the chain */
static const ir_node *case_chain_of(const ir_node *n, case_chain *ch)
{
    ch->n = 0;
    while (n->op == IR_STRFN && (n->sfn == SF_LOWER || n->sfn == SF_UPPER) &&
           ch->n < 64) {
        ch->fn[ch->n++] = n->sfn;
        n = n->kids[0];
    }
    return n;
}

static bool is_case_fn(const ir_node *n)
{
    return n->op == IR_STRFN && (n->sfn == SF_LOWER || n->sfn == SF_UPPER);
}

static const char *str_pred(sq *q, str_fn fn, const char *a, const ir_value *v)
{
    const char *lit = qstr(q, v->str.s, v->str.len);
    size_t k = utf8_count(v->str.s, v->str.len);
    if (v->str.len == 0)
        return true_unless_null(q, a);
    switch (fn) {
    case SF_STARTS_WITH:
        switch (q->d) {
        case SQL_SQLITE:
            return S(q, "(substr(%s, 1, %zu) = %s)", a, k, lit);
        case SQL_BIGQUERY:
            return S(q, "STARTS_WITH(%s, %s)", a, lit);
        case SQL_SPARK:
            return S(q, "startswith(%s, %s)", a, lit);
        default:
            return S(q, "starts_with(%s, %s)", a, lit);
        }
    case SF_ENDS_WITH:
        switch (q->d) {
        case SQL_POSTGRES:
            return S(q, "(right(%s, %zu) = %s)", a, k, lit);
        case SQL_DUCKDB:
            return S(q, "ends_with(%s, %s)", a, lit);
        case SQL_BIGQUERY:
            return S(q, "ENDS_WITH(%s, %s)", a, lit);
        case SQL_SPARK:
            return S(q, "endswith(%s, %s)", a, lit);
        default:
            /* the last k characters (all of a shorter string) */
            return S(q, "(substr(%s, -%zu) = %s)", a, k, lit);
        }
    default: /* SF_CONTAINS */
        switch (q->d) {
        case SQL_DUCKDB:
            return S(q, "contains(%s, %s)", a, lit);
        case SQL_SQLITE:
        case SQL_SPARK:
            return S(q, "(instr(%s, %s) > 0)", a, lit);
        default:
            return S(q, "(strpos(%s, %s) > 0)", a, lit);
        }
    }
}

static const char *set_size(sq *q, const char *a)
{
    switch (q->d) {
    case SQL_POSTGRES:
    case SQL_TRINO:
        return S(q, "cardinality(%s)", a);
    case SQL_DUCKDB:
        return S(q, "len(%s)", a);
    case SQL_SQLITE:
        return S(q, "CASE WHEN %s = '' THEN 0 ELSE length(%s) - length("
                    "replace(%s, ';', '')) + 1 END",
                 a, a, a);
    case SQL_BIGQUERY:
        return S(q, "ARRAY_LENGTH(%s)", a);
    case SQL_SPARK:
        return S(q, "array_size(%s)", a);
    }
    return "NULL";
}

/* the function of a string or set field's value a (a column): the SQL of
 * the IR_DICTFN's body, with SQL's nulls where dfn_eval has its own */
static ex emit_dfn(sq *q, const ir_node *n, ex a, int depth);

/* n over its first operand x (already written) */
static ex dfn_op(sq *q, const ir_node *n, ex x, ex a, int depth)
{
    switch (n->op) {
    case IR_ISNULL:
        return E(S(q, "(%s IS NULL)", x.s), x.lvl);
    case IR_NOT:
        return E(S(q, "(NOT %s)", x.s), x.lvl);
    case IR_CMP: {
        ex y = emit_dfn(q, n->kids[1], a, depth + 1);
        return E(S(q, "(%s %s %s)", x.s, cmp_text(n->cmp), y.s), maxl(x, y));
    }
    case IR_IN: {
        buf b;
        buf_init(&b, q->m);
        for (uint32_t i = 0; i < n->nlist; i++)
            buf_printf(&b, "%s%s", i ? ", " : "",
                       qstr(q, n->list[i].str.s, n->list[i].str.len));
        if (n->list_has_null)
            buf_puts(&b, ", NULL");
        const char *r = S(q, "(%s IN (%s))", x.s, buf_cstr(&b));
        buf_free(&b);
        return E(r, x.lvl);
    }
    case IR_STRFN:
        break;
    default:
        unsupported(q, "%s", S(q, "the operation '%s' inside a string function",
                               ir_op_name(n->op)));
        return E("NULL", 0);
    }
    switch (n->sfn) {
    case SF_LOWER:
    case SF_UPPER: {
        case_chain ch = {{n->sfn}, 1};
        return case_map(q, x, &ch, NULL, 0);
    }
    case SF_LENGTH:
        return E(S(q, "CAST(length(%s) AS %s)", x.s, T_INT[q->d]), x.lvl);
    case SF_STARTS_WITH:
    case SF_ENDS_WITH:
    case SF_CONTAINS:
        return E(str_pred(q, n->sfn, x.s, &n->v), x.lvl);
    case SF_SIZE:
        return E(S(q, "CAST(%s AS %s)", set_size(q, x.s), T_INT[q->d]), x.lvl);
    case SF_HAS:
        return set_contains(q, x, n->v.str.s, n->v.str.len);
    case SF_HAS_ANY:
    case SF_HAS_ALL: {
        bool all = n->sfn == SF_HAS_ALL;
        if (n->nlist == 0)
            return E(all ? true_unless_null(q, x.s) : false_unless_null(q, x.s),
                     x.lvl);
        buf b;
        buf_init(&b, q->m);
        buf_putc(&b, '(');
        for (uint32_t i = 0; i < n->nlist; i++)
            buf_printf(&b, "%s%s", i ? (all ? " AND " : " OR ") : "",
                       set_contains(q, x, n->list[i].str.s,
                                    n->list[i].str.len).s);
        buf_putc(&b, ')');
        const char *r = S(q, "%s", buf_cstr(&b));
        buf_free(&b);
        return E(r, x.lvl);
    }
    }
    return E("NULL", 0);
}

static ex emit_dfn(sq *q, const ir_node *n, ex a, int depth)
{
    if (depth > 1000) {
        unsupported(q, "a function nested this deep");
        return E("NULL", 0);
    }
    switch (n->op) {
    case IR_DICTARG:
        return a;
    case IR_CONST:
        return E(lit(q, n, n->is_null ? NUL() : n->ty->kind == TY_FLOAT ? F(n->v.f)
                                                                      : I(n->v.i)),
                 0);
    case IR_IN:
        /* an empty list is false even for a null value (dfn_eval) */
        if (n->nlist == 0)
            return E(n->list_has_null ? "NULL" : bool_lit(q, false), 0);
        break;
    default:
        break;
    }
    if (!n->nkids) {
        unsupported(q, "%s", S(q, "the operation '%s' inside a string function",
                               ir_op_name(n->op)));
        return E("NULL", 0);
    }
    const ir_node *k0 = n->kids[0];
    if (!is_case_fn(k0) || is_case_fn(n))
        return dfn_op(q, n, emit_dfn(q, k0, a, depth + 1), a, depth);
    /* lower()/upper() (a chain of them) read by n */
    case_chain ch;
    ex x = emit_dfn(q, case_chain_of(k0, &ch), a, depth + 1);
    if (n->op == IR_ISNULL)
        return dfn_op(q, n, x, a, depth); /* the map keeps nulls */
    if (n->op == IR_STRFN && n->sfn == SF_LENGTH)
        return dfn_op(q, n, x, a, depth); /* and the characters' number */
    const ir_value *lits = NULL;
    uint32_t nlits = 0;
    if (n->op == IR_CMP && n->kids[1]->op == IR_CONST) {
        lits = &n->kids[1]->v;
        nlits = n->kids[1]->is_null ? 0 : 1;
    } else if (n->op == IR_IN) {
        lits = n->list;
        nlits = n->nlist;
    } else if (n->op == IR_STRFN) {
        lits = &n->v;
        nlits = 1;
    }
    return dfn_op(q, n, case_map(q, x, &ch, lits, nlits), a, depth);
}

static ex emit_dictfn(sq *q, const ir_node *n)
{
    return emit_dfn(q, n->fn, emit(q, n->kids[0]), 0);
}

/* ---- parts of dates ------------------------------------------------------------------ */

/* the day number of timestamp seconds a (floored) */
static ex ts_days(sq *q, ex a)
{
    ex ts = ref(q, a);
    const char *mod = q->d == SQL_BIGQUERY ? S(q, "MOD(%s, 86400)", ts.s)
                                           : S(q, "(%s %% 86400)", ts.s);
    ex tod = ref(q, E(q->d == SQL_BIGQUERY
                          ? S(q, "MOD(%s + 86400, 86400)", mod)
                          : S(q, "((%s + 86400) %% 86400)", mod),
                      ts.lvl));
    return E(exact_div(q, S(q, "(%s - %s)", ts.s, tod.s), SECS_PER_DAY),
             tod.lvl);
}

/* a day number as a DATE (not SQLite) */
static const char *date_of_days(sq *q, const char *days)
{
    switch (q->d) {
    case SQL_BIGQUERY:
        return S(q, "DATE_FROM_UNIX_DATE(%s)", days);
    case SQL_SPARK:
        return S(q, "date_from_unix_date(CAST(%s AS INT))", days);
    case SQL_TRINO:
        return S(q, "date_add('day', %s, %s)", days, zero_day(q));
    default:
        return S(q, "(%s + CAST(%s AS INTEGER))", zero_day(q), days);
    }
}

/* SQLite: year, month or day of a day number, from strftime, which knows
 * the years 0 to 9999: the date is moved by whole 400-year cycles into
 * 1600..1999 first (the Gregorian calendar repeats every 146097 days) */
static ex sqlite_part(sq *q, date_part part, ex days)
{
    static const char *const fmt[] = {[DP_YEAR] = "%Y", [DP_MONTH] = "%m",
                                      [DP_DAY] = "%d"};
    int64_t base = cal_days_from_civil(1600, 1, 1);
    ex dr = ref(q, days);
    ex off = ref(q, E(S(q, "(((%s - (%" PRId64 ")) %% 146097 + 146097) %% "
                           "146097)",
                        dr.s, base),
                      dr.lvl));
    const char *f = S(q, "CAST(strftime('%s', %" PRId64 " + %s + 2440587.5) AS "
                         "INTEGER)",
                      fmt[part], base, off.s);
    if (part != DP_YEAR)
        return E(f, off.lvl);
    return E(S(q, "(%s + 400 * ((%s - (%" PRId64 ") - %s) / 146097))", f, dr.s,
               base, off.s),
             off.lvl);
}

static ex emit_datepart(sq *q, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    bool is_ts = x->ty->kind == TY_TIMESTAMP;
    ex a = emit(q, x);
    const char *asof = date_lit(q, q->t.as_of_date);
    date_part part = n->part;
    if (q->d == SQL_SQLITE || is_ts) {
        /* from the day number */
        ex days = is_ts ? ts_days(q, a) : a;
        if (part == DP_DAYS_SINCE)
            return E(S(q, "(%" PRId64 " - %s)", q->t.as_of_date, days.s),
                     days.lvl);
        if (part == DP_WEEKDAY) {
            /* 1970-01-01 was a Thursday */
            const char *m = imod(q, S(q, "(%s + 3)", days.s), "7");
            return E(S(q, "(%s + 1)", imod(q, S(q, "(%s + 7)", m), "7")),
                     days.lvl);
        }
        if (q->d == SQL_SQLITE) {
            if (x->op == IR_FIELD && !is_ts) {
                /* a column: its text is a date of the years 1 to 9999 */
                static const char *const fmt[] = {
                    [DP_YEAR] = "%Y", [DP_MONTH] = "%m", [DP_DAY] = "%d"};
                return E(S(q, "CAST(strftime('%s', %s) AS INTEGER)", fmt[part],
                           qid(q, q->sch->fields[x->field].name)),
                         0);
            }
            return sqlite_part(q, part, days);
        }
        a = E(date_of_days(q, days.s), days.lvl);
    }
    const char *d = a.s;
    switch (part) {
    case DP_DAYS_SINCE:
        switch (q->d) {
        case SQL_POSTGRES:
            return E(S(q, "CAST(%s - %s AS BIGINT)", asof, d), a.lvl);
        case SQL_BIGQUERY:
            return E(S(q, "DATE_DIFF(%s, %s, DAY)", asof, d), a.lvl);
        case SQL_SPARK:
            return E(S(q, "CAST(datediff(%s, %s) AS BIGINT)", asof, d), a.lvl);
        default:
            return E(S(q, "date_diff('day', %s, %s)", d, asof), a.lvl);
        }
    case DP_WEEKDAY:
        switch (q->d) {
        case SQL_POSTGRES:
            return E(S(q, "CAST(EXTRACT(ISODOW FROM %s) AS BIGINT)", d), a.lvl);
        case SQL_DUCKDB:
            return E(S(q, "isodow(%s)", d), a.lvl);
        case SQL_BIGQUERY:
            return E(S(q, "MOD(EXTRACT(DAYOFWEEK FROM %s) + 5, 7) + 1", d),
                     a.lvl);
        case SQL_SPARK:
            return E(S(q, "CAST(weekday(%s) + 1 AS BIGINT)", d), a.lvl);
        default:
            return E(S(q, "day_of_week(%s)", d), a.lvl);
        }
    default: {
        const char *what = part == DP_YEAR ? "YEAR" : part == DP_MONTH ? "MONTH"
                                                                      : "DAY";
        const char *e = S(q, "CAST(EXTRACT(%s FROM %s) AS %s)", what, d,
                          T_INT[q->d]);
        if (part == DP_YEAR && q->d == SQL_POSTGRES && x->op != IR_FIELD) {
            /* PostgreSQL counts the years before 1 as 1 BC, 2 BC, ...
             * (-1, -2); segc as 0, -1 */
            ex dr = ref(q, a);
            e = S(q, "CAST(EXTRACT(YEAR FROM %s) AS BIGINT) + CASE WHEN %s < "
                     "DATE '0001-01-01' THEN 1 ELSE 0 END",
                  dr.s, dr.s);
            return E(e, dr.lvl);
        }
        return E(e, a.lvl);
    }
    }
}

static ex emit_node(sq *q, const ir_node *n)
{
    cval c = fold(q, n);
    if (c.state != CV_NO)
        return E(lit(q, n, c), 0);
    switch (n->op) {
    case IR_CONST:
        return E(lit(q, n, c), 0);
    case IR_FIELD:
        return emit_field(q, n);
    case IR_ASOF:
        return E(lit(q, n, c), 0); /* always folded */
    case IR_NEG:
        if (n->ty->kind == TY_FLOAT) {
            ex a = emit(q, n->kids[0]);
            return E(S(q, "(-%s)", a.s), a.lvl);
        }
        return int_arith(q, '-', E("0", 0), emit(q, n->kids[0]));
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV: {
        char op = n->op == IR_ADD ? '+' : n->op == IR_SUB ? '-'
                                      : n->op == IR_MUL ? '*' : '/';
        if (n->ty->kind == TY_FLOAT)
            return float_arith(q, op, n->kids[0], n->kids[1]);
        if (op == '/')
            break;
        return int_arith(q, op, emit(q, n->kids[0]), emit(q, n->kids[1]));
    }
    case IR_TO_FLOAT:
        return emit_to_float(q, n);
    case IR_UNITS:
        return emit(q, n->kids[0]);
    case IR_TO_TS:
        return emit_to_ts(q, n);
    case IR_RESCALE:
        return int_arith(q, '*', emit(q, n->kids[0]),
                         E(int_lit(q, pow10_i64(n->scale_up)), 0));
    case IR_SHIFT:
        return emit_shift(q, n);
    case IR_CMP:
        return emit_cmp(q, n);
    case IR_IN:
        return emit_in(q, n);
    case IR_CONTAINS:
        return emit_contains(q, n);
    case IR_ISNULL: {
        ex a = emit(q, n->kids[0]);
        return E(S(q, "(%s IS NULL)", a.s), a.lvl);
    }
    case IR_AND:
    case IR_OR:
        return emit_logic(q, n);
    case IR_NOT: {
        ex a = emit(q, n->kids[0]);
        return E(S(q, "(NOT %s)", a.s), a.lvl);
    }
    case IR_ISTRUE: {
        /* a segment used in another: a member or not, never unknown */
        ex a = emit(q, n->kids[0]);
        return E(S(q, "COALESCE(%s, %s)", a.s, bool_lit(q, false)), a.lvl);
    }
    case IR_STAT:
        return emit_stat(q, n);
    case IR_NTILE:
        return emit_ntile(q, n);
    case IR_DICTFN:
        return emit_dictfn(q, n);
    case IR_DATEPART:
        return emit_datepart(q, n);
    case IR_EVAGG:
    case IR_EVFIELD:
        /* docs/sql.md: event histories are not translated yet */
        unsupported(q, "%s", S(q, "an aggregate over the events of '%s' "
                               "(event histories are not translated to SQL "
                               "yet)",
                               q->p->sch->fields[n->op == IR_EVAGG
                                                     ? n->field
                                                     : n->evlist].name));
        return E("NULL", 0);
    default:
        break;
    }
    unsupported(q, "%s", S(q, "the operation '%s' (not yet supported by the SQL "
                       "backend)", ir_op_name(n->op)));
    return E("NULL", 0);
}

static ex emit(sq *q, const ir_node *n)
{
    if (!q->memo[n->id].s) {
        ex e = emit_node(q, n);
        /* how deep the expression nests, roughly (IR levels): a deep one
         * becomes a column, so that no engine's parser meets deep nesting
         * (SQLite's allows about 35 nested parentheses) */
        int depth = 0;
        for (uint32_t i = 0; i < n->nkids; i++)
            if (q->memo[n->kids[i]->id].s && q->depth[n->kids[i]->id] > depth)
                depth = q->depth[n->kids[i]->id];
        depth++;
        bool open = fold(q, n).state == CV_NO && !simple(e.s);
        /* a value read by several parents (a segment used in others) is
         * written once, as a column */
        if (open && (q->uses[n->id] > 1 ||
                     depth > (q->d == SQL_SQLITE ? 8 : 32))) {
            e = mat(q, e);
            depth = 0;
        }
        q->depth[n->id] = (uint16_t)depth;
        q->memo[n->id] = e;
    }
    return q->memo[n->id];
}

/* counts the parents of every node below n (each node's kids once) */
static void count_uses(sq *q, const ir_node *n, uint8_t *seen)
{
    if (seen[n->id])
        return;
    seen[n->id] = 1;
    for (uint32_t i = 0; i < n->nkids; i++) {
        q->uses[n->kids[i]->id]++;
        count_uses(q, n->kids[i], seen);
    }
    if (n->filter) {
        q->uses[n->filter->id]++;
        count_uses(q, n->filter, seen);
    }
}

/* ---- the query ----------------------------------------------------------------- */

/* A name no field or segment starts with, for materialized columns. */
static void pick_prefix(sq *q)
{
    snprintf(q->prefix, sizeof q->prefix, "_segc");
    for (;;) {
        size_t n = strlen(q->prefix);
        bool clash = false;
        for (size_t i = 0; i < q->sch->nfields && !clash; i++)
            clash = strncmp(q->sch->fields[i].name, q->prefix, n) == 0;
        for (size_t i = 0; i < q->p->nsegs && !clash; i++)
            clash = strncmp(q->p->segs[i].name, q->prefix, n) == 0;
        if (!clash || n + 2 >= sizeof q->prefix)
            return;
        q->prefix[n] = '_';
        q->prefix[n + 1] = 0;
    }
}

/* a comment line: control characters would end it early */
static void comment(buf *out, const char *s)
{
    buf_puts(out, "-- ");
    for (; *s; s++)
        buf_putc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
    buf_putc(out, '\n');
}

/* The WITH clause: one common table expression per level of materialized
 * columns, each adding its columns to the one before (the first to the
 * table). Flat, so that no engine's parser meets deep nesting. */
static void write_with(sq *q, buf *out, const char *table, int levels)
{
    const col *cs = (const col *)(const void *)q->main.p;
    size_t nc = VEC_LEN(&q->main, col);
    for (int l = 1; l <= levels; l++) {
        const char *prev = qid(q, S(q, "%s_l%d", q->prefix, l - 1));
        /* a layer that a statistic reads too is computed once: SQLite
         * would otherwise compute it again for each reader (PostgreSQL
         * and DuckDB do this by themselves) */
        bool twice = q->d == SQL_SQLITE && l < (int)sizeof q->read_twice &&
                     q->read_twice[l];
        buf_printf(out, "%s%s AS %s(\n  SELECT %s.*", l == 1 ? "WITH " : ",\n",
                   qid(q, S(q, "%s_l%d", q->prefix, l)),
                   twice ? "MATERIALIZED " : "", prev);
        for (size_t i = 0; i < nc; i++)
            if (cs[i].lvl == l)
                buf_printf(out, ",\n    %s AS %s", cs[i].def, cs[i].name);
        if (l == 1)
            buf_printf(out, "\n  FROM %s AS %s)", table, prev);
        else
            buf_printf(out, "\n  FROM %s)", prev);
    }
    if (levels)
        buf_putc(out, '\n');
}

bool sql_query(mem *m, const ir_program *p, const sql_opts *o, diag_list *d,
               buf *out)
{
    sq q;
    memset(&q, 0, sizeof q);
    q.m = m;
    arena_init(&q.a, m);
    q.p = p;
    q.sch = p->sch;
    q.d = o->dialect;
    q.t = eval_time_of(o->as_of);
    q.diags = d;
    buf_init(&q.main, m);
    q.cols = &q.main;
    size_t nn = (size_t)p->nnodes + 1;
    q.cv = mem_array(m, nn, sizeof *q.cv);
    q.cv_done = mem_zalloc(m, nn);
    q.memo = mem_array(m, nn, sizeof *q.memo);
    q.refs = mem_array(m, nn, sizeof *q.refs);
    q.uses = mem_zalloc(m, nn * sizeof *q.uses);
    q.depth = mem_zalloc(m, nn * sizeof *q.depth);
    uint8_t *seen = mem_zalloc(m, nn);
    bool ok = false;
    ex *segs = mem_array(m, p->nsegs + 1, sizeof *segs);
    if (!q.cv || !q.cv_done || !q.memo || !q.refs || !q.uses || !q.depth ||
        !seen || !segs)
        goto done;
    memset(q.memo, 0, nn * sizeof *q.memo);
    memset(q.refs, 0, nn * sizeof *q.refs);
    for (size_t s = 0; s < p->nsegs; s++) {
        q.uses[p->segs[s].root->id]++;
        count_uses(&q, p->segs[s].root, seen);
    }
    pick_prefix(&q);

    buf table;
    buf_init(&table, m);
    const char *tname = o->table && *o->table ? o->table : "customers";
    if (!quote_table(&table, q.d, tname)) {
        diag_place(d, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "bad table name '%s' (an empty part between dots)", tname);
        buf_free(&table);
        goto done;
    }
    const char *tab = arena_strndup(&q.a, table.p, table.len);
    buf_free(&table);
    q.tab = tab;

    int levels = 0;
    for (size_t s = 0; s < p->nsegs; s++) {
        q.seg = p->segs[s].name;
        segs[s] = emit(&q, p->segs[s].root);
        if (segs[s].lvl > levels)
            levels = segs[s].lvl;
    }
    if (q.bad || m->failed)
        goto done;

    char when[40];
    cal_format_ts(o->as_of, when, sizeof when);
    char head[512];
    snprintf(head, sizeof head, "segc sql: %.200s, %s dialect, as of %s%s",
             p->source_name, sql_dialect_name(q.d), when,
             o->counts ? ", member counts" : "");
    comment(out, head);
    /* the parameters in effect: the query holds their values */
    for (size_t i = 0; i < p->nparams; i++) {
        const char *line = S(&q, "parameter %s = %s", p->params[i].name,
                             p->params[i].value ? p->params[i].value : "?");
        comment(out, line);
    }
    write_with(&q, out, tab, levels);
    buf_puts(out, "SELECT");
    const char *key = qid(&q, q.sch->fields[q.sch->key].name);
    if (!o->counts)
        buf_printf(out, "\n  %s", key);
    else if (p->nsegs == 0)
        buf_printf(out, "\n  COUNT(*) AS %s", qid(&q, "records"));
    for (size_t s = 0; s < p->nsegs; s++) {
        const ir_segment *sg = &p->segs[s];
        const char *name = qid(&q, sg->name);
        buf_puts(out, s || !o->counts ? ",\n" : "\n");
        if (sg->description) {
            const char *line = sg->description;
            while (*line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                buf_puts(out, "  ");
                char *t = arena_strndup(&q.a, line, len);
                if (t)
                    comment(out, t);
                line += len + (nl != NULL);
            }
        }
        /* a member only where the condition is TRUE: not FALSE, not NULL */
        if (!o->counts)
            buf_printf(out, "  CASE WHEN %s THEN %s ELSE %s END AS %s",
                       segs[s].s, bool_lit(&q, true), bool_lit(&q, false),
                       name);
        else if (q.d == SQL_BIGQUERY)
            buf_printf(out, "  COUNTIF(%s) AS %s", segs[s].s, name);
        else
            buf_printf(out, "  COUNT(*) FILTER (WHERE %s) AS %s", segs[s].s,
                       name);
    }
    buf_printf(out, "\nFROM %s\n",
               levels ? qid(&q, S(&q, "%s_l%d", q.prefix, levels)) : tab);
    ok = !m->failed;
done:
    mem_free(m, segs, (p->nsegs + 1) * sizeof *segs);
    mem_free(m, q.cv, nn * sizeof *q.cv);
    mem_free(m, q.cv_done, nn);
    mem_free(m, q.memo, nn * sizeof *q.memo);
    mem_free(m, q.refs, nn * sizeof *q.refs);
    mem_free(m, q.uses, nn * sizeof *q.uses);
    mem_free(m, q.depth, nn * sizeof *q.depth);
    mem_free(m, seen, nn);
    buf_free(&q.main);
    arena_free(&q.a);
    return ok && !q.bad;
}

/* ---- CREATE TABLE ------------------------------------------------------------------ */

static const char *column_type(const schema_field *f, sql_dialect d,
                               char *b, size_t cap)
{
    switch (f->ty->kind) {
    case TY_BOOL:
        return d == SQL_SQLITE ? "INTEGER" : d == SQL_BIGQUERY ? "BOOL"
                                                               : "BOOLEAN";
    case TY_INT:
        return T_INT[d];
    case TY_FLOAT:
        return T_FLOAT[d];
    case TY_MONEY:
        if (d == SQL_SQLITE)
            return "INTEGER"; /* a count of the currency's minor unit */
        if (d == SQL_BIGQUERY)
            return "NUMERIC";
        snprintf(b, cap, "%s(%d, %d)",
                 d == SQL_POSTGRES ? "NUMERIC" : "DECIMAL", 19 + f->ty->scale,
                 f->ty->scale);
        return b;
    case TY_STRING:
    case TY_ENUM:
        return T_TEXT[d];
    case TY_DATE:
        return d == SQL_SQLITE ? "TEXT" : "DATE";
    case TY_TIMESTAMP:
        switch (d) {
        case SQL_POSTGRES:
        case SQL_DUCKDB:
            return "TIMESTAMPTZ";
        case SQL_SQLITE:
            return "TEXT";
        case SQL_TRINO:
            return "TIMESTAMP(0) WITH TIME ZONE";
        default:
            return "TIMESTAMP";
        }
    case TY_SET:
        switch (d) {
        case SQL_POSTGRES:
            return "TEXT[]";
        case SQL_DUCKDB:
            return "VARCHAR[]";
        case SQL_SQLITE:
            return "TEXT"; /* elements joined by ';' */
        case SQL_TRINO:
            return "ARRAY(VARCHAR)";
        default:
            return "ARRAY<STRING>";
        }
    default:
        return "TEXT";
    }
}

bool sql_create_table(mem *m, const schema *s, const sql_opts *o, buf *out)
{
    (void)m;
    const char *tname = o->table && *o->table ? o->table : "customers";
    buf_printf(out, "-- segc: table for schema %s, %s dialect\n", s->name,
               sql_dialect_name(o->dialect));
    buf_puts(out, "CREATE TABLE ");
    if (!quote_table(out, o->dialect, tname))
        return false;
    buf_puts(out, " (");
    for (size_t i = 0; i < s->nfields; i++) {
        const schema_field *f = &s->fields[i];
        char b[64];
        buf_puts(out, i ? ",\n  " : "\n  ");
        quote_id_buf(out, o->dialect, f->name, strlen(f->name));
        buf_printf(out, " %s", column_type(f, o->dialect, b, sizeof b));
        bool array = f->ty->kind == TY_SET && o->dialect == SQL_BIGQUERY;
        if (!f->nullable && !array)
            buf_puts(out, " NOT NULL");
        if (f->is_key && o->dialect != SQL_BIGQUERY &&
            o->dialect != SQL_SPARK && o->dialect != SQL_TRINO)
            buf_puts(out, " PRIMARY KEY");
        if (f->ty->kind == TY_ENUM && o->dialect != SQL_BIGQUERY &&
            o->dialect != SQL_SPARK && o->dialect != SQL_TRINO) {
            buf_puts(out, " CHECK (");
            quote_id_buf(out, o->dialect, f->name, strlen(f->name));
            buf_puts(out, " IN (");
            for (uint32_t k = 0; k < f->ty->enm->n; k++) {
                if (k)
                    buf_puts(out, ", ");
                quote_str_buf(out, o->dialect, f->ty->enm->values[k],
                              strlen(f->ty->enm->values[k]));
            }
            buf_puts(out, "))");
        }
    }
    buf_puts(out, "\n);\n");
    return !m->failed;
}
