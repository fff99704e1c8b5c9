/* interp.c - the reference interpreter (interp_).
 *
 * A value is an integer (bool, int, money, date, timestamp, enum index,
 * string or set id), a double, or null. Conditions use Kleene's three-valued
 * logic; a record is a member when its condition is true. Arithmetic that
 * overflows, divides by zero or produces NaN gives null.
 */
#include <math.h>

#include "interp.h"
#include "value.h"

typedef struct val {
    int64_t i;
    double f;
    bool null;
} val;

typedef struct interp {
    mem *m;
    const ir_program *p;
    const schema *sch;
    const dataset *d;
    const eval_bound *b; /* per node id */
} interp;

static const val NULLV = {0, 0, true};

static val ival(int64_t i)
{
    val v = {i, 0, false};
    return v;
}

static val fval(double f)
{
    val v = {0, f, !isfinite(f)}; /* NaN and the infinities are null */
    return v;
}

/* ---- evaluation ---------------------------------------------------------------------- */

static val eval(const interp *ip, const ir_node *n, const unsigned char *rec);

static bool is_null_field(const interp *ip, const schema_field *f,
                          const unsigned char *rec)
{
    return schema_is_null(f, rec, ip->sch->null_offset);
}

static val eval_field(const interp *ip, const ir_node *n,
                      const unsigned char *rec)
{
    const schema_field *f = &ip->sch->fields[n->field];
    if (is_null_field(ip, f, rec))
        return NULLV;
    switch (f->ty->kind) {
    case TY_BOOL:
        return ival(rec[f->offset]);
    case TY_INT:
    case TY_MONEY:
    case TY_TIMESTAMP:
        return ival(rec_i64(rec, f->offset));
    case TY_FLOAT:
        return fval(rec_f64(rec, f->offset));
    case TY_DATE:
        return ival(rec_i32(rec, f->offset));
    case TY_STRING:
    case TY_ENUM:
    case TY_SET:
        return ival(rec_u32(rec, f->offset));
    default:
        return NULLV;
    }
}

/* The text of a string value: a field's dictionary entry or a constant. */
static const char *str_of(const interp *ip, const ir_node *n, val v,
                          uint32_t *len)
{
    if (n->op == IR_CONST) {
        *len = n->v.str.len;
        return n->v.str.s;
    }
    const dict *dc = &ip->d->dicts[n->field];
    *len = dc->len[v.i];
    return dc->s[v.i];
}

