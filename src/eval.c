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
    if (n->ty->kind == TY_DATE)
        return cal_shift_date(t.as_of_date, n->months, n->secs / SECS_PER_DAY);
    return cal_shift_ts(t.as_of, n->months, n->secs);
}

static bool bind_node(mem *m, const dataset *d, eval_time t,
                      const ir_node *n, eval_bound *bt, uint8_t *seen)
{
    if (seen[n->id])
        return true;
    seen[n->id] = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!bind_node(m, d, t, n->kids[i], bt, seen))
            return false;
    eval_bound *b = &bt[n->id];
    switch (n->op) {
    case IR_ASOF:
        b->k = eval_asof(n, t);
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
    for (uint32_t i = 0; i < p->nnodes; i++)
        if (b[i].table)
            mem_free(m, b[i].table, (b[i].ntable / 32 + 1) * sizeof *b[i].table);
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
