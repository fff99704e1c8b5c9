/* interp.c - the reference interpreter (interp_).
 *
 * A value is an integer (bool, int, money, date, timestamp, enum index,
 * string or set id), a double, or null. Conditions use Kleene's three-valued
 * logic; a record is a member when its condition is true. Arithmetic that
 * overflows, divides by zero or produces NaN gives null.
 */
#include <math.h>

#include "events.h"
#include "interp.h"
#include "par.h"
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
    const schema *ev_sch; /* inside an event filter: the event's schema */
    const unsigned char *ev; /* and the event */
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

/* A field of an event row (IR_EVFIELD, or the field an aggregate reads). */
static val event_field(const schema *es, uint32_t field,
                       const unsigned char *row)
{
    const schema_field *f = &es->fields[field];
    if (schema_is_null(f, row, es->null_offset))
        return NULLV;
    switch (f->ty->kind) {
    case TY_BOOL:
        return ival(row[f->offset]);
    case TY_FLOAT:
        return fval(rec_f64(row, f->offset));
    case TY_DATE:
        return ival(rec_i32(row, f->offset));
    case TY_ENUM:
    case TY_STRING:
        return ival(rec_u32(row, f->offset));
    default:
        return ival(rec_i64(row, f->offset));
    }
}

/* the dictionary of a string value's field: a record's or an event's */
static const dict *dict_of(const interp *ip, const ir_node *n)
{
    if (n->op == IR_EVFIELD)
        return &ip->d->events->lists[n->evlist].dicts[n->field];
    return &ip->d->dicts[n->field];
}

/* An aggregate over the events of one customer, whose slot for the list is
 * slot (events.h). The one definition of every aggregate: the JIT calls it
 * too (segc_rt_evagg). */
