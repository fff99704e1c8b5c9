/*
 * jit.h - the LLVM JIT backend (jit_).
 *
 * A program is lowered from the typed IR (never the AST) to one LLVM module
 * and compiled with ORC LLJIT for the host CPU. The compiled scan evaluates
 * all segments in one pass over the records, a block of 64 records at a
 * time:
 *
 *   1. every field the program reads is gathered from the 64 records into a
 *      column (one vector per field, with a 64-bit null mask);
 *   2. every distinct leaf predicate (a comparison, an 'in', 'is null', a set
 *      lookup) is computed once as 64-lane vector code into two 64-bit masks,
 *      "true" and "false" (neither: unknown);
 *   3. each segment combines its leaves with Kleene logic on those masks
 *      (and: t = t1 & t2, f = f1 | f2; or: the dual; not: swap) and stores
 *      its "true" mask as the block's word of its bitmap.
 *
 * as_of and everything that depends on the data's dictionaries are not in
 * the code: the scan reads them from the binding table (eval_bind) that it
 * gets as an argument, so one compiled program serves every day and every
 * data set of its schema. Large programs are split into group functions, so
 * that compile time grows linearly and no function holds hundreds of live
 * vectors.
 */
#ifndef SEGC_JIT_H
#define SEGC_JIT_H

#include <stdio.h>

#include "eval.h"

/* One LLJIT, target machine and helper symbols; one per context. */
typedef struct jit jit;
/* The machine code of one program (removed from the JIT when freed). */
typedef struct jit_code jit_code;

typedef struct jit_opts {
    int opt_level;       /* 0..3, for the pass pipeline default<On> */
    FILE *emit_llvm;     /* when set, the optimised IR is written here */
} jit_opts;

/* NULL when LLVM could not be set up (the reason is in d). */
jit *jit_new(mem *m, diag_list *d);
void jit_free(jit *j);

/* Compiles p; NULL on failure, with diagnostics. *ns gets the time spent. */
jit_code *jit_compile(jit *j, const ir_program *p, const jit_opts *o,
                      diag_list *d, uint64_t *ns);
void jit_code_free(jit_code *c);

/* Evaluates every segment of p (compiled as c) over d into res, with the
 * bindings (and statistics) b of this evaluation. */
segc_status jit_run(const jit_code *c, mem *m, const ir_program *p,
                    const dataset *d, const eval_bound *b, result *res,
                    const eval_par *par);

/* The population statistics of p (p->stats), computed by the compiled
 * statistics passes, into their bindings in b (as interp_stats does). */
segc_status jit_stats(const jit_code *c, mem *m, const ir_program *p,
                      const dataset *d, eval_bound *b, const eval_par *par);

/* One record at a time (jit_one.c): scalar code that writes the membership
 * of every segment of p for the record rec into out[0 .. (nsegs + 63) / 64),
 * with the bindings b (made over data, whose dictionaries' sizes the code
 * knows). NULL on failure, with a diagnostic (a construct without a
 * one-record form: the caller falls back to the interpreter). */
typedef void (*jit_one_fn)(const unsigned char *rec, const eval_bound *b,
                           const dataset *data, uint64_t *out);
jit_code *jit_compile_one(jit *j, const ir_program *p, const dataset *data,
                          diag_list *d, uint64_t *ns);
jit_one_fn jit_code_one(const jit_code *c);

/* ---- the runtime helpers compiled code may call --------------------------- */
int64_t segc_rt_shift_date(int64_t days, int64_t months, int64_t ndays);
int64_t segc_rt_shift_ts(int64_t ts, int64_t months, int64_t secs);
uint8_t segc_rt_in_i64(const int64_t *list, uint64_t n, int64_t x);
uint8_t segc_rt_in_f64(const double *list, uint64_t n, double x);
int64_t segc_rt_ntile_i64(const int64_t *cuts, uint64_t n, int64_t x);
int64_t segc_rt_ntile_f64(const double *cuts, uint64_t n, double x);
/* year, month or day of a date (days since 1970-01-01) */
int64_t segc_rt_date_part(int64_t part, int64_t days);
/* Text equality of string ids of two fields (ids out of range: unequal). */
uint8_t segc_rt_str_eq(const dataset *d, uint64_t fa, uint64_t ida,
                       uint64_t fb, uint64_t idb);
/* money / int rounded half to even (b != 0, not INT64_MIN / -1) */
int64_t segc_rt_div_half_even(int64_t a, int64_t b);
/* eval_date_part of a date, or of a timestamp's date (is_ts) */
int64_t segc_rt_date_part_of(int64_t part, int64_t v, int64_t is_ts,
                             int64_t as_of_date);
/* An event aggregate n (IR_EVAGG) for the customer with the given slot:
 * its value (a float's bits; 0 when null), and whether it is null. Both
 * are interp_evagg's, so the engines agree bit for bit. */
int64_t segc_rt_evagg(const eval_bound *b, const dataset *d, const ir_node *n,
                      uint64_t slot);
uint8_t segc_rt_evagg_null(const eval_bound *b, const dataset *d,
                           const ir_node *n, uint64_t slot);
/* The same for the JIT_BLOCK customers of a block at once (slots[i]):
 * vals[i] and nulls[i], one walk of each history for both. */
void segc_rt_evagg_block(const eval_bound *b, const dataset *d,
                         const ir_node *n, const uint64_t *slots,
                         int64_t *vals, uint8_t *nulls);

#endif