static int cmp3(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static val apply_cmp(cmp_op op, int c)
{
    switch (op) {
    case CMP_EQ:
        return ival(c == 0);
    case CMP_NE:
        return ival(c != 0);
    case CMP_LT:
        return ival(c < 0);
    case CMP_LE:
        return ival(c <= 0);
    case CMP_GT:
        return ival(c > 0);
    case CMP_GE:
        return ival(c >= 0);
    }
    return NULLV;
}

static val eval_cmp(const interp *ip, const ir_node *n, const unsigned char *rec)
{
    const ir_node *x = n->kids[0], *y = n->kids[1];
    val a = eval(ip, x, rec);
    if (a.null)
        return NULLV;
    val b = eval(ip, y, rec);
    if (b.null)
        return NULLV;
    switch (x->ty->kind) {
    case TY_FLOAT:
        return apply_cmp(n->cmp, a.f < b.f ? -1 : a.f > b.f);
    case TY_STRING: {
        const eval_bound *bd = &ip->b[n->id];
        if (bd->fast) {
            int64_t id = x->op == IR_FIELD ? a.i : b.i;
            return apply_cmp(n->cmp, id == bd->k ? 0 : 1);
        }
        if (x->op == IR_FIELD && y->op == IR_FIELD && x->field == y->field)
            return apply_cmp(n->cmp, a.i == b.i ? 0 : 1);
        uint32_t la, lb;
        const char *sa = str_of(ip, x, a, &la), *sb = str_of(ip, y, b, &lb);
        return apply_cmp(n->cmp, la == lb && memcmp(sa, sb, la) == 0 ? 0 : 1);
    }
    default:
        return apply_cmp(n->cmp, cmp3(a.i, b.i));
    }
}

static val eval_in(const interp *ip, const ir_node *n, const unsigned char *rec)
{
    if (n->nlist == 0 && !n->list_has_null)
        return ival(0); /* an empty disjunction */
    const ir_node *x = n->kids[0];
    val a = eval(ip, x, rec);
    if (a.null)
        return NULLV;
    bool found = false;
    const eval_bound *bd = &ip->b[n->id];
    if (x->ty->kind == TY_STRING) {
        if (bd->table) {
            found = eval_bit(bd->table, (uint64_t)a.i);
        } else {
            uint32_t len;
            const char *s = str_of(ip, x, a, &len);
            for (uint32_t k = 0; k < n->nlist && !found; k++)
                found = n->list[k].str.len == len &&
                        memcmp(n->list[k].str.s, s, len) == 0;
        }
    } else {
        /* the list is sorted: binary search */
        uint32_t lo = 0, hi = n->nlist;
        bool fl = x->ty->kind == TY_FLOAT;
        while (lo < hi && !found) {
            uint32_t mid = (lo + hi) / 2;
            int c = fl ? (n->list[mid].f < a.f ? -1 : n->list[mid].f > a.f)
                       : cmp3(n->list[mid].i, a.i);
            if (c == 0)
                found = true;
            else if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (found)
        return ival(1);
    return n->list_has_null ? NULLV : ival(0);
}

static val eval_arith(const interp *ip, const ir_node *n,
                      const unsigned char *rec)
{
    val a = eval(ip, n->kids[0], rec);
    if (a.null)
        return NULLV;
    val b = eval(ip, n->kids[1], rec);
    if (b.null)
        return NULLV;
    if (n->ty->kind == TY_FLOAT) {
        switch (n->op) {
        case IR_ADD:
            return fval(a.f + b.f);
        case IR_SUB:
            return fval(a.f - b.f);
        case IR_MUL:
            return fval(a.f * b.f);
        case IR_DIV:
            return b.f == 0 ? NULLV : fval(a.f / b.f);
        default:
            return NULLV;
        }
    }
    int64_t r;
    bool ovf;
    switch (n->op) {
    case IR_DIV: /* money / int */
        if (b.i == 0 || (a.i == INT64_MIN && b.i == -1))
            return NULLV;
        return ival(div_half_even_i64(a.i, b.i));
    case IR_ADD:
        ovf = __builtin_add_overflow(a.i, b.i, &r);
        break;
    case IR_SUB:
        ovf = __builtin_sub_overflow(a.i, b.i, &r);
        break;
    case IR_MUL:
        ovf = __builtin_mul_overflow(a.i, b.i, &r);
        break;
    default:
        return NULLV;
    }
    return ovf ? NULLV : ival(r);
}

static val eval(const interp *ip, const ir_node *n, const unsigned char *rec)
{
    switch (n->op) {
    case IR_CONST:
        if (n->is_null)
            return NULLV;
        return n->ty->kind == TY_FLOAT ? fval(n->v.f) : ival(n->v.i);
    case IR_FIELD:
        return eval_field(ip, n, rec);
    case IR_ASOF:
        return ival(ip->b[n->id].k);
    case IR_NEG: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        if (n->ty->kind == TY_FLOAT)
            return fval(-a.f);
        return a.i == INT64_MIN ? NULLV : ival(-a.i);
    }
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV:
        return eval_arith(ip, n, rec);
    case IR_TO_FLOAT: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        const type *t = n->kids[0]->ty;
        return fval(t->kind == TY_MONEY ? cur_units_to_float(a.i, t->scale)
                                        : (double)a.i);
    }
    case IR_UNITS:
        return eval(ip, n->kids[0], rec);
    case IR_TO_TS: {
        val a = eval(ip, n->kids[0], rec);
        return a.null ? NULLV : ival(a.i * SECS_PER_DAY);
    }
    case IR_RESCALE: {
        val a = eval(ip, n->kids[0], rec);
        int64_t r;
        if (a.null || __builtin_mul_overflow(a.i, pow10_i64(n->scale_up), &r))
            return NULLV;
        return ival(r);
    }
    case IR_SHIFT: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        if (n->ty->kind == TY_DATE)
            return ival(cal_shift_date(a.i, n->months, n->secs / SECS_PER_DAY));
        return ival(cal_shift_ts(a.i, n->months, n->secs));
    }
    case IR_CMP:
        return eval_cmp(ip, n, rec);
    case IR_IN:
        return eval_in(ip, n, rec);
    case IR_CONTAINS: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        return ival(eval_bit(ip->b[n->id].table, (uint64_t)a.i));
    }
    case IR_ISNULL:
        return ival(eval(ip, n->kids[0], rec).null);
    case IR_AND: {
        bool unknown = false;
        for (uint32_t i = 0; i < n->nkids; i++) {
            val a = eval(ip, n->kids[i], rec);
            if (a.null)
                unknown = true;
            else if (!a.i)
                return ival(0);
        }
        return unknown ? NULLV : ival(1);
    }
    case IR_OR: {
        bool unknown = false;
        for (uint32_t i = 0; i < n->nkids; i++) {
            val a = eval(ip, n->kids[i], rec);
            if (a.null)
                unknown = true;
            else if (a.i)
                return ival(1);
        }
        return unknown ? NULLV : ival(0);
    }
    case IR_NOT: {
        val a = eval(ip, n->kids[0], rec);
        return a.null ? NULLV : ival(!a.i);
    }
    case IR_ISTRUE: {
        val a = eval(ip, n->kids[0], rec);
        return ival(!a.null && a.i);
    }
    case IR_STAT: {
        const eval_bound *b = &ip->b[n->id];
        if (b->null)
            return NULLV;
        return n->ty->kind == TY_FLOAT ? fval(b->f) : ival(b->k);
    }
    case IR_NTILE: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        const eval_bound *b = &ip->b[n->id];
        return ival(n->kids[0]->ty->kind == TY_FLOAT ? eval_ntile_f(b, a.f)
                                                     : eval_ntile_i(b, a.i));
    }
    case IR_DICTFN: {
        val a = eval(ip, n->kids[0], rec);
        const eval_bound *b = &ip->b[n->id];
        if (a.null)
            return b->null ? NULLV : ival(b->k);
        uint64_t id = (uint64_t)a.i;
        if (id >= b->ntable || eval_bit(b->nulls, id))
            return NULLV;
        return ival(n->ty->kind == TY_INT ? b->vals[id]
                                          : eval_bit(b->table, id));
    }
    case IR_DATEPART: {
        val a = eval(ip, n->kids[0], rec);
        if (a.null)
            return NULLV;
        int64_t days = n->kids[0]->ty->kind == TY_DATE
                           ? a.i
                           : cal_floor_div(a.i, SECS_PER_DAY);
        return ival(eval_date_part(n->part, days, ip->b[n->id].k));
    }
    case IR_DICTARG:
    case IR_STRFN:
        break; /* only inside an IR_DICTFN, decided by eval_bind */
    }
    return NULLV;
}