static val eval_evagg(const interp *ip, const ir_node *n, uint64_t slot)
{
    const schema_field *lf = &ip->sch->fields[n->field];
    const schema *es = lf->events;
    const ev_list *l = ip->d->events ? &ip->d->events->lists[n->field] : NULL;
    size_t first = (uint32_t)slot, cnt = (uint32_t)(slot >> 32);
    if (!l || first > l->n || cnt > l->n - first)
        first = cnt = 0; /* not a range of the list: an empty history */
    const schema_field *atf = &es->fields[es->at];
    bool date = atf->ty->kind == TY_DATE;
    const eval_bound *bd = &ip->b[n->id];
    int64_t hi = bd->k, lo = bd->lo;
    interp sub = *ip;
    sub.ev_sch = es;
    bool fl = n->evfield >= 0 && es->fields[n->evfield].ty->kind == TY_FLOAT;
    int64_t count = 0, isum = 0, nsum = 0, days = 0, ndist = 0;
    int64_t t0 = 0, t1 = 0, prev_day = 0, prev_t = 0;
    __int128 wsum = 0;
    double fsum = 0;
    bool overflow = false, all = true, any = false;
    val best = NULLV, pick = NULLV;
    for (size_t e = 0; e < cnt; e++) {
        const unsigned char *row = l->rows + (first + e) * es->record_size;
        int64_t at = date ? rec_i32(row, atf->offset) : rec_i64(row, atf->offset);
        if (at > hi)
            break; /* sorted by time: the rest is after as_of */
        if (at <= lo)
            continue;
        if (n->filter) {
            sub.ev = row;
            val c = eval(&sub, n->filter, NULL);
            if (c.null || !c.i) {
                all = false;
                continue;
            }
        }
        any = true;
        count++;
        int64_t day = date ? at : cal_floor_div(at, SECS_PER_DAY);
        if (count == 1 || day != prev_day)
            days++;
        prev_day = day;
        if (count == 1 || at != prev_t) {
            ndist++;
            if (ndist == 1)
                t0 = at;
            t1 = at;
        }
        prev_t = at;
        if (n->evfield < 0)
            continue;
        val v = event_field(es, (uint32_t)n->evfield, row);
        switch (n->agg) {
        case EV_FIRST:
            if (count == 1)
                pick = v;
            break;
        case EV_LAST:
            pick = v;
            break;
        case EV_SUM:
        case EV_AVG:
            if (v.null)
                break;
            if (fl)
                fsum += v.f;
            else if (__builtin_add_overflow(isum, v.i, &isum))
                overflow = true;
            wsum += v.i;
            nsum++;
            break;
        case EV_MIN:
        case EV_MAX: {
            if (v.null)
                break;
            bool better;
            if (best.null)
                better = true;
            else if (fl)
                better = n->agg == EV_MIN ? v.f < best.f : v.f > best.f;
            else
                better = n->agg == EV_MIN ? v.i < best.i : v.i > best.i;
            if (better)
                best = v;
            break;
        }
        default:
            break;
        }
    }
    switch (n->agg) {
    case EV_COUNT:
        return ival(count);
    case EV_ANY:
        return ival(any);
    case EV_ALL:
        return ival(all);
    case EV_DISTINCT_DAYS:
        return ival(days);
    case EV_AVG_GAP:
        if (ndist < 2)
            return NULLV;
        return fval(date ? (double)(t1 - t0) / (double)(ndist - 1)
                         : (double)(t1 - t0) / SECS_PER_DAY /
                               (double)(ndist - 1));
    case EV_FIRST:
    case EV_LAST:
        return pick;
    case EV_MIN:
    case EV_MAX:
        return best;
    case EV_SUM:
        if (fl)
            return fval(fsum);
        return overflow ? NULLV : ival(isum);
    case EV_AVG: {
        int64_t k = nsum; /* the values summed: nulls are skipped */
        if (k == 0)
            return NULLV;
        if (fl)
            return fval(fsum / (double)k);
        const type *ft = es->fields[n->evfield].ty;
        if (ft->kind != TY_MONEY)
            return fval((double)((long double)wsum / (long double)k));
        /* an amount with more places: wsum * 10^extra / k, half to even */
        int extra = n->ty->scale - ft->scale;
        __int128 num = wsum;
        for (int i = 0; i < extra; i++)
            num *= 10; /* |wsum| < 2^95: no overflow for extra <= 9 */
        __int128 q = num / k, r = num % k;
        __int128 r2 = r < 0 ? -r : r;
        if (2 * r2 > k || (2 * r2 == k && (q & 1)))
            q += num < 0 ? -1 : 1;
        if (q > INT64_MAX || q < INT64_MIN)
            return NULLV;
        return ival((int64_t)q);
    }
    }
    return NULLV;
}

/* The text of a string value: a field's dictionary entry or a constant. */
static const char *str_of(const interp *ip, const ir_node *n, val v,
                          uint32_t *len)
{
    if (n->op == IR_CONST) {
        *len = n->v.str.len;
        return n->v.str.s;
    }
    const dict *dc = dict_of(ip, n);
    *len = dc->len[v.i];
    return dc->s[v.i];
}

static bool known_str(const interp *ip, const ir_node *n, val v)
{
    return n->op == IR_CONST || (uint64_t)v.i < dict_of(ip, n)->n;
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
        /* an id outside the dictionary (a record a host packed with a
         * string the data never had, SEGC_ID_UNKNOWN): its text is unknown */
        if (!known_str(ip, x, a) || !known_str(ip, y, b))
            return NULLV;
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
            /* every string of the list is in the table's dictionary */
            found = (uint64_t)a.i < bd->ntable &&
                    eval_bit(bd->table, (uint64_t)a.i);
        } else if (known_str(ip, x, a)) {
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
        if ((uint64_t)a.i >= ip->b[n->id].ntable)
            return NULLV; /* a set the data never had */
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
    case IR_EVAGG: {
        uint64_t slot;
        memcpy(&slot, rec + ip->sch->fields[n->field].offset, sizeof slot);
        return eval_evagg(ip, n, slot);
    }
    case IR_EVFIELD:
        return ip->ev ? event_field(ip->ev_sch, n->field, ip->ev) : NULLV;
    case IR_DICTARG:
    case IR_STRFN:
        break; /* only inside an IR_DICTFN, decided by eval_bind */
    }
    return NULLV;
}

