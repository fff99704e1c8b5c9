/*
 * lint.h - static analysis of a checked program (lint_): warnings about
 * rules that compile but are probably wrong.
 *
 * The analysis works on the typed IR. Each segment's condition is a
 * Boolean combination (and, or, not, membership) of atoms; an atom that
 * compares one value (a field, a score, a date part, ...) with constants is
 * decided by which cell of that value's domain the value falls in (the
 * cells between the constants the program compares it with, and null), and
 * any other atom is an unknown true/false/null. Enumerating the cells of
 * every value and the truth of every other atom decides, exactly for the
 * atoms it understands and soundly for the rest, whether a condition can
 * ever be true, is always true, or implies another: a warning is given
 * only when it holds for every possible customer. Values are assumed
 * independent (a warning is never wrong because of that; some are missed).
 *
 * docs/cli.md lists the warnings (SEG101 ...).
 */
#ifndef SEGC_LINT_H
#define SEGC_LINT_H

#include "ir.h"

typedef struct lint_opts {
    size_t max_conditions; /* a segment with more atoms (written out): SEG401;
                          * 0: no budget */
    size_t max_list;     /* a list longer than this: SEG402; 0: none */
} lint_opts;

/* Adds the warnings about p to d. srcs[i] is the text of p->files[i]. */
void lint_program(mem *m, const ir_program *p, const source *const *srcs,
                  const lint_opts *o, diag_list *d);

/* The warnings: id, default severity, a one-line summary (for SARIF). */
typedef struct lint_rule {
    const char *id;
    const char *name;     /* camelCase, for SARIF's rule name */
    const char *summary;
} lint_rule;

extern const lint_rule lint_rules[];
extern const size_t lint_nrules;

#endif
