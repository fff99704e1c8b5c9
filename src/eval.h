/*
 * eval.h - evaluation: membership bitmaps (the result every engine
 * produces) and the choice of engine (eval_).
 *
 * Bit r of word r/64 of a segment's bitmap is set when record r is in the
 * segment, i.e. when its condition is true (not false, not unknown). Bits
 * past the last record are zero.
 */
#ifndef SEGC_EVAL_H
#define SEGC_EVAL_H

#include "data.h"
#include "ir.h"

struct segc_result {
    mem *m;
    size_t nsegs;
    size_t nrecords;
    size_t nwords;   /* per segment */
    uint64_t *bits;  /* nsegs * nwords */
    size_t *counts;  /* members per segment */
    segc_timing timing;
};
typedef struct segc_result result;

result *result_new(mem *m, size_t nsegs, size_t nrecords);
void result_free(result *r);
static inline uint64_t *result_bitmap(result *r, size_t seg)
{
    return r->bits + seg * r->nwords;
}
/* Recounts the members of every segment from the bitmaps. */
void result_count(result *r);

/* How an engine spreads a scan over threads (par.h): NULL or threads <= 1
 * is one thread; morsel 0 is PAR_MORSEL records. Any setting gives the
 * same bits and the same statistics. */
typedef struct eval_par {
    unsigned threads;
    size_t morsel;
} eval_par;

/* The instants an evaluation needs, from as_of (seconds, UTC). */
typedef struct eval_time {
    int64_t as_of;      /* seconds */
    int64_t as_of_date; /* days: the UTC date of as_of */
} eval_time;

eval_time eval_time_of(int64_t as_of);

/* Whether compiling p to machine code pays off over n records, judged by
 * the costs measured in `make bench` (docs/performance.md). */
bool eval_worth_jit(const ir_program *p, size_t n);
/* The value of an IR_ASOF node at time t. */
int64_t eval_asof(const ir_node *n, eval_time t);
/* A date_part of a date (days since 1970-01-01); as_of_date for
 * DP_DAYS_SINCE. */
int64_t eval_date_part(int part, int64_t days, int64_t as_of_date);

/* What an evaluation decides once, before the scan, per IR node: every
 * engine reads the same table, so they cannot disagree about it. */
typedef struct eval_bound {
    int64_t k;        /* IR_ASOF: its value at as_of. String IR_CMP of a
                       * field with a constant: the constant's id in the
                       * field's dictionary, or -1 when it is absent.
                       * IR_STAT: its value (unless float). IR_DICTFN: its
                       * value for a null field. IR_DATEPART: as_of's date */
    double f;         /* IR_STAT of type float: its value */
    uint32_t *table;  /* a bitset. IR_IN over a string field: the
                       * dictionary ids in the list; IR_CONTAINS: the
                       * distinct sets that hold the element; IR_DICTFN of
                       * bool: the entries where it is true */
    uint64_t ntable;  /* bits in the table (words: ntable / 32 + 1) */
    uint32_t fast;    /* string IR_CMP decided by id (field vs constant) */
    uint32_t null;    /* IR_STAT: the statistic is null. IR_DICTFN: its
                       * value for a null field is null */
    uint32_t *nulls;  /* IR_DICTFN: the entries where it is null (bitset of
                       * ntable bits) */
    int64_t *vals;    /* IR_DICTFN of int: its value per entry (ntable);
                       * IR_NTILE: the k - 1 cut points of int64 values */
    double *fvals;    /* IR_NTILE over floats: the cut points */
    uint32_t nvals;   /* IR_NTILE: k - 1 */
    uint32_t pad;
    int64_t lo;       /* IR_EVAGG: events at or before lo are outside the
                       * window (INT64_MIN: no window); k: the last instant
                       * visible, as_of (or its date, for events at dates) */
} eval_bound;

static inline bool eval_bit(const uint32_t *table, uint64_t i)
{
    return table[i >> 5] >> (i & 31) & 1;
}

/* Binds every node of p for data d at as_of; NULL when memory ran out.
 * The table has p->nnodes entries. */
eval_bound *eval_bind(mem *m, const ir_program *p, const dataset *d,
                      int64_t as_of);
void eval_unbind(mem *m, const ir_program *p, eval_bound *b);

/* The score of value x (int64 or double) among an IR_NTILE's cut points. */
static inline int64_t eval_ntile_i(const eval_bound *b, int64_t x)
{
    int64_t s = 1;
    for (uint32_t j = 0; j < b->nvals; j++)
        s += b->vals[j] < x;
    return s;
}
static inline int64_t eval_ntile_f(const eval_bound *b, double x)
{
    int64_t s = 1;
    for (uint32_t j = 0; j < b->nvals; j++)
        s += b->fvals[j] < x;
    return s;
}

/* ---- statistics (stat.c): an engine feeds each IR_STAT and IR_NTILE its
 * values, record by record; stat_finish writes the result into the
 * node's binding ---------------------------------------------------------------- */
typedef struct stat_acc {
    const ir_node *n;
    bool fl;            /* the values are doubles */
    size_t count;
    __int128 sum;
    long double fsum;   /* long double: a sum of doubles that passes
                         * DBL_MAX on the way (avg of 1e308 and 1e308) */
    int64_t min, max;
    double fmin, fmax;
    long double mean, m2; /* Welford's running variance */
    uint64_t *vals;     /* sortable keys, for medians and cut points */
    size_t nvals, cap;
} stat_acc;

bool stat_acc_init(mem *m, stat_acc *a, const ir_node *n, size_t records);
void stat_acc_free(mem *m, stat_acc *a);
void stat_add_i(stat_acc *a, int64_t v);
void stat_add_f(stat_acc *a, double v);
void stat_add_record(stat_acc *a); /* count() */
bool stat_finish(mem *m, stat_acc *a, eval_bound *b);

#endif
