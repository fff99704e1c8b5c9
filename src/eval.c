/* eval.c - membership bitmaps and evaluation time (eval_, result_). */
#include "eval.h"
#include "value.h"

result *result_new(mem *m, size_t nsegs, size_t nrecords)
{
    result *r = mem_zalloc(m, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->nsegs = nsegs;
    r->nrecords = nrecords;
    r->nwords = (nrecords + 63) / 64;
    if (r->nwords && nsegs > (SIZE_MAX - 1) / r->nwords) {
        m->failed = true;
        r->nsegs = 0; /* nothing allocated yet */
        result_free(r);
        return NULL;
    }
    r->bits = mem_array(m, nsegs * r->nwords + 1, sizeof *r->bits);
    r->counts = mem_array(m, nsegs + 1, sizeof *r->counts);
    if (!r->bits || !r->counts) {
        result_free(r);
        return NULL;
    }
    return r;
}

void result_free(result *r)
{
    if (!r)
        return;
    mem_free(r->m, r->bits, (r->nsegs * r->nwords + 1) * sizeof *r->bits);
    mem_free(r->m, r->counts, (r->nsegs + 1) * sizeof *r->counts);
    mem_free(r->m, r, sizeof *r);
}

void result_count(result *r)
{
    for (size_t s = 0; s < r->nsegs; s++) {
        const uint64_t *b = result_bitmap(r, s);
        size_t c = 0;
        for (size_t w = 0; w < r->nwords; w++)
            c += (size_t)__builtin_popcountll(b[w]);
        r->counts[s] = c;
    }
}

eval_time eval_time_of(int64_t as_of)
{
    eval_time t;
    t.as_of = as_of;
    t.as_of_date = cal_floor_div(as_of, SECS_PER_DAY);
    return t;
}

int64_t eval_asof(const ir_node *n, eval_time t)
{
    if (n->anchor != ANCHOR_NONE) {
        /* the start of as_of's year, month or ISO week, at midnight */
        int64_t y, day = t.as_of_date;
        unsigned m, d;
        cal_civil_from_days(day, &y, &m, &d);
        if (n->anchor == ANCHOR_YEAR)
            day = cal_days_from_civil(y, 1, 1);
        else if (n->anchor == ANCHOR_MONTH)
            day = cal_days_from_civil(y, m, 1);
        else
            day -= eval_date_part(DP_WEEKDAY, day, 0) - 1;
        if (n->ty->kind == TY_DATE)
            return cal_shift_date(day, n->months, n->secs / SECS_PER_DAY);
        return cal_shift_ts(day * SECS_PER_DAY, n->months, n->secs);
    }
    if (n->ty->kind == TY_DATE)
        return cal_shift_date(t.as_of_date, n->months, n->secs / SECS_PER_DAY);
    return cal_shift_ts(t.as_of, n->months, n->secs);
}

int64_t eval_date_part(int part, int64_t days, int64_t as_of_date)
{
    int64_t y;
    unsigned m, d;
    switch ((date_part)part) {
    case DP_WEEKDAY:
        /* 1970-01-01 was a Thursday (4) */
        return cal_floor_div(days + 3, 7) * -7 + days + 3 + 1;
    case DP_DAYS_SINCE:
        return as_of_date - days;
    default:
        break;
    }
    cal_civil_from_days(days, &y, &m, &d);
    return part == DP_YEAR ? y : part == DP_MONTH ? (int64_t)m : (int64_t)d;
}

/* ---- functions of dictionary entries (IR_DICTFN) ------------------------------ */

typedef struct dval {
    bool null;
    int64_t i;        /* bool, int, a set's id */
    const char *s;    /* a string */
    size_t len;
} dval;

typedef struct dfn {
    mem *m;
    const dict *dc;      /* a string field's dictionary */
    const setdict *sd;   /* a set field's */
    int64_t entry;       /* -1: the field is null */
    buf tmp[2];          /* strings made by lower() and upper(): a chain
                          * of them reads one buffer and writes the other */
    int next;
} dfn;

static const dval DNULL = {true, 0, NULL, 0};

static bool has_elem(const setdict *sd, uint32_t set, const char *s,
                     uint32_t len)
{
    uint32_t e;
    return dict_find(&sd->elems, s, len, &e) && setdict_contains(sd, set, e);
}

static bool find_sub(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0)
            return true;
    return false;
}