segc_status interp_run(mem *m, const ir_program *p, const dataset *d,
                       const eval_bound *b, result *res)
{
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.m = m;
    ip.p = p;
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    memset(res->bits, 0, res->nsegs * res->nwords * sizeof *res->bits);
    for (size_t r = 0; r < d->n; r++) {
        const unsigned char *rec = data_record(d, r);
        for (size_t s = 0; s < p->nsegs; s++) {
            val v = eval(&ip, p->segs[s].root, rec);
            if (!v.null && v.i)
                result_bitmap(res, s)[r / 64] |= UINT64_C(1) << (r % 64);
        }
    }
    result_count(res);
    return SEGC_OK;
}

interp_value interp_node_value(const eval_bound *b, const ir_program *p,
                               const dataset *d, const ir_node *n,
                               const unsigned char *rec)
{
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.p = p;
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    val v = eval(&ip, n, rec);
    interp_value r = {v.i, v.f, v.null};
    return r;
}

segc_status interp_stats(mem *m, const ir_program *p, const dataset *d,
                         eval_bound *b)
{
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.m = m;
    ip.p = p;
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    stat_acc *acc = mem_array(m, p->nstats + 1, sizeof *acc);
    if (!acc)
        return SEGC_ERR_NOMEM;
    segc_status st = SEGC_OK;
    /* one pass over the records per level: a statistic's argument may use
     * statistics of lower levels only */
    for (size_t i = 0; i < p->nstats && st == SEGC_OK;) {
        size_t j = i;
        while (j < p->nstats && p->stats[j]->level == p->stats[i]->level)
            j++;
        size_t made = i;
        for (; made < j; made++)
            if (!stat_acc_init(m, &acc[made], p->stats[made], d->n))
                break;
        if (made < j) {
            st = SEGC_ERR_NOMEM;
            j = made;
        }
        /* statistics often share a filter (rfm's three quintiles of
         * buyers): each distinct one is evaluated once per record */
        const ir_node *filters[64];
        int nf = 0, which[64];
        for (size_t k = i; k < j && k - i < 64; k++) {
            const ir_node *f = p->stats[k]->filter;
            which[k - i] = -1;
            if (!f)
                continue;
            int q = 0;
            while (q < nf && filters[q] != f)
                q++;
            if (q == nf && nf < 64)
                filters[nf++] = f;
            which[k - i] = q < nf ? q : -2;
        }
        for (size_t r = 0; r < d->n && st == SEGC_OK; r++) {
            const unsigned char *rec = data_record(d, r);
            bool pass[64];
            for (int q = 0; q < nf; q++) {
                val f = eval(&ip, filters[q], rec);
                pass[q] = !f.null && f.i;
            }
            for (size_t k = i; k < j; k++) {
                const ir_node *n = p->stats[k];
                int q = k - i < 64 ? which[k - i] : -2;
                if (q >= 0 && !pass[q])
                    continue;
                if (q == -2) {
                    val f = eval(&ip, n->filter, rec);
                    if (f.null || !f.i)
                        continue;
                }
                if (!n->nkids) {
                    stat_add_record(&acc[k]);
                    continue;
                }
                val v = eval(&ip, n->kids[0], rec);
                if (v.null)
                    continue;
                if (acc[k].fl)
                    stat_add_f(&acc[k], v.f);
                else
                    stat_add_i(&acc[k], v.i);
            }
        }
        for (size_t k = i; k < j; k++) {
            if (st == SEGC_OK && !stat_finish(m, &acc[k], &b[p->stats[k]->id]))
                st = SEGC_ERR_NOMEM;
            stat_acc_free(m, &acc[k]);
        }
        i = j;
    }
    mem_free(m, acc, (p->nstats + 1) * sizeof *acc);
    return st;
}
