/*
 * explain.h - why a record is, or is not, in each segment (explain_).
 *
 * An explanation walks the typed IR of every segment for one record and
 * writes it back in the terms of the rule file: each condition with the
 * source text it was checked from and its value (true, false or null),
 * and under it the conditions it is made of; each leaf condition with the
 * values it read (fields, named values, parameters, population statistics,
 * scores, the cut-off instants of ages). Every value is computed by the
 * reference interpreter (interp_node_value) with the bindings and the
 * population statistics of an evaluation of the whole data set, so an
 * explanation cannot disagree with an evaluation.
 *
 * The IR is explained in the user's terms where it differs from the source:
 * a lowered construct (an age `last_order > 90d`, a period `signup in
 * last_year`, `between`, `not in`) is one line with the source text, its
 * value and the operands it read, whatever nodes it became; a segment used
 * as a condition is its membership (written out under it with expand); a
 * classification's tiers are explained by first match (the tier the record
 * is in, and for each later tier whose condition holds, which earlier one
 * took the record). Names of let, param and const definitions are found by
 * parsing the program's sources again: a node whose span is the value of a
 * definition is that definition.
 */
#ifndef SEGC_EXPLAIN_H
#define SEGC_EXPLAIN_H

#include "eval.h"

/* A segment block is cut after this many lines (a condition that uses the
 * same named values over and over can be huge once written out). */
#define EXPLAIN_MAX_LINES 2000

typedef struct explain_def explain_def;

typedef struct segc_explainer explainer;
struct segc_explainer {
    mem *m;
    const ir_program *p;
    const dataset *d;
    const source *srcs;     /* the program's files, by ir_node.file */
    size_t nsrcs;
    int64_t as_of;
    eval_bound *b;          /* bindings and statistics of the evaluation */
    arena a;                /* definitions and map keys */
    smap defs;              /* (file, start, end) of a value -> defs index */
    explain_def *def;
    uint32_t ndefs;
    const ir_node **tier_own; /* per segment: a tier's "condition is true"
                               * node (NULL: an else tier, or not a tier) */
    bool *tiers_ok;         /* per classification: its tiers decoded */
    int32_t *tier_root;     /* per node id: the tier whose root it is, or -1 */
    uint8_t *own_istrue;    /* per node id: a tier's own IR_ISTRUE */
};

/* Binds p for d at as_of and computes the population statistics; srcs are
 * the texts of p's files. NULL when memory ran out (m->failed). */
explainer *explain_new(mem *m, const ir_program *p, const dataset *d,
                       const source *srcs, size_t nsrcs, int64_t as_of);
void explain_free(explainer *x);

/* Whether record rec is in segment seg: its condition is true. */
bool explain_member(const explainer *x, size_t rec, size_t seg);

typedef struct explain_opts {
    bool json;
    const char *const *only; /* segment, tier or classification names that
                              * select what is shown; NULL: everything */
    size_t nonly;
    bool expand;             /* write out referenced segments */
} explain_opts;

/* Whether name names a segment, a tier or a classification of p. */
bool explain_knows(const ir_program *p, const char *name);

/* Appends the explanation of record rec to out (JSON: one line). False
 * when memory ran out. */
bool explain_record(const explainer *x, size_t rec, const explain_opts *o,
                    buf *out);

/* The record whose key is written as text (an int key in digits, a string
 * key as is): 1 and *rec, 0 when no record has it, -1 when the text cannot
 * be a key of that type. */
int explain_find_key(const dataset *d, const char *text, size_t *rec);

#endif
