/* stat.c - population statistics and score cut points, from the values an
 * engine feeds in (stat_). One implementation for every engine, so they
 * cannot disagree about an average.
 *
 *   count        records (with a non-null value, when it has an argument)
 *   sum          exact for int and money (null when it leaves 64 bits); 0
 *                over no values
 *   avg          float for numbers; money with six more decimal places,
 *                rounded half to even
 *   min, max     of the same type as the values
 *   median       percentile 0.5
 *   percentile   continuous (as SQL's percentile_cont): the value at
 *                position p * (n - 1) of the sorted values, interpolated
 *   stddev       the sample standard deviation (n - 1); null under 2 values
 *   ntile k      cut points c_j = v[ceil((j - 1) * n / k)] (1-based) for
 *                j = 2..k over the sorted values; a record's score is 1 plus
 *                the number of cut points below its value, so equal values
 *                always share a score
 * Every statistic but count is null over no values. */
#include <math.h>

#include "eval.h"
#include "value.h"

typedef __int128 i128;

static bool is_float_input(const ir_node *n)
{
    return n->nkids && n->kids[0]->ty->kind == TY_FLOAT;
}

static bool keeps_values(const ir_node *n)
{
    return n->op == IR_NTILE || n->stat == STAT_MEDIAN ||
           n->stat == STAT_PERCENTILE;
}

bool stat_acc_init(mem *m, stat_acc *a, const ir_node *n, size_t records)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->fl = is_float_input(n);
    a->min = INT64_MAX;
    a->max = INT64_MIN;
    a->fmin = INFINITY;
    a->fmax = -INFINITY;
    if (keeps_values(n)) {
        a->cap = records;
        a->vals = mem_array(m, records + 1, sizeof *a->vals);
        if (!a->vals)
            return false;
    }
    return true;
}

void stat_acc_free(mem *m, stat_acc *a)
{
    if (a->vals)
        mem_free(m, a->vals, (a->cap + 1) * sizeof *a->vals);
    a->vals = NULL;
}

void stat_add_i(stat_acc *a, int64_t v)
{
    a->count++;
    switch (a->n->op == IR_NTILE ? STAT_MEDIAN : a->n->stat) {
    case STAT_COUNT:
        return;
    case STAT_SUM:
    case STAT_AVG:
        a->sum += v;
        return;
    case STAT_MIN:
    case STAT_MAX:
        if (v < a->min)
            a->min = v;
        if (v > a->max)
            a->max = v;
        return;
    case STAT_MEDIAN:
    case STAT_PERCENTILE:
        a->vals[a->nvals++] = (uint64_t)v ^ (UINT64_C(1) << 63);
        return;
    case STAT_STDDEV: {
        long double d = (long double)v, delta = d - a->mean;
        a->mean += delta / (long double)a->count;
        a->m2 += delta * (d - a->mean);
        return;
    }
    }
}