static dval dfn_eval(dfn *x, const ir_node *n)
{
    dval r = {false, 0, NULL, 0};
    switch (n->op) {
    case IR_DICTARG:
        if (x->entry < 0)
            return DNULL;
        if (x->sd) {
            r.i = x->entry;
        } else {
            r.s = x->dc->s[x->entry];
            r.len = x->dc->len[x->entry];
        }
        return r;
    case IR_CONST:
        if (n->is_null)
            return DNULL;
        if (n->ty->kind == TY_STRING) {
            r.s = n->v.str.s;
            r.len = n->v.str.len;
        } else {
            r.i = n->v.i;
        }
        return r;
    case IR_ISNULL:
        r.i = dfn_eval(x, n->kids[0]).null;
        return r;
    case IR_CMP: {
        dval a = dfn_eval(x, n->kids[0]), b = dfn_eval(x, n->kids[1]);
        if (a.null || b.null)
            return DNULL;
        int c = n->kids[0]->ty->kind == TY_STRING
                    ? !(a.len == b.len && memcmp(a.s, b.s, a.len) == 0)
                    : (a.i > b.i) - (a.i < b.i);
        switch (n->cmp) {
        case CMP_EQ: r.i = c == 0; break;
        case CMP_NE: r.i = c != 0; break;
        case CMP_LT: r.i = c < 0; break;
        case CMP_LE: r.i = c <= 0; break;
        case CMP_GT: r.i = c > 0; break;
        case CMP_GE: r.i = c >= 0; break;
        }
        return r;
    }
    case IR_IN: {
        if (n->nlist == 0 && !n->list_has_null)
            return r; /* false */
        dval a = dfn_eval(x, n->kids[0]);
        if (a.null)
            return DNULL;
        for (uint32_t k = 0; k < n->nlist; k++)
            if (n->list[k].str.len == a.len &&
                memcmp(n->list[k].str.s, a.s, a.len) == 0) {
                r.i = 1;
                return r;
            }
        return n->list_has_null ? DNULL : r;
    }
    case IR_NOT: {
        dval a = dfn_eval(x, n->kids[0]);
        if (!a.null)
            a.i = !a.i;
        return a;
    }
    case IR_STRFN:
        break;
    default:
        return DNULL;
    }
    dval a = dfn_eval(x, n->kids[0]);
    if (a.null)
        return DNULL;
    switch (n->sfn) {
    case SF_LOWER:
    case SF_UPPER: {
        buf *b = &x->tmp[x->next];
        x->next ^= 1;
        b->len = 0;
        if (!text_case(a.s, a.len, n->sfn == SF_UPPER, b))
            return DNULL;
        r.s = b->p ? b->p : "";
        r.len = b->len;
        return r;
    }
    case SF_LENGTH:
        r.i = (int64_t)utf8_count(a.s, a.len);
        return r;
    case SF_STARTS_WITH:
        r.i = a.len >= n->v.str.len && memcmp(a.s, n->v.str.s, n->v.str.len) == 0;
        return r;
    case SF_ENDS_WITH:
        r.i = a.len >= n->v.str.len &&
              memcmp(a.s + a.len - n->v.str.len, n->v.str.s, n->v.str.len) == 0;
        return r;
    case SF_CONTAINS:
        r.i = find_sub(a.s, a.len, n->v.str.s, n->v.str.len);
        return r;
    case SF_SIZE:
        r.i = x->sd->count[a.i];
        return r;
    case SF_HAS:
        r.i = has_elem(x->sd, (uint32_t)a.i, n->v.str.s, n->v.str.len);
        return r;
    case SF_HAS_ANY:
    case SF_HAS_ALL: {
        bool all = n->sfn == SF_HAS_ALL;
        r.i = all;
        for (uint32_t k = 0; k < n->nlist; k++)
            if (has_elem(x->sd, (uint32_t)a.i, n->list[k].str.s,
                         n->list[k].str.len) != all) {
                r.i = !all;
                break;
            }
        return r;
    }
    }
    return DNULL;
}

