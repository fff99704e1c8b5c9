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