/* doubles as unsigned keys that sort in the same order */
static uint64_t f2key(double f)
{
    uint64_t b;
    memcpy(&b, &f, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

static double key2f(uint64_t k)
{
    uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
    double f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static int64_t key2i(uint64_t k)
{
    return (int64_t)(k ^ (UINT64_C(1) << 63));
}

void stat_add_f(stat_acc *a, double v)
{
    a->count++;
    switch (a->n->op == IR_NTILE ? STAT_MEDIAN : a->n->stat) {
    case STAT_COUNT:
        return;
    case STAT_SUM:
    case STAT_AVG:
        a->fsum += v;
        return;
    case STAT_MIN:
    case STAT_MAX:
        if (v < a->fmin)
            a->fmin = v;
        if (v > a->fmax)
            a->fmax = v;
        return;
    case STAT_MEDIAN:
    case STAT_PERCENTILE:
        a->vals[a->nvals++] = f2key(v + 0.0); /* -0.0 sorts as 0.0 */
        return;
    case STAT_STDDEV: {
        long double delta = (long double)v - a->mean;
        a->mean += delta / (long double)a->count;
        a->m2 += delta * ((long double)v - a->mean);
        return;
    }
    }
}

void stat_add_record(stat_acc *a)
{
    a->count++;
}

/* LSD radix sort by 16-bit digits, skipping digits that all keys share */
static bool radix_sort(mem *m, uint64_t *v, size_t n)
{
    if (n < 2)
        return true;
    uint64_t and_all = ~UINT64_C(0), or_all = 0;
    for (size_t i = 0; i < n; i++) {
        and_all &= v[i];
        or_all |= v[i];
    }
    uint64_t differ = and_all ^ or_all;
    uint64_t *tmp = mem_array(m, n, sizeof *tmp);
    size_t *count = mem_array(m, 65536, sizeof *count);
    if (!tmp || !count) {
        if (tmp)
            mem_free(m, tmp, n * sizeof *tmp);
        if (count)
            mem_free(m, count, 65536 * sizeof *count);
        return false;
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        if (!((differ >> shift) & 0xffff))
            continue;
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    mem_free(m, tmp, n * sizeof *tmp);
    mem_free(m, count, 65536 * sizeof *count);
    return true;
}

/* q / d rounded half to even (d > 0) */
static i128 div_half_even(i128 q, i128 d)
{
    i128 r = q / d, rem = q % d;
    if (rem < 0) {
        rem = -rem;
        i128 twice = 2 * rem;
        if (twice > d || (twice == d && (r & 1)))
            r--;
    } else {
        i128 twice = 2 * rem;
        if (twice > d || (twice == d && (r & 1)))
            r++;
    }
    return r;
}

static bool fits64(i128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

static void set_i(eval_bound *b, i128 v)
{
    if (fits64(v)) {
        b->k = (int64_t)v;
        b->null = 0;
    } else {
        b->null = 1;
    }
}

static void set_f(eval_bound *b, double f)
{
    b->f = f;
    b->null = !isfinite(f);
}

/* the money scale the result has over the input's */
static int scale_up(const ir_node *n)
{
    return n->ty->scale - n->kids[0]->ty->scale;
}

static i128 p10(int k)
{
    i128 r = 1;
    while (k-- > 0)
        r *= 10;
    return r;
}

/* percentile_cont over sorted keys */
static void percentile(const stat_acc *a, decimal p, eval_bound *b)
{
    const ir_node *n = a->n;
    size_t cnt = a->nvals;
    i128 den = p10(p.scale), num = (i128)p.mant * (i128)(cnt - 1);
    size_t lo = (size_t)(num / den);
    i128 rem = num % den;
    size_t hi = rem ? lo + 1 : lo;
    /* in long double, so that hi - lo cannot overflow */
    long double fr = (long double)rem / (long double)den;
    if (a->fl) {
        long double vl = key2f(a->vals[lo]), vh = key2f(a->vals[hi]);
        set_f(b, (double)(vl + fr * (vh - vl)));
        return;
    }
    int64_t vl = key2i(a->vals[lo]), vh = key2i(a->vals[hi]);
    if (n->ty->kind == TY_FLOAT) {
        set_f(b, (double)((long double)vl +
                          fr * ((long double)vh - (long double)vl)));
        return;
    }
    /* money: vl * 10^up + (vh - vl) * rem * 10^up / den, exactly; the
     * difference in 128 bits (two amounts more than 2^63 units apart) */
    int up = scale_up(n);
    i128 t = ((i128)vh - (i128)vl) * rem;
    i128 whole = t / den, part = t % den;
    i128 frac = whole * p10(up) + div_half_even(part * p10(up), den);
    set_i(b, (i128)vl * p10(up) + frac);
}

static void ntile_cuts(mem *m, const stat_acc *a, eval_bound *b)
{
    int k = a->n->k;
    size_t cnt = a->nvals;
    b->nvals = (uint32_t)(k - 1);
    if (a->fl)
        b->fvals = mem_array(m, (size_t)k, sizeof *b->fvals);
    else
        b->vals = mem_array(m, (size_t)k, sizeof *b->vals);
    if (!b->fvals && !b->vals)
        return;
    b->null = 0;
    for (int j = 2; j <= k; j++) {
        /* ceil((j - 1) * n / k), 1-based; 0 values: no cut points */
        size_t pos = cnt ? (size_t)(((i128)(j - 1) * cnt + k - 1) / k) : 0;
        uint64_t key = cnt ? a->vals[pos ? pos - 1 : 0] : 0;
        if (a->fl)
            b->fvals[j - 2] = cnt ? key2f(key) : INFINITY;
        else
            b->vals[j - 2] = cnt ? key2i(key) : INT64_MAX;
    }
}

bool stat_finish(mem *m, stat_acc *a, eval_bound *b)
{
    const ir_node *n = a->n;
    b->null = 1;
    if (keeps_values(n) && !radix_sort(m, a->vals, a->nvals))
        return false;
    if (n->op == IR_NTILE) {
        ntile_cuts(m, a, b);
        return !m->failed;
    }
    bool money = n->ty->kind == TY_MONEY;
    switch (n->stat) {
    case STAT_COUNT:
        b->null = 0;
        b->k = (int64_t)a->count;
        break;
    case STAT_SUM:
        if (a->fl)
            set_f(b, (double)a->fsum);
        else
            set_i(b, a->sum);
        break;
    case STAT_AVG:
        if (!a->count)
            break;
        if (a->fl)
            set_f(b, (double)(a->fsum / (long double)a->count));
        else if (money)
            set_i(b, div_half_even(a->sum * p10(scale_up(n)),
                                   (i128)a->count));
        else
            set_f(b, (double)a->sum / (double)a->count);
        break;
    case STAT_MIN:
    case STAT_MAX:
        if (!a->count)
            break;
        if (a->fl)
            set_f(b, n->stat == STAT_MIN ? a->fmin : a->fmax);
        else
            set_i(b, n->stat == STAT_MIN ? a->min : a->max);
        break;
    case STAT_MEDIAN:
    case STAT_PERCENTILE:
        if (a->nvals) {
            decimal half = {5, 1};
            percentile(a, n->stat == STAT_MEDIAN ? half : n->pct, b);
        }
        break;
    case STAT_STDDEV: {
        if (a->count < 2)
            break;
        double sd = (double)sqrtl(a->m2 / (long double)(a->count - 1));
        if (!money) {
            set_f(b, sd);
            break;
        }
        /* in units of the result's scale */
        double units = sd * (double)p10(scale_up(n));
        if (!(units < 9.2e18))
            break;
        b->k = llround(units);
        b->null = 0;
        break;
    }
    }
    return true;
}
