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
    IR_DIV,     /* float/float -> float; money/int -> money (of the
                 * dividend's scale), rounded half to even; x/0 -> null */
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
    IR_NOT,
    IR_ISTRUE,  /* kids[0] is true: never null (classification tiers) */
    IR_STAT,    /* a population statistic: stat, kids[0] the value (none for
                 * count), filter the records it counts (or NULL); one value
                 * per evaluation, computed in a pass before the segments */
    IR_NTILE,   /* k buckets of kids[0] over the population: 1 + the number
                 * of cut points below the value (cut points per evaluation) */
    IR_DICTFN,  /* fn of one string or set field kids[0], decided once per
                 * entry of the field's (set) dictionary: fn's leaves read the
                 * entry through IR_DICTARG */
    IR_DICTARG, /* inside a DICTFN: the entry (a string, or a set) */
    IR_STRFN,   /* inside a DICTFN: str fn applied to kids (see str_fn) */
    IR_DATEPART, /* part of kids[0] (a date or timestamp) as an int */
    IR_EVAGG,   /* agg over the events of the customer's event list `field`
                 * (a schema index) that are visible at as_of, inside the
                 * window (windowed: the last (months, secs) before as_of)
                 * and where filter is true; evfield: the event field
                 * aggregated (an index into the event's schema) or -1 */
    IR_EVFIELD  /* inside an IR_EVAGG's filter: field `field` of the event
                 * (an index into the event schema of list `list`) */
} ir_op;

/* aggregates over a customer's events (IR_EVAGG) */
typedef enum ev_agg {
    EV_COUNT,         /* int, 0 when empty */
    EV_SUM,           /* of int, money or float; 0 when empty */
    EV_AVG,           /* float; null when empty */
    EV_MIN,           /* the field's type; null when empty */
    EV_MAX,
    EV_FIRST,         /* the field at the earliest event (file order on ties) */
    EV_LAST,          /* the field at the latest event (file order on ties) */
    EV_ANY,           /* bool: some event matches; false when empty */
    EV_ALL,           /* bool: every event matches; true when empty */
    EV_DISTINCT_DAYS, /* int: distinct UTC dates of the events */
    EV_AVG_GAP        /* float: days between consecutive distinct times;
                       * null with fewer than two */
} ev_agg;

/* population statistics */
typedef enum stat_kind {
    STAT_COUNT,
    STAT_SUM,
    STAT_AVG,
    STAT_MIN,
    STAT_MAX,
    STAT_MEDIAN,
    STAT_PERCENTILE, /* p in n->pct (an exact decimal) */
    STAT_STDDEV
} stat_kind;

/* functions of strings and sets (IR_STRFN, inside IR_DICTFN only) */
typedef enum str_fn {
    SF_LOWER,       /* string -> string */
    SF_UPPER,
    SF_LENGTH,      /* string -> int (characters) */
    SF_STARTS_WITH, /* string, string -> bool */
    SF_ENDS_WITH,
    SF_CONTAINS,
    SF_SIZE,        /* set -> int */
    SF_HAS_ANY,     /* set, list of strings -> bool */
    SF_HAS_ALL,
    SF_HAS          /* set, string -> bool */
} str_fn;

/* parts of dates (IR_DATEPART) */
typedef enum date_part {
    DP_YEAR,
    DP_MONTH,
    DP_DAY,
    DP_WEEKDAY,    /* ISO: Monday 1 .. Sunday 7 */
    DP_DAYS_SINCE  /* as_of's date minus the value's date */
} date_part;

/* the period an IR_ASOF starts from */
typedef enum asof_anchor {
    ANCHOR_NONE,
    ANCHOR_YEAR,   /* January 1 of as_of's year */
    ANCHOR_MONTH,  /* the first of as_of's month */
    ANCHOR_WEEK    /* the Monday of as_of's ISO week */
} asof_anchor;

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
    ir_value *list;   /* IR_IN, IR_STRFN has any/all: the values, none null */
    uint32_t nlist;
    bool list_has_null; /* IR_IN: the list held a null */
    stat_kind stat;   /* IR_STAT */
    decimal pct;      /* IR_STAT percentile: p, exactly */
    ir_node *filter;  /* IR_STAT: the records counted, or NULL for all */
    int level;        /* IR_STAT, IR_NTILE: the pass that computes it (1..) */
    int k;            /* IR_NTILE: the number of buckets */
    ir_node *fn;      /* IR_DICTFN: the function of the entry */
    str_fn sfn;       /* IR_STRFN */
    date_part part;   /* IR_DATEPART */
    asof_anchor anchor; /* IR_ASOF */
    ev_agg agg;       /* IR_EVAGG */
    int32_t evfield;  /* IR_EVAGG: the event field aggregated, or -1 */
    bool windowed;    /* IR_EVAGG: a 'within' window of (months, secs) */
    uint32_t evlist;  /* IR_EVFIELD: the schema index of its event list */
    uint16_t file;    /* the program file whose text `at` is in, or
                       * IR_NO_FILE (a --param value) */
};

#define IR_NO_FILE UINT16_MAX

typedef struct ir_annotation {
    const char *name;
    const char *value; /* the arguments as written, or NULL */
} ir_annotation;

typedef struct ir_segment {
    const char *name;        /* a tier's is "classification.Tier" */
    const char *description; /* or NULL */
    loc at;                  /* in files[file] */
    loc span;                /* the whole declaration (or tier) */
    uint16_t file;
    ir_node *root;           /* of type bool */
    ir_annotation *annotations;
    uint32_t nannotations;
    int32_t classification;  /* the classification a tier belongs to, or -1 */
} ir_segment;

typedef struct ir_classification {
    const char *name;
    const char *description;
    loc at;                  /* its name, in files[file] */
    loc span;                /* the whole declaration */
    uint16_t file;
    uint32_t first, ntiers;  /* its tiers: segs[first .. first + ntiers) */
    bool has_else;
    ir_annotation *annotations;
    uint32_t nannotations;
} ir_classification;

typedef struct ir_param {
    const char *name;
    const type *ty;
    const char *value;       /* the value in effect, as text */
    loc at;                  /* its name, in files[file] */
    uint16_t file;
} ir_param;

typedef struct ir_program {
    mem *m;
    arena a;
    const schema *sch;
    const char *source_name;
    ir_segment *segs;        /* segments, then classification tiers */
    size_t nsegs;
    ir_classification *classes;
    size_t nclasses;
    ir_param *params;
    size_t nparams;
    ir_node **stats;         /* every IR_STAT and IR_NTILE, by level */
    size_t nstats;
    int levels;              /* passes before the segments (0: none) */
    uint32_t nnodes;
    const char **files;      /* the names of the program's files: imports
                              * first, the main file last */
    size_t nfiles;
    uint16_t cur_file;       /* while checking: the file of new nodes */
    bool has_events;         /* some rule aggregates events (IR_EVAGG) */
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