static bool bind_dictfn(mem *m, const dataset *d, const ir_node *n,
                        eval_bound *b)
{
    uint32_t f = n->kids[0]->field;
    dfn x;
    memset(&x, 0, sizeof x);
    x.m = m;
    if (n->kids[0]->ty->kind == TY_SET)
        x.sd = &d->sets[f];
    else
        x.dc = &d->dicts[f];
    uint64_t entries = x.sd ? x.sd->n : x.dc->n;
    bool is_int = n->ty->kind == TY_INT;
    b->ntable = entries;
    b->nulls = mem_array(m, entries / 32 + 1, sizeof *b->nulls);
    if (is_int)
        b->vals = mem_array(m, entries + 1, sizeof *b->vals);
    else
        b->table = mem_array(m, entries / 32 + 1, sizeof *b->table);
    if (!b->nulls || (is_int ? !b->vals : !b->table))
        return false;
    buf_init(&x.tmp[0], m);
    buf_init(&x.tmp[1], m);
    x.entry = -1;
    dval v = dfn_eval(&x, n->fn);
    b->null = v.null;
    b->k = v.null ? 0 : v.i;
    for (uint64_t e = 0; e < entries; e++) {
        x.entry = (int64_t)e;
        v = dfn_eval(&x, n->fn);
        if (v.null)
            b->nulls[e >> 5] |= UINT32_C(1) << (e & 31);
        else if (is_int)
            b->vals[e] = v.i;
        else if (v.i)
            b->table[e >> 5] |= UINT32_C(1) << (e & 31);
    }
    buf_free(&x.tmp[0]);
    buf_free(&x.tmp[1]);
    return !m->failed;
}

/* ---- binding ------------------------------------------------------------------------- */

static bool bind_node(mem *m, const dataset *d, eval_time t,
                      const ir_node *n, eval_bound *bt, uint8_t *seen)
{
    if (seen[n->id])
        return true;
    seen[n->id] = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!bind_node(m, d, t, n->kids[i], bt, seen))
            return false;
    if (n->filter && !bind_node(m, d, t, n->filter, bt, seen))
        return false;
    eval_bound *b = &bt[n->id];
    switch (n->op) {
    case IR_ASOF:
        b->k = eval_asof(n, t);
        break;
    case IR_DATEPART:
        b->k = t.as_of_date;
        break;
    case IR_EVAGG: {
        /* events after as_of are invisible; within W: at > as_of - W */
        const schema *es = d->sch->fields[n->field].events;
        bool date = es->fields[es->at].ty->kind == TY_DATE;
        b->k = date ? t.as_of_date : t.as_of;
        b->lo = !n->windowed ? INT64_MIN
                : date ? cal_shift_date(t.as_of_date, -n->months,
                                        -n->secs / SECS_PER_DAY)
                       : cal_shift_ts(t.as_of, -n->months, -n->secs);
        break;
    }
    case IR_STAT:
    case IR_NTILE:
        b->null = 1; /* until the statistics pass */
        break;
    case IR_DICTFN:
        if (!bind_dictfn(m, d, n, b))
            return false;
        break;
    case IR_CMP: {
        const ir_node *x = n->kids[0], *y = n->kids[1];
        if (x->ty->kind != TY_STRING)
            break;
        if (x->op == IR_CONST) {
            const ir_node *tmp = x;
            x = y;
            y = tmp;
        }
        if (x->op == IR_FIELD && y->op == IR_CONST && !y->is_null) {
            uint32_t id;
            b->fast = 1;
            b->k = dict_find(&d->dicts[x->field], y->v.str.s, y->v.str.len,
                             &id)
                       ? (int64_t)id
                       : -1;
        }
        break;
    }
    case IR_IN: {
        const ir_node *x = n->kids[0];
        if (x->ty->kind != TY_STRING || x->op != IR_FIELD)
            break;
        const dict *dc = &d->dicts[x->field];
        b->ntable = dc->n;
        b->table = mem_array(m, b->ntable / 32 + 1, sizeof *b->table);
        if (!b->table)
            return false;
        for (uint32_t k = 0; k < n->nlist; k++) {
            uint32_t id;
            if (dict_find(dc, n->list[k].str.s, n->list[k].str.len, &id))
                b->table[id >> 5] |= UINT32_C(1) << (id & 31);
        }
        break;
    }
    case IR_CONTAINS: {
        const setdict *sd = &d->sets[n->kids[0]->field];
        b->ntable = sd->n;
        b->table = mem_array(m, b->ntable / 32 + 1, sizeof *b->table);
        if (!b->table)
            return false;
        uint32_t elem;
        if (dict_find(&sd->elems, n->v.str.s, n->v.str.len, &elem))
            for (uint32_t s = 0; s < sd->n; s++)
                if (setdict_contains(sd, s, elem))
                    b->table[s >> 5] |= UINT32_C(1) << (s & 31);
        break;
    }
    default:
        break;
    }
    return true;
}

