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

/* What an evaluation decides once, before the scan, per IR node: every
 * engine reads the same table, so they cannot disagree about it. */
typedef struct eval_bound {
    int64_t k;        /* IR_ASOF: its value at as_of. String IR_CMP of a
                       * field with a constant: the constant's id in the
                       * field's dictionary, or -1 when it is absent */
    uint32_t *table;  /* a bitset. IR_IN over a string field: the
                       * dictionary ids in the list; IR_CONTAINS: the
                       * distinct sets that hold the element */
    uint64_t ntable;  /* bits in the table (words: ntable / 32 + 1) */
    uint32_t fast;    /* string IR_CMP decided by id (field vs constant) */
    uint32_t pad;
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

#endif
