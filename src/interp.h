/*
 * interp.h - the reference interpreter (interp_).
 *
 * It defines the semantics of segc: the JIT and the SQL backend are tested
 * against it. It walks the IR tree of every segment for every record,
 * after a binding step that decides, once per evaluation, everything that
 * depends only on the data's dictionaries (which string ids a list holds,
 * which distinct sets contain an element) or on as_of.
 */
#ifndef SEGC_INTERP_H
#define SEGC_INTERP_H

#include "eval.h"

/* Evaluates every segment of p over d into res (sized for them), with the
 * bindings b of this evaluation (eval_bind, then interp_stats). Returns
 * SEGC_OK or SEGC_ERR_NOMEM. */
segc_status interp_run(mem *m, const ir_program *p, const dataset *d,
                       const eval_bound *b, result *res,
                       const eval_par *par);

/* The population statistics of p (p->stats) over d, pass by pass, into
 * their bindings in b. Every engine uses them: the statistics' arguments
 * are evaluated here, once per record and statistic. */
segc_status interp_stats(mem *m, const ir_program *p, const dataset *d,
                         eval_bound *b);
/* The same with the statistics' arguments evaluated on par->threads
 * threads, a morsel each; the values are reduced in record order, so the
 * result is interp_stats's, bit for bit. */
segc_status interp_stats_par(mem *m, const ir_program *p, const dataset *d,
                             eval_bound *b, const eval_par *par);

/* The value of one node n of p for the record rec of d, with the bindings
 * b of an evaluation (eval_bind, then interp_stats): exactly what
 * interp_run computes for that node (explanations, explain.c, show it).
 * By n->ty: i holds a bool, int, money, date, timestamp, enum index, or a
 * string or set id in the field's dictionary; f a float. Not for the nodes
 * inside an IR_DICTFN's fn (IR_DICTARG, IR_STRFN): those are null. */
typedef struct interp_value {
    int64_t i;
    double f;
    bool null;
} interp_value;

/* An event aggregate n for the customer whose slot for n's list is slot
 * (events.h): what interp_run computes for it (the JIT calls this). */
interp_value interp_evagg(const eval_bound *b, const dataset *d,
                          const ir_node *n, uint64_t slot);

interp_value interp_node_value(const eval_bound *b, const ir_program *p,
                               const dataset *d, const ir_node *n,
                               const unsigned char *rec);

#endif