eval_bound *eval_bind(mem *m, const ir_program *p, const dataset *d,
                      int64_t as_of)
{
    eval_bound *b = mem_array(m, p->nnodes + 1, sizeof *b);
    uint8_t *seen = mem_zalloc(m, p->nnodes + 1);
    bool ok = b && seen;
    eval_time t = eval_time_of(as_of);
    for (size_t s = 0; ok && s < p->nsegs; s++)
        ok = bind_node(m, d, t, p->segs[s].root, b, seen);
    mem_free(m, seen, p->nnodes + 1);
    if (!ok && b) {
        eval_unbind(m, p, b);
        return NULL;
    }
    return b;
}

void eval_unbind(mem *m, const ir_program *p, eval_bound *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < p->nnodes; i++) {
        if (b[i].table)
            mem_free(m, b[i].table, (b[i].ntable / 32 + 1) * sizeof *b[i].table);
        if (b[i].nulls)
            mem_free(m, b[i].nulls, (b[i].ntable / 32 + 1) * sizeof *b[i].nulls);
        if (b[i].vals)
            mem_free(m, b[i].vals,
                     (b[i].nvals ? b[i].nvals + 1 : b[i].ntable + 1) *
                         sizeof *b[i].vals);
        if (b[i].fvals)
            mem_free(m, b[i].fvals, (b[i].nvals + 1) * sizeof *b[i].fvals);
    }
    mem_free(m, b, (p->nnodes + 1) * sizeof *b);
}

/* The costs behind SEGC_ENGINE_AUTO, measured with make bench on the
 * development machine (docs/performance.md): the interpreter spends about
 * INTERP_NS_PER_NODE per IR node and record (W10: 85 nodes, about 200 ns a
 * record); compiling costs about JIT_BASE_NS plus JIT_NS_PER_NODE per node
 * (W10: 28 ms, W1000 with 12160 nodes: 730 ms, so the estimate is on the
 * safe side); the JIT's scan is 20 to 30 times cheaper than the
 * interpreter's and is left out. The JIT is chosen when the interpreter
 * would take longer than compiling: for W10 from about 90,000 records. */
#define INTERP_NS_PER_NODE 3.0
#define JIT_BASE_NS 15e6
#define JIT_NS_PER_NODE 0.1e6

bool eval_worth_jit(const ir_program *p, size_t n)
{
    double nodes = p->nnodes ? (double)p->nnodes : 1;
    return (double)n * nodes * INTERP_NS_PER_NODE >
           JIT_BASE_NS + nodes * JIT_NS_PER_NODE;
}
