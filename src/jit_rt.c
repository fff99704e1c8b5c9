/* jit_rt.c - helpers that JIT-compiled code calls for the rare operations
 * that have no vector form (jit_ runtime). They compute exactly what the
 * interpreter computes, with the same functions. */
#include "interp.h"
#include "jit.h"
#include "jit_emit.h"
#include "value.h"

int64_t segc_rt_shift_date(int64_t days, int64_t months, int64_t ndays)
{
    return cal_shift_date(days, months, ndays);
}

int64_t segc_rt_shift_ts(int64_t ts, int64_t months, int64_t secs)
{
    return cal_shift_ts(ts, months, secs);
}

uint8_t segc_rt_in_i64(const int64_t *list, uint64_t n, int64_t x)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (list[mid] == x)
            return 1;
        if (list[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

uint8_t segc_rt_in_f64(const double *list, uint64_t n, double x)
{
    uint64_t lo = 0, hi = n;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (list[mid] == x)
            return 1;
        if (list[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

uint8_t segc_rt_str_eq(const dataset *d, uint64_t fa, uint64_t ida,
                       uint64_t fb, uint64_t idb)
{
    const dict *a = &d->dicts[fa], *b = &d->dicts[fb];
    if (ida >= a->n || idb >= b->n)
        return 0;
    return a->len[ida] == b->len[idb] &&
           memcmp(a->s[ida], b->s[idb], a->len[ida]) == 0;
}

int64_t segc_rt_ntile_i64(const int64_t *cuts, uint64_t n, int64_t x)
{
    int64_t s = 1;
    for (uint64_t j = 0; j < n; j++)
        s += cuts[j] < x;
    return s;
}

int64_t segc_rt_ntile_f64(const double *cuts, uint64_t n, double x)
{
    int64_t s = 1;
    for (uint64_t j = 0; j < n; j++)
        s += cuts[j] < x;
    return s;
}

int64_t segc_rt_date_part(int64_t part, int64_t days)
{
    return eval_date_part((int)part, days, 0);
}

int64_t segc_rt_evagg(const eval_bound *b, const dataset *d, const ir_node *n,
                      uint64_t slot)
{
    interp_value v = interp_evagg(b, d, n, slot);
    if (v.null)
        return 0;
    if (n->ty->kind == TY_FLOAT) {
        int64_t bits;
        memcpy(&bits, &v.f, sizeof bits);
        return bits;
    }
    return v.i;
}

uint8_t segc_rt_evagg_null(const eval_bound *b, const dataset *d,
                           const ir_node *n, uint64_t slot)
{
    return interp_evagg(b, d, n, slot).null;
}

void segc_rt_evagg_block(const eval_bound *b, const dataset *d,
                         const ir_node *n, const uint64_t *slots,
                         int64_t *vals, uint8_t *nulls)
{
    for (int i = 0; i < JIT_BLOCK; i++) {
        interp_value v = interp_evagg(b, d, n, slots[i]);
        nulls[i] = v.null;
        if (v.null)
            vals[i] = 0;
        else if (n->ty->kind == TY_FLOAT)
            memcpy(&vals[i], &v.f, sizeof vals[i]);
        else
            vals[i] = v.i;
    }
}