interp_value interp_evagg(const eval_bound *b, const dataset *d,
                          const ir_node *n, uint64_t slot)
{
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    val v = eval_evagg(&ip, n, slot);
    interp_value r = {v.i, v.f, v.null};
    return r;
}

typedef struct run_job {
    const interp *ip;
    result *res;
    size_t morsel;
} run_job;

static void run_morsel(void *arg, size_t t, unsigned w)
{
    (void)w;
    const run_job *j = arg;
    const interp *ip = j->ip;
    const ir_program *p = ip->p;
    const dataset *d = ip->d;
    size_t r0 = t * j->morsel, r1 = d->n - r0 < j->morsel ? d->n : r0 + j->morsel;
    for (size_t r = r0; r < r1; r++) {
        const unsigned char *rec = data_record(d, r);
        for (size_t s = 0; s < p->nsegs; s++) {
            val v = eval(ip, p->segs[s].root, rec);
            if (!v.null && v.i)
                result_bitmap(j->res, s)[r / 64] |= UINT64_C(1) << (r % 64);
        }
    }
}

segc_status interp_run(mem *m, const ir_program *p, const dataset *d,
                       const eval_bound *b, result *res, const eval_par *par)
{
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.m = m;
    ip.p = p;
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    memset(res->bits, 0, res->nsegs * res->nwords * sizeof *res->bits);
    unsigned threads = par && par->threads > 1 ? par->threads : 1;
    /* morsels of whole words: no bitmap word is written by two threads */
    run_job j = {&ip, res, d->n ? d->n : 1};
    if (threads > 1 || (par && par->morsel))
        j.morsel = par_morsel(par->morsel);
    par_run(threads, (d->n + j.morsel - 1) / j.morsel, run_morsel, &j);
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

/* ---- the statistics pass on several threads ------------------------------------- */

/* What a chunk of records gives one statistic: per record whether it
 * counts (the filter holds and the argument is not null) and its value. */
typedef struct stats_slot {
    int64_t *vi;        /* or doubles, by the accumulator */
    unsigned char *counts;
} stats_slot;

typedef struct istats_job {
    const interp *ip;
    const stat_acc *acc;
    size_t i, j;        /* the level's statistics */
    size_t chunk, base; /* records per chunk; the round's first record */
    stats_slot **slots; /* per slot: j - i of them */
} istats_job;

static void istats_chunk(void *arg, size_t t, unsigned w)
{
    (void)w;
    const istats_job *job = arg;
    const interp *ip = job->ip;
    const ir_program *p = ip->p;
    size_t r0 = job->base + t * job->chunk;
    size_t r1 = ip->d->n - r0 < job->chunk ? ip->d->n : r0 + job->chunk;
    stats_slot *sl = job->slots[t];
    for (size_t r = r0; r < r1; r++) {
        const unsigned char *rec = data_record(ip->d, r);
        for (size_t k = job->i; k < job->j; k++) {
            const ir_node *n = p->stats[k];
            stats_slot *o = &sl[k - job->i];
            o->counts[r - r0] = 0;
            if (n->filter) {
                val f = eval(ip, n->filter, rec);
                if (f.null || !f.i)
                    continue;
            }
            if (!n->nkids) {
                o->counts[r - r0] = 1;
                continue;
            }
            val v = eval(ip, n->kids[0], rec);
            if (v.null)
                continue;
            o->counts[r - r0] = 1;
            if (job->acc[k].fl)
                memcpy(&o->vi[r - r0], &v.f, sizeof v.f);
            else
                o->vi[r - r0] = v.i;
        }
    }
}

segc_status interp_stats_par(mem *m, const ir_program *p, const dataset *d,
                             eval_bound *b, const eval_par *par)
{
    unsigned threads = par && par->threads > 1 ? par->threads : 1;
    if (threads <= 1 && !(par && par->morsel))
        return interp_stats(m, p, d, b);
    interp ip;
    memset(&ip, 0, sizeof ip);
    ip.m = m;
    ip.p = p;
    ip.sch = d->sch;
    ip.d = d;
    ip.b = b;
    size_t chunk = par_morsel(par->morsel);
    size_t nchunks = (d->n + chunk - 1) / chunk;
    if (threads > nchunks)
        threads = nchunks ? (unsigned)nchunks : 1;
    size_t slots = threads, ns = p->nstats;
    stat_acc *acc = mem_array(m, ns + 1, sizeof *acc);
    stats_slot **sl = mem_array(m, slots, sizeof *sl);
    segc_status st = acc && sl ? SEGC_OK : SEGC_ERR_NOMEM;
    if (sl)
        memset(sl, 0, slots * sizeof *sl);
    /* every buffer of every slot, allocated here: workers never allocate */
    for (size_t t = 0; t < slots && st == SEGC_OK; t++) {
        sl[t] = mem_array(m, ns + 1, sizeof **sl);
        if (!sl[t]) {
            st = SEGC_ERR_NOMEM;
            break;
        }
        memset(sl[t], 0, (ns + 1) * sizeof **sl);
        for (size_t k = 0; k < ns; k++) {
            sl[t][k].vi = mem_array(m, chunk, sizeof(int64_t));
            sl[t][k].counts = mem_alloc(m, chunk);
            if (!sl[t][k].vi || !sl[t][k].counts)
                st = SEGC_ERR_NOMEM;
        }
    }
    for (size_t i = 0; i < ns && st == SEGC_OK;) {
        size_t j = i;
        while (j < ns && p->stats[j]->level == p->stats[i]->level)
            j++;
        size_t made = i;
        for (; made < j; made++)
            if (!stat_acc_init(m, &acc[made], p->stats[made], d->n))
                break;
        if (made < j)
            st = SEGC_ERR_NOMEM;
        /* the level's slots start at the level's first statistic */
        stats_slot **lv = mem_array(m, slots, sizeof *lv);
        if (!lv)
            st = SEGC_ERR_NOMEM;
        for (size_t t = 0; lv && t < slots; t++)
            lv[t] = sl[t] + i;
        istats_job job = {&ip, acc, i, j, chunk, 0, lv};
        for (size_t base = 0; base < d->n && st == SEGC_OK;
             base += slots * chunk) {
            size_t left = (d->n - base + chunk - 1) / chunk;
            size_t ntasks = left < slots ? left : slots;
            job.base = base;
            par_run(threads, ntasks, istats_chunk, &job);
            /* the reduction, in record order */
            for (size_t t = 0; t < ntasks; t++) {
                size_t r0 = base + t * chunk;
                size_t cnt = d->n - r0 < chunk ? d->n - r0 : chunk;
                for (size_t k = i; k < j; k++) {
                    const stats_slot *o = &lv[t][k - i];
                    stat_acc *a = &acc[k];
                    bool has_value = p->stats[k]->nkids > 0;
                    for (size_t x = 0; x < cnt; x++) {
                        if (!o->counts[x])
                            continue;
                        if (!has_value) {
                            stat_add_record(a);
                        } else if (a->fl) {
                            double f;
                            memcpy(&f, &o->vi[x], sizeof f);
                            stat_add_f(a, f);
                        } else {
                            stat_add_i(a, o->vi[x]);
                        }
                    }
                }
            }
        }
        if (lv)
            mem_free(m, lv, slots * sizeof *lv);
        for (size_t k = i; k < made; k++) {
            if (st == SEGC_OK && !stat_finish(m, &acc[k], &b[p->stats[k]->id]))
                st = SEGC_ERR_NOMEM;
            stat_acc_free(m, &acc[k]);
        }
        i = j;
    }
    for (size_t t = 0; sl && t < slots; t++) {
        if (!sl[t])
            continue;
        for (size_t k = 0; k < ns; k++) {
            if (sl[t][k].vi)
                mem_free(m, sl[t][k].vi, chunk * sizeof(int64_t));
            if (sl[t][k].counts)
                mem_free(m, sl[t][k].counts, chunk);
        }
        mem_free(m, sl[t], (ns + 1) * sizeof **sl);
    }
    if (sl)
        mem_free(m, sl, slots * sizeof *sl);
    if (acc)
        mem_free(m, acc, (ns + 1) * sizeof *acc);
    return st;
}
