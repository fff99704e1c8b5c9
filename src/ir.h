/*
 * ir.h - the typed intermediate representation (ir_): what the checker
 * produces and every backend (interpreter, JIT, SQL) consumes. A backend
 * never sees the syntax tree.
 *
 * The IR is a tree per segment (a DAG where `between` uses its operand
 * twice). Everything a backend would otherwise have to rediscover is
 * explicit: fields are resolved to schema indices, conversions are nodes
 * (int->float, date->timestamp, money rescaling), age comparisons such as
 * `last_order > 90d` are lowered to comparisons with an as_of-relative
 * instant (`last_order < as_of - 90d`), enum values are indices, literals are
 * in storage units, and every node records whether it can be null.
 */
#ifndef SEGC_IR_H
#define SEGC_IR_H

#include <stdio.h>

#include "ast.h"
#include "schema.h"

typedef enum ir_op {
    IR_CONST,   /* v, or null when is_null */
    IR_FIELD,   /* field: schema index */
    IR_ASOF,    /* the evaluation's as_of as ty (date or timestamp), shifted
                 * by (months, secs); computed once per evaluation */
    IR_NEG,     /* int, float, money; int overflow -> null */
    IR_ADD,     /* int, float, money (same scale); overflow -> null */
    IR_SUB,
    IR_MUL,     /* int*int, float*float, money*int (money on the left) */
    IR_DIV,     /* float/float -> float; x/0 -> null */
    IR_TO_FLOAT, /* int or money (-> units of the currency) to float */
    IR_UNITS,   /* money -> int: its count of 10^-scale units, unchanged */
    IR_TO_TS,   /* date -> timestamp at midnight UTC */
    IR_RESCALE, /* money: multiply by 10^scale_up; overflow -> null */
    IR_SHIFT,   /* date or timestamp plus (months, secs); a date's secs are
                 * whole days */
    IR_CMP,     /* cmp: kids[0] cmp kids[1], both of one type */
    IR_IN,      /* kids[0] in list (sorted for numbers and dates) */
    IR_CONTAINS, /* set kids[0] holds the string v.str */
    IR_ISNULL,  /* kids[0] is null; never null itself */
    IR_AND,     /* n-ary, Kleene */
    IR_OR,      /* n-ary, Kleene */
    IR_NOT
} ir_op;

typedef union ir_value {
    int64_t i; /* bool, int, money, date, timestamp, enum index */
    double f;
    struct {
        const char *s;
        uint32_t len;
    } str;
} ir_value;

typedef struct ir_node ir_node;
struct ir_node {
    ir_op op;
    const type *ty;
    bool nullable;    /* false: never null, for any record */
    uint32_t id;      /* dense per program, for per-evaluation side tables */
    loc at;
    cmp_op cmp;       /* IR_CMP */
    uint32_t field;   /* IR_FIELD */
    int64_t months, secs; /* IR_ASOF, IR_SHIFT */
    int scale_up;     /* IR_RESCALE */
    bool is_null;     /* IR_CONST */
    ir_value v;       /* IR_CONST */
    ir_node **kids;
    uint32_t nkids;
    ir_value *list;   /* IR_IN: the values, none null */
    uint32_t nlist;
    bool list_has_null; /* IR_IN: the list held a null */
};

typedef struct ir_segment {
    const char *name;
    const char *description; /* or NULL */
    loc at;
    ir_node *root;           /* of type bool */
} ir_segment;

typedef struct ir_program {
    mem *m;
    arena a;
    const schema *sch;
    const char *source_name;
    ir_segment *segs;
    size_t nsegs;
    uint32_t nnodes;
} ir_program;

/* ---- building (used by the checker) ---------------------------------------- */
ir_program *ir_program_new(mem *m, const schema *sch, const char *source_name);
void ir_program_free(ir_program *p);
ir_node *ir_new(ir_program *p, ir_op op, const type *ty, loc at);
ir_node *ir_unary(ir_program *p, ir_op op, const type *ty, loc at, ir_node *a);
ir_node *ir_binary(ir_program *p, ir_op op, const type *ty, loc at,
                   ir_node *a, ir_node *b);
ir_node *ir_cmp(ir_program *p, cmp_op op, loc at, ir_node *a, ir_node *b);
ir_node *ir_nary(ir_program *p, ir_op op, loc at, ir_node **kids, uint32_t n);

/* ---- reading ----------------------------------------------------------------- */
const char *ir_op_name(ir_op op);
/* Writes every segment as an S-expression with types, one per line. */
void ir_dump(const ir_program *p, FILE *out);

#endif
